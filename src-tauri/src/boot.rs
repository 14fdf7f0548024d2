//! What the page knows before its first line is parsed: a script the webview runs at
//! document start (the `<html>` element exists, nothing else), ahead of the stylesheet.
//!
//! It marks the platform (`<html data-platform="linux">`): the stylesheet picks fonts the
//! platform finds without a search (see `ui/styles.css`). The script is fixed text, built
//! from nothing the user or the network gave.

use tauri::plugin::{Builder, TauriPlugin};
use tauri::Runtime;

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

/// The document-start script. `document.documentElement` may be missing in webviews that
/// run it before the parser creates `<html>` (WebView2); then the default fonts apply.
pub fn script() -> String {
    format!("document.documentElement && (document.documentElement.dataset.platform = {:?});", platform())
}

/// The plugin that carries [`script`] into every page of the app's webviews.
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("boot").js_init_script(script()).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_names_the_platform_and_nothing_else() {
        let s = script();
        assert!(s.contains(&format!("dataset.platform = \"{}\"", platform())), "{s}");
        assert!(s.starts_with("document.documentElement &&"), "{s}");
    }
}
