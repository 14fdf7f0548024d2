//! The commands over saved connections: a few lines each over the core's
//! [`Store`](activation::store::Store) (the connections file and the OS keychain).
//!
//! Security rule: no secret crosses to the webview. Connections travel as
//! [`ConnectionView`]s (settings, facts and status only); copying a saved secret happens in
//! Rust ([`copy_connection`]); a re-authorization borrows the saved client secret inside
//! Rust (`secret_from` in [`crate::commands::start_authorization`]). Keychain and file work
//! runs off the async workers (`block_in_place`), Fortnox calls are async.

use crate::commands::CommandResult;
use crate::state::AppState;
use activation::fortnox::token::{FortnoxClient, TokenSet};
use activation::settings::AccountType;
use activation::store::{ActivationFile, Connection, Issued, Listed, SaveAs, Status};
use activation::{Error, ErrorPayload, Text};
use serde::Serialize;
use std::path::PathBuf;
use tauri::{AppHandle, Runtime, State};
use uuid::Uuid;

/// A saved connection as the window shows it. No secrets.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    pub id: Uuid,
    pub name: String,
    pub company_name: Option<String>,
    pub organization_number: Option<String>,
    pub tenant_id: Option<String>,
    pub account_type: AccountType,
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub issued_at_ms: Option<u64>,
    pub access_expires_at_ms: Option<u64>,
    pub refresh_expires_at_ms: Option<u64>,
    /// Both the client secret and the tokens are in the keychain.
    pub secrets_saved: bool,
    pub has_secret: bool,
    pub has_refresh_token: bool,
    pub status: StatusView,
}

/// The status one reads at a glance: a stable kind (for the colour) and the words.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusView {
    pub kind: String,
    pub text: Text,
    pub at_ms: Option<u64>,
    pub minutes: Option<u64>,
}

impl ConnectionView {
    fn new(c: &Connection, status: &Status) -> Self {
        let kind = serde_json::to_value(status.kind)
            .ok()
            .and_then(|v| v.as_str().map(|s| s.replace('_', "-")))
            .unwrap_or_else(|| "active".into());
        ConnectionView {
            id: c.id,
            name: c.name.clone(),
            company_name: c.company_name.clone(),
            organization_number: c.organization_number.clone(),
            tenant_id: c.tenant_id.clone(),
            account_type: c.account_type,
            client_id: c.client_id.clone(),
            redirect_uri: c.redirect_uri.clone(),
            scopes: if c.granted_scopes.is_empty() { c.scopes.clone() } else { c.granted_scopes.clone() },
            issued_at_ms: c.authorized_at_ms,
            access_expires_at_ms: c.access_token_expires_at_ms,
            refresh_expires_at_ms: c.refresh_token_expires_at_ms(),
            secrets_saved: c.secrets_saved.client_secret && c.secrets_saved.access_token,
            has_secret: c.secrets_saved.client_secret,
            has_refresh_token: c.secrets_saved.refresh_token,
            status: StatusView { kind, text: status.text.clone(), at_ms: status.until_ms, minutes: status.minutes },
        }
    }

    fn of(c: &Connection) -> Self {
        Self::new(c, &c.status())
    }
}

impl From<&Listed> for ConnectionView {
    fn from(l: &Listed) -> Self {
        Self::new(&l.connection, &l.status)
    }
}

/// Blocking store work (file, keychain) without holding up an async worker's other tasks.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

/// A token client for Fortnox's endpoints (or the refusal of an override).
fn client(state: &AppState) -> Result<FortnoxClient, Box<ErrorPayload>> {
    Ok(FortnoxClient::new(state.endpoints().map_err(payload)?.clone()))
}

fn payload(e: Error) -> Box<ErrorPayload> {
    Box::new(e.payload())
}

/// The list: `{connections, problem, path}`. A damaged or newer connections file is a
/// `problem` (with its path), not a failure: the window says what is wrong and where.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionList {
    pub connections: Vec<ConnectionView>,
    pub problem: Option<ErrorPayload>,
    pub path: Option<String>,
}

