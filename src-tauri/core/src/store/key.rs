//! The library's key (issue 17): 32 random bytes that SQLCipher encrypts the library, its
//! write-ahead log and every backup with, and the ways an officer unlocks it.
//!
//! The key itself never changes in a library's life, so every backup of the library opens
//! with it. What changes is how it is kept:
//!
//! - in the OS credential store (Secret Service, Keychain, Credential Manager), which unlocks
//!   silently at start;
//! - wrapped by a passphrase: Argon2id turns the passphrase and a random salt into 64 bytes,
//!   the first 32 masking the key, the last 32 telling a right passphrase from a wrong one
//!   before the library is touched; the wrapping sits in the key file beside the library
//!   (`library.sqlite3.key`, readable by the owner only), and a new passphrase is a new salt
//!   and a new wrapping;
//! - printed, as the recovery code the officer gets once at set-up: the key itself in 56
//!   letters and digits (with a checksum against typing mistakes), which opens the library and
//!   any of its backups even with the key file or the credential store gone.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};
use crate::words::Text;

/// Where the credential store files the library keys, one entry per library.
const KEYRING_SERVICE: &str = super::APP_IDENTIFIER;

/// Argon2id's cost: OWASP's recommended minimum (19 MiB, two passes, one lane), about 40 ms
/// here; every `ddesk` run with a passphrase pays it once.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

/// A passphrase shorter than this is refused when it is set.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// The library's key, or none for a plaintext file (a library made before issue 17, until it
/// is converted, and the benchmarks' baseline).
#[derive(Clone, Default)]
pub struct Key(Option<Arc<Zeroizing<[u8; 32]>>>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Key(..)"
        } else {
            "Key(plaintext)"
        })
    }
}

impl Key {
    /// No encryption: the file is plain SQLite.
    pub fn plaintext() -> Key {
        Key(None)
    }

    fn from_bytes(bytes: [u8; 32]) -> Key {
        Key(Some(Arc::new(Zeroizing::new(bytes))))
    }

