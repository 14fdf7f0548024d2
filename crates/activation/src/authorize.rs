//! One authorization attempt: its fresh state and the authorize URL.
//!
//! Each attempt draws a new 256-bit state. The state is single use: an [`Attempt`] is
//! consumed when a code is accepted, and a callback is checked against it before any token
//! request is made. A redirect that arrives by itself (loopback) without the right state
//! never ends the attempt, whatever it says; only what the user pastes may lack a state.
//!
//! Security rule: the state is a secret until the attempt ends; [`Attempt`]'s `Debug` shows
//! neither it nor the authorize URL that carries it.

use crate::capture::redirect::{self, RedirectParams};
use crate::fortnox::endpoints::Endpoints;
use crate::secret::{AuthCode, State};
use crate::settings::{AccountType, Settings};
use crate::Error;

/// Where a redirect came from: the loopback listener or the user pasting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Arrived by itself (loopback listener, URI scheme): the state must be present and match.
    Automatic,
    /// Pasted by the user: a bare code (no state) is accepted because the user chose it; a
    /// state that is present must still match.
    Pasted,
}

/// The verdict on one redirect.
#[derive(Debug)]
pub enum Verdict {
    /// A code for this attempt.
    Code(AuthCode),
    /// Fortnox (or the user) ended the attempt with an error.
    Failed(Error),
    /// Not for this attempt (wrong or missing state, nothing usable): keep waiting.
    Rejected(Error),
}

/// A pending authorization attempt.
pub struct Attempt {
    state: State,
    redirect_uri: String,
    url: String,
}

impl std::fmt::Debug for Attempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The authorize URL carries the state: show neither.
        f.debug_struct("Attempt").field("redirect_uri", &self.redirect_uri).finish_non_exhaustive()
    }
}

impl Attempt {
    /// Starts an attempt with a fresh random state.
    pub fn new(endpoints: &Endpoints, settings: &Settings) -> Self {
        Self::with_state(endpoints, settings, State::generate())
    }

    /// Starts an attempt with a given state (deterministic tests).
    pub fn with_state(endpoints: &Endpoints, settings: &Settings, state: State) -> Self {
        let url = authorize_url(endpoints, settings, &state);
        Attempt { state, redirect_uri: settings.redirect_uri.as_str().to_string(), url }
    }

    /// The URL to open in the browser.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The redirect URI exactly as sent in the authorize URL (the exchange must repeat it).
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Judges a redirect against this attempt.
    pub fn judge(&self, params: &RedirectParams, origin: Origin) -> Verdict {
        let state_ok = match params.state.as_deref() {
            Some(s) if !self.state.matches(s) => return Verdict::Rejected(Error::StateMismatch),
            Some(_) => true,
            None => false,
        };
        if !state_ok && origin == Origin::Automatic {
            // Anything that arrives by itself without this attempt's state may come from
            // any web page (`<img src="http://localhost:P/callback?error=…">`): it neither
            // ends the wait nor brings its text to the window. One with nothing at all is
            // also how a locked Fortnox account ends the login: the window says so while
            // it goes on waiting (the user can cancel).
            let empty = params.code.is_none() && params.error.is_none();
            return Verdict::Rejected(if empty { Error::NoCodeReturned } else { Error::StateMissing });
        }
        if let Some(error) = &params.error {
            // With the state checked, or pasted by the user, an error ends the attempt
            // without any token request.
            return Verdict::Failed(redirect::authorize_error(error, params.error_description.as_deref()));
        }
        match (&params.code, origin) {
            (Some(code), _) => Verdict::Code(code.clone()),
            (None, Origin::Pasted) => Verdict::Rejected(Error::NoCodeInRedirect),
            (None, Origin::Automatic) => Verdict::Failed(Error::NoCodeReturned),
        }
    }
}

/// Builds the authorize URL: every parameter Fortnox takes, scopes space-separated and
/// encoded as `%20`.
pub fn authorize_url(endpoints: &Endpoints, settings: &Settings, state: &State) -> String {
    let mut params: Vec<(&str, &str)> = Vec::with_capacity(7);
    let scope = settings.scopes.join(" ");
    params.push(("client_id", &settings.client_id));
    params.push(("redirect_uri", settings.redirect_uri.as_str()));
    params.push(("scope", &scope));
    params.push(("state", state.expose()));
    params.push(("access_type", "offline"));
    params.push(("response_type", "code"));
    if settings.account_type == AccountType::Service {
        params.push(("account_type", "service"));
    }
    let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
    let base = endpoints.authorize();
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{}", query.join("&"))
}

