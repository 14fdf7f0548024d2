//! Unit tests of the store with the in-memory keychain and a canned Fortnox.

use super::keychain::MemoryStore;
use super::*;
use crate::flow::Connected;
use crate::fortnox::endpoints::Endpoints;
use crate::fortnox::http::{BoxFuture, HttpRequest, HttpResponse, Transport};
use crate::fortnox::jwt::Claims;
use crate::settings::{self, AccountType, NameRule};
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let p = std::env::temp_dir().join(format!("store-test-{}", Uuid::new_v4()));
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn store() -> (Store, Arc<MemoryStore>, TempDir) {
    let dir = TempDir::new();
    let keys = Arc::new(MemoryStore::default());
    (Store::open(dir.0.clone(), keys.clone()), keys, dir)
}

fn settings(name: &str) -> Settings {
    settings::check(
        &SettingsInput {
            connection_name: name.into(),
            client_id: "client-1".into(),
            client_secret: Some(ClientSecret::new("client-secret-1")),
            redirect_uri: "http://localhost:9876/callback".into(),
            scopes: vec!["companyinformation".into(), "invoice".into()],
            account_type: AccountType::User,
        },
        NameRule::Required,
    )
    .into_result()
    .unwrap()
}

fn tokens(access: &str, refresh: Option<&str>) -> TokenSet {
    TokenSet {
        access_token: AccessToken::new(access),
        refresh_token: refresh.map(RefreshToken::new),
        expires_in: 3600,
        scope: "companyinformation invoice".into(),
        token_type: "bearer".into(),
        received_at: SystemTime::now(),
        claims: Claims::default(),
    }
}

/// A user account's activation for "Acme AB" (556677-8899) with these tokens (also the
/// application layer's tests' fixture).
pub(crate) fn connected(access: &str, refresh: &str) -> Connected {
    Connected {
        tokens: tokens(access, Some(refresh)),
        tenant_id: Some("1234567".into()),
        company: Some(Company {
            name: "Acme AB".into(),
            organization_number: "556677-8899".into(),
            database_number: Some("1234567".into()),
        }),
        user: None,
        account_type: AccountType::User,
        state_checked: true,
        warnings: Vec::new(),
    }
}

/// Answers with canned responses and records what was asked.
struct Canned {
    responses: Mutex<Vec<HttpResponse>>,
    requests: Mutex<Vec<HttpRequest>>,
}

impl Canned {
    fn new(responses: Vec<(u16, &str)>) -> Arc<Self> {
        Arc::new(Canned {
            responses: Mutex::new(
                responses
                    .into_iter()
                    .map(|(status, body)| HttpResponse {
                        status,
                        content_type: Some("application/json".into()),
                        body: body.into(),
                    })
                    .collect(),
            ),
            requests: Mutex::new(Vec::new()),
        })
    }
}

impl Transport for Canned {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, Error>> {
        self.requests.lock().unwrap().push(request);
        let next = {
            let mut r = self.responses.lock().unwrap();
            if r.is_empty() {
                Err(Error::Network { reason: "connection refused".into() })
            } else {
                Ok(r.remove(0))
            }
        };
        Box::pin(async move { next })
    }
}

fn client(canned: &Arc<Canned>) -> FortnoxClient {
    FortnoxClient::with_transport(Endpoints::new("https://auth.test/oauth-v1", "https://api.test/3"), canned.clone())
}

const NEW_PAIR: &str = r#"{"access_token":"access-2","refresh_token":"refresh-2","scope":"companyinformation invoice","expires_in":3600,"token_type":"bearer"}"#;

#[test]
fn a_saved_activation_is_listed_with_its_secrets_only_in_the_keychain() {
    let (store, keys, dir) = store();
    let saved = store.save_activation(&settings("Acme"), &connected("access-1", "refresh-1"), SaveAs::New).unwrap();
    assert!(saved.warning.is_none());
    assert_eq!(
        saved.connection.secrets_saved,
        SecretsSaved { client_secret: true, access_token: true, refresh_token: true }
    );

    let again = Store::open(dir.0.clone(), keys.clone());
    let list = again.list().unwrap();
    assert_eq!(list.len(), 1);
    let c = &list[0].connection;
    assert_eq!(
        (c.name.as_str(), c.company_name.as_deref(), c.tenant_id.as_deref()),
        ("Acme", Some("Acme AB"), Some("1234567"))
    );
    assert_eq!(c.granted_scopes, ["companyinformation", "invoice"]);
    assert_eq!(list[0].status.kind, StatusKind::AccessTokenValid);

    let file = std::fs::read_to_string(again.file_path()).unwrap();
    for secret in ["access-1", "refresh-1", "client-secret-1"] {
        assert!(!file.contains(secret), "{secret} in the file");
    }
    assert!(file.contains("\"version\": 1"));
    let s = again.secrets(c.id).unwrap();
    assert_eq!(s.refresh_token.unwrap().expose(), "refresh-1");
    assert_eq!(s.client_secret.unwrap().expose(), "client-secret-1");
}

#[test]
fn names_are_unique_ignoring_case_and_renaming_keeps_the_secrets() {
    let (store, _keys, _dir) = store();
    let a = store.save_activation(&settings("Acme"), &connected("a1", "r1"), SaveAs::New).unwrap().connection;
    let err = store.save_activation(&settings(" acme "), &connected("a2", "r2"), SaveAs::New).unwrap_err();
    assert_eq!(err.kind(), "connection_name_taken");
    assert_eq!(store.list().unwrap().len(), 1);

    let renamed = store.rename(a.id, "Acme Holding").unwrap();
    assert_eq!(renamed.id, a.id);
    assert_eq!(store.secrets(a.id).unwrap().access_token.unwrap().expose(), "a1");
    assert_eq!(store.find("ACME HOLDING").unwrap().id, a.id);
    assert_eq!(store.find(&a.id.to_string()).unwrap().name, "Acme Holding");
    assert_eq!(store.find("Acme").unwrap_err().kind(), "connection_not_found");
    assert_eq!(store.rename(a.id, "  ").unwrap_err().kind(), "invalid_settings");
}

