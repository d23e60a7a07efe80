//! Reading a registration file into a table of text cells: workbooks through calamine, CSV
//! and TSV in whatever encoding Excel saved them, the header row found under titles and
//! blank rows, and blank or totals rows at the end left out with a note.

use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use calamine::{Data, DataType, Ods, Reader, Xls, Xlsb, Xlsx};
use encoding_rs::Encoding;
use serde::{Deserialize, Serialize};

use super::mapping::field_for_header;
use super::values::key;
use super::{Message, Severity};
use crate::error::{Error, Result};
use crate::words::Text;

/// Files larger than this are refused before being read: a registration list of 50,000
/// people with every column is a few megabytes; anything near this is not one.
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;
/// Rows read at most (the app is built for events of up to about 20,000 officials).
pub const MAX_ROWS: usize = 50_000;
/// Columns read at most; registration forms have a few dozen.
pub const MAX_COLUMNS: usize = 200;
/// How far down the header row is looked for.
const HEADER_SEARCH_ROWS: usize = 30;

/// What to read and how; every field may be left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReadOptions {
    /// The workbook sheet to read; default the first sheet that has cells.
    pub sheet: Option<String>,
    /// The text encoding of a CSV/TSV file (`utf-8`, `cp949`, `euc-kr`, `utf-16le`…);
    /// default detected.
    pub encoding: Option<String>,
    /// The header row as the spreadsheet numbers it (1 = first); default found.
    pub header_row: Option<usize>,
}

/// The kinds of file that can be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    Csv,
    Tsv,
}

/// One data row of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRow {
    /// The row's number as the spreadsheet shows it (1 = first), for messages.
    pub row: usize,
    /// One text per column (as many as `Table::headers`); Excel dates are ISO text.
    pub cells: Vec<String>,
}

/// A file read into text cells, ready to be mapped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub file_name: String,
    pub format: FileFormat,
    /// The workbook's sheets (empty for CSV/TSV).
    pub sheets: Vec<String>,
    /// The sheet that was read.
    pub sheet: Option<String>,
    /// The encoding a text file was read in, by its WHATWG name (`UTF-8`, `EUC-KR` — which is
    /// Windows code page 949 —, `UTF-16LE`).
    pub encoding: Option<String>,
    /// Whether the encoding was guessed from the bytes (no byte-order mark, not UTF-8): the
    /// officer should look at the names and may choose another.
    pub encoding_guessed: bool,
    /// The header row as the spreadsheet numbers it.
    pub header_row: usize,
    pub headers: Vec<String>,
    pub rows: Vec<SourceRow>,
    /// What was skipped or guessed while reading (severity `info` or `warning`).
    pub notes: Vec<Message>,
    /// For a registration workbook written by this app: the event and delegation it is for.
    #[serde(default)]
    pub form: Option<super::form::FormTag>,
}

/// A refusal of the file, said by catalogue message `importerr-{name}` about file `file`.
fn bad(code: &'static str, name: &str, file: &str) -> Error {
    Error::Import {
        code,
        text: Text::new(format!("importerr-{name}")).with("file", file),
    }
}

/// The same with more arguments.
fn bad_with(code: &'static str, text: Text) -> Error {
    Error::Import { code, text }
}

/// Reads a registration file. Nothing is written anywhere; a file that cannot be read gives
/// an `Error::Import` whose message says why in plain words.
pub fn read_file(path: &Path, options: &ReadOptions) -> Result<Table> {
    let (name, bytes) = load_file(path)?;
    read_bytes(&name, &bytes, options)
}

/// A file's name and bytes, its size checked before anything is read.
pub(crate) fn load_file(path: &Path) -> Result<(String, Vec<u8>)> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        return Err(bad("file_unreadable", "folder", &name));
    }
    check_size(&name, meta.len())?;
    // Read at most one byte past the limit: a file that grows while it is read (or a device
    // that never ends) is refused, not read into memory whole.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::fs::File::open(path)?, MAX_FILE_BYTES + 1),
        &mut bytes,
    )?;
    check_size(&name, bytes.len() as u64)?;
    Ok((name, bytes))
}

pub(crate) fn check_size(name: &str, size: u64) -> Result<()> {
    if size == 0 {
        return Err(bad("file_empty", "empty", name));
    }
    if size > MAX_FILE_BYTES {
        return Err(bad_with(
            "file_too_large",
            Text::new("importerr-too_large")
                .with("file", name)
                .with("mb", (size / (1024 * 1024)) as i64)
                .with("limit", (MAX_FILE_BYTES / (1024 * 1024)) as i64),
        ));
    }
    Ok(())
}

