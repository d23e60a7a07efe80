//! Tauri commands, grouped by area. Each converts its arguments, makes one call into the
//! engine and returns the result; no SQL or rules live here.

pub mod agenda;
pub mod dashboard;
pub mod ground;
pub mod import;
pub mod letters;
pub mod library;
pub mod logistics;
pub mod output;
pub mod people;
pub mod print;
pub mod protocol;
pub mod safety;
pub mod sync;

use std::path::{Path, PathBuf};

use ddesk_core::Error;
use tauri_plugin_dialog::FilePath;

use crate::error::CommandError;

/// Runs a command's body so that a panic (in the engine, in typesetting) becomes an `internal`
/// error the window can show, instead of a promise that never settles (issue 15). The panic's
/// detail went to stderr through the panic hook; nothing of it reaches the window.
pub(crate) fn guarded<T>(
    body: impl FnOnce() -> Result<T, CommandError>,
) -> Result<T, CommandError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(body))
        .unwrap_or_else(|_| Err(CommandError::panicked()))
}

/// `guarded` for work that takes a while (typesetting, imports, exports, backups, the whole
/// event's checks): the body runs with Tauri's async worker marked as blocking
/// (`block_in_place`, which hands the runtime's other tasks to another thread; unlike
/// `spawn_blocking` it can borrow the command's `State`). Quick reads stay on the worker: the
/// extra thread costs a megabyte of the app's memory at start, where no slow work runs.
pub(crate) fn guarded_blocking<T>(
    body: impl FnOnce() -> Result<T, CommandError>,
) -> Result<T, CommandError> {
    let multi_threaded = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if multi_threaded {
        tokio::task::block_in_place(|| guarded(body))
    } else {
        guarded(body)
    }
}

/// The file or folder the officer chose in a system dialog, as a local path.
/// Where the end-to-end tests have the app's Save and folder dialogs answer by themselves: a
/// native dialog is outside what WebDriver can drive, and the saves behind it (badges
/// marked printed or not, files written) are what the tests must see. Unset, the dialogs ask.
const SAVE_DIR_FOR_TESTS: &str = "DDESK_E2E_SAVE_DIR";

/// The Save dialog, filtered to one kind of file, `file_name` proposed; the chosen path with
/// the kind's extension. `None` when the officer cancels.
fn choose_save_path(
    app: &tauri::AppHandle,
    label: &str,
    ext: &str,
    file_name: &str,
) -> Result<Option<PathBuf>, CommandError> {
    use tauri_plugin_dialog::DialogExt;
    if let Some(dir) = std::env::var_os(SAVE_DIR_FOR_TESTS) {
        return Ok(Some(with_extension(
            PathBuf::from(dir).join(file_name),
            ext,
        )));
    }
    let Some(chosen) = app
        .dialog()
        .file()
        .add_filter(label, &[ext])
        .set_file_name(file_name)
        .blocking_save_file()
    else {
        return Ok(None);
    };
    Ok(Some(with_extension(local_path(chosen)?, ext)))
}

/// The folder dialog. `None` when the officer cancels.
fn choose_folder(app: &tauri::AppHandle) -> Result<Option<PathBuf>, CommandError> {
    use tauri_plugin_dialog::DialogExt;
    if let Some(dir) = std::env::var_os(SAVE_DIR_FOR_TESTS) {
        return Ok(Some(PathBuf::from(dir)));
    }
    match app.dialog().file().blocking_pick_folder() {
        Some(chosen) => Ok(Some(local_path(chosen)?)),
        None => Ok(None),
    }
}

fn local_path(chosen: FilePath) -> Result<PathBuf, CommandError> {
    Ok(chosen.into_path().map_err(|_| {
        Error::field(
            "path",
            "invalid_value",
            ddesk_core::words::Text::new("error-not_a_local_file"),
        )
    })?)
}

/// The path with `.ext` added when the officer typed a name without it (some dialogs do not
/// add the filter's extension).
fn with_extension(path: PathBuf, ext: &str) -> PathBuf {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
    {
        path
    } else {
        let mut name = path.into_os_string();
        name.push(".");
        name.push(ext);
        PathBuf::from(name)
    }
}

