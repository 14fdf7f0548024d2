//! A Fortnox stand-in: a real HTTP/1.1 server on `127.0.0.1` that behaves the way
//! Fortnox's OAuth2 service and API are documented to behave (see `docs/fortnox.md`).
//!
//! # Paths
//! * [`StandIn::oauth_url`] = `http://127.0.0.1:PORT/oauth-v1` (what the app reads from
//!   `FORTNOX_OAUTH_URL`), [`StandIn::api_url`] = `http://127.0.0.1:PORT/3`
//!   (`FORTNOX_API_URL`). Every other path answers 404.
//!
//! # Contract
//! * `GET /oauth-v1/auth?client_id&redirect_uri&scope&state&access_type=offline&response_type=code[&account_type=service]`
//!   plays the user's login and approval in one step. Problems with the request itself are
//!   shown on the stand-in's own HTML page (HTTP 400, `text/html`, no redirect):
//!   unknown `client_id` → "Auth code or ClientID supplied is invalid"; `redirect_uri`
//!   not byte-identical to the client's registered one → "The redirect URI is missing or
//!   do not match"; `response_type` other than `code` → "Unsupported response type";
//!   missing, empty or unknown scope (scopes are space separated, `+` and `%20` both
//!   decode to a space, case-sensitive) → "invalid scope"; `account_type=service` on a
//!   client without service accounts → "Client does not allow service account";
//!   `account_type=service` by a user who is not a system administrator → "Only system
//!   administrators can authorize a service account".
//!   Otherwise it answers `302 Location: <redirect_uri>?code=…&state=…` (joined with `&`
//!   when the redirect URI already has a query; values form-urlencoded), or what the
//!   current [`AuthorizeBehaviour`] says.
//! * `POST /oauth-v1/token` (`application/x-www-form-urlencoded`) requires
//!   `Authorization: Basic base64(client_id:client_secret)`; missing or wrong → 401
//!   `text/plain` `{"error":"invalid_client","error_description":"The client credentials are invalid"}`.
//!   Other errors are HTTP 400 `text/html` with a JSON body `{"error","error_description"}`.
//!   - `authorization_code`: the code is single use, lives 10 minutes, is bound to the
//!     client and to the authorize request's `redirect_uri` (must be byte-identical:
//!     missing or different → `invalid_request` "The redirect URI is missing or do not
//!     match", the code is *not* spent by that failure). Unknown, spent, expired or other
//!     client's code → `invalid_grant` "Invalid authorization code". Exchanging a code of
//!     an `account_type=service` activation records the service-account consent of this
//!     client for the tenant.
//!   - `refresh_token`: rotation; the old refresh token dies when the new pair is issued.
//!     Unknown, spent, revoked, expired or other client's → `invalid_grant` "Invalid
//!     refresh token".
//!   - `client_credentials`: needs the header `TenantId: <tenant id>` (else
//!     `invalid_request`), a client with service accounts enabled (else
//!     `unauthorized_client` "Client does not allow service account") and a consent (else
//!     `invalid_grant` "No service account consent for this client and tenant"). Answers
//!     an access token and no `refresh_token` field.
//!   - anything else → `unsupported_grant_type`.
//!
//!   Success: 200 `application/json`
//!   `{"access_token","refresh_token","scope":"a b c","expires_in":3600,"token_type":"bearer"}`.
//!   When [`StandIn::set_unavailable`] is on, token and revoke answer 503 `text/html`.
//! * Access tokens are HS256 JWTs signed with a random per-instance secret; payload
//!   `{"iss","sub":"<userId>@<tenantId>","tenantId":<number>,"clientId","scopes":[..],
//!   "authsource":"OAUTH2"|"SERVICE","iat","exp","jti"}` (plus a `pad` claim that makes
//!   them [`StandIn::set_access_token_length`] long); they live 1 hour (or what
//!   [`StandIn::set_access_token_lifetime`] says, `expires_in` alike). Refresh tokens
//!   are opaque random 40-character strings living 31 days.
//! * `POST /oauth-v1/revoke` with the Basic header (else 401 as above), body
//!   `token_type_hint=refresh_token&token=…` → 200 `{"revoked":true}`, also for unknown
//!   tokens and access tokens (which cannot be revoked). A revoked refresh token dies. The
//!   service-account consent survives (only the customer removes it:
//!   [`StandIn::revoke_service_consent`]).
//! * `GET /3/companyinformation` with `Authorization: Bearer <access token>`: bad, foreign
//!   or expired token → 401 `{"message":"unauthorized"}`; without scope
//!   `companyinformation` → 403 `{"ErrorInformation":{"error":1,"message":"Har inte behörighet för scope","code":2000663}}`;
//!   with [`StandIn::set_licence_missing`] on → 403
//!   `{"ErrorInformation":{"error":1,"message":"Det finns ingen aktiv licens för önskat scope","code":2000663}}`;
//!   else 200 `{"CompanyInformation":{…,"DatabaseNumber":<tenant id>,…}}`.
//! * `GET /3/me`: same token rules; needs scope `profile` unless
//!   [`StandInConfig::me_requires_profile_scope`] is false; answers
//!   `{"MeInformation":{"Email","Id","Locale","Name","SysAdmin"}}`. The licence switch does
//!   not apply to `/me`.
//! * With [`StandIn::set_rate_limited`] on, every `/3/*` request answers 429; with
//!   [`StandIn::set_api_unauthorized`] on, 401 `{"message":"unauthorized"}` (as for an
//!   access token Fortnox no longer accepts).
//! * Companies: the user is logged in to one company ([`StandInConfig::company`], switched
//!   with [`StandIn::set_company`], e.g. to [`CompanyConfig::other`]); an approval, its code
//!   and every token issued from it belong to that company's tenant, and
//!   `/3/companyinformation` answers with the company of the token's `tenantId`.
//! * Every request (any path) is recorded with its answer's status: [`StandIn::requests`].
//!
//! Time is the wall clock plus an offset moved by [`StandIn::advance_clock`], so a test can
//! make codes (10 min), access tokens (1 h) and refresh tokens (31 days) expire at once.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Lifetime of an authorization code.
pub const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// Lifetime of an access token (`expires_in`).
pub const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// Lifetime of a refresh token.
pub const REFRESH_TOKEN_LIFETIME: Duration = Duration::from_secs(31 * 24 * 60 * 60);

