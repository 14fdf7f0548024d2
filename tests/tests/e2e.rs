//! End to end: the real app window (WebKitGTK under Xvfb) driven over WebDriver
//! (tauri-driver + WebKitWebDriver), against the Fortnox stand-in on loopback, with the fake
//! browser as the system browser. Only the element ids that are the automation contract are
//! used to drive it. Screenshots of every step land in `target/screenshots/`.
//!
//! Needs what `scripts/test.sh` provides: a display, `tauri-driver` and `WebKitWebDriver`
//! on PATH, and the app built (`cargo build --workspace --bins`).

mod common;

use activator_tests::standin::{AuthorizeBehaviour, ClientConfig, StandIn, StandInConfig};
use common::webdriver::{keys, Driver, Session};
use common::{bin, free_port, BrowserEnv};
use std::path::PathBuf;
use std::time::Duration;

const CLIENT_ID: &str = "e2e-client";
const SECRET: &str = "e2e-secret";

/// One driver and one window at a time: fixed ports, two cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct App {
    standin: StandIn,
    browser: BrowserEnv,
    win: Session,
    redirect_uri: String,
    /// The environment the app runs in (for a second process started with a link).
    env: Vec<(String, String)>,
    _driver: Driver,
    _home: tempfile::TempDir,
}

/// The app under test: the workspace's debug build, or `FORTNOX_ACTIVATOR_APP` (the
/// installed package's binary, for `scripts/test-deb.sh`).
fn app_path() -> PathBuf {
    std::env::var_os("FORTNOX_ACTIVATOR_APP").map_or_else(|| bin("fortnox-activator"), PathBuf::from)
}

fn screenshots() -> PathBuf {
    // target/debug/fortnox-activator → target/screenshots
    bin("fortnox-activator").parent().unwrap().parent().unwrap().join("screenshots")
}

/// Starts the stand-in, a driver and the app in English, with `redirect_uri` registered
/// (`None`: a fresh loopback URI).
async fn launch(redirect_uri: Option<&str>) -> App {
    launch_with(redirect_uri, &[], &[]).await
}

