//! Tests of the Fortnox stand-in itself and of the fake browser.

use std::io::{Read as _, Write as _};
use std::time::Duration;

use activator_tests::standin::{
    decode_jwt_payload, AuthorizeBehaviour, ClientConfig, StandIn, StandInConfig, DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URI, DEFAULT_TENANT_ID,
};
use base64::Engine as _;
use serde_json::Value;

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}")))
}

fn auth_url(s: &StandIn, client_id: &str, redirect_uri: &str, scope: &str, extra: &[(&str, &str)]) -> String {
    let mut u = url::Url::parse(&s.authorize_endpoint()).unwrap();
    u.query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", scope)
        .append_pair("state", "st4te")
        .append_pair("access_type", "offline")
        .append_pair("response_type", "code");
    for (k, v) in extra {
        u.query_pairs_mut().append_pair(k, v);
    }
    u.to_string()
}

struct Answer {
    status: u16,
    content_type: String,
    location: Option<String>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

async fn answer(resp: reqwest::Response) -> Answer {
    let status = resp.status().as_u16();
    let header = |n: reqwest::header::HeaderName| resp.headers().get(n).map(|v| v.to_str().unwrap().to_string());
    let content_type = header(reqwest::header::CONTENT_TYPE).unwrap_or_default();
    let location = header(reqwest::header::LOCATION);
    let body = resp.text().await.unwrap();
    Answer { status, content_type, location, body }
}

async fn get(url: &str) -> Answer {
    answer(http().get(url).send().await.unwrap()).await
}

/// Query parameters of a redirect location.
fn params(location: &str) -> Vec<(String, String)> {
    let q = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

fn param(location: &str, name: &str) -> Option<String> {
    params(location).into_iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// Approves an authorize request for the default client; returns the code.
async fn code_for(s: &StandIn, scope: &str, extra: &[(&str, &str)]) -> String {
    let a = get(&auth_url(s, DEFAULT_CLIENT_ID, DEFAULT_REDIRECT_URI, scope, extra)).await;
    assert_eq!(a.status, 302, "{}", a.body);
    let loc = a.location.unwrap();
    assert!(loc.starts_with(DEFAULT_REDIRECT_URI), "{loc}");
    assert_eq!(param(&loc, "state").as_deref(), Some("st4te"));
    param(&loc, "code").unwrap()
}

async fn token(s: &StandIn, auth: Option<&str>, form: &[(&str, &str)], headers: &[(&str, &str)]) -> Answer {
    let mut rb = http().post(s.token_endpoint()).form(form);
    if let Some(a) = auth {
        rb = rb.header("Authorization", a);
    }
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    answer(rb.send().await.unwrap()).await
}

fn default_auth() -> String {
    basic(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
}

async fn exchange(s: &StandIn, code: &str) -> Answer {
    token(
        s,
        Some(&default_auth()),
        &[("grant_type", "authorization_code"), ("code", code), ("redirect_uri", DEFAULT_REDIRECT_URI)],
        &[],
    )
    .await
}

async fn api_get(s: &StandIn, resource: &str, access: &str) -> Answer {
    answer(http().get(format!("{}/{resource}", s.api_url())).bearer_auth(access).send().await.unwrap()).await
}

#[tokio::test]
async fn urls_and_unknown_paths() {
    let s = StandIn::start(StandInConfig::default()).await;
    assert_eq!(s.oauth_url(), format!("http://127.0.0.1:{}/oauth-v1", s.port()));
    assert_eq!(s.api_url(), format!("http://127.0.0.1:{}/3", s.port()));
    assert_eq!(get(&format!("{}/nothing", s.base_url())).await.status, 404);
    assert_eq!(get(&format!("{}/oauth-v1/token", s.base_url())).await.status, 405);
}

#[tokio::test]
async fn code_exchange_is_single_use_and_gives_jwt() {
    let s = StandIn::start(StandInConfig::default()).await;
    let code = code_for(&s, "companyinformation profile", &[]).await;
    assert!(s.token_requests().is_empty(), "authorize alone makes no token request");

    let a = exchange(&s, &code).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.content_type.starts_with("application/json"));
    let j = a.json();
    assert_eq!(j["token_type"], "bearer");
    assert_eq!(j["expires_in"], 3600);
    assert_eq!(j["scope"], "companyinformation profile");
    assert_eq!(j["refresh_token"].as_str().unwrap().len(), 40);
    let access = j["access_token"].as_str().unwrap();
    assert!(access.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));
    let claims = decode_jwt_payload(access).unwrap();
    assert_eq!(claims["tenantId"], DEFAULT_TENANT_ID);
    assert_eq!(claims["clientId"], DEFAULT_CLIENT_ID);
    assert_eq!(claims["scopes"], serde_json::json!(["companyinformation", "profile"]));
    assert_eq!(claims["sub"], format!("4711@{DEFAULT_TENANT_ID}"));
    assert_eq!(claims["authsource"], "OAUTH2");
    assert_eq!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(), 3600);

    let again = exchange(&s, &code).await;
    assert_eq!(again.status, 400);
    assert!(again.content_type.starts_with("text/html"));
    assert_eq!(again.json()["error"], "invalid_grant");
    assert_eq!(again.json()["error_description"], "Invalid authorization code");

    let t = s.token_requests();
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].form_value("code").as_deref(), Some(code.as_str()));
    assert_eq!(t[0].header("authorization"), Some(default_auth().as_str()));
    assert_eq!(t[0].status, 200);
    assert_eq!(t[1].status, 400);
}

