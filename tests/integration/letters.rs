//! Letters and certificates (issue 19), read back with real readers: poppler for the PDFs,
//! python-docx for the Word documents, Python's `email` package for the drafts; the
//! attendance share, the register's numbers and the templates' markup-looking text through
//! the command line.

use std::collections::HashMap;
use std::path::Path;

use ddesk_core::dates::{event_dates, long_date};
use ddesk_core::model::*;
use ddesk_core::print::letters::{
    self, LetterBatch, LetterFormat, LetterKind, LetterRequest, Recipients,
};

use crate::cli::{ddesk, demo_event, ok, stdout};
use crate::print::{assert_contains_all, native_names, squeezed, world, Pdf, World, SCRIPTS};

/// The script world with what a visa letter needs on every official: a passport number, a
/// birth date and an e-mail address.
fn letter_world() -> World {
    let mut w = world();
    for (i, o) in w.added.iter_mut().enumerate() {
        o.passport_number = format!("P{:07}", 4_310_000 + i);
        o.birth_date = Some(delegation_desk_tests::date(&format!(
            "19{}-0{}-1{}",
            60 + i,
            1 + i % 9,
            i % 10
        )));
        o.email = format!("official{i}@example.org");
        *o = w.store.save(o.clone()).expect("save");
    }
    w
}

fn without_spaces(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Letters of `kind` for the script world's delegation (its members, or its letter).
fn for_the_delegation(w: &World, kind: LetterKind) -> LetterRequest {
    LetterRequest::new(
        &w.event.id,
        kind,
        Recipients::Delegation {
            id: w.delegation.clone(),
        },
    )
}

fn write(w: &World, kind: LetterKind, format: LetterFormat, lang: Option<Language>) -> LetterBatch {
    let mut request = for_the_delegation(w, kind);
    request.format = format;
    request.lang = lang;
    request.min_attendance = 0;
    request.dated = Some(delegation_desk_tests::date("2024-05-01"));
    letters::write_letters(&w.store, &request, &|_, _| {}).expect("letters")
}

fn country(code: &str, lang: Language) -> String {
    let c = ddesk_core::reference::country(code).expect("country");
    match lang {
        Language::En => c.name_en.clone(),
        Language::Ko => c.name_ko.clone(),
    }
}

/// What a visa letter for `o` must hold, word for word.
fn visa_facts(w: &World, o: &Official, lang: Language) -> Vec<String> {
    vec![
        full_name(&o.family_name, &o.given_name),
        o.passport_number.clone(),
        country(&o.nationality, lang),
        event_dates(w.event.start_date, w.event.end_date, lang),
        long_date(o.birth_date.expect("birth date"), lang),
    ]
}

#[test]
fn visa_letters_hold_the_passport_facts_exactly_in_both_languages() {
    let w = letter_world();
    for lang in [Language::En, Language::Ko] {
        let batch = write(&w, LetterKind::Visa, LetterFormat::Pdf, Some(lang));
        // The host country's own national needs no visa: skipped, with the reason.
        let skipped: Vec<&str> = batch.skipped.iter().map(|s| s.recipient.as_str()).collect();
        assert_eq!(
            skipped,
            vec!["TAK Yeoreum (Scripts Test Institute)"],
            "{lang:?}"
        );
        assert!(batch.skipped[0].reason.en().contains("host country"));
        assert_eq!(batch.files.len(), SCRIPTS.len() - 1);
        for file in &batch.files {
            let o = official_of(&w, &file.recipient_id);
            let pdf = Pdf::new(&file.bytes);
            pdf.assert_fonts_embedded_subsets();
            // Korean lines may break inside a word ("2024" | "년"): compared without spaces.
            let text = pdf.text();
            let text = match lang {
                Language::En => squeezed(&text),
                Language::Ko => without_spaces(&text),
            };
            let facts: Vec<String> = visa_facts(&w, o, lang)
                .into_iter()
                .map(|f| {
                    if lang == Language::Ko {
                        without_spaces(&f)
                    } else {
                        f
                    }
                })
                .collect();
            assert_contains_all(&text, &facts);
            assert!(text.contains(&file.number), "{}", file.number);
        }
    }
}

#[test]
fn certificates_print_every_script_and_one_file_holds_them_all() {
    let w = letter_world();
    let mut request = for_the_delegation(&w, LetterKind::Certificate);
    request.min_attendance = 0;
    request.combined = true;
    let batch = letters::write_letters(&w.store, &request, &|_, _| {}).expect("certificates");
    assert_eq!(batch.files.len(), SCRIPTS.len());
    let all = Pdf::new(batch.combined.as_deref().expect("the combined file"));
    assert_eq!(all.pages(), SCRIPTS.len());
    all.assert_fonts_embedded_subsets();
    let text = all.text();
    assert_contains_all(&text, &native_names());
    let numbers: Vec<String> = batch.files.iter().map(|f| f.number.clone()).collect();
    assert_contains_all(&text, &numbers);
}

/// Paragraph texts of every `.docx` in `dir`, read by python-docx (Debian's python3-docx).
fn python_docx(dir: &Path) -> HashMap<String, String> {
    const SCRIPT: &str = r#"
import json, os, sys
import docx
out = {}
for name in sorted(os.listdir(sys.argv[1])):
    if name.endswith('.docx'):
        d = docx.Document(os.path.join(sys.argv[1], name))
        out[name] = '\n'.join(p.text for p in d.paragraphs)
print(json.dumps(out))
"#;
    python(SCRIPT, dir)
}

fn python(script: &str, dir: &Path) -> HashMap<String, String> {
    serde_json::from_value(delegation_desk_tests::python_json(script, dir)).expect("file → text")
}

/// The official of the world a letter was written for.
fn official_of<'w>(w: &'w World, id: &str) -> &'w Official {
    w.added
        .iter()
        .find(|o| o.id == id)
        .expect("an official of the batch")
}

