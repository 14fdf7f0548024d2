//! A saved connection (settings only, never a secret) and its status at a glance.
//!
//! Times are milliseconds since the Unix epoch, as front ends use them. The status is
//! computed, not stored: [`Connection::status_at`] reads the stored [`Standing`], which
//! secrets were saved, who keeps the refresh token and the token times, and gives a kind
//! with its dates; the window words it from those (`ui/js/i18n.js`), the command line with
//! [`status_words`], the one place Rust words a status. The list is sorted by the date
//! that needs action ([`sort_by_date_due`]).

use crate::clock::rfc3339;
use crate::fortnox::token::REFRESH_TOKEN_LIFETIME;
use crate::settings::{AccountType, ExpectedCompany};
use crate::Text;
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime};
use uuid::Uuid;

/// How early the list starts saying "re-authorize before DATE" instead of "active".
pub const REAUTHORIZE_WARNING: Duration = Duration::from_secs(7 * 24 * 3600);

/// What happened to a connection that its tokens alone do not tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Tokens were received and nothing has gone wrong since.
    #[default]
    Ok,
    /// Created by duplicating: settings only, never activated.
    NotActivated,
    /// Fortnox refused the refresh token (`invalid_grant`): only a new activation helps.
    NeedsReauthorization,
    /// The refresh token was revoked at Fortnox and the connection kept.
    Revoked,
}

/// Which secrets the keychain holds for the connection, as far as this app knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecretsSaved {
    pub client_secret: bool,
    pub access_token: bool,
    pub refresh_token: bool,
}

/// One saved connection: everything but the secrets. Field names are camelCase, in the
/// connections file and for the webview alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// A v4 uuid, fixed for the connection's life; the keychain entries are keyed by it.
    pub id: Uuid,
    /// Unique among saved connections, ignoring case.
    pub name: String,
    pub client_id: String,
    pub redirect_uri: String,
    /// The scopes requested.
    pub scopes: Vec<String>,
    /// The scopes Fortnox granted at the last activation or refresh.
    #[serde(default)]
    pub granted_scopes: Vec<String>,
    pub account_type: AccountType,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub company_name: Option<String>,
    #[serde(default)]
    pub organization_number: Option<String>,
    pub created_at_ms: u64,
    /// The last activation or re-authorization.
    #[serde(default)]
    pub authorized_at_ms: Option<u64>,
    /// When the current access token expires.
    #[serde(default)]
    pub access_token_expires_at_ms: Option<u64>,
    /// When the current refresh token was issued (it lives 31 days from then).
    #[serde(default)]
    pub refresh_token_issued_at_ms: Option<u64>,
    #[serde(default)]
    pub standing: Standing,
    #[serde(default)]
    pub secrets_saved: SecretsSaved,
    /// Who keeps the refresh token: `None`, this computer (kept here: the only refresher;
    /// the integration asks `fortnox-activate token` for access tokens); `Some(t)`, handed
    /// over to the integration at `t` (it refreshes; this computer forgot the refresh token).
    #[serde(default)]
    pub handed_over_at_ms: Option<u64>,
}

/// Who keeps a connection's refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ownership {
    /// This computer is the only one that refreshes.
    KeptHere,
    /// The integration holds the refresh token and keeps the connection alive.
    HandedOver,
}

impl Ownership {
    /// `kept_here` or `handed_over`, as the command line shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            Ownership::KeptHere => "kept_here",
            Ownership::HandedOver => "handed_over",
        }
    }
}

/// What a connection kept here needs next, and by when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Refresh before the refresh token's 31 days are over (`fortnox-activate refresh` or
    /// `token`, or "Refresh now"): a refresh starts 31 new days.
    Refresh,
    /// Only the customer can help: authorize again (expired, refused, revoked, never
    /// activated).
    Reauthorize,
    /// The keychain does not hold the keys: save them (or re-authorize).
    SaveKeys,
}

/// A connection's next action and its date (Unix milliseconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NextAction {
    pub action: Action,
    pub due_ms: u64,
    /// `due_ms` in RFC 3339 (UTC), for scripts.
    pub due_at: String,
}

impl NextAction {
    fn new(action: Action, due_ms: u64) -> Self {
        NextAction { action, due_ms, due_at: rfc3339(from_ms(due_ms)) }
    }
}

/// The machine-readable part of a [`Status`]; `snake_case` strings are a stable contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    /// Fortnox refused the refresh token: re-authorize.
    NeedsReauthorization,
    /// The refresh token's 31 days are over: re-authorize.
    Expired,
    /// Revoked at Fortnox: re-authorize to use it again.
    Revoked,
    /// Some secret could not be saved in the keychain.
    SecretsNotSaved,
    /// The refresh token runs out within [`REAUTHORIZE_WARNING`]; `until_ms` is the date.
    ReauthorizeBefore,
    /// Duplicated, not yet activated.
    NotActivated,
    /// Working; the access token is valid for `minutes` more.
    AccessTokenValid,
    /// Working; the access token has expired and a refresh (or a client-credentials token)
    /// gets a new one. `until_ms` is when the refresh token runs out, if any.
    Active,
    /// The refresh token was handed over to the integration, which keeps the connection
    /// alive; this computer knows no more than when.
    HandedOver,
}

