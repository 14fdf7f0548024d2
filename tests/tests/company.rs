//! The right company, through the application layer the window calls (`activation::app`):
//! re-authorizing a saved connection while the browser is logged in to another company
//! fails with `wrong_company`, revokes the new refresh token and leaves the saved keys
//! alone; the right company replaces them. The real keychain (Secret Service) and the
//! Fortnox stand-in; the fake browser is the system browser (`$BROWSER`), so the attempt
//! completes as a user's would. One test in this binary: it sets `$BROWSER` for itself.

mod common;

use activation::app::App;
use activation::fortnox::endpoints::Endpoints;
use activation::secret::ClientSecret;
use activation::session::Event;
use activation::settings::{AccountType, SettingsInput};
use activation::store::{KeyringStore, Store};
use activation::Language;
use activator_tests::standin::{ClientConfig, CompanyConfig, StandIn, StandInConfig};
use common::{bin, free_port, BrowserEnv};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

const SECRET: &str = "company-secret-0123456789";

async fn outcome(rx: &mut mpsc::UnboundedReceiver<Event>) -> Event {
    loop {
        let e = tokio::time::timeout(Duration::from_secs(30), rx.recv()).await.expect("an event").expect("open");
        if matches!(e, Event::Succeeded { .. } | Event::Failed { .. } | Event::BrowserFailed { .. }) {
            return e;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_window_refuses_a_reauthorization_for_another_company_and_keeps_the_saved_keys() {
    let redirect_uri = format!("http://localhost:{}/callback", free_port());
    let standin =
        StandIn::start(StandInConfig::with_client(ClientConfig::new("company-client", SECRET, redirect_uri.clone())))
            .await;
    let browser = BrowserEnv::new();
    // The only test of this binary: no other thread reads the environment meanwhile.
    std::env::set_var("BROWSER", bin("fake-browser"));
    std::env::set_var("FAKE_BROWSER_LOG", &browser.log);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), Arc::new(KeyringStore::new()));
    let app = App::new(Language::En, Ok(Endpoints::new(&standin.oauth_url(), &standin.api_url())), Ok(store.clone()));
    let input = |secret: Option<&str>| SettingsInput {
        connection_name: "Kund".into(),
        client_id: "company-client".into(),
        client_secret: secret.map(ClientSecret::new),
        redirect_uri: redirect_uri.clone(),
        scopes: vec!["companyinformation".into()],
        account_type: AccountType::User,
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let sink = move |e: Event| {
        let _ = tx.send(e);
    };

    app.start_authorization(input(Some(SECRET)), None, None, sink.clone()).await.unwrap();
    assert!(matches!(outcome(&mut rx).await, Event::Succeeded { .. }));
    let id = app.save_result(None).unwrap().connection.id;
    let saved = store.secrets(id).unwrap().refresh_token.unwrap().expose().to_string();

    // The browser is logged in to another company now.
    standin.set_company(CompanyConfig::other());
    standin.clear_requests();
    app.start_authorization(input(None), Some(id), Some(id), sink.clone()).await.unwrap();
    match outcome(&mut rx).await {
        Event::Failed { error } => {
            assert_eq!(error.kind, "wrong_company");
            assert_eq!(
                error.message.en,
                "You approved for Annat Bolag AB (559900-1122), but this connection is Testbolaget AB (556677-8899)."
            );
            assert_eq!(
                error.message.sv,
                "Du godkände för Annat Bolag AB (559900-1122), men den här kopplingen är Testbolaget AB (556677-8899)."
            );
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(standin.revoke_requests().len(), 1, "the other company's refresh token was revoked");
    assert_eq!(standin.live_refresh_tokens(), std::slice::from_ref(&saved));
    assert!(app.save_result(Some(id)).is_err(), "nothing to save");
    assert_eq!(store.secrets(id).unwrap().refresh_token.unwrap().expose(), saved);
    assert_eq!(store.get(id).unwrap().tenant_id.as_deref(), Some("1234567"));

    // The right company: the keys of the same connection are replaced.
    standin.set_company(CompanyConfig::default());
    app.start_authorization(input(None), Some(id), Some(id), sink).await.unwrap();
    assert!(matches!(outcome(&mut rx).await, Event::Succeeded { .. }));
    assert_eq!(app.save_result(Some(id)).unwrap().connection.id, id);
    assert_ne!(store.secrets(id).unwrap().refresh_token.unwrap().expose(), saved);
    store.remove(id).unwrap();
}
