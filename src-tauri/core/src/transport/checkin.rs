//! Check-in by scanning badges: what is being checked (a session or meal, a transfer run, the
//! event's own door), then one code at a time — the badge's QR code (the official's id, which
//! a USB or Bluetooth scanner types followed by Enter) or a name typed at the desk. A scan is
//! recorded once however often the badge is shown, and a cancelled official is never let in.
//! A session's check-in is its attendance (`participant.attended_at`), so rosters,
//! certificates and the dashboard read what the door recorded.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::{add_passenger, on_run};
use crate::audience;
use crate::error::{Error, Result};
use crate::model::*;
use crate::queries;
use crate::roster;
use crate::store;
use crate::text::fold;
use crate::words::Text;

/// What is being checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Target {
    /// A session of the agenda, meals included.
    Session(String),
    /// A transfer run: boarding.
    Run(String),
    /// The event itself: the registration desk.
    Event,
}

/// What a scan found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    CheckedIn,
    Already,
    NotOnRoster,
    Cancelled,
    Unknown,
    OtherEvent,
}

impl Outcome {
    /// The word the command line prints and scripts match on.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::CheckedIn => "checked-in",
            Outcome::Already => "already",
            Outcome::NotOnRoster => "not-on-roster",
            Outcome::Cancelled => "cancelled",
            Outcome::Unknown => "unknown",
            Outcome::OtherEvent => "other-event",
        }
    }

    /// Whether the person may go in.
    pub fn admitted(self) -> bool {
        matches!(self, Outcome::CheckedIn | Outcome::Already)
    }
}

/// How many are checked in of how many expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    pub checked: i64,
    pub expected: i64,
}

/// One scan's answer.
#[derive(Debug, Clone, Serialize)]
pub struct Scan {
    pub outcome: Outcome,
    pub official_id: Option<String>,
    /// "FAMILY Given", the badge name and the delegation, when the code named someone.
    pub name: String,
    pub badge_name: String,
    pub delegation: String,
    /// When they were checked in (now, or the first time for `Already`).
    pub at: Option<DateTime<Utc>>,
    pub counts: Counts,
}

/// Who a code names: an official's id (any event), or a name typed at the desk that names
/// exactly one official of the event.
fn find(conn: &Connection, event_id: &str, code: &str) -> Result<Option<Official>> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(None);
    }
    // Scanners type what the code holds; some keyboards' layouts upper-case it.
    if let Some(o) = Official::find(conn, &code.to_lowercase())? {
        return Ok(Some(o));
    }
    let terms: Vec<String> = fold(code).split_whitespace().map(str::to_string).collect();
    if terms.is_empty() || code.chars().count() < 3 {
        return Ok(None);
    }
    let mut sql = format!(
        "SELECT {} FROM official x WHERE x.event_id = ?",
        Official::select("x")
    );
    for _ in &terms {
        sql.push_str(" AND contains(x.search_text, ?)");
    }
    sql.push_str(" LIMIT 2");
    let mut params: Vec<String> = vec![event_id.to_string()];
    params.extend(terms);
    let found: Vec<Official> = conn
        .prepare_cached(&sql)?
        .query_map(
            rusqlite::params_from_iter(params.iter()),
            Official::from_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(if found.len() == 1 {
        found.into_iter().next()
    } else {
        None
    })
}

/// The target's session or run, checked to be of the event.
fn check_target(conn: &Connection, event_id: &str, target: &Target) -> Result<()> {
    let owner = match target {
        Target::Session(id) => Session::get(conn, id)?.event_id,
        Target::Run(id) => TransferRun::get(conn, id)?.event_id,
        Target::Event => Event::get(conn, event_id)?.id,
    };
    if owner != event_id {
        return Err(Error::field(
            "target",
            "invalid_value",
            Text::new("error-checkin-elsewhere"),
        ));
    }
    Ok(())
}

