//! The redirect and paste parser: whatever the user pastes or a browser sends as a query,
//! parsing never panics, and a parsed code is never empty.
#![no_main]

use activation::capture::redirect::{parse_pasted, parse_query};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let from_query = parse_query(&text);
    assert!(from_query.code.as_ref().is_none_or(|c| !c.expose().is_empty()));
    if let Ok(p) = parse_pasted(&text) {
        assert!(p.code.is_some() || p.error.is_some());
        assert!(p.code.as_ref().is_none_or(|c| !c.expose().is_empty()));
    }
});