/// Client id of the client registered by [`StandInConfig::default`].
pub const DEFAULT_CLIENT_ID: &str = "standin-client-id";
/// Its client secret.
pub const DEFAULT_CLIENT_SECRET: &str = "standin-client-secret";
/// Its registered redirect URI.
pub const DEFAULT_REDIRECT_URI: &str = "http://localhost:9876/callback";
/// Tenant id (`DatabaseNumber`) of the default company.
pub const DEFAULT_TENANT_ID: u64 = 1_234_567;

/// Tenant id of [`CompanyConfig::other`].
pub const OTHER_TENANT_ID: u64 = 7_654_321;

/// Path prefix of the OAuth2 endpoints.
pub const OAUTH_PREFIX: &str = "/oauth-v1";
/// Path prefix of the REST API.
pub const API_PREFIX: &str = "/3";

/// The scopes Fortnox knows (case-sensitive). Any other scope in an authorize request is
/// refused with an HTML page.
pub const KNOWN_SCOPES: &[&str] = &[
    "companyinformation",
    "settings",
    "profile",
    "bookkeeping",
    "invoice",
    "customer",
    "supplier",
    "supplierinvoice",
    "article",
    "price",
    "print",
    "offer",
    "order",
    "payment",
    "costcenter",
    "currency",
    "project",
    "connectfile",
    "archive",
    "inbox",
    "salary",
    "timereporting",
    "noxfinansinvoice",
    "assets",
    "warehouse",
];

const MSG_INVALID_CLIENT_ID: &str = "Auth code or ClientID supplied is invalid";
const MSG_REDIRECT_MISMATCH: &str = "The redirect URI is missing or do not match";
const MSG_NO_SERVICE_ACCOUNT: &str = "Client does not allow service account";
const MSG_LICENCE: &str = "Det finns ingen aktiv licens för önskat scope";
const MSG_NO_SCOPE: &str = "Har inte behörighet för scope";

/// An app registered in the (imitated) Fortnox Developer Portal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientConfig {
    pub client_id: String,
    pub client_secret: String,
    /// The one registered Redirect URI; authorize and token requests must use it
    /// byte-identically.
    pub redirect_uri: String,
    /// "Enable service account authorization" in the portal.
    pub service_account_enabled: bool,
}

impl ClientConfig {
    /// A client without service accounts.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        ClientConfig {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            redirect_uri: redirect_uri.into(),
            service_account_enabled: false,
        }
    }

    /// Same client with service accounts enabled or not.
    pub fn with_service_accounts(mut self, enabled: bool) -> Self {
        self.service_account_enabled = enabled;
        self
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig::new(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URI)
    }
}

/// The customer's company (the tenant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompanyConfig {
    /// Tenant id = `DatabaseNumber`.
    pub tenant_id: u64,
    pub name: String,
    pub organization_number: String,
    pub address: String,
    pub zip_code: String,
    pub city: String,
}

impl Default for CompanyConfig {
    fn default() -> Self {
        CompanyConfig {
            tenant_id: DEFAULT_TENANT_ID,
            name: "Testbolaget AB".into(),
            organization_number: "556677-8899".into(),
            address: "Testgatan 1".into(),
            zip_code: "123 45".into(),
            city: "Växjö".into(),
        }
    }
}

impl CompanyConfig {
    /// A second company ("Annat Bolag AB", 559900-1122, tenant 7654321): the one a browser
    /// still logged in to the last customer approves for.
    pub fn other() -> Self {
        CompanyConfig {
            tenant_id: OTHER_TENANT_ID,
            name: "Annat Bolag AB".into(),
            organization_number: "559900-1122".into(),
            address: "Andra gatan 2".into(),
            zip_code: "543 21".into(),
            city: "Lund".into(),
        }
    }
}

/// The Fortnox user who logs in and approves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserConfig {
    pub id: String,
    pub name: String,
    pub email: String,
    pub locale: String,
    /// Only system administrators may authorize a service account.
    pub sysadmin: bool,
}

impl Default for UserConfig {
    fn default() -> Self {
        UserConfig {
            id: "4711".into(),
            name: "Test Testsson".into(),
            email: "test@testbolaget.se".into(),
            locale: "sv_SE".into(),
            sysadmin: true,
        }
    }
}

/// Configuration of a stand-in.
#[derive(Clone, Debug)]
pub struct StandInConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    pub clients: Vec<ClientConfig>,
    pub company: CompanyConfig,
    pub user: UserConfig,
    /// Whether `/3/me` needs the `profile` scope (unconfirmed in Fortnox's docs; default
    /// true so that a client must cope with a 403 there).
    pub me_requires_profile_scope: bool,
}

impl Default for StandInConfig {
    fn default() -> Self {
        StandInConfig {
            port: 0,
            clients: vec![ClientConfig::default()],
            company: CompanyConfig::default(),
            user: UserConfig::default(),
            me_requires_profile_scope: true,
        }
    }
}

