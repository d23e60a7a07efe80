//! The event library: one SQLite file, opened safely, migrated, and written only through
//! validated, logged, single-transaction operations. `Store` is the facade; each concern has
//! a file of its own:
//!
//! - `file`: recognising, creating, configuring and migrating the library file;
//! - `write`: validated, logged writes and deletes;
//! - `entity`: what each record type adds (dependents, derived columns, search text);
//! - `log`: the change log and the cascades of a delete;
//! - `settings`: settings, the window's allowed ones and the officer's name;
//! - `key`: the library's key and how it is kept (credential store, passphrase, recovery code);
//! - `convert`: a plaintext library and its backups encrypted on first open;
//! - `backup`: backups and restore;
//! - `purge`: an event's personal data removed from the library, its log and its backups;
//! - `history`: the change log read back, and outputs recorded;
//! - `undo`: undo of a step or a batch;
//! - `sync`: team sync: changes recorded per shared event, bundles, merges and conflicts;
//! - `names`: an event's officials' search texts in memory, for search as the officer types.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, Transaction};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::*;

/// The table of a record type named on the command line.
fn record_kind(kind: &str) -> Result<&'static str> {
    let wanted = kind.trim().replace('-', "_");
    RECORD_TABLES
        .iter()
        .copied()
        .find(|k| *k == wanted)
        .ok_or_else(|| {
            Error::field(
                "kind",
                "invalid_value",
                crate::words::Text::new("error-record_kind")
                    .with("kind", kind)
                    .with("kinds", RECORD_TABLES.join(", ")),
            )
        })
}

/// Now, as the library writes times.
pub(crate) fn now_text() -> String {
    log::sql_time(chrono::Utc::now())
}

pub mod backup;
mod convert;
mod entity;
mod file;
pub mod history;
pub mod key;
mod log;
mod names;
pub use names::NameIndex;
pub mod purge;
mod settings;
pub mod sync;
pub mod undo;
mod verified;
mod write;

pub use convert::Conversion;
pub(crate) use entity::refresh_search as refresh_search_of;
pub use entity::{refresh_event_search, resolve_id, Entity, InStep};
pub use file::{
    classify, default_library_path, is_plain_sqlite, FileState, Health, APPLICATION_ID,
    APP_IDENTIFIER, SCHEMA_VERSION,
};
pub use key::{Key, Protection, Unlock};
pub(crate) use log::{cascade_of, read_json, Cascade};
pub use settings::{
    check_window_setting, officer_name, read_setting, write_setting, OFFICER_INITIALS,
    OFFICER_NAME, PRINT_DOCUMENTS, WINDOW_SETTINGS,
};
pub(crate) use write::{
    begin_write, insert_checked, log_received_change, put_back, ReceivedChange,
};
pub use write::{delete, delete_in_batch, insert, save};

use backup::{BackupInfo, BackupReason};
use history::{ChangeEntry, Output};
use undo::{UndoReport, UndoStep};

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
    /// The library's key (plaintext for a library in memory).
    key: Key,
    /// What opening did that the officer must be told once: a new key's recovery code, a
    /// plaintext library converted.
    notice: Mutex<Option<OpenNotice>>,
    /// When the library file passed its `quick_check` (at this open, or at an earlier one
    /// that left the file as this one found it): remembered again at close (`verified`).
    checked_at: Option<u64>,
    /// The officials list's search texts of the event searched last (`read_names`), locked
    /// only while `conn` is.
    names: Mutex<Option<NameIndex>>,
}

/// Told once, after a library was opened: the recovery code of a key made now (shown once,
/// to print and keep), and what converting a plaintext library did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OpenNotice {
    pub recovery_code: Option<String>,
    pub converted: Option<Conversion>,
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
        // The file as this app leaves it (the log folded in) vouched for by the check it
        // passed, so that the next open need not read every page again.
        if let (Some(path), Some(at)) = (self.path.clone(), self.checked_at) {
            if let Ok(memory) = Connection::open_in_memory() {
                let conn = self.conn.get_mut().unwrap_or_else(|e| e.into_inner());
                drop(std::mem::replace(conn, memory));
                verified::remember(&path, at);
            }
        }
    }
}

/// What a batch write returns: its id (for undo and the change log) and `f`'s value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Batch<T> {
    pub batch_id: String,
    pub value: T,
}

