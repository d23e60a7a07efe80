//! Runs proposed from the flights and the agenda: airport pickups for the arrivals that need
//! one, drop-offs for departures, and rides to a session. The planner itself ([`propose`]) is
//! a pure function of the legs and the fleet; [`plan`] reads them from the library and
//! [`apply`] saves a plan the officer accepted, as one undoable batch.
//!
//! Pickups: the legs of one airport (and terminal, as the flights name it) are taken by time;
//! a run gathers the legs landing within the window of its first, and leaves the margin after
//! its last lands. A run takes the smallest free vehicle with the seats it needs; when none is
//! free it takes the largest free one and leaves the rest to the next run; with no vehicle
//! free it is proposed without one, no fuller than the largest vehicle (or 12 with none at
//! all). A head of delegation or VIP rides alone when the officer asks. Drop-offs mirror
//! that: a run leaves the hotel `lead` before the earliest of its flights. A session's ride
//! leaves a trip before the session starts.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, Transaction};
use serde::{Deserialize, Serialize};

use super::{people, Settings};
use crate::audience;
use crate::error::Result;
use crate::model::*;
use crate::store;

/// Seats a run may fill when the event has no vehicles yet.
pub const SEATS_WITHOUT_VEHICLES: i64 = 12;

/// What to plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum What {
    Pickups,
    Departures,
    Session { session_id: String },
}

/// The officer's choices for one plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Request {
    pub what: What,
    /// Legs within this many minutes of a run's first share it.
    pub window_minutes: i64,
    /// A head of delegation or VIP in a car of their own.
    pub alone: bool,
    /// Drop-offs: how long before the flight the run leaves the hotel.
    pub lead_minutes: i64,
}

impl Default for Request {
    fn default() -> Request {
        Request {
            what: What::Pickups,
            window_minutes: 45,
            alone: false,
            lead_minutes: 180,
        }
    }
}

/// Someone to carry: an official and the flight (or session) that sets the time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Leg {
    pub official_id: String,
    pub travel_id: Option<String>,
    pub flight: String,
    /// When the flight lands or leaves, or the session starts.
    pub at: DateTime<Utc>,
    /// Airport (and terminal) of the flight; empty for a session.
    pub airport: String,
    /// Rides alone when the officer asks (a head of delegation or VIP).
    pub ranks: bool,
    /// Their hotel's name, where a pickup ends and a drop-off starts.
    pub hotel: String,
}

/// From when to when a vehicle is taken.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// A vehicle as the planner sees it, with the times it is already taken.
#[derive(Debug, Clone)]
pub struct Fleet {
    vehicles: Vec<Vehicle>,
    busy: HashMap<String, Vec<Span>>,
    trip: Duration,
}

impl Fleet {
    /// The vehicles, busy around the runs already planned for them.
    pub fn new(vehicles: Vec<Vehicle>, runs: &[TransferRun], trip_minutes: i64) -> Fleet {
        let mut fleet = Fleet {
            vehicles,
            busy: HashMap::new(),
            trip: Duration::minutes(trip_minutes),
        };
        for run in runs {
            if let Some(v) = &run.vehicle_id {
                fleet.take(v, run.leaves_at);
            }
        }
        fleet
    }

    /// The time a run leaving at `at` keeps its vehicle: a trip before (driving there) and a
    /// trip after (the ride).
    fn span(&self, at: DateTime<Utc>) -> Span {
        (at - self.trip, at + self.trip)
    }

    fn free(&self, v: &Vehicle, at: DateTime<Utc>) -> bool {
        let (from, to) = self.span(at);
        let available =
            v.available_from.is_none_or(|f| f <= from) && v.available_to.is_none_or(|t| t >= to);
        available
            && self
                .busy
                .get(&v.id)
                .is_none_or(|spans| spans.iter().all(|(a, b)| to <= *a || from >= *b))
    }

    fn take(&mut self, vehicle_id: &str, at: DateTime<Utc>) {
        let span = self.span(at);
        self.busy
            .entry(vehicle_id.to_string())
            .or_default()
            .push(span);
    }

    /// The most a run may carry: the largest vehicle's seats.
    fn capacity(&self) -> usize {
        self.vehicles
            .iter()
            .map(|v| v.seats)
            .max()
            .unwrap_or(SEATS_WITHOUT_VEHICLES)
            .max(1) as usize
    }

