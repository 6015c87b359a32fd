//! The conversation pane at the update level: messages fed by hand (API
//! answers, callback deliveries, keys), state and effects checked. No
//! network, except where a runtime test needs a server to prove that no
//! request reached it.

mod common_tui;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::KeyCode;
use serde_json::{Value, json};
use tokio::sync::mpsc::unbounded_channel;

use common_tui::*;
use egain_console::api::models::{
    AttachmentPolicy, ConversationRef, EntityKind, Message, MessageEnvelope, Party, PolicyType, SenderType,
};
use egain_console::api::{AuthConfig, Client, ClientConfig, Recorder, Secret};
use egain_console::callback::Inbound;
use egain_console::conversation::state::{EntryKind, Status};
use egain_console::sandbox::hub::MENU_LIST_PICKER;
use egain_console::sandbox::{self, SandboxConfig, Seed};
use egain_console::tui::app::{App, PaneId};
use egain_console::tui::effect::{Effect, Owner};
use egain_console::tui::msg::{ApiReply, Msg, Transfer};
use egain_console::tui::popup::Popup;
use egain_console::tui::runtime::{RunOptions, Runtime, check_attachment};

const CONV: &str = "c0ffee00-0000-4000-8000-000000000001";
const OTHER: &str = "c0ffee00-0000-4000-8000-000000000002";

// ---------------------------------------------------------------- helpers

/// A callback delivery of one message to the console's `role` callback.
fn inbound(role: &str, conversation: &str, kind: &str, sender: SenderType, text: Option<&str>) -> Msg {
    let mut message = Message::new(kind, Party::named(sender, "Sandbox bot"), text.map(str::to_owned));
    message.id = Some(format!("hub-{}", uuid::Uuid::new_v4().simple()));
    message.conversation = Some(ConversationRef {
        id: Some(conversation.to_owned()),
        ..Default::default()
    });
    Msg::Inbound(Box::new(Inbound {
        role: role.to_owned(),
        received: jiff::Timestamp::now(),
        envelope: MessageEnvelope::single(message),
        exchange_id: 0,
    }))
}

fn bot_says(conversation: &str, text: &str) -> Msg {
    inbound("customer", conversation, "text", SenderType::CustomBot, Some(text))
}

/// Channels whose inbound side has (or has not) typing events, and an allow-list policy.
fn channel_with(typing_events: bool) -> Vec<Value> {
    let mut channel = objects(EntityKind::Channel).remove(0);
    let mut features = vec!["attachments"];
    if typing_events {
        features.push("typing_events");
    }
    channel["restrictions"] = json!({
        "inbound": {
            "features": features,
            "attachmentPolicy": {"enabled": true, "maxSize": 1000, "type": "allow", "extensions": ["png", "txt"]},
        },
        "outbound": {"features": ["typing_events"]},
    });
    vec![channel]
}

/// Type and send one text in the open conversation; the hub accepts it.
fn say(app: &mut App, text: &str) {
    type_text(app, text);
    let effects = press_code(app, KeyCode::Enter);
    let (local_id, body) = sends(&effects)
        .into_iter()
        .find(|(_, b)| message_type(b) == "text")
        .expect("a text send");
    assert_eq!(message_text(&body), Some(text));
    send(app, accepted_reply(local_id, CONV, local_id as u32));
}

// ---------------------------------------------------------------- sending

#[test]
fn a_message_typed_before_choosing_an_account_is_sent_after_the_pick() {
    let mut app = conversation_app(false);
    type_text(&mut app, "Where is my order?");
    let effects = press_code(&mut app, KeyCode::Enter);
    assert!(
        sends(&effects).is_empty(),
        "nothing is sent before an account is chosen"
    );
    assert!(
        matches!(app.popups.top(), Some(Popup::Pick(p)) if p.items.len() == 3),
        "the role picker opens"
    );
    assert_eq!(app.conversation.composer_text(), "Where is my order?", "the text waits");
    assert!(sends(&press_code(&mut app, KeyCode::Enter)).is_empty());
    assert!(matches!(app.popups.top(), Some(Popup::Pick(p)) if p.items[0].contains("Demo Account")));
    let effects = press_code(&mut app, KeyCode::Enter);
    let sent = sends(&effects);
    assert_eq!(sent.len(), 1);
    let body = &sent[0].1;
    assert_eq!(message_type(body), "text");
    assert_eq!(message_text(body), Some("Where is my order?"));
    assert_eq!(
        body.pointer("/messages/message/0/conversation/account/address"),
        Some(&json!("demo@sandbox.local"))
    );
    assert_eq!(app.conversation.composer_text(), "");
    let conv = app.conversation.viewed().expect("the pending conversation is shown");
    assert!(conv.is_pending());
    assert_eq!(conv.entries().back().map(|e| e.status.clone()), Some(Status::Sending));
    // The fixture's roles call the sandbox, not this console: the send that
    // follows the pick must not wipe the warning that no reply will come here.
    let error = app.status.error.clone().unwrap_or_default();
    assert!(error.contains("replies will not arrive"), "{error:?}");
    // A callback for another role proves nothing; one for the customer does.
    send(
        &mut app,
        inbound("custom_agent", CONV, "text", SenderType::CustomAgent, Some("hi")),
    );
    assert!(
        app.status.error.is_some(),
        "an agent's callback leaves the customer warning"
    );
    send(&mut app, bot_says(CONV, "You said: Where is my order?"));
    assert_eq!(app.status.error, None, "a reply arrived here after all");
}

