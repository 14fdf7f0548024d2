//! The types the window receives, in one place: what each command answers, serialised to
//! the window as camelCase JSON, and built from the application layer's answers
//! ([`activation::app`]). Errors cross as [`ErrorPayload`] `{kind, message, next_step,
//! detail}`.
//!
//! Security rule: none of these types holds a secret. A secret reaches the window only as
//! the `String` answer of `reveal_secret` (the user pressed "Show"); copies happen in Rust.

use activation::app::saved::{NewKeys, SavedList};
use activation::app::wizard::Checked;
use activation::capture::redirect_uri::Capture;
use activation::error::FileProblemView;
use activation::settings::{AccountType, RedirectFix};
use activation::store::{ActivationFile, Connection, Listed, NextAction, Removed, Saved, Status};
use activation::{ErrorPayload, Language, Text};
use serde::Serialize;
use std::collections::BTreeMap;
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

impl AppInfo {
    pub fn of(app: &activation::app::App) -> Self {
        let (endpoint_notice, endpoint_error) = match app.endpoints() {
            Ok(e) => (e.override_notice(), None),
            Err(e) => (None, Some(e.payload())),
        };
        AppInfo { version: env!("CARGO_PKG_VERSION"), language: app.language(), endpoint_notice, endpoint_error }
    }
}

/// The result of checking the settings as typed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsReport {
    pub valid: bool,
    pub fields: BTreeMap<&'static str, Text>,
    pub warnings: Vec<Text>,
    /// Each unknown scope that most likely means a known one → that one (step 2 offers it).
    pub scope_fixes: BTreeMap<String, String>,
    pub code_only: bool,
    pub capture: Option<Capture>,
    /// The redirect URI a common slip stands for (step 1's "Did you mean …? Use it").
    pub redirect_fix: Option<RedirectFix>,
    /// The exact redirect URI to register in Fortnox's Developer Portal.
    pub register_value: Option<String>,
}

impl From<Checked> for SettingsReport {
    fn from(c: Checked) -> Self {
        SettingsReport {
            valid: c.check.settings.is_some(),
            code_only: c.check.code_only,
            fields: c.check.fields,
            warnings: c.check.warnings,
            scope_fixes: c.check.scope_fixes,
            capture: c.check.capture,
            redirect_fix: c.check.redirect_fix,
            register_value: c.register_value,
        }
    }
}

/// What `copy_to_clipboard` and `copy_connection` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Copied {
    /// Seconds until the clipboard is cleared; `None` for a non-secret, which stays.
    pub clears_in_secs: Option<u64>,
}

/// What the window says about a link no attempt took. Holds no part of the link.
#[derive(Debug, Clone, Serialize)]
pub struct LinkNotice {
    /// `link_unexpected` (no activation waiting) or `link_after_end`.
    pub error: ErrorPayload,
}

pub use crate::platform::Handling;

/// How links of a scheme reach the app on this computer, and whether it is registered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemeStatus {
    pub scheme: String,
    /// The app's own scheme.
    pub own: bool,
    pub handling: Handling,
    /// Whether this app is the scheme's handler here (`None`: cannot be told).
    pub registered: Option<bool>,
    /// Which application handles the scheme now, when it is another (Linux; for the
    /// question before registering).
    pub handler_now: Option<String>,
    /// Whether the app registered itself for this (other program's) scheme and can undo it.
    pub undoable: bool,
}

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
    /// New keys the keychain refused are held in Rust (the only copy): copy them, or
    /// "Save again".
    pub unsaved_keys: bool,
    /// Who refreshes the connection: `kept_here` (this computer) or `handed_over` (the
    /// integration, since `handed_over_at_ms`).
    pub ownership: activation::store::Ownership,
    pub handed_over_at_ms: Option<u64>,
    pub status: StatusView,
    /// What this computer must do next and by when (`{action, dueMs, dueAt}`): the date the
    /// list leads each status with and sorts by. None when nothing is due here.
    pub next_action: Option<NextAction>,
}

/// The status one reads at a glance: a stable kind and its dates; the window words it
/// (`ui/js/i18n.js`), so every status text it shows comes from one place.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusView {
    pub kind: String,
    /// The refresh token's deadline the status speaks of, if any.
    pub at_ms: Option<u64>,
    pub minutes: Option<u64>,
}

