//! Fortnox Activator: the Tauri shell around the `activation` core.
//!
//! [`with_app`] (and [`builder`]) assemble the app (plugins, managed state, the command
//! handler) for any runtime, so tests can start the very same app on
//! `tauri::test::mock_builder()`; [`run`] puts the single-instance and deep-link plugins in
//! front of it and runs it on the real runtime with the context from `tauri.conf.json`.
//! Links handed over by the operating system are [`links`]' business.

pub mod commands;
pub mod links;
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
            commands::take_link_notice,
            commands::scheme_status,
            commands::register_scheme,
        ],
    )
}

/// Starts the desktop app and blocks until it quits.
///
/// Single instance comes first: a second process (the OS starting the app with a link, or
/// the user starting it twice) hands its arguments to this one and exits without a window.
/// Then the deep-link plugin (the app's own scheme), the app, and at setup the link this
/// process may have been started with ([`links::setup`]). These plugins are left out of
/// [`with_app`], so tests on the mock runtime never claim the session bus's single-instance
/// name.
pub fn run() {
    let builder = tauri::Builder::<tauri::Wry>::new();
    #[cfg(desktop)]
    let builder = builder.plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
        links::second_instance(app, args);
    }));
    let builder = builder.plugin(tauri_plugin_deep_link::init());
    with_app(builder)
        .setup(|app| {
            #[cfg(desktop)]
            links::setup(app.handle());
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("error while running Fortnox Activator");
}
