//! The registration round trip (issue 23): our own exports import back whole, and cells that
//! name the event's hotels and delegations loosely are matched, mapped and remembered.

use ddesk_core::demo;
use ddesk_core::export::{self, ExportRequest, Format, Table};
use ddesk_core::import::{self, Decisions, Field, ReadOptions, RowStatus};
use ddesk_core::model::*;
use ddesk_core::queries;
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
                full_passport: true,
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
            .map(|(row, m)| format!("row {row}: {}", m.message()))
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
            && m.message().contains("Orakai Hotel")
            && m.message().contains("Orakai Insadong Suites")),
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

/// Fills a registration workbook as a delegation would, with openpyxl (Debian's
/// python3-openpyxl): the first registered row's position changed, one person added on the
/// first empty row with values from the workbook's own lists. Prints the data validations
/// (type, range) as JSON lines.
const FILL: &str = r#"
import sys, json, datetime
import openpyxl
path = sys.argv[1]
wb = openpyxl.load_workbook(path)
ws = wb[sys.argv[2]]
lists = wb[sys.argv[3]]
def first_of(col):
    return lists.cell(row=2, column=col).value
headers = {ws.cell(row=2, column=c).value.split(' (')[0]: c for c in range(1, ws.max_column + 1) if ws.cell(row=2, column=c).value}
for dv in ws.data_validations.dataValidation:
    print(json.dumps({"type": dv.type, "range": str(dv.sqref), "formula": dv.formula1}))
ws.cell(row=3, column=headers["Position"]).value = "Director-General"
row = 3
while ws.cell(row=row, column=1).value:
    row += 1
def put(name, value):
    ws.cell(row=row, column=headers[name]).value = value
put("Family name", "TESTER")
put("Given name(s)", "Ada Maria")
put("Name in native script", "Ада Мария Тестер")
put("Position", "Chief of Procurement")
put("Organization", "Ministry of Finance")
put("Category", first_of(1))
put("Gender", first_of(2))
put("Nationality", "Kazakhstan")
put("Date of birth", datetime.datetime(1981, 2, 3))
put("Passport number", "N99887766")
put("Passport expiry", datetime.datetime(2031, 7, 1))
put("E-mail", "ada.tester@example.org")
put("Phone", "+7 701 000 0000")
put("Dietary needs", "Vegetarian")
put("Correspondence language", "Korean")
put("Arrival date", datetime.datetime(2024, 9, 24))
put("Arrival time", "17:35")
put("Arrival flight", "KC909")
put("Hotel", first_of(6))
put("Check-in", datetime.datetime(2024, 9, 24))
put("Check-out", datetime.datetime(2024, 9, 28))
session = next(h for h in headers if h.startswith("Session:"))
put(session, "Yes")
print(json.dumps({"session": session}))
wb.save(path)
"#;

