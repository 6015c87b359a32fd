//! The configuration operations themselves, apart from HTTP, so the demo seed
//! and other modules go through exactly the checks a request does. Each
//! mutation checks and applies under one store lock, so two racing creates
//! cannot both take a name.

use serde_json::{Map, Value};

use super::references::{self, View, label};
use super::rules;
use crate::api::models::EntityKind;
use crate::sandbox::SandboxState;
use crate::sandbox::clock::{iso, now_iso};
use crate::sandbox::error::{HubError, HubResult, codes};
use crate::sandbox::fidelity::keys;
use crate::sandbox::store::Store;
use crate::sandbox::strict_required;

/// Fields the server owns: ignored in create bodies, checked or replaced on update.
const SERVER_FIELDS: [&str; 3] = ["id", "created", "modified"];

/// Path ids are UUID text, exactly 36 characters.
pub fn check_id(id: &str) -> HubResult<()> {
    let n = id.chars().count();
    if n == 36 {
        Ok(())
    } else {
        Err(HubError::bad_request(
            codes::BAD_ID,
            format!("Invalid id '{id}': must be exactly 36 characters, has {n}."),
        ))
    }
}

/// Schema check, then the strict-only required fields (warned or refused per
/// [`keys::STRICT_REQUIRED`]). Null attributes are dropped first (or refused).
pub(crate) fn validate(state: &SandboxState, schema: &str, body: &mut Value) -> HubResult<()> {
    let mut nulls = Vec::new();
    drop_nulls(body, "$", &mut nulls);
    if let Some(first) = nulls.first() {
        let message = format!(
            "Attribute(s) {} are null; a tenant may refuse null values (send the attribute or leave it out). They were dropped.",
            nulls.join(", ")
        );
        state.assume(keys::NULL_ATTRIBUTES, || {
            HubError::bad_request(codes::INVALID_VALUE, message.clone()).with_detail(first, "null")
        })?;
    }
    let violations = state.config.spec.validate(schema, body);
    if !violations.is_empty() {
        return Err(HubError::from_violations(&violations));
    }
    for path in strict_required::missing(&state.config.spec, schema, body) {
        let attribute = path.rsplit('.').next().unwrap_or(&path).to_owned();
        state.assume(keys::STRICT_REQUIRED, || {
            HubError::bad_request(
                codes::REQUIRED_MISSING,
                format!("Required attribute is missing in the request body: {attribute} (required in strict mode)"),
            )
            .with_detail(&path, "required")
        })?;
    }
    Ok(())
}

/// Longest idle timeout taken as given (a year, in minutes).
const MAX_IDLE_MINUTES: f64 = 525_600.0;

/// An account's idle timeout must be a usable duration: a longer one is warned
/// about (and means no idle end) or refused, per [`keys::IDLE_TIMEOUT`].
fn check_idle_timeout(state: &SandboxState, kind: EntityKind, body: &Value) -> HubResult<()> {
    if kind != EntityKind::Account {
        return Ok(());
    }
    let Some(minutes) = body.pointer("/chatConfigurations/timeout").and_then(Value::as_f64) else {
        return Ok(());
    };
    if minutes <= MAX_IDLE_MINUTES {
        return Ok(());
    }
    state.assume(keys::IDLE_TIMEOUT, || {
        HubError::bad_request(
            codes::INVALID_VALUE,
            format!(
                "Invalid value of attribute timeout: {minutes} minutes is more than {MAX_IDLE_MINUTES} (a year); conversations on this account will not end when idle."
            ),
        )
        .with_detail("$.chatConfigurations.timeout", minutes.to_string())
    })
}

/// Remove members whose value is null, anywhere in the body; note their paths.
fn drop_nulls(value: &mut Value, path: &str, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            map.retain(|k, v| {
                if v.is_null() {
                    found.push(format!("{path}.{k}"));
                    false
                } else {
                    true
                }
            });
            for (k, v) in map.iter_mut() {
                drop_nulls(v, &format!("{path}.{k}"), found);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                drop_nulls(v, &format!("{path}[{i}]"), found);
            }
        }
        _ => {}
    }
}