/// [`launch`], with more environment and the app started with `args`.
async fn launch_with(redirect_uri: Option<&str>, extra_env: &[(&str, &str)], args: &[String]) -> App {
    let redirect_uri =
        redirect_uri.map_or_else(|| format!("http://localhost:{}/callback", free_port()), str::to_string);
    // A window of an earlier test still on the bus would take this one's start as a second
    // instance: wait until it has gone.
    single_instance_gone();
    let standin = StandIn::start_in_background(StandInConfig::with_client(ClientConfig::new(
        CLIENT_ID,
        SECRET,
        redirect_uri.clone(),
    )));
    let browser = BrowserEnv::new();
    let home = tempfile::tempdir().unwrap();
    let mut env = browser.vars();
    env.push(("HOME".into(), home.path().display().to_string()));
    env.push(("FORTNOX_OAUTH_URL".into(), standin.oauth_url()));
    env.push(("FORTNOX_API_URL".into(), standin.api_url()));
    env.push(("LANG".into(), "C.UTF-8".into()));
    env.push(("LC_ALL".into(), "C.UTF-8".into()));
    env.push(("WEBKIT_DISABLE_DMABUF_RENDERER".into(), "1".into()));
    env.push(("WEBKIT_DISABLE_COMPOSITING_MODE".into(), "1".into()));
    env.extend(extra_env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let driver = Driver::start(&env).await;
    let win = Session::launch_with_args(&driver, &app_path(), args).await;
    win.visible("#connection-name").await;
    App { standin, browser, win, redirect_uri, env, _driver: driver, _home: home }
}

impl App {
    /// A screenshot of the window scrolled to the top, as a person first sees the step.
    async fn shot(&self, name: &str) {
        self.win.script("window.scrollTo(0, 0)", serde_json::json!([])).await;
        self.win.screenshot(&screenshots().join(format!("{name}.png"))).await;
    }

    /// A screenshot with the element `css` scrolled into view.
    async fn shot_at(&self, name: &str, css: &str) {
        self.win
            .script("document.querySelector(arguments[0]).scrollIntoView({block: 'center'})", serde_json::json!([css]))
            .await;
        self.win.screenshot(&screenshots().join(format!("{name}.png"))).await;
    }

    /// Step 1 filled in and Next pressed.
    async fn connection(&self, secret: Option<&str>, shot: bool) {
        let w = &self.win;
        w.fill("#connection-name", "Testbolaget AB").await;
        w.fill("#client-id", CLIENT_ID).await;
        w.fill("#client-secret", secret.unwrap_or("")).await;
        w.fill("#redirect-uri", &self.redirect_uri).await;
        if !self.redirect_uri.starts_with("http") {
            // A link scheme: step 1 asks whether it is registered; let the answer land.
            w.visible("#scheme-status:not([data-registered=checking])").await;
        }
        if shot {
            // Let the live check show how the redirect is captured.
            tokio::time::sleep(Duration::from_millis(400)).await;
            self.shot("1-connection").await;
        }
        w.click("#next").await;
    }

    /// Step 2: scopes and account type, then Next.
    async fn access(&self, scopes: &[&str], account: &str, shot: bool) {
        let w = &self.win;
        for s in scopes {
            w.click(&format!("input[name=scope][value={s}]")).await;
        }
        w.click(&format!("input[name=account-type][value={account}]")).await;
        if shot {
            self.shot("2-access").await;
        }
        w.click("#next").await;
    }

    async fn to_authorize(&self, secret: Option<&str>) {
        self.connection(secret, false).await;
        self.access(&["companyinformation", "invoice"], "user", false).await;
        self.win.visible("#authorize").await;
    }

    async fn result(&self) -> String {
        self.win.find("#result[data-status]").await;
        self.win.visible("#result").await;
        self.win.attr("#result", "data-status").await.unwrap_or_default()
    }

    async fn quit(self) {
        self.win.quit().await;
        single_instance_gone();
    }
}

#[tokio::test]
async fn an_activation_through_the_loopback_listener_succeeds() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    let w = &app.win;
    app.connection(Some(SECRET), true).await;
    app.access(&["companyinformation", "invoice"], "user", true).await;
    w.visible("#authorize").await;
    app.shot("3-authorize").await;
    w.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    assert_eq!(w.text("#company-name").await, "Testbolaget AB");
    assert!(w.text("#result").await.contains("556677-8899"));
    assert!(w.text("#result").await.contains("1234567"));
    app.shot("4-success").await;
    // Tokens are masked until revealed; the webview never had them before.
    let access = w.text("#secret-value-access-token").await;
    assert!(!access.contains("eyJ"), "masked: {access}");
    w.click("#show-access-token").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(w.text("#secret-value-access-token").await.starts_with("eyJ"));
    for id in ["#copy-access-token", "#copy-refresh-token", "#copy-json"] {
        w.visible(id).await;
    }
    w.click("#copy-json").await;
    if let Some(clip) = clipboard() {
        let v: serde_json::Value = serde_json::from_str(&clip).expect("the clipboard holds JSON");
        assert_eq!(v["company_name"], "Testbolaget AB");
        assert!(app.standin.is_refresh_token_live(v["refresh_token"].as_str().unwrap()));
    }
    let tokens = app.standin.token_requests();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].form_value("redirect_uri").as_deref(), Some(app.redirect_uri.as_str()));
    app.quit().await;
}

/// The D-Bus name the single-instance plugin holds while a window of the app runs.
const SINGLE_INSTANCE_NAME: &str = "se.fortnoxactivator.app.SingleInstance";

/// The process holding the app's single-instance name on the session bus, if any.
fn single_instance_owner() -> Option<u32> {
    let out = std::process::Command::new("gdbus")
        .args(["call", "--session", "--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus"])
        .args(["--method", "org.freedesktop.DBus.GetConnectionUnixProcessID", SINGLE_INSTANCE_NAME])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    // "(uint32 1234,)"; an error (no owner) prints nothing on stdout.
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace().nth(1)?.trim_end_matches([',', ')']).parse().ok()
}

