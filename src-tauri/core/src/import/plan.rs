//! From mapped rows to records: the preview (parsed values, errors, warnings, duplicates) and
//! the commit that writes what the preview showed, in one transaction.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::mapping::{remember_mapping, session_in_header, Field, Mapping};
use super::matching::{self, Found, How, MappedValues, Matcher, Unmatched, ValueMatch};
use super::read::{SourceRow, Table};
use super::values::{self, key};
use super::{Message, Severity};
use crate::error::{Error, Result};
use crate::fields::Checker;
use crate::model::*;
use crate::reference;
use crate::store::{self, Store};
use crate::validate::Validate;

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
    unmatched: Vec<Unmatched>,
    /// Fields that had a value in this row (an update changes only these).
    #[serde(skip)]
    provided: Vec<Field>,
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
fn session_label(ctx: &Context, s: &Session) -> String {
    format!(
        "{} · {}",
        s.title_en,
        s.starts_at.with_timezone(&ctx.tz).date_naive()
    )
}

/// Which session each session column names, by its header: the title (English or Korean,
/// loosely), with the day when titles repeat ("Lunch · 2024-09-25"). A header that names none
/// is left out with a note.
fn session_columns(ctx: &mut Context, table: &Table, mapping: &Mapping, notes: &mut Vec<Message>) {
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
            found => notes.push(
                Message::new(
                    Severity::Warning,
                    "unknown_session",
                    format!(
                        "The column {} names no session of the event{}; it is left out.",
                        quote(header),
                        match &found {
                            Found::Several(list) => format!(
                                " (it may be {})",
                                list.iter()
                                    .map(|i| quote(names.label(i)))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                            _ => String::new(),
                        }
                    ),
                )
                .with("value", header),
            ),
        }
    }
}

/// What a row's session columns say.
fn attendance(ctx: &Context, row: &SourceRow, messages: &mut Vec<Message>) -> Vec<Attendance> {
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
                warning(
                    Field::Session,
                    "bad_yes_no",
                    format!(
                        "{} for {} is neither yes nor no; left as it is.",
                        quote(text),
                        quote(&session.title_en)
                    ),
                )
                .with("value", text),
            ),
        }
    }
    out
}

/// What an update from `row` would change in `existing`, field by field.
fn changes(existing: &Official, row: &RowPreview) -> Vec<FieldChange> {
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
    basis: Basis,
}

/// What a preview was built from: the event, the mapping, the file's rows, and the state of
/// the library — how many rows this connection has written so far, SQLite's data version,
/// which moves whenever another connection commits, and the newest change-log entry, which
/// tells one library from another (a restored backup) where the first two start afresh with
/// a new connection. While all of them are the same, building the preview again would give
/// the same preview.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Basis {
    event_id: String,
    mapping: Mapping,
    table: u64,
    changes: u64,
    data_version: i64,
    last_change: Option<i64>,
}

