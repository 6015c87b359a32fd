//! Popups: help (generated from the keymap), confirmation, prompt, the JSON
//! editor and the guided setup.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::centered;
use crate::setup::StepStatus;
use crate::tui::app::App;
use crate::tui::keymap::Keymap;
use crate::tui::modal::{Confirm, Editor, Modal, Pick, Prompt, Setup};

pub fn render(app: &App, modal: &Modal, frame: &mut Frame, area: Rect) {
    match modal {
        Modal::Help { scroll } => render_help(app, *scroll, frame, area),
        Modal::Confirm(c) => render_confirm(app, c, frame, area),
        Modal::Prompt(p) => render_prompt(app, p, frame, area),
        Modal::Editor(e) => render_editor(app, e, frame, area),
        Modal::Setup(s) => render_setup(app, s, frame, area),
        Modal::Pick(p) => render_pick(app, p, frame, area),
        Modal::Transcript { conversation, scroll } => render_transcript(app, conversation, *scroll, frame, area),
    }
}

fn render_pick(app: &App, pick: &Pick, frame: &mut Frame, area: Rect) {
    let height = (pick.items.len() as u16 + 3).min(area.height);
    let rect = centered(area, 76, height);
    let inner = popup(app, frame, rect, pick.title.clone());
    let mut lines: Vec<Line> = pick
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let line = Line::from(format!(" {}. {item}", i + 1));
            if i == pick.selected {
                line.style(app.theme.selected())
            } else {
                line
            }
        })
        .collect();
    lines.push(Line::from(Span::styled(
        " ↑↓ choose · Enter picks · Esc cancels",
        app.theme.dim(),
    )));
    frame.render_widget(Paragraph::new(lines), inner);
}

fn render_transcript(
    app: &App,
    conversation: &crate::api::models::Conversation,
    scroll: u16,
    frame: &mut Frame,
    area: Rect,
) {
    let rect = centered(area, area.width, area.height);
    let inner = popup(
        app,
        frame,
        rect,
        format!(
            "Transcript {} · s saves JSON and Markdown · Esc closes",
            conversation.id
        ),
    );
    let text = crate::conversation::transcript::to_markdown(conversation);
    let total = text.lines().count();
    let max = total.saturating_sub(inner.height as usize) as u16;
    let lines: Vec<Line> = text
        .lines()
        .skip(scroll.min(max) as usize)
        .take(inner.height as usize)
        .map(|l| Line::from(l.to_owned()))
        .collect();
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn popup(app: &App, frame: &mut Frame, area: Rect, title: String) -> Rect {
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .title(Span::styled(format!(" {title} "), app.theme.title()))
        .border_style(app.theme.border(true));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// Every binding, by context, from the same keymap that drives the footer.
pub fn help_lines(keymap: &Keymap) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for context in Keymap::help_contexts() {
        let actions = keymap.actions_in(*context);
        if actions.is_empty() {
            continue;
        }
        out.push((context.title().to_owned(), String::new(), String::new()));
        for action in actions {
            out.push((
                String::new(),
                keymap.keys_in(*context, action),
                action.describe().to_owned(),
            ));
        }
    }
    out
}

fn render_help(app: &App, scroll: u16, frame: &mut Frame, area: Rect) {
    let rect = centered(area, 84, area.height);
    let inner = popup(
        app,
        frame,
        rect,
        "Keys (Esc closes; keys can be changed in the config's [keys])".into(),
    );
    let rows = help_lines(&app.keymap);
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|(section, keys, text)| {
            if section.is_empty() {
                Line::from(vec![
                    Span::styled(format!("  {keys:<16}"), app.theme.key()),
                    Span::raw(text),
                ])
            } else {
                Line::from(Span::styled(section, app.theme.title()))
            }
        })
        .collect();
    // Narrow terminals wrap long descriptions rather than cut them.
    let scroll = scroll.min(super::max_scroll(&lines, inner));
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((scroll, 0)),
        inner,
    );
}

