//! The Request log pane: one line per exchange (only visible rows are laid
//! out, so 100,000 entries cost no more than 30) and the exchange detail.

use jiff::tz::Offset;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState};

use super::detail::detail_lines;
use super::{LogDetail, LogPane};
use crate::api::{API_BASE_PATH, Exchange};
use crate::reqlog::format::Row as LogRow;
use crate::tui::layout::{Chrome, PaneId, max_scroll};
use crate::tui::theme::Theme;
use crate::tui::wrap::wrap_spans;

pub fn render(pane: &LogPane, chrome: &Chrome, frame: &mut Frame, area: Rect, focused: bool) {
    let log = &pane.log;
    let mut extra = format!("{} of {}", log.visible_len(), log.len());
    if log.dropped() > 0 {
        extra.push_str(&format!(", {} older dropped", log.dropped()));
    }
    if !pane.follow {
        extra.push_str(", paused");
    }
    let block = Block::bordered()
        .title(chrome.pane_title(PaneId::Log, &extra, area.width))
        .border_style(chrome.theme.border(focused));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(detail) = &pane.detail {
        match log.get(detail.seq) {
            Some(x) => render_detail(x, detail, chrome.theme, frame, inner),
            None => frame.render_widget(Paragraph::new("This entry was dropped (log cap reached)."), inner),
        }
        return;
    }
    let [table_area, filter_area] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    render_rows(pane, chrome, frame, table_area);
    let filter = if pane.filter_text.is_empty() {
        Line::from(Span::styled(
            "/ filter · Enter details · c curl · x HAR",
            chrome.theme.dim(),
        ))
    } else {
        Line::from(vec![
            Span::styled("filter: ", chrome.theme.dim()),
            Span::styled(pane.filter_text.clone(), chrome.theme.key()),
            Span::styled("  (Esc clears)", chrome.theme.dim()),
        ])
    };
    frame.render_widget(Paragraph::new(filter), filter_area);
}

/// The path under the API base, which is the same on every line.
fn short_path(path: &str) -> &str {
    match path.find(API_BASE_PATH) {
        Some(i) if path.len() > i + API_BASE_PATH.len() => &path[i + API_BASE_PATH.len()..],
        _ => path,
    }
}

/// Below this width the rows leave out the size column.
const NARROW_WITHOUT_SIZE: u16 = 68;

fn render_rows(pane: &LogPane, chrome: &Chrome, frame: &mut Frame, area: Rect) {
    let theme = chrome.theme;
    let len = pane.log.visible_len();
    if len == 0 && pane.pending.is_empty() {
        let text = if pane.log.is_empty() {
            "No requests yet."
        } else {
            "Nothing matches the filter."
        };
        frame.render_widget(Paragraph::new(Span::styled(text, theme.dim())), area);
        return;
    }
    let height = area.height.saturating_sub(1) as usize;
    let selected = pane.selected_row().unwrap_or(len.saturating_sub(1));
    // Requests in flight follow the newest entry as pending rows, when the
    // newest is in view.
    let following = len == 0 || selected + 1 >= len;
    let pending = if following {
        pane.pending.len().min(height.saturating_sub(1).max(1))
    } else {
        0
    };
    let first = (selected + 1 + pending).saturating_sub(height);
    // Narrow (the log beside another pane), the path needs the room more than
    // the size does (the detail shows it): without it a path keeps 24 columns.
    let with_size = area.width >= NARROW_WITHOUT_SIZE;
    let cells = |mut cells: Vec<Cell<'static>>| {
        if !with_size {
            cells.pop();
        }
        Row::new(cells)
    };
    let mut rows: Vec<Row> = pane
        .log
        .visible(first..(first + height).min(len))
        .map(|x| {
            let r = LogRow::of(x, Offset::UTC);
            cells(vec![
                Cell::from(r.time.as_str().to_owned()).style(theme.dim()),
                Cell::from(r.arrow),
                Cell::from(r.method.to_owned()),
                Cell::from(short_path(r.path).to_owned()),
                Cell::from(r.status.as_str().to_owned()).style(theme.status_class(r.class)),
                Cell::from(r.duration.as_str().to_owned()),
                Cell::from(r.size.as_str().to_owned()).style(theme.dim()),
            ])
        })
        .collect();
    for p in pane.pending.iter().take(pending) {
        rows.push(
            cells(vec![
                Cell::from("pending…"),
                Cell::from("→"),
                Cell::from(p.method),
                Cell::from(p.path.clone()),
                Cell::from("…"),
                Cell::from(""),
                Cell::from(""),
            ])
            .style(theme.dim()),
        );
    }
    let widths = [
        Constraint::Length(12),
        Constraint::Length(1),
        Constraint::Length(6),
        Constraint::Min(10),
        Constraint::Length(3),
        Constraint::Length(7),
        Constraint::Length(9),
    ];
    let header = ["Time (UTC)", "", "Method", "Path", "St", "Time", "Size"];
    let columns = if with_size { widths.len() } else { widths.len() - 1 };
    let table = Table::new(rows, &widths[..columns])
        .header(Row::new(header[..columns].iter().copied()).style(theme.title()))
        .row_highlight_style(theme.selected());
    let highlight = (len > 0).then(|| selected - first);
    let mut state = TableState::default().with_selected(highlight);
    frame.render_stateful_widget(table, area, &mut state);
}

fn render_detail(x: &Exchange, detail: &LogDetail, theme: &Theme, frame: &mut Frame, area: Rect) {
    // Long URLs, headers and bodies wrap by display width instead of being cut off.
    let rows: Vec<Line> = detail_lines(x, theme)
        .into_iter()
        .flat_map(|l| wrap_spans(l, area.width as usize))
        .collect();
    let scroll = detail.scroll.min(max_scroll(rows.len(), area)) as usize;
    let visible: Vec<Line> = rows.into_iter().skip(scroll).take(area.height as usize).collect();
    frame.render_widget(Paragraph::new(visible), area);
}