/// Reads a file already in memory; `name` is used in messages and to tell CSV from TSV only
/// when the content cannot.
pub fn read_bytes(name: &str, bytes: &[u8], options: &ReadOptions) -> Result<Table> {
    check_size(name, bytes.len() as u64)?;
    let mut form = None;
    let (format, sheets, sheet, grid, mut notes, encoding, guessed) =
        if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&CFB_MAGIC) {
            let book = read_workbook(name, bytes, options)?;
            let (format, sheet) = (book.format, Some(book.sheet));
            form = book.form;
            (
                format,
                book.sheets,
                sheet,
                book.grid,
                book.notes,
                None,
                false,
            )
        } else {
            let (format, grid, notes, encoding, guessed) = read_text(name, bytes, options)?;
            (
                format,
                Vec::new(),
                None,
                grid,
                notes,
                Some(encoding),
                guessed,
            )
        };
    let mut table = shape(name, grid, options, &mut notes)?;
    table.format = format;
    table.sheets = sheets;
    table.sheet = sheet;
    table.encoding = encoding;
    table.encoding_guessed = guessed;
    table.notes = notes;
    table.form = form;
    Ok(table)
}

const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

type Grid = Vec<(usize, Vec<String>)>;

/// The one sheet read from a workbook.
struct Workbook {
    format: FileFormat,
    sheets: Vec<String>,
    sheet: String,
    grid: Grid,
    notes: Vec<Message>,
    form: Option<super::form::FormTag>,
}

/// An XML part of a workbook larger than this (uncompressed) is refused before it is read: a
/// sheet of 50,000 rows × 200 columns is a few hundred megabytes of XML.
const MAX_PART_BYTES: u64 = 768 * 1024 * 1024;
/// A part that inflates more than this many times its compressed size (and to more than a
/// few megabytes) is a zip bomb, not a spreadsheet; Excel's XML compresses 5–20 times.
const MAX_INFLATION: u64 = 200;
/// Parts in a workbook's zip; Excel writes a dozen or two.
const MAX_PARTS: usize = 10_000;
/// Shared strings (every distinct text of the workbook) read at most: calamine sets aside
/// room for as many as the file declares before reading one.
const MAX_SHARED_STRINGS: usize = 2_000_000;
/// Text held from one sheet at most, summed over its cells.
const MAX_TEXT_BYTES: usize = 256 * 1024 * 1024;
/// Non-empty cells kept from one sheet at most: 50,000 rows of 80 filled columns.
const MAX_CELLS: usize = 4_000_000;

/// The workbook formats calamine reads, opened.
enum Book {
    Xlsx(Xlsx<Cursor<Vec<u8>>>),
    Xlsb(Xlsb<Cursor<Vec<u8>>>),
    Xls(Xls<Cursor<Vec<u8>>>),
    Ods(Ods<Cursor<Vec<u8>>>),
}

impl Book {
    fn format(&self) -> FileFormat {
        match self {
            Book::Xlsx(_) => FileFormat::Xlsx,
            Book::Xlsb(_) => FileFormat::Xlsb,
            Book::Xls(_) => FileFormat::Xls,
            Book::Ods(_) => FileFormat::Ods,
        }
    }

    fn sheet_names(&self) -> Vec<String> {
        match self {
            Book::Xlsx(b) => b.sheet_names(),
            Book::Xlsb(b) => b.sheet_names(),
            Book::Xls(b) => b.sheet_names(),
            Book::Ods(b) => b.sheet_names(),
        }
    }

    /// Hands every non-empty cell of `sheet` to `into` in the order the file holds them, until
    /// it says stop. XLSX and XLSB are streamed cell by cell, so a sheet whose cells lie
    /// far apart (`A1` and `XFD1048576`) costs two cells, not the grid between them; XLS and
    /// ODS are read whole by calamine (their parts are in memory already).
    fn cells(&mut self, sheet: &str, into: &mut SparseSheet) -> Result<(), ()> {
        // The two cell readers are different types with one shape.
        macro_rules! stream {
            ($reader:expr) => {{
                let mut reader = $reader.map_err(|_| ())?;
                while let Some(cell) = reader.next_cell().map_err(|_| ())? {
                    let (row, col) = cell.get_position();
                    let value: Data = cell.get_value().clone().into();
                    if !into.push(row, col, &value) {
                        break;
                    }
                }
                Ok(())
            }};
        }
        match self {
            Book::Xlsx(b) => stream!(b.worksheet_cells_reader(sheet)),
            Book::Xlsb(b) => stream!(b.worksheet_cells_reader(sheet)),
            Book::Xls(b) => whole(b.worksheet_range(sheet).map_err(|_| ())?, into),
            Book::Ods(b) => whole(b.worksheet_range(sheet).map_err(|_| ())?, into),
        }
    }
}