/// A connection's status: a stable kind and its dates (what the window draws from), and the
/// command line's words for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub kind: StatusKind,
    /// The command line's words, in both languages ([`status_words`]).
    pub text: Text,
    /// The deadline the text speaks of (refresh token expiry), if any.
    pub until_ms: Option<u64>,
    /// Minutes left on the access token, for `access_token_valid`.
    pub minutes: Option<u64>,
}

/// A connection with its status, as [`Store::list`](super::Store::list) returns it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Listed {
    #[serde(flatten)]
    pub connection: Connection,
    pub status: Status,
    /// Who keeps the refresh token: `kept_here` or `handed_over`.
    pub ownership: Ownership,
    /// What this computer must do next, and by when (none for handed-over connections and
    /// service accounts).
    pub next_action: Option<NextAction>,
}

fn from_ms(ms: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(ms)
}

fn ms(t: SystemTime) -> u64 {
    crate::clock::epoch_ms(t)
}

fn date(ms: u64) -> String {
    let t = SystemTime::UNIX_EPOCH + Duration::from_millis(ms);
    rfc3339(t)[..10].to_string()
}

impl Connection {
    /// The company a re-authorization of this connection must come back with (`None`
    /// when its tenant is not known, e.g. a duplicate never activated).
    pub fn expected_company(&self) -> Option<ExpectedCompany> {
        Some(ExpectedCompany {
            tenant_id: self.tenant_id.clone()?,
            name: self.company_name.clone(),
            organization_number: self.organization_number.clone(),
        })
    }

    /// Whether the saved access token (saved in the keychain, as far as this app knows)
    /// has more than `min_valid` left at `now`.
    pub fn access_lives(&self, min_valid: Duration, now: SystemTime) -> bool {
        let limit = ms(now).saturating_add(u64::try_from(min_valid.as_millis()).unwrap_or(u64::MAX));
        self.secrets_saved.access_token && self.access_token_expires_at_ms.is_some_and(|e| e > limit)
    }

    /// When the refresh token runs out (issued + 31 days), if there is one.
    pub fn refresh_token_expires_at_ms(&self) -> Option<u64> {
        self.refresh_token_issued_at_ms.map(|i| i.saturating_add(REFRESH_TOKEN_LIFETIME.as_millis() as u64))
    }

    /// The status now.
    pub fn status(&self) -> Status {
        self.status_at(SystemTime::now())
    }

    /// Refuses what only the holder of the refresh token may do (refresh, give out access
    /// tokens) when it was handed over.
    ///
    /// # Errors
    /// `handed_over`.
    pub fn ensure_kept_here(&self) -> Result<(), crate::Error> {
        match self.handed_over_at_ms {
            Some(at) => Err(crate::Error::HandedOver { name: self.name.clone(), on: date(at) }),
            None => Ok(()),
        }
    }

    /// What this computer must do next for the connection, and by when; `None` when
    /// nothing is due here: handed over (the integration keeps it alive) or a service
    /// account (its consent lasts until the customer revokes it). Overdue actions are due
    /// `now`.
    pub fn next_action(&self, now: SystemTime) -> Option<NextAction> {
        if self.handed_over_at_ms.is_some() {
            return None;
        }
        let now = ms(now);
        let at_once = |action| Some(NextAction::new(action, now));
        match self.status_parts(now).0 {
            StatusKind::NeedsReauthorization | StatusKind::Expired | StatusKind::Revoked | StatusKind::NotActivated => {
                at_once(Action::Reauthorize)
            }
            StatusKind::SecretsNotSaved => at_once(Action::SaveKeys),
            StatusKind::HandedOver => None,
            _ if self.account_type == AccountType::Service => None,
            _ => self.refresh_token_expires_at_ms().map(|until| NextAction::new(Action::Refresh, until.max(now))),
        }
    }

    /// Who keeps the refresh token.
    pub fn ownership(&self) -> Ownership {
        if self.handed_over_at_ms.is_some() {
            Ownership::HandedOver
        } else {
            Ownership::KeptHere
        }
    }

    /// The status at `now`: its kind and dates, and the command line's words for it
    /// ([`status_words`]; the window draws its own from the kind and dates).
    pub fn status_at(&self, now: SystemTime) -> Status {
        let now = ms(now);
        let (kind, until_ms, minutes) = self.status_parts(now);
        let service = self.account_type == AccountType::Service;
        Status { kind, text: status_words(kind, until_ms, minutes, self.handed_over_at_ms, service), until_ms, minutes }
    }

