//! A small W3C WebDriver client over tauri-driver, enough to drive the real app window:
//! launch, find, click, type, read text, run a script, quit.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The key WebDriver uses for element references.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long a find or a wait may take before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

/// The running app, reached through tauri-driver.
#[derive(Debug)]
pub struct App {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
}

/// A reference to one element of the page.
#[derive(Debug, Clone)]
pub struct Element(String);

/// Where the app under test saves what its Save and folder dialogs would have asked about:
/// a native dialog is beyond WebDriver.
pub fn saved_dir(home: &Path) -> std::path::PathBuf {
    let dir = home.join("saved");
    std::fs::create_dir_all(&dir).expect("saved folder");
    dir
}

impl App {
    /// Starts the app built by `cargo xtask test` with its data under `home` (the OS
    /// app-data folder is `$XDG_DATA_HOME`), so each test has a library of its own; a new
    /// library gets the demo events (asked for with DDESK_DEMO, as the tests work on them).
    pub fn launch(home: &Path) -> App {
        App::start(home, true, false)
    }

    /// [`App::launch`] without asking for the demo: a new library starts empty, as an
    /// officer's does.
    pub fn launch_empty(home: &Path) -> App {
        App::start(home, false, false)
    }

    /// The app as an officer starts it: no passphrase in its environment and no credential
    /// store, so an encrypted library waits on the lock screen (and a new one asks for a
    /// passphrase to be chosen).
    pub fn launch_locked(home: &Path) -> App {
        App::start(home, false, true)
    }

