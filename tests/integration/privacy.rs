//! Issue 17, encryption at rest: nothing readable in the library, its write-ahead log, its
//! backups or anything beside them; a plaintext library of the last release converted; the
//! passphrase, the recovery code, `rekey` and a restore of an older backup.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ddesk_core::model::*;
use ddesk_core::store::backup::{self, BackupReason};
use ddesk_core::store::{key, Unlock};
use ddesk_core::{Error, Store};
use delegation_desk_tests::{official, unlock, Fixture, PASSPHRASE};

use crate::cli::{ddesk, demo_event, stdout};

/// Passport numbers and names no file of the library may hold in the clear.
const SECRETS: &[&str] = &[
    "M48213379",
    "X90217745",
    "PASSPORTSECRET",
    "Thawatchai",
    "Ngozi Okonkwo-Adebayo",
    "김비밀",
];

fn with_secrets(f: &Fixture) {
    let numbers = ["M48213379", "X90217745", "PASSPORTSECRET1"];
    let names = [
        ("Thawatchai", "Srisuk"),
        ("Ngozi", "Okonkwo-Adebayo"),
        ("Bimil", "Kim"),
    ];
    for ((given, family), number) in names.into_iter().zip(numbers) {
        let mut o = official(&f.event, Some(&f.delegation), family, given);
        o.passport_number = number.into();
        o.native_name = if family == "Kim" {
            "김비밀".into()
        } else {
            String::new()
        };
        o.email = format!("{given}@example.org");
        f.store.save(o).expect("official");
    }
    // "Ngozi Okonkwo-Adebayo" as one string, the way a badge name is stored.
    let mut o = official(&f.event, Some(&f.delegation), "Okonkwo-Adebayo", "Ngozi");
    o.badge_name = "Ngozi Okonkwo-Adebayo".into();
    f.store.save(o).expect("badge name");
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The secrets a file holds in the clear (as UTF-8, and as UTF-16 for good measure).
fn readable_in(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).expect("read file");
    SECRETS
        .iter()
        .filter(|s| {
            let utf8 = s.as_bytes();
            let utf16: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
            bytes.windows(utf8.len()).any(|w| w == utf8)
                || bytes.windows(utf16.len()).any(|w| w == utf16.as_slice())
        })
        .map(|s| s.to_string())
        .collect()
}

fn assert_nothing_readable(dir: &Path) -> usize {
    let files = files_under(dir);
    for file in &files {
        let found = readable_in(file);
        assert!(found.is_empty(), "{} holds {found:?}", file.display());
    }
    files.len()
}

#[test]
fn nothing_readable_survives_in_the_library_its_log_or_its_backups() {
    let dir = tempfile::tempdir().expect("dir");
    let library = dir.path().join("library.sqlite3");
    let f = Fixture::with_store(Store::open(&library, &unlock()).expect("library"));
    with_secrets(&f);
    f.store.backup(BackupReason::Manual).expect("backup");
    let copy = dir.path().join("copy-for-usb.sqlite3");
    f.store.backup_to(&copy, false).expect("backup to a file");
    // The control: the secrets are in the library, readable through its key.
    let found: i64 = f
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM official WHERE passport_number IN ('M48213379', 'X90217745')",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("read");
    assert_eq!(found, 2);
    // While the library is open its write-ahead log holds the newest pages.
    let wal = dir.path().join("library.sqlite3-wal");
    assert!(std::fs::metadata(&wal).expect("wal").len() > 0);
    let checked = assert_nothing_readable(dir.path());
    assert!(
        checked >= 5,
        "library, -wal, -shm, key file, backups: {checked}"
    );
    drop(f);
    assert_nothing_readable(dir.path());
    // The key file holds neither the passphrase nor the key.
    let key_file = std::fs::read_to_string(key::key_file(&library)).expect("key file");
    assert!(!key_file.contains(PASSPHRASE));
    // A file without the key is no library to SQLite.
    let bare = rusqlite::Connection::open(&copy).expect("open");
    assert!(bare
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r
            .get::<_, i64>(0))
        .is_err());
}