#[test]
fn a_failed_send_stays_as_a_failed_entry_with_a_retry_and_the_composer_is_untouched() {
    let mut app = conversation_app(false);
    type_text(&mut app, "hello there");
    press_code(&mut app, KeyCode::Enter);
    press_code(&mut app, KeyCode::Enter);
    let effects = press_code(&mut app, KeyCode::Enter);
    let (local_id, _) = sends(&effects).remove(0);
    assert_eq!(app.conversation.composer_text(), "");
    send(
        &mut app,
        Msg::Api(
            Owner::Conversation,
            ApiReply::Sent {
                local_id,
                result: Err(api_error(400, "400-207", "account address is not active")),
            },
        ),
    );
    assert_eq!(app.conversation.composer_text(), "", "nothing is put into the composer");
    let error = app.status.error.clone().expect("an error on the status line");
    assert!(error.contains("400-207"), "{error}");
    assert!(error.contains("account address is not active"), "{error}");
    let entry = app
        .conversation
        .viewed()
        .and_then(|c| c.entries().back().cloned())
        .expect("entry");
    assert_eq!(entry.text.as_deref(), Some("hello there"));
    assert!(
        matches!(entry.status, Status::Failed(ref e) if e.contains("400-207")),
        "{:?}",
        entry.status
    );
    // A draft typed meanwhile stays; r in the message list sends the failed one again.
    type_text(&mut app, "a draft");
    press_code(&mut app, KeyCode::Esc);
    let (retry_id, body) = sends(&press(&mut app, 'r')).remove(0);
    assert_ne!(retry_id, local_id);
    assert_eq!(message_text(&body), Some("hello there"));
    assert_eq!(app.conversation.composer_text(), "a draft");
    let conv = app.conversation.viewed().expect("conversation");
    assert_eq!(conv.entries().len(), 1, "the entry is retried in place, not duplicated");
    assert_eq!(conv.entries()[0].status, Status::Sending);
}

#[test]
fn a_failed_attachment_send_is_retried_with_its_asset() {
    let mut app = conversation_app(false);
    open_conversation(&mut app, "first", CONV);
    // The upload finished; the attachment message goes out and is refused.
    app.conversation.upload = Some(egain_console::tui::panes::conversation::Upload {
        local_id: 900,
        name: "photo.png".into(),
        done: 3,
        total: 3,
        started: std::time::Instant::now(),
        rate: 0.0,
        handle: app.conversation.conversations.viewed(),
    });
    let asset = egain_console::api::models::AssetRef {
        id: "asset-1".into(),
        name: Some("photo.png".into()),
        content_type: Some("image/png".into()),
        size: Some(3),
        extra: Default::default(),
    };
    let effects = send(
        &mut app,
        Msg::Transfer(
            Owner::Conversation,
            Transfer::UploadDone {
                local_id: 900,
                result: Ok(asset),
            },
        ),
    );
    let (local_id, body) = sends(&effects).remove(0);
    assert_eq!(
        body.pointer("/messages/message/0/content/attachments/attachment/0/id"),
        Some(&json!("asset-1"))
    );
    send(
        &mut app,
        Msg::Api(
            Owner::Conversation,
            ApiReply::Sent {
                local_id,
                result: Err(api_error(500, "500-101", "try again")),
            },
        ),
    );
    // The failed entry keeps the uploaded asset; r sends it again, nothing is uploaded twice.
    press_code(&mut app, KeyCode::Esc);
    let effects = press(&mut app, 'r');
    assert!(!effects.iter().any(|e| matches!(e, Effect::Upload { .. })));
    let (_, body) = sends(&effects).remove(0);
    assert_eq!(
        body.pointer("/messages/message/0/content/attachments/attachment/0/id"),
        Some(&json!("asset-1"))
    );
}

#[test]
fn messages_arriving_off_screen_are_counted_on_the_pane_title() {
    let mut app = conversation_app(false);
    open_conversation(&mut app, "first", CONV);
    press_code(&mut app, KeyCode::Esc);
    press(&mut app, '1');
    assert_eq!(app.focus, PaneId::Entities);
    send(&mut app, bot_says(CONV, "one"));
    send(&mut app, bot_says(CONV, "two"));
    assert_eq!(app.conversation.unseen, 2);
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("2 Conversation (2 new)"), "{screen}");
    press(&mut app, '2');
    assert_eq!(app.conversation.unseen, 0, "seen once the pane is on screen");
}

#[test]
fn a_failed_send_does_not_touch_a_new_draft() {
    let mut app = conversation_app(false);
    open_conversation(&mut app, "first", CONV);
    type_text(&mut app, "second");
    let effects = press_code(&mut app, KeyCode::Enter);
    let (local_id, _) = sends(&effects)
        .into_iter()
        .find(|(_, b)| message_type(b) == "text")
        .expect("send");
    type_text(&mut app, "draft");
    send(
        &mut app,
        Msg::Api(
            Owner::Conversation,
            ApiReply::Sent {
                local_id,
                result: Err(api_error(503, "503-100", "hub unavailable")),
            },
        ),
    );
    assert_eq!(app.conversation.composer_text(), "draft", "never merged into the draft");
    let conv = app.conversation.viewed().expect("conversation");
    let failed = conv.entries().back().expect("entry");
    assert_eq!(failed.text.as_deref(), Some("second"), "nothing typed is lost");
    assert!(matches!(failed.status, Status::Failed(_)));
}

