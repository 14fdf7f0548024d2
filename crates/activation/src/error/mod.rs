//! The one error type of the core, with stable kinds, organised by variant.
//!
//! Everything said about an error lives in one place, its arm of [`Error::words`]: the
//! stable machine-readable kind (a contract for the UI, scripts and tests), what happened
//! and what to do next in Swedish and English, the detail for support staff, and whether it
//! counts as a refusal (exit code 1 of the command line). Adding an error is its variant
//! here plus its arm there; the compiler asks for the arm.
//!
//! Security rule: error values never contain a secret. Fortnox's error bodies carry no
//! tokens, and our own variants hold only ports, paths, scheme names and Fortnox's own
//! descriptions. Kinds the desktop shell alone raises (the clipboard, registering a link
//! scheme, a link with no activation waiting) are the shell's own (`src-tauri/src/error.rs`).

use crate::i18n::{Language, Text};
use crate::secret::SecretKind;
use serde::Serialize;

pub mod file_problem;
pub use file_problem::{FileField, FileProblem, FileProblemView, ProblemKind};

/// Everything that can go wrong in an activation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The settings the user entered cannot be used.
    #[error("invalid settings: {}", .0.en)]
    InvalidSettings(Text),
    /// Fortnox does not accept the client ID or the client secret.
    #[error("invalid client (Fortnox: {description:?})")]
    InvalidClient { description: Option<String> },
    /// The authorization code was older than 10 minutes or had already been exchanged.
    #[error("code expired or already used (Fortnox: {description:?})")]
    CodeExpiredOrUsed { description: Option<String> },
    /// The refresh token is spent, expired or revoked.
    #[error("refresh token invalid (Fortnox: {description:?})")]
    RefreshTokenInvalid { description: Option<String> },
    /// The redirect URI is not the one registered for the app.
    #[error("redirect URI mismatch (Fortnox: {description:?})")]
    RedirectMismatch { description: Option<String> },
    /// The person at Fortnox cancelled or refused.
    #[error("access denied (Fortnox: {description:?})")]
    AccessDenied { description: Option<String> },
    /// The app is not allowed to use a service account, or the user may not approve one.
    #[error("service account not allowed (Fortnox: {description:?})")]
    ServiceAccountNotAllowed { description: Option<String> },
    /// The company lacks the licence for a scope, or the user lacks the rights.
    #[error("missing licence or rights (Fortnox: {description:?})")]
    MissingLicenceOrRights { description: Option<String> },
    /// Fortnox answered the authorization with an error we have no better name for.
    #[error("authorization failed: {error} ({description:?})")]
    AuthorizationFailed { error: String, description: Option<String> },
    /// A redirect arrived whose state does not belong to this attempt.
    #[error("state mismatch")]
    StateMismatch,
    /// A redirect arrived without a state although this attempt sent one.
    #[error("state missing")]
    StateMissing,
    /// What the user pasted holds no code and no error.
    #[error("no code found in the pasted text")]
    NoCodeInRedirect,
    /// There is no authorization in progress to finish.
    #[error("no authorization in progress")]
    NoAttempt,
    /// The loopback port is taken by another program.
    #[error("port {port} is already in use")]
    PortInUse { port: u16 },
    /// The loopback listener could not start for another reason.
    #[error("could not listen on {address}: {reason}")]
    ListenerFailed { address: String, reason: String },
    /// The system browser could not be started.
    #[error("could not open the browser: {reason}")]
    BrowserFailed { reason: String },
    /// Nothing arrived before the deadline.
    #[error("timed out after {seconds} s")]
    TimedOut { seconds: u64 },
    /// The user cancelled.
    #[error("cancelled")]
    Cancelled,
    /// Fortnox could not be reached at all.
    #[error("network error: {reason}")]
    Network { reason: String },
    /// Fortnox answered 5xx or 429.
    #[error("Fortnox unavailable (HTTP {status})")]
    FortnoxUnavailable { status: u16 },
    /// Fortnox answered something we cannot read.
    #[error("unexpected response (HTTP {status}): {detail}")]
    UnexpectedResponse { status: u16, detail: String },
    /// The OS keychain (Secret Service, Keychain, Credential Manager) is absent, locked or
    /// refused. `reason` is the keychain's own words, which never hold a secret.
    #[error("keychain unavailable: {reason}")]
    KeychainUnavailable { reason: String },
    /// The saved connections file cannot be read as connections. It is left untouched.
    #[error("connections file {path} is damaged: {reason}")]
    ConnectionsFileCorrupt { path: String, reason: String },
    /// The saved connections file was written by a newer version of the app. It is left
    /// untouched.
    #[error("connections file {path} has version {version}, newer than this app knows")]
    ConnectionsFileTooNew { path: String, version: u64 },
    /// Reading or writing the connections file (or its lock) failed.
    #[error("storage failed at {path}: {reason}")]
    StorageFailed { path: String, reason: String },
    /// No saved connection has this name or id.
    #[error("no saved connection called {query:?}")]
    ConnectionNotFound { query: String },
    /// Another saved connection already has this name (names are compared ignoring case).
    #[error("a connection called {name:?} already exists")]
    ConnectionNameTaken { name: String },
    /// A secret the action needs is not in the keychain.
    #[error("{} is not saved for this connection", secret.as_str())]
    SecretNotSaved { secret: SecretKind },
    /// The saved access token has expired (or Fortnox refused it as expired).
    #[error("access token expired")]
    AccessTokenExpired,
    /// An activation file has problems, listed by field ([`FileProblem`], in field order).
    #[error("invalid activation file ({} problem(s))", .problems.len())]
    ActivationFileInvalid { problems: Vec<FileProblem> },
    /// `FORTNOX_OAUTH_URL` or `FORTNOX_API_URL` holds an address the app refuses to send
    /// secrets to (plain http to another computer, not an address, a password inside).
    /// `value` never holds a password.
    #[error("{variable} refused: {value}")]
    EndpointRefused { variable: String, value: String, problem: EndpointProblem },
    /// The computer's trusted certificates could not be read, so no secure connection can
    /// be checked.
    #[error("trusted certificates unavailable: {reason}")]
    CertificatesUnavailable { reason: String },
    /// Fortnox refused a requested scope (`invalid_scope`): the integration does not have
    /// it in the Developer Portal, or it is misspelt.
    #[error("invalid scope (Fortnox: {description:?})")]
    InvalidScope { description: Option<String> },
    /// The login ended with a redirect that carries neither a code nor an error (seen when
    /// the customer's Fortnox account is locked).
    #[error("Fortnox returned neither a code nor an error")]
    NoCodeReturned,
    /// The company has no licence for a requested scope ("Det finns ingen aktiv licens för
    /// önskat scope").
    #[error("no licence for the scope (Fortnox: {description:?})")]
    MissingLicence { description: Option<String> },
    /// Too many requests (HTTP 429): 25 per 5 seconds per integration and company.
    #[error("rate limited (HTTP 429)")]
    RateLimited,
    /// Fortnox's API refused the access token (HTTP 401 `{"message":"unauthorized"}`).
    #[error("access token rejected (Fortnox: {description:?})")]
    AccessTokenRejected { description: Option<String> },
    /// A link handed to the app (private-use URI scheme) is not an address of the attempt's
    /// redirect URI (another scheme or path). Holds the expected redirect URI, never the link.
    #[error("link does not match the redirect URI {expected}")]
    LinkMismatch { expected: String },
    /// A link arrived after the attempt had ended (for example a second link after success).
    #[error("link arrived after the activation had ended")]
    LinkAfterEnd,
    /// Fortnox's answer belongs to another company (tenant) than the saved connection that
    /// was being re-authorized: the new keys were revoked, the saved ones left untouched.
    /// `approved` and `expected` are "Name (organisation number)" as far as known.
    #[error("approved for {approved}, but the connection is {expected}")]
    WrongCompany { approved: String, expected: String, approved_tenant: String, expected_tenant: String },
    /// The newest tokens of the connection never reached the keychain (it refused them), so
    /// the refresh token it holds is spent: refreshing with it would fail and could cost the
    /// connection. Nothing is sent to Fortnox.
    #[error("the newest keys of the connection are not saved")]
    NewKeysNotSaved,
    /// The connection's refresh token was handed over to the integration: this computer
    /// neither refreshes it nor gives out its access tokens. `on` is the date (YYYY-MM-DD).
    #[error("{name:?} was handed over to the integration on {on}")]
    HandedOver { name: String, on: String },
}

