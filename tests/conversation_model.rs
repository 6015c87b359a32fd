//! The conversation model without UI: message templates (against the spec
//! and the sandbox hub), conversation state, rich content and transcripts.

mod common;

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::routing::post;
use egain_console::api::models::conversation::{
    AssetRef, ContactPoint, Conversation as Transcript, Message, MessageEnvelope, SendMessageResponse, SenderType,
};
use egain_console::conversation::rich::{self, Rich};
use egain_console::conversation::state::{EntryKind, EventKind, Ingest, Status};
use egain_console::conversation::templates::{self, MessageContext, MessageTemplates, OutgoingKind};
use egain_console::conversation::transcript::{self, Format};
use egain_console::conversation::{Conversations, answer_text};
use egain_console::sandbox::hub::{HubOptions, MENU_LIST_PICKER};
use egain_console::sandbox::seed::{DEMO_ADDRESS, DEMO_CHANNEL_TYPE, DEMO_ENTRY_POINT};
use egain_console::sandbox::{SandboxConfig, Seed};
use egain_console::schema::Spec;
use egain_console::templates::Origin;
use serde_json::{Value, json};
use tokio::sync::mpsc;

const CONVERSATION: &str = "5f0c6a1e-2b7d-4c1a-9e3f-0123456789ab";

fn customer_context() -> MessageContext {
    MessageContext {
        participant_name: Some("Pat Customer".into()),
        account_address: DEMO_ADDRESS.into(),
        channel_type: DEMO_CHANNEL_TYPE.into(),
        entry_point: Some(DEMO_ENTRY_POINT.into()),
        contact: Some(ContactPoint {
            contact_type: "email".into(),
            sub_type: None,
            address: "pat@example.com".into(),
            extra: Default::default(),
        }),
        text: Some("Hello".into()),
        ..MessageContext::new(SenderType::Customer)
    }
}

fn attachment() -> AssetRef {
    AssetRef {
        id: "asset-1".into(),
        name: Some("bird.jpg".into()),
        content_type: Some("image/jpeg".into()),
        size: Some(3_145_728),
        extra: Default::default(),
    }
}

/// A context that suits `kind`: agents join and bots escalate in an open
/// conversation; a customer opens one with text or attachments.
fn context_for(kind: OutgoingKind) -> MessageContext {
    let mut ctx = customer_context();
    match kind {
        OutgoingKind::AgentJoin => {
            ctx.role = SenderType::CustomAgent;
            ctx.participant_name = Some("Alex".into());
        }
        OutgoingKind::EscalationTransfer => ctx.role = SenderType::CustomBot,
        _ => {}
    }
    if !kind.can_start() || ctx.role != SenderType::Customer {
        ctx.conversation_id = Some(CONVERSATION.into());
    }
    if kind == OutgoingKind::Attachments {
        ctx.attachments = vec![attachment()];
        ctx.text = None;
    }
    ctx
}

fn only_message(body: &Value) -> &Value {
    &body["messages"]["message"][0]
}

#[test]
fn every_kind_builds_a_valid_send_message_request() {
    let spec = Spec::embedded();
    let templates = MessageTemplates::embedded();
    for kind in OutgoingKind::ALL {
        for first in [true, false] {
            let mut ctx = context_for(kind);
            if !first {
                ctx.conversation_id = Some(CONVERSATION.into());
            } else if ctx.conversation_id.is_some() {
                continue;
            }
            let body = templates.build(kind, &ctx).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
            let violations = spec.validate("SendMessageRequest", &body);
            assert!(
                violations.is_empty(),
                "{kind:?} first={first}: {violations:?}\n{body:#}"
            );
            let message = only_message(&body);
            assert_eq!(message["type"]["value"], kind.message_type(), "{kind:?}");
            assert_eq!(message["sender"]["type"], ctx.role.as_str());
            assert!(message["messageId"].as_str().is_some_and(|id| id.len() == 36));
            if first {
                assert_eq!(
                    message["conversation"],
                    json!({"account": {"address": DEMO_ADDRESS, "channel": {"type": DEMO_CHANNEL_TYPE}},
                        "customer": {"contacts": {"contact": [{"type": "email", "address": "pat@example.com"}]}},
                        "entryPoint": {"id": DEMO_ENTRY_POINT}}),
                    "{kind:?}: absent subType is left out"
                );
            } else {
                assert_eq!(message["conversation"], json!({"id": CONVERSATION}), "{kind:?}");
            }
        }
    }
}

