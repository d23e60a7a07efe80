//! On-the-ground benchmarks (issue 20): the planner proposing pickups for 5,000 arrivals with
//! a fleet of 40 vehicles, and one badge scan recorded and answered (counts included) at the
//! door of a session for everyone, in an event of 20,000 officials. Run with
//! `cargo xtask bench transport`.

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::Figure;

use ddesk_core::generate::{self, Spec};
use ddesk_core::model::{Record, RunKind, Session, Vehicle};
use ddesk_core::transport::checkin::{self, Outcome, Target};
use ddesk_core::transport::plan::{self, Fleet, Leg, Times};

fn main() {
    let json_path = common::json_path();
    let runs = common::runs(7);
    let mut figures = Vec::new();

    // 5,000 arrivals over three days at three terminals, one in twenty a head of delegation.
    let start = Utc
        .with_ymd_and_hms(2026, 5, 5, 0, 0, 0)
        .single()
        .expect("start");
    let legs: Vec<Leg> = (0..5_000u32)
        .map(|i| Leg {
            official_id: format!("o{i}"),
            travel_id: Some(format!("t{i}")),
            flight: format!("KE{}", 100 + i % 300),
            at: start + Duration::minutes(i64::from((i * 7_919) % (3 * 24 * 60))),
            airport: ["ICN T1", "ICN T2", "GMP"][(i % 3) as usize].into(),
            ranks: i % 20 == 0,
            hotel: "Lotte Hotel Seoul".into(),
        })
        .collect();
    let vehicles: Vec<Vehicle> = (0..40)
        .map(|i| Vehicle {
            id: format!("v{i}"),
            name: format!("Vehicle {i}"),
            seats: [3, 8, 15, 28][i % 4],
            ..Vehicle::default()
        })
        .collect();
    let times = Times {
        window: 45,
        margin: 30,
        lead: 180,
    };
    let mut proposed = 0;
    let timings = common::time(runs, || {
        let mut fleet = Fleet::new(vehicles.clone(), &[], 60);
        let out = plan::propose(RunKind::Pickup, legs.clone(), &mut fleet, times, true);
        proposed = out.len();
        assert_eq!(out.iter().map(|r| r.legs.len()).sum::<usize>(), legs.len());
    });
    println!("5,000 arrivals: {proposed} runs");
    figures.push(Figure::times(
        "plan pickups, 5,000 arrivals",
        &timings,
        Some(200.0),
    ));

    // One scan at a session for everyone, 20,000 officials: each run scans a new badge (a
    // first check-in, written and counted).
    let dir = tempfile::tempdir().expect("temp dir");
    let store = common::library(dir.path());
    let event = generate::generate(&store, Spec::new(20_000, 11)).expect("generate");
    let session: Session = store
        .read(|c| Session::of_event(c, &event.id))
        .expect("sessions")
        .into_iter()
        .find(|s| s.audience == ddesk_core::model::Audience::Everyone)
        .expect("a session for everyone");
    // Those on its roster as the audience and its exceptions make it (the generated event
    // leaves some out by hand).
    let people: Vec<String> = store
        .read(|c| ddesk_core::queries::roster(c, &session.id, &Default::default()))
        .expect("roster")
        .rows
        .into_iter()
        .map(|r| r.participant.official_id)
        .collect();
    let target = Target::Session(session.id.clone());
    let mut next = people.iter();
    let scans = common::runs(50);
    let timings = common::time(scans, || {
        let o = next.next().expect("someone left to scan");
        let scan = store
            .write(|tx| checkin::scan(tx, &event.id, &target, o))
            .expect("scan");
        assert_eq!(scan.outcome, Outcome::CheckedIn);
    });
    figures.push(Figure::times(
        "one badge scan at 20,000 officials",
        &timings,
        Some(30.0),
    ));
    if let Some(peak) = common::peak_mb() {
        figures.push(Figure::memory("peak memory", peak, None));
    }
    common::print_table("On the ground", &figures);
    if let Some(path) = json_path {
        common::write_json(&path, serde_json::json!({}), &figures);
    }
}
