//! Printing (issue 3): every document kind on the demo event plus an official in each script
//! officials write their names in, read back with poppler — the PDF opens, `pdftotext` gives
//! every name exactly, `pdffonts` shows only embedded subsets, page counts are right — and the
//! long-name, missing-font, reprint and offset rules.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use ddesk_core::model::*;
use ddesk_core::print::{self, BadgeLayout, Document, Offset, PrintRequest, Selection};
use ddesk_core::{demo, Error, Store};

/// Made-up officials, one per script: (nationality, family, given, native name).
pub(crate) const SCRIPTS: &[(&str, &str, &str, &str)] = &[
    ("KR", "TAK", "Yeoreum", "탁여름"),
    ("VN", "DANG", "Thi Ngoc Huong", "Đặng Thị Ngọc Hường"),
    ("RU", "VOLKONSKAYA", "Yelizaveta", "Елизавета Волконская"),
    ("TH", "SRISUK", "Pimchanok", "พิมพ์ชนก ศรีสุข"),
    ("LA", "PHOMMAVONG", "Keo", "ແກ້ວ ພົມມະວົງ"),
    ("KH", "CHHAY", "Sreyneang", "ឆាយ ស្រីនាង"),
    ("MM", "AUNG", "Thiri", "သီရိ အောင်"),
    ("JO", "HADDAD", "Rania", "رانيا حداد"),
    ("CN", "ZHOU", "Yuting", "周雨婷"),
    ("JP", "TAKAHASHI", "Haruka", "高橋はるか"),
    ("IN", "SHARMA", "Ananya", "अनन्या शर्मा"),
];

pub(crate) struct World {
    pub(crate) store: Store,
    pub(crate) event: Event,
    /// The officials of `SCRIPTS`, in that order.
    pub(crate) added: Vec<Official>,
    session: String,
    hotel: String,
    pub(crate) delegation: String,
}

/// The demo forum plus one official per script, each with a flight in and out, a hotel stay
/// and a seat at the opening session.
pub(crate) fn world() -> World {
    let store = Store::open_in_memory().expect("library");
    let events = demo::reset(&store).expect("demo");
    let event = events
        .into_iter()
        .find(|e| e.name_en.contains("Procurement Forum"))
        .expect("the demo forum");
    let sessions = store
        .read(|c| ddesk_core::queries::sessions(c, &event.id))
        .expect("sessions");
    let session = sessions
        .iter()
        .find(|s| s.participants > 0)
        .expect("a session with a roster")
        .session
        .id
        .clone();
    let hotel = store
        .read(|c| ddesk_core::queries::hotels(c, &event.id))
        .expect("hotels")[0]
        .hotel
        .id
        .clone();
    let delegation = store
        .save(Delegation {
            event_id: event.id.clone(),
            kind: DelegationKind::Organization,
            name_en: "Scripts Test Institute".into(),
            name_ko: "문자 시험 기관".into(),
            seats: 20,
            ..Delegation::default()
        })
        .expect("delegation");
    let mut added = Vec::new();
    for (i, (nationality, family, given, native)) in SCRIPTS.iter().enumerate() {
        let official = store
            .save(Official {
                event_id: event.id.clone(),
                delegation_id: Some(delegation.id.clone()),
                family_name: family.to_string(),
                given_name: given.to_string(),
                native_name: native.to_string(),
                nationality: nationality.to_string(),
                position: if *nationality == "JO" {
                    "مديرة إدارة المشتريات (PPD)".into()
                } else {
                    "Procurement Officer".into()
                },
                organization: "Scripts Test Institute".into(),
                status: OfficialStatus::Confirmed,
                ..Official::default()
            })
            .expect("official");
        let at = |h: u32| {
            chrono::NaiveDate::from_ymd_opt(2024, 5, 6)
                .and_then(|d| d.and_hms_opt(h, 10, 0))
                .expect("time")
                .and_utc()
        };
        for (direction, when) in [
            (Direction::Arrival, at(i as u32)),
            (
                Direction::Departure,
                at(i as u32) + chrono::Duration::days(4),
            ),
        ] {
            store
                .save(Travel {
                    official_id: official.id.clone(),
                    direction,
                    flight: format!("TS{}", 100 + i),
                    origin: "BKK".into(),
                    airport: "ICN".into(),
                    scheduled_at: when,
                    pickup: i % 2 == 0,
                    greeter: "Kim Ji-won".into(),
                    ..Travel::default()
                })
                .expect("travel");
        }
        store
            .save(Stay {
                official_id: official.id.clone(),
                hotel_id: hotel.clone(),
                check_in: delegation_desk_tests::date("2024-05-06"),
                check_out: delegation_desk_tests::date("2024-05-10"),
                special_requests: if i == 0 {
                    "Quiet room, high floor".into()
                } else {
                    String::new()
                },
                ..Stay::default()
            })
            .expect("stay");
        store
            .write(|tx| {
                ddesk_core::roster::add(
                    tx,
                    &session,
                    std::slice::from_ref(&official.id),
                    Role::Participant,
                )
            })
            .expect("roster");
        added.push(official);
    }
    World {
        store,
        event,
        added,
        session,
        hotel,
        delegation: delegation.id,
    }
}

