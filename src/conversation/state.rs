//! The conversations the console takes part in, as the UI shows them:
//! entries (messages and system events, ours and theirs, with send status),
//! the other side's typing, closed flag and unread count. Fed by the
//! callback receiver ([`Conversations::ingest_inbound`]) and by the send
//! path ([`Conversations::record_outgoing`], then `mark_sent`/`mark_failed`).
//!
//! A conversation is seen through one role: when the console acts as both
//! customer and agent of the same conversation, each role has its own view
//! (each gets its own deliveries). Memory is bounded per conversation: past
//! the cap the oldest entries go, counted in [`Conversation::dropped`].

use std::collections::{HashMap, HashSet, VecDeque};

use super::rich::{Rich, is_rich_type};
use super::templates::{MessageContext, OutgoingKind};
use crate::api::models::conversation::{
    AccountRef, AssetRef, ChannelTypeRef, Message, MessageEnvelope, SendMessageResponse, SenderType,
};

/// Entries kept per conversation unless configured otherwise.
pub const DEFAULT_CAP: usize = 10_000;

/// The caller's id for one send, used to find it again when the answer comes.
pub type LocalId = u64;

/// A stable reference to a conversation, valid while the conversation is
/// kept (its hub id may arrive later; the handle does not change).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Handle(u64);

/// Where a message stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Ours, request in flight.
    Sending,
    /// Ours, accepted by the hub (202).
    Sent,
    /// Ours, refused or not delivered: the error to show.
    Failed(String),
    /// Theirs, delivered to our callback.
    Received,
}

/// System events, shown as distinct (dim) lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    AgentJoin,
    EscalationTransfer,
    ConversationEnd,
    Error,
    ConversationState,
}

impl EventKind {
    pub fn from_type(message_type: &str) -> Option<EventKind> {
        Some(match message_type {
            "agent.join" => EventKind::AgentJoin,
            "escalation.transfer" => EventKind::EscalationTransfer,
            "conversation.end" => EventKind::ConversationEnd,
            "error" => EventKind::Error,
            "conversation.state" => EventKind::ConversationState,
            _ => return None,
        })
    }
}

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// Text, rich content and/or attachments.
    Message,
    Event(EventKind),
    /// A type the console does not handle, recorded so nothing vanishes.
    Unhandled,
}

/// One line (or block) of a conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub kind: EntryKind,
    /// `type.value` as sent or received.
    pub message_type: String,
    pub sender: SenderType,
    pub sender_name: Option<String>,
    /// Sent by the console.
    pub mine: bool,
    /// ISO 8601: the hub's `created` for theirs, the send time for ours.
    pub time: Option<String>,
    pub text: Option<String>,
    /// Parsed rich content of `richMessage.*` messages.
    pub rich: Option<Rich>,
    pub attachments: Vec<AssetRef>,
    pub status: Status,
    /// Hub-side message id, once known.
    pub hub_id: Option<String>,
    pub local_id: Option<LocalId>,
}

/// Who is typing on the other side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typing {
    pub sender: SenderType,
    pub name: Option<String>,
}

/// One conversation as one role sees it.
#[derive(Debug, Clone)]
pub struct Conversation {
    handle: Handle,
    id: Option<String>,
    role: SenderType,
    account: Option<AccountRef>,
    entries: VecDeque<Entry>,
    dropped: u64,
    typing: Option<Typing>,
    closed: bool,
    unread: usize,
    /// Hub ids of the kept entries, for dropping redelivered callbacks.
    seen: HashSet<String>,
    revision: u64,
}

impl Conversation {
    fn new(handle: Handle, id: Option<String>, role: SenderType, account: Option<AccountRef>) -> Self {
        Self {
            handle,
            id,
            role,
            account,
            entries: VecDeque::new(),
            dropped: 0,
            typing: None,
            closed: false,
            unread: 0,
            seen: HashSet::new(),
            revision: 0,
        }
    }

    pub fn handle(&self) -> Handle {
        self.handle
    }

    /// The hub's id; `None` while the first message awaits its answer.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// Waiting for the hub to assign an id (the composer should hold further
    /// sends, which would open a second conversation).
    pub fn is_pending(&self) -> bool {
        self.id.is_none()
    }

    /// The role the console acts as here.
    pub fn role(&self) -> &SenderType {
        &self.role
    }

    pub fn account(&self) -> Option<&AccountRef> {
        self.account.as_ref()
    }

    /// Entries, oldest first.
    pub fn entries(&self) -> &VecDeque<Entry> {
        &self.entries
    }

