//! Audiences: rosters derived from who a session is for and from the officials' status, read
//! the same by every output, with exceptions both ways that survive changes of status.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Output;

use ddesk_core::audience::Rosters;
use ddesk_core::checks::{self, EventData};
use ddesk_core::generate::{self, Spec};
use ddesk_core::model::*;
use ddesk_core::queries::{self, ListQuery};
use ddesk_core::{demo, roster, Store};

use crate::cli::stdout;
use crate::outputs::pdftotext;

/// `ddesk ARGS` on the library at `db`, which must succeed.
fn ddesk(db: &Path, args: &[&str]) -> Output {
    let out = crate::cli::ddesk(db, args);
    assert!(out.status.success(), "ddesk {args:?}: {out:?}");
    out
}

/// `ddesk sessions` as (title → (kind, words, head-count)).
fn sessions(db: &Path, event: &str) -> BTreeMap<String, (String, String, usize, String)> {
    stdout(&ddesk(db, &["sessions", "--event", event]))
        .lines()
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 8, "{line}");
            assert_eq!(cols[0].len(), 36, "an id first: {line}");
            (
                cols[3].to_string(),
                (
                    cols[2].to_string(),
                    cols[4].to_string(),
                    cols[5].parse().expect("a head-count"),
                    cols[0].to_string(),
                ),
            )
        })
        .collect()
}

fn workshop_id(db: &Path) -> String {
    stdout(&ddesk(db, &["events"]))
        .lines()
        .find(|l| l.contains("Workshop"))
        .and_then(|l| l.split('\t').next())
        .expect("the workshop")
        .to_string()
}

/// The registration round trip's missing piece: an official imported after the agenda was
/// made is on every session meant for everyone — on its roster, in the head-counts, in their
/// itinerary's programme, on the sign-in sheet and in the lunch's diet count — and on no list;
/// cancelled, they leave all of it.
#[test]
fn officials_imported_after_the_agenda_are_on_every_session_for_everyone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("lib.sqlite3");
    ddesk(&db, &["demo"]);
    let workshop = workshop_id(&db);
    let before = sessions(&db, &workshop);
    let (kind, words, opening_n, opening) = before["Opening Session"].clone();
    assert_eq!(kind, "ceremony");
    assert_eq!(words, format!("Everyone · {opening_n}"));
    let (_, lunch_words, lunch_n, _) = before["Lunch"].clone();
    assert_eq!(lunch_words, format!("Everyone · {lunch_n}"));
    let group_a = before
        .iter()
        .find(|(title, _)| title.contains("Group A"))
        .map(|(_, v)| v.clone())
        .expect("a breakout");
    assert!(group_a.1.starts_with("Workshop list · "), "{group_a:?}");

    let file = dir.path().join("late.csv");
    std::fs::write(
        &file,
        "Family name,Given name(s),Position,Nationality,Dietary needs\r\n\
         TESTER,Deputy,Deputy Minister,Kazakhstan,Vegetarian\r\n",
    )
    .expect("write");
    ddesk(
        &db,
        &["import", file.to_str().expect("path"), "--event", &workshop],
    );
    let official = stdout(&ddesk(&db, &["officials", "--event", &workshop]))
        .lines()
        .find(|l| l.contains("TESTER Deputy"))
        .and_then(|l| l.split('\t').next())
        .expect("imported")
        .to_string();

    let after = sessions(&db, &workshop);
    for (title, (kind, words, n, _)) in &after {
        let was = before[title].2;
        if words.starts_with("Everyone") {
            assert_eq!(*n, was + 1, "{title} ({kind}) takes the new official in");
        } else {
            assert_eq!(*n, was, "{title} ({kind}) is a list and stays as it was");
        }
    }
    let roster = stdout(&ddesk(&db, &["roster", "--session", &opening]));
    let line = roster
        .lines()
        .find(|l| l.starts_with(&official))
        .expect("on the opening's roster");
    assert_eq!(
        line.split('\t').collect::<Vec<_>>(),
        [
            official.as_str(),
            "TESTER Deputy",
            "Kazakhstan",
            "Participant",
            "rule"
        ]
    );
    assert_eq!(roster.lines().count(), opening_n + 1);

    // Paper and files read the same rosters.
    let signin = dir.path().join("signin.pdf");
    let out = |p: &Path| p.to_str().expect("path").to_string();
    ddesk(
        &db,
        &[
            "print",
            "signin",
            "--event",
            &workshop,
            "--session",
            &opening,
            "-o",
            &out(&signin),
        ],
    );
    assert!(pdftotext(&signin).contains("TESTER Deputy"));
    let itinerary = dir.path().join("itinerary.pdf");
    ddesk(
        &db,
        &[
            "itinerary",
            "--event",
            &workshop,
            "--official",
            &official,
            "-o",
            &out(&itinerary),
        ],
    );
    let programme = pdftotext(&itinerary);
    for title in ["Opening Session", "Farewell Lunch", "Dinner hosted by PPS"] {
        assert!(programme.contains(title), "{title} in\n{programme}");
    }
    assert!(
        !programme.contains("Group A"),
        "no breakout list in\n{programme}"
    );
    let meals = |name: &str| {
        let path = dir.path().join(name);
        ddesk(
            &db,
            &[
                "export",
                "meals",
                "--event",
                &workshop,
                "--format",
                "csv",
                "-o",
                &out(&path),
            ],
        );
        std::fs::read_to_string(path).expect("meals")
    };
    let table = meals("meals.csv");
    let lunch_rows: Vec<&str> = table.lines().filter(|l| l.starts_with("Lunch,")).collect();
    assert!(!lunch_rows.is_empty(), "{table}");
    for row in &lunch_rows {
        assert!(
            row.contains(&format!(",{},", lunch_n + 1)),
            "the head-count: {row}"
        );
    }
    let vegetarian = lunch_rows
        .iter()
        .find(|r| r.contains("Vegetarian"))
        .expect("a vegetarian row");
    assert!(vegetarian.contains("TESTER Deputy"), "{vegetarian}");

    // Cancelled, they leave every roster, count and sheet.
    {
        let store = Store::open(&db, &delegation_desk_tests::unlock()).expect("open");
        let mut o: Official = store.get(&official).expect("official");
        o.status = OfficialStatus::Cancelled;
        store.save(o).expect("cancel");
    }
    let cancelled = sessions(&db, &workshop);
    for (title, v) in &cancelled {
        assert_eq!(v.2, before[title].2, "{title} is back as it was");
    }
    assert!(!stdout(&ddesk(&db, &["roster", "--session", &opening])).contains(&official));
    let table = meals("meals-after.csv");
    assert!(!table.contains("TESTER"), "{table}");
    ddesk(
        &db,
        &[
            "print",
            "signin",
            "--event",
            &workshop,
            "--session",
            &opening,
            "--force",
            "-o",
            &out(&signin),
        ],
    );
    assert!(!pdftotext(&signin).contains("TESTER"));
}

