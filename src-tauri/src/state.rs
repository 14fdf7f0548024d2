//! State shared by the commands, `manage`d on the Tauri builder: the application layer's
//! [`App`] (the current attempt, the saved connections, what the diagnostics report needs),
//! and the two things only the shell knows of (a notice about a link no attempt took, and
//! the activation file the app was started with).
//!
//! Security rule: the attempt's outcome (the code or the tokens) lives in Rust, in [`App`];
//! it never goes to the webview unless the user asks to see or copy it.

use crate::models::{LinkNotice, StartupFile};
use activation::app::App;
use activation::fortnox::endpoints::Endpoints;
use activation::store::Store;
use activation::{Error, Language};
use std::sync::Mutex;

/// What the app remembers between commands.
#[derive(Debug)]
pub struct AppState {
    /// The application layer: everything the commands decide goes through it.
    pub app: App,
    /// What the window should say about a link no attempt took (a cold start by a link,
    /// a stray or late link), until the window takes it. Holds no part of the link.
    link_notice: Mutex<Option<LinkNotice>>,
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
            app: App::new(system_language(), endpoints, Store::open_default()),
            link_notice: Mutex::new(None),
            startup_file: Mutex::new(None),
        }
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
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Swedish if the system locale is Swedish (`sv`, `sv-SE`, `sv_FI.UTF-8`…), else English.
pub fn system_language() -> Language {
    sys_locale::get_locale().map(|tag| Language::from_locale(&tag)).unwrap_or_default()
}