#[test]
fn callbacks_that_beat_the_202_join_the_conversation_on_screen_as_read() {
    let mut app = conversation_app(false);
    type_text(&mut app, "hello");
    press_code(&mut app, KeyCode::Enter);
    press_code(&mut app, KeyCode::Enter);
    let (local_id, _) = sends(&press_code(&mut app, KeyCode::Enter)).remove(0);
    // The bot answers before the hub's 202 reaches the console.
    send(
        &mut app,
        inbound("customer", CONV, "typing.start", SenderType::CustomBot, None),
    );
    send(&mut app, bot_says(CONV, "You said: hello"));
    send(&mut app, accepted_reply(local_id, CONV, 1));
    assert_eq!(app.conversation.conversations.len(), 1, "one conversation");
    let conv = app.conversation.viewed().expect("on screen");
    assert_eq!(conv.id(), Some(CONV));
    let texts: Vec<_> = conv.entries().iter().map(|e| e.text.as_deref()).collect();
    assert_eq!(texts, [Some("hello"), Some("You said: hello")]);
    assert_eq!(conv.unread(), 0, "what is on screen is read");
    assert_eq!(app.conversation.conversations.total_unread(), 0);
}

#[test]
fn a_failed_opening_message_can_be_sent_again() {
    let mut app = conversation_app(false);
    type_text(&mut app, "hello");
    press_code(&mut app, KeyCode::Enter);
    press_code(&mut app, KeyCode::Enter);
    let (local_id, _) = sends(&press_code(&mut app, KeyCode::Enter)).remove(0);
    send(
        &mut app,
        Msg::Api(
            Owner::Conversation,
            ApiReply::Sent {
                local_id,
                result: Err(api_error(503, "503-100", "hub unavailable")),
            },
        ),
    );
    assert_eq!(app.conversation.composer_text(), "");
    // r in the message list: the same text opens the conversation this time.
    press_code(&mut app, KeyCode::Esc);
    let sent = sends(&press(&mut app, 'r'));
    assert_eq!(sent.len(), 1, "status: {:?}", app.status);
    let (retry, body) = &sent[0];
    assert_eq!(message_text(body), Some("hello"));
    assert_eq!(
        body.pointer("/messages/message/0/conversation/account/address"),
        Some(&json!("demo@sandbox.local")),
        "an opening message again"
    );
    send(&mut app, accepted_reply(*retry, CONV, 1));
    let conv = app.conversation.viewed().expect("conversation");
    assert_eq!(conv.id(), Some(CONV));
    assert_eq!(app.conversation.conversations.len(), 1, "still one conversation");
    let statuses: Vec<_> = conv.entries().iter().map(|e| e.status.clone()).collect();
    assert!(matches!(statuses.as_slice(), [Status::Sent]), "{statuses:?}");
}

#[test]
fn a_second_message_waits_while_the_opening_one_is_in_flight() {
    let mut app = conversation_app(false);
    type_text(&mut app, "hello");
    press_code(&mut app, KeyCode::Enter);
    press_code(&mut app, KeyCode::Enter);
    assert_eq!(sends(&press_code(&mut app, KeyCode::Enter)).len(), 1);
    type_text(&mut app, "again");
    assert!(
        sends(&press_code(&mut app, KeyCode::Enter)).is_empty(),
        "would open a second conversation"
    );
    assert_eq!(app.conversation.composer_text(), "again");
    assert!(app.status.error.as_deref().is_some_and(|e| e.contains("in flight")));
}

#[test]
fn up_and_down_move_the_cursor_in_a_multi_line_draft() {
    let mut app = conversation_app(false);
    open_conversation(&mut app, "one", CONV);
    type_text(&mut app, "ab");
    send(&mut app, key_event(KeyCode::Enter, crossterm::event::KeyModifiers::ALT));
    type_text(&mut app, "cd");
    press_code(&mut app, KeyCode::Up);
    type_text(&mut app, "X");
    assert_eq!(
        app.conversation.composer_text(),
        "abX\ncd",
        "Up moved to the first line"
    );
    press_code(&mut app, KeyCode::Down);
    type_text(&mut app, "Y");
    assert_eq!(app.conversation.composer_text(), "abX\ncdY");
}

#[test]
fn history_recall_walks_sent_texts_and_spares_a_draft() {
    let mut app = conversation_app(false);
    open_conversation(&mut app, "one", CONV);
    say(&mut app, "two");
    say(&mut app, "three");
    assert_eq!(app.conversation.history, ["one", "two", "three"]);
    press_code(&mut app, KeyCode::Up);
    assert_eq!(app.conversation.composer_text(), "three");
    press_code(&mut app, KeyCode::Up);
    assert_eq!(app.conversation.composer_text(), "two");
    press_code(&mut app, KeyCode::Up);
    press_code(&mut app, KeyCode::Up);
    assert_eq!(app.conversation.composer_text(), "one", "stops at the oldest");
    press_code(&mut app, KeyCode::Down);
    assert_eq!(app.conversation.composer_text(), "two");
    press_code(&mut app, KeyCode::Down);
    press_code(&mut app, KeyCode::Down);
    assert_eq!(app.conversation.composer_text(), "", "past the newest: empty again");
    type_text(&mut app, "draft");
    press_code(&mut app, KeyCode::Up);
    assert_eq!(app.conversation.composer_text(), "draft", "a draft is never replaced");
}