impl Store {
    /// Opens (or creates) the library at `path`, unlocked as `how` says. A file that is not
    /// a library, or is damaged, is refused and left exactly as it was; so is an encrypted
    /// one whose key is not given (`Error::Locked`), before anything is written.
    ///
    /// A new library gets a new key, kept as `how` says (the credential store, or wrapped by
    /// a passphrase); a plaintext library of an earlier version is converted (see
    /// `convert`). Either is told once through [`Store::take_notice`].
    pub fn open(path: &Path, how: &Unlock) -> Result<Store> {
        let existing = path.exists() && std::fs::metadata(path)?.len() > 0;
        let mut notice = OpenNotice::default();
        let key = if !existing {
            let (key, code) = key::create(path, how)?;
            notice.recovery_code = code;
            key
        } else if file::is_plain_sqlite(path)? {
            if matches!(how, Unlock::Plaintext) {
                Key::plaintext()
            } else {
                // Refused before anything is made: a file not ours, damaged or newer.
                file::inspect_existing(path, &Key::plaintext())?;
                let (key, code) = key::create(path, how)?;
                notice.recovery_code = code;
                notice.converted = Some(convert::encrypt_library(path, &key)?);
                key
            }
        } else {
            // Without its key file, an encrypted library and any other file (a PDF named with
            // --db) look alike; an encrypted one is whole pages of SQLCipher's 4096 bytes, and
            // at least one page for each of its tables and indexes.
            let size = std::fs::metadata(path)?.len();
            let keyless = !key::key_file(path).exists() && !matches!(how, Unlock::RecoveryCode(_));
            if keyless && (!size.is_multiple_of(4096) || size < 16 * 4096) {
                return Err(file::not_ours(path));
            }
            key::unlock(path, how)?
        };
        let (mut conn, checked_at) = file::open_file(path, &key).map_err(|e| match (e, how) {
            // A key that does not open the file (it reads as no library of ours): told as the
            // recovery code of another library when one was typed.
            (Error::NotALibrary(text), Unlock::RecoveryCode(_)) if text.id == "error-not_ours" => {
                key::locked("wrong_recovery_code")
            }
            (e, _) => e,
        })?;
        if file::is_older(&conn)? {
            // A migration rewrites tables; the library as the older app left it stays at hand.
            backup::make_backup(&conn, path, BackupReason::BeforeMigration, &key)?;
        }
        file::migrate(&mut conn)?;
        let mut store = Store::on(conn, Some(path.to_path_buf()), key);
        store.checked_at = Some(checked_at);
        let told = notice.recovery_code.is_some() || notice.converted.is_some();
        *store.notice.lock().unwrap_or_else(|e| e.into_inner()) = told.then_some(notice);
        Ok(store)
    }

    /// A bare SQLite connection to the library file at `path` (a plain one as it is, an
    /// encrypted one unlocked as `how` says), without any of a `Store`'s checks: for tests and
    /// tools that must look at the file itself.
    pub fn raw_connection(path: &Path, how: &Unlock) -> Result<Connection> {
        let key = if !path.exists() || file::is_plain_sqlite(path)? {
            Key::plaintext()
        } else {
            key::unlock(path, how)?
        };
        file::connect_rw(path, &key)
    }

    /// What opening did that the officer must be told, once (later calls: `None`).
    pub fn take_notice(&self) -> Option<OpenNotice> {
        self.notice.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// The library's key, to reopen it after a restore and to restore backups with.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// How the library's key is kept.
    pub fn protection(&self) -> Result<Protection> {
        match self.path() {
            Some(path) => key::protection(path, &self.key),
            None => Ok(Protection {
                encrypted: false,
                keyring: false,
                passphrase: false,
            }),
        }
    }

    /// A private library in memory, for tests and dry runs.
    pub fn open_in_memory() -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        file::configure(&conn)?;
        file::migrate(&mut conn)?;
        Ok(Store::on(conn, None, Key::plaintext()))
    }

