//! Make a tenant match a plan: creates and updates in setup order, names
//! turned into the target's ids as objects come into being. Stops at the
//! first failure and says what was done and what was not; the objects done
//! are then `unchanged`, so running it again resumes where it stopped.

use std::collections::HashMap;

use serde_json::Value;

use super::plan::{Action, PlanItem};
use super::refs;
use super::tenant::{Tenant, id_of};
use super::{BundleError, kind_name};
use crate::api::models::EntityKind;
use crate::api::{ApiError, Client};

/// Progress, for a caller that reports as it goes.
#[derive(Debug, Clone, Copy)]
pub enum ApplyEvent<'a> {
    /// A request for this item is about to be sent.
    Sending(&'a PlanItem),
    /// The item was created (with its new id) or updated.
    Done(&'a PlanItem, &'a str),
}

/// Every item applied; `ids` maps `(kind, name)` to the tenant's id.
#[derive(Debug, Clone, Default)]
pub struct ApplyReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub ids: HashMap<(EntityKind, String), String>,
}

/// Where an apply stopped.
#[derive(Debug)]
pub struct ApplyFailure {
    /// `(kind, name, action)` of the items done before the failure.
    pub done: Vec<(EntityKind, String, Action)>,
    /// The item that failed and why.
    pub failed: (EntityKind, String, Action),
    pub error: ApiError,
    /// Items not attempted.
    pub pending: Vec<(EntityKind, String, Action)>,
}

impl std::fmt::Display for ApplyFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (kind, name, action) = &self.failed;
        write!(
            f,
            "{} {} \"{name}\" failed: {}; {} done before it, {} not attempted. \
             Fix the cause and apply again: what was done is kept and shows as unchanged.",
            action.as_str(),
            kind_name(*kind),
            self.error.to_string().trim_end_matches('.'),
            self.done.len(),
            self.pending.len()
        )
    }
}

/// Check, before any request, that every reference of the plan names an
/// object the tenant has or the plan creates before it is needed.
pub fn check_references(items: &[PlanItem], tenant: &Tenant) -> Result<(), BundleError> {
    let mut coming: Vec<(EntityKind, &str)> = Vec::new();
    let mut problems = Vec::new();
    for item in items {
        for s in refs::ref_slots(item.kind, &item.desired) {
            let known = tenant.by_label(s.target, &s.value).is_some() || coming.contains(&(s.target, s.value.as_str()));
            if !known {
                problems.push(format!(
                    "{} \"{}\": {} names {} \"{}\", which is neither on the tenant nor earlier in the bundle",
                    kind_name(item.kind),
                    item.name,
                    s.field,
                    kind_name(s.target),
                    s.value
                ));
            }
        }
        coming.push((item.kind, item.name.as_str()));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(BundleError::new(problems.join("; ")))
    }
}

/// Apply `items` (a plan of `tenant`) in order. Secrets must be filled
/// (plan with [`super::Secrets::resolve`]). Call [`check_references`] first.
pub async fn apply(
    client: &Client,
    items: &[PlanItem],
    tenant: &Tenant,
    on_event: &mut (dyn FnMut(ApplyEvent<'_>) + Send),
) -> Result<ApplyReport, ApplyFailure> {
    let mut report = ApplyReport::default();
    for obj_kind in EntityKind::ALL {
        for obj in tenant.objects(obj_kind) {
            if let Some(id) = id_of(obj) {
                let name = crate::api::models::references::label(obj_kind, obj).to_owned();
                report.ids.insert((obj_kind, name), id.to_owned());
            }
        }
    }
    let brief = |i: &PlanItem| (i.kind, i.name.clone(), i.action);
    for (n, item) in items.iter().enumerate() {
        let mut body = item.desired.clone();
        let ids = &report.ids;
        let unresolved = refs::to_ids(item.kind, &mut body, &|k, name| ids.get(&(k, name.to_owned())).cloned());
        let result: Result<Option<String>, ApiError> = if let Some(s) = unresolved.first() {
            Err(ApiError::Invalid(format!(
                "{} names {} \"{}\", which does not exist on the tenant",
                s.field,
                kind_name(s.target),
                s.value
            )))
        } else {
            match item.action {
                Action::Unchanged => {
                    report.unchanged += 1;
                    continue;
                }
                Action::Create => {
                    on_event(ApplyEvent::Sending(item));
                    client.create_raw(item.kind, &body).await.map(Some)
                }
                Action::Update => {
                    on_event(ApplyEvent::Sending(item));
                    if let (Value::Object(map), Some(m)) = (&mut body, &item.current_modified) {
                        map.insert("modified".into(), Value::String(m.clone()));
                    }
                    match &item.current_id {
                        Some(id) => client.update_raw(item.kind, id, &body).await.map(|()| Some(id.clone())),
                        None => Err(ApiError::Invalid("no id to update".into())),
                    }
                }
            }
        };
        match result {
            Ok(id) => {
                let id = id.unwrap_or_default();
                on_event(ApplyEvent::Done(item, &id));
                match item.action {
                    Action::Create => report.created += 1,
                    Action::Update => report.updated += 1,
                    Action::Unchanged => {}
                }
                report.ids.insert((item.kind, item.name.clone()), id);
            }
            Err(error) => {
                return Err(ApplyFailure {
                    done: items[..n]
                        .iter()
                        .filter(|i| i.action != Action::Unchanged)
                        .map(brief)
                        .collect(),
                    failed: brief(item),
                    error,
                    pending: items[n + 1..]
                        .iter()
                        .filter(|i| i.action != Action::Unchanged)
                        .map(brief)
                        .collect(),
                });
            }
        }
    }
    Ok(report)
}
