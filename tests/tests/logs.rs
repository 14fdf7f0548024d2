//! Logs and diagnostics hold no secret (issue 8, "Logs and diagnostics").
//!
//! The core's events go, at the most verbose level, to a log file in a throwaway folder
//! tree (log, config, data, cache, state). Then every kind of flow runs against the Fortnox
//! stand-in with the fake browser: a loopback activation, a wrong client secret, a forged
//! state followed by a cancel, a pasted address, and code-only. Afterwards the log must tell
//! those steps, and neither the files under the tree nor a diagnostics report built from all
//! of it (settings with the secret typed, every error the flows showed, the whole log) may
//! hold any secret the flows used: client secrets, states, codes, access and refresh tokens.

mod common;

use activation::diagnostics::{self, RecentErrors, Report, SettingsSummary};
use activation::fortnox::endpoints::Endpoints;
use activation::fortnox::token::FortnoxClient;
use activation::secret::ClientSecret;
use activation::session::{Event, SecretPart, Session};
use activation::settings::{check, AccountType, NameRule, SettingsInput};
use activation::Language;
use activator_tests::standin::{AuthorizeBehaviour, ClientConfig, StandIn, StandInConfig};
use common::{bin, files_holding, free_port, BrowserEnv};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

const CLIENT_ID: &str = "logs-client";
const SECRET: &str = "logs-client-secret-8c1f";
const WRONG_SECRET: &str = "logs-wrong-secret-77aa";

fn input(redirect_uri: &str, secret: Option<&str>) -> SettingsInput {
    SettingsInput {
        connection_name: "Testbolaget".into(),
        client_id: CLIENT_ID.into(),
        client_secret: secret.map(ClientSecret::new),
        redirect_uri: redirect_uri.into(),
        scopes: vec!["companyinformation".into(), "invoice".into()],
        account_type: AccountType::User,
    }
}

/// Runs the fake browser at `url` and returns where it ended.
async fn browse(browser: &BrowserEnv, url: &str) -> String {
    let _ = std::fs::remove_file(&browser.log);
    let mut cmd = Command::new(bin("fake-browser"));
    browser.apply(&mut cmd);
    cmd.arg(url);
    let status = tokio::task::spawn_blocking(move || cmd.status()).await.unwrap().unwrap();
    assert!(status.success());
    browser.wait_final_url(Duration::from_secs(10))
}

struct Flows {
    standin: StandIn,
    browser: BrowserEnv,
    recent: Arc<RecentErrors>,
    /// Every secret value the flows used.
    secrets: Vec<String>,
    summaries: Vec<SettingsSummary>,
}

impl Flows {
    /// Starts a session (its errors recorded as the app does) and returns its events.
    async fn start(&mut self, input: SettingsInput) -> (Session, mpsc::UnboundedReceiver<Event>) {
        self.summaries.push(SettingsSummary::from_input(&input));
        let settings = check(&input, NameRule::Required).into_result().unwrap();
        let (tx, rx) = mpsc::unbounded_channel();
        let recent = self.recent.clone();
        let client = FortnoxClient::new(Endpoints::new(&self.standin.oauth_url(), &self.standin.api_url()));
        let session = Session::start(
            client,
            settings,
            Duration::from_secs(30),
            || Language::En,
            move |e| {
                if let Event::Failed { error } | Event::CallbackRejected { error } = &e {
                    recent.record(error);
                }
                let _ = tx.send(e);
            },
        )
        .await
        .unwrap();
        (session, rx)
    }

    /// Remembers the session's secrets and every code the stand-in was asked to exchange.
    fn collect(&mut self, session: &Session) {
        self.secrets.extend(session.known_secrets());
        self.secrets.extend(session.secret(SecretPart::Code));
        for r in self.standin.token_requests() {
            self.secrets.extend(r.form_value("code"));
            self.secrets.extend(r.form_value("refresh_token"));
        }
        self.secrets.extend(self.standin.live_refresh_tokens());
    }
}