/// Opens a file or folder in the system's own program for it. The path is passed as one
/// argument, never through a shell; callers check first that it is something the app wrote.
fn open_in_system(path: &Path) -> Result<(), CommandError> {
    let opener = if cfg!(target_os = "windows") {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    std::process::Command::new(opener)
        .arg(path)
        .spawn()
        .map_err(Error::from)?;
    Ok(())
}

/// Opens what this run of the app wrote under `token` (a PDF, spreadsheet, calendar, or a
/// folder of itineraries) in the system's program for it. The window names files only by the
/// tokens their saves returned: a path of its choosing is never opened, since "opening" a
/// program runs it (issue 15).
fn open_written(state: &crate::state::AppState, token: &str) -> Result<(), CommandError> {
    let path = state
        .written(token)
        .filter(|p| p.exists())
        .ok_or(Error::NotFound { entity: "file" })?;
    open_in_system(&path)
}

/// get / save / delete for one record type.
macro_rules! record_commands {
    ($ty:ty, $get:ident, $save:ident, $delete:ident) => {
        #[tauri::command(async, rename_all = "snake_case")]
        pub fn $get(
            state: tauri::State<'_, $crate::state::AppState>,
            id: String,
        ) -> Result<$ty, $crate::error::CommandError> {
            $crate::commands::guarded(|| Ok(state.store()?.get::<$ty>(&id)?))
        }

        #[tauri::command(async, rename_all = "snake_case")]
        pub fn $save(
            state: tauri::State<'_, $crate::state::AppState>,
            record: $ty,
        ) -> Result<$ty, $crate::error::CommandError> {
            $crate::commands::guarded(|| Ok(state.store()?.save(record)?))
        }

        #[tauri::command(async, rename_all = "snake_case")]
        pub fn $delete(
            state: tauri::State<'_, $crate::state::AppState>,
            id: String,
            cascade: Option<bool>,
        ) -> Result<(), $crate::error::CommandError> {
            $crate::commands::guarded_blocking(|| {
                Ok(state
                    .store()?
                    .delete::<$ty>(&id, cascade.unwrap_or(false))?)
            })
        }
    };
}

/// A list of one event's rows.
macro_rules! list_command {
    ($name:ident, $query:path, $row:ty) => {
        #[tauri::command(async, rename_all = "snake_case")]
        pub fn $name(
            state: tauri::State<'_, $crate::state::AppState>,
            event_id: String,
        ) -> Result<Vec<$row>, $crate::error::CommandError> {
            $crate::commands::guarded(|| Ok(state.store()?.read(|conn| $query(conn, &event_id))?))
        }
    };
}

/// One page of a list that grows with the event (flights, stays).
macro_rules! page_command {
    ($name:ident, $query:path, $row:ty) => {
        #[tauri::command(async, rename_all = "snake_case")]
        pub fn $name(
            state: tauri::State<'_, $crate::state::AppState>,
            event_id: String,
            query: Option<ddesk_core::queries::ListQuery>,
        ) -> Result<ddesk_core::queries::Page<$row>, $crate::error::CommandError> {
            let query = query.unwrap_or_default();
            $crate::commands::guarded(|| {
                Ok(state
                    .store()?
                    .read(|conn| $query(conn, &event_id, &query))?)
            })
        }
    };
}

pub(crate) use list_command;
pub(crate) use page_command;
pub(crate) use record_commands;

#[cfg(test)]
mod tests {
    use super::with_extension;
    use std::path::PathBuf;

    #[test]
    fn saved_files_end_in_their_format() {
        assert_eq!(
            with_extension("a/badges".into(), "pdf"),
            PathBuf::from("a/badges.pdf")
        );
        assert_eq!(
            with_extension("a/b.PDF".into(), "pdf"),
            PathBuf::from("a/b.PDF")
        );
        assert_eq!(
            with_extension("a/list.v2".into(), "pdf"),
            PathBuf::from("a/list.v2.pdf")
        );
        assert_eq!(
            with_extension("a/officials".into(), "csv"),
            PathBuf::from("a/officials.csv")
        );
        assert_eq!(
            with_extension("a/b.XLSX".into(), "xlsx"),
            PathBuf::from("a/b.XLSX")
        );
        assert_eq!(
            with_extension("a/list.v2".into(), "ics"),
            PathBuf::from("a/list.v2.ics")
        );
    }
}
