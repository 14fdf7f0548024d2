//! Links the operating system hands to the app (private-use URI schemes), and registering
//! the app as their handler.
//!
//! Where links come from:
//! - the app's own scheme ([`APP_SCHEME`], declared in `tauri.conf.json`): the deep-link
//!   plugin, at a cold start (`get_current`) and while running (`on_open_url`; on Linux and
//!   Windows the single-instance plugin hands it the URL a second process was started with);
//! - an integration's own scheme, registered at run time: not declared, so the deep-link
//!   plugin never sees it; it arrives as the only argument, of this process at a cold start
//!   ([`cold_start`]) or of a second process ([`second_instance`]).
//!
//! Every link goes to [`deliver`]: it finishes the window's pending attempt when it is that
//! attempt's answer ([`Session::deliver_link`](activation::session::Session::deliver_link)).
//! Otherwise (no attempt waiting, or one that has ended) nothing is exchanged and the window
//! gets a [`LinkNotice`]: kept in [`AppState`] until the window takes it with
//! `take_link_notice`, and announced with the event [`NOTICE_EVENT`]. A link refused by a
//! waiting attempt (other path, forged or missing state) is reported on that attempt's own
//! channel as `callback-rejected`, and waiting goes on.
//!
//! Security rules: a link never starts a token request unless it carries the state of a
//! pending attempt of this process; the link's text (it may hold a code) is never logged,
//! stored or sent to the webview.

use crate::error::ShellError;
use crate::models::{Handling, LinkNotice, SchemeStatus};
use crate::scheme_undo;
use crate::state::AppState;
use activation::capture::link::{is_registrable_scheme, is_scheme_link, APP_SCHEME};
use activation::capture::scheme_handler::Handler;
use activation::Error;
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// Emitted (no payload) when a notice about a link is waiting: call `take_link_notice`.
pub const NOTICE_EVENT: &str = "link-notice";

/// Hands one link to the window's attempt, or leaves a notice. Callable from any thread
/// (the single-instance plugin calls from its D-Bus executor): the exchange that follows is
/// spawned on Tauri's async runtime.
pub fn deliver<R: Runtime>(app: &AppHandle<R>, link: &str) {
    let runtime = tauri::async_runtime::handle();
    let _inside = runtime.inner().enter();
    let state = app.state::<AppState>();
    let verdict = match state.app.session().as_ref() {
        Some(session) => session.deliver_link(link).map_err(ShellError::Core),
        None => Err(ShellError::LinkUnexpected),
    };
    match verdict {
        // Taken, or refused and already reported on the attempt's channel.
        Ok(()) | Err(ShellError::Core(Error::LinkMismatch { .. } | Error::StateMismatch | Error::StateMissing)) => {}
        Err(e) => {
            state.set_link_notice(Some(LinkNotice { error: e.payload() }));
            let _ = app.emit(NOTICE_EVENT, ());
        }
    }
    show_window(app);
}

/// The scheme links among a second process's arguments (the first, the program, skipped)
/// that the deep-link plugin does not handle: those of other schemes, and the app's own too
/// unless it is the only argument (then the plugin takes it).
pub fn links_in_args(args: &[String]) -> Vec<String> {
    let plugin_takes_own = args.len() == 2;
    args.iter().skip(1).filter(|a| is_scheme_link(a) && !(plugin_takes_own && is_own(a))).cloned().collect()
}

/// The plugin hands a link back re-serialised by `url`; compare the same way.
#[cfg(desktop)]
fn same_link(a: &str, b: &str) -> bool {
    let norm = |s: &str| url::Url::parse(s.trim()).map_or_else(|_| s.trim().to_string(), |u| u.to_string());
    norm(a) == norm(b)
}

fn is_own(link: &str) -> bool {
    link.trim().to_ascii_lowercase().starts_with(&format!("{APP_SCHEME}:"))
}