#[test]
fn word_documents_hold_the_same_letter() {
    let w = letter_world();
    let dir = tempfile::tempdir().expect("dir");
    for lang in [Language::En, Language::Ko] {
        let batch = write(&w, LetterKind::Visa, LetterFormat::Docx, Some(lang));
        let sub = dir.path().join(lang.as_str());
        letters::write_files(&sub, &batch.files, false).expect("write");
        let read = python_docx(&sub);
        assert_eq!(read.len(), batch.files.len());
        for file in &batch.files {
            let o = official_of(&w, &file.recipient_id);
            let text = read.get(&file.name).expect("read back");
            assert_contains_all(text, &visa_facts(&w, o, lang));
            assert!(text.contains(&file.number));
        }
    }
}

#[test]
fn e_mail_drafts_parse_with_their_attachments_intact() {
    let w = letter_world();
    let mut request = for_the_delegation(&w, LetterKind::Visa);
    request.format = LetterFormat::Eml;
    request.attach_itinerary = true;
    let batch = letters::write_letters(&w.store, &request, &|_, _| {}).expect("drafts");
    let pdfs = {
        let mut r = request.clone();
        r.format = LetterFormat::Pdf;
        letters::write_letters(&w.store, &r, &|_, _| {}).expect("pdfs")
    };
    let dir = tempfile::tempdir().expect("dir");
    letters::write_files(dir.path(), &batch.files, false).expect("write");
    const SCRIPT: &str = r#"
import json, os, sys, hashlib
from email import policy
from email.parser import BytesParser
out = {}
for name in sorted(os.listdir(sys.argv[1])):
    with open(os.path.join(sys.argv[1], name), 'rb') as f:
        m = BytesParser(policy=policy.default).parse(f)
    parts = []
    for a in m.iter_attachments():
        data = a.get_content() if a.get_content_maintype() == 'text' else a.get_payload(decode=True)
        if isinstance(data, str):
            data = data.encode('utf-8')
        parts.append([a.get_filename(), a.get_content_type(), data[:5].decode('latin-1'), len(data)])
    out[name] = json.dumps({
        'to': str(m['To']), 'from': str(m['From'] or ''), 'subject': str(m['Subject']),
        'unsent': str(m['X-Unsent']), 'body': m.get_body(('plain',)).get_content(),
        'parts': parts,
    })
print(json.dumps(out))
"#;
    let read = python(SCRIPT, dir.path());
    assert_eq!(read.len(), batch.files.len());
    for file in &batch.files {
        let o = official_of(&w, &file.recipient_id);
        let m: serde_json::Value = serde_json::from_str(&read[&file.name]).expect("json");
        assert!(m["to"].as_str().expect("to").contains(&o.email), "{m}");
        assert_eq!(m["unsent"], "1");
        assert!(m["subject"].as_str().expect("subject").contains("visa"));
        assert!(m["body"]
            .as_str()
            .expect("body")
            .contains(&full_name(&o.family_name, &o.given_name)));
        let parts = m["parts"].as_array().expect("parts");
        let kinds: Vec<&str> = parts.iter().map(|p| p[1].as_str().unwrap_or("")).collect();
        assert_eq!(
            kinds,
            vec!["application/pdf", "application/pdf", "text/calendar"],
            "{m}"
        );
        // The letter attached is the letter: the same size as the PDF written alone.
        let letter = pdfs
            .files
            .iter()
            .find(|f| f.recipient_id == file.recipient_id)
            .expect("pdf");
        assert_eq!(parts[0][2], "%PDF-");
        assert_eq!(parts[0][3].as_u64(), Some(letter.bytes.len() as u64));
        assert_eq!(parts[1][2], "%PDF-");
        assert_eq!(parts[2][2], "BEGIN");
    }
}