/// Percent-encodes a query value, spaces as `%20` (never `+`).
pub(crate) fn encode(value: &str) -> String {
    // byte_serialize writes a space as '+' and a literal '+' as "%2B", so the swap is safe.
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>().replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::redirect::parse_query;
    use crate::settings::{check, NameRule, SettingsInput};

    fn settings(account: AccountType) -> Settings {
        check(
            &SettingsInput {
                connection_name: "Acme".into(),
                client_id: "CLIENT1".into(),
                client_secret: None,
                redirect_uri: "http://localhost:9876/callback".into(),
                scopes: vec!["companyinformation".into(), "invoice".into()],
                account_type: account,
            },
            NameRule::Required,
        )
        .into_result()
        .unwrap()
    }

    #[test]
    fn the_authorize_url_has_every_parameter_exactly() {
        let a = Attempt::with_state(&Endpoints::default(), &settings(AccountType::User), State::new("st4te"));
        assert_eq!(
            a.url(),
            "https://apps.fortnox.se/oauth-v1/auth?client_id=CLIENT1\
             &redirect_uri=http%3A%2F%2Flocalhost%3A9876%2Fcallback\
             &scope=companyinformation%20invoice&state=st4te&access_type=offline&response_type=code"
        );
    }

    #[test]
    fn a_service_account_asks_for_account_type_service() {
        let a = Attempt::with_state(&Endpoints::default(), &settings(AccountType::Service), State::new("s"));
        assert!(a.url().ends_with("&response_type=code&account_type=service"));
    }

    #[test]
    fn debug_shows_neither_the_state_nor_the_url() {
        let a = Attempt::with_state(&Endpoints::default(), &settings(AccountType::User), State::new("st4te-SECRET"));
        let debug = format!("{a:?}");
        assert!(!debug.contains("st4te-SECRET"), "{debug}");
        assert!(debug.contains("Attempt"));
    }

    #[test]
    fn every_attempt_has_a_fresh_state() {
        let s = settings(AccountType::User);
        let a = Attempt::new(&Endpoints::default(), &s);
        let b = Attempt::new(&Endpoints::default(), &s);
        assert_ne!(a.url(), b.url());
    }

    fn attempt() -> Attempt {
        Attempt::with_state(&Endpoints::default(), &settings(AccountType::User), State::new("good"))
    }

    #[test]
    fn a_matching_state_yields_the_code() {
        match attempt().judge(&parse_query("code=abc&state=good"), Origin::Automatic) {
            Verdict::Code(c) => assert_eq!(c.expose(), "abc"),
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn a_wrong_or_missing_state_is_rejected_without_ending_the_wait() {
        let a = attempt();
        assert!(matches!(
            a.judge(&parse_query("code=abc&state=evil"), Origin::Automatic),
            Verdict::Rejected(Error::StateMismatch)
        ));
        assert!(matches!(a.judge(&parse_query("code=abc"), Origin::Automatic), Verdict::Rejected(Error::StateMissing)));
        assert!(matches!(
            a.judge(&parse_query("code=abc&state=evil"), Origin::Pasted),
            Verdict::Rejected(Error::StateMismatch)
        ));
        assert!(matches!(
            a.judge(&parse_query("error=access_denied&state=evil"), Origin::Automatic),
            Verdict::Rejected(_)
        ));
    }

    #[test]
    fn a_pasted_bare_code_is_accepted() {
        assert!(matches!(attempt().judge(&parse_query("code=abc"), Origin::Pasted), Verdict::Code(_)));
    }

    #[test]
    fn errors_end_the_attempt() {
        let a = attempt();
        match a.judge(&parse_query("error=access_denied&error_description=User+said+no&state=good"), Origin::Automatic)
        {
            Verdict::Failed(Error::AccessDenied { description }) => {
                assert_eq!(description.as_deref(), Some("User said no"))
            }
            v => panic!("{v:?}"),
        }
        assert!(matches!(
            a.judge(&parse_query("state=good"), Origin::Automatic),
            Verdict::Failed(Error::NoCodeReturned)
        ));
        assert!(matches!(a.judge(&parse_query(""), Origin::Pasted), Verdict::Rejected(Error::NoCodeInRedirect)));
    }

    #[test]
    fn stateless_errors_and_empty_callbacks_do_not_end_a_wait() {
        // `<img src="http://localhost:9876/callback?error=x">` on any web page must not
        // cancel the attempt, nor put its text in the window as Fortnox's words.
        let a = attempt();
        for query in ["error=access_denied&error_description=Call+0900-SCAM", "error=x", "", "foo=bar"] {
            match a.judge(&parse_query(query), Origin::Automatic) {
                Verdict::Rejected(e) => {
                    // Nothing at all reads as a locked account's return (still waiting).
                    let empty = query.is_empty() || query == "foo=bar";
                    assert_eq!(e, if empty { Error::NoCodeReturned } else { Error::StateMissing }, "{query}");
                    assert!(e.detail().is_none());
                }
                v => panic!("{query}: {v:?}"),
            }
        }
        // Pasted by the user, a stateless error is the user's own choice and ends it.
        assert!(matches!(a.judge(&parse_query("error=access_denied"), Origin::Pasted), Verdict::Failed(_)));
    }
}
