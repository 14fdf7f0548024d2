//! Where Fortnox lives, and the rules for pointing the app elsewhere.
//!
//! Defaults are Fortnox's production endpoints. `FORTNOX_OAUTH_URL` (the base of `/auth`,
//! `/token` and `/revoke`) and `FORTNOX_API_URL` (the base of the REST API) override them,
//! for tests, staging and support.
//!
//! Security rule: the client secret, the code and the tokens travel to these addresses, so an
//! override must be `https://`, except for a server on this computer (`localhost`,
//! `127.0.0.0/8`, `[::1]`), which may use plain `http://`. An address with a user name or
//! password in it is refused too. A refused override is an error
//! ([`Error::EndpointRefused`]), never a silent fall back to production; an accepted one is
//! announced ([`Endpoints::override_notice`]) in the window and on stderr.

use crate::error::EndpointProblem;
use crate::{Error, Text};
use std::net::IpAddr;

/// Fortnox's OAuth2 base.
pub const DEFAULT_OAUTH_URL: &str = "https://apps.fortnox.se/oauth-v1";
/// Fortnox's REST API base.
pub const DEFAULT_API_URL: &str = "https://api.fortnox.se/3";
/// The variable that overrides [`DEFAULT_OAUTH_URL`].
pub const OAUTH_URL_VAR: &str = "FORTNOX_OAUTH_URL";
/// The variable that overrides [`DEFAULT_API_URL`].
pub const API_URL_VAR: &str = "FORTNOX_API_URL";

/// The bases of Fortnox's OAuth2 endpoints and REST API, without trailing slashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    oauth: String,
    api: String,
}

impl Default for Endpoints {
    fn default() -> Self {
        Self::new(DEFAULT_OAUTH_URL, DEFAULT_API_URL)
    }
}

impl Endpoints {
    /// Endpoints from explicit bases, unchecked (tests and the defaults).
    pub fn new(oauth: &str, api: &str) -> Self {
        Endpoints { oauth: normalise(oauth), api: normalise(api) }
    }

    /// Fortnox's endpoints, unless `FORTNOX_OAUTH_URL` / `FORTNOX_API_URL` say otherwise.
    /// An empty variable counts as unset.
    ///
    /// # Errors
    /// [`Error::EndpointRefused`] when a variable holds an address the rules refuse.
    pub fn from_env() -> Result<Self, Error> {
        let get = |var: &str| std::env::var(var).ok();
        Self::from_overrides(get(OAUTH_URL_VAR).as_deref(), get(API_URL_VAR).as_deref())
    }

    /// The defaults with the given overrides applied (`None` or blank: the default), each
    /// checked by [`check_override`].
    ///
    /// # Errors
    /// [`Error::EndpointRefused`] naming the first refused variable.
    pub fn from_overrides(oauth: Option<&str>, api: Option<&str>) -> Result<Self, Error> {
        let pick = |var: &str, value: Option<&str>, default: &str| -> Result<String, Error> {
            match value.map(str::trim).filter(|v| !v.is_empty()) {
                Some(v) => check_override(var, v).map(|()| v.to_string()),
                None => Ok(default.to_string()),
            }
        };
        Ok(Self::new(&pick(OAUTH_URL_VAR, oauth, DEFAULT_OAUTH_URL)?, &pick(API_URL_VAR, api, DEFAULT_API_URL)?))
    }

    /// The OAuth2 base in use.
    pub fn oauth_base(&self) -> &str {
        &self.oauth
    }

    /// The REST API base in use.
    pub fn api_base(&self) -> &str {
        &self.api
    }

    /// True when either base is not Fortnox's own.
    pub fn is_override(&self) -> bool {
        self.oauth != DEFAULT_OAUTH_URL || self.api != DEFAULT_API_URL
    }

