//! Every error Fortnox can give (`docs/fortnox.md`), one by one against the stand-in, as the
//! window sees it: the session's event carries its own kind, a message and a next step in
//! Swedish and English. Answers that come after the tokens are safe (the company lookup)
//! arrive as a warning on the success, with the same message and next step.

mod common;

use activation::fortnox::endpoints::Endpoints;
use activation::fortnox::token::FortnoxClient;
use activation::secret::ClientSecret;
use activation::session::{Event, Session, Summary};
use activation::settings::{AccountType, Settings};
use activation::{Error, ErrorPayload, Language};
use activator_tests::standin::{AuthorizeBehaviour, ClientConfig, StandIn, StandInConfig};
use common::{bin, free_port, BrowserEnv};
use std::process::Command;
use std::time::Duration;
use tokio::sync::mpsc;

const CLIENT: &str = "errors-client";
const SECRET: &str = "errors-secret";

struct Fixture {
    standin: StandIn,
    redirect_uri: String,
}

async fn fixture() -> Fixture {
    let redirect_uri = format!("http://localhost:{}/callback", free_port());
    let client = ClientConfig::new(CLIENT, SECRET, redirect_uri.clone());
    Fixture { standin: StandIn::start(StandInConfig::with_client(client)).await, redirect_uri }
}

fn settings(redirect_uri: &str, secret: &str) -> Settings {
    common::settings(
        "Testbolaget",
        CLIENT,
        Some(secret),
        redirect_uri,
        &["companyinformation", "invoice"],
        AccountType::User,
    )
}

async fn browse(url: &str) -> String {
    let env = BrowserEnv::new();
    let mut cmd = Command::new(bin("fake-browser"));
    env.apply(&mut cmd);
    cmd.arg(url);
    let status = tokio::task::spawn_blocking(move || cmd.status()).await.unwrap().unwrap();
    assert!(status.success());
    env.wait_final_url(Duration::from_secs(10))
}

/// What the window is told in the end: the error of a failure (or of a rejected
/// callback), or the summary of a success.
enum Told {
    Error(ErrorPayload),
    Success(Box<Summary>),
}

/// Runs a session with `redirect_uri` and `secret` through the fake browser (or, when
/// `paste` says so, by pasting the address it landed on) and returns what the window is told.
async fn run(f: &Fixture, redirect_uri: &str, secret: &str, before_paste: impl FnOnce()) -> Told {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let session = Session::start(
        FortnoxClient::new(Endpoints::new(&f.standin.oauth_url(), &f.standin.api_url())),
        settings(redirect_uri, secret),
        Duration::from_secs(30),
        || Language::En,
        move |e| {
            let _ = tx.send(e);
        },
    )
    .await
    .unwrap();
    let landed = browse(&session.started().authorize_url).await;
    if !redirect_uri.starts_with("http://localhost") {
        before_paste();
        if let Err(e) = session.submit_pasted(&landed) {
            return Told::Error(e.payload());
        }
    }
    loop {
        let e = tokio::time::timeout(Duration::from_secs(20), rx.recv()).await.expect("an event").expect("open");
        match e {
            Event::Failed { error } | Event::CallbackRejected { error } => return Told::Error(error),
            Event::Succeeded { result } => return Told::Success(Box::new(result)),
            _ => {}
        }
    }
}

/// The window got exactly this error, with this error's own texts in both languages.
fn assert_told(told: Told, expected: &Error) -> ErrorPayload {
    let error = match told {
        Told::Error(e) => e,
        Told::Success(s) => panic!("expected {}, got a success ({:?})", expected.kind(), s.warnings),
    };
    assert_eq!(error.kind, expected.kind());
    assert_eq!(error.message, expected.message(), "{}", expected.kind());
    assert_eq!(error.next_step, expected.next_step(), "{}", expected.kind());
    for text in [&error.message, &error.next_step] {
        assert!(!text.en.is_empty() && !text.sv.is_empty() && text.en != text.sv);
    }
    error
}

/// A success whose one warning carries this error's message and next step, in both languages.
fn assert_warned(told: Told, expected: &Error) {
    let summary = match told {
        Told::Success(s) => s,
        Told::Error(e) => panic!("expected a success with a warning, got {}", e.kind),
    };
    assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
    let w = &summary.warnings[0];
    for lang in [Language::En, Language::Sv] {
        assert!(w.get(lang).contains(expected.message().get(lang)), "{lang:?}: {}", w.get(lang));
        assert!(w.get(lang).contains(expected.next_step().get(lang)), "{lang:?}: {}", w.get(lang));
    }
    assert!(summary.has_refresh_token, "the tokens are kept");
}

