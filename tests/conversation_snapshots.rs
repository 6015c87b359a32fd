//! The Conversation pane as drawn: a customer talking to the bot and then the
//! agent, the typing line, a list picker, an upload gauge, several
//! conversations with unread counts, a failed send, and the start and
//! transcript popups, rendered on a `TestBackend` at 80x24 and 120x40 and
//! compared with the committed insta snapshots.
//!
//! State is built the way the console builds it: keys through `update`,
//! the `Effect::Send`s they produce answered with fake `ApiReply::Sent`s,
//! and the hub's deliveries fed as `Msg::Inbound` with fixed timestamps.
//! Our own messages carry the send time (the wall clock): it is masked.
//!
//! Update after an intended change with
//! `INSTA_UPDATE=always cargo test --test conversation_snapshots` and review the diff.

mod common_tui;

use std::time::Instant;

use crossterm::event::KeyCode;
use egain_console::api::models::conversation::{
    Conversation as Transcript, Message, MessageEnvelope, SendMessageResponse,
};
use egain_console::callback::Inbound;
use egain_console::sandbox::hub::MENU_LIST_PICKER;
use egain_console::tui::app::App;
use egain_console::tui::effect::{Call, Effect, Owner};
use egain_console::tui::msg::{ApiReply, Msg};
use egain_console::tui::panes::conversation::Upload;
use egain_console::tui::popup::Popup;
use serde_json::{Value, json};

use common_tui::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

const CONV_ID: &str = "5f0c6a1e-2b7d-4c1a-9e3f-0123456789ab";
const AGENT_CONV_1: &str = "7a1d2e3f-4b5c-4d6e-8f70-8192a3b4c5d6";
const AGENT_CONV_2: &str = "8b2e3f40-5c6d-4e7f-9081-92a3b4c5d6e7";
const DEMO_ADDRESS: &str = "demo@sandbox.local";
const SUPPORT_ADDRESS: &str = "support@sandbox.local";
const CHANNEL_TYPE: &str = "custom.demo";
const BOT_NAME: &str = "Demo Bot";
const AGENT_NAME: &str = "Alex";

/// 2024-05-02T11:30:00Z plus `secs`, as the hub stamps `created`.
fn stamp(secs: i64) -> String {
    format!("{:.3}", at(secs))
}

/// A message as the hub delivers it to a callback.
fn delivered(
    conversation: &str,
    address: &str,
    hub_id: &str,
    kind: &str,
    sender: Value,
    text: Option<&str>,
    secs: i64,
) -> Message {
    let mut m = json!({
        "id": hub_id,
        "type": {"value": kind},
        "sender": sender,
        "conversation": {"id": conversation, "account": {"address": address, "channel": {"type": CHANNEL_TYPE}}},
        "created": stamp(secs),
    });
    if let Some(text) = text {
        m["content"] = json!({"text": text});
    }
    serde_json::from_value(m).expect("fixture message")
}

fn bot() -> Value {
    json!({"type": "custom_bot", "participant": {"name": BOT_NAME}})
}

fn agent() -> Value {
    json!({"type": "custom_agent", "participant": {"name": AGENT_NAME}})
}

fn customer() -> Value {
    json!({"type": "customer", "participant": {"name": "Pat Customer"}})
}

/// Deliver one message to the console's callback for `role`.
fn inbound(app: &mut App, role: &str, message: Message, secs: i64) {
    let effects = send(
        app,
        Msg::Inbound(Box::new(Inbound {
            role: role.into(),
            received: at(secs),
            envelope: MessageEnvelope::single(message),
            exchange_id: 100 + secs as u64,
        })),
    );
    assert!(effects.is_empty(), "{effects:?}");
}

/// A bot or agent message in the customer's conversation, delivered to the customer callback.
fn to_customer(app: &mut App, hub_id: &str, kind: &str, sender: Value, text: Option<&str>, secs: i64) {
    let m = delivered(CONV_ID, DEMO_ADDRESS, hub_id, kind, sender, text, secs);
    inbound(app, "customer", m, secs);
}

