//! Changing who is on a session: putting officials on and taking them off (as exceptions to
//! the session's audience, or as its list), their role and attendance. Who is on a roster is
//! derived (`audience`, and the `roster` view); these are the only writers of its entries.

use chrono::Utc;
use rusqlite::{OptionalExtension, Transaction};

use crate::audience;
use crate::error::Result;
use crate::model::{Membership, Official, Participant, Record, Role, Session};
use crate::store;

/// The official's entry on the session, if there is one.
pub fn entry(
    tx: &Transaction<'_>,
    session_id: &str,
    official_id: &str,
) -> Result<Option<Participant>> {
    let sql = format!(
        "SELECT {} FROM participant x WHERE x.session_id = ? AND x.official_id = ?",
        Participant::select("x")
    );
    Ok(tx
        .prepare_cached(&sql)?
        .query_row([session_id, official_id], Participant::from_row)
        .optional()?)
}

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

/// [`add`] under the caller's batch id (`Store::write_batch`). An official the audience's
/// rule takes in is put back by undoing their "removed" exception; anyone else gets an
/// "added" one (on a list, that is the list).
pub fn add_in_batch(
    tx: &Transaction<'_>,
    session_id: &str,
    official_ids: &[String],
    role: Role,
    batch: Option<&str>,
) -> Result<usize> {
    let session = Session::get(tx, session_id)?;
    let mut added = 0;
    for official_id in official_ids {
        let official = Official::get(tx, official_id)?;
        let existing = entry(tx, session_id, official_id)?;
        if put_on(tx, &session, &official, existing, role, batch)? {
            added += 1;
        }
    }
    Ok(added)
}

/// Puts `official`, whose entry on `session` is `existing`, on its roster (see
/// [`add_in_batch`]); true when something was written. For callers that have read all three
/// already (the import's session columns).
pub fn put_on(
    tx: &Transaction<'_>,
    session: &Session,
    official: &Official,
    existing: Option<Participant>,
    role: Role,
    batch: Option<&str>,
) -> Result<bool> {
    let by_rule = audience::takes(session, official);
    let mut record = match existing {
        Some(p) if p.membership == Membership::Added => return Ok(false),
        Some(p) if p.membership == Membership::Rule && by_rule => return Ok(false),
        Some(p) => p,
        None if by_rule => return Ok(false),
        None => Participant {
            session_id: session.id.clone(),
            official_id: official.id.clone(),
            role,
            ..Participant::default()
        },
    };
    record.membership = if by_rule {
        Membership::Rule
    } else {
        Membership::Added
    };
    store::save(tx, record, batch)?;
    Ok(true)
}

/// Takes the official off the session: a member by the audience's rule gets a "removed"
/// exception (their role and attendance stay on it); anyone else's entry goes.
pub fn remove(tx: &Transaction<'_>, session_id: &str, official_id: &str) -> Result<()> {
    remove_in_batch(tx, session_id, official_id, None)
}

/// [`remove`] under the caller's batch id.
pub fn remove_in_batch(
    tx: &Transaction<'_>,
    session_id: &str,
    official_id: &str,
    batch: Option<&str>,
) -> Result<()> {
    let session = Session::get(tx, session_id)?;
    let official = Official::get(tx, official_id)?;
    let existing = entry(tx, session_id, official_id)?;
    take_off(tx, &session, &official, existing, batch)
}

/// Takes `official`, whose entry on `session` is `existing`, off its roster (see [`remove`]).
pub fn take_off(
    tx: &Transaction<'_>,
    session: &Session,
    official: &Official,
    existing: Option<Participant>,
    batch: Option<&str>,
) -> Result<()> {
    if audience::takes(session, official) {
        let mut record = existing.unwrap_or_else(|| Participant {
            session_id: session.id.clone(),
            official_id: official.id.clone(),
            ..Participant::default()
        });
        if record.membership != Membership::Removed {
            record.membership = Membership::Removed;
            store::save(tx, record, batch)?;
        }
    } else if let Some(p) = existing {
        store::delete_in_batch::<Participant>(tx, &p.id, false, batch)?;
    }
    Ok(())
}

/// The official's entry for a change of role, attendance or notes: their own, or a new one
/// that keeps them in by the rule.
fn own_entry(tx: &Transaction<'_>, session_id: &str, official_id: &str) -> Result<Participant> {
    Ok(
        entry(tx, session_id, official_id)?.unwrap_or_else(|| Participant {
            session_id: session_id.to_string(),
            official_id: official_id.to_string(),
            membership: Membership::Rule,
            ..Participant::default()
        }),
    )
}

/// Records that the official attended the session (now) or clears it.
pub fn attend(
    tx: &Transaction<'_>,
    session_id: &str,
    official_id: &str,
    attended: bool,
) -> Result<Participant> {
    let mut record = own_entry(tx, session_id, official_id)?;
    record.attended_at = attended.then(Utc::now);
    store::save(tx, record, None)
}

/// Sets the official's role at the session.
pub fn set_role(
    tx: &Transaction<'_>,
    session_id: &str,
    official_id: &str,
    role: Role,
) -> Result<Participant> {
    let mut record = own_entry(tx, session_id, official_id)?;
    record.role = role;
    store::save(tx, record, None)
}