#[test]
fn built_bodies_carry_text_names_and_attachments() {
    let templates = MessageTemplates::embedded();
    let body = templates.build(OutgoingKind::Text, &customer_context()).unwrap();
    let keys: Vec<&String> = only_message(&body).as_object().unwrap().keys().collect();
    assert_eq!(keys, ["messageId", "type", "content", "sender", "conversation"]);
    assert_eq!(only_message(&body)["content"], json!({"text": "Hello"}));
    assert_eq!(
        only_message(&body)["sender"],
        json!({"type": "customer", "participant": {"name": "Pat Customer"}})
    );

    let mut ctx = context_for(OutgoingKind::Attachments);
    ctx.participant_name = None;
    let body = templates.build(OutgoingKind::Attachments, &ctx).unwrap();
    assert_eq!(
        only_message(&body)["content"],
        json!({"attachments": {"attachment": [
            {"id": "asset-1", "name": "bird.jpg", "contentType": "image/jpeg", "size": 3_145_728}]}})
    );
    assert_eq!(only_message(&body)["sender"], json!({"type": "customer"}));

    let mut ctx = customer_context();
    ctx.text = Some("braces {{conversation.id}} stay".into());
    let body = templates.build(OutgoingKind::Text, &ctx).unwrap();
    assert_eq!(
        only_message(&body)["content"]["text"],
        "braces {{conversation.id}} stay"
    );
}

#[test]
fn what_cannot_be_sent_is_refused_with_a_reason() {
    let t = MessageTemplates::embedded();
    let mut ctx = customer_context();
    ctx.text = Some("   ".into());
    assert_eq!(t.build(OutgoingKind::Text, &ctx), Err("Nothing to send.".into()));
    assert_eq!(
        t.build(OutgoingKind::Attachments, &customer_context()),
        Err("No attachment to send.".into())
    );
    let err = t.build(OutgoingKind::TypingStart, &customer_context()).unwrap_err();
    assert!(err.contains("No conversation yet"), "{err}");
    let mut agent = customer_context();
    agent.role = SenderType::CustomAgent;
    let err = t.build(OutgoingKind::Text, &agent).unwrap_err();
    assert!(err.contains("cannot open a conversation"), "{err}");
    let mut no_entry = customer_context();
    no_entry.entry_point = Some(String::new());
    let err = t.build(OutgoingKind::Text, &no_entry).unwrap_err();
    assert_eq!(
        err,
        "first.json + text.json: {{entryPoint.id}} (the entry point) has no value (at $.conversation.entryPoint.id)"
    );
}

#[test]
fn a_user_template_replaces_the_shipped_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("text.json"),
        r#"{"type": {"value": "text"}, "content": {"text": "{{text}}", "redact": true}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("envelope.json"),
        r#"{"metadata": {"attributes": [{"name": "via", "value": "console"}]}, "messages": {"message": ["{{message}}"]}}"#,
    )
    .unwrap();
    let t = MessageTemplates::load(Some(dir.path())).unwrap();
    assert_eq!(t.origin("text.json"), Some(&Origin::User(dir.path().join("text.json"))));
    assert_eq!(t.origin("first.json"), Some(&Origin::Embedded));
    assert_eq!(t.overrides().len(), 2);
    let body = t.build(OutgoingKind::Text, &customer_context()).unwrap();
    assert_eq!(only_message(&body)["content"], json!({"text": "Hello", "redact": true}));
    assert_eq!(body["metadata"]["attributes"][0]["value"], "console");
    assert!(Spec::embedded().validate("SendMessageRequest", &body).is_empty());

    // A broken file names itself and the line; a missing directory is fine.
    std::fs::write(dir.path().join("answer.json"), "{\n  \"type\": oops\n}").unwrap();
    let err = MessageTemplates::load(Some(dir.path())).unwrap_err().to_string();
    assert!(err.contains("answer.json") && err.contains("line 2"), "{err}");
    assert!(MessageTemplates::load(Some(&dir.path().join("absent"))).is_ok());
    assert_eq!(templates::file_names().count(), 11);
}

