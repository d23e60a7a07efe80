//! On the ground (issue 20) through the command line, on the demo forum: the agenda as
//! `ddesk sessions` lists it, pickups planned from the flights with the event's vehicles and
//! saved, the checks after a flight moves, the dispatch sheets, name signs and transport plan
//! read back with poppler, and `ddesk checkin`'s outcomes and exit codes.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use ddesk_core::model::*;
use ddesk_core::Store;

use crate::cli::{ddesk, demo_event, ok, stdout};
use crate::print::Pdf;

fn library(db: &Path) -> Store {
    Store::open(db, &delegation_desk_tests::unlock()).expect("open")
}

/// Adds a vehicle through `ddesk record put`.
fn vehicle(db: &Path, event: &str, name: &str, seats: i64, driver: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("vehicle.json");
    let json = serde_json::json!({
        "event_id": event, "name": name, "kind": "van", "seats": seats,
        "plate": format!("서울 12가 {seats:04}"), "driver_name": driver,
        "driver_phone": "+82 10 0000 1111",
    });
    std::fs::write(&file, json.to_string()).expect("write");
    let out = ok(
        db,
        &["record", "put", "vehicle", file.to_str().expect("path")],
    );
    serde_json::from_str::<serde_json::Value>(&out).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string()
}

/// The proposed runs: (run, time, airport, vehicle, passenger ids).
fn runs(out: &str) -> Vec<(String, String, String, String, Vec<String>)> {
    out.lines()
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert_eq!(c.len(), 6, "{l}");
            (
                c[0].into(),
                c[1].into(),
                c[2].into(),
                c[3].into(),
                c[4].split(',').map(str::to_string).collect(),
            )
        })
        .collect()
}

#[test]
fn pickups_planned_saved_checked_and_printed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    let event = demo_event(&db, "East Asia");

    // The agenda: id, then the English title, start, end and room among its columns.
    let sessions = ok(&db, &["sessions", "--event", &event]);
    let opening = sessions
        .lines()
        .find(|l| l.contains("Opening Ceremony"))
        .expect("the opening");
    let cols: Vec<&str> = opening.split('\t').collect();
    assert_eq!(cols.len(), 8, "{opening}");
    assert!(cols.contains(&"2024-05-07 09:00") && cols.contains(&"2024-05-07 09:40"));
    assert!(cols.contains(&"International Conference Hall"), "{opening}");

    vehicle(&db, &event, "Van 1", 8, "Park Min-jun");
    vehicle(&db, &event, "Bus A", 28, "Choi Dong-hyun");
    vehicle(&db, &event, "Car 1", 3, "Lee Jae-won");

    // Who needs a pickup, from the library itself.
    let store = library(&db);
    let (travel, officials) = store
        .read(|c| Ok((Travel::of_event(c, &event)?, Official::of_event(c, &event)?)))
        .expect("read");
    let cancelled: HashSet<&str> = officials
        .iter()
        .filter(|o| o.status == OfficialStatus::Cancelled)
        .map(|o| o.id.as_str())
        .collect();
    let landing: HashMap<&str, &Travel> = travel
        .iter()
        .filter(|t| t.direction == Direction::Arrival && t.pickup)
        .filter(|t| !cancelled.contains(t.official_id.as_str()))
        .map(|t| (t.official_id.as_str(), t))
        .collect();
    drop(store);

    let proposed = runs(&ok(&db, &["transport", "plan", "--event", &event]));
    let placed: Vec<&String> = proposed.iter().flat_map(|r| &r.4).collect();
    let unique: HashSet<&str> = placed.iter().map(|s| s.as_str()).collect();
    assert_eq!(placed.len(), unique.len(), "someone placed twice");
    assert_eq!(
        unique,
        landing.keys().copied().collect::<HashSet<&str>>(),
        "every arrival that needs a pickup, once"
    );
    for (n, (run, time, airport, _, ids)) in proposed.iter().enumerate() {
        assert_eq!(run, &(n + 1).to_string());
        for id in ids {
            assert_eq!(&landing[id.as_str()].airport, airport);
        }
        assert!(time.starts_with("2024-05-0"), "{time}");
    }
    // The plan is not saved until asked: planning again proposes the same.
    assert_eq!(
        runs(&ok(&db, &["transport", "plan", "--event", &event])).len(),
        proposed.len()
    );
    let saved = runs(&ok(
        &db,
        &["transport", "plan", "--event", &event, "--apply"],
    ));
    assert_eq!(saved.len(), proposed.len());
    assert!(
        saved.iter().all(|r| r.0.len() == 36),
        "saved runs print their ids"
    );
    assert_eq!(
        ok(&db, &["transport", "plan", "--event", &event]),
        "",
        "nothing left to plan"
    );

    // Saved runs are consistent: no transport problem.
    let check = |db: &Path| stdout(&ddesk(db, &["check", "--event", &event]));
    let before = check(&db);
    for code in [
        "run_over_seats",
        "run_before_landing",
        "pickup_not_planned",
        "vehicle_double_booked",
    ] {
        assert!(!before.contains(code), "{code}: {before}");
    }

    // A flight lands two hours later than planned: its run now leaves too early, and the
    // flight changed after planning.
    {
        let run = saved
            .iter()
            .find(|r| r.3 == "Van 1")
            .expect("a run of the van");
        let official = run.4[0].clone();
        let mut t = (*landing[official.as_str()]).clone();
        t.scheduled_at += chrono::Duration::hours(2);
        library(&db).save(t).expect("move the flight");
    }
    let after = check(&db);
    assert!(after.contains("run_before_landing"), "{after}");
    assert!(after.contains("flight_changed_after_planning"), "{after}");

    // Paper: the van's dispatch sheet, a name sign per official met that day, the plan.
    let day = "2024-05-06";
    let pdf = |what: &str| {
        let out = dir.path().join(format!("{what}.pdf"));
        ok(
            &db,
            &[
                "print",
                what,
                "--event",
                &event,
                "--day",
                day,
                "-o",
                out.to_str().expect("path"),
            ],
        );
        Pdf::new(&std::fs::read(&out).expect("read"))
    };
    let dispatch = pdf("dispatch");
    let text = dispatch.text();
    assert!(
        text.contains("Park Min-jun") && text.contains("+82 10 0000 1111"),
        "{text}"
    );
    assert!(text.contains("Dispatch Sheet"));
    dispatch.assert_fonts_embedded_subsets();
    // One sign per official met at the airport that day, as the flights now stand.
    let store = library(&db);
    let event_record: Event = store.get(&event).expect("event");
    let met_that_day = store
        .read(|c| Travel::of_event(c, &event))
        .expect("flights")
        .into_iter()
        .filter(|t| t.direction == Direction::Arrival && t.pickup)
        .filter(|t| !cancelled.contains(t.official_id.as_str()))
        .filter(|t| event_record.local_date(t.scheduled_at).to_string() == day)
        .count();
    assert!(met_that_day > 10);
    let signs = pdf("namesigns");
    assert_eq!(signs.pages(), met_that_day);
    assert!(signs
        .text()
        .contains("East Asia and Pacific Regional Public Procurement Forum 2024"));
    let plan = pdf("transport");
    let plan_text = plan.text();
    assert!(
        plan_text.contains("Transport Plan") && plan_text.contains("Van 1"),
        "{plan_text}"
    );
}

