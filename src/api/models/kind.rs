//! The six configuration entity kinds, with the facts both the client and the
//! sandbox need about each: URL segment, list key and schema names.

use std::fmt;

/// A configuration entity kind, in the vendor's setup order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Authentication,
    ClientApplication,
    Participant,
    Channel,
    Orchestration,
    Account,
}

impl EntityKind {
    /// All kinds in setup order (Authentication first, Account last).
    pub const ALL: [EntityKind; 6] = [
        EntityKind::Authentication,
        EntityKind::ClientApplication,
        EntityKind::Participant,
        EntityKind::Channel,
        EntityKind::Orchestration,
        EntityKind::Account,
    ];

    /// Path segment under the API base, e.g. `clientapplications`.
    pub fn segment(self) -> &'static str {
        match self {
            EntityKind::Authentication => "authentications",
            EntityKind::ClientApplication => "clientapplications",
            EntityKind::Participant => "participants",
            EntityKind::Channel => "channels",
            EntityKind::Orchestration => "orchestrations",
            EntityKind::Account => "accounts",
        }
    }

    /// Key of the array in a list response (`channel` is assumed by the spec).
    pub fn list_key(self) -> &'static str {
        match self {
            EntityKind::Authentication => "authentication",
            EntityKind::ClientApplication => "clientApplication",
            EntityKind::Participant => "participant",
            EntityKind::Channel => "channel",
            EntityKind::Orchestration => "orchestration",
            EntityKind::Account => "account",
        }
    }

    /// Schema name of a create body in the OpenAPI file.
    pub fn input_schema(self) -> &'static str {
        match self {
            EntityKind::Authentication => "AuthenticationInput",
            EntityKind::ClientApplication => "ClientApplicationInput",
            EntityKind::Participant => "ParticipantInput",
            EntityKind::Channel => "ChannelInput",
            EntityKind::Orchestration => "OrchestrationInput",
            EntityKind::Account => "AccountInput",
        }
    }

    /// Schema name of a PUT body in the OpenAPI file.
    pub fn update_schema(self) -> &'static str {
        match self {
            EntityKind::Authentication => "AuthenticationUpdate",
            EntityKind::ClientApplication => "ClientApplicationUpdate",
            EntityKind::Participant => "ParticipantUpdate",
            EntityKind::Channel => "ChannelUpdate",
            EntityKind::Orchestration => "OrchestrationUpdate",
            EntityKind::Account => "AccountUpdate",
        }
    }

    /// The field that must be unique per kind (channels are keyed by `type`).
    pub fn unique_field(self) -> &'static str {
        match self {
            EntityKind::Channel => "type",
            _ => "name",
        }
    }

    /// Human label, plural, as shown in lists.
    pub fn plural(self) -> &'static str {
        match self {
            EntityKind::Authentication => "Authentications",
            EntityKind::ClientApplication => "Client Applications",
            EntityKind::Participant => "Participants",
            EntityKind::Channel => "Channels",
            EntityKind::Orchestration => "Orchestrations",
            EntityKind::Account => "Accounts",
        }
    }

    /// Find a kind by its URL segment.
    pub fn from_segment(segment: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.segment() == segment)
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            EntityKind::Authentication => "Authentication",
            EntityKind::ClientApplication => "Client Application",
            EntityKind::Participant => "Participant",
            EntityKind::Channel => "Channel",
            EntityKind::Orchestration => "Orchestration",
            EntityKind::Account => "Account",
        };
        f.write_str(s)
    }
}