// ---- state ----

fn inbound(id: &str, kind: &str, sender: SenderType, name: Option<&str>, text: Option<&str>) -> Message {
    let mut value = json!({
        "id": id, "messageId": format!("m-{id}"), "type": {"value": kind},
        "sender": {"type": sender.as_str()},
        "created": "2024-05-01T10:00:00.000Z",
        "conversation": {"id": CONVERSATION,
            "account": {"address": DEMO_ADDRESS, "channel": {"type": DEMO_CHANNEL_TYPE}}}
    });
    if let Some(name) = name {
        value["sender"]["participant"] = json!({"name": name});
    }
    if let Some(text) = text {
        value["content"] = json!({"text": text});
    }
    serde_json::from_value(value).unwrap()
}

fn bot(id: &str, kind: &str, text: Option<&str>) -> Message {
    inbound(id, kind, SenderType::CustomBot, Some("Demo Bot"), text)
}

fn accepted(conversation: &str, hub_id: &str) -> SendMessageResponse {
    serde_json::from_value(json!({"messages": {"message": [
        {"id": hub_id, "messageId": "x", "conversation": {"id": conversation}}]}}))
    .unwrap()
}

#[test]
fn inbound_messages_route_dedupe_and_keep_order() {
    let me = SenderType::Customer;
    let mut c = Conversations::new();
    let Ingest::Added(h) = c.ingest_inbound(&me, &bot("1", "text", Some("one"))) else {
        panic!("first delivery adds")
    };
    assert_eq!(c.ingest_inbound(&me, &bot("2", "text", Some("two"))), Ingest::Added(h));
    assert_eq!(
        c.ingest_inbound(&me, &bot("1", "text", Some("one"))),
        Ingest::Duplicate(h)
    );
    assert_eq!(
        c.ingest_inbound(&me, &bot("3", "customer.info", None)),
        Ingest::Added(h)
    );
    let mut orphan = bot("4", "text", Some("?"));
    orphan.conversation = None;
    assert_eq!(c.ingest_inbound(&me, &orphan), Ingest::NoConversation);

    let conv = c.get(h).unwrap();
    assert_eq!(conv.id(), Some(CONVERSATION));
    assert_eq!(conv.account().map(|a| a.address.as_str()), Some(DEMO_ADDRESS));
    let seen: Vec<(&str, EntryKind)> = conv
        .entries()
        .iter()
        .map(|e| (e.text.as_deref().unwrap_or(&e.message_type), e.kind))
        .collect();
    assert_eq!(
        seen,
        [
            ("one", EntryKind::Message),
            ("two", EntryKind::Message),
            ("customer.info", EntryKind::Unhandled)
        ]
    );
    assert_eq!(conv.entries()[0].sender_name.as_deref(), Some("Demo Bot"));
    assert_eq!(conv.entries()[0].status, Status::Received);
    // Another role sees the same conversation separately.
    let Ingest::Added(other) = c.ingest_inbound(&SenderType::CustomAgent, &bot("1", "text", Some("one"))) else {
        panic!("other role adds")
    };
    assert_ne!(other, h);
    assert_eq!(c.len(), 2);
}

