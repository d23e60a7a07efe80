//! The child of the crash-safety test: opens a library and writes at random, forever, until
//! the test kills it with SIGKILL. After each commit it prints one line and flushes, so the
//! test knows what must have survived:
//!
//! - `committed edit <official id> <seq>` — one official's `position` set to `edit <seq>`;
//! - `committed import <batch id> <count>` — that many officials, with notes `batch <batch id>`,
//!   in one transaction, together with the setting `batch:<batch id>` = count;
//! - `committed roster <batch id> <count>` — that many officials added to a session's roster.
//!
//! Usage: `crash-writer LIBRARY SEED SEQ_START`. Edit numbers start at SEQ_START so that they
//! grow from one child to the next.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use ddesk_core::model::{Event, Official, Role, Session, SessionKind};
use ddesk_core::{roster, store, Error, Store};
use delegation_desk_tests::{event, instant};

const EVENT_ID: &str = "c7a5c000-0000-4000-8000-000000000001";
const SESSION_IDS: [&str; 3] = [
    "c7a5c000-0000-4000-8000-000000000011",
    "c7a5c000-0000-4000-8000-000000000012",
    "c7a5c000-0000-4000-8000-000000000013",
];

/// SplitMix64: small, seedable, and enough for picking what to write.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `low..=high`.
    fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

/// The event and its sessions, made once per library (a killed first run made nothing).
fn set_up(store: &Store) -> Result<(), Error> {
    if store.get::<Event>(EVENT_ID).is_ok() {
        return Ok(());
    }
    store.write(|tx| {
        let mut e = event("Crash Forum");
        e.id = EVENT_ID.into();
        store::insert(tx, e, None)?;
        for (i, id) in SESSION_IDS.iter().enumerate() {
            let hour = 1 + 2 * i as u32;
            store::insert(
                tx,
                Session {
                    id: (*id).into(),
                    event_id: EVENT_ID.into(),
                    kind: SessionKind::Plenary,
                    title_en: format!("Session {}", i + 1),
                    starts_at: instant(&format!("2024-05-07T{hour:02}:00:00Z")),
                    ends_at: instant(&format!("2024-05-07T{:02}:00:00Z", hour + 1)),
                    ..Session::default()
                },
                None,
            )?;
        }
        Ok(())
    })
}

fn officials(store: &Store) -> Result<i64, Error> {
    store.read(|c| {
        Ok(c.query_row(
            "SELECT count(*) FROM official WHERE event_id = ?",
            [EVENT_ID],
            |r| r.get(0),
        )?)
    })
}

fn official_at(store: &Store, offset: u64) -> Result<String, Error> {
    store.read(|c| {
        Ok(c.query_row(
            "SELECT id FROM official WHERE event_id = ? ORDER BY id LIMIT 1 OFFSET ?",
            rusqlite::params![EVENT_ID, offset as i64],
            |r| r.get(0),
        )?)
    })
}

fn import(store: &Store, rng: &mut Rng, out: &mut impl Write) -> Result<(), Error> {
    let count = rng.range(100, 400) as usize;
    let batch = store.write_batch(|tx, batch| {
        for i in 0..count {
            let official = Official {
                event_id: EVENT_ID.into(),
                family_name: format!("IMPORTED{i}"),
                given_name: "Crash".into(),
                nationality: "VN".into(),
                notes: format!("batch {batch}"),
                ..Official::default()
            };
            store::save(tx, official, Some(batch))?;
        }
        // Written in the same transaction: the test compares it with what arrived, for
        // batches this process never got to report as well.
        tx.execute(
            "INSERT INTO setting (key, value, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            rusqlite::params![
                format!("batch:{batch}"),
                count.to_string(),
                chrono::Utc::now()
            ],
        )?;
        Ok(())
    })?;
    writeln!(out, "committed import {} {count}", batch.batch_id)?;
    out.flush()?;
    Ok(())
}

fn edit(store: &Store, rng: &mut Rng, seq: u64, out: &mut impl Write) -> Result<(), Error> {
    let n = officials(store)?;
    let id = official_at(store, rng.next() % n as u64)?;
    let mut official: Official = store.get(&id)?;
    official.position = format!("edit {seq}");
    store.save(official)?;
    writeln!(out, "committed edit {id} {seq}")?;
    out.flush()?;
    Ok(())
}

fn roster_change(store: &Store, rng: &mut Rng, out: &mut impl Write) -> Result<(), Error> {
    let n = officials(store)? as u64;
    let session = SESSION_IDS[(rng.next() % SESSION_IDS.len() as u64) as usize];
    let wanted = rng.range(50, 200);
    let mut ids = Vec::new();
    for _ in 0..wanted {
        ids.push(official_at(store, rng.next() % n)?);
    }
    ids.sort();
    ids.dedup();
    let batch = store.write_batch(|tx, batch| {
        roster::add_in_batch(tx, session, &ids, Role::Participant, Some(batch))
    })?;
    writeln!(out, "committed roster {} {}", batch.batch_id, batch.value)?;
    out.flush()?;
    Ok(())
}

fn run() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    let [_, path, seed, seq_start] = args.as_slice() else {
        return Err(Error::Internal(
            "usage: crash-writer LIBRARY SEED SEQ_START".into(),
        ));
    };
    let number = |text: &str| {
        text.parse::<u64>()
            .map_err(|_| Error::Internal("SEED and SEQ_START are numbers".into()))
    };
    let mut rng = Rng(number(seed)?);
    let mut seq = number(seq_start)?;
    let store = Store::open(&PathBuf::from(path), &delegation_desk_tests::unlock())?;
    set_up(&store)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    loop {
        let empty = officials(&store)? == 0;
        match rng.next() % 10 {
            _ if empty => import(&store, &mut rng, &mut out)?,
            0..=4 => {
                seq += 1;
                edit(&store, &mut rng, seq, &mut out)?;
            }
            5..=7 => import(&store, &mut rng, &mut out)?,
            _ => roster_change(&store, &mut rng, &mut out)?,
        }
    }
}

fn main() -> ExitCode {
    // Only a kill should end this program; any error is one the test must see.
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("crash-writer: {e} ({e:?})");
            ExitCode::from(2)
        }
    }
}
