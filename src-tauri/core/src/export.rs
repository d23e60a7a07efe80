//! Spreadsheet exports: officials, delegations, rooming lists, session rosters, arrivals,
//! departures and the dietary summary, as CSV (one table) or XLSX (one sheet per table).
//!
//! Every table is built once as typed cells ([`Sheet`]) and then written by either writer, so
//! the CSV and the workbook always agree. CSV is UTF-8 with a byte-order mark (Excel otherwise
//! reads Korean as mojibake), quoted as RFC 4180 says, and every text cell that a spreadsheet
//! would run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) is
//! neutralised with a leading apostrophe, as OWASP's CSV-injection guidance recommends. XLSX
//! cells are written as typed strings, numbers and dates, so they are never formulas and keep
//! their text exactly.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::*;
use crate::queries::{self, ListQuery, OfficialQuery};
use crate::store::Store;
use crate::words::Text;

/// A table an officer can export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    Officials,
    Delegations,
    /// Hotel guests with their dates, room and room-mate (one hotel, or every hotel).
    Rooming,
    /// One session's roster (needs a session).
    Roster,
    Arrivals,
    Departures,
    /// Dietary needs and accessibility needs summed for the caterer, with the names.
    Diets,
    /// Each meal's head-count and the dietary and accessibility needs of those on it.
    Meals,
    /// The register of outgoing letters and certificates (issue 19).
    Letters,
}

impl Table {
    pub const ALL: &'static [Table] = &[
        Table::Officials,
        Table::Delegations,
        Table::Rooming,
        Table::Roster,
        Table::Arrivals,
        Table::Departures,
        Table::Diets,
        Table::Meals,
        Table::Letters,
    ];

    /// The table's name in the CLI and in file names.
    pub fn key(self) -> &'static str {
        match self {
            Table::Officials => "officials",
            Table::Delegations => "delegations",
            Table::Rooming => "rooming",
            Table::Roster => "roster",
            Table::Arrivals => "arrivals",
            Table::Departures => "departures",
            Table::Diets => "diets",
            Table::Meals => "meals",
            Table::Letters => "letters",
        }
    }

    pub fn parse(text: &str) -> Option<Table> {
        Self::ALL.iter().copied().find(|t| t.key() == text)
    }

    fn title(self, lang: Language) -> String {
        let ko = lang == Language::Ko;
        match self {
            Table::Officials => pick(ko, "out-officials-2"),
            Table::Delegations => pick(ko, "out-delegations"),
            Table::Rooming => pick(ko, "out-rooming-list"),
            Table::Roster => pick(ko, "out-session-roster"),
            Table::Arrivals => pick(ko, "out-arrivals"),
            Table::Departures => pick(ko, "out-departures"),
            Table::Diets => pick(ko, "out-dietary-summary"),
            Table::Meals => pick(ko, "out-meals"),
            Table::Letters => pick(ko, "out-letter-register"),
        }
    }
}

/// The catalogue's words for `id`, in Korean when `ko`.
pub(crate) fn pick(ko: bool, id: &str) -> String {
    crate::words::word(if ko { "ko" } else { "en" }, id)
}

/// CSV or XLSX.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Csv,
    #[default]
    Xlsx,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// What to export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportRequest {
    pub event_id: String,
    /// One table for CSV; one or more for XLSX (several make a combined workbook).
    pub tables: Vec<Table>,
    pub format: Format,
    /// Rooming: one hotel; `None` is every hotel.
    #[serde(default)]
    pub hotel_id: Option<String>,
    /// Roster: the session (required when the roster is exported).
    #[serde(default)]
    pub session_id: Option<String>,
    /// The language of column headers and of country and hotel names.
    #[serde(default)]
    pub language: Language,
    /// Passport numbers in full; otherwise masked (`M12****78`), as a file that travels by
    /// e-mail should carry them (issue 17). The hotel's police register and visa letters need
    /// them in full, so the officer may ask for that, per output.
    #[serde(default)]
    pub full_passport: bool,
}

/// `bytes` (the export, named `name` inside) in a ZIP encrypted with AES-256 under `password`
/// (WinZip's AE-2, which Windows' own Explorer cannot open but 7-Zip, WinZip, Bandizip and
/// macOS's Archive Utility can): how a file with full passport numbers travels by e-mail.
pub fn encrypted_zip(name: &str, bytes: &[u8], password: &str) -> Result<Vec<u8>> {
    use std::io::Write;
    crate::store::key::check_passphrase("zip_password", password)?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .with_aes_encryption(zip::AesMode::Aes256, password);
    let failed = |e: zip::result::ZipError| Error::Internal(e.into());
    out.start_file(name, options).map_err(failed)?;
    out.write_all(bytes)?;
    Ok(out.finish().map_err(failed)?.into_inner())
}

