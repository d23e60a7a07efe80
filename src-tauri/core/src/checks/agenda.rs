//! Checks of the agenda: people and rooms booked twice, rosters larger than their room,
//! sessions outside the event's dates, flights that miss the sessions one is on.

use super::*;

/// An official on two sessions at the same time.
pub(super) fn official_double_booked(ix: &Index<'_>, out: &mut Vec<Problem>) {
    for (o, person) in ix.active_people() {
        let list = &person.agenda;
        let mut latest: Option<&Session> = None;
        for s in list {
            if let Some(prev) = latest {
                if s.starts_at < prev.ends_at {
                    out.push(problem(
                        Severity::Error,
                        "official_double_booked",
                        format!(
                            "{} is on two sessions at once: \u{201c}{}\u{201d} ({}) and \u{201c}{}\u{201d} ({}).",
                            name(o), title(prev), ix.when(prev.starts_at), title(s), ix.when(s.starts_at)
                        ),
                        format!(
                            "{}님이 같은 시간의 두 세션에 배정되어 있습니다: \u{201c}{}\u{201d}({}), \u{201c}{}\u{201d}({}).",
                            name(o), title_ko(prev), ix.when_ko(prev.starts_at), title_ko(s), ix.when_ko(s.starts_at)
                        ),
                        vec![link("official", &o.id), link("session", &prev.id), link("session", &s.id)],
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
    for (s, &n) in ix.d.sessions.iter().zip(&ix.roster_counts) {
        let Some(room) = s.venue_room_id.as_deref().and_then(|r| ix.rooms.get(r)) else {
            continue;
        };
        if room.capacity > 0 && n > room.capacity {
            out.push(problem(
                Severity::Warning,
                "session_over_capacity",
                format!(
                    "\u{201c}{}\u{201d} has {n} people on its roster, but {} seats {}.",
                    title(s),
                    room.name,
                    room.capacity
                ),
                format!(
                    "\u{201c}{}\u{201d} 참석 예정자는 {n}명인데 {}의 수용 인원은 {}명입니다.",
                    title_ko(s),
                    if room.name_ko.is_empty() {
                        &room.name
                    } else {
                        &room.name_ko
                    },
                    room.capacity
                ),
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
                        format!(
                            "{room} holds two sessions at once: \u{201c}{}\u{201d} and \u{201c}{}\u{201d} ({}).",
                            title(prev), title(s), ix.when(s.starts_at)
                        ),
                        format!(
                            "{room_ko}에 두 세션이 겹칩니다: \u{201c}{}\u{201d}, \u{201c}{}\u{201d}({}).",
                            title_ko(prev), title_ko(s), ix.when_ko(s.starts_at)
                        ),
                        vec![link("session", &prev.id), link("session", &s.id), link("venue_room", room_id)],
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
                format!(
                    "\u{201c}{}\u{201d} ({}) is outside the event's dates, {} to {}.",
                    title(s),
                    ix.when(s.starts_at),
                    e.start_date,
                    e.end_date
                ),
                format!(
                    "\u{201c}{}\u{201d}({}) 일정이 행사 기간({} ~ {})을 벗어납니다.",
                    title_ko(s),
                    ix.when_ko(s.starts_at),
                    e.start_date,
                    e.end_date
                ),
                vec![link("session", &s.id)],
            ));
        }
    }
}

/// Landing after the first session one is on; leaving before the last one ends; no flights
/// at all for someone confirmed who travels in.
pub(super) fn travel_against_agenda(ix: &Index<'_>, out: &mut Vec<Problem>) {
    for (o, person) in ix.active_people() {
        let arrival = person.arrivals.iter().min_by_key(|t| t.scheduled_at);
        let departure = person.departures.iter().max_by_key(|t| t.scheduled_at);
        let agenda = &person.agenda;
        if let (Some(a), Some(first)) = (arrival, agenda.first()) {
            if a.scheduled_at > first.starts_at {
                out.push(problem(
                    Severity::Error,
                    "arrival_after_first_session",
                    format!(
                        "{} lands at {} ({}), after \u{201c}{}\u{201d} starts at {}.",
                        name(o),
                        ix.when(a.scheduled_at),
                        a.flight,
                        title(first),
                        ix.when(first.starts_at)
                    ),
                    format!(
                        "{}님은 {}에 도착({})하는데 \u{201c}{}\u{201d}은(는) {}에 시작합니다.",
                        name(o),
                        ix.when_ko(a.scheduled_at),
                        a.flight,
                        title_ko(first),
                        ix.when_ko(first.starts_at)
                    ),
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
                    format!(
                        "{} leaves at {} ({}), before \u{201c}{}\u{201d} ends at {}.",
                        name(o),
                        ix.when(d.scheduled_at),
                        d.flight,
                        title(last),
                        ix.when(last.ends_at)
                    ),
                    format!(
                        "{}님은 {}에 출국({})하는데 \u{201c}{}\u{201d}은(는) {}에 끝납니다.",
                        name(o),
                        ix.when_ko(d.scheduled_at),
                        d.flight,
                        title_ko(last),
                        ix.when_ko(last.ends_at)
                    ),
                    vec![
                        link("official", &o.id),
                        link("travel", &d.id),
                        link("session", &last.id),
                    ],
                ));
            }
        }
        if o.status == OfficialStatus::Confirmed && ix.is_foreign(o) {
            for (missing, code, en, ko) in [
                (arrival.is_none(), "no_arrival", "arrival", "입국"),
                (departure.is_none(), "no_departure", "departure", "출국"),
            ] {
                if missing {
                    out.push(problem(
                        Severity::Warning,
                        code,
                        format!("{} is confirmed but has no {en} flight.", name(o)),
                        format!(
                            "{}님은 참석이 확정되었지만 {ko} 항공편 정보가 없습니다.",
                            name(o)
                        ),
                        vec![link("official", &o.id)],
                    ));
                }
            }
        }
    }
}
