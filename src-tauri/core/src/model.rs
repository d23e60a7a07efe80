//! Domain records: one struct per table, declared once through `record!` so that the column
//! list, row mapping, parameters and field checks can never drift apart.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::Row;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fields::{Checker, FieldValue};
use rusqlite::{Connection, OptionalExtension};

/// A stored record: what the generic storage functions in `store` need to know.
pub trait Record: Serialize + Clone + Sized {
    /// Table name, also the entity name in the change log and error messages.
    const TABLE: &'static str;
    /// Editable columns, in declaration order (without id and timestamps).
    const COLUMNS: &'static [&'static str];
    /// What to call one of these in a sentence for the officer.
    const NOUN: &'static str;

    fn id(&self) -> &str;
    fn set_meta(&mut self, id: String, created_at: DateTime<Utc>, updated_at: DateTime<Utc>);
    fn created_at(&self) -> DateTime<Utc>;
    fn updated_at(&self) -> DateTime<Utc>;
    fn params(&self) -> Vec<&dyn ToSql>;
    /// Reads a record from the first columns of a row selected with [`Record::select`].
    /// Columns are read by position: by name, rusqlite compares every column name for every
    /// value, which dominated loading a large event.
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self>;
    /// The record's columns, in the order `from_row` reads them, qualified by `alias`.
    fn select(alias: &str) -> String {
        let mut out = format!("{alias}.id");
        for c in Self::COLUMNS {
            out.push_str(&format!(", {alias}.{c}"));
        }
        out.push_str(&format!(", {alias}.created_at, {alias}.updated_at"));
        out
    }
    /// Trims text and runs the checks every field of its type gets (length, control characters).
    fn check_fields(&mut self, checker: &mut Checker);

    /// Reads one record by id, if there is one.
    fn find(conn: &Connection, id: &str) -> Result<Option<Self>> {
        let sql = format!(
            "SELECT {} FROM {} x WHERE x.id = ?",
            Self::select("x"),
            Self::TABLE
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        Ok(stmt.query_row([id], Self::from_row).optional()?)
    }

    /// Reads one record by id; a missing one is `Error::NotFound`.
    fn get(conn: &Connection, id: &str) -> Result<Self> {
        Self::find(conn, id)?.ok_or(Error::NotFound { entity: Self::NOUN })
    }

    /// Every record of this type that belongs to the event: the one way to read a whole
    /// table's share of an event (the checks, the import, the forms, the itineraries).
    fn of_event(conn: &Connection, event_id: &str) -> Result<Vec<Self>> {
        let (join, owner) = match Self::TABLE {
            "event" => ("", "x.id"),
            "room_block" => ("JOIN hotel o ON o.id = x.hotel_id", "o.event_id"),
            "venue_room" => ("JOIN venue o ON o.id = x.venue_id", "o.event_id"),
            "participant" => ("JOIN session o ON o.id = x.session_id", "o.event_id"),
            "run_passenger" => ("JOIN transfer_run o ON o.id = x.run_id", "o.event_id"),
            // Every other record carries its event (flights and stays since schema v4).
            _ => ("", "x.event_id"),
        };
        let sql = format!(
            "SELECT {} FROM {} x {join} WHERE {owner} = ?",
            Self::select("x"),
            Self::TABLE
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([event_id], Self::from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Reads the records where `filter` (about the table as `x`, one `?` for `id`) holds:
    /// `Stay::load_where(conn, "x.official_id = ?", id)`.
    fn load_where(conn: &Connection, filter: &str, id: &str) -> Result<Vec<Self>> {
        let sql = format!(
            "SELECT {} FROM {} x WHERE {filter}",
            Self::select("x"),
            Self::TABLE
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map([id], Self::from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// A record's `created_at` or `updated_at`. These are written by rusqlite as
/// `2026-12-01 11:12:56.395777323+00:00`, and that form is read here by hand: loading a whole
/// event of 20,000 officials reads some 360,000 of them, and chrono's general parser (what
/// rusqlite's `FromSql` uses) interprets its format string anew for each one, a quarter of the
/// load. Anything else falls back to that parser, so no stored form is read differently.
pub(crate) fn stamp(row: &Row<'_>, index: usize) -> rusqlite::Result<DateTime<Utc>> {
    let value = row.get_ref(index)?;
    if let ValueRef::Text(text) = value {
        if let Some(at) = utc_stamp(text) {
            return Ok(at);
        }
    }
    row.get(index)
}

/// `YYYY-MM-DD HH:MM:SS[.f…]+00:00` (one to nine digits of fraction) as a UTC instant; None
/// for any other text, including impossible dates.
fn utc_stamp(text: &[u8]) -> Option<DateTime<Utc>> {
    let text = text.strip_suffix(b"+00:00")?;
    let (main, fraction) = match text.get(19) {
        None => (text, &b""[..]),
        Some(b'.') => (&text[..19], &text[20..]),
        Some(_) => return None,
    };
    if main.len() != 19 || fraction.len() > 9 || (text.len() > 19 && fraction.is_empty()) {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        main[range].iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    if [main[4], main[7], main[10], main[13], main[16]] != *b"-- ::" {
        return None;
    }
    let mut nanos = 0u32;
    for (i, &b) in fraction.iter().enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        nanos += u32::from(b - b'0') * 10u32.pow(8 - i as u32);
    }
    let date = NaiveDate::from_ymd_opt(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?)?;
    let time = chrono::NaiveTime::from_hms_nano_opt(
        digits(11..13)?,
        digits(14..16)?,
        digits(17..19)?,
        nanos,
    )?;
    Some(date.and_time(time).and_utc())
}

/// The tables of the record types, parents before children: what `with_record_type!` knows,
/// what `ddesk record` names, what the library's health counts, what team sync shares.
pub const RECORD_TABLES: &[&str] = &[
    "event",
    "delegation",
    "official",
    "travel",
    "hotel",
    "room_block",
    "stay",
    "venue",
    "venue_room",
    "session",
    "participant",
    "vehicle",
    "transfer_run",
    "run_passenger",
    "event_entry",
];

/// Runs `$body` with `$R` bound to the record type stored in table `$table`.
macro_rules! with_record_type {
    ($table:expr, $R:ident => $body:expr) => {
        match $table {
            "event" => {
                type $R = $crate::model::Event;
                $body
            }
            "delegation" => {
                type $R = $crate::model::Delegation;
                $body
            }
            "official" => {
                type $R = $crate::model::Official;
                $body
            }
            "travel" => {
                type $R = $crate::model::Travel;
                $body
            }
            "hotel" => {
                type $R = $crate::model::Hotel;
                $body
            }
            "room_block" => {
                type $R = $crate::model::RoomBlock;
                $body
            }
            "stay" => {
                type $R = $crate::model::Stay;
                $body
            }
            "venue" => {
                type $R = $crate::model::Venue;
                $body
            }
            "venue_room" => {
                type $R = $crate::model::VenueRoom;
                $body
            }
            "session" => {
                type $R = $crate::model::Session;
                $body
            }
            "participant" => {
                type $R = $crate::model::Participant;
                $body
            }
            "vehicle" => {
                type $R = $crate::model::Vehicle;
                $body
            }
            "transfer_run" => {
                type $R = $crate::model::TransferRun;
                $body
            }
            "run_passenger" => {
                type $R = $crate::model::RunPassenger;
                $body
            }
            "event_entry" => {
                type $R = $crate::model::EventEntry;
                $body
            }
            other => Err($crate::error::Error::Internal(
                format!("no record type for table {other:?}").into(),
            )),
        }
    };
}
pub(crate) use with_record_type;

macro_rules! record {
    (
        $(#[$meta:meta])*
        pub struct $name:ident ($table:literal, $noun:literal) {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        #[serde(default)]
        pub struct $name {
            pub id: String,
            $( $(#[$fmeta])* pub $field: $ty, )*
            pub created_at: DateTime<Utc>,
            pub updated_at: DateTime<Utc>,
        }

        impl Record for $name {
            const TABLE: &'static str = $table;
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];
            const NOUN: &'static str = $noun;

            fn id(&self) -> &str {
                &self.id
            }
            fn set_meta(&mut self, id: String, created_at: DateTime<Utc>, updated_at: DateTime<Utc>) {
                self.id = id;
                self.created_at = created_at;
                self.updated_at = updated_at;
            }
            fn created_at(&self) -> DateTime<Utc> {
                self.created_at
            }
            fn updated_at(&self) -> DateTime<Utc> {
                self.updated_at
            }
            fn params(&self) -> Vec<&dyn ToSql> {
                vec![$(&self.$field as &dyn ToSql),*]
            }
            fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
                let mut column = 0usize;
                let mut next = || {
                    column += 1;
                    column - 1
                };
                Ok(Self {
                    id: row.get(next())?,
                    $( $field: row.get(next())?, )*
                    created_at: stamp(row, next())?,
                    updated_at: stamp(row, next())?,
                })
            }
            fn check_fields(&mut self, checker: &mut Checker) {
                $( FieldValue::check(&mut self.$field, stringify!($field), checker); )*
            }
        }
    };
}

/// A closed set of values stored as text; serde, SQL and the UI all use the same strings.
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                $name::parse(text).ok_or_else(|| FromSqlError::Other(
                    format!("unknown {} {:?}", stringify!($name), text).into()))
            }
        }

        impl FieldValue for $name {}
    };
}

text_enum! {
    pub enum VehicleKind {
        Car = "car",
        #[default]
        Van = "van",
        Minibus = "minibus",
        Bus = "bus",
    }
}

text_enum! {
    pub enum RunKind {
        /// From the airport to the hotel, for arrivals.
        #[default]
        Pickup = "pickup",
        /// From the hotel to the airport, for departures.
        Dropoff = "dropoff",
        /// To a session: a site visit, a dinner.
        Session = "session",
    }
}

text_enum! {
    /// Where the arrivals desk has a traveller: an arrival goes expected → landed → met → at
    /// the hotel, a departure expected → left the hotel → at the airport.
    pub enum TravelStatus {
        #[default]
        Expected = "expected",
        Landed = "landed",
        Met = "met",
        AtHotel = "at_hotel",
        LeftHotel = "left_hotel",
        AtAirport = "at_airport",
    }
}

impl TravelStatus {
    /// The statuses a flight of this direction goes through, in order.
    pub fn steps(direction: Direction) -> &'static [TravelStatus] {
        match direction {
            Direction::Arrival => &[
                TravelStatus::Expected,
                TravelStatus::Landed,
                TravelStatus::Met,
                TravelStatus::AtHotel,
            ],
            Direction::Departure => &[
                TravelStatus::Expected,
                TravelStatus::LeftHotel,
                TravelStatus::AtAirport,
            ],
        }
    }
}

text_enum! {
    /// How the event orders its delegations in the order of precedence.
    pub enum DelegationOrder {
        /// Alphabetical by English name, the UN's practice.
        #[default]
        NameEn = "name_en",
        /// By Korean name (가나다).
        NameKo = "name_ko",
        /// As the officer arranges them (`Delegation::precedence`).
        Arranged = "arranged",
    }
}

text_enum! {
    /// How a session's room is laid out for its seating plan.
    pub enum Seating {
        /// No seating plan.
        #[default]
        None = "",
        /// One line facing the room, the host in the middle.
        HeadTable = "head_table",
        /// A theatre or a classroom: rows from the front.
        Rows = "rows",
        /// Round tables, the host's table first.
        Rounds = "rounds",
    }
}

text_enum! {
    pub enum DelegationKind {
        #[default]
        Country = "country",
        Organization = "organization",
    }
}

text_enum! {
    pub enum InvitationStatus {
        #[default]
        Invited = "invited",
        Confirmed = "confirmed",
        Declined = "declined",
        Withdrawn = "withdrawn",
    }
}

text_enum! {
    pub enum Category {
        HeadOfDelegation = "head_of_delegation",
        #[default]
        Delegate = "delegate",
        Speaker = "speaker",
        Observer = "observer",
        Vip = "vip",
        Staff = "staff",
        Press = "press",
        Interpreter = "interpreter",
    }
}

text_enum! {
    pub enum Gender {
        Female = "female",
        Male = "male",
        Other = "other",
        #[default]
        Unspecified = "unspecified",
    }
}

text_enum! {
    pub enum OfficialStatus {
        #[default]
        Invited = "invited",
        Registered = "registered",
        Confirmed = "confirmed",
        Cancelled = "cancelled",
    }
}

text_enum! {
    pub enum Language {
        #[default]
        En = "en",
        Ko = "ko",
    }
}

text_enum! {
    pub enum Direction {
        #[default]
        Arrival = "arrival",
        Departure = "departure",
    }
}

text_enum! {
    pub enum SessionKind {
        #[default]
        Plenary = "plenary",
        Panel = "panel",
        Workshop = "workshop",
        SiteVisit = "site_visit",
        Meal = "meal",
        Transfer = "transfer",
        Ceremony = "ceremony",
        Break = "break",
        Other = "other",
    }
}

text_enum! {
    /// Who a session is for: its roster is derived from this and the officials' status.
    pub enum Audience {
        /// Everyone attending the event (every official not cancelled).
        Everyone = "everyone",
        /// The officials of the chosen categories and/or delegations.
        Groups = "groups",
        /// The people put on it one by one.
        #[default]
        List = "list",
    }
}

text_enum! {
    /// What a roster entry says about its official and the session's audience.
    pub enum Membership {
        /// In while the audience's rule takes them in; the entry keeps their role, attendance
        /// and notes.
        Rule = "rule",
        /// In whatever the rule says: the way a list is kept, and an exception to a rule.
        #[default]
        Added = "added",
        /// Out whatever the rule says.
        Removed = "removed",
    }
}

text_enum! {
    pub enum Role {
        #[default]
        Participant = "participant",
        Speaker = "speaker",
        Moderator = "moderator",
        Chair = "chair",
        Panelist = "panelist",
        Guest = "guest",
        Staff = "staff",
    }
}

record! {
    /// One forum or workshop; everything else belongs to an event.
    pub struct Event ("event", "event") {
        pub name_en: String,
        pub name_ko: String,
        pub start_date: NaiveDate,
        pub end_date: NaiveDate,
        /// IANA zone the event happens in; instants are shown and printed in it.
        pub time_zone: String,
        pub city: String,
        /// ISO 3166-1 code of the host country; officials of other nationalities travel in.
        pub host_country: String,
        pub host: String,
        pub emergency_contact: String,
        pub notes: String,
        pub delegation_order: DelegationOrder,
        /// International organisations before the countries in the order of precedence.
        pub organizations_first: bool,
    }
}

record! {
    /// A country's or an international organisation's delegation to an event.
    pub struct Delegation ("delegation", "delegation") {
        pub event_id: String,
        pub kind: DelegationKind,
        pub country_code: Option<String>,
        pub org_code: Option<String>,
        /// Display names; for a country they are always the ISO list's names.
        pub name_en: String,
        pub name_ko: String,
        pub status: InvitationStatus,
        pub seats: i64,
        pub head_official_id: Option<String>,
        pub liaison_name: String,
        pub liaison_phone: String,
        pub liaison_email: String,
        pub notes: String,
        /// Its place when the event's delegations are arranged by the officer (lower first).
        pub precedence: i64,
    }
}

record! {
    /// A person attending: an official, a speaker, staff, press…
    pub struct Official ("official", "official") {
        pub event_id: String,
        pub delegation_id: Option<String>,
        pub honorific: String,
        /// Latin passport family name.
        pub family_name: String,
        /// Latin passport given names; empty for a mononym.
        pub given_name: String,
        /// The name in the official's own script, when it differs.
        pub native_name: String,
        pub badge_name: String,
        pub position: String,
        pub organization: String,
        pub category: Category,
        pub gender: Gender,
        pub email: String,
        pub phone: String,
        pub nationality: String,
        pub birth_date: Option<NaiveDate>,
        pub passport_number: String,
        pub passport_expiry: Option<NaiveDate>,
        pub dietary: String,
        pub accessibility: String,
        pub interpretation_language: String,
        pub language: Language,
        /// Stays with their embassy, family or a hotel of their own: needs no stay at the
        /// event's hotels.
        pub lodges_elsewhere: bool,
        pub status: OfficialStatus,
        pub notes: String,
        /// A code of the office's list of protocol ranks (`protocol::Rank`); empty for none.
        pub protocol_rank: String,
        /// The officer's moves among officials of one rank and delegation (lower first).
        pub precedence: i64,
    }
}

record! {
    /// One flight leg: how an official reaches or leaves the event city.
    pub struct Travel ("travel", "travel leg") {
        pub official_id: String,
        pub direction: Direction,
        pub flight: String,
        pub origin: String,
        pub airport: String,
        pub scheduled_at: DateTime<Utc>,
        pub pickup: bool,
        pub greeter: String,
        pub notes: String,
        /// Where the arrivals desk has this flight's traveller.
        pub status: TravelStatus,
    }
}

record! {
    pub struct Hotel ("hotel", "hotel") {
        pub event_id: String,
        pub name: String,
        pub name_ko: String,
        pub address: String,
        pub phone: String,
        pub email: String,
        pub contact_name: String,
        pub notes: String,
    }
}

record! {
    /// Rooms of one type held at a hotel for a run of nights.
    pub struct RoomBlock ("room_block", "room block") {
        pub hotel_id: String,
        pub room_type: String,
        pub occupancy: i64,
        pub first_night: NaiveDate,
        pub last_night: NaiveDate,
        pub rooms: i64,
        pub notes: String,
    }
}

record! {
    /// Who sleeps where, and when.
    pub struct Stay ("stay", "hotel stay") {
        pub official_id: String,
        pub hotel_id: String,
        pub room_block_id: Option<String>,
        pub check_in: NaiveDate,
        pub check_out: NaiveDate,
        pub room_number: String,
        pub shares_with_id: Option<String>,
        pub special_requests: String,
        pub notes: String,
    }
}

record! {
    pub struct Venue ("venue", "venue") {
        pub event_id: String,
        pub name: String,
        pub name_ko: String,
        pub address: String,
        pub phone: String,
        pub notes: String,
    }
}

record! {
    pub struct VenueRoom ("venue_room", "venue room") {
        pub venue_id: String,
        pub name: String,
        pub name_ko: String,
        pub capacity: i64,
        pub floor: String,
        pub notes: String,
    }
}

record! {
    /// An agenda item of any kind: plenary, panel, site visit, meal, transfer, ceremony…
    pub struct Session ("session", "session") {
        pub event_id: String,
        pub kind: SessionKind,
        pub title_en: String,
        pub title_ko: String,
        pub starts_at: DateTime<Utc>,
        pub ends_at: DateTime<Utc>,
        pub venue_room_id: Option<String>,
        pub location: String,
        pub description: String,
        pub notes: String,
        pub audience: Audience,
        /// Comma-separated category codes (`head_of_delegation,speaker`); empty means any.
        pub audience_categories: String,
        /// Comma-separated delegation ids; empty means any.
        pub audience_delegations: String,
        pub seating: Seating,
        /// Seats at a round table or in a row; the head table's length (0: everyone).
        pub seats_per_table: i64,
    }
}

record! {
    /// An official's entry on a session's roster: an exception to its audience, or the role,
    /// attendance and notes of someone in by the audience's rule. Who is on the roster is
    /// `audience::Rosters` (in memory) and the `roster` view (in SQL).
    pub struct Participant ("participant", "roster entry") {
        pub session_id: String,
        pub official_id: String,
        pub role: Role,
        pub attended_at: Option<DateTime<Utc>>,
        pub notes: String,
        pub membership: Membership,
        /// Where they sit in the session's seating plan: the table (the head table is 1, rows
        /// count from the front) and the seat.
        pub table_no: Option<i64>,
        pub seat_no: Option<i64>,
    }
}

record! {
    /// A car, van or bus with its driver, for the event's transfers.
    pub struct Vehicle ("vehicle", "vehicle") {
        pub event_id: String,
        /// What the team calls it: "Van 1", "Bus B".
        pub name: String,
        pub kind: VehicleKind,
        /// Passenger seats (the driver's not counted).
        pub seats: i64,
        pub plate: String,
        pub driver_name: String,
        pub driver_phone: String,
        pub available_from: Option<DateTime<Utc>>,
        pub available_to: Option<DateTime<Utc>>,
        pub notes: String,
    }
}

record! {
    /// One ride of one vehicle: an airport pickup, a drop-off for departures, or a ride to a
    /// session (a site visit, a dinner).
    pub struct TransferRun ("transfer_run", "transfer run") {
        pub event_id: String,
        pub kind: RunKind,
        pub leaves_at: DateTime<Utc>,
        pub from_place: String,
        pub to_place: String,
        /// The airport (and terminal) of a pickup or drop-off, as the flights name it.
        pub airport: String,
        pub vehicle_id: Option<String>,
        pub session_id: Option<String>,
        pub greeter: String,
        pub notes: String,
    }
}

record! {
    /// Someone riding a run, with the flight they were planned for as it was then.
    pub struct RunPassenger ("run_passenger", "passenger") {
        pub run_id: String,
        pub official_id: String,
        pub travel_id: Option<String>,
        pub flight: String,
        pub flight_at: Option<DateTime<Utc>>,
        /// When their badge was scanned boarding.
        pub boarded_at: Option<DateTime<Utc>>,
    }
}

record! {
    /// An official checked in at the event itself.
    pub struct EventEntry ("event_entry", "event check-in") {
        pub event_id: String,
        pub official_id: String,
        pub checked_in_at: DateTime<Utc>,
    }
}

impl Event {
    /// The event's time zone, the one reading of `time_zone`: every local time on paper, in
    /// the checks and on the dashboard goes through it. A zone is checked when the event is
    /// saved, so UTC only stands in for one a hand-edited or newer file holds.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::UTC)
    }

    /// An instant as the event's wall clock shows it.
    pub fn local(&self, at: DateTime<Utc>) -> chrono::NaiveDateTime {
        at.with_timezone(&self.tz()).naive_local()
    }

    /// The local calendar date of an instant in the event's zone.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        self.local(at).date()
    }
}

impl Official {
    /// The passport form of the name, "FAMILY Given", used on lists and rooming lists.
    pub fn full_name(&self) -> String {
        full_name(&self.family_name, &self.given_name)
    }
}

/// "FAMILY Given": the family name upper-cased as in a passport's machine-readable zone.
pub fn full_name(family: &str, given: &str) -> String {
    let family = family.to_uppercase();
    if given.is_empty() {
        family
    } else {
        format!("{family} {given}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rusqlite::Connection;

    /// The event's clock, the one reading of its time zone: local times and dates in its zone,
    /// and UTC for a zone this build does not know (only a hand-edited or newer file has one).
    #[test]
    fn the_events_clock() {
        let at = Utc
            .with_ymd_and_hms(2024, 9, 24, 16, 30, 0)
            .single()
            .expect("instant");
        let mut event = Event {
            time_zone: "Asia/Seoul".into(),
            ..Event::default()
        };
        assert_eq!(event.tz(), chrono_tz::Asia::Seoul);
        // 16:30 UTC is 01:30 the next morning in Seoul.
        assert_eq!(event.local(at).to_string(), "2024-09-25 01:30:00");
        assert_eq!(event.local_date(at).to_string(), "2024-09-25");
        event.time_zone = "Mars/Olympus".into();
        assert_eq!(event.tz(), chrono_tz::UTC);
        assert_eq!(event.local_date(at).to_string(), "2024-09-24");
    }

    /// Reads `value` back both ways: by `stamp` and by rusqlite's own `FromSql`.
    fn both(
        conn: &Connection,
        value: &dyn ToSql,
    ) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        conn.query_row("SELECT ?1", [value], |row| {
            Ok((stamp(row, 0).ok(), row.get::<_, DateTime<Utc>>(0).ok()))
        })
        .expect("query")
    }

    #[test]
    fn stamps_read_by_hand_equal_what_rusqlite_reads() {
        let conn = Connection::open_in_memory().expect("db");
        // What rusqlite writes: no fraction, and fractions of 3, 6 and 9 digits.
        let base = Utc.with_ymd_and_hms(2026, 12, 1, 11, 12, 56).unwrap();
        for nanos in [0, 395_000_000, 395_777_000, 395_777_323, 1, 999_999_999] {
            let at = base + chrono::Duration::nanoseconds(nanos);
            let (ours, theirs) = both(&conn, &at);
            assert_eq!(ours, Some(at), "{at}");
            assert_eq!(ours, theirs, "{at}");
        }
        for (y, mo, d, h, mi, s) in [(1999, 12, 31, 23, 59, 59), (2028, 2, 29, 0, 0, 0)] {
            let at = Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap();
            assert_eq!(both(&conn, &at).0, Some(at));
        }
        // Other forms go to rusqlite's parser and come back the same as from it.
        for text in [
            "2026-12-01T11:12:56Z",
            "2026-12-01T11:12:56+09:00",
            "2026-12-01 11:12:56.5+00:00",
            "2026-12-01 11:12",
            "2026-02-30 11:12:56+00:00",
            "2026-12-01 11:12:56.+00:00",
            "2026-12-01 11:12:56.1234567891+00:00",
            "2026-12-01 11:12:60+00:00",
            "２０２６-12-01 11:12:56+00:00",
            "not a time",
        ] {
            assert_eq!(both(&conn, &text).0, both(&conn, &text).1, "{text}");
        }
        assert_eq!(
            both(&conn, &"2026-12-01 11:12:56.5+00:00").0,
            Some(base + chrono::Duration::milliseconds(500))
        );
        // The hand reader alone: what it refuses, it leaves to the fallback.
        assert_eq!(utc_stamp(b"2026-02-30 11:12:56+00:00"), None);
        assert_eq!(utc_stamp(b"2026-12-01 11:12:56.+00:00"), None);
        assert_eq!(utc_stamp(b"2026-12-01x11:12:56+00:00"), None);
        // Not text at all: what rusqlite makes of it (a number is Unix time, a NULL an error).
        let (ours, theirs) = both(&conn, &42i64);
        assert_eq!(ours, theirs);
        assert_eq!(ours, Some(Utc.timestamp_opt(42, 0).unwrap()));
        assert_eq!(both(&conn, &rusqlite::types::Null), (None, None));
    }
}
