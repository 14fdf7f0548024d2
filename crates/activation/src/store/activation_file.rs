//! Activation files: a connection's settings, never its secrets, as a small `.json` file an
//! integrator hands to a customer, who opens it and activates in three clicks.
//!
//! ```json
//! {"format": "fortnox-activation", "version": 1, "name": "Acme AB",
//!  "clientId": "…", "redirectUri": "http://localhost:9876/callback",
//!  "scopes": ["companyinformation", "invoice"], "accountType": "user"}
//! ```
//! Parsing validates every field and reports the problems field by field
//! ([`Error::ActivationFileInvalid`]), in Swedish and English, reusing the settings rules.
//!
//! Security rule: the type has no secret field, and a file that carries one (a
//! `clientSecret`, token or code) is refused, so secrets are never passed around this way.

use super::connection::Connection;
use crate::settings::{self, AccountType, NameRule, SettingsInput};
use crate::{Error, Text};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The `format` marker.
pub const FORMAT: &str = "fortnox-activation";
/// The version written and the highest read.
pub const VERSION: u64 = 1;
/// Files larger than this are refused unread.
pub const MAX_BYTES: u64 = 64 * 1024;

/// The refusal of a file larger than [`MAX_BYTES`] (a real one is well under 1 KB).
pub fn too_large() -> Error {
    let mut fields = BTreeMap::new();
    fields.insert(
        "file".into(),
        Text::new(
            format!("The file is larger than {} KB: far too large to be an activation file (they are under 1 KB); it was not read.", MAX_BYTES / 1024),
            format!("Filen är större än {} KB: alldeles för stor för att vara en aktiveringsfil (de är under 1 KB); den lästes inte.", MAX_BYTES / 1024),
        ),
    );
    Error::ActivationFileInvalid { fields }
}

/// A validated activation file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivationFile {
    pub name: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub account_type: AccountType,
}

impl ActivationFile {
    /// The settings of a saved connection.
    pub fn from_connection(c: &Connection) -> Self {
        ActivationFile {
            name: c.name.clone(),
            client_id: c.client_id.clone(),
            redirect_uri: c.redirect_uri.clone(),
            scopes: c.scopes.clone(),
            account_type: c.account_type,
        }
    }

    /// The file's text (pretty JSON with `format` and `version`).
    pub fn to_json(&self) -> String {
        let v = serde_json::json!({
            "format": FORMAT,
            "version": VERSION,
            "name": self.name,
            "clientId": self.client_id,
            "redirectUri": self.redirect_uri,
            "scopes": self.scopes,
            "accountType": self.account_type,
        });
        serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
    }

    /// What the wizard starts from (no client secret: the administrator enters it, or the
    /// wizard runs code-only).
    pub fn to_settings_input(&self) -> SettingsInput {
        SettingsInput {
            connection_name: self.name.clone(),
            client_id: self.client_id.clone(),
            client_secret: None,
            redirect_uri: self.redirect_uri.clone(),
            scopes: self.scopes.clone(),
            account_type: self.account_type,
        }
    }

