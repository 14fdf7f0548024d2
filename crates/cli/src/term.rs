//! What reaches the terminal: every human-readable line the command line prints goes
//! through [`escape_controls`], so a connection name, a company name or any other text from
//! a file or from Fortnox cannot drive the terminal (set its title, move the cursor, rewrite
//! a line, hide text) with escape sequences. JSON output is left to serde_json, which
//! escapes control characters itself.
//!
//! Rule: control characters (C0 but newline and tab, DEL, C1) and the bidirectional
//! overrides and isolates are shown as `\x1b` / `\u{9b}`; everything else is printed as is.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `eprintln!`, with control characters escaped ([`escape_controls`]).
macro_rules! say {
    ($($arg:tt)*) => {{
        eprintln!("{}", $crate::term::escape_controls(&format!($($arg)*)));
    }};
}

/// `out!` for human-readable stdout (not JSON), with control characters escaped.
macro_rules! show {
    ($($arg:tt)*) => {{
        out!("{}", $crate::term::escape_controls(&format!($($arg)*)));
    }};
}

/// True for what must not reach a terminal raw.
fn must_escape(c: char, keep_newlines: bool) -> bool {
    match c {
        '\n' | '\t' => !keep_newlines,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        c => c.is_control(),
    }
}

fn escape(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| must_escape(c, keep_newlines)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !must_escape(c, keep_newlines) {
            out.push(c);
        } else if (c as u32) < 0x80 {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    Cow::Owned(out)
}

/// `text` with its control characters shown escaped; newlines and tabs (the message's own
/// layout) are kept.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

/// `text` as one line: like [`escape_controls`], newlines and tabs escaped as well (a table
/// cell, a value inside a sentence).
pub fn one_line(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// Standard error for the log: each write (one event) with its controls shown escaped.
pub struct EscapedStderr;

impl std::io::Write for EscapedStderr {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(bytes);
        std::io::stderr().write_all(escape_controls(&text).as_bytes())?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_setting_sequence_is_shown_not_run() {
        let name = "Evil\u{1b}]0;pwned\u{7}\u{1b}[2J\r\u{9b}31m";
        let shown = escape_controls(name);
        assert_eq!(shown, "Evil\\x1b]0;pwned\\x07\\x1b[2J\\x0d\\u{9b}31m");
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
    }

    #[test]
    fn plain_text_and_layout_are_left_alone() {
        assert!(matches!(escape_controls("Företag AB\n  next line\t"), Cow::Borrowed(_)));
        assert_eq!(one_line("a\nb\tc"), "a\\x0ab\\x09c");
        assert_eq!(escape_controls("x\u{202e}y\u{7f}"), "x\\u{202e}y\\x7f");
    }
}
