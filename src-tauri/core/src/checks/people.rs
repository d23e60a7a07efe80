//! The same-person rule, in one place: the keys two records share when they are probably one
//! person (passport, e-mail, name and birth date, name and delegation, name and nationality),
//! used by the dashboard's duplicate check, the import preview and the lookalike warning on
//! save. `lookalikes` reads the library: the form asks about one official at a time.

use super::*;

/// A name as a duplicate key: folded (case, accents), with punctuation read as a break
/// between words and the spaces squeezed, so "Nguyễn-Van ", "NGUYEN  Van" and "Nguyen Van"
/// meet, while "Nguyen Van" and "Nguyenvan" stay apart (a space is not nothing in a name).
pub(super) fn name_key(text: &str) -> String {
    let folded = fold(text);
    // Most names are spaced cleanly already: no second pass and no second string for them.
    let clean = !folded.starts_with(' ')
        && !folded.ends_with(' ')
        && !folded.contains("  ")
        && folded.chars().all(|c| c == ' ' || c.is_alphanumeric());
    if clean {
        folded
    } else {
        folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Two records that are probably the same person: same passport, same e-mail, or the same
/// name, nationality and date of birth (a warning); or the same name and nationality with a
/// birth date missing on one side, so nothing tells them apart (a note: namesakes are
/// common). Cancelled records are left out: cancelling the copy is how officers often
/// resolve a duplicate, and a cancelled record gets no badge, seat or room.
pub(super) fn likely_duplicates(d: &EventData, out: &mut Vec<Problem>) {
    let people: Vec<&Official> = d.officials.iter().filter(|o| active(o)).collect();
    report_duplicates(duplicate_groups(&people), out);
}

/// The groups of officials sharing a key, in the order of (kind, key), with each key's kind:
/// 0 passport, 1 e-mail, 2 name, nationality and birth date, 3 name and delegation (only
/// where a birth date is missing and no passports differ: an official typed in twice by hand),
/// 4 name and nationality (only where a birth date is missing; a note). The officials of a
/// group are in the order of `people`; a pair found by several keys is reported by the first.
pub(super) type Groups<'a> = Vec<(u8, Vec<&'a Official>)>;

pub(super) fn duplicate_groups<'a>(people: &[&'a Official]) -> Groups<'a> {
    // Every official's keys are written into one buffer, and the map holds slices of it: at
    // 20,000 officials, that is a few allocations instead of a String and a Vec for each of
    // some 80,000 keys, whose freeing alone was two fifths of this check.
    let mut text = String::with_capacity(people.len() * 64);
    // (kind, start, end, official) for each key, in the order of `people`.
    let mut spans: Vec<(u8, usize, usize, u32)> = Vec::with_capacity(people.len() * 4);
    for (i, o) in people.iter().enumerate() {
        let i = i as u32;
        let start = text.len();
        for c in o.passport_number.chars().filter(|c| c.is_alphanumeric()) {
            text.extend(c.to_uppercase());
        }
        if text.len() > start {
            spans.push((0, start, text.len(), i));
        }
        let email = o.email.trim();
        if !email.is_empty() {
            let start = text.len();
            if email.is_ascii() {
                text.extend(email.chars().map(|c| c.to_ascii_lowercase()));
            } else {
                text.push_str(&email.to_lowercase());
            }
            spans.push((1, start, text.len(), i));
        }
        // "family|given|nationality", then "|birth date" after it: the name-and-nationality
        // key is the front of the one with the birth date.
        let (family, given) = (name_key(&o.family_name), name_key(&o.given_name));
        if let Some(delegation) = &o.delegation_id {
            let start = text.len();
            text.push_str(&family);
            text.push('|');
            text.push_str(&given);
            text.push('#');
            text.push_str(delegation);
            spans.push((3, start, text.len(), i));
        }
        let start = text.len();
        text.push_str(&family);
        text.push('|');
        text.push_str(&given);
        text.push('|');
        text.push_str(&o.nationality);
        let person = text.len();
        if let Some(birth) = o.birth_date {
            use std::fmt::Write;
            let _ = write!(text, "|{birth}");
            spans.push((2, start, text.len(), i));
        }
        if !o.nationality.is_empty() {
            spans.push((4, start, person, i));
        }
    }
    // Each key's first and last span; the others are chained through `next`, in order.
    let mut heads: Map<(u8, &str), (u32, u32)> =
        Map::with_capacity_and_hasher(spans.len(), Default::default());
    let mut next = vec![u32::MAX; spans.len()];
    for (n, &(kind, from, to, _)) in spans.iter().enumerate() {
        let n = n as u32;
        heads
            .entry((kind, &text[from..to]))
            .and_modify(|(_, last)| {
                next[*last as usize] = n;
                *last = n;
            })
            .or_insert((n, n));
    }
    let mut groups: Vec<((u8, &str), Vec<&Official>)> = heads
        .into_iter()
        .filter(|(_, (first, last))| first != last)
        .map(|(key, (first, _))| {
            let mut members = Vec::new();
            let mut n = first;
            while n != u32::MAX {
                members.push(people[spans[n as usize].3 as usize]);
                n = next[n as usize];
            }
            (key, members)
        })
        .filter(|((kind, _), v)| namesakes_ruled_out(*kind, v))
        .collect();
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    groups
        .into_iter()
        .map(|((kind, _), members)| (kind, members))
        .collect()
}

