//! Fortnox's token endpoint and the company lookup.
//!
//! Every token call carries `Authorization: Basic base64(client_id:client_secret)`. Error
//! bodies are parsed as JSON whatever their Content-Type says (Fortnox sends JSON as
//! `text/plain` and `text/html`), and mapped to the stable kinds of [`Error`].

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
    pub fn access_expires_at(&self) -> SystemTime {
        match self.claims.expires_at {
            Some(exp) => SystemTime::UNIX_EPOCH + Duration::from_secs(exp),
            None => self.received_at + Duration::from_secs(self.expires_in),
        }
    }

    /// When the refresh token expires (31 days after issue), if there is one.
    pub fn refresh_expires_at(&self) -> Option<SystemTime> {
        self.refresh_token.as_ref().map(|_| self.received_at + REFRESH_TOKEN_LIFETIME)
    }
}

/// The company that was connected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub name: String,
    pub organization_number: String,
    /// Fortnox's database number, which is the tenant id.
    pub database_number: Option<String>,
}

#[derive(Deserialize)]
struct RawToken {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    token_type: Option<String>,
}

#[derive(Deserialize)]
struct RawError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// Which grant a token call used; decides what `invalid_grant` means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grant {
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
        if response.status != 200 {
            return Err(token_error(&response, grant));
        }
        let raw: RawToken = serde_json::from_str(&response.body).map_err(|_| unexpected(&response))?;
        if raw.access_token.is_empty() {
            return Err(unexpected(&response));
        }
        let claims = jwt::decode(&raw.access_token).unwrap_or_default();
        Ok(TokenSet {
            claims,
            access_token: AccessToken::new(raw.access_token),
            refresh_token: raw.refresh_token.filter(|r| !r.is_empty()).map(RefreshToken::new),
            expires_in: raw.expires_in.unwrap_or(3600),
            scope: raw.scope.unwrap_or_default(),
            token_type: raw.token_type.unwrap_or_else(|| "bearer".into()),
            received_at: SystemTime::now(),
        })
    }
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

fn unexpected(response: &HttpResponse) -> Error {
    // Only called for bodies that are not a valid token answer; cut long HTML pages short.
    let mut detail: String = response.body.chars().take(300).collect();
    if response.body.chars().count() > 300 {
        detail.push('…');
    }
    if let Some(ct) = &response.content_type {
        detail = format!("[{ct}] {detail}");
    }
    Error::UnexpectedResponse { status: response.status, detail }
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
