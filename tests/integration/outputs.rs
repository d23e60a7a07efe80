//! Itineraries and spreadsheet exports (issue 4): golden CSV and iCalendar text on a small fixed
//! event; calendars read back by Python's `icalendar` with their times and UIDs; workbooks read
//! back with calamine; itinerary PDFs read back with poppler for every element an official
//! needs; and the `ddesk itinerary` / `ddesk export` commands.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use calamine::{Data, DataType, Reader, Xlsx};
use ddesk_core::export::{self, ExportRequest, Format, Table};
use ddesk_core::model::*;
use ddesk_core::print::itinerary::{self, ItineraryFormat, ItineraryRequest, Scope};
use ddesk_core::{demo, Store};
use delegation_desk_tests::{date, instant, workspace};

/// A small event whose every record is fixed, so its exports can be compared as text.
struct Small {
    store: Store,
    event: Event,
    vietnam: Delegation,
    session: Session,
    /// Nguyen (English itinerary), Kim (Korean itinerary), Tran (hostile position).
    people: Vec<Official>,
}

fn small() -> Small {
    let store = Store::open_in_memory().expect("library");
    let event = store
        .save(Event {
            emergency_contact: "Duty officer +82 00 0000 1234 (24 h)".into(),
            host: "Golden Agency".into(),
            ..delegation_desk_tests::event("Golden Workshop")
        })
        .expect("event");
    let vietnam = store
        .save(Delegation {
            event_id: event.id.clone(),
            kind: DelegationKind::Country,
            country_code: Some("VN".into()),
            status: InvitationStatus::Confirmed,
            seats: 4,
            liaison_name: "Ms. Park Ji-eun".into(),
            liaison_phone: "+82 00 0000 5678".into(),
            liaison_email: "liaison@example.org".into(),
            ..Delegation::default()
        })
        .expect("delegation");
    let person = |family: &str, given: &str, language: Language, position: &str| Official {
        event_id: event.id.clone(),
        delegation_id: Some(vietnam.id.clone()),
        family_name: family.into(),
        given_name: given.into(),
        nationality: "VN".into(),
        position: position.into(),
        organization: "Ministry of Finance".into(),
        status: OfficialStatus::Confirmed,
        dietary: "Vegetarian".into(),
        birth_date: Some(date("1980-02-29")),
        language,
        ..Official::default()
    };
    let people: Vec<Official> = [
        person("Nguyen", "Van Minh", Language::En, "Director General"),
        person("Kim", "Lan", Language::Ko, "Deputy Director"),
        person("Tran", "Thi Mai", Language::En, "=HYPERLINK(\"http://x\")"),
    ]
    .into_iter()
    .map(|o| store.save(o).expect("official"))
    .collect();
    let hotel = store
        .save(Hotel {
            event_id: event.id.clone(),
            name: "Golden Hotel Seoul".into(),
            name_ko: "골든 호텔 서울".into(),
            address: "1 Golden-ro, Jung-gu, Seoul".into(),
            phone: "+82 2 000 0000".into(),
            ..Hotel::default()
        })
        .expect("hotel");
    for (i, o) in people.iter().enumerate() {
        store
            .save(Stay {
                official_id: o.id.clone(),
                hotel_id: hotel.id.clone(),
                check_in: date("2024-05-06"),
                check_out: date("2024-05-10"),
                room_number: if i == 0 { "1203".into() } else { String::new() },
                special_requests: if i == 0 {
                    "Quiet room".into()
                } else {
                    String::new()
                },
                ..Stay::default()
            })
            .expect("stay");
        for (direction, at) in [
            (Direction::Arrival, "2024-05-05T22:25:00Z"),
            (Direction::Departure, "2024-05-10T01:40:00Z"),
        ] {
            store
                .save(Travel {
                    official_id: o.id.clone(),
                    direction,
                    flight: "VN416".into(),
                    origin: "HAN".into(),
                    airport: "ICN".into(),
                    scheduled_at: instant(at),
                    pickup: direction == Direction::Arrival,
                    greeter: "Lee Min-ho".into(),
                    ..Travel::default()
                })
                .expect("travel");
        }
    }
    let venue = store
        .save(Venue {
            event_id: event.id.clone(),
            name: "Golden Centre".into(),
            name_ko: "골든 센터".into(),
            address: "2 Centre-gil, Seoul".into(),
            ..Venue::default()
        })
        .expect("venue");
    let room = store
        .save(VenueRoom {
            venue_id: venue.id.clone(),
            name: "Hall A".into(),
            name_ko: "A홀".into(),
            capacity: 50,
            ..VenueRoom::default()
        })
        .expect("room");
    let session = store
        .save(Session {
            event_id: event.id.clone(),
            kind: SessionKind::Plenary,
            title_en: "Opening Plenary".into(),
            title_ko: "개회 전체회의".into(),
            starts_at: instant("2024-05-07T00:30:00Z"),
            ends_at: instant("2024-05-07T02:00:00Z"),
            venue_room_id: Some(room.id.clone()),
            ..Session::default()
        })
        .expect("session");
    store
        .write(|tx| {
            ddesk_core::roster::add(tx, &session.id, &[people[0].id.clone()], Role::Speaker)?;
            ddesk_core::roster::add(
                tx,
                &session.id,
                &[people[1].id.clone(), people[2].id.clone()],
                Role::Participant,
            )
        })
        .expect("roster");
    // Fixed times, so DTSTAMP and SEQUENCE are the same on every run.
    store
        .write(|tx| {
            for table in [
                "event",
                "delegation",
                "official",
                "hotel",
                "stay",
                "travel",
                "venue",
                "venue_room",
                "session",
                "participant",
            ] {
                tx.execute(
                    &format!(
                        "UPDATE {table} SET created_at = '2024-04-01 09:00:00+00:00',
                                            updated_at = '2024-04-02 10:30:00+00:00'"
                    ),
                    [],
                )?;
            }
            Ok(())
        })
        .expect("fixed times");
    Small {
        store,
        event,
        vietnam,
        session,
        people,
    }
}

