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
}

fn bad(code: &'static str, message: impl Into<String>) -> Error {
    Error::Import {
        code,
        message: message.into(),
    }
}

/// Reads a registration file. Nothing is written anywhere; a file that cannot be read gives
/// an `Error::Import` whose message says why in plain words.
pub fn read_file(path: &Path, options: &ReadOptions) -> Result<Table> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        return Err(bad(
            "file_unreadable",
            format!("{name} is a folder, not a file."),
        ));
    }
    check_size(&name, meta.len())?;
    let bytes = std::fs::read(path)?;
    read_bytes(&name, &bytes, options)
}

fn check_size(name: &str, size: u64) -> Result<()> {
    if size == 0 {
        return Err(bad("file_empty", format!("{name} is empty.")));
    }
    if size > MAX_FILE_BYTES {
        return Err(bad(
            "file_too_large",
            format!(
                "{name} is {} MB; files of up to {} MB can be imported. Is it the registration list?",
                size / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    Ok(())
}

/// Reads a file already in memory; `name` is used in messages and to tell CSV from TSV only
/// when the content cannot.
pub fn read_bytes(name: &str, bytes: &[u8], options: &ReadOptions) -> Result<Table> {
    check_size(name, bytes.len() as u64)?;
    let (format, sheets, sheet, grid, mut notes, encoding, guessed) =
        if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&CFB_MAGIC) {
            let book = read_workbook(name, bytes, options)?;
            let (format, sheet) = (book.format, Some(book.sheet));
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
}

fn read_workbook(name: &str, bytes: &[u8], options: &ReadOptions) -> Result<Workbook> {
    let unreadable = || {
        bad(
            "file_unreadable",
            format!("{name} looks like a spreadsheet but cannot be read; it may be damaged. Open it in Excel and save it again."),
        )
    };
    let encrypted = || {
        bad(
            "file_encrypted",
            format!("{name} is protected by a password. Open it in Excel, remove the password (File › Info › Protect Workbook), save, and import it again."),
        )
    };
    // calamine parses hostile bytes; a panic in it must become a refusal, not a crash of the
    // app. Nothing shared is mutated inside, so unwinding leaves no broken state behind.
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<_> {
        let cursor = || Cursor::new(bytes.to_vec());
        if bytes.starts_with(&CFB_MAGIC) {
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
                Ok(book) => return load(name, book, FileFormat::Xlsx, options),
                Err(_) => {}
            }
            return match calamine::open_workbook_from_rs::<Xls<_>, _>(cursor()) {
                Ok(book) => load(name, book, FileFormat::Xls, options),
                Err(calamine::XlsError::Password) => Err(encrypted()),
                Err(_) => Err(unreadable()),
            };
        }
        let is_ods = bytes
            .get(30..90)
            .is_some_and(|head| head.windows(11).any(|w| w == b"opendocumen"));
        if is_ods {
            return match calamine::open_workbook_from_rs::<Ods<_>, _>(cursor()) {
                Ok(book) => load(name, book, FileFormat::Ods, options),
                Err(calamine::OdsError::Password) => Err(encrypted()),
                Err(_) => Err(unreadable()),
            };
        }
        match calamine::open_workbook_from_rs::<Xlsx<_>, _>(cursor()) {
            Ok(book) => load(name, book, FileFormat::Xlsx, options),
            Err(calamine::XlsxError::Password) => Err(encrypted()),
            Err(_) => match calamine::open_workbook_from_rs::<Xlsb<_>, _>(cursor()) {
                Ok(book) => load(name, book, FileFormat::Xlsb, options),
                Err(_) => Err(unreadable()),
            },
        }
    }));
    match outcome {
        Ok(result) => result,
        Err(_) => Err(unreadable()),
    }
}

fn load<R: Reader<Cursor<Vec<u8>>>>(
    name: &str,
    mut book: R,
    format: FileFormat,
    options: &ReadOptions,
) -> Result<Workbook> {
    let sheets = book.sheet_names();
    let mut notes = Vec::new();
    let unreadable_sheet = |sheet: &str| {
        bad(
            "file_unreadable",
            format!("The sheet \u{201c}{sheet}\u{201d} of {name} cannot be read; it may be damaged or protected."),
        )
    };
    let (sheet, range) = match &options.sheet {
        Some(wanted) => {
            let Some(sheet) = sheets.iter().find(|s| s.trim() == wanted.trim()) else {
                return Err(bad(
                    "sheet_not_found",
                    format!(
                        "{name} has no sheet \u{201c}{wanted}\u{201d}; its sheets are: {}.",
                        quoted_list(&sheets)
                    ),
                ));
            };
            let range = book
                .worksheet_range(sheet)
                .map_err(|_| unreadable_sheet(sheet))?;
            (sheet.clone(), range)
        }
        None => {
            // The sheet whose headers look most like a registration list; a cover or
            // instructions sheet in front is common.
            let mut best: Option<(usize, String, calamine::Range<Data>)> = None;
            for sheet in &sheets {
                let Ok(range) = book.worksheet_range(sheet) else {
                    continue;
                };
                if !range.cells().any(|(_, _, c)| !c.is_empty()) {
                    continue;
                }
                let top: Grid = range
                    .rows()
                    .take(HEADER_SEARCH_ROWS)
                    .enumerate()
                    .map(|(i, row)| (i + 1, row.iter().take(MAX_COLUMNS).map(cell_text).collect()))
                    .collect();
                let (_, score) = header_score(&top);
                let data_rows = range.height().saturating_sub(1);
                let score = score * 2 + usize::from(data_rows > 0);
                if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
                    best = Some((score, sheet.clone(), range));
                }
            }
            let (_, sheet, range) =
                best.ok_or_else(|| bad("no_rows", format!("{name} has no sheet with any cells.")))?;
            (sheet, range)
        }
    };
    if sheets.len() > 1 {
        notes.push(
            Message::new(
                Severity::Info,
                "sheet_chosen",
                format!(
                    "The workbook has {} sheets ({}); read \u{201c}{sheet}\u{201d}.",
                    sheets.len(),
                    quoted_list(&sheets)
                ),
            )
            .with("count", sheets.len())
            .with("sheets", quoted_list(&sheets))
            .with("sheet", &sheet),
        );
    }
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let (height, width) = range.get_size();
    if height > MAX_ROWS + HEADER_SEARCH_ROWS {
        return Err(too_many_rows(name, height));
    }
    let width = width.min(MAX_COLUMNS + first_col as usize);
    let mut grid = Vec::with_capacity(height);
    for (i, row) in range.rows().enumerate() {
        let mut cells = Vec::with_capacity(first_col as usize + row.len());
        // Keep column positions as the sheet has them, so letters in notes match.
        cells.resize(first_col as usize, String::new());
        cells.extend(row.iter().take(width).map(cell_text));
        grid.push((first_row as usize + i + 1, cells));
    }
    Ok(Workbook {
        format,
        sheets,
        sheet,
        grid,
        notes,
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
    bad(
        "file_too_large",
        format!("{name} has {rows} rows; at most {MAX_ROWS} can be imported at once. Split it into smaller files."),
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
                bad(
                    "unknown_encoding",
                    format!("\u{201c}{label}\u{201d} is not an encoding this app knows; try utf-8, cp949 or utf-16."),
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
        return Err(bad(
            "file_unreadable",
            format!("{name} is neither a spreadsheet (XLSX, XLS, ODS) nor a CSV or TSV text file."),
        ));
    }
    if had_errors {
        let bad_chars = text.chars().filter(|&c| c == '\u{FFFD}').count();
        notes.push(Message::new(
            Severity::Warning,
            "encoding_errors",
            format!(
                "{bad_chars} character(s) could not be read as {}; if names look wrong, choose another encoding.",
                encoding.name()
            ),
        )
        .with("count", bad_chars)
        .with("encoding", encoding.name()));
    } else if guessed {
        notes.push(
            Message::new(
                Severity::Info,
                "encoding_guessed",
                format!(
                    "Read as {}{}; if names look wrong, choose another encoding.",
                    encoding.name(),
                    if encoding == encoding_rs::EUC_KR {
                        " (Korean Windows, CP949)"
                    } else {
                        ""
                    }
                ),
            )
            .with("encoding", encoding.name()),
        );
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
            bad(
                "file_unreadable",
                format!(
                    "{name} cannot be read as {}: {e}",
                    delimiter_name(delimiter)
                ),
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

fn column_letter(mut index: usize) -> String {
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
        return Err(bad("no_rows", format!("{name} has no rows with any text.")));
    }
    let header_index = match options.header_row {
        Some(wanted) => grid
            .iter()
            .position(|(row, _)| *row == wanted)
            .ok_or_else(|| {
                bad(
                    "no_header",
                    format!("{name} has no row {wanted} to take the headers from."),
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
        notes.push(
            Message::new(
                Severity::Info,
                "header_row",
                format!("The headers are in row {header_row}; the rows above were left out."),
            )
            .with("row", header_row),
        );
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
            Message::new(
                Severity::Info,
                "totals_skipped",
                format!(
                    "Left out the totals row(s) at the end: row {}.",
                    totals
                        .iter()
                        .map(usize::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .with(
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
        notes.push(
            Message::new(
                Severity::Info,
                "blank_rows_skipped",
                format!("Left out {blank_inside} blank row(s)."),
            )
            .with("count", blank_inside),
        );
    }
    if rows.is_empty() {
        return Err(bad(
            "no_rows",
            format!("{name} has headers in row {header_row} but no rows of data under them."),
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
