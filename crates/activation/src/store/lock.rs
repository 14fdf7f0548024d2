//! OS file locks shared by the app and the command line.
//!
//! `locks/<uuid>.lock` beside the connections file serialises token work on one connection
//! (refresh, client credentials, revoke), so two refreshes never race and one waits for the
//! other; `connections.lock` serialises read-modify-write of the connections file. The OS
//! releases a lock when its process dies, so a crash never leaves a connection stuck.
//! Lock files hold nothing.

use super::file::{create_dir, storage};
use crate::Error;
use std::fs::{File, OpenOptions};
use std::path::Path;
use uuid::Uuid;

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct Held {
    _file: File,
}

/// Waits for the exclusive lock of connection `id` under `dir` (blocking).
///
/// # Errors
/// [`Error::StorageFailed`].
pub fn connection(dir: &Path, id: Uuid) -> Result<Held, Error> {
    let locks = dir.join("locks");
    create_dir(&locks)?;
    exclusive(&locks.join(format!("{id}.lock")))
}

/// Waits for the exclusive lock of the connections file under `dir` (blocking).
///
/// # Errors
/// [`Error::StorageFailed`].
pub fn file(dir: &Path) -> Result<Held, Error> {
    create_dir(dir)?;
    exclusive(&dir.join("connections.lock"))
}

fn exclusive(path: &Path) -> Result<Held, Error> {
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| storage(path, &e))?;
    f.lock().map_err(|e| storage(path, &e))?;
    Ok(Held { _file: f })
}
