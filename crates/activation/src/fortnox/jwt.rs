//! Reading Fortnox's access token (a JWT) without verifying it.
//!
//! Fortnox signs with HS256 and publishes no key, so nothing can be verified locally; the
//! claims are read only to show the tenant and expiry. Never trust them for security.

use base64::Engine as _;
use serde_json::Value;

/// The claims the app shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claims {
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub user_id: Option<String>,
    pub scopes: Vec<String>,
    /// Expiry, seconds since the Unix epoch.
    pub expires_at: Option<u64>,
}

/// Decodes the payload of a JWT. `None` when the token is not a JWT.
pub fn decode(token: &str) -> Option<Claims> {
    let mut parts = token.split('.');
    let (_header, payload) = (parts.next()?, parts.next()?);
    parts.next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    let string = |key: &str| match v.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let sub = string("sub");
    let tenant_id =
        string("tenantId").or_else(|| sub.as_deref().and_then(|s| s.split_once('@')).map(|(_, t)| t.to_string()));
    let user_id = sub.as_deref().map(|s| s.split_once('@').map_or(s, |(u, _)| u).to_string());
    let scopes = match v.get("scopes").or_else(|| v.get("scope")) {
        Some(Value::Array(a)) => a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect(),
        Some(Value::String(s)) => s.split_whitespace().map(str::to_string).collect(),
        _ => Vec::new(),
    };
    let expires_at = v.get("exp").and_then(Value::as_u64);
    Some(Claims { tenant_id, client_id: string("clientId"), user_id, scopes, expires_at })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!("{}.{}.sig", e.encode(r#"{"alg":"HS256","typ":"JWT"}"#), e.encode(payload))
    }

    #[test]
    fn fortnox_claims_are_read() {
        let c = decode(&jwt(r#"{"tenantId":1234567,"clientId":"C1","scopes":["companyinformation","invoice"],"exp":1800000000,"sub":"42@1234567"}"#)).unwrap();
        assert_eq!(c.tenant_id.as_deref(), Some("1234567"));
        assert_eq!(c.client_id.as_deref(), Some("C1"));
        assert_eq!(c.user_id.as_deref(), Some("42"));
        assert_eq!(c.scopes, ["companyinformation", "invoice"]);
        assert_eq!(c.expires_at, Some(1_800_000_000));
    }

    #[test]
    fn the_tenant_falls_back_to_sub() {
        let c = decode(&jwt(r#"{"sub":"7@99","scope":"a b"}"#)).unwrap();
        assert_eq!(c.tenant_id.as_deref(), Some("99"));
        assert_eq!(c.scopes, ["a", "b"]);
    }

    #[test]
    fn opaque_tokens_are_not_claims() {
        assert!(decode("opaque-token").is_none());
        assert!(decode("a.b").is_none());
        assert!(decode("a.!!!.c").is_none());
    }
}
