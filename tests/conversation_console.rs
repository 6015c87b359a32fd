//! The conversation pane end to end, without a terminal: the embedded
//! sandbox, the console's callback receiver and the app's real update loop
//! (`update` + `Runtime::perform`), driven by key events. A customer says
//! hello and gets the bot's echo through the callback, sends a 3 MiB photo
//! that reaches the hub byte for byte, escalates to the simulated agent,
//! ends the conversation and opens the transcript, which must hold what
//! the pane showed. Waits are on the app's state; timeouts only guard
//! against hangs.

mod common_tui;

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

use common_tui::live::start;

use egain_console::api::Direction;
use egain_console::api::models::{EntityKind, SenderType};
use egain_console::api::transfer::{Progress, ProgressFn};
use egain_console::conversation::state::{Conversation, EntryKind, EventKind, Status};
use egain_console::tui::app::PaneId;
use egain_console::tui::msg::Msg;
use egain_console::tui::popup::Popup;

/// The photo the customer attaches.
const PHOTO_SIZE: usize = 3 * 1024 * 1024;

/// Deterministic noise, so the hash check is not fooled by a constant pattern.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

fn theirs_with_text(c: &Conversation, pred: impl Fn(&str) -> bool) -> bool {
    c.entries()
        .iter()
        .any(|e| !e.mine && e.kind == EntryKind::Message && e.text.as_deref().is_some_and(&pred))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_chats_attaches_escalates_ends_and_reads_the_transcript() {
    let dirs = tempfile::tempdir().expect("temp dir");
    let (mut console, mut connection) = start(&dirs).await;
    let sandbox = connection
        .sandbox
        .as_mut()
        .expect("embedded sandbox")
        .ready()
        .await
        .expect("the sandbox serves");
    console
        .run_until("accounts and channels", |app| {
            [EntityKind::Account, EntityKind::Channel]
                .iter()
                .all(|k| app.entities.list(*k).loaded && !app.entities.list(*k).items.is_empty())
        })
        .await;

    // Type before choosing anything: Enter asks for the role, then the account,
    // and the typed text opens the conversation.
    console.char('2');
    assert_eq!(console.app.focus, PaneId::Conversation);
    assert!(!console.app.conversation.composing, "2 lands on the message list");
    console.key(KeyCode::Enter);
    assert!(console.app.conversation.composing, "Enter enters the composer");
    console.type_text("hello");
    console.key(KeyCode::Enter);
    assert!(matches!(console.app.popups.top(), Some(Popup::Pick(p)) if p.title.contains("role")));
    console.key(KeyCode::Enter);
    assert!(matches!(console.app.popups.top(), Some(Popup::Pick(p)) if p.title.contains("account")));
    console.key(KeyCode::Enter);
    assert!(console.app.popups.top().is_none());
    assert_eq!(console.app.conversation.composer_text(), "", "the typed text went out");
    console
        .run_until("the bot's echo", |app| {
            app.conversation
                .viewed()
                .is_some_and(|c| theirs_with_text(c, |t| t == "You said: hello"))
        })
        .await;
    let conversation_id = console
        .viewed()
        .id()
        .expect("the hub named the conversation")
        .to_owned();
    let mine: Vec<_> = console.viewed().entries().iter().filter(|e| e.mine).collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].text.as_deref(), Some("hello"));
    assert_eq!(mine[0].status, Status::Sent);
    assert_eq!(*console.viewed().role(), SenderType::Customer);

    // Attach a 3 MiB photo through the attach prompt.
    let photo = dirs.path().join("photo.png");
    let bytes = noise(PHOTO_SIZE);
    std::fs::write(&photo, &bytes).expect("photo written");
    console.key(KeyCode::Esc);
    assert!(!console.app.conversation.composing);
    console.handle(Msg::Key(KeyEvent::new(KeyCode::Char('o'), KeyModifiers::CONTROL)));
    assert!(
        matches!(console.app.popups.top(), Some(Popup::Prompt(_))),
        "the attach prompt opens"
    );
    console.type_text(&photo.display().to_string());
    console.key(KeyCode::Enter);
    assert!(console.app.conversation.upload.is_some(), "the upload runs");
    console
        .run_until("the attachment sent", |app| {
            app.conversation.upload.is_none()
                && app.conversation.viewed().is_some_and(|c| {
                    c.entries()
                        .iter()
                        .any(|e| e.mine && !e.attachments.is_empty() && e.status != Status::Sending)
                })
        })
        .await;
    let sent = console
        .viewed()
        .entries()
        .iter()
        .find(|e| e.mine && !e.attachments.is_empty())
        .expect("attachment entry")
        .clone();
    assert_eq!(sent.status, Status::Sent, "status line: {:?}", console.app.status);
    assert_eq!(sent.attachments.len(), 1);
    let asset = &sent.attachments[0];
    assert_eq!(asset.name.as_deref(), Some("photo.png"));
    assert_eq!(asset.size, Some(PHOTO_SIZE as u64));
    let stored = sandbox
        .state
        .assets
        .content(&asset.id)
        .expect("the hub stored the asset");
    assert_eq!(stored.len(), PHOTO_SIZE);
    assert_eq!(sha256(&stored), sha256(&bytes), "the hub holds the photo byte for byte");
    // And the other side can fetch it the way a counterparty does: GET asset, signed URL.
    let progress: ProgressFn = Arc::new(|_: Progress| {});
    let fetched = connection
        .client
        .download_asset(
            &asset.id,
            &dirs.path().join("counterparty"),
            progress,
            CancellationToken::new(),
        )
        .await
        .expect("counterparty download");
    let fetched = std::fs::read(&fetched).expect("downloaded file");
    assert_eq!(
        sha256(&fetched),
        sha256(&bytes),
        "the counterparty gets the photo byte for byte"
    );

    // Escalate: the bot hands over, the simulated agent joins and greets.
    // A command letter of the message list acts once its moment is over (tui/guard.rs).
    console.char('i');
    console
        .run_until("the composer", |app| app.conversation.composing)
        .await;
    console.type_text("agent");
    console.key(KeyCode::Enter);
    console
        .run_until("the agent's greeting", |app| {
            app.conversation.viewed().is_some_and(|c| {
                c.entries()
                    .iter()
                    .any(|e| e.kind == EntryKind::Event(EventKind::AgentJoin))
                    && theirs_with_text(c, |t| t.starts_with("Hi, I'm Alex"))
            })
        })
        .await;
    let entries = console.viewed().entries();
    let join = entries
        .iter()
        .position(|e| e.kind == EntryKind::Event(EventKind::AgentJoin))
        .expect("agent.join");
    let greeting = entries
        .iter()
        .position(|e| e.text.as_deref().is_some_and(|t| t.starts_with("Hi, I'm Alex")))
        .expect("greeting");
    assert!(join < greeting, "the agent joins before greeting");
    assert!(entries[greeting].sender.is_agent(), "the greeting is the agent's");

    // End the conversation: Esc, x, Enter.
    console.key(KeyCode::Esc);
    console.char('x');
    console
        .run_until("ending asks first", |app| {
            matches!(app.popups.top(), Some(Popup::Confirm(_)))
        })
        .await;
    console.key(KeyCode::Enter);
    console
        .run_until("the conversation closed", |app| {
            app.conversation.viewed().is_some_and(|c| c.is_closed())
        })
        .await;
    assert_eq!(console.viewed().id(), Some(conversation_id.as_str()));

    // The transcript holds every text the pane showed, each side's in the
    // same order. (Between the sides the pane shows ours when sent and
    // theirs when delivered, so a reply in flight may swap with our next
    // message; the hub's order is by acceptance.)
    console.char('t');
    console
        .run_until("the transcript", |app| {
            matches!(app.popups.top(), Some(Popup::Transcript(_)))
        })
        .await;
    let Some(Popup::Transcript(t)) = console.app.popups.top() else {
        unreachable!("waited for the transcript modal");
    };
    let conversation = &t.conversation;
    assert_eq!(conversation.id, conversation_id);
    let transcript: Vec<(SenderType, &str)> = conversation
        .messages
        .message
        .iter()
        .filter_map(|m| m.text().map(|t| (m.sender.party_type.clone(), t)))
        .collect();
    let shown: Vec<(bool, SenderType, &str)> = console
        .viewed()
        .entries()
        .iter()
        .filter(|e| e.kind == EntryKind::Message)
        .filter_map(|e| e.text.as_deref().map(|t| (e.mine, e.sender.clone(), t)))
        .collect();
    assert!(shown.len() >= 5, "hello, echo, agent, hand-over, greeting: {shown:?}");
    for ours in [true, false] {
        let side: Vec<_> = shown.iter().filter(|(mine, ..)| *mine == ours).collect();
        let mut rest = transcript
            .iter()
            .filter(|(sender, _)| (*sender == SenderType::Customer) == ours);
        for (_, sender, text) in &side {
            assert!(
                rest.any(|(s, t)| s == sender && t == text),
                "({sender:?}, {text:?}) is missing from the transcript, or out of order\nshown: {shown:#?}\ntranscript: {transcript:#?}"
            );
        }
    }
    assert!(
        conversation
            .messages
            .message
            .iter()
            .any(|m| m.attachments().iter().any(|a| a.id == asset.id)),
        "the transcript holds the attachment"
    );
    assert!(
        conversation
            .messages
            .message
            .iter()
            .any(|m| m.kind() == "conversation.end"),
        "the transcript records the end"
    );
    // Inbound deliveries share the request log with the outbound calls.
    let log: Vec<_> = console.app.log.log.entries().collect();
    assert!(
        log.iter().any(|x| x.direction == Direction::Inbound),
        "callbacks are logged"
    );
    assert!(
        log.iter()
            .any(|x| x.direction == Direction::Outbound && x.path().ends_with("/conversations/messages")),
        "sends are logged"
    );
}
