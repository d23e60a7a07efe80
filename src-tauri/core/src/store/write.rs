//! Writes: validated inserts and updates (a save over a version changed since is refused),
//! deletes with what they take along, raw write-backs for undo, and the write transaction that
//! refuses a schema this build does not know. Every write logs its change in the same
//! transaction.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};

use crate::error::{Error, Result};
use crate::fields::Checker;
use crate::words::Text;

use super::entity::Entity;
use super::file::SCHEMA_VERSION;
use super::log::{cascade_of, event_of, log_change, log_change_at, new_id, sql_time, Change};
use crate::model::*;

/// Validates and writes a record: creates it when its id is empty, else updates it.
pub fn save<R: Entity>(tx: &Transaction<'_>, record: R, batch: Option<&str>) -> Result<R> {
    let saved = if record.id().is_empty() {
        let mut record = record;
        record.set_meta(new_id(), Utc::now(), Utc::now());
        insert(tx, record, batch)?
    } else {
        update(tx, record, batch)?
    };
    let step = saved.in_step(tx)?;
    if step.officials.is_empty() && step.delegations.is_empty() {
        return Ok(saved);
    }
    let batch = match batch {
        Some(batch) => batch.to_string(),
        None => join_batch(tx, R::TABLE, saved.id())?,
    };
    for official in step.officials {
        save(tx, official, Some(&batch))?;
    }
    for delegation in step.delegations {
        save(tx, delegation, Some(&batch))?;
    }
    Ok(saved)
}

/// A batch for a save that had none and writes other records in step: the save's own log
/// entry (written without one) joins it, so that one undo takes all of it back, and a save
/// that keeps nothing else in step stays a single change.
fn join_batch(tx: &Transaction<'_>, table: &str, record: &str) -> Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    tx.execute(
        "UPDATE change_log SET batch_id = ?1 WHERE seq = (SELECT max(seq) FROM change_log
         WHERE entity = ?2 AND entity_id = ?3)",
        rusqlite::params![id, table, record],
    )?;
    Ok(id)
}

/// Validates and inserts a record under the id it already carries (demo data, imports).
pub fn insert<R: Entity>(tx: &Transaction<'_>, mut record: R, batch: Option<&str>) -> Result<R> {
    let mut checker = Checker::default();
    record.check_fields(&mut checker);
    record.validate(tx, &mut checker)?;
    checker.finish()?;
    write_new(tx, record, batch)
}

/// Inserts a new record (under a fresh id) whose rules the caller ran in this same
/// transaction, against what it had loaded: an import checks every row while building it,
/// and looking each link up once more per row was a seventh of a 10,000-row import. The
/// field checks (lengths, control characters) still run, as they read nothing.
pub(crate) fn insert_checked<R: Entity>(
    tx: &Transaction<'_>,
    mut record: R,
    batch: Option<&str>,
) -> Result<R> {
    let mut checker = Checker::default();
    record.check_fields(&mut checker);
    checker.finish()?;
    record.set_meta(new_id(), Utc::now(), Utc::now());
    write_new(tx, record, batch)
}

/// Writes a checked new record and its change-log entry.
fn write_new<R: Entity>(tx: &Transaction<'_>, mut record: R, batch: Option<&str>) -> Result<R> {
    let now = Utc::now();
    record.set_meta(record.id().to_string(), now, now);
    let derived = record.derived_on_insert(tx)?;
    let mut columns = R::COLUMNS.join(", ");
    for (column, _) in &derived {
        columns.push_str(", ");
        columns.push_str(column);
    }
    let marks = vec!["?"; R::COLUMNS.len() + derived.len() + 3].join(", ");
    let sql = format!(
        "INSERT INTO {} (id, {columns}, created_at, updated_at) VALUES ({marks})",
        R::TABLE
    );
    let id = record.id().to_string();
    let mut params: Vec<&dyn rusqlite::ToSql> = vec![&id];
    params.extend(record.params());
    params.extend(derived.iter().map(|(_, v)| v as &dyn rusqlite::ToSql));
    let stamp = sql_time(now);
    params.push(&stamp);
    params.push(&stamp);
    tx.prepare_cached(&sql)?.execute(params.as_slice())?;
    // A new row has nothing derived from it yet (no official of a new delegation, no flight
    // of a new official), so `after_write` has nothing to do here.
    let after = serde_json::to_string(&record)?;
    // A record whose event comes with its derived columns (a flight, a stay) is logged under
    // that event without looking its official up a second time.
    let event = match derived.iter().find(|(column, _)| *column == "event_id") {
        Some((_, event)) => Some(event.clone()),
        None => record.log_event(tx)?,
    };
    log_change_at(
        tx,
        Change {
            entity: R::TABLE,
            entity_id: &id,
            action: "create",
            before: None,
            after: Some(&after),
            batch,
            event_id: event.as_deref(),
            undo_of: None,
        },
        &stamp,
    )?;
    Ok(record)
}

