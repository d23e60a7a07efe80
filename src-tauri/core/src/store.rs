//! The event library: one SQLite file, opened safely, migrated, and written only through
//! validated, logged, single-transaction operations.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;

use crate::backup::BackupReason;
use crate::error::{Error, Result};
use crate::model::*;
use crate::text::fold;
use crate::validate::{Checker, Validate};

/// Written into the file header (`PRAGMA application_id`) so that a library is recognised and
/// any other SQLite file is refused before anything is written to it. "DDk1".
pub const APPLICATION_ID: i32 = 0x4444_6B31;

/// The app's identifier, shared with tauri.conf.json so the CLI and the app find one file.
pub const APP_IDENTIFIER: &str = "org.delegationdesk.app";

/// Append-only: each entry moves the schema one version up, in one transaction.
const MIGRATIONS: &[&str] = &[
    include_str!("schema/v1.sql"),
    include_str!("schema/v2.sql"),
    include_str!("schema/v3.sql"),
    include_str!("schema/v4.sql"),
    include_str!("schema/v5.sql"),
    include_str!("schema/v6.sql"),
    include_str!("schema/v7.sql"),
    include_str!("schema/v8.sql"),
];

/// Tables of history that is not itself edited or undone (badge prints): a delete removes their
/// rows through the schema's cascade without logging them.
const UNLOGGED_TABLES: &[&str] = &["badge_print", "output_log"];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Where the app and `ddesk` keep the library unless told otherwise.
pub fn default_library_path() -> Result<PathBuf> {
    // The local application-data folder: on Windows `data_dir` is the roaming profile, which
    // domain PCs redirect to a network share where SQLite's write-ahead log cannot work.
    let base = dirs::data_local_dir().ok_or_else(|| {
        Error::Io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "this system has no application-data folder",
        ))
    })?;
    Ok(base.join(APP_IDENTIFIER).join("library.sqlite3"))
}

/// The open library. The mutex is the only way to the connection; no lock is held across
/// anything slower than a query. Reads of a whole event (hundreds of milliseconds at 20,000
/// officials) go through a connection of their own instead (`read_apart`).
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    /// A second, read-only connection for reads that take a whole event (`read_apart`),
    /// opened on first use: while one of them runs, list pages and saves go on through `conn`.
    apart: Mutex<Option<Connection>>,
    path: Option<PathBuf>,
    /// The checkpoint that copies an import's write-ahead log into the library file, running
    /// on a connection of its own after the import has answered (see `import`); joined before
    /// the next one starts and when the store closes.
    checkpoint: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Drop for Store {
    fn drop(&mut self) {
        // A library being closed (to restore a backup, at exit) has no checkpoint in flight.
        let slot = self.checkpoint.get_mut().unwrap_or_else(|e| e.into_inner());
        if let Some(running) = slot.take() {
            let _ = running.join();
        }
        // The read-only connection closes first, so that the main one is the last: only the
        // last connection folds the write-ahead log into the file and removes it, and a
        // read-only one cannot.
        drop(
            self.apart
                .get_mut()
                .unwrap_or_else(|e| e.into_inner())
                .take(),
        );
    }
}

/// SQLite's own threshold (pages of log) for the checkpoint a commit runs by itself.
const AUTO_CHECKPOINT_PAGES: i64 = 1000;

fn configure(conn: &Connection) -> Result<()> {
    configure_reading(conn)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // WAL keeps readers and the writer apart; FULL sync makes a commit survive a power cut.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // On macOS an fsync reaches the drive's cache only; F_FULLFSYNC reaches the platter or
    // flash, which is what FULL promises elsewhere.
    #[cfg(target_os = "macos")]
    {
        conn.pragma_update(None, "fullfsync", "ON")?;
        conn.pragma_update(None, "checkpoint_fullfsync", "ON")?;
    }
    Ok(())
}

/// What every connection to a library gets, the read-only one of `read_apart` included.
fn configure_reading(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // 32 MB of page cache (the default is 2 MB): an import of thousands of officials in one
    // transaction otherwise spills dirty pages to the WAL and reads them back mid-way.
    conn.pragma_update(None, "cache_size", -32_000)?;
    // Statement journals in memory: every insert that fires a trigger or checks a foreign key
    // inside a long transaction journals the pages it touches, and on disk that was a tenth of
    // a 10,000-row import. They hold one statement's pages at a time.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // An import cycles through a few dozen statements per row; the default 16 would evict
    // them in turn and parse every one again.
    conn.set_prepared_statement_cache_capacity(64);
    crate::text::register_contains(conn)?;
    Ok(())
}

/// The read-only connection of `Store::read_apart`. The library is already open (and in WAL
/// mode) on its main connection, so this one only reads: it gets the main one's functions and
/// cache, and none of the pragmas that write.
fn open_reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure_reading(&conn)?;
    Ok(conn)
}

