//! The reference graph between configuration objects, read straight from
//! their JSON. The sandbox checks and guards these edges; the console uses
//! them to navigate from an object to what it points at, and back.

use serde_json::Value;

use super::EntityKind;

/// Roles that can host a bot (`bots[].id`).
const BOT_ROLES: &[&str] = &["custom_bot", "egain_bot"];
/// Roles that can take escalations and agent traffic.
const AGENT_ROLES: &[&str] = &["egain_agent", "custom_agent"];
const CUSTOMER_ROLES: &[&str] = &["customer"];

/// One `{id}` pointer inside an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// JSON path of the id, e.g. `$.roles[0].authentication.id`.
    pub path: String,
    pub id: String,
    pub target: EntityKind,
    /// The target (a client application) must play one of these roles; empty: any.
    pub roles: &'static [&'static str],
}

pub(crate) fn id_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

pub(crate) fn items<'a>(v: &'a Value, pointer: &str) -> impl Iterator<Item = (usize, &'a Value)> {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
}

/// Every reference an object of `kind` makes, in document order.
pub fn edges(kind: EntityKind, obj: &Value) -> Vec<Edge> {
    use EntityKind as K;
    let mut out = Vec::new();
    let mut push = |path: String, id: Option<&str>, target: EntityKind, roles: &'static [&'static str]| {
        if let Some(id) = id {
            out.push(Edge {
                path,
                id: id.to_owned(),
                target,
                roles,
            });
        }
    };
    match kind {
        K::Authentication | K::Channel => {}
        K::ClientApplication => {
            for (i, role) in items(obj, "/roles") {
                let path = format!("$.roles[{i}].authentication.id");
                push(path, id_at(role, "/authentication/id"), K::Authentication, &[]);
            }
        }
        K::Participant => push(
            "$.application.id".into(),
            id_at(obj, "/application/id"),
            K::ClientApplication,
            &[],
        ),
        K::Orchestration => {
            for (i, bot) in items(obj, "/applications/botConfiguration/bots") {
                let at = format!("$.applications.botConfiguration.bots[{i}]");
                push(format!("{at}.id"), id_at(bot, "/id"), K::ClientApplication, BOT_ROLES);
                push(
                    format!("{at}.participant.id"),
                    id_at(bot, "/participant/id"),
                    K::Participant,
                    &[],
                );
                push(
                    format!("{at}.onEscalation.agent.id"),
                    id_at(bot, "/onEscalation/agent/id"),
                    K::ClientApplication,
                    AGENT_ROLES,
                );
            }
            push(
                "$.applications.customerConfiguration.customer.id".into(),
                id_at(obj, "/applications/customerConfiguration/customer/id"),
                K::ClientApplication,
                CUSTOMER_ROLES,
            );
            for (i, agent) in items(obj, "/applications/agentConfiguration/agents") {
                let path = format!("$.applications.agentConfiguration.agents[{i}].id");
                push(path, id_at(agent, "/id"), K::ClientApplication, AGENT_ROLES);
            }
        }
        K::Account => {
            push("$.channel.id".into(), id_at(obj, "/channel/id"), K::Channel, &[]);
            push(
                "$.chatConfigurations.orchestration.id".into(),
                id_at(obj, "/chatConfigurations/orchestration/id"),
                K::Orchestration,
                &[],
            );
        }
    }
    out
}

/// The value of an object's unique field (name, or type for channels).
pub fn label(kind: EntityKind, obj: &Value) -> &str {
    obj.get(kind.unique_field()).and_then(Value::as_str).unwrap_or("?")
}
