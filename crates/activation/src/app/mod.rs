//! The application layer: what the window and the command line decide, without Tauri.
//!
//! [`App`] holds what lives between two requests of a front end (the interface language,
//! the current attempt, the saved connections' store, new keys the keychain refused, the
//! errors shown lately and the settings last checked, for the diagnostics report) and
//! answers each thing a user can ask for with one method: check the settings, start an
//! attempt (lending a saved connection's client secret), copy or show one [`Item`], save
//! the result, refresh, test, revoke, export an activation file under a free name. The
//! desktop shell's `#[tauri::command]`s are one call each into it, and turn its answers
//! into the window's types (`src-tauri/src/models.rs`).
//!
//! - [`wizard`]: an attempt, from the settings check to the result and its copies.
//! - [`saved`]: the saved connections.
//!
//! Security rule: secrets leave this layer only as the answer to a copy or a "Show" the
//! user asked for ([`App::copy_text`], [`App::reveal`], [`App::copy_saved`]), and as the
//! command line's own output. A saved client secret is lent to an attempt inside Rust,
//! never handed to a front end. New keys the keychain refused are held here, the only copy,
//! until they are saved, copied or the connection goes.

pub mod saved;
pub mod wizard;

use crate::diagnostics::{RecentErrors, SettingsSummary};
use crate::fortnox::endpoints::Endpoints;
use crate::fortnox::token::{FortnoxClient, TokenSet};
use crate::session::Session;
use crate::store::Store;
use crate::{Error, Language};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use uuid::Uuid;

/// What a user may copy or have shown: one name for each, as front ends send it
/// (`"authorize-url"`, `"access-token"`, `"json"`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Item {
    /// The running attempt's authorize URL.
    AuthorizeUrl,
    /// The redirect URI to register in Fortnox's Developer Portal.
    RedirectUri,
    /// The authorization code (code-only mode).
    Code,
    AccessToken,
    RefreshToken,
    /// Everything as one JSON object.
    Json,
    /// Everything as `.env` lines.
    Env,
    /// The command line an integration runs to get an access token from this computer
    /// (`fortnox-activate token NAME`): a saved connection kept here. Not a secret.
    TokenCommand,
    /// The diagnostics report last shown.
    Diagnostics,
}

impl Item {
    /// True for what holds a secret: it is cleared from the clipboard after a while, and
    /// never logged.
    pub fn is_secret(self) -> bool {
        matches!(self, Item::Code | Item::AccessToken | Item::RefreshToken | Item::Json | Item::Env)
    }

    /// Its name as front ends send it (`"access-token"`), for logs.
    pub fn name(self) -> &'static str {
        match self {
            Item::AuthorizeUrl => "authorize-url",
            Item::RedirectUri => "redirect-uri",
            Item::Code => "code",
            Item::AccessToken => "access-token",
            Item::RefreshToken => "refresh-token",
            Item::Json => "json",
            Item::Env => "env",
            Item::TokenCommand => "token-command",
            Item::Diagnostics => "diagnostics",
        }
    }
}

/// What a front end's session remembers between requests.
#[derive(Debug)]
pub struct App {
    /// The language the interface speaks; shared with the loopback landing page.
    language: Arc<Mutex<Language>>,
    /// The current (or last) authorization attempt.
    session: Mutex<Option<Session>>,
    /// Fortnox's endpoints, or `FORTNOX_OAUTH_URL` / `FORTNOX_API_URL`; the error when an
    /// override is refused (then no attempt can start, and the front end says why).
    endpoints: Result<Endpoints, Error>,
    /// The errors shown lately, for the diagnostics report.
    recent_errors: Arc<RecentErrors>,
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
}

impl App {
    /// A fresh session speaking `language`, with `endpoints` (or the refusal of an
    /// override) and the saved connections in `store`.
    pub fn new(language: Language, endpoints: Result<Endpoints, Error>, store: Result<Store, Error>) -> Self {
        App {
            language: Arc::new(Mutex::new(language)),
            session: Mutex::new(None),
            endpoints,
            recent_errors: Arc::new(RecentErrors::default()),
            settings_summary: Mutex::new(None),
            diagnostics: Mutex::new(None),
            close_guard: AtomicBool::new(false),
            store,
            unsaved: Mutex::new(HashMap::new()),
        }
    }

    /// The endpoints to talk to.
    ///
    /// # Errors
    /// `endpoint_refused` when `FORTNOX_OAUTH_URL` / `FORTNOX_API_URL` was refused at start.
    pub fn endpoints(&self) -> Result<&Endpoints, Error> {
        self.endpoints.as_ref().map_err(Clone::clone)
    }

    /// A token client for the endpoints.
    ///
    /// # Errors
    /// As [`App::endpoints`].
    pub fn client(&self) -> Result<FortnoxClient, Error> {
        Ok(FortnoxClient::new(self.endpoints()?.clone()))
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

    /// Whether closing the window must ask the user first: a result's keys were never
    /// copied (the window says so), or new keys the keychain refused are held here.
    pub fn close_guard(&self) -> bool {
        self.close_guard.load(Ordering::SeqCst) || !lock(&self.unsaved).is_empty()
    }

    pub fn set_close_guard(&self, on: bool) {
        self.close_guard.store(on, Ordering::SeqCst);
    }

    /// The user confirmed closing although keys exist only here: the guard is off and the
    /// held keys are dropped, so the close is not held again.
    pub fn confirm_close(&self) {
        self.set_close_guard(false);
        lock(&self.unsaved).clear();
    }

    /// The errors shown lately (the diagnostics report lists them).
    pub fn recent_errors(&self) -> &Arc<RecentErrors> {
        &self.recent_errors
    }

    /// The saved connections' store.
    ///
    /// # Errors
    /// `storage_failed` when the system names no configuration folder.
    pub fn store(&self) -> Result<Store, Error> {
        self.store.clone()
    }

    /// The current attempt, locked.
    pub fn session(&self) -> MutexGuard<'_, Option<Session>> {
        lock(&self.session)
    }

    /// Holds (or, with `None`, forgets) new tokens that could not be saved.
    fn hold_unsaved(&self, id: Uuid, tokens: Option<TokenSet>) {
        let mut held = lock(&self.unsaved);
        match tokens {
            Some(t) => held.insert(id, t),
            None => held.remove(&id),
        };
    }

    /// The connections whose new keys are held here.
    pub fn unsaved_ids(&self) -> Vec<Uuid> {
        lock(&self.unsaved).keys().copied().collect()
    }

    /// New tokens of `id` that could not be saved, if any.
    pub fn unsaved(&self, id: Uuid) -> Option<TokenSet> {
        lock(&self.unsaved).get(&id).cloned()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_cross_by_their_kebab_names_and_know_whether_they_are_secret() {
        for item in [
            Item::AuthorizeUrl,
            Item::RedirectUri,
            Item::Code,
            Item::AccessToken,
            Item::RefreshToken,
            Item::Json,
            Item::Env,
            Item::TokenCommand,
            Item::Diagnostics,
        ] {
            assert_eq!(serde_json::to_value(item).unwrap(), item.name());
            assert_eq!(serde_json::from_value::<Item>(item.name().into()).unwrap(), item);
        }
        assert!(Item::RefreshToken.is_secret() && Item::Env.is_secret() && Item::Code.is_secret());
        assert!(!Item::AuthorizeUrl.is_secret() && !Item::Diagnostics.is_secret());
    }
}
