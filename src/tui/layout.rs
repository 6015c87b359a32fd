//! Where things go on screen: the panes, and what every pane's drawing
//! shares (theme, keymap, layout facts), so views need nothing else.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::keymap::Keymap;
use super::theme::Theme;

/// The panes, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneId {
    Entities,
    Conversation,
    Log,
    Scenarios,
}

impl PaneId {
    pub const ALL: [PaneId; 4] = [PaneId::Entities, PaneId::Conversation, PaneId::Log, PaneId::Scenarios];

    pub fn title(self) -> &'static str {
        match self {
            PaneId::Entities => "Entities",
            PaneId::Conversation => "Conversation",
            PaneId::Log => "Request log",
            PaneId::Scenarios => "Scenarios",
        }
    }

    pub fn next(self) -> Self {
        match self {
            PaneId::Entities => PaneId::Conversation,
            PaneId::Conversation => PaneId::Log,
            PaneId::Log => PaneId::Scenarios,
            PaneId::Scenarios => PaneId::Entities,
        }
    }

    pub fn prev(self) -> Self {
        self.next().next().next()
    }
}

/// What a pane's view reads besides its own state.
pub struct Chrome<'a> {
    pub theme: &'a Theme,
    pub keymap: &'a Keymap,
    /// Both columns are on screen (else one pane at a time).
    pub wide: bool,
    /// Conversation entries that arrived off screen (for the pane titles).
    pub unseen: usize,
    pub read_only: bool,
}

impl Chrome<'_> {
    /// Pane title with its number, and on narrow screens the other panes'
    /// too, so it is clear how to switch.
    pub fn pane_title(&self, pane: PaneId, extra: &str) -> Line<'static> {
        let mut spans = Vec::new();
        for (i, p) in PaneId::ALL.iter().enumerate() {
            if *p != pane && self.wide {
                continue;
            }
            let text = if *p == PaneId::Conversation && self.unseen > 0 {
                format!(" {} {} ({} new) ", i + 1, p.title(), self.unseen)
            } else {
                format!(" {} {} ", i + 1, p.title())
            };
            if *p == pane {
                spans.push(Span::styled(text, self.theme.title()));
            } else {
                spans.push(Span::styled(text, self.theme.dim()));
            }
        }
        if !extra.is_empty() {
            spans.push(Span::styled(format!("{extra} "), self.theme.dim()));
        }
        Line::from(spans)
    }
}

/// How far `rows` can scroll in `area` before the end leaves the bottom row.
pub fn max_scroll(rows: usize, area: Rect) -> u16 {
    rows.saturating_sub(area.height as usize).min(u16::MAX as usize) as u16
}
