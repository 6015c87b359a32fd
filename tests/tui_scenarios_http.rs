//! The Scenarios pane end to end: the console's update and runtime (minus
//! the terminal) on the embedded sandbox with its callback receiver. A
//! shipped example from `scenarios/` runs green through the pane, the
//! receiver's deliveries reach both the run and the Conversation pane, and
//! `o` opens the run's whole conversation there; a wrong expectation turns
//! its step red with what arrived; Esc cancels a run that waits. Waits are
//! on messages; timeouts only guard against hangs.

mod common_tui;

use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};

use crossterm::event::KeyCode;

use common_tui::live;
use egain_console::connect::Connection;
use egain_console::tui::app::PaneId;
use egain_console::tui::panes::scenarios::{Listing, RunState, ScenariosPane};

/// The shared real-HTTP console (`common_tui::live`), its Scenarios pane
/// reading `scenarios`, and what must live as long as it.
struct Console {
    console: live::Console,
    _connection: Connection,
    _dirs: tempfile::TempDir,
}

impl Deref for Console {
    type Target = live::Console;
    fn deref(&self) -> &live::Console {
        &self.console
    }
}

impl DerefMut for Console {
    fn deref_mut(&mut self) -> &mut live::Console {
        &mut self.console
    }
}

impl Console {
    async fn start(scenarios: &Path) -> Console {
        let dirs = tempfile::tempdir().expect("temp dir");
        let (mut console, connection) = live::start(&dirs).await;
        console.app.scenarios = ScenariosPane::new(scenarios.to_owned());
        Console {
            console,
            _connection: connection,
            _dirs: dirs,
        }
    }

    /// Focus the pane, wait for its listing and select `file`.
    async fn select(&mut self, file: &str) {
        self.key(KeyCode::Char('4'));
        assert_eq!(self.app.focus, PaneId::Scenarios);
        self.run_until("the listing", |app| app.scenarios.listing != Listing::Scanning)
            .await;
        assert_eq!(self.app.scenarios.listing, Listing::Done);
        let at = self
            .app
            .scenarios
            .rows
            .iter()
            .position(|r| r.path.file_name().is_some_and(|n| n == file))
            .unwrap_or_else(|| panic!("{file} is listed"));
        self.key(KeyCode::Home);
        for _ in 0..at {
            self.key(KeyCode::Down);
        }
        assert_eq!(self.app.scenarios.selected, at);
    }

    fn state(&self, file: &str) -> Option<RunState> {
        self.app
            .scenarios
            .rows
            .iter()
            .find(|r| r.path.file_name().is_some_and(|n| n == file))
            .and_then(|r| r.last.as_ref())
            .map(|l| l.state.clone())
    }

