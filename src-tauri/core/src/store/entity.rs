//! What each record type adds to the generic writes: the records a delete would take along,
//! the derived columns kept in step (event links, search text), and the head of a delegation
//! kept in step with its officials. Also the lookup of a record by a short id prefix.

use rusqlite::{Connection, OptionalExtension, Transaction};

use crate::error::{Error, Result};
use crate::model::*;
use crate::text::fold;
use crate::validate::Validate;
use crate::words::Text;

use super::log::event_of;

/// What a save changes besides its own record (see [`Entity::in_step`]).
#[derive(Debug, Default)]
pub struct InStep {
    pub officials: Vec<Official>,
    pub delegations: Vec<Delegation>,
}

/// Per-table behaviour on top of the generic record functions.
pub trait Entity: Record + Validate {
    /// Records that a delete would take along; `Some((count, sentence))` makes a delete without
    /// `cascade` fail with a conflict the officer can confirm.
    fn dependents(_conn: &Connection, _id: &str) -> Result<Option<(i64, Text)>> {
        Ok(None)
    }
    /// Keeps derived columns in step after an update, or after undo writes a row back.
    fn after_write(&self, _tx: &Transaction<'_>) -> Result<()> {
        Ok(())
    }
    /// Derived columns written with a new row itself: computing them first spares an import
    /// an UPDATE per row, and the derive triggers that UPDATE would fire.
    fn derived_on_insert(&self, _tx: &Transaction<'_>) -> Result<Vec<(&'static str, String)>> {
        Ok(Vec::new())
    }
    /// The other records a save of this one changes to keep them in step; `save` writes them
    /// in the same transaction and change-log batch, so that one undo takes all of it back.
    /// Asked by `save` only: undo writes rows back as they were, nothing more.
    fn in_step(&self, _conn: &Connection) -> Result<InStep> {
        Ok(InStep::default())
    }
    /// The event a change-log entry about this record belongs to. The default reads it from
    /// the record's JSON; the records an import writes by the thousand say it directly.
    fn log_event(&self, conn: &Connection) -> Result<Option<String>> {
        event_of(conn, Self::TABLE, &serde_json::to_value(self)?)
    }
}

fn count(conn: &Connection, sql: &str, id: &str) -> Result<i64> {
    Ok(conn.query_row(sql, [id], |r| r.get(0))?)
}

impl Entity for Event {}

// The delegation's head field is the one truth about who heads it, and the officials'
// category shows it: saving an official as Head of delegation makes them their delegation's
// head; saving a delegation's head makes a plain delegate of it its Head of delegation (a VIP
// or staff head keeps that category) and any other official marked Head of delegation a
// delegate. Imports of new officials do not: their preview is what the officer approved, and
// the check `head_of_delegation_disagrees` points at what is left to settle.
impl Entity for Delegation {
    fn in_step(&self, conn: &Connection) -> Result<InStep> {
        let marked = Official::load_where(
            conn,
            "x.delegation_id = ? AND x.category = 'head_of_delegation'",
            &self.id,
        )?;
        let head = self.head_official_id.as_deref();
        let mut step = InStep::default();
        for mut o in marked.into_iter().filter(|o| Some(o.id.as_str()) != head) {
            o.category = Category::Delegate;
            step.officials.push(o);
        }
        if let Some(head) = head {
            let mut o = Official::get(conn, head)?;
            if o.category == Category::Delegate {
                o.category = Category::HeadOfDelegation;
                step.officials.push(o);
            }
        }
        Ok(step)
    }

    fn dependents(conn: &Connection, id: &str) -> Result<Option<(i64, Text)>> {
        let n = count(
            conn,
            "SELECT count(*) FROM official WHERE delegation_id = ?",
            id,
        )?;
        Ok((n > 0).then(|| (n, Text::new("error-dependents-delegation").with("count", n))))
    }
    fn after_write(&self, tx: &Transaction<'_>) -> Result<()> {
        refresh_search(tx, "delegation_id = ?", &self.id)
    }
    fn log_event(&self, _conn: &Connection) -> Result<Option<String>> {
        Ok(Some(self.event_id.clone()))
    }
}

impl Entity for Official {
    fn in_step(&self, conn: &Connection) -> Result<InStep> {
        let mut step = InStep::default();
        let (Category::HeadOfDelegation, Some(delegation_id)) =
            (self.category, self.delegation_id.as_deref())
        else {
            return Ok(step);
        };
        let mut d = Delegation::get(conn, delegation_id)?;
        if d.head_official_id.as_deref() != Some(self.id.as_str()) {
            d.head_official_id = Some(self.id.clone());
            step.delegations.push(d);
        }
        Ok(step)
    }

