//! The core's whole flow against the Fortnox stand-in: the session a window drives, the
//! code exchange and what Fortnox says no to, refresh rotation, revoke and service accounts.

mod common;

use activation::flow::Activation;
use activation::fortnox::endpoints::Endpoints;
use activation::fortnox::token::FortnoxClient;
use activation::secret::{AuthCode, ClientSecret};
use activation::session::{Event, SecretPart, Session};
use activation::settings::{AccountType, Settings};
use activation::{Error, Language};
use activator_tests::standin::{AuthorizeBehaviour, ClientConfig, StandIn, StandInConfig};
use common::{bin, free_port, BrowserEnv};
use std::process::Command;
use std::time::Duration;
use tokio::sync::mpsc;

const SECRET: &str = "flow-secret";

fn settings(redirect_uri: &str, secret: Option<&str>, account: AccountType) -> Settings {
    common::settings("Testbolaget", "flow-client", secret, redirect_uri, &["companyinformation", "invoice"], account)
}

struct Fixture {
    standin: StandIn,
    redirect_uri: String,
}

async fn fixture(service_accounts: bool) -> Fixture {
    let redirect_uri = format!("http://localhost:{}/callback", free_port());
    let client = ClientConfig::new("flow-client", SECRET, redirect_uri.clone()).with_service_accounts(service_accounts);
    Fixture { standin: StandIn::start(StandInConfig::with_client(client)).await, redirect_uri }
}

impl Fixture {
    fn client(&self) -> FortnoxClient {
        FortnoxClient::new(Endpoints::new(&self.standin.oauth_url(), &self.standin.api_url()))
    }
}

/// Runs the fake browser at `url` (as the system browser would) and returns where it ended.
async fn browse(url: &str) -> String {
    let env = BrowserEnv::new();
    let mut cmd = Command::new(bin("fake-browser"));
    env.apply(&mut cmd);
    cmd.arg(url);
    let status = tokio::task::spawn_blocking(move || cmd.status()).await.unwrap().unwrap();
    assert!(status.success());
    env.wait_final_url(Duration::from_secs(10))
}

/// A session whose events land in a channel.
async fn start_session(f: &Fixture, s: Settings, timeout: Duration) -> (Session, mpsc::UnboundedReceiver<Event>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let session = Session::start(
        f.client(),
        s,
        timeout,
        || Language::En,
        move |e| {
            let _ = tx.send(e);
        },
    )
    .await
    .unwrap();
    (session, rx)
}

