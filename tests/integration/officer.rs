//! The rough edges of an officer's day (issue 25), where the engine and files are concerned.

use std::path::Path;
use std::process::Command;

use calamine::{Data, Reader, Xlsx};
use ddesk_core::export::{self, ExportRequest, Format, Table};
use delegation_desk_tests::Fixture;

/// Converts a CSV into XLSX with LibreOffice, formulas evaluated as its import can do, and
/// reads the first sheet back.
fn through_libreoffice(csv: &Path) -> calamine::Range<Data> {
    let dir = csv.parent().expect("folder");
    let out = dir.join("converted");
    // A profile of its own: a first start writes one, and tests must not share or leave one.
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("lo-profile").display()
    );
    let status = Command::new("soffice")
        .arg(profile)
        .args([
            "--headless",
            // Comma, quote, UTF-8, from line 1, …, token 13: evaluate formulas.
            "--infilter=CSV:44,34,76,1,,0,false,true,false,false,false,-1,true",
            "--convert-to",
            "xlsx",
            "--outdir",
        ])
        .arg(&out)
        .arg(csv)
        .output()
        .expect("soffice (libreoffice-calc-nogui)");
    assert!(status.status.success(), "{status:?}");
    let name = csv
        .file_stem()
        .expect("stem")
        .to_string_lossy()
        .into_owned();
    let mut book: Xlsx<_> =
        calamine::open_workbook(out.join(format!("{name}.xlsx"))).expect("converted workbook");
    let sheet = book.sheet_names()[0].clone();
    book.worksheet_range(&sheet).expect("sheet")
}

fn column(range: &calamine::Range<Data>, header: &str) -> usize {
    range
        .rows()
        .next()
        .expect("headers")
        .iter()
        .position(|c| matches!(c, Data::String(s) if s == header))
        .unwrap_or_else(|| panic!("no column {header}"))
}

#[test]
fn phone_numbers_arrive_readable_and_formulas_stay_inert_in_a_real_spreadsheet() {
    let f = Fixture::new();
    let mut o = f.official.clone();
    o.phone = "+998 71 123 4567".into();
    o.organization = "=1+1".into();
    o.position = "+1+2".into();
    f.store.save(o).expect("official");
    let csv = export::export(
        &f.store,
        &ExportRequest {
            event_id: f.event.id.clone(),
            tables: vec![Table::Officials],
            format: Format::Csv,
            hotel_id: None,
            session_id: None,
            language: Default::default(),
            full_passport: false,
        },
    )
    .expect("csv");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("officials.csv");
    std::fs::write(&path, &csv).expect("write");
    let range = through_libreoffice(&path);
    let row = range.rows().nth(1).expect("the official");
    assert_eq!(
        row[column(&range, "Phone")],
        Data::String("+998 71 123 4567".into()),
        "the phone number as typed, no apostrophe"
    );
    assert_eq!(
        row[column(&range, "Organization")],
        Data::String("'=1+1".into())
    );
    assert_eq!(
        row[column(&range, "Position")],
        Data::String("'+1+2".into())
    );
    // The same cells unguarded are computed: this spreadsheet does run formulas from CSV.
    let raw = dir.path().join("raw.csv");
    std::fs::write(&raw, "Organization,Position\r\n=1+1,+1+2\r\n").expect("write");
    let range = through_libreoffice(&raw);
    let row = range.rows().nth(1).expect("row");
    assert!(
        matches!(row[0], Data::Float(v) if v == 2.0) || matches!(row[0], Data::Int(2)),
        "{:?}",
        row[0]
    );
}

