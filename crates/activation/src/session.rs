//! An interactive activation, as a window runs it: one attempt at a time, the code arriving
//! from the loopback listener, as a link the operating system hands over (private-use URI
//! scheme, [`Session::deliver_link`]) or from the user pasting, progress reported as [`Event`]s,
//! and the outcome kept here (not in the front end) until the user asks to see or copy a
//! part of it.
//!
//! Security rule: events and [`Summary`] carry no secret; secrets leave only through
//! [`Session::secret`] and [`Outcome::to_json_with_secrets`], on the user's request.

use crate::capture::redirect_uri::Capture;
use crate::clock::epoch_ms;
use crate::export::{Export, Format};
use crate::flow::{Activation, Outcome};
use crate::fortnox::token::FortnoxClient;
use crate::settings::{AccountType, Settings};
use crate::store::{SaveAs, Saved, Store};
use crate::{Error, ErrorPayload, Language, Text};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio_util::sync::CancellationToken;

/// Progress of a session, for the front end.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Event {
    /// The browser could not be opened: the user should open the URL themselves.
    BrowserFailed { error: ErrorPayload },
    /// A redirect arrived that does not belong to this attempt; still waiting.
    CallbackRejected { error: ErrorPayload },
    /// A code arrived; talking to Fortnox.
    Exchanging,
    /// Done.
    Succeeded { result: Summary },
    /// The attempt ended without success (including `cancelled` and `timed_out`).
    Failed { error: ErrorPayload },
}

/// What an activation ended with (`"tokens"` or `"code"` to front ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ResultMode {
    /// The tokens (the code was exchanged).
    Tokens,
    /// Only the code (code-only mode: the integration exchanges it).
    Code,
}

/// What the result screen shows. No secrets.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub mode: ResultMode,
    pub connection_name: String,
    pub account_type: AccountType,
    pub company_name: Option<String>,
    pub organization_number: Option<String>,
    pub tenant_id: Option<String>,
    /// Who logged in (from `/me`, when `profile` was granted).
    pub user_name: Option<String>,
    pub user_email: Option<String>,
    /// Granted scopes (from the token answer), or the requested ones in code-only mode.
    pub scopes: Vec<String>,
    pub access_token_expires_at_ms: Option<u64>,
    pub refresh_token_expires_at_ms: Option<u64>,
    pub code_expires_at_ms: Option<u64>,
    pub has_refresh_token: bool,
    pub warnings: Vec<Text>,
}

/// Which secret of the outcome (`"code"`, `"access-token"`, `"refresh-token"` to front ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretPart {
    Code,
    AccessToken,
    RefreshToken,
}

/// What [`Session::start`] tells the front end.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Started {
    pub authorize_url: String,
    pub capture: Capture,
    pub code_only: bool,
    pub timeout_secs: u64,
    pub deadline_ms: u64,
}

/// How long [`Session::replace`] waits for a replaced attempt's listener to free its port.
pub const PORT_RELEASE_WAIT: Duration = Duration::from_secs(1);

type Sink = Arc<dyn Fn(Event) + Send + Sync>;
type LangFn = Arc<dyn Fn() -> Language + Send + Sync>;

/// One authorization attempt and, once it succeeded, its outcome.
pub struct Session {
    activation: Arc<Activation>,
    cancel: CancellationToken,
    sink: Sink,
    outcome: Arc<Mutex<Option<Outcome>>>,
    started: Started,
    /// Cancelled once the loopback listener has closed (at once when there is none).
    listener_closed: CancellationToken,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("started", &self.started).finish_non_exhaustive()
    }
}

