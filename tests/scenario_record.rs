//! A conversation held on the embedded sandbox the way the console holds
//! one (message templates, the console's conversation state model, the
//! callback receiver, the asset upload), recorded as a scenario file with
//! its attachment copied beside it, then replayed by `egain-console test`
//! on a fresh sandbox: green. Waits are on deliveries; timeouts only guard
//! against hangs.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio_util::sync::CancellationToken;

use egain_console::api::models::{AssetRef, ContactPoint, SenderType};
use egain_console::callback::Inbound;
use egain_console::connect::connect;
use egain_console::conversation::state::{Conversation, Conversations, Handle};
use egain_console::conversation::templates::{MessageContext, MessageTemplates, OutgoingKind};
use egain_console::sandbox::seed::{DEMO_ACCOUNT_NAME, DEMO_ADDRESS, DEMO_CHANNEL_TYPE, DEMO_ENTRY_POINT};
use egain_console::scenario::file;
use egain_console::scenario::record::{RecordOptions, record, save};

const TIMEOUT: Duration = Duration::from_secs(30);

/// The customer side of a conversation, as the console's send path and inbound loop run it.
struct Customer {
    client: egain_console::api::Client,
    templates: MessageTemplates,
    conversations: Conversations,
    inbound: UnboundedReceiver<Inbound>,
    handle: Option<Handle>,
    next: u64,
}

impl Customer {
    fn context(&self, text: Option<&str>) -> MessageContext {
        let mut ctx = MessageContext::new(SenderType::Customer);
        ctx.account_address = DEMO_ADDRESS.into();
        ctx.channel_type = DEMO_CHANNEL_TYPE.into();
        match self.conversation().and_then(Conversation::id) {
            Some(id) => ctx.conversation_id = Some(id.to_owned()),
            None => {
                ctx.entry_point = Some(DEMO_ENTRY_POINT.into());
                ctx.contact = Some(ContactPoint {
                    contact_type: "email".into(),
                    sub_type: None,
                    address: "recorder@example.com".into(),
                    extra: Default::default(),
                });
            }
        }
        ctx.text = text.map(str::to_owned);
        ctx
    }

    fn conversation(&self) -> Option<&Conversation> {
        self.handle.and_then(|h| self.conversations.get(h))
    }

    async fn send(&mut self, kind: OutgoingKind, ctx: MessageContext) {
        let body = self.templates.build(kind, &ctx).expect("message builds");
        self.next += 1;
        let local = self.next;
        if let Some(h) = self.conversations.record_outgoing(local, kind, &ctx) {
            self.handle = Some(h);
        }
        let response = self.client.send_messages_raw(&body).await.expect("the hub accepts it");
        if let Some(h) = self.conversations.mark_sent(local, &response) {
            self.handle = Some(h);
        }
    }

    async fn say(&mut self, text: &str) {
        let ctx = self.context(Some(text));
        self.send(OutgoingKind::Text, ctx).await;
    }

    async fn attach(&mut self, path: &Path) {
        let uploaded = self
            .client
            .upload_asset(
                path,
                DEMO_CHANNEL_TYPE,
                SenderType::Customer,
                Arc::new(|_| {}),
                CancellationToken::new(),
            )
            .await
            .expect("upload");
        let mut ctx = self.context(None);
        ctx.attachments = vec![AssetRef {
            id: uploaded.ticket.id,
            name: Some(uploaded.file.name),
            content_type: Some(uploaded.file.content_type),
            size: Some(uploaded.file.size),
            extra: Default::default(),
        }];
        self.send(OutgoingKind::Attachments, ctx).await;
    }

    /// Take deliveries until the conversation holds a reply of theirs with this text.
    async fn wait_for(&mut self, what: &str, done: impl Fn(&Conversation) -> bool) {
        while !self.conversation().is_some_and(&done) {
            let delivery = tokio::time::timeout(TIMEOUT, self.inbound.recv())
                .await
                .unwrap_or_else(|_| panic!("timed out waiting for {what}: {:#?}", self.conversation()))
                .expect("receiver running");
            self.conversations
                .ingest_envelope(&SenderType::Customer, &delivery.envelope);
        }
    }
}