impl ConnectionView {
    fn new(c: &Connection, status: &Status, next_action: Option<NextAction>) -> Self {
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
            unsaved_keys: false,
            ownership: c.ownership(),
            handed_over_at_ms: c.handed_over_at_ms,
            status: StatusView { kind, at_ms: status.until_ms, minutes: status.minutes },
            next_action,
        }
    }
}

impl From<&Connection> for ConnectionView {
    fn from(c: &Connection) -> Self {
        let now = std::time::SystemTime::now();
        Self::new(c, &c.status_at(now), c.next_action(now))
    }
}

impl From<&Listed> for ConnectionView {
    fn from(l: &Listed) -> Self {
        Self::new(&l.connection, &l.status, l.next_action.clone())
    }
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

impl From<SavedList> for ConnectionList {
    fn from(l: SavedList) -> Self {
        let path = Some(l.path.display().to_string());
        match l.connections {
            Ok(list) => {
                let connections = list
                    .iter()
                    .map(|listed| {
                        let mut view = ConnectionView::from(listed);
                        view.unsaved_keys = l.unsaved.contains(&view.id);
                        view
                    })
                    .collect();
                ConnectionList { connections, problem: None, path }
            }
            Err(e) => ConnectionList { connections: Vec::new(), problem: Some(e.payload()), path },
        }
    }
}

/// What handing a connection over did: the copy (the clipboard clears it later) and the
/// connection as it is now (handed over).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HandOverReport {
    pub copied: Copied,
    pub connection: ConnectionView,
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
    /// A new connection to a company already saved under another name, naming both.
    pub same_company: Option<Text>,
}

impl SaveReport {
    pub fn of(saved: Saved, replaced: bool, path: &std::path::Path) -> Self {
        SaveReport {
            connection: (&saved.connection).into(),
            replaced,
            secrets_saved: saved.warning.is_none(),
            warning: saved.warning.map(|e| e.payload()),
            path: path.display().to_string(),
            store: activation::platform::keychain_name(),
            same_company: saved.same_company,
        }
    }
}

/// A saved connection's settings for the wizard; its secret stays in the keychain.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionSettings {
    pub settings: SettingsView,
    /// The client secret is in the keychain (the wizard may leave the field empty).
    pub has_secret: bool,
    /// An activation file's notes: scopes Fortnox does not know, each with its likely fix.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<FileProblemView>,
}

impl From<&Connection> for ConnectionSettings {
    fn from(c: &Connection) -> Self {
        ConnectionSettings {
            settings: SettingsView::from(&ActivationFile::from_connection(c)),
            has_secret: c.secrets_saved.client_secret,
            notes: Vec::new(),
        }
    }
}

impl From<&ActivationFile> for ConnectionSettings {
    fn from(f: &ActivationFile) -> Self {
        ConnectionSettings { settings: f.into(), has_secret: false, notes: notes(f) }
    }
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

/// New tokens from a refresh or client credentials: saved, or held in Rust for copying.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IssuedReport {
    pub connection: ConnectionView,
    pub saved: bool,
    pub warning: Option<ErrorPayload>,
}

impl From<NewKeys> for IssuedReport {
    fn from(k: NewKeys) -> Self {
        IssuedReport {
            connection: (&k.connection).into(),
            saved: k.warning.is_none(),
            warning: k.warning.map(|e| e.payload()),
        }
    }
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

impl From<Removed> for RemoveReport {
    fn from(r: Removed) -> Self {
        RemoveReport { revoked: r.revoked_at_fortnox, warning: r.revoke_error.map(|e| e.payload()), notice: r.notice }
    }
}

/// Where an exported activation file went.
#[derive(Debug, Serialize)]
pub struct Exported {
    pub path: String,
}

/// An activation file given on the command line: its name and what it holds.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartupFile {
    pub file_name: String,
    pub settings: Option<SettingsView>,
    /// What to say of a file that is used all the same (see [`ConnectionSettings::notes`]).
    pub notes: Vec<FileProblemView>,
    pub problem: Option<ErrorPayload>,
}

fn notes(f: &ActivationFile) -> Vec<FileProblemView> {
    f.notes().iter().map(activation::error::FileProblem::view).collect()
}

impl StartupFile {
    /// Reads `path` as an activation file.
    pub fn read(path: &std::path::Path) -> StartupFile {
        let file_name =
            path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        match ActivationFile::read(path) {
            Ok(f) => StartupFile { file_name, settings: Some(SettingsView::from(&f)), notes: notes(&f), problem: None },
            Err(e) => StartupFile { file_name, settings: None, notes: Vec::new(), problem: Some(e.payload()) },
        }
    }
}
