//! A small W3C WebDriver client for the end-to-end tests: `tauri-driver` in front of
//! WebKitWebDriver, driving the real app window.
//!
//! Only what the tests use: sessions, finding elements by CSS, clicking, typing, keys to the
//! focused element, text and attributes, scripts, and screenshots. Every lookup waits (up to
//! [`WAIT`]) for the element to be present, as a person would wait for the window.

use base64::Engine as _;
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a lookup waits for an element or condition.
pub const WAIT: Duration = Duration::from_secs(20);

/// WebDriver key codes.
pub mod keys {
    pub const TAB: &str = "\u{E004}";
    pub const ENTER: &str = "\u{E007}";
    pub const ESCAPE: &str = "\u{E00C}";
    pub const SPACE: &str = "\u{E00D}";
    pub const SHIFT: &str = "\u{E008}";
    pub const CONTROL: &str = "\u{E009}";
    pub const BACKSPACE: &str = "\u{E003}";
}

/// A running `tauri-driver`, killed on drop.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Driver {
    /// Starts `tauri-driver` on free ports with the given environment (which the app it
    /// launches inherits) and waits until it answers.
    pub async fn start(env: &[(String, String)]) -> Driver {
        let port = super::free_port();
        let native = super::free_port();
        let mut cmd = Command::new("tauri-driver");
        cmd.args(["--port", &port.to_string(), "--native-port", &native.to_string()]);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.stdout(Stdio::null()).stderr(Stdio::inherit());
        let child = cmd.spawn().expect(
            "tauri-driver could not start: install it with `cargo install tauri-driver --locked` \
             (scripts/setup.sh --test does) and make sure WebKitWebDriver is on PATH",
        );
        let driver = Driver { child, url: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + WAIT;
        let http = reqwest::Client::new();
        loop {
            if let Ok(r) = http.get(format!("{}/status", driver.url)).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "tauri-driver did not answer");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A WebDriver session: one app window.
pub struct Session {
    http: reqwest::Client,
    base: String,
}

impl Session {
    /// Launches `application` through the driver.
    pub async fn launch(driver: &Driver, application: &Path) -> Session {
        Self::launch_with_args(driver, application, &[]).await
    }

    /// Launches `application` with command-line arguments (as the OS starts it for a link).
    pub async fn launch_with_args(driver: &Driver, application: &Path, args: &[String]) -> Session {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
        let body =
            json!({"capabilities": {"alwaysMatch": {"tauri:options": {"application": application, "args": args}}}});
        // WebKitWebDriver sometimes drops the first session on a fresh display (a connection
        // closed without an answer): starting the session is retried, never an assertion.
        let mut tries = 0;
        let v = loop {
            tries += 1;
            match call(&http, "POST", &format!("{}/session", driver.url), Some(body.clone())).await {
                Ok(v) => break v,
                Err(e) if tries < 3 => eprintln!("note: new session failed ({e}); trying again"),
                Err(e) => panic!("new session: {e}"),
            }
        };
        let id = v["sessionId"].as_str().expect("session id").to_string();
        Session { http, base: format!("{}/session/{id}", driver.url) }
    }

    async fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        call(&self.http, method, &format!("{}{path}", self.base), body).await
    }

    /// How many windows the app has.
    pub async fn window_count(&self) -> usize {
        self.cmd("GET", "/window/handles", None).await.ok().and_then(|v| v.as_array().map(Vec::len)).unwrap_or(0)
    }

    /// Ends the session (closes the app).
    pub async fn quit(self) {
        let _ = call(&self.http, "DELETE", &self.base, None).await;
    }

    async fn try_find(&self, css: &str) -> Option<String> {
        let v = self.cmd("POST", "/element", Some(json!({"using": "css selector", "value": css}))).await.ok()?;
        v.as_object()?.values().next()?.as_str().map(str::to_string)
    }

    /// Waits for an element matching `css` and returns its id.
    pub async fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(id) = self.try_find(css).await {
                return id;
            }
            assert!(Instant::now() < deadline, "no element matches {css}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until an element matching `css` is displayed, and returns its id.
    pub async fn visible(&self, css: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(id) = self.try_find(css).await {
                if self.cmd("GET", &format!("/element/{id}/displayed"), None).await.ok() == Some(Value::Bool(true)) {
                    return id;
                }
            }
            if Instant::now() >= deadline {
                let page = self
                    .cmd("POST", "/execute/sync", Some(json!({"script": "return document.body.innerText", "args": []})))
                    .await;
                panic!("{css} did not become visible; the window shows: {page:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// True when an element matching `css` exists and is displayed, right now.
    pub async fn is_visible(&self, css: &str) -> bool {
        match self.try_find(css).await {
            Some(id) => {
                self.cmd("GET", &format!("/element/{id}/displayed"), None).await.ok() == Some(Value::Bool(true))
            }
            None => false,
        }
    }

    /// Clicks an element once it is visible (retrying while it is not yet interactable).
    ///
    /// One case is pressed with the keyboard instead, as a keyboard user would: a control
    /// that the scrolling step body cuts at its edge. WebKitWebDriver does not scroll a
    /// partly visible element into view and then finds the footer (or header) at its middle;
    /// Element Send Keys focuses the control, which brings it into view as any focus does,
    /// and Space presses it (button, checkbox, radio, summary). Nothing scrolls by script.
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let id = self.visible(css).await;
            match self.cmd("POST", &format!("/element/{id}/click"), Some(json!({}))).await {
                Ok(_) => return,
                Err(e) if e.contains("not interactable") && self.cut_by_the_body_edge(css).await => {
                    self.cmd("POST", &format!("/element/{id}/value"), Some(json!({"text": keys::SPACE})))
                        .await
                        .unwrap_or_else(|e| panic!("could not press {css}: {e}"));
                    return;
                }
                Err(e) => assert!(Instant::now() < deadline, "could not click {css}: {e}"),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// True when the element lies partly inside the scrolling step body (`#main`) and
    /// partly under the header or footer.
    async fn cut_by_the_body_edge(&self, css: &str) -> bool {
        self.script(
            "const e = document.querySelector(arguments[0]); const m = document.getElementById('main');
             if (!e || !m || !m.contains(e)) return false;
             const r = e.getBoundingClientRect(), b = m.getBoundingClientRect();
             return (r.top < b.bottom && r.bottom > b.bottom) || (r.top < b.top && r.bottom > b.top);",
            json!([css]),
        )
        .await
            == Value::Bool(true)
    }

    /// Replaces the value of an input the way a person does: select all, then type (or
    /// delete). Element Send Keys focuses the field, which scrolls it into view like any
    /// focus does. (Element Clear is not used: WebKitWebDriver refuses to clear a field that
    /// the scrolling step body cuts at its edge, since it does not scroll a partly visible
    /// element and the field's middle then lies under the footer.)
    pub async fn fill(&self, css: &str, text: &str) {
        let id = self.visible(css).await;
        // Two commands: the Control key is released at the end of the first.
        let select_all = format!("{}a", keys::CONTROL);
        let mut typed = self.cmd("POST", &format!("/element/{id}/value"), Some(json!({"text": select_all}))).await;
        if typed.is_ok() {
            let replace = format!("{}{text}", keys::BACKSPACE);
            typed = self.cmd("POST", &format!("/element/{id}/value"), Some(json!({"text": replace}))).await;
        }
        if let Err(e) = typed {
            let probe = self
                .script(
                    "const e = document.querySelector(arguments[0]); const r = e.getBoundingClientRect(); \
                     const x = r.x + r.width / 2, y = r.y + r.height / 2; \
                     return JSON.stringify({rect: [r.x, r.y, r.width, r.height], vw: innerWidth, vh: innerHeight, \
                     at: document.elementsFromPoint(x, y).map(n => n.id || n.className || n.tagName)});",
                    json!([css]),
                )
                .await;
            panic!("type into {css}: {e}; {probe}");
        }
        let value = self.value(css).await;
        assert_eq!(value, text, "{css} holds what was typed");
    }

    /// Sends keys to whatever has focus, as a keyboard would.
    pub async fn keys(&self, text: &str) {
        let v = self.cmd("GET", "/element/active", None).await.expect("a focused element");
        let id = v.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).expect("element id").to_string();
        self.cmd("POST", &format!("/element/{id}/value"), Some(json!({"text": text}))).await.expect("send keys");
    }

    /// The id attribute (or, failing that, the tag) of the focused element.
    pub async fn focused(&self) -> String {
        self.script(
            "const e = document.activeElement; return e ? (e.id || e.getAttribute('name') || e.tagName) : ''",
            json!([]),
        )
        .await
        .as_str()
        .unwrap_or("")
        .to_string()
    }

    /// The rendered text of an element.
    pub async fn text(&self, css: &str) -> String {
        let id = self.find(css).await;
        self.cmd("GET", &format!("/element/{id}/text"), None)
            .await
            .unwrap_or_default()
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// The rendered text of an element once `done` holds for it (polled for up to 20 s), or
    /// the last text read. For an element that already shows an earlier message of the
    /// same kind, where waiting for it to be visible says nothing about the new one.
    pub async fn text_until(&self, css: &str, done: impl Fn(&str) -> bool) -> String {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let text = self.text(css).await;
            if done(&text) || std::time::Instant::now() > until {
                return text;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// An attribute of an element.
    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        let id = self.find(css).await;
        self.cmd("GET", &format!("/element/{id}/attribute/{name}"), None).await.ok()?.as_str().map(str::to_string)
    }

    /// The current value of an input (its property, not the attribute).
    pub async fn value(&self, css: &str) -> String {
        let id = self.find(css).await;
        self.cmd("GET", &format!("/element/{id}/property/value"), None)
            .await
            .unwrap_or_default()
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Resizes the window (its outer size; the page gets what the title bar leaves, which
    /// under Xvfb without a window manager is all of it).
    pub async fn set_window_size(&self, width: u32, height: u32) {
        self.cmd("POST", "/window/rect", Some(json!({"width": width, "height": height})))
            .await
            .unwrap_or_else(|e| panic!("resize to {width}x{height}: {e}"));
    }

    /// Runs an asynchronous script (it calls its last argument with the result).
    pub async fn script_async(&self, script: &str, args: Value) -> Value {
        self.cmd("POST", "/execute/async", Some(json!({"script": script, "args": args})))
            .await
            .expect("async script runs")
    }

    /// Runs a script in the window and returns its result.
    pub async fn script(&self, script: &str, args: Value) -> Value {
        self.cmd("POST", "/execute/sync", Some(json!({"script": script, "args": args}))).await.expect("script runs")
    }

    /// Saves a screenshot of the window as PNG. WebKitWebDriver's screenshot sometimes never
    /// answers under Xvfb; then the X screen is captured instead (ImageMagick's `import`,
    /// trimmed to the window), so a test never fails for want of a picture.
    pub async fn screenshot(&self, path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let png = match tokio::time::timeout(Duration::from_secs(10), self.cmd("GET", "/screenshot", None)).await {
            Ok(Ok(v)) => v.as_str().and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok()),
            _ => None,
        };
        match png {
            Some(png) => std::fs::write(path, png).unwrap(),
            None => {
                let ok = Command::new("import")
                    .args(["-window", "root", "-trim", "+repage"])
                    .arg(path)
                    .status()
                    .is_ok_and(|s| s.success());
                eprintln!(
                    "note: the driver gave no screenshot for {}; {}",
                    path.display(),
                    if ok { "captured the X screen instead" } else { "none taken" }
                );
            }
        }
    }
}

async fn call(http: &reqwest::Client, method: &str, url: &str, body: Option<Value>) -> Result<Value, String> {
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = http.request(m, url);
    if let Some(b) = body {
        req = req.header("Content-Type", "application/json").body(b.to_string());
    }
    let resp = req.send().await.map_err(|e| e.to_string())?;
    let status = resp.status();
    let text = resp.text().await.map_err(|e| e.to_string())?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
    if status.is_success() {
        Ok(v["value"].clone())
    } else {
        Err(format!("{status}: {}", v["value"]))
    }
}
