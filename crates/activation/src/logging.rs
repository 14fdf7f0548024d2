//! Logging: the core's [`tracing`] events and where they go.
//!
//! The core emits events at the points that matter to support: an attempt started (capture
//! mode, account type, how many scopes), the loopback listener bound, a callback or a paste
//! judged (which parameters were present, and the verdict's error kind), the exchange
//! started and finished (with the error kind), the company lookup, and each HTTP call
//! (method, address without query, status). Front ends choose the destination:
//! - the command line calls [`init_stderr`] with its `-v` count;
//! - the desktop app installs no tracing subscriber: tracing's `log` feature then hands
//!   every event to the `log` facade, which `tauri-plugin-log` writes to a rotating file in
//!   the app's log folder.
//!
//! Security rule: no secret is ever a field of an event. Secrets are the newtypes of
//! [`crate::secret`], whose `Debug` prints `[redacted]`; URLs that may carry a code or a
//! state are never logged whole: [`redacted_url`] keeps the scheme, host and path and names
//! the query parameters present, never their values.

use tracing::Level;

/// Sends the core's events to stderr, for a command line: `verbosity` 0 shows warnings and
/// errors, 1 (`-v`) adds the steps of the flow, 2 (`-vv`) HTTP calls and other detail, 3 or
/// more everything. No colours, no secrets (see the module's rule).
///
/// Returns false (and changes nothing) when a subscriber was already installed.
pub fn init_stderr(verbosity: u8) -> bool {
    init_writer(level_for(verbosity), std::io::stderr)
}

/// Sends events to `writer` (for a file, or a test): this program's (`activation`,
/// `fortnox_activate`) at `level` and above, other crates' (HTTP, TLS) warnings and errors
/// only, unless `level` is `TRACE`, which lets everything through.
///
/// Returns false (and changes nothing) when a subscriber was already installed.
pub fn init_writer<W>(level: Level, writer: W) -> bool
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    use tracing_subscriber::util::SubscriberInitExt as _;
    subscriber(level, writer).try_init().is_ok()
}

/// The subscriber [`init_writer`] installs.
fn subscriber<W>(level: Level, writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::layer::SubscriberExt as _;
    let others = if level == Level::TRACE { Level::TRACE } else { Level::WARN.min(level) };
    let filter =
        Targets::new().with_target("activation", level).with_target("fortnox_activate", level).with_default(others);
    tracing_subscriber::fmt().with_max_level(level).with_writer(writer).with_ansi(false).finish().with(filter)
}

/// The level for a `-v` count.
pub fn level_for(verbosity: u8) -> Level {
    match verbosity {
        0 => Level::WARN,
        1 => Level::INFO,
        2 => Level::DEBUG,
        _ => Level::TRACE,
    }
}

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

    #[test]
    fn verbose_levels_show_this_program_and_only_warnings_of_other_crates() {
        let seen = |verbosity: u8| {
            let buf = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
            let sink = buf.clone();
            let make = move || SharedBuf(sink.clone());
            tracing::subscriber::with_default(subscriber(level_for(verbosity), make), || {
                tracing::info!(target: "activation::flow", "our step");
                tracing::debug!(target: "activation::fortnox::http", "our detail");
                tracing::debug!(target: "hyper_util::client", "their detail");
                tracing::warn!(target: "rustls::client", "their warning");
            });
            let text = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
            text
        };
        let quiet = seen(0);
        assert!(quiet.contains("their warning") && !quiet.contains("our step"), "{quiet}");
        let v = seen(1);
        assert!(v.contains("our step") && !v.contains("our detail") && !v.contains("their detail"), "{v}");
        let vv = seen(2);
        assert!(vv.contains("our detail") && !vv.contains("their detail"), "{vv}");
        let vvv = seen(3);
        assert!(vvv.contains("their detail"), "{vvv}");
    }

    struct SharedBuf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for SharedBuf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn verbosity_maps_to_levels() {
        assert_eq!(level_for(0), Level::WARN);
        assert_eq!(level_for(1), Level::INFO);
        assert_eq!(level_for(2), Level::DEBUG);
        assert_eq!(level_for(9), Level::TRACE);
    }
}
