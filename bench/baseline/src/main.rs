//! The baseline for `scripts/bench.sh`: a bare Tauri 2 window whose page calls `ready` at
//! DOMContentLoaded. Same contract as the app: with `FORTNOX_ACTIVATOR_READY=1` it prints one
//! line `ready <unix time in ms>` to stdout, and nothing without it. Under the same variable
//! it also prints the launch phases the app prints (`main`, `setup`, `page`), taken at the
//! same points, so the benchmark can show where each launch goes side by side.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

static ENABLED: LazyLock<bool> =
    LazyLock::new(|| std::env::var_os("FORTNOX_ACTIVATOR_READY").is_some_and(|v| v == "1"));
static SENT: AtomicBool = AtomicBool::new(false);

#[tauri::command]
fn ready(at_ms: u64) {
    if *ENABLED && !SENT.swap(true, Ordering::SeqCst) {
        println!("ready {at_ms}");
    }
}

/// A launch phase, now (as the app's `marks.rs`).
fn phase(word: &str) {
    if *ENABLED {
        let ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
        println!("{word} {ms}");
    }
}

fn main() {
    LazyLock::force(&ENABLED);
    phase("main");
    tauri::Builder::default()
        .setup(|_| {
            phase("setup");
            Ok(())
        })
        .on_page_load(|_, load| {
            if load.event() == tauri::webview::PageLoadEvent::Started {
                phase("page");
            }
        })
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
        .expect("error while running the baseline window");
}
