//! Activation files: a connection's settings, never its secrets, as a small `.json` file an
//! integrator hands to a customer, who opens it and activates in three clicks.
//!
//! ```json
//! {"format": "fortnox-activation", "version": 1, "name": "Acme AB",
//!  "clientId": "…", "redirectUri": "http://localhost:9876/callback",
//!  "scopes": ["companyinformation", "invoice"], "accountType": "user"}
//! ```
//! Parsing validates every field and reports the problems field by field
//! ([`Error::ActivationFileInvalid`] with [`FileProblem`]s: field, kind, suggested
//! correction; worded in `error::file_problem`), reusing the settings rules. A file that is
//! used may still name a scope Fortnox does not know: [`ActivationFile::notes`] lists those,
//! with the known scope each most likely means.
//!
//! Security rule: the type has no secret field, and a file that carries one (a
//! `clientSecret`, token or code) is refused, so secrets are never passed around this way.

use super::connection::Connection;
use crate::error::{FileField, FileProblem, ProblemKind};
use crate::fortnox::scopes;
use crate::settings::{self, AccountType, NameRule, SettingsInput};
use crate::Error;
use serde::Serialize;
use std::path::Path;

/// The `format` marker.
pub const FORMAT: &str = "fortnox-activation";
/// The file name's extension (without the dot) that exports get and the installers register:
/// one extension, because Windows and macOS choose a file's program by the last one alone
/// (`.fortnox-activation.json`, what earlier versions wrote, reads as `.json` there; it still
/// opens from the app and, on Linux, by a double-click).
pub const EXTENSION: &str = "fortnox-activation";
/// The version written and the highest read.
pub const VERSION: u64 = 1;
/// Files larger than this are refused unread.
pub const MAX_BYTES: u64 = 64 * 1024;

/// The refusal of a file larger than [`MAX_BYTES`] (a real one is well under 1 KB).
pub fn too_large() -> Error {
    refused(FileField::File, ProblemKind::TooLarge { max_kb: MAX_BYTES / 1024 })
}

fn refused(field: FileField, kind: ProblemKind) -> Error {
    Error::ActivationFileInvalid { problems: vec![FileProblem::new(field, kind)] }
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
    /// [`Error::ActivationFileInvalid`] listing every problem by field, in field order:
    /// the file as a whole (`file`, `format`), `version`, `secrets`, then `name`, `clientId`,
    /// `redirectUri`, `scopes`, `accountType`, each missing, of the wrong type, or against a
    /// settings rule, with a suggested correction where one stands out.
    pub fn parse(text: &str) -> Result<Self, Error> {
        if text.len() as u64 > MAX_BYTES {
            return Err(too_large());
        }
        // Windows editors (Notepad before Windows 10 1903, and "UTF-8 with BOM" since) may
        // start the file with a byte order mark, which JSON does not allow.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let value: serde_json::Value = match serde_json::from_str(text) {
            Ok(v @ serde_json::Value::Object(_)) => v,
            _ => return Err(refused(FileField::File, ProblemKind::NotJson)),
        };
        if value.get("format").and_then(|v| v.as_str()) != Some(FORMAT) {
            return Err(refused(FileField::Format, ProblemKind::WrongFormat { expected: FORMAT }));
        }
        let mut problems: Vec<FileProblem> = Vec::new();
        let mut note = |field: FileField, kind: ProblemKind| problems.push(FileProblem::new(field, kind));
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(v) if (1..=VERSION).contains(&v) => {}
            Some(version) if version > VERSION => note(FileField::Version, ProblemKind::NewerVersion { version }),
            _ => note(FileField::Version, ProblemKind::NoVersion),
        }
        let secrets =
            ["clientSecret", "client_secret", "accessToken", "access_token", "refreshToken", "refresh_token", "code"];
        if secrets.iter().any(|key| value.get(key).is_some()) {
            note(FileField::Secrets, ProblemKind::HasSecret);
        }
        let mut text_field = |field: FileField| -> String {
            match value.get(field.key()) {
                Some(serde_json::Value::String(s)) => s.clone(),
                None | Some(serde_json::Value::Null) => String::new(),
                Some(_) => {
                    note(field, ProblemKind::NotAString);
                    String::new()
                }
            }
        };
        let name = text_field(FileField::Name);
        let client_id = text_field(FileField::ClientId);
        let redirect_uri = text_field(FileField::RedirectUri);
        let scopes: Vec<String> = match value.get("scopes") {
            Some(serde_json::Value::Array(a)) if a.iter().all(serde_json::Value::is_string) => {
                a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()
            }
            Some(serde_json::Value::String(s)) => vec![s.clone()],
            None | Some(serde_json::Value::Null) => Vec::new(),
            Some(_) => {
                note(FileField::Scopes, ProblemKind::NotAList);
                Vec::new()
            }
        };
        let account_type = match value.get("accountType").and_then(|v| v.as_str()) {
            None | Some("user") => AccountType::User,
            Some("service") => AccountType::Service,
            Some(other) => {
                note(FileField::AccountType, ProblemKind::UnknownAccountType { value: other.to_string() });
                AccountType::User
            }
        };
        let typed = [
            (FileField::Name, name.trim().is_empty()),
            (FileField::ClientId, client_id.trim().is_empty()),
            (FileField::RedirectUri, redirect_uri.trim().is_empty()),
            (FileField::Scopes, settings::normalise_scopes(&scopes).is_empty()),
        ];
        for (field, empty) in typed {
            if empty && !problems.iter().any(|p| p.field == field) {
                problems.push(FileProblem::new(field, ProblemKind::Missing));
            }
        }
        let suggested_uri = settings::redirect_fix(&redirect_uri);
        let input =
            SettingsInput { connection_name: name, client_id, client_secret: None, redirect_uri, scopes, account_type };
        let check = settings::check(&input, NameRule::Required);
        for (key, rule) in check.fields {
            let field = match key {
                "connectionName" => FileField::Name,
                "clientId" => FileField::ClientId,
                "redirectUri" => FileField::RedirectUri,
                "scopes" => FileField::Scopes,
                _ => continue,
            };
            if !problems.iter().any(|p| p.field == field) {
                let suggestion = if field == FileField::RedirectUri { suggested_uri.clone() } else { None };
                problems.push(FileProblem::new(field, ProblemKind::Rule(rule)).suggesting(suggestion));
            }
        }
        problems.sort_by_key(|p| p.field);
        match (problems.is_empty(), check.settings) {
            (true, Some(s)) => Ok(ActivationFile {
                name: s.connection_name,
                client_id: s.client_id,
                redirect_uri: s.redirect_uri.as_str().to_string(),
                scopes: s.scopes,
                account_type: s.account_type,
            }),
            _ => Err(Error::ActivationFileInvalid { problems }),
        }
    }

    /// What to say about a file that is used all the same: each scope Fortnox does not know,
    /// with the known scope it most likely means (`invoices` → `invoice`), to fix in step 2.
    pub fn notes(&self) -> Vec<FileProblem> {
        self.scopes
            .iter()
            .filter(|s| !scopes::is_known(s))
            .map(|s| {
                FileProblem::new(FileField::Scopes, ProblemKind::UnknownScope { scope: s.clone() })
                    .suggesting(scopes::likely(s).map(str::to_string))
            })
            .collect()
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
        let text = String::from_utf8(bytes).map_err(|_| refused(FileField::File, ProblemKind::NotText))?;
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
