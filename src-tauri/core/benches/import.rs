//! Import benchmark: a generated 10,000-row, 16-column registration list as XLSX and as CSV,
//! read, previewed (full validation and duplicate detection) and committed into a fresh
//! library; prints one table and the peak memory (VmHWM) and, with `--json PATH`, writes the
//! figures as JSON for `cargo xtask bench`.

mod common;

use std::time::Instant;

use common::Figure;

use ddesk_core::import::{self, Decisions, ReadOptions};
use ddesk_core::model::{Event, Hotel};
use ddesk_core::Store;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const ROWS: usize = 10_000;
const RUNS: usize = 3;

const HEADERS: [&str; 16] = [
    "No.",
    "Family name",
    "Given name",
    "Country",
    "Organization",
    "Position",
    "Passport No.",
    "Passport expiry",
    "Date of birth",
    "E-mail",
    "Phone",
    "Gender",
    "Arrival",
    "Arrival flight",
    "Departure",
    "Hotel",
];

const COUNTRIES: [&str; 12] = [
    "Viet Nam",
    "Cambodia",
    "Lao PDR",
    "Mongolia",
    "Indonesia",
    "Philippines",
    "Thailand",
    "Uzbekistan",
    "Kyrgyzstan",
    "Sri Lanka",
    "Bangladesh",
    "Nepal",
];
const FAMILIES: [&str; 10] = [
    "NGUYEN",
    "CHAN",
    "PHOMMA",
    "BAYAR",
    "SANTOSO",
    "REYES",
    "SRISUK",
    "KARIMOV",
    "ABDYLDAEV",
    "PERERA",
];
const GIVENS: [&str; 10] = [
    "Thi Hoa", "Sokha", "Khamla", "Tsetseg", "Budi", "Maria", "Arun", "Aziz", "Aibek", "Nimal",
];