/// What a file on disk is, as far as a library goes; found by reading only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// No file there.
    Missing,
    /// A file of zero bytes (a new library may be made in it).
    Empty,
    /// Our library (or an SQLite file without any table), at this schema version.
    Good(i64),
    /// Our library, written by a newer Delegation Desk.
    Newer(i64),
    /// SQLite that fails the quick check.
    Damaged,
    /// Not SQLite, or another program's SQLite file.
    Foreign,
}

/// Looks at a file without writing to it: not SQLite at all, SQLite with someone else's
/// tables, a newer schema, a failing `quick_check`, or a good library.
pub fn classify(path: &Path) -> Result<FileState> {
    let mut header = [0u8; 16];
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileState::Missing),
        Err(e) => return Err(e.into()),
    };
    let read = file.read(&mut header)?;
    if read == 0 {
        return Ok(FileState::Empty);
    }
    if read < 16 || &header != b"SQLite format 3\0" {
        return Ok(FileState::Foreign);
    }
    let Ok(conn) = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) else {
        return Ok(FileState::Damaged);
    };
    let Ok(app_id) = conn.query_row("PRAGMA application_id", [], |r| r.get::<_, i32>(0)) else {
        return Ok(FileState::Foreign);
    };
    let Ok(tables) = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) else {
        // The header says it is ours, but its table list cannot be read.
        if app_id == APPLICATION_ID {
            return Ok(FileState::Damaged);
        }
        return Ok(FileState::Foreign);
    };
    if app_id != APPLICATION_ID && tables > 0 {
        return Ok(FileState::Foreign);
    }
    let Ok(version) = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)) else {
        return Ok(FileState::Damaged);
    };
    if version > SCHEMA_VERSION {
        return Ok(FileState::Newer(version));
    }
    match conn.query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0)) {
        Ok(check) if check == "ok" => Ok(FileState::Good(version)),
        _ => Ok(FileState::Damaged),
    }
}

/// Refuses a file that is not ours before opening it for writing. Reads only.
fn inspect_existing(path: &Path) -> Result<()> {
    match classify(path)? {
        FileState::Missing | FileState::Empty | FileState::Good(_) => Ok(()),
        FileState::Foreign => Err(not_ours(path)),
        FileState::Newer(version) => Err(Error::NotALibrary(format!(
            "{} was written by a newer Delegation Desk (schema {version}); update the app to open it.",
            path.display()
        ))),
        FileState::Damaged => Err(damaged(path)),
    }
}

pub(crate) fn not_ours(path: &Path) -> Error {
    Error::NotALibrary(format!(
        "{} is not a Delegation Desk event library; it was left untouched.",
        path.display()
    ))
}

pub(crate) fn damaged(path: &Path) -> Error {
    Error::Damaged(format!(
        "{} is damaged (the database check failed); it was left untouched.",
        path.display()
    ))
}

/// The schema of a library as `sqlite_master` holds it: kind, name, table and SQL of every
/// table, index, trigger and view (SQLite's own bookkeeping tables left out).
pub(crate) fn schema_of(conn: &Connection) -> Result<std::collections::BTreeSet<[String; 4]>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master
          WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    )?;
    let rows = stmt.query_map([], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The schema this build makes for a library at `version`, built in memory by the same
/// migrations.
pub(crate) fn expected_schema(version: i64) -> Result<std::collections::BTreeSet<[String; 4]>> {
    let conn = Connection::open_in_memory()?;
    for sql in MIGRATIONS.iter().take(version.max(0) as usize) {
        conn.execute_batch(sql)?;
    }
    schema_of(&conn)
}

/// Brings the schema up to date, one transaction per step.
fn migrate(conn: &mut Connection) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
    }
    Ok(())
}

/// Makes a new library beside `path` and renames it into place once it is complete, so that a
/// crash while it is set up never leaves a half-made file at the library's path: switching a
/// fresh file to WAL goes through a rollback journal, and a file killed at that moment (one
/// empty page and a hot journal) cannot even be read without writing to it. The crash
/// harness found this (issue 7).
fn create_library(path: &Path) -> Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    crate::files::create_private_dir(&parent)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "library.sqlite3".into());
    let prefix = format!("{name}.new-");
    // Half-made libraries of earlier crashes carry this prefix. One that is young may be
    // another process's library being made right now (the app and `ddesk` started together):
    // only those left for a while are removed.
    let stale = std::time::Duration::from_secs(600);
    for entry in std::fs::read_dir(&parent)?.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > stale);
        if old && entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    let temp = parent.join(format!(
        "{prefix}{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    let made = (|| -> Result<()> {
        // Created by us, readable by the owner only: the library holds passport numbers.
        drop(crate::files::create_private_file(&temp)?);
        let mut conn = Connection::open(&temp)?;
        configure(&conn)?;
        migrate(&mut conn)?;
        // Everything into the main file, so that it alone is the library once in place.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        drop(conn);
        std::fs::File::open(&temp)?.sync_all()?;
        // Linked into place rather than renamed: a link never replaces a file, so of two
        // processes making the library at once, the second keeps the first one's (into which
        // it may have written already) and drops its own.
        match std::fs::hard_link(&temp, path) {
            Ok(()) => {}
            // An empty file there is a library to be made in that place (as `--db` names it).
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if std::fs::metadata(path)?.len() == 0 {
                    std::fs::rename(&temp, path)?;
                }
            }
            // File systems without links (FAT on a USB stick).
            Err(_) if !path.exists() => std::fs::rename(&temp, path)?,
            Err(_) => {}
        }
        Ok(())
    })();
    for suffix in ["", "-wal", "-shm"] {
        let mut name = temp.clone().into_os_string();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
    made?;
    // The new entry itself must reach the disk; directories cannot be opened on every system.
    if let Ok(dir) = std::fs::File::open(&parent) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// What a batch write returns: its id (for undo and the change log) and `f`'s value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Batch<T> {
    pub batch_id: String,
    pub value: T,
}

