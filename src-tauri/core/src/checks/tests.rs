//! The checks' tests, and their test event (shared with the dashboard's tests).

use super::*;

pub(crate) fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("instant")
}

pub(crate) fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

pub(crate) fn official(id: &str, family: &str) -> Official {
    Official {
        id: id.into(),
        event_id: "e".into(),
        delegation_id: Some("d".into()),
        family_name: family.into(),
        given_name: "Van".into(),
        nationality: "VN".into(),
        status: OfficialStatus::Confirmed,
        passport_number: format!("C{id}0001"),
        passport_expiry: Some(day("2030-01-01")),
        email: format!("{id}@example.org"),
        ..Official::default()
    }
}

pub(crate) fn leg(id: &str, who: &str, direction: Direction, when: &str) -> Travel {
    Travel {
        id: id.into(),
        official_id: who.into(),
        direction,
        flight: "VN416".into(),
        scheduled_at: at(when),
        ..Travel::default()
    }
}

fn session(id: &str, room: Option<&str>, from: &str, to: &str) -> Session {
    Session {
        id: id.into(),
        event_id: "e".into(),
        title_en: id.into(),
        starts_at: at(from),
        ends_at: at(to),
        venue_room_id: room.map(Into::into),
        ..Session::default()
    }
}

fn on(session: &str, official: &str) -> Participant {
    Participant {
        id: format!("{session}-{official}"),
        session_id: session.into(),
        official_id: official.into(),
        ..Participant::default()
    }
}

/// A small event with nothing wrong: two Vietnamese officials who share a twin room,
/// land the day before and leave on the last evening, and sit in two morning sessions.
pub(crate) fn clean() -> EventData {
    EventData {
        event: Event {
            id: "e".into(),
            name_en: "Forum".into(),
            start_date: day("2024-05-07"),
            end_date: day("2024-05-09"),
            time_zone: "Asia/Seoul".into(),
            host_country: "KR".into(),
            ..Event::default()
        },
        delegations: vec![Delegation {
            id: "d".into(),
            event_id: "e".into(),
            country_code: Some("VN".into()),
            name_en: "Vietnam".into(),
            status: InvitationStatus::Confirmed,
            seats: 2,
            head_official_id: Some("o1".into()),
            ..Delegation::default()
        }],
        officials: vec![official("o1", "Nguyen"), official("o2", "Tran")],
        travel: vec![
            leg("a1", "o1", Direction::Arrival, "2024-05-06T01:00:00Z"),
            leg("a2", "o2", Direction::Arrival, "2024-05-06T01:00:00Z"),
            leg("x1", "o1", Direction::Departure, "2024-05-09T12:00:00Z"),
            leg("x2", "o2", Direction::Departure, "2024-05-09T12:00:00Z"),
        ],
        hotels: vec![Hotel {
            id: "h".into(),
            name: "Hotel".into(),
            ..Hotel::default()
        }],
        blocks: vec![RoomBlock {
            id: "b".into(),
            hotel_id: "h".into(),
            room_type: "Twin".into(),
            occupancy: 2,
            first_night: day("2024-05-06"),
            last_night: day("2024-05-08"),
            rooms: 1,
            ..RoomBlock::default()
        }],
        stays: ["o1", "o2"]
            .iter()
            .map(|o| Stay {
                id: format!("stay-{o}"),
                official_id: (*o).into(),
                hotel_id: "h".into(),
                room_block_id: Some("b".into()),
                check_in: day("2024-05-06"),
                check_out: day("2024-05-09"),
                shares_with_id: Some(if *o == "o1" { "o2" } else { "o1" }.into()),
                ..Stay::default()
            })
            .collect(),
        rooms: vec![VenueRoom {
            id: "r".into(),
            name: "Hall".into(),
            capacity: 10,
            ..VenueRoom::default()
        }],
        sessions: vec![
            session(
                "s1",
                Some("r"),
                "2024-05-07T00:00:00Z",
                "2024-05-07T01:00:00Z",
            ),
            session(
                "s2",
                Some("r"),
                "2024-05-07T02:00:00Z",
                "2024-05-07T03:00:00Z",
            ),
        ],
        participants: vec![
            on("s1", "o1"),
            on("s1", "o2"),
            on("s2", "o1"),
            on("s2", "o2"),
        ],
        ..EventData::default()
    }
}

/// Applies `change` to the clean event and compares the codes of what the checks find.
fn check(change: impl FnOnce(&mut EventData), expect: &[&str]) {
    let mut d = clean();
    change(&mut d);
    let all = run_all(&d);
    said_in_both_languages(&all);
    let found: BTreeSet<&str> = all.iter().map(|p| p.code).collect();
    let expect: BTreeSet<&str> = expect.iter().copied().collect();
    assert_eq!(found, expect);
}

/// Applies `change` to the clean event and returns everything the checks find.
fn problems(change: impl FnOnce(&mut EventData)) -> Vec<Problem> {
    let mut d = clean();
    change(&mut d);
    let all = run_all(&d);
    said_in_both_languages(&all);
    all
}

/// Every problem's message is in both catalogues, with every argument filled in: a missing
/// message comes back as its id, a missing argument as `{$name}`.
fn said_in_both_languages(problems: &[Problem]) {
    for p in problems {
        for text in [&p.message, &p.message_ko] {
            assert!(
                *text != p.text.id && !text.contains("{$") && !text.contains("{ $"),
                "{}: {text}",
                p.text.id
            );
        }
        assert_ne!(p.message, p.message_ko, "{}", p.text.id);
    }
}

/// The first problem with `code` that `change` brings (a block short on three nights
/// is three problems, all worded alike).
fn only(change: impl FnOnce(&mut EventData), code: &str) -> Problem {
    let found = problems(change);
    found
        .iter()
        .find(|p| p.code == code)
        .cloned()
        .unwrap_or_else(|| panic!("no {code} in {found:#?}"))
}

