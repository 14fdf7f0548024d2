//! The diagnostics report a user sends to support: what the app is, where it runs, how it
//! is set up, what went wrong lately and the log's last lines.
//!
//! Contract: [`Report::render`] gives plain text, shown to the user before it is copied.
//! Security rule: the report holds no secret. Its parts are secret-free by construction (the
//! settings as a [`SettingsSummary`], which only says *whether* a client secret was given;
//! error kinds and the details the [`Error`](crate::Error) contract keeps secret-free; log
//! lines, which never carry secrets), and the whole text is scrubbed once more at the end:
//! every secret value the caller knows (client secret, state, code, tokens) is replaced,
//! and so is anything shaped like one (`code=…`, `state=…`, `"access_token": "…"`, a JWT).

use crate::capture::redirect_uri::{Capture, RedirectUri};
use crate::clock::rfc3339;
use crate::fortnox::endpoints::Endpoints;
use crate::settings::{normalise_scopes, SettingsInput};
use crate::{Error, ErrorPayload};
use std::collections::VecDeque;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::Path;
use std::sync::Mutex;
use std::time::SystemTime;

/// How many errors [`RecentErrors`] keeps.
pub const RECENT_ERRORS: usize = 20;
/// How many log lines a report ends with.
pub const LOG_LINES: usize = 60;
/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// The settings as typed, without the client secret.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsSummary {
    pub connection_name: String,
    pub client_id: String,
    pub client_secret_given: bool,
    pub redirect_uri: String,
    /// `loopback`, `scheme` or `paste`, when the redirect URI is valid.
    pub capture: Option<&'static str>,
    pub scopes: Vec<String>,
    pub account_type: &'static str,
}

impl SettingsSummary {
    /// Summarises what the user typed (valid or not); the secret only as "given" or not.
    pub fn from_input(input: &SettingsInput) -> Self {
        let capture = RedirectUri::parse(&input.redirect_uri).ok().map(|r| match r.capture() {
            Capture::Loopback(_) => "loopback",
            Capture::Scheme { .. } => "scheme",
            Capture::Paste => "paste",
        });
        SettingsSummary {
            connection_name: input.connection_name.trim().to_string(),
            client_id: input.client_id.trim().to_string(),
            client_secret_given: input.client_secret.as_ref().is_some_and(|s| !s.expose().trim().is_empty()),
            redirect_uri: input.redirect_uri.trim().to_string(),
            capture,
            scopes: normalise_scopes(&input.scopes),
            account_type: input.account_type.as_str(),
        }
    }
}

/// One error the user met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedError {
    pub at: SystemTime,
    pub kind: String,
    pub detail: Option<String>,
}

/// The last [`RECENT_ERRORS`] errors, oldest first.
#[derive(Debug, Default)]
pub struct RecentErrors {
    inner: Mutex<VecDeque<RecordedError>>,
}

impl RecentErrors {
    /// Remembers an error the user was shown.
    pub fn record(&self, error: &ErrorPayload) {
        let mut list = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if list.len() == RECENT_ERRORS {
            list.pop_front();
        }
        list.push_back(RecordedError {
            at: SystemTime::now(),
            kind: error.kind.to_string(),
            detail: error.detail.clone(),
        });
    }

    /// The errors, oldest first.
    pub fn list(&self) -> Vec<RecordedError> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).iter().cloned().collect()
    }
}

/// Everything a report says.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// e.g. "Fortnox Activator".
    pub product: String,
    pub version: String,
    /// [`os_description`].
    pub os: String,
    /// [`endpoints_line`].
    pub endpoints: String,
    pub settings: Option<SettingsSummary>,
    pub errors: Vec<RecordedError>,
    pub log_tail: Vec<String>,
}

impl Report {
    /// The report as plain text, scrubbed of `known_secrets` and of anything shaped like a
    /// secret (see the module's rule).
    pub fn render(&self, known_secrets: &[&str]) -> String {
        let mut out = String::new();
        let mut line = |s: String| {
            out.push_str(&s);
            out.push('\n');
        };
        line(format!("{} {}: diagnostics for support (contains no secrets)", self.product, self.version));
        line(format!("Created: {}", rfc3339(SystemTime::now())));
        line(format!("System: {}", self.os));
        line(format!("Fortnox endpoints: {}", self.endpoints));
        match &self.settings {
            None => line("Settings: none entered yet".into()),
            Some(s) => {
                line("Settings:".into());
                line(format!("  Connection name: {}", s.connection_name));
                line(format!("  Client ID: {}", s.client_id));
                line(format!(
                    "  Client secret: {}",
                    if s.client_secret_given { "given (not shown)" } else { "not given (code only)" }
                ));
                line(format!("  Redirect URI: {}", s.redirect_uri));
                line(format!("  Capture: {}", s.capture.unwrap_or("(redirect URI not valid)")));
                line(format!("  Scopes: {}", s.scopes.join(" ")));
                line(format!("  Account type: {}", s.account_type));
            }
        }
        if self.errors.is_empty() {
            line("Recent errors: none".into());
        } else {
            line("Recent errors (oldest first):".into());
            for e in &self.errors {
                match &e.detail {
                    Some(d) => line(format!("  {} {}: {}", rfc3339(e.at), e.kind, d)),
                    None => line(format!("  {} {}", rfc3339(e.at), e.kind)),
                }
            }
        }
        if self.log_tail.is_empty() {
            line("Log: empty".into());
        } else {
            line(format!("Log (last {} lines):", self.log_tail.len()));
            for l in &self.log_tail {
                line(format!("  {l}"));
            }
        }
        scrub(&out, known_secrets)
    }
}

