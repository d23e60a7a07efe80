//! Seating plans: a session's roster seated by the order of precedence at a head table (one
//! line, the host in the middle, then alternately on the host's right and left), in rows (the
//! front row first, each row filled from its middle) or at round tables (the host's table
//! first, the other tables spreading the delegations). Interpreters sit beside their officials.
//! [`propose`] is pure; [`plan`] reads a session's plan, [`apply`] and [`seat`] write it.

use std::collections::HashMap;

use rusqlite::{Connection, Transaction};
use serde::Serialize;

use super::{Inputs, Rank};
use crate::error::{Error, Result};
use crate::model::*;
use crate::store;
use crate::words::Text;

/// Seats at a round table or in a row when the officer gives none.
pub const DEFAULT_SEATS: usize = 10;

/// Someone to seat, in the order of precedence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guest {
    pub id: String,
    pub delegation: Option<String>,
    pub interpreter: bool,
}

/// One seat of a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeatAt {
    /// The head table is 1; rows count from the front; round tables from the host's.
    pub table: i64,
    pub seat: i64,
    pub official_id: String,
}

/// The guests in groups that sit together: each official (the host first) with the
/// interpreters of their delegation, the first interpreter beside its first official in
/// precedence, the second beside the second; interpreters left over sit on their own, last.
fn units(guests: &[Guest], host: Option<usize>) -> Vec<Vec<usize>> {
    let mut principals: Vec<usize> = (0..guests.len())
        .filter(|&i| !guests[i].interpreter)
        .collect();
    if let Some(h) = host.filter(|&h| h < guests.len() && !guests[h].interpreter) {
        principals.retain(|&i| i != h);
        principals.insert(0, h);
    }
    let mut units: Vec<Vec<usize>> = principals.iter().map(|&i| vec![i]).collect();
    let mut alone = Vec::new();
    let mut taken: HashMap<&str, usize> = HashMap::new();
    for (i, g) in guests.iter().enumerate().filter(|(_, g)| g.interpreter) {
        let Some(d) = g.delegation.as_deref() else {
            alone.push(vec![i]);
            continue;
        };
        let nth = taken.entry(d).or_insert(0);
        let principal = units
            .iter_mut()
            .filter(|u| guests[u[0]].delegation.as_deref() == Some(d))
            .nth(*nth);
        match principal {
            Some(unit) => {
                unit.push(i);
                *nth += 1;
            }
            None => alone.push(vec![i]),
        }
    }
    units.extend(alone);
    units
}

/// Units in one line from the middle out: the first in the middle (its interpreter on its
/// left), each next on the side with fewer seats (on a tie, the other side from the last), its
/// interpreter further out. Returns (host's right side outward, the middle, left side outward).
fn from_middle(units: &[&Vec<usize>]) -> (Vec<usize>, usize, Vec<usize>) {
    let Some((first, rest)) = units.split_first() else {
        return (Vec::new(), usize::MAX, Vec::new());
    };
    let mut right = Vec::new();
    let mut left: Vec<usize> = first[1..].to_vec();
    let mut last_right = false;
    for unit in rest {
        let to_right = match right.len().cmp(&left.len()) {
            std::cmp::Ordering::Less => true,
            std::cmp::Ordering::Greater => false,
            std::cmp::Ordering::Equal => !last_right,
        };
        if to_right {
            right.extend(unit.iter().copied());
        } else {
            left.extend(unit.iter().copied());
        }
        last_right = to_right;
    }
    (right, first[0], left)
}

/// A line of seats numbered from the room's left (the host's right is the room's left):
/// the guests' indices in seat order.
fn line(units: &[&Vec<usize>]) -> Vec<usize> {
    let (right, middle, left) = from_middle(units);
    if middle == usize::MAX {
        return Vec::new();
    }
    right
        .into_iter()
        .rev()
        .chain(std::iter::once(middle))
        .chain(left)
        .collect()
}

/// The units that fit `seats` (0: all), in order; a unit that does not fit is passed over for
/// the next that does. Returns those taken and those left.
fn fill<'u>(units: &[&'u Vec<usize>], seats: usize) -> (Vec<&'u Vec<usize>>, Vec<&'u Vec<usize>>) {
    let mut taken = Vec::new();
    let mut left = Vec::new();
    let mut free = if seats == 0 { usize::MAX } else { seats };
    for &u in units {
        if u.len() <= free {
            free -= u.len();
            taken.push(u);
        } else {
            left.push(u);
        }
    }
    (taken, left)
}

