//! Print-ready PDFs: badges, participant lists, sign-in sheets, per-delegation lists, rooming
//! lists, arrival and departure boards.
//!
//! Each document kind is a typst template in `print/templates/` that reads its data from
//! `/data.json`; a layout change is a template edit. This module reads the event, checks that
//! the installed fonts can print every character (a name no font covers is an error naming the
//! official and the script, never a tofu box), builds the JSON, and typesets it with the
//! `typst` crate into a [`Typeset`] document that becomes a PDF or a PNG preview.
//!
//! The library lock is held only while the data is read; typesetting runs without it, so the
//! app can run [`render`] on a worker thread while the window keeps working.
//!
//! ```no_run
//! # fn demo(store: &ddesk_core::Store, event_id: &str) -> ddesk_core::Result<()> {
//! use ddesk_core::print::{self, BadgeLayout, Document, PrintRequest, Selection};
//! let request = PrintRequest::new(
//!     event_id,
//!     Document::Badges { layout: BadgeLayout::A4x8, selection: Selection::NotPrinted },
//! );
//! let typeset = print::typeset(store, &request, &|done, total| eprintln!("{done}/{total}"))?;
//! let first_page = typeset.preview_png(0, 1.0)?;
//! let pdf = typeset.pdf()?;
//! print::record_printed(store, &typeset.badge_ids, BadgeLayout::A4x8)?;
//! # let _ = (first_page, pdf); Ok(()) }
//! ```

mod data;
mod font_cache;
pub mod fonts;
pub mod itinerary;
pub mod letters;
mod paged;
mod qr;
mod seating;
mod textlayer;
mod transport;
mod world;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use chrono::{NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use typst::diag::Warned;
use typst::model::Document as _;
use typst_layout::PagedDocument;

use crate::error::{Error, Result};
use crate::model::{Category, Language};
use crate::store::Store;
use crate::words::Text;
pub use fonts::Fonts;
use world::PrintWorld;

/// Fills the cache of the system's fonts ahead of the first print (see
/// `font_cache::scan_ahead_if_missing`).
pub fn scan_fonts_ahead_if_missing() {
    font_cache::scan_ahead_if_missing();
}

/// Runs the font scan `scan_fonts_ahead_if_missing` asked for and exits, when this process is
/// that scan; returns at once otherwise. Call it first thing in `main`.
pub fn serve_font_scan_if_asked() {
    font_cache::serve_scan_if_asked();
}

/// A badge sheet layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum BadgeLayout {
    /// A4 with 8 badges of 90 × 60 mm (2 × 4) and cut marks.
    #[default]
    #[serde(rename = "a4-8")]
    A4x8,
    /// A4 with 4 A6 badges (2 × 2), for lanyard inserts.
    #[serde(rename = "a6-4")]
    A6x4,
    /// One CR80 card (85.6 × 54 mm) per page, for card printers.
    #[serde(rename = "cr80")]
    Cr80,
    /// One A4 sheet folded in half: the name reads on both sides when the badge flips.
    #[serde(rename = "a4-fold")]
    A4Fold,
}

impl BadgeLayout {
    pub const ALL: &'static [BadgeLayout] = &[
        BadgeLayout::A4x8,
        BadgeLayout::A6x4,
        BadgeLayout::Cr80,
        BadgeLayout::A4Fold,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BadgeLayout::A4x8 => "a4-8",
            BadgeLayout::A6x4 => "a6-4",
            BadgeLayout::Cr80 => "cr80",
            BadgeLayout::A4Fold => "a4-fold",
        }
    }

    pub fn parse(text: &str) -> Option<BadgeLayout> {
        Self::ALL.iter().copied().find(|l| l.as_str() == text)
    }

    /// Badges on one sheet.
    pub fn per_page(self) -> usize {
        match self {
            BadgeLayout::A4x8 => 8,
            BadgeLayout::A6x4 => 4,
            BadgeLayout::Cr80 | BadgeLayout::A4Fold => 1,
        }
    }
}

