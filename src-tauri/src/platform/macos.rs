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
