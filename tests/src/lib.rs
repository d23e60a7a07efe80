//! Shared helpers for the integration and end-to-end tests: fixtures that build small events.

use std::path::PathBuf;

use ddesk_core::model::*;
use ddesk_core::store::Unlock;
use ddesk_core::Store;

pub mod webdriver;

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf()
}

/// The passphrase every test library is protected with (issue 17: every library is
/// encrypted). Tests give it as an officer would: `DDESK_PASSPHRASE` for processes, an
/// [`Unlock`] in process.
pub const PASSPHRASE: &str = "integration tests 17";

pub fn unlock() -> Unlock {
    Unlock::passphrase(PASSPHRASE)
}

/// A `ddesk` (or app) process unlocked with the tests' passphrase, and kept out of the
/// developer's own credential store.
pub fn unlocked(cmd: &mut std::process::Command) -> &mut std::process::Command {
    cmd.env("DDESK_PASSPHRASE", PASSPHRASE)
        .env("DDESK_KEYRING", "off")
}

/// A backup (or a copy of one) of the test library at `library` as bare SQLite.
pub fn raw_backup(path: &std::path::Path, library: &std::path::Path) -> rusqlite::Connection {
    Store::raw_connection(path, &Unlock::Key(key(library))).expect("raw connection to the backup")
}

/// The key of the test library at `library` (its backups open with it).
pub fn key(library: &std::path::Path) -> ddesk_core::store::Key {
    ddesk_core::store::key::unlock(library, &unlock()).expect("the test library's key")
}

/// The library file at `path` as bare SQLite (decrypted with the tests' passphrase), for tests
/// that look at or tamper with the file itself.
pub fn raw(path: &std::path::Path) -> rusqlite::Connection {
    Store::raw_connection(path, &unlock()).expect("raw connection to the library")
}

/// A small event with one delegation (Viet Nam) and one official, for tests to build on.
#[derive(Debug)]
pub struct Fixture {
    pub store: Store,
    pub event: Event,
    pub delegation: Delegation,
    pub official: Official,
}

pub fn date(s: &str) -> chrono::NaiveDate {
    s.parse().expect("test date")
}

pub fn instant(s: &str) -> chrono::DateTime<chrono::Utc> {
    s.parse().expect("test instant")
}

pub fn event(name: &str) -> Event {
    Event {
        name_en: name.into(),
        name_ko: "시험 행사".into(),
        start_date: date("2024-05-07"),
        end_date: date("2024-05-09"),
        time_zone: "Asia/Seoul".into(),
        city: "Seoul".into(),
        host_country: "KR".into(),
        ..Event::default()
    }
}

pub fn official(
    event: &Event,
    delegation: Option<&Delegation>,
    family: &str,
    given: &str,
) -> Official {
    Official {
        event_id: event.id.clone(),
        delegation_id: delegation.map(|d| d.id.clone()),
        family_name: family.into(),
        given_name: given.into(),
        ..Official::default()
    }
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::with_store(Store::open_in_memory().expect("in-memory library"))
    }

    pub fn with_store(store: Store) -> Fixture {
        let event = store.save(event("Fixture Forum")).expect("event");
        let delegation = store
            .save(Delegation {
                event_id: event.id.clone(),
                kind: DelegationKind::Country,
                country_code: Some("VN".into()),
                seats: 4,
                ..Delegation::default()
            })
            .expect("delegation");
        let mut o = official(&event, Some(&delegation), "Nguyen", "Van Minh");
        o.native_name = "Nguyễn Văn Minh".into();
        o.nationality = "VN".into();
        let official = store.save(o).expect("official");
        Fixture {
            store,
            event,
            delegation,
            official,
        }
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Fixture::new()
    }
}

/// Text that has broken other programs: markup and script, spreadsheet formulas, direction
/// overrides, invisible joiners, control characters, huge and combining-heavy strings. Used
/// by the hostile-input tests of the window and the engine (issue 7).
pub fn hostile_strings() -> Vec<String> {
    let mut out: Vec<String> = [
        "<script>window.__pwned=1</script>",
        "<img src=x onerror=\"window.__pwned=1\">",
        "<svg onload=\"window.__pwned=1\"></svg>",
        "<iframe src=\"javascript:window.__pwned=1\"></iframe>",
        "<a href=\"javascript:window.__pwned=1\">click</a>",
        "javascript:window.__pwned=1",
        "\"><script>window.__pwned=1</script>",
        "'; DROP TABLE official; --",
        "Robert'); DELETE FROM event; --",
        "<style>*{display:none}</style>",
        "<b onmouseover=\"window.__pwned=1\">hover</b>",
        "{{constructor.constructor('window.__pwned=1')()}}",
        "${window.__pwned=1}",
        "=cmd|' /C calc'!A0",
        "=HYPERLINK(\"http://attacker.invalid\",\"x\")",
        "+SUM(1+1)*cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\u{202E}gnp.exe",
        "Kim\u{200D}\u{200B}Min\u{FEFF}jun",
        "👩‍👩‍👧‍👦🇰🇷🇻🇳 Emoji Family",
        "Z\u{0351}\u{0352}\u{0357}\u{0358}\u{035B}\u{0350}\u{0346}a\u{0315}\u{031B}\u{0340}\u{0341}\u{0358}l\u{0321}\u{0322}\u{0327}g\u{0328}\u{0321}\u{0322}o",
        "%s%s%s%n%x",
        "../../../../etc/passwd",
        "null",
        "undefined",
        "__proto__",
        "مرحبا بالعالم <b>",
        "NUL\u{0}byte",
        "bell\u{7}and\u{1b}[31mescape",
        "line\nbreak",
        "tab\there",
        "\u{85}next-line",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    out.push("A".repeat(10_000));
    out.push("가".repeat(2_000));
    out
}

/// Whether the engine stores `s` in a one-line field: no control characters and at most
/// 300 characters once trimmed (see `ddesk_core::validate`).
pub fn fits_one_line_field(s: &str) -> bool {
    let t = s.trim();
    !t.chars().any(char::is_control) && t.chars().count() <= 300
}

/// Runs a Python script with `dir` as its argument under Debian's python3 (whose apt packages —
/// python3-icalendar, python3-docx — are the real readers the tests use) and parses the JSON it
/// prints.
pub fn python_json(script: &str, dir: &std::path::Path) -> serde_json::Value {
    let python = if std::path::Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    };
    let out = std::process::Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(dir)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}
