//! Crash safety: a child process writes at random and is killed with SIGKILL at a random
//! moment, over and over; after each kill the library must pass the integrity checks, hold
//! every write the child reported as committed, and hold no part of an import that did not
//! commit.
//!
//! `DDESK_CRASH_ITERATIONS` (default 200) sets the number of kills, `DDESK_CRASH_SECONDS`
//! (default 90) the time after which no new iteration starts, `DDESK_CRASH_SEED` the seed.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ddesk_core::Store;

/// A library takes this many kills before the next iteration starts a new one, so that the
/// file stays small enough to check in a few milliseconds after every kill.
const KILLS_PER_LIBRARY: usize = 20;

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {text:?}")),
        Err(_) => default,
    }
}

/// What the children reported, per library.
#[derive(Debug, Default)]
struct Reported {
    /// Official id → the highest edit number reported for it.
    edits: HashMap<String, u64>,
    /// Import batch id → officials in it.
    imports: HashMap<String, i64>,
    /// Roster batch id → officials added.
    rosters: HashMap<String, i64>,
}

impl Reported {
    fn take(&mut self, output: &str) -> usize {
        let mut lines = 0;
        // A line cut off by the kill has no newline and is not counted as reported.
        let complete = match output.rfind('\n') {
            Some(end) => &output[..end],
            None => "",
        };
        for line in complete.lines() {
            let parts: Vec<&str> = line.split(' ').collect();
            match parts.as_slice() {
                ["committed", "edit", id, seq] => {
                    let seq: u64 = seq.parse().expect("edit number");
                    let best = self.edits.entry((*id).to_string()).or_default();
                    *best = (*best).max(seq);
                }
                ["committed", "import", batch, n] => {
                    self.imports
                        .insert((*batch).to_string(), n.parse().expect("count"));
                }
                ["committed", "roster", batch, n] => {
                    self.rosters
                        .insert((*batch).to_string(), n.parse().expect("count"));
                }
                _ => panic!("unexpected line from crash-writer: {line:?}"),
            }
            lines += 1;
        }
        lines
    }
}

fn check(path: &Path, reported: &Reported, iteration: usize) {
    let store = Store::open(path, &delegation_desk_tests::unlock())
        .unwrap_or_else(|e| panic!("iteration {iteration}: the library does not reopen: {e}"));
    let health = store.health().expect("health");
    assert_eq!(health.integrity, ["ok"], "iteration {iteration}");
    assert_eq!(health.foreign_key_problems, 0, "iteration {iteration}");
    store
        .read(|c| {
            // Every reported edit is there, or a later edit of the same official.
            let mut position = c.prepare("SELECT position FROM official WHERE id = ?")?;
            for (id, seq) in &reported.edits {
                let text: String = position.query_row([id], |r| r.get(0))?;
                let found: u64 = text
                    .strip_prefix("edit ")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| panic!("official {id} lost its edit: {text:?}"));
                assert!(found >= *seq, "iteration {iteration}: official {id} has edit {found}, {seq} was committed");
            }
            // Imports: all of a batch or none of it, whether or not the child reported it.
            let mut arrived: HashMap<String, i64> = HashMap::new();
            let mut groups = c.prepare(
                "SELECT substr(notes, 7), count(*) FROM official WHERE notes LIKE 'batch %' GROUP BY notes",
            )?;
            for row in groups.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
                let (batch, n) = row?;
                arrived.insert(batch, n);
            }
            let mut promised = c.prepare(
                "SELECT substr(key, 7), CAST(value AS INTEGER) FROM setting WHERE key LIKE 'batch:%'",
            )?;
            let promised: HashMap<String, i64> = promised
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            assert_eq!(arrived, promised, "iteration {iteration}: an import is partly there");
            for (batch, n) in &reported.imports {
                assert_eq!(arrived.get(batch), Some(n), "iteration {iteration}: import {batch}");
            }
            // Every batch in the change log: each record it created is there.
            let mut batches = c.prepare(
                "SELECT l.batch_id, count(*),
                        sum((SELECT count(*) FROM official o WHERE o.id = l.entity_id)
                          + (SELECT count(*) FROM participant p WHERE p.id = l.entity_id))
                   FROM change_log l WHERE l.batch_id IS NOT NULL GROUP BY l.batch_id",
            )?;
            let logged: HashMap<String, (i64, i64)> = batches
                .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
                .collect::<Result<_, _>>()?;
            for (batch, (entries, present)) in &logged {
                assert_eq!(entries, present, "iteration {iteration}: batch {batch} is partly there");
            }
            for (batch, n) in reported.imports.iter().chain(&reported.rosters) {
                let entries = logged.get(batch).map_or(0, |(entries, _)| *entries);
                assert_eq!(entries, *n, "iteration {iteration}: batch {batch}");
            }
            Ok(())
        })
        .expect("checks ran");
}

