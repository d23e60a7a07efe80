//! The engine's one error type, with messages written for the officer, not the developer.

use serde::Serialize;

use crate::words::Text;

/// One problem with one field of a record, as the officer should read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The record field, named as on the wire (`family_name`).
    pub field: String,
    /// A stable code the UI translates (`required`, `end_before_start`, …).
    pub code: &'static str,
    /// The English sentence, used by the CLI and as the UI's fallback.
    pub message: String,
    /// The catalogue message that says it (`valid-…` and its arguments), for the window to say
    /// in its language; empty for a refusal that has none.
    #[serde(skip_serializing_if = "Text::is_empty")]
    pub text: Text,
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
    #[error("{}", text.en())]
    Conflict { text: Text, count: i64 },
    #[error("{}", .0.en())]
    NotALibrary(Text),
    #[error("{}", .0.en())]
    Damaged(Text),
    /// The library is in use by another program (the app, while `ddesk restore` runs).
    #[error("{}", .0.en())]
    InUse(Text),
    /// The library is encrypted and was not unlocked: no key given (`locked`), a wrong
    /// passphrase (`wrong_passphrase`) or recovery code (`wrong_recovery_code`), no credential
    /// store for a new key (`no_key_store`), a library whose key is kept in the credential
    /// store only (`no_passphrase_set`), or its key file gone (`no_key_file`). Nothing was
    /// written.
    #[error("{}", text.en())]
    Locked { code: &'static str, text: Text },
    /// A save over a version of the record that is no longer the stored one (another window
    /// or `ddesk` changed it since it was read); `current` is the stored record, to reload.
    #[error("{}", text.en())]
    Changed {
        text: Text,
        current: serde_json::Value,
    },
    /// An undo that would overwrite or remove later work; the message says what to do.
    #[error("{}", .0.en())]
    CannotUndo(Text),
    /// A file that cannot be imported, a mapping that does not fit, or rows with errors at
    /// commit; `code` says which (`file_empty`, `file_too_large`, `file_encrypted`,
    /// `file_unreadable`, `sheet_not_found`, `unknown_encoding`, `no_rows`, `no_header`,
    /// `mapping_invalid`, `rows_have_errors`, `row_invalid`). Nothing was written.
    #[error("{}", text.en())]
    Import { code: &'static str, text: Text },
    /// No installed font can print a character of what is to be printed; `official` names
    /// whose text it is (or which record), `script` the character's script.
    #[error("{}", text.en())]
    MissingFont {
        official: String,
        script: String,
        text: Text,
    },
    /// The library's schema was moved on by a newer Delegation Desk while this one had it
    /// open; nothing more is written.
    #[error("{}", .0.en())]
    SchemaChanged(Text),
    /// The disk said no: full (`disk_full`), write-protected (`read_only`), held by another
    /// program (`busy`) or failing (`disk_error`). Nothing was saved; the sentence says what
    /// to do.
    #[error("{}", text.en())]
    Disk { code: &'static str, text: Text },
    /// A team-sync bundle refused: damaged or altered (`bundle_damaged`), sealed with another
    /// team key (`wrong_team_key`), of another event's team (`other_team`), for an event this
    /// laptop has not joined and no team key given (`team_key_needed`), an event not shared
    /// (`not_shared`), or a shared folder asked of an event without one (`no_folder`). Nothing
    /// was changed.
    #[error("{}", text.en())]
    Sync { code: &'static str, text: Text },
    #[error("could not read or write the file: {0}")]
    Io(std::io::Error),
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
            Error::Locked { code, .. } => code,
            Error::CannotUndo(_) => "cannot_undo",
            Error::Changed { .. } => "changed_since",
            Error::Import { code, .. } => code,
            Error::MissingFont { .. } => "missing_font",
            Error::SchemaChanged(_) => "schema_changed",
            Error::Disk { code, .. } => code,
            Error::Sync { code, .. } => code,
            Error::Io(_) => "io",
            Error::Internal(_) => "internal",
        }
    }

    /// A validation error for a single field, said by catalogue message `text`.
    pub fn field(field: &str, code: &'static str, text: Text) -> Error {
        Error::Validation(vec![FieldError {
            field: field.to_string(),
            code,
            message: text.en(),
            text,
        }])
    }

    /// The catalogue message that says this error, for the window to say in its language;
    /// none for the errors whose words are the code's alone (and for validation, whose fields
    /// each carry their own).
    pub fn text(&self) -> Option<&Text> {
        match self {
            Error::Conflict { text, .. }
            | Error::Changed { text, .. }
            | Error::Import { text, .. }
            | Error::MissingFont { text, .. }
            | Error::Disk { text, .. }
            | Error::Sync { text, .. }
            | Error::Locked { text, .. }
            | Error::NotALibrary(text)
            | Error::Damaged(text)
            | Error::InUse(text)
            | Error::CannotUndo(text)
            | Error::SchemaChanged(text) => Some(text),
            Error::Validation(_) | Error::NotFound { .. } | Error::Io(_) | Error::Internal(_) => {
                None
            }
        }
    }

    /// Whether this error was caused by what the user supplied (exit code 1 in the CLI)
    /// rather than by the program or the machine (exit code 2).
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Error::Internal(_) | Error::Io(_))
    }
}

/// The sentences for the disk's own failures, shared by SQLite's and the file system's.
fn disk(code: &'static str) -> Error {
    Error::Disk {
        code,
        text: Text::new(format!("error-disk-{code}")),
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        use std::io::ErrorKind;
        match e.kind() {
            ErrorKind::StorageFull | ErrorKind::QuotaExceeded => disk("disk_full"),
            ErrorKind::ReadOnlyFilesystem => disk("read_only"),
            _ => Error::Io(e),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            match f.code {
                ErrorCode::DiskFull => return disk("disk_full"),
                ErrorCode::ReadOnly => return disk("read_only"),
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => return disk("busy"),
                ErrorCode::SystemIoFailure | ErrorCode::CannotOpen => return disk("disk_error"),
                _ => {}
            }
        }
        match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
                Error::NotALibrary(Text::new("error-not_a_library"))
            }
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::DatabaseCorrupt =>
            {
                Error::Damaged(Text::new("error-damaged"))
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
