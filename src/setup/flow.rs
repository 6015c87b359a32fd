//! The guided setup as a state machine with no I/O: six steps in the vendor's
//! order, each a create body rendered from its template. The console can drive
//! it from its event loop ([`SetupFlow::next_step`], then `record_*`), or let
//! [`super::run`] drive it. Nothing is ever rolled back: a failed step keeps
//! what was created before it, and the next attempt resumes at that step.

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use super::SetupInputs;
use crate::api::models::EntityKind;
use crate::api::{ApiError, redact};
use crate::schema::Spec;
use crate::templates::{self, Bindings, Existing, Slot, Templates, braced};

/// Where one step stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepStatus {
    Pending,
    /// Handed out by [`SetupFlow::next_step`]; waiting for its result.
    Running,
    Done {
        id: String,
    },
    /// Refused by the server, or locally before any request was made.
    Failed {
        error: String,
    },
}

/// One object to create.
#[derive(Clone, PartialEq)]
pub struct Step {
    pub kind: EntityKind,
    pub status: StepStatus,
    /// The create body: inputs filled, `{{<kind>.id}}` references left for
    /// [`SetupFlow::next_step`] to fill from the steps done before.
    pub body: Value,
    /// The user changed the body ([`SetupFlow::edit_body`]).
    pub edited: bool,
}

/// A request the flow cannot honour.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowError {
    #[error("there is no step {0}")]
    NoSuchStep(usize),
    #[error("step {0} is already done; its object exists")]
    AlreadyDone(usize),
    #[error("step {0} is running")]
    Running(usize),
}

/// The guided creation of a complete account.
#[derive(Clone)]
pub struct SetupFlow {
    steps: Vec<Step>,
    inputs: Bindings,
    spec: Arc<Spec>,
}

impl SetupFlow {
    /// Six pending steps, Authentication first, with bodies rendered from
    /// `templates` and `inputs`; bodies are checked against `spec` before sending.
    pub fn new(templates: &Templates, inputs: &SetupInputs, spec: Arc<Spec>) -> Self {
        let bindings = inputs.bindings();
        let steps = EntityKind::ALL
            .into_iter()
            .map(|kind| Step {
                kind,
                status: StepStatus::Pending,
                body: templates.get(kind).render(&bindings),
                edited: false,
            })
            .collect();
        Self {
            steps,
            inputs: bindings,
            spec,
        }
    }

