//! The event library: one SQLite file, opened safely, migrated, and written only through
//! validated, logged, single-transaction operations.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::Utc;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;

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
const MIGRATIONS: &[&str] = &[include_str!("schema/v1.sql"), include_str!("schema/v2.sql")];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Where the app and `ddesk` keep the library unless told otherwise.
pub fn default_library_path() -> Result<PathBuf> {
    let base = dirs::data_dir().ok_or_else(|| {
        Error::Io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "this system has no application-data folder",
        ))
    })?;
    Ok(base.join(APP_IDENTIFIER).join("library.sqlite3"))
}

/// The open library. The mutex is the only way to the connection; no lock is held across
/// anything slower than a query.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    path: Option<PathBuf>,
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // WAL keeps readers and the writer apart; FULL sync makes a commit survive a power cut.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}

/// Refuses a file that is not ours before opening it for writing: not SQLite at all, or
/// SQLite with someone else's tables. Reads only.
fn inspect_existing(path: &Path) -> Result<()> {
    let mut header = [0u8; 16];
    let mut file = std::fs::File::open(path)?;
    let read = file.read(&mut header)?;
    if read == 0 {
        return Ok(());
    }
    let not_ours = || {
        Error::NotALibrary(format!(
            "{} is not a Delegation Desk event library; it was left untouched.",
            path.display()
        ))
    };
    if read < 16 || &header != b"SQLite format 3\0" {
        return Err(not_ours());
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let app_id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|_| not_ours())?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(|_| not_ours())?;
    if app_id != APPLICATION_ID && tables > 0 {
        return Err(not_ours());
    }
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(Error::NotALibrary(format!(
            "{} was written by a newer Delegation Desk (schema {version}); update the app to open it.",
            path.display()
        )));
    }
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|_| damaged(path))?;
    if check != "ok" {
        return Err(damaged(path));
    }
    Ok(())
}

fn damaged(path: &Path) -> Error {
    Error::Damaged(format!(
        "{} is damaged (the database check failed); it was left untouched.",
        path.display()
    ))
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
    /// Keeps derived columns in step after an insert or update.
    fn after_write(&self, _tx: &Transaction<'_>) -> Result<()> {
        Ok(())
    }
}

fn count(conn: &Connection, sql: &str, id: &str) -> Result<i64> {
    Ok(conn.query_row(sql, [id], |r| r.get(0))?)
}

impl Entity for Event {}

impl Entity for Delegation {
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
                    "This delegation still has {n} official(s). Delete them with it, or move them to another delegation first."
                ),
            )
        }))
    }
    fn after_write(&self, tx: &Transaction<'_>) -> Result<()> {
        refresh_search(tx, "delegation_id = ?", &self.id)
    }
}

impl Entity for Official {
    fn after_write(&self, tx: &Transaction<'_>) -> Result<()> {
        refresh_search(tx, "id = ?", &self.id)
    }
}

impl Entity for Travel {}

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
impl Entity for Stay {}

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
                format!("This venue still has {n} room(s); they would be deleted with it, and their sessions would have no room."),
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
                    "{n} session(s) take place in this room; they would be left without a room."
                ),
            )
        }))
    }
}

impl Entity for Session {}
impl Entity for Participant {}

/// Recomputes `official.search_text` for the officials matched by `filter` (one `?`).
fn refresh_search(tx: &Transaction<'_>, filter: &str, id: &str) -> Result<()> {
    let sql = format!(
        "SELECT o.id, o.family_name, o.given_name, o.native_name, o.badge_name, o.organization,
                o.position, o.email, o.passport_number, o.nationality,
                coalesce(d.name_en, ''), coalesce(d.name_ko, ''), coalesce(d.country_code, d.org_code, '')
           FROM official o LEFT JOIN delegation d ON d.id = o.delegation_id
          WHERE o.{filter}"
    );
    let mut select = tx.prepare(&sql)?;
    let mut update = tx.prepare("UPDATE official SET search_text = ? WHERE id = ?")?;
    let rows = select.query_map([id], |r| {
        let mut parts = Vec::with_capacity(13);
        for i in 1..13 {
            parts.push(r.get::<_, String>(i)?);
        }
        Ok((r.get::<_, String>(0)?, parts))
    })?;
    for row in rows {
        let (official_id, mut parts) = row?;
        // The nationality's names make "Viet Nam" or "베트남" find an official whose
        // delegation is an organisation.
        if let Some(country) = crate::reference::country(&parts[8]) {
            parts.push(country.name_en.clone());
            parts.push(country.name_ko.clone());
        }
        // Passport names are also typed "Given Family".
        parts.push(format!("{} {}", parts[1], parts[0]));
        let text = fold(&parts.join("\u{1f}"));
        update.execute([&text, &official_id])?;
    }
    Ok(())
}