fn whole(range: calamine::Range<Data>, into: &mut SparseSheet) -> Result<(), ()> {
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    for (row, col, value) in range.used_cells() {
        if !into.push(first_row + row as u32, first_col + col as u32, value) {
            break;
        }
    }
    Ok(())
}

/// A sheet's cells as they come, kept only where they can matter: columns past
/// [`MAX_COLUMNS`] are left out (with a note), and reading stops with a sentence once the
/// rows or the text pass what an import takes. No grid is built until the rows are known.
struct SparseSheet {
    /// (row, column, text) of the non-empty cells kept, 0-based.
    cells: Vec<(u32, u32, String)>,
    /// Only the first rows are read (to choose a sheet by its headers).
    top_only: bool,
    /// The first row that had a cell.
    first_row: Option<u32>,
    columns_left_out: bool,
    text_bytes: usize,
    /// Why reading stopped early, if it did.
    refused: Option<Refusal>,
}

#[derive(Debug, Clone, Copy)]
enum Refusal {
    Rows,
    Text,
}

impl SparseSheet {
    fn new(top_only: bool) -> Self {
        SparseSheet {
            cells: Vec::new(),
            top_only,
            first_row: None,
            columns_left_out: false,
            text_bytes: 0,
            refused: None,
        }
    }

    /// Keeps one cell; false once reading should stop.
    fn push(&mut self, row: u32, col: u32, value: &Data) -> bool {
        let first = *self.first_row.get_or_insert(row);
        let from_first = row.saturating_sub(first) as usize;
        if self.top_only && from_first >= HEADER_SEARCH_ROWS {
            // Rows come in order in every file Excel writes; the top has been read.
            return false;
        }
        if col as usize >= MAX_COLUMNS {
            self.columns_left_out = true;
            return true;
        }
        if from_first >= MAX_ROWS + HEADER_SEARCH_ROWS {
            self.refused = Some(Refusal::Rows);
            return false;
        }
        let text = cell_text(value);
        if text.is_empty() {
            return true;
        }
        self.text_bytes += text.len();
        if self.text_bytes > MAX_TEXT_BYTES || self.cells.len() >= MAX_CELLS {
            self.refused = Some(Refusal::Text);
            return false;
        }
        self.cells.push((row, col, text));
        true
    }

    /// The rows from the first to the last that has a cell, blank ones included (they are
    /// rows the officer sees, and notes count them), each only as wide as its last cell.
    fn into_grid(mut self, name: &str) -> Result<Grid> {
        match self.refused {
            Some(Refusal::Rows) => {
                // Reading stopped there; how many more rows the sheet has is not known.
                return Err(bad_with(
                    "file_too_large",
                    Text::new("importerr-too_many_rows")
                        .with("file", name)
                        .with("limit", MAX_ROWS),
                ));
            }
            Some(Refusal::Text) => {
                return Err(bad_with(
                    "file_too_large",
                    Text::new("importerr-too_much_text")
                        .with("file", name)
                        .with("mb", MAX_TEXT_BYTES / (1024 * 1024))
                        .with("cells", MAX_CELLS),
                ))
            }
            None => {}
        }
        self.cells.sort_by_key(|&(row, col, _)| (row, col));
        let (Some(first), Some(last)) = (self.cells.first(), self.cells.last()) else {
            return Ok(Vec::new());
        };
        let (first, last) = (first.0 as usize, last.0 as usize);
        let height = last - first + 1;
        if height > MAX_ROWS + HEADER_SEARCH_ROWS {
            return Err(too_many_rows(name, last + 1));
        }
        let mut grid: Grid = (first..=last).map(|row| (row + 1, Vec::new())).collect();
        for (row, col, text) in self.cells {
            let cells = &mut grid[row as usize - first].1;
            if cells.len() <= col as usize {
                cells.resize(col as usize + 1, String::new());
            }
            cells[col as usize] = text;
        }
        Ok(grid)
    }

    fn note(&self, notes: &mut Vec<Message>) {
        if self.columns_left_out {
            notes.push(
                Message::said(Severity::Warning, "columns_left_out")
                    .variant("width")
                    .with("column", column_letter(MAX_COLUMNS - 1)),
            );
        }
    }
}

