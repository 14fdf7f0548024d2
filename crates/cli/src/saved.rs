//! The subcommands over saved connections: `list`, `refresh`, `token`, `revoke`, `export`.
//! They use the same store as the app (`activation::store`), so both see the same
//! connections. Tokens go to stdout only where the user asked for them (refresh, token).

use crate::Failure;
use activation::fortnox::endpoints::Endpoints;
use activation::fortnox::token::FortnoxClient;
use activation::store::{Issued, Store};
use activation::Language;
use std::path::Path;

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
        say!(
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
        Language::Sv => ["NAMN", "FÖRETAG", "KONTO", "STATUS", "ID"],
        Language::En => ["NAME", "COMPANY", "ACCOUNT", "STATUS", "ID"],
    };
    let rows: Vec<[String; 5]> = list
        .iter()
        .map(|l| {
            let c = &l.connection;
            // Names come from files and from Fortnox: one line each, controls shown escaped.
            [
                crate::term::one_line(&c.name).into_owned(),
                c.company_name.as_deref().map_or_else(|| "-".into(), |n| crate::term::one_line(n).into_owned()),
                c.account_type.as_str().to_string(),
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
    show!("{}", line(&headers.map(String::from)));
    for row in &rows {
        show!("{}", line(row));
    }
    Ok(())
}

fn print_issued(issued: &Issued, lang: Language) {
    out!("{}", issued.to_json_with_secrets());
    if let Some(w) = &issued.warning {
        say!(
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
    say!(
        "{}",
        match lang {
            Language::Sv => "Förnyad. Den gamla förnyelsetoken fungerar inte längre; en annan kopia av den (integrationens) måste bytas ut.",
            Language::En => "Refreshed. The old refresh token no longer works; any other copy of it (the integration's) must be replaced.",
        }
    );
    Ok(())
}

/// `token NAME|ID`: a service account's access token by client credentials.
pub async fn token(query: &str, lang: Language) -> Result<(), Failure> {
    let store = Store::open_default()?;
    let c = store.find(query)?;
    crate::guard_ctrl_c(lang);
    let issued = store.service_token(&client()?, c.id).await?;
    print_issued(&issued, lang);
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
        say!("note: {}", e.explain(lang));
    }
    say!("{}", removed.notice.get(lang));
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
            say!(
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