fn into_object(body: Value) -> HubResult<Map<String, Value>> {
    match body {
        Value::Object(map) => Ok(map),
        _ => Err(HubError::bad_request(
            codes::MALFORMED_BODY,
            "The request body must be a JSON object.",
        )),
    }
}

/// The stored form: `id` first, the client's fields verbatim (unknown ones
/// included), `active` defaulted to true, then the timestamps.
fn assemble(id: &str, mut fields: Map<String, Value>, created: Value, modified: String) -> Value {
    for key in SERVER_FIELDS {
        fields.remove(key);
    }
    let mut out = Map::with_capacity(fields.len() + 4);
    out.insert("id".into(), Value::String(id.to_owned()));
    out.extend(fields);
    if out.get("active").is_none_or(Value::is_null) {
        out.insert("active".into(), Value::Bool(true));
    }
    out.insert("created".into(), created);
    out.insert("modified".into(), Value::String(modified));
    Value::Object(out)
}

/// Write `value` to the database, then to memory, so the two never
/// disagree and nothing is acknowledged that a crash could lose.
fn save(state: &SandboxState, store: &mut Store, kind: EntityKind, id: &str, value: Value) -> HubResult<()> {
    let seq = store.seq(kind, id).unwrap_or_else(|| store.next_seq());
    state
        .db
        .put_object(kind, id, seq, &value)
        .map_err(|e| HubError::internal(format!("The change was not saved: {e}")))?;
    store.put(kind, seq, value);
    Ok(())
}

/// A `modified` stamp strictly later than `previous`, even within its millisecond.
fn later_than(previous: Option<&str>) -> String {
    let now = jiff::Timestamp::now().as_millisecond();
    let floor = previous
        .and_then(|p| p.parse::<jiff::Timestamp>().ok())
        .map_or(i64::MIN, |p| p.as_millisecond().saturating_add(1));
    jiff::Timestamp::from_millisecond(now.max(floor)).map_or_else(|_| now_iso(), iso)
}

