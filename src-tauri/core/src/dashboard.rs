//! The event's home screen in numbers: who is coming, when they land and leave, how full the
//! hotels are each night, what the caterer must know, and the problems the checks found.

use std::collections::{BTreeMap, HashSet};

use chrono::{NaiveDate, Timelike};
use serde::Serialize;

use crate::checks::{self, EventData, Problem};
use crate::model::*;

/// A label and how many records carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub key: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Seats {
    pub delegation_id: String,
    pub name_en: String,
    pub name_ko: String,
    pub used: i64,
    pub allotted: i64,
}

/// Flights landing or leaving in one hour of one local day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Movement {
    pub date: NaiveDate,
    pub hour: u32,
    pub arrivals: i64,
    pub departures: i64,
}

/// Rooms taken on one night at one hotel, against the rooms its blocks hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Night {
    pub hotel_id: String,
    pub hotel_name: String,
    /// The Korean name, or the English one when the hotel has none.
    pub hotel_name_ko: String,
    pub date: NaiveDate,
    pub used: i64,
    pub held: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub officials: i64,
    pub delegations_by_status: Vec<Count>,
    pub officials_by_status: Vec<Count>,
    pub officials_by_category: Vec<Count>,
    pub officials_by_gender: Vec<Count>,
    pub seats: Vec<Seats>,
    pub movements: Vec<Movement>,
    pub nights: Vec<Night>,
    pub diets: Vec<Count>,
    pub accessibility: Vec<Count>,
    /// Where the arrivals desk has those who land (not cancelled), by status.
    pub arrivals_by_status: Vec<Count>,
    /// Checked in at the event's door (`in`) and not yet (`out`), of those coming.
    pub checked_in: Vec<Count>,
    pub problems: Vec<Problem>,
}

fn counts<'a>(keys: impl Iterator<Item = &'a str>, order: &[&str]) -> Vec<Count> {
    let mut map: BTreeMap<&str, i64> = BTreeMap::new();
    for k in order {
        map.insert(k, 0);
    }
    for k in keys {
        *map.entry(k).or_default() += 1;
    }
    let mut out: Vec<Count> = map
        .into_iter()
        .map(|(key, count)| Count {
            key: key.to_string(),
            count,
        })
        .collect();
    // Enumerations keep their natural order; free text goes most frequent first.
    if order.is_empty() {
        out.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    } else {
        out.sort_by_key(|c| order.iter().position(|o| *o == c.key).unwrap_or(usize::MAX));
    }
    out
}