/// Why an endpoint override was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointProblem {
    /// Not an absolute web address.
    NotAnAddress,
    /// Plain `http://` (or another scheme) to a host that is not this computer.
    NotHttps,
    /// A user name or password inside the address.
    Credentials,
}

/// The serialisable form handed to front ends: `{kind, message, next_step, detail}`.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorPayload {
    pub kind: &'static str,
    pub message: Text,
    pub next_step: Text,
    /// Fortnox's own words or a technical detail, for support staff. Never a secret.
    pub detail: Option<String>,
    /// An activation file's problems, one per line to list (absent for other kinds).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<FileProblemView>,
}

/// Front ends return `Result<T, Box<ErrorPayload>>`, so `?` works on core calls.
impl From<Error> for Box<ErrorPayload> {
    fn from(e: Error) -> Self {
        Box::new(e.payload())
    }
}

/// Everything said about one error, together.
struct Words {
    /// The stable kind, in `snake_case`.
    kind: &'static str,
    /// What happened.
    message: Text,
    /// What to do next.
    next_step: Text,
    /// Fortnox's own words or a technical detail, for support staff. Never a secret.
    detail: Option<String>,
    /// Fortnox or the person at Fortnox said no (as opposed to bad settings, a timeout or
    /// cancel, or this computer's storage).
    refusal: bool,
}

