//! Importing a registration spreadsheet: the window sends the file's bytes (picked or dropped),
//! the engine reads it into a table kept here until the officer commits or reads another, and
//! the preview and commit run on that table with the officer's mapping and choices.

use ddesk_core::import::{self, Decisions, FieldInfo, ImportReport, Mapping, Preview, ReadOptions};
use ddesk_core::words::Text;
use ddesk_core::Error;
use serde::Serialize;
use tauri::ipc::{Channel, InvokeBody, Request};
use tauri::State;

use crate::error::CommandError;
use crate::state::AppState;

/// What the mapping screen needs of a file just read: everything but the rows themselves,
/// which stay in the backend (a registration list can have tens of thousands).
#[derive(Debug, Serialize)]
pub struct ReadSummary {
    pub file_name: String,
    pub format: import::FileFormat,
    pub sheets: Vec<String>,
    pub sheet: Option<String>,
    pub encoding: Option<String>,
    pub encoding_guessed: bool,
    pub header_row: usize,
    pub headers: Vec<String>,
    pub rows: usize,
    /// The first rows, to recognise the file by.
    pub sample: Vec<Vec<String>>,
    pub notes: Vec<import::Message>,
    /// The mapping remembered for these headers, or the one guessed from them, with the
    /// values mapped by hand in the event's earlier imports.
    pub mapping: Mapping,
    /// For a registration workbook of ours: the event and delegation it was written for.
    pub form: Option<ddesk_core::import::form::FormTag>,
    /// That delegation's name, when it is one of the library's.
    pub form_delegation: Option<String>,
}

#[tauri::command(rename_all = "snake_case")]
pub fn import_fields() -> Vec<FieldInfo> {
    import::fields()
}

fn header<'a>(request: &'a Request<'_>, name: &str) -> Option<&'a str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Reads a file sent as raw bytes; `x-file-name` (URI-encoded) names it and `x-read-options`
/// (JSON: sheet, encoding, header_row) says how to read it; `x-event-id` names the event whose
/// remembered value mappings apply.
#[tauri::command(async, rename_all = "snake_case")]
pub fn import_read(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> Result<ReadSummary, CommandError> {
    super::guarded_blocking(|| {
        let InvokeBody::Raw(bytes) = request.body() else {
            return Err(
                Error::field("file", "invalid_value", Text::new("error-no_file_sent")).into(),
            );
        };
        let name = header(&request, "x-file-name")
            .map(percent_decode)
            .unwrap_or_else(|| "file".into());
        let options: ReadOptions = header(&request, "x-read-options")
            .and_then(|o| serde_json::from_str(o).ok())
            .unwrap_or_default();
        // In a child copy of the app under a memory limit: a hostile workbook that exhausts it
        // costs the officer a sentence, not the window (issue 15).
        let program = std::env::current_exe().map_err(Error::from)?;
        let table = import::read_isolated(&program, &name, bytes, &options)?;
        let store = state.store()?;
        let remembered = store.read(|c| import::remembered_mapping(c, &table.headers))?;
        let mut mapping = import::auto_mapping(&table.headers, remembered.as_ref());
        if let Some(event_id) = header(&request, "x-event-id") {
            mapping.values = store.read(|c| import::remembered_values(c, event_id))?;
        }
        let form_delegation = table.form.as_ref().and_then(|tag| {
            store
                .get::<ddesk_core::model::Delegation>(&tag.delegation_id)
                .ok()
                .map(|d| d.name_en)
        });
        let summary = ReadSummary {
            file_name: table.file_name.clone(),
            format: table.format,
            sheets: table.sheets.clone(),
            sheet: table.sheet.clone(),
            encoding: table.encoding.clone(),
            encoding_guessed: table.encoding_guessed,
            header_row: table.header_row,
            headers: table.headers.clone(),
            rows: table.rows.len(),
            sample: table.rows.iter().take(5).map(|r| r.cells.clone()).collect(),
            notes: table.notes.clone(),
            mapping,
            form: table.form.clone(),
            form_delegation,
        };
        state.set_import(Some(table));
        Ok(summary)
    })
}

/// `%E1%84%80` → the bytes they stand for (the window encodes non-ASCII file names so that they
/// travel in a header).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn pending(state: &AppState) -> Result<std::sync::Arc<import::Table>, CommandError> {
    state
        .import()
        .ok_or_else(|| Error::field("file", "required", Text::new("error-no_file_open")).into())
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn import_preview(
    state: State<'_, AppState>,
    event_id: String,
    mapping: Mapping,
) -> Result<Preview, CommandError> {
    super::guarded_blocking(|| {
        let table = pending(&state)?;
        let preview = state
            .store()?
            .read(|c| import::preview(c, &event_id, &table, &mapping))?;
        // Kept for the commit: unless the library changes meanwhile, it writes these rows as the
        // officer saw them without checking every one again.
        state.set_preview(Some(preview.clone()));
        Ok(preview)
    })
}

/// Writes the import in one transaction; `progress` receives `[done, total]` as rows go in.
#[tauri::command(async, rename_all = "snake_case")]
pub fn import_commit(
    state: State<'_, AppState>,
    event_id: String,
    mapping: Mapping,
    decisions: Decisions,
    progress: Channel<(usize, usize)>,
) -> Result<ImportReport, CommandError> {
    super::guarded_blocking(|| {
        let table = pending(&state)?;
        let previewed = state.take_preview();
        let step = (table.rows.len() / 50).max(1);
        let store = state.store()?;
        let report = import::commit(
            &store,
            &event_id,
            &table,
            &mapping,
            &decisions,
            previewed.as_ref(),
            &|done, total| {
                if done % step == 0 || done == total {
                    let _ = progress.send((done, total));
                }
            },
        )?;
        state.set_import(None);
        Ok(report)
    })
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn file_names_survive_the_header() {
        assert_eq!(
            percent_decode("%EC%B0%B8%EA%B0%80%EC%9E%90.xlsx"),
            "참가자.xlsx"
        );
        assert_eq!(percent_decode("list%20(1).csv"), "list (1).csv");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
