//! Protocol: the office's list of protocol ranks, the event's order of precedence (rank, then
//! the order of delegations, then the officer's own moves), and seating plans drawn from it
//! ([`seating`]). The precedence is the one order of the event wherever order matters: the
//! head table, the seating proposals, the participant list when asked.

use std::collections::HashMap;

use rusqlite::{Connection, Transaction};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::*;
use crate::store;
use crate::words::Text;

pub mod seating;

/// The library setting that holds the office's list of ranks (JSON).
const RANKS_KEY: &str = "protocol.ranks";

/// One protocol rank of the office's list; the list's order is the order of precedence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rank {
    /// What officials carry (`Official::protocol_rank`): lower-case letters, digits and `_`.
    pub code: String,
    pub name_en: String,
    pub name_ko: String,
}

/// The list an office starts with: the ranks of the officials a cooperation agency hosts.
pub fn default_ranks() -> Vec<Rank> {
    [
        ("minister", "Minister", "장관"),
        ("vice_minister", "Vice-Minister", "차관"),
        ("ambassador", "Ambassador", "대사"),
        ("head_of_agency", "Head of agency", "기관장"),
        ("director_general", "Director-General", "국장"),
        ("director", "Director", "과장"),
        ("deputy_director", "Deputy Director", "서기관"),
        ("officer", "Officer", "실무자"),
    ]
    .into_iter()
    .map(|(code, en, ko)| Rank {
        code: code.into(),
        name_en: en.into(),
        name_ko: ko.into(),
    })
    .collect()
}

/// The office's list of ranks, in order.
pub fn ranks(conn: &Connection) -> Result<Vec<Rank>> {
    Ok(store::read_setting(conn, RANKS_KEY)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_else(default_ranks))
}

/// Keeps the office's list of ranks. Codes are short and unique and every rank has an English
/// name; officials carrying a code no longer listed sort with the unranked.
pub fn save_ranks(conn: &Connection, ranks: &[Rank]) -> Result<()> {
    let invalid = |i: usize, key: &str| {
        Error::field(
            "ranks",
            "invalid_value",
            Text::new(key).with("line", (i + 1) as i64),
        )
    };
    let mut seen = std::collections::HashSet::new();
    for (i, r) in ranks.iter().enumerate() {
        let good = !r.code.is_empty()
            && r.code.len() <= 40
            && r.code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !good {
            return Err(invalid(i, "error-protocol-rank_code"));
        }
        if !seen.insert(r.code.as_str()) {
            return Err(invalid(i, "error-protocol-rank_twice"));
        }
        if r.name_en.trim().is_empty() {
            return Err(invalid(i, "error-protocol-rank_name"));
        }
    }
    store::write_setting(conn, RANKS_KEY, &serde_json::to_string(ranks)?)
}

/// One official's place in the order of precedence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placed {
    /// From 1.
    pub position: usize,
    pub official_id: String,
    pub name: String,
    pub native_name: String,
    /// The rank's code, and its names ('' for none).
    pub rank: String,
    pub rank_en: String,
    pub rank_ko: String,
    pub delegation_id: Option<String>,
    pub delegation_en: String,
    pub delegation_ko: String,
    pub category: Category,
    /// Whether the officer's ↑ and ↓ can move them: someone of the same rank and delegation
    /// is right before (after) them.
    pub can_move_up: bool,
    pub can_move_down: bool,
}

/// The event's delegations in its order: countries and organisations as the event puts them
/// (organisations after countries unless set), each group alphabetical in English, in Korean,
/// or as arranged.
pub fn delegation_order<'d>(event: &Event, delegations: &'d [Delegation]) -> Vec<&'d Delegation> {
    let mut out: Vec<&Delegation> = delegations.iter().collect();
    out.sort_by_cached_key(|d| {
        let group = (d.kind == DelegationKind::Organization) != event.organizations_first;
        let name = match event.delegation_order {
            DelegationOrder::NameKo if !d.name_ko.is_empty() => d.name_ko.clone(),
            _ => crate::text::fold(&d.name_en),
        };
        let arranged = match event.delegation_order {
            DelegationOrder::Arranged => d.precedence,
            _ => 0,
        };
        (group, arranged, name, d.id.clone())
    });
    out
}