/// A passport number as lists and files show it unless the officer asks for it in full: the
/// first three characters and the last two of a number of eight or more (`M12****78`), the
/// first and last of a shorter one, and nothing of one of four or fewer. Enough to tell two
/// officials' numbers apart on a desk, not enough to use.
pub fn mask_passport(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let n = chars.len();
    let (head, tail) = match n {
        0 => return String::new(),
        1..=4 => (0, 0),
        5..=7 => (1, 1),
        _ => (3, 2),
    };
    let mut out: String = chars[..head].iter().collect();
    out.extend(std::iter::repeat_n('*', n - head - tail));
    out.extend(&chars[n - tail..]);
    out
}

/// One typed cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    Date(NaiveDate),
    /// Local time in the event's zone.
    DateTime(NaiveDateTime),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s.to_string())
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    }
}

impl From<&String> for Cell {
    fn from(s: &String) -> Cell {
        Cell::from(s.as_str())
    }
}

impl From<Option<NaiveDate>> for Cell {
    fn from(d: Option<NaiveDate>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }
}

impl Cell {
    /// The CSV text: dates in ISO form (what every spreadsheet reads back as a date).
    fn csv_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => neutralize(s),
            Cell::Int(n) => n.to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::DateTime(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        }
    }
}

/// A text cell a spreadsheet would run as a formula gets a leading apostrophe; the apostrophe
/// shows, which is the point: the officer sees the text, the spreadsheet computes nothing.
/// Korean input methods type the full-width forms (`＝`), which spreadsheets in an East Asian
/// locale read as the ASCII ones. A phone number (`+998 71 123 4567`) is left as it is: with no
/// letter in it, it can name no function, sheet, link or other program, so at worst a
/// spreadsheet reads it as a number, and LibreOffice keeps it as text (tested).
pub fn neutralize(text: &str) -> String {
    if is_phone_number(text) {
        return text.to_string();
    }
    match text.chars().next() {
        Some(
            '=' | '+' | '-' | '@' | '\t' | '\r' | '\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}',
        ) => {
            format!("'{text}")
        }
        _ => text.to_string(),
    }
}

/// `+`, then only digits, blanks, brackets and dashes, with at least seven digits: an
/// international phone number and nothing else.
pub fn is_phone_number(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('+') else {
        return false;
    };
    rest.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '(' | ')' | '-'))
        && rest.chars().filter(char::is_ascii_digit).count() >= 7
}

/// A built table: its sheet name, headers and typed rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub table: Table,
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Builds the request's tables and writes them in its format.
pub fn export(store: &Store, request: &ExportRequest) -> Result<Vec<u8>> {
    let sheets = store.read_apart(|conn| sheets(conn, request))?;
    match request.format {
        Format::Csv => {
            let [sheet] = sheets.as_slice() else {
                return Err(invalid("csv_one"));
            };
            csv(sheet)
        }
        Format::Xlsx => xlsx(&sheets),
    }
}

/// A file name for the export: "Officials.csv", "Rooming list - Lotte Hotel.xlsx", or the
/// event's name for a combined workbook.
/// What the output log records of an export: its file name and, when it lists the officials,
/// how many people it holds and whether their passport numbers are in full (PIPA expects the
/// record of an access to say what went out).
pub fn output_note(store: &Store, request: &ExportRequest) -> Result<String> {
    let mut note = file_name(store, request)?;
    if request.tables.contains(&Table::Officials) {
        let people: i64 = store.read(|conn| {
            Ok(conn.query_row(
                "SELECT count(*) FROM official WHERE event_id = ?",
                [&request.event_id],
                |r| r.get(0),
            )?)
        })?;
        note.push_str(&format!(
            ", {}",
            crate::text::counted(people, "person", Some("people"))
        ));
        if request.full_passport {
            note.push_str(", passport numbers in full");
        }
    }
    Ok(note)
}

pub fn file_name(store: &Store, request: &ExportRequest) -> Result<String> {
    let ko = request.language == Language::Ko;
    let stem = store.read(|conn| {
        let event: Event = Event::get(conn, &request.event_id)?;
        Ok(match request.tables.as_slice() {
            [Table::Rooming] => match &request.hotel_id {
                Some(id) => {
                    let h: Hotel = Hotel::get(conn, id)?;
                    format!("{} - {}", Table::Rooming.title(request.language), h.name)
                }
                None => Table::Rooming.title(request.language).to_string(),
            },
            [Table::Roster] => match &request.session_id {
                Some(id) => {
                    let s: Session = Session::get(conn, id)?;
                    let title = if ko && !s.title_ko.is_empty() {
                        s.title_ko
                    } else {
                        s.title_en
                    };
                    format!("{} - {title}", Table::Roster.title(request.language))
                }
                None => Table::Roster.title(request.language).to_string(),
            },
            [one] => one.title(request.language).to_string(),
            _ => {
                if ko && !event.name_ko.is_empty() {
                    event.name_ko
                } else {
                    event.name_en
                }
            }
        })
    })?;
    Ok(format!(
        "{}.{}",
        crate::files::safe_file_stem(&stem),
        request.format.extension()
    ))
}

