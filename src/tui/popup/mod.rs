//! Popups as a stack. Each layer records which component opened it (its
//! [`Ask`]) and hands its [`Outcome`] back to that owner: confirmed, a chosen
//! item, submitted text or JSON, or cancelled. The root update routes the
//! outcome by owner and knows nothing of what it means.

pub mod ask;
pub mod common;
pub mod confirm;
pub mod editor;
pub mod help;
pub mod palette;
pub mod pick;
pub mod plan;
pub mod prompt;
pub mod transcript;

use super::action::Action;
use super::command::Table;
use super::effect::Owner;
use super::keymap::Context;

pub use ask::Ask;
pub use common::{Outcome, PopupCx, Step, centered, frame_popup, move_selection, scroll};
pub use confirm::Confirm;
pub use editor::Editor;
pub use help::Help;
pub use palette::Palette;
pub use pick::Pick;
pub use plan::PlanView;
pub use prompt::Prompt;
pub use transcript::Transcript;

/// A component shown in the stack lists its own commands.
const NO_COMMANDS: Table = Table {
    context: Context::Setup,
    title: "",
    commands: &[],
};

pub enum Popup {
    Help(Help),
    Confirm(Confirm),
    Prompt(Box<Prompt>),
    Editor(Box<Editor>),
    Pick(Box<Pick>),
    Transcript(Box<Transcript>),
    Palette(Box<Palette>),
    /// A bundle's plan, reviewed before it is applied.
    Plan(Box<PlanView>),
    /// A component shown as a popup at this level of the stack (the guided
    /// setup); it keeps its own state and gets the keys while on top.
    Component(Owner),
}

impl Popup {
    pub fn context(&self) -> Context {
        match self {
            Popup::Help(_) => Context::Help,
            Popup::Confirm(_) => Context::Confirm,
            Popup::Prompt(_) => Context::Prompt,
            Popup::Editor(_) => Context::Editor,
            Popup::Pick(_) => Context::Pick,
            Popup::Transcript(_) => Context::Transcript,
            Popup::Palette(_) => Context::Palette,
            Popup::Plan(_) => Context::BundlePlan,
            Popup::Component(_) => Context::Setup,
        }
    }

    /// The commands this popup offers (footer and help).
    pub fn commands(&self) -> Table {
        match self {
            Popup::Help(_) => help::COMMANDS,
            Popup::Confirm(_) => confirm::COMMANDS,
            Popup::Prompt(p) => p.commands(),
            Popup::Editor(_) => editor::COMMANDS,
            Popup::Pick(_) => pick::COMMANDS,
            Popup::Transcript(_) => transcript::COMMANDS,
            Popup::Palette(_) => palette::COMMANDS,
            Popup::Plan(p) => p.commands(),
            Popup::Component(_) => NO_COMMANDS,
        }
    }

    /// Whether keys that are not bound are typed into the popup.
    pub fn is_text(&self) -> bool {
        matches!(self, Popup::Prompt(_) | Popup::Editor(_) | Popup::Palette(_))
    }

    pub fn on_action(&mut self, action: Action, cx: &PopupCx) -> Step {
        match self {
            Popup::Help(h) => h.on_action(action),
            Popup::Confirm(c) => c.on_action(action),
            Popup::Prompt(p) => p.on_action(action),
            Popup::Editor(e) => e.on_action(action, cx),
            Popup::Pick(p) => p.on_action(action),
            Popup::Transcript(t) => t.on_action(action),
            Popup::Palette(p) => p.on_action(action),
            Popup::Plan(p) => p.on_action(action),
            Popup::Component(_) => Step::Stay,
        }
    }
}

/// One level of the stack.
pub struct Layer {
    pub ask: Ask,
    pub popup: Popup,
}

impl Layer {
    pub fn owner(&self) -> Owner {
        self.ask.owner()
    }
}

/// The popups over the panes, last on top.
#[derive(Default)]
pub struct Popups {
    stack: Vec<Layer>,
}

impl Popups {
    pub fn open(&mut self, ask: impl Into<Ask>, popup: Popup) {
        self.stack.push(Layer { ask: ask.into(), popup });
    }

    pub fn is_empty(&self) -> bool {
        self.stack.is_empty()
    }

    pub fn len(&self) -> usize {
        self.stack.len()
    }

    /// The popup on top.
    pub fn top(&self) -> Option<&Popup> {
        self.stack.last().map(|l| &l.popup)
    }

    pub fn top_mut(&mut self) -> Option<&mut Popup> {
        self.stack.last_mut().map(|l| &mut l.popup)
    }

    pub fn top_layer(&self) -> Option<&Layer> {
        self.stack.last()
    }

    pub fn top_layer_mut(&mut self) -> Option<&mut Layer> {
        self.stack.last_mut()
    }

    /// The ask of the popup on top.
    pub fn top_ask(&self) -> Option<&Ask> {
        self.stack.last().map(|l| &l.ask)
    }

    /// Layers from bottom to top (for drawing).
    pub fn layers(&self) -> impl Iterator<Item = &Layer> {
        self.stack.iter()
    }

    pub fn pop(&mut self) -> Option<Layer> {
        self.stack.pop()
    }

    /// Close the top layer if `ask` opened it.
    pub fn close(&mut self, ask: &Ask) -> bool {
        if self.top_ask() == Some(ask) {
            self.stack.pop();
            true
        } else {
            false
        }
    }

    /// Close the topmost layer opened for `ask`, wherever it is.
    pub fn close_any(&mut self, ask: &Ask) -> bool {
        match self.stack.iter().rposition(|l| l.ask == *ask) {
            Some(i) => {
                self.stack.remove(i);
                true
            }
            None => false,
        }
    }

    /// Whether a layer for `ask` is open.
    pub fn has(&self, ask: &Ask) -> bool {
        self.stack.iter().any(|l| l.ask == *ask)
    }

    /// Whether a component is shown in the stack.
    pub fn shows(&self, owner: Owner) -> bool {
        self.stack
            .iter()
            .any(|l| matches!(l.popup, Popup::Component(o) if o == owner))
    }

    /// The editor opened for `ask`, wherever it is in the stack.
    pub fn editor_mut(&mut self, ask: &Ask) -> Option<&mut Editor> {
        self.stack
            .iter_mut()
            .rev()
            .find(|l| l.ask == *ask)
            .and_then(|l| match &mut l.popup {
                Popup::Editor(e) => Some(e.as_mut()),
                _ => None,
            })
    }

    /// The topmost editor owned by `owner`.
    pub fn owned_editor_mut(&mut self, owner: Owner) -> Option<&mut Editor> {
        self.stack
            .iter_mut()
            .rev()
            .filter(|l| l.owner() == owner)
            .find_map(|l| match &mut l.popup {
                Popup::Editor(e) => Some(e.as_mut()),
                _ => None,
            })
    }

    /// The plan view opened for `ask`, wherever it is in the stack.
    pub fn plan_mut(&mut self, ask: &Ask) -> Option<&mut PlanView> {
        self.stack
            .iter_mut()
            .rev()
            .find(|l| l.ask == *ask)
            .and_then(|l| match &mut l.popup {
                Popup::Plan(p) => Some(p.as_mut()),
                _ => None,
            })
    }

    /// Show a problem with what the top popup submitted; it stays open.
    pub fn reject(&mut self, problem: impl Into<String>) {
        match self.top_mut() {
            Some(Popup::Prompt(p)) => p.error = Some(problem.into()),
            Some(Popup::Editor(e)) => {
                e.sending = false;
                e.problems = vec![problem.into()];
            }
            _ => {}
        }
    }
}