/// A third Vietnamese official, confirmed, with flights for the whole event and no stay;
/// the delegation gets a seat for them.
fn third(d: &mut EventData) {
    d.officials.push(official("o3", "Le"));
    d.travel
        .push(leg("a3", "o3", Direction::Arrival, "2024-05-06T01:00:00Z"));
    d.travel.push(leg(
        "x3",
        "o3",
        Direction::Departure,
        "2024-05-09T12:00:00Z",
    ));
    d.delegations[0].seats = 3;
}

fn stay(id: &str, who: &str, from: &str, to: &str, mate: Option<&str>) -> Stay {
    Stay {
        id: id.into(),
        official_id: who.into(),
        hotel_id: "h".into(),
        room_block_id: Some("b".into()),
        check_in: day(from),
        check_out: day(to),
        shares_with_id: mate.map(Into::into),
        ..Stay::default()
    }
}

pub(crate) fn official_mut<'a>(d: &'a mut EventData, id: &str) -> &'a mut Official {
    d.officials
        .iter_mut()
        .find(|o| o.id == id)
        .expect("official")
}

#[test]
fn the_clean_event_has_no_problems() {
    let problems = run_all(&clean());
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn double_booked_official() {
    check(
        |d| {
            d.sessions.push(session(
                "s3",
                None,
                "2024-05-07T00:30:00Z",
                "2024-05-07T01:30:00Z",
            ));
            d.participants.push(on("s3", "o1"));
        },
        &["official_double_booked"],
    );
    // Back to back is fine.
    check(
        |d| {
            d.sessions.push(session(
                "s3",
                None,
                "2024-05-07T01:00:00Z",
                "2024-05-07T02:00:00Z",
            ));
            d.participants.push(on("s3", "o1"));
        },
        &[],
    );
}

#[test]
fn room_capacity_and_double_booking() {
    check(|d| d.rooms[0].capacity = 1, &["session_over_capacity"]);
    check(|d| d.rooms[0].capacity = 2, &[]);
    check(
        |d| {
            d.sessions[1].starts_at = at("2024-05-07T00:30:00Z");
            d.participants.retain(|p| p.session_id != "s2");
        },
        &["room_double_booked"],
    );
    check(
        |d| {
            d.sessions[1].starts_at = at("2024-05-07T00:30:00Z");
            d.sessions[1].venue_room_id = None;
            d.participants.retain(|p| p.session_id != "s2");
        },
        &[],
    );
}

#[test]
fn sessions_outside_the_event() {
    check(
        |d| {
            d.sessions[1].starts_at = at("2024-05-09T15:00:00Z");
            d.sessions[1].ends_at = at("2024-05-09T16:00:00Z");
            d.participants.retain(|p| p.session_id != "s2");
        },
        &["session_outside_event"],
    );
    // 23:00–23:59 in Seoul on the last day is still inside, though it is the same UTC day.
    check(
        |d| {
            d.sessions[1].starts_at = at("2024-05-09T14:00:00Z");
            d.sessions[1].ends_at = at("2024-05-09T14:59:00Z");
            d.participants.retain(|p| p.session_id != "s2");
        },
        &[],
    );
}

#[test]
fn flights_against_the_agenda() {
    // Landing on the 7th, the room is booked from the 6th: late, and a night unused.
    check(
        |d| d.travel[0].scheduled_at = at("2024-05-07T00:30:00Z"),
        &["arrival_after_first_session", "stay_unused_nights"],
    );
    // Leaving on the 7th with the room booked to the 9th: two nights unused as well.
    check(
        |d| d.travel[2].scheduled_at = at("2024-05-07T02:30:00Z"),
        &["departure_before_last_session", "stay_unused_nights"],
    );
    check(
        |d| d.travel[2].scheduled_at = at("2024-05-07T03:00:00Z"),
        &["stay_unused_nights"],
    );
    check(|d| d.travel.retain(|t| t.id != "a1"), &["no_arrival"]);
    check(|d| d.travel.retain(|t| t.id != "x2"), &["no_departure"]);
    // Not confirmed yet, or not travelling from abroad: no flight expected.
    check(
        |d| {
            d.travel.retain(|t| t.id != "a1");
            official_mut(d, "o1").status = OfficialStatus::Registered;
        },
        &[],
    );
    check(
        |d| {
            d.travel.retain(|t| t.official_id != "o1");
            d.stays.retain(|s| s.official_id != "o1");
            d.stays[0].shares_with_id = None;
            official_mut(d, "o1").nationality = "KR".into();
        },
        &[],
    );
}

#[test]
fn hotel_nights_and_blocks() {
    check(|d| d.stays[0].check_out = day("2024-05-08"), &["stay_gap"]);
    check(
        |d| {
            d.stays[0].room_block_id = None;
            d.stays[0].shares_with_id = None;
            d.stays[1].shares_with_id = None;
        },
        &["stay_without_block"],
    );
    check(
        |d| {
            d.stays[0].shares_with_id = None;
            d.stays[1].shares_with_id = None;
        },
        &["block_overallocated"],
    );
    check(
        |d| {
            d.stays[0].shares_with_id = None;
            d.stays[1].shares_with_id = None;
            d.blocks[0].rooms = 2;
        },
        &[],
    );
    check(
        |d| d.blocks[0].last_night = day("2024-05-07"),
        &["stay_outside_block"],
    );
    check(|d| d.blocks[0].occupancy = 1, &["room_over_occupancy"]);
    // One side of a shared room naming the other is enough.
    check(|d| d.stays[1].shares_with_id = None, &[]);
}

#[test]
fn passports() {
    check(
        |d| official_mut(d, "o1").passport_number.clear(),
        &["passport_missing"],
    );
    check(
        |d| official_mut(d, "o1").passport_expiry = Some(day("2024-05-08")),
        &["passport_expired"],
    );
    check(
        |d| official_mut(d, "o1").passport_expiry = Some(day("2024-08-01")),
        &["passport_expiring"],
    );
    check(
        |d| official_mut(d, "o1").passport_expiry = Some(day("2024-11-10")),
        &[],
    );
    check(
        |d| {
            let o = official_mut(d, "o1");
            o.passport_number.clear();
            o.nationality = "KR".into();
        },
        &[],
    );
}

#[test]
fn delegations() {
    check(|d| d.delegations[0].seats = 1, &["delegation_over_quota"]);
    check(|d| d.delegations[0].seats = 0, &[]);
    check(
        |d| d.delegations[0].head_official_id = None,
        &["no_head_of_delegation"],
    );
    check(
        |d| {
            d.delegations[0].head_official_id = None;
            d.delegations[0].status = InvitationStatus::Invited;
        },
        &[],
    );
    check(
        |d| d.delegations[0].status = InvitationStatus::Declined,
        &["declined_with_confirmed"],
    );
    check(
        |d| {
            d.delegations[0].status = InvitationStatus::Withdrawn;
            for o in &mut d.officials {
                o.status = OfficialStatus::Cancelled;
            }
        },
        &[],
    );
}

/// The key-building `likely_duplicates` had before its keys shared one buffer: a map
/// from owned keys to the officials under each. The oracle of the test below.
fn duplicate_groups_by_owned_keys<'a>(people: &[&'a Official]) -> Groups<'a> {
    let mut keys: Map<(u8, String), Vec<&Official>> = Map::default();
    for &o in people {
        let passport: String = o
            .passport_number
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        if !passport.is_empty() {
            keys.entry((0, passport.to_uppercase()))
                .or_default()
                .push(o);
        }
        let email = o.email.trim();
        if !email.is_empty() {
            keys.entry((1, email.to_lowercase())).or_default().push(o);
        }
        let person = format!(
            "{}|{}|{}",
            name_key(&o.family_name),
            name_key(&o.given_name),
            o.nationality
        );
        if let Some(birth) = o.birth_date {
            keys.entry((2, format!("{person}|{birth}")))
                .or_default()
                .push(o);
        }
        if !o.nationality.is_empty() {
            keys.entry((4, person)).or_default().push(o);
        }
        if let Some(delegation) = &o.delegation_id {
            let key = format!(
                "{}|{}#{delegation}",
                name_key(&o.family_name),
                name_key(&o.given_name)
            );
            keys.entry((3, key)).or_default().push(o);
        }
    }
    let mut groups: Vec<_> = keys
        .into_iter()
        .filter(|((kind, _), v)| v.len() > 1 && namesakes_ruled_out(*kind, v))
        .collect();
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    groups.into_iter().map(|((kind, _), v)| (kind, v)).collect()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// On events full of near-collisions (few names, spellings in other cases and with
    /// spaces, shared passports and e-mails, missing birth dates, cancelled copies), the
    /// shared-buffer keys find exactly the groups the owned keys found, in the same order.
    #[test]
    fn duplicates_found_through_one_buffer_equal_those_of_owned_keys(
        people in proptest::collection::vec(
            (0usize..4, 0usize..3, 0usize..3, 0usize..4, 0usize..4, 0usize..4, 0usize..5),
            0..60,
        )
    ) {
        let families = ["Nguyen", "NGUYỄN", " nguyen  ", "Σοφία"];
        let givens = ["Van", "van", "Lan"];
        let nations = ["VN", "KR", ""];
        let passports = ["", "C-123 456", "c123456", "ΑΒ-1"];
        let emails = ["", "A@Example.org", " a@example.org ", "ΣΑΣ@example.org"];
        let births = [None, Some("1970-01-01"), Some("1980-05-05"), None];
        let mut d = clean();
        d.officials = people
            .iter()
            .enumerate()
            .map(|(i, &(f, g, n, p, e, b, status))| Official {
                family_name: families[f].into(),
                given_name: givens[g].into(),
                nationality: nations[n].into(),
                passport_number: passports[p].into(),
                email: emails[e].into(),
                birth_date: births[b].map(day),
                status: if status == 0 { OfficialStatus::Cancelled } else { OfficialStatus::Confirmed },
                // Two delegations and none, so that the same-name-and-delegation key meets
                // and misses.
                delegation_id: [None, Some("d1".to_string()), Some("d2".to_string())][(f + g + i) % 3].clone(),
                ..official(&format!("p{i:02}"), "")
            })
            .collect();
        let people: Vec<&Official> = d.officials.iter().filter(|o| active(o)).collect();
        proptest::prop_assert_eq!(
            duplicate_groups(&people),
            duplicate_groups_by_owned_keys(&people)
        );
    }
}

