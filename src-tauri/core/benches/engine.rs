//! Engine benchmarks at scale: a generated event of 20,000 officials, 300 sessions and 20
//! hotels; prints one table (median, min, max, p95 over repeated runs) and, with
//! `--json PATH`, writes the same figures as JSON. Run with `cargo xtask bench`.

use std::time::{Duration, Instant};

use ddesk_core::checks::{self, EventData};
use ddesk_core::generate::{self, Spec};
use ddesk_core::model::Official;
use ddesk_core::queries::{self, OfficialQuery};
use ddesk_core::{dashboard, Store};

struct Figure {
    name: String,
    runs: Vec<Duration>,
    target_ms: Option<f64>,
}

impl Figure {
    fn ms(d: Duration) -> f64 {
        d.as_secs_f64() * 1000.0
    }
    fn sorted(&self) -> Vec<Duration> {
        let mut v = self.runs.clone();
        v.sort();
        v
    }
    fn quantile(&self, q: f64) -> f64 {
        let v = self.sorted();
        let i = ((v.len() as f64 - 1.0) * q).round() as usize;
        Self::ms(v[i])
    }
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Vec<Duration> {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let json_path = args
        .iter()
        .position(|a| a == "--json")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let officials: usize = std::env::var("DDESK_BENCH_OFFICIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);

    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("bench.sqlite3")).expect("library");
    let mut figures = Vec::new();

    let started = Instant::now();
    let event = generate::generate(&store, Spec::new(officials, 1)).expect("generate");
    figures.push(Figure {
        name: format!("generate {officials} officials"),
        runs: vec![started.elapsed()],
        target_ms: None,
    });

    let load = time(5, || {
        store.read(|c| EventData::load(c, &event.id)).expect("load")
    });
    figures.push(Figure {
        name: "load event data".into(),
        runs: load,
        target_ms: None,
    });
    let data = store.read(|c| EventData::load(c, &event.id)).expect("load");
    figures.push(Figure {
        name: "all logistics checks".into(),
        runs: time(9, || checks::run_all(&data)),
        target_ms: Some(50.0),
    });
    figures.push(Figure {
        name: "dashboard (with checks)".into(),
        runs: time(5, || dashboard::build(&data)),
        target_ms: None,
    });

    let page = OfficialQuery {
        limit: 100,
        ..OfficialQuery::default()
    };
    figures.push(Figure {
        name: "list officials (first page of 100)".into(),
        runs: time(200, || {
            store
                .read(|c| queries::officials(c, &event.id, &page))
                .expect("list")
        }),
        target_ms: Some(5.0),
    });
    // Search as the officer types it, one keystroke at a time.
    let typed = ["k", "ki", "kim", "kim ", "kim m", "kim mi", "kim min"];
    let mut keystrokes = Vec::new();
    for _ in 0..30 {
        for prefix in typed {
            let q = OfficialQuery {
                search: prefix.into(),
                limit: 100,
                ..OfficialQuery::default()
            };
            keystrokes.extend(time(1, || {
                store
                    .read(|c| queries::officials(c, &event.id, &q))
                    .expect("search")
            }));
        }
    }
    figures.push(Figure {
        name: "search officials (per keystroke)".into(),
        runs: keystrokes,
        target_ms: Some(5.0),
    });
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
    figures.push(Figure {
        name: "get official".into(),
        runs: time(200, || {
            i += 1;
            store.get::<Official>(&ids[i % ids.len()]).expect("get")
        }),
        target_ms: Some(5.0),
    });
    let mut i = 0;
    figures.push(Figure {
        name: "update official (validated, logged)".into(),
        runs: time(200, || {
            i += 1;
            let mut o = store.get::<Official>(&ids[i % ids.len()]).expect("get");
            o.notes = format!("edit {i}");
            store.save(o).expect("save")
        }),
        target_ms: Some(5.0),
    });

    println!(
        "\n{:<40} {:>6} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "engine benchmark (release)", "runs", "median ms", "p95 ms", "min ms", "max ms", "target"
    );
    for f in &figures {
        let target = f.target_ms.map(|t| format!("≤ {t}")).unwrap_or_default();
        println!(
            "{:<40} {:>6} {:>10.2} {:>10.2} {:>10.2} {:>10.2} {:>8}",
            f.name,
            f.runs.len(),
            f.quantile(0.5),
            f.quantile(0.95),
            f.quantile(0.0),
            f.quantile(1.0),
            target
        );
    }
    if let Some(path) = json_path {
        let rows: Vec<serde_json::Value> = figures
            .iter()
            .map(|f| {
                serde_json::json!({
                    "name": f.name, "runs": f.runs.len(), "median_ms": f.quantile(0.5),
                    "p95_ms": f.quantile(0.95), "min_ms": f.quantile(0.0), "max_ms": f.quantile(1.0),
                    "target_ms": f.target_ms,
                })
            })
            .collect();
        let text = serde_json::to_string_pretty(
            &serde_json::json!({"officials": officials, "figures": rows}),
        )
        .expect("json");
        std::fs::write(&path, text).expect("write json");
        println!("\nwrote {path}");
    }
}
