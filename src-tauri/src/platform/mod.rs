//! What differs between Windows, macOS and Linux in the shell, one file per platform (as
//! the official single-instance plugin splits its `platform_impl`), instead of `#[cfg]`
//! blocks inside functions. Each file defines the same items:
//! - `keychain_name()`: the OS keychain in the user's platform's words;
//! - `scheme_handling(own)`: how links of a private-use scheme reach the app there.

#[cfg(all(unix, not(target_os = "macos")))]
mod linux;
#[cfg(all(unix, not(target_os = "macos")))]
pub use linux::*;

#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
pub use macos::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;
