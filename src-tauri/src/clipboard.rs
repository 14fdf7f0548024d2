//! Clipboard hygiene for what the app copies.
//!
//! Contract: a secret the user copies (the code, a token, or the JSON / `.env` export, which
//! hold them) goes on the clipboard marked for clipboard managers to keep out of their
//! history, and is cleared [`clear_after`] (60 s by default) later, if the clipboard still
//! holds it then; something the user copied since is left alone. Non-secrets (the authorize
//! URL, the redirect URI) stay. The command tells the window the delay so it can say so.
//!
//! Security rule: no copy of the secret is kept for the check: only a keyed hash of it
//! (`RandomState`, a fresh key per process), compared with a hash of what the clipboard holds.
//!
//! The timer lives in the process: so that a secret copied shortly before the app ends does
//! not stay on the clipboard (a clipboard manager, or Windows and macOS, keep it after the
//! app is gone), [`clear_on_exit`] runs when the window is closed and when the app exits,
//! and clears the clipboard if it still holds a secret the app copied and has not cleared
//! yet; the user's own later copy is left alone there too.
//!
//! For tests, `FORTNOX_ACTIVATOR_CLIPBOARD_CLEAR_SECS` (read once) sets the delay.
//!
//! The clipboard is `arboard` (the library Tauri's clipboard plugin wraps), text only,
//! opened on the first copy rather than at start: on X11 opening it means a connection and a
//! thread that serves what was copied, which a start that copies nothing does not need.

use crate::error::ShellError;
use crate::models::Copied;
use activation::app::Item;
use std::hash::BuildHasher;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime};

/// The variable that sets the delay, in whole seconds (at least 1).
pub const CLEAR_SECS_VAR: &str = "FORTNOX_ACTIVATOR_CLIPBOARD_CLEAR_SECS";
/// The delay when the variable is not set.
pub const DEFAULT_CLEAR_SECS: u64 = 60;

/// How long a copied secret stays on the clipboard.
pub fn clear_after() -> Duration {
    static DELAY: OnceLock<Duration> = OnceLock::new();
    *DELAY.get_or_init(|| Duration::from_secs(parse_secs(std::env::var(CLEAR_SECS_VAR).ok().as_deref())))
}

fn parse_secs(value: Option<&str>) -> u64 {
    value.and_then(|v| v.trim().parse::<u64>().ok()).filter(|&s| s > 0).unwrap_or(DEFAULT_CLEAR_SECS)
}

/// The system clipboard (managed state), opened on first use and kept open: on X11 the app
/// itself serves what it copied, for as long as it holds the clipboard.
#[derive(Default)]
pub struct SystemClipboard {
    clipboard: Mutex<Option<arboard::Clipboard>>,
    /// Keyed hashes of the secrets copied and not yet due (never the secrets themselves).
    outstanding: Mutex<Vec<u64>>,
    /// The key of those hashes, fresh for each process.
    hasher: std::hash::RandomState,
}

impl SystemClipboard {
    fn fingerprint(&self, text: &str) -> u64 {
        self.hasher.hash_one(text)
    }

    fn outstanding(&self) -> std::sync::MutexGuard<'_, Vec<u64>> {
        self.outstanding.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Clears the clipboard if it holds one of the outstanding secrets; forgets them all.
    /// Returns whether it cleared.
    fn clear_outstanding(&self) -> bool {
        let fingerprints = std::mem::take(&mut *self.outstanding());
        if fingerprints.is_empty() {
            return false;
        }
        let ours = self.read_text().is_ok_and(|now| fingerprints.contains(&self.fingerprint(&now)));
        ours && self.clear().is_ok()
    }

    fn with<T>(&self, f: impl FnOnce(&mut arboard::Clipboard) -> Result<T, arboard::Error>) -> Result<T, ShellError> {
        let failed = |e: arboard::Error| ShellError::ClipboardFailed { reason: e.to_string() };
        let mut slot = self.clipboard.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let clipboard = match &mut *slot {
            Some(c) => c,
            None => slot.insert(arboard::Clipboard::new().map_err(failed)?),
        };
        f(clipboard).map_err(failed)
    }

    fn write_text(&self, text: &str) -> Result<(), ShellError> {
        self.with(|c| c.set_text(text))
    }