impl Error {
    /// The words of each variant, in one place per variant.
    fn words(&self) -> Words {
        match self {
            Error::InvalidSettings(text) => Words {
                kind: "invalid_settings",
                message: text.clone(),
                next_step: Text::new(
                    "Correct the settings and try again.",
                    "Rätta inställningarna och försök igen.",
                ),
                detail: None,
                refusal: false,
            },
            Error::InvalidClient { description } => Words {
                kind: "invalid_client",
                message: Text::new(
                    "Fortnox did not accept the client ID or the client secret.",
                    "Fortnox godtog inte klient-ID:t eller klienthemligheten.",
                ),
                next_step: Text::new(
                    "Copy the client ID and client secret again from the integration's page in Fortnox's Developer Portal (or ask the integration's supplier for them), then try again.",
                    "Kopiera klient-ID och klienthemlighet på nytt från integrationens sida i Fortnox utvecklarportal (eller be integrationens leverantör om dem) och försök igen.",
                ),
                detail: description.clone(),
                refusal: true,
            },
            Error::CodeExpiredOrUsed { description } => Words {
                kind: "code_expired_or_used",
                message: Text::new(
                    "The authorization code has expired or has already been used. Codes last 10 minutes and work once.",
                    "Auktoriseringskoden har gått ut eller redan använts. En kod gäller i 10 minuter och fungerar en gång.",
                ),
                next_step: Text::new(
                    "Start the authorization again and finish it within 10 minutes.",
                    "Starta auktoriseringen igen och slutför den inom 10 minuter.",
                ),
                detail: description.clone(),
                refusal: true,
            },
            Error::RefreshTokenInvalid { description } => Words {
                kind: "refresh_token_invalid",
                message: Text::new(
                    "The refresh token is no longer valid (already used, expired or revoked).",
                    "Förnyelsetoken gäller inte längre (redan använd, utgången eller återkallad).",
                ),
                next_step: Text::new(
                    "Re-authorize the connection: the customer approves once more, and the connection gets new keys.",
                    "Godkänn kopplingen igen: kunden godkänner en gång till, och kopplingen får nya nycklar.",
                ),
                detail: description.clone(),
                refusal: true,
            },
            Error::RedirectMismatch { description } => Words {
                kind: "redirect_mismatch",
                message: Text::new(
                    "Fortnox says the redirect URI does not match the one registered for the integration.",
                    "Fortnox säger att omdirigerings-URI:n inte stämmer med den som är registrerad för integrationen.",
                ),
                next_step: Text::new(
                    "Enter here exactly the redirect URI registered for the integration in Fortnox's Developer Portal (port and path included), or ask the integration's supplier to register the one this app shows.",
                    "Ange här exakt den omdirigerings-URI som är registrerad för integrationen i Fortnox utvecklarportal (med port och sökväg), eller be integrationens leverantör registrera den som den här appen visar.",
                ),
                detail: description.clone(),
                refusal: true,
            },
            Error::AccessDenied { description } => Words {
                kind: "access_denied",
                message: Text::new(
                    "The authorization was cancelled or refused in Fortnox.",
                    "Auktoriseringen avbröts eller nekades i Fortnox.",
                ),
                next_step: Text::new(
                    "Try again and choose to allow access in Fortnox. If you are not allowed to, ask the company's Fortnox administrator for help.",
                    "Försök igen och välj att tillåta åtkomst i Fortnox. Om du inte får det, be företagets Fortnox-administratör om hjälp.",
                ),
                detail: description.clone(),
                refusal: true,
            },
            Error::ServiceAccountNotAllowed { description } => Words {
                kind: "service_account_not_allowed",
                message: Text::new(
                    "Fortnox does not allow a service account for this integration, or the person who logged in is not the company's system administrator.",
                    "Fortnox tillåter inte servicekonto för den här integrationen, eller så är personen som loggade in inte företagets systemadministratör.",
                ),
                next_step: Text::new(
                    "Turn on \u{201c}Enable service account authorization\u{201d} for the integration in Fortnox's Developer Portal (the integration's supplier does this) and let the company's system administrator log in, or choose a user account.",
                    "Slå på \u{201d}Enable service account authorization\u{201d} för integrationen i Fortnox utvecklarportal (det gör integrationens leverantör) och låt företagets systemadministratör logga in, eller välj användarkonto.",
                ),
                detail: description.clone(),
                refusal: true,
            },
            Error::MissingLicenceOrRights { description } => Words {
                kind: "missing_licence_or_rights",
                message: Text::new(
                    "The company lacks the licence for a chosen scope, or the user who logged in lacks the rights for it.",
                    "Företaget saknar licens för ett valt behörighetsområde, eller så saknar användaren som loggade in behörighet till det.",
                ),
                next_step: Text::new(
                    "Ask the company's Fortnox administrator to add the licence or the user's rights, or remove that area, and try again.",
                    "Be företagets Fortnox-administratör om hjälp att lägga till licensen eller användarens behörighet, eller ta bort det området, och försök igen.",
                ),
                detail: description.clone(),
                refusal: true,
            },
            Error::AuthorizationFailed { error, description } => Words {
                kind: "authorization_failed",
                message: Text::new(
                    "Fortnox ended the authorization without giving access.",
                    "Fortnox avslutade auktoriseringen utan att ge åtkomst.",
                ),
                next_step: Text::new(
                    "Try again. If it keeps failing, send the details below to the integration's supplier or to Fortnox support.",
                    "Försök igen. Om det fortsätter att misslyckas, skicka detaljerna nedan till integrationens leverantör eller till Fortnox support.",
                ),
                detail: Some(match description {
                Some(d) => format!("{error}: {d}"),
                None => error.clone(),
            }),
                refusal: true,
            },
            Error::StateMismatch => Words {
                kind: "state_mismatch",
                message: Text::new(
                    "The answer from Fortnox does not belong to this attempt (the state does not match).",
                    "Svaret från Fortnox hör inte till det här försöket (state stämmer inte).",
                ),
                next_step: Text::new(
                    "Start the authorization from this app and finish it in the browser window it opens.",
                    "Starta auktoriseringen från den här appen och slutför den i webbläsarfönstret som öppnas.",
                ),
                detail: None,
                refusal: true,
            },
            Error::StateMissing => Words {
                kind: "state_missing",
                message: Text::new(
                    "The answer from Fortnox lacks the security check (state) this attempt sent.",
                    "Svaret från Fortnox saknar säkerhetskontrollen (state) som det här försöket skickade.",
                ),
                next_step: Text::new(
                    "Start the authorization from this app and finish it in the browser window it opens.",
                    "Starta auktoriseringen från den här appen och slutför den i webbläsarfönstret som öppnas.",
                ),
                detail: None,
                refusal: true,
            },
            Error::NoCodeInRedirect => Words {
                kind: "no_code_in_redirect",
                message: Text::new(
                    "No authorization code was found in what was pasted.",
                    "Ingen auktoriseringskod hittades i det som klistrades in.",
                ),
                next_step: Text::new(
                    "Copy the whole address from the browser's address bar after approving in Fortnox, and paste it again.",
                    "Kopiera hela adressen från webbläsarens adressfält efter godkännandet i Fortnox och klistra in den igen.",
                ),
                detail: None,
                refusal: true,
            },
            Error::NoAttempt => Words {
                kind: "no_attempt",
                message: Text::new(
                    "There is no authorization in progress.",
                    "Ingen auktorisering pågår.",
                ),
                next_step: Text::new(
                    "Start the authorization first.",
                    "Starta auktoriseringen först.",
                ),
                detail: None,
                refusal: true,
            },
            Error::PortInUse { port } => Words {
                kind: "port_in_use",
                message: Text::new(
                    format!("Port {port} on this computer is already in use by another program."),
                    format!("Port {port} på den här datorn används redan av ett annat program."),
                ),
                next_step: Text::new(
                    format!("Close the program using port {port} (perhaps another activation window) and try again, or register a redirect URI with another port."),
                    format!("Stäng programmet som använder port {port} (kanske ett annat aktiveringsfönster) och försök igen, eller registrera en omdirigerings-URI med en annan port."),
                ),
                detail: None,
                refusal: false,
            },
            Error::ListenerFailed { address, reason } => Words {
                kind: "listener_failed",
                message: Text::new(
                    format!("The app could not listen for Fortnox's answer on {address}."),
                    format!("Appen kunde inte lyssna efter Fortnox svar på {address}."),
                ),
                next_step: Text::new(
                    "Use a redirect URI with a port above 1024, or paste the address from the browser instead.",
                    "Använd en omdirigerings-URI med en port över 1024, eller klistra in adressen från webbläsaren i stället.",
                ),
                detail: Some(reason.clone()),
                refusal: false,
            },
            Error::BrowserFailed { reason } => Words {
                kind: "browser_failed",
                message: Text::new(
                    "The web browser could not be opened.",
                    "Webbläsaren kunde inte öppnas.",
                ),
                next_step: Text::new(
                    "Copy the address and open it in a web browser yourself.",
                    "Kopiera adressen och öppna den själv i en webbläsare.",
                ),
                detail: Some(reason.clone()),
                refusal: true,
            },
            Error::TimedOut { seconds } => Words {
                kind: "timed_out",
                message: Text::new(
                    format!("No answer came from Fortnox within {}.", duration_en(*seconds)),
                    format!("Inget svar kom från Fortnox inom {}.", duration_sv(*seconds)),
                ),
                next_step: Text::new(
                    "Start the authorization again when you are ready.",
                    "Starta auktoriseringen igen när du är redo.",
                ),
                detail: None,
                refusal: false,
            },
            Error::Cancelled => Words {
                kind: "cancelled",
                message: Text::new("The authorization was cancelled.", "Auktoriseringen avbröts."),
                next_step: Text::new(
                    "Start the authorization again when you are ready.",
                    "Starta auktoriseringen igen när du är redo.",
                ),
                detail: None,
                refusal: false,
            },
            Error::Network { reason } => Words {
                kind: "network",
                message: Text::new(
                    "Fortnox could not be reached.",
                    "Det gick inte att nå Fortnox.",
                ),
                next_step: Text::new(
                    "Check the internet connection (and any proxy or firewall), then try again.",
                    "Kontrollera internetanslutningen (och eventuell proxy eller brandvägg) och försök igen.",
                ),
                detail: Some(reason.clone()),
                refusal: true,
            },
            Error::FortnoxUnavailable { status } => Words {
                kind: "fortnox_unavailable",
                message: Text::new(
                    "Fortnox is not answering right now.",
                    "Fortnox svarar inte just nu.",
                ),
                next_step: Text::new(
                    "Wait a few minutes and try again. Fortnox's status page tells of outages.",
                    "Vänta några minuter och försök igen. Fortnox statussida berättar om driftstörningar.",
                ),
                detail: Some(format!("HTTP {status}")),
                refusal: true,
            },
            Error::UnexpectedResponse { status, detail } => Words {
                kind: "unexpected_response",
                message: Text::new(
                    "Fortnox gave an answer the app does not understand.",
                    "Fortnox gav ett svar som appen inte förstår.",
                ),
                next_step: Text::new(
                    "Try again. If it happens again, send the details below to support.",
                    "Försök igen. Om det händer igen, skicka detaljerna nedan till support.",
                ),
                detail: Some(format!("HTTP {status}: {detail}")),
                refusal: true,
            },
            Error::KeychainUnavailable { reason } => Words {
                kind: "keychain_unavailable",
                message: {
                    let store = crate::platform::keychain_name();
                    Text::new(
                        format!("The computer's keychain could not be used ({}: missing, locked or refused), so the keys were not saved.", store.en),
                        format!("Datorns nyckelring gick inte att använda ({}: saknas, är låst eller nekade), så nycklarna sparades inte.", store.sv),
                    )
                },
                next_step: {
                    let step = crate::platform::keychain_unlock_step();
                    Text::new(
                        format!("Copy the keys now if you need them. Then make the keychain usable: {} Then save again.", step.en),
                        format!("Kopiera nycklarna nu om du behöver dem. Gör sedan nyckelringen användbar: {} Spara sedan igen.", step.sv),
                    )
                },
                detail: Some(reason.clone()),
                refusal: false,
            },
            Error::ConnectionsFileCorrupt { path, reason } => Words {
                kind: "connections_file_corrupt",
                message: Text::new(
                    format!("The file with the saved connections is damaged and cannot be read: {path}"),
                    format!("Filen med de sparade kopplingarna är skadad och kan inte läsas: {path}"),
                ),
                next_step: Text::new(
                    "Nothing has been changed. Restore the file from a backup, or choose \u{201c}Keep the damaged file aside and start a new list\u{201d} in the app: the damaged file is then kept as a copy next to it.",
                    "Inget har ändrats. Återställ filen från en säkerhetskopia, eller välj \u{201d}Spara undan den skadade filen och börja en ny lista\u{201d} i appen: den skadade filen sparas då som en kopia bredvid.",
                ),
                detail: Some(reason.clone()),
                refusal: false,
            },
            Error::ConnectionsFileTooNew { path, version: _ } => Words {
                kind: "connections_file_too_new",
                message: Text::new(
                    format!("The saved connections were written by a newer version of the app: {path}"),
                    format!("De sparade kopplingarna skrevs av en nyare version av appen: {path}"),
                ),
                next_step: Text::new(
                    "Nothing has been changed. Use the newer version of the app, or choose \u{201c}Keep the damaged file aside and start a new list\u{201d} in the app: the file is then kept as a copy next to it.",
                    "Inget har ändrats. Använd den nyare versionen av appen, eller välj \u{201d}Spara undan den skadade filen och börja en ny lista\u{201d} i appen: filen sparas då som en kopia bredvid.",
                ),
                detail: None,
                refusal: false,
            },
            Error::StorageFailed { path, reason } => Words {
                kind: "storage_failed",
                message: Text::new(
                    format!("The saved connections could not be read or written: {path}"),
                    format!("De sparade kopplingarna kunde inte läsas eller skrivas: {path}"),
                ),
                next_step: Text::new(
                    "Check that the disk is not full and that you may write to the folder, then try again.",
                    "Kontrollera att disken inte är full och att du får skriva i mappen, och försök sedan igen.",
                ),
                detail: Some(reason.clone()),
                refusal: false,
            },
            Error::ConnectionNotFound { query } => Words {
                kind: "connection_not_found",
                message: Text::new(
                    format!("There is no saved connection called \u{201c}{query}\u{201d}."),
                    format!("Det finns ingen sparad koppling som heter \u{201d}{query}\u{201d}."),
                ),
                next_step: Text::new(
                    "Check the name (or use the id) as the list of connections shows it.",
                    "Kontrollera namnet (eller använd id:t) så som listan över kopplingar visar det.",
                ),
                detail: None,
                refusal: false,
            },
            Error::ConnectionNameTaken { name } => Words {
                kind: "connection_name_taken",
                message: Text::new(
                    format!("A saved connection is already called \u{201c}{name}\u{201d}."),
                    format!("En sparad koppling heter redan \u{201d}{name}\u{201d}."),
                ),
                next_step: Text::new(
                    "Choose another name, for example with the customer's company name in it.",
                    "Välj ett annat namn, till exempel med kundens företagsnamn i.",
                ),
                detail: None,
                refusal: false,
            },
            Error::SecretNotSaved { secret } => Words {
                kind: "secret_not_saved",
                message: {
                    let store = crate::platform::keychain_name();
                    Text::new(
                        format!("The {} of this connection is not saved in the keychain ({}).", secret.label().en, store.en),
                        format!("Kopplingens {} finns inte sparad i nyckelringen ({}).", secret.label().sv, store.sv),
                    )
                },
                next_step: if *secret == SecretKind::ClientSecret {
Text::new(
                    "Re-authorize the connection and enter the client secret again.",
                    "Godkänn kopplingen igen och ange klienthemligheten på nytt.",
            )
} else {
Text::new(
                    "Re-authorize the connection to get new keys.",
                    "Godkänn kopplingen igen för att få nya nycklar.",
            )
},
                detail: None,
                refusal: false,
            },
            Error::AccessTokenExpired => Words {
                kind: "access_token_expired",
                message: Text::new(
                    "The saved access token has expired.",
                    "Den sparade åtkomsttoken har gått ut.",
                ),
                next_step: Text::new(
                    "Refresh the connection (or, for a service account, get a new access token), then test again.",
                    "Förnya kopplingen (eller, för ett servicekonto, hämta en ny åtkomsttoken) och testa igen.",
                ),
                detail: None,
                refusal: true,
            },
            Error::ActivationFileInvalid { problems } => Words {
                kind: "activation_file_invalid",
                // One line per field (front ends with room list `problems` instead).
                message: {
                    let lines = |lang: Language| {
                        problems.iter().map(|p| format!("\n\u{2022} {}", p.line().get(lang))).collect::<String>()
                    };
                    Text::new(
                        format!("The activation file cannot be used:{}", lines(Language::En)),
                        format!("Aktiveringsfilen går inte att använda:{}", lines(Language::Sv)),
                    )
                },
                next_step: Text::new(
                    "Ask whoever sent the file for a new one, and tell them what is listed here.",
                    "Be den som skickade filen om en ny, och berätta vad som står här.",
                ),
                detail: Some(
                    problems.iter().map(|p| format!("{}: {}", p.field.key(), p.kind.name())).collect::<Vec<_>>().join("; "),
                ),
                refusal: false,
            },
            Error::EndpointRefused { variable, value, problem } => Words {
                kind: "endpoint_refused",
                message: match problem {
                    EndpointProblem::NotHttps => Text::new(
                        format!("{variable} is set to {value}, which is neither https nor on this computer. The app sends the client secret and the keys there, so it refuses."),
                        format!("{variable} är satt till {value}, som varken är https eller på den här datorn. Appen skickar klienthemligheten och nycklarna dit, så den vägrar."),
                    ),
                    EndpointProblem::NotAnAddress => Text::new(
                        format!("{variable} is set to \u{201c}{value}\u{201d}, which is not a web address."),
                        format!("{variable} är satt till \u{201d}{value}\u{201d}, som inte är en webbadress."),
                    ),
                    EndpointProblem::Credentials => Text::new(
                        format!("{variable} holds a user name or password ({value} without it); the app refuses such an address."),
                        format!("{variable} innehåller ett användarnamn eller lösenord ({value} utan det); appen vägrar en sådan adress."),
                    ),
                },
                next_step: Text::new(
                    format!("Remove the environment variable {variable} to use Fortnox itself, or set it to an https:// address (http:// only for localhost), then start the app again."),
                    format!("Ta bort miljövariabeln {variable} för att använda Fortnox, eller sätt den till en https://-adress (http:// bara för localhost), och starta appen igen."),
                ),
                detail: None,
                refusal: false,
            },
            Error::CertificatesUnavailable { reason } => Words {
                kind: "certificates_unavailable",
                message: Text::new(
                    "The app could not read the computer's trusted certificates, so it cannot check that it is talking to Fortnox.",
                    "Appen kunde inte läsa datorns betrodda certifikat, så den kan inte kontrollera att den pratar med Fortnox.",
                ),
                next_step: Text::new(
                    "Ask your IT support to install the system's root certificates (on Linux the ca-certificates package), or point SSL_CERT_FILE at a file of trusted certificates, then try again.",
                    "Be er IT-support installera systemets rotcertifikat (på Linux paketet ca-certificates), eller låt SSL_CERT_FILE peka på en fil med betrodda certifikat, och försök igen.",
                ),
                detail: Some(reason.clone()),
                refusal: true,
            },
            Error::InvalidScope { description } => Words {
                kind: "invalid_scope",
                message: Text::new(
                    "Fortnox refused one of the chosen areas (scopes): the integration does not have it, or its name is wrong.",
                    "Fortnox nekade ett av de valda områdena (scopes): integrationen har inte det, eller så är namnet fel.",
                ),
                next_step: Text::new(
                    "Remove the areas the integration does not use (step Access), or ask the integration's supplier to add them to the integration in Fortnox's Developer Portal, then try again.",
                    "Ta bort de områden som integrationen inte använder (steget Behörighet), eller be integrationens leverantör lägga till dem för integrationen i Fortnox utvecklarportal, och försök sedan igen.",
                ),
                detail: description.clone(),
                refusal: true,
            },
            Error::NoCodeReturned => Words {
                kind: "no_code_returned",
                message: Text::new(
                    "Fortnox sent the browser back with neither an authorization code nor an error. This happens when the customer's Fortnox account is locked.",
                    "Fortnox skickade tillbaka webbläsaren utan vare sig auktoriseringskod eller felmeddelande. Det händer när kundens Fortnox-konto är spärrat.",
                ),
                next_step: Text::new(
                    "Log in to Fortnox in the browser to see whether the account is locked. If it is, the company's Fortnox administrator must contact Fortnox support before you try again.",
                    "Logga in i Fortnox i webbläsaren och se om kontot är spärrat. Om det är det måste företagets Fortnox-administratör kontakta Fortnox support innan du försöker igen.",
                ),
                detail: None,
                refusal: true,
            },
            Error::MissingLicence { description } => Words {
                kind: "missing_licence",
                message: Text::new(
                    "The company has no active Fortnox licence for one of the chosen areas.",
                    "Företaget saknar aktiv Fortnox-licens för ett av de valda områdena.",
                ),
                next_step: Text::new(
                    "Ask the company's Fortnox administrator to add the licence in Fortnox, or remove that area, and activate again.",
                    "Be företagets Fortnox-administratör om hjälp att lägga till licensen i Fortnox, eller ta bort det området, och aktivera igen.",
                ),
                detail: description.clone(),
                refusal: true,
            },
            Error::RateLimited => Words {
                kind: "rate_limited",
                message: Text::new(
                    "Fortnox is receiving too many requests from this integration for this company right now.",
                    "Fortnox tar emot för många anrop från den här integrationen för det här företaget just nu.",
                ),
                next_step: Text::new(
                    "Wait a minute and try again. Other programs that use the same integration for this company count too.",
                    "Vänta en minut och försök igen. Andra program som använder samma integration för företaget räknas också.",
                ),
                detail: Some("HTTP 429".into()),
                refusal: true,
            },
            Error::AccessTokenRejected { description } => Words {
                kind: "access_token_rejected",
                message: Text::new(
                    "Fortnox did not accept the access token (\u{201c}unauthorized\u{201d}).",
                    "Fortnox godtog inte åtkomsttoken (\u{201d}unauthorized\u{201d}).",
                ),
                next_step: Text::new(
                    "Check that this computer's date and time are right, then activate again. If it happens again, send the details below to support.",
                    "Kontrollera att datorns datum och tid stämmer och aktivera sedan igen. Om det händer igen, skicka detaljerna nedan till support.",
                ),
                detail: description.clone(),
                refusal: true,
            },
            Error::LinkMismatch { expected } => Words {
                kind: "link_mismatch",
                message: Text::new(
                    format!("A link arrived that is not this activation's redirect URI ({expected}). It was ignored and nothing was sent to Fortnox."),
                    format!("En länk kom som inte är den här aktiveringens omdirigerings-URI ({expected}). Den ignorerades och inget skickades till Fortnox."),
                ),
                next_step: Text::new(
                    "Check that the redirect URI registered in Fortnox's Developer Portal is exactly the one in step 1. The app keeps waiting for the right answer.",
                    "Kontrollera att omdirigerings-URI:n som är registrerad i Fortnox utvecklarportal är exakt den i steg 1. Appen fortsätter att vänta på rätt svar.",
                ),
                detail: None,
                refusal: true,
            },
            Error::LinkAfterEnd => Words {
                kind: "link_after_end",
                message: Text::new(
                    "A link from the browser arrived after this activation had already ended. It was ignored.",
                    "En länk från webbläsaren kom efter att den här aktiveringen redan hade avslutats. Den ignorerades.",
                ),
                next_step: Text::new(
                    "Nothing to do: the result shown stands. To connect again, start a new activation.",
                    "Inget att göra: resultatet som visas gäller. Starta en ny aktivering för att ansluta igen.",
                ),
                detail: None,
                refusal: true,
            },
            Error::HandedOver { name, on } => Words {
                kind: "handed_over",
                message: Text::new(
                    format!("\u{201c}{name}\u{201d} was handed over to the integration on {on}: the integration holds the refresh token and keeps the connection alive, so this computer neither refreshes it nor gives out access tokens for it."),
                    format!("\u{201d}{name}\u{201d} överlämnades till integrationen {on}: integrationen har förnyelsetoken och håller kopplingen vid liv, så den här datorn varken förnyar den eller lämnar ut åtkomsttoken för den."),
                ),
                next_step: Text::new(
                    "Get the access token from the integration. To keep the connection on this computer instead, re-authorize it here, and let the integration ask `fortnox-activate token` for access tokens.",
                    "Hämta åtkomsttoken från integrationen. För att i stället behålla kopplingen på den här datorn: godkänn den igen här, och låt integrationen hämta åtkomsttoken med `fortnox-activate token`.",
                ),
                detail: None,
                refusal: false,
            },
            Error::NewKeysNotSaved => Words {
                kind: "new_keys_not_saved",
                message: Text::new(
                    "The newest keys of this connection were not saved: the keychain refused them, and the refresh token it still holds is already spent. Nothing was sent to Fortnox.",
                    "Kopplingens senaste nycklar sparades inte: nyckelringen tog inte emot dem, och förnyelsetoken som finns kvar där är redan förbrukad. Inget skickades till Fortnox.",
                ),
                next_step: Text::new(
                    "In the app, press \u{201c}Save again\u{201d} on the connection (or copy the new keys) once the keychain works. If the new keys are lost, re-authorize the connection.",
                    "Tryck på \u{201d}Spara igen\u{201d} vid kopplingen i appen (eller kopiera de nya nycklarna) när nyckelringen fungerar. Om de nya nycklarna har gått förlorade: godkänn kopplingen igen.",
                ),
                detail: None,
                refusal: false,
            },
            Error::WrongCompany { approved, expected, approved_tenant, expected_tenant } => Words {
                kind: "wrong_company",
                message: Text::new(
                    format!("You approved for {approved}, but this connection is {expected}."),
                    format!("Du godkände för {approved}, men den här kopplingen är {expected}."),
                ),
                next_step: Text::new(
                    "Log out of Fortnox in the browser, log in to the right company, and try again. The saved keys were not changed, and the new ones were revoked.",
                    "Logga ut från Fortnox i webbläsaren, logga in på rätt företag och försök igen. De sparade nycklarna ändrades inte, och de nya återkallades.",
                ),
                detail: Some(format!("approved tenant {approved_tenant}, expected tenant {expected_tenant}")),
                refusal: true,
            },
        }
    }

