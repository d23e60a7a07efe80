//! The flights and stays lists search text that the schema's triggers keep (v4). These tests
//! hold them to what the lists found before, when the haystack was put together from the
//! joined rows on every call: the same rows, the same totals, the same order, also after the
//! records the haystack is made of were edited, deleted or undone. The officials list's search
//! in the window, answered from the store's name index, is held to the same.

use ddesk_core::generate::{self, Spec};
use ddesk_core::model::*;
use ddesk_core::queries::{self, ListQuery, OfficialQuery};
use ddesk_core::text::fold;
use ddesk_core::Store;

/// The haystacks as the lists computed them before schema v4.
const OLD_TRAVEL: &str = "SELECT t.id FROM travel t JOIN official o ON o.id = t.official_id
     WHERE o.event_id = ?1 AND (o.search_text || ' ' || lower(t.flight || ' ' || t.origin || ' '
           || t.airport || ' ' || t.greeter)) LIKE ?2 ESCAPE '\\'
     ORDER BY t.scheduled_at, t.id";
const OLD_STAY: &str = "SELECT s.id FROM stay s JOIN official o ON o.id = s.official_id
       JOIN hotel h ON h.id = s.hotel_id
       LEFT JOIN room_block b ON b.id = s.room_block_id
       LEFT JOIN official m ON m.id = s.shares_with_id
     WHERE o.event_id = ?1 AND (o.search_text || ' ' || lower(h.name || ' ' || coalesce(b.room_type, '')
           || ' ' || s.room_number || ' ' || coalesce(m.family_name || ' ' || m.given_name, ''))) LIKE ?2 ESCAPE '\\'
     ORDER BY o.family_name COLLATE NOCASE, o.given_name COLLATE NOCASE, s.id";
const OLD_OFFICIAL: &str = "SELECT o.id FROM official o
     WHERE o.event_id = ?1 AND o.search_text LIKE ?2 ESCAPE '\\'
     ORDER BY o.family_name COLLATE NOCASE, o.given_name COLLATE NOCASE, o.id";

