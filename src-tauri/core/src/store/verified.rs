//! Which library files passed SQLite's `quick_check`, and as what: the check reads and (for an
//! encrypted library) decrypts every page, and every open ran it — a fifth of printing one
//! badge, most of a second on a large library before the window's first paint. A library that
//! passed is remembered with its file's size and time of change (and its write-ahead log's)
//! as this app left it; an open that finds the file so skips the check, for a day at most, so
//! that damage that changes no time of change (a failing disk) is still found within a day.
//! Anything else — another program's write, a copy, a restore, a process killed mid-write —
//! changes the file and brings the full check back. The records live in the user's cache
//! folder, one small file per library path; losing them costs one check.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::files::stamp;

/// How long a check vouches for a library whose file did not change otherwise.
const TRUSTED_SECONDS: u64 = 24 * 60 * 60;

/// A file's size and time of change in nanoseconds.
type FileStamp = (u64, u128);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Record {
    library: FileStamp,
    /// The write-ahead log beside it, absent once the last connection folded it in.
    wal: Option<FileStamp>,
    /// When the check ran (seconds since the epoch).
    checked_at: u64,
}

pub(super) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn wal_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// Where the record of `library` is kept: named by a hash of its full path.
fn record_file(library: &Path) -> Option<PathBuf> {
    use std::hash::{Hash, Hasher};
    if std::env::var_os("DDESK_VERIFIED").is_some_and(|v| v == "off") {
        return None;
    }
    let full = std::fs::canonicalize(library).ok()?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    full.hash(&mut hasher);
    Some(
        dirs::cache_dir()?
            .join(super::APP_IDENTIFIER)
            .join("verified")
            .join(format!("{:016x}.json", hasher.finish())),
    )
}

/// When the library was last checked, if its file is as this app left it since and the
/// check is less than a day old.
pub(super) fn trusted(library: &Path) -> Option<u64> {
    let bytes = std::fs::read(record_file(library)?).ok()?;
    let record: Record = serde_json::from_slice(&bytes).ok()?;
    let fresh = now().saturating_sub(record.checked_at) < TRUSTED_SECONDS;
    let same = stamp(library) == Some(record.library) && stamp(&wal_of(library)) == record.wal;
    (fresh && same).then_some(record.checked_at)
}

/// Remembers the library as it is now, checked at `checked_at`; failing is no error (the
/// next open checks again).
pub(super) fn remember(library: &Path, checked_at: u64) {
    let (Some(file), Some(stamp_now)) = (record_file(library), stamp(library)) else {
        return;
    };
    let record = Record {
        library: stamp_now,
        wal: stamp(&wal_of(library)),
        checked_at,
    };
    let Some(dir) = file.parent() else { return };
    let Ok(bytes) = serde_json::to_vec(&record) else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    if !file.exists() {
        // A library seen for the first time: the records more than a day old vouch for
        // nothing any more (libraries moved, deleted, the tests' own), so they go.
        prune(dir);
    }
    let _ = crate::files::write_aside(&file, &bytes);
}

/// Removes the records older than [`TRUSTED_SECONDS`].
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let limit = std::time::Duration::from_secs(TRUSTED_SECONDS);
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > limit);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Store, Unlock};

    #[test]
    fn a_library_closed_by_the_app_is_trusted_until_its_file_changes_or_a_day_passes() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("library.sqlite3");
        let store = Store::open(&path, &Unlock::Plaintext).expect("open");
        store
            .write(|tx| crate::store::write_setting(tx, "probe", "1"))
            .expect("write");
        drop(store);
        let at = trusted(&path).expect("remembered at close");
        assert!(now() - at < 60);

        // Opened again (the check left out) and closed: still trusted, with the first check's
        // time carried, not a new one.
        let store = Store::open(&path, &Unlock::Plaintext).expect("reopen");
        store
            .write(|tx| crate::store::write_setting(tx, "probe", "2"))
            .expect("write");
        drop(store);
        assert_eq!(trusted(&path), Some(at));

        // Another program's write changes the file: checked again.
        {
            let raw = rusqlite::Connection::open(&path).expect("raw");
            raw.execute("UPDATE setting SET value = '3' WHERE key = 'probe'", [])
                .expect("raw write");
        }
        assert_eq!(trusted(&path), None, "changed behind the app's back");

        // A record older than a day vouches for nothing.
        let store = Store::open(&path, &Unlock::Plaintext).expect("reopen");
        drop(store);
        assert!(trusted(&path).is_some());
        remember(&path, now() - TRUSTED_SECONDS - 1);
        assert_eq!(trusted(&path), None, "a day old");
    }
}
