//! The saved connections file: any bytes are a list of connections, "too new" or "damaged",
//! never a panic; a list that parses reads its status at any clock (absurd times included)
//! and survives a round trip through the file format unchanged.
#![no_main]

use activation::store::file::{parse, Parse};
use libfuzzer_sys::fuzz_target;
use std::time::{Duration, UNIX_EPOCH};

fuzz_target!(|data: &[u8]| {
    match parse(data) {
        Ok(list) => {
            for c in &list {
                let _ = c.status();
                let _ = c.status_at(UNIX_EPOCH);
                let _ = c.status_at(UNIX_EPOCH + Duration::from_secs(u64::from(u32::MAX) * 4));
                let _ = c.refresh_token_expires_at_ms();
            }
            let text = serde_json::json!({"version": 1, "connections": list}).to_string();
            let again = parse(text.as_bytes()).expect("what was read can be read again");
            assert_eq!(again, list);
        }
        Err(Parse::TooNew(v)) => assert!(v > activation::store::file::VERSION),
        Err(Parse::Corrupt(_)) => {}
    }
});
