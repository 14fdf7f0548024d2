//! Fortnox Activator: the Tauri shell around the `activation` core.
//!
//! [`builder`] assembles everything (plugins, managed state, the command handler) for any
//! runtime, so tests can start the very same app on `tauri::test::mock_builder()`;
//! [`run`] builds it on the real runtime with the context from `tauri.conf.json`.

pub mod commands;
pub mod marks;
pub mod state;

pub use state::AppState;

/// The app, minus its context: plugins, managed state and commands.
pub fn builder<R: tauri::Runtime>() -> tauri::Builder<R> {
    with_app(tauri::Builder::<R>::new())
}

/// Adds the app's plugins, state and commands to an existing builder (for example
/// `tauri::test::mock_builder()`, which sets up the mock runtime's IPC).
pub fn with_app<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.plugin(tauri_plugin_clipboard_manager::init()).manage(AppState::new()).invoke_handler(
        tauri::generate_handler![
            commands::app_info,
            commands::scope_catalogue,
            commands::check_settings,
            commands::set_language,
            commands::start_authorization,
            commands::open_browser,
            commands::cancel_authorization,
            commands::submit_redirect,
            commands::copy_to_clipboard,
            commands::reveal_secret,
            commands::mark,
        ],
    )
}

/// Starts the desktop app and blocks until it quits.
pub fn run() {
    // Read FORTNOX_ACTIVATOR_READY once, before the window exists.
    marks::global();
    builder::<tauri::Wry>().run(tauri::generate_context!()).expect("error while running Fortnox Activator");
}
