//! Secrets in bundles: on export every secret value becomes a placeholder,
//! `${ENV_NAME}` (an environment variable) or `$(command)` (run with
//! `sh -c`, its trimmed stdout is the value); on apply every placeholder is
//! filled before the first request, or the apply fails naming what is
//! missing. Which values are secrets is owned by [`crate::api::redact`].
//!
//! A placeholder is a whole string value. A real value that merely looks like
//! one is written with a doubled `$` (`$${HOME}`) and read back as written.

use std::collections::{BTreeMap, HashSet};
use std::ffi::OsString;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use super::{Bundle, BundleError, site};
use crate::api::Secret;
use crate::api::models::EntityKind;
use crate::api::models::references::label;
use crate::api::redact;

/// Where a secret comes from at apply time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Placeholder {
    Env(String),
    Command(String),
}

impl Placeholder {
    /// `${NAME}` or `$(command)`; anything else is not a placeholder.
    pub fn parse(text: &str) -> Option<Self> {
        if let Some(name) = text.strip_prefix("${").and_then(|t| t.strip_suffix('}')) {
            return Some(Placeholder::Env(name.to_owned()));
        }
        if let Some(cmd) = text.strip_prefix("$(").and_then(|t| t.strip_suffix(')')) {
            return Some(Placeholder::Command(cmd.to_owned()));
        }
        None
    }

    pub fn text(&self) -> String {
        match self {
            Placeholder::Env(name) => format!("${{{name}}}"),
            Placeholder::Command(cmd) => format!("$({cmd})"),
        }
    }
}

/// Whether a string value of a bundle is a placeholder.
pub fn is_placeholder(text: &str) -> bool {
    Placeholder::parse(text).is_some()
}

/// Escape a real value that would read as a placeholder (`${X}` → `$${X}`).
fn escape(text: &str) -> Option<String> {
    (text.starts_with("${") || text.starts_with("$(") || text.starts_with("$$")).then(|| format!("${text}"))
}

/// Read back an escaped value (`$${X}` → `${X}`).
fn unescape(text: &str) -> Option<&str> {
    text.strip_prefix('$').filter(|t| t.starts_with('$'))
}

/// Whether a string at `key` of `parent` holds a secret.
fn is_secret(key: &str, parent: &serde_json::Map<String, Value>, text: &str) -> bool {
    if text.is_empty() {
        return false;
    }
    if redact::is_secret_field(key) {
        return true;
    }
    // `{name: Authorization, value: ...}` pairs (headers, attributes).
    if key == "value"
        && parent
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| redact::is_secret_header(n) || redact::is_secret_field(n))
    {
        return true;
    }
    // A form or JSON payload carrying a client secret (oauth2 token requests).
    if key == "payload" {
        let mut probe = json!({ "payload": text });
        redact::json(&mut probe);
        if probe["payload"].as_str() != Some(text) {
            return true;
        }
    }
    // A signed URL.
    redact::url(text) != text
}

/// The environment variable a secret is exported under: `LABEL_KEY`, upper case.
fn env_name(label: &str, key: &str, parent: &serde_json::Map<String, Value>, taken: &mut HashSet<String>) -> String {
    let what = match parent.get("name").and_then(Value::as_str) {
        Some(name) if key == "value" => name,
        _ => key,
    };
    let mut base: String = format!("{label}_{what}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    while base.contains("__") {
        base = base.replace("__", "_");
    }
    let mut base = base.trim_matches('_').to_owned();
    if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
        base = format!("SECRET_{base}");
    }
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

/// Replace every secret of an exported object by a placeholder (names
/// unique across `taken`) and escape values that look like one.
pub fn protect(kind: EntityKind, obj: &mut Value, taken: &mut HashSet<String>) {
    let owner = label(kind, obj).to_owned();
    protect_in(obj, &owner, taken);
}

fn protect_in(v: &mut Value, owner: &str, taken: &mut HashSet<String>) {
    match v {
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                let replacement = match map.get(&key) {
                    Some(Value::String(text)) if is_secret(&key, map, text) => {
                        Some(Placeholder::Env(env_name(owner, &key, map, taken)).text())
                    }
                    Some(Value::String(text)) => escape(text),
                    _ => None,
                };
                match (replacement, map.get_mut(&key)) {
                    (Some(text), Some(slot)) => *slot = Value::String(text),
                    (None, Some(child)) => protect_in(child, owner, taken),
                    _ => {}
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| protect_in(i, owner, taken)),
        Value::String(text) => {
            if redact::url(text) != *text {
                *text = Placeholder::Env(env_name(owner, "url", &serde_json::Map::new(), taken)).text();
            } else if let Some(escaped) = escape(text) {
                *text = escaped;
            }
        }
        _ => {}
    }
}

