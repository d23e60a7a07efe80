//! Logistics checks: what will go wrong at the event, found before it does. Each check is a
//! pure function over the event's data ([`EventData`]) that appends [`Problem`]s; only
//! `data` (loading the event) and `people::lookalikes` read the library, and nothing reads
//! the clock.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::audience::Rosters;
use crate::error::Result;
use crate::model::*;
use crate::text::fold;
use crate::words::{Arg, Text};

mod agenda;
mod data;
mod delegations;
mod people;
mod rooms;
mod seating;
#[cfg(test)]
pub(crate) mod tests;
mod transport;

use agenda::*;
use data::*;
use delegations::*;
use people::*;
use rooms::*;
use seating::*;
use transport::*;

pub use data::EventData;
pub use people::{lookalikes, Lookalike};
pub(crate) use people::{same_person, same_person_keys};
pub(crate) use rooms::room_groups;

/// How bad a problem is; lists sort by it, worst first. Import messages use the same scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A record a problem is about, so the UI can open it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub entity: &'static str,
    pub id: String,
}

/// One thing to fix: its code and the catalogue message saying it (`check-…`, with its
/// arguments), and that message in each office language for the command line and JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub code: &'static str,
    pub text: Text,
    pub message: String,
    pub message_ko: String,
    pub records: Vec<Link>,
}

/// `text`, or `fallback` when it is empty: Korean names are optional, and a sentence with
/// the English name beats one with a hole in it.
fn or_other<'t>(text: &'t str, fallback: &'t str) -> &'t str {
    if text.is_empty() {
        fallback
    } else {
        text
    }
}

fn name(o: &Official) -> String {
    o.full_name()
}

fn title(s: &Session) -> &str {
    if s.title_en.is_empty() {
        &s.title_ko
    } else {
        &s.title_en
    }
}

fn title_ko(s: &Session) -> &str {
    if s.title_ko.is_empty() {
        &s.title_en
    } else {
        &s.title_ko
    }
}

/// A session's title in each language.
fn titled(s: &Session) -> Arg {
    Arg::both(title(s), title_ko(s))
}

fn link(entity: &'static str, id: &str) -> Link {
    Link {
        entity,
        id: id.to_string(),
    }
}

/// A problem of `code` said by catalogue message `check-{code}` (or `check-{code}-{variant}`
/// through `Text`), with the records it opens.
fn problem(severity: Severity, code: &'static str, text: Text, records: Vec<Link>) -> Problem {
    Problem {
        severity,
        code,
        message: text.en(),
        message_ko: text.ko(),
        text,
        records,
    }
}

/// The catalogue message of a check, `check-{code}`.
fn says(code: &str) -> Text {
    Text::new(format!("check-{code}"))
}

/// Officials whose status means they are still coming.
fn active(o: &Official) -> bool {
    o.status != OfficialStatus::Cancelled
}

/// Runs every check; problems come worst first, then by code and sentence.
pub fn run_all(data: &EventData) -> Vec<Problem> {
    let mut out = std::thread::scope(|scope| {
        // Comparing every official with every other is the largest single check and needs no
        // index: it runs on the other core while the rest build their index and run.
        let duplicates = scope.spawn(|| {
            let mut out = Vec::new();
            likely_duplicates(data, &mut out);
            out
        });
        let ix = Index::new(data);
        let mut out = Vec::new();
        official_double_booked(&ix, &mut out);
        session_over_capacity(&ix, &mut out);
        room_double_booked(&ix, &mut out);
        session_outside_event(&ix, &mut out);
        travel_against_agenda(&ix, &mut out);
        stays_against_travel(&ix, &mut out);
        room_blocks(&ix, &mut out);
        passports(&ix, &mut out);
        delegations(&ix, &mut out);
        transport(&ix, &mut out);
        seating(&ix, &mut out);
        match duplicates.join() {
            Ok(found) => out.extend(found),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        out
    });
    out.sort_by(|a, b| (a.severity, a.code, &a.message).cmp(&(b.severity, b.code, &b.message)));
    out
}
