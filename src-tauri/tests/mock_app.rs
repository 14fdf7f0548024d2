//! Starts the real app (same builder, same `tauri.conf.json`, same capabilities) on Tauri's
//! mock runtime and calls commands through the IPC, access control included. Needs no
//! display and no session bus.

use fortnox_activator_lib::with_app;
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

fn app() -> App<MockRuntime> {
    with_app(mock_builder())
        .build(tauri::generate_context!(test = true))
        .expect("failed to build the app on the mock runtime")
}

/// `App::build` does not create the configured windows: make one with the given label.
fn window(app: &App<MockRuntime>, label: &str) -> WebviewWindow<MockRuntime> {
    WebviewWindowBuilder::new(app, label, Default::default()).build().expect("failed to create a window")
}

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            // The origin the app's own pages have on Linux and macOS (Windows and Android
            // use http(s)://tauri.localhost); anything else is a remote origin to the ACL.
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().expect("response is not JSON"))
}

#[test]
fn app_info_is_reachable_through_the_ipc() {
    let app = app();
    let main = window(&app, "main");
    let info = invoke(&main, "app_info", Value::Null).expect("app_info failed");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    let language = info["language"].as_str().expect("language is a string");
    assert!(["sv", "en"].contains(&language), "unexpected language {language:?}");
}

#[test]
fn app_info_language_follows_the_system_locale() {
    let app = app();
    let main = window(&app, "main");
    let info = invoke(&main, "app_info", Value::Null).unwrap();
    let expected = fortnox_activator_lib::state::system_language().tag();
    assert_eq!(info["language"], expected);
}

#[test]
fn every_wizard_command_is_wired_and_allowed() {
    let app = app();
    let main = window(&app, "main");
    for cmd in [
        "scope_catalogue",
        "check_settings",
        "set_language",
        "start_authorization",
        "open_browser",
        "cancel_authorization",
        "submit_redirect",
        "copy_to_clipboard",
        "reveal_secret",
        "mark",
    ] {
        // Whatever the command answers, it must not be refused by the access control or
        // be missing from the handler.
        if let Err(err) = invoke(&main, cmd, serde_json::json!({})) {
            let text = err.to_string();
            assert!(
                !text.contains(&format!("{cmd} not allowed")) && !text.contains(&format!("Command {cmd} not found")),
                "{cmd} is not reachable: {text}"
            );
        }
    }
}

#[test]
fn the_window_can_send_timing_marks_and_nothing_else_through_them() {
    let app = app();
    let main = window(&app, "main");
    // Known and unknown names alike answer nothing (a mark is fire and forget).
    for name in ["ready", "result", "callback", "anything"] {
        let answer = invoke(&main, "mark", serde_json::json!({ "name": name, "atMs": 1_763_840_000_000u64 }));
        assert_eq!(answer.expect("mark is allowed"), Value::Null);
    }
}

#[test]
fn the_webview_gets_no_clipboard_permission() {
    let app = app();
    let main = window(&app, "main");
    let err = invoke(&main, "plugin:clipboard-manager|write_text", serde_json::json!({ "text": "secret" }))
        .expect_err("the webview must not write the clipboard itself");
    assert!(err.to_string().contains("write_text not allowed"), "{err}");
}

#[test]
fn other_windows_get_no_commands() {
    let app = app();
    let other = window(&app, "other");
    let err = invoke(&other, "app_info", Value::Null).expect_err("only `main` may call commands");
    assert!(err.to_string().contains("app_info not allowed"), "{err}");
}

#[test]
fn the_scope_catalogue_and_settings_check_answer_through_the_ipc() {
    let app = app();
    let main = window(&app, "main");
    let catalogue = invoke(&main, "scope_catalogue", Value::Null).unwrap();
    assert!(catalogue
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == "companyinformation" && s["description"]["sv"].is_string()));
    let report = invoke(
        &main,
        "check_settings",
        serde_json::json!({"settings": {"connectionName": "Acme", "clientId": "C1", "clientSecret": "s",
            "redirectUri": "http://localhost:9876/callback", "scopes": ["companyinformation"], "accountType": "user"}}),
    )
    .unwrap();
    assert_eq!(report["valid"], true);
    assert_eq!(report["codeOnly"], false);
    assert_eq!(
        report["capture"],
        serde_json::json!({"mode": "loopback", "host": "localhost", "port": 9876, "path": "/callback"})
    );
    assert_eq!(report["registerValue"], "http://localhost:9876/callback");
    let report =
        invoke(&main, "check_settings", serde_json::json!({"settings": {"redirectUri": "http://example.com/x"}}))
            .unwrap();
    assert_eq!(report["valid"], false);
    assert!(report["fields"]["redirectUri"]["en"].as_str().unwrap().contains("this computer"));
}

#[test]
fn secrets_are_refused_before_an_activation() {
    let app = app();
    let main = window(&app, "main");
    let err = invoke(&main, "reveal_secret", serde_json::json!({"what": "access-token"})).unwrap_err();
    assert_eq!(err["kind"], "no_attempt");
}
