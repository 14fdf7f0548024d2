//! The commands the webview may call: one call each into the application layer
//! ([`activation::app`], through [`AppState::app`]) or the shell's own parts (links, the
//! clipboard, marks), answered in the window's types ([`crate::models`]).
//!
//! Security rules: all Fortnox traffic happens in Rust; the webview gets secrets only from
//! [`reveal_secret`] (the user pressed "Show") and copying happens in Rust
//! ([`copy_to_clipboard`]), so the webview needs no clipboard permission. Errors cross as
//! [`ErrorPayload`](activation::ErrorPayload) `{kind, message, next_step, detail}`.

use crate::clipboard;
use crate::error::ShellError;
use crate::links;
use crate::marks::{self, Mark};
use crate::models::{AppInfo, CommandResult, Copied, LinkNotice, SchemeStatus, SettingsReport};
use crate::state::AppState;
use activation::app::wizard::ProgramInfo;
use activation::app::Item;
use activation::fortnox::scopes::{self, ScopeInfo};
use activation::session::{Event, Started};
use activation::settings::SettingsInput;
use activation::{diagnostics, Language};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};
use uuid::Uuid;

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo::of(&state.app)
}

/// The window's language switch; the loopback landing page follows it.
#[tauri::command]
pub fn set_language(state: State<'_, AppState>, language: Language) {
    state.app.set_language(language);
}

#[tauri::command]
pub fn scope_catalogue() -> Vec<ScopeInfo> {
    scopes::catalogue()
}

/// Checks the settings as typed. The answer is all the window gets; Rust only notes the
/// settings (without the secret) for the diagnostics report. `secret_from`: a saved
/// connection whose client secret (in the keychain) stands in for an empty secret field.
#[tauri::command]
pub fn check_settings(
    state: State<'_, AppState>,
    settings: SettingsInput,
    secret_from: Option<Uuid>,
    reauthorize: Option<Uuid>,
) -> SettingsReport {
    state.app.check_settings(settings, secret_from, reauthorize).into()
}

/// Starts an attempt (replacing any earlier one), opens the browser, and reports progress
/// on `on_event`. `reauthorize`: the saved connection being re-authorized (its company is
/// the only one accepted).
#[tauri::command]
pub async fn start_authorization(
    state: State<'_, AppState>,
    settings: SettingsInput,
    secret_from: Option<Uuid>,
    reauthorize: Option<Uuid>,
    on_event: Channel<Event>,
) -> CommandResult<Started> {
    Ok(state.app.start_authorization(settings, secret_from, reauthorize, to_window(on_event)).await?)
}

/// An attempt's events, to the window's channel (and the timing marks).
fn to_window(channel: Channel<Event>) -> impl Fn(Event) + Clone + Send + Sync + 'static {
    move |event: Event| {
        marks::global().on_event(&event);
        let _ = channel.send(event);
    }
}

/// Opens the browser again at the current attempt's URL.
#[tauri::command]
pub async fn open_browser(state: State<'_, AppState>) -> CommandResult<()> {
    Ok(state.app.open_browser().await?)
}

#[tauri::command]
pub fn cancel_authorization(state: State<'_, AppState>) {
    state.app.cancel();
}

/// Takes the address (or code) the user pasted from the browser. Async: the exchange that
/// follows runs on the async runtime.
#[tauri::command]
pub async fn submit_redirect(state: State<'_, AppState>, text: String) -> CommandResult<()> {
    Ok(state.app.submit_redirect(&text)?)
}

/// A timing mark from the window (`ready`, `result`) at `at_ms` (Unix ms): printed to stdout
/// only under `FORTNOX_ACTIVATOR_READY=1` (see [`marks`]); other names are ignored.
#[tauri::command]
pub fn mark(name: String, at_ms: u64) {
    if let Some(mark) = Mark::from_window(&name) {
        marks::global().emit(mark, at_ms);
    }
}

/// Copies an [`Item`] of the current attempt to the system clipboard, from Rust.
/// `redirect_uri` is the text of the redirect URI field, used (and needed) only for
/// [`Item::RedirectUri`]. A secret is cleared from the clipboard after a while
/// ([`crate::clipboard`]); the answer says when.
#[tauri::command]
pub fn copy_to_clipboard<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    what: Item,
    redirect_uri: Option<String>,
) -> CommandResult<Copied> {
    let text = state.app.copy_text(what, redirect_uri.as_deref())?;
    Ok(clipboard::copy(&app, what, &text)?)
}

/// Hands one secret of the result to the webview, because the user pressed "Show".
#[tauri::command]
pub fn reveal_secret(state: State<'_, AppState>, what: Item) -> CommandResult<String> {
    Ok(state.app.reveal(what)?)
}

/// Whether closing the window must ask first (see `guard_close` in the crate root).
#[tauri::command]
pub fn set_close_guard(state: State<'_, AppState>, guard: bool) {
    state.app.set_close_guard(guard);
}

/// Closes the window the command came from, for good (the user confirmed).
#[tauri::command]
pub fn close_window<R: Runtime>(window: tauri::Window<R>, state: State<'_, AppState>) {
    state.app.confirm_close();
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
    let log_tail = log_file(&app).map(|p| diagnostics::read_log_tail(&p, diagnostics::LOG_LINES)).unwrap_or_default();
    let program =
        ProgramInfo { product: app.package_info().name.clone(), version: env!("CARGO_PKG_VERSION").into(), log_tail };
    state.app.diagnostics(program)
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
    let failed =
        |e: tauri::Error| ShellError::SchemeRegistrationFailed { scheme: String::new(), reason: e.to_string() };
    Ok(tauri::async_runtime::spawn_blocking(move || links::status(&app, scheme.trim())).await.map_err(failed)?)
}

/// Makes the app the handler of `scheme` on this computer (Linux, Windows), at the user's
/// request (step 1's button).
#[tauri::command]
pub async fn register_scheme<R: Runtime>(app: AppHandle<R>, scheme: String) -> CommandResult<SchemeStatus> {
    let scheme = scheme.trim().to_string();
    let failed =
        |e: tauri::Error| ShellError::SchemeRegistrationFailed { scheme: scheme.clone(), reason: e.to_string() };
    let s = scheme.clone();
    Ok(tauri::async_runtime::spawn_blocking(move || links::register(&app, &s)).await.map_err(failed)??)
}

/// Undoes the app's registration for another program's `scheme` (step 1's button), setting
/// back what handled it before.
#[tauri::command]
pub async fn unregister_scheme<R: Runtime>(app: AppHandle<R>, scheme: String) -> CommandResult<SchemeStatus> {
    let scheme = scheme.trim().to_string();
    let failed =
        |e: tauri::Error| ShellError::SchemeRegistrationFailed { scheme: scheme.clone(), reason: e.to_string() };
    let s = scheme.clone();
    Ok(tauri::async_runtime::spawn_blocking(move || crate::links::unregister(&app, &s)).await.map_err(failed)??)
}
