//! The `fortnox-activate` command line, end to end: a real process, the Fortnox stand-in
//! on loopback, and the fake browser as the system browser (`$BROWSER` / xdg-open).

mod common;

use activator_tests::standin::{AuthorizeBehaviour, ClientConfig, StandIn, StandInConfig};
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
    let port = free_port();
    let redirect_uri = format!("http://localhost:{port}/callback");
    let client = ClientConfig::new("cli-client", SECRET, redirect_uri.clone()).with_service_accounts(service_accounts);
    let standin = StandIn::start_in_background(StandInConfig::with_client(client));
    Setup { standin, browser: BrowserEnv::new(), redirect_uri, port }
}

impl Setup {
    /// `fortnox-activate` with only what the issue allows: the two URLs, the secret and
    /// the browser.
    fn command(&self, secret: Option<&str>, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin("fortnox-activate"));
        cmd.env_clear();
        for var in ["PATH", "HOME", "DISPLAY", "LANG"] {
            if let Ok(v) = std::env::var(var) {
                cmd.env(var, v);
            }
        }
        cmd.env("FORTNOX_OAUTH_URL", self.standin.oauth_url()).env("FORTNOX_API_URL", self.standin.api_url());
        if let Some(s) = secret {
            cmd.env("FORTNOX_CLIENT_SECRET", s);
        }
        self.browser.apply(&mut cmd);
        cmd.args(["--client-id", "cli-client", "--redirect-uri", &self.redirect_uri]);
        cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd
    }

    fn run(&self, secret: Option<&str>, args: &[&str]) -> Output {
        self.command(secret, args).output().expect("fortnox-activate runs")
    }
}

fn stdout_json(o: &Output) -> serde_json::Value {
    let s = String::from_utf8_lossy(&o.stdout);
    serde_json::from_str(s.trim()).unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {s:?}"))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
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
    assert!(err.contains("authorization failed: Fortnox did not accept the client id or the client secret"), "{err}");
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
