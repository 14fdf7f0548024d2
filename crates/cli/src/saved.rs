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

/// `list`: a table (stdout) or, with `--json`, an array of connections with their status,
/// who keeps the refresh token and the next action with its date. With `--due DAYS` the
/// exit code is 1 when a connection kept here needs action within DAYS days (named on
/// stderr), for a scheduled task.
pub fn list(json: bool, due: Option<u64>, lang: Language) -> Result<(), Failure> {
    let store = Store::open_default()?;
    let list = store.list()?;
    let overdue = due.map(|days| due_within(&list, days, lang)).unwrap_or(false);
    let code = if overdue { Err(Failure::Reported(1)) } else { Ok(()) };
    if json {
        out!("{}", serde_json::to_string(&list).unwrap_or_else(|_| "[]".into()));
        return code;
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
        Language::Sv => ["NAMN", "FÖRETAG", "KONTO", "FÖRNYAS AV", "STATUS", "ID"],
        Language::En => ["NAME", "COMPANY", "ACCOUNT", "REFRESHED BY", "STATUS", "ID"],
    };
    let rows: Vec<[String; 6]> = list
        .iter()
        .map(|l| {
            let c = &l.connection;
            // Names come from files and from Fortnox: one line each, controls shown escaped.
            [
                crate::term::one_line(&c.name).into_owned(),
                c.company_name.as_deref().map_or_else(|| "-".into(), |n| crate::term::one_line(n).into_owned()),
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
    show!("{}", line(&headers.map(String::from)));
    for row in &rows {
        show!("{}", line(row));
    }
    code
}

/// Whether a connection kept here needs action within `days` days; each one is named on
/// stderr with its action and date.
fn due_within(list: &[activation::store::Listed], days: u64, lang: Language) -> bool {
    use activation::store::Action;
    let limit =
        activation::clock::epoch_ms(std::time::SystemTime::now()).saturating_add(days.saturating_mul(86_400_000));
    let mut any = false;
    for l in list {
        let Some(next) = l.next_action.as_ref().filter(|n| n.due_ms <= limit) else { continue };
        any = true;
        let date = &next.due_at[..10];
        let what = match (next.action, lang) {
            (Action::Refresh, Language::En) => format!("refresh by {date} (fortnox-activate refresh, or token)"),
            (Action::Refresh, Language::Sv) => format!("förnya senast {date} (fortnox-activate refresh, eller token)"),
            (Action::Reauthorize, Language::En) => "re-authorize now (only the customer can approve)".to_string(),
            (Action::Reauthorize, Language::Sv) => "godkänn igen nu (bara kunden kan godkänna)".to_string(),
            (Action::SaveKeys, Language::En) => "save its keys (the keychain does not hold them)".to_string(),
            (Action::SaveKeys, Language::Sv) => "spara nycklarna (nyckelringen har dem inte)".to_string(),
        };
        say!("due: \"{}\": {what}", l.connection.name);
    }
    any
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

/// `token NAME|ID`: the credential helper. An access token with more than `min_valid`
/// left: the saved one, or a new one fetched under the connection's lock (refresh, or client
/// credentials for a service account) and saved before it is printed. The refresh token is
/// never printed, except when the keychain refused the new pair: then the pair is printed
/// (the only copy) with a warning, and the exit code is 2.
pub async fn token(query: &str, format: TokenFormat, min_valid: Duration, lang: Language) -> Result<(), Failure> {
    let store = Store::open_default()?;
    let c = store.find(query)?;
    crate::guard_ctrl_c(lang);
    let fresh = store.access_token_of(&client()?, c, min_valid).await?;
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
