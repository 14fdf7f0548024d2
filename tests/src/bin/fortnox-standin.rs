//! `fortnox-standin`: runs the Fortnox stand-in (see `activator_tests::standin`) until
//! killed, for manual runs, screenshots and the docs (docs/testing.md).
//!
//! ```text
//! fortnox-standin [--port N] [--client-id ID] [--client-secret SECRET]
//!                 [--redirect-uri URI] [--service-accounts]
//!                 [--company-name NAME] [--access-token-length CHARS]
//! ```
//!
//! `--access-token-length` pads every access token to at least that many characters (for a
//! keychain with a size limit, such as the Windows Credential Manager's 2,560 bytes).
//!
//! Prints `FORTNOX_OAUTH_URL=…` and `FORTNOX_API_URL=…` (plus `FORTNOX_CLIENT_ID=…`,
//! `FORTNOX_CLIENT_SECRET=…`, `FORTNOX_REDIRECT_URI=…`) on stdout, one per line.

use std::io::Write as _;

use activator_tests::standin::{
    ClientConfig, CompanyConfig, StandIn, StandInConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URI,
};

const USAGE: &str = "usage: fortnox-standin [--port N] [--client-id ID] [--client-secret SECRET] \
[--redirect-uri URI] [--service-accounts] [--company-name NAME] [--access-token-length CHARS]";

fn main() {
    let mut port: u16 = 0;
    let mut company = CompanyConfig::default();
    let mut access_token_length = 0usize;
    let mut client = ClientConfig::new(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URI);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |what: &str| -> String {
            inline.clone().or_else(|| args.next()).unwrap_or_else(|| {
                eprintln!("fortnox-standin: {what} needs a value\n{USAGE}");
                std::process::exit(2)
            })
        };
        match name.as_str() {
            "--port" => {
                port = value("--port").parse().unwrap_or_else(|_| {
                    eprintln!("fortnox-standin: --port needs a number\n{USAGE}");
                    std::process::exit(2)
                })
            }
            "--client-id" => client.client_id = value("--client-id"),
            "--client-secret" => client.client_secret = value("--client-secret"),
            "--redirect-uri" => client.redirect_uri = value("--redirect-uri"),
            "--service-accounts" => client.service_account_enabled = true,
            "--company-name" => company.name = value("--company-name"),
            "--access-token-length" => {
                access_token_length = value("--access-token-length").parse().unwrap_or_else(|_| {
                    eprintln!("fortnox-standin: --access-token-length needs a number\n{USAGE}");
                    std::process::exit(2)
                })
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return;
            }
            other => {
                eprintln!("fortnox-standin: unknown argument {other}\n{USAGE}");
                std::process::exit(2)
            }
        }
    }

    let config = StandInConfig { port, company, ..StandInConfig::with_client(client.clone()) };
    let standin = match StandIn::try_start_in_background(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("fortnox-standin: cannot listen on 127.0.0.1:{port}: {e}");
            std::process::exit(1)
        }
    };
    standin.set_access_token_length(access_token_length);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "FORTNOX_OAUTH_URL={}", standin.oauth_url());
    let _ = writeln!(out, "FORTNOX_API_URL={}", standin.api_url());
    let _ = writeln!(out, "FORTNOX_CLIENT_ID={}", client.client_id);
    let _ = writeln!(out, "FORTNOX_CLIENT_SECRET={}", client.client_secret);
    let _ = writeln!(out, "FORTNOX_REDIRECT_URI={}", client.redirect_uri);
    let _ = out.flush();
    drop(out);
    eprintln!(
        "fortnox-standin: listening on {} (service accounts {}); Ctrl-C to stop",
        standin.base_url(),
        if client.service_account_enabled { "enabled" } else { "disabled" }
    );
    loop {
        std::thread::park();
    }
}