/// Every placeholder of a bundle with where it is (`authentications[0] (x) basicAuth.password`).
pub fn placeholders(bundle: &Bundle) -> Vec<(Placeholder, String)> {
    let mut out = Vec::new();
    for (kind, i, obj) in bundle.iter() {
        let at = site(kind, i, obj);
        walk(obj, "", &mut |path, text| {
            if let Some(p) = Placeholder::parse(text) {
                out.push((p, format!("{at} {path}")));
            }
        });
    }
    out
}

fn walk(v: &Value, path: &str, f: &mut dyn FnMut(&str, &str)) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(child, &p, f);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                walk(child, &format!("{path}[{i}]"), f);
            }
        }
        Value::String(text) => f(path, text),
        _ => {}
    }
}

/// The values of a bundle's placeholders.
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    values: BTreeMap<Placeholder, Secret>,
    /// Placeholders with no value (only [`Secrets::lookup`] leaves any).
    missing: Vec<(Placeholder, String, &'static str)>,
}

impl Secrets {
    /// Fill every placeholder: environment variables through `env`, commands
    /// with `sh -c`. Fails naming every variable that is unset or empty and
    /// every command that fails, with where the bundle uses it. Commands
    /// run synchronously (async callers: `spawn_blocking`).
    pub fn resolve(bundle: &Bundle, env: &dyn Fn(&str) -> Option<OsString>) -> Result<Self, BundleError> {
        let secrets = Self::gather(bundle, env, true);
        if secrets.missing.is_empty() {
            return Ok(secrets);
        }
        let lines: Vec<String> = secrets
            .missing
            .iter()
            .map(|(p, at, why)| match p {
                Placeholder::Env(name) => format!("environment variable {name} is {why} (used at {at})"),
                Placeholder::Command(cmd) => format!("secret command `{cmd}` {why} (used at {at})"),
            })
            .collect();
        Err(BundleError::new(format!(
            "the bundle's secrets are not all available: {}; set them and run again (nothing was sent)",
            lines.join("; ")
        )))
    }

    /// Fill the placeholders whose environment variable is set; run no
    /// command (a plan must not prompt). The rest stay unknown.
    pub fn lookup(bundle: &Bundle, env: &dyn Fn(&str) -> Option<OsString>) -> Self {
        Self::gather(bundle, env, false)
    }

    fn gather(bundle: &Bundle, env: &dyn Fn(&str) -> Option<OsString>, run_commands: bool) -> Self {
        let mut secrets = Self::default();
        for (p, at) in placeholders(bundle) {
            if secrets.values.contains_key(&p) || secrets.missing.iter().any(|(q, _, _)| *q == p) {
                continue;
            }
            let got = match &p {
                Placeholder::Env(name) => match env(name).map(OsString::into_string) {
                    None => Err("not set"),
                    Some(Ok(v)) if v.is_empty() => Err("empty"),
                    Some(Ok(v)) => Ok(v),
                    Some(Err(_)) => Err("not valid UTF-8"),
                },
                Placeholder::Command(cmd) if run_commands => run(cmd),
                Placeholder::Command(_) => Err("was not run"),
            };
            match got {
                Ok(v) => {
                    secrets.values.insert(p, Secret::new(v));
                }
                Err(why) => secrets.missing.push((p, at, why)),
            }
        }
        secrets
    }

    /// Placeholders left without a value, with where they are used.
    pub fn unknown(&self) -> impl Iterator<Item = (&Placeholder, &str)> {
        self.missing.iter().map(|(p, at, _)| (p, at.as_str()))
    }

    pub fn get(&self, p: &Placeholder) -> Option<&Secret> {
        self.values.get(p)
    }
}

fn run(cmd: &str) -> Result<String, &'static str> {
    let out = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::inherit())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|_| "could not be started")?;
    if !out.status.success() {
        return Err("failed");
    }
    let text = String::from_utf8(out.stdout).map_err(|_| "printed no valid UTF-8")?;
    let text = text.trim().to_owned();
    if text.is_empty() {
        Err("printed nothing")
    } else {
        Ok(text)
    }
}

/// The object with placeholders filled and escapes read back. A placeholder
/// without a value is passed to `unknown` with its JSON pointer; its answer
/// (e.g. the tenant's current value) replaces it, or it stays as written.
pub fn fill(obj: &Value, secrets: &Secrets, unknown: &dyn Fn(&str) -> Option<Value>) -> Value {
    let mut out = obj.clone();
    fill_in(&mut out, "", secrets, unknown);
    out
}

