//! Long lists paged by the engine: each row is typeset on its own, on every core, and the
//! engine fills the pages with them.
//!
//! A typst table of 1,000 rows is laid out on one core, and each of its rows twice (measured,
//! then set at the height measured), so the participant list of 1,000 took a second to typeset.
//! A paged list's template sets each item (the column header, a group's heading, a row, the
//! closing total) as a page of its own, as tall as the item; chunks of items are typeset on
//! both cores ([`super::in_chunks`]). The engine then stacks the items onto sheets (the column
//! header at the top of each, a group's heading never last on a sheet), draws the table's
//! rules around them, and lays them into the sheets' frame (event, title, date, "Page N of M"),
//! which the template sets once the number of sheets is known.
//!
//! The template reads `data.part`: `"rows"` for the items of `data.items`, `"frame"` for the
//! `data.pages` sheets with an empty body (`paged-list` in `common.typ` does both).

use chrono::NaiveDate;
use serde_json::{json, Value};
use typst::layout::{Abs, Frame, FrameItem, Point};
use typst::model::Document as _;
use typst::syntax::Span;
use typst::visualize::{Color, FixedStroke, Geometry, Luma, ProcessColor};
use typst_layout::PagedDocument;

use super::{compile, in_chunks, Compiled, Fonts, Progress};
use crate::error::{Error, Result};

/// The list sheet: A4 portrait and its margins, in millimetres. `list-page` in `common.typ`
/// reads the margins from the data (`sheet`), so that the engine and the template agree on
/// where the body is.
pub(crate) const SHEET_MM: Sheet = Sheet {
    width: 210.0,
    height: 297.0,
    x: 12.0,
    top: 25.0,
    bottom: 16.0,
};

/// A sheet's size and margins, in millimetres.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sheet {
    pub width: f64,
    pub height: f64,
    pub x: f64,
    pub top: f64,
    pub bottom: f64,
}

impl Sheet {
    /// The width rows are set to.
    pub(crate) fn body_width(&self) -> f64 {
        self.width - 2.0 * self.x
    }

    /// The margins as the templates read them (`data.sheet`).
    pub(crate) fn margins(&self) -> Value {
        json!({ "x": self.x, "top": self.top, "bottom": self.bottom })
    }
}

/// A column's width: fixed, or a share of what the fixed ones leave.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Column {
    Mm(f64),
    Fr(f64),
}

/// The columns' widths in millimetres across the sheet's body.
pub(crate) fn widths(columns: &[Column]) -> Vec<f64> {
    let (fixed, shares) = columns.iter().fold((0.0, 0.0), |(mm, fr), c| match c {
        Column::Mm(w) => (mm + w, fr),
        Column::Fr(f) => (mm, fr + f),
    });
    let rest = (SHEET_MM.body_width() - fixed).max(0.0);
    columns
        .iter()
        .map(|c| match c {
            Column::Mm(w) => *w,
            Column::Fr(f) if shares > 0.0 => rest * f / shares,
            Column::Fr(_) => 0.0,
        })
        .collect()
}

/// What an item is, from its `kind`: how it is ruled and kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The column header, at the top of every sheet: ruled, with the columns' rules.
    Head,
    /// A group's heading across the table: ruled, kept with the row after it.
    Group,
    /// A row of cells: ruled, with the columns' rules.
    Row,
    /// Anything else (a total under the table, "nobody yet"): no rules.
    Note,
}

impl Kind {
    fn of(item: &Value) -> Kind {
        match item.get("kind").and_then(Value::as_str) {
            Some("head") => Kind::Head,
            Some("group") => Kind::Group,
            Some("row") => Kind::Row,
            _ => Kind::Note,
        }
    }
}

/// The fewest items worth a typesetting unit of their own (a unit's fixed cost is a few
/// milliseconds).
const MIN_ITEMS_PER_CHUNK: usize = 60;

