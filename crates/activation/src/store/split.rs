//! Values longer than one keychain entry holds, kept over several entries (the Windows
//! Credential Manager takes 2,560 bytes per credential; an access token is a JWT that grows
//! with its scopes and claims).
//!
//! Layout, under the secret's account name `A` (bytes as the store keeps them):
//! * `fa1=` followed by the value's UTF-8 bytes: the whole value, when it fits in one entry;
//! * `fa1*` followed by `GEN COUNT LEN SHA256`: a manifest; the value's UTF-8 bytes are in
//!   COUNT parts at accounts `A#GEN.0` … `A#GEN.{COUNT-1}`, LEN bytes in all, whose SHA-256
//!   (lower-case hex) is SHA256. GEN is random for every write.
//! * anything else: an entry written by an earlier version (on Windows a UTF-16 password),
//!   read by the store's own decoding ([`Entries::legacy_text`]).
//!
//! Crash safety: a write puts its parts under a new generation first and the manifest last,
//! then removes the previous generation's parts. A crash before the manifest leaves the old
//! value whole (its manifest and parts are untouched); a crash after it leaves the new one
//! whole and at worst unused parts behind. A read checks the count, the length and the hash,
//! so parts that do not belong together are never taken for the value: they are an error.
//! Deleting removes the parts first and the manifest last.
//!
//! Security rule: values and parts are never logged or put in an error.

use crate::Error;
use sha2::{Digest, Sha256};

const INLINE: &[u8] = b"fa1=";
const MANIFEST: &[u8] = b"fa1*";

/// Raw keychain entries by account name, for [`read`], [`write`] and [`delete`].
pub(crate) trait Entries {
    /// The entry's bytes; `Ok(None)` when there is none.
    fn get(&self, account: &str) -> Result<Option<Vec<u8>>, Error>;
    /// Writes the entry, replacing any earlier one; `bytes` fits the store's limit.
    fn set(&self, account: &str, bytes: &[u8]) -> Result<(), Error>;
    /// Deletes the entry; a missing one is `Ok(())`.
    fn delete(&self, account: &str) -> Result<(), Error>;
    /// An entry in the format of versions before this one, as text.
    fn legacy_text(&self, account: &str) -> Result<Option<String>, Error>;
}

