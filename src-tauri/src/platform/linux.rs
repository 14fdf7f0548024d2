//! Linux (and other Unix desktops): the Secret Service; schemes registered through a
//! desktop entry and `xdg-mime`, at run time.

use super::Handling;
use activation::Text;

/// The keychain in the words of the platform.
pub fn keychain_name() -> Text {
    Text::new("Secret Service, e.g. GNOME Keyring or KWallet", "Secret Service, t.ex. GNOME-nyckelring eller KWallet")
}

/// The app registers itself for any scheme, its own and an integration's.
pub fn scheme_handling(_own: bool) -> Handling {
    Handling::Register
}