fn shared() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(world)
}

fn request(w: &World, document: Document) -> PrintRequest {
    PrintRequest {
        printed_on: Some(delegation_desk_tests::date("2024-05-06")),
        ..PrintRequest::new(&w.event.id, document)
    }
}

/// A sheet of A4 8-up badges for `ids` of the shared world, typeset with `fonts`.
fn badges_with(
    w: &World,
    fonts: &print::Fonts,
    ids: Vec<String>,
) -> ddesk_core::Result<print::Typeset> {
    print::typeset_with(
        &w.store,
        fonts,
        &request(
            w,
            Document::Badges {
                layout: BadgeLayout::A4x8,
                selection: Selection::Officials { ids },
            },
        ),
        &|_, _| {},
    )
}

/// A PDF in a temporary file, with what poppler says about it.
pub(crate) struct Pdf {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Pdf {
    pub(crate) fn new(bytes: &[u8]) -> Pdf {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.pdf");
        std::fs::write(&path, bytes).expect("write pdf");
        Pdf { _dir: dir, path }
    }

    fn tool(&self, tool: &str, args: &[&str]) -> String {
        let out = Command::new(tool)
            .args(args)
            .arg(&self.path)
            .args(if tool == "pdftotext" {
                &["-"][..]
            } else {
                &[][..]
            })
            .output()
            .unwrap_or_else(|e| panic!("run {tool} (poppler-utils): {e}"));
        assert!(
            out.status.success(),
            "{tool} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    pub(crate) fn pages(&self) -> usize {
        let info = self.tool("pdfinfo", &[]);
        info.lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .expect("pdfinfo page count")
    }

    pub(crate) fn text(&self) -> String {
        self.tool("pdftotext", &[])
    }

    /// Every font is embedded and subset (poppler's `emb` and `sub` columns).
    pub(crate) fn assert_fonts_embedded_subsets(&self) {
        let fonts = self.tool("pdffonts", &[]);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "no fonts: {fonts}");
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            let n = cols.len();
            assert!(n >= 7, "{row}");
            // name … type … encoding emb sub uni object-id generation
            assert_eq!(
                (cols[n - 5], cols[n - 4]),
                ("yes", "yes"),
                "not an embedded subset: {row}"
            );
            assert!(
                cols[0].len() > 7 && cols[0].as_bytes()[6] == b'+',
                "no subset tag: {row}"
            );
        }
    }
}

