//! Input checks with messages an officer understands. Nothing is written unless every check
//! passes; all problems of a record are reported together so a form can mark every field.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;
use crate::fields::{named, says, Checker};
use crate::model::*;
use crate::reference;
use crate::words::{Arg, Text};

/// Record-specific rules; they may read the library (to find the event, or a linked record).
pub trait Validate: Record {
    fn validate(&mut self, conn: &Connection, c: &mut Checker) -> Result<()>;
}

/// Looks up the event a record belongs to through `sql` (one `?` parameter).
fn event_via(conn: &Connection, sql: &str, id: &str) -> Result<Option<Event>> {
    let event_id: Option<String> = conn.query_row(sql, [id], |r| r.get(0)).optional()?;
    match event_id {
        Some(event_id) => Event::find(conn, &event_id),
        None => Ok(None),
    }
}

fn event_by_id(conn: &Connection, id: &str) -> Result<Option<Event>> {
    Event::find(conn, id)
}

/// The owning event must exist; a missing one is a stale form, not a typo.
fn require_event(conn: &Connection, event_id: &str, c: &mut Checker) -> Result<Option<Event>> {
    let event = event_by_id(conn, event_id)?;
    if event.is_none() {
        c.error("event_id", "invalid_value", says("event_gone"));
    }
    Ok(event)
}

/// A link to another record must point at a record of the same event.
fn check_link(
    conn: &Connection,
    c: &mut Checker,
    field: &str,
    table_event_sql: &str,
    id: &str,
    event_id: &str,
    noun: &str,
) -> Result<()> {
    let owner: Option<String> = conn
        .query_row(table_event_sql, [id], |r| r.get(0))
        .optional()?;
    match owner {
        None => c.error(
            field,
            "invalid_value",
            says("link_gone").with("what", named(&format!("what-link-{noun}"))),
        ),
        Some(owner) if owner != event_id => c.error(
            field,
            "invalid_value",
            says("link_elsewhere").with("what", named(&format!("what-link-{noun}"))),
        ),
        Some(_) => {}
    }
    Ok(())
}

const OFFICIAL_EVENT: &str = "SELECT event_id FROM official WHERE id = ?";
const DELEGATION_EVENT: &str = "SELECT event_id FROM delegation WHERE id = ?";
const HOTEL_EVENT: &str = "SELECT event_id FROM hotel WHERE id = ?";
const SESSION_EVENT: &str = "SELECT event_id FROM session WHERE id = ?";
const VENUE_EVENT: &str = "SELECT event_id FROM venue WHERE id = ?";
const VENUE_ROOM_EVENT: &str =
    "SELECT v.event_id FROM venue_room r JOIN venue v ON v.id = r.venue_id WHERE r.id = ?";

impl Validate for Event {
    fn validate(&mut self, _conn: &Connection, c: &mut Checker) -> Result<()> {
        if self.name_en.is_empty() && self.name_ko.is_empty() {
            c.error("name_en", "required", says("event_name"));
        }
        if self.end_date < self.start_date {
            c.error(
                "end_date",
                "end_before_start",
                says("event_end_before_start"),
            );
        }
        self.host_country = self.host_country.to_uppercase();
        if self.host_country.is_empty() {
            c.error("host_country", "required", says("host_country"));
        }
        c.country("host_country", &self.host_country);
        if self.time_zone.parse::<chrono_tz::Tz>().is_err() {
            c.error(
                "time_zone",
                "invalid_time_zone",
                says("invalid_time_zone").with("value", &self.time_zone),
            );
        }
        Ok(())
    }
}

