//! Delegations and officials.

use ddesk_core::model::{Delegation, Official};
use ddesk_core::queries::{self, DelegationRow, ListedOfficial, OfficialQuery, Page};
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

/// A page of the event's officials as the window lists them (`ListedOfficial`); a form asks
/// for the whole record (`official_get`) when it opens one.
#[tauri::command(async, rename_all = "snake_case")]
pub fn official_list(
    state: State<'_, AppState>,
    event_id: String,
    query: Option<OfficialQuery>,
) -> Result<Page<ListedOfficial>, CommandError> {
    super::guarded(|| {
        let query = query.unwrap_or_default();
        let page = queries::officials_listed(&*state.store()?, &event_id, &query)?;
        Ok(Page {
            total: page.total,
            rows: page.rows.into_iter().map(ListedOfficial::from).collect(),
        })
    })
}

/// Reads the event's name index while the officer looks at the list, so that the first
/// keystroke of a search is as quick as the next ones (`queries::warm_official_search`).
#[tauri::command(async, rename_all = "snake_case")]
pub fn official_search_warm(
    state: State<'_, AppState>,
    event_id: String,
) -> Result<(), CommandError> {
    super::guarded(|| Ok(queries::warm_official_search(&*state.store()?, &event_id)?))
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
