//! Saved connections against the real OS keychain (Secret Service: gnome-keyring on the
//! session bus that `scripts/test.sh` starts) and the Fortnox stand-in: save, a new store
//! (as after a restart), refresh rotation, a keychain failure in the middle of a refresh,
//! `invalid_grant`, revoke, remove while Fortnox is unreachable, service-account tokens,
//! testing, activation files, and that no secret ever lands in a file.

mod common;

use activation::flow::Connected;
use activation::fortnox::endpoints::Endpoints;
use activation::fortnox::token::FortnoxClient;
use activation::secret::ClientSecret;
use activation::settings::{check, AccountType, NameRule, Settings, SettingsInput};
use activation::store::{ActivationFile, KeyringStore, SaveAs, SecretKind, SecretStore, StatusKind, Store};
use activation::{Error, Language};
use activator_tests::standin::{ClientConfig, StandIn, StandInConfig};
use common::free_port;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

const SECRET: &str = "store-secret-0123456789";

struct Fixture {
    standin: StandIn,
    redirect_uri: String,
    dir: tempfile::TempDir,
}

async fn fixture(service_accounts: bool) -> Fixture {
    let redirect_uri = format!("http://localhost:{}/callback", free_port());
    let client =
        ClientConfig::new("store-client", SECRET, redirect_uri.clone()).with_service_accounts(service_accounts);
    Fixture {
        standin: StandIn::start(StandInConfig::with_client(client)).await,
        redirect_uri,
        dir: tempfile::tempdir().unwrap(),
    }
}

impl Fixture {
    fn client(&self) -> FortnoxClient {
        FortnoxClient::new(Endpoints::new(&self.standin.oauth_url(), &self.standin.api_url()))
    }

    /// A store in this test's own folder on the real keychain, as a fresh process opens it.
    fn store(&self) -> Store {
        Store::open(self.dir.path(), Arc::new(KeyringStore::new()))
    }

    fn settings(&self, name: &str, account: AccountType) -> Settings {
        common::settings(
            name,
            "store-client",
            Some(SECRET),
            &self.redirect_uri,
            &["companyinformation", "invoice"],
            account,
        )
    }

    /// A whole activation through the fake browser; returns the settings and the outcome.
    async fn activate(&self, settings: Settings) -> (Settings, Box<Connected>) {
        let connected = common::activate_through_fake_browser(self.client(), settings.clone()).await;
        (settings, connected)
    }

    /// Activates and saves a user-account connection called `name`.
    async fn saved(&self, name: &str, account: AccountType) -> (Uuid, Box<Connected>) {
        let (settings, connected) = self.activate(self.settings(name, account)).await;
        let saved = self.store().save_activation(&settings, &connected, SaveAs::New).unwrap();
        assert!(saved.warning.is_none(), "{:?}", saved.warning);
        (saved.connection.id, connected)
    }
}

/// Every regular file under `dir`, as bytes.
fn files_under(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else if let Ok(bytes) = std::fs::read(&p) {
            out.push((p, bytes));
        }
    }
    out
}

/// Asserts that none of `secrets` appears in any file under `dirs`.
fn assert_no_secret_in(dirs: &[&Path], secrets: &[String]) {
    for dir in dirs {
        for (path, bytes) in files_under(dir) {
            let text = String::from_utf8_lossy(&bytes);
            for s in secrets.iter().filter(|s| s.len() >= 8) {
                assert!(!text.contains(s.as_str()), "a secret is in {}", path.display());
            }
        }
    }
}

