//! Messages, conversations and the send-message envelope. Parts of this
//! shape are the spec's best model (x-unverified), so every struct keeps
//! unknown fields and callers may also send raw JSON.

use serde::{Deserialize, Serialize};

use super::common::{Extra, IdRef, NameValue};
use crate::string_enum;

string_enum!(
    /// Client application type of a conversation party.
    SenderType {
        Customer => "customer",
        EgainAgent => "egain_agent",
        CustomAgent => "custom_agent",
        EgainBot => "egain_bot",
        CustomBot => "custom_bot",
    }
);

impl SenderType {
    pub fn is_agent(&self) -> bool {
        matches!(self, SenderType::EgainAgent | SenderType::CustomAgent)
    }
    pub fn is_bot(&self) -> bool {
        matches!(self, SenderType::EgainBot | SenderType::CustomBot)
    }
}

/// `type: { value: "text" }`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MessageTypeRef {
    pub value: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One attachment reference in a message (assumed shape).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetRef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `attachments: { attachment: [...] }` wrapper.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Attachments {
    #[serde(default)]
    pub attachment: Vec<AssetRef>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Body of a message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MessageContent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redact: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Attachments>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Participant details of a party.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PartyParticipant {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A sender or recipient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Party {
    #[serde(rename = "type")]
    pub party_type: SenderType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant: Option<PartyParticipant>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Party {
    pub fn new(party_type: SenderType) -> Self {
        Self {
            party_type,
            participant: None,
            extra: Extra::new(),
        }
    }
    pub fn named(party_type: SenderType, name: impl Into<String>) -> Self {
        Self {
            party_type,
            participant: Some(PartyParticipant {
                name: Some(name.into()),
                ..Default::default()
            }),
            extra: Extra::new(),
        }
    }
}

/// `recipients: { recipient: [...] }` wrapper.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Recipients {
    #[serde(default)]
    pub recipient: Vec<Party>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A customer contact point.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactPoint {
    #[serde(rename = "type")]
    pub contact_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_type: Option<String>,
    pub address: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `contacts: { contact: [...] }` wrapper.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Contacts {
    #[serde(default)]
    pub contact: Vec<ContactPoint>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The customer of a conversation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Customer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub customer_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<NameValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Contacts>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `channel: { type }` as messages and assets carry it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChannelTypeRef {
    #[serde(rename = "type")]
    pub channel_type: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The account a conversation runs on, by address and channel type.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AccountRef {
    pub address: String,
    pub channel: ChannelTypeRef,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Conversation context carried by a message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<Customer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<IdRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_contact: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A message as sent, stored or delivered. One shape serves all three
/// because they differ only in which optional fields are present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Hub-side id (stored and delivered messages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Sender-side id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(rename = "type")]
    pub message_type: MessageTypeRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<MessageContent>,
    pub sender: Party,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipients: Option<Recipients>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<ConversationRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Message {
    /// A message of `message_type` from `sender` with optional text.
    pub fn new(message_type: &str, sender: Party, text: Option<String>) -> Self {
        Self {
            id: None,
            message_id: Some(uuid::Uuid::new_v4().to_string()),
            message_type: MessageTypeRef {
                value: message_type.to_owned(),
                extra: Extra::new(),
            },
            content: text.map(|t| MessageContent {
                text: Some(t),
                ..Default::default()
            }),
            sender,
            recipients: None,
            conversation: None,
            status: None,
            created: None,
            sent: None,
            extra: Extra::new(),
        }
    }

    pub fn kind(&self) -> &str {
        &self.message_type.value
    }

    pub fn text(&self) -> Option<&str> {
        self.content.as_ref().and_then(|c| c.text.as_deref())
    }

    pub fn conversation_id(&self) -> Option<&str> {
        self.conversation.as_ref().and_then(|c| c.id.as_deref())
    }

    pub fn attachments(&self) -> &[AssetRef] {
        self.content
            .as_ref()
            .and_then(|c| c.attachments.as_ref())
            .map(|a| a.attachment.as_slice())
            .unwrap_or_default()
    }
}

/// `messages: { message: [...] }` wrapper.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MessageList {
    #[serde(default)]
    pub message: Vec<Message>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Free name/value data sent along with messages.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Metadata {
    #[serde(default)]
    pub attributes: Vec<NameValue>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Body of `POST /conversations/messages`, and (assumed) of callbacks.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MessageEnvelope {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    pub messages: MessageList,
    #[serde(flatten)]
    pub extra: Extra,
}

impl MessageEnvelope {
    pub fn single(message: Message) -> Self {
        Self {
            metadata: None,
            messages: MessageList {
                message: vec![message],
                extra: Extra::new(),
            },
            extra: Extra::new(),
        }
    }
}

/// One entry of the 202 answer to send message (assumed shape).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AcceptedMessage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<IdRef>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{ messages: { message: [...] } }` answer to send message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SendMessageResponse {
    #[serde(default)]
    pub messages: AcceptedList,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Wrapper of [`AcceptedMessage`]s.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AcceptedList {
    #[serde(default)]
    pub message: Vec<AcceptedMessage>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl SendMessageResponse {
    /// Conversation id the hub assigned, if it echoed one.
    pub fn conversation_id(&self) -> Option<&str> {
        self.messages
            .message
            .iter()
            .find_map(|m| m.conversation.as_ref().map(|c| c.id.as_str()))
    }
}

/// Transcript of a conversation (`GET /conversations/{id}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<IdRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<Customer>,
    #[serde(default)]
    pub messages: MessageList,
    #[serde(flatten)]
    pub extra: Extra,
}
