//! Who is on each session: the roster derived from the session's audience, the officials'
//! status and the roster's exceptions. The rule is said twice, side by side here: [`takes`]
//! for the readers of a whole event in memory (the checks, the dashboard, the catering
//! counts), [`rule_sql`] for the queries of one session (`queries::roster`);
//! `tests/integration/audience.rs` holds the two to one answer on a generated event.

use crate::model::{Audience, Membership, Official, OfficialStatus, Participant, Session};
use crate::words::{word, Arg, Text};

/// Whether the session's rule takes the official in, status and exceptions aside.
pub fn takes(session: &Session, o: &Official) -> bool {
    match session.audience {
        Audience::Everyone => true,
        Audience::List => false,
        Audience::Groups => {
            listed(&session.audience_categories, o.category.as_str())
                && listed(
                    &session.audience_delegations,
                    o.delegation_id.as_deref().unwrap_or("-"),
                )
        }
    }
}

/// [`takes`] as an SQL condition on `o` (an official), with its parameters.
pub fn rule_sql(session: &Session) -> (String, Vec<String>) {
    let list = |column: &str, items: &str, params: &mut Vec<String>| {
        let items: Vec<&str> = items.split(',').filter(|x| !x.is_empty()).collect();
        if items.is_empty() {
            return "1".to_string();
        }
        params.extend(items.iter().map(|x| x.to_string()));
        format!("{column} IN ({})", vec!["?"; items.len()].join(", "))
    };
    match session.audience {
        Audience::Everyone => ("1".into(), Vec::new()),
        Audience::List => ("0".into(), Vec::new()),
        Audience::Groups => {
            let mut params = Vec::new();
            let categories = list("o.category", &session.audience_categories, &mut params);
            let delegations = list(
                "coalesce(o.delegation_id, '-')",
                &session.audience_delegations,
                &mut params,
            );
            (format!("({categories} AND {delegations})"), params)
        }
    }
}

