//! A second process, the disk and the files the app writes (issue 15): saves that would
//! overwrite another program's work, the disk's own refusals, a newer schema under a running
//! app, backups beside the window's work, private files, and itinerary files and folders.

use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ddesk_core::model::{Direction, Official, Travel};
use ddesk_core::print::itinerary::{self, ItineraryFormat, ItineraryRequest, Scope};
use ddesk_core::store::backup::{self, BackupReason};
use ddesk_core::{store, Error, Store};
use delegation_desk_tests::{instant, Fixture};

fn on_disk(dir: &Path) -> Fixture {
    Fixture::with_store(
        Store::open(
            &dir.join("library.sqlite3"),
            &delegation_desk_tests::unlock(),
        )
        .expect("library"),
    )
}

#[test]
fn a_save_over_a_record_changed_by_another_program_is_refused_with_the_stored_one() {
    let dir = tempfile::tempdir().expect("dir");
    let f = on_disk(dir.path());
    // The window opened the official's form…
    let opened: Official = f.store.get(&f.official.id).expect("read");
    // …while `ddesk import --on-duplicate update` (another process) changed the official.
    let other = Store::open(
        &dir.path().join("library.sqlite3"),
        &delegation_desk_tests::unlock(),
    )
    .expect("second process");
    let mut theirs: Official = other.get(&f.official.id).expect("read");
    theirs.position = "Deputy Minister".into();
    other.save(theirs).expect("their save");
    drop(other);
    // The window's save of its stale copy must not overwrite it.
    let mut mine = opened.clone();
    mine.email = "minh@mof.gov.vn".into();
    let err = f.store.save(mine.clone()).expect_err("refused");
    let Error::Changed { text, current } = err else {
        panic!("expected changed_since, got {err:?}");
    };
    let message = text.en();
    assert!(message.contains("changed elsewhere"), "{message}");
    assert_eq!(current["position"], "Deputy Minister");
    let stored: Official = f.store.get(&f.official.id).expect("read");
    assert_eq!(stored.position, "Deputy Minister");
    assert_eq!(stored.email, "", "nothing of the refused save was written");
    // Saved again over the stored version (what the form's Reload does), it goes through.
    let current: Official = serde_json::from_value(current).expect("record");
    mine.updated_at = current.updated_at;
    mine.position = current.position;
    let saved = f.store.save(mine).expect("saved over the stored version");
    assert_eq!(
        (saved.position.as_str(), saved.email.as_str()),
        ("Deputy Minister", "minh@mof.gov.vn")
    );
}

fn disk_code(e: Error) -> &'static str {
    match e {
        Error::Disk { code, text } => {
            let message = text.en();
            assert!(message.contains("nothing was saved"), "{message}");
            code
        }
        other => panic!("expected a disk error, got {other:?}"),
    }
}

#[test]
fn the_disks_refusals_each_have_their_own_sentence() {
    let dir = tempfile::tempdir().expect("dir");
    let f = on_disk(dir.path());
    // Full: SQLite answers SQLITE_FULL when the file may grow no more, as on a full disk.
    let pages: i64 = f
        .store
        .read(|c| Ok(c.query_row("PRAGMA page_count", [], |r| r.get(0))?))
        .expect("pages");
    f.store
        .read(|c| Ok(c.pragma_update(None, "max_page_count", pages)?))
        .expect("cap");
    let mut big = f.official.clone();
    big.id = String::new();
    big.passport_number = String::new();
    big.notes = "x".repeat(4_900);
    let mut full = None;
    for _ in 0..200 {
        if let Err(e) = f.store.save(big.clone()) {
            full = Some(e);
            break;
        }
    }
    assert_eq!(disk_code(full.expect("the file filled up")), "disk_full");
    f.store
        .read(|c| Ok(c.pragma_update(None, "max_page_count", 1_073_741_823)?))
        .expect("uncap");

    // Read-only: SQLite answers SQLITE_READONLY, as for a library on write-protected media
    // (as root, file modes cannot make a file read-only for this test).
    f.store
        .read(|c| Ok(c.pragma_update(None, "query_only", true)?))
        .expect("read only");
    let err = f.store.save(f.official.clone()).expect_err("read-only");
    assert_eq!(disk_code(err), "read_only");
    f.store
        .read(|c| Ok(c.pragma_update(None, "query_only", false)?))
        .expect("writable");

    // Busy: another program holds the write lock for longer than a save waits (5 s).
    let other = delegation_desk_tests::raw(&dir.path().join("library.sqlite3"));
    other.execute_batch("BEGIN IMMEDIATE").expect("lock");
    let err = f.store.save(f.official.clone()).expect_err("busy");
    assert_eq!(disk_code(err), "busy");
    other.execute_batch("ROLLBACK").expect("unlock");
    f.store.save(f.official.clone()).expect("saves again");
}