#[test]
fn a_confirmed_guest_from_abroad_without_a_hotel() {
    let no_stay = |d: &mut EventData| {
        let id = official_mut(d, "o2").id.clone();
        d.stays.retain(|s| s.official_id != id);
        d.travel.retain(|t| t.official_id != id);
    };
    let found: Vec<&str> = problems(no_stay).iter().map(|p| p.code).collect();
    assert!(found.contains(&"no_hotel_stay"), "{found:?}");
    // Marked as lodging elsewhere (with their embassy), nothing to say.
    let found: Vec<&str> = problems(|d| {
        no_stay(d);
        official_mut(d, "o2").lodges_elsewhere = true;
    })
    .iter()
    .map(|p| p.code)
    .collect();
    assert!(!found.contains(&"no_hotel_stay"), "{found:?}");
    // A local official needs none either.
    let found: Vec<&str> = problems(|d| {
        no_stay(d);
        official_mut(d, "o2").nationality = "KR".into();
    })
    .iter()
    .map(|p| p.code)
    .collect();
    assert!(!found.contains(&"no_hotel_stay"), "{found:?}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// The import's keys (`same_person_keys` and `same_person`) take two officials for one
    /// person exactly when the dashboard's groups do, for the warning kinds 0 to 3.
    #[test]
    fn the_import_and_the_dashboard_share_one_rule(
        a in (0usize..3, 0usize..2, 0usize..3, 0usize..3, 0usize..3, 0usize..3, 0usize..3),
        b in (0usize..3, 0usize..2, 0usize..3, 0usize..3, 0usize..3, 0usize..3, 0usize..3),
    ) {
        let families = ["Nguyen", "NGUYỄN", "Tran"];
        let givens = ["Van", "Lan"];
        let nations = ["VN", "KR", ""];
        let passports = ["", "C-123 456", "Z1"];
        let emails = ["", "A@Example.org", "b@example.org"];
        let births = [None, Some("1970-01-01"), Some("1980-05-05")];
        let delegations = [None, Some("d1"), Some("d2")];
        let make = |id: &str, (f, g, n, p, e, bd, d): (usize, usize, usize, usize, usize, usize, usize)| Official {
            family_name: families[f].into(),
            given_name: givens[g].into(),
            nationality: nations[n].into(),
            passport_number: passports[p].into(),
            email: emails[e].into(),
            birth_date: births[bd].map(day),
            delegation_id: delegations[d].map(str::to_string),
            ..official(id, "")
        };
        let (x, y) = (make("a", a), make("b", b));
        let groups = duplicate_groups(&[&x, &y]);
        let by_groups = groups.iter().any(|(kind, g)| *kind <= 3 && g.len() == 2);
        let keys_x = same_person_keys(&x);
        let by_keys = same_person_keys(&y)
            .iter()
            .any(|k| keys_x.contains(k) && same_person(k.0, &x, &y));
        proptest::prop_assert_eq!(by_groups, by_keys);
    }
}

#[test]
fn an_official_typed_twice_by_hand_is_a_likely_duplicate() {
    // The same name in the same delegation, typed without passport or nationality.
    let typed_twice = |d: &mut EventData| {
        let first = official_mut(d, "o1").clone();
        let o2 = official_mut(d, "o2");
        o2.family_name = first.family_name.to_uppercase();
        o2.given_name = first.given_name.clone();
        o2.nationality = String::new();
        o2.passport_number = String::new();
    };
    let found: Vec<Problem> = problems(typed_twice)
        .into_iter()
        .filter(|p| p.code == "likely_duplicate")
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].code, found[0].severity),
        ("likely_duplicate", Severity::Warning)
    );
    assert!(found[0].message.contains("the same name and delegation"));
    // Two passports that differ: two people of one name.
    check(
        |d| {
            typed_twice(d);
            official_mut(d, "o2").passport_number = "Z9999999".into();
        },
        &[],
    );
}