/// A second process was started (by the OS with a link or an activation file, or by the
/// user): it has handed its arguments (and its folder, `cwd`) over and exits without a
/// window. A file goes to [`crate::files::open`], never here; a lone link of the app's own
/// scheme reaches [`deliver`] through the deep-link plugin; the rest are delivered here.
pub fn second_instance<R: Runtime>(app: &AppHandle<R>, args: Vec<String>, cwd: &std::path::Path) {
    if let Some(file) = crate::files::in_args(&args, cwd) {
        crate::files::open(app, &file);
    }
    let links = links_in_args(&args);
    if links.is_empty() {
        show_window(app);
    }
    for link in links {
        deliver(app, &link);
    }
}

/// At start: the link this process was started with, if any, and the listener for links
/// of the app's own scheme from now on, and the scheme's registration
/// ([`register_own_scheme`]).
#[cfg(desktop)]
pub fn setup<R: Runtime>(app: &AppHandle<R>) {
    use tauri_plugin_deep_link::DeepLinkExt;
    let handle = app.clone();
    app.deep_link().on_open_url(move |event| {
        // macOS hands opened files over as file:// URLs too: those are activation files
        // (`platform::run_event`), not links.
        for url in event.urls().iter().filter(|u| u.scheme() != "file") {
            deliver(&handle, url.as_str());
        }
    });
    // The plugin finds the own scheme's link only when it is the sole argument; a launcher
    // may add others, so the arguments are read too (each link once).
    let mut links: Vec<String> =
        app.deep_link().get_current().ok().flatten().unwrap_or_default().iter().map(|u| u.to_string()).collect();
    for arg in std::env::args().skip(1).filter(|a| is_scheme_link(a)) {
        if !links.iter().any(|l| same_link(l, &arg)) {
            links.push(arg);
        }
    }
    for link in links {
        deliver(app, &link);
    }
    register_own_scheme(app);
}

/// Registers the app for its own scheme (Linux, Windows) when it is not registered, or its
/// entry starts another copy of the app, so a moved or unpacked app works; at start, on a
/// thread of its own, once per process. On Linux the check reads the desktop files
/// ([`own_handler`](activation::capture::scheme_handler::own_handler)), and only when they
/// cannot tell does it run `xdg-mime`, a shell script whose processes took ~35 ms of the
/// window's start on two cores. Deferring the registration, or running it at a lower
/// priority, made an end-to-end test of an integration's scheme fail in CI (cause not found):
/// it stays at start, see docs/performance.md.
pub fn register_own_scheme<R: Runtime>(app: &AppHandle<R>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use tauri_plugin_deep_link::DeepLinkExt;
    static STARTED: AtomicBool = AtomicBool::new(false);
    if !cfg!(any(windows, target_os = "linux"))
        || std::env::var_os("FORTNOX_ACTIVATOR_NO_REGISTER").is_some()
        || STARTED.swap(true, Ordering::SeqCst)
    {
        return;
    }
    let handle = app.clone();
    std::thread::spawn(move || {
        let _one_at_a_time = registering();
        let links = handle.deep_link();
        let register = match desktop_handler(&handle, APP_SCHEME) {
            Handler::Ours => false,
            Handler::Stale => true,
            Handler::Unknown => !links.is_registered(APP_SCHEME).unwrap_or(false),
        };
        if register {
            let _ = links.register(APP_SCHEME);
        }
    });
}

/// Held while a scheme is registered: on Linux the plugin reads, changes and rewrites one
/// desktop file for all of the app's schemes, so two registrations at once (the own scheme,
/// on its thread, and an integration's from step 1) could each drop the other's.
fn registering() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// How links of `scheme` reach the app. Blocking (may run `xdg-mime` on Linux). Waits for a
/// registration under way: read halfway through one, the files say "not registered", and
/// that answer could reach the window after the registration's own and undo it there.
pub fn status<R: Runtime>(app: &AppHandle<R>, scheme: &str) -> SchemeStatus {
    let own = scheme.eq_ignore_ascii_case(APP_SCHEME);
    let handling = crate::platform::scheme_handling(own);
    let _after_registrations = registering();
    let registered = match handling {
        Handling::Register if desktop_handler(app, scheme) == Handler::Ours => Some(true),
        Handling::Register => is_registered(app, scheme),
        _ => None,
    };
    let handler_now = if registered == Some(true) { None } else { crate::scheme_undo::handler_now(scheme) };
    let undoable = crate::scheme_undo::undoable(app, scheme);
    SchemeStatus { scheme: scheme.to_string(), own, handling, registered, handler_now, undoable }
}

