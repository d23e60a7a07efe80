//! Hostile and broken registration files (issue 15): each is read or refused with one sentence
//! within seconds and a bounded amount of memory, by the engine's readers and by `ddesk
//! import`, which must exit 1 (never 134 or 137) and leave the library byte for byte as it was.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use ddesk_core::import::{self, ReadOptions};
use ddesk_core::Error;
use proptest::prelude::*;

const PROGRAM: &str = env!("CARGO_BIN_EXE_ddesk-under-test");

/// A minimal XLSX package around one sheet's XML, with optional shared strings.
fn xlsx(sheet: &[u8], shared: Option<&[u8]>) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    let strings_type = if shared.is_some() {
        r#"<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#
    } else {
        ""
    };
    let parts: Vec<(&str, Vec<u8>)> = vec![
        ("[Content_Types].xml", format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>{strings_type}</Types>"#
        ).into_bytes()),
        ("_rels/.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_vec()),
        ("xl/workbook.xml", br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_vec()),
        ("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#.to_vec()),
        ("xl/worksheets/sheet1.xml", sheet.to_vec()),
    ];
    for (name, bytes) in parts {
        zip.start_file(name, deflated).expect("part");
        zip.write_all(&bytes).expect("write part");
    }
    if let Some(shared) = shared {
        zip.start_file("xl/sharedStrings.xml", deflated)
            .expect("part");
        zip.write_all(shared).expect("write part");
    }
    zip.finish().expect("zip");
    out.into_inner()
}

fn sheet(rows: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    )
    .into_bytes()
}