#[test]
fn a_head_of_delegation_marked_twice_disagrees() {
    // o2 is marked Head of delegation; the delegation's head is o1.
    check(
        |d| official_mut(d, "o2").category = Category::HeadOfDelegation,
        &["head_of_delegation_disagrees"],
    );
    let found = problems(|d| official_mut(d, "o2").category = Category::HeadOfDelegation);
    assert!(
        found[0]
            .message
            .contains("is marked Head of delegation, but"),
        "{}",
        found[0].message
    );
    // The head itself so marked agrees.
    check(
        |d| official_mut(d, "o1").category = Category::HeadOfDelegation,
        &[],
    );
}

#[test]
fn likely_duplicates() {
    check(
        |d| official_mut(d, "o2").email = "O1@example.org".into(),
        &["likely_duplicate"],
    );
    check(
        |d| official_mut(d, "o2").passport_number = "c-o1-0001".into(),
        &["likely_duplicate"],
    );
    check(
        |d| {
            for o in &mut d.officials {
                o.family_name = "Nguyễn".into();
                o.birth_date = Some(day("1970-01-01"));
            }
        },
        &["likely_duplicate"],
    );
    // Same name and nationality, one birth date missing: a note, not a warning.
    let found = problems(|d| {
        for o in &mut d.officials {
            o.family_name = "Nguyen".into();
        }
        official_mut(d, "o2").birth_date = Some(day("1970-01-01"));
    });
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].code, found[0].severity),
        ("likely_duplicate", Severity::Info)
    );
    assert!(
        found[0]
            .message
            .contains("no birth date to tell them apart"),
        "{}",
        found[0].message
    );
    // Both birth dates known and different: namesakes, not duplicates.
    check(
        |d| {
            for o in &mut d.officials {
                o.family_name = "Nguyen".into();
            }
            official_mut(d, "o1").birth_date = Some(day("1960-01-01"));
            official_mut(d, "o2").birth_date = Some(day("1970-01-01"));
        },
        &[],
    );
    // Another nationality: not the same person either.
    check(
        |d| {
            for o in &mut d.officials {
                o.family_name = "Nguyen".into();
            }
            official_mut(d, "o2").nationality = "LA".into();
        },
        &[],
    );
}