/// The session's audience in words with its head-count: "Everyone · 114", "Heads of
/// delegation · 21", "Site visit list · 38". `delegation` gives a delegation's English and
/// Korean names by id.
pub fn describe(
    session: &Session,
    count: i64,
    delegation: impl Fn(&str) -> Option<(String, String)>,
) -> Text {
    match session.audience {
        Audience::Everyone => Text::new("audience-says-everyone").with("n", count),
        Audience::List => Text::new("audience-says-list")
            .with("n", count)
            .with("kind", both(&format!("session_kind-{}", session.kind))),
        Audience::Groups => {
            let (mut en, mut ko) = (Vec::new(), Vec::new());
            for code in session
                .audience_categories
                .split(',')
                .filter(|x| !x.is_empty())
            {
                en.push(word("en", &format!("audience-category-{code}")));
                ko.push(word("ko", &format!("audience-category-{code}")));
            }
            let ids: Vec<&str> = session
                .audience_delegations
                .split(',')
                .filter(|x| !x.is_empty())
                .collect();
            let names: Vec<(String, String)> = ids.iter().filter_map(|id| delegation(id)).collect();
            // Up to three delegations by name; more are counted.
            let (of_en, of_ko) = if ids.is_empty() {
                (String::new(), String::new())
            } else if names.len() == ids.len() && names.len() <= 3 {
                (
                    names
                        .iter()
                        .map(|n| n.0.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    names
                        .iter()
                        .map(|n| n.1.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            } else {
                let many = Text::new("audience-delegations").with("count", ids.len() as i64);
                (many.en(), many.ko())
            };
            let text = match (en.is_empty(), of_en.is_empty()) {
                (false, false) => Text::new("audience-says-of")
                    .with("who", Arg::both(en.join(", "), ko.join(", ")))
                    .with("of", Arg::both(of_en, of_ko)),
                (false, true) => Text::new("audience-says-groups")
                    .with("who", Arg::both(en.join(", "), ko.join(", "))),
                _ => Text::new("audience-says-groups").with("who", Arg::both(of_en, of_ko)),
            };
            text.with("n", count)
        }
    }
}

fn both(id: &str) -> Arg {
    Arg::both(word("en", id), word("ko", id))
}

/// Whether `value` is in a comma-separated list; an empty list takes any value.
fn listed(list: &str, value: &str) -> bool {
    list.is_empty() || list.split(',').any(|x| x == value)
}

/// Whether an official with this entry (or none) is on the session.
pub fn on_roster(session: &Session, o: &Official, entry: Option<Membership>) -> bool {
    if o.status == OfficialStatus::Cancelled {
        return false;
    }
    match entry {
        Some(Membership::Added) => true,
        Some(Membership::Removed) => false,
        Some(Membership::Rule) | None => takes(session, o),
    }
}

/// Every session's roster of an event, derived once. Officials alike in what the rules look
/// at (category and delegation) share one agenda, so an event of 20,000 officials with
/// sessions for everyone holds a few hundred agendas, not twenty thousand copies.
#[derive(Debug)]
pub struct Rosters<'a> {
    /// The shared agendas, by start time.
    shared: Vec<Vec<&'a Session>>,
    /// Per official, in the order given: their agenda.
    agendas: Vec<Agenda<'a>>,
    /// Per session, in the order given: how many are on it.
    counts: Vec<usize>,
}

#[derive(Debug)]
enum Agenda<'a> {
    /// Cancelled: on no session.
    Empty,
    Shared(usize),
    /// An official with exceptions of their own.
    Own(Vec<&'a Session>),
}

type Map<K, V> = rustc_hash::FxHashMap<K, V>;

impl<'a> Rosters<'a> {
    pub fn derive(
        sessions: &'a [Session],
        officials: &'a [Official],
        entries: &[Participant],
    ) -> Rosters<'a> {
        let session_at: Map<&str, u32> = sessions
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i as u32))
            .collect();
        let official_at: Map<&str, u32> = officials
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.as_str(), i as u32))
            .collect();
        // Exceptions per official (entries of the rule change nothing), gathered into one
        // array in official order: a list's entries are exceptions too, so at 20,000
        // officials there are some 100,000, and a vector per official cost more than the rest.
        let mut found: Vec<(u32, u32, Membership)> = Vec::with_capacity(entries.len());
        let mut sizes = vec![0u32; officials.len() + 1];
        // Entries come a session's roster at a time, and often one official's after another:
        // the last session and official found are tried first, which saves most lookups.
        let mut last_session: Option<(&str, u32)> = None;
        let mut last_official: Option<(&str, u32)> = None;
        for p in entries {
            if p.membership == Membership::Rule {
                continue;
            }
            let si = match last_session {
                Some((id, si)) if id == p.session_id => si,
                _ => match session_at.get(p.session_id.as_str()) {
                    Some(&si) => si,
                    None => continue,
                },
            };
            last_session = Some((p.session_id.as_str(), si));
            let oi = match last_official {
                Some((id, oi)) if id == p.official_id => oi,
                _ => match official_at.get(p.official_id.as_str()) {
                    Some(&oi) => oi,
                    None => continue,
                },
            };
            last_official = Some((p.official_id.as_str(), oi));
            found.push((oi, si, p.membership));
            sizes[oi as usize + 1] += 1;
        }
        for i in 1..sizes.len() {
            sizes[i] += sizes[i - 1];
        }
        let starts = sizes.clone();
        let mut exceptions = vec![(0u32, Membership::Added); found.len()];
        for (oi, si, m) in found {
            let at = &mut sizes[oi as usize];
            exceptions[*at as usize] = (si, m);
            *at += 1;
        }

        let ruled: Vec<u32> = (0..sessions.len() as u32)
            .filter(|&si| sessions[si as usize].audience != Audience::List)
            .collect();
        let by_time = |a: &u32, b: &u32| {
            let (a, b) = (&sessions[*a as usize], &sessions[*b as usize]);
            (a.starts_at, a.ends_at).cmp(&(b.starts_at, b.ends_at))
        };
        let mut shared_at: Vec<Vec<u32>> = Vec::new();
        let mut members: Vec<usize> = Vec::new();
        let mut profile_of: Map<(&str, Option<&str>), usize> = Map::default();
        let mut counts = vec![0usize; sessions.len()];
        let mut agendas = Vec::with_capacity(officials.len());
        let mut own: Vec<u32> = Vec::new();
        for (oi, o) in officials.iter().enumerate() {
            if o.status == OfficialStatus::Cancelled {
                agendas.push(Agenda::Empty);
                continue;
            }
            let key = (o.category.as_str(), o.delegation_id.as_deref());
            let profile = *profile_of.entry(key).or_insert_with(|| {
                let mut list: Vec<u32> = ruled
                    .iter()
                    .copied()
                    .filter(|&si| takes(&sessions[si as usize], o))
                    .collect();
                list.sort_by(by_time);
                shared_at.push(list);
                members.push(0);
                shared_at.len() - 1
            });
            let mine = &exceptions[starts[oi] as usize..starts[oi + 1] as usize];
            if mine.is_empty() {
                members[profile] += 1;
                agendas.push(Agenda::Shared(profile));
                continue;
            }
            own.clear();
            own.extend(
                shared_at[profile]
                    .iter()
                    .copied()
                    .filter(|&si| !mine.contains(&(si, Membership::Removed))),
            );
            for &(si, m) in mine {
                if m == Membership::Added && !takes(&sessions[si as usize], o) {
                    own.push(si);
                }
            }
            own.sort_by(by_time);
            own.dedup();
            for &si in &own {
                counts[si as usize] += 1;
            }
            agendas.push(Agenda::Own(
                own.iter().map(|&si| &sessions[si as usize]).collect(),
            ));
        }
        let mut shared = Vec::with_capacity(shared_at.len());
        for (list, n) in shared_at.iter().zip(&members) {
            for &si in list {
                counts[si as usize] += n;
            }
            shared.push(list.iter().map(|&si| &sessions[si as usize]).collect());
        }
        Rosters {
            shared,
            agendas,
            counts,
        }
    }

    /// The sessions the official at `index` (in the order given) is on, by start time.
    pub fn agenda(&self, index: usize) -> &[&'a Session] {
        match &self.agendas[index] {
            Agenda::Empty => &[],
            Agenda::Shared(p) => &self.shared[*p],
            Agenda::Own(list) => list,
        }
    }

    /// How many are on the session at `index` (in the order given).
    pub fn count(&self, index: usize) -> usize {
        self.counts[index]
    }
}
