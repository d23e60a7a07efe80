//! Letters and certificates: a visa invitation letter per official, an invitation per
//! delegation, a certificate of participation per official who attended enough of their
//! sessions, and a letter of thanks per delegation — in Korean or English, on the office's
//! letterhead, each with a number from the register of outgoing documents.
//!
//! The words are the officer's templates (`template.rs`, kept in the library by `saved.rs`),
//! filled in per recipient as plain text: a recipient a required value is missing for, or an
//! official under the certificate's attendance share, gets no letter and a line in the batch
//! report saying why. The filled letters are typeset by the print engine (`letter.typ`, many
//! letters to one compilation, cut back into one PDF each), written as Word documents
//! (`docx.rs`) or as e-mail drafts with the letter attached (`eml.rs`).
//!
//! Numbers are given in one transaction before anything is written, after every check that
//! could refuse a letter: a letter that is refused takes no number, and a letter written again
//! keeps the number it had.

mod docx;
mod eml;
pub mod saved;
pub mod template;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::data::{delegation_label, hotel_label, official_label, Ctx};
use super::{
    compile_with_files, in_chunks, joined, page_png, pdf_bytes, split, Document, Fonts,
    PrintRequest, Progress,
};
use crate::dates::{event_dates, long_date};
use crate::error::{Error, Result};
use crate::files::{safe_file_stem, unique_file_names};
use crate::model::*;
use crate::queries::{self, OfficialRow};
use crate::store::Store;
use crate::words::Text;
use saved::{Image, Issue, Letterhead};
use template::{Filled, LetterTemplate, Problem, Source};

const LETTER_TEMPLATE: &str = include_str!("../templates/letter.typ");

/// Letters per typst compilation (see the itineraries': the same trade).
const PER_CHUNK: usize = 50;

/// The certificate's attendance share when the officer sets none, in per cent.
pub const DEFAULT_MIN_ATTENDANCE: u8 = 80;

/// The kinds of letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterKind {
    /// To the embassy, for an official's visa: passport name, number, birth date, nationality.
    Visa,
    /// To a delegation's ministry or organization and its head.
    Invitation,
    /// Of participation, per official, with a serial number.
    Certificate,
    /// To a delegation, after the event.
    Thanks,
}

impl LetterKind {
    pub const ALL: &'static [LetterKind] = &[
        LetterKind::Visa,
        LetterKind::Invitation,
        LetterKind::Certificate,
        LetterKind::Thanks,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LetterKind::Visa => "visa",
            LetterKind::Invitation => "invitation",
            LetterKind::Certificate => "certificate",
            LetterKind::Thanks => "thanks",
        }
    }

    pub fn parse(text: &str) -> Option<LetterKind> {
        Self::ALL.iter().copied().find(|k| k.as_str() == text)
    }

    /// Whom a letter of this kind is for.
    pub fn source(self) -> Source {
        match self {
            LetterKind::Visa | LetterKind::Certificate => Source::Official,
            LetterKind::Invitation | LetterKind::Thanks => Source::Delegation,
        }
    }
}

/// The files a batch writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LetterFormat {
    #[default]
    Pdf,
    Docx,
    Eml,
}

impl LetterFormat {
    pub fn parse(text: &str) -> Option<LetterFormat> {
        match text {
            "pdf" => Some(LetterFormat::Pdf),
            "docx" => Some(LetterFormat::Docx),
            "eml" => Some(LetterFormat::Eml),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            LetterFormat::Pdf => "pdf",
            LetterFormat::Docx => "docx",
            LetterFormat::Eml => "eml",
        }
    }
}

/// Whom the batch is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Recipients {
    Official {
        id: String,
    },
    /// The delegation (a letter to it), or its members (a letter to each).
    Delegation {
        id: String,
    },
    /// Every official not cancelled, or every delegation the kind is for.
    All,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LetterRequest {
    pub event_id: String,
    pub kind: LetterKind,
    pub recipients: Recipients,
    pub format: LetterFormat,
    /// The language of every letter; `None`: each official's own (a delegation's: its head's).
    #[serde(default)]
    pub lang: Option<Language>,
    /// A certificate's attendance share, in per cent of the official's sessions.
    #[serde(default = "default_min_attendance")]
    pub min_attendance: u8,
    /// E-mail drafts: attach the official's itinerary (PDF and calendar), or the
    /// delegation's combined one.
    #[serde(default)]
    pub attach_itinerary: bool,
    /// The date on the letters; `None` is today.
    #[serde(default)]
    pub dated: Option<NaiveDate>,
    /// PDF: every letter in one file too ([`LetterBatch::combined`]).
    #[serde(default)]
    pub combined: bool,
}

fn default_min_attendance() -> u8 {
    DEFAULT_MIN_ATTENDANCE
}

impl LetterRequest {
    pub fn new(event_id: &str, kind: LetterKind, recipients: Recipients) -> LetterRequest {
        LetterRequest {
            event_id: event_id.to_string(),
            kind,
            recipients,
            format: LetterFormat::Pdf,
            lang: None,
            min_attendance: DEFAULT_MIN_ATTENDANCE,
            attach_itinerary: false,
            dated: None,
            combined: false,
        }
    }

