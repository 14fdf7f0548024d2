//! Linux and macOS: no dialog of our own when the window cannot start; the message goes to
//! stderr and the log (see [`crate::start`]).

/// Does nothing here; see the module's doc.
pub fn show_start_failure(_title: &str, _message: &str) {}
