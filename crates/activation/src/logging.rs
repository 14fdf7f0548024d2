//! Logging: the core's [`tracing`] events and where they go.
//!
//! The core emits events at the points that matter to support: an attempt started (capture
//! mode, account type, how many scopes), the loopback listener bound, a callback or a paste
//! judged (which parameters were present, and the verdict's error kind), the exchange
//! started and finished (with the error kind), the company lookup, and each HTTP call
//! (method, address without query, status). Front ends choose the destination:
//! - the command line (crate `fortnox-activate`) installs a stderr subscriber for its `-v`
//!   count, with the target filter of [`TARGETS`];
//! - the desktop app installs no tracing subscriber: tracing's `log` feature then hands
//!   every event to the `log` facade, which `tauri-plugin-log` writes to a rotating file in
//!   the app's log folder.
//!
//! Security rule: no secret is ever a field of an event. Secrets are the newtypes of
//! [`crate::secret`], whose `Debug` prints `[redacted]`; URLs that may carry a code or a
//! state are never logged whole: [`redacted_url`] keeps the scheme, host and path and names
//! the query parameters present, never their values.

/// The `tracing` targets of this program's own events (the core's and the command line's);
/// a subscriber shows them at the level asked for, other crates' (HTTP, TLS) at warning.
pub const TARGETS: [&str; 2] = ["activation", "fortnox_activate"];

/// A URL as it may be logged: `scheme://host[:port]/path`, and `?` plus the names of the
/// query parameters present (`?code&state`), never their values; no user name or password,
/// no fragment. Text that is not a URL is replaced by its length.
pub fn redacted_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => {
            let mut out = format!("{}://{}", u.scheme(), u.host_str().unwrap_or(""));
            if let Some(port) = u.port() {
                out.push_str(&format!(":{port}"));
            }
            out.push_str(u.path());
            if let Some(q) = u.query() {
                out.push('?');
                out.push_str(&param_names(q));
            }
            out
        }
        Err(_) => format!("[not a URL, {} bytes]", url.len()),
    }
}

/// The names of the parameters in a raw query string, `&`-separated, without values
/// (`code&state`). Names that are not plain words are left out.
pub fn param_names(query: &str) -> String {
    let names: Vec<&str> = query
        .split('&')
        .filter_map(|pair| pair.split('=').next())
        .filter(|n| {
            !n.is_empty() && n.len() <= 32 && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        })
        .collect();
    names.join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_logged_without_values() {
        assert_eq!(
            redacted_url("http://localhost:9876/callback?code=SECRETCODE&state=SECRETSTATE"),
            "http://localhost:9876/callback?code&state"
        );
        assert_eq!(
            redacted_url("https://user:pw@apps.fortnox.se/oauth-v1/auth?client_id=x&state=s#frag"),
            "https://apps.fortnox.se/oauth-v1/auth?client_id&state"
        );
        assert_eq!(
            redacted_url("https://api.fortnox.se/3/companyinformation"),
            "https://api.fortnox.se/3/companyinformation"
        );
        assert_eq!(redacted_url("code=abc"), "[not a URL, 8 bytes]");
    }

    #[test]
    fn odd_parameter_names_are_dropped() {
        assert_eq!(param_names("code=1&st%61te=2&&=x&error=e"), "code&error");
    }
}