/// Records that the official attended the session, as the roster screen (and check-in) do:
/// the command line has no verb for it yet (issue 20's `checkin`).
fn attend(db: &Path, session: &str, official: &str) {
    let store = ddesk_core::Store::open(db, &delegation_desk_tests::unlock()).expect("open");
    store
        .write(|tx| ddesk_core::roster::attend(tx, session, official, true))
        .expect("attend");
}

#[test]
fn a_certificate_is_refused_under_the_attendance_share_with_the_reason() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("lib.sqlite3");
    let event = demo_event(&db, "High-level");
    let sessions: Vec<String> = ok(&db, &["sessions", "--event", &event])
        .lines()
        .filter(|l| !["meal", "break", "transfer"].contains(&l.split('\t').nth(2).unwrap_or("")))
        .filter_map(|l| l.split('\t').next().map(str::to_string))
        .collect();
    let official = ok(&db, &["roster", "--session", &sessions[0]])
        .lines()
        .next()
        .and_then(|l| l.split('\t').next())
        .expect("someone on the roster")
        .to_string();
    let on: Vec<&String> = sessions
        .iter()
        .filter(|s| {
            ok(&db, &["roster", "--session", s])
                .lines()
                .any(|l| l.starts_with(&official))
        })
        .collect();
    assert!(on.len() >= 5, "{on:?}");
    let out = dir.path().join("certificate.pdf");
    let o = out.to_str().expect("path");
    let certificate = |db: &Path| {
        ddesk(
            db,
            &[
                "letter",
                "certificate",
                "--event",
                &event,
                "--official",
                &official,
                "-o",
                o,
                "--force",
            ],
        )
    };
    // Half the sessions: refused, with the share reached and the share needed.
    for s in &on[..on.len() / 2] {
        attend(&db, s, &official);
    }
    let refused = certificate(&db);
    assert_eq!(refused.status.code(), Some(1));
    let said = stdout(&refused);
    let expected = format!(
        "attended {} of {} sessions ({} %), under the 80 % a certificate needs",
        on.len() / 2,
        on.len(),
        on.len() / 2 * 100 / on.len()
    );
    assert!(
        said.starts_with("skipped\t") && said.contains(&expected),
        "{said}"
    );
    assert!(!out.exists());
    assert_eq!(ok(&db, &["letter", "register", "--event", &event]), "");
    // Every session: given, numbered.
    for s in &on[on.len() / 2..] {
        attend(&db, s, &official);
    }
    let given = certificate(&db);
    assert!(
        given.status.success(),
        "{}",
        String::from_utf8_lossy(&given.stderr)
    );
    let line = stdout(&given);
    assert!(line.starts_with(&format!("wrote\t{o}\t")), "{line}");
    let register = ok(&db, &["letter", "register", "--event", &event]);
    assert_eq!(register.lines().count(), 1);
    assert!(register.contains("\tcertificate\t"));
    // A lower share set by the officer lets a half-attended official through.
    let lowered = ddesk(
        &db,
        &[
            "letter",
            "certificate",
            "--event",
            &event,
            "--all",
            "--min-attendance",
            "0",
            "-o",
            dir.path().join("all").to_str().expect("p"),
        ],
    );
    assert!(lowered.status.success());
}

