//! The keychain in the words of the platform the program was built for: which store the user
//! has (Windows: the Credential Manager; macOS: the Keychain; Linux and other Unix: the
//! Secret Service, such as GNOME Keyring or KWallet), what to do there when it cannot be
//! used, and how much one of its entries holds.
//!
//! Contract: every text is in English and Swedish; the `cfg`-selected constants below are the
//! only platform switch for keychain wording, so `error.rs` and the app call these instead of
//! naming a store themselves.

use crate::Text;

/// Words for one platform's keychain.
struct Words {
    /// The store's name, without an article ("Windows Credential Manager").
    name: (&'static str, &'static str),
    /// What to do when it is missing, locked or refusing: whole sentences.
    unlock: (&'static str, &'static str),
}

#[cfg(windows)]
const WORDS: Words = Words {
    name: ("Windows Credential Manager", "Windows autentiseringshanterare"),
    unlock: (
        "Log in to Windows with your own account (not a temporary profile), open the Credential Manager from the Control Panel, and check under Windows Credentials that it opens.",
        "Logga in i Windows med ditt eget konto (inte en tillfällig profil), öppna autentiseringshanteraren från Kontrollpanelen och kontrollera att Windows-autentiseringsuppgifter går att öppna.",
    ),
};

#[cfg(target_os = "macos")]
const WORDS: Words = Words {
    name: ("macOS Keychain", "macOS nyckelring"),
    unlock: (
        "Open Keychain Access, unlock the login keychain with your Mac password, and allow Fortnox Activator when macOS asks.",
        "Öppna Nyckelringsåtkomst, lås upp inloggningsnyckelringen med ditt Mac-lösenord och tillåt Fortnox Activator när macOS frågar.",
    ),
};

#[cfg(not(any(windows, target_os = "macos")))]
const WORDS: Words = Words {
    name: (
        "Secret Service, such as GNOME Keyring or KWallet",
        "Secret Service, till exempel GNOME-nyckelring eller KWallet",
    ),
    unlock: (
        "Log in to the desktop (which unlocks it), or start and unlock GNOME Keyring or KWallet.",
        "Logga in på skrivbordet (då låses den upp), eller starta och lås upp GNOME-nyckelring eller KWallet.",
    ),
};

/// The keychain this program uses, by name and without an article: "Windows Credential
/// Manager", "macOS Keychain", "Secret Service, such as GNOME Keyring or KWallet".
pub fn keychain_name() -> Text {
    Text::new(WORDS.name.0, WORDS.name.1)
}

/// What to do when the keychain is missing, locked or refusing: one or two sentences that
/// name the store and where to look.
pub fn keychain_unlock_step() -> Text {
    Text::new(WORDS.unlock.0, WORDS.unlock.1)
}

/// The largest value one keychain entry takes, in bytes, where the store has a limit small
/// enough for a token to reach: the Windows Credential Manager's 2,560-byte credential blob
/// (`CRED_MAX_CREDENTIAL_BLOB_SIZE`). `None` where values of any size fit (the Secret
/// Service, the macOS Keychain); longer values are then split (see `keychain`).
pub const ENTRY_LIMIT: Option<usize> = if cfg!(windows) { Some(2560) } else { None };

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_names_a_store_in_both_languages() {
        for t in [keychain_name(), keychain_unlock_step()] {
            assert!(!t.en.is_empty() && !t.sv.is_empty());
            assert_ne!(t.en, t.sv);
        }
        let step = keychain_unlock_step();
        let named = ["Credential Manager", "Keychain", "GNOME Keyring"].iter().any(|n| step.en.contains(n));
        assert!(named, "{}", step.en);
    }

    #[test]
    fn the_store_named_is_this_platforms() {
        let (name, step) = (keychain_name(), keychain_unlock_step());
        let expected = if cfg!(windows) {
            ("Windows Credential Manager", "autentiseringshanterare")
        } else if cfg!(target_os = "macos") {
            ("macOS Keychain", "Nyckelringsåtkomst")
        } else {
            ("Secret Service", "GNOME-nyckelring")
        };
        assert!(name.en.contains(expected.0) && step.sv.contains(expected.1), "{name:?} {step:?}");
        // The error the user sees carries it.
        let e = crate::Error::KeychainUnavailable { reason: "locked".into() };
        assert!(e.message().en.contains(expected.0) && e.next_step().sv.contains(expected.1));
        assert_eq!(ENTRY_LIMIT.is_some(), cfg!(windows));
    }
}