/// Replaces every UUID by `<id1>`, `<id2>`… in order of first appearance: the records' ids are
/// random, the text around them is what the golden file fixes.
fn normalize_ids(text: &str) -> String {
    let mut ids: Vec<String> = Vec::new();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let candidate = text.get(i..i + 36);
        let is_uuid = candidate.is_some_and(|c| {
            c.char_indices().all(|(j, ch)| match j {
                8 | 13 | 18 | 23 => ch == '-',
                _ => ch.is_ascii_hexdigit() && !ch.is_ascii_uppercase(),
            })
        });
        if let (true, Some(c)) = (is_uuid, candidate) {
            let n = match ids.iter().position(|x| x == c) {
                Some(n) => n + 1,
                None => {
                    ids.push(c.to_string());
                    ids.len()
                }
            };
            out.push_str(&format!("<id{n}>"));
            i += 36;
        } else {
            let ch = text[i..].chars().next().expect("char");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Compares with `tests/golden/NAME`; `UPDATE_GOLDEN=1` rewrites the file instead.
fn golden(name: &str, actual: &str) {
    let path = workspace().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("golden dir");
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    assert_eq!(
        actual, expected,
        "{name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it after a deliberate change)"
    );
}

fn export_text(store: &Store, request: &ExportRequest) -> String {
    let bytes = export::export(store, request).expect("export");
    String::from_utf8(bytes).expect("utf-8")
}

fn csv_request(s: &Small, table: Table) -> ExportRequest {
    ExportRequest {
        event_id: s.event.id.clone(),
        tables: vec![table],
        format: Format::Csv,
        hotel_id: None,
        session_id: Some(s.session.id.clone()),
        language: Language::En,
        full_passport: false,
    }
}

fn ics_of(store: &Store, event: &str, scope: Scope) -> Vec<itinerary::ItineraryFile> {
    itinerary::itineraries(
        store,
        &ItineraryRequest {
            event_id: event.into(),
            scope,
            format: ItineraryFormat::Ics,
            printed_on: None,
        },
        &|_, _| {},
    )
    .expect("itineraries")
}

#[test]
fn csv_and_ics_match_their_golden_files() {
    let s = small();
    for table in Table::ALL {
        let text = export_text(&s.store, &csv_request(&s, *table));
        assert!(text.starts_with('\u{FEFF}'), "{table:?}: BOM");
        golden(&format!("{}.csv", table.key()), &normalize_ids(&text));
    }
    let korean = export_text(
        &s.store,
        &ExportRequest {
            language: Language::Ko,
            full_passport: false,
            ..csv_request(&s, Table::Rooming)
        },
    );
    golden("rooming-ko.csv", &normalize_ids(&korean));
    let files = ics_of(
        &s.store,
        &s.event.id,
        Scope::Official {
            id: s.people[0].id.clone(),
        },
    );
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].name, "Vietnam - NGUYEN Van Minh.ics");
    golden(
        "nguyen.ics",
        &normalize_ids(&String::from_utf8(files[0].bytes.clone()).expect("utf-8")),
    );
}

