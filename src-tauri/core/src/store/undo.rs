//! Undo of the last change or of a whole batch (an import, a bulk roster change, a delete with everything it
//! took along).
//!
//! Undo replays the logged before-images backwards in one transaction. It never overwrites
//! later work: each row must still be exactly as the change left it, or the undo is refused
//! with `Error::CannotUndo` and nothing is written. The undo is itself logged (entries with
//! `undo_of` set, under a batch of their own) and the entries it reverted get `undone_at`, so
//! the history shows both and undo never undoes an undo.

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::*;
use crate::words::Text;

use super::history::{entry_from_row, noun, summarize_step, ChangeEntry, COLUMNS};
use super::log::{cascade_of, log_change, read_json, Change};
use super::write::{begin_write, put_raw};

/// The step `undo_last` would take back, for the "Undo …" menu item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UndoStep {
    pub batch_id: Option<String>,
    /// Newest first.
    pub entries: Vec<ChangeEntry>,
    pub summary: String,
}

/// What an undo did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UndoReport {
    /// The batch the undo's own log entries carry.
    pub undo_batch_id: String,
    /// The batch taken back, when the step was a batch.
    pub batch_id: Option<String>,
    /// How many change log entries were reverted.
    pub entries_undone: usize,
    pub summary: String,
}

