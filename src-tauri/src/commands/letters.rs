//! Letters and certificates: the templates' words (read, saved, reset), a preview of the typeset
//! page as the officer types, the letterhead with its logo and seal, the batch written where
//! the officer chooses, and the register of outgoing documents.

use base64::Engine as _;
use ddesk_core::model::Language;
use ddesk_core::print::letters::saved::{self, Letterhead, RegisterEntry};
use ddesk_core::print::letters::template::{self, LetterTemplate, Problem};
use ddesk_core::print::letters::{self, LetterKind, LetterRequest, Skipped};
use ddesk_core::print::Fonts;
use ddesk_core::words::Text;
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;

use super::output::write_folder_asking;
use super::{choose_folder, choose_save_path, guarded, guarded_blocking};
use crate::error::CommandError;
use crate::state::AppState;

fn png_url(png: &[u8]) -> String {
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

/// A template as the editor shows it.
#[derive(Debug, Serialize)]
pub struct TemplateView {
    pub template: LetterTemplate,
    /// Whether the officer changed it from the default words.
    pub own: bool,
    /// The placeholders this kind of letter knows, in the list's order.
    pub placeholders: Vec<&'static str>,
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn letter_template_get(
    state: State<'_, AppState>,
    kind: LetterKind,
    lang: Language,
) -> Result<TemplateView, CommandError> {
    guarded(|| {
        let store = state.store()?;
        let (template, own) = store.read(|c| {
            Ok((
                saved::template(c, kind, lang)?,
                saved::template_is_own(c, kind, lang)?,
            ))
        })?;
        Ok(TemplateView {
            template,
            own,
            placeholders: template::placeholders(kind),
        })
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn letter_template_save(
    state: State<'_, AppState>,
    template: LetterTemplate,
) -> Result<(), CommandError> {
    guarded(|| {
        Ok(state
            .store()?
            .write(|tx| saved::save_template(tx, &template))?)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn letter_template_reset(
    state: State<'_, AppState>,
    kind: LetterKind,
    lang: Language,
) -> Result<(), CommandError> {
    guarded(|| {
        Ok(state
            .store()?
            .write(|tx| saved::reset_template(tx, kind, lang))?)
    })
}

#[derive(Debug, Serialize)]
pub struct LetterPreview {
    /// The first page, `data:image/png;base64,…`.
    pub image: String,
    pub pages: usize,
    pub recipient_id: String,
    pub recipient: String,
    pub problems: Vec<Problem>,
    pub refused: Option<Text>,
}

/// The first page of the template as typed (unsaved) for a recipient (the first when `None`).
#[tauri::command(async, rename_all = "snake_case")]
pub fn letter_preview(
    state: State<'_, AppState>,
    event_id: String,
    template: LetterTemplate,
    recipient_id: Option<String>,
    min_attendance: u8,
) -> Result<LetterPreview, CommandError> {
    guarded_blocking(|| {
        let store = state.store()?;
        let preview = letters::preview(
            &store,
            &Fonts::system(),
            &event_id,
            &template,
            recipient_id.as_deref().filter(|id| !id.is_empty()),
            min_attendance,
            1.0,
        )?;
        Ok(LetterPreview {
            image: png_url(&preview.png),
            pages: preview.pages,
            recipient_id: preview.recipient_id,
            recipient: preview.recipient,
            problems: preview.problems,
            refused: preview.refused,
        })
    })
}

#[derive(Debug, Serialize)]
pub struct RecipientOption {
    pub id: String,
    pub label: String,
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn letter_recipients(
    state: State<'_, AppState>,
    event_id: String,
    kind: LetterKind,
) -> Result<Vec<RecipientOption>, CommandError> {
    guarded_blocking(|| {
        let store = state.store()?;
        Ok(letters::recipients(&store, &event_id, kind)?
            .into_iter()
            .map(|(id, label)| RecipientOption { id, label })
            .collect())
    })
}

#[derive(Debug, Serialize)]
pub struct LetterheadView {
    pub letterhead: Letterhead,
    pub logo: Option<String>,
    pub seal: Option<String>,
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn letterhead_get(state: State<'_, AppState>) -> Result<LetterheadView, CommandError> {
    guarded(|| {
        let store = state.store()?;
        store
            .read(|c| {
                Ok(LetterheadView {
                    letterhead: saved::letterhead(c)?,
                    logo: saved::image(c, "logo")?.map(|i| png_url(&i.png)),
                    seal: saved::image(c, "seal")?.map(|i| png_url(&i.png)),
                })
            })
            .map_err(Into::into)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn letterhead_save(
    state: State<'_, AppState>,
    letterhead: Letterhead,
) -> Result<(), CommandError> {
    guarded(|| {
        Ok(state
            .store()?
            .write(|tx| saved::save_letterhead(tx, &letterhead))?)
    })
}

/// Keeps a logo or seal the officer chose (the file's bytes, base64), or removes it (`None`).
#[tauri::command(async, rename_all = "snake_case")]
pub fn letter_image_save(
    state: State<'_, AppState>,
    name: String,
    base64: Option<String>,
) -> Result<(), CommandError> {
    guarded_blocking(|| {
        let store = state.store()?;
        match base64 {
            None => Ok(store.write(|tx| saved::remove_image(tx, &name))?),
            Some(text) => {
                // Base64 is a third larger than the file: longer text is refused undecoded.
                if text.len() > letters::MAX_IMAGE_BYTES / 3 * 4 + 8 {
                    return Err(ddesk_core::Error::field(
                        &name,
                        "too_long",
                        Text::new("letter-error-image_size")
                            .with("max", letters::MAX_IMAGE_BYTES / (1024 * 1024)),
                    )
                    .into());
                }
                // Undecodable text is no picture: the engine refuses empty bytes as such.
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(text.as_bytes())
                    .unwrap_or_default();
                Ok(letters::import_image(
                    &store,
                    &Fonts::system(),
                    &name,
                    &bytes,
                )?)
            }
        }
    })
}

#[derive(Debug, Serialize)]
pub struct LettersWritten {
    pub path: String,
    pub files: usize,
    pub skipped: Vec<Skipped>,
    /// What `output_open` takes to open the file or folder.
    pub token: Option<String>,
}

/// Writes the batch: one letter (or all in one PDF) through the Save dialog, several into a
/// folder the officer picks. `progress` receives `[done, total]`; `None` when cancelled.
#[tauri::command(async, rename_all = "snake_case")]
pub fn letter_write(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    request: LetterRequest,
    progress: Channel<(usize, usize)>,
) -> Result<Option<LettersWritten>, CommandError> {
    guarded_blocking(|| {
        let to_file = request.is_one_letter() || request.combined;
        // The folder is asked first: cancelling costs nothing.
        let folder = if to_file {
            None
        } else {
            match choose_folder(&app)? {
                Some(dir) => Some(dir),
                None => return Ok(None),
            }
        };
        let batch = {
            let store = state.store()?;
            letters::write_letters(&store, &request, &|done, total| {
                let _ = progress.send((done, total));
            })?
        };
        if batch.files.is_empty() {
            return Ok(Some(LettersWritten {
                path: String::new(),
                files: 0,
                skipped: batch.skipped,
                token: None,
            }));
        }
        let ext = request.format.extension();
        let label = match ext {
            "pdf" => "PDF",
            "docx" => "Word (DOCX)",
            _ => "E-mail (EML)",
        };
        if to_file {
            let (bytes, name) = match &batch.combined {
                Some(all) => (
                    all.as_slice(),
                    format!("{} letters.pdf", request.kind.as_str()),
                ),
                None => (batch.files[0].bytes.as_slice(), batch.files[0].name.clone()),
            };
            // The engine recorded the letters in the history when it numbered them.
            let Some(path) = choose_save_path(&app, label, ext, &name)? else {
                return Ok(None);
            };
            ddesk_core::files::write_aside(&path, bytes)?;
            return Ok(Some(LettersWritten {
                path: path.display().to_string(),
                files: batch.files.len(),
                skipped: batch.skipped,
                token: Some(state.remember_output(path)),
            }));
        }
        let Some(dir) = folder else {
            return Ok(None);
        };
        let named: Vec<(&str, &[u8])> = batch
            .files
            .iter()
            .map(|f| (f.name.as_str(), f.bytes.as_slice()))
            .collect();
        let Some(written) = write_folder_asking(&app, &dir, &named)? else {
            return Ok(None);
        };
        Ok(Some(LettersWritten {
            path: dir.display().to_string(),
            files: written,
            skipped: batch.skipped,
            token: Some(state.remember_output(dir)),
        }))
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn letter_register(
    state: State<'_, AppState>,
    event_id: String,
) -> Result<Vec<RegisterEntry>, CommandError> {
    guarded(|| Ok(state.store()?.read(|c| saved::register(c, &event_id))?))
}