/// The plain library the last release (schema 9, before encryption) wrote: a generated event.
fn release_library(dir: &Path) -> PathBuf {
    let fixture =
        delegation_desk_tests::workspace().join("tests/fixtures/library-v9-plain.sqlite3");
    let library = dir.join("library.sqlite3");
    std::fs::copy(&fixture, &library).expect("copy the fixture");
    library
}

fn passports(conn: &rusqlite::Connection) -> Vec<String> {
    let mut stmt = conn
        .prepare("SELECT passport_number FROM official WHERE passport_number <> '' ORDER BY id")
        .expect("prepare");
    let rows = stmt.query_map([], |r| r.get(0)).expect("query");
    rows.collect::<rusqlite::Result<_>>().expect("rows")
}

#[test]
fn a_plaintext_library_of_the_last_release_is_converted_with_its_backups() {
    let dir = tempfile::tempdir().expect("dir");
    let library = release_library(dir.path());
    // One of its daily backups, plain as the release made them.
    let backups = backup::backups_dir(&library);
    std::fs::create_dir_all(&backups).expect("backups");
    let old_backup = backups.join(backup::backup_file_name(
        chrono::Utc::now() - chrono::Duration::days(1),
        "daily",
        1,
    ));
    std::fs::copy(&library, &old_backup).expect("plain backup");
    let before = passports(&rusqlite::Connection::open(&library).expect("plain"));
    assert!(
        before.len() >= 20,
        "the fixture has passports: {}",
        before.len()
    );
    let needles: Vec<String> = before.iter().take(5).cloned().collect();
    let holds = |path: &Path| {
        let bytes = std::fs::read(path).expect("read");
        needles
            .iter()
            .any(|n| bytes.windows(n.len()).any(|w| w == n.as_bytes()))
    };
    assert!(holds(&library) && holds(&old_backup), "the control");

    let store = Store::open(&library, &unlock()).expect("converted");
    let notice = store.take_notice().expect("told once");
    assert!(notice.recovery_code.is_some());
    let converted = notice.converted.expect("converted");
    // The release's backup and the one made just before converting.
    assert_eq!(converted.backups_encrypted, 2);
    assert_eq!(converted.backups_removed, 0);
    assert!(store.take_notice().is_none(), "told only once");
    let after = store.read(|c| Ok(passports(c))).expect("read");
    assert_eq!(after, before, "every passport kept");
    assert!(!ddesk_core::store::is_plain_sqlite(&library).expect("header"));
    for file in files_under(dir.path()) {
        assert!(
            !holds(&file),
            "{} holds a passport in the clear",
            file.display()
        );
    }
    let reasons: Vec<String> = backup::list_backups(&library)
        .expect("list")
        .into_iter()
        .map(|b| b.reason)
        .collect();
    assert!(
        reasons.contains(&"before-encryption".to_string()),
        "{reasons:?}"
    );
    // Both backups open with the library's key and hold the release's data.
    for b in backup::list_backups(&library).expect("list") {
        assert_eq!(
            backup::check_library_file(&b.path, store.key()).expect("good backup"),
            9
        );
    }
    drop(store);
    // Opened again: nothing more to convert, nothing more to tell.
    let again = Store::open(&library, &unlock()).expect("reopen");
    assert!(again.take_notice().is_none());
}

