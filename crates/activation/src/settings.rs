//! Connection settings and their validation.
//!
//! What the user types (a [`SettingsInput`]) becomes [`Settings`] only through [`check`],
//! which trims, normalises and explains every problem per field in words a non-developer
//! understands. Unknown scopes are allowed with a warning; a missing client secret means
//! code-only mode.

use crate::capture::redirect_uri::{Capture, RedirectUri};
use crate::fortnox::scopes;
use crate::i18n::Text;
use crate::secret::ClientSecret;
use crate::Error;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// User account or service account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountType {
    /// Acts as the person who approves; breaks when they leave.
    #[default]
    User,
    /// Not tied to a person; needs the portal switch and a system administrator.
    Service,
}

impl AccountType {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountType::User => "user",
            AccountType::Service => "service",
        }
    }
}

/// The settings as entered, before validation. Field names are camelCase for the webview.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SettingsInput {
    pub connection_name: String,
    pub client_id: String,
    pub client_secret: Option<ClientSecret>,
    pub redirect_uri: String,
    /// Scopes; an element may itself hold several separated by commas or spaces.
    pub scopes: Vec<String>,
    pub account_type: AccountType,
}

/// Validated settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub connection_name: String,
    pub client_id: String,
    /// `None`: code-only mode (the integration exchanges the code itself).
    pub client_secret: Option<ClientSecret>,
    pub redirect_uri: RedirectUri,
    /// Normalised: no blanks, no duplicates, in the order given.
    pub scopes: Vec<String>,
    pub account_type: AccountType,
    /// Re-authorizing a saved connection: the company it belongs to. An approval for
    /// another tenant is refused (`wrong_company`) and its new refresh token revoked.
    pub expected_company: Option<ExpectedCompany>,
}

/// The company a re-authorization must come back with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedCompany {
    /// Fortnox's tenant id (`DatabaseNumber`), what is compared.
    pub tenant_id: String,
    pub name: Option<String>,
    pub organization_number: Option<String>,
}

impl ExpectedCompany {
    /// "Testbolaget AB (556677-8899)", as far as the name and number are known.
    pub fn describe(&self) -> Text {
        describe_company(self.name.as_deref(), self.organization_number.as_deref(), &self.tenant_id)
    }

    /// What to tell the user before the browser opens: which company to log in as.
    pub fn login_hint(&self) -> Text {
        let d = self.describe();
        Text::new(
            format!("Log in to Fortnox as {}: the company this connection belongs to. If the browser is still logged in to another company, log out of Fortnox first.", d.en),
            format!("Logga in i Fortnox som {}: företaget som kopplingen hör till. Om webbläsaren fortfarande är inloggad på ett annat företag, logga först ut från Fortnox.", d.sv),
        )
    }
}

/// A company in words: "Name (556677-8899)", "Name", or "the company with database number N".
pub fn describe_company(name: Option<&str>, organization_number: Option<&str>, tenant_id: &str) -> Text {
    match (name, organization_number) {
        (Some(n), Some(o)) => Text::new(format!("{n} ({o})"), format!("{n} ({o})")),
        (Some(n), None) => Text::new(n, n),
        (None, Some(o)) => Text::new(format!("the company {o}"), format!("företaget {o}")),
        (None, None) => Text::new(
            format!("the company with database number {tenant_id}"),
            format!("företaget med databasnummer {tenant_id}"),
        ),
    }
}

impl Settings {
    /// True when no token exchange will happen.
    pub fn code_only(&self) -> bool {
        self.client_secret.is_none()
    }
}

/// The outcome of checking settings: problems per field, warnings, and the settings when
/// there is no problem.
#[derive(Debug, Clone)]
pub struct Check {
    /// Field name (`connectionName`, `clientId`, `clientSecret`, `redirectUri`, `scopes`) → problem.
    pub fields: BTreeMap<&'static str, Text>,
    pub warnings: Vec<Text>,
    /// Each unknown scope that most likely means a known one ([`scopes::likely`]) → that one.
    pub scope_fixes: BTreeMap<String, String>,
    /// How the redirect will be captured, when the redirect URI is valid.
    pub capture: Option<Capture>,
    /// The redirect URI a common slip in the typed one stands for ([`redirect_fix`]).
    pub redirect_fix: Option<RedirectFix>,
    /// True when no client secret was given (blank counts as none): the app then fetches
    /// only the code. The one place this is decided; [`Settings::code_only`] agrees.
    pub code_only: bool,
    pub settings: Option<Settings>,
}

impl Check {
    /// The settings, or the first problem as an error.
    ///
    /// # Errors
    /// [`Error::InvalidSettings`] with the first field's problem.
    pub fn into_result(self) -> Result<Settings, Error> {
        match self.settings {
            Some(s) => Ok(s),
            None => Err(Error::InvalidSettings(
                self.fields
                    .into_values()
                    .next()
                    .unwrap_or_else(|| Text::new("Invalid settings.", "Ogiltiga inställningar.")),
            )),
        }
    }
}

/// Whether a connection name is needed (the wizard names connections; the CLI does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRule {
    Required,
    Optional,
}

