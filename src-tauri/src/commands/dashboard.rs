//! The event's dashboard: counts, movements, hotel nights, needs and logistics problems.

use ddesk_core::checks::EventData;
use ddesk_core::dashboard::{self, Dashboard};
use tauri::State;

use crate::error::CommandError;
use crate::state::AppState;

#[tauri::command(async, rename_all = "snake_case")]
pub fn event_dashboard(
    state: State<'_, AppState>,
    event_id: String,
) -> Result<Dashboard, CommandError> {
    super::guarded_blocking(|| {
        let data = state
            .store()?
            .read_apart(|conn| EventData::load(conn, &event_id))?;
        Ok(dashboard::build(&data))
    })
}
