//! When the window cannot start: say what is missing and what to do, in the user's language,
//! where the user can see it, and exit with a documented status. Never a panic message, never
//! a silent exit.
//!
//! * The webview runtime is checked before anything else ([`check_webview`]): on Windows
//!   that is Microsoft's WebView2 runtime, which the installers bring (see README), but a PC
//!   without it (Windows Server, LTSC, Edge updates blocked, a copied `.exe`) would otherwise
//!   end at once. Exit status [`EXIT_WEBVIEW_MISSING`].
//! * Any other failure before the window is up (the app cannot be built, the window or its
//!   setup fails; Tauri panics in its event loop for the latter, so a panic hook catches it
//!   until [`started`] is called) exits with [`EXIT_START_FAILED`].
//!
//! Each failure is written to the app's log file (the folder `tauri-plugin-log` uses:
//! `%LOCALAPPDATA%\se.fortnoxactivator.app\logs\` on Windows,
//! `~/.local/share/se.fortnoxactivator.app/logs/` on Linux, `~/Library/Logs/se.fortnoxactivator.app/`
//! on macOS), printed on stderr, and on Windows shown in a message box
//! ([`crate::platform::show_start_failure`]).

use activation::Text;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

/// Exit status when the webview runtime (WebView2 on Windows) is missing.
pub const EXIT_WEBVIEW_MISSING: i32 = 3;
/// Exit status when the window could not start for another reason.
pub const EXIT_START_FAILED: i32 = 4;

/// Where Microsoft offers the WebView2 runtime (the Evergreen bootstrapper and the
/// standalone installer).
pub const WEBVIEW2_DOWNLOAD: &str = "https://developer.microsoft.com/microsoft-edge/webview2/";

/// Why the window did not start.
#[derive(Debug)]
pub enum StartFailure {
    /// No webview runtime; `detail` is the runtime's own words.
    WebviewMissing { detail: String },
    /// Anything else; `detail` is the error or panic message (no secret: nothing secret
    /// exists before the window does).
    Window { detail: String },
}

impl StartFailure {
    /// The exit status for this failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            StartFailure::WebviewMissing { .. } => EXIT_WEBVIEW_MISSING,
            StartFailure::Window { .. } => EXIT_START_FAILED,
        }
    }

    /// The message box's title.
    pub fn title(&self) -> Text {
        Text::new("Fortnox Activator could not start", "Fortnox Activator kunde inte starta")
    }

    /// What happened and what to do, in both languages.
    pub fn message(&self) -> Text {
        match self {
            StartFailure::WebviewMissing { detail } => Text::new(
                format!(
                    "Fortnox Activator needs Microsoft's WebView2 runtime to show its window, and it is not installed on this computer (or not for this user).\n\n\
                     The app's installer normally installs it. Install Fortnox Activator again with its installer, or download the \u{201c}Evergreen Standalone Installer\u{201d} of the WebView2 runtime from Microsoft: {WEBVIEW2_DOWNLOAD}\n\
                     On a managed computer, ask IT to install the WebView2 runtime.\n\n\
                     Details: {detail}"
                ),
                format!(
                    "Fortnox Activator behöver Microsofts WebView2-körmiljö (WebView2 runtime) för att visa sitt fönster, och den är inte installerad på den här datorn (eller inte för den här användaren).\n\n\
                     Appens installationsprogram installerar den normalt. Installera Fortnox Activator igen med installationsprogrammet, eller ladda ner WebView2-körmiljöns \u{201d}Evergreen Standalone Installer\u{201d} från Microsoft: {WEBVIEW2_DOWNLOAD}\n\
                     På en hanterad dator: be IT installera WebView2-körmiljön.\n\n\
                     Detaljer: {detail}"
                ),
            ),
            StartFailure::Window { detail } => Text::new(
                format!(
                    "Fortnox Activator's window could not be started.\n\n\
                     Start the app again. If it happens again, restart the computer; if it still does, send this message and the log file to support.\n\n\
                     Details: {detail}"
                ),
                format!(
                    "Fönstret i Fortnox Activator gick inte att starta.\n\n\
                     Starta appen igen. Om det händer igen, starta om datorn; om det fortfarande händer, skicka det här meddelandet och loggfilen till support.\n\n\
                     Detaljer: {detail}"
                ),
            ),
        }
    }
}