/// How long a child takes from its start to its first commit on a library it has written
/// before (the slowest of three), in milliseconds.
fn first_commit_ms(library: &Path) -> u64 {
    let mut slowest = 0;
    for run in 0..4u64 {
        let started = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash-writer"))
            .arg(library)
            .arg(run.to_string())
            .arg(((run + 1) * 1_000_000_000).to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start crash-writer");
        let mut first = [0u8; 1];
        let mut stdout = child.stdout.take().expect("stdout");
        stdout.read_exact(&mut first).expect("a first commit");
        let took = started.elapsed().as_millis() as u64;
        child.kill().expect("kill");
        child.wait().expect("reap");
        // The first run makes the library; the others open it as the test's children do.
        if run > 0 {
            slowest = slowest.max(took);
        }
    }
    slowest
}

/// SplitMix64, as in the child.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[test]
fn a_killed_writer_loses_nothing_committed_and_leaves_no_half_import() {
    let iterations = env_number("DDESK_CRASH_ITERATIONS", 200) as usize;
    let budget = Duration::from_secs(env_number("DDESK_CRASH_SECONDS", 90));
    let seed = env_number("DDESK_CRASH_SEED", 0x00DE_1E6A_7E5D_E5C0);
    let mut rng = seed;
    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    let mut reported = Reported::default();
    let mut path = dir.path().join("library-0.sqlite3");
    let (mut ran, mut lines, mut died_in_first_commit) = (0, 0, 0);
    // Kills land up to 150 ms past the time a child takes to open a library and commit once
    // on this machine (a debug build on a slow or busy machine takes 100 ms and more), so
    // that most children commit something before they die and some die in their first.
    let startup = first_commit_ms(&dir.path().join("calibration.sqlite3"));
    println!("crash harness: a child's first commit after {startup} ms");
    for iteration in 0..iterations {
        if started.elapsed() >= budget {
            break;
        }
        if iteration % KILLS_PER_LIBRARY == 0 {
            path = dir
                .path()
                .join(format!("library-{}.sqlite3", iteration / KILLS_PER_LIBRARY));
            reported = Reported::default();
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash-writer"))
            .arg(&path)
            .arg(next(&mut rng).to_string())
            .arg(((iteration as u64 + 1) * 1_000_000).to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start crash-writer");
        std::thread::sleep(Duration::from_millis(5 + next(&mut rng) % (146 + startup)));
        if let Some(status) = child.try_wait().expect("poll child") {
            let mut err = String::new();
            if let Some(mut stderr) = child.stderr.take() {
                stderr.read_to_string(&mut err).expect("stderr");
            }
            panic!("iteration {iteration}: crash-writer stopped by itself ({status}): {err}");
        }
        // SIGKILL on Unix: no destructor, no rollback, no flush runs in the child.
        child.kill().expect("kill");
        child.wait().expect("reap");
        let mut output = String::new();
        child
            .stdout
            .take()
            .expect("stdout")
            .read_to_string(&mut output)
            .expect("read stdout");
        let got = reported.take(&output);
        if got == 0 {
            died_in_first_commit += 1;
        }
        lines += got;
        check(&path, &reported, iteration);
        ran += 1;
    }
    let elapsed = started.elapsed();
    println!(
        "crash harness: {ran} kills in {:.1} s, {lines} commits reported, {died_in_first_commit} kills before the first report, seed {seed:#x}",
        elapsed.as_secs_f64()
    );
    if ran < iterations {
        assert!(
            elapsed >= budget,
            "stopped early without hitting the time bound"
        );
        assert!(
            ran >= 50.min(iterations),
            "only {ran} kills in the time bound"
        );
    }
    assert!(
        lines > ran,
        "the children committed too little for the test to mean anything"
    );
}

/// Regression (issue 7): a writer killed while it was still creating a new library left one
/// empty page and a hot rollback journal, which the read-only check on the next start took
/// for another program's file. New libraries are now built aside and renamed into place.
#[test]
fn a_library_killed_while_being_created_opens_afterwards() {
    let dir = tempfile::tempdir().expect("temp dir");
    for i in 0..30u64 {
        let path = dir.path().join(format!("new-{i}.sqlite3"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash-writer"))
            .arg(&path)
            .arg(i.to_string())
            .arg(((i + 1) * 1_000_000).to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start crash-writer");
        // The first milliseconds: opening, switching to WAL, the first migrations.
        std::thread::sleep(Duration::from_micros(500 * i));
        child.kill().expect("kill");
        child.wait().expect("reap");
        let store = Store::open(&path, &delegation_desk_tests::unlock())
            .unwrap_or_else(|e| panic!("kill {i}: the new library does not open: {e}"));
        assert!(store.health().expect("health").is_ok(), "kill {i}");
    }
}
