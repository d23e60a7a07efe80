//! Backups of the library file: consistent copies in `<library dir>/backups/`, pruned by
//! retention tiers, listed for the officer, checked, and restored in place of the library.
//!
//! A backup is made with `VACUUM INTO` into a hidden temporary file beside its final name, synced
//! and then renamed, so a crash while backing up never leaves a half-written file under a
//! backup's name. Backups are plain single files (rollback-journal mode, no `-wal`), so they can
//! be copied, mailed or opened read-only as they are. They are encrypted with the library's
//! own key (`VACUUM INTO` from an encrypted connection writes an encrypted copy with the same
//! key, checked in the tests), so every backup opens with the library's key or its recovery
//! code, and with nothing else.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Utc};
use rusqlite::Connection;
use serde::Serialize;

use super::file::{self, classify, FileState, SCHEMA_VERSION};
use super::key::Key;
use crate::error::{Error, Result};
use crate::files::{
    create_private_dir, create_private_file, make_private, sync_dir, temp_beside, with_suffix,
};
use crate::words::Text;

/// Why a backup was made; its slug is part of the file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackupReason {
    /// Asked for by the officer.
    Manual,
    /// The first backup of a day the app is used.
    Daily,
    BeforeMigration,
    BeforeImport,
    BeforeBulkDelete,
    BeforeRestore,
    /// The plain library, just before it was encrypted (itself encrypted right after).
    BeforeEncryption,
    /// Before changes received from the team are applied.
    BeforeSync,
}

impl BackupReason {
    pub fn as_str(self) -> &'static str {
        match self {
            BackupReason::Manual => "manual",
            BackupReason::Daily => "daily",
            BackupReason::BeforeMigration => "before-migration",
            BackupReason::BeforeImport => "before-import",
            BackupReason::BeforeBulkDelete => "before-bulk-delete",
            BackupReason::BeforeRestore => "before-restore",
            BackupReason::BeforeEncryption => "before-encryption",
            BackupReason::BeforeSync => "before-sync",
        }
    }
}

/// One backup file, as the app lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupInfo {
    pub path: PathBuf,
    pub file_name: String,
    /// The reason slug from the file name (`daily`, `before-import`, …).
    pub reason: String,
    /// When it was made, from the file name (a copied file keeps it; its mtime would not).
    pub created_at: DateTime<Utc>,
    pub size_bytes: u64,
}

/// The backups folder of a library: `<library dir>/backups/`.
pub fn backups_dir(library: &Path) -> PathBuf {
    library
        .parent()
        .map(|dir| dir.join("backups"))
        .unwrap_or_else(|| PathBuf::from("backups"))
}

const STAMP: &str = "%Y-%m-%dT%H-%M-%SZ";
const STAMP_LEN: usize = "2026-11-25T10-31-07Z".len();
const EXTENSION: &str = ".sqlite3";

/// `2026-11-25T10-31-07Z-before-migration.sqlite3`; further backups in the same second get
/// `.2`, `.3`… before the extension.
pub fn backup_file_name(at: DateTime<Utc>, reason: &str, serial: u32) -> String {
    let stamp = at.format(STAMP);
    if serial <= 1 {
        format!("{stamp}-{reason}{EXTENSION}")
    } else {
        format!("{stamp}-{reason}.{serial}{EXTENSION}")
    }
}

/// The time and reason of a backup file name; `None` for any other file.
pub fn parse_backup_file_name(name: &str) -> Option<(DateTime<Utc>, String)> {
    parse_name(name).map(|(at, reason, _)| (at, reason))
}

/// Time, reason and serial (1 for the first backup of its second and reason).
fn parse_name(name: &str) -> Option<(DateTime<Utc>, String, u32)> {
    let rest = name.strip_suffix(EXTENSION)?;
    let stamp = rest.get(..STAMP_LEN)?;
    let reason = rest.get(STAMP_LEN..)?.strip_prefix('-')?;
    let (reason, serial) = match reason.rsplit_once('.') {
        Some((reason, serial)) => (reason, serial.parse::<u32>().ok().filter(|n| *n >= 2)?),
        None => (reason, 1),
    };
    if reason.is_empty()
        || !reason
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return None;
    }
    let at = NaiveDateTime::parse_from_str(stamp, STAMP).ok()?;
    Some((Utc.from_utc_datetime(&at), reason.to_string(), serial))
}