#[test]
fn likely_duplicates_fold_case_and_stray_spaces() {
    let found = problems(|d| {
        let o1 = official_mut(d, "o1");
        o1.birth_date = Some(day("1970-01-01"));
        let o2 = official_mut(d, "o2");
        o2.family_name = "  nguyen ".into();
        o2.given_name = "VAN ".into();
        o2.birth_date = Some(day("1970-01-01"));
    });
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].severity, Severity::Warning);
    assert!(
        found[0].message.contains("date of birth"),
        "{}",
        found[0].message
    );
    // Given names with a doubled inner space meet too.
    check(
        |d| {
            official_mut(d, "o1").given_name = "Van Minh".into();
            let o2 = official_mut(d, "o2");
            o2.family_name = "NGUYEN".into();
            o2.given_name = "van  minh".into();
        },
        &["likely_duplicate"],
    );
}

#[test]
fn likely_duplicates_leave_cancelled_records_out() {
    // The copy was cancelled: that is how the officer resolved it.
    check(
        |d| {
            let o2 = official_mut(d, "o2");
            o2.email = "o1@example.org".into();
            o2.status = OfficialStatus::Cancelled;
        },
        &[],
    );
    check(
        |d| {
            let o2 = official_mut(d, "o2");
            o2.passport_number = "Co10001".into();
            o2.status = OfficialStatus::Cancelled;
        },
        &[],
    );
}

#[test]
fn problems_come_worst_first_with_both_languages() {
    let mut d = clean();
    d.rooms[0].capacity = 1;
    d.travel[0].scheduled_at = at("2024-05-07T00:30:00Z");
    let problems = run_all(&d);
    assert_eq!(problems[0].severity, Severity::Error);
    assert_eq!(problems.last().map(|p| p.severity), Some(Severity::Warning));
    assert!(
        problems[0]
            .message
            .contains("NGUYEN Van lands at 7 May 09:30 (VN416)"),
        "{}",
        problems[0].message
    );
    assert!(
        problems[0].message_ko.contains("5월 7일 09:30"),
        "{}",
        problems[0].message_ko
    );
    assert_eq!(
        problems[0].records[0],
        Link {
            entity: "official",
            id: "o1".into()
        }
    );
}

#[test]
fn sessions_before_the_start_or_ending_at_midnight() {
    // 09:00 in Seoul the day before the event.
    check(
        |d| {
            d.sessions[1].starts_at = at("2024-05-06T00:00:00Z");
            d.sessions[1].ends_at = at("2024-05-06T01:00:00Z");
            d.participants.retain(|p| p.session_id != "s2");
        },
        &["session_outside_event"],
    );
    // A farewell dinner on the last day, 22:00 until 00:00 in Seoul: inside.
    check(
        |d| {
            d.sessions[1].starts_at = at("2024-05-09T13:00:00Z");
            d.sessions[1].ends_at = at("2024-05-09T15:00:00Z");
            d.participants.retain(|p| p.session_id != "s2");
        },
        &[],
    );
    // One minute past midnight is the next day.
    check(
        |d| {
            d.sessions[1].starts_at = at("2024-05-09T13:00:00Z");
            d.sessions[1].ends_at = at("2024-05-09T15:01:00Z");
            d.participants.retain(|p| p.session_id != "s2");
        },
        &["session_outside_event"],
    );
}

#[test]
fn session_capacity_leaves_out_cancellations_and_unknown_capacity() {
    // Two seats, two coming and one cancelled on the roster: full, not over.
    check(
        |d| {
            d.rooms[0].capacity = 2;
            let mut o3 = official("o3", "Le");
            o3.status = OfficialStatus::Cancelled;
            d.officials.push(o3);
            d.participants.push(on("s1", "o3"));
        },
        &[],
    );
    // Capacity 0 means nobody entered it, not a room with no seats.
    check(|d| d.rooms[0].capacity = 0, &[]);
}

#[test]
fn korean_sentences_use_korean_names() {
    let korean = |d: &mut EventData| {
        d.hotels[0].name = "Grand Hotel".into();
        d.hotels[0].name_ko = "그랜드 호텔".into();
        d.rooms[0].name = "Hall".into();
        d.rooms[0].name_ko = "대회의실".into();
    };
    let p = only(
        |d| {
            korean(d);
            d.sessions[1].starts_at = at("2024-05-07T00:30:00Z");
            d.participants.retain(|p| p.session_id != "s2");
        },
        "room_double_booked",
    );
    assert!(p.message.starts_with("Hall "), "{}", p.message);
    assert!(p.message_ko.starts_with("대회의실에"), "{}", p.message_ko);
    for (code, change) in [
        (
            "stay_without_block",
            Box::new(|d: &mut EventData| {
                d.stays[0].room_block_id = None;
                d.stays[0].shares_with_id = None;
                d.stays[1].shares_with_id = None;
            }) as Box<dyn Fn(&mut EventData)>,
        ),
        (
            "block_overallocated",
            Box::new(|d: &mut EventData| {
                d.stays[0].shares_with_id = None;
                d.stays[1].shares_with_id = None;
            }),
        ),
        (
            "stay_outside_block",
            Box::new(|d: &mut EventData| d.blocks[0].last_night = day("2024-05-07")),
        ),
        (
            "room_over_occupancy",
            Box::new(|d: &mut EventData| d.blocks[0].occupancy = 1),
        ),
    ] {
        let p = only(
            |d| {
                korean(d);
                change(d);
            },
            code,
        );
        assert!(p.message.contains("Grand Hotel"), "{code}: {}", p.message);
        assert!(
            p.message_ko.contains("그랜드 호텔"),
            "{code}: {}",
            p.message_ko
        );
        assert!(
            !p.message_ko.contains("Grand Hotel"),
            "{code}: {}",
            p.message_ko
        );
    }
    // Without a Korean name the English one stands in.
    let p = only(|d| d.blocks[0].occupancy = 1, "room_over_occupancy");
    assert!(p.message_ko.contains("Hotel의"), "{}", p.message_ko);
}

