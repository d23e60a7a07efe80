//! Backups: made before migrations, imports and bulk deletes and once a day, pruned by tiers,
//! listed, checked, and restored in place of the library.

use std::path::{Path, PathBuf};

use ddesk_core::model::{Delegation, Official};
use ddesk_core::store::backup::{self, BackupReason};
use ddesk_core::{store, Error, Store};
use delegation_desk_tests::{official, Fixture};

fn library(dir: &Path) -> (PathBuf, Fixture) {
    let path = dir.join("library.sqlite3");
    let f =
        Fixture::with_store(Store::open(&path, &delegation_desk_tests::unlock()).expect("create"));
    (path, f)
}

fn reasons(path: &Path) -> Vec<String> {
    backup::list_backups(path)
        .expect("list")
        .into_iter()
        .map(|b| b.reason)
        .collect()
}

/// Files in `dir` other than the library, its backups folder and `keep`.
fn strays(dir: &Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n != "library.sqlite3"
                && n != "library.sqlite3.key"
                && n != "backups"
                && !keep.contains(&n.as_str())
        })
        .collect()
}

fn scribble(path: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).expect("read");
    let len = bytes.len();
    // Table and index pages sit after the schema page; page 1 stays readable.
    for b in &mut bytes[4096.min(len / 2)..len] {
        *b = 0x5A;
    }
    std::fs::write(path, &bytes).expect("write");
    bytes
}

/// Moves everything into the main file and leaves WAL mode, as a closed library would be
/// after a copy by hand.
fn settle(path: &Path) {
    let conn = delegation_desk_tests::raw(path);
    conn.pragma_update(None, "journal_mode", "DELETE")
        .expect("journal mode");
}

#[test]
fn a_backup_restores_the_library_as_it_was() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, f) = library(dir.path());
    let made = f.store.backup(BackupReason::Manual).expect("backup");
    assert_eq!(made.reason, "manual");
    assert!(made.file_name.ends_with("-manual.sqlite3"), "{made:?}");
    assert_eq!(
        made.path.parent(),
        Some(dir.path().join("backups").as_path())
    );
    assert!(made.size_bytes > 0);
    assert_eq!(
        backup::list_backups(&path).expect("list"),
        std::slice::from_ref(&made)
    );
    assert_eq!(
        backup::check_library_file(&made.path, &delegation_desk_tests::key(&path)).expect("good"),
        store::SCHEMA_VERSION
    );

    let mut changed = f.official.clone();
    changed.family_name = "Tran".into();
    f.store.save(changed).expect("edit");
    let added = f
        .store
        .save(official(&f.event, None, "Added", "Later"))
        .expect("add");
    drop(f.store);

    let report =
        backup::restore(&path, &made.path, &delegation_desk_tests::key(&path)).expect("restore");
    let safety = report.safety_backup.expect("the state before is backed up");
    assert_eq!(safety.reason, "before-restore");
    assert_eq!(report.set_aside, None);
    assert_eq!(reasons(&path), ["before-restore", "manual"]);
    assert!(
        strays(dir.path(), &[]).is_empty(),
        "{:?}",
        strays(dir.path(), &[])
    );

    let store = Store::open(&path, &delegation_desk_tests::unlock()).expect("reopen");
    assert!(store.health().expect("health").is_ok());
    let back: Official = store.get(&f.official.id).expect("official");
    assert_eq!(back.family_name, "Nguyen");
    assert!(matches!(
        store.get::<Official>(&added.id),
        Err(Error::NotFound { .. })
    ));
    drop(store);

    // And the safety backup brings the later state back.
    backup::restore(&path, &safety.path, &delegation_desk_tests::key(&path))
        .expect("restore the safety backup");
    let store = Store::open(&path, &delegation_desk_tests::unlock()).expect("reopen");
    assert_eq!(
        store
            .get::<Official>(&f.official.id)
            .expect("official")
            .family_name,
        "Tran"
    );
    assert!(store.get::<Official>(&added.id).is_ok());
}