    /// The stable kind, in `snake_case`.
    pub fn kind(&self) -> &'static str {
        self.words().kind
    }

    /// What happened, in plain words.
    pub fn message(&self) -> Text {
        self.words().message
    }

    /// What to do next, in plain words.
    pub fn next_step(&self) -> Text {
        self.words().next_step
    }

    /// Fortnox's own description or another technical detail, if any.
    pub fn detail(&self) -> Option<String> {
        self.words().detail
    }

    /// True when Fortnox or the person at Fortnox said no (exit code 1 of the CLI), as
    /// opposed to bad settings (2) or a timeout or cancel (3).
    pub fn is_authorization_failure(&self) -> bool {
        self.words().refusal
    }

    /// The form handed to front ends.
    pub fn payload(&self) -> ErrorPayload {
        let w = self.words();
        let problems = match self {
            Error::ActivationFileInvalid { problems } => problems.iter().map(FileProblem::view).collect(),
            _ => Vec::new(),
        };
        ErrorPayload { kind: w.kind, message: w.message, next_step: w.next_step, detail: w.detail, problems }
    }

    /// Fortnox answered HTTP 429 or 5xx: [`Error::RateLimited`] for 429, otherwise
    /// [`Error::FortnoxUnavailable`].
    pub fn unavailable(status: u16) -> Self {
        if status == 429 {
            Error::RateLimited
        } else {
            Error::FortnoxUnavailable { status }
        }
    }

    /// Fortnox's API answered 403 with `message`: no licence when it says so ("licens"),
    /// otherwise missing rights (or licence).
    pub fn forbidden(message: Option<String>) -> Self {
        let licence = message.as_deref().is_some_and(|m| {
            let m = m.to_lowercase();
            m.contains("licens") || m.contains("licence") || m.contains("license")
        });
        if licence {
            Error::MissingLicence { description: message }
        } else {
            Error::MissingLicenceOrRights { description: message }
        }
    }

    /// One paragraph for a terminal: message, next step, and Fortnox's words if any.
    pub fn explain(&self, lang: Language) -> String {
        let mut s = format!("{} {}", self.message().get(lang), self.next_step().get(lang));
        if let Some(d) = self.detail() {
            let label = match lang {
                Language::Sv => "Detaljer",
                Language::En => "Details",
            };
            s.push_str(&format!(" ({label}: {d})"));
        }
        s
    }
}