#[tokio::test(flavor = "multi_thread")]
async fn access_denied_says_the_approval_was_refused() {
    let f = fixture().await;
    f.standin.set_authorize(AuthorizeBehaviour::Deny);
    let e = assert_told(run(&f, &f.redirect_uri, SECRET, || {}).await, &Error::AccessDenied { description: None });
    assert_eq!(e.detail.as_deref(), Some("The user denied the request"));
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_scope_says_which_area_to_remove_or_add() {
    let f = fixture().await;
    f.standin
        .set_authorize(AuthorizeBehaviour::Error { error: "invalid_scope", description: "Invalid scope: invoice" });
    let e = assert_told(run(&f, &f.redirect_uri, SECRET, || {}).await, &Error::InvalidScope { description: None });
    assert!(e.next_step.en.contains("Developer Portal"));
    assert!(!e.next_step.en.contains("locked"), "not the locked-account advice");
    assert!(f.standin.token_requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_login_that_returns_neither_code_nor_state_points_at_a_locked_account() {
    let f = fixture().await;
    f.standin.set_authorize(AuthorizeBehaviour::NeitherCodeNorState);
    assert_told(run(&f, &f.redirect_uri, SECRET, || {}).await, &Error::NoCodeReturned);
    assert!(f.standin.token_requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unnamed_authorize_error_is_the_generic_failure_with_fortnox_words_in_details() {
    let f = fixture().await;
    f.standin.set_authorize(AuthorizeBehaviour::Error { error: "server_error", description: "Something broke" });
    let e = assert_told(
        run(&f, &f.redirect_uri, SECRET, || {}).await,
        &Error::AuthorizationFailed { error: String::new(), description: None },
    );
    assert_eq!(e.detail.as_deref(), Some("server_error: Something broke"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_error_about_the_redirect_uri_is_a_mismatch() {
    let f = fixture().await;
    f.standin.set_authorize(AuthorizeBehaviour::Error {
        error: "invalid_request",
        description: "The redirect URI is missing or do not match",
    });
    assert_told(run(&f, &f.redirect_uri, SECRET, || {}).await, &Error::RedirectMismatch { description: None });
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_client_secret_is_invalid_client() {
    let f = fixture().await;
    let e = assert_told(run(&f, &f.redirect_uri, "wrong", || {}).await, &Error::InvalidClient { description: None });
    assert_eq!(e.detail.as_deref(), Some("The client credentials are invalid"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_code_pasted_after_ten_minutes_is_expired_or_used() {
    let f = fixture().await;
    let page = "https://integrator.example/fortnox";
    f.standin.register_client(ClientConfig::new(CLIENT, SECRET, page));
    let standin = f.standin.clone();
    let told = run(&f, page, SECRET, move || standin.advance_clock(Duration::from_secs(11 * 60))).await;
    assert_told(told, &Error::CodeExpiredOrUsed { description: None });
}

#[tokio::test(flavor = "multi_thread")]
async fn fortnox_being_down_at_the_exchange_is_unavailable() {
    let f = fixture().await;
    let page = "https://integrator.example/fortnox";
    f.standin.register_client(ClientConfig::new(CLIENT, SECRET, page));
    let standin = f.standin.clone();
    let told = run(&f, page, SECRET, move || standin.set_unavailable(true)).await;
    assert_told(told, &Error::FortnoxUnavailable { status: 503 });
}

#[tokio::test(flavor = "multi_thread")]
async fn no_licence_for_the_company_is_a_warning_with_its_own_words() {
    let f = fixture().await;
    f.standin.set_licence_missing(true);
    assert_warned(run(&f, &f.redirect_uri, SECRET, || {}).await, &Error::MissingLicence { description: None });
}

#[tokio::test(flavor = "multi_thread")]
async fn too_many_requests_is_a_warning_to_wait_a_minute() {
    let f = fixture().await;
    f.standin.set_rate_limited(true);
    assert_warned(run(&f, &f.redirect_uri, SECRET, || {}).await, &Error::RateLimited);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unauthorized_api_answer_is_a_warning_about_the_token() {
    let f = fixture().await;
    f.standin.set_api_unauthorized(true);
    assert_warned(run(&f, &f.redirect_uri, SECRET, || {}).await, &Error::AccessTokenRejected { description: None });
}

#[tokio::test(flavor = "multi_thread")]
async fn a_service_account_the_integration_may_not_use_is_explained_at_the_token_endpoint() {
    let f = fixture().await;
    let c = FortnoxClient::new(Endpoints::new(&f.standin.oauth_url(), &f.standin.api_url()));
    let e = c.client_credentials(CLIENT, &ClientSecret::new(SECRET), "1234567").await.unwrap_err();
    assert_eq!(e.kind(), "service_account_not_allowed");
    assert!(e.next_step().en.contains("Enable service account authorization"));
    assert!(e.next_step().sv.contains("Enable service account authorization"), "the portal's own label");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_spent_refresh_token_says_to_activate_again() {
    let f = fixture().await;
    let c = FortnoxClient::new(Endpoints::new(&f.standin.oauth_url(), &f.standin.api_url()));
    let e = c
        .refresh(CLIENT, &ClientSecret::new(SECRET), &activation::secret::RefreshToken::new("spent"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "refresh_token_invalid");
    assert_eq!(e.detail().as_deref(), Some("Invalid refresh token"));
}