/// Looks into a zip-based workbook (XLSX, XLSB, ODS) before any of it is inflated: too many
/// parts, a part that would inflate past what a registration list needs or like a zip bomb,
/// or more shared strings than a sheet could use, are refused by what the file declares. The
/// declared sizes may lie; then the import runs in a child process with a memory limit
/// (`import::worker`), which is what holds when the caps here do not.
fn check_zip(name: &str, bytes: &[u8]) -> Result<()> {
    let too_big = |text: Text| bad_with("file_too_large", text.with("file", name));
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        // calamine says why in its own way (damaged); nothing was inflated.
        return Ok(());
    };
    if zip.len() > MAX_PARTS {
        return Err(too_big(
            Text::new("importerr-zip_parts").with("parts", zip.len()),
        ));
    }
    let mut total = 0u64;
    let mut strings_part = None;
    for i in 0..zip.len() {
        let Ok(part) = zip.by_index_raw(i) else {
            continue;
        };
        let (size, packed) = (part.size(), part.compressed_size().max(1));
        total = total.saturating_add(size);
        if size > MAX_PART_BYTES || total > 2 * MAX_PART_BYTES {
            return Err(too_big(
                Text::new("importerr-zip_size").with("mb", (MAX_PART_BYTES / (1024 * 1024)) as i64),
            ));
        }
        if size > 16 * 1024 * 1024 && size / packed > MAX_INFLATION {
            return Err(too_big(
                Text::new("importerr-zip_bomb")
                    .with("mb", (size / (1024 * 1024)) as i64)
                    .with("kb", (packed / 1024) as i64),
            ));
        }
        if part.name().is_ok_and(|n| n.ends_with("sharedStrings.xml")) {
            strings_part = Some(i);
        }
    }
    if let Some(i) = strings_part {
        let declared = zip
            .by_index(i)
            .ok()
            .and_then(|part| declared_count(part, b"uniqueCount=\""));
        if declared.is_some_and(|n| n > MAX_SHARED_STRINGS as u64) {
            return Err(too_big(
                Text::new("importerr-zip_strings")
                    .with("count", declared.unwrap_or_default() as i64),
            ));
        }
    }
    Ok(())
}

/// The number in `attr"…"` among the first kilobytes of a part, if it is there.
fn declared_count(part: impl std::io::Read, attr: &[u8]) -> Option<u64> {
    let mut head = Vec::with_capacity(4096);
    std::io::Read::read_to_end(&mut part.take(4096), &mut head).ok()?;
    let at = head.windows(attr.len()).position(|w| w == attr)? + attr.len();
    let digits: Vec<u8> = head[at..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .copied()
        .collect();
    // Past 19 digits it cannot be a count anything could hold: as good as infinite.
    std::str::from_utf8(&digits)
        .ok()
        .map(|d| d.parse().unwrap_or(u64::MAX))
}

fn read_workbook(name: &str, bytes: &[u8], options: &ReadOptions) -> Result<Workbook> {
    let unreadable = || bad("file_unreadable", "damaged", name);
    let encrypted = || bad("file_encrypted", "encrypted", name);
    if bytes.starts_with(b"PK\x03\x04") {
        check_zip(name, bytes)?;
    }
    // calamine parses hostile bytes; a panic in it must become a refusal, not a crash of the
    // app. Nothing shared is mutated inside, so unwinding leaves no broken state behind.
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<_> {
        let cursor = || Cursor::new(bytes.to_vec());
        let book = if bytes.starts_with(&CFB_MAGIC) {
            // An encrypted XLSX is a compound file holding an "EncryptedPackage" stream; its
            // name sits in the directory in UTF-16, so it is found without parsing.
            let marker: Vec<u8> = "EncryptedPackage"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect();
            if bytes.windows(marker.len()).any(|w| w == marker.as_slice()) {
                return Err(encrypted());
            }
            match calamine::open_workbook_from_rs::<Xlsx<_>, _>(cursor()) {
                Err(calamine::XlsxError::Password) => return Err(encrypted()),
                Ok(book) => Book::Xlsx(book),
                Err(_) => match calamine::open_workbook_from_rs::<Xls<_>, _>(cursor()) {
                    Ok(book) => Book::Xls(book),
                    Err(calamine::XlsError::Password) => return Err(encrypted()),
                    Err(_) => return Err(unreadable()),
                },
            }
        } else if bytes
            .get(30..90)
            .is_some_and(|head| head.windows(11).any(|w| w == b"opendocumen"))
        {
            match calamine::open_workbook_from_rs::<Ods<_>, _>(cursor()) {
                Ok(book) => Book::Ods(book),
                Err(calamine::OdsError::Password) => return Err(encrypted()),
                Err(_) => return Err(unreadable()),
            }
        } else {
            match calamine::open_workbook_from_rs::<Xlsx<_>, _>(cursor()) {
                Ok(book) => Book::Xlsx(book),
                Err(calamine::XlsxError::Password) => return Err(encrypted()),
                Err(_) => match calamine::open_workbook_from_rs::<Xlsb<_>, _>(cursor()) {
                    Ok(book) => Book::Xlsb(book),
                    Err(_) => return Err(unreadable()),
                },
            }
        };
        load(name, book, options)
    }));
    match outcome {
        Ok(result) => result,
        Err(_) => Err(unreadable()),
    }
}

