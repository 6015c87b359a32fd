//! Send-message bodies built from JSON templates. The message schema is
//! partly our best model of the vendor's (x-unverified), so each part is a
//! file in `assets/messages/` that a file of the same name in a user
//! directory replaces, without a rebuild:
//!
//! - `envelope.json`: the request body around the message (`{{message}}`);
//!   the place to add `metadata`.
//! - `first.json` / `followup.json`: who sends and which conversation: a
//!   customer's first message carries the account, customer contact and
//!   entry point; every later one the conversation id.
//! - one file per [`OutgoingKind`] (`text.json`, `typing.start.json`, ...):
//!   what the message is. It is deep-merged over the first/follow-up part.
//!
//! Placeholders are the entity templates' `{{name}}` (see
//! [`crate::templates::placeholder`]); the names are in [`names`]. A string
//! that is exactly one placeholder of a JSON value (`{{attachments}}`,
//! `{{message}}`) becomes that value; one whose optional value is absent
//! (`{{sender.name}}`, `{{contact.subType}}`, `{{text}}` beside attachments)
//! is left out, with any object or array left empty by that.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::api::models::conversation::{AssetRef, ContactPoint, SenderType};
use crate::templates::{Bindings, Origin, TemplateError, placeholders};

/// Placeholder names the message templates may use.
pub mod names {
    pub const MESSAGE_ID: &str = "messageId";
    pub const SENDER_TYPE: &str = "sender.type";
    pub const SENDER_NAME: &str = "sender.name";
    pub const ACCOUNT_ADDRESS: &str = "account.address";
    pub const CHANNEL_TYPE: &str = "channel.type";
    pub const ENTRY_POINT: &str = "entryPoint.id";
    pub const CONTACT_TYPE: &str = "contact.type";
    pub const CONTACT_SUB_TYPE: &str = "contact.subType";
    pub const CONTACT_ADDRESS: &str = "contact.address";
    pub const CONVERSATION_ID: &str = "conversation.id";
    pub const TEXT: &str = "text";
    /// The id of the picked list or quick-reply option.
    pub const ANSWER_ID: &str = "answer.id";
    /// JSON array of `{id, name, contentType, size}` (whole value only).
    pub const ATTACHMENTS: &str = "attachments";
    /// The built message object (whole value only, in `envelope.json`).
    pub const MESSAGE: &str = "message";

    /// Every name, with what it stands for (for error messages).
    pub const ALL: [(&str, &str); 14] = [
        (MESSAGE_ID, "a fresh message id"),
        (SENDER_TYPE, "the role sending"),
        (SENDER_NAME, "the participant name"),
        (ACCOUNT_ADDRESS, "the account address"),
        (CHANNEL_TYPE, "the channel type"),
        (ENTRY_POINT, "the entry point"),
        (CONTACT_TYPE, "the customer contact type"),
        (CONTACT_SUB_TYPE, "the customer contact sub-type"),
        (CONTACT_ADDRESS, "the customer contact address"),
        (CONVERSATION_ID, "the conversation id"),
        (TEXT, "the message text"),
        (ANSWER_ID, "the picked option's id"),
        (ATTACHMENTS, "the attachments"),
        (MESSAGE, "the message"),
    ];

    /// Names whose absence leaves their field out instead of failing.
    pub const OPTIONAL: [&str; 4] = [SENDER_NAME, CONTACT_SUB_TYPE, TEXT, ANSWER_ID];
}

/// A message type the console sends, one template file each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OutgoingKind {
    Text,
    TypingStart,
    TypingEnd,
    ConversationEnd,
    AgentJoin,
    EscalationTransfer,
    /// A message carrying attachments (text optional).
    Attachments,
    /// The customer's pick from a list picker or quick reply.
    Answer,
}

impl OutgoingKind {
    pub const ALL: [OutgoingKind; 8] = [
        OutgoingKind::Text,
        OutgoingKind::TypingStart,
        OutgoingKind::TypingEnd,
        OutgoingKind::ConversationEnd,
        OutgoingKind::AgentJoin,
        OutgoingKind::EscalationTransfer,
        OutgoingKind::Attachments,
        OutgoingKind::Answer,
    ];

