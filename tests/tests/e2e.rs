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
/// The window sizes every step is checked at: the smallest the window allows, the
/// default, and a common laptop's.
const SIZES: [(u32, u32); 3] = [(800, 600), (960, 720), (1280, 800)];

/// Where an element is and what is drawn over its middle; elements wider than the window;
/// sibling blocks of the visible step drawn over each other. Returns JSON.
const LAYOUT_PROBE: &str = r#"
const el = document.querySelector(arguments[0]);
const r = el.getBoundingClientRect();
const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
const tooWide = [...document.querySelectorAll('body *')]
  .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().right > innerWidth + 0.5)
  .map((e) => e.id || e.className || e.tagName);
const overlaps = [];
const panel = document.querySelector('.panel:not([hidden])');
const blocks = panel ? [...panel.querySelectorAll('.group, .field, .scope-list, .cards, .infobox, .summary, .waiting, .url-block, .paste-block, .facts, .secrets, .reason')]
  .filter((e) => e.offsetParent !== null) : [];
for (let i = 0; i < blocks.length; i++) for (let j = i + 1; j < blocks.length; j++) {
  const a = blocks[i], b = blocks[j];
  if (a.contains(b) || b.contains(a)) continue;
  const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
  if (p.bottom > q.top + 0.5 && q.bottom > p.top + 0.5 && p.right > q.left + 0.5 && q.right > p.left + 0.5)
    overlaps.push((a.id || a.className) + ' / ' + (b.id || b.className));
}
// A box whose content spills out of it (the old step 2 at 800x600: a capped scope list
// drawn over the account type).
for (const e of blocks) {
  const st = getComputedStyle(e);
  if (st.overflowY === 'visible' && e.scrollHeight > e.clientHeight + 1) overlaps.push((e.id || e.className) + ' spills');
}
return JSON.stringify({
  inView: r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth,
  onTop: !!hit && (hit === el || el.contains(hit)),
  rect: [r.x, r.y, r.width, r.height], window: [innerWidth, innerHeight],
  tooWide, overlaps,
});
"#;

/// axe-core's source, installed by `scripts/setup.sh --test` (npm, `tests/package.json`).
fn axe_source() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run scripts/setup.sh --test (npm ci in tests/)", path.display()))
}

/// Runs axe-core over the window as it is now and fails on any serious or critical
/// violation (moderate and minor ones are printed).
async fn assert_accessible(win: &Session, what: &str) {
    win.script(&format!("{}\nreturn typeof axe;", axe_source()), serde_json::json!([])).await;
    let out = win
        .script_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {resultTypes: ['violations']})
               .then((r) => done(JSON.stringify({passes: r.passes.length, violations: r.violations.map((v) => ({
                 id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5)}))})))
               .catch((e) => done(JSON.stringify({passes: 0, violations: [{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]})));",
            serde_json::json!([]),
        )
        .await;
    let report: serde_json::Value = serde_json::from_str(out.as_str().unwrap_or("{}")).unwrap();
    let passes = report["passes"].as_u64().unwrap_or(0);
    assert!(passes > 10, "axe ran its rules on {what}: {report}");
    eprintln!("axe ({what}): {passes} rules passed");
    let violations: Vec<serde_json::Value> = report["violations"].as_array().cloned().unwrap_or_default();
    let (bad, minor): (Vec<_>, Vec<_>) =
        violations.into_iter().partition(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")));
    for v in &minor {
        eprintln!("axe ({what}), {}: {} {}", v["impact"], v["help"], v["nodes"]);
    }
    assert!(bad.is_empty(), "axe finds serious or critical violations on {what}: {bad:#?}");
}
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
    // The first step is marked current once the window has booted (after it asked Rust for
    // its language and the scopes, and moved focus to the step's heading): typing before
    // that could lose keystrokes to that focus move.
    win.visible(".steps .step.is-current[data-step='1']").await;
    win.visible("#connection-name").await;
    App { standin, browser, win, redirect_uri, env, _driver: driver, _home: home }
}

impl App {
    /// A screenshot of the window with the step's body scrolled to the top, as a person
    /// first sees the step.
    async fn shot(&self, name: &str) {
        self.win.script("document.getElementById('main').scrollTop = 0", serde_json::json!([])).await;
        self.win.screenshot(&screenshots().join(format!("{name}.png"))).await;
    }

    /// Switches the window's language as a person would with the language menu.
    async fn set_language(&self, lang: &str) {
        self.win
            .script(
                "const s = document.querySelector('#language'); s.value = arguments[0]; \
                 s.dispatchEvent(new Event('change', {bubbles: true}));",
                serde_json::json!([lang]),
            )
            .await;
        self.win.find(&format!("html[lang={lang}]")).await;
    }

    /// At each window size: the step's main action `action` is in view and not covered,
    /// nothing is wider than the window, parts of the step do not overlap, and a screenshot
    /// `<step>-<lang>-<w>x<h>.png`. Then axe-core checks the step (at the first size).
    async fn at_each_size(&self, step: &str, lang: &str, action: &str) {
        for (i, (width, height)) in SIZES.iter().enumerate() {
            self.win.set_window_size(*width, *height).await;
            tokio::time::sleep(Duration::from_millis(150)).await; // a relayout, not a wait for data
            let seen = self.win.script(LAYOUT_PROBE, serde_json::json!([action])).await;
            let seen: serde_json::Value = serde_json::from_str(seen.as_str().unwrap()).unwrap();
            let at = format!("{step} ({lang}) at {width}x{height}: {seen}");
            assert_eq!(seen["inView"], true, "{action} not in view: {at}");
            assert_eq!(seen["onTop"], true, "{action} covered: {at}");
            assert_eq!(seen["tooWide"], serde_json::json!([]), "wider than the window: {at}");
            assert_eq!(seen["overlaps"], serde_json::json!([]), "overlapping parts: {at}");
            self.shot(&format!("{step}-{lang}-{width}x{height}")).await;
            if i == 0 {
                assert_accessible(&self.win, &format!("{step} ({lang})")).await;
            }
        }
        self.win.set_window_size(SIZES[0].0, SIZES[0].1).await;
    }

    /// A screenshot with the element `css` scrolled into view.
    async fn shot_at(&self, name: &str, css: &str) {
        self.win
            .script("document.querySelector(arguments[0]).scrollIntoView({block: 'center'})", serde_json::json!([css]))
            .await;
        self.win.screenshot(&screenshots().join(format!("{name}.png"))).await;
    }

    /// Step 1 filled in and Next pressed.
    async fn connection(&self, secret: Option<&str>) {
        let w = &self.win;
        w.fill("#connection-name", "Testbolaget AB").await;
        w.fill("#client-id", CLIENT_ID).await;
        w.fill("#client-secret", secret.unwrap_or("")).await;
        w.fill("#redirect-uri", &self.redirect_uri).await;
        if !self.redirect_uri.starts_with("http") {
            // A link scheme: step 1 asks whether it is registered; let the answer land.
            w.visible("#scheme-status:not([data-registered=checking])").await;
        }
        w.click("#next").await;
    }

    /// Step 2: scopes and account type, then Next.
    async fn access(&self, scopes: &[&str], account: &str) {
        let w = &self.win;
        for s in scopes {
            w.click(&format!("input[name=scope][value={s}]")).await;
        }
        w.click(&format!("input[name=account-type][value={account}]")).await;
        w.click("#next").await;
    }

    async fn to_authorize(&self, secret: Option<&str>) {
        self.connection(secret).await;
        self.access(&["companyinformation", "invoice"], "user").await;
        self.win.visible("#authorize").await;
    }

    async fn result(&self) -> String {
        self.win.find("#result[data-status]").await;
        self.win.visible("#result").await;
        let status = self.win.attr("#result", "data-status").await.unwrap_or_default();
        if status != "success" {
            // Shown only when the test fails: what the window said, not just its status.
            eprintln!("result {status}: {}", self.win.text("#result").await);
        }
        status
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
    app.connection(Some(SECRET)).await;
    app.access(&["companyinformation", "invoice"], "user").await;
    w.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    assert_eq!(w.text("#company-name").await, "Testbolaget AB");
    assert!(w.text("#result").await.contains("556677-8899"));
    assert!(w.text("#result").await.contains("1234567"));
    // Tokens are masked until revealed; the webview never had them before.
    let access = w.text("#secret-value-access-token").await;
    assert!(!access.contains("eyJ"), "masked: {access}");
    w.click("#show-access-token").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(w.text("#secret-value-access-token").await.starts_with("eyJ"));
    for id in ["#copy-access-token", "#copy-refresh-token", "#copy-json"] {
        w.visible(id).await;
    }
    // The connection is saved: copying what carries its refresh token asks who keeps it.
    w.click("#copy-json").await;
    hand_over_in_dialog(w).await;
    w.visible("#owner-note").await;
    assert!(w.text("#owner-note").await.contains("is handed over"), "{}", w.text("#owner-note").await);
    app.shot_at("4-handed-over", "#owner-note").await;
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
    // The failure names the connection, and the steps show no check mark on Authorize.
    assert!(app.win.text("#failed-lead").await.contains("Testbolaget AB"));
    assert_eq!(step_marks(&app.win, 3).await, "is-failed", "Authorize is not marked done after a denial");
    // Try again keeps everything: approving now succeeds.
    app.standin.set_authorize(AuthorizeBehaviour::Approve);
    app.win.click("#try-again").await;
    app.win.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    app.quit().await;
}

/// How the step indicator marks wizard step `n`: "is-done", "is-failed", "is-current" or "".
/// `json` chosen as `acme.fortnox-activation` in the window's file input, as the
/// system's file dialog would hand it over (the dialog itself is not driven).
async fn choose_activation_file(w: &Session, json: &str) {
    w.script(
        "const input = document.getElementById('activation-file-input'); const dt = new DataTransfer();
         dt.items.add(new File([arguments[0]], 'acme.fortnox-activation', {type: ''}));
         input.files = dt.files; input.dispatchEvent(new Event('change', {bubbles: true}));",
        serde_json::json!([json]),
    )
    .await;
}

async fn step_marks(w: &Session, n: u8) -> String {
    w.script(
        "const li = document.querySelector(`.steps .step[data-step='${arguments[0]}']`);
         return ['is-done', 'is-failed', 'is-current'].filter((c) => li.classList.contains(c)).join(' ');",
        serde_json::json!([n]),
    )
    .await
    .as_str()
    .unwrap_or("")
    .to_string()
}

/// The top edge of `css` in the step's scrolling body (to see that something did not move,
/// however the body is scrolled).
async fn top_of(w: &Session, css: &str) -> f64 {
    w.script(
        "return document.querySelector(arguments[0]).getBoundingClientRect().top + document.getElementById('main').scrollTop",
        serde_json::json!([css]),
    )
        .await
        .as_f64()
        .unwrap_or(f64::NAN)
}

#[tokio::test]
async fn a_wrong_secret_is_explained() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    app.to_authorize(Some("not-the-secret")).await;
    app.win.click("#authorize").await;
    assert_eq!(app.result().await, "failed");
    let reason = app.win.text("#result-reason").await;
    assert!(reason.contains("client ID or the client secret"), "{reason}");
    app.quit().await;
}