impl Session {
    /// Starts an attempt: opens the loopback listener when the redirect URI points to this
    /// computer, and waits (in the background) until a code arrives, the attempt fails,
    /// `timeout` passes or [`cancel`](Self::cancel) is called. Opening the browser is the
    /// caller's business ([`open_browser`]), after this returns.
    ///
    /// Must be called within a Tokio runtime.
    ///
    /// # Errors
    /// `port_in_use`, `listener_failed`.
    pub async fn start(
        client: FortnoxClient,
        settings: Settings,
        timeout: Duration,
        lang: impl Fn() -> Language + Send + Sync + 'static,
        sink: impl Fn(Event) + Send + Sync + 'static,
    ) -> Result<Session, Error> {
        let capture = settings.redirect_uri.capture().clone();
        let code_only = settings.code_only();
        let activation = Arc::new(Activation::start(client, settings));
        let listener = activation.bind_listener().await?;
        let started = Started {
            authorize_url: activation.authorize_url().to_string(),
            capture,
            code_only,
            timeout_secs: timeout.as_secs(),
            deadline_ms: epoch_ms(SystemTime::now().checked_add(timeout).unwrap_or_else(SystemTime::now)),
        };
        let session = Session {
            activation,
            cancel: CancellationToken::new(),
            sink: Arc::new(sink),
            outcome: Arc::new(Mutex::new(None)),
            started,
            listener_closed: CancellationToken::new(),
        };
        if listener.is_none() {
            session.listener_closed.cancel();
        }
        let listener_closed = session.listener_closed.clone();
        let lang: LangFn = Arc::new(lang);
        let (activation, cancel, sink, outcome) =
            (session.activation.clone(), session.cancel.clone(), session.sink.clone(), session.outcome.clone());
        tokio::spawn(async move {
            let code = match listener {
                Some(listener) => {
                    let rejected = sink.clone();
                    activation
                        .wait_for_code(
                            listener,
                            move || lang(),
                            cancel,
                            timeout,
                            move |e| rejected(Event::CallbackRejected { error: e.payload() }),
                        )
                        .await
                }
                None => tokio::select! {
                    () = tokio::time::sleep(timeout) => Err(Error::TimedOut { seconds: timeout.as_secs() }),
                    () = cancel.cancelled() => Err(Error::Cancelled),
                },
            };
            // `wait_for_code` has returned: the port is free.
            listener_closed.cancel();
            match code {
                Ok(code) => {
                    if activation.end() {
                        finish(&activation, &sink, &outcome, code).await;
                    }
                }
                // Ended elsewhere (a pasted code won, or cancel after that): say nothing.
                Err(e) if activation.end() => {
                    tracing::warn!(kind = e.kind(), "attempt ended without a code");
                    sink(Event::Failed { error: e.payload() })
                }
                Err(_) => {}
            }
        });
        Ok(session)
    }

    /// Starts an attempt in place of `previous` (if any). The previous attempt is cancelled
    /// first; its listener frees the port a moment later, so a `port_in_use` right after a
    /// replacement is retried for up to [`PORT_RELEASE_WAIT`]. Without a previous attempt a
    /// taken port is reported at once (another program holds it).
    ///
    /// # Errors
    /// As [`Session::start`].
    pub async fn replace(
        previous: Option<Session>,
        client: FortnoxClient,
        settings: Settings,
        timeout: Duration,
        lang: impl Fn() -> Language + Clone + Send + Sync + 'static,
        sink: impl Fn(Event) + Clone + Send + Sync + 'static,
    ) -> Result<Session, Error> {
        let replaced = previous.is_some();
        drop(previous); // cancels it
        let give_up = tokio::time::Instant::now() + PORT_RELEASE_WAIT;
        loop {
            match Session::start(client.clone(), settings.clone(), timeout, lang.clone(), sink.clone()).await {
                Err(Error::PortInUse { .. }) if replaced && tokio::time::Instant::now() < give_up => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                other => return other,
            }
        }
    }

    /// What the front end needs to show the waiting step.
    pub fn started(&self) -> &Started {
        &self.started
    }

    /// Takes what the user pasted. On a usable code the attempt goes on in the background:
    /// the loopback listener is closed first (a redirect arriving later finds no page that
    /// says "done" and drops its code), then `exchanging`, then `succeeded` or `failed`.
    ///
    /// # Errors
    /// `no_code_in_redirect`, `state_mismatch` (paste again), `no_attempt` (already ended).
    pub fn submit_pasted(&self, text: &str) -> Result<(), Error> {
        let verdict = self.activation.judge_pasted(text)?;
        self.take(verdict);
        Ok(())
    }

    /// Takes a link the operating system handed to the app (private-use URI scheme). On a
    /// link for this attempt, with its state, the attempt goes on in the background as for a
    /// paste. A link refused while the attempt waits is also reported as `callback-rejected`,
    /// and waiting goes on.
    ///
    /// # Errors
    /// `link_after_end` (already ended: nothing happens), `link_mismatch`, `state_mismatch`,
    /// `state_missing`.
    pub fn deliver_link(&self, link: &str) -> Result<(), Error> {
        match self.activation.judge_link(link) {
            Ok(verdict) => {
                self.take(verdict);
                Ok(())
            }
            Err(e) => {
                if !matches!(e, Error::LinkAfterEnd) {
                    (self.sink)(Event::CallbackRejected { error: e.payload() });
                }
                Err(e)
            }
        }
    }

