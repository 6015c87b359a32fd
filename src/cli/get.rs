//! `get` and `delete`: objects by kind and name or id.

use std::io::IsTerminal;

use serde_json::Value;

use super::args::{DeleteArgs, GetArgs, GetFormat};
use super::output::{self, out};
use super::run::{Ctx, Failure, approved};
use super::target::Target;
use crate::api::models::EntityKind;
use crate::api::models::references::label;
use crate::api::redact;
use crate::bundle::{Tenant, kind_name, refs};

/// Whether the text is shaped like an object id (36 characters of hex and dashes).
fn looks_like_id(text: &str) -> bool {
    text.len() == 36 && text.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// A client error as a failure: input refused before any request is a usage error.
pub(crate) fn api_failure(what: &str, e: &crate::api::ApiError) -> Failure {
    match e {
        crate::api::ApiError::Invalid(_) | crate::api::ApiError::ReadOnly(_) => Failure::Usage(format!("{what}: {e}")),
        _ => Failure::Failed(format!("{what}: {e}")),
    }
}

/// The object of `kind` named (or with id) `name_or_id`.
async fn find(target: &Target, kind: EntityKind, name_or_id: &str) -> Result<Value, Failure> {
    if looks_like_id(name_or_id) {
        return match target.client.get_raw(kind, name_or_id).await {
            Ok(v) => Ok(v),
            Err(e) if e.status() == Some(404) => Err(Failure::Failed(format!(
                "{} has no {} with id {name_or_id}",
                target.session.profile,
                kind_name(kind)
            ))),
            Err(e) => Err(api_failure(&format!("reading {} {name_or_id}", kind_name(kind)), &e)),
        };
    }
    let all = target
        .client
        .list_all_raw(kind)
        .await
        .map_err(|e| api_failure(&format!("listing {}", kind.segment()), &e))?;
    if let Some(found) = all.iter().find(|o| label(kind, o) == name_or_id) {
        return Ok(found.clone());
    }
    let names: Vec<String> = all.iter().map(|o| format!("\"{}\"", label(kind, o))).collect();
    Err(Failure::Failed(format!(
        "profile `{}` has no {} with {} \"{name_or_id}\" ({}: {})",
        target.session.profile,
        kind_name(kind),
        kind.unique_field(),
        kind.segment(),
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    )))
}

/// `get KIND [NAME_OR_ID] [-o table|json|yaml]`. Secrets are redacted.
pub async fn get(ctx: &Ctx, args: &GetArgs) -> Result<(), Failure> {
    let kind = super::kind::parse(&args.kind).map_err(Failure::Usage)?;
    let target = ctx.connect().await?;
    let mut value = match &args.name_or_id {
        Some(name) => find(&target, kind, name).await?,
        None => Value::Array(
            target
                .client
                .list_all_raw(kind)
                .await
                .map_err(|e| api_failure(&format!("listing {}", kind.segment()), &e))?,
        ),
    };
    redact::json(&mut value);
    let text = match (args.output, &value) {
        (GetFormat::Json, v) => output::json(v)?,
        (GetFormat::Yaml, v) => output::yaml(v)?,
        (GetFormat::Table, Value::Array(items)) => output::objects_table(kind, items),
        (GetFormat::Table, one) => output::objects_table(kind, std::slice::from_ref(one)),
    };
    out(&text)
}

/// Why an object may not be deleted: the objects still pointing at it.
pub fn referrers(tenant: &Tenant, kind: EntityKind, id: &str) -> Vec<String> {
    let mut out = Vec::new();
    for k in EntityKind::ALL {
        for o in tenant.objects(k) {
            let fields: Vec<String> = refs::id_slots(k, o)
                .into_iter()
                .filter(|s| s.target == kind && s.value == id)
                .map(|s| s.field)
                .collect();
            if !fields.is_empty() {
                out.push(format!("{} \"{}\" ({})", kind_name(k), label(k, o), fields.join(", ")));
            }
        }
    }
    out
}

/// `delete KIND NAME_OR_ID [--yes]`: refused while other objects reference it.
pub async fn delete(ctx: &Ctx, args: &DeleteArgs) -> Result<(), Failure> {
    let kind = super::kind::parse(&args.kind).map_err(Failure::Usage)?;
    ctx.refuse_if_read_only("delete")?;
    if !args.yes && !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(
            "delete: not run from a terminal, so it cannot ask; pass --yes to go ahead".into(),
        ));
    }
    let target = ctx.connect().await?;
    let obj = find(&target, kind, &args.name_or_id).await?;
    let id = obj.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
    let name = label(kind, &obj).to_owned();
    let tenant = Tenant::fetch(&target.client)
        .await
        .map_err(|e| api_failure("reading the tenant's objects", &e))?;
    let users = referrers(&tenant, kind, &id);
    if !users.is_empty() {
        return Err(Failure::Failed(format!(
            "delete refused: {} \"{name}\" is still referenced by {}; change or delete those first",
            kind_name(kind),
            users.join(", ")
        )));
    }
    let question = format!(
        "Delete {} \"{name}\" ({id}) on profile `{}` ({})?",
        kind_name(kind),
        target.session.profile,
        target.session.host
    );
    if !approved(args.yes, "delete", &question)? {
        return Err(Failure::Failed("not deleted: not confirmed".into()));
    }
    target
        .client
        .delete(kind, &id)
        .await
        .map_err(|e| api_failure(&format!("delete refused for {} \"{name}\"", kind_name(kind)), &e))?;
    eprintln!("deleted {} \"{name}\" ({id})", kind_name(kind));
    Ok(())
}
