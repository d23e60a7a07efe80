//! Received changes merged by written rules, the same on every laptop whatever the order the
//! bundles arrive in, so that every laptop ends with the same event:
//!
//! 1. **A field** holds the value of its latest write by the hybrid logical clock (ties broken
//!    by laptop id, which the clock carries). Edits of different fields of one record both
//!    stay: a change carries only the fields it changed.
//! 2. **A row** exists as its latest insert or delete says: a delete wins over edits made
//!    before it was known, and a row deleted here stays deleted when an older edit of it
//!    arrives. A record added under a parent deleted elsewhere goes with its parent, as the
//!    delete would have taken it had it been there, and comes back if the parent does; so does
//!    a link the delete cleared without knowing of it.
//! 3. **One roster entry per person and session**: when two laptops put the same official on
//!    the same session, the entry made first stays.
//! 4. **Two delegations of one country** both stay (nothing an officer typed vanishes); the
//!    conflict list names them, to be merged by the officer.
//!
//! What a rule overwrote or took away is a conflict entry: the value or rows that lost, who
//! made them, what was kept. Each change is applied with the session extension's `apply`,
//! after the changeset was cut to what the rules let through.

use std::collections::HashSet;

use rusqlite::session::{ConflictAction, ConflictType};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::words::Text;

use super::bundle::Carried;
use super::changeset::{self, Change, Op, TableChanges, Value};
use super::{columns, is_derived, Received, META, TABLES};
use crate::model::*;

/// One entry of the conflict list.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Conflict {
    pub id: String,
    pub at: String,
    /// `value` (a field's value overwritten), `deleted` (rows a delete took), `edit_dropped`
    /// (an edit of a record deleted elsewhere), `duplicate` (two of what there is one of).
    pub kind: String,
    pub entity: String,
    pub entity_id: String,
    pub field: String,
    /// What is kept and what lost (JSON): a field's values, the rows a delete took, the
    /// fields of an edit that had nowhere to go.
    pub kept: serde_json::Value,
    pub lost: serde_json::Value,
    /// Who made the value that lost, and who the one kept (officer · laptop), where known.
    pub lost_by: String,
    pub kept_by: String,
    pub reversed_at: Option<String>,
    /// What the record is called (an official's name, a session's title), for the list.
    pub label: String,
}

/// The changes of a bundle this laptop lacks: for each laptop, those after the last one
/// held, in an unbroken run (a gap would be a change never seen; what follows it waits).
pub(super) fn missing(conn: &Connection, event: &str, carried: &[Carried]) -> Result<Vec<Carried>> {
    let mut last: std::collections::HashMap<String, i64> = conn
        .prepare("SELECT laptop, max(seq) FROM sync_change WHERE event_id = ? GROUP BY laptop")?
        .query_map([event], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut sorted: Vec<&Carried> = carried.iter().collect();
    sorted.sort_by(|a, b| (&a.entry.laptop, a.entry.seq).cmp(&(&b.entry.laptop, b.entry.seq)));
    let mut out = Vec::new();
    for c in sorted {
        let held = last.entry(c.entry.laptop.clone()).or_insert(0);
        if c.entry.seq == *held + 1 {
            *held += 1;
            out.push(c.clone());
        }
    }
    // Applied in clock order: every laptop applies what it lacks in the one order of time.
    out.sort_by(|a, b| a.entry.hlc.cmp(&b.entry.hlc));
    Ok(out)
}

/// Keeps received changes, so that this laptop passes them on and knows them next time.
pub(super) fn keep_received(conn: &Connection, event: &str, changes: &[Carried]) -> Result<()> {
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO sync_change (event_id, laptop, seq, hlc, author, at, rows, changeset)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )?;
    for c in changes {
        let e = &c.entry;
        insert.execute(rusqlite::params![
            event,
            e.laptop,
            e.seq,
            e.hlc,
            e.author,
            e.at,
            e.rows,
            c.changeset
        ])?;
    }
    Ok(())
}

/// Applies received changes, oldest first, in the caller's transaction.
pub(super) fn receive(
    conn: &Connection,
    event: &str,
    changes: &[Carried],
    report: &mut Received,
) -> Result<()> {
    for c in changes {
        let (rows, conflicts) = apply(conn, event, c)?;
        report.applied += 1;
        report.rows += rows;
        report.conflicts += conflicts;
        super::observe_clock(conn, &c.entry.hlc)?;
    }
    Ok(())
}

fn clock(conn: &Connection, table: &str, id: &str, field: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT hlc FROM sync_clock WHERE entity = ? AND entity_id = ? AND field = ?",
        )?
        .query_row([table, id, field], |r| r.get(0))
        .optional()?)
}

pub(super) fn set_clock(
    conn: &Connection,
    table: &str,
    id: &str,
    field: &str,
    hlc: &str,
) -> Result<()> {
    // A value written (or a row's insert or delete) makes whatever was kept of it stale.
    conn.prepare_cached(
        "INSERT INTO sync_clock (entity, entity_id, field, hlc) VALUES (?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET hlc = excluded.hlc, ghost = NULL",
    )?
    .execute([table, id, field, hlc])?;
    Ok(())
}

