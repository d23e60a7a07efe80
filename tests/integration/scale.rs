//! The scale generator: deterministic, as untidy as a real event in known ways (the checks
//! find those and nothing else), and fit for the benchmarks.

use std::collections::BTreeMap;

use ddesk_core::checks::{self, EventData, Severity};
use ddesk_core::dashboard;
use ddesk_core::generate::{self, Spec};
use ddesk_core::model::OfficialStatus;
use ddesk_core::queries::{self, OfficialQuery};
use ddesk_core::Store;

fn generated(officials: usize, seed: u64) -> (Store, String) {
    let store = Store::open_in_memory().expect("library");
    let event = generate::generate(&store, Spec::new(officials, seed)).expect("generate");
    (store, event.id)
}

fn names(store: &Store, event: &str) -> Vec<(String, String)> {
    store
        .read(|c| queries::officials(c, event, &OfficialQuery::default()))
        .expect("officials")
        .rows
        .into_iter()
        .map(|r| {
            (
                r.official.id,
                format!("{} / {}", r.full_name, r.official.native_name),
            )
        })
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_event() {
    let (a, ea) = generated(300, 7);
    let (b, eb) = generated(300, 7);
    assert_eq!(ea, eb);
    assert_eq!(names(&a, &ea), names(&b, &eb));
    let problems = |store: &Store, event: &str| {
        let data = store.read(|c| EventData::load(c, event)).expect("load");
        checks::run_all(&data)
    };
    assert_eq!(
        problems(&a, &ea),
        problems(&b, &eb),
        "the same problems too"
    );
    let (c, ec) = generated(300, 8);
    assert_ne!(
        names(&a, &ea),
        names(&c, &ec),
        "another seed, another event"
    );
}

#[test]
fn a_generated_event_is_large_varied_and_untidy_in_known_ways() {
    let (store, event) = generated(2_000, 1);
    let health = store.health().expect("health");
    assert!(health.is_ok(), "{health:?}");
    let count = |t: &str| {
        health
            .counts
            .iter()
            .find(|(n, _)| n == t)
            .map(|(_, c)| *c)
            .unwrap_or(0)
    };
    assert_eq!(count("official"), 2_000);
    assert_eq!(count("session"), 300);
    assert_eq!(count("hotel"), 20);
    assert!(count("delegation") >= 190, "{}", count("delegation"));
    assert!(count("participant") > 4 * 2_000, "{}", count("participant"));
    let all = names(&store, &event);
    let text: String = all.iter().map(|(_, n)| n.as_str()).collect();
    for (script, range) in [
        ("Hangul", '\u{AC00}'..='\u{D7A3}'),
        ("Thai", '\u{0E00}'..='\u{0E7F}'),
        ("Arabic", '\u{0600}'..='\u{06FF}'),
        ("Cyrillic", '\u{0400}'..='\u{04FF}'),
        ("Devanagari", '\u{0900}'..='\u{097F}'),
        ("Khmer", '\u{1780}'..='\u{17FF}'),
    ] {
        assert!(
            text.chars().any(|c| range.contains(&c)),
            "no {script} names"
        );
    }
    let data = store.read(|c| EventData::load(c, &event)).expect("load");
    let problems = checks::run_all(&data);
    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &problems {
        *by_code.entry(p.code).or_default() += 1;
    }
    // What the generator puts wrong, in about the share it aims at (1 in 100, 1 in 200, and
    // 1 in 100 landing at midday, of whom about three in four miss a morning session), with
    // room to spare for chance.
    let within = |code: &str, low: usize, high: usize| {
        let n = by_code.get(code).copied().unwrap_or(0);
        assert!(
            (low..=high).contains(&n),
            "{code}: {n}, expected {low}..={high}"
        );
    };
    within("passport_expiry_missing", 8, 40);
    within("passport_expiring", 3, 25);
    within("arrival_after_first_session", 5, 35);
    // The midday arrivals' rooms are booked from the night before, as everyone's: unused.
    within("stay_unused_nights", 7, 50);
    // Nothing else: shared twins, cancellations and the rest are in order. A namesake born
    // the same day may turn up by chance among thousands; it is only a warning.
    let expected = [
        "passport_expiry_missing",
        "passport_expiring",
        "arrival_after_first_session",
        "stay_unused_nights",
        "likely_duplicate",
        // Pickups are wanted and no run is planned yet: one line.
        "pickups_not_planned",
    ];
    let unexpected: Vec<_> = problems
        .iter()
        .filter(|p| !expected.contains(&p.code))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    assert!(problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .all(|p| p.code == "arrival_after_first_session"));

    // Some cancellations, never a head of delegation.
    let cancelled = data
        .officials
        .iter()
        .filter(|o| o.status == OfficialStatus::Cancelled)
        .count();
    assert!((15..=70).contains(&cancelled), "{cancelled} cancelled");
    // Some twins shared by two, and the dashboard counts each shared room once.
    let shared = data
        .stays
        .iter()
        .filter(|s| s.shares_with_id.is_some())
        .count();
    assert!(
        shared * 20 > data.stays.len() && shared * 3 < data.stays.len(),
        "{shared} of {} stays shared",
        data.stays.len()
    );
    let board = dashboard::build(&data);
    assert_eq!(board.officials as usize, 2_000 - cancelled);
    let first_night = board
        .nights
        .iter()
        .filter(|n| n.date == data.event.start_date.pred_opt().expect("date"));
    let (used, held): (i64, i64) = first_night.fold((0, 0), |(u, h), n| (u + n.used, h + n.held));
    let guests = data
        .stays
        .iter()
        .filter(|s| {
            data.officials
                .iter()
                .any(|o| o.id == s.official_id && o.status != OfficialStatus::Cancelled)
        })
        .count() as i64;
    assert!(
        used <= held && used < guests,
        "{used} rooms used, {held} held, {guests} guests"
    );
    // Search works on generated names too.
    let q = OfficialQuery {
        search: "nguyen".into(),
        ..OfficialQuery::default()
    };
    let found = store
        .read(|c| queries::officials(c, &event, &q))
        .expect("search");
    assert!(found.total > 0);
}

/// Flights and stays grow with the event, so the window reads them a page at a time (issue 8).
#[test]
fn flights_and_stays_come_a_page_at_a_time_searched_and_sorted_by_the_engine() {
    use ddesk_core::queries::ListQuery;
    let (store, event) = generated(1_500, 2);
    let page = |q: &ListQuery| {
        store
            .read(|c| queries::travel(c, &event, q))
            .expect("flights")
    };
    let first = page(&ListQuery {
        limit: 100,
        ..ListQuery::default()
    });
    assert!(
        first.total >= 2 * 1_400,
        "about two legs each: {}",
        first.total
    );
    assert_eq!(first.rows.len(), 100);
    let second = page(&ListQuery {
        limit: 100,
        offset: 100,
        ..ListQuery::default()
    });
    let ids = |p: &queries::Page<queries::TravelRow>| -> Vec<String> {
        p.rows.iter().map(|r| r.travel.id.clone()).collect()
    };
    assert!(
        ids(&first).iter().all(|id| !ids(&second).contains(id)),
        "pages do not overlap"
    );
    let times: Vec<_> = first.rows.iter().map(|r| r.travel.scheduled_at).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "by time by default");
    let latest = page(&ListQuery {
        limit: 5,
        desc: true,
        sort: "scheduled_at".into(),
        ..ListQuery::default()
    });
    assert!(latest.rows[0].travel.scheduled_at >= *times.last().expect("a time"));

    // One flight number finds its legs and nothing else; a passport name finds that person's.
    let flight = first.rows[0].travel.flight.clone();
    let found = page(&ListQuery {
        search: flight.to_lowercase(),
        ..ListQuery::default()
    });
    assert!(found.total >= 1);
    assert!(
        found.rows.iter().all(|r| r.travel.flight.contains(&flight)),
        "{flight}"
    );
    let who = &first.rows[0].person;
    let found = page(&ListQuery {
        search: who.full_name.clone(),
        ..ListQuery::default()
    });
    assert!(found
        .rows
        .iter()
        .any(|r| r.person.full_name == who.full_name));
    assert!(found.total < first.total);

    let stays = |q: &ListQuery| store.read(|c| queries::stays(c, &event, q)).expect("stays");
    let all = stays(&ListQuery {
        limit: 50,
        sort: "check_in".into(),
        ..ListQuery::default()
    });
    assert!(all.total > 1_000, "{}", all.total);
    assert_eq!(all.rows.len(), 50);
    let days: Vec<_> = all.rows.iter().map(|r| r.stay.check_in).collect();
    assert!(days.windows(2).all(|w| w[0] <= w[1]), "sorted by check-in");
    // The hotel's name finds its guests and no one else's.
    let mut hotel = store
        .get::<ddesk_core::model::Hotel>(&all.rows[0].stay.hotel_id)
        .expect("hotel");
    hotel.name = "Orakai Insadong Suites".into();
    store.save(hotel).expect("rename");
    let at_hotel = stays(&ListQuery {
        search: "ORAKAI insadong".into(),
        ..ListQuery::default()
    });
    assert!(
        at_hotel.total >= 1 && at_hotel.total < all.total,
        "{}",
        at_hotel.total
    );
    assert!(at_hotel
        .rows
        .iter()
        .all(|r| r.hotel_name == "Orakai Insadong Suites"));
    let none = stays(&ListQuery {
        search: "zz%_no such guest".into(),
        ..ListQuery::default()
    });
    assert_eq!(none.total, 0, "LIKE wildcards are taken literally");
}