/// Waits until no window of the app holds the single-instance name; one left behind by a
/// failed test (its WebDriver session never ended) is ended after 10 s.
fn single_instance_gone() {
    let start = std::time::Instant::now();
    while let Some(pid) = single_instance_owner() {
        if start.elapsed() > Duration::from_secs(10) {
            eprintln!("ending a leftover app window (pid {pid})");
            let _ = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
        assert!(start.elapsed() < Duration::from_secs(20), "the app's single-instance name stays taken");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The X clipboard's text, when `xclip` is there to read it.
fn clipboard() -> Option<String> {
    let out = std::process::Command::new("xclip").args(["-o", "-selection", "clipboard"]).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test]
async fn a_user_who_denies_sees_authorization_failed_and_can_try_again() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    app.standin.set_authorize(AuthorizeBehaviour::Deny);
    app.to_authorize(Some(SECRET)).await;
    app.win.click("#authorize").await;
    assert_eq!(app.result().await, "failed");
    let reason = app.win.text("#result-reason").await;
    assert!(reason.contains("cancelled or refused"), "{reason}");
    app.shot("4-failed").await;
    // Try again keeps everything: approving now succeeds.
    app.standin.set_authorize(AuthorizeBehaviour::Approve);
    app.win.click("#try-again").await;
    app.win.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    app.quit().await;
}

#[tokio::test]
async fn a_wrong_secret_is_explained() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    app.to_authorize(Some("not-the-secret")).await;
    app.win.click("#authorize").await;
    assert_eq!(app.result().await, "failed");
    let reason = app.win.text("#result-reason").await;
    assert!(reason.contains("client id or the client secret"), "{reason}");
    app.quit().await;
}

#[tokio::test]
async fn a_state_mismatch_is_refused_and_waiting_goes_on_until_escape() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    app.standin.set_authorize(AuthorizeBehaviour::WrongState);
    app.to_authorize(Some(SECRET)).await;
    app.win.click("#authorize").await;
    app.win.visible("#rejected-notice").await;
    app.win.visible("#cancel").await;
    app.win.visible("#copy-url").await;
    app.win.visible("#open-again").await;
    assert!(app.win.text("#authorize-url").await.contains("/auth?client_id=e2e-client"));
    app.shot("3-waiting").await;
    assert!(app.standin.token_requests().is_empty(), "no token request after a state mismatch");
    assert!(app.browser.last_page().contains("failed"), "the browser was told");
    // Escape cancels the wait.
    app.win.keys(keys::ESCAPE).await;
    app.win.visible("#authorize").await;
    assert!(!app.win.is_visible("#cancel").await);
    app.quit().await;
}

#[tokio::test]
async fn code_only_mode_shows_the_code_with_its_deadline() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    app.to_authorize(None).await;
    app.win.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    app.win.visible("#copy-code").await;
    assert!(!app.win.is_visible("#copy-access-token").await);
    app.win.click("#show-code").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let code = app.win.text("#secret-value-code").await;
    assert!(code.len() >= 8 && !code.contains('•'), "{code}");
    app.shot("4-code").await;
    assert!(app.standin.token_requests().is_empty());
    app.quit().await;
}

async fn paste_flow(bare_code: bool) {
    let page = "https://integrator.example/fortnox/callback";
    let app = launch(Some(page)).await;
    app.to_authorize(Some(SECRET)).await;
    app.win.click("#authorize").await;
    let landed = app.browser.wait_final_url(Duration::from_secs(20));
    assert!(landed.starts_with(page), "{landed}");
    let text = if bare_code {
        url::Url::parse(&landed).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned()
    } else {
        landed
    };
    // Something useless first: explained beside the field, nothing lost.
    app.win.fill("#pasted-url", "https://integrator.example/fortnox/callback").await;
    app.win.click("#use-pasted").await;
    app.win.visible("#pasted-error").await;
    if !bare_code {
        app.shot("3-paste-error").await;
    }
    app.win.fill("#pasted-url", &text).await;
    app.win.click("#use-pasted").await;
    assert_eq!(app.result().await, "success");
    assert_eq!(app.win.text("#company-name").await, "Testbolaget AB");
    app.quit().await;
}

