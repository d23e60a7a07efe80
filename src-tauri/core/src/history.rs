//! The change log read back: an event's recent changes for the officer, and undo of the last
//! change or of a whole batch (an import, a bulk roster change, a delete with everything it
//! took along).
//!
//! Undo replays the logged before-images backwards in one transaction. It never overwrites
//! later work: each row must still be exactly as the change left it, or the undo is refused
//! with `Error::CannotUndo` and nothing is written. The undo is itself logged (entries with
//! `undo_of` set, under a batch of their own) and the entries it reverted get `undone_at`, so
//! the history shows both and undo never undoes an undo.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::*;
use crate::store::{self, cascade_of, log_change, read_json, with_record_type, Change, Store};

/// One change log entry, as the history list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeEntry {
    pub id: String,
    /// Position in the log; higher is later.
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// The OS user who made the change.
    pub actor: String,
    /// The table: `official`, `delegation`, …
    pub entity: String,
    pub entity_id: String,
    /// `create`, `update` or `delete`.
    pub action: String,
    /// Entries with the same batch id are one step (an import, a bulk change, a cascade).
    pub batch_id: Option<String>,
    pub event_id: Option<String>,
    /// What the record is called: an official's passport name, a session's title…
    pub label: String,
    /// An English sentence, "Updated official NGUYEN Van Minh (position)"; the UI may build
    /// its own from the fields above.
    pub summary: String,
    /// For an update, the fields that changed (timestamps left out).
    pub changed_fields: Vec<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub undone_at: Option<DateTime<Utc>>,
    /// For an entry an undo wrote, the entry it reverted.
    pub undo_of: Option<String>,
}

impl ChangeEntry {
    /// Whether undo can still take this entry back (not undone, not itself an undo).
    pub fn undoable(&self) -> bool {
        self.undone_at.is_none() && self.undo_of.is_none()
    }
}

/// What left the library: `print` (badges the officer said were printed), `pdf` (a document
/// saved), `export`, `itinerary`, `form` (registration forms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Print,
    Pdf,
    Export,
    Itinerary,
    Form,
}

impl Output {
    pub fn as_str(self) -> &'static str {
        match self {
            Output::Print => "print",
            Output::Pdf => "pdf",
            Output::Export => "export",
            Output::Itinerary => "itinerary",
            Output::Form => "form",
        }
    }
}

/// Records that something left the library (`what`: "114 badges, A4 8-up"), under the
/// officer's name as the change log records changes.
pub fn record_output(conn: &Connection, event_id: &str, action: Output, what: &str) -> Result<()> {
    let now = chrono::Utc::now();
    conn.execute(
        "INSERT INTO output_log (id, at, actor, event_id, action, what, created_at, updated_at)
         VALUES (?1, ?2, coalesce((SELECT value FROM setting WHERE key = ?3), ?4), ?5, ?6, ?7, ?2, ?2)",
        rusqlite::params![
            uuid::Uuid::new_v4().to_string(),
            now,
            crate::store::OFFICER_NAME,
            crate::store::actor(),
            event_id,
            action.as_str(),
            what
        ],
    )?;
    Ok(())
}

/// The event's changes and outputs, newest first: the History's list. An output reads as an
/// entry of entity `output`, action `print`, `pdf`, `export`, `itinerary` or `form`, with
/// what it was as its label; it is not undoable (`undo_of` is its own id).
pub fn recent_history(conn: &Connection, event_id: &str, limit: usize) -> Result<Vec<ChangeEntry>> {
    let mut entries = recent_changes(conn, Some(event_id), limit)?;
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, action, what FROM output_log WHERE event_id = ?1
          ORDER BY at DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(
        rusqlite::params![event_id, i64::try_from(limit).unwrap_or(i64::MAX)],
        |r| {
            let id: String = r.get(0)?;
            let what: String = r.get(4)?;
            let action: String = r.get(3)?;
            Ok(ChangeEntry {
                seq: 0,
                at: r.get(1)?,
                actor: r.get(2)?,
                entity: "output".into(),
                entity_id: id.clone(),
                summary: format!("{action}: {what}"),
                action,
                batch_id: None,
                event_id: Some(event_id.to_string()),
                label: what,
                changed_fields: Vec::new(),
                before: None,
                after: None,
                undone_at: None,
                undo_of: Some(id.clone()),
                id,
            })
        },
    )?;
    for row in rows {
        entries.push(row?);
    }
    entries.sort_by(|a, b| b.at.cmp(&a.at).then(b.seq.cmp(&a.seq)));
    entries.truncate(limit);
    Ok(entries)
}

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

const COLUMNS: &str = "id, seq, at, actor, entity, entity_id, action, batch_id, event_id, before, \
                       after, undone_at, undo_of";