fn load(name: &str, mut book: Book, options: &ReadOptions) -> Result<Workbook> {
    let mut sheets = book.sheet_names();
    // A registration form of ours says in a hidden sheet which event and delegation it is
    // for; that sheet is not one to import, nor to offer.
    let mut form = None;
    if let Some(at) = sheets.iter().position(|s| s == super::form::TAG_SHEET) {
        let mut tag = SparseSheet::new(true);
        if book.cells(super::form::TAG_SHEET, &mut tag).is_ok() {
            let mut column: Vec<(u32, String)> = tag
                .cells
                .iter()
                .filter(|c| c.1 == 0)
                .map(|c| (c.0, c.2.clone()))
                .collect();
            column.sort();
            let cells: Vec<String> = column.into_iter().map(|c| c.1).collect();
            form = super::form::FormTag::from_cells(&cells);
        }
        sheets.remove(at);
    }
    let mut notes = Vec::new();
    let unreadable_sheet = |sheet: &str| {
        bad_with(
            "file_unreadable",
            Text::new("importerr-sheet_unreadable")
                .with("file", name)
                .with("sheet", sheet),
        )
    };
    let sheet = match (&options.sheet, sheets.as_slice()) {
        // One sheet: nothing to choose, and no reason to read its top a first time.
        (None, [only]) => only.clone(),
        (Some(wanted), _) => {
            let Some(sheet) = sheets.iter().find(|s| s.trim() == wanted.trim()) else {
                return Err(bad_with(
                    "sheet_not_found",
                    Text::new("importerr-sheet_not_found")
                        .with("file", name)
                        .with("sheet", wanted.as_str())
                        .with("sheets", quoted_list(&sheets)),
                ));
            };
            sheet.clone()
        }
        (None, _) => {
            // The sheet whose headers look most like a registration list; a cover or
            // instructions sheet in front is common. Only the top of each is read for that.
            let mut best: Option<(usize, String)> = None;
            for sheet in &sheets {
                let mut top = SparseSheet::new(true);
                if book.cells(sheet, &mut top).is_err() || top.cells.is_empty() {
                    continue;
                }
                let rows_seen = top.cells.iter().map(|c| c.0).max().unwrap_or(0)
                    - top.cells.iter().map(|c| c.0).min().unwrap_or(0);
                let Ok(grid) = top.into_grid(name) else {
                    continue;
                };
                let (_, score) = header_score(&grid);
                let score = score * 2 + usize::from(rows_seen > 0);
                if best.as_ref().is_none_or(|(s, _)| score > *s) {
                    best = Some((score, sheet.clone()));
                }
            }
            let (_, sheet) = best.ok_or_else(|| bad("no_rows", "no_cells", name))?;
            sheet
        }
    };
    if sheets.len() > 1 {
        notes.push(
            Message::said(Severity::Info, "sheet_chosen")
                .with("count", sheets.len())
                .with("sheets", quoted_list(&sheets))
                .with("sheet", &sheet),
        );
    }
    let mut cells = SparseSheet::new(false);
    book.cells(&sheet, &mut cells)
        .map_err(|_| unreadable_sheet(&sheet))?;
    cells.note(&mut notes);
    let grid = cells.into_grid(name)?;
    Ok(Workbook {
        format: book.format(),
        sheets,
        sheet,
        grid,
        notes,
        form,
    })
}