/// The key an official sorts by in the order of precedence (see [`order`]).
type Key = (usize, usize, bool, i64, String, String, String);

/// The order of precedence of `officials` (pure): by rank (the list's order; no rank or one no
/// longer listed last), then by the delegation's place (none last), the delegation's head
/// first among equals, then the officer's moves, then by name.
pub fn order<'o>(
    event: &Event,
    delegations: &[Delegation],
    ranks: &[Rank],
    officials: impl IntoIterator<Item = &'o Official>,
) -> Vec<&'o Official> {
    let keys = Keys::new(event, delegations, ranks);
    let mut out: Vec<&Official> = officials.into_iter().collect();
    out.sort_by_cached_key(|o| keys.of(o));
    out
}

/// What [`order`] sorts by, read once for the event.
struct Keys<'a> {
    rank: HashMap<&'a str, usize>,
    unranked: usize,
    delegation: HashMap<&'a str, usize>,
    heads: HashMap<&'a str, &'a str>,
}

impl<'a> Keys<'a> {
    fn new(event: &Event, delegations: &'a [Delegation], ranks: &'a [Rank]) -> Keys<'a> {
        Keys {
            rank: ranks
                .iter()
                .enumerate()
                .map(|(i, r)| (r.code.as_str(), i))
                .collect(),
            unranked: ranks.len(),
            delegation: delegation_order(event, delegations)
                .into_iter()
                .enumerate()
                .map(|(i, d)| (d.id.as_str(), i))
                .collect(),
            heads: delegations
                .iter()
                .filter_map(|d| Some((d.id.as_str(), d.head_official_id.as_deref()?)))
                .collect(),
        }
    }

    fn of(&self, o: &Official) -> Key {
        let delegation = o.delegation_id.as_deref();
        (
            self.rank
                .get(o.protocol_rank.as_str())
                .copied()
                .unwrap_or(self.unranked),
            delegation
                .and_then(|d| self.delegation.get(d).copied())
                .unwrap_or(usize::MAX),
            delegation.and_then(|d| self.heads.get(d)) != Some(&o.id.as_str()),
            o.precedence,
            crate::text::fold(&o.family_name),
            crate::text::fold(&o.given_name),
            o.id.clone(),
        )
    }

    /// Whether two officials are equals the officer may reorder: one rank, one delegation.
    fn equals(&self, a: &Official, b: &Official) -> bool {
        let (x, y) = (self.of(a), self.of(b));
        (x.0, x.1, x.2) == (y.0, y.1, y.2)
    }
}

/// Everything the order of precedence is drawn from, read once.
#[derive(Debug)]
pub struct Inputs {
    pub event: Event,
    pub delegations: Vec<Delegation>,
    pub ranks: Vec<Rank>,
    /// Every official of the event, cancelled ones too.
    pub officials: Vec<Official>,
}

impl Inputs {
    pub fn load(conn: &Connection, event_id: &str) -> Result<Inputs> {
        Ok(Inputs {
            event: Event::get(conn, event_id)?,
            delegations: Delegation::of_event(conn, event_id)?,
            ranks: ranks(conn)?,
            officials: Official::of_event(conn, event_id)?,
        })
    }

    /// The officials not cancelled, in the order of precedence.
    pub fn ordered(&self) -> Vec<&Official> {
        order(
            &self.event,
            &self.delegations,
            &self.ranks,
            self.officials
                .iter()
                .filter(|o| o.status != OfficialStatus::Cancelled),
        )
    }
}

/// A person's name as lists print it: family name in capitals, then given names.
pub(crate) fn name_of(o: &Official) -> String {
    o.full_name()
}

