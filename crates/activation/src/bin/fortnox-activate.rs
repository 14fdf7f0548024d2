//! `fortnox-activate`: activate a Fortnox integration from a terminal or a script.
//!
//! ```text
//! fortnox-activate --client-id ID --redirect-uri URI --scope S [--scope S ...]
//!                  [--service-account] [--code-only] [--no-browser] [--timeout SECS]
//! ```
//! The client secret comes from `FORTNOX_CLIENT_SECRET` or a prompt without echo, never from
//! a flag (flags show in `ps` and shell history). The authorize URL and all messages go to
//! stderr; stdout gets exactly one JSON object. Exit codes: 0 success, 1 authorization
//! failed, 2 bad usage or settings (a port in use included), 3 timed out or cancelled.

use activation::flow::{Activation, Outcome, DEFAULT_TIMEOUT};
use activation::fortnox::endpoints::Endpoints;
use activation::fortnox::token::FortnoxClient;
use activation::secret::ClientSecret;
use activation::settings::{self, AccountType, NameRule, SettingsInput};
use activation::{Error, Language};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;
use tokio::io::AsyncBufReadExt;
use tokio_util::sync::CancellationToken;

const USAGE: &str = "usage: fortnox-activate --client-id ID --redirect-uri URI --scope S [--scope S ...] \
[--service-account] [--code-only] [--no-browser] [--timeout SECS]

  --client-id ID       the app's client id (or FORTNOX_CLIENT_ID)
  --redirect-uri URI   the redirect URI registered in Fortnox's Developer Portal (or FORTNOX_REDIRECT_URI)
  --scope S            a scope; repeat it or give a comma list (companyinformation,invoice)
  --service-account    activate a service account (account_type=service)
  --code-only          print the authorization code instead of exchanging it
  --no-browser         do not open a browser; only print the URL
  --timeout SECS       how long to wait for Fortnox (default 600)

The client secret is read from FORTNOX_CLIENT_SECRET, or asked for without echo.
Without a secret, the code is printed (as with --code-only).
FORTNOX_OAUTH_URL and FORTNOX_API_URL override Fortnox's endpoints.";

#[derive(Debug, Default)]
struct Args {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scopes: Vec<String>,
    service_account: bool,
    code_only: bool,
    no_browser: bool,
    timeout: Option<u64>,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut a = Args::default();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |what: &str| -> Result<String, String> {
            inline.clone().or_else(|| it.next()).ok_or_else(|| format!("{what} needs a value"))
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(None),
            "--client-id" => a.client_id = Some(value("--client-id")?),
            "--redirect-uri" => a.redirect_uri = Some(value("--redirect-uri")?),
            "--scope" | "--scopes" => a.scopes.push(value("--scope")?),
            "--service-account" => a.service_account = true,
            "--code-only" => a.code_only = true,
            "--no-browser" => a.no_browser = true,
            "--timeout" => {
                let v = value("--timeout")?;
                let secs: u64 = v.parse().map_err(|_| format!("--timeout takes a number of seconds, not {v:?}"))?;
                if secs == 0 {
                    return Err("--timeout must be at least 1 second".into());
                }
                a.timeout = Some(secs);
            }
            "--client-secret" => {
                return Err("the client secret is never taken as a flag (it would show in the process list); set FORTNOX_CLIENT_SECRET or answer the prompt".into())
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(a))
}

fn env(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.trim().is_empty())
}

/// Exit code for an error: 1 authorization failed, 2 settings, 3 timeout or cancel.
fn exit_code(e: &Error) -> u8 {
    match e {
        Error::TimedOut { .. } | Error::Cancelled => 3,
        e if !e.is_authorization_failure() => 2,
        _ => 1,
    }
}

fn fail(e: &Error, lang: Language) -> ExitCode {
    let code = exit_code(e);
    let prefix = match code {
        1 => "authorization failed",
        2 => "cannot start",
        _ => "stopped",
    };
    eprintln!("{prefix}: {}", e.explain(lang));
    ExitCode::from(code)
}