/// Whether the official is expected at the target, and when they were checked in there.
fn standing(
    conn: &Connection,
    target: &Target,
    o: &Official,
) -> Result<(bool, Option<DateTime<Utc>>)> {
    match target {
        Target::Session(id) => {
            let session = Session::get(conn, id)?;
            let entry = conn
                .prepare_cached(
                    "SELECT membership, attended_at FROM participant
                      WHERE session_id = ? AND official_id = ?",
                )?
                .query_row([id, &o.id], |r| {
                    Ok((
                        r.get::<_, Membership>(0)?,
                        r.get::<_, Option<DateTime<Utc>>>(1)?,
                    ))
                })
                .optional()?;
            let on = audience::on_roster(&session, o, entry.map(|e| e.0));
            Ok((on, entry.and_then(|e| e.1)))
        }
        Target::Run(id) => Ok(match on_run(conn, id, &o.id)? {
            Some(p) => (true, p.boarded_at),
            None => (false, None),
        }),
        Target::Event => {
            let at = conn
                .prepare_cached("SELECT checked_in_at FROM event_entry WHERE official_id = ?")?
                .query_row([&o.id], |r| r.get(0))
                .optional()?;
            Ok((true, at))
        }
    }
}

/// Checked in of expected at the target.
pub fn counts(conn: &Connection, event_id: &str, target: &Target) -> Result<Counts> {
    let one = |sql: &str, id: &str| -> Result<i64> {
        Ok(conn.prepare_cached(sql)?.query_row([id], |r| r.get(0))?)
    };
    Ok(match target {
        Target::Session(id) => {
            let session = Session::get(conn, id)?;
            Counts {
                expected: queries::head_count(conn, &session)?,
                checked: one(
                    "SELECT count(*) FROM participant p JOIN official o ON o.id = p.official_id
                      WHERE p.session_id = ? AND p.attended_at IS NOT NULL
                        AND p.membership <> 'removed' AND o.status <> 'cancelled'",
                    id,
                )?,
            }
        }
        Target::Run(id) => Counts {
            expected: one(
                "SELECT count(*) FROM run_passenger p JOIN official o ON o.id = p.official_id
                  WHERE p.run_id = ? AND o.status <> 'cancelled'",
                id,
            )?,
            checked: one(
                "SELECT count(*) FROM run_passenger p JOIN official o ON o.id = p.official_id
                  WHERE p.run_id = ? AND p.boarded_at IS NOT NULL AND o.status <> 'cancelled'",
                id,
            )?,
        },
        Target::Event => Counts {
            expected: one(
                "SELECT count(*) FROM official WHERE event_id = ? AND status <> 'cancelled'",
                event_id,
            )?,
            checked: one(
                "SELECT count(*) FROM event_entry e JOIN official o ON o.id = e.official_id
                  WHERE e.event_id = ? AND o.status <> 'cancelled'",
                event_id,
            )?,
        },
    })
}

/// Records that the official is in, now.
fn record(tx: &Transaction<'_>, event_id: &str, target: &Target, o: &Official) -> Result<()> {
    match target {
        Target::Session(id) => {
            roster::attend(tx, id, &o.id, true)?;
        }
        Target::Run(id) => {
            let mut p = on_run(tx, id, &o.id)?.ok_or(Error::NotFound {
                entity: "passenger",
            })?;
            p.boarded_at = Some(Utc::now());
            store::save(tx, p, None)?;
        }
        Target::Event => {
            store::save(
                tx,
                EventEntry {
                    event_id: event_id.to_string(),
                    official_id: o.id.clone(),
                    checked_in_at: Utc::now(),
                    ..EventEntry::default()
                },
                None,
            )?;
        }
    }
    Ok(())
}

/// Who the scan named, for its answer.
fn answer(
    conn: &Connection,
    outcome: Outcome,
    o: Option<&Official>,
    at: Option<DateTime<Utc>>,
    counts: Counts,
) -> Result<Scan> {
    let delegation = match o.and_then(|o| o.delegation_id.as_deref()) {
        Some(d) => Delegation::find(conn, d)?
            .map(|d| d.name_en)
            .unwrap_or_default(),
        None => o.map(|o| o.organization.clone()).unwrap_or_default(),
    };
    Ok(Scan {
        outcome,
        official_id: o.map(|o| o.id.clone()),
        name: o.map(Official::full_name).unwrap_or_default(),
        badge_name: o.map(|o| o.badge_name.clone()).unwrap_or_default(),
        delegation,
        at,
        counts,
    })
}