#[test]
fn a_registration_form_filled_by_a_real_writer_imports_into_its_delegation() {
    let store = Store::open_in_memory().expect("library");
    demo::reset(&store).expect("demo");
    let (workshop, hotel): (String, String) = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT event_id, id FROM hotel WHERE name = 'Orakai Insadong Suites'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .expect("the workshop");
    let delegation: Delegation = store
        .read(|c| {
            let id: String = c.query_row(
                "SELECT d.id FROM delegation d WHERE d.event_id = ?
                 AND (SELECT count(*) FROM official o WHERE o.delegation_id = d.id) > 0
                 ORDER BY d.name_en LIMIT 1",
                [&workshop],
                |r| r.get(0),
            )?;
            Delegation::get(c, &id)
        })
        .expect("a delegation with officials");
    let members_before = officials_of(&store, &workshop)
        .into_iter()
        .filter(|o| o.delegation_id.as_deref() == Some(delegation.id.as_str()))
        .count();
    let bytes = ddesk_core::registration::registration_form(&store, &delegation.id, Language::En)
        .expect("form");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("returned.xlsx");
    std::fs::write(&path, &bytes).expect("write");
    let python = if std::path::Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    };
    let out = std::process::Command::new(python)
        .args(["-c", FILL])
        .arg(&path)
        .args(["Registration", "Lists"])
        .output()
        .expect("python3 with openpyxl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let session_header = lines
        .iter()
        .find_map(|l| l["session"].as_str())
        .expect("a session column")
        .to_string();
    let validations: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l.get("type").is_some()).collect();
    let lists = validations.iter().filter(|v| v["type"] == "list").count();
    let dates = validations.iter().filter(|v| v["type"] == "date").count();
    assert_eq!(
        (lists, dates),
        (7, 6),
        "category, gender, nationality, diet, language, hotel and session (yes/no) lists; six date columns: {validations:?}"
    );

    // Returned: read and previewed as the window and `ddesk import` do.
    let returned = std::fs::read(&path).expect("returned");
    let table =
        import::read_bytes("returned.xlsx", &returned, &ReadOptions::default()).expect("read");
    let tag = table.form.clone().expect("the workbook says whose it is");
    assert_eq!(
        (tag.event_id.as_str(), tag.delegation_id.as_str()),
        (workshop.as_str(), delegation.id.as_str())
    );
    let mapping = import::auto_mapping(&table.headers, None);
    let preview = store
        .read(|c| import::preview(c, &workshop, &table, &mapping))
        .expect("preview");
    let errors: Vec<_> = preview
        .rows
        .iter()
        .flat_map(|r| &r.messages)
        .filter(|m| m.severity == ddesk_core::import::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let changed = &preview.rows[0];
    assert_eq!(changed.status, RowStatus::Duplicate);
    assert_eq!(
        changed
            .changes
            .iter()
            .map(|c| (c.field.as_str(), c.to.as_str()))
            .collect::<Vec<_>>(),
        [("position", "Director-General")],
        "the change on return is shown field by field"
    );
    let unchanged = preview
        .rows
        .iter()
        .filter(|r| r.status == RowStatus::Duplicate)
        .skip(1);
    for r in unchanged {
        assert!(r.changes.is_empty(), "row {}: {:?}", r.row, r.changes);
    }
    let added = preview
        .rows
        .iter()
        .find(|r| r.official.family_name == "TESTER")
        .expect("the added row");
    assert_eq!(added.status, RowStatus::New);
    assert_eq!(
        added.delegation.as_ref().and_then(|d| d.id.as_deref()),
        Some(delegation.id.as_str()),
        "rows join the form's delegation"
    );
    import::commit(
        &store,
        &workshop,
        &table,
        &mapping,
        &Decisions {
            default: ddesk_core::import::DuplicateAction::Update,
            ..Decisions::default()
        },
        Some(&preview),
        &|_, _| {},
    )
    .expect("commit");
    let after = officials_of(&store, &workshop);
    let ada = after
        .iter()
        .find(|o| o.passport_number == "N99887766")
        .expect("Ada imported");
    assert_eq!(ada.delegation_id.as_deref(), Some(delegation.id.as_str()));
    assert_eq!(ada.given_name, "Ada Maria");
    assert_eq!(ada.native_name, "Ада Мария Тестер");
    assert_eq!(ada.category, Category::HeadOfDelegation, "the list's first");
    assert_eq!(ada.gender, Gender::Female, "the list's first");
    assert_eq!(ada.nationality, "KZ");
    assert_eq!(ada.birth_date, Some("1981-02-03".parse().expect("date")));
    assert_eq!(
        ada.passport_expiry,
        Some("2031-07-01".parse().expect("date"))
    );
    assert_eq!(ada.phone, "+7 701 000 0000");
    assert_eq!(ada.dietary, "Vegetarian");
    assert_eq!(ada.language, Language::Ko);
    let (stay_hotel, arrival): (String, String) = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT s.hotel_id, t.flight FROM stay s JOIN travel t ON t.official_id = s.official_id
                 WHERE s.official_id = ?",
                [&ada.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .expect("stay and flight");
    assert_eq!((stay_hotel, arrival), (hotel, "KC909".to_string()));
    // The session column said yes: Ada is on that session's roster (a lunch for everyone,
    // where the rule takes her in); the blank columns put her on no list.
    let on: Vec<(String, Audience)> = store
        .read(|c| {
            let mut on = Vec::new();
            for s in Session::of_event(c, &workshop)? {
                let roster = queries::participants(c, &s.id)?;
                if roster.iter().any(|p| p.participant.official_id == ada.id) {
                    on.push((s.title_en.clone(), s.audience));
                }
            }
            Ok(on)
        })
        .expect("rosters");
    assert!(
        on.iter()
            .any(|(title, _)| session_header.contains(title.as_str())),
        "{session_header} not among {on:?}"
    );
    assert!(on.iter().all(|(_, a)| *a != Audience::List), "{on:?}");
    assert_eq!(
        after
            .iter()
            .filter(|o| o.delegation_id.as_deref() == Some(delegation.id.as_str()))
            .count(),
        members_before + 1
    );
    assert!(
        after.iter().any(|o| o.position == "Director-General"),
        "the accepted change is written"
    );

    // A form of another event says so, and writes nothing.
    let other = events_other_than(&store, &workshop);
    let err = store
        .read(|c| import::preview(c, &other, &table, &mapping))
        .expect_err("another event's form");
    assert!(
        matches!(&err, ddesk_core::Error::Import { code, .. } if *code == "form_of_another_event"),
        "{err:?}"
    );
}

fn events_other_than(store: &Store, event: &str) -> String {
    store
        .read(|c| {
            Ok(
                c.query_row("SELECT id FROM event WHERE id <> ? LIMIT 1", [event], |r| {
                    r.get(0)
                })?,
            )
        })
        .expect("another event")
}

/// Issue 17: passport numbers leave in an export masked (`M12****78`) unless the officer asks
/// for them in full; a masked file brought back changes no number on file, and says why.
#[test]
fn passport_numbers_leave_masked_and_a_masked_file_changes_none() {
    let store = Store::open_in_memory().expect("library");
    let forum = demo::reset(&store).expect("demo").remove(0);
    let originals = officials_of(&store, &forum.id);
    let numbers: Vec<&str> = originals
        .iter()
        .map(|o| o.passport_number.as_str())
        .filter(|n| !n.is_empty())
        .collect();
    assert!(numbers.len() > 50, "the demo has passport numbers");
    let request = |full_passport| ExportRequest {
        event_id: forum.id.clone(),
        tables: vec![Table::Officials],
        format: Format::Csv,
        hotel_id: None,
        session_id: None,
        language: Language::En,
        full_passport,
    };
    let masked = export::export(&store, &request(false)).expect("export");
    let text = String::from_utf8(masked.clone()).expect("utf-8");
    for n in &numbers {
        assert!(!text.contains(n), "{n} left in full");
        assert!(text.contains(&export::mask_passport(n)), "{n} masked");
    }
    let full =
        String::from_utf8(export::export(&store, &request(true)).expect("export")).expect("utf-8");
    assert!(numbers.iter().all(|n| full.contains(n)));

    // The masked file back into the same event, updating everyone: no number changes.
    let table =
        import::read_bytes("officials.csv", &masked, &ReadOptions::default()).expect("read");
    let mapping = import::auto_mapping(&table.headers, None);
    let preview = store
        .read(|c| import::preview(c, &forum.id, &table, &mapping))
        .expect("preview");
    let masked_rows = preview
        .rows
        .iter()
        .filter(|r| r.messages.iter().any(|m| m.code == "passport_masked"))
        .count();
    assert_eq!(masked_rows, numbers.len());
    assert!(preview
        .rows
        .iter()
        .all(|r| !r.changes.iter().any(|c| c.field == "passport_number")));
    import::commit(
        &store,
        &forum.id,
        &table,
        &mapping,
        &Decisions {
            default: ddesk_core::import::DuplicateAction::Update,
            ..Decisions::default()
        },
        Some(&preview),
        &|_, _| {},
    )
    .expect("commit");
    let after = officials_of(&store, &forum.id);
    assert_eq!(after.len(), originals.len());
    for (a, b) in originals.iter().zip(&after) {
        assert_eq!(a.passport_number, b.passport_number, "{}", a.family_name);
    }
}
