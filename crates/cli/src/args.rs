//! The command line's grammar (clap derive).
//!
//! A bare `fortnox-activate --client-id …` is `activate`: the activation flags live on the
//! top level too, and [`Cli::parse_checked`] refuses them beside a subcommand (clap's own
//! `args_conflicts_with_subcommands` would also refuse the global `-v` and `--json`).
//! The client secret is never a flag: `--client-secret` exists only to be refused with an
//! explanation (flags show in `ps` and shell history).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
The client secret is read from FORTNOX_CLIENT_SECRET, or asked for without echo; it is removed
from the environment at once, so the browser never inherits it. Without a secret, the code is
printed (as with --code-only). FORTNOX_CLIENT_ID and FORTNOX_REDIRECT_URI may replace the flags;
FORTNOX_OAUTH_URL and FORTNOX_API_URL override Fortnox's endpoints.

Saved connections (activate --save, list, refresh, token, reauthorize, revoke, export) are the app's: the
settings in the platform config folder (se.fortnoxactivator.app), the secrets in the OS keychain.
`token NAME` is a credential helper for connections kept here: scripts and integrations ask it
for an access token (`Authorization: Bearer $(fortnox-activate token NAME)`) and it refreshes
when needed, so this computer stays the one holder of the refresh token.

Exit codes: 0 success, 1 authorization failed, 2 bad usage or settings, 3 timed out or cancelled.";

/// Activate a Fortnox integration, and manage the connections saved on this computer.
#[derive(Debug, Parser)]
#[command(name = "fortnox-activate", version, after_help = AFTER_HELP, args_override_self = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub activate: ActivateArgs,

    /// Log what happens to stderr (-v, -vv for more); secrets are never logged
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Machine-readable output on stdout, failures included: {"error": kind, "message": …}
    #[arg(long, global = true)]
    pub json: bool,
}

impl Cli {
    /// Parses, refusing activation flags given beside a subcommand.
    ///
    /// # Errors
    /// clap's error (help and version included, as clap reports them).
    pub fn parse_checked<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        use clap::{CommandFactory as _, Parser as _};
        let cli = Cli::try_parse_from(args)?;
        if cli.command.is_some() && cli.activate != ActivateArgs::default() {
            return Err(Cli::command().error(
                clap::error::ErrorKind::ArgumentConflict,
                "activation flags go after `activate`, or without a subcommand; not beside another subcommand",
            ));
        }
        Ok(cli)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Activate an integration (the default when no subcommand is given)
    #[command(args_override_self = true)]
    Activate(ActivateArgs),
    /// List the saved connections, most urgent first (--json: each with its next action and
    /// date)
    List {
        /// Exit 1 when a connection kept here needs action (refresh, re-authorize, save its
        /// keys) within DAYS days: for a scheduled task
        #[arg(long, value_name = "DAYS")]
        due: Option<u64>,
    },
    /// Refresh a saved connection's tokens now; the old refresh token stops working
    Refresh {
        /// The connection's name or id
        #[arg(value_name = "NAME|ID")]
        connection: String,
    },
    /// Print an access token of a saved connection (a credential helper): the saved one while
    /// it has more than --min-valid seconds left, else a new one (refresh under the
    /// connection's lock, or client credentials for a service account), saved first
    Token {
        /// The connection's name or id
        #[arg(value_name = "NAME|ID")]
        connection: String,
        /// value: the access token alone; json: one object; env: the lines the app's
        /// "Copy as .env" gives (without the refresh token). Default value (json with --json)
        #[arg(long, value_enum, value_name = "FORMAT")]
        format: Option<TokenFormat>,
        /// Renew when the saved access token has this many seconds left or fewer
        #[arg(long, value_name = "SECS", default_value_t = 300)]
        min_valid: u64,
    },
    /// Authorize a saved connection again with its saved settings and client secret; the
    /// approval must be for its company (else exit 1, wrong_company, nothing changed)
    Reauthorize {
        /// The connection's name or id
        #[arg(value_name = "NAME|ID")]
        connection: String,
        /// Do not open a browser; only print the URL
        #[arg(long)]
        no_browser: bool,
        /// How long to wait for Fortnox, in seconds (default 600)
        #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
        timeout: Option<u64>,
    },
    /// Revoke a saved connection at Fortnox and remove it from this computer
    Revoke {
        /// The connection's name or id
        #[arg(value_name = "NAME|ID")]
        connection: String,
    },
    /// Write a saved connection's activation file (settings only, never secrets)
    Export {
        /// The connection's name or id
        #[arg(value_name = "NAME|ID")]
        connection: String,
        /// Write to this file instead of stdout
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// What `token` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TokenFormat {
    /// The access token alone, on one line.
    Value,
    /// One JSON object (the fields of the app's "Copy as JSON", without the refresh token).
    Json,
    /// `.env` lines, single-quoted so that sourcing them runs nothing.
    Env,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Args)]
pub struct ActivateArgs {
    /// The app's client id (or FORTNOX_CLIENT_ID)
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,

    /// The redirect URI registered in Fortnox's Developer Portal (or FORTNOX_REDIRECT_URI)
    #[arg(long, value_name = "URI")]
    pub redirect_uri: Option<String>,

