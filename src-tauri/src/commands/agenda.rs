//! Sessions and their rosters.

use ddesk_core::model::{Participant, Role, Session};
use ddesk_core::queries::{self, ParticipantRow, SessionRow};
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

#[tauri::command(async, rename_all = "snake_case")]
pub fn participant_list(
    state: State<'_, AppState>,
    session_id: String,
) -> Result<Vec<ParticipantRow>, CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .read(|conn| queries::participants(conn, &session_id))?)
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
    id: String,
    attended: bool,
) -> Result<Participant, CommandError> {
    super::guarded(|| {
        Ok(state
            .store()?
            .write(|tx| roster::attend(tx, &id, attended))?)
    })
}
