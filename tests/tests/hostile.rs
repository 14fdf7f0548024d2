//! A hostile loopback: while a real activation waits on its listener, everything a web page
//! or a local program can throw at `http://localhost:P` arrives first (wrong paths, favicon
//! requests, garbage, oversized request lines and headers, a client that never sends, 500
//! connections at once, wrong Host headers, forged states and stateless errors). Then the
//! browser's real redirect still completes the flow against the Fortnox stand-in, nothing
//! panicked anywhere, and the port is free afterwards.
//!
//! Everything stays on 127.0.0.1 and ::1, and the concurrency is bounded.

mod common;

use activation::fortnox::endpoints::Endpoints;
use activation::fortnox::token::FortnoxClient;
use activation::session::{Event, Session};
use activation::settings::AccountType;
use activation::Language;
use activator_tests::standin::{ClientConfig, StandIn, StandInConfig};
use common::{bin, free_port, BrowserEnv};
use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

const SECRET: &str = "hostile-secret";
const CONCURRENT: usize = 500;

/// Records every panic of any thread from here on (tasks included: a panicking connection
/// task would otherwise vanish silently into its JoinSet).
fn record_panics() -> Arc<Mutex<Vec<String>>> {
    let panics = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&panics);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        seen.lock().unwrap_or_else(|e| e.into_inner()).push(info.to_string());
        previous(info);
    }));
    panics
}

