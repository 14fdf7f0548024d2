//! The commands over saved connections: one call each into the application layer
//! ([`activation::app`]), its answer turned into the window's types ([`crate::models`]).
//!
//! Security rule: no secret crosses to the webview. Connections travel as
//! [`ConnectionView`]s (settings, facts and status only); copying a saved secret happens in
//! Rust ([`copy_connection`], [`hand_over_connection`]); a re-authorization borrows the saved client secret inside
//! Rust (`secret_from` in [`crate::commands::start_authorization`]).

use crate::models::{
    CommandResult, ConnectionList, ConnectionSettings, ConnectionView, Copied, Exported, HandOverReport, IssuedReport,
    RemoveReport, SaveReport, StartupFile,
};
use crate::state::AppState;
use activation::app::{saved, Item};
use tauri::{AppHandle, Runtime, State};
use uuid::Uuid;

#[tauri::command]
pub async fn list_connections(state: State<'_, AppState>) -> CommandResult<ConnectionList> {
    Ok(state.app.list()?.into())
}

/// Moves a damaged connections file aside (kept, renamed) so a new list can start.
#[tauri::command]
pub async fn set_aside_connections_file(state: State<'_, AppState>) -> CommandResult<String> {
    Ok(state.app.set_aside_connections_file()?.display().to_string())
}

/// Saves the outcome of the attempt that just succeeded: a new connection, or with
/// `replace_id` the new keys of that connection (re-authorize).
#[tauri::command]
pub async fn save_connection(state: State<'_, AppState>, replace_id: Option<Uuid>) -> CommandResult<SaveReport> {
    let saved = state.app.save_result(replace_id)?;
    Ok(SaveReport::of(saved, replace_id.is_some(), &state.app.connections_file()?))
}

#[tauri::command]
pub async fn connection_settings(state: State<'_, AppState>, id: Uuid) -> CommandResult<ConnectionSettings> {
    Ok((&state.app.connection(id)?).into())
}

/// Refreshes the tokens (explicitly: the window warned that other copies stop working).
#[tauri::command]
pub async fn refresh_connection(state: State<'_, AppState>, id: Uuid) -> CommandResult<IssuedReport> {
    Ok(state.app.refresh(id).await?.into())
}

/// A service account's access token by client credentials (`TenantId` header).
#[tauri::command]
pub async fn service_token(state: State<'_, AppState>, id: Uuid) -> CommandResult<IssuedReport> {
    Ok(state.app.service_token(id).await?.into())
}

/// "Save again": the new keys the keychain refused, held in Rust, written to it now.
#[tauri::command]
pub async fn save_unsaved_keys(state: State<'_, AppState>, id: Uuid) -> CommandResult<ConnectionView> {
    Ok((&state.app.save_unsaved(id)?).into())
}

/// The user copied the new keys the keychain refused: Rust forgets them (closing the
/// window no longer asks for them; the connection keeps saying "keys not saved").
#[tauri::command]
pub fn forget_unsaved_keys(state: State<'_, AppState>, id: Uuid) {
    state.app.forget_unsaved(id);
}

/// `/companyinformation` with the saved access token, answered in words.
#[tauri::command]
pub async fn test_connection(state: State<'_, AppState>, id: Uuid) -> CommandResult<activation::store::Tested> {
    Ok(state.app.test(id).await?)
}

#[tauri::command]
pub async fn rename_connection(state: State<'_, AppState>, id: Uuid, name: String) -> CommandResult<ConnectionView> {
    Ok((&state.app.rename(id, &name)?).into())
}

/// Revokes the refresh token at Fortnox, then removes the connection and its secrets here.
/// Works when Fortnox cannot be reached, and then says the grant may still exist there.
#[tauri::command]
pub async fn remove_connection<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: Uuid,
) -> CommandResult<RemoveReport> {
    let removed = state.app.remove(id).await?;
    // A scheme the app registered for this connection alone is given back.
    let _ = tauri::async_runtime::spawn_blocking(move || crate::links::release_unused(&app)).await;
    Ok(removed.into())
}

/// Copies a saved connection's secret (or everything as JSON / `.env` lines) from the
/// keychain to the clipboard, in Rust; every part is a secret, cleared later.
#[tauri::command]
pub async fn copy_connection<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: Uuid,
    what: Item,
) -> CommandResult<Copied> {
    let text = state.app.copy_saved(id, what)?;
    Ok(crate::clipboard::copy(&app, what, &text)?)
}

/// Hands the connection over to the integration: copies its refresh token (or everything
/// with it, as JSON or `.env` lines) to the clipboard, in Rust, then this computer forgets
/// the refresh token and never refreshes the connection again. Nothing is handed over when
/// the copy fails.
#[tauri::command]
pub async fn hand_over_connection<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: Uuid,
    what: Item,
) -> CommandResult<HandOverReport> {
    let text = state.app.hand_over_copy(id, what)?;
    let copied = crate::clipboard::copy(&app, what, &text)?;
    let connection = (&state.app.hand_over(id)?).into();
    Ok(HandOverReport { copied, connection })
}

/// Writes the connection's activation file (settings only) into the downloads folder
/// (the home folder when there is none), under a name that takes nothing over.
#[tauri::command]
pub async fn export_connection(state: State<'_, AppState>, id: Uuid) -> CommandResult<Exported> {
    let path = state.app.export_activation_file(id, &saved::export_dir())?;
    Ok(Exported { path: path.display().to_string() })
}

/// An activation file's settings, checked; a bad file is refused field by field.
#[tauri::command]
pub fn read_activation_file(text: String) -> CommandResult<ConnectionSettings> {
    Ok((&saved::read_activation_text(&text)?).into())
}

/// The activation file the app was started with, or handed since ([`crate::files`]), once.
/// Logged without its name or path.
#[tauri::command]
pub fn startup_file(state: State<'_, AppState>) -> Option<StartupFile> {
    let file = state.take_startup_file();
    if file.is_some() {
        tracing::info!("the window took an activation file");
    }
    file
}