/// The entries of one step, newest first: a whole batch, or one entry without a batch.
pub(super) fn step_entries(
    conn: &Connection,
    entry_id: &str,
    batch_id: Option<&str>,
) -> Result<Vec<ChangeEntry>> {
    let (sql, key) = match batch_id {
        Some(batch) => (
            format!(
                "SELECT {COLUMNS} FROM change_log
                  WHERE batch_id = ?1 AND undone_at IS NULL AND undo_of IS NULL ORDER BY seq DESC"
            ),
            batch,
        ),
        None => (
            format!("SELECT {COLUMNS} FROM change_log WHERE id = ?1 AND undone_at IS NULL"),
            entry_id,
        ),
    };
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([key], |r| entry_from_row(conn, r))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The step `undo_last` would take back.
pub fn next_undo(conn: &Connection, event_id: Option<&str>) -> Result<Option<UndoStep>> {
    let newest: Option<(String, Option<String>)> = conn
        .query_row(
            "SELECT id, batch_id FROM change_log
              WHERE undone_at IS NULL AND undo_of IS NULL AND (?1 IS NULL OR event_id = ?1)
              ORDER BY seq DESC LIMIT 1",
            [event_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((id, batch_id)) = newest else {
        return Ok(None);
    };
    let entries = step_entries(conn, &id, batch_id.as_deref())?;
    Ok(Some(UndoStep {
        summary: summarize_step(&entries),
        batch_id,
        entries,
    }))
}

/// Undo refused over later work: `why` is the catalogue's `error-cannot_undo-{why}`.
fn cannot(e: &ChangeEntry, why: &str) -> Error {
    Error::CannotUndo(refusal(e, why))
}

/// The words of an undo refused over entry `e`, the record named by its kind and label.
fn refusal(e: &ChangeEntry, why: &str) -> Text {
    let what = if e.label.is_empty() {
        noun(&e.entity).to_string()
    } else {
        format!("{} {}", noun(&e.entity), e.label)
    };
    Text::new(format!("error-cannot_undo-{why}")).with("what", what)
}

/// Writes a record back from its logged JSON, without validation: the before-image was valid
/// when it was written, and undo restores exactly that, timestamps included.
fn write_back(tx: &Transaction<'_>, table: &str, image: &Value, insert: bool) -> Result<Value> {
    with_record_type!(table, R => {
        let record: R = serde_json::from_value(image.clone())?;
        let record = put_raw(tx, record, insert)?;
        Ok(serde_json::to_value(record)?)
    })
}

/// Reverts one step's entries (newest first) and marks them undone.
fn revert(tx: &Transaction<'_>, entries: &[ChangeEntry]) -> Result<String> {
    let undo_batch = uuid::Uuid::new_v4().to_string();
    let now = Utc::now();
    for e in entries {
        let current = read_json(tx, &e.entity, &e.entity_id)?;
        let (action, before, after) = match e.action.as_str() {
            "create" => {
                if current.is_none() || current != e.after {
                    return Err(cannot(e, "created"));
                }
                let effects = cascade_of(tx, &e.entity, &e.entity_id)?;
                let others = effects.deleted.len() - 1 + effects.nulled.len();
                if others > 0 {
                    return Err(Error::CannotUndo(refusal(e, "grown").with("count", others)));
                }
                tx.execute(
                    &format!("DELETE FROM {} WHERE id = ?", e.entity),
                    [&e.entity_id],
                )?;
                ("delete", current, None)
            }
            "update" => {
                if current.is_none() || current != e.after {
                    return Err(cannot(e, "changed"));
                }
                let image = e.before.as_ref().ok_or_else(|| broken_log(e))?;
                let restored = write_back(tx, &e.entity, image, false).map_err(|x| taken(e, x))?;
                ("update", current, Some(restored))
            }
            "delete" => {
                if current.is_some() {
                    return Err(cannot(e, "again"));
                }
                let image = e.before.as_ref().ok_or_else(|| broken_log(e))?;
                let restored = write_back(tx, &e.entity, image, true).map_err(|x| taken(e, x))?;
                ("create", None, Some(restored))
            }
            _ => return Err(broken_log(e)),
        };
        let (before, after) = (before.map(|v| v.to_string()), after.map(|v| v.to_string()));
        log_change(
            tx,
            Change {
                entity: &e.entity,
                entity_id: &e.entity_id,
                action,
                before: before.as_deref(),
                after: after.as_deref(),
                batch: Some(&undo_batch),
                event_id: e.event_id.as_deref(),
                undo_of: Some(&e.id),
            },
        )?;
        tx.execute(
            "UPDATE change_log SET undone_at = ?1, updated_at = ?1 WHERE id = ?2",
            rusqlite::params![now, e.id],
        )?;
    }
    Ok(undo_batch)
}

/// A record that cannot come back because another holds its place under a unique key: the
/// same person put on the same session again after their entry went (here, or on a laptop of
/// the team whose change was received since), a second check-in. Refused, as for later work.
fn taken(e: &ChangeEntry, err: Error) -> Error {
    let unique = match &err {
        Error::Internal(source) => source.downcast_ref::<rusqlite::Error>().is_some_and(|s| {
            matches!(s, rusqlite::Error::SqliteFailure(f, _)
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
        }),
        _ => false,
    };
    if unique {
        cannot(e, "taken")
    } else {
        err
    }
}

fn broken_log(e: &ChangeEntry) -> Error {
    Error::Internal(format!("change log entry {} lacks its record image", e.id).into())
}

/// Takes back the step `pick` chooses, in one transaction (see the module's header).
pub(super) fn undo_with(
    conn: &Connection,
    pick: impl FnOnce(&Connection) -> Result<Option<(Option<String>, Vec<ChangeEntry>)>>,
) -> Result<Option<UndoReport>> {
    // An undo in a shared event is a new change that travels like any other.
    let recorder = crate::store::sync::Recorder::start(conn)?;
    let tx = begin_write(conn)?;
    let Some((batch_id, entries)) = pick(&tx)? else {
        return Ok(None);
    };
    // Rows come back in the reverse order of the log, which can put a delegation back
    // before its head official; the keys are checked once everything is in place.
    tx.pragma_update(None, "defer_foreign_keys", true)?;
    let undo_batch_id = revert(&tx, &entries)?;
    if let Some(recorder) = recorder {
        recorder.finish(&tx)?;
    }
    match tx.commit() {
        Ok(()) => {}
        Err(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            return Err(Error::CannotUndo(Text::new("error-cannot_undo-parents")));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Some(UndoReport {
        undo_batch_id,
        batch_id,
        entries_undone: entries.len(),
        summary: summarize_step(&entries),
    }))
}
