//! Redaction applied when an exchange is recorded, so secrets never reach the
//! request log, exports or files: authorization headers, form secrets,
//! passwords and tokens in JSON, and the `signature` of signed URLs.

use serde_json::Value;

/// What replaces a secret value.
pub const REDACTED: &str = "[REDACTED]";

/// Header names whose values are secrets (lower case).
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "x-auth-token",
];

/// Field names (JSON keys, form keys, query parameters) whose values are secrets.
const SECRET_FIELDS: &[&str] = &[
    "password",
    "client_secret",
    "clientsecret",
    "secret",
    "access_token",
    "accesstoken",
    "refresh_token",
    "refreshtoken",
    "id_token",
    "token",
    "apikey",
    "api_key",
    "signature",
    "sig",
    // Cloud storage pre-signed URLs (S3, GCS): the signature and session token.
    "x-amz-signature",
    "x-amz-security-token",
    "x-goog-signature",
];

/// Whether a field or parameter name holds a secret.
pub fn is_secret_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_FIELDS.contains(&lower.as_str())
}

/// Whether a header's value is a secret.
pub fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str())
}

/// A header value fit for display: secrets keep only their scheme (`Bearer [REDACTED]`);
/// signed URLs in other headers (`Location`, `Link`) lose their signature.
pub fn header_value(name: &str, value: &str) -> String {
    if !is_secret_header(name) {
        return text(value);
    }
    match value.split_once(' ') {
        Some((scheme, _)) if matches!(scheme.to_ascii_lowercase().as_str(), "bearer" | "basic") => {
            format!("{scheme} {REDACTED}")
        }
        _ => REDACTED.to_owned(),
    }
}

/// A URL fit for display: secret query parameters (e.g. `signature`) replaced.
pub fn url(raw: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(raw) else {
        return raw.to_owned();
    };
    if parsed.query().is_none() || !parsed.query_pairs().any(|(k, _)| is_secret_field(&k)) {
        return raw.to_owned();
    }
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let v = if is_secret_field(&k) {
                REDACTED.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    // Keep the marker readable rather than percent-encoded.
    parsed.to_string().replace("%5BREDACTED%5D", REDACTED)
}

/// Free text (a message, a transcript, an unparsable body, a header) with the
/// value of every secret URL parameter replaced wherever a URL appears in it:
/// `...?signature=XYZ&x=1` becomes `...?signature=[REDACTED]&x=1`. A parameter
/// counts only after `?` or `&`, so prose such as "token=..." on its own is left.
pub fn text(input: &str) -> String {
    if !input.contains('=') {
        return input.to_owned();
    }
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    // Start of the text not yet copied to `out`.
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !matches!(bytes[i], b'?' | b'&') {
            i += 1;
            continue;
        }
        let name_start = i + 1;
        let name_end = bytes[name_start..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'%')))
            .map_or(bytes.len(), |n| name_start + n);
        if name_end >= bytes.len()
            || bytes[name_end] != b'='
            || !is_secret_field(&percent_decode(&input[name_start..name_end]))
        {
            i = name_start;
            continue;
        }
        let value_start = name_end + 1;
        if input[value_start..].starts_with(REDACTED) {
            i = value_start + REDACTED.len();
            continue;
        }
        let value_end = bytes[value_start..]
            .iter()
            .position(|b| {
                b.is_ascii_whitespace()
                    || matches!(b, b'&' | b'"' | b'\'' | b'<' | b'>' | b'#' | b'\\' | b')' | b']' | b'`')
            })
            .map_or(bytes.len(), |n| value_start + n);
        if value_end > value_start {
            out.push_str(&input[copied..value_start]);
            out.push_str(REDACTED);
            copied = value_end;
        }
        i = value_end;
    }
    if copied == 0 {
        return input.to_owned();
    }
    out.push_str(&input[copied..]);
    out
}

