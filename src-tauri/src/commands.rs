//! The commands the webview may call: a few lines each over the `activation` core.
//!
//! Security rules: all Fortnox traffic happens here in Rust; the webview gets secrets only
//! from [`reveal_secret`] (the user pressed "Show") and copying happens in Rust
//! ([`copy_to_clipboard`]), so the webview needs no clipboard permission. Errors cross as
//! [`ErrorPayload`] `{kind, message, next_step, detail}`.

use crate::clipboard::{self, Copied};
use crate::links::{self, LinkNotice, SchemeStatus};
use crate::marks::{self, Mark};
use crate::state::AppState;
use activation::capture::redirect_uri::{Capture, RedirectUri};
use activation::diagnostics::{self, RecentErrors, Report, SettingsSummary};
use activation::flow::DEFAULT_TIMEOUT;
use activation::fortnox::scopes::{self, ScopeInfo};
use activation::fortnox::token::FortnoxClient;
use activation::session::{self, Event, SecretPart, Session, Started};
use activation::settings::{self, NameRule, SettingsInput};
use activation::{Error, ErrorPayload, Language, Text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};
use uuid::Uuid;

/// What a command returns: errors cross to the webview as `{kind, message, next_step, detail}`.
pub type CommandResult<T> = Result<T, Box<ErrorPayload>>;

/// What the window needs at start.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    pub version: &'static str,
    pub language: Language,
    /// While `FORTNOX_OAUTH_URL` / `FORTNOX_API_URL` point elsewhere: the banner's text.
    pub endpoint_notice: Option<Text>,
    /// When such an override was refused: why (no attempt can start).
    pub endpoint_error: Option<ErrorPayload>,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    let (endpoint_notice, endpoint_error) = match state.endpoints() {
        Ok(e) => (e.override_notice(), None),
        Err(e) => (None, Some(e.payload())),
    };
    AppInfo { version: env!("CARGO_PKG_VERSION"), language: state.language(), endpoint_notice, endpoint_error }
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

/// Checks the settings as typed. The answer is all the window gets; Rust only notes the
/// settings (without the secret) for the diagnostics report. `secret_from`: a saved
/// connection whose client secret (in the keychain) stands in for an empty secret field.
#[tauri::command]
pub fn check_settings(
    state: State<'_, AppState>,
    settings: SettingsInput,
    secret_from: Option<Uuid>,
) -> SettingsReport {
    state.set_settings_summary(SettingsSummary::from_input(&settings));
    let mut settings = settings;
    let empty = settings.client_secret.as_ref().is_none_or(|s| s.expose().trim().is_empty());
    if empty && secret_from.is_some() {
        // The saved secret will be used: check as if the field held one (without reading
        // the keychain on every keystroke; this check's settings are never used to connect).
        settings.client_secret = Some(activation::secret::ClientSecret::new("saved-in-keychain"));
    }
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
    secret_from: Option<Uuid>,
    on_event: Channel<Event>,
) -> CommandResult<Started> {
    let started = start(&state, settings, secret_from, on_event).await;
    if let Err(e) = &started {
        state.recent_errors.record(e);
    }
    started
}

async fn start(
    state: &AppState,
    settings: SettingsInput,
    secret_from: Option<Uuid>,
    on_event: Channel<Event>,
) -> CommandResult<Started> {
    let endpoints = state.endpoints()?.clone();
    let settings = with_saved_secret(state, settings, secret_from)?;
    let settings = settings::check(&settings, NameRule::Required).into_result()?;
    let previous = state.session().take();
    let events = on_event.clone();
    let recent = state.recent_errors.clone();
    let session = Session::replace(
        previous,
        FortnoxClient::new(endpoints),
        settings,
        DEFAULT_TIMEOUT,
        state.language_source(),
        move |event| {
            marks::global().on_event(&event);
            if let Event::Failed { error } | Event::CallbackRejected { error } | Event::BrowserFailed { error } = &event
            {
                recent.record(error);
            }
            let _ = events.send(event);
        },
    )
    .await?;
    let started = session.started().clone();
    *state.session() = Some(session);
    launch_browser(started.authorize_url.clone(), on_event, state.recent_errors.clone());
    Ok(started)
}

/// An empty secret field filled from the keychain entry of the saved connection `from`.
fn with_saved_secret(
    state: &AppState,
    mut settings: SettingsInput,
    from: Option<Uuid>,
) -> Result<SettingsInput, Box<ErrorPayload>> {
    let empty = settings.client_secret.as_ref().is_none_or(|s| s.expose().trim().is_empty());
    if let (true, Some(id)) = (empty, from) {
        let store = state.store()?;
        let saved = tokio::task::block_in_place(|| store.secrets(id)).map_err(|e| Box::new(e.payload()))?;
        settings.client_secret = saved.client_secret;
    }
    Ok(settings)
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
    let submitted = match state.session().as_ref() {
        Some(s) => s.submit_pasted(&text),
        None => Err(Error::NoAttempt),
    };
    if let Err(e) = &submitted {
        state.recent_errors.record(&e.payload());
    }
    Ok(submitted?)
}

/// A timing mark from the window (`ready`, `result`) at `at_ms` (Unix ms): printed to stdout
/// only under `FORTNOX_ACTIVATOR_READY=1` (see [`marks`]); other names are ignored.
#[tauri::command]
pub fn mark(name: String, at_ms: u64) {
    if let Some(mark) = Mark::from_window(&name) {
        marks::global().emit(mark, at_ms);
    }
}

