//! The PDF's text layer, made to give every name back exactly as it was typed, in every
//! script, when it is copied, searched or read with pdftotext. The pages look the same to the
//! pixel; only how the glyphs are grouped and closed changes.
//!
//! Two things typst 0.15 and its PDF writer get wrong, mended here before the PDF is written:
//!
//! - typst lays a line out as one text item per stretch of glyphs at one height: every glyph
//!   the font moves up or down (a Thai tone mark, a Khmer subscript, a Myanmar medial) becomes
//!   a text item of its own, carrying its whole syllable as text, and the writer maps that
//!   lone glyph to the whole syllable: "ชัยพร" came back as "ชัชัยพร". Such pieces are joined
//!   back into one item, each glyph keeping its height as its own offset. Pieces are joined
//!   only when nothing else could have split them: the same font, size, paint, language and
//!   source, side by side on the line, at different heights, with texts that fit together
//!   into one stretch of the source text.
//! - The writer marks each syllable of several glyphs with its text, and the mark ends where
//!   its pen is after the last glyph. When that glyph is a mark drawn away from the pen (a
//!   Devanagari vowel sign tucked back under its letter), the pen stops short of the next
//!   syllable, and pdftotext read the gap as a space: "कु मारी" for "कुमारी". Such syllables
//!   get a blank glyph at their end (the font's zero-width space: no outline, no width).
//!
//! Right-to-left runs are left as typst made them.

use typst::layout::{Abs, Em, Frame, FrameItem, Point};
use typst::model::Document as _;
use typst::text::TextItem;
use typst_layout::PagedDocument;

/// The document with its text layer mended (see above), or None when no page needed it.
pub(crate) fn rejoined(document: &PagedDocument) -> Option<PagedDocument> {
    let mut changed = false;
    let pages: typst::ecow::EcoVec<_> = document
        .pages()
        .iter()
        .map(|page| {
            let mut page = page.clone();
            if let Some(frame) = rejoin_frame(&page.frame) {
                page.frame = frame;
                changed = true;
            }
            page
        })
        .collect();
    changed.then(|| PagedDocument::new(pages, document.info().clone()))
}

/// A text item being built from pieces: where it starts, the item so far, where its text
/// starts in the source piece it came from, and the height of the last piece joined.
struct Run {
    pos: Point,
    item: TextItem,
    start: usize,
    last_y: Abs,
}

/// The frame with its text pieces joined and its syllables ended at the pen, or None when
/// none needed it.
fn rejoin_frame(frame: &Frame) -> Option<Frame> {
    let mut out = Frame::new(frame.size(), frame.kind());
    if frame.has_baseline() {
        out.set_baseline(frame.baseline());
    }
    let mut changed = false;
    let mut run: Option<Run> = None;
    let flush = |run: &mut Option<Run>, out: &mut Frame, changed: &mut bool| {
        if let Some(mut done) = run.take() {
            *changed |= end_clusters_at_the_pen(&mut done.item);
            out.push(done.pos, FrameItem::Text(done.item));
        }
    };
    for (pos, item) in frame.items() {
        match item {
            FrameItem::Text(text) => {
                if let Some(current) = run.as_mut() {
                    if join(current, *pos, text) {
                        changed = true;
                        continue;
                    }
                }
                flush(&mut run, &mut out, &mut changed);
                run = source_start(text).map(|start| Run {
                    pos: *pos,
                    item: text.clone(),
                    start,
                    last_y: pos.y,
                });
                if run.is_none() {
                    let mut text = text.clone();
                    changed |= end_clusters_at_the_pen(&mut text);
                    out.push(*pos, FrameItem::Text(text));
                }
            }
            FrameItem::Group(group) => {
                flush(&mut run, &mut out, &mut changed);
                match rejoin_frame(&group.frame) {
                    Some(inner) => {
                        let mut group = group.clone();
                        group.frame = inner;
                        out.push(*pos, FrameItem::Group(group));
                        changed = true;
                    }
                    None => out.push(*pos, item.clone()),
                }
            }
            other => {
                flush(&mut run, &mut out, &mut changed);
                out.push(*pos, other.clone());
            }
        }
    }
    flush(&mut run, &mut out, &mut changed);
    changed.then_some(out)
}