/// Splits, trims and de-duplicates scopes (`"a,b"`, `"a b"` and repeated flags all work).
pub fn normalise_scopes<S: AsRef<str>>(raw: &[S]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in raw {
        for s in item.as_ref().split(|c: char| c == ',' || c.is_whitespace()) {
            if !s.is_empty() && !out.iter().any(|o| o == s) {
                out.push(s.to_string());
            }
        }
    }
    out
}

/// The redirect URI a common slip most likely stands for: a space inside, `http://` left out
/// before `localhost`, or `https://` to this computer (whose listener speaks plain http).
/// `None` when nothing is to fix, or the fix is no valid redirect URI either.
pub fn redirect_fix(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let mut fixed: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let lower = fixed.to_ascii_lowercase();
    let local = ["localhost", "127.0.0.1", "[::1]"];
    let bare_local =
        local.iter().any(|h| lower == *h || lower.starts_with(&format!("{h}:")) || lower.starts_with(&format!("{h}/")));
    if bare_local {
        fixed = format!("http://{fixed}");
    } else if let Some(rest) = lower.strip_prefix("https://") {
        if local.iter().any(|h| rest == *h || rest.starts_with(&format!("{h}:")) || rest.starts_with(&format!("{h}/")))
        {
            fixed = format!("http://{}", &fixed["https://".len()..]);
        }
    }
    (fixed != raw && RedirectUri::parse(&fixed).is_ok()).then_some(fixed)
}

/// A redirect URI's likely fix, with the text it fixes: the window offers it only while
/// the field still holds that text (an answer may arrive after another keystroke).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectFix {
    /// The redirect URI as typed, trimmed.
    pub typed: String,
    /// What it most likely should be.
    pub fixed: String,
}

