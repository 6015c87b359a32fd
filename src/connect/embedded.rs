//! The embedded sandbox as the console holds it. Without a state file it
//! finishes opening (database, seed) in the background: the console draws
//! its first frame meanwhile, and its first requests wait in the sandbox's
//! listen queue until it serves. A failure there is reported into the UI
//! (a notice) and the requests fail as refused connections.

use tokio::task::JoinHandle;

use crate::sandbox::{RunningSandbox, Starting};

/// Kept alive for the run; dropping it stops the sandbox.
pub struct EmbeddedSandbox {
    state: State,
}

enum State {
    Opening(JoinHandle<Result<RunningSandbox, String>>),
    Running(RunningSandbox),
    Failed(String),
}

impl EmbeddedSandbox {
    /// Serve once opened, without waiting for it.
    pub fn in_background(starting: Starting) -> Self {
        let task = tokio::spawn(async move {
            let served = starting.serve().await;
            match &served {
                Ok(sandbox) => tell(sandbox),
                Err(e) => crate::notices::push(Err(format!("the embedded sandbox did not start: {e}"))),
            }
            served
        });
        Self {
            state: State::Opening(task),
        }
    }

    pub fn running(sandbox: RunningSandbox) -> Self {
        tell(&sandbox);
        Self {
            state: State::Running(sandbox),
        }
    }

    /// The sandbox once it serves (tests reach into its state).
    pub async fn ready(&mut self) -> Result<&RunningSandbox, String> {
        if let State::Opening(task) = &mut self.state {
            self.state = match task.await {
                Ok(Ok(sandbox)) => State::Running(sandbox),
                Ok(Err(e)) => State::Failed(e),
                Err(e) => State::Failed(format!("the embedded sandbox did not start: {e}")),
            };
        }
        match &self.state {
            State::Running(sandbox) => Ok(sandbox),
            State::Failed(e) => Err(e.clone()),
            State::Opening(_) => Err("the embedded sandbox is still opening".into()),
        }
    }
}

/// What the sandbox said at start (a state file migrated, a setting clamped).
fn tell(sandbox: &RunningSandbox) {
    for notice in &sandbox.notices {
        crate::notices::push(Ok(format!("sandbox: {notice}")));
    }
}
