//! Reading a registration file in a child process of our own, under a memory and time limit,
//! so that no file can take the window (or `ddesk`) down with it.
//!
//! The readers in `read.rs` cap what they keep before they spend memory on it, but the XLS and
//! ODS parsers build a whole sheet (and follow a compound file's sector chains) before any cap
//! of ours can look at it, and an allocation that fails aborts the process: `catch_unwind`
//! cannot catch an abort. A 1.5 KB `.xls` whose sector chain points at itself grows memory
//! without end; an XLS with cells at `A1` and `IV65536` asks for a dense grid of 16 million
//! cells. So the app and `ddesk` run the read in a copy of their own program started with
//! [`WORKER_ARG`]: it limits its own data segment and CPU time, reads the request from
//! standard input (one JSON line, then the file's bytes) and writes the table (or the refusal)
//! as JSON to standard output. If it dies — out of memory, killed after [`TIME_LIMIT`] — the
//! officer reads a sentence saying the file could not be read, and nothing else happened.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::read::{check_size, load_file, read_bytes, ReadOptions, Table};
use crate::error::{Error, Result};
use crate::words::Text;

/// The first argument that turns the app or `ddesk` into a reading child.
pub const WORKER_ARG: &str = "--ddesk-read-import";

/// Memory the child may allocate (its data segment, heap and anonymous mappings): a 50 MB
/// workbook of 50,000 rows reads in about a fifth of this.
pub const MEMORY_LIMIT: u64 = 768 * 1024 * 1024;

/// Wall time the child may take before it is killed; a real file of 50,000 rows takes a few
/// seconds on a slow laptop.
pub const TIME_LIMIT: Duration = Duration::from_secs(60);

#[derive(Debug, Serialize, Deserialize)]
struct Request {
    name: String,
    options: ReadOptions,
}

#[derive(Debug, Serialize, Deserialize)]
enum Answer {
    Table(Box<Table>),
    Refused { code: String, text: Text },
}

/// Runs the reading child and exits, when this process was started as one; returns at once
/// otherwise. Call it first thing in `main`.
pub fn serve_if_asked() {
    if std::env::args_os().nth(1).as_deref() == Some(OsStr::new(WORKER_ARG)) {
        std::process::exit(serve());
    }
}

fn serve() -> i32 {
    limit_self();
    let mut input = Vec::new();
    if std::io::stdin().lock().read_to_end(&mut input).is_err() {
        return 2;
    }
    let Some(split) = input.iter().position(|&b| b == b'\n') else {
        return 2;
    };
    let Ok(request) = serde_json::from_slice::<Request>(&input[..split]) else {
        return 2;
    };
    let answer = match read_bytes(&request.name, &input[split + 1..], &request.options) {
        Ok(table) => Answer::Table(Box::new(table)),
        Err(e) => Answer::Refused {
            code: e.code().to_string(),
            text: e
                .text()
                .cloned()
                .unwrap_or_else(|| Text::new("error-internal")),
        },
    };
    drop(input);
    let mut out = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut out, &answer).is_ok() && out.flush().is_ok();
    if written {
        0
    } else {
        2
    }
}

#[cfg(unix)]
fn limit_self() {
    // The data segment (since Linux 4.7 also every private anonymous mapping, which is where
    // large allocations go) rather than the address space: the app's program maps WebKit's
    // libraries, hundreds of megabytes that are not ours to count.
    let _ = rlimit::setrlimit(rlimit::Resource::DATA, MEMORY_LIMIT, MEMORY_LIMIT);
    let cpu = TIME_LIMIT.as_secs();
    let _ = rlimit::setrlimit(rlimit::Resource::CPU, cpu, cpu + 5);
}

#[cfg(not(unix))]
fn limit_self() {
    // No per-process limits without a job object; the parent's time limit and the readers'
    // own caps hold, and an abort still takes only this child.
}

/// The codes an import refusal may carry (`Error::Import`), as the child names them.
const CODES: &[&str] = &[
    "file_empty",
    "file_too_large",
    "file_encrypted",
    "file_unreadable",
    "sheet_not_found",
    "unknown_encoding",
    "no_rows",
    "no_header",
];

fn refused(name: &str) -> Error {
    Error::Import {
        code: "file_unreadable",
        text: Text::new("importerr-exhausting").with("file", name),
    }
}

/// Reads a file as [`read_bytes`] does, in a child process started from `program` (the app's
/// or `ddesk`'s own executable, which calls [`serve_if_asked`] first thing).
pub fn read_isolated(
    program: &Path,
    name: &str,
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<Table> {
    check_size(name, bytes.len() as u64)?;
    let mut child = Command::new(program)
        .arg(WORKER_ARG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        // An abort's "memory allocation failed" line is for no one: the officer gets a sentence.
        .stderr(Stdio::null())
        .spawn()?;
    let (Some(mut stdin), Some(mut stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(refused(name));
    };
    let mut header = serde_json::to_vec(&Request {
        name: name.to_string(),
        options: options.clone(),
    })?;
    header.push(b'\n');
    let (status, output) = std::thread::scope(|scope| {
        // Written and read on threads of their own, so that neither pipe fills up while the
        // other waits; a child that dies early makes the write fail, which is ignored.
        scope.spawn(move || {
            let _ = stdin
                .write_all(&header)
                .and_then(|()| stdin.write_all(bytes));
        });
        let reader = scope.spawn(move || {
            let mut out = Vec::new();
            let _ = stdout.read_to_end(&mut out);
            out
        });
        let deadline = Instant::now() + TIME_LIMIT;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
            }
        };
        (status, reader.join().unwrap_or_default())
    });
    if !status.is_some_and(|s| s.success()) {
        return Err(refused(name));
    }
    match serde_json::from_slice::<Answer>(&output) {
        Ok(Answer::Table(table)) => Ok(*table),
        Ok(Answer::Refused { code, text }) => Err(Error::Import {
            code: CODES
                .iter()
                .find(|c| **c == code)
                .copied()
                .unwrap_or("file_unreadable"),
            text,
        }),
        Err(_) => Err(refused(name)),
    }
}

/// Reads a file from disk as [`super::read_file`] does, in a reading child (see
/// [`read_isolated`]).
pub fn read_file_isolated(program: &Path, path: &Path, options: &ReadOptions) -> Result<Table> {
    let (name, bytes) = load_file(path)?;
    read_isolated(program, &name, &bytes, options)
}
