//! Checks of the transfers: arrivals that need a pickup and are on no run, runs over their
//! seats, a vehicle or driver on two runs at once, a pickup that leaves before its passengers
//! land (and clear the airport: the team's margin), and flights changed after their run was
//! planned.

use super::*;
use chrono::Duration;

/// The run as a sentence names it: "24 Sep 08:10, Van 1".
fn run_words(ix: &Index<'_>, run: &TransferRun, vehicles: &Map<&str, &Vehicle>) -> Arg {
    let vehicle = run
        .vehicle_id
        .as_deref()
        .and_then(|v| vehicles.get(v))
        .map(|v| v.name.as_str())
        .unwrap_or("");
    let with = |when: String| {
        if vehicle.is_empty() {
            when
        } else {
            format!("{when}, {vehicle}")
        }
    };
    Arg::both(
        with(ix.when(run.leaves_at)),
        with(ix.when_ko(run.leaves_at)),
    )
}

pub(super) fn transport(ix: &Index<'_>, out: &mut Vec<Problem>) {
    let d = ix.d;
    let vehicles: Map<&str, &Vehicle> = d.vehicles.iter().map(|v| (v.id.as_str(), v)).collect();
    let runs: Map<&str, &TransferRun> = d.runs.iter().map(|r| (r.id.as_str(), r)).collect();
    let travel: Map<&str, &Travel> = d.travel.iter().map(|t| (t.id.as_str(), t)).collect();
    let official = |id: &str| ix.position.get(id).map(|&i| &d.officials[i]);
    let margin = Duration::minutes(d.transport.margin_minutes);
    let trip = Duration::minutes(d.transport.trip_minutes);

    // Who rides each run (not cancelled), and which flights a pickup carries.
    let mut riding: Map<&str, Vec<&RunPassenger>> = Map::default();
    let mut picked_up: rustc_hash::FxHashSet<&str> = Default::default();
    for p in &d.passengers {
        let Some(run) = runs.get(p.run_id.as_str()) else {
            continue;
        };
        if !official(&p.official_id).is_some_and(active) {
            continue;
        }
        riding.entry(run.id.as_str()).or_default().push(p);
        if run.kind == RunKind::Pickup {
            if let Some(t) = &p.travel_id {
                picked_up.insert(t.as_str());
            }
        }
    }

    // Arrivals that need a pickup and are on no run: one line while nothing is planned yet,
    // then each one by name.
    let waiting: Vec<&Travel> = d
        .travel
        .iter()
        .filter(|t| t.direction == Direction::Arrival && t.pickup)
        .filter(|t| official(&t.official_id).is_some_and(active))
        .filter(|t| !picked_up.contains(t.id.as_str()))
        .collect();
    let planned = d.runs.iter().any(|r| r.kind == RunKind::Pickup);
    if !planned && !waiting.is_empty() {
        out.push(problem(
            Severity::Info,
            "pickups_not_planned",
            says("pickups_not_planned").with("count", waiting.len() as i64),
            Vec::new(),
        ));
    } else {
        for t in &waiting {
            let Some(o) = official(&t.official_id) else {
                continue;
            };
            out.push(problem(
                Severity::Warning,
                "pickup_not_planned",
                says("pickup_not_planned")
                    .with("name", name(o))
                    .with("flight", t.flight.as_str())
                    .with("at", ix.at(t.scheduled_at)),
                vec![link("official", &o.id), link("travel", &t.id)],
            ));
        }
    }

    for run in &d.runs {
        let passengers = riding
            .get(run.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if let Some(v) = run.vehicle_id.as_deref().and_then(|v| vehicles.get(v)) {
            if passengers.len() as i64 > v.seats {
                out.push(problem(
                    Severity::Error,
                    "run_over_seats",
                    says("run_over_seats")
                        .with("run", run_words(ix, run, &vehicles))
                        .with("count", passengers.len() as i64)
                        .with("seats", v.seats),
                    vec![link("transfer_run", &run.id), link("vehicle", &v.id)],
                ));
            }
        }
        for p in passengers {
            let Some(o) = official(&p.official_id) else {
                continue;
            };
            let now = p.travel_id.as_deref().and_then(|t| travel.get(t));
            if run.kind == RunKind::Pickup {
                if let Some(t) = now {
                    if run.leaves_at < t.scheduled_at + margin {
                        out.push(problem(
                            Severity::Error,
                            "run_before_landing",
                            says("run_before_landing")
                                .with("name", name(o))
                                .with("flight", t.flight.as_str())
                                .with("lands", ix.at(t.scheduled_at))
                                .with("run", run_words(ix, run, &vehicles))
                                .with("margin", d.transport.margin_minutes),
                            vec![link("transfer_run", &run.id), link("travel", &t.id)],
                        ));
                    }
                }
            }
            let changed = match now {
                Some(t) => t.flight != p.flight || Some(t.scheduled_at) != p.flight_at,
                // The flight they were planned for is gone.
                None => !p.flight.is_empty(),
            };
            if changed {
                out.push(problem(
                    Severity::Warning,
                    "flight_changed_after_planning",
                    says("flight_changed_after_planning")
                        .with("name", name(o))
                        .with("flight", p.flight.as_str())
                        .with("run", run_words(ix, run, &vehicles)),
                    vec![link("transfer_run", &run.id), link("official", &o.id)],
                ));
            }
        }
    }

    // A vehicle, or a driver, on two runs whose rides overlap.
    let mut by_vehicle: Map<&str, Vec<&TransferRun>> = Map::default();
    let mut by_driver: Map<String, Vec<&TransferRun>> = Map::default();
    for run in &d.runs {
        let Some(v) = run.vehicle_id.as_deref().and_then(|v| vehicles.get(v)) else {
            continue;
        };
        by_vehicle.entry(v.id.as_str()).or_default().push(run);
        let driver = fold(&v.driver_name);
        if !driver.is_empty() {
            by_driver.entry(driver).or_default().push(run);
        }
    }
    let overlaps = |code: &'static str,
                    who: Arg,
                    runs: &mut Vec<&TransferRun>,
                    out: &mut Vec<Problem>,
                    same_vehicle: bool| {
        runs.sort_by_key(|r| (r.leaves_at, r.id.as_str()));
        for pair in runs.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if same_vehicle == (a.vehicle_id == b.vehicle_id) && b.leaves_at < a.leaves_at + trip {
                out.push(problem(
                    Severity::Error,
                    code,
                    says(code)
                        .with("who", who.clone())
                        .with("first", run_words(ix, a, &vehicles))
                        .with("second", run_words(ix, b, &vehicles)),
                    vec![link("transfer_run", &a.id), link("transfer_run", &b.id)],
                ));
            }
        }
    };
    let mut vehicle_ids: Vec<&str> = by_vehicle.keys().copied().collect();
    vehicle_ids.sort();
    for id in vehicle_ids {
        let v = vehicles[id];
        let mut runs = by_vehicle.remove(id).unwrap_or_default();
        overlaps(
            "vehicle_double_booked",
            Arg::from(v.name.as_str()),
            &mut runs,
            out,
            true,
        );
    }
    let mut drivers: Vec<String> = by_driver.keys().cloned().collect();
    drivers.sort();
    for driver in drivers {
        let mut runs = by_driver.remove(&driver).unwrap_or_default();
        let name = runs
            .first()
            .and_then(|r| r.vehicle_id.as_deref())
            .and_then(|v| vehicles.get(v))
            .map(|v| v.driver_name.clone())
            .unwrap_or(driver);
        overlaps(
            "driver_double_booked",
            Arg::from(name.as_str()),
            &mut runs,
            out,
            false,
        );
    }
}