    /// Parses and validates a file's text.
    ///
    /// # Errors
    /// [`Error::ActivationFileInvalid`] listing every problem by field (`file`, `format`,
    /// `version`, `name`, `clientId`, `redirectUri`, `scopes`, `accountType`, `secrets`).
    pub fn parse(text: &str) -> Result<Self, Error> {
        if text.len() as u64 > MAX_BYTES {
            return Err(too_large());
        }
        let mut fields: BTreeMap<String, Text> = BTreeMap::new();
        let invalid = |fields: BTreeMap<String, Text>| Error::ActivationFileInvalid { fields };
        // Windows editors (Notepad before Windows 10 1903, and "UTF-8 with BOM" since) may
        // start the file with a byte order mark, which JSON does not allow.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let value: serde_json::Value = match serde_json::from_str(text) {
            Ok(v @ serde_json::Value::Object(_)) => v,
            _ => {
                fields.insert(
                    "file".into(),
                    Text::new(
                        "This is not an activation file (it is not a JSON object).",
                        "Det här är ingen aktiveringsfil (den är inte ett JSON-objekt).",
                    ),
                );
                return Err(invalid(fields));
            }
        };
        if value.get("format").and_then(|v| v.as_str()) != Some(FORMAT) {
            fields.insert(
                "format".into(),
                Text::new(
                    format!("This is not an activation file (\"format\" must be \"{FORMAT}\")."),
                    format!("Det här är ingen aktiveringsfil (\"format\" ska vara \"{FORMAT}\")."),
                ),
            );
            return Err(invalid(fields));
        }
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(v) if (1..=VERSION).contains(&v) => {}
            Some(v) if v > VERSION => {
                fields.insert(
                    "version".into(),
                    Text::new(
                        format!("The file was made by a newer version of the app (version {v}); update the app."),
                        format!("Filen skapades av en nyare version av appen (version {v}); uppdatera appen."),
                    ),
                );
            }
            _ => {
                fields.insert(
                    "version".into(),
                    Text::new("\"version\" is missing or not a number.", "\"version\" saknas eller är inget tal."),
                );
            }
        }
        for key in
            ["clientSecret", "client_secret", "accessToken", "access_token", "refreshToken", "refresh_token", "code"]
        {
            if value.get(key).is_some() {
                fields.insert(
                    "secrets".into(),
                    Text::new(
                        "The file contains a secret; activation files must never carry one. Ask for a file without it, and have the secret changed in Fortnox's Developer Portal.",
                        "Filen innehåller en hemlighet; aktiveringsfiler får aldrig bära någon. Be om en fil utan den och låt byta hemligheten i Fortnox utvecklarportal.",
                    ),
                );
            }
        }
        let text_field = |key: &str, fields: &mut BTreeMap<String, Text>| -> String {
            match value.get(key) {
                Some(serde_json::Value::String(s)) => s.clone(),
                None | Some(serde_json::Value::Null) => String::new(),
                Some(_) => {
                    fields.insert(key.into(), Text::new("Must be text.", "Ska vara text."));
                    String::new()
                }
            }
        };
        let name = text_field("name", &mut fields);
        let client_id = text_field("clientId", &mut fields);
        let redirect_uri = text_field("redirectUri", &mut fields);
        let scopes: Vec<String> = match value.get("scopes") {
            Some(serde_json::Value::Array(a)) if a.iter().all(serde_json::Value::is_string) => {
                a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()
            }
            Some(serde_json::Value::String(s)) => vec![s.clone()],
            None => Vec::new(),
            Some(_) => {
                fields.insert(
                    "scopes".into(),
                    Text::new("Must be a list of scopes.", "Ska vara en lista med behörighetsområden."),
                );
                Vec::new()
            }
        };
        let account_type = match value.get("accountType").and_then(|v| v.as_str()) {
            None | Some("user") => AccountType::User,
            Some("service") => AccountType::Service,
            Some(other) => {
                fields.insert(
                    "accountType".into(),
                    Text::new(
                        format!("\"{other}\" is not an account type; use \"user\" or \"service\"."),
                        format!("\"{other}\" är ingen kontotyp; använd \"user\" eller \"service\"."),
                    ),
                );
                AccountType::User
            }
        };
        let input =
            SettingsInput { connection_name: name, client_id, client_secret: None, redirect_uri, scopes, account_type };
        let check = settings::check(&input, NameRule::Required);
        for (field, problem) in check.fields {
            let key = if field == "connectionName" { "name" } else { field };
            fields.entry(key.to_string()).or_insert(problem);
        }
        match (fields.is_empty(), check.settings) {
            (true, Some(s)) => Ok(ActivationFile {
                name: s.connection_name,
                client_id: s.client_id,
                redirect_uri: s.redirect_uri.as_str().to_string(),
                scopes: s.scopes,
                account_type: s.account_type,
            }),
            _ => Err(invalid(fields)),
        }
    }

    /// Reads and validates a file, refusing one larger than [`MAX_BYTES`] before reading it.
    ///
    /// # Errors
    /// [`Error::StorageFailed`] when it cannot be read; otherwise as [`parse`](Self::parse).
    pub fn read(path: &Path) -> Result<Self, Error> {
        use std::io::Read as _;
        let storage = |reason: String| Error::StorageFailed { path: path.display().to_string(), reason };
        let file = std::fs::File::open(path).map_err(|e| storage(e.to_string()))?;
        let len = file.metadata().map_err(|e| storage(e.to_string()))?.len();
        if len > MAX_BYTES {
            return Err(too_large());
        }
        // The size can change after the check (or a special file report none): read one
        // byte past the limit at most.
        let mut bytes = Vec::new();
        file.take(MAX_BYTES + 1).read_to_end(&mut bytes).map_err(|e| storage(e.to_string()))?;
        if bytes.len() as u64 > MAX_BYTES {
            return Err(too_large());
        }
        let text = String::from_utf8(bytes).map_err(|_| {
            let mut fields = BTreeMap::new();
            fields.insert("file".into(), Text::new("The file is not text.", "Filen är inte text."));
            Error::ActivationFileInvalid { fields }
        })?;
        Self::parse(&text)
    }

    /// Writes the file (replacing any file at `path`).
    ///
    /// # Errors
    /// [`Error::StorageFailed`].
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        std::fs::write(path, self.to_json())
            .map_err(|e| Error::StorageFailed { path: path.display().to_string(), reason: e.to_string() })
    }
}
