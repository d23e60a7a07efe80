//! Files and folders the app writes: names that every file system and file manager takes at
//! face value, writing aside (a private temporary file, synced, renamed into place), and
//! personal data kept readable by its owner only.
//!
//! Names come from officials' names, which come from spreadsheets from outside: a right-to-left
//! override can make `…fdp.exe` look like a PDF in a file manager, `CON` or `NUL` is a device
//! on Windows, 120 Korean characters are 360 bytes where file systems allow 255, and the same
//! name in two forms of Unicode (NFC, NFD) is two files on Linux and one on macOS.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};
use crate::words::Text;

/// Bytes of a file name's stem at most: the 255 bytes file systems allow, less room for a
/// ` (999)` that tells two officials apart and an extension.
const MAX_STEM_BYTES: usize = 200;

/// Names Windows keeps for devices, with or without an extension.
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "CONIN$",
    "CONOUT$",
];

/// Characters that change how the rest of a name is shown without being seen: bidirectional
/// embeddings, overrides, isolates and marks, and the zero-width ones.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}'
        | '\u{061C}' | '\u{FEFF}' | '\u{180E}')
}

/// A file name stem made from text typed or imported by anyone: NFC, no path separators or
/// characters Windows refuses, no control or invisible direction characters, no leading dot
/// (a hidden file), no trailing dot or blank (Windows drops them), not a Windows device name,
/// and at most [`MAX_STEM_BYTES`] bytes of UTF-8 cut between characters.
pub fn safe_file_stem(name: &str) -> String {
    let cleaned: String = name
        .nfc()
        .filter(|&c| !is_invisible(c))
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '-',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::new();
    for c in cleaned.trim_start_matches(['.', ' ']).chars() {
        if out.len() + c.len_utf8() > MAX_STEM_BYTES {
            break;
        }
        out.push(c);
    }
    while out.ends_with('.') || out.ends_with(' ') {
        out.pop();
    }
    if out.is_empty() {
        return "export".into();
    }
    let base = out.split('.').next().unwrap_or("").trim_end();
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(base)) {
        out.insert(0, '_');
    }
    out
}

/// One file name per stem, `stem.ext`, none the same as another however a file system compares
/// names (case, Unicode form): a repeated stem gets ` (2)`, ` (3)`…, skipping any that another
/// stem already is (`KIM A`, `KIM A`, `KIM A (2)` are three files).
pub fn unique_file_names(stems: &[String], ext: &str) -> Vec<String> {
    let key = |s: &str| s.nfc().flat_map(char::to_lowercase).collect::<String>();
    let mut taken: HashSet<String> = stems.iter().map(|s| key(s)).collect();
    let mut first: HashSet<String> = HashSet::new();
    stems
        .iter()
        .map(|stem| {
            if first.insert(key(stem)) {
                return format!("{stem}.{ext}");
            }
            let mut n = 2;
            loop {
                let candidate = format!("{stem} ({n})");
                if taken.insert(key(&candidate)) {
                    return format!("{candidate}.{ext}");
                }
                n += 1;
            }
        })
        .collect()
}

/// Creates a folder (and its parents) that only its owner can open: it holds personal data.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    Ok(())
}

/// Creates a new file that only its owner can read, failing if anything (a file, a link
/// planted by someone else) is already at `path`.
pub fn create_private_file(path: &Path) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    Ok(options.open(path)?)
}

/// Makes a file that something else created (SQLite, a copy) readable by its owner only.
pub fn make_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// `path` with `suffix` added to its file name: `library.sqlite3` + `-wal`, `.key`.
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A name beside `path` for a temporary file that nobody else can have chosen.
pub(crate) fn temp_beside(path: &Path, what: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{what}-{}.tmp", uuid::Uuid::new_v4()))
}

