//! Popups as a stack. Each layer records which component opened it (its
//! [`Ask`]) and hands its [`Outcome`] back to that owner: confirmed, a chosen
//! item, submitted text or JSON, or cancelled. The root update routes the
//! outcome by owner and knows nothing of what it means.

pub mod ask;
pub mod confirm;
pub mod editor;
pub mod help;
pub mod pick;
pub mod prompt;
pub mod transcript;

use serde_json::Value;

use crate::schema::Spec;

use super::action::Action;
use super::command::Table;
use super::effect::{Effect, Owner};
use super::keymap::Context;

pub use ask::Ask;
pub use confirm::Confirm;
pub use editor::Editor;
pub use help::Help;
pub use pick::Pick;
pub use prompt::Prompt;
pub use transcript::Transcript;

/// How a popup ended, or what it submitted while staying open.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Confirmed,
    Chosen(usize),
    Text(String),
    Json(Value),
    Cancelled,
}

/// What a popup's reaction to an action asks of the stack.
#[derive(Debug)]
pub enum Step {
    /// Nothing for the owner (moved, typed, scrolled).
    Stay,
    /// Side effects of the popup's own (completion, $EDITOR, saving).
    Effects(Vec<Effect>),
    /// Close and hand the outcome to the owner.
    Close(Outcome),
    /// Hand the outcome to the owner and stay open: the owner closes it, or
    /// rejects it with a problem to show.
    Submit(Outcome),
}

/// A component shown in the stack lists its own commands.
const NO_COMMANDS: Table = Table {
    context: Context::Setup,
    title: "",
    commands: &[],
};

/// What a popup may read while reacting.
pub struct PopupCx<'a> {
    pub spec: &'a Spec,
}

pub enum Popup {
    Help(Help),
    Confirm(Confirm),
    Prompt(Box<Prompt>),
    Editor(Box<Editor>),
    Pick(Box<Pick>),
    Transcript(Box<Transcript>),
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
            Popup::Component(_) => NO_COMMANDS,
        }
    }

    /// Whether keys that are not bound are typed into the popup.
    pub fn is_text(&self) -> bool {
        matches!(self, Popup::Prompt(_) | Popup::Editor(_))
    }

    pub fn on_action(&mut self, action: Action, cx: &PopupCx) -> Step {
        match self {
            Popup::Help(h) => h.on_action(action),
            Popup::Confirm(c) => c.on_action(action),
            Popup::Prompt(p) => p.on_action(action),
            Popup::Editor(e) => e.on_action(action, cx),
            Popup::Pick(p) => p.on_action(action),
            Popup::Transcript(t) => t.on_action(action),
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

/// Clear `area`, draw a titled frame and return its inside.
pub fn frame_popup(
    theme: &super::theme::Theme,
    frame: &mut ratatui::Frame,
    area: ratatui::layout::Rect,
    title: String,
) -> ratatui::layout::Rect {
    use ratatui::text::Span;
    use ratatui::widgets::{Block, Clear};
    frame.render_widget(Clear, area);
    let title = super::wrap::truncate(&format!(" {title} "), area.width.saturating_sub(2) as usize).to_owned();
    let block = Block::bordered()
        .title(Span::styled(title, theme.title()))
        .border_style(theme.border(true));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// A rectangle centred in `area`, at most `width` x `height`.
pub fn centered(area: ratatui::layout::Rect, width: u16, height: u16) -> ratatui::layout::Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    ratatui::layout::Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Move a selection by a list action; false when the action is not a move.
pub fn move_selection(selected: &mut usize, len: usize, action: Action) -> bool {
    const PAGE: usize = 10;
    let last = len.saturating_sub(1);
    *selected = match action {
        Action::Up => selected.saturating_sub(1),
        Action::Down => (*selected + 1).min(last),
        Action::PageUp => selected.saturating_sub(PAGE),
        Action::PageDown => (*selected + PAGE).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => return false,
    };
    true
}

/// Scroll a view by a list action; false when the action is not a move.
pub fn scroll(offset: &mut u16, action: Action) -> bool {
    const PAGE: u16 = 10;
    *offset = match action {
        Action::Up => offset.saturating_sub(1),
        Action::Down => offset.saturating_add(1),
        Action::PageUp => offset.saturating_sub(PAGE),
        Action::PageDown => offset.saturating_add(PAGE),
        Action::Top => 0,
        Action::Bottom => u16::MAX / 2,
        _ => return false,
    };
    true
}
