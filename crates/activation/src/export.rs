//! The one exporter of tokens: an activation's result, a saved connection and a refresh's
//! new pair, as one JSON object or as `.env` lines, with the same fields and names
//! everywhere (the window's "Copy as JSON" / "Copy as .env", saved or not, and the command
//! line's output).
//!
//! Security rule: an export holds secrets and exists only because the user asked for it
//! (a copy, the command line's stdout). Nothing here logs or writes a file.
//!
//! `.env` values are quoted so that sourcing the file in `sh`/`bash`, and loading it with
//! the usual dotenv libraries, give the literal value and run nothing (no `$(…)`, backtick
//! or `$VAR` is expanded), see [`env_quote`].

use crate::clock::{from_epoch_ms, rfc3339};
use crate::flow::Outcome;
use crate::fortnox::token::TokenSet;
use crate::settings::AccountType;
use crate::store::Connection;
use serde_json::Value;
use std::time::SystemTime;

/// The fields an export may hold, in the order they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    ConnectionId,
    ConnectionName,
    ClientId,
    Code,
    CodeExpiresAt,
    AccessToken,
    RefreshToken,
    ExpiresIn,
    AccessTokenExpiresAt,
    RefreshTokenExpiresAt,
    Scope,
    TokenType,
    TenantId,
    CompanyName,
    OrganizationNumber,
    UserName,
    UserEmail,
    AccountType,
}

impl Field {
    /// The key in JSON (the shape the command line has always printed).
    pub fn json_key(self) -> &'static str {
        match self {
            Field::ConnectionId => "connection_id",
            Field::ConnectionName => "connection_name",
            Field::ClientId => "client_id",
            Field::Code => "code",
            Field::CodeExpiresAt => "expires_at",
            Field::AccessToken => "access_token",
            Field::RefreshToken => "refresh_token",
            Field::ExpiresIn => "expires_in",
            Field::AccessTokenExpiresAt => "access_token_expires_at",
            Field::RefreshTokenExpiresAt => "refresh_token_expires_at",
            Field::Scope => "scope",
            Field::TokenType => "token_type",
            Field::TenantId => "tenant_id",
            Field::CompanyName => "company_name",
            Field::OrganizationNumber => "organization_number",
            Field::UserName => "user_name",
            Field::UserEmail => "user_email",
            Field::AccountType => "account_type",
        }
    }

    /// The variable in `.env` lines; `None` for what only JSON carries.
    pub fn env_key(self) -> Option<&'static str> {
        Some(match self {
            Field::ConnectionId => "FORTNOX_CONNECTION_ID",
            Field::ConnectionName => "FORTNOX_CONNECTION_NAME",
            Field::ClientId => "FORTNOX_CLIENT_ID",
            Field::Code => "FORTNOX_AUTHORIZATION_CODE",
            Field::CodeExpiresAt => "FORTNOX_AUTHORIZATION_CODE_EXPIRES_AT",
            Field::AccessToken => "FORTNOX_ACCESS_TOKEN",
            Field::RefreshToken => "FORTNOX_REFRESH_TOKEN",
            Field::AccessTokenExpiresAt => "FORTNOX_ACCESS_TOKEN_EXPIRES_AT",
            Field::RefreshTokenExpiresAt => "FORTNOX_REFRESH_TOKEN_EXPIRES_AT",
            Field::Scope => "FORTNOX_SCOPE",
            Field::TenantId => "FORTNOX_TENANT_ID",
            Field::CompanyName => "FORTNOX_COMPANY_NAME",
            Field::OrganizationNumber => "FORTNOX_ORGANIZATION_NUMBER",
            Field::AccountType => "FORTNOX_ACCOUNT_TYPE",
            Field::ExpiresIn | Field::TokenType | Field::UserName | Field::UserEmail => return None,
        })
    }
}

/// The two shapes of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object.
    Json,
    /// `KEY=value` lines, for a `.env` file or `source`.
    Env,
}

/// One export: fields and their values, written as JSON or `.env` lines.
#[derive(Default)]
pub struct Export {
    fields: Vec<(Field, Value)>,
}

impl std::fmt::Debug for Export {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values are secrets: only the field names are shown.
        f.debug_list().entries(self.fields.iter().map(|(k, _)| k)).finish()
    }
}

impl Export {
    /// Sets `field` (a later value replaces an earlier one).
    pub fn set(mut self, field: Field, value: impl Into<Value>) -> Self {
        let value = value.into();
        match self.fields.iter_mut().find(|(f, _)| *f == field) {
            Some(slot) => slot.1 = value,
            None => self.fields.push((field, value)),
        }
        self
    }

    /// Sets `field` to the time `t` in RFC 3339, or to null.
    fn time(self, field: Field, t: Option<SystemTime>) -> Self {
        self.set(field, t.map(rfc3339))
    }

    /// The connection's name and client id first, so support can tell one customer's keys
    /// from another's.
    pub fn named(self, name: &str, client_id: &str) -> Self {
        self.set(Field::ConnectionName, name).set(Field::ClientId, client_id)
    }

