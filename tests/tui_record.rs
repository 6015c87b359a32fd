//! The Conversation pane's record key (`w`): at update level it asks for a
//! scenario file of the viewed conversation in the scenarios folder, and
//! end to end (the embedded sandbox, the console's update + runtime, its
//! callback receiver) the file it writes replays green through the
//! scenario runner on a fresh sandbox. Waits are on messages; timeouts only
//! guard against hangs.

mod common_tui;

use std::path::PathBuf;

use crossterm::event::KeyCode;
use tokio::sync::mpsc::unbounded_channel;

use common_tui::*;
use egain_console::connect::connect;
use egain_console::conversation::state::EntryKind;
use egain_console::conversation::templates::MessageTemplates;
use egain_console::scenario::inbox::Inbox;
use egain_console::scenario::runner::{Harness, RunOptions as ScenarioRunOptions, quiet};
use egain_console::scenario::{file, target};
use egain_console::tui::app::{App, PaneId};
use egain_console::tui::effect::Effect;
use egain_console::tui::msg::Msg;

const CONV: &str = "c0ffee00-0000-4000-8000-000000000001";

fn recordings(effects: &[Effect]) -> Vec<&egain_console::tui::effect::ScenarioRecording> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::RecordScenario(job) => Some(job.as_ref()),
            _ => None,
        })
        .collect()
}

#[test]
fn w_in_the_message_list_asks_for_a_scenario_of_the_viewed_conversation() {
    let mut app = conversation_app(false);
    app.conversation.scenarios_dir = PathBuf::from("my-scenarios");
    open_conversation(&mut app, "hello", CONV);
    send(&mut app, Msg::Inbound(Box::new(bot_reply("You said: hello"))));
    // In the composer `w` is text.
    press(&mut app, 'w');
    assert_eq!(app.conversation.composer_text(), "w");
    press_code(&mut app, KeyCode::Backspace);
    press_code(&mut app, KeyCode::Esc);
    assert!(!app.conversation.composing, "the message list has the keys");
    let effects = press(&mut app, 'w');
    let jobs = recordings(&effects);
    assert_eq!(jobs.len(), 1, "{effects:?}");
    let job = jobs[0];
    assert_eq!(job.dir, PathBuf::from("my-scenarios"));
    assert_eq!(
        job.account.as_deref(),
        Some("Demo Account"),
        "the target's account is named"
    );
    assert_eq!(job.conversation.id(), Some(CONV));
    assert!(job.name.contains(&CONV[..8]), "{}", job.name);
    assert!(
        effects.iter().all(|e| !e.mutates()),
        "recording changes nothing on the tenant"
    );
    let notice = app.status.notice.as_deref().unwrap_or_default();
    assert!(notice.contains("my-scenarios"), "{notice}");
}

#[test]
fn w_without_a_conversation_says_what_is_missing_and_records_nothing() {
    let mut app = conversation_app(false);
    press_code(&mut app, KeyCode::Esc);
    let effects = press(&mut app, 'w');
    assert!(recordings(&effects).is_empty());
    let error = app.status.error.as_deref().unwrap_or_default();
    assert!(error.contains("no conversation"), "{error}");
}

#[test]
fn record_is_in_the_message_list_commands_and_allowed_read_only() {
    let table = egain_console::tui::panes::conversation::LIST_COMMANDS;
    let command = table
        .find(egain_console::tui::action::Action::RecordScenario)
        .expect("listed");
    assert!(!command.mutates, "writing a local file is not a tenant change");
    let mut app = conversation_app(true);
    press_code(&mut app, KeyCode::Esc);
    press(&mut app, 'w');
    let error = app.status.error.as_deref().unwrap_or_default();
    assert!(!error.contains("read-only"), "{error}");
}

