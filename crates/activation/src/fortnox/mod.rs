//! Talking to Fortnox: where it lives, the HTTP seam, the token client and company lookup,
//! reading the access token's claims, and the catalogue of scopes.

pub mod endpoints;
pub mod http;
pub mod jwt;
pub mod scopes;
pub mod token;
