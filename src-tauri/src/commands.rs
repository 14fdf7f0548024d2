//! The commands the webview may call: a few lines each over the `activation` core.
//!
//! Security rules: all Fortnox traffic happens here in Rust; the webview gets secrets only
//! from [`reveal_secret`] (the user pressed "Show") and copying happens in Rust
//! ([`copy_to_clipboard`]), so the webview needs no clipboard permission. Errors cross as
//! [`ErrorPayload`] `{kind, message, next_step, detail}`.

use crate::marks::{self, Mark};
use crate::state::AppState;
use activation::capture::redirect_uri::Capture;
use activation::flow::DEFAULT_TIMEOUT;
use activation::fortnox::scopes::{self, ScopeInfo};
use activation::fortnox::token::FortnoxClient;
use activation::session::{self, Event, SecretPart, Session, Started};
use activation::settings::{self, NameRule, SettingsInput};
use activation::{Error, ErrorPayload, Language, Text};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;
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

#[tauri::command]
pub fn check_settings(state: State<'_, AppState>, settings: SettingsInput) -> SettingsReport {
    let check = settings::check(&settings, NameRule::Required);
    let register_value = check.capture.as_ref().map(|_| settings.redirect_uri.trim().to_string());
    state.set_register_value(register_value.clone());
    SettingsReport {
        valid: check.settings.is_some(),
        code_only: settings.client_secret.as_ref().is_none_or(|s| s.expose().trim().is_empty()),
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
    // End the previous attempt first, so its listener frees the port.
    let replaced = state.session().take().is_some();
    // A replaced attempt's listener closes its port a moment after it is cancelled.
    let mut tries = if replaced { 20 } else { 1 };
    let session = loop {
        tries -= 1;
        let events = on_event.clone();
        let started = Session::start(
            FortnoxClient::new(state.endpoints.clone()),
            settings.clone(),
            DEFAULT_TIMEOUT,
            state.language_source(),
            move |event| {
                marks::global().on_event(&event);
                let _ = events.send(event);
            },
        )
        .await;
        match started {
            Err(Error::PortInUse { .. }) if tries > 0 => tokio::time::sleep(Duration::from_millis(50)).await,
            other => break other?,
        }
    };
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

/// A timing mark from the window (`ready`, `result`) at `at_ms` (Unix ms): printed to stdout
/// only under `FORTNOX_ACTIVATOR_READY=1` (see [`marks`]); other names are ignored.
#[tauri::command]
pub fn mark(name: String, at_ms: u64) {
    if let Some(mark) = Mark::from_window(&name) {
        marks::global().emit(mark, at_ms);
    }
}

/// Copies a value to the system clipboard, from Rust.
#[tauri::command]
pub fn copy_to_clipboard<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, what: String) -> CommandResult<()> {
    let text = match what.as_str() {
        "authorize-url" => current_url(&state),
        "redirect-uri" => state.register_value().ok_or(Error::NoAttempt),
        "json" | "env" => state.session().as_ref().and_then(|s| s.export(what == "env")).ok_or(Error::NoAttempt),
        other => secret(&state, other),
    }?;
    app.clipboard().write_text(text).map_err(|e| Error::ClipboardFailed { reason: e.to_string() })?;
    Ok(())
}

/// Hands one secret of the result to the webview, because the user pressed "Show".
#[tauri::command]
pub fn reveal_secret(state: State<'_, AppState>, what: String) -> CommandResult<String> {
    Ok(secret(&state, &what)?)
}

fn secret(state: &AppState, what: &str) -> Result<String, Error> {
    let part = match what {
        "code" => SecretPart::Code,
        "access-token" => SecretPart::AccessToken,
        "refresh-token" => SecretPart::RefreshToken,
        _ => return Err(Error::NoAttempt),
    };
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
