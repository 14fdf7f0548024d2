//! Timing marks: the ready signal other tools rely on, and the benchmark's in-app times.
//!
//! Contract: with `FORTNOX_ACTIVATOR_READY=1` in its environment, the app prints exactly one
//! line `ready <unix time in ms>` to stdout when step 1 is interactive (the first field can
//! take typing); with the variable unset (or any other value) it prints nothing. Under the
//! same variable an activation also prints, for `scripts/bench.sh`:
//! - `callback <ms>`: a redirect carrying a code reached the app (or a code was pasted);
//! - `outcome <ms>`: Rust has the outcome (the token call and the company lookup are done);
//! - `result <ms>`: the result step is rendered in the window.
//!
//! and, once per start, the phases of a launch (for the benchmark's breakdown):
//! - `main <ms>`: Rust's `run()` is entered; `setup <ms>`: the plugins and the app are set up;
//! - `page <ms>`: the webview starts loading the page;
//! - `script <ms>`: the window's first module starts running; `dom <ms>`: DOMContentLoaded.
//!
//! With `FORTNOX_ACTIVATOR_MARKS_FILE=<path>` as well, every line is also appended to that
//! file: WebKitWebDriver sends the stdout of the window it launches to /dev/null, so the
//! benchmark reads the marks of a driven window from there.
//!
//! The variables are read once, at start; unset, a mark costs one load of a `bool` and the
//! window's one fire-and-forget call. Security rule: a mark is a fixed word and a time,
//! never a value from the flow (no code, state, token or setting).

use activation::session::Event;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable that turns the marks on (value `1`).
pub const ENV: &str = "FORTNOX_ACTIVATOR_READY";
/// Where marks also go, appended, when set (with [`ENV`] on).
pub const FILE_ENV: &str = "FORTNOX_ACTIVATOR_MARKS_FILE";

/// A point in time the benchmark and the ready-signal contract know by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Ready,
    Callback,
    Outcome,
    Result,
    Main,
    Setup,
    Page,
    Script,
    Dom,
}

impl Mark {
    pub fn word(self) -> &'static str {
        match self {
            Mark::Ready => "ready",
            Mark::Callback => "callback",
            Mark::Outcome => "outcome",
            Mark::Result => "result",
            Mark::Main => "main",
            Mark::Setup => "setup",
            Mark::Page => "page",
            Mark::Script => "script",
            Mark::Dom => "dom",
        }
    }

    /// The marks the window may send (the others are taken in Rust).
    pub fn from_window(name: &str) -> Option<Mark> {
        match name {
            "ready" => Some(Mark::Ready),
            "result" => Some(Mark::Result),
            "script" => Some(Mark::Script),
            "dom" => Some(Mark::Dom),
            _ => None,
        }
    }
}

/// Whether marks are printed, and whether `ready` has been.
#[derive(Debug)]
pub struct Marks {
    enabled: bool,
    ready_sent: AtomicBool,
    file: Option<Mutex<std::fs::File>>,
}

impl Marks {
    pub fn new(enabled: bool) -> Self {
        Self { enabled, ready_sent: AtomicBool::new(false), file: None }
    }

    /// On when `FORTNOX_ACTIVATOR_READY` is exactly `1`.
    pub fn from_env() -> Self {
        let mut marks = Self::from_value(std::env::var_os(ENV).as_deref());
        if marks.enabled {
            marks.file = std::env::var_os(FILE_ENV)
                .and_then(|p| std::fs::OpenOptions::new().create(true).append(true).open(p).ok())
                .map(Mutex::new);
        }
        marks
    }

    /// On when the variable's value is exactly `1`.
    pub fn from_value(value: Option<&std::ffi::OsStr>) -> Self {
        Self::new(value.is_some_and(|v| v == "1"))
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The line to print for `mark` at `at_ms`, if any: none when off, and `ready` only once.
    pub fn line(&self, mark: Mark, at_ms: u64) -> Option<String> {
        if !self.enabled {
            return None;
        }
        if mark == Mark::Ready && self.ready_sent.swap(true, Ordering::SeqCst) {
            return None;
        }
        Some(format!("{} {at_ms}", mark.word()))
    }

    /// Prints `mark` at `at_ms` (when on), as one whole line.
    pub fn emit(&self, mark: Mark, at_ms: u64) {
        if let Some(line) = self.line(mark, at_ms) {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
            if let Some(file) = &self.file {
                let mut f = file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let _ = writeln!(f, "{line}");
            }
        }
    }

    /// The mark an attempt's event stands for, taken now.
    pub fn on_event(&self, event: &Event) {
        if !self.enabled {
            return;
        }
        match event {
            Event::Exchanging => self.emit(Mark::Callback, now_ms()),
            Event::Succeeded { .. } | Event::Failed { .. } => self.emit(Mark::Outcome, now_ms()),
            Event::BrowserFailed { .. } | Event::CallbackRejected { .. } => {}
        }
    }
}

/// The process's marks, from the environment as it was at start.
pub fn global() -> &'static Marks {
    static MARKS: LazyLock<Marks> = LazyLock::new(Marks::from_env);
    &MARKS
}

/// Unix time in milliseconds.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_printed_when_the_variable_is_unset() {
        let marks = Marks::new(false);
        assert_eq!(marks.line(Mark::Ready, 1), None);
        assert_eq!(marks.line(Mark::Callback, 2), None);
        assert_eq!(marks.line(Mark::Result, 3), None);
    }

    #[test]
    fn ready_is_printed_exactly_once_with_its_time() {
        let marks = Marks::new(true);
        assert_eq!(marks.line(Mark::Ready, 1_763_840_000_123).as_deref(), Some("ready 1763840000123"));
        assert_eq!(marks.line(Mark::Ready, 1_763_840_000_999), None);
    }

    #[test]
    fn flow_marks_repeat_for_each_activation() {
        let marks = Marks::new(true);
        assert_eq!(marks.line(Mark::Callback, 5).as_deref(), Some("callback 5"));
        assert_eq!(marks.line(Mark::Callback, 9).as_deref(), Some("callback 9"));
        assert_eq!(marks.line(Mark::Outcome, 7).as_deref(), Some("outcome 7"));
    }

    #[test]
    fn the_window_may_only_send_its_own_marks() {
        assert_eq!(Mark::from_window("ready"), Some(Mark::Ready));
        assert_eq!(Mark::from_window("result"), Some(Mark::Result));
        assert_eq!(Mark::from_window("callback"), None);
        assert_eq!(Mark::from_window("outcome"), None);
        assert_eq!(Mark::from_window("main"), None);
        assert_eq!(Mark::from_window("dom"), Some(Mark::Dom));
        assert_eq!(Mark::from_window("ready\nreally"), None);
    }

    #[test]
    fn only_the_value_1_turns_the_marks_on() {
        let on = |v: Option<&str>| Marks::from_value(v.map(std::ffi::OsStr::new)).enabled();
        assert!(on(Some("1")));
        assert!(!on(None));
        assert!(!on(Some("0")));
        assert!(!on(Some("")));
        assert!(!on(Some("true")));
    }
}
