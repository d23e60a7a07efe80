//! Logistics checks: what will go wrong at the event, found before it does. Each check is a
//! pure function over the event's data ([`EventData`]) that appends [`Problem`]s; nothing here
//! reads the library or the clock.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::*;
use crate::text::fold;

/// FxHash (the hash rustc uses): the checks hash hundreds of thousands of record ids per run,
/// and SipHash's resistance to crafted keys buys nothing for data on the officer's own disk.
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type Map<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// How bad a problem is; lists sort by it, worst first. Import messages use the same scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A record a problem is about, so the UI can open it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub entity: &'static str,
    pub id: String,
}

/// One thing to fix, with a sentence in each office language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub message_ko: String,
    pub records: Vec<Link>,
}

/// Everything the checks and the dashboard look at, read in one go.
#[derive(Debug, Clone, Default)]
pub struct EventData {
    pub event: Event,
    pub delegations: Vec<Delegation>,
    pub officials: Vec<Official>,
    pub travel: Vec<Travel>,
    pub hotels: Vec<Hotel>,
    pub blocks: Vec<RoomBlock>,
    pub stays: Vec<Stay>,
    pub rooms: Vec<VenueRoom>,
    pub sessions: Vec<Session>,
    pub participants: Vec<Participant>,
}

/// Every record of type `R` that `from` (SQL from `FROM`, the record aliased `x`) finds.
fn all<R: Record>(conn: &Connection, from: &str, id: &str) -> Result<Vec<R>> {
    let sql = format!("SELECT {} {from}", R::select("x"));
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map([id], R::from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

impl EventData {
    pub fn load(conn: &Connection, event_id: &str) -> Result<EventData> {
        let event = Event::get(conn, event_id)?;
        let id = event_id;
        Ok(EventData {
            delegations: all(conn, "FROM delegation x WHERE x.event_id = ?", id)?,
            officials: all(conn, "FROM official x WHERE x.event_id = ?", id)?,
            // Flights and stays carry their event (schema v4): no lookup of every official.
            travel: all(conn, "FROM travel x WHERE x.event_id = ?", id)?,
            hotels: all(conn, "FROM hotel x WHERE x.event_id = ?", id)?,
            blocks: all(
                conn,
                "FROM room_block x JOIN hotel h ON h.id = x.hotel_id WHERE h.event_id = ?",
                id,
            )?,
            stays: all(conn, "FROM stay x WHERE x.event_id = ?", id)?,
            rooms: all(
                conn,
                "FROM venue_room x JOIN venue v ON v.id = x.venue_id WHERE v.event_id = ?",
                id,
            )?,
            sessions: all(conn, "FROM session x WHERE x.event_id = ?", id)?,
            participants: all(
                conn,
                "FROM participant x JOIN session s ON s.id = x.session_id WHERE s.event_id = ?",
                id,
            )?,
            event,
        })
    }
}

/// Lookups shared by the checks, built once.
struct Index<'a> {
    d: &'a EventData,
    tz: Option<chrono_tz::Tz>,
    /// Where each official is in `d.officials` (and `people`).
    position: Map<&'a str, usize>,
    delegations: Map<&'a str, &'a Delegation>,
    rooms: Map<&'a str, &'a VenueRoom>,
    hotels: Map<&'a str, &'a Hotel>,
    /// Per official, in the order of `d.officials`: the checks walk officials and read their
    /// sessions, flights and stays without a lookup each.
    people: Vec<Person<'a>>,
    /// Officials not cancelled on each session's roster, in the order of `d.sessions`.
    roster_counts: Vec<i64>,
}

/// One official's sessions (by start time), flights and hotel stays.
#[derive(Default)]
struct Person<'a> {
    agenda: Vec<&'a Session>,
    arrivals: Vec<&'a Travel>,
    departures: Vec<&'a Travel>,
    stays: Vec<&'a Stay>,
}

impl<'a> Index<'a> {
    fn new(d: &'a EventData) -> Index<'a> {
        let position: Map<&str, usize> = d
            .officials
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.as_str(), i))
            .collect();
        let sessions: Map<&str, usize> = d
            .sessions
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let mut roster_counts = vec![0i64; d.sessions.len()];
        // First which official sits in which session, then each agenda allocated once at its
        // final size, instead of twenty thousand vectors each growing by reallocation.
        let mut entries: Vec<(u32, u32)> = Vec::with_capacity(d.participants.len());
        let mut sizes = vec![0usize; d.officials.len()];
        // Roster entries come a session's roster at a time, and often one official's after
        // another: the last session and official found are checked first, which saves most of
        // the lookups.
        let mut last: Option<(&str, usize)> = None;
        let mut last_session: Option<(&str, usize)> = None;
        for p in &d.participants {
            let si = match last_session {
                Some((id, si)) if id == p.session_id => si,
                _ => match sessions.get(p.session_id.as_str()) {
                    Some(&si) => si,
                    None => continue,
                },
            };
            last_session = Some((p.session_id.as_str(), si));
            let who = p.official_id.as_str();
            let i = match last {
                Some((id, i)) if id == who => i,
                _ => match position.get(who) {
                    Some(&i) => i,
                    None => continue,
                },
            };
            last = Some((who, i));
            entries.push((i as u32, si as u32));
            sizes[i] += 1;
            if active(&d.officials[i]) {
                roster_counts[si] += 1;
            }
        }
        let mut people: Vec<Person<'a>> = sizes
            .iter()
            .map(|&n| Person {
                agenda: Vec::with_capacity(n),
                ..Person::default()
            })
            .collect();
        for &(i, si) in &entries {
            people[i as usize].agenda.push(&d.sessions[si as usize]);
        }
        for person in &mut people {
            person.agenda.sort_by_key(|s| (s.starts_at, s.ends_at));
        }
        for t in &d.travel {
            let Some(&i) = position.get(t.official_id.as_str()) else {
                continue;
            };
            match t.direction {
                Direction::Arrival => people[i].arrivals.push(t),
                Direction::Departure => people[i].departures.push(t),
            }
        }
        for s in &d.stays {
            if let Some(&i) = position.get(s.official_id.as_str()) {
                people[i].stays.push(s);
            }
        }
        Index {
            d,
            tz: d.event.time_zone.parse().ok(),
            position,
            delegations: d.delegations.iter().map(|x| (x.id.as_str(), x)).collect(),
            rooms: d.rooms.iter().map(|x| (x.id.as_str(), x)).collect(),
            hotels: d.hotels.iter().map(|x| (x.id.as_str(), x)).collect(),
            people,
            roster_counts,
        }
    }

    fn official(&self, id: &str) -> Option<&'a Official> {
        self.position.get(id).map(|&i| &self.d.officials[i])
    }

    fn official_is_active(&self, id: &str) -> bool {
        self.official(id).is_some_and(active)
    }

    /// Officials not cancelled, with their sessions, flights and stays.
    fn active_people(&self) -> impl Iterator<Item = (&'a Official, &Person<'a>)> {
        self.d
            .officials
            .iter()
            .zip(&self.people)
            .filter(|(o, _)| active(o))
    }

    fn local(&self, at: DateTime<Utc>) -> chrono::NaiveDateTime {
        match self.tz {
            Some(tz) => at.with_timezone(&tz).naive_local(),
            None => at.naive_utc(),
        }
    }

    /// "7 May 09:30", in the event's zone.
    fn when(&self, at: DateTime<Utc>) -> String {
        self.local(at).format("%-d %b %H:%M").to_string()
    }

    fn when_ko(&self, at: DateTime<Utc>) -> String {
        self.local(at).format("%-m월 %-d일 %H:%M").to_string()
    }

    /// Someone who travels in from abroad: a nationality other than the host's, or, without
    /// one, a country delegation other than the host, or an organisation's delegation. Staff
    /// of the ADB, the IsDB or GIZ mostly fly in from headquarters or country offices, so an
    /// organisation delegate whose nationality is not on file is expected to need flights,
    /// a hotel and a passport; only a recorded host nationality makes them local.
    fn is_foreign(&self, o: &Official) -> bool {
        let host = self.d.event.host_country.as_str();
        if !o.nationality.is_empty() {
            return o.nationality != host;
        }
        let delegation = o
            .delegation_id
            .as_deref()
            .and_then(|id| self.delegations.get(id));
        match delegation {
            Some(d) if d.kind == DelegationKind::Organization => true,
            Some(d) => d.country_code.as_deref().is_some_and(|c| c != host),
            None => false,
        }
    }

    fn hotel(&self, id: &str) -> (&'a str, &'a str) {
        match self.hotels.get(id) {
            Some(h) => (h.name.as_str(), or_other(&h.name_ko, &h.name)),
            None => ("", ""),
        }
    }
}

/// `text`, or `fallback` when it is empty: Korean names are optional, and a sentence with
/// the English name beats one with a hole in it.
fn or_other<'t>(text: &'t str, fallback: &'t str) -> &'t str {
    if text.is_empty() {
        fallback
    } else {
        text
    }
}

fn name(o: &Official) -> String {
    o.full_name()
}

fn title(s: &Session) -> &str {
    if s.title_en.is_empty() {
        &s.title_ko
    } else {
        &s.title_en
    }
}

fn title_ko(s: &Session) -> &str {
    if s.title_ko.is_empty() {
        &s.title_en
    } else {
        &s.title_ko
    }
}

fn link(entity: &'static str, id: &str) -> Link {
    Link {
        entity,
        id: id.to_string(),
    }
}

fn problem(
    severity: Severity,
    code: &'static str,
    message: String,
    message_ko: String,
    records: Vec<Link>,
) -> Problem {
    Problem {
        severity,
        code,
        message,
        message_ko,
        records,
    }
}

/// Officials whose status means they are still coming.
fn active(o: &Official) -> bool {
    o.status != OfficialStatus::Cancelled
}

