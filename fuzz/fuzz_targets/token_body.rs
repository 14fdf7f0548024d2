//! The token endpoint's answer, success and error alike: any status, Content-Type and body
//! gives tokens or an error without panicking, an error never quotes a 2xx body, and the
//! expiry times of any tokens are computable.
#![no_main]

use activation::fortnox::http::HttpResponse;
use activation::fortnox::token::{parse_token_response, Grant};
use libfuzzer_sys::fuzz_target;

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
            if (200..300).contains(&status) && body.len() > 40 {
                let detail = error.detail().unwrap_or_default();
                assert!(!detail.contains(body.as_str()), "a 2xx body reached the detail");
            }
        }
    }
});
