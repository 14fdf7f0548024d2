//! Saved connections: one place in the core, shared by the app and the command line.
//!
//! Owns the connections file (settings only, [`file`]), the secrets in the OS keychain
//! ([`keychain`], one entry per secret keyed by the connection's uuid), the per-connection
//! OS file locks ([`lock`]), activation files ([`activation_file`]) and the status logic
//! ([`connection`]). [`Store`] is the one entry point: open it with [`Store::open_default`]
//! (the platform config dir for `se.fortnoxactivator.app`, the same dir as Tauri's
//! `app_config_dir()`, and the OS keychain) and call its operations.
//!
//! Contract: file and keychain operations are synchronous and block briefly (call them from
//! a blocking context or accept ~50 ms); operations that talk to Fortnox are `async` and do
//! their blocking parts on tokio's blocking pool. Token work on a connection (refresh,
//! client credentials, revoke) holds that connection's OS lock, so the app and the CLI
//! never race; a refresh saves the new pair before the old one is forgotten, and if saving
//! fails the new tokens are still returned, with a warning, for the user to copy.
//!
//! Security rule: no secret is ever written to the connections file, a log or an error;
//! secrets go to the keychain and come back only as the newtypes of [`crate::secret`].

pub mod activation_file;
pub mod connection;
pub mod file;
pub mod keychain;
pub mod lock;
mod split;

pub use activation_file::ActivationFile;
pub use connection::{Action, Connection, Listed, NextAction, Ownership, SecretsSaved, Standing, Status, StatusKind};
pub use keychain::{KeyringStore, SecretKind, SecretStore};

use crate::clock::epoch_ms;
use crate::export::Export;
use crate::flow::Connected;
use crate::fortnox::token::{Company, FortnoxClient, TokenSet};
use crate::secret::{AccessToken, ClientSecret, RefreshToken};
use crate::settings::{describe_company, AccountType, Settings, SettingsInput};
use crate::{Error, Text};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use uuid::Uuid;

/// The app's identifier: the config dir's name and the keychain service.
pub const APP_IDENTIFIER: &str = "se.fortnoxactivator.app";

/// The saved connections: a config dir and a keychain. Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct Store {
    dir: PathBuf,
    secrets: Arc<dyn SecretStore>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish_non_exhaustive()
    }
}

/// Where an activation's outcome goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveAs {
    /// A new connection (its name must be free).
    New,
    /// Re-authorization: replace the tokens (and settings) of this connection, same id.
    Replace(Uuid),
}

/// What saving produced.
#[derive(Debug, Clone)]
pub struct Saved {
    /// The connection as now saved (settings are saved even when the keychain failed).
    pub connection: Connection,
    /// `Some(keychain_unavailable)` when secrets could not be saved: the connection is
    /// marked "keys not saved"; show the result for copying, with this error's words.
    pub warning: Option<Error>,
    /// A new connection to a company already saved under another name: says so, naming
    /// both (two holders of one company's keys is usually a mistake).
    pub same_company: Option<Text>,
}

/// New tokens from a refresh or a client-credentials call.
#[derive(Debug)]
pub struct Issued {
    pub connection: Connection,
    /// The new tokens, for showing or copying at the user's request.
    pub tokens: TokenSet,
    /// `Some(e)` when the new tokens could not be saved: they exist only here now, so show
    /// them for copying with e's message; [`Store::save_tokens`] can try again.
    pub warning: Option<Error>,
}

/// The answer of [`Store::access_token`]: an access token that lives long enough.
#[derive(Debug)]
pub struct Fresh {
    /// The connection as saved now.
    pub connection: Connection,
    pub access: AccessToken,
    /// `Some` when a new token was fetched for this call (refresh or client credentials);
    /// its `warning` says when the keychain did not take it.
    pub issued: Option<Issued>,
}

/// The answer of [`Store::test`].
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tested {
    pub company_name: String,
    pub organization_number: String,
    /// "Works: connected to Acme AB (556677-8899)." in both languages.
    pub text: Text,
}

/// The answer of [`Store::remove`] and [`Store::revoke_and_remove`].
#[derive(Debug, Clone)]
pub struct Removed {
    /// True when Fortnox confirmed the revocation.
    pub revoked_at_fortnox: bool,
    /// Why revoking failed (the connection was removed locally all the same).
    pub revoke_error: Option<Error>,
    /// What to tell the user, e.g. that the grant may still exist at Fortnox.
    pub notice: Text,
}

/// A connection's secrets as read from the keychain (each `None` when not saved).
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    pub client_secret: Option<ClientSecret>,
    pub access_token: Option<AccessToken>,
    pub refresh_token: Option<RefreshToken>,
}

