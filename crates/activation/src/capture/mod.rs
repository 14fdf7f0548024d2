//! Capturing Fortnox's redirect: what the redirect URI says about how it arrives, the
//! loopback listener and the page the browser lands on, links handed over by the operating
//! system (private-use URI scheme), and reading a redirect or a paste.

pub mod landing;
pub mod link;
pub mod loopback;
pub mod redirect;
pub mod redirect_uri;
pub mod scheme_handler;
pub mod scheme_registry;
pub mod slots;
