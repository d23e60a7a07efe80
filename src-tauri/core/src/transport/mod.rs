//! On the ground: vehicles and transfer runs with who rides them ([`runs`]), runs proposed from
//! the flights ([`plan`]), the arrivals desk's board ([`desk`]) and check-in by scanning badges
//! ([`checkin`]). What the checks say of it is in `checks::transport`, the paper in
//! `print::transport`.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::*;
use crate::store;
use crate::words::Text;

pub mod checkin;
pub mod desk;
pub mod plan;

/// The library settings behind [`Settings`].
const MARGIN_KEY: &str = "transport.margin_minutes";
const TRIP_KEY: &str = "transport.trip_minutes";

/// How the team reckons time on the road, one pair for the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Minutes from landing to the pickup leaving (immigration, bags): the planner leaves this
    /// much after the last landing, and the checks flag a run that leaves sooner.
    pub margin_minutes: i64,
    /// Minutes a ride takes one way: a vehicle is busy this long before and after a run
    /// leaves (driving there, and the ride), and a drop-off or a ride to a session leaves this
    /// long before it must arrive.
    pub trip_minutes: i64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            margin_minutes: 30,
            trip_minutes: 60,
        }
    }
}

impl Settings {
    pub fn load(conn: &Connection) -> Result<Settings> {
        let default = Settings::default();
        let read = |key: &str, fallback: i64| -> Result<i64> {
            Ok(store::read_setting(conn, key)?
                .and_then(|v| v.parse().ok())
                .unwrap_or(fallback))
        };
        Ok(Settings {
            margin_minutes: read(MARGIN_KEY, default.margin_minutes)?,
            trip_minutes: read(TRIP_KEY, default.trip_minutes)?,
        })
    }

    pub fn save(&self, conn: &Connection) -> Result<()> {
        if !(0..=600).contains(&self.margin_minutes) {
            return Err(Error::field(
                "margin_minutes",
                "invalid_value",
                Text::new("error-transport-minutes").with("max", 600i64),
            ));
        }
        if !(1..=600).contains(&self.trip_minutes) {
            return Err(Error::field(
                "trip_minutes",
                "invalid_value",
                Text::new("error-transport-minutes").with("max", 600i64),
            ));
        }
        store::write_setting(conn, MARGIN_KEY, &self.margin_minutes.to_string())?;
        store::write_setting(conn, TRIP_KEY, &self.trip_minutes.to_string())
    }
}

/// Who someone on a run or at the desk is, as the team reads it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Person {
    pub official_id: String,
    /// "FAMILY Given".
    pub name: String,
    pub native_name: String,
    pub badge_name: String,
    pub delegation: String,
    pub delegation_ko: String,
    pub phone: String,
    pub category: Category,
    pub status: OfficialStatus,
}

impl Person {
    /// A head of delegation or a VIP: who rides alone when the officer asks.
    pub fn ranks(&self) -> bool {
        matches!(self.category, Category::Vip | Category::HeadOfDelegation)
    }
}

/// The event's people by id, read once.
pub fn people(conn: &Connection, event_id: &str) -> Result<HashMap<String, Person>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.family_name, o.given_name, o.native_name, o.badge_name,
                coalesce(d.name_en, o.organization), coalesce(d.name_ko, o.organization),
                o.phone, o.category, o.status
           FROM official o LEFT JOIN delegation d ON d.id = o.delegation_id
          WHERE o.event_id = ?",
    )?;
    let rows = stmt.query_map([event_id], |r| {
        Ok(Person {
            official_id: r.get(0)?,
            name: full_name(&r.get::<_, String>(1)?, &r.get::<_, String>(2)?),
            native_name: r.get(3)?,
            badge_name: r.get(4)?,
            delegation: r.get(5)?,
            delegation_ko: r.get(6)?,
            phone: r.get(7)?,
            category: r.get(8)?,
            status: r.get(9)?,
        })
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let p = row?;
        out.insert(p.official_id.clone(), p);
    }
    Ok(out)
}

/// A passenger as the lists and the paper show them.
#[derive(Debug, Clone, Serialize)]
pub struct Passenger {
    #[serde(flatten)]
    pub passenger: RunPassenger,
    pub person: Person,
}

/// A run with its vehicle and passengers.
#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    #[serde(flatten)]
    pub run: TransferRun,
    pub vehicle: Option<Vehicle>,
    pub passengers: Vec<Passenger>,
}

impl RunView {
    /// Seats the run has: its vehicle's, or none known.
    pub fn seats(&self) -> Option<i64> {
        self.vehicle.as_ref().map(|v| v.seats)
    }
}