fn roster_ids(store: &Store, session: &str) -> BTreeSet<String> {
    store
        .read(|c| queries::participants(c, session))
        .expect("roster")
        .into_iter()
        .map(|p| p.participant.official_id)
        .collect()
}

fn set_status(store: &Store, id: &str, status: OfficialStatus) {
    let mut o: Official = store.get(id).expect("official");
    o.status = status;
    store.save(o).expect("status");
}

/// Exceptions both ways stay through changes of status and of the audience; a role given to
/// someone in by the rule stays with them; undo takes an audience change back; the checks
/// count the derived roster against the room.
#[test]
fn exceptions_and_roles_stay_with_the_person() {
    let store = Store::open_in_memory().expect("library");
    demo::reset(&store).expect("demo");
    let workshop: Event = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT id FROM event WHERE name_en LIKE '%Workshop%'",
                [],
                |r| r.get::<_, String>(0),
            )?)
        })
        .and_then(|id| store.get(&id))
        .expect("the workshop");
    let sessions: Vec<Session> = store
        .read(|c| Session::of_event(c, &workshop.id))
        .expect("sessions");
    let opening = sessions
        .iter()
        .find(|s| s.title_en == "Opening Session")
        .expect("opening")
        .clone();
    assert_eq!(opening.audience, Audience::Everyone);
    let officials: Vec<Official> = store
        .read(|c| Official::of_event(c, &workshop.id))
        .expect("officials");
    let delegate = officials
        .iter()
        .find(|o| o.category == Category::Delegate && o.status != OfficialStatus::Cancelled)
        .expect("a delegate")
        .clone();
    let head = officials
        .iter()
        .find(|o| o.category == Category::HeadOfDelegation && o.status != OfficialStatus::Cancelled)
        .expect("a head")
        .clone();
    let everyone = roster_ids(&store, &opening.id);
    assert!(everyone.contains(&delegate.id) && everyone.contains(&head.id));

    // Left out of a session for everyone: out through a cancellation and back.
    store
        .write(|tx| roster::remove(tx, &opening.id, &delegate.id))
        .expect("leave out");
    assert!(!roster_ids(&store, &opening.id).contains(&delegate.id));
    let left_out = store
        .read(|c| queries::left_out(c, &opening.id))
        .expect("left out");
    assert_eq!(left_out.len(), 1);
    assert_eq!(left_out[0].participant.official_id, delegate.id);
    set_status(&store, &delegate.id, OfficialStatus::Cancelled);
    set_status(&store, &delegate.id, OfficialStatus::Confirmed);
    assert!(
        !roster_ids(&store, &opening.id).contains(&delegate.id),
        "the exception outlives the status change"
    );
    // Put back: in by the rule again.
    store
        .write(|tx| {
            roster::add(
                tx,
                &opening.id,
                std::slice::from_ref(&delegate.id),
                Role::Participant,
            )
        })
        .expect("put back");
    assert!(roster_ids(&store, &opening.id).contains(&delegate.id));

    // A role for someone in by the rule stays with them as the audience changes.
    store
        .write(|tx| roster::set_role(tx, &opening.id, &head.id, Role::Speaker))
        .expect("role");
    let mut heads_only = opening.clone();
    heads_only.audience = Audience::Groups;
    heads_only.audience_categories = "head_of_delegation".into();
    let heads_only = store.save(heads_only).expect("heads only");
    let heads: BTreeSet<String> = officials
        .iter()
        .filter(|o| {
            o.category == Category::HeadOfDelegation && o.status != OfficialStatus::Cancelled
        })
        .map(|o| o.id.clone())
        .collect();
    assert_eq!(roster_ids(&store, &opening.id), heads);
    let rows = store
        .read(|c| queries::participants(c, &opening.id))
        .expect("roster");
    let row = rows
        .iter()
        .find(|p| p.participant.official_id == head.id)
        .expect("head");
    assert_eq!(
        (row.participant.role, row.participant.membership),
        (Role::Speaker, Membership::Rule)
    );
    // An interpreter added by hand is on the heads' session, leaves when cancelled and comes
    // back when reinstated.
    store
        .write(|tx| {
            roster::add(
                tx,
                &opening.id,
                std::slice::from_ref(&delegate.id),
                Role::Guest,
            )
        })
        .expect("add by hand");
    assert!(roster_ids(&store, &opening.id).contains(&delegate.id));
    set_status(&store, &delegate.id, OfficialStatus::Cancelled);
    assert!(!roster_ids(&store, &opening.id).contains(&delegate.id));
    set_status(&store, &delegate.id, OfficialStatus::Confirmed);
    assert!(roster_ids(&store, &opening.id).contains(&delegate.id));
    assert_eq!(
        store
            .read(|c| queries::head_count(c, &heads_only))
            .expect("count"),
        heads.len() as i64 + 1
    );

    // Undo takes the audience back to everyone, with everyone on it: the status changes,
    // the addition by hand and the audience change, last first.
    for _ in 0..4 {
        store.undo_last(Some(&workshop.id)).expect("undo");
    }
    let back: Session = store.get(&opening.id).expect("opening");
    assert_eq!(back.audience, Audience::Everyone);
    assert_eq!(roster_ids(&store, &opening.id), everyone);

    // The checks count the derived roster against the room: one seat short is a warning.
    let room_id = back.venue_room_id.clone().expect("a room");
    let mut room: VenueRoom = store.get(&room_id).expect("room");
    room.capacity = everyone.len() as i64 - 1;
    store.save(room).expect("smaller room");
    let data = store
        .read(|c| EventData::load(c, &workshop.id))
        .expect("data");
    let problems = checks::run_all(&data);
    assert!(
        problems
            .iter()
            .any(|p| p.code == "session_over_capacity"
                && p.records.iter().any(|l| l.id == opening.id)),
        "{problems:?}"
    );
}

