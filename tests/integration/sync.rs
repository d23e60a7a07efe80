//! Issue 18, team sync through the command line: three real library files, one event shared,
//! edits on each, bundles exchanged in a scrambled order; every library ends with the same
//! event and the same value where two officers edited one field, and the conflict is listed.

use std::path::Path;

use crate::cli::{ddesk, demo_event, ok};

fn field(text: &str, key: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}\t")))
        .unwrap_or_default()
        .to_string()
}

/// Sets one field of an official through `record get` / `record put`.
fn set(db: &Path, official: &str, name: &str, value: &str) {
    let mut json: serde_json::Value =
        serde_json::from_str(&ok(db, &["record", "get", "official", official])).expect("json");
    json[name] = value.into();
    let file = db.with_extension(format!("{name}.json"));
    std::fs::write(&file, json.to_string()).expect("write");
    let saved: serde_json::Value = serde_json::from_str(&ok(
        db,
        &["record", "put", "official", file.to_str().expect("p")],
    ))
    .expect("saved");
    assert_eq!(saved[name], value);
}

fn get(db: &Path, official: &str) -> serde_json::Value {
    serde_json::from_str(&ok(db, &["record", "get", "official", official])).expect("json")
}

/// Every official of the event as JSON, sorted: what the three libraries must agree on.
fn officials(db: &Path, event: &str) -> Vec<serde_json::Value> {
    let mut ids: Vec<String> = ok(db, &["officials", "--event", event])
        .lines()
        .filter_map(|l| l.split('\t').next().map(str::to_string))
        .collect();
    ids.sort();
    ids.iter().map(|id| get(db, id)).collect()
}

#[test]
fn three_libraries_converge_through_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let [a, b, c] = ["a", "b", "c"].map(|n| dir.path().join(format!("{n}.sqlite3")));
    let event = demo_event(&a, "High-level");
    let shared = ok(&a, &["sync", "share", "--event", &event]);
    let key = shared.lines().last().expect("the team key").to_string();
    assert_eq!(key.len(), 23, "{shared}");
    let bundle = |db: &Path, name: &str| -> String {
        let path = dir.path().join(name);
        let p = path.to_str().expect("path").to_string();
        ok(db, &["sync", "export", "--event", &event, "-o", &p]);
        p
    };
    let a1 = bundle(&a, "a1.ddsync");
    // B's and C's libraries are made first (a new library tells its recovery code).
    ok(&b, &["events"]);
    ok(&c, &["events"]);
    let fresh = dir.path().join("fresh.sqlite3");
    ok(&fresh, &["events"]);
    // Joining needs the key; B and C join.
    let refused = ddesk(&b, &["sync", "import", &a1]);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&refused.stderr).lines().count(), 1);
    for db in [&b, &c] {
        let got = ok(
            db,
            &["sync", "import", &a1, "--team-key", &key.to_lowercase()],
        );
        assert_eq!(field(&got, "joined"), "yes");
    }
    let people: Vec<String> = ok(&a, &["officials", "--event", &event])
        .lines()
        .filter_map(|l| l.split('\t').next().map(str::to_string))
        .collect();
    let (x, y, z) = (&people[0], &people[1], &people[2]);
    // `record`: an unknown kind, a delete not confirmed, JSON that is no record: exit 1 with
    // one sentence, and nothing written.
    for args in [
        vec!["record", "get", "passenger", x.as_str()],
        vec!["record", "delete", "official", z.as_str()],
    ] {
        let out = ddesk(&a, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).trim().lines().count(),
            1
        );
    }
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"id": "", "family_name": 42}"#).expect("write");
    let out = ddesk(&a, &["record", "put", "official", bad.to_str().expect("p")]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        ok(&a, &["officials", "--event", &event]).lines().count(),
        people.len()
    );
    // A and B edit the same field of X (B later); C edits another field of X and deletes Z;
    // A adds a note to Y.
    set(&a, x, "position", "Director (A)");
    set(&b, x, "position", "Director (B)");
    set(&c, x, "phone", "+82 10 5555 0101");
    set(&a, y, "notes", "Arrives with an aide");
    ok(&c, &["record", "delete", "official", z, "--yes"]);
    let (a2, b2, c2) = (
        bundle(&a, "a2.ddsync"),
        bundle(&b, "b2.ddsync"),
        bundle(&c, "c2.ddsync"),
    );
    // Scrambled, with a bundle received twice and an old one late.
    for (db, file) in [
        (&c, &b2),
        (&a, &c2),
        (&b, &a2),
        (&b, &a2),
        (&a, &b2),
        (&c, &a2),
        (&b, &c2),
        (&c, &a1),
    ] {
        ok(db, &["sync", "import", file]);
    }
    let reference = officials(&a, &event);
    assert_eq!(officials(&b, &event), reference);
    assert_eq!(officials(&c, &event), reference);
    let merged = get(&a, x);
    assert_eq!(merged["position"], "Director (B)");
    assert_eq!(merged["phone"], "+82 10 5555 0101");
    assert_eq!(get(&c, y)["notes"], "Arrives with an aide");
    assert_eq!(
        ddesk(&b, &["record", "get", "official", z]).status.code(),
        Some(1)
    );
    for db in [&a, &b, &c] {
        let list = ok(db, &["sync", "conflicts", "--event", &event]);
        assert!(
            list.lines()
                .any(|l| l.contains("\tposition\t") && l.contains("\"Director (A)\"")),
            "{list}"
        );
        let status = ok(db, &["sync", "status", "--event", &event]);
        assert_eq!(field(&status, "shared"), "yes");
        assert_eq!(
            status.lines().filter(|l| l.starts_with("from\t")).count(),
            3
        );
        // History shows the received change under its author and laptop.
        let history = ok(db, &["history", "--event", &event]);
        assert!(history.lines().any(|l| l.contains(" · ")), "{history}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&ok(&c, &["sync", "conflicts", "--event", &event, "--json"]))
            .expect("json");
    assert!(json.as_array().is_some_and(|a| !a.is_empty()));

    // Another event's bundle, a damaged one, a wrong key: exit 1, one sentence, nothing changed.
    let other = dir.path().join("other.sqlite3");
    let other_event = demo_event(&other, "High-level");
    let other_key = ok(&other, &["sync", "share", "--event", &other_event]);
    assert!(!other_key.is_empty());
    let foreign = dir.path().join("foreign.ddsync");
    ok(
        &other,
        &[
            "sync",
            "export",
            "--event",
            &other_event,
            "-o",
            foreign.to_str().expect("p"),
        ],
    );
    let mut damaged = std::fs::read(&a2).expect("read");
    let n = damaged.len();
    damaged[n - 5] ^= 0x40;
    let damaged_file = dir.path().join("damaged.ddsync");
    std::fs::write(&damaged_file, damaged).expect("write");
    let before = officials(&a, &event);
    for (file, key) in [
        (foreign.to_str().expect("p"), None),
        (damaged_file.to_str().expect("p"), None),
        (&a2[..], Some("AAAAA-BBBBB-CCCCC-DDDDD")),
    ] {
        let mut args = vec!["sync", "import", file];
        if let Some(k) = key {
            args.extend(["--team-key", k]);
        }
        // A wrong key matters only to a laptop that has not joined: a fresh library.
        let db = if key.is_some() {
            fresh.clone()
        } else {
            a.clone()
        };
        let out = ddesk(&db, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    assert_eq!(officials(&a, &event), before);
}