/// What `doctor` found.
#[derive(Debug, Serialize)]
pub struct Health {
    pub integrity: Vec<String>,
    pub foreign_key_problems: i64,
    pub schema_version: i64,
    pub counts: Vec<(String, i64)>,
}

impl Health {
    pub fn is_ok(&self) -> bool {
        self.integrity == ["ok"] && self.foreign_key_problems == 0
    }
}

/// Per-table behaviour on top of the generic record functions.
pub trait Entity: Record + Validate {
    /// Records that a delete would take along; `Some((count, sentence))` makes a delete without
    /// `cascade` fail with a conflict the officer can confirm.
    fn dependents(_conn: &Connection, _id: &str) -> Result<Option<(i64, String)>> {
        Ok(None)
    }
    /// Keeps derived columns in step after an update, or after undo writes a row back.
    fn after_write(&self, _tx: &Transaction<'_>) -> Result<()> {
        Ok(())
    }
    /// Derived columns written with a new row itself: computing them first spares an import
    /// an UPDATE per row, and the derive triggers that UPDATE would fire.
    fn derived_on_insert(&self, _tx: &Transaction<'_>) -> Result<Vec<(&'static str, String)>> {
        Ok(Vec::new())
    }
    /// Writes the other records a save of this one keeps in step, in the same transaction and
    /// change-log batch (`StepBatch::id` makes one when the save had none, so that one undo takes
    /// all of it back). Run by `save` only: undo writes rows back as they were, nothing more.
    fn keep_in_step(&self, _tx: &Transaction<'_>, _batch: &mut StepBatch) -> Result<()> {
        Ok(())
    }
    /// The event a change-log entry about this record belongs to. The default reads it from
    /// the record's JSON; the records an import writes by the thousand say it directly.
    fn log_event(&self, conn: &Connection) -> Result<Option<String>> {
        event_of(conn, Self::TABLE, &serde_json::to_value(self)?)
    }
}

fn count(conn: &Connection, sql: &str, id: &str) -> Result<i64> {
    Ok(conn.query_row(sql, [id], |r| r.get(0))?)
}

impl Entity for Event {}

// The delegation's head field is the one truth about who heads it, and the officials'
// category shows it: saving an official as Head of delegation makes them their delegation's
// head; saving a delegation's head makes a plain delegate of it its Head of delegation (a VIP
// or staff head keeps that category) and any other official marked Head of delegation a
// delegate. Imports of new officials do not: their preview is what the officer approved, and
// the check `head_of_delegation_disagrees` points at what is left to settle.
impl Entity for Delegation {
    fn keep_in_step(&self, tx: &Transaction<'_>, batch: &mut StepBatch) -> Result<()> {
        let marked: Vec<Official> = load_where(
            tx,
            "x.delegation_id = ? AND x.category = 'head_of_delegation'",
            &self.id,
        )?;
        let head = self.head_official_id.as_deref();
        for mut o in marked.into_iter().filter(|o| Some(o.id.as_str()) != head) {
            o.category = Category::Delegate;
            let id = batch.id(tx)?;
            save(tx, o, Some(&id))?;
        }
        if let Some(head) = head {
            let mut o: Official = get(tx, head)?;
            if o.category == Category::Delegate {
                o.category = Category::HeadOfDelegation;
                let id = batch.id(tx)?;
                save(tx, o, Some(&id))?;
            }
        }
        Ok(())
    }

    fn dependents(conn: &Connection, id: &str) -> Result<Option<(i64, String)>> {
        let n = count(
            conn,
            "SELECT count(*) FROM official WHERE delegation_id = ?",
            id,
        )?;
        Ok((n > 0).then(|| {
            (
                n,
                format!(
                    "This delegation still has {}. Delete them with it, or move them to another delegation first.",
                    crate::text::counted(n, "official", None)
                ),
            )
        }))
    }
    fn after_write(&self, tx: &Transaction<'_>) -> Result<()> {
        refresh_search(tx, "delegation_id = ?", &self.id)
    }
    fn log_event(&self, _conn: &Connection) -> Result<Option<String>> {
        Ok(Some(self.event_id.clone()))
    }
}