fn part_account(account: &str, generation: &str, index: usize) -> String {
    format!("{account}#{generation}.{index}")
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn damaged(what: &str) -> Error {
    Error::KeychainUnavailable {
        reason: format!("a saved value that spans several keychain entries is incomplete ({what}); save it again"),
    }
}

/// A parsed manifest.
struct Manifest {
    generation: String,
    count: usize,
    len: usize,
    sha256: String,
}

impl Manifest {
    fn parse(rest: &[u8]) -> Option<Manifest> {
        let text = std::str::from_utf8(rest).ok()?;
        let mut words = text.split(' ');
        let m = Manifest {
            generation: words.next()?.to_string(),
            count: words.next()?.parse().ok()?,
            len: words.next()?.parse().ok()?,
            sha256: words.next()?.to_string(),
        };
        let plausible = words.next().is_none()
            && !m.generation.is_empty()
            && m.generation.bytes().all(|b| b.is_ascii_hexdigit())
            && m.count > 0;
        plausible.then_some(m)
    }

    fn encode(&self) -> Vec<u8> {
        let mut bytes = MANIFEST.to_vec();
        bytes.extend_from_slice(format!("{} {} {} {}", self.generation, self.count, self.len, self.sha256).as_bytes());
        bytes
    }
}

fn new_generation() -> Result<String, Error> {
    let mut raw = [0u8; 4];
    getrandom::fill(&mut raw)
        .map_err(|e| Error::KeychainUnavailable { reason: format!("no random numbers for a keychain entry: {e}") })?;
    Ok(raw.iter().map(|b| format!("{b:02x}")).collect())
}

fn manifest_of(entries: &impl Entries, account: &str) -> Result<Option<Manifest>, Error> {
    Ok(entries.get(account)?.and_then(|raw| raw.strip_prefix(MANIFEST).and_then(Manifest::parse)))
}

/// Reads the value at `account`, whole or not at all.
///
/// # Errors
/// The store's own errors, and [`Error::KeychainUnavailable`] when a manifest's parts are
/// missing or do not match it.
pub(crate) fn read(entries: &impl Entries, account: &str) -> Result<Option<String>, Error> {
    let Some(raw) = entries.get(account)? else { return Ok(None) };
    if let Some(value) = raw.strip_prefix(INLINE) {
        return String::from_utf8(value.to_vec())
            .map(Some)
            .map_err(|_| Error::KeychainUnavailable { reason: "the keychain entry is not valid text".into() });
    }
    let Some(rest) = raw.strip_prefix(MANIFEST) else { return entries.legacy_text(account) };
    let m = Manifest::parse(rest).ok_or_else(|| damaged("its index cannot be read"))?;
    let mut bytes = Vec::with_capacity(m.len);
    for i in 0..m.count {
        match entries.get(&part_account(account, &m.generation, i))? {
            Some(part) => bytes.extend_from_slice(&part),
            None => return Err(damaged(&format!("part {} of {} is missing", i + 1, m.count))),
        }
    }
    if bytes.len() != m.len || sha256_hex(&bytes) != m.sha256 {
        return Err(damaged("its parts do not match its index"));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| Error::KeychainUnavailable { reason: "the keychain entry is not valid text".into() })
}

/// Writes `value` at `account` in entries of at most `limit` bytes, replacing any earlier
/// value (and removing its parts once the new value is in place).
///
/// # Errors
/// The store's own errors; the earlier value is then still whole, or the new one is.
pub(crate) fn write(entries: &impl Entries, account: &str, value: &str, limit: usize) -> Result<(), Error> {
    let previous = manifest_of(entries, account).ok().flatten();
    let bytes = value.as_bytes();
    if INLINE.len() + bytes.len() <= limit {
        let mut entry = INLINE.to_vec();
        entry.extend_from_slice(bytes);
        entries.set(account, &entry)?;
    } else {
        let generation = new_generation()?;
        let parts: Vec<&[u8]> = bytes.chunks(limit.max(1)).collect();
        for (i, part) in parts.iter().enumerate() {
            entries.set(&part_account(account, &generation, i), part)?;
        }
        let m = Manifest { generation, count: parts.len(), len: bytes.len(), sha256: sha256_hex(bytes) };
        entries.set(account, &m.encode())?;
    }
    // The new value is whole: the old parts are no longer referenced. Failing to remove one
    // leaves an unused entry behind, not a wrong value, so it does not fail the write.
    if let Some(old) = previous {
        for i in 0..old.count {
            let _ = entries.delete(&part_account(account, &old.generation, i));
        }
    }
    Ok(())
}

/// Deletes the value at `account` and every part of it; a missing value is `Ok(())`.
///
/// # Errors
/// The store's own errors (the manifest stays until every part is gone, so a retry finds
/// them again).
pub(crate) fn delete(entries: &impl Entries, account: &str) -> Result<(), Error> {
    if let Some(m) = manifest_of(entries, account)? {
        for i in 0..m.count {
            entries.delete(&part_account(account, &m.generation, i))?;
        }
    }
    entries.delete(account)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    /// Entries in memory that hold at most `limit` bytes each, like the Credential Manager,
    /// and can be told to fail the n-th write (a crash there).
    #[derive(Default)]
    struct Memory {
        map: Mutex<BTreeMap<String, Vec<u8>>>,
        limit: usize,
        writes_left: Mutex<Option<usize>>,
    }

    impl Memory {
        fn new(limit: usize) -> Self {
            Memory { limit, ..Memory::default() }
        }
        fn crash_after(&self, writes: usize) {
            *self.writes_left.lock().unwrap() = Some(writes);
        }
        fn accounts(&self) -> Vec<String> {
            self.map.lock().unwrap().keys().cloned().collect()
        }
    }

    impl Entries for Memory {
        fn get(&self, account: &str) -> Result<Option<Vec<u8>>, Error> {
            Ok(self.map.lock().unwrap().get(account).cloned())
        }
        fn set(&self, account: &str, bytes: &[u8]) -> Result<(), Error> {
            assert!(bytes.len() <= self.limit, "{} bytes over the limit of {}", bytes.len(), self.limit);
            if let Some(left) = self.writes_left.lock().unwrap().as_mut() {
                if *left == 0 {
                    return Err(Error::KeychainUnavailable { reason: "crashed (test)".into() });
                }
                *left -= 1;
            }
            self.map.lock().unwrap().insert(account.to_string(), bytes.to_vec());
            Ok(())
        }
        fn delete(&self, account: &str) -> Result<(), Error> {
            self.map.lock().unwrap().remove(account);
            Ok(())
        }
        fn legacy_text(&self, account: &str) -> Result<Option<String>, Error> {
            // As Windows' keyring store kept a password: UTF-16, little-endian.
            let Some(raw) = self.get(account)? else { return Ok(None) };
            let units: Vec<u16> = raw.chunks(2).map(|c| u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
            Ok(Some(String::from_utf16(&units).unwrap()))
        }
    }

    const LIMIT: usize = 2560;

    fn long(len: usize) -> String {
        // Multi-byte letters too, so parts split inside a character.
        "eyJhbGciOiJIUzI1NiJ9.åäö-".chars().cycle().take(len).collect()
    }

    #[test]
    fn short_and_long_values_read_back_whole() {
        let m = Memory::new(LIMIT);
        for len in [0, 1, 40, LIMIT - 4, LIMIT - 3, LIMIT, 2000 * 3, 16 * 1024, 100_000] {
            let value = long(len);
            write(&m, "id/access_token", &value, LIMIT).unwrap();
            assert_eq!(read(&m, "id/access_token").unwrap().as_deref(), Some(value.as_str()), "{len} chars");
        }
        // Only the latest value's entries are left: no parts of earlier generations.
        let parts = m.accounts().iter().filter(|a| a.contains('#')).count();
        assert_eq!(parts, long(100_000).len().div_ceil(LIMIT));
        write(&m, "id/access_token", "short", LIMIT).unwrap();
        assert_eq!(m.accounts(), vec!["id/access_token".to_string()]);
    }

    #[test]
    fn a_crash_while_writing_leaves_the_old_value_whole() {
        let m = Memory::new(LIMIT);
        let old = long(10_000);
        write(&m, "a", &old, LIMIT).unwrap();
        for crash_at in 0..5 {
            m.crash_after(crash_at);
            assert!(write(&m, "a", &long(9_000), LIMIT).is_err());
            *m.writes_left.lock().unwrap() = None;
            assert_eq!(read(&m, "a").unwrap().as_deref(), Some(old.as_str()), "crash after {crash_at} writes");
        }
    }

    #[test]
    fn parts_that_do_not_belong_together_never_read_as_the_value() {
        let m = Memory::new(LIMIT);
        write(&m, "a", &long(6_000), LIMIT).unwrap();
        let parts: Vec<String> = m.accounts().into_iter().filter(|a| a.contains('#')).collect();
        // A part changed behind our back: an error, not a wrong value.
        m.map.lock().unwrap().insert(parts[1].clone(), b"x".to_vec());
        assert_eq!(read(&m, "a").unwrap_err().kind(), "keychain_unavailable");
        // A part missing.
        m.map.lock().unwrap().remove(&parts[1]);
        let e = read(&m, "a").unwrap_err();
        assert!(e.to_string().contains("part 2 of 3 is missing"), "{e}");
    }

    #[test]
    fn an_entry_from_an_earlier_version_still_reads() {
        let m = Memory::new(LIMIT);
        let old = "legacy-refresh-token-åäö";
        let utf16: Vec<u8> = old.encode_utf16().flat_map(u16::to_le_bytes).collect();
        m.map.lock().unwrap().insert("a".into(), utf16);
        assert_eq!(read(&m, "a").unwrap().as_deref(), Some(old));
        // Written again, it takes the new form.
        write(&m, "a", old, LIMIT).unwrap();
        assert!(m.get("a").unwrap().unwrap().starts_with(INLINE));
        assert_eq!(read(&m, "a").unwrap().as_deref(), Some(old));
    }

    #[test]
    fn delete_removes_every_part_and_a_missing_value_is_fine() {
        let m = Memory::new(LIMIT);
        write(&m, "a", &long(20_000), LIMIT).unwrap();
        write(&m, "b", "other", LIMIT).unwrap();
        delete(&m, "a").unwrap();
        assert_eq!(m.accounts(), vec!["b".to_string()]);
        delete(&m, "a").unwrap();
        assert_eq!(read(&m, "a").unwrap(), None);
    }
}
