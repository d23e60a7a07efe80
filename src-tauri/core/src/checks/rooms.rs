//! Checks of hotel nights: nights no stay covers, nights paid for and not slept in, rooms
//! shared by more guests than they sleep, room blocks short of rooms.

use super::*;
use crate::dates::{day_month, day_months};

/// Each night from `from` up to (not including) `to`.
pub(super) fn nights(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days().take_while(move |d| *d < to)
}

/// Nights between landing and leaving that no stay covers; stays outside any room block.
pub(super) fn stays_against_travel(ix: &Index<'_>, out: &mut Vec<Problem>) {
    for (o, person, _) in ix.active_people() {
        let stays = person.stays.as_slice();
        for s in stays {
            if s.room_block_id.is_none() {
                let (hotel, hotel_ko) = ix.hotel(&s.hotel_id);
                out.push(problem(
                    Severity::Warning,
                    "stay_without_block",
                    says("stay_without_block")
                        .with("name", name(o))
                        .with("hotel", Arg::both(hotel, hotel_ko)),
                    vec![link("official", &o.id), link("stay", &s.id)],
                ));
            }
        }
        let arrival = person.arrivals.iter().map(|t| t.scheduled_at).min();
        let departure = person.departures.iter().map(|t| t.scheduled_at).max();
        let needs_hotel = ix.is_foreign(o) && !o.lodges_elsewhere;
        // A confirmed guest from abroad with no hotel at all (with both flights on file, the
        // nights between them are named below instead).
        if stays.is_empty()
            && needs_hotel
            && o.status == OfficialStatus::Confirmed
            && (arrival.is_none() || departure.is_none())
        {
            out.push(problem(
                Severity::Warning,
                "no_hotel_stay",
                says("no_hotel_stay").with("name", name(o)),
                vec![link("official", &o.id)],
            ));
        }
        let (Some(a), Some(d)) = (arrival, departure) else {
            continue;
        };
        unused_nights(o, stays, ix.local(a), ix.local(d), out);
        if stays.is_empty() && !needs_hotel {
            continue;
        }
        let covered: Vec<NaiveDate> = stays
            .iter()
            .flat_map(|s| nights(s.check_in, s.check_out))
            .collect();
        let missing: Vec<NaiveDate> = nights(ix.local(a).date(), ix.local(d).date())
            .filter(|n| !covered.contains(n))
            .collect();
        if !missing.is_empty() {
            let records = stay_records(o, stays);
            out.push(problem(
                Severity::Warning,
                "stay_gap",
                says("stay_gap")
                    .with("name", name(o))
                    .with("nights", night_list(&missing))
                    .with("count", missing.len()),
                records,
            ));
        }
    }
}

/// Nights as the sentences name them: "6 May, 7 May" and "5월 6일, 5월 7일".
pub(super) fn night_list(nights: &[NaiveDate]) -> Arg {
    Arg::both(
        day_months(nights, Language::En),
        day_months(nights, Language::Ko),
    )
}

/// One night as the sentences name it: "6 May" and "5월 6일".
pub(super) fn night_word(night: NaiveDate) -> Arg {
    Arg::both(
        day_month(night, Language::En),
        day_month(night, Language::Ko),
    )
}

/// The official and their stays, the records a stay problem opens.
pub(super) fn stay_records(o: &Official, stays: &[&Stay]) -> Vec<Link> {
    let mut records = vec![link("official", &o.id)];
    records.extend(stays.iter().map(|s| link("stay", &s.id)));
    records
}

