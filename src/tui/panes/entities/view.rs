//! The Entities pane: kind tabs, the object table, the detail view and the
//! asset lookup.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState, Tabs};
use serde_json::Value;

use super::{ASSETS_TAB, Detail, EntitiesPane};
use crate::api::models::EntityKind;
use crate::api::models::references::label;
use crate::tui::layout::{Chrome, PaneId, max_scroll};
use crate::tui::popup::editor::short_id;
use crate::tui::view::json::highlight_line;
use crate::tui::wrap::{width, wrap, wrap_spans};

const TAB_LABELS: [&str; 7] = [
    "Auth",
    "Apps",
    "Participants",
    "Channels",
    "Orchestrations",
    "Accounts",
    "Assets",
];
const SHORT_TAB_LABELS: [&str; 7] = ["Auth", "Apps", "Bots", "Chan", "Orch", "Accts", "Assets"];

pub fn render(pane: &EntitiesPane, chrome: &Chrome, frame: &mut Frame, area: Rect, focused: bool) {
    let extra = match &pane.detail {
        Some(d) => format!("› {} {}", d.kind, short_id(&d.id)),
        None => String::new(),
    };
    let block = Block::bordered()
        .title(chrome.pane_title(PaneId::Entities, &extra, area.width))
        .border_style(chrome.theme.border(focused));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(detail) = &pane.detail {
        render_detail(chrome, detail, frame, inner);
        return;
    }
    let [tabs_area, body, filter_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let labels = |names: &[&str; 7]| -> Vec<String> {
        names
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let count = EntityKind::ALL
                    .get(i)
                    .map(|k| pane.list(*k))
                    .filter(|l| l.loaded)
                    .map(|l| {
                        if l.is_partial() {
                            format!(" {}/{}", l.items.len(), l.total)
                        } else {
                            format!(" {}", l.total.max(l.items.len()))
                        }
                    })
                    .unwrap_or_default();
                format!("{l}{count}")
            })
            .collect()
    };
    // Short labels when the full ones would push the selected tab out of sight.
    let mut tab_labels = labels(&TAB_LABELS);
    let row_width = |ls: &[String]| ls.iter().map(|l| width(l) + 1).sum::<usize>();
    if row_width(&tab_labels) > usize::from(tabs_area.width) {
        tab_labels = labels(&SHORT_TAB_LABELS);
    }
    let tabs = Tabs::new(tab_labels)
        .select(pane.tab)
        .highlight_style(chrome.theme.selected())
        .divider("│")
        .padding("", "");
    frame.render_widget(tabs, tabs_area);
    match pane.kind() {
        Some(kind) => render_list(pane, chrome, kind, frame, body),
        None => render_asset(pane, chrome, frame, body),
    }
    let count = match pane.kind() {
        Some(kind) => {
            let list = pane.list(kind);
            let more = if list.is_partial() { " (loading…)" } else { "" };
            format!(
                "{} of {}{more} · ",
                list.visible().len(),
                list.total.max(list.items.len())
            )
        }
        None => String::new(),
    };
    let filter = if pane.tab == ASSETS_TAB {
        Line::from(Span::styled("/ or Enter: look up an asset by id", chrome.theme.dim()))
    } else if pane.filter.is_empty() {
        Line::from(Span::styled(
            format!("{count}{} in setup order · / filter", setup_step(pane.tab)),
            chrome.theme.dim(),
        ))
    } else {
        Line::from(vec![
            Span::styled(format!("{count}filter: "), chrome.theme.dim()),
            Span::styled(pane.filter.clone(), chrome.theme.key()),
            Span::styled("  (Esc clears)", chrome.theme.dim()),
        ])
    };
    frame.render_widget(Paragraph::new(filter), filter_area);
}

fn setup_step(tab: usize) -> String {
    format!("step {} of 6", tab + 1)
}

