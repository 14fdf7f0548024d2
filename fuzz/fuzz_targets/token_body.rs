//! The token endpoint's answer, success and error alike: any status, Content-Type and body
//! gives tokens or an error without panicking, an error never quotes a value of a 2xx body
//! (which can hold tokens), and the expiry times of any tokens are computable.
#![no_main]

use activation::fortnox::http::HttpResponse;
use activation::fortnox::token::{parse_token_response, Grant};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// The same document with every string value emptied (keys kept).
fn blank_values(v: &mut Value) {
    match v {
        Value::String(s) => s.clear(),
        Value::Array(a) => a.iter_mut().for_each(blank_values),
        Value::Object(m) => m.values_mut().for_each(blank_values),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    // The first byte picks the status and the grant; the rest is the body.
    let status = [200u16, 201, 204, 400, 401, 403, 429, 500, 503, 302][usize::from(first % 10)];
    let grant = [Grant::Code, Grant::Refresh, Grant::ClientCredentials][usize::from(first / 10 % 3)];
    let body = String::from_utf8_lossy(rest).into_owned();
    let response = HttpResponse { status, content_type: Some("text/html".into()), body: body.clone() };
    match parse_token_response(&response, grant) {
        Ok(tokens) => {
            assert!(!tokens.access_token.expose().is_empty());
            let _ = tokens.access_expires_at();
            let _ = tokens.refresh_expires_at();
        }
        Err(error) => {
            let _ = error.payload();
            if !(200..300).contains(&status) {
                return;
            }
            let detail = error.detail().unwrap_or_default();
            match serde_json::from_str::<Value>(&body) {
                // Not JSON: the detail describes the size only.
                Err(_) => assert_eq!(detail, format!("HTTP {status}: [text/html] not JSON ({} bytes)", body.len())),
                // JSON: the detail depends on the shape and the keys only, so emptying every
                // value changes nothing in it.
                Ok(mut json) => {
                    blank_values(&mut json);
                    let blanked = HttpResponse { body: json.to_string(), ..response };
                    let again = parse_token_response(&blanked, grant).err().and_then(|e| e.detail());
                    assert_eq!(Some(detail), again, "the detail depends on a value of a 2xx body");
                }
            }
        }
    }
});
