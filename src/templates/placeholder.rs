//! `{{name}}` placeholders inside template JSON: finding them (with the JSON
//! path of each), and filling them from [`Bindings`]. Placeholders live only
//! in string values, so a template stays valid JSON a user can edit by hand.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use crate::api::models::EntityKind;
use crate::api::redact;

/// Names of the value placeholders the shipped templates use (references are
/// `<listKey>.id`, see [`reference_name`]).
pub mod names {
    /// A short random suffix that keeps names and channel types unique.
    pub const UNIQUE: &str = "unique";
    /// Base URL of the callbacks; the per-role ones default to `<base>/<role>`.
    pub const CALLBACK_BASE: &str = "callback.base";
    pub const CALLBACK_CUSTOMER: &str = "callback.customer";
    pub const CALLBACK_BOT: &str = "callback.bot";
    pub const CALLBACK_AGENT: &str = "callback.agent";
    pub const ACCOUNT_ADDRESS: &str = "account.address";
    pub const CHANNEL_TYPE: &str = "channel.type";
    pub const AUTH_USERNAME: &str = "auth.username";
    pub const AUTH_PASSWORD: &str = "auth.password";
    pub const ENTRY_POINT: &str = "entryPoint.id";
}

/// The placeholder name standing for the id of an object of `kind`,
/// e.g. `clientApplication.id`.
pub fn reference_name(kind: EntityKind) -> String {
    format!("{}.id", kind.list_key())
}

/// The kind a reference placeholder name stands for (`channel.id` → Channel).
pub fn reference_kind(name: &str) -> Option<EntityKind> {
    let key = name.strip_suffix(".id")?;
    EntityKind::ALL.into_iter().find(|k| k.list_key() == key)
}

/// `{{name}}` as written in a template.
pub fn braced(name: &str) -> String {
    format!("{{{{{name}}}}}")
}

/// Values for placeholders. Creating one draws a fresh `unique` suffix, so
/// every object rendered with the same bindings shares it.
#[derive(Clone, PartialEq, Eq)]
pub struct Bindings {
    values: BTreeMap<String, String>,
}

impl Default for Bindings {
    fn default() -> Self {
        Self::new()
    }
}

impl Bindings {
    /// Only `unique` is bound (six random hex digits).
    pub fn new() -> Self {
        let mut values = BTreeMap::new();
        values.insert(names::UNIQUE.to_owned(), random_suffix());
        Self { values }
    }

    /// No value at all, not even `unique` (for checking what a template needs).
    pub fn empty() -> Self {
        Self {
            values: BTreeMap::new(),
        }
    }

    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.values.insert(name.into(), value.into());
        self
    }

    /// Builder form of [`Bindings::set`].
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.set(name, value);
        self
    }

    /// Bind the id placeholder of `kind` (`{{channel.id}}`, ...).
    pub fn set_reference(&mut self, kind: EntityKind, id: impl Into<String>) -> &mut Self {
        self.set(reference_name(kind), id)
    }

    /// Add every value of `other`, replacing values of the same name.
    pub fn extend(&mut self, other: &Bindings) -> &mut Self {
        self.values
            .extend(other.values.iter().map(|(k, v)| (k.clone(), v.clone())));
        self
    }

    pub fn remove(&mut self, name: &str) -> Option<String> {
        self.values.remove(name)
    }

    /// The value for `name`. A role callback left unbound derives from
    /// `callback.base` (`callback.bot` → `<base>/bot`), so one URL is enough
    /// for a receiver that routes by role.
    pub fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        if let Some(v) = self.values.get(name) {
            return Some(Cow::Borrowed(v));
        }
        let role = name.strip_prefix("callback.").filter(|r| *r != "base")?;
        let base = self.values.get(names::CALLBACK_BASE)?;
        Some(Cow::Owned(format!("{}/{role}", base.trim_end_matches('/'))))
    }

    /// The id bound for `kind`, if any.
    pub fn reference(&self, kind: EntityKind) -> Option<&str> {
        self.values.get(&reference_name(kind)).map(String::as_str)
    }

    pub fn unique(&self) -> Option<&str> {
        self.values.get(names::UNIQUE).map(String::as_str)
    }

    /// Fill every bound placeholder in `value`; unbound ones stay as written.
    pub fn render(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.render_str(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.render(v)).collect()),
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), self.render(v))).collect()),
            other => other.clone(),
        }
    }

    fn render_str(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some((before, name, raw, after)) = next_placeholder(rest) {
            out.push_str(before);
            match self.get(name) {
                Some(v) => out.push_str(&v),
                None => out.push_str(raw),
            }
            rest = after;
        }
        out.push_str(rest);
        out
    }
}