/// Whose badges to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Selection {
    /// Everyone not cancelled.
    #[default]
    All,
    Delegation {
        id: String,
    },
    Category {
        category: Category,
    },
    /// Exactly these officials (a cancelled one too, when picked by hand).
    Officials {
        ids: Vec<String>,
    },
    /// Everyone not cancelled whose badge has never been printed.
    NotPrinted,
}

/// One document to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Document {
    Badges {
        layout: BadgeLayout,
        #[serde(default)]
        selection: Selection,
    },
    /// Everyone, grouped by delegation.
    Participants,
    /// Everyone in the event's order of precedence, with rank and delegation.
    Precedence,
    /// A session's roster with a signature column and blank rows for walk-ins.
    SignIn {
        session_id: String,
        #[serde(default = "default_blank_rows")]
        blank_rows: usize,
    },
    /// One delegation (or every delegation, each on its own pages) with travel and hotel.
    Delegation {
        #[serde(default)]
        delegation_id: Option<String>,
    },
    /// Per hotel (or every hotel, each on its own pages), in the form hotels expect.
    Rooming {
        #[serde(default)]
        hotel_id: Option<String>,
    },
    /// Arrivals by day and time.
    Arrivals,
    /// Departures by day and time.
    Departures,
    /// A dispatch sheet per driver: their runs with flights and passengers (of one local day,
    /// or every day).
    Dispatch {
        #[serde(default)]
        day: Option<NaiveDate>,
    },
    /// An arrival-hall name sign per official met at the airport.
    NameSigns {
        #[serde(default)]
        day: Option<NaiveDate>,
    },
    /// Every run of each day: the transport plan.
    Transport {
        #[serde(default)]
        day: Option<NaiveDate>,
    },
    /// A session's seating chart: the room drawn with every name (A4, or A3 when asked).
    Seating {
        session_id: String,
        #[serde(default)]
        a3: bool,
    },
    /// A session's table lists: per table its seats, for the ushers.
    Tables { session_id: String },
    /// A session's place cards in seating order: tent cards, A4 with fold and cut marks.
    PlaceCards { session_id: String },
}

fn default_blank_rows() -> usize {
    10
}

impl Document {
    /// The document's name in file names and the CLI.
    pub fn key(&self) -> &'static str {
        match self {
            Document::Badges { .. } => "badges",
            Document::Participants => "participants",
            Document::Precedence => "precedence",
            Document::SignIn { .. } => "signin",
            Document::Delegation { .. } => "delegation",
            Document::Rooming { .. } => "rooming",
            Document::Arrivals => "arrivals",
            Document::Departures => "departures",
            Document::Dispatch { .. } => "dispatch",
            Document::NameSigns { .. } => "namesigns",
            Document::Transport { .. } => "transport",
            Document::Seating { .. } => "seating",
            Document::Tables { .. } => "tables",
            Document::PlaceCards { .. } => "placecards",
        }
    }
}

/// A print offset in millimetres, to move everything on a sheet onto pre-cut stock.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Offset {
    pub x_mm: f64,
    pub y_mm: f64,
}

/// What to print, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrintRequest {
    pub event_id: String,
    pub document: Document,
    /// The language of labels, the event's name and delegation names.
    #[serde(default)]
    pub language: Language,
    /// Column headers in both English and Korean.
    #[serde(default)]
    pub bilingual: bool,
    /// Badges only: the offset to use; `None` uses the one remembered for the layout.
    #[serde(default)]
    pub offset: Option<Offset>,
    /// The date printed on every page; `None` is today.
    #[serde(default)]
    pub printed_on: Option<NaiveDate>,
    /// Passport numbers in full where a document shows them (the rooming list, for the hotel's
    /// register of foreign guests); masked (`M12****78`) otherwise.
    #[serde(default)]
    pub full_passport: bool,
}

impl PrintRequest {
    pub fn new(event_id: &str, document: Document) -> PrintRequest {
        PrintRequest {
            event_id: event_id.to_string(),
            document,
            language: Language::En,
            bilingual: false,
            offset: None,
            printed_on: None,
            full_passport: false,
        }
    }
}