#[tokio::test]
async fn redirect_uri_must_be_byte_identical() {
    let s = StandIn::start(StandInConfig::default()).await;
    let code = code_for(&s, "companyinformation", &[]).await;
    let auth = default_auth();
    for form in [
        vec![("grant_type", "authorization_code"), ("code", code.as_str())],
        vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", "http://localhost:9876/callback/"),
        ],
        vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", "http://127.0.0.1:9876/callback"),
        ],
    ] {
        let a = token(&s, Some(&auth), &form, &[]).await;
        assert_eq!(a.status, 400, "{form:?}");
        assert_eq!(a.json()["error"], "invalid_request");
        assert_eq!(a.json()["error_description"], "The redirect URI is missing or do not match");
    }
    // The failed attempts did not spend the code.
    assert_eq!(exchange(&s, &code).await.status, 200);

    // Authorize with a redirect URI other than the registered one: Fortnox's own page.
    let a = get(&auth_url(&s, DEFAULT_CLIENT_ID, "http://localhost:9877/callback", "companyinformation", &[])).await;
    assert_eq!(a.status, 400);
    assert!(a.location.is_none());
    assert!(a.content_type.starts_with("text/html"));
    assert!(a.body.contains("The redirect URI is missing or do not match"));
}

#[tokio::test]
async fn client_authentication() {
    let s = StandIn::start(StandInConfig::default()).await;
    let code = code_for(&s, "companyinformation", &[]).await;
    let form = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", DEFAULT_REDIRECT_URI)];
    let wrong = basic(DEFAULT_CLIENT_ID, "wrong");
    for auth in [Some(wrong.as_str()), None] {
        let a = token(&s, auth, &form, &[]).await;
        assert_eq!(a.status, 401);
        assert_eq!(a.content_type, "text/plain");
        assert_eq!(
            a.json(),
            serde_json::json!({"error":"invalid_client","error_description":"The client credentials are invalid"})
        );
    }
    // Credentials in the body instead of the header are not enough.
    let mut body_creds = form.to_vec();
    body_creds.push(("client_id", DEFAULT_CLIENT_ID));
    body_creds.push(("client_secret", DEFAULT_CLIENT_SECRET));
    assert_eq!(token(&s, None, &body_creds, &[]).await.status, 401);
    // Another registered client cannot use this client's code.
    s.register_client(ClientConfig::new("other", "sec", DEFAULT_REDIRECT_URI));
    let a = token(&s, Some(&basic("other", "sec")), &form, &[]).await;
    assert_eq!(a.json()["error"], "invalid_grant");
    assert_eq!(exchange(&s, &code).await.status, 200);
}

