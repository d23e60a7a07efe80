//! The demo events load through the same validation as typed records, and reload in place.

use ddesk_core::queries::{self, OfficialQuery};
use ddesk_core::{demo, Store};

#[test]
fn demo_events_load_and_reset_in_place() {
    let store = Store::open_in_memory().expect("library");
    let events = demo::reset(&store).expect("demo loads");
    assert_eq!(events.len(), 2);
    let ids = demo::event_ids().expect("ids");
    assert_eq!(events.iter().map(|e| e.id.clone()).collect::<Vec<_>>(), ids);

    let forum = &events[0];
    assert!(
        forum.name_en.contains("Public Procurement Forum"),
        "{}",
        forum.name_en
    );
    let officials = store
        .read(|c| queries::officials(c, &forum.id, &OfficialQuery::default()))
        .expect("officials");
    assert!(
        (100..=130).contains(&officials.total),
        "{} officials",
        officials.total
    );
    let delegations = store
        .read(|c| queries::delegations(c, &forum.id))
        .expect("delegations");
    let countries = delegations
        .iter()
        .filter(|d| d.delegation.country_code.is_some())
        .count();
    assert!(countries >= 18, "{countries} countries");
    for org in ["WB", "ADB", "IsDB", "GIZ"] {
        assert!(
            delegations
                .iter()
                .any(|d| d.delegation.org_code.as_deref() == Some(org)),
            "{org} delegation"
        );
    }
    let sessions = store
        .read(|c| queries::sessions(c, &forum.id))
        .expect("sessions");
    assert!(sessions
        .iter()
        .any(|s| s.session.kind == ddesk_core::model::SessionKind::SiteVisit));
    assert!(sessions
        .iter()
        .any(|s| s.session.kind == ddesk_core::model::SessionKind::Meal));
    // Coffee breaks need no roster; everything else does.
    assert!(
        sessions
            .iter()
            .filter(|s| s.session.kind != ddesk_core::model::SessionKind::Break)
            .all(|s| s.participants > 0),
        "every session but the breaks has a roster"
    );

    let workshop = &events[1];
    let members = store
        .read(|c| queries::officials(c, &workshop.id, &OfficialQuery::default()))
        .expect("officials");
    assert!(members.total >= 24, "{}", members.total);
    let hotels = store
        .read(|c| queries::hotels(c, &workshop.id))
        .expect("hotels");
    assert!(hotels.iter().any(|h| h.hotel.name.contains("Orakai")));

    // Names in many scripts survive the trip through the library.
    let natives: String = officials
        .rows
        .iter()
        .map(|r| r.official.native_name.clone())
        .collect();
    for (script, range) in [
        ("Hangul", '\u{AC00}'..='\u{D7A3}'),
        ("Thai", '\u{0E00}'..='\u{0E7F}'),
        ("Cyrillic", '\u{0400}'..='\u{04FF}'),
    ] {
        assert!(
            natives.chars().any(|c| range.contains(&c)),
            "no {script} name"
        );
    }

    let again = demo::reset(&store).expect("reset");
    assert_eq!(again.len(), 2);
    let after = store.read(queries::events).expect("events");
    assert_eq!(after.len(), 2, "reset replaces, never duplicates");
    let health = store.health().expect("health");
    assert!(health.is_ok());
}

#[test]
fn first_run_seeds_once() {
    let store = Store::open_in_memory().expect("library");
    assert!(demo::seed_if_empty(&store).expect("seed"));
    for e in store.read(queries::events).expect("events") {
        store
            .delete::<ddesk_core::model::Event>(&e.event.id, true)
            .expect("delete");
    }
    assert!(
        !demo::seed_if_empty(&store).expect("no reseed"),
        "a deleted demo stays deleted"
    );
    assert!(store.read(queries::events).expect("events").is_empty());
}