/// Which backups to keep: the newest `last`; the newest of each of the `daily` most recent
/// calendar days (UTC), today included; the newest of each of the `weekly` most recent ISO weeks,
/// this week included. Everything else is pruned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub last: usize,
    pub daily: i64,
    pub weekly: i64,
}

impl Retention {
    pub const DEFAULT: Retention = Retention {
        last: 10,
        daily: 7,
        weekly: 4,
    };

    /// The names of the backups to delete, given every backup's name and time. Pure: the
    /// caller supplies `now`, so the tiers are tested without a clock or a disk. Backups made
    /// in the same second count as newest-first in the order given.
    pub fn prune(&self, backups: &[(String, DateTime<Utc>)], now: DateTime<Utc>) -> Vec<String> {
        let mut order: Vec<&(String, DateTime<Utc>)> = backups.iter().collect();
        order.sort_by_key(|b| std::cmp::Reverse(b.1));
        let mut keep: HashSet<&str> = order
            .iter()
            .take(self.last)
            .map(|(name, _)| name.as_str())
            .collect();
        let today = now.date_naive();
        let this_monday =
            today - chrono::Duration::days(today.weekday().num_days_from_monday().into());
        let mut days_seen = HashSet::new();
        let mut weeks_seen = HashSet::new();
        for (name, at) in &order {
            let day = at.date_naive();
            // A backup dated in the future (a clock set wrong) counts as today's.
            let age_days = (today - day).num_days().max(0);
            if age_days < self.daily && days_seen.insert(day.min(today)) {
                keep.insert(name.as_str());
            }
            let monday = day - chrono::Duration::days(day.weekday().num_days_from_monday().into());
            let age_weeks = ((this_monday - monday).num_days() / 7).max(0);
            if age_weeks < self.weekly && weeks_seen.insert(monday.min(this_monday)) {
                keep.insert(name.as_str());
            }
        }
        order
            .iter()
            .filter(|(name, _)| !keep.contains(name.as_str()))
            .map(|(name, _)| name.clone())
            .collect()
    }
}

/// The library's backups, newest first. A missing folder is no backups; files that are not
/// named like a backup (a half-made one, anything the officer put there) are left out.
pub fn list_backups(library: &Path) -> Result<Vec<BackupInfo>> {
    let dir = backups_dir(library);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some((created_at, reason, serial)) = parse_name(&file_name) else {
            continue;
        };
        let metadata = entry.metadata()?;
        if !metadata.is_file() {
            continue;
        }
        out.push((
            serial,
            BackupInfo {
                path: entry.path(),
                file_name,
                reason,
                created_at,
                size_bytes: metadata.len(),
            },
        ));
    }
    // Newest first; within one second, the later serial is the newer backup.
    out.sort_by(|(sa, a), (sb, b)| {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| sb.cmp(sa))
            .then_with(|| b.file_name.cmp(&a.file_name))
    });
    Ok(out.into_iter().map(|(_, info)| info).collect())
}

/// Deletes the backups the retention tiers no longer keep; returns the paths deleted.
pub fn prune_backups(library: &Path, now: DateTime<Utc>) -> Result<Vec<PathBuf>> {
    let backups = list_backups(library)?;
    let stamps: Vec<(String, DateTime<Utc>)> = backups
        .iter()
        .map(|b| (b.file_name.clone(), b.created_at))
        .collect();
    let doomed: HashSet<String> = Retention::DEFAULT.prune(&stamps, now).into_iter().collect();
    let mut deleted = Vec::new();
    for backup in backups {
        if doomed.contains(&backup.file_name) {
            std::fs::remove_file(&backup.path)?;
            deleted.push(backup.path);
        }
    }
    Ok(deleted)
}

