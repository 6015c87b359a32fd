//! The status line: mode markers, profile, host, token state, activity,
//! active takeovers and the last notice or hint. Always one row: what does
//! not fit is cut at the end, never wrapped into the layout.

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::api::TokenState;
use crate::tui::app::App;
use crate::tui::wrap::{truncate, width};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    frame.render_widget(Paragraph::new(fit(line(app), area.width as usize)), area);
}

/// Cut a line's spans to `cols` columns.
fn fit(line: Line<'static>, cols: usize) -> Line<'static> {
    let mut used = 0;
    let mut spans = Vec::new();
    for span in line.spans {
        let w = width(&span.content);
        if used + w <= cols {
            used += w;
            spans.push(span);
        } else {
            let cut = truncate(&span.content, cols.saturating_sub(used + 1)).to_owned();
            spans.push(Span::styled(format!("{cut}…"), span.style));
            break;
        }
    }
    Line::from(spans)
}

fn line(app: &App) -> Line<'static> {
    let theme = &app.theme;
    let mut spans = Vec::new();
    if app.session.sandbox {
        spans.push(Span::styled(" SANDBOX ", theme.badge(Color::Magenta)));
        spans.push(Span::raw(" "));
    }
    if app.session.read_only {
        spans.push(Span::styled(" READ-ONLY ", theme.badge(Color::Yellow)));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::styled(app.session.profile.clone(), theme.title()));
    spans.push(Span::styled(format!(" @ {} ", app.session.host), theme.dim()));
    spans.push(token_span(app));
    if app.in_flight > 0 {
        spans.push(Span::styled(
            format!(" {} {} in flight", SPINNER[app.spinner % SPINNER.len()], app.in_flight),
            theme.warn(),
        ));
    }
    if !app.taken.is_empty() {
        let roles: Vec<&str> = app.taken.iter().map(|t| t.role.as_str()).collect();
        spans.push(Span::styled(format!(" ⇄ {} → console", roles.join(",")), theme.warn()));
    }
    if app.status.error.is_some() {
        spans.push(Span::styled("  ✗ error (below)", theme.error()));
    } else if let Some(notice) = &app.status.notice {
        spans.push(Span::styled(format!("  {notice}"), theme.ok()));
    }
    Line::from(spans)
}

fn token_span(app: &App) -> Span<'static> {
    let theme = &app.theme;
    match &app.token {
        TokenState::None => Span::styled("token: none yet", theme.dim()),
        TokenState::Static => Span::styled("token: static", theme.dim()),
        TokenState::Valid { expires_at } => {
            let left = expires_at.saturating_duration_since(Instant::now()).as_secs();
            Span::styled(format!("token: ok {}m", left.div_ceil(60)), theme.ok())
        }
        TokenState::Failed(_) => Span::styled("token: FAILED", theme.error()),
    }
}