/// Secret values (the basic-auth password) never show in debug output.
impl fmt::Debug for Bindings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (k, v) in &self.values {
            let last = k.rsplit('.').next().unwrap_or(k);
            if redact::is_secret_field(last) {
                map.entry(k, &"***");
            } else {
                map.entry(k, v);
            }
        }
        map.finish()
    }
}

fn random_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..6].to_owned()
}

/// One placeholder found in a JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// The name between the braces, e.g. `channel.id`.
    pub name: String,
    /// JSON path of the string holding it, e.g. `$.channel.id`.
    pub json_path: String,
}

impl Occurrence {
    /// The object kind when this is a reference placeholder.
    pub fn reference_kind(&self) -> Option<EntityKind> {
        reference_kind(&self.name)
    }
}

/// Every placeholder in `value`, in document order.
pub fn placeholders(value: &Value) -> Vec<Occurrence> {
    let mut out = Vec::new();
    collect(value, "$", &mut out);
    out
}

fn collect(value: &Value, path: &str, out: &mut Vec<Occurrence>) {
    match value {
        Value::String(s) => {
            let mut rest = s.as_str();
            while let Some((_, name, _, after)) = next_placeholder(rest) {
                out.push(Occurrence {
                    name: name.to_owned(),
                    json_path: path.to_owned(),
                });
                rest = after;
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                collect(v, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

/// The first `{{name}}` in `s`: (text before, trimmed name, the raw
/// placeholder, text after). Braces around anything but a dotted identifier
/// are left alone, so literal `{{` in text (or JSON in a payload) survives.
fn next_placeholder(s: &str) -> Option<(&str, &str, &str, &str)> {
    let mut from = 0;
    while let Some(open) = s[from..].find("{{").map(|i| from + i) {
        let inner_start = open + 2;
        let close = s[inner_start..].find("}}").map(|i| inner_start + i)?;
        let name = s[inner_start..close].trim();
        let is_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-');
        if is_name {
            return Some((&s[..open], name, &s[open..close + 2], &s[close + 2..]));
        }
        from = open + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fills_whole_and_embedded_and_keeps_unbound() {
        let b = Bindings::empty().with("unique", "ab12").with("channel.id", "c-1");
        let out = b.render(&json!({
            "name": "App {{unique}}", "channel": {"id": "{{channel.id}}"},
            "other": ["{{ orchestration.id }}", "{{not a name}}", 3], "raw": "{{{{unique}}}}"
        }));
        assert_eq!(
            out,
            json!({"name": "App ab12", "channel": {"id": "c-1"},
                "other": ["{{ orchestration.id }}", "{{not a name}}", 3], "raw": "{{ab12}}"})
        );
    }

    #[test]
    fn role_callbacks_derive_from_the_base() {
        let b = Bindings::empty()
            .with("callback.base", "http://h/cb/")
            .with("callback.customer", "http://c");
        assert_eq!(b.get("callback.bot").as_deref(), Some("http://h/cb/bot"));
        assert_eq!(b.get("callback.customer").as_deref(), Some("http://c"));
        assert_eq!(Bindings::empty().get("callback.bot"), None);
    }

    #[test]
    fn finds_placeholders_with_paths_and_kinds() {
        let found = placeholders(&json!({"roles": [{"authentication": {"id": "{{authentication.id}}"}}],
            "name": "x {{unique}} y {{unique}}"}));
        let paths: Vec<_> = found.iter().map(|o| (o.name.as_str(), o.json_path.as_str())).collect();
        assert_eq!(
            paths,
            [
                ("authentication.id", "$.roles[0].authentication.id"),
                ("unique", "$.name"),
                ("unique", "$.name")
            ]
        );
        assert_eq!(found[0].reference_kind(), Some(EntityKind::Authentication));
        assert_eq!(found[1].reference_kind(), None);
        assert_eq!(
            reference_kind("clientApplication.id"),
            Some(EntityKind::ClientApplication)
        );
    }

    #[test]
    fn debug_hides_passwords() {
        let b = Bindings::empty().with("auth.password", "hunter2");
        assert!(!format!("{b:?}").contains("hunter2"));
    }
}
