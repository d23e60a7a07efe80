//! The preview: what each row would become (records, errors, warnings), the duplicates
//! against the event and within the file, the returned form's delegation and notes, and the
//! basis a commit compares to know the library is still as the preview saw it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::mapping::{session_in_header, Field, Mapping};
use super::matching::{self, Found, How, MappedValues, Matcher, Unmatched, ValueMatch};
use super::read::{SourceRow, Table};
use super::values::{self, key};
use super::{Message, Severity};
use crate::error::{Error, Result};
use crate::model::*;
use crate::reference;
use crate::words::{Arg, Text};

use super::commit::*;
use super::row::*;

/// What a row would become.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RowStatus {
    /// A new official.
    New,
    /// The same person as an official of the event or an earlier row; the officer decides.
    Duplicate,
    /// Has at least one error; not imported.
    Error,
}

/// Why two records are taken for the same person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// The same passport number.
    Passport,
    /// The same family and given names, nationality and date of birth.
    NameNationalityBirth,
    /// The same e-mail address.
    Email,
    /// The same name in one delegation, with no birth dates or passports to tell them apart
    /// (an official typed in twice).
    NameDelegation,
}

impl DuplicateReason {
    pub fn describe(self) -> &'static str {
        match self {
            DuplicateReason::Passport => "same passport number",
            DuplicateReason::NameNationalityBirth => "same name, nationality and date of birth",
            DuplicateReason::Email => "same e-mail address",
            DuplicateReason::NameDelegation => "same name and delegation",
        }
    }
}

/// An official of the event that a row duplicates, shown beside the row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duplicate {
    pub official_id: String,
    pub reason: DuplicateReason,
    pub existing: Official,
}

/// An earlier row of the same file that a row duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FileDuplicate {
    pub row: usize,
    pub reason: DuplicateReason,
}

/// The delegation a row's official joins: one of the event's (`id` set) or one the import
/// creates (`id` null): a country, from the ISO list, or an organization from the list of
/// common ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DelegationChoice {
    pub id: Option<String>,
    pub kind: DelegationKind,
    pub country_code: Option<String>,
    pub org_code: Option<String>,
    pub name_en: String,
    pub name_ko: String,
}

/// One data row of the file as it would be imported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowPreview {
    /// The row's number in the spreadsheet.
    pub row: usize,
    pub status: RowStatus,
    /// The official as it would be written (`id` empty; `delegation_id` empty when the
    /// delegation is new).
    pub official: Official,
    pub delegation: Option<DelegationChoice>,
    /// Flight legs (`official_id` empty), in UTC.
    pub arrival: Option<Travel>,
    pub departure: Option<Travel>,
    /// The hotel stay (`official_id` empty) and the hotel's name.
    pub stay: Option<Stay>,
    pub hotel_name: Option<String>,
    /// Errors first, then warnings and notes.
    pub messages: Vec<Message>,
    pub duplicate_of: Option<Duplicate>,
    pub duplicate_in_file: Option<FileDuplicate>,
    /// For a duplicate: what the row would change in the official it duplicates (an update
    /// writes these).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<FieldChange>,
    /// The sessions the row says the official attends or not (session columns).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<Attendance>,
    /// Cells read as something they do not say exactly: matched loosely or mapped by hand.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<ValueMatch>,
    /// Cells that name nothing of the event, or several things (each also an error).
    #[serde(skip)]
    pub(super) unmatched: Vec<Unmatched>,
    /// Fields that had a value in this row (an update changes only these).
    #[serde(skip)]
    pub(super) provided: Vec<Field>,
}

impl RowPreview {
    pub fn has_errors(&self) -> bool {
        self.messages.iter().any(|m| m.severity == Severity::Error)
    }
}

/// What a session column of a row says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attendance {
    pub session_id: String,
    /// The session's English title and date, as the preview names it.
    pub session: String,
    pub attends: bool,
}

/// One field a returned row changes: its stored value and the row's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// The official's field (`position`, `passport_expiry`…).
    pub field: String,
    pub from: String,
    pub to: String,
}

/// The name the preview gives a session: its title and day.
pub(super) fn session_label(ctx: &Context, s: &Session) -> String {
    format!(
        "{} · {}",
        s.title_en,
        s.starts_at.with_timezone(&ctx.tz).date_naive()
    )
}

