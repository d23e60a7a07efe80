//! Team sync: share an event, send and receive bundles, the shared folder, the conflict list.

use ddesk_core::store::sync::{Conflict, FolderRound, Received, Sent, Shared, Status};
use ddesk_core::words::Text;
use ddesk_core::Error;
use tauri::ipc::{InvokeBody, Request};
use tauri::State;

use crate::error::CommandError;
use crate::state::AppState;

#[tauri::command(async, rename_all = "snake_case")]
pub fn sync_status(state: State<'_, AppState>, event_id: String) -> Result<Status, CommandError> {
    super::guarded(|| Ok(state.store()?.sync_status(&event_id)?))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn sync_share(state: State<'_, AppState>, event_id: String) -> Result<Shared, CommandError> {
    super::guarded_blocking(|| Ok(state.store()?.sync_share(&event_id)?))
}

/// Asks where to save this laptop's bundle (the system's Save dialog), writes it; `None` when
/// the officer cancels.
#[tauri::command(async, rename_all = "snake_case")]
pub fn sync_send(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    event_id: String,
    file_name: String,
) -> Result<Option<Sent>, CommandError> {
    super::guarded_blocking(|| {
        let name = ddesk_core::files::safe_file_stem(&file_name);
        let Some(path) = super::choose_save_path(&app, "Delegation Desk", "ddsync", &name)? else {
            return Ok(None);
        };
        Ok(Some(state.store()?.sync_export(&event_id, &path)?))
    })
}

/// Receives a bundle sent as raw bytes (picked or dropped); `x-team-key` joins the team of an
/// event this laptop does not share yet.
#[tauri::command(async, rename_all = "snake_case")]
pub fn sync_receive(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> Result<Received, CommandError> {
    super::guarded_blocking(|| {
        let InvokeBody::Raw(bytes) = request.body() else {
            return Err(
                Error::field("file", "invalid_value", Text::new("error-no_file_sent")).into(),
            );
        };
        let key = request
            .headers()
            .get("x-team-key")
            .and_then(|v| v.to_str().ok())
            .filter(|k| !k.trim().is_empty());
        Ok(state.store()?.sync_import_bytes(bytes, key)?)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn sync_conflicts(
    state: State<'_, AppState>,
    event_id: String,
) -> Result<Vec<Conflict>, CommandError> {
    super::guarded(|| Ok(state.store()?.sync_conflicts(&event_id)?))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn sync_reverse(
    state: State<'_, AppState>,
    conflict_id: String,
) -> Result<Conflict, CommandError> {
    super::guarded(|| Ok(state.store()?.sync_reverse(&conflict_id)?))
}

/// Chooses the shared folder (the system's folder dialog), or with `clear` stops using one;
/// the folder chosen, `None` when cancelled or cleared.
#[tauri::command(async, rename_all = "snake_case")]
pub fn sync_folder_set(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    event_id: String,
    clear: bool,
) -> Result<Option<String>, CommandError> {
    super::guarded_blocking(|| {
        let store = state.store()?;
        if clear {
            store.sync_set_folder(&event_id, None)?;
            return Ok(None);
        }
        let Some(folder) = super::choose_folder(&app)? else {
            return Ok(None);
        };
        store.sync_set_folder(&event_id, Some(&folder))?;
        Ok(Some(folder.display().to_string()))
    })
}

/// One round through the shared folder: this laptop's bundle written there, the others' read.
#[tauri::command(async, rename_all = "snake_case")]
pub fn sync_folder_round(
    state: State<'_, AppState>,
    event_id: String,
) -> Result<FolderRound, CommandError> {
    super::guarded_blocking(|| Ok(state.store()?.sync_folder_round(&event_id)?))
}

/// The file name of a bundle the app was opened with (double-clicked), if one waits.
#[tauri::command(async, rename_all = "snake_case")]
pub fn sync_opened_pending(state: State<'_, AppState>) -> Option<String> {
    state
        .opened_bundle
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .map(|p| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
}

/// Receives the bundle the app was opened with; `team_key` to join. It stays waiting when the
/// key is needed or wrong (for the window to ask), and goes once received or refused.
#[tauri::command(async, rename_all = "snake_case")]
pub fn sync_receive_opened(
    state: State<'_, AppState>,
    team_key: Option<String>,
) -> Result<Option<Received>, CommandError> {
    super::guarded_blocking(|| {
        let Some(path) = state
            .opened_bundle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        else {
            return Ok(None);
        };
        let key = team_key.as_deref().filter(|k| !k.trim().is_empty());
        let outcome = state.store()?.sync_import(&path, key);
        if !matches!(&outcome, Err(Error::Sync { code, .. }) if *code == "team_key_needed" || *code == "wrong_team_key")
        {
            *state
                .opened_bundle
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = None;
        }
        Ok(Some(outcome?))
    })
}
