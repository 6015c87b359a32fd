//! The Conversation pane: conversation tabs with unread counts, the message
//! list (a scrolled viewport: following the newest entry, or around the
//! selection with the later entries below it and a "new below" marker; only
//! entries that fit are laid out), the typing line, transfer progress and
//! the composer (wrapped, with its mode, cursor and remaining characters).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Gauge, Paragraph};

use super::ConversationPane;
use crate::api::models::SenderType;
use crate::conversation::state::{Conversation, Entry, EntryKind, Status};
use crate::reqlog::format::size;
use crate::tui::action::Action;
use crate::tui::keymap::Context;
use crate::tui::layout::{Chrome, PaneId};
use crate::tui::panes::entities::Catalog;
use crate::tui::theme::Theme;
use crate::tui::wrap::{width, wrap};

pub fn render(
    pane: &ConversationPane,
    catalog: &Catalog,
    chrome: &Chrome,
    frame: &mut Frame,
    area: Rect,
    focused: bool,
) {
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
        .title(chrome.pane_title(PaneId::Conversation, &extra, area.width))
        .border_style(chrome.theme.border(focused));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let typing = viewed.and_then(|c| c.typing()).is_some() || pane.refused.is_some();
    let transfer = pane.upload.is_some() || pane.download.is_some();
    let [tabs, messages, typing_area, transfer_area, composer_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(u16::from(typing)),
        Constraint::Length(u16::from(transfer)),
        Constraint::Length(composer_height(pane, inner)),
    ])
    .areas(inner);
    render_tabs(pane, chrome, frame, tabs);
    match viewed {
        Some(c) => render_messages(pane, chrome, c, frame, messages, focused && !pane.composing),
        None => {
            let text = match &pane.target {
                Some(t) => format!(
                    "New conversation on {} ({} on {}). Type the first message below.",
                    t.account_name, t.address, t.channel_type
                ),
                None if pane.composing => {
                    "No conversation yet. Type a message below and press Enter: the console asks for the role and the account.".into()
                }
                None => format!(
                    "No conversation yet. Press {} to type a message, or {} to pick the role and the account first.",
                    key_or(chrome, Action::Compose, "i"),
                    key_or(chrome, Action::NewConversation, "n"),
                ),
            };
            let lines: Vec<Line> = wrap(&text, messages.width as usize)
                .into_iter()
                .map(|l| Line::from(Span::styled(l, chrome.theme.dim())))
                .collect();
            frame.render_widget(Paragraph::new(lines), messages);
        }
    }
    if let Some(refused) = &pane.refused {
        frame.render_widget(
            Paragraph::new(Span::styled(
                crate::tui::wrap::ellipsize(&format!("✗ callbacks refused: {refused}"), typing_area.width as usize),
                chrome.theme.error(),
            )),
            typing_area,
        );
    } else if let Some(t) = viewed.and_then(|c| c.typing()) {
        let who = t.name.clone().unwrap_or_else(|| t.sender.to_string());
        frame.render_widget(
            Paragraph::new(Span::styled(format!("{who} is typing…"), chrome.theme.dim())),
            typing_area,
        );
    }
    if transfer {
        render_transfer(pane, chrome, frame, transfer_area);
    }
    render_composer(pane, catalog, chrome, frame, composer_area, focused && pane.composing);
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
fn render_tabs(pane: &ConversationPane, chrome: &Chrome, frame: &mut Frame, area: Rect) {
    let viewed = pane.conversations.viewed();
    let convs: Vec<&Conversation> = pane.conversations.iter().collect();
    if convs.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("no conversations", chrome.theme.dim())),
            area,
        );
        return;
    }
    let width = area.width as usize;
    // Each tab is followed by a one-column separator.
    let row_width = |labels: &[String]| labels.iter().map(|l| crate::tui::wrap::width(l) + 1).sum::<usize>();
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
    let widths: Vec<usize> = labels.iter().map(|l| crate::tui::wrap::width(l) + 1).collect();
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
            chrome.theme.selected()
        } else if c.unread() > 0 {
            chrome.theme.key()
        } else {
            chrome.theme.dim()
        };
        spans.push(Span::styled(label.clone(), style));
        spans.push(Span::styled("│", chrome.theme.dim()));
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
        let style = if unread > 0 {
            chrome.theme.key()
        } else {
            chrome.theme.dim()
        };
        spans.push(Span::styled(text, style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
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
        lines.push(Line::from(Span::styled(
            "  r (message list) retries · the composer is untouched",
            theme.dim(),
        )));
    }
    lines
}

