//! Itineraries: for each official, when they land and who meets them, where they sleep, every
//! session they are on, when they leave, and whom to call — as a PDF in the official's own
//! language (Korean or English) and as an iCalendar file.
//!
//! PDFs are typeset many officials to one typst compilation (the template restarts the page
//! counter for each person), on every core, and the pages are then cut back into one PDF per
//! official: a thousand itineraries cost tens of compilations, not a thousand.
//!
//! Calendar files carry one VEVENT per flight, hotel stay and session, with UIDs made from the
//! records' ids, so importing an updated file updates the events instead of adding copies;
//! times are UTC (exact, and needing no VTIMEZONE), hotel stays are all-day dates.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use icalendar::{Calendar, Component, Event as CalEvent, EventLike};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use typst_layout::PagedDocument;

use super::data::{delegation_label, hotel_label, official_label, organization_beside, Ctx};
use super::{
    compile, in_chunks, joined, pdf_bytes, split, Document, Fonts, PrintRequest, Progress,
};
use crate::dates::{day_heading, event_dates, long_date, short_date};
use crate::error::{Error, Result};
use crate::export::pick;
use crate::files::{safe_file_stem, unique_file_names};
use crate::model::*;
use crate::queries::{self, OfficialRow};
use crate::store::Store;

const ITINERARY_TEMPLATE: &str = include_str!("templates/itinerary.typ");

/// Itineraries per typst compilation: enough that the fixed cost of a compilation is shared,
/// few enough that progress moves and both cores get work.
const PER_CHUNK: usize = 40;

/// Whose itineraries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    Official {
        id: String,
    },
    /// One file per member, and one combined file for the delegation.
    Delegation {
        id: String,
    },
    /// One file per official not cancelled.
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ItineraryFormat {
    #[default]
    Pdf,
    Ics,
}