/// Whether a file is a library this build can open with `key` (or a plain one) and that
/// passes the quick check, with its schema version. Reads only.
pub fn check_library_file(path: &Path, key: &Key) -> Result<i64> {
    match classify(path, key)? {
        FileState::Good(version) if version >= 1 => Ok(version),
        FileState::Missing => Err(Error::NotFound { entity: "file" }),
        FileState::Newer(version) => Err(file::newer(path, version)),
        FileState::Damaged => Err(file::damaged(path)),
        FileState::Empty | FileState::Good(_) | FileState::Foreign => Err(file::not_ours(path)),
    }
}

/// The newest backup that is a good library, to offer when the library itself is damaged.
pub fn newest_good_backup(library: &Path, key: &Key) -> Result<Option<BackupInfo>> {
    for backup in list_backups(library)? {
        if check_library_file(&backup.path, key).is_ok() {
            return Ok(Some(backup));
        }
    }
    Ok(None)
}

/// Removes a file that may not be there.
pub(super) fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Writes a consistent copy of `conn`'s database to `dest` as one self-contained file: into a
/// temporary file first, synced, then renamed into place. Returns the size.
pub(super) fn vacuum_into(
    conn: &Connection,
    dest: &Path,
    overwrite: bool,
    key: &Key,
) -> Result<u64> {
    if !overwrite && dest.exists() {
        return Err(Error::field(
            "output",
            "file_exists",
            Text::new("error-file_exists").with("file", dest.display().to_string()),
        ));
    }
    let temp = temp_beside(dest, "partial");
    let written = (|| -> Result<u64> {
        // Made empty first, private, and by this process alone (VACUUM INTO fills an empty
        // file): a backup holds every passport number of the library.
        drop(create_private_file(&temp)?);
        let temp_text = temp.to_str().ok_or_else(|| {
            Error::field("output", "invalid_value", Text::new("error-path_unicode"))
        })?;
        conn.execute("VACUUM INTO ?1", [temp_text])?;
        {
            // The copy keeps the source's journal mode; a backup is meant to be one plain file.
            let copy = file::connect_rw(&temp, key)?;
            let mode: String = copy.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
            if mode != "delete" {
                return Err(Error::Internal(
                    format!("backup copy stayed in journal mode {mode}").into(),
                ));
            }
        }
        let file = std::fs::File::open(&temp)?;
        file.sync_all()?;
        Ok(file.metadata()?.len())
    })();
    let size = match written {
        Ok(size) => size,
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            return Err(e);
        }
    };
    if let Err(e) = std::fs::rename(&temp, dest) {
        let _ = std::fs::remove_file(&temp);
        return Err(e.into());
    }
    if let Some(dir) = dest.parent() {
        sync_dir(dir)?;
    }
    Ok(size)
}

/// Backs up the database behind `conn` (the library at `library`) into its backups folder and
/// prunes old backups.
pub(crate) fn make_backup(
    conn: &Connection,
    library: &Path,
    reason: BackupReason,
    key: &Key,
) -> Result<BackupInfo> {
    let dir = backups_dir(library);
    create_private_dir(&dir)?;
    let now = Utc::now();
    // Backups of the same second are told apart, and ordered, by a serial across reasons.
    let stamp = now.format(STAMP).to_string();
    let mut serial = 1;
    for entry in std::fs::read_dir(&dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some((_, _, taken)) = parse_name(&name).filter(|_| name.starts_with(&stamp)) {
            serial = serial.max(taken + 1);
        }
    }
    let (path, file_name) = loop {
        let file_name = backup_file_name(now, reason.as_str(), serial);
        let path = dir.join(&file_name);
        if !path.exists() {
            break (path, file_name);
        }
        serial += 1;
    };
    let size_bytes = vacuum_into(conn, &path, false, key)?;
    prune_backups(library, now)?;
    // The name holds whole seconds; so does the listing.
    let created_at = parse_backup_file_name(&file_name)
        .map(|(at, _)| at)
        .unwrap_or(now);
    Ok(BackupInfo {
        path,
        file_name,
        reason: reason.as_str().to_string(),
        created_at,
        size_bytes,
    })
}

/// What [`restore`] did besides putting the backup in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoreReport {
    /// The backup of the library as it was (when it was a good library).
    pub safety_backup: Option<BackupInfo>,
    /// Where a damaged or newer library was copied aside before being replaced.
    pub set_aside: Option<PathBuf>,
}