/// The rule said twice — in memory for whole-event readers and in SQL for one session — gives
/// one answer, on a generated event with sessions for everyone, a group, lists, people left
/// out, added by hand and cancelled.
#[test]
fn rosters_in_memory_and_in_sql_agree() {
    let store = Store::open_in_memory().expect("library");
    let event = generate::generate(&store, Spec::new(1_500, 3)).expect("generate");
    let data = store.read(|c| EventData::load(c, &event.id)).expect("data");
    assert!(data
        .officials
        .iter()
        .any(|o| o.status == OfficialStatus::Cancelled));
    for audience in [Audience::Everyone, Audience::Groups, Audience::List] {
        assert!(
            data.sessions.iter().any(|s| s.audience == audience),
            "{audience:?}"
        );
    }
    for membership in [Membership::Rule, Membership::Added, Membership::Removed] {
        assert!(
            data.participants.iter().any(|p| p.membership == membership),
            "{membership:?}"
        );
    }
    let rosters = Rosters::derive(&data.sessions, &data.officials, &data.participants);
    let mut in_memory: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (i, o) in data.officials.iter().enumerate() {
        for s in rosters.agenda(i) {
            in_memory.entry(&s.id).or_default().insert(&o.id);
        }
    }
    let listed = store
        .read(|c| queries::sessions(c, &event.id))
        .expect("sessions");
    for (i, s) in data.sessions.iter().enumerate() {
        let page = store
            .read(|c| queries::roster(c, &s.id, &ListQuery::default()))
            .expect("roster");
        let in_sql: BTreeSet<&str> = page
            .rows
            .iter()
            .map(|r| r.participant.official_id.as_str())
            .collect();
        let expected = in_memory.get(s.id.as_str()).cloned().unwrap_or_default();
        assert_eq!(in_sql, expected, "{}", s.title_en);
        assert_eq!(page.total as usize, expected.len(), "{}", s.title_en);
        assert_eq!(rosters.count(i), expected.len(), "{}", s.title_en);
        let row = listed
            .iter()
            .find(|r| r.session.id == s.id)
            .expect("listed");
        assert_eq!(row.participants as usize, expected.len(), "{}", s.title_en);
        // Who the roster screen offers to add is everyone else not cancelled.
        let candidates = store
            .read(|c| {
                queries::officials(
                    c,
                    &event.id,
                    &queries::OfficialQuery {
                        not_on_session: Some(s.id.clone()),
                        ..Default::default()
                    },
                )
            })
            .expect("candidates");
        let coming = data
            .officials
            .iter()
            .filter(|o| o.status != OfficialStatus::Cancelled)
            .count();
        assert_eq!(candidates.total as usize, coming - expected.len());
        assert_eq!(
            candidates.rows.len(),
            candidates.total as usize,
            "{}",
            s.title_en
        );
        assert!(candidates
            .rows
            .iter()
            .all(|r| !expected.contains(r.official.id.as_str())));
    }
}

