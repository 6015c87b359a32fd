//! The Conversation component's update: composing and sending as a role,
//! typing events, answering rich messages, attachments, transcripts,
//! inbound deliveries and the replies to its own calls. No I/O here.

use crossterm::event::KeyEvent;

use crate::api::models::{AssetRef, Channel, ContactPoint, DirectionRestrictions, SenderType};
use crate::callback::Inbound;
use crate::conversation::rich::answer_text;
use crate::conversation::state::{EntryKind, Status};
use crate::conversation::templates::{MessageContext, OutgoingKind};

use super::{ConversationPane, Download, Target, Upload};
use crate::tui::action::Action;
use crate::tui::cx::Cx;
use crate::tui::effect::{Call, Effect, Owner, ScenarioRecording};
use crate::tui::msg::{ApiReply, Transfer};
use crate::tui::panes::entities::Catalog;
use crate::tui::popup::ask::ConversationAsk;
use crate::tui::popup::{Ask, Confirm, Editor, Outcome, Pick, Popup, Prompt, Transcript};
use crate::tui::status::{REPLIES_ELSEWHERE, WARNING};

const OWNER: Owner = Owner::Conversation;

/// The roles the console can act as in a conversation.
pub const ROLES: [SenderType; 3] = [SenderType::Customer, SenderType::CustomAgent, SenderType::CustomBot];

/// A customer sends inbound (to the business); bots and agents outbound.
fn restrictions(channel: &Channel, role: &SenderType) -> Option<DirectionRestrictions> {
    let r = channel.restrictions.as_ref()?;
    if *role == SenderType::Customer {
        r.inbound.clone()
    } else {
        r.outbound.clone()
    }
}

/// The channel rules for what the console sends in the viewed (or new) conversation.
pub fn send_rules(pane: &ConversationPane, catalog: &Catalog) -> Option<DirectionRestrictions> {
    let (channel_type, role) = match pane.viewed() {
        Some(c) => (c.account()?.channel.channel_type.clone(), c.role().clone()),
        None => (pane.target.as_ref()?.channel_type.clone(), SenderType::Customer),
    };
    restrictions(catalog.channel_of_type(&channel_type)?, &role)
}

/// The longest text the channel takes from the console here, if it says.
pub fn max_text(pane: &ConversationPane, catalog: &Catalog) -> Option<u64> {
    send_rules(pane, catalog).and_then(|r| r.max_text_length).or_else(|| {
        pane.viewed()
            .is_none()
            .then(|| pane.target.as_ref()?.max_text)
            .flatten()
    })
}

