//! The scenario runner in-process on the embedded sandbox: raw bodies with
//! built-in variables, answers by position and their failures, and the
//! conversation a run leaves in the console's state model.

use std::path::Path;

use egain_console::connect::{Connection, connect};
use egain_console::conversation::state::EntryKind;
use egain_console::conversation::templates::MessageTemplates;
use egain_console::scenario::inbox::Inbox;
use egain_console::scenario::runner::{Harness, RunOptions, ScenarioResult, quiet};
use egain_console::scenario::{file, target};

async fn harness() -> (Harness, Connection) {
    let mut connection = connect(None, None, false).await.expect("embedded sandbox");
    let mut exchanges = std::mem::replace(&mut connection.exchanges, tokio::sync::mpsc::unbounded_channel().1);
    tokio::spawn(async move { while exchanges.recv().await.is_some() {} });
    let targets = target::resolve(&connection.client, [None, Some("Demo Account".to_owned())])
        .await
        .expect("the demo account");
    let harness = Harness {
        client: connection.client.clone(),
        templates: MessageTemplates::embedded(),
        inbox: Inbox::start(connection.inbound.take().expect("receiver")),
        targets,
    };
    (harness, connection)
}

async fn run(harness: &Harness, yaml: &str, keep: bool) -> ScenarioResult {
    let scenario = file::parse(Path::new("t.yaml"), yaml).expect("scenario parses");
    let options = RunOptions {
        run: 7,
        keep_conversation: keep,
    };
    harness.run(&scenario, options, &quiet()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_bodies_fill_built_ins_and_the_run_keeps_its_conversation() {
    let (harness, _connection) = harness().await;
    let yaml = r#"name: raw
account: Demo Account
contact: "raw-${run}@example.com"
steps:
  - send: hello ${run}
  - expect: { from: bot, text: "You said: hello 7", within: 10s }
  - send:
      raw:
        messages:
          message:
            - messageId: "raw-${run}"
              type: { value: text }
              content: { text: "raw in ${conversation.id}" }
              sender: { type: customer }
              conversation: { id: "${conversation.id}" }
  - expect: { from: bot, contains: "raw in ", within: 10s }
    capture: { id: "raw in (\\S+)" }
  - send: "id ${id}"
  - expect: { from: bot, text: "You said: id ${conversation.id}", within: 10s }
  - end: true
"#;
    let result = run(&harness, yaml, true).await;
    assert!(result.passed(), "{:#?}", result.failure);
    let id = result.conversation_id.clone().expect("the hub named the conversation");
    let conversation = result.conversation.expect("kept");
    let held = harness.client.get_conversation(&id).await.expect("the hub has it");
    let contact = held
        .customer
        .and_then(|c| c.contacts)
        .and_then(|c| c.contact.into_iter().next())
        .map(|c| c.address);
    assert_eq!(
        contact.as_deref(),
        Some("raw-7@example.com"),
        "the contact takes ${{run}}"
    );
    assert_eq!(conversation.id(), Some(id.as_str()));
    assert!(conversation.is_closed(), "end: true closed it");
    let texts: Vec<(bool, String)> = conversation
        .entries()
        .iter()
        .filter(|e| e.kind == EntryKind::Message)
        .map(|e| (e.mine, e.text.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        texts,
        [
            (true, "hello 7".to_owned()),
            (false, "You said: hello 7".to_owned()),
            (true, format!("raw in {id}")),
            (false, format!("You said: raw in {id}")),
            (true, format!("id {id}")),
            (false, format!("You said: id {id}")),
        ]
    );
    assert_eq!(result.steps.len(), 7);
    assert!(result.steps.iter().all(|s| s.passed));
    let latency = result.steps[1].latency.expect("expect steps have a latency");
    assert!(
        latency.as_millis() >= 250,
        "the bot pauses before it answers: {latency:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_need_a_picker_and_an_option_that_exists() {
    let (harness, _connection) = harness().await;
    let result = run(
        &harness,
        "name: early\nsteps:\n  - send: hello\n  - send: { answer: 1 }\n",
        false,
    )
    .await;
    let failure = result.failure.expect("no picker yet");
    assert_eq!((failure.step, failure.line), (1, Some(4)));
    assert!(
        failure.problem.contains("no list picker or quick reply has arrived"),
        "{failure}"
    );

    let result = run(
        &harness,
        "name: range\nsteps:\n  - send: menu\n  - expect: { event: richMessage.listpicker, within: 10s }\n  - send: { answer: 4 }\n",
        false,
    )
    .await;
    let failure = result.failure.expect("only three options");
    assert_eq!(failure.step, 2);
    assert!(
        failure
            .problem
            .contains("offers 3 options: \"My orders\", \"Billing\", \"Talk to an agent\""),
        "{failure}"
    );
    assert_eq!(result.steps.len(), 3, "it stopped at the failing step");
}

#[test]
fn a_scenario_as_another_role_is_refused_before_any_run() {
    let e = file::parse(
        Path::new("agent.yaml"),
        "name: n\nas: custom_agent\nsteps:\n  - send: hi\n",
    )
    .unwrap_err();
    assert_eq!(e.line, Some(2));
    assert!(e.to_string().contains("as customer only"), "{e}");
    assert_eq!(e.key.as_deref(), Some("as"));
}

/// The hub's word on a conversation: the sandbox adds `state` to its transcript.
async fn hub_state(harness: &Harness, id: &str) -> String {
    let held = harness.client.get_conversation(id).await.expect("the hub has it");
    held.extra
        .get("state")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_without_an_end_step_leaves_no_conversation_open_passed_or_failed() {
    let (harness, _connection) = harness().await;
    // The shipped typing example has no `end` step.
    let typing = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/typing.yaml"))
        .expect("scenarios/typing.yaml");
    let passed = run(&harness, &typing, true).await;
    assert!(passed.passed(), "{:#?}", passed.failure);
    let id = passed.conversation_id.clone().expect("the hub named the conversation");
    assert_eq!(
        hub_state(&harness, &id).await,
        "closed",
        "a passed run ends its conversation"
    );
    let kept = passed.conversation.expect("kept");
    assert!(
        kept.entries()
            .iter()
            .any(|e| e.mine && e.message_type == "conversation.end"),
        "the end shows in the run's conversation"
    );

    let failing =
        "name: fails\nsteps:\n  - send: hello\n  - expect: { from: bot, text: \"You said: bye\", within: 2s }\n";
    let failed = run(&harness, failing, false).await;
    assert!(!failed.passed());
    let id = failed.conversation_id.clone().expect("the hub named the conversation");
    assert_eq!(
        hub_state(&harness, &id).await,
        "closed",
        "a failed run ends its conversation too"
    );
}