#[tauri::command]
pub async fn list_connections(state: State<'_, AppState>) -> CommandResult<ConnectionList> {
    let store = state.store()?;
    let path = Some(store.file_path().display().to_string());
    Ok(match blocking(|| store.list()) {
        Ok(list) => {
            ConnectionList { connections: list.iter().map(ConnectionView::from).collect(), problem: None, path }
        }
        Err(e) => ConnectionList { connections: Vec::new(), problem: Some(e.payload()), path },
    })
}

/// Moves a damaged connections file aside (kept, renamed) so a new list can start.
#[tauri::command]
pub async fn set_aside_connections_file(state: State<'_, AppState>) -> CommandResult<String> {
    let store = state.store()?;
    Ok(blocking(|| store.set_aside_damaged_file()).map_err(payload)?.display().to_string())
}

/// What saving the current result did.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SaveReport {
    pub connection: ConnectionView,
    /// True when this replaced the keys of an existing connection (re-authorize).
    pub replaced: bool,
    /// The tokens and the client secret are in the keychain.
    pub secrets_saved: bool,
    /// Why the keys could not be kept (the settings were saved all the same).
    pub warning: Option<ErrorPayload>,
    /// Where the settings are: the connections file.
    pub path: String,
    /// Which keychain, in words.
    pub store: Text,
}

/// Saves the outcome of the attempt that just succeeded: a new connection, or with
/// `replace_id` the new keys of that connection (re-authorize).
#[tauri::command]
pub async fn save_connection(state: State<'_, AppState>, replace_id: Option<Uuid>) -> CommandResult<SaveReport> {
    let store = state.store()?;
    let target = replace_id.map_or(SaveAs::New, SaveAs::Replace);
    let saved = blocking(|| state.session().as_ref().ok_or(Error::NoAttempt)?.save(&store, target)).map_err(payload)?;
    let secrets_saved = saved.warning.is_none();
    Ok(SaveReport {
        connection: ConnectionView::of(&saved.connection),
        replaced: replace_id.is_some(),
        secrets_saved,
        warning: saved.warning.map(|e| e.payload()),
        path: store.file_path().display().to_string(),
        store: keychain_name(),
    })
}

/// The keychain in the words of the platform (the core's `store::platform`).
fn keychain_name() -> Text {
    activation::store::platform::keychain_name()
}

/// A saved connection's settings for the wizard; its secret stays in the keychain.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionSettings {
    pub settings: SettingsView,
    /// The client secret is in the keychain (the wizard may leave the field empty).
    pub has_secret: bool,
}

/// The wizard's fields, as the window keeps them (no secret).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub connection_name: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub account_type: AccountType,
}

impl From<&ActivationFile> for SettingsView {
    fn from(f: &ActivationFile) -> Self {
        SettingsView {
            connection_name: f.name.clone(),
            client_id: f.client_id.clone(),
            redirect_uri: f.redirect_uri.clone(),
            scopes: f.scopes.clone(),
            account_type: f.account_type,
        }
    }
}

#[tauri::command]
pub async fn connection_settings(state: State<'_, AppState>, id: Uuid) -> CommandResult<ConnectionSettings> {
    let store = state.store()?;
    let c = blocking(|| store.get(id)).map_err(payload)?;
    Ok(ConnectionSettings {
        settings: SettingsView::from(&ActivationFile::from_connection(&c)),
        has_secret: c.secrets_saved.client_secret,
    })
}

/// New tokens from a refresh or client credentials: saved, or held here for copying.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IssuedReport {
    pub connection: ConnectionView,
    pub saved: bool,
    pub warning: Option<ErrorPayload>,
}

fn issued(state: &AppState, id: Uuid, issued: Issued) -> IssuedReport {
    let saved = issued.warning.is_none();
    // Not saved: the only copy of the new pair lives here until the user copies it.
    state.hold_unsaved(id, if saved { None } else { Some(issued.tokens) });
    IssuedReport {
        connection: ConnectionView::of(&issued.connection),
        saved,
        warning: issued.warning.map(|e| e.payload()),
    }
}