#[tokio::test]
async fn refresh_rotates_and_kills_old_token() {
    let s = StandIn::start(StandInConfig::default()).await;
    let code = code_for(&s, "companyinformation", &[]).await;
    let first = exchange(&s, &code).await.json();
    let r1 = first["refresh_token"].as_str().unwrap().to_string();
    let auth = default_auth();
    let refresh = |rt: String| {
        let s = s.clone();
        let auth = auth.clone();
        async move { token(&s, Some(&auth), &[("grant_type", "refresh_token"), ("refresh_token", &rt)], &[]).await }
    };
    let a = refresh(r1.clone()).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let r2 = a.json()["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(r1, r2);
    assert_eq!(a.json()["scope"], "companyinformation");
    assert!(!s.is_refresh_token_live(&r1));
    assert!(s.is_refresh_token_live(&r2));

    let old = refresh(r1).await;
    assert_eq!(old.status, 400);
    assert!(old.content_type.starts_with("text/html"));
    assert_eq!(old.json(), serde_json::json!({"error":"invalid_grant","error_description":"Invalid refresh token"}));
    assert_eq!(refresh(r2.clone()).await.status, 200);
    assert_eq!(refresh(r2).await.status, 400, "spent twice");

    // Refresh tokens expire after 31 days.
    let r3 = exchange(&s, &code_for(&s, "companyinformation", &[]).await).await.json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    s.advance_clock(Duration::from_secs(31 * 24 * 3600 + 1));
    assert_eq!(refresh(r3).await.status, 400);
}

#[tokio::test]
async fn revoke_kills_refresh_token() {
    let s = StandIn::start(StandInConfig::default()).await;
    let rt = exchange(&s, &code_for(&s, "companyinformation", &[]).await).await.json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let revoke = |auth: Option<String>, tok: String| {
        let s = s.clone();
        async move {
            let mut rb =
                http().post(s.revoke_endpoint()).form(&[("token_type_hint", "refresh_token"), ("token", tok.as_str())]);
            if let Some(a) = auth {
                rb = rb.header("Authorization", a);
            }
            answer(rb.send().await.unwrap()).await
        }
    };
    assert_eq!(revoke(None, rt.clone()).await.status, 401);
    assert!(s.is_refresh_token_live(&rt));
    let a = revoke(Some(default_auth()), rt.clone()).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json(), serde_json::json!({"revoked": true}));
    assert!(!s.is_refresh_token_live(&rt));
    let unknown = revoke(Some(default_auth()), "nonsense".into()).await;
    assert_eq!(unknown.json(), serde_json::json!({"revoked": true}));
    assert_eq!(s.revoke_requests().len(), 3);
}

#[tokio::test]
async fn codes_expire_after_ten_minutes() {
    let s = StandIn::start(StandInConfig::default()).await;
    let code = code_for(&s, "companyinformation", &[]).await;
    s.advance_clock(Duration::from_secs(601));
    let a = exchange(&s, &code).await;
    assert_eq!(a.status, 400);
    assert_eq!(a.json()["error_description"], "Invalid authorization code");
}