impl ItineraryFormat {
    pub fn parse(text: &str) -> Option<ItineraryFormat> {
        match text {
            "pdf" => Some(ItineraryFormat::Pdf),
            "ics" => Some(ItineraryFormat::Ics),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ItineraryFormat::Pdf => "pdf",
            ItineraryFormat::Ics => "ics",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItineraryRequest {
    pub event_id: String,
    pub scope: Scope,
    pub format: ItineraryFormat,
    /// The date printed on every page; `None` is today.
    #[serde(default)]
    pub printed_on: Option<NaiveDate>,
}

/// One finished file, named `Country - FAMILY Given.pdf`.
#[derive(Debug, Clone)]
pub struct ItineraryFile {
    pub name: String,
    pub bytes: Vec<u8>,
    /// The official it is for; `None` for a delegation's combined file.
    pub official_id: Option<String>,
}

/// Makes the request's files with the system's fonts.
pub fn itineraries(
    store: &Store,
    request: &ItineraryRequest,
    progress: Progress<'_>,
) -> Result<Vec<ItineraryFile>> {
    itineraries_with(store, &Fonts::system(), request, progress)
}

/// [`itineraries`] with the given fonts.
pub fn itineraries_with(
    store: &Store,
    fonts: &Fonts,
    request: &ItineraryRequest,
    progress: Progress<'_>,
) -> Result<Vec<ItineraryFile>> {
    let today = request
        .printed_on
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let plans = store.read_apart(|conn| Plans::load(conn, fonts, request))?;
    let result = match request.format {
        ItineraryFormat::Pdf => pdfs(&plans, today, progress),
        ItineraryFormat::Ics => calendars(&plans, progress),
    };
    typst::comemo::evict(0);
    result
}

/// Writes the files into `dir` (created if missing); returns how many.
pub fn write_files(dir: &Path, files: &[ItineraryFile], replace: bool) -> Result<usize> {
    let named: Vec<(&str, &[u8])> = files
        .iter()
        .map(|f| (f.name.as_str(), f.bytes.as_slice()))
        .collect();
    crate::files::write_folder(dir, &named, replace)
}

/// One official's session: the session, their role, and where it happens.
struct Booked {
    session: Session,
    role: Role,
    changed: DateTime<Utc>,
    place: String,
    place_ko: String,
    address: String,
}

/// Everything one official's itinerary shows.
struct Plan<'a> {
    row: &'a OfficialRow,
    travel: Vec<&'a Travel>,
    stays: Vec<&'a queries::StayRow>,
    sessions: Vec<&'a Booked>,
}

/// The event read once: every official in scope with their flights, stays and sessions.
struct Plans<'a> {
    ctx: Ctx<'a>,
    travel: Vec<Travel>,
    stays: Vec<queries::StayRow>,
    hotels: HashMap<String, Hotel>,
    booked: Vec<(String, Booked)>,
    /// Officials in scope, in print order.
    chosen: Vec<usize>,
    /// The delegation of a delegation scope, for the combined file.
    combined: Option<Delegation>,
}

impl<'a> Plans<'a> {
    fn load(conn: &Connection, fonts: &'a Fonts, request: &ItineraryRequest) -> Result<Plans<'a>> {
        let print = PrintRequest::new(&request.event_id, Document::Participants);
        let ctx = Ctx::load(conn, fonts, &print)?;
        let mut combined = None;
        let chosen: Vec<usize> = {
            let index: HashMap<&str, usize> = ctx
                .officials
                .iter()
                .enumerate()
                .map(|(i, r)| (r.official.id.as_str(), i))
                .collect();
            match &request.scope {
                Scope::Official { id } => {
                    let i = index
                        .get(id.as_str())
                        .ok_or(Error::NotFound { entity: "official" })?;
                    vec![*i]
                }
                Scope::Delegation { id } => {
                    let d = ctx.delegations.get(id).ok_or(Error::NotFound {
                        entity: "delegation",
                    })?;
                    combined = Some(d.clone());
                    ctx.present()
                        .into_iter()
                        .filter(|r| r.official.delegation_id.as_deref() == Some(id.as_str()))
                        .map(|r| index[r.official.id.as_str()])
                        .collect()
                }
                Scope::All => ctx
                    .present()
                    .into_iter()
                    .map(|r| index[r.official.id.as_str()])
                    .collect(),
            }
        };
        let travel = super::data::all_travel(conn, &ctx)?;
        let stays = super::data::all_stays(conn, &ctx)?;
        let hotels = super::data::hotel_names(conn, &ctx)?;
        let booked = booked(conn, &ctx.event.id)?;
        Ok(Plans {
            ctx,
            travel,
            stays,
            hotels,
            booked,
            chosen,
            combined,
        })
    }

    /// The plans of the chosen officials, in print order.
    fn plans(&self) -> Vec<Plan<'_>> {
        let chosen: HashSet<&str> = self
            .chosen
            .iter()
            .map(|&i| self.ctx.officials[i].official.id.as_str())
            .collect();
        let mut travel: HashMap<&str, Vec<&Travel>> = HashMap::new();
        for t in &self.travel {
            if chosen.contains(t.official_id.as_str()) {
                travel.entry(t.official_id.as_str()).or_default().push(t);
            }
        }
        let mut stays: HashMap<&str, Vec<&queries::StayRow>> = HashMap::new();
        for s in &self.stays {
            if chosen.contains(s.stay.official_id.as_str()) {
                stays
                    .entry(s.stay.official_id.as_str())
                    .or_default()
                    .push(s);
            }
        }
        let mut sessions: HashMap<&str, Vec<&Booked>> = HashMap::new();
        for (official, b) in &self.booked {
            if chosen.contains(official.as_str()) {
                sessions.entry(official.as_str()).or_default().push(b);
            }
        }
        self.chosen
            .iter()
            .map(|&i| {
                let row = &self.ctx.officials[i];
                let id = row.official.id.as_str();
                let mut travel = travel.remove(id).unwrap_or_default();
                travel.sort_by_key(|t| t.scheduled_at);
                let mut stays = stays.remove(id).unwrap_or_default();
                stays.sort_by_key(|s| s.stay.check_in);
                let mut sessions = sessions.remove(id).unwrap_or_default();
                sessions.sort_by_key(|b| (b.session.starts_at, b.session.ends_at));
                Plan {
                    row,
                    travel,
                    stays,
                    sessions,
                }
            })
            .collect()
    }