/// Makes a directory entry (a rename, a new file) durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    // Directories cannot be opened for syncing on Windows, where rename is durable once it
    // returns with the file flushed.
    if cfg!(unix) {
        // A bare file name (`--db library.sqlite3`) has "" for its folder: the current one.
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// A file's size (0 for a folder) and time of change in nanoseconds, or none where it is
/// absent: what the caches of the fonts and of checked libraries compare to see a change.
pub(crate) fn stamp(path: &Path) -> Option<(u64, u128)> {
    let meta = std::fs::metadata(path).ok()?;
    let changed = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some((if meta.is_dir() { 0 } else { meta.len() }, changed))
}

/// Writes `bytes` to `path` so that a full disk or a crash never leaves half a file under the
/// name the officer chose (or destroys the file it replaces): into a new private temporary
/// file beside it (created exclusively, so a link planted there is never followed), synced,
/// then renamed into place. Every export, itinerary and printed PDF is saved this way.
///
/// A link at `path` is written through, never replaced: the file it points to is written aside
/// in its own folder. Something that is not a file (a terminal, a pipe: `-o /dev/stdout`) is
/// written into directly.
pub fn write_aside(path: &Path, bytes: &[u8]) -> Result<()> {
    let target = match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => {
            let mut out = std::fs::OpenOptions::new().write(true).open(path)?;
            out.write_all(bytes)?;
            return Ok(out.flush()?);
        }
        Ok(meta) if meta.is_dir() => {
            return Err(Error::field(
                "output",
                "invalid_value",
                Text::new("error-output_folder").with("file", path.display().to_string()),
            ))
        }
        // A link to a file: the file is replaced, the link stays.
        Ok(_) => std::fs::canonicalize(path)?,
        Err(_) => path.to_path_buf(),
    };
    if target.file_name().is_none() {
        return Err(Error::NotFound {
            entity: "output file name",
        });
    }
    let temp = temp_beside(&target, "part");
    let written = (|| -> Result<()> {
        let mut file = create_private_file(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        Ok(std::fs::rename(&temp, &target)?)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = sync_dir(dir);
    }
    Ok(())
}

/// File systems on which SQLite's write-ahead log does not work (it needs shared memory
/// between the processes of one machine) and locks are unreliable.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
const NETWORK_FILE_SYSTEMS: &[&str] = &[
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "ncpfs",
    "afs",
    "9p",
    "ceph",
    "glusterfs",
    "fuse.sshfs",
    "fuse.rclone",
    "fuse.gvfsd-fuse",
    "davfs",
    "fuse.davfs2",
    "lustre",
];

/// A sentence for the officer when `path` (the library, or where it will be made) is on a
/// network file system or share; `None` on a local disk.
pub fn network_warning(path: &Path) -> Option<String> {
    let kind = network_kind(path)?;
    Some(format!(
        "The event library {} is on a network drive ({kind}). SQLite cannot keep it safe there: two computers can overwrite each other's work and a dropped connection can damage it. Keep the library on this computer's own disk.",
        path.display()
    ))
}

#[cfg(target_os = "linux")]
fn network_kind(path: &Path) -> Option<String> {
    let path = path
        .ancestors()
        .find_map(|p| std::fs::canonicalize(p).ok())?;
    let table = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    mount_kind(&path, &table).filter(|kind| NETWORK_FILE_SYSTEMS.contains(&kind.as_str()))
}

/// The file system type of the mount that holds `path`, from a `/proc/self/mountinfo` table:
/// the longest mount point the path starts with.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn mount_kind(path: &Path, table: &str) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    for line in table.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        let Some(dash) = fields.iter().position(|f| *f == "-") else {
            continue;
        };
        let (Some(point), Some(kind)) = (fields.get(4), fields.get(dash + 1)) else {
            continue;
        };
        let point = point.replace("\\040", " ");
        if path.starts_with(&point) && best.as_ref().is_none_or(|(n, _)| point.len() > *n) {
            best = Some((point.len(), kind.to_string()));
        }
    }
    best.map(|(_, kind)| kind)
}

