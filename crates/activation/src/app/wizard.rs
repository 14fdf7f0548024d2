//! An attempt, as the wizard walks it: the settings checked as typed, the attempt started
//! (a saved connection's client secret lent inside Rust), the browser opened, a pasted
//! address taken, and the result copied, shown or reported for support.

use super::{lock, App, Item};
use crate::capture::redirect_uri::RedirectUri;
use crate::diagnostics::{self, Report, SettingsSummary};
use crate::flow::DEFAULT_TIMEOUT;
use crate::secret::ClientSecret;
use crate::session::{self, Event, SecretPart, Session, Started};
use crate::settings::{self, Check, NameRule, SettingsInput};
use crate::Error;
use uuid::Uuid;

/// The settings as typed, checked.
#[derive(Debug)]
pub struct Checked {
    pub check: Check,
    /// The exact redirect URI to register in Fortnox's Developer Portal (when it is valid).
    pub register_value: Option<String>,
}

/// What the diagnostics report says of the program itself (the front end knows it).
#[derive(Debug, Clone)]
pub struct ProgramInfo {
    pub product: String,
    pub version: String,
    /// The end of the program's log, if it has one.
    pub log_tail: Vec<String>,
}

impl App {
    /// Checks the settings as typed, and notes them (without the secret) for the
    /// diagnostics report. `secret_from`: a saved connection whose client secret (in the
    /// keychain) stands in for an empty secret field; it is not read for a check.
    /// `reauthorize`: the saved connection being re-authorized, whose own name is not
    /// "taken"; any other saved connection's name is refused here, in step 1, before the
    /// customer approves anything.
    pub fn check_settings(
        &self,
        mut input: SettingsInput,
        secret_from: Option<Uuid>,
        reauthorize: Option<Uuid>,
    ) -> Checked {
        *lock(&self.settings_summary) = Some(SettingsSummary::from_input(&input));
        if secret_empty(&input) && secret_from.is_some() {
            // The saved secret will be used: check as if the field held one (without reading
            // the keychain on every keystroke; this check's settings are never used to connect).
            input.client_secret = Some(ClientSecret::new("saved-in-keychain"));
        }
        let mut check = settings::check(&input, NameRule::Required);
        self.refuse_a_saved_name(&mut check, &input.connection_name, reauthorize);
        let register_value = check.capture.as_ref().map(|_| input.redirect_uri.trim().to_string());
        Checked { check, register_value }
    }

    /// A name another saved connection has is the name field's problem (an unreadable list
    /// is left to the list, which says why).
    fn refuse_a_saved_name(&self, check: &mut Check, name: &str, reauthorize: Option<Uuid>) {
        if name.trim().is_empty() || check.fields.contains_key("connectionName") {
            return;
        }
        let Ok(store) = self.store() else { return };
        if let Ok(saved) = blocking(|| store.find_by_name(name)) {
            if Some(saved.id) != reauthorize {
                let taken = Error::ConnectionNameTaken { name: saved.name };
                let (m, n) = (taken.message(), taken.next_step());
                check.fields.insert(
                    "connectionName",
                    crate::Text::new(format!("{} {}", m.en, n.en), format!("{} {}", m.sv, n.sv)),
                );
                check.settings = None;
            }
        }
    }

    /// Starts an attempt (replacing any earlier one), opens the browser without waiting for
    /// it, and reports progress to `sink`; errors shown to the user are noted for the
    /// diagnostics report. `secret_from` as in [`App::check_settings`], read this time.
    /// `reauthorize`: the saved connection whose keys this attempt is to replace; Fortnox's
    /// answer must then be for its company, or the attempt fails with `wrong_company`
    /// (nothing saved, the new refresh token revoked).
    ///
    /// # Errors
    /// The settings' first problem, a refused endpoint override, the keychain's, the
    /// file's (`connection_not_found`), or the listener's (a port in use).
    pub async fn start_authorization(
        &self,
        input: SettingsInput,
        secret_from: Option<Uuid>,
        reauthorize: Option<Uuid>,
        sink: impl Fn(Event) + Clone + Send + Sync + 'static,
    ) -> Result<Started, Error> {
        let started = self.start(input, secret_from, reauthorize, sink).await;
        if let Err(e) = &started {
            self.recent_errors.record(&e.payload());
        }
        started
    }

    async fn start(
        &self,
        input: SettingsInput,
        secret_from: Option<Uuid>,
        reauthorize: Option<Uuid>,
        sink: impl Fn(Event) + Clone + Send + Sync + 'static,
    ) -> Result<Started, Error> {
        let client = self.client()?;
        let input = self.with_saved_secret(input, secret_from)?;
        let mut settings = settings::check(&input, NameRule::Required).into_result()?;
        if let Some(id) = reauthorize {
            let store = self.store()?;
            settings.expected_company = blocking(|| store.get(id))?.expected_company();
        }
        let previous = self.session().take();
        let recent = self.recent_errors.clone();
        let events = sink.clone();
        let session =
            Session::replace(previous, client, settings, DEFAULT_TIMEOUT, self.language_source(), move |event| {
                if let Event::Failed { error } | Event::CallbackRejected { error } | Event::BrowserFailed { error } =
                    &event
                {
                    recent.record(error);
                }
                events(event);
            })
            .await?;
        let started = session.started().clone();
        *self.session() = Some(session);
        self.launch_browser(started.authorize_url.clone(), sink);
        Ok(started)
    }