impl Entity for Official {
    fn keep_in_step(&self, tx: &Transaction<'_>, batch: &mut StepBatch) -> Result<()> {
        let (Category::HeadOfDelegation, Some(delegation_id)) =
            (self.category, self.delegation_id.as_deref())
        else {
            return Ok(());
        };
        let mut d: Delegation = get(tx, delegation_id)?;
        if d.head_official_id.as_deref() != Some(self.id.as_str()) {
            d.head_official_id = Some(self.id.clone());
            let id = batch.id(tx)?;
            save(tx, d, Some(&id))?;
        }
        Ok(())
    }

    fn after_write(&self, tx: &Transaction<'_>) -> Result<()> {
        refresh_search(tx, "id = ?", &self.id)
    }
    fn derived_on_insert(&self, tx: &Transaction<'_>) -> Result<Vec<(&'static str, String)>> {
        let parts = vec![
            self.family_name.clone(),
            self.given_name.clone(),
            self.native_name.clone(),
            self.badge_name.clone(),
            self.organization.clone(),
            self.position.clone(),
            self.email.clone(),
            self.passport_number.clone(),
            self.nationality.clone(),
        ];
        let text = search_text(tx, parts, self.delegation_id.as_deref())?;
        Ok(vec![("search_text", text)])
    }
    fn log_event(&self, _conn: &Connection) -> Result<Option<String>> {
        Ok(Some(self.event_id.clone()))
    }
}

/// The event of a flight or stay, through its official.
fn event_of_official(conn: &Connection, official_id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT event_id FROM official WHERE id = ?")?
        .query_row([official_id], |r| r.get(0))
        .optional()?)
}