/// The event's order of precedence: every official not cancelled.
pub fn precedence(conn: &Connection, event_id: &str) -> Result<Vec<Placed>> {
    let inputs = Inputs::load(conn, event_id)?;
    let keys = Keys::new(&inputs.event, &inputs.delegations, &inputs.ranks);
    let ordered = inputs.ordered();
    let delegations: HashMap<&str, &Delegation> = inputs
        .delegations
        .iter()
        .map(|d| (d.id.as_str(), d))
        .collect();
    let ranks: HashMap<&str, &Rank> = inputs.ranks.iter().map(|r| (r.code.as_str(), r)).collect();
    Ok(ordered
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let rank = ranks.get(o.protocol_rank.as_str());
            let d = o.delegation_id.as_deref().and_then(|d| delegations.get(d));
            let neighbour = |j: Option<usize>| {
                j.and_then(|j| ordered.get(j))
                    .is_some_and(|n| keys.equals(o, n))
            };
            Placed {
                position: i + 1,
                official_id: o.id.clone(),
                name: name_of(o),
                native_name: o.native_name.clone(),
                rank: rank.map(|r| r.code.clone()).unwrap_or_default(),
                rank_en: rank.map(|r| r.name_en.clone()).unwrap_or_default(),
                rank_ko: rank.map(|r| r.name_ko.clone()).unwrap_or_default(),
                delegation_id: o.delegation_id.clone(),
                delegation_en: d.map(|d| d.name_en.clone()).unwrap_or_default(),
                delegation_ko: d.map(|d| d.name_ko.clone()).unwrap_or_default(),
                category: o.category,
                can_move_up: neighbour(i.checked_sub(1)),
                can_move_down: neighbour(Some(i + 1)),
            }
        })
        .collect())
}

/// The officer's move of an official one place up (or down) among their equals (one rank, one
/// delegation): the equals are numbered in their present order and the two swap, one batch.
pub fn move_official(tx: &Transaction<'_>, official_id: &str, up: bool) -> Result<Vec<Placed>> {
    let official = Official::get(tx, official_id)?;
    let inputs = Inputs::load(tx, &official.event_id)?;
    let keys = Keys::new(&inputs.event, &inputs.delegations, &inputs.ranks);
    let equals: Vec<&Official> = inputs
        .ordered()
        .into_iter()
        .filter(|o| keys.equals(o, &official))
        .collect();
    let Some(at) = equals.iter().position(|o| o.id == official.id) else {
        return Err(Error::NotFound { entity: "official" });
    };
    let other = if up { at.checked_sub(1) } else { Some(at + 1) };
    let Some(other) = other.filter(|j| *j < equals.len()) else {
        return Err(Error::field(
            "precedence",
            "invalid_value",
            Text::new("error-protocol-no_move"),
        ));
    };
    let mut numbered: Vec<Official> = equals.into_iter().cloned().collect();
    numbered.swap(at, other);
    let batch = uuid::Uuid::new_v4().to_string();
    for (i, mut o) in numbered.into_iter().enumerate() {
        if o.precedence != i as i64 {
            o.precedence = i as i64;
            store::save(tx, o, Some(&batch))?;
        }
    }
    precedence(tx, &official.event_id)
}

/// How the event orders its delegations, and (for an arranged order) the delegations in the
/// officer's order; one batch.
pub fn arrange_delegations(
    tx: &Transaction<'_>,
    event_id: &str,
    order: DelegationOrder,
    organizations_first: bool,
    arranged: &[String],
) -> Result<()> {
    let batch = uuid::Uuid::new_v4().to_string();
    let mut event = Event::get(tx, event_id)?;
    if event.delegation_order != order || event.organizations_first != organizations_first {
        event.delegation_order = order;
        event.organizations_first = organizations_first;
        store::save(tx, event, Some(&batch))?;
    }
    if order == DelegationOrder::Arranged {
        for (i, id) in arranged.iter().enumerate() {
            let mut d = Delegation::get(tx, id)?;
            if d.event_id != event_id {
                return Err(Error::NotFound {
                    entity: "delegation",
                });
            }
            if d.precedence != i as i64 {
                d.precedence = i as i64;
                store::save(tx, d, Some(&batch))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