/// Which session each session column names, by its header: the title (English or Korean,
/// loosely), with the day when titles repeat ("Lunch · 2024-09-25"). A header that names none
/// is left out with a note.
pub(super) fn session_columns(
    ctx: &mut Context,
    table: &Table,
    mapping: &Mapping,
    notes: &mut Vec<Message>,
) {
    let columns: Vec<usize> = mapping
        .columns
        .iter()
        .enumerate()
        .filter(|(_, f)| **f == Some(Field::Session))
        .map(|(i, _)| i)
        .collect();
    if columns.is_empty() {
        return;
    }
    let names = Matcher::new(ctx.sessions.iter().enumerate().map(|(i, s)| {
        let day = s.starts_at.with_timezone(&ctx.tz).date_naive();
        (
            i,
            session_label(ctx, s),
            vec![
                s.title_en.clone(),
                s.title_ko.clone(),
                format!("{} {day}", s.title_en),
                format!("{} {day}", s.title_ko),
            ],
        )
    }));
    for column in columns {
        let header = table.headers.get(column).map(String::as_str).unwrap_or("");
        let named = session_in_header(header).unwrap_or(header);
        match names.find(named) {
            Found::Exact(i) | Found::Loose { item: i, .. } => {
                ctx.session_columns.push((column, *i));
            }
            found => {
                let note =
                    Message::said(Severity::Warning, "unknown_session").with("value", header);
                notes.push(match &found {
                    Found::Several(list) => note.with(
                        "candidates",
                        list.iter()
                            .map(|i| quote(names.label(i)))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    _ => note,
                });
            }
        }
    }
}

/// What a row's session columns say.
pub(super) fn attendance(
    ctx: &Context,
    row: &SourceRow,
    messages: &mut Vec<Message>,
) -> Vec<Attendance> {
    let mut out = Vec::new();
    for &(column, at) in &ctx.session_columns {
        let text = row.cells.get(column).map(|c| c.trim()).unwrap_or("");
        if text.is_empty() {
            continue;
        }
        let session = &ctx.sessions[at];
        match values::parse_bool(text) {
            Some(attends) => out.push(Attendance {
                session_id: session.id.clone(),
                session: session_label(ctx, session),
                attends,
            }),
            None => messages.push(
                warning(Field::Session, "bad_yes_no")
                    .variant("session")
                    .with("value", text)
                    .with_words(
                        "session",
                        &session.title_en,
                        if session.title_ko.is_empty() {
                            &session.title_en
                        } else {
                            &session.title_ko
                        },
                    ),
            ),
        }
    }
    out
}

/// What an update from `row` would change in `existing`, field by field.
pub(super) fn changes(existing: &Official, row: &RowPreview) -> Vec<FieldChange> {
    let after = merged(existing, row);
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(existing), serde_json::to_value(&after))
    else {
        return Vec::new();
    };
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    a.iter()
        .filter(|(k, _)| !matches!(k.as_str(), "id" | "created_at" | "updated_at" | "event_id"))
        .filter_map(|(k, v)| {
            let new = b.get(k)?;
            (new != v).then(|| FieldChange {
                field: k.clone(),
                from: text(v),
                to: text(new),
            })
        })
        .collect()
}

/// How many rows are what.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub rows: usize,
    pub new: usize,
    pub duplicate: usize,
    pub error: usize,
    /// Rows (of any status) with at least one warning.
    pub warning: usize,
}

/// Everything an import would do, for the officer to check before committing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Preview {
    pub rows: Vec<RowPreview>,
    pub counts: Counts,
    /// Delegations the import would create (rows whose country has none at the event yet).
    pub new_delegations: Vec<DelegationChoice>,
    /// About the file as a whole (from reading it) and about the mapping.
    pub notes: Vec<Message>,
    /// Every value read as something it does not say exactly, once each, with its row count.
    pub values: Vec<ValueMatch>,
    /// Every value that names nothing of the event or several things, once each.
    pub unmatched: Vec<Unmatched>,
    /// What the values of each field in `values` and `unmatched` can be mapped to.
    pub value_options: BTreeMap<Field, Vec<String>>,
    /// What the preview was built from; see `commit`.
    #[serde(skip)]
    pub(super) basis: Basis,
}