#[tokio::test]
async fn pasting_the_whole_address_completes_the_activation() {
    let _one = ONE_AT_A_TIME.lock().await;
    paste_flow(false).await;
}

#[tokio::test]
async fn pasting_just_the_code_completes_the_activation() {
    let _one = ONE_AT_A_TIME.lock().await;
    paste_flow(true).await;
}

#[tokio::test]
async fn the_language_switch_translates_without_losing_input() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    let w = &app.win;
    w.fill("#client-id", CLIENT_ID).await;
    let english = w.text("#next").await;
    w.script(
        "const s = document.querySelector('#language'); s.value = 'sv'; s.dispatchEvent(new Event('change', {bubbles: true}));",
        serde_json::json!([]),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let swedish = w.text("#next").await;
    assert_ne!(english, swedish);
    assert_eq!(w.attr("html", "lang").await.as_deref(), Some("sv"));
    assert_eq!(w.value("#client-id").await, CLIENT_ID, "input kept");
    app.shot("1-connection-sv").await;
    // The browser's landing page follows the window's language.
    w.fill("#connection-name", "Testbolaget AB").await;
    w.fill("#client-secret", SECRET).await;
    w.fill("#redirect-uri", &app.redirect_uri).await;
    w.click("#next").await;
    app.access(&["companyinformation"], "user", false).await;
    w.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    assert!(app.browser.last_page().contains("lang=\"sv\""), "Swedish landing page");
    app.shot("4-success-sv").await;
    app.quit().await;
}

#[tokio::test]
async fn the_whole_activation_works_with_the_keyboard_only() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    let w = &app.win;
    /// Presses Tab until `target` has focus (at most 40 times).
    async fn tab_to(w: &Session, target: &str) {
        for _ in 0..40 {
            if w.focused().await == target {
                return;
            }
            w.keys(keys::TAB).await;
        }
        panic!("Tab never reached {target}");
    }
    tab_to(w, "connection-name").await;
    w.keys("Testbolaget AB").await;
    tab_to(w, "client-id").await;
    w.keys(CLIENT_ID).await;
    tab_to(w, "client-secret").await;
    w.keys(SECRET).await;
    tab_to(w, "redirect-uri").await;
    w.keys(&app.redirect_uri).await;
    w.keys(keys::ENTER).await;
    // Step 2: focus went to its heading.
    w.visible("input[name=scope][value=companyinformation]").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        w.focused().await.starts_with("h-") || w.focused().await == "H2",
        "focus on the heading: {}",
        w.focused().await
    );
    tab_to(w, "scope-companyinformation").await; // the first scope
    w.keys(keys::SPACE).await;
    w.keys(keys::ENTER).await;
    tab_to(w, "authorize").await;
    w.keys(keys::ENTER).await;
    assert_eq!(app.result().await, "success");
    app.quit().await;
}

// ---------------------------------------------------------------- links (URI scheme)

use activation::capture::link::{APP_REDIRECT_URI, APP_SCHEME};