/// One made-up person per row; every hundredth row repeats the passport of the row before,
/// so duplicate detection has work to do.
fn person(i: usize) -> Vec<String> {
    let passport = if i % 100 == 99 { i - 1 } else { i };
    vec![
        (i + 1).to_string(),
        FAMILIES[i % FAMILIES.len()].to_string(),
        format!("{} {}", GIVENS[(i / 10) % GIVENS.len()], i),
        COUNTRIES[i % COUNTRIES.len()].to_string(),
        "Ministry of Finance, Public Procurement Department".to_string(),
        "Deputy Director".to_string(),
        format!("P{passport:08}"),
        format!("2031-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
        format!("{:02}/{:02}/19{}", 1 + i % 28, 1 + i % 12, 60 + i % 35),
        format!("person{i}@example.invalid"),
        format!("+84 24 3{i:07}"),
        if i.is_multiple_of(2) { "F" } else { "M" }.to_string(),
        format!("2024-09-24 {:02}:{:02}", 6 + i % 16, i % 60),
        format!("VN{}", 400 + i % 50),
        "2024-09-28 10:35".to_string(),
        "Orakai Insadong Suites".to_string(),
    ]
}

fn csv_bytes() -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    out.push_str(&HEADERS.join(","));
    out.push('\n');
    for i in 0..ROWS {
        let row: Vec<String> = person(i)
            .into_iter()
            .map(|c| {
                if c.contains(',') {
                    format!("\"{c}\"")
                } else {
                    c
                }
            })
            .collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

/// The same people as a workbook, with real Excel dates in the date columns.
fn xlsx_bytes() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let moment = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for (col, h) in HEADERS.iter().enumerate() {
        sheet.write_string(0, col as u16, *h).expect("header");
    }
    for i in 0..ROWS {
        let r = i as u32 + 1;
        for (col, cell) in person(i).into_iter().enumerate() {
            let col = col as u16;
            match col {
                7 => {
                    let d = ExcelDateTime::parse_from_str(&cell).expect("date");
                    sheet.write_datetime_with_format(r, col, &d, &day)
                }
                12 | 14 => {
                    let d = ExcelDateTime::parse_from_str(&cell).expect("date-time");
                    sheet.write_datetime_with_format(r, col, &d, &moment)
                }
                0 => sheet.write_number(r, col, (i + 1) as f64),
                _ => sheet.write_string(r, col, cell),
            }
            .expect("cell");
        }
    }
    book.save_to_buffer().expect("xlsx")
}

/// A fresh library on disk (so the commit makes its real backup) with one event and its hotel.
fn library() -> (tempfile::TempDir, Store, Event) {
    let dir = tempfile::tempdir().expect("temp dir");
    // DDESK_BENCH_PLAINTEXT=1: the same on a plain library, to compare the peak memory with
    // encryption's (a process's peak is its own, so the two are two runs).
    let how = if std::env::var_os("DDESK_BENCH_PLAINTEXT").is_some() {
        ddesk_core::store::Unlock::Plaintext
    } else {
        common::unlock()
    };
    let store = Store::open(&dir.path().join("bench.sqlite3"), &how).expect("library");
    let event = store
        .save(Event {
            name_en: "Benchmark Workshop".into(),
            start_date: "2024-09-25".parse().expect("date"),
            end_date: "2024-09-27".parse().expect("date"),
            time_zone: "Asia/Seoul".into(),
            host_country: "KR".into(),
            ..Event::default()
        })
        .expect("event");
    store
        .save(Hotel {
            event_id: event.id.clone(),
            name: "Orakai Insadong Suites".into(),
            ..Hotel::default()
        })
        .expect("hotel");
    (dir, store, event)
}

/// What matching loose values costs (issue 23): the same 10,000 rows previewed with the
/// hotel and the country named exactly, then loosely ("Orakai Hotel", "orakai",
/// "Republic of Uzbekistan"), run after run; the figure is the difference.
fn loose_values() -> Figure {
    let (_dir, store, event) = library();
    let exact =
        import::read_bytes("exact.csv", &csv_bytes(), &ReadOptions::default()).expect("read");
    let mut loose = exact.clone();
    let column = |name: &str| HEADERS.iter().position(|h| *h == name).expect("column");
    let (hotel, country) = (column("Hotel"), column("Country"));
    const HOTELS: [&str; 3] = ["Orakai Hotel", "orakai", "Orakai Insadong Htl"];
    const LOOSE_COUNTRIES: [&str; 3] = [
        "Republic of Uzbekistan",
        "Kyrgyz Rep.",
        "Socialist Republic of Viet Nam",
    ];
    for (i, row) in loose.rows.iter_mut().enumerate() {
        row.cells[hotel] = HOTELS[i % HOTELS.len()].to_string();
        if i % 4 == 0 {
            row.cells[country] = LOOSE_COUNTRIES[i % LOOSE_COUNTRIES.len()].to_string();
        }
    }
    let mapping = import::auto_mapping(&exact.headers, None);
    // Each run takes the quickest of three previews of each table, so that a pause of the
    // machine in one of them does not pass for the matching's cost.
    let quickest = |table: &import::Table| {
        (0..3)
            .map(|_| {
                let started = Instant::now();
                let p = store
                    .read(|c| import::preview(c, &event.id, table, &mapping))
                    .expect("preview");
                assert_eq!(p.counts.error, 0, "{:?}", p.unmatched);
                started.elapsed()
            })
            .min()
            .unwrap_or_default()
    };
    let p = store
        .read(|c| import::preview(c, &event.id, &loose, &mapping))
        .expect("loose preview");
    assert!(p.values.iter().any(|v| v.from == "Orakai Hotel"));
    let mut added = Vec::new();
    for _ in 0..7 {
        let exact_time = quickest(&exact);
        let loose_time = quickest(&loose);
        added.push(loose_time.saturating_sub(exact_time));
    }
    Figure::times(
        format!("loose values matched in {ROWS} rows (added to the preview)"),
        &added,
        Some(50.0),
    )
}

fn main() {
    let json_path = common::json_path();
    let files = [("xlsx", xlsx_bytes()), ("csv", csv_bytes())];
    let mut figures = Vec::new();
    for (kind, bytes) in &files {
        let name = format!("registrations.{kind}");
        let mut read = Vec::new();
        let mut preview = Vec::new();
        let mut whole = Vec::new();
        for _ in 0..RUNS {
            let (_dir, store, event) = library();
            let started = Instant::now();
            let table = import::read_bytes(&name, bytes, &ReadOptions::default()).expect("read");
            read.push(started.elapsed());
            let mapping = import::auto_mapping(&table.headers, None);
            let previewed = Instant::now();
            let p = store
                .read(|c| import::preview(c, &event.id, &table, &mapping))
                .expect("preview");
            preview.push(previewed.elapsed());
            assert_eq!(
                p.counts.error,
                0,
                "{:?}",
                p.rows.iter().find(|r| !r.messages.is_empty())
            );
            assert_eq!(p.counts.duplicate, ROWS / 100);
            let report = import::commit(
                &store,
                &event.id,
                &table,
                &mapping,
                &Decisions::default(),
                Some(&p),
                &|_, _| {},
            )
            .expect("commit");
            whole.push(started.elapsed());
            assert_eq!(report.created, ROWS - ROWS / 100);
            assert!(
                !report.rechecked,
                "the commit checked the previewed rows again"
            );
        }
        figures.push(Figure::times(
            format!("read {ROWS}-row {kind}"),
            &read,
            None,
        ));
        figures.push(Figure::times(
            format!("preview {ROWS} rows from {kind}"),
            &preview,
            None,
        ));
        figures.push(Figure::times(
            format!("import {ROWS}-row {kind} (read, preview, commit)"),
            &whole,
            Some(1000.0),
        ));
    }
    figures.push(loose_values());
    if let Some(mb) = common::peak_mb() {
        figures.push(Figure::memory(
            "import peak memory (VmHWM)",
            mb,
            Some(300.0),
        ));
    }
    common::print_table("import benchmark (16 columns)", &figures);
    if let Some(path) = json_path {
        common::write_json(&path, serde_json::json!({ "rows": ROWS }), &figures);
    }
}