    /// Goes on with an accepted code (exchange) or an error that ends the attempt.
    fn take(&self, verdict: Result<crate::secret::AuthCode, Error>) {
        let (activation, sink, outcome, cancel, listener_closed) = (
            self.activation.clone(),
            self.sink.clone(),
            self.outcome.clone(),
            self.cancel.clone(),
            self.listener_closed.clone(),
        );
        tokio::spawn(async move {
            match verdict {
                Ok(code) => {
                    if !activation.end() {
                        return;
                    }
                    // Close the listener before spending the code.
                    cancel.cancel();
                    listener_closed.cancelled().await;
                    finish(&activation, &sink, &outcome, code).await;
                }
                Err(e) => {
                    if activation.end() {
                        cancel.cancel();
                        sink(Event::Failed { error: e.payload() });
                    }
                }
            }
        });
    }

    /// Cancels the attempt; a `failed` event with kind `cancelled` follows unless it had
    /// already ended.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// True once the attempt has ended.
    pub fn has_ended(&self) -> bool {
        self.activation.has_ended()
    }

    /// Saves the outcome on this computer (see [`Store::save_activation`]): a new
    /// connection, or the tokens of an existing one replaced (re-authorize).
    ///
    /// # Errors
    /// `no_attempt` when there is no outcome with tokens yet (code-only results cannot be
    /// saved), and the errors of [`Store::save_activation`].
    pub fn save(&self, store: &Store, target: SaveAs) -> Result<Saved, Error> {
        let guard = self.outcome.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match guard.as_ref() {
            Some(Outcome::Tokens(connected)) => store.save_activation(self.activation.settings(), connected, target),
            _ => Err(Error::NoAttempt),
        }
    }

    /// A secret of the outcome, for showing or copying at the user's request.
    pub fn secret(&self, part: SecretPart) -> Option<String> {
        let guard = self.outcome.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match (guard.as_ref()?, part) {
            (Outcome::Code { code, .. }, SecretPart::Code) => Some(code.expose().to_string()),
            (Outcome::Tokens(c), SecretPart::AccessToken) => Some(c.tokens.access_token.expose().to_string()),
            (Outcome::Tokens(c), SecretPart::RefreshToken) => {
                c.tokens.refresh_token.as_ref().map(|r| r.expose().to_string())
            }
            _ => None,
        }
    }

    /// Every secret value this attempt knows (client secret, state, code, tokens), only so a
    /// diagnostics report can be scrubbed of them ([`crate::diagnostics::Report::render`]).
    pub fn known_secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(s) = &self.activation.settings().client_secret {
            out.push(s.expose().to_string());
        }
        if let Ok(url) = url::Url::parse(&self.started.authorize_url) {
            out.extend(url.query_pairs().filter(|(k, _)| k == "state").map(|(_, v)| v.into_owned()));
        }
        for part in [SecretPart::Code, SecretPart::AccessToken, SecretPart::RefreshToken] {
            out.extend(self.secret(part));
        }
        out
    }

    /// The whole outcome as JSON or `.env` lines, secrets included (user request only).
    /// Both start with the connection's name and client id, so support can tell one
    /// customer's keys from another's.
    pub fn export(&self, env: bool) -> Option<String> {
        let guard = self.outcome.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let o = guard.as_ref()?;
        let settings = self.activation.settings();
        let format = if env { Format::Env } else { Format::Json };
        Some(Export::of_outcome(o).named(&settings.connection_name, &settings.client_id).render(format))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // A replaced or abandoned session must not keep the port open.
        self.cancel.cancel();
    }
}

/// Finishes an attempt this caller has ended (won [`Activation::end`]).
async fn finish(activation: &Activation, sink: &Sink, outcome: &Mutex<Option<Outcome>>, code: crate::secret::AuthCode) {
    sink(Event::Exchanging);
    match activation.finish_ended(code).await {
        Ok(o) => {
            let summary = summarise(activation.settings(), &o);
            *outcome.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(o);
            sink(Event::Succeeded { result: summary });
        }
        Err(Error::NoAttempt) => {}
        Err(e) => sink(Event::Failed { error: e.payload() }),
    }
}