#[test]
fn reauthorizing_replaces_the_tokens_of_the_same_connection() {
    let (store, _keys, _dir) = store();
    let a = store.save_activation(&settings("Acme"), &connected("a1", "r1"), SaveAs::New).unwrap().connection;
    store.update(a.id, |c| c.standing = Standing::NeedsReauthorization).unwrap();
    let b = store.save_activation(&settings("Acme"), &connected("a2", "r2"), SaveAs::Replace(a.id)).unwrap().connection;
    assert_eq!(b.id, a.id);
    assert_eq!(b.created_at_ms, a.created_at_ms);
    assert_eq!(b.standing, Standing::Ok);
    assert_eq!(store.list().unwrap().len(), 1);
    assert_eq!(store.secrets(a.id).unwrap().refresh_token.unwrap().expose(), "r2");
    let missing = store.save_activation(&settings("X"), &connected("a", "r"), SaveAs::Replace(Uuid::new_v4()));
    assert_eq!(missing.unwrap_err().kind(), "connection_not_found");
}

#[test]
fn a_locked_keychain_still_saves_the_settings_marked_keys_not_saved() {
    let (store, keys, _dir) = store();
    keys.locked.store(true, Ordering::SeqCst);
    let saved = store.save_activation(&settings("Acme"), &connected("a1", "r1"), SaveAs::New).unwrap();
    assert_eq!(saved.warning.as_ref().map(Error::kind), Some("keychain_unavailable"));
    let list = store.list().unwrap();
    assert_eq!(list[0].status.kind, StatusKind::SecretsNotSaved);
    assert!(list[0].status.text.sv.contains("inte sparade"));

    keys.locked.store(false, Ordering::SeqCst);
    let c = store.save_tokens(saved.connection.id, &tokens("a1", Some("r1"))).unwrap();
    assert!(c.secrets_saved.access_token && c.secrets_saved.refresh_token);
    assert_eq!(store.secrets(c.id).unwrap().refresh_token.unwrap().expose(), "r1");
    // The client secret was not saved either: saving the activation again over the same
    // connection (the app's "try again") completes it.
    assert_eq!(store.get(c.id).unwrap().status().kind, StatusKind::SecretsNotSaved);
    let again = store.save_activation(&settings("Acme"), &connected("a1", "r1"), SaveAs::Replace(c.id)).unwrap();
    assert!(again.warning.is_none());
    assert_eq!(store.list().unwrap()[0].status.kind, StatusKind::AccessTokenValid);
}

#[test]
fn duplicating_copies_settings_and_client_secret_but_no_tokens() {
    let (store, _keys, _dir) = store();
    let a = store.save_activation(&settings("Acme"), &connected("a1", "r1"), SaveAs::New).unwrap().connection;
    let copy = store.duplicate(a.id, "Beta").unwrap();
    assert_ne!(copy.id, a.id);
    assert_eq!((copy.client_id.as_str(), copy.scopes.clone()), (a.client_id.as_str(), a.scopes.clone()));
    assert_eq!(copy.tenant_id, None);
    assert_eq!(copy.status().kind, StatusKind::NotActivated);
    let s = store.secrets(copy.id).unwrap();
    assert_eq!(s.client_secret.unwrap().expose(), "client-secret-1");
    assert!(s.access_token.is_none() && s.refresh_token.is_none());
    let input = store.settings_input(copy.id).unwrap();
    assert_eq!(input.connection_name, "Beta");
    assert_eq!(input.client_secret.unwrap().expose(), "client-secret-1");
}

#[test]
fn removing_deletes_the_keychain_entries_and_says_the_grant_may_remain() {
    let (store, keys, _dir) = store();
    let a = store.save_activation(&settings("Acme"), &connected("a1", "r1"), SaveAs::New).unwrap().connection;
    let removed = store.remove(a.id).unwrap();
    assert!(!removed.revoked_at_fortnox);
    assert!(removed.notice.en.contains("may still exist"));
    assert!(store.list().unwrap().is_empty());
    assert!(keys.values().is_empty());
    assert_eq!(store.remove(a.id).unwrap_err().kind(), "connection_not_found");
}

#[test]
fn a_corrupt_file_is_never_overwritten_until_set_aside() {
    let (store, _keys, _dir) = store();
    file::create_dir(store.dir()).unwrap();
    std::fs::write(store.file_path(), b"{\"version\": 1, \"connections\": [tru").unwrap();
    let e = store.list().unwrap_err();
    assert_eq!(e.kind(), "connections_file_corrupt");
    assert!(e.message().en.contains(&store.file_path().display().to_string()));
    let e = store.save_activation(&settings("Acme"), &connected("a1", "r1"), SaveAs::New).unwrap_err();
    assert_eq!(e.kind(), "connections_file_corrupt");
    assert_eq!(std::fs::read(store.file_path()).unwrap(), b"{\"version\": 1, \"connections\": [tru");

    let aside = store.set_aside_damaged_file().unwrap();
    assert_eq!(std::fs::read(&aside).unwrap(), b"{\"version\": 1, \"connections\": [tru");
    assert!(store.list().unwrap().is_empty());
    store.save_activation(&settings("Acme"), &connected("a1", "r1"), SaveAs::New).unwrap();
    assert!(aside.exists());
}

#[test]
fn a_file_from_a_newer_version_is_refused_and_left_alone() {
    let (store, _keys, _dir) = store();
    file::create_dir(store.dir()).unwrap();
    let text = br#"{"version": 2, "connections": [], "future": true}"#;
    std::fs::write(store.file_path(), text).unwrap();
    let e = store.list().unwrap_err();
    assert_eq!(e, Error::ConnectionsFileTooNew { path: store.file_path().display().to_string(), version: 2 });
    assert_eq!(store.rename(Uuid::new_v4(), "x").unwrap_err().kind(), "connections_file_too_new");
    assert_eq!(std::fs::read(store.file_path()).unwrap(), text);
}

