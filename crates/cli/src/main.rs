//! `fortnox-activate`: activate a Fortnox integration from a terminal or a script, and
//! manage the connections saved on this computer (the same ones the app shows).
//!
//! ```text
//! fortnox-activate [activate] --client-id ID --redirect-uri URI --scope S [--scope S ...]
//!                  [--service-account] [--code-only] [--no-browser] [--timeout SECS] [--save NAME]
//! fortnox-activate list | refresh NAME|ID | revoke NAME|ID | export NAME|ID [-o FILE]
//! fortnox-activate token NAME|ID [--format value|json|env] [--min-valid SECS]
//! fortnox-activate reauthorize NAME|ID [--no-browser] [--timeout SECS]
//! ```
//! The client secret comes from `FORTNOX_CLIENT_SECRET` (taken out of the environment at
//! start, before any thread or child exists, so the browser never inherits it) or a prompt
//! without echo, never from a flag. Messages go to stderr; stdout gets exactly one JSON object
//! (a table for `list` without `--json`), and with `--json` a failure is
//! `{"error": kind, "message": …, "next_step": …}`. Exit codes: 0 success, 1 authorization
//! failed, 2 bad usage or settings (a port in use included), 3 timed out or cancelled. The
//! process exits as soon as its output is written: a pending stdin read or a browser
//! launcher never holds it up, and a second Ctrl+C ends it at once.

/// `println!` to stdout that never panics: a reader that went away (`| head`) ends the
/// output quietly.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, $($arg)*);
    }};
}

#[macro_use]
mod term;
mod args;
mod logging;
mod saved;

use activation::flow::{Activation, Outcome, DEFAULT_TIMEOUT};
use activation::fortnox::endpoints::Endpoints;
use activation::fortnox::token::FortnoxClient;
use activation::secret::{AuthCode, ClientSecret};
use activation::settings::{self, AccountType, NameRule, SettingsInput};
use activation::store::{SaveAs, Store};
use activation::{Error, Language};
use args::{ActivateArgs, Cli, Command};
use std::io::{IsTerminal, Write as _};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How a run ends: the exit code (stdout and stderr are already written).
type Code = u8;

fn main() {
    // Before anything else (no other thread exists yet): take the secret out of the
    // environment, so no child process (the browser, xdg-open) ever inherits it.
    let env_secret = take_env_secret();
    let lang = language();
    let json_requested = std::env::args().any(|a| a == "--json");
    let cli = match Cli::parse_checked(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                exit(0);
            }
            if json_requested {
                out!(
                    "{}",
                    serde_json::json!({"error": "invalid_settings", "message": e.kind().to_string(), "next_step": "fortnox-activate --help"})
                );
            }
            // The arguments are echoed in the message: their controls shown escaped.
            eprint!("{}", term::escape_controls(&e.render().to_string()));
            exit(2);
        }
    };
    init_logging(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            say!("fortnox-activate: cannot start: {e}");
            exit(2);
        }
    };
    let code = runtime.block_on(run(cli, env_secret, lang));
    exit(code);
}

/// Flushes and exits at once, without waiting for a detached stdin reader or browser.
fn exit(code: Code) -> ! {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    std::process::exit(i32::from(code))
}

/// The POSIX locale variables (`LC_ALL`, `LC_MESSAGES`, `LANG`) when one is set, as a
/// terminal on Linux or macOS has them; else the system's language (Windows sets none, so a
/// Swedish Windows would otherwise always get English).
fn language() -> Language {
    let posix = ["LC_ALL", "LC_MESSAGES", "LANG"].iter().any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
    if posix {
        Language::from_env()
    } else {
        sys_locale::get_locale().map(|tag| Language::from_locale(&tag)).unwrap_or_default()
    }
}

fn take_env_secret() -> Option<ClientSecret> {
    let value = std::env::var("FORTNOX_CLIENT_SECRET").ok();
    // Edition 2021: safe to call; here no other thread exists yet, which is what makes it
    // sound.
    std::env::remove_var("FORTNOX_CLIENT_SECRET");
    value.filter(|v| !v.trim().is_empty()).map(ClientSecret::new)
}

/// `-v` logs the core's events to stderr (`-v` the flow's steps, `-vv` HTTP calls and
/// detail); without it nothing is logged, so stderr keeps only the messages. Secrets never
/// reach a log (see `activation::logging`).
fn init_logging(verbosity: u8) {
    if verbosity > 0 {
        logging::init_stderr(verbosity);
    }
}