/// A typeset document: pages ready for a PDF or a preview.
pub struct Typeset {
    document: PagedDocument,
    /// The officials whose badges are in it, in print order (empty for other documents), for
    /// [`record_printed`] once the officer has the paper.
    pub badge_ids: Vec<String>,
    /// Typesetting warnings (none are expected; tests assert that).
    pub warnings: Vec<String>,
    /// Badges whose name had to be set below its layout's smallest readable size.
    pub small_names: Vec<SmallName>,
    /// How many people it lists (its badges, or its rows): the history records it.
    pub people: usize,
    /// The whole document's pages: more than [`Typeset::pages`] when only the first were set
    /// ([`typeset_first`]).
    pub total_pages: usize,
}

/// A badge whose name would print smaller than its layout's smallest readable size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmallName {
    pub official_id: String,
    /// The size it gets, and the layout's smallest readable size, in points.
    pub size_pt: f64,
    pub min_pt: f64,
}

/// The names the badge template reported as set below their readable size (`<small-name>`
/// metadata), read from one compiled chunk (joined pages lose their introspector).
fn small_names(document: &PagedDocument) -> Vec<SmallName> {
    use typst::foundations::{Label, Selector, Value as Typst};
    use typst::introspection::{Introspector as _, MetadataElem};
    let Some(label) = Label::new(typst::utils::PicoStr::intern("small-name")) else {
        return Vec::new();
    };
    let number = |v: Option<&Typst>| match v {
        Some(Typst::Float(f)) => *f,
        Some(Typst::Int(i)) => *i as f64,
        _ => 0.0,
    };
    document
        .introspector()
        .query(&Selector::Label(label))
        .iter()
        .filter_map(|c| c.to_packed::<MetadataElem>())
        .filter_map(|meta| match &meta.value {
            Typst::Dict(d) => Some(SmallName {
                official_id: match d.get("id") {
                    Ok(Typst::Str(s)) => s.to_string(),
                    _ => String::new(),
                },
                size_pt: (number(d.get("size").ok()) * 10.0).round() / 10.0,
                min_pt: number(d.get("min").ok()),
            }),
            _ => None,
        })
        .collect()
}

impl std::fmt::Debug for Typeset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Typeset")
            .field("pages", &self.pages())
            .field("badges", &self.badge_ids.len())
            .field("warnings", &self.warnings)
            .finish()
    }
}

/// A finished PDF.
#[derive(Debug, Clone)]
pub struct PrintOutput {
    pub pdf: Vec<u8>,
    pub pages: usize,
    /// See [`Typeset::badge_ids`].
    pub badge_ids: Vec<String>,
    /// See [`Typeset::people`].
    pub people: usize,
}

impl Typeset {
    pub fn pages(&self) -> usize {
        self.document.pages().len()
    }

    /// The PDF (see [`pdf_bytes`]).
    pub fn pdf(&self) -> Result<Vec<u8>> {
        pdf_bytes(&self.document)
    }

    /// Page `page` (from 0) as a PNG, `scale` pixels per point (1.0 is 72 dpi; 2.0 suits a
    /// high-density screen).
    pub fn preview_png(&self, page: usize, scale: f32) -> Result<Vec<u8>> {
        page_png(&self.document, page, scale)
    }
}

/// Page `page` (from 0) of a typeset document as a PNG, `scale` pixels per point.
pub(crate) fn page_png(document: &PagedDocument, page: usize, scale: f32) -> Result<Vec<u8>> {
    let page = document
        .pages()
        .get(page)
        .ok_or(Error::NotFound { entity: "page" })?;
    let options = typst_render::RenderOptions {
        pixel_per_pt: typst::utils::Scalar::new(f64::from(scale.clamp(0.1, 8.0))),
        render_bleed: false,
    };
    typst_render::render(page, &options)
        .encode_png()
        .map_err(|e| Error::Internal(Box::new(e)))
}

