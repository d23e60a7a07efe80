//! Itineraries (PDF or iCalendar) and spreadsheet exports (CSV or XLSX), saved where the officer
//! chooses through the system's Save or folder dialog, then opened on request. The engine makes
//! the bytes on Tauri's worker threads; the window never waits on typesetting.

use std::path::{Path, PathBuf};

use ddesk_core::export::{self, ExportRequest, Format};
use ddesk_core::print::itinerary::{self, ItineraryFile, ItineraryRequest, Scope};
use ddesk_core::Error;
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;
use tauri_plugin_dialog::{DialogExt, FilePath};

use crate::error::CommandError;
use crate::state::AppState;

/// Where a spreadsheet was saved.
#[derive(Debug, Serialize)]
pub struct SavedExport {
    pub path: String,
}

/// Where itineraries were saved: the file (one official) or the folder (several), and how
/// many files were written.
#[derive(Debug, Serialize)]
pub struct SavedItineraries {
    pub path: String,
    pub files: usize,
}

/// Builds the spreadsheet, asks where to save it (the file name the engine proposes, filtered
/// to CSV or XLSX) and writes it there. `None` when the officer cancels.
#[tauri::command(async, rename_all = "snake_case")]
pub fn export_save(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    request: ExportRequest,
) -> Result<Option<SavedExport>, CommandError> {
    // Built before the dialog so that a request the engine refuses (CSV of several tables, a
    // roster without a session) is explained at once, not after choosing a place; and the
    // library is released before the dialog, which may stay open for minutes while a backup
    // restore waits for it.
    let (bytes, name) = {
        let store = state.store()?;
        (
            export::export(&store, &request)?,
            export::file_name(&store, &request)?,
        )
    };
    let (label, ext) = match request.format {
        Format::Csv => ("CSV", "csv"),
        Format::Xlsx => ("Excel (XLSX)", "xlsx"),
    };
    let Some(chosen) = app
        .dialog()
        .file()
        .add_filter(label, &[ext])
        .set_file_name(&name)
        .blocking_save_file()
    else {
        return Ok(None);
    };
    let path = with_extension(local_path(chosen)?, ext);
    write_aside(&path, &bytes)?;
    Ok(Some(SavedExport {
        path: path.display().to_string(),
    }))
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
        let Some(chosen) = app
            .dialog()
            .file()
            .add_filter(filter, &[ext])
            .set_file_name(&file.name)
            .blocking_save_file()
        else {
            return Ok(None);
        };
        let path = with_extension(local_path(chosen)?, ext);
        write_aside(&path, &file.bytes)?;
        return Ok(Some(SavedItineraries {
            path: path.display().to_string(),
            files: 1,
        }));
    }
    // Many files: the folder is asked first, so that cancelling costs nothing and the officer
    // is not left waiting for a typesetting whose result would be thrown away.
    let Some(chosen) = app.dialog().file().blocking_pick_folder() else {
        return Ok(None);
    };
    let dir = local_path(chosen)?;
    let files = make()?;
    let written = itinerary::write_files(&dir, &files)?;
    Ok(Some(SavedItineraries {
        path: dir.display().to_string(),
        files: written,
    }))
}

/// Opens a file this tab saved (PDF, calendar, spreadsheet) in its usual program, or a folder
/// of itineraries in the file manager.
#[tauri::command(async, rename_all = "snake_case")]
pub fn output_open(path: String) -> Result<(), CommandError> {
    let path = PathBuf::from(path);
    // Only what this tab writes: the window must not be able to run a program by "opening" it.
    let ours = path.is_dir()
        || (path.is_file()
            && path.extension().is_some_and(|e| {
                ["pdf", "ics", "csv", "xlsx"]
                    .iter()
                    .any(|x| e.eq_ignore_ascii_case(x))
            }));
    if !ours {
        return Err(Error::NotFound { entity: "file" }.into());
    }
    // The system's own "open this" command; the path is passed as one argument, never through
    // a shell.
    let opener = if cfg!(target_os = "windows") {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    std::process::Command::new(opener)
        .arg(&path)
        .spawn()
        .map_err(Error::from)?;
    Ok(())
}

fn local_path(chosen: FilePath) -> Result<PathBuf, CommandError> {
    Ok(chosen
        .into_path()
        .map_err(|_| Error::field("path", "invalid_value", "Choose a file on this computer."))?)
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

/// Writes beside the target and renames, so that a full disk or a crash never leaves half a
/// spreadsheet under the name the officer chose (or destroys the file it replaces).
fn write_aside(path: &Path, bytes: &[u8]) -> Result<(), CommandError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.part"));
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::from(e).into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{with_extension, write_aside};
    use std::path::PathBuf;

    #[test]
    fn saved_files_end_in_their_format() {
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

    #[test]
    fn writing_replaces_the_file_and_leaves_no_part_file() {
        let dir = std::env::temp_dir().join(format!("ddesk-output-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("Officials.csv");
        std::fs::write(&path, b"old").expect("old file");
        write_aside(&path, b"new").expect("written");
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
        let left: Vec<_> = std::fs::read_dir(&dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(left.len(), 1, "{left:?}");
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
