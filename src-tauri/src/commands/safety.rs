//! Backups, integrity checks, history and undo: what keeps months of an office's work safe.

use ddesk_core::store::backup::{self, BackupInfo, BackupReason, RestoreReport};
use ddesk_core::store::history::ChangeEntry;
use ddesk_core::store::key;
use ddesk_core::store::undo::{UndoReport, UndoStep};
use ddesk_core::store::Health;
use ddesk_core::store::{Key, OpenNotice, Unlock};
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
    /// The library is encrypted and waits for its passphrase or recovery code (or, new on a
    /// computer without a credential store, for a passphrase to be chosen: `setup`).
    pub locked: bool,
    pub setup: bool,
    /// What opening did that the officer must be told, once: the recovery code of a key made
    /// now, a plaintext library encrypted.
    pub notice: Option<OpenNotice>,
}

/// The error codes of a library that is locked rather than broken.
const LOCKED: &[&str] = &[
    "locked",
    "wrong_passphrase",
    "wrong_recovery_code",
    "no_passphrase_set",
    "no_key_file",
    "no_key_store",
];

/// The key the library's backups open with while the library itself does not (damaged).
fn backup_key(path: &std::path::Path) -> Key {
    key::environment_key(path, None)
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
    super::guarded(|| status(&state))
}

fn status(state: &AppState) -> Result<LibraryStatus, CommandError> {
    let error = state.open_error();
    let locked = error.as_ref().is_some_and(|e| LOCKED.contains(&e.code));
    let newest_backup = match (&error, state.library.as_deref()) {
        (Some(_), Some(path)) if !locked => backup::newest_good_backup(path, &backup_key(path))?,
        _ => None,
    };
    let notice = match &error {
        None => state.store()?.take_notice(),
        Some(_) => None,
    };
    Ok(LibraryStatus {
        ok: error.is_none(),
        setup: error.as_ref().is_some_and(|e| e.code == "no_key_store"),
        locked,
        error,
        newest_backup,
        network_drive: state
            .library
            .as_deref()
            .is_some_and(|p| ddesk_core::files::network_warning(p).is_some()),
        notice,
    })
}

/// Unlocks the library with a passphrase, or with the recovery code and a new passphrase to
/// keep the key under from now on; on a computer without a credential store, a new library is
/// made with the passphrase chosen. A wrong one is said and nothing is written.
#[tauri::command(async, rename_all = "snake_case")]
pub fn library_unlock(
    state: State<'_, AppState>,
    passphrase: Option<String>,
    code: Option<String>,
) -> Result<LibraryStatus, CommandError> {
    super::guarded_blocking(|| {
        let path = library(&state)?.to_path_buf();
        let passphrase = passphrase.map(zeroize::Zeroizing::new);
        let how = match (&code, &passphrase) {
            (Some(code), _) => Unlock::RecoveryCode(zeroize::Zeroizing::new(code.clone())),
            (None, Some(p)) => Unlock::Passphrase(p.clone()),
            (None, None) => Unlock::Keyring,
        };
        if let (Some(_), Some(new)) = (&code, &passphrase) {
            // Checked before the library is opened, so that a short one changes nothing.
            key::check_passphrase("passphrase", new)?;
        }
        state.reopen(|| {
            let store = Store::open(&path, &how)?;
            if let (Some(_), Some(new)) = (&code, &passphrase) {
                key::set_passphrase(&path, store.key(), new)?;
            }
            Ok(store)
        })?;
        status(&state)
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
        // The open library's key; a damaged one's from the environment (its backups open with
        // it as the library does).
        let key = match state.store() {
            Ok(store) => store.key().clone(),
            Err(_) => backup_key(&path),
        };
        state.swap(
            || backup::restore(&path, &chosen.path, &key),
            || Store::open(&path, &Unlock::Key(key.clone())),
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

/// Where the event stands with its personal data: what a purge would remove, and when the
/// dashboard reminds the officer (issue 17).
#[tauri::command(async, rename_all = "snake_case")]
pub fn purge_status(
    state: State<'_, AppState>,
    event_id: String,
) -> Result<ddesk_core::store::purge::PurgeStatus, CommandError> {
    super::guarded(|| Ok(state.store()?.purge_status(&event_id)?))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn purge_reminder_set(
    state: State<'_, AppState>,
    event_id: String,
    days: i64,
) -> Result<(), CommandError> {
    super::guarded(|| Ok(state.store()?.set_purge_reminder(&event_id, days)?))
}

/// Purges the event's personal data from the library, its log and its backups, once the
/// officer has seen what goes and confirmed.
#[tauri::command(async, rename_all = "snake_case")]
pub fn purge_event(
    state: State<'_, AppState>,
    event_id: String,
) -> Result<ddesk_core::store::purge::PurgeReport, CommandError> {
    super::guarded_blocking(|| Ok(state.store()?.purge(&event_id)?))
}

/// Keeps the open library's key under a new passphrase: added beside the credential store, or
/// replacing the one set now, which must be given (a wrong one is said, nothing changes).
#[tauri::command(async, rename_all = "snake_case")]
pub fn library_passphrase_set(
    state: State<'_, AppState>,
    current: Option<String>,
    passphrase: String,
) -> Result<(), CommandError> {
    super::guarded_blocking(|| {
        let path = library(&state)?.to_path_buf();
        let passphrase = zeroize::Zeroizing::new(passphrase);
        let store = state.store()?;
        if store.protection()?.passphrase {
            let current = zeroize::Zeroizing::new(current.unwrap_or_default());
            key::unlock(&path, &Unlock::Passphrase(current))?;
        }
        key::set_passphrase(&path, store.key(), &passphrase)?;
        Ok(())
    })
}