#[tokio::test]
async fn a_refused_client_secret_leads_back_to_the_secret_field_marked() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    let w = &app.win;
    w.fill("#connection-name", "Testbolaget AB").await;
    w.fill("#client-id", CLIENT_ID).await;
    w.fill("#client-secret", "not-the-secret").await;
    w.fill("#redirect-uri", &app.redirect_uri).await;
    w.click("#next").await;
    // Step 2: the chosen areas show as chips, also while the filter hides them.
    w.click("input[name=scope][value=companyinformation]").await;
    w.click("input[name=scope][value=invoice]").await;
    w.fill("#scope-filter", "warehouse").await;
    assert!(!w.is_visible("input[name=scope][value=invoice]").await, "the filter hides it");
    w.visible("#scope-chips li[data-scope=invoice]").await;
    w.visible("#scope-chips li[data-scope=companyinformation]").await;
    w.click("#next").await;
    // Step 3's summary shows the two values behind Fortnox's own error pages, in full.
    w.visible("#authorize").await;
    let summary = w.text("#summary").await;
    assert!(summary.contains(CLIENT_ID) && summary.contains(&app.redirect_uri), "{summary}");
    w.click("#authorize").await;
    assert_eq!(app.result().await, "failed");

    // Trying again would fail the same way: "Change settings" is the main action.
    assert!(!w.is_visible("#try-again").await, "no Try again after a refused secret");
    w.visible(".foot-right #start-over.btn-primary").await;
    assert_eq!(w.text("#start-over").await, "Change settings");
    let again = w.text("#reason-again").await;
    assert!(again.contains("approves the access in Fortnox once more"), "{again}");
    assert!(w.text("#failed-lead").await.contains("Testbolaget AB"), "the failure names the connection");
    app.shot("4-failed-secret").await;

    w.click("#start-over").await;
    w.visible("#client-secret-error").await;
    assert_eq!(w.focused().await, "client-secret", "focus on the field Fortnox refused");
    assert_eq!(w.attr("#client-secret", "aria-invalid").await.as_deref(), Some("true"));
    assert!(w.text("#client-secret-error").await.contains("did not accept this client secret"));
    app.win.screenshot(&screenshots().join("1-secret-refused.png")).await; // as the window shows it
    w.fill("#client-secret", SECRET).await;
    assert_eq!(w.attr("#client-secret", "aria-invalid").await, None, "the mark goes once it is edited");
    w.click("#next").await;
    // The same activation keeps its filter (it hides companyinformation); the chips do not.
    w.visible("#scope-chips li[data-scope=companyinformation]").await;
    w.click("#next").await;
    w.click("#authorize").await;
    assert_eq!(app.result().await, "success");

    // "Show" reveals a token in one line: nothing below it moves. (Once the save behind the
    // result has said where the keys are: that notice moving things is another matter.)
    w.visible("#save-status[data-saved=yes]").await;
    let before = top_of(w, "#show-refresh-token").await;
    w.click("#show-access-token").await;
    w.find("#secret-value-access-token:not(.is-masked)").await;
    assert!(w.text("#secret-value-access-token").await.starts_with("eyJ"));
    assert_eq!(top_of(w, "#show-refresh-token").await, before, "the next row stays where it was");

    // The next activation starts with the filter empty.
    w.click("#start-over").await;
    w.fill("#connection-name", "Nästa AB").await;
    w.click("#next").await;
    w.visible("input[name=scope][value=companyinformation]").await;
    assert_eq!(w.value("#scope-filter").await, "", "the filter was cleared");
    assert!(w.is_visible("input[name=scope][value=invoice]").await);
    app.quit().await;
}

#[tokio::test]
async fn a_port_in_use_is_not_called_an_authorization_failure() {
    let _one = ONE_AT_A_TIME.lock().await;
    let port = free_port();
    let uri = format!("http://127.0.0.1:{port}/callback");
    // Another program holds the port.
    let _holder = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let app = launch(Some(&uri)).await;
    app.to_authorize(Some(SECRET)).await;
    app.win.click("#authorize").await;
    assert_eq!(app.result().await, "failed");
    assert_eq!(app.win.text("#result-title").await, "The activation could not start");
    assert!(app.win.text("#failed-lead").await.contains("Nothing was sent to Fortnox for “Testbolaget AB”"));
    assert_eq!(step_marks(&app.win, 3).await, "is-failed");
    assert!(app.standin.authorize_requests().is_empty(), "nothing reached Fortnox");
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
        // As the window shows it: the field (focused again, with its error) scrolled into view.
        app.win.screenshot(&screenshots().join("3-paste-error.png")).await;
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
async fn in_paste_mode_the_field_comes_first_and_its_action_is_the_footers() {
    let _one = ONE_AT_A_TIME.lock().await;
    let page = "https://integrator.example/fortnox/callback";
    let app = launch(Some(page)).await;
    let w = &app.win;
    app.to_authorize(Some(SECRET)).await;
    w.click("#authorize").await;
    let landed = app.browser.wait_final_url(Duration::from_secs(20));
    w.visible("#paste-title").await;
    // Focus waits in the field: back from the browser, Ctrl+V and Enter finish.
    assert_eq!(w.focused().await, "pasted-url");
    // The field right under the waiting box, before the help and the address; the address
    // folded away; "Use this address" in the footer.
    let order = w
        .script(
            "const top = (id) => document.getElementById(id).getBoundingClientRect().top;
             return top('paste-block') < top('fortnox-error-help') && top('paste-block') < top('url-block')
                 && document.querySelector('#auth-active .waiting').nextElementSibling.id === 'paste-block';",
            serde_json::json!([]),
        )
        .await;
    assert_eq!(order, serde_json::json!(true), "the paste field comes first");
    assert!(!w.is_visible("#authorize-url").await, "the authorize address is folded away");
    assert_eq!(
        w.script("return !!document.querySelector('.footbar #use-pasted.btn-primary')", serde_json::json!([])).await,
        true
    );
    w.click("#toggle-url").await;
    w.visible("#authorize-url").await;
    assert!(w.text("#authorize-url").await.contains("/auth?client_id=e2e-client"));
    w.click("#toggle-url").await;
    assert!(!w.is_visible("#authorize-url").await);
    // In view and uncovered at every size, in both languages; axe finds nothing serious.
    for lang in ["sv", "en"] {
        app.set_language(lang).await;
        app.at_each_size("3-paste", lang, "#use-pasted").await;
    }
    w.fill("#pasted-url", &landed).await;
    w.click("#use-pasted").await;
    assert_eq!(app.result().await, "success");
    // Once the step is left, the button is back in its block (no stray footer button).
    assert!(!w.is_visible("#use-pasted").await);
    app.quit().await;
}

#[tokio::test]
async fn the_window_starts_with_focus_in_the_first_field_and_rings_on_checkboxes() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    let w = &app.win;
    assert_eq!(w.focused().await, "connection-name", "typing goes straight into the first field");
    // An empty wizard offers to start from an activation file, also on first launch.
    w.visible("#open-activation-file").await;
    w.keys("Testbolaget AB").await;
    assert_eq!(w.value("#connection-name").await, "Testbolaget AB");
    assert!(!w.is_visible("#open-activation-file").await, "not once the wizard has something in it");
    w.fill("#connection-name", "").await;
    w.visible("#open-activation-file").await;
    // The file as the chooser would hand it over (the system's dialog itself is not driven).
    let file =
        serde_json::json!({"format": "fortnox-activation", "version": 1, "name": "Acme AB", "clientId": CLIENT_ID,
        "redirectUri": app.redirect_uri, "scopes": ["companyinformation", "invoices"], "accountType": "user"})
        .to_string();
    choose_activation_file(w, &file).await;
    w.visible("#origin-notice").await;
    assert!(w.text("#origin-notice").await.contains("acme.fortnox-activation"));
    assert_eq!(w.value("#connection-name").await, "Acme AB");
    assert_eq!(w.value("#redirect-uri").await, app.redirect_uri);
    // The file filled the name: focus is on what is left to type, the client secret.
    assert_eq!(w.focused().await, "client-secret");
    assert!(w.text("#origin-notice").await.contains("add the client secret if you have one"));
    w.fill("#client-secret", SECRET).await;
    w.click("#next").await;
    w.visible("input[name=scope][value=companyinformation]").await;
    // The file's typo shows as a marked chip, with the area it most likely means in one click.
    w.visible("#scope-chips li[data-scope=invoices].chip-unknown").await;
    app.shot_at("2-unknown-scope", "#scope-chips").await;
    w.click("#scope-chips li[data-scope=invoices] .chip-fix").await;
    w.visible("#scope-chips li[data-scope=invoice]").await;
    assert!(!w.is_visible("#scope-chips li[data-scope=invoices]").await);
    let ticked = w.script("return document.querySelector('#scope-invoice').checked", serde_json::json!([])).await;
    assert_eq!(ticked, serde_json::json!(true), "the meant area is ticked");
    // A checkbox and a radio reached with Tab show a ring (a radio's card carries it).
    let ring = "const e = document.activeElement; const s = getComputedStyle(e.closest('.radio-card') ?? e);
                return s.outlineStyle + ' ' + s.outlineWidth;";
    for target in ["scope-companyinformation", "account-user"] {
        let mut reached = false;
        for _ in 0..80 {
            if w.focused().await == target {
                reached = true;
                break;
            }
            w.keys(keys::TAB).await;
        }
        assert!(reached, "Tab never reached {target}");
        let seen = w.script(ring, serde_json::json!([])).await;
        assert_eq!(seen.as_str(), Some("solid 3px"), "{target} has a focus ring");
    }
    // The filter finds an area by its words in either language, endings aside: "faktura"
    // finds the supplier invoices ("leverantörsfakturor") and payments too.
    w.fill("#scope-filter", "faktura").await;
    for scope in ["invoice", "supplierinvoice", "payment"] {
        w.visible(&format!("input[name=scope][value={scope}]")).await;
    }
    assert!(!w.is_visible("input[name=scope][value=warehouse]").await);
    // Accents aside ("forsaljning" is the Sales group, Försäljning), and the words people use
    // for an area that its texts lack ("payroll", "lon" for salaries; "bill" for invoices).
    for (typed, found, not) in [
        ("forsaljning", "customer", "salary"),
        ("lon", "salary", "invoice"),
        ("payroll", "salary", "customer"),
        ("bill", "invoice", "salary"),
        ("moms", "bookkeeping", "customer"),
    ] {
        w.fill("#scope-filter", typed).await;
        w.visible(&format!("input[name=scope][value={found}]")).await;
        assert!(!w.is_visible(&format!("input[name=scope][value={not}]")).await, "{typed} also shows {not}");
    }
    app.quit().await;
}

/// The one search both the saved list and the scope filter use (`ui/js/search.js`), run in
/// the window itself: accents and case aside, every word must match, synonyms only where
/// asked for (the scope filter).
#[tokio::test]
async fn search_ignores_accents_and_case_and_knows_synonyms_where_asked() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    let cases = serde_json::json!([
        ["Malmö Bygg AB", "malmo", {}, true],
        ["Malmö Bygg AB", "MALMÖ bygg", {}, true],
        ["Malmö Bygg AB", "malmo lund", {}, false],
        ["Försäljning", "forsaljning", {}, true],
        ["Åre Ödeshög", "are odeshog", {}, true],
        ["Payments of invoices and supplier invoices.", "faktura", {}, false],
        ["Payments of invoices and supplier invoices.", "faktura", {"synonyms": true}, true],
        ["Employees, salaries, absence", "lön", {"synonyms": true}, true],
        ["Employees, salaries, absence", "lön", {}, false],
        ["Leverantörsfakturor, deras periodiseringar", "fakturor", {"stem": true}, true],
        ["Customers. Kunder.", "kund faktura", {"synonyms": true}, false],
    ]);
    let seen = app
        .win
        .script_async(
            "const [cases, done] = arguments;
             import('./js/search.js').then((m) => done(cases.map(([text, q, opts]) => m.matches(text, q, opts))),
                                            (e) => done(String(e)));",
            serde_json::json!([cases]),
        )
        .await;
    let expected: Vec<bool> = cases.as_array().unwrap().iter().map(|c| c[3].as_bool().unwrap()).collect();
    assert_eq!(seen, serde_json::json!(expected), "cases: {cases}");
    app.quit().await;
}