/// Takes away a row whose parent is gone but whose own insert still stands (added elsewhere
/// under a record deleted here, or taken by a delete that did not know it): the whole row is
/// kept with its clock, and comes back if its parent does (`restore_orphans`), so that every
/// laptop ends the same whichever came first.
fn keep_orphan(conn: &Connection, table: &str, id: &str) -> Result<()> {
    let names = columns(conn, table)?;
    let Some(current) = row(conn, table, id, &names)? else {
        return Ok(());
    };
    let clock = clock(conn, table, id, "")?.unwrap_or_default();
    keep_value(conn, table, id, "", &clock, &changeset::row_bytes(&current))
}

/// Keeps a value (a whole row for `field` "", else one field's) with the register's clock:
/// the clock of a register already there stays as it is.
fn keep_value(
    conn: &Connection,
    table: &str,
    id: &str,
    field: &str,
    clock: &str,
    bytes: &[u8],
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_clock (entity, entity_id, field, hlc, ghost) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET ghost = excluded.ghost",
    )?
    .execute(rusqlite::params![table, id, field, clock, bytes])?;
    Ok(())
}

/// Keeps a link the schema cleared because its record is gone here (the register still says
/// the link), with the field's clock unchanged: `restore_orphans` sets it again if the record
/// comes back, as on the laptops where it never went.
fn keep_link(conn: &Connection, table: &str, id: &str, column: &str, parent: &str) -> Result<()> {
    let clock = written_at(conn, table, id, column)?;
    let parent = changeset::value_bytes(&Value::Text(parent.to_string()));
    keep_value(conn, table, id, column, &clock, &parent)
}

/// Sets again the kept links whose records are back (see `keep_link`).
fn restore_links(conn: &Connection) -> Result<usize> {
    let kept: Vec<(String, String, String, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT entity, entity_id, field, ghost FROM sync_clock
              WHERE field <> '' AND ghost IS NOT NULL",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut restored = 0;
    for (table, id, field, bytes) in kept {
        let is_link: bool = conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM pragma_foreign_key_list(?) WHERE \"from\" = ?)",
            )?
            .query_row([&table, &field], |r| r.get(0))?;
        if !is_link {
            continue;
        }
        let Value::Text(parent) = changeset::value_from_bytes(&bytes)? else {
            continue;
        };
        // Refused while the record is still gone (the key is checked at once here).
        let set = conn.execute(
            &format!("UPDATE {table} SET {field} = ?1 WHERE id = ?2 AND {field} IS NULL"),
            [&parent, &id],
        );
        if let Ok(1) = set {
            conn.execute(
                "UPDATE sync_clock SET ghost = NULL WHERE entity = ? AND entity_id = ? AND field = ?",
                [&table, &id, &field],
            )?;
            restored += 1;
        }
    }
    Ok(restored)
}

/// Puts back kept rows whose parents are there again, parents before children.
pub(super) fn restore_orphans(conn: &Connection) -> Result<usize> {
    let mut restored = 0;
    loop {
        let kept: Vec<(String, String, Vec<u8>)> = conn
            .prepare_cached(
                "SELECT entity, entity_id, ghost FROM sync_clock WHERE field = '' AND ghost IS NOT NULL",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut progress = false;
        for (table, id, bytes) in kept {
            let names = columns(conn, &table)?;
            let values = changeset::row_from_bytes(&bytes, names.len())?;
            let marks = vec!["?"; names.len()].join(", ");
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES ({marks})",
                names.join(", ")
            );
            let params: Vec<rusqlite::types::Value> = values.iter().map(Value::to_sql).collect();
            // Refused while a parent is still gone (the keys are checked at once here), or
            // while a later entry holds its place on the roster (rule 3: it gives way).
            let mut inserted = conn
                .execute(&sql, rusqlite::params_from_iter(params.iter()))
                .is_ok();
            if !inserted && gives_way(conn, &table, &id, &names, &values)? {
                inserted = conn
                    .execute(&sql, rusqlite::params_from_iter(params.iter()))
                    .is_ok();
            }
            if inserted {
                conn.execute(
                    "UPDATE sync_clock SET ghost = NULL WHERE entity = ? AND entity_id = ? AND field = ''",
                    [&table, &id],
                )?;
                restored += 1;
                progress = true;
            }
        }
        if !progress {
            return Ok(restored + restore_links(conn)?);
        }
    }
}