fn theirs(c: &Conversation, pred: impl Fn(&str, Option<&str>) -> bool) -> bool {
    c.entries()
        .iter()
        .any(|e| !e.mine && pred(&e.message_type, e.text.as_deref()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_sandbox_conversation_replays_green() {
    let dir = tempfile::tempdir().expect("temp dir");
    let png = base64::engine::general_purpose::STANDARD
        .decode(egain_console::sandbox::seed::DEMO_ICON_PNG_BASE64)
        .expect("png");
    let photo = dir.path().join("photo.png");
    std::fs::write(&photo, &png).expect("write png");

    let mut connection = connect(None, None, false).await.expect("embedded sandbox");
    let mut exchanges = std::mem::replace(&mut connection.exchanges, tokio::sync::mpsc::unbounded_channel().1);
    tokio::spawn(async move { while exchanges.recv().await.is_some() {} });
    let mut customer = Customer {
        client: connection.client.clone(),
        templates: MessageTemplates::embedded(),
        conversations: Conversations::new(),
        inbound: connection.inbound.take().expect("receiver"),
        handle: None,
        next: 0,
    };

    customer.say("hello").await;
    customer
        .wait_for("the echo", |c| theirs(c, |_, t| t == Some("You said: hello")))
        .await;
    customer.say("menu").await;
    customer
        .wait_for("the list picker", |c| theirs(c, |k, _| k == "richMessage.listpicker"))
        .await;
    customer.say("My orders").await;
    customer
        .wait_for("the pick's echo", |c| {
            theirs(c, |_, t| t == Some("You said: My orders"))
        })
        .await;
    customer.attach(&photo).await;
    customer
        .wait_for("the receipt of the photo", |c| {
            theirs(c, |_, t| {
                t.is_some_and(|t| t.starts_with("Thanks, I received photo.png"))
            })
        })
        .await;
    customer.say("a file please").await;
    customer
        .wait_for("the bot's file", |c| theirs(c, |_, t| t == Some("Here is your file.")))
        .await;
    customer.say("agent").await;
    customer
        .wait_for("the agent's greeting", |c| {
            theirs(c, |_, t| t.is_some_and(|t| t.starts_with("Hi, I'm Alex")))
        })
        .await;
    customer.say("thanks").await;
    customer
        .wait_for("the agent's answer", |c| {
            theirs(c, |_, t| t.is_some_and(|t| t.contains("\u{201c}thanks\u{201d}")))
        })
        .await;
    let ctx = customer.context(None);
    customer.send(OutgoingKind::ConversationEnd, ctx).await;
    let conversation = customer.conversation().expect("the conversation").clone();
    assert!(conversation.is_closed());

    let path = dir.path().join("recorded/sandbox-chat.yaml");
    let mut options = RecordOptions::for_path("recorded sandbox chat", &path);
    options.account = Some(DEMO_ACCOUNT_NAME.into());
    let recording = record(&conversation, &options);
    let yaml = &recording.yaml;
    for line in [
        "account: \"Demo Account\"",
        "  - send: \"hello\"\n",
        "  - expect: { from: bot, text: \"You said: hello\", within: 5s }\n",
        "  - expect: { from: bot, event: richMessage.listpicker, within: 5s }\n",
        "  - send: { attach: \"sandbox-chat-files/photo.png\" }\n",
        "  - expect: { from: bot, text: \"Here is your file.\", attachment: \"sandbox-receipt.txt\", within: 5s }\n",
        "  - expect: { from: bot, event: escalation.transfer, within: 5s }\n",
        "  - expect: { from: agent, event: agent.join, within: 5s }\n",
        "  - end: true\n",
    ] {
        assert!(yaml.contains(line), "{line:?} in:\n{yaml}");
    }
    assert!(!yaml.contains("typing"), "typing is not recorded:\n{yaml}");
    save(&connection.client, &recording, &path).await.expect("saved");
    assert_eq!(
        std::fs::read(dir.path().join("recorded/sandbox-chat-files/photo.png")).expect("copied"),
        png,
        "the attachment is copied beside the scenario byte for byte"
    );
    assert!(
        save(&connection.client, &recording, &path).await.is_err(),
        "never overwrites"
    );

    // The recording is a valid scenario file, and it replays green on a fresh sandbox.
    let parsed = file::load(&path).expect("the recording parses");
    assert_eq!(parsed.steps.len(), yaml.matches("\n  - ").count());
    let out = Command::new(env!("CARGO_BIN_EXE_egain-console"))
        .current_dir(dir.path())
        .env_remove("EGAIN_CONSOLE_CONFIG")
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .args(["test", "recorded"])
        .output()
        .expect("binary");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{yaml}\n{all}");
    assert!(all.contains("1 passed, 0 failed"), "{all}");
}