#[test]
fn checkin_says_what_it_found_with_its_exit_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    let event = demo_event(&db, "East Asia");
    let other = demo_event(&db, "High-level");
    let officials = ok(&db, &["officials", "--event", &event, "--codes"]);
    let with_status = |status: &str| -> String {
        officials
            .lines()
            .find(|l| l.ends_with(&format!("\t{status}")))
            .and_then(|l| l.split('\t').next())
            .expect("an official")
            .to_string()
    };
    let confirmed = with_status("confirmed");
    // The demo has nobody cancelled: one of the registered is, now.
    let cancelled = with_status("registered");
    {
        let store = library(&db);
        let mut o: Official = store.get(&cancelled).expect("official");
        o.status = OfficialStatus::Cancelled;
        store.save(o).expect("cancel");
    }
    let stranger = ok(&db, &["officials", "--event", &other])
        .lines()
        .next()
        .and_then(|l| l.split('\t').next())
        .expect("another event's official")
        .to_string();
    let session = ok(&db, &["sessions", "--event", &event])
        .lines()
        .find(|l| l.contains("Opening Ceremony"))
        .and_then(|l| l.split('\t').next())
        .expect("the opening")
        .to_string();
    let scan = |args: &[&str], code: &str| {
        let mut all = vec!["checkin", "--event", event.as_str()];
        all.extend_from_slice(args);
        all.push(code);
        let out = ddesk(&db, &all);
        let text = stdout(&out);
        (
            out.status.code(),
            text.split('\t').next().unwrap_or("").trim().to_string(),
            text,
        )
    };
    let at_session = ["--session", session.as_str()];
    let first = scan(&at_session, &confirmed);
    assert_eq!(
        (first.0, first.1.as_str()),
        (Some(0), "checked-in"),
        "{}",
        first.2
    );
    let again = scan(&at_session, &confirmed.to_uppercase());
    assert_eq!((again.0, again.1.as_str()), (Some(0), "already"));
    // The count moved once: one of the roster, however often the badge is shown.
    assert!(again.2.trim_end().ends_with(&format!(
        "1/{}",
        first.2.trim_end().rsplit('/').next().unwrap_or("")
    )));
    for (code, outcome) in [
        (cancelled.as_str(), "cancelled"),
        ("0000-not-a-badge", "unknown"),
        (stranger.as_str(), "other-event"),
    ] {
        let got = scan(&at_session, code);
        assert_eq!((got.0, got.1.as_str()), (Some(1), outcome), "{}", got.2);
    }
    // The event's door, and one of the roster scanned at a run they are not on.
    let door = scan(&["--event-entry"], &confirmed);
    assert_eq!(door.1, "checked-in");
    vehicle(&db, &event, "Van 1", 8, "Park Min-jun");
    let run = ok(&db, &["transport", "plan", "--event", &event, "--apply"])
        .lines()
        .find(|l| !l.contains(&confirmed))
        .and_then(|l| l.split('\t').next())
        .expect("a run without them")
        .to_string();
    let off = scan(&["--run", run.as_str()], &confirmed);
    assert_eq!((off.0, off.1.as_str()), (Some(1), "not-on-roster"));
    // Exactly one target: a usage error, nothing recorded.
    let both = ddesk(
        &db,
        &[
            "checkin",
            "--event",
            &event,
            "--event-entry",
            "--run",
            &run,
            &confirmed,
        ],
    );
    assert_eq!(both.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&both.stderr).contains("cannot be used with"));
    // The attendance is the session's: the certificate's share reads it.
    let store = library(&db);
    let entry: Participant = store
        .read(|c| {
            Ok(Participant::load_where(c, "x.session_id = ?", &session)?
                .into_iter()
                .find(|p| p.official_id == confirmed)
                .expect("their entry"))
        })
        .expect("read");
    assert!(entry.attended_at.is_some());
}

