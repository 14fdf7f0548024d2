//! The commands the webview may call: a few lines each over the `activation` core.
//!
//! Security rules: all Fortnox traffic happens here in Rust; the webview gets secrets only
//! from [`reveal_secret`] (the user pressed "Show") and copying happens in Rust
//! ([`copy_to_clipboard`]), so the webview needs no clipboard permission. Errors cross as
//! [`ErrorPayload`] `{kind, message, next_step, detail}`.

use crate::state::AppState;
use activation::capture::redirect_uri::{Capture, RedirectUri};
use activation::flow::DEFAULT_TIMEOUT;
use activation::fortnox::scopes::{self, ScopeInfo};
use activation::fortnox::token::FortnoxClient;
use activation::session::{self, Event, SecretPart, Session, Started};
use activation::settings::{self, NameRule, SettingsInput};
use activation::{Error, ErrorPayload, Language, Text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_clipboard_manager::ClipboardExt;

/// What a command returns: errors cross to the webview as `{kind, message, next_step, detail}`.
pub type CommandResult<T> = Result<T, Box<ErrorPayload>>;

/// What the window needs at start.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    pub version: &'static str,
    pub language: Language,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo { version: env!("CARGO_PKG_VERSION"), language: state.language() }
}

/// The window's language switch; the loopback landing page follows it.
#[tauri::command]
pub fn set_language(state: State<'_, AppState>, language: Language) {
    state.set_language(language);
}

#[tauri::command]
pub fn scope_catalogue() -> Vec<ScopeInfo> {
    scopes::catalogue()
}

/// The result of checking the settings as typed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsReport {
    pub valid: bool,
    pub fields: BTreeMap<&'static str, Text>,
    pub warnings: Vec<Text>,
    pub code_only: bool,
    pub capture: Option<Capture>,
    /// The exact redirect URI to register in Fortnox's Developer Portal.
    pub register_value: Option<String>,
}

/// Checks the settings as typed. No side effect: the answer is all there is.
#[tauri::command]
pub fn check_settings(settings: SettingsInput) -> SettingsReport {
    let check = settings::check(&settings, NameRule::Required);
    let register_value = check.capture.as_ref().map(|_| settings.redirect_uri.trim().to_string());
    SettingsReport {
        valid: check.settings.is_some(),
        code_only: check.code_only,
        fields: check.fields,
        warnings: check.warnings,
        capture: check.capture,
        register_value,
    }
}

/// Starts an attempt (replacing any earlier one), opens the browser, and reports progress
/// on `on_event`.
#[tauri::command]
pub async fn start_authorization(
    state: State<'_, AppState>,
    settings: SettingsInput,
    on_event: Channel<Event>,
) -> CommandResult<Started> {
    let settings = settings::check(&settings, NameRule::Required).into_result()?;
    let previous = state.session().take();
    let events = on_event.clone();
    let session = Session::replace(
        previous,
        FortnoxClient::new(state.endpoints.clone()),
        settings,
        DEFAULT_TIMEOUT,
        state.language_source(),
        move |event| {
            let _ = events.send(event);
        },
    )
    .await?;
    let started = session.started().clone();
    *state.session() = Some(session);
    launch_browser(started.authorize_url.clone(), on_event);
    Ok(started)
}

/// Opens the browser again at the current attempt's URL.
#[tauri::command]
pub async fn open_browser(state: State<'_, AppState>) -> CommandResult<()> {
    let url = current_url(&state)?;
    tauri::async_runtime::spawn_blocking(move || session::open_browser(&url))
        .await
        .map_err(|e| Error::BrowserFailed { reason: e.to_string() })??;
    Ok(())
}

#[tauri::command]
pub fn cancel_authorization(state: State<'_, AppState>) {
    if let Some(s) = state.session().as_ref() {
        s.cancel();
    }
}

/// Takes the address (or code) the user pasted from the browser. Async: the exchange that
/// follows runs on the async runtime.
#[tauri::command]
pub async fn submit_redirect(state: State<'_, AppState>, text: String) -> CommandResult<()> {
    match state.session().as_ref() {
        Some(s) => Ok(s.submit_pasted(&text)?),
        None => Err(Error::NoAttempt.into()),
    }
}

/// What the window may ask Rust to copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Copyable {
    /// The running attempt's authorize URL.
    AuthorizeUrl,
    /// The redirect URI to register (given as `redirect_uri`; checked before copying).
    RedirectUri,
    Code,
    AccessToken,
    RefreshToken,
    /// The whole result as JSON.
    Json,
    /// The whole result as `.env` lines.
    Env,
}

/// Copies a value to the system clipboard, from Rust. `redirect_uri` is the text of the
/// redirect URI field, used (and needed) only for [`Copyable::RedirectUri`].
#[tauri::command]
pub fn copy_to_clipboard<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    what: Copyable,
    redirect_uri: Option<String>,
) -> CommandResult<()> {
    let text = match what {
        Copyable::AuthorizeUrl => current_url(&state)?,
        Copyable::RedirectUri => RedirectUri::parse(redirect_uri.as_deref().unwrap_or(""))?.as_str().to_string(),
        Copyable::Json | Copyable::Env => {
            state.session().as_ref().and_then(|s| s.export(what == Copyable::Env)).ok_or(Error::NoAttempt)?
        }
        Copyable::Code => secret(&state, SecretPart::Code)?,
        Copyable::AccessToken => secret(&state, SecretPart::AccessToken)?,
        Copyable::RefreshToken => secret(&state, SecretPart::RefreshToken)?,
    };
    app.clipboard().write_text(text).map_err(|e| Error::ClipboardFailed { reason: e.to_string() })?;
    Ok(())
}

/// Hands one secret of the result to the webview, because the user pressed "Show".
#[tauri::command]
pub fn reveal_secret(state: State<'_, AppState>, what: SecretPart) -> CommandResult<String> {
    Ok(secret(&state, what)?)
}

fn secret(state: &AppState, part: SecretPart) -> Result<String, Error> {
    state.session().as_ref().and_then(|s| s.secret(part)).ok_or(Error::NoAttempt)
}

fn current_url(state: &AppState) -> Result<String, Error> {
    state.session().as_ref().map(|s| s.started().authorize_url.clone()).ok_or(Error::NoAttempt)
}

/// Opens the browser without holding up the command; a failure becomes an event.
fn launch_browser(url: String, events: Channel<Event>) {
    tauri::async_runtime::spawn_blocking(move || {
        if let Err(e) = session::open_browser(&url) {
            let _ = events.send(Event::BrowserFailed { error: e.payload() });
        }
    });
}
