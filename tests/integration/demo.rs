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

/// Issue 22: a new event started from a previous one gets its venues, rooms, hotels, room
/// blocks and agenda, moved to its own dates, and none of its people; one undo takes it back.
#[test]
fn a_new_event_starts_from_a_previous_one_without_its_people() {
    use ddesk_core::model::*;
    let store = Store::open_in_memory().expect("library");
    let forum = demo::reset(&store).expect("demo").remove(0);
    let next = store
        .save(Event {
            name_en: "Forum 2025".into(),
            start_date: forum.start_date + chrono::Duration::days(364),
            end_date: forum.end_date + chrono::Duration::days(364),
            time_zone: forum.time_zone.clone(),
            host_country: forum.host_country.clone(),
            ..Event::default()
        })
        .expect("the new event");
    // One session of the old agenda is for chosen delegations: the new event has none.
    let mut old_sessions = store
        .read(|c| Session::of_event(c, &forum.id))
        .expect("sessions");
    old_sessions.sort_by_key(|s| (s.starts_at, s.title_en.clone()));
    let delegation = store
        .read(|c| Delegation::of_event(c, &forum.id))
        .expect("delegations")
        .remove(0);
    let mut chosen = old_sessions[0].clone();
    chosen.audience = Audience::Groups;
    chosen.audience_delegations = delegation.id.clone();
    store.save(chosen).expect("for one delegation");

    let copied = store
        .write_batch(|tx, batch| ddesk_core::reuse::copy_setup(tx, &forum.id, &next.id, batch))
        .expect("copy")
        .value;
    let count = |table: &str, event: &str| -> i64 {
        store
            .read(|c| {
                let owner = match table {
                    "venue_room" => "(SELECT event_id FROM venue WHERE id = x.venue_id)",
                    "room_block" => "(SELECT event_id FROM hotel WHERE id = x.hotel_id)",
                    _ => "x.event_id",
                };
                Ok(c.query_row(
                    &format!("SELECT count(*) FROM {table} x WHERE {owner} = ?"),
                    [event],
                    |r| r.get(0),
                )?)
            })
            .expect("count")
    };
    for (table, n) in [
        ("venue", copied.venues),
        ("venue_room", copied.rooms),
        ("hotel", copied.hotels),
        ("room_block", copied.blocks),
        ("session", copied.sessions),
    ] {
        assert!(n > 0, "{table}");
        assert_eq!(count(table, &next.id) as usize, n, "{table}");
        assert_eq!(
            count(table, &forum.id) as usize,
            n,
            "{table}: all of it came"
        );
    }
    assert_eq!(copied.sessions_outside, 0);
    for table in ["delegation", "official", "travel", "stay"] {
        assert_eq!(count(table, &next.id), 0, "no {table} comes along");
    }
    let mut new_sessions = store
        .read(|c| Session::of_event(c, &next.id))
        .expect("sessions");
    new_sessions.sort_by_key(|s| (s.starts_at, s.title_en.clone()));
    for (old, new) in old_sessions.iter().zip(&new_sessions) {
        assert_eq!(old.title_en, new.title_en);
        assert_eq!(new.starts_at - old.starts_at, chrono::Duration::days(364));
        assert!(new.venue_room_id.is_some() == old.venue_room_id.is_some());
    }
    assert_eq!(
        new_sessions[0].audience,
        Audience::List,
        "an audience of the old event's delegations becomes a list"
    );
    let everyone = store
        .read(|c| queries::participants(c, &new_sessions[1].id))
        .expect("roster");
    assert!(everyone.is_empty(), "nobody is on it yet");
    store.undo_last(Some(&next.id)).expect("undo");
    assert_eq!(count("session", &next.id), 0);
    assert_eq!(count("venue", &next.id), 0);
}
