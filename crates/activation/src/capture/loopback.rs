//! The loopback listener that receives Fortnox's redirect in the browser.
//!
//! One [`CallbackListener`] serves one authorization attempt:
//!
//! 1. [`CallbackListener::bind`] opens the exact port of the redirect URI (Fortnox matches
//!    the registered URI exactly, so never an ephemeral port) on loopback only: 127.0.0.1 for
//!    `127.0.0.1`, ::1 for `[::1]`, and both for `localhost` (RFC 8252 §7.3/§8.3), ::1 being
//!    skipped when the machine has no IPv6 loopback. A port taken by another program is
//!    [`Error::PortInUse`]; any other failure is [`Error::ListenerFailed`].
//! 2. [`CallbackListener::wait_for`] serves HTTP/1 (hyper) until a callback is judged
//!    [`Judgement::Done`], the attempt is cancelled ([`Error::Cancelled`]) or the timeout
//!    passes ([`Error::TimedOut`]). A request whose `Host` is not
//!    `localhost:P`, `127.0.0.1:P` or `[::1]:P` (P the port) gets 421 and is never judged
//!    (DNS rebinding). Only a `GET` on exactly the redirect URI's path reaches the judge;
//!    other paths get 404 (browsers ask for `/favicon.ico`), other methods on the path 405. A [`Judgement::Reject`] (say, a wrong state) answers the failure page
//!    and goes on waiting. The page of the deciding callback is written to the browser
//!    before `wait_for` returns, and when it returns the port is free again.
//!
//! Robustness: every connection is served in its own task with a header read timeout, so a
//! stray socket (Safari's pre-connect, a client that sends nothing or garbage) blocks
//! nothing. Connections are not kept alive, and their number is capped by a table
//! ([`crate::capture::slots`]) in which each connection holds its place until it is closed,
//! so finished connections free their place at once however fast junk arrives. When the
//! table is full, a new connection takes the place of the one that has sent nothing for the
//! longest (which is closed): sockets that are held open, or re-opened as soon as they are
//! dropped, cannot keep the browser's redirect out, as a browser sends its request at once.
//! [`answer_bytes`] runs one connection's bytes
//! through the same service over an in-memory pipe (for the fuzzer and tests).
//!
//! Security rules:
//! - Loopback addresses only, never `0.0.0.0`, `::` or another interface.
//! - The landing page never shows the code, the state or a token, and every dynamic text on
//!   it is HTML-escaped (see [`crate::capture::landing`]).
//! - Every response carries `Cache-Control: no-store`, `Referrer-Policy: no-referrer`,
//!   `X-Content-Type-Options: nosniff` and a Content Security Policy that allows inline
//!   styles only.
//! - The judge (which checks the state) sees every callback; this module never trusts one.
//!   [`Callback`]'s `Debug` hides the query, which holds the code.

use crate::capture::landing::{self, Outcome};
use crate::capture::redirect_uri::{LoopbackHost, LoopbackTarget};
use crate::capture::slots::{Activity, Slot, Slots, Tracked};
use crate::i18n::Language;
use crate::Error;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// How long a client may take to send its request headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one connection may live at all.
const CONNECTION_LIFETIME: Duration = Duration::from_secs(60);
/// How long the deciding page may take to reach the browser before the listener closes.
const FLUSH_GRACE: Duration = Duration::from_secs(3);
/// Connections served at once; beyond it, the one silent the longest is closed to make room
/// (see [`crate::capture::slots`]). Each holds at most a request head (64 KiB), so the cap
/// bounds memory to a few MiB while leaving room for a burst of junk.
const MAX_CONNECTIONS: usize = 128;
/// Largest request head accepted (hyper's minimum is 8 KiB); a redirect is far smaller.
const MAX_BUF_SIZE: usize = 64 * 1024;

/// A request that reached the judge: a `GET` to the listener's exact path.
#[derive(Clone, PartialEq, Eq)]
pub struct Callback {
    /// The raw query string (without `?`), still percent-encoded; `None` when the request
    /// had no `?` at all.
    pub query: Option<String>,
}

impl std::fmt::Debug for Callback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The query holds the authorization code: show only its size.
        let query = self.query.as_ref().map(|q| format!("[redacted, {} bytes]", q.len()));
        f.debug_struct("Callback").field("query", &query).finish()
    }
}

/// What the judge makes of a [`Callback`].
#[derive(Debug)]
pub enum Judgement<T> {
    /// The callback settles the attempt: answer the success page (`Ok`) or the failure page
    /// (`Err`), then stop serving and return the result.
    Done(Result<T, Error>),
    /// The callback is rejected (e.g. wrong or missing state): answer the failure page for
    /// this error, and go on waiting.
    Reject(Error),
}

/// A loopback listener bound to the redirect URI's port, for one authorization attempt.
#[derive(Debug)]
pub struct CallbackListener {
    listeners: Vec<TcpListener>,
    path: String,
}

