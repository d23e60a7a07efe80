//! The change log read back: an event's recent changes and outputs for the officer, each
//! entry with a label and a sentence, and the record of what left the library (prints, PDFs,
//! exports).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;
use serde_json::Value;

use crate::error::Result;
use crate::model::*;

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
    /// Letters or certificates written (`what`: how many, of which kind, in which format).
    Letter,
    Form,
    /// An event's personal data purged (`what`: what went, in counts).
    Purge,
}

impl Output {
    pub fn as_str(self) -> &'static str {
        match self {
            Output::Print => "print",
            Output::Pdf => "pdf",
            Output::Export => "export",
            Output::Itinerary => "itinerary",
            Output::Letter => "letter",
            Output::Form => "form",
            Output::Purge => "purge",
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
            super::settings::OFFICER_NAME,
            super::log::actor(),
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

fn json_column(row: &Row<'_>, name: &str) -> rusqlite::Result<Option<Value>> {
    let text: Option<String> = row.get(name)?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

pub(super) const COLUMNS: &str =
    "id, seq, at, actor, entity, entity_id, action, batch_id, event_id, before, \
                       after, undone_at, undo_of";

pub(super) fn entry_from_row(conn: &Connection, row: &Row<'_>) -> rusqlite::Result<ChangeEntry> {
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

pub(super) fn noun(entity: &str) -> &str {
    match entity {
        "room_block" => "room block",
        "venue_room" => "venue room",
        "travel" => "travel leg",
        "participant" => "roster entry",
        "transfer_run" => "transfer run",
        "run_passenger" => "passenger",
        "event_entry" => "event check-in",
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
pub(super) fn summarize_step(entries: &[ChangeEntry]) -> String {
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
