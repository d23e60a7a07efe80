//! The window only ever shows the app's own pages: any navigation elsewhere (a link in pasted
//! text, a script that slipped past the CSP, a dropped URL) is refused before it loads.

use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Runtime, Url};

/// The origins the embedded UI is served from: `tauri://localhost` on Linux and macOS,
/// `http(s)://tauri.localhost` on Windows.
pub fn is_app_url(url: &Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        _ => false,
    }
}

/// A plugin whose only job is to veto navigation away from the app.
pub fn guard<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("navigation-guard")
        .on_navigation(|_webview, url| {
            let allowed = is_app_url(url);
            if !allowed {
                eprintln!("delegation-desk: refused navigation to {}", url.scheme());
            }
            allowed
        })
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(url: &str) -> bool {
        is_app_url(&Url::parse(url).expect("url"))
    }

    #[test]
    fn only_the_apps_own_origin_may_load() {
        assert!(allowed("tauri://localhost/index.html"));
        assert!(allowed("http://tauri.localhost/"));
        for other in [
            "https://example.com/",
            "http://127.0.0.1:8080/",
            "http://tauri.localhost.example.com/",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "tauri://evil/",
        ] {
            assert!(!allowed(other), "{other}");
        }
    }
}