/// Which endpoints are in use: Fortnox's own, an override, or why an override was refused.
pub fn endpoints_line(endpoints: Result<&Endpoints, &Error>) -> String {
    match endpoints {
        Ok(e) if !e.is_override() => "Fortnox's own".to_string(),
        Ok(e) => format!("OVERRIDE: oauth {} api {}", e.oauth_base(), e.api_base()),
        Err(e) => format!("refused override ({}): {e}", e.kind()),
    }
}

/// The operating system and architecture, with the Linux distribution and kernel when known.
pub fn os_description() -> String {
    let mut s = format!("{} {}", std::env::consts::OS, std::env::consts::ARCH);
    if let Ok(release) = std::fs::read_to_string("/etc/os-release") {
        if let Some(name) = release.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=")) {
            s.push_str(&format!(", {}", name.trim_matches('"')));
        }
    }
    if let Ok(kernel) = std::fs::read_to_string("/proc/sys/kernel/osrelease") {
        s.push_str(&format!(", kernel {}", kernel.trim()));
    }
    s
}

/// The last `lines` lines of a log file (reading at most its last 256 KiB); none when it
/// cannot be read.
pub fn read_log_tail(path: &Path, lines: usize) -> Vec<String> {
    const MAX: u64 = 256 * 1024;
    let Ok(mut file) = std::fs::File::open(path) else { return Vec::new() };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if file.seek(SeekFrom::Start(len.saturating_sub(MAX))).is_err() {
        return Vec::new();
    }
    let mut bytes = Vec::new();
    if file.read_to_end(&mut bytes).is_err() {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(&bytes);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].iter().map(|l| l.to_string()).collect()
}

/// Replaces every known secret (values of 4 characters or more) and anything shaped like a
/// secret: the value of `code=`, `state=`, `token=`, `access_token=`, `refresh_token=`,
/// `client_secret=` (query or `.env` form, any case), of the same keys as JSON strings, and
/// JWTs (`eyJ….….…`).
pub fn scrub(text: &str, known_secrets: &[&str]) -> String {
    let mut out = text.to_string();
    let mut known: Vec<&str> = known_secrets.iter().map(|s| s.trim()).filter(|s| s.len() >= 4).collect();
    // Longest first, so a secret containing another is replaced whole.
    known.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for secret in known {
        out = out.replace(secret, REDACTED);
    }
    for key in ["access_token", "refresh_token", "client_secret", "code", "state", "token"] {
        out = scrub_assignments(&out, key);
        out = scrub_json_strings(&out, key);
    }
    scrub_jwts(&out)
}

/// `key=value` → `key=[redacted]`, where `key` is not the tail of a longer word (any case;
/// `FORTNOX_ACCESS_TOKEN=` counts, `encode=` does not).
fn scrub_assignments(text: &str, key: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let needle = format!("{key}=");
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(found) = lower[i..].find(&needle) {
        let start = i + found;
        let before_ok = text[..start].chars().next_back().is_none_or(|c| !c.is_ascii_alphanumeric());
        let value_start = start + needle.len();
        out.push_str(&text[i..value_start]);
        if before_ok {
            let rest = &text[value_start..];
            let end = rest.find(|c: char| c == '&' || c == '"' || c == '\'' || c.is_whitespace()).unwrap_or(rest.len());
            if end > 0 && &rest[..end] != REDACTED {
                out.push_str(REDACTED);
            } else {
                out.push_str(&rest[..end]);
            }
            i = value_start + end;
        } else {
            i = value_start;
        }
    }
    out.push_str(&text[i..]);
    out
}

