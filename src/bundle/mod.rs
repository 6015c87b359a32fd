//! Account setups as code: a tenant's configuration objects as a YAML
//! bundle that can be copied to another tenant, compared and re-applied.
//! UI-free; the command line and the console both drive it.
//!
//! A bundle lists objects by kind in setup order. Inside an object:
//! - references are written as names (`{ref: Demo Application}` where the
//!   API has `{id: 3f2a...}`), so a bundle means the same on every tenant;
//! - server-owned fields (`id`, `created`, `modified`) are left out, every
//!   other field is kept, including ones this build does not model;
//! - secrets are never written: each becomes `${ENV_NAME}` (an environment
//!   variable) or `$(command)` (a secret command), filled in at apply time.
//!
//! [`export`] builds a bundle from a [`Tenant`] snapshot, [`plan`] compares
//! one with a tenant field by field, [`apply`] makes the tenant match it and
//! [`diff`] compares two bundles.

pub mod apply;
pub mod diff;
pub mod export;
pub mod plan;
pub mod refs;
pub mod secrets;
pub mod tenant;
pub mod value_diff;

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::models::EntityKind;
use crate::io_error::{self, Access};

pub use apply::{ApplyEvent, ApplyFailure, ApplyReport, apply};
pub use diff::{DiffItem, diff};
pub use export::export;
pub use plan::{Action, Change, PlanItem, plan};
pub use secrets::{Placeholder, Secrets};
pub use tenant::Tenant;

/// Fields the server owns: never exported, never sent back from a bundle.
pub const SERVER_FIELDS: [&str; 3] = ["id", "created", "modified"];

/// Bundle format version written by this build.
pub const VERSION: u32 = 1;

/// A setup bundle: objects per kind, each group in setup order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    pub version: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authentications: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clientapplications: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub orchestrations: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<Value>,
}

/// What went wrong with a bundle, in one plain sentence naming where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BundleError(pub String);

impl BundleError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// The singular noun a kind goes by in bundles and plans (`clientapplication`).
pub fn kind_name(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Authentication => "authentication",
        EntityKind::ClientApplication => "clientapplication",
        EntityKind::Participant => "participant",
        EntityKind::Channel => "channel",
        EntityKind::Orchestration => "orchestration",
        EntityKind::Account => "account",
    }
}

/// Where an object sits in a bundle, for messages: `channels[0] (custom.demo)`.
pub fn site(kind: EntityKind, index: usize, obj: &Value) -> String {
    format!(
        "{}[{index}] ({})",
        kind.segment(),
        crate::api::models::references::label(kind, obj)
    )
}

impl Bundle {
    pub fn new() -> Self {
        Self {
            version: VERSION,
            ..Self::default()
        }
    }

    /// The objects of one kind.
    pub fn objects(&self, kind: EntityKind) -> &[Value] {
        match kind {
            EntityKind::Authentication => &self.authentications,
            EntityKind::ClientApplication => &self.clientapplications,
            EntityKind::Participant => &self.participants,
            EntityKind::Channel => &self.channels,
            EntityKind::Orchestration => &self.orchestrations,
            EntityKind::Account => &self.accounts,
        }
    }

    pub fn objects_mut(&mut self, kind: EntityKind) -> &mut Vec<Value> {
        match kind {
            EntityKind::Authentication => &mut self.authentications,
            EntityKind::ClientApplication => &mut self.clientapplications,
            EntityKind::Participant => &mut self.participants,
            EntityKind::Channel => &mut self.channels,
            EntityKind::Orchestration => &mut self.orchestrations,
            EntityKind::Account => &mut self.accounts,
        }
    }

    /// Every object with its kind and index, in setup order.
    pub fn iter(&self) -> impl Iterator<Item = (EntityKind, usize, &Value)> {
        EntityKind::ALL
            .into_iter()
            .flat_map(move |k| self.objects(k).iter().enumerate().map(move |(i, o)| (k, i, o)))
    }

