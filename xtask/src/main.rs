//! Developer commands, so that a fresh Debian/Ubuntu machine needs only these two:
//! `cargo xtask run` (install what the app needs, build it in release, start it on the demo)
//! and `cargo xtask test` (install what the tests need, then run every check CI runs).

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// Debian packages the desktop app needs to build and run (Tauri's documented Linux list).
const BUILD_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "curl",
    "wget",
    "file",
    "libssl-dev",
    "libxdo-dev",
    "libwebkit2gtk-4.1-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
];

/// What the tests need on top: a virtual display, the WebKit WebDriver, fonts for every
/// script our officials write their names in, poppler to read PDFs back.
const TEST_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "dbus",
    "webkit2gtk-driver",
    "fonts-noto-core",
    "fonts-noto-cjk",
    "poppler-utils",
    "imagemagick",
];

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("run") => run(),
        Some("test") => test(),
        Some("screenshot") => screenshot(args.get(1).map(PathBuf::from)),
        Some("bench") => bench(),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n  run         install what is missing, build in release, start the app\n  test        install what tests need, then fmt, clippy, unit, integration and end-to-end tests\n  screenshot  [FILE.png] start the release app under Xvfb and save a screenshot\n  bench       release benchmarks at 20,000 officials; prints a table, writes target/bench/*.json"
            );
            Err("no command given".into())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn step(title: &str) {
    println!("\n==> {title}");
}

fn cmd(program: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args).current_dir(root());
    c
}

fn status(mut c: Command) -> Result {
    let shown = format!("{c:?}");
    let s = c
        .status()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if s.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({s})"))
    }
}

fn cargo(args: &[&str]) -> Result {
    status(cmd(
        &env::var("CARGO").unwrap_or_else(|_| "cargo".into()),
        args,
    ))
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program} >/dev/null 2>&1")])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Installs the Debian packages that are not installed yet; on other systems says what to do.
fn ensure_packages(packages: &[&str]) -> Result {
    if !cfg!(target_os = "linux") {
        println!(
            "On Windows the app needs WebView2 (present on Windows 10/11); on macOS, Xcode's command-line tools. Nothing to install automatically."
        );
        return Ok(());
    }
    if !have("dpkg-query") || !have("apt-get") {
        println!(
            "Not a Debian/Ubuntu system: install the equivalents of these packages yourself: {}",
            packages.join(" ")
        );
        return Ok(());
    }
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            !Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", p])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
                .unwrap_or(false)
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    step(&format!("installing {}", missing.join(" ")));
    let sudo: &[&str] = if is_root() { &[] } else { &["sudo"] };
    let run_apt = |args: &[&str]| -> Result {
        let mut all: Vec<&str> = sudo.to_vec();
        all.push("apt-get");
        all.extend_from_slice(args);
        let mut c = cmd(all[0], &all[1..]);
        c.env("DEBIAN_FRONTEND", "noninteractive");
        status(c)
    };
    run_apt(&["update", "-qq"])?;
    let mut install = vec!["install", "-y", "-qq", "--no-install-recommends"];
    install.extend(missing.iter().copied());
    run_apt(&install)
}

fn cargo_bin_dir() -> PathBuf {
    env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default()
        .join("bin")
}

/// tauri-driver bridges WebDriver clients to WebKitWebDriver for Tauri apps.
fn ensure_tauri_driver() -> Result<PathBuf> {
    let path = cargo_bin_dir().join("tauri-driver");
    if !path.exists() {
        step("installing tauri-driver");
        cargo(&["install", "tauri-driver", "--version", "^2", "--locked"])?;
    }
    Ok(path)
}

fn run() -> Result {
    ensure_packages(BUILD_PACKAGES)?;
    step("building the app (release)");
    cargo(&["build", "--release", "-p", "delegation-desk"])?;
    step("starting Delegation Desk");
    status(cmd(
        root()
            .join("target/release/delegation-desk")
            .to_str()
            .unwrap_or("delegation-desk"),
        &[],
    ))
}

/// A private X display for the end-to-end tests; killed when dropped.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Result<Xvfb> {
        for n in 90..110 {
            if Path::new(&format!("/tmp/.X{n}-lock")).exists() {
                continue;
            }
            let display = format!(":{n}");
            let child = Command::new("Xvfb")
                .args([
                    display.as_str(),
                    "-screen",
                    "0",
                    "1280x800x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("could not start Xvfb: {e}"))?;
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                    return Ok(Xvfb { child, display });
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Err("Xvfb did not start".into())
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn test() -> Result {
    let mut packages = BUILD_PACKAGES.to_vec();
    packages.extend_from_slice(TEST_PACKAGES);
    ensure_packages(&packages)?;
    let driver = ensure_tauri_driver()?;

    step("cargo fmt --check");
    cargo(&["fmt", "--all", "--", "--check"])?;
    step("cargo clippy (all targets, warnings are errors)");
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--features",
        "delegation-desk-tests/e2e",
        "--",
        "-D",
        "warnings",
    ])?;
    step("unit and integration tests");
    cargo(&["test", "--workspace"])?;
    step("building the app for the end-to-end tests");
    cargo(&["build", "-p", "delegation-desk"])?;
    step("end-to-end tests: the real app under Xvfb through WebDriver");
    let xvfb = Xvfb::start()?;
    let mut c = cmd(
        &env::var("CARGO").unwrap_or_else(|_| "cargo".into()),
        &[
            "test",
            "-p",
            "delegation-desk-tests",
            "--features",
            "e2e",
            "--test",
            "e2e",
            "--",
            "--test-threads=1",
        ],
    );
    c.env("DISPLAY", &xvfb.display)
        .env("DDESK_APP", root().join("target/debug/delegation-desk"))
        .env("TAURI_DRIVER", &driver)
        // No accessibility bus under Xvfb; without this GTK waits for one at start-up.
        .env("NO_AT_BRIDGE", "1");
    status(c)?;
    drop(xvfb);
    println!("\nAll checks passed.");
    Ok(())
}

/// Runs the benchmark programs in release and keeps their figures as JSON.
fn bench() -> Result {
    let out = root().join("target/bench");
    std::fs::create_dir_all(&out)
        .map_err(|e| format!("could not create {}: {e}", out.display()))?;
    step("engine benchmarks (release, 20,000 officials)");
    let json = out.join("engine.json");
    cargo(&[
        "bench",
        "-p",
        "ddesk-core",
        "--bench",
        "engine",
        "--",
        "--json",
        json.to_str().unwrap_or("target/bench/engine.json"),
    ])
}

/// Starts the release app on a private display and saves what the officer would see.
fn screenshot(out: Option<PathBuf>) -> Result {
    let out = out.unwrap_or_else(|| root().join("tests/e2e/screenshot.png"));
    cargo(&["build", "--release", "-p", "delegation-desk"])?;
    let xvfb = Xvfb::start()?;
    // A library of its own, so the picture shows the demo and not the officer's own events.
    let home = env::temp_dir().join(format!("ddesk-screenshot-{}", std::process::id()));
    let mut app = Command::new(root().join("target/release/delegation-desk"))
        .env("DISPLAY", &xvfb.display)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("NO_AT_BRIDGE", "1")
        .spawn()
        .map_err(|e| format!("could not start the app: {e}"))?;
    std::thread::sleep(Duration::from_secs(6));
    let shot = status({
        let mut c = cmd(
            "import",
            &["-window", "root", out.to_str().unwrap_or("screenshot.png")],
        );
        c.env("DISPLAY", &xvfb.display);
        c
    });
    let _ = app.kill();
    let _ = app.wait();
    let _ = std::fs::remove_dir_all(&home);
    shot?;
    println!("saved {}", out.display());
    Ok(())
}
