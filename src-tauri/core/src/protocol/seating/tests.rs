//! Tests of the seating proposals: every guest seated once, the host in the middle of a head
//! table with the others alternating right and left, interpreters beside their officials, no
//! round table of one delegation when a swap could mix it, and a move that fills a hole.

use std::collections::{HashMap, HashSet};

use super::*;

fn guest(id: &str, delegation: &str, interpreter: bool) -> Guest {
    Guest {
        id: id.into(),
        delegation: (!delegation.is_empty()).then(|| delegation.to_string()),
        interpreter,
    }
}

/// Where each guest sits: id → (table, seat).
fn places(seats: &[SeatAt]) -> HashMap<&str, (i64, i64)> {
    seats
        .iter()
        .map(|s| (s.official_id.as_str(), (s.table, s.seat)))
        .collect()
}

/// Every guest at most once, no seat twice; everyone seated unless a head table is short.
fn seated_once(guests: &[Guest], seats: &[SeatAt], all: bool) {
    let mut who = HashSet::new();
    let mut at = HashSet::new();
    for s in seats {
        assert!(
            who.insert(s.official_id.as_str()),
            "{} seated twice",
            s.official_id
        );
        assert!(
            at.insert((s.table, s.seat)),
            "seat {:?} given twice",
            (s.table, s.seat)
        );
        assert!(s.table >= 1 && s.seat >= 1);
    }
    if all {
        assert_eq!(who.len(), guests.len(), "everyone seated");
    }
}

#[test]
fn the_host_sits_in_the_middle_of_the_head_table_and_the_others_alternate() {
    let guests: Vec<Guest> = (0..7)
        .map(|i| guest(&format!("g{i}"), "x", false))
        .collect();
    // The host is the fourth in precedence (the host country's own), put first.
    let seats = propose(&guests, Some(3), Seating::HeadTable, 0);
    seated_once(&guests, &seats, true);
    let at = places(&seats);
    assert_eq!(at["g3"], (1, 4), "the host in the middle of seven");
    // Then by precedence: on the host's right (the room's left), then left, outward.
    assert_eq!(at["g0"], (1, 3));
    assert_eq!(at["g1"], (1, 5));
    assert_eq!(at["g2"], (1, 2));
    assert_eq!(at["g4"], (1, 6));
    assert_eq!(at["g5"], (1, 1));
    assert_eq!(at["g6"], (1, 7));
    // A head table of five seats the first five (the host among them), in the middle.
    let short = propose(&guests, Some(3), Seating::HeadTable, 5);
    seated_once(&guests, &short, false);
    let at = places(&short);
    assert_eq!(short.len(), 5);
    assert_eq!(at["g3"], (1, 3));
    assert!(!at.contains_key("g5") && !at.contains_key("g6"));
}

#[test]
fn interpreters_sit_beside_their_officials_in_every_layout() {
    let guests = vec![
        guest("kr", "KR", false),
        guest("cn", "CN", false),
        guest("cn2", "CN", false),
        guest("la", "LA", false),
        guest("cn-i", "CN", true),
        guest("kr-i", "KR", true),
        guest("cn-i2", "CN", true),
        guest("x-i", "", true),
    ];
    for (layout, n) in [
        (Seating::HeadTable, 0),
        (Seating::Rows, 4),
        (Seating::Rounds, 4),
        (Seating::Rounds, 5),
    ] {
        let seats = propose(&guests, Some(0), layout, n);
        seated_once(&guests, &seats, true);
        let at = places(&seats);
        let per = |_: i64| {
            if n == 0 {
                guests.len() as i64
            } else {
                n as i64
            }
        };
        for (interpreter, official) in [("cn-i", "cn"), ("kr-i", "kr"), ("cn-i2", "cn2")] {
            let (a, b) = (at[interpreter], at[official]);
            assert_eq!(a.0, b.0, "{layout:?}: {interpreter} at {official}'s table");
            assert!(
                beside(layout, per(a.0), a.1, b.1),
                "{layout:?}/{n}: {interpreter} at {a:?}, {official} at {b:?}"
            );
        }
        let apart = interpreters_apart(
            layout,
            &guests,
            Some(0),
            |i| at.get(guests[i].id.as_str()).copied(),
            per,
        );
        assert!(apart.is_empty(), "{layout:?}: {apart:?}");
    }
}

