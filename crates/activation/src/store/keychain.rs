//! The OS keychain behind a small trait.
//!
//! Each connection keeps up to three secrets, each under its own keychain account: service
//! [`SERVICE`], account `<uuid>/<kind>` where kind is `client_secret`, `access_token` or
//! `refresh_token`. Entries are keyed by the connection's id, so renaming never moves them.
//! Where one entry holds too little for a token ([`platform::ENTRY_LIMIT`]: the Windows
//! Credential Manager's 2,560 bytes), a secret is kept as UTF-8 bytes and a long one is split
//! over several entries, crash-safe ([`split`](super::split)); entries written by earlier
//! versions (a UTF-16 password) still read. Elsewhere a secret is one password entry.
//!
//! Contract of a [`SecretStore`]: a missing entry reads as `Ok(None)`; `delete` of a missing
//! entry is `Ok(())`; a keychain that is absent, locked or refusing is
//! [`Error::KeychainUnavailable`], whose reason never holds a secret. [`KeyringStore`] opens
//! the platform keychain on first use and, after any failure, again on the next call (a
//! Secret Service that was stopped and started again, or a session bus that came late, is
//! used as soon as it is back, without restarting the app).
//!
//! Security rule: values pass through here and nowhere else on their way to disk; nothing
//! in this module logs or formats a value.

use super::split;
use crate::platform;
use crate::Error;
use uuid::Uuid;

/// The keychain service name every entry is filed under (the app's identifier).
pub const SERVICE: &str = "se.fortnoxactivator.app";

pub use crate::secret::SecretKind;

/// Where secrets are kept. Implementations must be cheap to call from any thread; calls
/// block (the Secret Service answers in tens of milliseconds).
pub trait SecretStore: Send + Sync {
    /// Reads a secret. `Ok(None)` when there is no such entry.
    ///
    /// # Errors
    /// [`Error::KeychainUnavailable`].
    fn get(&self, id: Uuid, kind: SecretKind) -> Result<Option<String>, Error>;

    /// Writes a secret, replacing any earlier value.
    ///
    /// # Errors
    /// [`Error::KeychainUnavailable`].
    fn set(&self, id: Uuid, kind: SecretKind, value: &str) -> Result<(), Error>;

    /// Deletes a secret; deleting a missing one succeeds.
    ///
    /// # Errors
    /// [`Error::KeychainUnavailable`].
    fn delete(&self, id: Uuid, kind: SecretKind) -> Result<(), Error>;
}

/// The real keychain through the `keyring` crate's platform default (Secret Service on
/// Linux, Keychain on macOS, Credential Manager on Windows).
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyringStore;

impl KeyringStore {
    pub fn new() -> Self {
        KeyringStore
    }

    fn entry(id: Uuid, kind: SecretKind) -> Result<keyring_core::Entry, Error> {
        reopen::ensure_open()?;
        keyring_core::Entry::new(SERVICE, &kind.account(id)).map_err(failed)
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, id: Uuid, kind: SecretKind) -> Result<Option<String>, Error> {
        if platform::ENTRY_LIMIT.is_some() {
            return split::read(&KeyringEntries, &kind.account(id));
        }
        match Self::entry(id, kind)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(failed(e)),
        }
    }

    fn set(&self, id: Uuid, kind: SecretKind, value: &str) -> Result<(), Error> {
        if let Some(limit) = platform::ENTRY_LIMIT {
            return split::write(&KeyringEntries, &kind.account(id), value, limit);
        }
        Self::entry(id, kind)?.set_password(value).map_err(failed)
    }

    fn delete(&self, id: Uuid, kind: SecretKind) -> Result<(), Error> {
        if platform::ENTRY_LIMIT.is_some() {
            return split::delete(&KeyringEntries, &kind.account(id));
        }
        match Self::entry(id, kind)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(failed(e)),
        }
    }
}

/// keyring entries under [`SERVICE`] by account, as raw bytes (keyring's secret API), for
/// values split over several entries.
struct KeyringEntries;

impl KeyringEntries {
    fn entry(account: &str) -> Result<keyring_core::Entry, Error> {
        reopen::ensure_open()?;
        keyring_core::Entry::new(SERVICE, account).map_err(failed)
    }
}