impl Store {
    /// The default dir: `dirs::config_dir()/se.fortnoxactivator.app` (Linux
    /// `~/.config/se.fortnoxactivator.app`, macOS `~/Library/Application Support/…`,
    /// Windows `%APPDATA%\…`), the same as Tauri's `app_config_dir()`.
    ///
    /// # Errors
    /// [`Error::StorageFailed`] when the platform has no config dir (no `HOME`).
    pub fn default_dir() -> Result<PathBuf, Error> {
        dirs::config_dir().map(|d| d.join(APP_IDENTIFIER)).ok_or_else(|| Error::StorageFailed {
            path: "~".into(),
            reason: "the system names no configuration folder (is HOME set?)".into(),
        })
    }

    /// The default dir and the OS keychain. Touches neither until first use, so a missing
    /// keychain shows up as `keychain_unavailable` on the operations that need it.
    ///
    /// # Errors
    /// As [`default_dir`](Self::default_dir).
    pub fn open_default() -> Result<Store, Error> {
        Ok(Store::open(Self::default_dir()?, Arc::new(KeyringStore::new())))
    }

    /// A store in `dir` with the given keychain (tests, or another location).
    pub fn open(dir: impl Into<PathBuf>, secrets: Arc<dyn SecretStore>) -> Store {
        Store { dir: dir.into(), secrets }
    }

    /// The config dir.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The connections file's path (for messages such as "kept in …").
    pub fn file_path(&self) -> PathBuf {
        self.dir.join(file::FILE_NAME)
    }

    /// Every connection with its status, the soonest date that needs action first.
    ///
    /// # Errors
    /// `connections_file_corrupt`, `connections_file_too_new`, `storage_failed`.
    pub fn list(&self) -> Result<Vec<Listed>, Error> {
        let now = SystemTime::now();
        let mut list: Vec<Listed> = self
            .read()?
            .into_iter()
            .map(|connection| {
                let status = connection.status_at(now);
                let ownership = connection.ownership();
                let next_action = connection.next_action(now);
                Listed { connection, status, ownership, next_action }
            })
            .collect();
        connection::sort_by_date_due(&mut list);
        Ok(list)
    }

    /// One connection by id.
    ///
    /// # Errors
    /// `connection_not_found` and the errors of [`list`](Self::list).
    pub fn get(&self, id: Uuid) -> Result<Connection, Error> {
        self.read()?.into_iter().find(|c| c.id == id).ok_or_else(|| Error::ConnectionNotFound { query: id.to_string() })
    }

    /// One connection by id (full uuid) or name (ignoring case), as typed on the command
    /// line.
    ///
    /// # Errors
    /// `connection_not_found` and the errors of [`list`](Self::list).
    pub fn find(&self, name_or_id: &str) -> Result<Connection, Error> {
        let q = name_or_id.trim();
        let by_id = Uuid::parse_str(q).ok();
        let key = name_key(q);
        self.read()?
            .into_iter()
            .find(|c| Some(c.id) == by_id || name_key(&c.name) == key)
            .ok_or_else(|| Error::ConnectionNotFound { query: q.to_string() })
    }

    /// The saved connection called `name` (ignoring case and surrounding blanks).
    ///
    /// # Errors
    /// `connection_not_found` and the errors of [`list`](Self::list).
    pub fn find_by_name(&self, name: &str) -> Result<Connection, Error> {
        let key = name_key(name);
        self.read()?
            .into_iter()
            .find(|c| name_key(&c.name) == key)
            .ok_or_else(|| Error::ConnectionNotFound { query: name.trim().to_string() })
    }