/// The context the next message of the viewed (or new) conversation is built from.
fn context(pane: &ConversationPane, text: Option<String>) -> Result<MessageContext, String> {
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
        return Err("no conversation yet: n (in the message list) picks the role and the account".into());
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

/// Build, record and send one message; false when it cannot be built (the
/// reason is on the status line and nothing is lost).
fn send(pane: &mut ConversationPane, kind: OutgoingKind, ctx: &MessageContext, cx: &mut Cx) -> bool {
    let body = match pane.templates.build(kind, ctx) {
        Ok(body) => body,
        Err(e) => {
            cx.error(e);
            return false;
        }
    };
    let local_id = pane.take_local_id();
    if let Some(handle) = pane.conversations.record_outgoing(local_id, kind, ctx) {
        pane.conversations.view(handle);
        pane.selected = None;
    }
    cx.call(OWNER, Call::Send { local_id, body });
    true
}

/// Whether the viewed conversation's channel carries typing events for our role.
fn typing_allowed(pane: &ConversationPane, catalog: &Catalog, cx: &Cx) -> bool {
    if !cx.may_change() {
        return false;
    }
    let Some(conv) = pane.viewed() else {
        return false;
    };
    if conv.is_pending() || conv.is_closed() || conv.id().is_none() {
        return false;
    }
    let Some(account) = conv.account() else {
        return true;
    };
    match catalog.channel_of_type(&account.channel.channel_type) {
        Some(c) => restrictions(c, conv.role()).is_none_or(|r| r.has_feature("typing_events")),
        None => true,
    }
}

fn typing(pane: &mut ConversationPane, catalog: &Catalog, start: bool, cx: &mut Cx) {
    if pane.typing_sent == start || (start && !typing_allowed(pane, catalog, cx)) {
        return;
    }
    pane.typing_sent = start;
    let kind = if start {
        OutgoingKind::TypingStart
    } else {
        OutgoingKind::TypingEnd
    };
    if let Ok(ctx) = context(pane, None) {
        send(pane, kind, &ctx, cx);
    }
}

/// A key the composer does not bind: edit the text, and tell the other side
/// we are typing (or stopped).
pub fn composer_key(pane: &mut ConversationPane, catalog: &Catalog, key: KeyEvent, cx: &mut Cx) {
    pane.composer.input(key);
    pane.history_pos = None;
    let empty = pane.composer_text().trim().is_empty();
    typing(pane, catalog, !empty, cx);
}

/// Pasted text keeps its line breaks (terminals and tmux paste them as CR).
pub fn composer_paste(pane: &mut ConversationPane, catalog: &Catalog, text: &str, cx: &mut Cx) {
    pane.composer.insert_str(crate::tui::wrap::normalize_newlines(text));
    typing(pane, catalog, true, cx);
}

/// `$EDITOR` returned the composer's text.
pub fn on_external_edit(pane: &mut ConversationPane, result: Result<String, String>, cx: &mut Cx) {
    match result {
        Ok(text) => {
            pane.set_composer_text(text.trim_end_matches('\n'));
            pane.composing = true;
        }
        Err(e) => cx.error(format!("$EDITOR: {e}")),
    }
}

/// Keys bound in the composer. Returns false when not handled here.
pub fn composer_action(pane: &mut ConversationPane, catalog: &Catalog, action: Action, cx: &mut Cx) -> bool {
    match action {
        Action::Send => send_text(pane, catalog, cx),
        Action::Newline => pane.composer.insert_newline(),
        Action::LeaveComposer => pane.composing = false,
        Action::HistoryPrev | Action::HistoryNext => recall(pane, action == Action::HistoryPrev),
        Action::Attach => open_attach(pane, cx),
        Action::EditExternal => cx.effect(Effect::ExternalEdit(OWNER, pane.composer_text())),
        _ => return false,
    }
    true
}

/// Up/Down: walk back and forth through sent texts (only while the
/// composer holds nothing new, so a draft is never overwritten; in a
/// draft they move the cursor between its lines).
fn recall(pane: &mut ConversationPane, back: bool) {
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

fn send_text(pane: &mut ConversationPane, catalog: &Catalog, cx: &mut Cx) {
    let text = pane.composer_text();
    if text.trim().is_empty() {
        return;
    }
    // Refused before any request: the channel's limit.
    if let Some(max) = max_text(pane, catalog) {
        let len = text.chars().count() as u64;
        if len > max {
            cx.error(format!(
                "not sent: {len} characters, the channel takes at most {max} (shorten it by {})",
                len - max
            ));
            return;
        }
    }
    if pane.viewed().is_none() && pane.target.is_none() {
        // Keep the text; ask where it should go, then send it.
        open_start(cx, true);
        return;
    }
    let ctx = match context(pane, Some(text.clone())) {
        Ok(ctx) => ctx,
        Err(e) => {
            cx.error(e);
            return;
        }
    };
    if pane.typing_sent {
        typing(pane, catalog, false, cx);
    }
    if !send(pane, OutgoingKind::Text, &ctx, cx) {
        return;
    }
    if pane.history.last() != Some(&text) {
        pane.history.push(text);
    }
    pane.history_pos = None;
    pane.set_composer_text("");
    cx.status.settle();
    // "the first message opens it" and the like are done with.
    cx.status.notice = None;
}

/// Keys bound in the message list. Returns false when not handled here.
pub fn list_action(pane: &mut ConversationPane, catalog: &Catalog, action: Action, cx: &mut Cx) -> bool {
    match action {
        Action::Compose => pane.composing = true,
        Action::NewConversation => open_start(cx, false),
        Action::NextConversation | Action::PrevConversation => {
            cycle(pane, catalog, action == Action::NextConversation, cx)
        }
        Action::Choose => open_choices(pane, cx),
        Action::Retry => retry(pane, cx),
        Action::Attach => open_attach(pane, cx),
        Action::Download => ask_download(pane, cx),
        Action::CancelUpload => match &pane.upload {
            Some(u) => cx.effect(Effect::CancelUpload(u.local_id)),
            None => cx.status.error = None,
        },
        Action::EndConversation => {
            let Some(conv) = pane.viewed() else {
                cx.error("no conversation on screen");
                return true;
            };
            if conv.is_closed() || conv.id().is_none() {
                cx.error("nothing to end: the conversation is closed or not started");
                return true;
            }
            let id = conv.id().unwrap_or_default().to_owned();
            cx.open(
                ConversationAsk::EndConversation,
                Popup::Confirm(Confirm::new(format!(
                    "End conversation {id} (conversation.end)? The other side sees it end."
                ))),
            );
        }
        Action::Transcript => match pane.viewed().and_then(|c| c.id()).map(str::to_owned) {
            Some(id) => cx.call(OWNER, Call::GetTranscript(id)),
            None => cx.error("no conversation id yet"),
        },
        Action::RawMessage => open_raw(pane, cx),
        Action::RecordScenario => record_scenario(pane, cx),
        Action::Copy => match selected_entry(pane).and_then(|e| e.text.clone()) {
            Some(text) => cx.copy("the message text", text, "message.txt"),
            None => cx.error("the selected entry has no text to copy"),
        },
        Action::OpenPager => match selected_entry(pane).and_then(|e| e.text.as_deref()) {
            // As the pane shows it: signed URLs in a text lose their signature.
            Some(text) => cx.effect(Effect::Pager(crate::api::redact::text(text))),
            None => cx.error("the selected entry has no text to show"),
        },
        Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Top | Action::Bottom => {
            move_selection(pane, action)
        }
        _ => return false,
    }
    true
}

/// Ask the runtime to write the conversation on screen as a scenario file:
/// our sends become `send` steps, the other side's messages `expect` steps
/// (`crate::scenario::record`). The account is named when the console's
/// target is the conversation's account.
fn record_scenario(pane: &ConversationPane, cx: &mut Cx) {
    let Some(conv) = pane.viewed() else {
        cx.error("no conversation on screen to record: n starts one");
        return;
    };
    if !conv.entries().iter().any(|e| e.mine) {
        cx.error("nothing to record: the console has sent nothing in this conversation");
        return;
    }
    let account = pane
        .target
        .as_ref()
        .filter(|t| conv.account().is_some_and(|a| a.address == t.address))
        .map(|t| t.account_name.clone());
    let name = match conv.id() {
        Some(id) => format!("recorded conversation {}", crate::tui::popup::editor::short_id(id)),
        None => "recorded conversation".to_owned(),
    };
    cx.notice(format!(
        "recording the conversation into {}…",
        pane.scenarios_dir.display()
    ));
    cx.effect(Effect::RecordScenario(Box::new(ScenarioRecording {
        dir: pane.scenarios_dir.clone(),
        conversation: conv.clone(),
        name,
        account,
    })));
}

fn move_selection(pane: &mut ConversationPane, action: Action) {
    let Some(len) = pane.viewed().map(|c| c.entries().len()) else {
        return;
    };
    if len == 0 {
        return;
    }
    let last = len - 1;
    let current = pane.selected.unwrap_or(last);
    let next = match action {
        Action::Up => current.saturating_sub(1),
        Action::Down => (current + 1).min(last),
        Action::PageUp => current.saturating_sub(10),
        Action::PageDown => (current + 10).min(last),
        Action::Top => 0,
        _ => last,
    };
    pane.selected = if next == last { None } else { Some(next) };
}

/// Show the next (or previous) conversation; the one left hears that we
/// stopped typing, so its typing line does not hang until the draft is sent.
fn cycle(pane: &mut ConversationPane, catalog: &Catalog, forward: bool, cx: &mut Cx) {
    let handles: Vec<_> = pane.conversations.iter().map(|c| c.handle()).collect();
    if handles.is_empty() {
        return;
    }
    let current = pane
        .conversations
        .viewed()
        .and_then(|h| handles.iter().position(|x| *x == h));
    let next = match (current, forward) {
        (None, _) => 0,
        (Some(i), true) => (i + 1) % handles.len(),
        (Some(i), false) => (i + handles.len() - 1) % handles.len(),
    };
    if current == Some(next) {
        return;
    }
    typing(pane, catalog, false, cx);
    pane.show(Some(handles[next]));
}

/// Start dialog: first the role, then (for a customer) the account.
/// Ask for the role (then the account) of a new conversation. `send`: the
/// composer's text goes out once they are picked (Enter asked); a pick
/// started by `n` only opens the composer, so a draft is never sent by a
/// picker's Enter.
fn open_start(cx: &mut Cx, send: bool) {
    cx.open(
        ConversationAsk::Role { send },
        Popup::Pick(Box::new(Pick::new(
            "Act as which role?",
            ROLES.iter().map(|r| r.to_string()).collect(),
        ))),
    );
}

/// The accounts offered for a new customer conversation (every loaded one).
fn targets(catalog: &Catalog) -> Vec<Target> {
    catalog
        .accounts()
        .iter()
        .map(|account| {
            let channel = catalog.channel(&account.channel.id);
            let inbound = channel.and_then(|c| restrictions(c, &SenderType::Customer));
            Target {
                account_name: account.name.clone(),
                address: account.address.clone(),
                channel_type: channel.map(|c| c.channel_type.clone()).unwrap_or_default(),
                entry_point: Some(account.chat_configurations.entry_point.id.clone()),
                typing_events: inbound.as_ref().is_none_or(|r| r.has_feature("typing_events")),
                max_text: inbound.as_ref().and_then(|r| r.max_text_length),
                policy: inbound.and_then(|r| r.attachment_policy),
            }
        })
        .collect()
}

/// When no loaded application points `role`'s callback at this console,
/// replies will not arrive here: say so before the conversation starts.
fn warn_if_replies_go_elsewhere(catalog: &Catalog, role: &SenderType, cx: &mut Cx) {
    let role_name = role.to_string();
    // The receiver also answers on the `agent` and `bot` aliases.
    let norm = |u: &str| {
        let u = u.trim_end_matches('/');
        match (u.strip_suffix("/agent"), u.strip_suffix("/bot")) {
            (Some(base), _) => format!("{base}/custom_agent"),
            (_, Some(base)) => format!("{base}/custom_bot"),
            _ => u.to_owned(),
        }
    };
    let ours: Vec<String> = cx
        .session
        .callback_urls
        .iter()
        .filter(|(r, _)| *r == role_name)
        .map(|(_, u)| norm(u))
        .collect();
    if catalog.applications().is_empty() {
        return;
    }
    let points_here = catalog
        .applications()
        .iter()
        .flat_map(|a| a.roles.iter())
        .any(|r| r.name.to_string() == role_name && ours.contains(&norm(&r.callback)));
    if points_here {
        return;
    }
    let how = if ours.is_empty() {
        "this console runs no callback receiver for it (add [profiles.NAME.callback] to the config)"
    } else {
        "no client application points that role's callback here (u on the application's detail does, restored on exit)"
    };
    cx.error(format!("{WARNING}as {role_name}, {REPLIES_ELSEWHERE}: {how}"));
}

/// The outcome of a popup this pane opened.
pub fn on_outcome(pane: &mut ConversationPane, catalog: &Catalog, ask: ConversationAsk, outcome: Outcome, cx: &mut Cx) {
    match (ask, outcome) {
        (ConversationAsk::Download, Outcome::Confirmed) => {
            let ids = std::mem::take(&mut pane.pending_download);
            if !ids.is_empty() {
                pane.download = Some(Download {
                    name: "attachment".into(),
                    done: 0,
                    total: 0,
                });
                cx.effect(Effect::Download(ids));
            }
        }
        (_, Outcome::Cancelled) => pane.pending_download.clear(),
        (ConversationAsk::Role { send }, Outcome::Chosen(index)) => {
            let role = ROLES.get(index).cloned().unwrap_or(SenderType::Customer);
            pane.role = role.clone();
            // The conversation on screen is left: it hears that we stopped typing.
            typing(pane, catalog, false, cx);
            if role != SenderType::Customer {
                warn_if_replies_go_elsewhere(catalog, &role, cx);
                pane.show(None);
                cx.notice(format!(
                    "acting as {role}: conversations the hub routes to this console's {role} callback appear here"
                ));
                return;
            }
            let targets = targets(catalog);
            if targets.is_empty() {
                cx.error("no accounts loaded: create one (Entities, s for the guided setup)");
                return;
            }
            cx.open(
                ConversationAsk::Account { send },
                Popup::Pick(Box::new(Pick::new(
                    "Start a conversation on which account?",
                    targets
                        .iter()
                        .map(|t| format!("{}  ({} on {})", t.account_name, t.address, t.channel_type))
                        .collect(),
                ))),
            );
        }
        (ConversationAsk::Account { send }, Outcome::Chosen(index)) => {
            let Some(target) = targets(catalog).into_iter().nth(index) else {
                return;
            };
            cx.notice(format!(
                "new conversation on {} as customer: the first message opens it",
                target.account_name
            ));
            warn_if_replies_go_elsewhere(catalog, &SenderType::Customer, cx);
            pane.target = Some(target);
            // Text typed before picking, for no conversation yet, stays in the
            // composer for the new one; a draft of the conversation on screen
            // stays with that conversation.
            let draft = pane.viewed().is_none().then(|| pane.composer_text());
            pane.show(None);
            if let Some(draft) = draft
                && pane.composer_text().is_empty()
            {
                pane.set_composer_text(&draft);
            }
            pane.composing = true;
            // A message typed before picking (Enter asked where it goes) is sent now.
            if send && !pane.composer_text().trim().is_empty() {
                send_text(pane, catalog, cx);
            }
        }
        (ConversationAsk::Choice, Outcome::Chosen(index)) => answer(pane, index, cx),
        (ConversationAsk::EndConversation, Outcome::Confirmed) => match context(pane, None) {
            Ok(ctx) => {
                send(pane, OutgoingKind::ConversationEnd, &ctx, cx);
            }
            Err(e) => cx.error(e),
        },
        (ConversationAsk::AttachPath, Outcome::Text(text)) => {
            if text.trim().is_empty() {
                cx.popups.reject("type a file path (Tab completes)");
                return;
            }
            cx.popups.close(&Ask::Conversation(ConversationAsk::AttachPath));
            start_upload(pane, catalog, &text, cx);
        }
        (ConversationAsk::RawMessage, Outcome::Json(body)) => {
            cx.popups.close(&Ask::Conversation(ConversationAsk::RawMessage));
            send_raw(pane, body, cx);
        }
        _ => {}
    }
}

/// The entry the list selection points at (latest when none).
fn selected_entry(pane: &ConversationPane) -> Option<&crate::conversation::state::Entry> {
    let conv = pane.viewed()?;
    let entries = conv.entries();
    match pane.selected {
        Some(i) => entries.get(i),
        None => entries.back(),
    }
}

/// The rich message to answer: the selected one, else the latest with choices.
fn rich_entry(pane: &ConversationPane) -> Option<&crate::conversation::state::Entry> {
    let selected = selected_entry(pane).filter(|e| e.rich.as_ref().is_some_and(|r| !r.choices().is_empty()));
    selected.or_else(|| {
        pane.viewed()?
            .entries()
            .iter()
            .rev()
            .find(|e| !e.mine && e.rich.as_ref().is_some_and(|r| !r.choices().is_empty()))
    })
}

fn open_choices(pane: &ConversationPane, cx: &mut Cx) {
    let Some(rich) = rich_entry(pane).and_then(|e| e.rich.clone()) else {
        cx.error("no list picker or quick reply to answer");
        return;
    };
    cx.open(
        ConversationAsk::Choice,
        Popup::Pick(Box::new(Pick::new(
            "Answer with",
            rich.choices().iter().map(|c| c.title.clone()).collect(),
        ))),
    );
}

fn answer(pane: &mut ConversationPane, index: usize, cx: &mut Cx) {
    let Some(rich) = rich_entry(pane).and_then(|e| e.rich.clone()) else {
        return;
    };
    let Some(text) = answer_text(&rich, index) else {
        return;
    };
    let mut ctx = match context(pane, Some(text)) {
        Ok(ctx) => ctx,
        Err(e) => {
            cx.error(e);
            return;
        }
    };
    ctx.answer_id = rich.choice(index).map(|c| c.id);
    send(pane, OutgoingKind::Answer, &ctx, cx);
}

/// The failed entry to retry: the selected one, else the latest failed.
fn failed_entry(pane: &ConversationPane) -> Option<&crate::conversation::state::Entry> {
    let failed = |e: &&crate::conversation::state::Entry| matches!(e.status, Status::Failed(_)) && e.mine;
    selected_entry(pane)
        .filter(failed)
        .or_else(|| pane.viewed()?.entries().iter().rev().find(failed))
}

/// Send a failed entry again, as it was (its text and attachments); the
/// composer is not touched.
fn retry(pane: &mut ConversationPane, cx: &mut Cx) {
    let Some(entry) = failed_entry(pane) else {
        cx.error("no failed message to retry");
        return;
    };
    let (old_id, text, attachments, kind) = (
        entry.local_id,
        entry.text.clone(),
        entry.attachments.clone(),
        entry.kind,
    );
    let Some(old_id) = old_id else {
        return;
    };
    let outgoing = match kind {
        EntryKind::Message if !attachments.is_empty() => OutgoingKind::Attachments,
        EntryKind::Message => OutgoingKind::Text,
        EntryKind::Event(crate::conversation::state::EventKind::ConversationEnd) => OutgoingKind::ConversationEnd,
        _ => {
            cx.error("this entry cannot be sent again");
            return;
        }
    };
    let mut ctx = match context(pane, text) {
        Ok(ctx) => ctx,
        Err(e) => {
            cx.error(e);
            return;
        }
    };
    ctx.attachments = attachments;
    let body = match pane.templates.build(outgoing, &ctx) {
        Ok(body) => body,
        Err(e) => {
            cx.error(e);
            return;
        }
    };
    let local_id = pane.take_local_id();
    let Some(handle) = pane.conversations.viewed() else {
        return;
    };
    if pane.conversations.retry(handle, old_id, local_id) {
        cx.status.error = None;
        cx.call(OWNER, Call::Send { local_id, body });
    }
}

fn open_attach(pane: &ConversationPane, cx: &mut Cx) {
    if pane.upload.is_some() {
        cx.error("an upload is already running (Esc in the message list cancels it)");
        return;
    }
    if let Err(e) = context(pane, None) {
        cx.error(e);
        return;
    }
    cx.open(
        ConversationAsk::AttachPath,
        Popup::Prompt(Box::new(Prompt::path("Attach which file? (Tab completes)"))),
    );
}

/// The attach prompt was confirmed with a path.
fn start_upload(pane: &mut ConversationPane, catalog: &Catalog, path: &str, cx: &mut Cx) {
    let ctx = match context(pane, None) {
        Ok(ctx) => ctx,
        Err(e) => {
            cx.error(e);
            return;
        }
    };
    let policy = catalog
        .channel_of_type(&ctx.channel_type)
        .and_then(|c| restrictions(c, &ctx.role))
        .and_then(|r| r.attachment_policy)
        .or_else(|| pane.target.as_ref().and_then(|t| t.policy.clone()));
    let local_id = pane.take_local_id();
    let path = expand_home(path.trim());
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file").to_owned();
    pane.upload = Some(Upload {
        local_id,
        name,
        done: 0,
        total: 0,
        started: std::time::Instant::now(),
        rate: 0.0,
        handle: pane.conversations.viewed(),
    });
    cx.effect(Effect::Upload {
        local_id,
        path,
        channel_type: ctx.channel_type,
        sender: ctx.role,
        policy,
    });
}

fn expand_home(path: &str) -> std::path::PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => directories::BaseDirs::new()
            .map(|b| b.home_dir().join(rest))
            .unwrap_or_else(|| path.into()),
        None => path.into(),
    }
}