    /// A scope; repeat it or give a comma list (companyinformation,invoice)
    #[arg(long = "scope", visible_alias = "scopes", value_name = "S")]
    pub scopes: Vec<String>,

    /// Activate a service account (account_type=service)
    #[arg(long)]
    pub service_account: bool,

    /// Print the authorization code instead of exchanging it
    #[arg(long)]
    pub code_only: bool,

    /// Do not open a browser; only print the URL
    #[arg(long)]
    pub no_browser: bool,

    /// How long to wait for Fortnox, in seconds (default 600)
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: Option<u64>,

    /// Save the connection on this computer under NAME (settings in a file, secrets in the
    /// OS keychain), as the app does, kept here: this computer is the one that refreshes, so
    /// the output carries the access token but not the refresh token (the integration asks
    /// `fortnox-activate token NAME` for access tokens)
    #[arg(long, value_name = "NAME")]
    pub save: Option<String>,

    /// With --save: hand the connection over to the integration instead. The refresh token
    /// is printed, and this computer forgets it and never refreshes the connection
    #[arg(long, requires = "save")]
    pub hand_over: bool,

    /// Refused: the client secret is never a flag
    #[arg(long, hide = true, value_name = "SECRET")]
    pub client_secret: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::parse_checked(std::iter::once("fortnox-activate").chain(args.iter().copied()))
    }

    #[test]
    fn bare_flags_are_an_activation() {
        let c = parse(&[
            "--client-id",
            "C",
            "--redirect-uri=http://localhost:1/cb",
            "--scope",
            "a,b",
            "--scopes",
            "c",
            "--service-account",
            "--timeout",
            "5",
        ])
        .unwrap();
        assert!(c.command.is_none());
        let a = c.activate;
        assert_eq!(a.client_id.as_deref(), Some("C"));
        assert_eq!(a.redirect_uri.as_deref(), Some("http://localhost:1/cb"));
        assert_eq!(a.scopes, ["a,b", "c"]);
        assert!(a.service_account && !a.code_only);
        assert_eq!(a.timeout, Some(5));
    }

    #[test]
    fn a_repeated_flag_takes_the_last_value_as_before() {
        for prefix in [&[][..], &["activate"][..]] {
            let mut args = prefix.to_vec();
            args.extend([
                "--redirect-uri",
                "http://localhost:1/a",
                "--scope",
                "a",
                "--redirect-uri",
                "https://x/b",
                "--scope",
                "b",
            ]);
            let c = parse(&args).unwrap();
            let a = match c.command {
                Some(Command::Activate(a)) => a,
                _ => c.activate,
            };
            assert_eq!(a.redirect_uri.as_deref(), Some("https://x/b"));
            assert_eq!(a.scopes, ["a", "b"]);
        }
    }

    #[test]
    fn subcommands_take_a_name_or_id() {
        let c = parse(&["activate", "--client-id", "C", "--save", "Acme", "--json"]).unwrap();
        assert!(c.json);
        assert!(matches!(c.command, Some(Command::Activate(a)) if a.save.as_deref() == Some("Acme")));
        assert!(
            matches!(parse(&["refresh", "Acme AB"]).unwrap().command, Some(Command::Refresh { connection }) if connection == "Acme AB")
        );
        assert!(matches!(
            parse(&["list", "--json"]).unwrap(),
            Cli { command: Some(Command::List { due: None }), json: true, .. }
        ));
        assert!(matches!(parse(&["list", "--due", "7"]).unwrap().command, Some(Command::List { due: Some(7) })));
        assert!(matches!(
            parse(&["-v", "token", "x"]).unwrap(),
            Cli { command: Some(Command::Token { .. }), verbose: 1, .. }
        ));
        assert!(matches!(
            parse(&["token", "x"]).unwrap().command,
            Some(Command::Token { format: None, min_valid: 300, .. })
        ));
        assert!(matches!(
            parse(&["token", "x", "--format", "env", "--min-valid", "0"]).unwrap().command,
            Some(Command::Token { format: Some(TokenFormat::Env), min_valid: 0, .. })
        ));
        assert!(parse(&["token", "x", "--format", "yaml"]).is_err());
        assert!(matches!(
            parse(&["reauthorize", "Acme", "--no-browser", "--timeout", "5", "--json"]).unwrap(),
            Cli { command: Some(Command::Reauthorize { no_browser: true, timeout: Some(5), .. }), json: true, .. }
        ));
        assert!(parse(&["reauthorize"]).is_err());
        assert!(parse(&["--client-id", "C", "--hand-over"]).is_err(), "--hand-over needs --save");
        assert!(parse(&["activate", "--save", "A", "--hand-over"]).is_ok());
        assert!(matches!(
            parse(&["export", "x", "-o", "f.json"]).unwrap().command,
            Some(Command::Export { output: Some(_), .. })
        ));
    }

    #[test]
    fn bad_usage_is_refused() {
        assert!(parse(&["--timeout", "soon"]).is_err());
        assert!(parse(&["--timeout", "0"]).is_err());
        assert!(parse(&["--scope"]).is_err());
        assert!(parse(&["--frobnicate"]).is_err());
        assert!(parse(&["--client-id", "C", "list"]).is_err());
        assert!(parse(&["refresh"]).is_err());
        assert_eq!(parse(&["--help"]).unwrap_err().kind(), clap::error::ErrorKind::DisplayHelp);
    }
}
