//! Printing benchmarks: 1,000 badges on A4 8-up, a 1,000-row participant list, itineraries
//! (PDF and ICS) for every official and a combined workbook, from a generated event, in a
//! fresh process so the first figure includes the font scan. Prints one table and, with
//! `--json PATH`, writes the same figures (`cargo xtask bench` reads them).
//! Peak memory is the process's high-water mark (`VmHWM`) after all runs.

use std::time::{Duration, Instant};

use ddesk_core::export::{self, ExportRequest, Format, Table};
use ddesk_core::generate::{self, Spec};
use ddesk_core::print::itinerary::{self, ItineraryFormat, ItineraryRequest, Scope};
use ddesk_core::print::{self, BadgeLayout, Document, PrintRequest, Selection};
use ddesk_core::Store;

struct Figure {
    name: String,
    runs: Vec<f64>,
    unit: &'static str,
    target: Option<f64>,
}

impl Figure {
    fn quantile(&self, q: f64) -> f64 {
        let mut v = self.runs.clone();
        v.sort_by(f64::total_cmp);
        v[((v.len() as f64 - 1.0) * q).round() as usize]
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The process's peak resident memory in MB (Linux); `None` elsewhere.
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let json_path = args
        .iter()
        .position(|a| a == "--json")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let runs: usize = std::env::var("DDESK_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);

    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("bench.sqlite3")).expect("library");
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
        runs: vec![badge_runs[0]],
        unit: "ms",
        target: Some(1500.0),
    });
    figures.push(Figure {
        name: "1,000 badges A4 8-up, fonts scanned".into(),
        runs: badge_runs[1..].to_vec(),
        unit: "ms",
        target: Some(1500.0),
    });
    println!("badges: {pages} pages, {:.1} MB", bytes as f64 / 1e6);
    if let Some(peak) = peak_mb() {
        figures.push(Figure {
            name: "peak memory after the badges".into(),
            runs: vec![peak],
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
        runs: list_runs,
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
        runs: pdf_runs,
        unit: "ms",
        target: None,
    });
    figures.push(Figure {
        name: "itineraries for ~1,000 officials, PDF + ICS".into(),
        runs: both_runs,
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
    };
    let mut export_runs = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        export::export(&store, &workbook).expect("workbook");
        export_runs.push(ms(start.elapsed()));
    }
    figures.push(Figure {
        name: "combined XLSX workbook, ~1,000 officials".into(),
        runs: export_runs,
        unit: "ms",
        target: None,
    });
    if let Some(peak) = peak_mb() {
        figures.push(Figure {
            name: "peak memory (whole bench process)".into(),
            runs: vec![peak],
            unit: "MB",
            target: None,
        });
    }

    println!(
        "\n{:<48} {:>5} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "print benchmark (release)", "runs", "median", "p95", "min", "max", "target"
    );
    for f in &figures {
        let target = f.target.map(|t| format!("≤ {t}")).unwrap_or_default();
        println!(
            "{:<48} {:>5} {:>10.1} {:>10.1} {:>10.1} {:>10.1} {:>8}",
            format!("{} ({})", f.name, f.unit),
            f.runs.len(),
            f.quantile(0.5),
            f.quantile(0.95),
            f.quantile(0.0),
            f.quantile(1.0),
            target
        );
    }
    if let Some(path) = json_path {
        // Memory is reported in the same schema as times (xtask shows it with its name).
        let rows: Vec<serde_json::Value> = figures
            .iter()
            .map(|f| {
                serde_json::json!({
                    "name": f.name, "unit": f.unit, "runs": f.runs.len(),
                    "median_ms": f.quantile(0.5), "p95_ms": f.quantile(0.95),
                    "min_ms": f.quantile(0.0), "max_ms": f.quantile(1.0),
                    "target_ms": f.target, "samples_ms": f.runs,
                })
            })
            .collect();
        let text =
            serde_json::to_string_pretty(&serde_json::json!({ "figures": rows })).expect("json");
        std::fs::write(&path, text).expect("write json");
        println!("\nwrote {path}");
    }
}