fn duration_en(seconds: u64) -> String {
    if seconds >= 60 && seconds.is_multiple_of(60) {
        let m = seconds / 60;
        format!("{m} minute{}", if m == 1 { "" } else { "s" })
    } else {
        format!("{seconds} seconds")
    }
}

fn duration_sv(seconds: u64) -> String {
    if seconds >= 60 && seconds.is_multiple_of(60) {
        let m = seconds / 60;
        format!("{m} minut{}", if m == 1 { "" } else { "er" })
    } else {
        format!("{seconds} sekunder")
    }
}

/// The words for a field of an activation file, as the wizard labels it.
#[cfg(test)]
mod tests {
    use super::*;

    /// One of each variant (and every kind of activation-file problem).
    fn every_error() -> Vec<Error> {
        vec![
            Error::InvalidSettings(Text::new("x", "y")),
            Error::InvalidClient { description: None },
            Error::CodeExpiredOrUsed { description: None },
            Error::RefreshTokenInvalid { description: None },
            Error::RedirectMismatch { description: None },
            Error::AccessDenied { description: None },
            Error::ServiceAccountNotAllowed { description: None },
            Error::MissingLicenceOrRights { description: None },
            Error::AuthorizationFailed { error: "e".into(), description: None },
            Error::StateMismatch,
            Error::StateMissing,
            Error::NoCodeInRedirect,
            Error::NoAttempt,
            Error::PortInUse { port: 9876 },
            Error::ListenerFailed { address: "a".into(), reason: "r".into() },
            Error::BrowserFailed { reason: "r".into() },
            Error::TimedOut { seconds: 600 },
            Error::Cancelled,
            Error::Network { reason: "r".into() },
            Error::FortnoxUnavailable { status: 503 },
            Error::UnexpectedResponse { status: 200, detail: "d".into() },
            Error::KeychainUnavailable { reason: "r".into() },
            Error::ConnectionsFileCorrupt { path: "/p".into(), reason: "r".into() },
            Error::ConnectionsFileTooNew { path: "/p".into(), version: 9 },
            Error::StorageFailed { path: "/p".into(), reason: "r".into() },
            Error::ConnectionNotFound { query: "q".into() },
            Error::ConnectionNameTaken { name: "n".into() },
            Error::SecretNotSaved { secret: SecretKind::RefreshToken },
            Error::AccessTokenExpired,
            Error::EndpointRefused { variable: "V".into(), value: "v".into(), problem: EndpointProblem::NotHttps },
            Error::CertificatesUnavailable { reason: "r".into() },
            Error::InvalidScope { description: None },
            Error::NoCodeReturned,
            Error::MissingLicence { description: None },
            Error::RateLimited,
            Error::AccessTokenRejected { description: None },
            Error::LinkMismatch { expected: "se.x.app:/cb".into() },
            Error::LinkAfterEnd,
            Error::NewKeysNotSaved,
            Error::HandedOver { name: "n".into(), on: "2026-12-07".into() },
            Error::WrongCompany {
                approved: "Annat Bolag AB (559900-1122)".into(),
                expected: "Testbolaget AB (556677-8899)".into(),
                approved_tenant: "7654321".into(),
                expected_tenant: "1234567".into(),
            },
            Error::ActivationFileInvalid { problems: every_file_problem() },
        ]
    }