/// What the Linux desktop files say about the app's handler of `scheme`, without starting
/// `xdg-mime`; the entry and its `Exec` line are those the deep-link plugin writes
/// (`<executable>-handler.desktop` under the data folder, `"<executable or AppImage>" %u`).
/// `Unknown` elsewhere.
fn desktop_handler<R: Runtime>(app: &AppHandle<R>, scheme: &str) -> Handler {
    #[cfg(target_os = "linux")]
    {
        use activation::capture::scheme_handler::{own_handler, DesktopDirs};
        let (Some(dirs), Ok(exe), Ok(data)) =
            (DesktopDirs::from_env(), tauri::utils::platform::current_exe(), app.path().data_dir())
        else {
            return Handler::Unknown;
        };
        let Some(exe_name) = exe.file_name() else { return Handler::Unknown };
        let entry = format!("{}-handler.desktop", exe_name.to_string_lossy());
        let exec = app.env().appimage.unwrap_or_else(|| exe.into_os_string());
        let exec_line = format!("\"{}\" %u", exec.to_string_lossy());
        own_handler(&dirs, scheme, &data.join("applications"), &entry, &exec_line)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (app, scheme);
        Handler::Unknown
    }
}

#[cfg(desktop)]
fn is_registered<R: Runtime>(app: &AppHandle<R>, scheme: &str) -> Option<bool> {
    use tauri_plugin_deep_link::DeepLink;
    app.try_state::<DeepLink<R>>()?.is_registered(scheme).ok()
}

#[cfg(not(desktop))]
fn is_registered<R: Runtime>(_app: &AppHandle<R>, _scheme: &str) -> Option<bool> {
    None
}

/// Makes this app the handler of `scheme` (Linux, Windows). Blocking.
///
/// # Errors
/// `invalid_settings` for a scheme that is not reverse-domain; `scheme_registration_failed`
/// when the platform cannot do it (macOS) or registering failed.
pub fn register<R: Runtime>(app: &AppHandle<R>, scheme: &str) -> Result<SchemeStatus, ShellError> {
    if !is_registrable_scheme(scheme) {
        return Err(ShellError::Core(Error::InvalidSettings(activation::Text::new(
            "An app's own scheme should be in reverse-domain form, like se.example.app:/callback.",
            "Ett eget schema för en app ska skrivas med omvänt domännamn, som se.example.app:/callback.",
        ))));
    }
    let previous = crate::scheme_undo::before_register(scheme);
    register_with_plugin(app, scheme)?;
    crate::scheme_undo::after_register(app, scheme, previous);
    Ok(status(app, scheme))
}

/// Makes the app's entry stop claiming `scheme` (Linux, Windows; see `scheme_undo`).
///
/// # Errors
/// `scheme_registration_failed` when the plugin is missing or the platform refused.
pub(crate) fn unregister_with_plugin<R: Runtime>(app: &AppHandle<R>, scheme: &str) -> Result<(), ShellError> {
    let failed = |reason: String| ShellError::SchemeRegistrationFailed { scheme: scheme.to_string(), reason };
    #[cfg(desktop)]
    {
        use tauri_plugin_deep_link::DeepLink;
        let plugin =
            app.try_state::<DeepLink<R>>().ok_or_else(|| failed("the deep-link plugin is not running".into()))?;
        let _one_at_a_time = registering();
        plugin.unregister(scheme).map_err(|e| failed(e.to_string()))
    }
    #[cfg(not(desktop))]
    {
        let _ = app;
        Err(failed("not supported here".into()))
    }
}