fn json_column(row: &Row<'_>, name: &str) -> rusqlite::Result<Option<Value>> {
    let text: Option<String> = row.get(name)?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

fn entry_from_row(conn: &Connection, row: &Row<'_>) -> rusqlite::Result<ChangeEntry> {
    let mut entry = ChangeEntry {
        id: row.get("id")?,
        seq: row.get("seq")?,
        at: row.get("at")?,
        actor: row.get("actor")?,
        entity: row.get("entity")?,
        entity_id: row.get("entity_id")?,
        action: row.get("action")?,
        batch_id: row.get("batch_id")?,
        event_id: row.get("event_id")?,
        label: String::new(),
        summary: String::new(),
        changed_fields: Vec::new(),
        before: json_column(row, "before")?,
        after: json_column(row, "after")?,
        undone_at: row.get("undone_at")?,
        undo_of: row.get("undo_of")?,
    };
    let image = entry.after.as_ref().or(entry.before.as_ref());
    entry.label = image
        .map(|v| label(conn, &entry.entity, v))
        .unwrap_or_default();
    if let (Some(before), Some(after)) = (&entry.before, &entry.after) {
        entry.changed_fields = changed_fields(before, after);
    }
    entry.summary = summarize(&entry);
    Ok(entry)
}

fn changed_fields(before: &Value, after: &Value) -> Vec<String> {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return Vec::new();
    };
    a.iter()
        .filter(|(k, v)| !matches!(k.as_str(), "updated_at" | "created_at") && b.get(*k) != Some(v))
        .map(|(k, _)| k.clone())
        .collect()
}

fn noun(entity: &str) -> &str {
    match entity {
        "room_block" => "room block",
        "venue_room" => "venue room",
        "travel" => "travel leg",
        "participant" => "roster entry",
        other => other,
    }
}

fn past(action: &str) -> &str {
    match action {
        "create" => "Created",
        "update" => "Updated",
        "delete" => "Deleted",
        other => other,
    }
}

fn summarize(e: &ChangeEntry) -> String {
    let mut out = format!("{} {}", past(&e.action), noun(&e.entity));
    if !e.label.is_empty() {
        out.push(' ');
        out.push_str(&e.label);
    }
    if !e.changed_fields.is_empty() {
        out.push_str(&format!(" ({})", e.changed_fields.join(", ")));
    }
    if e.undo_of.is_some() {
        out.push_str(" — by undo");
    }
    out
}

/// What a logged record is called, for the officer.
fn label(conn: &Connection, entity: &str, v: &Value) -> String {
    let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let official = |id: &str| -> String {
        conn.query_row(
            "SELECT family_name, given_name FROM official WHERE id = ?",
            [id],
            |r| Ok(full_name(&r.get::<_, String>(0)?, &r.get::<_, String>(1)?)),
        )
        .optional()
        .ok()
        .flatten()
        .unwrap_or_default()
    };
    let first = |keys: &[&str]| {
        keys.iter()
            .map(|k| text(k))
            .find(|s| !s.is_empty())
            .unwrap_or_default()
    };
    match entity {
        "official" => full_name(&text("family_name"), &text("given_name")),
        "event" => first(&["name_en", "name_ko"]),
        "delegation" => first(&["name_en", "name_ko", "country_code", "org_code"]),
        "session" => first(&["title_en", "title_ko"]),
        "room_block" => text("room_type"),
        "travel" => {
            let who = official(&text("official_id"));
            format!("{} {}", text("flight"), who).trim().to_string()
        }
        "stay" | "participant" => official(&text("official_id")),
        _ => first(&["name", "name_ko"]),
    }
}

