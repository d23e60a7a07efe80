//! The `ddesk` command line: output formats and exit codes.

use std::path::Path;
use std::process::{Command, Output};

pub(crate) fn ddesk(db: &std::path::Path, args: &[&str]) -> Output {
    delegation_desk_tests::unlocked(&mut Command::new(env!("CARGO_BIN_EXE_ddesk-under-test")))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run ddesk")
}

/// Makes the demo library at `db` and returns the forum's id.
fn demo_forum(db: &std::path::Path) -> String {
    demo_event(db, "East Asia")
}

/// Makes the demo library at `db` and returns the id of the demo event whose name contains
/// `name`.
pub(crate) fn demo_event(db: &std::path::Path, name: &str) -> String {
    assert!(ddesk(db, &["demo"]).status.success());
    stdout(&ddesk(db, &["events"]))
        .lines()
        .find(|l| l.contains(name))
        .and_then(|l| l.split('\t').next())
        .expect("the demo event's id")
        .to_string()
}

/// Runs `ddesk` and returns what it printed, failing the test with its stderr if it failed.
pub(crate) fn ok(db: &Path, args: &[&str]) -> String {
    let out = ddesk(db, args);
    assert!(
        out.status.success(),
        "ddesk {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8")
}

#[test]
fn demo_events_officials_doctor() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    let out = ddesk(&db, &["demo"]);
    assert!(out.status.success(), "{out:?}");
    let out = ddesk(&db, &["events"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let cols: Vec<&str> = lines[1].split('\t').collect();
    assert_eq!(cols.len(), 5);
    assert_eq!(
        cols[1],
        "East Asia and Pacific Regional Public Procurement Forum 2024"
    );
    assert_eq!((cols[3], cols[4]), ("2024-05-07", "2024-05-09"));

    let out = ddesk(&db, &["officials", "--event", cols[0]]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = stdout(&out);
    assert!(text.lines().count() >= 100);
    for line in text.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 7, "{line}");
        assert_eq!(cols[0].len(), 36, "uuid first: {line}");
    }
    assert!(
        text.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c)),
        "Hangul names"
    );

    let out = ddesk(&db, &["doctor"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(stdout(&out).contains("integrity\tok"));
}

#[test]
fn user_errors_exit_1_with_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    // Made first: a new library's first run also says its recovery code.
    assert!(ddesk(&db, &["events"]).status.success());
    let out = ddesk(&db, &["officials", "--event", "no-such-event"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("event not found"), "{err}");

    let out = ddesk(&db, &["frobnicate"]);
    assert_eq!(out.status.code(), Some(1));

    let text_file = dir.path().join("agenda.txt");
    std::fs::write(&text_file, "not a database").expect("write");
    let out = ddesk(&text_file, &["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a Delegation Desk event library"));
    assert_eq!(
        std::fs::read_to_string(&text_file).expect("read"),
        "not a database"
    );
}

#[test]
fn check_on_an_unknown_event_exits_1_with_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    assert!(ddesk(&db, &["demo"]).status.success());
    for args in [
        &["check", "--event", "NOPE"][..],
        &["check", "--event", "NOPE", "--json"][..],
    ] {
        let out = ddesk(&db, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "nothing on stdout: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("event not found"), "{err}");
    }
}

#[test]
fn doctor_fails_on_a_damaged_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    assert!(ddesk(&db, &["demo"]).status.success());
    {
        // Checkpoint and leave rollback-journal mode so that all data sits in the main file.
        let conn = delegation_desk_tests::raw(&db);
        conn.pragma_update(None, "journal_mode", "DELETE")
            .expect("journal mode");
    }
    let mut bytes = std::fs::read(&db).expect("read");
    let len = bytes.len();
    // Scribble over the middle of the file, where table and index pages live.
    for b in &mut bytes[len / 3..len / 3 + 8192] {
        *b = 0x5A;
    }
    std::fs::write(&db, &bytes).expect("write");
    let out = ddesk(&db, &["doctor"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("damaged"),
        "{out:?}"
    );
    assert_eq!(std::fs::read(&db).expect("read"), bytes, "left untouched");
}

#[test]
fn check_prints_one_problem_per_line_and_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    let forum = demo_forum(&db);
    let out = ddesk(&db, &["check", "--event", &forum]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.lines().count() > 0,
        "the demo has a few problems to show"
    );
    for line in text.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 3, "{line}");
        assert!(["error", "warning", "info"].contains(&cols[0]), "{line}");
    }
    assert!(text.contains("passport_expiring"), "{text}");
    let out = ddesk(&db, &["check", "--event", &forum, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let problems = json.as_array().expect("array");
    assert_eq!(problems.len(), text.lines().count());
    assert!(problems[0]["message_ko"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));

    let out = ddesk(&db, &["generate", "--officials", "60000"]);
    assert_eq!(out.status.code(), Some(1), "over the limit is a user error");
    let out = ddesk(&db, &["generate", "--officials", "50", "--seed", "3"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(stdout(&ddesk(&db, &["events"])).lines().count(), 3);
}

#[test]
fn backup_restore_and_backups() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    assert!(ddesk(&db, &["demo"]).status.success());
    let copy = dir.path().join("copy.sqlite3");
    let out = ddesk(&db, &["backup", "-o", copy.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(stdout(&out).starts_with(&format!("{}\t", copy.display())));
    assert!(
        ddesk_core::store::backup::check_library_file(&copy, &delegation_desk_tests::key(&db))
            .is_ok()
    );
    let copied = std::fs::read(&copy).expect("read");

    let out = ddesk(&db, &["backup", "-o", copy.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1), "an existing file is refused");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read(&copy).expect("read"), copied);
    let out = ddesk(
        &db,
        &["backup", "--force", "-o", copy.to_str().expect("utf-8")],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    let out = ddesk(&db, &["backups"]);
    assert_eq!((out.status.code(), stdout(&out).as_str()), (Some(0), ""));

    // Change the library, then restore the copy: the change is gone, a backup holds it.
    let generated = ddesk(&db, &["generate", "--officials", "20"]);
    assert!(generated.status.success());
    assert_eq!(stdout(&ddesk(&db, &["events"])).lines().count(), 3);
    let out = ddesk(&db, &["restore", copy.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(stdout(&out).contains("safety_backup\t"), "{}", stdout(&out));
    assert_eq!(stdout(&ddesk(&db, &["events"])).lines().count(), 2);
    let listed = stdout(&ddesk(&db, &["backups"]));
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 1, "{listed}");
    let cols: Vec<&str> = lines[0].split('\t').collect();
    assert_eq!(cols.len(), 4, "{}", lines[0]);
    assert!(cols[0].ends_with('Z') && cols[1].parse::<u64>().expect("size") > 0);
    assert_eq!(cols[2], "before-restore");

    let text = dir.path().join("agenda.txt");
    std::fs::write(&text, "not a library").expect("write");
    let before = std::fs::read(&db).expect("read");
    let out = ddesk(&db, &["restore", text.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a Delegation Desk event library"));
    assert_eq!(
        std::fs::read(&db).expect("read"),
        before,
        "library untouched"
    );
}

#[test]
fn a_damaged_library_names_its_newest_good_backup() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    assert!(ddesk(&db, &["demo"]).status.success());
    let backup = {
        let store = ddesk_core::Store::open(&db, &delegation_desk_tests::unlock()).expect("open");
        store
            .backup(ddesk_core::store::backup::BackupReason::Manual)
            .expect("backup")
    };
    {
        let conn = delegation_desk_tests::raw(&db);
        conn.pragma_update(None, "journal_mode", "DELETE")
            .expect("journal mode");
    }
    let mut bytes = std::fs::read(&db).expect("read");
    let len = bytes.len();
    for b in &mut bytes[len / 3..len / 3 + 8192] {
        *b = 0x5A;
    }
    std::fs::write(&db, &bytes).expect("write");
    let out = ddesk(&db, &["doctor"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains(&backup.path.display().to_string()), "{err}");
    let out = ddesk(&db, &["restore", backup.path.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(stdout(&out).contains("set_aside\t"), "{}", stdout(&out));
    let out = ddesk(&db, &["doctor"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

/// `ddesk import` (issue 5): the preview as tab-separated lines, exit 1 and nothing written
/// while a row has an error, `--skip-errors`, `--on-duplicate`, and bad files.
#[test]
fn import_previews_refuses_errors_and_commits() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    assert!(ddesk(&db, &["demo"]).status.success());
    let events = stdout(&ddesk(&db, &["events"]));
    let workshop = events
        .lines()
        .find(|l| l.contains("Workshop"))
        .and_then(|l| l.split('\t').next())
        .expect("workshop id")
        .to_string();
    let before = stdout(&ddesk(&db, &["officials", "--event", &workshop]))
        .lines()
        .count();
    let text = "참가자 명단\r\n성명,국가,여권번호,이메일\r\nSOMCHAI Arun,태국,AA1234567,arun@example.invalid\r\nBAYAR Tsetseg,Atlantis,E9911223,\r\n";
    let (bytes, _, _) = encoding_rs::EUC_KR.encode(text);
    let file = dir.path().join("명단.csv");
    std::fs::write(&file, &bytes).expect("write");
    let file = file.to_str().expect("path");

    let out = ddesk(&db, &["import", file, "--event", &workshop, "--dry-run"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.starts_with("file\t명단.csv\tcsv\tEUC-KR (guessed)\n"),
        "{text}"
    );
    assert!(text.contains("header_row\t2\n"), "{text}");
    assert!(text.contains("column\t성명\tfull_name\n"), "{text}");
    assert!(
        text.contains("row\t3\tnew\tSOMCHAI Arun\tThailand"),
        "{text}"
    );
    assert!(text.contains("message\t4\terror\tnationality\t"), "{text}");
    assert!(
        text.contains("summary\trows 2\tnew 1\tduplicate 0\terror 1\twarning 1\n"),
        "{text}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("1 row has errors"), "{err}");

    let out = ddesk(&db, &["import", file, "--event", &workshop]);
    assert_eq!(out.status.code(), Some(1));
    let count = || {
        stdout(&ddesk(&db, &["officials", "--event", &workshop]))
            .lines()
            .count()
    };
    assert_eq!(count(), before, "nothing written");

    let out = ddesk(
        &db,
        &["import", file, "--event", &workshop, "--skip-errors"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = stdout(&out);
    let imported = text.lines().last().expect("last line");
    assert!(imported.starts_with("imported\tbatch "), "{imported}");
    assert!(
        imported.contains("\tcreated 1\tupdated 0\tskipped 0\terrors_skipped 1"),
        "{imported}"
    );
    assert_eq!(count(), before + 1);

    // The same file again: the row is now a duplicate of what was imported.
    let out = ddesk(
        &db,
        &[
            "import",
            file,
            "--event",
            &workshop,
            "--skip-errors",
            "--on-duplicate",
            "update",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = stdout(&out);
    assert!(text.contains("row\t3\tduplicate\tSOMCHAI Arun"), "{text}");
    assert!(text.contains("same passport number"), "{text}");
    assert!(text.contains("\tcreated 0\tupdated 1\t"), "{text}");
    assert_eq!(count(), before + 1);

    let garbage = dir.path().join("photo.xlsx");
    std::fs::write(&garbage, [0u8, 1, 2, 3, 255, 254, 0, 0, 7, 8]).expect("write");
    let out = ddesk(
        &db,
        &[
            "import",
            garbage.to_str().expect("path"),
            "--event",
            &workshop,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("neither a spreadsheet"), "{err}");
}

/// `ddesk print` (issue 3): a PDF and its page count; a second print of the same badges stops
/// and asks for --reprint; --not-printed then has no one left; a list prints.
#[test]
fn print_writes_pdfs_and_asks_before_reprinting_badges() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    let event = demo_event(&db, "Procurement Forum");
    let out_pdf = dir.path().join("badges.pdf");
    let out_arg = out_pdf.to_str().expect("utf-8 path");
    let args = [
        "print",
        "badges",
        "--event",
        &event,
        "--category",
        "head_of_delegation",
        "--layout",
        "cr80",
        "-o",
        out_arg,
    ];
    // A file that cannot be written counts no badge as printed: the print below needs no
    // --reprint, and the history has no print in it.
    let nowhere = dir.path().join("no such folder").join("badges.pdf");
    let mut unwritable = args.to_vec();
    let last = unwritable.len() - 1;
    unwritable[last] = nowhere.to_str().expect("utf-8 path");
    let failed = ddesk(&db, &unwritable);
    assert_ne!(failed.status.code(), Some(0), "{failed:?}");
    assert!(!nowhere.exists());
    let out = ddesk(&db, &args);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let line = stdout(&out);
    let pages: usize = line
        .trim()
        .rsplit('\t')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("page count");
    assert!(pages >= 10, "one card per head of delegation: {line}");
    assert!(std::fs::read(&out_pdf).expect("pdf").starts_with(b"%PDF-"));

    let again = ddesk(&db, &args);
    assert_eq!(again.status.code(), Some(1), "{again:?}");
    assert!(String::from_utf8_lossy(&again.stderr).contains("--reprint"));
    let mut reprint = args.to_vec();
    reprint.push("--reprint");
    // The PDF is there from the first run: replaced only when told (issue 25).
    let exists = ddesk(&db, &reprint);
    assert_eq!(exists.status.code(), Some(1), "{exists:?}");
    assert!(String::from_utf8_lossy(&exists.stderr).contains("--force"));
    reprint.push("--force");
    assert_eq!(ddesk(&db, &reprint).status.code(), Some(0));

    let list = dir.path().join("participants.pdf");
    let out = ddesk(
        &db,
        &[
            "print",
            "participants",
            "--event",
            &event,
            "--lang",
            "ko",
            "-o",
            list.to_str().expect("path"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = ddesk(
        &db,
        &[
            "print",
            "signin",
            "--event",
            &event,
            "-o",
            list.to_str().expect("path"),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a sign-in sheet needs a session"
    );
}

/// Issue 25: `-o` is a path the officer means, and issue 22: a pipe is not a terminal.
#[test]
fn output_goes_where_o_says_and_nothing_is_replaced_unasked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    let forum = demo_forum(&db);
    // `-o -` is standard output, not a file named "-".
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
            "-",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stdout.starts_with(b"\xEF\xBB\xBF"), "the CSV itself");
    assert!(String::from_utf8_lossy(&out.stdout).lines().count() > 100);
    assert!(!Path::new("-").exists() && !dir.path().join("-").exists());
    // /dev/stdout, a link to a pipe here, is written through and stays a link.
    let out = ddesk(
        &db,
        &[
            "export",
            "delegations",
            "--event",
            &forum,
            "--format",
            "csv",
            "-o",
            "/dev/stdout",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Mongolia"));
    assert!(std::fs::symlink_metadata("/dev/stdout")
        .expect("dev stdout")
        .file_type()
        .is_symlink());
    // An existing file is replaced only with --force.
    let csv = dir.path().join("officials.csv");
    std::fs::write(&csv, b"keep me").expect("existing");
    let args = [
        "export",
        "officials",
        "--event",
        &forum,
        "--format",
        "csv",
        "-o",
    ];
    let out = ddesk(&db, &[&args[..], &[csv.to_str().expect("utf-8")]].concat());
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(std::fs::read(&csv).expect("read"), b"keep me");
    let out = ddesk(
        &db,
        &[&args[..], &[csv.to_str().expect("utf-8"), "--force"]].concat(),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_ne!(std::fs::read(&csv).expect("read"), b"keep me");
    // Progress is for a terminal: a piped run's stderr has none of it.
    let folder = dir.path().join("itineraries");
    let out = ddesk(
        &db,
        &[
            "itinerary",
            "--event",
            &forum,
            "--all",
            "--format",
            "ics",
            "-o",
            folder.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("itineraries"),
        "{out:?}"
    );
}

/// Issue 25: ids by a unique beginning, words for people and codes for scripts, errors that
/// stop a script; issue 22: a reader that goes away ends the command quietly.
#[test]
fn ids_by_prefix_words_or_codes_and_exit_codes_scripts_can_use() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    let forum = demo_forum(&db);
    let prefix = &forum[..8];
    let words = ddesk(&db, &["officials", "--event", prefix]);
    assert_eq!(words.status.code(), Some(0), "{words:?}");
    let text = stdout(&words);
    assert!(text.contains("\tHead of delegation\t"), "{text}");
    assert!(text.contains("\tConfirmed"), "{text}");
    let codes = stdout(&ddesk(&db, &["officials", "--event", prefix, "--codes"]));
    assert!(codes.contains("\thead_of_delegation\t"), "{codes}");
    let korean = stdout(&ddesk(
        &db,
        &["officials", "--event", prefix, "--lang", "ko"],
    ));
    assert!(korean.contains("\t수석대표\t"), "{korean}");
    // Too short, unknown, or naming nothing: exit 1 with one line.
    for bad in ["0193", "ffffffff", "not-an-id"] {
        let out = ddesk(&db, &["officials", "--event", bad]);
        assert_eq!(out.status.code(), Some(1), "{bad}: {out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    }
    // check: 1 when it finds errors, 0 for warnings alone.
    let generated = ddesk(&db, &["generate", "--officials", "40", "--seed", "2"]);
    let small = stdout(&generated)
        .split('\t')
        .next()
        .expect("generated id")
        .to_string();
    let mut seen = Vec::new();
    for event in [&forum, &small] {
        let out = ddesk(&db, &["check", "--event", event]);
        let errors = stdout(&out)
            .lines()
            .filter(|l| l.starts_with("error\t"))
            .count();
        let expected = if errors > 0 { 1 } else { 0 };
        assert_eq!(
            out.status.code(),
            Some(expected),
            "{errors} errors: {out:?}"
        );
        seen.push(expected);
    }
    // The demo forum has warnings only; the generated event an arrival after its session.
    assert_eq!(seen, [0, 1]);
    // A reader that stops after one line: no panic, no backtrace.
    let mut child =
        delegation_desk_tests::unlocked(&mut Command::new(env!("CARGO_BIN_EXE_ddesk-under-test")))
            .arg("--db")
            .arg(&db)
            .args(["officials", "--event", &forum])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // Every verb's help has an example.
    for verb in [
        "demo",
        "events",
        "officials",
        "doctor",
        "backup",
        "restore",
        "backups",
        "generate",
        "import",
        "print",
        "itinerary",
        "export",
        "check",
    ] {
        let help = ddesk(&db, &[verb, "--help"]);
        assert!(stdout(&help).contains("Example: ddesk"), "{verb}");
    }
}

/// Issue 23's verbs: `delegations`, `registration-form` (one into a file, all into a folder),
/// and `import --map` printing each value matched or mapped.
#[test]
fn delegations_registration_forms_and_mapped_values() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    let forum = demo_forum(&db);
    let out = ddesk(&db, &["delegations", "--event", &forum[..8]]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = stdout(&out);
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert!(lines.len() >= 10, "{text}");
    for cols in &lines {
        assert_eq!(
            cols.len(),
            5,
            "id, English, Korean, status, seats: {cols:?}"
        );
        assert_eq!(cols[0].len(), 36);
        assert!(cols[4].parse::<i64>().is_ok(), "{cols:?}");
    }
    // A delegation with officials registered, so that its form comes back with rows.
    let officials = stdout(&ddesk(&db, &["officials", "--event", &forum]));
    let first = lines
        .iter()
        .find(|cols| {
            officials
                .lines()
                .any(|l| l.split('\t').nth(4) == Some(cols[1]))
        })
        .map(|cols| cols[0])
        .expect("a delegation with officials");

    let one = dir.path().join("form.xlsx");
    let out = ddesk(
        &db,
        &[
            "registration-form",
            "--event",
            &forum,
            "--delegation",
            first,
            "-o",
            one.to_str().expect("path"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(std::fs::read(&one).expect("form").starts_with(b"PK"));
    // Written once; a second time it needs --force.
    let again = ddesk(
        &db,
        &[
            "registration-form",
            "--event",
            &forum,
            "--delegation",
            first,
            "-o",
            one.to_str().expect("path"),
        ],
    );
    assert_eq!(again.status.code(), Some(1), "{again:?}");
    let folder = dir.path().join("forms");
    let out = ddesk(
        &db,
        &[
            "registration-form",
            "--event",
            &forum,
            "--all",
            "--lang",
            "ko",
            "-o",
            folder.to_str().expect("path"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        std::fs::read_dir(&folder).expect("folder").count(),
        lines.len(),
        "one workbook per delegation"
    );
    let missing = ddesk(
        &db,
        &["registration-form", "--event", &forum, "-o", "x.xlsx"],
    );
    assert_eq!(missing.status.code(), Some(1), "{missing:?}");
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--delegation ID or --all"));

    // The returned form imports into its delegation: every row repeats a registered official.
    let out = ddesk(
        &db,
        &[
            "import",
            one.to_str().expect("path"),
            "--event",
            &forum,
            "--dry-run",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("note\tinfo\tA registration form for")),
        "{text}"
    );
    assert!(
        text.lines()
            .filter(|l| l.starts_with("row\t"))
            .all(|l| l.contains("\tduplicate\t")),
        "{text}"
    );

    // A list naming the forum's hotel loosely, and one hotel that is none of ours.
    let list = dir.path().join("list.csv");
    std::fs::write(
        &list,
        "Name,Country,Hotel\nDOE Jane,Mongolia,Lotte Htl\nROE Rich,Mongolia,Shilla\n",
    )
    .expect("list");
    let out = ddesk(
        &db,
        &[
            "import",
            list.to_str().expect("path"),
            "--event",
            &forum,
            "--dry-run",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "Shilla is an error: {out:?}");
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l == "value\thotel\tLotte Htl\tLotte Hotel Seoul\twords"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("unmatched\thotel\tShilla\tLotte Hotel Seoul")),
        "{text}"
    );
    let out = ddesk(
        &db,
        &[
            "import",
            list.to_str().expect("path"),
            "--event",
            &forum,
            "--map",
            "hotel:Shilla=",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        stdout(&out)
            .lines()
            .any(|l| l == "value\thotel\tShilla\t\tmapped"),
        "{}",
        stdout(&out)
    );
    let bad = ddesk(
        &db,
        &[
            "import",
            list.to_str().expect("path"),
            "--event",
            &forum,
            "--map",
            "hotel",
        ],
    );
    assert_eq!(bad.status.code(), Some(1), "{bad:?}");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("FIELD:FROM=TO"));
}

/// Issue 25: what leaves the library (a PDF, printed badges, an export, registration forms)
/// is recorded under the officer's name in the event's history, and undo passes it by.
#[test]
fn prints_and_exports_are_recorded_under_the_officer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    let forum = demo_forum(&db);
    {
        let store =
            ddesk_core::Store::open(&db, &delegation_desk_tests::unlock()).expect("library");
        store
            .set_setting(ddesk_core::store::OFFICER_NAME, "Kim Officer")
            .expect("officer");
    }
    let out = |name: &str| dir.path().join(name).to_str().expect("path").to_string();
    for args in [
        vec![
            "print",
            "badges",
            "--event",
            &forum,
            "-o",
            &out("badges.pdf"),
        ],
        vec![
            "export",
            "officials",
            "--event",
            &forum,
            "--format",
            "csv",
            "-o",
            &out("o.csv"),
        ],
        vec![
            "registration-form",
            "--event",
            &forum,
            "--all",
            "-o",
            &out("forms"),
        ],
    ] {
        let o = ddesk(&db, &args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {o:?}");
    }
    let store = ddesk_core::Store::open(&db, &delegation_desk_tests::unlock()).expect("library");
    let history = store.recent_history(&forum, 50).expect("history");
    let outputs: Vec<(&str, &str)> = history
        .iter()
        .filter(|e| e.entity == "output")
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    for action in ["pdf", "print", "export", "form"] {
        assert!(
            outputs.contains(&(action, "Kim Officer")),
            "{action} under the officer: {outputs:?}"
        );
    }
    assert!(history
        .iter()
        .any(|e| e.entity == "output" && e.label == "114 badges (a4-8)"));
    // Undo takes back changes, never a print.
    let step = store.next_undo(Some(&forum)).expect("next");
    assert!(step.is_none_or(|s| s.entries.iter().all(|e| e.entity != "output")));
}

/// Issue 22: `ddesk demo --remove` takes the demo events out, and leaves the officer's own.
#[test]
fn the_demo_events_are_removed_and_own_events_stay() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    demo_forum(&db);
    {
        let store =
            ddesk_core::Store::open(&db, &delegation_desk_tests::unlock()).expect("library");
        store
            .save(delegation_desk_tests::event("Our own workshop"))
            .expect("own event");
    }
    let out = ddesk(&db, &["demo", "--remove"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(stdout(&out), "removed\t2\n");
    let events = stdout(&ddesk(&db, &["events"]));
    assert_eq!(events.lines().count(), 1, "{events}");
    assert!(events.contains("Our own workshop"));
    assert!(
        !ddesk(&db, &["backups"]).stdout.is_empty(),
        "backed up first"
    );
}

/// `ddesk history`: the change log, oldest first, one line per change (who, when, what, which
/// fields), and with --json the images, so that what the log holds can be checked.
#[test]
fn history_prints_the_change_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    let forum = demo_forum(&db);
    let file = dir.path().join("one.csv");
    std::fs::write(
        &file,
        "Family name,Given name(s),Nationality,Passport number\r\nTESTER,Ada,Kazakhstan,N99887766\r\n",
    )
    .expect("write");
    let out = ddesk(
        &db,
        &["import", file.to_str().expect("path"), "--event", &forum],
    );
    assert!(out.status.success(), "{out:?}");
    let out = ddesk(&db, &["history", "--event", &forum]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = stdout(&out);
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert!(lines.iter().all(|c| c.len() == 8), "{text}");
    assert_eq!(
        (lines[0][2], lines[0][3]),
        ("create", "event"),
        "oldest first: {text}"
    );
    let created = lines
        .iter()
        .find(|c| c[3] == "official" && c[5] == "TESTER Ada")
        .expect("the imported official");
    assert_eq!(created[2], "create");
    assert!(created[0].ends_with('Z'), "{created:?}");
    // The line says who and what, never the record's other data.
    assert!(!text.contains("N99887766"), "{text}");
    let out = ddesk(&db, &["history", "--event", &forum, "--json"]);
    let entries: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let images = entries
        .as_array()
        .expect("a list")
        .iter()
        .find(|e| e["label"] == "TESTER Ada")
        .expect("the entry");
    assert_eq!(images["after"]["passport_number"], "N99887766");
    let out = ddesk(&db, &["history", "--event", "00000000"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}

/// Issue 17: `ddesk export` masks passport numbers unless `--full-passport`; the output log
/// says how many people went out and whether their numbers were in full.
#[test]
fn exports_mask_passport_numbers_unless_asked_and_say_so_in_the_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    let forum = demo_forum(&db);
    let csv = |extra: &[&str]| {
        let mut args = vec![
            "export",
            "officials",
            "--event",
            &forum,
            "--format",
            "csv",
            "-o",
            "-",
        ];
        args.extend_from_slice(extra);
        let out = ddesk(&db, &args);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        stdout(&out)
    };
    let masked = csv(&[]);
    let full = csv(&["--full-passport"]);
    let column = |text: &str| -> Vec<String> {
        let text = text.trim_start_matches('\u{FEFF}');
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let at = reader
            .headers()
            .expect("header")
            .iter()
            .position(|h| h == "Passport number")
            .expect("the column");
        reader
            .records()
            .map(|r| r.expect("row").get(at).unwrap_or_default().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    };
    let (masked, full) = (column(&masked), column(&full));
    assert!(masked.len() > 50 && masked.len() == full.len());
    for (m, f) in masked.iter().zip(&full) {
        assert!(m.contains("***") && !f.contains('*'), "{m} / {f}");
        assert_eq!(m, &ddesk_core::export::mask_passport(f));
    }
    let log = stdout(&ddesk(&db, &["history", "--event", &forum]));
    let exports: Vec<&str> = log.lines().filter(|l| l.contains("\texport\t")).collect();
    assert_eq!(exports.len(), 2, "{log}");
    assert!(exports[0].contains(" people") && !exports[0].contains("in full"));
    assert!(
        exports[1].contains("passport numbers in full"),
        "{}",
        exports[1]
    );
}