// ---------------------------------------------------------------- typing

/// Keys, and the typing notifications they sent.
fn typing_sends(effects: &[Effect]) -> Vec<String> {
    sends(effects)
        .iter()
        .map(|(_, b)| message_type(b).to_owned())
        .filter(|t| t.starts_with("typing."))
        .collect()
}

#[test]
fn typing_events_go_out_once_per_burst_where_the_channel_has_them() {
    let mut app = conversation_app(false);
    send(&mut app, listed(EntityKind::Channel, channel_with(true)));
    open_conversation(&mut app, "hi", CONV);

    let effects = type_text(&mut app, "abc");
    assert_eq!(
        typing_sends(&effects),
        ["typing.start"],
        "one start for the whole burst"
    );
    let start = &sends(&effects)[0].1;
    assert_eq!(start.pointer("/messages/message/0/conversation/id"), Some(&json!(CONV)));
    // Clearing the composer ends it.
    let effects: Vec<_> = (0..3).flat_map(|_| press_code(&mut app, KeyCode::Backspace)).collect();
    assert_eq!(typing_sends(&effects), ["typing.end"]);
    // Typing again starts again; sending ends it before the text goes out.
    assert_eq!(typing_sends(&type_text(&mut app, "ok")), ["typing.start"]);
    let effects = press_code(&mut app, KeyCode::Enter);
    let kinds: Vec<_> = sends(&effects)
        .iter()
        .map(|(_, b)| message_type(b).to_owned())
        .collect();
    assert_eq!(kinds, ["typing.end", "text"]);
    assert!(!app.conversation.typing_sent);
    // Typing notifications are not entries.
    let entries = app.conversation.viewed().expect("conversation").entries();
    assert!(entries.iter().all(|e| !e.message_type.starts_with("typing.")));
}

/// (type, conversation id) of the typing notifications among `effects`.
fn typing_to(effects: &[Effect]) -> Vec<(String, String)> {
    sends(effects)
        .iter()
        .filter(|(_, b)| message_type(b).starts_with("typing."))
        .map(|(_, b)| {
            let id = b.pointer("/messages/message/0/conversation/id").and_then(Value::as_str);
            (message_type(b).to_owned(), id.unwrap_or_default().to_owned())
        })
        .collect()
}

#[test]
fn switching_conversations_ends_typing_in_the_one_left() {
    let mut app = conversation_app(false);
    open_conversation(&mut app, "hi", CONV);
    send(&mut app, bot_says(OTHER, "a second conversation"));
    assert_eq!(
        typing_to(&type_text(&mut app, "abc")),
        [("typing.start".to_owned(), CONV.to_owned())]
    );
    press_code(&mut app, KeyCode::Esc);
    let effects = press(&mut app, ']');
    assert_eq!(app.conversation.viewed().and_then(|c| c.id()), Some(OTHER));
    assert_eq!(typing_to(&effects), [("typing.end".to_owned(), CONV.to_owned())]);
    press(&mut app, 'i');
    assert_eq!(
        typing_to(&type_text(&mut app, "d")),
        [("typing.start".to_owned(), OTHER.to_owned())],
        "the draft now types into the other conversation"
    );
}

#[test]
fn no_typing_events_where_the_channel_has_none() {
    let mut app = conversation_app(false);
    send(&mut app, listed(EntityKind::Channel, channel_with(false)));
    open_conversation(&mut app, "hi", CONV);
    let mut effects = type_text(&mut app, "abc");
    effects.extend((0..3).flat_map(|_| press_code(&mut app, KeyCode::Backspace)));
    effects.extend(type_text(&mut app, "ok"));
    effects.extend(press_code(&mut app, KeyCode::Enter));
    assert!(typing_sends(&effects).is_empty(), "{effects:?}");
    assert_eq!(sends(&effects).len(), 1, "only the text");
}

#[test]
fn no_typing_events_before_the_conversation_exists() {
    let mut app = conversation_app(false);
    send(&mut app, listed(EntityKind::Channel, channel_with(true)));
    let effects = type_text(&mut app, "hello");
    assert!(sends(&effects).is_empty());
}

#[test]
fn the_other_sides_typing_shows_until_typing_end_or_a_message() {
    let mut app = conversation_app(false);
    open_conversation(&mut app, "hi", CONV);
    let typing = |app: &App| app.conversation.viewed().and_then(|c| c.typing().cloned());
    assert_eq!(typing(&app), None);
    send(
        &mut app,
        inbound("customer", CONV, "typing.start", SenderType::CustomBot, None),
    );
    let who = typing(&app).expect("typing line");
    assert_eq!(who.sender, SenderType::CustomBot);
    assert_eq!(who.name.as_deref(), Some("Sandbox bot"));
    send(
        &mut app,
        inbound("customer", CONV, "typing.end", SenderType::CustomBot, None),
    );
    assert_eq!(typing(&app), None);
    send(
        &mut app,
        inbound("customer", CONV, "typing.start", SenderType::CustomBot, None),
    );
    assert!(typing(&app).is_some());
    send(&mut app, bot_says(CONV, "You said: hi"));
    assert_eq!(typing(&app), None, "a message ends the typing line");
}