/// A one-line description of several entries: "Created 250 officials, 1 delegation".
fn summarize_step(entries: &[ChangeEntry]) -> String {
    match entries {
        [] => String::new(),
        [one] => one.summary.clone(),
        many => {
            let mut groups: Vec<(&str, &str, usize)> = Vec::new();
            for e in many {
                match groups
                    .iter_mut()
                    .find(|(a, t, _)| *a == e.action && *t == e.entity)
                {
                    Some(group) => group.2 += 1,
                    None => groups.push((&e.action, &e.entity, 1)),
                }
            }
            groups
                .iter()
                .map(|(action, entity, n)| {
                    let what = if *entity == "travel" {
                        Some("travel legs")
                    } else if *entity == "participant" {
                        Some("roster entries")
                    } else {
                        None
                    };
                    format!(
                        "{} {}",
                        past(action),
                        crate::text::counted(*n as i64, noun(entity), what)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

/// The newest entries of an event's history (or of the whole library with `None`), newest
/// first, undone entries and undo entries included.
pub fn recent_changes(
    conn: &Connection,
    event_id: Option<&str>,
    limit: usize,
) -> Result<Vec<ChangeEntry>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM change_log WHERE (?1 IS NULL OR event_id = ?1)
          ORDER BY seq DESC LIMIT ?2"
    );
    let mut stmt = conn.prepare(&sql)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt.query_map(rusqlite::params![event_id, limit], |r| {
        entry_from_row(conn, r)
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The entries of one step, newest first: a whole batch, or one entry without a batch.
fn step_entries(
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

fn cannot(e: &ChangeEntry, why: &str) -> Error {
    let what = if e.label.is_empty() {
        noun(&e.entity).to_string()
    } else {
        format!("{} {}", noun(&e.entity), e.label)
    };
    Error::CannotUndo(format!("The {what} {why}; undo the later changes first."))
}

/// Writes a record back from its logged JSON, without validation: the before-image was valid
/// when it was written, and undo restores exactly that, timestamps included.
fn write_back(tx: &Transaction<'_>, table: &str, image: &Value, insert: bool) -> Result<Value> {
    with_record_type!(table, R => {
        let record: R = serde_json::from_value(image.clone())?;
        let record = store::put_raw(tx, record, insert)?;
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
                    return Err(cannot(e, "was changed or deleted after it was created"));
                }
                let effects = cascade_of(tx, &e.entity, &e.entity_id)?;
                let others = effects.deleted.len() - 1 + effects.nulled.len();
                if others > 0 {
                    return Err(cannot(
                        e,
                        &format!(
                            "has {} added to it since",
                            crate::text::counted(others as i64, "record", None)
                        ),
                    ));
                }
                tx.execute(
                    &format!("DELETE FROM {} WHERE id = ?", e.entity),
                    [&e.entity_id],
                )?;
                ("delete", current, None)
            }
            "update" => {
                if current.is_none() || current != e.after {
                    return Err(cannot(e, "was changed again or deleted after this change"));
                }
                let image = e.before.as_ref().ok_or_else(|| broken_log(e))?;
                let restored = write_back(tx, &e.entity, image, false)?;
                ("update", current, Some(restored))
            }
            "delete" => {
                if current.is_some() {
                    return Err(cannot(e, "exists again"));
                }
                let image = e.before.as_ref().ok_or_else(|| broken_log(e))?;
                let restored = write_back(tx, &e.entity, image, true)?;
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

fn broken_log(e: &ChangeEntry) -> Error {
    Error::Internal(format!("change log entry {} lacks its record image", e.id).into())
}

impl Store {
    /// The newest entries of an event's history (`None`: the whole library), newest first.
    pub fn recent_changes(&self, event_id: Option<&str>, limit: usize) -> Result<Vec<ChangeEntry>> {
        self.read(|conn| recent_changes(conn, event_id, limit))
    }

    /// The event's changes and outputs, newest first (see [`recent_history`]).
    pub fn recent_history(&self, event_id: &str, limit: usize) -> Result<Vec<ChangeEntry>> {
        self.read(|conn| recent_history(conn, event_id, limit))
    }

    /// Records that something left the library (see [`record_output`]).
    pub fn record_output(&self, event_id: &str, action: Output, what: &str) -> Result<()> {
        self.write(|tx| record_output(tx, event_id, action, what))
    }

    /// What [`Store::undo_last`] would take back, if anything.
    pub fn next_undo(&self, event_id: Option<&str>) -> Result<Option<UndoStep>> {
        self.read(|conn| next_undo(conn, event_id))
    }

    /// Takes back the most recent change of an event (`None`: of the whole library) that is
    /// not undone yet: one entry, or the whole batch it belongs to. `Ok(None)` when there is
    /// nothing left to undo. Calling it again undoes the step before, and so on.
    pub fn undo_last(&self, event_id: Option<&str>) -> Result<Option<UndoReport>> {
        self.undo_with(|conn| {
            Ok(next_undo(conn, event_id)?.map(|step| (step.batch_id, step.entries)))
        })
    }

    /// Takes back a whole batch (an import, a bulk roster change, a cascaded delete), even if
    /// it is not the latest step, as long as nothing it wrote was changed since.
    pub fn undo_batch(&self, batch_id: &str) -> Result<UndoReport> {
        self.undo_with(|conn| {
            let entries = step_entries(conn, "", Some(batch_id))?;
            Ok((!entries.is_empty()).then(|| (Some(batch_id.to_string()), entries)))
        })?
        .ok_or(Error::NotFound {
            entity: "change to undo",
        })
    }

    fn undo_with(
        &self,
        pick: impl FnOnce(&Connection) -> Result<Option<(Option<String>, Vec<ChangeEntry>)>>,
    ) -> Result<Option<UndoReport>> {
        let mut conn = self.lock();
        let tx = crate::store::begin_write(&mut conn)?;
        let Some((batch_id, entries)) = pick(&tx)? else {
            return Ok(None);
        };
        // Rows come back in the reverse order of the log, which can put a delegation back
        // before its head official; the keys are checked once everything is in place.
        tx.pragma_update(None, "defer_foreign_keys", true)?;
        let undo_batch_id = revert(&tx, &entries)?;
        match tx.commit() {
            Ok(()) => {}
            Err(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                return Err(Error::CannotUndo(
                    "This change cannot be undone: records it belonged to have been deleted since."
                        .into(),
                ));
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
}