/// The PDF of typeset pages. Untagged: tags make a roster about five times larger and
/// printers and `pdftotext` do not need them; the text itself stays real, searchable text.
pub(crate) fn pdf_bytes(document: &PagedDocument) -> Result<Vec<u8>> {
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Auto,
        creator: typst::foundations::Smart::Custom(Some("Delegation Desk".into())),
        timestamp: None,
        page_ranges: None,
        standards: typst_pdf::PdfStandards::default(),
        tagged: false,
        pretty: false,
    };
    // The text layer mended (pieces of a line joined, syllables ended at the pen), so names
    // copy out of the PDF as typed (textlayer.rs).
    let rejoined = textlayer::rejoined(document);
    typst_pdf::pdf(rejoined.as_ref().unwrap_or(document), &options).map_err(|diags| {
        let text: Vec<String> = diags.iter().map(|d| d.message.to_string()).collect();
        Error::Internal(format!("writing the PDF failed: {}", text.join("; ")).into())
    })
}

/// The pages of several typeset documents, in order, as one document.
pub(crate) fn joined(documents: impl IntoIterator<Item = PagedDocument>) -> PagedDocument {
    let mut pages = typst::ecow::EcoVec::new();
    let mut info = None;
    for document in documents {
        if info.is_none() {
            info = Some(document.info().clone());
        }
        pages.extend(document.pages().iter().cloned());
    }
    PagedDocument::new(pages, info.unwrap_or_default())
}

/// Cuts a chunk's pages back into one PDF per person: the template restarts the page counter
/// at 1 for each person, so every page numbered 1 begins the next person's (itineraries,
/// letters).
pub(crate) fn split(doc: &PagedDocument, people: usize) -> Result<Vec<Vec<u8>>> {
    let mut starts: Vec<usize> = doc
        .pages()
        .iter()
        .enumerate()
        .filter(|(_, p)| p.number == 1)
        .map(|(i, _)| i)
        .collect();
    if starts.len() != people || starts.first() != Some(&0) {
        return Err(Error::Internal(
            format!(
                "documents did not split: {} starts for {people} people",
                starts.len()
            )
            .into(),
        ));
    }
    starts.push(doc.pages().len());
    starts
        .windows(2)
        .map(|w| {
            let pages: typst::ecow::EcoVec<_> = doc.pages()[w[0]..w[1]].iter().cloned().collect();
            pdf_bytes(&PagedDocument::new(pages, doc.info().clone()))
        })
        .collect()
}

/// Typesets independent chunks (sheets of badges, groups of itineraries) on every core and
/// returns their results in chunk order: progress moves as chunks finish, and two cores halve
/// the wait. `progress` counts the items of the finished chunks; the first failure stops the
/// others, and is the error returned.
pub(crate) fn in_chunks<T: Send>(
    chunks: &[&[Value]],
    total: usize,
    progress: Progress<'_>,
    typeset: impl Fn(usize, &[Value]) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    let results: Vec<Mutex<Option<Result<T>>>> = chunks.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(chunks.len())
        .max(1);
    let work = || loop {
        let i = next.fetch_add(1, Ordering::SeqCst);
        let Some(slice) = chunks.get(i) else { break };
        let result = typeset(i, slice);
        let failed = result.is_err();
        *results[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
        if failed {
            // Stop the others early: the first error is what the officer needs to read.
            next.store(chunks.len(), Ordering::SeqCst);
            break;
        }
        // A finished chunk's layouts are never asked for again; keeping them in typst's memo
        // cache is what made memory grow with the number of badges or itineraries. When no
        // chunk is left to start, the walk through the cache would only slow the chunk still
        // being set on the other core.
        if next.load(Ordering::SeqCst) < chunks.len() {
            typst::comemo::evict(1);
        }
        let finished = done.fetch_add(slice.len(), Ordering::SeqCst) + slice.len();
        progress(finished, total);
    };
    std::thread::scope(|scope| {
        for _ in 1..workers {
            scope.spawn(work);
        }
        work();
    });
    // Chunks are taken in order, so every chunk before a failed one has its result.
    results
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(|p| p.into_inner())
                .ok_or_else(|| Error::Internal("a chunk was not typeset".into()))?
        })
        .collect()
}