/// Fails with [`StartFailure::WebviewMissing`] when the webview runtime cannot be found (the
/// same check Tauri makes before it creates a window).
pub fn check_webview() -> Result<(), StartFailure> {
    tauri::webview_version().map(|_| ()).map_err(|e| StartFailure::WebviewMissing { detail: e.to_string() })
}

static STARTED: AtomicBool = AtomicBool::new(false);

/// Until [`started`], a panic on the calling (main) thread, Tauri's way of failing while it
/// sets up the window, ends the process through [`fail`] instead of printing a panic
/// message. Panics on other threads, and any after [`started`], are reported as before.
pub fn catch_start_panics() {
    let previous = std::panic::take_hook();
    let main = std::thread::current().id();
    std::panic::set_hook(Box::new(move |info| {
        if STARTED.load(Ordering::SeqCst) || std::thread::current().id() != main {
            previous(info);
            return;
        }
        let detail = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("unknown error")
            .to_string();
        fail(StartFailure::Window { detail });
    }));
}

/// The window is up: from now on a panic is not a start failure.
pub fn started() {
    STARTED.store(true, Ordering::SeqCst);
}

/// The log file a start failure is written to (see the module's doc).
pub fn log_file() -> Option<std::path::PathBuf> {
    let dir = if cfg!(target_os = "macos") {
        dirs::home_dir()?.join("Library/Logs").join(activation::store::APP_IDENTIFIER)
    } else {
        dirs::data_local_dir()?.join(activation::store::APP_IDENTIFIER).join("logs")
    };
    Some(dir.join(format!("{}.log", crate::LOG_FILE_NAME)))
}

/// Says what failed (log, stderr, and on Windows a message box, in the system's language)
/// and exits with the failure's status.
pub fn fail(failure: StartFailure) -> ! {
    let lang = crate::state::system_language();
    let (title, message) = (failure.title(), failure.message());
    let (title, message) = (title.get(lang), message.get(lang));
    let line = format!("{title}: {}", message.replace('\n', " ").replace("  ", " "));
    if let Some(path) = log_file() {
        let written = path.parent().is_some_and(|d| std::fs::create_dir_all(d).is_ok())
            && std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .and_then(|mut f| {
                    let when = activation::clock::rfc3339(std::time::SystemTime::now());
                    writeln!(f, "[{when}][fortnox_activator_lib::start][ERROR] {line}")
                })
                .is_ok();
        if !written {
            eprintln!("(the log file {} could not be written)", path.display());
        }
    }
    eprintln!("{line}");
    crate::platform::show_start_failure(title, message);
    std::process::exit(failure.exit_code())
}

#[cfg(test)]
mod tests {
    use super::*;
    use activation::Language;

    #[test]
    fn a_missing_webview_says_what_where_and_how_in_both_languages() {
        let f = StartFailure::WebviewMissing { detail: "Could not find the webview runtime".into() };
        assert_eq!(f.exit_code(), EXIT_WEBVIEW_MISSING);
        for lang in [Language::En, Language::Sv] {
            let m = f.message();
            let m = m.get(lang);
            assert!(m.contains("WebView2") && m.contains(WEBVIEW2_DOWNLOAD), "{m}");
            assert!(m.contains("Could not find the webview runtime"), "{m}");
        }
        assert!(f.message().sv.contains("installationsprogram"));
        assert!(f.message().en.contains("installer normally installs it"));
    }

    #[test]
    fn other_failures_have_their_own_status_and_words() {
        let f = StartFailure::Window { detail: "no display".into() };
        assert_eq!(f.exit_code(), EXIT_START_FAILED);
        assert_ne!(EXIT_START_FAILED, EXIT_WEBVIEW_MISSING);
        assert!(!f.message().en.contains("WebView2") && f.message().en.contains("no display"));
        assert!(f.message().sv.contains("Starta appen igen"));
    }

    #[test]
    fn the_log_file_is_where_the_log_plugin_writes() {
        let path = log_file().unwrap();
        assert!(path.ends_with(format!("{}.log", crate::LOG_FILE_NAME)));
        assert!(path.to_string_lossy().contains(activation::store::APP_IDENTIFIER));
    }
}