impl Basis {
    fn of(conn: &Connection, event_id: &str, table: &Table, mapping: &Mapping) -> Result<Basis> {
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
struct Context {
    event: Event,
    /// For a registration form of ours: the delegation it was written for, which its rows
    /// join.
    form_delegation: Option<Delegation>,
    tz: chrono_tz::Tz,
    delegations: HashMap<String, Delegation>,
    /// The event's delegations and the known organizations, for cells that name one loosely.
    delegation_names: Matcher<DelegationChoice>,
    hotels: Vec<Hotel>,
    /// Indexes into `hotels`, by English and Korean name.
    hotel_names: Matcher<usize>,
    /// The values the officer mapped by hand.
    mapped: MappedValues,
    /// The event's sessions, and the session each session column names (by column).
    sessions: Vec<Session>,
    session_columns: Vec<(usize, usize)>,
    /// Who is on which session's roster already: (official, session).
    participation: std::collections::HashSet<(String, String)>,
    existing: Vec<Official>,
    by_key: ByKey,
}

/// The event's officials (or the earlier rows) by their same-person keys: the dashboard's rule
/// (`checks::same_person_keys`), so that the import finds the duplicates the dashboard lists.
type ByKey = HashMap<(u8, String), usize>;

fn reason_of(kind: u8) -> DuplicateReason {
    match kind {
        0 => DuplicateReason::Passport,
        1 => DuplicateReason::Email,
        2 => DuplicateReason::NameNationalityBirth,
        _ => DuplicateReason::NameDelegation,
    }
}

/// The first of the official's same-person keys (`keys`, in the rule's order) that finds
/// someone in `index`.
fn find_duplicate(
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

fn index(keys: Vec<(u8, String)>, at: usize, index: &mut ByKey) {
    for key in keys {
        index.entry(key).or_insert(at);
    }
}

/// The outcome of looking a cell up: found (loosely: how), or the candidates it might mean.
type Lookup<T> = std::result::Result<(T, Option<How>), Vec<String>>;

fn choice_of(d: &Delegation) -> DelegationChoice {
    DelegationChoice {
        id: Some(d.id.clone()),
        kind: d.kind,
        country_code: d.country_code.clone(),
        org_code: d.org_code.clone(),
        name_en: d.name_en.clone(),
        name_ko: d.name_ko.clone(),
    }
}

fn new_organization(org: &reference::Named) -> DelegationChoice {
    DelegationChoice {
        id: None,
        kind: DelegationKind::Organization,
        country_code: None,
        org_code: Some(org.code.clone()),
        name_en: org.name_en.clone(),
        name_ko: org.name_ko.clone(),
    }
}

fn new_country(country: &reference::Named) -> DelegationChoice {
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
fn country_names() -> &'static Matcher<&'static str> {
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
fn category_names() -> &'static Matcher<Category> {
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
fn candidates<T: PartialEq>(matcher: &Matcher<T>, found: &Found<'_, T>) -> Vec<String> {
    match found {
        Found::Several(list) => list.iter().map(|i| matcher.label(i).to_string()).collect(),
        _ => matcher.labels().iter().take(8).cloned().collect(),
    }
}

impl Context {
    fn load(conn: &Connection, event_id: &str, mapping: &Mapping) -> Result<Context> {
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
        let mut participation = std::collections::HashSet::new();
        {
            let mut stmt = conn.prepare(
                "SELECT p.official_id, p.session_id FROM participant p
                 JOIN session s ON s.id = p.session_id WHERE s.event_id = ?",
            )?;
            let rows = stmt.query_map([event_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            for row in rows {
                participation.insert(row?);
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
        })
    }

    /// A delegation by what a cell says: the event's own by code or name, else a country
    /// (created), else a known organization (created); failing those, the one of the event's
    /// delegations or the known organizations the cell names loosely, else a country it names
    /// loosely.
    fn delegation(&self, text: &str) -> Lookup<DelegationChoice> {
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
    fn hotel(&self, text: &str) -> Lookup<&Hotel> {
        let found = self.hotel_names.find(text);
        match found {
            Found::Exact(i) => Ok((&self.hotels[*i], None)),
            Found::Loose { item, how, .. } => Ok((&self.hotels[*item], Some(how))),
            _ => Err(candidates(&self.hotel_names, &found)),
        }
    }

    fn to_utc(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        self.tz
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    }
}

/// Reads one row's cells through the mapping, and the values the officer mapped by hand.
struct Cells<'a> {
    row: &'a SourceRow,
    mapping: &'a Mapping,
    mapped: &'a MappedValues,
}

impl<'a> Cells<'a> {
    /// The cell as written (trimmed; our own exports' formula guard taken off).
    fn raw(&self, field: Field) -> Option<&'a str> {
        let column = self.mapping.column(field)?;
        let text = self.row.cells.get(column)?.trim();
        // `ddesk export` writes `'=…` for a cell a spreadsheet would run; the apostrophe is
        // ours, not the official's.
        let text = match text.strip_prefix('\'') {
            Some(rest)
                if rest.starts_with([
                    '=', '+', '-', '@', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
                ]) =>
            {
                rest
            }
            _ => text,
        };
        (!text.is_empty()).then_some(text)
    }

    /// The cell as it is to be read: what the officer mapped it to, if they did.
    fn get(&self, field: Field) -> Option<&'a str> {
        let text = self.raw(field)?;
        match self.mapped.get(field, text) {
            Some(to) => (!to.is_empty()).then_some(to),
            None => Some(text),
        }
    }

    /// Whether the officer mapped this cell to nothing ("Lotte" is no hotel of ours).
    fn mapped_to_nothing(&self, field: Field) -> bool {
        self.raw(field)
            .and_then(|text| self.mapped.get(field, text))
            .is_some_and(str::is_empty)
    }
}

/// A warning that a cell was read as something it does not say exactly.
fn read_as(field: Field, from: &str, to: &str, how: How, values: &mut Vec<ValueMatch>) -> Message {
    values.push(ValueMatch {
        field,
        from: from.to_string(),
        to: to.to_string(),
        how,
        rows: 1,
    });
    warning(
        field,
        "value_matched",
        format!(
            "{} {} was read as {}.",
            field.label_en(),
            quote(from),
            quote(to)
        ),
    )
    .with("value", from)
    .with("as", to)
}

/// An error for a cell that names nothing of the event, or several things, with the
/// candidates it offers.
fn not_found(
    field: Field,
    code: &str,
    text: &str,
    message: String,
    candidates: Vec<String>,
    unmatched: &mut Vec<Unmatched>,
) -> Message {
    let offer = if candidates.is_empty() {
        String::new()
    } else {
        format!(
            " It may be: {}.",
            candidates
                .iter()
                .map(|c| quote(c))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    unmatched.push(Unmatched {
        field,
        value: text.to_string(),
        candidates: candidates.clone(),
        rows: 1,
    });
    let m = error(field, code, format!("{message}{offer}")).with("value", text);
    if candidates.is_empty() {
        m
    } else {
        m.with("candidates", candidates.join(", "))
    }
}

fn error(field: Field, code: &str, message: impl Into<String>) -> Message {
    Message::new(Severity::Error, code, message).on(field.as_str())
}

fn warning(field: Field, code: &str, message: impl Into<String>) -> Message {
    Message::new(Severity::Warning, code, message).on(field.as_str())
}

fn quote(text: &str) -> String {
    // Cells can be 5,000 characters long; a message quotes the start.
    let short: String = text.chars().take(60).collect();
    if short.len() < text.len() {
        format!("\u{201c}{short}…\u{201d}")
    } else {
        format!("\u{201c}{short}\u{201d}")
    }
}

fn parse_date_field(
    cells: &Cells<'_>,
    field: Field,
    what: &str,
    messages: &mut Vec<Message>,
) -> Option<NaiveDate> {
    let text = cells.get(field)?;
    match values::parse_date(text) {
        Some(when) => {
            if when.ambiguous {
                messages.push(
                    warning(
                        field,
                        "ambiguous_date",
                        format!(
                            "{what} {} was read day first, as {}; check it.",
                            quote(text),
                            crate::dates::long_date(when.date, Language::En)
                        ),
                    )
                    .with("value", text)
                    .with("date", when.date),
                );
            }
            Some(when.date)
        }
        None => {
            messages.push(
                error(
                    field,
                    "bad_date",
                    format!(
                        "{what} {} is not a date this app can read (use e.g. 2024-09-25).",
                        quote(text)
                    ),
                )
                .with("value", text),
            );
            None
        }
    }
}

fn category(text: &str) -> Option<Category> {
    let k = key(text);
    let composed: String = unicode_normalization::UnicodeNormalization::nfc(k.as_str()).collect();
    Some(match composed.as_str() {
        "headofdelegation" | "hod" | "head" | "수석대표" | "대표단장" | "단장" => {
            Category::HeadOfDelegation
        }
        "delegate" | "delegates" | "member" | "participant" | "대표" | "대표단원" | "참가자"
        | "단원" => Category::Delegate,
        "speaker" | "presenter" | "panelist" | "연사" | "발표자" | "토론자" => {
            Category::Speaker
        }
        "observer" | "옵서버" | "참관" | "참관인" => Category::Observer,
        "vip" | "귀빈" => Category::Vip,
        "staff" | "secretariat" | "organizer" | "직원" | "사무국" | "운영요원" => {
            Category::Staff
        }
        "press" | "media" | "journalist" | "기자" | "언론" | "취재" => Category::Press,
        "interpreter" | "통역" | "통역사" | "통역요원" => Category::Interpreter,
        _ => return Category::parse(text.trim()),
    })
}

fn gender(text: &str) -> Option<Gender> {
    let k = key(text);
    let composed: String = unicode_normalization::UnicodeNormalization::nfc(k.as_str()).collect();
    Some(match composed.as_str() {
        "f" | "female" | "woman" | "w" | "여" | "여성" | "여자" | "ms" | "mrs" => {
            Gender::Female
        }
        "m" | "male" | "man" | "남" | "남성" | "남자" | "mr" => Gender::Male,
        "other" | "x" | "기타" => Gender::Other,
        // "Not stated" is what `ddesk export` writes.
        "" | "unspecified" | "na" | "notstated" | "미상" | "미기재" => Gender::Unspecified,
        _ => return None,
    })
}

fn status(text: &str) -> Option<OfficialStatus> {
    let k = key(text);
    let composed: String = unicode_normalization::UnicodeNormalization::nfc(k.as_str()).collect();
    Some(match composed.as_str() {
        "invited" | "초청" | "초청중" => OfficialStatus::Invited,
        "registered" | "등록" | "등록완료" | "신청" => OfficialStatus::Registered,
        "confirmed" | "attending" | "확정" | "참석" | "참석확정" => {
            OfficialStatus::Confirmed
        }
        "cancelled" | "canceled" | "withdrawn" | "notattending" | "취소" | "불참" => {
            OfficialStatus::Cancelled
        }
        _ => return None,
    })
}

fn delegation_kind(text: &str) -> Option<DelegationKind> {
    let k = key(text);
    let composed: String = unicode_normalization::UnicodeNormalization::nfc(k.as_str()).collect();
    match composed.as_str() {
        "country" | "국가" => Some(DelegationKind::Country),
        "organization" | "organisation" | "org" | "국제기구" | "기관" => {
            Some(DelegationKind::Organization)
        }
        _ => None,
    }
}

fn language(text: &str) -> Option<Language> {
    let k = key(text);
    let composed: String = unicode_normalization::UnicodeNormalization::nfc(k.as_str()).collect();
    match composed.as_str() {
        "en" | "eng" | "english" | "영어" => Some(Language::En),
        "ko" | "kor" | "korean" | "한국어" | "국문" => Some(Language::Ko),
        _ => None,
    }
}

/// A flight leg from its date, time, flight, airport and other end.
#[allow(clippy::too_many_arguments)]
fn leg(
    ctx: &Context,
    cells: &Cells<'_>,
    direction: Direction,
    date_field: Field,
    time_field: Field,
    flight_field: Field,
    airport_field: Field,
    other_end_field: Field,
    messages: &mut Vec<Message>,
) -> Option<Travel> {
    let what = match direction {
        Direction::Arrival => "arrival",
        Direction::Departure => "departure",
    };
    let date_text = cells.get(date_field);
    let time_text = cells.get(time_field);
    let flight = cells.get(flight_field);
    if date_text.is_none() && time_text.is_none() && flight.is_none() {
        return None;
    }
    let mut when = None;
    let mut failed = false;
    if let Some(text) = date_text {
        match values::parse_when(text) {
            Some(w) => when = Some(w),
            None => {
                failed = true;
                messages.push(
                    error(
                        date_field,
                        "bad_date",
                        format!(
                            "The {what} date {} is not a date this app can read.",
                            quote(text)
                        ),
                    )
                    .with("value", text)
                    .with("leg", what),
                );
            }
        }
    }
    let mut time = when.and_then(|w| w.time);
    if let Some(text) = time_text {
        // A time column may hold the whole date and time.
        match values::parse_time_of_day(text) {
            Some(t) => time = Some(t),
            None => match values::parse_when(text) {
                Some(w) if w.time.is_some() => {
                    when = Some(w);
                    time = w.time;
                }
                _ => {
                    failed = true;
                    messages.push(error(
                        time_field,
                        "bad_time",
                        format!("The {what} time {} is not a time this app can read (use e.g. 17:35).", quote(text)),
                    )
                    .with("value", text)
                    .with("leg", what));
                }
            },
        }
    }
    if failed {
        return None;
    }
    let Some(when) = when else {
        messages.push(
            warning(
                date_field,
                "leg_without_date",
                format!("The {what} has a flight or time but no date; add the flight by hand."),
            )
            .with("leg", what),
        );
        return None;
    };
    if when.ambiguous {
        messages.push(
            warning(
                date_field,
                "ambiguous_date",
                format!(
                    "The {what} date was read day first, as {}; check it.",
                    crate::dates::long_date(when.date, Language::En)
                ),
            )
            .with("leg", what)
            .with("date", when.date),
        );
    }
    let Some(time) = time else {
        messages.push(
            warning(
                time_field,
                "leg_without_time",
                format!(
                    "The {what} on {} has no time; the flight is left out, add it by hand.",
                    when.date
                ),
            )
            .with("leg", what)
            .with("date", when.date),
        );
        return None;
    };
    let Some(scheduled_at) = ctx.to_utc(values::at(when.date, time)) else {
        messages.push(
            error(
                time_field,
                "bad_time",
                format!(
                    "{} {time} does not exist in {} (a clock change).",
                    when.date, ctx.event.time_zone
                ),
            )
            .with("date", when.date)
            .with("time", time)
            .with("zone", &ctx.event.time_zone),
        );
        return None;
    };
    let pickup = match direction {
        Direction::Arrival => match cells.get(Field::ArrivalPickup) {
            Some(text) => values::parse_bool(text).unwrap_or_else(|| {
                messages.push(
                    warning(
                        Field::ArrivalPickup,
                        "bad_yes_no",
                        format!(
                            "Airport pickup {} is neither yes nor no; taken as no.",
                            quote(text)
                        ),
                    )
                    .with("value", text),
                );
                false
            }),
            None => false,
        },
        Direction::Departure => false,
    };
    Some(Travel {
        direction,
        // Upper case as a save would make it, so the preview shows what is written.
        flight: flight
            .map(|f| f.replace(' ', "").to_uppercase())
            .unwrap_or_default(),
        airport: cells.get(airport_field).unwrap_or_default().to_uppercase(),
        origin: cells
            .get(other_end_field)
            .unwrap_or_default()
            .to_uppercase(),
        scheduled_at,
        pickup,
        ..Travel::default()
    })
}

/// Turns one row into records and messages (duplicates are found afterwards).
fn build_row(
    conn: &Connection,
    ctx: &Context,
    mapping: &Mapping,
    row: &SourceRow,
) -> Result<RowPreview> {
    let cells = Cells {
        row,
        mapping,
        mapped: &ctx.mapped,
    };
    let mut messages = Vec::new();
    let mut values = Vec::new();
    let mut unmatched = Vec::new();
    for field in mapping.values.keys() {
        if let Some(from) = cells.raw(*field) {
            if let Some(to) = ctx.mapped.get(*field, from) {
                values.push(ValueMatch {
                    field: *field,
                    from: from.to_string(),
                    to: to.to_string(),
                    how: How::Mapped,
                    rows: 1,
                });
            }
        }
    }
    let mapped_fields: Vec<Field> = values.iter().map(|v| v.field).collect();
    let mapped = |field: Field| mapped_fields.contains(&field);
    let (category_mapped, nationality_mapped) =
        (mapped(Field::Category), mapped(Field::Nationality));
    let provided: Vec<Field> = Field::ALL
        .iter()
        .copied()
        .filter(|f| cells.get(*f).is_some())
        .collect();
    let mut o = Official {
        event_id: ctx.event.id.clone(),
        ..Official::default()
    };
    let text = |f: Field| cells.get(f).unwrap_or_default().to_string();
    o.family_name = text(Field::FamilyName);
    o.given_name = text(Field::GivenName);
    o.native_name = text(Field::NativeName);
    if let Some(whole) = cells.get(Field::FullName) {
        if o.family_name.is_empty() {
            let (family, given) = values::split_name(whole);
            o.family_name = family;
            if o.given_name.is_empty() {
                o.given_name = given;
            }
        }
        if o.native_name.is_empty() && !values::is_latin(whole) {
            o.native_name = whole.to_string();
        }
    }
    o.honorific = text(Field::Honorific);
    o.badge_name = text(Field::BadgeName);
    o.position = text(Field::Position);
    o.organization = text(Field::Organization);
    o.email = text(Field::Email);
    o.phone = text(Field::Phone);
    o.passport_number = text(Field::PassportNumber)
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect();
    let mut diet_note = None;
    if let Some(t) = cells.get(Field::Dietary) {
        // Diets are counted for the kitchen by name: a cell that names one is written as
        // its name, a remark beside it kept in the notes; any other need is kept as written.
        if !matching::is_no_diet(t) {
            o.dietary = t.to_string();
            match matching::diets().find(t) {
                Found::Exact(diet) => o.dietary = diet.to_string(),
                Found::Loose { item, how, rest } => {
                    o.dietary = item.to_string();
                    let note = rest.unwrap_or_else(|| t.to_string());
                    diet_note = Some(format!("Dietary: {note}"));
                    messages.push(read_as(Field::Dietary, t, item, how, &mut values));
                }
                Found::Several(_) | Found::Nothing => {}
            }
        }
    }
    o.accessibility = text(Field::Accessibility);
    o.interpretation_language = text(Field::InterpretationLanguage);
    o.notes = text(Field::Notes);
    if let Some(note) = diet_note {
        o.notes = if o.notes.is_empty() {
            note
        } else {
            format!("{}\n{note}", o.notes)
        };
    }
    if let Some(t) = cells.get(Field::Category) {
        let loose = || match category_names().find(t) {
            Found::Exact(c) => Some((*c, None)),
            Found::Loose { item, how, .. } => Some((*item, Some(how))),
            _ => None,
        };
        match category(t).map(|c| (c, None)).or_else(loose) {
            Some((c, how)) => {
                o.category = c;
                if let (Some(how), false) = (how, category_mapped) {
                    let to = crate::export::word(c.as_str(), false);
                    messages.push(read_as(Field::Category, t, to, how, &mut values));
                }
            }
            None => messages.push(
                warning(
                    Field::Category,
                    "unknown_category",
                    format!(
                        "Category {} is not one this app knows; imported as delegate.",
                        quote(t)
                    ),
                )
                .with("value", t),
            ),
        }
    }
    if let Some(t) = cells.get(Field::Gender) {
        match gender(t) {
            Some(g) => o.gender = g,
            None => messages.push(
                warning(
                    Field::Gender,
                    "unknown_gender",
                    format!(
                        "Gender {} is not one this app knows; left unspecified.",
                        quote(t)
                    ),
                )
                .with("value", t),
            ),
        }
    }
    if let Some(t) = cells.get(Field::Status) {
        match status(t) {
            Some(s) => o.status = s,
            None => messages.push(
                warning(
                    Field::Status,
                    "unknown_status",
                    format!(
                        "Status {} is not one this app knows; imported as invited.",
                        quote(t)
                    ),
                )
                .with("value", t),
            ),
        }
    }
    if let Some(t) = cells.get(Field::LodgesElsewhere) {
        match values::parse_bool(t) {
            Some(b) => o.lodges_elsewhere = b,
            None => messages.push(
                warning(
                    Field::LodgesElsewhere,
                    "bad_yes_no",
                    format!(
                        "Lodges elsewhere {} is neither yes nor no; taken as no.",
                        quote(t)
                    ),
                )
                .with("value", t),
            ),
        }
    }
    // A hotel cell that says the official lodges elsewhere ("Own arrangements" in our forms,
    // or a hotel the officer mapped to none of the event's) says so of the official too.
    if cells.mapped_to_nothing(Field::Hotel)
        || cells
            .get(Field::Hotel)
            .is_some_and(crate::registration::is_own_arrangements)
    {
        o.lodges_elsewhere = true;
    }
    if let Some(t) = cells.get(Field::Language) {
        match language(t) {
            Some(l) => o.language = l,
            None => messages.push(
                warning(
                    Field::Language,
                    "unknown_language",
                    format!(
                        "Language {} is neither English nor Korean; English is used.",
                        quote(t)
                    ),
                )
                .with("value", t),
            ),
        }
    }
    if let Some(t) = cells.get(Field::Nationality) {
        match values::parse_country(t) {
            Some(code) => o.nationality = code.to_string(),
            None => {
                let found = country_names().find(t);
                match found {
                    Found::Loose { item, how, .. } if !nationality_mapped => {
                        o.nationality = item.to_string();
                        let to = reference::country(item).map(|c| c.name_en.as_str()).unwrap_or(item);
                        messages.push(read_as(Field::Nationality, t, to, how, &mut values));
                    }
                    Found::Exact(code) | Found::Loose { item: code, .. } => o.nationality = code.to_string(),
                    _ => messages.push(not_found(
                        Field::Nationality,
                        "unknown_country",
                        t,
                        format!("{} is not a country this app knows; write its English or Korean name or its ISO code (VN).", quote(t)),
                        match found {
                            Found::Several(_) => candidates(country_names(), &found),
                            _ => Vec::new(),
                        },
                        &mut unmatched,
                    )),
                }
            }
        }
    }
    o.birth_date = parse_date_field(&cells, Field::BirthDate, "The date of birth", &mut messages);
    o.passport_expiry = parse_date_field(
        &cells,
        Field::PassportExpiry,
        "The passport expiry",
        &mut messages,
    );

    let delegation = match cells.get(Field::Delegation) {
        Some(t) => match ctx.delegation(t) {
            Ok((d, how)) => {
                if let (Some(how), false) = (how, mapped(Field::Delegation)) {
                    let to = d.name_en.clone();
                    messages.push(read_as(Field::Delegation, t, &to, how, &mut values));
                }
                Some(d)
            }
            // The file says the delegation is an organization (our own officials list does):
            // one the event does not have yet is created under that name.
            Err(_)
                if cells.get(Field::DelegationKind).and_then(delegation_kind)
                    == Some(DelegationKind::Organization) =>
            {
                Some(DelegationChoice {
                    id: None,
                    kind: DelegationKind::Organization,
                    country_code: None,
                    org_code: None,
                    name_en: t.to_string(),
                    name_ko: if values::is_latin(t) {
                        String::new()
                    } else {
                        t.to_string()
                    },
                })
            }
            Err(offer) => {
                messages.push(not_found(
                    Field::Delegation,
                    "unknown_delegation",
                    t,
                    format!("No delegation {} at this event, and it is neither a country nor a known organization; add it under Delegations first, or map the value.", quote(t)),
                    offer,
                    &mut unmatched,
                ));
                None
            }
        },
        // A returned registration form's rows join the delegation it was written for.
        None if ctx.form_delegation.is_some() => ctx.form_delegation.as_ref().map(choice_of),
        // Without a delegation column, officials join their country's delegation; the host
        // country's people (organizers, local speakers) are not a delegation of their own.
        None if !o.nationality.is_empty() && o.nationality != ctx.event.host_country => {
            ctx.delegation(&o.nationality).ok().map(|(d, _)| d)
        }
        None => None,
    };
    o.delegation_id = delegation.as_ref().and_then(|d| d.id.clone());

    let arrival = leg(
        ctx,
        &cells,
        Direction::Arrival,
        Field::ArrivalDate,
        Field::ArrivalTime,
        Field::ArrivalFlight,
        Field::ArrivalAirport,
        Field::ArrivalFrom,
        &mut messages,
    );
    let departure = leg(
        ctx,
        &cells,
        Direction::Departure,
        Field::DepartureDate,
        Field::DepartureTime,
        Field::DepartureFlight,
        Field::DepartureAirport,
        Field::DepartureTo,
        &mut messages,
    );
    let (stay, hotel_name) = stay(
        ctx,
        &cells,
        (arrival.as_ref(), departure.as_ref()),
        &mut messages,
        &mut values,
        &mut unmatched,
    );

    // The engine's own rules, as a save would run them.
    let mut checker = Checker::default();
    o.check_fields(&mut checker);
    o.validate(conn, &mut checker)?;
    if let Err(Error::Validation(errors)) = checker.finish() {
        for e in errors {
            // A missing family name from a whole-name column is about that column.
            let field = if e.field == "family_name" && mapping.column(Field::FamilyName).is_none() {
                Field::FullName.as_str().to_string()
            } else {
                e.field.clone()
            };
            messages.push(Message {
                severity: Severity::Error,
                field: Some(field),
                code: e.code.to_string(),
                message: e.message,
                params: Default::default(),
            });
        }
    }
    for (leg, field) in [
        (&arrival, Field::ArrivalFlight),
        (&departure, Field::DepartureFlight),
    ] {
        if let Some(leg) = leg {
            let mut leg = leg.clone();
            let mut checker = Checker::default();
            leg.check_fields(&mut checker);
            if let Err(Error::Validation(errors)) = checker.finish() {
                for e in errors {
                    messages.push(error(field, e.code, e.message));
                }
            }
        }
    }
    if let Some(stay) = &stay {
        let mut stay = stay.clone();
        let mut checker = Checker::default();
        stay.check_fields(&mut checker);
        if let Err(Error::Validation(errors)) = checker.finish() {
            for e in errors {
                messages.push(error(Field::RoomNumber, e.code, e.message));
            }
        }
    }

    // Warnings: things worth a look that do not block the row.
    if let Some(expiry) = o.passport_expiry {
        let end = ctx.event.end_date;
        if expiry > end && expiry < values::add_months(end, 6) {
            messages.push(warning(
                Field::PassportExpiry,
                "passport_expires_soon",
                format!("The passport expires on {expiry}, within six months of the event's end ({end}); many countries refuse entry on it."),
            )
            .with("date", expiry)
            .with("end", end));
        }
    }
    if o.email.is_empty() {
        messages.push(warning(
            Field::Email,
            "no_email",
            "No e-mail address; the itinerary cannot be sent.",
        ));
    }
    let sessions = attendance(ctx, row, &mut messages);
    messages.sort_by_key(|m| m.severity);
    let status = if messages.iter().any(|m| m.severity == Severity::Error) {
        RowStatus::Error
    } else {
        RowStatus::New
    };
    Ok(RowPreview {
        row: row.row,
        status,
        official: o,
        delegation,
        arrival,
        departure,
        stay,
        hotel_name,
        messages,
        duplicate_of: None,
        duplicate_in_file: None,
        changes: Vec::new(),
        sessions,
        values,
        unmatched,
        provided,
    })
}

fn stay(
    ctx: &Context,
    cells: &Cells<'_>,
    (arrival, departure): (Option<&Travel>, Option<&Travel>),
    messages: &mut Vec<Message>,
    values: &mut Vec<ValueMatch>,
    unmatched: &mut Vec<Unmatched>,
) -> (Option<Stay>, Option<String>) {
    if cells.mapped_to_nothing(Field::Hotel)
        || cells
            .get(Field::Hotel)
            .is_some_and(crate::registration::is_own_arrangements)
    {
        // The officer said the hotel the row names is none of the event's: the official
        // lodges elsewhere, and the stay is theirs to arrange.
        return (None, None);
    }
    let hotel_text = cells.get(Field::Hotel);
    let any = hotel_text.is_some()
        || cells.get(Field::CheckIn).is_some()
        || cells.get(Field::CheckOut).is_some()
        || cells.get(Field::RoomNumber).is_some();
    if !any {
        return (None, None);
    }
    // Hotels are matched, never created: they carry contracts and room blocks the officer
    // sets up, and a spelling variant in a cell must not become a second hotel.
    let hotel = match hotel_text {
        Some(t) => match ctx.hotel(t) {
            Ok((h, how)) => {
                let mapped = cells
                    .raw(Field::Hotel)
                    .is_some_and(|raw| ctx.mapped.get(Field::Hotel, raw).is_some());
                if let (Some(how), false) = (how, mapped) {
                    messages.push(read_as(Field::Hotel, t, &h.name, how, values));
                }
                h
            }
            Err(offer) => {
                messages.push(not_found(
                    Field::Hotel,
                    "unknown_hotel",
                    t,
                    format!("No hotel {} at this event; add it under Hotels first, correct the name, or map the value.", quote(t)),
                    offer,
                    unmatched,
                ));
                return (None, None);
            }
        },
        None => match ctx.hotels.as_slice() {
            [only] => only,
            _ => {
                messages.push(error(
                    Field::Hotel,
                    "unknown_hotel",
                    "The row has stay dates or a room but no hotel, and the event has more than one hotel (or none).",
                ));
                return (None, None);
            }
        },
    };
    let mut date = |field: Field, what: &str| parse_date_field(cells, field, what, messages);
    let check_in = date(Field::CheckIn, "The check-in date");
    let check_out = date(Field::CheckOut, "The check-out date");
    let local = |t: &Travel| t.scheduled_at.with_timezone(&ctx.tz).date_naive();
    let check_in = match check_in {
        Some(d) => d,
        None if cells.get(Field::CheckIn).is_some() => return (None, None),
        None => match arrival {
            Some(a) => local(a),
            None => {
                messages.push(
                    warning(
                        Field::CheckIn,
                        "stay_dates_assumed",
                        format!(
                            "No check-in date; the event's first day ({}) is used.",
                            ctx.event.start_date
                        ),
                    )
                    .with("date", ctx.event.start_date),
                );
                ctx.event.start_date
            }
        },
    };
    let check_out = match check_out {
        Some(d) => d,
        None if cells.get(Field::CheckOut).is_some() => return (None, None),
        None => match departure {
            Some(d) => local(d),
            None => {
                let day_after = ctx.event.end_date.succ_opt().unwrap_or(ctx.event.end_date);
                messages.push(
                    warning(
                        Field::CheckOut,
                        "stay_dates_assumed",
                        format!(
                            "No check-out date; the day after the event ({day_after}) is used."
                        ),
                    )
                    .with("date", day_after),
                );
                day_after
            }
        },
    };
    if check_out <= check_in {
        messages.push(error(
            Field::CheckOut,
            "end_before_start",
            "Check-out must be after check-in.",
        ));
        return (None, None);
    }
    (
        Some(Stay {
            hotel_id: hotel.id.clone(),
            check_in,
            check_out,
            room_number: cells.get(Field::RoomNumber).unwrap_or_default().to_string(),
            ..Stay::default()
        }),
        Some(hotel.name.clone()),
    )
}

fn build(
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
            Message::new(
                Severity::Info,
                "columns_left_out",
                format!("Not imported (no field chosen): {}.", unmapped.join(", ")),
            )
            .with("columns", unmapped.join(", ")),
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
fn form_delegation(
    conn: &Connection,
    event: &Event,
    tag: &crate::registration::FormTag,
) -> Result<Delegation> {
    if tag.event_id != event.id {
        let other = Event::get(conn, &tag.event_id)
            .map(|e| format!("\u{201c}{}\u{201d}", e.name_en))
            .unwrap_or_else(|_| "an event this library does not have".into());
        return Err(Error::Import {
            code: "form_of_another_event",
            message: format!(
                "This registration form was written for {other}, not for \u{201c}{}\u{201d}; open that event to import it.",
                event.name_en
            ),
        });
    }
    Delegation::get(conn, &tag.delegation_id)
        .ok()
        .filter(|d| d.event_id == event.id)
        .ok_or_else(|| Error::Import {
            code: "form_delegation_gone",
            message: "This registration form was written for a delegation the event no longer has; add the delegation again, or import a list with a delegation column.".into(),
        })
}

/// What the officer should know of a returned form: a delegation over its seats, and the
/// officials the delegation no longer lists (left as they are).
fn form_notes(ctx: &Context, d: &Delegation, rows: &[RowPreview], notes: &mut Vec<Message>) {
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
            Message::new(
                Severity::Warning,
                "over_quota",
                format!(
                    "{} has {} seats; with this form it would have {attending} officials.",
                    d.name_en, d.seats
                ),
            )
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
            Message::new(
                Severity::Warning,
                "not_in_form",
                format!(
                    "Registered but not in the returned form (left as they are; cancel them by hand if they no longer come): {}.",
                    missing.join(", ")
                ),
            )
            .with("names", missing.join(", ")),
        );
    }
    notes.push(
        Message::new(
            Severity::Info,
            "form_for",
            format!(
                "A registration form for {}: its rows join that delegation.",
                d.name_en
            ),
        )
        .with("delegation", &d.name_en),
    );
}

/// The rows' loose and mapped values and their unmatched ones, once each with their row
/// counts, and what each field's values can be mapped to.
fn value_lists(
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

/// The official a row's values make of an existing one: only cells with a value replace.
fn merged(existing: &Official, row: &RowPreview) -> Official {
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
        language = Field::Language,
        lodges_elsewhere = Field::LodgesElsewhere,
        status = Field::Status,
        notes = Field::Notes
    );
    o
}

/// Writes a flight or stay of a row: a new one as the preview checked it, an existing one
/// (replaced by an update) through a validating save.
fn write_checked<R: store::Entity>(tx: &Transaction<'_>, record: R, batch: &str) -> Result<R> {
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
                message: format!(
                    "{} errors; correct them in the file or leave them out. Nothing was imported.",
                    if preview.counts.error == 1 {
                        "1 row has".to_string()
                    } else {
                        format!("{} rows have", preview.counts.error)
                    }
                ),
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
                    message: format!(
                        "Row {}: {}",
                        row.row,
                        errors
                            .iter()
                            .map(|e| e.message.as_str())
                            .collect::<Vec<_>>()
                            .join(" ")
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
                let on_roster: Option<(String, String)> = tx
                    .query_row(
                        "SELECT id, role FROM participant WHERE session_id = ? AND official_id = ?",
                        [&a.session_id, &official_id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                match (a.attends, on_roster) {
                    (true, None) => {
                        store::insert_checked(
                            tx,
                            Participant {
                                session_id: a.session_id.clone(),
                                official_id: official_id.clone(),
                                role: Role::Participant,
                                ..Participant::default()
                            },
                            Some(batch),
                        )
                        .map_err(in_row)?;
                        report.attendance_written += 1;
                    }
                    // "No" takes a participant off the roster; a speaker or chair stays (the
                    // officer put them there).
                    (false, Some((id, role))) if role == Role::Participant.as_str() => {
                        store::delete_in_batch::<Participant>(tx, &id, false, Some(batch))?;
                        report.attendance_written += 1;
                    }
                    _ => {}
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