/// Answer every send among `effects` with the hub's 202 naming `conversation`.
/// Returns how many messages were sent.
fn accept_sends(app: &mut App, effects: Vec<Effect>, conversation: &str) -> usize {
    let mut sent = 0;
    for effect in effects {
        let Effect::Call(_, Call::Send { local_id, body }) = effect else {
            panic!("unexpected effect {effect:?}");
        };
        let message_id = body["messages"]["message"][0]["messageId"].clone();
        let response: SendMessageResponse = serde_json::from_value(json!({
            "messages": {"message": [{
                "id": format!("hub-out-{local_id}"),
                "messageId": message_id,
                "conversation": {"id": conversation},
            }]}
        }))
        .expect("response");
        send(
            app,
            Msg::Api(
                Owner::Conversation,
                ApiReply::Sent {
                    local_id,
                    result: Ok(response),
                },
            ),
        );
        sent += 1;
    }
    sent
}

/// Type a message in the composer and press Enter; the hub accepts it.
fn say(app: &mut App, text: &str) {
    let mut effects = type_text(app, text);
    effects.extend(press_code(app, KeyCode::Enter));
    assert!(accept_sends(app, effects, CONV_ID) >= 1, "{text:?} was sent");
}

/// The console on the Conversation pane, composer focused, nothing started.
fn conversation_pane() -> App {
    let mut app = loaded_app(false);
    press(&mut app, '2');
    press_code(&mut app, KeyCode::Enter);
    app
}

/// Esc to the message list, n, then customer and the first account.
fn pick_role(app: &mut App) {
    press_code(app, KeyCode::Esc);
    press(app, 'n');
}

fn start_as_customer(app: &mut App) {
    pick_role(app);
    press_code(app, KeyCode::Enter);
    assert!(matches!(app.popups.top(), Some(Popup::Pick(_))), "account pick");
    press_code(app, KeyCode::Enter);
    assert!(app.popups.top().is_none());
}

/// A customer asks the bot, the bot escalates, the agent joins and answers,
/// the agent ends the conversation.
fn full_conversation() -> App {
    let mut app = conversation_pane();
    start_as_customer(&mut app);
    say(&mut app, "Hello, where is my order #4411?");
    to_customer(&mut app, "hub-1", "typing.start", bot(), None, 1);
    to_customer(
        &mut app,
        "hub-2",
        "text",
        bot(),
        Some("You said: Hello, where is my order #4411?"),
        2,
    );
    say(&mut app, "agent please");
    to_customer(&mut app, "hub-3", "escalation.transfer", bot(), None, 8);
    to_customer(&mut app, "hub-4", "agent.join", agent(), None, 9);
    to_customer(
        &mut app,
        "hub-5",
        "text",
        agent(),
        Some("Hi, I'm Alex. Order #4411 left the warehouse this morning;\nit should arrive on Friday."),
        14,
    );
    say(&mut app, "Great, thanks!");
    to_customer(&mut app, "hub-6", "conversation.end", agent(), None, 30);
    app
}

fn typing_line() -> App {
    let mut app = conversation_pane();
    start_as_customer(&mut app);
    say(&mut app, "Do you ship to Norway?");
    to_customer(&mut app, "hub-1", "typing.start", bot(), None, 1);
    app
}

fn list_picker() -> App {
    let mut app = conversation_pane();
    start_as_customer(&mut app);
    say(&mut app, "menu");
    to_customer(&mut app, "hub-1", "typing.start", bot(), None, 1);
    to_customer(
        &mut app,
        "hub-2",
        "richMessage.listpicker",
        bot(),
        Some(MENU_LIST_PICKER),
        2,
    );
    press_code(&mut app, KeyCode::Esc);
    app
}

fn upload_gauge() -> App {
    let mut app = conversation_pane();
    start_as_customer(&mut app);
    say(&mut app, "I'll send you the receipt");
    to_customer(
        &mut app,
        "hub-1",
        "text",
        bot(),
        Some("You said: I'll send you the receipt"),
        2,
    );
    app.conversation.upload = Some(Upload {
        local_id: 90,
        name: "receipt-4411.pdf".into(),
        done: 1_572_864,
        total: 3_145_728,
        started: Instant::now(),
        rate: 524_288.0,
        handle: app.conversation.conversations.viewed(),
    });
    // The composer stays usable while the upload runs (typing.start goes out).
    let effects = type_text(&mut app, "uploading now");
    assert_eq!(accept_sends(&mut app, effects, CONV_ID), 1);
    app
}

