//! An event's personal data purged once its purpose is met (PIPA Art. 21): passport numbers
//! and expiry, birth dates, contacts, diets, accessibility needs, notes and flights go; names,
//! position, organization, country, category, status and attendance stay for the report and
//! the statistics.
//!
//! It reaches everywhere the data lies: the officials' rows and their search text, the change
//! log's before and after images of the event (rewritten alike, so that an undo finds the
//! rows as its images say and can bring nothing back; the flights' entries go with the
//! flights), SQLite's free pages (`secure_delete`, then `VACUUM`, then the write-ahead log
//! truncated), and every backup in the backups folder that holds the event (purged the same
//! way; one that cannot be opened is removed). The purge itself is recorded: who, when, and
//! what went, in counts.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::backup;
use super::file;
use super::key::Key;
use crate::error::{Error, Result};

/// The official's personal fields a purge empties, with the value each is left at.
const FIELDS: &[(&str, &str)] = &[
    ("passport_number", "''"),
    ("passport_expiry", "NULL"),
    ("birth_date", "NULL"),
    ("email", "''"),
    ("phone", "''"),
    ("dietary", "''"),
    ("accessibility", "''"),
    ("notes", "''"),
];

/// The flight's details a deleted flight's images lose (the direction, airport and time stay,
/// which say nothing of the person).
const FLIGHT_FIELDS: &[&str] = &["flight", "origin", "greeter", "notes"];

/// The JSON paths and values that empty `FIELDS` in an image.
fn official_paths() -> String {
    FIELDS
        .iter()
        .map(|(f, v)| {
            let value = if *v == "NULL" { "json('null')" } else { "''" };
            format!("'$.{f}', {value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// SQL: whether official `o` (an alias with its dot, or "") holds `field`, emptied to `empty`.
fn holds(o: &str, field: &str, empty: &str) -> String {
    if empty == "NULL" {
        format!("{o}{field} IS NOT NULL")
    } else {
        format!("{o}{field} <> ''")
    }
}

/// SQL: whether event `e` still holds personal data a purge would remove.
pub(crate) fn holds_personal_data_sql() -> String {
    let any: Vec<String> = FIELDS.iter().map(|(f, v)| holds("o.", f, v)).collect();
    format!(
        "(EXISTS (SELECT 1 FROM official o WHERE o.event_id = e.id AND ({}))
          OR EXISTS (SELECT 1 FROM travel t WHERE t.event_id = e.id))",
        any.join(" OR ")
    )
}

/// Empties `paths` (JSON paths and values) in the before and after images of the event's
/// change log entries of `entity`: all of them, or those of the records in `ids` (a JSON
/// array). Through the event's entries (an index), not the whole log.
fn blank_images(
    conn: &Connection,
    event_id: Option<&str>,
    entity: &str,
    paths: &str,
    ids: Option<&str>,
) -> Result<()> {
    conn.execute(
        &format!(
            "UPDATE change_log
                SET before = CASE WHEN before IS NULL THEN NULL ELSE json_set(before, {paths}) END,
                    after = CASE WHEN after IS NULL THEN NULL ELSE json_set(after, {paths}) END
              WHERE event_id IS ?1 AND entity = ?2
                AND (?3 IS NULL OR entity_id IN (SELECT value FROM json_each(?3)))"
        ),
        rusqlite::params![event_id, entity, ids],
    )?;
    Ok(())
}

/// Empties the personal fields of deleted officials and flights in the change log's images.
pub(super) fn scrub_images(
    conn: &Connection,
    event_id: Option<&str>,
    officials: &[&str],
    flights: &[&str],
) -> Result<()> {
    let flight_paths = FLIGHT_FIELDS
        .iter()
        .map(|f| format!("'$.{f}', ''"))
        .collect::<Vec<_>>()
        .join(", ");
    for (entity, ids, paths) in [
        ("official", officials, official_paths()),
        ("travel", flights, flight_paths),
    ] {
        if ids.is_empty() {
            continue;
        }
        let ids = serde_json::to_string(ids).map_err(|e| Error::Internal(e.into()))?;
        blank_images(conn, event_id, entity, &paths, Some(&ids))?;
    }
    Ok(())
}

/// What a purge removes (or removed): per field, how many officials hold a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurgePlan {
    pub fields: Vec<(String, i64)>,
    /// Flights (arrivals and departures) of the event's officials.
    pub flights: i64,
    /// Change log entries whose images are rewritten or, for flights, removed.
    pub log_entries: i64,
}

impl PurgePlan {
    /// Whether the event holds any personal data a purge would remove.
    pub fn is_empty(&self) -> bool {
        self.flights == 0 && self.fields.iter().all(|(_, n)| *n == 0)
    }

    /// "passport_number 24, birth_date 20, …, flights 38": what went, in counts only.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = self
            .fields
            .iter()
            .map(|(field, n)| format!("{field} {n}"))
            .collect();
        parts.push(format!("flights {}", self.flights));
        parts.join(", ")
    }
}

/// What the purge did besides the library itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    pub plan: PurgePlan,
    /// Backups that held the event and were purged the same way.
    pub backups_purged: usize,
    /// Backups that could not be opened and were removed.
    pub backups_removed: usize,
}

