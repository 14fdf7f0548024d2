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
        let v = call(&http, "POST", &format!("{}/session", driver.url), Some(body)).await.expect("new session");
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
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let id = self.visible(css).await;
            match self.cmd("POST", &format!("/element/{id}/click"), Some(json!({}))).await {
                Ok(_) => return,
                Err(e) => assert!(Instant::now() < deadline, "could not click {css}: {e}"),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Replaces the value of an input.
    pub async fn fill(&self, css: &str, text: &str) {
        let id = self.visible(css).await;
        if let Err(e) = self.cmd("POST", &format!("/element/{id}/clear"), Some(json!({}))).await {
            let probe = self
                .script(
                    "const e = document.querySelector(arguments[0]); const r = e.getBoundingClientRect(); \
                     const x = r.x + r.width / 2, y = r.y + r.height / 2; \
                     return JSON.stringify({rect: [r.x, r.y, r.width, r.height], vw: innerWidth, vh: innerHeight, \
                     at: document.elementsFromPoint(x, y).map(n => n.id || n.className || n.tagName)});",
                    json!([css]),
                )
                .await;
            panic!("clear {css}: {e}; {probe}");
        }
        if !text.is_empty() {
            self.cmd("POST", &format!("/element/{id}/value"), Some(json!({"text": text})))
                .await
                .unwrap_or_else(|e| panic!("type into {css}: {e}"));
        }
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
