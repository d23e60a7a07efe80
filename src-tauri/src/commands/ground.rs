//! On the ground: vehicles, transfer runs and their passengers, the planner, the arrivals desk
//! and check-in by scanning badges.

use chrono::NaiveDate;
use ddesk_core::model::{Direction, RunPassenger, TransferRun, Travel, TravelStatus, Vehicle};
use ddesk_core::transport::checkin::{self, Counts, Scan, Target};
use ddesk_core::transport::desk::{self, Board};
use ddesk_core::transport::plan::{self, Proposed, Request};
use ddesk_core::transport::{self, RunView, Settings};
use tauri::State;

use super::{list_command, record_commands};
use crate::error::CommandError;
use crate::state::AppState;

record_commands!(Vehicle, vehicle_get, vehicle_save, vehicle_delete);
record_commands!(TransferRun, run_get, run_save, run_delete);
list_command!(vehicle_list, transport::vehicles, Vehicle);

/// The event's runs (of one local day, or all), each with its vehicle and passengers.
#[tauri::command(async, rename_all = "snake_case")]
pub fn run_list(
    state: State<'_, AppState>,
    event_id: String,
    day: Option<NaiveDate>,
) -> Result<Vec<RunView>, CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .read(|c| transport::runs(c, &event_id, day))?)
    })
}

/// The runs the planner proposes, for the officer to look at before saving.
#[tauri::command(async, rename_all = "snake_case")]
pub fn transport_plan(
    state: State<'_, AppState>,
    event_id: String,
    request: Request,
) -> Result<Vec<Proposed>, CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .read(|c| plan::plan(c, &event_id, &request))?)
    })
}

/// Plans again and saves the runs in one write (one undo takes them back); returns how many.
#[tauri::command(async, rename_all = "snake_case")]
pub fn transport_apply(
    state: State<'_, AppState>,
    event_id: String,
    request: Request,
) -> Result<usize, CommandError> {
    super::guarded(|| {
        Ok(state.store()?.write(|tx| {
            let proposed = plan::plan(tx, &event_id, &request)?;
            Ok(plan::apply(tx, &event_id, &proposed)?.len())
        })?)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn passenger_add(
    state: State<'_, AppState>,
    run_id: String,
    official_id: String,
) -> Result<RunPassenger, CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .write(|tx| transport::add_passenger(tx, &run_id, &official_id))?)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn passenger_move(
    state: State<'_, AppState>,
    passenger_id: String,
    run_id: String,
) -> Result<RunPassenger, CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .write(|tx| transport::move_passenger(tx, &passenger_id, &run_id))?)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn passenger_remove(
    state: State<'_, AppState>,
    passenger_id: String,
) -> Result<(), CommandError> {
    super::guarded(|| Ok(state.store()?.delete::<RunPassenger>(&passenger_id, true)?))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn transport_settings_get(state: State<'_, AppState>) -> Result<Settings, CommandError> {
    super::guarded(|| Ok(state.store()?.read(Settings::load)?))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn transport_settings_save(
    state: State<'_, AppState>,
    settings: Settings,
) -> Result<(), CommandError> {
    super::guarded(|| Ok(state.store()?.write(|tx| settings.save(tx))?))
}

/// The arrivals (or departures) desk for a day; `today` picks the day when none is given.
#[tauri::command(async, rename_all = "snake_case")]
pub fn desk_board(
    state: State<'_, AppState>,
    event_id: String,
    direction: Direction,
    day: Option<NaiveDate>,
) -> Result<Board, CommandError> {
    let today = chrono::Local::now().date_naive();
    super::guarded(|| {
        Ok(state
            .store()?
            .read(|c| desk::board(c, &event_id, direction, day, today))?)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn desk_set_status(
    state: State<'_, AppState>,
    travel_id: String,
    status: TravelStatus,
) -> Result<Travel, CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .write(|tx| desk::set_status(tx, &travel_id, status))?)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn checkin_scan(
    state: State<'_, AppState>,
    event_id: String,
    target: Target,
    code: String,
) -> Result<Scan, CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .write(|tx| checkin::scan(tx, &event_id, &target, &code))?)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn checkin_admit(
    state: State<'_, AppState>,
    event_id: String,
    target: Target,
    official_id: String,
) -> Result<Scan, CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .write(|tx| checkin::admit(tx, &event_id, &target, &official_id))?)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn checkin_undo(
    state: State<'_, AppState>,
    event_id: String,
    target: Target,
    official_id: String,
) -> Result<Counts, CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .write(|tx| checkin::undo(tx, &event_id, &target, &official_id))?)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn checkin_counts(
    state: State<'_, AppState>,
    event_id: String,
    target: Target,
) -> Result<Counts, CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .read(|c| checkin::counts(c, &event_id, &target))?)
    })
}