/// What a purge of `event_id` would remove. Reads only.
pub fn plan(conn: &Connection, event_id: &str) -> Result<PurgePlan> {
    // Every field counted in one pass over the event's officials (the dashboard asks after
    // every save).
    let sums: Vec<String> = FIELDS
        .iter()
        .map(|(f, v)| format!("coalesce(sum({}), 0)", holds("", f, v)))
        .collect();
    let fields = conn.query_row(
        &format!(
            "SELECT {} FROM official WHERE event_id = ?1",
            sums.join(", ")
        ),
        [event_id],
        |r| {
            FIELDS
                .iter()
                .enumerate()
                .map(|(i, (f, _))| Ok((f.to_string(), r.get::<_, i64>(i)?)))
                .collect::<rusqlite::Result<Vec<_>>>()
        },
    )?;
    let flights = conn.query_row(
        "SELECT count(*) FROM travel
          WHERE official_id IN (SELECT id FROM official WHERE event_id = ?1)",
        [event_id],
        |r| r.get(0),
    )?;
    let log_entries = conn.query_row(
        "SELECT count(*) FROM change_log WHERE event_id = ?1 AND entity IN ('official', 'travel')",
        [event_id],
        |r| r.get(0),
    )?;
    Ok(PurgePlan {
        fields,
        flights,
        log_entries,
    })
}

/// Where an event stands with its personal data: what a purge would remove, when it was
/// purged, and when the dashboard reminds the officer to purge it (`reminder_days` after the
/// event's end; `due` from that day on, while it holds any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurgeStatus {
    pub plan: PurgePlan,
    pub holds_personal_data: bool,
    pub purged_at: Option<String>,
    pub reminder_days: i64,
    pub remind_on: chrono::NaiveDate,
    pub due: bool,
}

