//! The demo events shipped with the app: made-up people at events modelled on two public
//! forums. The data file uses local keys and local wall-clock times; loading maps keys to
//! stable UUIDs (v5) so that a reset replaces the same events instead of adding copies.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use rusqlite::Transaction;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::model::*;
use crate::store::{self, Store};

const DEMO_JSON: &str = include_str!("../data/demo.json");

/// Namespace for demo ids; any fixed UUID works, this one is ours.
const NAMESPACE: Uuid = Uuid::from_u128(0x6d1e_8f0a_5b7c_4e21_9a3d_2c4b_8e6f_1a50);

#[derive(Deserialize)]
struct DemoFile {
    events: Vec<DemoEvent>,
}

#[derive(Deserialize)]
#[serde(default)]
#[derive(Default)]
struct DemoEvent {
    key: String,
    event: Value,
    delegations: Vec<Value>,
    officials: Vec<Value>,
    travel: Vec<Value>,
    hotels: Vec<Value>,
    room_blocks: Vec<Value>,
    stays: Vec<Value>,
    venues: Vec<Value>,
    venue_rooms: Vec<Value>,
    sessions: Vec<Value>,
    participants: Vec<Value>,
    /// The cars and vans of the event's transfers, with their drivers.
    #[serde(default)]
    vehicles: Vec<Value>,
}

/// The stable id of a demo record.
fn demo_id(event_key: &str, key: &str) -> String {
    Uuid::new_v5(&NAMESPACE, format!("{event_key}/{key}").as_bytes()).to_string()
}

/// Ids of the demo events, so a reset can find and replace them.
pub fn event_ids() -> Result<Vec<String>> {
    // Read once: the library list asks on every refresh (to label the demo events).
    static IDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    if let Some(ids) = IDS.get() {
        return Ok(ids.clone());
    }
    let file: DemoFile = serde_json::from_str(DEMO_JSON)?;
    let ids: Vec<String> = file
        .events
        .iter()
        .map(|e| demo_id(&e.key, "event"))
        .collect();
    Ok(IDS.get_or_init(|| ids).clone())
}

fn bad(message: String) -> Error {
    Error::Internal(message.into())
}

/// Turns one demo object into a record: symbolic links become ids, local times become UTC.
struct Mapper<'a> {
    event_key: &'a str,
    tz: chrono_tz::Tz,
}

impl Mapper<'_> {
    fn id(&self, key: &str) -> String {
        demo_id(self.event_key, key)
    }

    fn instant(&self, local: &str) -> Result<DateTime<Utc>> {
        let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M")
            .map_err(|e| bad(format!("demo time {local:?}: {e}")))?;
        self.tz
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| bad(format!("demo time {local:?} does not exist in the zone")))
    }

    /// Renames `from` (a symbolic key) to `to` (an id), leaving null as null.
    fn link(&self, obj: &mut serde_json::Map<String, Value>, from: &str, to: &str) {
        if let Some(value) = obj.remove(from) {
            let mapped = match value.as_str() {
                Some(key) => Value::String(self.id(key)),
                None => Value::Null,
            };
            obj.insert(to.to_string(), mapped);
        }
    }

    fn time(&self, obj: &mut serde_json::Map<String, Value>, from: &str, to: &str) -> Result<()> {
        if let Some(value) = obj.remove(from) {
            let local = value
                .as_str()
                .ok_or_else(|| bad(format!("demo {from} is not text")))?;
            obj.insert(
                to.to_string(),
                Value::String(self.instant(local)?.to_rfc3339()),
            );
        }
        Ok(())
    }

    /// Builds a record from a demo object; `own_key` names its id, `links` its references.
    fn record<R: for<'de> Deserialize<'de>>(
        &self,
        value: &Value,
        event_id: Option<&str>,
        links: &[(&str, &str)],
        times: &[(&str, &str)],
    ) -> Result<R> {
        let mut obj = value
            .as_object()
            .cloned()
            .ok_or_else(|| bad("demo entry is not an object".into()))?;
        let key = obj.remove("key");
        if let Some(key) = key.as_ref().and_then(Value::as_str) {
            obj.insert("id".into(), Value::String(self.id(key)));
        }
        if let Some(event_id) = event_id {
            obj.insert("event_id".into(), Value::String(event_id.to_string()));
        }
        for (from, to) in links {
            self.link(&mut obj, from, to);
        }
        for (from, to) in times {
            self.time(&mut obj, from, to)?;
        }
        serde_json::from_value(Value::Object(obj)).map_err(|e| bad(format!("demo record: {e}")))
    }
}