/// The proposal (pure): `guests` in the order of precedence, `host` the index of the host.
/// A head table of `seats` (0: everyone; those who do not fit stay without a seat), rows or
/// round tables of `seats` each (0: [`DEFAULT_SEATS`]).
pub fn propose(
    guests: &[Guest],
    host: Option<usize>,
    layout: Seating,
    seats: usize,
) -> Vec<SeatAt> {
    let per = table_seats(layout, seats as i64, guests.len(), 0) as usize;
    let mut units = units(guests, host);
    if layout != Seating::HeadTable && units.iter().any(|u| u.len() > per) {
        // A row or table narrower than an official with interpreters: each sits on their own.
        units = units
            .into_iter()
            .flat_map(|u| {
                if u.len() > per {
                    u.into_iter().map(|i| vec![i]).collect()
                } else {
                    vec![u]
                }
            })
            .collect();
    }
    let all: Vec<&Vec<usize>> = units.iter().collect();
    let at = |table: usize, seat: usize, guest: usize| SeatAt {
        table: table as i64,
        seat: seat as i64,
        official_id: guests[guest].id.clone(),
    };
    let mut out = Vec::with_capacity(guests.len());
    match layout {
        Seating::None => {}
        Seating::HeadTable => {
            let (taken, _) = fill(&all, seats);
            for (i, g) in line(&taken).into_iter().enumerate() {
                out.push(at(1, i + 1, g));
            }
        }
        Seating::Rows => {
            let per_row = per;
            let mut rows: Vec<Vec<&Vec<usize>>> = Vec::new();
            let mut free = 0;
            for unit in all {
                if unit.len() > free || rows.is_empty() {
                    rows.push(Vec::new());
                    free = per_row;
                }
                free -= unit.len();
                if let Some(row) = rows.last_mut() {
                    row.push(unit);
                }
            }
            for (r, row) in rows.iter().enumerate() {
                let seated = line(row);
                // Centred in the row: the front row's middle is its first place.
                let offset = (per_row - seated.len()) / 2;
                for (i, g) in seated.into_iter().enumerate() {
                    out.push(at(r + 1, offset + i + 1, g));
                }
            }
        }
        Seating::Rounds => {
            let per_table = per;
            let tables = rounds(guests, &all, per_table);
            for (t, table) in tables.iter().enumerate() {
                let (right, middle, left) = from_middle(table);
                if middle == usize::MAX {
                    continue;
                }
                out.push(at(t + 1, 1, middle));
                for (i, g) in right.into_iter().enumerate() {
                    out.push(at(t + 1, i + 2, g));
                }
                for (i, g) in left.into_iter().enumerate() {
                    out.push(at(t + 1, per_table - i, g));
                }
            }
        }
    }
    out
}

/// Round tables: the host's table filled by precedence, then each unit at the table where its
/// delegation has fewest people (then the emptiest, then the first), then swaps that leave no
/// table of one delegation where a swap can help.
fn rounds<'u>(
    guests: &[Guest],
    units: &[&'u Vec<usize>],
    per_table: usize,
) -> Vec<Vec<&'u Vec<usize>>> {
    let (host_table, rest) = fill(units, per_table);
    let mut tables: Vec<Vec<&Vec<usize>>> = vec![host_table];
    let members: usize = rest.iter().map(|u| u.len()).sum();
    let others = members.div_ceil(per_table);
    tables.extend((0..others).map(|_| Vec::new()));
    let size = |t: &Vec<&Vec<usize>>| t.iter().map(|u| u.len()).sum::<usize>();
    let delegation = |u: &Vec<usize>| guests[u[0]].delegation.as_deref();
    for unit in rest {
        let d = delegation(unit);
        let best = (1..tables.len())
            .filter(|&t| size(&tables[t]) + unit.len() <= per_table)
            .min_by_key(|&t| {
                let same = tables[t]
                    .iter()
                    .filter(|u| d.is_some() && delegation(u) == d)
                    .count();
                (same, size(&tables[t]), t)
            });
        match best {
            Some(t) => tables[t].push(unit),
            None => tables.push(vec![unit]),
        }
    }
    // Swaps of single guests that mend a table of one delegation without making another.
    for _ in 0..guests.len() {
        let Some((t, a, u, b)) = mending_swap(guests, &tables) else {
            break;
        };
        let (x, y) = (tables[t][a], tables[u][b]);
        tables[t][a] = y;
        tables[u][b] = x;
    }
    for table in tables.iter_mut().skip(1) {
        table.sort_by_key(|u| u[0]);
    }
    tables
}