/// Typesets, checks the page count poppler sees, the fonts, and that no warning came up.
fn print(w: &World, document: Document) -> (Pdf, print::Typeset) {
    let key = match &document {
        Document::Badges { layout, .. } => format!("badges-{}", layout.as_str()),
        other => other.key().to_string(),
    };
    let typeset = print::typeset(&w.store, &request(w, document), &|_, _| {}).expect("typeset");
    assert!(typeset.warnings.is_empty(), "{:?}", typeset.warnings);
    let bytes = typeset.pdf().expect("pdf");
    // For a person to look at the paper: DDESK_PRINT_DUMP=folder keeps every PDF made here.
    if let Some(dir) = std::env::var_os("DDESK_PRINT_DUMP") {
        std::fs::create_dir_all(&dir).expect("dump folder");
        std::fs::write(Path::new(&dir).join(format!("{key}.pdf")), &bytes).expect("dump");
    }
    let pdf = Pdf::new(&bytes);
    assert_eq!(pdf.pages(), typeset.pages());
    pdf.assert_fonts_embedded_subsets();
    (pdf, typeset)
}

pub(crate) fn assert_contains_all(text: &str, names: &[String]) {
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| !text.contains(n.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "pdftotext lacks {missing:?}\n---\n{text}"
    );
}

/// Every official's name in their own script, exactly as pdftotext must give it back. Khmer
/// was left out of this until `print/textlayer.rs`: typst 0.15 cut each lowered subscript or
/// vowel out into a text item of its own carrying its whole syllable, and "ស្រីនាង" came back
/// as "ស្រីស្រីនាង" (issue 3).
pub(crate) fn native_names() -> Vec<String> {
    SCRIPTS.iter().map(|s| s.3.to_string()).collect()
}

fn passport_names() -> Vec<String> {
    SCRIPTS.iter().map(|s| full_name(s.1, s.2)).collect()
}

fn confirmed_officials(w: &World) -> usize {
    w.store
        .read(|c| ddesk_core::queries::officials(c, &w.event.id, &Default::default()))
        .expect("officials")
        .rows
        .iter()
        .filter(|r| r.official.status != OfficialStatus::Cancelled)
        .count()
}

#[test]
fn badges_in_every_layout_carry_every_name() {
    let w = shared();
    let n = confirmed_officials(w);
    for layout in BadgeLayout::ALL {
        let (pdf, typeset) = print(
            w,
            Document::Badges {
                layout: *layout,
                selection: Selection::All,
            },
        );
        assert_eq!(typeset.badge_ids.len(), n, "{layout:?}");
        assert_eq!(pdf.pages(), n.div_ceil(layout.per_page()), "{layout:?}");
        let text = pdf.text();
        assert_contains_all(&text, &native_names());
        let badge_names: Vec<String> = SCRIPTS.iter().map(|s| format!("{} {}", s.2, s.1)).collect();
        assert_contains_all(&text, &badge_names);
        assert!(text.contains("HEAD OF DELEGATION"), "{layout:?}");
    }
}

/// Runs of white space as one space, so that a name the list wraps onto two lines still reads
/// as the name.
pub(crate) fn squeezed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a name has a letter of a script other than Latin (Vietnamese included), which the
/// lists print under the passport name.
fn non_latin(name: &str) -> bool {
    name.chars().any(|c| {
        let latin = (c as u32) < 0x0370 || (0x1E00..=0x1EFF).contains(&(c as u32));
        c.is_alphabetic() && !latin
    })
}

