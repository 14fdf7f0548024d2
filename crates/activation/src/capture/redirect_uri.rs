//! The redirect URI: what kind it is, and so how the redirect is captured.
//!
//! Fortnox matches the registered redirect URI exactly (port and path included), so the
//! loopback listener uses the very port and path of the configured URI, never an ephemeral one.

use crate::capture::link::APP_SCHEME;
use crate::i18n::Text;
use crate::Error;
use serde::Serialize;

/// Which loopback host the redirect URI names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LoopbackHost {
    /// `localhost`: listen on both 127.0.0.1 and ::1 (RFC 8252 §7.3).
    Localhost,
    /// `127.0.0.1`: listen on 127.0.0.1 only.
    Ipv4,
    /// `[::1]`: listen on ::1 only.
    Ipv6,
}

/// Where a loopback listener must listen: the exact port and path of the redirect URI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoopbackTarget {
    pub host: LoopbackHost,
    pub port: u16,
    /// The path, starting with `/` (e.g. `/callback`).
    pub path: String,
}

/// How the redirect will be captured, derived from the redirect URI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum Capture {
    /// A listener on this computer receives the browser's redirect.
    Loopback(LoopbackTarget),
    /// A private-use URI scheme (`se.example.app:/callback`): the operating system hands the
    /// redirect to the app registered for it, as a link ([`crate::capture::link`]). `own` is
    /// true for the app's own scheme ([`APP_SCHEME`]), which its installers declare; another
    /// (an integration's own) scheme the app registers for itself at run time where the
    /// platform allows it.
    Scheme { scheme: String, own: bool },
    /// An https page: the user copies the address from the browser and pastes it.
    Paste,
}

/// A parsed, validated redirect URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectUri {
    /// Exactly as the user entered it (trimmed): this string goes byte-identical into the
    /// authorize URL and the code exchange, and is the value to register in the portal.
    raw: String,
    capture: Capture,
}

impl RedirectUri {
    /// Parses and classifies a redirect URI.
    ///
    /// # Errors
    /// [`Error::InvalidSettings`] with a plain explanation when the text is not a usable
    /// redirect URI: not a URL, `http` to a non-loopback host, a loopback URI without a port,
    /// a fragment, or an unsupported scheme.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let raw = input.trim();
        if raw.is_empty() {
            return Err(invalid(
                "Enter the redirect URI registered for the integration in Fortnox's Developer Portal, for example http://localhost:9876/callback.",
                "Ange omdirigerings-URI:n som är registrerad för integrationen i Fortnox utvecklarportal, till exempel http://localhost:9876/callback.",
            ));
        }
        // The common slips get their own words (the window offers the fix): a space, often
        // from copying, and an address without its `http://`, which would otherwise parse
        // as a scheme called "localhost".
        if raw.chars().any(char::is_whitespace) {
            return Err(invalid(
                "A redirect URI has no spaces. Remove them: Fortnox compares the address character by character.",
                "En omdirigerings-URI innehåller inga mellanslag. Ta bort dem: Fortnox jämför adressen tecken för tecken.",
            ));
        }
        if lacks_http(raw) {
            return Err(Error::InvalidSettings(Text::new(
                format!("The address lacks http:// at the start: http://{raw}"),
                format!("Adressen saknar http:// i början: http://{raw}"),
            )));
        }
        let url = url::Url::parse(raw).map_err(|_| {
            invalid(
                "This is not a complete address. It should look like http://localhost:9876/callback or https://example.com/fortnox.",
                "Det här är ingen fullständig adress. Den ska se ut som http://localhost:9876/callback eller https://example.com/fortnox.",
            )
        })?;
        if url.fragment().is_some() {
            return Err(invalid(
                "A redirect URI cannot contain '#'. Remove it and what follows.",
                "En omdirigerings-URI får inte innehålla '#'. Ta bort det och det som följer.",
            ));
        }
        let capture = match url.scheme() {
            "http" => {
                let host = match url.host() {
                    Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => LoopbackHost::Localhost,
                    Some(url::Host::Ipv4(ip)) if ip == std::net::Ipv4Addr::LOCALHOST => LoopbackHost::Ipv4,
                    Some(url::Host::Ipv6(ip)) if ip == std::net::Ipv6Addr::LOCALHOST => LoopbackHost::Ipv6,
                    _ => {
                        return Err(invalid(
                            "An http:// address must point to this computer (localhost, 127.0.0.1 or [::1]). For a web page, use https://.",
                            "En http://-adress måste peka på den här datorn (localhost, 127.0.0.1 eller [::1]). Använd https:// för en webbsida.",
                        ))
                    }
                };
                // `url` drops the port when it is the scheme's default, so look at the text too.
                let port = match url.port() {
                    Some(p) => p,
                    None if has_explicit_port(raw) => 80,
                    None => {
                        return Err(invalid(
                            "Add a port to the address, for example http://localhost:9876/callback. Fortnox needs the exact port.",
                            "Lägg till en port i adressen, till exempel http://localhost:9876/callback. Fortnox behöver den exakta porten.",
                        ))
                    }
                };
                if port == 0 {
                    return Err(invalid(
                        "Port 0 cannot be used. Choose a fixed port such as 9876.",
                        "Port 0 kan inte användas. Välj en fast port som 9876.",
                    ));
                }
                Capture::Loopback(LoopbackTarget { host, port, path: url.path().to_string() })
            }
            "https" => {
                if url.host_str().is_none_or(str::is_empty) {
                    return Err(invalid(
                        "The https address has no host name.",
                        "https-adressen saknar värdnamn.",
                    ));
                }
                Capture::Paste
            }
            "javascript" | "data" | "file" | "ftp" | "mailto" | "about" | "blob" | "ws" | "wss" => {
                return Err(invalid(
                    "This kind of address cannot receive Fortnox's answer. Use http://localhost:PORT/path, https://, or your app's own scheme.",
                    "Den här sortens adress kan inte ta emot Fortnox svar. Använd http://localhost:PORT/sökväg, https:// eller appens eget schema.",
                ))
            }
            scheme => {
                if !scheme.contains('.') {
                    return Err(invalid(
                        "An app's own scheme should be in reverse-domain form, like se.example.app:/callback.",
                        "Ett eget schema för en app ska skrivas med omvänt domännamn, som se.example.app:/callback.",
                    ));
                }
                Capture::Scheme { scheme: scheme.to_string(), own: scheme == APP_SCHEME }
            }
        };
        Ok(RedirectUri { raw: raw.to_string(), capture })
    }

    /// The URI exactly as entered (trimmed).
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// How the redirect is captured.
    pub fn capture(&self) -> &Capture {
        &self.capture
    }

    /// The loopback target, when the URI points to this computer.
    pub fn loopback(&self) -> Option<&LoopbackTarget> {
        match &self.capture {
            Capture::Loopback(t) => Some(t),
            _ => None,
        }
    }
}

