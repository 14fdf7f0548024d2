//! Fortnox's token endpoint and the company lookup.
//!
//! Every token call carries `Authorization: Basic base64(client_id:client_secret)`. Error
//! bodies are parsed as JSON whatever their Content-Type says (Fortnox sends JSON as
//! `text/plain` and `text/html`), and mapped to the stable kinds of [`Error`].
//!
//! A successful answer ([`parse_token_response`]) needs only a non-empty string
//! `access_token`: the code behind it is single use, so no other field may cost the user
//! the tokens. Types drift (`"expires_in":"3600"`, a scope list) are accepted, odd values
//! fall back to defaults, and all time arithmetic is checked.
//!
//! Security rule: a 2xx body can hold tokens, so an error about one names at most its
//! top-level keys, never a value ([`Error::UnexpectedResponse`]'s detail goes to support).

use crate::fortnox::endpoints::Endpoints;
use crate::fortnox::http::{HttpRequest, HttpResponse, ReqwestTransport, Transport};
use crate::fortnox::jwt::{self, Claims};
use crate::secret::{AccessToken, AuthCode, ClientSecret, RefreshToken};
use crate::Error;
use base64::Engine as _;
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How long a refresh token lives. Fortnox's pages say 31 or 45 days: plan for 31.
pub const REFRESH_TOKEN_LIFETIME: Duration = Duration::from_secs(31 * 24 * 3600);
/// How long an authorization code lives.
pub const CODE_LIFETIME: Duration = Duration::from_secs(600);

/// A token response.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access_token: AccessToken,
    /// Absent for client credentials.
    pub refresh_token: Option<RefreshToken>,
    pub expires_in: u64,
    pub scope: String,
    pub token_type: String,
    pub received_at: SystemTime,
    /// Read from the access token without verification.
    pub claims: Claims,
}

impl TokenSet {
    /// When the access token expires: its `exp` claim, else `received_at + expires_in`.
    /// Values the clock cannot represent (absurd claims or bodies) fall back to the next
    /// source, and finally to `received_at`; this never panics.
    pub fn access_expires_at(&self) -> SystemTime {
        self.claims
            .expires_at
            .and_then(|exp| SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(exp)))
            .or_else(|| self.received_at.checked_add(Duration::from_secs(self.expires_in)))
            .unwrap_or(self.received_at)
    }

    /// When the refresh token expires (31 days after issue), if there is one.
    pub fn refresh_expires_at(&self) -> Option<SystemTime> {
        self.refresh_token
            .as_ref()
            .map(|_| self.received_at.checked_add(REFRESH_TOKEN_LIFETIME).unwrap_or(self.received_at))
    }
}

/// The user who logged in, from `GET /me`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub email: String,
    pub id: Option<String>,
    pub sys_admin: Option<bool>,
}

/// The company that was connected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub name: String,
    pub organization_number: String,
    /// Fortnox's database number, which is the tenant id.
    pub database_number: Option<String>,
}

/// `expires_in` when Fortnox leaves it out or sends something unreadable: an hour.
const DEFAULT_EXPIRES_IN: u64 = 3600;
/// At most this many key names go into an error's detail.
const MAX_KEYS_SHOWN: usize = 12;

#[derive(Deserialize)]
struct RawError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// Which grant a token call used; decides what `invalid_grant` means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    Code,
    Refresh,
    ClientCredentials,
}

/// Talks to Fortnox.
#[derive(Clone)]
pub struct FortnoxClient {
    endpoints: Endpoints,
    transport: Arc<dyn Transport>,
}

impl std::fmt::Debug for FortnoxClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FortnoxClient").field("endpoints", &self.endpoints).finish_non_exhaustive()
    }
}

impl FortnoxClient {
    /// A client over the real network.
    pub fn new(endpoints: Endpoints) -> Self {
        Self::with_transport(endpoints, Arc::new(ReqwestTransport::new()))
    }