#[test]
fn room_occupancy_counts_people_per_night() {
    // One guest with two back-to-back stays in the twin: still two people a night.
    check(
        |d| {
            d.stays.retain(|s| s.official_id != "o1");
            d.stays
                .push(stay("o1-a", "o1", "2024-05-06", "2024-05-08", Some("o2")));
            d.stays
                .push(stay("o1-b", "o1", "2024-05-08", "2024-05-09", Some("o2")));
        },
        &[],
    );
    // Roommates who follow each other: o2 leaves on the 8th, o3 takes the bed.
    check(
        |d| {
            third(d);
            d.stays[1].check_out = day("2024-05-08");
            d.travel.retain(|t| t.id != "x2");
            d.travel.push(leg(
                "x2",
                "o2",
                Direction::Departure,
                "2024-05-08T01:00:00Z",
            ));
            d.stays.push(stay(
                "stay-o3",
                "o3",
                "2024-05-08",
                "2024-05-09",
                Some("o1"),
            ));
            d.travel.retain(|t| t.id != "a3");
            d.travel
                .push(leg("a3", "o3", Direction::Arrival, "2024-05-08T00:00:00Z"));
        },
        &[],
    );
    // Three in the twin on the night of the 7th.
    let p = only(
        |d| {
            third(d);
            d.travel.retain(|t| t.official_id != "o3");
            d.travel
                .push(leg("a3", "o3", Direction::Arrival, "2024-05-07T00:00:00Z"));
            d.travel.push(leg(
                "x3",
                "o3",
                Direction::Departure,
                "2024-05-08T01:00:00Z",
            ));
            d.stays.push(stay(
                "stay-o3",
                "o3",
                "2024-05-07",
                "2024-05-08",
                Some("o1"),
            ));
        },
        "room_over_occupancy",
    );
    assert_eq!(p.severity, Severity::Error);
    assert!(p.message.contains("night of 7 May"), "{}", p.message);
    assert!(p.message.contains("LE Van"), "{}", p.message);
}

#[test]
fn sharing_without_a_block_is_checked_against_a_double() {
    let unblock = |d: &mut EventData| {
        for s in &mut d.stays {
            s.room_block_id = None;
        }
    };
    // Two sharing with no block: only the missing block is worth saying.
    check(unblock, &["stay_without_block"]);
    let found = problems(|d| {
        third(d);
        d.stays.push(stay(
            "stay-o3",
            "o3",
            "2024-05-06",
            "2024-05-09",
            Some("o1"),
        ));
        unblock(d);
    });
    let crowded: Vec<&Problem> = found
        .iter()
        .filter(|p| p.code == "room_over_occupancy")
        .collect();
    assert_eq!(crowded.len(), 1, "{found:#?}");
    assert_eq!(crowded[0].severity, Severity::Warning);
    assert!(
        crowded[0].message.contains("no room block"),
        "{}",
        crowded[0].message
    );
    assert_eq!(crowded[0].records.len(), 3);
}

#[test]
fn hotel_nights_before_landing_or_after_leaving() {
    // Landing at 10:00 on the 6th, a stay from the 5th: the night of the 5th is unused.
    let p = only(
        |d| d.stays[0].check_in = day("2024-05-05"),
        "stay_unused_nights",
    );
    assert!(p.message.contains("of 5 May,"), "{}", p.message);
    assert!(p.message_ko.contains("5월 5일"), "{}", p.message_ko);
    // Leaving at 21:00 on the 9th, a stay to the 10th: the night of the 9th.
    let p = only(
        |d| d.stays[0].check_out = day("2024-05-10"),
        "stay_unused_nights",
    );
    assert!(p.message.contains("of 9 May,"), "{}", p.message);
    // Landing at 02:00 on the 6th (17:00 UTC on the 5th): the room is needed from the
    // night of the 5th.
    let found = problems(|d| {
        d.travel[0].scheduled_at = at("2024-05-05T17:00:00Z");
        d.stays[0].check_in = day("2024-05-05");
    });
    assert!(
        !found.iter().any(|p| p.code == "stay_unused_nights"),
        "{found:?}"
    );
}

#[test]
fn stay_gaps() {
    // Flights but no hotel at all, from abroad.
    let p = only(
        |d| {
            d.stays.retain(|s| s.official_id != "o1");
            d.stays[0].shares_with_id = None;
        },
        "stay_gap",
    );
    assert!(p.message.contains("6 May, 7 May, 8 May"), "{}", p.message);
    // A local official with flights (a domestic leg) and no hotel: they sleep at home.
    check(
        |d| {
            d.stays.retain(|s| s.official_id != "o1");
            d.stays[0].shares_with_id = None;
            official_mut(d, "o1").nationality = "KR".into();
        },
        &[],
    );
    // Landing at 00:30 on the 7th in Seoul (15:30 UTC on the 6th): the first night is
    // the 7th, so a stay from the 7th leaves no gap.
    check(
        |d| {
            d.travel[0].scheduled_at = at("2024-05-06T15:30:00Z");
            d.stays[0].check_in = day("2024-05-07");
        },
        &[],
    );
    // Landing at 23:30 on the 6th in Seoul: the night of the 6th needs a bed.
    check(
        |d| {
            d.travel[0].scheduled_at = at("2024-05-06T14:30:00Z");
            d.stays[0].check_in = day("2024-05-07");
        },
        &["stay_gap"],
    );
}

