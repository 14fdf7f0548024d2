//! The one error type of the core, with stable kinds.
//!
//! Each variant has a stable machine-readable [`kind`](Error::kind) (kept as a contract for
//! the UI, scripts and tests), a plain [`message`](Error::message) saying what happened and a
//! [`next_step`](Error::next_step) saying what to do, both in Swedish and English.
//! Error values never contain a secret: Fortnox's error bodies carry no tokens, and our own
//! variants hold only ports, paths and Fortnox's own descriptions.

use crate::fortnox::endpoints::EndpointProblem;
use crate::i18n::{Language, Text};
use serde::Serialize;

/// Everything that can go wrong in an activation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The settings the user entered cannot be used.
    #[error("invalid settings: {}", .0.en)]
    InvalidSettings(Text),
    /// Fortnox does not accept the client id or the client secret.
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
    /// The system clipboard refused the text.
    #[error("clipboard: {reason}")]
    ClipboardFailed { reason: String },
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
    /// A secret the action needs is not in the keychain (`client_secret`, `access_token`
    /// or `refresh_token`).
    #[error("{secret} is not saved for this connection")]
    SecretNotSaved { secret: &'static str },
    /// The saved access token has expired (or Fortnox refused it as expired).
    #[error("access token expired")]
    AccessTokenExpired,
    /// An activation file has problems; field name → problem.
    #[error("invalid activation file ({} problem(s))", .fields.len())]
    ActivationFileInvalid { fields: std::collections::BTreeMap<String, Text> },
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
    /// A link arrived while this process has no activation waiting for one (a cold start by
    /// the link, a stray link, or a link from before a restart). Nothing was exchanged.
    #[error("link arrived with no activation waiting")]
    LinkUnexpected,
    /// A link arrived after the attempt had ended (for example a second link after success).
    #[error("link arrived after the activation had ended")]
    LinkAfterEnd,
    /// The app could not register itself as the handler of a private-use scheme.
    #[error("could not register the {scheme}: scheme: {reason}")]
    SchemeRegistrationFailed { scheme: String, reason: String },
}

/// The serialisable form handed to front ends: `{kind, message, next_step, detail}`.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorPayload {
    pub kind: &'static str,
    pub message: Text,
    pub next_step: Text,
    /// Fortnox's own words or a technical detail, for support staff. Never a secret.
    pub detail: Option<String>,
}

/// Front ends return `Result<T, Box<ErrorPayload>>`, so `?` works on core calls.
impl From<Error> for Box<ErrorPayload> {
    fn from(e: Error) -> Self {
        Box::new(e.payload())
    }
}

