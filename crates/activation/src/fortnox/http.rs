//! The HTTP seam: token and API calls go through [`Transport`], so unit tests can assert the
//! exact request (URL, headers, body) without a network, and the app uses reqwest.
//!
//! Security rule: [`HttpRequest`]'s `Debug` hides the `Authorization` header and the body.
//!
//! TLS: rustls (ring) with the operating system's verifier (`rustls-platform-verifier`): on
//! Windows and macOS the system's own certificate checks, on Linux the system's trust store
//! (including `SSL_CERT_FILE` / `SSL_CERT_DIR`). So a company's own root, trusted by the OS
//! for TLS inspection, is trusted here too; no roots are bundled.
//!
//! Proxies: the system's (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`) are used for
//! Fortnox itself; a request to this computer (`localhost`, 127.0.0.0/8, ::1: an endpoint
//! override for tests or a local stand-in) never goes through one, whatever the environment
//! says, so a proxy never sees the Basic header, a code or a token sent over plain `http://`.
//!
//! Robustness: the real transport reads at most [`MAX_BODY_BYTES`] of any answer; a larger
//! one (Fortnox never sends one) is an `unexpected_response`, not a full memory.

use crate::Error;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The most of an answer's body that is read: 1 MiB. Token and company answers are a few
/// hundred bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A request about to be sent.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// A form-encoded body, for POST.
    pub body: Option<String>,
}

impl HttpRequest {
    /// The value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<String> =
            self.headers
                .iter()
                .map(|(k, v)| {
                    if k.eq_ignore_ascii_case("authorization") {
                        format!("{k}: [redacted]")
                    } else {
                        format!("{k}: {v}")
                    }
                })
                .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &self.body.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// A response as received: status, Content-Type and the whole body.
#[derive(Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Successful bodies carry tokens; only error bodies are safe to show.
        let body: &str = if (200..300).contains(&self.status) { "[redacted]" } else { &self.body };
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("body", &body)
            .finish()
    }
}

/// A boxed future, so [`Transport`] can be used as a trait object.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends HTTP requests.
pub trait Transport: Send + Sync {
    /// Sends one request, following no redirects.
    ///
    /// # Errors
    /// [`Error::Network`] when no response arrived (DNS, TLS, refused, timeout).
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, Error>>;
}

/// The real transport: reqwest with rustls and the platform's verifier, redirects off,
/// timeouts on.
///
/// Each client is built at its first request, not before: reading the trust store and
/// setting up TLS costs milliseconds that a process which never calls Fortnox (the
/// credential helper with a saved token that still lives) should not spend.
#[derive(Debug, Clone, Default)]
pub struct ReqwestTransport {
    /// The client, or why it could not be set up (the trust store could not be read); that
    /// error is what every request then answers, so the user learns it at the first call.
    client: OnceLock<Result<reqwest::Client, Error>>,
    /// The same client without any proxy, for requests to this computer.
    direct: OnceLock<Result<reqwest::Client, Error>>,
}

impl ReqwestTransport {
    /// A client with a 10 s connect and 30 s overall timeout, no redirects, and the
    /// platform's certificate verifier (the trust store is read at the first request).
    pub fn new() -> Self {
        ReqwestTransport::default()
    }

    /// The client for `url`: the one without proxies when it names this computer.
    fn client_for(&self, url: &str) -> &Result<reqwest::Client, Error> {
        if url::Url::parse(url).is_ok_and(|u| crate::fortnox::endpoints::is_loopback_host(&u)) {
            self.direct.get_or_init(|| client(false))
        } else {
            self.client.get_or_init(|| client(true))
        }
    }
}