    fn every_file_problem() -> Vec<FileProblem> {
        use FileField as F;
        use ProblemKind as K;
        vec![
            FileProblem::new(F::File, K::TooLarge { max_kb: 64 }),
            FileProblem::new(F::File, K::NotText),
            FileProblem::new(F::File, K::NotJson),
            FileProblem::new(F::Format, K::WrongFormat { expected: "fortnox-activation" }),
            FileProblem::new(F::Version, K::NewerVersion { version: 2 }),
            FileProblem::new(F::Version, K::NoVersion),
            FileProblem::new(F::Secrets, K::HasSecret),
            FileProblem::new(F::Name, K::NotAString),
            FileProblem::new(F::Scopes, K::NotAList),
            FileProblem::new(F::ClientId, K::Missing),
            FileProblem::new(F::Scopes, K::Missing),
            FileProblem::new(F::RedirectUri, K::Rule(Text::new("Rule.", "Regel.")))
                .suggesting(Some("http://localhost:9876/callback".into())),
            FileProblem::new(F::Scopes, K::UnknownScope { scope: "invoices".into() })
                .suggesting(Some("invoice".into())),
            FileProblem::new(F::Scopes, K::UnknownScope { scope: "banking".into() }),
            FileProblem::new(F::AccountType, K::UnknownAccountType { value: "robot".into() }),
        ]
    }

