//! Judging a link the operating system handed to the app: a private-use URI scheme redirect
//! (`se.fortnoxactivator.app:/callback?code=…&state=…`, RFC 8252 §7.1).
//!
//! Contract: a link counts as Fortnox's answer only when its scheme and path (and host, if
//! any) are those of the attempt's redirect URI; its query is then judged like a loopback
//! callback ([`Origin::Automatic`](crate::authorize::Origin)): the state must be present and
//! match. Anything else is refused before any token request.
//!
//! Security rule: a link is attacker-controllable input (any web page can open one), so it
//! never starts an exchange by itself: only a pending attempt of this process, whose fresh
//! state it carries, can be finished by it. The link's text is never logged, echoed or put in
//! an error: it may hold a code.

use crate::capture::redirect::{self, RedirectParams};
use crate::capture::redirect_uri::RedirectUri;
use crate::Error;

/// The app's own private-use scheme: its identifier in `tauri.conf.json`, reverse-domain as
/// RFC 8252 §7.1 asks. Its redirect URI is [`APP_REDIRECT_URI`].
pub const APP_SCHEME: &str = "se.fortnoxactivator.app";

/// The redirect URI to register in Fortnox's Developer Portal for the app's own scheme.
pub const APP_REDIRECT_URI: &str = "se.fortnoxactivator.app:/callback";

/// Reads a link for the attempt whose redirect URI is `redirect_uri`.
///
/// # Errors
/// [`Error::LinkMismatch`] when the link is not an address of that redirect URI (another
/// scheme, host or path, or not a URL at all).
pub fn read_link(redirect_uri: &RedirectUri, link: &str) -> Result<RedirectParams, Error> {
    let mismatch = || Error::LinkMismatch { expected: redirect_uri.as_str().to_string() };
    let expected = url::Url::parse(redirect_uri.as_str()).map_err(|_| mismatch())?;
    let got = url::Url::parse(link.trim()).map_err(|_| mismatch())?;
    let same = got.scheme().eq_ignore_ascii_case(expected.scheme())
        && got.host_str().unwrap_or("").eq_ignore_ascii_case(expected.host_str().unwrap_or(""))
        && got.port() == expected.port()
        && normalise_path(got.path()) == normalise_path(expected.path());
    if !same {
        return Err(mismatch());
    }
    Ok(redirect::parse_query(got.query().unwrap_or("")))
}

/// True when `link` looks like a private-use scheme link this app might be handed: a URL
/// whose scheme is reverse-domain (has a dot) and is not a web or file scheme. Command-line
/// arguments are filtered with it, so nothing else is mistaken for a redirect.
pub fn is_scheme_link(link: &str) -> bool {
    match url::Url::parse(link.trim()) {
        Ok(u) => {
            let s = u.scheme();
            s.contains('.') && !matches!(s, "http" | "https" | "file" | "data" | "javascript" | "about" | "blob")
        }
        Err(_) => false,
    }
}

/// True when `scheme` is one the app may register itself for: reverse-domain, made of the
/// characters RFC 3986 allows in a scheme, and not a web or file scheme.
pub fn is_registrable_scheme(scheme: &str) -> bool {
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    first_ok
        && scheme.len() <= 100
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && scheme.contains('.')
        && !scheme.starts_with('.')
        && !scheme.ends_with('.')
}

/// `se.x:/cb` and `se.x:cb` name the same place for a person; an empty path is `/`.
fn normalise_path(path: &str) -> String {
    let p = path.trim_end_matches('/');
    if p.starts_with('/') {
        p.to_string()
    } else {
        format!("/{p}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> RedirectUri {
        RedirectUri::parse(s).unwrap()
    }

    #[test]
    fn a_link_to_the_redirect_uri_yields_its_code_and_state() {
        let p = read_link(&uri(APP_REDIRECT_URI), "se.fortnoxactivator.app:/callback?code=C0DE&state=s1").unwrap();
        assert_eq!(p.code.unwrap().expose(), "C0DE");
        assert_eq!(p.state.as_deref(), Some("s1"));
        // The scheme's case and a trailing slash do not matter.
        let p = read_link(&uri(APP_REDIRECT_URI), "SE.FortnoxActivator.App:/callback/?code=C0DE").unwrap();
        assert!(p.state.is_none());
        let p =
            read_link(&uri("se.example.erp://oauth/done"), "se.example.erp://oauth/done?error=access_denied").unwrap();
        assert_eq!(p.error.as_deref(), Some("access_denied"));
    }

    #[test]
    fn a_link_to_another_path_scheme_or_host_is_refused_without_echoing_it() {
        for link in [
            "se.fortnoxactivator.app:/other?code=C0DE&state=s1",
            "se.fortnoxactivator.app:/?code=C0DE&state=s1",
            "se.other.app:/callback?code=C0DE&state=s1",
            "https://evil.example/callback?code=C0DE&state=s1",
            "not a url",
        ] {
            let e = read_link(&uri(APP_REDIRECT_URI), link).unwrap_err();
            assert_eq!(e.kind(), "link_mismatch", "{link}");
            let shown = format!("{e:?} {} {}", e.message().en, e.detail().unwrap_or_default());
            assert!(!shown.contains("C0DE"), "{shown}");
        }
        let e =
            read_link(&uri("se.example.erp://oauth/done"), "se.example.erp://elsewhere/done?code=C0DE").unwrap_err();
        assert_eq!(e.kind(), "link_mismatch");
    }

    #[test]
    fn only_reverse_domain_schemes_count_as_links() {
        assert!(is_scheme_link("se.fortnoxactivator.app:/callback?code=x"));
        assert!(is_scheme_link("com.example.erp://cb"));
        for arg in ["--help", "https://x.example/cb", "file:///etc/passwd", "myapp:/cb", "/home/u/file.txt", ""] {
            assert!(!is_scheme_link(arg), "{arg}");
        }
    }

    #[test]
    fn only_well_formed_reverse_domain_schemes_may_be_registered() {
        assert!(is_registrable_scheme("se.example.erp"));
        assert!(is_registrable_scheme(APP_SCHEME));
        for bad in ["", "http", "myapp", ".se.x", "se.x.", "se x.app", "1se.app", "se.app;rm", "se.app/x"] {
            assert!(!is_registrable_scheme(bad), "{bad}");
        }
    }
}
