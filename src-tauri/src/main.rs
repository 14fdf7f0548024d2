// Prevents an additional console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Before anything else, while no other thread or child process exists: the app never
    // reads the client secret from its environment, and the browser, xdg-open and the
    // WebKit processes must not inherit it.
    fortnox_activator_lib::forget_env_secret();
    fortnox_activator_lib::run();
}
