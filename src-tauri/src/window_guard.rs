//! The window's own safeguards, as a plugin so that every webview of the app (and the app on
//! Tauri's mock runtime) gets them:
//!
//! - **Navigation guard**: the webview may show only the app's own pages ([`is_own_page`]:
//!   `tauri://localhost/…`, or `http(s)://tauri.localhost/…` where Windows serves them).
//!   Anything else (a link, a script setting `location`, a form) is refused and logged by
//!   its address without query ([`activation::logging::redacted_url`]). The browser is
//!   opened by Rust, never by navigating the window.
//! - **A web process that ends** (Linux, WebKitGTK: it crashed, ran out of memory or was
//!   ended from outside) leaves a blank window: it is logged and the page loaded again, so
//!   the user is back on the first screen (or the saved connections) within seconds.

use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Runtime, Url};

/// True for the app's own pages, which the webview may show.
pub fn is_own_page(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    match url.scheme() {
        "tauri" => host == "localhost",
        "http" | "https" => host == "tauri.localhost",
        _ => false,
    }
}

/// The plugin: the navigation guard and, on Linux, the web process watch.
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("window-guard")
        .on_navigation(|_, url| {
            let own = is_own_page(url);
            if !own {
                tracing::warn!(url = %activation::logging::redacted_url(url.as_str()), "navigation away from the app's pages refused");
            }
            own
        })
        .on_webview_ready(|webview| watch_web_process(&webview))
        .build()
}

/// Reloads the page when WebKitGTK's web process ends (the `web-process-terminated` signal).
#[cfg(target_os = "linux")]
fn watch_web_process<R: Runtime>(webview: &tauri::Webview<R>) {
    let label = webview.label().to_string();
    let watched = webview.with_webview(move |platform| {
        use webkit2gtk::{WebProcessTerminationReason, WebViewExt};
        platform.inner().connect_web_process_terminated(move |view, reason| {
            let reason = match reason {
                WebProcessTerminationReason::Crashed => "crashed",
                WebProcessTerminationReason::ExceededMemoryLimit => "exceeded its memory limit",
                WebProcessTerminationReason::TerminatedByApi => "was ended by the app",
                _ => "ended",
            };
            tracing::error!(webview = %label, reason, "the window's web process ended; loading the page again");
            view.reload();
        });
    });
    if let Err(e) = watched {
        tracing::warn!(error = %e, "cannot watch the window's web process");
    }
}

#[cfg(not(target_os = "linux"))]
fn watch_web_process<R: Runtime>(_webview: &tauri::Webview<R>) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_apps_own_pages_are_allowed() {
        for own in [
            "tauri://localhost/",
            "tauri://localhost/index.html#x",
            "http://tauri.localhost/",
            "https://tauri.localhost/a",
        ] {
            assert!(is_own_page(&own.parse().unwrap()), "{own}");
        }
        for other in [
            "https://example.com/",
            "http://localhost:9876/callback?code=x",
            "tauri://evil/",
            "https://tauri.localhost.evil.example/",
            "file:///etc/passwd",
            "about:blank",
            "data:text/html,hi",
            "javascript:alert(1)",
        ] {
            assert!(!is_own_page(&other.parse().unwrap()), "{other}");
        }
    }
}