/// Inserts a record under its demo id, or a fresh one when the entry has no key.
fn put<R: store::Entity>(tx: &Transaction<'_>, mut record: R) -> Result<R> {
    if record.id().is_empty() {
        record.set_meta(Uuid::new_v4().to_string(), Utc::now(), Utc::now());
    }
    store::insert(tx, record, None)
}

fn load_event(tx: &Transaction<'_>, demo: &DemoEvent) -> Result<Event> {
    let event_id = demo_id(&demo.key, "event");
    let mut event: Event = serde_json::from_value(demo.event.clone())?;
    event.id = event_id.clone();
    let tz = event.tz();
    let m = Mapper {
        event_key: &demo.key,
        tz,
    };
    let event = put(tx, event)?;
    let ev = Some(event_id.as_str());

    // Delegations first without their head: the head must already be a member.
    let mut heads = Vec::new();
    for value in &demo.delegations {
        let mut d: Delegation = m.record(value, ev, &[], &[])?;
        if let Some(head) = value.get("head").and_then(Value::as_str) {
            heads.push((d.id.clone(), m.id(head)));
        }
        d.head_official_id = None;
        put(tx, d)?;
    }
    for value in &demo.officials {
        put(
            tx,
            m.record::<Official>(value, ev, &[("delegation", "delegation_id")], &[])?,
        )?;
    }
    for (delegation_id, head) in heads {
        let mut d: Delegation = Delegation::get(tx, &delegation_id)?;
        d.head_official_id = Some(head);
        store::save(tx, d, None)?;
    }
    for value in &demo.travel {
        put(
            tx,
            m.record::<Travel>(
                value,
                None,
                &[("official", "official_id")],
                &[("time", "scheduled_at")],
            )?,
        )?;
    }
    for value in &demo.hotels {
        put(tx, m.record::<Hotel>(value, ev, &[], &[])?)?;
    }
    for value in &demo.room_blocks {
        put(
            tx,
            m.record::<RoomBlock>(value, None, &[("hotel", "hotel_id")], &[])?,
        )?;
    }
    for value in &demo.stays {
        let links = [
            ("official", "official_id"),
            ("hotel", "hotel_id"),
            ("room_block", "room_block_id"),
            ("shares_with", "shares_with_id"),
        ];
        put(tx, m.record::<Stay>(value, None, &links, &[])?)?;
    }
    for value in &demo.venues {
        put(tx, m.record::<Venue>(value, ev, &[], &[])?)?;
    }
    for value in &demo.vehicles {
        put(tx, m.record::<Vehicle>(value, ev, &[], &[])?)?;
    }
    for value in &demo.venue_rooms {
        put(
            tx,
            m.record::<VenueRoom>(value, None, &[("venue", "venue_id")], &[])?,
        )?;
    }
    let for_everyone = for_everyone(demo);
    for value in &demo.sessions {
        let times = [("start", "starts_at"), ("end", "ends_at")];
        let mut session: Session =
            m.record::<Session>(value, ev, &[("room", "venue_room_id")], &times)?;
        let key = value.get("key").and_then(Value::as_str).unwrap_or_default();
        if for_everyone.contains(key) {
            session.audience = Audience::Everyone;
        }
        put(tx, session)?;
    }
    load_rosters(tx, demo, &m, &for_everyone)?;
    Ok(event)
}

/// The keys of the sessions a roster entry gives to `"officials": "all"`: their audience is
/// everyone.
fn for_everyone(demo: &DemoEvent) -> std::collections::HashSet<&str> {
    demo.participants
        .iter()
        .filter(|e| e.get("officials").and_then(Value::as_str) == Some("all"))
        .filter_map(|e| e.get("session").and_then(Value::as_str))
        .collect()
}

