//! A new event started from a previous one: its venues and rooms, hotels and room blocks and
//! the shape of its agenda come along, moved to the new dates; its people do not (no
//! delegation, official, flight, stay or roster entry).

use std::collections::HashMap;

use chrono::Duration;
use rusqlite::Transaction;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::*;
use crate::store;

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
    let mut copied = Copied::default();
    let fresh = |id: &mut String| *id = String::new();

    let mut venue_ids = HashMap::new();
    for mut venue in Venue::of_event(tx, from)? {
        let old_id = venue.id.clone();
        fresh(&mut venue.id);
        venue.event_id = to.to_string();
        let saved = store::save(tx, venue, Some(batch))?;
        venue_ids.insert(old_id, saved.id);
        copied.venues += 1;
    }
    let mut room_ids = HashMap::new();
    for mut room in VenueRoom::of_event(tx, from)? {
        let Some(venue) = venue_ids.get(&room.venue_id) else {
            continue;
        };
        let old_id = room.id.clone();
        fresh(&mut room.id);
        room.venue_id = venue.clone();
        let saved = store::save(tx, room, Some(batch))?;
        room_ids.insert(old_id, saved.id);
        copied.rooms += 1;
    }
    let mut hotel_ids = HashMap::new();
    for mut hotel in Hotel::of_event(tx, from)? {
        let old_id = hotel.id.clone();
        fresh(&mut hotel.id);
        hotel.event_id = to.to_string();
        let saved = store::save(tx, hotel, Some(batch))?;
        hotel_ids.insert(old_id, saved.id);
        copied.hotels += 1;
    }
    for mut block in RoomBlock::of_event(tx, from)? {
        let Some(hotel) = hotel_ids.get(&block.hotel_id) else {
            continue;
        };
        fresh(&mut block.id);
        block.hotel_id = hotel.clone();
        block.first_night += shift;
        block.last_night += shift;
        store::save(tx, block, Some(batch))?;
        copied.blocks += 1;
    }
    for mut session in Session::of_event(tx, from)? {
        fresh(&mut session.id);
        session.event_id = to.to_string();
        session.starts_at += shift;
        session.ends_at += shift;
        session.venue_room_id = session
            .venue_room_id
            .as_ref()
            .and_then(|r| room_ids.get(r).cloned());
        if !session.audience_delegations.is_empty() {
            session.audience = Audience::List;
            session.audience_categories.clear();
            session.audience_delegations.clear();
        }
        let (start, end) = (
            new.local_date(session.starts_at),
            new.local_date(session.ends_at),
        );
        if start < new.start_date || end > new.end_date {
            copied.sessions_outside += 1;
            continue;
        }
        store::save(tx, session, Some(batch))?;
        copied.sessions += 1;
    }
    Ok(copied)
}