/// The one delegation of a table whose guests (two or more) all belong to it.
pub fn one_delegation<'g>(guests: &'g [Guest], table: &[&Vec<usize>]) -> Option<&'g str> {
    let mut members = table.iter().flat_map(|u| u.iter());
    let first = guests[*members.next()?].delegation.as_deref()?;
    let mut count = 1;
    for &m in members {
        if guests[m].delegation.as_deref() != Some(first) {
            return None;
        }
        count += 1;
    }
    (count >= 2).then_some(first)
}

/// A swap of a single guest of a one-delegation table (not the host's) with a single guest of
/// another delegation at another table (not the host's) after which neither table is of one
/// delegation: (table, unit, other table, other unit).
pub fn mending_swap(
    guests: &[Guest],
    tables: &[Vec<&Vec<usize>>],
) -> Option<(usize, usize, usize, usize)> {
    for t in 1..tables.len() {
        let Some(d) = one_delegation(guests, &tables[t]) else {
            continue;
        };
        for (a, ua) in tables[t].iter().enumerate().filter(|(_, u)| u.len() == 1) {
            for u in (1..tables.len()).filter(|&u| u != t) {
                for (b, ub) in tables[u].iter().enumerate().filter(|(_, u)| u.len() == 1) {
                    if guests[ub[0]].delegation.as_deref() == Some(d) {
                        continue;
                    }
                    let mut mine = tables[t].clone();
                    mine[a] = ub;
                    let mut theirs = tables[u].clone();
                    theirs[b] = ua;
                    if one_delegation(guests, &mine).is_none()
                        && one_delegation(guests, &theirs).is_none()
                    {
                        return Some((t, a, u, b));
                    }
                }
            }
        }
    }
    None
}

/// How many seats a table (or row, or the head table) of a plan has: the layout's own count
/// (a head table of no set length seats the whole roster of `roster`; rows and round tables
/// [`DEFAULT_SEATS`]), or more when someone sits at a higher seat (`used`).
pub fn table_seats(layout: Seating, seats_per_table: i64, roster: usize, used: i64) -> i64 {
    let base = match layout {
        Seating::HeadTable if seats_per_table == 0 => roster as i64,
        _ if seats_per_table == 0 => DEFAULT_SEATS as i64,
        _ => seats_per_table,
    };
    base.max(used)
}

/// The session's roster in the order given (`ordered`: the order of precedence, nobody
/// cancelled), as its audience and its entries make it.
pub fn members_of<'o, 'p>(
    session: &Session,
    ordered: impl IntoIterator<Item = &'o Official>,
    entries: impl IntoIterator<Item = &'p Participant>,
) -> Vec<&'o Official> {
    let membership: HashMap<&str, Membership> = entries
        .into_iter()
        .map(|p| (p.official_id.as_str(), p.membership))
        .collect();
    ordered
        .into_iter()
        .filter(|o| crate::audience::on_roster(session, o, membership.get(o.id.as_str()).copied()))
        .collect()
}

/// The guests of a roster given in the order of precedence.
pub fn guests_of(members: &[&Official]) -> Vec<Guest> {
    members
        .iter()
        .map(|o| Guest {
            id: o.id.clone(),
            delegation: o.delegation_id.clone(),
            interpreter: o.category == Category::Interpreter,
        })
        .collect()
}

/// The host among `members` (in the order of precedence): the first of the host country's
/// delegation, else the first; never an interpreter.
pub fn host_of(event: &Event, delegations: &[Delegation], members: &[&Official]) -> Option<usize> {
    let hosts: Vec<&str> = delegations
        .iter()
        .filter(|d| d.country_code.as_deref() == Some(event.host_country.as_str()))
        .map(|d| d.id.as_str())
        .collect();
    let principal = |o: &Official| o.category != Category::Interpreter;
    members
        .iter()
        .position(|o| {
            principal(o)
                && o.delegation_id
                    .as_deref()
                    .is_some_and(|d| hosts.contains(&d))
        })
        .or_else(|| members.iter().position(|o| principal(o)))
}