fn render_messages(
    pane: &ConversationPane,
    chrome: &Chrome,
    conv: &Conversation,
    frame: &mut Frame,
    area: Rect,
    list_focus: bool,
) {
    let theme = chrome.theme;
    let entries = conv.entries();
    if entries.is_empty() {
        frame.render_widget(Paragraph::new(Span::styled("No messages yet.", theme.dim())), area);
        return;
    }
    let cols = area.width as usize;
    let last = entries.len() - 1;
    let lay_out = |i: usize| -> Vec<Line<'static>> {
        let lines = entry_lines(&entries[i], cols, theme);
        if list_focus && i == pane.selected.unwrap_or(last).min(last) {
            lines.into_iter().map(|l| l.style(theme.selected())).collect()
        } else {
            lines
        }
    };
    let lines: Vec<Line> = match pane.selected.map(|s| s.min(last)) {
        // Following: the newest entry at the bottom; walk back until full.
        None => {
            let height = area.height as usize;
            let mut blocks: Vec<Vec<Line>> = Vec::new();
            let mut used = 0;
            for i in (0..=last).rev() {
                let block = lay_out(i);
                used += block.len();
                blocks.push(block);
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
                        theme.dim(),
                    )),
                );
            }
            let skip = lines.len().saturating_sub(height);
            lines.into_iter().skip(skip).collect()
        }
        // Scrolled: the selection, the entries after it below, and a marker
        // row saying how many more are below the viewport.
        Some(sel) => {
            let height = (area.height as usize).saturating_sub(1).max(1);
            let mut below: Vec<Line> = Vec::new();
            let mut next = sel;
            while next <= last && below.len() < height {
                below.extend(lay_out(next));
                next += 1;
            }
            let hidden_below = last + 1 - next;
            below.truncate(height);
            // Room left: earlier entries above the selection.
            let mut above: Vec<Line> = Vec::new();
            let mut prev = sel;
            while prev > 0 && above.len() + below.len() < height {
                prev -= 1;
                let mut block = lay_out(prev);
                block.extend(above);
                above = block;
            }
            let skip = (above.len() + below.len()).saturating_sub(height);
            let mut lines: Vec<Line> = above.into_iter().skip(skip).chain(below).collect();
            let marker = if hidden_below > 0 {
                format!("── ↓ {hidden_below} new below · G jumps to the newest ──")
            } else {
                "── scrolled: G follows the newest again ──".to_owned()
            };
            lines.push(Line::from(Span::styled(marker, theme.key())));
            lines
        }
    };
    frame.render_widget(Paragraph::new(lines), area);
}

/// Share of a transfer done, 0.0 while the total is unknown.
fn fraction(done: u64, total: u64) -> f64 {
    if total > 0 { done as f64 / total as f64 } else { 0.0 }
}

fn render_transfer(pane: &ConversationPane, chrome: &Chrome, frame: &mut Frame, area: Rect) {
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
        .find(|l| crate::tui::wrap::width(l) <= width)
        .or(labels.last())
        .cloned()
        .unwrap_or_default();
    let gauge = Gauge::default()
        .gauge_style(chrome.theme.ok())
        .ratio(ratio.clamp(0.0, 1.0))
        .label(label);
    frame.render_widget(gauge, area);
}

/// Rows the composer takes: its wrapped text, 1 to 6 rows, plus its title row.
fn composer_height(pane: &ConversationPane, inner: Rect) -> u16 {
    let cols = inner.width.max(1) as usize;
    let rows: usize = pane.composer.lines().iter().map(|l| wrap(l, cols).len()).sum();
    (rows.clamp(1, 6) + 1) as u16
}

fn render_composer(
    pane: &ConversationPane,
    catalog: &Catalog,
    chrome: &Chrome,
    frame: &mut Frame,
    area: Rect,
    active: bool,
) {
    let theme = chrome.theme;
    let role = pane
        .viewed()
        .map(|c| c.role().to_string())
        .unwrap_or_else(|| pane.role.to_string());
    let mode = if active { "INSERT" } else { "COMMANDS" };
    let mut title = format!(" {mode} · as {role} ");
    if let Some(max) = super::update::max_text(pane, catalog) {
        let used = pane.composer_text().chars().count() as i64;
        let left = max as i64 - used;
        title.push_str(&if left >= 0 {
            format!("· {left} left ")
        } else {
            format!("· {} too long ", -left)
        });
    }
    let hint = if active {
        // The composer's keys as bound, as many as fit beside the title.
        let room = (area.width as usize).saturating_sub(width(&title) + 3);
        let mut hint = String::new();
        for action in [
            Action::Send,
            Action::Newline,
            Action::LeaveComposer,
            Action::EditExternal,
            Action::Attach,
        ] {
            let Some(key) = chrome.keymap.key_for(Context::Composer, action) else {
                continue;
            };
            let Some(c) = super::COMPOSER_COMMANDS.find(action) else {
                continue;
            };
            let part = format!("{key} {}", c.label);
            let next = if hint.is_empty() {
                format!(" {part} ")
            } else {
                format!("{hint}· {part} ")
            };
            if width(&next) > room {
                break;
            }
            hint = next;
        }
        hint
    } else {
        format!(" {}: type ", key_or(chrome, Action::Compose, "i"))
    };
    let title_style = if active { theme.ok() } else { theme.title() };
    let block = Block::default()
        .borders(Borders::TOP)
        .title(Span::styled(title, title_style))
        .title(Span::styled(hint, theme.dim()))
        .border_style(theme.border(active));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // Soft-wrapped by the text area itself (display width, words, then
    // graphemes); the cursor shows only while keys are text.
    if active {
        frame.render_widget(&pane.composer, inner);
    } else {
        let mut shown = pane.composer.clone();
        shown.set_cursor_style(ratatui::style::Style::default());
        frame.render_widget(&shown, inner);
    }
}

/// The message list's key for `action` as bound (`default` if unbound).
fn key_or(chrome: &Chrome, action: Action, default: &str) -> String {
    chrome.keymap.hint(Context::Conversation, action, default)
}