#[test]
fn a_wrong_passphrase_is_one_sentence_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("dir");
    let library = dir.path().join("library.sqlite3");
    drop(Fixture::with_store(
        Store::open(&library, &unlock()).expect("library"),
    ));
    let snapshot = |dir: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        let mut files: Vec<_> = files_under(dir)
            .into_iter()
            .map(|p| {
                let bytes = std::fs::read(&p).expect("read");
                (p, bytes)
            })
            .collect();
        files.sort();
        files
    };
    let before = snapshot(dir.path());
    let err = Store::open(&library, &Unlock::passphrase("not the passphrase")).expect_err("no");
    assert_eq!(err.code(), "wrong_passphrase");
    assert!(matches!(err, Error::Locked { .. }));
    assert_eq!(snapshot(dir.path()), before, "not a byte written");
    // The credential store was not where this library's key is kept.
    let err = Store::open(&library, &Unlock::Keyring).expect_err("no");
    assert_eq!(err.code(), "locked");
    assert_eq!(snapshot(dir.path()), before);

    // `ddesk` without a passphrase: exit 1 and one sentence; with a wrong one, the same.
    let bare = |env: Option<&str>| -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ddesk-under-test"));
        cmd.env_remove("DDESK_PASSPHRASE")
            .env("DDESK_KEYRING", "off");
        if let Some(p) = env {
            cmd.env("DDESK_PASSPHRASE", p);
        }
        cmd.arg("--db")
            .arg(&library)
            .arg("events")
            .output()
            .expect("ddesk")
    };
    for out in [bare(None), bare(Some("wrong wrong wrong"))] {
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(said.trim_end().lines().count(), 1, "{said}");
        assert!(out.stdout.is_empty());
    }
    assert_eq!(snapshot(dir.path()), before);
    // --passphrase-file opens it (its first line).
    let file = dir.path().join("passphrase.txt");
    std::fs::write(&file, format!("{PASSPHRASE}\nsecond line\n")).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_ddesk-under-test"))
        .env_remove("DDESK_PASSPHRASE")
        .env("DDESK_KEYRING", "off")
        .arg("--db")
        .arg(&library)
        .arg("--passphrase-file")
        .arg(&file)
        .arg("events")
        .output()
        .expect("ddesk");
    assert!(out.status.success(), "{out:?}");
    assert!(stdout(&out).contains("Fixture Forum"));
}

fn ddesk_with(db: &Path, passphrase: &str, extra: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ddesk-under-test"));
    cmd.env("DDESK_PASSPHRASE", passphrase)
        .env("DDESK_KEYRING", "off")
        .env_remove("DDESK_NEW_PASSPHRASE");
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.arg("--db").arg(db).args(args).output().expect("ddesk")
}