/// Every name of the demo forum (Thai, Lao, Khmer, Myanmar, Bengali, Devanagari, Tibetan,
/// Tamil, Arabic, CJK, Mongolian Cyrillic…) comes back from pdftotext exactly as typed
/// (issue 3). Before `print/textlayer.rs`, a syllable whose marks the font raises or lowers
/// came back twice ("ชัชัยพร" for "ชัยพร"), and a word whose last mark is tucked back under
/// its letter came back with a space inside ("कु मारी" for "कुमारी").
#[test]
fn every_name_of_the_demo_forum_copies_out_of_the_participant_list_as_typed() {
    let w = shared();
    let (pdf, _) = print(w, Document::Participants);
    let text = squeezed(&pdf.text());
    let rows = w
        .store
        .read(|c| ddesk_core::queries::officials(c, &w.event.id, &Default::default()))
        .expect("officials")
        .rows;
    let names: Vec<String> = rows
        .iter()
        .filter(|r| r.official.status != OfficialStatus::Cancelled)
        .flat_map(|r| {
            let native = Some(r.official.native_name.clone()).filter(|n| non_latin(n));
            [Some(r.full_name.clone()), native]
        })
        .flatten()
        .map(|n| squeezed(&n))
        .collect();
    assert!(
        names.iter().filter(|n| non_latin(n)).count() > 50,
        "{names:?}"
    );
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| !text.contains(n.as_str()))
        .collect();
    assert!(missing.is_empty(), "pdftotext lacks {missing:?}");
}

/// Sheets of badges are typeset in chunks of six on both cores; each sheet's footer still
/// counts the whole run ("9 / 17"), numbered by the template's own loop rather than a page
/// counter (which made typst lay the sheets out twice).
#[test]
fn badge_sheets_are_numbered_across_the_whole_run() {
    let store = Store::open_in_memory().expect("library");
    let event = ddesk_core::generate::generate(&store, ddesk_core::generate::Spec::new(130, 3))
        .expect("generate");
    let request = PrintRequest {
        printed_on: Some(delegation_desk_tests::date("2024-05-06")),
        ..PrintRequest::new(
            &event.id,
            Document::Badges {
                layout: BadgeLayout::A4x8,
                selection: Selection::All,
            },
        )
    };
    let typeset = print::typeset(&store, &request, &|_, _| {}).expect("typeset");
    let pdf = Pdf::new(&typeset.pdf().expect("pdf"));
    let pages = pdf.pages();
    assert!(pages > 12, "sheets from three chunks at least: {pages}");
    for n in 1..=pages {
        let page = n.to_string();
        let text = pdf.tool("pdftotext", &["-f", &page, "-l", &page]);
        assert!(
            text.contains(&format!("Printed 6 May 2024 · {n} / {pages}")),
            "sheet {n} of {pages}: {text}"
        );
    }
}

#[test]
fn lists_carry_every_name_and_page_numbers() {
    let w = shared();
    let documents = [
        Document::Participants,
        Document::SignIn {
            session_id: w.session.clone(),
            blank_rows: 8,
        },
        Document::Delegation {
            delegation_id: None,
        },
        Document::Arrivals,
        Document::Departures,
    ];
    for document in documents {
        let key = document.key();
        let (pdf, typeset) = print(w, document);
        let text = pdf.text();
        assert_contains_all(&text, &native_names());
        assert_contains_all(&text, &passport_names());
        let pages = typeset.pages();
        assert!(pages >= 1);
        assert!(
            text.contains(&format!("Page {pages} of {pages}")),
            "{key}: no page N of M\n{text}"
        );
        assert!(
            text.contains(&w.event.name_en),
            "{key}: event name on the page"
        );
    }
    // The rooming list names guests as in their passports.
    let (pdf, _) = print(
        w,
        Document::Rooming {
            hotel_id: Some(w.hotel.clone()),
        },
    );
    let text = pdf.text();
    assert_contains_all(&text, &passport_names());
    assert!(text.contains("Quiet room, high floor"));
}

#[test]
fn the_participant_list_spans_pages_with_its_header_on_each() {
    let w = shared();
    let (pdf, typeset) = print(w, Document::Participants);
    assert!(typeset.pages() >= 3, "114+ officials take several pages");
    // Each page's text carries the repeated column header.
    let text = pdf.text();
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert_eq!(pages.len(), typeset.pages());
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains("Position"), "page {} lacks the header", i + 1);
        assert!(page.contains(&format!("Page {} of {}", i + 1, pages.len())));
    }
}