fn several_conversations() -> App {
    let mut app = conversation_pane();
    start_as_customer(&mut app);
    say(&mut app, "Hello");
    to_customer(&mut app, "hub-1", "text", bot(), Some("You said: Hello"), 2);
    // Two conversations the hub routes to the console's agent callback.
    for (conv, address, n, first) in [
        (AGENT_CONV_1, DEMO_ADDRESS, 3, 10),
        (AGENT_CONV_2, SUPPORT_ADDRESS, 1, 20),
    ] {
        for i in 0..n {
            let secs = first + i as i64;
            let text = format!("Customer question {}", i + 1);
            let m = delivered(
                conv,
                address,
                &format!("hub-{conv}-{i}"),
                "text",
                customer(),
                Some(&text),
                secs,
            );
            inbound(&mut app, "custom_agent", m, secs);
        }
    }
    // The bot answers again while the customer conversation is on screen: read.
    to_customer(&mut app, "hub-2", "text", bot(), Some("Anything else?"), 25);
    app
}

/// More conversations than the tab row holds; the viewed one is far right.
fn many_conversations() -> App {
    let mut app = several_conversations();
    for k in 0..4 {
        let conv = format!("9c3f4051-6d7e-4f80-a192-a3b4c5d6e7f{k}");
        let secs = 40 + k;
        let m = delivered(
            &conv,
            SUPPORT_ADDRESS,
            &format!("hub-x{k}"),
            "text",
            customer(),
            Some("Hi"),
            secs,
        );
        inbound(&mut app, "custom_agent", m, secs);
    }
    // ] four times: from the customer's conversation to the fifth tab.
    press_code(&mut app, KeyCode::Esc);
    for _ in 0..4 {
        press(&mut app, ']');
    }
    app
}

fn failed_send() -> App {
    let mut app = conversation_pane();
    start_as_customer(&mut app);
    say(&mut app, "Hello");
    to_customer(&mut app, "hub-1", "text", bot(), Some("You said: Hello"), 2);
    let mut effects = type_text(&mut app, "Can I change the delivery address?");
    effects.extend(press_code(&mut app, KeyCode::Enter));
    let mut failed = 0;
    for effect in effects {
        let Effect::Call(_, Call::Send { local_id, body }) = effect else {
            panic!("unexpected effect {effect:?}");
        };
        let kind = body["messages"]["message"][0]["type"]["value"].clone();
        let result = if kind == "text" {
            failed += 1;
            Err(api_error(
                400,
                "400-113",
                "message text is longer than the channel allows",
            ))
        } else {
            Ok(
                serde_json::from_value(json!({"messages": {"message": [{"id": format!("hub-out-{local_id}")}]}}))
                    .expect("response"),
            )
        };
        send(
            &mut app,
            Msg::Api(Owner::Conversation, ApiReply::Sent { local_id, result }),
        );
    }
    assert_eq!(failed, 1);
    // The failed message stays in the conversation with its error and retry
    // key; a new draft in the composer is left alone.
    assert_eq!(app.conversation.composer_text(), "");
    type_text(&mut app, "Or should I call?");
    app
}

fn role_pick() -> App {
    let mut app = conversation_pane();
    pick_role(&mut app);
    app
}

fn account_pick() -> App {
    let mut app = role_pick();
    press_code(&mut app, KeyCode::Enter);
    press_code(&mut app, KeyCode::Down);
    app
}