    pub fn len(&self) -> usize {
        self.iter().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bundle as YAML, with a header saying what it is.
    pub fn to_yaml(&self) -> Result<String, BundleError> {
        let body = serde_yaml_ng::to_string(self).map_err(|e| BundleError::new(format!("writing the bundle: {e}")))?;
        Ok(format!(
            "# egain-console setup bundle: `egain-console plan -f FILE` shows what applying it would do.\n\
             # References are names; secrets are ${{ENV}} or $(command) placeholders, filled at apply time.\n{body}"
        ))
    }

    /// Parse bundle text; `origin` (a file name) prefixes every error.
    pub fn parse(text: &str, origin: &str) -> Result<Self, BundleError> {
        let bundle: Bundle = serde_yaml_ng::from_str(text).map_err(|e| {
            let at = e
                .location()
                .map(|l| format!("{origin}:{}:{}", l.line(), l.column()))
                .unwrap_or_else(|| origin.to_owned());
            BundleError::new(format!("{at}: {e}"))
        })?;
        if bundle.version != VERSION {
            return Err(BundleError::new(format!(
                "{origin}: version: {} is not a bundle version this build reads (it reads {VERSION})",
                bundle.version
            )));
        }
        bundle.check(origin)?;
        Ok(bundle)
    }

    /// Read and parse a bundle file.
    pub fn load(path: &Path) -> Result<Self, BundleError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| BundleError::new(io_error::message(path, Access::Read, "the bundle", &e)))?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Every object is a JSON object with its kind's unique field, named once per kind.
    fn check(&self, origin: &str) -> Result<(), BundleError> {
        for kind in EntityKind::ALL {
            let mut seen = std::collections::HashSet::new();
            for (i, obj) in self.objects(kind).iter().enumerate() {
                let field = kind.unique_field();
                let Some(label) = obj.as_object().and_then(|o| o.get(field)).and_then(Value::as_str) else {
                    return Err(BundleError::new(format!(
                        "{origin}: {}[{i}]: needs a `{field}` (a {} is identified by its {field})",
                        kind.segment(),
                        kind_name(kind)
                    )));
                };
                if !seen.insert(label.to_owned()) {
                    return Err(BundleError::new(format!(
                        "{origin}: {}[{i}]: {field} \"{label}\" appears twice",
                        kind.segment()
                    )));
                }
                if let Some(key) = SERVER_FIELDS.iter().find(|k| obj.get(**k).is_some()) {
                    return Err(BundleError::new(format!(
                        "{origin}: {}[{i}] ({label}): `{key}` is owned by the server; remove it from the bundle",
                        kind.segment()
                    )));
                }
            }
        }
        Ok(())
    }

    /// The object of `kind` whose unique field is `label`.
    pub fn find(&self, kind: EntityKind, label: &str) -> Option<&Value> {
        self.objects(kind)
            .iter()
            .find(|o| crate::api::models::references::label(kind, o) == label)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn yaml_keeps_every_string_as_it_was() {
        let tricky = [
            "yes",
            "no",
            "on",
            "off",
            "1001",
            "0x10",
            "1e3",
            "null",
            "~",
            "",
            "true",
            " lead",
            "trail ",
            "multi\nline",
            "#hash",
            "a: b",
            "- x",
            "{x}",
            "[y]",
            "日本語",
            "🙂",
            "'q'",
            "\"dq\"",
            "tab\there",
            "${HOME}",
            "\\back",
        ];
        let mut bundle = Bundle::new();
        for (i, s) in tricky.iter().enumerate() {
            bundle
                .channels
                .push(json!({"type": format!("c{i}"), "displayName": s, "n": [1, 2.5, -3], "b": false}));
        }
        let text = bundle.to_yaml().expect("yaml");
        let back = Bundle::parse(&text, "t.yaml").expect("parse");
        assert_eq!(back, bundle, "{text}");
    }
}