fn render_list(pane: &EntitiesPane, chrome: &Chrome, kind: EntityKind, frame: &mut Frame, area: Rect) {
    let list = pane.list(kind);
    if let Some(error) = &list.error {
        // The whole error, wrapped: it says what to fix.
        let mut text = vec![Line::from(Span::styled(
            format!("Could not list {}:", kind.plural()),
            chrome.theme.error(),
        ))];
        text.extend(wrap(error, area.width as usize).into_iter().map(Line::from));
        text.push(Line::from(Span::styled("r retries", chrome.theme.dim())));
        frame.render_widget(Paragraph::new(text), area);
        return;
    }
    if !list.loaded {
        frame.render_widget(Paragraph::new(Span::styled("loading…", chrome.theme.dim())), area);
        return;
    }
    let rows_idx = pane.visible(kind);
    if rows_idx.is_empty() {
        let text = if list.items.is_empty() {
            format!(
                "No {} yet. n creates one from a template; s runs the guided setup.",
                kind.plural()
            )
        } else {
            "Nothing matches the filter.".to_owned()
        };
        frame.render_widget(Paragraph::new(Span::styled(text, chrome.theme.dim())), area);
        return;
    }
    let wide_ids = area.width >= 90;
    let id_width: u16 = if wide_ids { 36 } else { 8 };
    let height = area.height.saturating_sub(1) as usize;
    let selected = list.selected.min(rows_idx.len() - 1);
    // Lay out only the rows that fit, keeping the selection in view.
    let first = selected.saturating_sub(height.saturating_sub(1));
    let rows = rows_idx.iter().skip(first).take(height).map(|&i| {
        let v = &list.items[i];
        let id = v.get("id").and_then(Value::as_str).unwrap_or("");
        let active = match v.get("active").and_then(Value::as_bool) {
            Some(true) | None => "yes",
            Some(false) => "no",
        };
        let modified = v
            .get("modified")
            .and_then(Value::as_str)
            .map(|m| m.get(..16).unwrap_or(m).replace('T', " "))
            .unwrap_or_default();
        Row::new(vec![
            Cell::from(label(kind, v).to_owned()),
            Cell::from(if wide_ids {
                id.to_owned()
            } else {
                short_id(id).to_owned()
            }),
            Cell::from(active),
            Cell::from(modified),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Min(12),
            Constraint::Length(id_width),
            Constraint::Length(6),
            Constraint::Length(16),
        ],
    )
    .header(Row::new(["Name", "Id", "Active", "Modified (UTC)"]).style(chrome.theme.title()))
    .row_highlight_style(chrome.theme.selected());
    let mut state = TableState::default().with_selected(Some(selected - first));
    frame.render_stateful_widget(table, area, &mut state);
}

/// Most rows the header may take (a long CJK name wraps, the JSON stays on screen).
const HEAD_ROWS: usize = 3;
/// Most rows the references may take, their title included.
const REF_ROWS: usize = 7;

fn render_detail(chrome: &Chrome, detail: &Detail, frame: &mut Frame, area: Rect) {
    let theme = chrome.theme;
    let cols = area.width as usize;
    let name = detail
        .value
        .as_ref()
        .map(|v| label(detail.kind, v).to_owned())
        .unwrap_or_default();
    let mut head_spans = vec![
        Span::styled(format!("{} ", detail.kind), theme.title()),
        Span::raw(format!("\"{name}\" ")),
        Span::styled(detail.id.clone(), theme.dim()),
    ];
    if detail.loading {
        head_spans.push(Span::styled("  refreshing…", theme.dim()));
    }
    // Header and references wrap by display width like the body: nothing is cut.
    let mut head_lines = wrap_spans(Line::from(head_spans), cols);
    head_lines.truncate(HEAD_ROWS);
    let ref_lines = reference_lines(chrome, detail, cols);
    let [head, refs_area, body] = Layout::vertical([
        Constraint::Length(head_lines.len() as u16),
        Constraint::Length(ref_lines.len() as u16),
        Constraint::Min(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(head_lines), head);
    if !ref_lines.is_empty() {
        frame.render_widget(Paragraph::new(ref_lines), refs_area);
    }
    let text = match (&detail.value, &detail.error) {
        (_, Some(error)) => {
            let mut lines = vec![Line::from(Span::styled("Could not load it:", theme.error()))];
            lines.extend(wrap(error, body.width as usize).into_iter().map(Line::from));
            frame.render_widget(Paragraph::new(lines), body);
            return;
        }
        // The server returns secrets (a basic-auth password); the screen never shows them.
        (Some(v), None) => super::update::shown_json(v),
        (None, None) => {
            frame.render_widget(Paragraph::new(Span::styled("loading…", theme.dim())), body);
            return;
        }
    };
    // Long values (icons, payloads) wrap by display width instead of being cut off.
    let lines: Vec<Line> = text
        .lines()
        .flat_map(|l| wrap_spans(highlight_line(l, theme), body.width as usize))
        .collect();
    let scroll = detail.scroll.min(max_scroll(lines.len(), body)) as usize;
    let visible: Vec<Line> = lines.into_iter().skip(scroll).take(body.height as usize).collect();
    frame.render_widget(Paragraph::new(visible), body);
}

/// The references' title and as many wrapped references as fit in
/// [`REF_ROWS`], the selected one always among them.
fn reference_lines(chrome: &Chrome, detail: &Detail, cols: usize) -> Vec<Line<'static>> {
    let theme = chrome.theme;
    if detail.refs.is_empty() {
        return Vec::new();
    }
    let wrapped: Vec<Vec<Line<'static>>> = detail
        .refs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let arrow = if r.outgoing { "→" } else { "←" };
            let line = Line::from(vec![
                Span::raw(format!("{arrow} {} ", r.kind)),
                Span::styled(
                    format!("\"{}\" ", r.name.clone().unwrap_or_else(|| "?".into())),
                    theme.title(),
                ),
                Span::styled(format!("{} {}", short_id(&r.id), r.path), theme.dim()),
            ]);
            let rows = wrap_spans(line, cols);
            if i == detail.ref_selected {
                rows.into_iter().map(|l| l.style(theme.selected())).collect()
            } else {
                rows
            }
        })
        .collect();
    let room = REF_ROWS - 1;
    let sel = detail.ref_selected.min(wrapped.len() - 1);
    // The first reference shown: as far back from the selection as still fits.
    let mut first = sel;
    let mut used = wrapped[sel].len();
    while first > 0 && used + wrapped[first - 1].len() <= room {
        first -= 1;
        used += wrapped[first].len();
    }
    let mut lines = vec![Line::from(Span::styled(
        "References ([ ] select, Enter follows, Esc back):",
        theme.dim(),
    ))];
    for rows in &wrapped[first..] {
        if lines.len() - 1 + rows.len() > room && lines.len() > 1 {
            break;
        }
        lines.extend(rows.iter().cloned());
    }
    lines.truncate(REF_ROWS);
    lines
}

fn render_asset(pane: &EntitiesPane, chrome: &Chrome, frame: &mut Frame, area: Rect) {
    let asset = &pane.asset;
    let theme = chrome.theme;
    let lines = match (&asset.id, &asset.result) {
        (None, _) => vec![Line::from(Span::styled(
            "Assets have no list operation: look one up by id (/ or Enter).",
            theme.dim(),
        ))],
        (Some(id), None) => vec![Line::from(format!("looking up {id}…"))],
        (Some(_), Some(Err(e))) => vec![
            Line::from(Span::styled("Lookup failed:", theme.error())),
            Line::from(e.clone()),
        ],
        (Some(_), Some(Ok(t))) => {
            let url = crate::api::redact::url(&t.content_url);
            vec![
                Line::from(vec![
                    Span::styled("id            ", theme.dim()),
                    Span::raw(t.id.clone()),
                ]),
                Line::from(vec![
                    Span::styled("name          ", theme.dim()),
                    Span::raw(t.name.clone()),
                ]),
                Line::from(vec![
                    Span::styled("size          ", theme.dim()),
                    Span::raw(format!("{} bytes", t.size)),
                ]),
                Line::from(vec![
                    Span::styled("contentType   ", theme.dim()),
                    Span::raw(t.content_type.clone()),
                ]),
                Line::from(vec![Span::styled("contentUrl    ", theme.dim()), Span::raw(url)]),
                Line::from(vec![
                    Span::styled("expires       ", theme.dim()),
                    Span::raw(t.content_url_expiry.clone()),
                ]),
            ]
        }
    };
    frame.render_widget(Paragraph::new(lines), area);
}