/// Rule 3 for an entry coming back: a roster entry kept aside (it gave way, or went with its
/// official) returns over the entry that holds its person's place if it was made first; that
/// one is kept aside in turn. Every laptop then holds the entry made first, whichever order
/// the record's return and the later entry reached it in. Returns whether one gave way.
fn gives_way(
    conn: &Connection,
    table: &str,
    id: &str,
    names: &[String],
    values: &[Value],
) -> Result<bool> {
    if table != "participant" {
        return Ok(false);
    }
    let at = |name: &str| names.iter().position(|n| n == name);
    let (Some(s), Some(o)) = (at("session_id"), at("official_id")) else {
        return Ok(false);
    };
    let (Some(session), Some(official)) = (values[s].as_text(), values[o].as_text()) else {
        return Ok(false);
    };
    let holder: Option<String> = conn
        .prepare_cached(
            "SELECT id FROM participant WHERE session_id = ? AND official_id = ? AND id <> ?",
        )?
        .query_row([session, official, id], |r| r.get(0))
        .optional()?;
    let Some(holder) = holder else {
        return Ok(false);
    };
    let mine = clock(conn, table, id, "")?.unwrap_or_default();
    let theirs = clock(conn, table, &holder, "")?.unwrap_or_default();
    if (mine.as_str(), id) >= (theirs.as_str(), holder.as_str()) {
        return Ok(false);
    }
    keep_orphan(conn, table, &holder)?;
    conn.execute("DELETE FROM participant WHERE id = ?", [&holder])?;
    Ok(true)
}

/// Keeps, before a row goes by a delete of clock `h`, the values of its fields written later
/// than `h` (edits made elsewhere after the delete): if the row comes back, they come back.
fn keep_ghosts(conn: &Connection, table: &str, id: &str, h: &str) -> Result<()> {
    let later: Vec<String> = conn
        .prepare_cached(
            "SELECT field FROM sync_clock WHERE entity = ? AND entity_id = ? AND field <> '' AND hlc > ?",
        )?
        .query_map([table, id, h], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if later.is_empty() {
        return Ok(());
    }
    let names = columns(conn, table)?;
    let Some(current) = row(conn, table, id, &names)? else {
        return Ok(());
    };
    for field in later {
        if let Some(i) = names.iter().position(|n| *n == field) {
            conn.prepare_cached(
                "UPDATE sync_clock SET ghost = ? WHERE entity = ? AND entity_id = ? AND field = ?",
            )?
            .execute(rusqlite::params![
                changeset::value_bytes(&current[i]),
                table,
                id,
                field
            ])?;
        }
    }
    Ok(())
}

/// A row that comes back (inserted again) takes the fields written later than its insert
/// from what the delete kept of them.
fn with_ghosts(conn: &Connection, table: &str, c: &Change, h: &str) -> Result<Change> {
    let Some(id) = c.id() else {
        return Ok(c.clone());
    };
    let kept: Vec<(String, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT field, ghost FROM sync_clock WHERE entity = ? AND entity_id = ? AND field <> ''
                AND hlc > ? AND ghost IS NOT NULL",
        )?
        .query_map([table, id, h], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    // Used, or older than the insert (whose values are then the later writes): either way no
    // longer to be put back. A link kept from before the insert would otherwise come back over
    // it (`restore_links`) on this laptop alone.
    conn.execute(
        "UPDATE sync_clock SET ghost = NULL WHERE entity = ? AND entity_id = ? AND field <> ''",
        [table, id],
    )?;
    let mut out = c.clone();
    if kept.is_empty() {
        return Ok(out);
    }
    let names = columns(conn, table)?;
    for (field, bytes) in kept {
        if let Some(i) = names.iter().position(|n| *n == field) {
            out.new[i] = changeset::value_from_bytes(&bytes)?;
        }
    }
    Ok(out)
}

/// A stored row's values in column order.
fn row(conn: &Connection, table: &str, id: &str, names: &[String]) -> Result<Option<Vec<Value>>> {
    let sql = format!("SELECT {} FROM {table} WHERE id = ?", names.join(", "));
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], |r| {
            (0..names.len())
                .map(|i| Ok(Value::from_sql(r.get_ref(i)?)))
                .collect::<rusqlite::Result<Vec<Value>>>()
        })
        .optional()?)
}

/// Who made a change, by its clock: "officer · laptop".
fn maker(conn: &Connection, hlc: &str) -> Result<String> {
    if hlc.is_empty() {
        return Ok(String::new());
    }
    let found: Option<(String, String)> = conn
        .prepare_cached("SELECT author, laptop FROM sync_change WHERE hlc = ?")?
        .query_row([hlc], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(match found {
        Some((author, laptop)) => format!("{author} · {}", short(&laptop)),
        None => String::new(),
    })
}

pub(crate) fn short(laptop: &str) -> &str {
    laptop.get(..8).unwrap_or(laptop)
}

/// A conflict found while merging; written once however often it is found.
struct Found<'a> {
    kind: &'a str,
    table: &'a str,
    id: &'a str,
    field: &'a str,
    kept: serde_json::Value,
    lost: serde_json::Value,
    kept_hlc: &'a str,
    lost_hlc: &'a str,
}

