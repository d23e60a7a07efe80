//! The error the UI receives: `{code, message, fields?, count?}`, with the engine's internal
//! details kept out of it.

use ddesk_core::words::Text;
use ddesk_core::{Error, FieldError};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct CommandError {
    pub code: &'static str,
    /// The English sentence (logs, and a window that cannot say the `text`).
    pub message: String,
    /// The catalogue message that says it, with its arguments: the window says it in the
    /// officer's language (issue 16).
    // Boxed: every command returns this in its `Err`, and most carry no text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<Box<Text>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// The stored record, when a save was refused because it changed since it was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<serde_json::Value>,
}

impl CommandError {
    /// What the window hears when a command panicked: the same sentence as any internal
    /// error (the panic's message went to the log only).
    pub fn panicked() -> Self {
        CommandError::from(Error::Internal("a command panicked".into()))
    }
}

impl From<Error> for CommandError {
    fn from(e: Error) -> Self {
        let code = e.code();
        // The code only: the sentence may name an official.
        crate::applog::write(&format!("command refused: {code}"));
        let text = e.text().cloned().map(Box::new);
        let mut out = CommandError {
            code,
            message: String::new(),
            text,
            fields: Vec::new(),
            count: None,
            current: None,
        };
        match e {
            Error::Validation(fields) => {
                out.message = Error::Validation(fields.clone()).to_string();
                out.fields = fields;
            }
            Error::Conflict { text, count } => {
                out.message = text.en();
                out.count = Some(count);
            }
            Error::Changed { text, current } => {
                out.message = text.en();
                out.current = Some(current);
            }
            Error::Internal(source) => {
                // The details may quote stored data; they go to the local log only.
                eprintln!("delegation-desk: internal error: {source:?}");
                out.message =
                    "Something went wrong inside Delegation Desk; nothing was changed.".into();
            }
            other => out.message = other.to_string(),
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(e: Error) -> String {
        serde_json::to_string(&CommandError::from(e)).expect("serializes")
    }

    #[test]
    fn validation_error_json_is_pinned() {
        let e = Error::field(
            "family_name",
            "required",
            Text::new("valid-required").with("what", "The family name"),
        );
        assert_eq!(
            json(e),
            r#"{"code":"validation","message":"The family name is required.","fields":[{"field":"family_name","code":"required","message":"The family name is required.","text":{"id":"valid-required","args":{"what":"The family name"}}}]}"#
        );
    }

    #[test]
    fn conflict_and_not_found_json_are_pinned() {
        let e = Error::Conflict {
            text: Text::new("error-dependents-delegation").with("count", 2i64),
            count: 2,
        };
        assert_eq!(
            json(e),
            r#"{"code":"conflict","message":"This delegation still has 2 officials. Delete them with it, or move them to another delegation first.","text":{"id":"error-dependents-delegation","args":{"count":2}},"count":2}"#
        );
        assert_eq!(
            json(Error::NotFound { entity: "official" }),
            r#"{"code":"not_found","message":"official not found"}"#
        );
    }

    #[test]
    fn changed_and_disk_errors_json_are_pinned() {
        let e = Error::Changed {
            text: Text::new("error-changed_since-record").with("noun", "official"),
            current: serde_json::json!({"id": "x"}),
        };
        assert_eq!(
            json(e),
            r#"{"code":"changed_since","message":"This official was changed elsewhere after you opened it, so your changes were not saved. Reload it: what you typed is kept.","text":{"id":"error-changed_since-record","args":{"noun":"official"}},"current":{"id":"x"}}"#
        );
        let full = Error::from(std::io::Error::from(std::io::ErrorKind::StorageFull));
        assert!(json(full).starts_with(r#"{"code":"disk_full","message":"The disk is full"#));
    }

    #[test]
    fn a_panicking_command_answers_with_a_sentence() {
        let out: Result<(), CommandError> = crate::commands::guarded(|| panic!("typst broke"));
        let err = out.expect_err("a panic is an error");
        assert_eq!(err.code, "internal");
        assert!(!err.message.contains("typst broke"), "{}", err.message);
        // The same on a worker of Tauri's multi-threaded runtime, marked as blocking.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .expect("runtime");
        let err = runtime
            .block_on(async {
                tokio::spawn(async {
                    crate::commands::guarded_blocking::<()>(|| panic!("typesetting broke"))
                })
                .await
            })
            .expect("the task itself did not panic")
            .expect_err("a panic is an error");
        assert_eq!(err.code, "internal");
    }

    #[test]
    fn internal_details_never_reach_the_ui() {
        let e = Error::Internal("UNIQUE constraint failed: passport M1234567".into());
        let text = json(e);
        assert!(!text.contains("M1234567"), "{text}");
        assert!(text.starts_with(r#"{"code":"internal""#), "{text}");
    }
}
