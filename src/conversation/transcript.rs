//! A finished conversation's transcript (`GET /conversations/{id}`) as
//! Markdown for people and pretty JSON for tools, saved without ever
//! replacing an existing file.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use super::rich::{Rich, is_rich_type};
use super::state::EventKind;
use crate::api::models::conversation::{Conversation, Message, SenderType};
use crate::reqlog::clipboard::save_text;
use crate::reqlog::format::size;

/// File format of a saved transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Json,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Json => "json",
        }
    }
}

/// The transcript as Markdown: a header (id, account, channel, customer),
/// then one list item per message: time, sender, type, text. Attachments
/// are listed under their message, rich content is rendered readably,
/// system events are in italics. Typing notifications are left out.
pub fn to_markdown(conversation: &Conversation) -> String {
    let mut out = String::new();
    let id = if conversation.id.is_empty() {
        "(no id)"
    } else {
        &conversation.id
    };
    let _ = writeln!(out, "# Conversation {id}\n");
    if let Some(account) = &conversation.account {
        let _ = writeln!(out, "- Account: {}", account.address);
        let _ = writeln!(out, "- Channel: {}", account.channel.channel_type);
    }
    if let Some(entry) = &conversation.entry_point {
        let _ = writeln!(out, "- Entry point: {}", entry.id);
    }
    if let Some(customer) = &conversation.customer {
        let mut who = customer.name.clone().unwrap_or_else(|| "(unnamed)".into());
        if let Some(kind) = &customer.customer_type {
            let _ = write!(who, " ({kind})");
        }
        let _ = writeln!(out, "- Customer: {who}");
        let contacts = customer
            .contacts
            .as_ref()
            .map(|c| c.contact.as_slice())
            .unwrap_or_default();
        for contact in contacts {
            let kind = match &contact.sub_type {
                Some(sub) => format!("{}.{sub}", contact.contact_type),
                None => contact.contact_type.clone(),
            };
            let _ = writeln!(out, "  - {kind}: {}", contact.address);
        }
    }
    if let Some(contact) = &conversation.conversation_contact {
        let _ = writeln!(out, "- Contact used: {contact}");
    }
    let messages = &conversation.messages.message;
    let shown: Vec<&Message> = messages.iter().filter(|m| !m.kind().starts_with("typing.")).collect();
    let _ = writeln!(out, "\n## Messages ({})\n", shown.len());
    for message in shown {
        message_lines(&mut out, message);
    }
    out
}

fn message_lines(out: &mut String, message: &Message) {
    let time = message.created.as_deref().or(message.sent.as_deref()).map(short_time);
    let time = time.as_deref().unwrap_or("--");
    let sender = sender_label(message);
    let kind = message.kind();
    let text = message.text().unwrap_or_default();
    let system = EventKind::from_type(kind).is_some() || matches!(&message.sender.party_type, SenderType::Other(_));
    if system {
        let mut line = format!("{kind} by {sender}");
        if !text.is_empty() {
            let _ = write!(line, ": {}", text.replace('\n', " "));
        }
        let _ = writeln!(out, "- {time} _{}_", escape_italic(&line));
    } else if is_rich_type(kind) {
        let _ = writeln!(out, "- {time} **{sender}** {kind}:");
        for line in Rich::parse(kind, text).to_lines() {
            let _ = writeln!(out, "  {line}");
        }
    } else {
        let mut lines = text.lines();
        let first = lines.next().unwrap_or_default();
        let _ = writeln!(out, "- {time} **{sender}** {kind}: {first}");
        for line in lines {
            let _ = writeln!(out, "  {line}");
        }
    }
    for a in message.attachments() {
        let name = a.name.as_deref().unwrap_or(&a.id);
        let mut about = Vec::new();
        if let Some(ct) = &a.content_type {
            about.push(ct.clone());
        }
        if let Some(bytes) = a.size {
            about.push(size(bytes).to_string());
        }
        if about.is_empty() {
            let _ = writeln!(out, "  - attachment: {name}");
        } else {
            let _ = writeln!(out, "  - attachment: {name} ({})", about.join(", "));
        }
    }
}

/// `Name (type)`, or just the type when no participant is named.
fn sender_label(message: &Message) -> String {
    let kind = message.sender.party_type.as_str();
    match message.sender.participant.as_ref().and_then(|p| p.name.as_deref()) {
        Some(name) if !name.is_empty() => format!("{name} ({kind})"),
        _ => kind.to_owned(),
    }
}

/// `2021-03-30T22:58:09.533Z` → `2021-03-30 22:58:09`; anything else as is.
fn short_time(iso: &str) -> String {
    let Some((date, time)) = iso.split_once('T') else {
        return iso.to_owned();
    };
    let time = time.trim_end_matches('Z');
    let time = time.split_once('.').map_or(time, |(whole, _)| whole);
    format!("{date} {time}")
}

/// Underscores inside an italic span would end it early.
fn escape_italic(s: &str) -> String {
    s.replace('_', "\\_")
}

/// The transcript as pretty JSON, exactly as the hub answered it.
pub fn to_json(conversation: &Conversation) -> String {
    // A model of strings and maps always serializes.
    serde_json::to_string_pretty(conversation).unwrap_or_default()
}

/// Save the transcript in `dir` as `conversation-<id>.<ext>`, or a numbered
/// name when that is taken: nothing is ever overwritten. Returns the path.
pub fn save(dir: &Path, conversation: &Conversation, format: Format) -> io::Result<PathBuf> {
    let text = match format {
        Format::Markdown => to_markdown(conversation),
        Format::Json => to_json(conversation),
    };
    // A signed URL someone pasted into a message is still a secret in a file.
    let text = crate::api::redact::text(&text);
    save_text(dir, &file_name(&conversation.id, format), &text)
}

/// A plain file name for the transcript, whatever the id holds.
pub fn file_name(id: &str, format: Format) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    let safe = if safe.is_empty() { "unknown".into() } else { safe };
    format!("conversation-{safe}.{}", format.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_shorten_and_odd_ones_pass() {
        assert_eq!(short_time("2021-03-30T22:58:09.533Z"), "2021-03-30 22:58:09");
        assert_eq!(short_time("yesterday"), "yesterday");
    }

    #[test]
    fn file_names_are_plain() {
        assert_eq!(file_name("a/b..c", Format::Json), "conversation-a_b__c.json");
        assert_eq!(file_name("", Format::Markdown), "conversation-unknown.md");
    }
}
