//! New objects from templates and the guided setup, through the console
//! over real loopback HTTP against the demo sandbox: the same template
//! twice creates two objects without the user editing a name, and an
//! edited later setup step is what the sandbox holds.

mod common;
mod common_console;
mod common_tui;

use crossterm::event::{KeyCode, KeyModifiers};
use serde_json::Value;

use common::{client, demo_sandbox};
use common_console::Console;
use egain_console::api::models::EntityKind;
use egain_console::sandbox::RunningSandbox;
use egain_console::setup::StepStatus;
use egain_console::tui::msg::Msg;
use egain_console::tui::panes::entities::kind_index;
use egain_console::tui::popup::Popup;

fn console(sandbox: &RunningSandbox, dir: &std::path::Path) -> Console {
    let mut app = common_tui::empty_app(false);
    app.session.sandbox_root = Some(sandbox.urls.root.clone());
    Console::new(app, client(sandbox).0, dir)
}

fn names(console: &Console, kind: EntityKind) -> Vec<String> {
    console
        .app
        .entities
        .list(kind)
        .items
        .iter()
        .filter_map(|v| v.get(kind.unique_field())?.as_str().map(str::to_owned))
        .collect()
}

/// `n` on `kind`'s tab, then Ctrl-S on the template as it opens; waits for
/// the answer and the reloaded list.
fn create_from_template(console: &mut Console, kind: EntityKind) {
    console.app.entities.tab = kind_index(kind);
    console.key(KeyCode::Char('n'));
    assert!(matches!(console.app.popups.top(), Some(Popup::Editor(_))));
    console.key_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    console.until(|app| match app.popups.top() {
        Some(Popup::Editor(e)) => !e.sending && !e.problems.is_empty(),
        _ => !app.entities.list(kind).loading,
    });
    if let Some(Popup::Editor(e)) = console.app.popups.top() {
        panic!("the {kind} template was refused unchanged: {:?}", e.problems);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_template_creates_two_objects_in_a_row_without_an_edit() {
    let sandbox = demo_sandbox().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut console = console(&sandbox, dir.path());
    for kind in EntityKind::ALL {
        let before = console.app.entities.list(kind).items.len();
        create_from_template(&mut console, kind);
        create_from_template(&mut console, kind);
        assert_eq!(console.app.entities.list(kind).items.len(), before + 2, "{kind}");
    }
    // Numbered, first free: the demo seed has none of the template's names.
    let all: Vec<String> = EntityKind::ALL.into_iter().flat_map(|k| names(&console, k)).collect();
    for wanted in [
        "console-callback-auth-1",
        "console-callback-auth-2",
        "Console Application 2",
        "Console Bot 2",
        "custom.console-1",
        "custom.console-2",
        "Console Orchestration 2",
        "Console Account 1",
        "Console Account 2",
    ] {
        assert!(all.iter().any(|n| n == wanted), "{wanted} in {all:?}");
    }
    // Both accounts sit on the newest channel: the second got the next free address.
    let addresses: Vec<&str> = console
        .app
        .entities
        .list(EntityKind::Account)
        .items
        .iter()
        .filter(|a| a["name"].as_str().is_some_and(|n| n.starts_with("Console Account")))
        .filter_map(|a| a["address"].as_str())
        .collect();
    assert_eq!(addresses, ["support@example.com", "support-2@example.com"]);
}

fn setup_complete_or_failed(app: &egain_console::tui::app::App) -> bool {
    app.setup
        .as_ref()
        .is_some_and(|s| !s.running && (s.flow.is_complete() || s.flow.failed_step().is_some()))
}

fn failures(console: &Console) -> Vec<String> {
    let setup = console.app.setup.as_ref().expect("setup open");
    setup
        .flow
        .steps()
        .iter()
        .filter_map(|s| match &s.status {
            StepStatus::Failed { error } => Some(format!("{}: {error}", s.kind)),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_later_step_is_what_the_sandbox_holds_and_a_second_setup_runs_through() {
    let sandbox = demo_sandbox().await;
    let (api, _) = client(&sandbox);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut console = console(&sandbox, dir.path());

    // Edit the account step (6) before anything runs: its references stay placeholders.
    console.key(KeyCode::Char('s'));
    for _ in 0..5 {
        console.key(KeyCode::Char('j'));
    }
    console.key(KeyCode::Char('e'));
    let Some(Popup::Editor(editor)) = console.app.popups.top() else {
        panic!("the step editor opens");
    };
    let mut body: Value = serde_json::from_str(&editor.text()).expect("json");
    assert_eq!(body["channel"]["id"], "{{channel.id}}");
    body["name"] = "Edited Account".into();
    let owner = console.app.popups.top_layer().expect("editor").owner();
    console.send(Msg::ExternalEdit(
        owner,
        Ok(serde_json::to_string_pretty(&body).expect("json")),
    ));
    console.key_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(console.app.setup_on_top(), "saved, back on the setup");
    // Move about, then run it all.
    console.key(KeyCode::Char('k'));
    console.key(KeyCode::Char('g'));
    console.key(KeyCode::Enter);
    console.until(setup_complete_or_failed);
    assert_eq!(failures(&console), Vec::<String>::new());
    let created = console.app.setup.as_ref().expect("setup").flow.created();
    let id = |kind: EntityKind| {
        created
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, id)| id.clone())
            .expect("created")
    };
    let account = api
        .get_raw(EntityKind::Account, &id(EntityKind::Account))
        .await
        .expect("account");
    assert_eq!(account["name"], "Edited Account");
    assert_eq!(account["channel"]["id"], id(EntityKind::Channel).as_str());
    assert_eq!(
        account["chatConfigurations"]["orchestration"]["id"],
        id(EntityKind::Orchestration).as_str()
    );

    // Close (the lists reload) and run a second setup: it takes the next free number.
    console.key(KeyCode::Esc);
    console.until_loaded();
    console.key(KeyCode::Char('s'));
    console.key(KeyCode::Enter);
    console.until(setup_complete_or_failed);
    assert_eq!(failures(&console), Vec::<String>::new());
    let created = console.app.setup.as_ref().expect("setup").flow.created();
    let channel = api.get_raw(EntityKind::Channel, &created[3].1).await.expect("channel");
    assert_eq!(channel["type"], "custom.console-2");
}
