//! State shared by the commands, `manage`d on the Tauri builder.
//!
//! The current authorization [`Session`] lives here, in Rust: its outcome (the code or the
//! tokens) never goes to the webview unless the user asks to see or copy it.

use activation::diagnostics::{RecentErrors, SettingsSummary};
use activation::fortnox::endpoints::Endpoints;
use activation::session::Session;
use activation::{Error, Language};
use std::sync::{Arc, Mutex, MutexGuard};

/// What the app remembers between commands.
#[derive(Debug)]
pub struct AppState {
    /// The language the interface speaks: from the system locale at start, changed by the
    /// window's switch. Shared with the loopback landing page.
    language: Arc<Mutex<Language>>,
    /// The redirect URI of the last settings check: what "copy" puts on the clipboard.
    register_value: Mutex<Option<String>>,
    /// The current (or last) authorization attempt.
    session: Mutex<Option<Session>>,
    /// Fortnox's endpoints, or `FORTNOX_OAUTH_URL` / `FORTNOX_API_URL`; the error when an
    /// override is refused (then no attempt can start, and the window says why).
    endpoints: Result<Endpoints, Error>,
    /// The errors the window was shown lately, for the diagnostics report.
    pub recent_errors: Arc<RecentErrors>,
    /// The settings of the last check, without the secret, for the diagnostics report.
    settings_summary: Mutex<Option<SettingsSummary>>,
    /// The diagnostics report last shown: what "Copy" copies.
    diagnostics: Mutex<Option<String>>,
}

impl AppState {
    /// Fresh state, speaking the system's language, with the endpoints from the environment.
    pub fn new() -> Self {
        Self::with_endpoints(Endpoints::from_env())
    }

    /// Fresh state with the given endpoints (or the refusal of an override).
    pub fn with_endpoints(endpoints: Result<Endpoints, Error>) -> Self {
        Self {
            language: Arc::new(Mutex::new(system_language())),
            register_value: Mutex::new(None),
            session: Mutex::new(None),
            endpoints,
            recent_errors: Arc::new(RecentErrors::default()),
            settings_summary: Mutex::new(None),
            diagnostics: Mutex::new(None),
        }
    }

    pub fn settings_summary(&self) -> Option<SettingsSummary> {
        lock(&self.settings_summary).clone()
    }

    pub fn set_settings_summary(&self, summary: SettingsSummary) {
        *lock(&self.settings_summary) = Some(summary);
    }

    /// The diagnostics report last shown.
    pub fn diagnostics(&self) -> Option<String> {
        lock(&self.diagnostics).clone()
    }

    pub fn set_diagnostics(&self, report: String) {
        *lock(&self.diagnostics) = Some(report);
    }

    /// The endpoints to talk to.
    ///
    /// # Errors
    /// `endpoint_refused` when `FORTNOX_OAUTH_URL` / `FORTNOX_API_URL` was refused at start.
    pub fn endpoints(&self) -> Result<&Endpoints, Error> {
        self.endpoints.as_ref().map_err(Clone::clone)
    }

    /// The line for stderr at start: the override in use, or why it was refused.
    pub fn startup_line(&self) -> Option<String> {
        match &self.endpoints {
            Ok(e) => e.override_notice().map(|n| format!("note: {}", n.en)),
            Err(e) => Some(format!("fortnox-activator: {}", e.explain(Language::En))),
        }
    }

    /// The current interface language.
    pub fn language(&self) -> Language {
        *lock(&self.language)
    }

    pub fn set_language(&self, language: Language) {
        *lock(&self.language) = language;
    }

    /// A getter of the current language that outlives this borrow (for the landing page).
    pub fn language_source(&self) -> impl Fn() -> Language + Send + Sync + 'static {
        let shared = self.language.clone();
        move || *lock(&shared)
    }

    pub fn register_value(&self) -> Option<String> {
        lock(&self.register_value).clone()
    }

    pub fn set_register_value(&self, value: Option<String>) {
        *lock(&self.register_value) = value;
    }

    /// The current session, locked.
    pub fn session(&self) -> MutexGuard<'_, Option<Session>> {
        lock(&self.session)
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Swedish if the system locale is Swedish (`sv`, `sv-SE`, `sv_FI.UTF-8`…), else English.
pub fn system_language() -> Language {
    sys_locale::get_locale().map(|tag| Language::from_locale(&tag)).unwrap_or_default()
}
