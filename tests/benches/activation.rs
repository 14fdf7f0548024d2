//! How long an activation takes on this machine, apart from the person: start an attempt,
//! the browser's round trip through the stand-in's `/auth` to the loopback listener, the code
//! exchange and the company lookup. Prints figures; asserts nothing about time.
//!
//! `cargo bench -p activator-tests --bench activation` (add `-- N` for N rounds, default 50).

use activation::fortnox::endpoints::Endpoints;
use activation::fortnox::token::FortnoxClient;
use activation::secret::ClientSecret;
use activation::session::{Event, Session};
use activation::settings::{check, AccountType, NameRule, SettingsInput};
use activation::Language;
use activator_tests::standin::{ClientConfig, StandIn, StandInConfig};
use std::time::{Duration, Instant};

fn main() {
    let rounds: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(50);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(run(rounds));
}

/// Follows redirects by hand, as a browser would, until the loopback page answers.
async fn browse(http: &reqwest::Client, mut url: String) {
    for _ in 0..5 {
        let r = http.get(&url).send().await.expect("GET");
        match r.headers().get("location").and_then(|l| l.to_str().ok()) {
            Some(next) => url = next.to_string(),
            None => return,
        }
    }
}

async fn run(rounds: usize) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let standin =
        StandIn::start(StandInConfig::with_client(ClientConfig::new("bench", "secret", redirect.clone()))).await;
    let endpoints = Endpoints::new(&standin.oauth_url(), &standin.api_url());
    let settings = check(
        &SettingsInput {
            connection_name: "Bench".into(),
            client_id: "bench".into(),
            client_secret: Some(ClientSecret::new("secret")),
            redirect_uri: redirect,
            scopes: vec!["companyinformation".into(), "invoice".into()],
            account_type: AccountType::User,
        },
        NameRule::Required,
    )
    .into_result()
    .unwrap();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    // Building the authorize URL alone (fresh 256-bit state each time).
    let n = 100_000;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(activation::authorize::Attempt::new(&endpoints, &settings));
    }
    let per = t.elapsed() / n;
    println!("authorize URL with a fresh state: {:.2} µs each ({n} runs)", per.as_secs_f64() * 1e6);

    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let t = Instant::now();
        let session = Session::start(
            FortnoxClient::new(endpoints.clone()),
            settings.clone(),
            Duration::from_secs(30),
            || Language::En,
            move |e| {
                let _ = tx.send(e);
            },
        )
        .await
        .unwrap();
        browse(&http, session.started().authorize_url.clone()).await;
        loop {
            match rx.recv().await.unwrap() {
                Event::Succeeded { .. } => break,
                Event::Failed { error } => panic!("{error:?}"),
                _ => {}
            }
        }
        times.push(t.elapsed());
        drop(session);
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mean = times.iter().sum::<Duration>() / rounds as u32;
    println!(
        "whole activation on loopback (listener, /auth, callback, exchange, company): \
         median {:.2} ms, p95 {:.2} ms, max {:.2} ms, mean {:.2} ms ({rounds} runs)",
        ms(times[rounds / 2]),
        ms(times[(rounds * 95 / 100).min(rounds - 1)]),
        ms(times[rounds - 1]),
        ms(mean)
    );
}
