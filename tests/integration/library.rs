//! Opening library files: ours is migrated, anything else is refused and left untouched.

use ddesk_core::model::{Official, Record};
use ddesk_core::store::{APPLICATION_ID, SCHEMA_VERSION};
use ddesk_core::{Error, Store};
use delegation_desk_tests::Fixture;

#[test]
fn a_new_library_is_created_migrated_and_reopened() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested/library.sqlite3");
    let id = {
        let f = Fixture::with_store(
            Store::open(&path, &delegation_desk_tests::unlock()).expect("create"),
        );
        f.official.id
    };
    let store = Store::open(&path, &delegation_desk_tests::unlock()).expect("reopen");
    let back: Official = store.get(&id).expect("official survives reopening");
    assert_eq!(back.family_name, "Nguyen");
    let conn = delegation_desk_tests::raw(&path);
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
    let err = Store::open(path, &delegation_desk_tests::unlock()).expect_err("must be refused");
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
        let conn = delegation_desk_tests::raw(&path);
        conn.execute_batch("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('A');")
            .expect("fill");
    }
    assert_refused_untouched(&path, "not_a_library");
}

#[test]
fn a_library_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("future.sqlite3");
    drop(Store::open(&path, &delegation_desk_tests::unlock()).expect("create"));
    {
        let conn = delegation_desk_tests::raw(&path);
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
    let store = Store::open(&path, &delegation_desk_tests::unlock()).expect("empty file is fine");
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

/// Every column and index of every table, as SQLite reports them.
fn schema_of(conn: &rusqlite::Connection) -> Vec<String> {
    let mut out = Vec::new();
    let mut tables = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("tables");
    let names: Vec<String> = tables
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("names");
    for table in names {
        let mut cols = conn
            .prepare(&format!("PRAGMA table_xinfo({table})"))
            .expect("columns");
        let rows = cols
            .query_map([], |r| {
                Ok(format!(
                    "{table}.{} {} notnull={} default={:?} pk={}",
                    r.get::<_, String>("name")?,
                    r.get::<_, String>("type")?,
                    r.get::<_, i64>("notnull")?,
                    r.get::<_, Option<String>>("dflt_value")?,
                    r.get::<_, i64>("pk")?
                ))
            })
            .expect("query");
        out.extend(rows.map(|r| r.expect("column")));
        let mut fks = conn
            .prepare(&format!("PRAGMA foreign_key_list({table})"))
            .expect("foreign keys");
        let rows = fks
            .query_map([], |r| {
                Ok(format!(
                    "{table} fk {} -> {}.{} on delete {}",
                    r.get::<_, String>("from")?,
                    r.get::<_, String>("table")?,
                    r.get::<_, String>("to")?,
                    r.get::<_, String>("on_delete")?
                ))
            })
            .expect("query");
        out.extend(rows.map(|r| r.expect("fk")));
    }
    let mut indexes = conn
        .prepare("SELECT name, tbl_name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index' ORDER BY name")
        .expect("indexes");
    let rows = indexes
        .query_map([], |r| {
            Ok(format!(
                "index {} on {}: {}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?
            ))
        })
        .expect("query");
    out.extend(rows.map(|r| r.expect("index")));
    out
}

#[test]
fn a_frozen_v1_library_upgrades_to_the_fresh_schema_with_its_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let old = dir.path().join("v1.sqlite3");
    {
        let conn = delegation_desk_tests::raw(&old);
        let dump = std::fs::read_to_string(
            delegation_desk_tests::workspace().join("tests/fixtures/library-v1.sql"),
        )
        .expect("fixture");
        conn.execute_batch(&dump).expect("load the frozen v1 file");
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, 1, "the fixture is a v1 file");
    }
    let upgraded = Store::open(&old, &delegation_desk_tests::unlock()).expect("upgrade");
    let fresh_path = dir.path().join("fresh.sqlite3");
    drop(Store::open(&fresh_path, &delegation_desk_tests::unlock()).expect("fresh"));

    let old_conn = delegation_desk_tests::raw(&old);
    let fresh_conn = delegation_desk_tests::raw(&fresh_path);
    assert_eq!(schema_of(&old_conn), schema_of(&fresh_conn));
    let version: i64 = old_conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, SCHEMA_VERSION);

    let events = upgraded.read(ddesk_core::queries::events).expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].event.host_country, "KR",
        "the v2 default fills old events"
    );
    assert_eq!(events[0].officials, 32, "no official lost");
    assert!(upgraded.health().expect("health").is_ok());
}

/// The dashboard reads a whole event through `read_apart` after every save. While such a
/// read runs, saves and list pages go on, and the read sees one state of the library from
/// start to end.
#[test]
fn a_long_read_apart_holds_up_no_save_or_list_and_sees_one_state() {
    use std::sync::mpsc::channel;
    use std::time::Duration;

    let dir = tempfile::tempdir().expect("temp dir");
    let f = Fixture::with_store(
        Store::open(
            &dir.path().join("library.sqlite3"),
            &delegation_desk_tests::unlock(),
        )
        .expect("open"),
    );
    let count = |conn: &rusqlite::Connection| -> ddesk_core::Result<i64> {
        Ok(conn.query_row("SELECT count(*) FROM official", [], |r| r.get(0))?)
    };
    let (started, wait_started) = channel();
    let (release, wait_release) = channel::<()>();
    let store = &f.store;
    std::thread::scope(|s| {
        let long = s.spawn(move || {
            store.read_apart(|conn| {
                let before = count(conn)?;
                started.send(()).expect("signal");
                // Held open until the other side has saved and listed, or failed to in time.
                let _ = wait_release.recv_timeout(Duration::from_secs(20));
                Ok((before, count(conn)?))
            })
        });
        wait_started
            .recv_timeout(Duration::from_secs(20))
            .expect("the long read began");
        // Both of these would wait for the long read if it held the one connection.
        let (done, finished) = channel();
        s.spawn(move || {
            let second =
                delegation_desk_tests::official(&f.event, Some(&f.delegation), "Tran", "Lan");
            let saved = store.save(second).expect("save during the long read");
            let listed = store
                .read(|conn| count(conn))
                .expect("list during the long read");
            done.send((saved.id, listed)).expect("report");
        });
        let (saved_id, listed) = finished
            .recv_timeout(Duration::from_secs(10))
            .expect("a save and a read went on while the long read was open");
        assert_eq!(listed, 2);
        release.send(()).expect("release");
        let (before, after) = long.join().expect("long read").expect("read_apart");
        // The long read began before the save, and kept seeing the library as it was.
        assert_eq!((before, after), (1, 1));
        // A read begun after the save sees it, on the same connection handed out again.
        assert_eq!(f.store.read_apart(|conn| count(conn)).expect("again"), 2);
        let back: Official = f
            .store
            .read_apart(|conn| Official::get(conn, &saved_id))
            .expect("get");
        assert_eq!(back.given_name, "Lan");
    });
}
