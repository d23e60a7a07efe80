//! A plaintext library (every schema before issue 17) made encrypted on first open, and its
//! plaintext backups with it: backed up first, written encrypted into a new file, swapped in
//! with one rename, so that after a crash the library is the plain one or the encrypted one.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use super::backup::{self, BackupReason};
use super::file::{self, APPLICATION_ID};
use super::key::Key;
use crate::error::{Error, Result};
use crate::files::{create_private_file, sync_dir, temp_beside, with_suffix};
use crate::words::Text;

/// What the conversion did, for the officer to be told once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conversion {
    /// Backups that were plain and are now encrypted (the one made just before included).
    pub backups_encrypted: usize,
    /// Plain backups that could not be read (damaged) and were removed instead.
    pub backups_removed: usize,
}

/// Writes everything `conn` (a plain database) holds into a new file at `dest`, encrypted with
/// `key`, with the library's version and application id, synced.
fn export_encrypted(conn: &Connection, dest: &Path, key: &Key) -> Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    drop(create_private_file(dest)?);
    key.attach(conn, dest, "encrypted")?;
    let exported = (|| -> Result<()> {
        conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        conn.execute_batch(&format!(
            "PRAGMA encrypted.user_version = {version};
             PRAGMA encrypted.application_id = {APPLICATION_ID};"
        ))?;
        Ok(())
    })();
    conn.execute_batch("DETACH DATABASE encrypted")?;
    exported?;
    std::fs::File::open(dest)?.sync_all()?;
    Ok(())
}

/// Converts the plain library at `library` to one encrypted with `key`. The caller has
/// checked that it is a good library of ours.
pub(super) fn encrypt_library(library: &Path, key: &Key) -> Result<Conversion> {
    // Two processes starting on the same plain library (the app and `ddesk`): the second waits
    // for nothing and is told to try again, instead of converting the same file twice. A guard
    // left by a conversion that crashed is stale after two minutes (converting a library of
    // 20,000 officials takes seconds).
    let guard = with_suffix(library, ".converting");
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&guard)
    {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let stale = std::fs::metadata(&guard)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 120);
            if !stale {
                return Err(Error::InUse(
                    Text::new("error-converting").with("file", library.display().to_string()),
                ));
            }
        }
        Err(e) => return Err(e.into()),
    }
    let outcome = convert_holding(library, key);
    let _ = std::fs::remove_file(&guard);
    outcome
}

fn convert_holding(library: &Path, key: &Key) -> Result<Conversion> {
    let temp = temp_beside(library, "encrypting");
    let converted = (|| -> Result<()> {
        let conn = Connection::open_with_flags(
            library,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Leaving WAL needs the only connection to the file: the check that no other window
        // has the library open, and the write-ahead log folded into the file.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
            .unwrap_or_default();
        if mode != "delete" {
            return Err(Error::InUse(
                Text::new("error-convert_in_use").with("file", library.display().to_string()),
            ));
        }
        // Kept from here on: nobody else writes to the plain file while it is copied.
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))?;
        // The library as it was, first (this backup is itself encrypted below).
        backup::make_backup(
            &conn,
            library,
            BackupReason::BeforeEncryption,
            &Key::plaintext(),
        )?;
        export_encrypted(&conn, &temp, key)?;
        drop(conn);
        for suffix in ["-wal", "-shm", "-journal"] {
            backup::remove_if_present(&with_suffix(library, suffix))?;
        }
        std::fs::rename(&temp, library)?;
        if let Some(dir) = library.parent() {
            sync_dir(dir)?;
        }
        Ok(())
    })();
    if converted.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    converted?;
    encrypt_backups(library, key)
}

/// Encrypts every plain backup of the library; one that cannot be read is removed, since it
/// would hold passport numbers in the clear for good.
pub(super) fn encrypt_backups(library: &Path, key: &Key) -> Result<Conversion> {
    let mut done = Conversion {
        backups_encrypted: 0,
        backups_removed: 0,
    };
    for info in backup::list_backups(library)? {
        if !file::is_plain_sqlite(&info.path)? {
            continue;
        }
        let temp = temp_beside(&info.path, "encrypting");
        let encrypted = (|| -> Result<()> {
            // Read and write: a read-only connection would attach the new file read-only too.
            // Nothing is written to the plain backup (rollback journal, only read from).
            let conn = Connection::open_with_flags(
                &info.path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            export_encrypted(&conn, &temp, key)?;
            drop(conn);
            std::fs::rename(&temp, &info.path)?;
            Ok(())
        })();
        match encrypted {
            Ok(()) => done.backups_encrypted += 1,
            Err(_) => {
                let _ = std::fs::remove_file(&temp);
                std::fs::remove_file(&info.path)?;
                done.backups_removed += 1;
            }
        }
    }
    // The renames in the backups folder made durable; a folder that cannot be synced (some
    // systems) loses nothing but that.
    let _ = sync_dir(&backup::backups_dir(library));
    Ok(done)
}

/// A plain backup about to be restored into an encrypted library: copied into `dest`
/// encrypted with `key` (the backup itself is only read).
pub(super) fn encrypted_copy(plain: &Path, dest: &Path, key: &Key) -> Result<()> {
    // Copied first: the backup may sit on read-only media, and a read-only connection would
    // attach `dest` read-only as well.
    let copy = temp_beside(dest, "plain");
    let made = (|| -> Result<()> {
        drop(create_private_file(&copy)?);
        std::fs::copy(plain, &copy)?;
        let conn = Connection::open_with_flags(
            &copy,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.pragma_update(None, "trusted_schema", "OFF")?;
        export_encrypted(&conn, dest, key)
    })();
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(&copy, suffix));
    }
    made
}
