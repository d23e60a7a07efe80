//! The registration round trip (issue 23): our own exports import back whole, and cells that
//! name the event's hotels and delegations loosely are matched, mapped and remembered.

use ddesk_core::demo;
use ddesk_core::export::{self, ExportRequest, Format, Table};
use ddesk_core::import::{self, Decisions, Field, ReadOptions, RowStatus};
use ddesk_core::model::*;
use ddesk_core::store::Store;
use delegation_desk_tests::event;

fn officials_of(store: &Store, event_id: &str) -> Vec<Official> {
    store
        .read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {} FROM official x WHERE x.event_id = ? ORDER BY x.passport_number, x.family_name, x.given_name",
                Official::select("x")
            ))?;
            let rows = stmt.query_map([event_id], Official::from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .expect("officials")
}

fn delegation_codes(store: &Store, o: &Official) -> (Option<String>, Option<String>) {
    match &o.delegation_id {
        None => (None, None),
        Some(id) => {
            let d: Delegation = store.get(id).expect("delegation");
            (d.country_code, d.org_code)
        }
    }
}

#[test]
fn our_own_officials_list_imports_back_whole() {
    let store = Store::open_in_memory().expect("library");
    let events = demo::reset(&store).expect("demo");
    let forum = events
        .iter()
        .max_by_key(|e| officials_of(&store, &e.id).len())
        .expect("a demo event");
    let originals = officials_of(&store, &forum.id);
    assert!(originals.len() > 100, "the forum has its officials");
    assert!(
        originals.iter().any(|o| !o.native_name.is_empty()),
        "native-script names are part of what must survive"
    );
    for (format, language) in [
        (Format::Csv, Language::En),
        (Format::Xlsx, Language::Ko),
        (Format::Xlsx, Language::En),
        (Format::Csv, Language::Ko),
    ] {
        let what = format!("{format:?} {language:?}");
        let bytes = export::export(
            &store,
            &ExportRequest {
                event_id: forum.id.clone(),
                tables: vec![Table::Officials],
                format,
                hotel_id: None,
                session_id: None,
                language,
            },
        )
        .expect("export");
        let mut empty = event("Round trip");
        empty.start_date = forum.start_date;
        empty.end_date = forum.end_date;
        empty.host_country = forum.host_country.clone();
        let target = store.save(empty).expect("empty event");
        let name = format!("officials.{}", format.extension());
        let table = import::read_bytes(&name, &bytes, &ReadOptions::default()).expect("read");
        let mapping = import::auto_mapping(&table.headers, None);
        let unmapped: Vec<&String> = table
            .headers
            .iter()
            .zip(&mapping.columns)
            .filter(|(_, f)| f.is_none())
            .map(|(h, _)| h)
            .collect();
        assert!(unmapped.is_empty(), "{what}: left out {unmapped:?}");
        let preview = store
            .read(|c| import::preview(c, &target.id, &table, &mapping))
            .expect("preview");
        let problems: Vec<String> = preview
            .rows
            .iter()
            .flat_map(|r| r.messages.iter().map(move |m| (r.row, m)))
            .filter(|(_, m)| {
                m.severity == ddesk_core::import::Severity::Error || m.code == "value_matched"
            })
            .map(|(row, m)| format!("row {row}: {}", m.message))
            .collect();
        assert!(problems.is_empty(), "{what}: {problems:#?}");
        assert!(preview.values.is_empty(), "{what}: {:?}", preview.values);
        import::commit(
            &store,
            &target.id,
            &table,
            &mapping,
            &Decisions::default(),
            Some(&preview),
            &|_, _| {},
        )
        .expect("commit");
        let back = officials_of(&store, &target.id);
        assert_eq!(back.len(), originals.len(), "{what}");
        for (a, b) in originals.iter().zip(&back) {
            // Every field the officials list carries; the notes, ids and times are not in it.
            let same = |o: &Official| Official {
                id: String::new(),
                event_id: String::new(),
                delegation_id: None,
                notes: String::new(),
                created_at: Default::default(),
                updated_at: Default::default(),
                ..o.clone()
            };
            assert_eq!(same(a), same(b), "{what}");
            assert_eq!(
                delegation_codes(&store, a),
                delegation_codes(&store, b),
                "{what}: {} joins the same delegation",
                a.full_name()
            );
        }
    }
}