impl StandInConfig {
    /// Default config with exactly this one client.
    pub fn with_client(client: ClientConfig) -> Self {
        StandInConfig { clients: vec![client], ..StandInConfig::default() }
    }
}

/// What the imitated user (and Fortnox) does on the authorize page when the request
/// itself is valid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AuthorizeBehaviour {
    /// Approve: redirect with `code` and the request's `state`.
    #[default]
    Approve,
    /// Cancel: redirect with `error=access_denied&error_description=The+user+denied+the+request&state=…`.
    Deny,
    /// Approve, but the redirect carries a (valid) code and no state, as when the
    /// activation starts from Fortnox's integrations page.
    NoState,
    /// Approve, but the redirect carries a valid code and a state different from the
    /// request's.
    WrongState,
    /// Locked account: redirect to the bare redirect URI, neither code nor state.
    NeitherCodeNorState,
    /// Fortnox refuses with an OAuth2 error on the redirect:
    /// `error=…&error_description=…&state=…` (for example `invalid_scope`, `server_error`).
    Error { error: &'static str, description: &'static str },
}

/// One request the stand-in received.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    pub method: String,
    /// Path without query, e.g. `/oauth-v1/token`.
    pub path: String,
    /// Raw query string (without `?`).
    pub query: Option<String>,
    /// Headers in arrival order; names lower-case.
    pub headers: Vec<(String, String)>,
    /// Raw body.
    pub body: Vec<u8>,
    /// Status the stand-in answered.
    pub status: u16,
}

impl RecordedRequest {
    /// First header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Body as (lossy) UTF-8.
    pub fn body_str(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Body decoded as `application/x-www-form-urlencoded` pairs.
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body).into_owned().collect()
    }

    /// First value of a form field of the body.
    pub fn form_value(&self, name: &str) -> Option<String> {
        self.form().into_iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Query decoded as pairs (`+` and `%20` decode to space).
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.query.as_deref().unwrap_or("").as_bytes()).into_owned().collect()
    }

    /// First value of a query parameter.
    pub fn query_value(&self, name: &str) -> Option<String> {
        self.query_pairs().into_iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

struct CodeGrant {
    client_id: String,
    tenant: u64,
    redirect_uri: String,
    scopes: Vec<String>,
    issued_at: u64,
    service: bool,
    used: bool,
}

#[derive(Clone)]
struct RefreshGrant {
    client_id: String,
    tenant: u64,
    scopes: Vec<String>,
    expires_at: u64,
    service: bool,
}

struct State {
    clients: HashMap<String, ClientConfig>,
    /// The company the user is logged in to: what the next approval is for.
    company: CompanyConfig,
    /// Every company the stand-in has served, by tenant id (the API answers for each).
    companies: HashMap<u64, CompanyConfig>,
    user: UserConfig,
    me_requires_profile_scope: bool,
    authorize: AuthorizeBehaviour,
    licence_missing: bool,
    unavailable: bool,
    rate_limited: bool,
    api_unauthorized: bool,
    withheld_scopes: Vec<String>,
    /// Access tokens are padded to at least this many characters (0: as they come).
    access_token_length: usize,
    clock_offset: Duration,
    /// `expires_in` and `exp - iat` of the access tokens issued from now on.
    access_token_lifetime: Duration,
    codes: HashMap<String, CodeGrant>,
    refresh_tokens: HashMap<String, RefreshGrant>,
    /// (client id, tenant id) → scopes of the service-account consent.
    consents: HashMap<(String, u64), Vec<String>>,
    requests: Vec<RecordedRequest>,
}

impl State {
    fn now(&self) -> u64 {
        (SystemTime::now() + self.clock_offset).duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
    }
}

/// Called when a refresh-token grant arrives, before it is answered.
type RefreshHook = Arc<dyn Fn() + Send + Sync>;

struct Shared {
    state: Mutex<State>,
    jwt_secret: [u8; 32],
    addr: SocketAddr,
    on_refresh: Mutex<Option<RefreshHook>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Stops the server when the last [`StandIn`] clone is dropped.
struct Guard {
    shutdown: watch::Sender<bool>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Guard {
    fn stop(&self) {
        let _ = self.shutdown.send(true);
        let thread = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(t) = thread {
            if t.thread().id() != std::thread::current().id() {
                let _ = t.join();
            }
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Handle to a running stand-in. Cheap to clone, `Send + Sync`; the server stops on
/// [`StandIn::shutdown`] or when the last clone is dropped.
#[derive(Clone)]
pub struct StandIn {
    shared: Arc<Shared>,
    guard: Arc<Guard>,
}

impl std::fmt::Debug for StandIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandIn").field("addr", &self.shared.addr).finish()
    }
}

async fn bind(config: StandInConfig) -> std::io::Result<(TcpListener, Arc<Shared>)> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
    let addr = listener.local_addr()?;
    let mut jwt_secret = [0u8; 32];
    getrandom::fill(&mut jwt_secret).expect("getrandom");
    let state = State {
        clients: config.clients.into_iter().map(|c| (c.client_id.clone(), c)).collect(),
        companies: HashMap::from([(config.company.tenant_id, config.company.clone())]),
        company: config.company,
        user: config.user,
        me_requires_profile_scope: config.me_requires_profile_scope,
        authorize: AuthorizeBehaviour::Approve,
        licence_missing: false,
        unavailable: false,
        rate_limited: false,
        api_unauthorized: false,
        withheld_scopes: Vec::new(),
        access_token_length: 0,
        clock_offset: Duration::ZERO,
        access_token_lifetime: ACCESS_TOKEN_LIFETIME,
        codes: HashMap::new(),
        refresh_tokens: HashMap::new(),
        consents: HashMap::new(),
        requests: Vec::new(),
    };
    let shared = Arc::new(Shared { state: Mutex::new(state), jwt_secret, addr, on_refresh: Mutex::new(None) });
    Ok((listener, shared))
}

async fn serve(listener: TcpListener, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let mut conn_shutdown = shutdown.clone();
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let shared = shared.clone();
                        async move { Ok::<_, Infallible>(handle(&shared, req).await) }
                    });
                    let conn = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service);
                    tokio::select! {
                        _ = conn => {}
                        _ = conn_shutdown.wait_for(|stop| *stop) => {}
                    }
                });
            }
            _ = shutdown.wait_for(|stop| *stop) => break,
        }
    }
}

