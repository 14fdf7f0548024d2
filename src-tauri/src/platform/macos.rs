//! macOS: the Keychain; only the installed app bundle receives links, of the schemes its
//! `Info.plist` declares (the app's own), so an integration's scheme is pasted.

use super::Handling;

/// The own scheme through the bundle; any other is pasted.
pub fn scheme_handling(own: bool) -> Handling {
    if own {
        Handling::Bundled
    } else {
        Handling::Paste
    }
}

/// Does nothing here: the message goes to stderr and the log (see [`crate::start`]); the
/// webview is part of the system (WebKitGTK is linked, macOS has WKWebView).
pub fn show_start_failure(_title: &str, _message: &str) {}

/// A double-clicked activation file reaches a macOS app as `RunEvent::Opened` with a
/// `file://` URL (the bundle's `CFBundleDocumentTypes`, from `bundle.fileAssociations`), at a
/// cold start as well as while it runs: read it for the window ([`crate::files::open`]).
/// Links of the app's scheme arrive the same way; the deep-link plugin delivers those.
/// Compiled and tested on the release workflow's macOS runner only, not on Linux.
pub fn run_event<R: tauri::Runtime>(app: &tauri::AppHandle<R>, event: &tauri::RunEvent) {
    if let tauri::RunEvent::Opened { urls } = event {
        if let Some(path) = crate::files::in_urls(urls) {
            crate::files::open(app, &path);
        }
    }
}