/// The participant list is paged by the engine (`print/paged.rs`): over a long list every
/// row's number is in the number column once and in order, each between its sheet's column
/// header and its footer, and a delegation's heading is never the last line of a sheet.
#[test]
fn a_long_participant_list_numbers_every_row_once_inside_its_sheets() {
    let store = Store::open_in_memory().expect("library");
    let event = ddesk_core::generate::generate(&store, ddesk_core::generate::Spec::new(260, 11))
        .expect("generate");
    let request = PrintRequest::new(&event.id, Document::Participants);
    let typeset = print::typeset(&store, &request, &|_, _| {}).expect("typeset");
    assert!(typeset.warnings.is_empty(), "{:?}", typeset.warnings);
    let pdf = Pdf::new(&typeset.pdf().expect("pdf"));
    let pages = pdf.pages();
    assert!(pages >= 8, "260 officials take many sheets: {pages}");
    let mut numbers = Vec::new();
    for page in 1..=pages {
        let words = words_on(&pdf, page);
        let find = |text: &str| {
            words
                .iter()
                .find(|w| w.0 == text)
                .unwrap_or_else(|| panic!("page {page} lacks {text}"))
        };
        let header = find("No.").4;
        let footer = find("Printed:").2;
        // The number column: 9 mm from the left margin of 12.
        let mut in_column: Vec<_> = words
            .iter()
            .filter(|w| w.3 < 21.5 * MM && w.0.chars().all(|c| c.is_ascii_digit()))
            .collect();
        // Top to bottom: poppler gives words in its own reading order.
        in_column.sort_by(|a, b| a.2.total_cmp(&b.2));
        assert!(!in_column.is_empty(), "page {page} has no rows");
        for w in &in_column {
            assert!(
                w.2 > header && w.4 < footer,
                "row {} on page {page} at {}..{} outside {header}..{footer}",
                w.0,
                w.2,
                w.4
            );
            numbers.push(w.0.parse::<usize>().expect("number"));
        }
        // A heading's count ("6 participants") has a row under it on its sheet.
        if page < pages {
            let last_heading = words
                .iter()
                .filter(|w| w.0.starts_with("participant"))
                .map(|w| w.2)
                .fold(f64::MIN, f64::max);
            let last_row = in_column.iter().map(|w| w.2).fold(f64::MIN, f64::max);
            assert!(last_row > last_heading, "page {page} ends on a heading");
        }
    }
    assert_eq!(numbers, (1..=typeset.people).collect::<Vec<_>>());
}

#[test]
fn a_delegation_list_and_korean_labels() {
    let w = shared();
    let mut req = request(
        w,
        Document::Delegation {
            delegation_id: Some(w.delegation.clone()),
        },
    );
    req.language = Language::Ko;
    req.bilingual = true;
    let typeset = print::typeset(&w.store, &req, &|_, _| {}).expect("typeset");
    let pdf = Pdf::new(&typeset.pdf().expect("pdf"));
    let text = pdf.text();
    assert_contains_all(&text, &native_names());
    assert!(
        text.contains("문자 시험 기관"),
        "the delegation's Korean name"
    );
    assert!(
        text.contains("대표단 명단") && text.contains("Position"),
        "{text}"
    );
    assert_eq!(typeset.pages(), 1);
}

/// The words `pdftotext -bbox` finds on page 1: (text, xMin, yMin, xMax, yMax) in points.
fn words(pdf: &Pdf) -> Vec<(String, f64, f64, f64, f64)> {
    words_on(pdf, 1)
}

/// The words `pdftotext -bbox` finds on page `page` (from 1).
fn words_on(pdf: &Pdf, page: usize) -> Vec<(String, f64, f64, f64, f64)> {
    let page = page.to_string();
    let html = pdf.tool("pdftotext", &["-bbox", "-f", &page, "-l", &page]);
    let mut out = Vec::new();
    for line in html.lines().filter(|l| l.trim_start().starts_with("<word")) {
        let attr = |name: &str| -> f64 {
            let key = format!("{name}=\"");
            let start = line.find(&key).expect("attribute") + key.len();
            let end = line[start..].find('"').expect("quote") + start;
            line[start..end].parse().expect("number")
        };
        let text_start = line.find('>').expect(">") + 1;
        let text_end = line.rfind("</word>").expect("</word>");
        out.push((
            line[text_start..text_end].to_string(),
            attr("xMin"),
            attr("yMin"),
            attr("xMax"),
            attr("yMax"),
        ));
    }
    out
}

