//! `seed-connections --count N [--keychain]`: saves N made-up connections for the
//! benchmark (`bench/saved.py`), as the app and the command line would find them.
//!
//! The connections file goes where the store reads it (`Store::default_dir()`: under
//! `XDG_CONFIG_HOME`, or `HOME/.config`); with `--keychain`, each connection's client
//! secret, refresh token and access token go into the OS keychain through the store's own
//! [`KeyringStore`], as made-up values (run it on a throwaway session bus and keyring, never
//! the user's). The connections' statuses are a realistic mix: most active with a valid
//! access token, some needing re-authorization soon, expired, refused, revoked, handed over,
//! service accounts, keys not saved. The first connection (`Kund 0001 AB`) is always a
//! user account kept here whose access token is valid for an hour, with its keys saved: the
//! one `fortnox-activate token` reads. Prints the file's path and the first connection's
//! id, one per line. Replaces any file already there; no secret is printed.

use activation::secret::SecretKind;
use activation::settings::AccountType;
use activation::store::{file, Connection, KeyringStore, SecretStore, SecretsSaved, Standing, Store};
use std::time::SystemTime;
use uuid::Uuid;

const DAY_MS: u64 = 86_400_000;
const SCOPES: [&str; 6] = ["companyinformation", "invoice", "customer", "bookkeeping", "article", "supplier"];

fn main() {
    let mut count = 1000usize;
    let mut keychain = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--count" => count = args.next().and_then(|n| n.parse().ok()).unwrap_or_else(|| usage()),
            "--keychain" => keychain = true,
            _ => usage(),
        }
    }
    let now = activation::clock::epoch_ms(SystemTime::now());
    let connections: Vec<Connection> = (0..count).map(|i| made_up(i, now)).collect();
    let dir = Store::default_dir().unwrap_or_else(|e| fail(&e.to_string()));
    let path = dir.join(file::FILE_NAME);
    file::write(&path, &connections).unwrap_or_else(|e| fail(&e.to_string()));
    if keychain {
        let store = KeyringStore::new();
        for c in &connections {
            let s = c.secrets_saved;
            for (kind, saved) in [
                (SecretKind::ClientSecret, s.client_secret),
                (SecretKind::RefreshToken, s.refresh_token),
                (SecretKind::AccessToken, s.access_token),
            ] {
                if saved {
                    store.set(c.id, kind, &made_up_secret(kind)).unwrap_or_else(|e| fail(&e.to_string()));
                }
            }
        }
    }
    println!("{}", path.display());
    println!("{}", connections[0].id);
}

/// Connection `i` of the seed: mostly healthy, with every other status spread through.
fn made_up(i: usize, now: u64) -> Connection {
    let n = i + 1;
    let kind = if i == 0 { 0 } else { i % 20 };
    let service = kind == 7 || kind == 14;
    let issued_days_ago = match kind {
        3 => 27, // re-authorize within a week
        4 => 40, // expired
        _ => (i % 20) as u64,
    };
    let mut c = Connection {
        id: Uuid::new_v4(),
        name: format!("Kund {n:04} AB"),
        client_id: format!("client-{:02}", i % 7),
        redirect_uri: "http://localhost:9876/callback".into(),
        scopes: SCOPES[..2 + i % 4].iter().map(|s| (*s).to_string()).collect(),
        granted_scopes: SCOPES[..2 + i % 4].iter().map(|s| (*s).to_string()).collect(),
        account_type: if service { AccountType::Service } else { AccountType::User },
        tenant_id: Some(format!("{}", 1_000_000 + n)),
        company_name: Some(format!("{} Bolaget {n:04} AB", ["Norra", "Södra", "Östra", "Västra", "Mellersta"][i % 5])),
        organization_number: Some(format!("55{:04}-{:04}", n % 10_000, (n * 7) % 10_000)),
        created_at_ms: now - 60 * DAY_MS,
        authorized_at_ms: Some(now - issued_days_ago * DAY_MS),
        access_token_expires_at_ms: Some(if kind % 2 == 0 { now + 3_600_000 } else { now - 3_600_000 }),
        refresh_token_issued_at_ms: (!service).then_some(now - issued_days_ago * DAY_MS),
        standing: Standing::Ok,
        secrets_saved: SecretsSaved { client_secret: true, access_token: true, refresh_token: !service },
        handed_over_at_ms: None,
    };
    match kind {
        5 => c.standing = Standing::NeedsReauthorization,
        9 => c.standing = Standing::Revoked,
        11 => {
            c.handed_over_at_ms = Some(now - 2 * DAY_MS);
            c.secrets_saved.refresh_token = false;
        }
        13 => c.secrets_saved.access_token = false,
        _ => {}
    }
    c
}

/// A made-up value of the length Fortnox's are (a JWT of ~900 bytes, refresh tokens of 40).
fn made_up_secret(kind: SecretKind) -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).unwrap_or_else(|e| fail(&e.to_string()));
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    match kind {
        SecretKind::AccessToken => format!("eyJhbGciOiJIUzI1NiJ9.{}.{}", hex.repeat(13), &hex[..43]),
        SecretKind::RefreshToken => hex[..40].to_string(),
        SecretKind::ClientSecret => hex[..10].to_string(),
    }
}

fn usage() -> ! {
    eprintln!("usage: seed-connections [--count N] [--keychain]");
    std::process::exit(2)
}

fn fail(why: &str) -> ! {
    eprintln!("seed-connections: {why}");
    std::process::exit(1)
}
