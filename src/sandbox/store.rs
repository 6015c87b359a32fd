//! The sandbox's configuration objects in memory: raw JSON (so fields the
//! sandbox does not model survive, as on a real tenant), in creation order,
//! with the indexes every hot path needs so none of them scans: by id, by
//! unique name, channel by type, account by (address, channel), and who
//! refers to whom. Persistence is [`super::db`]'s job; this is the cache the
//! database is loaded into and kept in step with.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use crate::api::models::references::edges;
use crate::api::models::{Entity, EntityKind};

/// A referring object: its kind and id.
pub type Referrer = (EntityKind, String);

#[derive(Debug, Default, Clone)]
struct Table {
    /// id -> (creation sequence, object).
    by_id: HashMap<String, (u64, Value)>,
    /// creation sequence -> id, for ordered listing.
    order: BTreeMap<u64, String>,
    /// unique field value (name, channel type) -> id.
    by_label: HashMap<String, String>,
}

/// All configuration objects, by kind, in creation order, with indexes.
#[derive(Debug, Default, Clone)]
pub struct Store {
    tables: BTreeMap<EntityKind, Table>,
    next_seq: u64,
    /// (address, channel id) -> account id.
    accounts_by_address: HashMap<(String, String), String>,
    /// (target kind, target id) -> objects pointing at it.
    referrers: HashMap<(EntityKind, String), BTreeSet<Referrer>>,
}

fn id_of(v: &Value) -> Option<&str> {
    v.get("id").and_then(Value::as_str)
}

fn label_of(kind: EntityKind, v: &Value) -> Option<&str> {
    v.get(kind.unique_field()).and_then(Value::as_str)
}

fn address_key(v: &Value) -> Option<(String, String)> {
    let address = v.get("address").and_then(Value::as_str)?;
    let channel = v.pointer("/channel/id").and_then(Value::as_str)?;
    Some((address.to_owned(), channel.to_owned()))
}

impl Store {
    fn table(&self, kind: EntityKind) -> Option<&Table> {
        self.tables.get(&kind)
    }

    /// Objects of a kind, in creation order.
    pub fn iter(&self, kind: EntityKind) -> impl Iterator<Item = &Value> {
        self.table(kind)
            .into_iter()
            .flat_map(|t| t.order.values().filter_map(|id| t.by_id.get(id).map(|(_, v)| v)))
    }

    /// Objects of a kind, in creation order (a copy of the references).
    pub fn list(&self, kind: EntityKind) -> Vec<&Value> {
        self.iter(kind).collect()
    }

    pub fn count(&self, kind: EntityKind) -> usize {
        self.table(kind).map_or(0, |t| t.by_id.len())
    }

    pub fn get(&self, kind: EntityKind, id: &str) -> Option<&Value> {
        self.table(kind)?.by_id.get(id).map(|(_, v)| v)
    }

    /// Creation sequence of an object (its position in lists).
    pub fn seq(&self, kind: EntityKind, id: &str) -> Option<u64> {
        self.table(kind)?.by_id.get(id).map(|(s, _)| *s)
    }

    /// The object whose unique field (name, or type for channels) is `label`.
    pub fn by_label(&self, kind: EntityKind, label: &str) -> Option<&Value> {
        let id = self.table(kind)?.by_label.get(label)?;
        self.get(kind, id)
    }

    /// The account on `channel_id` with `address`.
    pub fn account_at(&self, address: &str, channel_id: &str) -> Option<&Value> {
        let id = self
            .accounts_by_address
            .get(&(address.to_owned(), channel_id.to_owned()))?;
        self.get(EntityKind::Account, id)
    }

    /// Objects that point at (`kind`, `id`).
    pub fn referrers(&self, kind: EntityKind, id: &str) -> impl Iterator<Item = (EntityKind, &Value)> {
        self.referrers
            .get(&(kind, id.to_owned()))
            .into_iter()
            .flatten()
            .filter_map(|(k, i)| self.get(*k, i).map(|v| (*k, v)))
    }

    /// One object parsed into its model; `None` if absent or not parseable.
    pub fn get_typed<T: Entity>(&self, id: &str) -> Option<T> {
        self.get(T::KIND, id)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
    }

    /// The creation sequence the next new object gets.
    pub fn next_seq(&self) -> u64 {
        self.next_seq + 1
    }

