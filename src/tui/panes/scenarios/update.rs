//! Keys and progress of the Scenarios component. Pure: running asks the
//! runtime for it (`Effect::RunScenarios`), and what the run reports comes
//! back as [`Event`]s for this component.

use crate::conversation::state::Conversation;
use crate::conversation::templates::MessageTemplates;
use crate::tui::action::Action;
use crate::tui::cx::Cx;
use crate::tui::effect::{Effect, Owner};

use super::{Event, FileRun, Listing, Row, RunEnd, RunJob, RunState, Running, ScenariosPane};

pub const OWNER: Owner = Owner::Scenarios;

/// Rows the detail scrolls by per PageUp/PageDown.
const SCROLL_PAGE: u16 = 10;

/// What an action asks of the root besides effects.
#[derive(Debug)]
pub enum Reaction {
    /// Not this component's action.
    Ignored,
    Handled,
    /// Show this conversation in the Conversation pane, focused.
    Open(Box<Conversation>),
}

/// Whether the folder still has to be read (the pane was never shown).
pub fn needs_scan(pane: &ScenariosPane) -> bool {
    pane.listing == Listing::NotYet
}

/// Read the folder (again).
pub fn scan(pane: &mut ScenariosPane) -> Effect {
    pane.listing = Listing::Scanning;
    Effect::ScanScenarios(OWNER, pane.dir.clone())
}

/// `templates`: the console's message templates (the Conversation pane's),
/// which runs build their sends with.
pub fn on_action(pane: &mut ScenariosPane, templates: &MessageTemplates, action: Action, cx: &mut Cx) -> Reaction {
    let last = pane.rows.len().saturating_sub(1);
    let select = |pane: &mut ScenariosPane, to: usize| {
        // Moving by hand stops following the run.
        if let Some(running) = pane.running.as_mut() {
            running.following = false;
        }
        if to != pane.selected {
            pane.selected = to;
            pane.scroll = 0;
        }
    };
    match action {
        Action::Up => select(pane, pane.selected.saturating_sub(1)),
        Action::Down => select(pane, (pane.selected + 1).min(last)),
        Action::Top => select(pane, 0),
        Action::Bottom => select(pane, last),
        Action::PageDown => pane.scroll = pane.scroll.saturating_add(SCROLL_PAGE),
        Action::PageUp => pane.scroll = pane.scroll.saturating_sub(SCROLL_PAGE),
        Action::RunScenario => {
            let Some(row) = pane.selected_row() else {
                cx.error(format!("no scenario to run in {}", pane.dir.display()));
                return Reaction::Handled;
            };
            if let Err(e) = &row.scenario {
                cx.error(format!("{} cannot run: {e}", pane.display_name(row)));
                return Reaction::Handled;
            }
            let files = vec![row.path.clone()];
            start(pane, files, templates, cx);
        }
        Action::RunAllScenarios => {
            let files: Vec<_> = pane
                .rows
                .iter()
                .filter(|r| r.scenario.is_ok())
                .map(|r| r.path.clone())
                .collect();
            if files.is_empty() {
                cx.error(format!("no scenario that can run in {}", pane.dir.display()));
                return Reaction::Handled;
            }
            start(pane, files, templates, cx);
        }
        Action::CancelRun => match pane.running.as_mut() {
            Some(running) => {
                running.cancelling = true;
                cx.notice("cancelling the scenario run…");
                cx.effect(Effect::CancelScenarios(running.run));
            }
            // Esc with nothing to cancel dismisses the last error, as elsewhere.
            None => cx.status.error = None,
        },
        Action::OpenRunConversation => return open(pane, cx),
        Action::Refresh => {
            if pane.running.is_some() {
                cx.error("a scenario run is going: wait for it or cancel it (Esc) before reading the folder again");
            } else {
                let effect = scan(pane);
                cx.effect(effect);
            }
        }
        _ => return Reaction::Ignored,
    }
    Reaction::Handled
}

/// Ask the runtime to run `files`, marking them queued.
fn start(pane: &mut ScenariosPane, files: Vec<std::path::PathBuf>, templates: &MessageTemplates, cx: &mut Cx) {
    if pane.running.is_some() {
        cx.error("a scenario run is going: wait for it or cancel it (Esc)");
        return;
    }
    let session = cx.session;
    let customer_url = session
        .callback_urls
        .iter()
        .find(|(role, _)| role == "customer")
        .map(|(_, url)| url.clone());
    let Some(customer_url) = customer_url else {
        cx.error(format!(
            "profile \"{}\" has no callback receiver serving the customer role: replies arrive by callback, so \
             scenarios need one (add [profiles.{0}.callback] with listen and public_url)",
            session.profile
        ));
        return;
    };
    let run = pane.next_run;
    pane.next_run += 1;
    for row in pane.rows.iter_mut().filter(|r| files.contains(&r.path)) {
        row.last = Some(FileRun::queued());
    }
    pane.scroll = 0;
    pane.running = Some(Running {
        run,
        files: files.clone(),
        cancelling: false,
        following: true,
    });
    cx.effect(Effect::RunScenarios(
        OWNER,
        Box::new(RunJob {
            run,
            files,
            templates: templates.clone(),
            console_url: (!session.sandbox).then_some(customer_url),
        }),
    ));
}