/// A stored value of a closed set (a category, a status, a gender…) as the officer reads it,
/// in Korean when `ko`: the same words as the app's screens, shared by the exports and
/// `ddesk officials`. An unknown value reads as nothing.
pub fn word(value: &str, ko: bool) -> String {
    let id = format!("value-{value}");
    let said = pick(ko, &id);
    // An unknown value reads as nothing (the catalogue answers an unknown id with the id).
    if said == id {
        String::new()
    } else {
        said
    }
}

/// An export that cannot be made as asked, said by catalogue message `error-export-{name}`.
fn invalid(name: &str) -> Error {
    Error::field(
        "tables",
        "export_choice",
        Text::new(format!("error-export-{name}")),
    )
}

/// Builds every table of the request.
pub fn sheets(conn: &Connection, request: &ExportRequest) -> Result<Vec<Sheet>> {
    if request.tables.is_empty() {
        return Err(invalid("none"));
    }
    let data = Data::load(conn, request)?;
    let mut out = Vec::new();
    for &table in &request.tables {
        let (headers, rows) = match table {
            Table::Officials => data.officials(),
            Table::Delegations => data.delegations(),
            Table::Rooming => data.rooming(conn, request.hotel_id.as_deref())?,
            Table::Roster => {
                let Some(id) = request.session_id.as_deref() else {
                    return Err(invalid("session"));
                };
                data.roster(conn, id)?
            }
            Table::Arrivals => data.travel(conn, Direction::Arrival)?,
            Table::Departures => data.travel(conn, Direction::Departure)?,
            Table::Diets => data.diets(),
            Table::Meals => data.meals(conn)?,
            Table::Letters => data.letters(conn)?,
        };
        out.push(Sheet {
            table,
            name: table.title(request.language).to_string(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows,
        });
    }
    Ok(out)
}

type Built = (Vec<String>, Vec<Vec<Cell>>);

/// The event's records, read once for every table.
struct Data {
    ko: bool,
    tz: chrono_tz::Tz,
    delegations: Vec<queries::DelegationRow>,
    delegation_names: HashMap<String, String>,
    officials: Vec<queries::OfficialRow>,
    event_id: String,
    full_passport: bool,
    ranks: Vec<crate::protocol::Rank>,
}

impl Data {
    fn load(conn: &Connection, request: &ExportRequest) -> Result<Data> {
        let event: Event = Event::get(conn, &request.event_id)?;
        let ko = request.language == Language::Ko;
        let delegations = queries::delegations(conn, &event.id)?;
        let delegation_names = delegations
            .iter()
            .map(|d| {
                let name = if ko && !d.display_name_ko.is_empty() {
                    d.display_name_ko.clone()
                } else {
                    d.display_name_en.clone()
                };
                (d.delegation.id.clone(), name)
            })
            .collect();
        let mut officials = queries::officials(conn, &event.id, &OfficialQuery::default())?.rows;
        officials.sort_by_cached_key(|r| crate::text::fold(&r.full_name));
        Ok(Data {
            ko,
            tz: event.tz(),
            delegations,
            delegation_names,
            officials,
            event_id: event.id,
            full_passport: request.full_passport,
            ranks: crate::protocol::ranks(conn)?,
        })
    }

    /// A protocol rank's name in the export's language (its code when the office's list no
    /// longer has it; the import reads back either).
    fn rank_name(&self, code: &str) -> String {
        match self.ranks.iter().find(|r| r.code == code) {
            Some(r) if self.ko && !r.name_ko.is_empty() => r.name_ko.clone(),
            Some(r) => r.name_en.clone(),
            None => code.to_string(),
        }
    }

    /// A column header: the catalogue's words for `id` in the export's language.
    fn h(&self, id: &str) -> String {
        pick(self.ko, id)
    }

    /// A stored value as the officer reads it, in the export's language.
    fn word(&self, value: &str) -> String {
        word(value, self.ko)
    }

    /// The official's delegation and its kind, both empty for an official of none: the
    /// officials list is read back by the import, where a name in this column names a
    /// delegation (the organization has its own column).
    fn delegation_and_kind(&self, o: &Official) -> (String, String) {
        let Some(id) = &o.delegation_id else {
            return (String::new(), String::new());
        };
        let kind = self
            .delegations
            .iter()
            .find(|d| &d.delegation.id == id)
            .map(|d| self.word(d.delegation.kind.as_str()))
            .unwrap_or_default();
        (
            self.delegation_names.get(id).cloned().unwrap_or_default(),
            kind,
        )
    }

    fn delegation_of(&self, o: &Official) -> String {
        o.delegation_id
            .as_ref()
            .and_then(|id| self.delegation_names.get(id))
            .cloned()
            .unwrap_or_else(|| o.organization.clone())
    }

    fn local(&self, t: chrono::DateTime<chrono::Utc>) -> NaiveDateTime {
        t.with_timezone(&self.tz).naive_local()
    }

    fn officials(&self) -> Built {
        let headers = vec![
            self.h("out-family-name"),
            self.h("out-given-name"),
            self.h("out-native-script-name"),
            self.h("out-badge-name"),
            self.h("out-title"),
            self.h("out-delegation"),
            self.h("out-delegation-type"),
            self.h("out-organization"),
            self.h("out-position"),
            self.h("out-category"),
            self.h("out-status"),
            self.h("out-gender"),
            self.h("out-nationality"),
            self.h("out-birth-date"),
            self.h("out-passport-number"),
            self.h("out-passport-expiry"),
            self.h("out-e-mail"),
            self.h("out-phone"),
            self.h("out-dietary"),
            self.h("out-accessibility"),
            self.h("out-interpretation"),
            self.h("out-protocol-rank"),
            self.h("out-itinerary-language"),
            self.h("out-lodges-elsewhere"),
        ];
        let rows = self
            .officials
            .iter()
            .map(|r| {
                let o = &r.official;
                let (delegation, kind) = self.delegation_and_kind(o);
                vec![
                    Cell::from(&o.family_name),
                    Cell::from(&o.given_name),
                    Cell::from(&o.native_name),
                    Cell::from(&o.badge_name),
                    Cell::from(&o.honorific),
                    Cell::from(delegation),
                    Cell::from(kind),
                    Cell::from(&o.organization),
                    Cell::from(&o.position),
                    Cell::from(self.word(o.category.as_str())),
                    Cell::from(self.word(o.status.as_str())),
                    Cell::from(self.word(o.gender.as_str())),
                    Cell::from(&o.nationality),
                    Cell::from(o.birth_date),
                    Cell::from(if self.full_passport {
                        o.passport_number.clone()
                    } else {
                        mask_passport(&o.passport_number)
                    }),
                    Cell::from(o.passport_expiry),
                    Cell::from(&o.email),
                    Cell::from(&o.phone),
                    Cell::from(&o.dietary),
                    Cell::from(&o.accessibility),
                    Cell::from(&o.interpretation_language),
                    Cell::from(self.rank_name(&o.protocol_rank)),
                    Cell::from(self.word(o.language.as_str())),
                    Cell::from(if o.lodges_elsewhere {
                        pick(self.ko, "out-yes")
                    } else {
                        String::new()
                    }),
                ]
            })
            .collect();
        (headers, rows)
    }

    fn delegations(&self) -> Built {
        let headers = vec![
            self.h("out-delegation"),
            self.h("out-name-english"),
            self.h("out-name-korean"),
            self.h("out-kind"),
            self.h("out-code"),
            self.h("out-status"),
            self.h("out-seats"),
            self.h("out-officials"),
            self.h("out-head-of-delegation"),
            self.h("out-liaison"),
            self.h("out-liaison-phone"),
            self.h("out-liaison-e-mail"),
        ];
        let mut rows: Vec<&queries::DelegationRow> = self.delegations.iter().collect();
        rows.sort_by_cached_key(|d| {
            (
                d.delegation.kind,
                crate::text::fold(&self.delegation_names[&d.delegation.id]),
            )
        });
        let rows = rows
            .into_iter()
            .map(|d| {
                let g = &d.delegation;
                vec![
                    Cell::from(self.delegation_names[&g.id].as_str()),
                    Cell::from(&d.display_name_en),
                    Cell::from(&d.display_name_ko),
                    Cell::from(self.word(g.kind.as_str())),
                    Cell::from(
                        g.country_code
                            .clone()
                            .or(g.org_code.clone())
                            .unwrap_or_default(),
                    ),
                    Cell::from(self.word(g.status.as_str())),
                    Cell::Int(g.seats),
                    Cell::Int(d.officials),
                    Cell::from(&d.head_name),
                    Cell::from(&g.liaison_name),
                    Cell::from(&g.liaison_phone),
                    Cell::from(&g.liaison_email),
                ]
            })
            .collect();
        (headers, rows)
    }

    fn rooming(&self, conn: &Connection, only: Option<&str>) -> Result<Built> {
        let hotels: HashMap<String, Hotel> = queries::hotels(conn, &self.event_id)?
            .into_iter()
            .map(|h| (h.hotel.id.clone(), h.hotel))
            .collect();
        if let Some(id) = only {
            if !hotels.contains_key(id) {
                return Err(Error::NotFound { entity: "hotel" });
            }
        }
        let by_id: HashMap<&str, &queries::OfficialRow> = self
            .officials
            .iter()
            .map(|r| (r.official.id.as_str(), r))
            .collect();
        let mut stays: Vec<(String, &queries::OfficialRow, queries::StayRow)> =
            queries::stays(conn, &self.event_id, &ListQuery::default())?
                .rows
                .into_iter()
                .filter(|s| only.is_none_or(|id| s.stay.hotel_id == id))
                .filter_map(|s| {
                    let row = by_id.get(s.stay.official_id.as_str()).copied()?;
                    let hotel = hotels
                        .get(&s.stay.hotel_id)
                        .map(|h| {
                            if self.ko && !h.name_ko.is_empty() {
                                h.name_ko.clone()
                            } else {
                                h.name.clone()
                            }
                        })
                        .unwrap_or_else(|| s.hotel_name.clone());
                    Some((hotel, row, s))
                })
                .filter(|(_, r, _)| r.official.status != OfficialStatus::Cancelled)
                .collect();
        stays.sort_by_cached_key(|(hotel, r, s)| {
            (
                crate::text::fold(hotel),
                crate::text::fold(&r.full_name),
                s.stay.check_in,
            )
        });
        let headers = vec![
            self.h("out-hotel"),
            self.h("out-guest-name-as-in-passport"),
            self.h("out-title"),
            self.h("out-delegation"),
            self.h("out-arrival"),
            self.h("out-departure"),
            self.h("out-nights"),
            self.h("out-room-type"),
            self.h("out-room"),
            self.h("out-sharing-with"),
            self.h("out-special-requests"),
        ];
        let rows = stays
            .into_iter()
            .map(|(hotel, r, s)| {
                let o = &r.official;
                let requests = [s.stay.special_requests.as_str(), o.accessibility.as_str()]
                    .into_iter()
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>()
                    .join("; ");
                vec![
                    Cell::from(hotel),
                    Cell::from(&r.full_name),
                    Cell::from(&o.honorific),
                    Cell::from(self.delegation_of(o)),
                    Cell::Date(s.stay.check_in),
                    Cell::Date(s.stay.check_out),
                    Cell::Int((s.stay.check_out - s.stay.check_in).num_days()),
                    Cell::from(&s.room_type),
                    Cell::from(&s.stay.room_number),
                    Cell::from(&s.shares_with_name),
                    Cell::from(requests),
                ]
            })
            .collect();
        Ok((headers, rows))
    }

    fn roster(&self, conn: &Connection, session_id: &str) -> Result<Built> {
        let session: Session = Session::get(conn, session_id)?;
        if session.event_id != self.event_id {
            return Err(Error::NotFound { entity: "session" });
        }
        let by_id: HashMap<&str, &queries::OfficialRow> = self
            .officials
            .iter()
            .map(|r| (r.official.id.as_str(), r))
            .collect();
        let mut entries: Vec<(queries::ParticipantRow, &queries::OfficialRow)> =
            queries::participants(conn, session_id)?
                .into_iter()
                .filter_map(|p| {
                    let row = by_id.get(p.participant.official_id.as_str()).copied()?;
                    Some((p, row))
                })
                .collect();
        entries.sort_by_cached_key(|(_, r)| {
            (
                crate::text::fold(&self.delegation_of(&r.official)),
                crate::text::fold(&r.full_name),
            )
        });
        let title = if self.ko && !session.title_ko.is_empty() {
            &session.title_ko
        } else {
            &session.title_en
        };
        let headers = vec![
            self.h("out-session"),
            self.h("out-starts"),
            self.h("out-no"),
            self.h("out-name"),
            self.h("out-delegation"),
            self.h("out-position"),
            self.h("out-role"),
            self.h("out-attended"),
        ];
        let rows = entries
            .into_iter()
            .enumerate()
            .map(|(i, (p, r))| {
                vec![
                    Cell::from(title),
                    Cell::DateTime(self.local(session.starts_at)),
                    Cell::Int(i as i64 + 1),
                    Cell::from(&r.full_name),
                    Cell::from(self.delegation_of(&r.official)),
                    Cell::from(&r.official.position),
                    Cell::from(self.word(p.participant.role.as_str())),
                    p.participant
                        .attended_at
                        .map_or(Cell::Empty, |t| Cell::DateTime(self.local(t))),
                ]
            })
            .collect();
        Ok((headers, rows))
    }

    fn travel(&self, conn: &Connection, dir: Direction) -> Result<Built> {
        let travel = queries::travel(conn, &self.event_id, &ListQuery::default())?
            .rows
            .into_iter()
            .map(|t| t.travel)
            .collect();
        let legs = queries::legs_in_order(travel, &self.officials, dir);
        let arrival = dir == Direction::Arrival;
        let headers = vec![
            if arrival {
                self.h("out-lands-local-time")
            } else {
                self.h("out-departs-local-time")
            },
            self.h("out-flight"),
            if arrival {
                self.h("out-from")
            } else {
                self.h("out-to")
            },
            self.h("out-airport"),
            self.h("out-name"),
            self.h("out-delegation"),
            self.h("out-category"),
            self.h("out-pickup"),
            self.h("out-greeter"),
            self.h("out-notes"),
        ];
        let yes = self.h("out-yes");
        let no = self.h("out-no-2");
        let rows = legs
            .into_iter()
            .map(|(t, r)| {
                vec![
                    Cell::DateTime(self.local(t.scheduled_at)),
                    Cell::from(&t.flight),
                    Cell::from(&t.origin),
                    Cell::from(&t.airport),
                    Cell::from(&r.full_name),
                    Cell::from(self.delegation_of(&r.official)),
                    Cell::from(self.word(r.official.category.as_str())),
                    Cell::from(if t.pickup { yes.clone() } else { no.clone() }),
                    Cell::from(&t.greeter),
                    Cell::from(&t.notes),
                ]
            })
            .collect();
        Ok((headers, rows))
    }

    /// One row per need (dietary, then accessibility), with how many and who, for the caterer
    /// and the venue; cancelled officials are left out.
    fn diets(&self) -> Built {
        let people = self
            .officials
            .iter()
            .filter(|r| r.official.status != OfficialStatus::Cancelled);
        let headers = vec![
            self.h("out-need"),
            self.h("out-requirement"),
            self.h("out-people"),
            self.h("out-names"),
        ];
        let rows = self
            .needs(people)
            .into_iter()
            .map(|(kind, need, names)| {
                vec![
                    kind,
                    Cell::from(need),
                    Cell::Int(names.len() as i64),
                    Cell::from(names.join("; ")),
                ]
            })
            .collect();
        (headers, rows)
    }

    /// For the caterer, each meal by time: its head-count as its roster stands (the audience
    /// and its exceptions), then one row per need of the people on it.
    /// The register as kept by `print::letters::saved` (read here by its table: printing
    /// reads exports' words, so exports cannot read printing's code).
    fn letters(&self, conn: &Connection) -> Result<Built> {
        let headers = vec![
            self.h("out-document-number"),
            self.h("out-kind"),
            self.h("out-recipient"),
            self.h("out-language"),
            self.h("out-format"),
            self.h("out-first-written"),
            self.h("out-last-written"),
            self.h("out-times-written"),
            self.h("out-officer"),
        ];
        let mut stmt = conn.prepare(
            "SELECT number, kind, recipient, lang, format, issued_at, last_issued_at, times,
                    officer
               FROM letter_register WHERE event_id = ? ORDER BY year, seq",
        )?;
        let rows = stmt
            .query_map([&self.event_id], |r| {
                let kind: String = r.get(1)?;
                let first: chrono::DateTime<chrono::Utc> = r.get(5)?;
                let last: chrono::DateTime<chrono::Utc> = r.get(6)?;
                Ok(vec![
                    Cell::Text(r.get(0)?),
                    Cell::from(pick(self.ko, &format!("letter-kind-{kind}"))),
                    Cell::Text(r.get(2)?),
                    Cell::Text(r.get(3)?),
                    Cell::Text(r.get(4)?),
                    Cell::DateTime(self.local(first)),
                    Cell::DateTime(self.local(last)),
                    Cell::Int(r.get(7)?),
                    Cell::Text(r.get(8)?),
                ])
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((headers, rows))
    }

    fn meals(&self, conn: &Connection) -> Result<Built> {
        let by_id: HashMap<&str, &queries::OfficialRow> = self
            .officials
            .iter()
            .map(|r| (r.official.id.as_str(), r))
            .collect();
        let headers = vec![
            self.h("out-session"),
            self.h("out-starts"),
            self.h("out-head-count"),
            self.h("out-need"),
            self.h("out-requirement"),
            self.h("out-people"),
            self.h("out-names"),
        ];
        let mut rows = Vec::new();
        let mut meals: Vec<Session> = Session::of_event(conn, &self.event_id)?
            .into_iter()
            .filter(|s| s.kind == SessionKind::Meal)
            .collect();
        meals.sort_by_key(|s| (s.starts_at, s.ends_at));
        for meal in &meals {
            let on: Vec<&queries::OfficialRow> = queries::participants(conn, &meal.id)?
                .iter()
                .filter_map(|p| by_id.get(p.participant.official_id.as_str()).copied())
                .collect();
            let title = if self.ko && !meal.title_ko.is_empty() {
                &meal.title_ko
            } else {
                &meal.title_en
            };
            let head = |rows: &mut Vec<Vec<Cell>>, rest: Vec<Cell>| {
                let mut row = vec![
                    Cell::from(title),
                    Cell::DateTime(self.local(meal.starts_at)),
                    Cell::Int(on.len() as i64),
                ];
                row.extend(rest);
                rows.push(row);
            };
            let needs = self.needs(on.iter().copied());
            if needs.is_empty() {
                head(
                    &mut rows,
                    vec![Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty],
                );
            }
            for (kind, need, names) in needs {
                head(
                    &mut rows,
                    vec![
                        kind,
                        Cell::from(need),
                        Cell::Int(names.len() as i64),
                        Cell::from(names.join("; ")),
                    ],
                );
            }
        }
        Ok((headers, rows))
    }

    /// The needs of `people` (dietary, then accessibility, each by its folded words), each with
    /// its kind's word, its words as first written and who has it.
    fn needs<'r>(
        &self,
        people: impl Iterator<Item = &'r queries::OfficialRow>,
    ) -> Vec<(Cell, String, Vec<String>)> {
        let mut needs: BTreeMap<(u8, String), (String, Vec<String>)> = BTreeMap::new();
        for r in people {
            let o = &r.official;
            for (kind, need) in [(0u8, &o.dietary), (1u8, &o.accessibility)] {
                let need = need.trim();
                if need.is_empty() {
                    continue;
                }
                let entry = needs
                    .entry((kind, crate::text::fold(need)))
                    .or_insert_with(|| (need.to_string(), Vec::new()));
                entry
                    .1
                    .push(format!("{} ({})", r.full_name, self.delegation_of(o)));
            }
        }
        needs
            .into_iter()
            .map(|((kind, _), (need, names))| {
                let kind = Cell::from(if kind == 0 {
                    self.h("out-dietary")
                } else {
                    self.h("out-accessibility")
                });
                (kind, need, names)
            })
            .collect()
    }
}

/// One table as CSV: UTF-8 with a byte-order mark, CRLF line ends, RFC 4180 quoting.
pub fn csv(sheet: &Sheet) -> Result<Vec<u8>> {
    let mut out = Vec::from("\u{FEFF}".as_bytes());
    {
        let mut writer = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .quote_style(::csv::QuoteStyle::Necessary)
            .from_writer(&mut out);
        let headers: Vec<String> = sheet.headers.iter().map(|h| neutralize(h)).collect();
        writer.write_record(&headers).map_err(csv_error)?;
        for row in &sheet.rows {
            writer
                .write_record(row.iter().map(Cell::csv_text))
                .map_err(csv_error)?;
        }
        writer.flush()?;
    }
    Ok(out)
}

fn csv_error(e: ::csv::Error) -> Error {
    Error::Internal(Box::new(e))
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Internal(Box::new(e))
}

/// Characters Excel does not allow in a sheet name.
fn sheet_name(name: &str, used: &mut Vec<String>) -> String {
    let base: String = name
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '-',
            c => c,
        })
        .take(28)
        .collect();
    let mut candidate = base.clone();
    let mut n = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&candidate)) {
        candidate = format!("{base} {n}");
        n += 1;
    }
    used.push(candidate.clone());
    candidate
}