#[test]
fn the_recovery_code_opens_the_library_and_its_backups_and_sets_a_new_passphrase() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("library.sqlite3");
    let first = "first passphrase";
    let out = ddesk_with(&db, first, &[], &["demo"]);
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = said
        .lines()
        .find_map(|l| l.strip_prefix("recovery_code\t"))
        .expect("the recovery code, said once")
        .to_string();
    // Said only when the key is made.
    let out = ddesk_with(&db, first, &[], &["events"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("recovery_code"));
    let copy = dir.path().join("usb-copy.sqlite3");
    assert!(ddesk_with(
        &db,
        first,
        &[],
        &["backup", "-o", copy.to_str().expect("utf-8")]
    )
    .status
    .success());

    // The passphrase is forgotten: a wrong code is refused, the right one sets a new one.
    // One character off (a code that ends in A gets a B: one run in 32 made the right code).
    let last = if code.ends_with('A') { 'B' } else { 'A' };
    let wrong = format!("{}{last}", &code[..code.len() - 1]);
    let out = ddesk_with(
        &db,
        "the new passphrase",
        &[],
        &["recover", "--code", &wrong],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let out = ddesk_with(
        &db,
        "the new passphrase",
        &[],
        &["recover", "--code", &code],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        stdout(&out).trim_end(),
        format!("recovered\t{}\tpassphrase", db.display())
    );
    assert_eq!(
        ddesk_with(&db, first, &[], &["events"]).status.code(),
        Some(1)
    );
    let out = ddesk_with(&db, "the new passphrase", &[], &["events"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out).lines().count(), 2, "both demo events");

    // The code opens a backup on its own, with the key file and the library gone.
    std::fs::remove_file(key::key_file(&db)).expect("key file gone");
    let store = Store::open(&copy, &Unlock::recovery_code(&code)).expect("backup");
    assert_eq!(
        store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM event", [], |r| r.get::<_, i64>(0))?))
            .expect("count"),
        2
    );
    // And a code of another library does not.
    let other = dir.path().join("other.sqlite3");
    let made = Store::open(&other, &Unlock::passphrase("another library")).expect("other");
    let other_code = made
        .take_notice()
        .and_then(|n| n.recovery_code)
        .expect("code");
    drop(store);
    let err = Store::open(&copy, &Unlock::recovery_code(&other_code)).expect_err("no");
    assert_eq!(err.code(), "wrong_recovery_code");
}

#[test]
fn rekey_changes_the_passphrase_and_older_backups_still_restore() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("library.sqlite3");
    assert!(ddesk_with(&db, "old passphrase", &[], &["demo"])
        .status
        .success());
    let before = dir.path().join("before.sqlite3");
    assert!(ddesk_with(
        &db,
        "old passphrase",
        &[],
        &["backup", "-o", before.to_str().expect("utf-8")]
    )
    .status
    .success());
    // Too short a new passphrase is refused; the old one still opens.
    let out = ddesk_with(
        &db,
        "old passphrase",
        &[("DDESK_NEW_PASSPHRASE", "short")],
        &["rekey"],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(ddesk_with(&db, "old passphrase", &[], &["events"])
        .status
        .success());
    let out = ddesk_with(
        &db,
        "old passphrase",
        &[("DDESK_NEW_PASSPHRASE", "new passphrase")],
        &["rekey"],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        ddesk_with(&db, "old passphrase", &[], &["events"])
            .status
            .code(),
        Some(1)
    );
    let forum = stdout(&ddesk_with(&db, "new passphrase", &[], &["events"]))
        .lines()
        .find(|l| l.contains("Forum"))
        .and_then(|l| l.split('\t').next())
        .expect("forum")
        .to_string();
    assert!(
        ddesk_with(&db, "new passphrase", &[], &["demo", "--remove"])
            .status
            .success()
    );
    assert!(stdout(&ddesk_with(&db, "new passphrase", &[], &["events"])).is_empty());
    // The backup made under the old passphrase restores under the new one.
    let out = ddesk_with(
        &db,
        "new passphrase",
        &[],
        &["restore", before.to_str().expect("utf-8")],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(stdout(&ddesk_with(&db, "new passphrase", &[], &["events"])).contains(&forum));
}

#[test]
fn a_plain_backup_restores_into_the_encrypted_library_encrypted() {
    let dir = tempfile::tempdir().expect("dir");
    let fixture_dir = dir.path().join("old");
    std::fs::create_dir_all(&fixture_dir).expect("dir");
    // A backup the last release made, kept on a USB stick: plain.
    let plain_backup = release_library(&fixture_dir);
    let library = dir.path().join("library.sqlite3");
    let f = Fixture::with_store(Store::open(&library, &unlock()).expect("library"));
    drop(f);
    let key = delegation_desk_tests::key(&library);
    backup::restore(&library, &plain_backup, &key).expect("restored");
    assert!(!ddesk_core::store::is_plain_sqlite(&library).expect("header"));
    let store = Store::open(&library, &unlock()).expect("open");
    let n: i64 = store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM official", [], |r| r.get(0))?))
        .expect("count");
    assert!(n >= 20);
    // Nothing in the library's folder is plain SQLite any more.
    for file in files_under(dir.path())
        .into_iter()
        .filter(|p| !p.starts_with(&fixture_dir))
    {
        assert!(
            !ddesk_core::store::is_plain_sqlite(&file).expect("header"),
            "{} is plain",
            file.display()
        );
    }
}

/// The forum's passport numbers, from the library.
fn event_passports(store: &Store, event: &str) -> Vec<String> {
    store
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT passport_number FROM official WHERE event_id = ?1 AND passport_number <> ''",
            )?;
            let rows = stmt.query_map([event], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .expect("passports")
}

fn holds_any(path: &Path, needles: &[String]) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap_or_default();
    needles
        .iter()
        .filter(|n| bytes.windows(n.len()).any(|w| w == n.as_bytes()))
        .cloned()
        .collect()
}

#[test]
fn a_purge_leaves_nothing_in_the_library_its_log_its_free_pages_or_its_backups() {
    let dir = tempfile::tempdir().expect("dir");
    let library = dir.path().join("library.sqlite3");
    // A plain library, so that its bytes can be searched after the purge: what SQLite leaves
    // in free pages and in the write-ahead log is the same encrypted or not.
    let store = Store::open(&library, &Unlock::Plaintext).expect("library");
    ddesk_core::demo::seed_if_empty(&store).expect("demo");
    let events = store
        .read(|c| {
            let mut stmt = c.prepare("SELECT id, name_en FROM event ORDER BY name_en")?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .expect("events");
    let forum = events
        .iter()
        .find(|(_, n)| n.contains("Forum"))
        .expect("forum")
        .0
        .clone();
    let workshop = events
        .iter()
        .find(|(_, n)| n.contains("Workshop"))
        .expect("workshop")
        .0
        .clone();
    let passports = event_passports(&store, &forum);
    assert!(passports.len() > 50);
    let kept = event_passports(&store, &workshop);
    // The change log gets images with the old number (an update) and a whole official (a
    // delete); a backup holds it all.
    let ids: Vec<String> = store
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT id FROM official WHERE event_id = ?1 AND passport_number <> '' LIMIT 2",
            )?;
            let rows = stmt.query_map([&forum], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .expect("ids");
    let mut changed: Official = store.get(&ids[0]).expect("official");
    changed.passport_number = "Z11112222".into();
    store.save(changed).expect("update");
    store.delete::<Official>(&ids[1], true).expect("delete");
    let mut needles = passports.clone();
    needles.push("Z11112222".into());
    store.backup(BackupReason::Manual).expect("backup");
    let plan = store.purge_plan(&forum).expect("plan");
    let planned: std::collections::HashMap<String, i64> = plan.fields.iter().cloned().collect();
    assert_eq!(planned["passport_number"], passports.len() as i64 - 1);
    assert!(plan.flights > 0);

    let report = store.purge(&forum).expect("purge");
    assert_eq!(report.plan, plan);
    let backups = backup::list_backups(&library).expect("backups").len();
    assert!(backups >= 1);
    assert_eq!(
        (report.backups_purged, report.backups_removed),
        (backups, 0)
    );
    // Nothing of it in the library's rows, search text or change log.
    let left: i64 = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT (SELECT count(*) FROM official WHERE event_id = ?1
                           AND (passport_number <> '' OR email <> '' OR phone <> ''
                                OR birth_date IS NOT NULL OR dietary <> '' OR notes <> ''))
                      + (SELECT count(*) FROM travel WHERE event_id = ?1)",
                [&forum],
                |r| r.get(0),
            )?)
        })
        .expect("left");
    assert_eq!(left, 0);
    assert!(ddesk_core::store::purge::PurgePlan::is_empty(
        &store.purge_plan(&forum).expect("plan")
    ));
    let history = store
        .recent_changes(Some(&forum), usize::MAX)
        .expect("history");
    assert!(!history.is_empty(), "the log stays, without the data");
    // Undo cannot bring the numbers back: every step either refuses or restores images
    // that hold none.
    for _ in 0..3 {
        let _ = store.undo_last(Some(&forum));
    }
    assert!(
        event_passports(&store, &forum).is_empty(),
        "undo brought a number back"
    );
    // The other event is untouched.
    assert_eq!(event_passports(&store, &workshop), kept);
    // The purge is recorded, in counts.
    let recorded = store.recent_history(&forum, 500).expect("history");
    let purge = recorded
        .iter()
        .find(|e| e.action == "purge")
        .expect("the purge recorded");
    assert!(
        purge.summary.contains("passport_number"),
        "{}",
        purge.summary
    );
    drop(store);
    // Nothing in the bytes of the library, its log or the backup made before.
    for file in files_under(dir.path()) {
        let found = holds_any(&file, &needles);
        assert!(found.is_empty(), "{} holds {found:?}", file.display());
    }
    // The workshop's numbers are still in the file: the search above can find numbers.
    assert!(!holds_any(&library, &kept).is_empty(), "the control");
}

