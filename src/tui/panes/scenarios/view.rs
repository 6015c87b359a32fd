//! The Scenarios pane: the folder's files (name, title, step count, last
//! result) over the selected file's steps, marked as the run goes, and the
//! failure's detail. Everything wraps by display width and scrolls.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{FileRun, Listing, Row, RunState, ScenariosPane};
use crate::tui::layout::{Chrome, PaneId, max_scroll};
use crate::tui::theme::Theme;
use unicode_segmentation::UnicodeSegmentation;

use crate::tui::wrap::{ellipsize, width};

pub fn render(pane: &ScenariosPane, chrome: &Chrome, frame: &mut Frame, area: Rect, focused: bool) {
    let mut extra = format!("{}/ · {} files", pane.dir.display(), pane.rows.len());
    if let Some(running) = &pane.running {
        extra.push_str(if running.cancelling {
            " · cancelling…"
        } else {
            " · running"
        });
    }
    let block = Block::bordered()
        .title(chrome.pane_title(PaneId::Scenarios, &extra, area.width))
        .border_style(chrome.theme.border(focused));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let theme = chrome.theme;
    match &pane.listing {
        Listing::NotYet | Listing::Scanning => {
            let text = format!("reading {}…", pane.dir.display());
            frame.render_widget(Paragraph::new(Span::styled(text, theme.dim())), inner);
            return;
        }
        Listing::Failed(e) => {
            let lines = [
                Line::from(Span::styled(e.clone(), theme.error())),
                Line::from(Span::styled(
                    "Put scenario files (*.yaml) there (w in a conversation records one), or point [ui] scenarios_dir elsewhere; r reads it again.",
                    theme.dim(),
                )),
            ];
            let rows: Vec<Line> = lines
                .into_iter()
                .flat_map(|l| wrap_words(l, inner.width.max(1) as usize))
                .collect();
            frame.render_widget(Paragraph::new(rows), inner);
            return;
        }
        Listing::Done => {}
    }
    if pane.rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("No scenario files in this folder.", theme.dim())),
            inner,
        );
        return;
    }
    let list_height = (pane.rows.len() as u16)
        .min((inner.height / 3).max(3))
        .min(inner.height);
    let [list_area, detail_area] =
        Layout::vertical([Constraint::Length(list_height), Constraint::Fill(1)]).areas(inner);
    render_list(pane, theme, frame, list_area);
    if let Some(row) = pane.selected_row() {
        render_detail(pane, row, chrome, frame, detail_area);
    }
}

/// The mark and style of a run state.
fn mark(state: Option<&RunState>, theme: &Theme) -> (&'static str, Style) {
    match state {
        None => (" ", Style::default()),
        Some(RunState::Queued) => ("…", theme.dim()),
        Some(RunState::Running) => ("▸", theme.warn()),
        Some(RunState::Passed) => ("✓", theme.ok()),
        Some(RunState::Failed | RunState::Error(_)) => ("✗", theme.error()),
        Some(RunState::Cancelled) => ("–", theme.warn()),
    }
}

