//! A fetched transcript, scrollable; `s` saves it as JSON and Markdown.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::common::{Outcome, Step, frame_popup, scroll};
use crate::api::models::Conversation;
use crate::tui::action::Action;
use crate::tui::command::{Table, cmd};
use crate::tui::effect::Effect;
use crate::tui::keymap::Context;
use crate::tui::theme::Theme;
use crate::tui::wrap::wrap;

pub const COMMANDS: Table = Table {
    context: Context::Transcript,
    title: "Transcript",
    commands: &[
        cmd(Action::Save, "save", "Save the transcript as JSON and Markdown"),
        cmd(Action::Cancel, "close", "Close the transcript"),
    ],
};

pub struct Transcript {
    pub conversation: Box<Conversation>,
    pub scroll: u16,
}

impl Transcript {
    pub fn on_action(&mut self, action: Action) -> Step {
        match action {
            Action::Cancel => Step::Close(Outcome::Cancelled),
            Action::Save => Step::Effects(vec![Effect::SaveTranscript(self.conversation.clone())]),
            other => {
                scroll(&mut self.scroll, other);
                Step::Stay
            }
        }
    }

    pub fn render(&self, theme: &Theme, frame: &mut Frame, area: Rect) {
        let inner = frame_popup(
            theme,
            frame,
            area,
            format!(
                "Transcript {} · s saves JSON and Markdown · Esc closes",
                self.conversation.id
            ),
        );
        let text = crate::conversation::transcript::to_markdown(&self.conversation);
        let rows = wrap(&text, inner.width as usize);
        let max = rows.len().saturating_sub(inner.height as usize) as u16;
        let lines: Vec<Line> = rows
            .into_iter()
            .skip(self.scroll.min(max) as usize)
            .take(inner.height as usize)
            .map(Line::from)
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