pub fn status(conn: &Connection, event_id: &str, today: chrono::NaiveDate) -> Result<PurgeStatus> {
    let (end, days, purged_at): (chrono::NaiveDate, i64, Option<String>) = conn
        .query_row(
            "SELECT end_date, purge_reminder_days, purged_at FROM event WHERE id = ?1",
            [event_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or(Error::NotFound { entity: "event" })?;
    let plan = plan(conn, event_id)?;
    let holds = !plan.is_empty();
    let remind_on = end + chrono::Duration::days(days);
    Ok(PurgeStatus {
        holds_personal_data: holds,
        due: holds && today >= remind_on,
        plan,
        purged_at,
        reminder_days: days,
        remind_on,
    })
}

/// Sets how many days after the event's end the dashboard reminds the officer to purge.
pub fn set_reminder(conn: &Connection, event_id: &str, days: i64) -> Result<()> {
    if !(0..=3650).contains(&days) {
        return Err(Error::field(
            "purge_reminder_days",
            "out_of_range",
            crate::words::Text::new("error-purge_reminder_days"),
        ));
    }
    let n = conn.execute(
        "UPDATE event SET purge_reminder_days = ?2 WHERE id = ?1",
        rusqlite::params![event_id, days],
    )?;
    if n == 0 {
        return Err(Error::NotFound { entity: "event" });
    }
    Ok(())
}

/// When the event's personal data was purged, if it was.
pub fn purged_at(conn: &Connection, event_id: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT purged_at FROM event WHERE id = ?1",
            [event_id],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten())
}

/// Purges `event_id` on `conn` (the library, or one of its backups), in one transaction. The
/// library records the purge; a backup (perhaps of an older schema) is only purged.
fn purge_on(conn: &mut Connection, event_id: &str, record: bool) -> Result<PurgePlan> {
    let tx = conn.transaction()?;
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM event WHERE id = ?1)",
        [event_id],
        |r| r.get(0),
    )?;
    if !exists {
        return Err(Error::NotFound { entity: "event" });
    }
    let planned = plan(&tx, event_id)?;
    let sets: Vec<String> = FIELDS.iter().map(|(f, v)| format!("{f} = {v}")).collect();
    tx.execute(
        &format!(
            "UPDATE official SET {} WHERE event_id = ?1",
            sets.join(", ")
        ),
        [event_id],
    )?;
    tx.execute(
        "DELETE FROM travel WHERE official_id IN (SELECT id FROM official WHERE event_id = ?1)",
        [event_id],
    )?;
    // The images say what the rows now hold; JSON nulls for the dates, empty text otherwise.
    blank_images(&tx, Some(event_id), "official", &official_paths(), None)?;
    tx.execute(
        "DELETE FROM change_log WHERE event_id = ?1 AND entity = 'travel'",
        [event_id],
    )?;
    // The rides say who flew when, and the drivers' names and phones are personal data too:
    // the runs go, the vehicles stay without their drivers (a backup of before schema 13
    // has none of these).
    let transport: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'transfer_run')",
        [],
        |r| r.get(0),
    )?;
    if transport {
        tx.execute("DELETE FROM transfer_run WHERE event_id = ?1", [event_id])?;
        tx.execute(
            "UPDATE vehicle SET driver_name = '', driver_phone = '' WHERE event_id = ?1",
            [event_id],
        )?;
        tx.execute(
            "DELETE FROM change_log WHERE event_id = ?1
                AND entity IN ('transfer_run', 'run_passenger', 'vehicle')",
            [event_id],
        )?;
    }
    // A shared event's changes and conflicts hold its personal data too: here, the event
    // leaves its team (the other laptops purge their own copies).
    let synced: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'sync_change')",
        [],
        |r| r.get(0),
    )?;
    if synced {
        for table in ["sync_change", "sync_conflict", "sync_event"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE event_id = ?1"),
                [event_id],
            )?;
        }
    }
    super::entity::refresh_event_search(&tx, event_id)?;
    if record {
        tx.execute(
            "UPDATE event SET purged_at = ?2 WHERE id = ?1",
            rusqlite::params![event_id, chrono::Utc::now()],
        )?;
        super::history::record_output(
            &tx,
            event_id,
            super::history::Output::Purge,
            &planned.summary(),
        )?;
    }
    tx.commit()?;
    Ok(planned)
}

/// Leaves no trace of deleted content in the file: free pages zeroed, the file rebuilt, and the
/// write-ahead log (which still holds the old pages) emptied.
fn scrub(conn: &Connection) -> Result<()> {
    conn.execute_batch("VACUUM")?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// Purges the event in the library behind `conn` (the store's own connection) and in its
/// backups.
pub(super) fn purge(
    conn: &mut Connection,
    library: Option<&Path>,
    key: &Key,
    event_id: &str,
) -> Result<PurgeReport> {
    conn.pragma_update(None, "secure_delete", "ON")?;
    let purged = purge_on(conn, event_id, true);
    let scrubbed = purged.as_ref().map_or(Ok(()), |_| scrub(conn));
    conn.pragma_update(None, "secure_delete", "OFF")?;
    let plan = purged?;
    scrubbed?;
    let mut report = PurgeReport {
        plan,
        backups_purged: 0,
        backups_removed: 0,
    };
    let Some(library) = library else {
        return Ok(report);
    };
    for info in backup::list_backups(library)? {
        let outcome = (|| -> Result<bool> {
            let mut copy = file::connect_rw(&info.path, key)?;
            copy.pragma_update(None, "secure_delete", "ON")?;
            match purge_on(&mut copy, event_id, false) {
                Ok(_) => {}
                // A backup from before the event was made: nothing of it there.
                Err(Error::NotFound { .. }) => return Ok(false),
                Err(e) => return Err(e),
            }
            copy.execute_batch("VACUUM")?;
            Ok(true)
        })();
        match outcome {
            Ok(true) => report.backups_purged += 1,
            Ok(false) => {}
            Err(_) => {
                std::fs::remove_file(&info.path)?;
                report.backups_removed += 1;
            }
        }
    }
    Ok(report)
}
