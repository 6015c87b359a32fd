//! References between objects, as ids on a tenant and as names in a bundle.
//! Which fields are references is owned by [`crate::api::models::references`];
//! this module only swaps `{id: <uuid>}` for `{ref: <name>}` and back, in place
//! (the key keeps its position, so a round trip keeps field order).

use serde_json::{Map, Value};

use crate::api::models::EntityKind;
use crate::api::models::references::{Edge, edges};

/// The key a bundle writes a reference under.
pub const REF_KEY: &str = "ref";
const ID_KEY: &str = "id";

/// A reference slot: the JSON pointer of the object holding the `id`/`ref` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub parent: String,
    /// Dotted path for messages, e.g. `roles[0].authentication`.
    pub field: String,
    pub target: EntityKind,
    /// The id (tenant form) or name (bundle form) found there.
    pub value: String,
}

/// `$.roles[0].authentication.id` → (`/roles/0/authentication`, `roles[0].authentication`).
fn parent_of(path: &str) -> (String, String) {
    let dotted = path.trim_start_matches("$.");
    let dotted = dotted.strip_suffix(".id").unwrap_or(dotted);
    let mut pointer = String::new();
    for segment in dotted.split('.') {
        let mut parts = segment.split('[');
        if let Some(key) = parts.next() {
            pointer.push('/');
            pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
        }
        for index in parts {
            pointer.push('/');
            pointer.push_str(index.trim_end_matches(']'));
        }
    }
    (pointer, dotted.to_owned())
}

fn slot(edge: Edge) -> Slot {
    let (parent, field) = parent_of(&edge.path);
    Slot {
        parent,
        field,
        target: edge.target,
        value: edge.id,
    }
}

/// The reference slots of an object in tenant form (`id` keys).
pub fn id_slots(kind: EntityKind, obj: &Value) -> Vec<Slot> {
    edges(kind, obj).into_iter().map(slot).collect()
}

/// The reference slots of an object in bundle form (`ref` keys): the same
/// places [`edges`] knows, found on a copy where every `ref` reads as `id`.
pub fn ref_slots(kind: EntityKind, obj: &Value) -> Vec<Slot> {
    let mut shadow = obj.clone();
    rename_everywhere(&mut shadow, REF_KEY, ID_KEY);
    edges(kind, &shadow)
        .into_iter()
        .map(slot)
        .filter(|s| {
            obj.pointer(&s.parent)
                .and_then(|p| p.get(REF_KEY))
                .and_then(Value::as_str)
                .is_some()
        })
        .collect()
}

fn rename_everywhere(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::Object(map) => {
            if map.contains_key(from) && !map.contains_key(to) {
                rename_key(map, from, to, None);
            }
            map.values_mut().for_each(|v| rename_everywhere(v, from, to));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_everywhere(v, from, to)),
        _ => {}
    }
}

/// Replace key `from` by `to` at the same position, optionally with a new value.
fn rename_key(map: &mut Map<String, Value>, from: &str, to: &str, value: Option<Value>) {
    let old = std::mem::take(map);
    for (k, v) in old {
        if k == from {
            map.insert(to.to_owned(), value.clone().unwrap_or(v));
        } else {
            map.insert(k, v);
        }
    }
}

/// Swap each reference's id for the target's name; `name_of(kind, id)`
/// answers `None` for an id the tenant does not have (left as an id, and
/// reported in the returned list as `field -> id`).
pub fn to_names(kind: EntityKind, obj: &mut Value, name_of: &dyn Fn(EntityKind, &str) -> Option<String>) -> Vec<Slot> {
    let mut unknown = Vec::new();
    for s in id_slots(kind, obj) {
        let Some(name) = name_of(s.target, &s.value) else {
            unknown.push(s);
            continue;
        };
        if let Some(Value::Object(map)) = obj.pointer_mut(&s.parent) {
            rename_key(map, ID_KEY, REF_KEY, Some(Value::String(name)));
        }
    }
    unknown
}

/// Swap each reference's name for the target's id; `id_of(kind, name)`
/// answers `None` for a name the target does not have (reported, not changed).
pub fn to_ids(kind: EntityKind, obj: &mut Value, id_of: &dyn Fn(EntityKind, &str) -> Option<String>) -> Vec<Slot> {
    let mut unknown = Vec::new();
    for s in ref_slots(kind, obj) {
        let Some(id) = id_of(s.target, &s.value) else {
            unknown.push(s);
            continue;
        };
        if let Some(Value::Object(map)) = obj.pointer_mut(&s.parent) {
            rename_key(map, REF_KEY, ID_KEY, Some(Value::String(id)));
        }
    }
    unknown
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn ids_become_names_in_place_and_back() {
        let original = json!({
            "name": "Orch",
            "applications": {
                "botConfiguration": {"bots": [{"id": "app-1", "participant": {"id": "bot-1"}, "x": 1}]},
                "customerConfiguration": {"customer": {"id": "app-1"}}
            }
        });
        let mut obj = original.clone();
        let names = |k: EntityKind, id: &str| Some(format!("{}:{id}", k.segment()));
        assert!(to_names(EntityKind::Orchestration, &mut obj, &names).is_empty());
        assert_eq!(
            obj["applications"]["botConfiguration"]["bots"][0],
            json!({"ref": "clientapplications:app-1", "participant": {"ref": "participants:bot-1"}, "x": 1})
        );
        let keys: Vec<&String> = obj["applications"]["botConfiguration"]["bots"][0]
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["ref", "participant", "x"], "the key keeps its place");
        let ids = |_: EntityKind, name: &str| name.split_once(':').map(|(_, id)| id.to_owned());
        assert!(to_ids(EntityKind::Orchestration, &mut obj, &ids).is_empty());
        assert_eq!(obj, original);
    }

    #[test]
    fn unknown_targets_are_reported_not_dropped() {
        let mut obj =
            json!({"name": "A", "channel": {"id": "gone"}, "chatConfigurations": {"orchestration": {"id": "o"}}});
        let unknown = to_names(EntityKind::Account, &mut obj, &|k, _| {
            (k == EntityKind::Orchestration).then(|| "O".to_owned())
        });
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0].field, "channel");
        assert_eq!(obj["channel"], json!({"id": "gone"}));
        assert_eq!(obj["chatConfigurations"]["orchestration"], json!({"ref": "O"}));
    }

    #[test]
    fn a_ref_key_outside_a_reference_slot_is_left_alone() {
        let mut obj = json!({"name": "A", "description": "x", "extra": {"ref": "keep"}, "channel": {"ref": "C"}});
        let unknown = to_ids(EntityKind::Account, &mut obj, &|_, _| Some("id-1".into()));
        assert!(unknown.is_empty());
        assert_eq!(obj["extra"], json!({"ref": "keep"}));
        assert_eq!(obj["channel"], json!({"id": "id-1"}));
    }
}