/// Refreshes the tokens (explicitly: the window warned that other copies stop working).
#[tauri::command]
pub async fn refresh_connection(state: State<'_, AppState>, id: Uuid) -> CommandResult<IssuedReport> {
    let store = state.store()?;
    let result = store.refresh(&client(&state)?, id).await.map_err(payload)?;
    Ok(issued(&state, id, result))
}

/// A service account's access token by client credentials (`TenantId` header).
#[tauri::command]
pub async fn service_token(state: State<'_, AppState>, id: Uuid) -> CommandResult<IssuedReport> {
    let store = state.store()?;
    let result = store.service_token(&client(&state)?, id).await.map_err(payload)?;
    Ok(issued(&state, id, result))
}

/// `/companyinformation` with the saved access token, answered in words.
#[tauri::command]
pub async fn test_connection(state: State<'_, AppState>, id: Uuid) -> CommandResult<activation::store::Tested> {
    let store = state.store()?;
    store.test(&client(&state)?, id).await.map_err(payload)
}

#[tauri::command]
pub async fn rename_connection(state: State<'_, AppState>, id: Uuid, name: String) -> CommandResult<ConnectionView> {
    let store = state.store()?;
    let c = blocking(|| store.rename(id, &name)).map_err(payload)?;
    Ok(ConnectionView::of(&c))
}

/// What removing did.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveReport {
    /// Fortnox confirmed the revocation.
    pub revoked: bool,
    /// Why revoking failed; the connection was removed here all the same.
    pub warning: Option<ErrorPayload>,
    pub notice: Text,
}

/// Revokes the refresh token at Fortnox, then removes the connection and its secrets here.
/// Works when Fortnox cannot be reached, and then says the grant may still exist there.
#[tauri::command]
pub async fn remove_connection(state: State<'_, AppState>, id: Uuid) -> CommandResult<RemoveReport> {
    let store = state.store()?;
    let removed = store.revoke_and_remove(&client(&state)?, id).await.map_err(payload)?;
    state.hold_unsaved(id, None);
    Ok(RemoveReport {
        revoked: removed.revoked_at_fortnox,
        warning: removed.revoke_error.map(|e| e.payload()),
        notice: removed.notice,
    })
}

/// What of a saved connection to copy.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConnectionPart {
    AccessToken,
    RefreshToken,
    Json,
    Env,
}

/// Copies a saved connection's secret (or everything as JSON / `.env` lines) from the
/// keychain to the clipboard, in Rust. Tokens that could not be saved are copied from
/// where they are held.
#[tauri::command]
pub async fn copy_connection<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: Uuid,
    what: ConnectionPart,
) -> CommandResult<crate::clipboard::Copied> {
    let store = state.store()?;
    let text = match state.unsaved(id) {
        Some(tokens) => unsaved_text(&tokens, what),
        None => blocking(|| saved_text(&store, id, what)),
    }
    .map_err(payload)?;
    let name = match what {
        ConnectionPart::AccessToken => "access-token",
        ConnectionPart::RefreshToken => "refresh-token",
        ConnectionPart::Json => "json",
        ConnectionPart::Env => "env",
    };
    // Every part is a secret: it is cleared from the clipboard later, like the wizard's.
    crate::clipboard::copy(&app, name, &text).map_err(payload)
}

fn saved_text(store: &activation::store::Store, id: Uuid, what: ConnectionPart) -> Result<String, Error> {
    match what {
        ConnectionPart::Json => store.export_tokens(id, false),
        ConnectionPart::Env => store.export_tokens(id, true),
        ConnectionPart::AccessToken => {
            store.secrets(id)?.access_token.map(|t| t.expose().to_string()).ok_or(Error::NoAttempt)
        }
        ConnectionPart::RefreshToken => {
            store.secrets(id)?.refresh_token.map(|t| t.expose().to_string()).ok_or(Error::NoAttempt)
        }
    }
}

