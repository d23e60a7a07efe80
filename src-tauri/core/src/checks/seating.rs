//! Checks of the seating plans: roster members without a seat, seats held by someone no longer
//! on the roster (cancelled late, taken off: a hole to fill), two people given one seat (two
//! laptops' moves merged), and interpreters away from the official they serve.

use super::*;
use crate::protocol::seating::{guests_of, host_of, interpreters_apart, members_of, table_seats};

/// "table 3, seat 4" (a head table has no table number).
fn place(layout: Seating, table: i64, seat: i64) -> Arg {
    match layout {
        Seating::HeadTable => Arg::both(format!("seat {seat}"), format!("{seat}번 좌석")),
        Seating::Rows => Arg::both(
            format!("row {table}, seat {seat}"),
            format!("{table}열 {seat}번 좌석"),
        ),
        _ => Arg::both(
            format!("table {table}, seat {seat}"),
            format!("{table}번 테이블 {seat}번 좌석"),
        ),
    }
}

pub(super) fn seating(ix: &Index<'_>, out: &mut Vec<Problem>) {
    let d = ix.d;
    let planned: Vec<&Session> = d
        .sessions
        .iter()
        .filter(|s| s.seating != Seating::None)
        .collect();
    if planned.is_empty() {
        return;
    }
    let ordered = crate::protocol::order(
        &d.event,
        &d.delegations,
        &d.ranks,
        d.officials.iter().filter(|o| active(o)),
    );
    let mut entries: Map<&str, Vec<&Participant>> = Map::default();
    for p in &d.participants {
        entries.entry(p.session_id.as_str()).or_default().push(p);
    }
    for session in planned {
        let list = entries
            .get(session.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let seats: Map<&str, (i64, i64)> = list
            .iter()
            .filter_map(|p| Some((p.official_id.as_str(), (p.table_no?, p.seat_no?))))
            .collect();
        if seats.is_empty() {
            // A layout chosen and nobody seated yet: nothing to say until a plan is made.
            continue;
        }
        let members = members_of(session, ordered.iter().copied(), list.iter().copied());
        let on: rustc_hash::FxHashSet<&str> = members.iter().map(|o| o.id.as_str()).collect();

        let unseated: Vec<&&Official> = members
            .iter()
            .filter(|o| !seats.contains_key(o.id.as_str()))
            .collect();
        // A head table of a set length seats the first few; the others are the audience.
        let audience = session.seating == Seating::HeadTable && session.seats_per_table > 0;
        if !unseated.is_empty() && !audience {
            let names: Vec<String> = unseated.iter().take(3).map(|o| name(o)).collect();
            let more = unseated.len().saturating_sub(3) as i64;
            let mut records = vec![link("session", &session.id)];
            records.extend(unseated.iter().map(|o| link("official", &o.id)));
            out.push(problem(
                Severity::Warning,
                "seat_missing",
                says("seat_missing")
                    .with("session", titled(session))
                    .with("count", unseated.len() as i64)
                    .with("names", names.join(", "))
                    .with("more", more),
                records,
            ));
        }

        // Seats held by someone no longer on the roster, and seats given twice.
        let mut held: BTreeMap<(i64, i64), Vec<&str>> = BTreeMap::new();
        for (official, at) in &seats {
            held.entry(*at).or_default().push(official);
        }
        for ((table, seat), who) in &held {
            for official in who {
                if on.contains(official) {
                    continue;
                }
                let Some(o) = ix.position.get(official).map(|&i| &d.officials[i]) else {
                    continue;
                };
                out.push(problem(
                    Severity::Warning,
                    "seat_not_on_roster",
                    says(if active(o) {
                        "seat_not_on_roster"
                    } else {
                        "seat_not_on_roster-cancelled"
                    })
                    .with("name", name(o))
                    .with("session", titled(session))
                    .with("seat", place(session.seating, *table, *seat)),
                    vec![link("session", &session.id), link("official", &o.id)],
                ));
            }
            let present: Vec<&Official> = who
                .iter()
                .filter(|o| on.contains(*o))
                .filter_map(|o| ix.position.get(o).map(|&i| &d.officials[i]))
                .collect();
            if present.len() > 1 {
                let mut names: Vec<String> = present.iter().map(|o| name(o)).collect();
                names.sort();
                let mut records = vec![link("session", &session.id)];
                records.extend(present.iter().map(|o| link("official", &o.id)));
                out.push(problem(
                    Severity::Error,
                    "seat_twice",
                    says("seat_twice")
                        .with("names", names.join(", "))
                        .with("session", titled(session))
                        .with("seat", place(session.seating, *table, *seat)),
                    records,
                ));
            }
        }

        let guests = guests_of(&members);
        let host = host_of(&d.event, &d.delegations, &members);
        let per_table = |table: i64| -> i64 {
            let used = seats
                .values()
                .filter(|(t, _)| *t == table)
                .map(|(_, s)| *s)
                .max()
                .unwrap_or(0);
            table_seats(
                session.seating,
                session.seats_per_table,
                members.len(),
                used,
            )
        };
        let apart = interpreters_apart(
            session.seating,
            &guests,
            host,
            |i| seats.get(members[i].id.as_str()).copied(),
            per_table,
        );
        for (i, p) in apart {
            let (interpreter, official) = (members[i], members[p]);
            out.push(problem(
                Severity::Warning,
                "interpreter_apart",
                says("interpreter_apart")
                    .with("name", name(interpreter))
                    .with("official", name(official))
                    .with("session", titled(session)),
                vec![
                    link("session", &session.id),
                    link("official", &interpreter.id),
                    link("official", &official.id),
                ],
            ));
        }
    }
}
