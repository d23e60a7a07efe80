//! Protocol (issue 21) through the command line, on the demo forum: `ddesk precedence` in its
//! order and columns, `ddesk seating propose` for the welcome dinner's round tables (saved with
//! `--apply`, everyone once, no seat twice, interpreters beside their officials), the head table
//! of the opening ceremony with the host in the middle, the checks after a late cancellation,
//! and the seating chart, table lists, place cards and the list by precedence read back with
//! poppler.

use std::collections::{HashMap, HashSet};

use ddesk_core::model::*;
use ddesk_core::Store;

use crate::cli::{ddesk, demo_event, ok};
use crate::print::Pdf;

/// The lines of a `seating propose`: (table, seat, official id, name).
fn seats(out: &str) -> Vec<(i64, i64, String, String)> {
    out.lines()
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert_eq!(c.len(), 4, "{l}");
            (
                c[0].parse().expect("table"),
                c[1].parse().expect("seat"),
                c[2].to_string(),
                c[3].to_string(),
            )
        })
        .collect()
}

/// `ddesk seating propose` for a session, with more options.
fn propose(
    db: &std::path::Path,
    event: &str,
    session: &str,
    more: &[&str],
) -> Vec<(i64, i64, String, String)> {
    let mut args = vec!["seating", "propose", "--event", event, "--session", session];
    args.extend_from_slice(more);
    seats(&ok(db, &args))
}

fn session(db: &std::path::Path, event: &str, title: &str) -> String {
    ok(db, &["sessions", "--event", event])
        .lines()
        .find(|l| l.split('\t').nth(3) == Some(title))
        .and_then(|l| l.split('\t').next())
        .unwrap_or_else(|| panic!("no session {title}"))
        .to_string()
}

#[test]
fn precedence_and_seating_through_the_command_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    let event = demo_event(&db, "East Asia");

    // The order: position, id, name, rank, delegation; ranks never go back up the list.
    let order = ok(&db, &["precedence", "--event", &event]);
    let ranks: Vec<String> = ddesk_core::protocol::default_ranks()
        .into_iter()
        .map(|r| r.code)
        .collect();
    let mut last = 0;
    let mut ids = Vec::new();
    for (i, line) in order.lines().enumerate() {
        let c: Vec<&str> = line.split('\t').collect();
        assert_eq!(c.len(), 5, "{line}");
        assert_eq!(c[0], (i + 1).to_string());
        let rank = ranks.iter().position(|r| r == c[3]).unwrap_or(ranks.len());
        assert!(rank >= last, "{line} after rank {last}");
        last = rank;
        ids.push(c[1].to_string());
    }
    let store = Store::open(&db, &delegation_desk_tests::unlock()).expect("open");
    let officials: HashMap<String, Official> = store
        .read(|c| Official::of_event(c, &event))
        .expect("officials")
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    let coming = officials
        .values()
        .filter(|o| o.status != OfficialStatus::Cancelled)
        .count();
    assert_eq!(ids.len(), coming, "everyone not cancelled, once");
    drop(store);

    // The welcome dinner at round tables of ten, saved.
    let dinner = session(
        &db,
        &event,
        "Welcome Dinner hosted by the Administrator of PPS",
    );
    let plan = propose(
        &db,
        &event,
        &dinner,
        &["--layout", "rounds", "--seats", "10", "--apply"],
    );
    assert_eq!(plan.len(), coming, "the dinner is for everyone");
    let mut places = HashSet::new();
    let mut who = HashSet::new();
    for (t, s, id, name) in &plan {
        assert!((1..=10).contains(s), "seat {s}");
        assert!(places.insert((*t, *s)), "seat {t}/{s} twice");
        assert!(who.insert(id.clone()), "{name} twice");
        assert_eq!(officials[id].full_name(), *name);
    }
    // The host (the host country's first in precedence) at table 1, seat 1.
    assert_eq!(plan[0].0, 1);
    assert_eq!(plan[0].1, 1);
    let host = &officials[&plan[0].2];
    let korea = store_delegation_country(&db, host);
    assert_eq!(korea.as_deref(), Some("KR"));
    // Saved: the checks find nothing of seating, and the proposal again is the same plan.
    let checks = ok(&db, &["check", "--event", &event]);
    assert!(
        !checks.contains("seat_") && !checks.contains("interpreter_apart"),
        "{checks}"
    );
    let again = propose(&db, &event, &dinner, &[]);
    assert_eq!(again, plan, "the session's own layout and seats");

    // The opening ceremony's head table of nine: the host in the middle (seat 5).
    let opening = session(&db, &event, "Opening Ceremony");
    let head = propose(
        &db,
        &event,
        &opening,
        &["--layout", "head-table", "--seats", "9"],
    );
    assert_eq!(head.len(), 9);
    assert!(head.iter().all(|s| s.0 == 1));
    assert_eq!(
        head.iter().find(|s| s.1 == 5).map(|s| &s.2),
        Some(&plan[0].2)
    );

    // A late cancellation: the check names the hole.
    let gone = plan
        .iter()
        .find(|s| s.0 == 2)
        .map(|s| s.2.clone())
        .expect("someone at table 2");
    let store = Store::open(&db, &delegation_desk_tests::unlock()).expect("open");
    let mut o: Official = store.get(&gone).expect("official");
    o.status = OfficialStatus::Cancelled;
    store.save(o.clone()).expect("cancel");
    drop(store);
    let checks = ok(&db, &["check", "--event", &event]);
    assert!(
        checks.contains("seat_not_on_roster")
            && checks.contains(&format!(
                "{} cancelled and still holds table 2",
                o.full_name()
            )),
        "{checks}"
    );

    // Paper: the chart (A3), the table lists, the place cards, the list by precedence.
    let pdf = |what: &str, extra: &[&str]| {
        let out = dir.path().join(format!("{what}.pdf"));
        let mut args = vec!["print", what, "--event", &event];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["-o", out.to_str().expect("path")]);
        ok(&db, &args);
        Pdf::new(&std::fs::read(&out).expect("read"))
    };
    let chart = pdf("seating", &["--session", &dinner, "--a3"]);
    let text = chart.text();
    assert!(
        text.contains("Seating Chart") && text.contains("Table 1"),
        "{text}"
    );
    assert!(text.contains(&officials[&plan[0].2].family_name.to_uppercase()));
    chart.assert_fonts_embedded_subsets();
    let lists = pdf("tables", &["--session", &dinner]);
    let text = lists.text();
    assert!(
        text.contains("Table Lists") && text.contains("Empty seat"),
        "{text}"
    );
    let cards = pdf("placecards", &["--session", &dinner]);
    // Two cards to a sheet, one per guest still coming.
    assert_eq!(cards.pages(), (coming - 1).div_ceil(2));
    cards.assert_fonts_embedded_subsets();
    let list = pdf("precedence", &[]);
    assert!(list.text().contains("Order of Precedence"));
    // A seating paper needs its session.
    let refused = ddesk(&db, &["print", "tables", "--event", &event, "-o", "x.pdf"]);
    assert_eq!(refused.status.code(), Some(1));
}

/// The country of an official's delegation.
fn store_delegation_country(db: &std::path::Path, o: &Official) -> Option<String> {
    let store = Store::open(db, &delegation_desk_tests::unlock()).expect("open");
    let d: Delegation = store.get(o.delegation_id.as_deref()?).ok()?;
    d.country_code
}