/// What the window may ask Rust to copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
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
    /// The diagnostics report last shown.
    Diagnostics,
}

/// Copies a value to the system clipboard, from Rust. `redirect_uri` is the text of the
/// redirect URI field, used (and needed) only for [`Copyable::RedirectUri`]. A secret is
/// cleared from the clipboard after a while ([`crate::clipboard`]); the answer says when.
#[tauri::command]
pub fn copy_to_clipboard<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    what: Copyable,
    redirect_uri: Option<String>,
) -> CommandResult<Copied> {
    let text = match what {
        Copyable::AuthorizeUrl => current_url(&state)?,
        Copyable::RedirectUri => RedirectUri::parse(redirect_uri.as_deref().unwrap_or(""))?.as_str().to_string(),
        Copyable::Json | Copyable::Env => {
            state.session().as_ref().and_then(|s| s.export(what == Copyable::Env)).ok_or(Error::NoAttempt)?
        }
        Copyable::Diagnostics => state.diagnostics().ok_or(Error::NoAttempt)?,
        Copyable::Code => secret(&state, SecretPart::Code)?,
        Copyable::AccessToken => secret(&state, SecretPart::AccessToken)?,
        Copyable::RefreshToken => secret(&state, SecretPart::RefreshToken)?,
    };
    let name = serde_json::to_value(what).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    Ok(clipboard::copy(&app, &name, &text)?)
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
fn launch_browser(url: String, events: Channel<Event>, recent: std::sync::Arc<RecentErrors>) {
    tauri::async_runtime::spawn_blocking(move || {
        if let Err(e) = session::open_browser(&url) {
            tracing::warn!(kind = e.kind(), "browser not opened");
            recent.record(&e.payload());
            let _ = events.send(Event::BrowserFailed { error: e.payload() });
        }
    });
}

/// Whether closing the window must ask first (see `guard_close` in the crate root).
#[tauri::command]
pub fn set_close_guard(state: State<'_, AppState>, guard: bool) {
    state.set_close_guard(guard);
}

/// Closes the window the command came from, for good (the user confirmed).
#[tauri::command]
pub fn close_window<R: Runtime>(window: tauri::Window<R>, state: State<'_, AppState>) {
    state.set_close_guard(false);
    // With the guard off this close is not held again; a window already gone has nothing to do.
    let _ = window.close();
}

/// The file the app logs to, in its log folder (see `crate::run`).
pub fn log_file<R: Runtime>(app: &AppHandle<R>) -> Option<std::path::PathBuf> {
    app.path().app_log_dir().ok().map(|d| d.join(format!("{}.log", crate::LOG_FILE_NAME)))
}

/// The diagnostics report for support, shown in the window before it is copied (copy it
/// with `copy_to_clipboard("diagnostics")`). Holds no secret ([`activation::diagnostics`]).
#[tauri::command]
pub fn diagnostics<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> String {
    let report = Report {
        product: app.package_info().name.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        os: diagnostics::os_description(),
        endpoints: diagnostics::endpoints_line(state.endpoints().as_ref().map(|e| *e)),
        settings: state.settings_summary(),
        errors: state.recent_errors.list(),
        log_tail: log_file(&app).map(|p| diagnostics::read_log_tail(&p, diagnostics::LOG_LINES)).unwrap_or_default(),
    };
    let known = state.session().as_ref().map(Session::known_secrets).unwrap_or_default();
    let text = report.render(&known.iter().map(String::as_str).collect::<Vec<_>>());
    tracing::info!(lines = text.lines().count(), "diagnostics report made");
    state.set_diagnostics(text.clone());
    text
}

/// The notice about a link no attempt took (see [`links`]), once: the window calls this at
/// start and whenever the `link-notice` event arrives.
#[tauri::command]
pub fn take_link_notice(state: State<'_, AppState>) -> Option<LinkNotice> {
    state.take_link_notice()
}

/// How links of `scheme` reach the app on this computer, and whether it is registered.
#[tauri::command]
pub async fn scheme_status<R: Runtime>(app: AppHandle<R>, scheme: String) -> CommandResult<SchemeStatus> {
    tauri::async_runtime::spawn_blocking(move || links::status(&app, scheme.trim()))
        .await
        .map_err(|e| Error::SchemeRegistrationFailed { scheme: String::new(), reason: e.to_string() }.into())
}

/// Makes the app the handler of `scheme` on this computer (Linux, Windows), at the user's
/// request (step 1's button).
#[tauri::command]
pub async fn register_scheme<R: Runtime>(app: AppHandle<R>, scheme: String) -> CommandResult<SchemeStatus> {
    let scheme = scheme.trim().to_string();
    let s = scheme.clone();
    tauri::async_runtime::spawn_blocking(move || links::register(&app, &s))
        .await
        .map_err(|e| Error::SchemeRegistrationFailed { scheme, reason: e.to_string() })?
        .map_err(Into::into)
}

/// Undoes the app's registration for another program's `scheme` (step 1's button), setting
/// back what handled it before.
#[tauri::command]
pub async fn unregister_scheme<R: Runtime>(app: AppHandle<R>, scheme: String) -> CommandResult<SchemeStatus> {
    let scheme = scheme.trim().to_string();
    let s = scheme.clone();
    tauri::async_runtime::spawn_blocking(move || crate::scheme_undo::unregister(&app, &s))
        .await
        .map_err(|e| Error::SchemeRegistrationFailed { scheme, reason: e.to_string() })?
        .map_err(Into::into)
}
