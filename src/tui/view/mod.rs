//! Rendering: a pure function of [`App`]. Only visible rows are laid out.

mod conversation;
mod entities;
pub mod json;
mod log;
mod modal;
mod status;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::app::{App, PaneId};
use super::keymap::Context;

/// Draw the whole console.
pub fn render(app: &App, frame: &mut Frame) {
    // The last error gets its own wrapped lines above the footer: eGain error
    // messages (which objects still reference this one...) are long.
    let error_rows = app.status.error.as_ref().map_or(0, |e| {
        let width = frame.area().width.max(1) as usize;
        (e.chars().count() + 2).div_ceil(width).clamp(1, 3) as u16
    });
    let status_height = status::height(app, frame.area().width);
    let [status_area, body, error_area, footer] = Layout::vertical([
        Constraint::Length(status_height),
        Constraint::Fill(1),
        Constraint::Length(error_rows),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    status::render(app, frame, status_area);
    if let Some(error) = &app.status.error {
        let text = Span::styled(format!("✗ {error}"), app.theme.error());
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), error_area);
    }
    if app.wide() {
        // Entities over the request log on the left, the conversation on the right.
        let [left, right] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
        let [top, bottom] = Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(left);
        entities::render(app, frame, top, app.focus == PaneId::Entities);
        log::render(app, frame, bottom, app.focus == PaneId::Log);
        conversation::render(app, frame, right, app.focus == PaneId::Conversation);
    } else {
        match app.focus {
            PaneId::Entities => entities::render(app, frame, body, true),
            PaneId::Conversation => conversation::render(app, frame, body, true),
            PaneId::Log => log::render(app, frame, body, true),
        }
    }
    render_footer(app, frame, footer);
    if let Some(m) = &app.modal {
        modal::render(app, m, frame, body);
    }
}

/// Pane title with its number, and on narrow screens the other pane's too,
/// so it is clear how to switch.
pub(super) fn pane_title(app: &App, pane: PaneId, extra: &str) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, p) in PaneId::ALL.iter().enumerate() {
        if *p != pane && app.wide() {
            continue;
        }
        let unseen = app.conversation.unseen;
        let text = if *p == PaneId::Conversation && unseen > 0 {
            format!(" {} {} ({unseen} new) ", i + 1, p.title())
        } else {
            format!(" {} {} ", i + 1, p.title())
        };
        if *p == pane {
            spans.push(Span::styled(text, app.theme.title()));
        } else {
            spans.push(Span::styled(text, app.theme.dim()));
        }
    }
    if !extra.is_empty() {
        spans.push(Span::styled(format!("{extra} "), app.theme.dim()));
    }
    Line::from(spans)
}

/// Actions worth a footer hint per context, most useful first.
fn footer_actions(context: Context) -> &'static [super::action::Action] {
    use super::action::Action as A;
    match context {
        Context::Entities => &[
            A::Open,
            A::NextKind,
            A::Create,
            A::Edit,
            A::Delete,
            A::Filter,
            A::GuidedSetup,
            A::Refresh,
        ],
        Context::EntityDetail => &[A::Back, A::NextRef, A::FollowRef, A::Edit, A::EditExternal, A::Delete],
        Context::Log => &[A::Open, A::Filter, A::CopyCurl, A::ExportHar, A::ToggleFollow],
        Context::LogDetail => &[A::Back, A::CopyCurl, A::SaveCurl],
        Context::Editor => &[A::Save, A::EditExternal, A::Cancel],
        Context::Prompt => &[A::Confirm, A::Cancel],
        Context::Confirm => &[A::Confirm, A::Cancel],
        Context::Setup => &[A::Confirm, A::Edit, A::Cancel],
        Context::Help => &[A::Back],
        Context::Conversation => &[
            A::Compose,
            A::NewConversation,
            A::NextConversation,
            A::Choose,
            A::Attach,
            A::Download,
            A::EndConversation,
            A::Transcript,
            A::RawMessage,
        ],
        Context::Composer => &[A::Send, A::Newline, A::Attach, A::LeaveComposer, A::NextPane],
        Context::Pick => &[A::Confirm, A::Cancel],
        Context::Transcript => &[A::Save, A::Cancel],
        Context::Global | Context::List => &[],
    }
}

fn render_footer(app: &App, frame: &mut Frame, area: Rect) {
    use super::action::Action as A;
    let context = app.context();
    let mut actions: Vec<A> = footer_actions(context).to_vec();
    if !matches!(
        context,
        Context::Editor | Context::Prompt | Context::Confirm | Context::Composer | Context::Pick
    ) {
        actions.extend([A::NextPane, A::Help, A::Quit]);
    }
    let mut spans = Vec::new();
    let mut width = 0usize;
    for action in actions {
        let Some(key) = app.keymap.key_for(context, action) else {
            continue;
        };
        let label = match (context, action) {
            (Context::Setup, A::Confirm) => "run next step",
            // Save means validate-and-send in the editor; here it writes files.
            (Context::Transcript, A::Save) => "save",
            _ => action.label(),
        };
        let key = key.to_string();
        let needed = key.chars().count() + label.chars().count() + 3;
        if width + needed > area.width as usize {
            break;
        }
        width += needed;
        spans.push(Span::styled(format!(" {key}"), app.theme.key()));
        spans.push(Span::raw(format!(" {label} ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// How far wrapped `lines` can scroll in `area` before the end leaves the
/// bottom row (each line takes as many rows as its width needs).
pub(super) fn max_scroll(lines: &[Line], area: Rect) -> u16 {
    let width = area.width.max(1) as usize;
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
    rows.saturating_sub(area.height as usize).min(u16::MAX as usize) as u16
}

/// A rectangle centred in `area`, at most `width` x `height`.
pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