    fn random() -> Result<Key> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| Error::Internal(e.to_string().into()))?;
        let key = Key::from_bytes(bytes);
        bytes.zeroize();
        Ok(key)
    }

    pub fn is_encrypted(&self) -> bool {
        self.0.is_some()
    }

    /// SQLCipher's raw-key form, `x'…'` (no key derivation of its own: the key is random).
    fn sql_literal(&self) -> Option<Zeroizing<String>> {
        self.0
            .as_ref()
            .map(|k| Zeroizing::new(format!("x'{}'", hex(&k[..]).as_str())))
    }

    /// Gives a freshly opened connection the key; must come before anything reads the file.
    pub(crate) fn apply(&self, conn: &Connection) -> Result<()> {
        // SQLCipher writes its own errors (a page that fails its check) to stderr; the engine
        // says what went wrong in its own words, once.
        conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
        if let Some(literal) = self.sql_literal() {
            // Pages are authenticated with HMAC-SHA256 rather than SQLCipher's default SHA-512:
            // as strong for a 256-bit key, and about twice as fast where the processor computes
            // SHA-256 itself (the SHA extensions of Intel since 2019 and AMD since 2017), which
            // is most of the cost of reading an event of 20,000 officials. The default is set
            // too, so that a file attached with this key (a conversion) is made the same way.
            let sql = Zeroizing::new(format!(
                "PRAGMA cipher_default_hmac_algorithm = HMAC_SHA256;
                 PRAGMA key = \"{}\";
                 PRAGMA cipher_hmac_algorithm = HMAC_SHA256;",
                literal.as_str()
            ));
            conn.execute_batch(&sql)?;
        }
        Ok(())
    }

    /// Attaches the file at `path` as schema `name`, encrypted with this key (or plain).
    pub(crate) fn attach(&self, conn: &Connection, path: &Path, name: &str) -> Result<()> {
        let path = path.to_str().ok_or_else(|| {
            Error::field("output", "invalid_value", Text::new("error-path_unicode"))
        })?;
        let key = self
            .sql_literal()
            .unwrap_or_else(|| Zeroizing::new(String::new()));
        // The attached file is made with SQLCipher's defaults: the same page HMAC as `apply`
        // gives every connection, or the library made here would not open with this key (the
        // connection attaching may be a plain one, which never went through `apply`).
        conn.execute_batch(
            "PRAGMA cipher_log_level = NONE; PRAGMA cipher_default_hmac_algorithm = HMAC_SHA256;",
        )?;
        conn.execute(
            &format!("ATTACH DATABASE ?1 AS {name} KEY ?2"),
            rusqlite::params![path, key.as_str()],
        )?;
        Ok(())
    }

    /// The key as the officer keeps it on paper: 14 groups of four letters and digits.
    pub fn recovery_code(&self) -> Option<String> {
        let key = self.0.as_ref()?;
        let mut bytes = Zeroizing::new([0u8; 35]);
        bytes[..32].copy_from_slice(&key[..]);
        bytes[32..].copy_from_slice(&checksum(&key[..]));
        let digits = Zeroizing::new(base32(&bytes[..]));
        let groups: Vec<&str> = digits
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or(""))
            .collect();
        Some(groups.join("-"))
    }

    /// The key a recovery code holds; any spacing, dashes and case, and the letters O, I and L
    /// read as the digits they look like.
    pub fn from_recovery_code(code: &str) -> Result<Key> {
        let wrong = || locked("wrong_recovery_code");
        let cleaned: Zeroizing<String> = Zeroizing::new(clean_code(code));
        let bytes = Zeroizing::new(unbase32(&cleaned).ok_or_else(wrong)?);
        if bytes.len() != 35 || checksum(&bytes[..32]) != bytes[32..] {
            return Err(wrong());
        }
        let mut key = [0u8; 32];
        key.copy_from_slice(&bytes[..32]);
        let out = Key::from_bytes(key);
        key.zeroize();
        Ok(out)
    }
}

/// How the library is to be unlocked (or, for a new one, protected).
#[derive(Clone)]
pub enum Unlock {
    /// From the OS credential store; a new library's key goes there.
    Keyring,
    /// With a passphrase; a new library is protected by it.
    Passphrase(Zeroizing<String>),
    /// With the recovery code printed at set-up.
    RecoveryCode(Zeroizing<String>),
    /// With the key itself, already unlocked (reopening after a restore).
    Key(Key),
    /// No encryption: a plaintext library stays plain (the benchmarks' baseline only).
    Plaintext,
}

impl std::fmt::Debug for Unlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Unlock::Keyring => "Unlock::Keyring",
            Unlock::Passphrase(_) => "Unlock::Passphrase(..)",
            Unlock::RecoveryCode(_) => "Unlock::RecoveryCode(..)",
            Unlock::Key(_) => "Unlock::Key(..)",
            Unlock::Plaintext => "Unlock::Plaintext",
        })
    }
}

impl Unlock {
    pub fn passphrase(text: &str) -> Unlock {
        Unlock::Passphrase(Zeroizing::new(text.to_string()))
    }

    pub fn recovery_code(text: &str) -> Unlock {
        Unlock::RecoveryCode(Zeroizing::new(text.to_string()))
    }

    /// What `ddesk` and the app use unless told otherwise: a passphrase from the file named
    /// (its first line), else from `DDESK_PASSPHRASE`, else the credential store.
    pub fn from_environment(passphrase_file: Option<&Path>) -> Result<Unlock> {
        if let Some(file) = passphrase_file {
            return Ok(Unlock::Passphrase(first_line(file)?));
        }
        match std::env::var("DDESK_PASSPHRASE") {
            Ok(text) => Ok(Unlock::Passphrase(Zeroizing::new(text))),
            Err(_) => Ok(Unlock::Keyring),
        }
    }
}