/// Cleans the keychain entries a test left (tests share the session's keyring).
fn forget(id: Uuid) {
    for kind in [SecretKind::ClientSecret, SecretKind::AccessToken, SecretKind::RefreshToken] {
        let _ = KeyringStore::new().delete(id, kind);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_connection_survives_a_restart_with_its_secrets_only_in_the_keychain() {
    let f = fixture(false).await;
    let (id, connected) = f.saved("Testbolaget", AccountType::User).await;
    let access = connected.tokens.access_token.expose().to_string();
    let refresh = connected.tokens.refresh_token.as_ref().unwrap().expose().to_string();

    // A new Store, as after a restart of the app or another CLI process.
    let store = f.store();
    let list = store.list().unwrap();
    assert_eq!(list.len(), 1);
    let c = &list[0].connection;
    assert_eq!(c.id, id);
    assert_eq!(c.company_name.as_deref(), Some("Testbolaget AB"));
    assert_eq!(c.organization_number.as_deref(), Some("556677-8899"));
    assert_eq!(c.tenant_id.as_deref(), Some("1234567"));
    assert_eq!(list[0].status.kind, StatusKind::AccessTokenValid);
    let s = store.secrets(id).unwrap();
    assert_eq!(s.client_secret.unwrap().expose(), SECRET);
    assert_eq!(s.access_token.unwrap().expose(), access);
    assert_eq!(s.refresh_token.unwrap().expose(), refresh);
    // Straight from the Secret Service, keyed by the uuid.
    assert_eq!(KeyringStore::new().get(id, SecretKind::RefreshToken).unwrap().as_deref(), Some(refresh.as_str()));
    assert_no_secret_in(&[f.dir.path()], &[SECRET.into(), access, refresh]);
    forget(id);
}

#[test]
fn a_16_kb_secret_is_saved_and_read_back_whole_through_the_secret_service() {
    let id = Uuid::new_v4();
    let keys = KeyringStore::new();
    let value: String = "eyJhbGciOiJIUzI1NiJ9.åäö-".chars().cycle().take(16 * 1024).collect();
    keys.set(id, SecretKind::AccessToken, &value).unwrap();
    assert_eq!(keys.get(id, SecretKind::AccessToken).unwrap().as_deref(), Some(value.as_str()));
    keys.delete(id, SecretKind::AccessToken).unwrap();
    assert_eq!(keys.get(id, SecretKind::AccessToken).unwrap(), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_16_kb_access_token_is_saved_and_survives_a_refresh() {
    let f = fixture(false).await;
    f.standin.set_access_token_length(16 * 1024);
    let (id, connected) = f.saved("Lång token", AccountType::User).await;
    assert!(connected.tokens.access_token.expose().len() >= 16 * 1024);
    let saved = f.store().secrets(id).unwrap();
    assert_eq!(saved.access_token.unwrap().expose(), connected.tokens.access_token.expose());
    let issued = f.store().refresh(&f.client(), id).await.unwrap();
    assert!(issued.warning.is_none());
    let saved = f.store().secrets(id).unwrap();
    assert_eq!(saved.access_token.unwrap().expose(), issued.tokens.access_token.expose());
    forget(id);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refresh_rotates_the_pair_and_the_old_refresh_token_dies() {
    let f = fixture(false).await;
    let (id, connected) = f.saved("Rotation", AccountType::User).await;
    let old = connected.tokens.refresh_token.as_ref().unwrap().expose().to_string();
    let issued = f.store().refresh(&f.client(), id).await.unwrap();
    assert!(issued.warning.is_none());
    let new = issued.tokens.refresh_token.as_ref().unwrap().expose().to_string();
    assert_ne!(new, old);
    assert!(!f.standin.is_refresh_token_live(&old));
    assert!(f.standin.is_refresh_token_live(&new));
    let s = f.store().secrets(id).unwrap();
    assert_eq!(s.refresh_token.unwrap().expose(), new);
    assert_eq!(s.access_token.unwrap().expose(), issued.tokens.access_token.expose());
    // The saved pair works: a second refresh succeeds.
    assert!(f.store().refresh(&f.client(), id).await.is_ok());
    forget(id);
}

/// The real keychain, with writes failing while the switch is on (as when the keyring
/// gets locked between reading the old pair and writing the new one).
struct FailingWrites {
    real: KeyringStore,
    failing: AtomicBool,
}

impl SecretStore for FailingWrites {
    fn get(&self, id: Uuid, kind: SecretKind) -> Result<Option<String>, Error> {
        self.real.get(id, kind)
    }
    fn set(&self, id: Uuid, kind: SecretKind, value: &str) -> Result<(), Error> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(Error::KeychainUnavailable { reason: "the keyring is locked (injected)".into() });
        }
        self.real.set(id, kind, value)
    }
    fn delete(&self, id: Uuid, kind: SecretKind) -> Result<(), Error> {
        self.real.delete(id, kind)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refresh_whose_new_pair_cannot_be_saved_loses_nothing() {
    let f = fixture(false).await;
    let (id, _) = f.saved("Locked", AccountType::User).await;
    let keys = Arc::new(FailingWrites { real: KeyringStore::new(), failing: AtomicBool::new(true) });
    let store = Store::open(f.dir.path(), keys.clone());
    let issued = store.refresh(&f.client(), id).await.unwrap();
    let warning = issued.warning.as_ref().expect("a warning");
    assert_eq!(warning.kind(), "keychain_unavailable");
    assert!(!warning.next_step().en.is_empty() && !warning.next_step().sv.is_empty());
    // The new pair is in hand and alive at Fortnox; the list says the keys are not saved.
    let new = issued.tokens.refresh_token.clone().unwrap();
    assert!(f.standin.is_refresh_token_live(new.expose()));
    assert!(issued.to_json_with_secrets().contains(new.expose()));
    assert_eq!(store.get(id).unwrap().status().kind, StatusKind::SecretsNotSaved);

    // No later refresh sends the spent token still in the keychain, from this store or a
    // fresh one (another process), whether the keychain works or not.
    f.standin.clear_requests();
    for store in [store.clone(), f.store()] {
        let e = store.refresh(&f.client(), id).await.unwrap_err();
        assert_eq!(e.kind(), "new_keys_not_saved");
    }
    assert!(f.standin.token_requests().is_empty(), "the spent refresh token was sent");
    assert!(f.standin.is_refresh_token_live(new.expose()));

    // Once the keychain works again, saving the pair makes the connection whole.
    keys.failing.store(false, Ordering::SeqCst);
    store.save_tokens(id, &issued.tokens).unwrap();
    assert_eq!(f.store().get(id).unwrap().status().kind, StatusKind::AccessTokenValid);
    let again = f.store().refresh(&f.client(), id).await.unwrap();
    assert!(again.warning.is_none());
    forget(id);
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_grant_marks_the_connection_for_reauthorization_without_retrying() {
    let f = fixture(false).await;
    let (id, _) = f.saved("Revoked elsewhere", AccountType::User).await;
    f.standin.revoke_all_refresh_tokens();
    f.standin.clear_requests();
    let e = f.store().refresh(&f.client(), id).await.unwrap_err();
    assert_eq!(e.kind(), "refresh_token_invalid");
    assert_eq!(f.standin.token_requests().len(), 1, "no retry");
    let listed = f.store().list().unwrap();
    assert_eq!(listed[0].status.kind, StatusKind::NeedsReauthorization);

    // Re-authorizing replaces the tokens of the same connection.
    let (settings, connected) = f.activate(f.settings("Revoked elsewhere", AccountType::User)).await;
    let saved = f.store().save_activation(&settings, &connected, SaveAs::Replace(id)).unwrap();
    assert_eq!(saved.connection.id, id);
    assert_eq!(f.store().get(id).unwrap().status().kind, StatusKind::AccessTokenValid);
    assert!(f.store().refresh(&f.client(), id).await.is_ok());
    forget(id);
}

#[tokio::test(flavor = "multi_thread")]
async fn revoke_and_remove_kills_the_grant_and_forgets_the_secrets() {
    let f = fixture(false).await;
    let (id, connected) = f.saved("Goodbye", AccountType::User).await;
    let refresh = connected.tokens.refresh_token.as_ref().unwrap().expose().to_string();
    let removed = f.store().revoke_and_remove(&f.client(), id).await.unwrap();
    assert!(removed.revoked_at_fortnox);
    assert!(!f.standin.is_refresh_token_live(&refresh));
    assert_eq!(f.standin.revoke_requests()[0].form_value("token").as_deref(), Some(refresh.as_str()));
    assert!(f.store().list().unwrap().is_empty());
    for kind in [SecretKind::ClientSecret, SecretKind::AccessToken, SecretKind::RefreshToken] {
        assert_eq!(KeyringStore::new().get(id, kind).unwrap(), None, "{kind:?} left in the keychain");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn remove_works_when_fortnox_cannot_be_reached_and_says_the_grant_may_remain() {
    let f = fixture(false).await;
    let (id, connected) = f.saved("Offline", AccountType::User).await;
    let port = free_port(); // nothing listens there
    let offline = FortnoxClient::new(Endpoints::new(
        &format!("http://127.0.0.1:{port}/oauth-v1"),
        &format!("http://127.0.0.1:{port}/3"),
    ));
    let removed = f.store().revoke_and_remove(&offline, id).await.unwrap();
    assert!(!removed.revoked_at_fortnox);
    assert_eq!(removed.revoke_error.as_ref().map(Error::kind), Some("network"));
    assert!(removed.notice.en.contains("may still exist"));
    assert!(removed.notice.sv.contains("kan finnas kvar"));
    assert!(f.store().list().unwrap().is_empty());
    assert_eq!(KeyringStore::new().get(id, SecretKind::RefreshToken).unwrap(), None);
    // Fortnox never heard of it: the grant is still alive there.
    assert!(f.standin.is_refresh_token_live(connected.tokens.refresh_token.as_ref().unwrap().expose()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_service_account_gets_access_tokens_by_client_credentials_with_its_tenant() {
    let f = fixture(true).await;
    let (id, _) = f.saved("Service", AccountType::Service).await;
    f.standin.clear_requests();
    let issued = f.store().service_token(&f.client(), id).await.unwrap();
    assert!(issued.warning.is_none());
    assert!(issued.tokens.refresh_token.is_none());
    let req = &f.standin.token_requests()[0];
    assert_eq!(req.header("tenantid"), Some("1234567"));
    assert_eq!(req.form_value("grant_type").as_deref(), Some("client_credentials"));
    let s = f.store().secrets(id).unwrap();
    assert_eq!(s.access_token.unwrap().expose(), issued.tokens.access_token.expose());
    assert!(s.refresh_token.is_some(), "the activation's refresh token is kept");
    // The new token works.
    assert_eq!(f.store().test(&f.client(), id).await.unwrap().company_name, "Testbolaget AB");

    // Once the customer withdraws the consent, Fortnox says so in words.
    f.standin.revoke_service_consent("store-client");
    let e = f.store().service_token(&f.client(), id).await.unwrap_err();
    assert_eq!(e.kind(), "service_account_not_allowed");
    forget(id);
}

#[tokio::test(flavor = "multi_thread")]
async fn testing_a_connection_answers_in_words_and_knows_an_expired_token() {
    let f = fixture(false).await;
    let (id, _) = f.saved("Test me", AccountType::User).await;
    let t = f.store().test(&f.client(), id).await.unwrap();
    assert_eq!(t.text.en, "Works: connected to Testbolaget AB (556677-8899).");
    assert!(t.text.sv.starts_with("Fungerar"));
    f.standin.advance_clock(Duration::from_secs(2 * 3600));
    let e = f.store().test(&f.client(), id).await.unwrap_err();
    assert_eq!(e.kind(), "access_token_expired");
    forget(id);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_activation_file_round_trips_and_activates_a_new_customer() {
    let f = fixture(false).await;
    let (id, _) = f.saved("Integrator template", AccountType::User).await;
    let path = f.dir.path().join("activation.json");
    f.store().activation_file(id).unwrap().write(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(SECRET));

    // The customer opens it, enters the secret and activates.
    let file = ActivationFile::read(&path).unwrap();
    let mut input = file.to_settings_input();
    input.connection_name = "Customer".into();
    input.client_secret = Some(ClientSecret::new(SECRET));
    let settings = check(&input, NameRule::Required).into_result().unwrap();
    let (settings, connected) = f.activate(settings).await;
    let saved = f.store().save_activation(&settings, &connected, SaveAs::New).unwrap();
    assert_eq!(saved.connection.scopes, ["companyinformation", "invoice"]);

    // Bad files are explained field by field.
    std::fs::write(
        &path,
        r#"{"format":"fortnox-activation","version":1,"name":"","clientId":"","redirectUri":"ftp://x","scopes":[]}"#,
    )
    .unwrap();
    match ActivationFile::read(&path).unwrap_err() {
        Error::ActivationFileInvalid { problems } => {
            assert_eq!(
                problems.iter().map(|p| p.field.key()).collect::<Vec<_>>(),
                ["name", "clientId", "redirectUri", "scopes"]
            )
        }
        e => panic!("{e:?}"),
    }
    forget(id);
    forget(saved.connection.id);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_corrupt_connections_file_is_reported_with_its_path_and_never_overwritten() {
    let f = fixture(false).await;
    let store = f.store();
    std::fs::write(store.file_path(), "{\"version\":1,\"connections\":[{\"id\":").unwrap();
    let e = store.list().unwrap_err();
    assert_eq!(e.kind(), "connections_file_corrupt");
    assert!(e.message().en.contains(&store.file_path().display().to_string()));
    let (settings, connected) = f.activate(f.settings("Blocked", AccountType::User)).await;
    assert_eq!(
        store.save_activation(&settings, &connected, SaveAs::New).unwrap_err().kind(),
        "connections_file_corrupt"
    );
    assert_eq!(std::fs::read_to_string(store.file_path()).unwrap(), "{\"version\":1,\"connections\":[{\"id\":");
    let aside = store.set_aside_damaged_file().unwrap();
    assert!(aside.exists());
    let saved = store.save_activation(&settings, &connected, SaveAs::New).unwrap();
    assert_eq!(store.list().unwrap().len(), 1);
    forget(saved.connection.id);
}

/// The real keychain, refusing exactly one write: the refresh token of the next new pair.
struct RefusesTheNewPair {
    real: KeyringStore,
    armed: AtomicBool,
}

impl SecretStore for RefusesTheNewPair {
    fn get(&self, id: Uuid, kind: SecretKind) -> Result<Option<String>, Error> {
        self.real.get(id, kind)
    }
    fn set(&self, id: Uuid, kind: SecretKind, value: &str) -> Result<(), Error> {
        if kind == SecretKind::RefreshToken && self.armed.swap(false, Ordering::SeqCst) {
            return Err(Error::KeychainUnavailable { reason: "the keyring is locked (injected)".into() });
        }
        self.real.set(id, kind, value)
    }
    fn delete(&self, id: Uuid, kind: SecretKind) -> Result<(), Error> {
        self.real.delete(id, kind)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_holds_a_refused_pair_asks_before_closing_and_never_sends_the_spent_token() {
    use activation::app::{App, Item};
    let f = fixture(false).await;
    let (id, connected) = f.saved("Held", AccountType::User).await;
    let spent = connected.tokens.refresh_token.as_ref().unwrap().expose().to_string();
    let keys = Arc::new(RefusesTheNewPair { real: KeyringStore::new(), armed: AtomicBool::new(true) });
    let app = App::new(
        Language::En,
        Ok(Endpoints::new(&f.standin.oauth_url(), &f.standin.api_url())),
        Ok(Store::open(f.dir.path(), keys.clone())),
    );
    assert!(!app.close_guard());
    let answer = app.refresh(id).await.unwrap();
    assert_eq!(answer.warning.as_ref().map(Error::kind), Some("keychain_unavailable"));
    // Held: listed as such, copyable (refresh token and .env), and closing asks first.
    assert!(app.close_guard());
    assert_eq!(app.list().unwrap().unsaved, [id]);
    let held = app.copy_saved(id, Item::RefreshToken).unwrap();
    assert_ne!(held, spent);
    assert!(f.standin.is_refresh_token_live(&held));
    assert!(app.copy_saved(id, Item::Env).unwrap().contains(&held));

    // Another process (a fresh store) does not send the spent token either.
    f.standin.clear_requests();
    assert_eq!(f.store().refresh(&f.client(), id).await.unwrap_err().kind(), "new_keys_not_saved");
    assert!(f.standin.token_requests().is_empty());

    // The keychain works again: "Refresh now" saves the held pair first, then spends it.
    let again = app.refresh(id).await.unwrap();
    assert!(again.warning.is_none());
    let sent: Vec<String> = f.standin.token_requests().iter().filter_map(|r| r.form_value("refresh_token")).collect();
    assert_eq!(sent, [held]);
    assert!(!app.close_guard());
    assert!(app.list().unwrap().unsaved.is_empty());
    forget(id);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_name_is_refused_in_step_1_except_for_the_connection_being_reauthorized() {
    use activation::app::App;
    let f = fixture(false).await;
    let (id, _) = f.saved("Taken AB", AccountType::User).await;
    let app = App::new(Language::En, Ok(Endpoints::new(&f.standin.oauth_url(), &f.standin.api_url())), Ok(f.store()));
    let input = |name: &str| SettingsInput {
        connection_name: name.into(),
        client_id: "store-client".into(),
        client_secret: Some(ClientSecret::new(SECRET)),
        redirect_uri: f.redirect_uri.clone(),
        scopes: vec!["companyinformation".into()],
        account_type: AccountType::User,
    };
    let checked = app.check_settings(input(" taken ab "), None, None);
    let problem = checked.check.fields.get("connectionName").expect("the name field's own error");
    assert!(
        problem.en.starts_with("A saved connection is already called \u{201c}Taken AB\u{201d}. Choose another name"),
        "{}",
        problem.en
    );
    assert!(!problem.sv.is_empty() && checked.check.settings.is_none());
    // Re-authorizing that connection keeps its name; another name is free.
    assert!(app.check_settings(input("Taken AB"), Some(id), Some(id)).check.fields.is_empty());
    assert!(app.check_settings(input("Another AB"), None, None).check.fields.is_empty());
    assert!(f.standin.authorize_requests().len() == 1, "nothing reached Fortnox for the checks");
    forget(id);
}
