//! The arrivals desk: the day's arrivals (or departures) with flight, time, run and where each
//! traveller is, counts at the top, and the status moved on with one click or key. The status
//! is the flight's own column, so it travels with team sync like any edit.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, Transaction};
use serde::Serialize;

use super::people;
use crate::error::{Error, Result};
use crate::model::*;
use crate::store;
use crate::words::Text;

/// One traveller on the board.
#[derive(Debug, Clone, Serialize)]
pub struct DeskRow {
    pub travel_id: String,
    pub official_id: String,
    pub name: String,
    pub native_name: String,
    pub delegation: String,
    pub category: Category,
    pub phone: String,
    pub flight: String,
    pub origin: String,
    pub airport: String,
    pub scheduled_at: DateTime<Utc>,
    /// The event's local time, HH:MM.
    pub time: String,
    pub pickup: bool,
    pub greeter: String,
    pub status: TravelStatus,
    /// The run they ride (its local time and vehicle), if they are on one.
    pub run_id: Option<String>,
    pub run: String,
}

/// The board of one day.
#[derive(Debug, Clone, Serialize)]
pub struct Board {
    pub direction: Direction,
    pub day: Option<NaiveDate>,
    /// Every local day with flights of this direction, for the day picker.
    pub days: Vec<NaiveDate>,
    /// The statuses of this direction, in order, with how many are at each.
    pub counts: Vec<(TravelStatus, usize)>,
    pub rows: Vec<DeskRow>,
}

/// The board for `direction` on `day` (the event's local date; None: the first day with
/// flights on or after today, else the first). Cancelled officials are left off.
pub fn board(
    conn: &Connection,
    event_id: &str,
    direction: Direction,
    day: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Board> {
    let event = Event::get(conn, event_id)?;
    let people = people(conn, event_id)?;
    let legs: Vec<Travel> = Travel::of_event(conn, event_id)?
        .into_iter()
        .filter(|t| t.direction == direction)
        .filter(|t| {
            people
                .get(&t.official_id)
                .is_some_and(|p| p.status != OfficialStatus::Cancelled)
        })
        .collect();
    let mut days: Vec<NaiveDate> = legs
        .iter()
        .map(|t| event.local_date(t.scheduled_at))
        .collect();
    days.sort();
    days.dedup();
    let day = day.or_else(|| days.iter().find(|d| **d >= today).or(days.first()).copied());
    // The run each flight's traveller rides.
    let vehicles: HashMap<String, String> = Vehicle::of_event(conn, event_id)?
        .into_iter()
        .map(|v| (v.id, v.name))
        .collect();
    let runs: HashMap<String, TransferRun> = TransferRun::of_event(conn, event_id)?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let mut ride: HashMap<String, &TransferRun> = HashMap::new();
    let passengers = RunPassenger::of_event(conn, event_id)?;
    for p in &passengers {
        if let (Some(t), Some(r)) = (&p.travel_id, runs.get(&p.run_id)) {
            ride.insert(t.clone(), r);
        }
    }
    let steps = TravelStatus::steps(direction);
    let mut counts: BTreeMap<TravelStatus, usize> = steps.iter().map(|s| (*s, 0)).collect();
    let mut rows: Vec<DeskRow> = Vec::new();
    for t in legs {
        if Some(event.local_date(t.scheduled_at)) != day {
            continue;
        }
        let p = people.get(&t.official_id).cloned().unwrap_or_default();
        *counts.entry(t.status).or_default() += 1;
        let run = ride.get(&t.id);
        rows.push(DeskRow {
            time: event.local(t.scheduled_at).format("%H:%M").to_string(),
            run_id: run.map(|r| r.id.clone()),
            run: run
                .map(|r| {
                    let vehicle = r
                        .vehicle_id
                        .as_ref()
                        .and_then(|v| vehicles.get(v))
                        .cloned()
                        .unwrap_or_default();
                    format!("{} {}", event.local(r.leaves_at).format("%H:%M"), vehicle)
                        .trim()
                        .to_string()
                })
                .unwrap_or_default(),
            travel_id: t.id,
            official_id: t.official_id,
            name: p.name,
            native_name: p.native_name,
            delegation: p.delegation,
            category: p.category,
            phone: p.phone,
            flight: t.flight,
            origin: t.origin,
            airport: t.airport,
            scheduled_at: t.scheduled_at,
            pickup: t.pickup,
            greeter: t.greeter,
            status: t.status,
        });
    }
    rows.sort_by(|a, b| {
        (a.scheduled_at, &a.flight, &a.name).cmp(&(b.scheduled_at, &b.flight, &b.name))
    });
    Ok(Board {
        direction,
        day,
        days,
        counts: steps.iter().map(|s| (*s, counts[s])).collect(),
        rows,
    })
}

/// Sets where the desk has a traveller; a status of the other direction is refused.
pub fn set_status(tx: &Transaction<'_>, travel_id: &str, status: TravelStatus) -> Result<Travel> {
    let mut t = Travel::get(tx, travel_id)?;
    if !TravelStatus::steps(t.direction).contains(&status) {
        return Err(Error::field(
            "status",
            "invalid_value",
            Text::new("error-desk-status").with("status", status.as_str()),
        ));
    }
    if t.status == status {
        return Ok(t);
    }
    t.status = status;
    store::save(tx, t, None)
}
