//! Team sync: an event shared between laptops by exchanging sealed bundles of the changesets
//! SQLite's session extension records. No server; every laptop ends with the same event by
//! the merge rules of `merge`, and keeps what a merge overwrote in a conflict list.
//!
//! - `changeset`: SQLite's changeset format, read and written;
//! - `bundle`: team keys and the sealed `.ddsync` file;
//! - `merge`: received changes applied by the rules (last writer per field by hybrid logical
//!   clock, deletes that win over edits, duplicates settled), with the conflicts they leave.
//!
//! A change is one write transaction of this library to a shared event: the session extension
//! records it while the transaction runs (`Recorder`), and it is kept, with the laptop's next
//! sequence number and a clock, in `sync_change` in the same transaction. A bundle carries
//! every change this laptop holds of the event, its own and those it received; a change is
//! known by its laptop and sequence number, so one received twice is applied once.

pub mod bundle;
pub mod changeset;
mod merge;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::Utc;
use rusqlite::session::Session;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::store::backup::BackupReason;
use crate::store::Store;
use crate::words::Text;

use changeset::{Change, Op, TableChanges, Value};

pub use bundle::TEAM_KEY_CHARS;
pub use merge::Conflict;

/// The tables an event's records live in, parents before children (the order a snapshot is
/// written in). The change log, settings and outputs stay on each laptop.
pub const TABLES: &[&str] = &{
    // The record tables, and the badges printed of them.
    let records = crate::model::RECORD_TABLES;
    let mut all = [""; crate::model::RECORD_TABLES.len() + 1];
    let mut i = 0;
    while i < records.len() {
        all[i] = records[i];
        i += 1;
    }
    all[i] = "badge_print";
    all
};

/// Columns the engine derives from others (search text, a flight's event): never merged,
/// recomputed after a merge from what was merged.
const DERIVED: &[(&str, &str)] = &[
    ("official", "search_text"),
    ("travel", "event_id"),
    ("travel", "search_text"),
    ("stay", "event_id"),
    ("stay", "search_text"),
];

/// Columns that change with every edit of a row: merged like the others, but a value of
/// theirs overwritten is no conflict worth an officer's look.
const META: &[&str] = &["created_at", "updated_at"];

const LAPTOP: &str = "sync.laptop";
const CLOCK: &str = "sync.clock";

/// A table's columns in declaration order (the changeset's order), read once per table: the
/// schema is this build's for every library it opens.
pub(crate) fn columns(conn: &Connection, table: &str) -> Result<Arc<Vec<String>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Vec<String>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(table) {
        return Ok(found.clone());
    }
    let names: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info(?) ORDER BY cid")?
        .query_map([table], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let names = Arc::new(names);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(table.to_string(), names.clone());
    Ok(names)
}

pub(crate) fn is_derived(table: &str, column: &str) -> bool {
    DERIVED.contains(&(table, column))
}

/// This library's laptop id, made on first use.
pub(crate) fn laptop(conn: &Connection) -> Result<String> {
    if let Some(id) = crate::store::read_setting(conn, LAPTOP)? {
        return Ok(id);
    }
    let id = uuid::Uuid::new_v4().to_string();
    crate::store::write_setting(conn, LAPTOP, &id)?;
    Ok(id)
}

/// The next reading of the hybrid logical clock: the wall clock in milliseconds, or the last
/// reading's when the wall clock is behind it (another laptop's clock ahead of ours), with a
/// counter that orders readings of one millisecond; then the laptop, which breaks ties.
pub(crate) fn next_clock(conn: &Connection, laptop: &str) -> Result<String> {
    let now = Utc::now().timestamp_millis().max(0) as u64;
    let (last_ms, last_n) = last_clock(conn)?;
    let (ms, n) = if now > last_ms {
        (now, 0)
    } else if last_n >= 9999 {
        (last_ms + 1, 0)
    } else {
        (last_ms, last_n + 1)
    };
    let clock = format!("{ms:013}.{n:04}.{laptop}");
    crate::store::write_setting(conn, CLOCK, &clock)?;
    Ok(clock)
}

/// Moves this laptop's clock past a clock received, so that its next change is later than
/// every change it has seen.
pub(crate) fn observe_clock(conn: &Connection, seen: &str) -> Result<()> {
    let Some(theirs) = parse_clock(seen) else {
        return Ok(());
    };
    if theirs > last_clock(conn)? {
        crate::store::write_setting(conn, CLOCK, &format!("{:013}.{:04}.", theirs.0, theirs.1))?;
    }
    Ok(())
}

