//! Credential checks for callbacks and the bearer tokens the receiver
//! issues. Secrets are compared in constant time and never logged.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use serde_json::Value;

use super::ReceiverAuth;

/// Realm named in `WWW-Authenticate`.
const REALM: &str = "egain-console";

/// Why a callback was refused, and the challenge to answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Refusal {
    pub reason: &'static str,
    pub challenge: String,
}

/// Tokens issued by the token route, with their expiry.
#[derive(Debug, Default)]
pub(super) struct TokenTable {
    tokens: Mutex<HashMap<String, Instant>>,
}

impl TokenTable {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new random token valid for `lifetime`; expired ones are dropped.
    pub fn issue(&self, lifetime: Duration) -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let now = Instant::now();
        let mut tokens = self.lock();
        tokens.retain(|_, expiry| *expiry > now);
        tokens.insert(token.clone(), now + lifetime);
        token
    }

    pub fn is_valid(&self, token: &str) -> bool {
        self.lock().get(token).is_some_and(|expiry| *expiry > Instant::now())
    }

    pub fn revoke_all(&self) {
        self.lock().clear();
    }
}

/// Check a callback's `Authorization` against what the receiver expects.
pub(super) fn check(auth: &ReceiverAuth, tokens: &TokenTable, headers: &HeaderMap) -> Result<(), Refusal> {
    let given = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    match auth {
        ReceiverAuth::None => Ok(()),
        ReceiverAuth::Basic { username, password } => {
            let challenge = format!("Basic realm=\"{REALM}\", charset=\"UTF-8\"");
            let refuse = |reason| Refusal {
                reason,
                challenge: challenge.clone(),
            };
            let (user, pass) = given
                .and_then(|v| scheme_value(v, "basic"))
                .map(decode_basic)
                .ok_or_else(|| refuse("missing basic credentials"))?
                .ok_or_else(|| refuse("malformed basic credentials"))?;
            // Both compared, so timing tells nothing about which one was wrong.
            let user_ok = same(user.as_bytes(), username.as_bytes());
            let pass_ok = same(pass.as_bytes(), password.expose().as_bytes());
            if user_ok & pass_ok {
                Ok(())
            } else {
                Err(refuse("wrong basic credentials"))
            }
        }
        ReceiverAuth::Bearer { .. } => match given.and_then(|v| scheme_value(v, "bearer")) {
            None => Err(Refusal {
                reason: "missing bearer token",
                challenge: format!("Bearer realm=\"{REALM}\""),
            }),
            Some(token) if tokens.is_valid(token) => Ok(()),
            Some(_) => Err(Refusal {
                reason: "unknown, expired or revoked bearer token",
                challenge: format!("Bearer realm=\"{REALM}\", error=\"invalid_token\""),
            }),
        },
    }
}

/// The credentials of a token request: JSON or form body with
/// `clientId`/`clientSecret` (or `client_id`/`client_secret`), or HTTP Basic.
pub(super) fn client_credentials(headers: &HeaderMap, content_type: &str, body: &[u8]) -> Option<(String, String)> {
    if let Some(Some(pair)) = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| scheme_value(v, "basic"))
        .map(decode_basic)
    {
        return Some(pair);
    }
    let pick = |get: &dyn Fn(&str) -> Option<String>| {
        let id = get("clientId").or_else(|| get("client_id"))?;
        let secret = get("clientSecret").or_else(|| get("client_secret"))?;
        Some((id, secret))
    };
    let form = content_type.contains("x-www-form-urlencoded");
    if !form && let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
        return pick(&|k: &str| map.get(k).and_then(Value::as_str).map(str::to_owned));
    }
    let pairs: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    pick(&|k: &str| pairs.get(k).cloned())
}

/// Whether token request credentials match the configured client.
pub(super) fn client_matches(auth: &ReceiverAuth, id: &str, secret: &str) -> bool {
    match auth {
        ReceiverAuth::Bearer {
            client_id,
            client_secret,
        } => same(id.as_bytes(), client_id.as_bytes()) & same(secret.as_bytes(), client_secret.expose().as_bytes()),
        _ => false,
    }
}

/// The value after `scheme ` in an Authorization header (scheme case-insensitive).
fn scheme_value<'a>(header: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, value) = header.trim().split_once(' ')?;
    given.eq_ignore_ascii_case(scheme).then(|| value.trim())
}

/// `user:password` from base64; `None` when it is not that.
fn decode_basic(value: &str) -> Option<(String, String)> {
    let decoded = STANDARD.decode(value).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_owned(), pass.to_owned()))
}

/// Equality whose time depends only on the lengths.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_auth(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, HeaderValue::from_str(value).expect("header"));
        h
    }

    #[test]
    fn basic_checks_both_parts() {
        let auth = ReceiverAuth::Basic {
            username: "u".into(),
            password: "p".into(),
        };
        let tokens = TokenTable::default();
        let ok = with_auth(&format!("basic {}", STANDARD.encode("u:p")));
        assert_eq!(check(&auth, &tokens, &ok), Ok(()));
        for bad in ["u:x", "x:p", "u", ""] {
            let h = with_auth(&format!("Basic {}", STANDARD.encode(bad)));
            assert!(check(&auth, &tokens, &h).is_err(), "{bad}");
        }
        assert!(check(&auth, &tokens, &HeaderMap::new()).is_err());
        assert!(check(&auth, &tokens, &with_auth("Basic !!!")).is_err());
    }

    #[test]
    fn tokens_expire_and_revoke() {
        let tokens = TokenTable::default();
        let t = tokens.issue(Duration::from_secs(60));
        assert!(tokens.is_valid(&t));
        let gone = tokens.issue(Duration::ZERO);
        assert!(!tokens.is_valid(&gone));
        tokens.revoke_all();
        assert!(!tokens.is_valid(&t));
    }

    #[test]
    fn token_request_shapes() {
        let none = HeaderMap::new();
        let want = Some(("c".to_owned(), "s".to_owned()));
        assert_eq!(
            client_credentials(&none, "application/json", br#"{"clientId":"c","clientSecret":"s"}"#),
            want
        );
        assert_eq!(
            client_credentials(
                &none,
                "application/x-www-form-urlencoded",
                b"client_id=c&client_secret=s"
            ),
            want
        );
        assert_eq!(client_credentials(&none, "", b"clientId=c&clientSecret=s"), want);
        let basic = with_auth(&format!("Basic {}", STANDARD.encode("c:s")));
        assert_eq!(client_credentials(&basic, "", b""), want);
        assert_eq!(client_credentials(&none, "application/json", b"{}"), None);
    }
}