fn on_upload_done(pane: &mut ConversationPane, local_id: u64, result: Result<AssetRef, String>, cx: &mut Cx) {
    let Some(upload) = pane.upload.take_if(|u| u.local_id == local_id) else {
        return;
    };
    match result {
        Ok(asset) => {
            if let Some(handle) = upload.handle {
                pane.conversations.view(handle);
            }
            let mut ctx = match context(pane, None) {
                Ok(ctx) => ctx,
                Err(e) => {
                    cx.error(format!("uploaded {} but cannot send it: {e}", upload.name));
                    return;
                }
            };
            cx.notice(format!("uploaded {}; sending", upload.name));
            ctx.attachments = vec![asset];
            send(pane, OutgoingKind::Attachments, &ctx, cx);
        }
        Err(e) => cx.error(format!("attachment {}: {e}", upload.name)),
    }
}

/// `D`: ask before downloading the selected (or latest) message's attachments.
fn ask_download(pane: &mut ConversationPane, cx: &mut Cx) {
    let ids: Vec<String> = selected_entry(pane)
        .map(|e| e.attachments.iter().map(|a| a.id.clone()).collect())
        .unwrap_or_default();
    let ids = if ids.is_empty() {
        // Else the latest message with attachments.
        pane.viewed()
            .and_then(|c| c.entries().iter().rev().find(|e| !e.mine && !e.attachments.is_empty()))
            .map(|e| e.attachments.iter().map(|a| a.id.clone()).collect())
            .unwrap_or_default()
    } else {
        ids
    };
    if ids.is_empty() {
        cx.error("no attachment to download");
        return;
    }
    let message = format!(
        "Download {} attachment(s) into the download folder (existing files are kept)?",
        ids.len()
    );
    pane.pending_download = ids;
    cx.open(ConversationAsk::Download, Popup::Confirm(Confirm::new(message)));
}