impl CallbackListener {
    /// Binds `target.port` on 127.0.0.1, and also on ::1 when `target.host` is
    /// `localhost` (carrying on with 127.0.0.1 alone when the machine has no usable IPv6
    /// loopback); `127.0.0.1` binds only 127.0.0.1 and `[::1]` only ::1. Never a
    /// non-loopback address.
    ///
    /// # Errors
    /// [`Error::PortInUse`] when the port is taken on an address the browser may use (for
    /// `localhost` that includes ::1: a program there would receive the redirect);
    /// [`Error::ListenerFailed`] for any other failure, such as permission denied on a port
    /// below 1024.
    pub async fn bind(target: &LoopbackTarget) -> Result<Self, Error> {
        let v4 = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), target.port);
        let v6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), target.port);
        let mut listeners = Vec::with_capacity(2);
        match target.host {
            LoopbackHost::Ipv4 => listeners.push(bind_one(v4).await?),
            LoopbackHost::Ipv6 => listeners.push(bind_one(v6).await?),
            LoopbackHost::Localhost => {
                listeners.push(bind_one(v4).await?);
                match TcpListener::bind(v6).await {
                    Ok(listener) => listeners.push(listener),
                    Err(e) if e.kind() == io::ErrorKind::AddrInUse => {
                        return Err(Error::PortInUse { port: target.port })
                    }
                    // No IPv6 loopback here (IPv6 disabled, no ::1): browsers cannot use it
                    // either, so 127.0.0.1 alone serves `localhost`.
                    Err(_) => {}
                }
            }
        }
        Ok(CallbackListener { listeners, path: target.path.clone() })
    }

    /// The addresses actually listened on.
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.listeners.iter().filter_map(|l| l.local_addr().ok()).collect()
    }

    /// Serves the redirect URI until a callback is judged [`Judgement::Done`], `cancel`
    /// fires, or `timeout` passes. `judge` sees every `GET` on the exact path (a `HEAD` gets headers only); `lang`
    /// is asked for the page language each time a page is written.
    ///
    /// When this returns, the page for the deciding callback has been written (or given up
    /// on after a short grace), every connection is closed and the port is free.
    ///
    /// # Errors
    /// The judge's error for a `Done(Err(..))`, [`Error::Cancelled`] or
    /// [`Error::TimedOut`].
    pub async fn wait_for<T: Send>(
        self,
        mut judge: impl FnMut(&Callback) -> Judgement<T> + Send,
        lang: impl Fn() -> Language + Send + Sync + 'static,
        cancel: CancellationToken,
        timeout: Duration,
    ) -> Result<T, Error> {
        let lang: LangFn = Arc::new(lang);
        let (requests_tx, mut requests) = mpsc::channel::<Pending>(MAX_CONNECTIONS);
        let shared = Arc::new(Shared {
            path: self.path.clone(),
            port: self.port(),
            lang: Arc::clone(&lang),
            requests: requests_tx,
        });
        let slots = Slots::new(MAX_CONNECTIONS);
        let mut tasks = JoinSet::new();
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let first = self.listeners.first();
        let second = self.listeners.get(1);

        let (result, page_sent) = loop {
            tokio::select! {
                biased;
                () = cancel.cancelled() => break (Err(Error::Cancelled), None),
                () = &mut deadline => break (Err(Error::TimedOut { seconds: whole_seconds(timeout) }), None),
                Some(pending) = requests.recv() => {
                    let judgement = judge(&pending.callback);
                    if let Some(done) = settle(pending, judgement, &*lang) {
                        break done;
                    }
                }
                // Reap finished connections before accepting more.
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
                accepted = accept(first) => spawn_connection(&mut tasks, accepted, &shared, &slots).await,
                accepted = accept(second) => spawn_connection(&mut tasks, accepted, &shared, &slots).await,
            }
        };

        if let Some(sent) = page_sent {
            // Resolves when the connection task has written the page and closed, or gone.
            let _ = tokio::time::timeout(FLUSH_GRACE, sent).await;
        }
        // Close the listening sockets first, then every connection, so the port is free
        // when this returns.
        drop(self.listeners);
        drop(requests);
        drop(shared);
        tasks.shutdown().await;
        result
    }
}

impl CallbackListener {
    /// The port listened on.
    fn port(&self) -> u16 {
        self.local_addrs().first().map_or(0, SocketAddr::port)
    }
}

/// What [`settle`] returns for a deciding callback: the result, and the signal that its
/// page has been written (`None` when the browser had gone).
type Settled<T> = (Result<T, Error>, Option<oneshot::Receiver<()>>);

/// Answers a judged callback. `None` means keep waiting.
fn settle<T>(
    pending: Pending,
    judgement: Judgement<T>,
    lang: &(dyn Fn() -> Language + Send + Sync),
) -> Option<Settled<T>> {
    match judgement {
        Judgement::Reject(error) => {
            let page = landing::render(Outcome::Failure(&error), lang());
            // The browser may have gone already; nothing to do then.
            let _ = pending.reply.send(Reply { status: StatusCode::BAD_REQUEST, html: page, sent: None });
            None
        }
        Judgement::Done(result) => {
            let (status, page) = match &result {
                Ok(_) => (StatusCode::OK, landing::render(Outcome::Success, lang())),
                Err(error) => (StatusCode::BAD_REQUEST, landing::render(Outcome::Failure(error), lang())),
            };
            let (sent_tx, sent_rx) = oneshot::channel();
            let reply = Reply { status, html: page, sent: Some(sent_tx) };
            let page_sent = pending.reply.send(reply).is_ok().then_some(sent_rx);
            Some((result, page_sent))
        }
    }
}