    /// Whether the batch is one letter (one official's, or one delegation's letter): it goes
    /// to a file; a batch of several goes to a folder.
    pub fn is_one_letter(&self) -> bool {
        match &self.recipients {
            Recipients::Official { .. } => true,
            Recipients::Delegation { .. } => self.kind.source() == Source::Delegation,
            Recipients::All => false,
        }
    }
}

/// One written letter.
#[derive(Debug, Clone)]
pub struct LetterFile {
    /// `Country - FAMILY Given.pdf`, or `Country.pdf` for a delegation's letter.
    pub name: String,
    pub bytes: Vec<u8>,
    pub recipient_id: String,
    pub recipient: String,
    pub number: String,
}

/// A recipient who got no letter, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub recipient_id: String,
    pub recipient: String,
    pub reason: Text,
}

/// What a batch wrote and skipped.
#[derive(Debug, Clone, Default)]
pub struct LetterBatch {
    pub files: Vec<LetterFile>,
    pub skipped: Vec<Skipped>,
    /// Every letter in one PDF, when the request asked for it.
    pub combined: Option<Vec<u8>>,
}

/// One recipient, read and filled in.
struct Recipient<'a> {
    id: String,
    /// How the report and the register name them.
    label: String,
    lang: Language,
    values: HashMap<&'static str, String>,
    email: String,
    official: Option<&'a OfficialRow>,
    /// Why they get no letter whatever the template says (a certificate under the share).
    refused: Option<Text>,
    stem: String,
}

/// Sessions that count for a certificate: the programme's, not its meals, breaks and rides.
fn counts_for_attendance(kind: SessionKind) -> bool {
    !matches!(
        kind,
        SessionKind::Meal | SessionKind::Break | SessionKind::Transfer
    )
}

/// The event read once for a batch (or a preview).
struct Sources<'a> {
    ctx: Ctx<'a>,
    letterhead: Letterhead,
    logo: Option<Image>,
    seal: Option<Image>,
    venue: (String, String),
    /// Per official: sessions on their roster that count, and those attended.
    attendance: HashMap<String, (usize, usize)>,
    first_arrival: HashMap<String, NaiveDate>,
    last_departure: HashMap<String, NaiveDate>,
    hotel: HashMap<String, Hotel>,
    templates: HashMap<Language, LetterTemplate>,
}