/// Whether a group of one name is not simply namesakes: the same name and nationality, or the
/// same name in one delegation, only counts when a birth date is missing (with both dates
/// known, equal dates are rule 2 and different ones are namesakes) and, in a delegation,
/// when no two passport numbers differ.
pub(super) fn namesakes_ruled_out(kind: u8, group: &[&Official]) -> bool {
    match kind {
        4 => group.iter().any(|o| o.birth_date.is_none()),
        3 => {
            let mut passports = group
                .iter()
                .map(|o| o.passport_number.trim())
                .filter(|p| !p.is_empty());
            let first = passports.next();
            group.iter().any(|o| o.birth_date.is_none()) && passports.all(|p| Some(p) == first)
        }
        _ => true,
    }
}

/// An official's same-person keys of kinds 0 to 3 (see [`duplicate_groups`]): what the import
/// indexes its rows and the event's officials by, so that the import, the save and the
/// dashboard find the same duplicates by one rule.
pub(crate) fn same_person_keys(o: &Official) -> Vec<(u8, String)> {
    let mut keys = Vec::with_capacity(4);
    let passport: String = o
        .passport_number
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect();
    if !passport.is_empty() {
        keys.push((0, passport));
    }
    let email = o.email.trim();
    if !email.is_empty() {
        keys.push((1, email.to_lowercase()));
    }
    let (family, given) = (name_key(&o.family_name), name_key(&o.given_name));
    if let Some(birth) = o.birth_date {
        keys.push((2, format!("{family}|{given}|{}|{birth}", o.nationality)));
    }
    if let Some(delegation) = &o.delegation_id {
        keys.push((3, format!("{family}|{given}#{delegation}")));
    }
    keys
}

/// Whether two officials sharing a key of `kind` are taken for one person (a shared name in
/// one delegation is not, when both birth dates are known or the passports differ).
pub(crate) fn same_person(kind: u8, a: &Official, b: &Official) -> bool {
    namesakes_ruled_out(kind, &[a, b])
}

/// Why the officials of a group of `kind` are taken for one person (`same-person-0`…`4` in
/// the catalogue: passport, e-mail, name with nationality and birth date, name with
/// delegation, name with nationality and no birth date), in each language.
pub(super) fn same_person_reason(kind: u8) -> Arg {
    let text = Text::new(format!("same-person-{}", kind.min(4)));
    Arg::both(text.en(), text.ko())
}

/// An official of the event that `candidate` (being saved) looks like.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Lookalike {
    pub official_id: String,
    pub name: String,
    pub reason_en: String,
    pub reason_ko: String,
}

/// The officials of the event an official about to be saved would duplicate, by the rule
/// the dashboard lists likely duplicates with (so that the two never disagree). A cancelled
/// official is no lookalike, nor is the official itself.
pub fn lookalikes(conn: &rusqlite::Connection, candidate: &Official) -> Result<Vec<Lookalike>> {
    let others: Vec<Official> = {
        let mut stmt = conn.prepare(&format!(
            "SELECT {} FROM official x WHERE x.event_id = ? AND x.id <> ? AND x.status <> 'cancelled'",
            Official::select("x")
        ))?;
        let rows = stmt.query_map([&candidate.event_id, &candidate.id], Official::from_row)?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut people: Vec<&Official> = vec![candidate];
    people.extend(others.iter());
    let mut found: Vec<Lookalike> = Vec::new();
    for (kind, group) in duplicate_groups(&people) {
        if !group.iter().any(|o| std::ptr::eq(*o, candidate)) {
            continue;
        }
        let Arg::Both { en, ko } = same_person_reason(kind) else {
            continue;
        };
        for o in group.iter().filter(|o| !std::ptr::eq(**o, candidate)) {
            if found.iter().any(|f| f.official_id == o.id) {
                continue;
            }
            found.push(Lookalike {
                official_id: o.id.clone(),
                name: o.full_name(),
                reason_en: en.clone(),
                reason_ko: ko.clone(),
            });
        }
    }
    Ok(found)
}

/// One problem per group, a group with the same officials as an earlier one left out.
pub(super) fn report_duplicates(groups: Groups<'_>, out: &mut Vec<Problem>) {
    let mut seen: BTreeSet<Vec<&str>> = BTreeSet::new();
    for (kind, group) in groups {
        let mut ids: Vec<&str> = group.iter().map(|o| o.id.as_str()).collect();
        ids.sort_unstable();
        if !seen.insert(ids) {
            continue;
        }
        let names = group.iter().map(|o| name(o)).collect::<Vec<_>>().join(", ");
        let records = group.iter().map(|o| link("official", &o.id)).collect();
        // A shared name and nationality without birth dates is worth a look, not a warning.
        let severity = if kind <= 3 {
            Severity::Warning
        } else {
            Severity::Info
        };
        out.push(problem(
            severity,
            "likely_duplicate",
            says("likely_duplicate")
                .with("names", names)
                .with("why", same_person_reason(kind)),
            records,
        ));
    }
}