/// The secret-free summary of an outcome.
pub fn summarise(settings: &Settings, outcome: &Outcome) -> Summary {
    let base = Summary {
        mode: ResultMode::Code,
        connection_name: settings.connection_name.clone(),
        account_type: settings.account_type,
        company_name: None,
        organization_number: None,
        tenant_id: None,
        user_name: None,
        user_email: None,
        scopes: settings.scopes.clone(),
        access_token_expires_at_ms: None,
        refresh_token_expires_at_ms: None,
        code_expires_at_ms: None,
        has_refresh_token: false,
        warnings: outcome.warnings(),
    };
    match outcome {
        Outcome::Code { expires_at, .. } => Summary { code_expires_at_ms: Some(epoch_ms(*expires_at)), ..base },
        Outcome::Tokens(c) => {
            let granted: Vec<String> = c.tokens.scope.split_whitespace().map(str::to_string).collect();
            Summary {
                mode: ResultMode::Tokens,
                company_name: c.company.as_ref().map(|x| x.name.clone()),
                organization_number: c.company.as_ref().map(|x| x.organization_number.clone()),
                tenant_id: c.tenant_id.clone(),
                user_name: c.user.as_ref().map(|u| u.name.clone()).filter(|n| !n.is_empty()),
                user_email: c.user.as_ref().map(|u| u.email.clone()).filter(|e| !e.is_empty()),
                scopes: if granted.is_empty() { base.scopes.clone() } else { granted },
                access_token_expires_at_ms: Some(epoch_ms(c.tokens.access_expires_at())),
                refresh_token_expires_at_ms: c.tokens.refresh_expires_at().map(epoch_ms),
                has_refresh_token: c.tokens.refresh_token.is_some(),
                ..base
            }
        }
    }
}

/// Opens the system browser at `url` (blocking: run it off the UI thread).
///
/// On Linux and macOS `$BROWSER`, when set, is the user's explicit choice and comes first (a
/// `:`-separated list of commands, `%s` standing for the URL, as xdg-open and Python's
/// `webbrowser` read it); otherwise, and always on Windows (where `$BROWSER` is no convention
/// and a stray one must not decide), the operating system's handler opens it (`xdg-open` on
/// Linux, `open` on macOS, the shell's default browser on Windows), through the `open` crate.
///
/// # Errors
/// `browser_failed` when no launcher could be started. A launcher that starts but shows
/// nothing cannot be detected: always show the URL too.
pub fn open_browser(url: &str) -> Result<(), Error> {
    if let Some(list) = std::env::var_os("BROWSER").filter(|b| cfg!(unix) && !b.is_empty()) {
        for command in list.to_string_lossy().split(':').filter(|c| !c.trim().is_empty()) {
            if launch(command, url).is_ok() {
                return Ok(());
            }
        }
    }
    open::that(url).map_err(|e| Error::BrowserFailed { reason: e.to_string() })
}

/// Starts one `$BROWSER` entry with the URL and lets it run on its own (reaped by a thread,
/// so it leaves no zombie).
fn launch(command: &str, url: &str) -> std::io::Result<()> {
    let mut words: Vec<String> = command.split_whitespace().map(str::to_string).collect();
    if words.is_empty() {
        return Err(std::io::Error::other("empty command"));
    }
    if words.iter().any(|w| w.contains("%s")) {
        for w in &mut words {
            *w = w.replace("%s", url);
        }
    } else {
        words.push(url.to_string());
    }
    // A browser's own chatter does not belong in our terminal or log.
    let mut child = std::process::Command::new(&words[0])
        .args(&words[1..])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    std::thread::spawn(move || child.wait());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::launch;

    #[test]
    fn a_browser_command_gets_the_url_appended_or_substituted() {
        let dir = std::env::temp_dir().join(format!("browser-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("out");
        let script = dir.join("b.sh");
        std::fs::write(&script, format!("#!/bin/sh\necho \"$@\" >> {}\n", out.display())).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
            launch(&format!("{} --new", script.display()), "http://x/1").unwrap();
            launch(&format!("{} a=%s", script.display()), "http://x/2").unwrap();
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
            loop {
                let text = std::fs::read_to_string(&out).unwrap_or_default();
                if text.lines().count() == 2 {
                    assert!(text.contains("--new http://x/1"), "{text}");
                    assert!(text.contains("a=http://x/2"), "{text}");
                    break;
                }
                assert!(std::time::Instant::now() < deadline, "{text}");
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        assert!(launch("/nonexistent/browser", "http://x").is_err());
        std::fs::remove_dir_all(&dir).ok();
    }
}