impl Error {
    /// The stable kind, in `snake_case`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InvalidSettings(_) => "invalid_settings",
            Error::InvalidClient { .. } => "invalid_client",
            Error::CodeExpiredOrUsed { .. } => "code_expired_or_used",
            Error::RefreshTokenInvalid { .. } => "refresh_token_invalid",
            Error::RedirectMismatch { .. } => "redirect_mismatch",
            Error::AccessDenied { .. } => "access_denied",
            Error::ServiceAccountNotAllowed { .. } => "service_account_not_allowed",
            Error::MissingLicenceOrRights { .. } => "missing_licence_or_rights",
            Error::AuthorizationFailed { .. } => "authorization_failed",
            Error::StateMismatch => "state_mismatch",
            Error::StateMissing => "state_missing",
            Error::NoCodeInRedirect => "no_code_in_redirect",
            Error::NoAttempt => "no_attempt",
            Error::PortInUse { .. } => "port_in_use",
            Error::ListenerFailed { .. } => "listener_failed",
            Error::BrowserFailed { .. } => "browser_failed",
            Error::TimedOut { .. } => "timed_out",
            Error::Cancelled => "cancelled",
            Error::ClipboardFailed { .. } => "clipboard_failed",
            Error::Network { .. } => "network",
            Error::FortnoxUnavailable { .. } => "fortnox_unavailable",
            Error::UnexpectedResponse { .. } => "unexpected_response",
            Error::KeychainUnavailable { .. } => "keychain_unavailable",
            Error::ConnectionsFileCorrupt { .. } => "connections_file_corrupt",
            Error::ConnectionsFileTooNew { .. } => "connections_file_too_new",
            Error::StorageFailed { .. } => "storage_failed",
            Error::ConnectionNotFound { .. } => "connection_not_found",
            Error::ConnectionNameTaken { .. } => "connection_name_taken",
            Error::SecretNotSaved { .. } => "secret_not_saved",
            Error::AccessTokenExpired => "access_token_expired",
            Error::ActivationFileInvalid { .. } => "activation_file_invalid",
            Error::EndpointRefused { .. } => "endpoint_refused",
            Error::CertificatesUnavailable { .. } => "certificates_unavailable",
            Error::InvalidScope { .. } => "invalid_scope",
            Error::NoCodeReturned => "no_code_returned",
            Error::MissingLicence { .. } => "missing_licence",
            Error::RateLimited => "rate_limited",
            Error::AccessTokenRejected { .. } => "access_token_rejected",
            Error::LinkMismatch { .. } => "link_mismatch",
            Error::LinkUnexpected => "link_unexpected",
            Error::LinkAfterEnd => "link_after_end",
            Error::SchemeRegistrationFailed { .. } => "scheme_registration_failed",
        }
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

    /// True when Fortnox or the person at Fortnox said no (exit code 1 of the CLI), as
    /// opposed to bad settings (2) or a timeout or cancel (3).
    pub fn is_authorization_failure(&self) -> bool {
        !matches!(
            self,
            Error::InvalidSettings(_)
                | Error::EndpointRefused { .. }
                | Error::PortInUse { .. }
                | Error::ListenerFailed { .. }
                | Error::ClipboardFailed { .. }
                | Error::SchemeRegistrationFailed { .. }
                | Error::TimedOut { .. }
                | Error::Cancelled
                | Error::KeychainUnavailable { .. }
                | Error::ConnectionsFileCorrupt { .. }
                | Error::ConnectionsFileTooNew { .. }
                | Error::StorageFailed { .. }
                | Error::ConnectionNotFound { .. }
                | Error::ConnectionNameTaken { .. }
                | Error::SecretNotSaved { .. }
                | Error::ActivationFileInvalid { .. }
        )
    }

    /// Fortnox's own description or another technical detail, if any.
    pub fn detail(&self) -> Option<String> {
        match self {
            Error::InvalidClient { description }
            | Error::CodeExpiredOrUsed { description }
            | Error::RefreshTokenInvalid { description }
            | Error::RedirectMismatch { description }
            | Error::AccessDenied { description }
            | Error::ServiceAccountNotAllowed { description }
            | Error::MissingLicenceOrRights { description }
            | Error::InvalidScope { description }
            | Error::MissingLicence { description }
            | Error::AccessTokenRejected { description } => description.clone(),
            Error::RateLimited => Some("HTTP 429".into()),
            Error::AuthorizationFailed { error, description } => Some(match description {
                Some(d) => format!("{error}: {d}"),
                None => error.clone(),
            }),
            Error::ListenerFailed { reason, .. }
            | Error::BrowserFailed { reason }
            | Error::ClipboardFailed { reason }
            | Error::Network { reason }
            | Error::SchemeRegistrationFailed { reason, .. }
            | Error::CertificatesUnavailable { reason }
            | Error::KeychainUnavailable { reason } => Some(reason.clone()),
            Error::ConnectionsFileCorrupt { reason, .. } | Error::StorageFailed { reason, .. } => Some(reason.clone()),
            Error::ActivationFileInvalid { fields } => {
                Some(fields.iter().map(|(k, v)| format!("{k}: {}", v.en)).collect::<Vec<_>>().join("; "))
            }
            Error::UnexpectedResponse { status, detail } => Some(format!("HTTP {status}: {detail}")),
            Error::FortnoxUnavailable { status } => Some(format!("HTTP {status}")),
            _ => None,
        }
    }

    /// What happened, in plain words.
    pub fn message(&self) -> Text {
        match self {
            Error::InvalidSettings(text) => text.clone(),
            Error::InvalidClient { .. } => Text::new(
                "Fortnox did not accept the client id or the client secret.",
                "Fortnox godtog inte klient-id:t eller klienthemligheten.",
            ),
            Error::CodeExpiredOrUsed { .. } => Text::new(
                "The authorization code has expired or has already been used. Codes last 10 minutes and work once.",
                "Auktoriseringskoden har gått ut eller redan använts. En kod gäller i 10 minuter och fungerar en gång.",
            ),
            Error::RefreshTokenInvalid { .. } => Text::new(
                "The refresh token is no longer valid (already used, expired or revoked).",
                "Förnyelsetoken gäller inte längre (redan använd, utgången eller återkallad).",
            ),
            Error::RedirectMismatch { .. } => Text::new(
                "Fortnox says the redirect URI does not match the one registered for the integration.",
                "Fortnox säger att omdirigerings-URI:n inte stämmer med den som är registrerad för integrationen.",
            ),
            Error::AccessDenied { .. } => Text::new(
                "The authorization was cancelled or refused in Fortnox.",
                "Auktoriseringen avbröts eller nekades i Fortnox.",
            ),
            Error::ServiceAccountNotAllowed { .. } => Text::new(
                "Fortnox does not allow a service account for this integration, or the person who logged in is not the company's system administrator.",
                "Fortnox tillåter inte servicekonto för den här integrationen, eller så är personen som loggade in inte företagets systemadministratör.",
            ),
            Error::MissingLicenceOrRights { .. } => Text::new(
                "The company lacks the licence for a chosen scope, or the user who logged in lacks the rights for it.",
                "Företaget saknar licens för ett valt behörighetsområde, eller så saknar användaren som loggade in behörighet till det.",
            ),
            Error::AuthorizationFailed { .. } => Text::new(
                "Fortnox ended the authorization without giving access.",
                "Fortnox avslutade auktoriseringen utan att ge åtkomst.",
            ),
            Error::StateMismatch => Text::new(
                "The answer from Fortnox does not belong to this attempt (the state does not match).",
                "Svaret från Fortnox hör inte till det här försöket (state stämmer inte).",
            ),
            Error::StateMissing => Text::new(
                "The answer from Fortnox lacks the security check (state) this attempt sent.",
                "Svaret från Fortnox saknar säkerhetskontrollen (state) som det här försöket skickade.",
            ),
            Error::NoCodeInRedirect => Text::new(
                "No authorization code was found in what was pasted.",
                "Ingen auktoriseringskod hittades i det som klistrades in.",
            ),
            Error::NoAttempt => Text::new(
                "There is no authorization in progress.",
                "Ingen auktorisering pågår.",
            ),
            Error::PortInUse { port } => Text::new(
                format!("Port {port} on this computer is already in use by another program."),
                format!("Port {port} på den här datorn används redan av ett annat program."),
            ),
            Error::ListenerFailed { address, .. } => Text::new(
                format!("The app could not listen for Fortnox's answer on {address}."),
                format!("Appen kunde inte lyssna efter Fortnox svar på {address}."),
            ),
            Error::BrowserFailed { .. } => Text::new(
                "The web browser could not be opened.",
                "Webbläsaren kunde inte öppnas.",
            ),
            Error::TimedOut { seconds } => Text::new(
                format!("No answer came from Fortnox within {}.", duration_en(*seconds)),
                format!("Inget svar kom från Fortnox inom {}.", duration_sv(*seconds)),
            ),
            Error::Cancelled => Text::new("The authorization was cancelled.", "Auktoriseringen avbröts."),
            Error::ClipboardFailed { .. } => Text::new(
                "The text could not be put on the clipboard.",
                "Texten kunde inte läggas i urklipp.",
            ),
            Error::Network { .. } => Text::new(
                "Fortnox could not be reached.",
                "Det gick inte att nå Fortnox.",
            ),
            Error::FortnoxUnavailable { .. } => Text::new(
                "Fortnox is not answering right now.",
                "Fortnox svarar inte just nu.",
            ),
            Error::UnexpectedResponse { .. } => Text::new(
                "Fortnox gave an answer the app does not understand.",
                "Fortnox gav ett svar som appen inte förstår.",
            ),
            Error::KeychainUnavailable { .. } => {
                let store = crate::store::platform::keychain_name();
                Text::new(
                    format!("The computer's keychain could not be used ({}: missing, locked or refused), so the keys were not saved.", store.en),
                    format!("Datorns nyckelring gick inte att använda ({}: saknas, är låst eller nekade), så nycklarna sparades inte.", store.sv),
                )
            }
            Error::ConnectionsFileCorrupt { path, .. } => Text::new(
                format!("The file with the saved connections is damaged and cannot be read: {path}"),
                format!("Filen med de sparade kopplingarna är skadad och kan inte läsas: {path}"),
            ),
            Error::ConnectionsFileTooNew { path, .. } => Text::new(
                format!("The saved connections were written by a newer version of the app: {path}"),
                format!("De sparade kopplingarna skrevs av en nyare version av appen: {path}"),
            ),
            Error::StorageFailed { path, .. } => Text::new(
                format!("The saved connections could not be read or written: {path}"),
                format!("De sparade kopplingarna kunde inte läsas eller skrivas: {path}"),
            ),
            Error::ConnectionNotFound { query } => Text::new(
                format!("There is no saved connection called \"{query}\"."),
                format!("Det finns ingen sparad koppling som heter \"{query}\"."),
            ),
            Error::ConnectionNameTaken { name } => Text::new(
                format!("A saved connection is already called \"{name}\"."),
                format!("En sparad koppling heter redan \"{name}\"."),
            ),
            Error::SecretNotSaved { secret } => {
                let store = crate::store::platform::keychain_name();
                Text::new(
                    format!("The {} of this connection is not saved in the keychain ({}).", secret_en(secret), store.en),
                    format!("Kopplingens {} finns inte sparad i nyckelringen ({}).", secret_sv(secret), store.sv),
                )
            }
            Error::AccessTokenExpired => Text::new(
                "The saved access token has expired.",
                "Den sparade åtkomsttoken har gått ut.",
            ),
            Error::ActivationFileInvalid { fields } => {
                let list = |lang: Language| {
                    fields
                        .iter()
                        .map(|(key, problem)| format!("{}: {}", file_field_label(key).get(lang), problem.get(lang)))
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                Text::new(
                    format!("The activation file cannot be used. {}", list(Language::En)),
                    format!("Aktiveringsfilen går inte att använda. {}", list(Language::Sv)),
                )
            }
            Error::EndpointRefused { variable, value, problem } => match problem {
                EndpointProblem::NotHttps => Text::new(
                    format!("{variable} is set to {value}, which is neither https nor on this computer. The app sends the client secret and the tokens there, so it refuses."),
                    format!("{variable} är satt till {value}, som varken är https eller på den här datorn. Appen skickar klienthemligheten och token dit, så den vägrar."),
                ),
                EndpointProblem::NotAnAddress => Text::new(
                    format!("{variable} is set to \"{value}\", which is not a web address."),
                    format!("{variable} är satt till \"{value}\", som inte är en webbadress."),
                ),
                EndpointProblem::Credentials => Text::new(
                    format!("{variable} holds a user name or password ({value} without it); the app refuses such an address."),
                    format!("{variable} innehåller ett användarnamn eller lösenord ({value} utan det); appen vägrar en sådan adress."),
                ),
            },
            Error::CertificatesUnavailable { .. } => Text::new(
                "The app could not read the computer's trusted certificates, so it cannot check that it is talking to Fortnox.",
                "Appen kunde inte läsa datorns betrodda certifikat, så den kan inte kontrollera att den pratar med Fortnox.",
            ),
            Error::InvalidScope { .. } => Text::new(
                "Fortnox refused one of the chosen areas (scopes): the integration does not have it, or its name is wrong.",
                "Fortnox nekade ett av de valda områdena (scopes): integrationen har inte det, eller så är namnet fel.",
            ),
            Error::NoCodeReturned => Text::new(
                "Fortnox sent the browser back with neither an authorization code nor an error. This happens when the customer's Fortnox account is locked.",
                "Fortnox skickade tillbaka webbläsaren utan vare sig auktoriseringskod eller felmeddelande. Det händer när kundens Fortnox-konto är spärrat.",
            ),
            Error::MissingLicence { .. } => Text::new(
                "The company has no active Fortnox licence for one of the chosen areas.",
                "Företaget saknar aktiv Fortnox-licens för ett av de valda områdena.",
            ),
            Error::RateLimited => Text::new(
                "Fortnox is receiving too many requests from this integration for this company right now.",
                "Fortnox tar emot för många anrop från den här integrationen för det här företaget just nu.",
            ),
            Error::AccessTokenRejected { .. } => Text::new(
                "Fortnox did not accept the access token (\u{201c}unauthorized\u{201d}).",
                "Fortnox godtog inte åtkomsttoken (\u{201d}unauthorized\u{201d}).",
            ),
            Error::LinkMismatch { expected } => Text::new(
                format!("A link arrived that is not this activation's redirect URI ({expected}). It was ignored and nothing was sent to Fortnox."),
                format!("En länk kom som inte är den här aktiveringens omdirigerings-URI ({expected}). Den ignorerades och inget skickades till Fortnox."),
            ),
            Error::LinkUnexpected => Text::new(
                "A link from the browser arrived, but no activation is waiting in this window. Nothing was sent to Fortnox.",
                "En länk från webbläsaren kom, men ingen aktivering väntar i det här fönstret. Inget skickades till Fortnox.",
            ),
            Error::LinkAfterEnd => Text::new(
                "A link from the browser arrived after this activation had already ended. It was ignored.",
                "En länk från webbläsaren kom efter att den här aktiveringen redan hade avslutats. Den ignorerades.",
            ),
            Error::SchemeRegistrationFailed { scheme, .. } => Text::new(
                format!("The app could not make itself the handler of {scheme}: links on this computer."),
                format!("Appen kunde inte göra sig till mottagare av {scheme}:-länkar på den här datorn."),
            ),
        }
    }

    /// What to do next, in plain words.
    pub fn next_step(&self) -> Text {
        match self {
            Error::InvalidSettings(_) => Text::new(
                "Correct the settings and try again.",
                "Rätta inställningarna och försök igen.",
            ),
            Error::InvalidClient { .. } => Text::new(
                "Copy the client id and client secret again from the integration's page in Fortnox's Developer Portal (or ask the integration's supplier for them), then try again.",
                "Kopiera klient-id och klienthemlighet på nytt från integrationens sida i Fortnox utvecklarportal (eller be integrationens leverantör om dem) och försök igen.",
            ),
            Error::CodeExpiredOrUsed { .. } => Text::new(
                "Start the authorization again and finish it within 10 minutes.",
                "Starta auktoriseringen igen och slutför den inom 10 minuter.",
            ),
            Error::RefreshTokenInvalid { .. } => Text::new(
                "Activate the connection again to get a new pair of tokens.",
                "Aktivera kopplingen igen för att få ett nytt par token.",
            ),
            Error::RedirectMismatch { .. } => Text::new(
                "Enter here exactly the redirect URI registered for the integration in Fortnox's Developer Portal (port and path included), or ask the integration's supplier to register the one this app shows.",
                "Ange här exakt den omdirigerings-URI som är registrerad för integrationen i Fortnox utvecklarportal (med port och sökväg), eller be integrationens leverantör registrera den som den här appen visar.",
            ),
            Error::AccessDenied { .. } => Text::new(
                "Try again and choose to allow access in Fortnox. If you are not allowed to, ask the company's Fortnox administrator for help.",
                "Försök igen och välj att tillåta åtkomst i Fortnox. Om du inte får det, be företagets Fortnox-administratör om hjälp.",
            ),
            Error::ServiceAccountNotAllowed { .. } => Text::new(
                "Turn on \u{201c}Enable service account authorization\u{201d} for the integration in Fortnox's Developer Portal (the integration's supplier does this) and let the company's system administrator log in, or choose a user account.",
                "Slå på \u{201d}Enable service account authorization\u{201d} för integrationen i Fortnox utvecklarportal (det gör integrationens leverantör) och låt företagets systemadministratör logga in, eller välj användarkonto.",
            ),
            Error::MissingLicenceOrRights { .. } => Text::new(
                "Ask the company's Fortnox administrator to add the licence or the user's rights, or remove that area, and try again.",
                "Be företagets Fortnox-administratör om hjälp att lägga till licensen eller användarens behörighet, eller ta bort det området, och försök igen.",
            ),
            Error::AuthorizationFailed { .. } => Text::new(
                "Try again. If it keeps failing, send the details below to the integration's supplier or to Fortnox support.",
                "Försök igen. Om det fortsätter att misslyckas, skicka detaljerna nedan till integrationens leverantör eller till Fortnox support.",
            ),
            Error::StateMismatch | Error::StateMissing => Text::new(
                "Start the authorization from this app and finish it in the browser window it opens.",
                "Starta auktoriseringen från den här appen och slutför den i webbläsarfönstret som öppnas.",
            ),
            Error::NoCodeInRedirect => Text::new(
                "Copy the whole address from the browser's address bar after approving in Fortnox, and paste it again.",
                "Kopiera hela adressen från webbläsarens adressfält efter godkännandet i Fortnox och klistra in den igen.",
            ),
            Error::NoAttempt => Text::new(
                "Start the authorization first.",
                "Starta auktoriseringen först.",
            ),
            Error::PortInUse { port } => Text::new(
                format!("Close the program using port {port} (perhaps another activation window) and try again, or register a redirect URI with another port."),
                format!("Stäng programmet som använder port {port} (kanske ett annat aktiveringsfönster) och försök igen, eller registrera en omdirigerings-URI med en annan port."),
            ),
            Error::ListenerFailed { .. } => Text::new(
                "Use a redirect URI with a port above 1024, or paste the address from the browser instead.",
                "Använd en omdirigerings-URI med en port över 1024, eller klistra in adressen från webbläsaren i stället.",
            ),
            Error::BrowserFailed { .. } => Text::new(
                "Copy the address and open it in a web browser yourself.",
                "Kopiera adressen och öppna den själv i en webbläsare.",
            ),
            Error::TimedOut { .. } | Error::Cancelled => Text::new(
                "Start the authorization again when you are ready.",
                "Starta auktoriseringen igen när du är redo.",
            ),
            Error::ClipboardFailed { .. } => Text::new(
                "Press \u{201c}Show\u{201d}, select the text and copy it with Ctrl+C (⌘C on a Mac).",
                "Tryck på \u{201d}Visa\u{201d}, markera texten och kopiera den med Ctrl+C (⌘C på Mac).",
            ),
            Error::Network { .. } => Text::new(
                "Check the internet connection (and any proxy or firewall), then try again.",
                "Kontrollera internetanslutningen (och eventuell proxy eller brandvägg) och försök igen.",
            ),
            Error::FortnoxUnavailable { .. } => Text::new(
                "Wait a few minutes and try again. Fortnox's status page tells of outages.",
                "Vänta några minuter och försök igen. Fortnox statussida berättar om driftstörningar.",
            ),
            Error::UnexpectedResponse { .. } => Text::new(
                "Try again. If it happens again, send the details below to support.",
                "Försök igen. Om det händer igen, skicka detaljerna nedan till support.",
            ),
            Error::KeychainUnavailable { .. } => {
                let step = crate::store::platform::keychain_unlock_step();
                Text::new(
                    format!("Copy the keys now if you need them. Then make the keychain usable: {} Then save again.", step.en),
                    format!("Kopiera nycklarna nu om du behöver dem. Gör sedan nyckelringen användbar: {} Spara sedan igen.", step.sv),
                )
            }
            Error::ConnectionsFileCorrupt { .. } => Text::new(
                "Nothing has been changed. Restore the file from a backup, or choose \"Start over\": the damaged file is then kept aside as a copy next to it.",
                "Inget har ändrats. Återställ filen från en säkerhetskopia, eller välj \"Börja om\": den skadade filen sparas då som en kopia bredvid.",
            ),
            Error::ConnectionsFileTooNew { .. } => Text::new(
                "Nothing has been changed. Use the newer version of the app, or choose \"Start over\": the file is then kept aside as a copy next to it.",
                "Inget har ändrats. Använd den nyare versionen av appen, eller välj \"Börja om\": filen sparas då som en kopia bredvid.",
            ),
            Error::StorageFailed { .. } => Text::new(
                "Check that the disk is not full and that you may write to the folder, then try again.",
                "Kontrollera att disken inte är full och att du får skriva i mappen, och försök sedan igen.",
            ),
            Error::ConnectionNotFound { .. } => Text::new(
                "Check the name (or use the id) as the list of connections shows it.",
                "Kontrollera namnet (eller använd id:t) så som listan över kopplingar visar det.",
            ),
            Error::ConnectionNameTaken { .. } => Text::new(
                "Choose another name, for example with the customer's company name in it.",
                "Välj ett annat namn, till exempel med kundens företagsnamn i.",
            ),
            Error::SecretNotSaved { secret } if *secret == "client_secret" => Text::new(
                "Re-authorize the connection and enter the client secret again.",
                "Auktorisera kopplingen igen och ange klienthemligheten på nytt.",
            ),
            Error::SecretNotSaved { .. } => Text::new(
                "Re-authorize the connection to get new tokens.",
                "Auktorisera kopplingen igen för att få nya token.",
            ),
            Error::AccessTokenExpired => Text::new(
                "Refresh the connection (or, for a service account, get a new access token), then test again.",
                "Förnya kopplingen (eller, för ett servicekonto, hämta en ny åtkomsttoken) och testa igen.",
            ),
            Error::ActivationFileInvalid { .. } => Text::new(
                "Ask whoever sent the file for a new one; the problems are listed field by field.",
                "Be den som skickade filen om en ny; problemen listas fält för fält.",
            ),
            Error::EndpointRefused { variable, .. } => Text::new(
                format!("Remove the environment variable {variable} to use Fortnox itself, or set it to an https:// address (http:// only for localhost), then start the app again."),
                format!("Ta bort miljövariabeln {variable} för att använda Fortnox, eller sätt den till en https://-adress (http:// bara för localhost), och starta appen igen."),
            ),
            Error::CertificatesUnavailable { .. } => Text::new(
                "Ask your IT support to install the system's root certificates (on Linux the ca-certificates package), or point SSL_CERT_FILE at a file of trusted certificates, then try again.",
                "Be er IT-support installera systemets rotcertifikat (på Linux paketet ca-certificates), eller låt SSL_CERT_FILE peka på en fil med betrodda certifikat, och försök igen.",
            ),
            Error::InvalidScope { .. } => Text::new(
                "Remove the areas the integration does not use (step Access), or ask the integration's supplier to add them to the integration in Fortnox's Developer Portal, then try again.",
                "Ta bort de områden som integrationen inte använder (steget Behörighet), eller be integrationens leverantör lägga till dem för integrationen i Fortnox utvecklarportal, och försök sedan igen.",
            ),
            Error::NoCodeReturned => Text::new(
                "Log in to Fortnox in the browser to see whether the account is locked. If it is, the company's Fortnox administrator must contact Fortnox support before you try again.",
                "Logga in i Fortnox i webbläsaren och se om kontot är spärrat. Om det är det måste företagets Fortnox-administratör kontakta Fortnox support innan du försöker igen.",
            ),
            Error::MissingLicence { .. } => Text::new(
                "Ask the company's Fortnox administrator to add the licence in Fortnox, or remove that area, and activate again.",
                "Be företagets Fortnox-administratör om hjälp att lägga till licensen i Fortnox, eller ta bort det området, och aktivera igen.",
            ),
            Error::RateLimited => Text::new(
                "Wait a minute and try again. Other programs that use the same integration for this company count too.",
                "Vänta en minut och försök igen. Andra program som använder samma integration för företaget räknas också.",
            ),
            Error::AccessTokenRejected { .. } => Text::new(
                "Check that this computer's date and time are right, then activate again. If it happens again, send the details below to support.",
                "Kontrollera att datorns datum och tid stämmer och aktivera sedan igen. Om det händer igen, skicka detaljerna nedan till support.",
            ),
            Error::LinkMismatch { .. } => Text::new(
                "Check that the redirect URI registered in Fortnox's Developer Portal is exactly the one in step 1. The app keeps waiting for the right answer.",
                "Kontrollera att omdirigerings-URI:n som är registrerad i Fortnox utvecklarportal är exakt den i steg 1. Appen fortsätter att vänta på rätt svar.",
            ),
            Error::LinkUnexpected => Text::new(
                "Start a new activation here and approve again in the browser it opens; if the browser then ends on a page that does not work, paste its address in step 3. An answer meant for an earlier window cannot be used.",
                "Starta en ny aktivering här och godkänn igen i webbläsaren som öppnas; om webbläsaren då hamnar på en sida som inte fungerar, klistra in dess adress i steg 3. Ett svar till ett tidigare fönster kan inte användas.",
            ),
            Error::LinkAfterEnd => Text::new(
                "Nothing to do: the result shown stands. To connect again, start a new activation.",
                "Inget att göra: resultatet som visas gäller. Starta en ny aktivering för att ansluta igen.",
            ),
            Error::SchemeRegistrationFailed { .. } => Text::new(
                "On Linux, install desktop-file-utils and xdg-utils and try again. Until then, paste the address from the browser after approving.",
                "På Linux, installera desktop-file-utils och xdg-utils och försök igen. Klistra till dess in adressen från webbläsaren efter godkännandet.",
            ),
        }
    }

    /// The form handed to front ends.
    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload { kind: self.kind(), message: self.message(), next_step: self.next_step(), detail: self.detail() }
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

fn secret_en(secret: &str) -> &'static str {
    match secret {
        "client_secret" => "client secret",
        "access_token" => "access token",
        _ => "refresh token",
    }
}