fn render_confirm(app: &App, confirm: &Confirm, frame: &mut Frame, area: Rect) {
    let width = 76.min(area.width);
    let inner_width = width.saturating_sub(2).max(1) as usize;
    // Each message line wraps on its own; the box grows to fit them.
    let rows: usize = confirm
        .message
        .lines()
        .map(|l| l.chars().count().div_ceil(inner_width).max(1))
        .sum();
    let rect = centered(area, width, rows as u16 + 4);
    let inner = popup(app, frame, rect, "Confirm".into());
    let mut lines: Vec<Line> = confirm.message.lines().map(|l| Line::from(l.to_owned())).collect();
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        Span::styled("y", app.theme.key()),
        Span::raw(" yes   "),
        Span::styled("n", app.theme.key()),
        Span::raw(" / "),
        Span::styled("Esc", app.theme.key()),
        Span::raw(" no"),
    ]));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn render_prompt(app: &App, prompt: &Prompt, frame: &mut Frame, area: Rect) {
    let rect = centered(area, 76, 5);
    let inner = popup(app, frame, rect, prompt.title().into());
    let [input, message] = Layout::vertical([Constraint::Length(1), Constraint::Length(2)]).areas(inner);
    frame.render_widget(&prompt.input, input);
    let text = match &prompt.error {
        Some(e) => Line::from(Span::styled(e.clone(), app.theme.error())),
        None => Line::from(Span::styled("Enter applies · Esc cancels", app.theme.dim())),
    };
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), message);
}

fn render_editor(app: &App, editor: &Editor, frame: &mut Frame, area: Rect) {
    let rect = centered(area, area.width, area.height);
    let mut title = editor.title();
    if editor.sending {
        title.push_str(" · sending…");
    }
    let inner = popup(app, frame, rect, title);
    let mut lines = Vec::new();
    if editor.problems.is_empty() {
        lines.push(Line::from(Span::styled(
            "Ctrl-S validates and sends · Ctrl-E opens $EDITOR · Esc cancels",
            app.theme.dim(),
        )));
        for hint in &editor.hints {
            lines.push(Line::from(Span::styled(hint.clone(), app.theme.dim())));
        }
    } else {
        lines.push(Line::from(Span::styled(
            format!("Not sent: {} problem(s); fix and press Ctrl-S", editor.problems.len()),
            app.theme.error(),
        )));
        for p in &editor.problems {
            lines.push(Line::from(Span::styled(p.clone(), app.theme.warn())));
        }
    }
    // Rows the notes take once wrapped, so the last problem is not cut off.
    let width = usize::from(inner.width.max(1));
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
    let notes_height = (rows as u16).min(inner.height / 3);
    let [text_area, notes_area] = Layout::vertical([Constraint::Min(3), Constraint::Length(notes_height)]).areas(inner);
    frame.render_widget(&editor.textarea, text_area);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), notes_area);
}

fn render_setup(app: &App, setup: &Setup, frame: &mut Frame, area: Rect) {
    let rect = centered(area, 90, 16);
    let done = setup
        .flow
        .steps()
        .iter()
        .filter(|s| matches!(s.status, StepStatus::Done { .. }))
        .count();
    let inner = popup(app, frame, rect, format!("Guided setup: {done} of 6 created"));
    let mut lines = vec![Line::from(Span::styled(
        "Creates a complete account in the vendor's order, each step wired to the ids before it.",
        app.theme.dim(),
    ))];
    for (i, step) in setup.flow.steps().iter().enumerate() {
        let (mark, style) = match &step.status {
            StepStatus::Pending => ("·", app.theme.dim()),
            StepStatus::Running => ("…", app.theme.warn()),
            StepStatus::Done { .. } => ("✓", app.theme.ok()),
            StepStatus::Failed { .. } => ("✗", app.theme.error()),
        };
        let mut line = Line::from(vec![
            Span::styled(format!(" {mark} "), style),
            Span::raw(format!("{}. {:<20}", i + 1, step.kind.to_string())),
            Span::styled(step.status.to_string(), style),
        ]);
        if i == setup.selected {
            line = line.style(app.theme.selected());
        }
        lines.push(line);
    }
    lines.push(Line::from(""));
    let hint = if setup.flow.is_complete() {
        "Done. Esc closes; the new objects are in the lists."
    } else if setup.running {
        "Working…"
    } else if setup.flow.failed_step().is_some() {
        "A step failed: e edits its body, Enter resumes from it. Objects already created are kept."
    } else {
        "Enter runs the steps · e edits the selected step's body first · Esc closes"
    };
    lines.push(Line::from(Span::styled(hint, app.theme.dim())));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
