//! The reference graph between configuration objects, read straight from
//! their stored JSON. One list of edges serves both directions: create and
//! update check that every edge of the new object resolves (to the right kind,
//! and for client applications to one with the right role), and delete looks
//! for edges still pointing at the object.

use serde_json::Value;

use crate::api::models::EntityKind;
pub use crate::api::models::references::{Edge, edges, label};
use crate::api::models::references::{id_at, items};
use crate::sandbox::error::{HubError, HubResult, codes};
use crate::sandbox::store::Store;

/// The store as it would be after a pending create or update, so a change is
/// checked against the state it would produce.
pub struct View<'a> {
    store: &'a Store,
    pending: Option<(EntityKind, &'a str, &'a Value)>,
}

impl<'a> View<'a> {
    pub fn new(store: &'a Store) -> Self {
        Self { store, pending: None }
    }

    /// The store with object `id` of `kind` replaced (or added) by `value`.
    pub fn with(store: &'a Store, kind: EntityKind, id: &'a str, value: &'a Value) -> Self {
        Self {
            store,
            pending: Some((kind, id, value)),
        }
    }

    pub fn get(&self, kind: EntityKind, id: &str) -> Option<&'a Value> {
        match self.pending {
            Some((k, i, v)) if k == kind && i == id => Some(v),
            _ => self.store.get(kind, id),
        }
    }

    /// Which kind an id belongs to, to explain a reference to the wrong kind.
    fn kind_of(&self, id: &str) -> Option<EntityKind> {
        EntityKind::ALL.into_iter().find(|k| self.get(*k, id).is_some())
    }
}

fn bad_reference(path: &str, id: &str, message: String) -> HubError {
    HubError::bad_request(codes::BAD_REFERENCE, message).with_detail(path, id)
}

fn has_role(app: &Value, roles: &[&str]) -> bool {
    items(app, "/roles").any(|(_, r)| {
        r.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| roles.contains(&n))
    })
}

/// Check that every reference of `obj` resolves to an object of the right
/// kind (and role), and that each orchestration bot's participant belongs to
/// the bot's client application.
pub fn check(view: &View<'_>, kind: EntityKind, obj: &Value) -> HubResult<()> {
    for edge in edges(kind, obj) {
        let Some(target) = view.get(edge.target, &edge.id) else {
            let actual = match view.kind_of(&edge.id) {
                Some(other) => format!(" (that id is a {other})"),
                None => String::new(),
            };
            return Err(bad_reference(
                &edge.path,
                &edge.id,
                format!(
                    "Invalid reference {}: no {} with id {}{actual}.",
                    edge.path, edge.target, edge.id
                ),
            ));
        };
        if !edge.roles.is_empty() && !has_role(target, edge.roles) {
            return Err(bad_reference(
                &edge.path,
                &edge.id,
                format!(
                    "Invalid reference {}: client application '{}' ({}) has no {} role.",
                    edge.path,
                    label(edge.target, target),
                    edge.id,
                    edge.roles.join(" or ")
                ),
            ));
        }
    }
    if kind == EntityKind::Orchestration {
        for (i, bot) in items(obj, "/applications/botConfiguration/bots") {
            let (Some(app), Some(pid)) = (id_at(bot, "/id"), id_at(bot, "/participant/id")) else {
                continue;
            };
            let owner = view
                .get(EntityKind::Participant, pid)
                .and_then(|p| id_at(p, "/application/id"));
            if owner.is_some_and(|owner| owner != app) {
                let path = format!("$.applications.botConfiguration.bots[{i}].participant.id");
                return Err(bad_reference(
                    &path,
                    pid,
                    format!(
                        "Invalid reference {path}: participant {pid} belongs to client application {}, not to bots[{i}].id {app}.",
                        owner.unwrap_or_default()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Objects that still point at (`kind`, `id`), each with its kind (from the
/// store's reference index, so the cost does not grow with the store).
pub fn referrers<'a>(store: &'a Store, kind: EntityKind, id: &str) -> Vec<(EntityKind, &'a Value)> {
    store.referrers(kind, id).collect()
}

/// After replacing (`kind`, `id`) as `view` shows it, check that every object
/// pointing at it still finds what it needs (e.g. an orchestration still
/// finds the customer role of a client application being edited).
pub fn check_referrers(view: &View<'_>, store: &Store, kind: EntityKind, id: &str) -> HubResult<()> {
    for (k, obj) in referrers(store, kind, id) {
        if let Err(mut err) = check(view, k, obj) {
            let who = format!(
                "{k} '{}' ({}) refers to this {kind}",
                label(k, obj),
                obj.get("id").and_then(Value::as_str).unwrap_or("?")
            );
            err.body.developer_message = format!("{who}; after this change: {}", err.body.developer_message);
            return Err(err);
        }
    }
    Ok(())
}
