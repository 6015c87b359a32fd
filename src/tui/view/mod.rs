//! Rendering: a pure function of [`App`]. The layout, the status line and
//! the footer live here; each pane draws itself (`panes/*/view.rs`) and
//! each popup too (`popup/*.rs`). Only visible rows are laid out.

pub mod json;
mod status;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::action::Action;
use super::app::{App, PaneId};
use super::command::{GLOBAL, Table};
use super::layout::Chrome;
use super::panes;
use super::popup::Popup;
use super::wrap::{width, wrap};

/// What every pane's view reads besides its own state.
fn chrome(app: &App) -> Chrome<'_> {
    Chrome {
        theme: &app.theme,
        keymap: &app.keymap,
        wide: app.wide(),
        unseen: app.conversation.unseen,
        read_only: app.session.read_only,
    }
}

/// Draw the whole console.
pub fn render(app: &App, frame: &mut Frame) {
    // The last error gets its own wrapped lines above the footer: eGain error
    // messages (which objects still reference this one...) are long.
    let cols = frame.area().width.max(1) as usize;
    let error_rows: Vec<String> = app
        .status
        .error
        .as_ref()
        .map(|e| {
            let mut rows = wrap(&format!("✗ {e}"), cols);
            rows.truncate(3);
            rows
        })
        .unwrap_or_default();
    let [status_area, body, error_area, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(error_rows.len() as u16),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    status::render(app, frame, status_area);
    if !error_rows.is_empty() {
        let lines: Vec<Line> = error_rows
            .into_iter()
            .map(|r| Line::from(Span::styled(r, app.theme.error())))
            .collect();
        frame.render_widget(Paragraph::new(lines), error_area);
    }
    let chrome = chrome(app);
    if app.wide() {
        // Entities (or Scenarios) over the request log on the left, the conversation on the right.
        let [left, right] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
        // Scenarios (list, steps and failure detail) get the room they need.
        let upper = if app.upper_left == PaneId::Scenarios { 70 } else { 55 };
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(upper), Constraint::Percentage(100 - upper)]).areas(left);
        render_pane(app, &chrome, app.upper_left, frame, top);
        render_pane(app, &chrome, PaneId::Log, frame, bottom);
        render_pane(app, &chrome, PaneId::Conversation, frame, right);
    } else {
        render_pane(app, &chrome, app.focus, frame, body);
    }
    render_footer(app, frame, footer);
    for layer in app.popups.layers() {
        render_popup(app, &layer.popup, frame, body);
    }
}

fn render_pane(app: &App, chrome: &Chrome, pane: PaneId, frame: &mut Frame, area: Rect) {
    let focused = app.focus == pane && app.popups.is_empty();
    match pane {
        PaneId::Entities => panes::entities::view::render(&app.entities, chrome, frame, area, focused),
        PaneId::Conversation => {
            panes::conversation::view::render(&app.conversation, &app.entities.catalog, chrome, frame, area, focused)
        }
        PaneId::Log => panes::log::view::render(&app.log, chrome, frame, area, focused),
        PaneId::Scenarios => panes::scenarios::view::render(&app.scenarios, chrome, frame, area, focused),
    }
}

fn render_popup(app: &App, popup: &Popup, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    match popup {
        Popup::Help(h) => h.render(theme, frame, area),
        Popup::Confirm(c) => c.render(theme, frame, area),
        Popup::Prompt(p) => p.render(theme, frame, area),
        Popup::Editor(e) => e.render(theme, frame, area),
        Popup::Pick(p) => p.render(theme, frame, area),
        Popup::Transcript(t) => t.render(theme, frame, area),
        Popup::Palette(p) => p.render(theme, frame, area),
        Popup::Plan(p) => p.render(theme, frame, area),
        Popup::Component(_) => {
            if let Some(setup) = &app.setup {
                panes::setup::view::render(setup, theme, frame, area);
            }
        }
    }
}

/// One footer hint: key and label, greyed when the profile refuses it.
struct Hint {
    key: String,
    label: &'static str,
    disabled: bool,
}

impl Hint {
    fn width(&self) -> usize {
        width(&self.key) + width(self.label) + 3
    }
}

/// The footer: a mode marker (INSERT while keys are text, else COMMANDS),
/// then the current commands from their table, as many as fit; outside
/// text fields `? help` and `q quit` always keep their place at the end.
fn render_footer(app: &App, frame: &mut Frame, area: Rect) {
    let context = app.context();
    let typing = app.typing();
    let hints_of = |table: &Table| -> Vec<Hint> {
        table
            .commands
            .iter()
            .filter_map(|c| {
                let key = app.keymap.key_for(context, c.action)?;
                Some(Hint {
                    key: key.to_string(),
                    label: c.label,
                    disabled: app.session.read_only && c.mutates,
                })
            })
            .collect()
    };
    let mut hints = hints_of(&app.commands());
    let mut kept: Vec<Hint> = Vec::new();
    if !typing {
        for action in [Action::Help, Action::Quit] {
            hints.retain(|h| GLOBAL.find(action).is_none_or(|c| c.label != h.label));
            if let (Some(c), Some(key)) = (GLOBAL.find(action), app.keymap.key_for(context, action)) {
                kept.push(Hint {
                    key: key.to_string(),
                    label: c.label,
                    disabled: false,
                });
            }
        }
    }
    let (mode, mode_style) = if typing {
        (" INSERT ", app.theme.badge(ratatui::style::Color::Green))
    } else {
        (" COMMANDS ", app.theme.badge(ratatui::style::Color::Blue))
    };
    let mut spans = vec![Span::styled(mode, mode_style)];
    let mut room = (area.width as usize).saturating_sub(width(mode));
    // Keys that did nothing: say why, in place of the command hints.
    if let Some(hint) = &app.status.hint {
        let reserved: usize = kept.iter().map(Hint::width).sum();
        let text = crate::tui::wrap::ellipsize(hint, room.saturating_sub(reserved + 2));
        room = room.saturating_sub(width(&text) + 2);
        spans.push(Span::styled(format!(" {text} "), app.theme.warn()));
        hints.clear();
    }
    let reserved: usize = kept.iter().map(Hint::width).sum();
    let mut used = 0;
    for hint in hints {
        if used + hint.width() + reserved > room {
            break;
        }
        used += hint.width();
        push_hint(app, &mut spans, &hint);
    }
    for hint in kept {
        if used + hint.width() > room {
            break;
        }
        used += hint.width();
        push_hint(app, &mut spans, &hint);
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn push_hint(app: &App, spans: &mut Vec<Span<'static>>, hint: &Hint) {
    let (key_style, label_style) = if hint.disabled {
        (app.theme.dim().add_modifier(Modifier::CROSSED_OUT), app.theme.dim())
    } else {
        (app.theme.key(), Default::default())
    };
    spans.push(Span::styled(format!(" {}", hint.key), key_style));
    spans.push(Span::styled(format!(" {} ", hint.label), label_style));
}