/// Free-text needs ("Halal", "halal ", "HALAL") counted as one.
fn needs<'a>(values: impl Iterator<Item = &'a str>) -> Vec<Count> {
    let mut display: BTreeMap<String, (String, i64)> = BTreeMap::new();
    for v in values.map(str::trim).filter(|v| !v.is_empty()) {
        let entry = display
            .entry(v.to_lowercase())
            .or_insert_with(|| (v.to_string(), 0));
        entry.1 += 1;
    }
    let mut out: Vec<Count> = display
        .into_values()
        .map(|(key, count)| Count { key, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    out
}

pub fn build(d: &EventData) -> Dashboard {
    let coming: Vec<&Official> = d
        .officials
        .iter()
        .filter(|o| o.status != OfficialStatus::Cancelled)
        .collect();
    let mut seats: Vec<Seats> = d
        .delegations
        .iter()
        .map(|del| Seats {
            delegation_id: del.id.clone(),
            name_en: del.name_en.clone(),
            name_ko: del.name_ko.clone(),
            used: coming
                .iter()
                .filter(|o| o.delegation_id.as_deref() == Some(del.id.as_str()))
                .count() as i64,
            allotted: del.seats,
        })
        .collect();
    seats.sort_by(|a, b| a.name_en.cmp(&b.name_en));

    // Cancelled officials neither land nor sleep here: their flights and stays stay on file
    // (the booking may still need cancelling) but count nowhere on the dashboard.
    let cancelled: HashSet<&str> = d
        .officials
        .iter()
        .filter(|o| o.status == OfficialStatus::Cancelled)
        .map(|o| o.id.as_str())
        .collect();
    let mut moves: BTreeMap<(NaiveDate, u32), (i64, i64)> = BTreeMap::new();
    for t in d
        .travel
        .iter()
        .filter(|t| !cancelled.contains(t.official_id.as_str()))
    {
        let local = d.event.local(t.scheduled_at);
        let slot = moves.entry((local.date(), local.hour())).or_default();
        match t.direction {
            Direction::Arrival => slot.0 += 1,
            Direction::Departure => slot.1 += 1,
        }
    }
    let movements = moves
        .into_iter()
        .map(|((date, hour), (arrivals, departures))| Movement {
            date,
            hour,
            arrivals,
            departures,
        })
        .collect();

    let mut held: BTreeMap<(&str, NaiveDate), i64> = BTreeMap::new();
    for b in &d.blocks {
        for n in b.first_night.iter_days().take_while(|n| *n <= b.last_night) {
            *held.entry((b.hotel_id.as_str(), n)).or_default() += b.rooms;
        }
    }
    let mut guests: BTreeMap<(&str, NaiveDate), Vec<&Stay>> = BTreeMap::new();
    for s in d
        .stays
        .iter()
        .filter(|s| !cancelled.contains(s.official_id.as_str()))
    {
        for n in s.check_in.iter_days().take_while(|n| *n < s.check_out) {
            guests.entry((s.hotel_id.as_str(), n)).or_default().push(s);
        }
    }
    let mut nights: BTreeMap<(&str, NaiveDate), (i64, i64)> = BTreeMap::new();
    for (key, rooms) in held {
        nights.entry(key).or_default().1 = rooms;
    }
    for (key, stays) in guests {
        // Guests who share a room fill one room between them.
        nights.entry(key).or_default().0 = checks::room_groups(&stays).len() as i64;
    }
    let hotel_names = |id: &str| {
        d.hotels
            .iter()
            .find(|h| h.id == id)
            .map(|h| {
                let ko = if h.name_ko.is_empty() {
                    &h.name
                } else {
                    &h.name_ko
                };
                (h.name.clone(), ko.clone())
            })
            .unwrap_or_default()
    };
    let nights = nights
        .into_iter()
        .map(|((hotel, date), (used, held))| {
            let (hotel_name, hotel_name_ko) = hotel_names(hotel);
            Night {
                hotel_id: hotel.to_string(),
                hotel_name,
                hotel_name_ko,
                date,
                used,
                held,
            }
        })
        .collect();

    Dashboard {
        officials: coming.len() as i64,
        delegations_by_status: counts(
            d.delegations.iter().map(|x| x.status.as_str()),
            &InvitationStatus::ALL
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>(),
        ),
        officials_by_status: counts(
            d.officials.iter().map(|o| o.status.as_str()),
            &OfficialStatus::ALL
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>(),
        ),
        officials_by_category: counts(
            coming.iter().map(|o| o.category.as_str()),
            &Category::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        ),
        officials_by_gender: counts(
            coming.iter().map(|o| o.gender.as_str()),
            &Gender::ALL.iter().map(|g| g.as_str()).collect::<Vec<_>>(),
        ),
        seats,
        movements,
        nights,
        diets: needs(coming.iter().map(|o| o.dietary.as_str())),
        accessibility: needs(coming.iter().map(|o| o.accessibility.as_str())),
        arrivals_by_status: counts(
            d.travel
                .iter()
                .filter(|t| t.direction == Direction::Arrival)
                .filter(|t| !cancelled.contains(t.official_id.as_str()))
                .map(|t| t.status.as_str()),
            &TravelStatus::steps(Direction::Arrival)
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>(),
        ),
        checked_in: {
            let entered: HashSet<&str> = d.entries.iter().map(|e| e.official_id.as_str()).collect();
            counts(
                coming.iter().map(|o| {
                    if entered.contains(o.id.as_str()) {
                        "in"
                    } else {
                        "out"
                    }
                }),
                &["in", "out"],
            )
        },
        problems: checks::run_all(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::tests::{at, clean, day, leg, official_mut};

    fn count(rows: &[Count], key: &str) -> i64 {
        rows.iter().find(|c| c.key == key).map_or(-1, |c| c.count)
    }

    /// The desk's statuses and the event's door, of those coming.
    #[test]
    fn the_desk_and_the_door_are_counted() {
        let mut d = clean();
        d.travel[0].status = TravelStatus::Landed;
        d.entries.push(EventEntry {
            official_id: "o1".into(),
            ..EventEntry::default()
        });
        let b = build(&d);
        assert_eq!(count(&b.arrivals_by_status, "landed"), 1);
        assert_eq!(count(&b.arrivals_by_status, "expected"), 1);
        assert_eq!(count(&b.checked_in, "in"), 1);
        assert_eq!(count(&b.checked_in, "out"), 1);
        official_mut(&mut d, "o1").status = OfficialStatus::Cancelled;
        let b = build(&d);
        assert_eq!(count(&b.arrivals_by_status, "landed"), 0);
        assert_eq!(count(&b.checked_in, "in"), 0);
    }

    #[test]
    fn counts_and_seats() {
        let mut d = clean();
        d.officials[1].category = Category::Speaker;
        d.officials[1].gender = Gender::Female;
        d.delegations[0].name_ko = "베트남".into();
        let b = build(&d);
        assert_eq!(b.officials, 2);
        // Enumerations come in their natural order, zeros included.
        let statuses: Vec<(&str, i64)> = b
            .delegations_by_status
            .iter()
            .map(|c| (c.key.as_str(), c.count))
            .collect();
        assert_eq!(
            statuses,
            [
                ("invited", 0),
                ("confirmed", 1),
                ("declined", 0),
                ("withdrawn", 0)
            ]
        );
        assert_eq!(count(&b.officials_by_status, "confirmed"), 2);
        assert_eq!(count(&b.officials_by_category, "delegate"), 1);
        assert_eq!(count(&b.officials_by_category, "speaker"), 1);
        assert_eq!(count(&b.officials_by_gender, "female"), 1);
        assert_eq!(count(&b.officials_by_gender, "unspecified"), 1);
        assert_eq!(b.seats.len(), 1);
        assert_eq!((b.seats[0].used, b.seats[0].allotted), (2, 2));
        assert_eq!(b.seats[0].name_ko, "베트남");
        assert!(b.problems.is_empty(), "{:#?}", b.problems);
    }

    #[test]
    fn flights_bucket_by_hour_in_the_event_zone() {
        let mut d = clean();
        // 23:30 UTC on the 6th is 08:30 on the 7th in Seoul.
        d.travel[1].scheduled_at = at("2024-05-06T23:30:00Z");
        let b = build(&d);
        let m: Vec<(String, u32, i64, i64)> = b
            .movements
            .iter()
            .map(|m| (m.date.to_string(), m.hour, m.arrivals, m.departures))
            .collect();
        assert_eq!(
            m,
            [
                ("2024-05-06".to_string(), 10, 1, 0),
                ("2024-05-07".to_string(), 8, 1, 0),
                ("2024-05-09".to_string(), 21, 0, 2),
            ]
        );
        // A zone the library does not know falls back to UTC rather than failing.
        d.event.time_zone = "Mars/Olympus".into();
        let b = build(&d);
        assert_eq!(b.movements[0].date, day("2024-05-06"));
        assert_eq!(b.movements[0].hour, 1);
    }

    #[test]
    fn nights_count_a_shared_room_once() {
        let mut d = clean();
        d.hotels[0].name_ko = "호텔".into();
        let b = build(&d);
        let nights: Vec<(String, i64, i64)> = b
            .nights
            .iter()
            .map(|n| (n.date.to_string(), n.used, n.held))
            .collect();
        assert_eq!(
            nights,
            [
                ("2024-05-06".to_string(), 1, 1),
                ("2024-05-07".to_string(), 1, 1),
                ("2024-05-08".to_string(), 1, 1),
            ]
        );
        assert_eq!(
            (
                b.nights[0].hotel_name.as_str(),
                b.nights[0].hotel_name_ko.as_str()
            ),
            ("Hotel", "호텔")
        );
        // Apart, they need two rooms of the one held.
        for s in &mut d.stays {
            s.shares_with_id = None;
        }
        d.hotels[0].name_ko.clear();
        let b = build(&d);
        assert!(b.nights.iter().all(|n| (n.used, n.held) == (2, 1)));
        assert_eq!(b.nights[0].hotel_name_ko, "Hotel", "English stands in");
    }

    #[test]
    fn needs_fold_case_and_spaces() {
        let mut d = clean();
        official_mut(&mut d, "o1").dietary = "Halal".into();
        official_mut(&mut d, "o2").dietary = " halal ".into();
        official_mut(&mut d, "o1").accessibility = "Wheelchair".into();
        official_mut(&mut d, "o2").accessibility = "  ".into();
        let b = build(&d);
        assert_eq!(
            b.diets,
            [Count {
                key: "Halal".into(),
                count: 2
            }]
        );
        assert_eq!(
            b.accessibility,
            [Count {
                key: "Wheelchair".into(),
                count: 1
            }]
        );
    }

    #[test]
    fn cancelled_officials_count_nowhere_but_their_status() {
        let mut d = clean();
        let o2 = official_mut(&mut d, "o2");
        o2.status = OfficialStatus::Cancelled;
        o2.dietary = "Vegan".into();
        o2.category = Category::Press;
        // Their flight stays on file until the booking is cancelled.
        d.travel
            .push(leg("a2b", "o2", Direction::Arrival, "2024-05-07T05:00:00Z"));
        let b = build(&d);
        assert_eq!(b.officials, 1);
        assert_eq!(count(&b.officials_by_status, "cancelled"), 1);
        assert_eq!(count(&b.officials_by_category, "press"), 0);
        assert_eq!(b.seats[0].used, 1);
        assert!(b.diets.is_empty(), "{:?}", b.diets);
        let arrivals: i64 = b.movements.iter().map(|m| m.arrivals).sum();
        let departures: i64 = b.movements.iter().map(|m| m.departures).sum();
        assert_eq!((arrivals, departures), (1, 1));
        assert!(b.nights.iter().all(|n| n.used == 1));
    }
}
