//! Typed configuration objects. Every struct carries `extra` so fields the
//! console does not model survive a get -> edit -> PUT round trip, and every
//! optional field is skipped when absent so a PUT sends back what it got.

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::common::{Extra, IdRef, NameValue};
use super::kind::EntityKind;
use crate::string_enum;

/// What the client needs to treat a model as a configuration object.
pub trait Entity: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {
    const KIND: EntityKind;
    fn id(&self) -> Option<&str>;
    /// Value of the kind's unique field (name, or type for channels).
    fn label(&self) -> &str;
}

macro_rules! entity {
    ($ty:ident, $kind:ident, $label:ident) => {
        impl Entity for $ty {
            const KIND: EntityKind = EntityKind::$kind;
            fn id(&self) -> Option<&str> {
                self.meta.id.as_deref()
            }
            fn label(&self) -> &str {
                &self.$label
            }
        }
    };
}

/// Server-managed fields of every stored object.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Meta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

string_enum!(
    /// How the hub authenticates to a callback.
    AuthType { OAuth2 => "oauth2", Basic => "basic" }
);

string_enum!(
    /// Role a client application plays in conversations.
    RoleName {
        Customer => "customer",
        CustomBot => "custom_bot",
        EgainBot => "egain_bot",
        EgainAgent => "egain_agent",
        CustomAgent => "custom_agent",
        BusinessNotification => "business_notification",
    }
);

string_enum!(
    /// Callback payload format.
    RoleVersion { V1 => "v1", V3 => "v3" }
);

string_enum!(
    /// Bot kind of a participant.
    ParticipantType { CustomBot => "custom_bot", EgainBot => "egain_bot" }
);

string_enum!(
    /// Whether an attachment policy's extensions are an allow- or block-list.
    PolicyType { Allow => "allow", Block => "block" }
);

string_enum!(
    /// What an account does when no agent is available.
    AgentUnavailability { OffHours => "off_hours", RetainAndRetry => "retain_and_retry" }
);

/// How the hub fetches a bearer token for a callback.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuth2Settings {
    /// Required only in strict mode (the vendor's create example omits it).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub token_request_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<NameValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_path: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// HTTP Basic credentials for a callback.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BasicAuthSettings {
    pub username: String,
    pub password: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Callback authentication (setup step 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authentication {
    #[serde(flatten)]
    pub meta: Meta,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(rename = "type")]
    pub auth_type: AuthType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth2: Option<OAuth2Settings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_auth: Option<BasicAuthSettings>,
    #[serde(flatten)]
    pub extra: Extra,
}
entity!(Authentication, Authentication, name);

/// One role of a client application: where the hub delivers that role's messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    pub name: RoleName,
    pub version: RoleVersion,
    pub callback: String,
    #[serde(default)]
    pub notification_email: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<NameValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<IdRef>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An external application with per-role callbacks (setup step 2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientApplication {
    #[serde(flatten)]
    pub meta: Meta,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default)]
    pub roles: Vec<Role>,
    #[serde(flatten)]
    pub extra: Extra,
}
entity!(ClientApplication, ClientApplication, name);

impl ClientApplication {
    pub fn role(&self, name: &RoleName) -> Option<&Role> {
        self.roles.iter().find(|r| &r.name == name)
    }
}