    /// Entries dropped from the front to honour the cap.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The other side is typing.
    pub fn typing(&self) -> Option<&Typing> {
        self.typing.as_ref()
    }

    pub fn is_closed(&self) -> bool {
        self.closed
    }

    pub fn unread(&self) -> usize {
        self.unread
    }

    /// Changes with every change, so a view can cache its layout.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Our entry sent as `local_id`.
    pub fn by_local_id(&self, local_id: LocalId) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.local_id == Some(local_id))
    }

    fn push(&mut self, entry: Entry, cap: usize) {
        if let Some(id) = &entry.hub_id {
            self.seen.insert(id.clone());
        }
        self.entries.push_back(entry);
        self.trim(cap);
        self.revision += 1;
    }

    fn trim(&mut self, cap: usize) {
        while self.entries.len() > cap.max(1) {
            if let Some(old) = self.entries.pop_front() {
                if let Some(id) = &old.hub_id {
                    self.seen.remove(id);
                }
                self.dropped += 1;
            }
        }
    }

    fn entry_mut(&mut self, local_id: LocalId) -> Option<&mut Entry> {
        self.entries.iter_mut().rev().find(|e| e.local_id == Some(local_id))
    }
}

/// What [`Conversations::ingest_inbound`] did with a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingest {
    /// A new entry in this conversation.
    Added(Handle),
    /// Already had it (a redelivery): nothing changed.
    Duplicate(Handle),
    /// typing.start/typing.end: the typing state changed.
    Typing(Handle),
    /// The message names no conversation: not kept (the request log has it).
    NoConversation,
}

/// What a failed send leaves for the composer to take back.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedSend {
    pub handle: Handle,
    pub kind: EntryKind,
    pub text: Option<String>,
    pub attachments: Vec<AssetRef>,
}

/// Every conversation the console takes part in, in the order they began.
#[derive(Debug, Clone)]
pub struct Conversations {
    list: Vec<Conversation>,
    viewed: Option<Handle>,
    cap: usize,
    next_handle: u64,
    /// Sends awaiting their answer, by local id.
    in_flight: HashMap<LocalId, Handle>,
    /// Conversations (hub id, role) ended elsewhere before any delivery
    /// of theirs was kept here: one that arrives later opens them closed.
    ended_elsewhere: HashSet<(String, SenderType)>,
}

impl Default for Conversations {
    fn default() -> Self {
        Self::new()
    }
}

impl Conversations {
    pub fn new() -> Self {
        Self::with_cap(DEFAULT_CAP)
    }

    /// At most `cap` entries (at least 1) per conversation.
    pub fn with_cap(cap: usize) -> Self {
        Self {
            list: Vec::new(),
            viewed: None,
            cap: cap.max(1),
            next_handle: 0,
            in_flight: HashMap::new(),
            ended_elsewhere: HashSet::new(),
        }
    }

