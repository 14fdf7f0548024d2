//! The `fortnox-activate` command line, end to end: a real process, the Fortnox stand-in
//! on loopback, and the fake browser as the system browser (`$BROWSER` / xdg-open).

mod common;

use activator_tests::standin::{AuthorizeBehaviour, ClientConfig, CompanyConfig, StandIn, StandInConfig};
use common::{bin, free_port, BrowserEnv};
use std::io::Write as _;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const SECRET: &str = "cli-secret";

struct Setup {
    standin: StandIn,
    browser: BrowserEnv,
    redirect_uri: String,
    port: u16,
}

fn setup(service_accounts: bool) -> Setup {
    setup_with(service_accounts, CompanyConfig::default())
}

/// A setup whose company (the one the stand-in's user approves for) is `company`.
fn setup_with(service_accounts: bool, company: CompanyConfig) -> Setup {
    let port = free_port();
    let redirect_uri = format!("http://localhost:{port}/callback");
    let client = ClientConfig::new("cli-client", SECRET, redirect_uri.clone()).with_service_accounts(service_accounts);
    let standin = StandIn::start_in_background(StandInConfig { company, ..StandInConfig::with_client(client) });
    Setup { standin, browser: BrowserEnv::new(), redirect_uri, port }
}

impl Setup {
    /// `fortnox-activate` with only what the issue allows: the two URLs, the secret, the
    /// browser, and a throwaway HOME and XDG folders (where saved connections go); the
    /// session bus is kept so the keychain is the real Secret Service.
    fn base(&self, secret: Option<&str>) -> Command {
        let mut cmd = Command::new(bin("fortnox-activate"));
        cmd.env_clear();
        for var in ["PATH", "DISPLAY", "LANG", "DBUS_SESSION_BUS_ADDRESS"] {
            if let Ok(v) = std::env::var(var) {
                cmd.env(var, v);
            }
        }
        cmd.env("HOME", self.browser.dir.path().join("home"));
        cmd.env("FORTNOX_OAUTH_URL", self.standin.oauth_url()).env("FORTNOX_API_URL", self.standin.api_url());
        if let Some(s) = secret {
            cmd.env("FORTNOX_CLIENT_SECRET", s);
        }
        self.browser.apply(&mut cmd);
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd
    }

    /// An activation with this setup's client id and redirect URI, then `args`.
    fn command(&self, secret: Option<&str>, args: &[&str]) -> Command {
        let mut cmd = self.base(secret);
        cmd.args(["--client-id", "cli-client", "--redirect-uri", &self.redirect_uri]);
        cmd.args(args);
        cmd
    }

    fn run(&self, secret: Option<&str>, args: &[&str]) -> Output {
        self.command(secret, args).output().expect("fortnox-activate runs")
    }

    /// A subcommand over saved connections (no secret in the environment).
    fn saved(&self, args: &[&str]) -> Output {
        self.base(None).args(args).output().expect("fortnox-activate runs")
    }
}