#[test]
fn formulas_in_csv_cells_are_neutralised_and_everything_else_is_literal() {
    let s = small();
    let hostile = delegation_desk_tests::hostile_strings();
    let mut saved = Vec::new();
    for (i, text) in hostile.iter().enumerate() {
        let mut o = s
            .store
            .read(|c| Official::get(c, &s.people[2].id))
            .expect("official");
        o.id = String::new();
        o.family_name = format!("Hostile{i}");
        o.notes = String::new();
        o.position = text.clone();
        if let Ok(o) = s.store.save(o) {
            saved.push(o.position.clone());
        }
    }
    assert!(saved.len() > 10, "most hostile strings are storable");
    let text = export_text(&s.store, &csv_request(&s, Table::Officials));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.trim_start_matches('\u{FEFF}').as_bytes());
    let headers = reader.headers().expect("headers").clone();
    let col = headers
        .iter()
        .position(|h| h == "Position")
        .expect("Position column");
    let positions: Vec<String> = reader
        .records()
        .map(|r| r.expect("record")[col].to_string())
        .collect();
    for stored in saved.iter().chain([&s.people[2].position]) {
        let expected = match stored.chars().next() {
            Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{stored}"),
            _ => stored.clone(),
        };
        assert!(
            positions.contains(&expected),
            "{stored:?} should come back as {expected:?}"
        );
    }
    assert!(positions.contains(&"'=HYPERLINK(\"http://x\")".to_string()));
}