fn has_explicit_port(raw: &str) -> bool {
    let after_scheme = raw.split_once("://").map_or(raw, |(_, r)| r);
    let authority = after_scheme.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    match host_port.rsplit_once(':') {
        Some((host, port)) => !host.ends_with('[') && !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()),
        None => false,
    }
}

/// `localhost:9876/callback`, `127.0.0.1:…`, `[::1]:…`: a loopback address without `http://`.
fn lacks_http(raw: &str) -> bool {
    let lower = raw.to_ascii_lowercase();
    !lower.contains("://") && ["localhost:", "localhost/", "127.0.0.1", "[::1]"].iter().any(|p| lower.starts_with(p))
}

fn invalid(en: &str, sv: &str) -> Error {
    Error::InvalidSettings(Text::new(en, sv))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(s: &str) -> LoopbackTarget {
        RedirectUri::parse(s).unwrap().loopback().cloned().unwrap()
    }

    #[test]
    fn loopback_uris_keep_exact_port_and_path() {
        let t = target("http://localhost:9876/callback");
        assert_eq!((t.host, t.port, t.path.as_str()), (LoopbackHost::Localhost, 9876, "/callback"));
        let t = target("http://127.0.0.1:33140/");
        assert_eq!((t.host, t.port, t.path.as_str()), (LoopbackHost::Ipv4, 33140, "/"));
        let t = target("http://[::1]:8888/oauth/fortnox");
        assert_eq!((t.host, t.port, t.path.as_str()), (LoopbackHost::Ipv6, 8888, "/oauth/fortnox"));
        assert_eq!(target("http://localhost:80/cb").port, 80);
    }

    #[test]
    fn the_raw_value_is_kept_byte_identical() {
        let u = RedirectUri::parse("  http://LOCALHOST:9876/callback ").unwrap();
        assert_eq!(u.as_str(), "http://LOCALHOST:9876/callback");
    }

    #[test]
    fn other_kinds_are_classified() {
        assert_eq!(RedirectUri::parse("https://example.com/fortnox").unwrap().capture(), &Capture::Paste);
        assert_eq!(
            RedirectUri::parse("se.example.activator:/callback").unwrap().capture(),
            &Capture::Scheme { scheme: "se.example.activator".into(), own: false }
        );
        assert_eq!(
            RedirectUri::parse("se.fortnoxactivator.app:/callback").unwrap().capture(),
            &Capture::Scheme { scheme: "se.fortnoxactivator.app".into(), own: true }
        );
    }

    #[test]
    fn unusable_uris_are_refused_with_a_reason() {
        for bad in [
            "",
            "localhost:9876",
            "http://example.com/callback",
            "http://192.168.1.10:9876/cb",
            "http://localhost/callback",
            "http://localhost:9876/cb#x",
            "javascript:alert(1)",
            "myapp:/cb",
            "http://localhost:0/cb",
        ] {
            let e = RedirectUri::parse(bad).unwrap_err();
            assert_eq!(e.kind(), "invalid_settings", "{bad}");
        }
    }

    #[test]
    fn the_common_slips_are_named() {
        for (bad, says) in [
            ("localhost:9876/callback", "lacks http:// at the start: http://localhost:9876/callback"),
            ("127.0.0.1:9876/callback", "lacks http://"),
            ("http://localhost:9876/ callback", "has no spaces"),
        ] {
            let e = RedirectUri::parse(bad).unwrap_err();
            assert!(e.message().en.contains(says), "{bad}: {}", e.message().en);
        }
        // A reverse-domain scheme is no slip.
        assert!(RedirectUri::parse("se.example.app:/callback").is_ok());
    }
}