#[test]
fn a_newer_schema_written_under_a_running_app_stops_its_writes() {
    let dir = tempfile::tempdir().expect("dir");
    let f = on_disk(dir.path());
    // A newer ddesk migrates the library while this app has it open.
    let newer = delegation_desk_tests::raw(&dir.path().join("library.sqlite3"));
    newer
        .execute_batch(&format!(
            "BEGIN; CREATE TABLE future (id TEXT PRIMARY KEY); PRAGMA user_version = {}; COMMIT;",
            store::SCHEMA_VERSION + 1
        ))
        .expect("migrated");
    let mut o = f.official.clone();
    o.position = "Minister".into();
    match f.store.save(o) {
        Err(Error::SchemaChanged(text)) => {
            assert!(text.en().contains("newer"), "{}", text.en())
        }
        other => panic!("expected schema_changed, got {other:?}"),
    }
    let stored: Official = f.store.get(&f.official.id).expect("read");
    assert_eq!(stored.position, f.official.position, "nothing written");
}

#[test]
fn a_backup_does_not_wait_for_the_windows_connection() {
    let dir = tempfile::tempdir().expect("dir");
    let f = on_disk(dir.path());
    let store = &f.store;
    let (started, wait_started) = mpsc::channel();
    let (release, held) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        // The window's connection, busy with a long read (or a save).
        scope.spawn(move || {
            store
                .read(|_| {
                    started.send(()).expect("signal");
                    let _ = held.recv_timeout(Duration::from_secs(10));
                    Ok(())
                })
                .expect("read");
        });
        wait_started.recv().expect("holding");
        let began = Instant::now();
        store.backup(BackupReason::Daily).expect("backup");
        let took = began.elapsed();
        release.send(()).expect("release");
        assert!(
            took < Duration::from_secs(5),
            "the backup waited {took:?} for the main connection"
        );
    });
}

#[cfg(unix)]
#[test]
fn personal_data_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let home = dir.path().join("org.delegationdesk.app");
    let library = home.join("library.sqlite3");
    let f = Fixture::with_store(
        Store::open(&library, &delegation_desk_tests::unlock()).expect("library"),
    );
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(&home), 0o700, "library folder");
    assert_eq!(mode(&library), 0o600, "library");
    assert_eq!(
        mode(&ddesk_core::store::key::key_file(&library)),
        0o600,
        "key file"
    );
    let wal = home.join("library.sqlite3-wal");
    assert!(wal.exists());
    assert_eq!(mode(&wal), 0o600, "write-ahead log");
    let b = f.store.backup(BackupReason::Manual).expect("backup");
    assert_eq!(
        mode(&backup::backups_dir(&library)),
        0o700,
        "backups folder"
    );
    assert_eq!(mode(&b.path), 0o600, "backup");
    let copy = dir.path().join("copy.sqlite3");
    f.store.backup_to(&copy, false).expect("copy");
    assert_eq!(mode(&copy), 0o600, "ddesk backup -o");
    drop(f);
    // A library made before files were private is made private when opened.
    std::fs::set_permissions(&library, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let reopened = Store::open(&library, &delegation_desk_tests::unlock()).expect("open");
    assert_eq!(mode(&library), 0o600, "an older library");
    drop(reopened);
    backup::restore(&library, &b.path, &delegation_desk_tests::key(&library)).expect("restore");
    assert_eq!(mode(&library), 0o600, "restored library");
}

#[test]
fn a_new_library_leaves_another_process_half_made_one_alone() {
    let dir = tempfile::tempdir().expect("dir");
    let library = dir.path().join("library.sqlite3");
    // Another process is making the library right now; an earlier one crashed long ago.
    let young = dir.path().join("library.sqlite3.new-4242-abc");
    let old = dir.path().join("library.sqlite3.new-17-def");
    std::fs::write(&young, b"").expect("young");
    std::fs::write(&old, b"").expect("old");
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&old)
        .and_then(|f| f.set_modified(hour_ago))
        .expect("age");
    let store = Store::open(&library, &delegation_desk_tests::unlock()).expect("library");
    assert!(
        young.exists(),
        "another process's library in the making was removed"
    );
    assert!(!old.exists(), "a crash's leftover stays");
    drop(store);
    // An empty file named as the library becomes one.
    let named = dir.path().join("named.sqlite3");
    std::fs::write(&named, b"").expect("empty");
    Store::open(&named, &delegation_desk_tests::unlock()).expect("made in the empty file");
    assert!(std::fs::metadata(&named).expect("meta").len() > 0);
}