/// `"key": "value"` → `"key": "[redacted]"`.
fn scrub_json_strings(text: &str, key: &str) -> String {
    let needle = format!("\"{key}\"");
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(found) = text[i..].find(&needle) {
        let after_key = i + found + needle.len();
        out.push_str(&text[i..after_key]);
        i = after_key;
        let rest = &text[after_key..];
        let trimmed = rest.trim_start();
        let Some(after_colon) = trimmed.strip_prefix(':') else { continue };
        let value = after_colon.trim_start();
        let Some(inner) = value.strip_prefix('"') else { continue };
        let Some(close) = inner.find('"') else { continue };
        let value_start = after_key + (rest.len() - inner.len());
        out.push_str(&text[after_key..value_start]);
        out.push_str(REDACTED);
        i = value_start + close;
    }
    out.push_str(&text[i..]);
    out
}

/// Anything like a JWT (`eyJ` + base64url, two dots) → `[redacted]`.
fn scrub_jwts(text: &str) -> String {
    let jwt_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(found) = text[i..].find("eyJ") {
        let start = i + found;
        let end = text[start..].find(|c: char| !jwt_char(c)).map_or(text.len(), |e| start + e);
        out.push_str(&text[i..start]);
        if text[start..end].matches('.').count() >= 2 {
            out.push_str(REDACTED);
        } else {
            out.push_str(&text[start..end]);
        }
        i = end;
    }
    out.push_str(&text[i..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::ClientSecret;

    #[test]
    fn known_secrets_and_secret_shapes_are_scrubbed() {
        let text = "a hunter22 b\n\
                    GET /callback?code=C0DE&state=ST4TE HTTP/1.1\n\
                    FORTNOX_ACCESS_TOKEN=abc.def\n\
                    {\"refresh_token\": \"r3fr3sh\", \"scope\":\"x\"}\n\
                    Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl end\n\
                    unicode=fine encode=kept";
        let s = scrub(text, &["hunter22", "abc"]);
        for secret in ["hunter22", "C0DE", "ST4TE", "abc.def", "r3fr3sh", "eyJzdWIi", "c2lnbmF0dXJl"] {
            assert!(!s.contains(secret), "{secret} in {s}");
        }
        assert!(s.contains("\"scope\":\"x\""), "{s}");
        assert!(s.contains("unicode=fine encode=kept"), "whole words only: {s}");
        assert!(s.contains("code=[redacted]&state=[redacted]"), "{s}");
    }

    #[test]
    fn short_known_values_do_not_shred_the_report() {
        assert_eq!(scrub("a b c", &["a", ""]), "a b c");
    }

    #[test]
    fn the_settings_summary_only_says_whether_a_secret_was_given() {
        let input = SettingsInput {
            connection_name: "Acme".into(),
            client_id: "CID".into(),
            client_secret: Some(ClientSecret::new("s3cr3t-value")),
            redirect_uri: "http://localhost:9876/callback".into(),
            scopes: vec!["companyinformation,invoice".into()],
            account_type: Default::default(),
        };
        let summary = SettingsSummary::from_input(&input);
        assert!(summary.client_secret_given);
        assert_eq!(summary.capture, Some("loopback"));
        let report = Report { settings: Some(summary), ..Default::default() }.render(&[]);
        assert!(!report.contains("s3cr3t-value"), "{report}");
        assert!(report.contains("Client secret: given (not shown)"), "{report}");
        assert!(report.contains("Scopes: companyinformation invoice"), "{report}");
    }

    #[test]
    fn recent_errors_keep_the_last_twenty_with_their_kinds() {
        let recent = RecentErrors::default();
        for port in 0..25u16 {
            recent.record(&Error::PortInUse { port }.payload());
        }
        recent
            .record(&Error::InvalidClient { description: Some("The client credentials are invalid".into()) }.payload());
        let list = recent.list();
        assert_eq!(list.len(), RECENT_ERRORS);
        assert_eq!(list.last().unwrap().kind, "invalid_client");
        let report = Report { errors: list, ..Default::default() }.render(&[]);
        assert!(report.contains("invalid_client: The client credentials are invalid"), "{report}");
    }

    #[test]
    fn the_log_tail_is_the_last_lines() {
        let dir = std::env::temp_dir().join(format!("diag-tail-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("x.log");
        let text: String = (1..=100).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&path, text).unwrap();
        let tail = read_log_tail(&path, 3);
        assert_eq!(tail, ["line 98", "line 99", "line 100"]);
        assert!(read_log_tail(&dir.join("missing.log"), 3).is_empty());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn the_endpoints_line_flags_an_override() {
        assert_eq!(endpoints_line(Ok(&Endpoints::default())), "Fortnox's own");
        let e = Endpoints::new("http://127.0.0.1:1/oauth-v1", "http://127.0.0.1:1/3");
        assert!(endpoints_line(Ok(&e)).starts_with("OVERRIDE"));
    }
}
