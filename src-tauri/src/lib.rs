//! Fortnox Activator: the Tauri shell around the `activation` core.
//!
//! [`with_app`] (and [`builder`]) assemble the app (plugins, managed state, the command
//! handler) for any runtime, so tests can start the very same app on
//! `tauri::test::mock_builder()`; [`run`] puts the single-instance and deep-link plugins in
//! front of it and runs it on the real runtime with the context from `tauri.conf.json`.
//! Links handed over by the operating system are [`links`]' business.

pub mod boot;
pub mod clipboard;
pub mod commands;
pub mod connections;
pub mod error;
pub mod files;
pub mod links;
pub mod logfile;
pub mod marks;
pub mod models;
pub mod platform;
pub mod scheme_undo;
pub mod start;
pub mod state;
pub mod window_guard;

pub use state::AppState;

/// The variable the command line takes the client secret from. The app never reads it.
pub const ENV_SECRET_VAR: &str = "FORTNOX_CLIENT_SECRET";

/// Removes [`ENV_SECRET_VAR`] from this process's environment, so no child (the browser,
/// xdg-open, WebKit's processes) inherits it. Call it first thing in `main`, before any
/// thread exists (what makes changing the environment sound).
pub fn forget_env_secret() {
    if std::env::var_os(ENV_SECRET_VAR).is_some() {
        // Edition 2021: safe to call; sound here because no other thread exists yet.
        std::env::remove_var(ENV_SECRET_VAR);
    }
}

/// The log file's name in the app's log folder (`<name>.log`, rotated copies beside it).
pub const LOG_FILE_NAME: &str = "fortnox-activator";
/// Rotate the log file at this size.
pub const LOG_FILE_MAX_BYTES: u128 = 512 * 1024;

/// The app, minus its context: plugins, managed state and commands.
pub fn builder<R: tauri::Runtime>() -> tauri::Builder<R> {
    with_app(tauri::Builder::<R>::new())
}

/// Adds the app's plugins, state and commands to an existing builder (for example
/// `tauri::test::mock_builder()`, which sets up the mock runtime's IPC).
pub fn with_app<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    with_state(builder, AppState::new())
}

/// Like [`with_app`], with the given state (tests choose the endpoints this way).
pub fn with_state<R: tauri::Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    builder
        .plugin(boot::plugin())
        .plugin(window_guard::plugin())
        .manage(clipboard::SystemClipboard::default())
        .manage(state)
        .on_window_event(guard_close)
        .invoke_handler(tauri::generate_handler![
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
            commands::diagnostics,
            commands::set_close_guard,
            commands::close_window,
            connections::list_connections,
            connections::set_aside_connections_file,
            connections::save_connection,
            connections::connection_settings,
            connections::refresh_connection,
            connections::service_token,
            connections::save_unsaved_keys,
            connections::forget_unsaved_keys,
            connections::test_connection,
            connections::rename_connection,
            connections::remove_connection,
            connections::copy_connection,
            connections::hand_over_connection,
            connections::export_connection,
            connections::read_activation_file,
            connections::startup_file,
            commands::take_link_notice,
            commands::scheme_status,
            commands::register_scheme,
            commands::unregister_scheme,
            commands::mark,
        ])
}

/// Closing the window while a result's keys exist only in it (not saved, never copied) asks
/// first: the close is held and the window asked (`close-requested`); it calls
/// [`commands::close_window`] once the user confirms. A window that is gone clears a secret
/// the app copied from the clipboard ([`clipboard::clear_on_exit`]).
fn guard_close<R: tauri::Runtime>(window: &tauri::Window<R>, event: &tauri::WindowEvent) {
    use tauri::{Emitter, Manager};
    if let tauri::WindowEvent::CloseRequested { api, .. } = event {
        if window.state::<AppState>().app.close_guard() {
            api.prevent_close();
            let _ = window.emit("close-requested", ());
        }
    }
    if let tauri::WindowEvent::Destroyed = event {
        clipboard::clear_on_exit(window.app_handle());
    }
}