    /// An empty secret field filled from the keychain entry of the saved connection `from`.
    fn with_saved_secret(&self, mut input: SettingsInput, from: Option<Uuid>) -> Result<SettingsInput, Error> {
        if let (true, Some(id)) = (secret_empty(&input), from) {
            let store = self.store()?;
            input.client_secret = blocking(|| store.secrets(id))?.client_secret;
        }
        Ok(input)
    }

    /// Opens the browser without holding up the caller; a failure becomes an event.
    fn launch_browser(&self, url: String, sink: impl Fn(Event) + Send + 'static) {
        let recent = self.recent_errors.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = session::open_browser(&url) {
                tracing::warn!(kind = e.kind(), "browser not opened");
                recent.record(&e.payload());
                sink(Event::BrowserFailed { error: e.payload() });
            }
        });
    }

    /// Opens the browser again at the current attempt's URL.
    ///
    /// # Errors
    /// `no_attempt`, or `browser_failed`.
    pub async fn open_browser(&self) -> Result<(), Error> {
        let url = self.authorize_url()?;
        tokio::task::spawn_blocking(move || session::open_browser(&url))
            .await
            .map_err(|e| Error::BrowserFailed { reason: e.to_string() })?
    }

    /// Cancels the current attempt, if any.
    pub fn cancel(&self) {
        if let Some(s) = self.session().as_ref() {
            s.cancel();
        }
    }

    /// Takes the address (or code) the user pasted from the browser; the exchange that
    /// follows runs on the async runtime and reports to the attempt's sink.
    ///
    /// # Errors
    /// `no_attempt`, or why the text holds no usable code (also noted for the report).
    pub fn submit_redirect(&self, text: &str) -> Result<(), Error> {
        let submitted = match self.session().as_ref() {
            Some(s) => s.submit_pasted(text),
            None => Err(Error::NoAttempt),
        };
        if let Err(e) = &submitted {
            self.recent_errors.record(&e.payload());
        }
        submitted
    }

    /// The text for `item` of the current attempt (or, for [`Item::RedirectUri`], of the
    /// `redirect_uri` field as typed, checked first), to copy.
    ///
    /// # Errors
    /// `no_attempt` when there is nothing of that kind; `invalid_settings` for a redirect
    /// URI that is not one.
    pub fn copy_text(&self, item: Item, redirect_uri: Option<&str>) -> Result<String, Error> {
        match item {
            Item::AuthorizeUrl => self.authorize_url(),
            Item::RedirectUri => Ok(RedirectUri::parse(redirect_uri.unwrap_or(""))?.as_str().to_string()),
            Item::Json | Item::Env => {
                let env = item == Item::Env;
                self.session().as_ref().and_then(|s| s.export(env)).ok_or(Error::NoAttempt)
            }
            Item::Diagnostics => lock(&self.diagnostics).clone().ok_or(Error::NoAttempt),
            Item::Code | Item::AccessToken | Item::RefreshToken => self.reveal(item),
            // A saved connection's: `App::copy_saved`.
            Item::TokenCommand => Err(Error::NoAttempt),
        }
    }

    /// One secret of the result, because the user pressed "Show" (or copies it).
    ///
    /// # Errors
    /// `no_attempt` when the result has no such secret, or `item` is not one.
    pub fn reveal(&self, item: Item) -> Result<String, Error> {
        let part = match item {
            Item::Code => SecretPart::Code,
            Item::AccessToken => SecretPart::AccessToken,
            Item::RefreshToken => SecretPart::RefreshToken,
            _ => return Err(Error::NoAttempt),
        };
        self.session().as_ref().and_then(|s| s.secret(part)).ok_or(Error::NoAttempt)
    }

    fn authorize_url(&self) -> Result<String, Error> {
        self.session().as_ref().map(|s| s.started().authorize_url.clone()).ok_or(Error::NoAttempt)
    }

    /// The diagnostics report for support, kept as what "Copy" copies. It holds no secret:
    /// the attempt's secrets are scrubbed from it ([`crate::diagnostics`]).
    pub fn diagnostics(&self, program: ProgramInfo) -> String {
        let report = Report {
            product: program.product,
            version: program.version,
            os: diagnostics::os_description(),
            endpoints: diagnostics::endpoints_line(self.endpoints.as_ref()),
            settings: lock(&self.settings_summary).clone(),
            errors: self.recent_errors.list(),
            log_tail: program.log_tail,
        };
        let known = self.session().as_ref().map(Session::known_secrets).unwrap_or_default();
        let text = report.render(&known.iter().map(String::as_str).collect::<Vec<_>>());
        tracing::info!(lines = text.lines().count(), "diagnostics report made");
        *lock(&self.diagnostics) = Some(text.clone());
        text
    }
}

fn secret_empty(input: &SettingsInput) -> bool {
    input.client_secret.as_ref().is_none_or(|s| s.expose().trim().is_empty())
}

/// Blocking work (keychain, files) without holding up an async worker's other tasks.
pub(super) fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}
