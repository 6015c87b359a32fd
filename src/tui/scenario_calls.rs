//! The runtime's side of the Scenarios pane: list a folder's scenario files,
//! and run them on the console's own client and callback receiver with the
//! UI-free runner ([`crate::scenario`]), reporting each step as a message.
//!
//! A run gets its own [`Inbox`] while it goes: the runtime hands it every
//! delivery the receiver accepts (the Conversation pane still gets each one
//! too), and it is dropped, backlog and all, when the run ends.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use super::effect::Owner;
use super::msg::Msg;
use super::panes::scenarios::{Event, Listed, RunEnd, RunJob};
use crate::api::Client;
use crate::callback::Inbound;
use crate::scenario::inbox::Inbox;
use crate::scenario::runner::{Harness, Observer, Progress, RunOptions};
use crate::scenario::{Scenario, file, target};

/// The runs going on: their inbox (fed by the receiver) and cancel token.
#[derive(Clone, Default)]
pub struct ActiveRuns {
    runs: Arc<Mutex<Vec<(u64, Inbox, CancellationToken)>>>,
}

impl ActiveRuns {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(u64, Inbox, CancellationToken)>> {
        self.runs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hand a delivery to every run going on (each keeps only its conversations).
    pub fn deliver(&self, inbound: &Inbound) {
        let runs = self.lock();
        if runs.is_empty() {
            return;
        }
        let at = Instant::now();
        for (_, inbox, _) in runs.iter() {
            inbox.deliver(inbound.clone(), at);
        }
    }

    pub fn cancel(&self, run: u64) {
        if let Some((_, _, token)) = self.lock().iter().find(|(id, _, _)| *id == run) {
            token.cancel();
        }
    }

    fn start(&self, run: u64) -> (Inbox, CancellationToken) {
        let inbox = Inbox::default();
        let token = CancellationToken::new();
        self.lock().push((run, inbox.clone(), token.clone()));
        (inbox, token)
    }

    fn end(&self, run: u64) {
        self.lock().retain(|(id, _, _)| *id != run);
    }
}

/// Every scenario file of `dir`, each read and checked.
pub fn scan(dir: PathBuf) -> Event {
    let result = file::find(std::slice::from_ref(&dir)).map(|files| {
        files
            .into_iter()
            .map(|path| Listed {
                scenario: file::load(&path).map_err(|e| e.to_string()),
                path,
            })
            .collect()
    });
    Event::Listed { dir, result }
}

/// Start run `job` (registered at once, so no delivery is missed).
/// `receives`: the console has a callback receiver.
pub fn spawn_run(runs: &ActiveRuns, client: Client, job: RunJob, receives: bool, tx: UnboundedSender<Msg>) {
    let run = job.run;
    let (inbox, cancel) = runs.start(run);
    let runs = runs.clone();
    tokio::spawn(async move {
        let end = execute(client, job, inbox, receives, &cancel, tx.clone()).await;
        runs.end(run);
        send(&tx, Event::Ended { run, end });
    });
}

fn send(tx: &UnboundedSender<Msg>, event: Event) {
    let _ = tx.send(Msg::Scenarios(Owner::Scenarios, Box::new(event)));
}

/// Run the job; a cancel stops it between files, or inside one through the
/// runner (which ends the conversation it opened).
async fn execute(
    client: Client,
    job: RunJob,
    inbox: Inbox,
    receives: bool,
    cancel: &CancellationToken,
    tx: UnboundedSender<Msg>,
) -> RunEnd {
    let run = job.run;
    if !receives {
        return RunEnd::Failed(
            "this console has no callback receiver, and replies arrive by callback: add a [callback] table to the profile"
                .into(),
        );
    }
    // Read again: the file may have changed since it was listed.
    let files = job.files.clone();
    let loaded = tokio::task::spawn_blocking(move || {
        files
            .into_iter()
            .map(|path: PathBuf| (file::load(&path).map_err(|e| e.to_string()), path))
            .collect::<Vec<_>>()
    })
    .await
    .unwrap_or_default();
    let mut scenarios: Vec<Scenario> = Vec::new();
    for (result, path) in loaded {
        match result {
            Ok(s) => scenarios.push(s),
            Err(error) => send(&tx, Event::Skipped { run, path, error }),
        }
    }
    if scenarios.is_empty() {
        return RunEnd::Done;
    }
    let resolving = target::resolve(&client, scenarios.iter().map(|s| s.account.clone()));
    let resolved = tokio::select! {
        biased;
        _ = cancel.cancelled() => return RunEnd::Cancelled,
        resolved = resolving => resolved,
    };
    let targets = match resolved {
        Ok(t) => t,
        Err(e) => {
            let file = scenarios
                .iter()
                .find(|s| !e.tenant && s.account == e.name)
                .map(|s| match s.account_line {
                    Some(line) if e.name.is_some() => format!("{}:{line}: account: ", s.path.display()),
                    _ => format!("{}: ", s.path.display()),
                })
                .unwrap_or_default();
            return RunEnd::Failed(format!("{file}{}", e.message));
        }
    };
    if let Some(url) = &job.console_url {
        let checked = tokio::select! {
            biased;
            _ = cancel.cancelled() => return RunEnd::Cancelled,
            checked = check_callbacks(&client, &targets, url) => checked,
        };
        if let Err(e) = checked {
            return RunEnd::Failed(e);
        }
    }
    let harness = Harness {
        client,
        templates: job.templates,
        inbox,
        targets,
    };
    let observer: Observer = {
        let tx = tx.clone();
        Arc::new(move |progress| match progress {
            Progress::Started { scenario, .. } => send(
                &tx,
                Event::Started {
                    run,
                    scenario: Box::new(scenario.clone()),
                },
            ),
            Progress::Step { scenario, result, .. } => send(
                &tx,
                Event::Step {
                    run,
                    path: scenario.path.clone(),
                    result: result.clone(),
                },
            ),
            Progress::Finished { result } => send(
                &tx,
                Event::Finished {
                    run,
                    result: Box::new(result.clone()),
                },
            ),
        })
    };
    let options = RunOptions {
        run: 1,
        keep_conversation: true,
    };
    for scenario in &scenarios {
        if cancel.is_cancelled() {
            return RunEnd::Cancelled;
        }
        harness.run_cancellable(scenario, options, &observer, cancel).await;
    }
    if cancel.is_cancelled() {
        RunEnd::Cancelled
    } else {
        RunEnd::Done
    }
}

/// On a tenant: the customer role of each account's client application must
/// call this console, or no reply would reach the run. Reads only; pointing
/// the role here is the Entities pane's `u`, which the user confirms.
async fn check_callbacks(
    client: &Client,
    targets: &BTreeMap<Option<String>, target::Target>,
    url: &str,
) -> Result<(), String> {
    let mut apps: Vec<&str> = targets.values().filter_map(|t| t.customer_app.as_deref()).collect();
    apps.sort();
    apps.dedup();
    for app in apps {
        let plan = crate::callback_takeover::plan(client, app, "customer", url)
            .await
            .map_err(|e| format!("checking where the customer role of client application {app} calls back: {e}"))?;
        if plan.current_callback.as_deref() != Some(url) {
            return Err(format!(
                "the customer role of client application \"{}\" calls back {}, not this console ({url}): \
                 open it in the Entities pane and press u to point it here, then run again",
                plan.app_name,
                plan.current_callback.as_deref().unwrap_or("nothing")
            ));
        }
    }
    Ok(())
}
