//! A bundle's plan as a reviewable screen: every object with its action
//! (create, update, unchanged) and field changes, then the counts. Enter
//! applies (only here, after review); Esc closes with nothing sent. While
//! the apply runs it shows each object's progress, then the outcome.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::common::{Outcome, Step, centered, frame_popup, scroll};
use crate::bundle::plan::{Action as PlanAction, PlanItem, change_lines};
use crate::bundle::{Tenant, kind_name};
use crate::tui::action::Action;
use crate::tui::command::{Table, change, cmd};
use crate::tui::keymap::Context;
use crate::tui::theme::Theme;
use crate::tui::wrap::wrap;

pub const COMMANDS: Table = Table {
    context: Context::BundlePlan,
    title: "Bundle plan",
    commands: &[
        change(
            Action::Confirm,
            "apply",
            "Apply the plan to the tenant (creates and updates, in setup order)",
        ),
        cmd(Action::Cancel, "close", "Close; before Enter nothing is sent"),
    ],
};

/// Nothing to apply (or it ran): the screen only closes.
pub const VIEW_COMMANDS: Table = Table {
    context: Context::BundlePlan,
    title: "Bundle plan",
    commands: &[
        cmd(Action::Confirm, "close", "Close the plan"),
        cmd(Action::Cancel, "close", "Close the plan"),
    ],
};

/// Where the review is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    Review,
    Applying,
    /// The outcome, one line per fact.
    Finished(Vec<String>),
}

pub struct PlanView {
    /// The bundle file, for the title.
    pub origin: String,
    pub items: Vec<PlanItem>,
    /// The tenant as read for the plan (apply maps names to its ids).
    pub tenant: Tenant,
    pub phase: Phase,
    /// Progress lines while applying ("created channel \"x\"").
    pub progress: Vec<String>,
    pub scroll: u16,
}

impl PlanView {
    pub fn new(origin: impl Into<String>, items: Vec<PlanItem>, tenant: Tenant) -> Self {
        Self {
            origin: origin.into(),
            items,
            tenant,
            phase: Phase::Review,
            progress: Vec::new(),
            scroll: 0,
        }
    }

    fn count(&self, action: PlanAction) -> usize {
        self.items.iter().filter(|i| i.action == action).count()
    }

    /// Objects the apply would create or update.
    pub fn work(&self) -> usize {
        self.items.len() - self.count(PlanAction::Unchanged)
    }

    /// The commands where the review is: apply only while there is work to review.
    pub fn commands(&self) -> Table {
        if self.phase == Phase::Review && self.work() > 0 {
            COMMANDS
        } else {
            VIEW_COMMANDS
        }
    }

    pub fn on_action(&mut self, action: Action) -> Step {
        match (&self.phase, action) {
            (Phase::Review, Action::Confirm) if self.work() > 0 => Step::Submit(Outcome::Confirmed),
            // Nothing to do: Enter only closes.
            (Phase::Review, Action::Confirm | Action::Cancel) => Step::Close(Outcome::Cancelled),
            // An apply under way cannot be taken back; the screen stays until it ends.
            (Phase::Applying, Action::Confirm | Action::Cancel) => Step::Stay,
            (Phase::Finished(_), Action::Confirm | Action::Cancel) => Step::Close(Outcome::Cancelled),
            (_, other) => {
                scroll(&mut self.scroll, other);
                Step::Stay
            }
        }
    }

    /// The text shown, before wrapping.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for item in &self.items {
            out.push_str(&format!(
                "{:<9} {} \"{}\"\n",
                item.action.as_str(),
                kind_name(item.kind),
                item.name
            ));
            out.push_str(&change_lines(&item.changes, "    "));
        }
        out.push_str(&format!(
            "\nPlan: {} to create, {} to update, {} unchanged.\n",
            self.count(PlanAction::Create),
            self.count(PlanAction::Update),
            self.count(PlanAction::Unchanged)
        ));
        if self.work() == 0 {
            out.push_str("Nothing to do: the tenant matches the bundle.\n");
        }
        for line in &self.progress {
            out.push_str(line);
            out.push('\n');
        }
        if let Phase::Finished(lines) = &self.phase {
            for line in lines {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    pub fn render(&self, theme: &Theme, frame: &mut Frame, area: Rect) {
        let rect = centered(
            area,
            area.width.saturating_sub(4).max(20),
            area.height.saturating_sub(2).max(6),
        );
        let inner = frame_popup(theme, frame, rect, format!("Apply {}", self.origin));
        let height = inner.height.saturating_sub(1) as usize;
        let rows = wrap(&self.text(), inner.width.max(1) as usize);
        let max = rows.len().saturating_sub(height) as u16;
        let mut lines: Vec<Line> = rows
            .into_iter()
            .skip(self.scroll.min(max) as usize)
            .take(height)
            .map(|row| {
                let style = if row.starts_with("create") {
                    theme.ok()
                } else if row.starts_with("update") {
                    theme.warn()
                } else if row.starts_with("unchanged") {
                    theme.dim()
                } else {
                    Default::default()
                };
                Line::from(Span::styled(row, style))
            })
            .collect();
        while lines.len() < height {
            lines.push(Line::from(""));
        }
        let hint = match &self.phase {
            Phase::Review if self.work() > 0 => vec![
                Span::styled("Enter", theme.key()),
                Span::raw(format!(" apply {} change(s)   ", self.work())),
                Span::styled("Esc", theme.key()),
                Span::raw(" close, nothing sent   "),
                Span::styled("↑↓", theme.key()),
                Span::raw(" scroll"),
            ],
            Phase::Applying => vec![Span::styled("applying… (this screen stays until it ends)", theme.dim())],
            _ => vec![
                Span::styled("Enter", theme.key()),
                Span::raw("/"),
                Span::styled("Esc", theme.key()),
                Span::raw(" close"),
            ],
        };
        lines.push(Line::from(hint));
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
