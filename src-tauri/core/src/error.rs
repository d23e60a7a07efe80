//! The engine's one error type, with messages written for the officer, not the developer.

use serde::Serialize;

/// One problem with one field of a record, as the officer should read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The record field, named as on the wire (`family_name`).
    pub field: String,
    /// A stable code the UI translates (`required`, `end_before_start`, …).
    pub code: &'static str,
    /// The English sentence, used by the CLI and as the UI's fallback.
    pub message: String,
}

/// Everything that can go wrong in the engine.
///
/// Raw SQLite text can quote stored personal data, so `Internal` keeps it for logs
/// (`Debug`/`source`) while its `Display` stays generic.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}", summarize(.0))]
    Validation(Vec<FieldError>),
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    /// A delete that would take other records with it; `count` of them.
    #[error("{message}")]
    Conflict { message: String, count: i64 },
    #[error("{0}")]
    NotALibrary(String),
    #[error("{0}")]
    Damaged(String),
    /// The library is in use by another program (the app, while `ddesk restore` runs).
    #[error("{0}")]
    InUse(String),
    /// An undo that would overwrite or remove later work; the message says what to do.
    #[error("{0}")]
    CannotUndo(String),
    /// A file that cannot be imported, a mapping that does not fit, or rows with errors at
    /// commit; `code` says which (`file_empty`, `file_too_large`, `file_encrypted`,
    /// `file_unreadable`, `sheet_not_found`, `unknown_encoding`, `no_rows`, `no_header`,
    /// `mapping_invalid`, `rows_have_errors`, `row_invalid`). Nothing was written.
    #[error("{message}")]
    Import { code: &'static str, message: String },
    /// No installed font can print a character of what is to be printed; `official` names
    /// whose text it is (or which record), `script` the character's script.
    #[error("{message}")]
    MissingFont {
        official: String,
        script: String,
        message: String,
    },
    #[error("could not read or write the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("internal error in the event library")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

fn summarize(errors: &[FieldError]) -> String {
    match errors {
        [one] => one.message.clone(),
        _ => errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

impl Error {
    /// The stable code the UI and scripts switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Validation(_) => "validation",
            Error::NotFound { .. } => "not_found",
            Error::Conflict { .. } => "conflict",
            Error::NotALibrary(_) => "not_a_library",
            Error::Damaged(_) => "damaged",
            Error::InUse(_) => "in_use",
            Error::CannotUndo(_) => "cannot_undo",
            Error::Import { code, .. } => code,
            Error::MissingFont { .. } => "missing_font",
            Error::Io(_) => "io",
            Error::Internal(_) => "internal",
        }
    }

    /// A validation error for a single field.
    pub fn field(field: &str, code: &'static str, message: impl Into<String>) -> Error {
        Error::Validation(vec![FieldError {
            field: field.to_string(),
            code,
            message: message.into(),
        }])
    }

    /// Whether this error was caused by what the user supplied (exit code 1 in the CLI)
    /// rather than by the program or the machine (exit code 2).
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Error::Internal(_) | Error::Io(_))
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
                Error::NotALibrary("This file is not a Delegation Desk library.".into())
            }
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::DatabaseCorrupt =>
            {
                Error::Damaged("The event library file is damaged.".into())
            }
            other => Error::Internal(Box::new(other)),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Internal(Box::new(e))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
