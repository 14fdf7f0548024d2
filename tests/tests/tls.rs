//! The token exchange over https trusts exactly what the operating system trusts (issue 8,
//! finding 4: a company's TLS inspection root, installed in the OS, must work).
//!
//! A self-made root CA (rcgen) signs the certificate of an https front (rustls) for the
//! Fortnox stand-in. The test then runs itself again as a child process per case, so that
//! each child's verifier reads the trust store it is given through `SSL_CERT_FILE` or
//! `SSL_CERT_DIR` (what the Linux platform verifier honours, as OpenSSL does):
//! - the root in `SSL_CERT_FILE`: the code exchange and the company lookup succeed;
//! - the root in a directory named by `SSL_CERT_DIR`: the same;
//! - another root only (as with bundled webpki roots, which never hold a company's root):
//!   the connection is refused as `network` with an unknown issuer, and no request reaches
//!   the stand-in;
//! - an empty trust store: `certificates_unavailable`, with its own message and next step.
//!
//! `harness = false`: `main` is the test; a failure panics (exit code 101).

use activation::fortnox::endpoints::Endpoints;
use activation::fortnox::token::FortnoxClient;
use activation::secret::{AuthCode, ClientSecret};
use activator_tests::standin::{ClientConfig, StandIn, StandInConfig};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};

const CLIENT_ID: &str = "tls-client";
const SECRET: &str = "tls-secret";
const REDIRECT_URI: &str = "https://integrator.example/callback";
/// Set in a child: `<oauth url> <api url> <code>`.
const CHILD: &str = "ACTIVATOR_TLS_TEST_CHILD";

fn main() {
    match std::env::var(CHILD) {
        Ok(spec) => child(&spec),
        Err(_) => parent(),
    }
}

/// One exchange with the verifier built from this process's environment; prints
/// `ok <company>` or `error <kind> <detail>`.
fn child(spec: &str) {
    let parts: Vec<&str> = spec.split(' ').collect();
    let [oauth, api, code] = parts[..] else { panic!("bad child spec {spec:?}") };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let client = FortnoxClient::new(Endpoints::new(oauth, api));
        let exchanged =
            client.exchange_code(CLIENT_ID, &ClientSecret::new(SECRET), &AuthCode::new(code), REDIRECT_URI).await;
        match exchanged {
            Ok(tokens) => match client.company_information(&tokens.access_token).await {
                Ok(company) => println!("ok {}", company.name),
                Err(e) => println!("error {} {}", e.kind(), e.detail().unwrap_or_default()),
            },
            Err(e) => println!("error {} {}", e.kind(), e.detail().unwrap_or_default()),
        }
    });
}

fn parent() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let (inspection_root, leaf_chain, leaf_key) = certificates("Example Corp TLS Inspection Root");
        let (other_root, _, _) = certificates("Some Other Root");
        std::fs::write(dir.path().join("inspection-root.pem"), &inspection_root).unwrap();
        std::fs::write(dir.path().join("other-root.pem"), &other_root).unwrap();
        std::fs::write(dir.path().join("empty.pem"), "").unwrap();
        std::fs::create_dir(dir.path().join("certs")).unwrap();
        std::fs::write(dir.path().join("certs/company-root.crt"), &inspection_root).unwrap();

        let standin =
            StandIn::start(StandInConfig::with_client(ClientConfig::new(CLIENT_ID, SECRET, REDIRECT_URI))).await;
        let front = https_front(standin.addr(), leaf_chain, leaf_key).await;
        let oauth = format!("https://{front}/oauth-v1");
        let api = format!("https://{front}/3");

        let store = |var: &str, path: &Path| vec![(var.to_string(), path.display().to_string())];
        let cases = [
            ("root in SSL_CERT_FILE", store("SSL_CERT_FILE", &dir.path().join("inspection-root.pem")), true),
            ("root in SSL_CERT_DIR", store("SSL_CERT_DIR", &dir.path().join("certs")), true),
            ("another root only", store("SSL_CERT_FILE", &dir.path().join("other-root.pem")), false),
            ("no roots at all", store("SSL_CERT_FILE", &dir.path().join("empty.pem")), false),
        ];
        for (name, env, trusted) in cases {
            standin.clear_requests();
            let code = code_from(&standin).await;
            let out = run_child(&format!("{oauth} {api} {code}"), &env).await;
            if trusted {
                assert_eq!(out, "ok Testbolaget AB", "{name}");
                assert_eq!(standin.token_requests().len(), 1, "{name}");
            } else if name == "no roots at all" {
                assert!(out.starts_with("error certificates_unavailable "), "{name}: {out}");
                assert!(standin.token_requests().is_empty(), "{name}");
            } else {
                assert!(out.starts_with("error network "), "{name}: {out}");
                assert!(out.contains("UnknownIssuer"), "{name}: the certificate was refused: {out}");
                assert!(standin.token_requests().is_empty(), "{name}: nothing was sent over the refused connection");
            }
        }
        println!("tls: 4 cases passed (platform trust store honoured, another root refused, none: explained)");
    });
}

/// A root CA named `root_name` (PEM) and a leaf for 127.0.0.1 and localhost signed by it (chain and key).
fn certificates(root_name: &str) -> (String, Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, root_name);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let root = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
    leaf.distinguished_name.push(DnType::CommonName, "localhost");
    let leaf_cert = leaf.signed_by(&leaf_key, &root).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    (root.pem(), vec![leaf_cert.der().clone(), root.der().clone()], key)
}

/// An https front on 127.0.0.1 that relays each connection to `upstream` (plain HTTP).
async fn https_front(
    upstream: SocketAddr,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> SocketAddr {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A refused handshake simply ends here.
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                let Ok(mut plain) = TcpStream::connect(upstream).await else { return };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    addr
}

/// A fresh code from the stand-in's `/auth` (plain HTTP; the login is played by it).
async fn code_from(standin: &StandIn) -> String {
    let url = url::Url::parse_with_params(
        &standin.authorize_endpoint(),
        [
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "companyinformation"),
            ("state", "tls-state"),
            ("access_type", "offline"),
            ("response_type", "code"),
        ],
    )
    .unwrap();
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let answer = client.get(url).send().await.unwrap();
    let location = answer.headers()["location"].to_str().unwrap().to_string();
    let location = url::Url::parse(&location).unwrap();
    location.query_pairs().find(|(k, _)| k == "code").map(|(_, v)| v.into_owned()).expect("a code")
}

/// Runs this test binary as a child with only the given trust store variables.
async fn run_child(spec: &str, env: &[(String, String)]) -> String {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env(CHILD, spec).env_remove("SSL_CERT_FILE").env_remove("SSL_CERT_DIR");
    cmd.envs(env.iter().map(|(k, v)| (k, v)));
    let out = tokio::task::spawn_blocking(move || cmd.output()).await.unwrap().unwrap();
    assert!(out.status.success(), "child failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