#[test]
fn restore_refuses_a_foreign_damaged_or_newer_backup_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, f) = library(dir.path());
    let good = f.store.backup(BackupReason::Manual).expect("backup");
    drop(f.store);
    let library_before = std::fs::read(&path).expect("read");

    let text = dir.path().join("agenda.txt");
    std::fs::write(&text, "Day 1: plenary").expect("write");
    let other = dir.path().join("contacts.sqlite3");
    delegation_desk_tests::raw(&other)
        .execute_batch("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('A');")
        .expect("fill");
    let damaged = dir.path().join("damaged.sqlite3");
    std::fs::copy(&good.path, &damaged).expect("copy");
    scribble(&damaged);
    let newer = dir.path().join("newer.sqlite3");
    std::fs::copy(&good.path, &newer).expect("copy");
    delegation_desk_tests::raw_backup(&newer, &path)
        .pragma_update(None, "user_version", store::SCHEMA_VERSION + 1)
        .expect("bump");
    let empty = dir.path().join("empty.sqlite3");
    std::fs::write(&empty, b"").expect("touch");

    for (file, code) in [
        (&text, "not_a_library"),
        (&other, "not_a_library"),
        (&damaged, "damaged"),
        (&newer, "not_a_library"),
        (&empty, "not_a_library"),
        (&dir.path().join("missing.sqlite3"), "not_found"),
        (&path, "validation"),
    ] {
        let err = backup::restore(&path, file, &delegation_desk_tests::key(&path))
            .expect_err("must be refused");
        assert_eq!(err.code(), code, "{}: {err}", file.display());
        assert_eq!(
            std::fs::read(&path).expect("read"),
            library_before,
            "{}",
            file.display()
        );
        assert_eq!(
            reasons(&path),
            ["manual"],
            "no safety backup for a refused restore"
        );
        let keep = [
            "agenda.txt",
            "contacts.sqlite3",
            "damaged.sqlite3",
            "newer.sqlite3",
            "empty.sqlite3",
        ];
        assert!(
            strays(dir.path(), &keep).is_empty(),
            "{:?}",
            strays(dir.path(), &keep)
        );
    }
}

#[test]
fn restore_refuses_to_replace_a_file_that_is_not_a_library() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, f) = library(dir.path());
    let good = f.store.backup(BackupReason::Manual).expect("backup");
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "not a library").expect("write");
    let err = backup::restore(&notes, &good.path, f.store.key()).expect_err("refused");
    assert_eq!(err.code(), "not_a_library");
    assert_eq!(
        std::fs::read_to_string(&notes).expect("read"),
        "not a library"
    );
}

#[test]
fn restore_refuses_while_the_library_is_open() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, f) = library(dir.path());
    let good = f.store.backup(BackupReason::Manual).expect("backup");
    // The app still holds the library.
    let err = backup::restore(&path, &good.path, f.store.key()).expect_err("refused");
    assert_eq!(err.code(), "in_use", "{err}");
    assert!(
        f.store.get::<Official>(&f.official.id).is_ok(),
        "the open library still works"
    );
}

#[test]
fn a_damaged_library_is_refused_untouched_and_the_newest_good_backup_is_offered() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, f) = library(dir.path());
    let older = f.store.backup(BackupReason::Daily).expect("backup");
    let newest = f.store.backup(BackupReason::Manual).expect("backup");
    assert_eq!(
        backup::list_backups(&path).expect("list").first(),
        Some(&newest),
        "newest first, also within one second"
    );
    drop(f.store);
    scribble(&newest.path);
    settle(&path);
    let damaged = scribble(&path);

    let err = Store::open(&path, &delegation_desk_tests::unlock()).expect_err("refused");
    assert_eq!(err.code(), "damaged", "{err}");
    assert!(err.to_string().contains("left untouched"), "{err}");
    assert_eq!(std::fs::read(&path).expect("read"), damaged, "not modified");
    assert!(
        strays(dir.path(), &[]).is_empty(),
        "{:?}",
        strays(dir.path(), &[])
    );

    let offered = backup::newest_good_backup(&path, &delegation_desk_tests::key(&path))
        .expect("look")
        .expect("a good one");
    assert_eq!(offered, older, "the damaged newer backup is skipped");

    let report =
        backup::restore(&path, &offered.path, &delegation_desk_tests::key(&path)).expect("restore");
    assert_eq!(
        report.safety_backup, None,
        "a damaged library cannot be backed up"
    );
    let aside = report.set_aside.expect("kept aside");
    assert_eq!(
        std::fs::read(&aside).expect("read"),
        damaged,
        "kept byte for byte"
    );
    let store = Store::open(&path, &delegation_desk_tests::unlock()).expect("reopen");
    assert!(store.health().expect("health").is_ok());
    assert!(store.get::<Official>(&f.official.id).is_ok());
}

