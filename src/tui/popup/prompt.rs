//! A one-line text prompt (filters, asset id, file path). Enter submits the
//! text to the owner, which closes it or shows why not.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui_textarea::TextArea;

use super::common::{Outcome, Step, frame_popup};
use crate::tui::action::Action;
use crate::tui::command::{Table, cmd};
use crate::tui::effect::Effect;
use crate::tui::keymap::Context;
use crate::tui::theme::Theme;

pub const COMMANDS: Table = Table {
    context: Context::Prompt,
    title: "Prompts",
    commands: &[
        cmd(Action::Confirm, "apply", "Apply what was typed"),
        cmd(Action::Cancel, "cancel", "Cancel"),
        cmd(Action::Complete, "complete", "Complete the file path (attach prompt)"),
    ],
};

pub struct Prompt {
    pub title: String,
    pub input: TextArea<'static>,
    pub error: Option<String>,
    /// Tab completes a file path.
    pub completes_paths: bool,
}

impl Prompt {
    pub fn new(title: impl Into<String>, initial: &str) -> Self {
        let mut input = TextArea::from([initial.to_owned()]);
        input.move_cursor(ratatui_textarea::CursorMove::End);
        Self {
            title: title.into(),
            input,
            error: None,
            completes_paths: false,
        }
    }

    /// A prompt for a file path, with Tab completion.
    pub fn path(title: impl Into<String>) -> Self {
        Self {
            completes_paths: true,
            ..Self::new(title, "")
        }
    }

    pub fn text(&self) -> String {
        self.input.lines().first().cloned().unwrap_or_default()
    }

    pub fn set_text(&mut self, text: &str) {
        let mut input = TextArea::from([text.to_owned()]);
        input.move_cursor(ratatui_textarea::CursorMove::End);
        self.input = input;
    }

    pub fn commands(&self) -> Table {
        COMMANDS
    }

    /// A key no binding took: it is text.
    pub fn input(&mut self, key: KeyEvent) {
        if key.code != KeyCode::Enter {
            self.input.input(key);
            self.error = None;
        }
    }

    /// Pasted text: its first line (a prompt holds one).
    pub fn paste(&mut self, text: &str) {
        let text = crate::tui::wrap::normalize_newlines(text);
        self.input.insert_str(text.lines().next().unwrap_or(""));
    }

    pub fn on_action(&mut self, action: Action) -> Step {
        match action {
            Action::Complete if self.completes_paths => Step::Effects(vec![Effect::CompletePath(self.text())]),
            Action::Cancel => Step::Close(Outcome::Cancelled),
            Action::Confirm => Step::Submit(Outcome::Text(self.text())),
            _ => Step::Stay,
        }
    }

    pub fn render(&self, theme: &Theme, frame: &mut Frame, area: Rect) {
        let rect = super::common::centered(area, 76, 5);
        let inner = frame_popup(theme, frame, rect, self.title.clone());
        let [input, message] = Layout::vertical([Constraint::Length(1), Constraint::Length(2)]).areas(inner);
        frame.render_widget(&self.input, input);
        let text = match &self.error {
            Some(e) => Line::from(Span::styled(e.clone(), theme.error())),
            None => Line::from(Span::styled("INSERT · Enter applies · Esc cancels", theme.dim())),
        };
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), message);
    }
}
