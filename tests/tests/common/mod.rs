//! Shared support for the integration and end-to-end tests: where the built binaries are,
//! a throwaway environment in which the "system browser" is the fake browser, and helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A binary of the workspace in the same target directory as this test. The test command
/// (`scripts/test.sh`) builds them all first (`cargo build --workspace --bins`).
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/debug/deps/<test> → target/debug/<name>
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: build it first with `cargo build --workspace --bins` (scripts/test.sh does)",
        path.display()
    );
    path
}

/// A free TCP port on the loopback addresses for a test to listen on later, below the
/// kernel's ephemeral range (`ip_local_port_range`, where outgoing connections get their
/// local ports): a port from that range, free when checked, can be given to a parallel
/// test's connection before the listener binds it or binds it again (seen once: a session
/// restarted after a cancel got `port_in_use`). Picked at random from 10000 up to that range
/// and checked by binding 127.0.0.1 (and ::1 where there is IPv6).
pub fn free_port() -> u16 {
    use std::hash::{BuildHasher as _, Hasher as _};
    use std::net::{Ipv6Addr, TcpListener};
    let low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32768);
    let (from, span) = (10_000u16, low.saturating_sub(10_000).max(1));
    let mut random = std::collections::hash_map::RandomState::new().build_hasher();
    random.write_u32(std::process::id());
    let start = random.finish();
    for i in 0..u64::from(span) {
        let port = from + ((start + i) % u64::from(span)) as u16;
        let v4 = TcpListener::bind(("127.0.0.1", port));
        let v6 = TcpListener::bind((Ipv6Addr::LOCALHOST, port));
        let v6_taken = matches!(&v6, Err(e) if e.kind() == std::io::ErrorKind::AddrInUse);
        if v4.is_ok() && !v6_taken {
            return port;
        }
    }
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A throwaway HOME/XDG environment whose default web browser is the fake browser: both
/// through `$BROWSER` (what xdg-open uses without a desktop) and through an
/// `x-scheme-handler/http(s)` default in `mimeapps.list` (what it uses with one).
pub struct BrowserEnv {
    pub dir: tempfile::TempDir,
    pub log: PathBuf,
}