/// A folded word as the old SQL's `LIKE … ESCAPE '\'` pattern: the lists now search with
/// their own `contains()`, and these tests hold it to what LIKE found.
fn like_pattern(term: &str) -> String {
    let mut out = String::from("%");
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Ids the old SQL finds for what was typed: each word must match, as the lists split it.
fn old(store: &Store, sql: &str, event: &str, typed: &str) -> Vec<String> {
    let folded = fold(typed);
    let patterns: Vec<String> = folded.split_whitespace().map(like_pattern).collect();
    let patterns = if patterns.is_empty() {
        vec!["%".to_string()]
    } else {
        patterns
    };
    let mut found: Option<Vec<String>> = None;
    for pattern in patterns {
        let rows = store
            .read(|c| {
                let mut stmt = c.prepare(sql)?;
                let rows = stmt
                    .query_map([event, pattern.as_str()], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()?;
                Ok(rows)
            })
            .expect("old query");
        found = Some(match found {
            None => rows,
            Some(before) => before.into_iter().filter(|id| rows.contains(id)).collect(),
        });
    }
    found.unwrap_or_default()
}

fn list(word: &str) -> ListQuery {
    ListQuery {
        search: word.into(),
        ..ListQuery::default()
    }
}

/// Compares every list with the old SQL for every word; the first page of 100 too.
fn assert_same(store: &Store, event: &str, words: &[String]) {
    for word in words {
        let flights = store
            .read(|c| queries::travel(c, event, &list(word)))
            .expect("flights");
        let ids: Vec<String> = flights.rows.iter().map(|r| r.travel.id.clone()).collect();
        let expect = old(store, OLD_TRAVEL, event, word);
        assert_eq!(
            flights.total as usize,
            expect.len(),
            "flights total for {word:?}"
        );
        assert_eq!(ids, expect, "flights for {word:?}");

        let stays = store
            .read(|c| queries::stays(c, event, &list(word)))
            .expect("stays");
        let ids: Vec<String> = stays.rows.iter().map(|r| r.stay.id.clone()).collect();
        let expect = old(store, OLD_STAY, event, word);
        assert_eq!(
            stays.total as usize,
            expect.len(),
            "stays total for {word:?}"
        );
        assert_eq!(ids, expect, "stays for {word:?}");

        let page = store
            .read(|c| {
                queries::stays(
                    c,
                    event,
                    &ListQuery {
                        limit: 100,
                        ..list(word)
                    },
                )
            })
            .expect("stays page");
        assert_eq!(page.total as usize, expect.len());
        let ids: Vec<String> = page.rows.iter().map(|r| r.stay.id.clone()).collect();
        assert_eq!(
            ids,
            expect[..expect.len().min(100)],
            "stays page for {word:?}"
        );

        let officials = store
            .read(|c| {
                queries::officials(
                    c,
                    event,
                    &OfficialQuery {
                        search: word.clone(),
                        limit: 100,
                        ..OfficialQuery::default()
                    },
                )
            })
            .expect("officials");
        let ids: Vec<String> = officials
            .rows
            .iter()
            .map(|r| r.official.id.clone())
            .collect();
        let expect = old(store, OLD_OFFICIAL, event, word);
        assert_eq!(
            officials.total as usize,
            expect.len(),
            "officials total for {word:?}"
        );
        assert_eq!(
            ids,
            expect[..expect.len().min(100)],
            "officials for {word:?}"
        );
        // The window's search, answered from the store's name index: the same first and
        // second pages, after every edit above (the index is read again when stale).
        for offset in [0, 100] {
            let typed = OfficialQuery {
                search: word.clone(),
                limit: 100,
                offset,
                ..OfficialQuery::default()
            };
            let page = queries::officials_listed(store, event, &typed).expect("officials by index");
            let ids: Vec<String> = page.rows.iter().map(|r| r.official.id.clone()).collect();
            let from = (offset as usize).min(expect.len());
            assert_eq!(
                page.total as usize,
                expect.len(),
                "indexed total for {word:?}"
            );
            assert_eq!(
                ids,
                expect[from..expect.len().min(from + 100)],
                "indexed page at {offset} for {word:?}"
            );
        }
    }
}

/// Words of every kind: empty, one letter, names in several scripts and pieces of them,
/// accented and upper-case forms, hotels, room types, flights, LIKE's own metacharacters.
fn words(store: &Store, event: &str) -> Vec<String> {
    let mut out: Vec<String> = [
        "",
        "k",
        "kim",
        "SEOUL",
        "hotel",
        "hotel 1",
        "twin",
        "single",
        "nguyễn",
        "NGUYEN",
        "é",
        "%",
        "_",
        "\\",
        "김",
        "지원",
        "ส",
        "محمد",
        "ahmed alharbi",
        "@example",
        "kr",
        "1",
    ]
    .iter()
    .map(|w| w.to_string())
    .collect();
    let samples = store
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT o.native_name, t.flight, t.airport, s.room_number FROM official o
                   JOIN travel t ON t.official_id = o.id JOIN stay s ON s.official_id = o.id
                  WHERE o.event_id = ? ORDER BY o.id LIMIT 12",
            )?;
            let rows = stmt
                .query_map([event], |r| {
                    Ok([r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?])
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .expect("samples");
    for row in samples {
        for text in row {
            if let Some(first) = text.split_whitespace().next() {
                out.push(first.to_string());
                out.push(first.chars().take(2).collect());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn flights_and_stays_find_what_they_found_before_through_edits() {
    // Large enough that common words find more rows than the lists read by row id, so both
    // ways a page is read (walking the order, or sorting the few matches) are compared.
    let store = Store::open_in_memory().expect("library");
    let event = generate::generate(&store, Spec::new(2_500, 3))
        .expect("generate")
        .id;
    let words = words(&store, &event);
    assert_same(&store, &event, &words);

    // Every record a haystack is made of, edited through the engine.
    let stay: Stay = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT id FROM stay WHERE shares_with_id IS NOT NULL AND room_block_id IS NOT NULL
                 ORDER BY id LIMIT 1",
                [],
                |r| r.get::<_, String>(0),
            )?)
        })
        .and_then(|id| store.get::<Stay>(&id))
        .expect("a shared stay in a block");
    let guest = stay.official_id.clone();
    let mate = stay.shares_with_id.clone().expect("mate");

    let mut o = store.get::<Official>(&guest).expect("guest");
    o.family_name = "Zzyzx-Ölmez".into();
    store.save(o.clone()).expect("rename the guest");
    let mut m = store.get::<Official>(&mate).expect("mate");
    m.given_name = "Quentinová".into();
    store.save(m).expect("rename the room-mate");
    let mut d = store
        .get::<Delegation>(o.delegation_id.as_deref().expect("delegation"))
        .expect("delegation");
    d.name_en = "Republic of Qwertyland".into();
    store.save(d).expect("rename the delegation");
    let mut h = store.get::<Hotel>(&stay.hotel_id).expect("hotel");
    h.name = "Grand Xanadu Seoul".into();
    store.save(h).expect("rename the hotel");
    let mut b = store
        .get::<RoomBlock>(stay.room_block_id.as_deref().expect("block"))
        .expect("block");
    b.room_type = "Penthouse".into();
    store.save(b).expect("retype the block");
    let flight_id: String = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT id FROM travel WHERE official_id = ? ORDER BY id LIMIT 1",
                [&guest],
                |r| r.get(0),
            )?)
        })
        .expect("a flight");
    let mut t = store.get::<Travel>(&flight_id).expect("flight");
    t.flight = "QQ 9876".into();
    t.greeter = "Jürgen".into();
    store.save(t).expect("edit the flight");
    let mut s = store.get::<Stay>(&stay.id).expect("stay");
    s.room_number = "R-7731".into();
    store.save(s).expect("renumber the room");

    let mut edited = words.clone();
    for w in [
        "zzyzx",
        "olmez",
        "quentinova",
        "qwertyland",
        "xanadu",
        "penthouse",
        "qq",
        "9876",
        "jurgen",
        "jürgen",
        "r-7731",
    ] {
        edited.push(w.to_string());
    }
    assert_same(&store, &event, &edited);

    // The room-mate deleted (the stay's link is cleared), and that delete undone.
    store
        .delete::<Official>(&mate, true)
        .expect("delete the room-mate");
    assert_same(&store, &event, &edited);
    store
        .undo_last(Some(&event))
        .expect("undo")
        .expect("something to undo");
    assert_same(&store, &event, &edited);

    // A stay and a flight created through the engine get their event and text at once.
    let mut new_stay = store.get::<Stay>(&stay.id).expect("stay");
    new_stay.id = String::new();
    new_stay.check_in = new_stay.check_out;
    new_stay.check_out = new_stay.check_out.succ_opt().expect("a day later");
    new_stay.room_number = "Annex 12".into();
    store.save(new_stay).expect("add a stay");
    let mut new_flight = store.get::<Travel>(&flight_id).expect("flight");
    new_flight.id = String::new();
    new_flight.flight = "ZZ 1".into();
    store.save(new_flight).expect("add a flight");
    edited.push("annex".into());
    edited.push("zz".into());
    assert_same(&store, &event, &edited);
}