fn bot_reply(text: &str) -> egain_console::callback::Inbound {
    use egain_console::api::models::{ConversationRef, Message, MessageEnvelope, Party, SenderType};
    let mut message = Message::new(
        "text",
        Party::named(SenderType::CustomBot, "Sandbox bot"),
        Some(text.to_owned()),
    );
    message.id = Some("hub-reply-1".into());
    message.conversation = Some(ConversationRef {
        id: Some(CONV.to_owned()),
        ..Default::default()
    });
    egain_console::callback::Inbound {
        role: "customer".into(),
        received: jiff::Timestamp::now(),
        envelope: MessageEnvelope::single(message),
        exchange_id: 0,
    }
}

fn echoed(app: &App, text: &str) -> bool {
    app.conversation.viewed().is_some_and(|c| {
        c.entries()
            .iter()
            .any(|e| !e.mine && e.kind == EntryKind::Message && e.text.as_deref() == Some(text))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_recorded_with_w_replays_green() {
    let dirs = tempfile::tempdir().expect("temp dir");
    let scenarios = dirs.path().join("scenarios");
    let (mut console, _connection) = live::start(&dirs).await;
    console.app.conversation.scenarios_dir = scenarios.clone();
    console
        .run_until("accounts and channels", |app| {
            [
                egain_console::api::models::EntityKind::Account,
                egain_console::api::models::EntityKind::Channel,
            ]
            .iter()
            .all(|k| app.entities.list(*k).loaded && !app.entities.list(*k).items.is_empty())
        })
        .await;

    console.key(KeyCode::Char('2'));
    assert_eq!(console.app.focus, PaneId::Conversation);
    console.key(KeyCode::Enter);
    console.type_text("hello there");
    console.key(KeyCode::Enter);
    console.key(KeyCode::Enter);
    console.key(KeyCode::Enter);
    console
        .run_until("the first echo", |app| echoed(app, "You said: hello there"))
        .await;
    console.type_text("second line, with a comma");
    console.key(KeyCode::Enter);
    console
        .run_until("the second echo", |app| {
            echoed(app, "You said: second line, with a comma")
        })
        .await;

    console.key(KeyCode::Esc);
    console.key(KeyCode::Char('w'));
    console
        .run_until("the recording", |app| {
            app.status.error.is_some()
                || app
                    .status
                    .notice
                    .as_deref()
                    .is_some_and(|n| n.starts_with("saved scenario"))
        })
        .await;
    assert_eq!(console.app.status.error, None);
    let notice = console.app.status.notice.clone().unwrap_or_default();
    let found = file::find(std::slice::from_ref(&scenarios)).expect("the folder lists");
    assert_eq!(found.len(), 1, "one file: {found:?}");
    assert!(notice.contains(&found[0].display().to_string()), "{notice}");
    let text = std::fs::read_to_string(&found[0]).expect("readable");
    assert!(text.contains("account: \"Demo Account\""), "{text}");
    assert!(text.contains("- send: \"hello there\""), "{text}");
    assert!(text.contains("text: \"You said: second line, with a comma\""), "{text}");

    // A second press never overwrites the first file.
    console.key(KeyCode::Char('w'));
    console
        .run_until("the second recording", |app| {
            app.status.error.is_some() || file::find(std::slice::from_ref(&scenarios)).is_ok_and(|f| f.len() == 2)
        })
        .await;
    assert_eq!(console.app.status.error, None);

    // Replay on a fresh sandbox: green.
    let scenario = file::load(&found[0]).expect("the recording parses");
    let mut replay = connect(None, None, false).await.expect("a second sandbox");
    let mut replay_exchanges = std::mem::replace(&mut replay.exchanges, unbounded_channel().1);
    tokio::spawn(async move { while replay_exchanges.recv().await.is_some() {} });
    let targets = target::resolve(&replay.client, [scenario.account.clone()])
        .await
        .expect("the recorded account");
    let harness = Harness {
        client: replay.client.clone(),
        templates: MessageTemplates::embedded(),
        inbox: Inbox::start(replay.inbound.take().expect("receiver")),
        targets,
    };
    let result = harness
        .run(
            &scenario,
            ScenarioRunOptions {
                run: 1,
                keep_conversation: false,
            },
            &quiet(),
        )
        .await;
    assert!(result.passed(), "{:#?}\n{text}", result.failure);
}