    fn start(home: &Path, demo: bool, locked: bool) -> App {
        // A new library's first start shows its recovery code once; the officer keeps it and
        // closes the sheet, and so do the tests before anything else.
        let first_start = !home
            .join("data/org.delegationdesk.app/library.sqlite3")
            .exists();
        let app = std::env::var("DDESK_APP").expect("DDESK_APP: run through `cargo xtask test`");
        let driver_bin = std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into());
        let (port, native) = (free_port(), free_port());
        let mut driver = Command::new(driver_bin);
        if demo {
            driver.env("DDESK_DEMO", "1");
        }
        if locked {
            // The officer's start: no passphrase given, no credential store on this machine
            // (and the developer's own kept out), so the window asks.
            driver
                .env_remove("DDESK_PASSPHRASE")
                .env("DDESK_KEYRING", "off");
        } else {
            crate::unlocked(&mut driver);
        }
        let driver = driver
            // Its own process group, so that stopping it also stops WebKitWebDriver and the app.
            .process_group(0)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            // The app's Save and folder dialogs answer with this folder (see `saved_dir`).
            .env("DDESK_E2E_SAVE_DIR", saved_dir(home))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start tauri-driver");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            if agent.get(&format!("{base}/status")).call().is_ok() {
                break;
            }
            assert!(started.elapsed() < PATIENCE, "tauri-driver did not answer");
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps =
            json!({"capabilities": {"alwaysMatch": {"tauri:options": {"application": app}}}});
        let mut app = App {
            driver,
            base,
            session: String::new(),
            agent,
        };
        let value = app.request("POST", "/session", Some(caps));
        app.session = value["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {value}"))
            .to_string();
        if first_start && !locked {
            app.wait_for(
                "the new library's recovery code",
                "return document.querySelector('#tools-dialog[open] #recovery-kept')",
            );
            app.click_on("#recovery-kept");
        }
        app
    }

    fn request(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{}", self.base, path);
        let response = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, Some(body)) => self.agent.post(&url).send_json(body),
            (_, None) => self.agent.post(&url).send_json(json!({})),
        };
        let mut response = response.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status();
        let value: Value = response
            .body_mut()
            .read_json()
            .unwrap_or_else(|e| panic!("{method} {path}: unreadable answer: {e}"));
        assert!(
            status.is_success(),
            "{method} {path} failed: {status} {value}"
        );
        value["value"].clone()
    }

    fn session_path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    /// Runs `script` in the page and returns its value.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.request(
            "POST",
            &self.session_path("/execute/sync"),
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Waits until `script` returns a truthy value, and returns it.
    pub fn wait_for(&self, what: &str, script: &str) -> Value {
        let started = Instant::now();
        loop {
            let v = self.execute(script, vec![]);
            let truthy =
                !matches!(&v, Value::Null | Value::Bool(false)) && v != json!("") && v != json!(0);
            if truthy {
                return v;
            }
            assert!(started.elapsed() < PATIENCE, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn try_find(&self, css: &str) -> Option<Element> {
        let url = format!("{}{}", self.base, self.session_path("/element"));
        let mut response = self
            .agent
            .post(&url)
            .send_json(json!({"using": "css selector", "value": css}))
            .ok()?;
        if !response.status().is_success() {
            return None;
        }
        let value: Value = response.body_mut().read_json().ok()?;
        value["value"][ELEMENT]
            .as_str()
            .map(|id| Element(id.to_string()))
    }

    /// Finds the first element matching `css`, waiting for it to appear.
    pub fn find(&self, css: &str) -> Element {
        let started = Instant::now();
        loop {
            if let Some(e) = self.try_find(css) {
                return e;
            }
            assert!(started.elapsed() < PATIENCE, "no element matches {css}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn click(&self, e: &Element) {
        self.request(
            "POST",
            &self.session_path(&format!("/element/{}/click", e.0)),
            None,
        );
    }

    /// Clears a field and types `text` into it.
    pub fn fill(&self, e: &Element, text: &str) {
        self.request(
            "POST",
            &self.session_path(&format!("/element/{}/clear", e.0)),
            None,
        );
        self.request(
            "POST",
            &self.session_path(&format!("/element/{}/value", e.0)),
            Some(json!({"text": text})),
        );
    }

    /// [`App::request`] on element `e` (`what`: `click`, `clear`, `value`, `text`), or `None`
    /// when WebDriver refused it — most often because the page redrew the element.
    fn try_on(&self, e: &Element, method: &str, what: &str, body: Value) -> Option<Value> {
        let url = format!(
            "{}{}",
            self.base,
            self.session_path(&format!("/element/{}/{what}", e.0))
        );
        let mut response = match method {
            "GET" => self.agent.get(&url).call(),
            _ => self.agent.post(&url).send_json(body),
        }
        .ok()?;
        if !response.status().is_success() {
            return None;
        }
        let value: Value = response.body_mut().read_json().ok()?;
        Some(value["value"].clone())
    }

    /// Does `act` on the element matching `css`, finding it again until `act` succeeds: the
    /// page may redraw it between finding and acting (a list repaints when its data arrives,
    /// a form opens in place of the one before it, a screen repaints in another language).
    fn on<T>(&self, css: &str, doing: &str, act: impl Fn(&Element) -> Option<T>) -> T {
        let started = Instant::now();
        loop {
            if let Some(done) = act(&self.find(css)) {
                return done;
            }
            assert!(started.elapsed() < PATIENCE, "could not {doing} {css}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Finds the field matching `css`, clears it and types `text` (see [`App::on`]).
    pub fn fill_in(&self, css: &str, text: &str) {
        self.on(css, "type into", |e| {
            self.try_on(e, "POST", "clear", json!({}))?;
            self.try_on(e, "POST", "value", json!({"text": text}))
        });
    }

    /// Finds and clicks the element matching `css` (see [`App::on`]).
    pub fn click_on(&self, css: &str) {
        self.on(css, "click", |e| self.try_on(e, "POST", "click", json!({})));
    }

    /// The text of the element matching `css` (see [`App::on`]).
    pub fn text_of(&self, css: &str) -> String {
        let text = self.on(css, "read", |e| self.try_on(e, "GET", "text", Value::Null));
        text.as_str().unwrap_or_default().to_string()
    }

    /// Types into an element without clearing it first; into a file input, a path picks
    /// that file.
    pub fn send_keys(&self, e: &Element, text: &str) {
        self.request(
            "POST",
            &self.session_path(&format!("/element/{}/value", e.0)),
            Some(json!({"text": text})),
        );
    }

    /// Drags with the mouse from the middle of `from` to the middle of `to`, through a point
    /// on the way, as a hand would (the button down, a move, the button up).
    pub fn drag(&self, from: &Element, to: &Element) {
        let at = |e: &Element| {
            let mut origin = serde_json::Map::new();
            origin.insert(ELEMENT.to_string(), Value::from(e.0.clone()));
            Value::Object(origin)
        };
        let actions = json!([
            {"type": "pointerMove", "origin": at(from), "x": 0, "y": 0, "duration": 0},
            {"type": "pointerDown", "button": 0},
            {"type": "pointerMove", "origin": "pointer", "x": 12, "y": 12, "duration": 100},
            {"type": "pointerMove", "origin": at(to), "x": 0, "y": 0, "duration": 200},
            {"type": "pointerUp", "button": 0},
        ]);
        self.request(
            "POST",
            &self.session_path("/actions"),
            Some(json!({"actions": [{
                "type": "pointer", "id": "mouse",
                "parameters": {"pointerType": "mouse"},
                "actions": actions,
            }]})),
        );
        self.request("DELETE", &self.session_path("/actions"), None);
    }

    /// Presses keys on the focused element, as a person would: `chord` keys go down in order
    /// and come up in reverse, so `["\u{E009}", "n"]` is Ctrl+N.
    pub fn press(&self, chord: &[&str]) {
        let mut actions: Vec<Value> = chord
            .iter()
            .map(|k| json!({"type": "keyDown", "value": k}))
            .collect();
        actions.extend(
            chord
                .iter()
                .rev()
                .map(|k| json!({"type": "keyUp", "value": k})),
        );
        self.request(
            "POST",
            &self.session_path("/actions"),
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        );
        self.request("DELETE", &self.session_path("/actions"), None);
    }

    pub fn text(&self, e: &Element) -> String {
        self.request(
            "GET",
            &self.session_path(&format!("/element/{}/text", e.0)),
            None,
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Saves a PNG of the window, for a person to look at when a test fails.
    pub fn screenshot(&self, path: &Path) {
        // The X display as the officer would see it (ImageMagick's `import`), not WebDriver's
        // screenshot: WebKitWebDriver's snapshot never answers when the page is painted
        // without compositing, as the app paints it. A missing picture fails no test.
        let _ = Command::new("import")
            .args(["-window", "root"])
            .arg(path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    /// Closes the window and stops the driver.
    pub fn quit(mut self) {
        let _ = self
            .agent
            .delete(&format!("{}{}", self.base, self.session_path("")))
            .call();
        self.stop_driver();
    }

    fn stop_driver(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.stop_driver();
    }
}

/// Where failing end-to-end tests leave their screenshots.
pub fn artifacts_dir() -> PathBuf {
    let dir = crate::workspace().join("target/e2e-artifacts");
    let _ = std::fs::create_dir_all(&dir);
    dir
}