    /// While an override is active: what to tell the user (in the window's banner and on
    /// stderr), naming the addresses in use. `None` with Fortnox's own endpoints.
    pub fn override_notice(&self) -> Option<Text> {
        if !self.is_override() {
            return None;
        }
        let (oauth, api) = (&self.oauth, &self.api);
        Some(Text::new(
            format!(
                "Not Fortnox's own servers: this app talks to {oauth} (login and tokens) and {api} (API), \
                 as {OAUTH_URL_VAR} / {API_URL_VAR} say. Use it only for testing."
            ),
            format!(
                "Inte Fortnox egna servrar: appen pratar med {oauth} (inloggning och token) och {api} (API), \
                 enligt {OAUTH_URL_VAR} / {API_URL_VAR}. Använd den bara för test."
            ),
        ))
    }

    /// `…/auth`, opened in the user's browser.
    pub fn authorize(&self) -> String {
        format!("{}/auth", self.oauth)
    }

    /// `…/token`.
    pub fn token(&self) -> String {
        format!("{}/token", self.oauth)
    }

    /// `…/revoke`.
    pub fn revoke(&self) -> String {
        format!("{}/revoke", self.oauth)
    }

    /// A REST API resource, e.g. `api("companyinformation")`.
    pub fn api(&self, resource: &str) -> String {
        format!("{}/{}", self.api, resource.trim_start_matches('/'))
    }
}

fn normalise(base: &str) -> String {
    base.trim().trim_end_matches('/').to_string()
}

/// Checks one override: an absolute `https://` address, or `http://` to a loopback host
/// (`localhost`, `127.0.0.0/8`, `[::1]`); no user name or password.
///
/// # Errors
/// [`Error::EndpointRefused`] with the variable, the value (without any password) and why.
pub fn check_override(variable: &str, value: &str) -> Result<(), Error> {
    let refuse = |problem| Error::EndpointRefused { variable: variable.to_string(), value: shown(value), problem };
    let url = url::Url::parse(value.trim()).map_err(|_| refuse(EndpointProblem::NotAnAddress))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse(EndpointProblem::Credentials));
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if is_loopback_host(&url) => Ok(()),
        "http" => Err(refuse(EndpointProblem::NotHttps)),
        _ if url.host().is_none() => Err(refuse(EndpointProblem::NotAnAddress)),
        _ => Err(refuse(EndpointProblem::NotHttps)),
    }
}