/// `ddesk print badges` of the event (narrowed by `only`) into `pdf`, printed before or not.
fn print_badges(db: &Path, event: &str, only: &[&str], pdf: &Path) {
    let pdf = pdf.to_str().expect("path");
    let args = [
        &["print", "badges", "--event", event][..],
        only,
        &["--reprint", "-o", pdf],
    ];
    ok(db, &args.concat());
}

/// Every QR code on the first `sheets` pages of `pdf`, rasterised at 150 dpi (a modest office
/// printer) and read by a real decoder (zbar), one line per code.
fn scanned_codes(pdf: &Path, sheets: usize) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let png = dir.path().join("sheet");
    let raster = std::process::Command::new("pdftoppm")
        .args(["-r", "150", "-gray", "-png", "-f", "1", "-l"])
        .arg(sheets.to_string())
        .arg(pdf)
        .arg(&png)
        .status()
        .expect("pdftoppm");
    assert!(raster.success());
    let pages: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    assert_eq!(pages.len(), sheets, "the sheets as PNG");
    let read = std::process::Command::new("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .args(&pages)
        .output()
        .expect("zbarimg");
    assert!(read.status.success(), "no QR code found: {read:?}");
    stdout(&read).lines().map(str::to_string).collect()
}

/// The QR code as it comes off an office printer: one badge printed, its page rasterised at
/// 150 dpi, read by a real decoder (zbar), and the code it holds checks the official in at the
/// desk. Then every code on two whole sheets is read back: the codes are drawn with one fixed
/// mask (print/qr.rs), and each must still scan.
#[test]
fn a_printed_badges_qr_code_scans_and_checks_its_official_in() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    let event = demo_event(&db, "East Asia");
    let codes = ok(&db, &["officials", "--event", &event, "--codes"]);
    let official = codes
        .lines()
        .find(|l| l.ends_with("\tconfirmed"))
        .and_then(|l| l.split('\t').next())
        .expect("a confirmed official")
        .to_string();
    let pdf = dir.path().join("badge.pdf");
    print_badges(&db, &event, &["--official", &official], &pdf);
    let code = scanned_codes(&pdf, 1).join("\n");
    // The id in capitals (the smaller code); the desk takes it in either case.
    assert_eq!(code, official.to_uppercase());
    let scanned = ddesk(&db, &["checkin", "--event", &event, "--event-entry", &code]);
    assert_eq!(scanned.status.code(), Some(0), "{scanned:?}");
    assert!(stdout(&scanned).starts_with("checked-in"), "{scanned:?}");

    let sheets = dir.path().join("badges.pdf");
    print_badges(&db, &event, &[], &sheets);
    let ids: HashSet<String> = codes
        .lines()
        .filter_map(|l| l.split('\t').next())
        .map(str::to_uppercase)
        .collect();
    let read = scanned_codes(&sheets, 2);
    let distinct: HashSet<&String> = read.iter().collect();
    assert_eq!(
        (read.len(), distinct.len()),
        (16, 16),
        "eight codes a sheet, each read once: {read:?}"
    );
    assert!(read.iter().all(|c| ids.contains(c)), "{read:?}");
}
