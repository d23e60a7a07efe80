//! The system's fonts as the last scan found them, kept in the user's cache folder: a scan
//! reads every face of every installed font (about 40 % of printing one badge, a third of a
//! second on a laptop with the Noto families), and the fonts rarely change between two prints.
//! The cache holds each font file's size and time of change and the time of change of every
//! folder the fonts live in (and of fontconfig's configuration): a font added, removed or
//! replaced, or a folder configured, changes one of them, and the next print scans again.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use typst::text::FontInfo;
use typst_kit::fonts::FontPath;

use crate::files::stamp;

/// What the cache holds, and the typst whose `FontInfo` it keeps: another version scans again.
fn format() -> String {
    format!("fonts-1-typst-{}", typst::utils::version().raw())
}

/// Folders fonts are installed in, and fontconfig's configuration, per system: a font put in
/// one of them changes a folder's time even before the first scan has found a font there.
fn roots() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let home = dirs::home_dir();
    if cfg!(target_os = "windows") {
        if let Some(windir) = std::env::var_os("WINDIR") {
            out.push(PathBuf::from(windir).join("Fonts"));
        }
        if let Some(local) = dirs::data_local_dir() {
            out.push(local.join("Microsoft").join("Windows").join("Fonts"));
        }
    } else if cfg!(target_os = "macos") {
        out.extend(
            [
                "/Library/Fonts",
                "/System/Library/Fonts",
                "/Network/Library/Fonts",
            ]
            .map(PathBuf::from),
        );
        if let Some(home) = &home {
            out.push(home.join("Library/Fonts"));
        }
    } else {
        out.extend(
            [
                "/usr/share/fonts",
                "/usr/local/share/fonts",
                "/etc/fonts",
                "/etc/fonts/conf.d",
            ]
            .map(PathBuf::from),
        );
        if let Some(data) = dirs::data_dir() {
            out.push(data.join("fonts"));
        }
        if let Some(home) = &home {
            out.push(home.join(".fonts"));
        }
        if let Some(config) = dirs::config_dir() {
            out.push(config.join("fontconfig"));
        }
    }
    out
}

#[derive(Serialize, Deserialize)]
struct Cache {
    format: String,
    /// Every folder that mattered: the roots (absent ones too) and every folder under them,
    /// with its stamp (none: absent).
    folders: Vec<(PathBuf, Option<(u64, u128)>)>,
    files: Vec<CachedFile>,
}

#[derive(Serialize, Deserialize)]
struct CachedFile {
    path: PathBuf,
    stamp: (u64, u128),
    faces: Vec<(u32, FontInfo)>,
}

fn cache_file() -> Option<PathBuf> {
    if std::env::var_os("DDESK_FONT_CACHE").is_some_and(|v| v == "off") {
        return None;
    }
    Some(
        dirs::cache_dir()?
            .join(crate::store::APP_IDENTIFIER)
            .join("fonts.json"),
    )
}

/// The system's faces: from the cache while nothing it depends on changed, else scanned (and
/// the cache written again, when the folder can be written).
pub(super) fn system_faces() -> Vec<(FontPath, FontInfo)> {
    let file = cache_file();
    if let Some(faces) = file.as_deref().and_then(read) {
        return faces;
    }
    let faces: Vec<(FontPath, FontInfo)> = typst_kit::fonts::system().collect();
    if let Some(file) = file {
        write(&file, &faces, &roots());
    }
    faces
}

/// The argument that makes a copy of the app scan the fonts and exit (`scan_ahead_if_missing`).
const SCAN_ARG: &str = "--scan-fonts-ahead";

/// On a computer where no print has run yet (no cache at all), has a copy of this program scan
/// the system's fonts and write the cache, so that the first print does not scan: the scan took
/// a third of a second out of a new user's first preview, and the window's start keeps one core
/// busy while the other is mostly idle. A process of its own, because the scan's few megabytes
/// of heap stayed with the app after a thread's scan. Where a cache exists nothing is done here,
/// not even reading it (that cost every start 20–30 ms): a print checks it, as before.
pub(super) fn scan_ahead_if_missing() {
    let Some(file) = cache_file() else { return };
    if file.exists() {
        return;
    }
    let Ok(program) = std::env::current_exe() else {
        return;
    };
    let child = std::process::Command::new(program)
        .arg(SCAN_ARG)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Ok(mut child) = child {
        // Reaped when it is done, so that no finished process lingers beside the app.
        std::thread::spawn(move || child.wait());
    }
}

/// Scans and exits, when this process is the copy `scan_ahead_if_missing` started; returns at
/// once otherwise. Call it first thing in `main`.
pub(super) fn serve_scan_if_asked() {
    if std::env::args_os().nth(1).as_deref() != Some(std::ffi::OsStr::new(SCAN_ARG)) {
        return;
    }
    if let Some(file) = cache_file() {
        refresh_at(&file, &roots(), || typst_kit::fonts::system().collect());
    }
    std::process::exit(0);
}

/// Scans the fonts under `roots` and writes the cache `file`, unless it holds: whether it scanned.
fn refresh_at(
    file: &Path,
    roots: &[PathBuf],
    scan: impl FnOnce() -> Vec<(FontPath, FontInfo)>,
) -> bool {
    if read(file).is_some() {
        return false;
    }
    write(file, &scan(), roots);
    true
}

