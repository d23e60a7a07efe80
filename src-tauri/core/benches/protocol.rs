//! Protocol benchmarks (issue 21): a seating proposal for 1,000 guests at round tables of ten
//! (100 tables), with interpreters and delegations of different sizes. Run with
//! `cargo xtask bench protocol`.

mod common;

use common::Figure;
use ddesk_core::model::Seating;
use ddesk_core::protocol::seating::{self, Guest};

fn main() {
    let json_path = common::json_path();
    let runs = common::runs(15);
    // 1,000 guests of 60 delegations (large ones and small ones), one in twenty-five an
    // interpreter, listed as a precedence lists them: a rank's people together by delegation.
    let guests: Vec<Guest> = (0..1_000u32)
        .map(|i| Guest {
            id: format!("o{i}"),
            delegation: Some(format!("d{}", (i * i + 7 * i) % 60)),
            interpreter: i % 25 == 24,
        })
        .collect();
    let mut tables = 0;
    let timings = common::time(runs, || {
        let out = seating::propose(&guests, Some(0), Seating::Rounds, 10);
        assert_eq!(out.len(), guests.len());
        tables = out.iter().map(|s| s.table).max().unwrap_or(0);
    });
    println!("1,000 guests: {tables} tables");
    let figures = vec![Figure::times(
        "seating proposal, 1,000 guests at 100 tables",
        &timings,
        Some(100.0),
    )];
    common::print_table("Protocol", &figures);
    if let Some(path) = json_path {
        common::write_json(&path, serde_json::json!({}), &figures);
    }
}
