//! Letter benchmarks (issue 19): 1,000 visa invitation letters written from a generated event,
//! as PDF (one file each, typeset many to a compilation on every core) and as Word documents,
//! numbers given in the register included. Run with `cargo xtask bench letters`.

mod common;

use common::Figure;

use ddesk_core::generate::{self, Spec};
use ddesk_core::model::{Event, Official, OfficialStatus};
use ddesk_core::print::letters::{self, LetterFormat, LetterKind, LetterRequest, Recipients};

fn main() {
    let json_path = common::json_path();
    let runs = common::runs(5);
    let dir = tempfile::tempdir().expect("temp dir");
    let store = common::library(dir.path());
    let event = generate::generate(&store, Spec::new(1_100, 7)).expect("generate");
    // Exactly 1,000 letters: no official is the host country's (who needs no visa), and those
    // past the thousandth are cancelled.
    let mut e: Event = store.get(&event.id).expect("event");
    e.host_country = "AQ".into();
    store.save(e).expect("event");
    let present: Vec<Official> = store
        .read(|c| ddesk_core::queries::officials(c, &event.id, &Default::default()))
        .expect("officials")
        .rows
        .into_iter()
        .map(|r| r.official)
        .filter(|o| o.status != OfficialStatus::Cancelled)
        .collect();
    // Officials the generator left without a position or organization get no letter (the
    // default words need them): they are cancelled too, before the thousand are counted.
    let skipped: std::collections::HashSet<String> = letters::write_letters(
        &store,
        &LetterRequest::new(&event.id, LetterKind::Visa, Recipients::All),
        &|_, _| {},
    )
    .expect("a first batch")
    .skipped
    .into_iter()
    .map(|s| {
        println!("skipped {}: {}", s.recipient, s.reason.en());
        s.recipient_id
    })
    .collect();
    for (i, mut o) in present.into_iter().enumerate() {
        if skipped.contains(&o.id) || i >= 1_000 + skipped.len() {
            o.status = OfficialStatus::Cancelled;
            store.save(o).expect("cancel");
        }
    }
    let request = |format| {
        let mut r = LetterRequest::new(&event.id, LetterKind::Visa, Recipients::All);
        r.format = format;
        r.lang = Some(ddesk_core::model::Language::En);
        r
    };
    let mut figures = Vec::new();
    for (format, name, target) in [
        (LetterFormat::Pdf, "1,000 visa letters, PDF", Some(3000.0)),
        (LetterFormat::Docx, "1,000 visa letters, DOCX", Some(3000.0)),
    ] {
        let mut written = 0;
        let mut bytes = 0;
        let timings = common::time(runs, || {
            let batch =
                letters::write_letters(&store, &request(format), &|_, _| {}).expect("letters");
            written = batch.files.len();
            bytes = batch.files.iter().map(|f| f.bytes.len()).sum::<usize>();
        });
        assert_eq!(written, 1_000, "{name}: every official gets a letter");
        println!("{name}: {:.1} MB", bytes as f64 / 1e6);
        figures.push(Figure::times(name, &timings, target));
    }
    if let Some(peak) = common::peak_mb() {
        figures.push(Figure::memory("peak memory", peak, None));
    }
    common::print_table("Letters", &figures);
    if let Some(path) = json_path {
        common::write_json(&path, serde_json::json!({}), &figures);
    }
}