// ---------------------------------------------------------------- rich messages, inbound

#[test]
fn a_list_picker_is_answered_with_the_option_title() {
    let mut app = conversation_app(false);
    open_conversation(&mut app, "menu", CONV);
    send(
        &mut app,
        inbound(
            "customer",
            CONV,
            "richMessage.listpicker",
            SenderType::CustomBot,
            Some(MENU_LIST_PICKER),
        ),
    );
    let entry = app
        .conversation
        .viewed()
        .and_then(|c| c.entries().back().cloned())
        .expect("entry");
    assert_eq!(entry.kind, EntryKind::Message);
    assert!(entry.rich.is_some(), "parsed as rich content");
    press_code(&mut app, KeyCode::Esc);
    press(&mut app, 'c');
    let Some(Popup::Pick(pick)) = app.popups.top() else {
        panic!("c opens the options, status: {:?}", app.status);
    };
    assert_eq!(pick.items, ["My orders", "Billing", "Talk to an agent"]);
    press_code(&mut app, KeyCode::Down);
    let effects = press_code(&mut app, KeyCode::Enter);
    assert!(app.popups.top().is_none());
    let sent = sends(&effects);
    assert_eq!(sent.len(), 1);
    assert_eq!(message_type(&sent[0].1), "text");
    assert_eq!(message_text(&sent[0].1), Some("Billing"));
    assert_eq!(
        sent[0].1.pointer("/messages/message/0/conversation/id"),
        Some(&json!(CONV))
    );
    let mine = app
        .conversation
        .viewed()
        .and_then(|c| c.entries().back().cloned())
        .expect("entry");
    assert!(mine.mine);
    assert_eq!(mine.text.as_deref(), Some("Billing"));
}

#[test]
fn c_without_a_rich_message_explains() {
    let mut app = conversation_app(false);
    open_conversation(&mut app, "hi", CONV);
    press_code(&mut app, KeyCode::Esc);
    assert!(press(&mut app, 'c').is_empty());
    assert!(app.popups.top().is_none());
    assert!(
        app.status
            .error
            .as_deref()
            .is_some_and(|e| e.contains("no list picker"))
    );
}

#[test]
fn unknown_inbound_types_are_kept_as_unhandled_entries() {
    let mut app = conversation_app(false);
    open_conversation(&mut app, "hi", CONV);
    send(
        &mut app,
        inbound(
            "customer",
            CONV,
            "survey.offer",
            SenderType::CustomBot,
            Some("{\"q\":1}"),
        ),
    );
    let entry = app
        .conversation
        .viewed()
        .and_then(|c| c.entries().back().cloned())
        .expect("entry");
    assert_eq!(entry.kind, EntryKind::Unhandled);
    assert_eq!(entry.message_type, "survey.offer");
    assert_eq!(entry.text.as_deref(), Some("{\"q\":1}"), "its content is kept");
}

#[test]
fn several_conversations_count_unread_until_viewed() {
    let mut app = conversation_app(false);
    open_conversation(&mut app, "hi", CONV);
    send(&mut app, bot_says(CONV, "You said: hi"));
    let conv = |app: &App, id: &str| {
        app.conversation
            .conversations
            .find(id, &SenderType::Customer)
            .map(|c| c.unread())
    };
    assert_eq!(conv(&app, CONV), Some(0), "the viewed conversation has nothing unread");
    // Deliveries for another conversation: counted, not shown.
    send(&mut app, bot_says(OTHER, "one"));
    send(&mut app, bot_says(OTHER, "two"));
    send(
        &mut app,
        inbound("customer", OTHER, "typing.start", SenderType::CustomBot, None),
    );
    assert_eq!(app.conversation.conversations.len(), 2);
    assert_eq!(conv(&app, OTHER), Some(2), "messages count, typing does not");
    assert_eq!(app.conversation.conversations.total_unread(), 2);
    assert_eq!(app.conversation.viewed().and_then(|c| c.id()), Some(CONV));
    // ']' in the message list switches and clears the count.
    press_code(&mut app, KeyCode::Esc);
    press(&mut app, ']');
    assert_eq!(app.conversation.viewed().and_then(|c| c.id()), Some(OTHER));
    assert_eq!(conv(&app, OTHER), Some(0));
    send(&mut app, bot_says(CONV, "back there"));
    assert_eq!(conv(&app, CONV), Some(1));
    press(&mut app, '[');
    assert_eq!(app.conversation.viewed().and_then(|c| c.id()), Some(CONV));
    assert_eq!(conv(&app, CONV), Some(0));
}

// ---------------------------------------------------------------- read-only