#[tokio::test]
async fn client_credentials_needs_tenant_and_service_consent() {
    let s = StandIn::start(StandInConfig::default()).await;
    let auth = default_auth();
    let cc = |tenant: Option<&'static str>| {
        let s = s.clone();
        let auth = auth.clone();
        async move {
            let h: Vec<(&str, &str)> = tenant.map(|t| vec![("TenantId", t)]).unwrap_or_default();
            token(&s, Some(&auth), &[("grant_type", "client_credentials")], &h).await
        }
    };
    // Service accounts not enabled: Fortnox's page, no redirect.
    let a = get(&auth_url(
        &s,
        DEFAULT_CLIENT_ID,
        DEFAULT_REDIRECT_URI,
        "companyinformation",
        &[("account_type", "service")],
    ))
    .await;
    assert_eq!(a.status, 400);
    assert!(a.location.is_none());
    assert!(a.body.contains("Client does not allow service account"));
    assert_eq!(cc(Some("1234567")).await.status, 400);

    s.set_service_accounts_enabled(DEFAULT_CLIENT_ID, true);
    let no_consent = cc(Some("1234567")).await;
    assert_eq!(no_consent.status, 400);
    assert_eq!(no_consent.json()["error"], "invalid_grant");

    // Only system administrators may authorize a service account.
    s.set_user_sysadmin(false);
    let a = get(&auth_url(
        &s,
        DEFAULT_CLIENT_ID,
        DEFAULT_REDIRECT_URI,
        "companyinformation",
        &[("account_type", "service")],
    ))
    .await;
    assert_eq!(a.status, 400);
    s.set_user_sysadmin(true);

    // A user-account activation is no service consent.
    assert_eq!(exchange(&s, &code_for(&s, "companyinformation", &[]).await).await.status, 200);
    assert_eq!(cc(Some("1234567")).await.status, 400);

    let code = code_for(&s, "companyinformation", &[("account_type", "service")]).await;
    assert!(!s.has_service_consent(DEFAULT_CLIENT_ID), "consent comes with the exchange");
    let first = exchange(&s, &code).await;
    assert_eq!(first.status, 200);
    assert_eq!(decode_jwt_payload(first.json()["access_token"].as_str().unwrap()).unwrap()["authsource"], "SERVICE");
    assert!(s.has_service_consent(DEFAULT_CLIENT_ID));

    let missing_tenant = cc(None).await;
    assert_eq!(missing_tenant.status, 400);
    assert_eq!(missing_tenant.json()["error"], "invalid_request");
    assert_eq!(cc(Some("7654321")).await.status, 400, "other tenant");

    let ok = cc(Some("1234567")).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let j = ok.json();
    assert!(j.get("refresh_token").is_none());
    assert_eq!(j["scope"], "companyinformation");
    let access = j["access_token"].as_str().unwrap().to_string();
    assert_eq!(decode_jwt_payload(&access).unwrap()["tenantId"], DEFAULT_TENANT_ID);
    assert_eq!(api_get(&s, "companyinformation", &access).await.status, 200);

    s.revoke_service_consent(DEFAULT_CLIENT_ID);
    assert_eq!(cc(Some("1234567")).await.status, 400);
}

#[tokio::test]
async fn api_with_bearer_tokens() {
    let s = StandIn::start(StandInConfig::default()).await;
    let full = exchange(&s, &code_for(&s, "companyinformation profile", &[]).await).await.json();
    let access = full["access_token"].as_str().unwrap().to_string();

    let a = api_get(&s, "companyinformation", &access).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let c = &a.json()["CompanyInformation"];
    assert_eq!(c["DatabaseNumber"], DEFAULT_TENANT_ID);
    assert_eq!(c["CompanyName"], "Testbolaget AB");
    assert_eq!(c["OrganizationNumber"], "556677-8899");
    assert_eq!(c["CountryCode"], "SE");

    let me = api_get(&s, "me", &access).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["MeInformation"]["Id"], "4711");
    assert_eq!(me.json()["MeInformation"]["SysAdmin"], true);

    // No token, garbage, a forged signature.
    let no_token = answer(http().get(format!("{}/companyinformation", s.api_url())).send().await.unwrap()).await;
    assert_eq!(no_token.status, 401);
    assert_eq!(no_token.json(), serde_json::json!({"message":"unauthorized"}));
    assert_eq!(api_get(&s, "companyinformation", "garbage").await.status, 401);
    let (head, _) = access.rsplit_once('.').unwrap();
    assert_eq!(api_get(&s, "companyinformation", &format!("{head}.AAAA")).await.status, 401);

    // Missing scope.
    let narrow = exchange(&s, &code_for(&s, "customer", &[]).await).await.json();
    let narrow = narrow["access_token"].as_str().unwrap();
    let a = api_get(&s, "companyinformation", narrow).await;
    assert_eq!(a.status, 403);
    assert!(a.json()["ErrorInformation"]["message"].is_string());
    assert_eq!(api_get(&s, "me", narrow).await.status, 403);

    // Licence missing.
    s.set_licence_missing(true);
    let a = api_get(&s, "companyinformation", &access).await;
    assert_eq!(a.status, 403);
    assert_eq!(
        a.json(),
        serde_json::json!({"ErrorInformation":{"error":1,"message":"Det finns ingen aktiv licens för önskat scope","code":2000663}})
    );
    s.set_licence_missing(false);

    s.set_rate_limited(true);
    assert_eq!(api_get(&s, "companyinformation", &access).await.status, 429);
    s.set_rate_limited(false);

    // Expired after an hour.
    s.advance_clock(Duration::from_secs(3601));
    assert_eq!(api_get(&s, "companyinformation", &access).await.status, 401);
    assert_eq!(s.api_requests().len(), 10);
}

