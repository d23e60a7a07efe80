//! What the library keeps for letters: the officer's templates, the office's letterhead with
//! its logo and seal, and the register of outgoing document numbers.

use chrono::{DateTime, Datelike, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::template::{self, LetterTemplate};
use super::LetterKind;
use crate::error::{Error, Result};
use crate::model::Language;
use crate::words::Text;

/// The template of a kind and language: the officer's, or the default.
pub fn template(conn: &Connection, kind: LetterKind, lang: Language) -> Result<LetterTemplate> {
    let saved = conn
        .query_row(
            "SELECT subject, recipient, body, closing, email FROM letter_template
              WHERE kind = ?1 AND lang = ?2",
            params![kind.as_str(), lang.as_str()],
            |r| {
                Ok(LetterTemplate {
                    kind,
                    lang,
                    subject: r.get(0)?,
                    recipient: r.get(1)?,
                    body: r.get(2)?,
                    closing: r.get(3)?,
                    email: r.get(4)?,
                })
            },
        )
        .optional()?;
    Ok(saved.unwrap_or_else(|| template::default_template(kind, lang)))
}

/// Whether the officer has changed the template from the default.
pub fn template_is_own(conn: &Connection, kind: LetterKind, lang: Language) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM letter_template WHERE kind = ?1 AND lang = ?2)",
        params![kind.as_str(), lang.as_str()],
        |r| r.get(0),
    )?)
}

/// Keeps the officer's template, refused while a placeholder is unknown or unclosed (the
/// editor shows the same problems under the text).
pub fn save_template(tx: &Transaction<'_>, t: &LetterTemplate) -> Result<()> {
    if let Some(problem) = template::check(t).into_iter().next() {
        return Err(Error::field(problem.field, problem.code, problem.text));
    }
    let now = Utc::now();
    tx.execute(
        "INSERT INTO letter_template (kind, lang, subject, recipient, body, closing, email,
                                      created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
         ON CONFLICT (kind, lang) DO UPDATE SET subject = excluded.subject,
             recipient = excluded.recipient, body = excluded.body, closing = excluded.closing,
             email = excluded.email, updated_at = excluded.updated_at",
        params![
            t.kind.as_str(),
            t.lang.as_str(),
            t.subject,
            t.recipient,
            t.body,
            t.closing,
            t.email,
            now
        ],
    )?;
    Ok(())
}

/// Goes back to the default words.
pub fn reset_template(tx: &Transaction<'_>, kind: LetterKind, lang: Language) -> Result<()> {
    tx.execute(
        "DELETE FROM letter_template WHERE kind = ?1 AND lang = ?2",
        params![kind.as_str(), lang.as_str()],
    )?;
    Ok(())
}

/// The office's letterhead: who writes, and who signs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Letterhead {
    pub office_en: String,
    pub office_ko: String,
    pub address_en: String,
    pub address_ko: String,
    pub phone: String,
    pub email: String,
    pub signatory_en: String,
    pub signatory_ko: String,
    pub title_en: String,
    pub title_ko: String,
    /// What outgoing document numbers start with: `국제협력과` gives `국제협력과-2026-0001`.
    pub prefix: String,
}

/// The fields of a letterhead, by name, for the command line's `--set FIELD=VALUE`.
pub const LETTERHEAD_FIELDS: &[&str] = &[
    "office_en",
    "office_ko",
    "address_en",
    "address_ko",
    "phone",
    "email",
    "signatory_en",
    "signatory_ko",
    "title_en",
    "title_ko",
    "prefix",
];

impl Letterhead {
    /// Sets one field by its name (`LETTERHEAD_FIELDS`), through the same names serde uses.
    pub fn set(&mut self, field: &str, value: &str) -> Result<()> {
        let mut json = serde_json::to_value(&*self)?;
        match json.get_mut(field) {
            Some(slot) if LETTERHEAD_FIELDS.contains(&field) => {
                *slot = serde_json::Value::from(value.trim());
            }
            _ => {
                return Err(Error::field(
                    "field",
                    "invalid_value",
                    Text::new("letter-error-letterhead_field").with("field", field),
                ))
            }
        }
        *self = serde_json::from_value(json)?;
        Ok(())
    }

    /// The office's name, address, signatory and title in a language (English where the Korean
    /// is not given).
    pub fn in_lang(&self, lang: Language) -> [&str; 4] {
        fn pick<'a>(lang: Language, en: &'a str, ko: &'a str) -> &'a str {
            if lang == Language::Ko && !ko.is_empty() {
                ko
            } else {
                en
            }
        }
        [
            pick(lang, &self.office_en, &self.office_ko),
            pick(lang, &self.address_en, &self.address_ko),
            pick(lang, &self.signatory_en, &self.signatory_ko),
            pick(lang, &self.title_en, &self.title_ko),
        ]
    }
}