/// The interpreters seated away from the official they serve (see `units`): (interpreter,
/// official) indices into `guests`. `seat_of` says where a guest sits, `per_table` how many
/// seats a table has.
pub fn interpreters_apart(
    layout: Seating,
    guests: &[Guest],
    host: Option<usize>,
    seat_of: impl Fn(usize) -> Option<(i64, i64)>,
    per_table: impl Fn(i64) -> i64,
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for unit in units(guests, host) {
        for &i in &unit[1..] {
            let (Some(a), Some(b)) = (seat_of(unit[0]), seat_of(i)) else {
                continue;
            };
            if a.0 != b.0 || !beside(layout, per_table(b.0), a.1, b.1) {
                out.push((i, unit[0]));
            }
        }
    }
    out
}

/// Whether two seats of one table are side by side (round tables close the circle).
pub fn beside(layout: Seating, per_table: i64, a: i64, b: i64) -> bool {
    (a - b).abs() == 1
        || (layout == Seating::Rounds && per_table > 2 && a.min(b) == 1 && a.max(b) == per_table)
}

/// Someone in a seating plan, as the screen and the paper show them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Seated {
    pub official_id: String,
    pub name: String,
    pub native_name: String,
    pub delegation_en: String,
    pub delegation_ko: String,
    pub rank_en: String,
    pub rank_ko: String,
    pub interpreter: bool,
    /// Their place in the order of precedence (from 1), 0 for someone not in it (cancelled).
    pub position: usize,
}

/// One seat of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeatView {
    pub seat: i64,
    /// Who sits there (the first of them when two do).
    pub guest: Option<Seated>,
    /// What is wrong with it: `cancelled` or `not_on_roster` (a hole to fill), `twice` (two
    /// people given this seat), `interpreter_apart`.
    pub issue: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableView {
    pub no: i64,
    pub seats: Vec<SeatView>,
}

/// A session's seating plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub session_id: String,
    pub layout: Seating,
    pub seats_per_table: i64,
    pub tables: Vec<TableView>,
    /// Roster members without a seat, in the order of precedence.
    pub unseated: Vec<Seated>,
    /// How many roster members there are.
    pub roster: usize,
}

/// A session's roster (not cancelled) with their entries, and everything to name them.
struct Roster {
    inputs: Inputs,
    session: Session,
    entries: Vec<Participant>,
}

impl Roster {
    fn load(conn: &Connection, session_id: &str) -> Result<Roster> {
        let session = Session::get(conn, session_id)?;
        let inputs = Inputs::load(conn, &session.event_id)?;
        let sql = format!(
            "SELECT {} FROM participant x WHERE x.session_id = ?",
            Participant::select("x")
        );
        let entries = conn
            .prepare(&sql)?
            .query_map([session_id], Participant::from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Roster {
            inputs,
            session,
            entries,
        })
    }

    /// The roster's members in the order of precedence.
    fn members(&self) -> Vec<&Official> {
        members_of(&self.session, self.inputs.ordered(), &self.entries)
    }

    fn seated(&self, o: &Official, position: usize) -> Seated {
        let d = o
            .delegation_id
            .as_deref()
            .and_then(|d| self.inputs.delegations.iter().find(|x| x.id == d));
        let rank: Option<&Rank> = self.inputs.ranks.iter().find(|r| r.code == o.protocol_rank);
        Seated {
            official_id: o.id.clone(),
            name: o.full_name(),
            native_name: o.native_name.clone(),
            delegation_en: d
                .map(|d| d.name_en.clone())
                .unwrap_or_else(|| o.organization.clone()),
            delegation_ko: d
                .map(|d| d.name_ko.clone())
                .unwrap_or_else(|| o.organization.clone()),
            rank_en: rank.map(|r| r.name_en.clone()).unwrap_or_default(),
            rank_ko: rank.map(|r| r.name_ko.clone()).unwrap_or_default(),
            interpreter: o.category == Category::Interpreter,
            position,
        }
    }
}

