//! Drawing the guided setup.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::SetupPane;
use crate::setup::StepStatus;
use crate::tui::popup::{centered, frame_popup};
use crate::tui::theme::Theme;

pub fn render(setup: &SetupPane, theme: &Theme, frame: &mut Frame, area: Rect) {
    let rect = centered(area, 90, 16);
    let done = setup
        .flow
        .steps()
        .iter()
        .filter(|s| matches!(s.status, StepStatus::Done { .. }))
        .count();
    let inner = frame_popup(theme, frame, rect, format!("Guided setup: {done} of 6 created"));
    let mut lines = vec![Line::from(Span::styled(
        "Creates a complete account in the vendor's order, each step wired to the ids before it.",
        theme.dim(),
    ))];
    for (i, step) in setup.flow.steps().iter().enumerate() {
        let (mark, style) = match &step.status {
            StepStatus::Pending => ("·", theme.dim()),
            StepStatus::Running => ("…", theme.warn()),
            StepStatus::Done { .. } => ("✓", theme.ok()),
            StepStatus::Failed { .. } => ("✗", theme.error()),
        };
        // The name it gets (the flow's body, placeholders filled by then).
        let name = step
            .body
            .get(step.kind.unique_field())
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let mut spans = vec![
            Span::styled(format!(" {mark} "), style),
            Span::raw(format!("{}. {:<20}", i + 1, step.kind.to_string())),
            Span::raw(format!("{:<28} ", crate::tui::wrap::ellipsize(name, 28))),
            // A short id keeps each step on one row at 80 columns.
            Span::styled(
                match &step.status {
                    StepStatus::Done { id } => format!("done {}", crate::tui::popup::editor::short_id(id)),
                    // Its error is spelled out below the steps.
                    StepStatus::Failed { .. } => "failed (below)".to_owned(),
                    other => other.to_string(),
                },
                style,
            ),
        ];
        if step.edited && !matches!(step.status, StepStatus::Done { .. }) {
            spans.push(Span::styled(" · edited", theme.warn()));
        }
        let mut line = Line::from(spans);
        if i == setup.selected {
            line = line.style(theme.selected());
        }
        lines.push(line);
    }
    lines.push(Line::from(""));
    if let Some(i) = setup.flow.failed_step()
        && let Some(StepStatus::Failed { error }) = setup.flow.steps().get(i).map(|s| &s.status)
    {
        lines.push(Line::from(Span::styled(
            format!("Step {} failed: {error}", i + 1),
            theme.error(),
        )));
    }
    let hint = if setup.flow.is_complete() {
        "Done. Esc closes; the new objects are in the lists."
    } else if setup.running {
        "Working…"
    } else if setup.flow.failed_step().is_some() {
        "A step failed: e edits its body, Enter resumes from it. Objects already created are kept."
    } else {
        "Enter runs the steps · e edits the selected step's body first · Esc closes"
    };
    lines.push(Line::from(Span::styled(hint, theme.dim())));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