pub fn letterhead(conn: &Connection) -> Result<Letterhead> {
    Ok(conn
        .query_row(
            "SELECT office_en, office_ko, address_en, address_ko, phone, email, signatory_en,
                    signatory_ko, title_en, title_ko, prefix FROM letterhead WHERE id = 1",
            [],
            |r| {
                Ok(Letterhead {
                    office_en: r.get(0)?,
                    office_ko: r.get(1)?,
                    address_en: r.get(2)?,
                    address_ko: r.get(3)?,
                    phone: r.get(4)?,
                    email: r.get(5)?,
                    signatory_en: r.get(6)?,
                    signatory_ko: r.get(7)?,
                    title_en: r.get(8)?,
                    title_ko: r.get(9)?,
                    prefix: r.get(10)?,
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

pub fn save_letterhead(tx: &Transaction<'_>, l: &Letterhead) -> Result<()> {
    let json = serde_json::to_value(l)?;
    let too_long = LETTERHEAD_FIELDS
        .iter()
        .find(|f| json[**f].as_str().is_some_and(|v| v.chars().count() > 500));
    if let Some(field) = too_long {
        return Err(Error::field(
            field,
            "too_long",
            Text::new("letter-error-too_long").with("max", 500_usize),
        ));
    }
    if l.prefix.contains(['/', '\\', '\n']) {
        return Err(Error::field(
            "prefix",
            "invalid_value",
            Text::new("letter-error-prefix"),
        ));
    }
    let now = Utc::now();
    tx.execute(
        "INSERT INTO letterhead (id, office_en, office_ko, address_en, address_ko, phone, email,
                                 signatory_en, signatory_ko, title_en, title_ko, prefix,
                                 created_at, updated_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)
         ON CONFLICT (id) DO UPDATE SET office_en = excluded.office_en,
             office_ko = excluded.office_ko, address_en = excluded.address_en,
             address_ko = excluded.address_ko, phone = excluded.phone, email = excluded.email,
             signatory_en = excluded.signatory_en, signatory_ko = excluded.signatory_ko,
             title_en = excluded.title_en, title_ko = excluded.title_ko,
             prefix = excluded.prefix, updated_at = excluded.updated_at",
        params![
            l.office_en,
            l.office_ko,
            l.address_en,
            l.address_ko,
            l.phone,
            l.email,
            l.signatory_en,
            l.signatory_ko,
            l.title_en,
            l.title_ko,
            l.prefix,
            now
        ],
    )?;
    Ok(())
}

/// A logo or seal as kept: the file imported, and the PNG made from it.
#[derive(Debug, Clone)]
pub struct Image {
    /// `png`, `jpg` or `svg`: the original's format.
    pub format: String,
    pub original: Vec<u8>,
    pub png: Vec<u8>,
    pub width_px: u32,
    pub height_px: u32,
}

/// `logo` or `seal`.
pub fn image(conn: &Connection, name: &str) -> Result<Option<Image>> {
    Ok(conn
        .query_row(
            "SELECT format, original, png, width_px, height_px FROM letter_image WHERE name = ?",
            [name],
            |r| {
                Ok(Image {
                    format: r.get(0)?,
                    original: r.get(1)?,
                    png: r.get(2)?,
                    width_px: r.get(3)?,
                    height_px: r.get(4)?,
                })
            },
        )
        .optional()?)
}

pub fn save_image(tx: &Transaction<'_>, name: &str, image: &Image) -> Result<()> {
    let now = Utc::now();
    tx.execute(
        "INSERT INTO letter_image (name, format, original, png, width_px, height_px, created_at,
                                   updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT (name) DO UPDATE SET format = excluded.format,
             original = excluded.original, png = excluded.png, width_px = excluded.width_px,
             height_px = excluded.height_px, updated_at = excluded.updated_at",
        params![
            name,
            image.format,
            image.original,
            image.png,
            image.width_px,
            image.height_px,
            now
        ],
    )?;
    Ok(())
}

pub fn remove_image(tx: &Transaction<'_>, name: &str) -> Result<()> {
    tx.execute("DELETE FROM letter_image WHERE name = ?", [name])?;
    Ok(())
}

/// One outgoing document in the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterEntry {
    pub number: String,
    pub kind: LetterKind,
    pub recipient_id: String,
    pub recipient: String,
    pub lang: String,
    pub format: String,
    pub issued_at: DateTime<Utc>,
    pub last_issued_at: DateTime<Utc>,
    /// How many times it was written (a corrected letter keeps its number).
    pub times: i64,
    pub officer: String,
}

/// The event's register, in number order.
pub fn register(conn: &Connection, event_id: &str) -> Result<Vec<RegisterEntry>> {
    let mut stmt = conn.prepare(
        "SELECT number, kind, recipient_id, recipient, lang, format, issued_at, last_issued_at,
                times, officer
           FROM letter_register WHERE event_id = ? ORDER BY year, seq",
    )?;
    let rows = stmt
        .query_map([event_id], |r| {
            let kind: String = r.get(1)?;
            Ok(RegisterEntry {
                number: r.get(0)?,
                kind: LetterKind::parse(&kind).unwrap_or(LetterKind::Visa),
                recipient_id: r.get(2)?,
                recipient: r.get(3)?,
                lang: r.get(4)?,
                format: r.get(5)?,
                issued_at: r.get(6)?,
                last_issued_at: r.get(7)?,
                times: r.get(8)?,
                officer: r.get(9)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

fn number(prefix: &str, year: i32, seq: i64) -> String {
    if prefix.is_empty() {
        format!("{year}-{seq:04}")
    } else {
        format!("{prefix}-{year}-{seq:04}")
    }
}

/// The number a letter has, or the one it would get if written now (for a preview; nothing
/// is kept).
pub fn number_for(
    conn: &Connection,
    event_id: &str,
    kind: LetterKind,
    recipient_id: &str,
    prefix: &str,
) -> Result<String> {
    let have: Option<String> = conn
        .query_row(
            "SELECT number FROM letter_register
              WHERE event_id = ?1 AND kind = ?2 AND recipient_id = ?3",
            params![event_id, kind.as_str(), recipient_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(have) = have {
        return Ok(have);
    }
    let year = Utc::now().year();
    Ok(number(prefix, year, next_seq(conn, year)?))
}

fn next_seq(conn: &Connection, year: i32) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT coalesce(max(seq), 0) + 1 FROM letter_register WHERE year = ?",
        [year],
        |r| r.get(0),
    )?)
}

/// What one letter of a batch is, for the register.
#[derive(Debug)]
pub struct Issue<'a> {
    pub kind: LetterKind,
    pub recipient_id: &'a str,
    pub recipient: &'a str,
    pub lang: Language,
}

/// Gives each letter its number (the one it has, or the next), in one transaction, under the
/// officer's name; returns the numbers in the letters' order.
pub fn issue(
    tx: &Transaction<'_>,
    event_id: &str,
    letters: &[Issue<'_>],
    format: &str,
    prefix: &str,
) -> Result<Vec<String>> {
    let now = Utc::now();
    let year = now.year();
    let officer = crate::store::officer_name(tx)?;
    let mut seq = next_seq(tx, year)?;
    let mut find = tx.prepare_cached(
        "SELECT id, number FROM letter_register
          WHERE event_id = ?1 AND kind = ?2 AND recipient_id = ?3",
    )?;
    let mut again = tx.prepare_cached(
        "UPDATE letter_register SET last_issued_at = ?2, times = times + 1, format = ?3,
                lang = ?4, recipient = ?5, officer = ?6, updated_at = ?2 WHERE id = ?1",
    )?;
    let mut add = tx.prepare_cached(
        "INSERT INTO letter_register (id, event_id, number, year, seq, kind, recipient_id,
                                      recipient, lang, format, issued_at, last_issued_at, times,
                                      officer, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, 1, ?12, ?11, ?11)",
    )?;
    let mut out = Vec::with_capacity(letters.len());
    for l in letters {
        let have: Option<(String, String)> = find
            .query_row(params![event_id, l.kind.as_str(), l.recipient_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        match have {
            Some((id, number)) => {
                again.execute(params![
                    id,
                    now,
                    format,
                    l.lang.as_str(),
                    l.recipient,
                    officer
                ])?;
                out.push(number);
            }
            None => {
                let n = number(prefix, year, seq);
                add.execute(params![
                    uuid::Uuid::new_v4().to_string(),
                    event_id,
                    n,
                    year,
                    seq,
                    l.kind.as_str(),
                    l.recipient_id,
                    l.recipient,
                    l.lang.as_str(),
                    format,
                    now,
                    officer
                ])?;
                seq += 1;
                out.push(n);
            }
        }
    }
    Ok(out)
}