/// Same instant, compared as timestamps when both parse (`Z` vs `+00:00`).
fn same_instant(a: &str, b: &str) -> bool {
    match (a.parse::<jiff::Timestamp>(), b.parse::<jiff::Timestamp>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Create an object (POST): schema, rules, references; answers the new id.
pub fn create(state: &SandboxState, kind: EntityKind, mut body: Value) -> HubResult<String> {
    validate(state, kind.input_schema(), &mut body)?;
    create_without_schema(state, kind, body)
}

/// [`create`] without the schema check: for the demo seed, whose bodies are
/// fixed (a test validates them), so a start does not wait on parsing the
/// OpenAPI document. Every other rule still applies.
pub(crate) fn create_without_schema(state: &SandboxState, kind: EntityKind, body: Value) -> HubResult<String> {
    check_idle_timeout(state, kind, &body)?;
    let fields = into_object(body)?;
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_iso();
    let stored = assemble(&id, fields, Value::String(now.clone()), now);
    let mut store = state.store_mut();
    rules::check(&store, kind, &stored, None)?;
    references::check(&View::new(&store), kind, &stored)?;
    save(state, &mut store, kind, &id, stored)?;
    Ok(id)
}

/// Replace an object (PUT): the body is complete and echoes the `modified`
/// it was read with; a different one means someone else changed it since.
pub fn update(state: &SandboxState, kind: EntityKind, id: &str, mut body: Value) -> HubResult<()> {
    check_id(id)?;
    validate(state, kind.update_schema(), &mut body)?;
    check_idle_timeout(state, kind, &body)?;
    let fields = into_object(body)?;
    // Optional, as the vendor's update pages have it; when sent, a stale one
    // is refused or warned about (keys::STALE_MODIFIED).
    let given = fields.get("modified").and_then(Value::as_str).map(str::to_owned);
    if let Some(body_id) = fields.get("id").filter(|v| !v.is_null())
        && body_id.as_str() != Some(id)
    {
        return Err(HubError::bad_request(
            codes::INVALID_VALUE,
            format!("Invalid value of attribute id: {body_id} differs from the id in the path ({id})."),
        )
        .with_detail("$.id", body_id.to_string()));
    }
    let mut store = state.store_mut();
    let current = store
        .get(kind, id)
        .ok_or_else(|| HubError::not_found(&kind.to_string(), id))?;
    let stored_modified = current.get("modified").and_then(Value::as_str);
    if let (Some(stored), Some(given)) = (stored_modified, &given)
        && !same_instant(stored, given)
    {
        state.assume(keys::STALE_MODIFIED, || {
            HubError::bad_request(
                codes::STALE_MODIFIED,
                format!(
                    "The {kind} was changed by someone else: modified is {stored} now, the request carries {given}. Read it again and reapply the change."
                ),
            )
            .with_detail("$.modified", given.clone())
        })?;
    }
    let created = current
        .get("created")
        .cloned()
        .unwrap_or_else(|| Value::String(now_iso()));
    let stored = assemble(id, fields, created, later_than(stored_modified));
    rules::check(&store, kind, &stored, Some(id))?;
    let view = View::with(&store, kind, id, &stored);
    references::check(&view, kind, &stored)?;
    references::check_referrers(&view, &store, kind, id)?;
    save(state, &mut store, kind, id, stored)
}

/// Delete an object, refused while other objects still point at it.
pub fn delete(state: &SandboxState, kind: EntityKind, id: &str) -> HubResult<()> {
    check_id(id)?;
    let mut store = state.store_mut();
    let current = store
        .get(kind, id)
        .ok_or_else(|| HubError::not_found(&kind.to_string(), id))?;
    let users = references::referrers(&store, kind, id);
    if !users.is_empty() {
        let names: Vec<String> = users
            .iter()
            .map(|(k, o)| {
                format!(
                    "{k} '{}' ({})",
                    label(*k, o),
                    o.get("id").and_then(Value::as_str).unwrap_or("?")
                )
            })
            .collect();
        let mut err = HubError::bad_request(
            codes::STILL_REFERENCED,
            format!(
                "{kind} '{}' is still referenced by {}; change or delete those first.",
                label(kind, current),
                names.join(", ")
            ),
        );
        for (k, o) in &users {
            err = err.with_detail(&k.to_string(), o.get("id").and_then(Value::as_str).unwrap_or("?"));
        }
        state.assume(keys::DELETE_REFERENCED, || err)?;
    }
    state
        .db
        .delete_object(id)
        .map_err(|e| HubError::internal(format!("The change was not saved: {e}")))?;
    store.remove(kind, id);
    Ok(())
}

/// One object by id.
pub fn get(state: &SandboxState, kind: EntityKind, id: &str) -> HubResult<Value> {
    check_id(id)?;
    state
        .store()
        .get(kind, id)
        .cloned()
        .ok_or_else(|| HubError::not_found(&kind.to_string(), id))
}

/// One page of a kind, with the total count.
pub fn list(state: &SandboxState, kind: EntityKind, pagenum: usize, pagesize: usize) -> (usize, Vec<Value>) {
    let store = state.store();
    let skip = pagenum.saturating_sub(1).saturating_mul(pagesize);
    (
        store.count(kind),
        store.iter(kind).skip(skip).take(pagesize).cloned().collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::{later_than, same_instant};

    #[test]
    fn modified_moves_past_a_stamp_from_the_same_or_a_later_millisecond() {
        let future = "2999-01-01T00:00:00.000Z";
        assert_eq!(later_than(Some(future)), "2999-01-01T00:00:00.001Z");
        let now = later_than(None);
        assert!(later_than(Some(&now)) > now);
        assert!(later_than(Some("not a time")).as_str() > "2020");
    }

    #[test]
    fn modified_compares_as_instants() {
        assert!(same_instant(
            "2021-03-28T14:29:01.516Z",
            "2021-03-28T14:29:01.516+00:00"
        ));
        assert!(!same_instant("2021-03-28T14:29:01.516Z", "2021-03-28T14:29:01.517Z"));
        assert!(!same_instant("x", "y"));
    }
}
