//! A new event started from a previous one: its venues and rooms, hotels and room blocks and
//! the shape of its agenda come along, moved to the new dates; its people do not (no
//! delegation, official, flight, stay or roster entry).

use std::collections::HashMap;

use chrono::Duration;
use rusqlite::Transaction;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::*;
use crate::store::{self, Entity};

/// What came along.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Copied {
    pub venues: usize,
    pub rooms: usize,
    pub hotels: usize,
    pub blocks: usize,
    pub sessions: usize,
    /// Sessions left behind: after the move they fell outside the new event's dates.
    pub sessions_outside: usize,
}

/// Copies `from`'s venues, hotels and agenda into the event `to` under `batch` (one undo takes
/// it all back). Dates and times move by the days between the two events' first days;
/// sessions keep their kind, titles, rooms and audience, except that an audience of chosen
/// delegations becomes a list (the delegations are the old event's).
pub fn copy_setup(tx: &Transaction<'_>, from: &str, to: &str, batch: &str) -> Result<Copied> {
    if from == to {
        return Err(Error::Internal(
            "an event cannot be copied into itself".into(),
        ));
    }
    let old = Event::get(tx, from)?;
    let new = Event::get(tx, to)?;
    let shift = Duration::days((new.start_date - old.start_date).num_days());
    let link = |ids: &HashMap<String, String>, id: &mut String| match ids.get(id.as_str()) {
        Some(new_id) => {
            *id = new_id.clone();
            true
        }
        None => false,
    };
    let venues = copy_each(tx, Venue::of_event(tx, from)?, batch, |v| {
        v.event_id = to.to_string();
        true
    })?;
    let rooms = copy_each(tx, VenueRoom::of_event(tx, from)?, batch, |r| {
        link(&venues, &mut r.venue_id)
    })?;
    let hotels = copy_each(tx, Hotel::of_event(tx, from)?, batch, |h| {
        h.event_id = to.to_string();
        true
    })?;
    let blocks = copy_each(tx, RoomBlock::of_event(tx, from)?, batch, |b| {
        b.first_night += shift;
        b.last_night += shift;
        link(&hotels, &mut b.hotel_id)
    })?;
    let mut sessions_outside = 0;
    let sessions = copy_each(tx, Session::of_event(tx, from)?, batch, |s| {
        s.event_id = to.to_string();
        s.starts_at += shift;
        s.ends_at += shift;
        s.venue_room_id = s.venue_room_id.as_ref().and_then(|r| rooms.get(r).cloned());
        if !s.audience_delegations.is_empty() {
            s.audience = Audience::List;
            s.audience_categories.clear();
            s.audience_delegations.clear();
        }
        let (start, end) = (new.local_date(s.starts_at), new.local_date(s.ends_at));
        let inside = start >= new.start_date && end <= new.end_date;
        if !inside {
            sessions_outside += 1;
        }
        inside
    })?;
    let copied = Copied {
        venues: venues.len(),
        rooms: rooms.len(),
        hotels: hotels.len(),
        blocks: blocks.len(),
        sessions: sessions.len(),
        sessions_outside,
    };
    Ok(copied)
}

/// Saves each record as a new one (its id cleared) once `adapt` has pointed it at its new
/// owner and dates; one `adapt` turns down (false) stays behind. Returns old id → new id, for
/// the records that hang below these.
fn copy_each<R: Entity>(
    tx: &Transaction<'_>,
    records: Vec<R>,
    batch: &str,
    mut adapt: impl FnMut(&mut R) -> bool,
) -> Result<HashMap<String, String>> {
    let mut ids = HashMap::new();
    for mut record in records {
        if !adapt(&mut record) {
            continue;
        }
        let old = record.id().to_string();
        let (created, updated) = (record.created_at(), record.updated_at());
        record.set_meta(String::new(), created, updated);
        let saved = store::save(tx, record, Some(batch))?;
        ids.insert(old, saved.id().to_string());
    }
    Ok(ids)
}
