//! The send path shared by `POST /conversations/messages` and the built-in
//! counterparties: validate the envelope, check who may send what, start or
//! find the conversation, pick the recipients by the account's orchestration,
//! record the messages and queue their deliveries.
//!
//! An envelope is all-or-nothing: messages are applied to staged copies of
//! the conversations and committed only when every message was accepted.

use serde_json::Value;

use std::sync::Arc;

use super::conversation::{ConversationState, Stage, Target, idle_timeout};
use super::{Live, Slot, delivery};
use crate::api::models::common::{Extra, IdRef};
use crate::api::models::conversation::{
    AcceptedList, AcceptedMessage, AccountRef, ChannelTypeRef, ConversationRef, Message, MessageEnvelope, Recipients,
    SendMessageResponse, SenderType,
};
use crate::api::models::{Account, Channel, ClientApplication, EntityKind, Orchestration, Participant, RoleName};
use crate::sandbox::SharedState;
use crate::sandbox::clock::now_iso;
use crate::sandbox::db::ConversationWrite;
use crate::sandbox::error::{HubError, HubResult, codes};
use crate::sandbox::fidelity::keys;
use crate::sandbox::store::Store;

const BOT_ROLES: [RoleName; 2] = [RoleName::CustomBot, RoleName::EgainBot];
const AGENT_ROLES: [RoleName; 2] = [RoleName::EgainAgent, RoleName::CustomAgent];

/// One conversation an envelope touches: a working copy of its header and
/// the messages to append, applied only when the whole envelope is accepted.
struct Staged {
    /// `None` for a conversation this envelope starts.
    slot: Option<Slot>,
    state: ConversationState,
    new_messages: Vec<(u64, String)>,
    deadline_before: Option<tokio::time::Instant>,
}