    /// Saves an activation's outcome: settings in the file, client secret and tokens in the
    /// keychain. `SaveAs::New` needs a free name (`settings.connection_name`);
    /// `SaveAs::Replace(id)` keeps the id and replaces settings and tokens (its name may
    /// change if free). The settings are saved even when the keychain fails; then
    /// [`Saved::warning`] says so and the connection shows "keys not saved".
    ///
    /// # Errors
    /// `connection_name_taken`, `invalid_settings` (empty name), `connection_not_found`,
    /// the file errors.
    pub fn save_activation(&self, settings: &Settings, connected: &Connected, target: SaveAs) -> Result<Saved, Error> {
        let name = check_name(&settings.connection_name)?;
        let id = match target {
            SaveAs::New => Uuid::new_v4(),
            SaveAs::Replace(id) => id,
        };
        let _conn_lock = lock::connection(&self.dir, id)?;
        let _file_lock = lock::file(&self.dir)?;
        let mut all = self.read()?;
        let index = match target {
            SaveAs::New => None,
            SaveAs::Replace(id) => Some(
                all.iter()
                    .position(|c| c.id == id)
                    .ok_or_else(|| Error::ConnectionNotFound { query: id.to_string() })?,
            ),
        };
        ensure_free(&all, &name, Some(id))?;
        let now = epoch_ms(SystemTime::now());
        let previous = index.map(|i| all[i].clone());
        if let (Some(expected), Some(tenant)) =
            (previous.as_ref().and_then(Connection::expected_company), &connected.tenant_id)
        {
            // The flow refuses this before anything is saved; never replace one company's
            // keys with another's, whoever calls.
            if expected.tenant_id != *tenant {
                let approved = connected.company.as_ref();
                return Err(Error::WrongCompany {
                    approved: describe_company(
                        approved.map(|c| c.name.as_str()),
                        approved.map(|c| c.organization_number.as_str()),
                        tenant,
                    )
                    .en,
                    expected: expected.describe().en,
                    approved_tenant: tenant.clone(),
                    expected_tenant: expected.tenant_id,
                });
            }
        }
        let same_company = match (target, &connected.tenant_id) {
            (SaveAs::New, Some(tenant)) => {
                all.iter().find(|o| o.tenant_id.as_deref() == Some(tenant.as_str())).map(|other| {
                    let company = describe_company(
                        other.company_name.as_deref(),
                        other.organization_number.as_deref(),
                        tenant,
                    );
                    Text::new(
                        format!(
                            "{} is already saved as \u{201c}{}\u{201d}; now also as \u{201c}{}\u{201d}. Each connection holds its own refresh token: remove the one that is not needed.",
                            company.en, other.name, name
                        ),
                        format!(
                            "{} finns redan sparat som \u{201d}{}\u{201d}; nu även som \u{201d}{}\u{201d}. Varje koppling har sin egen förnyelsetoken: ta bort den som inte behövs.",
                            company.sv, other.name, name
                        ),
                    )
                })
            }
            _ => None,
        };
        let mut c = Connection {
            id,
            name,
            client_id: settings.client_id.clone(),
            redirect_uri: settings.redirect_uri.as_str().to_string(),
            scopes: settings.scopes.clone(),
            granted_scopes: Vec::new(),
            account_type: connected.account_type,
            tenant_id: connected.tenant_id.clone(),
            company_name: connected.company.as_ref().map(|c| c.name.clone()),
            organization_number: connected.company.as_ref().map(|c| c.organization_number.clone()),
            created_at_ms: previous.as_ref().map_or(now, |p| p.created_at_ms),
            authorized_at_ms: Some(now),
            access_token_expires_at_ms: None,
            refresh_token_issued_at_ms: None,
            standing: Standing::Ok,
            secrets_saved: previous.as_ref().map(|p| p.secrets_saved).unwrap_or_default(),
            handed_over_at_ms: None,
        };
        let mut warning = None;
        if let Some(secret) = &settings.client_secret {
            match self.secrets.set(id, SecretKind::ClientSecret, secret.expose()) {
                Ok(()) => c.secrets_saved.client_secret = true,
                Err(e) => {
                    c.secrets_saved.client_secret = false;
                    warning = Some(e);
                }
            }
        }
        if warning.is_none() {
            if let Err(e) = self.write_tokens(&mut c, &connected.tokens, true) {
                warning = Some(e);
            }
        } else {
            c.secrets_saved.access_token = false;
            c.secrets_saved.refresh_token = false;
            apply_token_times(&mut c, &connected.tokens, true);
        }
        match index {
            Some(i) => all[i] = c.clone(),
            None => all.push(c.clone()),
        }
        if let Err(e) = file::write(&self.file_path(), &all) {
            if index.is_none() {
                // No record, no secrets: leave no orphan entries in the keychain.
                for kind in SecretKind::ALL {
                    let _ = self.secrets.delete(id, kind);
                }
            }
            return Err(e);
        }
        tracing::info!(
            connection = %id,
            replaced = index.is_some(),
            secrets_saved = warning.is_none(),
            "connection saved"
        );
        if let Some(w) = &warning {
            tracing::warn!(connection = %id, kind = w.kind(), "secrets not saved in the keychain");
        }
        Ok(Saved { connection: c, warning, same_company })
    }

    /// Saves tokens for a connection again (after [`Issued::warning`] or
    /// [`Saved::warning`], once the keychain works). A token set without a refresh token
    /// (client credentials) replaces only the access token.
    ///
    /// # Errors
    /// `keychain_unavailable`, `connection_not_found`, the file errors.
    pub fn save_tokens(&self, id: Uuid, tokens: &TokenSet) -> Result<Connection, Error> {
        let _conn_lock = lock::connection(&self.dir, id)?;
        let mut c = self.get(id)?;
        let result = self.write_tokens(&mut c, tokens, false);
        let saved = self.update(id, |stored| {
            stored.access_token_expires_at_ms = c.access_token_expires_at_ms;
            stored.refresh_token_issued_at_ms = c.refresh_token_issued_at_ms;
            stored.granted_scopes = c.granted_scopes.clone();
            stored.secrets_saved = c.secrets_saved;
            if result.is_ok() && stored.standing == Standing::NeedsReauthorization && tokens.refresh_token.is_some() {
                stored.standing = Standing::Ok;
            }
        })?;
        result.map(|()| saved)
    }

