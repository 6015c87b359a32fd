//! The Scenarios pane (`4`) at update level and on screen: its folder is
//! read when it is first shown, a file that does not parse is a red row
//! with its error, Enter and `a` ask the runtime to run (refused on a
//! read-only profile), progress marks steps green or red, a failure shows
//! what was expected and what came, Esc cancels, and `o` opens the run's
//! conversation in the Conversation pane. Snapshots at 80x24 and 120x40.

mod common_tui;

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::KeyCode;

use common_tui::*;
use egain_console::conversation::state::Conversation;
use egain_console::scenario::file;
use egain_console::scenario::runner::{Failure, ScenarioResult, StepResult};
use egain_console::tui::app::{App, PaneId};
use egain_console::tui::effect::{Effect, Owner};
use egain_console::tui::msg::Msg;
use egain_console::tui::panes::scenarios::{Event, Listed, RunEnd, RunJob, RunState};

const CONV: &str = "5ce7a510-0000-4000-8000-0000000000c1";

const ECHO: &str = "\
name: bot echoes
account: Demo Account
steps:
  - send: hello
  - expect: { from: bot, text: \"You said: hello\", within: 5s }
  - send: bye
  - expect: { from: bot, text: \"Goodbye!\", within: 5s }
  - end: true
";

const MENU: &str = "\
name: the menu offers topics
steps:
  - send: menu
  - expect: { from: bot, event: richMessage.listpicker, within: 5s }
  - send: { answer: 1 }
";

const BROKEN: &str = "\
name: broken
steps:
  - expect: { from: bot, text: a, contains: b }
";

fn dir() -> PathBuf {
    PathBuf::from("scenarios")
}

fn listed(name: &str, text: &str) -> Listed {
    let path = dir().join(name);
    Listed {
        scenario: file::parse(&path, text).map_err(|e| e.to_string()),
        path,
    }
}

fn listing() -> Msg {
    Msg::Scenarios(
        Owner::Scenarios,
        Box::new(Event::Listed {
            dir: dir(),
            result: Ok(vec![
                listed("broken.yaml", BROKEN),
                listed("echo.yaml", ECHO),
                listed("menu.yaml", MENU),
            ]),
        }),
    )
}

fn event(e: Event) -> Msg {
    Msg::Scenarios(Owner::Scenarios, Box::new(e))
}

/// A console with its scenarios pane focused and listed, and a callback receiver.
fn scenarios_app(read_only: bool) -> App {
    let mut app = loaded_app(read_only);
    app.session.callback_urls = vec![("customer".into(), "http://127.0.0.1:4999/callback/customer".into())];
    let effects = press(&mut app, '4');
    assert_eq!(app.focus, PaneId::Scenarios);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::ScanScenarios(Owner::Scenarios, d) if *d == dir())),
        "the folder is read when the pane is first shown: {effects:?}"
    );
    send(&mut app, listing());
    app
}

fn jobs(effects: &[Effect]) -> Vec<&RunJob> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::RunScenarios(Owner::Scenarios, job) => Some(job.as_ref()),
            _ => None,
        })
        .collect()
}

/// Select `echo.yaml` and run it; returns the run's number.
fn run_echo(app: &mut App) -> u64 {
    press_code(app, KeyCode::Down);
    let effects = press_code(app, KeyCode::Enter);
    let jobs = jobs(&effects);
    assert_eq!(jobs.len(), 1, "{effects:?}");
    assert_eq!(jobs[0].files, vec![dir().join("echo.yaml")]);
    assert_eq!(
        jobs[0].console_url, None,
        "on the sandbox the demo roles call the console"
    );
    jobs[0].run
}

fn echo_scenario() -> egain_console::scenario::Scenario {
    file::parse(&dir().join("echo.yaml"), ECHO).expect("parses")
}

fn step(scenario: &egain_console::scenario::Scenario, i: usize, passed: bool, ms: u64) -> StepResult {
    StepResult {
        index: i,
        line: scenario.steps[i].line,
        label: scenario.steps[i].label(),
        passed,
        elapsed: Duration::from_millis(ms),
        latency: None,
    }
}

/// The conversation a run produced: our "hello" and the bot's echo.
fn run_conversation() -> Conversation {
    let mut other = conversation_app(false);
    open_conversation(&mut other, "hello", CONV);
    send(&mut other, Msg::Inbound(Box::new(bot_reply("You said: hello"))));
    other.conversation.viewed().cloned().expect("a conversation")
}