#[test]
fn every_change_is_recorded_under_the_officers_name() {
    let f = Fixture::new();
    let actor = |f: &Fixture| -> String {
        f.store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT actor FROM change_log ORDER BY seq DESC LIMIT 1",
                    [],
                    |r| r.get(0),
                )?)
            })
            .expect("actor")
    };
    let before = actor(&f);
    assert_ne!(before, "KIM Jiwon");
    f.store
        .set_setting(ddesk_core::store::OFFICER_NAME, "KIM Jiwon")
        .expect("name");
    let mut o = f.official.clone();
    o.position = "Director".into();
    f.store.save(o).expect("saved");
    assert_eq!(actor(&f), "KIM Jiwon");
    // What the window may set: a name on one line, initials of a few letters.
    use ddesk_core::store::check_window_setting as check;
    check("officer.name", Some("NGUYỄN Thị Mai")).expect("a name");
    check("officer.initials", Some("NTM")).expect("initials");
    assert!(check("officer.name", Some("")).is_err());
    assert!(check("officer.name", Some("two\nlines")).is_err());
    assert!(check("officer.initials", Some("K.J.")).is_err());
}

/// Issue 25: the delegation's head is the one truth about who heads it, and the officials'
/// category shows it; a save keeps the two in step, and one undo takes both back.
#[test]
fn the_head_of_delegation_is_stated_once_and_shown_in_both_places() {
    use ddesk_core::model::{Category, Delegation, Official};
    let f = Fixture::new();
    let mut second =
        delegation_desk_tests::official(&f.event, Some(&f.delegation), "Tran", "Thi Lan");
    second.nationality = "VN".into();
    let second = f.store.save(second).expect("second official");

    // Marking an official Head of delegation makes them the delegation's head.
    let mut first = f.official.clone();
    first.category = Category::HeadOfDelegation;
    let first = f.store.save(first).expect("save");
    let d: Delegation = f.store.get(&f.delegation.id).expect("delegation");
    assert_eq!(d.head_official_id.as_deref(), Some(first.id.as_str()));

    // Naming another head on the delegation makes that delegate its Head of delegation, and
    // the one marked before a delegate.
    let mut d = d;
    d.head_official_id = Some(second.id.clone());
    f.store.save(d).expect("delegation saved");
    let (a, b): (Official, Official) = (
        f.store.get(&first.id).expect("first"),
        f.store.get(&second.id).expect("second"),
    );
    assert_eq!(
        (a.category, b.category),
        (Category::Delegate, Category::HeadOfDelegation)
    );

    // One undo takes the delegation and both categories back.
    f.store
        .undo_last(Some(&f.event.id))
        .expect("undo")
        .expect("a step");
    let (a, b): (Official, Official) = (
        f.store.get(&first.id).expect("first"),
        f.store.get(&second.id).expect("second"),
    );
    assert_eq!(
        (a.category, b.category),
        (Category::HeadOfDelegation, Category::Delegate)
    );
    let d: Delegation = f.store.get(&f.delegation.id).expect("delegation");
    assert_eq!(d.head_official_id.as_deref(), Some(first.id.as_str()));
}

/// Issue 25: an official typed in a second time is found by the dashboard's same-person rule
/// before it is saved.
#[test]
fn an_official_typed_twice_looks_like_the_first() {
    let f = Fixture::new();
    let mut again =
        delegation_desk_tests::official(&f.event, Some(&f.delegation), "NGUYEN", "Van  Minh");
    again.nationality = String::new();
    let found = f
        .store
        .read(|c| ddesk_core::checks::lookalikes(c, &again))
        .expect("lookalikes");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].official_id, f.official.id);
    assert_eq!(found[0].reason_en, "the same name and delegation");
    // The official itself, saved again, looks like nobody.
    let itself = f
        .store
        .read(|c| ddesk_core::checks::lookalikes(c, &f.official))
        .expect("lookalikes");
    assert!(itself.is_empty(), "{itself:?}");
    // Saved all the same, the dashboard lists the pair.
    f.store.save(again).expect("saved anyway");
    let data = f
        .store
        .read(|c| ddesk_core::checks::EventData::load(c, &f.event.id))
        .expect("event data");
    let problems = ddesk_core::checks::run_all(&data);
    assert!(
        problems.iter().any(|p| p.code == "likely_duplicate"),
        "{problems:?}"
    );
}
