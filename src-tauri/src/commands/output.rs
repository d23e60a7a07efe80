//! Itineraries (PDF or iCalendar) and spreadsheet exports (CSV or XLSX), saved where the officer
//! chooses through the system's Save or folder dialog, then opened on request. The engine makes
//! the bytes on Tauri's worker threads; the window never waits on typesetting.

use ddesk_core::export::{self, ExportRequest, Format};
use ddesk_core::print::itinerary::{self, ItineraryFile, ItineraryRequest, Scope};
use ddesk_core::store::history::Output;
use ddesk_core::Error;
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

use super::{choose_folder, choose_save_path, open_written};
use crate::error::CommandError;
use crate::state::AppState;

/// Where a spreadsheet was saved.
#[derive(Debug, Serialize)]
pub struct SavedExport {
    pub path: String,
    /// What `output_open` takes to open the file.
    pub token: String,
}

/// Where itineraries were saved: the file (one official) or the folder (several), and how
/// many files were written.
#[derive(Debug, Serialize)]
pub struct SavedItineraries {
    pub path: String,
    pub files: usize,
    /// What `output_open` takes to open the file or folder.
    pub token: String,
}

/// Builds the spreadsheet, asks where to save it (the file name the engine proposes, filtered
/// to CSV or XLSX) and writes it there. `None` when the officer cancels.
#[tauri::command(async, rename_all = "snake_case")]
pub fn export_save(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    request: ExportRequest,
    zip_password: Option<String>,
) -> Result<Option<SavedExport>, CommandError> {
    super::guarded_blocking(|| {
        let zip_password = zip_password.map(zeroize::Zeroizing::new);
        // Built before the dialog so that a request the engine refuses (CSV of several tables, a
        // roster without a session) is explained at once, not after choosing a place; and the
        // library is released before the dialog, which may stay open for minutes while a backup
        // restore waits for it.
        let (bytes, name, note) = {
            let store = state.store()?;
            (
                export::export(&store, &request)?,
                export::file_name(&store, &request)?,
                export::output_note(&store, &request)?,
            )
        };
        let (mut label, mut ext) = match request.format {
            Format::Csv => ("CSV", "csv"),
            Format::Xlsx => ("Excel (XLSX)", "xlsx"),
        };
        // Full passport numbers leave in an AES-256 ZIP under the password the officer chose
        // (issue 17); the file inside keeps its own name.
        let (bytes, name, note) = match &zip_password {
            Some(password) => (
                export::encrypted_zip(&name, &bytes, password)?,
                format!(
                    "{}.zip",
                    name.rsplit_once('.')
                        .map_or(name.as_str(), |(stem, _)| stem)
                ),
                format!("{note}, in an encrypted ZIP"),
            ),
            None => (bytes, name, note),
        };
        if zip_password.is_some() {
            (label, ext) = ("ZIP", "zip");
        }
        let saved = save_one(
            &app,
            &state,
            (label, ext, &name),
            &bytes,
            (&request.event_id, Output::Export, &note),
        )?;
        Ok(saved.map(|(path, token)| SavedExport { path, token }))
    })
}

/// Makes the request's itineraries and saves them: for one official, through the Save dialog
/// (the engine's file name proposed); for a delegation or everyone, into a folder the officer
/// picks. `progress` receives `[done, total]`; `None` when the officer cancels.
#[tauri::command(async, rename_all = "snake_case")]
pub fn itinerary_save(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    request: ItineraryRequest,
    progress: Channel<(usize, usize)>,
) -> Result<Option<SavedItineraries>, CommandError> {
    super::guarded_blocking(|| {
        let make = || -> Result<Vec<ItineraryFile>, CommandError> {
            let store = state.store()?;
            Ok(itinerary::itineraries(&store, &request, &|done, total| {
                let _ = progress.send((done, total));
            })?)
        };
        let ext = request.format.extension();
        if let Scope::Official { .. } = request.scope {
            // One official typesets in a moment, and the dialog needs the file's own name.
            let files = make()?;
            let [file] = files.as_slice() else {
                return Err(Error::NotFound {
                    entity: "itinerary",
                }
                .into());
            };
            let filter = if ext == "ics" { "iCalendar" } else { "PDF" };
            let saved = save_one(
                &app,
                &state,
                (filter, ext, &file.name),
                &file.bytes,
                (&request.event_id, Output::Itinerary, file.name.as_str()),
            )?;
            return Ok(saved.map(|(path, token)| SavedItineraries {
                path,
                files: 1,
                token,
            }));
        }
        // Many files: the folder is asked first, so that cancelling costs nothing and the officer
        // is not left waiting for a typesetting whose result would be thrown away.
        let Some(dir) = choose_folder(&app)? else {
            return Ok(None);
        };
        let files = make()?;
        let named: Vec<(&str, &[u8])> = files
            .iter()
            .map(|f| (f.name.as_str(), f.bytes.as_slice()))
            .collect();
        let Some(written) = write_folder_asking(&app, &dir, &named)? else {
            return Ok(None);
        };
        state.store()?.record_output(
            &request.event_id,
            Output::Itinerary,
            &ddesk_core::text::counted(written as i64, "itinerary", Some("itineraries")),
        )?;
        Ok(Some(SavedItineraries {
            path: dir.display().to_string(),
            files: written,
            token: state.remember_output(dir),
        }))
    })
}

