//! Backups, integrity checks, history and undo: what keeps months of an office's work safe.

use ddesk_core::store::backup::{self, BackupInfo, BackupReason, RestoreReport};
use ddesk_core::store::history::ChangeEntry;
use ddesk_core::store::undo::{UndoReport, UndoStep};
use ddesk_core::store::Health;
use ddesk_core::{Error, Store};
use serde::Serialize;
use tauri::State;

use crate::error::CommandError;
use crate::state::AppState;

/// Whether the library opened, and if not, why and which backup could replace it.
#[derive(Debug, Serialize)]
pub struct LibraryStatus {
    pub ok: bool,
    pub error: Option<CommandError>,
    pub newest_backup: Option<BackupInfo>,
    /// Set when the library is on a network drive, where SQLite cannot keep it safe.
    pub network_drive: bool,
}

fn library(state: &AppState) -> Result<&std::path::Path, CommandError> {
    state.library.as_deref().ok_or_else(|| {
        Error::NotFound {
            entity: "library file",
        }
        .into()
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn library_status(state: State<'_, AppState>) -> Result<LibraryStatus, CommandError> {
    super::guarded(|| {
        let error = state.open_error();
        let newest_backup = match (&error, state.library.as_deref()) {
            (Some(_), Some(path)) => backup::newest_good_backup(path)?,
            _ => None,
        };
        Ok(LibraryStatus {
            ok: error.is_none(),
            error,
            newest_backup,
            network_drive: state
                .library
                .as_deref()
                .is_some_and(|p| ddesk_core::files::network_warning(p).is_some()),
        })
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn backups_list(state: State<'_, AppState>) -> Result<Vec<BackupInfo>, CommandError> {
    super::guarded(|| Ok(backup::list_backups(library(&state)?)?))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn backup_now(state: State<'_, AppState>) -> Result<BackupInfo, CommandError> {
    super::guarded_blocking(|| Ok(state.store()?.backup(BackupReason::Manual)?))
}

/// Restores the backup named `file_name` from the library's own backups folder (the window
/// never passes a path, so it cannot point the restore at an arbitrary file).
#[tauri::command(async, rename_all = "snake_case")]
pub fn backup_restore(
    state: State<'_, AppState>,
    file_name: String,
) -> Result<RestoreReport, CommandError> {
    super::guarded_blocking(|| {
        let path = library(&state)?.to_path_buf();
        let chosen = backup::list_backups(&path)?
            .into_iter()
            .find(|b| b.file_name == file_name)
            .ok_or(Error::NotFound { entity: "backup" })?;
        state.swap(
            || backup::restore(&path, &chosen.path),
            || Store::open(&path),
        )
    })
}

/// The full check (`integrity_check`, `foreign_key_check`), as `ddesk doctor` runs it.
#[tauri::command(async, rename_all = "snake_case")]
pub fn library_check(state: State<'_, AppState>) -> Result<Health, CommandError> {
    super::guarded_blocking(|| Ok(state.store()?.health()?))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn history_list(
    state: State<'_, AppState>,
    event_id: String,
    limit: Option<usize>,
) -> Result<Vec<ChangeEntry>, CommandError> {
    super::guarded(|| {
        let limit = limit.unwrap_or(200).min(1_000);
        Ok(state.store()?.recent_history(&event_id, limit)?)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn undo_next(
    state: State<'_, AppState>,
    event_id: String,
) -> Result<Option<UndoStep>, CommandError> {
    super::guarded(|| Ok(state.store()?.next_undo(Some(&event_id))?))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn undo_last(
    state: State<'_, AppState>,
    event_id: String,
) -> Result<Option<UndoReport>, CommandError> {
    super::guarded_blocking(|| Ok(state.store()?.undo_last(Some(&event_id))?))
}
