//! Linux (and other Unix desktops): the Secret Service; schemes registered through a
//! desktop entry and `xdg-mime`, at run time.

use super::Handling;

/// The app registers itself for any scheme, its own and an integration's.
pub fn scheme_handling(_own: bool) -> Handling {
    Handling::Register
}

/// Does nothing here: the message goes to stderr and the log (see [`crate::start`]); the
/// webview is part of the system (WebKitGTK is linked, macOS has WKWebView).
pub fn show_start_failure(_title: &str, _message: &str) {}

/// Nothing here: activation files arrive as arguments ([`crate::files::in_args`]).
pub fn run_event<R: tauri::Runtime>(_app: &tauri::AppHandle<R>, _event: &tauri::RunEvent) {}