fn bot_reply(text: &str) -> egain_console::callback::Inbound {
    use egain_console::api::models::{ConversationRef, Message, MessageEnvelope, Party, SenderType};
    let mut message = Message::new(
        "text",
        Party::named(SenderType::CustomBot, "Sandbox bot"),
        Some(text.to_owned()),
    );
    message.id = Some(format!("hub-{text}"));
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

/// Run echo.yaml: steps 1–3 pass, step 4 gets the wrong text.
fn failed_run(app: &mut App) -> u64 {
    let run = run_echo(app);
    let scenario = echo_scenario();
    send(
        app,
        event(Event::Started {
            run,
            scenario: Box::new(scenario.clone()),
        }),
    );
    let steps = vec![
        step(&scenario, 0, true, 41),
        step(&scenario, 1, true, 312),
        step(&scenario, 2, true, 18),
        step(&scenario, 3, false, 5003),
    ];
    for s in &steps[..3] {
        send(
            app,
            event(Event::Step {
                run,
                path: scenario.path.clone(),
                result: s.clone(),
            }),
        );
    }
    let failure = Failure {
        step: 3,
        line: scenario.steps[3].line,
        label: scenario.steps[3].label(),
        expected: "from bot, text \"Goodbye!\"".into(),
        problem: "nothing matched within 5s".into(),
        arrived: vec![
            "+0.31 s bot (Sandbox bot): text \"You said: hello\"  (matched by an earlier step)".into(),
            "+0.64 s bot (Sandbox bot): text \"You said: bye\"".into(),
        ],
    };
    send(
        app,
        event(Event::Finished {
            run,
            result: Box::new(ScenarioResult {
                name: scenario.name.clone(),
                path: scenario.path.clone(),
                run: 1,
                steps,
                failure: Some(failure),
                elapsed: Duration::from_millis(5374),
                conversation_id: Some(CONV.into()),
                conversation: Some(run_conversation()),
                cancelled: false,
            }),
        }),
    );
    send(app, event(Event::Ended { run, end: RunEnd::Done }));
    run
}

fn state(app: &App, name: &str) -> Option<RunState> {
    let path = dir().join(name);
    app.scenarios
        .rows
        .iter()
        .find(|r| r.path == path)
        .and_then(|r| r.last.as_ref())
        .map(|l| l.state.clone())
}

#[test]
fn running_is_refused_on_a_read_only_profile() {
    let mut app = scenarios_app(true);
    press_code(&mut app, KeyCode::Down);
    let effects = press_code(&mut app, KeyCode::Enter);
    assert!(jobs(&effects).is_empty(), "{effects:?}");
    assert!(effects.iter().all(|e| !e.mutates()), "{effects:?}");
    let error = app.status.error.clone().unwrap_or_default();
    assert!(error.contains("read-only"), "{error}");
    let effects = press(&mut app, 'a');
    assert!(jobs(&effects).is_empty(), "{effects:?}");
    assert!(app.scenarios.running.is_none());
    // The footer greys them, as every change on a read-only profile.
    let command = egain_console::tui::panes::scenarios::COMMANDS
        .find(egain_console::tui::action::Action::RunScenario)
        .expect("listed");
    assert!(command.mutates, "a run sends messages");
}

#[test]
fn a_run_effect_counts_as_a_change_for_the_read_only_guard() {
    let run = Effect::RunScenarios(
        Owner::Scenarios,
        Box::new(RunJob {
            run: 1,
            files: vec![dir().join("echo.yaml")],
            templates: egain_console::conversation::templates::MessageTemplates::embedded(),
            console_url: None,
        }),
    );
    assert!(run.mutates());
    assert!(run.describe().contains("scenarios"));
}

#[test]
fn a_file_that_does_not_parse_is_a_red_row_and_does_not_run() {
    let mut app = scenarios_app(false);
    let row = &app.scenarios.rows[0];
    let error = row.scenario.as_ref().expect_err("broken.yaml is refused");
    assert!(error.contains("broken.yaml"), "{error}");
    let effects = press_code(&mut app, KeyCode::Enter);
    assert!(jobs(&effects).is_empty(), "{effects:?}");
    let shown = app.status.error.clone().unwrap_or_default();
    assert!(shown.contains("broken.yaml cannot run"), "{shown}");
    // Run all skips it.
    app.status.error = None;
    let effects = press(&mut app, 'a');
    let jobs = jobs(&effects);
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].files, vec![dir().join("echo.yaml"), dir().join("menu.yaml")]);
    assert_eq!(state(&app, "echo.yaml"), Some(RunState::Queued));
    assert_eq!(state(&app, "broken.yaml"), None);
}