#[test]
fn typing_unread_and_end() {
    let me = SenderType::Customer;
    let mut c = Conversations::new();
    let Ingest::Typing(h) = c.ingest_inbound(&me, &bot("t1", "typing.start", None)) else {
        panic!("typing")
    };
    let typing = c.get(h).unwrap().typing().cloned().unwrap();
    assert_eq!(typing.name.as_deref(), Some("Demo Bot"));
    assert_eq!(c.get(h).unwrap().unread(), 0, "typing is not unread");
    c.ingest_inbound(&me, &bot("t2", "typing.end", None));
    assert!(c.get(h).unwrap().typing().is_none());
    c.ingest_inbound(&me, &bot("t3", "typing.start", None));
    c.ingest_inbound(&me, &bot("m1", "text", Some("hi")));
    assert!(c.get(h).unwrap().typing().is_none(), "a message clears typing");
    c.ingest_inbound(&me, &bot("m2", "richMessage.listpicker", Some(MENU_LIST_PICKER)));
    assert_eq!(c.get(h).unwrap().unread(), 2);
    assert_eq!(c.total_unread(), 2);

    c.view(h);
    assert_eq!(c.get(h).unwrap().unread(), 0);
    c.ingest_inbound(&me, &bot("m3", "text", Some("seen at once")));
    assert_eq!(c.get(h).unwrap().unread(), 0, "the viewed conversation gets no unread");
    c.unview();

    let mut end = inbound(
        "e1",
        "conversation.end",
        SenderType::Other("system".into()),
        Some("hub"),
        None,
    );
    end.content = None;
    c.ingest_inbound(&me, &end);
    let conv = c.get(h).unwrap();
    assert!(conv.is_closed());
    assert_eq!(conv.unread(), 1);
    let last = conv.entries().back().unwrap();
    assert_eq!(last.kind, EntryKind::Event(EventKind::ConversationEnd));
    assert_eq!(last.sender, SenderType::Other("system".into()));
    let picker = &conv.entries()[1];
    assert!(matches!(picker.rich, Some(Rich::ListPicker { .. })), "{picker:?}");
}

#[test]
fn a_first_message_is_pending_until_the_hub_names_the_conversation() {
    let mut c = Conversations::new();
    let ctx = customer_context();
    let h = c.record_outgoing(1, OutgoingKind::Text, &ctx).unwrap();
    assert_eq!(c.record_outgoing(99, OutgoingKind::TypingStart, &ctx), None);
    let conv = c.get(h).unwrap();
    assert!(conv.is_pending());
    assert_eq!(
        c.pending(&SenderType::Customer, DEMO_ADDRESS, DEMO_CHANNEL_TYPE)
            .map(|p| p.handle()),
        Some(h)
    );
    assert_eq!(conv.entries()[0].status, Status::Sending);
    assert!(conv.entries()[0].mine);

    // The bot's typing and reply beat the 202: they open the conversation by id.
    c.ingest_inbound(&SenderType::Customer, &bot("b1", "text", Some("You said: Hello")));
    assert_eq!(c.len(), 2);
    assert_eq!(c.mark_sent(1, &accepted(CONVERSATION, "hub-1")), Some(h));
    assert_eq!(c.len(), 1, "merged into the pending one");
    let conv = c.get(h).unwrap();
    assert_eq!(conv.id(), Some(CONVERSATION));
    let texts: Vec<_> = conv
        .entries()
        .iter()
        .map(|e| (e.text.clone().unwrap(), e.status.clone()))
        .collect();
    assert_eq!(
        texts,
        [
            ("Hello".to_string(), Status::Sent),
            ("You said: Hello".to_string(), Status::Received)
        ]
    );
    assert_eq!(conv.unread(), 1);
    assert_eq!(c.find(CONVERSATION, &SenderType::Customer).map(|x| x.handle()), Some(h));
    // Later deliveries land in it; a hub echo of our own message is a duplicate.
    assert_eq!(
        c.ingest_inbound(&SenderType::Customer, &bot("b2", "text", Some("more"))),
        Ingest::Added(h)
    );
    assert_eq!(
        c.ingest_inbound(&SenderType::Customer, &bot("hub-1", "text", Some("Hello"))),
        Ingest::Duplicate(h)
    );
    assert_eq!(c.mark_sent(1, &accepted(CONVERSATION, "hub-1")), None, "answered once");

    // Ending it from our side closes it once accepted.
    let mut end = ctx.clone();
    end.conversation_id = Some(CONVERSATION.into());
    end.text = None;
    assert_eq!(c.record_outgoing(2, OutgoingKind::ConversationEnd, &end), Some(h));
    assert!(!c.get(h).unwrap().is_closed());
    c.mark_sent(2, &SendMessageResponse::default());
    assert!(c.get(h).unwrap().is_closed());
    let last = c.get(h).unwrap().entries().back().unwrap().clone();
    assert_eq!(
        (last.kind, last.mine),
        (EntryKind::Event(EventKind::ConversationEnd), true)
    );
}