fn note(conn: &Connection, event: &str, f: Found<'_>) -> Result<usize> {
    // The same loss found on every laptop gets the same id.
    let key = format!("{}|{}|{}|{}|{}", f.kind, f.table, f.id, f.field, f.lost_hlc);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let now = crate::store::now_text();
    let added = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO sync_conflict (id, event_id, at, kind, entity, entity_id, field,
                 kept, lost, kept_hlc, lost_hlc, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?3, ?3)",
        )?
        .execute(rusqlite::params![
            format!("{hash:016x}"),
            event,
            now,
            f.kind,
            f.table,
            f.id,
            f.field,
            f.kept.to_string(),
            f.lost.to_string(),
            f.kept_hlc,
            f.lost_hlc,
        ])?;
    Ok(added)
}

fn max_clock(a: Option<String>, b: Option<String>) -> String {
    a.max(b).unwrap_or_default()
}

/// The clock of a field's value as stored: its own write's, or its row's insert if later (an
/// insert writes every field); "" for neither.
fn written_at(conn: &Connection, table: &str, id: &str, field: &str) -> Result<String> {
    Ok(max_clock(
        clock(conn, table, id, field)?,
        clock(conn, table, id, "")?,
    ))
}

/// Row changes per call of the session extension's `apply` (see `apply`).
const APPLY_PIECE: usize = 1000;