/// A client; `proxies` false leaves out every proxy, the environment's included.
fn client(proxies: bool) -> Result<reqwest::Client, Error> {
    let unavailable = |reason: String| Error::CertificatesUnavailable { reason };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone()).map_err(|e| unavailable(e.to_string()))?;
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| unavailable(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    let builder = reqwest::Client::builder();
    let builder = if proxies { builder } else { builder.no_proxy() };
    builder
        .use_preconfigured_tls(tls)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("fortnox-activator/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| unavailable(e.to_string()))
}

impl Transport for ReqwestTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, Error>> {
        Box::pin(async move {
            let client = self.client_for(&request.url).as_ref().map_err(Clone::clone)?;
            let method = reqwest::Method::from_bytes(request.method.as_bytes()).unwrap_or(reqwest::Method::GET);
            let mut builder = client.request(method, &request.url);
            for (k, v) in &request.headers {
                builder = builder.header(k, v);
            }
            if let Some(body) = request.body {
                builder = builder.body(body);
            }
            let shown = crate::logging::redacted_url(&request.url);
            let mut response = match builder.send().await {
                Ok(r) => r,
                Err(e) => {
                    let e = network_error(e);
                    tracing::warn!(method = request.method, url = %shown, kind = e.kind(), "HTTP call failed");
                    return Err(e);
                }
            };
            let status = response.status().as_u16();
            tracing::debug!(method = request.method, url = %shown, status, "HTTP call answered");
            let content_type =
                response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
            let too_large = || Error::UnexpectedResponse {
                status,
                detail: format!("the answer is larger than {} MiB; it was not read", MAX_BODY_BYTES >> 20),
            };
            if response.content_length().is_some_and(|n| n > MAX_BODY_BYTES as u64) {
                return Err(too_large());
            }
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(network_error)? {
                if body.len().saturating_add(chunk.len()) > MAX_BODY_BYTES {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            let body = String::from_utf8_lossy(&body).into_owned();
            Ok(HttpResponse { status, content_type, body })
        })
    }
}

fn network_error(e: reqwest::Error) -> Error {
    // reqwest's Display names the URL (no secrets in our URLs) and the cause.
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    Error::Network { reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-shot HTTP server on loopback that answers every connection with `head` and
    /// then `body_len` bytes of body (or forever, chunk after chunk, when `None`).
    async fn serve_big(head: &'static str, body_len: Option<usize>) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/token", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = stream.read(&mut buf).await;
                    if stream.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    let chunk = vec![b'a'; 64 * 1024];
                    let mut sent = 0usize;
                    while body_len.is_none_or(|n| sent < n) {
                        let piece = match body_len {
                            Some(n) => &chunk[..chunk.len().min(n - sent)],
                            None => {
                                let framed = format!("{:x}\r\n", chunk.len());
                                if stream.write_all(framed.as_bytes()).await.is_err() {
                                    return;
                                }
                                &chunk[..]
                            }
                        };
                        if stream.write_all(piece).await.is_err() {
                            return;
                        }
                        if body_len.is_none() && stream.write_all(b"\r\n").await.is_err() {
                            return;
                        }
                        sent += piece.len();
                    }
                });
            }
        });
        url
    }

    #[tokio::test]
    async fn answers_over_one_mib_are_not_read() {
        let t = ReqwestTransport::new();
        let request = |url: String| HttpRequest { method: "POST", url, headers: vec![], body: Some("x=1".into()) };
        let declared = serve_big("HTTP/1.1 200 OK\r\nContent-Length: 2097152\r\n\r\n", Some(2 << 20)).await;
        let endless = serve_big("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", None).await;
        for url in [declared, endless] {
            let e = tokio::time::timeout(Duration::from_secs(30), t.send(request(url.clone())))
                .await
                .expect("the read stops")
                .unwrap_err();
            assert_eq!(e.kind(), "unexpected_response", "{url}");
            assert!(e.detail().unwrap().contains("1 MiB"), "{e:?}");
        }
        let small = serve_big("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", Some(1000)).await;
        assert_eq!(t.send(request(small)).await.unwrap().body.len(), 1000);
    }

    #[test]
    fn debug_hides_credentials_and_bodies() {
        let r = HttpRequest {
            method: "POST",
            url: "https://x/token".into(),
            headers: vec![("Authorization".into(), "Basic c2VjcmV0".into())],
            body: Some("code=abc".into()),
        };
        let d = format!("{r:?}");
        assert!(!d.contains("c2VjcmV0") && !d.contains("code=abc"), "{d}");
        let ok = HttpResponse { status: 200, content_type: None, body: "{\"access_token\":\"t\"}".into() };
        assert!(!format!("{ok:?}").contains("access_token"));
    }
}
