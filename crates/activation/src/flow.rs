//! One activation from start to finish, shared by the command line and the desktop app:
//! start an attempt, capture the code (loopback listener, a link handed over by the
//! operating system, or pasted text), and finish
//! (code-only, or exchange the code and read tenant, company and user).
//!
//! A code pasted without its state cannot be tied to this attempt: it is accepted (the user
//! chose it), and the outcome says so in a warning asking the user to check the company.
//! The company shows even without the `companyinformation` scope, as far as it can: the
//! tenant id from the access token, and the user from `/me` when `profile` was granted.

use crate::authorize::{Attempt, Origin, Verdict};
use crate::capture::loopback::{Callback, CallbackListener, Judgement};
use crate::capture::{link, redirect};
use crate::export::Export;
use crate::fortnox::token::{Company, FortnoxClient, TokenSet, User, CODE_LIFETIME};
use crate::logging;
use crate::secret::{AuthCode, ClientSecret};
use crate::settings::{describe_company, AccountType, ExpectedCompany, Settings};
use crate::{Error, Language, Text};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
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
    /// The last code accepted from a paste without a state: finishing with it warns.
    unverified: Mutex<Option<AuthCode>>,
}

/// What an activation produced.
#[derive(Debug)]
pub enum Outcome {
    /// Code-only mode: the integration exchanges the code itself before `expires_at`.
    /// `state_checked` is false for a code pasted without its state.
    Code { code: AuthCode, expires_at: SystemTime, state_checked: bool },
    /// Tokens, with what could be learnt about the company.
    Tokens(Box<Connected>),
}

/// A finished activation with tokens.
#[derive(Debug)]
pub struct Connected {
    pub tokens: TokenSet,
    pub tenant_id: Option<String>,
    pub company: Option<Company>,
    /// Who logged in, from `/me` (when `profile` was granted).
    pub user: Option<User>,
    pub account_type: AccountType,
    /// False when the code was pasted without its state, so nothing ties it to this attempt.
    pub state_checked: bool,
    /// Things that went wrong after the tokens were safely received (e.g. the company
    /// could not be read); the activation itself succeeded.
    pub warnings: Vec<Error>,
}

impl Activation {
    /// Starts an attempt with a fresh state.
    pub fn start(client: FortnoxClient, settings: Settings) -> Self {
        let attempt = Attempt::new(client.endpoints(), &settings);
        tracing::info!(
            capture = capture_mode(&settings),
            account_type = settings.account_type.as_str(),
            code_only = settings.code_only(),
            scopes = settings.scopes.len(),
            authorize = %logging::redacted_url(attempt.url()),
            "attempt started"
        );
        Self::with_attempt(client, settings, attempt)
    }

