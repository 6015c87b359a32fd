//! The Entities pane: one list per kind in setup order, plus asset lookup; a
//! detail view with navigable references; create, edit and delete flows.

use serde_json::Value;

use crate::api::models::references::{edges, label};
use crate::api::models::{AssetDownloadTicket, EntityKind};

use crate::tui::keymap::Context;

/// The tabs: the six kinds, then asset lookup.
pub const TAB_COUNT: usize = 7;
pub const ASSETS_TAB: usize = 6;

/// One kind's list as last loaded.
#[derive(Debug, Clone, Default)]
pub struct KindList {
    pub items: Vec<Value>,
    pub loaded: bool,
    pub loading: bool,
    pub error: Option<String>,
    /// Index into the filtered rows.
    pub selected: usize,
}

/// One reference shown in the detail view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefLink {
    /// `$.channel.id`, or for incoming links the referrer's path.
    pub path: String,
    pub kind: EntityKind,
    pub id: String,
    /// Name of the target when it is loaded.
    pub name: Option<String>,
    /// Outgoing (this object points at it) or incoming (it points here).
    pub outgoing: bool,
}

/// The object shown in detail.
#[derive(Debug, Clone)]
pub struct Detail {
    pub kind: EntityKind,
    pub id: String,
    pub value: Option<Value>,
    pub loading: bool,
    pub error: Option<String>,
    pub scroll: u16,
    pub refs: Vec<RefLink>,
    pub ref_selected: usize,
}

/// Result of an asset lookup.
#[derive(Debug, Clone, Default)]
pub struct AssetLookup {
    pub id: Option<String>,
    pub loading: bool,
    pub result: Option<Result<AssetDownloadTicket, String>>,
}

#[derive(Debug, Clone, Default)]
pub struct EntitiesPane {
    pub tab: usize,
    pub lists: [KindList; 6],
    /// Case-insensitive text filter over the current kind's rows.
    pub filter: String,
    pub detail: Option<Detail>,
    /// Objects visited before the current detail, for Back.
    pub history: Vec<(EntityKind, String)>,
    pub asset: AssetLookup,
    /// Select this object when its kind's list next arrives (after a create).
    pub select_after_load: Option<(EntityKind, String)>,
}

pub fn kind_index(kind: EntityKind) -> usize {
    EntityKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

impl EntitiesPane {
    pub fn context(&self) -> Context {
        if self.detail.is_some() {
            Context::EntityDetail
        } else {
            Context::Entities
        }
    }

    /// The kind of the current tab (`None` on the asset tab).
    pub fn kind(&self) -> Option<EntityKind> {
        EntityKind::ALL.get(self.tab).copied()
    }

    pub fn list(&self, kind: EntityKind) -> &KindList {
        &self.lists[kind_index(kind)]
    }

    pub fn list_mut(&mut self, kind: EntityKind) -> &mut KindList {
        &mut self.lists[kind_index(kind)]
    }

    /// Indices of the current kind's rows that pass the filter.
    pub fn visible(&self, kind: EntityKind) -> Vec<usize> {
        let needle = self.filter.to_lowercase();
        self.list(kind)
            .items
            .iter()
            .enumerate()
            .filter(|(_, v)| needle.is_empty() || row_text(kind, v).to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect()
    }

    /// The selected object of the current kind, if any.
    pub fn selected(&self) -> Option<(EntityKind, &Value)> {
        let kind = self.kind()?;
        let rows = self.visible(kind);
        let list = self.list(kind);
        let index = *rows.get(list.selected.min(rows.len().saturating_sub(1)))?;
        list.items.get(index).map(|v| (kind, v))
    }

    /// Name of a loaded object, for labelling references.
    pub fn name_of(&self, kind: EntityKind, id: &str) -> Option<String> {
        self.list(kind)
            .items
            .iter()
            .find(|v| v.get("id").and_then(Value::as_str) == Some(id))
            .map(|v| label(kind, v).to_owned())
    }

    /// Outgoing references of an object, then the loaded objects pointing at it.
    pub fn references(&self, kind: EntityKind, id: &str, value: &Value) -> Vec<RefLink> {
        let mut out: Vec<RefLink> = Vec::new();
        for e in edges(kind, value) {
            // One line per target: an application used as bot, escalation
            // agent and customer is one reference with three paths.
            match out.iter_mut().find(|r| r.kind == e.target && r.id == e.id) {
                Some(existing) => {
                    existing.path.push_str(", ");
                    existing.path.push_str(&e.path);
                }
                None => out.push(RefLink {
                    name: self.name_of(e.target, &e.id),
                    path: e.path,
                    kind: e.target,
                    id: e.id,
                    outgoing: true,
                }),
            }
        }
        for other in EntityKind::ALL {
            for obj in &self.list(other).items {
                let Some(other_id) = obj.get("id").and_then(Value::as_str) else {
                    continue;
                };
                if let Some(edge) = edges(other, obj).into_iter().find(|e| e.target == kind && e.id == id) {
                    out.push(RefLink {
                        path: edge.path,
                        kind: other,
                        id: other_id.to_owned(),
                        name: Some(label(other, obj).to_owned()),
                        outgoing: false,
                    });
                }
            }
        }
        out
    }
}

/// The text a row is filtered on: name, id and the rest of the object,
/// with secrets redacted (typing a password must not find its object).
fn row_text(kind: EntityKind, v: &Value) -> String {
    let mut shown = v.clone();
    crate::api::redact::json(&mut shown);
    format!(
        "{} {} {}",
        label(kind, v),
        v.get("id").and_then(Value::as_str).unwrap_or(""),
        shown
    )
}