#[test]
fn a_name_changed_by_another_connection_is_found_at_the_next_keystroke() {
    // The window's store holds the event's name index; a second opening of the same file
    // (the command line, as an officer runs it beside the window) renames an official. The
    // window's next search must find the new name.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("library.sqlite3");
    let window = Store::open(&path, &delegation_desk_tests::unlock()).expect("create");
    let event = generate::generate(&window, Spec::new(300, 5))
        .expect("generate")
        .id;
    let typed = |word: &str| OfficialQuery {
        search: word.into(),
        limit: 100,
        ..OfficialQuery::default()
    };
    queries::warm_official_search(&window, &event).expect("warm");
    let first = queries::officials_listed(&window, &event, &typed(""))
        .expect("list")
        .rows[0]
        .official
        .clone();
    let before = queries::officials_listed(&window, &event, &typed("zzyzx")).expect("search");
    assert_eq!(before.total, 0);

    let other = Store::open(&path, &delegation_desk_tests::unlock()).expect("second opening");
    let mut renamed = other.get::<Official>(&first.id).expect("official");
    renamed.family_name = "Zzyzx".into();
    other.save(renamed).expect("rename elsewhere");

    let after = queries::officials_listed(&window, &event, &typed("zzyzx")).expect("search again");
    assert_eq!(after.total, 1, "the new name is found");
    assert_eq!(after.rows[0].official.id, first.id);
    // And the window's own save is seen too (its connection's changes).
    let mut back = window.get::<Official>(&first.id).expect("official");
    back.family_name = "Qwertz".into();
    window.save(back).expect("rename here");
    assert_eq!(
        queries::officials_listed(&window, &event, &typed("zzyzx"))
            .expect("search")
            .total,
        0
    );
    assert_eq!(
        queries::officials_listed(&window, &event, &typed("qwertz"))
            .expect("search")
            .total,
        1
    );
}