/// An official on two sessions at the same time.
fn official_double_booked(ix: &Index<'_>, out: &mut Vec<Problem>) {
    for (o, person) in ix.active_people() {
        let list = &person.agenda;
        let mut latest: Option<&Session> = None;
        for s in list {
            if let Some(prev) = latest {
                if s.starts_at < prev.ends_at {
                    out.push(problem(
                        Severity::Error,
                        "official_double_booked",
                        format!(
                            "{} is on two sessions at once: \u{201c}{}\u{201d} ({}) and \u{201c}{}\u{201d} ({}).",
                            name(o), title(prev), ix.when(prev.starts_at), title(s), ix.when(s.starts_at)
                        ),
                        format!(
                            "{}님이 같은 시간의 두 세션에 배정되어 있습니다: \u{201c}{}\u{201d}({}), \u{201c}{}\u{201d}({}).",
                            name(o), title_ko(prev), ix.when_ko(prev.starts_at), title_ko(s), ix.when_ko(s.starts_at)
                        ),
                        vec![link("official", &o.id), link("session", &prev.id), link("session", &s.id)],
                    ));
                }
            }
            if latest.is_none_or(|p| s.ends_at > p.ends_at) {
                latest = Some(s);
            }
        }
    }
}

/// Sessions whose roster outnumbers the seats of their room.
fn session_over_capacity(ix: &Index<'_>, out: &mut Vec<Problem>) {
    for (s, &n) in ix.d.sessions.iter().zip(&ix.roster_counts) {
        let Some(room) = s.venue_room_id.as_deref().and_then(|r| ix.rooms.get(r)) else {
            continue;
        };
        if room.capacity > 0 && n > room.capacity {
            out.push(problem(
                Severity::Warning,
                "session_over_capacity",
                format!(
                    "\u{201c}{}\u{201d} has {n} people on its roster, but {} seats {}.",
                    title(s),
                    room.name,
                    room.capacity
                ),
                format!(
                    "\u{201c}{}\u{201d} 참석 예정자는 {n}명인데 {}의 수용 인원은 {}명입니다.",
                    title_ko(s),
                    if room.name_ko.is_empty() {
                        &room.name
                    } else {
                        &room.name_ko
                    },
                    room.capacity
                ),
                vec![link("session", &s.id), link("venue_room", &room.id)],
            ));
        }
    }
}

/// Two sessions in one room at the same time.
fn room_double_booked(ix: &Index<'_>, out: &mut Vec<Problem>) {
    let mut by_room: Map<&str, Vec<&Session>> = Map::default();
    for s in &ix.d.sessions {
        if let Some(r) = s.venue_room_id.as_deref() {
            by_room.entry(r).or_default().push(s);
        }
    }
    let mut rooms: Vec<_> = by_room.into_iter().collect();
    rooms.sort_by_key(|(r, _)| *r);
    for (room_id, mut list) in rooms {
        list.sort_by_key(|s| (s.starts_at, s.ends_at));
        let (room, room_ko) = ix
            .rooms
            .get(room_id)
            .map(|r| (r.name.as_str(), or_other(&r.name_ko, &r.name)))
            .unwrap_or_default();
        let mut latest: Option<&Session> = None;
        for s in list {
            if let Some(prev) = latest {
                if s.starts_at < prev.ends_at {
                    out.push(problem(
                        Severity::Error,
                        "room_double_booked",
                        format!(
                            "{room} holds two sessions at once: \u{201c}{}\u{201d} and \u{201c}{}\u{201d} ({}).",
                            title(prev), title(s), ix.when(s.starts_at)
                        ),
                        format!(
                            "{room_ko}에 두 세션이 겹칩니다: \u{201c}{}\u{201d}, \u{201c}{}\u{201d}({}).",
                            title_ko(prev), title_ko(s), ix.when_ko(s.starts_at)
                        ),
                        vec![link("session", &prev.id), link("session", &s.id), link("venue_room", room_id)],
                    ));
                }
            }
            if latest.is_none_or(|p| s.ends_at > p.ends_at) {
                latest = Some(s);
            }
        }
    }
}

/// Sessions that fall outside the event's dates (after the dates were changed).
fn session_outside_event(ix: &Index<'_>, out: &mut Vec<Problem>) {
    let e = &ix.d.event;
    for s in &ix.d.sessions {
        let start = ix.local(s.starts_at).date();
        let end_local = ix.local(s.ends_at);
        // A session that ends at 00:00 ends with the previous day: a dinner until midnight on
        // the last day is inside the event.
        let end = if end_local.time() == chrono::NaiveTime::MIN && s.ends_at > s.starts_at {
            end_local.date().pred_opt().unwrap_or(end_local.date())
        } else {
            end_local.date()
        };
        if start < e.start_date || end > e.end_date {
            out.push(problem(
                Severity::Error,
                "session_outside_event",
                format!(
                    "\u{201c}{}\u{201d} ({}) is outside the event's dates, {} to {}.",
                    title(s),
                    ix.when(s.starts_at),
                    e.start_date,
                    e.end_date
                ),
                format!(
                    "\u{201c}{}\u{201d}({}) 일정이 행사 기간({} ~ {})을 벗어납니다.",
                    title_ko(s),
                    ix.when_ko(s.starts_at),
                    e.start_date,
                    e.end_date
                ),
                vec![link("session", &s.id)],
            ));
        }
    }
}

/// Landing after the first session one is on; leaving before the last one ends; no flights
/// at all for someone confirmed who travels in.
fn travel_against_agenda(ix: &Index<'_>, out: &mut Vec<Problem>) {
    for (o, person) in ix.active_people() {
        let arrival = person.arrivals.iter().min_by_key(|t| t.scheduled_at);
        let departure = person.departures.iter().max_by_key(|t| t.scheduled_at);
        let agenda = &person.agenda;
        if let (Some(a), Some(first)) = (arrival, agenda.first()) {
            if a.scheduled_at > first.starts_at {
                out.push(problem(
                    Severity::Error,
                    "arrival_after_first_session",
                    format!(
                        "{} lands at {} ({}), after \u{201c}{}\u{201d} starts at {}.",
                        name(o),
                        ix.when(a.scheduled_at),
                        a.flight,
                        title(first),
                        ix.when(first.starts_at)
                    ),
                    format!(
                        "{}님은 {}에 도착({})하는데 \u{201c}{}\u{201d}은(는) {}에 시작합니다.",
                        name(o),
                        ix.when_ko(a.scheduled_at),
                        a.flight,
                        title_ko(first),
                        ix.when_ko(first.starts_at)
                    ),
                    vec![
                        link("official", &o.id),
                        link("travel", &a.id),
                        link("session", &first.id),
                    ],
                ));
            }
        }
        if let Some(d) = departure {
            let last = agenda.iter().max_by_key(|s| s.ends_at);
            if let Some(last) = last.filter(|s| d.scheduled_at < s.ends_at) {
                out.push(problem(
                    Severity::Error,
                    "departure_before_last_session",
                    format!(
                        "{} leaves at {} ({}), before \u{201c}{}\u{201d} ends at {}.",
                        name(o),
                        ix.when(d.scheduled_at),
                        d.flight,
                        title(last),
                        ix.when(last.ends_at)
                    ),
                    format!(
                        "{}님은 {}에 출국({})하는데 \u{201c}{}\u{201d}은(는) {}에 끝납니다.",
                        name(o),
                        ix.when_ko(d.scheduled_at),
                        d.flight,
                        title_ko(last),
                        ix.when_ko(last.ends_at)
                    ),
                    vec![
                        link("official", &o.id),
                        link("travel", &d.id),
                        link("session", &last.id),
                    ],
                ));
            }
        }
        if o.status == OfficialStatus::Confirmed && ix.is_foreign(o) {
            for (missing, code, en, ko) in [
                (arrival.is_none(), "no_arrival", "arrival", "입국"),
                (departure.is_none(), "no_departure", "departure", "출국"),
            ] {
                if missing {
                    out.push(problem(
                        Severity::Warning,
                        code,
                        format!("{} is confirmed but has no {en} flight.", name(o)),
                        format!(
                            "{}님은 참석이 확정되었지만 {ko} 항공편 정보가 없습니다.",
                            name(o)
                        ),
                        vec![link("official", &o.id)],
                    ));
                }
            }
        }
    }
}

/// Each night from `from` up to (not including) `to`.
fn nights(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days().take_while(move |d| *d < to)
}