impl StandIn {
    /// Starts the stand-in on the current tokio runtime. Panics if it cannot bind.
    ///
    /// The server runs as tasks of that runtime: if the test blocks its thread (e.g.
    /// `std::process::Command::status` on a `current_thread` runtime) the stand-in stalls.
    /// Use [`StandIn::start_in_background`] then.
    pub async fn start(config: StandInConfig) -> StandIn {
        StandIn::try_start(config).await.expect("fortnox stand-in: cannot bind")
    }

    /// Starts the stand-in on the current tokio runtime.
    pub async fn try_start(config: StandInConfig) -> std::io::Result<StandIn> {
        let (listener, shared) = bind(config).await?;
        let (tx, rx) = watch::channel(false);
        tokio::spawn(serve(listener, shared.clone(), rx));
        Ok(StandIn { shared, guard: Arc::new(Guard { shutdown: tx, thread: Mutex::new(None) }) })
    }

    /// Starts the stand-in on its own thread with its own tokio runtime, for sync tests
    /// (or tests whose runtime may block). Panics if it cannot bind.
    pub fn start_in_background(config: StandInConfig) -> StandIn {
        StandIn::try_start_in_background(config).expect("fortnox stand-in: cannot bind")
    }

    /// Like [`StandIn::start_in_background`], returning the bind error.
    pub fn try_start_in_background(config: StandInConfig) -> std::io::Result<StandIn> {
        let (tx, rx) = watch::channel(false);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new().name("fortnox-standin".into()).spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            rt.block_on(async move {
                match bind(config).await {
                    Ok((listener, shared)) => {
                        let _ = ready_tx.send(Ok(shared.clone()));
                        serve(listener, shared, rx).await;
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            });
            rt.shutdown_timeout(Duration::from_millis(200));
        })?;
        let shared = ready_rx.recv().map_err(|_| std::io::Error::other("stand-in thread died"))??;
        Ok(StandIn { shared, guard: Arc::new(Guard { shutdown: tx, thread: Mutex::new(Some(thread)) }) })
    }

    /// Stops the server (all clones). Idempotent.
    pub fn shutdown(&self) {
        self.guard.stop();
    }

    /// The bound address (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.shared.addr.port()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    /// `http://127.0.0.1:PORT/oauth-v1` (the app's `FORTNOX_OAUTH_URL`).
    pub fn oauth_url(&self) -> String {
        format!("{}{}", self.base_url(), OAUTH_PREFIX)
    }

    /// `http://127.0.0.1:PORT/3` (the app's `FORTNOX_API_URL`).
    pub fn api_url(&self) -> String {
        format!("{}{}", self.base_url(), API_PREFIX)
    }

    /// `{oauth_url}/auth`.
    pub fn authorize_endpoint(&self) -> String {
        format!("{}/auth", self.oauth_url())
    }

    /// `{oauth_url}/token`.
    pub fn token_endpoint(&self) -> String {
        format!("{}/token", self.oauth_url())
    }

    /// `{oauth_url}/revoke`.
    pub fn revoke_endpoint(&self) -> String {
        format!("{}/revoke", self.oauth_url())
    }

    /// The tenant id (`DatabaseNumber`) of the company the user is logged in to.
    pub fn tenant_id(&self) -> u64 {
        self.shared.lock().company.tenant_id
    }

    /// The company the user is logged in to from now on: the next approvals (and their
    /// refresh tokens) are for it, as when a browser is still logged in to the last
    /// customer, or an accounting firm picks another company on the consent page. Tokens
    /// issued earlier keep their company; the API answers for every company served.
    pub fn set_company(&self, company: CompanyConfig) {
        let mut st = self.shared.lock();
        st.companies.insert(company.tenant_id, company.clone());
        st.company = company;
    }

    /// Sets what happens on the next authorize requests.
    pub fn set_authorize(&self, behaviour: AuthorizeBehaviour) {
        self.shared.lock().authorize = behaviour;
    }

    /// When on, `/3/companyinformation` answers 403 "Det finns ingen aktiv licens för
    /// önskat scope" (code 2000663).
    pub fn set_licence_missing(&self, on: bool) {
        self.shared.lock().licence_missing = on;
    }

    /// When on, the token and revoke endpoints answer 503.
    pub fn set_unavailable(&self, on: bool) {
        self.shared.lock().unavailable = on;
    }

    /// When on, every `/3/*` request answers 429.
    pub fn set_rate_limited(&self, on: bool) {
        self.shared.lock().rate_limited = on;
    }

    /// When on, every `/3/*` request answers 401 `{"message":"unauthorized"}`.
    pub fn set_api_unauthorized(&self, on: bool) {
        self.shared.lock().api_unauthorized = on;
    }

    /// Scopes the user lacks rights for: approved activations get the requested scopes
    /// minus these (the token response's `scope` shows what was granted).
    pub fn set_withheld_scopes<I, S>(&self, scopes: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.shared.lock().withheld_scopes = scopes.into_iter().map(Into::into).collect();
    }