fn fill_in(v: &mut Value, pointer: &str, secrets: &Secrets, unknown: &dyn Fn(&str) -> Option<Value>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                let p = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                fill_in(child, &p, secrets, unknown);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                fill_in(child, &format!("{pointer}/{i}"), secrets, unknown);
            }
        }
        Value::String(text) => {
            if let Some(p) = Placeholder::parse(text) {
                if let Some(secret) = secrets.get(&p) {
                    *text = secret.expose().to_owned();
                } else if let Some(current) = unknown(pointer) {
                    *v = current;
                }
            } else if let Some(plain) = unescape(text) {
                *text = plain.to_owned();
            }
        }
        _ => {}
    }
}

/// JSON pointers of the placeholders in an object (where values are secret).
pub fn secret_pointers(obj: &Value) -> Vec<String> {
    let mut out = Vec::new();
    pointers(obj, "", &mut out);
    out
}

fn pointers(v: &Value, pointer: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                pointers(
                    child,
                    &format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, &format!("{pointer}/{i}"), out);
            }
        }
        Value::String(text) if is_placeholder(text) => out.push(pointer.to_owned()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_become_placeholders_and_lookalikes_are_escaped() {
        let mut obj = json!({
            "name": "demo-auth",
            "type": "basic",
            "basicAuth": {"username": "console", "password": "hunter2"},
            "headers": [{"name": "Authorization", "value": "Bearer abc"}, {"name": "X-Plain", "value": "v"}],
            "oauth2": {"tokenRequestUrl": "https://x/token", "payload": "grant_type=client_credentials&client_secret=s3"},
            "description": "${HOME}",
        });
        let mut taken = HashSet::new();
        protect(EntityKind::Authentication, &mut obj, &mut taken);
        assert_eq!(obj["basicAuth"]["password"], "${DEMO_AUTH_PASSWORD}");
        assert_eq!(obj["basicAuth"]["username"], "console");
        assert_eq!(obj["headers"][0]["value"], "${DEMO_AUTH_AUTHORIZATION}");
        assert_eq!(obj["headers"][1]["value"], "v");
        assert_eq!(obj["oauth2"]["payload"], "${DEMO_AUTH_PAYLOAD}");
        assert_eq!(obj["description"], "$${HOME}");

        let bundle = Bundle {
            authentications: vec![obj.clone()],
            ..Bundle::new()
        };
        let env = |name: &str| match name {
            "DEMO_AUTH_PASSWORD" => Some(OsString::from("hunter2")),
            "DEMO_AUTH_AUTHORIZATION" => Some(OsString::from("Bearer abc")),
            "DEMO_AUTH_PAYLOAD" => Some(OsString::from("p")),
            _ => None,
        };
        let secrets = Secrets::resolve(&bundle, &env).expect("all set");
        let filled = fill(&obj, &secrets, &|_| None);
        assert_eq!(filled["basicAuth"]["password"], "hunter2");
        assert_eq!(filled["description"], "${HOME}");
    }

    #[test]
    fn an_unset_variable_is_named_with_where_it_is_used() {
        let bundle = Bundle {
            authentications: vec![json!({"name": "a", "basicAuth": {"password": "${A_PASSWORD}"}})],
            ..Bundle::new()
        };
        let err = Secrets::resolve(&bundle, &|_| None).expect_err("unset");
        assert!(err.0.contains("A_PASSWORD is not set"), "{err}");
        assert!(err.0.contains("authentications[0] (a) basicAuth.password"), "{err}");
    }

    #[test]
    fn a_secret_command_fills_its_placeholder() {
        let bundle = Bundle {
            authentications: vec![json!({"name": "a", "basicAuth": {"password": "$(printf 'pw from command')"}})],
            ..Bundle::new()
        };
        let secrets = Secrets::resolve(&bundle, &|_| None).expect("the command runs");
        let filled = fill(&bundle.authentications[0], &secrets, &|_| None);
        assert_eq!(filled["basicAuth"]["password"], "pw from command");
        let failing = Bundle {
            authentications: vec![json!({"name": "a", "basicAuth": {"password": "$(exit 3)"}})],
            ..Bundle::new()
        };
        let err = Secrets::resolve(&failing, &|_| None).expect_err("a failing command");
        assert!(err.0.contains("secret command `exit 3` failed"), "{err}");
        // A plan runs no command.
        assert_eq!(Secrets::lookup(&bundle, &|_| None).unknown().count(), 1);
    }

    #[test]
    fn names_stay_unique() {
        let mut taken = HashSet::new();
        let mut a = json!({"name": "x", "p": {"password": "1"}, "q": {"password": "2"}});
        protect(EntityKind::Authentication, &mut a, &mut taken);
        assert_eq!(a["p"]["password"], "${X_PASSWORD}");
        assert_eq!(a["q"]["password"], "${X_PASSWORD_2}");
    }
}