/// Rosters: `"officials": "all"` (the session is for everyone) or a list of keys; a later
/// entry for the same person and session sets the role, so a file can list everyone first and
/// the speakers after. On a session for everyone a listed person's entry keeps their role;
/// elsewhere the entries are the session's list.
fn load_rosters(
    tx: &Transaction<'_>,
    demo: &DemoEvent,
    m: &Mapper<'_>,
    for_everyone: &std::collections::HashSet<&str>,
) -> Result<()> {
    let mut roster: Vec<((String, String, Membership), Role)> = Vec::new();
    let mut index: HashMap<(String, String, Membership), usize> = HashMap::new();
    for entry in &demo.participants {
        let session = entry
            .get("session")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("roster entry without session".into()))?;
        let role: Role = match entry.get("role") {
            Some(r) => serde_json::from_value(r.clone())?,
            None => Role::Participant,
        };
        let officials: Vec<String> = match entry.get("officials") {
            Some(Value::String(all)) if all == "all" => continue,
            Some(Value::Array(keys)) => keys
                .iter()
                .filter_map(Value::as_str)
                .map(|k| m.id(k))
                .collect(),
            _ => return Err(bad(format!("roster entry for {session} has no officials"))),
        };
        let membership = if for_everyone.contains(session) {
            Membership::Rule
        } else {
            Membership::Added
        };
        for official in officials {
            let key = (m.id(session), official, membership);
            match index.get(&key) {
                Some(&i) => roster[i].1 = role,
                None => {
                    index.insert(key.clone(), roster.len());
                    roster.push((key, role));
                }
            }
        }
    }
    for ((session_id, official_id, membership), role) in roster {
        let record = Participant {
            session_id,
            official_id,
            role,
            membership,
            ..Participant::default()
        };
        put(tx, record)?;
    }
    Ok(())
}

/// Creates the demo events, replacing earlier copies of them; all in one transaction.
pub fn reset(store: &Store) -> Result<Vec<Event>> {
    let file: DemoFile = serde_json::from_str(DEMO_JSON)?;
    store.write(|tx| {
        for demo in &file.events {
            tx.execute(
                "DELETE FROM event WHERE id = ?",
                [demo_id(&demo.key, "event")],
            )?;
        }
        file.events
            .iter()
            .map(|demo| load_event(tx, demo))
            .collect()
    })
}

/// Seeds the demo into a library that has no events yet (the app's first run).
pub fn seed_if_empty(store: &Store) -> Result<bool> {
    let empty = store.read(|conn| {
        Ok(conn.query_row("SELECT count(*) FROM event", [], |r| r.get::<_, i64>(0))? == 0)
    })?;
    // Only a brand-new library is seeded: an officer who deleted the demo keeps it deleted.
    let seeded = store.setting("demo_seeded")?.is_some();
    if empty && !seeded {
        reset(store)?;
        store.set_setting("demo_seeded", "1")?;
        return Ok(true);
    }
    Ok(false)
}

/// The demo events put into the library because the officer asked for them (the welcome
/// page): reset if they are there, and remembered as asked for, so a later start does not
/// seed them again once removed. Returns how many there are.
pub fn open(store: &Store) -> Result<usize> {
    let events = reset(store)?;
    store.set_setting("demo_seeded", "1")?;
    Ok(events.len())
}

/// Takes the demo events out of the library in one step (each with everything in it, backed
/// up first as any delete that takes records along), so that an officer starting on their own
/// event is left with their own data only. Returns how many were removed; the library is not
/// seeded with them again.
pub fn remove(store: &Store) -> Result<usize> {
    let mut removed = 0;
    for id in event_ids()? {
        let exists = store.read(|conn| {
            Ok(
                conn.query_row("SELECT count(*) FROM event WHERE id = ?", [&id], |r| {
                    r.get::<_, i64>(0)
                })? > 0,
            )
        })?;
        if exists {
            store.delete::<crate::model::Event>(&id, true)?;
            removed += 1;
        }
    }
    store.set_setting("demo_seeded", "1")?;
    Ok(removed)
}
