//! Field checks: what every field of a type gets before a record's own rules (trimmed text,
//! no control characters, a length that fits a page), and the `Checker` that collects a
//! record's problems so that a form can mark every field at once. Reads nothing.

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{Error, FieldError, Result};
use crate::reference;
use crate::words::{Arg, Text};

/// A validation message of the catalogue, `valid-{name}`.
pub fn says(name: &str) -> Text {
    Text::new(format!("valid-{name}"))
}

/// Words that name a field in a sentence ("The family name", "성"), from the catalogue's `what`
/// id, in each language.
pub fn named(what: &str) -> Arg {
    Arg::both(
        crate::words::word("en", what),
        crate::words::word("ko", what),
    )
}

/// Longest text accepted in a one-line field (names, positions…). Passports allow far less;
/// anything longer is a paste accident or an attack, and would not fit any printed page.
pub const MAX_LINE: usize = 300;
/// Longest text accepted in a free-text field (notes, addresses, descriptions).
pub const MAX_TEXT: usize = 5_000;

/// Fields that may hold several lines.
const MULTILINE: &[&str] = &[
    "notes",
    "description",
    "address",
    "special_requests",
    "emergency_contact",
    "dietary",
    "accessibility",
];

/// Collects the problems of one record.
#[derive(Debug, Default)]
pub struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    /// A problem with `field`, said by catalogue message `text`.
    pub fn error(&mut self, field: &str, code: &'static str, text: Text) {
        // One message per field is enough for a form; the first is the most basic.
        if self.errors.iter().all(|e| e.field != field) {
            self.errors.push(FieldError {
                field: field.to_string(),
                code,
                message: text.en(),
                text,
            });
        }
    }

    pub fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// `value` must not be empty; `what` names the field in the sentence (a `what-…` id).
    pub fn required(&mut self, field: &str, value: &str, what: &str) {
        if value.trim().is_empty() {
            self.error(
                field,
                "required",
                says("required").with("what", named(what)),
            );
        }
    }

    pub fn email(&mut self, field: &str, value: &str) {
        if !value.is_empty() && !is_email(value) {
            self.error(
                field,
                "invalid_email",
                says("invalid_email").with("value", value),
            );
        }
    }

    pub fn country(&mut self, field: &str, code: &str) {
        if !code.is_empty() && reference::country(code).is_none() {
            self.error(
                field,
                "invalid_country",
                says("invalid_country").with("value", code),
            );
        }
    }

    /// `value` must not be negative; `what` names the field (a `what-…` id).
    pub fn not_negative(&mut self, field: &str, value: i64, what: &str) {
        if value < 0 {
            self.error(
                field,
                "invalid_value",
                says("negative").with("what", named(what)),
            );
        }
    }

    pub fn finish(self) -> Result<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self.errors))
        }
    }
}

fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(char::is_whitespace)
}

/// Checks every field of a type gets, before the record's own rules.
pub trait FieldValue {
    fn check(&mut self, _field: &'static str, _checker: &mut Checker) {}
}

impl FieldValue for String {
    fn check(&mut self, field: &'static str, checker: &mut Checker) {
        let multiline = MULTILINE.contains(&field);
        let trimmed = self.trim();
        if trimmed.len() != self.len() {
            *self = trimmed.to_string();
        }
        if multiline && self.contains('\r') {
            *self = self.replace("\r\n", "\n").replace('\r', "\n");
        }
        let bad = self
            .chars()
            .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t')));
        if bad {
            checker.error(
                field,
                "invalid_control_chars",
                says("invalid_control_chars"),
            );
        }
        let limit = if multiline { MAX_TEXT } else { MAX_LINE };
        let len = self.chars().count();
        if len > limit {
            checker.error(
                field,
                "too_long",
                says("too_long").with("len", len).with("limit", limit),
            );
        }
    }
}

impl FieldValue for Option<String> {
    fn check(&mut self, field: &'static str, checker: &mut Checker) {
        if let Some(text) = self {
            text.check(field, checker);
            if text.is_empty() {
                *self = None;
            }
        }
    }
}

impl FieldValue for i64 {}
impl FieldValue for Option<i64> {}
impl FieldValue for bool {}
impl FieldValue for NaiveDate {}
impl FieldValue for Option<NaiveDate> {}
impl FieldValue for DateTime<Utc> {}
impl FieldValue for Option<DateTime<Utc>> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shapes() {
        for ok in ["a@b.co", "first.last+tag@mofa.go.kr"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@b.co", "a@@b.co", "a b@c.co", "a@.co", "a@co.",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn text_fields_are_trimmed_and_checked() {
        let mut c = Checker::default();
        let mut name = "  Kim  ".to_string();
        name.check("family_name", &mut c);
        assert_eq!(name, "Kim");
        let mut bad = "Kim\u{0007}".to_string();
        bad.check("given_name", &mut c);
        let mut notes = "line one\r\nline two\tend".to_string();
        notes.check("notes", &mut c);
        assert_eq!(notes, "line one\nline two\tend");
        let mut long = "x".repeat(MAX_LINE + 1);
        long.check("position", &mut c);
        let Err(Error::Validation(errors)) = c.finish() else {
            panic!("expected validation errors");
        };
        let codes: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            codes,
            [
                ("given_name", "invalid_control_chars"),
                ("position", "too_long")
            ]
        );
    }
}
