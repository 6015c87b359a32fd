//! A short list to choose one item from.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::common::{Outcome, Step, frame_popup, move_selection};
use crate::tui::action::Action;
use crate::tui::command::{Table, cmd};
use crate::tui::keymap::Context;
use crate::tui::theme::Theme;

pub const COMMANDS: Table = Table {
    context: Context::Pick,
    title: "Pick lists",
    commands: &[
        cmd(Action::Confirm, "pick", "Pick the selected item"),
        cmd(Action::Cancel, "cancel", "Cancel"),
    ],
};

pub struct Pick {
    pub title: String,
    pub items: Vec<String>,
    pub selected: usize,
}

impl Pick {
    pub fn new(title: impl Into<String>, items: Vec<String>) -> Self {
        Self {
            title: title.into(),
            items,
            selected: 0,
        }
    }

    pub fn on_action(&mut self, action: Action) -> Step {
        match action {
            Action::Cancel => Step::Close(Outcome::Cancelled),
            Action::Confirm if !self.items.is_empty() => Step::Close(Outcome::Chosen(self.selected)),
            other => {
                move_selection(&mut self.selected, self.items.len(), other);
                Step::Stay
            }
        }
    }

    pub fn render(&self, theme: &Theme, frame: &mut Frame, area: Rect) {
        let height = (self.items.len() as u16 + 3).min(area.height);
        let rect = super::common::centered(area, 76, height);
        let inner = frame_popup(theme, frame, rect, self.title.clone());
        let rows = inner.height.saturating_sub(1) as usize;
        let first = self.selected.saturating_sub(rows.saturating_sub(1));
        let mut lines: Vec<Line> = self
            .items
            .iter()
            .enumerate()
            .skip(first)
            .take(rows)
            .map(|(i, item)| {
                let line = Line::from(format!(" {}. {item}", i + 1));
                if i == self.selected {
                    line.style(theme.selected())
                } else {
                    line
                }
            })
            .collect();
        lines.push(Line::from(Span::styled(
            " ↑↓ choose · Enter picks · Esc cancels",
            theme.dim(),
        )));
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