    /// The words' rules (issue 19, item 12), for every message and next step the core makes:
    /// typographic quotes (“…” in English, ”…” in Swedish, as the window has them), the
    /// client ID spelt one way, one verb for re-authorizing in each language, and "keys" in
    /// prose (a token is named only as the access or refresh token it is).
    #[test]
    fn every_text_keeps_the_words_rules_in_both_languages() {
        let mut texts: Vec<(String, Text)> = Vec::new();
        for e in every_error() {
            texts.push((format!("{} message", e.kind()), e.message()));
            texts.push((format!("{} next step", e.kind()), e.next_step()));
        }
        for p in every_file_problem() {
            texts.push((format!("file problem {}", p.kind.name()), p.line()));
        }
        for (what, text) in &texts {
            let (en, sv) = (text.en.as_str(), text.sv.as_str());
            for (lang, s) in [("en", en), ("sv", sv)] {
                assert!(!s.contains('"'), "{what} ({lang}) has a straight double quote: {s}");
            }
            assert!(!sv.contains('\u{201c}'), "{what} (sv) opens a quote the English way: {sv}");
            assert_eq!(en.matches('\u{201c}').count(), en.matches('\u{201d}').count(), "{what} (en) quotes: {en}");
            let lower_en = en.to_lowercase();
            assert!(!en.contains("client id") && !en.contains("Client id"), "{what}: write client ID: {en}");
            assert!(!sv.contains("klient-id") && !sv.contains("Klient-id"), "{what}: skriv klient-ID: {sv}");
            for other in ["reauthori", "re-authoris", "activate the connection again", "authorize it again"] {
                assert!(!lower_en.contains(other), "{what}: the verb is re-authorize: {en}");
            }
            let lower_sv = sv.to_lowercase();
            for other in
                ["auktorisera kopplingen igen", "auktorisera den igen", "aktivera kopplingen igen", "godkänn om"]
            {
                assert!(!lower_sv.contains(other), "{what}: verbet är godkänn igen: {sv}");
            }
            // Prose says keys; a token is named as what it is.
            let bare_tokens = lower_en.match_indices("tokens").filter(|(i, _)| {
                let before = &lower_en[..*i];
                !(before.ends_with("access ") || before.ends_with("refresh "))
            });
            assert_eq!(bare_tokens.count(), 0, "{what}: say keys, or name the token: {en}");
        }
    }

