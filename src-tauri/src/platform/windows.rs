//! Windows: schemes registered in the user's registry at run time; a failure to start the
//! window is shown in a native message box (`MessageBoxW`), since a release build has no
//! console and the window itself is what failed.

use super::Handling;
use windows_sys::Win32::UI::WindowsAndMessaging::{MessageBoxW, MB_ICONERROR, MB_OK, MB_SETFOREGROUND, MB_TASKMODAL};

/// The app registers itself for any scheme, its own and an integration's.
pub fn scheme_handling(_own: bool) -> Handling {
    Handling::Register
}

/// `s` as a NUL-terminated UTF-16 string.
fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

/// Shows `message` under `title` in an error message box with one OK button, and returns
/// when the user closes it. With `FORTNOX_ACTIVATOR_NO_DIALOG=1` (tests) it returns at once:
/// the message is in the log and on stderr anyway.
pub fn show_start_failure(title: &str, message: &str) {
    if std::env::var_os("FORTNOX_ACTIVATOR_NO_DIALOG").is_some_and(|v| v == "1") {
        return;
    }
    let (title, message) = (wide(title), wide(message));
    // SAFETY: both pointers are NUL-terminated UTF-16 strings that outlive the call; a null
    // owner window is allowed (the box is then task-modal on its own).
    unsafe {
        MessageBoxW(
            std::ptr::null_mut(),
            message.as_ptr(),
            title.as_ptr(),
            MB_OK | MB_ICONERROR | MB_SETFOREGROUND | MB_TASKMODAL,
        );
    }
}

/// Nothing here: activation files arrive as arguments ([`crate::files::in_args`]).
pub fn run_event<R: tauri::Runtime>(_app: &tauri::AppHandle<R>, _event: &tauri::RunEvent) {}