impl<'a> Sources<'a> {
    fn load(
        conn: &Connection,
        fonts: &'a Fonts,
        event_id: &str,
        kind: LetterKind,
        template: Option<&LetterTemplate>,
    ) -> Result<Sources<'a>> {
        let print = PrintRequest::new(event_id, Document::Participants);
        let ctx = Ctx::load(conn, fonts, &print)?;
        let letterhead = saved::letterhead(conn)?;
        let logo = saved::image(conn, "logo")?;
        let seal = saved::image(conn, "seal")?;
        let venue = queries::venues(conn, event_id)?
            .into_iter()
            .next()
            .map(|v| {
                let ko = if v.venue.name_ko.is_empty() {
                    v.venue.name.clone()
                } else {
                    v.venue.name_ko.clone()
                };
                (v.venue.name, ko)
            })
            .unwrap_or_default();
        let mut attendance: HashMap<String, (usize, usize)> = HashMap::new();
        if kind == LetterKind::Certificate {
            let counting: HashMap<String, bool> = queries::sessions(conn, event_id)?
                .into_iter()
                .map(|s| (s.session.id.clone(), counts_for_attendance(s.session.kind)))
                .collect();
            for p in queries::rosters_of_event(conn, event_id)? {
                if counting.get(&p.session_id).copied().unwrap_or(false) {
                    let e = attendance.entry(p.official_id.clone()).or_default();
                    e.0 += 1;
                    if p.attended_at.is_some() {
                        e.1 += 1;
                    }
                }
            }
        }
        let mut first_arrival = HashMap::new();
        let mut last_departure = HashMap::new();
        for t in super::data::all_travel(conn, &ctx)? {
            let day = t.scheduled_at.with_timezone(&ctx.tz).date_naive();
            match t.direction {
                Direction::Arrival => {
                    let e = first_arrival.entry(t.official_id.clone()).or_insert(day);
                    *e = (*e).min(day);
                }
                Direction::Departure => {
                    let e = last_departure.entry(t.official_id.clone()).or_insert(day);
                    *e = (*e).max(day);
                }
            }
        }
        let hotels = super::data::hotel_names(conn, &ctx)?;
        let mut hotel = HashMap::new();
        let mut stays = super::data::all_stays(conn, &ctx)?;
        stays.sort_by_key(|s| s.stay.check_in);
        for s in stays {
            if let Some(h) = hotels.get(&s.stay.hotel_id) {
                hotel
                    .entry(s.stay.official_id.clone())
                    .or_insert_with(|| h.clone());
            }
        }
        let mut templates = HashMap::new();
        for lang in Language::ALL {
            let t = match template {
                Some(t) if t.lang == *lang => t.clone(),
                _ => saved::template(conn, kind, *lang)?,
            };
            templates.insert(*lang, t);
        }
        Ok(Sources {
            ctx,
            letterhead,
            logo,
            seal,
            venue,
            attendance,
            first_arrival,
            last_departure,
            hotel,
            templates,
        })
    }

    /// The values every letter of the event has, in a language.
    fn common(&self, lang: Language, today: NaiveDate) -> HashMap<&'static str, String> {
        let e = &self.ctx.event;
        let ko = lang == Language::Ko;
        let head = self.letterhead_for(lang);
        let mut v = HashMap::new();
        v.insert(
            "event_name",
            if ko && !e.name_ko.is_empty() {
                e.name_ko.clone()
            } else {
                e.name_en.clone()
            },
        );
        v.insert("event_dates", event_dates(e.start_date, e.end_date, lang));
        v.insert("event_city", e.city.clone());
        v.insert(
            "venue",
            if ko {
                self.venue.1.clone()
            } else {
                self.venue.0.clone()
            },
        );
        v.insert("host", e.host.clone());
        v.insert("office", head.office.to_string());
        v.insert("signatory", head.signatory.to_string());
        v.insert("signatory_title", head.title.to_string());
        v.insert("date", long_date(today, lang));
        v
    }

    fn official<'r>(
        &'r self,
        row: &'r OfficialRow,
        kind: LetterKind,
        lang: Option<Language>,
        min_attendance: u8,
        today: NaiveDate,
    ) -> Recipient<'r> {
        let o = &row.official;
        let lang = lang.unwrap_or(o.language);
        let ko = lang == Language::Ko;
        let mut v = self.common(lang, today);
        let delegation = match self.ctx.delegation_of(o) {
            Some(d) => delegation_label(d, lang),
            None => o.organization.clone(),
        };
        let date = |d: Option<NaiveDate>| d.map(|d| long_date(d, lang)).unwrap_or_default();
        let country = crate::reference::country(&o.nationality)
            .map(|c| {
                if ko {
                    c.name_ko.clone()
                } else {
                    c.name_en.clone()
                }
            })
            .unwrap_or_else(|| o.nationality.clone());
        v.insert("honorific", o.honorific.clone());
        v.insert("passport_name", row.full_name.clone());
        v.insert("family_name", o.family_name.clone());
        v.insert("given_name", o.given_name.clone());
        v.insert("native_name", o.native_name.clone());
        v.insert("position", o.position.clone());
        v.insert(
            "organization",
            if o.organization.is_empty() {
                delegation.clone()
            } else {
                o.organization.clone()
            },
        );
        v.insert("delegation", delegation.clone());
        v.insert("nationality", country);
        v.insert("birth_date", date(o.birth_date));
        v.insert("passport_number", o.passport_number.clone());
        v.insert("passport_expiry", date(o.passport_expiry));
        v.insert("arrival_date", date(self.first_arrival.get(&o.id).copied()));
        v.insert(
            "departure_date",
            date(self.last_departure.get(&o.id).copied()),
        );
        v.insert(
            "hotel",
            self.hotel
                .get(&o.id)
                .map(|h| hotel_label(h, lang))
                .unwrap_or_default(),
        );
        let (total, attended) = self.attendance.get(&o.id).copied().unwrap_or_default();
        let share = (attended * 100).checked_div(total).unwrap_or(0);
        v.insert("sessions_attended", attended.to_string());
        v.insert("sessions_total", total.to_string());
        v.insert("attendance", format!("{share} %"));
        let refused = if o.status == OfficialStatus::Cancelled {
            Some(Text::new("letter-skip-cancelled"))
        } else if kind == LetterKind::Visa
            && !o.nationality.is_empty()
            && o.nationality == self.ctx.event.host_country
        {
            Some(Text::new("letter-skip-host_national"))
        } else if kind == LetterKind::Certificate && total == 0 {
            Some(Text::new("letter-skip-no_sessions"))
        } else if kind == LetterKind::Certificate && share < usize::from(min_attendance) {
            Some(
                Text::new("letter-skip-attendance")
                    .with("attended", attended)
                    .with("total", total)
                    .with("share", share)
                    .with("min", usize::from(min_attendance)),
            )
        } else {
            None
        };
        let stem = if delegation.is_empty() {
            row.full_name.clone()
        } else {
            format!(
                "{} - {}",
                self.ctx
                    .delegation_of(o)
                    .map(|d| d.name_en.clone())
                    .unwrap_or(delegation),
                row.full_name
            )
        };
        Recipient {
            id: o.id.clone(),
            label: official_label(row),
            lang,
            values: v,
            email: o.email.clone(),
            official: Some(row),
            refused,
            stem,
        }
    }

    fn delegation<'r>(
        &'r self,
        d: &Delegation,
        lang: Option<Language>,
        today: NaiveDate,
    ) -> Recipient<'r> {
        let head = d
            .head_official_id
            .as_ref()
            .and_then(|id| self.ctx.officials.iter().find(|r| &r.official.id == id));
        let lang = lang.unwrap_or_else(|| head.map_or(Language::En, |h| h.official.language));
        let ko = lang == Language::Ko;
        let mut v = self.common(lang, today);
        let name = delegation_label(d, lang);
        let country = d
            .country_code
            .as_deref()
            .and_then(crate::reference::country)
            .map(|c| {
                if ko {
                    c.name_ko.clone()
                } else {
                    c.name_en.clone()
                }
            })
            .unwrap_or_default();
        let members = self
            .ctx
            .officials
            .iter()
            .filter(|r| {
                r.official.delegation_id.as_deref() == Some(d.id.as_str())
                    && r.official.status != OfficialStatus::Cancelled
            })
            .count();
        v.insert("delegation", name.clone());
        v.insert("country", country);
        v.insert(
            "head_honorific",
            head.map(|h| h.official.honorific.clone())
                .unwrap_or_default(),
        );
        v.insert(
            "head_name",
            head.map(|h| h.full_name.clone()).unwrap_or_default(),
        );
        v.insert(
            "head_position",
            head.map(|h| h.official.position.clone())
                .unwrap_or_default(),
        );
        v.insert(
            "head_organization",
            head.map(|h| h.official.organization.clone())
                .unwrap_or_default(),
        );
        v.insert("liaison_name", d.liaison_name.clone());
        v.insert("members", members.to_string());
        v.insert(
            "seats",
            if d.seats > 0 {
                d.seats.to_string()
            } else {
                String::new()
            },
        );
        let email = if d.liaison_email.is_empty() {
            head.map(|h| h.official.email.clone()).unwrap_or_default()
        } else {
            d.liaison_email.clone()
        };
        Recipient {
            id: d.id.clone(),
            label: d.name_en.clone(),
            lang,
            values: v,
            email,
            official: None,
            refused: None,
            stem: d.name_en.clone(),
        }
    }

    /// The batch's recipients, in print order.
    fn recipients<'r>(
        &'r self,
        request: &LetterRequest,
        today: NaiveDate,
    ) -> Result<Vec<Recipient<'r>>> {
        let kind = request.kind;
        let lang = request.lang;
        match kind.source() {
            Source::Official | Source::Any => {
                let rows: Vec<&OfficialRow> = match &request.recipients {
                    Recipients::Official { id } => vec![self
                        .ctx
                        .officials
                        .iter()
                        .find(|r| &r.official.id == id)
                        .ok_or(Error::NotFound { entity: "official" })?],
                    Recipients::Delegation { id } => {
                        if !self.ctx.delegations.contains_key(id) {
                            return Err(Error::NotFound {
                                entity: "delegation",
                            });
                        }
                        self.ctx
                            .present()
                            .into_iter()
                            .filter(|r| r.official.delegation_id.as_deref() == Some(id.as_str()))
                            .collect()
                    }
                    Recipients::All => self.ctx.present(),
                };
                Ok(rows
                    .into_iter()
                    .map(|r| self.official(r, kind, lang, request.min_attendance, today))
                    .collect())
            }
            Source::Delegation => {
                let list: Vec<&Delegation> = match &request.recipients {
                    Recipients::Delegation { id } => {
                        vec![self.ctx.delegations.get(id).ok_or(Error::NotFound {
                            entity: "delegation",
                        })?]
                    }
                    Recipients::Official { .. } => {
                        return Err(Error::field(
                            "recipients",
                            "invalid_value",
                            Text::new("letter-error-to_delegation"),
                        ))
                    }
                    Recipients::All => {
                        let came: HashSet<&str> = self
                            .ctx
                            .present()
                            .into_iter()
                            .filter_map(|r| r.official.delegation_id.as_deref())
                            .collect();
                        let mut all: Vec<&Delegation> = self
                            .ctx
                            .delegations
                            .values()
                            .filter(|d| match kind {
                                // Thanks go to those who came; invitations to all still invited.
                                LetterKind::Thanks => came.contains(d.id.as_str()),
                                _ => !matches!(
                                    d.status,
                                    InvitationStatus::Declined | InvitationStatus::Withdrawn
                                ),
                            })
                            .collect();
                        all.sort_by_cached_key(|d| {
                            (d.kind, crate::text::fold(&d.name_en), d.id.clone())
                        });
                        all
                    }
                };
                Ok(list
                    .into_iter()
                    .map(|d| self.delegation(d, lang, today))
                    .collect())
            }
        }
    }

    /// The recipient's letter filled in, or why not.
    fn fill(&self, r: &Recipient<'_>) -> std::result::Result<Filled, Text> {
        if let Some(reason) = &r.refused {
            return Err(reason.clone());
        }
        template::fill(&self.templates[&r.lang], &r.values).map_err(|missing| {
            let names = |lang: &str| {
                missing
                    .iter()
                    .map(|m| crate::words::word(lang, &format!("letter-ph-{m}")))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            Text::new("letter-skip-missing")
                .with("what", crate::words::Arg::both(names("en"), names("ko")))
        })
    }

    /// The letter as the template reads it; fails with the officer's error when no installed
    /// font can print a character of it.
    fn letter_json(&self, kind: LetterKind, r: &Recipient<'_>, filled: &Filled) -> Result<Value> {
        let whose = || r.label.clone();
        let head = self.letterhead_for(r.lang);
        let lines = |key: &str, list: &[String]| -> Result<Value> {
            list.iter()
                .enumerate()
                .map(|(i, text)| {
                    let m = self
                        .ctx
                        .fields(&whose, &[(&format!("{key} {}", i + 1), text.as_str())])?;
                    let rtl = m["rtl"].as_array().is_some_and(|a| !a.is_empty());
                    Ok(json!({ "text": text, "rtl": rtl }))
                })
                .collect::<Result<Vec<_>>>()
                .map(Value::Array)
        };
        let mut m: Map<String, Value> = self.ctx.fields(
            &whose,
            &[
                ("subject", &filled.subject),
                ("office", head.office),
                ("address", head.address),
                ("phone", head.phone),
                ("email", head.email),
                ("signatory", head.signatory),
                ("title", head.title),
                ("number", r.values.get("document_number").map_or("", |s| s)),
                ("date", r.values.get("date").map_or("", |s| s)),
            ],
        )?;
        m.insert("recipient".into(), lines("recipient", &filled.recipient)?);
        m.insert("body".into(), lines("paragraph", &filled.body)?);
        m.insert("closing".into(), lines("closing", &filled.closing)?);
        m.insert("lang".into(), Value::from(r.lang.as_str()));
        m.insert(
            "layout".into(),
            Value::from(if kind == LetterKind::Certificate {
                "certificate"
            } else {
                "letter"
            }),
        );
        let person = match r.official {
            Some(row) => Value::Object(self.ctx.person(row, false)?),
            None => Value::Null,
        };
        m.insert("person".into(), person);
        Ok(Value::Object(m))
    }

    /// What every compilation shares: fonts, words, which images there are.
    fn common_json(&self) -> Value {
        json!({
            "fonts": self.ctx.font_lists(),
            "words": crate::words::table("letter-doc"),
            "logo": self.logo.as_ref().map(|i| image_path("logo", i)),
            "seal": self.seal.as_ref().map(|i| image_path("seal", i)),
        })
    }

    fn image_files(&self) -> Vec<(String, &[u8])> {
        let mut files = Vec::new();
        for (name, image) in [("logo", &self.logo), ("seal", &self.seal)] {
            if let Some(i) = image {
                files.push((image_path(name, i), i.original.as_slice()));
            }
        }
        files
    }

    fn typeset(&self, letters: &[Value], today: NaiveDate) -> Result<typst_layout::PagedDocument> {
        let mut data = self.common_json();
        data["letters"] = Value::Array(letters.to_vec());
        let files = self.image_files();
        let files: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), *b)).collect();
        let (doc, warnings) =
            compile_with_files(self.ctx.fonts, LETTER_TEMPLATE, &data, &files, today)?;
        if let Some(w) = warnings.first() {
            return Err(Error::Internal(
                format!("typesetting a letter warned: {w}").into(),
            ));
        }
        Ok(doc)
    }
}