/// Serves one connection that sends `request` (and then closes its side) through exactly
/// the service the listener runs, as a listener on `port` and `path`, and returns every
/// byte written back. The judge sees each callback as it would on the listener, until one
/// is [`Judgement::Done`]. For the fuzzer and tests: bytes in, response out, no socket.
pub async fn answer_bytes<T: Send>(
    request: &[u8],
    port: u16,
    path: &str,
    mut judge: impl FnMut(&Callback) -> Judgement<T> + Send,
    lang: Language,
) -> Vec<u8> {
    let (requests_tx, mut requests) = mpsc::channel::<Pending>(MAX_CONNECTIONS);
    let shared = Arc::new(Shared { path: path.to_string(), port, lang: Arc::new(move || lang), requests: requests_tx });
    let (client, server) = tokio::io::duplex(MAX_BUF_SIZE);
    let serve = serve_connection(server, shared, None);
    let talk = async move {
        let (mut read, mut write) = tokio::io::split(client);
        let send = async {
            // The server may close before reading everything: that is an answer too.
            let _ = write.write_all(request).await;
            let _ = write.shutdown().await;
        };
        let mut answer = Vec::new();
        let receive = async {
            let _ = read.read_to_end(&mut answer).await;
        };
        tokio::join!(send, receive);
        answer
    };
    let judging = async {
        while let Some(pending) = requests.recv().await {
            let judgement = judge(&pending.callback);
            if let Some((_, sent)) = settle(pending, judgement, &move || lang) {
                if let Some(sent) = sent {
                    let _ = sent.await;
                }
                break;
            }
        }
    };
    let ((), answer, ()) = tokio::join!(serve, talk, judging);
    answer
}

type LangFn = Arc<dyn Fn() -> Language + Send + Sync>;

/// What connection tasks share.
struct Shared {
    path: String,
    /// The port listened on, for the `Host` check.
    port: u16,
    lang: LangFn,
    requests: mpsc::Sender<Pending>,
}

/// A callback waiting for the judge, with the way back to its connection.
struct Pending {
    callback: Callback,
    reply: oneshot::Sender<Reply>,
}

/// The page to answer a callback with.
struct Reply {
    status: StatusCode,
    html: String,
    /// Dropped once the connection that carries the page has finished.
    sent: Option<oneshot::Sender<()>>,
}

async fn bind_one(addr: SocketAddr) -> Result<TcpListener, Error> {
    TcpListener::bind(addr).await.map_err(|e| match e.kind() {
        io::ErrorKind::AddrInUse => Error::PortInUse { port: addr.port() },
        _ => Error::ListenerFailed { address: addr.to_string(), reason: e.to_string() },
    })
}

async fn accept(listener: Option<&TcpListener>) -> io::Result<TcpStream> {
    match listener {
        Some(listener) => listener.accept().await.map(|(stream, _)| stream),
        None => std::future::pending().await,
    }
}

async fn spawn_connection(
    tasks: &mut JoinSet<()>,
    accepted: io::Result<TcpStream>,
    shared: &Arc<Shared>,
    slots: &Arc<Slots>,
) {
    match accepted {
        Ok(stream) => match slots.admit() {
            Some(slot) => {
                let _ = stream.set_nodelay(true);
                let id = slot.id();
                let activity = Arc::clone(slot.activity());
                let abort = tasks.spawn(serve_in_slot(stream, Arc::clone(shared), activity, slot));
                // An eviction closes the connection through its task.
                slots.set_abort(id, abort);
            }
            // Every place is busy answering a request: close this one.
            None => drop(stream),
        },
        // Out of file descriptors and the like: breathe, then accept again.
        Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
    }
}

/// Serves a connection, holding its place in the table until the connection is closed.
async fn serve_in_slot(stream: TcpStream, shared: Arc<Shared>, activity: Arc<Activity>, slot: Slot) {
    serve_connection(Tracked::new(stream, Arc::clone(&activity)), shared, Some(activity)).await;
    drop(slot);
}

async fn serve_connection(
    stream: impl AsyncRead + AsyncWrite + Unpin + Send + 'static,
    shared: Arc<Shared>,
    activity: Option<Arc<Activity>>,
) {
    // Holds the deciding callback's `sent` signal until the connection is over.
    let sent_slot: Arc<Mutex<Option<oneshot::Sender<()>>>> = Arc::default();
    let service = {
        let sent_slot = Arc::clone(&sent_slot);
        service_fn(move |request| {
            // A whole request head has arrived: this connection is answered, not evicted.
            if let Some(activity) = &activity {
                activity.mark_busy();
            }
            let shared = Arc::clone(&shared);
            let sent_slot = Arc::clone(&sent_slot);
            async move { Ok::<_, Infallible>(respond(request, &shared, &sent_slot).await) }
        })
    };
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(false)
        // A client that closes its sending side after the request still gets the answer;
        // an incomplete request then ends at once instead of waiting for the timeout.
        .half_close(true)
        .max_buf_size(MAX_BUF_SIZE)
        .serve_connection(TokioIo::new(stream), service);
    // Errors here are the client's business (garbage, a closed socket, a timeout).
    let _ = tokio::time::timeout(CONNECTION_LIFETIME, connection).await;
    let sent = sent_slot.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(sent) = sent {
        let _ = sent.send(());
    }
}

