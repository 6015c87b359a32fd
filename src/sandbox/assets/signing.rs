//! Signed storage URLs. The token is a compact HS256 JWT, shaped like the
//! vendor's example (`{"typ":"JWT","alg":"HS256"}` header, `method` claim
//! first), so a URL copied from the sandbox looks like a real one. Only the
//! sandbox reads it: the key is random per sandbox and never leaves memory.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// `base64url({"typ":"JWT","alg":"HS256"})`, the vendor example's header.
const HEADER: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9";
/// Issuer claim, so sandbox tokens are recognisable when decoded.
pub const ISSUER: &str = "egain-sandbox";

/// What a storage URL allows: one method on one asset of one size and type, until `exp`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claims {
    /// `POST` (upload) or `GET` (download).
    pub method: String,
    pub iss: String,
    pub asset_id: String,
    /// Exact byte size of the content.
    pub size: u64,
    /// MIME type the upload must declare (and the download answers with).
    pub content_type: String,
    /// Expiry, unix time in **milliseconds** (finer than JWT's seconds so a
    /// zero lifetime expires at once).
    pub exp: i64,
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("the signature is missing")]
    Missing,
    #[error("the signature is not a valid token")]
    Malformed,
    #[error("the signature does not match its content")]
    Mismatch,
    #[error("the signed URL expired")]
    Expired,
}

/// Signs and verifies storage tokens with a per-sandbox random key.
pub struct Signer {
    key: [u8; 32],
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer { .. }")
    }
}

impl Default for Signer {
    fn default() -> Self {
        Self::random()
    }
}

impl Signer {
    pub fn random() -> Self {
        Self { key: rand::random() }
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length; a 32-byte key cannot fail.
        HmacSha256::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
    }

    /// `header.claims.mac`, all base64url without padding.
    pub fn sign(&self, claims: &Claims) -> String {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
        let signed = format!("{HEADER}.{payload}");
        let mut mac = self.mac();
        mac.update(signed.as_bytes());
        let tag = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signed}.{tag}")
    }

    /// Check the MAC (in constant time) and the expiry against `now_ms`.
    pub fn verify(&self, token: &str, now_ms: i64) -> Result<Claims, SignError> {
        if token.is_empty() {
            return Err(SignError::Missing);
        }
        let (signed, tag) = token.rsplit_once('.').ok_or(SignError::Malformed)?;
        let (header, payload) = signed.split_once('.').ok_or(SignError::Malformed)?;
        if header != HEADER {
            return Err(SignError::Malformed);
        }
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| SignError::Malformed)?;
        let mut mac = self.mac();
        mac.update(signed.as_bytes());
        mac.verify_slice(&tag).map_err(|_| SignError::Mismatch)?;
        let json = URL_SAFE_NO_PAD.decode(payload).map_err(|_| SignError::Malformed)?;
        let claims: Claims = serde_json::from_slice(&json).map_err(|_| SignError::Malformed)?;
        if now_ms >= claims.exp {
            return Err(SignError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            method: "POST".into(),
            iss: ISSUER.into(),
            asset_id: "a".into(),
            size: 3,
            content_type: "image/png".into(),
            exp,
        }
    }

    #[test]
    fn round_trip_and_expiry() {
        let signer = Signer::random();
        let token = signer.sign(&claims(1_000));
        assert_eq!(token.split('.').count(), 3);
        assert_eq!(signer.verify(&token, 999), Ok(claims(1_000)));
        assert_eq!(signer.verify(&token, 1_000), Err(SignError::Expired));
    }

    #[test]
    fn refuses_other_keys_and_tampering() {
        let signer = Signer::random();
        let token = signer.sign(&claims(1_000));
        assert_eq!(Signer::random().verify(&token, 0), Err(SignError::Mismatch));
        let (signed, tag) = token.rsplit_once('.').unwrap();
        let (header, _) = signed.split_once('.').unwrap();
        let mut forged = claims(1_000);
        forged.size = 4;
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        let forged = format!("{header}.{forged_payload}.{tag}");
        assert_eq!(signer.verify(&forged, 0), Err(SignError::Mismatch));
        assert_eq!(signer.verify("", 0), Err(SignError::Missing));
        assert_eq!(signer.verify("abc", 0), Err(SignError::Malformed));
    }
}