/// Opens a file this tab saved in this run of the app (PDF, calendar, spreadsheet), named by
/// the token its save returned, in its usual program, or a folder of itineraries in the file
/// manager. A path from the window is never opened: "opening" a program would run it.
#[tauri::command(async, rename_all = "snake_case")]
pub fn output_open(state: State<'_, AppState>, token: String) -> Result<(), CommandError> {
    super::guarded(|| open_written(&state, &token))
}

/// Asks where to save one file (the Save dialog, filtered to `label`/`ext`, `name` proposed),
/// writes it there and records it in the event's history. The path and the token
/// `output_open` takes, or `None` when the officer cancels.
fn save_one(
    app: &tauri::AppHandle,
    state: &AppState,
    (label, ext, name): (&str, &str, &str),
    bytes: &[u8],
    (event_id, action, what): (&str, Output, &str),
) -> Result<Option<(String, String)>, CommandError> {
    let Some(path) = choose_save_path(app, label, ext, name)? else {
        return Ok(None);
    };
    ddesk_core::files::write_aside(&path, bytes)?;
    state.store()?.record_output(event_id, action, what)?;
    Ok(Some((
        path.display().to_string(),
        state.remember_output(path),
    )))
}

/// Writes files into a folder; one that already holds some of them asks before they are
/// replaced. `None` when the officer says no.
pub(super) fn write_folder_asking(
    app: &tauri::AppHandle,
    dir: &std::path::Path,
    named: &[(&str, &[u8])],
) -> Result<Option<usize>, CommandError> {
    match ddesk_core::files::write_folder(dir, named, false) {
        Err(Error::Conflict { text, .. }) => {
            let replace = app
                .dialog()
                .message(text.en())
                .kind(MessageDialogKind::Warning)
                .buttons(MessageDialogButtons::OkCancelCustom(
                    "Replace".into(),
                    "Cancel".into(),
                ))
                .blocking_show();
            if !replace {
                return Ok(None);
            }
            Ok(Some(ddesk_core::files::write_folder(dir, named, true)?))
        }
        other => Ok(Some(other?)),
    }
}

/// Registration workbooks for delegations to fill in: one delegation's through the Save dialog,
/// or every delegation's into a folder the officer picks. `None` when the officer cancels.
#[tauri::command(async, rename_all = "snake_case")]
pub fn registration_form_save(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    event_id: String,
    delegation_id: Option<String>,
    language: ddesk_core::model::Language,
) -> Result<Option<SavedItineraries>, CommandError> {
    use ddesk_core::registration;
    super::guarded_blocking(|| {
        if let Some(id) = delegation_id {
            let (bytes, name) = {
                let store = state.store()?;
                let d: ddesk_core::model::Delegation = store.get(&id)?;
                (
                    registration::registration_form(&store, &id, language)?,
                    format!("{}.xlsx", registration::file_stem(&d, language)),
                )
            };
            let saved = save_one(
                &app,
                &state,
                ("Excel (XLSX)", "xlsx", &name),
                &bytes,
                (&event_id, Output::Form, name.as_str()),
            )?;
            return Ok(saved.map(|(path, token)| SavedItineraries {
                path,
                files: 1,
                token,
            }));
        }
        let Some(dir) = choose_folder(&app)? else {
            return Ok(None);
        };
        let files = {
            let store = state.store()?;
            registration::registration_forms(&store, &event_id, language)?
        };
        let named: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        let Some(written) = write_folder_asking(&app, &dir, &named)? else {
            return Ok(None);
        };
        state.store()?.record_output(
            &event_id,
            Output::Form,
            &ddesk_core::text::counted(written as i64, "registration form", None),
        )?;
        Ok(Some(SavedItineraries {
            path: dir.display().to_string(),
            files: written,
            token: state.remember_output(dir),
        }))
    })
}
