//! The scale generator: deterministic, valid by every rule the checks know, and fit for the
//! benchmarks.

use ddesk_core::checks::{self, EventData, Severity};
use ddesk_core::generate::{self, Spec};
use ddesk_core::queries::{self, OfficialQuery};
use ddesk_core::Store;

fn generated(officials: usize, seed: u64) -> (Store, String) {
    let store = Store::open_in_memory().expect("library");
    let event = generate::generate(&store, Spec::new(officials, seed)).expect("generate");
    (store, event.id)
}

fn names(store: &Store, event: &str) -> Vec<(String, String)> {
    store
        .read(|c| queries::officials(c, event, &OfficialQuery::default()))
        .expect("officials")
        .rows
        .into_iter()
        .map(|r| {
            (
                r.official.id,
                format!("{} / {}", r.full_name, r.official.native_name),
            )
        })
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_event() {
    let (a, ea) = generated(300, 7);
    let (b, eb) = generated(300, 7);
    assert_eq!(ea, eb);
    assert_eq!(names(&a, &ea), names(&b, &eb));
    let (c, ec) = generated(300, 8);
    assert_ne!(
        names(&a, &ea),
        names(&c, &ec),
        "another seed, another event"
    );
}

#[test]
fn a_generated_event_is_large_varied_and_clean() {
    let (store, event) = generated(2_000, 1);
    let health = store.health().expect("health");
    assert!(health.is_ok(), "{health:?}");
    let count = |t: &str| {
        health
            .counts
            .iter()
            .find(|(n, _)| n == t)
            .map(|(_, c)| *c)
            .unwrap_or(0)
    };
    assert_eq!(count("official"), 2_000);
    assert_eq!(count("session"), 300);
    assert_eq!(count("hotel"), 20);
    assert!(count("delegation") >= 190, "{}", count("delegation"));
    assert!(count("participant") > 4 * 2_000, "{}", count("participant"));
    let all = names(&store, &event);
    let text: String = all.iter().map(|(_, n)| n.as_str()).collect();
    for (script, range) in [
        ("Hangul", '\u{AC00}'..='\u{D7A3}'),
        ("Thai", '\u{0E00}'..='\u{0E7F}'),
        ("Arabic", '\u{0600}'..='\u{06FF}'),
        ("Cyrillic", '\u{0400}'..='\u{04FF}'),
        ("Devanagari", '\u{0900}'..='\u{097F}'),
        ("Khmer", '\u{1780}'..='\u{17FF}'),
    ] {
        assert!(
            text.chars().any(|c| range.contains(&c)),
            "no {script} names"
        );
    }
    let data = store.read(|c| EventData::load(c, &event)).expect("load");
    let errors: Vec<_> = checks::run_all(&data)
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Search works on generated names too.
    let q = OfficialQuery {
        search: "nguyen".into(),
        ..OfficialQuery::default()
    };
    let found = store
        .read(|c| queries::officials(c, &event, &q))
        .expect("search");
    assert!(found.total > 0);
}