    /// Starts with a given attempt (deterministic tests).
    pub fn with_attempt(client: FortnoxClient, settings: Settings, attempt: Attempt) -> Self {
        Activation { client, settings, attempt, ended: AtomicBool::new(false), unverified: Mutex::new(None) }
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
            Some(target) => match CallbackListener::bind(target).await {
                Ok(listener) => {
                    tracing::info!(addresses = ?listener.local_addrs(), "listener bound");
                    Ok(Some(listener))
                }
                Err(e) => {
                    tracing::warn!(kind = e.kind(), port = target.port, "listener not bound");
                    Err(e)
                }
            },
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
            if self.has_ended() {
                // A pasted code won: this redirect's code would be dropped, so say so.
                return Judgement::Reject(Error::NoAttempt);
            }
            let query = callback.query.as_deref().unwrap_or("");
            let params = redirect::parse_query(query);
            let verdict = self.attempt.judge(&params, Origin::Automatic);
            log_verdict("callback judged", &logging::param_names(query), &verdict);
            match verdict {
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
        let params = match redirect::parse_pasted(text) {
            Ok(p) => p,
            Err(e) => {
                tracing::info!(kind = e.kind(), bytes = text.len(), "pasted text refused");
                return Err(e);
            }
        };
        let present =
            [("code", params.code.is_some()), ("state", params.state.is_some()), ("error", params.error.is_some())]
                .iter()
                .filter(|(_, p)| *p)
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join("&");
        let verdict = self.attempt.judge(&params, Origin::Pasted);
        log_verdict("pasted text judged", &present, &verdict);
        match verdict {
            Verdict::Code(code) => {
                if params.state.is_none() {
                    *self.unverified.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(code.clone());
                }
                Ok(Ok(code))
            }
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
        self.finish_ended(code).await
    }

    /// [`finish`](Self::finish) for a caller that has already ended the attempt itself
    /// (with [`end`](Self::end) returning true), e.g. to close the listener before the
    /// exchange.
    ///
    /// # Errors
    /// The token endpoint's errors.
    pub async fn finish_ended(&self, code: AuthCode) -> Result<Outcome, Error> {
        let state_checked =
            self.unverified.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref() != Some(&code);
        let Some(secret) = &self.settings.client_secret else {
            tracing::info!("code kept for the integration (code-only mode); no exchange");
            let expires_at = SystemTime::now().checked_add(CODE_LIFETIME).unwrap_or_else(SystemTime::now);
            return Ok(Outcome::Code { code, expires_at, state_checked });
        };
        tracing::info!("exchange started");
        let tokens =
            match self.client.exchange_code(&self.settings.client_id, secret, &code, self.attempt.redirect_uri()).await
            {
                Ok(t) => t,
                Err(e) => {
                    tracing::warn!(kind = e.kind(), "exchange finished: failed");
                    return Err(e);
                }
            };
        tracing::info!(
            scope = %tokens.scope,
            refresh_token = tokens.refresh_token.is_some(),
            expires_in = tokens.expires_in,
            "exchange finished: tokens received"
        );
        let granted: Vec<&str> = tokens.scope.split_whitespace().collect();
        let may = |scope: &str| {
            granted.contains(&scope) || (granted.is_empty() && self.settings.scopes.iter().any(|s| s == scope))
        };
        let mut warnings = Vec::new();
        let company = if may("companyinformation") {
            match self.client.company_information(&tokens.access_token).await {
                Ok(c) => {
                    tracing::info!(tenant = ?c.database_number, "company lookup: found");
                    Some(c)
                }
                Err(e) => {
                    tracing::warn!(kind = e.kind(), "company lookup: failed");
                    warnings.push(e);
                    None
                }
            }
        } else {
            tracing::info!("company lookup: skipped (companyinformation not granted)");
            None
        };
        // Who logged in, where the scope allows: the best clue to the company without
        // `companyinformation`, and a check for a pasted code. Only a nicety: no warning.
        let user = if may("profile") { self.client.me(&tokens.access_token).await.ok() } else { None };
        let tenant_id =
            tokens.claims.tenant_id.clone().or_else(|| company.as_ref().and_then(|c| c.database_number.clone()));
        if let (Some(expected), Some(tenant)) = (&self.settings.expected_company, &tenant_id) {
            if expected.tenant_id != *tenant {
                return Err(self.refuse_wrong_company(expected, tenant, company.as_ref(), &tokens, secret).await);
            }
        }
        Ok(Outcome::Tokens(Box::new(Connected {
            tokens,
            tenant_id,
            company,
            user,
            account_type: self.settings.account_type,
            state_checked,
            warnings,
        })))
    }
}

impl Activation {
    /// The approval came back for `tenant`, not the expected company: the new refresh token
    /// is revoked at Fortnox (so no second holder of that company's books is left behind),
    /// and the error names both companies. The saved connection is never touched here.
    async fn refuse_wrong_company(
        &self,
        expected: &ExpectedCompany,
        tenant: &str,
        company: Option<&Company>,
        tokens: &TokenSet,
        secret: &ClientSecret,
    ) -> Error {
        tracing::warn!(approved_tenant = tenant, expected_tenant = %expected.tenant_id, "approved for another company");
        if let Some(refresh) = &tokens.refresh_token {
            match self.client.revoke(&self.settings.client_id, secret, refresh).await {
                Ok(()) => tracing::info!("the other company's new refresh token was revoked"),
                Err(e) => tracing::warn!(kind = e.kind(), "revoking the other company's new refresh token failed"),
            }
        }
        let approved =
            describe_company(company.map(|c| c.name.as_str()), company.map(|c| c.organization_number.as_str()), tenant);
        Error::WrongCompany {
            approved: approved.en,
            expected: expected.describe().en,
            approved_tenant: tenant.to_string(),
            expected_tenant: expected.tenant_id.clone(),
        }
    }
}

impl Outcome {
    /// The result as one JSON object, secrets included: only for output the user asked for
    /// (the command line's stdout, a copy to the clipboard). See [`crate::export`].
    ///
    /// Tokens: `access_token`, `refresh_token`, `expires_in`, `scope`, `token_type`,
    /// `tenant_id`, `company_name`, `organization_number` (plus expiry times and the account
    /// type). Code-only: `code`, `expires_at`.
    pub fn to_json_with_secrets(&self) -> Value {
        Export::of_outcome(self).to_json()
    }

    /// The result as `.env` lines, secrets included (user-requested output only).
    pub fn to_env_lines(&self) -> String {
        Export::of_outcome(self).to_env()
    }

    /// Warnings to show beside a success: a code pasted without its state (check the
    /// company), no refresh token, and what could not be read after the tokens were safe.
    pub fn warnings(&self) -> Vec<Text> {
        let mut out = Vec::new();
        match self {
            Outcome::Code { state_checked, .. } => {
                if !state_checked {
                    out.push(Text::new(
                        "This code was pasted without the security check (state), so the app cannot confirm that it comes from this attempt. Make sure it was you who just logged in to Fortnox, for the company you meant to connect.",
                        "Koden klistrades in utan säkerhetskontrollen (state), så appen kan inte bekräfta att den kommer från det här försöket. Kontrollera att det var du som nyss loggade in i Fortnox, för det företag du ville ansluta.",
                    ));
                }
            }
            Outcome::Tokens(c) => {
                if !c.state_checked {
                    let which = match (&c.company, &c.tenant_id) {
                        (Some(company), _) => Text::new(
                            format!("\u{201c}{}\u{201d} ({})", company.name, company.organization_number),
                            format!("\u{201d}{}\u{201d} ({})", company.name, company.organization_number),
                        ),
                        (None, Some(tenant)) => Text::new(format!("tenant id {tenant}"), format!("tenant-id {tenant}")),
                        (None, None) => Text::new("shown in Fortnox", "som visas i Fortnox"),
                    };
                    out.push(Text::new(
                        format!("This code was pasted without the security check (state), so the app cannot confirm that it comes from this attempt. Check that the company ({}) is the one you meant to connect; if not, remove the connection in Fortnox.", which.en),
                        format!("Koden klistrades in utan säkerhetskontrollen (state), så appen kan inte bekräfta att den kommer från det här försöket. Kontrollera att företaget ({}) är det du ville ansluta; om inte, ta bort kopplingen i Fortnox.", which.sv),
                    ));
                }
                if c.tokens.refresh_token.is_none() {
                    out.push(Text::new(
                        "Fortnox gave no refresh token: the access token works for an hour, and after that the integration cannot renew it. Activate again, and check with the integration's supplier that it asks for offline access.",
                        "Fortnox gav ingen förnyelsetoken: åtkomsttoken fungerar i en timme, och sedan kan integrationen inte förnya den. Aktivera igen, och fråga integrationens leverantör om den begär åtkomst offline.",
                    ));
                }
                out.extend(c.warnings.iter().map(|e| {
                    let (m, n) = (e.message(), e.next_step());
                    Text::new(
                        format!("Connected, but the company's details could not be read: {} {}", m.en, n.en),
                        format!("Anslutet, men företagets uppgifter kunde inte läsas: {} {}", m.sv, n.sv),
                    )
                }));
            }
        }
        out
    }
}

/// The capture mode's name, for logs.
fn capture_mode(settings: &Settings) -> &'static str {
    match settings.redirect_uri.capture() {
        crate::capture::redirect_uri::Capture::Loopback(_) => "loopback",
        crate::capture::redirect_uri::Capture::Scheme { .. } => "scheme",
        crate::capture::redirect_uri::Capture::Paste => "paste",
    }
}

/// One line per judged redirect: which parameters were present and the verdict, never a value.
fn log_verdict(what: &str, params: &str, verdict: &Verdict) {
    match verdict {
        Verdict::Code(_) => tracing::info!(params, verdict = "code", "{what}"),
        Verdict::Failed(e) => tracing::warn!(params, verdict = "failed", kind = e.kind(), "{what}"),
        Verdict::Rejected(e) => tracing::warn!(params, verdict = "rejected", kind = e.kind(), "{what}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fortnox::endpoints::Endpoints;
    use crate::fortnox::http::{BoxFuture, HttpRequest, HttpResponse, Transport};
    use crate::settings::{check, NameRule, SettingsInput};
    use std::sync::Arc;

    /// Answers every request with one canned response.
    struct Canned(HttpResponse);

    impl Transport for Canned {
        fn send(&self, _: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, Error>> {
            let r = self.0.clone();
            Box::pin(async move { Ok(r) })
        }
    }

    fn activation(secret: Option<&str>, token_body: &str) -> Activation {
        let settings = check(
            &SettingsInput {
                connection_name: "Acme".into(),
                client_id: "C".into(),
                client_secret: secret.map(crate::secret::ClientSecret::new),
                redirect_uri: "https://integrator.example/cb".into(),
                scopes: vec!["invoice".into()],
                account_type: AccountType::User,
            },
            NameRule::Required,
        )
        .into_result()
        .unwrap();
        let transport = Canned(HttpResponse {
            status: 200,
            content_type: Some("application/json".into()),
            body: token_body.into(),
        });
        let client = FortnoxClient::with_transport(Endpoints::default(), Arc::new(transport));
        Activation::start(client, settings)
    }

    #[tokio::test]
    async fn an_exchange_without_a_refresh_token_warns_in_both_languages() {
        let a = activation(Some("s"), r#"{"access_token":"a","scope":"invoice","expires_in":3600}"#);
        let url = format!("{}?code=c&state=x", "https://integrator.example/cb");
        // A pasted URL with a wrong state is refused; a bare code is taken.
        assert!(a.judge_pasted(&url).is_err());
        let code = a.judge_pasted("c0de-123456").unwrap().unwrap();
        let outcome = a.finish(code).await.unwrap();
        let warnings = outcome.warnings();
        assert!(warnings.iter().any(|w| w.en.contains("no refresh token") && w.sv.contains("ingen förnyelsetoken")));
        assert!(warnings.iter().any(|w| w.en.contains("without the security check")));
    }

    #[tokio::test]
    async fn a_bare_code_in_code_only_mode_warns_and_a_checked_one_does_not() {
        let a = activation(None, "{}");
        let code = a.judge_pasted("c0de-123456").unwrap().unwrap();
        let outcome = a.finish(code).await.unwrap();
        assert!(matches!(outcome, Outcome::Code { state_checked: false, .. }));
        assert_eq!(outcome.warnings().len(), 1);
        assert!(outcome.warnings()[0].sv.contains("säkerhetskontrollen"));

        let a = activation(None, "{}");
        let outcome = a.finish(AuthCode::new("from-the-listener")).await.unwrap();
        assert!(outcome.warnings().is_empty());
    }

    #[tokio::test]
    async fn an_expiry_far_beyond_the_clock_does_not_panic_in_the_outcome() {
        let a =
            activation(Some("s"), &format!(r#"{{"access_token":"a","refresh_token":"r","expires_in":{}}}"#, u64::MAX));
        let outcome = a.finish(AuthCode::new("c")).await.unwrap();
        let json = outcome.to_json_with_secrets();
        assert!(json["access_token_expires_at"].is_string());
        assert!(outcome.to_env_lines().contains("FORTNOX_ACCESS_TOKEN_EXPIRES_AT="));
    }
}
