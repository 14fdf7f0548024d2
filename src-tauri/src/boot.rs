//! What the page knows before its first line is parsed: a script the webview runs at
//! document start (the `<html>` element exists, nothing else), ahead of the stylesheet.
//!
//! It marks the platform (`<html data-platform="linux">`): the stylesheet picks fonts the
//! platform finds without a search (see `ui/styles.css`). And it is the last resort for the
//! page's `data-booting` (nothing shown until `app.js` has chosen the first screen): should
//! the scripts never run, the page is shown after [`REVEAL_AFTER_MS`] anyway. The script is
//! fixed text, built from nothing the user or the network gave.
//!
//! It asks Rust for the saved connections (`list_connections`), the one answer the first
//! screen waits for, into `window.__FA_FIRST_LIST__`: the round trip then overlaps the page's
//! parse instead of following its scripts (`ui/js/api.js` takes it once). Tauri's own
//! scripts, which make `invoke`, run before any plugin's.
//!
//! Under `FORTNOX_ACTIVATOR_READY=1` it also sets `window.__FA_MARKS__`: only then does the
//! page send its timing marks (`ui/js/api.js`), so a normal start makes no call for them.
//!
//! Also here, as it is about the web process before it starts: [`prefer_interpreter`].

use tauri::plugin::{Builder, TauriPlugin};
use tauri::Runtime;

/// Tells WebKitGTK's JavaScript engine, before the web process is started (it inherits the
/// environment), to interpret rather than compile: the page is a form, and its JIT costs
/// ~7.5 MiB of the web process for nothing the user could notice (measured with
/// `scripts/bench.sh`: same launch times, 7.5 MiB less). A value the user set is kept.
/// Must run before any thread is started (it changes the process environment).
pub fn prefer_interpreter() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("JSC_useJIT").is_none() {
        std::env::set_var("JSC_useJIT", "false");
    }
}

/// The platform's name as the stylesheet knows it.
pub fn platform() -> &'static str {
    if cfg!(target_os = "linux") {
        "linux"
    } else if cfg!(target_os = "macos") {
        "macos"
    } else if cfg!(windows) {
        "windows"
    } else {
        "other"
    }
}

/// When the page is shown even if `app.js` never got to it.
pub const REVEAL_AFTER_MS: u32 = 4000;

/// The document-start script. `document.documentElement` may be missing in webviews that
/// run it before the parser creates `<html>` (WebView2); then the default fonts apply.
/// `marks`: whether the page sends its timing marks.
pub fn script(marks: bool) -> String {
    let marks = if marks { "window.__FA_MARKS__ = true;" } else { "" };
    format!(
        "document.documentElement && (document.documentElement.dataset.platform = {:?});\
         setTimeout(() => document.documentElement?.removeAttribute(\"data-booting\"), {REVEAL_AFTER_MS});\
         window.__FA_FIRST_LIST__ = window.__TAURI_INTERNALS__?.invoke(\"list_connections\");\
         window.__FA_FIRST_LIST__?.catch(() => {{}});{marks}",
        platform()
    )
}

/// The plugin that carries [`script`] into every page of the app's webviews.
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("boot").js_init_script(script(crate::marks::global().enabled())).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_names_the_platform_and_turns_marks_on_only_when_asked() {
        let s = script(false);
        assert!(!s.contains("__FA_MARKS__"), "{s}");
        assert!(script(true).ends_with("window.__FA_MARKS__ = true;"));
        assert!(s.contains(&format!("dataset.platform = \"{}\"", platform())), "{s}");
        assert!(s.starts_with("document.documentElement &&"), "{s}");
        assert!(s.contains("removeAttribute(\"data-booting\"), 4000)"), "{s}");
        assert!(s.contains("__FA_FIRST_LIST__ = window.__TAURI_INTERNALS__?.invoke(\"list_connections\")"), "{s}");
    }
}
