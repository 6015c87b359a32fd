//! Tenant → bundle: the named accounts and everything they reference (or
//! the whole tenant), server fields dropped, references as names, secrets
//! as placeholders.

use std::collections::{BTreeSet, HashSet};

use serde_json::Value;

use super::refs::{self, Slot};
use super::secrets::protect;
use super::tenant::{Tenant, id_of};
use super::{Bundle, BundleError, SERVER_FIELDS, kind_name};
use crate::api::models::EntityKind;
use crate::api::models::references::label;

/// A bundle and what the export noticed (references to objects the tenant lacks).
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    pub bundle: Bundle,
    pub warnings: Vec<String>,
}

/// An object as a bundle holds it, secrets still in: server fields
/// dropped, references as names. Also answers the references whose target
/// the tenant does not have (they stay ids).
pub fn named_form(tenant: &Tenant, kind: EntityKind, obj: &Value) -> (Value, Vec<Slot>) {
    let mut out = obj.clone();
    if let Value::Object(map) = &mut out {
        for key in SERVER_FIELDS {
            map.shift_remove(key);
        }
    }
    let unknown = refs::to_names(kind, &mut out, &|target, id| {
        tenant.by_id(target, id).map(|o| label(target, o).to_owned())
    });
    (out, unknown)
}

/// Export `accounts` (by name) and everything they reference, or with no
/// names every object of the tenant. Objects are in setup order, by name
/// within a kind, so two exports of equal setups are equal text.
pub fn export(tenant: &Tenant, accounts: &[String]) -> Result<Exported, BundleError> {
    let selected = select(tenant, accounts)?;
    let mut bundle = Bundle::new();
    let mut warnings = Vec::new();
    let mut taken = HashSet::new();
    for kind in EntityKind::ALL {
        let mut objects: Vec<&Value> = tenant
            .objects(kind)
            .iter()
            .filter(|o| selected.contains(&(kind, id_of(o).unwrap_or_default().to_owned())))
            .collect();
        objects.sort_by(|a, b| label(kind, a).cmp(label(kind, b)));
        let mut names = HashSet::new();
        for obj in objects {
            let name = label(kind, obj);
            if !names.insert(name.to_owned()) {
                return Err(BundleError::new(format!(
                    "the tenant has two {}s with {} \"{name}\": a bundle names objects, so rename one first",
                    kind_name(kind),
                    kind.unique_field()
                )));
            }
            let (mut named, unknown) = named_form(tenant, kind, obj);
            for s in unknown {
                warnings.push(format!(
                    "{} \"{name}\": {} points at {} {}, which the tenant does not have; kept as an id",
                    kind_name(kind),
                    s.field,
                    kind_name(s.target),
                    s.value
                ));
            }
            protect(kind, &mut named, &mut taken);
            bundle.objects_mut(kind).push(named);
        }
    }
    Ok(Exported { bundle, warnings })
}

/// `(kind, id)` of every object to export.
fn select(tenant: &Tenant, accounts: &[String]) -> Result<BTreeSet<(EntityKind, String)>, BundleError> {
    let mut selected = BTreeSet::new();
    if accounts.is_empty() {
        for kind in EntityKind::ALL {
            for obj in tenant.objects(kind) {
                if let Some(id) = id_of(obj) {
                    selected.insert((kind, id.to_owned()));
                }
            }
        }
        return Ok(selected);
    }
    let mut queue = Vec::new();
    for name in accounts {
        let Some(account) = tenant.by_label(EntityKind::Account, name) else {
            let known: Vec<&str> = tenant
                .objects(EntityKind::Account)
                .iter()
                .map(|o| label(EntityKind::Account, o))
                .collect();
            return Err(BundleError::new(format!(
                "--account: the tenant has no account named \"{name}\" (accounts: {})",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            )));
        };
        queue.push((EntityKind::Account, account));
    }
    while let Some((kind, obj)) = queue.pop() {
        let Some(id) = id_of(obj) else { continue };
        if !selected.insert((kind, id.to_owned())) {
            continue;
        }
        for s in refs::id_slots(kind, obj) {
            if let Some(target) = tenant.by_id(s.target, &s.value) {
                queue.push((s.target, target));
            }
        }
    }
    Ok(selected)
}
