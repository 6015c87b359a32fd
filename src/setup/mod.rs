//! Guided setup of a complete account: Authentication → Client Application →
//! Participant → Channel → Orchestration → Account, each body rendered from
//! the [`crate::templates`] with the ids created before it. UI-free: a state
//! machine ([`SetupFlow`]) plus an async driver ([`run`]).

mod flow;
mod inputs;
mod run;

pub use flow::{FlowError, SetupFlow, Step, StepStatus};
pub use inputs::SetupInputs;
pub use run::{RunOutcome, run};