impl App {
    /// Starts the app again with `link` as its only argument, as the OS does for a link
    /// (Windows, Linux): the second process must hand it over and exit without a window.
    fn second_instance(&self, link: &str) {
        let mut cmd = std::process::Command::new(app_path());
        cmd.arg(link).envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
        let mut child = cmd.spawn().unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "the second instance failed: {status}");
                return;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("the second instance did not exit: it would have opened a second window");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until this app is the registered handler of `scheme` (`xdg-mime`, as `gio open`
    /// and browsers look it up).
    fn wait_registered(&self, scheme: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let out = std::process::Command::new("xdg-mime")
                .args(["query", "default", &format!("x-scheme-handler/{scheme}")])
                .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .output()
                .unwrap();
            if String::from_utf8_lossy(&out.stdout).trim() == "fortnox-activator-handler.desktop" {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "{scheme} was never registered");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[tokio::test]
async fn a_link_handed_over_by_gio_open_completes_the_activation_in_scheme_mode() {
    let _one = ONE_AT_A_TIME.lock().await;
    // The fake browser hands the scheme link to `gio open`, which runs the desktop entry the
    // app registered for its own scheme at start: a second process hands it over.
    let app = launch(Some(APP_REDIRECT_URI)).await;
    app.wait_registered(APP_SCHEME);
    let w = &app.win;
    w.fill("#connection-name", "Testbolaget AB").await;
    w.fill("#client-id", CLIENT_ID).await;
    w.fill("#client-secret", SECRET).await;
    w.fill("#redirect-uri", APP_REDIRECT_URI).await;
    w.visible("#scheme-status[data-registered=true]").await;
    assert!(w.text("#capture-box").await.contains("se.fortnoxactivator.app: link"));
    assert!(!w.is_visible("#register-scheme").await, "nothing to register");
    app.shot_at("1-connection-scheme", "#capture-box").await;
    w.click("#next").await;
    app.access(&["companyinformation", "invoice"], "user", false).await;
    w.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    assert_eq!(w.text("#company-name").await, "Testbolaget AB");
    assert!(app.browser.log_text().contains("HANDOFF 0 gio open"), "{}", app.browser.log_text());
    assert_eq!(app.standin.token_requests().len(), 1);
    assert_eq!(w.window_count().await, 1, "no second window");
    app.quit().await;
}

#[tokio::test]
async fn a_second_instance_started_with_the_link_completes_the_activation_and_a_late_one_is_refused() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch_with(Some(APP_REDIRECT_URI), &[("FAKE_BROWSER_NO_HANDOFF", "1")], &[]).await;
    app.to_authorize(Some(SECRET)).await;
    app.win.click("#authorize").await;
    let link = app.browser.wait_final_url(Duration::from_secs(20));
    assert!(link.starts_with("se.fortnoxactivator.app:/callback?code="), "{link}");
    app.win.visible("#cancel").await;
    app.shot("3-waiting-scheme").await;
    app.second_instance(&link);
    assert_eq!(app.result().await, "success");
    assert_eq!(app.win.text("#company-name").await, "Testbolaget AB");
    // The same link again: refused with a notice, nothing exchanged.
    app.second_instance(&link);
    app.win.visible("#link-notice[data-kind=link_after_end]").await;
    assert_eq!(app.standin.token_requests().len(), 1);
    assert_eq!(app.win.attr("#result", "data-status").await.as_deref(), Some("success"), "the result stands");
    assert_eq!(app.win.window_count().await, 1);
    app.quit().await;
}

#[tokio::test]
async fn a_forged_link_is_refused_and_the_wizard_keeps_waiting() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch_with(Some(APP_REDIRECT_URI), &[("FAKE_BROWSER_NO_HANDOFF", "1")], &[]).await;
    app.to_authorize(Some(SECRET)).await;
    app.win.click("#authorize").await;
    let link = app.browser.wait_final_url(Duration::from_secs(20));
    let (base, query) = link.split_once('?').unwrap();
    let code = url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "code").unwrap().1.into_owned();
    // Someone else's state, then none at all.
    app.second_instance(&format!("{base}?code={code}&state=forged-by-a-web-page"));
    app.win.visible("#rejected-notice").await;
    app.second_instance(&format!("{base}?code={code}"));
    assert!(app.standin.token_requests().is_empty(), "a forged link exchanges nothing");
    app.win.visible("#cancel").await;
    // The real link still completes it.
    app.second_instance(&link);
    assert_eq!(app.result().await, "success");
    app.quit().await;
}

#[tokio::test]
async fn a_stray_link_with_no_activation_waiting_shows_a_notice_and_offers_a_new_one() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(Some(APP_REDIRECT_URI)).await;
    app.win.fill("#client-id", CLIENT_ID).await;
    app.second_instance("se.fortnoxactivator.app:/callback?code=stray-code&state=from-nowhere");
    app.win.visible("#link-notice[data-kind=link_unexpected]").await;
    let text = app.win.text("#link-notice").await;
    assert!(text.contains("no activation is waiting"), "{text}");
    assert!(!text.contains("stray-code"), "the link is never shown: {text}");
    assert!(app.standin.token_requests().is_empty());
    assert_eq!(app.win.value("#client-id").await, CLIENT_ID, "nothing typed is lost");
    app.shot("1-link-notice").await;
    app.win.click("#link-notice-start").await;
    assert!(!app.win.is_visible("#link-notice").await);
    app.win.visible("#connection-name").await;
    assert_eq!(app.win.window_count().await, 1);
    app.quit().await;
}