/// What a preview was built from: the event, the mapping, the file's rows, and the state of
/// the library — how many rows this connection has written so far, SQLite's data version,
/// which moves whenever another connection commits, and the newest change-log entry, which
/// tells one library from another (a restored backup) where the first two start afresh with
/// a new connection. While all of them are the same, building the preview again would give
/// the same preview.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Basis {
    pub(super) event_id: String,
    pub(super) mapping: Mapping,
    pub(super) table: u64,
    pub(super) changes: u64,
    pub(super) data_version: i64,
    pub(super) last_change: Option<i64>,
}

impl Basis {
    pub(super) fn of(
        conn: &Connection,
        event_id: &str,
        table: &Table,
        mapping: &Mapping,
    ) -> Result<Basis> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        table.headers.hash(&mut hasher);
        for row in &table.rows {
            row.row.hash(&mut hasher);
            row.cells.hash(&mut hasher);
        }
        Ok(Basis {
            event_id: event_id.to_string(),
            mapping: mapping.clone(),
            table: hasher.finish(),
            changes: conn.total_changes(),
            data_version: conn.query_row("PRAGMA data_version", [], |r| r.get(0))?,
            last_change: conn.query_row("SELECT max(seq) FROM change_log", [], |r| r.get(0))?,
        })
    }
}

/// What to do with a row that duplicates an official.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DuplicateAction {
    /// Leave the existing official as it is; the row is not imported.
    #[default]
    Skip,
    /// Write the row's values over the existing official (only the cells that have a value).
    Update,
    /// Import the row as another official all the same.
    New,
}

impl DuplicateAction {
    pub fn parse(text: &str) -> Option<DuplicateAction> {
        match text {
            "skip" => Some(DuplicateAction::Skip),
            "update" => Some(DuplicateAction::Update),
            "new" => Some(DuplicateAction::New),
            _ => None,
        }
    }
}

/// The officer's choices for a commit. JSON:
/// `{"default": "skip", "rows": {"12": "update", "40": "new"}, "skip_errors": false}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Decisions {
    /// For duplicate rows without a choice of their own.
    pub default: DuplicateAction,
    /// Per duplicate row, by its spreadsheet row number.
    pub rows: BTreeMap<usize, DuplicateAction>,
    /// Import the rows without errors and leave the others out; without it, any row with an
    /// error stops the whole import.
    pub skip_errors: bool,
}

/// What a commit wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// The change-log batch: `Store::undo_batch(batch_id)` takes the whole import back.
    pub batch_id: String,
    pub created: usize,
    pub updated: usize,
    /// Duplicate rows left out by choice.
    pub skipped: usize,
    /// Rows with errors left out (with `skip_errors`).
    pub errors_skipped: usize,
    pub delegations_created: usize,
    pub travel_written: usize,
    pub stays_written: usize,
    /// Roster entries added or taken away by session columns.
    pub attendance_written: usize,
    /// Whether the rows were checked again while committing, because no preview was given or
    /// the library, the file or the mapping had changed since it was made.
    pub rechecked: bool,
}

/// The event's records the rows are matched against, loaded once.
pub(super) struct Context {
    pub(super) event: Event,
    /// For a registration form of ours: the delegation it was written for, which its rows
    /// join.
    pub(super) form_delegation: Option<Delegation>,
    pub(super) tz: chrono_tz::Tz,
    pub(super) delegations: HashMap<String, Delegation>,
    /// The event's delegations and the known organizations, for cells that name one loosely.
    pub(super) delegation_names: Matcher<DelegationChoice>,
    pub(super) hotels: Vec<Hotel>,
    /// Indexes into `hotels`, by English and Korean name.
    pub(super) hotel_names: Matcher<usize>,
    /// The values the officer mapped by hand.
    pub(super) mapped: MappedValues,
    /// The event's sessions, and the session each session column names (by column).
    pub(super) sessions: Vec<Session>,
    pub(super) session_columns: Vec<(usize, usize)>,
    /// Who is on which session's roster already: (official, session).
    pub(super) participation: std::collections::HashSet<(String, String)>,
    pub(super) existing: Vec<Official>,
    pub(super) by_key: ByKey,
    /// The office's protocol ranks, which a rank cell names by code or by name.
    pub(super) ranks: Vec<crate::protocol::Rank>,
}

/// The event's officials (or the earlier rows) by their same-person keys: the dashboard's rule
/// (`checks::same_person_keys`), so that the import finds the duplicates the dashboard lists.
pub(super) type ByKey = HashMap<(u8, String), usize>;

