//! A yes/no question. Only Enter confirms (not a letter: a word typed by
//! mistake must not answer it); Esc or `n` cancels.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::common::{Outcome, Step, frame_popup};
use crate::tui::action::Action;
use crate::tui::command::{Table, cmd};
use crate::tui::keymap::Context;
use crate::tui::theme::Theme;
use crate::tui::wrap::wrap;

pub const COMMANDS: Table = Table {
    context: Context::Confirm,
    title: "Confirmation",
    commands: &[
        cmd(Action::Confirm, "confirm", "Confirm"),
        cmd(Action::Cancel, "cancel", "Cancel"),
    ],
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub message: String,
}

impl Confirm {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    pub fn on_action(&mut self, action: Action) -> Step {
        match action {
            Action::Confirm => Step::Close(Outcome::Confirmed),
            Action::Cancel => Step::Close(Outcome::Cancelled),
            _ => Step::Stay,
        }
    }

    pub fn render(&self, theme: &Theme, frame: &mut Frame, area: Rect) {
        let width = 76.min(area.width);
        let inner_width = width.saturating_sub(2).max(1) as usize;
        // Each message line wraps on its own; the box grows to fit them.
        let rows: Vec<String> = wrap(&self.message, inner_width);
        let rect = super::common::centered(area, width, rows.len() as u16 + 4);
        let inner = frame_popup(theme, frame, rect, "Confirm".into());
        let mut lines: Vec<Line> = rows.into_iter().map(Line::from).collect();
        lines.push(Line::from(""));
        lines.push(Line::from(vec![
            Span::styled("Enter", theme.key()),
            Span::raw(" yes   "),
            Span::styled("Esc", theme.key()),
            Span::raw(" / "),
            Span::styled("n", theme.key()),
            Span::raw(" no"),
        ]));
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
