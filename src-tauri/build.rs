//! Build script: resolves `tauri.conf.json`, the capabilities in `capabilities/` and the
//! app's own command permissions (`allow-<command>` / `deny-<command>`, generated from the
//! list in `command_list.rs`) into the access-control list that `tauri::generate_context!`
//! embeds.

// `COMMANDS`: every command the webview may call, in one file that the mock-runtime test
// (`tests/mock_app.rs`) includes as well, so the list is kept in one place.
include!("command_list.rs");

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