    /// Hands the connection over to the integration: from now on the integration holds the
    /// refresh token and keeps the connection alive. This computer forgets its copy of the
    /// refresh token (the keychain entry is deleted), keeps the access token only for
    /// "Test" until it expires, and never refreshes the connection again (until it is
    /// re-authorized here). Call it once the refresh token is in the integration's hands.
    ///
    /// # Errors
    /// `keychain_unavailable` (nothing changed), `connection_not_found`, the file errors.
    pub fn hand_over(&self, id: Uuid) -> Result<Connection, Error> {
        let _conn_lock = lock::connection(&self.dir, id)?;
        self.get(id)?;
        self.secrets.delete(id, SecretKind::RefreshToken)?;
        let now = epoch_ms(SystemTime::now());
        let c = self.update(id, |c| {
            c.handed_over_at_ms = Some(now);
            c.secrets_saved.refresh_token = false;
        })?;
        tracing::info!(connection = %id, "handed over to the integration; the refresh token is forgotten here");
        Ok(c)
    }

    /// Renames a connection; its secrets stay where they are (keyed by id).
    ///
    /// # Errors
    /// `invalid_settings` (empty or longer than 100), `connection_name_taken`,
    /// `connection_not_found`, the file errors.
    pub fn rename(&self, id: Uuid, name: &str) -> Result<Connection, Error> {
        let name = check_name(name)?;
        let _file_lock = lock::file(&self.dir)?;
        let mut all = self.read()?;
        ensure_free(&all, &name, Some(id))?;
        let c =
            all.iter_mut().find(|c| c.id == id).ok_or_else(|| Error::ConnectionNotFound { query: id.to_string() })?;
        c.name = name;
        let out = c.clone();
        file::write(&self.file_path(), &all)?;
        Ok(out)
    }

    /// Copies a connection's settings and client secret (not its tokens, tenant or
    /// company) under a new id and name, for a new customer of the same integration. The
    /// copy is `not_activated` until re-authorized with `SaveAs::Replace(copy.id)`.
    ///
    /// # Errors
    /// As [`rename`](Self::rename), and `keychain_unavailable` (copying the secret).
    pub fn duplicate(&self, id: Uuid, name: &str) -> Result<Connection, Error> {
        let name = check_name(name)?;
        let _file_lock = lock::file(&self.dir)?;
        let mut all = self.read()?;
        ensure_free(&all, &name, None)?;
        let original = all
            .iter()
            .find(|c| c.id == id)
            .cloned()
            .ok_or_else(|| Error::ConnectionNotFound { query: id.to_string() })?;
        let copy = Connection {
            id: Uuid::new_v4(),
            name,
            granted_scopes: Vec::new(),
            tenant_id: None,
            company_name: None,
            organization_number: None,
            created_at_ms: epoch_ms(SystemTime::now()),
            authorized_at_ms: None,
            access_token_expires_at_ms: None,
            refresh_token_issued_at_ms: None,
            standing: Standing::NotActivated,
            secrets_saved: SecretsSaved::default(),
            handed_over_at_ms: None,
            ..original
        };
        let mut copy = copy;
        if let Some(secret) = self.secrets.get(id, SecretKind::ClientSecret)? {
            self.secrets.set(copy.id, SecretKind::ClientSecret, &secret)?;
            copy.secrets_saved.client_secret = true;
        }
        all.push(copy.clone());
        if let Err(e) = file::write(&self.file_path(), &all) {
            let _ = self.secrets.delete(copy.id, SecretKind::ClientSecret);
            return Err(e);
        }
        Ok(copy)
    }

    /// Removes a connection locally: its keychain entries, then its settings. Fortnox is not
    /// told; [`Removed::notice`] says the grant may still exist there.
    ///
    /// # Errors
    /// `keychain_unavailable` (nothing removed), `connection_not_found`, the file errors.
    pub fn remove(&self, id: Uuid) -> Result<Removed, Error> {
        let _conn_lock = lock::connection(&self.dir, id)?;
        self.get(id)?;
        self.forget(id)?;
        tracing::info!(connection = %id, "removed locally");
        Ok(Removed { revoked_at_fortnox: false, revoke_error: None, notice: notice_not_revoked() })
    }

    /// Reads a connection's secrets (to show or copy at the user's request, or to
    /// re-authorize).
    ///
    /// # Errors
    /// `keychain_unavailable`, `connection_not_found`.
    pub fn secrets(&self, id: Uuid) -> Result<Secrets, Error> {
        self.get(id)?;
        Ok(Secrets {
            client_secret: self.secrets.get(id, SecretKind::ClientSecret)?.map(ClientSecret::new),
            access_token: self.secrets.get(id, SecretKind::AccessToken)?.map(AccessToken::new),
            refresh_token: self.secrets.get(id, SecretKind::RefreshToken)?.map(RefreshToken::new),
        })
    }

