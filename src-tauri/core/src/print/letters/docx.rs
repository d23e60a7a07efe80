//! A letter as a Word document, for the officer who wants to change one sentence in Word or
//! Hancom Office: the same words, letterhead, number and signature as the PDF, as paragraphs
//! Word can edit (written by `docx-rs`, not by hand).

use docx_rs::{
    AlignmentType, BreakType, Docx, LineSpacing, PageMargin, PageOrientationType, Paragraph, Pic,
    Run, RunFonts, Tab, TabValueType,
};

use super::saved::Image;
use super::{LetterKind, Ready};
use crate::error::{Error, Result};
use crate::model::Language;

/// The letterhead's words in the letter's language.
pub(super) struct Head<'a> {
    pub office: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
    pub signatory: &'a str,
    pub title: &'a str,
    pub logo: Option<&'a Image>,
    pub seal: Option<&'a Image>,
    pub lang: Language,
}

/// English Microsoft/Hancom fonts every Office has; Korean from Malgun Gothic (Windows) or
/// whatever Hancom maps it to.
fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
        .cs("Times New Roman")
        .east_asia("Malgun Gothic")
}

/// A run of text with its own line breaks kept.
fn run(text: &str) -> Run {
    let mut run = Run::new().fonts(fonts());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    run
}

/// EMU per millimetre.
const EMU_MM: u32 = 36_000;

fn picture(image: &Image, height_mm: u32) -> Pic {
    let height = height_mm * EMU_MM;
    let width =
        (u64::from(height) * u64::from(image.width_px) / u64::from(image.height_px.max(1))) as u32;
    Pic::new_with_dimensions(image.png.clone(), image.width_px, image.height_px).size(width, height)
}

fn spaced(p: Paragraph, after_twips: u32) -> Paragraph {
    p.line_spacing(LineSpacing::new().after(after_twips))
}

pub(super) fn write(head: &Head<'_>, kind: LetterKind, letter: &Ready<'_, '_>) -> Result<Vec<u8>> {
    let filled = &letter.filled;
    let values = &letter.recipient.values;
    let number = values.get("document_number").map_or("", |s| s);
    let date = values.get("date").map_or("", |s| s);
    let words = |id: &str| crate::words::word(head.lang.as_str(), &format!("letter-doc-{id}"));
    let certificate = kind == LetterKind::Certificate;
    // Twips: A4 is 11906 × 16838.
    let mut doc = Docx::new().default_fonts(fonts()).default_size(21);
    doc = if certificate {
        doc.page_size(16838, 11906)
            .page_orient(PageOrientationType::Landscape)
            .page_margin(
                PageMargin::new()
                    .top(1134)
                    .bottom(1134)
                    .left(1247)
                    .right(1247),
            )
    } else {
        doc.page_size(11906, 16838).page_margin(
            PageMargin::new()
                .top(1020)
                .bottom(1247)
                .left(1417)
                .right(1247),
        )
    };
    let contacts: Vec<&str> = [head.address, head.phone, head.email]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if certificate {
        let center = |p: Paragraph| p.align(AlignmentType::Center);
        if let Some(logo) = head.logo {
            doc = doc.add_paragraph(center(
                Paragraph::new().add_run(Run::new().add_image(picture(logo, 20))),
            ));
        }
        doc = doc.add_paragraph(spaced(
            center(
                Paragraph::new().add_run(
                    run(&filled.subject.to_uppercase())
                        .bold()
                        .size(56)
                        .color("1F3864"),
                ),
            ),
            360,
        ));
        for (i, line) in filled.recipient.iter().enumerate() {
            let r = if i == 0 {
                run(line).bold().size(48)
            } else {
                run(line).size(32)
            };
            doc = doc.add_paragraph(center(Paragraph::new().add_run(r)));
        }
        for p in &filled.body {
            doc = doc.add_paragraph(spaced(
                center(Paragraph::new().add_run(run(p).size(26))),
                160,
            ));
        }
        // Room above the seal and signature, as on the PDF.
        doc = doc.add_paragraph(spaced(Paragraph::new(), 720));
        doc = signature(doc, head, true);
        doc = doc.add_paragraph(center(Paragraph::new().add_run(run(date).size(20))));
        doc = doc.add_paragraph(center(
            Paragraph::new().add_run(
                run(&format!("{}: {number}", words("number")))
                    .size(18)
                    .color("555555"),
            ),
        ));
    } else {
        if let Some(logo) = head.logo {
            doc = doc
                .add_paragraph(Paragraph::new().add_run(Run::new().add_image(picture(logo, 16))));
        }
        doc = doc.add_paragraph(
            Paragraph::new().add_run(run(head.office).bold().size(30).color("1F3864")),
        );
        if !contacts.is_empty() {
            doc = doc.add_paragraph(spaced(
                Paragraph::new().add_run(run(&contacts.join("  ·  ")).size(17).color("444444")),
                240,
            ));
        }
        // The date at the right margin (A4's 11,906 twips less the margins), as on the PDF.
        doc = doc.add_paragraph(spaced(
            Paragraph::new()
                .add_tab(Tab::new().val(TabValueType::Right).pos(11906 - 1417 - 1247))
                .add_run(run(&format!("{}: {number}", words("number"))).size(19))
                .add_run(Run::new().add_tab())
                .add_run(run(&format!("{}: {date}", words("date"))).size(19)),
            360,
        ));
        for line in &filled.recipient {
            doc = doc.add_paragraph(spaced(Paragraph::new().add_run(run(line)), 0));
        }
        doc = doc.add_paragraph(Paragraph::new());
        doc = doc.add_paragraph(spaced(
            Paragraph::new().add_run(run(&filled.subject).bold().size(24)),
            200,
        ));
        for p in &filled.body {
            // A paragraph of lines (the passport details) stays a block of left-aligned lines:
            // Word would stretch each line before a break across the page.
            let lines: Vec<&str> = p.split('\n').collect();
            if lines.len() > 1 {
                for (i, line) in lines.iter().enumerate() {
                    let after = if i + 1 == lines.len() { 200 } else { 0 };
                    doc = doc.add_paragraph(spaced(Paragraph::new().add_run(run(line)), after));
                }
            } else {
                doc = doc.add_paragraph(spaced(
                    Paragraph::new().align(AlignmentType::Both).add_run(run(p)),
                    200,
                ));
            }
        }
        for line in &filled.closing {
            doc = doc.add_paragraph(Paragraph::new().add_run(run(line)));
        }
        doc = doc.add_paragraph(Paragraph::new());
        doc = signature(doc, head, false);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| Error::Internal(format!("writing a Word document failed: {e}").into()))?;
    Ok(out.into_inner())
}

/// The seal, then who signs and for which office.
fn signature(mut doc: Docx, head: &Head<'_>, centered: bool) -> Docx {
    let align = |p: Paragraph| {
        if centered {
            p.align(AlignmentType::Center)
        } else {
            p
        }
    };
    if let Some(seal) = head.seal {
        doc = doc.add_paragraph(align(
            Paragraph::new().add_run(Run::new().add_image(picture(seal, 20))),
        ));
    }
    if !head.signatory.is_empty() {
        doc = doc.add_paragraph(align(Paragraph::new().add_run(run(head.signatory).bold())));
    }
    if !head.title.is_empty() {
        doc = doc.add_paragraph(align(Paragraph::new().add_run(run(head.title))));
    }
    doc.add_paragraph(align(Paragraph::new().add_run(run(head.office))))
}
