//! The saved connections, as a front end works with them: the list, saving an attempt's
//! result, refresh and client credentials (new keys the keychain refused are held here),
//! test, rename, revoke and remove, copying a saved secret or everything, handing a
//! connection over to the integration (its refresh token copied for it, then forgotten
//! here), and activation files (written under a name that takes nothing over, read with
//! their problems).

use super::wizard::blocking;
use super::{App, Item};
use crate::export::{Export, Field, Format};
use crate::secret::SecretKind;
use crate::store::{ActivationFile, Connection, Issued, Listed, Removed, SaveAs, Saved, Tested};
use crate::Error;
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// The saved list, or why it cannot be read (a damaged or newer file is not a failure of
/// the request: the front end says what is wrong and where).
#[derive(Debug)]
pub struct SavedList {
    pub connections: Result<Vec<Listed>, Error>,
    /// Where the connections file is.
    pub path: PathBuf,
    /// The connections whose new keys the keychain refused: held here, the only copy.
    pub unsaved: Vec<Uuid>,
}

/// New tokens from a refresh or client credentials, and whether the keychain took them.
#[derive(Debug)]
pub struct NewKeys {
    pub connection: Connection,
    /// `Some(e)` when the keychain refused them: they are held in [`App`] for copying.
    pub warning: Option<Error>,
}

impl App {
    /// The saved connections.
    ///
    /// # Errors
    /// `storage_failed` when the system names no configuration folder.
    pub fn list(&self) -> Result<SavedList, Error> {
        let store = self.store()?;
        Ok(SavedList { path: store.file_path(), connections: blocking(|| store.list()), unsaved: self.unsaved_ids() })
    }

    /// Moves a damaged connections file aside (kept, renamed) so a new list can start.
    ///
    /// # Errors
    /// `storage_failed`.
    pub fn set_aside_connections_file(&self) -> Result<PathBuf, Error> {
        let store = self.store()?;
        blocking(|| store.set_aside_damaged_file())
    }

    /// Saves the result of the attempt that just succeeded: a new connection, or with
    /// `replace` the new keys of that connection (re-authorize).
    ///
    /// # Errors
    /// `no_attempt`, `connection_name_taken`, the file's; a keychain failure is a warning
    /// of the answer, not an error (the settings are saved all the same).
    pub fn save_result(&self, replace: Option<Uuid>) -> Result<Saved, Error> {
        let store = self.store()?;
        let target = replace.map_or(SaveAs::New, SaveAs::Replace);
        blocking(|| self.session().as_ref().ok_or(Error::NoAttempt)?.save(&store, target))
    }

    /// The connections file's path, for "saved in …".
    ///
    /// # Errors
    /// `storage_failed` when the system names no configuration folder.
    pub fn connections_file(&self) -> Result<PathBuf, Error> {
        Ok(self.store()?.file_path())
    }

    /// One saved connection (settings and facts; no secret).
    ///
    /// # Errors
    /// `connection_not_found`, the file's.
    pub fn connection(&self, id: Uuid) -> Result<Connection, Error> {
        let store = self.store()?;
        blocking(|| store.get(id))
    }

    /// Refreshes the tokens (explicitly: the front end warned that other copies stop working).
    ///
    /// # Errors
    /// Fortnox's (`refresh_token_invalid`…), the store's.
    pub async fn refresh(&self, id: Uuid) -> Result<NewKeys, Error> {
        if self.unsaved(id).is_some() {
            // The keychain's refresh token is spent: save the held pair first (or fail
            // without sending anything), so the refresh uses the live one.
            self.save_unsaved(id)?;
        }
        let issued = self.store()?.refresh(&self.client()?, id).await?;
        Ok(self.keep(id, issued))
    }

    /// "Save again": writes the new keys held here (the keychain refused them) to the
    /// keychain; once saved they are no longer held, and closing the window needs no
    /// question for them.
    ///
    /// # Errors
    /// `no_attempt` when no keys are held for `id`; `keychain_unavailable` (still held),
    /// `connection_not_found`, the file's.
    pub fn save_unsaved(&self, id: Uuid) -> Result<Connection, Error> {
        let tokens = self.unsaved(id).ok_or(Error::NoAttempt)?;
        let store = self.store()?;
        let saved = blocking(|| store.save_tokens(id, &tokens))?;
        self.hold_unsaved(id, None);
        Ok(saved)
    }

