//! Settings kept in the library: the few the window may read and write by name (each value
//! checked), the officer's name the change log is written under, and the plain reads and
//! writes the engine's own features use (remembered mappings, print offsets).

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension};

use crate::error::{Error, Result};
use crate::words::Text;

/// The settings the window may read and write by name, with the values each takes. The rest
/// (remembered mappings, print offsets and colours) are written by the engine's own calls,
/// which check their values; a window that could set any key could plant a mapping or an
/// offset no form would accept (issue 15).
pub const WINDOW_SETTINGS: &[&str] = &["language", OFFICER_NAME, OFFICER_INITIALS];

/// The outputs that can hold passport numbers, masked unless asked for in full.
pub const FULL_PASSPORT_OUTPUTS: &[&str] = &["rooming", "export"];

/// The documents of the Print tab, each with its own language on paper
/// (`print.language.<document>`: en, ko, or both for the lists; badges en or ko).
pub const PRINT_DOCUMENTS: &[&str] = &[
    "badges",
    "participants",
    "signin",
    "delegation",
    "rooming",
    "arrivals",
    "departures",
    "dispatch",
    "namesigns",
    "transport",
    "precedence",
    "seating",
    "tables",
    "placecards",
];

/// Whether the window may read (`value` None) or write `key` = `value`.
pub fn check_window_setting(key: &str, value: Option<&str>) -> Result<()> {
    // Whether an output that can hold passport numbers holds them in full, remembered per
    // output (issue 17): "1" or "0".
    if let Some(output) = key.strip_prefix("full_passport.") {
        let fits =
            FULL_PASSPORT_OUTPUTS.contains(&output) && value.is_none_or(|v| v == "0" || v == "1");
        return if fits {
            Ok(())
        } else {
            Err(Error::field(
                "key",
                "invalid_value",
                Text::new("error-setting-unknown"),
            ))
        };
    }
    if let Some(document) = key.strip_prefix("print.language.") {
        let allowed: &[&str] = if document == "badges" {
            &["en", "ko"]
        } else {
            &["en", "ko", "both"]
        };
        return match value {
            _ if !PRINT_DOCUMENTS.contains(&document) => Err(Error::field(
                "key",
                "invalid_value",
                Text::new("error-setting-document"),
            )),
            Some(v) if !allowed.contains(&v) => Err(Error::field(
                "value",
                "invalid_value",
                Text::new("error-setting-paper_language").with("allowed", allowed.join(", ")),
            )),
            _ => Ok(()),
        };
    }
    if !WINDOW_SETTINGS.contains(&key) {
        return Err(Error::field(
            "key",
            "invalid_value",
            Text::new("error-setting-unknown"),
        ));
    }
    let Some(value) = value else {
        return Ok(());
    };
    let fits = match key {
        "language" => ["en", "ko"].contains(&value),
        OFFICER_NAME => {
            let v = value.trim();
            !v.is_empty() && v.chars().count() <= 100 && !v.chars().any(char::is_control)
        }
        _ => {
            let v = value.trim();
            !v.is_empty() && v.chars().count() <= 5 && v.chars().all(char::is_alphanumeric)
        }
    };
    if fits {
        Ok(())
    } else {
        Err(Error::field(
            "value",
            "invalid_value",
            Text::new(match key {
                "language" => "error-setting-language",
                OFFICER_NAME => "error-setting-officer_name",
                _ => "error-setting-initials",
            }),
        ))
    }
}

/// The officer's own name, kept in the library (`officer.name`, set in the window's banner or
/// header): every change-log entry, the window's and `ddesk`'s, is written under it (issue 25).
/// Without it, the OS user name.
pub const OFFICER_NAME: &str = "officer.name";
/// The officer's initials, for the places a name does not fit.
pub const OFFICER_INITIALS: &str = "officer.initials";

/// The name written on changes, bundles and outgoing letters: the officer's, else the system
/// user's.
pub fn officer_name(conn: &Connection) -> Result<String> {
    Ok(read_setting(conn, OFFICER_NAME)?
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| super::log::actor().to_string()))
}

/// A setting's value, on a connection already open (an import's remembered mappings).
pub fn read_setting(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM setting WHERE key = ?", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Writes a setting, on a connection already open (inside an import's transaction).
pub fn write_setting(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO setting (key, value, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        rusqlite::params![key, value, Utc::now()],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Print tab reads every document's language on paper as it opens: a document its list
    /// offers that this module does not know made the tab open with an error and no remembered
    /// languages (the seating papers and the order of precedence were missing).
    #[test]
    fn every_document_of_the_print_tab_has_its_language_on_paper() {
        let ui = include_str!("../../../../ui/screens/print.js");
        let list = ui
            .split("const DOCUMENTS = [")
            .nth(1)
            .and_then(|rest| rest.split(']').next())
            .expect("DOCUMENTS in ui/screens/print.js");
        let documents: Vec<&str> = list
            .split(',')
            .map(|d| d.trim().trim_matches('\''))
            .filter(|d| !d.is_empty())
            .collect();
        assert!(documents.len() >= 14, "{documents:?}");
        for document in documents {
            let key = format!("print.language.{document}");
            assert!(check_window_setting(&key, None).is_ok(), "{key}");
            assert!(check_window_setting(&key, Some("en")).is_ok(), "{key}");
        }
    }
}