    /// Add an object (it must carry its `id`) at the end of its kind's order.
    pub fn insert(&mut self, kind: EntityKind, value: Value) -> u64 {
        self.next_seq += 1;
        let seq = self.next_seq;
        self.put(kind, seq, value);
        seq
    }

    /// Add or replace an object at a known creation sequence (loading, replacing).
    pub fn put(&mut self, kind: EntityKind, seq: u64, value: Value) {
        let Some(id) = id_of(&value).map(str::to_owned) else {
            return;
        };
        self.unindex(kind, &id);
        self.next_seq = self.next_seq.max(seq);
        for edge in edges(kind, &value) {
            self.referrers
                .entry((edge.target, edge.id))
                .or_default()
                .insert((kind, id.clone()));
        }
        if kind == EntityKind::Account
            && let Some(key) = address_key(&value)
        {
            self.accounts_by_address.insert(key, id.clone());
        }
        let table = self.tables.entry(kind).or_default();
        if let Some(label) = label_of(kind, &value) {
            table.by_label.insert(label.to_owned(), id.clone());
        }
        table.order.insert(seq, id.clone());
        table.by_id.insert(id, (seq, value));
    }

    /// Replace the object with `id`, keeping its place; false if there is none.
    pub fn replace(&mut self, kind: EntityKind, id: &str, value: Value) -> bool {
        match self.seq(kind, id) {
            Some(seq) => {
                self.put(kind, seq, value);
                true
            }
            None => false,
        }
    }

    pub fn remove(&mut self, kind: EntityKind, id: &str) -> Option<Value> {
        self.unindex(kind, id)
    }

    /// Drop an object and every index entry it contributed.
    fn unindex(&mut self, kind: EntityKind, id: &str) -> Option<Value> {
        let table = self.tables.get_mut(&kind)?;
        let (seq, old) = table.by_id.remove(id)?;
        table.order.remove(&seq);
        if let Some(label) = label_of(kind, &old)
            && table.by_label.get(label).is_some_and(|i| i == id)
        {
            table.by_label.remove(label);
        }
        if kind == EntityKind::Account
            && let Some(key) = address_key(&old)
            && self.accounts_by_address.get(&key).is_some_and(|i| i == id)
        {
            self.accounts_by_address.remove(&key);
        }
        for edge in edges(kind, &old) {
            let key = (edge.target, edge.id);
            if let Some(set) = self.referrers.get_mut(&key) {
                set.remove(&(kind, id.to_owned()));
                if set.is_empty() {
                    self.referrers.remove(&key);
                }
            }
        }
        Some(old)
    }

    pub fn is_empty(&self) -> bool {
        self.tables.values().all(|t| t.by_id.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn indexes_follow_inserts_replacements_and_removals() {
        let mut store = Store::default();
        store.insert(EntityKind::Channel, json!({"id": "c1", "type": "sms"}));
        store.insert(
            EntityKind::Account,
            json!({"id": "a1", "name": "A", "address": "1", "channel": {"id": "c1"}}),
        );
        assert_eq!(store.by_label(EntityKind::Channel, "sms").and_then(id_of), Some("c1"));
        assert_eq!(store.account_at("1", "c1").and_then(id_of), Some("a1"));
        assert_eq!(store.referrers(EntityKind::Channel, "c1").count(), 1);

        store.insert(EntityKind::Channel, json!({"id": "c2", "type": "web"}));
        store.replace(
            EntityKind::Account,
            "a1",
            json!({"id": "a1", "name": "B", "address": "2", "channel": {"id": "c2"}}),
        );
        assert!(store.account_at("1", "c1").is_none());
        assert_eq!(store.referrers(EntityKind::Channel, "c1").count(), 0);
        assert_eq!(store.referrers(EntityKind::Channel, "c2").count(), 1);
        assert!(store.by_label(EntityKind::Account, "A").is_none());
        assert!(store.by_label(EntityKind::Account, "B").is_some());

        store.remove(EntityKind::Account, "a1");
        assert!(store.account_at("2", "c2").is_none());
        assert_eq!(store.referrers(EntityKind::Channel, "c2").count(), 0);
        let order: Vec<&str> = store.iter(EntityKind::Channel).filter_map(id_of).collect();
        assert_eq!(order, ["c1", "c2"]);
    }
}
