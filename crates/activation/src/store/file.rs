//! The connections file: `connections.json` in the app's config dir, `{"version": 1,
//! "connections": [...]}`.
//!
//! Written atomically: a temp file in the same dir, fsync, rename over the old file, fsync
//! the dir, so a crash leaves the old file or the new one, never half of each. A file from a
//! newer version or one that cannot be parsed is never overwritten: reading it gives
//! [`Error::ConnectionsFileTooNew`] or [`Error::ConnectionsFileCorrupt`] with the path, and
//! only [`set_aside`] (the user's explicit "start over") moves it away, keeping it as a copy.
//!
//! Security rule: the file holds settings and times only; [`Connection`] has no secret field.

use super::connection::Connection;
use crate::Error;
use serde::{Deserialize, Serialize};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The version this build writes and reads.
pub const VERSION: u64 = 1;
/// The file's name inside the config dir.
pub const FILE_NAME: &str = "connections.json";

#[derive(Serialize, Deserialize)]
struct OnDisk {
    version: u64,
    #[serde(default)]
    connections: Vec<Connection>,
}

/// What is read of the file before anything else: its version (any JSON value, judged after).
#[derive(Deserialize)]
struct Head {
    version: Option<serde_json::Value>,
}

/// Reads the connections; a missing file is an empty list.
///
/// # Errors
/// [`Error::ConnectionsFileTooNew`], [`Error::ConnectionsFileCorrupt`],
/// [`Error::StorageFailed`].
pub fn read(path: &Path) -> Result<Vec<Connection>, Error> {
    let text = match fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(storage(path, &e)),
    };
    parse(&text).map_err(|e| match e {
        Parse::TooNew(version) => Error::ConnectionsFileTooNew { path: path.display().to_string(), version },
        Parse::Corrupt(reason) => Error::ConnectionsFileCorrupt { path: path.display().to_string(), reason },
    })
}

/// Why a connections file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parse {
    TooNew(u64),
    Corrupt(String),
}

/// Parses the file's bytes (no I/O; the fuzz target's entry point).
///
/// # Errors
/// [`Parse::TooNew`] for a version above [`VERSION`], [`Parse::Corrupt`] otherwise.
pub fn parse(bytes: &[u8]) -> Result<Vec<Connection>, Parse> {
    // First the version alone (the rest is skipped unread: a newer file's fields may be
    // anything), then the file straight into its types, with no tree of JSON values in
    // between: 1,000 connections are read in a few milliseconds (docs/performance.md).
    let head: Head = serde_json::from_slice(bytes).map_err(|e| {
        Parse::Corrupt(if e.is_data() { "not a JSON object".into() } else { format!("not JSON ({e})") })
    })?;
    let version = match head.version {
        Some(v) => v.as_u64().ok_or_else(|| Parse::Corrupt("\"version\" is not a whole number".into()))?,
        None => return Err(Parse::Corrupt("no \"version\" field".into())),
    };
    if version > VERSION {
        return Err(Parse::TooNew(version));
    }
    let disk: OnDisk = serde_json::from_slice(bytes).map_err(|e| Parse::Corrupt(e.to_string()))?;
    let mut seen = std::collections::HashSet::new();
    for c in &disk.connections {
        if !seen.insert(c.id) {
            return Err(Parse::Corrupt(format!("the id {} appears twice", c.id)));
        }
    }
    Ok(disk.connections)
}

/// Writes the connections atomically, creating the dir (mode 0700 on Unix) if needed.
///
/// # Errors
/// [`Error::StorageFailed`].
pub fn write(path: &Path, connections: &[Connection]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_dir(dir)?;
    let json = serde_json::to_vec_pretty(&OnDisk { version: VERSION, connections: connections.to_vec() })
        .map_err(|e| Error::StorageFailed { path: path.display().to_string(), reason: e.to_string() })?;
    let tmp = dir.join(format!(".{FILE_NAME}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = OpenOptions::new().write(true).create(true).truncate(true).open(&tmp)?;
        f.write_all(&json)?;
        f.write_all(b"\n")?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        sync_dir(dir)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(storage(path, &e));
    }
    Ok(())
}

/// Moves a damaged or too-new file aside as `connections.json.damaged-<unix secs>` (never
/// overwriting an earlier copy) and returns where it went; the next read starts empty.
///
/// # Errors
/// [`Error::StorageFailed`].
pub fn set_aside(path: &Path) -> Result<PathBuf, Error> {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut n = 0u32;
    loop {
        let suffix = if n == 0 { format!("damaged-{secs}") } else { format!("damaged-{secs}-{n}") };
        let aside = path.with_file_name(format!("{FILE_NAME}.{suffix}"));
        if !aside.exists() {
            // A copy first, then remove: the original stays until the copy is safely down.
            fs::copy(path, &aside).map_err(|e| storage(&aside, &e))?;
            // Opened for writing: Windows flushes only a handle with write access (a
            // read-only one fails with "Access denied").
            OpenOptions::new().write(true).open(&aside).and_then(|f| f.sync_all()).map_err(|e| storage(&aside, &e))?;
            fs::remove_file(path).map_err(|e| storage(path, &e))?;
            let _ = sync_dir(path.parent().unwrap_or(Path::new(".")));
            return Ok(aside);
        }
        n += 1;
    }
}

/// Creates the dir (and parents), private to the user on Unix.
pub(crate) fn create_dir(dir: &Path) -> Result<(), Error> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(|e| storage(dir, &e))
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

pub(crate) fn storage(path: &Path, e: &std::io::Error) -> Error {
    Error::StorageFailed { path: path.display().to_string(), reason: e.to_string() }
}