#[test]
fn progress_marks_steps_as_they_pass_and_the_next_as_running() {
    let mut app = scenarios_app(false);
    let run = run_echo(&mut app);
    assert_eq!(state(&app, "echo.yaml"), Some(RunState::Queued));
    // A second run while one goes is refused.
    let effects = press(&mut app, 'a');
    assert!(jobs(&effects).is_empty());
    assert!(
        app.status
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("a scenario run is going")
    );
    app.status.error = None;
    // Quitting asks first while a run goes.
    press(&mut app, 'q');
    assert!(!app.should_quit);
    assert!(matches!(top(&app), egain_console::tui::popup::Popup::Confirm(_)));
    press_code(&mut app, KeyCode::Esc);
    let scenario = echo_scenario();
    send(
        &mut app,
        event(Event::Started {
            run,
            scenario: Box::new(scenario.clone()),
        }),
    );
    assert_eq!(state(&app, "echo.yaml"), Some(RunState::Running));
    send(
        &mut app,
        event(Event::Step {
            run,
            path: scenario.path.clone(),
            result: step(&scenario, 0, true, 41),
        }),
    );
    // Progress of another (older) run is not this one's.
    send(
        &mut app,
        event(Event::Step {
            run: run + 7,
            path: scenario.path.clone(),
            result: step(&scenario, 1, false, 1),
        }),
    );
    let last = app.scenarios.rows[1].last.as_ref().expect("a run");
    assert_eq!(last.steps.len(), 1);
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("✓  1 send \"hello\"  41 ms"), "{screen}");
    assert!(screen.contains("▸  2 expect"), "{screen}");
    assert!(screen.contains("running…"), "{screen}");
    assert!(screen.contains("running"), "the title says a run goes: {screen}");
}

#[test]
fn a_failure_shows_the_step_what_was_expected_and_what_came() {
    let mut app = scenarios_app(false);
    failed_run(&mut app);
    assert_eq!(state(&app, "echo.yaml"), Some(RunState::Failed));
    assert!(app.scenarios.running.is_none());
    let notice = app.status.notice.clone().unwrap_or_default();
    assert_eq!(notice, "scenarios: 0 passed, 1 failed");
    let screen = render(&mut app, 80, 24);
    for part in [
        "FAILED in 5.37 s",
        "✗  4 expect",
        "expected: from bot, text \"Goodbye!\"",
        "instead:  nothing matched within 5s",
        "You said: bye",
    ] {
        assert!(screen.contains(part), "{part}\n{screen}");
    }
}

#[test]
fn o_opens_the_runs_conversation_in_the_conversation_pane() {
    let mut app = scenarios_app(false);
    // Before any run there is nothing to open.
    press_code(&mut app, KeyCode::Down);
    press(&mut app, 'o');
    assert!(
        app.status
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("has not run yet")
    );
    press_code(&mut app, KeyCode::Up);
    // The receiver's half of the conversation arrived as today.
    send(&mut app, Msg::Inbound(Box::new(bot_reply("You said: hello"))));
    assert_eq!(app.conversation.conversations.len(), 1);
    failed_run(&mut app);
    // A reply that came after the run ended is kept when the run's conversation replaces the pane's.
    send(&mut app, Msg::Inbound(Box::new(bot_reply("late reply"))));
    assert_eq!(app.focus, PaneId::Scenarios);
    let effects = press(&mut app, 'o');
    assert!(effects.iter().all(|e| !e.mutates()), "{effects:?}");
    assert_eq!(app.focus, PaneId::Conversation);
    assert_eq!(
        app.conversation.conversations.len(),
        1,
        "the run's conversation replaces the receiver's half of it"
    );
    let viewed = app.conversation.viewed().expect("the run's conversation is shown");
    assert_eq!(viewed.id(), Some(CONV));
    let texts: Vec<(bool, String)> = viewed
        .entries()
        .iter()
        .filter_map(|e| e.text.clone().map(|t| (e.mine, t)))
        .collect();
    assert_eq!(
        texts,
        vec![
            (true, "hello".to_owned()),
            (false, "You said: hello".to_owned()),
            (false, "late reply".to_owned())
        ],
        "our send and the bot's replies, once each"
    );
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("You said: hello"), "{screen}");
}