/// Reads one code at the target: records a first check-in, and answers.
pub fn scan(tx: &Transaction<'_>, event_id: &str, target: &Target, code: &str) -> Result<Scan> {
    check_target(tx, event_id, target)?;
    let Some(o) = find(tx, event_id, code)? else {
        return answer(
            tx,
            Outcome::Unknown,
            None,
            None,
            counts(tx, event_id, target)?,
        );
    };
    if o.event_id != event_id {
        // Another event's badge says nothing of this one's people.
        return answer(
            tx,
            Outcome::OtherEvent,
            None,
            None,
            counts(tx, event_id, target)?,
        );
    }
    if o.status == OfficialStatus::Cancelled {
        return answer(
            tx,
            Outcome::Cancelled,
            Some(&o),
            None,
            counts(tx, event_id, target)?,
        );
    }
    let (expected, at) = standing(tx, target, &o)?;
    let outcome = match (expected, at) {
        (_, Some(_)) if expected => Outcome::Already,
        (false, _) => Outcome::NotOnRoster,
        _ => {
            record(tx, event_id, target, &o)?;
            Outcome::CheckedIn
        }
    };
    let at = match outcome {
        Outcome::CheckedIn => standing(tx, target, &o)?.1,
        _ => at,
    };
    answer(tx, outcome, Some(&o), at, counts(tx, event_id, target)?)
}

/// The desk's "add": puts an official who was not on the roster (or run) on it and checks
/// them in. A cancelled official stays out.
pub fn admit(
    tx: &Transaction<'_>,
    event_id: &str,
    target: &Target,
    official_id: &str,
) -> Result<Scan> {
    check_target(tx, event_id, target)?;
    let o = Official::get(tx, official_id)?;
    if o.event_id != event_id {
        return Err(Error::field(
            "official_id",
            "invalid_value",
            Text::new("error-checkin-elsewhere"),
        ));
    }
    if o.status != OfficialStatus::Cancelled {
        match target {
            Target::Session(id) => {
                roster::add(tx, id, std::slice::from_ref(&o.id), Role::Participant)?;
            }
            Target::Run(id) => {
                add_passenger(tx, id, &o.id)?;
            }
            Target::Event => {}
        }
    }
    scan(tx, event_id, target, &o.id)
}