fn update<R: Entity>(tx: &Transaction<'_>, mut record: R, batch: Option<&str>) -> Result<R> {
    let before = R::get(tx, record.id())?;
    // A record that says which version it was edited from (the window's forms do) is saved
    // only over that version: a form open for minutes must not overwrite what `ddesk import`
    // or another window wrote meanwhile (issue 15). The check runs inside the write
    // transaction, so nothing can slip in between.
    if record.updated_at() != DateTime::<Utc>::default()
        && record.updated_at() != before.updated_at()
    {
        return Err(changed_since(tx, &before));
    }
    let mut checker = Checker::default();
    record.check_fields(&mut checker);
    record.validate(tx, &mut checker)?;
    checker.finish()?;
    let now = Utc::now();
    record.set_meta(record.id().to_string(), before.created_at(), now);
    let sets: Vec<String> = R::COLUMNS.iter().map(|c| format!("{c} = ?")).collect();
    let sql = format!(
        "UPDATE {} SET {}, updated_at = ? WHERE id = ?",
        R::TABLE,
        sets.join(", ")
    );
    let id = record.id().to_string();
    let mut params = record.params();
    params.push(&now);
    params.push(&id);
    tx.prepare_cached(&sql)?.execute(params.as_slice())?;
    record.after_write(tx)?;
    let before = serde_json::to_string(&before)?;
    let after = serde_json::to_string(&record)?;
    let event = record.log_event(tx)?;
    log_change(
        tx,
        Change {
            entity: R::TABLE,
            entity_id: &id,
            action: "update",
            before: Some(&before),
            after: Some(&after),
            batch,
            event_id: event.as_deref(),
            undo_of: None,
        },
    )?;
    Ok(record)
}

/// Begins a write transaction, refusing to write into a schema this build does not know: a
/// newer `ddesk` may have migrated the library under a running older app (issue 15). The
/// version is read inside the transaction, which holds the write lock, so no migration can
/// come between the check and the writes.
///
/// It takes the connection shared, so that the session extension's recorder of team changes
/// (`sync::Recorder`), which holds the connection too, can watch the transaction.
pub(crate) fn begin_write(conn: &Connection) -> Result<Transaction<'_>> {
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version != SCHEMA_VERSION {
        return Err(Error::SchemaChanged(
            Text::new("error-schema_changed-version").with("version", version),
        ));
    }
    Ok(tx)
}