#[test]
fn ddesk_purge_says_what_goes_and_asks_for_yes() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("library.sqlite3");
    let forum = demo_event(&db, "Forum");
    let run = |args: &[&str]| ddesk(&db, args);
    let out = run(&["purge", "--event", &forum]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    let table = |out: &Output| -> std::collections::BTreeMap<String, i64> {
        stdout(out)
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(k, v)| (k.to_string(), v.parse().expect("count")))
            .collect()
    };
    let dry = table(&run(&["purge", "--event", &forum, "--dry-run"]));
    assert_eq!(dry["passport_number"], 98, "{dry:?}");
    assert!(dry["flights"] > 100);
    assert!(!dry.contains_key("backups_purged"));
    assert_eq!(
        table(&run(&["purge", "--event", &forum, "--dry-run"])),
        dry,
        "changed nothing"
    );
    let done = run(&["purge", "--event", &forum, "--yes"]);
    assert!(done.status.success(), "{done:?}");
    let done = table(&done);
    assert_eq!(done["passport_number"], 98);
    assert!(done.contains_key("backups_purged"));
    let after = table(&run(&["purge", "--event", &forum, "--dry-run"]));
    assert!(
        after
            .iter()
            .filter(|(k, _)| k.as_str() != "log_entries")
            .all(|(_, n)| *n == 0),
        "{after:?}"
    );
    // `history --json` holds no passport number of the forum any more.
    let json = stdout(&run(&["history", "--event", &forum, "--json"]));
    assert!(
        !json.contains("\"passport_number\": \"M"),
        "a number in the log"
    );
}