#[tokio::test]
async fn common_redirect_uri_slips_are_offered_their_fix_in_one_click() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    let w = &app.win;
    let meant = app.redirect_uri.clone(); // http://localhost:PORT/callback
    let without_scheme = meant.trim_start_matches("http://").to_string();
    let with_space = meant.replace("/callback", "/ callback");
    let https = meant.replace("http://", "https://");
    for slip in [without_scheme.as_str(), with_space.as_str(), https.as_str()] {
        w.fill("#redirect-uri", slip).await;
        w.visible("#redirect-fix").await;
        let offer = w.text("#redirect-fix").await;
        assert!(offer.contains(&format!("Did you mean {meant}?")), "{slip}: {offer}");
        if slip == without_scheme {
            // Rust's own words name the slip too (no riddle about app schemes).
            w.click("#client-id").await; // leave the field
            w.visible("#redirect-uri[aria-invalid=true]").await;
            let error = w.text("#redirect-uri-error").await;
            assert!(error.contains("lacks http://"), "{error}");
            app.shot_at("1-redirect-fix", "#redirect-uri").await;
        }
        w.click("#fix-redirect-uri").await;
        assert_eq!(w.value("#redirect-uri").await, meant);
        assert!(!w.is_visible("#redirect-fix").await, "{slip}: nothing more to offer");
    }
    w.find("#redirect-uri:not([aria-invalid])").await;
    app.quit().await;
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
    // The browser's landing page follows the window's language.
    w.fill("#connection-name", "Testbolaget AB").await;
    w.fill("#client-secret", SECRET).await;
    w.fill("#redirect-uri", &app.redirect_uri).await;
    w.click("#next").await;
    app.access(&["companyinformation"], "user").await;
    w.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    assert!(app.browser.last_page().contains("lang=\"sv\""), "Swedish landing page");
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
    // Enter on a checkbox does not move on (only text fields do).
    w.keys(keys::ENTER).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(w.is_visible("input[name=scope][value=companyinformation]").await, "still on step 2");
    tab_to(w, "next").await;
    w.keys(keys::ENTER).await;
    tab_to(w, "authorize").await;
    w.keys(keys::ENTER).await;
    assert_eq!(app.result().await, "success");
    app.quit().await;
}

impl App {
    /// Quits the app and starts it again in the same environment (same config dir, same
    /// keychain), as a user would the next day.
    async fn restart(self) -> App {
        let App { standin, browser, win, redirect_uri, env, _driver, _home } = self;
        win.quit().await;
        single_instance_gone();
        let win = Session::launch_with_args(&_driver, &app_path(), &[]).await;
        App { standin, browser, win, redirect_uri, env, _driver, _home }
    }

    /// The row of the saved connection `name` on the list screen, opened.
    async fn open_row(&self, name: &str) -> String {
        let row = format!("#connections li[data-name=\"{name}\"]");
        self.win.visible(&row).await;
        if self.win.attr(&format!("{row} .conn-head"), "aria-expanded").await.as_deref() != Some("true") {
            self.win.click(&format!("{row} .conn-head")).await;
        }
        self.win.visible(&format!("{row} .conn-body")).await;
        row
    }
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_containing(&path, needle));
        } else if std::fs::read(&path).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes())) {
            found.push(path);
        }
    }
    found
}

#[tokio::test]
async fn a_saved_connection_survives_a_restart_and_can_be_reauthorized_refreshed_and_removed() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    // Activate; "Save this connection on this computer" is on by default.
    assert_eq!(app.win.attr("#save-connection", "checked").await.as_deref(), Some("true"));
    app.to_authorize(Some(SECRET)).await;
    app.win.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    // The result shows at once; the save runs behind it and then says where the keys are.
    app.win.visible("#save-status[data-saved=yes]").await;
    let saved = app.win.text("#save-status").await;
    assert!(saved.contains("Saved on this computer as “Testbolaget AB”"), "{saved}");
    assert!(saved.contains("keychain"), "{saved}");
    // Paths and store names wait under "Where exactly", folded.
    let said = app.win.text("#save-status-text").await;
    assert!(!said.contains("connections.json"), "no path on the success screen: {said}");
    assert_eq!(app.win.attr("#save-where", "open").await, None, "folded");
    app.win.click("#save-where summary").await;
    assert!(app.win.text("#save-where-text").await.contains("connections.json"));
    let first = app.standin.token_requests().len();

    // The next day: the list is the first screen, with the company and a status.
    let app = app.restart().await;
    let row = app.open_row("Testbolaget AB").await;
    let text = app.win.text(&row).await;
    assert!(text.contains("Testbolaget AB") && text.contains("User account"), "{text}");
    let status = app.win.attr(&format!("{row} .status"), "data-status").await.unwrap_or_default();
    assert!(["active", "access-token-valid"].contains(&status.as_str()), "status {status}: {text}");
    app.shot("0-connections").await;
    // The list at every size, in both languages: "New connection" in view, nothing
    // overlapping, and axe finds no serious violation.
    for lang in ["sv", "en"] {
        app.set_language(lang).await;
        app.at_each_size("0-connections", lang, "#new-connection").await;
    }

    // The command line sees what the window saved.
    let out = std::process::Command::new(bin("fortnox-activate"))
        .args(["list", "--json"])
        .envs(app.browser.vars())
        .output()
        .expect("fortnox-activate runs");
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && listed.contains("Testbolaget AB"),
        "list: {listed} {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Re-authorize: straight to the authorize step, the secret from the keychain.
    app.win.click(&format!("{row} [data-action=reauthorize]")).await;
    app.win.visible("#authorize").await;
    assert!(app.win.text("#reauth-banner").await.contains("Re-authorizing"), "the wizard says what it does");
    app.shot("3-reauthorize").await;
    app.win.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    // The save runs behind the result ("Saving…" first), as after the first activation.
    let saved = app.win.text_until("#save-status", |t| t.contains("re-authorized")).await;
    assert!(saved.contains("re-authorized"), "{saved}");
    assert_eq!(app.standin.token_requests().len(), first + 1, "one more code exchange");
    let exchange = app.standin.token_requests().last().cloned().unwrap();
    let basic = exchange.header("authorization").unwrap_or_default().trim_start_matches("Basic ").to_string();
    let pair =
        String::from_utf8(base64::Engine::decode(&base64::engine::general_purpose::STANDARD, basic).unwrap()).unwrap();
    assert_eq!(pair, format!("{CLIENT_ID}:{SECRET}"), "the saved secret was used");

    // Back to the list: refresh, after a warning; Fortnox rotates the refresh token.
    app.win.click("#to-connections").await;
    let row = app.open_row("Testbolaget AB").await;
    let id = app.win.attr(&row, "data-connection-id").await.unwrap();
    let old = keychain_secret(&id, "refresh_token").expect("the keychain holds the refresh token");
    assert!(app.standin.is_refresh_token_live(&old));
    app.win.click(&format!("{row} [data-action=refresh]")).await;
    app.win.visible("#dialog").await;
    assert!(app.win.text("#dialog").await.contains("stops working"));
    app.win.click("#dialog-confirm").await;
    app.win.visible(&format!("{row} .conn-outcome.notice")).await;
    assert!(app.win.text(&format!("{row} .conn-outcome")).await.contains("New tokens saved"));
    assert!(!app.standin.is_refresh_token_live(&old), "the old refresh token died");
    let new = keychain_secret(&id, "refresh_token").expect("the new refresh token is saved");
    assert!(app.standin.is_refresh_token_live(&new), "the saved one is the live one");
    // No token or secret in any file of the app's folders.
    let access = keychain_secret(&id, "access_token").unwrap();
    for needle in [old.as_str(), new.as_str(), access.as_str(), SECRET] {
        let leaks = files_containing(app.browser.dir.path(), needle);
        assert!(leaks.is_empty(), "a secret in {leaks:?}");
    }

    // Export an activation file: into the downloads folder (as user-dirs.dirs names it),
    // with the one extension the installers register, settings only; the window says where,
    // with focus on what it said.
    let downloads = app.browser.dir.path().join("Hämtningar");
    std::fs::create_dir_all(&downloads).unwrap();
    let user_dirs = format!("XDG_DOWNLOAD_DIR=\"{}\"\n", downloads.display());
    std::fs::write(app.browser.dir.path().join("config/user-dirs.dirs"), user_dirs).unwrap();
    app.win.click(&format!("{row} [data-action=export]")).await;
    let said = app.win.text_until(&format!("{row} .conn-outcome"), |t| t.contains("activation file")).await;
    let exported = downloads.join("Testbolaget-AB.fortnox-activation");
    assert!(said.contains(&exported.display().to_string()), "{said}");
    assert!(row_place(&app.win, "Testbolaget AB").await.1, "focus on what the export said");
    let file = std::fs::read_to_string(&exported).expect("the exported file");
    let parsed: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(
        (parsed["format"].as_str(), parsed["name"].as_str()),
        (Some("fortnox-activation"), Some("Testbolaget AB"))
    );
    for needle in [new.as_str(), access.as_str(), SECRET] {
        assert!(!file.contains(needle), "no secret in the activation file: {file}");
    }
    // A second export takes nothing over.
    app.win.click(&format!("{row} [data-action=export]")).await;
    app.win.text_until(&format!("{row} .conn-outcome"), |t| t.contains("Testbolaget-AB-2.fortnox-activation")).await;
    assert!(downloads.join("Testbolaget-AB-2.fortnox-activation").is_file());

    // Revoke and remove.
    app.win.click(&format!("{row} [data-action=remove]")).await;
    app.win.visible("#dialog").await;
    app.win.click("#dialog-confirm").await;
    app.win.visible("#connections-notice").await;
    assert!(app.win.text("#connections-notice").await.contains("revoked at Fortnox and removed"));
    assert!(!app.win.is_visible(&row).await);
    assert_eq!(app.standin.revoke_requests().len(), 1, "revoked at Fortnox");
    app.quit().await;
}
/// Where the row `name` is in the list (0 = first), and whether focus is on its outcome.
async fn row_place(w: &Session, name: &str) -> (i64, bool) {
    let v = w
        .script(
            "const rows = [...document.querySelectorAll('#connections > li')];
             const i = rows.findIndex((li) => li.dataset.name === arguments[0]);
             const a = document.activeElement;
             return [i, !!a && a.classList.contains('conn-outcome') && a.closest('li') === rows[i]];",
            serde_json::json!([name]),
        )
        .await;
    (v[0].as_i64().unwrap_or(-1), v[1].as_bool().unwrap_or(false))
}