/// The first line of a file holding a secret (a passphrase, a ZIP password), without its line
/// ending; the rest of the file is not kept.
pub fn first_line(path: &Path) -> Result<Zeroizing<String>> {
    let text = Zeroizing::new(std::fs::read_to_string(path)?);
    Ok(Zeroizing::new(
        text.lines().next().unwrap_or("").to_string(),
    ))
}

/// The key the environment unlocks the library at `library` with (`--passphrase-file`,
/// `DDESK_PASSPHRASE`, the credential store), or none: for reading its backups while the
/// library itself does not open (a damaged one). Never fails; a plain key reads plain files.
pub fn environment_key(library: &Path, passphrase_file: Option<&Path>) -> Key {
    Unlock::from_environment(passphrase_file)
        .and_then(|how| unlock(library, &how))
        .unwrap_or_default()
}

/// Refuses a passphrase (or an export's password, `field`) shorter than
/// [`MIN_PASSPHRASE_CHARS`].
pub fn check_passphrase(field: &str, text: &str) -> Result<()> {
    if text.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::field(
            field,
            "too_short",
            Text::new("error-passphrase_short").with("min", MIN_PASSPHRASE_CHARS as i64),
        ));
    }
    Ok(())
}

/// What the key file beside the library holds: never the key itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyFile {
    format: u32,
    /// Names the library's entry in the credential store.
    library: String,
    /// Whether the key is in the credential store.
    keyring: bool,
    passphrase: Option<Wrapped>,
}