impl Validate for Delegation {
    fn validate(&mut self, conn: &Connection, c: &mut Checker) -> Result<()> {
        require_event(conn, &self.event_id, c)?;
        match self.kind {
            DelegationKind::Country => {
                self.org_code = None;
                let code = self.country_code.clone().unwrap_or_default().to_uppercase();
                match reference::country(&code) {
                    Some(country) if !code.is_empty() => {
                        // A country's names always come from the ISO list, so lists sort and
                        // search the same way whatever was typed.
                        self.name_en = country.name_en.clone();
                        self.name_ko = country.name_ko.clone();
                        self.country_code = Some(code.clone());
                        let taken: Option<String> = conn
                            .query_row(
                                "SELECT id FROM delegation WHERE event_id = ? AND country_code = ? AND id <> ?",
                                [&self.event_id, &code, &self.id],
                                |r| r.get(0),
                            )
                            .optional()?;
                        if taken.is_some() {
                            c.error(
                                "country_code",
                                "duplicate",
                                says("delegation_duplicate")
                                    .with("country", Arg::both(&country.name_en, &country.name_ko)),
                            );
                        }
                    }
                    _ if code.is_empty() => {
                        c.error("country_code", "required", says("delegation_country"))
                    }
                    _ => c.country("country_code", &code),
                }
            }
            DelegationKind::Organization => {
                self.country_code = None;
                match self.org_code.as_deref().map(reference::organization) {
                    Some(Some(org)) => {
                        if self.name_en.is_empty() {
                            self.name_en = org.name_en.clone();
                        }
                        if self.name_ko.is_empty() {
                            self.name_ko = org.name_ko.clone();
                        }
                    }
                    Some(None) => {
                        c.error("org_code", "invalid_value", says("organization_unknown"))
                    }
                    None => {
                        if self.name_en.is_empty() && self.name_ko.is_empty() {
                            c.error("name_en", "required", says("organization_name"));
                        }
                    }
                }
            }
        }
        c.not_negative("seats", self.seats, "what-seats");
        c.email("liaison_email", &self.liaison_email);
        if let Some(head) = &self.head_official_id {
            let delegation: Option<Option<String>> = conn
                .query_row(
                    "SELECT delegation_id FROM official WHERE id = ?",
                    [head],
                    |r| r.get(0),
                )
                .optional()?;
            match delegation {
                None => c.error("head_official_id", "invalid_value", says("head_gone")),
                Some(d) if d.as_deref() != Some(self.id.as_str()) => {
                    c.error("head_official_id", "invalid_value", says("head_not_member"))
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

impl Validate for Official {
    fn validate(&mut self, conn: &Connection, c: &mut Checker) -> Result<()> {
        let event = require_event(conn, &self.event_id, c)?;
        c.required("family_name", &self.family_name, "what-family_name");
        self.nationality = self.nationality.to_uppercase();
        c.country("nationality", &self.nationality);
        c.email("email", &self.email);
        if let Some(id) = &self.delegation_id {
            check_link(
                conn,
                c,
                "delegation_id",
                DELEGATION_EVENT,
                id,
                &self.event_id,
                "delegation",
            )?;
        }
        if let Some(event) = &event {
            if let Some(expiry) = self.passport_expiry {
                if expiry <= event.end_date {
                    c.error(
                        "passport_expiry",
                        "passport_expires",
                        says("passport_expires")
                            .with("expiry", expiry.to_string())
                            .with("end", event.end_date.to_string()),
                    );
                }
            }
            if let Some(birth) = self.birth_date {
                if birth >= event.start_date {
                    c.error("birth_date", "invalid_value", says("birth_after_event"));
                }
            }
        }
        Ok(())
    }
}

impl Validate for Travel {
    fn validate(&mut self, conn: &Connection, c: &mut Checker) -> Result<()> {
        if event_via(conn, OFFICIAL_EVENT, &self.official_id)?.is_none() {
            c.error("official_id", "required", says("traveller"));
        }
        self.origin = self.origin.to_uppercase();
        self.airport = self.airport.to_uppercase();
        self.flight = self.flight.to_uppercase();
        if !TravelStatus::steps(self.direction).contains(&self.status) {
            c.error(
                "status",
                "invalid_value",
                Text::new("error-desk-status").with("status", self.status.as_str()),
            );
        }
        Ok(())
    }
}

impl Validate for Hotel {
    fn validate(&mut self, conn: &Connection, c: &mut Checker) -> Result<()> {
        require_event(conn, &self.event_id, c)?;
        c.required("name", &self.name, "what-hotel_name");
        c.email("email", &self.email);
        Ok(())
    }
}

impl Validate for RoomBlock {
    fn validate(&mut self, conn: &Connection, c: &mut Checker) -> Result<()> {
        if event_via(conn, HOTEL_EVENT, &self.hotel_id)?.is_none() {
            c.error("hotel_id", "required", says("hotel"));
        }
        c.required("room_type", &self.room_type, "what-room_type");
        if self.occupancy < 1 {
            c.error("occupancy", "invalid_value", says("occupancy"));
        }
        c.not_negative("rooms", self.rooms, "what-rooms");
        if self.last_night < self.first_night {
            c.error(
                "last_night",
                "end_before_start",
                says("block_end_before_start"),
            );
        }
        Ok(())
    }
}

impl Validate for Stay {
    fn validate(&mut self, conn: &Connection, c: &mut Checker) -> Result<()> {
        let Some(event) = event_via(conn, OFFICIAL_EVENT, &self.official_id)? else {
            c.error("official_id", "required", says("guest"));
            return Ok(());
        };
        check_link(
            conn,
            c,
            "hotel_id",
            HOTEL_EVENT,
            &self.hotel_id,
            &event.id,
            "hotel",
        )?;
        if let Some(block) = &self.room_block_id {
            let hotel: Option<String> = conn
                .query_row(
                    "SELECT hotel_id FROM room_block WHERE id = ?",
                    [block],
                    |r| r.get(0),
                )
                .optional()?;
            if hotel.as_deref() != Some(self.hotel_id.as_str()) {
                c.error("room_block_id", "invalid_value", says("block_of_hotel"));
            }
        }
        if self.check_out <= self.check_in {
            c.error(
                "check_out",
                "end_before_start",
                says("check_out_before_check_in"),
            );
        }
        if let Some(other) = &self.shares_with_id {
            if other == &self.official_id {
                c.error("shares_with_id", "invalid_value", says("share_self"));
            } else {
                check_link(
                    conn,
                    c,
                    "shares_with_id",
                    OFFICIAL_EVENT,
                    other,
                    &event.id,
                    "room-mate",
                )?;
            }
        }
        Ok(())
    }
}

impl Validate for Venue {
    fn validate(&mut self, conn: &Connection, c: &mut Checker) -> Result<()> {
        require_event(conn, &self.event_id, c)?;
        c.required("name", &self.name, "what-venue_name");
        Ok(())
    }
}

impl Validate for VenueRoom {
    fn validate(&mut self, conn: &Connection, c: &mut Checker) -> Result<()> {
        if event_via(conn, VENUE_EVENT, &self.venue_id)?.is_none() {
            c.error("venue_id", "required", says("venue"));
        }
        c.required("name", &self.name, "what-venue_room_name");
        c.not_negative("capacity", self.capacity, "what-capacity");
        Ok(())
    }
}

impl Validate for Session {
    fn validate(&mut self, conn: &Connection, c: &mut Checker) -> Result<()> {
        let event = require_event(conn, &self.event_id, c)?;
        if self.title_en.is_empty() && self.title_ko.is_empty() {
            c.error("title_en", "required", says("session_title"));
        }
        if self.ends_at <= self.starts_at {
            c.error(
                "ends_at",
                "end_before_start",
                says("session_end_before_start"),
            );
        }
        if let Some(event) = &event {
            let (start, end) = (
                event.local_date(self.starts_at),
                event.local_date(self.ends_at),
            );
            let inside = |d: NaiveDate| d >= event.start_date && d <= event.end_date;
            if !inside(start) || !inside(end) {
                c.error(
                    "starts_at",
                    "outside_event",
                    says("session_outside_event")
                        .with("start", event.start_date.to_string())
                        .with("end", event.end_date.to_string()),
                );
            }
        }
        self.check_audience(conn, c)?;
        if let Some(room) = &self.venue_room_id {
            check_link(
                conn,
                c,
                "venue_room_id",
                VENUE_ROOM_EVENT,
                room,
                &self.event_id,
                "room",
            )?;
        }
        Ok(())
    }
}

impl Session {
    /// The audience's lists written one way (codes and ids without spaces, each once, in the
    /// order chosen), each item a category or a delegation of the event, and a group audience
    /// that chooses something: the `roster` view reads the lists as they are stored.
    fn check_audience(&mut self, conn: &Connection, c: &mut Checker) -> Result<()> {
        let tidy = |list: &str| {
            let mut items: Vec<&str> = Vec::new();
            for item in list.split(',').map(str::trim).filter(|x| !x.is_empty()) {
                if !items.contains(&item) {
                    items.push(item);
                }
            }
            items.join(",")
        };
        self.audience_categories = tidy(&self.audience_categories);
        self.audience_delegations = tidy(&self.audience_delegations);
        for code in self
            .audience_categories
            .split(',')
            .filter(|x| !x.is_empty())
        {
            if Category::parse(code).is_none() {
                c.error(
                    "audience_categories",
                    "invalid",
                    says("audience_category").with("value", code),
                );
            }
        }
        for id in self
            .audience_delegations
            .split(',')
            .filter(|x| !x.is_empty())
        {
            check_link(
                conn,
                c,
                "audience_delegations",
                DELEGATION_EVENT,
                id,
                &self.event_id,
                "delegation",
            )?;
        }
        if self.audience == Audience::Groups
            && self.audience_categories.is_empty()
            && self.audience_delegations.is_empty()
        {
            c.error("audience", "required", says("audience_groups"));
        }
        Ok(())
    }
}

/// Whether another entry of `table` (a roster's, a run's) already lists the official under the
/// same `parent`.
fn listed_twice(
    conn: &Connection,
    table: &str,
    parent_column: &str,
    parent: &str,
    official: &str,
    id: &str,
) -> Result<bool> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM {table} WHERE {parent_column} = ? AND official_id = ? AND id <> ?)"
    );
    Ok(conn.query_row(&sql, [parent, official, id], |r| r.get(0))?)
}

const VEHICLE_EVENT: &str = "SELECT event_id FROM vehicle WHERE id = ?";
const RUN_EVENT: &str = "SELECT event_id FROM transfer_run WHERE id = ?";
const TRAVEL_EVENT: &str = "SELECT event_id FROM travel WHERE id = ?";

impl Validate for Vehicle {
    fn validate(&mut self, conn: &Connection, c: &mut Checker) -> Result<()> {
        require_event(conn, &self.event_id, c)?;
        c.required("name", &self.name, "what-vehicle_name");
        if self.seats < 1 {
            c.error("seats", "invalid_value", says("vehicle_seats"));
        }
        if let (Some(from), Some(to)) = (self.available_from, self.available_to) {
            if to <= from {
                c.error("available_to", "end_before_start", says("vehicle_hours"));
            }
        }
        Ok(())
    }
}

impl Validate for TransferRun {
    fn validate(&mut self, conn: &Connection, c: &mut Checker) -> Result<()> {
        require_event(conn, &self.event_id, c)?;
        self.airport = self.airport.to_uppercase();
        if let Some(vehicle) = &self.vehicle_id {
            check_link(
                conn,
                c,
                "vehicle_id",
                VEHICLE_EVENT,
                vehicle,
                &self.event_id,
                "vehicle",
            )?;
        }
        if let Some(session) = &self.session_id {
            check_link(
                conn,
                c,
                "session_id",
                SESSION_EVENT,
                session,
                &self.event_id,
                "session",
            )?;
        }
        Ok(())
    }
}

impl Validate for RunPassenger {
    fn validate(&mut self, conn: &Connection, c: &mut Checker) -> Result<()> {
        let Some(event) = conn
            .query_row(RUN_EVENT, [&self.run_id], |r| r.get::<_, String>(0))
            .optional()?
        else {
            c.error("run_id", "required", says("run"));
            return Ok(());
        };
        check_link(
            conn,
            c,
            "official_id",
            OFFICIAL_EVENT,
            &self.official_id,
            &event,
            "official",
        )?;
        if let Some(travel) = &self.travel_id {
            check_link(conn, c, "travel_id", TRAVEL_EVENT, travel, &event, "travel")?;
        }
        if listed_twice(
            conn,
            "run_passenger",
            "run_id",
            &self.run_id,
            &self.official_id,
            &self.id,
        )? {
            c.error("official_id", "duplicate", says("passenger_duplicate"));
        }
        Ok(())
    }
}

impl Validate for EventEntry {
    fn validate(&mut self, conn: &Connection, c: &mut Checker) -> Result<()> {
        require_event(conn, &self.event_id, c)?;
        check_link(
            conn,
            c,
            "official_id",
            OFFICIAL_EVENT,
            &self.official_id,
            &self.event_id,
            "official",
        )?;
        Ok(())
    }
}

impl Validate for Participant {
    fn validate(&mut self, conn: &Connection, c: &mut Checker) -> Result<()> {
        let Some(event) = event_via(conn, SESSION_EVENT, &self.session_id)? else {
            c.error("session_id", "required", says("session"));
            return Ok(());
        };
        check_link(
            conn,
            c,
            "official_id",
            OFFICIAL_EVENT,
            &self.official_id,
            &event.id,
            "official",
        )?;
        if listed_twice(
            conn,
            "participant",
            "session_id",
            &self.session_id,
            &self.official_id,
            &self.id,
        )? {
            c.error("official_id", "duplicate", says("roster_duplicate"));
        }
        Ok(())
    }
}