/// Checks settings as typed.
pub fn check(input: &SettingsInput, names: NameRule) -> Check {
    let mut fields = BTreeMap::new();
    let mut warnings = Vec::new();

    let connection_name = input.connection_name.trim().to_string();
    if connection_name.is_empty() && names == NameRule::Required {
        fields.insert(
            "connectionName",
            Text::new(
                "Give the connection a name you will recognise, for example the customer's company name.",
                "Ge kopplingen ett namn du känner igen, till exempel kundens företagsnamn.",
            ),
        );
    } else if connection_name.chars().count() > 100 {
        fields.insert("connectionName", Text::new("Use at most 100 characters.", "Använd högst 100 tecken."));
    }

    let client_id = input.client_id.trim().to_string();
    if client_id.is_empty() {
        fields.insert(
            "clientId",
            Text::new(
                "Enter the client ID from the integration's page in Fortnox's Developer Portal (the integration's supplier has it).",
                "Ange klient-ID från integrationens sida i Fortnox utvecklarportal (integrationens leverantör har det).",
            ),
        );
    } else if client_id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        fields.insert(
            "clientId",
            Text::new(
                "A client ID has no spaces. Copy it again from the Developer Portal.",
                "Ett klient-ID innehåller inga mellanslag. Kopiera det igen från utvecklarportalen.",
            ),
        );
    }

    let client_secret =
        input.client_secret.as_ref().map(|s| s.expose().trim()).filter(|s| !s.is_empty()).map(ClientSecret::new);
    if let Some(secret) = &client_secret {
        if secret.expose().chars().any(|c| c.is_whitespace() || c.is_control()) {
            fields.insert(
                "clientSecret",
                Text::new(
                    "A client secret has no spaces. Copy it again from the Developer Portal.",
                    "En klienthemlighet innehåller inga mellanslag. Kopiera den igen från utvecklarportalen.",
                ),
            );
        }
    } else {
        warnings.push(Text::new(
            "Without a client secret the app only fetches the authorization code; your integration must exchange it for tokens within 10 minutes.",
            "Utan klienthemlighet hämtar appen bara auktoriseringskoden; integrationen måste växla in den mot token inom 10 minuter.",
        ));
    }

    let redirect_uri = match RedirectUri::parse(&input.redirect_uri) {
        Ok(uri) => Some(uri),
        Err(e) => {
            fields.insert("redirectUri", e.message());
            None
        }
    };
    let capture = redirect_uri.as_ref().map(|u| u.capture().clone());

    let scopes = normalise_scopes(&input.scopes);
    if scopes.is_empty() {
        fields.insert(
            "scopes",
            Text::new(
                "Choose at least one area the integration may use. Most need \u{201c}companyinformation\u{201d}.",
                "Välj minst ett område som integrationen får använda. De flesta behöver \u{201d}companyinformation\u{201d}.",
            ),
        );
    }
    let mut scope_fixes = BTreeMap::new();
    for s in scopes.iter().filter(|s| !scopes::is_known(s)) {
        warnings.push(match scopes::likely(s) {
            Some(meant) => {
                scope_fixes.insert(s.clone(), meant.to_string());
                Text::new(
                    format!("\u{201c}{s}\u{201d} is not a Fortnox scope: did you mean \u{201c}{meant}\u{201d}?"),
                    format!("\u{201d}{s}\u{201d} är inget behörighetsområde i Fortnox: menade du \u{201d}{meant}\u{201d}?"),
                )
            }
            None => Text::new(
                format!("\u{201c}{s}\u{201d} is not a scope Fortnox is known to have; check the spelling (scopes are lower-case)."),
                format!("\u{201d}{s}\u{201d} är inget behörighetsområde som Fortnox veterligen har; kontrollera stavningen (gemener)."),
            ),
        });
    }
    if !scopes.is_empty() && !scopes.iter().any(|s| s == "companyinformation") {
        warnings.push(Text::new(
            "Without \u{201c}companyinformation\u{201d} the app cannot show which company was connected.",
            "Utan \u{201d}companyinformation\u{201d} kan appen inte visa vilket företag som anslöts.",
        ));
    }

    let code_only = client_secret.is_none();
    let settings = match (&redirect_uri, fields.is_empty()) {
        (Some(uri), true) => Some(Settings {
            connection_name,
            client_id,
            client_secret,
            redirect_uri: uri.clone(),
            scopes,
            account_type: input.account_type,
            expected_company: None,
        }),
        _ => None,
    };
    let redirect_fix = redirect_fix(&input.redirect_uri)
        .map(|fixed| RedirectFix { typed: input.redirect_uri.trim().to_string(), fixed });
    Check { fields, warnings, scope_fixes, capture, redirect_fix, code_only, settings }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_redirect_uri_slips_have_their_fix() {
        assert_eq!(redirect_fix("localhost:9876/callback").as_deref(), Some("http://localhost:9876/callback"));
        assert_eq!(redirect_fix("https://localhost:9876/callback").as_deref(), Some("http://localhost:9876/callback"));
        assert_eq!(redirect_fix("http://localhost:9876/ callback").as_deref(), Some("http://localhost:9876/callback"));
        assert_eq!(redirect_fix("http://localhost:9876/callback"), None, "nothing to fix");
        assert_eq!(redirect_fix("https://example.com/cb"), None, "an https address elsewhere is fine");
        assert_eq!(redirect_fix("not an address"), None, "no fix that works");
        // The check carries it, with the text it fixes (the window's one source of it).
        let typed = SettingsInput { redirect_uri: " localhost:9876/callback ".into(), ..Default::default() };
        let fix = check(&typed, NameRule::Optional).redirect_fix;
        assert_eq!(
            fix,
            Some(RedirectFix {
                typed: "localhost:9876/callback".into(),
                fixed: "http://localhost:9876/callback".into()
            })
        );
        let fine = SettingsInput { redirect_uri: "http://localhost:9876/callback".into(), ..Default::default() };
        assert_eq!(check(&fine, NameRule::Optional).redirect_fix, None);
    }

    fn input() -> SettingsInput {
        SettingsInput {
            connection_name: " Acme ".into(),
            client_id: "  abc123 ".into(),
            client_secret: Some(ClientSecret::new(" s3cret\n")),
            redirect_uri: "http://localhost:9876/callback".into(),
            scopes: vec!["companyinformation, invoice".into(), "invoice".into()],
            account_type: AccountType::User,
        }
    }

    #[test]
    fn valid_input_is_trimmed_and_normalised() {
        let s = check(&input(), NameRule::Required).into_result().unwrap();
        assert_eq!(s.connection_name, "Acme");
        assert_eq!(s.client_id, "abc123");
        assert_eq!(s.client_secret.unwrap().expose(), "s3cret");
        assert_eq!(s.scopes, ["companyinformation", "invoice"]);
    }

    #[test]
    fn missing_secret_means_code_only_with_a_warning() {
        let mut i = input();
        i.client_secret = Some(ClientSecret::new("  "));
        let c = check(&i, NameRule::Required);
        assert!(c.fields.is_empty());
        assert!(c.warnings.iter().any(|w| w.en.contains("only fetches the authorization code")));
        assert!(c.code_only);
        assert!(c.settings.unwrap().code_only());
    }

    #[test]
    fn every_problem_is_reported_per_field() {
        let i = SettingsInput { redirect_uri: "http://example.com/cb".into(), ..Default::default() };
        let c = check(&i, NameRule::Required);
        let keys: Vec<_> = c.fields.keys().copied().collect();
        assert_eq!(keys, ["clientId", "connectionName", "redirectUri", "scopes"]);
        assert!(c.settings.is_none());
        assert_eq!(c.into_result().unwrap_err().kind(), "invalid_settings");
    }

    #[test]
    fn a_name_is_optional_for_the_command_line() {
        let mut i = input();
        i.connection_name.clear();
        assert!(check(&i, NameRule::Optional).settings.is_some());
        assert!(check(&i, NameRule::Required).fields.contains_key("connectionName"));
    }

    #[test]
    fn unknown_scopes_are_allowed_with_a_warning() {
        let mut i = input();
        i.scopes = vec!["companyinformation".into(), "Invoice".into()];
        let c = check(&i, NameRule::Required);
        assert!(c.settings.is_some());
        assert!(c.warnings.iter().any(|w| w.en.contains("\u{201c}Invoice\u{201d}")));
    }

    #[test]
    fn debug_of_input_hides_the_secret() {
        assert!(!format!("{:?}", input()).contains("s3cret"));
    }
}
