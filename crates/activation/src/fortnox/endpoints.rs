//! Where Fortnox lives.
//!
//! Defaults are Fortnox's production endpoints. `FORTNOX_OAUTH_URL` (the base of `/auth`,
//! `/token` and `/revoke`) and `FORTNOX_API_URL` (the base of the REST API) override them,
//! for tests, staging and support.

/// Fortnox's OAuth2 base.
pub const DEFAULT_OAUTH_URL: &str = "https://apps.fortnox.se/oauth-v1";
/// Fortnox's REST API base.
pub const DEFAULT_API_URL: &str = "https://api.fortnox.se/3";

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
    /// Endpoints from explicit bases.
    pub fn new(oauth: &str, api: &str) -> Self {
        Endpoints {
            oauth: oauth.trim().trim_end_matches('/').to_string(),
            api: api.trim().trim_end_matches('/').to_string(),
        }
    }

    /// Fortnox's endpoints, unless `FORTNOX_OAUTH_URL` / `FORTNOX_API_URL` say otherwise.
    pub fn from_env() -> Self {
        let get = |var: &str, default: &str| {
            std::env::var(var).ok().filter(|v| !v.trim().is_empty()).unwrap_or_else(|| default.to_string())
        };
        Self::new(&get("FORTNOX_OAUTH_URL", DEFAULT_OAUTH_URL), &get("FORTNOX_API_URL", DEFAULT_API_URL))
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
    }

    #[test]
    fn trailing_slashes_are_ignored() {
        let e = Endpoints::new("http://127.0.0.1:5000/oauth-v1/", "http://127.0.0.1:5000/3/");
        assert_eq!(e.token(), "http://127.0.0.1:5000/oauth-v1/token");
        assert_eq!(e.api("/me"), "http://127.0.0.1:5000/3/me");
    }
}
