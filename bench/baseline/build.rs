//! Build script of the baseline window: its one command, `ready`, allowed for the window.
fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&["ready"])),
    )
    .expect("failed to run tauri-build");
}