    fn screen(&mut self) -> String {
        common_tui::render(&mut self.app, 80, 24)
    }
}

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shipped_example_runs_green_in_the_pane_and_opens_its_conversation() {
    let mut console = Console::start(&shipped()).await;
    console.select("typing.yaml").await;
    let listed = console.app.scenarios.rows.len();
    assert!(listed >= 4, "the shipped examples are listed: {listed}");
    assert!(
        console.app.scenarios.rows.iter().all(|r| r.scenario.is_ok()),
        "every shipped example parses"
    );
    console.key(KeyCode::Enter);
    assert!(console.app.scenarios.running.is_some(), "{:?}", console.app.status);
    console
        .run_until("the run's end", |app| app.scenarios.running.is_none())
        .await;
    let last = console.app.scenarios.rows[console.app.scenarios.selected]
        .last
        .clone()
        .expect("a run");
    assert_eq!(last.state, RunState::Passed, "{:#?}", last.failure);
    assert_eq!(last.steps.len(), 4);
    assert!(last.steps.iter().all(|s| s.passed));
    let id = last.conversation_id.clone().expect("the run opened a conversation");
    let screen = console.screen();
    assert!(screen.contains("PASSED in"), "{screen}");
    assert!(screen.contains("✓  4 expect"), "{screen}");
    // The receiver's deliveries reached the Conversation pane too, as always.
    let seen = console
        .app
        .conversation
        .conversations
        .iter()
        .find(|c| c.id() == Some(id.as_str()))
        .expect("the Conversation pane saw the run's replies");
    assert!(
        seen.entries().iter().all(|e| !e.mine),
        "only the receiver's half before opening"
    );

    console.key(KeyCode::Char('o'));
    assert_eq!(console.app.focus, PaneId::Conversation);
    let viewed = console.app.conversation.viewed().expect("a conversation on screen");
    assert_eq!(viewed.id(), Some(id.as_str()));
    let texts: Vec<(bool, String)> = viewed
        .entries()
        .iter()
        .filter_map(|e| e.text.clone().map(|t| (e.mine, t)))
        .collect();
    assert!(texts.contains(&(true, "are you there?".into())), "{texts:?}");
    assert!(texts.contains(&(false, "You said: are you there?".into())), "{texts:?}");
    assert_eq!(
        texts.iter().filter(|(mine, _)| !mine).count(),
        1,
        "the bot's answer once: {texts:?}"
    );
    let screen = console.screen();
    assert!(screen.contains("You said: are you there?"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_expectation_turns_its_step_red_and_esc_cancels_a_waiting_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("wrong.yaml"),
        "name: expects the wrong echo\nsteps:\n  - send: hello\n  - expect: { from: bot, text: \"You said: goodbye\", within: 2s }\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("waits.yaml"),
        "name: waits for an agent who never comes\nsteps:\n  - send: hello\n  - expect: { from: bot, text: \"You said: hello\", within: 5s }\n  - expect: { from: agent, text: never, within: 60s }\n",
    )
    .expect("write");
    let mut console = Console::start(dir.path()).await;
    console.select("wrong.yaml").await;
    console.key(KeyCode::Enter);
    console
        .run_until("the run's end", |app| app.scenarios.running.is_none())
        .await;
    assert_eq!(console.state("wrong.yaml"), Some(RunState::Failed));
    let screen = console.screen();
    for part in [
        "FAILED in",
        "✓  1 send \"hello\"",
        "✗  2 expect",
        "instead:  nothing matched within 2s",
        "\"You said: hello\"",
    ] {
        assert!(screen.contains(part), "{part}\n{screen}");
    }

    console.select("waits.yaml").await;
    console.key(KeyCode::Enter);
    console
        .run_until("the first expectation", |app| {
            app.scenarios.rows[app.scenarios.selected]
                .last
                .as_ref()
                .is_some_and(|l| l.steps.len() == 2)
        })
        .await;
    assert!(console.screen().contains("▸  3 expect"));
    console.key(KeyCode::Esc);
    console
        .run_until("the cancellation", |app| app.scenarios.running.is_none())
        .await;
    assert_eq!(console.state("waits.yaml"), Some(RunState::Cancelled));
    assert_eq!(console.app.status.notice.as_deref(), Some("scenario run cancelled"));
    let screen = console.screen();
    assert!(screen.contains("CANCELLED in"), "{screen}");
    assert!(
        screen.contains("cancelled; the conversation it opened was ended"),
        "no conversation is left open on the tenant: {screen}"
    );
    // What it did until then opens like any run's, ended.
    console.key(KeyCode::Char('o'));
    assert_eq!(console.app.focus, PaneId::Conversation);
    let viewed = console
        .app
        .conversation
        .viewed()
        .expect("the cancelled run's conversation");
    assert!(
        viewed
            .entries()
            .iter()
            .any(|e| e.mine && e.message_type == "conversation.end"),
        "{:?}",
        viewed.entries()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_tenant_a_run_checks_that_the_customer_role_calls_this_console() {
    let mut console = Console::start(&shipped()).await;
    // As with a profile: the run checks the account's customer role first.
    console.app.session.sandbox = false;
    console.select("typing.yaml").await;
    console.key(KeyCode::Enter);
    console
        .run_until("the run's end", |app| app.scenarios.running.is_none())
        .await;
    assert_eq!(
        console.state("typing.yaml"),
        Some(RunState::Passed),
        "the demo application's customer role calls this console: {:?}",
        console.app.status
    );
    // The run's two posts (its message and the conversation.end every run
    // ends with) are in the log before the next run is counted.
    let message_posts = |app: &egain_console::tui::app::App| {
        app.log
            .log
            .visible(0..app.log.log.visible_len())
            .filter(|x| x.method == "POST" && x.url.contains("/conversations/messages"))
            .count()
    };
    console
        .run_until("the first run's posts in the log", |app| message_posts(app) == 2)
        .await;
    // A console whose receiver is elsewhere is told so before anything is sent.
    for (role, url) in console.app.session.callback_urls.iter_mut() {
        if role == "customer" {
            *url = "http://127.0.0.1:9/callback/customer".into();
        }
    }
    let sends_before = console.app.log.log.visible_len();
    console.key(KeyCode::Enter);
    console
        .run_until("the refusal", |app| app.scenarios.running.is_none())
        .await;
    let error = console.app.status.error.clone().unwrap_or_default();
    assert!(
        error.contains("customer role of client application \"Demo Application\" calls back")
            && error.contains("press u"),
        "{error}"
    );
    assert!(matches!(console.state("typing.yaml"), Some(RunState::Error(_))));
    let posted = console
        .app
        .log
        .log
        .visible(sends_before..console.app.log.log.visible_len())
        .filter(|x| x.method == "POST" && x.url.contains("/conversations/messages"))
        .count();
    assert_eq!(posted, 0, "no message was sent");
}
