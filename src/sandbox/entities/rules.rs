//! Rules the OpenAPI schemas cannot state: unique names per kind, unique
//! role names within a client application, the bot-or-agent choice of an
//! orchestration, and one account per address and channel (messages find
//! their account by exactly that pair).

use serde_json::Value;

use super::references::label;
use crate::api::models::EntityKind;
use crate::sandbox::error::{HubError, HubResult, codes};
use crate::sandbox::store::Store;

/// All rules for `obj` of `kind`; `except` is the object's own id on update.
pub fn check(store: &Store, kind: EntityKind, obj: &Value, except: Option<&str>) -> HubResult<()> {
    match kind {
        EntityKind::Orchestration => bot_or_agent(obj)?,
        EntityKind::ClientApplication => distinct_roles(obj)?,
        _ => {}
    }
    unique_label(store, kind, obj, except)?;
    if kind == EntityKind::Account {
        unique_address(store, obj, except)?;
    }
    Ok(())
}

/// `found`, unless it is the object being updated.
fn other<'a>(found: Option<&'a Value>, except: Option<&str>) -> Option<&'a Value> {
    found.filter(|o| except.is_none() || o.get("id").and_then(Value::as_str) != except)
}

fn id_of(obj: &Value) -> &str {
    obj.get("id").and_then(Value::as_str).unwrap_or("?")
}

/// Names (channel types) are unique per kind, compared case-sensitively.
fn unique_label(store: &Store, kind: EntityKind, obj: &Value, except: Option<&str>) -> HubResult<()> {
    let field = kind.unique_field();
    let Some(wanted) = obj.get(field).and_then(Value::as_str) else {
        return Ok(());
    };
    match other(store.by_label(kind, wanted), except) {
        Some(clash) => Err(HubError::bad_request(
            codes::DUPLICATE_NAME,
            format!("A {kind} with {field} '{wanted}' already exists (id {}).", id_of(clash)),
        )
        .with_detail(&format!("$.{field}"), wanted)),
        None => Ok(()),
    }
}

/// Each role name may appear once per client application.
fn distinct_roles(obj: &Value) -> HubResult<()> {
    let names: Vec<Option<&str>> = obj
        .get("roles")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| r.get("name").and_then(Value::as_str))
        .collect();
    for (i, name) in names.iter().enumerate() {
        if let Some(name) = name
            && names[..i].contains(&Some(name))
        {
            let path = format!("$.roles[{i}].name");
            return Err(HubError::bad_request(
                codes::INVALID_VALUE,
                format!("Invalid value of attribute name: role {name} appears more than once ({path}); each role may appear once per client application."),
            )
            .with_detail(&path, *name));
        }
    }
    Ok(())
}

/// An orchestration needs a bot configuration unless it gives an agent one.
fn bot_or_agent(obj: &Value) -> HubResult<()> {
    let given = |key: &str| {
        obj.pointer(&format!("/applications/{key}"))
            .is_some_and(|v| !v.is_null())
    };
    if given("botConfiguration") || given("agentConfiguration") {
        return Ok(());
    }
    Err(HubError::bad_request(
        codes::REQUIRED_MISSING,
        "Required attribute is missing in the request body: botConfiguration (give applications.botConfiguration, or applications.agentConfiguration for a flow without bots)",
    )
    .with_detail("$.applications.botConfiguration", "is required unless agentConfiguration is given"))
}

/// Messages name their account by address + channel type, so the pair must
/// pick exactly one account (channel types are unique, so the channel id stands in).
fn unique_address(store: &Store, obj: &Value, except: Option<&str>) -> HubResult<()> {
    let address = obj.get("address").and_then(Value::as_str);
    let channel = obj.pointer("/channel/id").and_then(Value::as_str);
    let (Some(address), Some(channel)) = (address, channel) else {
        return Ok(());
    };
    match other(store.account_at(address, channel), except) {
        Some(clash) => Err(HubError::bad_request(
            codes::DUPLICATE_NAME,
            format!(
                "Account '{}' (id {}) already uses address '{address}' on channel {channel}; messages could not tell the two apart.",
                label(EntityKind::Account, clash),
                id_of(clash)
            ),
        )
        .with_detail("$.address", address)),
        None => Ok(()),
    }
}