fn inline(cell: &str, text: &str) -> String {
    format!(r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// Headers and one official, so that a file that is read gives a real table.
fn registration_rows() -> String {
    format!(
        r#"<row r="1">{}{}</row><row r="2">{}{}</row>"#,
        inline("A1", "Name"),
        inline("B1", "Country"),
        inline("A2", "NGUYEN Van Minh"),
        inline("B2", "VN")
    )
}

/// A compound file (the container of `.xls`) of three sectors whose directory's sector chain
/// points at itself: a reader that follows it without a guard reads forever.
fn looping_xls() -> Vec<u8> {
    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let put16 =
        |h: &mut Vec<u8>, at: usize, v: u16| h[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 =
        |h: &mut Vec<u8>, at: usize, v: u32| h[at..at + 4].copy_from_slice(&v.to_le_bytes());
    put16(&mut header, 0x18, 0x3E);
    put16(&mut header, 0x1A, 3);
    put16(&mut header, 0x1C, 0xFFFE);
    put16(&mut header, 0x1E, 9);
    put16(&mut header, 0x20, 6);
    put32(&mut header, 0x2C, 1); // one FAT sector
    put32(&mut header, 0x30, 1); // the directory starts at sector 1
    put32(&mut header, 0x38, 4096);
    put32(&mut header, 0x3C, 0xFFFF_FFFE);
    put32(&mut header, 0x44, 0xFFFF_FFFE);
    put32(&mut header, 0x4C, 0); // the FAT is sector 0
    for i in 1..109 {
        put32(&mut header, 0x4C + 4 * i, 0xFFFF_FFFF);
    }
    let mut fat = vec![0xFFu8; 512];
    fat[0..4].copy_from_slice(&0xFFFF_FFFDu32.to_le_bytes());
    fat[4..8].copy_from_slice(&1u32.to_le_bytes()); // sector 1 → sector 1 → …
    fat[8..12].copy_from_slice(&1u32.to_le_bytes());
    let mut directory = vec![0u8; 512];
    for (i, unit) in "Root Entry".encode_utf16().enumerate() {
        directory[2 * i..2 * i + 2].copy_from_slice(&unit.to_le_bytes());
    }
    directory[0x40] = 22;
    directory[0x42] = 5;
    let mut file = header;
    file.extend(fat);
    file.extend(directory);
    file
}

/// Every hostile file of the issue, and the others that came to mind, by name.
fn hostile_files() -> Vec<(&'static str, Vec<u8>)> {
    let mut files = Vec::new();
    // calamine's `worksheet_range` built the dense grid between these two cells.
    files.push((
        "far-apart.xlsx",
        sheet(&format!(
            "{}<row r=\"1048576\">{}</row>",
            registration_rows(),
            inline("XFD1048576", "x")
        )),
    ));
    // The same with the sheet's own dimension saying so.
    files.push((
        "dimension.xlsx",
        sheet(&format!(
            "<dimension ref=\"A1:XFD1048576\"/>{}",
            registration_rows()
        ))
        .into_iter()
        .collect(),
    ));
    // 40,000 rows with one cell each in column XFD: our own padding made 16,384 cells a row.
    let mut far_right = registration_rows();
    for r in 3..40_003 {
        far_right.push_str(&format!(
            "<row r=\"{r}\">{}</row>",
            inline(&format!("XFD{r}"), "x")
        ));
    }
    files.push(("far-right.xlsx", sheet(&far_right)));
    // A million rows of one cell: more rows than an import takes, refused while streaming.
    let mut tall = String::new();
    for r in 1..=60_100 {
        tall.push_str(&format!(
            "<row r=\"{r}\">{}</row>",
            inline(&format!("A{r}"), "x")
        ));
    }
    files.push(("tall.xlsx", sheet(&tall)));
    let files: Vec<(&'static str, Vec<u8>)> = files
        .into_iter()
        .map(|(name, sheet)| (name, xlsx(&sheet, None)))
        .collect();
    let mut files = files;
    // Shared strings declaring two billion entries: room for them was set aside up front.
    files.push((
        "strings-count.xlsx",
        xlsx(
            &sheet(&registration_rows()),
            Some(br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2147483647" uniqueCount="2147483647"><si><t>Name</t></si></sst>"#),
        ),
    ));
    // Billion laughs: entities that expand to gigabytes, if anything expanded them.
    let mut laughs = String::from("<?xml version=\"1.0\"?><!DOCTYPE sst [<!ENTITY l0 \"ha\">");
    for i in 1..10 {
        laughs.push_str(&format!(
            "<!ENTITY l{i} \"{}\">",
            format!("&l{};", i - 1).repeat(10)
        ));
    }
    laughs.push_str("]><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" uniqueCount=\"1\"><si><t>&l9;</t></si></sst>");
    files.push((
        "laughs.xlsx",
        xlsx(&sheet(&registration_rows()), Some(laughs.as_bytes())),
    ));
    // A zip bomb: 96 MB of blanks inside the sheet's XML, a few kilobytes packed.
    let mut bomb = sheet(&registration_rows());
    let end = bomb.len() - "</worksheet>".len();
    bomb.splice(end..end, std::iter::repeat_n(b' ', 96 * 1024 * 1024));
    files.push(("bomb.xlsx", xlsx(&bomb, None)));
    files.push(("loop.xls", looping_xls()));
    // Truncated workbooks.
    let whole = xlsx(&sheet(&registration_rows()), None);
    files.push(("cut.xlsx", whole[..whole.len() / 2].to_vec()));
    let mut cut_xls = looping_xls();
    cut_xls.truncate(700);
    files.push(("cut.xls", cut_xls));
    // One field of 40 MB in a CSV.
    let mut field = b"Name,Country,Notes\nNGUYEN Van Minh,VN,\"".to_vec();
    field.extend(std::iter::repeat_n(b'a', 40 * 1024 * 1024));
    field.extend_from_slice(b"\"\n");
    files.push(("field.csv", field));
    // UTF-16 without a byte-order mark.
    let utf16: Vec<u8> = "Name\tCountry\r\nNGUYEN Van Minh\tVN\r\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    files.push(("utf16.csv", utf16));
    files
}

fn library_with_event(dir: &Path) -> (std::path::PathBuf, String) {
    let db = dir.join("library.sqlite3");
    let store = ddesk_core::Store::open(&db, &delegation_desk_tests::unlock()).expect("library");
    let event = store
        .save(delegation_desk_tests::event("Hostile files"))
        .expect("event");
    drop(store);
    (db, event.id)
}

#[test]
fn hostile_files_are_refused_by_ddesk_import_with_one_line_and_nothing_changed() {
    let dir = tempfile::tempdir().expect("dir");
    let (db, event) = library_with_event(dir.path());
    let before = std::fs::read(&db).expect("library bytes");
    // Kept after the test, for measuring a reader's memory on each of them by hand
    // (`/usr/bin/time -v ddesk import …`, README).
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-files");
    std::fs::create_dir_all(&kept).expect("folder");
    for (name, bytes) in hostile_files() {
        let path = kept.join(name);
        std::fs::write(&path, &bytes).expect("write file");
        let started = Instant::now();
        let out = delegation_desk_tests::unlocked(&mut Command::new(PROGRAM))
            .arg("--db")
            .arg(&db)
            .args(["import", path.to_str().expect("utf-8 path")])
            .args(["--event", &event, "--dry-run"])
            .output()
            .expect("run ddesk");
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            // Read: a preview of the one official (the UTF-16 file, the 40 MB field).
            Some(0) => assert!(
                String::from_utf8_lossy(&out.stdout).contains("summary\trows"),
                "{name}: {out:?}"
            ),
            Some(1) => assert_eq!(
                stderr.lines().count(),
                1,
                "{name}: one line on stderr, got {stderr}"
            ),
            other => panic!("{name}: exit {other:?} (a crash), stderr {stderr}"),
        }
        assert!(
            took < Duration::from_secs(30),
            "{name} took {took:?} to read or refuse"
        );
        assert_eq!(
            std::fs::read(&db).expect("library bytes"),
            before,
            "{name} changed the library"
        );
    }
}

#[test]
fn the_reading_child_refuses_what_would_exhaust_it() {
    // The looping compound file, read in process, would grow without end; in the child it
    // meets the memory limit and the parent says so.
    let err = import::read_isolated(
        Path::new(PROGRAM),
        "loop.xls",
        &looping_xls(),
        &ReadOptions::default(),
    )
    .expect_err("refused");
    match err {
        Error::Import { code, text } => {
            assert_eq!(code, "file_unreadable");
            let message = text.en();
            assert!(message.contains("loop.xls"), "{message}");
            // Said in Korean too, from the same catalogue (issue 16).
            assert!(text.ko().contains("loop.xls"), "{}", text.ko());
        }
        other => panic!("expected an import refusal, got {other:?}"),
    }
    // A good file comes back whole through the child.
    let csv = "Name,Country\nNGUYEN Van Minh,VN\n".as_bytes();
    let table = import::read_isolated(Path::new(PROGRAM), "a.csv", csv, &ReadOptions::default())
        .expect("read");
    assert_eq!(
        table,
        import::read_bytes("a.csv", csv, &ReadOptions::default()).expect("read")
    );
}

#[test]
fn the_streaming_readers_cap_what_they_keep_in_process() {
    // These are refused or read by the engine itself, before calamine or our padding could
    // spend the memory: a failure here means the caps no longer hold (and only the child's
    // limit would).
    for (name, bytes) in hostile_files() {
        if name.ends_with(".xls") {
            continue; // calamine's XLS reader follows chains whole: the child's job.
        }
        match import::read_bytes(name, &bytes, &ReadOptions::default()) {
            Ok(table) => {
                assert!(table.headers.len() <= import::MAX_COLUMNS, "{name}");
                match name {
                    "far-apart.xlsx" | "dimension.xlsx" | "far-right.xlsx" => {
                        assert_eq!(table.headers, ["Name", "Country"], "{name}");
                        assert_eq!(table.rows[0].cells[0], "NGUYEN Van Minh", "{name}");
                    }
                    "utf16.csv" | "field.csv" => {
                        assert_eq!(table.rows[0].cells[0], "NGUYEN Van Minh", "{name}")
                    }
                    other => panic!("{other} should have been refused"),
                }
            }
            Err(Error::Import { code, text }) => {
                let message = text.en();
                assert!(
                    ["file_too_large", "file_unreadable", "no_rows"].contains(&code),
                    "{name}: {code} {message}"
                );
                assert!(message.contains(name), "{name}: {message}");
            }
            Err(other) => panic!("{name}: {other:?}"),
        }
    }
}

proptest! {
    // Each case starts a reading child; a few dozen keep the suite quick.
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Damaged copies of the hostile files, read through the child as the app and `ddesk` do:
    /// a table or an import refusal, whatever the damage.
    #[test]
    fn damaged_hostile_files_are_read_or_refused(
        which in 0usize..4,
        flips in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 1..24),
        cut in proptest::option::of(any::<proptest::sample::Index>()),
    ) {
        let seeds = [
            ("loop.xls", looping_xls()),
            ("a.xlsx", xlsx(&sheet(&registration_rows()), None)),
            ("far.xlsx", xlsx(&sheet(&format!("{}<row r=\"1048576\">{}</row>", registration_rows(), inline("XFD1048576", "x"))), None)),
            ("s.xlsx", xlsx(&sheet(&registration_rows()), Some(br#"<sst uniqueCount="3"><si><t>a</t></si></sst>"#))),
        ];
        let (name, mut bytes) = seeds[which].clone();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()).max(8));
        }
        match import::read_isolated(Path::new(PROGRAM), name, &bytes, &ReadOptions::default()) {
            Ok(table) => prop_assert!(table.rows.iter().all(|r| r.cells.len() == table.headers.len())),
            Err(Error::Import { .. }) => {}
            Err(other) => prop_assert!(false, "{name}: {other:?}"),
        }
    }
}