/// The refusal of a save over a version that is no longer the stored one: who changed it and
/// when, from the change log, and the stored record for the form to reload.
fn changed_since<R: Entity>(conn: &Connection, stored: &R) -> Error {
    let by: Option<(String, DateTime<Utc>)> = conn
        .prepare_cached(
            "SELECT actor, at FROM change_log WHERE entity = ? AND entity_id = ? ORDER BY seq DESC LIMIT 1",
        )
        .and_then(|mut s| {
            s.query_row([R::TABLE, stored.id()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .ok()
        .flatten();
    let text = match &by {
        Some((actor, at)) => Text::new("error-changed_since-by")
            .with("actor", actor)
            .with("at", at.format("%Y-%m-%d %H:%M").to_string()),
        None => Text::new("error-changed_since-record"),
    };
    Error::Changed {
        text: text.with("noun", R::NOUN),
        current: serde_json::to_value(stored).unwrap_or_default(),
    }
}

/// A change received from the team, for the change log: under its author and laptop.
pub(crate) struct ReceivedChange<'a> {
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub action: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
    pub batch: &'a str,
    pub event_id: &'a str,
    pub actor: &'a str,
}

pub(crate) fn log_received_change(conn: &Connection, c: ReceivedChange<'_>) -> Result<()> {
    let now = super::log::sql_time(Utc::now());
    conn.prepare_cached(
        "INSERT INTO change_log (id, at, actor, entity, entity_id, action, before, after, batch_id,
                                 event_id, seq, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
                 (SELECT coalesce(max(seq), 0) + 1 FROM change_log), ?2, ?2)",
    )?
    .execute(rusqlite::params![
        new_id(),
        now,
        c.actor,
        c.entity,
        c.entity_id,
        c.action,
        c.before,
        c.after,
        c.batch,
        c.event_id,
    ])?;
    Ok(())
}

/// Puts a record back from its change-log image (a conflict reversed): inserted as it was,
/// logged as created, in `batch`.
pub(crate) fn put_back(
    tx: &Transaction<'_>,
    table: &str,
    image: &serde_json::Value,
    batch: &str,
    event: &str,
) -> Result<()> {
    with_record_type!(table, R => {
        let record: R = serde_json::from_value(image.clone())?;
        let id = record.id().to_string();
        put_raw(tx, record, true)?;
        let after = image.to_string();
        log_change(
            tx,
            Change {
                entity: R::TABLE,
                entity_id: &id,
                action: "create",
                before: None,
                after: Some(&after),
                batch: Some(batch),
                event_id: Some(event),
                undo_of: None,
            },
        )
    })
}

/// Writes a record exactly as given, timestamps included, without validation or logging (undo
/// restoring a before-image): inserts it, or updates the row with its id. Keeping `updated_at`
/// makes the row equal to the older log entry's image again, so the step before can be undone
/// in turn; when the undo happened is in the change log.
pub(crate) fn put_raw<R: Entity>(tx: &Transaction<'_>, record: R, insert: bool) -> Result<R> {
    let id = record.id().to_string();
    let created = record.created_at();
    let updated = record.updated_at();
    let mut params = record.params();
    params.push(&created);
    params.push(&updated);
    let sql = if insert {
        let columns = R::COLUMNS.join(", ");
        let marks = vec!["?"; R::COLUMNS.len() + 3].join(", ");
        params.insert(0, &id);
        format!(
            "INSERT INTO {} (id, {columns}, created_at, updated_at) VALUES ({marks})",
            R::TABLE
        )
    } else {
        let sets: Vec<String> = R::COLUMNS.iter().map(|c| format!("{c} = ?")).collect();
        params.push(&id);
        format!(
            "UPDATE {} SET {}, created_at = ?, updated_at = ? WHERE id = ?",
            R::TABLE,
            sets.join(", ")
        )
    };
    tx.prepare_cached(&sql)?.execute(params.as_slice())?;
    record.after_write(tx)?;
    Ok(record)
}

/// Deletes a record; with dependents and no `cascade`, refuses with a conflict.
pub fn delete<R: Entity>(tx: &Transaction<'_>, id: &str, cascade: bool) -> Result<()> {
    delete_in_batch::<R>(tx, id, cascade, None).map(|_| ())
}

/// Deletes a record under a batch id and returns how many rows went (itself included).
///
/// Every row the delete takes along through the schema's cascades, and every link it clears,
/// is written to the change log too, so that undo can put all of it back. A delete that takes
/// others along is one undo step: without a `batch` of the caller's it gets one of its own.
pub fn delete_in_batch<R: Entity>(
    tx: &Transaction<'_>,
    id: &str,
    cascade: bool,
    batch: Option<&str>,
) -> Result<usize> {
    let before = R::get(tx, id)?;
    if !cascade {
        if let Some((count, text)) = R::dependents(tx, id)? {
            return Err(Error::Conflict { text, count });
        }
    }
    let effects = cascade_of(tx, R::TABLE, id)?;
    let event = event_of(tx, R::TABLE, &serde_json::to_value(&before)?)?;
    let own_batch;
    let batch = match batch {
        Some(batch) => Some(batch),
        None if effects.deleted.len() + effects.nulled.len() > 1 => {
            own_batch = uuid::Uuid::new_v4().to_string();
            Some(own_batch.as_str())
        }
        None => None,
    };
    tx.execute(&format!("DELETE FROM {} WHERE id = ?", R::TABLE), [id])?;
    // Cleared links first and the record itself last, so that undo, which replays the log
    // backwards, puts parents back before children and links after both.
    for (table, row, before, after) in &effects.nulled {
        let (before, after) = (before.to_string(), after.to_string());
        log_change(
            tx,
            Change {
                entity: table,
                entity_id: row,
                action: "update",
                before: Some(&before),
                after: Some(&after),
                batch,
                event_id: event.as_deref(),
                undo_of: None,
            },
        )?;
    }
    for (table, row, before) in &effects.deleted {
        let before = before.to_string();
        log_change(
            tx,
            Change {
                entity: table,
                entity_id: row,
                action: "delete",
                before: Some(&before),
                after: None,
                batch,
                event_id: event.as_deref(),
                undo_of: None,
            },
        )?;
    }
    // An official deleted takes their personal data out of the change log too (issue 17), so
    // the log does not keep for ever what the library no longer holds.
    let gone = |table: &str| -> Vec<&str> {
        effects
            .deleted
            .iter()
            .filter(|(t, _, _)| *t == table)
            .map(|(_, id, _)| id.as_str())
            .collect()
    };
    super::purge::scrub_images(tx, event.as_deref(), &gone("official"), &gone("travel"))?;
    Ok(effects.deleted.len())
}
