//! The README's invariants as failing tests (the idea of rust-analyzer's `xtask/src/tidy.rs`):
//! the layering of the engine (record types and field checks below storage, storage below
//! the features, no module importing its importer), the engine free of Tauri and clap, only
//! `ui/api.js` touching `window.__TAURI__`, a `//!` line atop every Rust file, and a codemap
//! that names every module of the engine. Run by `cargo test` with the rest.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Every file under `dir` whose name ends in `ext`, the build output left out.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "target" && !name.starts_with('.') && name != "node_modules" {
                    stack.push(path);
                }
            } else if name.ends_with(ext) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn engine() -> PathBuf {
    root().join("src-tauri/core/src")
}

/// A file's text without its `#[cfg(test)] mod tests { … }` (at the end of a file, by
/// convention here): tests may reach across layers.
fn without_tests(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    }
}

/// The engine's top-level module of a file: `store` for `store/file.rs`, `model` for `model.rs`.
fn module_of(path: &Path) -> String {
    let relative = path.strip_prefix(engine()).expect("an engine file");
    let first = relative
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    first.trim_end_matches(".rs").to_string()
}

/// The engine's modules and the other modules each one names (`crate::x`, `use crate::{x, …}`).
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let modules: BTreeSet<String> = files(&engine(), ".rs")
        .iter()
        .map(|p| module_of(p))
        .filter(|m| m != "lib")
        .collect();
    for path in files(&engine(), ".rs") {
        let from = module_of(&path);
        if from == "lib" || path.ends_with("tests.rs") {
            continue;
        }
        let text = read(&path);
        let text = without_tests(&text);
        let mut named = BTreeSet::new();
        for (at, _) in text.match_indices("crate::") {
            let rest = &text[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inside = &group[..group.find('}').unwrap_or(group.len())];
                for item in inside.split(',') {
                    named.insert(item.trim().split("::").next().unwrap_or("").to_string());
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                named.insert(name);
            }
        }
        let entry = graph.entry(from.clone()).or_default();
        entry.extend(
            named
                .into_iter()
                .filter(|n| modules.contains(n) && *n != from),
        );
    }
    graph
}

/// A path through the graph from `from` back to itself, if there is one.
fn cycle_through(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    let mut stack = vec![vec![from.to_string()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().cloned().unwrap_or_default();
        for next in graph.get(&last).into_iter().flatten() {
            if next == from {
                let mut cycle = path.clone();
                cycle.push(next.clone());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

#[test]
fn the_engines_modules_import_no_module_that_imports_them() {
    let graph = module_graph();
    assert!(graph.contains_key("store") && graph.contains_key("model"));
    for module in graph.keys() {
        if let Some(cycle) = cycle_through(&graph, module) {
            panic!(
                "the engine's modules import in a loop: {}",
                cycle.join(" → ")
            );
        }
    }
}

#[test]
fn records_and_field_checks_sit_below_storage() {
    let graph = module_graph();
    // The records, their field checks and rules, and what they use, never name storage or
    // anything built on it.
    let below = [
        "error",
        "text",
        "words",
        "reference",
        "dates",
        "fields",
        "model",
        "validate",
        "audience",
    ];
    for module in below {
        let named = graph.get(module).cloned().unwrap_or_default();
        let above: Vec<_> = named
            .iter()
            .filter(|n| !below.contains(&n.as_str()))
            .collect();
        assert!(
            above.is_empty(),
            "{module} sits below storage but names {above:?}"
        );
    }
    // Storage names only what sits below it (and the file helpers).
    let store = graph.get("store").cloned().unwrap_or_default();
    let above: Vec<_> = store
        .iter()
        .filter(|n| !below.contains(&n.as_str()) && *n != "files")
        .collect();
    assert!(above.is_empty(), "store names features above it: {above:?}");
}

#[test]
fn the_engine_depends_on_neither_tauri_nor_clap() {
    let manifest = read(&root().join("src-tauri/core/Cargo.toml"));
    for line in manifest.lines() {
        let name = line.split(['=', '.']).next().unwrap_or("").trim();
        assert!(
            !name.starts_with("tauri") && name != "clap",
            "ddesk-core depends on {name}: the engine stays free of the shell and the command line"
        );
    }
    // The window's crate is the only one that names Tauri; the CLI's never does.
    let cli = read(&root().join("src-tauri/cli/Cargo.toml"));
    assert!(!cli.lines().any(|l| l.trim_start().starts_with("tauri")));
}

#[test]
fn only_api_js_touches_the_backend() {
    let mut js = files(&root().join("ui"), ".js");
    js.extend(files(&root().join("ui"), ".html"));
    assert!(js.len() > 10, "the window's files were not found");
    for path in js {
        if path.ends_with("ui/api.js") {
            continue;
        }
        assert!(
            !read(&path).contains("__TAURI__"),
            "{} touches window.__TAURI__; only ui/api.js talks to the backend",
            path.display()
        );
    }
}

#[test]
fn every_rust_file_starts_with_a_doc_line() {
    let mut checked = 0;
    for dir in ["src-tauri", "tests", "xtask"] {
        for path in files(&root().join(dir), ".rs") {
            checked += 1;
            assert!(
                read(&path).starts_with("//!"),
                "{} does not start with a `//!` line saying what it is",
                path.display()
            );
        }
    }
    assert!(checked > 50, "only {checked} Rust files found");
}

#[test]
fn the_codemap_names_every_module_of_the_engine() {
    let readme = read(&root().join("README.md"));
    let start = readme.find("Codemap").expect("the README has a codemap");
    let codemap = &readme[start..];
    let codemap = &codemap[..codemap.find("\n## ").unwrap_or(codemap.len())];
    let mut missing = Vec::new();
    for path in files(&engine(), ".rs") {
        let relative = path
            .strip_prefix(engine())
            .expect("an engine file")
            .to_string_lossy()
            .replace('\\', "/");
        if relative == "lib.rs" || relative.ends_with("tests.rs") {
            continue;
        }
        if !codemap.contains(&format!("`{relative}`")) {
            missing.push(relative);
        }
    }
    assert!(
        missing.is_empty(),
        "the README's codemap does not name {missing:?}"
    );
}