impl split::Entries for KeyringEntries {
    fn get(&self, account: &str) -> Result<Option<Vec<u8>>, Error> {
        match Self::entry(account)?.get_secret() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(failed(e)),
        }
    }

    fn set(&self, account: &str, bytes: &[u8]) -> Result<(), Error> {
        Self::entry(account)?.set_secret(bytes).map_err(failed)
    }

    fn delete(&self, account: &str) -> Result<(), Error> {
        match Self::entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(failed(e)),
        }
    }

    fn legacy_text(&self, account: &str) -> Result<Option<String>, Error> {
        // Earlier versions wrote a password, which the store decodes itself.
        match Self::entry(account)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(failed(e)),
        }
    }
}

/// A keychain call failed: the next call opens the keychain again.
fn failed(e: keyring::Error) -> Error {
    reopen::mark_stale();
    unavailable(e)
}

/// The platform keychain as keyring's default store, opened on first use and again after a
/// failure. (keyring's own `Entry::new` opens it once per process and, when that first
/// opening fails, never again.)
mod reopen {
    use super::unavailable;
    use crate::Error;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;

    /// True when the store must be opened (at first, and after a failure).
    static STALE: AtomicBool = AtomicBool::new(true);
    static OPENING: Mutex<()> = Mutex::new(());

    pub(super) fn mark_stale() {
        STALE.store(true, Ordering::SeqCst);
    }

    pub(super) fn ensure_open() -> Result<(), Error> {
        if !STALE.load(Ordering::SeqCst) {
            return Ok(());
        }
        let _one_at_a_time = OPENING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !STALE.load(Ordering::SeqCst) {
            return Ok(());
        }
        keyring_core::set_default_store(platform_store().map_err(unavailable)?);
        STALE.store(false, Ordering::SeqCst);
        tracing::info!("keychain opened");
        Ok(())
    }

    #[cfg(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))))]
    fn platform_store() -> keyring_core::Result<std::sync::Arc<keyring_core::CredentialStore>> {
        Ok(zbus_secret_service_keyring_store::Store::new()?)
    }

    #[cfg(any(target_os = "macos", target_os = "ios"))]
    fn platform_store() -> keyring_core::Result<std::sync::Arc<keyring_core::CredentialStore>> {
        Ok(apple_native_keyring_store::keychain::Store::new()?)
    }

    #[cfg(target_os = "windows")]
    fn platform_store() -> keyring_core::Result<std::sync::Arc<keyring_core::CredentialStore>> {
        Ok(windows_native_keyring_store::Store::new()?)
    }

    #[cfg(not(any(unix, target_os = "windows")))]
    fn platform_store() -> keyring_core::Result<std::sync::Arc<keyring_core::CredentialStore>> {
        Err(keyring_core::Error::NoDefaultStore)
    }
}

/// Maps a keyring error to our kind. keyring's messages name the store and the failure,
/// never the value (`BadEncoding`, which carries bytes, is reduced to its name).
fn unavailable(e: keyring::Error) -> Error {
    let reason = match e {
        keyring::Error::BadEncoding(_) => "the keychain entry is not valid text".to_string(),
        keyring::Error::BadDataFormat(..) => "the keychain entry has an unexpected format".to_string(),
        other => other.to_string(),
    };
    Error::KeychainUnavailable { reason }
}

/// An in-memory keychain for unit tests, with a switch that makes every call fail as a
/// locked keychain would.
#[cfg(test)]
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: std::sync::Mutex<std::collections::HashMap<(Uuid, SecretKind), String>>,
    /// When set, every call fails with [`Error::KeychainUnavailable`].
    pub locked: std::sync::atomic::AtomicBool,
    /// How many entries were asked for (`get`), for tests that count keychain reads.
    pub reads: std::sync::atomic::AtomicUsize,
}

#[cfg(test)]
impl MemoryStore {
    fn check(&self) -> Result<(), Error> {
        if self.locked.load(std::sync::atomic::Ordering::SeqCst) {
            Err(Error::KeychainUnavailable { reason: "locked (test)".into() })
        } else {
            Ok(())
        }
    }

