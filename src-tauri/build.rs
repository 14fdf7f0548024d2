//! Build script: resolves `tauri.conf.json`, the capabilities in `capabilities/` and the
//! app's own command permissions (`allow-<command>` / `deny-<command>`, generated from the
//! list below) into the access-control list that `tauri::generate_context!` embeds.

/// Every `#[tauri::command]` the webview may call. Adding a command means adding it here,
/// to `tauri::generate_handler!` in `src/lib.rs`, and its `allow-…` permission to
/// `capabilities/default.json` (snake_case names become kebab-case permissions).
const COMMANDS: &[&str] = &[
    "app_info",
    "scope_catalogue",
    "check_settings",
    "set_language",
    "start_authorization",
    "open_browser",
    "cancel_authorization",
    "submit_redirect",
    "copy_to_clipboard",
    "reveal_secret",
    "set_close_guard",
    "close_window",
    "list_connections",
    "set_aside_connections_file",
    "save_connection",
    "connection_settings",
    "refresh_connection",
    "service_token",
    "save_unsaved_keys",
    "forget_unsaved_keys",
    "test_connection",
    "rename_connection",
    "remove_connection",
    "copy_connection",
    "export_connection",
    "read_activation_file",
    "startup_file",
    "diagnostics",
    "take_link_notice",
    "scheme_status",
    "register_scheme",
    "mark",
];

fn main() {
    // `generate_context!` embeds `../ui` when this crate compiles, and on its own notices
    // edits to files it embedded but not files added or removed; watching the folder makes
    // any change to the frontend rebuild the app.
    println!("cargo:rerun-if-changed=../ui");
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