#[test]
fn a_failed_send_keeps_its_text_for_the_composer() {
    let mut c = Conversations::new();
    let mut ctx = customer_context();
    ctx.text = Some("Where is my order #123?\nIt was due Monday.".into());
    ctx.attachments = vec![attachment()];
    let h = c.record_outgoing(7, OutgoingKind::Attachments, &ctx).unwrap();
    let failed = c.mark_failed(7, "400-143: Required attribute is missing").unwrap();
    assert_eq!(failed.handle, h);
    assert_eq!(failed.text.as_deref(), ctx.text.as_deref());
    assert_eq!(failed.attachments, vec![attachment()]);
    let entry = c.get(h).unwrap().by_local_id(7).unwrap();
    assert_eq!(
        entry.status,
        Status::Failed("400-143: Required attribute is missing".into())
    );
    assert_eq!(entry.text.as_deref(), ctx.text.as_deref());
    assert!(c.get(h).unwrap().is_pending(), "still pending: a retry reuses it");
    assert_eq!(c.record_outgoing(8, OutgoingKind::Text, &ctx), Some(h));
    assert_eq!(c.mark_failed(7, "again"), None, "answered once");
}

#[test]
fn memory_is_capped_per_conversation() {
    let me = SenderType::Customer;
    let mut c = Conversations::with_cap(3);
    for i in 0..5 {
        c.ingest_inbound(&me, &bot(&format!("id{i}"), "text", Some(&i.to_string())));
    }
    let conv = c.iter().next().unwrap();
    assert_eq!(conv.dropped(), 2);
    let texts: Vec<_> = conv.entries().iter().filter_map(|e| e.text.as_deref()).collect();
    assert_eq!(texts, ["2", "3", "4"]);
    assert_eq!(Conversations::new().cap(), 10_000);
}

#[test]
fn a_raw_body_is_recorded_like_a_built_one() {
    let mut c = Conversations::new();
    let body = MessageTemplates::embedded()
        .build(OutgoingKind::Text, &customer_context())
        .unwrap();
    let envelope: MessageEnvelope = serde_json::from_value(body).unwrap();
    let message = &envelope.messages.message[0];
    let h = c.record_outgoing_message(1, message).unwrap();
    assert_eq!(
        c.pending(&SenderType::Customer, DEMO_ADDRESS, DEMO_CHANNEL_TYPE)
            .map(|p| p.handle()),
        Some(h)
    );
    let entry = c.get(h).unwrap().by_local_id(1).unwrap();
    assert_eq!(
        (entry.text.as_deref(), entry.mine, &entry.status),
        (Some("Hello"), true, &Status::Sending)
    );
    let mut typing = message.clone();
    typing.message_type.value = "typing.start".into();
    assert_eq!(c.record_outgoing_message(2, &typing), None);
}

// ---- rich ----