const MM: f64 = 72.0 / 25.4;

#[test]
fn a_60_character_name_stays_inside_its_badge_and_a_short_one_on_one_line() {
    let w = shared();
    let long = "Maximiliano Bartholomew Alejandro Fitzgerald-Wolfeschlegel Jr";
    let long = &long[..60];
    assert_eq!(long.chars().count(), 60);
    let mut o = w.added[1].clone();
    o.id = String::new();
    o.badge_name = long.trim().to_string();
    o.native_name = String::new();
    let long_one = w.store.save(o).expect("long-named official");
    let mut o = w.added[1].clone();
    o.id = String::new();
    o.badge_name = "Minh Ho".into();
    o.native_name = String::new();
    let short_one = w.store.save(o).expect("short-named official");

    for (official, layout) in [
        (&long_one, BadgeLayout::A4x8),
        (&long_one, BadgeLayout::Cr80),
        (&short_one, BadgeLayout::A4x8),
    ] {
        let (pdf, _) = print(
            w,
            Document::Badges {
                layout,
                selection: Selection::Officials {
                    ids: vec![official.id.clone()],
                },
            },
        );
        // The first badge's box on the sheet.
        let (x0, y0, bw, bh) = match layout {
            BadgeLayout::A4x8 => (15.0, 28.5, 90.0, 60.0),
            _ => (0.0, 0.0, 85.6, 54.0),
        };
        let (x0, y0, x1, y1) = (x0 * MM, y0 * MM, (x0 + bw) * MM, (y0 + bh) * MM);
        // The name's words as pdftotext finds them (a line may also break after a hyphen),
        // in reading order: together they spell the name, and each lies inside the badge.
        let name = &official.badge_name;
        let found = words(&pdf);
        let start = found
            .iter()
            .position(|(t, ..)| name.starts_with(t.as_str()))
            .expect("the name's first word");
        let mut spelled = String::new();
        let mut lines = std::collections::BTreeSet::new();
        for (word, xa, ya, xb, yb) in &found[start..] {
            if spelled.len() >= name.replace(' ', "").len() {
                break;
            }
            spelled.push_str(word);
            assert!(
                *xa >= x0 && *xb <= x1 && *ya >= y0 && *yb <= y1,
                "{word:?} at ({xa:.1},{ya:.1})–({xb:.1},{yb:.1}) leaves the badge ({x0:.1},{y0:.1})–({x1:.1},{y1:.1}) on {layout:?}"
            );
            lines.insert((*ya * 10.0).round() as i64);
        }
        assert_eq!(spelled, name.replace(' ', ""), "{layout:?}");
        if official.id == short_one.id {
            assert_eq!(lines.len(), 1, "a short name stays on one line");
        } else {
            assert!(lines.len() <= 3, "{lines:?}");
        }
    }
    // Leave the shared world as the other tests expect it.
    for o in [&long_one, &short_one] {
        w.store.delete::<Official>(&o.id, true).expect("delete");
    }
}