    /// `type.value` the shipped template sends.
    pub fn message_type(self) -> &'static str {
        match self {
            OutgoingKind::Text | OutgoingKind::Attachments | OutgoingKind::Answer => "text",
            OutgoingKind::TypingStart => "typing.start",
            OutgoingKind::TypingEnd => "typing.end",
            OutgoingKind::ConversationEnd => "conversation.end",
            OutgoingKind::AgentJoin => "agent.join",
            OutgoingKind::EscalationTransfer => "escalation.transfer",
        }
    }

    /// Template file name, shipped and in the user directory.
    pub fn file_name(self) -> &'static str {
        match self {
            OutgoingKind::Text => "text.json",
            OutgoingKind::TypingStart => "typing.start.json",
            OutgoingKind::TypingEnd => "typing.end.json",
            OutgoingKind::ConversationEnd => "conversation.end.json",
            OutgoingKind::AgentJoin => "agent.join.json",
            OutgoingKind::EscalationTransfer => "escalation.transfer.json",
            OutgoingKind::Attachments => "attachments.json",
            OutgoingKind::Answer => "answer.json",
        }
    }

    /// Whether a customer's message of this kind may open a conversation
    /// (typing or ending one that does not exist yet makes no sense).
    pub fn can_start(self) -> bool {
        matches!(self, OutgoingKind::Text | OutgoingKind::Attachments)
    }

    /// Typing notifications: sent, but not shown as conversation entries.
    pub fn is_typing(self) -> bool {
        matches!(self, OutgoingKind::TypingStart | OutgoingKind::TypingEnd)
    }
}

pub const ENVELOPE_FILE: &str = "envelope.json";
pub const FIRST_FILE: &str = "first.json";
pub const FOLLOWUP_FILE: &str = "followup.json";

/// Every template file name.
pub fn file_names() -> impl Iterator<Item = &'static str> {
    [ENVELOPE_FILE, FIRST_FILE, FOLLOWUP_FILE]
        .into_iter()
        .chain(OutgoingKind::ALL.into_iter().map(OutgoingKind::file_name))
}

fn embedded_text(file: &str) -> Option<&'static str> {
    Some(match file {
        ENVELOPE_FILE => include_str!("../../assets/messages/envelope.json"),
        FIRST_FILE => include_str!("../../assets/messages/first.json"),
        FOLLOWUP_FILE => include_str!("../../assets/messages/followup.json"),
        "text.json" => include_str!("../../assets/messages/text.json"),
        "typing.start.json" => include_str!("../../assets/messages/typing.start.json"),
        "typing.end.json" => include_str!("../../assets/messages/typing.end.json"),
        "conversation.end.json" => include_str!("../../assets/messages/conversation.end.json"),
        "agent.join.json" => include_str!("../../assets/messages/agent.join.json"),
        "escalation.transfer.json" => include_str!("../../assets/messages/escalation.transfer.json"),
        "attachments.json" => include_str!("../../assets/messages/attachments.json"),
        "answer.json" => include_str!("../../assets/messages/answer.json"),
        _ => return None,
    })
}

/// What a message is built from: who sends, where, and what.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageContext {
    /// The role the console acts as.
    pub role: SenderType,
    pub participant_name: Option<String>,
    pub account_address: String,
    pub channel_type: String,
    pub entry_point: Option<String>,
    pub contact: Option<ContactPoint>,
    /// `None`: a customer's first message, which opens the conversation.
    pub conversation_id: Option<String>,
    pub text: Option<String>,
    pub attachments: Vec<AssetRef>,
    /// For [`OutgoingKind::Answer`]: the picked option's id.
    pub answer_id: Option<String>,
}

impl MessageContext {
    /// A context for `role` with nothing else set.
    pub fn new(role: SenderType) -> Self {
        Self {
            role,
            participant_name: None,
            account_address: String::new(),
            channel_type: String::new(),
            entry_point: None,
            contact: None,
            conversation_id: None,
            text: None,
            attachments: Vec::new(),
            answer_id: None,
        }
    }

    /// Placeholder values: only non-empty ones are bound, so an empty field
    /// counts as missing.
    fn bindings(&self) -> Bindings {
        let mut b = Bindings::empty();
        let mut put = |name: &str, value: Option<&str>| {
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                b.set(name, v);
            }
        };
        let message_id = uuid::Uuid::new_v4().to_string();
        put(names::MESSAGE_ID, Some(&message_id));
        put(names::SENDER_TYPE, Some(self.role.as_str()));
        put(names::SENDER_NAME, self.participant_name.as_deref());
        put(names::ACCOUNT_ADDRESS, Some(&self.account_address));
        put(names::CHANNEL_TYPE, Some(&self.channel_type));
        put(names::ENTRY_POINT, self.entry_point.as_deref());
        put(
            names::CONTACT_TYPE,
            self.contact.as_ref().map(|c| c.contact_type.as_str()),
        );
        put(
            names::CONTACT_SUB_TYPE,
            self.contact.as_ref().and_then(|c| c.sub_type.as_deref()),
        );
        put(
            names::CONTACT_ADDRESS,
            self.contact.as_ref().map(|c| c.address.as_str()),
        );
        put(names::CONVERSATION_ID, self.conversation_id.as_deref());
        put(names::TEXT, self.text.as_deref());
        put(names::ANSWER_ID, self.answer_id.as_deref());
        b
    }
}