/// Reports progress: `(done, total)`, in badges for badges and in rows for lists; called from
/// the printing thread(s).
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// Typesets and writes the PDF with the system's fonts. The badges are not recorded as printed:
/// call [`record_printed`] once the file is saved or sent to the printer.
pub fn render(
    store: &Store,
    request: &PrintRequest,
    progress: Progress<'_>,
) -> Result<PrintOutput> {
    render_with(store, &Fonts::system(), request, progress)
}

/// [`render`] with the given fonts.
pub fn render_with(
    store: &Store,
    fonts: &Fonts,
    request: &PrintRequest,
    progress: Progress<'_>,
) -> Result<PrintOutput> {
    let typeset = typeset_with(store, fonts, request, progress)?;
    let pdf = typeset.pdf()?;
    let total = typeset.badge_ids.len().max(1);
    progress(total, total);
    Ok(PrintOutput {
        pdf,
        pages: typeset.pages(),
        people: typeset.people,
        badge_ids: typeset.badge_ids,
    })
}

/// Typesets with the system's fonts (scanned once per process).
pub fn typeset(store: &Store, request: &PrintRequest, progress: Progress<'_>) -> Result<Typeset> {
    typeset_with(store, &Fonts::system(), request, progress)
}

/// Badges per typesetting unit: small enough for steady progress and for both cores to share
/// the work, large enough that each unit's fixed cost is small.
const BADGES_PER_CHUNK: usize = 48;

/// Typesets with the given fonts.
pub fn typeset_with(
    store: &Store,
    fonts: &Fonts,
    request: &PrintRequest,
    progress: Progress<'_>,
) -> Result<Typeset> {
    typeset_limited(store, fonts, request, None, progress)
}

/// The first `pages` pages of a document, for a preview: badges are set only as far as those
/// pages (the others counted, their sheets not made: the preview of 1,000 badges is a sheet's
/// work, not the whole run's); other documents whole. [`Typeset::total_pages`] counts them all;
/// its small names are those of the pages set.
pub fn typeset_first(
    store: &Store,
    request: &PrintRequest,
    pages: usize,
    progress: Progress<'_>,
) -> Result<Typeset> {
    typeset_limited(store, &Fonts::system(), request, Some(pages), progress)
}

fn typeset_limited(
    store: &Store,
    fonts: &Fonts,
    request: &PrintRequest,
    pages: Option<usize>,
    progress: Progress<'_>,
) -> Result<Typeset> {
    let today = request
        .printed_on
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let result = match &request.document {
        Document::Badges { layout, selection } => {
            let offset = match request.offset {
                Some(offset) => offset,
                None => self::offset(store, *layout)?,
            };
            let colors = category_colors(store)?;
            let mut badges = store.read_apart(|conn| {
                data::badges(
                    conn, fonts, request, *layout, selection, offset, &colors, today,
                )
            })?;
            if let Some(pages) = pages {
                let keep = pages.max(1) * badges.per_page;
                badges.badges.truncate(keep);
            }
            typeset_badges(fonts, badges, today, progress)
        }
        _ => {
            let doc = store.read_apart(|conn| data::roster(conn, fonts, request, today))?;
            progress(0, doc.rows);
            let (document, warnings) = if doc.paged {
                // Its chunks count items (headings too); the officer sees rows.
                let rows = doc.rows;
                let in_rows =
                    |done: usize, items: usize| progress(done * rows / items.max(1), rows);
                paged::typeset(fonts, doc.template, doc.data, today, &in_rows)?
            } else {
                compile(fonts, doc.template, &doc.data, today)?
            };
            progress(doc.rows, doc.rows);
            Ok(Typeset {
                total_pages: document.pages().len(),
                document,
                badge_ids: Vec::new(),
                warnings,
                small_names: Vec::new(),
                people: doc.rows,
            })
        }
    };
    // The app lives for days and prints many documents: drop typst's memoized layouts, as the
    // typst CLI does between compilations, so memory does not grow with every print. A
    // process that prints once and exits leaves them to the exit (`print_once`).
    if !ONCE.load(std::sync::atomic::Ordering::Relaxed) {
        typst::comemo::evict(0);
    }
    result
}