fn transcript() -> App {
    let mut app = full_conversation();
    press_code(&mut app, KeyCode::Esc);
    let effects = press(&mut app, 't');
    assert_eq!(
        effects,
        vec![Effect::Call(Owner::Conversation, Call::GetTranscript(CONV_ID.into()))]
    );
    let messages: Vec<Value> = [
        ("m1", "text", customer(), Some("Hello, where is my order #4411?"), 0),
        (
            "m2",
            "text",
            bot(),
            Some("You said: Hello, where is my order #4411?"),
            2,
        ),
        ("m3", "text", customer(), Some("agent please"), 7),
        ("m4", "escalation.transfer", bot(), None, 8),
        ("m5", "agent.join", agent(), None, 9),
        (
            "m6",
            "text",
            agent(),
            Some("Hi, I'm Alex. Order #4411 left the warehouse this morning;\nit should arrive on Friday."),
            14,
        ),
        ("m7", "text", customer(), Some("Great, thanks!"), 20),
        ("m8", "conversation.end", agent(), None, 30),
    ]
    .into_iter()
    .map(|(id, kind, sender, text, secs)| {
        let mut m = json!({"id": id, "type": {"value": kind}, "sender": sender, "created": stamp(secs)});
        if let Some(text) = text {
            m["content"] = json!({"text": text});
        }
        m
    })
    .collect();
    let conversation: Transcript = serde_json::from_value(json!({
        "id": CONV_ID,
        "account": {"address": DEMO_ADDRESS, "channel": {"type": CHANNEL_TYPE}},
        "customer": {"contacts": {"contact": [{"type": "email", "address": "console.user@example.com"}]}},
        "messages": {"message": messages},
    }))
    .expect("transcript");
    send(
        &mut app,
        Msg::Api(
            Owner::Conversation,
            ApiReply::Transcript {
                id: CONV_ID.into(),
                result: Ok(Box::new(conversation)),
            },
        ),
    );
    assert!(matches!(app.popups.top(), Some(Popup::Transcript(_))));
    app
}

/// Thirty numbered messages; the selection moved up twenty: the entries
/// after it still show below it, and a marker says how many more there are.
fn scrolled_up() -> App {
    let mut app = conversation_pane();
    start_as_customer(&mut app);
    say(&mut app, "Start");
    for i in 1..=30 {
        to_customer(
            &mut app,
            &format!("hub-s{i}"),
            "text",
            bot(),
            Some(&format!("Message number {i} from the bot")),
            i,
        );
    }
    press_code(&mut app, KeyCode::Esc);
    for _ in 0..20 {
        press_code(&mut app, KeyCode::Up);
    }
    app
}

/// Wide characters wrap by display width: CJK, emoji, a family emoji
/// (one grapheme of several code points) and combining accents.
fn wide_text() -> App {
    let mut app = conversation_pane();
    start_as_customer(&mut app);
    say(
        &mut app,
        "こんにちは、注文番号4411の配送状況を教えてください。明日までに届きますか？",
    );
    to_customer(
        &mut app,
        "hub-w1",
        "text",
        bot(),
        Some("😀🎉👨‍👩‍👧 您好！您的订单已于今天早上从仓库发出，预计星期五送达。Cafe\u{301} naïve résumé 🚚📦✅"),
        2,
    );
    app
}

/// Our messages carry the wall-clock send time: replace it in their header
/// lines (found by time and sender, which no delivered entry shares).
fn mask_send_times(app: &App, text: String) -> String {
    let mut text = text;
    for conv in app.conversation.conversations.iter() {
        for entry in conv.entries().iter().filter(|e| e.mine) {
            let Some(time) = entry.time.as_deref().and_then(|t| t.get(11..19)) else {
                continue;
            };
            let who = entry.sender_name.clone().unwrap_or_else(|| entry.sender.to_string());
            for prefix in [
                format!("{time} {who}"),
                format!("{time} ── {} by {who}", entry.message_type),
            ] {
                let masked = prefix.replacen(time, "hh:mm:ss", 1);
                text = text.replace(&prefix, &masked);
            }
        }
    }
    text
}

/// A screen: how to bring a fresh console to it.
struct Screen {
    name: &'static str,
    build: fn() -> App,
}

const SCREENS: &[Screen] = &[
    Screen {
        name: "conversation_full",
        build: full_conversation,
    },
    Screen {
        name: "conversation_typing",
        build: typing_line,
    },
    Screen {
        name: "conversation_list_picker",
        build: list_picker,
    },
    Screen {
        name: "conversation_upload",
        build: upload_gauge,
    },
    Screen {
        name: "conversation_tabs_unread",
        build: several_conversations,
    },
    Screen {
        name: "conversation_tabs_overflow",
        build: many_conversations,
    },
    Screen {
        name: "conversation_failed_send",
        build: failed_send,
    },
    Screen {
        name: "conversation_role_pick",
        build: role_pick,
    },
    Screen {
        name: "conversation_account_pick",
        build: account_pick,
    },
    Screen {
        name: "conversation_transcript",
        build: transcript,
    },
    Screen {
        name: "conversation_scrolled_up",
        build: scrolled_up,
    },
    Screen {
        name: "conversation_wide_text",
        build: wide_text,
    },
];