fn open_raw(pane: &ConversationPane, cx: &mut Cx) {
    let text = pane.composer_text();
    let ctx = match context(pane, Some(if text.is_empty() { "Hello".into() } else { text })) {
        Ok(ctx) => ctx,
        Err(e) => {
            cx.error(e);
            return;
        }
    };
    match pane.templates.build(OutgoingKind::Text, &ctx) {
        Ok(body) => {
            let text = serde_json::to_string_pretty(&body).unwrap_or_default();
            let editor = Editor::new(
                OWNER,
                "Raw message: POST /conversations/messages",
                "SendMessageRequest",
                &text,
                vec!["Sent exactly as written after a check against SendMessageRequest.".into()],
            );
            cx.open(ConversationAsk::RawMessage, Popup::Editor(Box::new(editor)));
        }
        Err(e) => cx.error(e),
    }
}

/// The raw editor's body passed validation: record it and send it as is.
fn send_raw(pane: &mut ConversationPane, body: serde_json::Value, cx: &mut Cx) {
    let local_id = pane.take_local_id();
    let first = body
        .pointer("/messages/message/0")
        .cloned()
        .and_then(|m| serde_json::from_value::<crate::api::models::Message>(m).ok());
    if let Some(message) = first
        && let Some(handle) = pane.conversations.record_outgoing_message(local_id, &message)
    {
        pane.conversations.view(handle);
    }
    cx.call(OWNER, Call::Send { local_id, body });
}