    fn on(conn: Connection, path: Option<PathBuf>, key: Key) -> Store {
        Store {
            conn: Mutex::new(conn),
            apart: Mutex::new(None),
            path,
            checkpoint: Mutex::new(None),
            key,
            notice: Mutex::new(None),
            checked_at: None,
            names: Mutex::new(None),
        }
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

    /// Runs `f` with read access and `event_id`'s name index (`names`) as the library stands:
    /// read first where the one held is of another event or may be out of date. The officials
    /// list's search as the officer types (`queries::officials_listed`).
    pub fn read_names<T>(
        &self,
        event_id: &str,
        f: impl FnOnce(&Connection, &NameIndex) -> Result<T>,
    ) -> Result<T> {
        let conn = self.lock();
        let stamp = names::Stamp::of(&conn)?;
        let mut slot = self.names.lock().unwrap_or_else(|e| e.into_inner());
        let index = match slot.take() {
            Some(index) if index.fits(event_id, stamp) => index,
            _ => NameIndex::build(&conn, event_id, stamp)?,
        };
        f(&conn, slot.insert(index))
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
            None => file::open_reader(path, &self.key)?,
        };
        let out = f(&conn);
        // A connection left inside a transaction (its COMMIT failed) is not handed out again.
        if conn.is_autocommit() {
            *slot = Some(conn);
        }
        out
    }

