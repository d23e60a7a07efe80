//! Checks of the agenda: people and rooms booked twice, rosters larger than their room,
//! sessions outside the event's dates, flights that miss the sessions one is on.

use super::*;

/// An official on two sessions at the same time.
pub(super) fn official_double_booked(ix: &Index<'_>, out: &mut Vec<Problem>) {
    for (o, _, list) in ix.active_people() {
        let mut latest: Option<&Session> = None;
        for s in list {
            if let Some(prev) = latest {
                if s.starts_at < prev.ends_at {
                    out.push(problem(
                        Severity::Error,
                        "official_double_booked",
                        says("official_double_booked")
                            .with("name", name(o))
                            .with("first", titled(prev))
                            .with("first_at", ix.at(prev.starts_at))
                            .with("second", titled(s))
                            .with("second_at", ix.at(s.starts_at)),
                        vec![
                            link("official", &o.id),
                            link("session", &prev.id),
                            link("session", &s.id),
                        ],
                    ));
                }
            }
            if latest.is_none_or(|p| s.ends_at > p.ends_at) {
                latest = Some(s);
            }
        }
    }
}

/// Sessions whose roster outnumbers the seats of their room.
pub(super) fn session_over_capacity(ix: &Index<'_>, out: &mut Vec<Problem>) {
    for (si, s) in ix.d.sessions.iter().enumerate() {
        let n = ix.rosters.count(si) as i64;
        let Some(room) = s.venue_room_id.as_deref().and_then(|r| ix.rooms.get(r)) else {
            continue;
        };
        if room.capacity > 0 && n > room.capacity {
            out.push(problem(
                Severity::Warning,
                "session_over_capacity",
                says("session_over_capacity")
                    .with("session", titled(s))
                    .with("count", n)
                    .with("room", Arg::name(&room.name, &room.name_ko))
                    .with("capacity", room.capacity),
                vec![link("session", &s.id), link("venue_room", &room.id)],
            ));
        }
    }
}

/// Two sessions in one room at the same time.
pub(super) fn room_double_booked(ix: &Index<'_>, out: &mut Vec<Problem>) {
    let mut by_room: Map<&str, Vec<&Session>> = Map::default();
    for s in &ix.d.sessions {
        if let Some(r) = s.venue_room_id.as_deref() {
            by_room.entry(r).or_default().push(s);
        }
    }
    let mut rooms: Vec<_> = by_room.into_iter().collect();
    rooms.sort_by_key(|(r, _)| *r);
    for (room_id, mut list) in rooms {
        list.sort_by_key(|s| (s.starts_at, s.ends_at));
        let (room, room_ko) = ix
            .rooms
            .get(room_id)
            .map(|r| (r.name.as_str(), or_other(&r.name_ko, &r.name)))
            .unwrap_or_default();
        let mut latest: Option<&Session> = None;
        for s in list {
            if let Some(prev) = latest {
                if s.starts_at < prev.ends_at {
                    out.push(problem(
                        Severity::Error,
                        "room_double_booked",
                        says("room_double_booked")
                            .with("room", Arg::both(room, room_ko))
                            .with("first", titled(prev))
                            .with("second", titled(s))
                            .with("at", ix.at(s.starts_at)),
                        vec![
                            link("session", &prev.id),
                            link("session", &s.id),
                            link("venue_room", room_id),
                        ],
                    ));
                }
            }
            if latest.is_none_or(|p| s.ends_at > p.ends_at) {
                latest = Some(s);
            }
        }
    }
}

/// Sessions that fall outside the event's dates (after the dates were changed).
pub(super) fn session_outside_event(ix: &Index<'_>, out: &mut Vec<Problem>) {
    let e = &ix.d.event;
    for s in &ix.d.sessions {
        let start = ix.local(s.starts_at).date();
        let end_local = ix.local(s.ends_at);
        // A session that ends at 00:00 ends with the previous day: a dinner until midnight on
        // the last day is inside the event.
        let end = if end_local.time() == chrono::NaiveTime::MIN && s.ends_at > s.starts_at {
            end_local.date().pred_opt().unwrap_or(end_local.date())
        } else {
            end_local.date()
        };
        if start < e.start_date || end > e.end_date {
            out.push(problem(
                Severity::Error,
                "session_outside_event",
                says("session_outside_event")
                    .with("session", titled(s))
                    .with("at", ix.at(s.starts_at))
                    .with("start", e.start_date.to_string())
                    .with("end", e.end_date.to_string()),
                vec![link("session", &s.id)],
            ));
        }
    }
}

/// Landing after the first session one is on; leaving before the last one ends; no flights
/// at all for someone confirmed who travels in.
pub(super) fn travel_against_agenda(ix: &Index<'_>, out: &mut Vec<Problem>) {
    for (o, person, agenda) in ix.active_people() {
        let arrival = person.arrivals.iter().min_by_key(|t| t.scheduled_at);
        let departure = person.departures.iter().max_by_key(|t| t.scheduled_at);
        if let (Some(a), Some(first)) = (arrival, agenda.first()) {
            if a.scheduled_at > first.starts_at {
                out.push(problem(
                    Severity::Error,
                    "arrival_after_first_session",
                    says("arrival_after_first_session")
                        .with("name", name(o))
                        .with("at", ix.at(a.scheduled_at))
                        .with("flight", &a.flight)
                        .with("session", titled(first))
                        .with("starts", ix.at(first.starts_at)),
                    vec![
                        link("official", &o.id),
                        link("travel", &a.id),
                        link("session", &first.id),
                    ],
                ));
            }
        }
        if let Some(d) = departure {
            let last = agenda.iter().max_by_key(|s| s.ends_at);
            if let Some(last) = last.filter(|s| d.scheduled_at < s.ends_at) {
                out.push(problem(
                    Severity::Error,
                    "departure_before_last_session",
                    says("departure_before_last_session")
                        .with("name", name(o))
                        .with("at", ix.at(d.scheduled_at))
                        .with("flight", &d.flight)
                        .with("session", titled(last))
                        .with("ends", ix.at(last.ends_at)),
                    vec![
                        link("official", &o.id),
                        link("travel", &d.id),
                        link("session", &last.id),
                    ],
                ));
            }
        }
        if o.status == OfficialStatus::Confirmed && ix.is_foreign(o) {
            for (missing, code) in [
                (arrival.is_none(), "no_arrival"),
                (departure.is_none(), "no_departure"),
            ] {
                if missing {
                    out.push(problem(
                        Severity::Warning,
                        code,
                        says(code).with("name", name(o)),
                        vec![link("official", &o.id)],
                    ));
                }
            }
        }
    }
}