/// Schema 9 turns the rosters of a library made by the first build into audiences: a roster
/// of everyone becomes "everyone", a breakout stays a list, and nobody and no role is lost.
#[test]
fn the_migration_keeps_every_roster_member_and_role() {
    let dir = tempfile::tempdir().expect("temp dir");
    let old = dir.path().join("v1.sqlite3");
    let mut before: BTreeMap<(String, String), String> = BTreeMap::new();
    {
        let conn = delegation_desk_tests::raw(&old);
        let dump = std::fs::read_to_string(
            delegation_desk_tests::workspace().join("tests/fixtures/library-v1.sql"),
        )
        .expect("fixture");
        conn.execute_batch(&dump).expect("load the frozen v1 file");
        let mut stmt = conn
            .prepare(
                "SELECT p.session_id, p.official_id, p.role FROM participant p
                   JOIN official o ON o.id = p.official_id WHERE o.status <> 'cancelled'",
            )
            .expect("query");
        let rows = stmt
            .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))
            .expect("rows");
        for row in rows {
            let (key, role) = row.expect("row");
            before.insert(key, role);
        }
    }
    assert!(before.len() > 100, "the fixture has rosters");
    let store = Store::open(&old, &delegation_desk_tests::unlock()).expect("upgrade");
    let event: String = store
        .read(|c| Ok(c.query_row("SELECT id FROM event", [], |r| r.get(0))?))
        .expect("event");
    let sessions = store
        .read(|c| Session::of_event(c, &event))
        .expect("sessions");
    let mut after: BTreeMap<(String, String), String> = BTreeMap::new();
    for s in &sessions {
        for p in store
            .read(|c| queries::participants(c, &s.id))
            .expect("roster")
        {
            after.insert(
                (s.id.clone(), p.participant.official_id),
                p.participant.role.as_str().to_string(),
            );
        }
    }
    assert_eq!(after, before, "every member and role is where it was");
    let audiences: BTreeSet<Audience> = sessions.iter().map(|s| s.audience).collect();
    assert!(audiences.contains(&Audience::Everyone), "{audiences:?}");
    assert!(audiences.contains(&Audience::List), "{audiences:?}");
    assert!(store.health().expect("health").is_ok());
}
