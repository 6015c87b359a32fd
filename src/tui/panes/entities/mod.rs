//! The Entities component: one list per kind in setup order plus asset
//! lookup; a detail view with navigable references; create, edit, delete,
//! the guided setup and callback takeover. State and commands here, keys
//! and replies in [`update`], drawing in [`view`].

pub mod bundle;
pub mod catalog;
pub mod update;
pub mod view;

use serde_json::Value;

use crate::api::models::references::edges;
use crate::api::models::{AssetDownloadTicket, EntityKind};

use crate::tui::action::Action;
use crate::tui::command::{Table, change, cmd};
use crate::tui::keymap::Context;

pub use catalog::{Catalog, KindList, kind_index};

/// The tabs: the six kinds, then asset lookup.
pub const TAB_COUNT: usize = 7;
pub const ASSETS_TAB: usize = 6;

pub const LIST_COMMANDS: Table = Table {
    context: Context::Entities,
    title: "Entities",
    commands: &[
        cmd(Action::Open, "open", "Open the selected object (or look up an asset)"),
        cmd(Action::NextKind, "next kind", "Next entity kind (setup order)"),
        cmd(Action::PrevKind, "prev kind", "Previous entity kind"),
        change(Action::Create, "new", "Create an object from a template"),
        change(Action::Edit, "edit", "Edit the object's JSON in the built-in editor"),
        change(Action::EditExternal, "$EDITOR", "Edit the object's JSON in $EDITOR"),
        change(Action::Delete, "delete", "Delete the object (asks first)"),
        cmd(Action::Filter, "filter", "Filter the list (name, id, any text)"),
        cmd(
            Action::Copy,
            "copy id",
            "Copy the selected object's id (OSC 52 clipboard)",
        ),
        cmd(
            Action::CopyJson,
            "copy JSON",
            "Copy the selected object's JSON, secrets redacted",
        ),
        cmd(
            Action::OpenPager,
            "pager",
            "Open the selected object's JSON in $PAGER (less -R if unset), secrets redacted",
        ),
        change(
            Action::GuidedSetup,
            "setup",
            "Guided setup: create a complete account step by step",
        ),
        change(
            Action::ApplyBundle,
            "apply bundle",
            "Apply a setup bundle file: its plan is shown for review; Enter there applies",
        ),
        cmd(
            Action::Refresh,
            "refresh",
            "Reload the list from the server (every page)",
        ),
        cmd(Action::Back, "clear filter", "Clear the filter"),
    ],
};

pub const DETAIL_COMMANDS: Table = Table {
    context: Context::EntityDetail,
    title: "Entity detail",
    commands: &[
        cmd(Action::Back, "back", "Go back (to the previous object or the list)"),
        cmd(Action::NextRef, "next ref", "Select the next reference"),
        cmd(Action::PrevRef, "prev ref", "Select the previous reference"),
        cmd(Action::FollowRef, "follow", "Jump to the selected reference"),
        change(Action::Edit, "edit", "Edit the object's JSON in the built-in editor"),
        change(Action::EditExternal, "$EDITOR", "Edit the object's JSON in $EDITOR"),
        change(Action::Delete, "delete", "Delete the object (asks first)"),
        cmd(Action::Refresh, "refresh", "Reload the object from the server"),
        cmd(Action::Copy, "copy id", "Copy the object's id (OSC 52 clipboard)"),
        cmd(
            Action::CopyJson,
            "copy JSON",
            "Copy the object's JSON, secrets redacted",
        ),
        cmd(
            Action::OpenPager,
            "pager",
            "Open the object's JSON in $PAGER (less -R if unset), secrets redacted",
        ),
        change(
            Action::UseConsoleForRole,
            "use console",
            "Use this console for one of the application's roles (points its callback here; restored on exit)",
        ),
        cmd(
            Action::ExportBundle,
            "export bundle",
            "Export this account's setup bundle (YAML, secrets as placeholders) to the export folder",
        ),
    ],
};

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
    pub catalog: Catalog,
    pub tab: usize,
    /// Case-insensitive text filter over the current kind's rows.
    pub filter: String,
    pub detail: Option<Detail>,
    /// Objects visited before the current detail, for Back.
    pub history: Vec<(EntityKind, String)>,
    pub asset: AssetLookup,
    /// Select this object when its kind's list next arrives (after a create).
    pub select_after_load: Option<(EntityKind, String)>,
    /// Kinds start-up holds back until the list on screen is in or the first
    /// frame is drawn (that frame does not share the CPU with lists it does
    /// not show).
    pub load_after_shown: Vec<EntityKind>,
}

impl EntitiesPane {
    pub fn context(&self) -> Context {
        if self.detail.is_some() {
            Context::EntityDetail
        } else {
            Context::Entities
        }
    }

    /// The commands offered where the pane is (list or detail).
    pub fn commands(&self) -> Table {
        if self.detail.is_some() {
            DETAIL_COMMANDS
        } else {
            LIST_COMMANDS
        }
    }

    /// The kind of the current tab (`None` on the asset tab).
    pub fn kind(&self) -> Option<EntityKind> {
        EntityKind::ALL.get(self.tab).copied()
    }

    /// Whether the list on screen has its first page (or its error): the
    /// pane then shows what it is for, while other kinds may still load.
    pub fn shows_its_list(&self) -> bool {
        self.kind().is_none_or(|kind| self.list(kind).loaded)
    }

    pub fn list(&self, kind: EntityKind) -> &KindList {
        self.catalog.list(kind)
    }

    pub fn list_mut(&mut self, kind: EntityKind) -> &mut KindList {
        self.catalog.list_mut(kind)
    }

    /// Indices of the kind's rows that pass the filter.
    pub fn visible(&self, kind: EntityKind) -> &[usize] {
        self.catalog.list(kind).visible()
    }

    /// Set the filter of the current kind (computed once, here).
    pub fn set_filter(&mut self, filter: &str) {
        self.filter = filter.to_owned();
        for kind in EntityKind::ALL {
            self.catalog.set_filter(kind, filter);
        }
    }

    /// The selected object of the current kind, if any.
    pub fn selected(&self) -> Option<(EntityKind, &Value)> {
        let kind = self.kind()?;
        let list = self.list(kind);
        let rows = list.visible();
        let index = *rows.get(list.selected.min(rows.len().saturating_sub(1)))?;
        list.items.get(index).map(|v| (kind, v))
    }

    /// Name of a loaded object, for labelling references.
    pub fn name_of(&self, kind: EntityKind, id: &str) -> Option<String> {
        self.catalog.name_of(kind, id)
    }

    /// Outgoing references of an object, then the loaded objects pointing at it.
    pub fn references(&self, kind: EntityKind, id: &str, value: &Value) -> Vec<RefLink> {
        use crate::api::models::references::label;
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