#[test]
fn organisation_staff_without_nationality_travel_in() {
    let organisation = |d: &mut EventData| {
        let del = &mut d.delegations[0];
        del.kind = DelegationKind::Organization;
        del.country_code = None;
        del.org_code = Some("ADB".into());
        del.name_en = "Asian Development Bank".into();
        for o in &mut d.officials {
            o.nationality.clear();
        }
    };
    check(organisation, &[]);
    check(
        |d| {
            organisation(d);
            d.travel.retain(|t| t.official_id != "o1");
            official_mut(d, "o1").passport_number.clear();
        },
        &["no_arrival", "no_departure", "passport_missing"],
    );
    // A recorded host nationality makes them local.
    check(
        |d| {
            organisation(d);
            d.travel.retain(|t| t.official_id != "o1");
            official_mut(d, "o1").passport_number.clear();
            official_mut(d, "o1").nationality = "KR".into();
        },
        &[],
    );
}

#[test]
fn passport_dates() {
    // The event ends on 9 May: six months later is 9 November, which is enough.
    check(
        |d| official_mut(d, "o1").passport_expiry = Some(day("2024-11-09")),
        &[],
    );
    check(
        |d| official_mut(d, "o1").passport_expiry = Some(day("2024-11-08")),
        &["passport_expiring"],
    );
    // Expiring on the last day is not "before the event ends".
    let p = only(
        |d| official_mut(d, "o1").passport_expiry = Some(day("2024-05-09")),
        "passport_expired",
    );
    assert!(p.message.contains("the event's last day"), "{}", p.message);
    assert!(!p.message.contains("before"), "{}", p.message);
    assert!(p.message_ko.contains("마지막 날"), "{}", p.message_ko);
    let p = only(
        |d| official_mut(d, "o1").passport_expiry = Some(day("2024-05-08")),
        "passport_expired",
    );
    assert!(p.message.contains("before the event ends"), "{}", p.message);
    // A number but no expiry date.
    check(
        |d| official_mut(d, "o1").passport_expiry = None,
        &["passport_expiry_missing"],
    );
    check(
        |d| {
            let o = official_mut(d, "o1");
            o.passport_expiry = None;
            o.nationality = "KR".into();
        },
        &[],
    );
}

#[test]
fn heads_who_cancelled_or_belong_elsewhere() {
    let p = only(
        |d| official_mut(d, "o1").status = OfficialStatus::Cancelled,
        "no_head_of_delegation",
    );
    assert!(
        p.message.contains("NGUYEN Van, has cancelled"),
        "{}",
        p.message
    );
    assert!(p.records.contains(&link("official", "o1")));
    let p = only(
        |d| {
            d.delegations.push(Delegation {
                id: "d2".into(),
                event_id: "e".into(),
                country_code: Some("TH".into()),
                name_en: "Thailand".into(),
                name_ko: "태국".into(),
                ..Delegation::default()
            });
            official_mut(d, "o1").delegation_id = Some("d2".into());
        },
        "no_head_of_delegation",
    );
    assert!(
        p.message
            .contains("belongs to another delegation (Thailand)"),
        "{}",
        p.message
    );
    assert!(p.message_ko.contains("태국"), "{}", p.message_ko);
    // Only a confirmed delegation needs a head.
    check(
        |d| {
            official_mut(d, "o1").status = OfficialStatus::Cancelled;
            d.delegations[0].status = InvitationStatus::Invited;
        },
        &[],
    );
}

/// The same-person rule's one test of names: a hyphen typed or not, accents, case and stray
/// spaces do not make two people of one, on the dashboard and in the import alike (both go
/// through `same_person_keys`), while a space left out does keep two names apart.
#[test]
fn the_same_person_rule_reads_a_hyphen_as_a_space() {
    for (a, b, same) in [
        ("Nguyen-Van", "Nguyen Van", true),
        ("Nguyễn  Van ", "NGUYEN VAN", true),
        ("O'Brien", "O Brien", true),
        ("Nguyen Van", "Nguyenvan", false),
        ("Nguyen Van", "Nguyen Anh", false),
    ] {
        assert_eq!(name_key(a) == name_key(b), same, "{a:?} / {b:?}");
        let mut one = official("o7", a);
        one.given_name = "An".into();
        one.passport_number = String::new();
        one.email = String::new();
        let mut two = one.clone();
        two.id = "o8".into();
        two.family_name = b.into();
        // Same delegation, no passports, no e-mails: only the name can join them.
        let shared: Vec<_> = same_person_keys(&one)
            .into_iter()
            .filter(|k| same_person_keys(&two).contains(k))
            .collect();
        assert_eq!(!shared.is_empty(), same, "{a:?} / {b:?}: {shared:?}");
        let mut data = clean();
        data.officials.push(one);
        data.officials.push(two);
        let found = run_all(&data)
            .iter()
            .any(|p| p.code == "likely_duplicate" && p.records.iter().any(|l| l.id == "o7"));
        assert_eq!(found, same, "{a:?} / {b:?} on the dashboard");
    }
}

/// A van and a pickup run carrying both arrivals (landing 10:00 in Seoul), leaving an hour
/// after they land.
fn with_a_pickup(d: &mut EventData) {
    for t in d
        .travel
        .iter_mut()
        .filter(|t| t.direction == Direction::Arrival)
    {
        t.pickup = true;
    }
    d.vehicles.push(Vehicle {
        id: "v".into(),
        name: "Van 1".into(),
        seats: 2,
        driver_name: "Park Min-jun".into(),
        ..Vehicle::default()
    });
    d.runs.push(TransferRun {
        id: "run1".into(),
        kind: RunKind::Pickup,
        leaves_at: at("2024-05-06T02:00:00Z"),
        vehicle_id: Some("v".into()),
        ..TransferRun::default()
    });
    for (o, t) in [("o1", "a1"), ("o2", "a2")] {
        d.passengers.push(RunPassenger {
            id: format!("p-{o}"),
            run_id: "run1".into(),
            official_id: o.into(),
            travel_id: Some(t.into()),
            flight: "VN416".into(),
            flight_at: Some(at("2024-05-06T01:00:00Z")),
            ..RunPassenger::default()
        });
    }
}

