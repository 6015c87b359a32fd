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
use crate::tui::wrap::{ellipsize, width};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    frame.render_widget(Paragraph::new(line(app, area.width as usize)), area);
}

/// Cut a line's spans to `cols` columns, the last one ending in `…`.
fn fit(line: Line<'static>, cols: usize) -> Line<'static> {
    let mut used = 0;
    let mut spans = Vec::new();
    for span in line.spans {
        let w = width(&span.content);
        if used + w <= cols {
            used += w;
            spans.push(span);
        } else {
            spans.push(Span::styled(ellipsize(&span.content, cols - used), span.style));
            break;
        }
    }
    Line::from(spans)
}

fn line_width(spans: &[Span]) -> usize {
    spans.iter().map(|s| width(&s.content)).sum()
}

/// The status row at `cols` columns. A notice gets the room it needs: the
/// host goes first (the profile still names the tenant), and only a notice
/// that does not fit even then is cut, with `…`.
fn line(app: &App, cols: usize) -> Line<'static> {
    let theme = &app.theme;
    let mut head = Vec::new();
    if app.session.sandbox {
        head.push(Span::styled(" SANDBOX ", theme.badge(Color::Magenta)));
        head.push(Span::raw(" "));
    }
    if app.session.read_only {
        head.push(Span::styled(" READ-ONLY ", theme.badge(Color::Yellow)));
        head.push(Span::raw(" "));
    }
    head.push(Span::styled(app.session.profile.clone(), theme.title()));
    let host = Span::styled(format!(" @ {} ", app.session.host), theme.dim());
    let mut tail = vec![token_span(app)];
    if app.in_flight > 0 {
        tail.push(Span::styled(
            format!(" {} {} in flight", SPINNER[app.spinner % SPINNER.len()], app.in_flight),
            theme.warn(),
        ));
    }
    if !app.taken.is_empty() {
        let roles: Vec<&str> = app.taken.iter().map(|t| t.role.as_str()).collect();
        tail.push(Span::styled(format!(" ⇄ {} → console", roles.join(",")), theme.warn()));
    }
    let message = if app.status.error.is_some() {
        Some(Span::styled("  ✗ error (below)", theme.error()))
    } else {
        app.status
            .notice
            .as_ref()
            .map(|notice| Span::styled(format!("  {notice}"), theme.ok()))
    };
    let full_width = line_width(&head) + width(&host.content) + line_width(&tail);
    let message_width = message.as_ref().map_or(0, |m| width(&m.content));
    let mut spans = head;
    if full_width + message_width <= cols || message.is_none() {
        spans.push(host);
    } else {
        spans.push(Span::raw(" "));
    }
    spans.extend(tail);
    spans.extend(message);
    fit(Line::from(spans), cols)
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
