//! What differs between Windows, macOS and Linux in the shell, one file per platform (as
//! the official single-instance plugin splits its `platform_impl`), instead of `#[cfg]`
//! blocks inside functions. Each file defines the same items:
//! - `scheme_handling(own)`: how links of a private-use scheme reach the app there;
//! - `show_start_failure(title, message)`: how a failure to start the window reaches a user
//!   who has no terminal (a message box on Windows; stderr and the log elsewhere);
//! - `run_event(app, event)`: events of the app's run loop only one platform has (macOS
//!   hands opened activation files over as `RunEvent::Opened`).
//!
//! The keychain's words are the core's ([`activation::platform`]), shared with the command
//! line.

use serde::Serialize;

/// How links of a scheme reach the app on this computer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Handling {
    /// The app registers itself for the scheme (Linux, Windows).
    Register,
    /// Only the installed app bundle receives it (macOS, own scheme).
    Bundled,
    /// The app cannot receive it here (macOS, another scheme): the user pastes.
    Paste,
}

#[cfg(all(unix, not(target_os = "macos")))]
mod linux;
#[cfg(all(unix, not(target_os = "macos")))]
pub use linux::*;

#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
pub use macos::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;