impl Entity for Travel {
    fn log_event(&self, conn: &Connection) -> Result<Option<String>> {
        event_of_official(conn, &self.official_id)
    }
    fn derived_on_insert(&self, tx: &Transaction<'_>) -> Result<Vec<(&'static str, String)>> {
        // The very expressions of the insert trigger (schema v4), which stands aside for a row
        // that comes with them (v6).
        let (event, text): (String, String) = tx
            .prepare_cached(
                "SELECT coalesce((SELECT o.event_id FROM official o WHERE o.id = ?1), ''),
                        coalesce((SELECT o.search_text FROM official o WHERE o.id = ?1), '')
                            || ' ' || lower(?2 || ' ' || ?3 || ' ' || ?4 || ' ' || ?5)",
            )?
            .query_row(
                rusqlite::params![
                    self.official_id,
                    self.flight,
                    self.origin,
                    self.airport,
                    self.greeter
                ],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
        Ok(derived_pair(event, text))
    }
}

/// The derived columns of a flight or stay; none when its official is not found, so the
/// trigger fills them as it always did.
fn derived_pair(event: String, text: String) -> Vec<(&'static str, String)> {
    if event.is_empty() {
        Vec::new()
    } else {
        vec![("event_id", event), ("search_text", text)]
    }
}

impl Entity for Hotel {
    fn dependents(conn: &Connection, id: &str) -> Result<Option<(i64, String)>> {
        let n = count(
            conn,
            "SELECT (SELECT count(*) FROM stay WHERE hotel_id = ?1) + (SELECT count(*) FROM room_block WHERE hotel_id = ?1)",
            id,
        )?;
        Ok((n > 0).then(|| {
            (
                n,
                format!("This hotel still has {n} room block(s) and stay(s); they would be deleted with it."),
            )
        }))
    }
}

impl Entity for RoomBlock {}

impl Entity for Stay {
    fn log_event(&self, conn: &Connection) -> Result<Option<String>> {
        event_of_official(conn, &self.official_id)
    }
    fn derived_on_insert(&self, tx: &Transaction<'_>) -> Result<Vec<(&'static str, String)>> {
        // What the insert trigger (schema v4) computes, with the new row's values as
        // parameters. Its joins are written as lookups: with parameters in join constraints,
        // SQLite planned the cached statement afresh on every call.
        let (event, text): (String, String) = tx
            .prepare_cached(
                "SELECT coalesce((SELECT event_id FROM official WHERE id = ?1), ''),
                        coalesce((SELECT search_text FROM official WHERE id = ?1) || ' ' || lower(
                            (SELECT name FROM hotel WHERE id = ?2) || ' '
                            || coalesce((SELECT room_type FROM room_block WHERE id = ?3), '') || ' '
                            || ?4 || ' '
                            || coalesce((SELECT family_name || ' ' || given_name FROM official WHERE id = ?5), '')),
                        '')",
            )?
            .query_row(
                rusqlite::params![
                    self.official_id,
                    self.hotel_id,
                    self.room_block_id,
                    self.room_number,
                    self.shares_with_id
                ],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
        Ok(derived_pair(event, text))
    }
}

impl Entity for Venue {
    fn dependents(conn: &Connection, id: &str) -> Result<Option<(i64, String)>> {
        let n = count(
            conn,
            "SELECT count(*) FROM venue_room WHERE venue_id = ?",
            id,
        )?;
        Ok((n > 0).then(|| {
            (
                n,
                format!(
                    "This venue still has {}; they would be deleted with it, and their sessions would have no room.",
                    crate::text::counted(n, "room", None)
                ),
            )
        }))
    }
}

impl Entity for VenueRoom {
    fn dependents(conn: &Connection, id: &str) -> Result<Option<(i64, String)>> {
        let n = count(
            conn,
            "SELECT count(*) FROM session WHERE venue_room_id = ?",
            id,
        )?;
        Ok((n > 0).then(|| {
            (
                n,
                format!(
                    "{} in this room; they would be left without a room.",
                    if n == 1 {
                        "1 session takes place".to_string()
                    } else {
                        format!("{n} sessions take place")
                    }
                ),
            )
        }))
    }
}

impl Entity for Session {}
impl Entity for Participant {}

/// Recomputes `official.search_text` for the officials matched by `filter` (one `?`).
fn refresh_search(tx: &Transaction<'_>, filter: &str, id: &str) -> Result<()> {
    // The delegation is looked up per official rather than joined: with the join, SQLite
    // re-planned the cached statement on every call, which dominated an import's inserts.
    let sql = format!(
        "SELECT id, family_name, given_name, native_name, badge_name, organization, position,
                email, passport_number, nationality, delegation_id
           FROM official WHERE {filter}"
    );
    let mut select = tx.prepare_cached(&sql)?;
    let mut update = tx.prepare_cached("UPDATE official SET search_text = ? WHERE id = ?")?;
    let rows = select
        .query_map([id], |r| {
            let mut parts = Vec::with_capacity(16);
            for i in 1..10 {
                parts.push(r.get::<_, String>(i)?);
            }
            Ok((
                r.get::<_, String>(0)?,
                parts,
                r.get::<_, Option<String>>(10)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (official_id, parts, delegation_id) in rows {
        let text = search_text(tx, parts, delegation_id.as_deref())?;
        update.execute([&text, &official_id])?;
    }
    Ok(())
}

/// An official's folded search text from its own words (family, given, native and badge
/// names, organization, position, email, passport number, nationality, in that order) and
/// its delegation's names.
fn search_text(
    conn: &Connection,
    mut parts: Vec<String>,
    delegation_id: Option<&str>,
) -> Result<String> {
    let names = match delegation_id {
        Some(d) => conn
            .prepare_cached(
                "SELECT name_en, name_ko, coalesce(country_code, org_code, '') FROM delegation WHERE id = ?",
            )?
            .query_row([d], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?]))
            .optional()?,
        None => None,
    };
    parts.extend(names.unwrap_or_default());
    // The nationality's names make "Viet Nam" or "베트남" find an official whose
    // delegation is an organisation.
    if let Some(country) = crate::reference::country(&parts[8]) {
        parts.push(country.name_en.clone());
        parts.push(country.name_ko.clone());
    }
    // Passport names are also typed "Given Family".
    parts.push(format!("{} {}", parts[1], parts[0]));
    Ok(fold(&parts.join("\u{1f}")))
}

/// Recomputes the search text of every official of an event (after a bulk load).
pub fn refresh_event_search(tx: &Transaction<'_>, event_id: &str) -> Result<()> {
    refresh_search(tx, "event_id = ?", event_id)
}

/// The full id of a record named by its whole id or by a unique beginning of at least 8
/// characters (what a person copies from a listing), for the command line. `table` is one of
/// the record tables; the sentence names what was not found or which ids it could be.
pub fn resolve_id(conn: &Connection, table: &'static str, given: &str) -> Result<String> {
    let noun = with_record_type!(table, R => Ok(R::NOUN))?;
    let given = given.trim();
    if given.len() == 36 || given.len() < 8 {
        // A whole id (or too short to be a prefix) is looked up as it is.
        let sql = format!("SELECT id FROM {table} WHERE id = ?");
        return conn
            .query_row(&sql, [given], |r| r.get(0))
            .optional()?
            .ok_or(Error::NotFound { entity: noun });
    }
    // Ids are lower-case hex and hyphens; anything else cannot begin one.
    if !given.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(Error::NotFound { entity: noun });
    }
    let sql =
        format!("SELECT id FROM {table} WHERE id >= ?1 AND id < ?1 || 'g' ORDER BY id LIMIT 3");
    let found: Vec<String> = conn
        .prepare(&sql)?
        .query_map([given.to_ascii_lowercase()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Error::NotFound { entity: noun }),
        _ => Err(Error::field(
            "id",
            "ambiguous_id",
            format!(
                "{given} begins more than one {noun} id ({}…); give more of it.",
                found.join(", ")
            ),
        )),
    }
}

/// The settings the window may read and write by name, with the values each takes. The rest
/// (remembered mappings, print offsets and colours) are written by the engine's own calls,
/// which check their values; a window that could set any key could plant a mapping or an
/// offset no form would accept (issue 15).
pub const WINDOW_SETTINGS: &[&str] = &["language", OFFICER_NAME, OFFICER_INITIALS];

/// The documents of the Print tab, each with its own language on paper
/// (`print.language.<document>`: en, ko, or both for the lists; badges en or ko).
pub const PRINT_DOCUMENTS: &[&str] = &[
    "badges",
    "participants",
    "signin",
    "delegation",
    "rooming",
    "arrivals",
    "departures",
];

/// Whether the window may read (`value` None) or write `key` = `value`.
pub fn check_window_setting(key: &str, value: Option<&str>) -> Result<()> {
    if let Some(document) = key.strip_prefix("print.language.") {
        let allowed: &[&str] = if document == "badges" {
            &["en", "ko"]
        } else {
            &["en", "ko", "both"]
        };
        return match value {
            _ if !PRINT_DOCUMENTS.contains(&document) => Err(Error::field(
                "key",
                "invalid_value",
                "That is not a document of the Print tab.",
            )),
            Some(v) if !allowed.contains(&v) => Err(Error::field(
                "value",
                "invalid_value",
                format!("The language on paper is one of {}.", allowed.join(", ")),
            )),
            _ => Ok(()),
        };
    }
    if !WINDOW_SETTINGS.contains(&key) {
        return Err(Error::field(
            "key",
            "invalid_value",
            "That is not a setting the window keeps.",
        ));
    }
    let Some(value) = value else {
        return Ok(());
    };
    let fits = match key {
        "language" => ["en", "ko"].contains(&value),
        OFFICER_NAME => {
            let v = value.trim();
            !v.is_empty() && v.chars().count() <= 100 && !v.chars().any(char::is_control)
        }
        _ => {
            let v = value.trim();
            !v.is_empty() && v.chars().count() <= 5 && v.chars().all(char::is_alphanumeric)
        }
    };
    if fits {
        Ok(())
    } else {
        Err(Error::field(
            "value",
            "invalid_value",
            match key {
                "language" => "The language is en or ko.",
                OFFICER_NAME => "Your name: 1 to 100 characters, on one line.",
                _ => "Initials: 1 to 5 letters or digits.",
            },
        ))
    }
}

/// The officer's own name, kept in the library (`officer.name`, set in the window's banner or
/// header): every change-log entry, the window's and `ddesk`'s, is written under it (issue 25).
/// Without it, the OS user name.
pub const OFFICER_NAME: &str = "officer.name";
/// The officer's initials, for the places a name does not fit.
pub const OFFICER_INITIALS: &str = "officer.initials";

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
fn log_change_at(tx: &Transaction<'_>, change: Change<'_>, now: &str) -> Result<()> {
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

/// Runs `$body` with `$R` bound to the record type stored in table `$table`.
macro_rules! with_record_type {
    ($table:expr, $R:ident => $body:expr) => {
        match $table {
            "event" => {
                type $R = Event;
                $body
            }
            "delegation" => {
                type $R = Delegation;
                $body
            }
            "official" => {
                type $R = Official;
                $body
            }
            "travel" => {
                type $R = Travel;
                $body
            }
            "hotel" => {
                type $R = Hotel;
                $body
            }
            "room_block" => {
                type $R = RoomBlock;
                $body
            }
            "stay" => {
                type $R = Stay;
                $body
            }
            "venue" => {
                type $R = Venue;
                $body
            }
            "venue_room" => {
                type $R = VenueRoom;
                $body
            }
            "session" => {
                type $R = Session;
                $body
            }
            "participant" => {
                type $R = Participant;
                $body
            }
            other => Err(Error::Internal(
                format!("no record type for table {other:?}").into(),
            )),
        }
    };
}
pub(crate) use with_record_type;

/// A stored row as the change log keeps it (the record's JSON), read by table name.
pub(crate) fn read_json(
    conn: &Connection,
    table: &str,
    id: &str,
) -> Result<Option<serde_json::Value>> {
    with_record_type!(table, R => {
        match find::<R>(conn, id)? {
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

/// Reads one record by id, if there is one.
pub fn find<R: Record>(conn: &Connection, id: &str) -> Result<Option<R>> {
    let sql = format!(
        "SELECT {} FROM {} x WHERE x.id = ?",
        R::select("x"),
        R::TABLE
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    Ok(stmt.query_row([id], R::from_row).optional()?)
}

/// Reads the records where `filter` (about the table as `x`, one `?` for `id`) holds:
/// `load_where::<Stay>(conn, "x.official_id = ?", id)`.
pub fn load_where<R: Record>(conn: &Connection, filter: &str, id: &str) -> Result<Vec<R>> {
    let sql = format!(
        "SELECT {} FROM {} x WHERE {filter}",
        R::select("x"),
        R::TABLE
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([id], R::from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Reads one record by id.
pub fn get<R: Record>(conn: &Connection, id: &str) -> Result<R> {
    find(conn, id)?.ok_or(Error::NotFound { entity: R::NOUN })
}

/// The id of a new record or change-log entry. Time-ordered (v7: a millisecond clock, then
/// 74 random bits, so two laptops still never collide), so new rows go into the primary-key
/// and link indexes at their ends: random v4 ids made an import of thousands of rows split
/// pages all over every index.
fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Validates and writes a record: creates it when its id is empty, else updates it.
/// A setting's value, on a connection already open (an import's remembered mappings).
pub fn read_setting(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM setting WHERE key = ?", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Writes a setting, on a connection already open (inside an import's transaction).
pub fn write_setting(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO setting (key, value, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        rusqlite::params![key, value, Utc::now()],
    )?;
    Ok(())
}

pub fn save<R: Entity>(tx: &Transaction<'_>, record: R, batch: Option<&str>) -> Result<R> {
    let saved = if record.id().is_empty() {
        let mut record = record;
        record.set_meta(new_id(), Utc::now(), Utc::now());
        insert(tx, record, batch)?
    } else {
        update(tx, record, batch)?
    };
    let mut batch = StepBatch {
        id: batch.map(str::to_string),
        table: R::TABLE,
        record: saved.id().to_string(),
    };
    saved.keep_in_step(tx, &mut batch)?;
    Ok(saved)
}

/// The change-log batch a save and the records it keeps in step share.
#[derive(Debug)]
pub struct StepBatch {
    id: Option<String>,
    table: &'static str,
    record: String,
}

impl StepBatch {
    /// The batch id, made the first time a save has to write another record: the save's own
    /// log entry (written without one) joins it, so that one undo takes all of it back, and a
    /// save that keeps nothing else in step stays a single change.
    pub fn id(&mut self, tx: &Transaction<'_>) -> Result<String> {
        if let Some(id) = &self.id {
            return Ok(id.clone());
        }
        let id = uuid::Uuid::new_v4().to_string();
        tx.execute(
            "UPDATE change_log SET batch_id = ?1 WHERE seq = (SELECT max(seq) FROM change_log
             WHERE entity = ?2 AND entity_id = ?3)",
            rusqlite::params![id, self.table, self.record],
        )?;
        self.id = Some(id.clone());
        Ok(id)
    }
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
    let before: R = get(tx, record.id())?;
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
pub(crate) fn begin_write(conn: &mut Connection) -> Result<Transaction<'_>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version != SCHEMA_VERSION {
        return Err(Error::SchemaChanged(format!(
            "The event library was changed to a newer format (schema {version}) by a newer Delegation Desk while this one was open; nothing was saved. Close this window and use the newer version."
        )));
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
    let when = match &by {
        Some((actor, at)) => format!(" (by {actor}, {} UTC)", at.format("%Y-%m-%d %H:%M")),
        None => String::new(),
    };
    Error::Changed {
        message: format!(
            "This {} was changed elsewhere{when} after you opened it, so your changes were not saved. Reload it: what you typed is kept.",
            R::NOUN
        ),
        current: serde_json::to_value(stored).unwrap_or_default(),
    }
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
    let before: R = get(tx, id)?;
    if !cascade {
        if let Some((count, message)) = R::dependents(tx, id)? {
            return Err(Error::Conflict { message, count });
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
    Ok(effects.deleted.len())
}

impl Store {
    /// Opens (or creates) the library at `path`. A file that is not a library, or is damaged,
    /// is refused and left exactly as it was.
    pub fn open(path: &Path) -> Result<Store> {
        // A missing or empty file becomes a new library whole; anything else is checked,
        // read-only, before it is opened for writing.
        let existing = path.exists() && std::fs::metadata(path)?.len() > 0;
        if existing {
            inspect_existing(path)?;
            // Libraries made before files were private (issue 15); on read-only media this
            // cannot change anything, and need not.
            let _ = crate::files::make_private(path);
        } else {
            create_library(path)?;
        }
        let mut conn = Connection::open(path)?;
        configure(&conn)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > 0 && version < SCHEMA_VERSION {
            // A migration rewrites tables; the library as the older app left it stays at hand.
            crate::backup::make_backup(&conn, path, BackupReason::BeforeMigration)?;
        }
        migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            apart: Mutex::new(None),
            path: Some(path.to_path_buf()),
            checkpoint: Mutex::new(None),
        })
    }

    /// A private library in memory, for tests and dry runs.
    pub fn open_in_memory() -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        configure(&conn)?;
        migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            apart: Mutex::new(None),
            path: None,
            checkpoint: Mutex::new(None),
        })
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock rolled its transaction back on unwind; the
        // connection itself is still usable.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` with read access.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.lock();
        f(&conn)
    }

    /// Runs `f` with read access on a read-only connection of its own, for reads of a whole
    /// event (the dashboard and its checks, a print run, an export). The dashboard reloads
    /// after every save; on the one connection, the officer's next keystroke in a search
    /// would wait behind it. Here `f` sees what was committed when it began (WAL keeps the
    /// two apart), which is all a caller of `read` could see too. A library in memory has one
    /// connection only, so there this is `read`.
    pub fn read_apart<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        if self.path.is_none() {
            return self.read(f);
        }
        self.with_reader(|conn| {
            // One read transaction around all of `f`: a whole event read in several queries is
            // read from one state of the library, even if a save commits halfway through.
            let out = conn
                .execute_batch("BEGIN")
                .map_err(Error::from)
                .and_then(|()| f(conn));
            let ended = conn.execute_batch("COMMIT");
            let out = out?;
            ended?;
            Ok(out)
        })
    }

    /// Runs `f` on the read-only connection of `read_apart`, as it is (no transaction around
    /// it: `VACUUM INTO`, which backups use, runs only outside one). Only for a library file.
    pub(crate) fn with_reader<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let Some(path) = &self.path else {
            return Err(Error::NotFound {
                entity: "library file",
            });
        };
        let mut slot = self.apart.lock().unwrap_or_else(|e| e.into_inner());
        let conn = match slot.take() {
            Some(conn) => conn,
            None => open_reader(path)?,
        };
        let out = f(&conn);
        // A connection left inside a transaction (its COMMIT failed) is not handed out again.
        if conn.is_autocommit() {
            *slot = Some(conn);
        }
        out
    }

    /// Runs `f` in one write transaction: all of it is committed, or none of it.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = begin_write(&mut conn)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    pub fn get<R: Record>(&self, id: &str) -> Result<R> {
        self.read(|conn| get(conn, id))
    }

    pub fn save<R: Entity>(&self, record: R) -> Result<R> {
        self.write(|tx| save(tx, record, None))
    }

    /// Deletes a record (see [`delete`]). A delete that would take more than one other record
    /// along (a delegation with its officials, an event…) backs the library up first.
    pub fn delete<R: Entity>(&self, id: &str, cascade: bool) -> Result<()> {
        if self.path.is_some() {
            let effects = self.read(|conn| {
                if cascade || R::dependents(conn, id)?.is_none() {
                    cascade_of(conn, R::TABLE, id)
                } else {
                    // Refused below without touching anything; no backup needed.
                    Ok(Cascade::default())
                }
            })?;
            if effects.deleted.len() > 2 {
                self.auto_backup(BackupReason::BeforeBulkDelete)?;
            }
        }
        self.write(|tx| delete::<R>(tx, id, cascade))
    }

    /// Runs `f` in one write transaction under a fresh batch id, which `f` passes to the
    /// write functions (`save`, `insert`, `delete_in_batch`, `roster::add_in_batch`) so that
    /// everything it writes is one step in the change log and is undone together.
    pub fn write_batch<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>, &str) -> Result<T>,
    ) -> Result<Batch<T>> {
        let batch_id = uuid::Uuid::new_v4().to_string();
        let value = self.write(|tx| f(tx, &batch_id))?;
        Ok(Batch { batch_id, value })
    }

    /// An import: backs the library up (when it is a file), then runs `f` as one batch. All of
    /// the import is committed, or none of it.
    ///
    /// An import of thousands of rows leaves tens of megabytes in the write-ahead log, and the
    /// checkpoint SQLite runs inside such a commit (copying them all into the file and syncing
    /// it) was a tenth of the officer's wait. The commit is durable without it — the log is
    /// synced and read like the file — so for an import the copy runs afterwards, on a
    /// connection of its own, while the window goes on.
    pub fn import<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>, &str) -> Result<T>,
    ) -> Result<Batch<T>> {
        self.auto_backup(BackupReason::BeforeImport)?;
        let Some(path) = self.path.clone() else {
            return self.write_batch(f);
        };
        let mut slot = self.checkpoint.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(running) = slot.take() {
            let _ = running.join();
        }
        self.lock().pragma_update(None, "wal_autocheckpoint", 0)?;
        let written = self.write_batch(f);
        self.lock()
            .pragma_update(None, "wal_autocheckpoint", AUTO_CHECKPOINT_PAGES)?;
        let written = written?;
        *slot = Some(std::thread::spawn(move || {
            // Should it fail (the library busy, or gone), the next commit's own checkpoint
            // copies the log instead; nothing is lost either way.
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            if let Ok(conn) = Connection::open_with_flags(&path, flags) {
                let _ = conn.busy_timeout(std::time::Duration::from_secs(5));
                let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            }
        }));
        Ok(written)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.read(|conn| read_setting(conn, key))
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.write(|tx| write_setting(tx, key, value))
    }

    /// Full integrity and foreign-key check, with row counts.
    pub fn health(&self) -> Result<Health> {
        self.read(|conn| {
            let mut stmt = conn.prepare("PRAGMA integrity_check")?;
            let integrity = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
            let mut foreign_key_problems = 0;
            let mut rows = stmt.query([])?;
            while rows.next()?.is_some() {
                foreign_key_problems += 1;
            }
            let schema_version = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            let mut counts = Vec::new();
            for table in [
                "event",
                "delegation",
                "official",
                "travel",
                "hotel",
                "room_block",
                "stay",
                "venue",
                "venue_room",
                "session",
                "participant",
                "change_log",
            ] {
                let n: i64 =
                    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
                counts.push((table.to_string(), n));
            }
            Ok(Health {
                integrity,
                foreign_key_problems,
                schema_version,
                counts,
            })
        })
    }
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
