//! The QR code on a badge: the official's id, drawn as one SVG path of dark rectangles so that
//! the PDF holds it as vector art that stays sharp on any printer.

use qrcodegen::{Mask, QrCode, QrCodeEcc, QrSegment, Version};

use crate::error::{Error, Result};

/// Light modules kept around the code, as the QR specification asks for scanners to lock on.
const QUIET: i32 = 2;

/// An SVG of an official's id as a QR code (error correction M: survives a scuffed badge).
///
/// The id is encoded in capitals: a UUID in capitals is all QR "alphanumeric" characters, five
/// and a half bits each instead of eight, so the code is version 2 (25 modules a side) rather
/// than 3 (29): each module is a sixth larger on the badge, easier for a scanner at the door,
/// and the code is quicker to make. The desk reads a scanned code in either case.
pub(crate) fn svg(id: &str) -> Result<String> {
    let code = encode(id)?;
    let size = code.size();
    let full = size + 2 * QUIET;
    let mut path = String::with_capacity(size as usize * size as usize * 2);
    for (x, y, width, height) in dark_rectangles(&code) {
        use std::fmt::Write as _;
        let _ = write!(
            path,
            "M{} {}h{width}v{height}h-{width}z",
            x + QUIET,
            y + QUIET
        );
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {full} {full}\" shape-rendering=\"crispEdges\"><rect width=\"{full}\" height=\"{full}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

/// The code of an id in capitals, with one fixed mask.
///
/// A QR encoder may pick any of the eight masks; the specification's way (each tried and
/// scored for long runs, blocks and finder-like stretches) was nine tenths of the time spent
/// on a badge's code: 150 ms of work for 1,000 badges, against 11 ms with one mask. An id's
/// bits and their error correction are already patternless, so the mask's score moves little,
/// and the decoders at the door (phones, zbar) read a code whatever its mask: the integration
/// test prints badges and reads every code back with zbar.
fn encode(id: &str) -> Result<QrCode> {
    let text = id.to_uppercase();
    let segments = QrSegment::make_segments(&text);
    QrCode::encode_segments_advanced(
        &segments,
        QrCodeEcc::Medium,
        Version::MIN,
        Version::MAX,
        Some(Mask::new(MASK)),
        true,
    )
    .map_err(|e| Error::Internal(format!("QR code: {e:?}").into()))
}

/// The mask every badge's code is drawn with (see [`encode`]).
const MASK: u8 = 0;

/// The dark modules as rectangles `(x, y, width, height)`: each row's runs, a run stretched
/// down over the rows below that have the same run. A quarter fewer shapes than runs, for
/// typst to read and the PDF to hold.
fn dark_rectangles(code: &QrCode) -> Vec<(i32, i32, i32, i32)> {
    let size = code.size();
    let mut done: Vec<(i32, i32, i32, i32)> = Vec::new();
    // Rectangles still growing: those whose run was in the row above.
    let mut open: Vec<(i32, i32, i32, i32)> = Vec::new();
    for y in 0..size {
        let mut row = Vec::new();
        let mut x = 0;
        while x < size {
            if code.get_module(x, y) {
                let start = x;
                while x < size && code.get_module(x, y) {
                    x += 1;
                }
                row.push((start, x - start));
            } else {
                x += 1;
            }
        }
        let mut next = Vec::with_capacity(row.len());
        for (start, width) in row {
            match open.iter().position(|r| r.0 == start && r.2 == width) {
                Some(i) => {
                    let mut r = open.swap_remove(i);
                    r.3 += 1;
                    next.push(r);
                }
                None => next.push((start, y, width, 1)),
            }
        }
        done.append(&mut open);
        open = next;
    }
    done.append(&mut open);
    done
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_uuid_fits_a_small_code() {
        let svg = super::svg("6d1e8f0a-5b7c-4e21-9a3d-2c4b8e6f1a50").expect("qr");
        assert!(svg.starts_with("<svg"));
        // Version 2 at level M: 25 modules and the quiet zone.
        assert!(svg.contains("viewBox=\"0 0 29 29\""), "{svg}");
    }

    #[test]
    fn the_rectangles_cover_the_dark_modules_and_nothing_else() {
        for id in [
            "6d1e8f0a-5b7c-4e21-9a3d-2c4b8e6f1a50",
            "00000000-0000-0000-0000-000000000000",
            "ffffffff-ffff-4fff-bfff-ffffffffffff",
        ] {
            let code = super::encode(id).expect("qr");
            let size = code.size();
            let mut covered = vec![0u8; (size * size) as usize];
            let rectangles = super::dark_rectangles(&code);
            for &(x, y, w, h) in &rectangles {
                for yy in y..y + h {
                    for xx in x..x + w {
                        covered[(yy * size + xx) as usize] += 1;
                    }
                }
            }
            let mut runs = 0;
            for y in 0..size {
                for x in 0..size {
                    let dark = code.get_module(x, y);
                    assert_eq!(
                        covered[(y * size + x) as usize],
                        u8::from(dark),
                        "{id} at {x},{y}"
                    );
                    runs += usize::from(dark && (x == 0 || !code.get_module(x - 1, y)));
                }
            }
            assert!(
                rectangles.len() < runs,
                "{} rectangles, {runs} runs",
                rectangles.len()
            );
        }
    }
}