/// A JSON value with secret fields replaced, recursively. String fields that
/// themselves hold JSON (an oauth2 `payload`) are redacted inside too.
pub fn json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            // `{name, value}` pairs (custom headers, attributes) carry secrets by name.
            let secret_pair = map
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| is_secret_header(n) || is_secret_field(n));
            if secret_pair && let Some(Value::String(v)) = map.get_mut("value") {
                *v = header_value("authorization", v);
            }
            for (key, v) in map.iter_mut() {
                if is_secret_field(key) && !v.is_null() && !v.is_object() && !v.is_array() {
                    *v = Value::String(REDACTED.to_owned());
                } else if key == "payload"
                    && let Value::String(text) = v
                {
                    *text = embedded_text(text);
                } else {
                    json(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(json),
        // A signed URL (an asset's `contentUrl`) is a secret in its query.
        Value::String(s) if s.contains('=') => *s = text(s),
        _ => {}
    }
}

/// Put back secrets an edited copy still shows as redacted: every string in
/// `edited` that equals the redacted form of the string at the same place in
/// `original` gets the original value. Secrets the user typed anew are kept.
/// This lets an editor show an object without its secrets and still PUT it
/// whole.
pub fn restore_secrets(edited: &mut Value, original: &Value) {
    match (edited, original) {
        (Value::Object(e), Value::Object(o)) => {
            for (key, value) in e.iter_mut() {
                if let Some(orig) = o.get(key) {
                    restore_secrets(value, orig);
                }
            }
            // A redacted {name, value} pair sits beside its name, not under a secret key.
            if let (Some(Value::String(v)), Some(Value::String(orig))) = (e.get("value").cloned(), o.get("value"))
                && v.contains(REDACTED)
                && e.get("name") == o.get("name")
            {
                e.insert("value".into(), Value::String(orig.clone()));
            }
        }
        (Value::Array(e), Value::Array(o)) => {
            for (value, orig) in e.iter_mut().zip(o) {
                restore_secrets(value, orig);
            }
        }
        (Value::String(e), Value::String(o)) if e.contains(REDACTED) => {
            let mut shown = Value::Object(serde_json::Map::from_iter([(
                "payload".to_owned(),
                Value::String(o.clone()),
            )]));
            json(&mut shown);
            let redacted_payload = shown.get("payload").and_then(Value::as_str).unwrap_or_default();
            if e == REDACTED || e == redacted_payload {
                *e = o.clone();
            }
        }
        _ => {}
    }
}

/// Redact a string that may hold JSON or a form body; opaque text is
/// replaced whole, since it may carry credentials in any shape.
fn embedded_text(text: &str) -> String {
    if let Ok(mut inner) = serde_json::from_str::<Value>(text) {
        json(&mut inner);
        return inner.to_string();
    }
    if text.contains('=') && !text.contains(' ') {
        return form(text);
    }
    REDACTED.to_owned()
}

/// A form-encoded body with secret fields replaced.
pub fn form(body: &str) -> String {
    body.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if is_secret_field(&percent_decode(k)) => format!("{k}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(s.as_bytes())
        .next()
        .map(|(k, _)| k.into_owned())
        .unwrap_or_else(|| s.to_owned())
}

/// Redact a text body according to its content type.
pub fn body_text(content_type: Option<&str>, body: &str) -> String {
    text(&body_fields(content_type, body))
}

/// [`body_text`] before signed URLs in the remaining text are redacted.
fn body_fields(content_type: Option<&str>, text: &str) -> String {
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    if ct.contains("x-www-form-urlencoded") {
        return form(text);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(original) => {
            let mut redacted = original.clone();
            json(&mut redacted);
            // Keep the sender's layout when nothing changed.
            if redacted == original {
                text.to_owned()
            } else {
                redacted.to_string()
            }
        }
        Err(_) if ct.contains("json") => text.to_owned(),
        Err(_) if text.contains('=') && !text.contains(char::is_whitespace) => form(text),
        Err(_) => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CANARY: &str = "canary-5f1e";

    #[test]
    fn headers_keep_scheme_only() {
        assert_eq!(
            header_value("Authorization", &format!("Bearer {CANARY}")),
            "Bearer [REDACTED]"
        );
        assert_eq!(header_value("X-Api-Key", CANARY), REDACTED);
        assert_eq!(header_value("Content-Type", "application/json"), "application/json");
    }

    #[test]
    fn signature_is_removed_from_urls() {
        let u = url(&format!("http://h/storage/upload?signature={CANARY}&x=1"));
        assert!(!u.contains(CANARY), "{u}");
        assert!(u.contains("x=1") && u.contains(REDACTED), "{u}");
    }

    #[test]
    fn signed_urls_in_bodies_headers_and_text() {
        let url = format!("http://h/assets/upload?signature={CANARY}.x-y_z&expires=1");
        let mut body = json!({"id": "a", "contentUrl": url, "nested": [{"u": url}]});
        json(&mut body);
        let shown = body.to_string();
        assert!(!shown.contains(CANARY) && shown.contains("expires=1"), "{shown}");
        assert!(!header_value("Location", &url).contains(CANARY));
        let prose = format!("see <{url}> or (https://s3/x?X-Amz-Signature={CANARY})");
        let t = text(&prose);
        assert!(!t.contains(CANARY) && t.ends_with(')') && t.contains("> or"), "{t}");
        let raw = body_text(Some("application/json"), &format!("{{\"contentUrl\":\"{url}\""));
        assert!(!raw.contains(CANARY), "an unparsable body is still redacted: {raw}");
        assert_eq!(text("a=b&c=d token=x"), "a=b&c=d token=x");
        assert_eq!(text(&text(&url)), text(&url));
    }

    #[test]
    fn json_and_embedded_payloads() {
        let mut v = json!({"name": "a", "basicAuth": {"username": "u", "password": CANARY},
            "oauth2": {"payload": format!("{{\"clientId\":\"id\",\"clientSecret\":\"{CANARY}\"}}")},
            "list": [{"access_token": CANARY}]});
        json(&mut v);
        let text = v.to_string();
        assert!(!text.contains(CANARY), "{text}");
        assert!(text.contains("clientId"), "{text}");
        let mut opaque = json!({"payload": format!("secret {CANARY} text")});
        json(&mut opaque);
        assert!(!opaque.to_string().contains(CANARY));
    }

    #[test]
    fn secrets_come_back_unless_retyped() {
        let original = json!({"name": "a", "basicAuth": {"username": "u", "password": CANARY},
            "oauth2": {"payload": format!("{{\"clientSecret\":\"{CANARY}\"}}"),
                       "headers": [{"name": "Authorization", "value": format!("Basic {CANARY}")}]}});
        let mut shown = original.clone();
        json(&mut shown);
        assert!(!shown.to_string().contains(CANARY));
        let mut edited = shown.clone();
        edited["name"] = json!("b");
        restore_secrets(&mut edited, &original);
        assert_eq!(edited["basicAuth"], original["basicAuth"]);
        assert_eq!(edited["oauth2"], original["oauth2"]);
        assert_eq!(edited["name"], "b");
        let mut retyped = shown.clone();
        retyped["basicAuth"]["password"] = json!("new-secret");
        restore_secrets(&mut retyped, &original);
        assert_eq!(retyped["basicAuth"]["password"], "new-secret");
    }

    #[test]
    fn form_bodies() {
        let f = form(&format!(
            "grant_type=client_credentials&client_id=c&client_secret={CANARY}"
        ));
        assert!(!f.contains(CANARY) && f.contains("client_id=c"), "{f}");
        let b = body_text(Some("application/json"), &format!("{{\"access_token\":\"{CANARY}\"}}"));
        assert!(!b.contains(CANARY));
    }
}