/// True for `localhost` and the loopback addresses (127.0.0.0/8, ::1).
pub(crate) fn is_loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// The value as it may be shown: any `user:password@` part removed.
fn shown(value: &str) -> String {
    match url::Url::parse(value.trim()) {
        Ok(mut url) if !url.username().is_empty() || url.password().is_some() => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        }
        Ok(_) => value.trim().to_string(),
        // Not a URL: show at most a short, printable prefix.
        Err(_) => value.trim().chars().filter(|c| !c.is_control()).take(80).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_fortnox() {
        let e = Endpoints::default();
        assert_eq!(e.authorize(), "https://apps.fortnox.se/oauth-v1/auth");
        assert_eq!(e.token(), "https://apps.fortnox.se/oauth-v1/token");
        assert_eq!(e.revoke(), "https://apps.fortnox.se/oauth-v1/revoke");
        assert_eq!(e.api("companyinformation"), "https://api.fortnox.se/3/companyinformation");
        assert!(!e.is_override());
        assert_eq!(e.override_notice(), None);
    }

    #[test]
    fn trailing_slashes_are_ignored() {
        let e = Endpoints::new("http://127.0.0.1:5000/oauth-v1/", "http://127.0.0.1:5000/3/");
        assert_eq!(e.token(), "http://127.0.0.1:5000/oauth-v1/token");
        assert_eq!(e.api("/me"), "http://127.0.0.1:5000/3/me");
    }

    #[test]
    fn no_override_or_blank_ones_mean_fortnox() {
        assert_eq!(Endpoints::from_overrides(None, None).unwrap(), Endpoints::default());
        assert_eq!(Endpoints::from_overrides(Some(""), Some("  ")).unwrap(), Endpoints::default());
        // The production address itself, with a trailing slash, is not an override either.
        let e = Endpoints::from_overrides(Some("https://apps.fortnox.se/oauth-v1/"), None).unwrap();
        assert!(!e.is_override());
    }

    #[test]
    fn https_overrides_are_accepted_anywhere_and_announced() {
        let e = Endpoints::from_overrides(Some("https://staging.example.com/oauth-v1"), None).unwrap();
        assert_eq!(e.token(), "https://staging.example.com/oauth-v1/token");
        assert_eq!(e.api("me"), "https://api.fortnox.se/3/me");
        let notice = e.override_notice().expect("an override is announced");
        assert!(notice.en.contains("https://staging.example.com/oauth-v1"), "{notice:?}");
        assert!(notice.sv.contains("Inte Fortnox egna servrar"), "{notice:?}");
    }

    #[test]
    fn plain_http_is_accepted_only_for_loopback_hosts() {
        for ok in [
            "http://localhost:5000/oauth-v1",
            "http://LOCALHOST/oauth-v1",
            "http://127.0.0.1:5000/oauth-v1",
            "http://127.10.20.30/x",
            "http://[::1]:5000/oauth-v1",
        ] {
            let e = Endpoints::from_overrides(Some(ok), Some(ok)).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert!(e.is_override());
        }
        for refused in [
            "http://example.com/oauth-v1",
            "http://128.0.0.1/x",
            "http://10.0.0.1:5000/x",
            "http://[::2]/x",
            "http://localhost.example.com/x",
            "http://0.0.0.0:5000/x",
        ] {
            match Endpoints::from_overrides(None, Some(refused)) {
                Err(Error::EndpointRefused { variable, value, problem }) => {
                    assert_eq!(variable, API_URL_VAR);
                    assert_eq!(value, refused);
                    assert_eq!(problem, EndpointProblem::NotHttps, "{refused}");
                }
                other => panic!("{refused}: {other:?}"),
            }
        }
    }

    #[test]
    fn other_schemes_and_non_addresses_are_refused() {
        let problem = |v: &str| match check_override(OAUTH_URL_VAR, v) {
            Err(Error::EndpointRefused { problem, .. }) => problem,
            other => panic!("{v}: {other:?}"),
        };
        assert_eq!(problem("ftp://example.com/x"), EndpointProblem::NotHttps);
        assert_eq!(problem("apps.fortnox.se/oauth-v1"), EndpointProblem::NotAnAddress);
        assert_eq!(problem("file:///etc/passwd"), EndpointProblem::NotAnAddress);
        assert_eq!(problem("https://"), EndpointProblem::NotAnAddress);
    }

    #[test]
    fn an_address_with_a_password_is_refused_without_showing_it() {
        let e = Endpoints::from_overrides(Some("https://me:hunter2@example.com/oauth-v1"), None).unwrap_err();
        assert_eq!(e.kind(), "endpoint_refused");
        let all = format!("{e} {e:?} {:?} {:?}", e.message(), e.next_step());
        assert!(!all.contains("hunter2"), "{all}");
        assert!(e.message().en.contains(OAUTH_URL_VAR), "{:?}", e.message());
    }

    #[test]
    fn a_refusal_explains_itself_in_both_languages() {
        let e = Endpoints::from_overrides(Some("http://example.com/oauth-v1"), None).unwrap_err();
        assert!(!e.is_authorization_failure(), "bad settings: exit code 2");
        let (m, n) = (e.message(), e.next_step());
        assert!(m.en.contains("http://example.com/oauth-v1") && m.en.contains("https"), "{m:?}");
        assert!(m.sv.contains("http://example.com/oauth-v1"), "{m:?}");
        assert!(n.en.contains(OAUTH_URL_VAR) && n.sv.contains(OAUTH_URL_VAR), "{n:?}");
    }
}
