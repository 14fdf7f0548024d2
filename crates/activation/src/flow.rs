//! One activation from start to finish, shared by the command line and the desktop app:
//! start an attempt, capture the code (loopback listener, a link handed over by the
//! operating system, or pasted text), and finish
//! (code-only, or exchange the code and read tenant and company).

use crate::authorize::{Attempt, Origin, Verdict};
use crate::capture::loopback::{Callback, CallbackListener, Judgement};
use crate::capture::{link, redirect};
use crate::fortnox::token::{Company, FortnoxClient, TokenSet, CODE_LIFETIME};
use crate::secret::AuthCode;
use crate::settings::{AccountType, Settings};
use crate::{Error, Language, Text};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};
use tokio_util::sync::CancellationToken;

/// How long to wait for the browser by default: as long as a code lives.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// An activation in progress.
#[derive(Debug)]
pub struct Activation {
    client: FortnoxClient,
    settings: Settings,
    attempt: Attempt,
    /// Set once the attempt has ended (a code was taken, or it failed, timed out or was
    /// cancelled): the state is single use, so nothing is accepted after that.
    ended: AtomicBool,
}

/// What an activation produced.
#[derive(Debug)]
pub enum Outcome {
    /// Code-only mode: the integration exchanges the code itself before `expires_at`.
    Code { code: AuthCode, expires_at: SystemTime },
    /// Tokens, with what could be learnt about the company.
    Tokens(Box<Connected>),
}

/// A finished activation with tokens.
#[derive(Debug)]
pub struct Connected {
    pub tokens: TokenSet,
    pub tenant_id: Option<String>,
    pub company: Option<Company>,
    pub account_type: AccountType,
    /// Things that went wrong after the tokens were safely received (e.g. the company
    /// could not be read); the activation itself succeeded.
    pub warnings: Vec<Error>,
}

impl Activation {
    /// Starts an attempt with a fresh state.
    pub fn start(client: FortnoxClient, settings: Settings) -> Self {
        let attempt = Attempt::new(client.endpoints(), &settings);
        Self::with_attempt(client, settings, attempt)
    }

    /// Starts with a given attempt (deterministic tests).
    pub fn with_attempt(client: FortnoxClient, settings: Settings, attempt: Attempt) -> Self {
        Activation { client, settings, attempt, ended: AtomicBool::new(false) }
    }

    /// Ends the attempt. True for the one caller that ended it; false when it had already
    /// ended, in which case that caller must do nothing more.
    pub fn end(&self) -> bool {
        !self.ended.swap(true, Ordering::SeqCst)
    }

    /// True once the attempt has ended.
    pub fn has_ended(&self) -> bool {
        self.ended.load(Ordering::SeqCst)
    }

