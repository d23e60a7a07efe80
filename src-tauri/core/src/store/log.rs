//! The change log written: one entry per row a write touches (before and after images, the
//! event, the batch), and the cascades a delete sets off, found from the schema's foreign keys
//! so that undo can put back everything a delete took along.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction};

use crate::error::Result;
use crate::model::*;

use super::settings::OFFICER_NAME;

/// Tables of history that is not itself edited or undone (badge prints, and team sync's own
/// record of an event's changes and conflicts): a delete removes their rows through the
/// schema's cascade without logging them.
const UNLOGGED_TABLES: &[&str] = &[
    "badge_print",
    "output_log",
    "sync_event",
    "sync_change",
    "sync_conflict",
    "letter_register",
];

/// The user name written into the change log when the library names no officer.
pub(crate) fn actor() -> &'static str {
    // Read once: an import writes tens of thousands of entries.
    static ACTOR: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ACTOR.get_or_init(|| {
        std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "unknown".into())
    })
}

/// One entry of the change log, as the write functions and undo describe it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Change<'a> {
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub action: &'a str,
    /// The record's JSON before and after the change.
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
    pub batch: Option<&'a str>,
    pub event_id: Option<&'a str>,
    /// For the entries an undo writes: the entry it reverts.
    pub undo_of: Option<&'a str>,
}

/// A time as rusqlite writes a `DateTime<Utc>` (`%F %T%.f%:z`), written without chrono's
/// format-string machinery, which took a twentieth of an import's time.
pub(crate) fn sql_time(t: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let nanos = t.nanosecond();
    // `%.f`: nothing for whole seconds, else 3, 6 or 9 digits, as few as show the value.
    let fraction = if nanos == 0 {
        String::new()
    } else if nanos.is_multiple_of(1_000_000) {
        format!(".{:03}", nanos / 1_000_000)
    } else if nanos.is_multiple_of(1_000) {
        format!(".{:06}", nanos / 1_000)
    } else {
        format!(".{nanos:09}")
    };
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}{fraction}+00:00",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

pub(crate) fn log_change(tx: &Transaction<'_>, change: Change<'_>) -> Result<()> {
    log_change_at(tx, change, &sql_time(Utc::now()))
}

/// `log_change` at a time the caller has formatted already (the row it logs carries the same
/// stamp); an import formats one per record instead of two.
pub(super) fn log_change_at(tx: &Transaction<'_>, change: Change<'_>, now: &str) -> Result<()> {
    // `seq` orders the log; max() over its unique index is one index lookup.
    tx.prepare_cached(
        "INSERT INTO change_log (id, at, actor, entity, entity_id, action, before, after, batch_id,
                                 event_id, undo_of, seq, created_at, updated_at)
         VALUES (?1, ?2,
                 coalesce((SELECT value FROM setting WHERE key = ?12), ?3),
                 ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,
                 (SELECT coalesce(max(seq), 0) + 1 FROM change_log), ?2, ?2)",
    )?
    .execute(rusqlite::params![
        new_id(),
        now,
        actor(),
        change.entity,
        change.entity_id,
        change.action,
        change.before,
        change.after,
        change.batch,
        change.event_id,
        change.undo_of,
        OFFICER_NAME,
    ])?;
    Ok(())
}

/// A stored row as the change log keeps it (the record's JSON), read by table name.
pub(crate) fn read_json(
    conn: &Connection,
    table: &str,
    id: &str,
) -> Result<Option<serde_json::Value>> {
    with_record_type!(table, R => {
        match R::find(conn, id)? {
            Some(record) => Ok(Some(serde_json::to_value(record)?)),
            None => Ok(None),
        }
    })
}

