//! The event library, settings and reference lists.

use ddesk_core::model::Event;
use ddesk_core::queries::{self, EventSummary};
use ddesk_core::reference::{self, Named};
use ddesk_core::store;
use tauri::State;

use super::record_commands;
use crate::error::CommandError;
use crate::startup::{self, Startup};
use crate::state::AppState;

record_commands!(Event, event_get, event_save, event_delete);

/// Where the window starts and whether it reports timings.
#[tauri::command(rename_all = "snake_case")]
pub fn app_startup(state: State<'_, AppState>) -> Startup {
    state.startup.clone()
}

/// What the About box shows: which build this is and where the officer's data lives, for
/// the office's IT desk.
#[derive(Debug, serde::Serialize)]
pub struct About {
    pub version: &'static str,
    pub build: &'static str,
    pub schema_version: i64,
    pub library: Option<String>,
    pub backups: Option<String>,
    /// The folder of the app's log files (`applog`).
    pub logs: Option<String>,
    /// How the library is encrypted and where its key is kept (none while it is locked).
    pub protection: Option<ddesk_core::store::Protection>,
}

/// The word catalogues (Fluent source by language code), the same the engine reads: the window
/// formats its words from them (`ui/fluent.js`). Async, so it answers while the library opens.
#[tauri::command(async)]
pub fn catalogue() -> std::collections::BTreeMap<&'static str, &'static str> {
    ddesk_core::words::SOURCES.into_iter().collect()
}

#[tauri::command(rename_all = "snake_case")]
pub fn app_about(state: State<'_, AppState>) -> About {
    let library = state.library.as_deref();
    About {
        version: env!("CARGO_PKG_VERSION"),
        build: env!("DDESK_BUILD"),
        schema_version: ddesk_core::store::SCHEMA_VERSION,
        library: library.map(|p| p.display().to_string()),
        backups: library.map(|p| {
            ddesk_core::store::backup::backups_dir(p)
                .display()
                .to_string()
        }),
        logs: crate::applog::dir().map(|d| d.display().to_string()),
        protection: state.store().ok().and_then(|s| s.protection().ok()),
    }
}

/// Opens the folder of the app's log files in the system's file manager (the About box), for
/// the office's IT desk.
#[tauri::command(async, rename_all = "snake_case")]
pub fn open_logs_folder() -> Result<(), CommandError> {
    super::guarded(|| {
        let dir = crate::applog::dir().ok_or(ddesk_core::Error::NotFound { entity: "folder" })?;
        ddesk_core::files::create_private_dir(&dir)?;
        super::open_in_system(&dir)
    })
}

/// A timing from the UI (first paint, search paint), printed only under the benchmark.
#[tauri::command(rename_all = "snake_case")]
pub fn ui_metric(state: State<'_, AppState>, name: String, ms: f64) {
    if state.startup.probe {
        startup::report(&name, ms);
    }
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn events_list(state: State<'_, AppState>) -> Result<Vec<EventSummary>, CommandError> {
    super::guarded(|| Ok(state.store()?.read(queries::events)?))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn setting_get(
    state: State<'_, AppState>,
    key: String,
) -> Result<Option<String>, CommandError> {
    super::guarded(|| {
        store::check_window_setting(&key, None)?;
        Ok(state.store()?.setting(&key)?)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn setting_set(
    state: State<'_, AppState>,
    key: String,
    value: String,
) -> Result<(), CommandError> {
    super::guarded(|| {
        store::check_window_setting(&key, Some(&value))?;
        Ok(state.store()?.set_setting(&key, value.trim())?)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn countries() -> Vec<Named> {
    let mut list = reference::countries().to_vec();
    list.sort_by(|a, b| a.name_en.cmp(&b.name_en));
    list
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn organizations() -> Vec<Named> {
    reference::organizations().to_vec()
}

/// Takes the demo events out of the library (backed up first); how many went.
#[tauri::command(async, rename_all = "snake_case")]
pub fn demo_remove(state: State<'_, AppState>) -> Result<usize, CommandError> {
    super::guarded_blocking(|| {
        let store = state.store()?;
        Ok(ddesk_core::demo::remove(&store)?)
    })
}

/// Puts the two made-up demo events into the library (or resets them), when the officer asks
/// on the welcome page; they carry the Demo chip and go again in one click.
#[tauri::command(async, rename_all = "snake_case")]
pub fn demo_open(state: State<'_, AppState>) -> Result<usize, CommandError> {
    super::guarded_blocking(|| {
        let store = state.store()?;
        Ok(ddesk_core::demo::open(&store)?)
    })
}

/// Starts the event `to` from the event `from`: venues, hotels and agenda, moved to its dates;
/// no people. One step to undo.
#[tauri::command(async, rename_all = "snake_case")]
pub fn event_copy_setup(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> Result<ddesk_core::reuse::Copied, CommandError> {
    super::guarded_blocking(|| {
        let store = state.store()?;
        Ok(store
            .write_batch(|tx, batch| ddesk_core::reuse::copy_setup(tx, &from, &to, batch))?
            .value)
    })
}