#[test]
fn calendars_parse_in_python_icalendar_with_their_times_and_uids() {
    let store = Store::open_in_memory().expect("library");
    let forum = demo::reset(&store)
        .expect("demo")
        .into_iter()
        .find(|e| e.name_en.contains("Procurement Forum"))
        .expect("forum");
    let files = ics_of(&store, &forum.id, Scope::All);
    assert!(files.len() > 100, "{} calendars", files.len());
    let dir = tempfile::tempdir().expect("dir");
    itinerary::write_files(dir.path(), &files, false).expect("write");
    // What the engine says each official's calendar must hold: UID → (start, end) in UTC.
    let sessions: BTreeMap<String, Session> = store
        .read(|c| ddesk_core::queries::sessions(c, &forum.id))
        .expect("sessions")
        .into_iter()
        .map(|s| (s.session.id.clone(), s.session))
        .collect();
    let parsed = python_events(dir.path());
    assert_eq!(parsed.len(), files.len(), "every file parses");
    let mut checked_sessions = 0;
    let mut checked_stays = 0;
    for (file, events) in &parsed {
        assert!(!events.is_empty(), "{file} has events");
        let mut uids: Vec<&str> = events.iter().map(|e| e.uid.as_str()).collect();
        uids.sort();
        uids.dedup();
        assert_eq!(uids.len(), events.len(), "{file}: UIDs unique");
        for e in events {
            assert!(e.uid.ends_with("@delegation-desk.invalid"), "{}", e.uid);
            assert!(!e.summary.is_empty() && !e.dtstamp.is_empty(), "{e:?}");
            if let Some(id) = e.uid.strip_prefix("session-") {
                let id = id.trim_end_matches("@delegation-desk.invalid");
                let s = &sessions[id];
                assert_eq!(e.start, s.starts_at.to_rfc3339(), "{file}: {}", e.summary);
                assert_eq!(e.end, s.ends_at.to_rfc3339());
                assert!(!e.location.is_empty(), "{file}: {} has a place", e.summary);
                checked_sessions += 1;
            }
            if e.uid.starts_with("stay-") {
                // All-day: check-in date to check-out date.
                assert_eq!(e.start.len(), 10, "{e:?}");
                assert!(e.end > e.start);
                checked_stays += 1;
            }
        }
    }
    assert!(checked_sessions > 500, "{checked_sessions} session events");
    assert!(checked_stays > 50, "{checked_stays} stays");

    // Stable UIDs: the same export again has the same UIDs; a moved session keeps its UID and
    // its SEQUENCE grows, so a calendar updates the event instead of adding a copy.
    let again = ics_of(&store, &forum.id, Scope::All);
    let uid_lines = |files: &[itinerary::ItineraryFile]| -> Vec<String> {
        files
            .iter()
            .flat_map(|f| {
                String::from_utf8_lossy(&f.bytes)
                    .lines()
                    .filter(|l| l.starts_with("UID:"))
                    .map(String::from)
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    assert_eq!(uid_lines(&files), uid_lines(&again));
    let (first_id, first) = sessions.iter().next().expect("a session");
    let uid = format!("session-{first_id}@delegation-desk.invalid");
    let sequence_of = |files: &[itinerary::ItineraryFile]| -> Option<u32> {
        files.iter().find_map(|f| {
            let text = String::from_utf8_lossy(&f.bytes).replace("\r\n ", "");
            let block = text.split("BEGIN:VEVENT").find(|b| b.contains(&uid))?;
            block
                .lines()
                .find_map(|l| l.strip_prefix("SEQUENCE:"))
                .and_then(|n| n.trim().parse().ok())
        })
    };
    let before = sequence_of(&files).expect("the session is in someone's calendar");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let mut moved = first.clone();
    moved.starts_at += chrono::Duration::minutes(30);
    moved.ends_at += chrono::Duration::minutes(30);
    store.save(moved.clone()).expect("move the session");
    let after_files = ics_of(&store, &forum.id, Scope::All);
    let after = sequence_of(&after_files).expect("still there, same UID");
    assert!(after > before, "SEQUENCE {before} → {after}");
    assert_eq!(uid_lines(&files), uid_lines(&after_files));
}

#[derive(Debug)]
struct ParsedEvent {
    uid: String,
    summary: String,
    start: String,
    end: String,
    location: String,
    dtstamp: String,
}

/// Every `.ics` in `dir` parsed by Python's `icalendar` (Debian's python3-icalendar): file →
/// its events with start and end as ISO text (UTC instants, or dates for all-day events).
fn python_events(dir: &Path) -> BTreeMap<String, Vec<ParsedEvent>> {
    const SCRIPT: &str = r#"
import json, os, sys, datetime
from icalendar import Calendar
out = {}
for name in sorted(os.listdir(sys.argv[1])):
    if not name.endswith('.ics'):
        continue
    with open(os.path.join(sys.argv[1], name), 'rb') as f:
        cal = Calendar.from_ical(f.read())
    assert str(cal.get('VERSION')) == '2.0', name
    events = []
    for e in cal.walk('VEVENT'):
        def iso(key):
            v = e.decoded(key)
            if isinstance(v, datetime.datetime):
                return v.astimezone(datetime.timezone.utc).isoformat()
            return v.isoformat()
        events.append({
            'uid': str(e.get('UID')), 'summary': str(e.get('SUMMARY')),
            'start': iso('DTSTART'), 'end': iso('DTEND'),
            'location': str(e.get('LOCATION', '')), 'dtstamp': iso('DTSTAMP'),
        })
    out[name] = events
print(json.dumps(out))
"#;
    let json = delegation_desk_tests::python_json(SCRIPT, dir);
    json.as_object()
        .expect("object")
        .iter()
        .map(|(file, events)| {
            let events = events
                .as_array()
                .expect("array")
                .iter()
                .map(|e| {
                    let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
                    ParsedEvent {
                        uid: s("uid"),
                        summary: s("summary"),
                        start: s("start"),
                        end: s("end"),
                        location: s("location"),
                        dtstamp: s("dtstamp"),
                    }
                })
                .collect();
            (file.clone(), events)
        })
        .collect()
}

#[test]
fn a_combined_workbook_reads_back_with_calamine() {
    let s = small();
    let request = ExportRequest {
        tables: Table::ALL.to_vec(),
        format: Format::Xlsx,
        ..csv_request(&s, Table::Officials)
    };
    let bytes = export::export(&s.store, &request).expect("xlsx");
    let sheets = s
        .store
        .read(|c| export::sheets(c, &request))
        .expect("sheets");
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("open xlsx");
    let names = book.sheet_names();
    assert_eq!(
        names,
        sheets.iter().map(|s| s.name.clone()).collect::<Vec<_>>()
    );
    for sheet in &sheets {
        let range = book.worksheet_range(&sheet.name).expect("sheet");
        let rows: Vec<&[Data]> = range.rows().collect();
        assert_eq!(rows.len(), sheet.rows.len() + 1, "{}", sheet.name);
        for (c, h) in sheet.headers.iter().enumerate() {
            assert_eq!(rows[0][c], Data::String(h.clone()));
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let got = rows[r + 1].get(c).cloned().unwrap_or(Data::Empty);
                match cell {
                    export::Cell::Empty => assert_eq!(got, Data::Empty),
                    // Text is kept exactly: a workbook cell is typed, never a formula.
                    export::Cell::Text(t) => assert_eq!(got, Data::String(t.clone())),
                    export::Cell::Int(n) => assert_eq!(got, Data::Float(*n as f64)),
                    export::Cell::Date(d) => {
                        let dt = got.as_datetime().expect("a real date cell");
                        assert_eq!(dt.date(), *d, "{}", sheet.name);
                    }
                    export::Cell::DateTime(t) => {
                        let dt = got.as_datetime().expect("a real date-time cell");
                        assert_eq!(dt, *t, "{}", sheet.name);
                    }
                }
            }
        }
    }
    // The formula-looking position is text in the workbook, exactly as stored.
    let officials = book.worksheet_range("Officials").expect("officials");
    assert!(officials
        .rows()
        .any(|r| r.contains(&Data::String("=HYPERLINK(\"http://x\")".into()))));
    // A CSV of several tables is refused with a sentence, not half a file.
    let err = export::export(
        &s.store,
        &ExportRequest {
            format: Format::Csv,
            ..request
        },
    )
    .expect_err("CSV holds one table");
    assert!(err.to_string().contains("one table"), "{err}");
}

pub(crate) fn pdftotext(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("utf-8")
}

fn pages(path: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(path).output().expect("pdfinfo");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("page count")
}

#[test]
fn itinerary_pdfs_carry_every_element_in_the_officials_language() {
    let s = small();
    let dir = tempfile::tempdir().expect("dir");
    let files = itinerary::itineraries(
        &s.store,
        &ItineraryRequest {
            event_id: s.event.id.clone(),
            scope: Scope::Delegation {
                id: s.vietnam.id.clone(),
            },
            format: ItineraryFormat::Pdf,
            printed_on: Some(date("2024-05-01")),
        },
        &|_, _| {},
    )
    .expect("itineraries");
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Vietnam - KIM Lan.pdf",
            "Vietnam - NGUYEN Van Minh.pdf",
            "Vietnam - TRAN Thi Mai.pdf",
            "Vietnam - Delegation itinerary.pdf",
        ]
    );
    itinerary::write_files(dir.path(), &files, false).expect("write");
    let text_of = |name: &str| pdftotext(&dir.path().join(name));
    // English: every element, in local time (22:25 UTC is 07:25 in Seoul, the next day).
    let en = text_of("Vietnam - NGUYEN Van Minh.pdf");
    for needle in [
        "Itinerary",
        "Golden Workshop",
        "NGUYEN Van Minh",
        "Director General",
        "Ministry of Finance",
        "Vietnam",
        "Monday 6 May 2024 07:25",
        "VN416",
        "HAN → ICN",
        "A car will meet you",
        "Lee Min-ho",
        "Golden Hotel Seoul",
        "1 Golden-ro, Jung-gu, Seoul",
        "+82 2 000 0000",
        "Mon 6 May",
        "Fri 10 May",
        "4 nights",
        "1203",
        "Tuesday 7 May 2024",
        "09:30–11:00",
        "Opening Plenary",
        "Hall A, Golden Centre",
        "2 Centre-gil, Seoul",
        "Speaker",
        "Friday 10 May 2024 10:40",
        "ICN → HAN",
        "Ms. Park Ji-eun",
        "+82 00 0000 5678",
        "liaison@example.org",
        "Duty officer +82 00 0000 1234 (24 h)",
        "Printed: 1 May 2024",
        "Page 1 of 1",
    ] {
        assert!(
            en.contains(needle),
            "English itinerary lacks {needle:?}:\n{en}"
        );
    }
    // Korean, for the official who reads Korean: labels, titles and places in Korean.
    let ko = text_of("Vietnam - KIM Lan.pdf");
    for needle in [
        "개인 일정표",
        "시험 행사",
        "베트남",
        "도착",
        "골든 호텔 서울",
        "개회 전체회의",
        "A홀, 골든 센터",
        "2024년 5월 7일 (화)",
        "연락 담당관",
        "비상 연락처",
        "객실 번호는 체크인 때 안내",
    ] {
        assert!(
            ko.contains(needle),
            "Korean itinerary lacks {needle:?}:\n{ko}"
        );
    }
    for f in &files[..3] {
        let n = pages(&dir.path().join(&f.name));
        assert!((1..=2).contains(&n), "{}: {n} pages", f.name);
    }
    // The delegation's combined file holds every member's pages.
    let member_pages: usize = files[..3]
        .iter()
        .map(|f| pages(&dir.path().join(&f.name)))
        .sum();
    assert_eq!(
        pages(&dir.path().join("Vietnam - Delegation itinerary.pdf")),
        member_pages
    );
    let combined = text_of("Vietnam - Delegation itinerary.pdf");
    for person in ["NGUYEN Van Minh", "KIM Lan", "TRAN Thi Mai"] {
        assert!(combined.contains(person), "{person}");
    }
    // Fonts are embedded subsets.
    let fonts = Command::new("pdffonts")
        .arg(dir.path().join("Vietnam - KIM Lan.pdf"))
        .output()
        .expect("pdffonts");
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    for line in fonts.lines().skip(2) {
        assert!(line.contains(" yes yes "), "not an embedded subset: {line}");
    }
}