/// The event a record belongs to, from its logged JSON: directly, or through its parent.
pub(crate) fn event_of(
    conn: &Connection,
    table: &str,
    record: &serde_json::Value,
) -> Result<Option<String>> {
    let field = |name: &str| {
        record
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let via = |sql: &str, key: &str| -> Result<Option<String>> {
        match field(key) {
            Some(id) => Ok(conn
                .prepare_cached(sql)?
                .query_row([id], |r| r.get(0))
                .optional()?),
            None => Ok(None),
        }
    };
    match table {
        "event" => Ok(field("id")),
        "travel" | "stay" => via("SELECT event_id FROM official WHERE id = ?", "official_id"),
        "room_block" => via("SELECT event_id FROM hotel WHERE id = ?", "hotel_id"),
        "venue_room" => via("SELECT event_id FROM venue WHERE id = ?", "venue_id"),
        "participant" => via("SELECT event_id FROM session WHERE id = ?", "session_id"),
        "run_passenger" => via("SELECT event_id FROM transfer_run WHERE id = ?", "run_id"),
        _ => Ok(field("event_id")),
    }
}

/// One foreign key of the schema: `child.column` points at `parent.id`.
#[derive(Debug)]
struct ForeignKey {
    child: String,
    column: String,
    parent: String,
    cascade: bool,
}

fn foreign_keys(conn: &Connection) -> Result<Vec<ForeignKey>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.name, f.\"from\", f.\"table\", f.on_delete
           FROM sqlite_master m, pragma_foreign_key_list(m.name) f
          WHERE m.type = 'table'",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ForeignKey {
            child: r.get(0)?,
            column: r.get(1)?,
            parent: r.get(2)?,
            cascade: r.get::<_, String>(3)? == "CASCADE",
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A row as the change log keeps it: table, id and the record's JSON.
pub(crate) type LoggedRow = (String, String, serde_json::Value);

/// Everything deleting one row takes with it, found by following the schema's foreign keys the
/// way SQLite will: rows deleted by `ON DELETE CASCADE` (children before their parents, the row
/// itself last) and rows whose link is cleared by `ON DELETE SET NULL` (before and after).
#[derive(Debug, Default)]
pub(crate) struct Cascade {
    pub deleted: Vec<LoggedRow>,
    pub nulled: Vec<(String, String, serde_json::Value, serde_json::Value)>,
}

pub(crate) fn cascade_of(conn: &Connection, table: &str, id: &str) -> Result<Cascade> {
    fn visit(
        conn: &Connection,
        keys: &[ForeignKey],
        table: &str,
        id: &str,
        seen: &mut std::collections::HashSet<(String, String)>,
        out: &mut Vec<LoggedRow>,
    ) -> Result<()> {
        if !seen.insert((table.to_string(), id.to_string())) {
            return Ok(());
        }
        for key in keys
            .iter()
            .filter(|k| k.cascade && k.parent == table)
            .filter(|k| !UNLOGGED_TABLES.contains(&k.child.as_str()))
        {
            let sql = format!("SELECT id FROM {} WHERE {} = ?", key.child, key.column);
            let children: Vec<String> = conn
                .prepare_cached(&sql)?
                .query_map([id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for child in children {
                visit(conn, keys, &key.child, &child, seen, out)?;
            }
        }
        if let Some(json) = read_json(conn, table, id)? {
            out.push((table.to_string(), id.to_string(), json));
        }
        Ok(())
    }
    let keys = foreign_keys(conn)?;
    let mut seen = std::collections::HashSet::new();
    let mut deleted = Vec::new();
    visit(conn, &keys, table, id, &mut seen, &mut deleted)?;
    // Rows that stay but lose a link; one row may lose several.
    let mut nulled: Vec<(String, String, serde_json::Value, serde_json::Value)> = Vec::new();
    for (parent, parent_id, _) in &deleted {
        for key in keys.iter().filter(|k| !k.cascade && &k.parent == parent) {
            let sql = format!("SELECT id FROM {} WHERE {} = ?", key.child, key.column);
            let rows: Vec<String> = conn
                .prepare_cached(&sql)?
                .query_map([parent_id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for row in rows {
                if seen.contains(&(key.child.clone(), row.clone())) {
                    continue;
                }
                if let Some(entry) = nulled
                    .iter_mut()
                    .find(|(t, i, _, _)| *t == key.child && *i == row)
                {
                    entry.3[key.column.as_str()] = serde_json::Value::Null;
                } else if let Some(before) = read_json(conn, &key.child, &row)? {
                    let mut after = before.clone();
                    after[key.column.as_str()] = serde_json::Value::Null;
                    nulled.push((key.child.clone(), row, before, after));
                }
            }
        }
    }
    Ok(Cascade { deleted, nulled })
}

/// The id of a new record or change-log entry. Time-ordered (v7: a millisecond clock, then
/// 74 random bits, so two laptops still never collide), so new rows go into the primary-key
/// and link indexes at their ends: random v4 ids made an import of thousands of rows split
/// pages all over every index.
pub(super) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rusqlite::types::{ToSql, ToSqlOutput, Value};

    /// `sql_time` must write exactly what rusqlite writes, or stored times would sort and
    /// compare differently depending on which path wrote them.
    #[test]
    fn sql_time_matches_rusqlite() {
        let base = Utc
            .with_ymd_and_hms(2024, 9, 5, 7, 3, 9)
            .single()
            .expect("time");
        for nanos in [
            0,
            120_000_000,
            5_000_000,
            123_456_000,
            1_000,
            123_456_789,
            7,
        ] {
            let t = base + chrono::Duration::nanoseconds(nanos);
            let theirs = match t.to_sql().expect("to_sql") {
                ToSqlOutput::Owned(Value::Text(s)) => s,
                other => panic!("unexpected {other:?}"),
            };
            assert_eq!(sql_time(t), theirs, "{nanos} ns");
        }
        let now = Utc::now();
        let theirs = match now.to_sql().expect("to_sql") {
            ToSqlOutput::Owned(Value::Text(s)) => s,
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(sql_time(now), theirs);
    }
}
