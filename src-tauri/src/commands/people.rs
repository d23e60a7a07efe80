//! Delegations and officials.

use ddesk_core::model::{Delegation, Official};
use ddesk_core::queries::{self, DelegationRow, OfficialQuery, OfficialRow, Page};
use tauri::State;

use super::{list_command, record_commands};
use crate::error::CommandError;
use crate::state::AppState;

record_commands!(
    Delegation,
    delegation_get,
    delegation_save,
    delegation_delete
);
record_commands!(Official, official_get, official_save, official_delete);
list_command!(delegation_list, queries::delegations, DelegationRow);

#[tauri::command(async, rename_all = "snake_case")]
pub fn official_list(
    state: State<'_, AppState>,
    event_id: String,
    query: Option<OfficialQuery>,
) -> Result<Page<OfficialRow>, CommandError> {
    super::guarded(|| {
        let query = query.unwrap_or_default();
        Ok(state
            .store()?
            .read(|conn| queries::officials(conn, &event_id, &query))?)
    })
}

/// Reads the event's search index into the library connection's cache while the officer
/// looks at the list, so that the first keystroke of a search is as quick as the next ones
/// (`queries::warm_official_search`).
#[tauri::command(async, rename_all = "snake_case")]
pub fn official_search_warm(
    state: State<'_, AppState>,
    event_id: String,
) -> Result<(), CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .read(|conn| queries::warm_official_search(conn, &event_id))?)
    })
}

/// The officials of the event an official about to be saved looks like (the dashboard's
/// likely-duplicate rule), for the form to ask before a second copy is made.
#[tauri::command(async, rename_all = "snake_case")]
pub fn official_lookalikes(
    state: State<'_, AppState>,
    official: Official,
) -> Result<Vec<ddesk_core::checks::Lookalike>, CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .read(|conn| ddesk_core::checks::lookalikes(conn, &official))?)
    })
}
