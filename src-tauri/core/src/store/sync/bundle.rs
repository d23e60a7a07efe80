//! The `.ddsync` bundle: every change a laptop holds of a shared event, compressed and sealed
//! with the team key (ChaCha20-Poly1305), so that a bundle on a USB stick or in an e-mail
//! tells nothing to whoever finds it, and a tampered one is refused before anything is read.
//!
//! Layout: the magic `DDSYNC` 0 1; a two-byte length and a plain JSON header (format, team,
//! event, a check of the key, so that a wrong key is told from damage); a 12-byte nonce; the
//! sealed payload, the header being its associated data. The payload: a four-byte length, the
//! manifest (laptop, officer, time, the changes with their numbers and clocks), then each
//! change's changeset, deflated as the library keeps it, in the manifest's order.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::words::Text;

use super::Sent;

const MAGIC: &[u8; 8] = b"DDSYNC\x00\x01";
const FORMAT: u32 = 1;
/// A bundle larger than this is no bundle of ours (a 20,000-official event with its history
/// is tens of megabytes); refused before it is read into memory.
const MAX_FILE: u64 = 1 << 30;
/// Characters of a team key: 20 of Crockford's base 32, 100 bits.
pub const TEAM_KEY_CHARS: usize = 20;

fn damaged() -> Error {
    Error::Sync {
        code: "bundle_damaged",
        text: Text::new("error-sync-bundle_damaged"),
    }
}

fn wrong_key() -> Error {
    Error::Sync {
        code: "wrong_team_key",
        text: Text::new("error-sync-wrong_team_key"),
    }
}

/// A new team key, in groups of five to read out: `7KQ2M-...`.
pub fn new_team_key() -> Result<String> {
    let mut bytes = [0u8; 13];
    getrandom::fill(&mut bytes).map_err(|e| Error::Internal(e.to_string().into()))?;
    let code: String = crate::store::key::base32(&bytes)
        .chars()
        .take(TEAM_KEY_CHARS)
        .collect();
    Ok(group(&code))
}

fn group(code: &str) -> String {
    code.as_bytes()
        .chunks(5)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A team key as typed, in its written form; `None` when it cannot be one.
pub fn normalize_team_key(text: &str) -> Option<String> {
    let clean = crate::store::key::clean_code(text);
    (clean.len() == TEAM_KEY_CHARS && crate::store::key::unbase32(&clean).is_some())
        .then(|| group(&clean))
}

/// The sealing key and its check, from the team key and the team: Argon2id, so that guessing
/// keys against a stolen bundle costs what guessing passphrases does.
fn derive(code: &str, team: &str) -> Result<(Zeroizing<[u8; 32]>, String)> {
    let clean = Zeroizing::new(crate::store::key::clean_code(code));
    let params = argon2::Params::new(8 * 1024, 2, 1, Some(64))
        .map_err(|e| Error::Internal(e.to_string().into()))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 64]);
    argon
        .hash_password_into(
            clean.as_bytes(),
            format!("ddesk-team:{team}").as_bytes(),
            out.as_mut(),
        )
        .map_err(|e| Error::Internal(e.to_string().into()))?;
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&out[..32]);
    let check = out[32..40].iter().map(|b| format!("{b:02x}")).collect();
    Ok((key, check))
}

/// The plain part of a bundle: enough to find its event and team, nothing personal.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    pub format: u32,
    pub team: String,
    pub event_id: String,
    pub check: String,
}

/// One change in a bundle.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    pub laptop: String,
    pub seq: i64,
    pub hlc: String,
    pub author: String,
    pub at: String,
    pub rows: i64,
    pub bytes: u64,
}

/// Who made a bundle, when, and what it holds (per laptop, the last change).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub laptop: String,
    pub officer: String,
    pub created: String,
    pub holds: std::collections::BTreeMap<String, i64>,
    pub changes: Vec<Entry>,
}

/// A change read from a bundle (or from the library), with its changeset.
#[derive(Debug, Clone)]
pub struct Carried {
    pub entry: Entry,
    pub changeset: Vec<u8>,
}

/// An opened bundle.
#[derive(Debug)]
pub struct Opened {
    pub manifest: Manifest,
    pub changes: Vec<Carried>,
}

/// Reads a bundle file within the size limit.
pub fn read_limited(path: &Path) -> Result<Vec<u8>> {
    let size = std::fs::metadata(path)?.len();
    if size > MAX_FILE {
        return Err(damaged());
    }
    Ok(std::fs::read(path)?)
}

/// The plain header, read without the key.
pub fn header(bytes: &[u8]) -> Result<Header> {
    let (header, _) = split(bytes)?;
    Ok(header)
}

fn split(bytes: &[u8]) -> Result<(Header, usize)> {
    if bytes.len() < 10 || &bytes[..8] != MAGIC {
        return Err(damaged());
    }
    let n = u16::from_be_bytes([bytes[8], bytes[9]]) as usize;
    let end = 10 + n;
    let header: Header =
        serde_json::from_slice(bytes.get(10..end).ok_or_else(damaged)?).map_err(|_| damaged())?;
    if header.format != FORMAT {
        return Err(damaged());
    }
    Ok((header, end))
}

