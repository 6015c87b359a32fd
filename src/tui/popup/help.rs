//! The `?` help: every command with its keys, the focused pane's first,
//! generated from the command tables and the keymap; it scrolls.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::common::{Outcome, Step, frame_popup, scroll};
use crate::tui::action::Action;
use crate::tui::command::{Table, cmd};
use crate::tui::keymap::{Context, Keymap};
use crate::tui::theme::Theme;
use crate::tui::wrap::{width, wrap};

pub const COMMANDS: Table = Table {
    context: Context::Help,
    title: "Help",
    commands: &[cmd(Action::Back, "close", "Close the help")],
};

/// One row of the help: a section title, or a command's keys and description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpRow {
    Section(String),
    Command {
        keys: String,
        description: String,
        /// Refused on this (read-only) profile.
        disabled: bool,
    },
}

/// The help rows for `tables`, in order, skipping commands without a key.
pub fn rows(keymap: &Keymap, tables: &[Table], read_only: bool) -> Vec<HelpRow> {
    let mut out = Vec::new();
    for table in tables {
        let mut section = Vec::new();
        for c in table.commands {
            let keys = keymap.keys_for(table.context, c.action);
            if keys.is_empty() {
                continue;
            }
            section.push(HelpRow::Command {
                keys,
                description: c.description.to_owned(),
                disabled: read_only && c.mutates,
            });
        }
        if !section.is_empty() {
            out.push(HelpRow::Section(table.title.to_owned()));
            out.extend(section);
        }
    }
    out
}

pub struct Help {
    pub rows: Vec<HelpRow>,
    pub scroll: u16,
}

impl Help {
    pub fn new(rows: Vec<HelpRow>) -> Self {
        Self { rows, scroll: 0 }
    }

    pub fn on_action(&mut self, action: Action) -> Step {
        if matches!(action, Action::Back | Action::Help | Action::Cancel) {
            Step::Close(Outcome::Cancelled)
        } else {
            scroll(&mut self.scroll, action);
            Step::Stay
        }
    }

    /// The rows as laid out at `cols` columns (descriptions wrap under themselves).
    pub fn lines(&self, theme: &Theme, cols: usize) -> Vec<Line<'static>> {
        const KEYS: usize = 18;
        let mut lines = Vec::new();
        for row in &self.rows {
            match row {
                HelpRow::Section(title) => lines.push(Line::from(Span::styled(title.clone(), theme.title()))),
                HelpRow::Command {
                    keys,
                    description,
                    disabled,
                } => {
                    let text_cols = cols.saturating_sub(KEYS).max(10);
                    let style = if *disabled { theme.dim() } else { Default::default() };
                    let description = if *disabled {
                        format!("{description} (read-only profile)")
                    } else {
                        description.clone()
                    };
                    // Keys too long for their column get a row of their own.
                    let own_row = width(keys) + 3 > KEYS;
                    if own_row {
                        lines.push(Line::from(Span::styled(format!("  {keys}"), theme.key())));
                    }
                    let pad = KEYS.saturating_sub(width(keys) + 2);
                    for (i, part) in wrap(&description, text_cols).into_iter().enumerate() {
                        let head = if i == 0 && !own_row {
                            Span::styled(format!("  {keys}{}", " ".repeat(pad)), theme.key())
                        } else {
                            Span::raw(" ".repeat(KEYS))
                        };
                        lines.push(Line::from(vec![head, Span::styled(part, style)]));
                    }
                }
            }
        }
        lines
    }

    pub fn render(&self, theme: &Theme, frame: &mut Frame, area: Rect) {
        let rect = super::common::centered(area, 84, area.height);
        let inner = frame_popup(
            theme,
            frame,
            rect,
            "Keys, this pane first (↑↓ scroll · Esc closes · [keys] in the config)".into(),
        );
        let lines = self.lines(theme, inner.width as usize);
        let max = lines.len().saturating_sub(inner.height as usize) as u16;
        let scroll = self.scroll.min(max) as usize;
        let visible: Vec<Line> = lines.into_iter().skip(scroll).take(inner.height as usize).collect();
        frame.render_widget(Paragraph::new(visible), inner);
    }
}