#[test]
fn read_only_sends_nothing_at_all() {
    let mut app = conversation_app(true);
    // A conversation the hub routed to the console, with a list picker to answer.
    send(
        &mut app,
        inbound(
            "customer",
            CONV,
            "richMessage.listpicker",
            SenderType::CustomBot,
            Some(MENU_LIST_PICKER),
        ),
    );
    assert_eq!(app.conversation.viewed().and_then(|c| c.id()), Some(CONV));
    let effects = type_text(&mut app, "answer");
    assert!(sends(&effects).is_empty(), "not even typing.start: {effects:?}");
    let effects = press_code(&mut app, KeyCode::Enter);
    assert!(sends(&effects).is_empty());
    assert!(app.status.error.as_deref().is_some_and(|e| e.contains("read-only")));
    assert_eq!(app.conversation.composer_text(), "answer", "the text stays");
    press_code(&mut app, KeyCode::Esc);
    // attach (Ctrl-O), raw JSON, new conversation, answer the picker, end, retry.
    let effects = ctrl(&mut app, 'o');
    assert!(effects.is_empty() && app.popups.top().is_none(), "{effects:?}");
    assert!(app.status.error.as_deref().is_some_and(|e| e.contains("read-only")));
    for key in ['R', 'n', 'c', 'x', 'r'] {
        app.status.error = None;
        let effects = press(&mut app, key);
        assert!(effects.is_empty(), "{key}: {effects:?}");
        assert!(app.popups.top().is_none(), "{key} opens nothing");
        assert!(
            app.status.error.as_deref().is_some_and(|e| e.contains("read-only")),
            "{key}: {:?}",
            app.status
        );
    }
}

// ---------------------------------------------------------------- attachments

#[test]
fn the_attach_prompt_passes_the_channels_policy_to_the_upload() {
    let mut app = conversation_app(false);
    send(&mut app, listed(EntityKind::Channel, channel_with(true)));
    open_conversation(&mut app, "hi", CONV);
    press_code(&mut app, KeyCode::Esc);
    ctrl(&mut app, 'o');
    assert!(matches!(app.popups.top(), Some(Popup::Prompt(_))));
    type_text(&mut app, "/tmp/photo.png");
    let effects = press_code(&mut app, KeyCode::Enter);
    let [
        Effect::Upload {
            path, policy, sender, ..
        },
    ] = effects.as_slice()
    else {
        panic!("one upload: {effects:?}");
    };
    assert_eq!(path.to_str(), Some("/tmp/photo.png"));
    assert_eq!(*sender, SenderType::Customer);
    assert_eq!(policy.as_ref().and_then(|p| p.max_size), Some(1000));
    assert!(app.conversation.upload.is_some());
    // A refusal from the runtime ends the upload with the reason and sends nothing.
    let local_id = app.conversation.upload.as_ref().map(|u| u.local_id).expect("upload");
    let effects = send(
        &mut app,
        Msg::Transfer(
            Owner::Conversation,
            Transfer::UploadDone {
                local_id,
                result: Err("refused by the channel's attachment policy: too big".into()),
            },
        ),
    );
    assert!(effects.is_empty());
    assert!(app.conversation.upload.is_none());
    assert!(app.status.error.as_deref().is_some_and(|e| e.contains("refused")));
}

fn policy(policy_type: PolicyType, max_size: u64, extensions: &[&str]) -> AttachmentPolicy {
    AttachmentPolicy {
        enabled: Some(true),
        max_size: Some(max_size),
        policy_type: Some(policy_type),
        extensions: extensions.iter().map(|e| e.to_string()).collect(),
        extra: Default::default(),
    }
}

#[tokio::test]
async fn check_attachment_refuses_by_size_name_and_policy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, len: usize| {
        let path = dir.path().join(name);
        std::fs::write(&path, vec![7u8; len]).expect("file");
        path
    };
    let small = write("photo.png", 2000);
    let exe = write("tool.exe", 10);
    let empty = write("empty.txt", 0);
    let huge = dir.path().join("huge.png");
    std::fs::File::create(&huge)
        .and_then(|f| f.set_len(10 * 1024 * 1024 + 1))
        .expect("sparse file");

    assert!(check_attachment(&small, None).await.is_ok(), "no policy: fine");
    let file = check_attachment(&small, Some(&policy(PolicyType::Allow, 10_000, &["png"])))
        .await
        .expect("allowed");
    assert_eq!((file.name.as_str(), file.size), ("photo.png", 2000));

    let over = check_attachment(&small, Some(&policy(PolicyType::Allow, 1000, &["png"]))).await;
    assert!(over.as_ref().is_err_and(|e| e.contains("limit")), "{over:?}");
    let blocked = check_attachment(&exe, Some(&policy(PolicyType::Block, 10_000, &["exe"]))).await;
    assert!(blocked.as_ref().is_err_and(|e| e.contains("blocked")), "{blocked:?}");
    let not_allowed = check_attachment(&exe, Some(&policy(PolicyType::Allow, 10_000, &["png"]))).await;
    assert!(
        not_allowed.as_ref().is_err_and(|e| e.contains("allow-list")),
        "{not_allowed:?}"
    );
    let mut disabled = policy(PolicyType::Allow, 10_000, &["png"]);
    disabled.enabled = Some(false);
    assert!(check_attachment(&small, Some(&disabled)).await.is_err());
    assert!(
        check_attachment(&empty, None).await.is_err(),
        "an empty file is refused"
    );
    let over_10 = check_attachment(&huge, None).await;
    assert!(over_10.is_err(), "over the 10 MiB asset limit: {over_10:?}");
    assert!(check_attachment(&dir.path().join("missing.png"), None).await.is_err());
}