async fn run(cli: Cli, env_secret: Option<ClientSecret>, lang: Language) -> Code {
    let json = cli.json;
    let result = match cli.command {
        None => activate(cli.activate, env_secret, json, lang).await,
        Some(Command::Activate(a)) => activate(a, env_secret, json, lang).await,
        Some(Command::List { due }) => saved::list(json, due, lang),
        Some(Command::Refresh { connection }) => saved::refresh(&connection, lang).await,
        Some(Command::Token { connection, format, min_valid }) => {
            let format = format.unwrap_or(if json { args::TokenFormat::Json } else { args::TokenFormat::Value });
            saved::token(&connection, format, Duration::from_secs(min_valid), lang).await
        }
        Some(Command::Reauthorize { connection, no_browser, timeout }) => {
            reauthorize(&connection, no_browser, timeout, lang).await
        }
        Some(Command::Revoke { connection }) => saved::revoke(&connection, lang).await,
        Some(Command::Export { connection, output }) => saved::export(&connection, output.as_deref(), lang),
    };
    match result {
        Ok(()) => 0,
        Err(Failure::Reported(code)) => code,
        Err(Failure::Error(e)) => fail(&e, json, lang),
    }
}

/// Why a command did not succeed.
pub(crate) enum Failure {
    /// Already explained on stderr; exit with this code.
    Reported(Code),
    /// Explain this error and exit with its code.
    Error(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Error(e)
    }
}

/// Exit code for an error: 1 authorization failed, 2 settings, 3 timeout or cancel.
pub(crate) fn exit_code(e: &Error) -> Code {
    match e {
        Error::TimedOut { .. } | Error::Cancelled => 3,
        e if !e.is_authorization_failure() => 2,
        _ => 1,
    }
}

fn fail(e: &Error, json: bool, lang: Language) -> Code {
    let code = exit_code(e);
    if json {
        out!(
            "{}",
            serde_json::json!({
                "error": e.kind(),
                "message": e.message().get(lang),
                "next_step": e.next_step().get(lang),
            })
        );
    }
    let prefix = match code {
        1 => "authorization failed",
        2 => "cannot start",
        _ => "stopped",
    };
    say!("{prefix}: {}", e.explain(lang));
    code
}

fn env(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.trim().is_empty())
}

