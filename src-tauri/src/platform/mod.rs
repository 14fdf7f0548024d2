//! What differs between the platforms the window runs on, one file per platform: the
//! functions here have the same signature in each, and `cfg` picks the file.
//!
//! * [`show_start_failure`]: how a failure to start the window reaches a user who has no
//!   terminal. Windows shows a native message box ([`windows`]); elsewhere the message on
//!   stderr and in the log is all ([`other`]): there the webview is part of the system
//!   (WebKitGTK is linked, macOS has WKWebView), so a missing runtime is not a user's problem.

#[cfg(not(windows))]
mod other;
#[cfg(windows)]
mod windows;

#[cfg(not(windows))]
pub use other::show_start_failure;
#[cfg(windows)]
pub use windows::show_start_failure;
