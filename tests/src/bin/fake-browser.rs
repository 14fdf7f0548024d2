//! `fake-browser URL`: a stand-in for the user's web browser, meant to be `$BROWSER`
//! (xdg-open runs `$BROWSER "<url>"`).
//!
//! It GETs the URL and follows `Location` headers by hand (relative ones too), up to 10
//! hops, including to loopback callbacks: `localhost` is tried on 127.0.0.1 and on ::1,
//! as a browser would. It stops without fetching when the next URL is not plain `http`:
//! a private-use scheme (`se.example.app:/cb?code=…`) or any `https` URL (it has no
//! internet; for it every https page "does not exist", as when an integrator registers a
//! blank https page and the customer copies the code from the address bar).
//!
//! A private-use scheme link it hands to the operating system, as a browser does: `gio open
//! URL` (GLib's launcher, which runs the desktop entry registered for
//! `x-scheme-handler/<scheme>`), or `xdg-open URL` when `gio` is missing. The command is
//! `FAKE_BROWSER_HANDOFF` when set (a command line; the URL is appended); with
//! `FAKE_BROWSER_NO_HANDOFF=1` the link is only shown in the address bar (the test then
//! hands it over itself).
//!
//! Log (appended to the file named by `FAKE_BROWSER_LOG`, when set; also on stderr):
//! ```text
//! VISIT <status> <url>     a page fetched, with its HTTP status
//! ERROR <url> <message>    a page that could not be fetched (connection refused, …)
//! STOP <url>               a URL not fetched (private-use scheme, https)
//! HANDOFF <exit> <command> a scheme link handed to the OS (exit status of the launcher)
//! TIMEOUT <url>            the 10 s overall limit hit while at that URL
//! ENV <name>               a FORTNOX_* variable present in its environment (name only,
//!                          never the value; first lines)
//! FINAL <url>              what the address bar shows at the end (always the last line)
//! ```
//! The body of the last page fetched is written to `<FAKE_BROWSER_LOG>.body`
//! (overwritten).
//!
//! Other environment: `FAKE_BROWSER_DELAY_MS` sleeps that long first;
//! `FAKE_BROWSER_DETACH=1` returns at once and browses from a detached child process (for
//! callers that wait for the browser to exit). Always exits 0 once it has a URL, also
//! when the landing page is an error page; exit 2 without a URL.

use std::io::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const OVERALL_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_HOPS: usize = 10;

struct Log {
    path: Option<String>,
}

impl Log {
    fn line(&self, line: &str) {
        eprintln!("fake-browser: {line}");
        if let Some(path) = &self.path {
            if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
                let _ = writeln!(f, "{line}");
            }
        }
    }

    fn body(&self, body: &[u8]) {
        if let Some(path) = &self.path {
            let _ = std::fs::write(format!("{path}.body"), body);
        }
    }
}

fn main() {
    let Some(start) = std::env::args().nth(1) else {
        eprintln!("usage: fake-browser URL");
        std::process::exit(2);
    };

    if std::env::var("FAKE_BROWSER_DETACH").as_deref() == Ok("1") {
        if let Ok(exe) = std::env::current_exe() {
            let spawned = std::process::Command::new(exe)
                .arg(&start)
                .env_remove("FAKE_BROWSER_DETACH")
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn();
            if spawned.is_ok() {
                return;
            }
        }
    }

    if let Some(ms) = std::env::var("FAKE_BROWSER_DELAY_MS").ok().and_then(|v| v.trim().parse::<u64>().ok()) {
        std::thread::sleep(Duration::from_millis(ms));
    }

    let log = Arc::new(Log { path: std::env::var("FAKE_BROWSER_LOG").ok().filter(|p| !p.is_empty()) });
    let current = Arc::new(Mutex::new(start.clone()));
    // What a launched browser inherits matters (no secret may reach it): record the names.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("FORTNOX_") {
            log.line(&format!("ENV {name}"));
        }
    }

    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            log.line(&format!("ERROR {start} cannot start runtime: {e}"));
            log.line(&format!("FINAL {start}"));
            return;
        }
    };
    let outcome =
        rt.block_on(async { tokio::time::timeout(OVERALL_TIMEOUT, browse(start, log.clone(), current.clone())).await });
    let at = current.lock().map(|c| c.clone()).unwrap_or_default();
    if outcome.is_err() {
        log.line(&format!("TIMEOUT {at}"));
    } else if is_private_scheme(&at) && std::env::var("FAKE_BROWSER_NO_HANDOFF").as_deref() != Ok("1") {
        hand_off(&log, &at);
    }
    log.line(&format!("FINAL {at}"));
    // Do not wait for the runtime's leftovers.
    rt.shutdown_background();
}