/// The conversation of the selected file's last run, for the Conversation pane.
fn open(pane: &ScenariosPane, cx: &mut Cx) -> Reaction {
    let Some(row) = pane.selected_row() else {
        return Reaction::Handled;
    };
    let name = pane.display_name(row);
    let Some(last) = &row.last else {
        cx.error(format!("{name} has not run yet: Enter runs it"));
        return Reaction::Handled;
    };
    if let Some(conversation) = &last.conversation {
        return Reaction::Open(conversation.clone());
    }
    let why = match &last.state {
        RunState::Queued | RunState::Running => "its run is going: the conversation opens once it ends".to_owned(),
        RunState::Cancelled => "its run was cancelled before it sent anything".to_owned(),
        RunState::Error(e) => format!("it did not run: {e}"),
        RunState::Passed | RunState::Failed => {
            "its run opened no conversation (it stopped before its first send)".to_owned()
        }
    };
    cx.error(format!("{name}: {why}"));
    Reaction::Handled
}

/// What the runtime reported.
pub fn on_event(pane: &mut ScenariosPane, event: Event, cx: &mut Cx) {
    let current = |pane: &ScenariosPane, run: u64| pane.running.as_ref().is_some_and(|r| r.run == run);
    match event {
        Event::Listed { dir, result } => {
            if dir != pane.dir {
                return;
            }
            match result {
                Ok(listed) => {
                    let mut old = std::mem::take(&mut pane.rows);
                    pane.rows = listed
                        .into_iter()
                        .map(|l| {
                            // A file listed again keeps its last run.
                            let last = old.iter_mut().find(|r| r.path == l.path).and_then(|r| r.last.take());
                            Row {
                                path: l.path,
                                scenario: l.scenario,
                                last,
                            }
                        })
                        .collect();
                    pane.listing = Listing::Done;
                }
                Err(e) => {
                    pane.rows.clear();
                    pane.listing = Listing::Failed(e);
                }
            }
            pane.selected = pane.selected.min(pane.rows.len().saturating_sub(1));
        }
        Event::Started { run, scenario } => {
            if !current(pane, run) {
                return;
            }
            if pane.running.as_ref().is_some_and(|r| r.following)
                && let Some(i) = pane.rows.iter().position(|r| r.path == scenario.path)
                && i != pane.selected
            {
                pane.selected = i;
                pane.scroll = 0;
            }
            if let Some(last) = pane.row_mut(&scenario.path).and_then(|r| r.last.as_mut()) {
                last.state = RunState::Running;
                last.scenario = Some(*scenario);
            }
        }
        Event::Step { run, path, result } => {
            if !current(pane, run) {
                return;
            }
            if let Some(last) = pane.row_mut(&path).and_then(|r| r.last.as_mut()) {
                last.steps.push(result);
            }
        }
        Event::Finished { run, result } => {
            if !current(pane, run) {
                return;
            }
            let result = *result;
            if let Some(last) = pane.row_mut(&result.path).and_then(|r| r.last.as_mut()) {
                last.state = if result.cancelled {
                    RunState::Cancelled
                } else if result.passed() {
                    RunState::Passed
                } else {
                    RunState::Failed
                };
                last.steps = result.steps;
                last.failure = result.failure;
                last.elapsed = Some(result.elapsed);
                last.conversation_id = result.conversation_id;
                last.conversation = result.conversation.map(Box::new);
            }
        }
        Event::Skipped { run, path, error } => {
            if !current(pane, run) {
                return;
            }
            if let Some(row) = pane.row_mut(&path) {
                row.scenario = Err(error.clone());
                if let Some(last) = row.last.as_mut() {
                    last.state = RunState::Error(error);
                }
            }
        }
        Event::Ended { run, end } => {
            if !current(pane, run) {
                return;
            }
            let files = pane.running.take().map(|r| r.files).unwrap_or_default();
            let unfinished = match &end {
                RunEnd::Cancelled => RunState::Cancelled,
                RunEnd::Failed(e) => RunState::Error(e.clone()),
                RunEnd::Done => RunState::Error("the run ended before this file".into()),
            };
            for last in pane.rows.iter_mut().filter_map(|r| r.last.as_mut()) {
                if matches!(last.state, RunState::Queued | RunState::Running) {
                    last.state = unfinished.clone();
                }
            }
            match end {
                RunEnd::Done => {
                    let (passed, failed) = pane
                        .rows
                        .iter()
                        .filter(|r| files.contains(&r.path))
                        .filter_map(|r| r.last.as_ref())
                        .fold((0, 0), |(p, f), l| match l.state {
                            RunState::Passed => (p + 1, f),
                            RunState::Failed | RunState::Error(_) => (p, f + 1),
                            _ => (p, f),
                        });
                    cx.notice(format!("scenarios: {passed} passed, {failed} failed"));
                }
                RunEnd::Cancelled => cx.notice("scenario run cancelled"),
                RunEnd::Failed(e) => cx.error(format!("scenario run: {e}")),
            }
        }
    }
}