    pub fn cap(&self) -> usize {
        self.cap
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Conversation> {
        self.list.iter()
    }

    pub fn get(&self, handle: Handle) -> Option<&Conversation> {
        self.list.iter().find(|c| c.handle == handle)
    }

    /// The conversation with hub id `id`, as `role` sees it.
    pub fn find(&self, id: &str, role: &SenderType) -> Option<&Conversation> {
        self.list
            .iter()
            .find(|c| c.id.as_deref() == Some(id) && c.role == *role)
    }

    /// The conversation `role` is opening on this account, if one awaits its id.
    pub fn pending(&self, role: &SenderType, address: &str, channel_type: &str) -> Option<&Conversation> {
        self.list
            .iter()
            .find(|c| c.id.is_none() && c.role == *role && same_account(c.account.as_ref(), address, channel_type))
    }

    /// Show `handle`: its unread count clears, and inbound entries to it
    /// stop counting as unread.
    pub fn view(&mut self, handle: Handle) {
        self.viewed = Some(handle);
        if let Some(c) = self.get_mut(handle) {
            c.unread = 0;
            c.revision += 1;
        }
    }

    /// No conversation is shown (another pane has the focus).
    pub fn unview(&mut self) {
        self.viewed = None;
    }

    pub fn viewed(&self) -> Option<Handle> {
        self.viewed
    }

    pub fn total_unread(&self) -> usize {
        self.list.iter().map(|c| c.unread).sum()
    }

    /// Conversation `id` as `role` sees it was ended elsewhere (by a
    /// scenario run on the console's client, which holds its own sends): it
    /// is closed here too, now or when its first delivery arrives.
    pub fn close(&mut self, id: &str, role: &SenderType) {
        let handle = self.find(id, role).map(|c| c.handle);
        match handle.and_then(|h| self.get_mut(h)) {
            Some(c) => {
                c.closed = true;
                c.typing = None;
                c.revision += 1;
            }
            None => {
                self.ended_elsewhere.insert((id.to_owned(), role.clone()));
            }
        }
    }

    /// Stop keeping a conversation (closing its tab).
    pub fn forget(&mut self, handle: Handle) -> bool {
        let before = self.list.len();
        self.list.retain(|c| c.handle != handle);
        self.in_flight.retain(|_, h| *h != handle);
        if self.viewed == Some(handle) {
            self.viewed = None;
        }
        self.list.len() != before
    }

    /// Take in a conversation held elsewhere (a scenario run's, with its
    /// sends). It replaces the one with the same hub id and role, which
    /// holds only what the receiver saw; messages that one has and the
    /// adopted one lacks (arrived after the run) are kept at its end. Local
    /// ids are renumbered from `next_local` so they never clash with ours.
    pub fn adopt(&mut self, mut conversation: Conversation, next_local: &mut LocalId) -> Handle {
        for entry in conversation.entries.iter_mut() {
            if entry.local_id.is_some() {
                entry.local_id = Some(*next_local);
                *next_local += 1;
            }
        }
        let existing = conversation
            .id
            .as_deref()
            .and_then(|id| self.find(id, &conversation.role))
            .map(|c| c.handle);
        let handle = existing.unwrap_or_else(|| {
            let handle = Handle(self.next_handle);
            self.next_handle += 1;
            handle
        });
        conversation.handle = handle;
        let cap = self.cap;
        match self.index(handle) {
            Some(i) => {
                let old = std::mem::replace(&mut self.list[i], conversation);
                let adopted = &mut self.list[i];
                for entry in old.entries {
                    let later = !entry.mine && entry.hub_id.as_ref().is_some_and(|id| !adopted.seen.contains(id));
                    if later {
                        adopted.push(entry, cap);
                    }
                }
                adopted.closed |= old.closed;
            }
            None => self.list.push(conversation),
        }
        if let Some(c) = self.get_mut(handle) {
            c.trim(cap);
            c.revision += 1;
        }
        handle
    }

    /// Every message of an envelope delivered to `role`'s callback.
    pub fn ingest_envelope(&mut self, role: &SenderType, envelope: &MessageEnvelope) -> Vec<Ingest> {
        envelope
            .messages
            .message
            .iter()
            .map(|m| self.ingest_inbound(role, m))
            .collect()
    }

    /// One message delivered to `role`'s callback, routed by its
    /// `conversation.id` (a conversation not seen yet is added).
    pub fn ingest_inbound(&mut self, role: &SenderType, message: &Message) -> Ingest {
        let Some(id) = message.conversation_id().filter(|id| !id.is_empty()) else {
            return Ingest::NoConversation;
        };
        let account = message.conversation.as_ref().and_then(|c| c.account.clone());
        let handle = self.find_or_add(Some(id), role, account);
        let viewed = self.viewed == Some(handle);
        let cap = self.cap;
        let Some(conversation) = self.get_mut(handle) else {
            return Ingest::NoConversation;
        };
        if conversation.account.is_none() {
            conversation.account = message.conversation.as_ref().and_then(|c| c.account.clone());
        }
        match message.kind() {
            "typing.start" => {
                conversation.typing = Some(Typing {
                    sender: message.sender.party_type.clone(),
                    name: participant_name(message),
                });
                conversation.revision += 1;
                return Ingest::Typing(handle);
            }
            "typing.end" => {
                conversation.typing = None;
                conversation.revision += 1;
                return Ingest::Typing(handle);
            }
            _ => {}
        }
        if let Some(hub_id) = &message.id
            && conversation.seen.contains(hub_id)
        {
            return Ingest::Duplicate(handle);
        }
        let entry = inbound_entry(message);
        if entry.kind == EntryKind::Event(EventKind::ConversationEnd) {
            conversation.closed = true;
        }
        if entry.kind != EntryKind::Unhandled {
            conversation.typing = None;
            if !viewed {
                conversation.unread += 1;
            }
        }
        conversation.push(entry, cap);
        Ingest::Added(handle)
    }

    /// A send of `kind` built from `ctx` has started. Typing notifications
    /// are not recorded (`None`). A customer's first message goes to the
    /// pending conversation of its account, created if needed.
    pub fn record_outgoing(&mut self, local_id: LocalId, kind: OutgoingKind, ctx: &MessageContext) -> Option<Handle> {
        if kind.is_typing() {
            return None;
        }
        let account = (!ctx.account_address.is_empty()).then(|| AccountRef {
            address: ctx.account_address.clone(),
            channel: ChannelTypeRef {
                channel_type: ctx.channel_type.clone(),
                extra: Default::default(),
            },
            extra: Default::default(),
        });
        let entry = Entry {
            kind: EventKind::from_type(kind.message_type())
                .map(EntryKind::Event)
                .unwrap_or(EntryKind::Message),
            message_type: kind.message_type().to_owned(),
            sender: ctx.role.clone(),
            sender_name: ctx.participant_name.clone(),
            mine: true,
            time: Some(now()),
            text: ctx.text.clone().filter(|t| !t.is_empty()),
            rich: None,
            attachments: ctx.attachments.clone(),
            status: Status::Sending,
            hub_id: None,
            local_id: Some(local_id),
        };
        Some(self.record(local_id, &ctx.role, ctx.conversation_id.as_deref(), account, entry))
    }

    /// A send of an exact message (the raw editor's body) has started.
    /// Typing notifications are not recorded (`None`).
    pub fn record_outgoing_message(&mut self, local_id: LocalId, message: &Message) -> Option<Handle> {
        if message.kind().starts_with("typing.") {
            return None;
        }
        let mut entry = inbound_entry(message);
        entry.mine = true;
        entry.status = Status::Sending;
        entry.time = Some(now());
        entry.hub_id = None;
        entry.local_id = Some(local_id);
        let account = message.conversation.as_ref().and_then(|c| c.account.clone());
        let role = message.sender.party_type.clone();
        Some(self.record(local_id, &role, message.conversation_id(), account, entry))
    }

    fn record(
        &mut self,
        local_id: LocalId,
        role: &SenderType,
        id: Option<&str>,
        account: Option<AccountRef>,
        entry: Entry,
    ) -> Handle {
        let handle = self.find_or_add(id, role, account);
        let cap = self.cap;
        if let Some(c) = self.get_mut(handle) {
            c.push(entry, cap);
        }
        self.in_flight.insert(local_id, handle);
        handle
    }

    /// The hub accepted send `local_id` (202). A pending conversation takes
    /// the id the answer names, merging with one already opened by early
    /// callbacks under that id; a sent `conversation.end` closes it.
    pub fn mark_sent(&mut self, local_id: LocalId, response: &SendMessageResponse) -> Option<Handle> {
        let mut handle = self.in_flight.remove(&local_id)?;
        let accepted_id = response.messages.message.first().and_then(|m| m.id.clone());
        let assigned = response
            .conversation_id()
            .filter(|id| !id.is_empty())
            .map(str::to_owned);
        if let Some(new_id) = assigned {
            handle = self.assign(handle, local_id, &new_id)?;
        }
        let conversation = self.get_mut(handle)?;
        let entry = conversation.entry_mut(local_id)?;
        entry.status = Status::Sent;
        let ends = entry.kind == EntryKind::Event(EventKind::ConversationEnd);
        if let Some(id) = accepted_id {
            entry.hub_id = Some(id.clone());
            conversation.seen.insert(id);
        }
        if ends {
            conversation.closed = true;
            conversation.typing = None;
        }
        conversation.revision += 1;
        Some(handle)
    }

    /// Send `local_id` failed: the entry keeps its text and shows `error`;
    /// the text and attachments come back for the composer.
    pub fn mark_failed(&mut self, local_id: LocalId, error: impl Into<String>) -> Option<FailedSend> {
        let handle = self.in_flight.remove(&local_id)?;
        let conversation = self.get_mut(handle)?;
        let entry = conversation.entry_mut(local_id)?;
        entry.status = Status::Failed(error.into());
        let failed = FailedSend {
            handle,
            kind: entry.kind,
            text: entry.text.clone(),
            attachments: entry.attachments.clone(),
        };
        conversation.revision += 1;
        Some(failed)
    }

    /// Send a failed entry of `handle` again as `new_local_id`: it shows as
    /// sending in its place (nothing is duplicated or reordered).
    pub fn retry(&mut self, handle: Handle, old_local_id: LocalId, new_local_id: LocalId) -> bool {
        let Some(conversation) = self.get_mut(handle) else {
            return false;
        };
        let Some(entry) = conversation.entry_mut(old_local_id) else {
            return false;
        };
        if !matches!(entry.status, Status::Failed(_)) {
            return false;
        }
        entry.status = Status::Sending;
        entry.local_id = Some(new_local_id);
        conversation.revision += 1;
        self.in_flight.insert(new_local_id, handle);
        true
    }

    /// Give the conversation holding send `local_id` the hub id `id`.
    fn assign(&mut self, handle: Handle, local_id: LocalId, id: &str) -> Option<Handle> {
        let index = self.index(handle)?;
        let role = self.list[index].role.clone();
        match self.list[index].id.as_deref() {
            Some(current) if current == id => Some(handle),
            None => {
                // Callbacks may beat the 202: they opened the conversation
                // under its id already. Ours were sent first, so they lead.
                let early = self
                    .list
                    .iter()
                    .position(|c| c.handle != handle && c.role == role && c.id.as_deref() == Some(id));
                if let Some(early) = early {
                    let other = self.list.remove(early);
                    let index = self.index(handle)?;
                    let cap = self.cap;
                    let ours = &mut self.list[index];
                    ours.entries.extend(other.entries);
                    ours.seen.extend(other.seen);
                    ours.dropped += other.dropped;
                    ours.unread += other.unread;
                    ours.closed |= other.closed;
                    ours.typing = other.typing;
                    if ours.account.is_none() {
                        ours.account = other.account;
                    }
                    ours.trim(cap);
                    if self.viewed == Some(other.handle) {
                        self.viewed = Some(handle);
                    }
                    // What arrives in the conversation on screen is read.
                    if self.viewed == Some(handle)
                        && let Some(ours) = self.get_mut(handle)
                    {
                        ours.unread = 0;
                    }
                    for h in self.in_flight.values_mut() {
                        if *h == other.handle {
                            *h = handle;
                        }
                    }
                }
                let index = self.index(handle)?;
                self.list[index].id = Some(id.to_owned());
                Some(handle)
            }
            Some(_) => {
                // The hub put this message in another conversation: move it there.
                let entry_index = self.list[index]
                    .entries
                    .iter()
                    .rposition(|e| e.local_id == Some(local_id))?;
                let entry = self.list[index].entries.remove(entry_index)?;
                let account = self.list[index].account.clone();
                self.list[index].revision += 1;
                let target = self.find_or_add(Some(id), &role, account);
                let cap = self.cap;
                self.get_mut(target)?.push(entry, cap);
                Some(target)
            }
        }
    }

    fn find_or_add(&mut self, id: Option<&str>, role: &SenderType, account: Option<AccountRef>) -> Handle {
        let found = match id {
            Some(id) => self.find(id, role),
            None => {
                let (address, channel) = account
                    .as_ref()
                    .map(|a| (a.address.as_str(), a.channel.channel_type.as_str()))
                    .unwrap_or_default();
                self.pending(role, address, channel)
            }
        };
        if let Some(c) = found {
            return c.handle;
        }
        let handle = Handle(self.next_handle);
        self.next_handle += 1;
        let mut conversation = Conversation::new(handle, id.map(str::to_owned), role.clone(), account);
        conversation.closed = id.is_some_and(|id| self.ended_elsewhere.remove(&(id.to_owned(), role.clone())));
        self.list.push(conversation);
        handle
    }

    fn index(&self, handle: Handle) -> Option<usize> {
        self.list.iter().position(|c| c.handle == handle)
    }

    fn get_mut(&mut self, handle: Handle) -> Option<&mut Conversation> {
        self.list.iter_mut().find(|c| c.handle == handle)
    }
}

fn same_account(account: Option<&AccountRef>, address: &str, channel_type: &str) -> bool {
    match account {
        Some(a) => a.address == address && a.channel.channel_type == channel_type,
        None => address.is_empty(),
    }
}

fn participant_name(message: &Message) -> Option<String> {
    message.sender.participant.as_ref().and_then(|p| p.name.clone())
}

/// The entry for a received message (types other than typing).
fn inbound_entry(message: &Message) -> Entry {
    let message_type = message.kind();
    let text = message.text().map(str::to_owned);
    let rich = match (&text, is_rich_type(message_type)) {
        (Some(t), true) => Some(Rich::parse(message_type, t)),
        _ => None,
    };
    let kind = if let Some(event) = EventKind::from_type(message_type) {
        EntryKind::Event(event)
    } else if message_type == "text" || rich.is_some() || !message.attachments().is_empty() {
        EntryKind::Message
    } else {
        EntryKind::Unhandled
    };
    Entry {
        kind,
        message_type: message_type.to_owned(),
        sender: message.sender.party_type.clone(),
        sender_name: participant_name(message),
        mine: false,
        time: message.created.clone().or_else(|| message.sent.clone()),
        text,
        rich,
        attachments: message.attachments().to_vec(),
        status: Status::Received,
        hub_id: message.id.clone(),
        local_id: None,
    }
}

fn now() -> String {
    format!("{:.3}", jiff::Timestamp::now())
}