/// Set by [`print_once`].
static ONCE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Reads the system's fonts on a thread of its own, so that a print that starts after this
/// finds them read (or being read) rather than reads them first.
pub fn warm_fonts() {
    std::thread::spawn(|| {
        Fonts::system();
    });
}

/// Says that this process prints one document and exits (`ddesk`): typst's memoized layouts
/// are not walked and dropped after it (a twentieth of printing 1,000 badges), the exit frees
/// them.
pub fn print_once() {
    ONCE.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// A typeset document and its warnings.
type Compiled = (PagedDocument, Vec<String>);

fn compile(fonts: &Fonts, template: &str, data: &Value, today: NaiveDate) -> Result<Compiled> {
    compile_with_files(fonts, template, data, &[], today)
}

/// [`compile`] with more files for the template to read (images, by path).
fn compile_with_files(
    fonts: &Fonts,
    template: &str,
    data: &Value,
    files: &[(&str, &[u8])],
    today: NaiveDate,
) -> Result<Compiled> {
    let mut world = PrintWorld::new(fonts, template, serde_json::to_vec(data)?, today)?;
    for (path, bytes) in files {
        world = world.with_file(path, bytes.to_vec())?;
    }
    let Warned { output, warnings } = typst::compile::<PagedDocument>(&world);
    let document = output.map_err(
        |diags: typst::ecow::EcoVec<typst::diag::SourceDiagnostic>| {
            Error::Internal(format!("typesetting failed: {}", world.describe(&diags)).into())
        },
    )?;
    Ok((
        document,
        vec![world.describe(&warnings)]
            .into_iter()
            .filter(|w| !w.is_empty())
            .collect(),
    ))
}

/// Badges are independent sheets, so they are typeset in chunks (see [`in_chunks`]) and the
/// pages joined in order.
fn typeset_badges(
    fonts: &Fonts,
    badges: data::Badges,
    today: NaiveDate,
    progress: Progress<'_>,
) -> Result<Typeset> {
    let data::Badges {
        common,
        badges,
        ids,
        per_page,
    } = badges;
    let total = badges.len();
    progress(0, total);
    // Whole sheets per chunk, so that a chunk boundary never leaves a half-empty sheet.
    let chunk = (BADGES_PER_CHUNK / per_page).max(1) * per_page;
    let chunks: Vec<&[Value]> = badges.chunks(chunk).collect();
    // Every badge's sheet counts, also those a preview does not set (`typeset_first`).
    let total_pages = ids.len().div_ceil(per_page).max(1);
    if chunks.is_empty() {
        // No one to print: one compile still makes the (empty) sheet and says so.
        let mut data = common.clone();
        data["badges"] = Value::Array(Vec::new());
        data["first_page"] = Value::from(1);
        data["total_pages"] = Value::from(1);
        let (document, warnings) = compile(fonts, data::BADGES_TEMPLATE, &data, today)?;
        return Ok(Typeset {
            document,
            badge_ids: ids,
            warnings,
            small_names: Vec::new(),
            people: 0,
            total_pages: 1,
        });
    }
    let sheets = in_chunks(&chunks, total, progress, |i, slice| {
        let mut data = common.clone();
        // The QR codes and the lines' widths are made here, on both cores, rather than one by
        // one before.
        let mut badges = slice.to_vec();
        let mut widths = fonts::LineWidths::new(fonts);
        for badge in &mut badges {
            let id = badge["id"].as_str().unwrap_or_default().to_string();
            badge["qr"] = Value::from(qr::svg(&id)?);
            if let Some(fields) = badge.as_object() {
                badge["em"] = data::em_widths(&mut widths, fields, data::BADGE_LINES);
            }
        }
        data["badges"] = Value::Array(badges);
        data["first_page"] = Value::from(i * chunk / per_page + 1);
        data["total_pages"] = Value::from(total_pages);
        let (document, warnings) = compile(fonts, data::BADGES_TEMPLATE, &data, today)?;
        let small = small_names(&document);
        Ok((document, warnings, small))
    })?;
    let mut warnings = Vec::new();
    let mut small = Vec::new();
    let documents: Vec<PagedDocument> = sheets
        .into_iter()
        .map(|(document, mut chunk_warnings, mut chunk_small)| {
            warnings.append(&mut chunk_warnings);
            small.append(&mut chunk_small);
            document
        })
        .collect();
    Ok(Typeset {
        document: joined(documents),
        people: ids.len(),
        badge_ids: ids,
        warnings,
        small_names: small,
        total_pages,
    })
}

/// Records in the event's history that a document was saved as a PDF of `pages` pages listing
/// `people` (by the window or `ddesk print`): "rooming, 3 pages, 24 people, full passport
/// numbers". PIPA's access records include what left the library and about how many.
pub fn record_saved(
    store: &Store,
    request: &PrintRequest,
    pages: usize,
    people: usize,
) -> Result<()> {
    store.write(|tx| record_saved_in(tx, request, pages, people))
}

fn record_saved_in(
    tx: &rusqlite::Transaction<'_>,
    request: &PrintRequest,
    pages: usize,
    people: usize,
) -> Result<()> {
    let full = if request.full_passport && matches!(request.document, Document::Rooming { .. }) {
        ", full passport numbers"
    } else {
        ""
    };
    crate::store::history::record_output(
        tx,
        &request.event_id,
        crate::store::history::Output::Pdf,
        &format!(
            "{}, {}, {}{full}",
            request.document.key(),
            crate::text::counted(pages as i64, "page", None),
            crate::text::counted(people as i64, "person", Some("people")),
        ),
    )
}

/// Saves a typeset document with `save` (given the PDF) and records it as [`record_saved`] and,
/// for badges, [`record_printed`] do, in one transaction kept only when `save` succeeds: a
/// file that could not be written leaves no badge counted as printed. The PDF is made on a
/// thread of its own while the records are written (978 badges' records take about as long
/// as a third of their PDF).
pub fn save_recorded<T>(
    store: &Store,
    request: &PrintRequest,
    typeset: &Typeset,
    save: impl FnOnce(&[u8]) -> Result<T>,
) -> Result<T> {
    std::thread::scope(|scope| {
        let pdf = scope.spawn(|| typeset.pdf());
        store.write(|tx| {
            record_saved_in(tx, request, typeset.pages(), typeset.people)?;
            if let Document::Badges { layout, .. } = &request.document {
                record_printed_in(tx, &typeset.badge_ids, *layout)?;
            }
            let pdf = pdf
                .join()
                .map_err(|_| Error::Internal("writing the PDF failed".into()))??;
            save(&pdf)
        })
    })
}
/// Refuses to print again badges printed before (`ddesk print badges` without `--reprint`),
/// saying how many, so that no official gets a second badge by accident.
pub fn refuse_reprint(store: &Store, official_ids: &[String]) -> Result<()> {
    let again = store.read(|c| already_printed(c, official_ids))?;
    if again.is_empty() {
        return Ok(());
    }
    Err(Error::Conflict {
        text: Text::new("error-reprint")
            .with("again", again.len())
            .with("count", official_ids.len()),
        count: again.len() as i64,
    })
}

/// Records that these officials' badges were printed (now, in `layout`), so that "not printed
/// yet" leaves them out and a reprint can ask first.
pub fn record_printed(store: &Store, official_ids: &[String], layout: BadgeLayout) -> Result<()> {
    store.write(|tx| record_printed_in(tx, official_ids, layout))
}

fn record_printed_in(
    tx: &rusqlite::Transaction<'_>,
    official_ids: &[String],
    layout: BadgeLayout,
) -> Result<()> {
    let now = Utc::now();
    let mut insert = tx.prepare_cached(
        "INSERT INTO badge_print (id, official_id, printed_at, layout, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?3, ?3)",
    )?;
    for id in official_ids {
        insert.execute(rusqlite::params![
            uuid::Uuid::new_v4().to_string(),
            id,
            now,
            layout.as_str()
        ])?;
    }
    // Under the officer's name in the event's history.
    let event: Option<String> = match official_ids.first() {
        Some(id) => tx
            .query_row("SELECT event_id FROM official WHERE id = ?", [id], |r| {
                r.get(0)
            })
            .optional()?,
        None => None,
    };
    if let Some(event) = event {
        crate::store::history::record_output(
            tx,
            &event,
            crate::store::history::Output::Print,
            &format!(
                "{} ({})",
                crate::text::counted(official_ids.len() as i64, "badge", None),
                layout.as_str()
            ),
        )?;
    }
    Ok(())
}

/// Which of these officials already have a printed badge: the UI asks before printing them
/// again.
pub fn already_printed(conn: &Connection, official_ids: &[String]) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM badge_print WHERE official_id = ?)")?;
    let mut out = Vec::new();
    for id in official_ids {
        if stmt.query_row([id], |r| r.get::<_, bool>(0))? {
            out.push(id.clone());
        }
    }
    Ok(out)
}