async fn last_event(rx: &mut mpsc::UnboundedReceiver<Event>) -> Event {
    loop {
        let e = tokio::time::timeout(Duration::from_secs(20), rx.recv()).await.expect("an event").expect("open");
        if matches!(e, Event::Succeeded { .. } | Event::Failed { .. }) {
            return e;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_through_the_loopback_listener_succeeds() {
    let f = fixture(false).await;
    let (session, mut rx) =
        start_session(&f, settings(&f.redirect_uri, Some(SECRET), AccountType::User), Duration::from_secs(30)).await;
    browse(&session.started().authorize_url).await;
    match last_event(&mut rx).await {
        Event::Succeeded { result } => {
            assert_eq!(result.mode, activation::session::ResultMode::Tokens);
            assert_eq!(result.company_name.as_deref(), Some("Testbolaget AB"));
            assert_eq!(result.organization_number.as_deref(), Some("556677-8899"));
            assert_eq!(result.tenant_id.as_deref(), Some("1234567"));
            assert_eq!(result.scopes, ["companyinformation", "invoice"]);
            assert!(result.has_refresh_token);
        }
        e => panic!("{e:?}"),
    }
    let access = session.secret(SecretPart::AccessToken).unwrap();
    assert_eq!(access.split('.').count(), 3, "a JWT");
    let json: serde_json::Value = serde_json::from_str(&session.export(false).unwrap()).unwrap();
    assert_eq!(json["access_token"], access.as_str());
    assert!(session.export(true).unwrap().contains("FORTNOX_REFRESH_TOKEN="));
    // The state was single use: pasting the same redirect again is refused.
    assert!(matches!(session.submit_pasted("code=x"), Err(Error::NoAttempt)));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_callback_is_reported_and_the_session_goes_on() {
    let f = fixture(false).await;
    f.standin.set_authorize(AuthorizeBehaviour::WrongState);
    let (session, mut rx) =
        start_session(&f, settings(&f.redirect_uri, Some(SECRET), AccountType::User), Duration::from_secs(30)).await;
    browse(&session.started().authorize_url).await;
    let e = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.unwrap().unwrap();
    assert!(matches!(&e, Event::CallbackRejected { error } if error.kind == "state_mismatch"), "{e:?}");
    assert!(f.standin.token_requests().is_empty());
    // Still waiting: a correct redirect afterwards completes it.
    f.standin.set_authorize(AuthorizeBehaviour::Approve);
    browse(&session.started().authorize_url).await;
    assert!(matches!(last_event(&mut rx).await, Event::Succeeded { .. }));
}

#[tokio::test(flavor = "multi_thread")]
async fn pasting_the_whole_url_or_just_the_code_works() {
    let f = fixture(false).await;
    let page = "https://integrator.example/fortnox";
    f.standin.register_client(ClientConfig::new("flow-client", SECRET, page));
    for whole_url in [true, false] {
        let (session, mut rx) =
            start_session(&f, settings(page, Some(SECRET), AccountType::User), Duration::from_secs(30)).await;
        let landed = browse(&session.started().authorize_url).await;
        assert!(landed.starts_with(page), "{landed}");
        assert!(matches!(session.submit_pasted("https://integrator.example/fortnox"), Err(Error::NoCodeInRedirect)));
        let text = if whole_url {
            landed.clone()
        } else {
            url::Url::parse(&landed).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned()
        };
        session.submit_pasted(&text).unwrap();
        assert!(matches!(last_event(&mut rx).await, Event::Succeeded { .. }), "whole url: {whole_url}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pasted_url_from_another_attempt_is_refused() {
    let f = fixture(false).await;
    let (session, _rx) =
        start_session(&f, settings(&f.redirect_uri, Some(SECRET), AccountType::User), Duration::from_secs(30)).await;
    let e = session.submit_pasted(&format!("{}?code=abc&state=someone-elses", f.redirect_uri)).unwrap_err();
    assert_eq!(e.kind(), "state_mismatch");
    assert!(f.standin.token_requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_and_timeout_end_the_session_and_free_the_port() {
    let f = fixture(false).await;
    let s = settings(&f.redirect_uri, Some(SECRET), AccountType::User);
    let (session, mut rx) = start_session(&f, s.clone(), Duration::from_secs(30)).await;
    session.cancel();
    assert!(matches!(last_event(&mut rx).await, Event::Failed { error } if error.kind == "cancelled"));
    let (_session, mut rx) = start_session(&f, s, Duration::from_millis(300)).await;
    assert!(matches!(last_event(&mut rx).await, Event::Failed { error } if error.kind == "timed_out"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_denial_ends_the_session_with_access_denied() {
    let f = fixture(false).await;
    f.standin.set_authorize(AuthorizeBehaviour::Deny);
    let (session, mut rx) =
        start_session(&f, settings(&f.redirect_uri, Some(SECRET), AccountType::User), Duration::from_secs(30)).await;
    browse(&session.started().authorize_url).await;
    match last_event(&mut rx).await {
        Event::Failed { error } => assert_eq!(error.kind, "access_denied"),
        e => panic!("{e:?}"),
    }
}

/// Gets a fresh code from the stand-in through the fake browser, without exchanging it.
async fn fresh_code(f: &Fixture, account: AccountType) -> (Activation, AuthCode) {
    let activation = Activation::start(f.client(), settings(&f.redirect_uri, Some(SECRET), account));
    let listener = activation.bind_listener().await.unwrap().unwrap();
    let url = activation.authorize_url().to_string();
    let browser = tokio::spawn(async move { browse(&url).await });
    let code = activation
        .wait_for_code(listener, || Language::En, Default::default(), Duration::from_secs(20), |_| {})
        .await
        .unwrap();
    browser.await.unwrap();
    (activation, code)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_code_works_once() {
    let f = fixture(false).await;
    let (activation, code) = fresh_code(&f, AccountType::User).await;
    let c = f.client();
    let secret = ClientSecret::new(SECRET);
    c.exchange_code("flow-client", &secret, &code, activation.settings().redirect_uri.as_str()).await.unwrap();
    let e =
        c.exchange_code("flow-client", &secret, &code, activation.settings().redirect_uri.as_str()).await.unwrap_err();
    assert_eq!(e.kind(), "code_expired_or_used");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_code_is_refused() {
    let f = fixture(false).await;
    let (activation, code) = fresh_code(&f, AccountType::User).await;
    f.standin.advance_clock(Duration::from_secs(11 * 60));
    let e = activation.finish(code).await.unwrap_err();
    assert_eq!(e.kind(), "code_expired_or_used");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_different_redirect_uri_at_the_exchange_is_a_mismatch() {
    let f = fixture(false).await;
    let (_activation, code) = fresh_code(&f, AccountType::User).await;
    let other = f.redirect_uri.replace("localhost", "127.0.0.1");
    let e = f.client().exchange_code("flow-client", &ClientSecret::new(SECRET), &code, &other).await.unwrap_err();
    assert_eq!(e.kind(), "redirect_mismatch");
    assert!(e.next_step().en.contains("Developer Portal"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_secret_is_invalid_client() {
    let f = fixture(false).await;
    let (activation, code) = fresh_code(&f, AccountType::User).await;
    let e = f
        .client()
        .exchange_code("flow-client", &ClientSecret::new("wrong"), &code, activation.settings().redirect_uri.as_str())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "invalid_client");
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_tokens_rotate_and_can_be_revoked() {
    let f = fixture(false).await;
    let (activation, code) = fresh_code(&f, AccountType::User).await;
    let tokens = match activation.finish(code).await.unwrap() {
        activation::flow::Outcome::Tokens(c) => c.tokens,
        o => panic!("{o:?}"),
    };
    let (c, secret) = (f.client(), ClientSecret::new(SECRET));
    let first = tokens.refresh_token.unwrap();
    let second = c.refresh("flow-client", &secret, &first).await.unwrap().refresh_token.unwrap();
    assert_ne!(first.expose(), second.expose());
    assert_eq!(c.refresh("flow-client", &secret, &first).await.unwrap_err().kind(), "refresh_token_invalid");
    c.revoke("flow-client", &secret, &second).await.unwrap();
    assert!(!f.standin.is_refresh_token_live(second.expose()));
    assert_eq!(c.refresh("flow-client", &secret, &second).await.unwrap_err().kind(), "refresh_token_invalid");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_service_account_then_gets_tokens_by_client_credentials() {
    let f = fixture(true).await;
    let c = f.client();
    let secret = ClientSecret::new(SECRET);
    // Before any service activation: no consent.
    let e = c.client_credentials("flow-client", &secret, "1234567").await.unwrap_err();
    assert_eq!(e.kind(), "service_account_not_allowed");
    let (activation, code) = fresh_code(&f, AccountType::Service).await;
    let outcome = activation.finish(code).await.unwrap();
    let tenant = match &outcome {
        activation::flow::Outcome::Tokens(c) => c.tenant_id.clone().unwrap(),
        o => panic!("{o:?}"),
    };
    let t = c.client_credentials("flow-client", &secret, &tenant).await.unwrap();
    assert!(t.refresh_token.is_none());
    assert_eq!(t.claims.tenant_id.as_deref(), Some("1234567"));
    let company = c.company_information(&t.access_token).await.unwrap();
    assert_eq!(company.name, "Testbolaget AB");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_licence_still_keeps_the_tokens() {
    let f = fixture(false).await;
    f.standin.set_licence_missing(true);
    let (activation, code) = fresh_code(&f, AccountType::User).await;
    let outcome = activation.finish(code).await.unwrap();
    let warnings = outcome.warnings();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].en.contains("licence"), "{:?}", warnings[0]);
    assert!(outcome.to_json_with_secrets()["refresh_token"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn fortnox_being_down_is_fortnox_unavailable() {
    let f = fixture(false).await;
    let (activation, code) = fresh_code(&f, AccountType::User).await;
    f.standin.set_unavailable(true);
    assert_eq!(activation.finish(code).await.unwrap_err().kind(), "fortnox_unavailable");
}

#[tokio::test(flavor = "multi_thread")]
async fn fortnox_unreachable_is_a_network_error() {
    let port = free_port(); // nothing listens there
    let c = FortnoxClient::new(Endpoints::new(&format!("http://127.0.0.1:{port}/oauth-v1"), "http://127.0.0.1:1/3"));
    let e =
        c.exchange_code("c", &ClientSecret::new("s"), &AuthCode::new("x"), "http://localhost:1/cb").await.unwrap_err();
    assert_eq!(e.kind(), "network");
}

#[tokio::test(flavor = "multi_thread")]
async fn code_only_sessions_keep_the_code_for_the_user() {
    let f = fixture(false).await;
    let (session, mut rx) =
        start_session(&f, settings(&f.redirect_uri, None, AccountType::User), Duration::from_secs(30)).await;
    browse(&session.started().authorize_url).await;
    match last_event(&mut rx).await {
        Event::Succeeded { result } => {
            assert_eq!(result.mode, activation::session::ResultMode::Code);
            assert!(result.code_expires_at_ms.is_some());
        }
        e => panic!("{e:?}"),
    }
    assert!(session.secret(SecretPart::Code).is_some());
    assert!(f.standin.token_requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn starting_again_in_place_of_a_running_attempt_waits_for_its_port() {
    let f = fixture(false).await;
    let s = settings(&f.redirect_uri, Some(SECRET), AccountType::User);
    let (first, _rx) = start_session(&f, s.clone(), Duration::from_secs(30)).await;
    // The port is taken by the first attempt: a fresh start is refused at once...
    let e = Session::start(f.client(), s.clone(), Duration::from_secs(30), || Language::En, |_| {}).await.unwrap_err();
    assert_eq!(e.kind(), "port_in_use");
    // ...while a replacement cancels the first and waits for the port to come free.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let second = Session::replace(
        Some(first),
        f.client(),
        s,
        Duration::from_secs(30),
        || Language::En,
        move |e| {
            let _ = tx.send(e);
        },
    )
    .await
    .unwrap();
    browse(&second.started().authorize_url).await;
    assert!(matches!(last_event(&mut rx).await, Event::Succeeded { .. }));
}

#[tokio::test]
async fn a_web_page_cannot_end_the_wait_with_a_stateless_error_or_an_empty_callback() {
    let f = fixture(false).await;
    let (session, mut rx) =
        start_session(&f, settings(&f.redirect_uri, Some(SECRET), AccountType::User), Duration::from_secs(30)).await;
    let plain = reqwest::Client::new();
    for forged in ["?error=access_denied&error_description=Ring+0900-123456", "?error=x", ""] {
        let page = plain.get(format!("{}{forged}", f.redirect_uri)).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 400, "{forged}");
        assert!(!page.text().await.unwrap().contains("0900"), "the forger's text is not shown");
        let e = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.unwrap().unwrap();
        match e {
            Event::CallbackRejected { error } => {
                let expected = if forged.is_empty() { "no_code_returned" } else { "state_missing" };
                assert_eq!(error.kind, expected, "{forged}");
                assert!(error.detail.is_none());
            }
            e => panic!("{forged}: {e:?}"),
        }
    }
    assert!(!session.has_ended());
    browse(&session.started().authorize_url).await;
    assert!(matches!(last_event(&mut rx).await, Event::Succeeded { .. }));
}

/// Plays the browser up to Fortnox's redirect without following it: the address the
/// browser would be sent to, with a fresh code (and the state, unless the stand-in drops it).
async fn redirect_without_following(authorize_url: &str) -> String {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let answer = client.get(authorize_url).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 302);
    answer.headers()["location"].to_str().unwrap().to_string()
}

fn port_of(redirect_uri: &str) -> u16 {
    url::Url::parse(redirect_uri).unwrap().port().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pasted_code_closes_the_listener_before_the_exchange() {
    let f = fixture(false).await;
    let (session, mut rx) =
        start_session(&f, settings(&f.redirect_uri, Some(SECRET), AccountType::User), Duration::from_secs(30)).await;
    let landed = redirect_without_following(&session.started().authorize_url).await;
    session.submit_pasted(&landed).unwrap();
    let e = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.unwrap().unwrap();
    assert!(matches!(e, Event::Exchanging), "{e:?}");
    // By the time the code is being exchanged, a real redirect can no longer be answered
    // "Done!" and dropped: nothing listens any more.
    let port = port_of(&f.redirect_uri);
    assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(), "the listener is closed before the exchange");
    assert!(matches!(last_event(&mut rx).await, Event::Succeeded { .. }));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pasted_bare_code_warns_to_check_the_company_and_shows_what_it_can() {
    let f = fixture(false).await;
    let page = "https://integrator.example/fortnox";
    f.standin.register_client(ClientConfig::new("flow-client", SECRET, page));
    f.standin.set_authorize(AuthorizeBehaviour::NoState);
    let mut s = settings(page, Some(SECRET), AccountType::User);
    // Without `companyinformation`: the tenant comes from the token, the user from `/me`.
    s.scopes = vec!["profile".into(), "invoice".into()];
    let (session, mut rx) = start_session(&f, s, Duration::from_secs(30)).await;
    let landed = redirect_without_following(&session.started().authorize_url).await;
    let code = url::Url::parse(&landed).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    session.submit_pasted(&code).unwrap();
    match last_event(&mut rx).await {
        Event::Succeeded { result } => {
            assert_eq!(result.tenant_id.as_deref(), Some("1234567"));
            assert!(result.company_name.is_none());
            assert!(result.user_name.is_some(), "{result:?}");
            let warning =
                result.warnings.iter().find(|w| w.en.contains("without the security check")).expect("a warning");
            assert!(warning.en.contains("1234567") && warning.sv.contains("1234567"), "{warning:?}");
        }
        e => panic!("{e:?}"),
    }
    assert!(f.standin.api_requests().iter().any(|r| r.path == "/3/me" && r.status == 200));
    assert!(!f.standin.api_requests().iter().any(|r| r.path == "/3/companyinformation"));
    // With the state, the same flow has no such warning.
    f.standin.set_authorize(AuthorizeBehaviour::Approve);
    let (session, mut rx) =
        start_session(&f, settings(page, Some(SECRET), AccountType::User), Duration::from_secs(30)).await;
    session.submit_pasted(&redirect_without_following(&session.started().authorize_url).await).unwrap();
    match last_event(&mut rx).await {
        Event::Succeeded { result } => {
            assert_eq!(result.company_name.as_deref(), Some("Testbolaget AB"));
            assert!(result.warnings.is_empty(), "{:?}", result.warnings);
        }
        e => panic!("{e:?}"),
    }
}