#[test]
fn round_tables_mix_the_delegations() {
    // Three delegations of four, each listed together (as the precedence lists a rank's
    // people by delegation), at tables of four: no table is one country.
    let mut guests = Vec::new();
    for d in ["LA", "TH", "VN"] {
        for i in 0..4 {
            guests.push(guest(&format!("{d}{i}"), d, false));
        }
    }
    let seats = propose(&guests, Some(0), Seating::Rounds, 4);
    seated_once(&guests, &seats, true);
    let mut tables: HashMap<i64, HashSet<&str>> = HashMap::new();
    let by_id: HashMap<&str, &Guest> = guests.iter().map(|g| (g.id.as_str(), g)).collect();
    for s in &seats {
        let d = by_id[s.official_id.as_str()]
            .delegation
            .as_deref()
            .unwrap_or("");
        tables.entry(s.table).or_default().insert(d);
    }
    // The host's table seats the host and the first in precedence (in a real order, ranks
    // before delegations, the heads of several delegations); every other table is mixed.
    for (t, ds) in tables.iter().filter(|(t, _)| **t > 1) {
        assert!(ds.len() > 1, "table {t} is one delegation: {ds:?}");
    }
    assert_eq!(tables.len(), 3);
}

/// A small random event: delegations, some interpreters, a host.
fn arbitrary() -> impl proptest::strategy::Strategy<Value = (Vec<Guest>, usize, Seating, usize)> {
    use proptest::prelude::*;
    (
        proptest::collection::vec((0u8..5, proptest::bool::weighted(0.15)), 1..60),
        0usize..60,
        prop_oneof![
            Just(Seating::HeadTable),
            Just(Seating::Rows),
            Just(Seating::Rounds)
        ],
        0usize..12,
    )
        .prop_map(|(people, host, layout, seats)| {
            let guests: Vec<Guest> = people
                .iter()
                .enumerate()
                .map(|(i, (d, interpreter))| {
                    guest(&format!("p{i}"), &format!("D{d}"), *interpreter)
                })
                .collect();
            (guests, host, layout, seats)
        })
}

proptest::proptest! {
    /// Any roster, any layout: everyone seated once (a head table of a set length excepted),
    /// interpreters beside their officials wherever the room has two seats side by side, and
    /// no round table (but the host's) of one delegation that a swap of two guests could mix.
    #[test]
    fn every_proposal_seats_everyone_once_with_interpreters_beside(case in arbitrary()) {
        let (guests, host, layout, n) = case;
        let host = (host < guests.len() && !guests[host].interpreter).then_some(host);
        let seats = propose(&guests, host, layout, n);
        let all = !(layout == Seating::HeadTable && n > 0 && n < guests.len());
        seated_once(&guests, &seats, all);
        let at = places(&seats);
        let per = |_: i64| match (layout, n) {
            (Seating::HeadTable, 0) => guests.len() as i64,
            (_, 0) => DEFAULT_SEATS as i64,
            _ => n as i64,
        };
        if per(1) >= 2 {
            let apart = interpreters_apart(layout, &guests, host, |i| at.get(guests[i].id.as_str()).copied(), per);
            proptest::prop_assert!(apart.is_empty(), "{:?}", apart);
        }
        if layout == Seating::Rounds {
            // The tables as the proposal made them, as lists of single guests.
            let index: HashMap<&str, usize> = guests.iter().enumerate().map(|(i, g)| (g.id.as_str(), i)).collect();
            let mut tables: Vec<Vec<Vec<usize>>> = Vec::new();
            for s in &seats {
                let t = (s.table - 1) as usize;
                if tables.len() <= t {
                    tables.resize(t + 1, Vec::new());
                }
                tables[t].push(vec![index[s.official_id.as_str()]]);
            }
            // Interpreters move with their officials: only guests with no interpreter beside
            // them (and who interpret for no one) are candidates for a swap.
            let paired: HashSet<usize> = interpreters_apart(layout, &guests, host, |_| Some((1, 1)), |_| 1000)
                .into_iter()
                .flat_map(|(a, b)| [a, b])
                .collect();
            let singles: Vec<Vec<&Vec<usize>>> = tables
                .iter()
                .map(|t| t.iter().filter(|u| !paired.contains(&u[0])).collect())
                .collect();
            let whole: Vec<Vec<&Vec<usize>>> = tables.iter().map(|t| t.iter().collect()).collect();
            for t in 1..whole.len() {
                let Some(d) = one_delegation(&guests, &whole[t]) else { continue };
                // No single guest of another delegation at another table (not the host's) can
                // come here without leaving their own table all one delegation.
                for (u, table) in singles.iter().enumerate().skip(1).filter(|(u, _)| *u != t) {
                    for b in table.iter().filter(|b| guests[b[0]].delegation.as_deref() != Some(d)) {
                        for a in singles[t].iter() {
                            let mut theirs: Vec<&Vec<usize>> = whole[u].iter().copied().filter(|x| x[0] != b[0]).collect();
                            theirs.push(a);
                            proptest::prop_assert!(
                                one_delegation(&guests, &theirs).is_some(),
                                "table {} is all {} and could swap with table {}", t + 1, d, u + 1
                            );
                        }
                    }
                }
            }
        }
    }
}

