//! The core's link delivery (private-use URI scheme) against the Fortnox stand-in: the fake
//! browser follows the stand-in's `/auth` and stops at the scheme link, as a real browser
//! hands it to the operating system; the link is then given to the session as the app gets
//! it from the OS. Forged, stray and late links are refused before any token request.

mod common;

use activation::capture::link::APP_REDIRECT_URI;
use activation::fortnox::endpoints::Endpoints;
use activation::fortnox::token::FortnoxClient;
use activation::session::{Event, Session};
use activation::settings::AccountType;
use activation::Language;
use activator_tests::standin::{AuthorizeBehaviour, ClientConfig, StandIn, StandInConfig};
use common::{bin, BrowserEnv};
use std::process::Command;
use std::time::Duration;
use tokio::sync::mpsc;

const CLIENT: &str = "link-client";
const SECRET: &str = "link-secret";

async fn standin(redirect_uri: &str) -> StandIn {
    StandIn::start(StandInConfig::with_client(ClientConfig::new(CLIENT, SECRET, redirect_uri))).await
}

async fn start(standin: &StandIn, redirect_uri: &str) -> (Session, mpsc::UnboundedReceiver<Event>) {
    let settings =
        common::settings("Testbolaget", CLIENT, Some(SECRET), redirect_uri, &["companyinformation"], AccountType::User);
    let (tx, rx) = mpsc::unbounded_channel();
    let client = FortnoxClient::new(Endpoints::new(&standin.oauth_url(), &standin.api_url()));
    let session = Session::start(
        client,
        settings,
        Duration::from_secs(60),
        || Language::En,
        move |e| {
            let _ = tx.send(e);
        },
    )
    .await
    .unwrap();
    (session, rx)
}

/// The fake browser at `url`; returns the scheme link it stopped at.
async fn browse_to_link(url: &str) -> String {
    let env = BrowserEnv::new();
    let mut cmd = Command::new(bin("fake-browser"));
    env.apply(&mut cmd);
    // Only the address bar is wanted here: the link is handed over by the test itself.
    cmd.env("FAKE_BROWSER_NO_HANDOFF", "1");
    cmd.arg(url);
    let status = tokio::task::spawn_blocking(move || cmd.status()).await.unwrap().unwrap();
    assert!(status.success());
    env.wait_final_url(Duration::from_secs(10))
}

async fn next_event(rx: &mut mpsc::UnboundedReceiver<Event>) -> Event {
    tokio::time::timeout(Duration::from_secs(20), rx.recv()).await.expect("an event").expect("open")
}

async fn outcome(rx: &mut mpsc::UnboundedReceiver<Event>) -> Event {
    loop {
        let e = next_event(rx).await;
        if matches!(e, Event::Succeeded { .. } | Event::Failed { .. }) {
            return e;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_link_to_the_apps_scheme_completes_the_activation_and_a_second_is_refused() {
    let s = standin(APP_REDIRECT_URI).await;
    let (session, mut rx) = start(&s, APP_REDIRECT_URI).await;
    let link = browse_to_link(&session.started().authorize_url).await;
    assert!(link.starts_with("se.fortnoxactivator.app:/callback?"), "{link}");
    session.deliver_link(&link).unwrap();
    match outcome(&mut rx).await {
        Event::Succeeded { result } => assert_eq!(result.company_name.as_deref(), Some("Testbolaget AB")),
        e => panic!("{e:?}"),
    }
    assert_eq!(s.token_requests().len(), 1);
    assert_eq!(s.token_requests()[0].form_value("redirect_uri").as_deref(), Some(APP_REDIRECT_URI));
    // The same link again, after success: refused, nothing exchanged.
    assert_eq!(session.deliver_link(&link).unwrap_err().kind(), "link_after_end");
    assert_eq!(s.token_requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_link_with_a_forged_or_missing_state_is_refused_and_waiting_goes_on() {
    let s = standin(APP_REDIRECT_URI).await;
    let (session, mut rx) = start(&s, APP_REDIRECT_URI).await;
    for (behaviour, kind) in
        [(AuthorizeBehaviour::WrongState, "state_mismatch"), (AuthorizeBehaviour::NoState, "state_missing")]
    {
        s.set_authorize(behaviour);
        let link = browse_to_link(&session.started().authorize_url).await;
        assert_eq!(session.deliver_link(&link).unwrap_err().kind(), kind);
        match next_event(&mut rx).await {
            Event::CallbackRejected { error } => assert_eq!(error.kind, kind),
            e => panic!("{e:?}"),
        }
    }
    assert!(s.token_requests().is_empty(), "no token request for a forged link");
    assert!(!session.has_ended());
    // The real answer still completes it.
    s.set_authorize(AuthorizeBehaviour::Approve);
    let link = browse_to_link(&session.started().authorize_url).await;
    session.deliver_link(&link).unwrap();
    assert!(matches!(outcome(&mut rx).await, Event::Succeeded { .. }));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_link_to_another_path_is_refused_without_a_token_request() {
    let s = standin(APP_REDIRECT_URI).await;
    let (session, mut rx) = start(&s, APP_REDIRECT_URI).await;
    let link = browse_to_link(&session.started().authorize_url).await;
    let elsewhere = link.replacen(":/callback?", ":/elsewhere?", 1);
    assert_eq!(session.deliver_link(&elsewhere).unwrap_err().kind(), "link_mismatch");
    assert!(matches!(next_event(&mut rx).await, Event::CallbackRejected { .. }));
    assert!(s.token_requests().is_empty());
    // Its state was not spent: the right link still works.
    session.deliver_link(&link).unwrap();
    assert!(matches!(outcome(&mut rx).await, Event::Succeeded { .. }));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_link_for_an_integrations_own_scheme_completes_its_activation() {
    let uri = "se.example.erp://oauth/fortnox";
    let s = standin(uri).await;
    let (session, mut rx) = start(&s, uri).await;
    let link = browse_to_link(&session.started().authorize_url).await;
    assert!(link.starts_with("se.example.erp://oauth/fortnox?"), "{link}");
    // The app's own scheme is not this attempt's redirect URI.
    let own = link.replacen("se.example.erp://oauth/fortnox", APP_REDIRECT_URI, 1);
    assert_eq!(session.deliver_link(&own).unwrap_err().kind(), "link_mismatch");
    session.deliver_link(&link).unwrap();
    assert!(matches!(outcome(&mut rx).await, Event::Succeeded { .. }));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_denial_by_link_ends_the_attempt_without_a_token_request() {
    let s = standin(APP_REDIRECT_URI).await;
    s.set_authorize(AuthorizeBehaviour::Deny);
    let (session, mut rx) = start(&s, APP_REDIRECT_URI).await;
    let link = browse_to_link(&session.started().authorize_url).await;
    session.deliver_link(&link).unwrap();
    match outcome(&mut rx).await {
        Event::Failed { error } => assert_eq!(error.kind, "access_denied"),
        e => panic!("{e:?}"),
    }
    assert!(s.token_requests().is_empty());
}
