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

// `COMMANDS`, the list `build.rs` grants permissions from: the one list, not a copy.
include!("../command_list.rs");

#[test]
fn every_wizard_command_is_wired_and_allowed() {
    let app = app();
    let main = window(&app, "main");
    // `close_window` would close the window the others are called through.
    for &cmd in COMMANDS.iter().filter(|&&c| c != "close_window") {
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
fn the_window_calls_exactly_the_listed_commands() {
    // `ui/js/api.js` is the window's one caller of `invoke`: every command it calls is in the
    // list, and every command in the list has its caller there.
    let api = include_str!("../../ui/js/api.js");
    let called: std::collections::BTreeSet<&str> =
        api.split("call(\"").skip(1).filter_map(|rest| rest.split('"').next()).collect();
    let listed: std::collections::BTreeSet<&str> = COMMANDS.iter().copied().collect();
    assert_eq!(called, listed, "ui/js/api.js calls other commands than command_list.rs lists");
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

#[test]
fn an_activation_file_fills_the_wizard_and_a_bad_one_is_refused_naming_the_field() {
    let app = app();
    let main = window(&app, "main");
    let good = r#"{"format": "fortnox-activation", "version": 1, "name": "Acme AB", "clientId": "abc",
        "redirectUri": "http://localhost:9876/callback", "scopes": ["companyinformation"], "accountType": "user"}"#;
    let answer = invoke(&main, "read_activation_file", serde_json::json!({ "text": good })).expect("a good file");
    assert_eq!(answer["settings"]["connectionName"], "Acme AB");
    assert_eq!(answer["settings"]["clientId"], "abc");
    assert_eq!(answer["hasSecret"], false);

    let bad = good.replace(r#""clientId": "abc","#, r#""clientId": "","#);
    let err = invoke(&main, "read_activation_file", serde_json::json!({ "text": bad })).expect_err("a bad file");
    assert_eq!(err["kind"], "activation_file_invalid", "{err}");
    let message = err["message"]["en"].as_str().unwrap_or_default();
    assert!(message.to_lowercase().contains("client id"), "names the field: {message}");
    // The problems as a list, one per field, for the window to show line by line.
    assert_eq!(err["problems"][0]["field"], "clientId", "{err}");
    assert_eq!(err["problems"][0]["kind"], "missing", "{err}");
    assert_eq!(err["problems"][0]["label"]["sv"], "Klient-ID", "{err}");
    assert_eq!(err["problems"].as_array().map(Vec::len), Some(1), "{err}");

    // A misspelt scope does not refuse the file: it comes back as a note with its likely fix.
    let typo = good.replace(r#"["companyinformation"]"#, r#"["companyinformation", "invoices"]"#);
    let answer = invoke(&main, "read_activation_file", serde_json::json!({ "text": typo })).expect("used");
    assert_eq!(answer["notes"][0]["kind"], "unknown_scope", "{answer}");
    assert_eq!(answer["notes"][0]["suggestion"], "invoice", "{answer}");

    // A file that carries a secret is refused: secrets never travel this way.
    let with_secret = good.replace(r#""name""#, r#""clientSecret": "s3cret", "name""#);
    let err = invoke(&main, "read_activation_file", serde_json::json!({ "text": with_secret })).expect_err("a secret");
    assert!(!err.to_string().contains("s3cret"), "the secret is not echoed: {err}");
}

#[test]
fn the_close_guard_is_set_and_cleared_through_the_ipc() {
    let app = app();
    let main = window(&app, "main");
    let state = tauri::Manager::state::<fortnox_activator_lib::AppState>(&app);
    assert!(!state.app.close_guard());
    invoke(&main, "set_close_guard", serde_json::json!({ "guard": true })).unwrap();
    assert!(state.app.close_guard());
    invoke(&main, "set_close_guard", serde_json::json!({ "guard": false })).unwrap();
    assert!(!state.app.close_guard());
}

fn app_with(state: fortnox_activator_lib::AppState) -> App<MockRuntime> {
    fortnox_activator_lib::with_state(mock_builder(), state)
        .build(tauri::generate_context!(test = true))
        .expect("failed to build the app on the mock runtime")
}

fn valid_settings() -> Value {
    serde_json::json!({"settings": {"connectionName": "Acme", "clientId": "C1", "clientSecret": "s",
        "redirectUri": "https://example.com/cb", "scopes": ["companyinformation"], "accountType": "user"}})
}

#[test]
fn with_fortnox_itself_there_is_no_endpoint_banner() {
    let app = app_with(fortnox_activator_lib::AppState::with_endpoints(Ok(Default::default())));
    let info = invoke(&window(&app, "main"), "app_info", Value::Null).unwrap();
    assert_eq!(info["endpoint_notice"], Value::Null);
    assert_eq!(info["endpoint_error"], Value::Null);
}

#[test]
fn an_endpoint_override_is_announced_to_the_window() {
    use activation::fortnox::endpoints::Endpoints;
    let endpoints = Endpoints::from_overrides(Some("http://127.0.0.1:5000/oauth-v1"), Some("http://[::1]:5000/3"));
    let app = app_with(fortnox_activator_lib::AppState::with_endpoints(endpoints));
    let info = invoke(&window(&app, "main"), "app_info", Value::Null).unwrap();
    let notice = &info["endpoint_notice"];
    assert!(notice["en"].as_str().unwrap().contains("http://127.0.0.1:5000/oauth-v1"), "{notice}");
    assert!(notice["sv"].as_str().unwrap().contains("http://[::1]:5000/3"), "{notice}");
    assert_eq!(info["endpoint_error"], Value::Null);
}

#[test]
fn a_refused_endpoint_override_is_shown_and_stops_every_attempt() {
    use activation::fortnox::endpoints::Endpoints;
    let refused = Endpoints::from_overrides(Some("http://fortnox.example.com/oauth-v1"), None);
    let state = fortnox_activator_lib::AppState::with_endpoints(refused);
    assert!(state.app.startup_line().unwrap().contains("FORTNOX_OAUTH_URL"), "stderr names the variable");
    let app = app_with(state);
    let main = window(&app, "main");
    let info = invoke(&main, "app_info", Value::Null).unwrap();
    assert_eq!(info["endpoint_notice"], Value::Null);
    assert_eq!(info["endpoint_error"]["kind"], "endpoint_refused");
    assert!(info["endpoint_error"]["next_step"]["sv"].as_str().unwrap().contains("FORTNOX_OAUTH_URL"));
    // No silent fall back to Fortnox: starting an attempt is refused with the same kind.
    let mut args = valid_settings();
    args["onEvent"] = serde_json::json!("__CHANNEL__:1");
    let err = invoke(&main, "start_authorization", args).expect_err("no attempt with a refused endpoint");
    assert_eq!(err["kind"], "endpoint_refused", "{err}");
}

#[test]
fn diagnostics_name_settings_and_errors_but_never_the_secret() {
    use activation::fortnox::endpoints::Endpoints;
    let refused = Endpoints::from_overrides(None, Some("http://api.example.com/3"));
    let app = app_with(fortnox_activator_lib::AppState::with_endpoints(refused));
    let main = window(&app, "main");
    let secret = "mock-client-secret-5b2e";
    let mut args = valid_settings();
    args["settings"]["clientSecret"] = serde_json::json!(secret);
    invoke(&main, "check_settings", args.clone()).unwrap();
    args["onEvent"] = serde_json::json!("__CHANNEL__:1");
    invoke(&main, "start_authorization", args).expect_err("refused endpoint");
    let report = invoke(&main, "diagnostics", Value::Null).expect("diagnostics answers");
    let text = report.as_str().expect("plain text");
    assert!(text.contains(env!("CARGO_PKG_VERSION")), "{text}");
    assert!(text.contains("System: "), "{text}");
    assert!(text.contains("Client ID: C1") && text.contains("Capture: paste"), "{text}");
    assert!(text.contains("Client secret: given (not shown)"), "{text}");
    assert!(text.contains("endpoint_refused"), "the last error and its kind: {text}");
    assert!(!text.contains(secret), "{text}");
}

#[test]
fn copy_knows_its_parts_and_checks_a_redirect_uri_before_copying_it() {
    let app = app();
    let main = window(&app, "main");
    // `what` is an enum: the client secret is not one of the things the window may copy.
    let err = invoke(&main, "copy_to_clipboard", serde_json::json!({"what": "client-secret"})).unwrap_err();
    assert!(err.to_string().contains("unknown variant"), "{err}");
    // The redirect URI comes from the field and is checked, not remembered from a check.
    let err =
        invoke(&main, "copy_to_clipboard", serde_json::json!({"what": "redirect-uri", "redirectUri": "nonsense"}))
            .unwrap_err();
    assert_eq!(err["kind"], "invalid_settings");
    let err = invoke(&main, "copy_to_clipboard", serde_json::json!({"what": "json"})).unwrap_err();
    assert_eq!(err["kind"], "no_attempt");
}

#[test]
fn a_link_with_no_activation_waiting_leaves_one_notice_and_no_part_of_the_link() {
    let app = app();
    let main = window(&app, "main");
    assert_eq!(invoke(&main, "take_link_notice", Value::Null).unwrap(), Value::Null);
    fortnox_activator_lib::links::deliver(app.handle(), "se.fortnoxactivator.app:/callback?code=SECRETCODE&state=s");
    let notice = invoke(&main, "take_link_notice", Value::Null).unwrap();
    assert_eq!(notice["error"]["kind"], "link_unexpected");
    assert!(notice["error"]["next_step"]["sv"].is_string());
    assert!(!notice.to_string().contains("SECRETCODE"), "{notice}");
    // Taken once.
    assert_eq!(invoke(&main, "take_link_notice", Value::Null).unwrap(), Value::Null);
}

#[test]
fn registering_refuses_schemes_that_are_not_reverse_domain() {
    let app = app();
    let main = window(&app, "main");
    for scheme in ["http", "myapp", "se.x;rm -rf", ""] {
        let err = invoke(&main, "register_scheme", serde_json::json!({"scheme": scheme})).unwrap_err();
        assert_eq!(err["kind"], "invalid_settings", "{scheme}");
    }
}

#[test]
fn the_settings_check_tells_the_apps_own_scheme_from_an_integrations() {
    let app = app();
    let main = window(&app, "main");
    for (uri, own) in [("se.fortnoxactivator.app:/callback", true), ("se.example.erp://oauth/cb", false)] {
        let report = invoke(&main, "check_settings", serde_json::json!({"settings": {"redirectUri": uri}})).unwrap();
        assert_eq!(report["capture"]["mode"], "scheme");
        assert_eq!(report["capture"]["own"], own, "{uri}");
        assert_eq!(report["registerValue"], uri);
    }
}

#[test]
fn an_activation_file_over_64_kb_is_refused_with_its_reason_in_both_languages() {
    let app = app();
    let main = window(&app, "main");
    let good = r#"{"format": "fortnox-activation", "version": 1, "name": "Acme AB", "clientId": "abc",
        "redirectUri": "http://localhost:9876/callback", "scopes": ["companyinformation"], "accountType": "user"}"#;
    let padded = format!("{good}{}", " ".repeat(64 * 1024));
    let err = invoke(&main, "read_activation_file", serde_json::json!({ "text": padded })).expect_err("too large");
    assert_eq!(err["kind"], "activation_file_invalid", "{err}");
    let (en, sv) =
        (err["message"]["en"].as_str().unwrap_or_default(), err["message"]["sv"].as_str().unwrap_or_default());
    assert!(en.contains("larger than 64 KB") && sv.contains("större än 64 KB"), "{err}");
    assert!(err["next_step"]["en"].as_str().is_some_and(|s| !s.is_empty()), "{err}");
}

#[test]
fn the_page_may_listen_to_events_but_not_emit_them_nor_use_the_window_apis() {
    let app = app();
    let main = window(&app, "main");
    // The deep-link plugin listens to this event on the Rust side: a page that could emit
    // it would hand the app a link of its own making.
    for event in ["deep-link://new-url", "link-notice", "close-requested"] {
        let err = invoke(
            &main,
            "plugin:event|emit",
            serde_json::json!({ "event": event, "payload": ["se.fortnoxactivator.app:/callback?code=x&state=y"] }),
        )
        .expect_err("the page must not emit events");
        assert!(err.to_string().contains("not allowed"), "{event}: {err}");
        let err = invoke(
            &main,
            "plugin:event|emit_to",
            serde_json::json!({ "target": {"kind": "Any"}, "event": event, "payload": null }),
        )
        .expect_err("nor to a target");
        assert!(err.to_string().contains("not allowed"), "{event}: {err}");
    }
    for (cmd, args) in [
        ("plugin:window|set_title", serde_json::json!({ "label": "main", "value": "x" })),
        ("plugin:webview|print", serde_json::json!({ "label": "main" })),
        ("plugin:app|version", serde_json::json!({})),
        ("plugin:path|resolve_directory", serde_json::json!({ "directory": 1 })),
    ] {
        let err = invoke(&main, cmd, args).expect_err(cmd);
        assert!(err.to_string().contains("not allowed"), "{cmd}: {err}");
    }
    let listening = invoke(
        &main,
        "plugin:event|listen",
        serde_json::json!({ "event": "link-notice", "target": {"kind": "Any"}, "handler": 7 }),
    );
    if let Err(err) = listening {
        assert!(!err.to_string().contains("not allowed"), "listening is allowed: {err}");
    }
}

#[test]
fn handing_over_an_unknown_connection_copies_nothing_and_says_why() {
    let app = app();
    let main = window(&app, "main");
    let id = "00000000-0000-4000-8000-000000000000";
    let err = invoke(&main, "hand_over_connection", serde_json::json!({ "id": id, "what": "refresh-token" }))
        .expect_err("no such connection");
    assert_eq!(err["kind"], "connection_not_found", "{err}");
    // The token command is copied from a saved connection too.
    let err = invoke(&main, "copy_connection", serde_json::json!({ "id": id, "what": "token-command" }))
        .expect_err("no such connection");
    assert_eq!(err["kind"], "connection_not_found", "{err}");
}