    /// The status's kind, its deadline (refresh token expiry) and the access token's minutes.
    fn status_parts(&self, now: u64) -> (StatusKind, Option<u64>, Option<u64>) {
        match self.standing {
            Standing::NeedsReauthorization => return (StatusKind::NeedsReauthorization, None, None),
            Standing::Revoked => return (StatusKind::Revoked, None, None),
            Standing::NotActivated => return (StatusKind::NotActivated, None, None),
            Standing::Ok => {}
        }
        if self.handed_over_at_ms.is_some() {
            return (StatusKind::HandedOver, None, None);
        }
        let service = self.account_type == AccountType::Service;
        let refresh_until = self.refresh_token_expires_at_ms().filter(|_| !service);
        if let Some(until) = refresh_until.filter(|u| *u <= now) {
            return (StatusKind::Expired, Some(until), None);
        }
        let s = self.secrets_saved;
        let tokens_saved = s.access_token && (s.refresh_token || self.refresh_token_issued_at_ms.is_none());
        if !s.client_secret || !tokens_saved {
            return (StatusKind::SecretsNotSaved, None, None);
        }
        if let Some(until) = refresh_until.filter(|u| u.saturating_sub(now) <= REAUTHORIZE_WARNING.as_millis() as u64) {
            return (StatusKind::ReauthorizeBefore, Some(until), None);
        }
        if let Some(exp) = self.access_token_expires_at_ms.filter(|e| *e > now) {
            return (StatusKind::AccessTokenValid, refresh_until, Some((exp - now).div_ceil(60_000)));
        }
        (StatusKind::Active, refresh_until, None)
    }
}

/// The command line's words for a status, in both languages: the one place Rust words a
/// status (the window words it in `ui/js/i18n.js` from the kind and the dates). Dates are
/// `YYYY-MM-DD`; the verbs are the window's ("re-authorize" / "godkänn igen", "refresh" /
/// "förnya").
pub fn status_words(
    kind: StatusKind,
    until_ms: Option<u64>,
    minutes: Option<u64>,
    handed_over_at_ms: Option<u64>,
    service: bool,
) -> Text {
    let on = |ms: Option<u64>| ms.map(date).unwrap_or_default();
    let (en, sv) = match kind {
        StatusKind::NeedsReauthorization => (
            "Re-authorize now: Fortnox refused the refresh token".into(),
            "Godkänn igen nu: Fortnox nekade förnyelsetoken".into(),
        ),
        StatusKind::Expired => (
            format!("Re-authorize now: expired on {}", on(until_ms)),
            format!("Godkänn igen nu: gick ut {}", on(until_ms)),
        ),
        StatusKind::Revoked => {
            ("Revoked; re-authorize to use it again".into(), "Återkallad; godkänn igen för att använda den".into())
        }
        StatusKind::NotActivated => (
            "Not activated yet; re-authorize to activate it".into(),
            "Inte aktiverad än; godkänn igen för att aktivera den".into(),
        ),
        StatusKind::SecretsNotSaved => (
            "Keys not saved in the keychain: save them or re-authorize".into(),
            "Nycklarna är inte sparade i nyckelringen: spara dem eller godkänn igen".into(),
        ),
        StatusKind::ReauthorizeBefore => (
            format!("Refresh by {}, or the customer must re-authorize", on(until_ms)),
            format!("Förnya senast {}, annars måste kunden godkänna igen", on(until_ms)),
        ),
        StatusKind::HandedOver => (
            format!("Handed over to the integration on {}; it keeps the connection alive", on(handed_over_at_ms)),
            format!("Överlämnad till integrationen {}; den håller kopplingen vid liv", on(handed_over_at_ms)),
        ),
        StatusKind::AccessTokenValid | StatusKind::Active if service => (
            "Active; service account (no end date: the consent lasts until the customer revokes it)".into(),
            "Aktiv; servicekonto (inget slutdatum: godkännandet gäller tills kunden återkallar det)".into(),
        ),
        StatusKind::AccessTokenValid | StatusKind::Active => {
            let (mut en, mut sv) = ("Active".to_string(), "Aktiv".to_string());
            if let Some(m) = minutes {
                en.push_str(&format!("; access token expires in {m} min"));
                sv.push_str(&format!("; åtkomsttoken går ut om {m} min"));
            }
            if let Some(until) = until_ms {
                en.push_str(&format!("; refresh by {}", date(until)));
                sv.push_str(&format!("; förnya senast {}", date(until)));
            }
            (en, sv)
        }
    };
    Text::new(en, sv)
}

/// Sorts by the date that needs action, soonest first (what needs action now is due now,
/// so it comes first); connections with nothing due here (handed over, service accounts)
/// last; then by name, ignoring case.
pub fn sort_by_date_due(list: &mut [Listed]) {
    list.sort_by(|a, b| {
        let due = |l: &Listed| l.next_action.as_ref().map_or(u64::MAX, |n| n.due_ms);
        due(a).cmp(&due(b)).then_with(|| a.connection.name.to_lowercase().cmp(&b.connection.name.to_lowercase()))
    });
}
