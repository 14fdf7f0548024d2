//! macOS: the Keychain; only the installed app bundle receives links, of the schemes its
//! `Info.plist` declares (the app's own), so an integration's scheme is pasted.

use super::Handling;
use activation::Text;

/// The keychain in the words of the platform.
pub fn keychain_name() -> Text {
    Text::new("the macOS Keychain", "macOS nyckelring")
}

/// The own scheme through the bundle; any other is pasted.
pub fn scheme_handling(own: bool) -> Handling {
    if own {
        Handling::Bundled
    } else {
        Handling::Paste
    }
}
