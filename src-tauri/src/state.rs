//! State shared by the commands, `manage`d on the Tauri builder.
//!
//! The current authorization [`Session`] lives here, in Rust: its outcome (the code or the
//! tokens) never goes to the webview unless the user asks to see or copy it.

use crate::links::LinkNotice;
use activation::fortnox::endpoints::Endpoints;
use activation::session::Session;
use activation::Language;
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
    /// What the window should say about a link no attempt took (a cold start by a link,
    /// a stray or late link), until the window takes it. Holds no part of the link.
    link_notice: Mutex<Option<LinkNotice>>,
    /// Fortnox's endpoints, or `FORTNOX_OAUTH_URL` / `FORTNOX_API_URL`.
    pub endpoints: Endpoints,
}

impl AppState {
    /// Fresh state, speaking the system's language.
    pub fn new() -> Self {
        Self {
            language: Arc::new(Mutex::new(system_language())),
            register_value: Mutex::new(None),
            session: Mutex::new(None),
            link_notice: Mutex::new(None),
            endpoints: Endpoints::from_env(),
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