fn secret_sv(secret: &str) -> &'static str {
    match secret {
        "client_secret" => "klienthemlighet",
        "access_token" => "åtkomsttoken",
        _ => "förnyelsetoken",
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
fn file_field_label(key: &str) -> Text {
    match key {
        "name" => Text::new("Connection name", "Namn på kopplingen"),
        "clientId" => Text::new("Client ID", "Klient-ID"),
        "redirectUri" => Text::new("Redirect URI", "Omdirigerings-URI"),
        "scopes" => Text::new("Areas (scopes)", "Områden (scopes)"),
        "accountType" => Text::new("Account type", "Kontotyp"),
        "format" | "version" => Text::new("File format", "Filformat"),
        "file" => Text::new("The file", "Filen"),
        other => Text::new(format!("“{other}”"), format!("”{other}”")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_text_in_both_languages() {
        let all = [
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
            Error::ClipboardFailed { reason: "r".into() },
            Error::Network { reason: "r".into() },
            Error::FortnoxUnavailable { status: 503 },
            Error::UnexpectedResponse { status: 200, detail: "d".into() },
            Error::KeychainUnavailable { reason: "r".into() },
            Error::ConnectionsFileCorrupt { path: "/p".into(), reason: "r".into() },
            Error::ConnectionsFileTooNew { path: "/p".into(), version: 9 },
            Error::StorageFailed { path: "/p".into(), reason: "r".into() },
            Error::ConnectionNotFound { query: "q".into() },
            Error::ConnectionNameTaken { name: "n".into() },
            Error::SecretNotSaved { secret: "refresh_token" },
            Error::AccessTokenExpired,
            Error::ActivationFileInvalid { fields: Default::default() },
            Error::EndpointRefused { variable: "V".into(), value: "v".into(), problem: EndpointProblem::NotHttps },
            Error::CertificatesUnavailable { reason: "r".into() },
            Error::InvalidScope { description: None },
            Error::NoCodeReturned,
            Error::MissingLicence { description: None },
            Error::RateLimited,
            Error::AccessTokenRejected { description: None },
            Error::LinkMismatch { expected: "se.x.app:/cb".into() },
            Error::LinkUnexpected,
            Error::LinkAfterEnd,
            Error::SchemeRegistrationFailed { scheme: "se.x.app".into(), reason: "r".into() },
        ];
        let mut kinds = std::collections::HashSet::new();
        for e in &all {
            assert!(kinds.insert(e.kind()), "duplicate kind {}", e.kind());
            for lang in [Language::En, Language::Sv] {
                assert!(!e.message().get(lang).is_empty());
                assert!(!e.next_step().get(lang).is_empty());
            }
        }
    }

    /// Every answer Fortnox can give (fortnox.md) and the ways a login can end.
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
        all.extend([Error::ClipboardFailed { reason: "r".into() }, Error::StateMismatch, Error::PortInUse { port: 1 }]);
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
