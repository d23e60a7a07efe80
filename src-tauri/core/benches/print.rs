//! Printing benchmarks: 1,000 badges on A4 8-up, a 1,000-row participant list, itineraries
//! (PDF and ICS) for every official and a combined workbook, from a generated event, in a
//! fresh process so the first figure includes the font scan. Prints one table and, with
//! `--json PATH`, writes the same figures (`cargo xtask bench` reads them).
//! Peak memory is the process's high-water mark (`VmHWM`) after all runs.

mod common;

use std::time::Instant;

use common::{ms, peak_mb, Figure};

use ddesk_core::export::{self, ExportRequest, Format, Table};
use ddesk_core::generate::{self, Spec};
use ddesk_core::print::itinerary::{self, ItineraryFormat, ItineraryRequest, Scope};
use ddesk_core::print::{self, BadgeLayout, Document, PrintRequest, Selection};

fn main() {
    let json_path = common::json_path();
    let runs = common::runs(5);

    let dir = tempfile::tempdir().expect("temp dir");
    let store = common::library(dir.path());
    // A little over 1,000 so that, with the cancelled ones left out, 1,000 badges remain.
    let event = generate::generate(&store, Spec::new(1_100, 7)).expect("generate");
    let ids: Vec<String> = store
        .read(|c| ddesk_core::queries::officials(c, &event.id, &Default::default()))
        .expect("officials")
        .rows
        .into_iter()
        .filter(|r| r.official.status != ddesk_core::model::OfficialStatus::Cancelled)
        .take(1_000)
        .map(|r| r.official.id)
        .collect();
    assert_eq!(
        ids.len(),
        1_000,
        "the generated event has 1,000 officials to print"
    );
    let badges = PrintRequest::new(
        &event.id,
        Document::Badges {
            layout: BadgeLayout::A4x8,
            selection: Selection::Officials { ids },
        },
    );
    let participants = PrintRequest::new(&event.id, Document::Participants);

    let mut figures = Vec::new();
    // What the process holds before printing anything (the generated library), so the
    // badges' own share of the peak below can be read off.
    if let Some(peak) = peak_mb() {
        figures.push(Figure {
            name: "peak memory before printing".into(),
            samples: vec![peak],
            unit: "MB",
            target: None,
        });
    }
    let mut badge_runs = Vec::new();
    let mut pages = 0;
    let mut bytes = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let out = print::render(&store, &badges, &|_, _| {}).expect("badges");
        badge_runs.push(ms(start.elapsed()));
        pages = out.pages;
        bytes = out.pdf.len();
    }
    figures.push(Figure {
        name: "1,000 badges A4 8-up, first (with font scan)".into(),
        samples: vec![badge_runs[0]],
        unit: "ms",
        target: Some(1500.0),
    });
    // The later runs reuse the scanned fonts; with one run there are none.
    if badge_runs.len() > 1 {
        figures.push(Figure {
            name: "1,000 badges A4 8-up, fonts scanned".into(),
            samples: badge_runs[1..].to_vec(),
            unit: "ms",
            target: Some(1500.0),
        });
    }
    println!("badges: {pages} pages, {:.1} MB", bytes as f64 / 1e6);
    if let Some(peak) = peak_mb() {
        figures.push(Figure {
            name: "peak memory after the badges".into(),
            samples: vec![peak],
            unit: "MB",
            target: Some(300.0),
        });
    }

    let mut list_runs = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let out = print::render(&store, &participants, &|_, _| {}).expect("participants");
        list_runs.push(ms(start.elapsed()));
        pages = out.pages;
        bytes = out.pdf.len();
    }
    println!("participants: {pages} pages, {:.1} MB", bytes as f64 / 1e6);
    figures.push(Figure {
        name: "participant list (~1,000 rows)".into(),
        samples: list_runs,
        unit: "ms",
        target: None,
    });
    // Itineraries for everyone (the same 1,000-odd officials): one PDF and one calendar each.
    let itinerary = |format| ItineraryRequest {
        event_id: event.id.clone(),
        scope: Scope::All,
        format,
        printed_on: None,
    };
    let mut both_runs = Vec::new();
    let mut pdf_runs = Vec::new();
    let mut files = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let pdfs = itinerary::itineraries(&store, &itinerary(ItineraryFormat::Pdf), &|_, _| {})
            .expect("itinerary PDFs");
        pdf_runs.push(ms(start.elapsed()));
        let ics = itinerary::itineraries(&store, &itinerary(ItineraryFormat::Ics), &|_, _| {})
            .expect("calendars");
        both_runs.push(ms(start.elapsed()));
        files = pdfs.len() + ics.len();
    }
    println!("itineraries: {files} files");
    figures.push(Figure {
        name: "itineraries for ~1,000 officials, PDF".into(),
        samples: pdf_runs,
        unit: "ms",
        target: None,
    });
    figures.push(Figure {
        name: "itineraries for ~1,000 officials, PDF + ICS".into(),
        samples: both_runs,
        unit: "ms",
        target: Some(5000.0),
    });
    let workbook = ExportRequest {
        event_id: event.id.clone(),
        tables: Table::ALL
            .iter()
            .copied()
            .filter(|t| *t != Table::Roster)
            .collect(),
        format: Format::Xlsx,
        hotel_id: None,
        session_id: None,
        language: ddesk_core::model::Language::En,
        full_passport: false,
    };
    let mut export_runs = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        export::export(&store, &workbook).expect("workbook");
        export_runs.push(ms(start.elapsed()));
    }
    figures.push(Figure {
        name: "combined XLSX workbook, ~1,000 officials".into(),
        samples: export_runs,
        unit: "ms",
        target: None,
    });
    if let Some(peak) = peak_mb() {
        figures.push(Figure {
            name: "peak memory (whole bench process)".into(),
            samples: vec![peak],
            unit: "MB",
            target: None,
        });
    }

    common::print_table("print benchmark (release)", &figures);
    if let Some(path) = json_path {
        common::write_json(&path, serde_json::json!({}), &figures);
    }
}
