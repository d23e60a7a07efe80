//! Create, read, update, delete and validation of every record type, on in-memory libraries.

use ddesk_core::model::*;
use ddesk_core::queries::{self, ListQuery, OfficialQuery};
use ddesk_core::{Error, Store};
use delegation_desk_tests::{date, event, instant, official, Fixture};

/// The field codes of a validation error, or a panic naming what came instead.
fn field_codes<T: std::fmt::Debug>(result: Result<T, Error>) -> Vec<(String, &'static str)> {
    match result {
        Err(Error::Validation(errors)) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn changes(store: &Store) -> i64 {
    store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM change_log", [], |r| r.get(0))?))
        .expect("count")
}

#[test]
fn event_crud_and_validation() {
    let store = Store::open_in_memory().expect("library");
    let mut e = store.save(event("Forum")).expect("create");
    assert!(!e.id.is_empty());
    assert_eq!(store.get::<Event>(&e.id).expect("read"), e);
    e.city = "Busan".into();
    let updated = store.save(e.clone()).expect("update");
    assert_eq!(updated.city, "Busan");
    assert_eq!(updated.created_at, e.created_at);
    assert!(updated.updated_at >= e.updated_at);

    let bad = Event {
        name_en: String::new(),
        name_ko: String::new(),
        start_date: date("2024-05-09"),
        end_date: date("2024-05-07"),
        time_zone: "Mars/Olympus".into(),
        ..Event::default()
    };
    let before = changes(&store);
    assert_eq!(
        field_codes(store.save(bad)),
        [
            ("name_en".to_string(), "required"),
            ("end_date".to_string(), "end_before_start"),
            ("host_country".to_string(), "required"),
            ("time_zone".to_string(), "invalid_time_zone"),
        ]
    );
    assert_eq!(changes(&store), before, "a refused record writes nothing");

    store.delete::<Event>(&e.id, false).expect("delete");
    assert!(matches!(
        store.get::<Event>(&e.id),
        Err(Error::NotFound { entity: "event" })
    ));
}

#[test]
fn delegation_names_come_from_the_country_list() {
    let f = Fixture::new();
    assert_eq!(f.delegation.name_en, "Vietnam");
    assert_eq!(f.delegation.name_ko, "베트남");
    let dup = Delegation {
        event_id: f.event.id.clone(),
        country_code: Some("vn".into()),
        ..Delegation::default()
    };
    assert_eq!(
        field_codes(f.store.save(dup)),
        [("country_code".to_string(), "duplicate")]
    );
    let bad = Delegation {
        event_id: f.event.id.clone(),
        country_code: Some("XX".into()),
        seats: -1,
        liaison_email: "not an email".into(),
        ..Delegation::default()
    };
    assert_eq!(
        field_codes(f.store.save(bad)),
        [
            ("country_code".to_string(), "invalid_country"),
            ("seats".to_string(), "invalid_value"),
            ("liaison_email".to_string(), "invalid_email"),
        ]
    );
    let org = f
        .store
        .save(Delegation {
            event_id: f.event.id.clone(),
            kind: DelegationKind::Organization,
            org_code: Some("ADB".into()),
            ..Delegation::default()
        })
        .expect("organization");
    assert_eq!(org.name_en, "Asian Development Bank");
    assert_eq!(org.country_code, None);
}

#[test]
fn head_of_delegation_must_be_a_member() {
    let f = Fixture::new();
    let mut d = f.delegation.clone();
    d.head_official_id = Some(f.official.id.clone());
    f.store.save(d).expect("member as head");
    let outsider = f
        .store
        .save(official(&f.event, None, "Kim", "Ji-won"))
        .expect("outsider");
    let mut d: Delegation = f.store.get(&f.delegation.id).expect("read");
    d.head_official_id = Some(outsider.id);
    assert_eq!(
        field_codes(f.store.save(d)),
        [("head_official_id".to_string(), "invalid_value")]
    );
}

#[test]
fn official_rules() {
    let f = Fixture::new();
    let mut o = official(&f.event, Some(&f.delegation), "  ", "Minh");
    o.email = "minh@".into();
    o.nationality = "zz".into();
    o.passport_expiry = Some(date("2024-05-08"));
    o.birth_date = Some(date("2030-01-01"));
    assert_eq!(
        field_codes(f.store.save(o)),
        [
            ("family_name".to_string(), "required"),
            ("nationality".to_string(), "invalid_country"),
            ("email".to_string(), "invalid_email"),
            ("passport_expiry".to_string(), "passport_expires"),
            ("birth_date".to_string(), "invalid_value"),
        ]
    );
    let mut ok = official(&f.event, Some(&f.delegation), " Tran ", "Thi Lan");
    ok.nationality = "vn".into();
    ok.passport_expiry = Some(date("2030-01-01"));
    let saved = f.store.save(ok).expect("valid official");
    assert_eq!(saved.family_name, "Tran", "trimmed");
    assert_eq!(saved.nationality, "VN", "upper-cased");

    let other_event = f.store.save(event("Other")).expect("event");
    let mut cross = official(&other_event, Some(&f.delegation), "Lee", "");
    cross.event_id = other_event.id.clone();
    assert_eq!(
        field_codes(f.store.save(cross)),
        [("delegation_id".to_string(), "invalid_value")]
    );
}

#[test]
fn hostile_text_is_refused_or_kept_as_text() {
    let f = Fixture::new();
    let mut o = official(
        &f.event,
        Some(&f.delegation),
        "<img src=x onerror=alert(1)>",
        "=cmd|' /C calc'!A0",
    );
    o.native_name = "\u{202e}Ahmed \u{200d}🙂".into();
    let saved = f.store.save(o).expect("markup is just text");
    let back: Official = f.store.get(&saved.id).expect("read");
    assert_eq!(back.family_name, "<img src=x onerror=alert(1)>");
    assert_eq!(back.native_name, "\u{202e}Ahmed \u{200d}🙂");

    let mut nul = official(&f.event, None, "Kim\u{0}", "x");
    nul.position = "y".repeat(10_000);
    assert_eq!(
        field_codes(f.store.save(nul)),
        [
            ("family_name".to_string(), "invalid_control_chars"),
            ("position".to_string(), "too_long"),
        ]
    );
}

#[test]
fn deleting_a_delegation_with_officials_asks_first() {
    let f = Fixture::new();
    match f.store.delete::<Delegation>(&f.delegation.id, false) {
        Err(Error::Conflict { count, text }) => {
            let message = text.en();
            assert_eq!(count, 1);
            assert!(message.contains("1 official"), "{message}");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert!(
        f.store.get::<Official>(&f.official.id).is_ok(),
        "nothing deleted"
    );
    f.store
        .delete::<Delegation>(&f.delegation.id, true)
        .expect("cascade");
    assert!(matches!(
        f.store.get::<Official>(&f.official.id),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn travel_hotel_stay_and_blocks() {
    let f = Fixture::new();
    let leg = f
        .store
        .save(Travel {
            official_id: f.official.id.clone(),
            direction: Direction::Arrival,
            flight: "vn416".into(),
            origin: "han".into(),
            airport: "icn".into(),
            scheduled_at: instant("2024-05-05T22:10:00Z"),
            pickup: true,
            ..Travel::default()
        })
        .expect("travel");
    assert_eq!(
        (leg.flight.as_str(), leg.airport.as_str()),
        ("VN416", "ICN")
    );
    let rows = f
        .store
        .read(|c| queries::travel(c, &f.event.id, &ListQuery::default()))
        .expect("list");
    assert_eq!(rows.total, 1);
    assert_eq!(rows.rows[0].person.full_name, "NGUYEN Van Minh");

    let hotel = f
        .store
        .save(Hotel {
            event_id: f.event.id.clone(),
            name: "Lotte Hotel Seoul".into(),
            ..Hotel::default()
        })
        .expect("hotel");
    let block = RoomBlock {
        hotel_id: hotel.id.clone(),
        room_type: "Twin".into(),
        occupancy: 2,
        first_night: date("2024-05-08"),
        last_night: date("2024-05-06"),
        rooms: 10,
        ..RoomBlock::default()
    };
    assert_eq!(
        field_codes(f.store.save(block.clone())),
        [("last_night".to_string(), "end_before_start")]
    );
    let block = f
        .store
        .save(RoomBlock {
            first_night: date("2024-05-06"),
            last_night: date("2024-05-08"),
            ..block
        })
        .expect("block");
    let stay = Stay {
        official_id: f.official.id.clone(),
        hotel_id: hotel.id.clone(),
        room_block_id: Some(block.id.clone()),
        check_in: date("2024-05-09"),
        check_out: date("2024-05-06"),
        shares_with_id: Some(f.official.id.clone()),
        ..Stay::default()
    };
    assert_eq!(
        field_codes(f.store.save(stay.clone())),
        [
            ("check_out".to_string(), "end_before_start"),
            ("shares_with_id".to_string(), "invalid_value"),
        ]
    );
    f.store
        .save(Stay {
            check_in: date("2024-05-06"),
            check_out: date("2024-05-09"),
            shares_with_id: None,
            ..stay
        })
        .expect("stay");
    let stays = f
        .store
        .read(|c| queries::stays(c, &f.event.id, &ListQuery::default()))
        .expect("stays")
        .rows;
    assert_eq!(stays[0].room_type, "Twin");
    assert!(matches!(
        f.store.delete::<Hotel>(&hotel.id, false),
        Err(Error::Conflict { count: 2, .. })
    ));
    f.store.delete::<Hotel>(&hotel.id, true).expect("cascade");
    assert!(f
        .store
        .read(|c| queries::stays(c, &f.event.id, &ListQuery::default()))
        .expect("stays")
        .rows
        .is_empty());
}

#[test]
fn sessions_stay_inside_the_event_and_rosters_do_not_repeat() {
    let f = Fixture::new();
    let venue = f
        .store
        .save(Venue {
            event_id: f.event.id.clone(),
            name: "aT Center".into(),
            ..Venue::default()
        })
        .expect("venue");
    let room = f
        .store
        .save(VenueRoom {
            venue_id: venue.id.clone(),
            name: "Hall A".into(),
            capacity: 200,
            ..VenueRoom::default()
        })
        .expect("room");
    let session = Session {
        event_id: f.event.id.clone(),
        kind: SessionKind::Plenary,
        title_en: "Opening".into(),
        // 2024-05-06 23:30 in Seoul: the evening before the event.
        starts_at: instant("2024-05-06T14:30:00Z"),
        ends_at: instant("2024-05-06T14:00:00Z"),
        venue_room_id: Some(room.id.clone()),
        ..Session::default()
    };
    assert_eq!(
        field_codes(f.store.save(session.clone())),
        [
            ("ends_at".to_string(), "end_before_start"),
            ("starts_at".to_string(), "outside_event"),
        ]
    );
    // 09:00–10:00 on 7 May in Seoul is 00:00–01:00 UTC: inside, though the UTC date is too.
    let session = f
        .store
        .save(Session {
            starts_at: instant("2024-05-07T00:00:00Z"),
            ends_at: instant("2024-05-07T01:00:00Z"),
            ..session
        })
        .expect("session");
    let added = f
        .store
        .write(|tx| {
            ddesk_core::roster::add(
                tx,
                &session.id,
                &[f.official.id.clone(), f.official.id.clone()],
                Role::Speaker,
            )
        })
        .expect("add");
    assert_eq!(added, 1, "the second copy is skipped");
    let roster = f
        .store
        .read(|c| queries::participants(c, &session.id))
        .expect("roster");
    assert_eq!(roster.len(), 1);
    assert_eq!(roster[0].participant.role, Role::Speaker);
    let attended = f
        .store
        .write(|tx| ddesk_core::roster::attend(tx, &session.id, &f.official.id, true))
        .expect("attend");
    assert!(attended.attended_at.is_some());
    let dup = Participant {
        session_id: session.id.clone(),
        official_id: f.official.id.clone(),
        ..Participant::default()
    };
    assert_eq!(
        field_codes(f.store.save(dup)),
        [("official_id".to_string(), "duplicate")]
    );

    assert!(matches!(
        f.store.delete::<VenueRoom>(&room.id, false),
        Err(Error::Conflict { count: 1, .. })
    ));
    f.store.delete::<VenueRoom>(&room.id, true).expect("detach");
    let kept: Session = f.store.get(&session.id).expect("session stays");
    assert_eq!(kept.venue_room_id, None);
    f.store
        .delete::<Official>(&f.official.id, false)
        .expect("delete official");
    assert!(f
        .store
        .read(|c| queries::participants(c, &session.id))
        .expect("roster")
        .is_empty());
}

#[test]
fn search_finds_every_name_form() {
    let f = Fixture::new();
    let mut kim = official(&f.event, None, "KIM", "Ji-won");
    kim.native_name = "김지원".into();
    kim.badge_name = "Jiwon Kim".into();
    kim.organization = "Public Procurement Service".into();
    kim.nationality = "KR".into();
    f.store.save(kim).expect("kim");
    let search = |text: &str| -> Vec<String> {
        let q = OfficialQuery {
            search: text.into(),
            ..OfficialQuery::default()
        };
        f.store
            .read(|c| queries::officials(c, &f.event.id, &q))
            .expect("search")
            .rows
            .into_iter()
            .map(|r| r.full_name)
            .collect()
    };
    let minh = vec!["NGUYEN Van Minh".to_string()];
    let kim = vec!["KIM Ji-won".to_string()];
    assert_eq!(search("nguyễn"), minh, "native script with accents");
    assert_eq!(search("NGUYEN minh"), minh, "several words");
    assert_eq!(search("Van Minh Nguyen"), minh, "given name first");
    assert_eq!(search("베트남"), minh, "delegation's Korean name");
    assert_eq!(search("vietnam"), minh, "delegation's English name");
    assert_eq!(search("지원"), kim, "Hangul");
    assert_eq!(search("jiwon"), kim, "badge name");
    assert_eq!(search("procurement"), kim, "organization");
    assert_eq!(search("대한민국"), kim, "nationality in Korean");
    assert!(search("100%").is_empty(), "LIKE wildcards are literal");

    // Renaming the delegation's country moves the official with it.
    let mut d = f.delegation.clone();
    d.country_code = Some("LA".into());
    f.store.save(d).expect("change country");
    assert_eq!(search("lao"), minh);
}

#[test]
fn officials_page_filter_and_sort() {
    let f = Fixture::new();
    for (family, category) in [
        ("Ahn", Category::Speaker),
        ("Baek", Category::Staff),
        ("Cho", Category::Speaker),
    ] {
        let mut o = official(&f.event, None, family, "X");
        o.category = category;
        f.store.save(o).expect("official");
    }
    let q = OfficialQuery {
        category: Some(Category::Speaker),
        sort: queries::OfficialSort::Name,
        desc: true,
        limit: 1,
        ..OfficialQuery::default()
    };
    let page = f
        .store
        .read(|c| queries::officials(c, &f.event.id, &q))
        .expect("page");
    assert_eq!(page.total, 2);
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].full_name, "CHO X");
}