/// Writes the bundle of everything this laptop holds of the event.
pub(super) fn write_bundle(
    conn: &Connection,
    event_id: &str,
    team: &str,
    code: &str,
) -> Result<(Vec<u8>, Sent)> {
    let mut payload = Vec::new();
    let mut changes = Vec::new();
    let mut blobs = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT laptop, seq, hlc, author, at, rows, changeset FROM sync_change
          WHERE event_id = ? ORDER BY hlc",
    )?;
    let mut rows = stmt.query([event_id])?;
    let mut holds = std::collections::BTreeMap::new();
    while let Some(r) = rows.next()? {
        let blob: Vec<u8> = r.get(6)?;
        let entry = Entry {
            laptop: r.get(0)?,
            seq: r.get(1)?,
            hlc: r.get(2)?,
            author: r.get(3)?,
            at: r.get(4)?,
            rows: r.get(5)?,
            bytes: blob.len() as u64,
        };
        let last = holds.entry(entry.laptop.clone()).or_insert(0);
        *last = (*last).max(entry.seq);
        changes.push(entry);
        blobs.push(blob);
    }
    let manifest = Manifest {
        laptop: super::laptop_if_any(conn)?,
        officer: crate::store::officer_name(conn)?,
        created: crate::store::now_text(),
        holds,
        changes,
    };
    let json = serde_json::to_vec(&manifest)?;
    payload.extend_from_slice(&(json.len() as u32).to_be_bytes());
    payload.extend_from_slice(&json);
    for blob in &blobs {
        payload.extend_from_slice(blob);
    }
    // The changesets are kept deflated already (`changeset::pack`).
    let packed = Zeroizing::new(payload);
    let (key, check) = derive(code, team)?;
    let header = serde_json::to_vec(&Header {
        format: FORMAT,
        team: team.to_string(),
        event_id: event_id.to_string(),
        check,
    })?;
    let mut out = Vec::with_capacity(packed.len() + 128);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(header.len() as u16).to_be_bytes());
    out.extend_from_slice(&header);
    let mut nonce = [0u8; 12];
    getrandom::fill(&mut nonce).map_err(|e| Error::Internal(e.to_string().into()))?;
    out.extend_from_slice(&nonce);
    let aad = out.clone();
    let sealed = ChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&key[..]))
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &packed,
                aad: &aad,
            },
        )
        .map_err(|_| Error::Internal("sealing a bundle failed".into()))?;
    out.extend_from_slice(&sealed);
    let sent = Sent {
        path: Default::default(),
        changes: manifest.changes.len(),
        rows: manifest.changes.iter().map(|c| c.rows as usize).sum(),
        laptops: manifest.holds.len(),
        bytes: 0,
    };
    Ok((out, sent))
}

/// Opens a bundle with the team key: refused as sealed with another key, or as damaged.
pub fn open(bytes: &[u8], header: &Header, code: &str) -> Result<Opened> {
    let (_, end) = split(bytes)?;
    let (key, check) = derive(code, &header.team)?;
    if check != header.check {
        return Err(wrong_key());
    }
    let nonce = bytes.get(end..end + 12).ok_or_else(damaged)?;
    let packed = Zeroizing::new(
        ChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&key[..]))
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: &bytes[end + 12..],
                    aad: &bytes[..end + 12],
                },
            )
            .map_err(|_| damaged())?,
    );
    let payload = packed;
    if payload.len() < 4 {
        return Err(damaged());
    }
    let n = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]) as usize;
    let manifest: Manifest = serde_json::from_slice(payload.get(4..4 + n).ok_or_else(damaged)?)
        .map_err(|_| damaged())?;
    let mut at = 4 + n;
    let mut changes = Vec::with_capacity(manifest.changes.len());
    for entry in &manifest.changes {
        let len = usize::try_from(entry.bytes).map_err(|_| damaged())?;
        let blob = payload.get(at..at + len).ok_or_else(damaged)?;
        at += len;
        changes.push(Carried {
            entry: entry.clone(),
            changeset: blob.to_vec(),
        });
    }
    if at != payload.len() {
        return Err(damaged());
    }
    Ok(Opened { manifest, changes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn team_keys_are_read_back_however_typed() {
        let code = new_team_key().expect("key");
        assert_eq!(code.len(), TEAM_KEY_CHARS + 3);
        assert_eq!(normalize_team_key(&code).as_deref(), Some(code.as_str()));
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(normalize_team_key(&typed).as_deref(), Some(code.as_str()));
        assert_eq!(normalize_team_key("ABCDE-FGHJK"), None);
        assert_eq!(
            normalize_team_key("ABCDE-FGHJK-MNPQR-STUVW"),
            None,
            "U is no digit"
        );
    }
}
