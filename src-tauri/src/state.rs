//! State shared by the commands, `manage`d on the Tauri builder.
//!
//! The current authorization [`Session`] lives here, in Rust: its outcome (the code or the
//! tokens) never goes to the webview unless the user asks to see or copy it.

use crate::connections::StartupFile;
use crate::links::LinkNotice;
use activation::diagnostics::{RecentErrors, SettingsSummary};
use activation::fortnox::endpoints::Endpoints;
use activation::fortnox::token::TokenSet;
use activation::session::Session;
use activation::store::Store;
use activation::{Error, ErrorPayload, Language};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use uuid::Uuid;

/// What the app remembers between commands.
#[derive(Debug)]
pub struct AppState {
    /// The language the interface speaks: from the system locale at start, changed by the
    /// window's switch. Shared with the loopback landing page.
    language: Arc<Mutex<Language>>,
    /// The current (or last) authorization attempt.
    session: Mutex<Option<Session>>,
    /// What the window should say about a link no attempt took (a cold start by a link,
    /// a stray or late link), until the window takes it. Holds no part of the link.
    link_notice: Mutex<Option<LinkNotice>>,
    /// Fortnox's endpoints, or `FORTNOX_OAUTH_URL` / `FORTNOX_API_URL`; the error when an
    /// override is refused (then no attempt can start, and the window says why).
    endpoints: Result<Endpoints, Error>,
    /// The errors the window was shown lately, for the diagnostics report.
    pub recent_errors: Arc<RecentErrors>,
    /// The settings of the last check, without the secret, for the diagnostics report.
    settings_summary: Mutex<Option<SettingsSummary>>,
    /// The diagnostics report last shown: what "Copy" copies.
    diagnostics: Mutex<Option<String>>,
    /// Closing the window asks first: a result's keys exist only here and were never copied.
    close_guard: AtomicBool,
    /// The saved connections (file + keychain), or why there is no place for them.
    store: Result<Store, Error>,
    /// New tokens that Fortnox issued but the keychain did not take: the only copy, held
    /// until the user copies them or the connection goes.
    unsaved: Mutex<HashMap<Uuid, TokenSet>>,
    /// The activation file the app was started with, until the window takes it.
    startup_file: Mutex<Option<StartupFile>>,
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
            session: Mutex::new(None),
            link_notice: Mutex::new(None),
            endpoints,
            close_guard: AtomicBool::new(false),
            store: Store::open_default(),
            unsaved: Mutex::new(HashMap::new()),
            startup_file: Mutex::new(None),
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
    pub fn language_source(&self) -> impl Fn() -> Language + Clone + Send + Sync + 'static {
        let shared = self.language.clone();
        move || *lock(&shared)
    }

    /// Whether closing the window must ask the user first.
    pub fn close_guard(&self) -> bool {
        self.close_guard.load(Ordering::SeqCst)
    }

    pub fn set_close_guard(&self, on: bool) {
        self.close_guard.store(on, Ordering::SeqCst);
    }

    /// The saved connections' store.
    ///
    /// # Errors
    /// `storage_failed` when the system names no configuration folder.
    pub fn store(&self) -> Result<Store, Box<ErrorPayload>> {
        self.store.clone().map_err(|e| Box::new(e.payload()))
    }

    /// Holds (or, with `None`, forgets) new tokens that could not be saved.
    pub fn hold_unsaved(&self, id: Uuid, tokens: Option<TokenSet>) {
        let mut held = lock(&self.unsaved);
        match tokens {
            Some(t) => held.insert(id, t),
            None => held.remove(&id),
        };
    }

    /// New tokens of `id` that could not be saved, if any.
    pub fn unsaved(&self, id: Uuid) -> Option<TokenSet> {
        lock(&self.unsaved).get(&id).cloned()
    }

    /// Remembers the activation file the app was started with.
    pub fn set_startup_file(&self, file: StartupFile) {
        *lock(&self.startup_file) = Some(file);
    }

    /// The activation file the app was started with, once.
    pub fn take_startup_file(&self) -> Option<StartupFile> {
        lock(&self.startup_file).take()
    }

    pub fn set_link_notice(&self, notice: Option<LinkNotice>) {
        *lock(&self.link_notice) = notice;
    }

    /// The waiting link notice, if any, now taken.
    pub fn take_link_notice(&self) -> Option<LinkNotice> {
        lock(&self.link_notice).take()
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