async fn respond(
    request: Request<Incoming>,
    shared: &Shared,
    sent_slot: &Mutex<Option<oneshot::Sender<()>>>,
) -> Response<Full<Bytes>> {
    if !host_allowed(&request, shared.port) {
        return page(StatusCode::MISDIRECTED_REQUEST, landing::wrong_host((shared.lang)()));
    }
    if request.uri().path() != shared.path {
        return page(StatusCode::NOT_FOUND, landing::not_found((shared.lang)()));
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = page(StatusCode::METHOD_NOT_ALLOWED, landing::method_not_allowed((shared.lang)()));
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    if request.method() == Method::HEAD {
        // A pre-fetch or link preview must not consume the attempt: only a GET is judged.
        return page(StatusCode::OK, landing::waiting((shared.lang)()));
    }
    let callback = Callback { query: request.uri().query().map(str::to_string) };
    let (reply_tx, reply_rx) = oneshot::channel();
    let reply = match shared.requests.send(Pending { callback, reply: reply_tx }).await {
        Ok(()) => reply_rx.await.ok(),
        Err(_) => None,
    };
    match reply {
        Some(Reply { status, html, sent }) => {
            if let Some(sent) = sent {
                *sent_slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(sent);
            }
            page(status, html)
        }
        // The attempt ended while this request waited.
        None => page(StatusCode::GONE, landing::render(Outcome::Failure(&Error::NoAttempt), (shared.lang)())),
    }
}

fn page(status: StatusCode, html: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(html)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(landing::CONTENT_SECURITY_POLICY));
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// True when the request names this listener: `Host` (and an absolute request target's
/// authority, if any) is `localhost:P`, `127.0.0.1:P` or `[::1]:P`, P being the port (and
/// the bare name when P is 80, the default). Anything else may be a DNS-rebinding page
/// that resolved its own name to 127.0.0.1.
fn host_allowed<B>(request: &Request<B>, port: u16) -> bool {
    let ok = |value: &str| {
        let value = value.to_ascii_lowercase();
        let (host, given_port) = match value.rsplit_once(':') {
            // `[::1]` alone has colons too: only a colon after the bracket starts a port.
            Some((h, p)) if !h.starts_with('[') || h.ends_with(']') => (h, Some(p)),
            _ => (value.as_str(), None),
        };
        let port_ok = match given_port {
            Some(p) => p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().ok() == Some(port),
            None => port == 80,
        };
        port_ok && matches!(host, "localhost" | "127.0.0.1" | "[::1]")
    };
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let host_ok = match (hosts.next(), hosts.next()) {
        (Some(h), None) => h.to_str().is_ok_and(ok),
        _ => false,
    };
    host_ok && request.uri().authority().is_none_or(|a| ok(a.as_str()))
}

/// The timeout in whole seconds, rounded up, for the error message.
fn whole_seconds(timeout: Duration) -> u64 {
    timeout.as_secs().saturating_add(u64::from(timeout.subsec_nanos() > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: Duration = Duration::from_secs(20);

    fn free_port() -> u16 {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        listener.local_addr().unwrap().port()
    }

    fn target(host: LoopbackHost, port: u16) -> LoopbackTarget {
        LoopbackTarget { host, port, path: "/callback".into() }
    }

    fn ipv6_available() -> bool {
        std::net::TcpListener::bind((Ipv6Addr::LOCALHOST, 0)).is_ok()
    }

    fn v4(port: u16) -> SocketAddr {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
    }

    /// Accepts `state=good` with a code, rejects any other state, and returns the query.
    fn judge(callback: &Callback) -> Judgement<String> {
        let query = callback.query.clone().unwrap_or_default();
        if query.contains("state=good") {
            Judgement::Done(Ok(query))
        } else if query.contains("error=access_denied") {
            Judgement::Done(Err(Error::AccessDenied { description: None }))
        } else {
            Judgement::Reject(Error::StateMismatch)
        }
    }

    struct Answer {
        status: u16,
        head: String,
        body: String,
    }

    impl Answer {
        fn header(&self, name: &str) -> Option<String> {
            self.head.lines().skip(1).find_map(|line| {
                let (n, v) = line.split_once(':')?;
                n.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
            })
        }
    }

    /// A minimal HTTP/1.1 client: one request, then read until the server closes.
    async fn request(addr: SocketAddr, method: &str, target: &str) -> Answer {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let req = format!("{method} {target} HTTP/1.1\r\nHost: localhost:{}\r\nAccept: text/html\r\n\r\n", addr.port());
        stream.write_all(req.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut raw)).await.unwrap().unwrap();
        let raw = String::from_utf8(raw).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").expect("a complete response");
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        Answer { status, head: head.to_string(), body: body.to_string() }
    }

    fn assert_safe_headers(answer: &Answer) {
        assert_eq!(answer.header("content-type").as_deref(), Some("text/html; charset=utf-8"));
        assert_eq!(answer.header("cache-control").as_deref(), Some("no-store"));
        assert_eq!(answer.header("referrer-policy").as_deref(), Some("no-referrer"));
        assert_eq!(answer.header("x-content-type-options").as_deref(), Some("nosniff"));
        assert!(answer.header("content-security-policy").unwrap().starts_with("default-src 'none'"));
    }

    fn start(
        listener: CallbackListener,
        lang: Language,
        cancel: CancellationToken,
        timeout: Duration,
    ) -> tokio::task::JoinHandle<Result<String, Error>> {
        tokio::spawn(listener.wait_for(judge, move || lang, cancel, timeout))
    }

    async fn port_is_free(port: u16) -> bool {
        std::net::TcpListener::bind(v4(port)).is_ok()
    }

    #[tokio::test]
    async fn the_callback_reaches_the_judge_and_gets_the_success_page() {
        let port = free_port();
        let listener = CallbackListener::bind(&target(LoopbackHost::Ipv4, port)).await.unwrap();
        assert_eq!(listener.local_addrs(), vec![v4(port)]);
        let task = start(listener, Language::En, CancellationToken::new(), LONG);

        let answer = request(v4(port), "GET", "/callback?code=SECRET-CODE-123&state=good").await;
        assert_eq!(answer.status, 200);
        assert_safe_headers(&answer);
        assert!(answer.body.contains("You can close this tab"));
        assert!(answer.body.contains("<html lang=\"en\">"));
        assert!(!answer.body.contains("SECRET-CODE-123"));

        let result = task.await.unwrap();
        assert_eq!(result.unwrap(), "code=SECRET-CODE-123&state=good");
        assert!(port_is_free(port).await, "the port is free once wait_for returns");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_page_is_written_before_wait_for_returns() {
        let port = free_port();
        let listener = CallbackListener::bind(&target(LoopbackHost::Ipv4, port)).await.unwrap();
        let task = start(listener, Language::En, CancellationToken::new(), LONG);

        let mut stream = TcpStream::connect(v4(port)).await.unwrap();
        let req = format!("GET /callback?code=c&state=good HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n");
        stream.write_all(req.as_bytes()).await.unwrap();
        // Wait for the listener to finish before reading anything.
        let result = tokio::time::timeout(Duration::from_secs(5), task).await.unwrap().unwrap();
        assert_eq!(result.unwrap(), "code=c&state=good");
        assert!(port_is_free(port).await);

        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.unwrap();
        let raw = String::from_utf8(raw).unwrap();
        assert!(raw.starts_with("HTTP/1.1 200 OK"));
        assert!(raw.trim_end().ends_with("</html>"), "the whole page arrived");
    }

    #[tokio::test]
    async fn the_page_language_is_asked_at_response_time() {
        let port = free_port();
        let listener = CallbackListener::bind(&target(LoopbackHost::Ipv4, port)).await.unwrap();
        let lang = Arc::new(Mutex::new(Language::En));
        let lang_now = Arc::clone(&lang);
        let task =
            tokio::spawn(listener.wait_for(judge, move || *lang_now.lock().unwrap(), CancellationToken::new(), LONG));
        *lang.lock().unwrap() = Language::Sv;
        let answer = request(v4(port), "GET", "/callback?code=x&state=good").await;
        assert!(answer.body.contains("<html lang=\"sv\">"));
        assert!(answer.body.contains("Du kan stänga den här fliken"));
        task.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn other_paths_get_404_and_waiting_goes_on() {
        let port = free_port();
        let listener = CallbackListener::bind(&target(LoopbackHost::Ipv4, port)).await.unwrap();
        let task = start(listener, Language::En, CancellationToken::new(), LONG);

        for path in ["/favicon.ico", "/", "/callback/", "/callbackx?state=good", "/CALLBACK?state=good"] {
            let answer = request(v4(port), "GET", path).await;
            assert_eq!(answer.status, 404, "{path}");
            assert_safe_headers(&answer);
            assert!(answer.body.contains("Page not found"));
        }
        assert!(!task.is_finished());

        let answer = request(v4(port), "GET", "/callback?code=c&state=good").await;
        assert_eq!(answer.status, 200);
        task.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn other_methods_on_the_path_get_405() {
        let port = free_port();
        let listener = CallbackListener::bind(&target(LoopbackHost::Ipv4, port)).await.unwrap();
        let task = start(listener, Language::En, CancellationToken::new(), LONG);

        let answer = request(v4(port), "POST", "/callback?code=c&state=good").await;
        assert_eq!(answer.status, 405);
        assert_eq!(answer.header("allow").as_deref(), Some("GET, HEAD"));
        assert_safe_headers(&answer);
        assert!(!task.is_finished());

        request(v4(port), "GET", "/callback?code=c&state=good").await;
        task.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn a_rejected_callback_gets_the_failure_page_and_waiting_goes_on() {
        let port = free_port();
        let listener = CallbackListener::bind(&target(LoopbackHost::Ipv4, port)).await.unwrap();
        let task = start(listener, Language::En, CancellationToken::new(), LONG);

        let answer = request(v4(port), "GET", "/callback?code=FORGED&state=evil").await;
        assert_eq!(answer.status, 400);
        assert_safe_headers(&answer);
        assert!(answer.body.contains("Authorization failed"));
        assert!(answer.body.contains(&landing::escape_html(Error::StateMismatch.message().en.as_str())));
        assert!(!answer.body.contains("FORGED"));

        let answer = request(v4(port), "GET", "/callback").await;
        assert_eq!(answer.status, 400, "no query at all is rejected too");
        assert!(!task.is_finished());

        let answer = request(v4(port), "GET", "/callback?code=real&state=good").await;
        assert_eq!(answer.status, 200);
        assert_eq!(task.await.unwrap().unwrap(), "code=real&state=good");
    }

    #[tokio::test]
    async fn a_done_error_ends_the_wait_with_the_failure_page() {
        let port = free_port();
        let listener = CallbackListener::bind(&target(LoopbackHost::Ipv4, port)).await.unwrap();
        let task = start(listener, Language::Sv, CancellationToken::new(), LONG);

        let answer = request(v4(port), "GET", "/callback?error=access_denied&error_description=%3Cscript%3E").await;
        assert_eq!(answer.status, 400);
        assert!(answer.body.contains("Auktoriseringen misslyckades"));
        assert!(!answer.body.contains("<script"));
        assert_eq!(task.await.unwrap().unwrap_err().kind(), "access_denied");
        assert!(port_is_free(port).await);
    }

    #[tokio::test]
    async fn stray_connections_do_not_block_a_later_callback() {
        let port = free_port();
        let listener = CallbackListener::bind(&target(LoopbackHost::Ipv4, port)).await.unwrap();
        let task = start(listener, Language::En, CancellationToken::new(), LONG);

        // A pre-connected socket that never speaks, a half request, and garbage.
        let _idle = TcpStream::connect(v4(port)).await.unwrap();
        let mut half = TcpStream::connect(v4(port)).await.unwrap();
        half.write_all(b"GET /callback?code=half&sta").await.unwrap();
        let mut garbage = TcpStream::connect(v4(port)).await.unwrap();
        garbage.write_all(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n").await.unwrap();
        let mut reply = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), garbage.read_to_end(&mut reply)).await;
        assert!(String::from_utf8_lossy(&reply).starts_with("HTTP/1.1 400"), "hyper answers garbage with 400");

        let answer =
            tokio::time::timeout(Duration::from_secs(5), request(v4(port), "GET", "/callback?code=c&state=good"))
                .await
                .expect("the callback is served despite the idle connections");
        assert_eq!(answer.status, 200);
        let result = tokio::time::timeout(Duration::from_secs(5), task).await.expect("wait_for returns promptly");
        result.unwrap().unwrap();
        assert!(port_is_free(port).await);
    }

    /// Sends raw bytes and reads until the server closes.
    async fn raw(addr: SocketAddr, bytes: &[u8]) -> String {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(bytes).await.unwrap();
        let mut out = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out)).await.unwrap().unwrap();
        String::from_utf8_lossy(&out).into_owned()
    }

    #[tokio::test]
    async fn a_request_naming_another_host_gets_421_and_is_never_judged() {
        let port = free_port();
        let listener = CallbackListener::bind(&target(LoopbackHost::Ipv4, port)).await.unwrap();
        let task = start(listener, Language::En, CancellationToken::new(), LONG);
        let forged = [
            format!("GET /callback?code=c&state=good HTTP/1.1\r\nHost: rebind.example:{port}\r\n\r\n"),
            format!("GET /callback?code=c&state=good HTTP/1.1\r\nHost: localhost:{}\r\n\r\n", port.wrapping_add(1)),
            "GET /callback?code=c&state=good HTTP/1.1\r\nHost: localhost\r\n\r\n".to_string(),
            format!("GET /callback?code=c&state=good HTTP/1.1\r\nHost: 127.0.0.1:{port}.evil\r\n\r\n"),
            "GET /callback?code=c&state=good HTTP/1.0\r\n\r\n".to_string(),
            format!("GET /callback?code=c&state=good HTTP/1.1\r\nHost: localhost:{port}\r\nHost: evil:{port}\r\n\r\n"),
            format!(
                "GET http://evil.example:{port}/callback?code=c&state=good HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n"
            ),
        ];
        for request in &forged {
            let answer = raw(v4(port), request.as_bytes()).await;
            assert!(answer.starts_with("HTTP/1.1 421") || answer.starts_with("HTTP/1.0 421"), "{request:?}: {answer}");
            assert!(answer.contains("Wrong address"));
        }
        assert!(!task.is_finished(), "no forged request settled the attempt");
        for host in [format!("LOCALHOST:{port}"), format!("[::1]:{port}"), format!("127.0.0.1:{port}")] {
            let answer = raw(v4(port), format!("GET /favicon.ico HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes()).await;
            assert!(answer.starts_with("HTTP/1.1 404"), "{host}: {answer}");
        }
        let answer = request(v4(port), "GET", "/callback?code=c&state=good").await;
        assert_eq!(answer.status, 200);
        task.await.unwrap().unwrap();
    }

    /// Opens `n` sockets to the listener that never send a byte.
    async fn silent_sockets(port: u16, n: usize) -> Vec<TcpStream> {
        let mut held = Vec::with_capacity(n);
        for _ in 0..n {
            held.push(TcpStream::connect(v4(port)).await.unwrap());
        }
        held
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sockets_held_open_without_a_word_give_way_to_the_real_callback() {
        // More silent sockets than the table has places, all kept open: the oldest are
        // closed to make room, and the callback that speaks at once is served.
        let port = free_port();
        let listener = CallbackListener::bind(&target(LoopbackHost::Ipv4, port)).await.unwrap();
        let task = start(listener, Language::En, CancellationToken::new(), LONG);
        let held = silent_sockets(port, 300).await;
        let answer =
            tokio::time::timeout(Duration::from_secs(5), request(v4(port), "GET", "/callback?code=c&state=good"))
                .await
                .expect("the callback is served with 300 silent sockets open (well before their header timeout)");
        assert_eq!(answer.status, 200);
        task.await.unwrap().unwrap();
        drop(held);
        assert!(port_is_free(port).await);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn silent_sockets_reopened_as_soon_as_dropped_give_way_to_the_real_callback() {
        let port = free_port();
        let listener = CallbackListener::bind(&target(LoopbackHost::Ipv4, port)).await.unwrap();
        let task = start(listener, Language::En, CancellationToken::new(), LONG);
        let stop = CancellationToken::new();
        let mut attackers = JoinSet::new();
        for _ in 0..140 {
            let stop = stop.clone();
            attackers.spawn(async move {
                while !stop.is_cancelled() {
                    let Ok(mut socket) = TcpStream::connect(v4(port)).await else { continue };
                    let mut byte = [0u8; 1];
                    // Held until the listener drops it, then opened again at once.
                    tokio::select! {
                        _ = socket.read(&mut byte) => {}
                        () = stop.cancelled() => {}
                    }
                }
            });
        }
        // Let the table fill up and the churn begin.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let answer =
            tokio::time::timeout(Duration::from_secs(5), request(v4(port), "GET", "/callback?code=c&state=good"))
                .await
                .expect("the callback is served while silent sockets are re-opened");
        assert_eq!(answer.status, 200);
        task.await.unwrap().unwrap();
        stop.cancel();
        while attackers.join_next().await.is_some() {}
        assert!(port_is_free(port).await);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_steady_stream_of_junk_connections_does_not_starve_the_real_callback() {
        // Hundreds of junk connections queue up (opened and closed at once, as a page or
        // a program can do), with the browser's real redirect in the middle of them: the
        // listener meets them back to back, and finished junk must free its place.
        let port = free_port();
        let listener = CallbackListener::bind(&target(LoopbackHost::Ipv4, port)).await.unwrap();
        let junk = |n: usize| async move {
            for _ in 0..n {
                drop(TcpStream::connect(v4(port)).await.unwrap());
            }
        };
        junk(50).await;
        let mut real = TcpStream::connect(v4(port)).await.unwrap();
        real.write_all(
            format!("GET /callback?code=c&state=good HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
        junk(50).await;
        let task = start(listener, Language::En, CancellationToken::new(), LONG);
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(10), real.read_to_end(&mut answer)).await;
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 200"), "the real callback was dropped: {answer:?}");
        task.await.unwrap().unwrap();
        assert!(port_is_free(port).await);
    }

    #[tokio::test]
    async fn answer_bytes_serves_one_connection_like_the_listener() {
        let ok = answer_bytes(
            b"GET /callback?code=c&state=good HTTP/1.1\r\nHost: localhost:9876\r\n\r\n",
            9876,
            "/callback",
            judge,
            Language::En,
        )
        .await;
        let ok = String::from_utf8(ok).unwrap();
        assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
        assert!(ok.contains("You can close this tab"));
        let rejected = answer_bytes(
            b"GET /callback?state=evil HTTP/1.1\r\nHost: localhost:9876\r\n\r\n",
            9876,
            "/callback",
            judge,
            Language::En,
        )
        .await;
        assert!(String::from_utf8_lossy(&rejected).starts_with("HTTP/1.1 400"));
        let garbage = answer_bytes(b"\x00\xff garbage", 9876, "/callback", judge, Language::En).await;
        assert!(garbage.is_empty() || garbage.starts_with(b"HTTP/1.1 400"));
    }

    #[tokio::test]
    async fn cancel_ends_the_wait_and_frees_the_port() {
        let port = free_port();
        let listener = CallbackListener::bind(&target(LoopbackHost::Ipv4, port)).await.unwrap();
        let cancel = CancellationToken::new();
        let task = start(listener, Language::En, cancel.clone(), LONG);
        let _idle = TcpStream::connect(v4(port)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        cancel.cancel();
        let result = tokio::time::timeout(Duration::from_secs(5), task).await.unwrap().unwrap();
        assert_eq!(result.unwrap_err(), Error::Cancelled);
        assert!(port_is_free(port).await);
        // And a new attempt can listen on the same port at once.
        CallbackListener::bind(&target(LoopbackHost::Ipv4, port)).await.unwrap();
    }

    #[test]
    fn the_longest_timeout_still_has_a_number_of_seconds() {
        assert_eq!(whole_seconds(Duration::MAX), u64::MAX);
        assert_eq!(whole_seconds(Duration::from_millis(1500)), 2);
    }

    #[tokio::test]
    async fn the_timeout_ends_the_wait() {
        let port = free_port();
        let listener = CallbackListener::bind(&target(LoopbackHost::Ipv4, port)).await.unwrap();
        let task = start(listener, Language::En, CancellationToken::new(), Duration::from_millis(200));
        let result = tokio::time::timeout(Duration::from_secs(5), task).await.unwrap().unwrap();
        assert_eq!(result.unwrap_err(), Error::TimedOut { seconds: 1 });
        assert!(port_is_free(port).await);

        let listener = CallbackListener::bind(&target(LoopbackHost::Ipv4, port)).await.unwrap();
        let result = listener.wait_for(judge, || Language::En, CancellationToken::new(), Duration::from_secs(0)).await;
        assert_eq!(result.unwrap_err(), Error::TimedOut { seconds: 0 });
    }

    #[tokio::test]
    async fn a_port_in_use_is_named() {
        let taken = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = taken.local_addr().unwrap().port();
        for host in [LoopbackHost::Ipv4, LoopbackHost::Localhost] {
            let error = CallbackListener::bind(&target(host, port)).await.unwrap_err();
            assert_eq!(error, Error::PortInUse { port });
            assert!(error.message().en.contains(&port.to_string()));
        }
    }

    #[tokio::test]
    async fn localhost_also_listens_on_ipv6_loopback() {
        let port = free_port();
        let listener = CallbackListener::bind(&target(LoopbackHost::Localhost, port)).await.unwrap();
        let addrs = listener.local_addrs();
        assert!(addrs.contains(&v4(port)));
        assert!(addrs.iter().all(|a| a.ip().is_loopback()));
        if !ipv6_available() {
            assert_eq!(addrs.len(), 1, "without IPv6, 127.0.0.1 alone");
            return;
        }
        let v6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port);
        assert!(addrs.contains(&v6));
        let task = start(listener, Language::En, CancellationToken::new(), LONG);
        assert_eq!(request(v4(port), "GET", "/favicon.ico").await.status, 404);
        let answer = request(v6, "GET", "/callback?code=c&state=good").await;
        assert_eq!(answer.status, 200);
        task.await.unwrap().unwrap();
        assert!(std::net::TcpListener::bind(v6).is_ok());
    }

    #[tokio::test]
    async fn localhost_refuses_a_port_taken_on_ipv6_loopback() {
        if !ipv6_available() {
            return;
        }
        let taken = std::net::TcpListener::bind((Ipv6Addr::LOCALHOST, 0)).unwrap();
        let port = taken.local_addr().unwrap().port();
        if std::net::TcpListener::bind(v4(port)).is_err() {
            return; // 127.0.0.1 happens to be taken too; nothing to learn.
        }
        let error = CallbackListener::bind(&target(LoopbackHost::Localhost, port)).await.unwrap_err();
        assert_eq!(error, Error::PortInUse { port });
        assert!(port_is_free(port).await, "the 127.0.0.1 socket is let go again");
    }

    #[tokio::test]
    async fn ipv6_literal_listens_on_ipv6_loopback_only() {
        if !ipv6_available() {
            let error = CallbackListener::bind(&target(LoopbackHost::Ipv6, free_port())).await.unwrap_err();
            assert_eq!(error.kind(), "listener_failed");
            return;
        }
        let port = free_port();
        let listener = CallbackListener::bind(&target(LoopbackHost::Ipv6, port)).await.unwrap();
        assert_eq!(listener.local_addrs(), vec![SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port)]);
    }

    #[tokio::test]
    async fn head_gets_headers_only_and_does_not_settle_the_attempt() {
        let port = free_port();
        let listener = CallbackListener::bind(&target(LoopbackHost::Ipv4, port)).await.unwrap();
        let task = start(listener, Language::En, CancellationToken::new(), LONG);

        let answer = request(v4(port), "HEAD", "/favicon.ico").await;
        assert_eq!(answer.status, 404);
        assert!(answer.body.is_empty());

        let answer = request(v4(port), "HEAD", "/callback?code=c&state=good").await;
        assert_eq!(answer.status, 200);
        assert_safe_headers(&answer);
        assert!(answer.header("content-length").unwrap().parse::<usize>().unwrap() > 0);
        assert!(answer.body.is_empty(), "no body for HEAD");
        let answer = request(v4(port), "GET", "/callback?code=c&state=good").await;
        assert_eq!(answer.status, 200);
        assert_eq!(task.await.unwrap().unwrap(), "code=c&state=good");
    }

    #[tokio::test]
    async fn callbacks_hide_the_query_in_debug() {
        let callback = Callback { query: Some("code=SECRET&state=s".into()) };
        let debug = format!("{callback:?}");
        assert!(!debug.contains("SECRET"));
        assert!(debug.contains("redacted"));
    }
}