/// The cached faces, if the cache is whole and still true.
fn read(file: &Path) -> Option<Vec<(FontPath, FontInfo)>> {
    let bytes = std::fs::read(file).ok()?;
    let cache: Cache = serde_json::from_slice(&bytes).ok()?;
    if cache.format != format() {
        return None;
    }
    let still = cache.folders.iter().all(|(path, s)| stamp(path) == *s)
        && cache.files.iter().all(|f| stamp(&f.path) == Some(f.stamp));
    if !still {
        return None;
    }
    Some(
        cache
            .files
            .into_iter()
            .flat_map(|f| {
                let path = f.path;
                f.faces.into_iter().map(move |(index, info)| {
                    (
                        FontPath {
                            path: path.clone(),
                            index,
                        },
                        info,
                    )
                })
            })
            .collect(),
    )
}

/// Every folder under `root` (itself included).
fn folders_under(root: &Path, out: &mut Vec<PathBuf>) {
    out.push(root.to_path_buf());
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            folders_under(&entry.path(), out);
        }
    }
}

/// Writes the cache aside (`files::write_aside`), so that another process never reads half of
/// one. Failing is no error: the next print scans again.
fn write(file: &Path, faces: &[(FontPath, FontInfo)], roots: &[PathBuf]) {
    let mut folders: Vec<PathBuf> = Vec::new();
    for root in roots {
        folders_under(root, &mut folders);
    }
    let mut files: Vec<CachedFile> = Vec::new();
    for (path, info) in faces {
        if let Some(parent) = path.path.parent() {
            folders.push(parent.to_path_buf());
        }
        match files.iter_mut().find(|f| f.path == path.path) {
            Some(f) => f.faces.push((path.index, info.clone())),
            None => {
                let Some(s) = stamp(&path.path) else { continue };
                files.push(CachedFile {
                    path: path.path.clone(),
                    stamp: s,
                    faces: vec![(path.index, info.clone())],
                });
            }
        }
    }
    folders.sort();
    folders.dedup();
    let cache = Cache {
        format: format(),
        folders: folders
            .into_iter()
            .map(|f| {
                let s = stamp(&f);
                (f, s)
            })
            .collect(),
        files,
    };
    let Some(dir) = file.parent() else { return };
    let Ok(bytes) = serde_json::to_vec(&cache) else {
        return;
    };
    if std::fs::create_dir_all(dir).is_ok() {
        let _ = crate::files::write_aside(file, &bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A font file of the system's, for a folder of fonts of the test's own.
    fn some_font() -> PathBuf {
        typst_kit::fonts::system()
            .map(|(path, _)| path.path)
            .find(|p| p.extension().is_some_and(|e| e == "ttf" || e == "otf"))
            .expect("the machine has a TrueType or OpenType font")
    }

    fn same(a: &[(FontPath, FontInfo)], b: &[(FontPath, FontInfo)]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.0.path == y.0.path && x.0.index == y.0.index && x.1 == y.1)
    }

    #[test]
    fn a_refresh_scans_only_where_the_cache_does_not_hold() {
        let dir = tempfile::tempdir().expect("dir");
        let fonts = dir.path().join("fonts");
        std::fs::create_dir_all(&fonts).expect("folder");
        std::fs::copy(some_font(), fonts.join("a.ttf")).expect("copy");
        let file = dir.path().join("cache/fonts.json");
        let roots = std::slice::from_ref(&fonts);
        let scan = || typst_kit::fonts::scan(&fonts).collect::<Vec<_>>();
        assert!(refresh_at(&file, roots, scan), "no cache yet: scanned");
        assert!(read(&file).is_some(), "and written");
        let fresh = refresh_at(&file, roots, || panic!("the cache held: no scan"));
        assert!(!fresh);
        std::fs::copy(some_font(), fonts.join("b.ttf")).expect("copy");
        assert!(
            refresh_at(&file, roots, scan),
            "a font added: scanned again"
        );
        let cached = read(&file).expect("written again");
        assert_eq!(cached.len(), scan().len());
    }

    #[test]
    fn the_cache_holds_the_scan_until_a_font_or_a_folder_changes() {
        let dir = tempfile::tempdir().expect("dir");
        let fonts = dir.path().join("fonts");
        std::fs::create_dir_all(fonts.join("sub")).expect("folders");
        let font = some_font();
        std::fs::copy(&font, fonts.join("sub/a.ttf")).expect("copy");
        let file = dir.path().join("cache/fonts.json");
        let scanned: Vec<_> = typst_kit::fonts::scan(&fonts).collect();
        assert!(!scanned.is_empty());
        write(&file, &scanned, std::slice::from_ref(&fonts));
        let cached = read(&file).expect("a cache that holds");
        assert!(same(&cached, &scanned), "the scan, face for face");

        // A font added to a folder: the folder's time moves, the cache no longer holds.
        std::fs::copy(&font, fonts.join("sub/b.ttf")).expect("copy");
        assert!(read(&file).is_none(), "a font was added");
        let scanned: Vec<_> = typst_kit::fonts::scan(&fonts).collect();
        write(&file, &scanned, std::slice::from_ref(&fonts));
        assert!(read(&file).is_some());

        // A font replaced in place (another size), or a new folder of fonts.
        std::fs::write(fonts.join("sub/b.ttf"), b"not a font any more").expect("write");
        assert!(read(&file).is_none(), "a font was replaced");
        write(&file, &scanned, std::slice::from_ref(&fonts));
        std::fs::create_dir(fonts.join("more")).expect("folder");
        assert!(read(&file).is_none(), "a folder was added");

        // Another version's cache, or a damaged one, is scanned again.
        std::fs::write(&file, b"{").expect("write");
        assert!(read(&file).is_none());
    }
}