    /// The smallest vehicle free at `at` with `n` seats, else the largest free one.
    fn pick(&self, n: usize, at: DateTime<Utc>) -> Option<&Vehicle> {
        let free = self.vehicles.iter().filter(|v| self.free(v, at));
        let (fits, short): (Vec<&Vehicle>, Vec<&Vehicle>) =
            free.partition(|v| v.seats as usize >= n);
        fits.into_iter()
            .min_by_key(|v| (v.seats, v.name.clone()))
            .or_else(|| short.into_iter().max_by_key(|v| (v.seats, v.name.clone())))
    }
}

/// A run the planner proposes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposed {
    pub kind: RunKind,
    pub leaves_at: DateTime<Utc>,
    pub airport: String,
    pub from_place: String,
    pub to_place: String,
    pub vehicle_id: Option<String>,
    pub vehicle: String,
    /// What it may carry: its vehicle's seats, or the largest vehicle's when it has none.
    pub seats: i64,
    pub session_id: Option<String>,
    pub legs: Vec<Leg>,
}

/// When a run of these legs leaves.
fn leaves(kind: RunKind, legs: &[Leg], margin: Duration, lead: Duration) -> DateTime<Utc> {
    let first = legs.iter().map(|l| l.at).min().unwrap_or_default();
    let last = legs.iter().map(|l| l.at).max().unwrap_or_default();
    match kind {
        RunKind::Pickup => last + margin,
        RunKind::Dropoff => first - lead,
        RunKind::Session => first - lead,
    }
}

/// The planner's times, in minutes.
#[derive(Debug, Clone, Copy)]
pub struct Times {
    pub window: i64,
    pub margin: i64,
    pub lead: i64,
}

/// Runs for `legs`, all of `kind`, with vehicles from `fleet` (which keeps what they take).
pub fn propose(
    kind: RunKind,
    legs: Vec<Leg>,
    fleet: &mut Fleet,
    times: Times,
    alone: bool,
) -> Vec<Proposed> {
    let margin = Duration::minutes(times.margin);
    let lead = Duration::minutes(times.lead);
    let window = Duration::minutes(times.window.max(0));
    // Per airport, by time; the ones who ride alone apart.
    let mut by_airport: BTreeMap<String, Vec<Leg>> = BTreeMap::new();
    let mut groups: Vec<Vec<Leg>> = Vec::new();
    for leg in legs {
        if alone && leg.ranks {
            groups.push(vec![leg]);
        } else {
            by_airport.entry(leg.airport.clone()).or_default().push(leg);
        }
    }
    for (_, mut legs) in by_airport {
        legs.sort_by(|a, b| (a.at, &a.official_id).cmp(&(b.at, &b.official_id)));
        let mut current: Vec<Leg> = Vec::new();
        for leg in legs {
            let starts = current.first().map(|l| l.at);
            if kind != RunKind::Session && starts.is_some_and(|s| leg.at - s > window) {
                groups.push(std::mem::take(&mut current));
            }
            current.push(leg);
        }
        if !current.is_empty() {
            groups.push(current);
        }
    }
    groups.sort_by_key(|g| g.first().map(|l| l.at));
    let mut out = Vec::new();
    for group in groups {
        let mut rest = group;
        while !rest.is_empty() {
            let mut n = rest.len().min(fleet.capacity());
            let mut at = leaves(kind, &rest[..n], margin, lead);
            let mut vehicle = None;
            if let Some(v) = fleet.pick(n, at) {
                let seats = v.seats as usize;
                if seats >= n {
                    vehicle = Some(v.clone());
                } else {
                    // A smaller vehicle takes the first of them; the rest go on the next run.
                    let at_fewer = leaves(kind, &rest[..seats], margin, lead);
                    if fleet.free(v, at_fewer) {
                        vehicle = Some(v.clone());
                        n = seats;
                        at = at_fewer;
                    }
                }
            }
            let riding: Vec<Leg> = rest.drain(..n).collect();
            if let Some(v) = &vehicle {
                fleet.take(&v.id, at);
            }
            out.push(Proposed {
                kind,
                leaves_at: at,
                airport: riding
                    .first()
                    .map(|l| l.airport.clone())
                    .unwrap_or_default(),
                from_place: String::new(),
                to_place: String::new(),
                vehicle_id: vehicle.as_ref().map(|v| v.id.clone()),
                vehicle: vehicle.as_ref().map(|v| v.name.clone()).unwrap_or_default(),
                seats: vehicle
                    .as_ref()
                    .map(|v| v.seats)
                    .unwrap_or(fleet.capacity() as i64),
                session_id: None,
                legs: riding,
            });
        }
    }
    out.sort_by(|a, b| (a.leaves_at, &a.airport).cmp(&(b.leaves_at, &b.airport)));
    out
}