/// `12 ms`, `1.25 s`.
pub fn duration(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

fn render_list(pane: &ScenariosPane, theme: &Theme, frame: &mut Frame, area: Rect) {
    let height = area.height as usize;
    let first = (pane.selected + 1).saturating_sub(height);
    let cols = area.width as usize;
    let name_width = pane
        .rows
        .iter()
        .map(|r| width(&pane.display_name(r)))
        .max()
        .unwrap_or(0)
        .min(cols / 3);
    let lines: Vec<Line> = pane
        .rows
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(i, row)| {
            let name = pane.display_name(row);
            let state = row.last.as_ref().map(|l| &l.state);
            let (symbol, symbol_style) = match &row.scenario {
                Err(_) if row.last.is_none() => ("✗", theme.error()),
                _ => mark(state, theme),
            };
            let mut spans = vec![Span::styled(format!("{symbol} "), symbol_style)];
            let name = ellipsize(&name, name_width);
            let pad = name_width.saturating_sub(width(&name));
            spans.push(Span::raw(format!("{name}{}  ", " ".repeat(pad))));
            match &row.scenario {
                Ok(s) => {
                    let tail = match row.last.as_ref().and_then(|l| l.elapsed) {
                        Some(d) => format!("  {} steps  {}", s.steps.len(), duration(d)),
                        None => format!("  {} steps", s.steps.len()),
                    };
                    let room = cols.saturating_sub(name_width + 4 + width(&tail));
                    spans.push(Span::raw(ellipsize(&s.name, room)));
                    spans.push(Span::styled(tail, theme.dim()));
                }
                Err(e) => {
                    let room = cols.saturating_sub(name_width + 4);
                    spans.push(Span::styled(ellipsize(&short_error(row, e), room), theme.error()));
                }
            }
            let mut line = Line::from(spans);
            if i == pane.selected {
                line = line.style(theme.selected());
            }
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// The file's one-line error without its path (the row names the file):
/// `line 3: steps[0].expect: ...`.
fn short_error(row: &Row, error: &str) -> String {
    let path = row.path.display().to_string();
    let Some(rest) = error.strip_prefix(&path) else {
        return error.to_owned();
    };
    let rest = rest.trim_start_matches(':');
    match rest.split_once(':') {
        Some((line, tail)) if !line.is_empty() && line.chars().all(|c| c.is_ascii_digit()) => {
            format!("line {line}:{tail}")
        }
        _ => rest.trim_start().to_owned(),
    }
}

fn render_detail(pane: &ScenariosPane, row: &Row, chrome: &Chrome, frame: &mut Frame, area: Rect) {
    let theme = chrome.theme;
    let title = match row.shown() {
        Some(s) => format!(" {} ", s.name),
        None => format!(" {} ", pane.display_name(row)),
    };
    let mut block = Block::new()
        .borders(Borders::TOP)
        .border_style(theme.dim())
        .title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    let cols = inner.width.max(1) as usize;
    let lines: Vec<Line> = detail_lines(pane, row, chrome)
        .into_iter()
        .flat_map(|l| wrap_words(l, cols))
        .collect();
    let scroll = pane.scroll.min(max_scroll(lines.len(), inner));
    // What does not fit is one key away.
    if lines.len() > inner.height as usize + scroll as usize {
        let key = chrome.keymap.hint(
            crate::tui::keymap::Context::Scenarios,
            crate::tui::action::Action::PageDown,
            "PgDn",
        );
        block = block.title(Line::from(Span::styled(format!(" {key} more "), theme.dim())).right_aligned());
    }
    frame.render_widget(block, area);
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), inner);
}

fn detail_lines(pane: &ScenariosPane, row: &Row, chrome: &Chrome) -> Vec<Line<'static>> {
    let theme = chrome.theme;
    let mut lines = Vec::new();
    let scenario = match (row.shown(), &row.scenario) {
        (Some(s), _) => s,
        (None, Err(e)) => {
            lines.push(Line::from(Span::styled(e.clone(), theme.error())));
            lines.push(Line::from(Span::styled(
                "Fix the file, then r reads the folder again.",
                theme.dim(),
            )));
            return lines;
        }
        (None, Ok(_)) => return lines,
    };
    let account = scenario.account.as_deref().unwrap_or("the tenant's only account");
    lines.push(Line::from(Span::styled(
        format!(
            "{} · as {} on {account} · {} steps",
            pane.display_name(row),
            scenario.role,
            scenario.steps.len()
        ),
        theme.dim(),
    )));
    let last = row.last.as_ref();
    let done = last.map_or(&[][..], |l| l.steps.as_slice());
    let running = last.is_some_and(|l| l.state == RunState::Running);
    for step in &scenario.steps {
        let result = done.iter().find(|r| r.index == step.index);
        let (symbol, style, tail) = match result {
            Some(r) if r.passed => ("✓", theme.ok(), format!("  {}", duration(r.elapsed))),
            Some(r) => ("✗", theme.error(), format!("  {}", duration(r.elapsed))),
            None if running && step.index == done.len() => ("▸", theme.warn(), "  running…".to_owned()),
            None if last.is_some_and(|l| l.state != RunState::Queued) => ("·", theme.dim(), String::new()),
            None => ("·", theme.dim(), String::new()),
        };
        let label_style = if result.is_some_and(|r| !r.passed) {
            theme.error()
        } else {
            Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{symbol} "), style),
            Span::styled(format!("{:>2} ", step.index + 1), theme.dim()),
            Span::styled(step.label(), label_style),
            Span::styled(tail, theme.dim()),
        ]));
    }
    if let Some(last) = last {
        lines.push(Line::default());
        lines.extend(outcome_lines(pane, last, chrome));
    }
    lines
}