#[test]
fn a_name_no_installed_font_covers_is_an_error_naming_the_official_and_script() {
    let w = shared();
    let latin_only = Path::new("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf");
    let fonts = print::Fonts::from_files(&[latin_only]).expect("Noto Sans (fonts-noto-core)");
    let myanmar = &w.added[6];
    let err = badges_with(w, &fonts, vec![w.added[1].id.clone(), myanmar.id.clone()])
        .expect_err("Myanmar script without a Myanmar font");
    match &err {
        Error::MissingFont {
            official, script, ..
        } => {
            assert_eq!(official, "AUNG Thiri (Scripts Test Institute)");
            assert_eq!(script, "Myanmar");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.code(), "missing_font");
    let message = err.to_string();
    assert!(
        message.contains("AUNG Thiri") && message.contains("Myanmar"),
        "{message}"
    );
    // The Latin-and-Vietnamese official alone prints with that one font.
    badges_with(w, &fonts, vec![w.added[1].id.clone()]).expect("Vietnamese in Noto Sans");
}

#[test]
fn prints_are_recorded_and_not_printed_yet_leaves_them_out() {
    let w = world();
    let ids: Vec<String> = w.added.iter().take(3).map(|o| o.id.clone()).collect();
    let printed = |sel: Selection| {
        print::typeset(
            &w.store,
            &request(
                &w,
                Document::Badges {
                    layout: BadgeLayout::Cr80,
                    selection: sel,
                },
            ),
            &|_, _| {},
        )
        .expect("typeset")
        .badge_ids
    };
    let before = printed(Selection::NotPrinted);
    assert_eq!(before.len(), confirmed_officials(&w));
    assert!(w
        .store
        .read(|c| print::already_printed(c, &ids))
        .expect("query")
        .is_empty());
    print::record_printed(&w.store, &ids, BadgeLayout::Cr80).expect("record");
    assert_eq!(
        w.store
            .read(|c| print::already_printed(c, &ids))
            .expect("query"),
        ids
    );
    let after = printed(Selection::NotPrinted);
    assert_eq!(after.len(), before.len() - 3);
    assert!(ids.iter().all(|id| !after.contains(id)));
    let history = w
        .store
        .read(|c| print::badge_prints(c, &w.event.id))
        .expect("history");
    assert_eq!(history.len(), 3);
    assert!(history.iter().all(|p| p.layout == "cr80"));
    // A printed official can still be deleted (its print records go with it), and undone.
    w.store.delete::<Official>(&ids[0], true).expect("delete");
    assert_eq!(
        w.store
            .read(|c| print::badge_prints(c, &w.event.id))
            .expect("history")
            .len(),
        2
    );
    // By delegation and by category.
    assert_eq!(
        printed(Selection::Delegation {
            id: w.delegation.clone()
        })
        .len(),
        SCRIPTS.len() - 1
    );
    let vips = printed(Selection::Category {
        category: Category::Vip,
    });
    assert!(!vips.is_empty() && vips.len() < 5);
}

#[test]
fn offsets_and_colours_are_remembered_per_layout() {
    let store = Store::open_in_memory().expect("library");
    assert_eq!(
        print::offset(&store, BadgeLayout::A4x8).expect("offset"),
        Offset::default()
    );
    let offset = Offset {
        x_mm: 1.5,
        y_mm: -2.0,
    };
    print::set_offset(&store, BadgeLayout::A4x8, offset).expect("set");
    assert_eq!(
        print::offset(&store, BadgeLayout::A4x8).expect("offset"),
        offset
    );
    assert_eq!(
        print::offset(&store, BadgeLayout::Cr80).expect("offset"),
        Offset::default()
    );
    let err = print::set_offset(
        &store,
        BadgeLayout::A4x8,
        Offset {
            x_mm: 50.0,
            y_mm: 0.0,
        },
    )
    .expect_err("too far");
    assert_eq!(err.code(), "validation");
    print::set_category_color(&store, Category::Press, "#123ABC").expect("colour");
    assert_eq!(
        print::category_colors(&store).expect("colours")[&Category::Press],
        "#123abc"
    );
    assert!(print::set_category_color(&store, Category::Press, "red").is_err());
}

#[test]
fn a_preview_is_a_png_and_progress_reaches_the_end() {
    let w = shared();
    let seen = std::sync::Mutex::new(Vec::new());
    let out = print::render(
        &w.store,
        &request(
            w,
            Document::Badges {
                layout: BadgeLayout::A4x8,
                selection: Selection::All,
            },
        ),
        &|done, total| seen.lock().expect("lock").push((done, total)),
    )
    .expect("render");
    assert!(out.pdf.starts_with(b"%PDF-"));
    let seen = seen.into_inner().expect("lock");
    let n = out.badge_ids.len();
    assert_eq!(seen.first(), Some(&(0, n)));
    assert_eq!(seen.last(), Some(&(n, n)));
    assert!(seen.len() >= 3, "progress moves as chunks finish: {seen:?}");

    let typeset =
        print::typeset(&w.store, &request(w, Document::Participants), &|_, _| {}).expect("typeset");
    let png = typeset.preview_png(0, 0.5).expect("preview");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(matches!(
        typeset.preview_png(999, 1.0),
        Err(Error::NotFound { .. })
    ));
}

/// Issue 25: a badge name so long that the badge would shrink it below a readable size is a
/// warning before printing, with the size it would get; the demo's names need none.
#[test]
fn a_badge_name_too_long_to_read_is_reported_with_its_size() {
    let w = shared();
    let badges = |selection: Selection| {
        print::typeset(
            &w.store,
            &request(
                w,
                Document::Badges {
                    layout: BadgeLayout::A4x8,
                    selection,
                },
            ),
            &|_, _| {},
        )
        .expect("typeset")
    };
    assert_eq!(
        badges(Selection::All).small_names,
        [],
        "the demo's names are readable"
    );
    let store = Store::open_in_memory().expect("library");
    let f = delegation_desk_tests::Fixture::with_store(store);
    let mut long = f.official.clone();
    long.badge_name = "Sir Maximilian Alexander Konstantin Friedrich-Wilhelm von Hohenzollern-Sigmaringen-Habsburg-Lothringen und Sachsen-Coburg-Gotha der Dritte".into();
    let long = f.store.save(long).expect("long name");
    let typeset = print::typeset(
        &f.store,
        &PrintRequest {
            printed_on: Some(delegation_desk_tests::date("2024-05-06")),
            ..PrintRequest::new(
                &f.event.id,
                Document::Badges {
                    layout: BadgeLayout::A4x8,
                    selection: Selection::All,
                },
            )
        },
        &|_, _| {},
    )
    .expect("typeset");
    assert_eq!(typeset.small_names.len(), 1, "{:?}", typeset.small_names);
    let small = &typeset.small_names[0];
    assert_eq!(small.official_id, long.id);
    assert!(
        small.size_pt < small.min_pt && small.size_pt > 1.0,
        "{small:?}"
    );
    assert_eq!(
        small.min_pt, 11.0,
        "the A4 8-up layout's smallest name size"
    );
}

/// Paper speed (issue 24): a name is tried in its own script's face right after the Latin one,
/// so badges of Thai, Lao, Khmer, Myanmar, Arabic and Hindi names never read the 19 MB Korean
/// collection on their way to the face they need (every face typst tries, it reads).
#[test]
fn names_in_their_own_scripts_read_only_the_faces_they_need() {
    let w = shared();
    let fonts = print::Fonts::from_dir(Path::new("/usr/share/fonts"));
    let scripts = [3, 4, 5, 6, 7, 10];
    let typeset = badges_with(
        w,
        &fonts,
        scripts.iter().map(|&i| w.added[i].id.clone()).collect(),
    )
    .expect("badges");
    assert_eq!(typeset.pages(), 1);
    let read: Vec<String> = fonts
        .files_read()
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    for face in [
        "NotoSansThai",
        "NotoSansLao",
        "NotoSansKhmer",
        "NotoSansMyanmar",
        "NotoSansArabic",
        "NotoSansDevanagari",
    ] {
        assert!(
            read.iter().any(|f| f.starts_with(face)),
            "{face} in {read:?}"
        );
    }
    assert!(
        !read.iter().any(|f| f.contains("CJK")),
        "no CJK collection read: {read:?}"
    );
}