    /// The URL to open in the browser.
    pub fn authorize_url(&self) -> &str {
        self.attempt.url()
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Opens the loopback listener, when the redirect URI points to this computer. Do this
    /// before opening the browser, so a fast redirect cannot arrive at a closed port.
    ///
    /// # Errors
    /// `port_in_use`, `listener_failed`.
    pub async fn bind_listener(&self) -> Result<Option<CallbackListener>, Error> {
        match self.settings.redirect_uri.loopback() {
            Some(target) => CallbackListener::bind(target).await.map(Some),
            None => Ok(None),
        }
    }

    /// Waits on the listener for the redirect of this attempt. Callbacks with a wrong or
    /// missing state get a failure page and are reported to `on_rejected`; waiting goes on.
    ///
    /// # Errors
    /// The error Fortnox redirected with, `timed_out`, `cancelled`.
    pub async fn wait_for_code(
        &self,
        listener: CallbackListener,
        lang: impl Fn() -> Language + Send + Sync + 'static,
        cancel: CancellationToken,
        timeout: Duration,
        on_rejected: impl Fn(&Error) + Send + Sync,
    ) -> Result<AuthCode, Error> {
        let judge = |callback: &Callback| {
            let params = redirect::parse_query(callback.query.as_deref().unwrap_or(""));
            match self.attempt.judge(&params, Origin::Automatic) {
                Verdict::Code(code) => Judgement::Done(Ok(code)),
                Verdict::Failed(e) => Judgement::Done(Err(e)),
                Verdict::Rejected(e) => {
                    on_rejected(&e);
                    Judgement::Reject(e)
                }
            }
        };
        listener.wait_for(judge, lang, cancel, timeout).await
    }

    /// Judges what the user pasted.
    ///
    /// # Errors
    /// `Ok(Err(e))`: the attempt ended (e.g. the pasted URL carries `error=access_denied`);
    /// `Err(e)`: the text is unusable for this attempt (no code, state mismatch), so the user
    /// may paste again.
    pub fn judge_pasted(&self, text: &str) -> Result<Result<AuthCode, Error>, Error> {
        if self.has_ended() {
            return Err(Error::NoAttempt);
        }
        let params = redirect::parse_pasted(text)?;
        match self.attempt.judge(&params, Origin::Pasted) {
            Verdict::Code(code) => Ok(Ok(code)),
            Verdict::Failed(e) => Ok(Err(e)),
            Verdict::Rejected(e) => Err(e),
        }
    }

    /// Judges a link the operating system handed over (private-use URI scheme): it must be an
    /// address of this attempt's redirect URI and carry this attempt's state.
    ///
    /// # Errors
    /// `Ok(Err(e))`: the attempt ended (Fortnox redirected with an error);
    /// `Err(e)`: the link is refused and nothing is exchanged: `link_after_end` (the attempt
    /// had ended, e.g. a second link after success), `link_mismatch` (another scheme or path),
    /// `state_mismatch` / `state_missing` (waiting goes on).
    pub fn judge_link(&self, link: &str) -> Result<Result<AuthCode, Error>, Error> {
        if self.has_ended() {
            return Err(Error::LinkAfterEnd);
        }
        let params = link::read_link(&self.settings.redirect_uri, link)?;
        match self.attempt.judge(&params, Origin::Automatic) {
            Verdict::Code(code) => Ok(Ok(code)),
            Verdict::Failed(e) => Ok(Err(e)),
            Verdict::Rejected(e) => Err(e),
        }
    }

    /// Finishes with a code: in code-only mode returns it; otherwise exchanges it (the
    /// redirect URI repeated byte-identically) and reads the company. Ends the attempt, so
    /// the first code wins and its state is never accepted twice.
    ///
    /// # Errors
    /// [`Error::NoAttempt`] when the attempt had already ended; the token endpoint's errors.
    /// A failed company lookup is only a warning.
    pub async fn finish(&self, code: AuthCode) -> Result<Outcome, Error> {
        if !self.end() {
            return Err(Error::NoAttempt);
        }
        let Some(secret) = &self.settings.client_secret else {
            return Ok(Outcome::Code { code, expires_at: SystemTime::now() + CODE_LIFETIME });
        };
        let tokens =
            self.client.exchange_code(&self.settings.client_id, secret, &code, self.attempt.redirect_uri()).await?;
        let granted: Vec<&str> = tokens.scope.split_whitespace().collect();
        let may_read_company = granted.contains(&"companyinformation")
            || (granted.is_empty() && self.settings.scopes.iter().any(|s| s == "companyinformation"));
        let mut warnings = Vec::new();
        let company = if may_read_company {
            match self.client.company_information(&tokens.access_token).await {
                Ok(c) => Some(c),
                Err(e) => {
                    warnings.push(e);
                    None
                }
            }
        } else {
            None
        };
        let tenant_id =
            tokens.claims.tenant_id.clone().or_else(|| company.as_ref().and_then(|c| c.database_number.clone()));
        Ok(Outcome::Tokens(Box::new(Connected {
            tokens,
            tenant_id,
            company,
            account_type: self.settings.account_type,
            warnings,
        })))
    }
}

impl Outcome {
    /// The result as one JSON object, secrets included: only for output the user asked for
    /// (the command line's stdout, a copy to the clipboard).
    ///
    /// Tokens: `access_token`, `refresh_token`, `expires_in`, `scope`, `token_type`,
    /// `tenant_id`, `company_name`, `organization_number` (plus expiry times and the account
    /// type). Code-only: `code`, `expires_at`.
    pub fn to_json_with_secrets(&self) -> Value {
        match self {
            Outcome::Code { code, expires_at } => json!({
                "code": code.expose(),
                "expires_at": rfc3339(*expires_at),
            }),
            Outcome::Tokens(c) => json!({
                "access_token": c.tokens.access_token.expose(),
                "refresh_token": c.tokens.refresh_token.as_ref().map(|r| r.expose()),
                "expires_in": c.tokens.expires_in,
                "scope": c.tokens.scope,
                "token_type": c.tokens.token_type,
                "tenant_id": c.tenant_id,
                "company_name": c.company.as_ref().map(|c| c.name.as_str()),
                "organization_number": c.company.as_ref().map(|c| c.organization_number.as_str()),
                "account_type": c.account_type.as_str(),
                "access_token_expires_at": rfc3339(c.tokens.access_expires_at()),
                "refresh_token_expires_at": c.tokens.refresh_expires_at().map(rfc3339),
            }),
        }
    }

