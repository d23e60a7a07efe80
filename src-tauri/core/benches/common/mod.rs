//! What the bench programs share: a figure of repeated samples, the table they print and the
//! JSON `cargo xtask bench` reads back (`name`, `unit`, `samples_ms`, `target_ms`).

// Each bench program compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// One measured thing: its samples (milliseconds, or megabytes for memory) and its target.
pub struct Figure {
    pub name: String,
    pub unit: &'static str,
    pub samples: Vec<f64>,
    pub target: Option<f64>,
}

impl Figure {
    /// Timings, in milliseconds.
    pub fn times(name: impl Into<String>, runs: &[Duration], target_ms: Option<f64>) -> Figure {
        Figure {
            name: name.into(),
            unit: "ms",
            samples: runs.iter().map(|d| ms(*d)).collect(),
            target: target_ms,
        }
    }

    /// A memory figure, in megabytes.
    pub fn memory(name: impl Into<String>, mb: f64, target_mb: Option<f64>) -> Figure {
        Figure {
            name: name.into(),
            unit: "MB",
            samples: vec![mb],
            target: target_mb,
        }
    }

    /// The `q` quantile of the samples (0.5 the median, 0.0 the least, 1.0 the most).
    pub fn quantile(&self, q: f64) -> f64 {
        if self.samples.is_empty() {
            return f64::NAN;
        }
        let mut v = self.samples.clone();
        v.sort_by(f64::total_cmp);
        v[((v.len() as f64 - 1.0) * q).round() as usize]
    }
}

/// How every bench opens its libraries: encrypted, as every library is, under one passphrase.
pub fn unlock() -> ddesk_core::store::Unlock {
    ddesk_core::store::Unlock::passphrase("benchmark passphrase")
}

/// A new encrypted library in `dir`.
pub fn library(dir: &std::path::Path) -> ddesk_core::Store {
    ddesk_core::Store::open(&dir.join("bench.sqlite3"), &unlock()).expect("library")
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `runs` timings of `f`; its result is kept from being optimised away.
pub fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Vec<Duration> {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect()
}

/// The process's peak resident memory in MB (`VmHWM`, Linux); `None` elsewhere.
pub fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The path after `--json`, where the figures are also written.
pub fn json_path() -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--json")
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// Runs from `DDESK_BENCH_RUNS`, or `default`.
pub fn runs(default: usize) -> usize {
    std::env::var("DDESK_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The figures as one table: median, p95, least and most of the samples, and the target.
pub fn print_table(title: &str, figures: &[Figure]) {
    println!(
        "\n{:<52} {:>5} {:>10} {:>10} {:>10} {:>10} {:>8}",
        title, "runs", "median", "p95", "min", "max", "target"
    );
    for f in figures {
        let target = f.target.map(|t| format!("≤ {t}")).unwrap_or_default();
        println!(
            "{:<52} {:>5} {:>10.2} {:>10.2} {:>10.2} {:>10.2} {:>8}",
            format!("{} ({})", f.name, f.unit),
            f.samples.len(),
            f.quantile(0.5),
            f.quantile(0.95),
            f.quantile(0.0),
            f.quantile(1.0),
            target
        );
    }
}

/// Writes the figures, with `extra` fields beside them, as the JSON xtask reads.
pub fn write_json(path: &str, extra: serde_json::Value, figures: &[Figure]) {
    let rows: Vec<serde_json::Value> = figures
        .iter()
        .map(|f| {
            serde_json::json!({
                "name": f.name, "unit": f.unit, "runs": f.samples.len(),
                "median_ms": f.quantile(0.5), "p95_ms": f.quantile(0.95),
                "min_ms": f.quantile(0.0), "max_ms": f.quantile(1.0),
                "target_ms": f.target, "samples_ms": f.samples,
            })
        })
        .collect();
    let mut json = match extra {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    json.insert("figures".into(), serde_json::Value::Array(rows));
    let text = serde_json::to_string_pretty(&json).expect("json");
    std::fs::write(path, text).expect("write json");
    println!("\nwrote {path}");
}