fn image_path(name: &str, image: &Image) -> String {
    format!("/{name}.{}", image.format)
}

/// A letter ready to be written: its recipient, its filled text and its typeset data.
struct Ready<'r, 'a> {
    recipient: &'r Recipient<'a>,
    filled: Filled,
    json: Value,
}

/// Writes the request's letters with the system's fonts, giving each its number.
pub fn write_letters(
    store: &Store,
    request: &LetterRequest,
    progress: Progress<'_>,
) -> Result<LetterBatch> {
    write_letters_with(store, &Fonts::system(), request, progress)
}

/// [`write_letters`] with the given fonts.
pub fn write_letters_with(
    store: &Store,
    fonts: &Fonts,
    request: &LetterRequest,
    progress: Progress<'_>,
) -> Result<LetterBatch> {
    let today = request
        .dated
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let event = store
        .read_apart(|conn| Sources::load(conn, fonts, &request.event_id, request.kind, None))?;
    for t in event.templates.values() {
        if let Some(problem) = template::check(t).into_iter().next() {
            return Err(Error::field(problem.field, problem.code, problem.text));
        }
    }
    let mut recipients = event.recipients(request, today)?;
    if recipients.is_empty() {
        return Err(Error::NotFound {
            entity: "recipient for these letters",
        });
    }
    let mut skipped = Vec::new();
    let mut chosen = Vec::new();
    for (i, r) in recipients.iter().enumerate() {
        let reason = match event.fill(r) {
            Err(reason) => Some(reason),
            Ok(_) if request.format == LetterFormat::Eml && r.email.trim().is_empty() => {
                Some(Text::new("letter-skip-no_email"))
            }
            // The number is not known yet: the fonts are checked with a stand-in.
            Ok(filled) => match event.letter_json(request.kind, r, &filled) {
                Err(Error::MissingFont { text, .. }) => Some(text),
                Err(e) => return Err(e),
                Ok(_) => None,
            },
        };
        match reason {
            Some(reason) => skipped.push(Skipped {
                recipient_id: r.id.clone(),
                recipient: r.label.clone(),
                reason,
            }),
            None => chosen.push(i),
        }
    }
    if chosen.is_empty() {
        return Ok(LetterBatch {
            files: Vec::new(),
            skipped,
            combined: None,
        });
    }
    let prefix = event.letterhead.prefix.clone();
    let numbers = store.write(|tx| {
        let issues: Vec<Issue<'_>> = chosen
            .iter()
            .map(|&i| Issue {
                kind: request.kind,
                recipient_id: &recipients[i].id,
                recipient: &recipients[i].label,
                lang: recipients[i].lang,
            })
            .collect();
        let numbers = saved::issue(
            tx,
            &request.event_id,
            &issues,
            request.format.extension(),
            &prefix,
        )?;
        crate::store::history::record_output(
            tx,
            &request.event_id,
            crate::store::history::Output::Letter,
            &format!(
                "{} ({})",
                crate::text::counted(
                    numbers.len() as i64,
                    &format!("{} letter", request.kind.as_str()),
                    None
                ),
                request.format.extension()
            ),
        )?;
        Ok(numbers)
    })?;
    for (&i, number) in chosen.iter().zip(&numbers) {
        recipients[i]
            .values
            .insert("document_number", number.clone());
    }
    let mut ready = Vec::with_capacity(chosen.len());
    for &i in &chosen {
        let r = &recipients[i];
        let filled = event.fill(r).map_err(|t| {
            Error::Internal(format!("a letter filled once failed: {}", t.en()).into())
        })?;
        let json = event.letter_json(request.kind, r, &filled)?;
        ready.push(Ready {
            recipient: r,
            filled,
            json,
        });
    }
    let stems: Vec<String> = ready
        .iter()
        .map(|r| safe_file_stem(&r.recipient.stem))
        .collect();
    let names = unique_file_names(&stems, request.format.extension());
    let mut combined = None;
    let files = match request.format {
        LetterFormat::Pdf => {
            let (files, all) = pdfs(&event, &ready, today, request.combined, progress)?;
            combined = all;
            files
        }
        LetterFormat::Docx => {
            let total = ready.len();
            ready
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let bytes =
                        docx::write(&event.letterhead_for(r.recipient.lang), request.kind, r)?;
                    progress(i + 1, total);
                    Ok(bytes)
                })
                .collect::<Result<Vec<_>>>()?
        }
        LetterFormat::Eml => {
            let (pdfs, _) = pdfs(&event, &ready, today, false, progress)?;
            let itineraries = if request.attach_itinerary {
                attachments(store, fonts, request, &ready)?
            } else {
                HashMap::new()
            };
            ready
                .iter()
                .zip(pdfs)
                .zip(&names)
                .map(|((r, pdf), name)| {
                    let pdf_name = format!("{}.pdf", name.trim_end_matches(".eml"));
                    let mut attached = vec![("application/pdf", pdf_name, pdf)];
                    if let Some(files) = itineraries.get(&r.recipient.id) {
                        attached.extend(files.iter().cloned());
                    }
                    eml::write(&event.letterhead_for(r.recipient.lang), r, &attached)
                })
                .collect::<Result<Vec<_>>>()?
        }
    };
    let files = ready
        .iter()
        .zip(files)
        .zip(names)
        .zip(numbers)
        .map(|(((r, bytes), name), number)| LetterFile {
            name,
            bytes,
            recipient_id: r.recipient.id.clone(),
            recipient: r.recipient.label.clone(),
            number,
        })
        .collect();
    Ok(LetterBatch {
        files,
        skipped,
        combined,
    })
}

