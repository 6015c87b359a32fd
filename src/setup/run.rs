//! Driving a [`SetupFlow`] against the API in one go.

use super::{SetupFlow, StepStatus};
use crate::api::Client;
use crate::api::models::EntityKind;

/// How a [`run`] ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    /// Every object exists.
    Complete,
    /// Step `step` failed (on the server or its local check); the steps
    /// before it are done and a later run resumes at it.
    Failed {
        step: usize,
        kind: EntityKind,
        error: String,
    },
    /// Another driver has a step running; nothing was done.
    Busy,
}

/// Create the remaining objects in order until all exist or one fails.
/// `progress` sees the flow after every status change (step running, done,
/// failed) so a view can redraw. Calling it again after a failure resumes.
pub async fn run(client: &Client, flow: &mut SetupFlow, mut progress: impl FnMut(&SetupFlow)) -> RunOutcome {
    while let Some((i, kind, body)) = flow.next_step() {
        progress(flow);
        // `i` came from `next_step`, so recording cannot miss.
        match client.create_raw(kind, &body).await {
            Ok(id) => {
                let _ = flow.record_success(i, id);
                progress(flow);
            }
            Err(error) => {
                let _ = flow.record_failure(i, error);
                progress(flow);
                return failed(flow, i);
            }
        }
    }
    if flow.is_complete() {
        return RunOutcome::Complete;
    }
    match flow.failed_step() {
        Some(step) => {
            // Refused locally inside `next_step`: the view has not seen it yet.
            progress(flow);
            failed(flow, step)
        }
        None => RunOutcome::Busy,
    }
}

fn failed(flow: &SetupFlow, step: usize) -> RunOutcome {
    let failed = &flow.steps()[step];
    let error = match &failed.status {
        StepStatus::Failed { error } => error.clone(),
        other => other.to_string(),
    };
    RunOutcome::Failed {
        step,
        kind: failed.kind,
        error,
    }
}
