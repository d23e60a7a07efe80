//! Opening library files: ours is migrated, anything else is refused and left untouched.

use ddesk_core::model::Official;
use ddesk_core::store::{APPLICATION_ID, SCHEMA_VERSION};
use ddesk_core::{Error, Store};
use delegation_desk_tests::Fixture;

#[test]
fn a_new_library_is_created_migrated_and_reopened() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested/library.sqlite3");
    let id = {
        let f = Fixture::with_store(Store::open(&path).expect("create"));
        f.official.id
    };
    let store = Store::open(&path).expect("reopen");
    let back: Official = store.get(&id).expect("official survives reopening");
    assert_eq!(back.family_name, "Nguyen");
    let conn = rusqlite::Connection::open(&path).expect("raw open");
    let (app_id, version, mode): (i32, i64, String) = conn
        .query_row(
            "SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM pragma_user_version), (SELECT journal_mode FROM pragma_journal_mode)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("pragmas");
    assert_eq!(
        (app_id, version, mode.as_str()),
        (APPLICATION_ID, SCHEMA_VERSION, "wal")
    );
}

fn assert_refused_untouched(path: &std::path::Path, expect_code: &str) {
    let before = std::fs::read(path).expect("read before");
    let err = Store::open(path).expect_err("must be refused");
    assert_eq!(err.code(), expect_code, "{err}");
    assert!(
        err.to_string().contains("untouched") || err.to_string().contains("newer"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(path).expect("read after"),
        before,
        "file changed"
    );
    let parent = path.parent().expect("dir");
    let name = path.file_name().expect("name").to_string_lossy();
    for suffix in ["-wal", "-shm", "-journal"] {
        assert!(
            !parent.join(format!("{name}{suffix}")).exists(),
            "{suffix} left behind"
        );
    }
}

#[test]
fn a_file_that_is_not_sqlite_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notes.sqlite3");
    std::fs::write(
        &path,
        "Dear colleagues, please find attached the programme.",
    )
    .expect("write");
    assert_refused_untouched(&path, "not_a_library");
    let binary = dir.path().join("photo.db");
    std::fs::write(
        &binary,
        (0..4096u32)
            .map(|i| (i * 7 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .expect("write");
    assert_refused_untouched(&binary, "not_a_library");
}

#[test]
fn another_programs_sqlite_file_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("other.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).expect("create");
        conn.execute_batch("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('A');")
            .expect("fill");
    }
    assert_refused_untouched(&path, "not_a_library");
}

#[test]
fn a_library_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("future.sqlite3");
    drop(Store::open(&path).expect("create"));
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .expect("bump");
        conn.pragma_update(None, "journal_mode", "DELETE")
            .expect("no wal");
    }
    assert_refused_untouched(&path, "not_a_library");
}

#[test]
fn an_empty_file_becomes_a_library() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("empty.sqlite3");
    std::fs::write(&path, b"").expect("touch");
    let store = Store::open(&path).expect("empty file is fine");
    assert!(store.health().expect("health").is_ok());
}

#[test]
fn health_reports_counts() {
    let f = Fixture::new();
    let health = f.store.health().expect("health");
    assert!(health.is_ok(), "{health:?}");
    let count = |t: &str| health.counts.iter().find(|(n, _)| n == t).map(|(_, c)| *c);
    assert_eq!(count("official"), Some(1));
    assert_eq!(count("delegation"), Some(1));
    assert_eq!(count("change_log"), Some(3));
    assert!(matches!(
        Error::NotFound { entity: "x" }.code(),
        "not_found"
    ));
}