    /// The wizard's input for re-authorizing: the saved settings with the client secret
    /// from the keychain (`None` if it is not there).
    ///
    /// # Errors
    /// `keychain_unavailable`, `connection_not_found`, the file errors.
    pub fn settings_input(&self, id: Uuid) -> Result<SettingsInput, Error> {
        let c = self.get(id)?;
        Ok(SettingsInput {
            connection_name: c.name,
            client_id: c.client_id,
            client_secret: self.secrets.get(id, SecretKind::ClientSecret)?.map(ClientSecret::new),
            redirect_uri: c.redirect_uri,
            scopes: c.scopes,
            account_type: c.account_type,
        })
    }

    /// The tokens as JSON or `.env` lines (the shape of an activation's result), secrets
    /// included: only for the user's "Copy".
    ///
    /// # Errors
    /// `keychain_unavailable`, `secret_not_saved` (no access token), `connection_not_found`.
    pub fn export_tokens(&self, id: Uuid, env_lines: bool) -> Result<String, Error> {
        let c = self.get(id)?;
        let access = self
            .secrets
            .get(id, SecretKind::AccessToken)?
            .ok_or(Error::SecretNotSaved { secret: SecretKind::AccessToken })?;
        let refresh = self.secrets.get(id, SecretKind::RefreshToken)?;
        let export = Export::of_connection(&c, &access, refresh.as_deref());
        Ok(if env_lines { export.to_env() } else { export.to_json().to_string() })
    }

    /// Refreshes now (explicit only; the old refresh token dies at Fortnox, so any other
    /// copy of it stops working). Holds the connection's lock: a second refresh waits, then
    /// uses the pair the first one saved. The new refresh token is written to the keychain
    /// before anything else; if saving fails the new tokens come back with a warning.
    /// `invalid_grant` marks the connection `needs_reauthorization` and is not retried.
    /// When the file says the keychain refused the last pair, the spent refresh token there
    /// is never sent (`new_keys_not_saved`).
    ///
    /// # Errors
    /// `refresh_token_invalid` (now marked), `new_keys_not_saved`, `secret_not_saved`, `keychain_unavailable`
    /// (before the call: nothing spent), the token endpoint's errors, the file errors.
    pub async fn refresh(&self, client: &FortnoxClient, id: Uuid) -> Result<Issued, Error> {
        let store = self.clone();
        let (held, c) = blocking(move || {
            let held = lock::connection(&store.dir, id)?;
            let c = store.get(id)?;
            Ok((held, c))
        })
        .await?;
        self.refresh_locked(client, held, c).await
    }

    /// The refresh itself, with the connection's lock `held` and `c` read under it.
    async fn refresh_locked(&self, client: &FortnoxClient, held: lock::Held, c: Connection) -> Result<Issued, Error> {
        let id = c.id;
        c.ensure_kept_here()?;
        let store = self.clone();
        let (held, secret, refresh) = blocking(move || {
            let secret = store.required(id, SecretKind::ClientSecret)?;
            let refresh = store.required(id, SecretKind::RefreshToken)?;
            Ok((held, ClientSecret::new(secret), RefreshToken::new(refresh)))
        })
        .await?;
        if !c.secrets_saved.refresh_token {
            // The keychain refused the last pair: the refresh token it holds is spent.
            // Never send it.
            tracing::warn!(connection = %id, "refresh refused: the newest keys were never saved");
            return Err(Error::NewKeysNotSaved);
        }
        tracing::info!(connection = %id, "refreshing (lock held)");
        let tokens = match client.refresh(&c.client_id, &secret, &refresh).await {
            Ok(t) => t,
            Err(e @ Error::RefreshTokenInvalid { .. }) => {
                tracing::warn!(connection = %id, "refresh token refused: marked needs_reauthorization");
                let store = self.clone();
                let _ = blocking(move || store.update(id, |c| c.standing = Standing::NeedsReauthorization)).await;
                drop(held);
                return Err(e);
            }
            Err(e) => {
                tracing::warn!(connection = %id, kind = e.kind(), "refresh failed");
                return Err(e);
            }
        };
        self.keep_issued(c, tokens, held).await
    }

    /// An access token with more than `min_valid` left, for the credential helper
    /// (`fortnox-activate token`): the saved one when it lives long enough (one keychain
    /// read, no lock); otherwise, under the connection's lock, the file and keychain are
    /// read again (another process may have refreshed while this one waited) and only when
    /// the token is still too short-lived is a new one fetched: by refresh for a user
    /// account (the new pair saved before it is returned), by client credentials for a
    /// service account. Any number of processes at once thus spend each refresh token at
    /// most once.
    ///
    /// # Errors
    /// As [`refresh`](Self::refresh) and [`service_token`](Self::service_token).
    pub async fn access_token(&self, client: &FortnoxClient, id: Uuid, min_valid: Duration) -> Result<Fresh, Error> {
        let store = self.clone();
        let c = blocking(move || store.get(id)).await?;
        self.access_token_of(client, c, min_valid).await
    }