/// A runtime on a real sandbox whose client's exchanges are watched.
async fn watched_runtime() -> (
    Runtime,
    tokio::sync::mpsc::UnboundedReceiver<Msg>,
    tokio::sync::mpsc::UnboundedReceiver<egain_console::api::Exchange>,
    sandbox::RunningSandbox,
    tempfile::TempDir,
) {
    let sandbox = sandbox::start(SandboxConfig {
        seed: Seed::Demo,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let recorder = Arc::new(Recorder::default());
    let exchanges = recorder.subscribe();
    let client = Client::new(
        ClientConfig::new(
            sandbox.urls.base.clone(),
            AuthConfig::ClientCredentials {
                token_url: sandbox.urls.token.clone(),
                client_id: sandbox.credentials.client_id.clone(),
                client_secret: Secret::new(sandbox.credentials.client_secret.clone()),
                scopes: egain_console::api::auth::DEFAULT_SCOPES
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            },
        ),
        recorder,
    )
    .expect("client");
    let dir = tempfile::tempdir().expect("temp dir");
    let (tx, rx) = unbounded_channel();
    let runtime = Runtime::new(
        client,
        tx,
        RunOptions {
            export_dir: Some(dir.path().join("export")),
            download_dir: Some(dir.path().join("downloads")),
            state_dir: Some(dir.path().join("state")),
            inbound: None,
        },
    );
    (runtime, rx, exchanges, sandbox, dir)
}

/// Wait for the upload's end, skipping progress.
async fn upload_done(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Msg>) -> Result<String, String> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("upload answered in time")
            .expect("queue open");
        if let Msg::Transfer(_, Transfer::UploadDone { result, .. }) = msg {
            return result.map(|asset| asset.id);
        }
    }
}

fn upload(path: std::path::PathBuf, policy: Option<AttachmentPolicy>) -> Effect {
    Effect::Upload {
        local_id: 1,
        path,
        channel_type: "custom.demo".into(),
        sender: SenderType::Customer,
        policy,
    }
}

#[tokio::test]
async fn a_refused_attachment_makes_no_request() {
    let (runtime, mut rx, mut exchanges, _sandbox, dir) = watched_runtime().await;
    let small = dir.path().join("photo.png");
    std::fs::write(&small, vec![1u8; 2000]).expect("file");
    let exe = dir.path().join("tool.exe");
    std::fs::write(&exe, b"MZ").expect("file");
    let huge = dir.path().join("huge.png");
    std::fs::File::create(&huge)
        .and_then(|f| f.set_len(10 * 1024 * 1024 + 1))
        .expect("sparse file");

    let refusals = [
        (small.clone(), Some(policy(PolicyType::Allow, 1000, &["png"])), "limit"),
        (exe, Some(policy(PolicyType::Block, 10_000, &["exe"])), "blocked"),
        (huge, None, "10485760"),
    ];
    for (path, policy, why) in refusals {
        runtime.perform(upload(path.clone(), policy)).expect("performed");
        let result = upload_done(&mut rx).await;
        assert!(
            result.as_ref().is_err_and(|e| e.contains(why)),
            "{}: {result:?}",
            path.display()
        );
        // The exchange of any request is recorded before the upload answers.
        assert!(
            exchanges.try_recv().is_err(),
            "{}: a request was made for a refused file",
            path.display()
        );
    }

    // The same watch sees the requests of an accepted file.
    runtime
        .perform(upload(small, Some(policy(PolicyType::Allow, 10_000, &["png"]))))
        .expect("performed");
    let id = upload_done(&mut rx).await.expect("uploaded");
    assert!(!id.is_empty());
    assert!(exchanges.try_recv().is_ok(), "an accepted upload is recorded");
}

// ---------------------------------------------------------------- composer limits, drafts, line breaks

#[test]
fn over_long_text_is_refused_before_any_request_and_the_remaining_count_shows() {
    let mut app = conversation_app(false);
    let mut channel = objects(EntityKind::Channel).remove(0);
    channel["restrictions"] = json!({"inbound": {"maxTextLength": 10}});
    send(&mut app, listed(EntityKind::Channel, vec![channel]));
    open_conversation(&mut app, "hi", CONV);
    type_text(&mut app, "four left");
    assert!(
        render(&mut app, 80, 24).contains("· 1 left"),
        "the composer counts down"
    );
    type_text(&mut app, " and more");
    assert!(render(&mut app, 80, 24).contains("· 8 too long"));
    let effects = press_code(&mut app, KeyCode::Enter);
    assert!(
        sends(&effects).iter().all(|(_, b)| message_type(b) != "text"),
        "no text goes out: {effects:?}"
    );
    let error = app.status.error.clone().expect("why not");
    assert!(error.contains("at most 10"), "{error}");
    assert_eq!(app.conversation.composer_text(), "four left and more", "the text stays");
}