impl BrowserEnv {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["home", "config", "data/applications", "cache", "state", "runtime"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(root.join("runtime"), std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let browser = bin("fake-browser");
        std::fs::write(
            root.join("data/applications/fake-browser.desktop"),
            format!(
                "[Desktop Entry]\nType=Application\nName=Fake browser\nExec={} %u\nMimeType=x-scheme-handler/http;x-scheme-handler/https;\nNoDisplay=true\n",
                browser.display()
            ),
        )
        .unwrap();
        std::fs::write(
            root.join("config/mimeapps.list"),
            "[Default Applications]\nx-scheme-handler/http=fake-browser.desktop\nx-scheme-handler/https=fake-browser.desktop\n",
        )
        .unwrap();
        let log = root.join("browser.log");
        BrowserEnv { dir, log }
    }

    /// The environment variables to give a process that may open the browser.
    pub fn vars(&self) -> Vec<(String, String)> {
        let root = self.dir.path();
        let p = |s: &str| root.join(s).display().to_string();
        vec![
            ("BROWSER".into(), bin("fake-browser").display().to_string()),
            ("FAKE_BROWSER_LOG".into(), self.log.display().to_string()),
            ("XDG_CONFIG_HOME".into(), p("config")),
            ("XDG_DATA_HOME".into(), p("data")),
            ("XDG_CACHE_HOME".into(), p("cache")),
            ("XDG_STATE_HOME".into(), p("state")),
            ("XDG_RUNTIME_DIR".into(), p("runtime")),
        ]
    }

    /// Applies [`vars`](Self::vars) to a command, and removes what would make xdg-open
    /// pick a desktop environment's own launcher.
    pub fn apply(&self, cmd: &mut Command) {
        cmd.env_remove("XDG_CURRENT_DESKTOP").env_remove("DESKTOP_SESSION").env_remove("KDE_FULL_SESSION");
        cmd.env_remove("GNOME_DESKTOP_SESSION_ID");
        for (k, v) in self.vars() {
            cmd.env(k, v);
        }
    }

    /// The browser's log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the browser has finished (its log has a `FINAL` line) and returns the
    /// final address, as the address bar would show it.
    pub fn wait_final_url(&self, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            if let Some(l) = self.log_text().lines().find_map(|l| l.strip_prefix("FINAL ")) {
                return l.trim().to_string();
            }
            assert!(Instant::now() < deadline, "the fake browser did not finish; log:\n{}", self.log_text());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The body of the last page the browser showed.
    pub fn last_page(&self) -> String {
        std::fs::read_to_string(format!("{}.body", self.log.display())).unwrap_or_default()
    }
}

impl Default for BrowserEnv {
    fn default() -> Self {
        Self::new()
    }
}
pub mod webdriver;

/// Every file under `roots` (recursively, not following symlinks, skipping `skip`) that
/// holds one of `secrets` (values shorter than 6 characters are ignored), with the secret
/// found. Files are read whole: test folders are small.
pub fn files_holding(roots: &[&Path], secrets: &[String], skip: &[PathBuf]) -> Vec<(PathBuf, String)> {
    let secrets: Vec<&String> = secrets.iter().filter(|s| s.len() >= 6).collect();
    let mut found = Vec::new();
    let mut stack: Vec<PathBuf> = roots.iter().map(|p| p.to_path_buf()).collect();
    while let Some(path) = stack.pop() {
        if skip.contains(&path) {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
        if meta.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&path) {
                stack.extend(entries.flatten().map(|e| e.path()));
            }
        } else if meta.is_file() {
            let Ok(bytes) = std::fs::read(&path) else { continue };
            for s in &secrets {
                if bytes.windows(s.len()).any(|w| w == s.as_bytes()) {
                    found.push((path.clone(), (*s).clone()));
                }
            }
        }
    }
    found
}

/// How many files there are under `root` (recursively).
pub fn count_files(root: &Path) -> usize {
    let mut n = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(path) = stack.pop() {
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_dir() => {
                if let Ok(entries) = std::fs::read_dir(&path) {
                    stack.extend(entries.flatten().map(|e| e.path()));
                }
            }
            Ok(m) if m.is_file() => n += 1,
            _ => {}
        }
    }
    n
}

/// A whole activation of `settings` against the stand-in behind `client`, approved through
/// the fake browser on the loopback listener: what the customer's approval gives.
pub async fn activate_through_fake_browser(
    client: activation::fortnox::token::FortnoxClient,
    settings: activation::settings::Settings,
) -> Box<activation::flow::Connected> {
    use activation::flow::{Activation, Outcome};
    let activation = Activation::start(client, settings);
    let listener = activation.bind_listener().await.unwrap().unwrap();
    let url = activation.authorize_url().to_string();
    let browser = tokio::task::spawn_blocking(move || {
        let env = BrowserEnv::new();
        let mut cmd = Command::new(bin("fake-browser"));
        env.apply(&mut cmd);
        assert!(cmd.arg(url).status().unwrap().success());
        env.wait_final_url(Duration::from_secs(10))
    });
    let code = activation
        .wait_for_code(listener, || activation::Language::En, Default::default(), Duration::from_secs(20), |_| {})
        .await
        .unwrap();
    browser.await.unwrap();
    match activation.finish(code).await.unwrap() {
        Outcome::Tokens(c) => c,
        Outcome::Code { .. } => panic!("expected tokens"),
    }
}

/// Settings as step 1 checks them, for a test activation: the connection `name` of
/// `client_id`, its secret (none: code only), where Fortnox redirects, the scopes asked for.
pub fn settings(
    name: &str,
    client_id: &str,
    secret: Option<&str>,
    redirect_uri: &str,
    scopes: &[&str],
    account_type: activation::settings::AccountType,
) -> activation::settings::Settings {
    use activation::settings::{check, NameRule, SettingsInput};
    check(
        &SettingsInput {
            connection_name: name.into(),
            client_id: client_id.into(),
            client_secret: secret.map(activation::secret::ClientSecret::new),
            redirect_uri: redirect_uri.into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            account_type,
        },
        NameRule::Required,
    )
    .into_result()
    .unwrap()
}