/// A plan saved for a session, then a late cancellation: their seat shows as a hole, and one
/// move of another guest fills it (the cancelled one loses it, no one takes the mover's old
/// seat); a move onto a seated guest swaps the two; one undo takes a move back.
#[test]
fn a_late_cancellation_leaves_a_hole_one_move_fills() {
    use crate::model::{Audience, Official, OfficialStatus, Record, Session};
    let dir = tempfile::tempdir().expect("dir");
    let store = crate::store::Store::open(
        &dir.path().join("l.sqlite3"),
        &crate::store::Unlock::Plaintext,
    )
    .expect("open");
    let event = crate::generate::generate(
        &store,
        crate::generate::Spec {
            officials: 40,
            seed: 8,
            sessions: 3,
            hotels: 1,
        },
    )
    .expect("event");
    let mut session = store
        .read(|c| Session::of_event(c, &event.id))
        .expect("sessions")
        .remove(0);
    session.audience = Audience::Everyone;
    let session = store.save(session).expect("everyone");
    let proposed = store
        .read(|c| proposal(c, &session.id, Seating::Rounds, 8))
        .expect("proposal");
    store
        .write(|tx| apply(tx, &session.id, Seating::Rounds, 8, &proposed))
        .expect("apply");
    let plan_now = || store.read(|c| plan(c, &session.id)).expect("plan");
    let first = plan_now();
    assert_eq!(first.layout, Seating::Rounds);
    assert!(first.unseated.is_empty());
    assert_eq!(first.roster, proposed.len());
    let guest_at = |p: &Plan, t: i64, s: i64| {
        p.tables[(t - 1) as usize].seats[(s - 1) as usize]
            .guest
            .as_ref()
            .map(|g| g.official_id.clone())
    };
    // Table 2, seat 3 cancels.
    let gone = guest_at(&first, 2, 3).expect("seated");
    let mut o: Official = store.get(&gone).expect("official");
    o.status = OfficialStatus::Cancelled;
    store.save(o).expect("cancel");
    let hole = plan_now();
    assert_eq!(hole.tables[1].seats[2].issue, "cancelled");
    // The guest of table 3, seat 1 moves into the hole.
    let mover = guest_at(&hole, 3, 1).expect("seated");
    store
        .write(|tx| seat(tx, &session.id, &mover, Some((2, 3))))
        .expect("move");
    let filled = plan_now();
    assert_eq!(guest_at(&filled, 2, 3), Some(mover.clone()));
    assert_eq!(filled.tables[1].seats[2].issue, "");
    assert_eq!(
        guest_at(&filled, 3, 1),
        None,
        "no one takes the mover's old seat"
    );
    // Onto a seated guest: the two swap.
    let other = guest_at(&filled, 1, 2).expect("seated");
    store
        .write(|tx| seat(tx, &session.id, &mover, Some((1, 2))))
        .expect("swap");
    let swapped = plan_now();
    assert_eq!(guest_at(&swapped, 1, 2), Some(mover.clone()));
    assert_eq!(guest_at(&swapped, 2, 3), Some(other.clone()));
    // One undo takes the swap back, whole.
    store.undo_last(Some(&event.id)).expect("undo");
    let back = plan_now();
    assert_eq!(guest_at(&back, 2, 3), Some(mover));
    assert_eq!(guest_at(&back, 1, 2), Some(other));
    // Someone not on the roster cannot be seated.
    let refused = store.write(|tx| seat(tx, &session.id, &gone, Some((4, 4))));
    assert_eq!(refused.err().map(|e| e.code()), Some("validation"));
}
