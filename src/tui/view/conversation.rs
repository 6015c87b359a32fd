//! The Conversation pane: conversation tabs with unread counts, the message
//! list (bottom-anchored; only entries that fit are laid out), the typing
//! line, transfer progress and the composer.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Gauge, Paragraph};

use super::pane_title;
use crate::api::models::SenderType;
use crate::conversation::state::{Conversation, Entry, EntryKind, Status};
use crate::reqlog::format::size;
use crate::tui::action::Action;
use crate::tui::app::{App, PaneId};
use crate::tui::keymap::Context;
use crate::tui::theme::Theme;

pub fn render(app: &App, frame: &mut Frame, area: Rect, focused: bool) {
    let pane = &app.conversation;
    let viewed = pane.viewed();
    let extra = match (viewed, &pane.target) {
        (Some(c), _) => format!(
            "as {} · {}",
            c.role(),
            c.account().map(|a| a.address.as_str()).unwrap_or("?")
        ),
        (None, Some(t)) => format!("new · as customer · {}", t.account_name),
        (None, None) => format!("as {}", pane.role),
    };
    let block = Block::bordered()
        .title(pane_title(app, PaneId::Conversation, &extra))
        .border_style(app.theme.border(focused));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let typing = viewed.and_then(|c| c.typing()).is_some();
    let transfer = pane.upload.is_some() || pane.download.is_some();
    let [tabs, messages, typing_area, transfer_area, composer_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(u16::from(typing)),
        Constraint::Length(u16::from(transfer)),
        Constraint::Length(4),
    ])
    .areas(inner);
    render_tabs(app, frame, tabs);
    match viewed {
        Some(c) => render_messages(app, c, frame, messages, focused && !pane.composing),
        None => {
            let text = match &pane.target {
                Some(t) => format!(
                    "New conversation on {} ({} on {}). Type the first message below.",
                    t.account_name, t.address, t.channel_type
                ),
                None => "No conversation yet. n (from the message list; Esc leaves the composer) picks an account and the role to act as; or just type a message.".into(),
            };
            frame.render_widget(
                Paragraph::new(Span::styled(text, app.theme.dim())).wrap(ratatui::widgets::Wrap { trim: true }),
                messages,
            );
        }
    }
    if let Some(t) = viewed.and_then(|c| c.typing()) {
        let who = t.name.clone().unwrap_or_else(|| t.sender.to_string());
        frame.render_widget(
            Paragraph::new(Span::styled(format!("{who} is typing…"), app.theme.dim())),
            typing_area,
        );
    }
    if transfer {
        render_transfer(app, frame, transfer_area);
    }
    render_composer(app, frame, composer_area, focused && pane.composing);
}

/// The short name of a role, for tabs that would not fit otherwise.
fn short_role(role: &SenderType) -> String {
    match role {
        SenderType::CustomAgent => "agent".into(),
        SenderType::CustomBot => "bot".into(),
        SenderType::EgainAgent => "eg.agent".into(),
        SenderType::EgainBot => "eg.bot".into(),
        other => other.to_string(),
    }
}

/// A tab's label: its number, account address and role, or in `compact` form the
/// address's local part and the short role; state and unread count always.
fn tab_label(number: usize, c: &Conversation, compact: bool) -> String {
    let address = c.account().map(|a| a.address.as_str()).unwrap_or("?");
    let (address, role) = if compact {
        (address.split('@').next().unwrap_or(address), short_role(c.role()))
    } else {
        (address, c.role().to_string())
    };
    let state = if c.is_closed() {
        " ended"
    } else if c.is_pending() {
        " …"
    } else {
        ""
    };
    let unread = if c.unread() > 0 {
        format!(" ({})", c.unread())
    } else {
        String::new()
    };
    format!(" {number} {address}·{role}{state}{unread} ")
}

