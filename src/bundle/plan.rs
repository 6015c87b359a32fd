//! What applying a bundle would do to a tenant, object by object in setup
//! order: create, update (with field-level changes) or nothing. Pure: the
//! tenant is a snapshot, nothing is sent.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::export::named_form;
use super::secrets::{Secrets, fill, secret_pointers};
use super::tenant::{Tenant, id_of};
use super::value_diff::{FieldChange, changes};
use super::{Bundle, kind_name};
use crate::api::models::EntityKind;
use crate::api::models::references::label;
use crate::api::redact::{self, REDACTED};

/// What apply does with one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Unchanged,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Unchanged => "unchanged",
        }
    }
}

/// One field an update changes. Secret values are never kept here.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Dotted path, e.g. `chatConfigurations.timeout`.
    pub field: String,
    pub from: Option<Value>,
    pub to: Option<Value>,
    /// A secret changed: `from`/`to` hold the redaction marker.
    pub secret: bool,
}

/// One object of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanItem {
    pub kind: EntityKind,
    pub name: String,
    pub action: Action,
    pub changes: Vec<Change>,
    /// The object as wanted: bundle form (references as names), secrets
    /// filled where known. Apply sends it with references made ids.
    pub desired: Value,
    /// The tenant's object this one updates or matches.
    pub current_id: Option<String>,
    /// Its `modified`, echoed by an update.
    pub current_modified: Option<String>,
}

impl PlanItem {
    /// `{"kind", "name", "action", "changes": [{"field", "from", "to"}]}`.
    pub fn to_json(&self) -> Value {
        let changes: Vec<Value> = self
            .changes
            .iter()
            .map(|c| json!({"field": c.field, "from": c.from, "to": c.to}))
            .collect();
        json!({
            "kind": kind_name(self.kind),
            "name": self.name,
            "action": self.action.as_str(),
            "changes": changes,
        })
    }
}

/// Compare every object of the bundle with the tenant. Placeholders with a
/// value in `secrets` are compared by that value; the others are taken as
/// equal to what the tenant has (a plan cannot know them). Fields a bundle
/// object leaves out keep the tenant's values (a hand-written bundle need
/// not repeat what the server defaults); arrays are replaced whole.
pub fn plan(bundle: &Bundle, tenant: &Tenant, secrets: &Secrets) -> Vec<PlanItem> {
    bundle
        .iter()
        .map(|(kind, _, wanted)| {
            let name = label(kind, wanted).to_owned();
            let current = tenant.by_label(kind, &name);
            let current_named = current.map(|c| named_form(tenant, kind, c).0);
            let desired = fill(wanted, secrets, &|pointer| {
                current_named.as_ref().and_then(|c| c.pointer(pointer)).cloned()
            });
            // Fields the bundle leaves out keep the tenant's values.
            let desired = match &current_named {
                Some(c) => merged(c, &desired),
                None => desired,
            };
            let (action, changes) = match &current_named {
                None => (Action::Create, Vec::new()),
                Some(c) => {
                    let secret_at = secret_pointers(wanted);
                    let list: Vec<Change> = changes(c, &desired)
                        .into_iter()
                        .map(|fc| shown(fc, &secret_at))
                        .collect();
                    if list.is_empty() {
                        (Action::Unchanged, list)
                    } else {
                        (Action::Update, list)
                    }
                }
            };
            PlanItem {
                kind,
                name,
                action,
                changes,
                desired,
                current_id: current.and_then(id_of).map(str::to_owned),
                current_modified: current
                    .and_then(|c| c.get("modified"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            }
        })
        .collect()
}

/// `wanted` over `current`: objects merge key by key (the tenant's order,
/// new keys after), anything else (arrays included) is taken from `wanted`.
fn merged(current: &Value, wanted: &Value) -> Value {
    match (current, wanted) {
        (Value::Object(c), Value::Object(w)) => {
            let mut out = c.clone();
            for (k, v) in w {
                let next = match c.get(k) {
                    Some(cv) => merged(cv, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), next);
            }
            Value::Object(out)
        }
        _ => wanted.clone(),
    }
}

/// A change fit for display: secrets replaced by the redaction marker.
pub(crate) fn shown(fc: FieldChange, secret_at: &[String]) -> Change {
    let secret =
        secret_at.contains(&fc.pointer) || fc.field.rsplit(['.', '[']).next().is_some_and(redact::is_secret_field);
    let hide = |v: Option<Value>| {
        v.map(|mut v| {
            if secret {
                Value::String(REDACTED.to_owned())
            } else {
                redact::json(&mut v);
                v
            }
        })
    };
    Change {
        field: fc.field,
        from: hide(fc.from),
        to: hide(fc.to),
        secret,
    }
}

fn compact(v: &Option<Value>) -> String {
    match v {
        None => "(absent)".to_owned(),
        Some(v) => serde_json::to_string(v).unwrap_or_default(),
    }
}

/// One line per field: `  ~ field: from -> to`.
pub fn change_lines(changes: &[Change], indent: &str) -> String {
    let mut out = String::new();
    for c in changes {
        let mark = match (&c.from, &c.to) {
            (None, _) => '+',
            (_, None) => '-',
            _ => '~',
        };
        let _ = writeln!(
            out,
            "{indent}{mark} {}: {} -> {}",
            c.field,
            compact(&c.from),
            compact(&c.to)
        );
    }
    out
}

/// The plan as text for people, ending with a count.
pub fn to_text(items: &[PlanItem]) -> String {
    let mut out = String::new();
    let count = |a: Action| items.iter().filter(|i| i.action == a).count();
    for item in items {
        let _ = writeln!(
            out,
            "{:<9} {} \"{}\"",
            item.action.as_str(),
            kind_name(item.kind),
            item.name
        );
        out.push_str(&change_lines(&item.changes, "    "));
    }
    let _ = writeln!(
        out,
        "Plan: {} to create, {} to update, {} unchanged.",
        count(Action::Create),
        count(Action::Update),
        count(Action::Unchanged)
    );
    out
}