#[test]
fn every_official_of_the_demo_gets_one_itinerary_of_one_or_two_pages() {
    let store = Store::open_in_memory().expect("library");
    let forum = demo::reset(&store)
        .expect("demo")
        .into_iter()
        .find(|e| e.name_en.contains("Procurement Forum"))
        .expect("forum");
    let seen = std::sync::Mutex::new(Vec::new());
    let files = itinerary::itineraries(
        &store,
        &ItineraryRequest {
            event_id: forum.id.clone(),
            scope: Scope::All,
            format: ItineraryFormat::Pdf,
            printed_on: None,
        },
        &|done, total| seen.lock().expect("lock").push((done, total)),
    )
    .expect("itineraries");
    let present = store
        .read(|c| {
            ddesk_core::queries::officials(
                c,
                &forum.id,
                &ddesk_core::queries::OfficialQuery::default(),
            )
        })
        .expect("officials")
        .rows
        .into_iter()
        .filter(|r| r.official.status != OfficialStatus::Cancelled)
        .collect::<Vec<_>>();
    assert_eq!(files.len(), present.len());
    let mut names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), files.len(), "file names are unique");
    let seen = seen.into_inner().expect("lock");
    assert_eq!(seen.last(), Some(&(files.len(), files.len())));
    let dir = tempfile::tempdir().expect("dir");
    itinerary::write_files(dir.path(), &files, false).expect("write");
    for f in files.iter().step_by(9) {
        let path = dir.path().join(&f.name);
        let n = pages(&path);
        assert!((1..=2).contains(&n), "{}: {n} pages", f.name);
        let row = present
            .iter()
            .find(|r| Some(&r.official.id) == f.official_id.as_ref())
            .expect("official");
        let text = pdftotext(&path);
        assert!(
            text.contains(&row.full_name),
            "{} in {}",
            row.full_name,
            f.name
        );
    }
}

