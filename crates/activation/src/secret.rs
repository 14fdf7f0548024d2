//! Newtypes for every secret the flow handles.
//!
//! Security rule: a secret's `Debug` prints `[redacted]`, it has no `Display` and no
//! `Serialize`, so it cannot reach a log line, a file or the webview by accident. The only
//! way to the value is [`expose`](ClientSecret::expose), which makes every use greppable.

/// Which secret of a connection is kept in the keychain (one entry each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretKind {
    ClientSecret,
    AccessToken,
    RefreshToken,
}

impl SecretKind {
    /// All kinds, in the order they are written.
    pub const ALL: [SecretKind; 3] = [SecretKind::ClientSecret, SecretKind::RefreshToken, SecretKind::AccessToken];

    /// `client_secret`, `access_token`, `refresh_token`: the keychain entry's suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::ClientSecret => "client_secret",
            SecretKind::AccessToken => "access_token",
            SecretKind::RefreshToken => "refresh_token",
        }
    }

    /// The keychain account name of this secret of connection `id`.
    pub fn account(self, id: uuid::Uuid) -> String {
        format!("{id}/{}", self.as_str())
    }

    /// Its name in a sentence ("the client secret"), in both languages.
    pub fn label(self) -> crate::Text {
        match self {
            SecretKind::ClientSecret => crate::Text::new("client secret", "klienthemlighet"),
            SecretKind::AccessToken => crate::Text::new("access token", "åtkomsttoken"),
            SecretKind::RefreshToken => crate::Text::new("refresh token", "förnyelsetoken"),
        }
    }
}

macro_rules! secret {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret value itself. Call only where it must leave the process: an HTTP
            /// request, the clipboard, or the user asking to see it.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map(Self)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret!(
    /// The integration's client secret from Fortnox's Developer Portal.
    ClientSecret
);
secret!(
    /// An authorization code: valid 10 minutes, single use.
    AuthCode
);
secret!(
    /// The OAuth2 `state` of one authorization attempt.
    State
);
secret!(
    /// An access token (a JWT, valid one hour).
    AccessToken
);
secret!(
    /// A refresh token (single use, rotated on every refresh).
    RefreshToken
);

impl State {
    /// A fresh state with 256 bits from the operating system's CSPRNG, URL-safe.
    ///
    /// # Panics
    /// Only if the operating system has no random source, which no supported OS lacks.
    pub fn generate() -> Self {
        use base64::Engine as _;
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the OS random number generator is available");
        State(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Compares in constant time, so a timing side channel reveals nothing of the state.
    pub fn matches(&self, other: &str) -> bool {
        let a = self.0.as_bytes();
        let b = other.as_bytes();
        if a.len() != b.len() {
            return false;
        }
        a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = ClientSecret::new("hunter2");
        assert_eq!(format!("{s:?}"), "ClientSecret([redacted])");
        assert!(!format!("{:?}", RefreshToken::new("abc")).contains("abc"));
    }

    #[test]
    fn generated_states_are_long_and_distinct() {
        let a = State::generate();
        let b = State::generate();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 43);
        assert!(a.expose().chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn state_comparison() {
        let s = State::new("abc");
        assert!(s.matches("abc"));
        assert!(!s.matches("abd"));
        assert!(!s.matches("ab"));
        assert!(!s.matches(""));
    }
}
