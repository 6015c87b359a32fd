//! Whether a role's Authentication sends what this console's callback
//! receiver expects. Checked before a takeover is confirmed: when they
//! differ, the receiver answers the hub's deliveries with 401 and no reply
//! ever shows. The result names users and URLs, never a password or secret.

use crate::api::models::{AuthType, Authentication};
use crate::callback::ReceiverAuth;

/// What the receiver accepts, as the console started it. Its secrets stay
/// in [`crate::api::Secret`]s: debug output shows `***`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverCredentials {
    pub auth: ReceiverAuth,
    /// Where the receiver issues tokens (bearer mode).
    pub token_url: Option<String>,
}

/// How a role's Authentication compares with the receiver's credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialsCheck {
    /// It sends what the receiver expects (the text says what).
    Match(String),
    /// It does not: deliveries will be refused (401). The text says why.
    Mismatch(String),
    /// The receiver accepts any caller.
    Open,
    /// Cannot be told from here (the text says what to check by hand).
    Unknown(String),
}

/// Compare `auth` (the role's Authentication, `None` when it has none)
/// with what `receiver` expects.
pub fn check(receiver: &ReceiverCredentials, auth: Option<&Authentication>) -> CredentialsCheck {
    use CredentialsCheck::*;
    if receiver.auth == ReceiverAuth::None {
        return Open;
    }
    let Some(auth) = auth else {
        return Mismatch("the role has no Authentication: the hub sends no credentials".into());
    };
    let name = &auth.name;
    match (&receiver.auth, &auth.auth_type, &auth.basic_auth, &auth.oauth2) {
        (ReceiverAuth::None, ..) => Open,
        (ReceiverAuth::Basic { username, password }, AuthType::Basic, Some(basic), _) => {
            if basic.username != *username {
                Mismatch(format!(
                    "Authentication \"{name}\" sends user \"{}\", the receiver expects user \"{username}\"",
                    basic.username
                ))
            } else if is_hidden(&basic.password) {
                Unknown(format!(
                    "Authentication \"{name}\" sends user \"{username}\"; the tenant does not show its password: \
                     check it is the receiver's"
                ))
            } else if basic.password != password.expose() {
                Mismatch(format!(
                    "Authentication \"{name}\" sends user \"{username}\" with a password that differs from the receiver's"
                ))
            } else {
                Match(format!(
                    "Authentication \"{name}\" (basic, user \"{username}\") matches the receiver's credentials"
                ))
            }
        }
        (
            ReceiverAuth::Bearer {
                client_id,
                client_secret,
            },
            AuthType::OAuth2,
            _,
            Some(oauth),
        ) => {
            let expected = receiver.token_url.as_deref().unwrap_or_default();
            let sent: String = oauth
                .headers
                .iter()
                .map(|h| h.value.as_str())
                .chain(oauth.payload.as_deref())
                .collect::<Vec<_>>()
                .join("\n");
            if oauth.token_request_url.trim_end_matches('/') != expected.trim_end_matches('/') {
                Mismatch(format!(
                    "Authentication \"{name}\" fetches its token from {}, not from the receiver's {expected}",
                    crate::api::redact::text(&oauth.token_request_url)
                ))
            } else if !carries_client(&sent, &oauth.headers, client_id, client_secret.expose()) {
                Mismatch(format!(
                    "Authentication \"{name}\" does not send the receiver's client \"{client_id}\" and its secret in its token request"
                ))
            } else {
                Match(format!(
                    "Authentication \"{name}\" (oauth2, client \"{client_id}\") gets its token from the receiver"
                ))
            }
        }
        (ReceiverAuth::Basic { .. }, ..) => Mismatch(format!(
            "Authentication \"{name}\" is {}, the receiver expects basic credentials",
            auth.auth_type
        )),
        (ReceiverAuth::Bearer { .. }, ..) => Mismatch(format!(
            "Authentication \"{name}\" is {}, the receiver expects an oauth2 token from {}",
            auth.auth_type,
            receiver.token_url.as_deref().unwrap_or("its token route")
        )),
    }
}

/// A password a tenant masks on read (empty, or only `*`/`•`).
fn is_hidden(password: &str) -> bool {
    password.is_empty() || password.chars().all(|c| c == '*' || c == '•') || password == "[REDACTED]"
}

