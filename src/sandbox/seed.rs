//! The demo seed: one working object of each kind, wired together so a first
//! message on the demo account reaches the built-in bot, escalates to an
//! agent and replies reach the customer side. Built through
//! [`entities::create_without_schema`]: every rule a client's create meets,
//! except the schema check, which a test makes instead (so a start need not
//! parse the OpenAPI document).

use serde_json::{Value, json};

use super::entities;
use super::{SandboxState, SharedState};
use crate::api::models::EntityKind;

pub const DEMO_AUTH_NAME: &str = "demo-callback-auth";
pub const DEMO_AUTH_USERNAME: &str = "console";
pub const DEMO_APP_NAME: &str = "Demo Application";
pub const DEMO_NOTIFICATION_EMAIL: &str = "ops@example.com";
pub const DEMO_BOT_NAME: &str = "Demo Bot";
pub const DEMO_CHANNEL_TYPE: &str = "custom.demo";
pub const DEMO_CHANNEL_DISPLAY_NAME: &str = "Demo Chat";
pub const DEMO_ORCHESTRATION_NAME: &str = "Demo Orchestration";
pub const DEMO_ACCOUNT_NAME: &str = "Demo Account";
pub const DEMO_ADDRESS: &str = "demo@sandbox.local";
pub const DEMO_ENTRY_POINT: &str = "1001";
pub const DEMO_LANGUAGE: &str = "en-US";

/// Built-in counterparties on the sandbox root (served by the hub module).
pub const BUILTIN_BOT_PATH: &str = "/sandbox/bot";
pub const BUILTIN_AGENT_PATH: &str = "/sandbox/agent";
pub const BUILTIN_CUSTOMER_INBOX_PATH: &str = "/sandbox/inbox/customer";

/// A 32x32 PNG (teal speech dot), base64: what eGain chat expects as a channel icon.
pub const DEMO_ICON_PNG_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAAAc0lEQVR42u3XQQoAIAgEwJ7uz+vcwah0dSOFbsEOFaStPVUifWulhEIw1nATwiv8CuEdfoRAhW8h0OFLRFS4ilA2WusRwOKoYIAJEX3/BTgBuN55AeoR8gKYP6OPAOkNCUVLRtGUUrTlFIMJxWhGMZyCawDJ52x7wZXyoQAAAABJRU5ErkJggg==";

/// Callback URLs of the demo application's three roles.
struct Callbacks {
    customer: String,
    bot: String,
    agent: String,
}

impl Callbacks {
    /// The bot is always the built-in one; customer and agent traffic goes to
    /// the console's receiver when one is configured, else to the sandbox.
    fn for_state(state: &SandboxState) -> Self {
        let root = &state.urls.root;
        let bot = format!("{root}{BUILTIN_BOT_PATH}");
        match state.config.hub.demo_callback_base.as_deref() {
            Some(base) => {
                let base = base.trim_end_matches('/');
                let agent = match state.config.hub.demo_agent {
                    super::hub::DemoAgent::Console => format!("{base}/agent"),
                    super::hub::DemoAgent::Simulated => format!("{root}{BUILTIN_AGENT_PATH}"),
                };
                Self {
                    customer: format!("{base}/customer"),
                    bot,
                    agent,
                }
            }
            None => Self {
                customer: format!("{root}{BUILTIN_CUSTOMER_INBOX_PATH}"),
                bot,
                agent: format!("{root}{BUILTIN_AGENT_PATH}"),
            },
        }
    }
}

fn create(state: &SandboxState, kind: EntityKind, body: Value) -> Result<String, String> {
    entities::create_without_schema(state, kind, body)
        .map_err(|e| format!("demo seed: creating the {kind} failed: {e}"))
}

fn role(name: &str, callback: &str, auth: &str) -> Value {
    json!({
        "name": name,
        "version": "v3",
        "callback": callback,
        "notificationEmail": DEMO_NOTIFICATION_EMAIL,
        "headers": [{"name": "X-Demo", "value": "sandbox"}],
        "authentication": {"id": auth},
    })
}