#[test]
fn opening_an_older_library_backs_it_up_before_migrating() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("library.sqlite3");
    {
        let conn = delegation_desk_tests::raw(&path);
        let dump = std::fs::read_to_string(
            delegation_desk_tests::workspace().join("tests/fixtures/library-v1.sql"),
        )
        .expect("fixture");
        conn.execute_batch(&dump).expect("load the frozen v1 file");
    }
    let store = Store::open(&path, &delegation_desk_tests::unlock()).expect("upgrade");
    let backups = backup::list_backups(&path).expect("list");
    // The plain v1 file is encrypted first (backed up before), then migrated (backed up
    // before, encrypted): both backups are the v1 file as it was.
    let reasons: Vec<&str> = backups.iter().map(|b| b.reason.as_str()).collect();
    assert_eq!(reasons, ["before-migration", "before-encryption"]);
    for made in &backups {
        assert_eq!(
            backup::check_library_file(&made.path, &delegation_desk_tests::key(&path))
                .expect("good"),
            1,
            "the v1 file as it was"
        );
    }
    let conn = delegation_desk_tests::raw_backup(&backups[0].path, &path);
    let officials: i64 = conn
        .query_row("SELECT count(*) FROM official", [], |r| r.get(0))
        .expect("count");
    assert_eq!(officials, 32);
    drop(store);
    drop(Store::open(&path, &delegation_desk_tests::unlock()).expect("reopen"));
    assert_eq!(
        backup::list_backups(&path).expect("list").len(),
        2,
        "no migration, no backup"
    );
}

#[test]
fn imports_and_bulk_deletes_back_up_first_and_single_deletes_do_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, f) = library(dir.path());
    let loner = f
        .store
        .save(official(&f.event, None, "Alone", ""))
        .expect("official");
    f.store.delete::<Official>(&loner.id, true).expect("delete");
    assert!(reasons(&path).is_empty(), "one record: no backup");

    let batch = f
        .store
        .import(|tx, batch| {
            for i in 0..3 {
                let o = official(&f.event, Some(&f.delegation), &format!("Imported{i}"), "");
                store::save(tx, o, Some(batch))?;
            }
            Ok(3)
        })
        .expect("import");
    assert_eq!(batch.value, 3);
    assert_eq!(reasons(&path), ["before-import"]);

    // The delegation now has four officials: deleting it takes them along.
    f.store
        .delete::<Delegation>(&f.delegation.id, true)
        .expect("delete");
    assert_eq!(reasons(&path), ["before-bulk-delete", "before-import"]);
    assert_eq!(
        f.store.backup_if_none_today().expect("daily"),
        None,
        "today has backups"
    );
}

#[test]
fn the_daily_backup_is_made_once_a_day_and_old_backups_are_pruned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, f) = library(dir.path());
    let daily = f
        .store
        .backup_if_none_today()
        .expect("daily")
        .expect("made");
    assert_eq!(daily.reason, "daily");
    assert_eq!(f.store.backup_if_none_today().expect("daily"), None);
    for _ in 0..12 {
        f.store.backup(BackupReason::Manual).expect("backup");
    }
    let left = backup::list_backups(&path).expect("list");
    assert_eq!(left.len(), 10, "{left:?}");
    assert!(
        left.iter().all(|b| b.reason == "manual"),
        "the oldest went first"
    );
    // A stray file in the folder is neither listed nor deleted.
    let stray = dir.path().join("backups/notes.txt");
    std::fs::write(&stray, "keep me").expect("write");
    f.store.backup(BackupReason::Manual).expect("backup");
    assert!(stray.exists());
    assert_eq!(backup::list_backups(&path).expect("list").len(), 10);
}

#[test]
fn an_in_memory_library_has_no_backups() {
    let f = Fixture::new();
    assert_eq!(f.store.backup_if_none_today().expect("daily"), None);
    assert!(f.store.backup(BackupReason::Manual).is_err());
    f.store
        .delete::<Delegation>(&f.delegation.id, true)
        .expect("deletes without a backup");
}