/// Nights between landing and leaving that no stay covers; stays outside any room block.
fn stays_against_travel(ix: &Index<'_>, out: &mut Vec<Problem>) {
    for (o, person) in ix.active_people() {
        let stays = person.stays.as_slice();
        for s in stays {
            if s.room_block_id.is_none() {
                let (hotel, hotel_ko) = ix.hotel(&s.hotel_id);
                out.push(problem(
                    Severity::Warning,
                    "stay_without_block",
                    format!(
                        "{}'s stay at {hotel} is not in any room block, so no room is held for it.",
                        name(o)
                    ),
                    format!(
                        "{}님의 {hotel_ko} 숙박이 객실 블록에 배정되지 않아 확보된 객실이 없습니다.",
                        name(o)
                    ),
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
                format!(
                    "{} is confirmed and comes from abroad but has no hotel stay; add one, or mark them as lodging elsewhere.",
                    name(o)
                ),
                format!(
                    "{}님은 참석이 확정된 해외 참가자인데 숙박이 없습니다. 숙박을 추가하거나 ‘별도 숙소’로 표시해 주세요.",
                    name(o)
                ),
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
            let (list, list_ko) = night_lists(&missing);
            let records = stay_records(o, stays);
            out.push(problem(
                Severity::Warning,
                "stay_gap",
                format!(
                    "{} has no hotel for the night(s) of {list} between landing and leaving.",
                    name(o)
                ),
                format!(
                    "{}님은 입국과 출국 사이 {list_ko} 밤의 숙소가 없습니다.",
                    name(o)
                ),
                records,
            ));
        }
    }
}

/// Nights as the sentences name them: "6 May, 7 May" and "5월 6일, 5월 7일".
fn night_lists(nights: &[NaiveDate]) -> (String, String) {
    let list = |format: &str| {
        nights
            .iter()
            .map(|n| n.format(format).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    (list("%-d %b"), list("%-m월 %-d일"))
}

/// The official and their stays, the records a stay problem opens.
fn stay_records(o: &Official, stays: &[&Stay]) -> Vec<Link> {
    let mut records = vec![link("official", &o.id)];
    records.extend(stays.iter().map(|s| link("stay", &s.id)));
    records
}

/// Hotel nights before the official lands or after they leave: paid for and not slept in
/// (issue 25). A landing before 06:00 needs the room from the night before, so that night
/// counts as used.
fn unused_nights(
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
    let (list, list_ko) = night_lists(&unused);
    let records = stay_records(o, stays);
    out.push(problem(
        Severity::Warning,
        "stay_unused_nights",
        format!(
            "{} has a hotel for the night(s) of {list}, before landing or after leaving: paid for and not slept in.",
            name(o)
        ),
        format!(
            "{}님은 입국 전이나 출국 후인 {list_ko} 밤에도 숙박이 잡혀 있어, 쓰지 않는 숙박비가 듭니다.",
            name(o)
        ),
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
fn fullest_night<'a>(group: &[&'a Stay]) -> Option<(usize, NaiveDate, Vec<&'a Stay>)> {
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
const DEFAULT_OCCUPANCY: usize = 2;

/// Rooms shared by more guests on one night than the room sleeps: the block's occupancy
/// when the room is in one (an error), two when no block tells the room type (a warning).
fn room_over_occupancy(
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
    let (date, date_ko) = (night.format("%-d %b"), night.format("%-m월 %-d일"));
    let records = group.iter().map(|s| link("stay", &s.id)).collect();
    match block {
        Some(b) => out.push(problem(
            Severity::Error,
            "room_over_occupancy",
            format!(
                "{names} share one {} room at {hotel} on the night of {date}, which sleeps {}.",
                b.room_type, b.occupancy
            ),
            format!(
                "{names}님이 {date_ko} 밤에 {hotel_ko}의 {} 객실 하나를 함께 쓰는데 정원은 {}명입니다.",
                b.room_type, b.occupancy
            ),
            records,
        )),
        None => out.push(problem(
            Severity::Warning,
            "room_over_occupancy",
            format!(
                "{names} share one room at {hotel} on the night of {date}; no room block tells its type, and most rooms sleep {DEFAULT_OCCUPANCY}."
            ),
            format!(
                "{names}님이 {date_ko} 밤에 {hotel_ko}의 객실 하나를 함께 쓰는데, 객실 블록이 없어 객실 종류를 알 수 없습니다(일반 객실 정원은 {DEFAULT_OCCUPANCY}명)."
            ),
            records,
        )),
    }
}

/// Room blocks that need more rooms than they hold on some night, stays booked into a block
/// on nights it does not cover, and rooms shared by more guests than the room type sleeps.
fn room_blocks(ix: &Index<'_>, out: &mut Vec<Problem>) {
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
                let (code, en, ko) = if inside {
                    (
                        "block_overallocated",
                        format!(
                            "{hotel}: {rooms_needed} {} rooms are needed on the night of {}, but the block holds {held}.",
                            block.room_type, night.format("%-d %b")
                        ),
                        format!(
                            "{hotel_ko}: {} 밤에 {} 객실이 {rooms_needed}실 필요하지만 블록은 {held}실입니다.",
                            night.format("%-m월 %-d일"), block.room_type
                        ),
                    )
                } else {
                    (
                        "stay_outside_block",
                        format!(
                            "{hotel}: {} guest(s) in the {} block stay the night of {}, which the block does not cover.",
                            guests.len(), block.room_type, night.format("%-d %b")
                        ),
                        format!(
                            "{hotel_ko}: {} 객실 블록에 배정된 {}명이 블록 기간 밖인 {} 밤에 숙박합니다.",
                            block.room_type, guests.len(), night.format("%-m월 %-d일")
                        ),
                    )
                };
                let mut records = vec![link("room_block", &block.id)];
                if !inside {
                    records.extend(guests.iter().map(|s| link("stay", &s.id)));
                }
                out.push(problem(Severity::Error, code, en, ko, records));
            }
        }
        for group in &groups {
            room_over_occupancy(ix, group, &block.hotel_id, Some(block), out);
        }
    }
}

/// Passports that are missing, without an expiry date, expired by the end of the event, or
/// expiring within six months of it (many countries refuse entry on those).
fn passports(ix: &Index<'_>, out: &mut Vec<Problem>) {
    let end = ix.d.event.end_date;
    let six_months = end.checked_add_months(Months::new(6)).unwrap_or(end);
    for o in
        ix.d.officials
            .iter()
            .filter(|o| active(o) && ix.is_foreign(o))
    {
        let records = vec![link("official", &o.id)];
        if o.passport_number.is_empty() {
            out.push(problem(
                Severity::Warning,
                "passport_missing",
                format!(
                    "{} travels from abroad but has no passport number.",
                    name(o)
                ),
                format!("{}님은 해외 참가자인데 여권번호가 없습니다.", name(o)),
                records,
            ));
        } else if let Some(expiry) = o.passport_expiry {
            if expiry <= end {
                // Expiring on the last day is as bad as before it (the flight home is later),
                // but the sentence must not say "before".
                let (when, when_ko) = if expiry == end {
                    ("the event's last day", "행사 마지막 날인")
                } else {
                    ("before the event ends", "행사 종료 전인")
                };
                out.push(problem(
                    Severity::Error,
                    "passport_expired",
                    format!("{}'s passport expires on {expiry}, {when}.", name(o)),
                    format!("{}님의 여권이 {when_ko} {expiry}에 만료됩니다.", name(o)),
                    records,
                ));
            } else if expiry < six_months {
                out.push(problem(
                    Severity::Warning,
                    "passport_expiring",
                    format!(
                        "{}'s passport expires on {expiry}, within six months of the event's end.",
                        name(o)
                    ),
                    format!(
                        "{}님의 여권 만료일({expiry})이 행사 종료 후 6개월 이내입니다.",
                        name(o)
                    ),
                    records,
                ));
            }
        } else {
            // Without the date nobody can tell whether the passport gets its holder in.
            out.push(problem(
                Severity::Warning,
                "passport_expiry_missing",
                format!(
                    "{} travels from abroad but the passport's expiry date is missing.",
                    name(o)
                ),
                format!("{}님은 해외 참가자인데 여권 만료일이 없습니다.", name(o)),
                records,
            ));
        }
    }
}

fn delegation_name(d: &Delegation) -> (&str, &str) {
    let ko = if d.name_ko.is_empty() {
        &d.name_en
    } else {
        &d.name_ko
    };
    (&d.name_en, ko)
}

/// Quotas, heads of delegation, and declined delegations that still have people coming.
fn delegations(ix: &Index<'_>, out: &mut Vec<Problem>) {
    let mut members: Map<&str, Vec<&Official>> = Map::default();
    for o in &ix.d.officials {
        if let Some(d) = o.delegation_id.as_deref() {
            members.entry(d).or_default().push(o);
        }
    }
    for d in &ix.d.delegations {
        let (en, ko) = delegation_name(d);
        let list = members
            .get(d.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let coming = list.iter().filter(|o| active(o)).count() as i64;
        if d.seats > 0 && coming > d.seats {
            out.push(problem(
                Severity::Warning,
                "delegation_over_quota",
                format!("{en} has {coming} officials for {} seats.", d.seats),
                format!(
                    "{ko} 대표단 인원이 {coming}명으로 배정 좌석 {}석을 넘습니다.",
                    d.seats
                ),
                vec![link("delegation", &d.id)],
            ));
        }
        if d.status == InvitationStatus::Confirmed {
            head_of_delegation(ix, d, out);
        }
        head_marked_twice(d, list, out);
        if matches!(
            d.status,
            InvitationStatus::Declined | InvitationStatus::Withdrawn
        ) {
            let confirmed: Vec<&&Official> = list
                .iter()
                .filter(|o| o.status == OfficialStatus::Confirmed)
                .collect();
            if !confirmed.is_empty() {
                let mut records = vec![link("delegation", &d.id)];
                records.extend(confirmed.iter().map(|o| link("official", &o.id)));
                out.push(problem(
                    Severity::Error,
                    "declined_with_confirmed",
                    format!(
                        "{en} has {} the invitation but {} of its officials are still confirmed.",
                        d.status,
                        confirmed.len()
                    ),
                    format!(
                        "{ko} 대표단은 불참(또는 철회)인데 참석 확정 인원이 {}명 남아 있습니다.",
                        confirmed.len()
                    ),
                    records,
                ));
            }
        }
    }
}

/// The delegation's head field is the truth about who heads it; an official whose category
/// says "Head of delegation" and who is not that head disagrees with it (a list imported with
/// two heads, or data from before saves kept the two in step).
fn head_marked_twice(d: &Delegation, members: &[&Official], out: &mut Vec<Problem>) {
    let (en, ko) = delegation_name(d);
    for o in members.iter().filter(|o| {
        active(o)
            && o.category == Category::HeadOfDelegation
            && d.head_official_id.as_deref() != Some(o.id.as_str())
    }) {
        let mut records = vec![link("official", &o.id), link("delegation", &d.id)];
        let (why, why_ko) = match d
            .head_official_id
            .as_deref()
            .and_then(|h| members.iter().find(|m| m.id == h))
        {
            Some(head) => {
                records.push(link("official", &head.id));
                (
                    format!("{en}'s head is {}", name(head)),
                    format!("{ko} 대표단의 수석대표는 {}님입니다", name(head)),
                )
            }
            None => (
                format!("{en} has no head of delegation set"),
                format!("{ko} 대표단에는 수석대표가 지정되어 있지 않습니다"),
            ),
        };
        out.push(problem(
            Severity::Warning,
            "head_of_delegation_disagrees",
            format!(
                "{} is marked Head of delegation, but {why}; save the one who heads it as the delegation's head.",
                name(o)
            ),
            format!(
                "{}님의 구분은 수석대표인데, {why_ko}. 실제 수석대표를 대표단의 수석대표로 지정해 주세요.",
                name(o)
            ),
            records,
        ));
    }
}

/// A confirmed delegation needs a head who is coming and who belongs to it: a head who has
/// cancelled, or who sits in another delegation (picked by mistake, or moved since), leaves
/// it as headless as no head at all.
fn head_of_delegation(ix: &Index<'_>, d: &Delegation, out: &mut Vec<Problem>) {
    let (en, ko) = delegation_name(d);
    let Some(head_id) = d.head_official_id.as_deref() else {
        out.push(problem(
            Severity::Warning,
            "no_head_of_delegation",
            format!("{en} is confirmed but has no head of delegation."),
            format!("{ko} 대표단은 참석이 확정되었지만 수석대표가 지정되지 않았습니다."),
            vec![link("delegation", &d.id)],
        ));
        return;
    };
    let records = vec![link("delegation", &d.id), link("official", head_id)];
    let Some(head) = ix.official(head_id) else {
        out.push(problem(
            Severity::Warning,
            "no_head_of_delegation",
            format!("{en} is confirmed but its head of delegation is not among the event's officials."),
            format!("{ko} 대표단은 참석이 확정되었지만 지정된 수석대표가 이 행사의 참가자 명단에 없습니다."),
            vec![link("delegation", &d.id)],
        ));
        return;
    };
    if head.delegation_id.as_deref() != Some(d.id.as_str()) {
        let other = head
            .delegation_id
            .as_deref()
            .and_then(|id| ix.delegations.get(id))
            .map(|x| delegation_name(x));
        let (msg, msg_ko) = match other {
            Some((o_en, o_ko)) => (
                format!(
                    "{en}'s head of delegation, {}, belongs to another delegation ({o_en}).",
                    name(head)
                ),
                format!(
                    "{ko} 대표단의 수석대표 {}님은 다른 대표단({o_ko}) 소속입니다.",
                    name(head)
                ),
            ),
            None => (
                format!(
                    "{en}'s head of delegation, {}, is not in any delegation.",
                    name(head)
                ),
                format!(
                    "{ko} 대표단의 수석대표 {}님은 어느 대표단에도 속해 있지 않습니다.",
                    name(head)
                ),
            ),
        };
        out.push(problem(
            Severity::Warning,
            "no_head_of_delegation",
            msg,
            msg_ko,
            records,
        ));
    } else if !active(head) {
        out.push(problem(
            Severity::Warning,
            "no_head_of_delegation",
            format!(
                "{en} is confirmed but its head of delegation, {}, has cancelled.",
                name(head)
            ),
            format!(
                "{ko} 대표단은 참석이 확정되었지만 수석대표 {}님이 참석을 취소했습니다.",
                name(head)
            ),
            records,
        ));
    }
}

/// A name as a duplicate key: folded (case, accents) and with stray spaces squeezed out, so
/// "Nguyễn  Van " and "NGUYEN Van" meet.
fn name_key(text: &str) -> String {
    let folded = fold(text);
    // Most names are spaced cleanly already: no second pass and no second string for them.
    let clean = !folded.starts_with(char::is_whitespace)
        && !folded.ends_with(char::is_whitespace)
        && !folded
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b' ' && w[1] == b' ')
        && !folded.chars().any(|c| c.is_whitespace() && c != ' ');
    if clean {
        folded
    } else {
        folded.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// Two records that are probably the same person: same passport, same e-mail, or the same
/// name, nationality and date of birth (a warning); or the same name and nationality with a
/// birth date missing on one side, so nothing tells them apart (a note: namesakes are
/// common). Cancelled records are left out: cancelling the copy is how officers often
/// resolve a duplicate, and a cancelled record gets no badge, seat or room.
fn likely_duplicates(d: &EventData, out: &mut Vec<Problem>) {
    let people: Vec<&Official> = d.officials.iter().filter(|o| active(o)).collect();
    report_duplicates(duplicate_groups(&people), out);
}

/// The groups of officials sharing a key, in the order of (kind, key), with each key's kind:
/// 0 passport, 1 e-mail, 2 name, nationality and birth date, 3 name and delegation (only
/// where a birth date is missing and no passports differ: an official typed in twice by hand),
/// 4 name and nationality (only where a birth date is missing; a note). The officials of a
/// group are in the order of `people`; a pair found by several keys is reported by the first.
type Groups<'a> = Vec<(u8, Vec<&'a Official>)>;

fn duplicate_groups<'a>(people: &[&'a Official]) -> Groups<'a> {
    // Every official's keys are written into one buffer, and the map holds slices of it: at
    // 20,000 officials, that is a few allocations instead of a String and a Vec for each of
    // some 80,000 keys, whose freeing alone was two fifths of this check.
    let mut text = String::with_capacity(people.len() * 64);
    // (kind, start, end, official) for each key, in the order of `people`.
    let mut spans: Vec<(u8, usize, usize, u32)> = Vec::with_capacity(people.len() * 4);
    for (i, o) in people.iter().enumerate() {
        let i = i as u32;
        let start = text.len();
        for c in o.passport_number.chars().filter(|c| c.is_alphanumeric()) {
            text.extend(c.to_uppercase());
        }
        if text.len() > start {
            spans.push((0, start, text.len(), i));
        }
        let email = o.email.trim();
        if !email.is_empty() {
            let start = text.len();
            if email.is_ascii() {
                text.extend(email.chars().map(|c| c.to_ascii_lowercase()));
            } else {
                text.push_str(&email.to_lowercase());
            }
            spans.push((1, start, text.len(), i));
        }
        // "family|given|nationality", then "|birth date" after it: the name-and-nationality
        // key is the front of the one with the birth date.
        let (family, given) = (name_key(&o.family_name), name_key(&o.given_name));
        if let Some(delegation) = &o.delegation_id {
            let start = text.len();
            text.push_str(&family);
            text.push('|');
            text.push_str(&given);
            text.push('#');
            text.push_str(delegation);
            spans.push((3, start, text.len(), i));
        }
        let start = text.len();
        text.push_str(&family);
        text.push('|');
        text.push_str(&given);
        text.push('|');
        text.push_str(&o.nationality);
        let person = text.len();
        if let Some(birth) = o.birth_date {
            use std::fmt::Write;
            let _ = write!(text, "|{birth}");
            spans.push((2, start, text.len(), i));
        }
        if !o.nationality.is_empty() {
            spans.push((4, start, person, i));
        }
    }
    // Each key's first and last span; the others are chained through `next`, in order.
    let mut heads: Map<(u8, &str), (u32, u32)> =
        Map::with_capacity_and_hasher(spans.len(), Default::default());
    let mut next = vec![u32::MAX; spans.len()];
    for (n, &(kind, from, to, _)) in spans.iter().enumerate() {
        let n = n as u32;
        heads
            .entry((kind, &text[from..to]))
            .and_modify(|(_, last)| {
                next[*last as usize] = n;
                *last = n;
            })
            .or_insert((n, n));
    }
    let mut groups: Vec<((u8, &str), Vec<&Official>)> = heads
        .into_iter()
        .filter(|(_, (first, last))| first != last)
        .map(|(key, (first, _))| {
            let mut members = Vec::new();
            let mut n = first;
            while n != u32::MAX {
                members.push(people[spans[n as usize].3 as usize]);
                n = next[n as usize];
            }
            (key, members)
        })
        .filter(|((kind, _), v)| namesakes_ruled_out(*kind, v))
        .collect();
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    groups
        .into_iter()
        .map(|((kind, _), members)| (kind, members))
        .collect()
}

/// Whether a group of one name is not simply namesakes: the same name and nationality, or the
/// same name in one delegation, only counts when a birth date is missing (with both dates
/// known, equal dates are rule 2 and different ones are namesakes) and, in a delegation,
/// when no two passport numbers differ.
fn namesakes_ruled_out(kind: u8, group: &[&Official]) -> bool {
    match kind {
        4 => group.iter().any(|o| o.birth_date.is_none()),
        3 => {
            let mut passports = group
                .iter()
                .map(|o| o.passport_number.trim())
                .filter(|p| !p.is_empty());
            let first = passports.next();
            group.iter().any(|o| o.birth_date.is_none()) && passports.all(|p| Some(p) == first)
        }
        _ => true,
    }
}

/// An official's same-person keys of kinds 0 to 3 (see [`duplicate_groups`]): what the import
/// indexes its rows and the event's officials by, so that the import, the save and the
/// dashboard find the same duplicates by one rule.
pub(crate) fn same_person_keys(o: &Official) -> Vec<(u8, String)> {
    let mut keys = Vec::with_capacity(4);
    let passport: String = o
        .passport_number
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect();
    if !passport.is_empty() {
        keys.push((0, passport));
    }
    let email = o.email.trim();
    if !email.is_empty() {
        keys.push((1, email.to_lowercase()));
    }
    let (family, given) = (name_key(&o.family_name), name_key(&o.given_name));
    if let Some(birth) = o.birth_date {
        keys.push((2, format!("{family}|{given}|{}|{birth}", o.nationality)));
    }
    if let Some(delegation) = &o.delegation_id {
        keys.push((3, format!("{family}|{given}#{delegation}")));
    }
    keys
}

/// Whether two officials sharing a key of `kind` are taken for one person (a shared name in
/// one delegation is not, when both birth dates are known or the passports differ).
pub(crate) fn same_person(kind: u8, a: &Official, b: &Official) -> bool {
    namesakes_ruled_out(kind, &[a, b])
}

/// Why the officials of a group of `kind` are taken for one person, in English and Korean.
fn same_person_reason(kind: u8) -> (&'static str, &'static str) {
    match kind {
        0 => ("the same passport number", "여권번호가 같습니다"),
        1 => ("the same e-mail address", "이메일 주소가 같습니다"),
        2 => (
            "the same name, nationality and date of birth",
            "이름·국적·생년월일이 같습니다",
        ),
        3 => ("the same name and delegation", "이름과 대표단이 같습니다"),
        _ => (
            "same name and nationality; no birth date to tell them apart",
            "이름·국적이 같고, 구별할 생년월일이 없습니다",
        ),
    }
}

/// An official of the event that `candidate` (being saved) looks like.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Lookalike {
    pub official_id: String,
    pub name: String,
    pub reason_en: String,
    pub reason_ko: String,
}

/// The officials of the event an official about to be saved would duplicate, by the rule
/// the dashboard lists likely duplicates with (so that the two never disagree). A cancelled
/// official is no lookalike, nor is the official itself.
pub fn lookalikes(conn: &rusqlite::Connection, candidate: &Official) -> Result<Vec<Lookalike>> {
    let others: Vec<Official> = {
        let mut stmt = conn.prepare(&format!(
            "SELECT {} FROM official x WHERE x.event_id = ? AND x.id <> ? AND x.status <> 'cancelled'",
            Official::select("x")
        ))?;
        let rows = stmt.query_map([&candidate.event_id, &candidate.id], Official::from_row)?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut people: Vec<&Official> = vec![candidate];
    people.extend(others.iter());
    let mut found: Vec<Lookalike> = Vec::new();
    for (kind, group) in duplicate_groups(&people) {
        if !group.iter().any(|o| std::ptr::eq(*o, candidate)) {
            continue;
        }
        let (en, ko) = same_person_reason(kind);
        for o in group.iter().filter(|o| !std::ptr::eq(**o, candidate)) {
            if found.iter().any(|f| f.official_id == o.id) {
                continue;
            }
            found.push(Lookalike {
                official_id: o.id.clone(),
                name: o.full_name(),
                reason_en: en.to_string(),
                reason_ko: ko.to_string(),
            });
        }
    }
    Ok(found)
}

/// One problem per group, a group with the same officials as an earlier one left out.
fn report_duplicates(groups: Groups<'_>, out: &mut Vec<Problem>) {
    let mut seen: BTreeSet<Vec<&str>> = BTreeSet::new();
    for (kind, group) in groups {
        let mut ids: Vec<&str> = group.iter().map(|o| o.id.as_str()).collect();
        ids.sort_unstable();
        if !seen.insert(ids) {
            continue;
        }
        let names = group.iter().map(|o| name(o)).collect::<Vec<_>>().join(", ");
        let records = group.iter().map(|o| link("official", &o.id)).collect();
        let (why, why_ko) = match kind {
            0..=3 => same_person_reason(kind),
            _ => {
                out.push(problem(
                    Severity::Info,
                    "likely_duplicate",
                    format!(
                        "{names} may be one person: same name and nationality; no birth date to tell them apart."
                    ),
                    format!(
                        "{names}: 같은 사람일 수 있습니다(이름·국적이 같고, 구별할 생년월일이 없습니다)."
                    ),
                    records,
                ));
                continue;
            }
        };
        out.push(problem(
            Severity::Warning,
            "likely_duplicate",
            format!("{names} may be one person: {why}."),
            format!("{names}: 같은 사람일 수 있습니다({why_ko})."),
            records,
        ));
    }
}

/// Runs every check; problems come worst first, then by code and sentence.
pub fn run_all(data: &EventData) -> Vec<Problem> {
    let mut out = std::thread::scope(|scope| {
        // Comparing every official with every other is the largest single check and needs no
        // index: it runs on the other core while the rest build their index and run.
        let duplicates = scope.spawn(|| {
            let mut out = Vec::new();
            likely_duplicates(data, &mut out);
            out
        });
        let ix = Index::new(data);
        let mut out = Vec::new();
        official_double_booked(&ix, &mut out);
        session_over_capacity(&ix, &mut out);
        room_double_booked(&ix, &mut out);
        session_outside_event(&ix, &mut out);
        travel_against_agenda(&ix, &mut out);
        stays_against_travel(&ix, &mut out);
        room_blocks(&ix, &mut out);
        passports(&ix, &mut out);
        delegations(&ix, &mut out);
        match duplicates.join() {
            Ok(found) => out.extend(found),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        out
    });
    out.sort_by(|a, b| (a.severity, a.code, &a.message).cmp(&(b.severity, b.code, &b.message)));
    out
}

/// The checks' test event, shared with the dashboard's tests.
#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("instant")
    }

    pub(crate) fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    pub(crate) fn official(id: &str, family: &str) -> Official {
        Official {
            id: id.into(),
            event_id: "e".into(),
            delegation_id: Some("d".into()),
            family_name: family.into(),
            given_name: "Van".into(),
            nationality: "VN".into(),
            status: OfficialStatus::Confirmed,
            passport_number: format!("C{id}0001"),
            passport_expiry: Some(day("2030-01-01")),
            email: format!("{id}@example.org"),
            ..Official::default()
        }
    }

    pub(crate) fn leg(id: &str, who: &str, direction: Direction, when: &str) -> Travel {
        Travel {
            id: id.into(),
            official_id: who.into(),
            direction,
            flight: "VN416".into(),
            scheduled_at: at(when),
            ..Travel::default()
        }
    }

    fn session(id: &str, room: Option<&str>, from: &str, to: &str) -> Session {
        Session {
            id: id.into(),
            event_id: "e".into(),
            title_en: id.into(),
            starts_at: at(from),
            ends_at: at(to),
            venue_room_id: room.map(Into::into),
            ..Session::default()
        }
    }

    fn on(session: &str, official: &str) -> Participant {
        Participant {
            id: format!("{session}-{official}"),
            session_id: session.into(),
            official_id: official.into(),
            ..Participant::default()
        }
    }

    /// A small event with nothing wrong: two Vietnamese officials who share a twin room,
    /// land the day before and leave on the last evening, and sit in two morning sessions.
    pub(crate) fn clean() -> EventData {
        EventData {
            event: Event {
                id: "e".into(),
                name_en: "Forum".into(),
                start_date: day("2024-05-07"),
                end_date: day("2024-05-09"),
                time_zone: "Asia/Seoul".into(),
                host_country: "KR".into(),
                ..Event::default()
            },
            delegations: vec![Delegation {
                id: "d".into(),
                event_id: "e".into(),
                country_code: Some("VN".into()),
                name_en: "Vietnam".into(),
                status: InvitationStatus::Confirmed,
                seats: 2,
                head_official_id: Some("o1".into()),
                ..Delegation::default()
            }],
            officials: vec![official("o1", "Nguyen"), official("o2", "Tran")],
            travel: vec![
                leg("a1", "o1", Direction::Arrival, "2024-05-06T01:00:00Z"),
                leg("a2", "o2", Direction::Arrival, "2024-05-06T01:00:00Z"),
                leg("x1", "o1", Direction::Departure, "2024-05-09T12:00:00Z"),
                leg("x2", "o2", Direction::Departure, "2024-05-09T12:00:00Z"),
            ],
            hotels: vec![Hotel {
                id: "h".into(),
                name: "Hotel".into(),
                ..Hotel::default()
            }],
            blocks: vec![RoomBlock {
                id: "b".into(),
                hotel_id: "h".into(),
                room_type: "Twin".into(),
                occupancy: 2,
                first_night: day("2024-05-06"),
                last_night: day("2024-05-08"),
                rooms: 1,
                ..RoomBlock::default()
            }],
            stays: ["o1", "o2"]
                .iter()
                .map(|o| Stay {
                    id: format!("stay-{o}"),
                    official_id: (*o).into(),
                    hotel_id: "h".into(),
                    room_block_id: Some("b".into()),
                    check_in: day("2024-05-06"),
                    check_out: day("2024-05-09"),
                    shares_with_id: Some(if *o == "o1" { "o2" } else { "o1" }.into()),
                    ..Stay::default()
                })
                .collect(),
            rooms: vec![VenueRoom {
                id: "r".into(),
                name: "Hall".into(),
                capacity: 10,
                ..VenueRoom::default()
            }],
            sessions: vec![
                session(
                    "s1",
                    Some("r"),
                    "2024-05-07T00:00:00Z",
                    "2024-05-07T01:00:00Z",
                ),
                session(
                    "s2",
                    Some("r"),
                    "2024-05-07T02:00:00Z",
                    "2024-05-07T03:00:00Z",
                ),
            ],
            participants: vec![
                on("s1", "o1"),
                on("s1", "o2"),
                on("s2", "o1"),
                on("s2", "o2"),
            ],
        }
    }

    /// Applies `change` to the clean event and compares the codes of what the checks find.
    fn check(change: impl FnOnce(&mut EventData), expect: &[&str]) {
        let mut d = clean();
        change(&mut d);
        let found: BTreeSet<&str> = run_all(&d).iter().map(|p| p.code).collect();
        let expect: BTreeSet<&str> = expect.iter().copied().collect();
        assert_eq!(found, expect);
    }

    /// Applies `change` to the clean event and returns everything the checks find.
    fn problems(change: impl FnOnce(&mut EventData)) -> Vec<Problem> {
        let mut d = clean();
        change(&mut d);
        run_all(&d)
    }

    /// The first problem with `code` that `change` brings (a block short on three nights
    /// is three problems, all worded alike).
    fn only(change: impl FnOnce(&mut EventData), code: &str) -> Problem {
        let found = problems(change);
        found
            .iter()
            .find(|p| p.code == code)
            .cloned()
            .unwrap_or_else(|| panic!("no {code} in {found:#?}"))
    }

    /// A third Vietnamese official, confirmed, with flights for the whole event and no stay;
    /// the delegation gets a seat for them.
    fn third(d: &mut EventData) {
        d.officials.push(official("o3", "Le"));
        d.travel
            .push(leg("a3", "o3", Direction::Arrival, "2024-05-06T01:00:00Z"));
        d.travel.push(leg(
            "x3",
            "o3",
            Direction::Departure,
            "2024-05-09T12:00:00Z",
        ));
        d.delegations[0].seats = 3;
    }

    fn stay(id: &str, who: &str, from: &str, to: &str, mate: Option<&str>) -> Stay {
        Stay {
            id: id.into(),
            official_id: who.into(),
            hotel_id: "h".into(),
            room_block_id: Some("b".into()),
            check_in: day(from),
            check_out: day(to),
            shares_with_id: mate.map(Into::into),
            ..Stay::default()
        }
    }

    pub(crate) fn official_mut<'a>(d: &'a mut EventData, id: &str) -> &'a mut Official {
        d.officials
            .iter_mut()
            .find(|o| o.id == id)
            .expect("official")
    }

    #[test]
    fn the_clean_event_has_no_problems() {
        let problems = run_all(&clean());
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn double_booked_official() {
        check(
            |d| {
                d.sessions.push(session(
                    "s3",
                    None,
                    "2024-05-07T00:30:00Z",
                    "2024-05-07T01:30:00Z",
                ));
                d.participants.push(on("s3", "o1"));
            },
            &["official_double_booked"],
        );
        // Back to back is fine.
        check(
            |d| {
                d.sessions.push(session(
                    "s3",
                    None,
                    "2024-05-07T01:00:00Z",
                    "2024-05-07T02:00:00Z",
                ));
                d.participants.push(on("s3", "o1"));
            },
            &[],
        );
    }

    #[test]
    fn room_capacity_and_double_booking() {
        check(|d| d.rooms[0].capacity = 1, &["session_over_capacity"]);
        check(|d| d.rooms[0].capacity = 2, &[]);
        check(
            |d| {
                d.sessions[1].starts_at = at("2024-05-07T00:30:00Z");
                d.participants.retain(|p| p.session_id != "s2");
            },
            &["room_double_booked"],
        );
        check(
            |d| {
                d.sessions[1].starts_at = at("2024-05-07T00:30:00Z");
                d.sessions[1].venue_room_id = None;
                d.participants.retain(|p| p.session_id != "s2");
            },
            &[],
        );
    }

    #[test]
    fn sessions_outside_the_event() {
        check(
            |d| {
                d.sessions[1].starts_at = at("2024-05-09T15:00:00Z");
                d.sessions[1].ends_at = at("2024-05-09T16:00:00Z");
                d.participants.retain(|p| p.session_id != "s2");
            },
            &["session_outside_event"],
        );
        // 23:00–23:59 in Seoul on the last day is still inside, though it is the same UTC day.
        check(
            |d| {
                d.sessions[1].starts_at = at("2024-05-09T14:00:00Z");
                d.sessions[1].ends_at = at("2024-05-09T14:59:00Z");
                d.participants.retain(|p| p.session_id != "s2");
            },
            &[],
        );
    }

    #[test]
    fn flights_against_the_agenda() {
        // Landing on the 7th, the room is booked from the 6th: late, and a night unused.
        check(
            |d| d.travel[0].scheduled_at = at("2024-05-07T00:30:00Z"),
            &["arrival_after_first_session", "stay_unused_nights"],
        );
        // Leaving on the 7th with the room booked to the 9th: two nights unused as well.
        check(
            |d| d.travel[2].scheduled_at = at("2024-05-07T02:30:00Z"),
            &["departure_before_last_session", "stay_unused_nights"],
        );
        check(
            |d| d.travel[2].scheduled_at = at("2024-05-07T03:00:00Z"),
            &["stay_unused_nights"],
        );
        check(|d| d.travel.retain(|t| t.id != "a1"), &["no_arrival"]);
        check(|d| d.travel.retain(|t| t.id != "x2"), &["no_departure"]);
        // Not confirmed yet, or not travelling from abroad: no flight expected.
        check(
            |d| {
                d.travel.retain(|t| t.id != "a1");
                official_mut(d, "o1").status = OfficialStatus::Registered;
            },
            &[],
        );
        check(
            |d| {
                d.travel.retain(|t| t.official_id != "o1");
                d.stays.retain(|s| s.official_id != "o1");
                d.stays[0].shares_with_id = None;
                official_mut(d, "o1").nationality = "KR".into();
            },
            &[],
        );
    }

    #[test]
    fn hotel_nights_and_blocks() {
        check(|d| d.stays[0].check_out = day("2024-05-08"), &["stay_gap"]);
        check(
            |d| {
                d.stays[0].room_block_id = None;
                d.stays[0].shares_with_id = None;
                d.stays[1].shares_with_id = None;
            },
            &["stay_without_block"],
        );
        check(
            |d| {
                d.stays[0].shares_with_id = None;
                d.stays[1].shares_with_id = None;
            },
            &["block_overallocated"],
        );
        check(
            |d| {
                d.stays[0].shares_with_id = None;
                d.stays[1].shares_with_id = None;
                d.blocks[0].rooms = 2;
            },
            &[],
        );
        check(
            |d| d.blocks[0].last_night = day("2024-05-07"),
            &["stay_outside_block"],
        );
        check(|d| d.blocks[0].occupancy = 1, &["room_over_occupancy"]);
        // One side of a shared room naming the other is enough.
        check(|d| d.stays[1].shares_with_id = None, &[]);
    }

    #[test]
    fn passports() {
        check(
            |d| official_mut(d, "o1").passport_number.clear(),
            &["passport_missing"],
        );
        check(
            |d| official_mut(d, "o1").passport_expiry = Some(day("2024-05-08")),
            &["passport_expired"],
        );
        check(
            |d| official_mut(d, "o1").passport_expiry = Some(day("2024-08-01")),
            &["passport_expiring"],
        );
        check(
            |d| official_mut(d, "o1").passport_expiry = Some(day("2024-11-10")),
            &[],
        );
        check(
            |d| {
                let o = official_mut(d, "o1");
                o.passport_number.clear();
                o.nationality = "KR".into();
            },
            &[],
        );
    }

    #[test]
    fn delegations() {
        check(|d| d.delegations[0].seats = 1, &["delegation_over_quota"]);
        check(|d| d.delegations[0].seats = 0, &[]);
        check(
            |d| d.delegations[0].head_official_id = None,
            &["no_head_of_delegation"],
        );
        check(
            |d| {
                d.delegations[0].head_official_id = None;
                d.delegations[0].status = InvitationStatus::Invited;
            },
            &[],
        );
        check(
            |d| d.delegations[0].status = InvitationStatus::Declined,
            &["declined_with_confirmed"],
        );
        check(
            |d| {
                d.delegations[0].status = InvitationStatus::Withdrawn;
                for o in &mut d.officials {
                    o.status = OfficialStatus::Cancelled;
                }
            },
            &[],
        );
    }

    /// The key-building `likely_duplicates` had before its keys shared one buffer: a map
    /// from owned keys to the officials under each. The oracle of the test below.
    fn duplicate_groups_by_owned_keys<'a>(people: &[&'a Official]) -> Groups<'a> {
        let mut keys: Map<(u8, String), Vec<&Official>> = Map::default();
        for &o in people {
            let passport: String = o
                .passport_number
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect();
            if !passport.is_empty() {
                keys.entry((0, passport.to_uppercase()))
                    .or_default()
                    .push(o);
            }
            let email = o.email.trim();
            if !email.is_empty() {
                keys.entry((1, email.to_lowercase())).or_default().push(o);
            }
            let person = format!(
                "{}|{}|{}",
                name_key(&o.family_name),
                name_key(&o.given_name),
                o.nationality
            );
            if let Some(birth) = o.birth_date {
                keys.entry((2, format!("{person}|{birth}")))
                    .or_default()
                    .push(o);
            }
            if !o.nationality.is_empty() {
                keys.entry((4, person)).or_default().push(o);
            }
            if let Some(delegation) = &o.delegation_id {
                let key = format!(
                    "{}|{}#{delegation}",
                    name_key(&o.family_name),
                    name_key(&o.given_name)
                );
                keys.entry((3, key)).or_default().push(o);
            }
        }
        let mut groups: Vec<_> = keys
            .into_iter()
            .filter(|((kind, _), v)| v.len() > 1 && namesakes_ruled_out(*kind, v))
            .collect();
        groups.sort_by(|a, b| a.0.cmp(&b.0));
        groups.into_iter().map(|((kind, _), v)| (kind, v)).collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// On events full of near-collisions (few names, spellings in other cases and with
        /// spaces, shared passports and e-mails, missing birth dates, cancelled copies), the
        /// shared-buffer keys find exactly the groups the owned keys found, in the same order.
        #[test]
        fn duplicates_found_through_one_buffer_equal_those_of_owned_keys(
            people in proptest::collection::vec(
                (0usize..4, 0usize..3, 0usize..3, 0usize..4, 0usize..4, 0usize..4, 0usize..5),
                0..60,
            )
        ) {
            let families = ["Nguyen", "NGUYỄN", " nguyen  ", "Σοφία"];
            let givens = ["Van", "van", "Lan"];
            let nations = ["VN", "KR", ""];
            let passports = ["", "C-123 456", "c123456", "ΑΒ-1"];
            let emails = ["", "A@Example.org", " a@example.org ", "ΣΑΣ@example.org"];
            let births = [None, Some("1970-01-01"), Some("1980-05-05"), None];
            let mut d = clean();
            d.officials = people
                .iter()
                .enumerate()
                .map(|(i, &(f, g, n, p, e, b, status))| Official {
                    family_name: families[f].into(),
                    given_name: givens[g].into(),
                    nationality: nations[n].into(),
                    passport_number: passports[p].into(),
                    email: emails[e].into(),
                    birth_date: births[b].map(day),
                    status: if status == 0 { OfficialStatus::Cancelled } else { OfficialStatus::Confirmed },
                    // Two delegations and none, so that the same-name-and-delegation key meets
                    // and misses.
                    delegation_id: [None, Some("d1".to_string()), Some("d2".to_string())][(f + g + i) % 3].clone(),
                    ..official(&format!("p{i:02}"), "")
                })
                .collect();
            let people: Vec<&Official> = d.officials.iter().filter(|o| active(o)).collect();
            proptest::prop_assert_eq!(
                duplicate_groups(&people),
                duplicate_groups_by_owned_keys(&people)
            );
        }
    }

    #[test]
    fn a_confirmed_guest_from_abroad_without_a_hotel() {
        let no_stay = |d: &mut EventData| {
            let id = official_mut(d, "o2").id.clone();
            d.stays.retain(|s| s.official_id != id);
            d.travel.retain(|t| t.official_id != id);
        };
        let found: Vec<&str> = problems(no_stay).iter().map(|p| p.code).collect();
        assert!(found.contains(&"no_hotel_stay"), "{found:?}");
        // Marked as lodging elsewhere (with their embassy), nothing to say.
        let found: Vec<&str> = problems(|d| {
            no_stay(d);
            official_mut(d, "o2").lodges_elsewhere = true;
        })
        .iter()
        .map(|p| p.code)
        .collect();
        assert!(!found.contains(&"no_hotel_stay"), "{found:?}");
        // A local official needs none either.
        let found: Vec<&str> = problems(|d| {
            no_stay(d);
            official_mut(d, "o2").nationality = "KR".into();
        })
        .iter()
        .map(|p| p.code)
        .collect();
        assert!(!found.contains(&"no_hotel_stay"), "{found:?}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// The import's keys (`same_person_keys` and `same_person`) take two officials for one
        /// person exactly when the dashboard's groups do, for the warning kinds 0 to 3.
        #[test]
        fn the_import_and_the_dashboard_share_one_rule(
            a in (0usize..3, 0usize..2, 0usize..3, 0usize..3, 0usize..3, 0usize..3, 0usize..3),
            b in (0usize..3, 0usize..2, 0usize..3, 0usize..3, 0usize..3, 0usize..3, 0usize..3),
        ) {
            let families = ["Nguyen", "NGUYỄN", "Tran"];
            let givens = ["Van", "Lan"];
            let nations = ["VN", "KR", ""];
            let passports = ["", "C-123 456", "Z1"];
            let emails = ["", "A@Example.org", "b@example.org"];
            let births = [None, Some("1970-01-01"), Some("1980-05-05")];
            let delegations = [None, Some("d1"), Some("d2")];
            let make = |id: &str, (f, g, n, p, e, bd, d): (usize, usize, usize, usize, usize, usize, usize)| Official {
                family_name: families[f].into(),
                given_name: givens[g].into(),
                nationality: nations[n].into(),
                passport_number: passports[p].into(),
                email: emails[e].into(),
                birth_date: births[bd].map(day),
                delegation_id: delegations[d].map(str::to_string),
                ..official(id, "")
            };
            let (x, y) = (make("a", a), make("b", b));
            let groups = duplicate_groups(&[&x, &y]);
            let by_groups = groups.iter().any(|(kind, g)| *kind <= 3 && g.len() == 2);
            let keys_x = same_person_keys(&x);
            let by_keys = same_person_keys(&y)
                .iter()
                .any(|k| keys_x.contains(k) && same_person(k.0, &x, &y));
            proptest::prop_assert_eq!(by_groups, by_keys);
        }
    }

    #[test]
    fn an_official_typed_twice_by_hand_is_a_likely_duplicate() {
        // The same name in the same delegation, typed without passport or nationality.
        let typed_twice = |d: &mut EventData| {
            let first = official_mut(d, "o1").clone();
            let o2 = official_mut(d, "o2");
            o2.family_name = first.family_name.to_uppercase();
            o2.given_name = first.given_name.clone();
            o2.nationality = String::new();
            o2.passport_number = String::new();
        };
        let found: Vec<Problem> = problems(typed_twice)
            .into_iter()
            .filter(|p| p.code == "likely_duplicate")
            .collect();
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(
            (found[0].code, found[0].severity),
            ("likely_duplicate", Severity::Warning)
        );
        assert!(found[0].message.contains("the same name and delegation"));
        // Two passports that differ: two people of one name.
        check(
            |d| {
                typed_twice(d);
                official_mut(d, "o2").passport_number = "Z9999999".into();
            },
            &[],
        );
    }

    #[test]
    fn a_head_of_delegation_marked_twice_disagrees() {
        // o2 is marked Head of delegation; the delegation's head is o1.
        check(
            |d| official_mut(d, "o2").category = Category::HeadOfDelegation,
            &["head_of_delegation_disagrees"],
        );
        let found = problems(|d| official_mut(d, "o2").category = Category::HeadOfDelegation);
        assert!(
            found[0]
                .message
                .contains("is marked Head of delegation, but"),
            "{}",
            found[0].message
        );
        // The head itself so marked agrees.
        check(
            |d| official_mut(d, "o1").category = Category::HeadOfDelegation,
            &[],
        );
    }

    #[test]
    fn likely_duplicates() {
        check(
            |d| official_mut(d, "o2").email = "O1@example.org".into(),
            &["likely_duplicate"],
        );
        check(
            |d| official_mut(d, "o2").passport_number = "c-o1-0001".into(),
            &["likely_duplicate"],
        );
        check(
            |d| {
                for o in &mut d.officials {
                    o.family_name = "Nguyễn".into();
                    o.birth_date = Some(day("1970-01-01"));
                }
            },
            &["likely_duplicate"],
        );
        // Same name and nationality, one birth date missing: a note, not a warning.
        let found = problems(|d| {
            for o in &mut d.officials {
                o.family_name = "Nguyen".into();
            }
            official_mut(d, "o2").birth_date = Some(day("1970-01-01"));
        });
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(
            (found[0].code, found[0].severity),
            ("likely_duplicate", Severity::Info)
        );
        assert!(
            found[0]
                .message
                .contains("no birth date to tell them apart"),
            "{}",
            found[0].message
        );
        // Both birth dates known and different: namesakes, not duplicates.
        check(
            |d| {
                for o in &mut d.officials {
                    o.family_name = "Nguyen".into();
                }
                official_mut(d, "o1").birth_date = Some(day("1960-01-01"));
                official_mut(d, "o2").birth_date = Some(day("1970-01-01"));
            },
            &[],
        );
        // Another nationality: not the same person either.
        check(
            |d| {
                for o in &mut d.officials {
                    o.family_name = "Nguyen".into();
                }
                official_mut(d, "o2").nationality = "LA".into();
            },
            &[],
        );
    }

    #[test]
    fn likely_duplicates_fold_case_and_stray_spaces() {
        let found = problems(|d| {
            let o1 = official_mut(d, "o1");
            o1.birth_date = Some(day("1970-01-01"));
            let o2 = official_mut(d, "o2");
            o2.family_name = "  nguyen ".into();
            o2.given_name = "VAN ".into();
            o2.birth_date = Some(day("1970-01-01"));
        });
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(
            found[0].message.contains("date of birth"),
            "{}",
            found[0].message
        );
        // Given names with a doubled inner space meet too.
        check(
            |d| {
                official_mut(d, "o1").given_name = "Van Minh".into();
                let o2 = official_mut(d, "o2");
                o2.family_name = "NGUYEN".into();
                o2.given_name = "van  minh".into();
            },
            &["likely_duplicate"],
        );
    }

    #[test]
    fn likely_duplicates_leave_cancelled_records_out() {
        // The copy was cancelled: that is how the officer resolved it.
        check(
            |d| {
                let o2 = official_mut(d, "o2");
                o2.email = "o1@example.org".into();
                o2.status = OfficialStatus::Cancelled;
            },
            &[],
        );
        check(
            |d| {
                let o2 = official_mut(d, "o2");
                o2.passport_number = "Co10001".into();
                o2.status = OfficialStatus::Cancelled;
            },
            &[],
        );
    }

    #[test]
    fn problems_come_worst_first_with_both_languages() {
        let mut d = clean();
        d.rooms[0].capacity = 1;
        d.travel[0].scheduled_at = at("2024-05-07T00:30:00Z");
        let problems = run_all(&d);
        assert_eq!(problems[0].severity, Severity::Error);
        assert_eq!(problems.last().map(|p| p.severity), Some(Severity::Warning));
        assert!(
            problems[0]
                .message
                .contains("NGUYEN Van lands at 7 May 09:30 (VN416)"),
            "{}",
            problems[0].message
        );
        assert!(
            problems[0].message_ko.contains("5월 7일 09:30"),
            "{}",
            problems[0].message_ko
        );
        assert_eq!(
            problems[0].records[0],
            Link {
                entity: "official",
                id: "o1".into()
            }
        );
    }

    #[test]
    fn sessions_before_the_start_or_ending_at_midnight() {
        // 09:00 in Seoul the day before the event.
        check(
            |d| {
                d.sessions[1].starts_at = at("2024-05-06T00:00:00Z");
                d.sessions[1].ends_at = at("2024-05-06T01:00:00Z");
                d.participants.retain(|p| p.session_id != "s2");
            },
            &["session_outside_event"],
        );
        // A farewell dinner on the last day, 22:00 until 00:00 in Seoul: inside.
        check(
            |d| {
                d.sessions[1].starts_at = at("2024-05-09T13:00:00Z");
                d.sessions[1].ends_at = at("2024-05-09T15:00:00Z");
                d.participants.retain(|p| p.session_id != "s2");
            },
            &[],
        );
        // One minute past midnight is the next day.
        check(
            |d| {
                d.sessions[1].starts_at = at("2024-05-09T13:00:00Z");
                d.sessions[1].ends_at = at("2024-05-09T15:01:00Z");
                d.participants.retain(|p| p.session_id != "s2");
            },
            &["session_outside_event"],
        );
    }

    #[test]
    fn session_capacity_leaves_out_cancellations_and_unknown_capacity() {
        // Two seats, two coming and one cancelled on the roster: full, not over.
        check(
            |d| {
                d.rooms[0].capacity = 2;
                let mut o3 = official("o3", "Le");
                o3.status = OfficialStatus::Cancelled;
                d.officials.push(o3);
                d.participants.push(on("s1", "o3"));
            },
            &[],
        );
        // Capacity 0 means nobody entered it, not a room with no seats.
        check(|d| d.rooms[0].capacity = 0, &[]);
    }

    #[test]
    fn korean_sentences_use_korean_names() {
        let korean = |d: &mut EventData| {
            d.hotels[0].name = "Grand Hotel".into();
            d.hotels[0].name_ko = "그랜드 호텔".into();
            d.rooms[0].name = "Hall".into();
            d.rooms[0].name_ko = "대회의실".into();
        };
        let p = only(
            |d| {
                korean(d);
                d.sessions[1].starts_at = at("2024-05-07T00:30:00Z");
                d.participants.retain(|p| p.session_id != "s2");
            },
            "room_double_booked",
        );
        assert!(p.message.starts_with("Hall "), "{}", p.message);
        assert!(p.message_ko.starts_with("대회의실에"), "{}", p.message_ko);
        for (code, change) in [
            (
                "stay_without_block",
                Box::new(|d: &mut EventData| {
                    d.stays[0].room_block_id = None;
                    d.stays[0].shares_with_id = None;
                    d.stays[1].shares_with_id = None;
                }) as Box<dyn Fn(&mut EventData)>,
            ),
            (
                "block_overallocated",
                Box::new(|d: &mut EventData| {
                    d.stays[0].shares_with_id = None;
                    d.stays[1].shares_with_id = None;
                }),
            ),
            (
                "stay_outside_block",
                Box::new(|d: &mut EventData| d.blocks[0].last_night = day("2024-05-07")),
            ),
            (
                "room_over_occupancy",
                Box::new(|d: &mut EventData| d.blocks[0].occupancy = 1),
            ),
        ] {
            let p = only(
                |d| {
                    korean(d);
                    change(d);
                },
                code,
            );
            assert!(p.message.contains("Grand Hotel"), "{code}: {}", p.message);
            assert!(
                p.message_ko.contains("그랜드 호텔"),
                "{code}: {}",
                p.message_ko
            );
            assert!(
                !p.message_ko.contains("Grand Hotel"),
                "{code}: {}",
                p.message_ko
            );
        }
        // Without a Korean name the English one stands in.
        let p = only(|d| d.blocks[0].occupancy = 1, "room_over_occupancy");
        assert!(p.message_ko.contains("Hotel의"), "{}", p.message_ko);
    }

    #[test]
    fn room_occupancy_counts_people_per_night() {
        // One guest with two back-to-back stays in the twin: still two people a night.
        check(
            |d| {
                d.stays.retain(|s| s.official_id != "o1");
                d.stays
                    .push(stay("o1-a", "o1", "2024-05-06", "2024-05-08", Some("o2")));
                d.stays
                    .push(stay("o1-b", "o1", "2024-05-08", "2024-05-09", Some("o2")));
            },
            &[],
        );
        // Roommates who follow each other: o2 leaves on the 8th, o3 takes the bed.
        check(
            |d| {
                third(d);
                d.stays[1].check_out = day("2024-05-08");
                d.travel.retain(|t| t.id != "x2");
                d.travel.push(leg(
                    "x2",
                    "o2",
                    Direction::Departure,
                    "2024-05-08T01:00:00Z",
                ));
                d.stays.push(stay(
                    "stay-o3",
                    "o3",
                    "2024-05-08",
                    "2024-05-09",
                    Some("o1"),
                ));
                d.travel.retain(|t| t.id != "a3");
                d.travel
                    .push(leg("a3", "o3", Direction::Arrival, "2024-05-08T00:00:00Z"));
            },
            &[],
        );
        // Three in the twin on the night of the 7th.
        let p = only(
            |d| {
                third(d);
                d.travel.retain(|t| t.official_id != "o3");
                d.travel
                    .push(leg("a3", "o3", Direction::Arrival, "2024-05-07T00:00:00Z"));
                d.travel.push(leg(
                    "x3",
                    "o3",
                    Direction::Departure,
                    "2024-05-08T01:00:00Z",
                ));
                d.stays.push(stay(
                    "stay-o3",
                    "o3",
                    "2024-05-07",
                    "2024-05-08",
                    Some("o1"),
                ));
            },
            "room_over_occupancy",
        );
        assert_eq!(p.severity, Severity::Error);
        assert!(p.message.contains("night of 7 May"), "{}", p.message);
        assert!(p.message.contains("LE Van"), "{}", p.message);
    }

    #[test]
    fn sharing_without_a_block_is_checked_against_a_double() {
        let unblock = |d: &mut EventData| {
            for s in &mut d.stays {
                s.room_block_id = None;
            }
        };
        // Two sharing with no block: only the missing block is worth saying.
        check(unblock, &["stay_without_block"]);
        let found = problems(|d| {
            third(d);
            d.stays.push(stay(
                "stay-o3",
                "o3",
                "2024-05-06",
                "2024-05-09",
                Some("o1"),
            ));
            unblock(d);
        });
        let crowded: Vec<&Problem> = found
            .iter()
            .filter(|p| p.code == "room_over_occupancy")
            .collect();
        assert_eq!(crowded.len(), 1, "{found:#?}");
        assert_eq!(crowded[0].severity, Severity::Warning);
        assert!(
            crowded[0].message.contains("no room block"),
            "{}",
            crowded[0].message
        );
        assert_eq!(crowded[0].records.len(), 3);
    }

    #[test]
    fn hotel_nights_before_landing_or_after_leaving() {
        // Landing at 10:00 on the 6th, a stay from the 5th: the night of the 5th is unused.
        let p = only(
            |d| d.stays[0].check_in = day("2024-05-05"),
            "stay_unused_nights",
        );
        assert!(p.message.contains("of 5 May,"), "{}", p.message);
        assert!(p.message_ko.contains("5월 5일"), "{}", p.message_ko);
        // Leaving at 21:00 on the 9th, a stay to the 10th: the night of the 9th.
        let p = only(
            |d| d.stays[0].check_out = day("2024-05-10"),
            "stay_unused_nights",
        );
        assert!(p.message.contains("of 9 May,"), "{}", p.message);
        // Landing at 02:00 on the 6th (17:00 UTC on the 5th): the room is needed from the
        // night of the 5th.
        let found = problems(|d| {
            d.travel[0].scheduled_at = at("2024-05-05T17:00:00Z");
            d.stays[0].check_in = day("2024-05-05");
        });
        assert!(
            !found.iter().any(|p| p.code == "stay_unused_nights"),
            "{found:?}"
        );
    }

    #[test]
    fn stay_gaps() {
        // Flights but no hotel at all, from abroad.
        let p = only(
            |d| {
                d.stays.retain(|s| s.official_id != "o1");
                d.stays[0].shares_with_id = None;
            },
            "stay_gap",
        );
        assert!(p.message.contains("6 May, 7 May, 8 May"), "{}", p.message);
        // A local official with flights (a domestic leg) and no hotel: they sleep at home.
        check(
            |d| {
                d.stays.retain(|s| s.official_id != "o1");
                d.stays[0].shares_with_id = None;
                official_mut(d, "o1").nationality = "KR".into();
            },
            &[],
        );
        // Landing at 00:30 on the 7th in Seoul (15:30 UTC on the 6th): the first night is
        // the 7th, so a stay from the 7th leaves no gap.
        check(
            |d| {
                d.travel[0].scheduled_at = at("2024-05-06T15:30:00Z");
                d.stays[0].check_in = day("2024-05-07");
            },
            &[],
        );
        // Landing at 23:30 on the 6th in Seoul: the night of the 6th needs a bed.
        check(
            |d| {
                d.travel[0].scheduled_at = at("2024-05-06T14:30:00Z");
                d.stays[0].check_in = day("2024-05-07");
            },
            &["stay_gap"],
        );
    }

    #[test]
    fn organisation_staff_without_nationality_travel_in() {
        let organisation = |d: &mut EventData| {
            let del = &mut d.delegations[0];
            del.kind = DelegationKind::Organization;
            del.country_code = None;
            del.org_code = Some("ADB".into());
            del.name_en = "Asian Development Bank".into();
            for o in &mut d.officials {
                o.nationality.clear();
            }
        };
        check(organisation, &[]);
        check(
            |d| {
                organisation(d);
                d.travel.retain(|t| t.official_id != "o1");
                official_mut(d, "o1").passport_number.clear();
            },
            &["no_arrival", "no_departure", "passport_missing"],
        );
        // A recorded host nationality makes them local.
        check(
            |d| {
                organisation(d);
                d.travel.retain(|t| t.official_id != "o1");
                official_mut(d, "o1").passport_number.clear();
                official_mut(d, "o1").nationality = "KR".into();
            },
            &[],
        );
    }

    #[test]
    fn passport_dates() {
        // The event ends on 9 May: six months later is 9 November, which is enough.
        check(
            |d| official_mut(d, "o1").passport_expiry = Some(day("2024-11-09")),
            &[],
        );
        check(
            |d| official_mut(d, "o1").passport_expiry = Some(day("2024-11-08")),
            &["passport_expiring"],
        );
        // Expiring on the last day is not "before the event ends".
        let p = only(
            |d| official_mut(d, "o1").passport_expiry = Some(day("2024-05-09")),
            "passport_expired",
        );
        assert!(p.message.contains("the event's last day"), "{}", p.message);
        assert!(!p.message.contains("before"), "{}", p.message);
        assert!(p.message_ko.contains("마지막 날"), "{}", p.message_ko);
        let p = only(
            |d| official_mut(d, "o1").passport_expiry = Some(day("2024-05-08")),
            "passport_expired",
        );
        assert!(p.message.contains("before the event ends"), "{}", p.message);
        // A number but no expiry date.
        check(
            |d| official_mut(d, "o1").passport_expiry = None,
            &["passport_expiry_missing"],
        );
        check(
            |d| {
                let o = official_mut(d, "o1");
                o.passport_expiry = None;
                o.nationality = "KR".into();
            },
            &[],
        );
    }

    #[test]
    fn heads_who_cancelled_or_belong_elsewhere() {
        let p = only(
            |d| official_mut(d, "o1").status = OfficialStatus::Cancelled,
            "no_head_of_delegation",
        );
        assert!(
            p.message.contains("NGUYEN Van, has cancelled"),
            "{}",
            p.message
        );
        assert!(p.records.contains(&link("official", "o1")));
        let p = only(
            |d| {
                d.delegations.push(Delegation {
                    id: "d2".into(),
                    event_id: "e".into(),
                    country_code: Some("TH".into()),
                    name_en: "Thailand".into(),
                    name_ko: "태국".into(),
                    ..Delegation::default()
                });
                official_mut(d, "o1").delegation_id = Some("d2".into());
            },
            "no_head_of_delegation",
        );
        assert!(
            p.message
                .contains("belongs to another delegation (Thailand)"),
            "{}",
            p.message
        );
        assert!(p.message_ko.contains("태국"), "{}", p.message_ko);
        // Only a confirmed delegation needs a head.
        check(
            |d| {
                official_mut(d, "o1").status = OfficialStatus::Cancelled;
                d.delegations[0].status = InvitationStatus::Invited;
            },
            &[],
        );
    }
}
