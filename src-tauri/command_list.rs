// The one list of the app's IPC commands, included by `build.rs` (which turns it into the
// `allow-<command>` / `deny-<command>` permissions) and by `tests/mock_app.rs` (which checks
// that each one is wired and allowed, and that `ui/js/api.js` calls exactly these).

/// Every `#[tauri::command]` the webview may call. Adding a command means adding it here,
/// to `tauri::generate_handler!` in `src/lib.rs`, its `allow-…` permission to
/// `capabilities/default.json` (snake_case names become kebab-case permissions), and its
/// one caller to `ui/js/api.js`.
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
    "test_connection",
    "rename_connection",
    "remove_connection",
    "copy_connection",
    "hand_over_connection",
    "export_connection",
    "read_activation_file",
    "startup_file",
    "diagnostics",
    "take_link_notice",
    "scheme_status",
    "register_scheme",
    "unregister_scheme",
    "save_unsaved_keys",
    "forget_unsaved_keys",
    "mark",
];