    /// Like [`Self::write_text`], with the hints that keep clipboard managers from keeping it
    /// in their history (and, on Windows, from cloud sync).
    fn write_secret(&self, text: &str) -> Result<(), ShellError> {
        #[cfg(target_os = "macos")]
        use arboard::SetExtApple;
        #[cfg(not(any(windows, target_os = "macos")))]
        use arboard::SetExtLinux;
        #[cfg(windows)]
        use arboard::SetExtWindows;
        self.with(|c| {
            #[cfg(windows)]
            let set = c.set().exclude_from_monitoring();
            #[cfg(not(windows))]
            let set = c.set().exclude_from_history();
            set.text(text)
        })
    }

    fn read_text(&self) -> Result<String, ShellError> {
        self.with(|c| c.get_text())
    }

    fn clear(&self) -> Result<(), ShellError> {
        self.with(|c| c.clear())
    }
}

/// Puts `text` on the clipboard; a secret (per [`Item::is_secret`]) is cleared later.
///
/// # Errors
/// `clipboard_failed` when the system clipboard refuses the text.
pub fn copy<R: Runtime>(app: &AppHandle<R>, item: Item, text: &str) -> Result<Copied, ShellError> {
    let what = item.name();
    let clipboard = app.state::<SystemClipboard>();
    if !item.is_secret() {
        clipboard.write_text(text)?;
        tracing::info!(what, "copied to the clipboard");
        return Ok(Copied { clears_in_secs: None });
    }
    clipboard.write_secret(text)?;
    let delay = clear_after();
    let fingerprint = clipboard.fingerprint(text);
    clipboard.outstanding().push(fingerprint);
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(delay).await;
        // Reading the clipboard must not happen on the main thread (it can deadlock on Linux).
        let _ = tauri::async_runtime::spawn_blocking(move || {
            let clipboard = app.state::<SystemClipboard>();
            {
                let mut outstanding = clipboard.outstanding();
                match outstanding.iter().position(|f| *f == fingerprint) {
                    Some(i) => outstanding.swap_remove(i),
                    // Already dealt with (the window was closed meanwhile).
                    None => return,
                };
            }
            let still_ours = clipboard.read_text().is_ok_and(|now| clipboard.fingerprint(&now) == fingerprint);
            if still_ours {
                let cleared = clipboard.clear().is_ok();
                tracing::info!(cleared, "a copied secret was due: clipboard cleared");
            } else {
                tracing::info!("a copied secret was due: the clipboard holds something else, left alone");
            }
        })
        .await;
    });
    tracing::info!(what, clears_in_secs = delay.as_secs(), "copied a secret to the clipboard");
    Ok(Copied { clears_in_secs: Some(delay.as_secs()) })
}

/// How long [`clear_on_exit`] waits for the clipboard before letting the app go.
const EXIT_WAIT: Duration = Duration::from_secs(2);

/// When the window closes or the app exits: clears the clipboard if it still holds a secret
/// the app copied whose timer has not run yet (compared by keyed hash, so the user's own
/// later copy stays). Waits at most [`EXIT_WAIT`] for the clipboard, on another thread (not
/// the main one, which may be the one the clipboard's owner needs).
pub fn clear_on_exit<R: Runtime>(app: &AppHandle<R>) {
    let Some(clipboard) = app.try_state::<SystemClipboard>() else { return };
    if clipboard.outstanding().is_empty() {
        return;
    }
    let app = app.clone();
    let (done_tx, done) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new().name("clipboard-exit".into()).spawn(move || {
        let cleared = app.state::<SystemClipboard>().clear_outstanding();
        let _ = done_tx.send(cleared);
    });
    match spawned.ok().map(|_| done.recv_timeout(EXIT_WAIT)) {
        Some(Ok(true)) => tracing::info!("closing: a copied secret was still on the clipboard; cleared"),
        Some(Ok(false)) => tracing::info!("closing: the clipboard holds something else, left alone"),
        _ => tracing::warn!("closing: the clipboard did not answer; a copied secret may remain on it"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_defaults_to_a_minute_and_ignores_nonsense() {
        assert_eq!(parse_secs(None), 60);
        assert_eq!(parse_secs(Some("2")), 2);
        assert_eq!(parse_secs(Some(" 5 ")), 5);
        assert_eq!(parse_secs(Some("0")), 60);
        assert_eq!(parse_secs(Some("soon")), 60);
    }
}
