//! The real Secret Service stopped in the middle of a refresh (issue 17, "no token is ever
//! lost"): a gnome-keyring of this test's own, on a session bus of its own, is killed when
//! Fortnox's stand-in has received the old refresh token and before it answers. Fortnox has
//! then spent the old token and the keychain cannot take the new pair. The app must hold the
//! new pair (listed as unsaved, copyable, closing asks first), no process may send the spent
//! token again, and once a Secret Service is back the same app, without a restart, saves the
//! held pair and refreshes with it.
//!
//! Its own bus and daemon, so that stopping the keychain does not touch the one the other
//! tests use; one test in this binary, because it points the process's environment at that
//! bus.

#![cfg(target_os = "linux")]

mod common;

use activation::app::{App, Item};
use activation::fortnox::endpoints::Endpoints;
use activation::fortnox::token::FortnoxClient;
use activation::settings::AccountType;
use activation::store::{KeyringStore, SaveAs, SecretKind, SecretStore, Store};
use activation::Language;
use activator_tests::standin::{ClientConfig, StandIn, StandInConfig};
use common::free_port;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

const SECRET: &str = "stop-secret-0123456789";

/// A session bus of this test's own (the test run's configuration: nothing started on
/// demand, so a stopped keyring stays stopped).
struct Bus {
    daemon: Child,
    address: String,
}

impl Bus {
    fn start() -> Bus {
        let conf = Path::new(env!("CARGO_MANIFEST_DIR")).join("support/session-bus.conf");
        let mut daemon = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", conf.display()))
            .args(["--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-daemon runs (scripts/setup.sh --test installs it)");
        let mut line = String::new();
        BufReader::new(daemon.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let address = line.trim().to_string();
        assert!(address.starts_with("unix:"), "dbus-daemon printed {address:?}");
        Bus { daemon, address }
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// gnome-keyring's Secret Service on `bus`, its login keyring (password "test") in `home`.
fn keyring(bus: &Bus, home: &Path) -> Child {
    let mut daemon = Command::new("gnome-keyring-daemon")
        .args(["--foreground", "--unlock", "--components=secrets"])
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon runs (scripts/setup.sh --test installs it)");
    daemon.stdin.take().unwrap().write_all(b"test").unwrap();
    daemon
}

/// Waits until the Secret Service on this process's bus stores and reads back a value.
fn wait_for_keychain() {
    let probe = Uuid::new_v4();
    let until = Instant::now() + Duration::from_secs(20);
    let keys = KeyringStore::new();
    loop {
        if keys.set(probe, SecretKind::AccessToken, "probe").is_ok()
            && keys.get(probe, SecretKind::AccessToken).ok().flatten().as_deref() == Some("probe")
        {
            keys.delete(probe, SecretKind::AccessToken).unwrap();
            return;
        }
        assert!(Instant::now() < until, "the test's own gnome-keyring did not come up");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_service_stopped_in_the_middle_of_a_refresh_loses_no_token() {
    let home = tempfile::tempdir().unwrap();
    for dir in ["data", "run"] {
        std::fs::create_dir_all(home.path().join(dir)).unwrap();
    }
    std::fs::set_permissions(home.path().join("run"), std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let bus = Bus::start();
    // The only test of this binary: nothing else reads the environment meanwhile.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address);
    let running = Arc::new(Mutex::new(Some(keyring(&bus, home.path()))));
    wait_for_keychain();

    // A saved connection, activated through the stand-in and the fake browser.
    let redirect_uri = format!("http://localhost:{}/callback", free_port());
    let standin =
        StandIn::start(StandInConfig::with_client(ClientConfig::new("stop-client", SECRET, redirect_uri.clone())))
            .await;
    let endpoints = Endpoints::new(&standin.oauth_url(), &standin.api_url());
    let settings = common::settings(
        "Stopped AB",
        "stop-client",
        Some(SECRET),
        &redirect_uri,
        &["companyinformation"],
        AccountType::User,
    );
    let connected =
        common::activate_through_fake_browser(FortnoxClient::new(endpoints.clone()), settings.clone()).await;
    let spent = connected.tokens.refresh_token.as_ref().unwrap().expose().to_string();
    let dir = tempfile::tempdir().unwrap();
    let store = || Store::open(dir.path(), Arc::new(KeyringStore::new()));
    let saved = store().save_activation(&settings, &connected, SaveAs::New).unwrap();
    assert!(saved.warning.is_none(), "{:?}", saved.warning);
    let id = saved.connection.id;
    let app = App::new(Language::En, Ok(endpoints.clone()), Ok(store()));
    assert!(!app.close_guard());

    // Fortnox has the old refresh token: the Secret Service goes away before the answer.
    let stopping = running.clone();
    let armed = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let once = armed.clone();
    standin.on_refresh(move || {
        if !once.swap(false, std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        if let Some(mut daemon) = stopping.lock().unwrap().take() {
            daemon.kill().unwrap();
            daemon.wait().unwrap();
        }
    });
    standin.clear_requests();
    let answer = app.refresh(id).await.expect("the new pair comes back although it was not saved");
    let warning = answer.warning.as_ref().expect("a warning that the new keys were not saved");
    assert_eq!(warning.kind(), "keychain_unavailable", "{warning:?}");
    assert!(
        !armed.load(std::sync::atomic::Ordering::SeqCst) && running.lock().unwrap().is_none(),
        "stopped mid-refresh"
    );
    let sent = |s: &StandIn| -> Vec<String> {
        s.token_requests().iter().filter_map(|r| r.form_value("refresh_token")).collect()
    };
    assert_eq!(sent(&standin), std::slice::from_ref(&spent));
    assert!(!standin.is_refresh_token_live(&spent), "Fortnox spent the old refresh token");

    // The app holds the new pair: listed as unsaved, copyable, and closing asks first.
    assert!(app.close_guard());
    assert_eq!(app.list().unwrap().unsaved, [id]);
    let held = app.copy_saved(id, Item::RefreshToken).unwrap();
    assert_ne!(held, spent);
    assert!(standin.is_refresh_token_live(&held));

    // While the keychain is down nobody refreshes, and nothing is sent.
    let client = FortnoxClient::new(endpoints.clone());
    assert_eq!(store().refresh(&client, id).await.unwrap_err().kind(), "keychain_unavailable");
    assert_eq!(sent(&standin).len(), 1);

    // The Secret Service is back (the same login keyring, unlocked again): another process
    // still refuses to send the spent token it finds there.
    *running.lock().unwrap() = Some(keyring(&bus, home.path()));
    wait_for_keychain();
    assert_eq!(store().refresh(&client, id).await.unwrap_err().kind(), "new_keys_not_saved");
    assert_eq!(sent(&standin).len(), 1, "the spent refresh token is never sent again");

    // The same app, without a restart: "Refresh now" saves the held pair, then spends it.
    let again = app.refresh(id).await.unwrap();
    assert!(again.warning.is_none(), "{:?}", again.warning);
    assert_eq!(sent(&standin), [spent, held.clone()]);
    assert!(!app.close_guard());
    assert!(app.list().unwrap().unsaved.is_empty());
    let newest = KeyringStore::new().get(id, SecretKind::RefreshToken).unwrap().expect("saved now");
    assert!(standin.is_refresh_token_live(&newest) && newest != held);

    let last = running.lock().unwrap().take();
    if let Some(mut daemon) = last {
        let _ = daemon.kill();
        let _ = daemon.wait();
    }
}