pub(super) fn reason_of(kind: u8) -> DuplicateReason {
    match kind {
        0 => DuplicateReason::Passport,
        1 => DuplicateReason::Email,
        2 => DuplicateReason::NameNationalityBirth,
        _ => DuplicateReason::NameDelegation,
    }
}

/// The first of the official's same-person keys (`keys`, in the rule's order) that finds
/// someone in `index`.
pub(super) fn find_duplicate(
    o: &Official,
    keys: &[(u8, String)],
    index: &ByKey,
    people: &dyn Fn(usize) -> Option<Official>,
) -> Option<(usize, DuplicateReason)> {
    for key in keys {
        let kind = key.0;
        if let Some(&i) = index.get(key) {
            // A name in one delegation also needs the namesake test (birth dates, passports).
            if kind < 3
                || people(i).is_some_and(|other| crate::checks::same_person(kind, o, &other))
            {
                return Some((i, reason_of(kind)));
            }
        }
    }
    None
}

pub(super) fn index(keys: Vec<(u8, String)>, at: usize, index: &mut ByKey) {
    for key in keys {
        index.entry(key).or_insert(at);
    }
}

/// The outcome of looking a cell up: found (loosely: how), or the candidates it might mean.
pub(super) type Lookup<T> = std::result::Result<(T, Option<How>), Vec<String>>;

pub(super) fn choice_of(d: &Delegation) -> DelegationChoice {
    DelegationChoice {
        id: Some(d.id.clone()),
        kind: d.kind,
        country_code: d.country_code.clone(),
        org_code: d.org_code.clone(),
        name_en: d.name_en.clone(),
        name_ko: d.name_ko.clone(),
    }
}

pub(super) fn new_organization(org: &reference::Named) -> DelegationChoice {
    DelegationChoice {
        id: None,
        kind: DelegationKind::Organization,
        country_code: None,
        org_code: Some(org.code.clone()),
        name_en: org.name_en.clone(),
        name_ko: org.name_ko.clone(),
    }
}

pub(super) fn new_country(country: &reference::Named) -> DelegationChoice {
    DelegationChoice {
        id: None,
        kind: DelegationKind::Country,
        country_code: Some(country.code.clone()),
        org_code: None,
        name_en: country.name_en.clone(),
        name_ko: country.name_ko.clone(),
    }
}

/// Countries by English and Korean name, for cells that name one loosely.
pub(super) fn country_names() -> &'static Matcher<&'static str> {
    static MATCHER: std::sync::OnceLock<Matcher<&'static str>> = std::sync::OnceLock::new();
    MATCHER.get_or_init(|| {
        Matcher::new(reference::countries().iter().map(|c| {
            (
                c.code.as_str(),
                c.name_en.clone(),
                vec![c.name_en.clone(), c.name_ko.clone()],
            )
        }))
    })
}

/// Categories by the words the app shows for them, English and Korean.
pub(super) fn category_names() -> &'static Matcher<Category> {
    static MATCHER: std::sync::OnceLock<Matcher<Category>> = std::sync::OnceLock::new();
    MATCHER.get_or_init(|| {
        Matcher::new(Category::ALL.iter().map(|c| {
            let en = crate::export::word(c.as_str(), false).to_string();
            let ko = crate::export::word(c.as_str(), true).to_string();
            (*c, en.clone(), vec![c.as_str().replace('_', " "), en, ko])
        }))
    })
}

/// The candidates a lookup offers: the several it could mean, or (when nothing came close)
/// the first few of the whole set.
pub(super) fn candidates<T: PartialEq>(matcher: &Matcher<T>, found: &Found<'_, T>) -> Vec<String> {
    match found {
        Found::Several(list) => list.iter().map(|i| matcher.label(i).to_string()).collect(),
        _ => matcher.labels().iter().take(8).cloned().collect(),
    }
}