    /// The result as `.env` lines, secrets included (user-requested output only).
    pub fn to_env_lines(&self) -> String {
        let mut out = String::new();
        let mut line = |k: &str, v: &str| out.push_str(&format!("{k}={}\n", env_quote(v)));
        match self {
            Outcome::Code { code, expires_at } => {
                line("FORTNOX_AUTHORIZATION_CODE", code.expose());
                line("FORTNOX_AUTHORIZATION_CODE_EXPIRES_AT", &rfc3339(*expires_at));
            }
            Outcome::Tokens(c) => {
                line("FORTNOX_ACCESS_TOKEN", c.tokens.access_token.expose());
                if let Some(r) = &c.tokens.refresh_token {
                    line("FORTNOX_REFRESH_TOKEN", r.expose());
                }
                line("FORTNOX_ACCESS_TOKEN_EXPIRES_AT", &rfc3339(c.tokens.access_expires_at()));
                if let Some(t) = c.tokens.refresh_expires_at() {
                    line("FORTNOX_REFRESH_TOKEN_EXPIRES_AT", &rfc3339(t));
                }
                line("FORTNOX_SCOPE", &c.tokens.scope);
                if let Some(t) = &c.tenant_id {
                    line("FORTNOX_TENANT_ID", t);
                }
                line("FORTNOX_ACCOUNT_TYPE", c.account_type.as_str());
            }
        }
        out
    }

    /// Warnings to show beside a success.
    pub fn warnings(&self) -> Vec<Text> {
        match self {
            Outcome::Code { .. } => Vec::new(),
            Outcome::Tokens(c) => c
                .warnings
                .iter()
                .map(|e| {
                    let m = e.message();
                    Text::new(
                        format!("Connected, but the company's details could not be read: {}", m.en),
                        format!("Anslutet, men företagets uppgifter kunde inte läsas: {}", m.sv),
                    )
                })
                .collect(),
        }
    }
}

fn env_quote(v: &str) -> String {
    if v.chars().all(|c| c.is_ascii_alphanumeric() || "-._~:/+=".contains(c)) {
        v.to_string()
    } else {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// Milliseconds since the Unix epoch (for front ends).
pub fn epoch_ms(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// Formats a time as RFC 3339 in UTC, e.g. `2026-11-22T12:34:56Z`.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_utc() {
        assert_eq!(rfc3339(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)), "2026-11-18T11:06:40Z");
        assert_eq!(rfc3339(SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_400)), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn env_values_are_quoted_when_needed() {
        assert_eq!(env_quote("abc.def-1"), "abc.def-1");
        assert_eq!(env_quote("companyinformation invoice"), "\"companyinformation invoice\"");
    }
}
