//! The Entities pane: kind tabs, the object table, the detail view and the
//! asset lookup.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState, Tabs};
use serde_json::Value;

use super::json::highlight_line;
use super::pane_title;
use crate::api::models::EntityKind;
use crate::api::models::references::label;
use crate::tui::app::{App, PaneId};
use crate::tui::modal::short_id;
use crate::tui::panes::entities::{ASSETS_TAB, Detail};

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

pub fn render(app: &App, frame: &mut Frame, area: Rect, focused: bool) {
    let pane = &app.entities;
    let extra = match &pane.detail {
        Some(d) => format!("› {} {}", d.kind, short_id(&d.id)),
        None => String::new(),
    };
    let block = Block::bordered()
        .title(pane_title(app, PaneId::Entities, &extra))
        .border_style(app.theme.border(focused));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(detail) = &pane.detail {
        render_detail(app, detail, frame, inner);
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
                    .map(|l| format!(" {}", l.items.len()))
                    .unwrap_or_default();
                format!("{l}{count}")
            })
            .collect()
    };
    // Short labels when the full ones would push the selected tab out of sight.
    let mut tab_labels = labels(&TAB_LABELS);
    let width = |ls: &[String]| ls.iter().map(|l| l.chars().count() + 1).sum::<usize>();
    if width(&tab_labels) > usize::from(tabs_area.width) {
        tab_labels = labels(&SHORT_TAB_LABELS);
    }
    let tabs = Tabs::new(tab_labels)
        .select(pane.tab)
        .highlight_style(app.theme.selected())
        .divider("│")
        .padding("", "");
    frame.render_widget(tabs, tabs_area);
    match pane.kind() {
        Some(kind) => render_list(app, kind, frame, body),
        None => render_asset(app, frame, body),
    }
    let filter = if pane.tab == ASSETS_TAB {
        Line::from(Span::styled("/ or Enter: look up an asset by id", app.theme.dim()))
    } else if pane.filter.is_empty() {
        Line::from(Span::styled(
            format!("{} in setup order · / filter", setup_step(pane.tab)),
            app.theme.dim(),
        ))
    } else {
        Line::from(vec![
            Span::styled("filter: ", app.theme.dim()),
            Span::styled(pane.filter.clone(), app.theme.key()),
            Span::styled("  (Esc clears)", app.theme.dim()),
        ])
    };
    frame.render_widget(Paragraph::new(filter), filter_area);
}

fn setup_step(tab: usize) -> String {
    format!("step {} of 6", tab + 1)
}

fn render_list(app: &App, kind: EntityKind, frame: &mut Frame, area: Rect) {
    let pane = &app.entities;
    let list = pane.list(kind);
    if let Some(error) = &list.error {
        let text = vec![
            Line::from(Span::styled(
                format!("Could not list {}:", kind.plural()),
                app.theme.error(),
            )),
            Line::from(error.clone()),
            Line::from(Span::styled("r retries", app.theme.dim())),
        ];
        frame.render_widget(Paragraph::new(text), area);
        return;
    }
    if !list.loaded {
        frame.render_widget(Paragraph::new(Span::styled("loading…", app.theme.dim())), area);
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
        frame.render_widget(Paragraph::new(Span::styled(text, app.theme.dim())), area);
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
    .header(Row::new(["Name", "Id", "Active", "Modified (UTC)"]).style(app.theme.title()))
    .row_highlight_style(app.theme.selected());
    let mut state = TableState::default().with_selected(Some(selected - first));
    frame.render_stateful_widget(table, area, &mut state);
}

fn render_detail(app: &App, detail: &Detail, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let ref_rows = detail.refs.len().min(6) as u16;
    let [head, refs_area, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(if detail.refs.is_empty() { 0 } else { ref_rows + 1 }),
        Constraint::Min(1),
    ])
    .areas(area);
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
    frame.render_widget(Paragraph::new(Line::from(head_spans)), head);
    if !detail.refs.is_empty() {
        let sel = detail.ref_selected;
        let first = sel.saturating_sub(ref_rows as usize - 1);
        let mut lines = vec![Line::from(Span::styled(
            "References ([ ] select, Enter follows, Esc back):",
            theme.dim(),
        ))];
        for (i, r) in detail.refs.iter().enumerate().skip(first).take(ref_rows as usize) {
            let arrow = if r.outgoing { "→" } else { "←" };
            let line = Line::from(vec![
                Span::raw(format!("{arrow} {} ", r.kind)),
                Span::styled(
                    format!("\"{}\" ", r.name.clone().unwrap_or_else(|| "?".into())),
                    theme.title(),
                ),
                Span::styled(format!("{} {}", short_id(&r.id), r.path), theme.dim()),
            ]);
            lines.push(if i == sel { line.style(theme.selected()) } else { line });
        }
        frame.render_widget(Paragraph::new(lines), refs_area);
    }
    let text = match (&detail.value, &detail.error) {
        (_, Some(error)) => {
            frame.render_widget(
                Paragraph::new(vec![
                    Line::from(Span::styled("Could not load it:", theme.error())),
                    Line::from(error.clone()),
                ]),
                body,
            );
            return;
        }
        (Some(v), None) => {
            // The server returns secrets (a basic-auth password); the screen never shows them.
            let mut shown = v.clone();
            crate::api::redact::json(&mut shown);
            serde_json::to_string_pretty(&shown).unwrap_or_default()
        }
        (None, None) => {
            frame.render_widget(Paragraph::new(Span::styled("loading…", theme.dim())), body);
            return;
        }
    };
    // Long values (icons, payloads) wrap instead of being cut off.
    let lines: Vec<Line> = text.lines().map(|l| highlight_line(l, theme)).collect();
    let scroll = detail.scroll.min(super::max_scroll(&lines, body));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .scroll((scroll, 0)),
        body,
    );
}

fn render_asset(app: &App, frame: &mut Frame, area: Rect) {
    let asset = &app.entities.asset;
    let theme = &app.theme;
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