/// The message templates in use: shipped ones, each possibly replaced by
/// the user's file of the same name.
#[derive(Debug, Clone)]
pub struct MessageTemplates {
    files: BTreeMap<&'static str, (Value, Origin)>,
}

impl MessageTemplates {
    /// The shipped templates only.
    pub fn embedded() -> Self {
        let files = file_names()
            .map(|name| {
                // The shipped files are checked by this module's tests.
                let body = embedded_text(name)
                    .and_then(|t| serde_json::from_str(t).ok())
                    .unwrap_or(Value::Null);
                (name, (body, Origin::Embedded))
            })
            .collect();
        Self { files }
    }

    /// The shipped templates, each replaced by `<user_dir>/<file>` when that
    /// file exists. A missing directory or file is not an error; an
    /// unreadable one or one that is not a JSON object is, naming file and line.
    pub fn load(user_dir: Option<&Path>) -> Result<Self, TemplateError> {
        let mut templates = Self::embedded();
        let Some(dir) = user_dir else {
            return Ok(templates);
        };
        for name in file_names() {
            if let Some((path, body)) = crate::templates::read_override(dir, name)? {
                templates.files.insert(name, (body, Origin::User(path)));
            }
        }
        Ok(templates)
    }

    /// The template body of `file` (one of [`file_names`]), as written.
    pub fn template(&self, file: &str) -> Option<&Value> {
        self.files.get(file).map(|(body, _)| body)
    }

    /// Where `file` came from, so the UI can say which one is in use.
    pub fn origin(&self, file: &str) -> Option<&Origin> {
        self.files.get(file).map(|(_, origin)| origin)
    }

    /// The user files in use.
    pub fn overrides(&self) -> Vec<&PathBuf> {
        self.files
            .values()
            .filter_map(|(_, origin)| match origin {
                Origin::User(path) => Some(path),
                Origin::Embedded => None,
            })
            .collect()
    }

    /// The `POST /conversations/messages` body for one message of `kind`.
    /// Errors say what is missing in words the composer can show.
    pub fn build(&self, kind: OutgoingKind, ctx: &MessageContext) -> Result<Value, String> {
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|t| t.trim().is_empty());
        match kind {
            OutgoingKind::Text | OutgoingKind::Answer if blank(&ctx.text) => return Err("Nothing to send.".into()),
            OutgoingKind::Attachments if ctx.attachments.is_empty() => return Err("No attachment to send.".into()),
            _ => {}
        }
        let context_file = match &ctx.conversation_id {
            Some(_) => FOLLOWUP_FILE,
            None if ctx.role != SenderType::Customer => {
                return Err(format!(
                    "A {} cannot open a conversation; pick one to reply in.",
                    ctx.role
                ));
            }
            None if !kind.can_start() => {
                return Err(format!(
                    "No conversation yet: send a message before {}.",
                    kind.message_type()
                ));
            }
            None => FIRST_FILE,
        };
        let bindings = ctx.bindings();
        let mut values = BTreeMap::new();
        if !ctx.attachments.is_empty() {
            let list = serde_json::to_value(&ctx.attachments).map_err(|e| e.to_string())?;
            values.insert(names::ATTACHMENTS, list);
        }

        let mut message = self.body(context_file)?.clone();
        merge(&mut message, self.body(kind.file_name())?);
        let message = fill(&message, "$", &bindings, &values)
            .map_err(|e| format!("{} + {}: {e}", context_file, kind.file_name()))?
            .unwrap_or(Value::Object(Map::new()));
        values.insert(names::MESSAGE, canonical_order(message));
        fill(self.body(ENVELOPE_FILE)?, "$", &bindings, &values)
            .map_err(|e| format!("{ENVELOPE_FILE}: {e}"))?
            .ok_or_else(|| format!("{ENVELOPE_FILE} is empty"))
    }

    fn body(&self, file: &str) -> Result<&Value, String> {
        self.template(file)
            .filter(|v| v.is_object())
            .ok_or_else(|| format!("message template {file} is missing"))
    }
}

/// `over` merged into `base`: objects member by member, anything else replaced.
fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (k, v) in over {
                match base.get_mut(k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        base.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (base, over) => *base = over.clone(),
    }
}

