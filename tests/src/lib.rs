//! Test support for Fortnox Activator.
//!
//! * [`standin`]: a real HTTP server on 127.0.0.1 that imitates Fortnox's OAuth2
//!   endpoints (`/oauth-v1/auth`, `/oauth-v1/token`, `/oauth-v1/revoke`) and the two API
//!   resources the activator reads (`/3/companyinformation`, `/3/me`), following the
//!   behaviour written down in `docs/fortnox.md`, not the behaviour of any client.
//! * the binary `fortnox-standin` runs that server from the command line;
//! * the binary `fake-browser` stands in for the user's web browser (`$BROWSER`).
//!
//! This crate deliberately does not depend on the `activation` crate: the stand-in must
//! stay independent of the client it tests.

pub mod standin;

pub use standin::{
    decode_jwt_payload, AuthorizeBehaviour, ClientConfig, CompanyConfig, RecordedRequest, StandIn, StandInConfig,
    UserConfig,
};
