//! Registering the app for another program's link scheme, knowingly and reversibly.
//!
//! Before step 1 registers an integration's scheme, the window says which application
//! handles it now ([`handler_now`], from the desktop files as `xdg-mime` reads them) and
//! asks. What the app registered, and what was the default before, is remembered
//! ([`activation::capture::scheme_registry`], a file beside the saved connections), so that
//! [`crate::links::unregister`] can undo it: the app's entry stops claiming the scheme (the deep-link
//! plugin's `unregister`) and the previous default is set again with `xdg-mime default`.
//! That happens when the user asks (step 1's "Stop receiving" button) and when the last
//! saved connection whose redirect URI uses the scheme is removed ([`crate::links::release_unused`]).
//! The app's own scheme is never recorded nor undone here.

use crate::state::AppState;
use activation::capture::link::APP_SCHEME;
use activation::capture::scheme_registry::Registry;
use tauri::{AppHandle, Manager, Runtime};

/// The record, in the saved connections' folder.
pub(crate) fn registry<R: Runtime>(app: &AppHandle<R>) -> Option<Registry> {
    app.try_state::<AppState>()?.app.store().ok().map(|s| Registry::in_dir(s.dir()))
}

/// The default handler's desktop entry for `scheme` and its name (Linux; `None` elsewhere or
/// when the files name none).
pub fn default_handler(scheme: &str) -> Option<(String, Option<String>)> {
    #[cfg(target_os = "linux")]
    {
        use activation::capture::scheme_handler::{default_entry, entry_name, DesktopDirs};
        let dirs = DesktopDirs::from_env()?;
        let entry = default_entry(&dirs, scheme)?;
        let name = entry_name(&dirs, &entry);
        Some((entry, name))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = scheme;
        None
    }
}

/// The app's own handler entry's name (`<executable>-handler.desktop`, as the deep-link
/// plugin writes it).
fn own_entry() -> Option<String> {
    let exe = tauri::utils::platform::current_exe().ok()?;
    Some(format!("{}-handler.desktop", exe.file_name()?.to_string_lossy()))
}

/// Which application handles `scheme` now, for the question before registering: its name
/// (or entry), or `None` when none does, or it is this app.
pub fn handler_now(scheme: &str) -> Option<String> {
    let (entry, name) = default_handler(scheme)?;
    if Some(&entry) == own_entry().as_ref() {
        return None;
    }
    Some(name.unwrap_or(entry))
}

/// Whether the app registered itself for `scheme` and can undo it.
pub fn undoable<R: Runtime>(app: &AppHandle<R>, scheme: &str) -> bool {
    !scheme.eq_ignore_ascii_case(APP_SCHEME) && registry(app).is_some_and(|r| r.get(scheme).is_some())
}

/// What to remember before registering `scheme`: the current default, unless it is the
/// app itself. Call before the registration.
pub fn before_register(scheme: &str) -> Option<String> {
    default_handler(scheme).map(|(entry, _)| entry).filter(|e| Some(e) != own_entry().as_ref())
}

/// Records a registration of `scheme` that replaced `previous` (not for the own scheme).
pub fn after_register<R: Runtime>(app: &AppHandle<R>, scheme: &str, previous: Option<String>) {
    if scheme.eq_ignore_ascii_case(APP_SCHEME) {
        return;
    }
    match registry(app).map(|r| r.record(scheme, previous)) {
        Some(Ok(())) => tracing::info!(scheme, "registered for another program's scheme; remembered to undo"),
        Some(Err(e)) => tracing::warn!(scheme, kind = e.kind(), "registered, but could not remember it to undo"),
        None => tracing::warn!(scheme, "registered, but there is no folder to remember it in"),
    }
}

/// Sets `entry` as the default handler of `scheme` again, if it still exists (Linux).
pub(crate) fn restore_default(scheme: &str, entry: &str) {
    #[cfg(target_os = "linux")]
    {
        use activation::capture::scheme_handler::{entry_name, DesktopDirs};
        let exists = DesktopDirs::from_env().is_some_and(|d| entry_name(&d, entry).is_some());
        if !exists {
            return;
        }
        let restored = std::process::Command::new("xdg-mime")
            .args(["default", entry, &format!("x-scheme-handler/{scheme}")])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        tracing::info!(scheme, restored, "the previous handler set as the default again");
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (scheme, entry);
    }
}
