//! The OpenAPI description as data. The sandbox validates requests with it and
//! the console checks edits with it before sending, so the rules live in one
//! file a user can replace (`--spec`) without a rebuild.

mod refs;
mod validate;

pub use validate::{Violation, ViolationKind};

use std::borrow::Cow;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

/// The OpenAPI file shipped with the console (a copy of the shared spec).
pub const EMBEDDED_SPEC: &str = include_str!("../../assets/conversationmgr-v3.openapi.yaml");

/// The same document as JSON, converted by `build.rs`: parsing it costs a
/// fraction of parsing the YAML, and the console parses it at every start.
const EMBEDDED_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/openapi.json"));

/// An OpenAPI document. A user's file is parsed when loaded (so its errors
/// are reported at start); the embedded one on first use, since a start
/// that only lists objects never needs it (parsing it was the largest step
/// of the console's start-up).
#[derive(Debug)]
pub struct Spec {
    /// Always set, except for the embedded document before its first use.
    doc: OnceLock<Value>,
    /// The text it was parsed from, served by the sandbox at `/openapi.yaml`.
    source: Cow<'static, str>,
}

impl Spec {
    /// Parse OpenAPI YAML (or JSON) text; a `$ref` that dangles or loops is
    /// refused here, naming it, so validation never recurses without end.
    pub fn parse(text: &str) -> Result<Self, String> {
        let doc: Value = serde_yaml_ng::from_str(text).map_err(|e| e.to_string())?;
        if doc.pointer("/components/schemas").is_none() {
            return Err("not an OpenAPI document: components.schemas is missing".into());
        }
        refs::check(&doc)?;
        Ok(Self {
            doc: OnceLock::from(doc),
            source: Cow::Owned(text.to_owned()),
        })
    }

    /// Load a user-supplied spec file.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| crate::io_error::message(path, crate::io_error::Access::Read, "the OpenAPI file", &e))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The embedded spec (one instance, parsed on first use).
    pub fn embedded() -> Arc<Spec> {
        static SPEC: OnceLock<Arc<Spec>> = OnceLock::new();
        SPEC.get_or_init(|| {
            Arc::new(Spec {
                doc: OnceLock::new(),
                source: Cow::Borrowed(EMBEDDED_SPEC),
            })
        })
        .clone()
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn document(&self) -> &Value {
        // Only the embedded document starts unparsed; build.rs checked its JSON.
        self.doc
            .get_or_init(|| serde_json::from_str(EMBEDDED_JSON).expect("build.rs wrote valid JSON"))
    }

    /// A named schema under `components.schemas`.
    pub fn schema(&self, name: &str) -> Option<&Value> {
        self.document().pointer(&format!("/components/schemas/{name}"))
    }

    /// Validate `value` against the named schema. An empty list means valid.
    pub fn validate(&self, schema_name: &str, value: &Value) -> Vec<Violation> {
        match self.schema(schema_name) {
            Some(schema) => validate::validate(self, schema, value),
            None => vec![Violation {
                path: "$".into(),
                kind: ViolationKind::Type,
                message: format!("schema {schema_name} is not in the OpenAPI file"),
            }],
        }
    }

    /// Resolve a local `$ref` such as `#/components/schemas/IdRef`.
    pub(crate) fn resolve<'a>(&'a self, reference: &str) -> Option<&'a Value> {
        reference.strip_prefix('#').and_then(|p| self.document().pointer(p))
    }
}

#[cfg(test)]
mod tests {
    /// The embedded spec skips the checks of `parse`: they run here instead.
    #[test]
    fn the_embedded_spec_is_the_yaml_file_and_has_no_bad_ref() {
        let parsed = super::Spec::parse(super::EMBEDDED_SPEC).expect("the YAML file parses and its refs hold");
        let embedded = super::Spec::embedded();
        assert_eq!(
            embedded.document(),
            parsed.document(),
            "build.rs converted the file faithfully"
        );
        assert_eq!(embedded.source(), super::EMBEDDED_SPEC);
        let keys = |s: &super::Spec| -> Vec<String> {
            s.document()["components"]["schemas"]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        };
        assert_eq!(keys(&embedded), keys(&parsed), "key order kept");
    }
}