#[tokio::test]
async fn authorize_validation_and_behaviours() {
    let s = StandIn::start(StandInConfig::default()).await;
    let bad_client = get(&auth_url(&s, "nobody", DEFAULT_REDIRECT_URI, "companyinformation", &[])).await;
    assert_eq!(bad_client.status, 400);
    assert!(bad_client.body.contains("Auth code or ClientID supplied is invalid"));
    let bad_scope =
        get(&auth_url(&s, DEFAULT_CLIENT_ID, DEFAULT_REDIRECT_URI, "companyinformation Customer", &[])).await;
    assert_eq!(bad_scope.status, 400);
    assert!(bad_scope.body.contains("invalid scope"));

    // %20 and + both separate scopes.
    let pct = format!(
        "{}/auth?client_id={DEFAULT_CLIENT_ID}&redirect_uri={}&scope=companyinformation%20customer&state=s&access_type=offline&response_type=code",
        s.oauth_url(),
        url::form_urlencoded::byte_serialize(DEFAULT_REDIRECT_URI.as_bytes()).collect::<String>()
    );
    let a = get(&pct).await;
    assert_eq!(a.status, 302);
    let tok = exchange(&s, &param(&a.location.unwrap(), "code").unwrap()).await;
    assert_eq!(tok.json()["scope"], "companyinformation customer");

    // Withheld scopes are not granted.
    s.set_withheld_scopes(["customer"]);
    let tok = exchange(&s, &code_for(&s, "companyinformation customer", &[]).await).await;
    assert_eq!(tok.json()["scope"], "companyinformation");
    s.set_withheld_scopes(Vec::<String>::new());

    let location = |s: StandIn| async move {
        let a = get(&auth_url(&s, DEFAULT_CLIENT_ID, DEFAULT_REDIRECT_URI, "companyinformation", &[])).await;
        assert_eq!(a.status, 302);
        a.location.unwrap()
    };
    s.set_authorize(AuthorizeBehaviour::Deny);
    let loc = location(s.clone()).await;
    assert_eq!(
        loc,
        format!("{DEFAULT_REDIRECT_URI}?error=access_denied&error_description=The+user+denied+the+request&state=st4te")
    );
    s.set_authorize(AuthorizeBehaviour::NoState);
    let loc = location(s.clone()).await;
    assert!(param(&loc, "state").is_none());
    assert_eq!(exchange(&s, &param(&loc, "code").unwrap()).await.status, 200);
    s.set_authorize(AuthorizeBehaviour::WrongState);
    let loc = location(s.clone()).await;
    assert_ne!(param(&loc, "state").unwrap(), "st4te");
    assert!(param(&loc, "code").is_some());
    s.set_authorize(AuthorizeBehaviour::NeitherCodeNorState);
    assert_eq!(location(s.clone()).await, DEFAULT_REDIRECT_URI);

    // A redirect URI with a query gets its parameters appended with &.
    s.set_authorize(AuthorizeBehaviour::Approve);
    s.register_client(ClientConfig::new("q", "qs", "http://localhost:4000/cb?x=1"));
    let a = get(&auth_url(&s, "q", "http://localhost:4000/cb?x=1", "companyinformation", &[])).await;
    let loc = a.location.unwrap();
    assert!(loc.starts_with("http://localhost:4000/cb?x=1&code="), "{loc}");

    // Private-use scheme redirect URI.
    s.register_client(ClientConfig::new("p", "ps", "se.example.app:/cb"));
    let a = get(&auth_url(&s, "p", "se.example.app:/cb", "companyinformation", &[])).await;
    assert!(a.location.unwrap().starts_with("se.example.app:/cb?code="));
    assert_eq!(s.authorize_requests().len(), 10);
    assert!(s.authorize_requests()[0].query_value("scope").is_some());
}