/// Replaces the library with a backup.
///
/// The caller must drop every [`Store`] on `library` first: the file is replaced underneath
/// any open connection. Another process that still has the library open is detected (the
/// library cannot leave WAL mode) and the restore is refused.
///
/// Steps: the backup is copied to a temporary file beside the library and checked there (our
/// `application_id`, a schema this build can open, a full `integrity_check`), so a foreign or
/// damaged backup is refused before anything happens to the library. A good library is backed
/// up (`before-restore`) and checkpointed out of WAL mode, which also removes its `-wal` and
/// `-shm`; a damaged one is copied aside with its `-wal` and its sidecar files are removed so
/// that SQLite can never replay them into the restored file. Then the copy is synced and
/// renamed over the library, which is atomic: after a crash the library is the old one or the
/// restored one. A foreign file at the library's path is refused and left untouched.
///
/// The library is encrypted with `key`; a backup made before it was (plain) is encrypted with
/// it on the way in.
pub fn restore(library: &Path, backup: &Path, key: &Key) -> Result<RestoreReport> {
    // Before anything opens the backup: the library itself is no backup, and opening it
    // here would leave WAL sidecar files beside it.
    if let (Ok(a), Ok(b)) = (library.canonicalize(), backup.canonicalize()) {
        if a == b {
            return Err(Error::field(
                "backup",
                "invalid_value",
                Text::new("error-restore_itself"),
            ));
        }
    }
    check_library_file(backup, key)?;
    // A library of an earlier version is still plain: read it as it is.
    let current_key = if file::is_plain_sqlite(library)? {
        Key::plaintext()
    } else {
        key.clone()
    };
    let current = classify(library, &current_key)?;
    if current == FileState::Foreign {
        return Err(file::not_ours(library));
    }
    if let Some(dir) = library.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let temp = temp_beside(library, "restore");
    let prepared = prepare_copy(backup, &temp, key);
    if let Err(e) = prepared {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    let outcome = put_in_place(library, current, &temp, &current_key);
    if outcome.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    let report = outcome?;
    prune_backups(library, Utc::now())?;
    // The library as it was, if it was a plain one, was backed up plain.
    if key.is_encrypted() {
        super::convert::encrypt_backups(library, key)?;
    }
    Ok(report)
}

/// Copies the backup and checks the copy in full (the backup itself is only read).
fn prepare_copy(backup: &Path, temp: &Path, key: &Key) -> Result<()> {
    if key.is_encrypted() && file::is_plain_sqlite(backup)? {
        super::convert::encrypted_copy(backup, temp, key)?;
    } else {
        std::fs::copy(backup, temp)?;
        make_private(temp)?;
    }
    {
        let conn = file::connect_rw(temp, key)?;
        // A file from elsewhere may carry triggers or views of its own; none may run while it
        // is checked, and a schema that is not exactly ours is refused below.
        conn.pragma_update(None, "trusted_schema", "OFF")?;
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        let problems: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        drop(stmt);
        if problems != ["ok"] {
            return Err(file::damaged(backup));
        }
        let (app_id, version): (i32, i64) = conn.query_row(
            "SELECT (SELECT application_id FROM pragma_application_id),
                    (SELECT user_version FROM pragma_user_version)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if app_id != file::APPLICATION_ID || !(1..=SCHEMA_VERSION).contains(&version) {
            return Err(file::not_ours(backup));
        }
        // Tables, indexes, triggers and views exactly as this version makes them for that
        // schema version: a backup with a trigger added (one that empties a table on the next
        // save) or a view in place of a table is not one of ours.
        if file::schema_of(&conn)? != file::expected_schema(version)? {
            return Err(Error::NotALibrary(
                Text::new("error-restore_foreign_schema")
                    .with("file", backup.display().to_string()),
            ));
        }
        conn.query_row("PRAGMA journal_mode = DELETE", [], |r| {
            r.get::<_, String>(0)
        })?;
    }
    std::fs::File::open(temp)?.sync_all()?;
    Ok(())
}

fn put_in_place(
    library: &Path,
    current: FileState,
    temp: &Path,
    key: &Key,
) -> Result<RestoreReport> {
    let mut report = RestoreReport {
        safety_backup: None,
        set_aside: None,
    };
    let mut held: Option<Connection> = None;
    match current {
        FileState::Good(version) if version >= 1 => {
            let conn = file::connect_rw(library, key)?;
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            report.safety_backup = Some(make_backup(
                &conn,
                library,
                BackupReason::BeforeRestore,
                key,
            )?);
            // Leaving WAL mode needs the only connection to the file, so it doubles as the
            // check that no app still has the library open; it also folds the -wal back in.
            let mode = conn
                .query_row("PRAGMA journal_mode = DELETE", [], |r| {
                    r.get::<_, String>(0)
                })
                .unwrap_or_default();
            if mode != "delete" {
                return Err(Error::InUse(
                    Text::new("error-restore_in_use").with("file", library.display().to_string()),
                ));
            }
            // Held until the backup is in place: a `ddesk` or app that opens the library in
            // between waits for this lock instead of committing into the file about to be
            // replaced (issue 15). Windows cannot rename over a file that is open.
            if cfg!(unix) {
                conn.execute_batch("BEGIN EXCLUSIVE")?;
                held = Some(conn);
            } else {
                drop(conn);
            }
        }
        FileState::Missing | FileState::Empty | FileState::Good(_) => {}
        FileState::Damaged | FileState::Newer(_) => {
            let stamp = Utc::now().format(STAMP);
            let aside = with_suffix(library, &format!(".set-aside-{stamp}"));
            std::fs::copy(library, &aside)?;
            let wal = with_suffix(library, "-wal");
            if wal.exists() {
                std::fs::copy(&wal, with_suffix(&aside, "-wal"))?;
            }
            report.set_aside = Some(aside);
        }
        FileState::Foreign => return Err(file::not_ours(library)),
    }
    for suffix in ["-wal", "-shm", "-journal"] {
        remove_if_present(&with_suffix(library, suffix))?;
    }
    std::fs::rename(temp, library)?;
    if let Some(dir) = library.parent() {
        sync_dir(dir)?;
    }
    drop(held);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("test instant")
    }

    #[test]
    fn names_round_trip() {
        let when = at("2026-11-25T10:31:07Z");
        let name = backup_file_name(when, "before-migration", 1);
        assert_eq!(name, "2026-11-25T10-31-07Z-before-migration.sqlite3");
        assert_eq!(
            parse_backup_file_name(&name),
            Some((when, "before-migration".to_string()))
        );
        let second = backup_file_name(when, "daily", 2);
        assert_eq!(second, "2026-11-25T10-31-07Z-daily.2.sqlite3");
        assert_eq!(
            parse_backup_file_name(&second),
            Some((when, "daily".to_string()))
        );
        for other in [
            "library.sqlite3",
            ".2026-11-25T10-31-07Z-daily.sqlite3.partial-x.tmp",
            "2026-11-25T10-31-07Z-.sqlite3",
            "2026-13-25T10-31-07Z-daily.sqlite3",
            "2026-11-25T10-31-07Z-Daily Copy.sqlite3",
            "2026-11-25T10-31-07Z-daily.sqlite3-wal",
            "2026-11-25T10-31-07Z-daily.1.sqlite3",
            "2026-11-25T10-31-07Z-daily.x.sqlite3",
        ] {
            assert_eq!(parse_backup_file_name(other), None, "{other}");
        }
    }

    /// `check(now, backups, expected survivors)`, every time given as RFC 3339.
    fn check(retention: Retention, now: &str, backups: &[&str], keep: &[&str]) {
        let list: Vec<(String, DateTime<Utc>)> =
            backups.iter().map(|b| (b.to_string(), at(b))).collect();
        let pruned = retention.prune(&list, at(now));
        let mut kept: Vec<&str> = backups
            .iter()
            .copied()
            .filter(|b| !pruned.iter().any(|p| p == b))
            .collect();
        kept.sort();
        let mut expected = keep.to_vec();
        expected.sort();
        assert_eq!(kept, expected, "now {now}");
    }

    const ONLY_LAST_3: Retention = Retention {
        last: 3,
        daily: 0,
        weekly: 0,
    };

    #[test]
    fn the_newest_are_kept() {
        check(ONLY_LAST_3, "2026-11-25T12:00:00Z", &[], &[]);
        check(
            ONLY_LAST_3,
            "2026-11-25T12:00:00Z",
            &[
                "2026-11-25T10:00:00Z",
                "2026-11-25T09:00:00Z",
                "2026-11-25T11:00:00Z",
                "2026-11-25T08:00:00Z",
                "2026-11-24T08:00:00Z",
            ],
            &[
                "2026-11-25T11:00:00Z",
                "2026-11-25T10:00:00Z",
                "2026-11-25T09:00:00Z",
            ],
        );
    }

    #[test]
    fn one_a_day_for_a_week() {
        let daily = Retention {
            last: 1,
            daily: 7,
            weekly: 0,
        };
        // Two a day for ten days: the newest of today and of each of the six days before.
        let mut backups = Vec::new();
        for day in 10..=19 {
            backups.push(format!("2026-11-{day}T09:00:00Z"));
            backups.push(format!("2026-11-{day}T17:00:00Z"));
        }
        let backups: Vec<&str> = backups.iter().map(String::as_str).collect();
        check(
            daily,
            "2026-11-19T18:00:00Z",
            &backups,
            &[
                "2026-11-13T17:00:00Z",
                "2026-11-14T17:00:00Z",
                "2026-11-15T17:00:00Z",
                "2026-11-16T17:00:00Z",
                "2026-11-17T17:00:00Z",
                "2026-11-18T17:00:00Z",
                "2026-11-19T17:00:00Z",
            ],
        );
        // Days without a backup are not made up for by keeping more of other days.
        check(
            daily,
            "2026-11-19T18:00:00Z",
            &[
                "2026-11-19T08:00:00Z",
                "2026-11-19T07:00:00Z",
                "2026-11-10T08:00:00Z",
            ],
            &["2026-11-19T08:00:00Z"],
        );
    }

    #[test]
    fn one_a_week_for_four_weeks() {
        let weekly = Retention {
            last: 0,
            daily: 0,
            weekly: 4,
        };
        // 2026-11-25 is a Wednesday; its ISO week starts on Monday the 23rd.
        check(
            weekly,
            "2026-11-25T12:00:00Z",
            &[
                "2026-11-24T10:00:00Z", // this week, older
                "2026-11-25T10:00:00Z", // this week, newest
                "2026-11-22T23:00:00Z", // Sunday: last week, newest
                "2026-11-16T01:00:00Z", // Monday of last week
                "2026-11-09T12:00:00Z", // two weeks ago
                "2026-11-02T12:00:00Z", // three weeks ago
                "2026-11-01T12:00:00Z", // four weeks ago: gone
                "2026-10-01T12:00:00Z",
            ],
            &[
                "2026-11-25T10:00:00Z",
                "2026-11-22T23:00:00Z",
                "2026-11-09T12:00:00Z",
                "2026-11-02T12:00:00Z",
            ],
        );
    }

    #[test]
    fn the_default_tiers_together() {
        // Every six hours for sixty days: the 10 newest (back to the 23rd), one a day for the
        // rest of the week (22nd to 19th: four more), one a week for the two older weeks of the
        // four (this week's and last week's newest are kept already).
        let now = at("2026-11-25T12:00:00Z");
        let backups: Vec<String> = (0..240)
            .map(|i| (now - chrono::Duration::hours(6 * i + 1)).to_rfc3339())
            .collect();
        let list: Vec<(String, DateTime<Utc>)> =
            backups.iter().map(|b| (b.clone(), at(b))).collect();
        let pruned = Retention::DEFAULT.prune(&list, now);
        let kept: Vec<&String> = backups.iter().filter(|b| !pruned.contains(b)).collect();
        assert_eq!(kept.len(), 10 + 4 + 2, "{kept:?}");
        assert_eq!(kept[0], &backups[0], "the newest stays");
        // A clock set in the future does not make the newest backup go.
        let future = [("x".to_string(), at("2027-01-01T00:00:00Z"))];
        assert!(Retention::DEFAULT.prune(&future, now).is_empty());
    }
}