/// Typesets a paged list: `data.items` (the first of them the column header, `kind: "head"`)
/// and `data.columns` (millimetres, from [`widths`]) with `template`. `progress` counts items.
pub(crate) fn typeset(
    fonts: &Fonts,
    template: &str,
    mut data: Value,
    today: NaiveDate,
    progress: Progress<'_>,
) -> Result<Compiled> {
    let items = match data.get_mut("items").map(Value::take) {
        Some(Value::Array(items)) if !items.is_empty() => items,
        _ => return Err(Error::Internal("a paged list without its header".into())),
    };
    let columns: Vec<Abs> = data["columns"]
        .as_array()
        .map(|c| c.iter().filter_map(Value::as_f64).map(Abs::mm).collect())
        .unwrap_or_default();
    let kinds: Vec<Kind> = items.iter().map(Kind::of).collect();
    // One chunk per core: typst lays each chunk's items out on every core already (each is a
    // page run of its own), so more chunks only add their fixed cost.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let size = items.len().div_ceil(cores).max(MIN_ITEMS_PER_CHUNK);
    let chunks: Vec<&[Value]> = items.chunks(size).collect();
    let rows = in_chunks(&chunks, items.len(), progress, |_, slice| {
        let mut part = data.clone();
        part["part"] = Value::from("rows");
        part["items"] = Value::Array(slice.to_vec());
        let (document, warnings) = compile(fonts, template, &part, today)?;
        if document.pages().len() != slice.len() {
            return Err(Error::Internal(
                format!(
                    "a paged list set {} items as {} pages",
                    slice.len(),
                    document.pages().len()
                )
                .into(),
            ));
        }
        let frames: Vec<Frame> = document.pages().iter().map(|p| p.frame.clone()).collect();
        Ok((frames, warnings))
    })?;
    let mut frames = Vec::with_capacity(items.len());
    let mut warnings = Vec::new();
    for (chunk, mut said) in rows {
        frames.extend(chunk);
        warnings.append(&mut said);
    }
    let sheet = SHEET_MM;
    let body = Abs::mm(sheet.height - sheet.top - sheet.bottom);
    let sheets = paginate(&frames, &kinds, body);

    let mut frame = data;
    frame["part"] = Value::from("frame");
    frame["pages"] = Value::from(sheets.len());
    frame["items"] = Value::Array(Vec::new());
    let (framed, mut said) = compile(fonts, template, &frame, today)?;
    warnings.append(&mut said);
    if framed.pages().len() != sheets.len() {
        return Err(Error::Internal(
            format!(
                "a paged list's frame has {} sheets for {}",
                framed.pages().len(),
                sheets.len()
            )
            .into(),
        ));
    }
    let origin = Point::new(Abs::mm(sheet.x), Abs::mm(sheet.top));
    let pages = framed
        .pages()
        .iter()
        .zip(&sheets)
        .map(|(page, placed)| {
            let mut page = page.clone();
            for &(item, y) in placed {
                // The item's contents go straight onto the sheet, without a group of their
                // own for each row.
                let at = origin + Point::with_y(y);
                page.frame.push_multiple(
                    frames[item]
                        .items()
                        .map(|(pos, content)| (at + *pos, content.clone())),
                );
            }
            let placed: Vec<(Kind, Abs, Abs)> = placed
                .iter()
                .map(|&(item, y)| (kinds[item], y, frames[item].height()))
                .collect();
            rules(&mut page.frame, &placed, origin, &columns);
            page
        })
        .collect();
    Ok((PagedDocument::new(pages, framed.info().clone()), warnings))
}

/// The items on each sheet and their heights from the top of the body: the column header
/// (item 0) first on every sheet, then as many items as fit, a group's heading moved to the
/// next sheet when the row after it would not fit under it. An item taller than a whole sheet
/// is set alone, running over its foot, rather than never.
fn paginate(frames: &[Frame], kinds: &[Kind], body: Abs) -> Vec<Vec<(usize, Abs)>> {
    let head = frames.first().map(Frame::height).unwrap_or_default();
    let mut sheets = Vec::new();
    let mut sheet = vec![(0, Abs::zero())];
    let mut y = head;
    for i in 1..frames.len() {
        let height = frames[i].height();
        let kept = match (kinds[i], frames.get(i + 1)) {
            (Kind::Group, Some(next)) => next.height(),
            _ => Abs::zero(),
        };
        if sheet.len() > 1 && y + height + kept > body {
            sheets.push(std::mem::replace(&mut sheet, vec![(0, Abs::zero())]));
            y = head;
        }
        sheet.push((i, y));
        y += height;
    }
    sheets.push(sheet);
    sheets
}

