//! The one error type of the core, with stable kinds.
//!
//! Each variant has a stable machine-readable [`kind`](Error::kind) (kept as a contract for
//! the UI, scripts and tests), a plain [`message`](Error::message) saying what happened and a
//! [`next_step`](Error::next_step) saying what to do, both in Swedish and English.
//! Error values never contain a secret: Fortnox's error bodies carry no tokens, and our own
//! variants hold only ports, paths and Fortnox's own descriptions.

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
    /// Fortnox answered the authorization with an error we have no better name for, or
    /// ended the login with neither a code nor an error.
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
            Error::LinkMismatch { .. } => "link_mismatch",
            Error::LinkUnexpected => "link_unexpected",
            Error::LinkAfterEnd => "link_after_end",
            Error::SchemeRegistrationFailed { .. } => "scheme_registration_failed",
        }
    }

    /// True when Fortnox or the person at Fortnox said no (exit code 1 of the CLI), as
    /// opposed to bad settings (2) or a timeout or cancel (3).
    pub fn is_authorization_failure(&self) -> bool {
        !matches!(
            self,
            Error::InvalidSettings(_)
                | Error::PortInUse { .. }
                | Error::ListenerFailed { .. }
                | Error::ClipboardFailed { .. }
                | Error::SchemeRegistrationFailed { .. }
                | Error::TimedOut { .. }
                | Error::Cancelled
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
            | Error::MissingLicenceOrRights { description } => description.clone(),
            Error::AuthorizationFailed { error, description } => Some(match description {
                Some(d) => format!("{error}: {d}"),
                None => error.clone(),
            }),
            Error::ListenerFailed { reason, .. }
            | Error::BrowserFailed { reason }
            | Error::ClipboardFailed { reason }
            | Error::SchemeRegistrationFailed { reason, .. }
            | Error::Network { reason } => Some(reason.clone()),
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
                "Fortnox says the redirect URI does not match the one registered for the app.",
                "Fortnox säger att omdirigerings-URI:n inte stämmer med den som är registrerad för appen.",
            ),
            Error::AccessDenied { .. } => Text::new(
                "The authorization was cancelled or refused in Fortnox.",
                "Auktoriseringen avbröts eller nekades i Fortnox.",
            ),
            Error::ServiceAccountNotAllowed { .. } => Text::new(
                "Fortnox does not allow a service account for this app, or the person who logged in is not the company's system administrator.",
                "Fortnox tillåter inte servicekonto för den här appen, eller så är personen som loggade in inte företagets systemadministratör.",
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
                "Copy the client id and client secret again from the app's page in Fortnox's Developer Portal, then try again.",
                "Kopiera klient-id och klienthemlighet på nytt från appens sida i Fortnox utvecklarportal och försök igen.",
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
                "Register exactly the redirect URI shown in the app on the app's page in Fortnox's Developer Portal (port and path included), or enter the registered one here.",
                "Registrera exakt den omdirigerings-URI som appen visar på appens sida i Fortnox utvecklarportal (med port och sökväg), eller ange den registrerade här.",
            ),
            Error::AccessDenied { .. } => Text::new(
                "Try again and choose to allow access in Fortnox. If you are not allowed to, ask the company's Fortnox administrator.",
                "Försök igen och välj att tillåta åtkomst i Fortnox. Om du inte får det, be företagets Fortnox-administratör.",
            ),
            Error::ServiceAccountNotAllowed { .. } => Text::new(
                "Turn on \"service account authorization\" for the app in Fortnox's Developer Portal and let the company's system administrator log in, or choose a user account.",
                "Slå på \"auktorisering med servicekonto\" för appen i Fortnox utvecklarportal och låt företagets systemadministratör logga in, eller välj användarkonto.",
            ),
            Error::MissingLicenceOrRights { .. } => Text::new(
                "Ask the company's Fortnox administrator to add the licence or the user's rights, or remove that scope, and try again.",
                "Be företagets Fortnox-administratör lägga till licensen eller användarens behörighet, eller ta bort det området, och försök igen.",
            ),
            Error::AuthorizationFailed { .. } => Text::new(
                "Try again. If it keeps failing, the customer's Fortnox account may be locked: contact Fortnox support.",
                "Försök igen. Om det fortsätter att misslyckas kan kundens Fortnox-konto vara spärrat: kontakta Fortnox support.",
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
                "Press \"Show\", select the text and copy it with Ctrl+C (⌘C on a Mac).",
                "Tryck på \"Visa\", markera texten och kopiera den med Ctrl+C (⌘C på Mac).",
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