/// A glyph of the font that draws nothing and has no width: its zero-width space or joiner.
fn blank_glyph(font: &typst::text::FontInstance) -> Option<u16> {
    let face = font.ttf();
    ['\u{200B}', '\u{200C}', '\u{200D}']
        .into_iter()
        .find_map(|c| {
            let glyph = face.glyph_index(c)?;
            let empty = face.glyph_bounding_box(glyph).is_none();
            (empty && font.x_advance(glyph.0)? == Em::zero()).then_some(glyph.0)
        })
}

/// Ends every syllable whose last glyph leaves the writer's pen off the syllable's end (a
/// Devanagari or Bengali vowel sign tucked back under its letter, a Khmer or Tibetan stacked
/// mark) with a blank glyph at the end. The PDF writer marks each syllable of several glyphs
/// with its text, and that mark ends where the pen is after the last glyph; short of the next
/// syllable (or past it), pdftotext read a space into the word ("कु मारी" for "कुमारी", "རྡོ ་").
/// The blank draws nothing, has no width and belongs to the syllable, so the page and the text
/// stay the same. True if any was added.
fn end_clusters_at_the_pen(item: &mut TextItem) -> bool {
    // The writer draws a glyph at its offset and moves the pen on by the font's own width for
    // it; the syllable ends where the glyph's advance says. Where the two differ for the
    // syllable's last glyph, the pen is off the end.
    let tucked = |i: usize| {
        let glyph = &item.glyphs[i];
        let same = |j: usize| item.glyphs.get(j).is_some_and(|g| g.range == glyph.range);
        let width = item.font.x_advance(glyph.id).unwrap_or(Em::zero());
        let off_end = (glyph.x_offset + width - glyph.x_advance).get().abs() > 1e-3;
        i > 0 && same(i - 1) && !same(i + 1) && off_end
    };
    if !in_text_order(item) || !(0..item.glyphs.len()).any(tucked) {
        return false;
    }
    let Some(blank) = blank_glyph(&item.font) else {
        return false;
    };
    let mut glyphs = Vec::with_capacity(item.glyphs.len() + 4);
    for (i, glyph) in item.glyphs.iter().enumerate() {
        glyphs.push(glyph.clone());
        if tucked(i) {
            glyphs.push(typst::text::Glyph {
                id: blank,
                x_advance: Em::zero(),
                x_offset: Em::zero(),
                y_advance: Em::zero(),
                y_offset: Em::zero(),
                range: glyph.range.clone(),
                span: glyph.span,
            });
        }
    }
    item.glyphs = glyphs;
    true
}

/// Where an item's text starts within the source piece its glyphs came from: each glyph
/// knows its offset in that piece and its range in the item's text. None unless every glyph
/// comes from one piece and agrees.
fn source_start(item: &TextItem) -> Option<usize> {
    let first = item.glyphs.first()?;
    let mut start = None;
    for glyph in &item.glyphs {
        if glyph.span.0 != first.span.0 {
            return None;
        }
        let here = usize::from(glyph.span.1).checked_sub(usize::from(glyph.range.start))?;
        if *start.get_or_insert(here) != here {
            return None;
        }
    }
    start
}

/// Whether an item's glyphs run in the order of its text (left to right). Right-to-left
/// runs are left as they are: the PDF writer marks a run reversed only when all of its
/// glyphs are, and a joined run with a mark in the middle would lose that.
fn in_text_order(item: &TextItem) -> bool {
    item.glyphs
        .windows(2)
        .all(|pair| pair[0].range.start <= pair[1].range.start)
}