/// Recomputes the search text of every official of an event (after a bulk load).
pub fn refresh_event_search(tx: &Transaction<'_>, event_id: &str) -> Result<()> {
    refresh_search(tx, "event_id = ?", event_id)
}

/// The user name written into the change log.
fn actor() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

fn log_change(
    tx: &Transaction<'_>,
    entity: &str,
    entity_id: &str,
    action: &str,
    before: Option<String>,
    after: Option<String>,
    batch: Option<&str>,
) -> Result<()> {
    let now = Utc::now();
    tx.execute(
        "INSERT INTO change_log (id, at, actor, entity, entity_id, action, before, after, batch_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?2, ?2)",
        rusqlite::params![
            uuid::Uuid::new_v4().to_string(),
            now,
            actor(),
            entity,
            entity_id,
            action,
            before,
            after,
            batch
        ],
    )?;
    Ok(())
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

/// Reads one record by id.
pub fn get<R: Record>(conn: &Connection, id: &str) -> Result<R> {
    find(conn, id)?.ok_or(Error::NotFound { entity: R::NOUN })
}

/// Validates and writes a record: creates it when its id is empty, else updates it.
pub fn save<R: Entity>(tx: &Transaction<'_>, record: R, batch: Option<&str>) -> Result<R> {
    if record.id().is_empty() {
        let mut record = record;
        record.set_meta(uuid::Uuid::new_v4().to_string(), Utc::now(), Utc::now());
        insert(tx, record, batch)
    } else {
        update(tx, record, batch)
    }
}

/// Validates and inserts a record under the id it already carries (demo data, imports).
pub fn insert<R: Entity>(tx: &Transaction<'_>, mut record: R, batch: Option<&str>) -> Result<R> {
    let mut checker = Checker::default();
    record.check_fields(&mut checker);
    record.validate(tx, &mut checker)?;
    checker.finish()?;
    let now = Utc::now();
    record.set_meta(record.id().to_string(), now, now);
    let columns = R::COLUMNS.join(", ");
    let marks = vec!["?"; R::COLUMNS.len() + 3].join(", ");
    let sql = format!(
        "INSERT INTO {} (id, {columns}, created_at, updated_at) VALUES ({marks})",
        R::TABLE
    );
    let id = record.id().to_string();
    let mut params: Vec<&dyn rusqlite::ToSql> = vec![&id];
    params.extend(record.params());
    params.push(&now);
    params.push(&now);
    tx.execute(&sql, params.as_slice())?;
    record.after_write(tx)?;
    log_change(
        tx,
        R::TABLE,
        &id,
        "create",
        None,
        Some(serde_json::to_string(&record)?),
        batch,
    )?;
    Ok(record)
}

fn update<R: Entity>(tx: &Transaction<'_>, mut record: R, batch: Option<&str>) -> Result<R> {
    let before: R = get(tx, record.id())?;
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
    tx.execute(&sql, params.as_slice())?;
    record.after_write(tx)?;
    log_change(
        tx,
        R::TABLE,
        &id,
        "update",
        Some(serde_json::to_string(&before)?),
        Some(serde_json::to_string(&record)?),
        batch,
    )?;
    Ok(record)
}

/// Deletes a record; with dependents and no `cascade`, refuses with a conflict.
pub fn delete<R: Entity>(tx: &Transaction<'_>, id: &str, cascade: bool) -> Result<()> {
    let before: R = get(tx, id)?;
    if !cascade {
        if let Some((count, message)) = R::dependents(tx, id)? {
            return Err(Error::Conflict { message, count });
        }
    }
    tx.execute(&format!("DELETE FROM {} WHERE id = ?", R::TABLE), [id])?;
    log_change(
        tx,
        R::TABLE,
        id,
        "delete",
        Some(serde_json::to_string(&before)?),
        None,
        None,
    )?;
    Ok(())
}

impl Store {
    /// Opens (or creates) the library at `path`. A file that is not a library, or is damaged,
    /// is refused and left exactly as it was.
    pub fn open(path: &Path) -> Result<Store> {
        if path.exists() {
            inspect_existing(path)?;
        } else if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut conn = Connection::open(path)?;
        configure(&conn)?;
        migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path: Some(path.to_path_buf()),
        })
    }

    /// A private library in memory, for tests and dry runs.
    pub fn open_in_memory() -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        configure(&conn)?;
        migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path: None,
        })
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
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

    /// Runs `f` in one write transaction: all of it is committed, or none of it.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
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

    pub fn delete<R: Entity>(&self, id: &str, cascade: bool) -> Result<()> {
        self.write(|tx| delete::<R>(tx, id, cascade))
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.read(|conn| {
            Ok(conn
                .query_row("SELECT value FROM setting WHERE key = ?", [key], |r| {
                    r.get(0)
                })
                .optional()?)
        })
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO setting (key, value, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                rusqlite::params![key, value, Utc::now()],
            )?;
            Ok(())
        })
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