#[test]
fn transfers_planned_and_what_goes_wrong_with_them() {
    // Pickups needed and nothing planned: one line, not one per arrival.
    check(
        |d| {
            for t in &mut d.travel {
                t.pickup = true;
            }
        },
        &["pickups_not_planned"],
    );
    // Both on a run that fits them and leaves after the margin: nothing to say.
    check(with_a_pickup, &[]);
    // Once runs are planned, an arrival on none is named.
    check(
        |d| {
            with_a_pickup(d);
            d.passengers.retain(|p| p.official_id != "o2");
        },
        &["pickup_not_planned"],
    );
    // Two in one seat.
    check(
        |d| {
            with_a_pickup(d);
            d.vehicles[0].seats = 1;
        },
        &["run_over_seats"],
    );
    // The run leaves 20 minutes after landing, inside the 30-minute margin.
    let p = only(
        |d| {
            with_a_pickup(d);
            d.runs[0].leaves_at = at("2024-05-06T01:20:00Z");
        },
        "run_before_landing",
    );
    assert!(p.message.contains("30 minutes"), "{}", p.message);
    // The flight moved after planning: it now lands after the run leaves, and changed.
    check(
        |d| {
            with_a_pickup(d);
            d.travel[0].scheduled_at = at("2024-05-06T03:00:00Z");
        },
        &["run_before_landing", "flight_changed_after_planning"],
    );
    // The van on a second run half an hour later; the same driver in another van too.
    check(
        |d| {
            with_a_pickup(d);
            let mut second = d.runs[0].clone();
            second.id = "run2".into();
            second.leaves_at = at("2024-05-06T02:30:00Z");
            d.runs.push(second);
        },
        &["vehicle_double_booked"],
    );
    check(
        |d| {
            with_a_pickup(d);
            let mut other = d.vehicles[0].clone();
            other.id = "v2".into();
            other.name = "Van 2".into();
            d.vehicles.push(other);
            let mut second = d.runs[0].clone();
            second.id = "run2".into();
            second.vehicle_id = Some("v2".into());
            second.leaves_at = at("2024-05-06T02:15:00Z");
            d.runs.push(second);
        },
        &["driver_double_booked"],
    );
    // A cancelled passenger counts for nothing.
    check(
        |d| {
            with_a_pickup(d);
            d.vehicles[0].seats = 1;
            d.officials[1].status = OfficialStatus::Cancelled;
        },
        &[],
    );
}

/// Seats at session s1's round tables of ten: `(official, table, seat)`.
fn seated(d: &mut EventData, seats: &[(&str, i64, i64)]) {
    d.sessions[0].seating = Seating::Rounds;
    d.sessions[0].seats_per_table = 10;
    for p in d.participants.iter_mut().filter(|p| p.session_id == "s1") {
        if let Some((_, t, s)) = seats.iter().find(|(o, _, _)| *o == p.official_id) {
            p.table_no = Some(*t);
            p.seat_no = Some(*s);
        }
    }
}

#[test]
fn a_seating_plan_everyone_has_a_seat_in_says_nothing() {
    check(|d| seated(d, &[("o1", 1, 1), ("o2", 1, 2)]), &[]);
    // A layout chosen and nobody seated yet: nothing either.
    check(|d| seated(d, &[]), &[]);
}

#[test]
fn a_roster_member_without_a_seat_is_named() {
    let p = only(|d| seated(d, &[("o1", 1, 1)]), "seat_missing");
    assert_eq!(p.severity, Severity::Warning);
    assert!(
        p.message
            .contains("1 on the roster of s1 have no seat: TRAN Van"),
        "{}",
        p.message
    );
    // A head table of a set length seats a few; the others are the audience.
    check(
        |d| {
            seated(d, &[("o1", 1, 1)]);
            d.sessions[0].seating = Seating::HeadTable;
            d.sessions[0].seats_per_table = 1;
        },
        &[],
    );
}

#[test]
fn a_cancelled_guest_leaves_a_hole_and_one_seat_for_two_is_an_error() {
    let p = only(
        |d| {
            seated(d, &[("o1", 1, 1), ("o2", 1, 2)]);
            d.officials[1].status = OfficialStatus::Cancelled;
        },
        "seat_not_on_roster",
    );
    assert!(
        p.message
            .contains("TRAN Van cancelled and still holds table 1, seat 2 at s1"),
        "{}",
        p.message
    );
    let p = only(|d| seated(d, &[("o1", 1, 1), ("o2", 1, 1)]), "seat_twice");
    assert_eq!(p.severity, Severity::Error);
    assert!(
        p.message
            .contains("NGUYEN Van, TRAN Van are given the same seat"),
        "{}",
        p.message
    );
}

#[test]
fn an_interpreter_away_from_their_official_is_named() {
    let add = |d: &mut EventData| {
        let mut i = official("o3", "Pham");
        i.category = Category::Interpreter;
        d.officials.push(i);
        d.participants.push(on("s1", "o3"));
        d.delegations[0].seats = 3;
    };
    // Beside (round tables close the circle: seat 10 is beside seat 1), nothing of seating
    // (the interpreter, new here, has no flights and no hotel yet).
    check(
        |d| {
            add(d);
            seated(d, &[("o1", 1, 1), ("o2", 1, 2), ("o3", 1, 10)]);
        },
        &["no_arrival", "no_departure", "no_hotel_stay"],
    );
    let p = only(
        |d| {
            add(d);
            seated(d, &[("o1", 1, 1), ("o2", 1, 2), ("o3", 2, 5)]);
        },
        "interpreter_apart",
    );
    assert!(
        p.message.contains("PHAM Van interprets for NGUYEN Van"),
        "{}",
        p.message
    );
}