impl Sources<'_> {
    /// The letterhead's words in a language, for every form of a letter. Without an office of
    /// its own, the letters are the event's host's.
    fn letterhead_for(&self, lang: Language) -> docx::Head<'_> {
        let [office, address, signatory, title] = self.letterhead.in_lang(lang);
        docx::Head {
            office: if office.is_empty() {
                &self.ctx.event.host
            } else {
                office
            },
            address,
            phone: &self.letterhead.phone,
            email: &self.letterhead.email,
            signatory,
            title,
            logo: self.logo.as_ref(),
            seal: self.seal.as_ref(),
            lang,
        }
    }
}

/// One PDF per letter, and all of them in one (when asked for).
type Pdfs = (Vec<Vec<u8>>, Option<Vec<u8>>);

/// One PDF per letter, and all of them in one when `combined`.
fn pdfs(
    event: &Sources<'_>,
    ready: &[Ready<'_, '_>],
    today: NaiveDate,
    combined: bool,
    progress: Progress<'_>,
) -> Result<Pdfs> {
    let letters: Vec<Value> = ready.iter().map(|r| r.json.clone()).collect();
    let total = letters.len();
    progress(0, total);
    let chunks: Vec<&[Value]> = letters.chunks(PER_CHUNK).collect();
    let done = in_chunks(&chunks, total, progress, |_, slice| {
        let document = event.typeset(slice, today)?;
        let pdfs = split(&document, slice.len())?;
        Ok((pdfs, combined.then_some(document)))
    })?;
    let mut files = Vec::with_capacity(total);
    let mut documents = Vec::new();
    for (pdfs, document) in done {
        files.extend(pdfs);
        documents.extend(document);
    }
    let all = if combined {
        Some(pdf_bytes(&joined(documents))?)
    } else {
        None
    };
    Ok((files, all))
}