/// The table's rules on one sheet, as `set table(stroke: 0.4pt + luma(160))` draws them in the
/// other lists: a line above and below each header, heading and row, the table's sides, and
/// the lines between the columns down each run of headers and rows (a group's heading spans
/// them). One line per run rather than per row keeps the PDF small and quick to write.
fn rules(frame: &mut Frame, placed: &[(Kind, Abs, Abs)], origin: Point, columns: &[Abs]) {
    let stroke = FixedStroke::from_pair(
        Color::Process(ProcessColor::Luma(Luma::new(160.0 / 255.0, 1.0))),
        Abs::pt(0.4),
    );
    let width: Abs = columns.iter().copied().sum();
    let mut line = |from: Point, to: Point| {
        let shape = Geometry::Line(to - from).stroked(stroke.clone());
        frame.push(origin + from, FrameItem::Shape(shape, Span::detached()));
    };
    // Runs of consecutive items for which `of` holds, as (top, bottom).
    let runs = |of: &dyn Fn(Kind) -> bool| {
        let mut runs: Vec<(Abs, Abs)> = Vec::new();
        let mut open = false;
        for &(kind, y, height) in placed {
            match (of(kind), open, runs.last_mut()) {
                (true, true, Some(run)) => run.1 = y + height,
                (true, _, _) => runs.push((y, y + height)),
                _ => {}
            }
            open = of(kind);
        }
        runs
    };
    let ruled = |k: Kind| k != Kind::Note;
    for (i, &(kind, y, height)) in placed.iter().enumerate() {
        if !ruled(kind) {
            continue;
        }
        line(Point::with_y(y), Point::new(width, y));
        let next_ruled = placed.get(i + 1).is_some_and(|(k, _, _)| ruled(*k));
        if !next_ruled {
            line(Point::with_y(y + height), Point::new(width, y + height));
        }
    }
    for (top, bottom) in runs(&ruled) {
        line(Point::with_y(top), Point::with_y(bottom));
        line(Point::new(width, top), Point::new(width, bottom));
    }
    for (top, bottom) in runs(&|k| matches!(k, Kind::Head | Kind::Row)) {
        let mut x = Abs::zero();
        for column in columns.iter().take(columns.len().saturating_sub(1)) {
            x += *column;
            line(Point::new(x, top), Point::new(x, bottom));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use typst::layout::Size;

    fn frames(heights: &[f64]) -> Vec<Frame> {
        heights
            .iter()
            .map(|h| Frame::soft(Size::new(Abs::mm(100.0), Abs::mm(*h))))
            .collect()
    }

    #[test]
    fn the_columns_share_what_the_fixed_ones_leave() {
        let w = widths(&[Column::Mm(6.0), Column::Fr(1.0), Column::Fr(3.0)]);
        assert_eq!(w[0], 6.0);
        assert!((w[1] - 45.0).abs() < 1e-9, "{w:?}");
        assert!((w[2] - 135.0).abs() < 1e-9, "{w:?}");
    }

    #[test]
    fn sheets_carry_the_header_and_keep_a_heading_with_its_first_row() {
        use Kind::*;
        // A 100 mm body: header 10, then a group and rows of 20.
        let kinds = [Head, Group, Row, Row, Row, Group, Row, Row, Note];
        let heights = [10.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 5.0];
        let sheets = paginate(&frames(&heights), &kinds, Abs::mm(100.0));
        let items: Vec<Vec<usize>> = sheets
            .iter()
            .map(|s| s.iter().map(|(i, _)| *i).collect())
            .collect();
        // The second group's heading would fit at 90 mm but its row would not: it moves.
        assert_eq!(items, vec![vec![0, 1, 2, 3, 4], vec![0, 5, 6, 7, 8]]);
        let ys: Vec<f64> = sheets[1].iter().map(|(_, y)| y.to_mm().round()).collect();
        assert_eq!(ys, vec![0.0, 10.0, 30.0, 50.0, 70.0]);
    }

    #[test]
    fn an_item_taller_than_a_sheet_still_prints() {
        use Kind::*;
        let sheets = paginate(
            &frames(&[10.0, 150.0, 20.0]),
            &[Head, Row, Row],
            Abs::mm(100.0),
        );
        let items: Vec<Vec<usize>> = sheets
            .iter()
            .map(|s| s.iter().map(|(i, _)| *i).collect())
            .collect();
        assert_eq!(items, vec![vec![0, 1], vec![0, 2]]);
    }
}
