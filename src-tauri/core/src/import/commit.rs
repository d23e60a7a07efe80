//! The commit: what the preview showed, written in one transaction as one batch of the change
//! log (new officials, updates of duplicates the officer chose, flights, stays, rosters), with
//! every row checked again unless the library is as the preview saw it.

use std::collections::HashMap;

use rusqlite::Transaction;

use super::mapping::{remember_mapping, Field, Mapping};
use super::matching;
use super::read::Table;
use crate::error::{Error, Result};
use crate::model::*;
use crate::roster;
use crate::store::{self, Store};
use crate::words::{Arg, Text};

use super::plan::*;

/// The official a row's values make of an existing one: only cells with a value replace.
pub(super) fn merged(existing: &Official, row: &RowPreview) -> Official {
    let mut o = existing.clone();
    let new = &row.official;
    let has = |f: Field| row.provided.contains(&f);
    if has(Field::FullName) || has(Field::FamilyName) {
        o.family_name = new.family_name.clone();
    }
    if has(Field::FullName) || has(Field::GivenName) {
        o.given_name = new.given_name.clone();
    }
    if has(Field::NativeName) || (has(Field::FullName) && !new.native_name.is_empty()) {
        o.native_name = new.native_name.clone();
    }
    macro_rules! copy {
        ($($field:ident = $f:expr),*) => {
            $( if has($f) { o.$field = new.$field.clone(); } )*
        };
    }
    copy!(
        honorific = Field::Honorific,
        badge_name = Field::BadgeName,
        position = Field::Position,
        organization = Field::Organization,
        category = Field::Category,
        gender = Field::Gender,
        email = Field::Email,
        phone = Field::Phone,
        nationality = Field::Nationality,
        birth_date = Field::BirthDate,
        passport_number = Field::PassportNumber,
        passport_expiry = Field::PassportExpiry,
        dietary = Field::Dietary,
        accessibility = Field::Accessibility,
        interpretation_language = Field::InterpretationLanguage,
        protocol_rank = Field::ProtocolRank,
        language = Field::Language,
        lodges_elsewhere = Field::LodgesElsewhere,
        status = Field::Status,
        notes = Field::Notes
    );
    o
}

/// Writes a flight or stay of a row: a new one as the preview checked it, an existing one
/// (replaced by an update) through a validating save.
pub(super) fn write_checked<R: store::Entity>(
    tx: &Transaction<'_>,
    record: R,
    batch: &str,
) -> Result<R> {
    if record.id().is_empty() {
        store::insert_checked(tx, record, Some(batch))
    } else {
        store::save(tx, record, Some(batch))
    }
}