/// Create the demo objects in setup order.
pub fn seed_demo(state: &SharedState) -> Result<(), String> {
    let state: &SandboxState = state;
    let urls = Callbacks::for_state(state);
    let (username, password) = match &state.config.hub.demo_callback_auth {
        Some((username, password)) => (username.clone(), password.clone()),
        None => (
            DEMO_AUTH_USERNAME.to_owned(),
            format!("demo-{}", uuid::Uuid::new_v4().simple()),
        ),
    };
    let auth = create(
        state,
        EntityKind::Authentication,
        json!({
            "name": DEMO_AUTH_NAME,
            "description": "Basic auth the sandbox uses on the demo callbacks",
            "type": "basic",
            "basicAuth": {
                "username": username,
                "password": password,
            },
        }),
    )?;
    let app = create(
        state,
        EntityKind::ClientApplication,
        json!({
            "name": DEMO_APP_NAME,
            "description": "Customer side, built-in bot and agent of the sandbox demo",
            "roles": [
                role("customer", &urls.customer, &auth),
                role("custom_bot", &urls.bot, &auth),
                role("custom_agent", &urls.agent, &auth),
            ],
        }),
    )?;
    let bot = create(
        state,
        EntityKind::Participant,
        json!({
            "name": DEMO_BOT_NAME,
            "type": "custom_bot",
            "description": "The sandbox's built-in bot",
            "application": {"id": app},
            "intents": {"intent": [
                {"value": "order_status", "displayValue": "Order status"},
                {"value": "talk_to_agent", "displayValue": "Talk to an agent"},
            ]},
        }),
    )?;
    let channel = create(
        state,
        EntityKind::Channel,
        json!({
            "type": DEMO_CHANNEL_TYPE,
            "displayName": DEMO_CHANNEL_DISPLAY_NAME,
            "icon": DEMO_ICON_PNG_BASE64,
            "description": "Custom channel of the sandbox demo",
            "restrictions": {
                "inbound": {
                    "maxTextLength": 2000,
                    "features": ["typing_events", "attachments", "richText"],
                    "attachmentPolicy": {
                        "enabled": true,
                        "maxSize": 10_485_760,
                        "type": "allow",
                        "extensions": ["jpg", "jpeg", "png", "pdf", "txt"],
                    },
                },
                "outbound": {
                    "maxTextLength": 2000,
                    "systemMessages": true,
                    "midChatAuth": false,
                    "features": ["typing_events", "attachments", "richText"],
                    "richMessageTypes": ["listpicker", "quickreply", "richlink"],
                    "attachmentPolicy": {
                        "enabled": true,
                        "maxSize": 10_485_760,
                        "type": "allow",
                        "extensions": ["jpg", "jpeg", "png", "pdf", "txt"],
                    },
                },
            },
            "l10nProperties": [{
                "language": DEMO_LANGUAGE,
                "properties": [
                    {"name": "msg_hub_off_hours", "value": "We are closed right now. Please try again later."},
                    {"name": "msg_hub_retain_and_retry", "value": "All agents are busy; we will answer as soon as one is free."},
                ],
            }],
        }),
    )?;
    let orchestration = create(
        state,
        EntityKind::Orchestration,
        json!({
            "name": DEMO_ORCHESTRATION_NAME,
            "description": "Bot first, then the agent on escalation",
            "applications": {
                "botConfiguration": {
                    "forwardTranscript": true,
                    "bots": [{
                        "id": app,
                        "participant": {"id": bot},
                        "onEscalation": {"agent": {"id": app}},
                    }],
                },
                "customerConfiguration": {"customer": {"id": app}},
            },
        }),
    )?;
    create(
        state,
        EntityKind::Account,
        json!({
            "name": DEMO_ACCOUNT_NAME,
            "description": "Demo business address on the demo channel",
            "address": DEMO_ADDRESS,
            "channel": {"id": channel},
            "chatConfigurations": {
                "timeout": 30,
                "defaultLanguage": DEMO_LANGUAGE,
                "onAgentUnavailability": "off_hours",
                "allowLogoutWithOpenChats": false,
                "allowQueueTransferOnAgentUnavailability": false,
                "orchestration": {"id": orchestration},
                "entryPoint": {"id": DEMO_ENTRY_POINT},
            },
        }),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::{SandboxConfig, Seed, start};

    /// What the seed skips at start: every seeded object, less the fields the
    /// server assigns, is a valid create body for its kind.
    #[tokio::test]
    async fn every_seeded_object_passes_the_schema_check() {
        let sandbox = start(SandboxConfig {
            seed: Seed::Demo,
            ..SandboxConfig::default()
        })
        .await
        .expect("sandbox");
        let spec = crate::schema::Spec::embedded();
        let store = sandbox.state.store();
        let mut seen = 0;
        for kind in EntityKind::ALL {
            for object in store.iter(kind) {
                let mut body = object.clone();
                if let Some(fields) = body.as_object_mut() {
                    for key in ["id", "created", "modified"] {
                        fields.remove(key);
                    }
                }
                let violations = spec.validate(kind.input_schema(), &body);
                assert!(violations.is_empty(), "{kind}: {violations:?}");
                seen += 1;
            }
        }
        assert!(
            seen >= EntityKind::ALL.len(),
            "one object of each kind at least, saw {seen}"
        );
    }
}