#[test]
fn the_register_numbers_each_letter_once_and_a_rewritten_letter_keeps_its_number() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("lib.sqlite3");
    let event = demo_event(&db, "High-level");
    ok(&db, &["letter", "letterhead", "--set", "prefix=ICD"]);
    let out = dir.path().join("inv");
    let o = out.to_str().expect("path");
    let first = ok(
        &db,
        &[
            "letter",
            "invitation",
            "--event",
            &event,
            "--all",
            "--format",
            "docx",
            "-o",
            o,
        ],
    );
    let numbers = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("wrote\t"))
            .map(|l| l.split('\t').nth(2).expect("number").to_string())
            .collect()
    };
    let given = numbers(&first);
    assert!(given.len() > 5, "{first}");
    let mut sorted = given.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), given.len(), "numbers repeat: {given:?}");
    assert!(given.iter().all(|n| n.starts_with("ICD-")), "{given:?}");
    let again = ok(
        &db,
        &[
            "letter",
            "invitation",
            "--event",
            &event,
            "--all",
            "--format",
            "pdf",
            "-o",
            o,
        ],
    );
    assert_eq!(numbers(&again), given);
    let register = ok(&db, &["letter", "register", "--event", &event]);
    assert_eq!(register.lines().count(), given.len());
    assert!(
        register.lines().all(|l| l.split('\t').nth(7) == Some("2")),
        "{register}"
    );
    // A letter to one official is not a delegation's letter.
    let official = ok(&db, &["officials", "--event", &event])
        .lines()
        .next()
        .and_then(|l| l.split('\t').next())
        .expect("an official")
        .to_string();
    let wrong = ddesk(
        &db,
        &[
            "letter",
            "thanks",
            "--event",
            &event,
            "--official",
            &official,
            "-o",
            o,
        ],
    );
    assert_eq!(wrong.status.code(), Some(1));
}

#[test]
fn markup_looking_template_text_prints_as_typed_and_unknown_placeholders_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("lib.sqlite3");
    let event = demo_event(&db, "High-level");
    let hostile =
        "#set page(width: 1cm) ] $x^2$ \\ \\\\ <script>alert(1)</script> #{{passport_name}}";
    let file = dir.path().join("t.json");
    std::fs::write(
        &file,
        serde_json::json!({ "body": format!("{hostile}\n\nPassport: {{{{passport_number}}}}") })
            .to_string(),
    )
    .expect("write");
    let f = file.to_str().expect("path");
    ok(
        &db,
        &["letter", "template", "visa", "--lang", "en", "--from", f],
    );
    let out = dir.path().join("visa");
    let written = ok(
        &db,
        &[
            "letter",
            "visa",
            "--event",
            &event,
            "--all",
            "--lang",
            "en",
            "-o",
            out.to_str().expect("p"),
        ],
    );
    let first = written
        .lines()
        .find(|l| l.starts_with("wrote\t"))
        .and_then(|l| l.split('\t').nth(1))
        .expect("a letter");
    let text = Pdf::new(&std::fs::read(first).expect("read")).text();
    let literal = "#set page(width: 1cm) ] $x^2$ \\ \\\\ <script>alert(1)</script> #";
    assert!(squeezed(&text).contains(literal), "{text}");
    // An unknown placeholder is refused when saved, with its line; nothing changes.
    std::fs::write(&file, r#"{"body": "Dear {{name}},\n{{pasport_number}}"}"#).expect("write");
    let refused = ddesk(
        &db,
        &["letter", "template", "visa", "--lang", "en", "--from", f],
    );
    assert_eq!(refused.status.code(), Some(1));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("Line 1") && said.contains("{{name}}"),
        "{said}"
    );
    let kept = ok(&db, &["letter", "template", "visa", "--lang", "en"]);
    assert!(kept.contains("<script>"), "{kept}");
}