async fn activate(
    args: ActivateArgs,
    env_secret: Option<ClientSecret>,
    json: bool,
    lang: Language,
) -> Result<(), Failure> {
    if args.client_secret.is_some() {
        say!(
            "fortnox-activate: the client secret is never taken as a flag (it would show in the process list); set FORTNOX_CLIENT_SECRET or answer the prompt"
        );
        return Err(Failure::Reported(2));
    }
    // A refused endpoint override stops here (exit 2), before the secret is asked for.
    let endpoints = Endpoints::from_env()?;
    if let Some(notice) = endpoints.override_notice() {
        say!("note: {}", notice.get(lang));
    }
    let client_secret = if args.code_only {
        None
    } else if env_secret.is_some() {
        env_secret
    } else if std::io::stdin().is_terminal() {
        match rpassword::prompt_password("Client secret (leave empty for code-only): ") {
            Ok(s) => Some(ClientSecret::new(s)),
            Err(e) => {
                say!("fortnox-activate: could not read the client secret: {e}");
                return Err(Failure::Reported(2));
            }
        }
    } else {
        None
    };
    let input = SettingsInput {
        connection_name: args.save.clone().unwrap_or_default(),
        client_id: args.client_id.or_else(|| env("FORTNOX_CLIENT_ID")).unwrap_or_default(),
        client_secret,
        redirect_uri: args.redirect_uri.or_else(|| env("FORTNOX_REDIRECT_URI")).unwrap_or_default(),
        scopes: args.scopes,
        account_type: if args.service_account { AccountType::Service } else { AccountType::User },
    };
    let check = settings::check(&input, NameRule::Optional);
    for w in &check.warnings {
        say!("note: {}", w.get(lang));
    }
    if !check.fields.is_empty() {
        for (field, problem) in &check.fields {
            let flag = match *field {
                "clientId" => "--client-id",
                "redirectUri" => "--redirect-uri",
                "scopes" => "--scope",
                "clientSecret" => "FORTNOX_CLIENT_SECRET",
                "connectionName" => "--save",
                other => other,
            };
            say!("fortnox-activate: {flag}: {}", problem.get(lang));
        }
        if json {
            let (field, problem) = check.fields.iter().next().expect("not empty");
            out!("{}", serde_json::json!({"error": "invalid_settings", "field": field, "message": problem.get(lang)}));
        }
        return Err(Failure::Reported(2));
    }
    let settings = check.into_result()?;
    // With --save, everything that could stop the save is checked before the code is spent.
    let store = match &args.save {
        Some(name) => {
            if settings.code_only() {
                return Err(Error::InvalidSettings(activation::Text::new(
                    "--save needs the client secret: only an activation with tokens can be saved.",
                    "--save behöver klienthemligheten: bara en aktivering med token kan sparas.",
                ))
                .into());
            }
            let store = Store::open_default()?;
            match store.find(name) {
                Ok(_) => return Err(Error::ConnectionNameTaken { name: name.trim().to_string() }.into()),
                Err(Error::ConnectionNotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
            Some(store)
        }
        None => None,
    };
    let timeout = Duration::from_secs(args.timeout.unwrap_or(DEFAULT_TIMEOUT.as_secs()));
    let activation = Activation::start(FortnoxClient::new(endpoints), settings);
    let outcome = wait_and_finish(&activation, args.no_browser, timeout, lang).await?;
    let mut out = outcome.to_json_with_secrets();
    if let (Some(store), Outcome::Tokens(connected)) = (&store, &outcome) {
        match store.save_activation(activation.settings(), connected, SaveAs::New) {
            Ok(saved) => {
                out["connection_id"] = saved.connection.id.to_string().into();
                if saved.warning.is_none() {
                    keep_or_hand_over(store, &saved.connection, args.hand_over, &mut out, lang);
                }
                if let Some(note) = &saved.same_company {
                    say!("warning: {}", note.get(lang));
                }
                match saved.warning {
                    None => say!(
                        "Saved as \u{201c}{}\u{201d} ({}); the secrets are in the keychain.",
                        saved.connection.name,
                        store.file_path().display()
                    ),
                    Some(w) => say!(
                        "warning: the settings were saved as \u{201c}{}\u{201d} but not the tokens: {} Copy the tokens below now.",
                        saved.connection.name,
                        w.explain(lang)
                    ),
                }
            }
            Err(e) => {
                say!("warning: the connection was not saved: {} Copy the tokens below now.", e.explain(lang))
            }
        }
    }
    out!("{out}");
    for w in outcome.warnings() {
        say!("note: {}", w.get(lang));
    }
    Ok(())
}

/// `reauthorize NAME|ID`: the authorization again with the saved settings and client
/// secret (loopback, scheme or paste, as saved). Before the browser opens it says which
/// company to log in as; an approval for another company is refused (`wrong_company`,
/// exit 1) with the saved keys untouched and the new refresh token revoked. On success the
/// keys of the same connection are replaced, and the new tokens printed as `activate` does.
async fn reauthorize(query: &str, no_browser: bool, timeout: Option<u64>, lang: Language) -> Result<(), Failure> {
    let endpoints = Endpoints::from_env()?;
    if let Some(notice) = endpoints.override_notice() {
        say!("note: {}", notice.get(lang));
    }
    let store = Store::open_default()?;
    let c = store.find(query)?;
    let input = store.settings_input(c.id)?;
    if input.client_secret.is_none() {
        return Err(Error::SecretNotSaved { secret: activation::secret::SecretKind::ClientSecret }.into());
    }
    let mut settings = settings::check(&input, NameRule::Required).into_result()?;
    settings.expected_company = c.expected_company();
    match &settings.expected_company {
        Some(expected) => say!("{}", expected.login_hint().get(lang)),
        None => say!(
            "note: {}",
            match lang {
                Language::Sv => "Kopplingens företag är inte känt; kontrollera företaget i resultatet.",
                Language::En => "The connection's company is not known; check the company in the result.",
            }
        ),
    }
    let timeout = Duration::from_secs(timeout.unwrap_or(DEFAULT_TIMEOUT.as_secs()));
    let activation = Activation::start(FortnoxClient::new(endpoints), settings);
    let outcome = wait_and_finish(&activation, no_browser, timeout, lang).await?;
    let Outcome::Tokens(connected) = &outcome else {
        return Err(Error::NoAttempt.into());
    };
    let mut out = outcome.to_json_with_secrets();
    match store.save_activation(activation.settings(), connected, SaveAs::Replace(c.id)) {
        Ok(saved) => {
            out["connection_id"] = saved.connection.id.to_string().into();
            if saved.warning.is_none() {
                keep_or_hand_over(&store, &saved.connection, false, &mut out, lang);
            }
            match saved.warning {
                None => say!(
                    "{}",
                    match lang {
                        Language::Sv => format!("\u{201d}{}\u{201d} är godkänd igen: dess token byttes ut i nyckelringen.", c.name),
                        Language::En =>
                            format!("\u{201c}{}\u{201d} is re-authorized: its tokens were replaced in the keychain.", c.name),
                    }
                ),
                Some(w) => say!(
                    "warning: the settings of \u{201c}{}\u{201d} were saved but not the new tokens: {} Copy the tokens below now.",
                    c.name,
                    w.explain(lang)
                ),
            }
        }
        Err(e) => say!("warning: the new tokens were not saved: {} Copy the tokens below now.", e.explain(lang)),
    }
    out!("{out}");
    for w in outcome.warnings() {
        say!("note: {}", w.get(lang));
    }
    Ok(())
}

/// After `--save` put the keys in the keychain: kept here, the refresh token leaves the
/// output (this computer is its one holder); with `--hand-over` it stays in the output and
/// this computer forgets it. When handing over fails the output keeps the refresh token and
/// the connection stays kept here, which stderr says.
fn keep_or_hand_over(
    store: &Store,
    connection: &activation::store::Connection,
    hand_over: bool,
    out: &mut serde_json::Value,
    lang: Language,
) {
    if !hand_over {
        if let Some(o) = out.as_object_mut() {
            o.remove("refresh_token");
            o.remove("refresh_token_expires_at");
        }
        say!(
            "{}",
            match lang {
                Language::Sv => format!("Kopplingen behålls här: den här datorn förnyar den. Integrationen hämtar åtkomsttoken med: fortnox-activate token \"{}\"", connection.name),
                Language::En => format!("Kept here: this computer refreshes the connection. The integration gets access tokens with: fortnox-activate token \"{}\"", connection.name),
            }
        );
        return;
    }
    match store.hand_over(connection.id) {
        Ok(_) => say!(
            "{}",
            match lang {
                Language::Sv => "Överlämnad till integrationen: den håller kopplingen vid liv med förnyelsetoken nedan; den här datorn har glömt den och förnyar aldrig kopplingen.",
                Language::En => "Handed over to the integration: it keeps the connection alive with the refresh token below; this computer has forgotten it and never refreshes the connection.",
            }
        ),
        Err(e) => say!(
            "warning: the connection is still kept here (this computer may refresh it): {} Give the integration the refresh token below only if this computer will not refresh it.",
            e.explain(lang)
        ),
    }
}

async fn wait_and_finish(
    activation: &Activation,
    no_browser: bool,
    timeout: Duration,
    lang: Language,
) -> Result<Outcome, Error> {
    let listener = activation.bind_listener().await?;
    let url = activation.authorize_url().to_string();
    say!("Open this address in a web browser, log in to Fortnox and approve access:\n\n  {url}\n");
    if !no_browser {
        // Detached: a launcher that waits (xdg-open, a browser that stays) never holds us.
        let u = url.clone();
        std::thread::spawn(move || {
            if let Err(e) = activation::session::open_browser(&u) {
                say!("note: {}", e.explain(lang));
            }
        });
    }
    let cancel = CancellationToken::new();
    let exchanging = Arc::new(AtomicBool::new(false));
    watch_ctrl_c(cancel.clone(), exchanging.clone(), lang);
    let code = match listener {
        Some(listener) => {
            say!("Waiting for Fortnox (up to {} s; Ctrl+C cancels)…", timeout.as_secs());
            activation
                .wait_for_code(
                    listener,
                    move || lang,
                    cancel,
                    timeout,
                    |e| {
                        say!("note: ignored an answer that does not belong to this attempt: {}", e.message().get(lang));
                    },
                )
                .await?
        }
        None => read_pasted(activation, cancel, timeout, lang).await?,
    };
    if activation.settings().code_only() {
        say!("Got the authorization code; it must be exchanged within 10 minutes.");
    } else {
        say!("Got the authorization code; exchanging it with Fortnox…");
    }
    exchanging.store(true, Ordering::SeqCst);
    activation.finish(code).await
}

/// The first Ctrl+C cancels the wait (during the exchange it says what quitting costs);
/// the second ends the process at once with exit code 3.
fn watch_ctrl_c(cancel: CancellationToken, exchanging: Arc<AtomicBool>, lang: Language) {
    let Some(mut interrupts) = Interrupts::listen() else { return };
    tokio::spawn(async move {
        if !interrupts.next().await {
            return;
        }
        if exchanging.load(Ordering::SeqCst) {
            say!(
                "{}",
                match lang {
                    Language::Sv => "Koden byts just nu mot token; vänta ett ögonblick, eller tryck Ctrl+C igen för att avsluta direkt (då går token förlorade).",
                    Language::En => "The code is being exchanged for tokens; wait a moment, or press Ctrl+C again to quit at once (the tokens would be lost).",
                }
            );
        } else {
            cancel.cancel();
        }
        if interrupts.next().await {
            say!("stopped: {}", Error::Cancelled.message().get(lang));
            exit(3);
        }
    });
}

/// Ctrl+C as a stream, listening from the moment it is created (so a Ctrl+C right after
/// a prompt is never the default "terminate").
struct Interrupts {
    #[cfg(unix)]
    inner: tokio::signal::unix::Signal,
    #[cfg(windows)]
    inner: tokio::signal::windows::CtrlC,
}

impl Interrupts {
    fn listen() -> Option<Self> {
        #[cfg(unix)]
        let inner = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok()?;
        #[cfg(windows)]
        let inner = tokio::signal::windows::ctrl_c().ok()?;
        Some(Interrupts { inner })
    }

    /// Waits for the next Ctrl+C; false when no more can come.
    async fn next(&mut self) -> bool {
        self.inner.recv().await.is_some()
    }
}

/// While tokens are being rotated (refresh, client credentials, revoke), the first Ctrl+C
/// only says what quitting now would cost; the second ends the process at once.
pub(crate) fn guard_ctrl_c(lang: Language) {
    let Some(mut interrupts) = Interrupts::listen() else { return };
    tokio::spawn(async move {
        if !interrupts.next().await {
            return;
        }
        say!(
            "{}",
            match lang {
                Language::Sv => "Fortnox svarar och de nya token sparas; vänta ett ögonblick, eller tryck Ctrl+C igen för att avsluta direkt (då kan förnyelsetoken gå förlorad).",
                Language::En => "Fortnox is answering and the new tokens are being saved; wait a moment, or press Ctrl+C again to quit at once (the refresh token may then be lost).",
            }
        );
        if interrupts.next().await {
            say!("stopped: {}", Error::Cancelled.message().get(lang));
            exit(3);
        }
    });
}

/// Reads lines from stdin on a detached thread: a blocking read can't be cancelled, and
/// this way it never delays the exit.
fn stdin_lines() -> tokio::sync::mpsc::UnboundedReceiver<String> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        use std::io::BufRead as _;
        for line in std::io::stdin().lock().lines() {
            let Ok(l) = line else { return };
            if tx.send(l).is_err() {
                return;
            }
        }
    });
    rx
}