fn stdout_json(o: &Output) -> serde_json::Value {
    let s = String::from_utf8_lossy(&o.stdout);
    serde_json::from_str(s.trim()).unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {s:?}"))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The one refresh token the stand-in accepts now (a `--save`d connection is kept here,
/// so its activation's output no longer carries it).
fn only_live(s: &Setup) -> String {
    let live = s.standin.live_refresh_tokens();
    assert_eq!(live.len(), 1, "{live:?}");
    live[0].clone()
}

#[test]
fn a_user_account_activation_prints_tokens_and_company() {
    let s = setup(false);
    let o = s.run(Some(SECRET), &["--scope", "companyinformation,invoice", "--timeout", "30"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let j = stdout_json(&o);
    for key in [
        "access_token",
        "refresh_token",
        "expires_in",
        "scope",
        "token_type",
        "tenant_id",
        "company_name",
        "organization_number",
    ] {
        assert!(!j[key].is_null(), "{key} missing in {j}");
    }
    assert_eq!(j["company_name"], "Testbolaget AB");
    assert_eq!(j["organization_number"], "556677-8899");
    assert_eq!(j["tenant_id"], "1234567");
    assert_eq!(j["token_type"].as_str().unwrap().to_ascii_lowercase(), "bearer");
    assert!(s.standin.is_refresh_token_live(j["refresh_token"].as_str().unwrap()));
    // The authorize URL went to stderr, and the secret appears nowhere in the output.
    let err = stderr(&o);
    assert!(err.contains(&format!("{}/auth?client_id=cli-client", s.standin.oauth_url())), "{err}");
    assert!(!err.contains(SECRET) && !String::from_utf8_lossy(&o.stdout).contains(SECRET));
    // The exchange repeated the redirect URI byte for byte, with Basic auth.
    let tokens = s.standin.token_requests();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].form_value("redirect_uri").as_deref(), Some(s.redirect_uri.as_str()));
    assert_eq!(tokens[0].header("authorization"), Some("Basic Y2xpLWNsaWVudDpjbGktc2VjcmV0"));
    // The browser landed on our success page.
    assert!(s.browser.last_page().contains("close this tab") || s.browser.last_page().contains("stänga"));
}

#[test]
fn a_denial_exits_1_with_the_reason() {
    let s = setup(false);
    s.standin.set_authorize(AuthorizeBehaviour::Deny);
    let o = s.run(Some(SECRET), &["--scope", "companyinformation", "--timeout", "30"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let last = err.lines().last().unwrap_or("");
    assert!(last.starts_with("authorization failed:"), "{err}");
    assert!(last.contains("cancelled or refused"), "{last}");
    assert!(o.stdout.is_empty());
    assert!(s.standin.token_requests().is_empty());
}

#[test]
fn a_missing_or_wrong_state_is_never_exchanged() {
    for behaviour in [AuthorizeBehaviour::NoState, AuthorizeBehaviour::WrongState] {
        let s = setup(false);
        s.standin.set_authorize(behaviour);
        let o = s.run(Some(SECRET), &["--scope", "companyinformation", "--timeout", "4"]);
        assert_eq!(o.status.code(), Some(3), "{behaviour:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("does not belong to this attempt"), "{}", stderr(&o));
        assert!(s.standin.token_requests().is_empty(), "{behaviour:?}: a token request was made");
        assert!(s.browser.last_page().contains("failed") || s.browser.last_page().contains("misslyckades"));
    }
}

#[test]
fn a_wrong_secret_exits_1() {
    let s = setup(false);
    let o = s.run(Some("not-the-secret"), &["--scope", "companyinformation", "--timeout", "30"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("authorization failed: Fortnox did not accept the client ID or the client secret"), "{err}");
    assert!(!err.contains("not-the-secret"));
}

#[test]
fn a_service_account_asks_for_it_and_reports_the_tenant() {
    let s = setup(true);
    let o = s.run(Some(SECRET), &["--scope", "companyinformation", "--service-account", "--timeout", "30"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout_json(&o)["tenant_id"], "1234567");
    let auth = s.standin.requests().into_iter().find(|r| r.path.ends_with("/auth")).unwrap();
    assert_eq!(auth.query_value("account_type").as_deref(), Some("service"));
    assert!(s.standin.has_service_consent("cli-client"));
}

#[test]
fn a_service_account_the_app_may_not_use_never_returns() {
    // Fortnox shows "Client does not allow service account" on its own page: nothing comes
    // back, so the command waits until its timeout.
    let s = setup(false);
    let o = s.run(Some(SECRET), &["--scope", "companyinformation", "--service-account", "--timeout", "3"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(s.browser.last_page().contains("Client does not allow service account"));
    assert!(s.standin.token_requests().is_empty());
}

#[test]
fn code_only_prints_the_code_and_exchanges_nothing() {
    let s = setup(false);
    for (secret, args) in [(Some(SECRET), vec!["--code-only"]), (None, vec![])] {
        let mut all = vec!["--scope", "companyinformation", "--timeout", "30"];
        all.extend(args);
        let o = s.run(secret, &all);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let j = stdout_json(&o);
        assert!(j["code"].as_str().is_some_and(|c| !c.is_empty()), "{j}");
        assert!(j["expires_at"].as_str().is_some_and(|t| t.ends_with('Z')), "{j}");
        assert!(j.get("access_token").is_none());
        std::fs::remove_file(&s.browser.log).ok();
    }
    assert!(s.standin.token_requests().is_empty());
}

#[test]
fn a_port_in_use_exits_2_naming_the_port() {
    let s = setup(false);
    let _taken = std::net::TcpListener::bind(("127.0.0.1", s.port)).unwrap();
    let o = s.run(Some(SECRET), &["--scope", "companyinformation", "--timeout", "5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(&format!("Port {}", s.port)), "{}", stderr(&o));
    assert!(s.standin.requests().is_empty(), "nothing should have reached Fortnox");
}

#[test]
fn waiting_too_long_exits_3() {
    let s = setup(false);
    let o = s.run(Some(SECRET), &["--scope", "companyinformation", "--no-browser", "--timeout", "1"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("No answer came from Fortnox within 1 seconds"), "{}", stderr(&o));
    assert!(s.browser.log_text().is_empty(), "--no-browser opened a browser");
}

#[test]
fn bad_settings_exit_2_before_anything_happens() {
    let s = setup(false);
    let o = s.run(Some(SECRET), &["--timeout", "1"]); // no scope
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--scope"), "{}", stderr(&o));
    let o = s.run(Some(SECRET), &["--scope", "x", "--redirect-uri", "http://example.com/cb"]);
    assert_eq!(o.status.code(), Some(2));
    let o = s.run(Some(SECRET), &["--client-secret", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(s.standin.requests().is_empty());
}

#[test]
fn a_pasted_redirect_url_completes_an_https_redirect() {
    // An https redirect page that does not exist: the user copies the address from the
    // browser and pastes it into the command.
    let s = setup(false);
    let page = "https://integrator.example/fortnox/callback";
    s.standin.register_client(ClientConfig::new("cli-client", SECRET, page));
    let mut cmd =
        s.command(Some(SECRET), &["--redirect-uri", page, "--scope", "companyinformation", "--timeout", "30"]);
    let mut child = cmd.stdin(Stdio::piped()).spawn().unwrap();
    let url = s.browser.wait_final_url(Duration::from_secs(20));
    assert!(url.starts_with(page) && url.contains("code="), "{url}");
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "not a url").unwrap();
    writeln!(stdin, "{url}").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("No authorization code was found"), "the bad paste was explained");
    assert_eq!(stdout_json(&o)["company_name"], "Testbolaget AB");
}

#[test]
fn without_browser_set_the_desktop_default_browser_opens() {
    // The other path to the browser: no $BROWSER, so the OS handler (xdg-open) opens the
    // default http handler, here the fake browser registered in mimeapps.list.
    assert!(std::env::var_os("DISPLAY").is_some(), "run under a display (scripts/test.sh uses xvfb-run)");
    let s = setup(false);
    let mut cmd = s.command(Some(SECRET), &["--scope", "companyinformation", "--timeout", "30"]);
    cmd.env_remove("BROWSER");
    let o = cmd.output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout_json(&o)["company_name"], "Testbolaget AB");
}

/// Waits for a child to exit within `limit` (a hang detector, not a timing assertion);
/// kills it and fails when it does not.
fn wait_exit(child: &mut std::process::Child, limit: Duration, what: &str) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: fortnox-activate did not exit");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_browser_never_inherits_the_client_secret() {
    let s = setup(false);
    let o = s.run(Some(SECRET), &["--scope", "companyinformation", "--timeout", "30"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let log = s.browser.log_text();
    // The browser does see the other FORTNOX_* variables: the recording works.
    assert!(log.lines().any(|l| l == "ENV FORTNOX_OAUTH_URL"), "{log}");
    assert!(!log.lines().any(|l| l == "ENV FORTNOX_CLIENT_SECRET"), "{log}");
}

#[test]
fn paste_mode_exits_as_soon_as_it_is_done_while_stdin_stays_open() {
    let s = setup(false);
    let page = "https://integrator.example/fortnox/callback";
    s.standin.register_client(ClientConfig::new("cli-client", SECRET, page));

    // Timed out with nothing pasted: exit 3 although stdin is still open.
    let mut cmd = s.command(Some(SECRET), &["--redirect-uri", page, "--scope", "companyinformation", "--timeout", "1"]);
    let mut child = cmd.stdin(Stdio::piped()).spawn().unwrap();
    let _stdin_kept_open = child.stdin.take();
    assert_eq!(wait_exit(&mut child, Duration::from_secs(30), "timeout").code(), Some(3));

    // Pasted: exit 0 with the tokens, stdin still open.
    std::fs::remove_file(&s.browser.log).ok();
    let mut cmd =
        s.command(Some(SECRET), &["--redirect-uri", page, "--scope", "companyinformation", "--timeout", "30"]);
    let mut child = cmd.stdin(Stdio::piped()).spawn().unwrap();
    let url = s.browser.wait_final_url(Duration::from_secs(20));
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{url}").unwrap();
    stdin.flush().unwrap();
    assert_eq!(wait_exit(&mut child, Duration::from_secs(30), "paste").code(), Some(0));
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    let j: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(j["company_name"], "Testbolaget AB");
    drop(stdin);
}

#[test]
fn with_json_a_failure_is_machine_readable_on_stdout() {
    let s = setup(false);
    s.standin.set_authorize(AuthorizeBehaviour::Deny);
    let o = s.run(Some(SECRET), &["--scope", "companyinformation", "--timeout", "30", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let j = stdout_json(&o);
    assert_eq!(j["error"], "access_denied");
    assert!(j["message"].as_str().is_some_and(|m| m.contains("cancelled or refused")), "{j}");
    let o = s.saved(&["refresh", "nobody", "--json"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout_json(&o)["error"], "connection_not_found");
    let o = s.saved(&["--json", "--frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout_json(&o)["error"].is_string());
}

/// Every secret a run handled: the client secret, the codes Fortnox issued, and every
/// token printed.
fn secrets_handled(s: &Setup, outputs: &[&Output]) -> Vec<String> {
    let mut secrets = vec![SECRET.to_string()];
    for r in s.standin.token_requests() {
        secrets.extend(r.form_value("code"));
        secrets.extend(r.form_value("refresh_token"));
    }
    for o in outputs {
        if let Ok(j) = serde_json::from_str::<serde_json::Value>(String::from_utf8_lossy(&o.stdout).trim()) {
            for key in ["access_token", "refresh_token", "code"] {
                secrets.extend(j[key].as_str().map(str::to_string));
            }
        }
    }
    secrets
}

fn assert_no_secret_under(dir: &std::path::Path, secrets: &[String]) -> usize {
    let mut stack = vec![dir.to_path_buf()];
    let mut files = 0;
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                files += 1;
                let text = String::from_utf8_lossy(&bytes);
                for secret in secrets {
                    assert!(!text.contains(secret.as_str()), "a secret is in {}", p.display());
                }
            }
        }
    }
    files
}

#[test]
fn a_saved_connection_is_listed_refreshed_exported_and_revoked_and_no_secret_lands_in_a_file() {
    let s = setup(false);
    let o = s.run(Some(SECRET), &["--scope", "companyinformation,invoice", "--timeout", "30", "--save", "Kund AB"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let activated = stdout_json(&o);
    let id = activated["connection_id"].as_str().expect("connection_id").to_string();
    assert!(stderr(&o).contains("Saved as \u{201c}Kund AB\u{201d}"), "{}", stderr(&o));
    // Kept here: the output carries the access token, not the refresh token.
    assert!(activated["access_token"].is_string() && activated.get("refresh_token").is_none(), "{activated}");
    let first = only_live(&s);

    let list = s.saved(&["list"]);
    assert_eq!(list.status.code(), Some(0), "{}", stderr(&list));
    let table = String::from_utf8_lossy(&list.stdout).into_owned();
    let row = table.lines().find(|l| l.starts_with("Kund AB")).unwrap_or_else(|| panic!("{table}"));
    assert!(row.contains("Testbolaget AB") && row.contains("user") && row.contains(&id), "{row}");
    assert!(row.contains("Active; access token expires in"), "{row}");
    let list_json = s.saved(&["list", "--json"]);
    let listed = stdout_json(&list_json);
    assert_eq!(listed[0]["name"], "Kund AB");
    assert_eq!(listed[0]["status"]["kind"], "access_token_valid");
    assert!(listed[0].get("accessToken").is_none() && !String::from_utf8_lossy(&list_json.stdout).contains(SECRET));

    let refreshed = s.saved(&["-v", "refresh", "kund ab"]);
    assert_eq!(refreshed.status.code(), Some(0), "{}", stderr(&refreshed));
    let new = stdout_json(&refreshed);
    assert!(!s.standin.is_refresh_token_live(&first));
    assert!(s.standin.is_refresh_token_live(new["refresh_token"].as_str().unwrap()));
    assert!(stderr(&refreshed).contains("old refresh token no longer works"));
    assert!(stderr(&refreshed).contains("refreshing (lock held)"), "-v logs: {}", stderr(&refreshed));

    let file = s.browser.dir.path().join("kund.json");
    let export = s.saved(&["export", &id, "-o", file.to_str().unwrap()]);
    assert_eq!(export.status.code(), Some(0), "{}", stderr(&export));
    let f: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!((f["format"].as_str(), f["clientId"].as_str()), (Some("fortnox-activation"), Some("cli-client")));

    let revoked = s.saved(&["revoke", "Kund AB"]);
    assert_eq!(revoked.status.code(), Some(0), "{}", stderr(&revoked));
    assert_eq!(stdout_json(&revoked)["revoked_at_fortnox"], true);
    assert!(!s.standin.is_refresh_token_live(new["refresh_token"].as_str().unwrap()));
    let list = s.saved(&["list"]);
    assert!(list.stdout.is_empty() && stderr(&list).contains("No saved connections"), "{}", stderr(&list));

    // The whole run: no token, code or secret in any file of the config, data, cache or
    // state folders, or the home folder.
    let secrets = secrets_handled(&s, &[&o, &refreshed]);
    assert!(secrets.len() >= 5, "{}", secrets.len());
    for secret in &secrets {
        assert!(!stderr(&refreshed).contains(secret.as_str()), "a secret in the -v log");
    }
    // (The fake browser's own log beside them records URLs with codes, as a browser's
    // history would; it is the test's, not the app's.)
    let searched: usize = ["config", "data", "cache", "state", "home"]
        .iter()
        .map(|d| assert_no_secret_under(&s.browser.dir.path().join(d), &secrets))
        .sum();
    assert!(s.browser.dir.path().join("config/se.fortnoxactivator.app/connections.json").exists());
    assert!(searched > 0);
}

#[test]
fn two_refreshes_at_once_from_two_processes_take_turns_and_the_connection_survives() {
    let s = setup(false);
    let o = s.run(Some(SECRET), &["--scope", "companyinformation", "--timeout", "30", "--save", "Parallel"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let first = only_live(&s);
    s.standin.clear_requests();
    let spawn = || s.base(None).args(["refresh", "Parallel"]).spawn().unwrap();
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    assert_eq!(b.status.code(), Some(0), "{}", stderr(&b));
    // One waited for the other and used the pair the other saved.
    let sent: Vec<String> = s.standin.token_requests().iter().filter_map(|r| r.form_value("refresh_token")).collect();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0], first);
    let outputs = [stdout_json(&a)["refresh_token"].clone(), stdout_json(&b)["refresh_token"].clone()];
    assert!(outputs.iter().any(|r| r.as_str() == Some(sent[1].as_str())), "{sent:?} {outputs:?}");
    // And the connection still works.
    let third = s.saved(&["refresh", "Parallel"]);
    assert_eq!(third.status.code(), Some(0), "{}", stderr(&third));
    s.saved(&["revoke", "Parallel"]);
}

#[test]
fn a_saved_service_account_gets_tokens_by_client_credentials() {
    let s = setup(true);
    let o = s.run(
        Some(SECRET),
        &["--scope", "companyinformation", "--service-account", "--timeout", "30", "--save", "Service"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    s.standin.clear_requests();
    // The activation's access token still has about an hour: --min-valid 3600 asks for a
    // new one, which a service account gets by client credentials.
    let t = s.saved(&["token", "Service", "--json", "--min-valid", "3600"]);
    assert_eq!(t.status.code(), Some(0), "{}", stderr(&t));
    assert!(stdout_json(&t)["access_token"].as_str().is_some_and(|a| a.split('.').count() == 3));
    assert_eq!(s.standin.token_requests()[0].header("tenantid"), Some("1234567"));
    s.saved(&["revoke", "Service"]);
}

#[test]
fn a_taken_name_or_a_corrupt_file_stops_before_fortnox_is_asked() {
    let s = setup(false);
    let o = s.run(Some(SECRET), &["--scope", "companyinformation", "--timeout", "30", "--save", "Twice"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    s.standin.clear_requests();
    let o = s.run(Some(SECRET), &["--scope", "companyinformation", "--timeout", "30", "--save", "twice"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already called"), "{}", stderr(&o));
    assert!(s.standin.requests().is_empty());
    s.saved(&["revoke", "Twice"]);
    s.standin.clear_requests();

    let file = s.browser.dir.path().join("config/se.fortnoxactivator.app/connections.json");
    std::fs::write(&file, "{\"version\": 1, \"connections\": [").unwrap();
    let o = s.saved(&["list"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(&file.display().to_string()), "{}", stderr(&o));
    let o = s.run(Some(SECRET), &["--scope", "companyinformation", "--timeout", "30", "--save", "Other"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "{\"version\": 1, \"connections\": [");
    assert!(s.standin.requests().is_empty());
}

#[cfg(unix)]
#[test]
fn ctrl_c_cancels_the_wait_and_exits_3() {
    use std::io::BufRead as _;
    let s = setup(false);
    let mut child = s
        .command(Some(SECRET), &["--scope", "companyinformation", "--no-browser", "--timeout", "120"])
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    while !seen.contains("Waiting for Fortnox") {
        let mut line = String::new();
        assert!(err.read_line(&mut line).unwrap() > 0, "stderr ended: {seen}");
        seen.push_str(&line);
    }
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    assert_eq!(wait_exit(&mut child, Duration::from_secs(30), "ctrl+c").code(), Some(3));
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    assert!(rest.contains("stopped: The authorization was cancelled."), "{rest}");
}

#[test]
fn a_plain_http_endpoint_on_another_host_exits_2_before_anything_happens() {
    let s = setup(false);
    let mut cmd = s.command(Some(SECRET), &["--scope", "companyinformation", "--timeout", "5"]);
    cmd.env("LANG", "C").env("FORTNOX_OAUTH_URL", "http://fortnox.example.com/oauth-v1");
    let o = cmd.output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("FORTNOX_OAUTH_URL") && err.contains("http://fortnox.example.com/oauth-v1"), "{err}");
    assert!(err.contains("https://"), "the next step says what is accepted: {err}");
    assert!(s.browser.log_text().is_empty(), "no browser was opened");
    assert!(s.standin.requests().is_empty());
}

#[test]
fn a_loopback_endpoint_override_is_announced_on_stderr() {
    let s = setup(false);
    let mut cmd = s.command(Some(SECRET), &["--scope", "companyinformation", "--no-browser", "--timeout", "1"]);
    cmd.env("LANG", "C");
    let o = cmd.output().unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let notice = stderr(&o).lines().find(|l| l.contains("Not Fortnox's own servers")).map(str::to_string);
    let notice = notice.unwrap_or_else(|| panic!("no notice: {}", stderr(&o)));
    assert!(notice.contains(&s.standin.oauth_url()), "{notice}");
}

#[test]
fn without_a_keychain_the_tokens_are_printed_and_the_settings_saved_as_keys_not_saved() {
    let s = setup(false);
    // No session bus at all: no Secret Service.
    let no_keychain = |cmd: &mut Command| {
        cmd.env_remove("DBUS_SESSION_BUS_ADDRESS");
    };
    let mut cmd = s.command(Some(SECRET), &["--scope", "companyinformation", "--timeout", "30", "--save", "Nowhere"]);
    no_keychain(&mut cmd);
    let o = cmd.output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let j = stdout_json(&o);
    assert!(s.standin.is_refresh_token_live(j["refresh_token"].as_str().unwrap()), "the tokens are in hand");
    let err = stderr(&o);
    assert!(err.contains("warning: the settings were saved as \u{201c}Nowhere\u{201d} but not the tokens"), "{err}");
    assert!(err.contains("keychain could not be used"), "{err}");
    let mut cmd = s.base(None);
    cmd.args(["list", "--json"]);
    no_keychain(&mut cmd);
    let listed = stdout_json(&cmd.output().unwrap());
    assert_eq!(listed[0]["status"]["kind"], "secrets_not_saved");
    // Refreshing needs the keychain: a clear error, exit 2, nothing spent at Fortnox.
    s.standin.clear_requests();
    let mut cmd = s.base(None);
    cmd.args(["refresh", "Nowhere", "--json"]);
    no_keychain(&mut cmd);
    let o = cmd.output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(stdout_json(&o)["error"], "keychain_unavailable");
    assert!(s.standin.token_requests().is_empty());
}

#[test]
fn a_reader_that_goes_away_ends_the_output_quietly() {
    let s = setup(false);
    let mut child = s.base(None).args(["list", "--json"]).spawn().unwrap();
    drop(child.stdout.take()); // as `fortnox-activate list --json | true` would
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

#[test]
fn escape_sequences_in_a_connection_or_company_name_reach_the_terminal_escaped() {
    // ESC ] 0 ; title BEL sets the terminal's title; with CSI and CR a name could rewrite
    // what the user sees. Every human-readable line shows them escaped instead.
    let port = free_port();
    let redirect_uri = format!("http://localhost:{port}/callback");
    let mut config = StandInConfig::with_client(ClientConfig::new("cli-client", SECRET, redirect_uri.clone()));
    config.company.name = "Bolag\u{1b}]0;owned\u{7} AB".into();
    let s = Setup { standin: StandIn::start_in_background(config), browser: BrowserEnv::new(), redirect_uri, port };
    let evil = "Kund\u{1b}]0;pwned\u{7}\r\u{1b}[2J";
    let o = s.run(Some(SECRET), &["--scope", "companyinformation", "--timeout", "30", "--save", evil]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let raw = |o: &Output| {
        let mut all = o.stdout.clone();
        all.extend_from_slice(&o.stderr);
        String::from_utf8_lossy(&all).into_owned()
    };
    let err = stderr(&o);
    assert!(err.contains("Saved as \u{201c}Kund\\x1b]0;pwned\\x07\\x0d\\x1b[2J\u{201d}"), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");

    let list = s.saved(&["list"]);
    assert_eq!(list.status.code(), Some(0), "{}", stderr(&list));
    let all = raw(&list);
    assert!(!all.contains('\u{1b}') && !all.contains('\u{7}') && !all.contains('\r'), "{all:?}");
    let table = String::from_utf8_lossy(&list.stdout).into_owned();
    let row = table.lines().find(|l| l.starts_with("Kund\\x1b]0;pwned\\x07")).unwrap_or_else(|| panic!("{table}"));
    assert!(row.contains("Bolag\\x1b]0;owned\\x07 AB"), "{row}");

    // A message naming the connection (a name already taken), and clap's own echo.
    let taken = s.run(Some(SECRET), &["--scope", "companyinformation", "--timeout", "30", "--save", evil]);
    assert_eq!(taken.status.code(), Some(2));
    let all = raw(&taken);
    assert!(all.contains("\\x1b]0;pwned\\x07") && !all.contains('\u{1b}') && !all.contains('\u{7}'), "{all:?}");
    let bad = s.saved(&["--no-such-flag\u{1b}]0;pwned\u{7}"]);
    assert_eq!(bad.status.code(), Some(2));
    let all = raw(&bad);
    assert!(!all.contains('\u{1b}') && !all.contains('\u{7}'), "{all:?}");

    // JSON keeps the name, escaped the JSON way.
    let json = s.saved(&["list", "--json"]);
    assert_eq!(stdout_json(&json)[0]["name"], evil);
    assert!(!String::from_utf8_lossy(&json.stdout).contains('\u{1b}'));
}

/// Activates and saves `name` through the command line; returns the activation's output.
fn activate_saved(s: &Setup, name: &str) -> serde_json::Value {
    let o = s.run(Some(SECRET), &["--scope", "companyinformation,invoice", "--timeout", "30", "--save", name]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    stdout_json(&o)
}

#[test]
fn eight_token_processes_at_once_after_expiry_spend_the_refresh_token_once() {
    let s = setup(false);
    // The activation's access token lives 60 s: less than token's --min-valid (300 s), so
    // for the helper it has run out, and every process below wants a new one.
    s.standin.set_access_token_lifetime(Duration::from_secs(60));
    let activated = activate_saved(&s, "Eight");
    let first = only_live(&s);
    s.standin.set_access_token_lifetime(Duration::from_secs(3600));
    s.standin.clear_requests();

    let children: Vec<_> = (0..8).map(|_| s.base(None).args(["token", "Eight"]).spawn().unwrap()).collect();
    let outputs: Vec<Output> = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
    for o in &outputs {
        assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    }
    // Fortnox saw each refresh token once: the first process to hold the lock refreshed,
    // the seven that waited read back what it saved.
    let sent: Vec<String> = s.standin.token_requests().iter().filter_map(|r| r.form_value("refresh_token")).collect();
    let mut unique = sent.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), sent.len(), "a refresh token was sent twice: {sent:?}");
    assert_eq!(sent, std::slice::from_ref(&first), "one refresh, with the activation's refresh token");
    assert!(s.standin.token_requests().iter().all(|r| r.status == 200));
    // All eight print the same new access token, alone on its line (--format value).
    let tokens: Vec<String> =
        outputs.iter().map(|o| String::from_utf8_lossy(&o.stdout).trim_end().to_string()).collect();
    assert!(tokens.iter().all(|t| t == &tokens[0] && t.split('.').count() == 3), "{tokens:?}");
    assert_ne!(tokens[0], activated["access_token"].as_str().unwrap());
    for (o, t) in outputs.iter().zip(&tokens) {
        assert_eq!(String::from_utf8_lossy(&o.stdout), format!("{t}\n"));
    }
    // The new pair was saved: the next call needs no Fortnox, and the connection still
    // refreshes (its saved refresh token is the live one).
    s.standin.clear_requests();
    let again = s.saved(&["token", "Eight"]);
    assert_eq!(String::from_utf8_lossy(&again.stdout).trim_end(), tokens[0]);
    assert!(s.standin.requests().is_empty(), "a token with 60 minutes left was renewed");
    assert_eq!(s.standin.live_refresh_tokens().len(), 1);
    let refreshed = s.saved(&["refresh", "Eight"]);
    assert_eq!(refreshed.status.code(), Some(0), "{}", stderr(&refreshed));
    // No output of the helper carried the refresh token.
    let live = stdout_json(&refreshed)["refresh_token"].as_str().unwrap().to_string();
    for o in &outputs {
        assert!(!String::from_utf8_lossy(&o.stdout).contains(&first));
    }
    s.saved(&["revoke", "Eight"]);
    assert!(!s.standin.is_refresh_token_live(&live));
}

#[cfg(unix)]
#[test]
fn sourcing_token_env_output_in_sh_gives_the_literal_company_name_and_runs_nothing() {
    use activation::app::{App, Item};
    use activation::store::{KeyringStore, Store};
    let company = "Annat $(touch X) AB";
    let s = setup_with(false, CompanyConfig { name: company.into(), ..CompanyConfig::default() });
    let activated = activate_saved(&s, "Annat");
    assert_eq!(activated["company_name"], company);
    let o = s.saved(&["token", "Annat", "--format", "env"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let env = String::from_utf8(o.stdout.clone()).unwrap();
    for key in [
        "FORTNOX_ACCESS_TOKEN=",
        "FORTNOX_ACCESS_TOKEN_EXPIRES_AT=",
        "FORTNOX_TENANT_ID=",
        "FORTNOX_COMPANY_NAME=",
        "FORTNOX_SCOPE=",
        "FORTNOX_ACCOUNT_TYPE=",
    ] {
        assert!(env.lines().any(|l| l.starts_with(key)), "{key} missing: {env}");
    }
    assert!(!env.contains("FORTNOX_REFRESH_TOKEN"), "kept here: the refresh token stays: {env}");
    assert!(!env.contains(&only_live(&s)));

    // Sourced in sh, in a folder where `touch X` would leave a file.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fortnox.env"), &env).unwrap();
    let sourced = Command::new("sh")
        .arg("-c")
        .arg(". ./fortnox.env && printf '%s\\n%s' \"$FORTNOX_COMPANY_NAME\" \"$FORTNOX_ACCESS_TOKEN\"")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(sourced.status.success(), "{}", String::from_utf8_lossy(&sourced.stderr));
    let value = s.saved(&["token", "Annat"]);
    let access = String::from_utf8_lossy(&value.stdout).trim_end().to_string();
    assert_eq!(String::from_utf8_lossy(&sourced.stdout), format!("{company}\n{access}"));
    assert!(!dir.path().join("X").exists(), "sourcing ran a command");

    // The same lines as the app's "Copy as .env" for this connection (one exporter), but
    // for the refresh token, which only a hand-over gives.
    let store = Store::open(
        s.browser.dir.path().join("config/se.fortnoxactivator.app"),
        std::sync::Arc::new(KeyringStore::new()),
    );
    let id: uuid::Uuid = activated["connection_id"].as_str().unwrap().parse().unwrap();
    let app = App::new(activation::Language::En, Err(activation::Error::NoAttempt), Ok(store));
    let copied = app.copy_saved(id, Item::Env).unwrap();
    let without_refresh: String =
        copied.lines().filter(|l| !l.starts_with("FORTNOX_REFRESH_TOKEN")).map(|l| format!("{l}\n")).collect();
    assert_eq!(env, without_refresh);
    s.saved(&["revoke", "Annat"]);
}

#[test]
fn reauthorizing_for_another_company_is_refused_and_the_saved_keys_stay_untouched() {
    let s = setup(false);
    let activated = activate_saved(&s, "Kund");
    let first = only_live(&s);
    // The browser is still logged in to the last customer's company.
    s.standin.set_company(CompanyConfig::other());
    s.standin.clear_requests();
    let o = s.saved(&["reauthorize", "kund", "--timeout", "30", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    // Before the browser opened: which company to log in as.
    let hint = err.find("Log in to Fortnox as Testbolaget AB (556677-8899)").unwrap_or_else(|| panic!("{err}"));
    let url = err.find("Open this address").unwrap_or_else(|| panic!("{err}"));
    assert!(hint < url, "{err}");
    let j = stdout_json(&o);
    assert_eq!(j["error"], "wrong_company");
    assert_eq!(
        j["message"],
        "You approved for Annat Bolag AB (559900-1122), but this connection is Testbolaget AB (556677-8899)."
    );
    assert!(j["next_step"].as_str().unwrap().starts_with("Log out of Fortnox in the browser"), "{j}");
    // The other company's new refresh token was revoked; the saved one is the only live one.
    let issued: Vec<_> = s.standin.token_requests();
    assert_eq!(issued.len(), 1, "one exchange");
    let revoked = s.standin.revoke_requests();
    assert_eq!(revoked.len(), 1);
    assert_ne!(revoked[0].form_value("token").as_deref(), Some(first.as_str()));
    assert_eq!(s.standin.live_refresh_tokens(), std::slice::from_ref(&first));
    // Nothing saved changed: same company, and the next refresh spends the saved token.
    let listed = stdout_json(&s.saved(&["list", "--json"]));
    assert_eq!(listed[0]["companyName"], "Testbolaget AB");
    assert_eq!(listed[0]["tenantId"], "1234567");
    s.standin.clear_requests();
    let refreshed = s.saved(&["refresh", "Kund"]);
    assert_eq!(refreshed.status.code(), Some(0), "{}", stderr(&refreshed));
    assert_eq!(s.standin.token_requests()[0].form_value("refresh_token"), Some(first));

    // Logged in to the right company: the same connection gets new keys.
    s.standin.set_company(CompanyConfig::default());
    let before = s.standin.live_refresh_tokens();
    let o = s.saved(&["reauthorize", "Kund", "--timeout", "30"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let j = stdout_json(&o);
    assert_eq!(j["connection_id"], activated["connection_id"]);
    assert_eq!(j["company_name"], "Testbolaget AB");
    assert!(stderr(&o).contains("\u{201c}Kund\u{201d} is re-authorized"), "{}", stderr(&o));
    assert!(j.get("refresh_token").is_none(), "kept here: {j}");
    let new: Vec<String> = s.standin.live_refresh_tokens().into_iter().filter(|t| !before.contains(t)).collect();
    assert_eq!(new.len(), 1);
    s.standin.clear_requests();
    let refreshed = s.saved(&["refresh", "Kund"]);
    assert_eq!(refreshed.status.code(), Some(0), "{}", stderr(&refreshed));
    assert_eq!(s.standin.token_requests()[0].form_value("refresh_token").as_ref(), Some(&new[0]));
    s.saved(&["revoke", "Kund"]);
}

#[test]
fn a_new_connection_to_a_company_already_saved_is_saved_with_a_warning_naming_both() {
    let s = setup(false);
    activate_saved(&s, "Kund AB");
    let o = s.run(Some(SECRET), &["--scope", "companyinformation", "--timeout", "30", "--save", "Kund igen"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "warning: Testbolaget AB (556677-8899) is already saved as \u{201c}Kund AB\u{201d}; now also as \u{201c}Kund igen\u{201d}."
        ),
        "{err}"
    );
    // Another company: no warning.
    s.standin.set_company(CompanyConfig::other());
    let o = s.run(Some(SECRET), &["--scope", "companyinformation", "--timeout", "30", "--save", "Annat"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("already saved as"), "{}", stderr(&o));
    for name in ["Kund AB", "Kund igen", "Annat"] {
        s.saved(&["revoke", name]);
    }
}

#[test]
fn a_connection_kept_here_gives_access_tokens_and_a_handed_over_one_is_refused() {
    let s = setup(false);
    // --save keeps it here: no refresh token in the output; the list says who refreshes.
    let kept = activate_saved(&s, "Kept");
    assert!(kept.get("refresh_token").is_none(), "{kept}");
    // --hand-over prints the refresh token and forgets it here.
    let o =
        s.run(Some(SECRET), &["--scope", "companyinformation", "--timeout", "30", "--save", "Given", "--hand-over"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let given = stdout_json(&o);
    let handed = given["refresh_token"].as_str().expect("the refresh token is printed").to_string();
    assert!(s.standin.is_refresh_token_live(&handed));
    assert!(stderr(&o).contains("Handed over to the integration"), "{}", stderr(&o));

    let listed = stdout_json(&s.saved(&["list", "--json"]));
    let by_name = |n: &str| listed.as_array().unwrap().iter().find(|l| l["name"] == n).unwrap().clone();
    assert_eq!(by_name("Kept")["ownership"], "kept_here");
    assert_eq!(by_name("Given")["ownership"], "handed_over");
    assert_eq!(by_name("Given")["status"]["kind"], "handed_over");
    let text = by_name("Given")["status"]["text"]["en"].as_str().unwrap().to_string();
    assert!(text.starts_with("Handed over to the integration on ") && text.ends_with("it keeps the connection alive"));
    let table = String::from_utf8_lossy(&s.saved(&["list"]).stdout).into_owned();
    assert!(table.lines().any(|l| l.starts_with("Given") && l.contains("the integration")), "{table}");
    assert!(table.lines().any(|l| l.starts_with("Kept") && l.contains("this computer")), "{table}");

    // token and refresh refuse the handed-over connection (exit 2) and send nothing.
    s.standin.clear_requests();
    let t = s.saved(&["token", "Given", "--json"]);
    assert_eq!(t.status.code(), Some(2), "{}", stderr(&t));
    assert_eq!(stdout_json(&t)["error"], "handed_over");
    assert!(stderr(&t).contains("was handed over to the integration on"), "{}", stderr(&t));
    let r = s.saved(&["refresh", "Given"]);
    assert_eq!(r.status.code(), Some(2), "{}", stderr(&r));
    assert!(s.standin.token_requests().is_empty());
    assert!(s.standin.is_refresh_token_live(&handed), "the integration's token still works");
    // The kept one answers.
    let t = s.saved(&["token", "Kept"]);
    assert_eq!(t.status.code(), Some(0), "{}", stderr(&t));
    for name in ["Kept", "Given"] {
        s.saved(&["revoke", name]);
    }
}

#[test]
fn list_due_exits_1_when_a_connection_kept_here_needs_action_within_the_days() {
    let s = setup(false);
    activate_saved(&s, "Due");
    // The refresh token has 31 days: nothing due within a week.
    let o = s.saved(&["list", "--due", "7"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).lines().any(|l| l.starts_with("Due")));
    // Within 40 days a refresh is due: exit 1, named on stderr; --json has the action and date.
    let o = s.saved(&["list", "--due", "40", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let j = stdout_json(&o);
    assert_eq!(j[0]["nextAction"]["action"], "refresh");
    let due_at = j[0]["nextAction"]["dueAt"].as_str().unwrap().to_string();
    assert!(due_at.ends_with('Z'), "{due_at}");
    assert!(stderr(&o).contains(&format!("due: \"Due\": refresh by {}", &due_at[..10])), "{}", stderr(&o));
    s.saved(&["revoke", "Due"]);
}

#[test]
fn a_thousand_saved_connections_are_listed_without_any_secret_service() {
    let s = setup(false);
    // As the app writes them: settings and times only; the keys would be in the keychain.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    let connections: Vec<serde_json::Value> = (0..1000)
        .map(|i| {
            serde_json::json!({
                "id": format!("00000000-0000-4000-8000-{i:012}"),
                "name": format!("Kund {:04} AB", 1000 - i),
                "clientId": "cli-client",
                "redirectUri": s.redirect_uri,
                "scopes": ["companyinformation"],
                "accountType": "user",
                "tenantId": format!("{}", 2_000_000 + i),
                "companyName": format!("Bolaget {i} AB"),
                "createdAtMs": now,
                "authorizedAtMs": now,
                "accessTokenExpiresAtMs": now + 3_600_000,
                // Every tenth one must be re-authorized within the week: those come first.
                "refreshTokenIssuedAtMs": if i % 10 == 0 { now - 27 * 86_400_000 } else { now },
                "secretsSaved": {"clientSecret": true, "accessToken": true, "refreshToken": true},
            })
        })
        .collect();
    let dir = s.browser.dir.path().join("config/se.fortnoxactivator.app");
    std::fs::create_dir_all(&dir).unwrap();
    let file = serde_json::json!({"version": 1, "connections": connections});
    std::fs::write(dir.join("connections.json"), file.to_string()).unwrap();

    // No session bus at all: a keychain read would fail. Listing needs none.
    let list = |args: &[&str]| {
        let mut cmd = s.base(None);
        cmd.args(args).env_remove("DBUS_SESSION_BUS_ADDRESS");
        let o = cmd.output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        o
    };
    let listed = stdout_json(&list(&["list", "--json"]));
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1000);
    assert!(listed[..100].iter().all(|c| c["status"]["kind"] == "reauthorize_before"), "most urgent first");
    assert!(listed[100..].iter().all(|c| c["status"]["kind"] == "access_token_valid"));
    let table = String::from_utf8(list(&["list"]).stdout).unwrap();
    assert_eq!(table.lines().count(), 1001, "a header and one line each");
    // The control: what does need the keychain says so.
    let mut cmd = s.base(None);
    cmd.args(["token", "Kund 0001 AB", "--json"]).env_remove("DBUS_SESSION_BUS_ADDRESS");
    let o = cmd.output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout_json(&o)["error"], "keychain_unavailable");
}