fn quoted_list(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("\u{201c}{s}\u{201d}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn too_many_rows(name: &str, rows: usize) -> Error {
    bad_with(
        "file_too_large",
        Text::new("importerr-rows")
            .with("file", name)
            .with("rows", rows)
            .with("limit", MAX_ROWS),
    )
}

/// A workbook cell as text: integers without `.0` (passport and phone numbers typed as
/// numbers), dates as ISO text that the date reader understands.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) if dt.is_duration() => number_text(dt.as_f64()),
        Data::DateTime(_) => match cell.as_datetime() {
            Some(at) if at.time() == chrono::NaiveTime::MIN => at.date().to_string(),
            Some(at) => at.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => String::new(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Encoding names officers and Korean Windows use, beyond the WHATWG labels.
fn encoding_for(label: &str) -> Option<&'static Encoding> {
    let label = label.trim().to_ascii_lowercase();
    let label = match label.as_str() {
        "cp949" | "ms949" | "uhc" | "x-windows-949" | "korean" | "ksc5601" => "euc-kr",
        "utf8" => "utf-8",
        "utf-16" | "utf16" | "ucs-2" | "unicode" => "utf-16le",
        other => other,
    };
    Encoding::for_label(label.as_bytes())
}

fn read_text(
    name: &str,
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<(FileFormat, Grid, Vec<Message>, String, bool)> {
    let mut notes = Vec::new();
    let (encoding, guessed) = match &options.encoding {
        Some(label) => (
            encoding_for(label).ok_or_else(|| {
                bad_with(
                    "unknown_encoding",
                    Text::new("importerr-encoding").with("encoding", label.as_str()),
                )
            })?,
            false,
        ),
        None => detect_encoding(bytes),
    };
    // The byte-order mark is dropped when it matches; a chosen encoding overrides it.
    let (text, had_errors) = match options.encoding {
        Some(_) => {
            let (text, had_errors) = encoding.decode_with_bom_removal(bytes);
            (text, had_errors)
        }
        None => {
            let (text, _, had_errors) = encoding.decode(bytes);
            (text, had_errors)
        }
    };
    if looks_binary(&text) {
        return Err(bad("file_unreadable", "not_a_list", name));
    }
    if had_errors {
        let bad_chars = text.chars().filter(|&c| c == '\u{FFFD}').count();
        notes.push(
            Message::said(Severity::Warning, "encoding_errors")
                .with("count", bad_chars)
                .with("encoding", encoding.name()),
        );
    } else if guessed {
        notes.push(Message::said(Severity::Info, "encoding_guessed").with(
            "encoding",
            if encoding == encoding_rs::EUC_KR {
                format!("{} (Korean Windows, CP949)", encoding.name())
            } else {
                encoding.name().to_string()
            },
        ));
    }
    let delimiter = sniff_delimiter(&text, name);
    let format = if delimiter == b'\t' {
        FileFormat::Tsv
    } else {
        FileFormat::Csv
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut grid = Vec::new();
    // The row numbers a spreadsheet shows: the reader skips blank lines, which are rows there,
    // and a quoted cell may span lines, which is still one row.
    let mut row = 0usize;
    let mut next_line = 1usize;
    // The reader's own line numbers leave the skipped blank lines out; counting the line
    // breaks up to each record's first byte does not.
    let (mut counted_to, mut line_there) = (0usize, 1usize);
    for (i, record) in reader.records().enumerate() {
        if i >= MAX_ROWS + HEADER_SEARCH_ROWS {
            return Err(too_many_rows(name, i + 1));
        }
        let record = record.map_err(|e| {
            bad_with(
                "file_unreadable",
                Text::new("importerr-text")
                    .with("file", name)
                    .with("as", delimiter_name(delimiter))
                    .with("why", e.to_string()),
            )
        })?;
        let line = match record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
        {
            Some(byte) if byte >= counted_to && byte <= text.len() => {
                // The position is where the reader began, before the blank lines it skipped.
                let bytes = text.as_bytes();
                let start = byte
                    + bytes[byte..]
                        .iter()
                        .take_while(|&&b| b == b'\n' || b == b'\r')
                        .count();
                line_there += bytes[counted_to..start]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                counted_to = start;
                line_there
            }
            _ => next_line,
        };
        row += 1 + line.saturating_sub(next_line);
        let spanned: usize = record.iter().map(|c| c.matches('\n').count()).sum();
        next_line = line + spanned + 1;
        let cells = record
            .iter()
            .take(MAX_COLUMNS)
            .map(|c| c.trim().to_string())
            .collect();
        grid.push((row, cells));
    }
    Ok((format, grid, notes, encoding.name().to_string(), guessed))
}

fn delimiter_name(d: u8) -> &'static str {
    match d {
        b'\t' => "tab-separated text",
        b';' => "semicolon-separated text",
        _ => "comma-separated text",
    }
}

/// BOM first; then UTF-16 without BOM (zero bytes in every other place), then UTF-8 if the
/// bytes are valid UTF-8, then a statistical guess that favours Korean code pages.
fn detect_encoding(bytes: &[u8]) -> (&'static Encoding, bool) {
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        return (encoding, false);
    }
    let sample = &bytes[..bytes.len().min(4096)];
    if sample.len() >= 4 {
        let even_zero = sample.iter().step_by(2).filter(|&&b| b == 0).count();
        let odd_zero = sample
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count();
        let half = sample.len() / 2;
        if odd_zero * 3 > half * 2 && even_zero * 10 < half {
            return (encoding_rs::UTF_16LE, true);
        }
        if even_zero * 3 > half * 2 && odd_zero * 10 < half {
            return (encoding_rs::UTF_16BE, true);
        }
    }
    if std::str::from_utf8(bytes).is_ok() {
        return (encoding_rs::UTF_8, false);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(Some(b"kr"), chardetng::Utf8Detection::Allow);
    (guess, true)
}

/// Text with many control characters (NULs among them) is a binary file decoded by mistake.
fn looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars().take(65_536) {
        total += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
            control += 1;
        }
    }
    // Hostile cells may hold a few control characters; a binary file holds them everywhere.
    control * 50 > total.max(1)
}

/// Tab, comma or semicolon: whichever splits the first lines most consistently.
fn sniff_delimiter(text: &str, name: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let mut best = (0usize, b',');
    for d in [b'\t', b',', b';'] {
        let per_line: Vec<usize> = lines
            .iter()
            .map(|l| count_outside_quotes(l, d as char))
            .collect();
        // Lines that contain the delimiter, weighted by how often; tabs rarely appear in
        // names, so a file with tabs on most lines is TSV.
        let with = per_line.iter().filter(|&&n| n > 0).count();
        let score = with * 100 + per_line.iter().max().copied().unwrap_or(0);
        if with > 0 && score > best.0 {
            best = (score, d);
        }
    }
    if best.0 == 0 && name.to_ascii_lowercase().ends_with(".tsv") {
        return b'\t';
    }
    best.1
}

fn count_outside_quotes(line: &str, d: char) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if c == d && !quoted {
            n += 1;
        }
    }
    n
}

fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.is_empty())
}

/// A "Total: 110" or "합계" row that a list ends with.
fn is_totals(cells: &[String]) -> bool {
    let words = [
        "total",
        "totals",
        "grandtotal",
        "subtotal",
        "sum",
        "합계",
        "총계",
        "소계",
        "계",
        "총",
        "총인원",
        "합",
    ];
    cells.iter().filter(|c| !c.is_empty()).take(2).any(|cell| {
        let k: String =
            unicode_normalization::UnicodeNormalization::nfc(key(cell).as_str()).collect();
        let letters: String = k.chars().filter(|c| !c.is_ascii_digit()).collect();
        words.contains(&letters.as_str()) || k.starts_with("total")
    })
}

/// A spreadsheet column's letters from its 0-based index: 0 → A, 27 → AB.
pub(crate) fn column_letter(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Finds the header row, builds the headers, and keeps the data rows.
fn shape(name: &str, grid: Grid, options: &ReadOptions, notes: &mut Vec<Message>) -> Result<Table> {
    if grid.iter().all(|(_, cells)| is_blank(cells)) {
        return Err(bad("no_rows", "no_text", name));
    }
    let header_index = match options.header_row {
        Some(wanted) => grid
            .iter()
            .position(|(row, _)| *row == wanted)
            .ok_or_else(|| {
                bad_with(
                    "no_header",
                    Text::new("importerr-no_header")
                        .with("file", name)
                        .with("row", wanted),
                )
            })?,
        None => find_header(&grid),
    };
    let (header_row, header_cells) = &grid[header_index];
    let header_row = *header_row;
    let mut width = header_cells.len();
    for (_, cells) in &grid[header_index + 1..] {
        width = width.max(cells.len());
    }
    // Columns with neither a header nor any value are dropped from the right.
    while width > 0 {
        let col = width - 1;
        let empty = grid[header_index..]
            .iter()
            .all(|(_, cells)| cells.get(col).is_none_or(|c| c.is_empty()));
        if !empty {
            break;
        }
        width -= 1;
    }
    let headers: Vec<String> = (0..width)
        .map(|col| match header_cells.get(col) {
            Some(h) if !h.is_empty() => h.split_whitespace().collect::<Vec<_>>().join(" "),
            _ => format!("Column {}", column_letter(col)),
        })
        .collect();
    if header_row > 1 {
        notes.push(Message::said(Severity::Info, "header_row").with("row", header_row));
    }
    let mut rows: Vec<SourceRow> = grid
        .into_iter()
        .skip(header_index + 1)
        .map(|(row, mut cells)| {
            cells.resize(width, String::new());
            SourceRow { row, cells }
        })
        .collect();
    // Totals and blank rows at the end.
    let mut totals = Vec::new();
    while let Some(last) = rows.last() {
        if is_blank(&last.cells) {
            rows.pop();
        } else if is_totals(&last.cells) {
            totals.push(last.row);
            rows.pop();
        } else {
            break;
        }
    }
    let before = rows.len();
    rows.retain(|r| !is_blank(&r.cells));
    let blank_inside = before - rows.len();
    if !totals.is_empty() {
        totals.reverse();
        notes.push(
            Message::said(Severity::Info, "totals_skipped").with(
                "rows",
                totals
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        );
    }
    if blank_inside > 0 {
        notes.push(Message::said(Severity::Info, "blank_rows_skipped").with("count", blank_inside));
    }
    if rows.is_empty() {
        return Err(bad_with(
            "no_rows",
            Text::new("importerr-no_rows")
                .with("file", name)
                .with("row", header_row),
        ));
    }
    if rows.len() > MAX_ROWS {
        return Err(too_many_rows(name, rows.len()));
    }
    Ok(Table {
        file_name: name.to_string(),
        format: FileFormat::Csv,
        sheets: Vec::new(),
        sheet: None,
        encoding: None,
        encoding_guessed: false,
        header_row,
        headers,
        rows,
        notes: Vec::new(),
        form: None,
    })
}

/// The row among the first few that looks most like headers: known header words count most,
/// then how many cells are filled. A title row (one merged cell) and blank rows lose.
fn find_header(grid: &Grid) -> usize {
    header_score(grid).0
}

/// The most header-like row among the first few, and its score.
fn header_score(grid: &Grid) -> (usize, usize) {
    let mut best = (0usize, 0usize);
    for (index, (_, cells)) in grid.iter().enumerate().take(HEADER_SEARCH_ROWS) {
        let filled = cells.iter().filter(|c| !c.is_empty()).count();
        if filled == 0 {
            continue;
        }
        let known = cells
            .iter()
            .filter(|c| !c.is_empty() && field_for_header(c).is_some())
            .count();
        let score = known * 3 + filled;
        if score > best.1 {
            best = (index, score);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &[u8]) -> Result<Table> {
        read_bytes("test.csv", text, &ReadOptions::default())
    }

    #[test]
    fn header_under_a_title_and_totals_at_the_end() {
        let table = read(
            "2024 Forum registrations,,\n,,\nName,Country,Email\nNGUYEN Van Minh,VN,a@b.co\n,,\nKIM Ji,KR,\nTotal: 2,,\n,,\n"
                .as_bytes(),
        )
        .expect("table");
        assert_eq!(table.header_row, 3);
        assert_eq!(table.headers, ["Name", "Country", "Email"]);
        let rows: Vec<usize> = table.rows.iter().map(|r| r.row).collect();
        assert_eq!(rows, [4, 6]);
        let codes: Vec<&str> = table.notes.iter().map(|n| n.code.as_str()).collect();
        assert_eq!(
            codes,
            ["header_row", "totals_skipped", "blank_rows_skipped"]
        );
    }

    #[test]
    fn csv_rows_are_numbered_as_a_spreadsheet_shows_them() {
        // A truly empty line is a row in a spreadsheet (the CSV reader skips it), and a quoted
        // cell over two lines is still one row.
        let table = read(
            "Registrations\n\nName,Notes\nKIM Ji,\"line one\nline two\"\n\nLEE Min,ok\n".as_bytes(),
        )
        .expect("table");
        assert_eq!(table.header_row, 3);
        let rows: Vec<usize> = table.rows.iter().map(|r| r.row).collect();
        assert_eq!(rows, [4, 6]);
    }

    #[test]
    fn encodings_are_detected() {
        let text = "성명,국가\n김지원,대한민국\n";
        let (cp949, _, _) = encoding_rs::EUC_KR.encode(text);
        let table = read(&cp949).expect("cp949");
        assert_eq!(table.encoding.as_deref(), Some("EUC-KR"));
        assert!(table.encoding_guessed);
        assert_eq!(table.headers, ["성명", "국가"]);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        let table = read(&bom).expect("bom");
        assert_eq!(
            (table.encoding.as_deref(), table.encoding_guessed),
            (Some("UTF-8"), false)
        );
        assert_eq!(table.headers[0], "성명", "BOM removed");
        let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
        for unit in "성명\t국가\r\n김지원\tKR\r\n".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let table = read(&utf16).expect("utf-16");
        assert_eq!(table.format, FileFormat::Tsv);
        assert_eq!(table.rows[0].cells, ["김지원", "KR"]);
        let forced = read_bytes(
            "x.csv",
            &cp949,
            &ReadOptions {
                encoding: Some("cp949".into()),
                ..ReadOptions::default()
            },
        )
        .expect("forced");
        assert_eq!(forced.rows[0].cells[0], "김지원");
    }

    #[test]
    fn bad_files_are_refused_with_a_code() {
        let code = |r: Result<Table>| match r {
            Err(Error::Import { code, .. }) => code,
            other => panic!("expected an import error, got {other:?}"),
        };
        assert_eq!(code(read(b"")), "file_empty");
        assert_eq!(
            code(read(b"\0\x01\x02\x03garbage\x00\xff")),
            "file_unreadable"
        );
        assert_eq!(code(read(b",,\n,,\n")), "no_rows");
        assert_eq!(code(read(b"Name,Email\n")), "no_rows");
        assert_eq!(code(read(b"PK\x03\x04not really a zip")), "file_unreadable");
        let mut compound = CFB_MAGIC.to_vec();
        compound.extend(std::iter::repeat_n(0u8, 600));
        assert_eq!(code(read(&compound)), "file_unreadable");
        compound.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(code(read(&compound)), "file_encrypted");
        assert_eq!(
            code(read_bytes(
                "x.csv",
                b"a,b\n1,2\n",
                &ReadOptions {
                    encoding: Some("klingon".into()),
                    ..ReadOptions::default()
                }
            )),
            "unknown_encoding"
        );
    }

    #[test]
    fn columns_are_lettered() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }
}