    /// [`access_token`](Self::access_token) for a connection `c` just read (as
    /// [`find`](Self::find) gives it), so that the file is read once when the saved token
    /// lives long enough; when it does not, the file is read again under the lock all the
    /// same.
    ///
    /// # Errors
    /// As [`access_token`](Self::access_token).
    pub async fn access_token_of(
        &self,
        client: &FortnoxClient,
        c: Connection,
        min_valid: Duration,
    ) -> Result<Fresh, Error> {
        let id = c.id;
        let store = self.clone();
        let fast = blocking(move || {
            c.ensure_kept_here()?;
            if !c.access_lives(min_valid, SystemTime::now()) {
                return Ok(Err(c));
            }
            Ok(match store.secrets.get(id, SecretKind::AccessToken)? {
                Some(a) => Ok((c, AccessToken::new(a))),
                None => Err(c),
            })
        })
        .await?;
        if let Ok((connection, access)) = fast {
            return Ok(Fresh { connection, access, issued: None });
        }
        let store = self.clone();
        let locked = blocking(move || {
            let held = lock::connection(&store.dir, id)?;
            let c = store.get(id)?;
            if c.access_lives(min_valid, SystemTime::now()) {
                if let Some(a) = store.secrets.get(id, SecretKind::AccessToken)? {
                    return Ok(Err((c, AccessToken::new(a))));
                }
            }
            Ok(Ok((held, c)))
        })
        .await?;
        let (held, c) = match locked {
            Err((connection, access)) => {
                tracing::info!(connection = %id, "another process renewed the access token while this one waited");
                return Ok(Fresh { connection, access, issued: None });
            }
            Ok(pair) => pair,
        };
        let issued = match c.account_type {
            AccountType::Service => self.service_token_locked(client, held, c).await?,
            AccountType::User => self.refresh_locked(client, held, c).await?,
        };
        Ok(Fresh {
            connection: issued.connection.clone(),
            access: issued.tokens.access_token.clone(),
            issued: Some(issued),
        })
    }

    /// A service account's access token by client credentials with the `TenantId` header;
    /// saved as the connection's access token.
    ///
    /// # Errors
    /// `invalid_settings` (no tenant id), `service_account_not_allowed`, `secret_not_saved`,
    /// `keychain_unavailable`, the token endpoint's errors.
    pub async fn service_token(&self, client: &FortnoxClient, id: Uuid) -> Result<Issued, Error> {
        let store = self.clone();
        let (held, c) = blocking(move || {
            let held = lock::connection(&store.dir, id)?;
            let c = store.get(id)?;
            Ok((held, c))
        })
        .await?;
        self.service_token_locked(client, held, c).await
    }

    /// Client credentials, with the connection's lock `held` and `c` read under it.
    async fn service_token_locked(
        &self,
        client: &FortnoxClient,
        held: lock::Held,
        c: Connection,
    ) -> Result<Issued, Error> {
        let id = c.id;
        let store = self.clone();
        let (held, secret) = blocking(move || {
            let secret = store.required(id, SecretKind::ClientSecret)?;
            Ok((held, ClientSecret::new(secret)))
        })
        .await?;
        let Some(tenant) = c.tenant_id.clone() else {
            return Err(Error::InvalidSettings(Text::new(
                "The connection has no tenant ID, which a service-account token needs. Re-authorize it as a service account.",
                "Kopplingen saknar tenant-id, som en token för servicekonto behöver. Godkänn den igen som servicekonto.",
            )));
        };
        tracing::info!(connection = %id, "client credentials for the tenant");
        let tokens = client.client_credentials(&c.client_id, &secret, &tenant).await.inspect_err(|e| {
            tracing::warn!(connection = %id, kind = e.kind(), "client credentials failed");
        })?;
        self.keep_issued(c, tokens, held).await
    }

    /// Tests the connection: `GET /companyinformation` with the saved access token.
    ///
    /// # Errors
    /// `access_token_expired` (known locally, or Fortnox answered 401),
    /// `missing_licence_or_rights`, `secret_not_saved`, `keychain_unavailable`, network.
    pub async fn test(&self, client: &FortnoxClient, id: Uuid) -> Result<Tested, Error> {
        let store = self.clone();
        let (c, access) = blocking(move || {
            let c = store.get(id)?;
            let access = store.required(id, SecretKind::AccessToken)?;
            Ok((c, AccessToken::new(access)))
        })
        .await?;
        if c.access_token_expires_at_ms.is_some_and(|e| e <= epoch_ms(SystemTime::now())) {
            return Err(Error::AccessTokenExpired);
        }
        match client.company_information(&access).await {
            Ok(company) => Ok(Tested {
                text: company_words(&company),
                company_name: company.name,
                organization_number: company.organization_number,
            }),
            Err(Error::UnexpectedResponse { status: 401, .. } | Error::AccessTokenRejected { .. }) => {
                Err(Error::AccessTokenExpired)
            }
            Err(e) => Err(e),
        }
    }

