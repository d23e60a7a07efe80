//! The library file itself: recognising it (ours, another program's, damaged, newer),
//! making a new one without ever leaving half of it in place, the connection settings and the
//! migrations that bring an older file up to date.

use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use serde::Serialize;

use super::key::Key;
use crate::error::{Error, Result};
use crate::words::Text;

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
    include_str!("schema/v9.sql"),
    include_str!("schema/v10.sql"),
    include_str!("schema/v11.sql"),
    include_str!("schema/v12.sql"),
    include_str!("schema/v13.sql"),
    include_str!("schema/v14.sql"),
];

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

/// SQLite's own threshold (pages of log) for the checkpoint a commit runs by itself.
pub(super) const AUTO_CHECKPOINT_PAGES: i64 = 1000;

pub(super) fn configure(conn: &Connection) -> Result<()> {
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

/// Opens `path` with `key` given before anything is read (SQLCipher's rule).
pub(crate) fn connect(path: &Path, flags: OpenFlags, key: &Key) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    key.apply(&conn)?;
    Ok(conn)
}

/// Opens `path` for reading and writing (creating it), with `key`.
pub(crate) fn connect_rw(path: &Path, key: &Key) -> Result<Connection> {
    connect(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        key,
    )
}

/// The read-only connection of `Store::read_apart`. The library is already open (and in WAL
/// mode) on its main connection, so this one only reads: it gets the main one's functions and
/// cache, and none of the pragmas that write.
pub(super) fn open_reader(path: &Path, key: &Key) -> Result<Connection> {
    let conn = connect(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        key,
    )?;
    configure_reading(&conn)?;
    Ok(conn)
}

/// Whether the file at `path` begins as plain SQLite does; an encrypted library begins with
/// its random salt instead.
pub fn is_plain_sqlite(path: &Path) -> Result<bool> {
    let mut header = [0u8; 16];
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    let read = file.read(&mut header)?;
    Ok(read == 16 && &header == b"SQLite format 3\0")
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
/// tables, a newer schema, a failing `quick_check`, or a good library. A plain SQLite file is
/// read as it is; any other is tried with `key` (an encrypted library whose key this is),
/// and is foreign when that does not open it.
pub fn classify(path: &Path, key: &Key) -> Result<FileState> {
    classify_with(path, key, true)
}

/// [`classify`], with `quick_check` left out when the caller knows the file passed it as it
/// is (`verified`).
fn classify_with(path: &Path, key: &Key, quick_check: bool) -> Result<FileState> {
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
    let plain = read == 16 && &header == b"SQLite format 3\0";
    if !plain && (!key.is_encrypted() || read < 16) {
        return Ok(FileState::Foreign);
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let opened = if plain {
        Connection::open_with_flags(path, flags).map_err(Error::from)
    } else {
        connect(path, flags, key)
    };
    let Ok(conn) = opened else {
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
    if !quick_check {
        return Ok(FileState::Good(version));
    }
    match conn.query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0)) {
        Ok(check) if check == "ok" => Ok(FileState::Good(version)),
        _ => Ok(FileState::Damaged),
    }
}

/// Refuses a file that is not ours before opening it for writing. Reads only. Returns when
/// the file passed its `quick_check`: now, or at an earlier open that left it as it is.
pub(super) fn inspect_existing(path: &Path, key: &Key) -> Result<u64> {
    let trusted = super::verified::trusted(path);
    match classify_with(path, key, trusted.is_none())? {
        FileState::Missing | FileState::Empty | FileState::Good(_) => {
            Ok(trusted.unwrap_or_else(super::verified::now))
        }
        FileState::Foreign => Err(not_ours(path)),
        FileState::Newer(version) => Err(newer(path, version)),
        FileState::Damaged => Err(damaged(path)),
    }
}

pub(crate) fn not_ours(path: &Path) -> Error {
    Error::NotALibrary(Text::new("error-not_ours").with("file", path.display().to_string()))
}

pub(crate) fn damaged(path: &Path) -> Error {
    Error::Damaged(Text::new("error-damaged_file").with("file", path.display().to_string()))
}

/// A library a newer Delegation Desk wrote.
pub(crate) fn newer(path: &Path, version: i64) -> Error {
    Error::NotALibrary(
        Text::new("error-newer")
            .with("file", path.display().to_string())
            .with("version", version),
    )
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

/// Opens the library at `path` for writing, configured, not yet migrated. A missing or empty
/// file becomes a new library whole; anything else is checked, read-only, before it is opened
/// for writing: a file that is not a library, or is damaged, is refused and left as it was.
/// Opens the library file for reading and writing (made when missing), with when it passed
/// its `quick_check` (a new file: now).
pub(super) fn open_file(path: &Path, key: &Key) -> Result<(Connection, u64)> {
    let existing = path.exists() && std::fs::metadata(path)?.len() > 0;
    let checked_at = if existing {
        let at = inspect_existing(path, key)?;
        // Libraries made before files were private (issue 15); on read-only media this
        // cannot change anything, and need not.
        let _ = crate::files::make_private(path);
        at
    } else {
        create_library(path, key)?;
        super::verified::now()
    };
    let conn = connect_rw(path, key)?;
    configure(&conn)?;
    Ok((conn, checked_at))
}

/// Whether the library is one an older build made, which a migration will rewrite.
pub(super) fn is_older(conn: &Connection) -> Result<bool> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    Ok(version > 0 && version < SCHEMA_VERSION)
}

/// Brings the schema up to date, one transaction per step.
pub(super) fn migrate(conn: &mut Connection) -> Result<()> {
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
fn create_library(path: &Path, key: &Key) -> Result<()> {
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
        let mut conn = connect_rw(&temp, key)?;
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

/// Full integrity and foreign-key check, with row counts (`doctor`).
pub(super) fn health(conn: &Connection) -> Result<Health> {
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
    for table in crate::model::RECORD_TABLES.iter().chain(&["change_log"]) {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        counts.push((table.to_string(), n));
    }
    Ok(Health {
        integrity,
        foreign_key_problems,
        schema_version,
        counts,
    })
}

/// Copies the write-ahead log into the library file on a connection of its own, while the
/// window goes on (after an import). Should it fail (the library busy, or gone), the next
/// commit's own checkpoint copies the log instead; nothing is lost either way.
pub(super) fn checkpoint_apart(path: PathBuf, key: Key) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if let Ok(conn) = connect(&path, flags, &key) {
            let _ = conn.busy_timeout(std::time::Duration::from_secs(5));
            let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        }
    })
}