async fn browse(start: String, log: Arc<Log>, current: Arc<Mutex<String>>) {
    let set_current = |u: &str| {
        if let Ok(mut c) = current.lock() {
            *c = u.to_string();
        }
    };
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(Duration::from_secs(3))
        .timeout(Duration::from_secs(8))
        .user_agent("Mozilla/5.0 (X11; Linux x86_64) fake-browser/1.0")
        // localhost: try 127.0.0.1 and ::1 (port 0 = the URL's port).
        .resolve_to_addrs(
            "localhost",
            &[SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), SocketAddr::from((Ipv6Addr::LOCALHOST, 0))],
        )
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            log.line(&format!("ERROR {start} cannot build client: {e}"));
            return;
        }
    };

    let mut url = match url::Url::parse(&start) {
        Ok(u) => u,
        Err(_) => {
            log.line(&format!("STOP {start}"));
            return;
        }
    };
    for hop in 0..=MAX_HOPS {
        set_current(url.as_str());
        if url.scheme() != "http" {
            // Private-use scheme, or https (no internet: the page does not exist).
            log.line(&format!("STOP {url}"));
            return;
        }
        let resp =
            match client.get(url.clone()).header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8").send().await {
                Ok(r) => r,
                Err(e) => {
                    log.line(&format!("ERROR {url} {}", one_line(&e)));
                    return;
                }
            };
        let status = resp.status();
        log.line(&format!("VISIT {} {url}", status.as_u16()));
        let location = resp.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string);
        let body = resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        match location {
            Some(loc) if status.is_redirection() => {
                if hop == MAX_HOPS {
                    log.body(&body);
                    log.line(&format!("ERROR {url} too many redirects"));
                    return;
                }
                match url.join(loc.trim()) {
                    Ok(next) => url = next,
                    Err(_) => {
                        log.body(&body);
                        set_current(loc.trim());
                        log.line(&format!("STOP {}", loc.trim()));
                        return;
                    }
                }
            }
            _ => {
                log.body(&body);
                return;
            }
        }
    }
}

/// A URL whose scheme is neither web nor file: what a browser gives to the operating system.
fn is_private_scheme(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| !matches!(u.scheme(), "http" | "https" | "file" | "about" | "data"))
}

/// Hands a scheme link to the operating system and waits for the launcher (not the app).
fn hand_off(log: &Log, url: &str) {
    let configured = std::env::var("FAKE_BROWSER_HANDOFF").ok().filter(|c| !c.trim().is_empty());
    let candidates: Vec<Vec<String>> = match configured {
        Some(c) => vec![c.split_whitespace().map(str::to_string).collect()],
        None => vec![vec!["gio".into(), "open".into()], vec!["xdg-open".into()]],
    };
    for mut words in candidates {
        let shown = words.join(" ");
        words.push(url.to_string());
        match std::process::Command::new(&words[0])
            .args(&words[1..])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .status()
        {
            Ok(status) => {
                log.line(&format!("HANDOFF {} {shown}", status.code().unwrap_or(-1)));
                return;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                log.line(&format!("HANDOFF -1 {shown}: {e}"));
                return;
            }
        }
    }
    log.line("HANDOFF -1 no launcher (gio, xdg-open) found");
}

fn one_line(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s.replace(['\n', '\r'], " ")
}
