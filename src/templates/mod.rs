//! Create-body templates, one per [`EntityKind`]: JSON files shipped in
//! `assets/templates/<segment>.json` and replaceable, without a rebuild, by a
//! file of the same name in a user directory. Templates carry `{{name}}`
//! placeholders (see [`placeholder`]) for ids of other objects and for the
//! inputs of a setup; rendering fills them from [`Bindings`].

pub mod placeholder;
pub mod unique;

pub use placeholder::{Bindings, Occurrence, braced, placeholders, reference_kind, reference_name};
pub use unique::{Existing, avoid_collisions};

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::api::models::EntityKind;

/// The shipped templates, keyed by kind.
fn embedded_text(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Authentication => include_str!("../../assets/templates/authentications.json"),
        EntityKind::ClientApplication => include_str!("../../assets/templates/clientapplications.json"),
        EntityKind::Participant => include_str!("../../assets/templates/participants.json"),
        EntityKind::Channel => include_str!("../../assets/templates/channels.json"),
        EntityKind::Orchestration => include_str!("../../assets/templates/orchestrations.json"),
        EntityKind::Account => include_str!("../../assets/templates/accounts.json"),
    }
}

/// File name of the template for `kind`, shipped and in the user directory.
pub fn file_name(kind: EntityKind) -> String {
    format!("{}.json", kind.segment())
}

/// Where a template came from, so the editor can say which one is in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Embedded,
    User(PathBuf),
}

/// A template file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("{}: {message}", path.display())]
    Read { path: PathBuf, message: String },
    /// Not JSON, or not a JSON object; `line`/`column` are 1-based.
    #[error("{}: line {line}, column {column}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

/// One place the editor can fill with the id of an existing object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// As written in the template, e.g. `{{clientApplication.id}}`.
    pub placeholder: String,
    pub kind: EntityKind,
    /// Every JSON path where the placeholder occurs (one pick fills all).
    pub json_paths: Vec<String>,
}

/// The create-body template of one kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    kind: EntityKind,
    body: Value,
    origin: Origin,
}

impl Template {
    pub fn kind(&self) -> EntityKind {
        self.kind
    }

    /// The template as written, placeholders included.
    pub fn body(&self) -> &Value {
        &self.body
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The body with every bound placeholder filled; unbound ones stay as
    /// written (see [`Template::unresolved`]).
    pub fn render(&self, bindings: &Bindings) -> Value {
        bindings.render(&self.body)
    }

    /// The reference placeholders (`{{<kind>.id}}`), one slot per kind in
    /// order of first occurrence.
    pub fn reference_slots(&self) -> Vec<Slot> {
        slots(&self.body)
    }

    /// Reference slots `bindings` does not fill: what the editor should offer
    /// pick-lists of existing objects for.
    pub fn unresolved(&self, bindings: &Bindings) -> Vec<Slot> {
        self.reference_slots()
            .into_iter()
            .filter(|s| bindings.reference(s.kind).is_none())
            .collect()
    }
}

/// The reference slots of any body (e.g. one the user edited).
pub fn slots(body: &Value) -> Vec<Slot> {
    let mut out: Vec<Slot> = Vec::new();
    for found in placeholders(body) {
        let Some(kind) = found.reference_kind() else { continue };
        match out.iter_mut().find(|s| s.kind == kind) {
            Some(slot) => {
                if !slot.json_paths.contains(&found.json_path) {
                    slot.json_paths.push(found.json_path);
                }
            }
            None => out.push(Slot {
                placeholder: braced(&found.name),
                kind,
                json_paths: vec![found.json_path],
            }),
        }
    }
    out
}

/// The templates of all six kinds.
#[derive(Debug, Clone)]
pub struct Templates {
    by_kind: BTreeMap<EntityKind, Template>,
}

impl Templates {
    /// The shipped templates only.
    pub fn embedded() -> Self {
        let by_kind = EntityKind::ALL
            .into_iter()
            .map(|kind| {
                // The shipped files are checked by this module's tests.
                let body = serde_json::from_str(embedded_text(kind)).unwrap_or(Value::Null);
                let origin = Origin::Embedded;
                (kind, Template { kind, body, origin })
            })
            .collect();
        Self { by_kind }
    }

    pub fn get(&self, kind: EntityKind) -> &Template {
        // Both constructors fill every kind.
        &self.by_kind[&kind]
    }

    pub fn iter(&self) -> impl Iterator<Item = &Template> {
        self.by_kind.values()
    }
}

/// A user's override file `<dir>/<name>`, parsed: `None` when there is none.
/// Shared by entity and message templates so both report errors alike.
pub(crate) fn read_override(
    dir: &Path,
    name: &str,
) -> Result<Option<(std::path::PathBuf, serde_json::Value)>, TemplateError> {
    let path = dir.join(name);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(TemplateError::Read {
                message: format!(
                    "cannot read the template: {}",
                    crate::io_error::reason(&path, crate::io_error::Access::Read, &e)
                ),
                path,
            });
        }
    };
    let body = parse(&path, &text)?;
    Ok(Some((path, body)))
}

/// The shipped templates, each replaced by `<user_dir>/<segment>.json` when
/// that file exists. A missing directory or file is not an error; an
/// unreadable file or one that is not a JSON object is, naming file and line.
pub fn load(user_dir: Option<&Path>) -> Result<Templates, TemplateError> {
    let mut templates = Templates::embedded();
    let Some(dir) = user_dir else {
        return Ok(templates);
    };
    for kind in EntityKind::ALL {
        let Some((path, body)) = read_override(dir, &file_name(kind))? else {
            continue;
        };
        templates.by_kind.insert(
            kind,
            Template {
                kind,
                body,
                origin: Origin::User(path),
            },
        );
    }
    Ok(templates)
}

/// `text` as a JSON object template, errors naming `path` and the line.
pub(crate) fn parse(path: &Path, text: &str) -> Result<Value, TemplateError> {
    let body: Value = serde_json::from_str(text).map_err(|e| TemplateError::Parse {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: without_position(&e),
    })?;
    if !body.is_object() {
        return Err(TemplateError::Parse {
            path: path.to_owned(),
            line: 1,
            column: 1,
            message: format!("a template must be a JSON object, this is {}", json_type(&body)),
        });
    }
    Ok(body)
}

/// serde_json's message ends in "at line L column C", which the error states already.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).map(str::to_owned).unwrap_or(text)
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}) at {}",
            self.placeholder,
            self.kind,
            self.json_paths.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_templates_are_json_objects() {
        for kind in EntityKind::ALL {
            let parsed = parse(Path::new("embedded"), embedded_text(kind));
            assert!(parsed.is_ok(), "{kind}: {parsed:?}");
        }
    }
}