    /// Every value held, for tests that look for leaks or leftovers.
    pub fn values(&self) -> Vec<String> {
        self.entries.lock().unwrap().values().cloned().collect()
    }
}

#[cfg(test)]
impl SecretStore for MemoryStore {
    fn get(&self, id: Uuid, kind: SecretKind) -> Result<Option<String>, Error> {
        self.reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.check()?;
        Ok(self.entries.lock().unwrap().get(&(id, kind)).cloned())
    }

    fn set(&self, id: Uuid, kind: SecretKind, value: &str) -> Result<(), Error> {
        self.check()?;
        self.entries.lock().unwrap().insert((id, kind), value.to_string());
        Ok(())
    }

    fn delete(&self, id: Uuid, kind: SecretKind) -> Result<(), Error> {
        self.check()?;
        self.entries.lock().unwrap().remove(&(id, kind));
        Ok(())
    }
}

/// The real Windows Credential Manager (under Wine here: `scripts/test-windows.sh` runs these
/// with `--ignored`; on real Windows `cargo test -- --ignored` does).
#[cfg(all(test, windows))]
mod windows_credential_manager {
    use super::*;
    use split::Entries as _;

    fn long(len: usize) -> String {
        "eyJhbGciOiJIUzI1NiJ9.åäö-".chars().cycle().take(len).collect()
    }

    /// The account names of the parts a manifest at `account` lists (none for a whole value).
    fn parts(account: &str) -> Vec<String> {
        let Some(raw) = KeyringEntries.get(account).unwrap() else { return Vec::new() };
        let Some(manifest) = raw.strip_prefix(b"fa1*") else { return Vec::new() };
        let text = String::from_utf8(manifest.to_vec()).unwrap();
        let words: Vec<&str> = text.split(' ').collect();
        let count: usize = words[1].parse().unwrap();
        (0..count).map(|i| format!("{account}#{}.{i}", words[0])).collect()
    }

    #[test]
    #[ignore = "needs the Windows Credential Manager (scripts/test-windows.sh)"]
    fn windows_credential_manager_keeps_a_16_kb_secret_whole_and_deletes_every_part() {
        let store = KeyringStore::new();
        let id = Uuid::new_v4();
        for len in [16 * 1024, 2_000, 40] {
            let value = long(len);
            store.set(id, SecretKind::AccessToken, &value).unwrap();
            assert_eq!(store.get(id, SecretKind::AccessToken).unwrap().as_deref(), Some(value.as_str()));
            println!("Credential Manager: a {len}-character secret ({} bytes) read back whole", value.len());
        }
        store.set(id, SecretKind::AccessToken, &long(16 * 1024)).unwrap();
        let account = SecretKind::AccessToken.account(id);
        let listed = parts(&account);
        assert!(listed.len() >= 7, "{} parts", listed.len());
        store.delete(id, SecretKind::AccessToken).unwrap();
        assert_eq!(store.get(id, SecretKind::AccessToken).unwrap(), None);
        for part in &listed {
            assert_eq!(KeyringEntries.get(part).unwrap(), None, "{part} left behind");
        }
        println!("Credential Manager: deleting removed all {} parts and the manifest", listed.len());
    }

    #[test]
    #[ignore = "needs the Windows Credential Manager (scripts/test-windows.sh)"]
    fn windows_credential_manager_reads_an_entry_written_by_an_earlier_version() {
        let id = Uuid::new_v4();
        let old = "legacy-refresh-token-åäö-0123456789";
        // As earlier versions wrote it: a password (UTF-16 in the credential).
        keyring::Entry::new(SERVICE, &SecretKind::RefreshToken.account(id)).unwrap().set_password(old).unwrap();
        let store = KeyringStore::new();
        assert_eq!(store.get(id, SecretKind::RefreshToken).unwrap().as_deref(), Some(old));
        store.set(id, SecretKind::RefreshToken, "new-value").unwrap();
        assert_eq!(store.get(id, SecretKind::RefreshToken).unwrap().as_deref(), Some("new-value"));
        store.delete(id, SecretKind::RefreshToken).unwrap();
        assert_eq!(store.get(id, SecretKind::RefreshToken).unwrap(), None);
        println!("Credential Manager: an earlier version's UTF-16 entry read, replaced and deleted");
    }
}
