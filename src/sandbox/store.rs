//! The sandbox's configuration store: objects kept as raw JSON (so fields the
//! sandbox does not model survive, as on a real tenant), in creation order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::models::{Entity, EntityKind};

/// All configuration objects, by kind, in creation order.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Store {
    objects: BTreeMap<EntityKind, Vec<Value>>,
}

fn id_of(v: &Value) -> Option<&str> {
    v.get("id").and_then(Value::as_str)
}

impl Store {
    pub fn list(&self, kind: EntityKind) -> &[Value] {
        self.objects.get(&kind).map(Vec::as_slice).unwrap_or_default()
    }

    pub fn get(&self, kind: EntityKind, id: &str) -> Option<&Value> {
        self.list(kind).iter().find(|v| id_of(v) == Some(id))
    }

    /// One object parsed into its model; `None` if absent or not parseable.
    pub fn get_typed<T: Entity>(&self, id: &str) -> Option<T> {
        self.get(T::KIND, id)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
    }

    /// Every object of a kind that parses into its model.
    pub fn all_typed<T: Entity>(&self) -> Vec<T> {
        self.list(T::KIND)
            .iter()
            .filter_map(|v| serde_json::from_value(v.clone()).ok())
            .collect()
    }

    /// Add an object; it must already carry its `id`.
    pub fn insert(&mut self, kind: EntityKind, value: Value) {
        self.objects.entry(kind).or_default().push(value);
    }

    /// Replace the object with `id`; false if there is none.
    pub fn replace(&mut self, kind: EntityKind, id: &str, value: Value) -> bool {
        match self
            .objects
            .get_mut(&kind)
            .and_then(|l| l.iter_mut().find(|v| id_of(v) == Some(id)))
        {
            Some(slot) => {
                *slot = value;
                true
            }
            None => false,
        }
    }

    pub fn remove(&mut self, kind: EntityKind, id: &str) -> Option<Value> {
        let list = self.objects.get_mut(&kind)?;
        let pos = list.iter().position(|v| id_of(v) == Some(id))?;
        Some(list.remove(pos))
    }
}

impl Store {
    pub fn is_empty(&self) -> bool {
        self.objects.values().all(Vec::is_empty)
    }

    /// Read a state file; a missing file is an empty store.
    pub fn load(path: &std::path::Path) -> Result<Self, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                serde_json::from_str(&text).map_err(|e| format!("{}: not a sandbox state file: {e}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// Write the store atomically: a temporary file beside it, then rename,
    /// so a crash mid-write never leaves a torn state file.
    pub fn save(&self, path: &std::path::Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
        std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
    }
}