#[test]
fn the_cli_writes_itineraries_and_exports() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("library.db");
    let run = |args: &[&str]| {
        let out = delegation_desk_tests::unlocked(&mut Command::new(env!(
            "CARGO_BIN_EXE_ddesk-under-test"
        )))
        .arg("--db")
        .arg(&db)
        .args(args)
        .output()
        .expect("run ddesk");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let workshop = crate::cli::demo_event(&db, "High-level Policy Workshop");
    let out = dir.path().join("itineraries");
    let (code, stdout, stderr) = run(&[
        "itinerary",
        "--event",
        &workshop,
        "--all",
        "--format",
        "ics",
        "-o",
        out.to_str().expect("path"),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let files = std::fs::read_dir(&out).expect("folder").count();
    assert_eq!(stdout.trim(), format!("{files} files in {}", out.display()));
    let count = |sql: &str| -> usize {
        let conn = delegation_desk_tests::raw(&db);
        conn.query_row(sql, [&workshop], |r| r.get::<_, i64>(0))
            .expect("count") as usize
    };
    let present =
        count("SELECT count(*) FROM official WHERE event_id = ? AND status != 'cancelled'");
    assert!(present >= 24);
    assert_eq!(files, present, "one calendar per official of the workshop");
    let csv_path = dir.path().join("officials.csv");
    let (code, _, stderr) = run(&[
        "export",
        "officials",
        "--event",
        &workshop,
        "--format",
        "csv",
        "-o",
        csv_path.to_str().expect("path"),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let csv = std::fs::read(&csv_path).expect("csv");
    assert!(csv.starts_with("\u{FEFF}Family name,".as_bytes()));
    let records = csv::Reader::from_reader(&csv[3..]).records().count();
    assert_eq!(
        records,
        count("SELECT count(*) FROM official WHERE event_id = ?"),
        "one row per official"
    );
    // Several tables as CSV: refused, nothing written.
    let bad = dir.path().join("bad.csv");
    let (code, _, stderr) = run(&[
        "export",
        "all",
        "--event",
        &workshop,
        "--format",
        "csv",
        "-o",
        bad.to_str().expect("path"),
    ]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("one table"), "{stderr}");
    assert!(!bad.exists());
    let (code, _, stderr) = run(&["itinerary", "--event", &workshop, "-o", "x.pdf"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("--official"), "{stderr}");
}