#[tokio::test]
async fn token_endpoint_unavailable() {
    let s = StandIn::start(StandInConfig::default()).await;
    let code = code_for(&s, "companyinformation", &[]).await;
    s.set_unavailable(true);
    assert_eq!(exchange(&s, &code).await.status, 503);
    s.set_unavailable(false);
    assert_eq!(exchange(&s, &code).await.status, 200);
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let s = StandIn::start(StandInConfig::default()).await;
    let url = format!("{}/nothing", s.base_url());
    assert_eq!(get(&url).await.status, 404);
    s.shutdown();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(http().get(&url).send().await.is_err());
}

// ---------------------------------------------------------------------------------------
// fake browser (sync tests; stand-in on its own runtime)

fn temp_path(tag: &str) -> std::path::PathBuf {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    let n: String = b.iter().map(|x| format!("{x:02x}")).collect();
    std::env::temp_dir().join(format!("fake-browser-{tag}-{}-{n}.log", std::process::id()))
}

/// Runs the fake browser on `url`; returns its log lines and the last body.
fn browse(url: &str) -> (Vec<String>, String) {
    browse_with(url, &[("FAKE_BROWSER_NO_HANDOFF", "1")])
}

fn browse_with(url: &str, env: &[(&str, &str)]) -> (Vec<String>, String) {
    let log = temp_path("log");
    let started = std::time::Instant::now();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_fake-browser"))
        .arg(url)
        .env("FAKE_BROWSER_LOG", &log)
        .envs(env.iter().copied())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(started.elapsed() < Duration::from_secs(10));
    let lines = std::fs::read_to_string(&log).unwrap_or_default();
    let body = std::fs::read_to_string(format!("{}.body", log.display())).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    let _ = std::fs::remove_file(format!("{}.body", log.display()));
    (lines.lines().map(str::to_string).collect(), body)
}

/// A one-shot HTTP listener: answers the first request with 200 and returns its request line.
fn one_shot(listener: std::net::TcpListener) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 1024];
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut chunk).unwrap();
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let body = "<html><body>Activated. You can close this window.</body></html>";
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let text = String::from_utf8_lossy(&buf).into_owned();
        text.lines().next().unwrap_or_default().to_string()
    })
}

#[test]
fn fake_browser_follows_redirect_into_loopback_callback() {
    let s = StandIn::start_in_background(StandInConfig::default());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let redirect = format!("http://localhost:{}/callback", listener.local_addr().unwrap().port());
    s.register_client(ClientConfig::new("fb", "fbs", &redirect));
    let server = one_shot(listener);

    let start = auth_url(&s, "fb", &redirect, "companyinformation", &[]);
    let (lines, body) = browse(&start);
    let request_line = server.join().unwrap();
    assert!(request_line.starts_with("GET /callback?code="), "{request_line}");
    assert!(request_line.contains("&state=st4te "), "{request_line}");
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0], format!("VISIT 302 {start}"));
    assert!(lines[1].starts_with(&format!("VISIT 200 {redirect}?code=")), "{lines:?}");
    assert_eq!(lines[2], format!("FINAL {}", &lines[1]["VISIT 200 ".len()..]));
    assert!(body.contains("Activated"));
    assert_eq!(s.authorize_requests().len(), 1);
    assert!(s.token_requests().is_empty());
}

#[test]
fn fake_browser_tries_ipv6_loopback_for_localhost() {
    let Ok(listener) = std::net::TcpListener::bind("[::1]:0") else {
        eprintln!("no IPv6 loopback here; skipped");
        return;
    };
    let port = listener.local_addr().unwrap().port();
    // Make sure 127.0.0.1 on that port does not answer instead.
    if std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
        return;
    }
    let s = StandIn::start_in_background(StandInConfig::default());
    let redirect = format!("http://localhost:{port}/callback");
    s.register_client(ClientConfig::new("fb6", "s", &redirect));
    let server = one_shot(listener);
    let (lines, _) = browse(&auth_url(&s, "fb6", &redirect, "companyinformation", &[]));
    assert!(server.join().unwrap().starts_with("GET /callback?code="));
    assert!(lines[1].starts_with("VISIT 200 http://localhost:"), "{lines:?}");
}

