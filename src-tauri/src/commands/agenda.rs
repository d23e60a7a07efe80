//! Sessions and their rosters.

use ddesk_core::model::{Participant, Role, Session};
use ddesk_core::queries::{self, ListQuery, Page, ParticipantRow, SessionRow};
use ddesk_core::roster;
use tauri::State;

use super::{list_command, record_commands};
use crate::error::CommandError;
use crate::state::AppState;

record_commands!(Session, session_get, session_save, session_delete);
record_commands!(
    Participant,
    participant_get,
    participant_save,
    participant_delete
);
list_command!(session_list, queries::sessions, SessionRow);

/// A page of the session's roster as its audience and exceptions make it.
#[tauri::command(async, rename_all = "snake_case")]
pub fn participant_list(
    state: State<'_, AppState>,
    session_id: String,
    query: ListQuery,
) -> Result<Page<ParticipantRow>, CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .read(|conn| queries::roster(conn, &session_id, &query))?)
    })
}

/// Those left out of the session against its audience's rule.
#[tauri::command(async, rename_all = "snake_case")]
pub fn roster_left_out(
    state: State<'_, AppState>,
    session_id: String,
) -> Result<Vec<ParticipantRow>, CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .read(|conn| queries::left_out(conn, &session_id))?)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn roster_remove(
    state: State<'_, AppState>,
    session_id: String,
    official_id: String,
) -> Result<(), CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .write(|tx| roster::remove(tx, &session_id, &official_id))?)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn roster_role(
    state: State<'_, AppState>,
    session_id: String,
    official_id: String,
    role: Role,
) -> Result<Participant, CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .write(|tx| roster::set_role(tx, &session_id, &official_id, role))?)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn participants_add(
    state: State<'_, AppState>,
    session_id: String,
    official_ids: Vec<String>,
    role: Option<Role>,
) -> Result<usize, CommandError> {
    super::guarded(|| {
        let role = role.unwrap_or_default();
        Ok(state
            .store()?
            .write(|tx| roster::add(tx, &session_id, &official_ids, role))?)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn participant_attend(
    state: State<'_, AppState>,
    session_id: String,
    official_id: String,
    attended: bool,
) -> Result<Participant, CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .write(|tx| roster::attend(tx, &session_id, &official_id, attended))?)
    })
}
