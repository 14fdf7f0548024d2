//! The Windows build under Wine: `fortnox-activate.exe` against the Fortnox stand-in, with
//! the Credential Manager, `%APPDATA%`, Windows' file locks and console, and the browser
//! opened the Windows way (the `open` crate asks Wine's `winebrowser`, which hands the
//! address to xdg-open and so to the fake browser); and `fortnox-activator.exe`, the app,
//! on a system without WebView2.
//!
//! Run by `scripts/test-windows.sh`, which builds the `.exe` files and the `ProcessPrng`
//! DLL Wine 8 lacks into `WINE_SUITE_EXE_DIR`, makes a fresh `WINEPREFIX` and runs these
//! with `--ignored --test-threads=1` (they share the prefix, so one at a time). Each step
//! prints what it checked.

mod common;

use activator_tests::standin::{ClientConfig, CompanyConfig, StandIn, StandInConfig};
use common::{free_port, BrowserEnv};
use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "wine-client-secret-0123";
const COMPANY: &str = "Företaget Åäö Öst AB";

/// Where the suite's pieces are (from `scripts/test-windows.sh`).
struct Wine {
    loader: PathBuf,
    exe_dir: PathBuf,
    prefix: PathBuf,
}

fn wine() -> Wine {
    let var = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .unwrap_or_else(|| panic!("{name} is not set: run scripts/test-windows.sh"))
    };
    Wine { loader: var("WINE_SUITE_LOADER"), exe_dir: var("WINE_SUITE_EXE_DIR"), prefix: var("WINEPREFIX") }
}

impl Wine {
    /// The prefix's user folder (`C:\users\<name>`), where `%APPDATA%` and
    /// `%LOCALAPPDATA%` are.
    fn user_dir(&self) -> PathBuf {
        let users = self.prefix.join("drive_c/users");
        std::fs::read_dir(&users)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.join("AppData").is_dir() && !p.ends_with("Public"))
            .unwrap_or_else(|| panic!("no user folder under {}", users.display()))
    }

    fn appdata(&self) -> PathBuf {
        self.user_dir().join("AppData/Roaming/se.fortnoxactivator.app")
    }
}

struct Setup {
    wine: Wine,
    standin: StandIn,
    browser: BrowserEnv,
    redirect_uri: String,
    port: u16,
}

fn setup(service_accounts: bool) -> Setup {
    let port = free_port();
    let redirect_uri = format!("http://localhost:{port}/callback");
    let client = ClientConfig::new("wine-client", SECRET, redirect_uri.clone()).with_service_accounts(service_accounts);
    let config = StandInConfig {
        company: CompanyConfig { name: COMPANY.into(), ..CompanyConfig::default() },
        ..StandInConfig::with_client(client)
    };
    Setup {
        wine: wine(),
        standin: StandIn::start_in_background(config),
        browser: BrowserEnv::new(),
        redirect_uri,
        port,
    }
}

impl Setup {
    /// `wine64 fortnox-activate.exe` with the stand-in's URLs, the browser, and `secret`.
    fn base(&self, secret: Option<&str>) -> Command {
        let mut cmd = Command::new(&self.wine.loader);
        cmd.arg(self.wine.exe_dir.join("fortnox-activate.exe"));
        cmd.env_clear();
        for var in ["PATH", "HOME", "USER", "LANG", "WINEPREFIX", "WINEDEBUG"] {
            if let Some(v) = std::env::var_os(var) {
                cmd.env(var, v);
            }
        }
        cmd.env("FORTNOX_OAUTH_URL", self.standin.oauth_url()).env("FORTNOX_API_URL", self.standin.api_url());
        if let Some(s) = secret {
            cmd.env("FORTNOX_CLIENT_SECRET", s);
        }
        self.browser.apply(&mut cmd);
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd
    }

    fn activate(&self, secret: Option<&str>, args: &[&str]) -> Command {
        let mut cmd = self.base(secret);
        cmd.args(["--client-id", "wine-client", "--redirect-uri", &self.redirect_uri]);
        cmd.args(args);
        cmd
    }

