//! What every popup shares: how it ends ([`Outcome`]), what its reaction
//! asks of the stack ([`Step`]), and drawing and movement helpers.

use serde_json::Value;

use crate::schema::Spec;
use crate::tui::action::Action;
use crate::tui::effect::Effect;

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

/// Clear `area`, draw a titled frame and return its inside.
pub fn frame_popup(
    theme: &crate::tui::theme::Theme,
    frame: &mut ratatui::Frame,
    area: ratatui::layout::Rect,
    title: String,
) -> ratatui::layout::Rect {
    use ratatui::text::Span;
    use ratatui::widgets::{Block, Clear};
    frame.render_widget(Clear, area);
    // Cut after a whole part rather than inside a word (corners and padding take 4).
    let room = usize::from(area.width.saturating_sub(4));
    let title = match crate::tui::wrap::shorten(&title, room) {
        Some(fits) => format!(" {fits} "),
        None => crate::tui::wrap::truncate(&format!(" {title} "), room + 2).to_owned(),
    };
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

/// What a popup may read while reacting.
pub struct PopupCx<'a> {
    pub spec: &'a Spec,
}