/// How wide a text looks in Excel's character units: East Asian wide characters take two.
fn display_width(text: &str) -> usize {
    text.lines()
        .map(|line| {
            line.chars()
                .map(|c| {
                    let u = c as u32;
                    if (0x1100..=0x115F).contains(&u)
                        || (0x2E80..=0xA4CF).contains(&u)
                        || (0xAC00..=0xD7A3).contains(&u)
                        || (0xF900..=0xFAFF).contains(&u)
                        || (0xFF00..=0xFF60).contains(&u)
                    {
                        2
                    } else {
                        1
                    }
                })
                .sum::<usize>()
        })
        .max()
        .unwrap_or(0)
}

/// Every table on its own sheet: bold header row frozen at the top, an autofilter, columns as
/// wide as their content (within reason), dates and times as real date cells.
pub fn xlsx(sheets: &[Sheet]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, FormatBorder, Workbook};
    let mut workbook = Workbook::new();
    let header = CellFormat::new()
        .set_bold()
        .set_background_color("F2F2F2")
        .set_border_bottom(FormatBorder::Thin);
    let date = CellFormat::new().set_num_format("yyyy-mm-dd");
    let datetime = CellFormat::new().set_num_format("yyyy-mm-dd hh:mm");
    let mut used = Vec::new();
    for sheet in sheets {
        let ws = workbook.add_worksheet();
        ws.set_name(sheet_name(&sheet.name, &mut used))
            .map_err(xlsx_error)?;
        let mut widths: Vec<usize> = sheet.headers.iter().map(|h| display_width(h)).collect();
        for (c, h) in sheet.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &header)
                .map_err(xlsx_error)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let col = c as u16;
                let width = match cell {
                    Cell::Empty => 0,
                    Cell::Text(s) => {
                        ws.write_string(r, col, s).map_err(xlsx_error)?;
                        display_width(s)
                    }
                    Cell::Int(n) => {
                        ws.write_number(r, col, *n as f64).map_err(xlsx_error)?;
                        n.to_string().len()
                    }
                    Cell::Date(d) => {
                        let v = ExcelDateTime::from_ymd(
                            d.year() as u16,
                            d.month() as u8,
                            d.day() as u8,
                        )
                        .map_err(xlsx_error)?;
                        ws.write_datetime_with_format(r, col, &v, &date)
                            .map_err(xlsx_error)?;
                        10
                    }
                    Cell::DateTime(t) => {
                        let v = ExcelDateTime::from_ymd(
                            t.year() as u16,
                            t.month() as u8,
                            t.day() as u8,
                        )
                        .and_then(|v| v.and_hms(t.hour() as u16, t.minute() as u8, 0))
                        .map_err(xlsx_error)?;
                        ws.write_datetime_with_format(r, col, &v, &datetime)
                            .map_err(xlsx_error)?;
                        16
                    }
                };
                if let Some(w) = widths.get_mut(c) {
                    *w = (*w).max(width);
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            // A little room for the autofilter button; long notes wrap in the cell instead of
            // making a column wider than a screen.
            let w = (*w + 3).clamp(6, 60);
            ws.set_column_width(c as u16, w as f64)
                .map_err(xlsx_error)?;
        }
        let last_col = sheet.headers.len().saturating_sub(1) as u16;
        ws.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        ws.autofilter(0, 0, sheet.rows.len() as u32, last_col)
            .map_err(xlsx_error)?;
    }
    workbook.save_to_buffer().map_err(xlsx_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Enough of a passport number to tell two apart on a desk, never enough to use one.
    #[test]
    fn passport_numbers_are_masked_by_their_length() {
        assert_eq!(mask_passport("M12345678"), "M12****78");
        assert_eq!(mask_passport("AB1234567"), "AB1****67");
        assert_eq!(mask_passport("12345678"), "123***78");
        assert_eq!(mask_passport("E99112"), "E****2");
        assert_eq!(mask_passport("K123"), "****");
        assert_eq!(mask_passport(""), "");
        // Characters, not bytes: a number typed with full-width digits masks the same way.
        assert_eq!(mask_passport("Ｍ１２３４５６７８"), "Ｍ１２****７８");
    }

    #[test]
    fn formulas_are_neutralised_and_plain_text_is_not() {
        for hostile in [
            "=1+1",
            "+82 2 123",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "＝1+1",
            "＋1",
            "－2",
            "＠SUM(A1)",
            "+1+cmd|' /C calc'!A0",
            "+998 71 123 4567 x",
            "+HYPERLINK(\"x\")",
            "-998 71 123 4567",
            "+12 34",
        ] {
            assert!(neutralize(hostile).starts_with('\''), "{hostile:?}");
        }
        for plain in [
            "Kim",
            "김민수",
            "'quoted",
            " =spaced",
            "1=1",
            "",
            "+998 71 123 4567",
            "+82 (2) 123-4567",
            "+1-202-555-0143",
        ] {
            assert_eq!(neutralize(plain), plain);
        }
    }

    #[test]
    fn csv_has_a_bom_crlf_and_rfc4180_quotes() {
        let sheet = Sheet {
            table: Table::Officials,
            name: "T".into(),
            headers: vec!["Name".into(), "Note".into(), "Born".into()],
            rows: vec![vec![
                Cell::from("Kim, \"Min\""),
                Cell::from("=HYPERLINK(\"x\")\nline"),
                Cell::Date(NaiveDate::from_ymd_opt(1970, 1, 2).expect("date")),
            ]],
        };
        let bytes = csv(&sheet).expect("csv");
        let text = String::from_utf8(bytes).expect("utf-8");
        assert_eq!(
            text,
            "\u{FEFF}Name,Note,Born\r\n\"Kim, \"\"Min\"\"\",\"'=HYPERLINK(\"\"x\"\")\nline\",1970-01-02\r\n"
        );
    }

    #[test]
    fn sheet_names_are_legal_and_unique() {
        let mut used = Vec::new();
        assert_eq!(sheet_name("Rooming list", &mut used), "Rooming list");
        assert_eq!(sheet_name("rooming LIST", &mut used), "rooming LIST 2");
        assert_eq!(sheet_name("a/b:c?", &mut used), "a-b-c-");
        assert!(sheet_name(&"x".repeat(40), &mut used).chars().count() <= 31);
    }

    #[test]
    fn wide_characters_count_double() {
        assert_eq!(display_width("Kim"), 3);
        assert_eq!(display_width("김민수"), 6);
        assert_eq!(display_width("ab\nabcd"), 4);
    }
}
