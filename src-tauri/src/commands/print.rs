//! Printing: a preview of the first pages (typeset by the engine, shown as PNG), and the PDF
//! saved where the officer chooses through the system's Save dialog, then opened in the
//! system's viewer on request. Typesetting runs on Tauri's worker threads, never the window's.

use base64::Engine as _;
use ddesk_core::model::Category;
use ddesk_core::print::{self, BadgeLayout, Document, Offset, PrintRequest};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;

use super::open_written;
use crate::error::CommandError;
use crate::state::AppState;

/// How many pages the preview shows.
const PREVIEW_PAGES: usize = 2;

#[derive(Debug, Serialize)]
pub struct PrintPreview {
    pub pages: usize,
    /// `data:image/png;base64,…` of the first pages.
    pub images: Vec<String>,
    /// Badges in the document, and how many of them were printed before.
    pub badges: usize,
    pub already_printed: usize,
    /// Badges whose name would print below the layout's smallest readable size (of the pages
    /// set: all of them when `complete`, else `print_small_names` says the rest).
    pub small_names: Vec<SmallNameRow>,
    /// Whether the preview set the whole document.
    pub complete: bool,
}

/// A badge name too long to read, with whose it is.
#[derive(Debug, Serialize)]
pub struct SmallNameRow {
    pub official_id: String,
    pub name: String,
    pub size_pt: f64,
    pub min_pt: f64,
}

/// Typesets `request` and renders its first pages; `progress` receives `[done, total]`.
#[tauri::command(async, rename_all = "snake_case")]
pub fn print_preview(
    state: State<'_, AppState>,
    request: PrintRequest,
    progress: Channel<(usize, usize)>,
) -> Result<PrintPreview, CommandError> {
    super::guarded_blocking(|| {
        let store = state.store()?;
        // Only the pages shown: the first sheet of 1,000 badges, not all of them.
        let typeset = print::typeset_first(&store, &request, PREVIEW_PAGES, &|done, total| {
            let _ = progress.send((done, total));
        })?;
        let images = (0..typeset.pages().min(PREVIEW_PAGES))
            .map(|page| {
                typeset.preview_png(page, 1.0).map(|png| {
                    format!(
                        "data:image/png;base64,{}",
                        base64::engine::general_purpose::STANDARD.encode(png)
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let already = store.read(|c| print::already_printed(c, &typeset.badge_ids))?;
        let small_names = small_rows(&store, &typeset.small_names);
        Ok(PrintPreview {
            complete: typeset.pages() == typeset.total_pages,
            pages: typeset.total_pages,
            images,
            badges: typeset.badge_ids.len(),
            already_printed: already.len(),
            small_names,
        })
    })
}

/// The badges of a whole document whose names would print too small: the preview sets only
/// its first pages, and this sets them all (on worker threads; the window stays usable).
#[tauri::command(async, rename_all = "snake_case")]
pub fn print_small_names(
    state: State<'_, AppState>,
    request: PrintRequest,
    progress: Channel<(usize, usize)>,
) -> Result<Vec<SmallNameRow>, CommandError> {
    super::guarded_blocking(|| {
        let store = state.store()?;
        let typeset = print::typeset(&store, &request, &|done, total| {
            let _ = progress.send((done, total));
        })?;
        Ok(small_rows(&store, &typeset.small_names))
    })
}

/// Small names with whose they are.
fn small_rows(store: &ddesk_core::Store, small: &[print::SmallName]) -> Vec<SmallNameRow> {
    small
        .iter()
        .map(|s| SmallNameRow {
            official_id: s.official_id.clone(),
            name: store
                .get::<ddesk_core::model::Official>(&s.official_id)
                .map(|o| o.full_name())
                .unwrap_or_default(),
            size_pt: s.size_pt,
            min_pt: s.min_pt,
        })
        .collect()
}

#[derive(Debug, Serialize)]
pub struct Saved {
    pub path: String,
    pub pages: usize,
    /// What `print_open` takes to open the file.
    pub token: String,
    /// The officials whose badges the PDF holds, and its layout: what `print_mark_printed`
    /// records once the officer says the sheets came out of the printer.
    pub badge_ids: Vec<String>,
    pub layout: Option<BadgeLayout>,
}

/// Asks where to save (the system's Save dialog, with `file_name` proposed) and writes the PDF
/// there. `None` when the officer cancels.
#[tauri::command(async, rename_all = "snake_case")]
pub fn print_save(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    request: PrintRequest,
    file_name: String,
    progress: Channel<(usize, usize)>,
) -> Result<Option<Saved>, CommandError> {
    super::guarded_blocking(|| {
        let Some(path) = super::choose_save_path(&app, "PDF", "pdf", &file_name)? else {
            return Ok(None);
        };
        let store = state.store()?;
        let output = print::render(&store, &request, &|done, total| {
            let _ = progress.send((done, total));
        })?;
        ddesk_core::files::write_aside(&path, &output.pdf)?;
        print::record_saved(&store, &request, output.pages, output.people)?;
        // Saving a PDF to look at it is not printing: the badges count as printed when the
        // officer says so (`print_mark_printed`), so "not printed yet" stays true until then.
        let layout = match request.document {
            Document::Badges { layout, .. } => Some(layout),
            _ => None,
        };
        Ok(Some(Saved {
            path: path.display().to_string(),
            pages: output.pages,
            token: state.remember_output(path),
            badge_ids: if layout.is_some() {
                output.badge_ids
            } else {
                Vec::new()
            },
            layout,
        }))
    })
}

/// Records badges as printed, when the officer says the saved sheets were printed.
#[tauri::command(async, rename_all = "snake_case")]
pub fn print_mark_printed(
    state: State<'_, AppState>,
    official_ids: Vec<String>,
    layout: BadgeLayout,
) -> Result<usize, CommandError> {
    super::guarded(|| {
        let store = state.store()?;
        print::record_printed(&store, &official_ids, layout)?;
        Ok(official_ids.len())
    })
}

/// Opens a PDF this run of the app saved (named by the token `print_save` returned) in the
/// system's viewer.
#[tauri::command(async, rename_all = "snake_case")]
pub fn print_open(state: State<'_, AppState>, token: String) -> Result<(), CommandError> {
    super::guarded(|| open_written(&state, &token))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn print_offset_get(
    state: State<'_, AppState>,
    layout: BadgeLayout,
) -> Result<Offset, CommandError> {
    super::guarded(|| {
        let store = state.store()?;
        Ok(print::offset(&store, layout)?)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn print_offset_set(
    state: State<'_, AppState>,
    layout: BadgeLayout,
    offset: Offset,
) -> Result<(), CommandError> {
    super::guarded(|| {
        let store = state.store()?;
        Ok(print::set_offset(&store, layout, offset)?)
    })
}

/// The band colour of every badge category, as `#rrggbb`.
#[tauri::command(async, rename_all = "snake_case")]
pub fn print_colors_get(
    state: State<'_, AppState>,
) -> Result<std::collections::BTreeMap<Category, String>, CommandError> {
    super::guarded(|| {
        let store = state.store()?;
        Ok(print::category_colors(&store)?)
    })
}

/// Sets one category's band colour (`#rrggbb`); the library remembers it for every event.
#[tauri::command(async, rename_all = "snake_case")]
pub fn print_color_set(
    state: State<'_, AppState>,
    category: Category,
    color: String,
) -> Result<(), CommandError> {
    super::guarded(|| {
        let store = state.store()?;
        Ok(print::set_category_color(&store, category, &color)?)
    })
}