/// A proposal for a session, as `ddesk seating propose` prints it.
pub fn proposal(
    conn: &Connection,
    session_id: &str,
    layout: Seating,
    seats: usize,
) -> Result<Vec<SeatAt>> {
    let roster = Roster::load(conn, session_id)?;
    let members = roster.members();
    let guests = guests_of(&members);
    let host = host_of(&roster.inputs.event, &roster.inputs.delegations, &members);
    let mut out = propose(&guests, host, layout, seats);
    out.sort_by_key(|s| (s.table, s.seat));
    Ok(out)
}

/// Saves a plan as the session's: its layout, and every roster entry's seat (those not in
/// `seats` lose theirs); one batch, so one undo takes it back.
pub fn apply(
    tx: &Transaction<'_>,
    session_id: &str,
    layout: Seating,
    seats_per_table: usize,
    seats: &[SeatAt],
) -> Result<()> {
    let batch = uuid::Uuid::new_v4().to_string();
    let mut session = Session::get(tx, session_id)?;
    if session.seating != layout || session.seats_per_table != seats_per_table as i64 {
        session.seating = layout;
        session.seats_per_table = seats_per_table as i64;
        store::save(tx, session, Some(&batch))?;
    }
    let wanted: HashMap<&str, (i64, i64)> = seats
        .iter()
        .map(|s| (s.official_id.as_str(), (s.table, s.seat)))
        .collect();
    let roster = Roster::load(tx, session_id)?;
    for mut p in roster.entries.iter().cloned() {
        let to = wanted.get(p.official_id.as_str()).copied();
        if (p.table_no, p.seat_no) != (to.map(|t| t.0), to.map(|t| t.1)) {
            p.table_no = to.map(|t| t.0);
            p.seat_no = to.map(|t| t.1);
            store::save(tx, p, Some(&batch))?;
        }
    }
    let have: std::collections::HashSet<&str> = roster
        .entries
        .iter()
        .map(|p| p.official_id.as_str())
        .collect();
    for s in seats
        .iter()
        .filter(|s| !have.contains(s.official_id.as_str()))
    {
        store::save(
            tx,
            Participant {
                session_id: session_id.to_string(),
                official_id: s.official_id.clone(),
                membership: Membership::Rule,
                table_no: Some(s.table),
                seat_no: Some(s.seat),
                ..Participant::default()
            },
            Some(&batch),
        )?;
    }
    Ok(())
}

/// Moves an official to a seat (`None`: off their seat). Someone on the roster in that seat
/// takes the mover's old seat (or none); someone there who is no longer on it (cancelled,
/// taken off) loses the seat: one move fills a hole. One batch.
pub fn seat(
    tx: &Transaction<'_>,
    session_id: &str,
    official_id: &str,
    to: Option<(i64, i64)>,
) -> Result<()> {
    if let Some((table, seat)) = to {
        if table < 1 || seat < 1 {
            return Err(Error::field(
                "seat",
                "invalid_value",
                Text::new("error-seating-no_such_seat"),
            ));
        }
    }
    let roster = Roster::load(tx, session_id)?;
    if roster.session.seating == Seating::None {
        return Err(Error::field(
            "seating",
            "invalid_value",
            Text::new("error-seating-no_plan"),
        ));
    }
    let members: std::collections::HashSet<&str> = roster
        .members()
        .into_iter()
        .map(|o| o.id.as_str())
        .collect();
    if to.is_some() && !members.contains(official_id) {
        return Err(Error::field(
            "official_id",
            "invalid_value",
            Text::new("error-seating-not_on_roster"),
        ));
    }
    let batch = uuid::Uuid::new_v4().to_string();
    let mine = roster
        .entries
        .iter()
        .find(|p| p.official_id == official_id)
        .cloned();
    let from = mine.as_ref().and_then(|p| Some((p.table_no?, p.seat_no?)));
    if from == to {
        return Ok(());
    }
    if let Some((table, seat)) = to {
        for mut other in roster
            .entries
            .iter()
            .filter(|p| p.official_id != official_id)
            .filter(|p| p.table_no == Some(table) && p.seat_no == Some(seat))
            .cloned()
        {
            let stays = members.contains(other.official_id.as_str());
            let back = if stays { from } else { None };
            other.table_no = back.map(|b| b.0);
            other.seat_no = back.map(|b| b.1);
            store::save(tx, other, Some(&batch))?;
        }
    }
    let mut record = mine.unwrap_or_else(|| Participant {
        session_id: session_id.to_string(),
        official_id: official_id.to_string(),
        membership: Membership::Rule,
        ..Participant::default()
    });
    record.table_no = to.map(|t| t.0);
    record.seat_no = to.map(|t| t.1);
    store::save(tx, record, Some(&batch))?;
    Ok(())
}