#[test]
fn bad_connections_files_are_reported_not_panicked_on() {
    for bad in [&b""[..], b"[]", b"{}", b"{\"version\":\"1\"}", b"{\"version\":1,\"connections\":[{}]}", b"\xff\xfe"] {
        assert!(matches!(file::parse(bad), Err(file::Parse::Corrupt(_))), "{:?}", String::from_utf8_lossy(bad));
    }
    let id = Uuid::new_v4();
    let c = format!(
        r#"{{"id":"{id}","name":"a","clientId":"c","redirectUri":"u","scopes":[],"accountType":"user","createdAtMs":1}}"#
    );
    let twice = format!(r#"{{"version":1,"connections":[{c},{c}]}}"#);
    assert!(matches!(file::parse(twice.as_bytes()), Err(file::Parse::Corrupt(r)) if r.contains("twice")));
    assert_eq!(file::parse(format!(r#"{{"version":1,"connections":[{c}]}}"#).as_bytes()).unwrap().len(), 1);
}

#[tokio::test]
async fn a_refresh_saves_the_new_pair_and_returns_it() {
    let (store, keys, _dir) = store();
    let a =
        store.save_activation(&settings("Acme"), &connected("access-1", "refresh-1"), SaveAs::New).unwrap().connection;
    let canned = Canned::new(vec![(200, NEW_PAIR)]);
    let issued = store.refresh(&client(&canned), a.id).await.unwrap();
    assert!(issued.warning.is_none());
    assert_eq!(issued.tokens.refresh_token.as_ref().unwrap().expose(), "refresh-2");
    let req = canned.requests.lock().unwrap()[0].clone();
    assert_eq!(req.body.as_deref(), Some("grant_type=refresh_token&refresh_token=refresh-1"));
    let s = store.secrets(a.id).unwrap();
    assert_eq!((s.access_token.unwrap().expose(), s.refresh_token.unwrap().expose()), ("access-2", "refresh-2"));
    assert!(!keys.values().iter().any(|v| v == "refresh-1"));
    assert!(issued.to_json_with_secrets().contains("\"refresh_token\":\"refresh-2\""));
    assert!(issued.to_env_lines().contains("FORTNOX_REFRESH_TOKEN=refresh-2\n"));
}

#[tokio::test]
async fn a_refresh_whose_tokens_cannot_be_saved_still_returns_them_with_a_warning() {
    let (store, keys, _dir) = store();
    let a =
        store.save_activation(&settings("Acme"), &connected("access-1", "refresh-1"), SaveAs::New).unwrap().connection;
    let canned = Canned::new(vec![(200, NEW_PAIR)]);
    // The keychain fails between reading the old pair and writing the new one.
    struct FailWrites(Arc<MemoryStore>, std::sync::atomic::AtomicBool);
    impl SecretStore for FailWrites {
        fn get(&self, id: Uuid, kind: SecretKind) -> Result<Option<String>, Error> {
            self.0.get(id, kind)
        }
        fn set(&self, id: Uuid, kind: SecretKind, value: &str) -> Result<(), Error> {
            if self.1.load(Ordering::SeqCst) {
                return Err(Error::KeychainUnavailable { reason: "locked".into() });
            }
            self.0.set(id, kind, value)
        }
        fn delete(&self, id: Uuid, kind: SecretKind) -> Result<(), Error> {
            self.0.delete(id, kind)
        }
    }
    let failing = Arc::new(FailWrites(keys.clone(), true.into()));
    let s2 = Store::open(store.dir().to_path_buf(), failing.clone());
    let issued = s2.refresh(&client(&canned), a.id).await.unwrap();
    assert_eq!(issued.warning.as_ref().map(Error::kind), Some("keychain_unavailable"));
    assert_eq!(issued.tokens.refresh_token.as_ref().unwrap().expose(), "refresh-2");
    assert_eq!(issued.connection.status().kind, StatusKind::SecretsNotSaved);

    failing.1.store(false, Ordering::SeqCst);
    s2.save_tokens(a.id, &issued.tokens).unwrap();
    assert_eq!(s2.secrets(a.id).unwrap().refresh_token.unwrap().expose(), "refresh-2");
    assert_eq!(s2.get(a.id).unwrap().status().kind, StatusKind::AccessTokenValid);
}

#[tokio::test]
async fn the_helper_gives_the_saved_access_token_while_it_lives_long_enough() {
    let (store, _keys, _dir) = store();
    let a =
        store.save_activation(&settings("Acme"), &connected("access-1", "refresh-1"), SaveAs::New).unwrap().connection;
    let canned = Canned::new(vec![]);
    let fresh = store.access_token(&client(&canned), a.id, Duration::from_secs(300)).await.unwrap();
    assert_eq!(fresh.access.expose(), "access-1");
    assert!(fresh.issued.is_none());
    assert!(canned.requests.lock().unwrap().is_empty());
}

#[tokio::test]
async fn listing_a_thousand_reads_no_keychain_and_the_helper_reads_one_entry_without_a_lock() {
    let (store, keys, dir) = store();
    let a =
        store.save_activation(&settings("Acme"), &connected("access-1", "refresh-1"), SaveAs::New).unwrap().connection;
    let mut all = vec![a.clone()];
    all.extend((0..999).map(|i| Connection { name: format!("Kund {i:04}"), ..record() }));
    file::write(&store.file_path(), &all).unwrap();
    std::fs::remove_dir_all(dir.0.join("locks")).unwrap();
    keys.reads.store(0, Ordering::SeqCst);

    let listed = store.list().unwrap();
    assert_eq!(listed.len(), 1000);
    assert_eq!(store.find("kund 0998").unwrap().name, "Kund 0998");
    assert_eq!(keys.reads.load(Ordering::SeqCst), 0, "listing or finding read the keychain");
    // With the keychain locked, the list is the same: it never needs it.
    keys.locked.store(true, Ordering::SeqCst);
    assert_eq!(store.list().unwrap().len(), 1000);
    keys.locked.store(false, Ordering::SeqCst);

    keys.reads.store(0, Ordering::SeqCst);
    let canned = Canned::new(vec![]);
    let fresh = store.access_token(&client(&canned), a.id, Duration::from_secs(300)).await.unwrap();
    assert_eq!(fresh.access.expose(), "access-1");
    assert_eq!(keys.reads.load(Ordering::SeqCst), 1, "one entry: the access token");
    assert!(!dir.0.join("locks").exists(), "no refresh was needed, yet a connection's lock was taken");
    assert!(canned.requests.lock().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helpers_at_once_refresh_once_and_the_others_read_back_the_saved_pair() {
    let (store, _keys, _dir) = store();
    let a =
        store.save_activation(&settings("Acme"), &connected("access-1", "refresh-1"), SaveAs::New).unwrap().connection;
    // Only one answer: a second refresh would fail with a network error.
    let canned = Canned::new(vec![(
        200,
        r#"{"access_token":"access-2","refresh_token":"refresh-2","scope":"companyinformation invoice","expires_in":7200,"token_type":"bearer"}"#,
    )]);
    let min_valid = Duration::from_secs(3601); // access-1 (an hour) is too short-lived
    let calls: Vec<_> = (0..4)
        .map(|_| {
            let (store, client) = (store.clone(), client(&canned));
            tokio::spawn(async move { store.access_token(&client, a.id, min_valid).await })
        })
        .collect();
    let mut fetched = 0;
    for call in calls {
        let fresh = call.await.unwrap().unwrap();
        assert_eq!(fresh.access.expose(), "access-2");
        fetched += usize::from(fresh.issued.is_some());
    }
    assert_eq!(fetched, 1);
    let requests = canned.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].body.as_deref(), Some("grant_type=refresh_token&refresh_token=refresh-1"));
    assert_eq!(store.secrets(a.id).unwrap().refresh_token.unwrap().expose(), "refresh-2");
}

#[tokio::test]
async fn the_helper_gets_a_service_account_token_by_client_credentials() {
    let (store, _keys, _dir) = store();
    let mut conn = connected("access-1", "refresh-1");
    conn.account_type = AccountType::Service;
    let a = store.save_activation(&settings("Acme"), &conn, SaveAs::New).unwrap().connection;
    let canned = Canned::new(vec![(
        200,
        r#"{"access_token":"access-cc","expires_in":3600,"token_type":"bearer","scope":"companyinformation"}"#,
    )]);
    let fresh = store.access_token(&client(&canned), a.id, Duration::from_secs(3601)).await.unwrap();
    assert_eq!(fresh.access.expose(), "access-cc");
    let req = canned.requests.lock().unwrap()[0].clone();
    assert_eq!(req.body.as_deref(), Some("grant_type=client_credentials"));
}

#[test]
fn another_companys_keys_never_replace_a_saved_connections() {
    let (store, _keys, _dir) = store();
    let a =
        store.save_activation(&settings("Acme"), &connected("access-1", "refresh-1"), SaveAs::New).unwrap().connection;
    let mut other = connected("access-x", "refresh-x");
    other.tenant_id = Some("7654321".into());
    other.company = Some(Company {
        name: "Annat Bolag AB".into(),
        organization_number: "559900-1122".into(),
        database_number: Some("7654321".into()),
    });
    let e = store.save_activation(&settings("Acme"), &other, SaveAs::Replace(a.id)).unwrap_err();
    assert_eq!(e.kind(), "wrong_company");
    assert_eq!(
        e.message().en,
        "You approved for Annat Bolag AB (559900-1122), but this connection is Acme AB (556677-8899)."
    );
    let s = store.secrets(a.id).unwrap();
    assert_eq!((s.access_token.unwrap().expose(), s.refresh_token.unwrap().expose()), ("access-1", "refresh-1"));
    assert_eq!(store.get(a.id).unwrap(), a);
}

#[test]
fn a_new_connection_to_a_saved_company_says_so_naming_both() {
    let (store, _keys, _dir) = store();
    let first = store.save_activation(&settings("Acme"), &connected("access-1", "refresh-1"), SaveAs::New).unwrap();
    assert!(first.same_company.is_none());
    let second = store.save_activation(&settings("Acme 2"), &connected("access-2", "refresh-2"), SaveAs::New).unwrap();
    let note = second.same_company.expect("a warning");
    assert!(
        note.en.starts_with(
            "Acme AB (556677-8899) is already saved as \u{201c}Acme\u{201d}; now also as \u{201c}Acme 2\u{201d}."
        ),
        "{}",
        note.en
    );
    assert!(note.sv.contains("finns redan sparat som \u{201d}Acme\u{201d}"), "{}", note.sv);
    // Re-authorizing the same connection is no duplicate.
    let again = store
        .save_activation(&settings("Acme"), &connected("access-3", "refresh-3"), SaveAs::Replace(first.connection.id))
        .unwrap();
    assert!(again.same_company.is_none());
}

/// A keychain that refuses exactly one write: the refresh token of the next new pair.
struct FailsAtTheNewPair(Arc<MemoryStore>, std::sync::atomic::AtomicBool);

impl SecretStore for FailsAtTheNewPair {
    fn get(&self, id: Uuid, kind: SecretKind) -> Result<Option<String>, Error> {
        self.0.get(id, kind)
    }
    fn set(&self, id: Uuid, kind: SecretKind, value: &str) -> Result<(), Error> {
        if kind == SecretKind::RefreshToken && self.1.swap(false, Ordering::SeqCst) {
            return Err(Error::KeychainUnavailable { reason: "refused (test)".into() });
        }
        self.0.set(id, kind, value)
    }
    fn delete(&self, id: Uuid, kind: SecretKind) -> Result<(), Error> {
        self.0.delete(id, kind)
    }
}

#[tokio::test]
async fn after_the_keychain_refused_a_new_pair_no_refresh_sends_the_spent_token() {
    let (store, keys, _dir) = store();
    let a =
        store.save_activation(&settings("Acme"), &connected("access-1", "refresh-1"), SaveAs::New).unwrap().connection;
    let double = Arc::new(FailsAtTheNewPair(keys.clone(), true.into()));
    let s2 = Store::open(store.dir().to_path_buf(), double);
    // One answer only: a second refresh would reach Fortnox as a network error.
    let canned = Canned::new(vec![(200, NEW_PAIR)]);
    let issued = s2.refresh(&client(&canned), a.id).await.unwrap();
    assert_eq!(issued.warning.as_ref().map(Error::kind), Some("keychain_unavailable"));
    assert_eq!(issued.tokens.refresh_token.as_ref().unwrap().expose(), "refresh-2");
    // The keychain still holds the spent refresh-1; the keychain works again, yet neither
    // refresh nor the credential helper sends it.
    assert_eq!(keys.get(a.id, SecretKind::RefreshToken).unwrap().as_deref(), Some("refresh-1"));
    assert_eq!(s2.refresh(&client(&canned), a.id).await.unwrap_err().kind(), "new_keys_not_saved");
    let e = s2.access_token(&client(&canned), a.id, Duration::from_secs(24 * 3600)).await.unwrap_err();
    assert_eq!(e.kind(), "new_keys_not_saved");
    assert_eq!(canned.requests.lock().unwrap().len(), 1);
    assert_eq!(s2.get(a.id).unwrap().status().kind, StatusKind::SecretsNotSaved);
    // Saved again: whole, and the next refresh spends refresh-2.
    s2.save_tokens(a.id, &issued.tokens).unwrap();
    assert_eq!(s2.get(a.id).unwrap().status().kind, StatusKind::AccessTokenValid);
    let canned = Canned::new(vec![(200, NEW_PAIR)]);
    s2.refresh(&client(&canned), a.id).await.unwrap();
    assert_eq!(
        canned.requests.lock().unwrap()[0].body.as_deref(),
        Some("grant_type=refresh_token&refresh_token=refresh-2")
    );
}

#[tokio::test]
async fn a_handed_over_connection_forgets_its_refresh_token_and_is_never_refreshed_here() {
    let (store, keys, _dir) = store();
    let a =
        store.save_activation(&settings("Acme"), &connected("access-1", "refresh-1"), SaveAs::New).unwrap().connection;
    assert_eq!(store.list().unwrap()[0].ownership, Ownership::KeptHere);
    let c = store.hand_over(a.id).unwrap();
    assert_eq!(c.ownership(), Ownership::HandedOver);
    assert!(!keys.values().iter().any(|v| v == "refresh-1"), "the refresh token is forgotten here");
    assert_eq!(store.secrets(a.id).unwrap().access_token.unwrap().expose(), "access-1", "kept for Test");
    let listed = &store.list().unwrap()[0];
    assert_eq!((listed.ownership, listed.status.kind), (Ownership::HandedOver, StatusKind::HandedOver));
    assert!(listed.status.text.en.starts_with("Handed over to the integration on "), "{}", listed.status.text.en);
    let canned = Canned::new(vec![(200, NEW_PAIR)]);
    assert_eq!(store.refresh(&client(&canned), a.id).await.unwrap_err().kind(), "handed_over");
    let e = store.access_token(&client(&canned), a.id, Duration::ZERO).await.unwrap_err();
    assert_eq!(e.kind(), "handed_over");
    assert!(canned.requests.lock().unwrap().is_empty());
    // Re-authorized here, it is kept here again.
    let again =
        store.save_activation(&settings("Acme"), &connected("access-2", "refresh-2"), SaveAs::Replace(a.id)).unwrap();
    assert_eq!(again.connection.ownership(), Ownership::KeptHere);
}

#[tokio::test]
async fn invalid_grant_marks_the_connection_and_is_not_retried() {
    let (store, _keys, _dir) = store();
    let a =
        store.save_activation(&settings("Acme"), &connected("access-1", "refresh-1"), SaveAs::New).unwrap().connection;
    let canned = Canned::new(vec![(400, r#"{"error":"invalid_grant","error_description":"Invalid refresh token"}"#)]);
    let e = store.refresh(&client(&canned), a.id).await.unwrap_err();
    assert_eq!(e.kind(), "refresh_token_invalid");
    assert_eq!(canned.requests.lock().unwrap().len(), 1);
    assert_eq!(store.get(a.id).unwrap().status().kind, StatusKind::NeedsReauthorization);
    assert_eq!(store.list().unwrap()[0].status.text.en, "Re-authorize now: Fortnox refused the refresh token");
}

#[tokio::test]
async fn a_service_token_uses_the_tenant_and_keeps_the_refresh_token() {
    let (store, _keys, _dir) = store();
    let mut conn = connected("access-1", "refresh-1");
    conn.account_type = AccountType::Service;
    let a = store.save_activation(&settings("Acme"), &conn, SaveAs::New).unwrap().connection;
    let canned = Canned::new(vec![(
        200,
        r#"{"access_token":"access-cc","expires_in":3600,"token_type":"bearer","scope":"companyinformation"}"#,
    )]);
    let issued = store.service_token(&client(&canned), a.id).await.unwrap();
    assert!(issued.warning.is_none());
    let req = canned.requests.lock().unwrap()[0].clone();
    assert_eq!(req.header("TenantId"), Some("1234567"));
    assert_eq!(req.body.as_deref(), Some("grant_type=client_credentials"));
    let s = store.secrets(a.id).unwrap();
    assert_eq!((s.access_token.unwrap().expose(), s.refresh_token.unwrap().expose()), ("access-cc", "refresh-1"));
}

#[tokio::test]
async fn revoke_and_remove_removes_even_when_fortnox_cannot_be_reached() {
    let (store, keys, _dir) = store();
    let a = store.save_activation(&settings("Acme"), &connected("a1", "r1"), SaveAs::New).unwrap().connection;
    let b = store.save_activation(&settings("Beta"), &connected("a2", "r2"), SaveAs::New).unwrap().connection;
    let canned = Canned::new(vec![(200, r#"{"revoked":true}"#)]);
    let r = store.revoke_and_remove(&client(&canned), a.id).await.unwrap();
    assert!(r.revoked_at_fortnox);
    assert_eq!(canned.requests.lock().unwrap()[0].body.as_deref(), Some("token_type_hint=refresh_token&token=r1"));

    let offline = Canned::new(vec![]);
    let r = store.revoke_and_remove(&client(&offline), b.id).await.unwrap();
    assert!(!r.revoked_at_fortnox);
    assert_eq!(r.revoke_error.as_ref().map(Error::kind), Some("network"));
    assert!(r.notice.sv.contains("kan finnas kvar"));
    assert!(store.list().unwrap().is_empty());
    assert!(keys.values().is_empty());
}

#[tokio::test]
async fn testing_answers_in_words_and_knows_an_expired_token() {
    let (store, _keys, _dir) = store();
    let a = store.save_activation(&settings("Acme"), &connected("a1", "r1"), SaveAs::New).unwrap().connection;
    let canned = Canned::new(vec![(
        200,
        r#"{"CompanyInformation":{"CompanyName":"Acme AB","OrganizationNumber":"556677-8899"}}"#,
    )]);
    let t = store.test(&client(&canned), a.id).await.unwrap();
    assert_eq!(t.text.en, "Works: connected to Acme AB (556677-8899).");
    assert_eq!(canned.requests.lock().unwrap()[0].header("Authorization"), Some("Bearer a1"));

    let canned = Canned::new(vec![(401, r#"{"message":"unauthorized"}"#)]);
    assert_eq!(store.test(&client(&canned), a.id).await.unwrap_err().kind(), "access_token_expired");
    store.update(a.id, |c| c.access_token_expires_at_ms = Some(1)).unwrap();
    let untouched = Canned::new(vec![]);
    assert_eq!(store.test(&client(&untouched), a.id).await.unwrap_err().kind(), "access_token_expired");
    assert!(untouched.requests.lock().unwrap().is_empty());
}

#[test]
fn exported_tokens_read_as_json_and_env_lines() {
    let (store, _keys, _dir) = store();
    let a = store.save_activation(&settings("Acme"), &connected("a1", "r1"), SaveAs::New).unwrap().connection;
    let json: serde_json::Value = serde_json::from_str(&store.export_tokens(a.id, false).unwrap()).unwrap();
    assert_eq!(json["access_token"], "a1");
    assert_eq!(json["refresh_token"], "r1");
    assert_eq!(json["tenant_id"], "1234567");
    let env = store.export_tokens(a.id, true).unwrap();
    assert!(env.contains("FORTNOX_ACCESS_TOKEN=a1\n") && env.contains("FORTNOX_SCOPE='companyinformation invoice'\n"));
}

fn at(offset_ms: i64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis((1_800_000_000_000i64 + offset_ms) as u64)
}

fn record() -> Connection {
    Connection {
        id: Uuid::new_v4(),
        name: "Acme".into(),
        client_id: "c".into(),
        redirect_uri: "http://localhost:9876/callback".into(),
        scopes: vec!["companyinformation".into()],
        granted_scopes: vec![],
        account_type: AccountType::User,
        tenant_id: None,
        company_name: None,
        organization_number: None,
        created_at_ms: 1_800_000_000_000,
        authorized_at_ms: Some(1_800_000_000_000),
        access_token_expires_at_ms: Some(1_800_000_000_000 + 3_600_000),
        refresh_token_issued_at_ms: Some(1_800_000_000_000),
        standing: Standing::Ok,
        secrets_saved: SecretsSaved { client_secret: true, access_token: true, refresh_token: true },
        handed_over_at_ms: None,
    }
}

#[test]
fn the_next_action_and_its_date_follow_from_the_status_and_who_keeps_the_token() {
    let c = record();
    let day = 24 * 3_600_000u64;
    let issued = c.refresh_token_issued_at_ms.unwrap();
    let next = c.next_action(at(0)).unwrap();
    assert_eq!((next.action, next.due_ms), (Action::Refresh, issued + 31 * day));
    assert!(next.due_at.ends_with('Z'), "{}", next.due_at);
    let expired = at(32 * day as i64);
    assert_eq!(c.next_action(expired).map(|n| n.action), Some(Action::Reauthorize));
    assert_eq!(c.next_action(expired).unwrap().due_ms, 1_800_000_000_000 + 32 * day);
    let mut unsaved = record();
    unsaved.secrets_saved.refresh_token = false;
    assert_eq!(unsaved.next_action(at(0)).map(|n| n.action), Some(Action::SaveKeys));
    let mut given = record();
    given.handed_over_at_ms = Some(1_800_000_000_000);
    assert_eq!(given.next_action(expired), None);
    let mut service = record();
    service.account_type = AccountType::Service;
    assert_eq!(service.next_action(expired), None);
}

#[test]
fn the_status_gives_its_kind_and_dates_and_the_command_lines_words() {
    let c = record();
    let day = 24 * 3_600_000i64;
    let until = 1_800_000_000_000 + 31 * day as u64;
    let s = c.status_at(at(0));
    assert_eq!((s.kind, s.until_ms, s.minutes), (StatusKind::AccessTokenValid, Some(until), Some(60)));
    assert_eq!(s.text.en, "Active; access token expires in 60 min; refresh by 2027-02-15");
    let s = c.status_at(at(2 * 3_600_000));
    assert_eq!((s.kind, s.until_ms, s.minutes), (StatusKind::Active, Some(until), None));
    assert_eq!(s.text.sv, "Aktiv; förnya senast 2027-02-15");
    let s = c.status_at(at(25 * day));
    assert_eq!((s.kind, s.until_ms), (StatusKind::ReauthorizeBefore, Some(until)));
    assert_eq!(s.text.en, "Refresh by 2027-02-15, or the customer must re-authorize");
    let s = c.status_at(at(31 * day));
    assert_eq!((s.kind, s.until_ms), (StatusKind::Expired, Some(until)));
    assert_eq!(s.text.sv, "Godkänn igen nu: gick ut 2027-02-15");

    // A service account has no end date: its consent lasts until the customer revokes it.
    let service = Connection { account_type: AccountType::Service, ..c.clone() };
    let s = service.status_at(at(40 * day));
    assert_eq!((s.kind, s.until_ms), (StatusKind::Active, None));
    assert!(s.text.en.contains("until the customer revokes it"), "{}", s.text.en);
    let revoked = Connection { standing: Standing::Revoked, ..c.clone() };
    assert_eq!(revoked.status_at(at(0)).kind, StatusKind::Revoked);
    // Handed over: what this computer knows is when; no deadline of its own.
    let given = Connection { handed_over_at_ms: Some(1_800_000_000_000 + day as u64), ..c.clone() };
    let s = given.status_at(at(40 * day));
    assert_eq!((s.kind, s.until_ms), (StatusKind::HandedOver, None));
    assert_eq!(s.text.en, "Handed over to the integration on 2027-01-16; it keeps the connection alive");
    // One verb for re-authorizing per language, the window's.
    for kind in [StatusKind::NeedsReauthorization, StatusKind::Expired, StatusKind::Revoked, StatusKind::NotActivated] {
        let words = connection::status_words(kind, Some(until), None, None, false);
        assert!(words.en.contains("re-authorize") || words.en.contains("Re-authorize"), "{}", words.en);
        assert!(words.sv.to_lowercase().contains("godkänn igen"), "{}", words.sv);
        assert!(!words.sv.contains("auktorisera"), "{}", words.sv);
    }
}

#[test]
fn the_list_sorts_by_the_date_that_needs_action_and_puts_the_undated_last_by_name() {
    let now = at(0);
    let day = 24 * 3_600_000u64;
    let mk = |name: &str, f: &dyn Fn(&mut Connection)| {
        let mut c = record();
        c.name = name.into();
        f(&mut c);
        Listed { status: c.status_at(now), ownership: c.ownership(), next_action: c.next_action(now), connection: c }
    };
    let mut list = vec![
        mk("fine", &|_| {}),
        mk("Given", &|c| c.handed_over_at_ms = Some(1_800_000_000_000 - day)),
        mk("soon", &|c| c.refresh_token_issued_at_ms = Some(1_800_000_000_000 - 28 * day)),
        mk("sooner", &|c| c.refresh_token_issued_at_ms = Some(1_800_000_000_000 - 30 * day)),
        mk("later", &|c| c.refresh_token_issued_at_ms = Some(1_800_000_000_000 + 2 * day)),
        mk("broken", &|c| c.standing = Standing::NeedsReauthorization),
        mk("unsaved", &|c| c.secrets_saved.refresh_token = false),
        mk("gone", &|c| c.refresh_token_issued_at_ms = Some(1_800_000_000_000 - 32 * day)),
        mk("agency", &|c| c.account_type = AccountType::Service),
        mk("zeta given", &|c| c.handed_over_at_ms = Some(1_800_000_000_000 - 40 * day)),
    ];
    connection::sort_by_date_due(&mut list);
    let names: Vec<_> = list.iter().map(|l| l.connection.name.as_str()).collect();
    // Due now (by name), then by date, then nothing due here: by name, ignoring case.
    assert_eq!(
        names,
        ["broken", "gone", "unsaved", "sooner", "soon", "fine", "later", "agency", "Given", "zeta given"]
    );
    for l in &list[..3] {
        assert_eq!(
            l.next_action.as_ref().map(|n| n.due_ms),
            Some(1_800_000_000_000),
            "{} is due now",
            l.connection.name
        );
    }
}

#[test]
fn activation_files_round_trip_without_secrets() {
    let (store, _keys, dir) = store();
    let a = store.save_activation(&settings("Acme"), &connected("a1", "r1"), SaveAs::New).unwrap().connection;
    let f = store.activation_file(a.id).unwrap();
    let path = dir.0.join("acme.json");
    f.write(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("client-secret-1") && !text.contains("a1\"") && !text.contains("r1"));
    let back = ActivationFile::read(&path).unwrap();
    assert_eq!(back, f);
    let input = back.to_settings_input();
    assert_eq!((input.connection_name.as_str(), input.client_id.as_str()), ("Acme", "client-1"));
    assert!(input.client_secret.is_none());
}

#[test]
fn an_activation_file_saved_by_a_windows_editor_reads() {
    // A byte order mark and CRLF line ends, as Notepad may save it.
    let (store, _keys, dir) = store();
    let a = store.save_activation(&settings("Acme"), &connected("a1", "r1"), SaveAs::New).unwrap().connection;
    let f = store.activation_file(a.id).unwrap();
    let windows = format!("\u{feff}{}", f.to_json().replace('\n', "\r\n"));
    let path = dir.0.join("acme-notepad.json");
    std::fs::write(&path, windows).unwrap();
    assert_eq!(ActivationFile::read(&path).unwrap(), f);
}

#[test]
fn bad_activation_files_are_explained_field_by_field() {
    use crate::error::FileField;
    let problems = |text: &str| match ActivationFile::parse(text) {
        Err(Error::ActivationFileInvalid { problems }) => problems,
        other => panic!("{other:?}"),
    };
    let fields = |text: &str| problems(text).iter().map(|p| p.field.key()).collect::<Vec<_>>();
    let kinds =
        |text: &str| problems(text).iter().map(|p| format!("{}:{}", p.field.key(), p.kind.name())).collect::<Vec<_>>();
    assert_eq!(fields("not json"), ["file"]);
    assert_eq!(fields(r#"{"format":"something-else"}"#), ["format"]);
    // In field order, each with its kind.
    assert_eq!(
        kinds(
            r#"{"format":"fortnox-activation","version":1,"name":"","clientId":"has space","redirectUri":"http://example.com/cb","scopes":[],"accountType":"robot"}"#
        ),
        [
            "name:missing",
            "clientId:invalid",
            "redirectUri:invalid",
            "scopes:missing",
            "accountType:unknown_account_type"
        ]
    );
    assert_eq!(
        kinds(
            r#"{"format":"fortnox-activation","version":1,"name":"A","redirectUri":"http://localhost:1/cb","scopes":["invoice"]}"#
        ),
        ["clientId:missing"]
    );
    assert_eq!(
        fields(
            r#"{"format":"fortnox-activation","version":1,"name":"A","clientId":"c","redirectUri":"http://localhost:1/cb","scopes":["companyinformation"],"clientSecret":"oops"}"#
        ),
        ["secrets"]
    );
    assert_eq!(
        fields(
            r#"{"format":"fortnox-activation","version":7,"name":"A","clientId":"c","redirectUri":"http://localhost:1/cb","scopes":["x"]}"#
        ),
        ["version"]
    );
    let e = ActivationFile::parse(r#"{"format":"fortnox-activation","version":1,"name":"A","clientId":"c","redirectUri":"http://localhost:1/cb","scopes":5}"#).unwrap_err();
    assert_eq!(e.detail().as_deref(), Some("scopes: not_a_list"));
    // The message lists one line per field, by the names the window uses.
    let lines = |text: &str| problems(text).iter().map(|p| p.line()).collect::<Vec<_>>();
    let missing = lines(
        r#"{"format":"fortnox-activation","version":1,"name":"A","redirectUri":"http://localhost:1/cb","scopes":["invoice"]}"#,
    );
    assert!(missing[0].en.starts_with("Client ID: missing."), "{missing:?}");
    assert!(missing[0].sv.starts_with("Klient-ID: saknas."), "{missing:?}");
    // A slip in the redirect URI comes with the address it most likely means.
    let slip = problems(
        r#"{"format":"fortnox-activation","version":1,"name":"A","clientId":"c","redirectUri":"http://localhost:9876/ callback","scopes":["invoice"]}"#,
    );
    assert_eq!(slip.len(), 1);
    assert_eq!(
        (slip[0].field, slip[0].suggestion.as_deref()),
        (FileField::RedirectUri, Some("http://localhost:9876/callback"))
    );
    assert!(slip[0].line().en.contains("Did you mean http://localhost:9876/callback?"), "{:?}", slip[0].line());
    // Where the rule's own words already give the fixed address, it is not said twice.
    let bare = problems(
        r#"{"format":"fortnox-activation","version":1,"name":"A","clientId":"c","redirectUri":"localhost:9876/callback","scopes":["invoice"]}"#,
    );
    assert_eq!(bare[0].suggestion.as_deref(), Some("http://localhost:9876/callback"));
    assert_eq!(bare[0].line().en.matches("http://localhost:9876/callback").count(), 1, "{:?}", bare[0].line());
    // The whole message: one line each, "cannot be used" once.
    let e = Error::ActivationFileInvalid { problems: slip };
    assert_eq!(e.message().en.matches("cannot be used").count(), 1);
    assert_eq!(e.payload().problems.len(), 1);
}

#[test]
fn a_file_with_a_misspelt_scope_is_used_and_the_scope_named_with_its_likely_fix() {
    let f = ActivationFile::parse(
        r#"{"format":"fortnox-activation","version":1,"name":"A","clientId":"c","redirectUri":"http://localhost:1/cb","scopes":["companyinformation","invoices","Customer","banking"]}"#,
    )
    .unwrap();
    let notes = f.notes();
    let said: Vec<(String, Option<String>)> = notes.iter().map(|n| (n.line().en, n.suggestion.clone())).collect();
    assert_eq!(said.len(), 3, "{said:?}");
    assert_eq!(said[0].1.as_deref(), Some("invoice"));
    assert!(
        said[0].0.starts_with(
            "Scopes: \u{201c}invoices\u{201d} is not a Fortnox scope. Did you mean \u{201c}invoice\u{201d}?"
        ),
        "{said:?}"
    );
    assert_eq!(said[1].1.as_deref(), Some("customer"));
    assert_eq!(said[2].1, None, "nothing close to banking");
    assert!(said[2].0.contains("Remove it in step 2"), "{said:?}");
    assert!(notes[0].line().sv.contains("Menade du \u{201d}invoice\u{201d}?"));
}

#[test]
fn a_save_that_cannot_write_the_file_leaves_no_secret_behind() {
    let (store, keys, _dir) = store();
    file::create_dir(store.dir()).unwrap();
    // A folder where the temp file must go makes the write fail.
    std::fs::create_dir(store.dir().join(format!(".{}.{}.tmp", file::FILE_NAME, std::process::id()))).unwrap();
    let e = store.save_activation(&settings("Acme"), &connected("a1", "r1"), SaveAs::New).unwrap_err();
    assert_eq!(e.kind(), "storage_failed");
    assert!(keys.values().is_empty(), "orphan keychain entries");
    assert!(store.list().unwrap().is_empty());
}

#[test]
fn an_activation_file_over_64_kb_is_refused_unread_however_it_arrives() {
    let too_large = |e: Error| match e {
        Error::ActivationFileInvalid { problems } => {
            let text = problems[0].text();
            assert_eq!(problems.len(), 1);
            assert!(text.en.contains("64 KB") && text.sv.contains("64 KB"), "{problems:?}");
        }
        other => panic!("{other:?}"),
    };
    // Text handed over by the window: a valid file padded with spaces past the limit.
    let valid = r#"{"format":"fortnox-activation","version":1,"name":"A","clientId":"c","redirectUri":"http://localhost:1/cb","scopes":["companyinformation"]}"#;
    let padded = format!("{valid}{}", " ".repeat(activation_file::MAX_BYTES as usize));
    too_large(ActivationFile::parse(&padded).unwrap_err());
    assert!(ActivationFile::parse(valid).is_ok());
    // A file on disk.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    std::fs::write(&path, &padded).unwrap();
    too_large(ActivationFile::read(&path).unwrap_err());
}
