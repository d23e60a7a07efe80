//! What a registration form (written by `registration`) says about itself, as the import
//! reads it back: the hidden tag sheet naming its event and delegation, and the hotel
//! column's "own arrangements". Both sides use these, so they live with the reader.

use serde::{Deserialize, Serialize};

use super::{matching, values};

/// The name of the hidden sheet that says which event and delegation a form is for.
pub const TAG_SHEET: &str = "_ddesk";
/// Its first cell.
pub const TAG_MARK: &str = "ddesk-registration-form";

/// What a returned registration workbook says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormTag {
    pub event_id: String,
    pub delegation_id: String,
    /// The delegation's seat quota when the form was written (0: none set).
    pub seats: i64,
}

impl FormTag {
    /// Reads the tag sheet's first column: mark, version, event, delegation, seats.
    pub fn from_cells(cells: &[String]) -> Option<FormTag> {
        if cells.first().map(String::as_str) != Some(TAG_MARK) {
            return None;
        }
        Some(FormTag {
            event_id: cells.get(2)?.trim().to_string(),
            delegation_id: cells.get(3)?.trim().to_string(),
            seats: cells
                .get(4)
                .and_then(|s| s.trim().parse::<f64>().ok())
                .unwrap_or(0.0) as i64,
        })
    }
}

/// What the hotel column offers for an official who lodges elsewhere; the import reads it
/// (and "None", "없음") as no stay.
pub const OWN_ARRANGEMENTS: (&str, &str) = ("Own arrangements", "자체 숙박");

/// Whether a hotel cell says the official lodges elsewhere.
pub fn is_own_arrangements(text: &str) -> bool {
    let k = values::key(text);
    [
        OWN_ARRANGEMENTS.0,
        OWN_ARRANGEMENTS.1,
        "own arrangement",
        "none",
        "n/a",
    ]
    .iter()
    .any(|w| values::key(w) == k)
        || matching::is_no_diet(text)
}