/// The hub delivered a message to our receiver.
pub fn on_inbound(pane: &mut ConversationPane, inbound: &Inbound, hidden: bool) {
    let role: SenderType = inbound.role.parse().unwrap_or(SenderType::Customer);
    for result in pane.conversations.ingest_envelope(&role, &inbound.envelope) {
        if let crate::conversation::state::Ingest::Added(handle) = result {
            if pane.conversations.viewed().is_none() && pane.composer_text().is_empty() {
                pane.conversations.view(handle);
            }
            // Arrived while the pane is off screen: the pane title counts it.
            if hidden {
                pane.unseen += 1;
            }
        }
    }
}

/// A scenario run finished with the conversation it held (its own sends,
/// its end among them): one it ended is not open here either, although the
/// receiver, which sees only the other side, never saw the end.
pub fn on_run_finished(pane: &mut ConversationPane, conversation: &crate::conversation::state::Conversation) {
    if let Some(id) = conversation.id().filter(|_| conversation.is_closed()) {
        pane.conversations.close(id, conversation.role());
    }
}

/// A delivery to the console's callback receiver was recorded: when the
/// receiver refused it (401/403: the hub's credentials are not the ones the
/// receiver expects), the pane says so at once, since replies will not arrive.
pub fn on_delivery(
    pane: &mut ConversationPane,
    exchange: &crate::api::Exchange,
    status: &mut crate::tui::status::Status,
) {
    if exchange.direction != crate::api::Direction::Inbound {
        return;
    }
    match exchange.status {
        Some(code @ (401 | 403)) => {
            let text = format!(
                "a callback delivery was refused ({code}) by this console's receiver: the role's Authentication \
                 does not send the receiver's credentials, so replies do not arrive (see the request log)"
            );
            pane.refused = Some(text.clone());
            status.error = Some(text);
        }
        Some(200..=299) => pane.refused = None,
        _ => {}
    }
}