/// Whether a token request sends the client: both in its payload or
/// headers, or as an `Authorization: Basic id:secret` header.
fn carries_client(sent: &str, headers: &[crate::api::models::NameValue], id: &str, secret: &str) -> bool {
    (sent.contains(id) && sent.contains(secret)) || sends_basic(headers, id, secret)
}

/// An `Authorization: Basic` header carrying `id:secret`.
fn sends_basic(headers: &[crate::api::models::NameValue], id: &str, secret: &str) -> bool {
    use base64::Engine;
    let wanted = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    headers.iter().any(|h| {
        h.name.eq_ignore_ascii_case("authorization")
            && h.value
                .strip_prefix("Basic ")
                .or_else(|| h.value.strip_prefix("basic "))
                .is_some_and(|v| v.trim() == wanted)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Secret;
    use serde_json::json;

    fn basic(user: &str, password: &str) -> ReceiverCredentials {
        ReceiverCredentials {
            auth: ReceiverAuth::Basic {
                username: user.into(),
                password: Secret::new(password),
            },
            token_url: None,
        }
    }

    fn authentication(value: serde_json::Value) -> Authentication {
        serde_json::from_value(value).expect("an Authentication")
    }

    fn basic_auth(user: &str, password: &str) -> Authentication {
        authentication(json!({"id": "a", "name": "cb", "type": "basic",
            "basicAuth": {"username": user, "password": password}}))
    }

    #[test]
    fn basic_credentials_match_differ_or_cannot_be_seen_and_no_password_is_named() {
        let receiver = basic("console", "s3cret-canary");
        assert!(matches!(
            check(&receiver, Some(&basic_auth("console", "s3cret-canary"))),
            CredentialsCheck::Match(_)
        ));
        for (user, password) in [("console", "other"), ("someone", "s3cret-canary")] {
            let CredentialsCheck::Mismatch(why) = check(&receiver, Some(&basic_auth(user, password))) else {
                panic!("{user}/{password} differs");
            };
            assert!(!why.contains("s3cret-canary") && !why.contains("other"), "{why}");
        }
        assert!(matches!(
            check(&receiver, Some(&basic_auth("console", "********"))),
            CredentialsCheck::Unknown(_)
        ));
        assert!(matches!(check(&receiver, None), CredentialsCheck::Mismatch(_)));
        let open = ReceiverCredentials {
            auth: ReceiverAuth::None,
            token_url: None,
        };
        assert_eq!(check(&open, None), CredentialsCheck::Open);
    }

    #[test]
    fn bearer_needs_an_oauth2_token_from_the_receiver_with_its_client() {
        let receiver = ReceiverCredentials {
            auth: ReceiverAuth::Bearer {
                client_id: "egain-hub".into(),
                client_secret: Secret::new("tok-canary"),
            },
            token_url: Some("https://cb.example.com/callback/token".into()),
        };
        let oauth = |url: &str, payload: &str| {
            authentication(json!({"id": "a", "name": "tok", "type": "oauth2",
                "oauth2": {"tokenRequestUrl": url, "method": "POST", "payload": payload}}))
        };
        let good = oauth(
            "https://cb.example.com/callback/token",
            r#"{"client_id":"egain-hub","client_secret":"tok-canary"}"#,
        );
        assert!(matches!(check(&receiver, Some(&good)), CredentialsCheck::Match(_)));
        let elsewhere = oauth(
            "https://idp.example.com/token",
            r#"{"client_id":"egain-hub","client_secret":"tok-canary"}"#,
        );
        assert!(
            matches!(check(&receiver, Some(&elsewhere)), CredentialsCheck::Mismatch(m) if m.contains("idp.example.com"))
        );
        let wrong = oauth(
            "https://cb.example.com/callback/token",
            r#"{"client_id":"egain-hub","client_secret":"x"}"#,
        );
        let CredentialsCheck::Mismatch(why) = check(&receiver, Some(&wrong)) else {
            panic!("wrong secret");
        };
        assert!(!why.contains("tok-canary"), "{why}");
        assert!(matches!(
            check(&receiver, Some(&basic_auth("u", "p"))),
            CredentialsCheck::Mismatch(_)
        ));
    }
}