/// The event's runs by time (of one local day, if given), each with its vehicle and its
/// passengers by name.
pub fn runs(conn: &Connection, event_id: &str, day: Option<NaiveDate>) -> Result<Vec<RunView>> {
    let event = Event::get(conn, event_id)?;
    let vehicles: HashMap<String, Vehicle> = Vehicle::of_event(conn, event_id)?
        .into_iter()
        .map(|v| (v.id.clone(), v))
        .collect();
    let people = people(conn, event_id)?;
    let mut riding: HashMap<String, Vec<Passenger>> = HashMap::new();
    for p in RunPassenger::of_event(conn, event_id)? {
        let person = people.get(&p.official_id).cloned().unwrap_or_default();
        riding.entry(p.run_id.clone()).or_default().push(Passenger {
            passenger: p,
            person,
        });
    }
    let mut out: Vec<RunView> = TransferRun::of_event(conn, event_id)?
        .into_iter()
        .filter(|r| day.is_none_or(|d| event.local_date(r.leaves_at) == d))
        .map(|run| {
            let mut passengers = riding.remove(&run.id).unwrap_or_default();
            passengers.sort_by(|a, b| {
                (a.passenger.flight_at, &a.person.name)
                    .cmp(&(b.passenger.flight_at, &b.person.name))
            });
            RunView {
                vehicle: run
                    .vehicle_id
                    .as_ref()
                    .and_then(|v| vehicles.get(v))
                    .cloned(),
                run,
                passengers,
            }
        })
        .collect();
    out.sort_by(|a, b| (a.run.leaves_at, &a.run.id).cmp(&(b.run.leaves_at, &b.run.id)));
    Ok(out)
}

/// The flight a passenger of a run of `kind` leaving at `at` rides for: their arrival for a
/// pickup, their departure for a drop-off (the one nearest the run), none for a session.
fn flight_for(
    tx: &Connection,
    official_id: &str,
    kind: RunKind,
    at: DateTime<Utc>,
) -> Result<Option<Travel>> {
    let direction = match kind {
        RunKind::Pickup => Direction::Arrival,
        RunKind::Dropoff => Direction::Departure,
        RunKind::Session => return Ok(None),
    };
    Ok(Travel::load_where(tx, "x.official_id = ?", official_id)?
        .into_iter()
        .filter(|t| t.direction == direction)
        .min_by_key(|t| (t.scheduled_at - at).num_seconds().abs()))
}

/// A passenger entry for the official on the run, with the flight it is for as it is now.
pub(crate) fn passenger(
    run: &TransferRun,
    official_id: &str,
    travel: Option<&Travel>,
) -> RunPassenger {
    RunPassenger {
        run_id: run.id.clone(),
        official_id: official_id.to_string(),
        travel_id: travel.map(|t| t.id.clone()),
        flight: travel.map(|t| t.flight.clone()).unwrap_or_default(),
        flight_at: travel.map(|t| t.scheduled_at),
        ..RunPassenger::default()
    }
}

/// Puts the official on the run (with the flight it is for); one already on it stays as is.
pub fn add_passenger(
    tx: &Transaction<'_>,
    run_id: &str,
    official_id: &str,
) -> Result<RunPassenger> {
    let run = TransferRun::get(tx, run_id)?;
    if let Some(existing) = on_run(tx, run_id, official_id)? {
        return Ok(existing);
    }
    let travel = flight_for(tx, official_id, run.kind, run.leaves_at)?;
    store::save(tx, passenger(&run, official_id, travel.as_ref()), None)
}

/// The official's entry on the run, if any.
pub fn on_run(conn: &Connection, run_id: &str, official_id: &str) -> Result<Option<RunPassenger>> {
    let sql = format!(
        "SELECT {} FROM run_passenger x WHERE x.run_id = ? AND x.official_id = ?",
        RunPassenger::select("x")
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([run_id, official_id], RunPassenger::from_row)
        .optional()?)
}

/// Moves a passenger to another run of the same event (with the flight it is for there).
pub fn move_passenger(
    tx: &Transaction<'_>,
    passenger_id: &str,
    run_id: &str,
) -> Result<RunPassenger> {
    let mut p = RunPassenger::get(tx, passenger_id)?;
    let run = TransferRun::get(tx, run_id)?;
    let from = TransferRun::get(tx, &p.run_id)?;
    if from.event_id != run.event_id {
        return Err(Error::field(
            "run_id",
            "invalid_value",
            Text::new("valid-link_elsewhere").with("what", crate::fields::named("what-link-run")),
        ));
    }
    if on_run(tx, run_id, &p.official_id)?.is_some() {
        return Err(Error::field(
            "official_id",
            "duplicate",
            Text::new("valid-passenger_duplicate"),
        ));
    }
    let travel = flight_for(tx, &p.official_id, run.kind, run.leaves_at)?;
    let fresh = passenger(&run, &p.official_id, travel.as_ref());
    p.run_id = fresh.run_id;
    p.travel_id = fresh.travel_id;
    p.flight = fresh.flight;
    p.flight_at = fresh.flight_at;
    store::save(tx, p, None)
}

/// The event's vehicles by name.
pub fn vehicles(conn: &Connection, event_id: &str) -> Result<Vec<Vehicle>> {
    let mut list = Vehicle::of_event(conn, event_id)?;
    list.sort_by_cached_key(|v| (crate::text::fold(&v.name), v.id.clone()));
    Ok(list)
}