    /// The user confirms they copied the new keys held for `id` (the keychain refused
    /// them): they are forgotten here. The connection keeps saying "keys not saved", and no
    /// refresh sends the spent token the keychain still holds.
    pub fn forget_unsaved(&self, id: Uuid) {
        self.hold_unsaved(id, None);
    }

    /// A service account's access token by client credentials (`TenantId` header).
    ///
    /// # Errors
    /// As [`App::refresh`].
    pub async fn service_token(&self, id: Uuid) -> Result<NewKeys, Error> {
        let issued = self.store()?.service_token(&self.client()?, id).await?;
        Ok(self.keep(id, issued))
    }

    /// New keys not saved: the only copy lives here until the user copies them.
    fn keep(&self, id: Uuid, issued: Issued) -> NewKeys {
        let saved = issued.warning.is_none();
        self.hold_unsaved(id, if saved { None } else { Some(issued.tokens) });
        NewKeys { connection: issued.connection, warning: issued.warning }
    }

    /// `/companyinformation` with the saved access token, answered in words.
    ///
    /// # Errors
    /// Fortnox's, the store's.
    pub async fn test(&self, id: Uuid) -> Result<Tested, Error> {
        self.store()?.test(&self.client()?, id).await
    }

    /// Renames a saved connection.
    ///
    /// # Errors
    /// `connection_name_taken`, `invalid_settings`, the file's.
    pub fn rename(&self, id: Uuid, name: &str) -> Result<Connection, Error> {
        let store = self.store()?;
        blocking(|| store.rename(id, name))
    }

    /// Revokes the refresh token at Fortnox, then removes the connection and its secrets
    /// here. Works when Fortnox cannot be reached, and then says the grant may still exist.
    ///
    /// # Errors
    /// The store's.
    pub async fn remove(&self, id: Uuid) -> Result<Removed, Error> {
        let removed = self.store()?.revoke_and_remove(&self.client()?, id).await?;
        self.hold_unsaved(id, None);
        Ok(removed)
    }

    /// A saved connection's secret, or everything as JSON or `.env` lines, to copy; from
    /// the keychain, or from the new keys held here when the keychain refused them (then
    /// with their refresh token: the only copy). From the keychain, JSON and `.env` leave
    /// the refresh token out: a connection kept here keeps it (the integration asks
    /// [`Item::TokenCommand`]'s command for access tokens), a handed-over one has none; a
    /// refresh token for the integration goes with [`App::hand_over_copy`].
    /// [`Item::TokenCommand`] is the command line that gives the integration access tokens.
    ///
    /// # Errors
    /// `no_attempt` when there is no such secret; `handed_over` for the token command of a
    /// handed-over connection; `connection_not_found`, the keychain's.
    pub fn copy_saved(&self, id: Uuid, item: Item) -> Result<String, Error> {
        let store = self.store()?;
        let connection = blocking(|| store.get(id))?;
        if item == Item::TokenCommand {
            connection.ensure_kept_here()?;
            return Ok(token_command(&connection));
        }
        let (export, access_saved) = match self.unsaved(id) {
            Some(tokens) => (Export::of_new_tokens(&connection, &tokens), true),
            None => {
                let secrets = blocking(|| store.secrets(id))?;
                let access = secrets.access_token.as_ref().map(|t| t.expose());
                let refresh = secrets.refresh_token.as_ref().map(|t| t.expose());
                let export = Export::of_connection(&connection, access.unwrap_or_default(), refresh);
                let kept =
                    if matches!(item, Item::Json | Item::Env) { export.without(Field::RefreshToken) } else { export };
                (kept, access.is_some())
            }
        };
        render(&export, item, access_saved)
    }

    /// What to copy when handing a connection kept here over to the integration: its
    /// refresh token, or everything as JSON or `.env` lines with the refresh token. Call
    /// [`App::hand_over`] once it is copied.
    ///
    /// # Errors
    /// `handed_over` (already), `secret_not_saved` (no refresh token in the keychain),
    /// `no_attempt` for an item that is not one of those; `connection_not_found`, the
    /// keychain's.
    pub fn hand_over_copy(&self, id: Uuid, item: Item) -> Result<String, Error> {
        let store = self.store()?;
        let connection = blocking(|| store.get(id))?;
        connection.ensure_kept_here()?;
        if !matches!(item, Item::RefreshToken | Item::Json | Item::Env) {
            return Err(Error::NoAttempt);
        }
        let secrets = blocking(|| store.secrets(id))?;
        let refresh = secrets.refresh_token.as_ref().map(|t| t.expose());
        if refresh.is_none() {
            return Err(Error::SecretNotSaved { secret: SecretKind::RefreshToken });
        }
        let access = secrets.access_token.as_ref().map(|t| t.expose());
        let export = Export::of_connection(&connection, access.unwrap_or_default(), refresh);
        render(&export, item, access.is_some())
    }

