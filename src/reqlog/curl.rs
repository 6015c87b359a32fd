//! A recorded exchange as a copy-pasteable curl command for a POSIX shell.
//!
//! Recorded exchanges hold no secrets, so neither does the command: where a
//! secret was, it reads a shell variable the user exports first, and a
//! comment above the command names each one:
//!
//! * `Authorization: Bearer …` → `"Authorization: Bearer $EGAIN_TOKEN"`;
//!   `Basic …` → `$EGAIN_BASIC_CREDENTIALS`; other secret headers →
//!   `$EGAIN_<HEADER_NAME>` (e.g. `$EGAIN_X_API_KEY`);
//! * secret fields of form bodies (the token request's `client_secret`) →
//!   `--data-urlencode "client_secret=$EGAIN_CLIENT_SECRET"`, so curl
//!   encodes whatever the variable holds;
//! * secrets inside JSON bodies and URL signatures stay `[REDACTED]`, with a
//!   comment saying so (no variable could stand for them inside JSON).
//!
//! Bodies that were not recorded (binary, streamed) become
//! `--data-binary @FILE` with a comment giving the size and type to supply;
//! truncated bodies are sent as recorded, under a comment saying how much is
//! missing. `GET` needs no `-X`; `HEAD` becomes `--head`. Comments are `#`
//! lines (zsh needs `setopt interactive_comments` to paste them).

use crate::api::redact::{self, REDACTED};
use crate::api::{Direction, Exchange, RecordedBody};

/// The variable that stands for the bearer token.
pub const TOKEN_VAR: &str = "EGAIN_TOKEN";

/// Headers curl sets itself from the command.
const SKIPPED_HEADERS: &[&str] = &["content-length", "host", "transfer-encoding", "connection"];

/// The curl command that repeats `x`'s request (see the module docs).
pub fn to_curl(x: &Exchange) -> String {
    let mut notes: Vec<String> = Vec::new();
    let mut vars: Vec<String> = Vec::new();
    // Method and URL share the first line; each option gets its own.
    let first = match x.method.as_str() {
        "GET" if x.request_body.is_none() => format!("curl {}", quote(&x.url)),
        "HEAD" => format!("curl --head {}", quote(&x.url)),
        m => format!("curl -X {} {}", quote(m), quote(&x.url)),
    };
    let mut args: Vec<String> = vec![first];
    if x.url.contains(REDACTED) {
        notes.push("the URL's secret parameters (e.g. signature) were redacted: use a freshly signed URL".into());
    }
    if x.direction == Direction::Inbound {
        notes.push("replays a callback the console received".into());
    }
    let mut content_type = None;
    for (name, value) in &x.request_headers {
        let lower = name.to_ascii_lowercase();
        if SKIPPED_HEADERS.contains(&lower.as_str()) {
            continue;
        }
        if lower == "content-type" {
            content_type = Some(value.as_str());
        }
        if redact::is_secret_header(name) {
            let (prefix, var) = secret_header(name, value);
            args.push(format!("-H {}", with_var(&prefix, &var)));
            push_unique(&mut vars, var);
        } else {
            args.push(format!("-H {}", quote(&format!("{name}: {value}"))));
        }
    }
    if let Some(body) = &x.request_body {
        body_args(body, content_type, &mut args, &mut vars, &mut notes);
    }
    let mut out = String::new();
    for var in &vars {
        out.push_str(&format!("# needs: export {var}=… (secrets are never recorded)\n"));
    }
    for note in &notes {
        out.push_str(&format!("# {note}\n"));
    }
    out.push_str(&args.join(" \\\n  "));
    out
}

fn body_args(
    body: &RecordedBody,
    content_type: Option<&str>,
    args: &mut Vec<String>,
    vars: &mut Vec<String>,
    notes: &mut Vec<String>,
) {
    if body.binary || body.text.contains('\0') {
        notes.push(format!(
            "the {}-byte {} body was not recorded: replace FILE with a file holding it",
            body.size,
            content_type.unwrap_or("binary")
        ));
        args.push("--data-binary @FILE".into());
        return;
    }
    if body.text.is_empty() && body.size == 0 {
        return;
    }
    if body.truncated {
        notes.push(format!(
            "the body was cut at recording: {} of {} bytes kept, the rest is missing",
            body.text.len(),
            body.size
        ));
    }
    let form = content_type.is_some_and(|ct| ct.to_ascii_lowercase().contains("x-www-form-urlencoded"));
    if !form {
        if body.text.contains(REDACTED) {
            notes.push(format!("secret fields in the body read {REDACTED}: fill them in"));
        }
        args.push(format!("--data-raw {}", quote(&body.text)));
        return;
    }
    let mut plain = Vec::new();
    let mut secrets = Vec::new();
    for pair in body.text.split('&') {
        match pair.split_once('=') {
            Some((key, _)) if is_secret_key(key) => {
                let var = format!("EGAIN_{}", snake(key));
                secrets.push(format!("--data-urlencode {}", with_var(&format!("{key}="), &var)));
                push_unique(vars, var);
            }
            _ => plain.push(pair),
        }
    }
    if !plain.is_empty() {
        args.push(format!("--data-raw {}", quote(&plain.join("&"))));
    }
    args.extend(secrets);
}

fn is_secret_key(key: &str) -> bool {
    let decoded = url::form_urlencoded::parse(key.as_bytes())
        .next()
        .map(|(k, _)| k.into_owned())
        .unwrap_or_default();
    redact::is_secret_field(&decoded)
}

/// The part of a secret header that may be shown, and the variable for the rest.
fn secret_header(name: &str, value: &str) -> (String, String) {
    let scheme = value.split_once(' ').map(|(s, _)| s).unwrap_or("");
    let lower = name.to_ascii_lowercase();
    match scheme.to_ascii_lowercase().as_str() {
        "bearer" if lower == "authorization" => (format!("{name}: {scheme} "), TOKEN_VAR.into()),
        "basic" if lower == "authorization" => (format!("{name}: {scheme} "), "EGAIN_BASIC_CREDENTIALS".into()),
        _ => (format!("{name}: "), format!("EGAIN_{}", snake(name))),
    }
}

fn push_unique(vars: &mut Vec<String>, var: String) {
    if !vars.contains(&var) {
        vars.push(var);
    }
}

/// `X-Api-Key` → `X_API_KEY`.
fn snake(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// `prefix` followed by the value of `$var`, as one shell word.
fn with_var(prefix: &str, var: &str) -> String {
    if prefix.contains(['"', '$', '`', '\\', '!']) {
        format!("{}\"${var}\"", quote(prefix))
    } else {
        format!("\"{prefix}${var}\"")
    }
}

/// POSIX shell quoting: bare when every character is inert, else in single
/// quotes with each `'` written `'\''`.
pub fn quote(s: &str) -> String {
    let inert = |c: char| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c);
    if !s.is_empty() && s.chars().all(inert) {
        return s.to_owned();
    }
    let mut q = String::with_capacity(s.len() + 2);
    q.push('\'');
    for c in s.chars() {
        if c == '\'' {
            q.push_str("'\\''");
        } else {
            q.push(c);
        }
    }
    q.push('\'');
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("POST"), "POST");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote("a b$c"), "'a b$c'");
    }

    #[test]
    fn variables() {
        assert_eq!(
            with_var("Authorization: Bearer ", TOKEN_VAR),
            "\"Authorization: Bearer $EGAIN_TOKEN\""
        );
        assert_eq!(with_var("we$ird=", "EGAIN_X"), "'we$ird='\"$EGAIN_X\"");
        assert_eq!(snake("X-Api-Key"), "X_API_KEY");
    }
}