#[tokio::main]
async fn main() -> ExitCode {
    let lang = Language::from_env();
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("fortnox-activate: {msg}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // A refused endpoint override stops here (exit 2), before the secret is asked for.
    let endpoints = match Endpoints::from_env() {
        Ok(e) => e,
        Err(e) => return fail(&e, lang),
    };
    if let Some(notice) = endpoints.override_notice() {
        eprintln!("note: {}", notice.get(lang));
    }
    let client_secret = if args.code_only {
        None
    } else if let Some(s) = env("FORTNOX_CLIENT_SECRET") {
        Some(ClientSecret::new(s))
    } else if std::io::stdin().is_terminal() {
        match rpassword::prompt_password("Client secret (leave empty for code-only): ") {
            Ok(s) => Some(ClientSecret::new(s)),
            Err(e) => {
                eprintln!("fortnox-activate: could not read the client secret: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        None
    };
    let input = SettingsInput {
        connection_name: String::new(),
        client_id: args.client_id.or_else(|| env("FORTNOX_CLIENT_ID")).unwrap_or_default(),
        client_secret,
        redirect_uri: args.redirect_uri.or_else(|| env("FORTNOX_REDIRECT_URI")).unwrap_or_default(),
        scopes: args.scopes,
        account_type: if args.service_account { AccountType::Service } else { AccountType::User },
    };
    let check = settings::check(&input, NameRule::Optional);
    for w in &check.warnings {
        eprintln!("note: {}", w.get(lang));
    }
    if !check.fields.is_empty() {
        for (field, problem) in &check.fields {
            let flag = match *field {
                "clientId" => "--client-id",
                "redirectUri" => "--redirect-uri",
                "scopes" => "--scope",
                "clientSecret" => "FORTNOX_CLIENT_SECRET",
                other => other,
            };
            eprintln!("fortnox-activate: {flag}: {}", problem.get(lang));
        }
        return ExitCode::from(2);
    }
    let settings = match check.into_result() {
        Ok(s) => s,
        Err(e) => return fail(&e, lang),
    };
    let timeout = Duration::from_secs(args.timeout.unwrap_or(DEFAULT_TIMEOUT.as_secs()));
    let activation = Activation::start(FortnoxClient::new(endpoints), settings);
    match run(activation, args.no_browser, timeout, lang).await {
        Ok(outcome) => {
            println!("{}", outcome.to_json_with_secrets());
            for w in outcome.warnings() {
                eprintln!("note: {}", w.get(lang));
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e, lang),
    }
}

async fn run(activation: Activation, no_browser: bool, timeout: Duration, lang: Language) -> Result<Outcome, Error> {
    let listener = activation.bind_listener().await?;
    let url = activation.authorize_url().to_string();
    eprintln!("Open this address in a web browser, log in to Fortnox and approve access:\n\n  {url}\n");
    if !no_browser {
        let u = url.clone();
        // `open` waits for the launcher; run it aside so the listener keeps serving.
        tokio::task::spawn_blocking(move || {
            if let Err(e) = activation::session::open_browser(&u) {
                eprintln!("note: {}", e.explain(lang));
            }
        });
    }
    let cancel = CancellationToken::new();
    let on_ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel();
        }
    });
    let code = match listener {
        Some(listener) => {
            eprintln!("Waiting for Fortnox (up to {} s; Ctrl+C cancels)…", timeout.as_secs());
            activation
                .wait_for_code(
                    listener,
                    move || lang,
                    cancel,
                    timeout,
                    |e| {
                        eprintln!(
                            "note: ignored an answer that does not belong to this attempt: {}",
                            e.message().get(lang)
                        );
                    },
                )
                .await?
        }
        None => read_pasted(&activation, cancel, timeout, lang).await?,
    };
    if activation.settings().code_only() {
        eprintln!("Got the authorization code; it must be exchanged within 10 minutes.");
    } else {
        eprintln!("Got the authorization code; exchanging it with Fortnox…");
    }
    activation.finish(code).await
}

async fn read_pasted(
    activation: &Activation,
    cancel: CancellationToken,
    timeout: Duration,
    lang: Language,
) -> Result<activation::secret::AuthCode, Error> {
    eprintln!("After approving, copy the whole address from the browser's address bar and paste it here (then Enter):");
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            _ = &mut deadline => return Err(Error::TimedOut { seconds: timeout.as_secs() }),
            _ = cancel.cancelled() => return Err(Error::Cancelled),
            line = lines.next_line() => match line {
                Ok(Some(text)) if text.trim().is_empty() => continue,
                Ok(Some(text)) => match activation.judge_pasted(&text) {
                    Ok(result) => return result,
                    Err(e) => eprintln!("{} {} Paste again:", e.message().get(lang), e.next_step().get(lang)),
                },
                Ok(None) | Err(_) => return Err(Error::Cancelled),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Args>, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn flags_parse() {
        let a = parse(&[
            "--client-id",
            "C",
            "--redirect-uri=http://localhost:1/cb",
            "--scope",
            "a,b",
            "--scope",
            "c",
            "--service-account",
            "--timeout",
            "5",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(a.client_id.as_deref(), Some("C"));
        assert_eq!(a.redirect_uri.as_deref(), Some("http://localhost:1/cb"));
        assert_eq!(a.scopes, ["a,b", "c"]);
        assert!(a.service_account && !a.code_only);
        assert_eq!(a.timeout, Some(5));
    }

    #[test]
    fn bad_usage_is_refused() {
        assert!(parse(&["--client-secret", "x"]).unwrap_err().contains("never taken as a flag"));
        assert!(parse(&["--timeout", "soon"]).is_err());
        assert!(parse(&["--scope"]).is_err());
        assert!(parse(&["--frobnicate"]).is_err());
        assert!(parse(&["--help"]).unwrap().is_none());
    }

    #[test]
    fn exit_codes_follow_the_contract() {
        assert_eq!(exit_code(&Error::AccessDenied { description: None }), 1);
        assert_eq!(exit_code(&Error::InvalidClient { description: None }), 1);
        assert_eq!(exit_code(&Error::PortInUse { port: 1 }), 2);
        assert_eq!(exit_code(&Error::TimedOut { seconds: 1 }), 3);
        assert_eq!(exit_code(&Error::Cancelled), 3);
    }
}
