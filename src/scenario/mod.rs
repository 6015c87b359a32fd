//! Conversation scenarios, without UI: a YAML file of steps (send as a
//! role, expect what the other side answers, end), run against a tenant or
//! the embedded sandbox, reported as text, JSON or JUnit XML, and run many
//! times at once to measure how fast the other side answers.
//!
//! - [`model`]: a scenario as data; [`file`]: the YAML file, read and checked (errors name file:line:key).
//! - [`vars`]: `${name}` and `${env.NAME}` in step values.
//! - [`expect`]: what an `expect` step accepts.
//! - [`inbox`]: callback deliveries routed to the run that owns each conversation.
//! - [`target`]: the account a scenario opens its conversation on.
//! - [`runner`]: one scenario, step by step; [`load`]: many runs at once, with percentiles.
//! - [`junit`]: JUnit XML for CI; [`record`]: a scenario file from a conversation held.

pub mod expect;
pub mod file;
pub mod inbox;
pub mod junit;
pub mod load;
pub mod model;
pub mod record;
pub mod runner;
pub mod target;
pub mod vars;

pub use file::ScenarioError;
pub use model::{Scenario, Step};
pub use runner::{Harness, ScenarioResult};