    /// Hands the connection over to the integration (its refresh token was just copied for
    /// it): this computer forgets the refresh token and never refreshes the connection
    /// again; the access token stays for "Test" until it expires.
    ///
    /// # Errors
    /// `keychain_unavailable` (nothing changed), `connection_not_found`, the file's.
    pub fn hand_over(&self, id: Uuid) -> Result<Connection, Error> {
        let store = self.store()?;
        blocking(|| store.hand_over(id))
    }

    /// Writes the connection's activation file (settings only, never a secret) into `dir`
    /// under a name made from the connection's that takes no existing file over.
    ///
    /// # Errors
    /// `connection_not_found`, `storage_failed`.
    pub fn export_activation_file(&self, id: Uuid, dir: &Path) -> Result<PathBuf, Error> {
        let store = self.store()?;
        blocking(|| {
            let file = store.activation_file(id)?;
            let path = free_path(dir, &file_stem(&file.name));
            file.write(&path)?;
            Ok(path)
        })
    }
}

/// `item` of `export`; what needs the access token fails without one.
fn render(export: &Export, item: Item, access_saved: bool) -> Result<String, Error> {
    let needs_access = matches!(item, Item::AccessToken | Item::Json | Item::Env);
    if needs_access && !access_saved {
        return Err(Error::SecretNotSaved { secret: SecretKind::AccessToken });
    }
    match item {
        Item::AccessToken => export.get(Field::AccessToken).ok_or(Error::NoAttempt),
        Item::RefreshToken => export.get(Field::RefreshToken).ok_or(Error::NoAttempt),
        Item::Json => Ok(export.render(Format::Json)),
        Item::Env => Ok(export.render(Format::Env)),
        _ => Err(Error::NoAttempt),
    }
}

/// `fortnox-activate token "NAME"`, or with the id when the name holds anything a shell
/// or `cmd` would read differently inside double quotes.
pub fn token_command(c: &Connection) -> String {
    let plain = !c.name.is_empty() && c.name.chars().all(|ch| ch.is_alphanumeric() || " .,_-".contains(ch));
    if plain {
        format!("fortnox-activate token \"{}\"", c.name)
    } else {
        format!("fortnox-activate token {}", c.id)
    }
}

/// Where exported activation files go: the downloads folder, else home, else temp.
pub fn export_dir() -> PathBuf {
    dirs::download_dir().or_else(dirs::home_dir).unwrap_or_else(std::env::temp_dir)
}

/// An activation file's settings, checked; a bad file is refused field by field.
///
/// # Errors
/// `activation_file_invalid`.
pub fn read_activation_text(text: &str) -> Result<ActivationFile, Error> {
    ActivationFile::parse(text)
}

/// A file-name-safe version of a connection's name.
pub fn file_stem(name: &str) -> String {
    let stem: String =
        name.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    let stem = stem.trim_matches('-');
    if stem.is_empty() {
        "connection".to_string()
    } else {
        stem.to_string()
    }
}

