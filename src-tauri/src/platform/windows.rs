//! Windows: the Credential Manager; schemes registered in the user's registry at run time.

use super::Handling;
use activation::Text;

/// The keychain in the words of the platform.
pub fn keychain_name() -> Text {
    Text::new("Windows Credential Manager", "Windows autentiseringshanterare")
}

/// The app registers itself for any scheme, its own and an integration's.
pub fn scheme_handling(_own: bool) -> Handling {
    Handling::Register
}
