//! A proxy in the environment never sees a request to this computer: with `HTTP_PROXY`,
//! `HTTPS_PROXY` and `ALL_PROXY` pointing at a local proxy stand-in that records every
//! connection, requests to `http://127.0.0.1:P`, `http://localhost:P` and `http://[::1]:P`
//! (endpoint overrides) go straight to the server, Basic header and all; a request to
//! another host does go to the proxy (so the stand-in is really in use).
//!
//! One test in its own binary: it sets the proxy variables for the whole process.

use activation::fortnox::http::{HttpRequest, ReqwestTransport, Transport};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Accepts connections, keeps the first bytes of each, answers `answer`, closes.
async fn recorder(listener: TcpListener, answer: &'static str) -> Arc<Mutex<Vec<String>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let record = Arc::clone(&record);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let n = stream.read(&mut buf).await.unwrap_or(0);
                record.lock().unwrap().push(String::from_utf8_lossy(&buf[..n]).into_owned());
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    seen
}

fn request(url: String) -> HttpRequest {
    HttpRequest {
        method: "POST",
        url,
        headers: vec![("Authorization".into(), "Basic cHJveHktY2xpZW50OnByb3h5LXNlY3JldA==".into())],
        body: Some("grant_type=authorization_code&code=proxy-code".into()),
    }
}

#[tokio::test]
async fn requests_to_this_computer_never_go_through_a_proxy() {
    let proxy = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let proxied =
        recorder(proxy, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 5\r\nConnection: close\r\n\r\nproxy").await;
    for var in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
        std::env::set_var(var, &proxy_url);
    }
    for var in ["NO_PROXY", "no_proxy"] {
        std::env::remove_var(var);
    }
    let server = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = server.local_addr().unwrap().port();
    let served = recorder(server, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nserver").await;
    let mut urls = vec![format!("http://127.0.0.1:{port}/oauth-v1/token"), format!("http://localhost:{port}/3/me")];
    let v6 = TcpListener::bind("[::1]:0").await.ok();
    let served_v6 = match v6 {
        Some(v6) => {
            let addr: SocketAddr = v6.local_addr().unwrap();
            urls.push(format!("http://[::1]:{}/3/companyinformation", addr.port()));
            Some(recorder(v6, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nserver").await)
        }
        None => None,
    };

    let transport = ReqwestTransport::new();
    for url in &urls {
        let answer = transport.send(request(url.clone())).await.unwrap_or_else(|e| panic!("{url}: {e:?}"));
        assert_eq!((answer.status, answer.body.as_str()), (200, "server"), "{url} reached the server itself");
    }
    assert!(proxied.lock().unwrap().is_empty(), "the proxy saw: {:?}", proxied.lock().unwrap());
    let direct = served.lock().unwrap().len() + served_v6.map_or(0, |s| s.lock().unwrap().len());
    assert_eq!(direct, urls.len());

    // The control: another host does go through the proxy stand-in.
    let answer = transport.send(request("http://fortnox.invalid/oauth-v1/token".into())).await.unwrap();
    assert_eq!((answer.status, answer.body.as_str()), (502, "proxy"));
    let seen = proxied.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].starts_with("POST http://fortnox.invalid/oauth-v1/token"), "{seen:?}");
}