#[tokio::test]
async fn a_cold_start_by_a_link_shows_the_notice_in_the_one_window() {
    let _one = ONE_AT_A_TIME.lock().await;
    let link = "se.fortnoxactivator.app:/callback?code=cold-code&state=from-before-a-restart".to_string();
    let app = launch_with(Some(APP_REDIRECT_URI), &[], &[link]).await;
    app.win.visible("#link-notice[data-kind=link_unexpected]").await;
    assert!(!app.win.text("#link-notice").await.contains("cold-code"));
    assert!(app.standin.token_requests().is_empty(), "a link never starts a token request by itself");
    assert_eq!(app.win.window_count().await, 1);
    app.quit().await;
}

#[tokio::test]
async fn an_integrations_own_scheme_is_registered_from_step_1_and_its_link_completes_the_activation() {
    let _one = ONE_AT_A_TIME.lock().await;
    let uri = "se.example.erp://oauth/fortnox";
    let app = launch(Some(uri)).await;
    let w = &app.win;
    w.fill("#connection-name", "Testbolaget AB").await;
    w.fill("#client-id", CLIENT_ID).await;
    w.fill("#client-secret", SECRET).await;
    w.fill("#redirect-uri", uri).await;
    w.visible("#scheme-status[data-registered=false]").await;
    assert!(w.text("#capture-box").await.contains("integration's own link type"));
    app.shot_at("1-connection-other-scheme", "#capture-box").await;
    w.click("#register-scheme").await;
    w.visible("#scheme-status[data-registered=true]").await;
    assert!(!w.is_visible("#register-scheme").await);
    app.wait_registered("se.example.erp");
    w.click("#next").await;
    app.access(&["companyinformation"], "user", false).await;
    // The browser hands the link to `gio open`; it reaches the app as a second process's
    // argument (the deep-link plugin does not know this scheme).
    w.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    assert!(app.browser.log_text().contains("HANDOFF 0 gio open"), "{}", app.browser.log_text());
    assert_eq!(app.win.window_count().await, 1);
    app.quit().await;
}

/// The installed `.deb`: its desktop entry, found by `gio open` as a browser hands a link to
/// the system, delivers Fortnox's redirect to the running (installed) app. Run by
/// `scripts/test-deb.sh` after `dpkg -i`, with `FORTNOX_ACTIVATOR_APP=/usr/bin/fortnox-activator`
/// and the app's own run-time registration off, so only the package's entry can deliver it.
#[tokio::test]
#[ignore = "needs the installed .deb: scripts/test-deb.sh runs it"]
async fn the_installed_package_receives_the_link_through_its_desktop_entry() {
    let _one = ONE_AT_A_TIME.lock().await;
    assert!(
        std::env::var_os("FORTNOX_ACTIVATOR_APP").is_some()
            && std::env::var_os("FORTNOX_ACTIVATOR_NO_REGISTER").is_some(),
        "run through scripts/test-deb.sh"
    );
    let app = launch(Some(APP_REDIRECT_URI)).await;
    // gio finds the package's entry for the scheme (not one the app wrote itself).
    let out = std::process::Command::new("gio")
        .args(["mime", &format!("x-scheme-handler/{APP_SCHEME}")])
        .envs(app.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .unwrap();
    let handlers = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!handlers.contains("fortnox-activator-handler.desktop"), "{handlers}");
    assert!(handlers.to_lowercase().contains("fortnox"), "no handler from the package: {handlers}");
    app.to_authorize(Some(SECRET)).await;
    app.win.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    assert_eq!(app.win.text("#company-name").await, "Testbolaget AB");
    assert!(app.browser.log_text().contains("HANDOFF 0 gio open"), "{}", app.browser.log_text());
    app.shot("4-success-installed").await;
    assert_eq!(app.win.window_count().await, 1);
    app.quit().await;
}
