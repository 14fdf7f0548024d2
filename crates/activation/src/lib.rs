//! # activation: the Fortnox OAuth2 activation core
//!
//! Everything an activation needs that is not a window: connection settings and their
//! validation, the authorize URL, capturing the redirect (loopback listener or pasted URL),
//! the token calls, and reading the company from the API. It knows nothing of Tauri; the
//! desktop app and the `fortnox-activate` command line are thin layers over it.
//!
//! Security rules kept throughout: secrets live in the newtypes of [`secret`] (redacted
//! `Debug`, no `Serialize`); state is fresh per attempt, single use and checked before any
//! token request; the loopback listener binds loopback addresses only; no secret is logged.

pub mod app;
pub mod authorize;
pub mod capture;
pub mod clock;
pub mod diagnostics;
pub mod error;
pub mod export;
pub mod flow;
pub mod fortnox;
pub mod i18n;
pub mod logging;
pub mod platform;
pub mod secret;
pub mod session;
pub mod settings;
pub mod store;

pub use error::{Error, ErrorPayload};
pub use i18n::{Language, Text};

/// The result type of the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;