/// An intent a bot handles.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Intent {
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_value: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `intents: { intent: [...] }` wrapper.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Intents {
    #[serde(default)]
    pub intent: Vec<Intent>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A bot registered under a client application (setup step 3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    #[serde(flatten)]
    pub meta: Meta,
    pub name: String,
    #[serde(rename = "type")]
    pub participant_type: ParticipantType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    pub application: IdRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intents: Option<Intents>,
    #[serde(flatten)]
    pub extra: Extra,
}
entity!(Participant, Participant, name);

/// Attachment rules for one direction of a channel.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_size: Option<u64>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub policy_type: Option<PolicyType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl AttachmentPolicy {
    /// Why a file of this name and size may not travel under this policy, if it may not.
    pub fn refusal(&self, file_name: &str, size: u64) -> Option<String> {
        if self.enabled == Some(false) {
            return Some("attachments are disabled on this channel".into());
        }
        if let Some(max) = self.max_size
            && size > max
        {
            return Some(format!("{size} bytes is over the channel's limit of {max} bytes"));
        }
        let ext = file_name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        let listed = self
            .extensions
            .iter()
            .any(|e| e.trim_start_matches('.').eq_ignore_ascii_case(&ext));
        match &self.policy_type {
            Some(PolicyType::Allow) if !self.extensions.is_empty() && !listed => {
                Some(format!("extension .{ext} is not in the channel's allow-list"))
            }
            Some(PolicyType::Block) if listed => Some(format!("extension .{ext} is blocked by the channel")),
            _ => None,
        }
    }
}

/// Limits on one direction of a channel.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectionRestrictions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_text_length: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_policy: Option<AttachmentPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_messages: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mid_chat_auth: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rich_message_types: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl DirectionRestrictions {
    /// With no feature list given, every capability is allowed.
    pub fn has_feature(&self, feature: &str) -> bool {
        self.features.as_ref().is_none_or(|f| f.iter().any(|x| x == feature))
    }
}

/// Inbound and outbound restrictions of a channel.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Restrictions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbound: Option<DirectionRestrictions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound: Option<DirectionRestrictions>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Localised system texts for one language.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct L10nProperties {
    pub language: String,
    #[serde(default)]
    pub properties: Vec<NameValue>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A channel definition (setup step 4). Messages and assets name it by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    #[serde(flatten)]
    pub meta: Meta,
    #[serde(rename = "type")]
    pub channel_type: String,
    pub display_name: String,
    pub icon: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrictions: Option<Restrictions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l10n_properties: Option<Vec<L10nProperties>>,
    #[serde(flatten)]
    pub extra: Extra,
}
entity!(Channel, Channel, channel_type);

/// A bot entry of an orchestration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BotEntry {
    /// Client application (bot role) hosting the bot.
    pub id: String,
    pub participant: IdRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_escalation: Option<OnEscalation>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Where a bot escalates to.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OnEscalation {
    pub agent: IdRef,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Bot part of an orchestration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BotConfiguration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward_transcript: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bypass_va_duration: Option<serde_json::Number>,
    #[serde(default)]
    pub bots: Vec<BotEntry>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Customer part of an orchestration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CustomerConfiguration {
    pub customer: IdRef,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Agent part of an orchestration (no-bot flow).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AgentConfiguration {
    #[serde(default)]
    pub agents: Vec<IdRef>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Which client applications take part in an orchestration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Applications {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_configuration: Option<BotConfiguration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_configuration: Option<CustomerConfiguration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_configuration: Option<AgentConfiguration>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Routing between customer, bots and agents (setup step 5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Orchestration {
    #[serde(flatten)]
    pub meta: Meta,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default)]
    pub applications: Applications,
    #[serde(flatten)]
    pub extra: Extra,
}
entity!(Orchestration, Orchestration, name);

/// Case handling of an account.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseManagement {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_case_duration: Option<serde_json::Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_custom_attributes: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Chat behaviour of an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatConfigurations {
    /// Idle minutes after the last message before the conversation ends
    /// (optional on the vendor's account page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<serde_json::Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_agent_unavailability: Option<AgentUnavailability>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_logout_with_open_chats: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_queue_transfer_on_agent_unavailability: Option<bool>,
    pub orchestration: IdRef,
    pub entry_point: IdRef,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A business address on a channel bound to an orchestration (setup step 6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    #[serde(flatten)]
    pub meta: Meta,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    pub address: String,
    pub channel: IdRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_management: Option<CaseManagement>,
    pub chat_configurations: ChatConfigurations,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<NameValue>>,
    #[serde(flatten)]
    pub extra: Extra,
}
entity!(Account, Account, name);