/// Hotel nights before the official lands or after they leave: paid for and not slept in
/// (issue 25). A landing before 06:00 needs the room from the night before, so that night
/// counts as used.
pub(super) fn unused_nights(
    o: &Official,
    stays: &[&Stay],
    arrival: NaiveDateTime,
    departure: NaiveDateTime,
    out: &mut Vec<Problem>,
) {
    let early = arrival.time() < chrono::NaiveTime::from_hms_opt(6, 0, 0).unwrap_or_default();
    let first = if early {
        arrival.date().pred_opt().unwrap_or(arrival.date())
    } else {
        arrival.date()
    };
    let last = departure.date();
    let mut unused: Vec<NaiveDate> = stays
        .iter()
        .flat_map(|s| nights(s.check_in, s.check_out))
        .filter(|n| *n < first || *n >= last)
        .collect();
    unused.sort_unstable();
    unused.dedup();
    if unused.is_empty() {
        return;
    }
    let records = stay_records(o, stays);
    out.push(problem(
        Severity::Warning,
        "stay_unused_nights",
        says("stay_unused_nights")
            .with("name", name(o))
            .with("nights", night_list(&unused))
            .with("count", unused.len()),
        records,
    ));
}

/// Groups stays that share a room: each group is one room. A stay that names a roommate
/// joins the roommate's stays that overlap it in time (an official may have two stays, say
/// before and after a site visit); when none overlaps, the officer still said they share, so
/// it joins all of them.
pub(crate) fn room_groups<'a>(stays: &[&'a Stay]) -> Vec<Vec<&'a Stay>> {
    let mut index: Map<&str, Vec<usize>> = Map::default();
    for (i, s) in stays.iter().enumerate() {
        index.entry(s.official_id.as_str()).or_default().push(i);
    }
    let mut parent: Vec<usize> = (0..stays.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (i, s) in stays.iter().enumerate() {
        let Some(mates) = s.shares_with_id.as_deref().and_then(|m| index.get(m)) else {
            continue;
        };
        let overlapping: Vec<usize> = mates
            .iter()
            .copied()
            .filter(|&j| {
                let t = stays[j];
                s.check_in < t.check_out && t.check_in < s.check_out
            })
            .collect();
        let join = if overlapping.is_empty() {
            mates.as_slice()
        } else {
            overlapping.as_slice()
        };
        for &j in join {
            let (a, b) = (find(&mut parent, i), find(&mut parent, j));
            parent[a] = b;
        }
    }
    let mut groups: BTreeMap<usize, Vec<&Stay>> = BTreeMap::new();
    for (i, s) in stays.iter().enumerate() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(s);
    }
    groups.into_values().collect()
}

/// How many distinct officials sleep in a shared room on its fullest night, that night, and
/// their stays. Counting stays instead would count one guest with two back-to-back stays
/// twice, and roommates who follow each other as if they were there together.
pub(super) fn fullest_night<'a>(group: &[&'a Stay]) -> Option<(usize, NaiveDate, Vec<&'a Stay>)> {
    let mut per_night: BTreeMap<NaiveDate, Vec<&Stay>> = BTreeMap::new();
    for s in group {
        for n in nights(s.check_in, s.check_out) {
            let present = per_night.entry(n).or_default();
            if !present.iter().any(|p| p.official_id == s.official_id) {
                present.push(s);
            }
        }
    }
    let mut best: Option<(usize, NaiveDate, Vec<&Stay>)> = None;
    for (night, present) in per_night {
        if best.as_ref().is_none_or(|(n, _, _)| present.len() > *n) {
            best = Some((present.len(), night, present));
        }
    }
    best
}

/// What a room sleeps when no room block says: most hotel rooms are doubles or twins.
pub(super) const DEFAULT_OCCUPANCY: usize = 2;