/// Accept an envelope (raw JSON) from any party; answer what the 202 carries.
///
/// Only the conversations the envelope names are locked (in id order, so
/// two envelopes cannot deadlock), and only while it is applied; the
/// transcript is appended row by row, never copied.
pub fn submit(state: &SharedState, body: Value) -> HubResult<SendMessageResponse> {
    let spec = &state.config.spec;
    let violations = spec.validate("SendMessageRequest", &body);
    if !violations.is_empty() {
        return Err(HubError::from_violations(&violations));
    }
    let mut body = body;
    precheck_context(state, &mut body)?;
    let envelope: MessageEnvelope = serde_json::from_value(body)
        .map_err(|e| HubError::bad_request(codes::INVALID_VALUE, format!("Invalid request body: {e}")))?;
    let metadata = envelope.metadata;

    // The existing conversations named, locked in id order.
    let mut named: Vec<String> = envelope
        .messages
        .message
        .iter()
        .filter_map(|m| m.conversation_id().map(str::to_owned))
        .collect();
    named.sort();
    named.dedup();
    let mut slots = Vec::with_capacity(named.len());
    for id in &named {
        match state.hub.slot(id) {
            Some(slot) => slots.push((id.clone(), slot)),
            None => return Err(unknown_or_closed(state, id)),
        }
    }
    let mut guards: Vec<(String, Slot, std::sync::MutexGuard<'_, Live>)> = Vec::with_capacity(slots.len());
    for (id, slot) in &slots {
        let guard = slot.lock().unwrap_or_else(|e| e.into_inner());
        guards.push((id.clone(), slot.clone(), guard));
    }
    let mut staged: Vec<Staged> = guards
        .iter()
        .map(|(_, slot, guard)| Staged {
            slot: Some(slot.clone()),
            deadline_before: guard.state.deadline,
            state: guard.state.clone(),
            new_messages: Vec::new(),
        })
        .collect();

    let mut outbox: Vec<(usize, Message, u64, Vec<Target>)> = Vec::new();
    let mut accepted = Vec::new();
    let mut assets = Vec::new();
    // A conversation started by this envelope: later customer messages in it join.
    let mut started: Option<usize> = None;

    for (index, message) in envelope.messages.message.into_iter().enumerate() {
        let at = format!("$.messages.message[{index}]");
        check_sender(spec.document(), &message)?;
        let is_customer = message.sender.party_type == SenderType::Customer;
        let slot = match (message.conversation_id(), started) {
            (Some(id), _) => staged
                .iter()
                .position(|c| c.state.id == id)
                .ok_or_else(|| unknown_or_closed(state, id))?,
            (None, Some(slot)) if is_customer => slot,
            (None, None) if is_customer => {
                let conversation = start(state, &message, &at)?;
                staged.push(Staged {
                    slot: None,
                    state: conversation,
                    new_messages: Vec::new(),
                    deadline_before: None,
                });
                started = Some(staged.len() - 1);
                staged.len() - 1
            }
            (None, _) => return Err(missing("conversation.id", &format!("{at}.conversation.id"))),
        };
        let conversation = &mut staged[slot].state;
        if !conversation.open {
            return Err(HubError::bad_request(
                codes::MESSAGE_REFUSED,
                format!("Conversation {} is closed; start a new one.", conversation.id),
            ));
        }
        check_content(&state.store(), conversation, &message, &at)?;
        for attachment in message.attachments() {
            state.assets.check_usable(&attachment.id)?;
            assets.push(attachment.id.clone());
        }

        let (targets, effect) = route(conversation, &message)?;
        let now = now_iso();
        let stored = record(message, conversation, &targets, &now);
        let seq = conversation.message_count;
        conversation.message_count += 1;
        conversation.touch(&now);
        match effect {
            Effect::None => {}
            Effect::Escalate(agent) => {
                conversation.handler = agent;
                conversation.stage = Stage::Agent;
            }
            Effect::End => conversation.close(&now),
        }
        accepted.push(AcceptedMessage {
            id: stored.id.clone(),
            message_id: stored.message_id.clone(),
            conversation: Some(IdRef::new(conversation.id.clone())),
            extra: Extra::new(),
        });
        let text = serde_json::to_string(&stored).map_err(|e| HubError::internal(e.to_string()))?;
        staged[slot].new_messages.push((seq, text));
        outbox.push((slot, stored, seq, targets));
    }

    // The deliveries, in acceptance order, written with the messages.
    let mut jobs: Vec<(usize, Vec<delivery::Job>)> = outbox
        .iter()
        .map(|(slot, message, seq, targets)| {
            let context = &staged[*slot].state.context;
            (
                *slot,
                delivery::prepare(context, message, *seq, targets, metadata.as_ref()),
            )
        })
        .collect();
    let rows: Vec<&crate::sandbox::db::OutboxRow> = jobs
        .iter()
        .flat_map(|(_, j)| j.iter().map(delivery::Job::row))
        .collect();

    // Persist first: nothing is acknowledged that a crash could lose.
    let mut writes = Vec::with_capacity(staged.len());
    for s in &staged {
        let header = serde_json::to_string(&s.state).map_err(|e| HubError::internal(e.to_string()))?;
        writes.push(ConversationWrite {
            id: &s.state.id,
            open: s.state.open,
            header,
            messages: s.new_messages.clone(),
        });
    }
    let ids = state
        .db
        .commit_send(&writes, &assets, &rows)
        .map_err(|e| HubError::internal(format!("The messages were not saved: {e}")))?;
    drop(rows);
    drop(writes);
    delivery::set_rows(jobs.iter_mut().flat_map(|(_, j)| j.iter_mut()), &ids);
    state.assets.mark_used(&assets);

    // Apply. A conversation this envelope started becomes visible before
    // its first delivery (whose recipient may answer at once); nobody else
    // knows its id yet, so nobody can race for it.
    let fresh: Vec<Option<Slot>> = staged
        .iter()
        .map(|s| {
            s.slot.is_none().then(|| {
                Arc::new(std::sync::Mutex::new(Live {
                    state: s.state.clone(),
                    queue: None,
                }))
            })
        })
        .collect();
    for (s, slot) in staged.iter().zip(&fresh) {
        if let Some(slot) = slot
            && s.state.open
        {
            super::lock(&state.hub.inner)
                .conversations
                .insert(s.state.id.clone(), slot.clone());
        }
    }
    // Deliveries in acceptance order, each under its conversation's lock.
    for (slot, jobs) in jobs {
        let s = &staged[slot];
        match &fresh[slot] {
            Some(fresh) => {
                let mut live = super::lock(fresh);
                live.state = s.state.clone();
                delivery::enqueue(state, &mut live, jobs);
            }
            None => {
                let index = guards
                    .iter()
                    .position(|(id, _, _)| *id == s.state.id)
                    .ok_or_else(|| HubError::internal("a locked conversation vanished"))?;
                let live = &mut guards[index].2;
                live.state = s.state.clone();
                delivery::enqueue(state, live, jobs);
            }
        }
    }
    for (s, slot) in staged.iter().zip(&fresh) {
        state.hub.reschedule(&s.state.id, s.deadline_before, s.state.deadline);
        if s.state.open {
            continue;
        }
        // Closed: out of memory (the database keeps it); its worker drains
        // what is queued, then ends.
        super::lock(&state.hub.inner).conversations.remove(&s.state.id);
        match slot {
            Some(slot) => super::lock(slot).queue = None,
            None => {
                if let Some((_, _, guard)) = guards.iter_mut().find(|(id, _, _)| *id == s.state.id) {
                    guard.queue = None;
                }
            }
        }
    }
    drop(guards);
    state.hub.activity.notify_one();
    state.hub.changed();
    Ok(SendMessageResponse {
        messages: AcceptedList {
            message: accepted,
            extra: Extra::new(),
        },
        extra: Extra::new(),
    })
}

/// A conversation that is not open: closed (in the database) or unknown.
/// The vendor documents 202/400/401/403/500 for send message, no 404: both
/// are refused messages (400-151).
fn unknown_or_closed(state: &SharedState, id: &str) -> HubError {
    match state.db.conversation(id) {
        Ok(Some(_)) => refused(format!("Conversation {id} is closed; start a new one.")),
        Ok(None) => refused(format!(
            "Conversation {id} does not exist; start a new one with a customer message."
        )),
        Err(e) => HubError::internal(e),
    }
}

/// 400-143 naming the attribute, with its full path as detail.
fn missing(attribute: &str, path: &str) -> HubError {
    HubError::bad_request(
        codes::REQUIRED_MISSING,
        format!("Required attribute is missing in the request body: {attribute}"),
    )
    .with_detail(path, "required")
}

fn refused(message: impl Into<String>) -> HubError {
    HubError::bad_request(codes::MESSAGE_REFUSED, message)
}

fn bad_reference(message: impl Into<String>) -> HubError {
    HubError::bad_request(codes::BAD_REFERENCE, message)
}

/// Context fields the schema leaves optional but the hub needs whole when
/// their parent is present (checked on the raw JSON so the answer is 400-143
/// naming the attribute rather than a parse error). An account is needed to
/// route; an entry point without its id is dropped unless
/// [`keys::SEND_CONTEXT`] is `error`.
fn precheck_context(state: &SharedState, body: &mut Value) -> HubResult<()> {
    let Some(messages) = body.pointer_mut("/messages/message").and_then(Value::as_array_mut) else {
        return Ok(());
    };
    for (index, message) in messages.iter_mut().enumerate() {
        let Some(conversation) = message.get_mut("conversation") else {
            continue;
        };
        let at = format!("$.messages.message[{index}].conversation");
        if let Some(account) = conversation.get("account") {
            if account.get("address").and_then(Value::as_str).is_none() {
                return Err(missing("address", &format!("{at}.account.address")));
            }
            if account.pointer("/channel/type").and_then(Value::as_str).is_none() {
                return Err(missing("channel.type", &format!("{at}.account.channel.type")));
            }
        }
        if let Some(entry_point) = conversation.get("entryPoint")
            && entry_point.get("id").and_then(Value::as_str).is_none()
        {
            state.assume(keys::SEND_CONTEXT, || {
                missing("entryPoint.id", &format!("{at}.entryPoint.id"))
            })?;
            if let Some(context) = conversation.as_object_mut() {
                context.remove("entryPoint");
            }
        }
    }
    Ok(())
}

/// The sender type may send the message type, per the spec's
/// `MessageType.x-allowed-senders` (so a user-supplied spec changes the rule).
/// Types the table does not list are not restricted.
fn check_sender(spec: &Value, message: &Message) -> HubResult<()> {
    let sender = message.sender.party_type.as_str();
    let allowed = spec
        .pointer("/components/schemas/MessageType/x-allowed-senders")
        .and_then(|table| table.get(message.kind()))
        .and_then(Value::as_array);
    match allowed {
        Some(list) if !list.iter().any(|s| s.as_str() == Some(sender)) => Err(refused(format!(
            "A {sender} may not send {} messages (allowed: {}).",
            message.kind(),
            list.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")
        ))),
        _ => Ok(()),
    }
}

/// A customer's first message: find the account by address and channel
/// type, and route by its orchestration (first bot, else first agent).
fn start(state: &SharedState, message: &Message, at: &str) -> HubResult<ConversationState> {
    let context = message.conversation.as_ref();
    let account_ref = context
        .and_then(|c| c.account.as_ref())
        .ok_or_else(|| missing("account", &format!("{at}.conversation.account")))?;
    let contacts = context
        .and_then(|c| c.customer.as_ref())
        .and_then(|c| c.contacts.as_ref())
        .map(|c| c.contact.as_slice())
        .unwrap_or_default();
    let contact = contacts.first();
    if contact.is_none() {
        state.assume(keys::SEND_CONTEXT, || {
            missing("contact", &format!("{at}.conversation.customer.contacts.contact"))
        })?;
    }
    let entry_point = context.and_then(|c| c.entry_point.clone());
    if entry_point.is_none() {
        state.assume(keys::SEND_CONTEXT, || {
            missing("entryPoint.id", &format!("{at}.conversation.entryPoint.id"))
        })?;
    }

    let store = state.store();
    let address = &account_ref.address;
    let channel_type = &account_ref.channel.channel_type;
    // Two index lookups, whatever the size of the store.
    let channel: Option<Channel> = store
        .by_label(EntityKind::Channel, channel_type)
        .and_then(|v| serde_json::from_value(v.clone()).ok());
    let account: Option<Account> = channel
        .as_ref()
        .and_then(|c| c.meta.id.as_deref())
        .and_then(|channel_id| store.account_at(address, channel_id))
        .and_then(|v| serde_json::from_value(v.clone()).ok());
    let (Some(channel), Some(account)) = (channel, account) else {
        return Err(bad_reference(format!(
            "No account with address {address:?} on channel type {channel_type:?}."
        )));
    };
    if account.active == Some(false) {
        return Err(bad_reference(format!("Account {:?} is inactive.", account.name)));
    }
    let chat = &account.chat_configurations;
    let orchestration = store
        .get_typed::<Orchestration>(&chat.orchestration.id)
        .ok_or_else(|| {
            bad_reference(format!(
                "Account {:?} uses orchestration {}, which does not exist.",
                account.name, chat.orchestration.id
            ))
        })?;
    let apps = &orchestration.applications;
    let first_agent = apps
        .agent_configuration
        .as_ref()
        .and_then(|a| a.agents.first())
        .map(|a| a.id.clone());
    let first_bot = apps.bot_configuration.as_ref().and_then(|b| b.bots.first());
    let (handler, stage) = if let Some(bot) = first_bot {
        let participant = store.get_typed::<Participant>(&bot.participant.id);
        let mut roles: Vec<RoleName> = participant
            .as_ref()
            .map(|p| {
                p.participant_type
                    .as_str()
                    .parse()
                    .unwrap_or_else(|never| match never {})
            })
            .into_iter()
            .collect();
        roles.extend(BOT_ROLES);
        let mut target = role_target(&store, &bot.id, &roles)?;
        target.participant = participant.map(|p| p.name);
        let agent = bot
            .on_escalation
            .as_ref()
            .map(|e| e.agent.id.clone())
            .or_else(|| first_agent.clone());
        let escalation = match agent {
            Some(id) => role_target(&store, &id, &AGENT_ROLES).map_err(|e| e.body.developer_message),
            None => Err(format!(
                "Orchestration {:?} names no agent to escalate to.",
                orchestration.name
            )),
        };
        (target, Stage::Bot { escalation })
    } else if let Some(agent) = first_agent {
        (role_target(&store, &agent, &AGENT_ROLES)?, Stage::Agent)
    } else {
        return Err(bad_reference(format!(
            "Orchestration {:?} has neither bots nor agents.",
            orchestration.name
        )));
    };
    let customer = Target {
        app: apps.customer_configuration.as_ref().map(|c| c.customer.id.clone()),
        role: RoleName::Customer,
        participant: None,
    };

    let id = uuid::Uuid::new_v4().to_string();
    let now = now_iso();
    let conversation_contact = contact.map(|contact| match &contact.sub_type {
        Some(sub) => format!("{}.{sub}", contact.contact_type),
        None => contact.contact_type.clone(),
    });
    Ok(ConversationState {
        id: id.clone(),
        context: ConversationRef {
            id: Some(id.clone()),
            account: Some(AccountRef {
                address: address.clone(),
                channel: ChannelTypeRef {
                    channel_type: channel_type.clone(),
                    extra: Extra::new(),
                },
                extra: Extra::new(),
            }),
            customer: context.and_then(|c| c.customer.clone()),
            entry_point,
            conversation_contact,
            extra: Extra::new(),
        },
        channel_id: channel.meta.id.clone().unwrap_or_default(),
        customer,
        handler,
        stage,
        open: true,
        created: now.clone(),
        closed: None,
        last_activity: now,
        idle_timeout: chat.timeout.as_ref().and_then(idle_timeout),
        deadline: None,
        message_count: 0,
        agent_joined: false,
    })
}

/// The first of `roles` that the client application has.
fn role_target(store: &Store, app_id: &str, roles: &[RoleName]) -> HubResult<Target> {
    let app = store.get_typed::<ClientApplication>(app_id).ok_or_else(|| {
        bad_reference(format!(
            "Client application {app_id} named by the orchestration does not exist."
        ))
    })?;
    let role = roles.iter().find(|r| app.role(r).is_some()).ok_or_else(|| {
        let names: Vec<&str> = roles.iter().map(RoleName::as_str).collect();
        bad_reference(format!(
            "Client application {:?} has no {} role.",
            app.name,
            names.join(" or ")
        ))
    })?;
    Ok(Target {
        app: Some(app_id.to_owned()),
        role: role.clone(),
        participant: None,
    })
}

/// Text must be present on `text` messages (unless attachments carry the
/// message) and fit the channel's limit for its direction: inbound for the
/// customer, outbound for bots and agents.
fn check_content(store: &Store, conversation: &ConversationState, message: &Message, at: &str) -> HubResult<()> {
    if message.kind() == "text" && message.text().is_none() && message.attachments().is_empty() {
        return Err(missing("text", &format!("{at}.content.text")));
    }
    let Some(text) = message.text() else {
        return Ok(());
    };
    let inbound = message.sender.party_type == SenderType::Customer;
    // Read the one number from the stored JSON: parsing the whole channel
    // (its icon may be 500 KB) on every message would cost more than the message.
    let direction = if inbound { "inbound" } else { "outbound" };
    let limit = store
        .get(EntityKind::Channel, &conversation.channel_id)
        .and_then(|c| c.pointer(&format!("/restrictions/{direction}/maxTextLength")))
        .and_then(serde_json::Value::as_u64);
    let length = text.chars().count() as u64;
    match limit {
        Some(max) if length > max => Err(HubError::bad_request(
            codes::INVALID_VALUE,
            format!(
                "Text is {length} characters; the channel allows {max} {}.",
                if inbound { "inbound" } else { "outbound" }
            ),
        )
        .with_detail(&format!("{at}.content.text"), format!("at most {max} characters"))),
        _ => Ok(()),
    }
}

/// What accepting a message does to the conversation.
enum Effect {
    None,
    Escalate(Target),
    End,
}

/// Recipients of a message and its effect: the customer's messages go to
/// the current handler; everything a bot or agent sends goes to the
/// customer; a bot's escalation goes to the agent too and hands over.
fn route(conversation: &ConversationState, message: &Message) -> HubResult<(Vec<Target>, Effect)> {
    let end = message.kind() == "conversation.end";
    let effect = if end { Effect::End } else { Effect::None };
    let sender = &message.sender.party_type;
    if *sender == SenderType::Customer {
        return Ok((vec![conversation.handler.clone()], effect));
    }
    if message.kind() == "escalation.transfer"
        && sender.is_bot()
        && let Stage::Bot { escalation } = &conversation.stage
    {
        let agent = escalation
            .clone()
            .map_err(|why| refused(format!("Cannot escalate: {why}")))?;
        return Ok((
            vec![agent.clone(), conversation.customer.clone()],
            Effect::Escalate(agent),
        ));
    }
    Ok((vec![conversation.customer.clone()], effect))
}

/// The message as stored: hub id, sender-side id, recipients, status and
/// timestamps; no per-delivery context. A bot or agent that names itself
/// becomes the name recipients see for that handler.
pub(super) fn record(
    mut message: Message,
    conversation: &mut ConversationState,
    targets: &[Target],
    now: &str,
) -> Message {
    message.id = Some(uuid::Uuid::new_v4().to_string());
    message
        .message_id
        .get_or_insert_with(|| uuid::Uuid::new_v4().to_string());
    let handler = &mut conversation.handler;
    if message.sender.party_type.as_str() == handler.role.as_str() {
        let named = message.sender.participant.as_ref().and_then(|p| p.name.clone());
        match named {
            Some(name) => handler.participant = Some(name),
            None => {
                if let Some(name) = &handler.participant {
                    message.sender.participant.get_or_insert_with(Default::default).name = Some(name.clone());
                }
            }
        }
    }
    message.recipients = Some(Recipients {
        recipient: targets.iter().map(Target::party).collect(),
        extra: Extra::new(),
    });
    message.conversation = None;
    message.status = Some("queued".into());
    message.created = Some(now.to_owned());
    message.sent = None;
    message
}