/// The answer to one of this pane's calls.
pub fn on_reply(pane: &mut ConversationPane, reply: ApiReply, cx: &mut Cx) {
    match reply {
        ApiReply::Sent { local_id, result } => match result {
            Ok(response) => {
                pane.conversations.mark_sent(local_id, &response);
            }
            Err(e) => {
                let message = e.to_string();
                // The entry stays in the conversation, failed, with its error and
                // a retry key; whatever is in the composer is left alone.
                if pane.conversations.mark_failed(local_id, message.clone()).is_some() {
                    cx.error(format!("not sent: {message} (r in the message list retries)"));
                }
            }
        },
        ApiReply::Transcript { id, result } => match result {
            Ok(conversation) => cx.open(
                crate::tui::popup::ask::RootAsk::Show,
                Popup::Transcript(Box::new(Transcript {
                    conversation,
                    scroll: 0,
                })),
            ),
            Err(e) => cx.error(format!(
                "transcript of {}: {e}",
                crate::tui::popup::editor::short_id(&id)
            )),
        },
        _ => {}
    }
}

/// Transfer progress and results.
pub fn on_transfer(pane: &mut ConversationPane, transfer: Transfer, cx: &mut Cx) {
    match transfer {
        Transfer::UploadProgress { local_id, done, total } => {
            if let Some(u) = pane.upload.as_mut().filter(|u| u.local_id == local_id) {
                u.done = done;
                u.total = total;
                let secs = u.started.elapsed().as_secs_f64();
                if secs > 0.0 {
                    u.rate = done as f64 / secs;
                }
            }
        }
        Transfer::UploadDone { local_id, result } => on_upload_done(pane, local_id, result, cx),
        Transfer::DownloadProgress { done, total } => {
            if let Some(d) = pane.download.as_mut() {
                d.done = done;
                d.total = total;
            }
        }
        Transfer::DownloadDone(result) => {
            pane.download = None;
            match result {
                Ok(path) => cx.notice(format!("downloaded {}", path.display())),
                Err(e) => cx.error(format!("download: {e}")),
            }
        }
    }
}

/// Whether any conversation is still open (not ended), for the quit question.
pub fn open_conversations(pane: &ConversationPane) -> usize {
    pane.conversations.iter().filter(|c| !c.is_closed()).count()
}