#[test]
fn a_backup_with_a_trigger_of_its_own_is_not_restored() {
    let dir = tempfile::tempdir().expect("dir");
    let library = dir.path().join("library.sqlite3");
    let f = Fixture::with_store(
        Store::open(&library, &delegation_desk_tests::unlock()).expect("library"),
    );
    let good = f.store.backup(BackupReason::Manual).expect("backup");
    drop(f);
    // The backup comes back from elsewhere with a trigger that empties the events on the next
    // save of an official.
    let planted = dir.path().join("from-elsewhere.sqlite3");
    std::fs::copy(&good.path, &planted).expect("copy");
    delegation_desk_tests::raw_backup(&planted, &library)
        .execute_batch("CREATE TRIGGER wipe AFTER UPDATE ON official BEGIN DELETE FROM event; END;")
        .expect("plant");
    let before = std::fs::read(&library).expect("bytes");
    let err = backup::restore(&library, &planted, &delegation_desk_tests::key(&library))
        .expect_err("refused");
    assert!(
        matches!(&err, Error::NotALibrary(m) if m.en().contains("does not make")),
        "{err:?}"
    );
    assert_eq!(std::fs::read(&library).expect("bytes"), before);
    // The untouched backup restores.
    backup::restore(&library, &good.path, &delegation_desk_tests::key(&library)).expect("restored");
}

#[test]
fn itineraries_keep_the_offices_notes_and_never_share_a_file() {
    let f = Fixture::new();
    f.store
        .save(Travel {
            official_id: f.official.id.clone(),
            direction: Direction::Arrival,
            flight: "VN416".into(),
            origin: "HAN".into(),
            airport: "ICN".into(),
            scheduled_at: instant("2024-05-06T22:25:00Z"),
            notes: "INTERNAL driver complained".into(),
            ..Travel::default()
        })
        .expect("travel");
    // Two more officials named alike, and one whose name is what the second would become.
    for given in ["Van Minh", "Van Minh (2)"] {
        let mut o = delegation_desk_tests::official(&f.event, Some(&f.delegation), "Nguyen", given);
        o.nationality = "VN".into();
        f.store.save(o).expect("official");
    }
    let request = |format| ItineraryRequest {
        event_id: f.event.id.clone(),
        scope: Scope::All,
        format,
        printed_on: None,
    };
    let ics = itinerary::itineraries(&f.store, &request(ItineraryFormat::Ics), &|_, _| {})
        .expect("calendars");
    let mut names: Vec<&str> = ics.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 3, "{names:?}");
    for c in &ics {
        let text = String::from_utf8_lossy(&c.bytes);
        assert!(!text.contains("INTERNAL"), "{}: {text}", c.name);
    }
    let pdfs =
        itinerary::itineraries(&f.store, &request(ItineraryFormat::Pdf), &|_, _| {}).expect("pdfs");
    let dir = tempfile::tempdir().expect("dir");
    itinerary::write_files(dir.path(), &pdfs, false).expect("written");
    let mut with_flight = 0;
    for p in &pdfs {
        let out = Command::new("pdftotext")
            .arg(dir.path().join(&p.name))
            .arg("-")
            .output()
            .expect("pdftotext");
        let text = String::from_utf8_lossy(&out.stdout);
        with_flight += usize::from(text.contains("VN416"));
        assert!(!text.contains("INTERNAL"), "{}: {text}", p.name);
    }
    assert_eq!(with_flight, 1, "the leg is printed, its notes are not");
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("list").count(),
        3,
        "three officials, three files"
    );
    // The same folder again: asked first, replaced only when told to.
    let err = itinerary::write_files(dir.path(), &pdfs, false).expect_err("asks first");
    assert!(matches!(err, Error::Conflict { count: 3, .. }), "{err:?}");
    itinerary::write_files(dir.path(), &pdfs, true).expect("replaced when told");
}

#[test]
fn ddesk_itinerary_replaces_a_folders_files_only_with_force() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("library.sqlite3");
    let f =
        Fixture::with_store(Store::open(&db, &delegation_desk_tests::unlock()).expect("library"));
    let event = f.event.id.clone();
    drop(f);
    let out_dir = dir.path().join("itineraries");
    let run = |extra: &[&str]| {
        delegation_desk_tests::unlocked(&mut Command::new(env!("CARGO_BIN_EXE_ddesk-under-test")))
            .arg("--db")
            .arg(&db)
            .args([
                "itinerary",
                "--event",
                &event,
                "--all",
                "--format",
                "ics",
                "-o",
            ])
            .arg(&out_dir)
            .args(extra)
            .output()
            .expect("ddesk")
    };
    let first = run(&[]);
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    let again = run(&[]);
    assert_eq!(again.status.code(), Some(1), "{again:?}");
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.lines().any(|l| l.contains("already in")), "{stderr}");
    let forced = run(&["--force"]);
    assert_eq!(forced.status.code(), Some(0), "{forced:?}");
}

#[test]
fn the_window_may_set_only_its_own_settings() {
    store::check_window_setting("language", Some("ko")).expect("language");
    store::check_window_setting("language", None).expect("read");
    assert!(store::check_window_setting("language", Some("<script>")).is_err());
    assert!(store::check_window_setting("import.mapping:abc", Some("{}")).is_err());
    assert!(store::check_window_setting("print.offset.a4-8", None).is_err());
}
