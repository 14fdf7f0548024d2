//! The link schemes of other programs (an integration's own, such as `se.example.erp`) that
//! this app made itself the handler of, and what handled each before, so that it can be
//! undone: when the last connection that uses the scheme is removed, or when the user asks.
//!
//! Contract: one small JSON file ([`FILE_NAME`], in the app's config folder beside the
//! saved connections), `{"version": 1, "schemes": [{"scheme": …, "previous": …}]}`,
//! `previous` being the desktop entry (Linux) that was the scheme's default before, or null.
//! Written whole to a temporary file and renamed. A file that cannot be read is treated as
//! empty (nothing is undone that was not recorded); the app's own scheme is never recorded.
//!
//! Security rule: nothing here holds a link or a secret; only scheme names and entry names.

use crate::Error;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The file's name in the app's config folder.
pub const FILE_NAME: &str = "registered-schemes.json";
const VERSION: u32 = 1;

/// One scheme the app registered itself for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registered {
    pub scheme: String,
    /// The desktop entry that was the default handler before (Linux), if any.
    pub previous: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct FileBody {
    version: u32,
    schemes: Vec<Registered>,
}

/// The record, kept in one file.
#[derive(Debug, Clone)]
pub struct Registry {
    path: PathBuf,
}

impl Registry {
    /// The record in `dir` (the app's config folder).
    pub fn in_dir(dir: &Path) -> Self {
        Registry { path: dir.join(FILE_NAME) }
    }

    /// Every scheme recorded (none when the file is missing or unreadable).
    pub fn list(&self) -> Vec<Registered> {
        std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|t| serde_json::from_str::<FileBody>(&t).ok())
            .map(|f| f.schemes)
            .unwrap_or_default()
    }

    /// The record of `scheme` (compared case-insensitively), if any.
    pub fn get(&self, scheme: &str) -> Option<Registered> {
        self.list().into_iter().find(|r| r.scheme.eq_ignore_ascii_case(scheme))
    }

    /// Records that the app registered itself for `scheme`, replacing the default `previous`.
    /// A scheme already recorded keeps its first `previous` (registering again must not
    /// record the app itself as what came before).
    ///
    /// # Errors
    /// [`Error::StorageFailed`] when the file cannot be written.
    pub fn record(&self, scheme: &str, previous: Option<String>) -> Result<(), Error> {
        let mut schemes = self.list();
        if schemes.iter().any(|r| r.scheme.eq_ignore_ascii_case(scheme)) {
            return Ok(());
        }
        schemes.push(Registered { scheme: scheme.to_string(), previous });
        self.write(schemes)
    }

    /// Removes and returns the record of `scheme`.
    ///
    /// # Errors
    /// [`Error::StorageFailed`] when the file cannot be written.
    pub fn take(&self, scheme: &str) -> Result<Option<Registered>, Error> {
        let mut schemes = self.list();
        let Some(i) = schemes.iter().position(|r| r.scheme.eq_ignore_ascii_case(scheme)) else { return Ok(None) };
        let taken = schemes.remove(i);
        self.write(schemes)?;
        Ok(Some(taken))
    }

    fn write(&self, schemes: Vec<Registered>) -> Result<(), Error> {
        let failed =
            |e: std::io::Error| Error::StorageFailed { path: self.path.display().to_string(), reason: e.to_string() };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(failed)?;
        }
        let body = FileBody { version: VERSION, schemes };
        let text = serde_json::to_string_pretty(&body).unwrap_or_default();
        let tmp = self.path.with_extension(format!("json.{}.tmp", std::process::id()));
        std::fs::write(&tmp, text).map_err(failed)?;
        std::fs::rename(&tmp, &self.path).map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registration_is_remembered_with_what_came_before_until_taken() {
        let dir = tempfile::tempdir().unwrap();
        let registry = Registry::in_dir(&dir.path().join("config"));
        assert!(registry.list().is_empty());
        registry.record("se.example.erp", Some("erp-client.desktop".into())).unwrap();
        // Registering again keeps what came before the first time.
        registry.record("SE.example.erp", Some("fortnox-activator-handler.desktop".into())).unwrap();
        registry.record("se.other.app", None).unwrap();
        let again = Registry::in_dir(&dir.path().join("config"));
        assert_eq!(again.get("se.example.erp").unwrap().previous.as_deref(), Some("erp-client.desktop"));
        assert_eq!(again.list().len(), 2);
        let taken = again.take("se.example.erp").unwrap().unwrap();
        assert_eq!(taken.previous.as_deref(), Some("erp-client.desktop"));
        assert_eq!(again.take("se.example.erp").unwrap(), None);
        assert_eq!(registry.list(), vec![Registered { scheme: "se.other.app".into(), previous: None }]);
    }

    #[test]
    fn a_damaged_file_counts_as_nothing_recorded() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "{not json").unwrap();
        let registry = Registry::in_dir(dir.path());
        assert!(registry.list().is_empty());
        registry.record("se.example.erp", None).unwrap();
        assert_eq!(registry.list().len(), 1);
    }
}