    /// A fresh activation's result: the code and when it expires, or the tokens and what
    /// was learnt of the company and the user.
    pub fn of_outcome(outcome: &Outcome) -> Self {
        match outcome {
            Outcome::Code { code, expires_at, .. } => {
                Export::default().set(Field::Code, code.expose()).time(Field::CodeExpiresAt, Some(*expires_at))
            }
            Outcome::Tokens(c) => Export::default()
                .tokens(&c.tokens)
                .set(Field::TenantId, c.tenant_id.clone())
                .set(Field::CompanyName, c.company.as_ref().map(|c| c.name.clone()))
                .set(Field::OrganizationNumber, c.company.as_ref().map(|c| c.organization_number.clone()))
                .set(Field::UserName, c.user.as_ref().map(|u| u.name.clone()))
                .set(Field::UserEmail, c.user.as_ref().map(|u| u.email.clone()))
                .account_type(c.account_type),
        }
    }

    /// What is saved of a connection, with its tokens (from the keychain, or new ones).
    pub fn of_connection(c: &Connection, access: &str, refresh: Option<&str>) -> Self {
        let scope = if c.granted_scopes.is_empty() { c.scopes.join(" ") } else { c.granted_scopes.join(" ") };
        Export::default()
            .set(Field::ConnectionId, c.id.to_string())
            .named(&c.name, &c.client_id)
            .set(Field::AccessToken, access)
            .set(Field::RefreshToken, refresh)
            .time(Field::AccessTokenExpiresAt, c.access_token_expires_at_ms.map(from_epoch_ms))
            .time(Field::RefreshTokenExpiresAt, refresh.and(c.refresh_token_expires_at_ms()).map(from_epoch_ms))
            .set(Field::Scope, scope)
            .set(Field::TokenType, "bearer")
            .set(Field::TenantId, c.tenant_id.clone())
            .set(Field::CompanyName, c.company_name.clone())
            .set(Field::OrganizationNumber, c.organization_number.clone())
            .account_type(c.account_type)
    }

    /// A saved connection kept on this computer, as the credential helper and a copy that
    /// hands nothing over give it: everything of [`of_connection`](Self::of_connection)
    /// but the refresh token, which stays here (one refresher per connection).
    pub fn of_kept_connection(c: &Connection, access: &str) -> Self {
        Export::of_connection(c, access, None)
    }

    /// A saved connection with a new pair of tokens (a refresh's), whether or not the
    /// keychain took them.
    pub fn of_new_tokens(c: &Connection, tokens: &TokenSet) -> Self {
        Export::of_connection(c, tokens.access_token.expose(), tokens.refresh_token.as_ref().map(|r| r.expose()))
            .tokens(tokens)
    }

    fn tokens(self, t: &TokenSet) -> Self {
        self.set(Field::AccessToken, t.access_token.expose())
            .set(Field::RefreshToken, t.refresh_token.as_ref().map(|r| r.expose()))
            .set(Field::ExpiresIn, t.expires_in)
            .time(Field::AccessTokenExpiresAt, Some(t.access_expires_at()))
            .time(Field::RefreshTokenExpiresAt, t.refresh_expires_at())
            .set(Field::Scope, t.scope.clone())
            .set(Field::TokenType, t.token_type.clone())
    }

    fn account_type(self, a: AccountType) -> Self {
        self.set(Field::AccountType, a.as_str())
    }

    /// The value of `field` as text, when it is set and not null.
    pub fn get(&self, field: Field) -> Option<String> {
        self.fields.iter().find(|(f, _)| *f == field).and_then(|(_, v)| text_of(v))
    }

    /// Leaves `field` out.
    pub fn without(mut self, field: Field) -> Self {
        self.fields.retain(|(f, _)| *f != field);
        self
    }

    /// The export as one JSON object (absent values as `null`), fields in order.
    pub fn to_json(&self) -> Value {
        let mut sorted: Vec<&(Field, Value)> = self.fields.iter().collect();
        sorted.sort_by_key(|(f, _)| *f);
        Value::Object(sorted.into_iter().map(|(f, v)| (f.json_key().to_string(), v.clone())).collect())
    }

    /// The export as `.env` lines, fields in order; absent values and JSON-only fields are
    /// left out.
    pub fn to_env(&self) -> String {
        let mut sorted: Vec<&(Field, Value)> = self.fields.iter().collect();
        sorted.sort_by_key(|(f, _)| *f);
        let mut out = String::new();
        for (field, value) in sorted {
            let (Some(key), Some(text)) = (field.env_key(), text_of(value)) else { continue };
            out.push_str(key);
            out.push('=');
            out.push_str(&env_quote(&text));
            out.push('\n');
        }
        out
    }