#[tokio::test]
async fn the_list_keeps_an_open_row_in_place_and_focus_on_what_its_action_did() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    let w = &app.win;
    // Two connections of one integration: "Testbolaget AB", then "Beta AB".
    app.to_authorize(Some(SECRET)).await;
    w.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    w.visible("#save-status[data-saved=yes]").await;
    w.click("#start-over").await;
    w.fill("#connection-name", "Beta AB").await;
    w.click("#next").await;
    w.visible("input[name=scope][value=companyinformation]").await;
    w.click("#next").await;
    w.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    w.visible("#save-status[data-saved=yes]").await;

    // The next day the list opens with focus on its first row (the most urgent: the older).
    let app = app.restart().await;
    let w = &app.win;
    w.visible("#connections li[data-name=\"Beta AB\"]").await;
    let first = w
        .script(
            "const a = document.activeElement; return a && a.classList.contains('conn-head') ? a.closest('li').dataset.name : ''",
            serde_json::json!([]),
        )
        .await;
    assert_eq!(first.as_str(), Some("Testbolaget AB"), "focus on the list's first row");
    assert_eq!(row_place(w, "Testbolaget AB").await.0, 0);

    // Refresh the first: its new refresh token makes it the least urgent, yet the open row
    // stays where it is, focus goes to what happened, and the new keys can be copied there.
    let row = app.open_row("Testbolaget AB").await;
    w.click(&format!("{row} [data-action=refresh]")).await;
    w.visible("#dialog").await;
    w.click("#dialog-confirm").await;
    w.visible(&format!("{row} .conn-outcome.notice")).await;
    assert!(w.text(&format!("{row} .conn-outcome")).await.contains("New tokens saved"));
    assert_eq!(row_place(w, "Testbolaget AB").await, (0, true), "the row stayed first, its outcome focused");
    // Kept here: the integration asks this computer for access tokens, so nothing to copy.
    assert!(w.text(&format!("{row} .conn-outcome")).await.contains("This computer keeps the refresh token"));
    assert!(!w.is_visible(&format!("{row} .conn-outcome [data-outcome-copy]")).await);
    app.shot("0-refreshed").await;

    // Test: focus on its outcome too.
    w.click(&format!("{row} [data-action=test]")).await;
    w.visible(&format!("{row} .conn-outcome.notice-info")).await;
    let said = w.text(&format!("{row} .conn-outcome")).await;
    assert!(said.contains("Fortnox accepted the saved access token for Testbolaget AB (556677-8899) at "), "{said}");
    assert_eq!(row_place(w, "Testbolaget AB").await, (0, true));

    // Rename: Enter in the dialog's field submits it.
    w.click(&format!("{row} [data-action=rename]")).await;
    w.visible("#dialog-input").await;
    assert_eq!(w.focused().await, "dialog-input");
    w.fill("#dialog-input", "Alfa AB").await;
    w.keys(keys::ENTER).await;
    w.visible("#connections li[data-name=\"Alfa AB\"] .conn-outcome.notice").await;
    assert!(!w.is_visible("#dialog").await, "Enter closed the dialog");
    assert_eq!(row_place(w, "Alfa AB").await, (0, true));

    // Closed, the row takes its place in the order again (now after Beta).
    w.click("#connections li[data-name=\"Alfa AB\"] .conn-head").await;
    w.visible("#connections li[data-name=\"Alfa AB\"] .conn-head[aria-expanded=false]").await;
    assert_eq!(row_place(w, "Alfa AB").await.0, 1);
    app.quit().await;
}

/// In the "who keeps the refresh token" dialog: "The integration" is picked and focused
/// first; confirms it.
async fn hand_over_in_dialog(w: &Session) {
    w.visible("#dialog #dialog-choices").await;
    assert!(w.text("#dialog-title").await.starts_with("Who will refresh"), "{}", w.text("#dialog-title").await);
    assert_eq!(w.focused().await, "dialog-choice-integration", "the integration is the default");
    w.click("#dialog-confirm").await;
    w.find("#dialog:not([open])").await;
}

/// A saved connection's secret as the real keychain (Secret Service) holds it, through
/// `secret-tool`; `None` when there is no such entry.
fn keychain_secret(id: &str, kind: &str) -> Option<String> {
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "se.fortnoxactivator.app", "username", &format!("{id}/{kind}")])
        .output()
        .expect("secret-tool runs (scripts/setup.sh --test installs libsecret-tools)");
    let value = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !value.is_empty()).then_some(value)
}

/// `ms` since the epoch as the saved list writes a date in English ("7 Dec 2026"; the
/// machine's time zone, as the window's).
fn list_date(ms: u64) -> String {
    let out = std::process::Command::new("date")
        .args([&format!("--date=@{}", ms / 1000), "+%-d %b %Y"])
        .output()
        .expect("date runs");
    // en-GB writes September "Sept".
    String::from_utf8_lossy(&out.stdout).trim().replace(" Sep ", " Sept ")
}

/// `fortnox-activate list --json`, as the window's environment sees it.
fn listed_json(app: &App) -> Vec<serde_json::Value> {
    let out = std::process::Command::new(bin("fortnox-activate"))
        .args(["list", "--json"])
        .envs(app.browser.vars())
        .output()
        .expect("fortnox-activate runs");
    serde_json::from_slice(&out.stdout).expect("list --json gives JSON")
}

/// Activates `name` for Testbolaget AB with the wizard (saved), from step 1.
async fn activate_saved(app: &App, name: &str) {
    let w = &app.win;
    w.fill("#connection-name", name).await;
    w.fill("#client-id", CLIENT_ID).await;
    w.fill("#client-secret", SECRET).await;
    w.fill("#redirect-uri", &app.redirect_uri).await;
    w.click("#next").await;
    app.access(&["companyinformation", "invoice"], "user").await;
    w.visible("#authorize").await;
    w.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    w.visible("#save-status[data-saved=yes]").await;
}

#[tokio::test]
async fn a_kept_here_row_leads_with_its_date_and_refreshes_here() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    let w = &app.win;
    activate_saved(&app, "Testbolaget AB").await;
    w.click("#to-connections").await;
    let row = app.open_row("Testbolaget AB").await;
    // The status leads with the date this computer must refresh by (31 days on).
    let listed = listed_json(&app);
    let due = listed[0]["nextAction"]["dueMs"].as_u64().expect("a next action with its date");
    assert_eq!(listed[0]["ownership"], "kept_here");
    assert_eq!(w.text(&format!("{row} .status .status-when")).await, list_date(due));
    let status = w.text(&format!("{row} .status")).await;
    assert!(status.starts_with(&format!("{} · Active; refresh by this date", list_date(due))), "{status}");
    assert!(w.text(&format!("{row} .conn-facts")).await.contains("This computer (kept here"));

    // Refresh now works here, and keeps the refresh token here.
    let id = w.attr(&row, "data-connection-id").await.unwrap();
    let old = keychain_secret(&id, "refresh_token").expect("kept here: in the keychain");
    let grants = app.standin.token_requests().len();
    w.click(&format!("{row} [data-action=refresh]")).await;
    w.visible("#dialog").await;
    w.click("#dialog-confirm").await;
    w.visible(&format!("{row} .conn-outcome.notice-info")).await;
    let said = w.text(&format!("{row} .conn-outcome")).await;
    assert!(
        said.contains("New tokens saved for “Testbolaget AB”") && said.contains("keeps the refresh token"),
        "{said}"
    );
    let refresh = app.standin.token_requests();
    assert_eq!(refresh.len(), grants + 1);
    assert_eq!(refresh.last().unwrap().form_value("refresh_token").as_deref(), Some(old.as_str()));
    let new = keychain_secret(&id, "refresh_token").expect("the new refresh token is saved");
    assert_ne!(new, old);
    assert!(app.standin.is_refresh_token_live(&new) && !app.standin.is_refresh_token_live(&old));
    assert!(w.text(&format!("{row} .status")).await.starts_with(&list_date(due)), "still led by its date");

    // Copying its JSON asks who keeps the refresh token; "This computer" copies none.
    let copies = app.standin.token_requests().len();
    w.click(&format!("{row} [data-action=copyJson]")).await;
    w.visible("#dialog #dialog-choices").await;
    w.click("#dialog-choice-here").await;
    w.click("#dialog-confirm").await;
    w.visible(&format!("{row} .conn-outcome.notice-info")).await;
    // The refresh's outcome (also an info notice) is still there until the copy's replaces it.
    let said = w.text_until(&format!("{row} .conn-outcome"), |t| t.contains("Copied without")).await;
    assert!(said.contains("Copied without the refresh token"), "{said}");
    if let Some(clip) = clipboard() {
        let v: serde_json::Value = serde_json::from_str(&clip).expect("JSON");
        assert!(v.get("refresh_token").is_none() && v["access_token"].is_string(), "{clip}");
    }
    assert_eq!(keychain_secret(&id, "refresh_token").as_deref(), Some(new.as_str()), "still kept here");
    assert_eq!(w.attr(&format!("{row} .status"), "data-status").await.as_deref(), Some("access-token-valid"));
    assert_eq!(app.standin.token_requests().len(), copies, "copying asks Fortnox nothing");
    app.quit().await;
}

#[tokio::test]
async fn handing_over_a_copied_refresh_token_forgets_it_here_and_the_row_says_so() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    let w = &app.win;
    // Two connections: "Beta AB" stays kept here; "Testbolaget AB" is handed over. Its
    // access tokens live 40 s, so that "Test" can be seen before and after it expires.
    activate_saved(&app, "Beta AB").await;
    app.standin.set_access_token_lifetime(Duration::from_secs(40));
    // "Activate another connection": the integration's settings and areas stay.
    w.click("#start-over").await;
    w.fill("#connection-name", "Testbolaget AB").await;
    w.click("#next").await;
    w.visible("input[name=scope][value=companyinformation]").await;
    w.click("#next").await;
    w.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    w.visible("#save-status[data-saved=yes]").await;
    let issued = std::time::Instant::now();
    w.click("#to-connections").await;
    let row = app.open_row("Testbolaget AB").await;
    let id = w.attr(&row, "data-connection-id").await.unwrap();
    let refresh = keychain_secret(&id, "refresh_token").expect("kept here until handed over");

    // Copy refresh token → who keeps it? Cancel copies nothing and hands nothing over.
    w.set_window_size(800, 600).await;
    app.set_language("sv").await;
    w.click(&format!("{row} [data-action=copyRefresh]")).await;
    w.visible("#dialog #dialog-choices").await;
    assert!(w.text("#dialog").await.contains("Vem ska förnya"));
    app.shot("0-hand-over-dialog-sv-800x600").await;
    w.click("#dialog-cancel").await;
    w.find("#dialog:not([open])").await;
    assert_eq!(keychain_secret(&id, "refresh_token").as_deref(), Some(refresh.as_str()), "still kept here");
    app.set_language("en").await;
    // Again → the integration (the default).
    w.click(&format!("{row} [data-action=copyRefresh]")).await;
    w.visible("#dialog #dialog-choices").await;
    assert!(w.text("#dialog").await.contains("This computer then forgets its copy"));
    app.shot("0-hand-over-dialog-en-800x600").await;
    hand_over_in_dialog(w).await;
    w.visible(&format!("{row} .conn-outcome.notice-warn")).await;
    assert!(w.text(&format!("{row} .conn-outcome")).await.contains("paste it there now"));
    if let Some(clip) = clipboard() {
        assert_eq!(clip, refresh, "the refresh token was copied for the integration");
    }
    assert!(app.standin.is_refresh_token_live(&refresh), "the integration's refresh token works");
    assert_eq!(keychain_secret(&id, "refresh_token"), None, "the keychain forgot the refresh token");
    assert!(keychain_secret(&id, "access_token").is_some(), "the access token stays, for Test");

    // The row says so, led by the day it was handed over; no "Refresh now".
    let listed = listed_json(&app);
    let given = listed.iter().find(|c| c["name"] == "Testbolaget AB").unwrap();
    assert_eq!(given["ownership"], "handed_over");
    let on = list_date(given["handedOverAtMs"].as_u64().unwrap());
    assert_eq!(w.attr(&format!("{row} .status"), "data-status").await.as_deref(), Some("handed-over"));
    let status = w.text(&format!("{row} .status")).await;
    assert_eq!(status, format!("{on} · Handed over to the integration; it keeps the connection alive"));
    assert!(!w.is_visible(&format!("{row} [data-action=refresh]")).await, "no Refresh now");
    assert!(!w.is_visible(&format!("{row} [data-action=copyRefresh]")).await);
    assert!(w.text(&format!("{row} .conn-facts")).await.contains(&format!("The integration, since {on}")));
    // Handed over and undated, it goes after the kept-here one once closed.
    w.click(&format!("{row} .conn-head")).await;
    assert_eq!(row_place(w, "Testbolaget AB").await.0, 1);
    assert_eq!(row_place(w, "Beta AB").await.0, 0);
    let beta = w.text("#connections li[data-name=\"Beta AB\"] .status").await;
    assert!(beta.contains("Active; refresh by this date"), "{beta}");
    let row = app.open_row("Testbolaget AB").await;

    // Test says what it checked, without the refresh token.
    let grants = app.standin.token_requests().len();
    w.click(&format!("{row} [data-action=test]")).await;
    w.visible(&format!("{row} .conn-outcome.notice-info")).await;
    let said = w.text(&format!("{row} .conn-outcome")).await;
    assert!(said.starts_with("Fortnox accepted the saved access token for Testbolaget AB (556677-8899) at "), "{said}");
    assert!(said.ends_with("(the refresh token was not used)."), "{said}");

    // Revoke says what it can still revoke: nothing here; the customer removes it in Fortnox.
    w.click(&format!("{row} [data-action=remove]")).await;
    w.visible("#dialog").await;
    let text = w.text("#dialog").await;
    assert!(text.contains("no refresh token left to revoke") && text.contains("under Integrations"), "{text}");
    assert_eq!(w.text("#dialog-confirm").await, "Remove from this computer");
    app.shot("0-remove-handed-over-en-800x600").await;
    w.click("#dialog-cancel").await;
    w.find("#dialog:not([open])").await;
    app.set_language("sv").await;
    w.click(&format!("{row} [data-action=remove]")).await;
    w.visible("#dialog").await;
    assert!(w.text("#dialog").await.contains("under Integrationer"));
    app.shot("0-remove-handed-over-sv-800x600").await;
    w.click("#dialog-cancel").await;
    w.find("#dialog:not([open])").await;
    app.set_language("en").await;

    // The list with a kept-here and a handed-over row, at each size in both languages.
    w.click(&format!("{row} .conn-head")).await;
    for lang in ["sv", "en"] {
        app.set_language(lang).await;
        app.at_each_size("0-owners", lang, "#new-connection").await;
    }
    w.set_window_size(800, 600).await;
    let row = app.open_row("Testbolaget AB").await;

    // Once its access token has expired, this computer can no longer check it, and says why.
    let left = Duration::from_secs(42).saturating_sub(issued.elapsed());
    tokio::time::sleep(left).await;
    w.click(&format!("{row} [data-action=test]")).await;
    w.visible(&format!("{row} .conn-outcome.notice-warn")).await;
    let said = w.text(&format!("{row} .conn-outcome")).await;
    assert!(said.starts_with("This computer can no longer check “Testbolaget AB”"), "{said}");
    assert!(said.contains("Only the integration holds the refresh token"), "{said}");
    assert_eq!(app.standin.token_requests().len(), grants, "nothing was refreshed here");
    assert!(app.standin.is_refresh_token_live(&refresh), "the integration's token still works");

    // Removed here: nothing revoked at Fortnox, and the notice says how the customer ends it.
    w.click(&format!("{row} [data-action=remove]")).await;
    w.visible("#dialog").await;
    w.click("#dialog-confirm").await;
    w.visible("#connections-notice").await;
    assert!(w.text("#connections-notice").await.contains("removes the integration in Fortnox, under Integrations"));
    assert!(app.standin.revoke_requests().is_empty());
    // The refresh token handed over is in no file of the app's (log included).
    let leaks = files_containing(app.browser.dir.path(), &refresh);
    assert!(leaks.is_empty(), "the handed-over refresh token in {leaks:?}");
    app.quit().await;
}

