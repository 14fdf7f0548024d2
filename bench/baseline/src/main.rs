//! The baseline for `scripts/bench.sh`: a bare Tauri 2 window whose page calls `ready` at
//! DOMContentLoaded. Same contract as the app: with `FORTNOX_ACTIVATOR_READY=1` it prints one
//! line `ready <unix time in ms>` to stdout, and nothing without it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::LazyLock;

static ENABLED: LazyLock<bool> =
    LazyLock::new(|| std::env::var_os("FORTNOX_ACTIVATOR_READY").is_some_and(|v| v == "1"));
static SENT: AtomicBool = AtomicBool::new(false);

#[tauri::command]
fn ready(at_ms: u64) {
    if *ENABLED && !SENT.swap(true, Ordering::SeqCst) {
        println!("ready {at_ms}");
    }
}

fn main() {
    LazyLock::force(&ENABLED);
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
        .expect("error while running the baseline window");
}