    fn after_write(&self, tx: &Transaction<'_>) -> Result<()> {
        refresh_search(tx, "id = ?", &self.id)
    }
    fn derived_on_insert(&self, tx: &Transaction<'_>) -> Result<Vec<(&'static str, String)>> {
        let parts = vec![
            self.family_name.clone(),
            self.given_name.clone(),
            self.native_name.clone(),
            self.badge_name.clone(),
            self.organization.clone(),
            self.position.clone(),
            self.email.clone(),
            self.passport_number.clone(),
            self.nationality.clone(),
        ];
        let text = search_text(tx, parts, self.delegation_id.as_deref())?;
        Ok(vec![("search_text", text)])
    }
    fn log_event(&self, _conn: &Connection) -> Result<Option<String>> {
        Ok(Some(self.event_id.clone()))
    }
}

/// The event of a flight or stay, through its official.
fn event_of_official(conn: &Connection, official_id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT event_id FROM official WHERE id = ?")?
        .query_row([official_id], |r| r.get(0))
        .optional()?)
}

impl Entity for Travel {
    fn log_event(&self, conn: &Connection) -> Result<Option<String>> {
        event_of_official(conn, &self.official_id)
    }
    fn derived_on_insert(&self, tx: &Transaction<'_>) -> Result<Vec<(&'static str, String)>> {
        // The very expressions of the insert trigger (schema v4), which stands aside for a row
        // that comes with them (v6).
        let (event, text): (String, String) = tx
            .prepare_cached(
                "SELECT coalesce((SELECT o.event_id FROM official o WHERE o.id = ?1), ''),
                        coalesce((SELECT o.search_text FROM official o WHERE o.id = ?1), '')
                            || ' ' || lower(?2 || ' ' || ?3 || ' ' || ?4 || ' ' || ?5)",
            )?
            .query_row(
                rusqlite::params![
                    self.official_id,
                    self.flight,
                    self.origin,
                    self.airport,
                    self.greeter
                ],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
        Ok(derived_pair(event, text))
    }
}

/// The derived columns of a flight or stay; none when its official is not found, so the
/// trigger fills them as it always did.
fn derived_pair(event: String, text: String) -> Vec<(&'static str, String)> {
    if event.is_empty() {
        Vec::new()
    } else {
        vec![("event_id", event), ("search_text", text)]
    }
}

impl Entity for Hotel {
    fn dependents(conn: &Connection, id: &str) -> Result<Option<(i64, Text)>> {
        let n = count(
            conn,
            "SELECT (SELECT count(*) FROM stay WHERE hotel_id = ?1) + (SELECT count(*) FROM room_block WHERE hotel_id = ?1)",
            id,
        )?;
        Ok((n > 0).then(|| (n, Text::new("error-dependents-hotel").with("count", n))))
    }
}

impl Entity for RoomBlock {}

impl Entity for Stay {
    fn log_event(&self, conn: &Connection) -> Result<Option<String>> {
        event_of_official(conn, &self.official_id)
    }
    fn derived_on_insert(&self, tx: &Transaction<'_>) -> Result<Vec<(&'static str, String)>> {
        // What the insert trigger (schema v4) computes, with the new row's values as
        // parameters. Its joins are written as lookups: with parameters in join constraints,
        // SQLite planned the cached statement afresh on every call.
        let (event, text): (String, String) = tx
            .prepare_cached(
                "SELECT coalesce((SELECT event_id FROM official WHERE id = ?1), ''),
                        coalesce((SELECT search_text FROM official WHERE id = ?1) || ' ' || lower(
                            (SELECT name FROM hotel WHERE id = ?2) || ' '
                            || coalesce((SELECT room_type FROM room_block WHERE id = ?3), '') || ' '
                            || ?4 || ' '
                            || coalesce((SELECT family_name || ' ' || given_name FROM official WHERE id = ?5), '')),
                        '')",
            )?
            .query_row(
                rusqlite::params![
                    self.official_id,
                    self.hotel_id,
                    self.room_block_id,
                    self.room_number,
                    self.shares_with_id
                ],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
        Ok(derived_pair(event, text))
    }
}

impl Entity for Venue {
    fn dependents(conn: &Connection, id: &str) -> Result<Option<(i64, Text)>> {
        let n = count(
            conn,
            "SELECT count(*) FROM venue_room WHERE venue_id = ?",
            id,
        )?;
        Ok((n > 0).then(|| (n, Text::new("error-dependents-venue").with("count", n))))
    }
}

impl Entity for VenueRoom {
    fn dependents(conn: &Connection, id: &str) -> Result<Option<(i64, Text)>> {
        let n = count(
            conn,
            "SELECT count(*) FROM session WHERE venue_room_id = ?",
            id,
        )?;
        Ok((n > 0).then(|| (n, Text::new("error-dependents-venue_room").with("count", n))))
    }
}

impl Entity for Session {}
impl Entity for Participant {}

impl Entity for Vehicle {}
impl Entity for TransferRun {}
impl Entity for EventEntry {}

impl Entity for RunPassenger {
    fn log_event(&self, conn: &Connection) -> Result<Option<String>> {
        Ok(conn
            .prepare_cached("SELECT event_id FROM transfer_run WHERE id = ?")?
            .query_row([&self.run_id], |r| r.get(0))
            .optional()?)
    }
}

/// Recomputes `official.search_text` for the officials matched by `filter` (one `?`).
pub(crate) fn refresh_search(tx: &Connection, filter: &str, id: &str) -> Result<()> {
    // The delegation is looked up per official rather than joined: with the join, SQLite
    // re-planned the cached statement on every call, which dominated an import's inserts.
    let sql = format!(
        "SELECT id, family_name, given_name, native_name, badge_name, organization, position,
                email, passport_number, nationality, delegation_id
           FROM official WHERE {filter}"
    );
    let mut select = tx.prepare_cached(&sql)?;
    let mut update = tx.prepare_cached("UPDATE official SET search_text = ? WHERE id = ?")?;
    let rows = select
        .query_map([id], |r| {
            let mut parts = Vec::with_capacity(16);
            for i in 1..10 {
                parts.push(r.get::<_, String>(i)?);
            }
            Ok((
                r.get::<_, String>(0)?,
                parts,
                r.get::<_, Option<String>>(10)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (official_id, parts, delegation_id) in rows {
        let text = search_text(tx, parts, delegation_id.as_deref())?;
        update.execute([&text, &official_id])?;
    }
    Ok(())
}

/// An official's folded search text from its own words (family, given, native and badge
/// names, organization, position, email, passport number, nationality, in that order) and
/// its delegation's names.
fn search_text(
    conn: &Connection,
    mut parts: Vec<String>,
    delegation_id: Option<&str>,
) -> Result<String> {
    let names = match delegation_id {
        Some(d) => conn
            .prepare_cached(
                "SELECT name_en, name_ko, coalesce(country_code, org_code, '') FROM delegation WHERE id = ?",
            )?
            .query_row([d], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?]))
            .optional()?,
        None => None,
    };
    parts.extend(names.unwrap_or_default());
    // The nationality's names make "Viet Nam" or "베트남" find an official whose
    // delegation is an organisation.
    if let Some(country) = crate::reference::country(&parts[8]) {
        parts.push(country.name_en.clone());
        parts.push(country.name_ko.clone());
    }
    // Passport names are also typed "Given Family".
    parts.push(format!("{} {}", parts[1], parts[0]));
    Ok(fold(&parts.join("\u{1f}")))
}

/// Recomputes the search text of every official of an event (after a bulk load).
pub fn refresh_event_search(tx: &Transaction<'_>, event_id: &str) -> Result<()> {
    refresh_search(tx, "event_id = ?", event_id)
}

/// The full id of a record named by its whole id or by a unique beginning of at least 8
/// characters (what a person copies from a listing), for the command line. `table` is one of
/// the record tables; the sentence names what was not found or which ids it could be.
pub fn resolve_id(conn: &Connection, table: &'static str, given: &str) -> Result<String> {
    let noun = with_record_type!(table, R => Ok(R::NOUN))?;
    let given = given.trim();
    if given.len() == 36 || given.len() < 8 {
        // A whole id (or too short to be a prefix) is looked up as it is.
        let sql = format!("SELECT id FROM {table} WHERE id = ?");
        return conn
            .query_row(&sql, [given], |r| r.get(0))
            .optional()?
            .ok_or(Error::NotFound { entity: noun });
    }
    // Ids are lower-case hex and hyphens; anything else cannot begin one.
    if !given.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(Error::NotFound { entity: noun });
    }
    let sql =
        format!("SELECT id FROM {table} WHERE id >= ?1 AND id < ?1 || 'g' ORDER BY id LIMIT 3");
    let found: Vec<String> = conn
        .prepare(&sql)?
        .query_map([given.to_ascii_lowercase()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Error::NotFound { entity: noun }),
        _ => Err(Error::field(
            "id",
            "ambiguous_id",
            Text::new("error-ambiguous_id")
                .with("given", given)
                .with("noun", noun)
                .with("ids", found.join(", ")),
        )),
    }
}