async fn outcome(rx: &mut mpsc::UnboundedReceiver<Event>) -> Event {
    loop {
        let e = tokio::time::timeout(Duration::from_secs(20), rx.recv()).await.expect("an event").expect("open");
        if matches!(e, Event::Succeeded { .. } | Event::Failed { .. }) {
            return e;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_flow_leaves_a_secret_in_the_logs_the_files_or_the_diagnostics() {
    let tree = tempfile::tempdir().unwrap();
    let log_path = tree.path().join("logs/activation.log");
    std::fs::create_dir_all(log_path.parent().unwrap()).unwrap();
    let file = std::fs::File::create(&log_path).unwrap();
    // Everything, every crate, at TRACE: what the most verbose log of either front end could hold.
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .finish();
    assert!(tracing::subscriber::set_global_default(subscriber).is_ok(), "first subscriber");

    let loopback = format!("http://localhost:{}/callback", free_port());
    let page = "https://integrator.example/fortnox/callback";
    let standin =
        StandIn::start(StandInConfig::with_client(ClientConfig::new(CLIENT_ID, SECRET, loopback.clone()))).await;
    let mut f = Flows {
        standin,
        browser: BrowserEnv::new(),
        recent: Arc::new(RecentErrors::default()),
        secrets: vec![SECRET.into(), WRONG_SECRET.into()],
        summaries: Vec::new(),
    };

    // 1. A loopback activation.
    let (s, mut rx) = f.start(input(&loopback, Some(SECRET))).await;
    browse(&f.browser, &s.started().authorize_url).await;
    assert!(matches!(outcome(&mut rx).await, Event::Succeeded { .. }));
    f.collect(&s);
    drop(s);

    // 2. A wrong client secret.
    let (s, mut rx) = f.start(input(&loopback, Some(WRONG_SECRET))).await;
    browse(&f.browser, &s.started().authorize_url).await;
    assert!(matches!(outcome(&mut rx).await, Event::Failed { error } if error.kind == "invalid_client"));
    f.collect(&s);
    drop(s);

    // 3. A forged state (rejected, waiting goes on), then cancel.
    f.standin.set_authorize(AuthorizeBehaviour::WrongState);
    let (s, mut rx) = f.start(input(&loopback, Some(SECRET))).await;
    browse(&f.browser, &s.started().authorize_url).await;
    let first = tokio::time::timeout(Duration::from_secs(20), rx.recv()).await.unwrap().unwrap();
    assert!(matches!(&first, Event::CallbackRejected { .. }), "{first:?}");
    f.secrets.extend(
        url::Url::parse(&f.browser.wait_final_url(Duration::from_secs(1)))
            .unwrap()
            .query_pairs()
            .map(|(_, v)| v.into_owned())
            .filter(|v| v.len() >= 12),
    );
    s.cancel();
    assert!(matches!(outcome(&mut rx).await, Event::Failed { error } if error.kind == "cancelled"));
    f.collect(&s);
    drop(s);
    f.standin.set_authorize(AuthorizeBehaviour::Approve);

    // 4. A pasted address (an https redirect page).
    f.standin.register_client(ClientConfig::new(CLIENT_ID, SECRET, page));
    let (s, mut rx) = f.start(input(page, Some(SECRET))).await;
    let landed = browse(&f.browser, &s.started().authorize_url).await;
    s.submit_pasted(&landed).unwrap();
    assert!(matches!(outcome(&mut rx).await, Event::Succeeded { .. }));
    f.collect(&s);
    drop(s);

    // 5. Code only.
    let (s, mut rx) = f.start(input(page, None)).await;
    let landed = browse(&f.browser, &s.started().authorize_url).await;
    s.submit_pasted(&landed).unwrap();
    assert!(matches!(outcome(&mut rx).await, Event::Succeeded { .. }));
    f.collect(&s);
    drop(s);

    f.secrets.sort();
    f.secrets.dedup();
    assert!(f.secrets.len() >= 12, "the flows used secrets: {}", f.secrets.len());

    // The log tells what happened...
    let log = std::fs::read_to_string(&log_path).unwrap();
    for step in [
        "attempt started",
        "listener bound",
        "callback judged",
        "params=\"code&state\"",
        "verdict=\"rejected\"",
        "state_mismatch",
        "exchange started",
        "exchange finished: tokens received",
        "exchange finished: failed",
        "invalid_client",
        "company lookup: found",
        "pasted text judged",
        "code-only mode",
        "HTTP call answered",
    ] {
        assert!(log.contains(step), "the log lacks {step:?}:\n{log}");
    }

    // ...and no file in the tree holds a secret (the fake browser's own history excepted:
    // a browser's address bar is not this program's file).
    let skip = [f.browser.log.clone(), std::path::PathBuf::from(format!("{}.body", f.browser.log.display()))];
    let leaks = files_holding(&[tree.path(), f.browser.dir.path()], &f.secrets, &skip);
    assert!(leaks.is_empty(), "secrets in files: {leaks:?}");

    // The diagnostics report from all of it, with nothing to scrub by name, holds none either.
    let report = Report {
        product: "Fortnox Activator".into(),
        version: "test".into(),
        os: diagnostics::os_description(),
        endpoints: "stand-in".into(),
        settings: f.summaries.first().cloned(),
        errors: f.recent.list(),
        log_tail: diagnostics::read_log_tail(&log_path, 100_000),
    }
    .render(&[]);
    assert!(report.contains("invalid_client") && report.contains("state_mismatch"), "{report}");
    assert!(report.contains("Client secret: given (not shown)"), "{report}");
    for secret in &f.secrets {
        assert!(!report.contains(secret.as_str()), "{secret} in the report:\n{report}");
    }
}