#[tokio::test]
async fn a_service_accounts_row_has_no_end_date_and_removing_it_says_the_consent_stays() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    let w = &app.win;
    app.standin.set_service_accounts_enabled(CLIENT_ID, true);
    w.fill("#connection-name", "Testbolaget AB").await;
    w.fill("#client-id", CLIENT_ID).await;
    w.fill("#client-secret", SECRET).await;
    w.fill("#redirect-uri", &app.redirect_uri).await;
    w.click("#next").await;
    app.access(&["companyinformation"], "service").await;
    w.visible("#authorize").await;
    w.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    w.visible("#save-status[data-saved=yes]").await;
    w.click("#to-connections").await;
    let row = app.open_row("Testbolaget AB").await;
    // No date to act by: the consent lasts until the customer revokes it.
    assert_eq!(w.text(&format!("{row} .status")).await, "Active · service account, no end date");
    assert!(!w.is_visible(&format!("{row} .status .status-when")).await);

    // Removing it here cannot end the integration's access: the dialog says so and how.
    w.click(&format!("{row} [data-action=remove]")).await;
    w.visible("#dialog").await;
    let text = w.text("#dialog").await;
    assert!(text.contains("by client credentials") && text.contains("until the customer revokes it"), "{text}");
    assert!(text.contains("removes the integration in Fortnox, under Integrations"), "{text}");
    assert_eq!(w.text("#dialog-confirm").await, "Remove from this computer");
    w.click("#dialog-confirm").await;
    w.visible("#connections-notice").await;
    assert!(w.text("#connections-notice").await.contains("The integration keeps its access until"));
    let id_gone = listed_json(&app);
    assert!(id_gone.is_empty(), "removed here: {id_gone:?}");
    app.quit().await;
}

#[tokio::test]
async fn reauthorizing_while_logged_in_to_another_company_is_refused_in_the_window_and_keeps_the_saved_keys() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    let w = &app.win;
    activate_saved(&app, "Testbolaget AB").await;
    w.click("#to-connections").await;
    let row = app.open_row("Testbolaget AB").await;
    let id = w.attr(&row, "data-connection-id").await.unwrap();
    let saved = ["access_token", "refresh_token"].map(|k| keychain_secret(&id, k).expect("saved"));

    // Re-authorize says which company to log in as; the browser is logged in to another.
    w.click(&format!("{row} [data-action=reauthorize]")).await;
    w.visible("#authorize").await;
    let banner = w.text("#reauth-banner").await;
    assert!(banner.contains("Testbolaget AB") && banner.contains("556677-8899"), "{banner}");
    app.standin.set_company(activator_tests::standin::CompanyConfig::other());
    w.click("#authorize").await;
    assert_eq!(app.result().await, "failed");
    assert_eq!(w.text("#error-kind").await, "wrong_company");
    let said = w.text("#reason-message").await;
    assert_eq!(
        said,
        "You approved for Annat Bolag AB (559900-1122), but this connection is Testbolaget AB (556677-8899).",
    );
    assert!(w.text("#reason-next").await.contains("The saved keys were not changed"));
    app.shot("4-wrong-company").await;

    // The saved keys are untouched and still work; the other company's were revoked.
    assert_eq!(["access_token", "refresh_token"].map(|k| keychain_secret(&id, k).expect("still saved")), saved);
    assert!(app.standin.is_refresh_token_live(&saved[1]));
    assert_eq!(app.standin.live_refresh_tokens(), vec![saved[1].clone()], "the other company's was revoked");
    assert_eq!(app.standin.revoke_requests().len(), 1);
    let listed = listed_json(&app);
    assert_eq!(listed[0]["tenantId"], "1234567");
    assert_eq!(listed[0]["ownership"], "kept_here");
    app.quit().await;
}

