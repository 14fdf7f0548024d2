//! Reading the redirect: from a query string (loopback listener), or from whatever the user
//! pasted (a whole URL, a bare query, or just the code).

use crate::secret::AuthCode;
use crate::Error;

/// The parameters of a redirect back from Fortnox.
#[derive(Debug, Clone, Default)]
pub struct RedirectParams {
    pub code: Option<AuthCode>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// Parses a raw (percent-encoded) query string. Empty values count as absent; the first
/// occurrence of a parameter wins.
pub fn parse_query(query: &str) -> RedirectParams {
    let mut p = RedirectParams::default();
    for (k, v) in url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        match k.as_ref() {
            "code" if p.code.is_none() => p.code = Some(AuthCode::new(v)),
            "state" if p.state.is_none() => p.state = Some(v.to_string()),
            "error" if p.error.is_none() => p.error = Some(v.to_string()),
            "error_description" if p.error_description.is_none() => p.error_description = Some(v.to_string()),
            _ => {}
        }
    }
    p
}

/// Parses what the user pasted: a whole URL (`https://…/cb?code=…&state=…`, or a private
/// scheme), a query (`?code=…` or `code=…&state=…`), or a bare code.
///
/// # Errors
/// [`Error::NoCodeInRedirect`] when the text holds neither a code nor an error.
pub fn parse_pasted(text: &str) -> Result<RedirectParams, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::NoCodeInRedirect);
    }
    let query = if let Some((_, q)) = text.split_once('?') {
        q.split('#').next().unwrap_or("")
    } else if text.contains('=') {
        text
    } else if looks_like_code(text) {
        return Ok(RedirectParams { code: Some(AuthCode::new(text)), ..Default::default() });
    } else {
        return Err(Error::NoCodeInRedirect);
    };
    let params = parse_query(query);
    if params.code.is_none() && params.error.is_none() {
        return Err(Error::NoCodeInRedirect);
    }
    Ok(params)
}

fn looks_like_code(s: &str) -> bool {
    s.len() >= 6 && s.len() <= 512 && s.chars().all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
}

/// Maps an `error` of the authorize redirect to an error kind.
pub fn authorize_error(error: &str, description: Option<&str>) -> Error {
    let description = description.map(str::to_string);
    let desc = description.as_deref().unwrap_or("").to_ascii_lowercase();
    match error {
        "access_denied" | "user_denied" | "consent_required" => Error::AccessDenied { description },
        "invalid_scope" => Error::InvalidScope { description },
        _ if desc.contains("service account") => Error::ServiceAccountNotAllowed { description },
        _ if desc.contains("redirect") => Error::RedirectMismatch { description },
        _ if desc.contains("licens") || desc.contains("behörighet") || desc.contains("permission") => {
            Error::MissingLicenceOrRights { description }
        }
        "invalid_client" | "unauthorized_client" => Error::InvalidClient { description },
        _ => Error::AuthorizationFailed { error: error.to_string(), description },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_decoded() {
        let p = parse_query("code=a%2Bb&state=xyz&error_description=Hej+d%C3%A5&extra=1");
        assert_eq!(p.code.unwrap().expose(), "a+b");
        assert_eq!(p.state.as_deref(), Some("xyz"));
        assert_eq!(p.error_description.as_deref(), Some("Hej då"));
    }

    #[test]
    fn pasted_urls_queries_and_bare_codes_work() {
        for text in [
            "https://example.com/cb?code=ABC123&state=s1",
            "  http://localhost:9876/callback?state=s1&code=ABC123#frag ",
            "se.example.app:/cb?code=ABC123&state=s1",
            "?code=ABC123&state=s1",
            "code=ABC123&state=s1",
        ] {
            let p = parse_pasted(text).unwrap();
            assert_eq!(p.code.unwrap().expose(), "ABC123", "{text}");
            assert_eq!(p.state.as_deref(), Some("s1"), "{text}");
        }
        let p = parse_pasted("f3b0c1d2-9a8b-4c7d-8e6f-5a4b3c2d1e0f").unwrap();
        assert_eq!(p.code.unwrap().expose(), "f3b0c1d2-9a8b-4c7d-8e6f-5a4b3c2d1e0f");
        assert!(p.state.is_none());
    }

    #[test]
    fn pasting_nothing_useful_is_explained() {
        for text in ["", "https://example.com/cb", "https://example.com/cb?foo=bar", "hello world", "abc"] {
            assert!(matches!(parse_pasted(text), Err(Error::NoCodeInRedirect)), "{text}");
        }
    }

    #[test]
    fn authorize_errors_get_their_kinds() {
        assert_eq!(authorize_error("access_denied", None).kind(), "access_denied");
        assert_eq!(
            authorize_error("invalid_request", Some("Client does not allow service account")).kind(),
            "service_account_not_allowed"
        );
        assert_eq!(
            authorize_error("invalid_request", Some("The redirect URI is missing or do not match")).kind(),
            "redirect_mismatch"
        );
        assert_eq!(authorize_error("server_error", None).kind(), "authorization_failed");
        assert_eq!(authorize_error("invalid_scope", Some("Invalid scope: bookkeping")).kind(), "invalid_scope");
    }
}