/// One row of tabs. Labels go compact when the full ones do not fit; if
/// even those do not, the row starts late enough to show the viewed tab and
/// ends with how many tabs (and unread messages) are cut off.
fn render_tabs(app: &App, frame: &mut Frame, area: Rect) {
    let pane = &app.conversation;
    let viewed = pane.conversations.viewed();
    let convs: Vec<&Conversation> = pane.conversations.iter().collect();
    if convs.is_empty() {
        frame.render_widget(Paragraph::new(Span::styled("no conversations", app.theme.dim())), area);
        return;
    }
    let width = area.width as usize;
    // Each tab is followed by a one-column separator.
    let row_width = |labels: &[String]| labels.iter().map(|l| l.chars().count() + 1).sum::<usize>();
    let mut labels: Vec<String> = convs
        .iter()
        .enumerate()
        .map(|(i, c)| tab_label(i + 1, c, false))
        .collect();
    if row_width(&labels) > width {
        labels = convs
            .iter()
            .enumerate()
            .map(|(i, c)| tab_label(i + 1, c, true))
            .collect();
    }
    let widths: Vec<usize> = labels.iter().map(|l| l.chars().count() + 1).collect();
    let fits_all = row_width(&labels) <= width;
    // Room kept for the "+N more" marker when not everything fits.
    let reserve = if fits_all { 0 } else { 18 };
    let viewed_index = convs.iter().position(|c| Some(c.handle()) == viewed).unwrap_or(0);
    let mut first = 0;
    while first < viewed_index && widths[first..=viewed_index].iter().sum::<usize>() + reserve > width {
        first += 1;
    }
    let mut spans = Vec::new();
    let mut used = 0;
    let mut shown = Vec::new();
    for (i, (c, label)) in convs.iter().zip(&labels).enumerate().skip(first) {
        if used + widths[i] + reserve > width && !fits_all {
            break;
        }
        used += widths[i];
        shown.push(i);
        let style = if Some(c.handle()) == viewed {
            app.theme.selected()
        } else if c.unread() > 0 {
            app.theme.key()
        } else {
            app.theme.dim()
        };
        spans.push(Span::styled(label.clone(), style));
        spans.push(Span::styled("│", app.theme.dim()));
    }
    let hidden: Vec<&&Conversation> = convs
        .iter()
        .enumerate()
        .filter(|(i, _)| !shown.contains(i))
        .map(|(_, c)| c)
        .collect();
    if !hidden.is_empty() {
        let unread: usize = hidden.iter().map(|c| c.unread()).sum();
        let text = if unread > 0 {
            format!(" +{} more ({unread})", hidden.len())
        } else {
            format!(" +{} more", hidden.len())
        };
        let style = if unread > 0 { app.theme.key() } else { app.theme.dim() };
        spans.push(Span::styled(text, style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Cut text into lines of at most `width` characters, at spaces where
/// possible (a word longer than a line is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for line in text.split('\n') {
        let mut rest = line;
        let mut pushed = false;
        while let Some((cut, _)) = rest.char_indices().nth(width) {
            let head = &rest[..cut];
            let at_space = rest[cut..].starts_with(' ');
            let brk = if at_space {
                Some(cut)
            } else {
                head.rfind(' ').filter(|&i| i > 0)
            };
            match brk {
                Some(i) => {
                    out.push(rest[..i].trim_end().to_owned());
                    rest = rest[i..].trim_start_matches(' ');
                }
                None => {
                    out.push(head.to_owned());
                    rest = &rest[cut..];
                }
            }
            pushed = true;
        }
        if !rest.is_empty() || !pushed {
            out.push(rest.to_owned());
        }
    }
    out
}

fn time_of(entry: &Entry) -> String {
    entry
        .time
        .as_deref()
        .and_then(|t| t.get(11..19))
        .unwrap_or("--:--:--")
        .to_owned()
}

/// The lines of one entry, already wrapped to `width`.
fn entry_lines(entry: &Entry, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let time = time_of(entry);
    let who = entry.sender_name.clone().unwrap_or_else(|| entry.sender.to_string());
    match entry.kind {
        EntryKind::Event(_) => {
            let detail = entry.text.as_deref().map(|t| format!(": {t}")).unwrap_or_default();
            for l in wrap(&format!("{time} ── {} by {who}{detail} ──", entry.message_type), width) {
                lines.push(Line::from(Span::styled(l, theme.dim().add_modifier(Modifier::ITALIC))));
            }
            return lines;
        }
        EntryKind::Unhandled => {
            lines.push(Line::from(Span::styled(
                format!("{time} ({} from {who}: not handled by the console)", entry.message_type),
                theme.dim(),
            )));
            return lines;
        }
        EntryKind::Message => {}
    }
    // The error goes on lines of its own below the message: eGain errors are
    // long and a header line is not wrapped.
    let (status, failure) = match &entry.status {
        Status::Sending => (" sending…", None),
        Status::Sent | Status::Received => ("", None),
        Status::Failed(e) => (" FAILED", Some(e)),
    };
    let kind = if entry.message_type == "text" {
        String::new()
    } else {
        format!(" [{}]", entry.message_type)
    };
    let who_style = if entry.mine { theme.ok() } else { theme.key() };
    lines.push(Line::from(vec![
        Span::styled(format!("{time} "), theme.dim()),
        Span::styled(who, who_style),
        Span::styled(kind, theme.dim()),
        Span::styled(status, if failure.is_some() { theme.error() } else { theme.dim() }),
    ]));
    let body_width = width.saturating_sub(2);
    match &entry.rich {
        Some(rich) => {
            for (i, l) in rich.to_lines().iter().enumerate() {
                for w in wrap(l, body_width) {
                    let style = if i == 0 { theme.title() } else { Default::default() };
                    lines.push(Line::from(Span::styled(format!("  {w}"), style)));
                }
            }
            if !rich.choices().is_empty() && !entry.mine {
                lines.push(Line::from(Span::styled("  c answers", theme.dim())));
            }
        }
        None => {
            if let Some(text) = &entry.text {
                for w in wrap(text, body_width) {
                    lines.push(Line::from(format!("  {w}")));
                }
            }
        }
    }
    for a in &entry.attachments {
        let name = a.name.clone().unwrap_or_else(|| a.id.clone());
        let meta = [a.content_type.clone(), a.size.map(|s| size(s).as_str().to_owned())]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        lines.push(Line::from(vec![
            Span::styled("  [file] ", theme.key()),
            Span::raw(format!("{name} ({meta})")),
            Span::styled(if entry.mine { "" } else { "  D downloads" }, theme.dim()),
        ]));
    }
    if let Some(e) = failure {
        for w in wrap(&format!("✗ {e}"), body_width) {
            lines.push(Line::from(Span::styled(format!("  {w}"), theme.error())));
        }
    }
    lines
}

fn render_messages(app: &App, conv: &Conversation, frame: &mut Frame, area: Rect, list_focus: bool) {
    let entries = conv.entries();
    if entries.is_empty() {
        frame.render_widget(Paragraph::new(Span::styled("No messages yet.", app.theme.dim())), area);
        return;
    }
    let width = area.width as usize;
    let height = area.height as usize;
    let anchor = app
        .conversation
        .selected
        .unwrap_or(entries.len() - 1)
        .min(entries.len() - 1);
    // Walk back from the anchor until the area is full: only these are laid out.
    let mut blocks: Vec<Vec<Line>> = Vec::new();
    let mut used = 0;
    for i in (0..=anchor).rev() {
        let mut lines = entry_lines(&entries[i], width, &app.theme);
        if list_focus && i == anchor {
            lines = lines.into_iter().map(|l| l.style(app.theme.selected())).collect();
        }
        used += lines.len();
        blocks.push(lines);
        if used >= height {
            break;
        }
    }
    let mut lines: Vec<Line> = blocks.into_iter().rev().flatten().collect();
    if conv.dropped() > 0 && lines.len() < height {
        lines.insert(
            0,
            Line::from(Span::styled(
                format!("({} older entries dropped)", conv.dropped()),
                app.theme.dim(),
            )),
        );
    }
    let skip = lines.len().saturating_sub(height);
    let visible: Vec<Line> = lines.into_iter().skip(skip).collect();
    frame.render_widget(Paragraph::new(visible), area);
}

/// Share of a transfer done, 0.0 while the total is unknown.
fn fraction(done: u64, total: u64) -> f64 {
    if total > 0 { done as f64 / total as f64 } else { 0.0 }
}

fn render_transfer(app: &App, frame: &mut Frame, area: Rect) {
    let pane = &app.conversation;
    // Labels from most to least detailed: the first that fits is shown.
    let (labels, ratio) = if let Some(u) = &pane.upload {
        let ratio = fraction(u.done, u.total);
        let progress = format!(
            "{} / {} {:.0}% {}/s",
            size(u.done).as_str(),
            size(u.total).as_str(),
            ratio * 100.0,
            size(u.rate as u64).as_str()
        );
        (
            vec![
                format!("uploading {} {progress} · Esc (message list) cancels", u.name),
                format!("uploading {} {progress}", u.name),
                format!("↑ {} {progress}", u.name),
                format!("↑ {:.0}% {}/s", ratio * 100.0, size(u.rate as u64).as_str()),
            ],
            ratio,
        )
    } else if let Some(d) = &pane.download {
        let ratio = fraction(d.done, d.total);
        let progress = format!(
            "{} / {} {:.0}%",
            size(d.done).as_str(),
            size(d.total).as_str(),
            ratio * 100.0
        );
        (
            vec![
                format!("downloading {} {progress}", d.name),
                format!("↓ {} {progress}", d.name),
                format!("↓ {:.0}%", ratio * 100.0),
            ],
            ratio,
        )
    } else {
        return;
    };
    let width = area.width as usize;
    let label = labels
        .iter()
        .find(|l| l.chars().count() <= width)
        .or(labels.last())
        .cloned()
        .unwrap_or_default();
    let gauge = Gauge::default()
        .gauge_style(app.theme.ok())
        .ratio(ratio.clamp(0.0, 1.0))
        .label(label);
    frame.render_widget(gauge, area);
}

fn render_composer(app: &App, frame: &mut Frame, area: Rect, active: bool) {
    let pane = &app.conversation;
    let role = pane
        .viewed()
        .map(|c| c.role().to_string())
        .unwrap_or_else(|| pane.role.to_string());
    let mut title = format!(" as {role} ");
    if !pane.kept_attachments.is_empty() {
        let names: Vec<&str> = pane
            .kept_attachments
            .iter()
            .map(|a| a.name.as_deref().unwrap_or(a.id.as_str()))
            .collect();
        title.push_str(&format!("+ [file] {} ", names.join(", ")));
    }
    let hint = if active {
        // The composer's keys as bound, as many as fit beside the title.
        let room = (area.width as usize).saturating_sub(title.chars().count() + 3);
        let mut hint = String::new();
        for action in [
            Action::Send,
            Action::Newline,
            Action::LeaveComposer,
            Action::EditExternal,
            Action::Attach,
        ] {
            let Some(key) = app.keymap.key_for(Context::Composer, action) else {
                continue;
            };
            let part = format!("{key} {}", action.label());
            let next = if hint.is_empty() {
                format!(" {part} ")
            } else {
                format!("{}· {part} ", hint)
            };
            if next.chars().count() > room {
                break;
            }
            hint = next;
        }
        hint
    } else {
        " i or Enter: compose ".to_owned()
    };
    let block = Block::default()
        .borders(Borders::TOP)
        .title(Span::styled(title, app.theme.title()))
        .title(Span::styled(hint, app.theme.dim()))
        .border_style(app.theme.border(active));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    frame.render_widget(&pane.composer, inner);
}
