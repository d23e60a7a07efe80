//! The QR code on a badge: the official's id, drawn as one SVG path of dark runs so that the
//! PDF holds it as vector art that stays sharp on any printer.

use qrcodegen::{QrCode, QrCodeEcc};

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
    let code = QrCode::encode_text(&id.to_uppercase(), QrCodeEcc::Medium)
        .map_err(|e| Error::Internal(format!("QR code: {e:?}").into()))?;
    let size = code.size();
    let full = size + 2 * QUIET;
    let mut path = String::with_capacity(size as usize * size as usize * 2);
    for y in 0..size {
        let mut x = 0;
        while x < size {
            if code.get_module(x, y) {
                let start = x;
                while x < size && code.get_module(x, y) {
                    x += 1;
                }
                path.push_str(&format!(
                    "M{} {}h{}v1h-{}z",
                    start + QUIET,
                    y + QUIET,
                    x - start,
                    x - start
                ));
            } else {
                x += 1;
            }
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {full} {full}\" shape-rendering=\"crispEdges\"><rect width=\"{full}\" height=\"{full}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
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
}