    #[test]
    fn every_kind_has_text_in_both_languages() {
        let all = every_error();
        let mut kinds = std::collections::HashSet::new();
        for e in &all {
            assert!(kinds.insert(e.kind()), "duplicate kind {}", e.kind());
            for lang in [Language::En, Language::Sv] {
                assert!(!e.message().get(lang).is_empty());
                assert!(!e.next_step().get(lang).is_empty());
            }
        }
    }

    /// Every answer Fortnox can give (docs/fortnox.md) and the ways a login can end.
    fn fortnox_errors() -> Vec<Error> {
        vec![
            Error::InvalidClient { description: None },
            Error::CodeExpiredOrUsed { description: None },
            Error::RefreshTokenInvalid { description: None },
            Error::RedirectMismatch { description: None },
            Error::AccessDenied { description: None },
            Error::ServiceAccountNotAllowed { description: None },
            Error::MissingLicenceOrRights { description: None },
            Error::AuthorizationFailed { error: "e".into(), description: None },
            Error::FortnoxUnavailable { status: 503 },
            Error::UnexpectedResponse { status: 200, detail: "d".into() },
            Error::InvalidScope { description: None },
            Error::NoCodeReturned,
            Error::MissingLicence { description: None },
            Error::RateLimited,
            Error::AccessTokenRejected { description: None },
            Error::Network { reason: "r".into() },
        ]
    }

    #[test]
    fn each_fortnox_error_has_its_own_message_and_next_step_in_both_languages() {
        let all = fortnox_errors();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                for lang in [Language::En, Language::Sv] {
                    assert_ne!(a.message().get(lang), b.message().get(lang), "{} vs {}", a.kind(), b.kind());
                    assert_ne!(a.next_step().get(lang), b.next_step().get(lang), "{} vs {}", a.kind(), b.kind());
                }
            }
        }
    }

    #[test]
    fn the_generic_failure_no_longer_blames_a_locked_account() {
        let generic = Error::AuthorizationFailed { error: "server_error".into(), description: None };
        assert!(!generic.next_step().en.contains("locked"));
        assert!(Error::NoCodeReturned.message().en.contains("locked"));
    }

    #[test]
    fn texts_say_the_integration_and_use_one_kind_of_quotes() {
        let mut all = fortnox_errors();
        all.extend([Error::StateMismatch, Error::PortInUse { port: 1 }]);
        for e in all {
            for text in [e.message(), e.next_step()] {
                assert!(!text.en.contains("the app's page") && !text.en.contains("for the app"), "{}", text.en);
                assert!(!text.sv.contains("appens sida") && !text.sv.contains("för appen"), "{}", text.sv);
                assert!(
                    !text.sv.contains('"') && !text.sv.contains('\u{201c}'),
                    "Swedish quotes are \u{201d}: {}",
                    text.sv
                );
                assert!(!text.en.contains('"'), "English quotes are curly: {}", text.en);
            }
        }
    }

    #[test]
    fn a_status_and_a_forbidden_message_pick_their_kinds() {
        assert_eq!(Error::unavailable(429).kind(), "rate_limited");
        assert_eq!(Error::unavailable(503).kind(), "fortnox_unavailable");
        assert_eq!(
            Error::forbidden(Some("Det finns ingen aktiv licens för önskat scope".into())).kind(),
            "missing_licence"
        );
        assert_eq!(Error::forbidden(Some("Har inte behörighet för scope".into())).kind(), "missing_licence_or_rights");
    }

    #[test]
    fn port_in_use_names_the_port() {
        let e = Error::PortInUse { port: 9876 };
        assert!(e.message().en.contains("9876"));
        assert!(e.next_step().sv.contains("9876"));
        assert!(!e.is_authorization_failure());
    }

    #[test]
    fn timeouts_read_naturally() {
        assert!(Error::TimedOut { seconds: 600 }.message().en.contains("10 minutes"));
        assert!(Error::TimedOut { seconds: 5 }.message().sv.contains("5 sekunder"));
    }
}
