//! Session rosters: adding officials in bulk and marking attendance.

use chrono::Utc;
use rusqlite::{OptionalExtension, Transaction};

use crate::error::Result;
use crate::model::{Participant, Record, Role};
use crate::store;

/// Puts every official in `official_ids` on the session with `role`; officials already on the
/// roster keep their entry. Returns how many were added. The additions are one batch in the
/// change log, so one undo takes them all back.
pub fn add(
    tx: &Transaction<'_>,
    session_id: &str,
    official_ids: &[String],
    role: Role,
) -> Result<usize> {
    let batch = uuid::Uuid::new_v4().to_string();
    add_in_batch(tx, session_id, official_ids, role, Some(&batch))
}

/// [`add`] under the caller's batch id (`Store::write_batch`).
pub fn add_in_batch(
    tx: &Transaction<'_>,
    session_id: &str,
    official_ids: &[String],
    role: Role,
    batch: Option<&str>,
) -> Result<usize> {
    let mut added = 0;
    for official_id in official_ids {
        let present: Option<String> = tx
            .query_row(
                "SELECT id FROM participant WHERE session_id = ? AND official_id = ?",
                [session_id, official_id.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        if present.is_none() {
            let record = Participant {
                session_id: session_id.to_string(),
                official_id: official_id.clone(),
                role,
                ..Participant::default()
            };
            store::save(tx, record, batch)?;
            added += 1;
        }
    }
    Ok(added)
}

/// Records that the official attended (now) or clears it.
pub fn attend(tx: &Transaction<'_>, id: &str, attended: bool) -> Result<Participant> {
    let mut record: Participant = Participant::get(tx, id)?;
    record.attended_at = attended.then(Utc::now);
    store::save(tx, record, None)
}