#[test]
fn each_conversation_keeps_its_own_draft() {
    let mut app = conversation_app(false);
    open_conversation(&mut app, "first", CONV);
    // A second conversation arrives for the same role.
    send(&mut app, bot_says(OTHER, "hello from another chat"));
    assert_eq!(app.conversation.conversations.len(), 2);
    type_text(&mut app, "draft for the first");
    press_code(&mut app, KeyCode::Esc);
    press(&mut app, ']');
    assert_eq!(app.conversation.viewed().and_then(|c| c.id()), Some(OTHER));
    assert_eq!(
        app.conversation.composer_text(),
        "",
        "the other conversation has no draft"
    );
    press(&mut app, 'i');
    type_text(&mut app, "draft for the second");
    press_code(&mut app, KeyCode::Esc);
    let effects = press(&mut app, '[');
    assert!(
        sends(&effects).iter().all(|(_, b)| message_type(b) == "typing.end"),
        "switching sends no draft: {effects:?}"
    );
    assert_eq!(app.conversation.viewed().and_then(|c| c.id()), Some(CONV));
    assert_eq!(app.conversation.composer_text(), "draft for the first");
    press(&mut app, ']');
    assert_eq!(app.conversation.composer_text(), "draft for the second");
}

#[test]
fn ctrl_j_adds_a_line_break_where_alt_enter_does_not_reach() {
    let mut app = conversation_app(false);
    type_text(&mut app, "one");
    assert!(sends(&ctrl(&mut app, 'j')).is_empty());
    type_text(&mut app, "two");
    assert_eq!(app.conversation.composer_text(), "one\ntwo");
}

#[test]
fn a_refused_callback_delivery_is_said_in_the_conversation_pane_at_once() {
    use egain_console::api::{Direction, Exchange, ExchangeKind};
    let mut app = conversation_app(false);
    open_conversation(&mut app, "hello", CONV);
    let mut refused = Exchange::begin(
        Direction::Inbound,
        ExchangeKind::Callback,
        "POST",
        "http://127.0.0.1:8787/callback/customer",
    );
    refused.status = Some(401);
    send(&mut app, Msg::Exchange(Box::new(refused.clone())));
    let error = app.status.error.clone().expect("said on the status line");
    assert!(
        error.contains("refused (401)") && error.contains("Authentication"),
        "{error}"
    );
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("callbacks refused"), "{screen}");
    // An accepted delivery clears it.
    refused.status = Some(200);
    send(&mut app, Msg::Exchange(Box::new(refused)));
    assert!(!render(&mut app, 80, 24).contains("callbacks refused"));
}

#[test]
fn starting_as_a_role_whose_callback_is_elsewhere_warns_that_replies_will_not_arrive() {
    let mut app = conversation_app(false);
    // The fixture's roles call the sandbox, and this console runs no receiver.
    press_code(&mut app, KeyCode::Esc);
    press(&mut app, 'n');
    press(&mut app, 'j');
    press_code(&mut app, KeyCode::Enter);
    let error = app.status.error.clone().expect("a warning");
    assert!(error.contains("replies will not arrive"), "{error}");

    // With a receiver whose customer URL the application's customer role uses: no warning.
    let mut app = loaded_app(false);
    app.session.callback_urls = vec![("customer".into(), format!("{SANDBOX_ROOT}/sandbox/inbox/customer/"))];
    press(&mut app, '2');
    press(&mut app, 'n');
    press_code(&mut app, KeyCode::Enter);
    press_code(&mut app, KeyCode::Enter);
    assert_eq!(app.status.error, None);
}

#[test]
fn a_draft_is_not_sent_by_picking_a_new_conversations_account_with_n() {
    let mut app = conversation_app(false);
    open_conversation(&mut app, "first", CONV);
    // A draft for the open conversation, then `n` to start another one.
    type_text(&mut app, "half a thought for the first chat");
    press_code(&mut app, KeyCode::Esc);
    press(&mut app, 'n');
    assert!(matches!(app.popups.top(), Some(Popup::Pick(p)) if p.items.len() == 3));
    let mut effects = press_code(&mut app, KeyCode::Enter);
    effects.extend(press_code(&mut app, KeyCode::Enter));
    assert!(
        sends(&effects).iter().all(|(_, b)| message_type(b) != "text"),
        "picking where a new conversation goes sends nothing: {effects:?}"
    );
    assert!(app.conversation.composing);
    assert_eq!(
        app.conversation.composer_text(),
        "",
        "the new conversation starts with an empty composer"
    );
    // The draft stays with the conversation it was written for.
    press_code(&mut app, KeyCode::Esc);
    press(&mut app, ']');
    assert_eq!(app.conversation.viewed().and_then(|c| c.id()), Some(CONV));
    assert_eq!(app.conversation.composer_text(), "half a thought for the first chat");
}

#[test]
fn cancelling_the_account_pick_forgets_the_send_it_was_asked_for() {
    let mut app = conversation_app(false);
    type_text(&mut app, "Where is my order?");
    press_code(&mut app, KeyCode::Enter);
    press_code(&mut app, KeyCode::Esc);
    assert!(app.popups.top().is_none(), "Esc closed the role picker");
    // Later the user chooses to pick first: `n` from the message list.
    press_code(&mut app, KeyCode::Esc);
    press(&mut app, 'n');
    press_code(&mut app, KeyCode::Enter);
    let effects = press_code(&mut app, KeyCode::Enter);
    assert!(
        sends(&effects).is_empty(),
        "the cancelled send does not come back with n: {effects:?}"
    );
    assert_eq!(app.conversation.composer_text(), "Where is my order?", "the text waits");
}