    /// Revokes the refresh token at Fortnox, then removes the connection locally. When
    /// Fortnox cannot be reached (or refuses), the connection is removed anyway and
    /// [`Removed::notice`] says the grant may still exist there.
    ///
    /// # Errors
    /// `keychain_unavailable` (nothing removed), `connection_not_found`, the file errors.
    pub async fn revoke_and_remove(&self, client: &FortnoxClient, id: Uuid) -> Result<Removed, Error> {
        let store = self.clone();
        let (held, c, secret, refresh) = blocking(move || {
            let held = lock::connection(&store.dir, id)?;
            let c = store.get(id)?;
            let secret = store.secrets.get(id, SecretKind::ClientSecret)?.map(ClientSecret::new);
            let refresh = store.secrets.get(id, SecretKind::RefreshToken)?.map(RefreshToken::new);
            Ok((held, c, secret, refresh))
        })
        .await?;
        let (revoked, revoke_error) = match (&secret, &refresh) {
            (Some(s), Some(r)) => match client.revoke(&c.client_id, s, r).await {
                Ok(()) => (true, None),
                Err(e) => (false, Some(e)),
            },
            _ => (false, None),
        };
        let store = self.clone();
        blocking(move || {
            let result = store.forget(id);
            if result.is_err() && revoked {
                let _ = store.update(id, |c| c.standing = Standing::Revoked);
            }
            drop(held);
            result
        })
        .await?;
        tracing::info!(connection = %id, revoked, revoke_error = revoke_error.as_ref().map(Error::kind), "removed");
        let notice = if revoked {
            Text::new(
                "Revoked at Fortnox and removed from this computer.",
                "Återkallad hos Fortnox och borttagen från den här datorn.",
            )
        } else {
            notice_not_revoked()
        };
        Ok(Removed { revoked_at_fortnox: revoked, revoke_error, notice })
    }

    /// The connection's activation file (settings only, never secrets).
    ///
    /// # Errors
    /// `connection_not_found`, the file errors.
    pub fn activation_file(&self, id: Uuid) -> Result<ActivationFile, Error> {
        Ok(ActivationFile::from_connection(&self.get(id)?))
    }

    /// The user's explicit "start over" after `connections_file_corrupt` or
    /// `connections_file_too_new`: keeps the file aside as a copy next to it and returns the
    /// copy's path; the list is empty afterwards. Keychain entries are left alone.
    ///
    /// # Errors
    /// `storage_failed`.
    pub fn set_aside_damaged_file(&self) -> Result<PathBuf, Error> {
        let _held = lock::file(&self.dir)?;
        file::set_aside(&self.file_path())
    }
}

impl Store {
    fn read(&self) -> Result<Vec<Connection>, Error> {
        file::read(&self.file_path())
    }

    /// Changes one stored connection under the file lock; returns it as saved.
    fn update(&self, id: Uuid, change: impl FnOnce(&mut Connection)) -> Result<Connection, Error> {
        let _file_lock = lock::file(&self.dir)?;
        let mut all = self.read()?;
        let c =
            all.iter_mut().find(|c| c.id == id).ok_or_else(|| Error::ConnectionNotFound { query: id.to_string() })?;
        change(c);
        let out = c.clone();
        file::write(&self.file_path(), &all)?;
        Ok(out)
    }

    fn required(&self, id: Uuid, kind: SecretKind) -> Result<String, Error> {
        self.secrets.get(id, kind)?.ok_or(Error::SecretNotSaved { secret: kind })
    }

    /// Writes a token set to the keychain, the refresh token first (so the live one is
    /// down before anything else happens), and records times and what was saved in `c`.
    /// `activation`: a set without a refresh token deletes the old one (a new grant);
    /// otherwise (client credentials) the refresh token is left alone.
    fn write_tokens(&self, c: &mut Connection, tokens: &TokenSet, activation: bool) -> Result<(), Error> {
        let id = c.id;
        let result = (|| {
            match &tokens.refresh_token {
                Some(r) => {
                    c.secrets_saved.refresh_token = false;
                    self.secrets.set(id, SecretKind::RefreshToken, r.expose())?;
                    c.secrets_saved.refresh_token = true;
                }
                None if activation => {
                    self.secrets.delete(id, SecretKind::RefreshToken)?;
                    c.secrets_saved.refresh_token = false;
                }
                None => {}
            }
            c.secrets_saved.access_token = false;
            self.secrets.set(id, SecretKind::AccessToken, tokens.access_token.expose())?;
            c.secrets_saved.access_token = true;
            Ok(())
        })();
        apply_token_times(c, tokens, activation);
        result
    }