#[test]
fn deleting_an_official_takes_their_personal_data_out_of_the_change_log() {
    let f = Fixture::new();
    let in_log = |needle: &str| -> i64 {
        f.store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM change_log
                      WHERE coalesce(before, '') || coalesce(after, '') LIKE '%' || ?1 || '%'",
                    [needle],
                    |r| r.get(0),
                )?)
            })
            .expect("count")
    };
    let mut leaving = official(&f.event, Some(&f.delegation), "Okafor", "Chidi");
    leaving.passport_number = "Q55556666".into();
    leaving.email = "chidi.okafor@example.org".into();
    let leaving = f.store.save(leaving).expect("official");
    let mut staying = official(&f.event, Some(&f.delegation), "Silva", "Ana");
    staying.passport_number = "R77778888".into();
    f.store.save(staying).expect("official");
    let mut moved = leaving.clone();
    moved.position = "Director".into();
    f.store.save(moved).expect("update");
    assert_eq!(
        in_log("Q55556666"),
        2,
        "the control: create and update images"
    );
    f.store
        .delete::<Official>(&leaving.id, true)
        .expect("delete");
    assert_eq!(in_log("Q55556666"), 0);
    assert_eq!(in_log("chidi.okafor@example.org"), 0);
    assert_eq!(in_log("R77778888"), 1, "the others' data stays");
    // The history still says who was created, changed and deleted.
    let history = f
        .store
        .recent_changes(Some(&f.event.id), 100)
        .expect("history");
    assert!(
        history
            .iter()
            .any(|e| e.action == "delete" && e.label.contains("OKAFOR")),
        "{history:?}"
    );
}

