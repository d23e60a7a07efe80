//! Importing registrations from the spreadsheets offices actually receive.
//!
//! The flow the app's Import screen and `ddesk import` both follow:
//!
//! 1. [`read_file`] turns an XLSX/XLS/XLSB/ODS workbook or a CSV/TSV file (UTF-8 with or
//!    without BOM, UTF-16, CP949/EUC-KR, detected or chosen) into a [`Table`] of text cells,
//!    with the header row found and trailing blank and totals rows left out.
//! 2. [`auto_mapping`] maps columns to [`Field`]s from English or Korean headers, preferring
//!    the mapping remembered for the same headers ([`remembered_mapping`]); the officer may
//!    change any of it.
//! 3. [`preview`] parses and validates every row without writing anything: the records it
//!    would write, per-row errors (which block the row) and warnings (which do not), and
//!    duplicates against the event and within the file.
//! 4. [`commit`] writes it all in one transaction after an automatic backup, as one batch of
//!    the change log that `Store::undo_batch` takes back whole; the mapping is remembered.
//!
//! Nothing here writes until `commit`, and `commit` writes all of the import or none of it.

mod commit;
pub mod form;
mod mapping;
pub mod matching;
mod plan;
mod read;
mod row;
pub mod values;
mod worker;

use serde::{Deserialize, Serialize};

use crate::words::{Arg, Text};

pub use commit::commit;
pub use mapping::{
    auto_mapping, field_for_header, fields, mapping_key, remember_mapping, remembered_mapping,
    session_in_header, Field, FieldInfo, Mapping, SESSION_PREFIXES,
};
pub use matching::{remembered_values, How, Unmatched, ValueMap, ValueMatch};
pub use plan::{
    preview, Attendance, Counts, Decisions, DelegationChoice, Duplicate, DuplicateAction,
    DuplicateReason, FieldChange, FileDuplicate, ImportReport, Preview, RowPreview, RowStatus,
};
pub(crate) use read::column_letter;
pub use read::{
    read_bytes, read_file, FileFormat, ReadOptions, SourceRow, Table, MAX_COLUMNS, MAX_FILE_BYTES,
    MAX_ROWS,
};
pub use worker::{
    read_file_isolated, read_isolated, serve_if_asked, MEMORY_LIMIT, TIME_LIMIT, WORKER_ARG,
};

/// How much a message matters: an `error` keeps its row out of the import, a `warning` is
/// worth a look, `info` says what was assumed or skipped. The same scale as the checks'.
pub use crate::checks::Severity;

/// One thing the officer should know about a file or a row.
///
/// A message the catalogue says is kept as its id and arguments, and put into words only when
/// it is shown (serialized for the window, printed by `ddesk`): a preview of 10,000 rows
/// builds thousands of messages, most of which nobody reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Message {
    pub severity: Severity,
    /// The field it is about (an import [`Field`] name such as `passport_expiry`), if any.
    #[serde(default)]
    pub field: Option<String>,
    /// A stable code (`required`, `unknown_country`, `bad_date`…).
    pub code: String,
    /// The catalogue message that says it (`importmsg-{code}`, or a variant of it) with its
    /// arguments, for the window to say in its language; empty for a record rule's refusal,
    /// which comes with words of its own.
    #[serde(default)]
    pub text: Text,
    /// A record rule's own words (the English sentence a reading child sent, for any message).
    #[serde(default)]
    message: String,
}

/// A message as the window and the command line receive it: its English words included.
impl Serialize for Message {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            severity: Severity,
            #[serde(skip_serializing_if = "Option::is_none")]
            field: Option<&'a str>,
            code: &'a str,
            text: &'a Text,
            message: String,
        }
        Shown {
            severity: self.severity,
            field: self.field.as_deref(),
            code: &self.code,
            text: &self.text,
            message: self.message(),
        }
        .serialize(serializer)
    }
}

impl Message {
    /// A message whose words are given (a record rule's refusal, which has no catalogue entry).
    pub fn new(severity: Severity, code: &str, message: impl Into<String>) -> Message {
        Message {
            severity,
            field: None,
            code: code.to_string(),
            text: Text::default(),
            message: message.into(),
        }
    }

    /// A message said by the catalogue's `importmsg-{code}`.
    pub fn said(severity: Severity, code: &str) -> Message {
        let mut m = Message::new(severity, code, "");
        m.text = Text::new(format!("importmsg-{code}"));
        m
    }

    /// The same code in other words: `importmsg-{code}-{variant}`.
    pub fn variant(mut self, variant: &str) -> Message {
        self.text.id = format!("importmsg-{}-{variant}", self.code);
        self
    }

    /// Adds a value the sentence quotes.
    pub fn with(mut self, key: &str, value: impl std::fmt::Display) -> Message {
        self.text
            .args
            .insert(key.to_string(), Arg::Text(value.to_string()));
        self
    }

    /// Adds words that differ by language (a field's label, a leg of the journey, a date).
    pub fn with_words(mut self, key: &str, en: &str, ko: &str) -> Message {
        self.text.args.insert(key.to_string(), Arg::both(en, ko));
        self
    }

    /// The leg of the journey (`arrival`, `departure`), named in each language as `leg`.
    pub fn with_leg(self, leg: &str) -> Message {
        let id = format!("import-leg-{leg}");
        let (en, ko) = (crate::words::word("en", &id), crate::words::word("ko", &id));
        self.with_words("leg", &en, &ko)
    }

    /// A date in words in each language ("7 May 2024", "2024년 5월 7일").
    pub fn with_date(self, key: &str, date: chrono::NaiveDate) -> Message {
        use crate::model::Language;
        self.with_words(
            key,
            &crate::dates::long_date(date, Language::En),
            &crate::dates::long_date(date, Language::Ko),
        )
    }

    /// About this import field, named in the sentence as `field`.
    pub fn about(self, field: Field) -> Message {
        self.on(field.as_str())
            .with_words("field", field.label_en(), field.label_ko())
    }

    /// The English words: the catalogue's (and the candidates it offers, after them), or a
    /// record rule's own.
    pub fn message(&self) -> String {
        if self.text.is_empty() {
            return self.message.clone();
        }
        let said = self.text.en();
        if !self.text.args.contains_key("candidates") {
            return said;
        }
        let offer = Text {
            id: "importmsg-candidates".into(),
            args: self.text.args.clone(),
        };
        format!("{said} {}", offer.en())
    }

    pub fn on(mut self, field: &str) -> Message {
        self.field = Some(field.to_string());
        self
    }
}
