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

/// Other crates' log text as it may be written: in every word that holds a `?` (a URL or a
/// link, say a deep-link plugin's "argument se.example.erp://cb?code=…&state=… does not
/// match"), the query keeps only its parameter names ([`param_names`]) and the fragment is
/// dropped; a word with `name=value` pairs joined by `&` (a query quoted on its own) keeps
/// only the names too. Other text is returned as it is.
pub fn redact_queries(text: &str) -> std::borrow::Cow<'_, str> {
    let risky = |word: &str| word.contains('?') || (word.contains('=') && word.contains('&'));
    if !text.split_whitespace().any(risky) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let start = rest.find(|c: char| !c.is_whitespace()).unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..end];
        rest = &rest[end..];
        if !risky(word) {
            out.push_str(word);
            continue;
        }
        // Quotes and brackets around the word stay, so the line still reads.
        let trimmed = word.trim_end_matches(['"', '\'', ')', ']', ',', ';', '>']);
        let tail = &word[trimmed.len()..];
        let (head, query) = match trimmed.split_once('?') {
            Some((head, query)) => (format!("{head}?"), query),
            None => {
                let before_pairs = &trimmed[..trimmed.find('=').unwrap_or(0)];
                let lead = before_pairs.rfind(['"', '\'', '(', '[', '<', ':']).map_or(0, |i| i + 1);
                (trimmed[..lead].to_string(), &trimmed[lead..])
            }
        };
        let query = query.split('#').next().unwrap_or_default();
        out.push_str(&head);
        out.push_str(&param_names(query));
        out.push_str(tail);
    }
    std::borrow::Cow::Owned(out)
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
    fn queries_in_other_crates_text_keep_their_names_only() {
        let line = "argument se.example.erp://oauth/fortnox?code=C0DE&state=ST4TE#x does not match any configured deep link scheme; skipping it";
        assert_eq!(
            redact_queries(line),
            "argument se.example.erp://oauth/fortnox?code&state does not match any configured deep link scheme; skipping it"
        );
        assert_eq!(
            redact_queries("url: \"se.fortnoxactivator.app:/callback?code=C0DE&state=ST4TE\", then"),
            "url: \"se.fortnoxactivator.app:/callback?code&state\", then"
        );
        assert_eq!(redact_queries("query: Some(\"code=C0DE&state=ST4TE\")"), "query: Some(\"code&state\")");
        assert!(matches!(redact_queries("plain text, a=b"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn odd_parameter_names_are_dropped() {
        assert_eq!(param_names("code=1&st%61te=2&&=x&error=e"), "code&error");
    }
}