async fn read_pasted(
    activation: &Activation,
    cancel: CancellationToken,
    timeout: Duration,
    lang: Language,
) -> Result<AuthCode, Error> {
    say!("After approving, copy the whole address from the browser's address bar and paste it here (then Enter):");
    let mut lines = stdin_lines();
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            _ = &mut deadline => return Err(Error::TimedOut { seconds: timeout.as_secs() }),
            _ = cancel.cancelled() => return Err(Error::Cancelled),
            line = lines.recv() => match line {
                Some(text) if text.trim().is_empty() => continue,
                Some(text) => match activation.judge_pasted(&text) {
                    Ok(result) => return result,
                    Err(e) => say!("{} {} Paste again:", e.message().get(lang), e.next_step().get(lang)),
                },
                None => return Err(Error::Cancelled),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_contract() {
        assert_eq!(exit_code(&Error::AccessDenied { description: None }), 1);
        assert_eq!(exit_code(&Error::InvalidClient { description: None }), 1);
        assert_eq!(exit_code(&Error::RefreshTokenInvalid { description: None }), 1);
        assert_eq!(exit_code(&Error::PortInUse { port: 1 }), 2);
        assert_eq!(exit_code(&Error::ConnectionNotFound { query: "x".into() }), 2);
        assert_eq!(exit_code(&Error::KeychainUnavailable { reason: "r".into() }), 2);
        let wrong = Error::WrongCompany {
            approved: "A".into(),
            expected: "B".into(),
            approved_tenant: "1".into(),
            expected_tenant: "2".into(),
        };
        assert_eq!(exit_code(&wrong), 1);
        assert_eq!(exit_code(&Error::TimedOut { seconds: 1 }), 3);
        assert_eq!(exit_code(&Error::Cancelled), 3);
    }
}