    /// A client over a given transport (tests).
    pub fn with_transport(endpoints: Endpoints, transport: Arc<dyn Transport>) -> Self {
        FortnoxClient { endpoints, transport }
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// Exchanges an authorization code. `redirect_uri` must be byte-identical to the one in
    /// the authorize URL.
    ///
    /// # Errors
    /// `invalid_client`, `code_expired_or_used`, `redirect_mismatch`, `network`,
    /// `fortnox_unavailable`, `unexpected_response`, and others Fortnox may give.
    pub async fn exchange_code(
        &self,
        client_id: &str,
        secret: &ClientSecret,
        code: &AuthCode,
        redirect_uri: &str,
    ) -> Result<TokenSet, Error> {
        let body =
            form(&[("grant_type", "authorization_code"), ("code", code.expose()), ("redirect_uri", redirect_uri)]);
        self.token_call(client_id, secret, body, None, Grant::Code).await
    }

    /// Trades a refresh token for a new pair. The old refresh token dies: save the new
    /// pair before using it.
    ///
    /// # Errors
    /// `refresh_token_invalid` for a spent token, and the errors of [`exchange_code`](Self::exchange_code).
    pub async fn refresh(
        &self,
        client_id: &str,
        secret: &ClientSecret,
        refresh: &RefreshToken,
    ) -> Result<TokenSet, Error> {
        let body = form(&[("grant_type", "refresh_token"), ("refresh_token", refresh.expose())]);
        self.token_call(client_id, secret, body, None, Grant::Refresh).await
    }

    /// Gets an access token for a service account's tenant (after one activation with
    /// `account_type=service`).
    ///
    /// # Errors
    /// `service_account_not_allowed` when there is no service consent for the tenant.
    pub async fn client_credentials(
        &self,
        client_id: &str,
        secret: &ClientSecret,
        tenant_id: &str,
    ) -> Result<TokenSet, Error> {
        let body = form(&[("grant_type", "client_credentials")]);
        self.token_call(client_id, secret, body, Some(tenant_id), Grant::ClientCredentials).await
    }

    /// Revokes a refresh token. Fortnox answers `{"revoked":true}`, also for unknown tokens.
    ///
    /// # Errors
    /// `invalid_client`, `network`, `fortnox_unavailable`, `unexpected_response`.
    pub async fn revoke(&self, client_id: &str, secret: &ClientSecret, refresh: &RefreshToken) -> Result<(), Error> {
        let request = HttpRequest {
            method: "POST",
            url: self.endpoints.revoke(),
            headers: token_headers(client_id, secret, None),
            body: Some(form(&[("token_type_hint", "refresh_token"), ("token", refresh.expose())])),
        };
        let response = self.transport.send(request).await?;
        if response.status == 200 {
            return match serde_json::from_str::<serde_json::Value>(&response.body) {
                Ok(v) if v.get("revoked").and_then(serde_json::Value::as_bool) == Some(true) => Ok(()),
                _ => Err(unexpected(&response)),
            };
        }
        Err(token_error(&response, Grant::Refresh))
    }

    /// Reads the company from `GET /companyinformation` (needs scope `companyinformation`).
    ///
    /// # Errors
    /// `missing_licence_or_rights` on 403, `fortnox_unavailable`, `network`, `unexpected_response`.
    pub async fn company_information(&self, access: &AccessToken) -> Result<Company, Error> {
        let request = HttpRequest {
            method: "GET",
            url: self.endpoints.api("companyinformation"),
            headers: vec![
                ("Authorization".into(), format!("Bearer {}", access.expose())),
                ("Accept".into(), "application/json".into()),
            ],
            body: None,
        };
        let response = self.transport.send(request).await?;
        let json: Option<serde_json::Value> = serde_json::from_str(&response.body).ok();
        match response.status {
            200 => {
                let info =
                    json.as_ref().and_then(|v| v.get("CompanyInformation")).ok_or_else(|| unexpected(&response))?;
                let text = |key: &str| match info.get(key) {
                    Some(serde_json::Value::String(s)) => Some(s.clone()),
                    Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                    _ => None,
                };
                Ok(Company {
                    name: text("CompanyName").unwrap_or_default(),
                    organization_number: text("OrganizationNumber").unwrap_or_default(),
                    database_number: text("DatabaseNumber"),
                })
            }
            403 | 401 => {
                let message = json.as_ref().and_then(|v| {
                    v.pointer("/ErrorInformation/message")
                        .or_else(|| v.pointer("/ErrorInformation/Message"))
                        .or_else(|| v.get("message"))
                        .and_then(|m| m.as_str())
                        .map(str::to_string)
                });
                if response.status == 403 {
                    Err(Error::forbidden(message))
                } else {
                    Err(Error::AccessTokenRejected { description: message })
                }
            }
            429 | 500..=599 => Err(Error::unavailable(response.status)),
            _ => Err(unexpected(&response)),
        }
    }

    /// Reads who logged in from `GET /me` (`{"MeInformation":{"Email","Id","Locale","Name","SysAdmin"}}`;
    /// needs scope `profile`).
    ///
    /// # Errors
    /// As [`company_information`](Self::company_information).
    pub async fn me(&self, access: &AccessToken) -> Result<User, Error> {
        let request = HttpRequest {
            method: "GET",
            url: self.endpoints.api("me"),
            headers: vec![
                ("Authorization".into(), format!("Bearer {}", access.expose())),
                ("Accept".into(), "application/json".into()),
            ],
            body: None,
        };
        let response = self.transport.send(request).await?;
        match response.status {
            200 => {
                let json: Option<serde_json::Value> = serde_json::from_str(&response.body).ok();
                let info = json.as_ref().and_then(|v| v.get("MeInformation")).ok_or_else(|| unexpected(&response))?;
                let text = |key: &str| match info.get(key) {
                    Some(serde_json::Value::String(s)) => Some(s.clone()),
                    Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                    _ => None,
                };
                Ok(User {
                    name: text("Name").unwrap_or_default(),
                    email: text("Email").unwrap_or_default(),
                    id: text("Id"),
                    sys_admin: info.get("SysAdmin").and_then(serde_json::Value::as_bool),
                })
            }
            403 => Err(Error::MissingLicenceOrRights { description: None }),
            429 | 500..=599 => Err(Error::FortnoxUnavailable { status: response.status }),
            _ => Err(unexpected(&response)),
        }
    }

    async fn token_call(
        &self,
        client_id: &str,
        secret: &ClientSecret,
        body: String,
        tenant: Option<&str>,
        grant: Grant,
    ) -> Result<TokenSet, Error> {
        let request = HttpRequest {
            method: "POST",
            url: self.endpoints.token(),
            headers: token_headers(client_id, secret, tenant),
            body: Some(body),
        };
        let response = self.transport.send(request).await?;
        parse_token_response(&response, grant)
    }
}

/// Reads an answer of the token endpoint: tokens for a 2xx with a usable `access_token`,
/// else the error it stands for. Pure and total (the fuzzer feeds it anything).
///
/// # Errors
/// The kinds of [`FortnoxClient::exchange_code`]; an unusable 2xx is `unexpected_response`
/// whose detail names the body's keys only.
pub fn parse_token_response(response: &HttpResponse, grant: Grant) -> Result<TokenSet, Error> {
    if !(200..300).contains(&response.status) {
        return Err(token_error(response, grant));
    }
    let Ok(serde_json::Value::Object(body)) = serde_json::from_str::<serde_json::Value>(&response.body) else {
        return Err(unexpected(response));
    };
    let access = match body.get("access_token") {
        Some(serde_json::Value::String(a)) if !a.trim().is_empty() => a.trim().to_string(),
        _ => return Err(unexpected(response)),
    };
    let text = |key: &str| match body.get(key) {
        Some(serde_json::Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let expires_in = match body.get("expires_in") {
        Some(serde_json::Value::Number(n)) => {
            n.as_u64().or_else(|| n.as_f64().filter(|f| f.is_finite() && *f >= 0.0).map(|f| f as u64))
        }
        Some(serde_json::Value::String(s)) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    let scope = match body.get("scope") {
        Some(serde_json::Value::String(s)) => s.split_whitespace().collect::<Vec<_>>().join(" "),
        Some(serde_json::Value::Array(a)) => {
            a.iter().filter_map(serde_json::Value::as_str).collect::<Vec<_>>().join(" ")
        }
        _ => String::new(),
    };
    let claims = jwt::decode(&access).unwrap_or_default();
    Ok(TokenSet {
        claims,
        access_token: AccessToken::new(access),
        refresh_token: text("refresh_token").map(RefreshToken::new),
        expires_in: expires_in.unwrap_or(DEFAULT_EXPIRES_IN),
        scope,
        token_type: text("token_type").unwrap_or_else(|| "bearer".into()),
        received_at: SystemTime::now(),
    })
}

fn token_headers(client_id: &str, secret: &ClientSecret, tenant: Option<&str>) -> Vec<(String, String)> {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{}", secret.expose()));
    let mut headers = vec![
        ("Authorization".to_string(), format!("Basic {basic}")),
        ("Content-Type".to_string(), "application/x-www-form-urlencoded".to_string()),
        ("Accept".to_string(), "application/json".to_string()),
    ];
    if let Some(t) = tenant {
        headers.push(("TenantId".to_string(), t.to_string()));
    }
    headers
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// An answer the app cannot use. A 2xx body may hold tokens, so its detail describes the
/// body's shape (its top-level keys) and never a value; an error body (no tokens there) is
/// quoted, cut at 300 characters.
fn unexpected(response: &HttpResponse) -> Error {
    let mut detail = if (200..300).contains(&response.status) {
        describe_shape(&response.body)
    } else {
        let mut quoted: String = response.body.chars().take(300).collect();
        if response.body.chars().nth(300).is_some() {
            quoted.push('…');
        }
        quoted
    };
    if let Some(ct) = &response.content_type {
        let ct: String = ct.chars().take(100).collect();
        detail = format!("[{ct}] {detail}");
    }
    Error::UnexpectedResponse { status: response.status, detail }
}

/// What a body looks like, without any of its values: `JSON object with keys: a, b`,
/// `JSON array`, `not JSON (1234 bytes)`.
fn describe_shape(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(map)) => {
            let mut keys: Vec<String> = map
                .keys()
                .take(MAX_KEYS_SHOWN)
                .map(|k| {
                    // A key is a name, but keep it short and printable all the same.
                    let k: String = k.chars().filter(|c| !c.is_control()).take(40).collect();
                    k
                })
                .collect();
            if map.len() > MAX_KEYS_SHOWN {
                keys.push("…".into());
            }
            let why = match map.get("access_token") {
                None => "no access_token",
                Some(serde_json::Value::String(_)) => "empty access_token",
                Some(_) => "access_token is not a string",
            };
            format!("{why}; JSON object with keys: {}", keys.join(", "))
        }
        Ok(serde_json::Value::Array(_)) => "a JSON array, not an object".into(),
        Ok(_) => "a bare JSON value, not an object".into(),
        Err(_) => format!("not JSON ({} bytes)", body.len()),
    }
}

fn token_error(response: &HttpResponse, grant: Grant) -> Error {
    let parsed: Option<RawError> = serde_json::from_str(&response.body).ok();
    if matches!(response.status, 429 | 500..=599) && parsed.is_none() {
        return Error::unavailable(response.status);
    }
    let Some(RawError { error, error_description: description }) = parsed else {
        return if response.status == 401 { Error::InvalidClient { description: None } } else { unexpected(response) };
    };
    let desc = description.as_deref().unwrap_or("").to_ascii_lowercase();
    match error.as_str() {
        _ if desc.contains("redirect uri") || desc.contains("redirect_uri") => Error::RedirectMismatch { description },
        _ if desc.contains("service account") => Error::ServiceAccountNotAllowed { description },
        "invalid_client" => Error::InvalidClient { description },
        "invalid_grant" => match grant {
            Grant::Code => Error::CodeExpiredOrUsed { description },
            Grant::Refresh => Error::RefreshTokenInvalid { description },
            Grant::ClientCredentials => Error::ServiceAccountNotAllowed { description },
        },
        "unauthorized_client" if grant == Grant::ClientCredentials => Error::ServiceAccountNotAllowed { description },
        "unauthorized_client" => Error::InvalidClient { description },
        "access_denied" => Error::AccessDenied { description },
        "invalid_scope" => Error::InvalidScope { description },
        "server_error" | "temporarily_unavailable" => Error::FortnoxUnavailable { status: response.status },
        _ if response.status == 401 => Error::InvalidClient { description },
        _ if matches!(response.status, 429 | 500..=599) => Error::unavailable(response.status),
        _ => Error::AuthorizationFailed { error, description },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fortnox::http::BoxFuture;
    use std::sync::Mutex;

    /// Records requests and answers with canned responses.
    struct Recorder {
        requests: Mutex<Vec<HttpRequest>>,
        responses: Mutex<Vec<HttpResponse>>,
    }

    impl Recorder {
        fn new(responses: Vec<HttpResponse>) -> Arc<Self> {
            Arc::new(Recorder { requests: Mutex::new(Vec::new()), responses: Mutex::new(responses) })
        }
        fn requests(&self) -> Vec<HttpRequest> {
            self.requests.lock().unwrap().clone()
        }
    }

    impl Transport for Recorder {
        fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, Error>> {
            self.requests.lock().unwrap().push(request);
            let r = self.responses.lock().unwrap().remove(0);
            Box::pin(async move { Ok(r) })
        }
    }

    fn respond(status: u16, content_type: &str, body: &str) -> HttpResponse {
        HttpResponse { status, content_type: Some(content_type.into()), body: body.into() }
    }

    fn client(responses: Vec<HttpResponse>) -> (FortnoxClient, Arc<Recorder>) {
        let rec = Recorder::new(responses);
        (
            FortnoxClient::with_transport(
                Endpoints::new("https://auth.test/oauth-v1", "https://api.test/3"),
                rec.clone(),
            ),
            rec,
        )
    }

    const OK: &str = r#"{"access_token":"eyJhbGciOiJIUzI1NiJ9.eyJ0ZW5hbnRJZCI6MTIzNDU2NywiZXhwIjoxODAwMDAwMDAwfQ.x","refresh_token":"r1","scope":"companyinformation invoice","expires_in":3600,"token_type":"bearer"}"#;

    #[tokio::test]
    async fn the_code_exchange_sends_exactly_what_fortnox_wants() {
        let (c, rec) = client(vec![respond(200, "application/json", OK)]);
        let t = c
            .exchange_code(
                "CLIENT1",
                &ClientSecret::new("s3cret"),
                &AuthCode::new("c o+de"),
                "http://localhost:9876/callback",
            )
            .await
            .unwrap();
        let r = &rec.requests()[0];
        assert_eq!(r.method, "POST");
        assert_eq!(r.url, "https://auth.test/oauth-v1/token");
        // base64("CLIENT1:s3cret")
        assert_eq!(r.header("authorization"), Some("Basic Q0xJRU5UMTpzM2NyZXQ="));
        assert_eq!(r.header("content-type"), Some("application/x-www-form-urlencoded"));
        assert_eq!(
            r.body.as_deref(),
            Some("grant_type=authorization_code&code=c+o%2Bde&redirect_uri=http%3A%2F%2Flocalhost%3A9876%2Fcallback")
        );
        assert_eq!(t.refresh_token.as_ref().unwrap().expose(), "r1");
        assert_eq!(t.claims.tenant_id.as_deref(), Some("1234567"));
        assert_eq!(t.access_expires_at(), SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    }

    fn jwt_with(payload: &str) -> String {
        let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!("{}.{}.sig", e.encode(r#"{"alg":"HS256"}"#), e.encode(payload))
    }

    #[tokio::test]
    async fn a_token_answer_with_drifted_types_still_yields_the_tokens() {
        let body = r#"{"access_token":"a.b.c","refresh_token":"RT-SECRET-1","expires_in":"3600","scope":["companyinformation","invoice"],"token_type":null,"extra":{"x":1}}"#;
        let (c, _) = client(vec![respond(200, "text/plain", body)]);
        let t = c
            .exchange_code("C", &ClientSecret::new("s"), &AuthCode::new("x"), "http://localhost:1/cb")
            .await
            .expect("the single-use code is not lost over a field the app can do without");
        assert_eq!(t.access_token.expose(), "a.b.c");
        assert_eq!(t.refresh_token.as_ref().unwrap().expose(), "RT-SECRET-1");
        assert_eq!(t.expires_in, 3600);
        assert_eq!(t.scope, "companyinformation invoice");
        assert_eq!(t.token_type, "bearer");
        for body in [
            r#"{"access_token":"a","expires_in":3600.0}"#,
            r#"{"access_token":"a","expires_in":-5,"scope":7,"refresh_token":""}"#,
            r#"{"access_token":"a","expires_in":"soon","refresh_token":null}"#,
        ] {
            let (c, _) = client(vec![respond(201, "application/json", body)]);
            let t = c.refresh("C", &ClientSecret::new("s"), &RefreshToken::new("r")).await.expect(body);
            assert_eq!(t.access_token.expose(), "a");
            assert!(t.refresh_token.is_none(), "{body}");
        }
    }

    #[tokio::test]
    async fn an_unusable_success_answer_names_keys_but_never_values() {
        for body in [
            r#"{"refresh_token":"RT-SECRET-2","note":"x"}"#,
            r#"{"access_token":"","refresh_token":"RT-SECRET-2"}"#,
            r#"{"access_token":42,"refresh_token":"RT-SECRET-2"}"#,
            r#"["RT-SECRET-2"]"#,
            r#"access_token=AT&refresh_token=RT-SECRET-2"#,
            r#"{"access_token":"AT","refresh_token":"RT-SECRET-2""#,
        ] {
            let (c, _) = client(vec![respond(200, "application/json", body)]);
            let e = c
                .exchange_code("C", &ClientSecret::new("s"), &AuthCode::new("x"), "http://localhost:1/cb")
                .await
                .unwrap_err();
            assert_eq!(e.kind(), "unexpected_response", "{body}");
            let shown = format!("{e} {e:?} {:?} {}", e.detail(), e.explain(crate::Language::En));
            assert!(!shown.contains("RT-SECRET-2") && !shown.contains("AT&"), "{body} leaked: {shown}");
        }
        let (c, _) = client(vec![respond(200, "application/json", r#"{"refresh_token":"RT-SECRET-2","note":"x"}"#)]);
        let e = c.refresh("C", &ClientSecret::new("s"), &RefreshToken::new("r")).await.unwrap_err();
        let detail = e.detail().unwrap();
        assert!(detail.contains("refresh_token") && detail.contains("note"), "{detail}");
    }

    #[test]
    fn a_2xx_body_that_is_not_json_is_described_by_its_size_only() {
        // Found by the token_body fuzz target: a body that reads like a detail. The detail
        // of a 2xx answer must come from its shape alone, whatever the body says.
        let body = "HTTP 200: [text/html] not JSON (41 bytes)";
        let response = HttpResponse { status: 200, content_type: Some("text/html".into()), body: body.into() };
        let e = parse_token_response(&response, Grant::Code).unwrap_err();
        assert_eq!(e.detail().as_deref(), Some("HTTP 200: [text/html] not JSON (41 bytes)"));
        let other = HttpResponse { body: "x".repeat(41), ..response };
        assert_eq!(parse_token_response(&other, Grant::Code).unwrap_err().detail(), e.detail());
    }

    #[tokio::test]
    async fn absurd_expiry_values_do_not_panic_after_the_code_is_spent() {
        let huge_exp = jwt_with(&format!(r#"{{"tenantId":1,"exp":{}}}"#, u64::MAX));
        let bodies = [
            format!(r#"{{"access_token":"{huge_exp}","refresh_token":"r","expires_in":3600}}"#),
            format!(r#"{{"access_token":"opaque","refresh_token":"r","expires_in":{}}}"#, u64::MAX),
            format!(r#"{{"access_token":"opaque","expires_in":"{}"}}"#, u64::MAX),
        ];
        for body in bodies {
            let (c, _) = client(vec![respond(200, "application/json", &body)]);
            let t = c
                .exchange_code("C", &ClientSecret::new("s"), &AuthCode::new("x"), "http://localhost:1/cb")
                .await
                .unwrap();
            let at = t.access_expires_at();
            assert!(at >= t.received_at, "{body}");
            let _ = t.refresh_expires_at();
        }
    }

    #[tokio::test]
    async fn refresh_revoke_and_client_credentials_requests() {
        let (c, rec) = client(vec![
            respond(200, "application/json", OK),
            respond(200, "application/json", r#"{"revoked":true}"#),
            respond(
                200,
                "application/json",
                r#"{"access_token":"a2","scope":"x","expires_in":3600,"token_type":"bearer"}"#,
            ),
        ]);
        let s = ClientSecret::new("s");
        c.refresh("C", &s, &RefreshToken::new("old")).await.unwrap();
        c.revoke("C", &s, &RefreshToken::new("r1")).await.unwrap();
        let t = c.client_credentials("C", &s, "1234567").await.unwrap();
        assert!(t.refresh_token.is_none());
        let r = rec.requests();
        assert_eq!(r[0].body.as_deref(), Some("grant_type=refresh_token&refresh_token=old"));
        assert_eq!(r[1].url, "https://auth.test/oauth-v1/revoke");
        assert_eq!(r[1].body.as_deref(), Some("token_type_hint=refresh_token&token=r1"));
        assert_eq!(r[2].body.as_deref(), Some("grant_type=client_credentials"));
        assert_eq!(r[2].header("TenantId"), Some("1234567"));
        assert!(r.iter().all(|r| r.header("Authorization") == Some("Basic Qzpz")));
    }

    #[tokio::test]
    async fn errors_are_read_whatever_the_content_type() {
        let cases = [
            (
                respond(
                    401,
                    "text/plain",
                    r#"{"error":"invalid_client","error_description":"The client credentials are invalid"}"#,
                ),
                "invalid_client",
            ),
            (
                respond(
                    400,
                    "text/html",
                    r#"{"error":"invalid_grant","error_description":"Invalid authorization code"}"#,
                ),
                "code_expired_or_used",
            ),
            (
                respond(
                    400,
                    "application/json",
                    r#"{"error":"invalid_request","error_description":"The redirect URI is missing or do not match"}"#,
                ),
                "redirect_mismatch",
            ),
            (respond(503, "text/html", "<html>down</html>"), "fortnox_unavailable"),
            (respond(200, "text/html", "<html>login</html>"), "unexpected_response"),
            (respond(401, "text/html", "nope"), "invalid_client"),
        ];
        for (response, kind) in cases {
            let (c, _) = client(vec![response]);
            let e = c
                .exchange_code("C", &ClientSecret::new("s"), &AuthCode::new("x"), "http://localhost:1/cb")
                .await
                .unwrap_err();
            assert_eq!(e.kind(), kind);
        }
        let (c, _) = client(vec![respond(
            400,
            "text/html",
            r#"{"error":"invalid_grant","error_description":"Invalid refresh token"}"#,
        )]);
        let e = c.refresh("C", &ClientSecret::new("s"), &RefreshToken::new("x")).await.unwrap_err();
        assert_eq!(e.kind(), "refresh_token_invalid");
        assert_eq!(e.detail().as_deref(), Some("Invalid refresh token"));
    }

    #[tokio::test]
    async fn the_company_is_read_with_a_bearer_token() {
        let (c, rec) = client(vec![
            respond(
                200,
                "application/json",
                r#"{"CompanyInformation":{"CompanyName":"Testbolaget AB","OrganizationNumber":"556677-8899","DatabaseNumber":1234567}}"#,
            ),
            respond(
                403,
                "application/json",
                r#"{"ErrorInformation":{"error":1,"message":"Det finns ingen aktiv licens för önskat scope","code":2000663}}"#,
            ),
        ]);
        let a = AccessToken::new("tok");
        let company = c.company_information(&a).await.unwrap();
        assert_eq!(company.name, "Testbolaget AB");
        assert_eq!(company.database_number.as_deref(), Some("1234567"));
        let r = &rec.requests()[0];
        assert_eq!((r.method, r.url.as_str()), ("GET", "https://api.test/3/companyinformation"));
        assert_eq!(r.header("Authorization"), Some("Bearer tok"));
        let e = c.company_information(&a).await.unwrap_err();
        assert_eq!(e.kind(), "missing_licence");
        assert!(e.detail().unwrap().contains("licens"));
    }
}
