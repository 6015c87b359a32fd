//! Differences between two bundles (a tenant exported, a file, another
//! tenant exported), object by object in setup order.

use std::fmt::Write as _;

use serde_json::Value;

use super::plan::{Change, change_lines, shown};
use super::secrets::{is_placeholder, secret_pointers};
use super::value_diff::changes;
use super::{Bundle, kind_name};
use crate::api::models::EntityKind;
use crate::api::models::references::label;

/// One object that differs.
#[derive(Debug, Clone, PartialEq)]
pub enum DiffItem {
    /// Only the left side (e.g. the tenant) has it.
    OnlyLeft { kind: EntityKind, name: String },
    /// Only the right side (e.g. the bundle) has it.
    OnlyRight { kind: EntityKind, name: String },
    Changed {
        kind: EntityKind,
        name: String,
        changes: Vec<Change>,
    },
}

/// What differs from `left` to `right`. Secrets are not compared: two
/// placeholders at the same place count as equal, whatever their names.
pub fn diff(left: &Bundle, right: &Bundle) -> Vec<DiffItem> {
    let mut out = Vec::new();
    for kind in EntityKind::ALL {
        let mut names: Vec<&str> = left
            .objects(kind)
            .iter()
            .chain(right.objects(kind))
            .map(|o| label(kind, o))
            .collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            match (left.find(kind, name), right.find(kind, name)) {
                (Some(_), None) => out.push(DiffItem::OnlyLeft {
                    kind,
                    name: name.to_owned(),
                }),
                (None, Some(_)) => out.push(DiffItem::OnlyRight {
                    kind,
                    name: name.to_owned(),
                }),
                (Some(a), Some(b)) => {
                    let mut b = b.clone();
                    let secret_at = secret_pointers(&b);
                    for p in &secret_at {
                        if let (Some(Value::String(av)), Some(slot)) = (a.pointer(p), b.pointer_mut(p))
                            && is_placeholder(av)
                        {
                            *slot = Value::String(av.clone());
                        }
                    }
                    let list: Vec<Change> = changes(a, &b).into_iter().map(|c| shown(c, &secret_at)).collect();
                    if !list.is_empty() {
                        out.push(DiffItem::Changed {
                            kind,
                            name: name.to_owned(),
                            changes: list,
                        });
                    }
                }
                (None, None) => {}
            }
        }
    }
    out
}

/// A readable diff: `---`/`+++` headers naming both sides, then per object
/// `- kind "name"` (left only), `+ kind "name"` (right only) or
/// `~ kind "name"` with its fields.
pub fn to_text(items: &[DiffItem], left: &str, right: &str) -> String {
    let mut out = format!("--- {left}\n+++ {right}\n");
    for item in items {
        match item {
            DiffItem::OnlyLeft { kind, name } => {
                let _ = writeln!(out, "- {} \"{name}\" (only in {left})", kind_name(*kind));
            }
            DiffItem::OnlyRight { kind, name } => {
                let _ = writeln!(out, "+ {} \"{name}\" (only in {right})", kind_name(*kind));
            }
            DiffItem::Changed { kind, name, changes } => {
                let _ = writeln!(out, "~ {} \"{name}\"", kind_name(*kind));
                out.push_str(&change_lines(changes, "    "));
            }
        }
    }
    let _ = writeln!(
        out,
        "{} object{} differ{}.",
        items.len(),
        if items.len() == 1 { "" } else { "s" },
        if items.len() == 1 { "s" } else { "" }
    );
    out
}