/// Applies one received change by the rules; returns the rows it changed and the conflicts it
/// left.
fn apply(conn: &Connection, event: &str, carried: &Carried) -> Result<(usize, usize)> {
    let h = carried.entry.hlc.as_str();
    let tables = changeset::parse(&changeset::unpack(&carried.changeset)?)?;
    let mut conflicts = 0;
    let deleted_by_change: HashSet<(String, String)> = tables
        .iter()
        .flat_map(|t| {
            t.changes
                .iter()
                .filter(|c| c.op == Op::Delete)
                .filter_map(|c| c.id().map(|id| (t.table.clone(), id.to_string())))
        })
        .collect();
    // The links (and other fields) the change itself writes, by table, row and column.
    let mut set_by_change: HashSet<(&str, &str, String)> = HashSet::new();
    for t in &tables {
        let names = columns(conn, &t.table)?;
        for c in t.changes.iter().filter(|c| c.op == Op::Update) {
            for (k, v) in c.new.iter().enumerate() {
                if let (true, Some(id), Some(name)) = (v.is_defined(), c.id(), names.get(k)) {
                    set_by_change.insert((t.table.as_str(), id, name.clone()));
                }
            }
        }
    }
    let mut out: Vec<TableChanges> = Vec::new();
    // Images for the change log, taken before the change: (table, id, action, before).
    let mut logged: Vec<(String, String, &'static str, Option<serde_json::Value>)> = Vec::new();
    let mut refresh_officials: HashSet<String> = HashSet::new();
    let mut overlay: std::collections::HashMap<(String, String), Option<Vec<Value>>> =
        std::collections::HashMap::new();
    let mut refresh_delegations: HashSet<String> = HashSet::new();
    for t in &tables {
        if !TABLES.contains(&t.table.as_str()) {
            return Err(Error::Sync {
                code: "bundle_damaged",
                text: Text::new("error-sync-bundle_damaged"),
            });
        }
        let names = columns(conn, &t.table)?;
        if names.len() != t.pk.len() {
            // A bundle of a Delegation Desk whose tables differ from this one's.
            return Err(Error::Sync {
                code: "bundle_version",
                text: Text::new("error-sync-bundle_version"),
            });
        }
        let table = t.table.as_str();
        let n = names.len();
        let mergeable =
            |i: usize| i > 0 && !is_derived(table, &names[i]) && !META.contains(&names[i].as_str());
        let mut kept: Vec<Change> = Vec::new();
        for c in &t.changes {
            let Some(id) = c.id() else { continue };
            let exists_clock = clock(conn, table, id, "")?;
            // The row as this change has left it so far (a snapshot sets a delegation's head
            // after inserting it), else as stored.
            let current = match overlay.get(&(table.to_string(), id.to_string())) {
                Some(row) => row.clone(),
                None => row(conn, table, id, &names)?,
            };
            match c.op {
                Op::Insert | Op::Update => {
                    if c.op == Op::Insert {
                        if exists_clock.as_deref().is_some_and(|e| e > h) {
                            continue;
                        }
                        set_clock(conn, table, id, "", h)?;
                        if current.is_none() {
                            if is_duplicate_entry(conn, event, table, c, h, &mut conflicts)? {
                                continue;
                            }
                            let insert = with_ghosts(conn, table, c, h)?;
                            overlay.insert(
                                (table.to_string(), id.to_string()),
                                Some(insert.new.clone()),
                            );
                            kept.push(insert);
                            logged.push((table.to_string(), id.to_string(), "create", None));
                            if table == "delegation" {
                                duplicate_country(conn, event, c, &names, &mut conflicts)?;
                            }
                            continue;
                        }
                    }
                    let Some(current) = current else {
                        // An edit of a row deleted here: nowhere to go.
                        if exists_clock.is_some() {
                            let mut lost = serde_json::Map::new();
                            for (i, v) in c.new.iter().enumerate() {
                                if v.is_defined() && mergeable(i) {
                                    lost.insert(names[i].clone(), v.to_json());
                                }
                            }
                            if !lost.is_empty() {
                                conflicts += note(
                                    conn,
                                    event,
                                    Found {
                                        kind: "edit_dropped",
                                        table,
                                        id,
                                        field: "",
                                        kept: serde_json::Value::Null,
                                        lost: lost.into(),
                                        kept_hlc: exists_clock.as_deref().unwrap_or(""),
                                        lost_hlc: h,
                                    },
                                )?;
                            }
                        }
                        continue;
                    };
                    // The fields this change is the latest write of.
                    let mut update = Change {
                        op: Op::Update,
                        indirect: false,
                        old: vec![Value::Undefined; n],
                        new: vec![Value::Undefined; n],
                    };
                    update.old[0] = current[0].clone();
                    let mut any = false;
                    for i in 1..n {
                        let incoming = &c.new[i];
                        if !incoming.is_defined() || is_derived(table, &names[i]) {
                            continue;
                        }
                        let field_clock =
                            max_clock(clock(conn, table, id, &names[i])?, exists_clock.clone());
                        if field_clock.as_str() > h {
                            if mergeable(i) && current[i] != *incoming {
                                conflicts += note(
                                    conn,
                                    event,
                                    Found {
                                        kind: "value",
                                        table,
                                        id,
                                        field: &names[i],
                                        kept: current[i].to_json(),
                                        lost: incoming.to_json(),
                                        kept_hlc: &field_clock,
                                        lost_hlc: h,
                                    },
                                )?;
                            }
                            continue;
                        }
                        set_clock(conn, table, id, &names[i], h)?;
                        if current[i] == *incoming {
                            continue;
                        }
                        // Overwritten without the writer having seen it: a conflict. (An insert
                        // over a row here has no old values; every difference is one.)
                        let seen = c.op == Op::Update && c.old[i] == current[i];
                        if mergeable(i) && !seen {
                            conflicts += note(
                                conn,
                                event,
                                Found {
                                    kind: "value",
                                    table,
                                    id,
                                    field: &names[i],
                                    kept: incoming.to_json(),
                                    lost: current[i].to_json(),
                                    kept_hlc: h,
                                    lost_hlc: &field_clock,
                                },
                            )?;
                        }
                        update.old[i] = current[i].clone();
                        update.new[i] = incoming.clone();
                        any = true;
                    }
                    if any {
                        logged.push((
                            table.to_string(),
                            id.to_string(),
                            "update",
                            crate::store::read_json(conn, table, id)?,
                        ));
                        if table == "official" {
                            refresh_officials.insert(id.to_string());
                        }
                        if table == "delegation" {
                            refresh_delegations.insert(id.to_string());
                        }
                        let mut after = current.clone();
                        for (i, v) in update.new.iter().enumerate() {
                            if v.is_defined() {
                                after[i] = v.clone();
                            }
                        }
                        overlay.insert((table.to_string(), id.to_string()), Some(after));
                        kept.push(update);
                    }
                }
                Op::Delete => {
                    if exists_clock.as_deref().is_some_and(|e| e > h) {
                        continue;
                    }
                    set_clock(conn, table, id, "", h)?;
                    let Some(current) = current else { continue };
                    // What this laptop holds that the deleting laptop did not see: edits of
                    // the row, and rows the delete takes along that it did not know of.
                    let edited = (1..n)
                        .any(|i| mergeable(i) && c.old[i].is_defined() && c.old[i] != current[i]);
                    let cascade = crate::store::cascade_of(conn, table, id)?;
                    let unknown: Vec<&(String, String, serde_json::Value)> = cascade
                        .deleted
                        .iter()
                        .filter(|(t, i, _)| {
                            let known = (t == table && i == id)
                                || deleted_by_change.contains(&(t.clone(), i.clone()));
                            !known
                        })
                        .collect();
                    for (t, i, _) in &cascade.deleted {
                        if unknown.iter().any(|(ut, ui, _)| ut == t && ui == i) {
                            keep_orphan(conn, t, i)?;
                        } else {
                            keep_ghosts(conn, t, i, h)?;
                        }
                    }
                    // Links the delete clears that the deleting laptop did not know of (a
                    // room-mate chosen here meanwhile): kept, to come back with the record.
                    // The change's own clearing of a link counts only where it stands: a link
                    // written here later (its row put back by an undo elsewhere) keeps its
                    // value over that clearing, so the schema's clearing is one it did not know.
                    for (t, i, before, after) in &cascade.nulled {
                        for (column, value) in before.as_object().into_iter().flatten() {
                            let known =
                                set_by_change.contains(&(t.as_str(), i.as_str(), column.clone()))
                                    && written_at(conn, t, i, column)?.as_str() <= h;
                            if after.get(column) != Some(value) && !known {
                                if let Some(parent) = value.as_str() {
                                    keep_link(conn, t, i, column, parent)?;
                                }
                            }
                        }
                    }
                    if edited || !unknown.is_empty() {
                        conflicts += note(
                            conn,
                            event,
                            Found {
                                kind: "deleted",
                                table,
                                id,
                                field: "",
                                kept: serde_json::Value::Null,
                                lost: images(&cascade),
                                kept_hlc: h,
                                lost_hlc: h,
                            },
                        )?;
                    }
                    for (t, i, json) in &cascade.deleted {
                        logged.push((t.clone(), i.clone(), "delete", Some(json.clone())));
                    }
                    let mut delete = c.clone();
                    delete.old = current;
                    overlay.insert((table.to_string(), id.to_string()), None);
                    kept.push(delete);
                }
            }
        }
        out.push(TableChanges {
            table: t.table.clone(),
            pk: t.pk.clone(),
            changes: kept,
        });
    }
    let rows = changeset::count(&out);
    if rows > 0 {
        // In pieces: `apply` holds a savepoint around what it applies, and the savepoint's
        // journal of a whole event joined (180,000 rows) made every statement slower than
        // the last (a join took half a minute; in pieces of a thousand, seconds). The
        // transaction around all of them keeps the change whole.
        for piece in changeset::pieces(&out, APPLY_PIECE) {
            let bytes = changeset::encode(&piece);
            conn.apply_strm(
                &mut &bytes[..],
                None::<fn(&str) -> bool>,
                |kind, _item| match kind {
                    // The changeset was cut to match the rows as they are, so these are rare:
                    // a row changed by a cascade of this same change.
                    ConflictType::SQLITE_CHANGESET_DATA
                    | ConflictType::SQLITE_CHANGESET_CONFLICT => {
                        ConflictAction::SQLITE_CHANGESET_REPLACE
                    }
                    // Links to rows gone (or still to come in a later piece) are settled once
                    // everything is in, by the rule of the delete (`orphans`).
                    _ => ConflictAction::SQLITE_CHANGESET_OMIT,
                },
            )?;
        }
        conflicts += orphans(conn, event, h)?;
        restore_orphans(conn)?;
    }
    for id in &refresh_officials {
        crate::store::refresh_search_of(conn, "id = ?", id)?;
    }
    for id in &refresh_delegations {
        crate::store::refresh_search_of(conn, "delegation_id = ?", id)?;
    }
    // The change that brings the whole event to a laptop joining is not written into History
    // row by row: it is the event arriving, said once by the join.
    let joining = logged
        .iter()
        .any(|(t, _, a, _)| t == "event" && *a == "create");
    if !joining {
        log_received(conn, event, carried, &logged)?;
    }
    Ok((rows, conflicts))
}

/// Rule 3: a roster entry for a person already on the session under another entry. The entry
/// made first (by clock, then id) stays; returns whether the incoming one is dropped.
fn is_duplicate_entry(
    conn: &Connection,
    event: &str,
    table: &str,
    c: &Change,
    h: &str,
    conflicts: &mut usize,
) -> Result<bool> {
    if table != "participant" {
        return Ok(false);
    }
    let names = columns(conn, table)?;
    let at = |name: &str| names.iter().position(|n| n == name);
    let (Some(s), Some(o)) = (at("session_id"), at("official_id")) else {
        return Ok(false);
    };
    let (Some(session), Some(official), Some(id)) =
        (c.new[s].as_text(), c.new[o].as_text(), c.id())
    else {
        return Ok(false);
    };
    let other: Option<String> = conn
        .prepare_cached(
            "SELECT id FROM participant WHERE session_id = ? AND official_id = ? AND id <> ?",
        )?
        .query_row([session, official, id], |r| r.get(0))
        .optional()?;
    let Some(other) = other else {
        return Ok(false);
    };
    let other_clock = clock(conn, table, &other, "")?.unwrap_or_default();
    let incoming_first = (h, id) < (other_clock.as_str(), other.as_str());
    let (loser, loser_clock, keeper_clock) = if incoming_first {
        (other.clone(), other_clock.clone(), h.to_string())
    } else {
        (id.to_string(), h.to_string(), other_clock.clone())
    };
    let lost = if incoming_first {
        crate::store::read_json(conn, table, &other)?.unwrap_or_default()
    } else {
        serde_json::Value::Null
    };
    *conflicts += note(
        conn,
        event,
        Found {
            kind: "duplicate",
            table,
            id: &loser,
            field: "",
            kept: serde_json::Value::Null,
            lost,
            kept_hlc: &keeper_clock,
            lost_hlc: &loser_clock,
        },
    )?;
    // The entry that gives way is kept, not deleted: if the one that stays is taken off later,
    // it is on the roster again, on every laptop whichever order the changes came in.
    if incoming_first {
        keep_orphan(conn, table, &other)?;
        conn.execute("DELETE FROM participant WHERE id = ?", [&other])?;
        Ok(false)
    } else {
        // Its existence clock is `h` already (set before this rule was asked).
        keep_value(conn, table, id, "", h, &changeset::row_bytes(&c.new))?;
        Ok(true)
    }
}

/// Rule 4: a delegation of a country the event has a delegation of already: both stay, named
/// in the conflict list.
fn duplicate_country(
    conn: &Connection,
    event: &str,
    c: &Change,
    names: &[String],
    conflicts: &mut usize,
) -> Result<()> {
    let Some(at) = names.iter().position(|n| n == "country_code") else {
        return Ok(());
    };
    let (Some(country), Some(id)) = (c.new[at].as_text(), c.id()) else {
        return Ok(());
    };
    let other: Option<String> = conn
        .prepare_cached(
            "SELECT id FROM delegation WHERE event_id = ? AND country_code = ? AND id <> ? ORDER BY id LIMIT 1",
        )?
        .query_row([event, country, id], |r| r.get(0))
        .optional()?;
    if let Some(other) = other {
        // Named by the pair, the same on every laptop whichever arrived first.
        let (first, second) = if other.as_str() < id {
            (other.as_str(), id)
        } else {
            (id, other.as_str())
        };
        *conflicts += note(
            conn,
            event,
            Found {
                kind: "duplicate",
                table: "delegation",
                id: second,
                field: "country_code",
                kept: serde_json::Value::String(first.to_string()),
                lost: serde_json::Value::String(second.to_string()),
                kept_hlc: "",
                lost_hlc: "",
            },
        )?;
    }
    Ok(())
}

/// What a delete took, as the conflict list keeps it (and `reverse` puts back): each row's
/// table, id and record, children first.
fn images(cascade: &crate::store::Cascade) -> serde_json::Value {
    cascade
        .deleted
        .iter()
        .map(|(t, i, json)| serde_json::json!({"entity": t, "id": i, "record": json}))
        .collect()
}

/// Rule 2's second half: rows left pointing at a parent that is gone (added here under a
/// parent deleted elsewhere, or received under one deleted here) go as the parent's delete
/// would have taken them, or lose the link where the schema says so.
fn orphans(conn: &Connection, event: &str, h: &str) -> Result<usize> {
    let mut conflicts = 0;
    for _ in 0..8 {
        let found: Vec<(String, i64, i64)> = conn
            .prepare("PRAGMA foreign_key_check")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        if found.is_empty() {
            break;
        }
        for (table, rowid, key) in found {
            let Some(id): Option<String> = conn
                .query_row(
                    &format!("SELECT id FROM {table} WHERE rowid = ?"),
                    [rowid],
                    |r| r.get(0),
                )
                .optional()?
            else {
                continue;
            };
            let (column, action): (String, String) = conn.query_row(
                "SELECT \"from\", on_delete FROM pragma_foreign_key_list(?) WHERE id = ?",
                rusqlite::params![table, key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if action == "SET NULL" {
                let parent: Option<String> = conn.query_row(
                    &format!("SELECT {column} FROM {table} WHERE id = ?"),
                    [&id],
                    |r| r.get(0),
                )?;
                if let Some(parent) = parent {
                    keep_link(conn, &table, &id, &column, &parent)?;
                }
                conn.execute(
                    &format!("UPDATE {table} SET {column} = NULL WHERE id = ?"),
                    [&id],
                )?;
                continue;
            }
            let cascade = crate::store::cascade_of(conn, &table, &id)?;
            for (t, i, _) in &cascade.deleted {
                keep_orphan(conn, t, i)?;
            }
            if RECORD_TABLES.contains(&table.as_str()) {
                conflicts += note(
                    conn,
                    event,
                    Found {
                        kind: "deleted",
                        table: &table,
                        id: &id,
                        field: "",
                        kept: serde_json::Value::Null,
                        lost: images(&cascade),
                        kept_hlc: h,
                        lost_hlc: h,
                    },
                )?;
            }
            conn.execute(&format!("DELETE FROM {table} WHERE id = ?"), [&id])?;
        }
    }
    Ok(conflicts)
}

/// Writes a received change into the change log, one batch, under its author and laptop, so
/// that History shows it and undo can take it back (as a new change that travels).
fn log_received(
    conn: &Connection,
    event: &str,
    carried: &Carried,
    logged: &[(String, String, &'static str, Option<serde_json::Value>)],
) -> Result<()> {
    if logged.is_empty() {
        return Ok(());
    }
    let batch = uuid::Uuid::new_v4().to_string();
    let actor = format!(
        "{} · {}",
        carried.entry.author,
        short(&carried.entry.laptop)
    );
    for (table, id, action, before) in logged {
        let after = if *action == "delete" {
            None
        } else {
            match crate::store::read_json(conn, table, id)? {
                Some(after) => Some(after),
                // Taken away again by a rule (a duplicate entry, an orphan).
                None => continue,
            }
        };
        let before = before.as_ref().map(|b| b.to_string());
        let after = after.map(|a| a.to_string());
        crate::store::log_received_change(
            conn,
            crate::store::ReceivedChange {
                entity: table,
                entity_id: id,
                action,
                before: before.as_deref(),
                after: after.as_deref(),
                batch: &batch,
                event_id: event,
                actor: &actor,
            },
        )?;
    }
    Ok(())
}

/// The event's conflict list, newest first.
pub(super) fn conflicts(conn: &Connection, event: &str) -> Result<Vec<Conflict>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, kind, entity, entity_id, field, kept, lost, kept_hlc, lost_hlc, reversed_at
           FROM sync_conflict WHERE event_id = ? ORDER BY at DESC, id",
    )?;
    let rows: Vec<(Conflict, String, String)> = stmt
        .query_map([event], |r| {
            let json = |s: Option<String>| {
                s.and_then(|s| serde_json::from_str(&s).ok())
                    .unwrap_or(serde_json::Value::Null)
            };
            Ok((
                Conflict {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    kind: r.get(2)?,
                    entity: r.get(3)?,
                    entity_id: r.get(4)?,
                    field: r.get(5)?,
                    kept: json(r.get(6)?),
                    lost: json(r.get(7)?),
                    lost_by: String::new(),
                    kept_by: String::new(),
                    reversed_at: r.get(10)?,
                    label: String::new(),
                },
                r.get(8)?,
                r.get(9)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (mut c, kept_hlc, lost_hlc) in rows {
        c.kept_by = maker(conn, &kept_hlc)?;
        c.lost_by = maker(conn, &lost_hlc)?;
        c.label = label(conn, &c)?;
        out.push(c);
    }
    Ok(out)
}

/// What a conflict's record is called: from the row, or from the image a delete kept.
fn label(conn: &Connection, c: &Conflict) -> Result<String> {
    let record = match crate::store::read_json(conn, &c.entity, &c.entity_id)? {
        Some(r) => r,
        None => c
            .lost
            .as_array()
            .and_then(|a| a.iter().find(|x| x["id"] == c.entity_id.as_str()))
            .map(|x| x["record"].clone())
            .unwrap_or_default(),
    };
    let s = |k: &str| {
        record
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    Ok(match c.entity.as_str() {
        "official" => format!("{} {}", s("family_name"), s("given_name")),
        "delegation" | "hotel" | "venue" | "event" => s("name_en"),
        "session" => s("title_en"),
        _ => String::new(),
    }
    .trim()
    .to_string())
}

/// Reverses a conflict (see `Store::sync_reverse`), in the caller's transaction and batch.
pub(super) fn reverse(conn: &rusqlite::Transaction<'_>, id: &str, batch: &str) -> Result<Conflict> {
    let event: String = conn
        .query_row(
            "SELECT event_id FROM sync_conflict WHERE id = ?",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(Error::NotFound { entity: "conflict" })?;
    let c = conflicts(conn, &event)?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(Error::NotFound { entity: "conflict" })?;
    let cannot = |why: &str| Error::CannotUndo(Text::new(format!("error-sync-reverse-{why}")));
    if c.reversed_at.is_some() {
        return Err(cannot("done"));
    }
    match c.kind.as_str() {
        "value" | "edit_dropped" => {
            let Some(mut record) = crate::store::read_json(conn, &c.entity, &c.entity_id)? else {
                return Err(cannot("gone"));
            };
            match c.kind.as_str() {
                "value" => record[c.field.as_str()] = c.lost.clone(),
                _ => {
                    for (k, v) in c.lost.as_object().into_iter().flatten() {
                        record[k.as_str()] = v.clone();
                    }
                }
            }
            // Saved as the officer's own edit: validated and logged, and recorded to travel.
            with_record_type!(c.entity.as_str(), R => {
                let mut r: R = serde_json::from_value(record)?;
                let stored = R::get(conn, &c.entity_id)?;
                // No version to check against: the officer reverses what is stored now.
                r.set_meta(stored.id().to_string(), stored.created_at(), Default::default());
                crate::store::save(conn, r, Some(batch))?;
                Ok::<(), Error>(())
            })?;
        }
        "deleted" => {
            // Parents first: the images were kept children first.
            let images = c.lost.as_array().cloned().unwrap_or_default();
            for image in images.iter().rev() {
                let (Some(table), Some(row)) = (image["entity"].as_str(), image["id"].as_str())
                else {
                    continue;
                };
                if crate::store::read_json(conn, table, row)?.is_some() {
                    continue;
                }
                crate::store::put_back(conn, table, &image["record"], batch, &event)?;
            }
        }
        _ => return Err(cannot("duplicate")),
    }
    conn.execute(
        "UPDATE sync_conflict SET reversed_at = ?2, updated_at = ?2 WHERE id = ?1",
        [id, &crate::store::now_text()],
    )?;
    let mut c = c;
    c.reversed_at = Some(crate::store::now_text());
    Ok(c)
}
