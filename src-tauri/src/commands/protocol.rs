//! Protocol: the office's protocol ranks, the event's order of precedence with the officer's
//! moves, and the sessions' seating plans (proposed, then moved seat by seat).

use ddesk_core::model::{DelegationOrder, Seating};
use ddesk_core::protocol::seating::{self, Plan};
use ddesk_core::protocol::{self, Placed, Rank};
use tauri::State;

use crate::error::CommandError;
use crate::state::AppState;

#[tauri::command(async, rename_all = "snake_case")]
pub fn protocol_ranks(state: State<'_, AppState>) -> Result<Vec<Rank>, CommandError> {
    super::guarded(|| Ok(state.store()?.read(protocol::ranks)?))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn protocol_ranks_save(
    state: State<'_, AppState>,
    ranks: Vec<Rank>,
) -> Result<(), CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .write(|tx| protocol::save_ranks(tx, &ranks))?)
    })
}

/// The event's order of precedence.
#[tauri::command(async, rename_all = "snake_case")]
pub fn precedence_list(
    state: State<'_, AppState>,
    event_id: String,
) -> Result<Vec<Placed>, CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .read(|c| protocol::precedence(c, &event_id))?)
    })
}

/// Moves an official one place up or down among their equals; returns the new order.
#[tauri::command(async, rename_all = "snake_case")]
pub fn precedence_move(
    state: State<'_, AppState>,
    official_id: String,
    up: bool,
) -> Result<Vec<Placed>, CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .write(|tx| protocol::move_official(tx, &official_id, up))?)
    })
}

/// How the event orders its delegations (and, arranged, in which order).
#[tauri::command(async, rename_all = "snake_case")]
pub fn delegations_arrange(
    state: State<'_, AppState>,
    event_id: String,
    order: DelegationOrder,
    organizations_first: bool,
    arranged: Vec<String>,
) -> Result<(), CommandError> {
    super::guarded(|| {
        Ok(state.store()?.write(|tx| {
            protocol::arrange_delegations(tx, &event_id, order, organizations_first, &arranged)
        })?)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn seating_plan(state: State<'_, AppState>, session_id: String) -> Result<Plan, CommandError> {
    super::guarded(|| Ok(state.store()?.read(|c| seating::plan(c, &session_id))?))
}

/// Proposes a plan and saves it as the session's in one write (one undo takes it back).
#[tauri::command(async, rename_all = "snake_case")]
pub fn seating_propose(
    state: State<'_, AppState>,
    session_id: String,
    layout: Seating,
    seats: usize,
) -> Result<Plan, CommandError> {
    super::guarded(|| {
        Ok(state.store()?.write(|tx| {
            let proposed = seating::proposal(tx, &session_id, layout, seats)?;
            seating::apply(tx, &session_id, layout, seats, &proposed)?;
            seating::plan(tx, &session_id)
        })?)
    })
}

/// Moves an official to a seat (or off their seat), swapping with whoever sits there.
#[tauri::command(async, rename_all = "snake_case")]
pub fn seating_move(
    state: State<'_, AppState>,
    session_id: String,
    official_id: String,
    table: Option<i64>,
    seat: Option<i64>,
) -> Result<Plan, CommandError> {
    let to = table.zip(seat);
    super::guarded(|| {
        Ok(state.store()?.write(|tx| {
            seating::seat(tx, &session_id, &official_id, to)?;
            seating::plan(tx, &session_id)
        })?)
    })
}