#[test]
fn full_passport_numbers_leave_in_an_aes_zip_that_7zip_opens_with_its_password() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("library.sqlite3");
    let forum = demo_event(&db, "Forum");
    let numbers = event_passports(&Store::open(&db, &unlock()).expect("open"), &forum);
    let zip = dir.path().join("officials.zip");
    let export = |password: Option<&str>, out: &Path| {
        let mut extra = vec![];
        if let Some(p) = password {
            extra.push(("DDESK_ZIP_PASSWORD", p));
        }
        ddesk_with(
            &db,
            PASSPHRASE,
            &extra,
            &[
                "export",
                "officials",
                "--event",
                &forum,
                "--format",
                "csv",
                "--full-passport",
                "-o",
                out.to_str().expect("utf-8"),
            ],
        )
    };
    let out = export(Some("short"), &zip);
    assert_eq!(out.status.code(), Some(1), "a password too short: {out:?}");
    let out = export(Some("zip password 17"), &zip);
    assert!(out.status.success(), "{out:?}");
    assert!(
        holds_any(&zip, &numbers).is_empty(),
        "nothing readable in the ZIP"
    );
    let seven = |args: &[&str]| {
        Command::new("7zz")
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("7zz (Debian's 7zip)")
    };
    let listing =
        String::from_utf8_lossy(&seven(&["l", "-slt", "officials.zip"]).stdout).into_owned();
    assert!(listing.contains("AES-256"), "{listing}");
    assert!(
        !seven(&["x", "-y", "-pwrong password", "-owrong", "officials.zip"])
            .status
            .success()
    );
    let opened = seven(&["x", "-y", "-pzip password 17", "-oopened", "officials.zip"]);
    assert!(opened.status.success(), "{opened:?}");
    let csv = files_under(&dir.path().join("opened"));
    assert_eq!(csv.len(), 1);
    let text = std::fs::read_to_string(&csv[0]).expect("csv");
    assert!(
        numbers.iter().all(|n| text.contains(n.as_str())),
        "every number in full"
    );
    // Without --full-passport they leave masked, and the history says which was which.
    let plain = dir.path().join("masked.csv");
    let out = ddesk(
        &db,
        &[
            "export",
            "officials",
            "--event",
            &forum,
            "--format",
            "csv",
            "-o",
            plain.to_str().expect("utf-8"),
        ],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(holds_any(&plain, &numbers).is_empty(), "masked");
    let history = stdout(&ddesk(&db, &["history", "--event", &forum]));
    assert!(
        history.contains("passport numbers in full, in an encrypted ZIP"),
        "{history}"
    );
}

#[test]
fn the_key_kept_in_the_credential_store_unlocks_silently_and_only_there() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("library.sqlite3");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    // A desktop session in miniature: a private D-Bus with GNOME Keyring's Secret Service,
    // its login keyring unlocked, and `ddesk` run without any passphrase.
    let script = dir.path().join("session.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n\
             printf 'login password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1\n\
             \"$DDESK\" --db '{db}' demo >/dev/null 2>'{dir}/demo.err' || exit 3\n\
             \"$DDESK\" --db '{db}' events > '{dir}/events.out' || exit 4\n\
             \"$DDESK\" --db '{db}' doctor > '{dir}/doctor.out' || exit 5\n",
            db = db.display(),
            dir = dir.path().display()
        ),
    )
    .expect("script");
    let status = Command::new("dbus-run-session")
        .arg("--")
        .arg("sh")
        .arg(&script)
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", &home)
        .env("DDESK", env!("CARGO_BIN_EXE_ddesk-under-test"))
        .env_remove("DDESK_PASSPHRASE")
        .env_remove("DDESK_KEYRING")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .status()
        .expect("dbus-run-session (Debian's dbus) and gnome-keyring");
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap_or_default();
    assert!(status.success(), "{status}: {}", read("demo.err"));
    assert_eq!(read("events.out").lines().count(), 2, "unlocked silently");
    assert!(
        read("doctor.out").contains("key_kept_by\tcredential store"),
        "{}",
        read("doctor.out")
    );
    let code = read("demo.err")
        .lines()
        .find_map(|l| l.strip_prefix("recovery_code\t"))
        .expect("the recovery code")
        .to_string();
    // The key file holds no passphrase wrapping, and no key.
    let key_file = std::fs::read_to_string(key::key_file(&db)).expect("key file");
    assert!(key_file.contains("\"keyring\": true") && key_file.contains("\"passphrase\": null"));
    // Outside that session (another computer, another account) the library stays shut.
    let out = Command::new(env!("CARGO_BIN_EXE_ddesk-under-test"))
        .env_remove("DDESK_PASSPHRASE")
        .env("DDESK_KEYRING", "off")
        .arg("--db")
        .arg(&db)
        .arg("events")
        .output()
        .expect("ddesk");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    // …until the recovery code opens it and a passphrase keeps it from then on.
    let out = ddesk_with(
        &db,
        "after the recovery",
        &[],
        &["recover", "--code", &code],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        stdout(&ddesk_with(&db, "after the recovery", &[], &["events"]))
            .lines()
            .count(),
        2
    );
}