/// A session's seating plan: every table with its seats (empty ones too), what is wrong with
/// a seat, and the roster members without one.
pub fn plan(conn: &Connection, session_id: &str) -> Result<Plan> {
    let roster = Roster::load(conn, session_id)?;
    let layout = roster.session.seating;
    let per_table = roster.session.seats_per_table;
    let members = roster.members();
    let position: HashMap<&str, usize> = members
        .iter()
        .enumerate()
        .map(|(i, o)| (o.id.as_str(), i + 1))
        .collect();
    let officials: HashMap<&str, &Official> = roster
        .inputs
        .officials
        .iter()
        .map(|o| (o.id.as_str(), o))
        .collect();
    // Who sits where, in precedence order (someone no longer on the roster last).
    let mut placed: Vec<(&Participant, &Official)> = roster
        .entries
        .iter()
        .filter(|p| p.table_no.is_some() && p.seat_no.is_some())
        .filter_map(|p| Some((p, *officials.get(p.official_id.as_str())?)))
        .collect();
    placed.sort_by_key(|(p, _)| {
        (
            position
                .get(p.official_id.as_str())
                .copied()
                .unwrap_or(usize::MAX),
            p.official_id.clone(),
        )
    });
    let tables_n = placed
        .iter()
        .filter_map(|(p, _)| p.table_no)
        .max()
        .unwrap_or(0)
        .max(i64::from(layout != Seating::None));
    let capacity = |table: i64| -> i64 {
        let used = placed
            .iter()
            .filter(|(p, _)| p.table_no == Some(table))
            .filter_map(|(p, _)| p.seat_no)
            .max()
            .unwrap_or(0);
        table_seats(layout, per_table, members.len(), used)
    };
    let mut tables: Vec<TableView> = (1..=tables_n)
        .map(|no| TableView {
            no,
            seats: (1..=capacity(no))
                .map(|seat| SeatView {
                    seat,
                    guest: None,
                    issue: String::new(),
                })
                .collect(),
        })
        .collect();
    let mut where_is: HashMap<&str, (i64, i64)> = HashMap::new();
    for (p, o) in &placed {
        let (Some(t), Some(s)) = (p.table_no, p.seat_no) else {
            continue;
        };
        let Some(view) = tables
            .get_mut((t - 1) as usize)
            .and_then(|table| table.seats.get_mut((s - 1) as usize))
        else {
            continue;
        };
        let on = position.get(o.id.as_str()).copied();
        if view.guest.is_some() {
            view.issue = "twice".into();
            continue;
        }
        view.guest = Some(roster.seated(o, on.unwrap_or(0)));
        where_is.insert(o.id.as_str(), (t, s));
        if on.is_none() {
            view.issue = if o.status == OfficialStatus::Cancelled {
                "cancelled".into()
            } else {
                "not_on_roster".into()
            };
        }
    }
    // Interpreters away from the official they serve.
    let guests = guests_of(&members);
    let host = host_of(&roster.inputs.event, &roster.inputs.delegations, &members);
    let apart = interpreters_apart(
        layout,
        &guests,
        host,
        |i| where_is.get(members[i].id.as_str()).copied(),
        capacity,
    );
    for (i, _) in apart {
        let Some(&(t, s)) = where_is.get(members[i].id.as_str()) else {
            continue;
        };
        if let Some(view) = tables
            .get_mut((t - 1) as usize)
            .and_then(|table| table.seats.get_mut((s - 1) as usize))
        {
            if view.issue.is_empty() {
                view.issue = "interpreter_apart".into();
            }
        }
    }
    let unseated = members
        .iter()
        .filter(|o| !where_is.contains_key(o.id.as_str()))
        .map(|o| roster.seated(o, position.get(o.id.as_str()).copied().unwrap_or(0)))
        .collect();
    Ok(Plan {
        session_id: session_id.to_string(),
        layout,
        seats_per_table: per_table,
        tables,
        unseated,
        roster: members.len(),
    })
}

#[cfg(test)]
mod tests;