/// The last reading of this laptop's clock (milliseconds, counter); zero before the first.
fn last_clock(conn: &Connection) -> Result<(u64, u64)> {
    Ok(crate::store::read_setting(conn, CLOCK)?
        .as_deref()
        .and_then(parse_clock)
        .unwrap_or((0, 0)))
}

fn parse_clock(text: &str) -> Option<(u64, u64)> {
    let mut parts = text.splitn(3, '.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Records one write transaction's changes to shared events while it runs; started before the
/// transaction on the same connection, finished inside it before the commit. Nothing is
/// recorded (and the session extension's hook is not installed) while no event is shared.
pub(crate) struct Recorder<'c> {
    session: Session<'c>,
}

impl<'c> Recorder<'c> {
    pub(crate) fn start(conn: &'c Connection) -> Result<Option<Recorder<'c>>> {
        let shared: bool =
            conn.query_row("SELECT EXISTS (SELECT 1 FROM sync_event)", [], |r| r.get(0))?;
        if !shared {
            return Ok(None);
        }
        let mut session = Session::new(conn)?;
        for table in TABLES {
            session.attach(Some(*table))?;
        }
        Ok(Some(Recorder { session }))
    }

    /// Keeps what the transaction changed in shared events as their next changes.
    pub(crate) fn finish(mut self, conn: &Connection) -> Result<()> {
        // A record put back here (an undo) brings back what was kept while it was gone.
        merge::restore_orphans(conn)?;
        if self.session.is_empty() {
            return Ok(());
        }
        let mut bytes = Vec::new();
        self.session.changeset_strm(&mut bytes)?;
        drop(self);
        record_local(conn, &bytes)
    }
}

/// Splits a transaction's changeset by event and keeps the part of each shared event.
fn record_local(conn: &Connection, bytes: &[u8]) -> Result<()> {
    let tables = changeset::parse(bytes)?;
    let shared: HashSet<String> = conn
        .prepare_cached("SELECT event_id FROM sync_event")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let events = events_of(conn, &tables)?;
    let mut per_event: BTreeMap<String, Vec<TableChanges>> = BTreeMap::new();
    for (t, table) in tables.iter().enumerate() {
        for (c, change) in table.changes.iter().enumerate() {
            let Some(event) = events[t][c].as_ref().filter(|e| shared.contains(*e)) else {
                continue;
            };
            let out = per_event.entry(event.clone()).or_default();
            match out.iter_mut().find(|x| x.table == table.table) {
                Some(x) => x.changes.push(change.clone()),
                None => out.push(TableChanges {
                    table: table.table.clone(),
                    pk: table.pk.clone(),
                    changes: vec![change.clone()],
                }),
            }
        }
    }
    let laptop = laptop(conn)?;
    for (event, tables) in per_event {
        keep_local(conn, &event, &laptop, &tables)?;
    }
    Ok(())
}

/// Keeps a change made here: the laptop's next number, a clock reading, the officer.
fn keep_local(conn: &Connection, event: &str, laptop: &str, tables: &[TableChanges]) -> Result<()> {
    let seq: i64 = conn.query_row(
        "SELECT coalesce(max(seq), 0) + 1 FROM sync_change WHERE event_id = ? AND laptop = ?",
        [event, laptop],
        |r| r.get(0),
    )?;
    let clock = next_clock(conn, laptop)?;
    let bytes = changeset::pack(&changeset::encode(tables));
    conn.prepare_cached(
        "INSERT INTO sync_change (event_id, laptop, seq, hlc, author, at, rows, changeset)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(rusqlite::params![
        event,
        laptop,
        seq,
        clock,
        crate::store::officer_name(conn)?,
        crate::store::now_text(),
        changeset::count(tables) as i64,
        bytes
    ])?;
    stamp_clocks(conn, tables, &clock)
}

/// Sets the clocks of everything a change made here wrote: a row's existence for an insert or
/// a delete, each field an update set.
fn stamp_clocks(conn: &Connection, tables: &[TableChanges], clock: &str) -> Result<()> {
    // As a received change's are set (`merge::set_clock`): a value written here makes what was
    // kept of it while its record was gone stale, or it would come back over this write.
    for table in tables {
        let names = columns(conn, &table.table)?;
        for change in &table.changes {
            let Some(id) = change.id() else { continue };
            match change.op {
                Op::Insert | Op::Delete => merge::set_clock(conn, &table.table, id, "", clock)?,
                Op::Update => {
                    for (i, v) in change.new.iter().enumerate().skip(1) {
                        if v.is_defined() && !is_derived(&table.table, &names[i]) {
                            merge::set_clock(conn, &table.table, id, &names[i], clock)?;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// How a table's rows name their event.
fn event_link(table: &str) -> Option<(&'static str, Option<&'static str>)> {
    Some(match table {
        "event" => ("id", None),
        "delegation" | "official" | "hotel" | "venue" | "session" | "travel" | "stay"
        | "vehicle" | "transfer_run" | "event_entry" => ("event_id", None),
        "room_block" => ("hotel_id", Some("hotel")),
        "venue_room" => ("venue_id", Some("venue")),
        "participant" => ("session_id", Some("session")),
        "run_passenger" => ("run_id", Some("transfer_run")),
        "badge_print" => ("official_id", Some("official")),
        _ => return None,
    })
}

/// The event of every change of a changeset (parallel to its tables and changes): from the
/// row's own values where the change carries them, else from the row as stored; a child's
/// through its parent, which may be a row deleted by the same changeset.
pub(crate) fn events_of(
    conn: &Connection,
    tables: &[TableChanges],
) -> Result<Vec<Vec<Option<String>>>> {
    let mut known: HashMap<(String, String), String> = HashMap::new();
    let mut out: Vec<Vec<Option<String>>> =
        tables.iter().map(|t| vec![None; t.changes.len()]).collect();
    // Rows that carry their event first, then the children that reach it through them.
    for pass in [false, true] {
        for (t, table) in tables.iter().enumerate() {
            let Some((column, parent)) = event_link(&table.table) else {
                continue;
            };
            if parent.is_some() != pass {
                continue;
            }
            let names = columns(conn, &table.table)?;
            let Some(index) = names.iter().position(|n| n == column) else {
                continue;
            };
            for (c, change) in table.changes.iter().enumerate() {
                let Some(id) = change.id() else { continue };
                let link = match change.value(index).and_then(Value::as_text) {
                    Some(v) => Some(v.to_string()),
                    None => conn
                        .query_row(
                            &format!("SELECT {column} FROM {} WHERE id = ?", table.table),
                            [id],
                            |r| r.get::<_, Option<String>>(0),
                        )
                        .optional()?
                        .flatten(),
                };
                let event = match (parent, link) {
                    (_, None) => None,
                    (None, Some(event)) => Some(event),
                    (Some(parent), Some(parent_id)) => {
                        match known.get(&(parent.to_string(), parent_id.clone())) {
                            Some(event) => Some(event.clone()),
                            None => conn
                                .query_row(
                                    &format!("SELECT event_id FROM {parent} WHERE id = ?"),
                                    [&parent_id],
                                    |r| r.get(0),
                                )
                                .optional()?,
                        }
                    }
                };
                if let Some(event) = &event {
                    known.insert((table.table.clone(), id.to_string()), event.clone());
                }
                out[t][c] = event;
            }
        }
    }
    Ok(out)
}

/// An event shared: its team and the team key to give the others.
#[derive(Debug, Clone, Serialize)]
pub struct Shared {
    pub event_id: String,
    pub team: String,
    /// The team key, as read out or printed (`XXXXX-XXXXX-XXXXX-XXXXX`).
    pub team_key: String,
    pub laptop: String,
    /// Whether the event was shared by this call (false: it already was).
    pub new: bool,
}

/// What a bundle written holds.
#[derive(Debug, Clone, Serialize)]
pub struct Sent {
    pub path: PathBuf,
    pub changes: usize,
    pub rows: usize,
    pub laptops: usize,
    pub bytes: u64,
}

/// What receiving a bundle did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Received {
    pub event_id: String,
    pub from_laptop: String,
    pub from_officer: String,
    /// Changes the bundle held, and of them those this laptop had already.
    pub changes: usize,
    pub known: usize,
    /// Changes applied now, and the rows they held.
    pub applied: usize,
    pub rows: usize,
    /// Conflict entries this left.
    pub conflicts: usize,
    /// Whether this laptop joined the team with this bundle.
    pub joined: bool,
}

/// Where an event stands with its team.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub event_id: String,
    pub shared: bool,
    pub team: Option<String>,
    pub team_key: Option<String>,
    pub laptop: String,
    pub folder: Option<String>,
    /// Per laptop: the last change known from it.
    pub laptops: Vec<LaptopStatus>,
    pub changes: usize,
    pub conflicts: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct LaptopStatus {
    pub laptop: String,
    pub this: bool,
    pub last_seq: i64,
    pub author: String,
    pub at: String,
}

fn not_shared() -> Error {
    Error::Sync {
        code: "not_shared",
        text: Text::new("error-sync-not_shared"),
    }
}

/// An event's team, if it is shared.
fn team_of(conn: &Connection, event: &str) -> Result<Option<(String, String, Option<String>)>> {
    Ok(conn
        .query_row(
            "SELECT team, team_code, folder FROM sync_event WHERE event_id = ?",
            [event],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

/// The whole event as one change of inserts: the first change of a shared event, from which a
/// laptop that joins gets everything.
fn snapshot(conn: &Connection, event: &str) -> Result<Vec<TableChanges>> {
    let mut out = Vec::new();
    for table in TABLES {
        let names = columns(conn, table)?;
        let (column, parent) = event_link(table).expect("every synced table names its event");
        let filter = match parent {
            None => format!("x.{column} = ?"),
            Some(parent) => {
                format!("x.{column} IN (SELECT id FROM {parent} WHERE event_id = ?)")
            }
        };
        let list = names
            .iter()
            .map(|n| format!("x.{n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut stmt = conn.prepare(&format!(
            "SELECT {list} FROM {table} x WHERE {filter} ORDER BY x.id"
        ))?;
        let rows = stmt.query_map([event], |r| {
            (0..names.len())
                .map(|i| Ok(Value::from_sql(r.get_ref(i)?)))
                .collect::<rusqlite::Result<Vec<Value>>>()
        })?;
        let mut changes = Vec::new();
        for row in rows {
            changes.push(Change {
                op: Op::Insert,
                indirect: false,
                old: vec![Value::Undefined; names.len()],
                new: row?,
            });
        }
        out.push(TableChanges {
            table: table.to_string(),
            pk: names.iter().map(|n| n == "id").collect(),
            changes,
        });
    }
    // A delegation names its head, an official its delegation: the heads are set once the
    // officials are in, so that every link points at a row already there when it is applied
    // (links waiting for their rows made applying a large event many times slower).
    let names = columns(conn, "delegation")?;
    if let Some(head) = names.iter().position(|n| n == "head_official_id") {
        let mut heads = Vec::new();
        for change in out[1].changes.iter_mut() {
            if change.new[head] != Value::Null {
                let mut set = Change {
                    op: Op::Update,
                    indirect: false,
                    old: vec![Value::Undefined; names.len()],
                    new: vec![Value::Undefined; names.len()],
                };
                set.old[0] = change.new[0].clone();
                set.old[head] = Value::Null;
                set.new[head] = std::mem::replace(&mut change.new[head], Value::Null);
                heads.push(set);
            }
        }
        out.push(TableChanges {
            table: "delegation".into(),
            pk: out[1].pk.clone(),
            changes: heads,
        });
    }
    Ok(out)
}

impl Store {
    /// Shares an event with a team: a new team and team key, and the whole event as this
    /// laptop's first change of it, so that a laptop that receives a bundle gets everything.
    /// Sharing an event already shared says its team again.
    pub fn sync_share(&self, event_id: &str) -> Result<Shared> {
        self.write(|tx| {
            <crate::model::Event as crate::model::Record>::get(tx, event_id)?;
            let laptop = laptop(tx)?;
            if let Some((team, code, _)) = team_of(tx, event_id)? {
                return Ok(Shared {
                    event_id: event_id.to_string(),
                    team,
                    team_key: code,
                    laptop,
                    new: false,
                });
            }
            let team = uuid::Uuid::new_v4().to_string();
            let code = bundle::new_team_key()?;
            let now = crate::store::now_text();
            tx.execute(
                "INSERT INTO sync_event (event_id, team, team_code, shared_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?4, ?4)",
                rusqlite::params![event_id, team, code, now],
            )?;
            let tables = snapshot(tx, event_id)?;
            keep_local(tx, event_id, &laptop, &tables)?;
            Ok(Shared {
                event_id: event_id.to_string(),
                team,
                team_key: code,
                laptop,
                new: true,
            })
        })
    }

    /// Writes a bundle of every change this laptop holds of a shared event to `dest`.
    pub fn sync_export(&self, event_id: &str, dest: &Path) -> Result<Sent> {
        let (bytes, sent) = self.read(|conn| {
            let (team, code, _) = team_of(conn, event_id)?.ok_or_else(not_shared)?;
            bundle::write_bundle(conn, event_id, &team, &code)
        })?;
        crate::files::write_aside(dest, &bytes)?;
        Ok(Sent {
            path: dest.to_path_buf(),
            bytes: bytes.len() as u64,
            ..sent
        })
    }

    /// Receives a bundle: the changes it holds that this laptop lacks are applied in one
    /// transaction, after a backup. `team_key` is needed only to join (an event this laptop
    /// has not shared or joined); a bundle of another team, a wrong key or a damaged file is
    /// refused with nothing changed.
    pub fn sync_import(&self, file: &Path, team_key: Option<&str>) -> Result<Received> {
        self.sync_import_bytes(&bundle::read_limited(file)?, team_key)
    }

    /// [`Store::sync_import`] of a bundle's bytes (dropped on the window).
    pub fn sync_import_bytes(&self, bytes: &[u8], team_key: Option<&str>) -> Result<Received> {
        let head = bundle::header(bytes)?;
        let local = self.read(|conn| team_of(conn, &head.event_id))?;
        let code = match (&local, team_key) {
            (Some((team, _, _)), _) if *team != head.team => {
                return Err(Error::Sync {
                    code: "other_team",
                    text: Text::new("error-sync-other_team"),
                })
            }
            (Some((_, code, _)), _) => code.clone(),
            (None, Some(given)) => bundle::normalize_team_key(given).ok_or(Error::Sync {
                code: "wrong_team_key",
                text: Text::new("error-sync-wrong_team_key"),
            })?,
            (None, None) => {
                return Err(Error::Sync {
                    code: "team_key_needed",
                    text: Text::new("error-sync-team_key_needed"),
                })
            }
        };
        let opened = bundle::open(bytes, &head, &code)?;
        let missing = self.read(|conn| merge::missing(conn, &head.event_id, &opened.changes))?;
        let mut report = Received {
            event_id: head.event_id.clone(),
            from_laptop: opened.manifest.laptop.clone(),
            from_officer: opened.manifest.officer.clone(),
            changes: opened.changes.len(),
            known: opened.changes.len() - missing.len(),
            joined: local.is_none(),
            ..Received::default()
        };
        if missing.is_empty() && local.is_some() {
            return Ok(report);
        }
        // The backup is made while the merge runs, on the read-only connection: it reads the
        // library as it was before the merge (which is not committed until the backup is
        // done, and not at all if the backup fails), and the officer waits for the longer of
        // the two instead of both (a library's backup grows with it; a merge with the change).
        std::thread::scope(|scope| {
            let backup = (!missing.is_empty())
                .then(|| scope.spawn(|| self.auto_backup(BackupReason::BeforeSync)));
            self.write_unrecorded(|tx| {
                let joined = local.is_none();
                // A laptop that held the event before joining (a copy of the library, the
                // demo) gives the team what it holds that the bundle did not: its own
                // snapshot, after the merge, as its first change.
                let held_before = joined
                    && <crate::model::Event as crate::model::Record>::find(tx, &head.event_id)?
                        .is_some();
                merge::receive(tx, &head.event_id, &missing, &mut report)?;
                if joined {
                    let now = crate::store::now_text();
                    tx.execute(
                        "INSERT INTO sync_event (event_id, team, team_code, shared_at, created_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?4, ?4)",
                        rusqlite::params![head.event_id, head.team, code, now],
                    )?;
                }
                merge::keep_received(tx, &head.event_id, &missing)?;
                if held_before {
                    let tables = snapshot(tx, &head.event_id)?;
                    keep_local(tx, &head.event_id, &laptop(tx)?, &tables)?;
                }
                if let Some(backup) = backup {
                    backup
                        .join()
                        .unwrap_or_else(|_| Err(Error::Internal("the backup stopped".into())))?;
                }
                Ok(())
            })
        })?;
        Ok(report)
    }

    /// Where a shared event stands: the team, this laptop, the changes known per laptop.
    pub fn sync_status(&self, event_id: &str) -> Result<Status> {
        self.read(|conn| {
            <crate::model::Event as crate::model::Record>::get(conn, event_id)?;
            let laptop = laptop_if_any(conn)?;
            let team = team_of(conn, event_id)?;
            let laptops = conn
                .prepare(
                    "SELECT c.laptop, c.seq, c.author, c.at FROM sync_change c
                      WHERE c.event_id = ?1 AND c.seq = (SELECT max(seq) FROM sync_change
                                      WHERE event_id = ?1 AND laptop = c.laptop)
                      ORDER BY c.laptop",
                )?
                .query_map([event_id], |r| {
                    let id: String = r.get(0)?;
                    Ok(LaptopStatus {
                        this: id == laptop,
                        laptop: id,
                        last_seq: r.get(1)?,
                        author: r.get(2)?,
                        at: r.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let count = |sql: &str| -> Result<usize> {
                Ok(conn.query_row(sql, [event_id], |r| r.get::<_, i64>(0))? as usize)
            };
            Ok(Status {
                event_id: event_id.to_string(),
                shared: team.is_some(),
                team_key: team.as_ref().map(|t| t.1.clone()),
                folder: team.as_ref().and_then(|t| t.2.clone()),
                team: team.map(|t| t.0),
                laptop,
                laptops,
                changes: count("SELECT count(*) FROM sync_change WHERE event_id = ?")?,
                conflicts: count(
                    "SELECT count(*) FROM sync_conflict WHERE event_id = ? AND reversed_at IS NULL",
                )?,
            })
        })
    }

    /// The event's conflict list, newest first.
    pub fn sync_conflicts(&self, event_id: &str) -> Result<Vec<Conflict>> {
        self.read(|conn| merge::conflicts(conn, event_id))
    }

    /// Reverses a conflict: the value that lost is written back, or the rows a delete took
    /// are put back, as a change of this laptop that travels like any other.
    pub fn sync_reverse(&self, conflict_id: &str) -> Result<Conflict> {
        self.write_batch(|tx, batch| merge::reverse(tx, conflict_id, batch))
            .map(|b| b.value)
    }

    /// Keeps (or with `None`, forgets) the shared folder this laptop syncs the event through.
    pub fn sync_set_folder(&self, event_id: &str, folder: Option<&Path>) -> Result<()> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE sync_event SET folder = ?2, updated_at = ?3 WHERE event_id = ?1",
                rusqlite::params![
                    event_id,
                    folder.map(|f| f.to_string_lossy().into_owned()),
                    crate::store::now_text()
                ],
            )?;
            if changed == 0 {
                return Err(not_shared());
            }
            Ok(())
        })
    }

    /// One round through the event's shared folder: this laptop's bundle written there (named
    /// by its laptop id), then every other laptop's bundle found there received. A bundle
    /// that cannot be read is skipped and named in the result; the others go on.
    pub fn sync_folder_round(&self, event_id: &str) -> Result<FolderRound> {
        let (folder, laptop) = self.read(|conn| {
            let (_, _, folder) = team_of(conn, event_id)?.ok_or_else(not_shared)?;
            let folder = folder.ok_or(Error::Sync {
                code: "no_folder",
                text: Text::new("error-sync-no_folder"),
            })?;
            Ok((PathBuf::from(folder), laptop_if_any(conn)?))
        })?;
        let mut round = FolderRound::default();
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&folder)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "ddsync"))
            .collect();
        entries.sort();
        for path in entries {
            if path
                .file_stem()
                .is_some_and(|s| s.to_string_lossy() == laptop)
            {
                continue;
            }
            match self.sync_import(&path, None) {
                Ok(r) => {
                    round.applied += r.applied;
                    round.conflicts += r.conflicts;
                }
                Err(e) => round.skipped.push((path, e.code().to_string())),
            }
        }
        let own = folder.join(format!("{laptop}.ddsync"));
        self.sync_export(event_id, &own)?;
        round.written = Some(own);
        Ok(round)
    }
}

/// What a round through the shared folder did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FolderRound {
    pub written: Option<PathBuf>,
    pub applied: usize,
    pub conflicts: usize,
    pub skipped: Vec<(PathBuf, String)>,
}

/// This library's laptop id, or `""` before it has one (reads never write).
fn laptop_if_any(conn: &Connection) -> Result<String> {
    Ok(crate::store::read_setting(conn, LAPTOP)?.unwrap_or_default())
}

#[cfg(test)]
mod tests;