    /// Like [`SetupFlow::new`], on a tenant that already holds `existing`:
    /// the inputs get the first free setup number (`Console Account 2` when
    /// a `Console Account 1` exists), and a unique field still taken (a user
    /// template without `{{unique}}`) its first free suffix, so the setup
    /// runs through without the user renaming anything.
    pub fn among(templates: &Templates, inputs: &SetupInputs, spec: Arc<Spec>, existing: &dyn Existing) -> Self {
        let inputs = inputs.first_free(templates, &EntityKind::ALL, &Bindings::empty(), existing);
        let mut flow = Self::new(templates, &inputs, spec);
        for step in &mut flow.steps {
            templates::avoid_collisions(step.kind, &mut step.body, existing.existing(step.kind));
        }
        flow
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    pub fn is_complete(&self) -> bool {
        self.steps.iter().all(|s| matches!(s.status, StepStatus::Done { .. }))
    }

    /// The first failed step, where a resume starts.
    pub fn failed_step(&self) -> Option<usize> {
        self.steps
            .iter()
            .position(|s| matches!(s.status, StepStatus::Failed { .. }))
    }

    /// Objects created so far, in setup order.
    pub fn created(&self) -> Vec<(EntityKind, String)> {
        self.steps
            .iter()
            .filter_map(|s| match &s.status {
                StepStatus::Done { id } => Some((s.kind, id.clone())),
                _ => None,
            })
            .collect()
    }

    /// Inputs plus the ids of the steps done so far.
    pub fn bindings(&self) -> Bindings {
        let mut b = self.inputs.clone();
        for (kind, id) in self.created() {
            b.set_reference(kind, id);
        }
        b
    }

    /// Step `i`'s body as it would be sent now (for previews).
    pub fn rendered(&self, i: usize) -> Option<Value> {
        self.steps.get(i).map(|s| self.bindings().render(&s.body))
    }

    /// References of step `i` no done step fills yet; the editor can offer
    /// existing objects for them (then [`SetupFlow::record_success`] on the
    /// step of that kind adopts the picked id).
    pub fn unresolved(&self, i: usize) -> Vec<Slot> {
        let bindings = self.bindings();
        self.steps
            .get(i)
            .map(|s| templates::slots(&s.body))
            .unwrap_or_default()
            .into_iter()
            .filter(|slot| bindings.reference(slot.kind).is_none())
            .collect()
    }

    /// Take the first step not done (pending or failed) and mark it running;
    /// returns its index, kind and body with the ids of the done steps filled.
    ///
    /// `None` when the flow is complete, a step is running, or the next body
    /// failed its local check: then that step is `Failed` with the JSON paths
    /// named and nothing should be sent (see [`SetupFlow::failed_step`]).
    pub fn next_step(&mut self) -> Option<(usize, EntityKind, Value)> {
        if self.steps.iter().any(|s| s.status == StepStatus::Running) {
            return None;
        }
        let i = self
            .steps
            .iter()
            .position(|s| !matches!(s.status, StepStatus::Done { .. }))?;
        let body = self.bindings().render(&self.steps[i].body);
        let kind = self.steps[i].kind;
        let problems = local_problems(&self.spec, kind, &body);
        if problems.is_empty() {
            self.steps[i].status = StepStatus::Running;
            Some((i, kind, body))
        } else {
            let error = format!("not sent: {}", problems.join("; "));
            self.steps[i].status = StepStatus::Failed { error };
            None
        }
    }

    /// Step `i` created (or the user picked an existing object with) `id`.
    pub fn record_success(&mut self, i: usize, id: impl Into<String>) -> Result<(), FlowError> {
        let step = self.steps.get_mut(i).ok_or(FlowError::NoSuchStep(i))?;
        step.status = StepStatus::Done { id: id.into() };
        Ok(())
    }

    /// The request of step `i` failed; the error keeps the server's details
    /// (JSON paths of the offending fields).
    pub fn record_failure(&mut self, i: usize, error: ApiError) -> Result<(), FlowError> {
        let step = self.steps.get_mut(i).ok_or(FlowError::NoSuchStep(i))?;
        step.status = StepStatus::Failed {
            error: describe(&error),
        };
        Ok(())
    }

    /// Replace the body of a step not yet done (typically a failed one) and
    /// make it pending again, so the next attempt sends the fix.
    pub fn edit_body(&mut self, i: usize, body: Value) -> Result<(), FlowError> {
        let step = self.steps.get_mut(i).ok_or(FlowError::NoSuchStep(i))?;
        match step.status {
            StepStatus::Done { .. } => Err(FlowError::AlreadyDone(i)),
            StepStatus::Running => Err(FlowError::Running(i)),
            StepStatus::Pending | StepStatus::Failed { .. } => {
                step.edited |= step.body != body;
                step.body = body;
                step.status = StepStatus::Pending;
                Ok(())
            }
        }
    }

    /// Put a running step back to pending when its request was abandoned
    /// (e.g. the driving task was cancelled). The object may exist on the
    /// server; a retry then fails on its unique name, which the user can fix.
    pub fn reset_running(&mut self) {
        for step in &mut self.steps {
            if step.status == StepStatus::Running {
                step.status = StepStatus::Pending;
            }
        }
    }
}

/// Placeholders left unfilled, then schema violations elsewhere (a
/// placeholder standing where an id belongs would also break its format).
fn local_problems(spec: &Spec, kind: EntityKind, body: &Value) -> Vec<String> {
    let left = templates::placeholders(body);
    let mut problems: Vec<String> = left
        .iter()
        .map(|o| {
            let why = match o.reference_kind() {
                Some(kind) => format!("no {kind} created or picked yet"),
                None => "no value given".to_owned(),
            };
            format!("{}: {} is not filled ({why})", o.json_path, braced(&o.name))
        })
        .collect();
    problems.extend(
        spec.validate(kind.input_schema(), body)
            .into_iter()
            .filter(|v| !left.iter().any(|o| o.json_path == v.path))
            .map(|v| v.to_string()),
    );
    problems
}

/// The error text with the eGain details (`key` is usually a JSON path).
fn describe(error: &ApiError) -> String {
    let mut text = error.to_string();
    if let ApiError::Api { body: Some(body), .. } = error
        && !body.details.is_empty()
    {
        let details: Vec<String> = body
            .details
            .iter()
            .map(|d| match &d.value {
                Some(value) => format!("{}: {value}", d.key),
                None => d.key.clone(),
            })
            .collect();
        text.push_str(&format!(" [{}]", details.join(", ")));
    }
    text
}

/// Bodies carry the basic-auth password: debug output shows them redacted.
impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut body = self.body.clone();
        redact::json(&mut body);
        f.debug_struct("Step")
            .field("kind", &self.kind)
            .field("status", &self.status)
            .field("body", &body)
            .field("edited", &self.edited)
            .finish()
    }
}

