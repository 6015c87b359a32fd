//! Setups as code in the Entities component: `x` on an account's detail
//! exports its bundle (from the loaded lists, as a file in the export
//! directory, never overwriting); `A` reads a bundle file, shows its plan
//! for review, and applies it only on Enter there.

use super::EntitiesPane;
use crate::api::models::EntityKind;
use crate::api::models::references::label;
use crate::bundle::{self, Tenant};
use crate::tui::cx::Cx;
use crate::tui::effect::{Call, Effect, Owner, PlannedBundle};
use crate::tui::popup::ask::EntitiesAsk;
use crate::tui::popup::plan::Phase;
use crate::tui::popup::{Ask, Outcome, PlanView, Popup, Prompt};

const OWNER: Owner = Owner::Entities;

/// `x`: the shown account's bundle, written by the runtime's file saver.
pub fn export_account(pane: &EntitiesPane, cx: &mut Cx) {
    let Some(detail) = &pane.detail else {
        return;
    };
    if detail.kind != EntityKind::Account {
        cx.error("export bundle: open an Account first (a bundle is an account and all it references)");
        return;
    }
    let Some(value) = detail
        .value
        .as_ref()
        .or_else(|| pane.catalog.get(detail.kind, &detail.id))
    else {
        cx.error("export bundle: the account is not loaded yet");
        return;
    };
    // A bundle from partial lists would miss what the account references.
    if let Some(kind) = EntityKind::ALL.into_iter().find(|k| {
        let list = pane.list(*k);
        !list.loaded || list.loading || list.error.is_some()
    }) {
        cx.error(format!(
            "export bundle: the {} list is not fully loaded; press r there (or wait) and try again",
            kind.plural()
        ));
        return;
    }
    let name = label(EntityKind::Account, value).to_owned();
    let tenant = Tenant::from_objects(EntityKind::ALL.map(|k| (k, pane.list(k).items.clone())));
    let exported = match bundle::export(&tenant, std::slice::from_ref(&name)) {
        Ok(e) => e,
        Err(e) => return cx.error(format!("export bundle: {e}")),
    };
    let text = match exported.bundle.to_yaml() {
        Ok(t) => t,
        Err(e) => return cx.error(format!("export bundle: {e}")),
    };
    if !exported.warnings.is_empty() {
        cx.error(format!("export bundle warnings: {}", exported.warnings.join("; ")));
    }
    cx.notice(format!("exporting the bundle of account \"{name}\"…"));
    cx.effect(Effect::SaveText {
        base_name: format!("bundle-{}.yaml", file_stem(&name)),
        text,
    });
}

/// A file-name-safe form of a name.
fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let stem = stem.trim_matches('-');
    if stem.is_empty() {
        "account".into()
    } else {
        stem.to_owned()
    }
}

/// `A`: ask for the bundle's path (Tab completes it).
pub fn ask_path(cx: &mut Cx) {
    cx.open(
        EntitiesAsk::BundlePath,
        Popup::Prompt(Box::new(Prompt::path(
            "Apply which bundle file? (Tab completes; its plan is shown first)",
        ))),
    );
}

/// The path prompt or the plan view ended.
pub fn on_outcome(ask: EntitiesAsk, outcome: Outcome, cx: &mut Cx) {
    match (ask, outcome) {
        (EntitiesAsk::BundlePath, Outcome::Text(text)) => {
            let path = text.trim();
            if path.is_empty() {
                cx.popups.reject("type the path of a bundle file (YAML, from export)");
                return;
            }
            cx.popups.close(&Ask::Entities(EntitiesAsk::BundlePath));
            cx.notice(format!("planning {path}… (nothing is changed)"));
            cx.call(OWNER, Call::PlanBundle(expand_home(path)));
        }
        (EntitiesAsk::BundlePlan, Outcome::Confirmed) => {
            let ask = Ask::Entities(EntitiesAsk::BundlePlan);
            let Some(view) = cx.popups.plan_mut(&ask) else {
                return;
            };
            if view.phase != Phase::Review || view.work() == 0 {
                return;
            }
            view.phase = Phase::Applying;
            let planned = PlannedBundle {
                origin: view.origin.clone(),
                items: view.items.clone(),
                tenant: view.tenant.clone(),
            };
            cx.call(OWNER, Call::ApplyBundle(Box::new(planned)));
        }
        _ => {}
    }
}

/// `~/x` as the home directory's `x`.
fn expand_home(path: &str) -> std::path::PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => match std::env::var_os("HOME") {
            Some(home) => std::path::Path::new(&home).join(rest),
            None => path.into(),
        },
        None => path.into(),
    }
}

/// The plan arrived: review it.
pub fn on_planned(result: Result<Box<PlannedBundle>, String>, cx: &mut Cx) {
    match result {
        Ok(planned) => {
            let PlannedBundle { origin, items, tenant } = *planned;
            cx.status.error = None;
            cx.open(
                EntitiesAsk::BundlePlan,
                Popup::Plan(Box::new(PlanView::new(origin, items, tenant))),
            );
        }
        Err(e) => cx.error(format!("apply bundle: {e}")),
    }
}

/// One object of a running apply moved on.
pub fn on_progress(line: String, cx: &mut Cx) {
    match cx.popups.plan_mut(&Ask::Entities(EntitiesAsk::BundlePlan)) {
        Some(view) => view.progress.push(line),
        None => cx.notice(line),
    }
}

/// The apply ended: show the outcome (the caller reloads the lists).
pub fn on_applied(result: Result<String, Vec<String>>, cx: &mut Cx) {
    let lines = match &result {
        Ok(summary) => vec![summary.clone()],
        Err(lines) => lines.clone(),
    };
    match &result {
        Ok(summary) => cx.notice(summary.clone()),
        Err(lines) => cx.error(format!("apply bundle: {}", lines.first().cloned().unwrap_or_default())),
    }
    if let Some(view) = cx.popups.plan_mut(&Ask::Entities(EntitiesAsk::BundlePlan)) {
        view.phase = Phase::Finished(lines);
        view.scroll = u16::MAX / 2;
    }
}
