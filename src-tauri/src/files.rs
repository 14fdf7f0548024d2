//! Activation files the operating system hands to the app: a double-click on a
//! `*.fortnox-activation` file (the installers register the type: `bundle.fileAssociations`
//! and, on Linux, the MIME type in `linux/se.fortnoxactivator.app.xml`), or the file given as
//! an argument.
//!
//! Where a file comes from:
//! - a cold start: among this process's arguments, as a path (Windows, a terminal) or a
//!   `file://` URL (a Linux desktop entry's `%u`) ([`in_args`], read in `run()`);
//! - a second start while the app runs: among the arguments the single-instance plugin hands
//!   over, relative to that process's folder ([`in_args`] from `links::second_instance`);
//! - macOS: `RunEvent::Opened` with `file://` URLs (`platform::macos::run_event`).
//!
//! The first file found is read as an activation file ([`StartupFile::read`], the core's
//! parser) and kept in [`AppState`] until the window takes it with `startup_file`; when the
//! window is already up, the event [`FILE_EVENT`] tells it to. A file is never delivered to
//! the link handler, and a link never read as a file.
//!
//! Security rule: an activation file has no secret (the core refuses one that carries it),
//! and only its name and checked settings reach the webview, never its path.

use crate::models::StartupFile;
use crate::state::AppState;
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// Emitted (no payload) when an activation file is waiting: call `startup_file`.
pub const FILE_EVENT: &str = "activation-file";

/// The first argument after the program that names an existing file: a path (relative ones
/// against `cwd`) or a `file://` URL. Links of other schemes are not files.
pub fn in_args(args: &[String], cwd: &Path) -> Option<PathBuf> {
    args.iter().skip(1).find_map(|arg| {
        let path = if arg.len() > 7 && arg[..7].eq_ignore_ascii_case("file://") {
            url::Url::parse(arg).ok()?.to_file_path().ok()?
        } else if arg.starts_with('-') || activation::capture::link::is_scheme_link(arg) {
            return None;
        } else {
            cwd.join(arg)
        };
        path.is_file().then_some(path)
    })
}

/// Reads the activation file at `path` for the window: kept until the window takes it, and
/// announced with [`FILE_EVENT`]; the window is brought forward.
pub fn open<R: Runtime>(app: &AppHandle<R>, path: &Path) {
    let state = app.state::<AppState>();
    state.set_startup_file(StartupFile::read(path));
    tracing::info!("an activation file was handed to the running app");
    let _ = app.emit(FILE_EVENT, ());
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

/// The files among URLs the system opened the app with (macOS): each `file://` URL's path.
pub fn in_urls(urls: &[url::Url]) -> Option<PathBuf> {
    urls.iter().filter(|u| u.scheme() == "file").find_map(|u| u.to_file_path().ok().filter(|p| p.is_file()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_file_is_found_as_a_path_or_a_file_url_and_never_as_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("Acme AB.fortnox-activation");
        std::fs::write(&file, "{}").unwrap();
        let url = url::Url::from_file_path(&file).unwrap().to_string();
        assert!(url.contains("Acme%20AB"), "{url}");
        let app = "/usr/bin/fortnox-activator";
        assert_eq!(in_args(&args(&[app, &url]), Path::new("/")), Some(file.clone()));
        assert_eq!(in_args(&args(&[app, &file.display().to_string()]), Path::new("/")), Some(file.clone()));
        // Relative to the folder the second process was started in.
        assert_eq!(in_args(&args(&[app, "Acme AB.fortnox-activation"]), dir.path()), Some(file.clone()));
        // Links, options, missing files and the program itself are not files.
        let other = args(&[app, "se.fortnoxactivator.app:/callback?code=x", "--verbose", "missing.json"]);
        assert_eq!(in_args(&other, dir.path()), None);
        assert_eq!(in_args(&args(&[&file.display().to_string()]), Path::new("/")), None);
        assert_eq!(in_args(&args(&[app, "file:///nowhere/x.fortnox-activation"]), Path::new("/")), None);
        // macOS hands over URLs.
        let urls = [url::Url::parse("se.fortnoxactivator.app:/callback").unwrap(), url::Url::parse(&url).unwrap()];
        assert_eq!(in_urls(&urls), Some(file));
    }
}