#[cfg(windows)]
fn network_kind(path: &Path) -> Option<String> {
    // A UNC path (\\server\share); a mapped drive letter would need the Windows API.
    let text = path.to_string_lossy();
    (text.starts_with(r"\\") && !text.starts_with(r"\\?\") || text.starts_with(r"\\?\UNC\"))
        .then(|| "a Windows share".to_string())
}

#[cfg(not(any(target_os = "linux", windows)))]
fn network_kind(path: &Path) -> Option<String> {
    // macOS mounts shares under /Volumes like disks; smbfs and nfs show in the mount table,
    // which needs statfs. Left to the officer there.
    let _ = path;
    None
}

/// Writes named files into a folder (made private if new): none is replaced unless `replace`,
/// and then the refusal counts them before anything is written.
pub fn write_folder(dir: &Path, files: &[(&str, &[u8])], replace: bool) -> Result<usize> {
    create_private_dir(dir)?;
    if !replace {
        let existing = files
            .iter()
            .filter(|(name, _)| dir.join(name).exists())
            .count();
        if existing > 0 {
            return Err(Error::Conflict {
                text: Text::new("error-files_exist")
                    .with("count", existing)
                    .with("folder", dir.display().to_string()),
                count: existing as i64,
            });
        }
    }
    for (name, bytes) in files {
        write_aside(&dir.join(name), bytes)?;
    }
    Ok(files.len())
}

/// A file of at most `max` bytes, read without trusting its size: a larger one (or a device
/// that never ends) is refused with a sentence before more than `max + 1` bytes are read.
pub fn read_limited(path: &Path, max: usize) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(max as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > max {
        return Err(crate::error::Error::field(
            "file",
            "too_long",
            crate::words::Text::new("error-file_over_limit")
                .with("file", path.display().to_string())
                .with("mb", (max / (1024 * 1024)).max(1)),
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_safe_on_every_file_system() {
        assert_eq!(safe_file_stem("Viet Nam - ĐẶNG Thị"), "Viet Nam - ĐẶNG Thị");
        assert_eq!(safe_file_stem("../etc/passwd"), "-etc-passwd");
        assert_eq!(safe_file_stem("a:b\u{0}c. "), "a-b c");
        assert_eq!(safe_file_stem("..."), "export");
        // Windows devices, with or without an extension, in any case.
        assert_eq!(safe_file_stem("CON"), "_CON");
        assert_eq!(safe_file_stem("nul.pdf"), "_nul.pdf");
        assert_eq!(safe_file_stem("Com1"), "_Com1");
        assert_eq!(safe_file_stem("CONSTANTIN"), "CONSTANTIN");
        // A right-to-left override (U+202E) before "fdp.exe" shows it as "exe.pdf".
        assert_eq!(safe_file_stem("KIM Ji\u{202E}fdp.exe"), "KIM Jifdp.exe");
        assert_eq!(safe_file_stem("A\u{200B}B\u{2066}C"), "ABC");
        // NFD in, NFC out.
        assert_eq!(safe_file_stem("Ðe\u{0301}"), "Ðé");
        // 120 Korean characters are 360 bytes; cut between characters.
        let long = safe_file_stem(&"김".repeat(120));
        assert!(long.len() <= MAX_STEM_BYTES, "{}", long.len());
        assert_eq!(long, "김".repeat(MAX_STEM_BYTES / 3));
    }

    #[test]
    fn a_library_on_a_share_is_found_by_its_mount() {
        let table = "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n\
                     40 22 0:50 / /home/kim/Shared\\040Drive rw - cifs //srv/office rw\n\
                     41 22 0:51 / /mnt/nfs rw,relatime - nfs4 srv:/x rw\n";
        let kind = |p: &str| mount_kind(Path::new(p), table);
        assert_eq!(kind("/home/kim/library.sqlite3").as_deref(), Some("ext4"));
        assert_eq!(
            kind("/home/kim/Shared Drive/library.sqlite3").as_deref(),
            Some("cifs")
        );
        assert_eq!(kind("/mnt/nfs/a/b").as_deref(), Some("nfs4"));
        assert!(NETWORK_FILE_SYSTEMS.contains(&"cifs"));
        assert!(!NETWORK_FILE_SYSTEMS.contains(&"ext4"));
        // This machine's temporary folder is a local disk: no warning.
        assert_eq!(network_warning(&std::env::temp_dir()), None);
    }

    #[test]
    fn two_officials_never_share_a_file() {
        let stems: Vec<String> = ["KIM A", "KIM A", "KIM A (2)", "kim a", "Ðé", "Ðe\u{0301}"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let names = unique_file_names(&stems, "pdf");
        assert_eq!(
            names,
            [
                "KIM A.pdf",
                "KIM A (3).pdf",
                "KIM A (2).pdf",
                "kim a (4).pdf",
                "Ðé.pdf",
                "Ðe\u{0301} (2).pdf"
            ]
        );
    }

    #[test]
    fn writing_replaces_the_file_and_leaves_no_part_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("Officials.csv");
        std::fs::write(&path, b"old").expect("old file");
        write_aside(&path, b"new").expect("written");
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(left.len(), 1, "{left:?}");
    }

    #[cfg(unix)]
    #[test]
    fn writing_aside_keeps_links_and_private_modes() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let real = dir.path().join("real.csv");
        std::fs::write(&real, b"old").expect("write");
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&real, &link).expect("link");
        write_aside(&link, b"new").expect("written");
        assert!(std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).expect("read"), b"new");
        let fresh = dir.path().join("fresh.pdf");
        write_aside(&fresh, b"pdf").expect("written");
        let mode = std::fs::metadata(&fresh)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        // A pipe or terminal is written into, not replaced.
        write_aside(Path::new("/dev/null"), b"x").expect("written through");
        assert!(std::os::unix::fs::FileTypeExt::is_char_device(
            &std::fs::metadata("/dev/null")
                .expect("dev null")
                .file_type()
        ));
        // Nothing of the temporary files is left.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
    }
}
