//! The guided setup component: Authentication > Client Application >
//! Participant > Channel > Orchestration > Account, each step wired to the
//! ids created before it. Shown as a layer of the popup stack; a step's body
//! is edited in an editor stacked above it, whose JSON comes back here.

pub mod view;

use crate::api::models::EntityKind;
use crate::setup::{SetupFlow, StepStatus};
use crate::templates::{self, Slot};

use crate::tui::action::Action;
use crate::tui::command::{Table, change, cmd};
use crate::tui::cx::Cx;
use crate::tui::effect::{Call, Owner};
use crate::tui::keymap::Context;
use crate::tui::msg::ApiReply;
use crate::tui::popup::ask::SetupAsk;
use crate::tui::popup::{Editor, Outcome, Popup, move_selection};

pub const COMMANDS: Table = Table {
    context: Context::Setup,
    title: "Guided setup",
    commands: &[
        change(
            Action::Confirm,
            "run next step",
            "Create the next object (resumes from a failed step)",
        ),
        cmd(
            Action::Edit,
            "edit step",
            "Edit the selected step's body before it runs",
        ),
        cmd(Action::Cancel, "close", "Close; objects already created are kept"),
    ],
};

const OWNER: Owner = Owner::Setup;

pub struct SetupPane {
    pub flow: SetupFlow,
    /// A step is being created.
    pub running: bool,
    pub selected: usize,
}

/// What a key did to the setup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupStep {
    Stay,
    /// Closed: this many objects were created.
    Closed(usize),
}

impl SetupPane {
    pub fn new(flow: SetupFlow) -> Self {
        Self {
            flow,
            running: false,
            selected: 0,
        }
    }

    pub fn on_action(&mut self, action: Action, cx: &mut Cx) -> SetupStep {
        let len = self.flow.steps().len();
        match action {
            Action::Cancel if !self.running => return SetupStep::Closed(self.flow.created().len()),
            Action::Confirm => self.run_next_step(cx),
            Action::Edit if !self.running => {
                let i = self.selected.min(len.saturating_sub(1));
                self.edit_step(i, cx);
            }
            other => {
                move_selection(&mut self.selected, len, other);
            }
        }
        SetupStep::Stay
    }

    /// Open step `i`'s body in the editor as the flow holds it: references
    /// to earlier steps stay readable placeholders (`{{channel.id}}`, named
    /// in the hints) and are filled with ids when the step runs; secrets
    /// show redacted and are kept unless retyped.
    fn edit_step(&self, i: usize, cx: &mut Cx) {
        let steps = self.flow.steps();
        let Some(step) = steps.get(i) else {
            return;
        };
        if matches!(step.status, StepStatus::Done { .. }) {
            cx.error(format!(
                "setup step {}: done, its object exists; edit it in the Entities pane",
                i + 1
            ));
            return;
        }
        let kind = step.kind;
        // Kinds of the steps before this one (and any done): their ids come later.
        let deferred: Vec<EntityKind> = steps
            .iter()
            .enumerate()
            .filter(|(j, s)| *j < i || matches!(s.status, StepStatus::Done { .. }))
            .map(|(_, s)| s.kind)
            .collect();
        let mut hints = vec![
            "References like {{channel.id}} stand for the objects of earlier steps; they become ids when this step runs."
                .to_owned(),
        ];
        hints.extend(
            templates::slots(&step.body)
                .into_iter()
                .map(|slot| self.reference_hint(i, &slot)),
        );
        let mut shown = step.body.clone();
        crate::api::redact::json(&mut shown);
        let text = serde_json::to_string_pretty(&shown).unwrap_or_default();
        let mut editor = Editor::new(
            OWNER,
            format!("Setup step {}: {kind}", i + 1),
            kind.input_schema(),
            &text,
            hints,
        );
        editor.original = Some(step.body.clone());
        editor.deferred = deferred;
        editor.save_verb = "keeps it for when the step runs";
        cx.open(SetupAsk::EditStep { step: i }, Popup::Editor(Box::new(editor)));
    }

    /// What a reference placeholder of step `i` stands for, in words.
    fn reference_hint(&self, i: usize, slot: &Slot) -> String {
        let steps = self.flow.steps();
        let Some(j) = steps.iter().position(|s| s.kind == slot.kind) else {
            return format!(
                "{}: replace it with the id of an existing {}",
                slot.placeholder, slot.kind
            );
        };
        let name = self
            .flow
            .rendered(j)
            .and_then(|b| {
                b.get(slot.kind.unique_field())
                    .and_then(|v| v.as_str().map(str::to_owned))
            })
            .unwrap_or_default();
        let what = format!("{}: step {} {} \"{name}\"", slot.placeholder, j + 1, slot.kind);
        match &steps[j].status {
            StepStatus::Done { id } => format!("{what}, created as {id}"),
            _ if j < i => format!("{what}, filled in once it is created"),
            _ => format!(
                "{what} runs after this step: replace it with the id of an existing {}",
                slot.kind
            ),
        }
    }

    fn run_next_step(&mut self, cx: &mut Cx) {
        if self.running || self.flow.is_complete() {
            return;
        }
        match self.flow.next_step() {
            Some((step, kind, body)) => {
                self.running = true;
                self.selected = step;
                cx.call(OWNER, Call::SetupStep { step, kind, body });
            }
            None => {
                // The local check failed: the step says why; nothing was sent.
                if let Some(i) = self.flow.failed_step() {
                    self.selected = i;
                }
            }
        }
    }

    /// The edited body of a step came back from the editor.
    pub fn on_outcome(&mut self, ask: SetupAsk, outcome: Outcome, cx: &mut Cx) {
        let SetupAsk::EditStep { step } = ask.clone();
        if let Outcome::Json(body) = outcome {
            cx.popups.close(&ask.into());
            if let Err(e) = self.flow.edit_body(step, body) {
                cx.error(format!("setup step {}: {e}", step + 1));
            }
        }
    }

    pub fn on_reply(&mut self, reply: ApiReply, cx: &mut Cx) {
        let ApiReply::SetupStep { step, result } = reply else {
            return;
        };
        self.running = false;
        match result {
            Ok(id) => {
                let kind = self.flow.steps().get(step).map(|s| s.kind);
                let _ = self.flow.record_success(step, id);
                if self.flow.is_complete() {
                    cx.notice("guided setup complete: a working account was created");
                    for kind in EntityKind::ALL {
                        cx.call(Owner::Entities, Call::list(kind));
                    }
                    return;
                }
                // Continue with the next step straight away.
                self.run_next_step(cx);
                if let Some(kind) = kind {
                    cx.call(Owner::Entities, Call::list(kind));
                }
            }
            Err(e) => {
                let _ = self.flow.record_failure(step, e);
                self.selected = step;
            }
        }
    }
}