/// The held-out kind of file: Korean headers, a title row, a totals row, and the event's hotel
/// named the way the ministry named it.
#[test]
fn a_ministry_list_with_a_loose_hotel_name_lands_in_the_hotel() {
    let store = Store::open_in_memory().expect("library");
    demo::reset(&store).expect("demo");
    let workshop = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT event_id FROM hotel WHERE name = 'Orakai Insadong Suites'",
                [],
                |r| r.get::<_, String>(0),
            )?)
        })
        .expect("the workshop's hotel");
    let csv = "2024 공공조달 워크숍 참가자 명단,,,,,\n\
               성명,국가,소속,여권번호,숙소,식사\n\
               TRAN Thi Lan,베트남,Ministry of Planning,C9876543,Orakai Hotel,Vegetarian (no egg)\n\
               KARIMOV Bobur,Uzbekistan,Treasury,FA1234567,오라카이,halal\n\
               SOK Dara,Cambodia,MEF,N0123456,Lotte,None\n\
               합계,3명,,,,\n";
    let table =
        import::read_bytes("명단.csv", csv.as_bytes(), &ReadOptions::default()).expect("read");
    assert_eq!(table.rows.len(), 3, "title and totals rows are left out");
    let mut mapping = import::auto_mapping(&table.headers, None);
    let preview = store
        .read(|c| import::preview(c, &workshop, &table, &mapping))
        .expect("preview");
    let row = |n: usize| &preview.rows[n];
    assert_eq!(row(0).status, RowStatus::New);
    assert_eq!(row(0).hotel_name.as_deref(), Some("Orakai Insadong Suites"));
    assert!(
        row(0).messages.iter().any(|m| m.code == "value_matched"
            && m.message.contains("Orakai Hotel")
            && m.message.contains("Orakai Insadong Suites")),
        "{:?}",
        row(0).messages
    );
    assert_eq!(row(0).official.dietary, "Vegetarian");
    assert!(row(0).official.notes.contains("no egg"));
    assert_eq!(row(1).hotel_name.as_deref(), Some("Orakai Insadong Suites"));
    assert_eq!(row(1).official.dietary, "Halal");
    assert_eq!(
        row(2).status,
        RowStatus::Error,
        "Lotte is no hotel of this event"
    );
    assert_eq!(row(2).official.dietary, "");
    assert_eq!(preview.unmatched.len(), 1);
    assert_eq!(preview.unmatched[0].field, Field::Hotel);
    assert_eq!(
        preview.unmatched[0].candidates,
        ["Orakai Insadong Suites"],
        "the error offers the event's hotel"
    );
    assert!(preview.value_options[&Field::Hotel].contains(&"Orakai Insadong Suites".to_string()));

    // "Lotte" means no hotel of ours: mapped once, the row imports without a stay, and the
    // next file from the event needs no mapping.
    mapping
        .values
        .entry(Field::Hotel)
        .or_default()
        .insert("Lotte".into(), String::new());
    let preview = store
        .read(|c| import::preview(c, &workshop, &table, &mapping))
        .expect("preview");
    assert_eq!(preview.counts.error, 0, "{:?}", preview.rows[2].messages);
    assert!(preview.rows[2].stay.is_none());
    assert!(preview
        .values
        .iter()
        .any(|v| v.from == "Lotte" && v.to.is_empty() && v.how == import::How::Mapped));
    import::commit(
        &store,
        &workshop,
        &table,
        &mapping,
        &Decisions::default(),
        Some(&preview),
        &|_, _| {},
    )
    .expect("commit");
    let lodged: i64 = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM stay s JOIN official o ON o.id = s.official_id
                 JOIN hotel h ON h.id = s.hotel_id
                 WHERE o.passport_number IN ('C9876543', 'FA1234567') AND h.name = 'Orakai Insadong Suites'",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("stays");
    assert_eq!(lodged, 2, "the officials land in the event's hotel");
    let remembered = store
        .read(|c| import::remembered_values(c, &workshop))
        .expect("remembered");
    assert_eq!(remembered[&Field::Hotel]["Lotte"], "");
}