/// Takes back a wrong scan: the official is no longer checked in at the target.
pub fn undo(
    tx: &Transaction<'_>,
    event_id: &str,
    target: &Target,
    official_id: &str,
) -> Result<Counts> {
    check_target(tx, event_id, target)?;
    match target {
        Target::Session(id) => {
            if roster::entry(tx, id, official_id)?.is_some() {
                roster::attend(tx, id, official_id, false)?;
            }
        }
        Target::Run(id) => {
            if let Some(mut p) = on_run(tx, id, official_id)? {
                p.boarded_at = None;
                store::save(tx, p, None)?;
            }
        }
        Target::Event => {
            let id: Option<String> = tx
                .prepare_cached("SELECT id FROM event_entry WHERE official_id = ?")?
                .query_row([official_id], |r| r.get(0))
                .optional()?;
            if let Some(id) = id {
                store::delete::<EventEntry>(tx, &id, true)?;
            }
        }
    }
    counts(tx, event_id, target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use chrono::NaiveDate;

    /// An event with two officials (one cancelled), a session for a list of one, and another
    /// event with an official of its own.
    fn event(store: &Store) -> (String, Vec<String>, String, String) {
        store
            .write(|tx| {
                let make_event = |name: &str| -> Result<Event> {
                    store::save(
                        tx,
                        Event {
                            name_en: name.into(),
                            start_date: NaiveDate::from_ymd_opt(2024, 9, 24).expect("date"),
                            end_date: NaiveDate::from_ymd_opt(2024, 9, 27).expect("date"),
                            time_zone: "Asia/Seoul".into(),
                            host_country: "KR".into(),
                            ..Event::default()
                        },
                        None,
                    )
                };
                let e = make_event("Workshop")?;
                let other = make_event("Another")?;
                let person =
                    |event: &str, family: &str, status: OfficialStatus| -> Result<String> {
                        Ok(store::save(
                            tx,
                            Official {
                                event_id: event.into(),
                                family_name: family.into(),
                                given_name: "Anna".into(),
                                status,
                                ..Official::default()
                            },
                            None,
                        )?
                        .id)
                    };
                let ids = vec![
                    person(&e.id, "Rahman", OfficialStatus::Confirmed)?,
                    person(&e.id, "Lopez", OfficialStatus::Cancelled)?,
                    person(&e.id, "Kim", OfficialStatus::Confirmed)?,
                ];
                let stranger = person(&other.id, "Nguyen", OfficialStatus::Confirmed)?;
                let session = store::save(
                    tx,
                    Session {
                        event_id: e.id.clone(),
                        title_en: "Site visit".into(),
                        starts_at: "2024-09-25T01:00:00Z".parse().expect("instant"),
                        ends_at: "2024-09-25T03:00:00Z".parse().expect("instant"),
                        audience: Audience::List,
                        ..Session::default()
                    },
                    None,
                )?;
                roster::add(tx, &session.id, &ids[..2], Role::Participant)?;
                Ok((e.id, ids, session.id, stranger))
            })
            .expect("event")
    }

    #[test]
    fn a_scan_is_recorded_once_and_a_cancelled_official_never_goes_in() {
        let store = Store::open_in_memory().expect("store");
        let (event, ids, session, stranger) = event(&store);
        let target = Target::Session(session.clone());
        let scan = |code: &str| {
            store
                .write(|tx| scan(tx, &event, &target, code))
                .expect("scan")
        };
        let first = scan(&ids[0]);
        assert_eq!(first.outcome, Outcome::CheckedIn);
        assert_eq!(
            first.counts,
            Counts {
                checked: 1,
                expected: 1
            }
        );
        let again = scan(&format!("  {}\n", ids[0].to_uppercase()));
        assert_eq!(again.outcome, Outcome::Already);
        assert_eq!(again.at, first.at);
        assert_eq!(again.counts.checked, 1);
        assert_eq!(scan(&ids[1]).outcome, Outcome::Cancelled);
        assert_eq!(scan(&ids[2]).outcome, Outcome::NotOnRoster);
        assert_eq!(scan(&stranger).outcome, Outcome::OtherEvent);
        assert_eq!(scan("not a badge").outcome, Outcome::Unknown);
        // A name typed at the desk that names one official.
        assert_eq!(scan("kim anna").outcome, Outcome::NotOnRoster);
        // The attendance is the session's: certificates and rosters read it.
        let attended = store
            .read(|c| Ok(queries::roster(c, &session, &Default::default())?.rows))
            .expect("roster");
        assert!(attended
            .iter()
            .any(|r| r.participant.official_id == ids[0] && r.participant.attended_at.is_some()));
        // The desk adds Kim; a cancelled official stays out even so.
        let added = store
            .write(|tx| admit(tx, &event, &target, &ids[2]))
            .expect("admit");
        assert_eq!(added.outcome, Outcome::CheckedIn);
        assert_eq!(
            added.counts,
            Counts {
                checked: 2,
                expected: 2
            }
        );
        let refused = store
            .write(|tx| admit(tx, &event, &target, &ids[1]))
            .expect("admit");
        assert_eq!(refused.outcome, Outcome::Cancelled);
        // A wrong scan taken back.
        let counts = store
            .write(|tx| undo(tx, &event, &target, &ids[0]))
            .expect("undo");
        assert_eq!(
            counts,
            Counts {
                checked: 1,
                expected: 2
            }
        );
        assert_eq!(scan(&ids[0]).outcome, Outcome::CheckedIn);
    }

    #[test]
    fn the_events_door_and_a_runs_door() {
        let store = Store::open_in_memory().expect("store");
        let (event, ids, _, _) = event(&store);
        let door = Target::Event;
        let first = store
            .write(|tx| scan(tx, &event, &door, &ids[2]))
            .expect("scan");
        assert_eq!(first.outcome, Outcome::CheckedIn);
        assert_eq!(
            first.counts,
            Counts {
                checked: 1,
                expected: 2
            }
        );
        let again = store
            .write(|tx| scan(tx, &event, &door, &ids[2]))
            .expect("scan");
        assert_eq!(again.outcome, Outcome::Already);
        let run = store
            .write(|tx| {
                let run = store::save(
                    tx,
                    TransferRun {
                        event_id: event.clone(),
                        kind: RunKind::Session,
                        leaves_at: "2024-09-25T00:00:00Z".parse().expect("instant"),
                        ..TransferRun::default()
                    },
                    None,
                )?;
                add_passenger(tx, &run.id, &ids[0])?;
                Ok(run)
            })
            .expect("run");
        let bus = Target::Run(run.id.clone());
        let scan = |code: &str| {
            store
                .write(|tx| scan(tx, &event, &bus, code))
                .expect("scan")
        };
        assert_eq!(scan(&ids[2]).outcome, Outcome::NotOnRoster);
        let boarded = scan(&ids[0]);
        assert_eq!(boarded.outcome, Outcome::CheckedIn);
        assert_eq!(
            boarded.counts,
            Counts {
                checked: 1,
                expected: 1
            }
        );
        let counts = store
            .write(|tx| undo(tx, &event, &door, &ids[2]))
            .expect("undo");
        assert_eq!(counts.checked, 0);
    }
}
