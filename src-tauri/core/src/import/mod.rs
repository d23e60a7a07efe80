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
use std::collections::BTreeMap;

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub severity: Severity,
    /// The field it is about (an import [`Field`] name such as `passport_expiry`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// A stable code the UI may translate (`required`, `unknown_country`, `bad_date`…).
    pub code: String,
    /// The English sentence, used by the CLI and as the UI's fallback.
    pub message: String,
    /// The values the sentence quotes (`value`, `date`, `leg`…), so that the window can say
    /// it in Korean.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

impl Message {
    pub fn new(severity: Severity, code: &str, message: impl Into<String>) -> Message {
        Message {
            severity,
            field: None,
            code: code.to_string(),
            message: message.into(),
            params: BTreeMap::new(),
        }
    }

    /// Adds a value the sentence quotes.
    pub fn with(mut self, key: &str, value: impl std::fmt::Display) -> Message {
        self.params.insert(key.to_string(), value.to_string());
        self
    }

    pub fn on(mut self, field: &str) -> Message {
        self.field = Some(field.to_string());
        self
    }
}