/// The steps only: the spec is large and the inputs hold the password.
impl fmt::Debug for SetupFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetupFlow")
            .field("steps", &self.steps)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for StepStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepStatus::Pending => f.write_str("pending"),
            StepStatus::Running => f.write_str("running"),
            StepStatus::Done { id } => write!(f, "done ({id})"),
            StepStatus::Failed { error } => write!(f, "failed: {error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow() -> SetupFlow {
        SetupFlow::new(&Templates::embedded(), &SetupInputs::default(), Spec::embedded())
    }

    #[test]
    fn steps_are_handed_out_one_at_a_time_in_order_with_ids_filled() {
        let mut flow = flow();
        let (i, kind, _) = flow.next_step().unwrap();
        assert_eq!((i, kind), (0, EntityKind::Authentication));
        assert_eq!(flow.next_step(), None, "one step runs at a time");
        assert_eq!(flow.edit_body(0, Value::Null), Err(FlowError::Running(0)));
        flow.reset_running();
        assert_eq!(flow.steps()[0].status, StepStatus::Pending);
        let (i, ..) = flow.next_step().unwrap();
        let auth = "3f2b1c9e-5d4a-4e8b-9c7d-1a2b3c4d5e6f";
        flow.record_success(i, auth).unwrap();
        let (i, kind, body) = flow.next_step().unwrap();
        assert_eq!((i, kind), (1, EntityKind::ClientApplication));
        assert_eq!(body["roles"][2]["authentication"]["id"], auth);
        assert_eq!(
            flow.unresolved(4).len(),
            2,
            "participant and application ids still missing"
        );
        flow.record_failure(i, ApiError::Transport("refused".into())).unwrap();
        assert_eq!(flow.failed_step(), Some(1));
        assert_eq!(flow.created(), [(EntityKind::Authentication, auth.to_owned())]);
        assert_eq!(flow.record_success(9, "x"), Err(FlowError::NoSuchStep(9)));
        // A retry takes the failed step again.
        assert_eq!(flow.next_step().map(|s| s.0), Some(1));
    }

    #[test]
    fn debug_output_hides_the_password() {
        let inputs = SetupInputs::default();
        let flow = SetupFlow::new(&Templates::embedded(), &inputs, Spec::embedded());
        let text = format!("{flow:?}");
        assert!(text.contains("Authentication"));
        assert!(!text.contains(inputs.auth_password.expose()), "{text}");
    }
}