impl KeyFile {
    /// A library's first key file: a new name in the credential store, nothing kept yet.
    fn new() -> KeyFile {
        KeyFile {
            format: 1,
            library: uuid::Uuid::new_v4().to_string(),
            keyring: false,
            passphrase: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Wrapped {
    salt: String,
    memory_kib: u32,
    passes: u32,
    lanes: u32,
    /// The key masked by the first half of Argon2id's output.
    key: String,
    /// The second half, which tells whether a passphrase is the right one.
    check: String,
}

/// The key file of the library at `library`: `library.sqlite3.key`.
pub fn key_file(library: &Path) -> PathBuf {
    crate::files::with_suffix(library, ".key")
}

/// The library not unlocked, `code` saying why (see `Error::Locked`).
pub(crate) fn locked(code: &'static str) -> Error {
    Error::Locked {
        code,
        text: Text::new(match code {
            "wrong_passphrase" => "error-wrong_passphrase",
            "no_key_store" => "error-no_key_store",
            "no_passphrase_set" => "error-no_passphrase_set",
            "no_key_file" => "error-no_key_file",
            "wrong_recovery_code" => "error-wrong_recovery_code",
            _ => "error-locked",
        }),
    }
}

fn read_key_file(library: &Path) -> Result<Option<KeyFile>> {
    match std::fs::read(key_file(library)) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|_| {
            Error::Damaged(
                Text::new("error-damaged_file")
                    .with("file", key_file(library).display().to_string()),
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Writes the key file whole (a temporary file renamed into place), owner-readable only.
fn write_key_file(library: &Path, file: &KeyFile, fresh: bool) -> Result<()> {
    let path = key_file(library);
    let bytes = serde_json::to_vec_pretty(file).map_err(|e| Error::Internal(e.into()))?;
    let mut temp = path.clone().into_os_string();
    temp.push(format!(".new-{}", uuid::Uuid::new_v4()));
    let temp = PathBuf::from(temp);
    let written = (|| -> Result<()> {
        use std::io::Write;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::files::create_private_dir(dir)?;
        }
        let mut out = crate::files::create_private_file(&temp)?;
        out.write_all(&bytes)?;
        out.sync_all()?;
        drop(out);
        if fresh {
            // Of two processes making the first key at once, the first one's stays.
            match std::fs::hard_link(&temp, &path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    Err(Error::InUse(Text::new("error-key_being_made")))
                }
                Err(_) if !path.exists() => Ok(std::fs::rename(&temp, &path)?),
                Err(e) => Err(e.into()),
            }
        } else {
            Ok(std::fs::rename(&temp, &path)?)
        }
    })();
    let _ = std::fs::remove_file(&temp);
    written?;
    if let Some(dir) = path.parent() {
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

/// Argon2id of `passphrase` and `salt`: 32 bytes to mask the key, 32 to check the passphrase.
fn derive(passphrase: &str, salt: &[u8], w: (u32, u32, u32)) -> Result<Zeroizing<[u8; 64]>> {
    let params = argon2::Params::new(w.0, w.1, w.2, Some(64))
        .map_err(|e| Error::Internal(e.to_string().into()))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 64]);
    argon
        .hash_password_into(passphrase.as_bytes(), salt, &mut out[..])
        .map_err(|e| Error::Internal(e.to_string().into()))?;
    Ok(out)
}

fn wrap(key: &Key, passphrase: &str) -> Result<Wrapped> {
    let raw = key.0.as_ref().ok_or_else(|| locked("locked"))?;
    check_passphrase("passphrase", passphrase)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::Internal(e.to_string().into()))?;
    let out = derive(passphrase, &salt, (MEMORY_KIB, PASSES, LANES))?;
    let mut masked = Zeroizing::new([0u8; 32]);
    for i in 0..32 {
        masked[i] = raw[i] ^ out[i];
    }
    Ok(Wrapped {
        salt: hex(&salt).to_string(),
        memory_kib: MEMORY_KIB,
        passes: PASSES,
        lanes: LANES,
        key: hex(&masked[..]).to_string(),
        check: hex(&out[32..]).to_string(),
    })
}

fn unwrap(wrapped: &Wrapped, passphrase: &str) -> Result<Key> {
    let bad = || Error::Internal("the key file's passphrase wrapping is malformed".into());
    let salt = unhex(&wrapped.salt).ok_or_else(bad)?;
    let masked = Zeroizing::new(unhex(&wrapped.key).ok_or_else(bad)?);
    let check = unhex(&wrapped.check).ok_or_else(bad)?;
    if masked.len() != 32 || check.len() != 32 {
        return Err(bad());
    }
    let out = derive(
        passphrase,
        &salt,
        (wrapped.memory_kib, wrapped.passes, wrapped.lanes),
    )?;
    // Compared whole, without stopping at the first difference.
    let differs = out[32..]
        .iter()
        .zip(&check)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if differs != 0 {
        return Err(locked("wrong_passphrase"));
    }
    let mut key = [0u8; 32];
    for i in 0..32 {
        key[i] = masked[i] ^ out[i];
    }
    let out = Key::from_bytes(key);
    key.zeroize();
    Ok(out)
}

/// The credential store's entry for a library.
#[cfg(any(target_os = "linux", target_os = "macos", windows))]
fn keyring_entry(library_id: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(KEYRING_SERVICE, &format!("library {library_id}"))
        .map_err(|_| locked("no_key_store"))
}

/// Whether the credential store may be used: `DDESK_KEYRING=off` keeps it out (for tests on a
/// developer's desktop, whose own store must not fill with test libraries).
fn keyring_allowed() -> bool {
    std::env::var("DDESK_KEYRING").map_or(true, |v| v != "off")
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
fn keyring_get(library_id: &str) -> Result<Key> {
    if !keyring_allowed() {
        return Err(locked("locked"));
    }
    let secret = Zeroizing::new(
        keyring_entry(library_id)?
            .get_password()
            .map_err(|_| locked("locked"))?,
    );
    let bytes = Zeroizing::new(unhex(&secret).ok_or_else(|| locked("locked"))?);
    let mut key = [0u8; 32];
    if bytes.len() != 32 {
        return Err(locked("locked"));
    }
    key.copy_from_slice(&bytes);
    let out = Key::from_bytes(key);
    key.zeroize();
    Ok(out)
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
fn keyring_put(library_id: &str, key: &Key) -> Result<()> {
    if !keyring_allowed() {
        return Err(locked("no_key_store"));
    }
    let raw = key.0.as_ref().ok_or_else(|| locked("locked"))?;
    let entry = keyring_entry(library_id)?;
    let secret = hex(&raw[..]);
    entry
        .set_password(&secret)
        .map_err(|_| locked("no_key_store"))?;
    // Read back: a store that accepts and forgets (no daemon behind it) is no store.
    match keyring_get(library_id) {
        Ok(back) if back.0.as_deref() == key.0.as_deref() => Ok(()),
        _ => Err(locked("no_key_store")),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
fn keyring_get(_library_id: &str) -> Result<Key> {
    Err(locked("locked"))
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
fn keyring_put(_library_id: &str, _key: &Key) -> Result<()> {
    Err(locked("no_key_store"))
}

/// The key of the existing, encrypted library at `library`. Nothing is written.
pub fn unlock(library: &Path, how: &Unlock) -> Result<Key> {
    match how {
        Unlock::Plaintext => Ok(Key::plaintext()),
        Unlock::Key(key) => Ok(key.clone()),
        Unlock::RecoveryCode(code) => Key::from_recovery_code(code),
        Unlock::Passphrase(passphrase) => {
            let file = read_key_file(library)?.ok_or_else(|| locked("no_key_file"))?;
            let wrapped = file
                .passphrase
                .as_ref()
                .ok_or_else(|| locked("no_passphrase_set"))?;
            unwrap(wrapped, passphrase)
        }
        Unlock::Keyring => {
            let file = read_key_file(library)?.ok_or_else(|| locked("no_key_file"))?;
            if !file.keyring {
                return Err(locked("locked"));
            }
            keyring_get(&file.library)
        }
    }
}

/// The key for a library about to be made (or converted) at `library`: a new random one,
/// kept as `how` says, with its recovery code to show once; or the key of an earlier library
/// at this place whose key file is still there (its backups open with it), without a code.
pub fn create(library: &Path, how: &Unlock) -> Result<(Key, Option<String>)> {
    if matches!(how, Unlock::Plaintext) {
        return Ok((Key::plaintext(), None));
    }
    if read_key_file(library)?.is_some() {
        return Ok((unlock(library, how)?, None));
    }
    let key = match how {
        Unlock::Key(key) => key.clone(),
        Unlock::RecoveryCode(code) => Key::from_recovery_code(code)?,
        _ => Key::random()?,
    };
    let mut file = KeyFile::new();
    match how {
        Unlock::Passphrase(passphrase) => file.passphrase = Some(wrap(&key, passphrase)?),
        _ => {
            keyring_put(&file.library, &key)?;
            file.keyring = true;
        }
    }
    write_key_file(library, &file, true)?;
    let code = key.recovery_code();
    Ok((key, code))
}

/// The key a backup is restored into the library at `library` with, whether or not the
/// library itself opens (a damaged one is what restores are for): the library's own, from its
/// key file; a new one (with its recovery code) where there has been none.
pub fn for_library(library: &Path, how: &Unlock) -> Result<(Key, Option<String>)> {
    let encrypted = std::fs::metadata(library).is_ok_and(|m| m.len() > 0)
        && !super::file::is_plain_sqlite(library)?;
    if encrypted || key_file(library).exists() {
        Ok((unlock(library, how)?, None))
    } else {
        create(library, how)
    }
}

/// Keeps the library's key (already unlocked) under a new passphrase; the old one no longer
/// opens it. The credential store keeps its copy, if it has one.
pub fn set_passphrase(library: &Path, key: &Key, passphrase: &str) -> Result<()> {
    let mut file = read_key_file(library)?.unwrap_or_else(KeyFile::new);
    file.passphrase = Some(wrap(key, passphrase)?);
    write_key_file(library, &file, false)
}

/// Puts the library's key (already unlocked) into the credential store, for a silent start.
pub fn store_in_keyring(library: &Path, key: &Key) -> Result<()> {
    let mut file = read_key_file(library)?.unwrap_or_else(KeyFile::new);
    keyring_put(&file.library, key)?;
    file.keyring = true;
    write_key_file(library, &file, false)
}

/// How the library's key is kept, for the About box and `ddesk doctor`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Protection {
    pub encrypted: bool,
    pub keyring: bool,
    pub passphrase: bool,
}

pub fn protection(library: &Path, key: &Key) -> Result<Protection> {
    let file = read_key_file(library)?;
    Ok(Protection {
        encrypted: key.is_encrypted(),
        keyring: file.as_ref().is_some_and(|f| f.keyring),
        passphrase: file.as_ref().is_some_and(|f| f.passphrase.is_some()),
    })
}

fn hex(bytes: &[u8]) -> Zeroizing<String> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    Zeroizing::new(out)
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A code as typed (spaces, hyphens, lower case, O for 0, I or L for 1) as the alphabet has it.
pub(crate) fn clean_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

/// Crockford's base-32 alphabet: no I, L, O or U to misread.
const BASE32: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

pub(crate) fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((acc >> bits) & 31) as usize] as char);
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(BASE32[((acc << (5 - bits)) & 31) as usize] as char);
    }
    acc.zeroize();
    out
}

pub(crate) fn unbase32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let value = BASE32.iter().position(|&d| d == c)? as u32;
        acc = (acc << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
        acc &= (1 << bits) - 1;
    }
    acc.zeroize();
    Some(out)
}

/// Three bytes that catch a mistyped recovery code before it is tried (FNV-1a).
fn checksum(bytes: &[u8]) -> [u8; 3] {
    let mut hash: u32 = 0x811c_9dc5;
    for &b in bytes {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    let [a, b, c, _] = hash.to_be_bytes();
    [a, b, c]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_round_trip_and_catch_typing_mistakes() {
        let key = Key::random().expect("key");
        let code = key.recovery_code().expect("code");
        assert_eq!(code.len(), 14 * 4 + 13, "{code}");
        let back = Key::from_recovery_code(&code.to_lowercase().replace('-', " ")).expect("back");
        assert_eq!(back.0.as_deref(), key.0.as_deref());
        // One character changed is caught by the checksum, not tried on the library.
        let mut typo: Vec<char> = code.chars().collect();
        typo[5] = if typo[5] == 'A' { 'B' } else { 'A' };
        let typo: String = typo.into_iter().collect();
        assert!(matches!(
            Key::from_recovery_code(&typo),
            Err(Error::Locked {
                code: "wrong_recovery_code",
                ..
            })
        ));
    }

    #[test]
    fn a_passphrase_unwraps_the_key_and_a_wrong_one_is_told() {
        let dir = tempfile::tempdir().expect("dir");
        let library = dir.path().join("library.sqlite3");
        let (key, code) = create(&library, &Unlock::passphrase("correct horse")).expect("key");
        assert!(code.is_some());
        let again = unlock(&library, &Unlock::passphrase("correct horse")).expect("unlock");
        assert_eq!(again.0.as_deref(), key.0.as_deref());
        assert!(matches!(
            unlock(&library, &Unlock::passphrase("wrong horse")),
            Err(Error::Locked {
                code: "wrong_passphrase",
                ..
            })
        ));
        // The key file holds neither the key nor the passphrase.
        let text = std::fs::read_to_string(key_file(&library)).expect("key file");
        let raw = hex(&key.0.as_ref().expect("raw")[..]);
        assert!(!text.contains(raw.as_str()) && !text.contains("correct horse"));
        // A new passphrase replaces the old one; the key stays.
        set_passphrase(&library, &key, "battery staple").expect("rekey");
        assert!(unlock(&library, &Unlock::passphrase("correct horse")).is_err());
        let rekeyed = unlock(&library, &Unlock::passphrase("battery staple")).expect("new");
        assert_eq!(rekeyed.0.as_deref(), key.0.as_deref());
        assert!(matches!(wrap(&key, "short"), Err(Error::Validation(_))));
    }
}