    /// `Country - FAMILY Given`, unique within the batch.
    fn file_names(&self, plans: &[Plan<'_>], ext: &str) -> Vec<String> {
        let stems: Vec<String> = plans
            .iter()
            .map(|p| {
                let o = &p.row.official;
                let group = match self.ctx.delegation_of(o) {
                    Some(d) => d.name_en.clone(),
                    None => o.organization.clone(),
                };
                if group.is_empty() {
                    safe_file_stem(&p.row.full_name)
                } else {
                    safe_file_stem(&format!("{group} - {}", p.row.full_name))
                }
            })
            .collect();
        unique_file_names(&stems, ext)
    }

    fn combined_name(&self, ext: &str) -> Option<String> {
        self.combined.as_ref().map(|d| {
            format!(
                "{}.{ext}",
                safe_file_stem(&format!("{} - Delegation itinerary", d.name_en))
            )
        })
    }
}

/// Every member of every session's roster with the session and its place.
fn booked(conn: &Connection, event_id: &str) -> Result<Vec<(String, Booked)>> {
    let rooms: HashMap<String, queries::VenueRoomRow> = queries::venue_rooms(conn, event_id)?
        .into_iter()
        .map(|r| (r.room.id.clone(), r))
        .collect();
    let venues: HashMap<String, Venue> = queries::venues(conn, event_id)?
        .into_iter()
        .map(|v| (v.venue.id.clone(), v.venue))
        .collect();
    let sessions: HashMap<String, Session> = queries::sessions(conn, event_id)?
        .into_iter()
        .map(|s| (s.session.id.clone(), s.session))
        .collect();
    let entries = queries::rosters_of_event(conn, event_id)?;
    let mut out = Vec::with_capacity(entries.len());
    for p in entries {
        let Some(session) = sessions.get(&p.session_id) else {
            continue;
        };
        let room = session.venue_room_id.as_ref().and_then(|id| rooms.get(id));
        let venue = room.and_then(|r| venues.get(&r.room.venue_id));
        let join = |parts: &[&str]| {
            parts
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (place, place_ko) = match (room, venue) {
            (Some(r), Some(v)) => (
                join(&[&r.room.name, &v.name]),
                join(&[
                    if r.room.name_ko.is_empty() {
                        &r.room.name
                    } else {
                        &r.room.name_ko
                    },
                    if v.name_ko.is_empty() {
                        &v.name
                    } else {
                        &v.name_ko
                    },
                ]),
            ),
            _ => (session.location.clone(), session.location.clone()),
        };
        let address = venue.map(|v| v.address.clone()).unwrap_or_default();
        let changed = session.updated_at.max(p.updated_at);
        out.push((
            p.official_id.clone(),
            Booked {
                session: session.clone(),
                role: p.role,
                changed,
                place,
                place_ko,
                address,
            },
        ));
    }
    Ok(out)
}

fn ko(lang: Language) -> bool {
    lang == Language::Ko
}

fn session_title(s: &Session, lang: Language) -> &str {
    if ko(lang) && !s.title_ko.is_empty() {
        &s.title_ko
    } else {
        &s.title_en
    }
}

fn role_label(role: Role, lang: Language) -> String {
    let k = ko(lang);
    match role {
        Role::Participant => String::new(),
        Role::Speaker => pick(k, "out-speaker"),
        Role::Moderator => pick(k, "out-moderator"),
        Role::Chair => pick(k, "out-chair"),
        Role::Panelist => pick(k, "out-panelist"),
        Role::Guest => pick(k, "out-guest"),
        Role::Staff => pick(k, "out-staff"),
    }
}

fn route(t: &Travel) -> String {
    match t.direction {
        Direction::Arrival => format!("{} → {}", t.origin, t.airport),
        Direction::Departure => format!("{} → {}", t.airport, t.origin),
    }
}

/// The JSON one itinerary page set reads.
fn plan_json(plans: &Plans<'_>, plan: &Plan<'_>) -> Result<Value> {
    let ctx = &plans.ctx;
    let row = plan.row;
    let o = &row.official;
    let lang = o.language;
    let whose = || official_label(row);
    let mut person = ctx.person(row, false)?;
    let delegation = match ctx.delegation_of(o) {
        Some(d) => delegation_label(d, lang),
        None => o.organization.clone(),
    };
    let event_name = if ko(lang) && !ctx.event.name_ko.is_empty() {
        &ctx.event.name_ko
    } else {
        &ctx.event.name_en
    };
    let category = o.category.as_str();
    let organization = organization_beside(o, &delegation);
    ctx.extend(
        &mut person,
        &whose,
        &[
            ("position", &o.position),
            ("organization", organization),
            ("delegation", &delegation),
            ("event", event_name),
            (
                "dates",
                &event_dates(ctx.event.start_date, ctx.event.end_date, lang),
            ),
            ("city", &ctx.event.city),
            ("emergency", &ctx.event.emergency_contact),
            ("host", &ctx.event.host),
        ],
    )?;
    person.insert("category".into(), Value::from(category));
    person.insert("doc_lang".into(), Value::from(lang.as_str()));
    // An official of the host country does not fly in: no flight is not a gap to fill.
    person.insert(
        "local".into(),
        Value::from(!o.nationality.is_empty() && o.nationality == ctx.event.host_country),
    );

    let leg = |t: &Travel| -> Result<Value> {
        let when = t.scheduled_at.with_timezone(&ctx.tz);
        let mut m = ctx.fields(
            &whose,
            &[
                ("date", &day_heading(when.date_naive(), lang)),
                ("time", &when.format("%H:%M").to_string()),
                ("flight", &t.flight),
                ("route", &route(t)),
                ("airport", &t.airport),
                ("greeter", &t.greeter),
                // A leg's notes are the office's own (issue 15): never on the official's paper.
            ],
        )?;
        m.insert("pickup".into(), Value::from(t.pickup));
        m.insert("direction".into(), Value::from(t.direction.as_str()));
        Ok(Value::Object(m))
    };
    let arrivals = plan
        .travel
        .iter()
        .filter(|t| t.direction == Direction::Arrival)
        .map(|t| leg(t))
        .collect::<Result<Vec<_>>>()?;
    let departures = plan
        .travel
        .iter()
        .filter(|t| t.direction == Direction::Departure)
        .map(|t| leg(t))
        .collect::<Result<Vec<_>>>()?;

    let mut hotels = Vec::new();
    for s in &plan.stays {
        let hotel = plans.hotels.get(&s.stay.hotel_id);
        let name = hotel
            .map(|h| hotel_label(h, lang))
            .unwrap_or_else(|| s.hotel_name.clone());
        let mut m = ctx.fields(
            &whose,
            &[
                ("name", &name),
                ("address", hotel.map_or("", |h| h.address.as_str())),
                ("phone", hotel.map_or("", |h| h.phone.as_str())),
                ("check_in", &short_date(s.stay.check_in, lang)),
                ("check_out", &short_date(s.stay.check_out, lang)),
                ("room", &s.stay.room_number),
                ("room_type", &s.room_type),
                ("sharing", &s.shares_with_name),
            ],
        )?;
        m.insert(
            "nights".into(),
            Value::from((s.stay.check_out - s.stay.check_in).num_days()),
        );
        hotels.push(Value::Object(m));
    }

    // Day by day: the flights and every session, in local time.
    let mut days: BTreeMap<NaiveDate, Vec<(DateTime<Utc>, Value)>> = BTreeMap::new();
    for t in &plan.travel {
        let when = t.scheduled_at.with_timezone(&ctx.tz);
        let what = match t.direction {
            Direction::Arrival => pick(ko(lang), "out-arrival-2"),
            Direction::Departure => pick(ko(lang), "out-departure-2"),
        };
        let title = format!("{what} · {} {}", t.flight, route(t));
        let detail = match (t.pickup, t.greeter.is_empty()) {
            (true, false) => format!("{} · {}", pick(ko(lang), "out-pickup-arranged"), t.greeter),
            (true, true) => pick(ko(lang), "out-pickup-arranged").to_string(),
            (false, false) => t.greeter.clone(),
            (false, true) => String::new(),
        };
        let mut m = ctx.fields(
            &whose,
            &[
                ("time", &when.format("%H:%M").to_string()),
                ("title", title.trim()),
                ("place", &t.airport),
                ("detail", &detail),
                ("role", ""),
            ],
        )?;
        m.insert("kind".into(), Value::from(t.direction.as_str()));
        days.entry(when.date_naive())
            .or_default()
            .push((t.scheduled_at, Value::Object(m)));
    }
    for b in &plan.sessions {
        let s = &b.session;
        let start = s.starts_at.with_timezone(&ctx.tz);
        let end = s.ends_at.with_timezone(&ctx.tz);
        let place = if ko(lang) { &b.place_ko } else { &b.place };
        let mut m = ctx.fields(
            &whose,
            &[
                (
                    "time",
                    &format!("{}–{}", start.format("%H:%M"), end.format("%H:%M")),
                ),
                ("title", session_title(s, lang)),
                ("place", place),
                ("detail", &b.address),
                ("role", &role_label(b.role, lang)),
            ],
        )?;
        m.insert("kind".into(), Value::from(s.kind.as_str()));
        days.entry(start.date_naive())
            .or_default()
            .push((s.starts_at, Value::Object(m)));
    }
    let days: Vec<Value> = days
        .into_iter()
        .map(|(d, mut items)| {
            items.sort_by_key(|(at, _)| *at);
            json!({
                "title": day_heading(d, lang),
                "items": items.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
            })
        })
        .collect();

    let liaison = ctx
        .delegation_of(o)
        .map(|d| {
            ctx.fields(
                &whose,
                &[
                    ("name", &d.liaison_name),
                    ("phone", &d.liaison_phone),
                    ("email", &d.liaison_email),
                ],
            )
        })
        .transpose()?
        .map(Value::Object)
        .unwrap_or(Value::Null);

    person.insert("arrivals".into(), Value::Array(arrivals));
    person.insert("departures".into(), Value::Array(departures));
    person.insert("hotels".into(), Value::Array(hotels));
    person.insert("days".into(), Value::Array(days));
    person.insert("liaison".into(), liaison);
    Ok(Value::Object(person))
}

/// One PDF per official (and the delegation's combined PDF).
fn pdfs(plans: &Plans<'_>, today: NaiveDate, progress: Progress<'_>) -> Result<Vec<ItineraryFile>> {
    let list = plans.plans();
    let names = plans.file_names(&list, "pdf");
    let people = list
        .iter()
        .map(|p| plan_json(plans, p))
        .collect::<Result<Vec<_>>>()?;
    let total = people.len();
    progress(0, total);
    if total == 0 {
        return Err(Error::NotFound {
            entity: "official to make an itinerary for",
        });
    }
    let common = json!({
        "fonts": plans.ctx.font_lists(),
        "printed_en": long_date(today, Language::En),
        "printed_ko": long_date(today, Language::Ko),
        "words": crate::words::table("itinerary"),
        // common.typ, which the itinerary shares, reads the lists' labels.
        "labels": crate::words::table("pdf"),
    });
    let chunks: Vec<&[Value]> = people.chunks(PER_CHUNK).collect();
    let want_combined = plans.combined.is_some();
    let typeset = in_chunks(&chunks, total, progress, |_, slice| {
        let document = typeset_chunk(plans.ctx.fonts, &common, slice, today)?;
        let pdfs = split(&document, slice.len())?;
        Ok((pdfs, want_combined.then_some(document)))
    })?;
    let mut pdfs = Vec::with_capacity(total);
    let mut combined = Vec::new();
    for (chunk_pdfs, document) in typeset {
        pdfs.extend(chunk_pdfs);
        combined.extend(document);
    }
    let mut files: Vec<ItineraryFile> = pdfs
        .into_iter()
        .zip(names)
        .zip(&list)
        .map(|((bytes, name), plan)| ItineraryFile {
            name,
            bytes,
            official_id: Some(plan.row.official.id.clone()),
        })
        .collect();
    if let Some(name) = plans.combined_name("pdf") {
        files.push(ItineraryFile {
            name,
            bytes: pdf_bytes(&joined(combined))?,
            official_id: None,
        });
    }
    Ok(files)
}

fn typeset_chunk(
    fonts: &Fonts,
    common: &Value,
    people: &[Value],
    today: NaiveDate,
) -> Result<PagedDocument> {
    let mut data = common.clone();
    data["people"] = Value::Array(people.to_vec());
    let (doc, warnings) = compile(fonts, ITINERARY_TEMPLATE, &data, today)?;
    if let Some(w) = warnings.first() {
        return Err(Error::Internal(
            format!("typesetting an itinerary warned: {w}").into(),
        ));
    }
    Ok(doc)
}

/// Domain of every UID: the records' ids are UUIDs, so `kind-id@` is unique and stable.
const UID_DOMAIN: &str = "delegation-desk.invalid";

/// SEQUENCE grows whenever the record changes: seconds between creation and last change.
fn sequence(created: DateTime<Utc>, changed: DateTime<Utc>) -> u32 {
    u32::try_from((changed - created).num_seconds().max(0)).unwrap_or(u32::MAX)
}

fn join_lines(parts: &[String]) -> String {
    parts
        .iter()
        .filter(|s| !s.trim().is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join("\n")
}

/// The VEVENTs of one official's plan, keyed by UID (a delegation's combined calendar holds a
/// shared session once).
fn plan_events(plans: &Plans<'_>, plan: &Plan<'_>) -> Vec<(String, CalEvent)> {
    let lang = plan.row.official.language;
    let k = ko(lang);
    let mut out = Vec::new();
    for t in &plan.travel {
        let uid = format!("travel-{}@{UID_DOMAIN}", t.id);
        let what = match t.direction {
            Direction::Arrival => pick(k, "out-arrival-2"),
            Direction::Departure => pick(k, "out-departure-2"),
        };
        let description = join_lines(&[
            plan.row.full_name.clone(),
            if t.pickup {
                pick(k, "out-pickup-arranged").to_string()
            } else {
                String::new()
            },
            if t.greeter.is_empty() {
                String::new()
            } else {
                format!("{}: {}", pick(k, "out-greeter"), t.greeter)
            },
        ]);
        let event = CalEvent::new()
            .uid(&uid)
            .summary(format!("{what}: {} {}", t.flight, route(t)).trim())
            .starts(t.scheduled_at)
            .ends(t.scheduled_at + chrono::Duration::hours(1))
            .location(&t.airport)
            .description(&description)
            .sequence(sequence(t.created_at, t.updated_at))
            .timestamp(t.updated_at)
            .last_modified(t.updated_at)
            .done();
        out.push((uid, event));
    }
    for s in &plan.stays {
        let uid = format!("stay-{}@{UID_DOMAIN}", s.stay.id);
        let hotel = plans.hotels.get(&s.stay.hotel_id);
        let name = hotel
            .map(|h| hotel_label(h, lang))
            .unwrap_or_else(|| s.hotel_name.clone());
        let description = join_lines(&[
            plan.row.full_name.clone(),
            if s.stay.room_number.is_empty() {
                String::new()
            } else {
                format!("{}: {}", pick(k, "out-room"), s.stay.room_number)
            },
            s.room_type.clone(),
            if s.shares_with_name.is_empty() {
                String::new()
            } else {
                format!("{}: {}", pick(k, "out-sharing-with"), s.shares_with_name)
            },
            hotel.map(|h| h.phone.clone()).unwrap_or_default(),
        ]);
        let location = join_lines(&[
            name.clone(),
            hotel.map(|h| h.address.clone()).unwrap_or_default(),
        ])
        .replace('\n', ", ");
        let event = CalEvent::new()
            .uid(&uid)
            .summary(&format!("{}: {name}", pick(k, "out-hotel")))
            .all_day(s.stay.check_in)
            .ends(s.stay.check_out)
            .location(&location)
            .description(&description)
            .sequence(sequence(s.stay.created_at, s.stay.updated_at))
            .timestamp(s.stay.updated_at)
            .last_modified(s.stay.updated_at)
            .append_property(icalendar::Property::new("TRANSP", "TRANSPARENT"))
            .done();
        out.push((uid, event));
    }
    for b in &plan.sessions {
        let s = &b.session;
        let uid = format!("session-{}@{UID_DOMAIN}", s.id);
        let place = if k { &b.place_ko } else { &b.place };
        let role = role_label(b.role, lang);
        let description = join_lines(&[
            if role.is_empty() {
                String::new()
            } else {
                format!("{}: {role}", pick(k, "out-role"))
            },
            s.description.clone(),
        ]);
        let location = join_lines(&[place.clone(), b.address.clone()]).replace('\n', ", ");
        let event = CalEvent::new()
            .uid(&uid)
            .summary(session_title(s, lang))
            .starts(s.starts_at)
            .ends(s.ends_at)
            .location(&location)
            .description(&description)
            .sequence(sequence(s.created_at, b.changed))
            .timestamp(b.changed)
            .last_modified(b.changed)
            .done();
        out.push((uid, event));
    }
    out
}

fn calendar(name: &str, events: Vec<(String, CalEvent)>) -> Vec<u8> {
    let mut cal = Calendar::empty();
    cal.append_property(icalendar::Property::new("VERSION", "2.0"));
    cal.append_property(icalendar::Property::new(
        "PRODID",
        "-//Delegation Desk//Itinerary//EN",
    ));
    cal.append_property(icalendar::Property::new("CALSCALE", "GREGORIAN"));
    cal.name(name);
    let mut seen = HashSet::new();
    for (uid, event) in events {
        if seen.insert(uid) {
            cal.push(event);
        }
    }
    cal.done().to_string().into_bytes()
}

/// One calendar per official (and the delegation's combined calendar).
fn calendars(plans: &Plans<'_>, progress: Progress<'_>) -> Result<Vec<ItineraryFile>> {
    let list = plans.plans();
    if list.is_empty() {
        return Err(Error::NotFound {
            entity: "official to make an itinerary for",
        });
    }
    let names = plans.file_names(&list, "ics");
    let event_name = &plans.ctx.event.name_en;
    let mut files = Vec::with_capacity(list.len() + 1);
    let mut everyone = Vec::new();
    for (i, plan) in list.iter().enumerate() {
        let events = plan_events(plans, plan);
        let title = format!("{event_name} — {}", plan.row.full_name);
        files.push(ItineraryFile {
            name: names[i].clone(),
            bytes: calendar(&title, events.clone()),
            official_id: Some(plan.row.official.id.clone()),
        });
        if plans.combined.is_some() {
            everyone.extend(events);
        }
        progress(i + 1, list.len());
    }
    if let (Some(name), Some(d)) = (plans.combined_name("ics"), &plans.combined) {
        files.push(ItineraryFile {
            name,
            bytes: calendar(&format!("{event_name} — {}", d.name_en), everyone),
            official_id: None,
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_grows_with_every_change() {
        let t0 = DateTime::parse_from_rfc3339("2024-05-01T00:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        assert_eq!(sequence(t0, t0), 0);
        assert!(sequence(t0, t0 + chrono::Duration::seconds(5)) > sequence(t0, t0));
        assert_eq!(sequence(t0 + chrono::Duration::seconds(5), t0), 0);
    }
}