    fn run(&self, mut cmd: Command, what: &str) -> Output {
        let child = cmd.spawn().expect("wine64 starts");
        finish(child, what)
    }

    fn saved(&self, args: &[&str]) -> Output {
        let mut cmd = self.base(None);
        cmd.args(args);
        self.run(cmd, &args.join(" "))
    }
}

/// Waits for a child with a generous limit (a hang detector, not a timing assertion).
fn finish(mut child: Child, what: &str) -> Output {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            panic!("{what}: did not exit within 120 s; stderr: {}", String::from_utf8_lossy(&o.stderr));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn stdout_json(o: &Output) -> serde_json::Value {
    let s = String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8");
    serde_json::from_str(s.trim()).unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {s:?}"))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: &Output, what: &str) {
    // The status as the system words it: with no code, the signal that ended Wine's loader.
    assert_eq!(o.status.code(), Some(0), "{what}: {}; stderr: {}", o.status, stderr(o));
}

/// A plain HTTP GET to `addr` with a `Host` header, as a browser sends it: (status, headers, body).
fn http_get(addr: SocketAddr, host: &str, target: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(s, "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim()))
}

/// Waits for a window titled `title` (the app's message box) and presses Enter in it until
/// the process exits (a hang detector with a generous limit, not a timing assertion).
fn close_message_box(child: &mut Child, title: &str) {
    let xdotool = |args: &[&str]| Command::new("xdotool").args(args).output().expect("xdotool runs");
    let deadline = Instant::now() + Duration::from_secs(90);
    let window = loop {
        let found = xdotool(&["search", "--name", title]);
        if let Some(id) = String::from_utf8_lossy(&found.stdout).lines().next() {
            break id.trim().to_string();
        }
        if let Some(status) = child.try_wait().unwrap() {
            let mut said = String::new();
            if let Some(mut err) = child.stderr.take() {
                let _ = err.read_to_string(&mut said);
            }
            panic!("the app exited ({status}) without showing a message box titled {title:?}; stderr: {said}");
        }
        assert!(Instant::now() < deadline, "no message box titled {title:?} appeared");
        std::thread::sleep(Duration::from_millis(200));
    };
    println!("ok: a message box titled {title:?} opened (window {window})");
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the message box did not close");
        xdotool(&["windowfocus", &window]);
        xdotool(&["key", "--window", &window, "Return"]);
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Reads stderr lines until one contains `what`; returns everything read.
fn read_until(err: &mut impl std::io::BufRead, what: &str) -> String {
    let mut seen = String::new();
    while !seen.contains(what) {
        let mut line = String::new();
        assert!(err.read_line(&mut line).unwrap() > 0, "stderr ended before {what:?}: {seen}");
        seen.push_str(&line);
    }
    seen
}

/// Every file under `dir` that holds one of `secrets`.
fn files_holding(dir: &Path, secrets: &[String], found: &mut Vec<String>, searched: &mut usize) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.filter_map(Result::ok) {
        let path = e.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
        if meta.is_dir() {
            files_holding(&path, secrets, found, searched);
        } else if meta.is_file() {
            *searched += 1;
            let bytes = std::fs::read(&path).unwrap_or_default();
            for s in secrets {
                let wide: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
                if contains(&bytes, s.as_bytes()) || contains(&bytes, &wide) {
                    found.push(format!("{} holds a secret of {} chars", path.display(), s.len()));
                }
            }
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Keeps every token an output printed, for the search at the end.
fn remember(secrets: &mut Vec<String>, o: &Output) {
    if let Ok(j) = serde_json::from_slice::<serde_json::Value>(o.stdout.trim_ascii()) {
        for key in ["access_token", "refresh_token", "code"] {
            if let Some(v) = j[key].as_str() {
                secrets.push(v.to_string());
            }
        }
    }
}

#[test]
#[ignore = "needs Wine and the Windows build: scripts/test-windows.sh"]
fn windows_command_line_under_wine() {
    let mut secrets: Vec<String> = vec![SECRET.to_string()];

    // 1. Loopback with `localhost`, the browser opened the Windows way, 127.0.0.1 answered;
    //    saved into the Credential Manager and %APPDATA% under a name with Swedish letters.
    let s = setup(false);
    let name = "Kund Åström & Söner";
    let o = s.run(
        s.activate(
            Some(SECRET),
            &["--scope", "companyinformation", "--scope", "invoice", "--timeout", "60", "--save", name],
        ),
        "activate",
    );
    ok(&o, "activate --save");
    remember(&mut secrets, &o);
    let j = stdout_json(&o);
    assert_eq!(j["company_name"], COMPANY);
    let err = stderr(&o);
    assert!(err.contains(&format!("Saved as \u{201c}{name}\u{201d}")), "{err}");
    assert!(err.contains(r"AppData\Roaming\se.fortnoxactivator.app\connections.json"), "{err}");
    assert!(!err.contains("not the keys"), "{err}");
    let log = s.browser.log_text();
    assert!(log.lines().any(|l| l.starts_with("VISIT 200 http://localhost:")), "{log}");
    assert!(s.wine.appdata().join("connections.json").is_file());
    println!("ok: loopback on localhost (127.0.0.1) through winebrowser; saved as {name:?}; settings in %APPDATA%");

    // 2. The same listener answers on ::1: the test plays the browser and calls back on [::1].
    let mut child = s
        .activate(Some(SECRET), &["--scope", "companyinformation", "--no-browser", "--timeout", "60"])
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let seen = read_until(&mut err, "Waiting for Fortnox");
    let url =
        seen.split_whitespace().find(|w| w.contains("/auth?client_id=")).expect("authorize URL on stderr").to_string();
    let standin: SocketAddr = url.split('/').nth(2).unwrap().parse().unwrap();
    let target = &url[url.find("/oauth-v1").unwrap()..];
    let (status, head, _) = http_get(standin, &standin.to_string(), target);
    assert_eq!(status, 302);
    let location = header(&head, "location").unwrap().to_string();
    let host = format!("localhost:{}", s.port);
    let path = location.strip_prefix(&format!("http://{host}")).unwrap();
    let (status, _, _) = http_get(SocketAddr::from((Ipv4Addr::LOCALHOST, s.port)), &host, "/favicon.ico");
    assert_eq!(status, 404, "127.0.0.1 listens too");
    let (status, _, page) = http_get(SocketAddr::from((Ipv6Addr::LOCALHOST, s.port)), &host, path);
    assert_eq!(status, 200, "{page}");
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    let mut out = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0), "{seen}{rest}");
    let j: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(j["company_name"], COMPANY);
    secrets.extend(["access_token", "refresh_token"].iter().filter_map(|k| j[*k].as_str().map(String::from)));
    println!("ok: the callback on [::1] completed an activation (127.0.0.1 answered on the same port)");

    // 3. Paste mode: an https redirect page; the address pasted on stdin with a Windows line end.
    let page = "https://integrator.example/fortnox/callback";
    s.standin.register_client(ClientConfig::new("wine-client", SECRET, page));
    std::fs::remove_file(&s.browser.log).ok();
    let mut cmd =
        s.activate(Some(SECRET), &["--redirect-uri", page, "--scope", "companyinformation", "--timeout", "60"]);
    let mut child = cmd.stdin(Stdio::piped()).spawn().unwrap();
    let url = s.browser.wait_final_url(Duration::from_secs(60));
    assert!(url.starts_with(page) && url.contains("code="), "{url}");
    let mut stdin = child.stdin.take().unwrap();
    write!(stdin, "not a url\r\n{url}\r\n").unwrap();
    stdin.flush().unwrap();
    let o = finish(child, "paste");
    drop(stdin);
    ok(&o, "paste");
    remember(&mut secrets, &o);
    assert!(stderr(&o).contains("No authorization code was found"), "{}", stderr(&o));
    assert_eq!(stdout_json(&o)["company_name"], COMPANY);
    s.standin.register_client(ClientConfig::new("wine-client", SECRET, s.redirect_uri.clone()));
    println!("ok: paste mode read the address from stdin (CRLF line ends), after explaining a bad paste");

    // 4. list: Swedish letters as UTF-8, in English and in Swedish.
    let o = s.saved(&["list"]);
    ok(&o, "list");
    let table = String::from_utf8(o.stdout.clone()).expect("list prints UTF-8");
    assert!(table.contains(name) && table.contains(COMPANY), "{table}");
    let mut sv = s.base(None);
    sv.args(["list"]).env("LANG", "sv_SE.UTF-8");
    let o = s.run(sv, "list (sv)");
    let table_sv = String::from_utf8(o.stdout.clone()).expect("list prints UTF-8");
    assert!(table_sv.starts_with("NAMN") && table_sv.contains("FÖRETAG"), "{table_sv}");
    assert!(table_sv.contains(name) && table_sv.contains(COMPANY), "{table_sv}");
    println!("ok: list shows {name:?} and {COMPANY:?} intact, with English and Swedish headings");

    // 5. Two refreshes at once from two processes: the file lock makes them take turns.
    s.standin.clear_requests();
    let spawn = || s.base(None).args(["refresh", name]).spawn().unwrap();
    let (a, b) = (spawn(), spawn());
    let (a, b) = (finish(a, "refresh a"), finish(b, "refresh b"));
    ok(&a, "refresh a");
    ok(&b, "refresh b");
    remember(&mut secrets, &a);
    remember(&mut secrets, &b);
    let sent: Vec<String> = s.standin.token_requests().iter().filter_map(|r| r.form_value("refresh_token")).collect();
    assert_eq!(sent.len(), 2);
    let outs = [stdout_json(&a)["refresh_token"].clone(), stdout_json(&b)["refresh_token"].clone()];
    assert!(
        outs.iter().any(|r| r.as_str() == Some(sent[1].as_str())),
        "the second used the first's new token: {sent:?}"
    );
    let o = s.saved(&["refresh", name]);
    ok(&o, "third refresh");
    remember(&mut secrets, &o);
    println!("ok: two refreshes at once took turns (Windows file lock); the connection still refreshes");

    // 6. A 2,000-character access token is saved and survives a refresh; so does a 16 KB one.
    for (len, conn) in [(2_000, "Lång token 2000"), (16 * 1024, "Lång token 16 KB")] {
        s.standin.set_access_token_length(len);
        let o = s
            .run(s.activate(Some(SECRET), &["--scope", "companyinformation", "--timeout", "60", "--save", conn]), conn);
        ok(&o, conn);
        remember(&mut secrets, &o);
        assert!(stdout_json(&o)["access_token"].as_str().unwrap().len() >= len);
        assert!(!stderr(&o).contains("not the keys"), "{}", stderr(&o));
        let listed = stdout_json(&s.saved(&["list", "--json"]));
        let entry = listed.as_array().unwrap().iter().find(|c| c["name"] == conn).cloned().unwrap_or_default();
        assert_ne!(entry["status"]["kind"], "secrets_not_saved", "{listed}");
        let o = s.saved(&["refresh", conn]);
        ok(&o, "refresh long");
        remember(&mut secrets, &o);
        assert!(!stderr(&o).contains("could not be saved"), "{}", stderr(&o));
        assert!(stdout_json(&o)["access_token"].as_str().unwrap().len() >= len);
        println!("ok: a {len}-character access token was saved in the Credential Manager and survived a refresh");
    }
    s.standin.set_access_token_length(0);

    // 7. export into a folder with spaces and Swedish letters (settings only), then revoke.
    let folder = s.wine.user_dir().join("Mina dokument åäö");
    std::fs::create_dir_all(&folder).unwrap();
    let win_path = format!(
        r"C:\users\{}\Mina dokument åäö\aktivering för kund.json",
        s.wine.user_dir().file_name().unwrap().to_string_lossy()
    );
    let o = s.saved(&["export", name, "-o", &win_path]);
    ok(&o, "export");
    let file = std::fs::read_to_string(folder.join("aktivering för kund.json")).expect("the activation file");
    let _: serde_json::Value = serde_json::from_str(&file).expect("valid JSON");
    assert!(file.contains(&s.redirect_uri) && file.contains(name) && !file.contains(SECRET), "{file}");
    println!("ok: export wrote {win_path:?} (spaces and Swedish letters in the path)");
    for conn in [name, "Lång token 2000", "Lång token 16 KB"] {
        let o = s.saved(&["revoke", conn]);
        ok(&o, "revoke");
        assert_eq!(stdout_json(&o)["revoked_at_fortnox"], true);
    }
    let listed = stdout_json(&s.saved(&["list", "--json"]));
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "{listed}");
    println!("ok: revoke revoked at Fortnox and removed every connection");

    // 8. A service account: client credentials with the tenant header, then revoke.
    let svc = setup(true);
    let o = svc.run(
        svc.activate(
            Some(SECRET),
            &["--scope", "companyinformation", "--service-account", "--timeout", "60", "--save", "Tjänstekonto"],
        ),
        "service",
    );
    ok(&o, "service activation");
    remember(&mut secrets, &o);
    svc.standin.clear_requests();
    let o = svc.saved(&["token", "Tjänstekonto", "--json", "--min-valid", "3600"]);
    ok(&o, "token");
    remember(&mut secrets, &o);
    assert!(stdout_json(&o)["access_token"].as_str().is_some_and(|t| t.split('.').count() == 3));
    assert_eq!(svc.standin.token_requests()[0].header("tenantid"), Some("1234567"));
    let o = svc.saved(&["revoke", "Tjänstekonto"]);
    ok(&o, "revoke service");
    println!("ok: token (client credentials, TenantId header) and revoke of a service account");

    // 9. No token or secret in any file of the prefix's user folders.
    for r in s.standin.token_requests().into_iter().chain(svc.standin.token_requests()) {
        secrets.extend(r.form_value("code"));
        secrets.extend(r.form_value("refresh_token"));
    }
    secrets.retain(|x| x.len() >= 8);
    secrets.sort();
    secrets.dedup();
    let (mut found, mut searched) = (Vec::new(), 0);
    files_holding(&s.wine.prefix.join("drive_c/users"), &secrets, &mut found, &mut searched);
    assert!(found.is_empty(), "{found:#?}");
    assert!(searched > 0);
    println!("ok: none of {} secrets in any of {searched} files under drive_c/users", secrets.len());
}

#[test]
#[ignore = "needs Wine and the Windows build: scripts/test-windows.sh"]
fn windows_app_without_webview2_explains_what_is_missing_and_exits_3() {
    let wine = wine();
    let log = wine.user_dir().join("AppData/Local/se.fortnoxactivator.app/logs/fortnox-activator.log");
    let _ = std::fs::remove_file(&log);
    let mut cmd = Command::new(&wine.loader);
    cmd.arg(wine.exe_dir.join("fortnox-activator.exe"));
    cmd.env_clear();
    for var in ["PATH", "HOME", "USER", "LANG", "WINEPREFIX", "WINEDEBUG", "DISPLAY", "XAUTHORITY"] {
        if let Some(v) = std::env::var_os(var) {
            cmd.env(var, v);
        }
    }
    let display = std::env::var_os("DISPLAY").is_some();
    if !display {
        // No display to show the message box on: the app only logs (the box's code is the
        // same build; scripts/test-windows.sh runs this under xvfb-run and closes the box).
        cmd.env("FORTNOX_ACTIVATOR_NO_DIALOG", "1");
    }
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if display {
        close_message_box(&mut child, "Fortnox Activator could not start");
    }
    let o = finish(child, "fortnox-activator.exe");
    let (out, err) = (String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert_eq!(o.status.code(), Some(3), "stdout: {out}\nstderr: {err}");
    assert!(!err.contains("panicked") && !out.contains("panicked"), "{err}");
    assert!(err.contains("WebView2") && err.contains("installer"), "{err}");
    let text = std::fs::read_to_string(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
    assert!(text.contains("[ERROR]") && text.contains("WebView2"), "{text}");
    assert!(text.contains("https://developer.microsoft.com/microsoft-edge/webview2/"), "{text}");
    println!("ok: the app without WebView2 exited 3, said so on stderr and in {}", log.display());
}