/// Sends `bytes` on a fresh connection and reads the answer until the server closes (or
/// 10 s pass). A reset counts as an empty answer.
async fn exchange(addr: SocketAddr, bytes: &[u8]) -> String {
    let Ok(mut stream) = TcpStream::connect(addr).await else { return String::new() };
    let _ = stream.write_all(bytes).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

fn status_of(answer: &str) -> Option<u16> {
    answer.strip_prefix("HTTP/1.1 ").or_else(|| answer.strip_prefix("HTTP/1.0 "))?.get(..3)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_callback_completes_the_flow_after_everything_thrown_at_the_listener() {
    let panics = record_panics();
    // On `localhost`: the listener has 127.0.0.1 and ::1.
    let (standin, session, mut rx, port) = waiting_activation_at("localhost").await;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let host = format!("Host: localhost:{port}\r\n");

    // A client that connects and never sends a byte, kept open throughout.
    let idle = TcpStream::connect(addr).await.unwrap();

    // Wrong paths and favicon requests: 404, nothing judged.
    for path in ["/", "/favicon.ico", "/callback/", "/callback/../callback?code=x&state=y", "/CALLBACK", "/%00"] {
        let answer = exchange(addr, format!("GET {path} HTTP/1.1\r\n{host}\r\n").as_bytes()).await;
        assert_eq!(status_of(&answer), Some(404), "{path}: {answer}");
    }

    // Garbage bytes: an HTTP 400 or a closed connection, never a judged callback.
    for junk in [
        &b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"[..],
        b"\x00\x00\x00\x00\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET /callback?code=x&state=y HTTP/9.9\r\n\r\n",
        b"\xff\xfe\xfd GET /callback HTTP/1.1\r\n\r\n",
    ] {
        let answer = exchange(addr, junk).await;
        assert!(answer.is_empty() || status_of(&answer) == Some(400), "{junk:?}: {answer}");
    }

    // An oversized request line and oversized headers: refused, not buffered forever.
    let long_line = format!("GET /callback?code={} HTTP/1.1\r\n{host}\r\n", "A".repeat(200 * 1024));
    let answer = exchange(addr, long_line.as_bytes()).await;
    assert!(answer.is_empty() || matches!(status_of(&answer), Some(400 | 414 | 431)), "{answer}");
    let long_header = format!("GET /callback HTTP/1.1\r\n{host}X-Junk: {}\r\n\r\n", "B".repeat(200 * 1024));
    let answer = exchange(addr, long_header.as_bytes()).await;
    assert!(answer.is_empty() || matches!(status_of(&answer), Some(400 | 431)), "{answer}");
    let many_headers: String = (0..2000).map(|i| format!("X-{i}: v\r\n")).collect();
    let answer = exchange(addr, format!("GET /favicon.ico HTTP/1.1\r\n{host}{many_headers}\r\n").as_bytes()).await;
    assert!(answer.is_empty() || matches!(status_of(&answer), Some(400 | 431)), "{answer}");

    // Wrong Host headers (DNS rebinding): 421, never judged.
    for wrong in ["rebind.example", "localhost:1", "127.0.0.2", "[::2]"] {
        let wrong = if wrong.contains(':') { wrong.to_string() } else { format!("{wrong}:{port}") };
        let answer =
            exchange(addr, format!("GET /callback?code=x&state=y HTTP/1.1\r\nHost: {wrong}\r\n\r\n").as_bytes()).await;
        assert_eq!(status_of(&answer), Some(421), "{wrong}: {answer}");
    }

    // Forged states and stateless errors: rejected (400), the window is told, waiting goes on.
    let forged = ["?code=forged&state=guess", "?code=forged", "?error=access_denied&error_description=Ring+oss", ""];
    for query in forged {
        let answer = exchange(addr, format!("GET /callback{query} HTTP/1.1\r\n{host}\r\n").as_bytes()).await;
        assert_eq!(status_of(&answer), Some(400), "{query}: {answer}");
        assert!(!answer.contains("forged") && !answer.contains("Ring oss"), "{answer}");
    }
    let mut rejected = 0;
    while let Ok(e) = rx.try_recv() {
        match e {
            Event::CallbackRejected { error } => {
                assert!(matches!(error.kind, "state_mismatch" | "state_missing" | "no_code_returned"), "{error:?}");
                rejected += 1;
            }
            e => panic!("unexpected event while waiting: {e:?}"),
        }
    }
    assert_eq!(rejected, forged.len());

    // 500 connections at once, each asking for the favicon: every answer is a 404 or a
    // closed connection (beyond the listener's cap), and the listener stays up.
    let mut crowd = tokio::task::JoinSet::new();
    for i in 0..CONCURRENT {
        let request = format!("GET /favicon.ico?{i} HTTP/1.1\r\n{host}\r\n");
        crowd.spawn(async move { exchange(addr, request.as_bytes()).await });
    }
    let mut served = 0;
    while let Some(answer) = crowd.join_next().await {
        let answer = answer.unwrap();
        match status_of(&answer) {
            Some(404) => served += 1,
            None => {}
            other => panic!("unexpected answer in the crowd: {other:?} {answer}"),
        }
    }
    assert!(served > 0, "the listener served part of the crowd");
    assert!(!session.has_ended(), "nothing thrown at the listener ended the attempt");
    assert!(standin.token_requests().is_empty(), "nothing reached Fortnox's token endpoint");

    // The browser's real redirect still completes the flow.
    let env = BrowserEnv::new();
    let mut browser = Command::new(bin("fake-browser"));
    env.apply(&mut browser);
    browser.arg(&session.started().authorize_url);
    let status = tokio::task::spawn_blocking(move || browser.status()).await.unwrap().unwrap();
    assert!(status.success());
    let result = loop {
        match tokio::time::timeout(Duration::from_secs(20), rx.recv()).await.expect("an event").expect("open") {
            Event::Succeeded { result } => break result,
            Event::Failed { error } => panic!("the flow failed: {error:?}"),
            _ => {}
        }
    };
    assert_eq!(result.company_name.as_deref(), Some("Testbolaget AB"));
    assert_eq!(standin.token_requests().len(), 1);

    // The port is free again, with the idle client still connected.
    tokio::time::timeout(Duration::from_secs(10), async {
        while tokio::net::TcpListener::bind(addr).await.is_err() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the port is free once the flow is done");
    drop(idle);
    let panics = panics.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert!(panics.is_empty(), "something panicked: {panics:?}");
}

/// Sockets each attacker keeps busy (held open, or re-opened as soon as they are dropped):
/// well over the listener's 128 places.
const ATTACKERS: usize = 300;

/// A waiting activation against a fresh stand-in, on a fresh loopback port. The redirect
/// URI names 127.0.0.1, so the listener has that one address and the browser cannot get
/// round an attack on it by trying ::1.
async fn waiting_activation() -> (StandIn, Session, mpsc::UnboundedReceiver<Event>, u16) {
    waiting_activation_at("127.0.0.1").await
}

/// A waiting activation against a fresh stand-in, its redirect URI on `host` and a fresh port.
async fn waiting_activation_at(host: &str) -> (StandIn, Session, mpsc::UnboundedReceiver<Event>, u16) {
    let port = free_port();
    let redirect_uri = format!("http://{host}:{port}/callback");
    let standin =
        StandIn::start(StandInConfig::with_client(ClientConfig::new("hostile-client", SECRET, redirect_uri.clone())))
            .await;
    let settings = common::settings(
        "Hostile",
        "hostile-client",
        Some(SECRET),
        &redirect_uri,
        &["companyinformation"],
        AccountType::User,
    );
    let (tx, rx) = mpsc::unbounded_channel();
    let session = Session::start(
        FortnoxClient::new(Endpoints::new(&standin.oauth_url(), &standin.api_url())),
        settings,
        Duration::from_secs(120),
        || Language::En,
        move |e| {
            let _ = tx.send(e);
        },
    )
    .await
    .unwrap();
    (standin, session, rx, port)
}

/// The fake browser follows the authorize URL to the redirect; returns how long from its
/// start until the flow succeeded (printed, never asserted: the machine may be busy).
async fn browse_until_success(session: &Session, rx: &mut mpsc::UnboundedReceiver<Event>) -> Duration {
    let env = BrowserEnv::new();
    let mut browser = Command::new(bin("fake-browser"));
    env.apply(&mut browser);
    browser.arg(&session.started().authorize_url);
    let started = std::time::Instant::now();
    let status = tokio::task::spawn_blocking(move || browser.status()).await.unwrap().unwrap();
    assert!(status.success());
    loop {
        match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await.expect("an event").expect("open") {
            Event::Succeeded { result } => {
                assert_eq!(result.company_name.as_deref(), Some("Testbolaget AB"));
                return started.elapsed();
            }
            Event::Failed { error } => panic!("the flow failed: {error:?}"),
            _ => {}
        }
    }
}

/// Waits (up to 10 s) until the port can be bound again.
async fn port_freed(port: u16) {
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    tokio::time::timeout(Duration::from_secs(10), async {
        while tokio::net::TcpListener::bind(addr).await.is_err() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the port is free once the flow is done");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_redirect_completes_while_300_silent_sockets_are_held_open() {
    let panics = record_panics();
    let (standin, session, mut rx, port) = waiting_activation().await;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    // Held for the whole test, never sending a byte (each would keep its place for the 10 s
    // header timeout if nothing evicted it).
    let mut held = Vec::with_capacity(ATTACKERS);
    for _ in 0..ATTACKERS {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    let took = browse_until_success(&session, &mut rx).await;
    eprintln!(
        "measured: the real redirect completed in {} ms with {ATTACKERS} silent sockets held open",
        took.as_millis()
    );
    assert_eq!(standin.token_requests().len(), 1);
    drop(held);
    port_freed(port).await;
    let panics = panics.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert!(panics.is_empty(), "something panicked: {panics:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_redirect_completes_while_300_silent_sockets_are_reopened_as_soon_as_dropped() {
    let panics = record_panics();
    let (standin, session, mut rx, port) = waiting_activation().await;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let stop = tokio_util::sync::CancellationToken::new();
    let reopened = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut attackers = tokio::task::JoinSet::new();
    for _ in 0..ATTACKERS {
        let (stop, reopened) = (stop.clone(), Arc::clone(&reopened));
        attackers.spawn(async move {
            while !stop.is_cancelled() {
                let Ok(mut socket) = TcpStream::connect(addr).await else {
                    tokio::task::yield_now().await;
                    continue;
                };
                // Silent until the listener drops it; then at once a new one.
                let mut byte = [0u8; 1];
                tokio::select! {
                    _ = socket.read(&mut byte) => { reopened.fetch_add(1, std::sync::atomic::Ordering::Relaxed); }
                    () = stop.cancelled() => {}
                }
            }
        });
    }
    // Until the listener has dropped (and the attacker re-opened) a few hundred sockets.
    tokio::time::timeout(Duration::from_secs(20), async {
        while reopened.load(std::sync::atomic::Ordering::Relaxed) < ATTACKERS {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the attack is under way");
    let took = browse_until_success(&session, &mut rx).await;
    let churn = reopened.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!(
        "measured: the real redirect completed in {} ms with {ATTACKERS} silent sockets re-opened as soon as dropped ({churn} re-opened so far)",
        took.as_millis()
    );
    assert_eq!(standin.token_requests().len(), 1);
    stop.cancel();
    while attackers.join_next().await.is_some() {}
    port_freed(port).await;
    let panics = panics.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert!(panics.is_empty(), "something panicked: {panics:?}");
}