/// The run's conversation after its `end` step went through.
fn ended_run_conversation() -> Conversation {
    let mut other = conversation_app(false);
    open_conversation(&mut other, "hello", CONV);
    press_code(&mut other, KeyCode::Esc);
    press(&mut other, 'x');
    let effects = press_code(&mut other, KeyCode::Enter);
    let (local_id, body) = sends(&effects).into_iter().next().expect("the end goes out");
    assert_eq!(message_type(&body), "conversation.end");
    send(&mut other, accepted_reply(local_id, CONV, 9));
    let conversation = other.conversation.viewed().cloned().expect("a conversation");
    assert!(conversation.is_closed());
    conversation
}

/// Run echo.yaml to its end: every step passes, its conversation ended.
fn passed_run(app: &mut App) {
    let run = run_echo(app);
    let scenario = echo_scenario();
    send(
        app,
        event(Event::Started {
            run,
            scenario: Box::new(scenario.clone()),
        }),
    );
    let steps = (0..scenario.steps.len())
        .map(|i| step(&scenario, i, true, 20))
        .collect();
    send(
        app,
        event(Event::Finished {
            run,
            result: Box::new(ScenarioResult {
                name: scenario.name.clone(),
                path: scenario.path.clone(),
                run: 1,
                steps,
                failure: None,
                elapsed: Duration::from_millis(900),
                conversation_id: Some(CONV.into()),
                conversation: Some(ended_run_conversation()),
                cancelled: false,
            }),
        }),
    );
    send(app, event(Event::Ended { run, end: RunEnd::Done }));
}

#[test]
fn a_conversation_the_run_ended_is_not_open_and_q_quits_at_once() {
    // The receiver saw the bot's side; the run's own end never reaches it.
    let mut app = scenarios_app(false);
    send(&mut app, Msg::Inbound(Box::new(bot_reply("You said: hello"))));
    passed_run(&mut app);
    assert_eq!(app.conversation.conversations.len(), 1);
    assert!(
        app.conversation.conversations.iter().all(|c| c.is_closed()),
        "the run ended it"
    );
    assert_eq!(press(&mut app, 'q'), vec![Effect::Quit], "nothing is open: q quits");

    // A reply that arrives after the run ended opens it closed too.
    let mut app = scenarios_app(false);
    passed_run(&mut app);
    send(&mut app, Msg::Inbound(Box::new(bot_reply("late reply"))));
    assert_eq!(app.conversation.conversations.len(), 1);
    assert!(app.conversation.conversations.iter().all(|c| c.is_closed()));
    assert_eq!(press(&mut app, 'q'), vec![Effect::Quit]);

    // With a conversation of the user's own still open, q asks and counts only it.
    let mut app = scenarios_app(false);
    send(&mut app, Msg::Inbound(Box::new(bot_reply("You said: hello"))));
    passed_run(&mut app);
    press(&mut app, '2');
    press(&mut app, 'n');
    press_code(&mut app, KeyCode::Enter);
    press_code(&mut app, KeyCode::Enter);
    type_text(&mut app, "mine");
    let effects = press_code(&mut app, KeyCode::Enter);
    let (local_id, _) = sends(&effects).into_iter().next().expect("the user's first message");
    send(
        &mut app,
        accepted_reply(local_id, "c0ffee00-0000-4000-8000-0000000000c2", 3),
    );
    press_code(&mut app, KeyCode::Esc);
    assert!(press(&mut app, 'q').is_empty());
    let Some(egain_console::tui::popup::Popup::Confirm(c)) = app.popups.top() else {
        panic!("q asks");
    };
    assert!(c.message.starts_with("1 conversation(s) open"), "{}", c.message);
}

#[test]
fn esc_cancels_the_run_and_the_row_says_so() {
    let mut app = scenarios_app(false);
    let run = run_echo(&mut app);
    send(
        &mut app,
        event(Event::Started {
            run,
            scenario: Box::new(echo_scenario()),
        }),
    );
    let effects = press_code(&mut app, KeyCode::Esc);
    assert!(effects.contains(&Effect::CancelScenarios(run)), "{effects:?}");
    assert!(render(&mut app, 80, 24).contains("cancelling…"));
    send(
        &mut app,
        event(Event::Ended {
            run,
            end: RunEnd::Cancelled,
        }),
    );
    assert_eq!(state(&app, "echo.yaml"), Some(RunState::Cancelled));
    assert!(app.scenarios.running.is_none());
    assert!(render(&mut app, 80, 24).contains("CANCELLED"));
    press(&mut app, 'o');
    let error = app.status.error.clone().unwrap_or_default();
    assert!(error.contains("cancelled before it sent anything"), "{error}");
}