    /// After a refresh or client-credentials call: saves the new tokens (refresh token
    /// first), updates the file, releases the lock. The tokens are returned whatever
    /// happens; a failure to save becomes the warning.
    async fn keep_issued(&self, c: Connection, tokens: TokenSet, held: lock::Held) -> Result<Issued, Error> {
        let store = self.clone();
        let tokens = Arc::new(tokens);
        let shared = tokens.clone();
        let (connection, warning) = blocking(move || {
            let mut c = c;
            let id = c.id;
            let saved = store.write_tokens(&mut c, &shared, false);
            let had_refresh = shared.refresh_token.is_some();
            let written = store.update(id, |stored| {
                stored.access_token_expires_at_ms = c.access_token_expires_at_ms;
                stored.refresh_token_issued_at_ms = c.refresh_token_issued_at_ms;
                stored.granted_scopes = c.granted_scopes.clone();
                stored.secrets_saved = c.secrets_saved;
                if had_refresh && saved.is_ok() {
                    stored.standing = Standing::Ok;
                }
            });
            drop(held);
            Ok(match (saved, written) {
                (Ok(()), Ok(stored)) => (stored, None),
                (Err(e), Ok(stored)) => (stored, Some(e)),
                (Ok(()), Err(e)) => (c, Some(e)),
                (Err(e), Err(_)) => (c, Some(e)),
            })
        })
        .await?;
        let tokens = Arc::try_unwrap(tokens).unwrap_or_else(|a| (*a).clone());
        match &warning {
            None => tracing::info!(connection = %connection.id, "new tokens saved"),
            Some(w) => {
                tracing::warn!(connection = %connection.id, kind = w.kind(), "new tokens NOT saved; returned for copying")
            }
        }
        Ok(Issued { connection, tokens, warning })
    }

    /// Deletes the keychain entries, then the record.
    fn forget(&self, id: Uuid) -> Result<(), Error> {
        for kind in SecretKind::ALL {
            self.secrets.delete(id, kind)?;
        }
        let _file_lock = lock::file(&self.dir)?;
        let mut all = self.read()?;
        all.retain(|c| c.id != id);
        file::write(&self.file_path(), &all)
    }
}

impl Issued {
    /// The new tokens as JSON (the shape of an activation's result), secrets included:
    /// only for output the user asked for.
    pub fn to_json_with_secrets(&self) -> String {
        Export::of_new_tokens(&self.connection, &self.tokens).to_json().to_string()
    }

    /// The new tokens as `.env` lines, secrets included (user-requested output only).
    pub fn to_env_lines(&self) -> String {
        Export::of_new_tokens(&self.connection, &self.tokens).to_env()
    }
}

/// Runs blocking store work (keychain, file locks) off the async runtime.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, Error> + Send + 'static) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::StorageFailed { path: String::new(), reason: format!("background task failed: {e}") })?
}

fn apply_token_times(c: &mut Connection, tokens: &TokenSet, activation: bool) {
    c.access_token_expires_at_ms = Some(epoch_ms(tokens.access_expires_at()));
    if tokens.refresh_token.is_some() {
        c.refresh_token_issued_at_ms = Some(epoch_ms(tokens.received_at));
    } else if activation {
        c.refresh_token_issued_at_ms = None;
    }
    if !tokens.scope.trim().is_empty() {
        c.granted_scopes = tokens.scope.split_whitespace().map(str::to_string).collect();
    }
}

/// Names are unique ignoring case and surrounding blanks.
fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

fn check_name(name: &str) -> Result<String, Error> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::InvalidSettings(Text::new(
            "Give the connection a name you will recognise, for example the customer's company name.",
            "Ge kopplingen ett namn du känner igen, till exempel kundens företagsnamn.",
        )));
    }
    if name.chars().count() > 100 {
        return Err(Error::InvalidSettings(Text::new("Use at most 100 characters.", "Använd högst 100 tecken.")));
    }
    Ok(name.to_string())
}

fn ensure_free(all: &[Connection], name: &str, except: Option<Uuid>) -> Result<(), Error> {
    let key = name_key(name);
    if all.iter().any(|c| Some(c.id) != except && name_key(&c.name) == key) {
        return Err(Error::ConnectionNameTaken { name: name.to_string() });
    }
    Ok(())
}

fn notice_not_revoked() -> Text {
    Text::new(
        "Removed from this computer. Fortnox was not told, so the grant may still exist there: the customer's administrator removes the integration in Fortnox, under Integrations, if it should stop working.",
        "Borttagen från den här datorn. Fortnox fick inte veta det, så behörigheten kan finnas kvar där: kundens administratör tar bort integrationen i Fortnox, under Integrationer, om den ska sluta fungera.",
    )
}

fn company_words(c: &Company) -> Text {
    Text::new(
        format!("Works: connected to {} ({}).", c.name, c.organization_number),
        format!("Fungerar: ansluten till {} ({}).", c.name, c.organization_number),
    )
}

#[cfg(test)]
pub(crate) mod tests;