    /// Access tokens issued from now on are at least `chars` characters long (their payload
    /// gets a `pad` claim), as a real token with many scopes and claims can be; 0 turns it
    /// off. For testing keychains with a size limit (Windows: 2,560 bytes per credential).
    pub fn set_access_token_length(&self, chars: usize) {
        self.shared.lock().access_token_length = chars;
    }

    /// Whether the logged-in user is a system administrator.
    pub fn set_user_sysadmin(&self, sysadmin: bool) {
        self.shared.lock().user.sysadmin = sysadmin;
    }

    /// Registers a client, replacing one with the same client id.
    pub fn register_client(&self, client: ClientConfig) {
        self.shared.lock().clients.insert(client.client_id.clone(), client);
    }

    /// Removes a client; returns it if it was registered.
    pub fn remove_client(&self, client_id: &str) -> Option<ClientConfig> {
        self.shared.lock().clients.remove(client_id)
    }

    /// The registered client with that id.
    pub fn client(&self, client_id: &str) -> Option<ClientConfig> {
        self.shared.lock().clients.get(client_id).cloned()
    }

    /// Turns "Enable service account authorization" on or off for a registered client.
    pub fn set_service_accounts_enabled(&self, client_id: &str, enabled: bool) {
        if let Some(c) = self.shared.lock().clients.get_mut(client_id) {
            c.service_account_enabled = enabled;
        }
    }

    /// The lifetime of the access tokens issued from now on (default
    /// [`ACCESS_TOKEN_LIFETIME`], an hour): short-lived tokens let a test reach "expires
    /// soon" without waiting or moving anyone's clock.
    pub fn set_access_token_lifetime(&self, lifetime: Duration) {
        self.shared.lock().access_token_lifetime = lifetime;
    }

