//! Protocol on paper: the participant list in the order of precedence; the seating chart (the room drawn with every name, A4 or A3), a table
//! list per table for the ushers, and place cards (tent cards in seating order, the name on both
//! faces, A4 with fold and cut marks).

use std::collections::HashMap;

use rusqlite::Connection;
use serde_json::{Map, Value};

use super::data::{official_label, Ctx};
use crate::error::{Error, Result};
use crate::model::*;
use crate::protocol::seating::{self, Plan};
use crate::queries::OfficialRow;

pub(super) const SEATING_TEMPLATE: &str = include_str!("templates/seating.typ");
pub(super) const TABLES_TEMPLATE: &str = include_str!("templates/tables.typ");
pub(super) const PLACECARDS_TEMPLATE: &str = include_str!("templates/placecards.typ");
pub(super) const PRECEDENCE_TEMPLATE: &str = include_str!("templates/precedence.typ");

/// Everyone not cancelled in the event's order of precedence: position, name, rank,
/// delegation and position held.
pub(super) fn precedence(conn: &Connection, ctx: &Ctx<'_>, data: &mut Value) -> Result<usize> {
    let rows: HashMap<&str, &OfficialRow> = ctx
        .officials
        .iter()
        .map(|r| (r.official.id.as_str(), r))
        .collect();
    let mut items = Vec::new();
    for p in crate::protocol::precedence(conn, &ctx.event.id)? {
        let Some(row) = rows.get(p.official_id.as_str()) else {
            continue;
        };
        let mut item = guest(ctx, row, false)?;
        item.insert("no".into(), Value::from(p.position));
        items.push(Value::Object(item));
    }
    let n = items.len();
    data["rows"] = Value::Array(items);
    Ok(n)
}

/// The session's plan, and the session said as the page heading says it.
fn load(conn: &Connection, ctx: &Ctx<'_>, data: &mut Value, session_id: &str) -> Result<Plan> {
    let session = Session::get(conn, session_id)?;
    if session.event_id != ctx.event.id {
        return Err(Error::NotFound { entity: "session" });
    }
    let title = if ctx.lang == Language::Ko && !session.title_ko.is_empty() {
        &session.title_ko
    } else {
        &session.title_en
    };
    let when = format!(
        "{} {}–{}",
        crate::dates::day_heading(ctx.date(session.starts_at), ctx.lang),
        ctx.time(session.starts_at),
        ctx.time(session.ends_at)
    );
    let heading = ctx.fields(
        &|| "the session".to_string(),
        &[
            ("title", title),
            ("when", &when),
            ("place", &session.location),
        ],
    )?;
    data["session"] = Value::Object(heading);
    let plan = seating::plan(conn, session_id)?;
    data["layout"] = Value::from(plan.layout.as_str());
    Ok(plan)
}

/// A seated guest as the templates read them: names, language, delegation and rank.
fn guest(ctx: &Ctx<'_>, row: &OfficialRow, badge: bool) -> Result<Map<String, Value>> {
    let o = &row.official;
    let mut item = ctx.person(row, badge)?;
    let rank = ctx
        .ranks
        .iter()
        .find(|r| r.code == o.protocol_rank)
        .map(|r| {
            if ctx.lang == Language::Ko && !r.name_ko.is_empty() {
                r.name_ko.clone()
            } else {
                r.name_en.clone()
            }
        })
        .unwrap_or_default();
    ctx.extend(
        &mut item,
        &|| official_label(row),
        &[
            ("delegation", &ctx.delegation_name(o)),
            ("position", &o.position),
            ("rank", &rank),
        ],
    )?;
    item.insert(
        "interpreter".into(),
        Value::from(o.category == Category::Interpreter),
    );
    Ok(item)
}

/// Every table with its seats (a seat of someone no longer on the roster prints empty).
fn tables_value(ctx: &Ctx<'_>, plan: &Plan, badge: bool) -> Result<(Vec<Value>, usize)> {
    let rows: HashMap<&str, &OfficialRow> = ctx
        .officials
        .iter()
        .map(|r| (r.official.id.as_str(), r))
        .collect();
    let mut seated = 0;
    let mut tables = Vec::with_capacity(plan.tables.len());
    for t in &plan.tables {
        let mut seats = Vec::with_capacity(t.seats.len());
        for s in &t.seats {
            let person = match (&s.guest, s.issue.as_str()) {
                (Some(g), "" | "interpreter_apart" | "twice") => {
                    rows.get(g.official_id.as_str()).copied()
                }
                _ => None,
            };
            let mut item = match person {
                Some(row) => {
                    seated += 1;
                    guest(ctx, row, badge)?
                }
                None => Map::new(),
            };
            item.insert("seat".into(), Value::from(s.seat));
            item.insert("empty".into(), Value::from(person.is_none()));
            seats.push(Value::Object(item));
        }
        tables.push(serde_json::json!({
            "no": t.no,
            "seats": seats,
            "count": seats.iter().filter(|s| s["empty"] == false).count(),
        }));
    }
    Ok((tables, seated))
}

/// The seating chart: the room drawn, every table and seat with its guest (the table lists'
/// data, and the paper).
pub(super) fn chart(
    conn: &Connection,
    ctx: &Ctx<'_>,
    data: &mut Value,
    session_id: &str,
    a3: bool,
) -> Result<usize> {
    let seated = table_lists(conn, ctx, data, session_id)?;
    data["paper"] = Value::from(if a3 { "a3" } else { "a4" });
    Ok(seated)
}

/// The table lists: per table, its seats in order with name, delegation and rank, and how
/// many on the roster have no seat.
pub(super) fn table_lists(
    conn: &Connection,
    ctx: &Ctx<'_>,
    data: &mut Value,
    session_id: &str,
) -> Result<usize> {
    let plan = load(conn, ctx, data, session_id)?;
    let (tables, seated) = tables_value(ctx, &plan, false)?;
    data["tables"] = Value::Array(tables);
    data["unseated"] = Value::from(plan.unseated.len());
    Ok(seated)
}

/// Place cards, in seating order: table by table, seat by seat.
pub(super) fn placecards(
    conn: &Connection,
    ctx: &Ctx<'_>,
    data: &mut Value,
    session_id: &str,
) -> Result<usize> {
    let plan = load(conn, ctx, data, session_id)?;
    let (tables, seated) = tables_value(ctx, &plan, true)?;
    let mut cards = Vec::with_capacity(seated);
    for t in tables {
        let no = t["no"].clone();
        if let Value::Array(seats) = &t["seats"] {
            for s in seats.iter().filter(|s| s["empty"] == false) {
                let mut card = s.clone();
                card["table"] = no.clone();
                cards.push(card);
            }
        }
    }
    data["cards"] = Value::Array(cards);
    Ok(seated)
}