#[test]
fn fake_browser_stops_at_private_scheme_and_https() {
    let s = StandIn::start_in_background(StandInConfig::default());
    s.register_client(ClientConfig::new("app", "s", "se.example.app:/cb"));
    let (lines, _) = browse(&auth_url(&s, "app", "se.example.app:/cb", "companyinformation", &[]));
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].starts_with("VISIT 302 "));
    assert!(lines[1].starts_with("STOP se.example.app:/cb?code="), "{lines:?}");
    assert!(lines[2].starts_with("FINAL se.example.app:/cb?code=") && lines[2].ends_with("&state=st4te"));

    s.register_client(ClientConfig::new("web", "s", "https://example.com/fortnox"));
    let (lines, _) = browse(&auth_url(&s, "web", "https://example.com/fortnox", "companyinformation", &[]));
    assert!(lines[1].starts_with("STOP https://example.com/fortnox?code="), "{lines:?}");
    assert!(lines[2].starts_with("FINAL https://example.com/fortnox?code="));

    // An error page of the stand-in is a landing page too (exit 0).
    let (lines, body) = browse(&auth_url(&s, "nobody", "se.example.app:/cb", "companyinformation", &[]));
    assert!(lines[0].starts_with("VISIT 400 "));
    assert!(lines[1].starts_with("FINAL "));
    assert!(body.contains("Auth code or ClientID supplied is invalid"));

    // Nobody listening on the callback: an ERROR line, still quick and exit 0.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dead = format!("http://localhost:{port}/callback");
    s.register_client(ClientConfig::new("dead", "s", &dead));
    let (lines, _) = browse(&auth_url(&s, "dead", &dead, "companyinformation", &[]));
    assert!(lines[1].starts_with(&format!("ERROR {dead}?code=")), "{lines:?}");
    assert!(lines[2].starts_with(&format!("FINAL {dead}?code=")));
}

#[test]
fn fake_browser_hands_a_scheme_link_to_the_operating_system() {
    let s = StandIn::start_in_background(StandInConfig::default());
    s.register_client(ClientConfig::new("app", "s", "se.example.app:/cb"));
    let got = temp_path("handed");
    let script = temp_path("launcher.sh");
    std::fs::write(&script, format!("#!/bin/sh\nprintf '%s' \"$1\" > {}\n", got.display())).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let launcher = script.display().to_string();
    let (lines, _) = browse_with(
        &auth_url(&s, "app", "se.example.app:/cb", "companyinformation", &[]),
        &[("FAKE_BROWSER_HANDOFF", launcher.as_str())],
    );
    assert!(lines[2].starts_with(&format!("HANDOFF 0 {launcher}")), "{lines:?}");
    assert!(lines[3].starts_with("FINAL se.example.app:/cb?code="), "{lines:?}");
    let handed = std::fs::read_to_string(&got).unwrap();
    assert_eq!(format!("FINAL {handed}"), lines[3]);
    let _ = std::fs::remove_file(&got);
    let _ = std::fs::remove_file(&script);

    // https pages are not handed over: the browser shows them (here: "does not exist").
    s.register_client(ClientConfig::new("web", "s", "https://example.com/fortnox"));
    let (lines, _) = browse_with(
        &auth_url(&s, "web", "https://example.com/fortnox", "companyinformation", &[]),
        &[("FAKE_BROWSER_HANDOFF", launcher.as_str())],
    );
    assert!(!lines.iter().any(|l| l.starts_with("HANDOFF")), "{lines:?}");
}

#[test]
fn background_standin_stops_on_drop() {
    let s = StandIn::start_in_background(StandInConfig::default());
    let addr = s.addr();
    assert!(std::net::TcpStream::connect(addr).is_ok());
    drop(s);
    assert!(std::net::TcpStream::connect(addr).is_err());
}
