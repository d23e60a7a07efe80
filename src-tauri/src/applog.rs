//! The app's log file, for the office's IT desk when something goes wrong: the start (which
//! build, which library schema), the library opened or refused, errors by their code and
//! panics by their place in the source. It never holds personal data: no names, passport
//! numbers or sentences that could quote a record (a message may name an official), only
//! codes, counts and the app's own paths. It sits in `logs/` beside the library and is
//! rotated at start once it passes 1 MB, three old files kept.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

const FILE: &str = "delegation-desk.log";
const ROTATE_AT: u64 = 1024 * 1024;
const KEEP: usize = 3;

static LOG: OnceLock<Mutex<Option<File>>> = OnceLock::new();

/// The folder of the log files: `logs/` in the app's data folder, beside the library.
pub fn dir() -> Option<PathBuf> {
    let library = ddesk_core::store::default_library_path().ok()?;
    Some(library.parent()?.join("logs"))
}

/// Opens the log (rotating it first when it has grown), writes the start line and logs
/// panics by where they happened. A log that cannot be opened is no reason to stop the app.
pub fn start(version: &str) {
    let file = dir().and_then(|dir| open(&dir).ok());
    let _ = LOG.set(Mutex::new(file));
    write(&format!("start {version}"));
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // The place only: a panic's message may quote data.
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_else(|| "unknown place".into());
        write(&format!("panic at {place}"));
        default(info);
    }));
}

fn open(dir: &Path) -> std::io::Result<File> {
    ddesk_core::files::create_private_dir(dir).map_err(std::io::Error::other)?;
    let path = dir.join(FILE);
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > ROTATE_AT) {
        for n in (1..KEEP).rev() {
            let _ = std::fs::rename(
                dir.join(format!("{FILE}.{n}")),
                dir.join(format!("{FILE}.{}", n + 1)),
            );
        }
        std::fs::rename(&path, dir.join(format!("{FILE}.1")))?;
    }
    OpenOptions::new().create(true).append(true).open(path)
}

/// One line, stamped in UTC. Callers pass codes and counts, never record data.
pub fn write(line: &str) {
    let Some(lock) = LOG.get() else {
        return;
    };
    let Ok(mut file) = lock.lock() else {
        return;
    };
    if let Some(file) = file.as_mut() {
        let at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ");
        let _ = writeln!(file, "{at} {line}");
    }
}