    /// Runs `hook` when a refresh-token grant arrives, before the stand-in answers it (the
    /// grant is recorded first): a test can stop something "in the middle of a refresh",
    /// after the old refresh token was sent and before the new pair reaches the caller.
    pub fn on_refresh(&self, hook: impl Fn() + Send + Sync + 'static) {
        *self.shared.on_refresh.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(hook));
    }

    /// Moves the stand-in's clock forward (codes, tokens expire accordingly).
    pub fn advance_clock(&self, by: Duration) {
        self.shared.lock().clock_offset += by;
    }

    /// The stand-in's clock, seconds since the Unix epoch.
    pub fn now_unix(&self) -> u64 {
        self.shared.lock().now()
    }

    /// Whether a service-account consent of this client exists for the company.
    pub fn has_service_consent(&self, client_id: &str) -> bool {
        let st = self.shared.lock();
        st.consents.contains_key(&(client_id.to_string(), st.company.tenant_id))
    }

    /// The customer removes the service-account consent of this client.
    pub fn revoke_service_consent(&self, client_id: &str) {
        let mut st = self.shared.lock();
        let tenant = st.company.tenant_id;
        st.consents.remove(&(client_id.to_string(), tenant));
    }

    /// Whether this refresh token would currently be accepted.
    pub fn is_refresh_token_live(&self, token: &str) -> bool {
        let st = self.shared.lock();
        let now = st.now();
        st.refresh_tokens.get(token).is_some_and(|g| g.expires_at > now)
    }

    /// All refresh tokens currently accepted.
    pub fn live_refresh_tokens(&self) -> Vec<String> {
        let st = self.shared.lock();
        let now = st.now();
        st.refresh_tokens.iter().filter(|(_, g)| g.expires_at > now).map(|(t, _)| t.clone()).collect()
    }

    /// Kills every refresh token (e.g. the customer removed the integration).
    pub fn revoke_all_refresh_tokens(&self) {
        self.shared.lock().refresh_tokens.clear();
    }

    /// All recorded requests, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    fn requests_to(&self, path: &str) -> Vec<RecordedRequest> {
        self.shared.lock().requests.iter().filter(|r| r.path == path).cloned().collect()
    }

    /// Recorded requests to `/oauth-v1/token`.
    pub fn token_requests(&self) -> Vec<RecordedRequest> {
        self.requests_to("/oauth-v1/token")
    }

    /// Recorded requests to `/oauth-v1/revoke`.
    pub fn revoke_requests(&self) -> Vec<RecordedRequest> {
        self.requests_to("/oauth-v1/revoke")
    }

    /// Recorded requests to `/oauth-v1/auth`.
    pub fn authorize_requests(&self) -> Vec<RecordedRequest> {
        self.requests_to("/oauth-v1/auth")
    }

    /// Recorded requests under `/3/`.
    pub fn api_requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.iter().filter(|r| r.path.starts_with("/3/")).cloned().collect()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.shared.lock().requests.clear();
    }

    /// Polls (every 20 ms, blocking the calling thread) until `pred` holds for the
    /// recorded requests or `timeout` passes; returns whether it held.
    pub fn wait_for_requests(&self, timeout: Duration, pred: impl Fn(&[RecordedRequest]) -> bool) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if pred(&self.shared.lock().requests) {
                return true;
            }
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Async variant of [`StandIn::wait_for_requests`].
    pub async fn wait_for_requests_async(&self, timeout: Duration, pred: impl Fn(&[RecordedRequest]) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if pred(&self.shared.lock().requests) {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Decodes (without verifying) the payload of a JWT. `None` if it is not a JWT.
pub fn decode_jwt_payload(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (_h, p, _s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()
}

// ---------------------------------------------------------------------------------------
// request handling

type Resp = Response<Full<Bytes>>;

fn respond(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Resp {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r.headers_mut().insert(CONTENT_TYPE, content_type.parse().expect("content type"));
    r.headers_mut().insert(hyper::header::CACHE_CONTROL, "no-store".parse().expect("hv"));
    r
}

fn json_resp(status: StatusCode, body: Value) -> Resp {
    respond(status, "application/json", body.to_string())
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Fortnox's own error page (no redirect).
fn html_error(status: StatusCode, message: &str) -> Resp {
    let m = html_escape(message);
    respond(
        status,
        "text/html; charset=utf-8",
        format!(
            "<!DOCTYPE html>\n<html><head><title>Fortnox</title></head>\
             <body><h1>Fortnox</h1><p class=\"error\">{m}</p></body></html>\n"
        ),
    )
}

/// OAuth error with the misleading content type Fortnox uses.
fn oauth_error(status: StatusCode, content_type: &str, error: &str, description: &str) -> Resp {
    respond(status, content_type, json!({"error": error, "error_description": description}).to_string())
}

fn invalid_client() -> Resp {
    oauth_error(StatusCode::UNAUTHORIZED, "text/plain", "invalid_client", "The client credentials are invalid")
}

fn bad_request(error: &str, description: &str) -> Resp {
    oauth_error(StatusCode::BAD_REQUEST, "text/html", error, description)
}

fn unavailable() -> Resp {
    respond(
        StatusCode::SERVICE_UNAVAILABLE,
        "text/html",
        "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>\n",
    )
}

fn error_information(status: StatusCode, message: &str, code: u64) -> Resp {
    json_resp(status, json!({"ErrorInformation": {"error": 1, "message": message, "code": code}}))
}

fn random_string(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).expect("getrandom");
    bytes.iter().map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char).collect()
}

fn random_uuid() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("getrandom");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

fn sign_jwt(secret: &[u8], payload: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(payload.to_string());
    let signing_input = format!("{header}.{body}");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("hmac key");
    mac.update(signing_input.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{sig}")
}

fn verify_jwt(secret: &[u8], token: &str) -> Option<Value> {
    let (signing_input, sig) = token.rsplit_once('.')?;
    let (header, _) = signing_input.split_once('.')?;
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    if header.get("alg")?.as_str()? != "HS256" {
        return None;
    }
    let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(signing_input.as_bytes());
    mac.verify_slice(&sig).ok()?;
    decode_jwt_payload(token)
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `Authorization: Basic …` → (client id, secret).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = header_str(headers, AUTHORIZATION.as_str())?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(rest.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = header_str(headers, AUTHORIZATION.as_str())?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim().to_string())
}

fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

async fn handle(shared: &Shared, req: Request<Incoming>) -> Resp {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let mut st = shared.lock();
    let resp = route(shared, &mut st, &parts.method, &path, query.as_deref(), &parts.headers, &body);
    st.requests.push(RecordedRequest {
        method: parts.method.to_string(),
        path,
        query,
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: body.to_vec(),
        status: resp.status().as_u16(),
    });
    resp
}

fn method_not_allowed() -> Resp {
    respond(StatusCode::METHOD_NOT_ALLOWED, "text/plain", "Method Not Allowed")
}

fn route(
    shared: &Shared,
    st: &mut State,
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Resp {
    match path {
        "/oauth-v1/auth" => {
            if method != Method::GET {
                return method_not_allowed();
            }
            authorize(st, query.unwrap_or(""))
        }
        "/oauth-v1/token" => {
            if method != Method::POST {
                return method_not_allowed();
            }
            token(shared, st, headers, body)
        }
        "/oauth-v1/revoke" => {
            if method != Method::POST {
                return method_not_allowed();
            }
            revoke(st, headers, body)
        }
        p if p.starts_with("/3/") => {
            if method != Method::GET {
                return method_not_allowed();
            }
            api(shared, st, &p[3..], headers)
        }
        _ => respond(StatusCode::NOT_FOUND, "text/plain", "Not Found"),
    }
}

fn append_params(redirect_uri: &str, params: &[(&str, &str)]) -> String {
    if params.is_empty() {
        return redirect_uri.to_string();
    }
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        ser.append_pair(k, v);
    }
    let encoded = ser.finish();
    let sep = match redirect_uri.find('?') {
        None => "?",
        Some(_) if redirect_uri.ends_with('?') || redirect_uri.ends_with('&') => "",
        Some(_) => "&",
    };
    format!("{redirect_uri}{sep}{encoded}")
}

fn redirect(location: &str) -> Resp {
    let mut r = respond(
        StatusCode::FOUND,
        "text/html; charset=utf-8",
        format!("<html><body>Redirecting to <a href=\"{0}\">{0}</a></body></html>\n", html_escape(location)),
    );
    match location.parse() {
        Ok(v) => {
            r.headers_mut().insert(LOCATION, v);
            r
        }
        Err(_) => html_error(StatusCode::BAD_REQUEST, "Invalid redirect URI"),
    }
}

fn authorize(st: &mut State, query: &str) -> Resp {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let Some(client) = first(&params, "client_id").and_then(|id| st.clients.get(id)) else {
        return html_error(StatusCode::BAD_REQUEST, MSG_INVALID_CLIENT_ID);
    };
    let client = client.clone();
    let redirect_uri = first(&params, "redirect_uri").unwrap_or("");
    if redirect_uri != client.redirect_uri {
        return html_error(StatusCode::BAD_REQUEST, MSG_REDIRECT_MISMATCH);
    }
    if first(&params, "response_type") != Some("code") {
        return html_error(StatusCode::BAD_REQUEST, "Unsupported response type");
    }
    let scopes: Vec<String> =
        first(&params, "scope").unwrap_or("").split(' ').filter(|s| !s.is_empty()).map(str::to_string).collect();
    if scopes.is_empty() {
        return html_error(StatusCode::BAD_REQUEST, "invalid scope: no scope requested");
    }
    if let Some(bad) = scopes.iter().find(|s| !KNOWN_SCOPES.contains(&s.as_str())) {
        return html_error(StatusCode::BAD_REQUEST, &format!("invalid scope: {bad}"));
    }
    let service = match first(&params, "account_type") {
        None => false,
        Some("service") => true,
        Some(other) => return html_error(StatusCode::BAD_REQUEST, &format!("Invalid account type: {other}")),
    };
    if service && !client.service_account_enabled {
        return html_error(StatusCode::BAD_REQUEST, MSG_NO_SERVICE_ACCOUNT);
    }
    if service && !st.user.sysadmin {
        return html_error(StatusCode::BAD_REQUEST, "Only system administrators can authorize a service account");
    }
    let state = first(&params, "state");

    match st.authorize {
        AuthorizeBehaviour::Deny => {
            let mut p = vec![("error", "access_denied"), ("error_description", "The user denied the request")];
            if let Some(s) = state {
                p.push(("state", s));
            }
            redirect(&append_params(redirect_uri, &p))
        }
        AuthorizeBehaviour::NeitherCodeNorState => redirect(redirect_uri),
        AuthorizeBehaviour::Error { error, description } => {
            let mut p = vec![("error", error), ("error_description", description)];
            if let Some(s) = state {
                p.push(("state", s));
            }
            redirect(&append_params(redirect_uri, &p))
        }
        behaviour => {
            let granted: Vec<String> = scopes.into_iter().filter(|s| !st.withheld_scopes.contains(s)).collect();
            let code = random_uuid();
            let now = st.now();
            st.codes.insert(
                code.clone(),
                CodeGrant {
                    client_id: client.client_id.clone(),
                    tenant: st.company.tenant_id,
                    redirect_uri: redirect_uri.to_string(),
                    scopes: granted,
                    issued_at: now,
                    service,
                    used: false,
                },
            );
            let wrong_state = format!("{}x{}", state.unwrap_or(""), random_string(8));
            let mut p = vec![("code", code.as_str())];
            match behaviour {
                AuthorizeBehaviour::NoState => {}
                AuthorizeBehaviour::WrongState => p.push(("state", wrong_state.as_str())),
                _ => {
                    if let Some(s) = state {
                        p.push(("state", s));
                    }
                }
            }
            redirect(&append_params(redirect_uri, &p))
        }
    }
}

/// Issues an access token (and a refresh token unless `with_refresh` is false) and
/// builds the success response.
fn issue_tokens(
    shared: &Shared,
    st: &mut State,
    client_id: &str,
    tenant: u64,
    scopes: Vec<String>,
    service: bool,
    with_refresh: bool,
) -> Resp {
    let now = st.now();
    let user_id = if service { format!("service-{client_id}") } else { st.user.id.clone() };
    let payload = json!({
        "iss": "fortnox-standin",
        "sub": format!("{user_id}@{tenant}"),
        "tenantId": tenant,
        "clientId": client_id,
        "scopes": scopes,
        "authsource": if service { "SERVICE" } else { "OAUTH2" },
        "iat": now,
        "exp": now + st.access_token_lifetime.as_secs(),
        "jti": random_uuid(),
    });
    let mut access = sign_jwt(&shared.jwt_secret, &payload);
    if access.len() < st.access_token_length {
        // Base64url: 4 characters for every 3 bytes of payload.
        let mut padded = payload.clone();
        let mut pad = (st.access_token_length - access.len()) * 3 / 4;
        while access.len() < st.access_token_length {
            padded["pad"] = Value::String("x".repeat(pad));
            access = sign_jwt(&shared.jwt_secret, &padded);
            pad += 1;
        }
    }
    let mut body = json!({
        "access_token": access,
        "scope": scopes.join(" "),
        "expires_in": st.access_token_lifetime.as_secs(),
        "token_type": "bearer",
    });
    if with_refresh {
        let refresh = random_string(40);
        st.refresh_tokens.insert(
            refresh.clone(),
            RefreshGrant {
                client_id: client_id.to_string(),
                tenant,
                scopes,
                expires_at: now + REFRESH_TOKEN_LIFETIME.as_secs(),
                service,
            },
        );
        body["refresh_token"] = Value::String(refresh);
    }
    json_resp(StatusCode::OK, body)
}

fn authenticate(st: &State, headers: &HeaderMap) -> Option<ClientConfig> {
    let (id, secret) = basic_credentials(headers)?;
    let client = st.clients.get(&id)?;
    (client.client_secret == secret).then(|| client.clone())
}

fn token(shared: &Shared, st: &mut State, headers: &HeaderMap, body: &[u8]) -> Resp {
    if st.unavailable {
        return unavailable();
    }
    let Some(client) = authenticate(st, headers) else {
        return invalid_client();
    };
    let form_ok = header_str(headers, CONTENT_TYPE.as_str())
        .is_some_and(|ct| ct.trim().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    if !form_ok {
        return bad_request("invalid_request", "Content-Type must be application/x-www-form-urlencoded");
    }
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let now = st.now();
    match first(&form, "grant_type") {
        Some("authorization_code") => {
            let Some(code) = first(&form, "code") else {
                return bad_request("invalid_request", "Missing parameter: code");
            };
            let grant = match st.codes.get(code) {
                Some(g)
                    if !g.used && g.client_id == client.client_id && now < g.issued_at + CODE_LIFETIME.as_secs() =>
                {
                    g
                }
                _ => return bad_request("invalid_grant", "Invalid authorization code"),
            };
            if first(&form, "redirect_uri") != Some(grant.redirect_uri.as_str()) {
                return bad_request("invalid_request", MSG_REDIRECT_MISMATCH);
            }
            let (scopes, service, tenant) = (grant.scopes.clone(), grant.service, grant.tenant);
            if let Some(g) = st.codes.get_mut(code) {
                g.used = true;
            }
            if service {
                st.consents.insert((client.client_id.clone(), tenant), scopes.clone());
            }
            issue_tokens(shared, st, &client.client_id, tenant, scopes, service, true)
        }
        Some("refresh_token") => {
            let hook = shared.on_refresh.lock().unwrap_or_else(|e| e.into_inner()).clone();
            if let Some(hook) = hook {
                hook();
            }
            let token = first(&form, "refresh_token").unwrap_or("");
            match st.refresh_tokens.get(token) {
                Some(g) if g.client_id == client.client_id && now < g.expires_at => {}
                _ => return bad_request("invalid_grant", "Invalid refresh token"),
            }
            let grant = st.refresh_tokens.remove(token).expect("checked above");
            issue_tokens(shared, st, &client.client_id, grant.tenant, grant.scopes, grant.service, true)
        }
        Some("client_credentials") => {
            let Some(tenant) = header_str(headers, "tenantid") else {
                return bad_request("invalid_request", "Missing TenantId header");
            };
            let Ok(tenant) = tenant.trim().parse::<u64>() else {
                return bad_request("invalid_request", "Invalid TenantId header");
            };
            if !client.service_account_enabled {
                return bad_request("unauthorized_client", MSG_NO_SERVICE_ACCOUNT);
            }
            let Some(scopes) = st.consents.get(&(client.client_id.clone(), tenant)).cloned() else {
                return bad_request("invalid_grant", "No service account consent for this client and tenant");
            };
            issue_tokens(shared, st, &client.client_id, tenant, scopes, true, false)
        }
        _ => bad_request("unsupported_grant_type", "Unsupported grant type"),
    }
}

fn revoke(st: &mut State, headers: &HeaderMap, body: &[u8]) -> Resp {
    if st.unavailable {
        return unavailable();
    }
    let Some(client) = authenticate(st, headers) else {
        return invalid_client();
    };
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    if let Some(token) = first(&form, "token") {
        if st.refresh_tokens.get(token).is_some_and(|g| g.client_id == client.client_id) {
            st.refresh_tokens.remove(token);
        }
    }
    json_resp(StatusCode::OK, json!({"revoked": true}))
}

fn api(shared: &Shared, st: &mut State, resource: &str, headers: &HeaderMap) -> Resp {
    if st.rate_limited {
        return json_resp(StatusCode::TOO_MANY_REQUESTS, json!({"message": "Too many requests"}));
    }
    let unauthorized = || json_resp(StatusCode::UNAUTHORIZED, json!({"message": "unauthorized"}));
    if st.api_unauthorized {
        return unauthorized();
    }
    let Some(claims) = bearer_token(headers).and_then(|t| verify_jwt(&shared.jwt_secret, &t)) else {
        return unauthorized();
    };
    let now = st.now();
    if claims.get("exp").and_then(Value::as_u64).unwrap_or(0) <= now {
        return unauthorized();
    }
    let Some(company) = claims.get("tenantId").and_then(Value::as_u64).and_then(|t| st.companies.get(&t)).cloned()
    else {
        return unauthorized();
    };
    let has_scope = |s: &str| {
        claims.get("scopes").and_then(Value::as_array).is_some_and(|a| a.iter().any(|v| v.as_str() == Some(s)))
    };
    match resource {
        "companyinformation" => {
            if !has_scope("companyinformation") {
                return error_information(StatusCode::FORBIDDEN, MSG_NO_SCOPE, 2_000_663);
            }
            if st.licence_missing {
                return error_information(StatusCode::FORBIDDEN, MSG_LICENCE, 2_000_663);
            }
            let c = &company;
            json_resp(
                StatusCode::OK,
                json!({"CompanyInformation": {
                    "Address": c.address,
                    "City": c.city,
                    "CountryCode": "SE",
                    "DatabaseNumber": c.tenant_id,
                    "CompanyName": c.name,
                    "OrganizationNumber": c.organization_number,
                    "VisitAddress": c.address,
                    "VisitCity": c.city,
                    "VisitCountryCode": "SE",
                    "VisitZipCode": c.zip_code,
                    "ZipCode": c.zip_code,
                }}),
            )
        }
        "me" => {
            if st.me_requires_profile_scope && !has_scope("profile") {
                return error_information(StatusCode::FORBIDDEN, MSG_NO_SCOPE, 2_000_663);
            }
            let service = claims.get("authsource").and_then(Value::as_str) == Some("SERVICE");
            let u = &st.user;
            let me = if service {
                let sub = claims.get("sub").and_then(Value::as_str).unwrap_or("");
                let id = sub.split('@').next().unwrap_or("");
                json!({"Email": "", "Id": id, "Locale": "sv_SE", "Name": "Servicekonto", "SysAdmin": true})
            } else {
                json!({"Email": u.email, "Id": u.id, "Locale": u.locale, "Name": u.name, "SysAdmin": u.sysadmin})
            };
            json_resp(StatusCode::OK, json!({"MeInformation": me}))
        }
        _ => error_information(StatusCode::NOT_FOUND, "Kan inte hitta den efterfrågade resursen", 2_000_428),
    }
}
