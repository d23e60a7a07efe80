//! How the window starts: which event and tab to open first (`--open EVENT_ID [--tab TAB]`,
//! for a desktop shortcut to one event, and for the cold-start benchmark), and whether to
//! report paint timings on stdout (`DDESK_PROBE=1`, used only by `cargo xtask bench`).

use std::io::Write;

use serde::Serialize;

/// The tabs an event opens on; anything else falls back to the dashboard in the UI.
const TABS: &[&str] = &[
    "dashboard",
    "delegations",
    "officials",
    "travel",
    "hotels",
    "venues",
    "agenda",
    "protocol",
    "ground",
    "print",
    "output",
    "letters",
    "import",
];

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Startup {
    /// The event to open instead of the library.
    pub event_id: Option<String>,
    pub tab: Option<String>,
    /// When true the UI reports timings through `ui_metric`.
    pub probe: bool,
    /// A team-sync bundle the app was opened with (double-clicked): received once the window
    /// is up (`sync_receive_opened`).
    pub bundle: Option<String>,
}

impl Startup {
    /// Reads `--open ID` and `--tab NAME` from the arguments; unknown arguments are ignored so
    /// that what a desktop environment adds (file paths, session flags) cannot stop the app.
    pub fn from_args(args: impl IntoIterator<Item = String>, probe: bool) -> Startup {
        let mut out = Startup {
            probe,
            ..Startup::default()
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--open" => out.event_id = args.next().filter(|v| !v.is_empty()),
                "--tab" => out.tab = args.next().filter(|v| TABS.contains(&v.as_str())),
                other if is_bundle(other) => out.bundle = Some(other.to_string()),
                _ => {}
            }
        }
        out
    }
}

/// Whether a command-line argument is a team-sync bundle (what a double-click passes).
pub fn is_bundle(arg: &str) -> bool {
    !arg.starts_with('-')
        && std::path::Path::new(arg)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("ddsync"))
}

/// One line on stdout that the benchmark reads: `metric NAME MILLISECONDS`.
pub fn report(name: &str, ms: f64) {
    // The name comes from the webview; keep the line one token so it cannot forge others.
    let name: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(40)
        .collect();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "metric {name} {ms:.1}");
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn open_and_tab_are_read_and_checked() {
        let s = Startup::from_args(args(&["--open", "e1", "--tab", "officials"]), false);
        assert_eq!(s.event_id.as_deref(), Some("e1"));
        assert_eq!(s.tab.as_deref(), Some("officials"));
        let s = Startup::from_args(args(&["--tab", "nowhere", "--weird", "--open"]), true);
        assert_eq!(
            s,
            Startup {
                event_id: None,
                tab: None,
                probe: true,
                bundle: None,
            }
        );
        // A double-clicked bundle, as the desktop passes it.
        let s = Startup::from_args(args(&["/home/kim/Downloads/Lee.DDSYNC"]), false);
        assert_eq!(s.bundle.as_deref(), Some("/home/kim/Downloads/Lee.DDSYNC"));
        assert_eq!(Startup::from_args(args(&["notes.txt"]), false).bundle, None);
    }
}