#[test]
fn the_sandbox_bots_list_picker_reads_and_answers() {
    let rich = Rich::parse("richMessage.listpicker", MENU_LIST_PICKER);
    let Rich::ListPicker { sections, multiple, .. } = &rich else {
        panic!("{rich:?}")
    };
    assert!(!multiple);
    assert_eq!(sections.len(), 1);
    assert_eq!(sections[0].items[2].id, "agent");
    assert_eq!(
        rich.to_lines(),
        [
            "How can we help?",
            "Pick a topic",
            "Topics",
            "  1. My orders \u{2014} Track or change an order",
            "  2. Billing \u{2014} Invoices and payments",
            "  3. Talk to an agent \u{2014} Hand over to a person",
        ]
    );
    assert_eq!(answer_text(&rich, 2).as_deref(), Some("Talk to an agent"));
    assert_eq!(rich.choice(0).map(|c| c.id).as_deref(), Some("orders"));
    assert_eq!(answer_text(&rich, 3), None);
}

#[test]
fn malformed_rich_content_shows_raw() {
    for (kind, text) in [
        ("richMessage.listpicker", "{not json"),
        (
            "richMessage.listpicker",
            r#"{"type":"list","list":{"sections":[{"items":[]}]}}"#,
        ),
        ("richMessage.listpicker", r#"["a","b"]"#),
        ("richMessage.quickreply", r#"{"title":"t"}"#),
        ("richMessage.richlink", r#"{"images":[{"title":"no link"}]}"#),
        ("richMessage.timepicker", r#"{"title":"when?"}"#),
    ] {
        let rich = Rich::parse(kind, text);
        assert_eq!(rich, Rich::Unknown(text.into()), "{kind} {text}");
        assert_eq!(rich.to_lines(), text.lines().collect::<Vec<_>>());
        assert_eq!(answer_text(&rich, 0), None);
    }
    assert!(rich::is_rich_type("richMessage.form"));
}

// ---- transcript ----

fn fixed_transcript() -> Transcript {
    serde_json::from_value(json!({
        "id": "21822806-88c3-43b3-8eed-097b4f0d68a7",
        "account": {"address": "1000", "channel": {"type": "web_chat"}},
        "conversationContact": "phone.mobile",
        "entryPoint": {"id": "1000"},
        "customer": {"name": "John smith", "type": "individual",
            "contacts": {"contact": [{"type": "phone", "subType": "mobile", "address": "123456788"},
                                     {"type": "email", "address": "johnsmith@example.com"}]}},
        "messages": {"message": [
            {"id": "1", "type": {"value": "text"}, "content": {"text": "I need help with my order."},
             "sender": {"type": "customer", "participant": {"name": "John smith"}},
             "created": "2021-03-30T22:58:09.533Z"},
            {"id": "2", "type": {"value": "typing.start"}, "sender": {"type": "custom_bot"},
             "created": "2021-03-30T22:58:10.000Z"},
            {"id": "3", "type": {"value": "richMessage.listpicker"}, "content": {"text": MENU_LIST_PICKER},
             "sender": {"type": "custom_bot", "participant": {"name": "Demo Bot"}},
             "created": "2021-03-30T22:58:11.709Z"},
            {"id": "4", "type": {"value": "escalation.transfer"}, "sender": {"type": "custom_bot"},
             "created": "2021-03-30T22:58:12.000Z"},
            {"id": "5", "type": {"value": "agent.join"},
             "sender": {"type": "custom_agent", "participant": {"name": "Alex"}},
             "created": "2021-03-30T22:58:13.000Z"},
            {"id": "6", "type": {"value": "text"},
             "content": {"text": "Here is the receipt.\nAnything else?",
                "attachments": {"attachment": [{"id": "a1", "name": "receipt.pdf",
                    "contentType": "application/pdf", "size": 3145728}]}},
             "sender": {"type": "custom_agent", "participant": {"name": "Alex"}},
             "created": "2021-03-30T22:59:00.100Z"},
            {"id": "7", "type": {"value": "conversation.end"}, "sender": {"type": "system", "participant": {"name": "hub"}},
             "created": "2021-03-30T23:10:00.000Z"}
        ]}
    }))
    .unwrap()
}

const EXPECTED_MARKDOWN: &str = "\
# Conversation 21822806-88c3-43b3-8eed-097b4f0d68a7

- Account: 1000
- Channel: web_chat
- Entry point: 1000
- Customer: John smith (individual)
  - phone.mobile: 123456788
  - email: johnsmith@example.com
- Contact used: phone.mobile

## Messages (6)

- 2021-03-30 22:58:09 **John smith (customer)** text: I need help with my order.
- 2021-03-30 22:58:11 **Demo Bot (custom_bot)** richMessage.listpicker:
  How can we help?
  Pick a topic
  Topics
    1. My orders \u{2014} Track or change an order
    2. Billing \u{2014} Invoices and payments
    3. Talk to an agent \u{2014} Hand over to a person
- 2021-03-30 22:58:12 _escalation.transfer by custom\\_bot_
- 2021-03-30 22:58:13 _agent.join by Alex (custom\\_agent)_
- 2021-03-30 22:59:00 **Alex (custom_agent)** text: Here is the receipt.
  Anything else?
  - attachment: receipt.pdf (application/pdf, 3.0 MiB)
- 2021-03-30 23:10:00 _conversation.end by hub (system)_
";

#[test]
fn markdown_transcript_of_a_fixed_conversation() {
    assert_eq!(transcript::to_markdown(&fixed_transcript()), EXPECTED_MARKDOWN);
}

#[test]
fn transcripts_save_without_overwriting() {
    let dir = tempfile::tempdir().unwrap();
    let t = fixed_transcript();
    let md = transcript::save(dir.path(), &t, Format::Markdown).unwrap();
    let md2 = transcript::save(dir.path(), &t, Format::Markdown).unwrap();
    let js = transcript::save(dir.path(), &t, Format::Json).unwrap();
    assert_eq!(
        md.file_name().unwrap(),
        "conversation-21822806-88c3-43b3-8eed-097b4f0d68a7.md"
    );
    assert_eq!(
        md2.file_name().unwrap(),
        "conversation-21822806-88c3-43b3-8eed-097b4f0d68a7 (1).md"
    );
    assert_eq!(std::fs::read_to_string(&md).unwrap(), EXPECTED_MARKDOWN);
    let back: Transcript = serde_json::from_str(&std::fs::read_to_string(&js).unwrap()).unwrap();
    assert_eq!(back, t);
}

// ---- against the sandbox hub ----

/// Stand-in for the callback receiver: every delivery to `/{role}` lands in a channel.
async fn receiver() -> (String, mpsc::UnboundedReceiver<(String, MessageEnvelope)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = Router::new()
        .route(
            "/{role}",
            post(
                |State(tx): State<mpsc::UnboundedSender<(String, MessageEnvelope)>>,
                 UrlPath(role): UrlPath<String>,
                 body: Bytes| async move {
                    match serde_json::from_slice::<MessageEnvelope>(&body) {
                        Ok(envelope) => {
                            let _ = tx.send((role, envelope));
                            StatusCode::OK
                        }
                        Err(_) => StatusCode::BAD_REQUEST,
                    }
                },
            ),
        )
        .with_state(tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, rx)
}

/// Ingest deliveries until one of type `kind` reaches `role`.
async fn ingest_until(
    rx: &mut mpsc::UnboundedReceiver<(String, MessageEnvelope)>,
    state: &mut Conversations,
    kind: &str,
    role_path: &str,
) -> Message {
    loop {
        let (role, envelope) = common::within(kind, rx.recv()).await.expect("receiver runs");
        let as_role = match role.as_str() {
            "customer" => SenderType::Customer,
            _ => SenderType::CustomAgent,
        };
        state.ingest_envelope(&as_role, &envelope);
        if let Some(m) = envelope
            .messages
            .message
            .iter()
            .find(|m| m.kind() == kind && role == role_path)
        {
            return m.clone();
        }
    }
}

#[tokio::test]
async fn templates_and_state_follow_a_sandbox_conversation() {
    let (base, mut rx) = receiver().await;
    let sb = common::sandbox_with(SandboxConfig {
        seed: Seed::Demo,
        hub: HubOptions {
            bot_delay: Duration::ZERO,
            agent_delay: Duration::ZERO,
            demo_callback_base: Some(base),
            ..HubOptions::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let (client, _log) = common::client(&sb);
    let templates = MessageTemplates::embedded();
    let mut state = Conversations::new();

    // The customer opens the conversation and asks for the menu.
    let mut ctx = customer_context();
    ctx.text = Some("menu please".into());
    let body = templates.build(OutgoingKind::Text, &ctx).unwrap();
    let h = state.record_outgoing(1, OutgoingKind::Text, &ctx).unwrap();
    let sent = client.send_messages_raw(&body).await.expect("first message accepted");
    state.mark_sent(1, &sent);
    let id = sent.conversation_id().expect("hub names the conversation").to_owned();

    let picker = ingest_until(&mut rx, &mut state, "richMessage.listpicker", "customer").await;
    assert_eq!(
        state.len(),
        1,
        "deliveries land in the conversation the customer opened"
    );
    let conv = state.get(h).unwrap();
    assert_eq!(conv.id(), Some(id.as_str()));
    assert!(conv.typing().is_none(), "typing.end came before the picker");
    let rich = Rich::parse(picker.kind(), picker.text().unwrap());
    assert_eq!(conv.entries().back().unwrap().rich.as_ref(), Some(&rich));

    // Picking "Talk to an agent" escalates; the console is the agent too.
    ctx.conversation_id = Some(id.clone());
    ctx.text = answer_text(&rich, 2);
    ctx.answer_id = rich.choice(2).map(|c| c.id);
    let body = templates.build(OutgoingKind::Answer, &ctx).unwrap();
    state.record_outgoing(2, OutgoingKind::Answer, &ctx);
    let sent = client.send_messages_raw(&body).await.expect("answer accepted");
    assert_eq!(state.mark_sent(2, &sent), Some(h));
    ingest_until(&mut rx, &mut state, "escalation.transfer", "agent").await;

    let mut agent = ctx.clone();
    agent.role = SenderType::CustomAgent;
    agent.participant_name = Some("Alex".into());
    agent.text = Some("Hi, Alex here.".into());
    for (local, kind) in [(3, OutgoingKind::AgentJoin), (4, OutgoingKind::Text)] {
        let body = templates.build(kind, &agent).unwrap();
        state.record_outgoing(local, kind, &agent);
        let sent = client.send_messages_raw(&body).await.expect("agent message accepted");
        state.mark_sent(local, &sent);
    }
    ingest_until(&mut rx, &mut state, "text", "customer").await;
    let conv = state.get(h).unwrap();
    let agent_view = state.find(&id, &SenderType::CustomAgent).expect("the agent's view");
    assert!(
        agent_view
            .entries()
            .iter()
            .any(|e| e.kind == EntryKind::Event(EventKind::AgentJoin) && e.mine)
    );
    let last = conv.entries().back().unwrap();
    assert_eq!(
        (last.text.as_deref(), last.sender_name.as_deref()),
        (Some("Hi, Alex here."), Some("Alex"))
    );

    // The customer ends it; the transcript shows the same conversation.
    let end = MessageContext {
        text: None,
        ..ctx.clone()
    };
    let body = templates.build(OutgoingKind::ConversationEnd, &end).unwrap();
    state.record_outgoing(5, OutgoingKind::ConversationEnd, &end);
    let sent = client.send_messages_raw(&body).await.expect("end accepted");
    state.mark_sent(5, &sent);
    assert!(state.get(h).unwrap().is_closed());
    let transcript = client.get_conversation(&id).await.expect("transcript");
    let markdown = transcript::to_markdown(&transcript);
    for line in [
        "**Pat Customer (customer)** text: menu please",
        "3. Talk to an agent",
        "**Pat Customer (customer)** text: Talk to an agent",
        "_agent.join by Alex (custom\\_agent)_",
        "**Alex (custom_agent)** text: Hi, Alex here.",
        "_conversation.end by Pat Customer (customer)_",
    ] {
        assert!(markdown.contains(line), "{line:?} missing from\n{markdown}");
    }
    sb.shutdown().await;
}