/// `dir/<stem>.fortnox-activation`, or `-2`, `-3`… until the name is free.
pub fn free_path(dir: &Path, stem: &str) -> PathBuf {
    let ext = crate::store::activation_file::EXTENSION;
    let mut path = dir.join(format!("{stem}.{ext}"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem}-{n}.{ext}"));
        n += 1;
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::ClientSecret;
    use crate::settings::{self, AccountType, NameRule, SettingsInput};
    use crate::store::keychain::MemoryStore;
    use crate::store::{Ownership, StatusKind, Store};
    use crate::Language;
    use std::sync::Arc;

    /// An app over a fresh folder and an in-memory keychain, with "Acme AB" saved (access
    /// token `access-1`, refresh token `refresh-1`).
    fn app_with_one(dir: &Path) -> (App, Uuid, Arc<MemoryStore>) {
        let keys = Arc::new(MemoryStore::default());
        let store = Store::open(dir, keys.clone());
        let settings = settings::check(
            &SettingsInput {
                connection_name: "Acme AB".into(),
                client_id: "client-1".into(),
                client_secret: Some(ClientSecret::new("client-secret-1")),
                redirect_uri: "http://localhost:9876/callback".into(),
                scopes: vec!["companyinformation".into()],
                account_type: AccountType::User,
            },
            NameRule::Required,
        )
        .into_result()
        .unwrap();
        let connected = crate::store::tests::connected("access-1", "refresh-1");
        let id = store.save_activation(&settings, &connected, crate::store::SaveAs::New).unwrap().connection.id;
        (App::new(Language::En, Err(Error::NoAttempt), Ok(store)), id, keys)
    }

    #[test]
    fn a_connection_kept_here_copies_without_its_refresh_token_and_offers_the_token_command() {
        let dir = tempfile::tempdir().unwrap();
        let (app, id, _keys) = app_with_one(dir.path());
        for item in [Item::Json, Item::Env] {
            let text = app.copy_saved(id, item).unwrap();
            assert!(text.contains("access-1"), "{text}");
            let carries = text.contains("FORTNOX_REFRESH_TOKEN=") || text.contains("\"refresh_token\"");
            assert!(!text.contains("refresh-1") && !carries, "kept here: {text}");
        }
        assert_eq!(app.copy_saved(id, Item::TokenCommand).unwrap(), "fortnox-activate token \"Acme AB\"");
        assert_eq!(app.list().unwrap().connections.unwrap()[0].ownership, Ownership::KeptHere);
    }

    #[test]
    fn handing_over_copies_the_refresh_token_then_forgets_it_here() {
        let dir = tempfile::tempdir().unwrap();
        let (app, id, keys) = app_with_one(dir.path());
        assert_eq!(app.hand_over_copy(id, Item::RefreshToken).unwrap(), "refresh-1");
        let env = app.hand_over_copy(id, Item::Env).unwrap();
        assert!(env.contains("FORTNOX_REFRESH_TOKEN=refresh-1\n") && env.contains("access-1"), "{env}");
        let json = app.hand_over_copy(id, Item::Json).unwrap();
        assert!(json.contains("\"refresh_token\": \"refresh-1\""), "{json}");
        assert_eq!(app.hand_over_copy(id, Item::AccessToken).unwrap_err().kind(), "no_attempt");
        let c = app.hand_over(id).unwrap();
        assert_eq!((c.ownership(), c.status().kind), (Ownership::HandedOver, StatusKind::HandedOver));
        assert!(!keys.values().iter().any(|v| v == "refresh-1"), "the keychain forgot the refresh token");
        // The access token stays (for Test), and nothing more can be handed over or asked for.
        assert_eq!(app.copy_saved(id, Item::AccessToken).unwrap(), "access-1");
        assert_eq!(app.hand_over_copy(id, Item::RefreshToken).unwrap_err().kind(), "handed_over");
        assert_eq!(app.copy_saved(id, Item::TokenCommand).unwrap_err().kind(), "handed_over");
        assert!(!app.copy_saved(id, Item::Json).unwrap().contains("refresh-1"));
    }

    #[test]
    fn the_token_command_names_a_plain_name_and_otherwise_the_id() {
        let dir = tempfile::tempdir().unwrap();
        let (app, id, _keys) = app_with_one(dir.path());
        let mut c = app.connection(id).unwrap();
        c.name = "Lön $(rm -rf ~) \"x\"".into();
        assert_eq!(token_command(&c), format!("fortnox-activate token {id}"));
        c.name = "Malmö Bygg AB".into();
        assert_eq!(token_command(&c), "fortnox-activate token \"Malmö Bygg AB\"");
    }

    #[test]
    fn an_exported_file_gets_a_safe_name_that_takes_nothing_over() {
        assert_eq!(file_stem("Acme AB / Lön"), "Acme-AB---Lön");
        assert_eq!(file_stem("///"), "connection");
        let dir = tempfile::tempdir().unwrap();
        let first = free_path(dir.path(), "acme");
        std::fs::write(&first, "x").unwrap();
        let second = free_path(dir.path(), "acme");
        assert_ne!(first, second);
        assert!(first.ends_with("acme.fortnox-activation"), "one extension: {first:?}");
        assert!(second.ends_with("acme-2.fortnox-activation"));
    }
}
