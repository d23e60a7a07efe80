//! The transfers on paper: a dispatch sheet per driver (their runs, times, flights, passengers
//! with phone numbers, the greeter), an arrival-hall name sign per official met at the airport
//! (A4 landscape, readable from ten metres), and the transport plan of each day.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rusqlite::Connection;
use serde_json::{json, Map, Value};

use super::data::{official_label, Ctx};
use crate::dates::day_heading;
use crate::error::Result;
use crate::model::*;
use crate::queries::OfficialRow;
use crate::transport::{self, RunView};

pub(super) const DISPATCH_TEMPLATE: &str = include_str!("templates/dispatch.typ");
pub(super) const NAMESIGNS_TEMPLATE: &str = include_str!("templates/namesigns.typ");
pub(super) const TRANSPORT_TEMPLATE: &str = include_str!("templates/transport.typ");

/// The officials of the printing context by id.
fn rows_by_id<'c>(ctx: &'c Ctx<'_>) -> HashMap<&'c str, &'c OfficialRow> {
    ctx.officials
        .iter()
        .map(|r| (r.official.id.as_str(), r))
        .collect()
}

/// A vehicle's printed fields (empty for none): its name, plate, driver and driver's phone.
fn vehicle_fields(vehicle: Option<&Vehicle>) -> [(&'static str, &str); 4] {
    let field = |f: fn(&Vehicle) -> &str| vehicle.map(f).unwrap_or("");
    [
        ("vehicle", field(|v| &v.name)),
        ("plate", field(|v| &v.plate)),
        ("driver", field(|v| &v.driver_name)),
        ("driver_phone", field(|v| &v.driver_phone)),
    ]
}

/// The greeter of a run: its own, else those of its passengers' flights.
fn greeter(run: &RunView, travel: &HashMap<String, Travel>) -> String {
    if !run.run.greeter.is_empty() {
        return run.run.greeter.clone();
    }
    let mut names: Vec<String> = run
        .passengers
        .iter()
        .filter_map(|p| p.passenger.travel_id.as_ref())
        .filter_map(|t| travel.get(t))
        .map(|t| t.greeter.clone())
        .filter(|g| !g.is_empty())
        .collect();
    names.sort();
    names.dedup();
    names.join(", ")
}

/// One run as the templates read it, with its passengers as people of the list.
fn run_value(
    ctx: &Ctx<'_>,
    run: &RunView,
    rows: &HashMap<&str, &OfficialRow>,
    travel: &HashMap<String, Travel>,
) -> Result<Value> {
    let mut passengers = Vec::new();
    for p in &run.passengers {
        let Some(row) = rows.get(p.passenger.official_id.as_str()) else {
            continue;
        };
        if row.official.status == OfficialStatus::Cancelled {
            continue;
        }
        let flight = p.passenger.travel_id.as_ref().and_then(|t| travel.get(t));
        let mut item = ctx.person(row, false)?;
        ctx.extend(
            &mut item,
            &|| official_label(row),
            &[
                ("delegation", &ctx.delegation_name(&row.official)),
                ("phone", &row.official.phone),
                ("flight", flight.map(|t| t.flight.as_str()).unwrap_or("")),
                (
                    "flight_time",
                    &flight.map(|t| ctx.time(t.scheduled_at)).unwrap_or_default(),
                ),
            ],
        )?;
        passengers.push(Value::Object(item));
    }
    let vehicle = run.vehicle.as_ref();
    let mut out = ctx.fields(
        &|| "a transfer run".to_string(),
        &[
            ("time", &ctx.time(run.run.leaves_at)),
            ("from", &run.run.from_place),
            ("to", &run.run.to_place),
            ("greeter", &greeter(run, travel)),
            ("notes", &run.run.notes),
        ],
    )?;
    ctx.extend(
        &mut out,
        &|| "a vehicle".to_string(),
        &vehicle_fields(vehicle),
    )?;
    out.insert("kind".into(), Value::from(run.run.kind.as_str()));
    out.insert("count".into(), Value::from(passengers.len()));
    out.insert(
        "seats".into(),
        vehicle.map(|v| Value::from(v.seats)).unwrap_or(Value::Null),
    );
    out.insert("passengers".into(), Value::Array(passengers));
    Ok(Value::Object(out))
}

/// The runs by local day as the templates read them (title, count, runs), adding each run's
/// passengers to `people`.
fn days_of(
    ctx: &Ctx<'_>,
    runs: &[&RunView],
    rows: &HashMap<&str, &OfficialRow>,
    travel: &HashMap<String, Travel>,
    people: &mut usize,
) -> Result<Vec<Value>> {
    let mut days: BTreeMap<NaiveDate, Vec<Value>> = BTreeMap::new();
    for r in runs {
        let v = run_value(ctx, r, rows, travel)?;
        *people += v["count"].as_u64().unwrap_or(0) as usize;
        days.entry(ctx.date(r.run.leaves_at)).or_default().push(v);
    }
    Ok(days
        .into_iter()
        .map(|(d, items)| json!({"title": day_heading(d, ctx.lang), "count": items.len(), "runs": items}))
        .collect())
}

fn travel_by_id(conn: &Connection, event_id: &str) -> Result<HashMap<String, Travel>> {
    Ok(Travel::of_event(conn, event_id)?
        .into_iter()
        .map(|t| (t.id.clone(), t))
        .collect())
}

/// A dispatch sheet per vehicle (its driver's), runs by time; runs without a vehicle last.
pub(super) fn dispatch(
    conn: &Connection,
    ctx: &Ctx<'_>,
    data: &mut Value,
    day: Option<NaiveDate>,
) -> Result<usize> {
    let runs = transport::runs(conn, &ctx.event.id, day)?;
    let rows = rows_by_id(ctx);
    let travel = travel_by_id(conn, &ctx.event.id)?;
    let mut sheets: BTreeMap<(bool, String, String), Vec<&RunView>> = BTreeMap::new();
    for r in &runs {
        let key = match &r.vehicle {
            Some(v) => (false, v.name.clone(), v.id.clone()),
            None => (true, String::new(), String::new()),
        };
        sheets.entry(key).or_default().push(r);
    }
    let mut out = Vec::new();
    let mut people = 0;
    for ((_, _, _), list) in sheets {
        let vehicle = list.first().and_then(|r| r.vehicle.as_ref());
        let days = days_of(ctx, &list, &rows, &travel, &mut people)?;
        let mut sheet = ctx.fields(&|| "a vehicle".to_string(), &vehicle_fields(vehicle))?;
        sheet.insert(
            "seats".into(),
            vehicle.map(|v| Value::from(v.seats)).unwrap_or(Value::Null),
        );
        sheet.insert("days".into(), Value::Array(days));
        out.push(Value::Object(sheet));
    }
    data["sheets"] = Value::Array(out);
    Ok(people)
}

/// The transport plan: every run of each day, with vehicle, driver and who rides.
pub(super) fn plan(
    conn: &Connection,
    ctx: &Ctx<'_>,
    data: &mut Value,
    day: Option<NaiveDate>,
) -> Result<usize> {
    let runs = transport::runs(conn, &ctx.event.id, day)?;
    let rows = rows_by_id(ctx);
    let travel = travel_by_id(conn, &ctx.event.id)?;
    let mut people = 0;
    let days = days_of(
        ctx,
        &runs.iter().collect::<Vec<_>>(),
        &rows,
        &travel,
        &mut people,
    )?;
    data["days"] = Value::Array(days);
    Ok(people)
}

/// A name sign per official met at the airport (an arrival that needs a pickup), by landing
/// time.
pub(super) fn namesigns(
    conn: &Connection,
    ctx: &Ctx<'_>,
    data: &mut Value,
    day: Option<NaiveDate>,
) -> Result<usize> {
    let rows = rows_by_id(ctx);
    let mut legs: Vec<Travel> = Travel::of_event(conn, &ctx.event.id)?
        .into_iter()
        .filter(|t| t.direction == Direction::Arrival && t.pickup)
        .filter(|t| day.is_none_or(|d| ctx.date(t.scheduled_at) == d))
        .collect();
    legs.sort_by(|a, b| (a.scheduled_at, &a.flight).cmp(&(b.scheduled_at, &b.flight)));
    let mut signs = Vec::new();
    for t in &legs {
        let Some(row) = rows.get(t.official_id.as_str()) else {
            continue;
        };
        if row.official.status == OfficialStatus::Cancelled {
            continue;
        }
        let mut sign: Map<String, Value> = ctx.person(row, true)?;
        ctx.extend(
            &mut sign,
            &|| official_label(row),
            &[
                ("delegation", &ctx.delegation_name(&row.official)),
                ("flight", &t.flight),
                ("time", &ctx.time(t.scheduled_at)),
                ("day", &day_heading(ctx.date(t.scheduled_at), ctx.lang)),
            ],
        )?;
        signs.push(Value::Object(sign));
    }
    let count = signs.len();
    data["signs"] = Value::Array(signs);
    Ok(count)
}
