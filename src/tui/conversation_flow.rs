//! How the console takes part in conversations: composing and sending as a
//! role, typing events, answering rich messages, attachments, transcripts
//! and inbound deliveries. Called from `update`; no I/O here either.

use crossterm::event::KeyEvent;

use crate::api::models::{AssetRef, Channel, ContactPoint, SenderType};
use crate::callback::Inbound;
use crate::conversation::rich::answer_text;
use crate::conversation::state::{EntryKind, Status};
use crate::conversation::templates::{MessageContext, OutgoingKind};

use super::action::Action;
use super::app::App;
use super::effect::Effect;
use super::modal::{Confirm, Modal, Pending, Pick, PickPurpose, Prompt, PromptPurpose};
use super::msg::Msg;
use super::panes::conversation::{Target, Upload};

/// The roles the console can act as in a conversation.
pub const ROLES: [SenderType; 3] = [SenderType::Customer, SenderType::CustomAgent, SenderType::CustomBot];

fn error(app: &mut App, text: impl Into<String>) {
    app.status.error = Some(text.into());
}

fn notice(app: &mut App, text: impl Into<String>) {
    app.status.notice = Some(text.into());
}

/// The channel object of a channel type, from the loaded list.
fn channel(app: &App, channel_type: &str) -> Option<Channel> {
    app.entities
        .list(crate::api::models::EntityKind::Channel)
        .items
        .iter()
        .find(|v| v.get("type").and_then(|t| t.as_str()) == Some(channel_type))
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// A customer sends inbound (to the business); bots and agents outbound.
fn restrictions(channel: &Channel, role: &SenderType) -> Option<crate::api::models::DirectionRestrictions> {
    let r = channel.restrictions.as_ref()?;
    if *role == SenderType::Customer {
        r.inbound.clone()
    } else {
        r.outbound.clone()
    }
}

/// The context the next message of the viewed (or new) conversation is built from.
fn context(app: &App, text: Option<String>) -> Result<MessageContext, String> {
    let pane = &app.conversation;
    if let Some(conv) = pane.viewed() {
        if conv.is_closed() {
            return Err("this conversation has ended: n starts a new one".into());
        }
        if conv.is_pending() {
            if conv.entries().iter().any(|e| e.status == Status::Sending) {
                return Err("waiting for the hub to name the conversation (its first message is in flight)".into());
            }
            // Its opening message failed: the next one opens it again, on the
            // same account (the target below, when it is still that account).
            let same = |t: &Target| {
                conv.account()
                    .is_some_and(|a| a.address == t.address && a.channel.channel_type == t.channel_type)
            };
            if !pane.target.as_ref().is_some_and(same) || pane.role != SenderType::Customer {
                return Err("this conversation never opened: n starts a new one".into());
            }
        } else {
            let mut ctx = MessageContext::new(conv.role().clone());
            if let Some(account) = conv.account() {
                ctx.account_address = account.address.clone();
                ctx.channel_type = account.channel.channel_type.clone();
            }
            ctx.conversation_id = conv.id().map(str::to_owned);
            ctx.participant_name = participant_name(conv.role());
            ctx.text = text;
            return Ok(ctx);
        }
    }
    let Some(target) = &pane.target else {
        return Err("no conversation yet: n picks an account and the role to act as".into());
    };
    if pane.role != SenderType::Customer {
        return Err(format!(
            "as {} you answer conversations the hub routes to this console; none is open yet",
            pane.role
        ));
    }
    let mut ctx = MessageContext::new(SenderType::Customer);
    ctx.account_address = target.address.clone();
    ctx.channel_type = target.channel_type.clone();
    ctx.entry_point = target.entry_point.clone();
    ctx.contact = Some(ContactPoint {
        contact_type: "email".into(),
        sub_type: None,
        address: pane.contact_address.clone(),
        extra: Default::default(),
    });
    ctx.text = text;
    Ok(ctx)
}

fn participant_name(role: &SenderType) -> Option<String> {
    match role {
        SenderType::Customer => None,
        other => Some(format!("console ({other})")),
    }
}

/// Build, record and send one message; `None` when it cannot be built (the
/// reason is on the status line and nothing is lost).
fn send(app: &mut App, kind: OutgoingKind, ctx: &MessageContext) -> Option<Vec<Effect>> {
    if app.session.read_only {
        error(app, "read-only: sending messages is disabled for this profile");
        return None;
    }
    let body = match app.conversation.templates.build(kind, ctx) {
        Ok(body) => body,
        Err(e) => {
            error(app, e);
            return None;
        }
    };
    let local_id = app.conversation.take_local_id();
    if let Some(handle) = app.conversation.conversations.record_outgoing(local_id, kind, ctx) {
        app.conversation.conversations.view(handle);
        app.conversation.selected = None;
    }
    Some(vec![Effect::Send { local_id, body }])
}

/// Whether the viewed conversation's channel carries typing events for our role.
fn typing_allowed(app: &App) -> bool {
    if app.session.read_only {
        return false;
    }
    let Some(conv) = app.conversation.viewed() else {
        return false;
    };
    if conv.is_pending() || conv.is_closed() || conv.id().is_none() {
        return false;
    }
    let Some(account) = conv.account() else {
        return true;
    };
    match channel(app, &account.channel.channel_type) {
        Some(c) => restrictions(&c, conv.role()).is_none_or(|r| r.has_feature("typing_events")),
        None => true,
    }
}

fn typing(app: &mut App, start: bool) -> Vec<Effect> {
    if app.conversation.typing_sent == start || (start && !typing_allowed(app)) {
        return Vec::new();
    }
    app.conversation.typing_sent = start;
    let kind = if start {
        OutgoingKind::TypingStart
    } else {
        OutgoingKind::TypingEnd
    };
    match context(app, None) {
        Ok(ctx) => send(app, kind, &ctx).unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// A key the composer does not bind: edit the text, and tell the other side
/// we are typing (or stopped).
pub fn composer_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    app.conversation.composer.input(key);
    app.conversation.history_pos = None;
    let empty = app.conversation.composer_text().trim().is_empty();
    typing(app, !empty)
}

pub fn composer_paste(app: &mut App, text: &str) -> Vec<Effect> {
    app.conversation.composer.insert_str(text);
    typing(app, true)
}

/// Keys bound in the composer.
pub fn composer_action(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Send => send_text(app),
        Action::Newline => {
            app.conversation.composer.insert_newline();
            Vec::new()
        }
        Action::LeaveComposer => {
            app.conversation.composing = false;
            Vec::new()
        }
        Action::HistoryPrev | Action::HistoryNext => {
            recall(app, action == Action::HistoryPrev);
            Vec::new()
        }
        Action::Attach => open_attach(app),
        Action::EditExternal => vec![Effect::ExternalEdit(app.conversation.composer_text())],
        Action::NextPane | Action::PrevPane => {
            app.focus = if action == Action::NextPane {
                app.focus.next()
            } else {
                app.focus.prev()
            };
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Up/Down: walk back and forth through sent texts (only while the
/// composer holds nothing new, so a draft is never overwritten; in a
/// draft they move the cursor between its lines).
fn recall(app: &mut App, back: bool) {
    let pane = &mut app.conversation;
    let current = pane.composer_text();
    let in_history = pane.history_pos.is_some_and(|i| pane.history.get(i) == Some(&current));
    if pane.history.is_empty() || (!current.is_empty() && !in_history) {
        pane.composer.move_cursor(if back {
            ratatui_textarea::CursorMove::Up
        } else {
            ratatui_textarea::CursorMove::Down
        });
        return;
    }
    let last = pane.history.len() - 1;
    let next = match (pane.history_pos, back) {
        (None, true) => Some(last),
        (None, false) => None,
        (Some(i), true) => Some(i.saturating_sub(1)),
        (Some(i), false) if i < last => Some(i + 1),
        (Some(_), false) => None,
    };
    pane.history_pos = next;
    let text = next.and_then(|i| pane.history.get(i).cloned()).unwrap_or_default();
    pane.set_composer_text(&text);
}

fn send_text(app: &mut App) -> Vec<Effect> {
    if app.session.read_only {
        error(app, "read-only: sending messages is disabled for this profile");
        return Vec::new();
    }
    let text = app.conversation.composer_text();
    let attachments = app.conversation.kept_attachments.clone();
    if text.trim().is_empty() && attachments.is_empty() {
        return Vec::new();
    }
    if app.conversation.viewed().is_none() && app.conversation.target.is_none() {
        // Keep the text; ask where it should go.
        return open_start(app);
    }
    let ctx = match context(app, Some(text.clone())) {
        Ok(ctx) => ctx,
        Err(e) => {
            error(app, e);
            return Vec::new();
        }
    };
    let mut effects = Vec::new();
    if app.conversation.typing_sent {
        effects.extend(typing(app, false));
    }
    // Attachments kept from a failed send go along with the text.
    let (kind, ctx) = if attachments.is_empty() {
        (OutgoingKind::Text, ctx)
    } else {
        let mut ctx = ctx;
        ctx.attachments = attachments;
        ctx.text = Some(text.clone()).filter(|t| !t.trim().is_empty());
        (OutgoingKind::Attachments, ctx)
    };
    let Some(sent) = send(app, kind, &ctx) else {
        return effects;
    };
    effects.extend(sent);
    let pane = &mut app.conversation;
    pane.kept_attachments.clear();
    if !text.trim().is_empty() && pane.history.last() != Some(&text) {
        pane.history.push(text);
    }
    pane.history_pos = None;
    pane.set_composer_text("");
    app.status.error = None;
    // "the first message opens it" and the like are done with.
    app.status.notice = None;
    effects
}

/// Keys bound in the message list.
pub fn conversation_action(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Compose => {
            app.conversation.composing = true;
            Vec::new()
        }
        Action::NewConversation => open_start(app),
        Action::NextConversation | Action::PrevConversation => cycle(app, action == Action::NextConversation),
        Action::Choose | Action::EndConversation if app.session.read_only => {
            error(app, "read-only: sending messages is disabled for this profile");
            Vec::new()
        }
        Action::Choose => open_choices(app),
        Action::Attach => open_attach(app),
        Action::Download => download(app),
        Action::CancelUpload => {
            if app.conversation.upload.is_some() {
                vec![Effect::CancelUpload]
            } else {
                app.status.error = None;
                Vec::new()
            }
        }
        Action::EndConversation => {
            let Some(conv) = app.conversation.viewed() else {
                return Vec::new();
            };
            if conv.is_closed() || conv.id().is_none() {
                error(app, "nothing to end: the conversation is closed or not started");
                return Vec::new();
            }
            let id = conv.id().unwrap_or_default().to_owned();
            app.modal = Some(Modal::Confirm(Confirm {
                message: format!("End conversation {id} (conversation.end)?"),
                pending: Pending::EndConversation,
            }));
            Vec::new()
        }
        Action::Transcript => match app.conversation.viewed().and_then(|c| c.id()).map(str::to_owned) {
            Some(id) => vec![Effect::GetTranscript(id)],
            None => {
                error(app, "no conversation id yet");
                Vec::new()
            }
        },
        Action::RawMessage => open_raw(app),
        Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Top | Action::Bottom => {
            move_selection(app, action);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn move_selection(app: &mut App, action: Action) {
    let Some(len) = app.conversation.viewed().map(|c| c.entries().len()) else {
        return;
    };
    if len == 0 {
        return;
    }
    let last = len - 1;
    let current = app.conversation.selected.unwrap_or(last);
    let next = match action {
        Action::Up => current.saturating_sub(1),
        Action::Down => (current + 1).min(last),
        Action::PageUp => current.saturating_sub(10),
        Action::PageDown => (current + 10).min(last),
        Action::Top => 0,
        _ => last,
    };
    app.conversation.selected = if next == last { None } else { Some(next) };
}

/// Show the next (or previous) conversation; the one left hears that we
/// stopped typing, so its typing line does not hang until the draft is sent.
fn cycle(app: &mut App, forward: bool) -> Vec<Effect> {
    let handles: Vec<_> = app.conversation.conversations.iter().map(|c| c.handle()).collect();
    if handles.is_empty() {
        return Vec::new();
    }
    let current = app
        .conversation
        .conversations
        .viewed()
        .and_then(|h| handles.iter().position(|x| *x == h));
    let next = match (current, forward) {
        (None, _) => 0,
        (Some(i), true) => (i + 1) % handles.len(),
        (Some(i), false) => (i + handles.len() - 1) % handles.len(),
    };
    if current == Some(next) {
        return Vec::new();
    }
    let effects = typing(app, false);
    app.conversation.conversations.view(handles[next]);
    app.conversation.selected = None;
    effects
}

/// Start dialog: first the role, then (for a customer) the account.
pub fn open_start(app: &mut App) -> Vec<Effect> {
    if app.session.read_only {
        error(app, "read-only: sending messages is disabled for this profile");
        return Vec::new();
    }
    app.modal = Some(Modal::Pick(Box::new(Pick {
        title: "Act as which role?".into(),
        items: ROLES.iter().map(|r| r.to_string()).collect(),
        selected: 0,
        purpose: PickPurpose::Role,
    })));
    Vec::new()
}

/// The accounts offered for a new customer conversation.
fn targets(app: &App) -> Vec<Target> {
    use crate::api::models::{Account, EntityKind};
    app.entities
        .list(EntityKind::Account)
        .items
        .iter()
        .filter_map(|v| serde_json::from_value::<Account>(v.clone()).ok())
        .map(|account| {
            let channel = app
                .entities
                .list(EntityKind::Channel)
                .items
                .iter()
                .filter_map(|v| serde_json::from_value::<Channel>(v.clone()).ok())
                .find(|c| c.meta.id.as_deref() == Some(account.channel.id.as_str()));
            let inbound = channel.as_ref().and_then(|c| restrictions(c, &SenderType::Customer));
            Target {
                account_name: account.name.clone(),
                address: account.address.clone(),
                channel_type: channel.as_ref().map(|c| c.channel_type.clone()).unwrap_or_default(),
                entry_point: Some(account.chat_configurations.entry_point.id.clone()),
                typing_events: inbound.as_ref().is_none_or(|r| r.has_feature("typing_events")),
                policy: inbound.and_then(|r| r.attachment_policy),
            }
        })
        .collect()
}

/// A choice was made in a pick list.
pub fn picked(app: &mut App, purpose: PickPurpose, index: usize) -> Vec<Effect> {
    match purpose {
        PickPurpose::Role => {
            let role = ROLES.get(index).cloned().unwrap_or(SenderType::Customer);
            app.conversation.role = role.clone();
            // The conversation on screen is left: it hears that we stopped typing.
            let effects = typing(app, false);
            if role != SenderType::Customer {
                app.modal = None;
                app.conversation.conversations.unview();
                notice(
                    app,
                    format!(
                        "acting as {role}: conversations the hub routes to this console's {role} callback appear here"
                    ),
                );
                return effects;
            }
            let targets = targets(app);
            if targets.is_empty() {
                app.modal = None;
                error(app, "no accounts loaded: create one (Entities, s for the guided setup)");
                return effects;
            }
            app.modal = Some(Modal::Pick(Box::new(Pick {
                title: "Start a conversation on which account?".into(),
                items: targets
                    .iter()
                    .map(|t| format!("{}  ({} on {})", t.account_name, t.address, t.channel_type))
                    .collect(),
                selected: 0,
                purpose: PickPurpose::Account,
            })));
            effects
        }
        PickPurpose::Account => {
            app.modal = None;
            let Some(target) = targets(app).into_iter().nth(index) else {
                return Vec::new();
            };
            notice(
                app,
                format!(
                    "new conversation on {} as customer: the first message opens it",
                    target.account_name
                ),
            );
            app.conversation.target = Some(target);
            app.conversation.conversations.unview();
            app.conversation.composing = true;
            // A message typed before picking is sent now.
            if !app.conversation.composer_text().trim().is_empty() {
                return send_text(app);
            }
            Vec::new()
        }
        PickPurpose::Choice => {
            app.modal = None;
            answer(app, index)
        }
        PickPurpose::TakeoverRole { app_id } => {
            app.modal = None;
            super::update::plan_takeover(app, app_id, index)
        }
    }
}

/// The entry the list selection points at (latest when none).
fn selected_entry(app: &App) -> Option<&crate::conversation::state::Entry> {
    let conv = app.conversation.viewed()?;
    let entries = conv.entries();
    match app.conversation.selected {
        Some(i) => entries.get(i),
        None => entries.back(),
    }
}

/// The rich message to answer: the selected one, else the latest with choices.
fn rich_entry(app: &App) -> Option<&crate::conversation::state::Entry> {
    let selected = selected_entry(app).filter(|e| e.rich.as_ref().is_some_and(|r| !r.choices().is_empty()));
    selected.or_else(|| {
        app.conversation
            .viewed()?
            .entries()
            .iter()
            .rev()
            .find(|e| !e.mine && e.rich.as_ref().is_some_and(|r| !r.choices().is_empty()))
    })
}

fn open_choices(app: &mut App) -> Vec<Effect> {
    let Some(rich) = rich_entry(app).and_then(|e| e.rich.clone()) else {
        error(app, "no list picker or quick reply to answer");
        return Vec::new();
    };
    app.modal = Some(Modal::Pick(Box::new(Pick {
        title: "Answer with".into(),
        items: rich.choices().iter().map(|c| c.title.clone()).collect(),
        selected: 0,
        purpose: PickPurpose::Choice,
    })));
    Vec::new()
}

fn answer(app: &mut App, index: usize) -> Vec<Effect> {
    let Some(rich) = rich_entry(app).and_then(|e| e.rich.clone()) else {
        return Vec::new();
    };
    let Some(text) = answer_text(&rich, index) else {
        return Vec::new();
    };
    let mut ctx = match context(app, Some(text)) {
        Ok(ctx) => ctx,
        Err(e) => {
            error(app, e);
            return Vec::new();
        }
    };
    ctx.answer_id = rich.choice(index).map(|c| c.id);
    send(app, OutgoingKind::Answer, &ctx).unwrap_or_default()
}

pub fn end_conversation(app: &mut App) -> Vec<Effect> {
    let ctx = match context(app, None) {
        Ok(ctx) => ctx,
        Err(e) => {
            error(app, e);
            return Vec::new();
        }
    };
    send(app, OutgoingKind::ConversationEnd, &ctx).unwrap_or_default()
}

fn open_attach(app: &mut App) -> Vec<Effect> {
    if app.session.read_only {
        error(app, "read-only: uploading assets is disabled for this profile");
        return Vec::new();
    }
    if app.conversation.upload.is_some() {
        error(app, "an upload is already running (Esc in the message list cancels it)");
        return Vec::new();
    }
    if let Err(e) = context(app, None) {
        error(app, e);
        return Vec::new();
    }
    app.modal = Some(Modal::Prompt(Box::new(Prompt::new(PromptPurpose::AttachPath, ""))));
    Vec::new()
}

/// The attach prompt was confirmed with a path.
pub fn start_upload(app: &mut App, path: &str) -> Vec<Effect> {
    let ctx = match context(app, None) {
        Ok(ctx) => ctx,
        Err(e) => {
            error(app, e);
            return Vec::new();
        }
    };
    let policy = channel(app, &ctx.channel_type)
        .and_then(|c| restrictions(&c, &ctx.role))
        .and_then(|r| r.attachment_policy)
        .or_else(|| app.conversation.target.as_ref().and_then(|t| t.policy.clone()));
    let local_id = app.conversation.take_local_id();
    let path = expand_home(path.trim());
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file").to_owned();
    app.conversation.upload = Some(Upload {
        local_id,
        name,
        done: 0,
        total: 0,
        started: std::time::Instant::now(),
        rate: 0.0,
        handle: app.conversation.conversations.viewed(),
    });
    vec![Effect::Upload {
        local_id,
        path,
        channel_type: ctx.channel_type,
        sender: ctx.role,
        policy,
    }]
}

fn expand_home(path: &str) -> std::path::PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => directories::BaseDirs::new()
            .map(|b| b.home_dir().join(rest))
            .unwrap_or_else(|| path.into()),
        None => path.into(),
    }
}

pub fn on_upload_done(app: &mut App, local_id: u64, result: Result<AssetRef, String>) -> Vec<Effect> {
    let Some(upload) = app.conversation.upload.take_if(|u| u.local_id == local_id) else {
        return Vec::new();
    };
    match result {
        Ok(asset) => {
            if let Some(handle) = upload.handle {
                app.conversation.conversations.view(handle);
            }
            let mut ctx = match context(app, None) {
                Ok(ctx) => ctx,
                Err(e) => {
                    error(app, format!("uploaded {} but cannot send it: {e}", upload.name));
                    return Vec::new();
                }
            };
            notice(app, format!("uploaded {}; sending", upload.name));
            ctx.attachments = vec![asset];
            send(app, OutgoingKind::Attachments, &ctx).unwrap_or_default()
        }
        Err(e) => {
            error(app, format!("attachment {}: {e}", upload.name));
            Vec::new()
        }
    }
}

fn download(app: &mut App) -> Vec<Effect> {
    let effects = download_ids(app);
    if !effects.is_empty() {
        app.conversation.download = Some(super::panes::conversation::Download {
            name: "attachment".into(),
            done: 0,
            total: 0,
        });
    }
    effects
}

fn download_ids(app: &mut App) -> Vec<Effect> {
    let ids: Vec<String> = selected_entry(app)
        .map(|e| e.attachments.iter().map(|a| a.id.clone()).collect())
        .unwrap_or_default();
    let ids = if ids.is_empty() {
        // Else the latest message with attachments.
        app.conversation
            .viewed()
            .and_then(|c| c.entries().iter().rev().find(|e| !e.mine && !e.attachments.is_empty()))
            .map(|e| e.attachments.iter().map(|a| a.id.clone()).collect())
            .unwrap_or_default()
    } else {
        ids
    };
    if ids.is_empty() {
        error(app, "no attachment to download");
        return Vec::new();
    }
    vec![Effect::Download(ids)]
}

fn open_raw(app: &mut App) -> Vec<Effect> {
    if app.session.read_only {
        error(app, "read-only: sending messages is disabled for this profile");
        return Vec::new();
    }
    let text = app.conversation.composer_text();
    let ctx = match context(app, Some(if text.is_empty() { "Hello".into() } else { text })) {
        Ok(ctx) => ctx,
        Err(e) => {
            error(app, e);
            return Vec::new();
        }
    };
    match app.conversation.templates.build(OutgoingKind::Text, &ctx) {
        Ok(body) => {
            let text = serde_json::to_string_pretty(&body).unwrap_or_default();
            app.modal = Some(Modal::Editor(Box::new(super::modal::Editor::raw_message(&text))));
        }
        Err(e) => error(app, e),
    }
    Vec::new()
}

/// The raw editor's body passed validation: record it and send it as is.
pub fn send_raw(app: &mut App, body: serde_json::Value) -> Vec<Effect> {
    let local_id = app.conversation.take_local_id();
    let first = body
        .pointer("/messages/message/0")
        .cloned()
        .and_then(|m| serde_json::from_value::<crate::api::models::Message>(m).ok());
    if let Some(message) = first
        && let Some(handle) = app
            .conversation
            .conversations
            .record_outgoing_message(local_id, &message)
    {
        app.conversation.conversations.view(handle);
    }
    vec![Effect::Send { local_id, body }]
}

/// The hub delivered a message to our receiver.
pub fn on_inbound(app: &mut App, inbound: &Inbound) -> Vec<Effect> {
    let role: SenderType = inbound.role.parse().unwrap_or(SenderType::Customer);
    let hidden = !app.wide() && app.focus != super::app::PaneId::Conversation;
    let pane = &mut app.conversation;
    for result in pane.conversations.ingest_envelope(&role, &inbound.envelope) {
        if let crate::conversation::state::Ingest::Added(handle) = result {
            if pane.conversations.viewed().is_none() {
                pane.conversations.view(handle);
            }
            // Arrived while the pane is off screen: the pane title counts it.
            if hidden {
                pane.unseen += 1;
            }
        }
    }
    Vec::new()
}

/// The answer to a send.
pub fn on_sent(
    app: &mut App,
    local_id: u64,
    result: Result<crate::api::models::SendMessageResponse, crate::api::ApiError>,
) -> Vec<Effect> {
    match result {
        Ok(response) => {
            app.conversation.conversations.mark_sent(local_id, &response);
            Vec::new()
        }
        Err(e) => {
            let message = e.to_string();
            if let Some(failed) = app.conversation.conversations.mark_failed(local_id, message.clone()) {
                // Nothing typed is lost: the text goes back into the composer.
                // Uploaded attachments are kept too: the next Enter sends them again.
                if failed.kind == EntryKind::Message && !failed.attachments.is_empty() {
                    app.conversation.kept_attachments = failed.attachments.clone();
                    app.conversation.composing = true;
                }
                if failed.kind == EntryKind::Message
                    && let Some(text) = failed.text
                {
                    let current = app.conversation.composer_text();
                    let restored = if current.trim().is_empty() {
                        text
                    } else {
                        format!("{text}\n{current}")
                    };
                    app.conversation.set_composer_text(&restored);
                    app.conversation.composing = true;
                }
                error(app, format!("not sent: {message}"));
            }
            Vec::new()
        }
    }
}

/// Whether an entry is still in flight (for the view).
pub fn is_sending(status: &Status) -> bool {
    matches!(status, Status::Sending)
}

/// Messages the runtime sends about transfers go through here too.
pub fn on_transfer(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::UploadProgress { local_id, done, total } => {
            if let Some(u) = app.conversation.upload.as_mut().filter(|u| u.local_id == local_id) {
                u.done = done;
                u.total = total;
                let secs = u.started.elapsed().as_secs_f64();
                if secs > 0.0 {
                    u.rate = done as f64 / secs;
                }
            }
            Vec::new()
        }
        Msg::UploadDone { local_id, result } => on_upload_done(app, local_id, result),
        Msg::DownloadProgress { done, total } => {
            if let Some(d) = app.conversation.download.as_mut() {
                d.done = done;
                d.total = total;
            }
            Vec::new()
        }
        Msg::DownloadDone(result) => {
            app.conversation.download = None;
            match result {
                Ok(path) => notice(app, format!("downloaded {}", path.display())),
                Err(e) => error(app, format!("download: {e}")),
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}