/// The itinerary files each e-mail carries: the official's PDF and calendar, or the
/// delegation's combined ones.
type Attached = (&'static str, String, Vec<u8>);

fn attachments(
    store: &Store,
    fonts: &Fonts,
    request: &LetterRequest,
    ready: &[Ready<'_, '_>],
) -> Result<HashMap<String, Vec<Attached>>> {
    use super::itinerary::{itineraries_with, ItineraryFormat, ItineraryRequest, Scope};
    let mut out: HashMap<String, Vec<Attached>> = HashMap::new();
    let quiet: Progress<'_> = &|_, _| {};
    // Only the itineraries the batch attaches: a letter to one official types one, not the
    // whole event's.
    let scopes: Vec<(String, Scope)> = match request.kind.source() {
        Source::Delegation => ready
            .iter()
            .map(|r| {
                (
                    r.recipient.id.clone(),
                    Scope::Delegation {
                        id: r.recipient.id.clone(),
                    },
                )
            })
            .collect(),
        _ => vec![(
            String::new(),
            match &request.recipients {
                Recipients::Official { id } => Scope::Official { id: id.clone() },
                Recipients::Delegation { id } => Scope::Delegation { id: id.clone() },
                Recipients::All => Scope::All,
            },
        )],
    };
    for (owner, scope) in scopes {
        for (format, mime) in [
            (ItineraryFormat::Pdf, "application/pdf"),
            (ItineraryFormat::Ics, "text/calendar"),
        ] {
            let files = match itineraries_with(
                store,
                fonts,
                &ItineraryRequest {
                    event_id: request.event_id.clone(),
                    scope: scope.clone(),
                    format,
                    printed_on: request.dated,
                },
                quiet,
            ) {
                Ok(files) => files,
                // A delegation without members has no itinerary to attach.
                Err(Error::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            for f in files {
                let key = match (&f.official_id, owner.is_empty()) {
                    (Some(id), true) => id.clone(),
                    (None, false) => owner.clone(),
                    _ => continue,
                };
                out.entry(key).or_default().push((mime, f.name, f.bytes));
            }
        }
    }
    Ok(out)
}

/// Writes the files into `dir` (created if missing); returns how many.
pub fn write_files(dir: &Path, files: &[LetterFile], replace: bool) -> Result<usize> {
    let named: Vec<(&str, &[u8])> = files
        .iter()
        .map(|f| (f.name.as_str(), f.bytes.as_slice()))
        .collect();
    crate::files::write_folder(dir, &named, replace)
}

/// A preview of a template for one recipient: the first page, and what is wrong.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    /// The first page as PNG.
    #[serde(skip)]
    pub png: Vec<u8>,
    pub pages: usize,
    pub recipient_id: String,
    pub recipient: String,
    /// Unknown or unclosed placeholders, and the recipient's missing values (code `missing`).
    pub problems: Vec<Problem>,
    /// Why this recipient would get no letter (a certificate under the share).
    pub refused: Option<Text>,
}

/// The page of `template` (unsaved, as the officer is typing it) for a recipient (the first in
/// the event when `None`), with missing values shown as `[placeholder]`.
pub fn preview(
    store: &Store,
    fonts: &Fonts,
    event_id: &str,
    template: &LetterTemplate,
    recipient_id: Option<&str>,
    min_attendance: u8,
    scale: f32,
) -> Result<Preview> {
    let kind = template.kind;
    let today = chrono::Local::now().date_naive();
    let event =
        store.read_apart(|conn| Sources::load(conn, fonts, event_id, kind, Some(template)))?;
    let recipients = match recipient_id {
        Some(id) => {
            let scope = match kind.source() {
                Source::Delegation => Recipients::Delegation { id: id.into() },
                _ => Recipients::Official { id: id.into() },
            };
            let mut request = LetterRequest::new(event_id, kind, scope);
            request.lang = Some(template.lang);
            request.min_attendance = min_attendance;
            event.recipients(&request, today)?
        }
        None => {
            let mut request = LetterRequest::new(event_id, kind, Recipients::All);
            request.lang = Some(template.lang);
            request.min_attendance = min_attendance;
            event
                .recipients(&request, today)?
                .into_iter()
                .take(1)
                .collect()
        }
    };
    let mut r = recipients.into_iter().next().ok_or(Error::NotFound {
        entity: "recipient for these letters",
    })?;
    r.lang = template.lang;
    let number = store
        .read(|conn| saved::number_for(conn, event_id, kind, &r.id, &event.letterhead.prefix))?;
    r.values.insert("document_number", number);
    let mut problems = template::check(template);
    // Whatever the words lack shows on the page as `[name]`; an unclosed `{{` as typed.
    let (filled, missing) = template::fill_for_preview(template, &r.values);
    problems.extend(missing.iter().map(|m| {
        Problem {
            field: "body",
            code: "missing",
            placeholder: m.clone(),
            line: 0,
            text: Text::new("letter-problem-missing")
                .with("name", m.as_str())
                .with("who", r.label.as_str()),
        }
    }));
    let json = event.letter_json(kind, &r, &filled)?;
    let document = event.typeset(&[json], today)?;
    let pages = document.pages().len();
    let png = page_png(&document, 0, scale)?;
    typst::comemo::evict(0);
    Ok(Preview {
        png,
        pages,
        recipient_id: r.id.clone(),
        recipient: r.label.clone(),
        problems,
        refused: r.refused.clone(),
    })
}

/// Who can receive a kind of letter: `(id, label)` in print order, for the preview's picker.
pub fn recipients(
    store: &Store,
    event_id: &str,
    kind: LetterKind,
) -> Result<Vec<(String, String)>> {
    let fonts = Fonts::system();
    let today = chrono::Local::now().date_naive();
    let event = store.read_apart(|conn| Sources::load(conn, &fonts, event_id, kind, None))?;
    let request = LetterRequest::new(event_id, kind, Recipients::All);
    Ok(event
        .recipients(&request, today)?
        .into_iter()
        .map(|r| (r.id, r.label))
        .collect())
}

/// Most bytes a logo or seal may have: a letterhead image, not a photograph.
pub const MAX_IMAGE_BYTES: usize = 4 * 1024 * 1024;

/// Most pixels a PNG or JPEG logo may have (a 6,000 × 4,000 scan): decoded, it takes four
/// bytes a pixel.
const MAX_IMAGE_PIXELS: u64 = 24_000_000;

/// The width and height a PNG or JPEG says it has, from its header.
fn raster_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let be16 = |at: usize| {
        Some(u32::from(u16::from_be_bytes([
            *bytes.get(at)?,
            *bytes.get(at + 1)?,
        ])))
    };
    let be32 = |at: usize| Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        // The first chunk is IHDR: width and height at 16 and 20.
        return (bytes.get(12..16)? == b"IHDR").then_some((be32(16)?, be32(20)?));
    }
    // JPEG: walk the segments to the first start-of-frame (SOF0–SOF15 but DHT, JPG, DAC).
    let mut at = 2;
    while at + 9 < bytes.len() {
        if bytes[at] != 0xFF {
            return None;
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            return Some((be16(at + 7)?, be16(at + 5)?));
        }
        at += 2 + usize::try_from(be16(at + 2)?).ok()?;
    }
    None
}