fn outcome_lines(pane: &ScenariosPane, last: &FileRun, chrome: &Chrome) -> Vec<Line<'static>> {
    let theme = chrome.theme;
    let bold = |style: Style| style.add_modifier(Modifier::BOLD);
    let elapsed = last.elapsed.map(|d| format!(" in {}", duration(d))).unwrap_or_default();
    let mut lines = Vec::new();
    let cancelling = pane.running.as_ref().is_some_and(|r| r.cancelling);
    let headline = match &last.state {
        RunState::Queued => Span::styled("queued", theme.dim()),
        RunState::Running if cancelling => Span::styled("cancelling…", theme.warn()),
        RunState::Running => Span::styled("running…", theme.warn()),
        RunState::Passed => Span::styled(format!("PASSED{elapsed}"), bold(theme.ok())),
        RunState::Failed => Span::styled(format!("FAILED{elapsed}"), bold(theme.error())),
        RunState::Cancelled => Span::styled(format!("CANCELLED{elapsed}"), bold(theme.warn())),
        RunState::Error(e) => Span::styled(format!("not run: {e}"), theme.error()),
    };
    lines.push(Line::from(headline));
    if let Some(f) = &last.failure {
        if last.state == RunState::Cancelled {
            lines.push(Line::from(Span::styled(
                format!("stopped at {}", f.headline()),
                theme.warn(),
            )));
            lines.push(Line::from(Span::styled(format!("  {}", f.problem), theme.warn())));
        } else {
            lines.push(Line::from(Span::styled(f.headline(), theme.error())));
            lines.push(Line::from(vec![
                Span::styled("  expected: ", theme.dim()),
                Span::raw(f.expected.clone()),
            ]));
            lines.push(Line::from(vec![
                Span::styled("  instead:  ", theme.dim()),
                Span::styled(f.problem.clone(), theme.error()),
            ]));
        }
        if f.arrived.is_empty() {
            lines.push(Line::from(Span::styled("  arrived:  nothing", theme.dim())));
        } else {
            lines.push(Line::from(Span::styled(
                "  arrived (times from the scenario's start):",
                theme.dim(),
            )));
            for a in &f.arrived {
                lines.push(Line::from(format!("    {a}")));
            }
        }
    }
    if last.conversation.is_some() {
        let key = chrome.keymap.hint(
            crate::tui::keymap::Context::Scenarios,
            crate::tui::action::Action::OpenRunConversation,
            "o",
        );
        let id = last
            .conversation_id
            .as_deref()
            .map(|id| format!(" {}", crate::tui::popup::editor::short_id(id)))
            .unwrap_or_default();
        lines.push(Line::from(Span::styled(
            format!("{key} opens this run's conversation{id} in the Conversation pane"),
            theme.dim(),
        )));
    }
    lines
}

/// Cut a styled line into rows of at most `cols` columns at spaces where
/// possible (a word wider than a row is cut between graphemes), keeping
/// each part's style.
fn wrap_words(line: Line<'_>, cols: usize) -> Vec<Line<'static>> {
    let cols = cols.max(1);
    let cells: Vec<(&str, Style)> = line
        .spans
        .iter()
        .flat_map(|span| span.content.graphemes(true).map(move |g| (g, span.style)))
        .collect();
    let mut rows: Vec<Vec<(&str, Style)>> = Vec::new();
    let mut row: Vec<(&str, Style)> = Vec::new();
    let mut used = 0;
    for cell in cells {
        let w = width(cell.0);
        if used + w > cols && !row.is_empty() {
            // Break after the row's last space, if it has one past its start.
            let cut = row.iter().rposition(|(g, _)| *g == " ").filter(|&i| i > 0);
            let rest = match cut {
                Some(i) if cell.0 != " " => row.split_off(i + 1),
                _ => Vec::new(),
            };
            while row.last().is_some_and(|(g, _)| *g == " ") {
                row.pop();
            }
            rows.push(std::mem::replace(&mut row, rest));
            used = row.iter().map(|(g, _)| width(g)).sum();
            if cell.0 == " " && row.is_empty() {
                continue;
            }
        }
        row.push(cell);
        used += w;
    }
    rows.push(row);
    rows.into_iter()
        .map(|cells| {
            let mut spans: Vec<Span<'static>> = Vec::new();
            for (g, style) in cells {
                match spans.last_mut() {
                    Some(last) if last.style == style => last.content.to_mut().push_str(g),
                    _ => spans.push(Span::styled(g.to_owned(), style)),
                }
            }
            Line::from(spans).style(line.style)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_by_display_width_keeping_styles() {
        let line = Line::from(vec![
            Span::styled("expected: ", Style::default().add_modifier(Modifier::DIM)),
            Span::raw("日本語 text that wraps"),
        ]);
        let rows: Vec<String> = wrap_words(line, 14)
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        assert_eq!(rows, ["expected:", "日本語 text", "that wraps"]);
        for row in wrap_words(Line::raw("abcdefgh"), 3) {
            assert!(row.width() <= 3);
        }
    }
}
