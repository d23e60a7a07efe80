//! The event's home screen in numbers: who is coming, when they land and leave, how full the
//! hotels are each night, what the caterer must know, and the problems the checks found.

use std::collections::BTreeMap;

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

    let tz: Option<chrono_tz::Tz> = d.event.time_zone.parse().ok();
    let mut moves: BTreeMap<(NaiveDate, u32), (i64, i64)> = BTreeMap::new();
    for t in &d.travel {
        let local = match tz {
            Some(tz) => t.scheduled_at.with_timezone(&tz).naive_local(),
            None => t.scheduled_at.naive_utc(),
        };
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

    let cancelled: std::collections::HashSet<&str> = d
        .officials
        .iter()
        .filter(|o| o.status == OfficialStatus::Cancelled)
        .map(|o| o.id.as_str())
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
    let hotel_name = |id: &str| {
        d.hotels
            .iter()
            .find(|h| h.id == id)
            .map(|h| h.name.clone())
            .unwrap_or_default()
    };
    let nights = nights
        .into_iter()
        .map(|((hotel, date), (used, held))| Night {
            hotel_id: hotel.to_string(),
            hotel_name: hotel_name(hotel),
            date,
            used,
            held,
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
        problems: checks::run_all(d),
    }
}