    /// Runs `f` in one write transaction: all of it is committed, or none of it. What it
    /// changes in an event shared with a team is kept, in the same transaction, as this
    /// laptop's next change of the event (see `sync`).
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let conn = self.lock();
        let recorder = crate::store::sync::Recorder::start(&conn)?;
        let tx = begin_write(&conn)?;
        let out = f(&tx)?;
        if let Some(recorder) = recorder {
            recorder.finish(&tx)?;
        }
        tx.commit()?;
        Ok(out)
    }

    /// A write that is not recorded as this laptop's change: what team sync applies when it
    /// receives changes (they are the other laptops' changes, kept as theirs).
    pub(crate) fn write_unrecorded<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let conn = self.lock();
        let tx = begin_write(&conn)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// One record as JSON, by its type's name (`official`, `delegation`, `travel`, `stay`,
    /// `session`, `participant`…) and its id or a unique beginning of it.
    pub fn record_get(&self, kind: &str, id: &str) -> Result<serde_json::Value> {
        let table = record_kind(kind)?;
        self.read(|conn| {
            let id = resolve_id(conn, table, id)?;
            with_record_type!(table, R => Ok(serde_json::to_value(R::get(conn, &id)?)?))
        })
    }

    /// Saves one record from JSON exactly as the window's save does: validated, logged (and
    /// recorded for the team); a new record when the JSON has no id. A record whose JSON says
    /// when it was last saved is refused if it changed since, as the window's forms are.
    pub fn record_put(&self, kind: &str, json: serde_json::Value) -> Result<serde_json::Value> {
        let table = record_kind(kind)?;
        with_record_type!(table, R => {
            let record: R = serde_json::from_value(json).map_err(|e| {
                Error::field(
                    "json",
                    "invalid_value",
                    crate::words::Text::new("error-record_json").with("detail", e.to_string()),
                )
            })?;
            let saved = self.save(record)?;
            Ok(serde_json::to_value(saved)?)
        })
    }

    /// Deletes one record and what it takes along, as the window does once the officer has
    /// confirmed.
    pub fn record_delete(&self, kind: &str, id: &str) -> Result<()> {
        let table = record_kind(kind)?;
        let id = self.read(|conn| resolve_id(conn, table, id))?;
        with_record_type!(table, R => self.delete::<R>(&id, true))
    }

    pub fn get<R: Record>(&self, id: &str) -> Result<R> {
        self.read(|conn| R::get(conn, id))
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
            .pragma_update(None, "wal_autocheckpoint", file::AUTO_CHECKPOINT_PAGES)?;
        let written = written?;
        *slot = Some(file::checkpoint_apart(path, self.key.clone()));
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
        self.read(file::health)
    }

    /// The newest entries of an event's history (`None`: the whole library), newest first.
    pub fn recent_changes(&self, event_id: Option<&str>, limit: usize) -> Result<Vec<ChangeEntry>> {
        self.read(|conn| history::recent_changes(conn, event_id, limit))
    }

    /// The event's changes and outputs, newest first (see [`recent_history`]).
    pub fn recent_history(&self, event_id: &str, limit: usize) -> Result<Vec<ChangeEntry>> {
        self.read(|conn| history::recent_history(conn, event_id, limit))
    }

    /// Records that something left the library (see [`record_output`]).
    pub fn record_output(&self, event_id: &str, action: Output, what: &str) -> Result<()> {
        self.write(|tx| history::record_output(tx, event_id, action, what))
    }

    /// What [`Store::undo_last`] would take back, if anything.
    pub fn next_undo(&self, event_id: Option<&str>) -> Result<Option<UndoStep>> {
        self.read(|conn| undo::next_undo(conn, event_id))
    }

    /// Takes back the most recent change of an event (`None`: of the whole library) that is
    /// not undone yet: one entry, or the whole batch it belongs to. `Ok(None)` when there is
    /// nothing left to undo. Calling it again undoes the step before, and so on.
    pub fn undo_last(&self, event_id: Option<&str>) -> Result<Option<UndoReport>> {
        undo::undo_with(&self.lock(), |conn| {
            Ok(undo::next_undo(conn, event_id)?.map(|step| (step.batch_id, step.entries)))
        })
    }

    /// Takes back a whole batch (an import, a bulk roster change, a cascaded delete), even if
    /// it is not the latest step, as long as nothing it wrote was changed since.
    pub fn undo_batch(&self, batch_id: &str) -> Result<UndoReport> {
        undo::undo_with(&self.lock(), |conn| {
            let entries = undo::step_entries(conn, "", Some(batch_id))?;
            Ok((!entries.is_empty()).then(|| (Some(batch_id.to_string()), entries)))
        })?
        .ok_or(Error::NotFound {
            entity: "change to undo",
        })
    }

    /// Where the event stands with its personal data (the dashboard's reminder).
    pub fn purge_status(&self, event_id: &str) -> Result<purge::PurgeStatus> {
        let today = chrono::Local::now().date_naive();
        // A pass over the event's officials, as the dashboard's other reads are: on the
        // connection of its own, so that typing does not wait for it.
        self.read_apart(|conn| purge::status(conn, event_id, today))
    }

    /// Days after the event's end when the dashboard reminds the officer to purge.
    pub fn set_purge_reminder(&self, event_id: &str, days: i64) -> Result<()> {
        self.write(|tx| purge::set_reminder(tx, event_id, days))
    }

    /// What a purge of the event's personal data would remove.
    pub fn purge_plan(&self, event_id: &str) -> Result<purge::PurgePlan> {
        self.read(|conn| purge::plan(conn, event_id))
    }

    /// Purges the event's personal data from the library, its change log and its backups
    /// (see `purge`). The checkpoint of an import still running is waited for first: the
    /// write-ahead log is emptied at the end.
    pub fn purge(&self, event_id: &str) -> Result<purge::PurgeReport> {
        if let Some(running) = self
            .checkpoint
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            let _ = running.join();
        }
        // The reader's cached pages would keep the purged data in memory; it reopens on use.
        drop(self.apart.lock().unwrap_or_else(|e| e.into_inner()).take());
        let mut conn = self.lock();
        purge::purge(&mut conn, self.path.as_deref(), &self.key, event_id)
    }

    /// Backs the library up into its backups folder. An in-memory library has none.
    pub fn backup(&self, reason: BackupReason) -> Result<BackupInfo> {
        let Some(path) = self.path() else {
            return Err(Error::NotFound {
                entity: "library file",
            });
        };
        // On the read-only connection: a copy of a large library takes seconds, and the
        // window's saves and list pages must not wait for it behind the main lock.
        self.with_reader(|conn| backup::make_backup(conn, path, reason, &self.key))
    }

    /// A backup the engine makes on its own (before an import, a bulk delete); nothing for an
    /// in-memory library.
    pub(crate) fn auto_backup(&self, reason: BackupReason) -> Result<Option<BackupInfo>> {
        if self.path().is_none() {
            return Ok(None);
        }
        self.backup(reason).map(Some)
    }

    /// The daily backup: made when the backups folder holds none from today (UTC), of any kind.
    pub fn backup_if_none_today(&self) -> Result<Option<BackupInfo>> {
        let Some(path) = self.path() else {
            return Ok(None);
        };
        let today = chrono::Utc::now().date_naive();
        if backup::list_backups(path)?
            .iter()
            .any(|b| b.created_at.date_naive() == today)
        {
            return Ok(None);
        }
        self.backup(BackupReason::Daily).map(Some)
    }

    /// Writes a consistent copy of the library to `dest` (`ddesk backup -o`); an existing file
    /// is replaced only with `overwrite`. Returns the copy's size in bytes.
    pub fn backup_to(&self, dest: &Path, overwrite: bool) -> Result<u64> {
        match self.path() {
            Some(_) => {
                self.with_reader(|conn| backup::vacuum_into(conn, dest, overwrite, &self.key))
            }
            None => self.read(|conn| backup::vacuum_into(conn, dest, overwrite, &self.key)),
        }
    }
}
