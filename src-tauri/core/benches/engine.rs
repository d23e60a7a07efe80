//! Engine benchmarks at scale: a generated event of 20,000 officials, 300 sessions and 20
//! hotels; prints one table (median, min, max, p95 over repeated runs) and, with
//! `--json PATH`, writes the same figures as JSON. Run with `cargo xtask bench`.
//!
//! Everything is measured twice in one run, on an encrypted library (SQLCipher, as every
//! library is) and on a plain one, and the cost of encryption printed beside (issue 17: within
//! 15 %).

mod common;

use std::time::Instant;

use common::{time, Figure};

use ddesk_core::checks::{self, EventData};
use ddesk_core::generate::{self, Spec};
use ddesk_core::model::Official;
use ddesk_core::queries::{self, ListQuery, OfficialQuery, OfficialRow, Page};
use ddesk_core::store::Unlock;
use ddesk_core::{dashboard, Store};

fn main() {
    let json_path = common::json_path();
    let officials: usize = std::env::var("DDESK_BENCH_OFFICIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);

    // Plain first, then encrypted: any warming of the machine favours encryption's figures
    // no more than the plain ones.
    let plain = measure(officials, &Unlock::Plaintext);
    let encrypted = measure(officials, &common::unlock());
    common::print_table("engine benchmark (release), plain library", &plain);
    common::print_table("engine benchmark (release), encrypted library", &encrypted);
    println!(
        "\n{:<58} {:>10} {:>10} {:>8}",
        "encryption's cost (medians)", "plain", "encrypted", "ratio"
    );
    for (p, e) in plain.iter().zip(&encrypted) {
        let ratio = e.quantile(0.5) / p.quantile(0.5);
        println!(
            "{:<58} {:>10.2} {:>10.2} {:>7.2}{}",
            format!("{} ({})", e.name, e.unit),
            p.quantile(0.5),
            e.quantile(0.5),
            ratio,
            if ratio > 1.15 { " over 15 %" } else { "" }
        );
    }
    // The encrypted figures under their own names (the targets are theirs); the plain ones
    // beside them, named so.
    let mut figures = encrypted;
    figures.extend(plain.into_iter().map(|mut f| {
        f.name = format!("{} [plain]", f.name);
        f.target = None;
        f
    }));
    if let Some(path) = json_path {
        common::write_json(
            &path,
            serde_json::json!({ "officials": officials }),
            &figures,
        );
    }
}

/// Every figure, on a new library of `officials` generated officials opened as `how` says.
fn measure(officials: usize, how: &Unlock) -> Vec<Figure> {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("bench.sqlite3"), how).expect("library");
    let mut figures = Vec::new();

    let started = Instant::now();
    let event = generate::generate(&store, Spec::new(officials, 1)).expect("generate");
    figures.push(Figure::times(
        format!("generate {officials} officials"),
        &[started.elapsed()],
        None,
    ));

    // As the dashboard loads it: on the store's second connection (`read_apart`).
    let load = time(5, || {
        store
            .read_apart(|c| EventData::load(c, &event.id))
            .expect("load")
    });
    figures.push(Figure::times("load event data", &load, None));
    let data = store
        .read_apart(|c| EventData::load(c, &event.id))
        .expect("load");
    figures.push(Figure::times(
        "all logistics checks",
        &time(9, || checks::run_all(&data)),
        Some(50.0),
    ));
    figures.push(Figure::times(
        "derive every roster (in the checks)",
        &time(9, || {
            ddesk_core::audience::Rosters::derive(
                &data.sessions,
                &data.officials,
                &data.participants,
            )
            .count(0)
        }),
        None,
    ));
    figures.push(Figure::times(
        "dashboard (with checks)",
        &time(5, || dashboard::build(&data)),
        None,
    ));

    let page = OfficialQuery {
        limit: 100,
        ..OfficialQuery::default()
    };
    figures.push(Figure::times(
        "list officials (first page of 100)",
        &time(200, || {
            store
                .read(|c| queries::officials(c, &event.id, &page))
                .expect("list")
        }),
        Some(5.0),
    ));
    // A session for everyone: its roster is derived from the audience, not stored.
    let everyone: String = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT id FROM session WHERE event_id = ? AND audience = 'everyone'",
                [&event.id],
                |r| r.get(0),
            )?)
        })
        .expect("a session for everyone");
    figures.push(Figure::times(
        "list a roster for everyone (first page of 100)",
        &time(100, || {
            store
                .read(|c| queries::roster(c, &everyone, &page_of(100)))
                .expect("roster")
        }),
        Some(5.0),
    ));
    let candidates = OfficialQuery {
        limit: 200,
        not_on_session: Some(everyone.clone()),
        ..OfficialQuery::default()
    };
    figures.push(Figure::times(
        "whom a roster for everyone offers to add (first 200)",
        &time(50, || {
            store
                .read(|c| queries::officials(c, &event.id, &candidates))
                .expect("candidates")
        }),
        Some(5.0),
    ));
    figures.push(Figure::times(
        "list the agenda with head-counts",
        &time(20, || {
            store
                .read(|c| queries::sessions(c, &event.id))
                .expect("sessions")
        }),
        None,
    ));
    let flights = ListQuery {
        limit: 100,
        ..ListQuery::default()
    };
    figures.push(Figure::times(
        "list flights (first page of 100)",
        &time(100, || {
            store
                .read(|c| queries::travel(c, &event.id, &flights))
                .expect("flights")
        }),
        Some(5.0),
    ));
    let mut typed_stays = Vec::new();
    for _ in 0..20 {
        for prefix in ["s", "se", "seo", "seoul", "seoul h"] {
            let q = ListQuery {
                search: prefix.into(),
                limit: 100,
                ..ListQuery::default()
            };
            typed_stays.extend(time(1, || {
                store
                    .read(|c| queries::stays(c, &event.id, &q))
                    .expect("stays")
            }));
        }
    }
    figures.push(Figure::times(
        "search stays (per keystroke)",
        &typed_stays,
        Some(5.0),
    ));
    // Search as the officer types it, one keystroke at a time, 30 times over.
    let typing = |search: &dyn Fn(&OfficialQuery) -> Page<OfficialRow>| {
        let typed = ["k", "ki", "kim", "kim ", "kim m", "kim mi", "kim min"];
        let mut keystrokes = Vec::new();
        for _ in 0..30 {
            for prefix in typed {
                let q = OfficialQuery {
                    search: prefix.into(),
                    limit: 100,
                    ..OfficialQuery::default()
                };
                keystrokes.extend(time(1, || search(&q)));
            }
        }
        keystrokes
    };
    let keystrokes = typing(&|q| {
        store
            .read(|c| queries::officials(c, &event.id, q))
            .expect("search")
    });
    figures.push(Figure::times(
        "search officials (per keystroke)",
        &keystrokes,
        Some(5.0),
    ));
    // The same keystrokes as the window asks them: matched in the store's name index, which
    // is read once here (nothing is written in between) as the window reads it ahead.
    queries::warm_official_search(&store, &event.id).expect("name index");
    let indexed = typing(&|q| queries::officials_listed(&store, &event.id, q).expect("search"));
    figures.push(Figure::times(
        "search officials as the window asks (name index)",
        &indexed,
        Some(5.0),
    ));
    let ids: Vec<String> = store
        .read(|c| {
            queries::officials(
                c,
                &event.id,
                &OfficialQuery {
                    limit: 200,
                    ..OfficialQuery::default()
                },
            )
        })
        .expect("ids")
        .rows
        .into_iter()
        .map(|r| r.official.id)
        .collect();
    let mut i = 0;
    figures.push(Figure::times(
        "get official",
        &time(200, || {
            i += 1;
            store.get::<Official>(&ids[i % ids.len()]).expect("get")
        }),
        Some(5.0),
    ));
    let mut i = 0;
    figures.push(Figure::times(
        "update official (validated, logged)",
        &time(200, || {
            i += 1;
            let mut o = store.get::<Official>(&ids[i % ids.len()]).expect("get");
            o.notes = format!("edit {i}");
            store.save(o).expect("save")
        }),
        Some(5.0),
    ));

    // The dashboard reloads the whole event after every save; the officer's next keystroke
    // must not wait for it. Pages listed while another thread loads the event without pause.
    let busy = std::sync::atomic::AtomicBool::new(true);
    let (during, loads) = std::thread::scope(|s| {
        let loader = s.spawn(|| {
            let mut loads = 0;
            while busy.load(std::sync::atomic::Ordering::Relaxed) {
                store
                    .read_apart(|c| EventData::load(c, &event.id))
                    .expect("load");
                loads += 1;
            }
            loads
        });
        // Let the first load begin before timing.
        std::thread::sleep(std::time::Duration::from_millis(20));
        let during = time(200, || {
            store
                .read(|c| queries::officials(c, &event.id, &page))
                .expect("list")
        });
        busy.store(false, std::sync::atomic::Ordering::Relaxed);
        (during, loader.join().expect("loader"))
    });
    assert!(loads > 0, "the event was loaded during the listing");
    figures.push(Figure::times(
        "list officials while the dashboard loads",
        &during,
        Some(5.0),
    ));

    figures
}

fn page_of(limit: i64) -> ListQuery {
    ListQuery {
        limit,
        ..ListQuery::default()
    }
}