/// Puts `text` on the X clipboard as another program would (xclip serves it until replaced).
fn set_clipboard(text: &str) {
    use std::io::Write as _;
    let mut child = std::process::Command::new("xclip")
        .args(["-i", "-selection", "clipboard"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("xclip runs (scripts/setup.sh --test installs it)");
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
}

/// Polls the clipboard until `done` says so or 20 s pass; returns what it last held.
async fn clipboard_until(done: impl Fn(&Option<String>) -> bool) -> Option<String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let now = clipboard();
        if done(&now) || std::time::Instant::now() > deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
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

    /// The default handler of `scheme` as GIO sees it (what `gio open` and GTK browsers use;
    /// Debian's `xdg-mime` 1.1.3 passes over the app's quoted `Exec` line when another
    /// application also handles the scheme).
    fn default_handler(&self, scheme: &str) -> String {
        let out = std::process::Command::new("gio")
            .args(["mime", &format!("x-scheme-handler/{scheme}")])
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines()
            .find(|l| l.starts_with("Default application for"))
            .and_then(|l| l.rsplit_once(": "))
            .map_or_else(String::new, |(_, entry)| entry.trim().to_string())
    }

    /// Waits until GIO names `entry` as the default handler of `scheme`.
    async fn wait_default(&self, scheme: &str, entry: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let now = self.default_handler(scheme);
            if now == entry {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "{scheme}: the default is {now:?}, not {entry}");
            tokio::time::sleep(Duration::from_millis(100)).await;
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
            assert!(
                std::time::Instant::now() < deadline,
                "{scheme} was never registered: xdg-mime says {:?}; mimeapps.list: {:?}",
                String::from_utf8_lossy(&out.stdout),
                self.env
                    .iter()
                    .find(|(k, _)| k == "XDG_CONFIG_HOME")
                    .and_then(|(_, d)| std::fs::read_to_string(format!("{d}/mimeapps.list")).ok())
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[tokio::test]
async fn a_copied_token_is_cleared_from_the_clipboard_and_an_address_stays() {
    let _one = ONE_AT_A_TIME.lock().await;
    assert!(clipboard_tool_works(), "xclip must be installed (scripts/setup.sh --test)");
    let app = launch_with(None, &[("FORTNOX_ACTIVATOR_CLIPBOARD_CLEAR_SECS", "2")], &[]).await;
    let w = &app.win;
    // A token: on the clipboard, the window says it will be cleared, and then it is.
    let token = app.copy_access_token().await;
    assert_eq!(w.text("#clipboard-note").await, "Copied. The clipboard is cleared in 2 s.");
    let after = clipboard_until(|c| c.as_deref() != Some(token.as_str())).await;
    assert!(after.is_none_or(|c| !c.contains(&token)), "the token is no longer on the clipboard");

    // Something the user copied since is left alone.
    w.click("#copy-refresh-token").await;
    hand_over_in_dialog(w).await;
    w.visible("#owner-note").await;
    assert!(clipboard().is_some_and(|c| app.standin.is_refresh_token_live(&c)), "the refresh token was copied");
    set_clipboard("the user's own text");
    // Wait until the app's log says the due check ran, then look.
    let log = app.browser.dir.path().join("data/se.fortnoxactivator.app/logs/fortnox-activator.log");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&log).unwrap_or_default().contains("left alone") {
        assert!(std::time::Instant::now() < deadline, "the due check never ran");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(clipboard().as_deref(), Some("the user's own text"));

    // The redirect URI is no secret: it stays.
    w.click("#start-over").await;
    w.visible("#copy-redirect-uri").await;
    w.click("#copy-redirect-uri").await;
    assert_eq!(clipboard().as_deref(), Some(app.redirect_uri.as_str()));
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(clipboard().as_deref(), Some(app.redirect_uri.as_str()), "the address stayed");
    app.quit().await;
}

impl App {
    /// Closes the window as its own close does once confirmed (the app then exits), and waits
    /// until the process has gone.
    async fn close_and_wait_gone(self) {
        self.win
            .script(
                "setTimeout(() => window.__TAURI__.core.invoke('close_window'), 100); return null;",
                serde_json::json!([]),
            )
            .await;
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while single_instance_owner().is_some() {
            assert!(std::time::Instant::now() < deadline, "the app did not exit after its window closed");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.win.quit().await;
    }

    /// An activation through the loopback listener, the access token revealed, copied to the
    /// clipboard, and returned (the clipboard note is shown).
    async fn copy_access_token(&self) -> String {
        let w = &self.win;
        self.to_authorize(Some(SECRET)).await;
        w.click("#authorize").await;
        assert_eq!(self.result().await, "success");
        w.click("#show-access-token").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let token = w.text("#secret-value-access-token").await;
        assert!(token.starts_with("eyJ"), "{token}");
        w.click("#copy-access-token").await;
        w.visible("#clipboard-note").await;
        assert_eq!(clipboard().as_deref(), Some(token.as_str()), "the token was copied");
        token
    }
}

#[tokio::test]
async fn a_copied_token_still_on_the_clipboard_is_cleared_when_the_window_closes() {
    let _one = ONE_AT_A_TIME.lock().await;
    assert!(clipboard_tool_works(), "xclip must be installed (scripts/setup.sh --test)");
    let app = launch(None).await;
    let token = app.copy_access_token().await;
    // A clipboard manager keeps what was copied after the app is gone (as on Windows and
    // macOS): here xclip takes the token over, as such a manager does.
    set_clipboard(&token);
    app.close_and_wait_gone().await;
    let after = clipboard();
    assert!(after.as_deref().is_none_or(|c| !c.contains(&token)), "the token outlived the app: {after:?}");
}

#[tokio::test]
async fn closing_the_window_leaves_what_the_user_copied_since_alone() {
    let _one = ONE_AT_A_TIME.lock().await;
    assert!(clipboard_tool_works(), "xclip must be installed (scripts/setup.sh --test)");
    let app = launch(None).await;
    app.copy_access_token().await;
    set_clipboard("the user's own text");
    app.close_and_wait_gone().await;
    assert_eq!(clipboard().as_deref(), Some("the user's own text"));
}

#[tokio::test]
async fn the_browser_the_app_opens_does_not_inherit_the_client_secret() {
    let _one = ONE_AT_A_TIME.lock().await;
    // Set where the app starts (a shell profile, a launcher): the fake browser logs the
    // FORTNOX_* variables it sees, by name.
    let app = launch_with(None, &[("FORTNOX_CLIENT_SECRET", "inherited-secret")], &[]).await;
    app.to_authorize(Some(SECRET)).await;
    app.win.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    let log = std::fs::read_to_string(&app.browser.log).unwrap_or_default();
    assert!(log.contains("VISIT"), "the browser ran: {log}");
    assert!(!log.lines().any(|l| l == "ENV FORTNOX_CLIENT_SECRET"), "{log}");
    app.quit().await;
}

/// The app's WebKit web processes (children of the app holding the single-instance name).
fn web_processes() -> Vec<u32> {
    let Some(app) = single_instance_owner() else { return Vec::new() };
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // "pid (comm) state ppid ...": comm may hold spaces, so read after the last ')'.
        let Some((head, rest)) = stat.rsplit_once(')') else { continue };
        let ppid = rest.split_whitespace().nth(1).and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(app) && head.contains("WebKitWebProces") {
            found.push(pid);
        }
    }
    found
}

#[tokio::test]
async fn the_window_comes_back_when_its_web_process_ends() {
    let _one = ONE_AT_A_TIME.lock().await;
    // The window's own marks say when a page has run its script to the first screen
    // (`dom` follows `ready`); WebKitWebDriver ends its session with the web process, so
    // the page that comes back is seen through them.
    let marks = tempfile::NamedTempFile::new().unwrap();
    let marks_path = marks.path().display().to_string();
    let app = launch_with(
        None,
        &[("FORTNOX_ACTIVATOR_READY", "1"), ("FORTNOX_ACTIVATOR_MARKS_FILE", marks_path.as_str())],
        &[],
    )
    .await;
    let doms =
        || std::fs::read_to_string(marks.path()).unwrap_or_default().lines().filter(|l| l.starts_with("dom ")).count();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while doms() < 1 {
        assert!(std::time::Instant::now() < deadline, "the first page never reported");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let before = web_processes();
    assert_eq!(before.len(), 1, "one web process: {before:?}");
    let app_pid = single_instance_owner().expect("the app runs");
    let killed = std::process::Command::new("kill").args(["-9", &before[0].to_string()]).status().unwrap();
    assert!(killed.success());
    // A new web process, and in it the page again, run to its first screen.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while doms() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the page never came back: {:?}",
            std::fs::read_to_string(marks.path())
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after = web_processes();
    assert!(!after.is_empty() && after != before, "a new web process: {after:?}");
    assert_eq!(single_instance_owner(), Some(app_pid), "the same app, not a restart");
    let log_path = app.browser.dir.path().join("data/se.fortnoxactivator.app/logs/fortnox-activator.log");
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    assert!(log.contains("web process ended"), "{log}");
    // The driver's session ended with the old web process: end the app by its pid.
    let _ = std::process::Command::new("kill").arg(app_pid.to_string()).status();
    app.quit().await;
}

#[tokio::test]
async fn the_window_stays_on_the_apps_own_pages() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    for target in ["https://example.com/", "http://127.0.0.1:9/x?code=c", "file:///etc/hostname"] {
        app.win
            .script(
                "setTimeout(() => { location.href = arguments[0]; }, 50); return null;",
                serde_json::json!([target]),
            )
            .await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let at = app.win.script("return location.href", serde_json::json!([])).await;
        assert!(at.as_str().is_some_and(|u| u.starts_with("tauri://localhost")), "{target}: now at {at}");
        app.win.visible("#connection-name").await;
    }
    app.quit().await;
}

#[tokio::test]
async fn after_a_while_with_nothing_back_the_paste_field_is_pointed_at() {
    let _one = ONE_AT_A_TIME.lock().await;
    // A browser that never reaches the redirect (here: none at all).
    let app = launch_with(None, &[("BROWSER", "true")], &[]).await;
    let w = &app.win;
    // The real wait is 45 s; the page takes a shorter one for the test.
    w.script("window.__FA_PASTE_NUDGE_SECS__ = 1; return null;", serde_json::json!([])).await;
    app.to_authorize(Some(SECRET)).await;
    assert!(!w.is_visible("#paste-nudge").await, "not before the attempt");
    w.click("#authorize").await;
    w.visible("#paste-nudge").await;
    assert!(w.text("#paste-nudge").await.contains("paste it below"));
    assert!(w.attr("#paste-block", "class").await.unwrap_or_default().contains("is-nudged"));
    app.shot_at("3-waiting-nudge", "#paste-block").await;
    w.click("#cancel").await;
    assert!(!w.is_visible("#paste-nudge").await, "gone once not waiting");
    app.quit().await;
}

fn clipboard_tool_works() -> bool {
    std::process::Command::new("xclip").arg("-version").output().is_ok_and(|o| o.status.success())
}

#[tokio::test]
async fn the_app_leaves_no_secret_in_its_files_and_its_diagnostics_show_none() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    let w = &app.win;
    // The stand-in is an endpoint override: the banner says so.
    w.visible("#endpoint-banner").await;
    assert!(w.text("#endpoint-banner").await.contains(&app.standin.oauth_url()));

    // A wrong secret first, so the report has an error to show.
    let wrong = "e2e-wrong-secret-3f9a";
    app.to_authorize(Some(wrong)).await;
    w.click("#authorize").await;
    assert_eq!(app.result().await, "failed");
    w.click("#copy-diagnostics").await;
    w.visible("#diagnostics-text").await;
    let report = w.text("#diagnostics-text").await;
    assert!(report.contains("invalid_client") && report.contains("Client ID: e2e-client"), "{report}");
    app.shot("4-diagnostics").await;
    w.click("#diagnostics-copy").await;
    if let Some(clip) = clipboard() {
        assert!(clip.contains("invalid_client"), "the report shown is the report copied: {clip}");
    }
    w.click("#diagnostics-close").await;
    assert!(!w.is_visible("#diagnostics-text").await);

    // Then the right secret: success, a token shown and everything copied.
    w.click("#start-over").await;
    w.fill("#client-secret", SECRET).await;
    w.click("#next").await;
    w.visible("input[name=scope][value=companyinformation]").await;
    w.click("#next").await;
    w.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    w.click("#show-access-token").await;
    w.click("#copy-json").await;
    hand_over_in_dialog(w).await;
    w.visible("#owner-note").await;
    let mut secrets = vec![SECRET.to_string(), wrong.to_string()];
    if let Some(clip) = clipboard() {
        let v: serde_json::Value = serde_json::from_str(&clip).expect("JSON");
        secrets.extend(["access_token", "refresh_token"].iter().filter_map(|k| v[k].as_str().map(str::to_string)));
    }
    secrets.push(w.text("#secret-value-access-token").await);
    secrets.extend(app.standin.authorize_requests().iter().filter_map(|r| r.query_value("state")));
    secrets.extend(app.standin.token_requests().iter().filter_map(|r| r.form_value("code")));
    secrets.extend(app.standin.live_refresh_tokens());
    assert!(secrets.iter().filter(|s| s.len() >= 6).count() >= 8, "{secrets:?}");

    // The header's button shows the report too: nothing of the above in it.
    w.click("#diagnostics").await;
    w.visible("#diagnostics-text").await;
    let report = w.text("#diagnostics-text").await;
    assert!(report.contains("exchange finished"), "the log's last lines are in it: {report}");
    for s in secrets.iter().filter(|s| s.len() >= 6) {
        assert!(!report.contains(s.as_str()), "{s} in the report: {report}");
    }
    w.click("#diagnostics-close").await;
    app.win.quit().await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    // The log file is where the app keeps it, and tells the story...
    let data = app.browser.dir.path().join("data");
    let log = data.join("se.fortnoxactivator.app/logs/fortnox-activator.log");
    let text = std::fs::read_to_string(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
    for step in
        ["app started", "attempt started", "listener bound", "callback judged", "exchange finished: tokens received"]
    {
        assert!(text.contains(step), "the log lacks {step:?}:\n{text}");
    }
    // ...and neither it nor anything else under HOME, config, data, cache and state holds a
    // secret (the fake browser's own history excepted).
    let skip = [app.browser.log.clone(), PathBuf::from(format!("{}.body", app.browser.log.display()))];
    let leaks = common::files_holding(&[app._home.path(), app.browser.dir.path()], &secrets, &skip);
    assert!(leaks.is_empty(), "secrets in files: {leaks:?}");
    assert!(common::count_files(&data) > 0, "the app wrote its files where they were searched");
}
#[tokio::test]
async fn every_step_fits_each_window_size_in_both_languages_with_its_main_action_in_view() {
    let _one = ONE_AT_A_TIME.lock().await;
    for lang in ["en", "sv"] {
        let app = launch(None).await;
        let w = &app.win;
        app.set_language(lang).await;
        // At the smallest size the lower fields sit below the fold of the scrolling body:
        // WebDriver clears and types into them there, and the footer covers none of them.
        w.set_window_size(SIZES[0].0, SIZES[0].1).await;
        for (field, value) in [
            ("#connection-name", "Testbolaget AB"),
            ("#client-id", CLIENT_ID),
            ("#client-secret", SECRET),
            ("#redirect-uri", app.redirect_uri.as_str()),
        ] {
            w.fill(field, value).await;
            let seen = w.script(LAYOUT_PROBE, serde_json::json!([field])).await;
            assert!(seen.as_str().unwrap().contains(r#""onTop":true"#), "{field} covered: {seen}");
        }
        w.fill("#redirect-uri", &app.redirect_uri).await;
        w.find("#register-block:not(.is-empty)").await;
        app.at_each_size("1-connection", lang, "#next").await;
        w.click("#next").await;

        w.visible("input[name=scope][value=companyinformation]").await;
        for scope in ["companyinformation", "invoice", "warehouse"] {
            w.click(&format!("input[name=scope][value={scope}]")).await; // the last one far down
        }
        w.click("input[name=account-type][value=user]").await;
        app.at_each_size("2-access", lang, "#next").await;
        w.click("#next").await;

        w.visible("#authorize").await;
        app.at_each_size("3-authorize", lang, "#authorize").await;
        // Waiting: an answer of another attempt keeps it waiting.
        app.standin.set_authorize(AuthorizeBehaviour::WrongState);
        w.click("#authorize").await;
        w.visible("#rejected-notice").await;
        app.at_each_size("3-waiting", lang, "#cancel").await;
        w.fill("#pasted-url", "https://example.com/nothing-here").await; // typed below the fold
        w.click("#cancel").await;
        w.visible("#cancelled-notice").await;

        app.standin.set_authorize(AuthorizeBehaviour::Approve);
        w.click("#authorize").await;
        assert_eq!(app.result().await, "success");
        app.at_each_size("4-success", lang, "#start-over").await;

        // "Activate another connection" starts clean: the name emptied and focused.
        w.click("#start-over").await;
        w.visible("#connection-name").await;
        assert_eq!(w.value("#connection-name").await, "");
        assert_eq!(w.focused().await, "connection-name");
        assert_eq!(w.value("#client-id").await, CLIENT_ID, "the integration's details stay");

        // The first pass saved "Testbolaget AB": step 1 refuses a saved name (issue 17), so
        // this pass takes another.
        w.fill("#connection-name", "Testbolaget AB 2").await;
        w.click("#next").await;
        w.click("#next").await;
        app.standin.set_authorize(AuthorizeBehaviour::Deny);
        w.click("#authorize").await;
        assert_eq!(app.result().await, "failed");
        app.at_each_size("4-failed", lang, "#try-again").await;
        app.quit().await;
    }
}

#[tokio::test]
async fn a_company_lookup_that_fails_shows_its_warning_on_the_result() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    app.standin.set_licence_missing(true);
    app.to_authorize(Some(SECRET)).await;
    app.win.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    let warning = app.win.text("#result-warnings").await;
    assert!(warning.contains("no active Fortnox licence"), "{warning}");
    assert!(warning.contains("company's Fortnox administrator"), "with what to do: {warning}");
    app.shot("4-success-warning").await;
    app.quit().await;
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
    app.access(&["companyinformation", "invoice"], "user").await;
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
async fn an_integrations_link_with_its_code_and_state_never_reaches_the_log_file() {
    let _one = ONE_AT_A_TIME.lock().await;
    // A debug build (the one tested): the deep-link plugin logs every link of a scheme it
    // does not handle at warn level, and the file keeps other crates' warnings.
    let app = launch(None).await;
    app.second_instance("se.example.erp://oauth/fortnox?code=logged-code-4711&state=logged-state-4711");
    app.win.visible("#link-notice[data-kind=link_unexpected]").await;
    let log_path = app.browser.dir.path().join("data/se.fortnoxactivator.app/logs/fortnox-activator.log");
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    assert!(log.contains("app started"), "the log is the one written: {log}");
    assert!(!log.contains("logged-code-4711") && !log.contains("logged-state-4711"), "{log}");
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
    // Another program handles these links now (the integration's own client, say).
    let root = app.browser.dir.path();
    std::fs::write(
        root.join("data/applications/erp-client.desktop"),
        "[Desktop Entry]\nType=Application\nName=Example ERP\nExec=/bin/true %u\nMimeType=x-scheme-handler/se.example.erp;\n",
    )
    .unwrap();
    let mimeapps = root.join("config/mimeapps.list");
    let list = std::fs::read_to_string(&mimeapps).unwrap();
    std::fs::write(
        &mimeapps,
        list.replace(
            "[Default Applications]\n",
            "[Default Applications]\nx-scheme-handler/se.example.erp=erp-client.desktop\n",
        ),
    )
    .unwrap();
    let w = &app.win;
    w.fill("#connection-name", "Testbolaget AB").await;
    w.fill("#client-id", CLIENT_ID).await;
    w.fill("#client-secret", SECRET).await;
    w.fill("#redirect-uri", uri).await;
    w.visible("#scheme-status[data-registered=false]").await;
    assert!(w.text("#capture-box").await.contains("integration's own link type"));
    app.shot_at("1-connection-other-scheme", "#capture-box").await;

    // Registering says who gets these links now and asks first; "Cancel" changes nothing.
    w.click("#register-scheme").await;
    w.visible("#dialog").await;
    let question = w.text("#dialog").await;
    assert!(question.contains("“Example ERP”"), "{question}");
    app.shot("1-connection-scheme-question").await;
    w.click("#dialog-cancel").await;
    app.wait_default("se.example.erp", "erp-client.desktop").await;
    assert_eq!(w.attr("#scheme-status", "data-registered").await.as_deref(), Some("false"));
    w.click("#register-scheme").await;
    w.visible("#dialog").await;
    w.click("#dialog-confirm").await;
    w.visible("#scheme-status[data-registered=true]").await;
    assert!(!w.is_visible("#register-scheme").await);
    app.wait_default("se.example.erp", "fortnox-activator-handler.desktop").await;

    // It can be undone at once: the previous handler gets the links back.
    w.visible("#unregister-scheme").await;
    app.shot_at("1-connection-scheme-registered", "#capture-box").await;
    w.click("#unregister-scheme").await;
    w.visible("#scheme-status[data-registered=false]").await;
    app.wait_default("se.example.erp", "erp-client.desktop").await;
    w.click("#register-scheme").await;
    w.visible("#dialog").await;
    w.click("#dialog-confirm").await;
    w.visible("#scheme-status[data-registered=true]").await;
    app.wait_default("se.example.erp", "fortnox-activator-handler.desktop").await;

    w.click("#next").await;
    app.access(&["companyinformation"], "user").await;
    // The browser hands the link to `gio open`; it reaches the app as a second process's
    // argument (the deep-link plugin does not know this scheme).
    w.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    assert!(app.browser.log_text().contains("HANDOFF 0 gio open"), "{}", app.browser.log_text());
    assert_eq!(app.win.window_count().await, 1);

    // Removing the one connection that uses the scheme gives it back as well.
    w.visible("#save-status[data-saved=yes]").await;
    w.click("#to-connections").await;
    let row = app.open_row("Testbolaget AB").await;
    w.click(&format!("{row} [data-action=remove]")).await;
    w.visible("#dialog").await;
    w.click("#dialog-confirm").await;
    w.visible("#connections-notice").await;
    app.wait_default("se.example.erp", "erp-client.desktop").await;
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

#[tokio::test]
async fn an_activation_file_given_as_the_first_argument_fills_the_wizard() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("acme.fortnox-activation");
    let redirect_uri = format!("http://localhost:{}/callback", free_port());
    std::fs::write(
        &file,
        serde_json::json!({"format": "fortnox-activation", "version": 1, "name": "Acme AB", "clientId": CLIENT_ID,
            "redirectUri": redirect_uri, "scopes": ["companyinformation"], "accountType": "user"})
        .to_string(),
    )
    .unwrap();
    let app = launch_with(Some(&redirect_uri), &[], &[file.display().to_string()]).await;
    let w = &app.win;
    w.visible("#origin-notice").await;
    assert!(w.text("#origin-notice").await.contains("acme.fortnox-activation"), "says where the settings came from");
    assert_eq!(w.value("#client-id").await, CLIENT_ID);
    assert_eq!(w.value("#redirect-uri").await, redirect_uri);
    assert_eq!(w.value("#connection-name").await, "Acme AB");
    // The secret was never in the file: focus waits in its field, in view between the header
    // and the footer, where the administrator types it; and the activation works.
    assert_eq!(w.focused().await, "client-secret");
    let in_view = || async {
        w.script(
            "const r = document.getElementById('client-secret').getBoundingClientRect();
             const top = document.querySelector('header').getBoundingClientRect().bottom;
             const bottom = document.querySelector('footer').getBoundingClientRect().top;
             return r.top >= top && r.bottom <= bottom;",
            serde_json::json!([]),
        )
        .await
        .as_bool()
    };
    assert_eq!(in_view().await, Some(true), "the focused field is in view");
    w.screenshot(&screenshots().join("1-activation-file-opened.png")).await; // as it is, not scrolled to the top
                                                                             // The same file opened again (a double-click) at the smallest and the default size, in
                                                                             // both languages: focus in the client secret, in view, the notice in the window's language.
    for (lang, (width, height)) in [("sv", SIZES[0]), ("en", SIZES[0]), ("sv", SIZES[1])] {
        app.set_language(lang).await;
        w.set_window_size(width, height).await;
        w.script("document.getElementById('main').scrollTop = 0", serde_json::json!([])).await;
        w.script("document.activeElement.blur()", serde_json::json!([])).await;
        app.second_instance(&file.display().to_string());
        let said = if lang == "sv" { "fyll i klienthemligheten" } else { "add the client secret" };
        for _ in 0..100 {
            if w.focused().await == "client-secret" && w.text("#origin-notice").await.contains(said) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(w.focused().await, "client-secret", "{lang} {width}x{height}");
        assert!(w.text("#origin-notice").await.contains(said), "{lang}: {}", w.text("#origin-notice").await);
        tokio::time::sleep(Duration::from_millis(150)).await; // the scroll, not a wait for data
        assert_eq!(in_view().await, Some(true), "{lang} {width}x{height}: the focused field is in view");
        w.screenshot(&screenshots().join(format!("1-activation-file-opened-{lang}-{width}x{height}.png"))).await;
    }
    app.set_language("en").await;
    w.fill("#client-secret", SECRET).await;
    w.click("#next").await;
    w.visible("input[name=scope][value=companyinformation]").await;
    let ticked = w
        .script(
            "return document.querySelector(arguments[0]).checked",
            serde_json::json!(["input[name=scope][value=companyinformation]"]),
        )
        .await;
    assert_eq!(ticked, serde_json::json!(true), "the file's scopes are ticked");
    w.click("#next").await;
    w.click("#authorize").await;
    assert_eq!(app.result().await, "success");
    app.quit().await;
}

/// An activation file as the integration's supplier would send it.
fn activation_file(dir: &std::path::Path, file_name: &str, name: &str, redirect_uri: &str, scopes: &[&str]) -> PathBuf {
    let path = dir.join(file_name);
    let text = serde_json::json!({"format": "fortnox-activation", "version": 1, "name": name, "clientId": CLIENT_ID,
        "redirectUri": redirect_uri, "scopes": scopes, "accountType": "user"});
    std::fs::write(&path, text.to_string()).unwrap();
    path
}

/// The lines of a notice's list (an activation file's problems or notes).
async fn notice_lines(w: &Session, css: &str) -> Vec<String> {
    let got = w
        .script(
            "return [...document.querySelectorAll(arguments[0] + ' li')].map((li) => li.textContent)",
            serde_json::json!([css]),
        )
        .await;
    serde_json::from_value(got).unwrap()
}

/// How a Linux desktop entry's `%u` hands a double-clicked file over: as a `file://` URL
/// (spaces escaped). A second double-click while the window is open goes to that window.
#[tokio::test]
async fn an_activation_file_opened_as_a_file_url_or_by_a_second_start_fills_the_one_window() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let redirect_uri = format!("http://localhost:{}/callback", free_port());
    let first = activation_file(
        dir.path(),
        "Acme AB.fortnox-activation",
        "Acme AB",
        &redirect_uri,
        &["companyinformation", "invoices"],
    );
    let url = url::Url::from_file_path(&first).unwrap().to_string();
    assert!(url.starts_with("file:///") && url.contains("Acme%20AB"), "{url}");
    let app = launch_with(Some(&redirect_uri), &[], &[url]).await;
    let w = &app.win;
    w.visible("#origin-notice").await;
    assert!(w.text("#origin-notice").await.contains("Acme AB.fortnox-activation"));
    assert_eq!(w.value("#connection-name").await, "Acme AB");
    // The file's typo is named in the notice, with the scope it most likely means.
    let lines = notice_lines(w, "#origin-notice").await;
    assert_eq!(lines, ["Scopes: \u{201c}invoices\u{201d} is not a Fortnox scope. Did you mean \u{201c}invoice\u{201d}? Change it in step 2."]);
    app.shot_at("1-activation-file-notes", "#origin-notice").await;
    // A second start with another file (a double-click while the window is open): the one
    // window takes it, and the second process exits without one. This one is named as
    // earlier versions exported files: the content decides, not the name.
    let second =
        activation_file(dir.path(), "beta.fortnox-activation.json", "Beta AB", &redirect_uri, &["companyinformation"]);
    app.second_instance(&second.display().to_string());
    w.find("#origin-notice").await;
    for _ in 0..100 {
        if w.value("#connection-name").await == "Beta AB" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(w.value("#connection-name").await, "Beta AB");
    assert!(w.text("#origin-notice").await.contains("beta.fortnox-activation.json"));
    assert!(notice_lines(w, "#origin-notice").await.is_empty(), "nothing to note about this file");
    assert_eq!(w.window_count().await, 1);
    assert!(!w.is_visible("#link-notice").await, "a file is not taken for a link");
    // A bad file handed over while step 2 shows: the window goes to step 1, which lists why.
    w.click("#next").await;
    w.visible("input[name=scope][value=companyinformation]").await;
    let bad = dir.path().join("bad.fortnox-activation.json");
    std::fs::write(&bad, r#"{"format": "fortnox-activation", "version": 1, "name": "Bad AB"}"#).unwrap();
    app.second_instance(&bad.display().to_string());
    w.visible("#origin-notice li").await;
    w.visible(".steps .step.is-current[data-step='1']").await;
    let lines = notice_lines(w, "#origin-notice").await;
    assert_eq!(lines.len(), 3, "client ID, redirect URI and scopes missing: {lines:?}");
    assert!(w.text("#origin-notice").await.contains("bad.fortnox-activation.json"));
    app.quit().await;
}

/// A bad activation file is explained as a list, one line per field, each saying what to
/// do, with the likely fix where one stands out (issue 19, item 9).
#[tokio::test]
async fn a_bad_activation_file_is_listed_field_by_field_with_what_to_do() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = launch(None).await;
    let w = &app.win;
    let file = serde_json::json!({"format": "fortnox-activation", "version": 1, "name": "Acme AB",
        "redirectUri": "http://localhost:9876/ callback", "scopes": ["invoice"], "accountType": "robot"})
    .to_string();
    choose_activation_file(w, &file).await;
    w.visible("#origin-notice li").await;
    let lines = notice_lines(w, "#origin-notice").await;
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0], "Client ID: missing. Ask for a new file that has it.");
    assert!(lines[1].starts_with("Redirect URI: "), "{lines:?}");
    assert!(lines[1].ends_with("Did you mean http://localhost:9876/callback?"), "{lines:?}");
    assert!(lines[2].starts_with("Account type: \u{201c}robot\u{201d} is not an account type"), "{lines:?}");
    let said = w.text("#origin-notice").await;
    assert!(said.contains("acme.fortnox-activation"), "{said}");
    assert_eq!(said.matches("cannot be used").count(), 1, "{said}");
    assert!(said.contains("Ask whoever sent the file for a new one"), "{said}");
    assert_eq!(w.value("#client-id").await, "", "nothing of a bad file is filled in");
    // At every window size, in both languages: Next in view, nothing too wide or overlapping,
    // axe-core clean; screenshots 1-activation-file-problems-<lang>-<size>.png.
    app.at_each_size("1-activation-file-problems", "en", "#next").await;
    app.set_language("sv").await;
    let lines = notice_lines(w, "#origin-notice").await;
    assert_eq!(lines[0], "Klient-ID: saknas. Be om en ny fil där det finns med.");
    assert!(lines[1].ends_with("Menade du http://localhost:9876/callback?"), "{lines:?}");
    app.at_each_size("1-activation-file-problems", "sv", "#next").await;
    app.quit().await;
}

/// `scripts/test-deb.sh` (root, the installed `.deb`): the package registers the activation
/// file's type, so the desktop knows the file and names the package's entry for it, and
/// `gio open` on the file starts the installed app with it, or hands it to the running
/// window. With `FORTNOX_ACTIVATOR_DESKTOP_ENTRY`, the installed entry's path.
#[tokio::test]
#[ignore = "needs the installed .deb: scripts/test-deb.sh runs it"]
async fn the_installed_package_opens_an_activation_file_through_its_desktop_entry() {
    let _one = ONE_AT_A_TIME.lock().await;
    let entry = std::env::var("FORTNOX_ACTIVATOR_DESKTOP_ENTRY").expect("run through scripts/test-deb.sh");
    let entry_name = std::path::Path::new(&entry).file_name().unwrap().to_string_lossy().into_owned();
    let dir = tempfile::tempdir().unwrap();
    let redirect_uri = format!("http://localhost:{}/callback", free_port());
    // As exports are named: one extension, the one Windows and macOS go by.
    let file =
        activation_file(dir.path(), "some.fortnox-activation", "Acme AB", &redirect_uri, &["companyinformation"]);
    let run = |program: &str, args: &[&str], env: &[(&str, &str)]| {
        let out = std::process::Command::new(program).args(args).envs(env.iter().copied()).output().unwrap();
        assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    // What gio starts keeps running: it must not hold gio's output open.
    let gio_open = |path: &str, env: &[(&str, &str)]| {
        let status = std::process::Command::new("gio")
            .args(["open", path])
            .envs(env.iter().copied())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "gio open {path}: {status}");
    };
    // The desktop knows the type (a desktop environment asks gio; plain xdg-mime would ask
    // `file`, which knows only JSON) and names the package's entry as its handler.
    let path = file.display().to_string();
    let mime = run("xdg-mime", &["query", "filetype", &path], &[("XDG_CURRENT_DESKTOP", "GNOME")]);
    assert_eq!(mime, "application/x-fortnox-activation+json");
    assert_eq!(
        run("gio", &["info", "-a", "standard::content-type", &path], &[]).lines().last().unwrap_or("").trim(),
        "standard::content-type: application/x-fortnox-activation+json"
    );
    let default = run("xdg-mime", &["query", "default", &mime], &[]);
    assert_eq!(default, entry_name, "the package's entry opens the file");
    // A file named as earlier versions exported it is the same type.
    let old =
        activation_file(dir.path(), "old.fortnox-activation.json", "Old AB", &redirect_uri, &["companyinformation"]);
    assert_eq!(
        run("xdg-mime", &["query", "filetype", &old.display().to_string()], &[("XDG_CURRENT_DESKTOP", "GNOME")]),
        "application/x-fortnox-activation+json"
    );

    // No window yet: `gio open` starts the installed app with the file, and its window
    // takes it (said in the app's log, which never names the path).
    single_instance_gone();
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let home_var = home.path().display().to_string();
    let data_var = data.display().to_string();
    let env =
        [("HOME", home_var.as_str()), ("XDG_DATA_HOME", data_var.as_str()), ("WEBKIT_DISABLE_DMABUF_RENDERER", "1")];
    gio_open(&path, &env);
    let log = data.join("se.fortnoxactivator.app/logs/fortnox-activator.log");
    let took = |log: &std::path::Path| {
        std::fs::read_to_string(log).unwrap_or_default().contains("the window took an activation file")
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !took(&log) {
        assert!(
            std::time::Instant::now() < deadline,
            "the started app's window never took the file: {:?}",
            std::fs::read_to_string(&log)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let pid = single_instance_owner().expect("the app gio started holds the single-instance name");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("some.fortnox-activation"), "no file name or path in the log: {text}");
    let _ = std::process::Command::new("kill").arg(pid.to_string()).status();
    single_instance_gone();

    // A window already open: `gio open` hands the file to it.
    let app = launch(Some(&redirect_uri)).await;
    let w = &app.win;
    assert_eq!(w.value("#client-id").await, "");
    gio_open(&path, &app.env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>());
    w.visible("#origin-notice").await;
    for _ in 0..100 {
        if w.value("#client-id").await == CLIENT_ID {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(w.value("#client-id").await, CLIENT_ID);
    assert_eq!(w.value("#connection-name").await, "Acme AB");
    assert!(w.text("#origin-notice").await.contains("some.fortnox-activation"));
    assert_eq!(w.window_count().await, 1);
    app.shot("1-activation-file-installed").await;
    app.quit().await;
}

// ---------------------------------------------------------------- the ready signal

fn unix_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64
}

/// Starts the app itself (no driver: its stdout is the contract) in a throwaway home, with
/// `FORTNOX_ACTIVATOR_READY` set to `ready` (or unset), and collects its stdout lines for
/// `for_how_long`, then ends it.
fn stdout_of_a_start(ready: Option<&str>, for_how_long: Duration) -> (u64, Vec<String>) {
    use std::io::BufRead as _;
    single_instance_gone();
    let home = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(app_path());
    cmd.env("HOME", home.path())
        .env("LANG", "C.UTF-8")
        .env("LC_ALL", "C.UTF-8")
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .env("FORTNOX_ACTIVATOR_NO_REGISTER", "1")
        .env_remove("FORTNOX_ACTIVATOR_READY")
        .env_remove("FORTNOX_ACTIVATOR_MARKS_FILE");
    for var in ["XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"] {
        cmd.env(var, home.path().join(var));
    }
    if let Some(value) = ready {
        cmd.env("FORTNOX_ACTIVATOR_READY", value);
    }
    cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::null());
    let started = unix_ms();
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = std::time::Instant::now() + for_how_long;
    let mut lines = Vec::new();
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) => lines.push(line),
            Err(_) => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    (started, lines)
}

#[tokio::test]
async fn the_ready_signal_is_one_line_when_asked_for_and_nothing_otherwise() {
    let _one = ONE_AT_A_TIME.lock().await;
    // Asked for: exactly one `ready <unix ms>`, at a time between the start and now; the
    // launch phases may come too (each a word and a time), nothing else.
    let (started, lines) = stdout_of_a_start(Some("1"), Duration::from_secs(8));
    let ready: Vec<&String> = lines.iter().filter(|l| l.starts_with("ready ")).collect();
    assert_eq!(ready.len(), 1, "one ready line, got {lines:?}");
    let at: u64 = ready[0]["ready ".len()..].parse().expect("ready <unix ms>");
    assert!(at >= started && at <= unix_ms(), "ready at {at}, started {started}: {lines:?}");
    for line in &lines {
        let (word, time) = line.split_once(' ').unwrap_or((line, ""));
        assert!(["ready", "main", "setup", "page", "script", "dom"].contains(&word), "unexpected line {line:?}");
        assert!(time.parse::<u64>().is_ok(), "a mark is a word and a time: {line:?}");
    }
    // The phases come in their order (the window sends its own, script and dom, just after
    // ready so as not to delay it, with the times they were taken).
    let time_of = |w: &str| lines.iter().find_map(|l| l.strip_prefix(&format!("{w} "))?.parse::<u64>().ok());
    let (main, page, dom) = (time_of("main").unwrap(), time_of("page").unwrap(), time_of("dom").unwrap());
    assert!(main <= page && page <= dom && dom <= at, "main {main} page {page} dom {dom} ready {at}");

    // Not asked for (unset, or another value): not a line.
    for value in [None, Some("0")] {
        let (_, lines) = stdout_of_a_start(value, Duration::from_secs(5));
        assert_eq!(lines, Vec::<String>::new(), "FORTNOX_ACTIVATOR_READY={value:?}");
    }
}