impl Context {
    pub(super) fn load(conn: &Connection, event_id: &str, mapping: &Mapping) -> Result<Context> {
        let event: Event = Event::get(conn, event_id)?;
        let tz = event.tz();
        let mut delegations = HashMap::new();
        for d in Delegation::of_event(conn, event_id)? {
            for k in [
                d.country_code.clone().unwrap_or_default(),
                d.org_code.as_deref().map(key).unwrap_or_default(),
                key(&d.name_en),
                key(&d.name_ko),
            ] {
                if !k.is_empty() {
                    delegations.entry(k).or_insert_with(|| d.clone());
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        let mut names: Vec<(DelegationChoice, String, Vec<String>)> = Vec::new();
        for d in delegations.values() {
            if seen.insert(d.id.clone()) {
                names.push((
                    choice_of(d),
                    d.name_en.clone(),
                    vec![d.name_en.clone(), d.name_ko.clone()],
                ));
            }
        }
        names.sort_by(|a, b| a.1.cmp(&b.1));
        for org in reference::organizations() {
            if !delegations.contains_key(&key(&org.code)) {
                names.push((
                    new_organization(org),
                    org.name_en.clone(),
                    vec![org.name_en.clone(), org.name_ko.clone()],
                ));
            }
        }
        let delegation_names = Matcher::new(names);
        let hotels = Hotel::of_event(conn, event_id)?;
        let hotel_names = Matcher::new(
            hotels
                .iter()
                .enumerate()
                .map(|(i, h)| (i, h.name.clone(), vec![h.name.clone(), h.name_ko.clone()])),
        );
        let existing = Official::of_event(conn, event_id)?;
        let mut by_key = ByKey::new();
        for (i, o) in existing.iter().enumerate() {
            index(crate::checks::same_person_keys(o), i, &mut by_key);
        }
        let sessions = Session::of_event(conn, event_id)?;
        // Who is on which session now, as the audiences make it: a row that says "yes" to a
        // plenary for everyone changes nothing.
        let entries = Participant::of_event(conn, event_id)?;
        let rosters = crate::audience::Rosters::derive(&sessions, &existing, &entries);
        let mut participation = std::collections::HashSet::new();
        for (i, o) in existing.iter().enumerate() {
            for s in rosters.agenda(i) {
                participation.insert((o.id.clone(), s.id.clone()));
            }
        }
        Ok(Context {
            event,
            form_delegation: None,
            sessions,
            session_columns: Vec::new(),
            participation,
            tz,
            delegations,
            delegation_names,
            hotels,
            hotel_names,
            mapped: MappedValues::new(&mapping.values),
            existing,
            by_key,
            ranks: crate::protocol::ranks(conn)?,
        })
    }

    /// A delegation by what a cell says: the event's own by code or name, else a country
    /// (created), else a known organization (created); failing those, the one of the event's
    /// delegations or the known organizations the cell names loosely, else a country it names
    /// loosely.
    pub(super) fn delegation(&self, text: &str) -> Lookup<DelegationChoice> {
        if let Some(code) = values::parse_country(text) {
            if let Some(d) = self.delegations.get(code) {
                return Ok((choice_of(d), None));
            }
            if let Some(country) = reference::country(code) {
                return Ok((new_country(country), None));
            }
        }
        let k = key(text);
        if let Some(d) = self.delegations.get(&k) {
            return Ok((choice_of(d), None));
        }
        if let Some(org) = reference::organizations()
            .iter()
            .find(|o| key(&o.code) == k || key(&o.name_en) == k || key(&o.name_ko) == k)
        {
            return Ok(match self.delegations.get(&key(&org.code)) {
                Some(d) => (choice_of(d), None),
                None => (new_organization(org), None),
            });
        }
        let found = self.delegation_names.find(text);
        match &found {
            Found::Exact(d) => return Ok(((*d).clone(), None)),
            Found::Loose { item, how, .. } => return Ok(((*item).clone(), Some(*how))),
            Found::Several(_) => return Err(candidates(&self.delegation_names, &found)),
            Found::Nothing => {}
        }
        match country_names().find(text) {
            Found::Exact(code) | Found::Loose { item: code, .. } => {
                let how = Some(How::Words);
                if let Some(d) = self.delegations.get(*code) {
                    return Ok((choice_of(d), how));
                }
                reference::country(code)
                    .map(|c| (new_country(c), how))
                    .ok_or_else(Vec::new)
            }
            several @ Found::Several(_) => Err(candidates(country_names(), &several)),
            Found::Nothing => Err(candidates(&self.delegation_names, &found)),
        }
    }

    /// A hotel of the event by name (English or Korean), or the one the cell names loosely
    /// ("Orakai Hotel" for "Orakai Insadong Suites").
    pub(super) fn hotel(&self, text: &str) -> Lookup<&Hotel> {
        let found = self.hotel_names.find(text);
        match found {
            Found::Exact(i) => Ok((&self.hotels[*i], None)),
            Found::Loose { item, how, .. } => Ok((&self.hotels[*item], Some(how))),
            _ => Err(candidates(&self.hotel_names, &found)),
        }
    }

    pub(super) fn to_utc(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        self.tz
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    }
}

pub(super) fn build(
    conn: &Connection,
    event_id: &str,
    table: &Table,
    mapping: &Mapping,
) -> Result<(Context, Preview)> {
    mapping.check(table.headers.len())?;
    let basis = Basis::of(conn, event_id, table, mapping)?;
    let mut ctx = Context::load(conn, event_id, mapping)?;
    if let Some(tag) = &table.form {
        ctx.form_delegation = Some(form_delegation(conn, &ctx.event, tag)?);
    }
    let mut session_notes = Vec::new();
    session_columns(&mut ctx, table, mapping, &mut session_notes);
    let mut rows = Vec::with_capacity(table.rows.len());
    let mut by_key = ByKey::new();
    for source in &table.rows {
        let mut row = build_row(conn, &ctx, mapping, source)?;
        if row.status != RowStatus::Error {
            // Folded once per row, for the event's officials and the earlier rows alike.
            let keys = crate::checks::same_person_keys(&row.official);
            if let Some((i, reason)) = find_duplicate(&row.official, &keys, &ctx.by_key, &|i| {
                ctx.existing.get(i).cloned()
            }) {
                let existing = ctx.existing[i].clone();
                row.changes = changes(&existing, &row);
                let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
                for a in &row.sessions {
                    let was = ctx
                        .participation
                        .contains(&(existing.id.clone(), a.session_id.clone()));
                    if was != a.attends {
                        row.changes.push(FieldChange {
                            field: format!("session: {}", a.session),
                            from: yes_no(was),
                            to: yes_no(a.attends),
                        });
                    }
                }
                row.duplicate_of = Some(Duplicate {
                    official_id: existing.id.clone(),
                    reason,
                    existing,
                });
            }
            if let Some((i, reason)) = find_duplicate(&row.official, &keys, &by_key, &|i| {
                rows.get(i).map(|r: &RowPreview| r.official.clone())
            }) {
                row.duplicate_in_file = Some(FileDuplicate {
                    row: table.rows[i].row,
                    reason,
                });
            }
            index(keys, rows.len(), &mut by_key);
            if row.duplicate_of.is_some() || row.duplicate_in_file.is_some() {
                row.status = RowStatus::Duplicate;
            }
        }
        rows.push(row);
    }
    let mut counts = Counts {
        rows: rows.len(),
        ..Counts::default()
    };
    let mut new_delegations: Vec<DelegationChoice> = Vec::new();
    for row in &rows {
        match row.status {
            RowStatus::New => counts.new += 1,
            RowStatus::Duplicate => counts.duplicate += 1,
            RowStatus::Error => counts.error += 1,
        }
        if row.messages.iter().any(|m| m.severity == Severity::Warning) {
            counts.warning += 1;
        }
        if let Some(d) = &row.delegation {
            if d.id.is_none() && row.status != RowStatus::Error && !new_delegations.contains(d) {
                new_delegations.push(d.clone());
            }
        }
    }
    let mut notes = table.notes.clone();
    notes.extend(session_notes);
    let unmapped: Vec<&str> = table
        .headers
        .iter()
        .zip(&mapping.columns)
        .filter(|(_, f)| f.is_none())
        .map(|(h, _)| h.as_str())
        .collect();
    if !unmapped.is_empty() {
        notes.push(
            Message::said(Severity::Info, "columns_left_out").with("columns", unmapped.join(", ")),
        );
    }
    if let Some(d) = &ctx.form_delegation {
        form_notes(&ctx, d, &rows, &mut notes);
    }
    let (values, unmatched, value_options) = value_lists(&ctx, &rows);
    Ok((
        ctx,
        Preview {
            rows,
            counts,
            new_delegations,
            notes,
            values,
            unmatched,
            value_options,
            basis,
        },
    ))
}

/// The delegation a returned registration form is for, if it is one of this event's.
pub(super) fn form_delegation(
    conn: &Connection,
    event: &Event,
    tag: &super::form::FormTag,
) -> Result<Delegation> {
    if tag.event_id != event.id {
        let text = match Event::get(conn, &tag.event_id) {
            Ok(other) => Text::new("importerr-form_of_another_event")
                .with("other", Arg::name(&other.name_en, &other.name_ko)),
            Err(_) => Text::new("importerr-form_of_another_event-unknown"),
        };
        return Err(Error::Import {
            code: "form_of_another_event",
            text: text.with("event", Arg::name(&event.name_en, &event.name_ko)),
        });
    }
    Delegation::get(conn, &tag.delegation_id)
        .ok()
        .filter(|d| d.event_id == event.id)
        .ok_or_else(|| Error::Import {
            code: "form_delegation_gone",
            text: Text::new("importerr-form_delegation_gone"),
        })
}

/// What the officer should know of a returned form: a delegation over its seats, and the
/// officials the delegation no longer lists (left as they are).
pub(super) fn form_notes(
    ctx: &Context,
    d: &Delegation,
    rows: &[RowPreview],
    notes: &mut Vec<Message>,
) {
    let returned: std::collections::HashSet<&str> = rows
        .iter()
        .filter_map(|r| r.duplicate_of.as_ref().map(|d| d.official_id.as_str()))
        .collect();
    let members: Vec<&Official> = ctx
        .existing
        .iter()
        .filter(|o| {
            o.delegation_id.as_deref() == Some(d.id.as_str())
                && o.status != OfficialStatus::Cancelled
        })
        .collect();
    let new_rows = rows.iter().filter(|r| r.status == RowStatus::New).count();
    let attending = members.len() + new_rows;
    if d.seats > 0 && attending as i64 > d.seats {
        notes.push(
            Message::said(Severity::Warning, "over_quota")
                .with("delegation", &d.name_en)
                .with("seats", d.seats)
                .with("count", attending),
        );
    }
    let missing: Vec<String> = members
        .iter()
        .filter(|o| !returned.contains(o.id.as_str()))
        .map(|o| o.full_name())
        .collect();
    if !missing.is_empty() {
        notes.push(
            Message::said(Severity::Warning, "not_in_form").with("names", missing.join(", ")),
        );
    }
    notes.push(Message::said(Severity::Info, "form_for").with("delegation", &d.name_en));
}

/// The rows' loose and mapped values and their unmatched ones, once each with their row
/// counts, and what each field's values can be mapped to.
pub(super) fn value_lists(
    ctx: &Context,
    rows: &[RowPreview],
) -> (
    Vec<ValueMatch>,
    Vec<Unmatched>,
    BTreeMap<Field, Vec<String>>,
) {
    let mut values: Vec<ValueMatch> = Vec::new();
    let mut value_at: HashMap<(Field, String), usize> = HashMap::new();
    let mut unmatched: Vec<Unmatched> = Vec::new();
    let mut unmatched_at: HashMap<(Field, String), usize> = HashMap::new();
    for row in rows {
        for v in &row.values {
            match value_at.get(&(v.field, key(&v.from))) {
                Some(&i) => values[i].rows += 1,
                None => {
                    value_at.insert((v.field, key(&v.from)), values.len());
                    values.push(v.clone());
                }
            }
        }
        for u in &row.unmatched {
            match unmatched_at.get(&(u.field, key(&u.value))) {
                Some(&i) => unmatched[i].rows += 1,
                None => {
                    unmatched_at.insert((u.field, key(&u.value)), unmatched.len());
                    unmatched.push(u.clone());
                }
            }
        }
    }
    let mut options = BTreeMap::new();
    let fields = values
        .iter()
        .map(|v| v.field)
        .chain(unmatched.iter().map(|u| u.field));
    for field in fields {
        options.entry(field).or_insert_with(|| match field {
            Field::Hotel => ctx.hotel_names.labels().to_vec(),
            Field::Delegation => ctx.delegation_names.labels().to_vec(),
            Field::Nationality => country_names().labels().to_vec(),
            Field::Category => category_names().labels().to_vec(),
            Field::Dietary => matching::diets().labels().to_vec(),
            _ => Vec::new(),
        });
    }
    (values, unmatched, options)
}

/// Parses and checks every row against the event without writing anything.
pub fn preview(
    conn: &Connection,
    event_id: &str,
    table: &Table,
    mapping: &Mapping,
) -> Result<Preview> {
    build(conn, event_id, table, mapping).map(|(_, preview)| preview)
}