/// The most common of some places, for the end of a ride that serves several.
fn most_common(places: impl Iterator<Item = String>) -> String {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for p in places.filter(|p| !p.is_empty()) {
        *count.entry(p).or_default() += 1;
    }
    let mut ranked: Vec<(String, usize)> = count.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let names: Vec<String> = ranked.into_iter().map(|(p, _)| p).collect();
    names.join(" · ")
}

/// The runs the officer's request proposes for the event, from the library: legs already on
/// a run of the same kind are left out, vehicles already taken stay taken.
pub fn plan(conn: &Connection, event_id: &str, request: &Request) -> Result<Vec<Proposed>> {
    Event::get(conn, event_id)?;
    let settings = Settings::load(conn)?;
    let people = people(conn, event_id)?;
    let runs = TransferRun::of_event(conn, event_id)?;
    let mut fleet = Fleet::new(
        Vehicle::of_event(conn, event_id)?,
        &runs,
        settings.trip_minutes,
    );
    let hotels: HashMap<String, String> = Hotel::of_event(conn, event_id)?
        .into_iter()
        .map(|h| (h.id, h.name))
        .collect();
    // The hotel each official sleeps at first (arrivals) or last (departures).
    let mut stays: HashMap<String, Vec<Stay>> = HashMap::new();
    for s in Stay::of_event(conn, event_id)? {
        stays.entry(s.official_id.clone()).or_default().push(s);
    }
    let hotel_of = |official: &str, last: bool| -> String {
        stays
            .get(official)
            .and_then(|list| {
                if last {
                    list.iter().max_by_key(|s| s.check_out)
                } else {
                    list.iter().min_by_key(|s| s.check_in)
                }
            })
            .and_then(|s| hotels.get(&s.hotel_id).cloned())
            .unwrap_or_default()
    };
    let coming = |id: &str| {
        people
            .get(id)
            .is_some_and(|p| p.status != OfficialStatus::Cancelled)
    };
    let ranks = |id: &str| people.get(id).is_some_and(|p| p.ranks());
    let kind_of = match &request.what {
        What::Pickups => RunKind::Pickup,
        What::Departures => RunKind::Dropoff,
        What::Session { .. } => RunKind::Session,
    };
    let run_kind: HashMap<&str, RunKind> = runs.iter().map(|r| (r.id.as_str(), r.kind)).collect();
    let passengers = RunPassenger::of_event(conn, event_id)?;
    let times = Times {
        window: request.window_minutes,
        margin: settings.margin_minutes,
        lead: request.lead_minutes,
    };
    let mut proposed = match &request.what {
        What::Pickups | What::Departures => {
            let direction = if kind_of == RunKind::Pickup {
                Direction::Arrival
            } else {
                Direction::Departure
            };
            let placed: HashSet<&str> = passengers
                .iter()
                .filter(|p| run_kind.get(p.run_id.as_str()) == Some(&kind_of))
                .filter_map(|p| p.travel_id.as_deref())
                .collect();
            let legs: Vec<Leg> = Travel::of_event(conn, event_id)?
                .into_iter()
                .filter(|t| t.direction == direction && t.pickup)
                .filter(|t| coming(&t.official_id) && !placed.contains(t.id.as_str()))
                .map(|t| Leg {
                    ranks: ranks(&t.official_id),
                    hotel: hotel_of(&t.official_id, direction == Direction::Departure),
                    official_id: t.official_id,
                    travel_id: Some(t.id),
                    flight: t.flight,
                    at: t.scheduled_at,
                    airport: t.airport.trim().to_uppercase(),
                })
                .collect();
            let mut out = propose(kind_of, legs, &mut fleet, times, request.alone);
            for p in &mut out {
                let hotel = most_common(p.legs.iter().map(|l| l.hotel.clone()));
                if kind_of == RunKind::Pickup {
                    p.from_place = p.airport.clone();
                    p.to_place = hotel;
                } else {
                    p.from_place = hotel;
                    p.to_place = p.airport.clone();
                }
            }
            out
        }
        What::Session { session_id } => {
            let session = Session::get(conn, session_id)?;
            let riding: HashSet<&str> = passengers
                .iter()
                .filter(|p| {
                    runs.iter()
                        .any(|r| r.id == p.run_id && r.session_id.as_deref() == Some(session_id))
                })
                .map(|p| p.official_id.as_str())
                .collect();
            let entries: HashMap<String, Membership> =
                Participant::load_where(conn, "x.session_id = ?", session_id)?
                    .into_iter()
                    .map(|p| (p.official_id, p.membership))
                    .collect();
            let legs: Vec<Leg> = Official::of_event(conn, event_id)?
                .into_iter()
                .filter(|o| audience::on_roster(&session, o, entries.get(&o.id).copied()))
                .filter(|o| !riding.contains(o.id.as_str()))
                .map(|o| Leg {
                    ranks: ranks(&o.id),
                    hotel: hotel_of(&o.id, false),
                    official_id: o.id,
                    travel_id: None,
                    flight: String::new(),
                    at: session.starts_at,
                    airport: String::new(),
                })
                .collect();
            let times = Times {
                lead: settings.trip_minutes,
                ..times
            };
            let mut out = propose(RunKind::Session, legs, &mut fleet, times, request.alone);
            let place = if session.location.is_empty() {
                session.title_en.clone()
            } else {
                session.location.clone()
            };
            for p in &mut out {
                p.from_place = most_common(p.legs.iter().map(|l| l.hotel.clone()));
                p.to_place = place.clone();
                p.session_id = Some(session.id.clone());
            }
            out
        }
    };
    proposed.retain(|p| !p.legs.is_empty());
    Ok(proposed)
}