/// Rooms shared by more guests on one night than the room sleeps: the block's occupancy
/// when the room is in one (an error), two when no block tells the room type (a warning).
pub(super) fn room_over_occupancy(
    ix: &Index<'_>,
    group: &[&Stay],
    hotel_id: &str,
    block: Option<&RoomBlock>,
    out: &mut Vec<Problem>,
) {
    let occupancy = block.map_or(DEFAULT_OCCUPANCY, |b| {
        usize::try_from(b.occupancy).unwrap_or(0)
    });
    // Never more guests on a night than stays in the group: most rooms are not shared.
    if group.len() <= occupancy {
        return;
    }
    let Some((guests, night, present)) = fullest_night(group) else {
        return;
    };
    if guests <= occupancy {
        return;
    }
    let names = present
        .iter()
        .filter_map(|s| ix.official(&s.official_id).map(name))
        .collect::<Vec<_>>()
        .join(", ");
    let (hotel, hotel_ko) = ix.hotel(hotel_id);
    let text = Text::new("")
        .with("names", names)
        .with("hotel", Arg::both(hotel, hotel_ko))
        .with("night", night_word(night));
    let records = group.iter().map(|s| link("stay", &s.id)).collect();
    match block {
        Some(b) => out.push(problem(
            Severity::Error,
            "room_over_occupancy",
            Text {
                id: "check-room_over_occupancy".into(),
                ..text
            }
            .with("room_type", &b.room_type)
            .with("occupancy", b.occupancy),
            records,
        )),
        None => out.push(problem(
            Severity::Warning,
            "room_over_occupancy",
            Text {
                id: "check-room_over_occupancy-no_block".into(),
                ..text
            }
            .with("occupancy", DEFAULT_OCCUPANCY),
            records,
        )),
    }
}

/// Room blocks that need more rooms than they hold on some night, stays booked into a block
/// on nights it does not cover, and rooms shared by more guests than the room type sleeps.
pub(super) fn room_blocks(ix: &Index<'_>, out: &mut Vec<Problem>) {
    let mut by_block: Map<&str, Vec<&Stay>> = Map::default();
    let mut unblocked: BTreeMap<&str, Vec<&Stay>> = BTreeMap::new();
    for s in &ix.d.stays {
        if ix.official_is_active(&s.official_id) {
            match s.room_block_id.as_deref() {
                Some(b) => by_block.entry(b).or_default().push(s),
                None => unblocked.entry(s.hotel_id.as_str()).or_default().push(s),
            }
        }
    }
    // Stays in no block are already flagged one by one; sharing among them is still checked
    // against an ordinary room.
    for (hotel_id, stays) in &unblocked {
        for group in room_groups(stays) {
            room_over_occupancy(ix, &group, hotel_id, None, out);
        }
    }
    for block in &ix.d.blocks {
        let stays = by_block.remove(block.id.as_str()).unwrap_or_default();
        let (hotel, hotel_ko) = ix.hotel(&block.hotel_id);
        // Rooms are the groups of guests who share; a room is needed on a night when any of
        // its guests sleeps there.
        let groups = room_groups(&stays);
        let mut nights_needed: BTreeMap<NaiveDate, (i64, Vec<&Stay>)> = BTreeMap::new();
        for group in &groups {
            let mut group_nights: Vec<NaiveDate> = group
                .iter()
                .flat_map(|s| nights(s.check_in, s.check_out))
                .collect();
            group_nights.sort_unstable();
            group_nights.dedup();
            for n in group_nights {
                let entry = nights_needed.entry(n).or_default();
                entry.0 += 1;
                entry
                    .1
                    .extend(group.iter().filter(|s| s.check_in <= n && n < s.check_out));
            }
        }
        for (night, (rooms_needed, guests)) in &nights_needed {
            let inside = *night >= block.first_night && *night <= block.last_night;
            let held = if inside { block.rooms } else { 0 };
            if *rooms_needed > held {
                let code = if inside {
                    "block_overallocated"
                } else {
                    "stay_outside_block"
                };
                let text = says(code)
                    .with("hotel", Arg::both(hotel, hotel_ko))
                    .with("room_type", &block.room_type)
                    .with("night", night_word(*night))
                    .with("needed", *rooms_needed)
                    .with("held", held)
                    .with("guests", guests.len());
                let mut records = vec![link("room_block", &block.id)];
                if !inside {
                    records.extend(guests.iter().map(|s| link("stay", &s.id)));
                }
                out.push(problem(Severity::Error, code, text, records));
            }
        }
        for group in &groups {
            room_over_occupancy(ix, group, &block.hotel_id, Some(block), out);
        }
    }
}