#[cfg(desktop)]
fn register_with_plugin<R: Runtime>(app: &AppHandle<R>, scheme: &str) -> Result<(), ShellError> {
    use tauri_plugin_deep_link::DeepLink;
    let failed = |reason: String| ShellError::SchemeRegistrationFailed { scheme: scheme.to_string(), reason };
    if !cfg!(any(windows, target_os = "linux")) {
        return Err(failed("only the installed app bundle receives links on macOS".into()));
    }
    let plugin = app.try_state::<DeepLink<R>>().ok_or_else(|| failed("the deep-link plugin is not running".into()))?;
    let _one_at_a_time = registering();
    plugin.register(scheme).map_err(|e| failed(e.to_string()))
}

#[cfg(not(desktop))]
fn register_with_plugin<R: Runtime>(_app: &AppHandle<R>, scheme: &str) -> Result<(), ShellError> {
    Err(ShellError::SchemeRegistrationFailed { scheme: scheme.to_string(), reason: "not supported here".into() })
}

/// Brings the window forward (a link or a second start means the user is looking for it).
fn show_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

/// Undoes the app's registration for `scheme`: the app's entry stops claiming it and the
/// previous default (if its entry still exists) is the default again. Blocking.
///
/// # Errors
/// `invalid_settings` for the app's own scheme or one the app did not register;
/// `scheme_registration_failed` when the platform refused.
pub fn unregister<R: Runtime>(app: &AppHandle<R>, scheme: &str) -> Result<SchemeStatus, ShellError> {
    if !scheme_undo::undoable(app, scheme) {
        return Err(ShellError::Core(Error::InvalidSettings(activation::Text::new(
            format!("This app did not register itself for {scheme}: links, so there is nothing to undo here."),
            format!("Den här appen registrerade sig inte för {scheme}:-länkar, så det finns inget att ångra här."),
        ))));
    }
    unregister_with_plugin(app, scheme)?;
    let record = scheme_undo::registry(app).and_then(|r| r.take(scheme).ok().flatten());
    if let Some(previous) = record.and_then(|r| r.previous) {
        scheme_undo::restore_default(scheme, &previous);
    }
    tracing::info!(scheme, "no longer registered for another program's scheme");
    Ok(status(app, scheme))
}

/// After a connection was removed: undoes every recorded registration that no remaining
/// saved connection's redirect URI uses. Blocking; failures are logged only.
/// (Moved here from `scheme_undo`, which then needs nothing of this module.)
pub fn release_unused<R: Runtime>(app: &AppHandle<R>) {
    let (Some(registry), Some(store)) =
        (scheme_undo::registry(app), app.try_state::<AppState>().and_then(|s| s.app.store().ok()))
    else {
        return;
    };
    let Ok(listed) = store.list() else { return };
    for recorded in registry.list() {
        let prefix = format!("{}:", recorded.scheme.to_ascii_lowercase());
        let used = listed.iter().any(|l| l.connection.redirect_uri.trim().to_ascii_lowercase().starts_with(&prefix));
        if !used {
            if let Err(e) = unregister(app, &recorded.scheme) {
                tracing::warn!(scheme = %recorded.scheme, kind = e.kind(), "could not undo a scheme registration");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_yield_the_links_the_plugin_does_not_take() {
        let args: Vec<String> = [
            "/usr/bin/fortnox-activator",
            "se.example.erp://oauth/cb?code=x&state=y",
            "se.fortnoxactivator.app:/callback?code=x",
            "--verbose",
            "https://example.com/",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Among other arguments the plugin ignores the app's own link: it is taken here.
        assert_eq!(
            links_in_args(&args),
            ["se.example.erp://oauth/cb?code=x&state=y", "se.fortnoxactivator.app:/callback?code=x"]
        );
        // Alone, the app's own link is the plugin's; another scheme's is still taken here.
        let alone = |link: &str| links_in_args(&["/usr/bin/fortnox-activator".to_string(), link.to_string()]);
        assert!(alone("se.fortnoxactivator.app:/callback?code=x").is_empty());
        assert_eq!(alone("se.example.erp://oauth/cb"), ["se.example.erp://oauth/cb"]);
        // The program's own path is never taken for a link.
        assert!(links_in_args(&["se.example.erp://x".to_string()]).is_empty());
    }
}