/// One print of one badge.
#[derive(Debug, Clone, Serialize)]
pub struct BadgePrint {
    pub official_id: String,
    pub printed_at: chrono::DateTime<Utc>,
    pub layout: String,
}

/// Every badge print of an event, newest first.
pub fn badge_prints(conn: &Connection, event_id: &str) -> Result<Vec<BadgePrint>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.official_id, p.printed_at, p.layout FROM badge_print p
           JOIN official o ON o.id = p.official_id
          WHERE o.event_id = ? ORDER BY p.printed_at DESC, p.id",
    )?;
    let rows = stmt
        .query_map([event_id], |r| {
            Ok(BadgePrint {
                official_id: r.get(0)?,
                printed_at: r.get(1)?,
                layout: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

fn offset_key(layout: BadgeLayout) -> String {
    format!("print.offset.{}", layout.as_str())
}

/// The print offset remembered for a layout (zero until one is set).
pub fn offset(store: &Store, layout: BadgeLayout) -> Result<Offset> {
    Ok(store
        .setting(&offset_key(layout))?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

/// Remembers a layout's print offset. At most 20 mm either way: more is a misprint, not a
/// calibration.
pub fn set_offset(store: &Store, layout: BadgeLayout, offset: Offset) -> Result<()> {
    for (field, value) in [("x_mm", offset.x_mm), ("y_mm", offset.y_mm)] {
        if !value.is_finite() || value.abs() > 20.0 {
            return Err(Error::field(
                field,
                "out_of_range",
                Text::new("error-print_offset"),
            ));
        }
    }
    store.set_setting(&offset_key(layout), &serde_json::to_string(&offset)?)
}

const COLORS_KEY: &str = "print.category_colors";

/// The colour of each category's band on a badge, as `#rrggbb`.
pub fn category_colors(store: &Store) -> Result<BTreeMap<Category, String>> {
    let mut colors: BTreeMap<Category, String> = Category::ALL
        .iter()
        .map(|c| (*c, default_color(*c).to_string()))
        .collect();
    if let Some(text) = store.setting(COLORS_KEY)? {
        if let Ok(saved) = serde_json::from_str::<BTreeMap<Category, String>>(&text) {
            colors.extend(saved);
        }
    }
    Ok(colors)
}

/// Sets the band colour of one category (`#rrggbb`).
pub fn set_category_color(store: &Store, category: Category, color: &str) -> Result<()> {
    let valid = color.len() == 7
        && color.starts_with('#')
        && color[1..].chars().all(|c| c.is_ascii_hexdigit());
    if !valid {
        return Err(Error::field(
            "color",
            "invalid_value",
            Text::new("error-print_color"),
        ));
    }
    let mut colors = category_colors(store)?;
    colors.insert(category, color.to_ascii_lowercase());
    store.set_setting(COLORS_KEY, &serde_json::to_string(&colors)?)
}

/// Dark enough that white capitals on the band stay readable from a printer's toner.
fn default_color(category: Category) -> &'static str {
    match category {
        Category::HeadOfDelegation => "#8b1e3f",
        Category::Delegate => "#1f4e9a",
        Category::Speaker => "#6a1b9a",
        Category::Observer => "#55606e",
        Category::Vip => "#9a6700",
        Category::Staff => "#2e7d32",
        Category::Press => "#c2410c",
        Category::Interpreter => "#00727d",
    }
}
