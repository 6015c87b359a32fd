//! The `:` command palette: fuzzy search over the focused pane's commands
//! and the global ones, and "go to" any loaded object by name or id across
//! kinds. Enter hands the chosen entry back to the root.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui_textarea::TextArea;

use super::common::{Outcome, Step, frame_popup, move_selection};
use crate::api::models::EntityKind;
use crate::tui::action::Action;
use crate::tui::command::{Table, cmd};
use crate::tui::keymap::Context;
use crate::tui::theme::Theme;
use crate::tui::wrap::{ellipsize, width};

pub const COMMANDS: Table = Table {
    context: Context::Palette,
    title: "Command palette",
    commands: &[
        cmd(Action::Confirm, "run", "Run the command or go to the object"),
        cmd(Action::Cancel, "cancel", "Close the palette"),
        cmd(Action::Up, "up", "Previous match"),
        cmd(Action::Down, "down", "Next match"),
    ],
};

/// What the palette offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaletteEntry {
    Command {
        action: Action,
        label: &'static str,
        description: &'static str,
        keys: String,
        disabled: bool,
    },
    GoTo {
        kind: EntityKind,
        id: String,
        name: String,
    },
}

impl PaletteEntry {
    fn text(&self) -> String {
        match self {
            PaletteEntry::Command { label, description, .. } => format!("{label} {description}"),
            PaletteEntry::GoTo { kind, id, name } => format!("{name} {kind} {id}"),
        }
    }
}

/// How well `needle` matches `hay` (case-insensitive): `None` when its
/// characters do not all occur in order; higher is better (a word prefix
/// beats a substring, which beats a scattered match).
pub fn score(needle: &str, hay: &str) -> Option<i64> {
    if needle.is_empty() {
        return Some(0);
    }
    let needle = needle.to_lowercase();
    let hay = hay.to_lowercase();
    if let Some(at) = hay.find(&needle) {
        let word_start = at == 0 || !hay[..at].ends_with(|c: char| c.is_alphanumeric());
        return Some(if word_start { 3000 } else { 2000 } - at as i64);
    }
    let mut chars = hay.char_indices();
    let mut gaps = 0i64;
    let mut last = None;
    for n in needle.chars() {
        let (i, _) = chars.by_ref().find(|(_, c)| *c == n)?;
        if let Some(l) = last {
            gaps += (i - l) as i64;
        }
        last = Some(i);
    }
    Some(1000 - gaps)
}

pub struct Palette {
    pub input: TextArea<'static>,
    pub entries: Vec<PaletteEntry>,
    /// Indices of the matching entries, best first.
    pub matches: Vec<usize>,
    pub selected: usize,
}

impl Palette {
    pub fn new(entries: Vec<PaletteEntry>) -> Self {
        let mut p = Self {
            input: TextArea::default(),
            matches: Vec::new(),
            entries,
            selected: 0,
        };
        p.refilter();
        p
    }

    pub fn text(&self) -> String {
        self.input.lines().first().cloned().unwrap_or_default()
    }

    fn refilter(&mut self) {
        let needle = self.text();
        let mut scored: Vec<(i64, usize)> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| score(needle.trim(), &e.text()).map(|s| (s, i)))
            .collect();
        // Best first; ties keep the table order (commands before objects).
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        self.matches = scored.into_iter().map(|(_, i)| i).collect();
        self.selected = 0;
    }

    pub fn input(&mut self, key: KeyEvent) {
        if key.code != KeyCode::Enter {
            self.input.input(key);
            self.refilter();
        }
    }

    pub fn paste(&mut self, text: &str) {
        let text = crate::tui::wrap::normalize_newlines(text);
        self.input.insert_str(text.lines().next().unwrap_or(""));
        self.refilter();
    }

    pub fn on_action(&mut self, action: Action) -> Step {
        match action {
            Action::Cancel => Step::Close(Outcome::Cancelled),
            Action::Confirm => match self.matches.get(self.selected) {
                Some(&i) => Step::Close(Outcome::Chosen(i)),
                None => Step::Stay,
            },
            other => {
                move_selection(&mut self.selected, self.matches.len(), other);
                Step::Stay
            }
        }
    }

    pub fn render(&self, theme: &Theme, frame: &mut Frame, area: Rect) {
        let rect = super::common::centered(area, 80, area.height.min(22));
        let inner = frame_popup(
            theme,
            frame,
            rect,
            "Commands and objects (type to search · Enter runs · Esc closes)".into(),
        );
        let [input_area, list_area] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
        let mut input = self.input.clone();
        input.set_placeholder_text("a command, or an object's name or id");
        frame.render_widget(&input, input_area);
        let cols = list_area.width as usize;
        let rows = list_area.height as usize;
        let first = self.selected.saturating_sub(rows.saturating_sub(1));
        let lines: Vec<Line> = self
            .matches
            .iter()
            .enumerate()
            .skip(first)
            .take(rows)
            .map(|(n, &i)| {
                let (text, style) = match &self.entries[i] {
                    PaletteEntry::Command {
                        label,
                        description,
                        keys,
                        disabled,
                        ..
                    } => (
                        format!(" {label:<14} {keys:<10} {description}"),
                        if *disabled { theme.dim() } else { Default::default() },
                    ),
                    PaletteEntry::GoTo { kind, id, name } => (go_to_row(*kind, name, id, cols), Default::default()),
                };
                // A description too long for the row ends in `…`, so the cut shows.
                let line = Line::from(Span::styled(ellipsize(&text, cols), style));
                if n == self.selected {
                    line.style(theme.selected())
                } else {
                    line
                }
            })
            .collect();
        if lines.is_empty() {
            frame.render_widget(Paragraph::new(Span::styled(" nothing matches", theme.dim())), list_area);
        } else {
            frame.render_widget(Paragraph::new(lines), list_area);
        }
    }
}

/// A go-to row in `cols` columns: the whole id when all fits; else the id
/// as the list shows it (its first 8 characters, enough to tell objects
/// apart) and the name, cut by display width only if even that is too long.
/// Never a name or id cut off mid-way at the edge.
fn go_to_row(kind: EntityKind, name: &str, id: &str, cols: usize) -> String {
    let row = |name: &str, id: &str| format!(" go to {kind} \"{name}\" {id}");
    let full = row(name, id);
    if width(&full) <= cols {
        return full;
    }
    let id = super::editor::short_id(id);
    let room = cols.saturating_sub(width(&row("", id)));
    if width(name) <= room {
        return row(name, id);
    }
    row(&ellipsize(name, room), id)
}

#[cfg(test)]
mod tests {
    use super::score;

    #[test]
    fn prefix_beats_substring_beats_scattered() {
        let prefix = score("del", "delete the object").expect("match");
        let inner = score("let", "delete the object").expect("match");
        let scattered = score("dto", "delete the object").expect("match");
        assert!(prefix > inner && inner > scattered);
        assert!(score("xyz", "delete").is_none());
    }
}