fn unsaved_text(tokens: &TokenSet, what: ConnectionPart) -> Result<String, Error> {
    let access = tokens.access_token.expose();
    let refresh = tokens.refresh_token.as_ref().map(|r| r.expose());
    Ok(match what {
        ConnectionPart::AccessToken => access.to_string(),
        ConnectionPart::RefreshToken => refresh.ok_or(Error::NoAttempt)?.to_string(),
        ConnectionPart::Json => serde_json::to_string_pretty(&serde_json::json!({
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": tokens.expires_in,
            "scope": tokens.scope,
            "token_type": tokens.token_type,
        }))
        .unwrap_or_default(),
        ConnectionPart::Env => {
            let mut lines = format!("FORTNOX_ACCESS_TOKEN={access}\n");
            if let Some(r) = refresh {
                lines.push_str(&format!("FORTNOX_REFRESH_TOKEN={r}\n"));
            }
            lines
        }
    })
}

/// Where an exported activation file went.
#[derive(Debug, Serialize)]
pub struct Exported {
    pub path: String,
}

/// Writes the connection's activation file (settings only) into the downloads folder
/// (the home folder when there is none), under a name that takes nothing over.
#[tauri::command]
pub async fn export_connection(state: State<'_, AppState>, id: Uuid) -> CommandResult<Exported> {
    let store = state.store()?;
    blocking(|| {
        let file = store.activation_file(id)?;
        let dir = dirs::download_dir().or_else(dirs::home_dir).unwrap_or_else(std::env::temp_dir);
        let path = free_path(&dir, &file_stem(&file.name));
        file.write(&path)?;
        Ok(Exported { path: path.display().to_string() })
    })
    .map_err(payload)
}

/// A file-name-safe version of a connection's name.
fn file_stem(name: &str) -> String {
    let stem: String =
        name.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    let stem = stem.trim_matches('-');
    if stem.is_empty() {
        "connection".to_string()
    } else {
        stem.to_string()
    }
}

fn free_path(dir: &std::path::Path, stem: &str) -> PathBuf {
    let mut path = dir.join(format!("{stem}.fortnox-activation.json"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem}-{n}.fortnox-activation.json"));
        n += 1;
    }
    path
}

/// An activation file's settings, checked; a bad file is refused field by field.
#[tauri::command]
pub fn read_activation_file(text: String) -> CommandResult<ConnectionSettings> {
    let file = ActivationFile::parse(&text).map_err(payload)?;
    Ok(ConnectionSettings { settings: SettingsView::from(&file), has_secret: false })
}

/// The activation file the app was started with (its first argument), read once.
#[tauri::command]
pub fn startup_file(state: State<'_, AppState>) -> Option<StartupFile> {
    state.take_startup_file()
}

/// An activation file given on the command line: its name and what it holds.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartupFile {
    pub file_name: String,
    pub settings: Option<SettingsView>,
    pub problem: Option<ErrorPayload>,
}

impl StartupFile {
    /// Reads `path` as an activation file.
    pub fn read(path: &std::path::Path) -> StartupFile {
        let file_name =
            path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        match ActivationFile::read(path) {
            Ok(f) => StartupFile { file_name, settings: Some(SettingsView::from(&f)), problem: None },
            Err(e) => StartupFile { file_name, settings: None, problem: Some(e.payload()) },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exported_file_gets_a_safe_name_that_takes_nothing_over() {
        assert_eq!(file_stem("Acme AB / Lön"), "Acme-AB---Lön");
        assert_eq!(file_stem("///"), "connection");
        let dir = tempfile::tempdir().unwrap();
        let first = free_path(dir.path(), "acme");
        std::fs::write(&first, "x").unwrap();
        let second = free_path(dir.path(), "acme");
        assert_ne!(first, second);
        assert!(second.ends_with("acme-2.fortnox-activation.json"));
    }
}