#[test]
fn the_rooming_list_masks_passport_numbers_unless_asked_and_the_history_counts_people() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("library.sqlite3");
    let workshop = demo_event(&db, "Workshop");
    let run = |args: &[&str]| ddesk(&db, args);
    let numbers = event_passports(&Store::open(&db, &unlock()).expect("open"), &workshop);
    assert!(numbers.len() >= 20);
    let masked = dir.path().join("rooming.pdf");
    let full = dir.path().join("rooming-full.pdf");
    let print = |out: &Path, extra: &[&str]| {
        let mut args = vec!["print", "rooming", "--event", &workshop, "-o"];
        args.push(out.to_str().expect("utf-8"));
        args.extend_from_slice(extra);
        let done = run(&args);
        assert!(done.status.success(), "{done:?}");
        crate::outputs::pdftotext(out)
    };
    let text = print(&masked, &[]);
    assert!(text.contains("Passport no."), "the column");
    assert!(numbers.iter().all(|n| !text.contains(n.as_str())), "masked");
    let first = &numbers[0];
    let shown = ddesk_core::export::mask_passport(first);
    assert!(
        shown.contains('*') && text.contains(&shown),
        "{shown} in the list"
    );
    let text = print(&full, &["--full-passport"]);
    assert!(
        numbers.iter().all(|n| text.contains(n.as_str())),
        "in full when asked"
    );
    let history = stdout(&run(&["history", "--event", &workshop]));
    let saved: Vec<&str> = history.lines().filter(|l| l.contains("rooming")).collect();
    assert_eq!(saved.len(), 2, "{history}");
    // The guests of the workshop's hotel, counted.
    let guests: usize = text
        .split("Total: ")
        .skip(1)
        .filter_map(|t| t.split(' ').next()?.parse::<usize>().ok())
        .sum();
    assert!(guests >= numbers.len(), "{guests}");
    let people = format!("{guests} people");
    assert!(
        saved[0].contains(&people) && !saved[0].contains("full passport"),
        "{}",
        saved[0]
    );
    assert!(
        saved[1].contains(&format!("{people}, full passport numbers")),
        "{}",
        saved[1]
    );
}

#[test]
fn a_conversion_that_crashed_leaves_the_plain_library_and_is_done_again() {
    let dir = tempfile::tempdir().expect("dir");
    let library = release_library(dir.path());
    let before = std::fs::read(&library).expect("bytes");
    // What a power cut in the middle of converting leaves: the guard and a half-written file
    // beside the plain library, which is untouched.
    let guard = dir.path().join("library.sqlite3.converting");
    std::fs::write(&guard, b"").expect("guard");
    std::fs::write(dir.path().join("library.sqlite3.encrypting-1234"), b"half").expect("temp");
    let err = Store::open(&library, &unlock()).expect_err("another conversion may be running");
    assert_eq!(err.code(), "in_use");
    assert_eq!(
        std::fs::read(&library).expect("bytes"),
        before,
        "nothing written"
    );
    // Two minutes on, the guard is stale: the conversion runs.
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(180);
    std::fs::File::options()
        .write(true)
        .open(&guard)
        .expect("guard")
        .set_modified(old)
        .expect("age the guard");
    let store = Store::open(&library, &unlock()).expect("converted");
    assert!(store.take_notice().and_then(|n| n.converted).is_some());
    assert!(!guard.exists());
    assert!(!ddesk_core::store::is_plain_sqlite(&library).expect("header"));
}

#[test]
fn ddesk_converts_the_last_releases_library_in_a_process_of_its_own() {
    // A fresh process: nothing in it has opened an encrypted library before the conversion
    // makes one (SQLCipher's defaults are the process's; in this test binary other tests may
    // have set them already).
    let dir = tempfile::tempdir().expect("dir");
    let library = release_library(dir.path());
    let out = ddesk(&library, &["events"]);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout(&out).contains("Generated Forum"));
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(said.contains("now encrypted"), "{said}");
    let out = ddesk(&library, &["doctor"]);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout(&out).contains("integrity\tok"));
}