#[test]
fn a_run_that_cannot_start_names_why_and_marks_its_files() {
    let mut app = scenarios_app(false);
    let run = run_echo(&mut app);
    send(
        &mut app,
        event(Event::Ended {
            run,
            end: RunEnd::Failed("no account is named \"Demo Account\"".into()),
        }),
    );
    let error = app.status.error.clone().unwrap_or_default();
    assert!(error.contains("no account is named"), "{error}");
    assert!(matches!(state(&app, "echo.yaml"), Some(RunState::Error(_))));
}

#[test]
fn without_a_callback_receiver_a_run_is_refused_before_anything_is_sent() {
    let mut app = scenarios_app(false);
    app.session.callback_urls.clear();
    press_code(&mut app, KeyCode::Down);
    let effects = press_code(&mut app, KeyCode::Enter);
    assert!(jobs(&effects).is_empty());
    let error = app.status.error.clone().unwrap_or_default();
    assert!(error.contains("callback"), "{error}");
}

#[test]
fn a_rescan_keeps_each_files_last_run() {
    let mut app = scenarios_app(false);
    failed_run(&mut app);
    let effects = press(&mut app, 'r');
    assert!(
        effects.iter().any(|e| matches!(e, Effect::ScanScenarios(..))),
        "{effects:?}"
    );
    send(&mut app, listing());
    assert_eq!(state(&app, "echo.yaml"), Some(RunState::Failed));
}

#[test]
fn a_missing_folder_says_how_to_fix_it() {
    let mut app = loaded_app(false);
    press(&mut app, '4');
    send(
        &mut app,
        event(Event::Listed {
            dir: dir(),
            result: Err("scenarios: no such file or folder".into()),
        }),
    );
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("no such file or folder"), "{screen}");
    assert!(screen.contains("scenarios_dir"), "{screen}");
}

fn snapshot(name: &str, app: &mut App) {
    for (w, h) in [(80, 24), (120, 40)] {
        let text = render(app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
    }
}

#[test]
fn snapshot_list() {
    let mut app = scenarios_app(false);
    press_code(&mut app, KeyCode::Down);
    snapshot("scenarios_list", &mut app);
}

#[test]
fn snapshot_failed_run() {
    let mut app = scenarios_app(false);
    failed_run(&mut app);
    snapshot("scenarios_failed_run", &mut app);
}

#[test]
fn tab_visits_the_four_panes_in_their_number_order() {
    let mut app = loaded_app(false);
    let mut seen = vec![app.focus];
    for _ in 0..4 {
        press_code(&mut app, KeyCode::Tab);
        seen.push(app.focus);
    }
    assert_eq!(
        seen,
        [
            PaneId::Entities,
            PaneId::Conversation,
            PaneId::Log,
            PaneId::Scenarios,
            PaneId::Entities
        ]
    );
    // In the wide layout Scenarios takes the place over the request log
    // while it is the last of the two focused.
    let mut app = loaded_app(false);
    press(&mut app, '4');
    press(&mut app, '2');
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("4 Scenarios"), "{screen}");
    assert!(!screen.contains("1 Entities"), "{screen}");
    press_code(&mut app, KeyCode::Esc);
    press(&mut app, '1');
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("1 Entities"), "{screen}");
}

#[test]
fn run_all_follows_the_file_being_run_until_the_selection_is_moved() {
    let mut app = scenarios_app(false);
    let effects = press(&mut app, 'a');
    let run = jobs(&effects)[0].run;
    assert_eq!(
        app.scenarios.selected, 0,
        "broken.yaml stays selected until a file starts"
    );
    let menu = file::parse(&dir().join("menu.yaml"), MENU).expect("parses");
    send(
        &mut app,
        event(Event::Started {
            run,
            scenario: Box::new(echo_scenario()),
        }),
    );
    assert_eq!(app.scenarios.selected, 1, "echo.yaml runs first");
    // Looking at another file stops the following.
    press_code(&mut app, KeyCode::Up);
    send(
        &mut app,
        event(Event::Started {
            run,
            scenario: Box::new(menu),
        }),
    );
    assert_eq!(app.scenarios.selected, 0);
    assert_eq!(state(&app, "menu.yaml"), Some(RunState::Running));
}

#[test]
fn help_and_palette_in_the_pane_lead_with_its_commands() {
    let mut app = scenarios_app(true);
    press(&mut app, '?');
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("Run the selected scenario"), "{screen}");
    press_code(&mut app, KeyCode::Esc);
    press(&mut app, ':');
    let egain_console::tui::popup::Popup::Palette(_) = top(&app) else {
        panic!("the palette is open");
    };
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("run all"), "{screen}");
}