/// Joins `next` (at `pos`) onto the run when it is the next piece of the same text; false
/// (and the run unchanged) otherwise.
fn join(run: &mut Run, pos: Point, next: &TextItem) -> bool {
    let item = &run.item;
    let same_style = item.font == next.font
        && item.size == next.size
        && item.fill == next.fill
        && item.stroke == next.stroke
        && item.lang == next.lang
        && item.region == next.region;
    let (Some(first), Some(theirs)) = (item.glyphs.first(), next.glyphs.first()) else {
        return false;
    };
    // Side by side: typst places each piece where the one before it ends.
    let touching = (run.pos.x + item.width() - pos.x).to_pt().abs() < 1e-3;
    // At another height than the piece before: pieces at one height were never split for it.
    let moved = (pos.y - run.last_y).to_pt().abs() > 1e-6;
    if !same_style
        || !touching
        || !moved
        || first.span.0 != theirs.span.0
        || !in_text_order(item)
        || !in_text_order(next)
    {
        return false;
    }
    let Some(start) = source_start(next) else {
        return false;
    };
    // The two texts must overlap or meet in the source, and agree where they overlap.
    let Some(text) = merged_text(&item.text, run.start, &next.text, start) else {
        return false;
    };
    let new_start = run.start.min(start);
    let shifted = |glyphs: &[typst::text::Glyph], by: usize| -> Option<Vec<typst::text::Glyph>> {
        let by = u16::try_from(by).ok()?;
        glyphs
            .iter()
            .map(|glyph| {
                let mut glyph = glyph.clone();
                glyph.range =
                    glyph.range.start.checked_add(by)?..glyph.range.end.checked_add(by)?;
                Some(glyph)
            })
            .collect()
    };
    let (Some(mut glyphs), Some(added)) = (
        shifted(&item.glyphs, run.start - new_start),
        shifted(&next.glyphs, start - new_start),
    ) else {
        return false;
    };
    // The piece's height above the run's baseline, in the glyphs' own unit (Y up).
    let lift = Em::from_abs(run.pos.y - pos.y, next.size);
    glyphs.extend(added.into_iter().map(|mut glyph| {
        glyph.y_offset += lift;
        glyph
    }));
    run.item.glyphs = glyphs;
    run.item.text = text.into();
    run.start = new_start;
    run.last_y = pos.y;
    true
}

/// The text of two pieces that start at `a_start` and `b_start` in one source text, as one
/// string; None when they neither overlap nor meet, or disagree where they overlap.
fn merged_text(a: &str, a_start: usize, b: &str, b_start: usize) -> Option<String> {
    let (first, first_start, second, second_start) = if a_start <= b_start {
        (a, a_start, b, b_start)
    } else {
        (b, b_start, a, a_start)
    };
    let gap = second_start - first_start;
    if gap > first.len() || !first.is_char_boundary(gap) {
        return None;
    }
    let overlap = (first.len() - gap).min(second.len());
    if first.as_bytes()[gap..gap + overlap] != second.as_bytes()[..overlap] {
        return None;
    }
    let mut text = String::with_capacity(first.len().max(gap + second.len()));
    text.push_str(first);
    if let Some(rest) = second.get(overlap..) {
        text.push_str(rest);
    } else {
        return None;
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::merged_text;

    #[test]
    fn pieces_of_one_text_are_merged_where_they_overlap_or_meet() {
        // A base and its mark carry the same syllable; the next piece follows on.
        assert_eq!(merged_text("ชั", 0, "ชั", 0).as_deref(), Some("ชั"));
        assert_eq!(merged_text("ชั", 0, "ยพร", 6).as_deref(), Some("ชัยพร"));
        assert_eq!(merged_text("ยพร", 6, "ชั", 0).as_deref(), Some("ชัยพร"));
        assert_eq!(merged_text("abc", 0, "cde", 2).as_deref(), Some("abcde"));
        assert_eq!(merged_text("abcdef", 0, "cd", 2).as_deref(), Some("abcdef"));
        // A gap, a disagreement, or a cut through a character: left apart.
        assert_eq!(merged_text("ab", 0, "de", 3), None);
        assert_eq!(merged_text("abc", 0, "xd", 2), None);
        assert_eq!(merged_text("ชั", 0, "x", 1), None);
    }
}