/// Keeps a logo or seal (PNG, JPEG or SVG), refused with a sentence when it is not one the
/// typesetter can draw; a PNG made from it is kept for Word documents.
pub fn import_image(store: &Store, fonts: &Fonts, name: &str, bytes: &[u8]) -> Result<()> {
    if name != "logo" && name != "seal" {
        return Err(Error::NotFound { entity: "image" });
    }
    let bad = || Error::field(name, "invalid_value", Text::new("letter-error-image"));
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(Error::field(
            name,
            "too_long",
            Text::new("letter-error-image_size").with("max", MAX_IMAGE_BYTES / (1024 * 1024)),
        ));
    }
    let format = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "png"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "jpg"
    } else if std::str::from_utf8(&bytes[..bytes.len().min(4096)])
        .is_ok_and(|head| head.contains("<svg"))
    {
        "svg"
    } else {
        return Err(bad());
    };
    // A small file can claim a huge picture (a decompression bomb): its size is read from its
    // header and refused before anything decodes it.
    if format != "svg" {
        match raster_size(bytes) {
            Some((w, h)) if w > 0 && h > 0 && u64::from(w) * u64::from(h) <= MAX_IMAGE_PIXELS => {}
            _ => return Err(bad()),
        }
    }
    // Drawn once by the typesetter: what it cannot draw is refused now, not at the first letter.
    let path = format!("/{name}.{format}");
    let source = format!(
        "#set page(width: auto, height: auto, margin: 0pt, fill: none)\n#image(\"{path}\", height: 240pt)\n"
    );
    let today = chrono::Local::now().date_naive();
    let (document, _) = compile_with_files(fonts, &source, &json!({}), &[(&path, bytes)], today)
        .map_err(|_| bad())?;
    let png = page_png(&document, 0, 1.0).map_err(|_| bad())?;
    let (width_px, height_px) = raster_size(&png).ok_or_else(bad)?;
    if width_px == 0 || height_px == 0 || width_px > 20 * height_px {
        return Err(bad());
    }
    let image = Image {
        format: format.into(),
        original: bytes.to_vec(),
        png,
        width_px,
        height_px,
    };
    store.write(|tx| saved::save_image(tx, name, &image))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend(width.to_be_bytes());
        png.extend(height.to_be_bytes());
        png.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
        png
    }

    #[test]
    fn a_picture_is_measured_from_its_header() {
        assert_eq!(raster_size(&png_claiming(640, 480)), Some((640, 480)));
        // A JPEG: SOI, an APP0 segment, then SOF0 with height 300 and width 400.
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01,
            0x2C, 0x01, 0x90, 0x03, 0, 0, 0, 0,
        ];
        assert_eq!(raster_size(&jpeg), Some((400, 300)));
        assert_eq!(raster_size(b"\xFF\xD8\xFF"), None);
    }

    #[test]
    fn a_logo_claiming_a_huge_picture_is_refused_before_it_is_decoded() {
        let store = Store::open_in_memory().expect("library");
        let fonts = Fonts::system();
        let refused = import_image(&store, &fonts, "logo", &png_claiming(100_000, 100_000));
        match refused {
            Err(Error::Validation(errors)) => assert_eq!(errors[0].code, "invalid_value"),
            other => panic!("{other:?}"),
        }
        assert!(store
            .read(|c| saved::image(c, "logo"))
            .expect("read")
            .is_none());
    }
}