/// Saves proposed runs with their passengers, as one batch of the change log (one undo takes
/// the plan back). Returns the runs as saved.
pub fn apply(
    tx: &Transaction<'_>,
    event_id: &str,
    proposed: &[Proposed],
) -> Result<Vec<TransferRun>> {
    let batch = uuid::Uuid::new_v4().to_string();
    let mut out = Vec::with_capacity(proposed.len());
    for p in proposed {
        let run = store::save(
            tx,
            TransferRun {
                event_id: event_id.to_string(),
                kind: p.kind,
                leaves_at: p.leaves_at,
                from_place: p.from_place.clone(),
                to_place: p.to_place.clone(),
                airport: p.airport.clone(),
                vehicle_id: p.vehicle_id.clone(),
                session_id: p.session_id.clone(),
                ..TransferRun::default()
            },
            Some(&batch),
        )?;
        for leg in &p.legs {
            store::save(
                tx,
                RunPassenger {
                    run_id: run.id.clone(),
                    official_id: leg.official_id.clone(),
                    travel_id: leg.travel_id.clone(),
                    flight: leg.flight.clone(),
                    flight_at: leg.travel_id.as_ref().map(|_| leg.at),
                    ..RunPassenger::default()
                },
                Some(&batch),
            )?;
        }
        out.push(run);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 9, 24, 0, 0, 0)
            .single()
            .expect("instant")
            + Duration::minutes(minutes)
    }

    fn leg(id: usize, minutes: i64, airport: &str, ranks: bool) -> Leg {
        Leg {
            official_id: format!("o{id}"),
            travel_id: Some(format!("t{id}")),
            flight: format!("KE{id}"),
            at: at(minutes),
            airport: airport.into(),
            ranks,
            hotel: "Orakai".into(),
        }
    }

    fn vehicle(id: &str, seats: i64) -> Vehicle {
        Vehicle {
            id: id.into(),
            name: id.into(),
            seats,
            ..Vehicle::default()
        }
    }

    const TIMES: Times = Times {
        window: 45,
        margin: 30,
        lead: 180,
    };

    #[test]
    fn arrivals_within_the_window_share_a_run_that_leaves_after_the_last_lands() {
        let mut fleet = Fleet::new(vec![vehicle("van", 8), vehicle("car", 3)], &[], 60);
        let legs = vec![
            leg(1, 600, "ICN T1", false),
            leg(2, 620, "ICN T1", false),
            leg(3, 640, "ICN T1", false),
            // Past the window of the first: a run of its own.
            leg(4, 700, "ICN T1", false),
            // Another terminal: another run, although at the same time.
            leg(5, 610, "ICN T2", false),
        ];
        let runs = propose(RunKind::Pickup, legs, &mut fleet, TIMES, false);
        let shape: Vec<(i64, &str, Vec<&str>, &str)> = runs
            .iter()
            .map(|r| {
                (
                    (r.leaves_at - at(0)).num_minutes(),
                    r.airport.as_str(),
                    r.legs.iter().map(|l| l.official_id.as_str()).collect(),
                    r.vehicle.as_str(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                // The van, as the car (first taken) is busy until 12:10.
                (640, "ICN T2", vec!["o5"], "van"),
                // The three fit the car exactly, the smallest vehicle that fits.
                (670, "ICN T1", vec!["o1", "o2", "o3"], "car"),
                // Both vehicles are still on the road: a run without one.
                (730, "ICN T1", vec!["o4"], ""),
            ]
        );
    }

    #[test]
    fn a_full_vehicle_leaves_the_rest_for_the_next_and_rank_rides_alone() {
        let mut fleet = Fleet::new(vec![vehicle("car", 3)], &[], 60);
        let legs = vec![
            leg(1, 600, "ICN", false),
            leg(2, 601, "ICN", false),
            leg(3, 602, "ICN", true),
            leg(4, 603, "ICN", false),
            leg(5, 604, "ICN", false),
        ];
        let runs = propose(RunKind::Pickup, legs, &mut fleet, TIMES, true);
        let riders: Vec<Vec<&str>> = runs
            .iter()
            .map(|r| r.legs.iter().map(|l| l.official_id.as_str()).collect())
            .collect();
        // o3 alone; the four others in threes at most; the one car once.
        assert!(riders.contains(&vec!["o3"]));
        assert!(runs.iter().all(|r| r.legs.len() <= 3));
        assert_eq!(runs.iter().filter(|r| r.vehicle == "car").count(), 1);
        assert_eq!(runs.iter().map(|r| r.legs.len()).sum::<usize>(), 5);
    }

    #[test]
    fn a_drop_off_leaves_the_lead_before_the_earliest_flight() {
        let mut fleet = Fleet::new(vec![vehicle("van", 8)], &[], 60);
        let legs = vec![leg(1, 900, "ICN", false), leg(2, 930, "ICN", false)];
        let runs = propose(RunKind::Dropoff, legs, &mut fleet, TIMES, false);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].leaves_at, at(900 - 180));
    }

    proptest! {
        /// Every leg placed once, no run over its seats, no pickup before its passengers land
        /// (with the margin), no vehicle on two runs at once.
        #[test]
        fn every_arrival_is_placed_once_within_seats_and_after_landing(
            times in proptest::collection::vec((0i64..2000, 0usize..3, any::<bool>()), 0..120),
            seats in proptest::collection::vec(1i64..15, 0..5),
            window in 0i64..120,
            alone in any::<bool>(),
        ) {
            let airports = ["ICN T1", "ICN T2", "GMP"];
            let legs: Vec<Leg> = times
                .iter()
                .enumerate()
                .map(|(i, (m, a, r))| leg(i, *m, airports[*a], *r))
                .collect();
            let vehicles: Vec<Vehicle> = seats
                .iter()
                .enumerate()
                .map(|(i, s)| vehicle(&format!("v{i}"), *s))
                .collect();
            let by_id: HashMap<String, i64> = vehicles.iter().map(|v| (v.id.clone(), v.seats)).collect();
            let mut fleet = Fleet::new(vehicles, &[], 60);
            let times_ = Times { window, ..TIMES };
            let runs = propose(RunKind::Pickup, legs.clone(), &mut fleet, times_, alone);
            let mut placed: Vec<&str> = runs.iter().flat_map(|r| r.legs.iter().map(|l| l.official_id.as_str())).collect();
            placed.sort();
            let mut all: Vec<&str> = legs.iter().map(|l| l.official_id.as_str()).collect();
            all.sort();
            prop_assert_eq!(placed, all);
            for r in &runs {
                prop_assert!(!r.legs.is_empty());
                let limit = match &r.vehicle_id {
                    Some(v) => by_id[v],
                    None => r.seats,
                };
                prop_assert!(r.legs.len() as i64 <= limit);
                for l in &r.legs {
                    prop_assert!(r.leaves_at >= l.at + Duration::minutes(TIMES.margin));
                    prop_assert_eq!(&l.airport, &r.airport);
                }
                if alone && r.legs.iter().any(|l| l.ranks) {
                    prop_assert_eq!(r.legs.len(), 1);
                }
            }
            // No vehicle twice within a trip (60 minutes) of itself.
            let mut by_vehicle: HashMap<&str, Vec<DateTime<Utc>>> = HashMap::new();
            for r in &runs {
                if let Some(v) = &r.vehicle_id {
                    by_vehicle.entry(v).or_default().push(r.leaves_at);
                }
            }
            for (_, mut times) in by_vehicle {
                times.sort();
                for pair in times.windows(2) {
                    prop_assert!(pair[1] - pair[0] >= Duration::minutes(120));
                }
            }
        }
    }
}