/// Writes the import: new officials, updates of duplicates the officer chose to update, new
/// delegations, flight legs and stays, all in one transaction after an automatic backup, as
/// one change-log batch. Rows with errors stop it (nothing written) unless
/// `decisions.skip_errors`. The mapping is remembered for files with the same headers.
/// `progress(done, total)` is called after each row.
///
/// `previewed` is the preview the officer looked at, if any. When nothing has changed since it
/// was made (same event, file and mapping; no write to the library by this connection or any
/// other), it is written as it is; otherwise every row is checked again inside the write
/// transaction, so that what is written always matches the library as it is now. Checking
/// 10,000 rows a second time was a tenth of an import.
pub fn commit(
    store: &Store,
    event_id: &str,
    table: &Table,
    mapping: &Mapping,
    decisions: &Decisions,
    previewed: Option<&Preview>,
    progress: &dyn Fn(usize, usize),
) -> Result<ImportReport> {
    mapping.check(table.headers.len())?;
    let batch = store.import(|tx, batch| {
        let now = Basis::of(tx, event_id, table, mapping)?;
        let reused = previewed.filter(|p| p.basis == now);
        let rebuilt;
        let preview = match reused {
            Some(p) => p,
            None => {
                rebuilt = build(tx, event_id, table, mapping)?.1;
                &rebuilt
            }
        };
        let rechecked = reused.is_none();
        if preview.counts.error > 0 && !decisions.skip_errors {
            return Err(Error::Import {
                code: "rows_have_errors",
                text: Text::new("importerr-rows_have_errors").with("count", preview.counts.error),
            });
        }
        let mut report = ImportReport {
            batch_id: batch.to_string(),
            created: 0,
            updated: 0,
            skipped: 0,
            errors_skipped: preview.counts.error,
            delegations_created: 0,
            travel_written: 0,
            stays_written: 0,
            attendance_written: 0,
            rechecked,
        };
        // New delegations, once each, before the officials that join them.
        // By country, organization code and name: organizations unknown to the reference list
        // have neither code.
        type DelegationKey = (Option<String>, Option<String>, String);
        let of = |d: &DelegationChoice| -> DelegationKey {
            (
                d.country_code.clone(),
                d.org_code.clone(),
                d.name_en.clone(),
            )
        };
        let mut created_delegations: HashMap<DelegationKey, String> = HashMap::new();
        for d in &preview.new_delegations {
            let saved = store::save(
                tx,
                Delegation {
                    event_id: event_id.to_string(),
                    kind: d.kind,
                    country_code: d.country_code.clone(),
                    org_code: d.org_code.clone(),
                    name_en: d.name_en.clone(),
                    name_ko: d.name_ko.clone(),
                    ..Delegation::default()
                },
                Some(batch),
            )?;
            created_delegations.insert(of(d), saved.id);
            report.delegations_created += 1;
        }
        // Which official each imported row became, for later rows that duplicate it.
        let mut row_official: HashMap<usize, String> = HashMap::new();
        let total = preview.rows.len();
        for (done, row) in preview.rows.iter().enumerate() {
            progress(done, total);
            if row.status == RowStatus::Error {
                continue;
            }
            let in_row = |e: Error| match e {
                Error::Validation(errors) => Error::Import {
                    code: "row_invalid",
                    text: Text::new("importerr-row_invalid")
                        .with("row", row.row)
                        .with(
                            "why",
                            Arg::both(
                                errors
                                    .iter()
                                    .map(|e| e.text.en())
                                    .collect::<Vec<_>>()
                                    .join(" "),
                                errors
                                    .iter()
                                    .map(|e| e.text.ko())
                                    .collect::<Vec<_>>()
                                    .join(" "),
                            ),
                        ),
                },
                other => other,
            };
            let mut official = row.official.clone();
            if let Some(d) = &row.delegation {
                official.delegation_id = match &d.id {
                    Some(id) => Some(id.clone()),
                    None => created_delegations.get(&of(d)).cloned(),
                };
            }
            let action = if row.status == RowStatus::Duplicate {
                decisions
                    .rows
                    .get(&row.row)
                    .copied()
                    .unwrap_or(decisions.default)
            } else {
                DuplicateAction::New
            };
            let target = row
                .duplicate_of
                .as_ref()
                .map(|d| d.official_id.clone())
                .or_else(|| {
                    row.duplicate_in_file
                        .and_then(|d| row_official.get(&d.row).cloned())
                });
            let (official_id, updating) = match (action, target) {
                (DuplicateAction::Skip, target) => {
                    report.skipped += 1;
                    if let Some(target) = target {
                        row_official.insert(row.row, target);
                    }
                    continue;
                }
                (DuplicateAction::Update, Some(target)) => {
                    let existing: Official = Official::get(tx, &target)?;
                    let mut updated = merged(&existing, row);
                    if official.delegation_id.is_some()
                        && (row.provided.contains(&Field::Delegation)
                            || row.provided.contains(&Field::Nationality))
                    {
                        updated.delegation_id = official.delegation_id.clone();
                    }
                    store::save(tx, updated, Some(batch)).map_err(in_row)?;
                    report.updated += 1;
                    (target, true)
                }
                // "Update" with nothing to update (the earlier row was itself left out)
                // imports the row.
                _ => {
                    let saved = store::insert_checked(tx, official, Some(batch)).map_err(in_row)?;
                    report.created += 1;
                    (saved.id, false)
                }
            };
            row_official.insert(row.row, official_id.clone());
            for leg in [&row.arrival, &row.departure].into_iter().flatten() {
                let mut leg = leg.clone();
                leg.official_id = official_id.clone();
                if updating {
                    // The official's first leg in that direction is replaced, not doubled.
                    let existing: Vec<Travel> =
                        Travel::load_where(tx, "x.official_id = ?", &official_id)?;
                    if let Some(old) = existing.into_iter().find(|t| t.direction == leg.direction) {
                        leg.id = old.id;
                        leg.greeter = old.greeter;
                        leg.notes = old.notes;
                    }
                }
                write_checked(tx, leg, batch).map_err(in_row)?;
                report.travel_written += 1;
            }
            if let Some(stay) = &row.stay {
                let mut stay = stay.clone();
                stay.official_id = official_id.clone();
                if updating {
                    let existing: Vec<Stay> =
                        Stay::load_where(tx, "x.official_id = ?", &official_id)?;
                    if let Some(old) = existing.into_iter().next() {
                        stay.id = old.id;
                        stay.shares_with_id = old.shares_with_id;
                        stay.special_requests = old.special_requests;
                        stay.notes = old.notes;
                        if stay.hotel_id == old.hotel_id {
                            stay.room_block_id = old.room_block_id;
                        }
                        if stay.room_number.is_empty() {
                            stay.room_number = old.room_number;
                        }
                    }
                }
                write_checked(tx, stay, batch).map_err(in_row)?;
                report.stays_written += 1;
            }
            for a in &row.sessions {
                if attendance(tx, &a.session_id, &official_id, a.attends, batch).map_err(in_row)? {
                    report.attendance_written += 1;
                }
            }
        }
        progress(total, total);
        remember_mapping(tx, &table.headers, mapping)?;
        matching::remember_values(tx, event_id, &mapping.values)?;
        Ok(report)
    })?;
    Ok(batch.value)
}

/// A session column's "yes" or "no" for one official, as a change to the roster: "yes" puts
/// them on (an exception where the audience's rule leaves them out), "no" takes a
/// participant off (a speaker or chair stays: the officer put them there). True when
/// something was written.
fn attendance(
    tx: &Transaction<'_>,
    session_id: &str,
    official_id: &str,
    attends: bool,
    batch: &str,
) -> Result<bool> {
    let session = Session::get(tx, session_id)?;
    let official = Official::get(tx, official_id)?;
    let entry = roster::entry(tx, session_id, official_id)?;
    let on = crate::audience::on_roster(&session, &official, entry.as_ref().map(|p| p.membership));
    if attends == on {
        return Ok(false);
    }
    if attends {
        return roster::put_on(
            tx,
            &session,
            &official,
            entry,
            Role::Participant,
            Some(batch),
        );
    }
    if entry.as_ref().is_some_and(|p| p.role != Role::Participant) {
        return Ok(false);
    }
    roster::take_off(tx, &session, &official, entry, Some(batch))?;
    Ok(true)
}
