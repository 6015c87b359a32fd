//! A snapshot of a tenant's configuration objects, every page of every kind.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::api::models::EntityKind;
use crate::api::models::references::label;
use crate::api::{ApiError, Client};

/// Every object of every kind as the API returned it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tenant {
    objects: BTreeMap<EntityKind, Vec<Value>>,
}

impl Tenant {
    /// Read all six kinds (all pages), in setup order. A read that fails
    /// with a server error, timeout or dropped connection is tried again
    /// (twice, after a short pause): reading changes nothing.
    pub async fn fetch(client: &Client) -> Result<Self, ApiError> {
        let mut objects = BTreeMap::new();
        for kind in EntityKind::ALL {
            let mut attempt = 0;
            let items = loop {
                attempt += 1;
                match client.list_all_raw(kind).await {
                    Ok(items) => break items,
                    Err(e) if attempt < READ_ATTEMPTS && transient(&e) => {
                        tokio::time::sleep(std::time::Duration::from_millis(200 * attempt)).await;
                    }
                    Err(e) => return Err(prefix(e, &format!("listing {}", kind.segment()))),
                }
            };
            objects.insert(kind, items);
        }
        Ok(Self { objects })
    }

    /// A snapshot from objects already at hand (tests, the console's lists).
    pub fn from_objects(objects: impl IntoIterator<Item = (EntityKind, Vec<Value>)>) -> Self {
        Self {
            objects: objects.into_iter().collect(),
        }
    }

    pub fn objects(&self, kind: EntityKind) -> &[Value] {
        self.objects.get(&kind).map_or(&[], Vec::as_slice)
    }

    /// The object of `kind` whose unique field is `name`.
    pub fn by_label(&self, kind: EntityKind, name: &str) -> Option<&Value> {
        self.objects(kind).iter().find(|o| label(kind, o) == name)
    }

    pub fn by_id(&self, kind: EntityKind, id: &str) -> Option<&Value> {
        self.objects(kind).iter().find(|o| id_of(o) == Some(id))
    }

    /// Record an object created after the snapshot was taken.
    pub fn insert(&mut self, kind: EntityKind, obj: Value) {
        self.objects.entry(kind).or_default().push(obj);
    }
}

/// Tries of one read before giving up.
const READ_ATTEMPTS: u64 = 3;

/// Worth trying again: the server failed, or the answer never came.
fn transient(e: &ApiError) -> bool {
    matches!(e, ApiError::Timeout(_) | ApiError::Transport(_)) || e.status().is_some_and(|s| s >= 500)
}

/// The `id` of a stored object.
pub fn id_of(obj: &Value) -> Option<&str> {
    obj.get("id").and_then(Value::as_str)
}

fn prefix(e: ApiError, what: &str) -> ApiError {
    match e {
        ApiError::Decode(m) => ApiError::Decode(format!("{what}: {m}")),
        other => other,
    }
}
