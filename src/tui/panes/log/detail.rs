//! An exchange's detail as lines: what the detail view wraps and draws,
//! and as plain text what `v` hands to `$PAGER`, so both show the same.
//! Exchanges are recorded redacted (`api::exchange`).

use jiff::tz::Offset;
use ratatui::text::{Line, Span};

use crate::api::{Direction, Exchange, RecordedBody};
use crate::reqlog::format::{duration, size, status as status_text, time_of_day};
use crate::tui::theme::Theme;
use crate::tui::view::json::{highlight_line, pretty};

fn body_lines<'a>(title: &str, body: &Option<RecordedBody>, theme: &Theme, out: &mut Vec<Line<'a>>) {
    let Some(body) = body else {
        return;
    };
    out.push(Line::from(Span::styled(
        format!("{title} body ({})", size(body.size).as_str()),
        theme.title(),
    )));
    if body.truncated {
        out.push(Line::from(Span::styled(
            format!("(truncated: showing {} of {} bytes)", body.text.len(), body.size),
            theme.warn(),
        )));
    }
    for line in pretty(&body.text).lines() {
        out.push(owned(highlight_line(line, theme)));
    }
}

/// A line that no longer borrows the text it was styled from.
fn owned(line: Line<'_>) -> Line<'static> {
    Line::from(
        line.spans
            .into_iter()
            .map(|s| Span::styled(s.content.into_owned(), s.style))
            .collect::<Vec<_>>(),
    )
}

/// The exchange as plain text, line for line what its detail view shows
/// (for `$PAGER`).
pub fn detail_text(x: &Exchange) -> String {
    let mut out = String::new();
    for line in detail_lines(x, &Theme::mono()) {
        for span in line.spans {
            out.push_str(&span.content);
        }
        out.push('\n');
    }
    out
}

/// The detail view's lines, before wrapping.
pub fn detail_lines(x: &Exchange, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines: Vec<Line> = Vec::new();
    let direction = match x.direction {
        Direction::Outbound => "outbound",
        Direction::Inbound => "inbound",
    };
    lines.push(Line::from(vec![Span::styled(
        format!("{} {}", x.method, x.url),
        theme.title(),
    )]));
    lines.push(Line::from(Span::styled(
        format!(
            "{direction} {:?} · started {} UTC · took {} · status {}",
            x.kind,
            time_of_day(x.started, Offset::UTC).as_str(),
            duration(x.duration).as_str(),
            status_text(x).as_str(),
        ),
        theme.dim(),
    )));
    if let Some(error) = &x.error {
        lines.push(Line::from(Span::styled(format!("error: {error}"), theme.error())));
    }
    lines.push(Line::from(Span::styled("Request headers", theme.title())));
    for (k, v) in &x.request_headers {
        lines.push(Line::from(vec![
            Span::styled(format!("  {k}: "), theme.json_key()),
            Span::raw(v.clone()),
        ]));
    }
    body_lines("Request", &x.request_body, theme, &mut lines);
    if let Some(status) = x.status {
        lines.push(Line::from(Span::styled(
            format!("Response {status} headers"),
            theme.title(),
        )));
        for (k, v) in &x.response_headers {
            lines.push(Line::from(vec![
                Span::styled(format!("  {k}: "), theme.json_key()),
                Span::raw(v.clone()),
            ]));
        }
        body_lines("Response", &x.response_body, theme, &mut lines);
    }
    lines
}
