//! The subcommands over saved connections: `list`, `refresh`, `token`, `revoke`, `export`.
//! They use the same store as the app (`activation::store`), so both see the same
//! connections. Tokens go to stdout only where the user asked for them (refresh, token).

use crate::args::TokenFormat;
use crate::Failure;
use activation::export::Export;
use activation::fortnox::endpoints::Endpoints;
use activation::fortnox::token::FortnoxClient;
use activation::store::{Issued, Ownership, Store};
use activation::Language;
use std::path::Path;
use std::time::Duration;

/// A token client; a refused endpoint override stops the command (exit 2).
fn client() -> Result<FortnoxClient, Failure> {
    Ok(FortnoxClient::new(Endpoints::from_env()?))
}

/// `list`: a table (stdout) or, with `--json`, an array of connections with their status.
pub fn list(json: bool, lang: Language) -> Result<(), Failure> {
    let store = Store::open_default()?;
    let list = store.list()?;
    if json {
        out!("{}", serde_json::to_string(&list).unwrap_or_else(|_| "[]".into()));
        return Ok(());
    }
    if list.is_empty() {
        eprintln!(
            "{} ({})",
            match lang {
                Language::Sv => "Inga sparade kopplingar",
                Language::En => "No saved connections",
            },
            store.file_path().display()
        );
        return Ok(());
    }
    let headers = match lang {
        Language::Sv => ["NAMN", "FÖRETAG", "KONTO", "FÖRNYAS AV", "STATUS", "ID"],
        Language::En => ["NAME", "COMPANY", "ACCOUNT", "REFRESHED BY", "STATUS", "ID"],
    };
    let rows: Vec<[String; 6]> = list
        .iter()
        .map(|l| {
            let c = &l.connection;
            [
                c.name.clone(),
                c.company_name.clone().unwrap_or_else(|| "-".into()),
                c.account_type.as_str().to_string(),
                match (l.ownership, lang) {
                    (Ownership::KeptHere, Language::Sv) => "den här datorn",
                    (Ownership::KeptHere, Language::En) => "this computer",
                    (Ownership::HandedOver, Language::Sv) => "integrationen",
                    (Ownership::HandedOver, Language::En) => "the integration",
                }
                .to_string(),
                l.status.text.get(lang).to_string(),
                c.id.to_string(),
            ]
        })
        .collect();
    let mut widths = headers.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                s.push_str(&format!("{cell:<w$}  "));
            }
        }
        s
    };
    out!("{}", line(&headers.map(String::from)));
    for row in &rows {
        out!("{}", line(row));
    }
    Ok(())
}

fn print_issued(issued: &Issued, lang: Language) {
    out!("{}", issued.to_json_with_secrets());
    if let Some(w) = &issued.warning {
        eprintln!(
            "warning: {} {}",
            match lang {
                Language::Sv => "De nya token kunde inte sparas; de finns bara här ovan nu. Kopiera dem.",
                Language::En =>
                    "The new tokens could not be saved; they exist only in the output above now. Copy them.",
            },
            w.explain(lang)
        );
    }
}

/// `refresh NAME|ID`: new tokens on stdout; the old refresh token is dead afterwards.
pub async fn refresh(query: &str, lang: Language) -> Result<(), Failure> {
    let store = Store::open_default()?;
    let c = store.find(query)?;
    crate::guard_ctrl_c(lang);
    let issued = store.refresh(&client()?, c.id).await?;
    print_issued(&issued, lang);
    eprintln!(
        "{}",
        match lang {
            Language::Sv => "Förnyad. Den gamla förnyelsetoken fungerar inte längre; en annan kopia av den (integrationens) måste bytas ut.",
            Language::En => "Refreshed. The old refresh token no longer works; any other copy of it (the integration's) must be replaced.",
        }
    );
    Ok(())
}

/// `token NAME|ID`: the credential helper. An access token with more than `min_valid`
/// left: the saved one, or a new one fetched under the connection's lock (refresh, or client
/// credentials for a service account) and saved before it is printed. The refresh token is
/// never printed, except when the keychain refused the new pair: then the pair is printed
/// (the only copy) with a warning, and the exit code is 2.
pub async fn token(query: &str, format: TokenFormat, min_valid: Duration, lang: Language) -> Result<(), Failure> {
    let store = Store::open_default()?;
    let c = store.find(query)?;
    crate::guard_ctrl_c(lang);
    let fresh = store.access_token(&client()?, c.id, min_valid).await?;
    if let Some(issued) = fresh.issued.as_ref().filter(|i| i.warning.is_some()) {
        print_issued(issued, lang);
        return Err(Failure::Reported(2));
    }
    let export = Export::of_kept_connection(&fresh.connection, fresh.access.expose());
    match format {
        TokenFormat::Value => out!("{}", fresh.access.expose()),
        TokenFormat::Json => out!("{}", export.to_json()),
        TokenFormat::Env => out!("{}", export.to_env().trim_end()),
    }
    Ok(())
}

/// `revoke NAME|ID`: revoke at Fortnox, then remove locally (also when Fortnox can't be
/// reached; then the notice says the grant may remain).
pub async fn revoke(query: &str, lang: Language) -> Result<(), Failure> {
    let store = Store::open_default()?;
    let c = store.find(query)?;
    crate::guard_ctrl_c(lang);
    let removed = store.revoke_and_remove(&client()?, c.id).await?;
    out!(
        "{}",
        serde_json::json!({
            "connection_id": c.id.to_string(),
            "name": c.name,
            "revoked_at_fortnox": removed.revoked_at_fortnox,
            "removed": true,
        })
    );
    if let Some(e) = &removed.revoke_error {
        eprintln!("note: {}", e.explain(lang));
    }
    eprintln!("{}", removed.notice.get(lang));
    Ok(())
}

/// `export NAME|ID [-o FILE]`: the activation file, settings only.
pub fn export(query: &str, output: Option<&Path>, lang: Language) -> Result<(), Failure> {
    let store = Store::open_default()?;
    let c = store.find(query)?;
    let file = store.activation_file(c.id)?;
    match output {
        Some(path) => {
            file.write(path)?;
            eprintln!(
                "{} {}",
                match lang {
                    Language::Sv => "Aktiveringsfilen (utan hemligheter) skrevs till",
                    Language::En => "The activation file (no secrets) was written to",
                },
                path.display()
            );
        }
        None => out!("{}", file.to_json().trim_end()),
    }
    Ok(())
}
