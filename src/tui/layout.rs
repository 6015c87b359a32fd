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

    /// The name where the full one does not fit (titles at 80 columns).
    pub fn short_title(self) -> &'static str {
        match self {
            PaneId::Entities => "Ent",
            PaneId::Conversation => "Conv",
            PaneId::Log => "Log",
            PaneId::Scenarios => "Scen",
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
    /// too, so it is clear how to switch. It fits in `width` columns (the
    /// pane's, borders included) by degrees rather than being clipped: the
    /// other panes' names get short, then the pane's own text is cut after a
    /// whole part (the other panes down to their numbers if need be), then it
    /// is dropped, and last the pane's own name gets short (only the numbers
    /// at the very narrowest). Never a word cut in two.
    pub fn pane_title(&self, pane: PaneId, extra: &str, width: u16) -> Line<'static> {
        // The corners take a column each.
        let room = usize::from(width.saturating_sub(2));
        let fits = |nav: &[Span], extra: &str| nav_width(nav) + text_width(extra) <= room;
        for other in [Name::Full, Name::Short] {
            let nav = self.nav(pane, Name::Full, other);
            if fits(&nav, extra) {
                return self.title_line(nav, extra);
            }
        }
        for other in [Name::Short, Name::Number] {
            let nav = self.nav(pane, Name::Full, other);
            let left = room.saturating_sub(nav_width(&nav) + 1);
            if let Some(cut) = crate::tui::wrap::shorten(extra, left).filter(|_| !extra.is_empty()) {
                return self.title_line(nav, &cut);
            }
        }
        for own in [Name::Full, Name::Short] {
            let nav = self.nav(pane, own, Name::Number);
            if fits(&nav, "") {
                return self.title_line(nav, "");
            }
        }
        // Only the numbers, the pane's own in the title style.
        self.title_line(self.nav(pane, Name::Number, Name::Number), "")
    }

    /// The pane numbers and names, the focused one (`own`) styled as the title.
    fn nav(&self, pane: PaneId, own: Name, other: Name) -> Vec<Span<'static>> {
        let mut spans = Vec::new();
        for (i, p) in PaneId::ALL.iter().enumerate() {
            if *p != pane && self.wide {
                continue;
            }
            let name = match if *p == pane { own } else { other } {
                Name::Full => format!(" {}", p.title()),
                Name::Short => format!(" {}", p.short_title()),
                Name::Number => String::new(),
            };
            let unseen = if *p == PaneId::Conversation && self.unseen > 0 {
                format!(" ({} new)", self.unseen)
            } else {
                String::new()
            };
            let text = format!(" {}{name}{unseen} ", i + 1);
            let style = if *p == pane {
                self.theme.title()
            } else {
                self.theme.dim()
            };
            spans.push(Span::styled(text, style));
        }
        spans
    }

    fn title_line(&self, mut spans: Vec<Span<'static>>, extra: &str) -> Line<'static> {
        if !extra.is_empty() {
            spans.push(Span::styled(format!("{extra} "), self.theme.dim()));
        }
        Line::from(spans)
    }
}

/// How a pane is named in a title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Name {
    Full,
    Short,
    Number,
}

fn nav_width(spans: &[Span]) -> usize {
    spans.iter().map(|s| crate::tui::wrap::width(&s.content)).sum()
}

/// Columns the pane's own text takes after the names (with its trailing space).
fn text_width(extra: &str) -> usize {
    if extra.is_empty() {
        0
    } else {
        crate::tui::wrap::width(extra) + 1
    }
}

/// How far `rows` can scroll in `area` before the end leaves the bottom row.
pub fn max_scroll(rows: usize, area: Rect) -> u16 {
    rows.saturating_sub(area.height as usize).min(u16::MAX as usize) as u16
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::wrap::width;

    thread_local! {
        static KEYMAP: Keymap = Keymap::defaults();
    }

    fn title(pane: PaneId, extra: &str, cols: u16, wide: bool, unseen: usize) -> String {
        KEYMAP.with(|keymap| title_with(keymap, pane, extra, cols, wide, unseen))
    }

    fn title_with(keymap: &Keymap, pane: PaneId, extra: &str, cols: u16, wide: bool, unseen: usize) -> String {
        let theme = Theme::mono();
        let chrome = Chrome {
            theme: &theme,
            keymap,
            wide,
            unseen,
            read_only: false,
        };
        let line = chrome.pane_title(pane, extra, cols);
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn at_80_columns_the_other_panes_get_short_names_before_anything_is_cut() {
        assert_eq!(
            title(PaneId::Conversation, "as customer · demo@sandbox.local", 80, false, 0),
            " 1 Ent  2 Conversation  3 Log  4 Scen as customer · demo@sandbox.local "
        );
        // What fits whole stays whole.
        assert_eq!(
            title(PaneId::Log, "6 of 6, paused", 80, false, 0),
            " 1 Entities  2 Conversation  3 Request log  4 Scenarios 6 of 6, paused "
        );
        // A long text is cut after a whole part, with an ellipsis.
        assert_eq!(
            title(
                PaneId::Conversation,
                "as custom_agent · support-team@acme-corp-europe.example.com",
                80,
                false,
                3
            ),
            " 1 Ent  2 Conversation (3 new)  3 Log  4 Scen as custom_agent … "
        );
    }

    #[test]
    fn a_title_fits_its_pane_at_every_width_and_never_cuts_a_word() {
        let extras = [
            "as customer · demo@sandbox.local",
            "scenarios/ · 4 files · running",
            "› Authentication 1a2b3c4d",
            "120 of 4000, 3880 older dropped, paused",
            "",
        ];
        let words: Vec<String> = extras
            .iter()
            .flat_map(|e| e.split(' '))
            .chain(
                PaneId::ALL
                    .iter()
                    .flat_map(|p| p.title().split(' ').chain([p.short_title()])),
            )
            .chain(["…", "(2", "new)", "1", "2", "3", "4"])
            .map(|w| w.trim_end_matches(',').to_owned())
            .collect();
        for cols in 24..=200u16 {
            for wide in [false, true] {
                for pane in PaneId::ALL {
                    for extra in extras {
                        let shown = title(pane, extra, cols, wide, 2);
                        assert!(
                            width(&shown) <= usize::from(cols - 2),
                            "{cols} columns: {shown:?} is {} wide",
                            width(&shown)
                        );
                        for word in shown.split_whitespace().map(|w| w.trim_end_matches(',')) {
                            assert!(words.iter().any(|w| w == word), "{cols}: {word:?} cut in {shown:?}");
                        }
                        let own = format!("{} ", PaneId::ALL.iter().position(|p| *p == pane).unwrap_or(0) + 1);
                        assert!(shown.contains(&own), "{cols}: the pane's number stays: {shown:?}");
                    }
                }
            }
        }
    }
}
