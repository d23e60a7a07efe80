//! Team-sync benchmarks (issue 18): a 20,000-official event shared (its snapshot), joined by a
//! second library, then a 10,000-row import on the first: its bundle written, and applied into
//! the second's event; the bundle's size per change. Encrypted libraries, as every library is.
//! Run with `cargo xtask bench sync`.

mod common;

use std::time::Instant;

use common::Figure;

use ddesk_core::generate::{self, Spec};
use ddesk_core::model::{Category, Official, OfficialStatus};
use ddesk_core::Store;

fn main() {
    let json_path = common::json_path();
    let runs = common::runs(3);
    let dir = tempfile::tempdir().expect("temp dir");
    let how = common::unlock();
    let a = Store::open(&dir.path().join("a.sqlite3"), &how).expect("library a");
    let b = Store::open(&dir.path().join("b.sqlite3"), &how).expect("library b");
    let event = generate::generate(&a, Spec::new(20_000, 1)).expect("generate");
    let mut figures = Vec::new();

    let started = Instant::now();
    let shared = a.sync_share(&event.id).expect("share");
    figures.push(Figure::times(
        "share a 20,000-official event (its snapshot)",
        &[started.elapsed()],
        None,
    ));
    let first = dir.path().join("first.ddsync");
    let sent = a.sync_export(&event.id, &first).expect("export");
    let started = Instant::now();
    b.sync_import(&first, Some(&shared.team_key)).expect("join");
    figures.push(Figure::times(
        format!("join: receive the whole event ({} rows)", sent.rows),
        &[started.elapsed()],
        None,
    ));
    figures.push(Figure {
        name: "bundle of the whole event, per row (bytes)".into(),
        unit: "B",
        samples: vec![sent.bytes as f64 / sent.rows as f64],
        target: None,
    });

    let (mut write, mut apply, mut record) = (Vec::new(), Vec::new(), Vec::new());
    let mut backup = Vec::new();
    let mut per_change = Vec::new();
    let mut before = sent.bytes;
    for run in 0..runs {
        // A 10,000-row import: one transaction, as `Store::import` writes one.
        let started = Instant::now();
        a.import(|tx, batch| {
            for i in 0..10_000 {
                let official = Official {
                    id: uuid::Uuid::now_v7().to_string(),
                    event_id: event.id.clone(),
                    family_name: format!("IMPORTED{run}"),
                    given_name: format!("Person {i:05}"),
                    organization: "Ministry of Finance".into(),
                    position: "Procurement Officer".into(),
                    nationality: "MN".into(),
                    category: Category::Delegate,
                    status: OfficialStatus::Confirmed,
                    ..Official::default()
                };
                ddesk_core::store::insert(tx, official, Some(batch))?;
            }
            Ok(())
        })
        .expect("import");
        record.push(started.elapsed());
        let file = dir.path().join(format!("run{run}.ddsync"));
        let started = Instant::now();
        let sent = a.sync_export(&event.id, &file).expect("export");
        write.push(started.elapsed());
        per_change.push((sent.bytes - before) as f64 / 10_000.0);
        before = sent.bytes;
        // The backup a receive makes beside the merge, timed on its own: it grows with the
        // library, the merge with the change.
        let started = Instant::now();
        b.backup(ddesk_core::store::backup::BackupReason::Manual)
            .expect("backup");
        backup.push(started.elapsed());
        let started = Instant::now();
        let got = b.sync_import(&file, None).expect("receive");
        apply.push(started.elapsed());
        assert_eq!(got.rows, 10_000, "the import's rows, all of them");
    }
    figures.push(Figure::times(
        "10,000-row import in a shared event (recorded)",
        &record,
        None,
    ));
    figures.push(Figure::times(
        "write the bundle holding it (the event's whole history)",
        &write,
        Some(1000.0),
    ));
    figures.push(Figure::times(
        "receive it: 10,000 changes applied, a backup beside",
        &apply,
        Some(2000.0),
    ));
    figures.push(Figure::times(
        "the library's backup alone (made beside the merge)",
        &backup,
        None,
    ));
    figures.push(Figure {
        name: "bundle size per change (bytes)".into(),
        unit: "B",
        samples: per_change,
        target: None,
    });
    common::print_table(
        "team-sync benchmark (release, encrypted libraries)",
        &figures,
    );
    if let Some(path) = json_path {
        common::write_json(&path, serde_json::json!({ "officials": 20_000 }), &figures);
    }
}