fn snapshot(screen: &Screen) {
    for (w, h) in SIZES {
        let mut app = (screen.build)();
        let text = render(&mut app, w, h);
        let text = mask_send_times(&app, text);
        insta::assert_snapshot!(format!("{}_{w}x{h}", screen.name), text);
    }
}

macro_rules! snapshot_tests {
    ($($test:ident => $index:expr),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                snapshot(&SCREENS[$index]);
            }
        )*
    };
}

snapshot_tests! {
    full_conversation_snapshots => 0,
    typing_line_snapshots => 1,
    list_picker_snapshots => 2,
    upload_gauge_snapshots => 3,
    tabs_unread_snapshots => 4,
    tabs_overflow_snapshots => 5,
    failed_send_snapshots => 6,
    role_pick_snapshots => 7,
    account_pick_snapshots => 8,
    transcript_snapshots => 9,
    scrolled_up_snapshots => 10,
    wide_text_snapshots => 11,
}

#[test]
fn every_screen_has_a_snapshot_test() {
    assert_eq!(SCREENS.len(), 12, "add a snapshot_tests! line for each new screen");
}

#[test]
fn a_scrolled_view_shows_what_follows_the_selection_and_no_cell_is_clipped() {
    // Scrolled up: the selection and the entries after it are on screen, with the marker.
    let mut app = scrolled_up();
    for (w, h) in SIZES {
        let text = render(&mut app, w, h);
        assert!(text.contains("Message number 10 from"), "the selection shows:\n{text}");
        assert!(
            text.contains("Message number 11 from"),
            "the next entry shows below it:\n{text}"
        );
        assert!(text.contains("new below"), "{text}");
    }
    press(&mut app, 'G');
    assert_eq!(app.conversation.selected, None, "G follows the newest again");
    let text = render(&mut app, 80, 24);
    assert!(
        text.contains("Message number 30 from") && !text.contains("new below"),
        "{text}"
    );

    // Wide text: every character of each message is on screen, in order.
    let mut app = wide_text();
    for (w, h) in SIZES {
        let text = render(&mut app, w, h);
        let joined: String = text
            .lines()
            // The conversation pane: the right column when the layout is wide.
            .map(|l| {
                l.rsplit("││")
                    .next()
                    .unwrap_or(l)
                    .trim_matches(|c| c == '│' || c == ' ')
            })
            .collect::<Vec<_>>()
            .concat()
            .replace(' ', "");
        for expected in [
            "こんにちは、注文番号4411の配送状況を教えてください。明日までに届きますか？",
            "😀🎉👨‍👩‍👧您好！您的订单已于今天早上从仓库发出，预计星期五送达。",
            "🚚📦✅",
        ] {
            assert!(joined.contains(expected), "{w}x{h}: {expected} is cut:\n{text}");
        }
    }
}

#[test]
fn the_built_state_is_what_the_screens_claim() {
    let app = full_conversation();
    let conv = app.conversation.viewed().expect("viewed");
    assert_eq!(conv.id(), Some(CONV_ID));
    assert!(conv.is_closed());
    assert_eq!(conv.entries().iter().filter(|e| e.mine).count(), 3);
    assert!(conv.entries().iter().all(|e| !matches!(
        e.status,
        egain_console::conversation::Status::Sending | egain_console::conversation::Status::Failed(_)
    )));

    let app = typing_line();
    assert!(app.conversation.viewed().and_then(|c| c.typing()).is_some());

    let app = several_conversations();
    let unread: Vec<usize> = app.conversation.conversations.iter().map(|c| c.unread()).collect();
    assert_eq!(unread, vec![0, 3, 1]);

    let app = list_picker();
    let rich = app
        .conversation
        .viewed()
        .and_then(|c| c.entries().back())
        .and_then(|e| e.rich.clone());
    assert_eq!(rich.map(|r| r.choices().len()), Some(3));
}