/// The log: a rotating file in the app's log folder (`tauri-plugin-log`), fed by the core's
/// `tracing` events (bridged to `log`) and the app's own. Info and above from this app and
/// its core; warnings and errors from everything else, without the links some of them log
/// ([`logfile`]). Only in [`run`]: the logger is
/// process-wide, and tests build many apps in one process.
fn log_plugin<R: tauri::Runtime>() -> tauri::plugin::TauriPlugin<R> {
    use tauri_plugin_log::{log, RotationStrategy, Target, TargetKind};
    tauri_plugin_log::Builder::new()
        .clear_targets()
        .target(Target::new(TargetKind::LogDir { file_name: Some(LOG_FILE_NAME.into()) }))
        .rotation_strategy(RotationStrategy::KeepSome(3))
        .max_file_size(LOG_FILE_MAX_BYTES)
        .level(log::LevelFilter::Info)
        .filter(logfile::keep)
        .format(logfile::line)
        .build()
}

/// Starts the desktop app and blocks until it quits. An argument that is a file (a path, or
/// a `file://` URL as a desktop entry's `%u` gives it) is an activation file: the window
/// opens the wizard prefilled from it ([`files`]).
///
/// Single instance comes first: a second process (the OS starting the app with a link, or
/// the user starting it twice) hands its arguments to this one and exits without a window.
/// Then the deep-link plugin (the app's own scheme), the log, the app, and at setup the
/// link this process may have been started with and the scheme's registration
/// ([`links::setup`]). Before all of it, [`boot::prefer_interpreter`] (the web process
/// inherits the environment). These plugins are left out of [`with_app`], so tests on the
/// mock runtime never claim the session bus's single-instance name nor the process-wide
/// logger. A window that cannot start (no WebView2 on Windows, or any other failure before
/// it is up) is explained and ends the process with a documented status ([`start`]).
pub fn run() {
    start::catch_start_panics();
    if let Err(missing) = start::check_webview() {
        start::fail(missing);
    }
    boot::prefer_interpreter();
    // Read FORTNOX_ACTIVATOR_READY once, before the window exists.
    marks::global().emit(marks::Mark::Main, marks::now_ms());
    let state = AppState::new();
    // An endpoint override (or its refusal) is said on stderr as well as in the window.
    let startup_line = state.app.startup_line();
    if let Some(line) = &startup_line {
        eprintln!("{line}");
    }
    let args: Vec<String> = std::env::args().collect();
    let cwd = std::env::current_dir().unwrap_or_default();
    if let Some(path) = files::in_args(&args, &cwd) {
        state.set_startup_file(models::StartupFile::read(&path));
    }
    let builder = tauri::Builder::<tauri::Wry>::new();
    #[cfg(desktop)]
    let builder = builder.plugin(tauri_plugin_single_instance::init(|app, args, cwd| {
        links::second_instance(app, args, std::path::Path::new(&cwd));
    }));
    let builder = builder.plugin(tauri_plugin_deep_link::init()).plugin(log_plugin());
    with_state(builder, state)
        .setup(move |app| {
            #[cfg(desktop)]
            links::setup(app.handle());
            tracing::info!(version = env!("CARGO_PKG_VERSION"), "app started");
            if let Some(line) = startup_line {
                tracing::warn!("{line}");
            }
            marks::global().emit(marks::Mark::Setup, marks::now_ms());
            Ok(())
        })
        .on_page_load(|_, load| {
            if load.event() == tauri::webview::PageLoadEvent::Started {
                marks::global().emit(marks::Mark::Page, marks::now_ms());
            }
        })
        .build(tauri::generate_context!())
        .unwrap_or_else(|e| start::fail(start::StartFailure::Window { detail: e.to_string() }))
        .run(|app, event| match event {
            tauri::RunEvent::Ready => start::started(),
            tauri::RunEvent::Exit => clipboard::clear_on_exit(app),
            other => platform::run_event(app, &other),
        });
}