    /// The export in `format`: JSON pretty-printed, or `.env` lines.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Json => serde_json::to_string_pretty(&self.to_json()).unwrap_or_default(),
            Format::Env => self.to_env(),
        }
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Quotes a `.env` value when it holds anything but plain characters, so that sourcing the
/// line in `sh` or `bash` and loading it with the usual dotenv libraries (python-dotenv,
/// Node's dotenv, Rust's dotenvy, Ruby's dotenv) all give the literal value and run nothing:
/// - in single quotes, inside which the shells expand nothing and the libraries read
///   every character as it is;
/// - a value with a single quote in double quotes, when it holds nothing the shells expand
///   or unescape there (`$`, backtick, backslash, double quote): `"Kalle's AB"`;
/// - otherwise (a single quote and one of those) with the shells' `'\''` for each single
///   quote. The shells read that right; the libraries, which know no such joining of quoted
///   parts, do not: the one form no quoting can serve everywhere.
pub fn env_quote(v: &str) -> String {
    if !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || "-._~:/+=@,".contains(c)) {
        v.to_string()
    } else if !v.contains('\'') {
        format!("'{v}'")
    } else if !v.contains(['$', '`', '\\', '"']) {
        format!("\"{v}\"")
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_env_carry_the_same_fields_in_one_order() {
        let e = Export::default()
            .set(Field::AccountType, "user")
            .set(Field::AccessToken, "a.b.c")
            .named("Acme AB", "client-1")
            .set(Field::RefreshToken, Value::Null)
            .set(Field::ExpiresIn, 3600);
        assert_eq!(
            e.to_env(),
            "FORTNOX_CONNECTION_NAME='Acme AB'\nFORTNOX_CLIENT_ID=client-1\nFORTNOX_ACCESS_TOKEN=a.b.c\nFORTNOX_ACCOUNT_TYPE=user\n"
        );
        let j = e.to_json();
        assert_eq!(j["connection_name"], "Acme AB");
        assert!(j["refresh_token"].is_null());
        assert_eq!(j["expires_in"], 3600);
    }

    #[test]
    fn values_that_a_shell_would_expand_are_quoted_literally() {
        assert_eq!(env_quote("plain-value_1.2"), "plain-value_1.2");
        assert_eq!(env_quote("abc.def-1"), "abc.def-1");
        assert_eq!(env_quote("companyinformation invoice"), "'companyinformation invoice'");
        assert_eq!(env_quote("Annat $(touch X) AB"), "'Annat $(touch X) AB'");
        assert_eq!(env_quote("`id`"), "'`id`'");
        assert_eq!(env_quote("Kalle's AB"), "\"Kalle's AB\"");
        assert_eq!(env_quote("Kalle's $AB"), "'Kalle'\\''s $AB'");
        assert_eq!(env_quote(""), "''");
    }

    #[cfg(unix)]
    #[test]
    fn sourcing_the_lines_in_sh_gives_the_literal_values_and_runs_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("X");
        let all = format!("Annat $(touch {0}) `touch {0}` $HOME Kalle's \\ \"AB\"", marker.display());
        let plain = format!("Annat $(touch {0}) `touch {0}` ${{HOME}} \\ \"AB\"", marker.display());
        for company in [all.as_str(), plain.as_str(), "Kalle's AB", "Åström & Söner", ""] {
            let env = Export::default().set(Field::CompanyName, company).to_env();
            let file = dir.path().join("tokens.env");
            std::fs::write(&file, &env).unwrap();
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!(". '{}' && printf %s \"$FORTNOX_COMPANY_NAME\"", file.display()))
                .output()
                .unwrap();
            assert!(out.status.success(), "{env}");
            assert_eq!(String::from_utf8(out.stdout).unwrap(), company, "{env}");
            assert!(!marker.exists(), "nothing ran: {env}");
        }
    }

    /// What a dotenv library reads from `.env` lines (dotenvy, the Rust one; python-dotenv,
    /// Node's dotenv and Ruby's dotenv read single- and double-quoted values the same way
    /// for the characters these values may hold).
    fn dotenv_reads(lines: &str) -> Vec<(String, String)> {
        dotenvy::from_read_iter(lines.as_bytes()).map(Result::unwrap).collect()
    }

    #[test]
    fn a_dotenv_library_reads_the_literal_values() {
        let values = [
            "Annat $(touch X) AB",
            "`touch X` AB",
            "$HOME and ${HOME}",
            "Kalle's AB",
            "Åström & Söner \"Bygg\" AB",
            "back\\slash",
            "companyinformation invoice",
            "2026-12-07T10:00:00Z",
            "",
        ];
        for v in values {
            let lines = Export::default().set(Field::CompanyName, v).to_env();
            assert_eq!(dotenv_reads(&lines), [("FORTNOX_COMPANY_NAME".to_string(), v.to_string())], "{lines}");
        }
    }

    #[test]
    fn a_later_value_replaces_an_earlier_one() {
        let e = Export::default().set(Field::Scope, "a").set(Field::Scope, "b");
        assert_eq!(e.to_env(), "FORTNOX_SCOPE=b\n");
        assert_eq!(format!("{e:?}"), "[Scope]");
    }
}