/// Message members in the order the spec shows them, so the body reads
/// well in the raw editor; members the spec does not list follow.
fn canonical_order(message: Value) -> Value {
    const ORDER: [&str; 6] = ["messageId", "type", "content", "sender", "recipients", "conversation"];
    let Value::Object(mut map) = message else {
        return message;
    };
    let mut out = Map::new();
    for key in ORDER {
        if let Some(v) = map.remove(key) {
            out.insert(key.to_owned(), v);
        }
    }
    out.extend(map);
    Value::Object(out)
}

/// The name of `s` when `s` is exactly one placeholder.
fn whole_placeholder(s: &str) -> Option<String> {
    let inner = s.strip_prefix("{{")?.strip_suffix("}}")?;
    let found = placeholders(&Value::String(s.to_owned()));
    match found.as_slice() {
        [one] if one.name == inner.trim() => Some(one.name.clone()),
        _ => None,
    }
}

fn describe(name: &str) -> String {
    match names::ALL.iter().find(|(n, _)| *n == name) {
        Some((_, what)) => format!("{{{{{name}}}}} ({what}) has no value"),
        None => format!("{{{{{name}}}}} is not a message placeholder"),
    }
}

/// `value` with placeholders filled; `None` when it is to be left out.
fn fill(
    value: &Value,
    path: &str,
    bindings: &Bindings,
    values: &BTreeMap<&str, Value>,
) -> Result<Option<Value>, String> {
    match value {
        Value::String(s) => {
            if let Some(name) = whole_placeholder(s) {
                if let Some(v) = values.get(name.as_str()) {
                    return Ok(Some(v.clone()));
                }
                if bindings.get(&name).is_none() && names::OPTIONAL.contains(&name.as_str()) {
                    return Ok(None);
                }
            }
            // Checked on the template before filling: a value (the user's
            // text) may itself contain braces.
            for found in placeholders(value) {
                if values.contains_key(found.name.as_str()) {
                    return Err(format!("{{{{{}}}}} must be a whole value (at {path})", found.name));
                }
                if bindings.get(&found.name).is_none() {
                    return Err(format!("{} (at {path})", describe(&found.name)));
                }
            }
            Ok(Some(bindings.render(value)))
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                if let Some(v) = fill(item, &format!("{path}[{i}]"), bindings, values)? {
                    out.push(v);
                }
            }
            Ok((out.len() == items.len() || !out.is_empty()).then_some(Value::Array(out)))
        }
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                if let Some(v) = fill(v, &format!("{path}.{k}"), bindings, values)? {
                    out.insert(k.clone(), v);
                }
            }
            Ok((out.len() == map.len() || !out.is_empty()).then_some(Value::Object(out)))
        }
        other => Ok(Some(other.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shipped_templates_are_json_objects() {
        for name in file_names() {
            let text = embedded_text(name).unwrap_or_default();
            let parsed = crate::templates::parse(Path::new(name), text);
            assert!(parsed.is_ok(), "{name}: {parsed:?}");
        }
    }

    #[test]
    fn optional_values_leave_their_field_and_empty_parents_out() {
        let b = Bindings::empty().with("sender.type", "customer");
        let out = fill(
            &json!({"sender": {"type": "{{sender.type}}", "participant": {"name": "{{sender.name}}"}},
                    "kept": {}, "list": ["{{text}}"], "n": 3}),
            "$",
            &b,
            &BTreeMap::new(),
        );
        assert_eq!(
            out,
            Ok(Some(json!({"sender": {"type": "customer"}, "kept": {}, "n": 3})))
        );
    }

    #[test]
    fn missing_required_and_unknown_names_are_errors() {
        let b = Bindings::empty();
        let err = fill(&json!({"c": {"id": "{{conversation.id}}"}}), "$", &b, &BTreeMap::new());
        assert_eq!(
            err,
            Err("{{conversation.id}} (the conversation id) has no value (at $.c.id)".into())
        );
        let err = fill(&json!({"x": "{{convo.id}}"}), "$", &b, &BTreeMap::new());
        assert_eq!(err, Err("{{convo.id}} is not a message placeholder (at $.x)".into()));
        let values = BTreeMap::from([("attachments", json!([]))]);
        let err = fill(&json!({"x": "a {{attachments}}"}), "$", &b, &values);
        assert_eq!(err, Err("{{attachments}} must be a whole value (at $.x)".into()));
    }

    #[test]
    fn braces_in_the_text_survive() {
        let b = Bindings::empty().with("text", "literally {{conversation.id}}");
        let out = fill(&json!({"t": "{{text}}"}), "$", &b, &BTreeMap::new());
        assert_eq!(out, Ok(Some(json!({"t": "literally {{conversation.id}}"}))));
    }
}
