//! A scenario file from a conversation held: our sends become `send`
//! steps, the other side's messages and events `expect` steps with their
//! exact text and a `within` of the observed delay plus a margin, and the
//! files we attached are copied beside it (downloaded from the hub), so
//! replaying the file repeats the conversation.
//!
//! Typing is not recorded (replays skip it unless expected). The console
//! calls [`record`] on the conversation on screen and [`save`] with the
//! client; nothing here touches the UI.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::model::{format_duration, quote};
use crate::api::Client;
use crate::api::models::conversation::SenderType;
use crate::conversation::state::{Conversation, Entry, EntryKind, EventKind, Status};
use crate::io_error::{self, Access};

/// The least `within` a recorded expectation gets.
pub const MIN_WITHIN: Duration = Duration::from_secs(5);

/// A scenario file to write, and the files to copy beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    pub yaml: String,
    pub attachments: Vec<RecordedFile>,
}

/// One of our attachments: the asset to download and where it goes,
/// relative to the scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedFile {
    pub asset_id: String,
    pub relative: String,
}

/// What the recording is called and where its files go.
#[derive(Debug, Clone)]
pub struct RecordOptions {
    pub name: String,
    /// The account's name, when known (the console's target).
    pub account: Option<String>,
    /// Folder for attachments, relative to the scenario file (e.g. `hello-files`).
    pub files_dir: String,
}

impl RecordOptions {
    /// Options for a file at `path`: attachments in `<stem>-files/`.
    pub fn for_path(name: impl Into<String>, path: &Path) -> Self {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("scenario");
        Self {
            name: name.into(),
            account: None,
            files_dir: format!("{stem}-files"),
        }
    }
}

/// `within` for a reply observed `delay` after the entry before it: twice
/// the delay plus a second, whole seconds, at least [`MIN_WITHIN`].
pub fn within_for(delay: Duration) -> Duration {
    let padded = delay * 2 + Duration::from_secs(1);
    let secs = padded.as_secs() + u64::from(padded.subsec_nanos() > 0);
    Duration::from_secs(secs).max(MIN_WITHIN)
}

fn timestamp(entry: &Entry) -> Option<jiff::Timestamp> {
    entry.time.as_deref().and_then(|t| t.parse().ok())
}

fn from_of(entry: &Entry) -> String {
    match &entry.sender {
        s if s.is_bot() => "bot".into(),
        s if s.is_agent() => "agent".into(),
        SenderType::Customer => "customer".into(),
        _ => entry.sender_name.as_deref().map(quote).unwrap_or_else(|| "any".into()),
    }
}

/// A glob that matches exactly this file name.
fn literal_glob(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '*' | '?' | '[' | ']' | '{' | '}' | '!' => format!("[{c}]"),
            c => c.to_string(),
        })
        .collect()
}

/// A file name safe to write beside the scenario.
fn safe_name(name: &str, fallback: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    match cleaned.trim_matches('.') {
        "" => fallback.to_owned(),
        _ => cleaned,
    }
}

/// The scenario a conversation's entries replay as.
pub fn record(conversation: &Conversation, options: &RecordOptions) -> Recording {
    let mut out = String::new();
    out.push_str("# Recorded by egain-console");
    if let Some(id) = conversation.id() {
        out.push_str(&format!(" from conversation {id}"));
    }
    out.push_str(&format!(
        " on {}.\n",
        jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M UTC")
    ));
    if conversation.dropped() > 0 {
        out.push_str(&format!(
            "# The conversation's first {} entries were no longer kept and are not here.\n",
            conversation.dropped()
        ));
    }
    out.push_str(&format!("name: {}\n", quote(&options.name)));
    if let Some(account) = &options.account {
        out.push_str(&format!("account: {}\n", quote(account)));
    }
    if *conversation.role() != SenderType::Customer {
        out.push_str(&format!("as: {}\n", conversation.role()));
    }
    out.push_str("steps:\n");
    let mut attachments: Vec<RecordedFile> = Vec::new();
    let mut previous: Option<jiff::Timestamp> = None;
    for entry in conversation.entries() {
        let at = timestamp(entry);
        if entry.mine {
            if let Status::Failed(why) = &entry.status {
                out.push_str(&format!(
                    "  # not sent then ({}): {}\n",
                    why.replace('\n', " "),
                    entry.message_type
                ));
                continue;
            }
            match entry.kind {
                EntryKind::Event(EventKind::ConversationEnd) => out.push_str("  - end: true\n"),
                EntryKind::Message if !entry.attachments.is_empty() => {
                    for (i, asset) in entry.attachments.iter().enumerate() {
                        let name = safe_name(asset.name.as_deref().unwrap_or(&asset.id), &asset.id);
                        let mut relative = format!("{}/{name}", options.files_dir);
                        if attachments.iter().any(|a| a.relative == relative) {
                            relative = format!("{}/{}-{name}", options.files_dir, attachments.len() + 1);
                        }
                        let text = entry.text.as_deref().filter(|_| i == 0);
                        match text {
                            Some(t) => out.push_str(&format!(
                                "  - send: {{ attach: {}, text: {} }}\n",
                                quote(&relative),
                                quote(t)
                            )),
                            None => out.push_str(&format!("  - send: {{ attach: {} }}\n", quote(&relative))),
                        }
                        attachments.push(RecordedFile {
                            asset_id: asset.id.clone(),
                            relative,
                        });
                    }
                }
                _ => match &entry.text {
                    Some(text) if entry.message_type == "text" => out.push_str(&format!("  - send: {}\n", quote(text))),
                    _ => out.push_str(&format!(
                        "  # not recorded: a sent {} (write it as a raw send)\n",
                        entry.message_type
                    )),
                },
            }
        } else {
            let delay = match (previous, at) {
                (Some(p), Some(a)) => Duration::try_from(a.duration_since(p)).unwrap_or_default(),
                _ => Duration::ZERO,
            };
            let mut parts = vec![format!("from: {}", from_of(entry))];
            let is_text = entry.message_type == "text" && entry.rich.is_none();
            match (&entry.text, is_text) {
                (Some(text), true) => parts.push(format!("text: {}", quote(text))),
                _ if entry.kind == EntryKind::Message && is_text => {}
                _ => parts.push(format!("event: {}", entry.message_type)),
            }
            if let Some(asset) = entry.attachments.first() {
                let name = asset.name.as_deref().unwrap_or(&asset.id);
                parts.push(format!("attachment: {}", quote(&literal_glob(name))));
            }
            parts.push(format!("within: {}", format_duration(within_for(delay))));
            out.push_str(&format!("  - expect: {{ {} }}\n", parts.join(", ")));
        }
        if at.is_some() {
            previous = at;
        }
    }
    Recording { yaml: out, attachments }
}

/// A path in `dir` for a new recording, `recorded-YYYYMMDD-HHMMSS.yaml`
/// (with `-2`, `-3`... when taken), so a record key never overwrites one.
pub fn new_path(dir: &Path) -> PathBuf {
    let stamp = jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S").to_string();
    let mut path = dir.join(format!("recorded-{stamp}.yaml"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("recorded-{stamp}-{n}.yaml"));
        n += 1;
    }
    path
}

/// Write the scenario to `path` (never over an existing file) and download
/// the attachments beside it.
pub async fn save(client: &Client, recording: &Recording, path: &Path) -> Result<PathBuf, String> {
    let dir = path.parent().unwrap_or(Path::new("."));
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| io_error::message(dir, Access::Write, "the scenarios folder", &e))?;
    if tokio::fs::try_exists(path).await.unwrap_or(false) {
        return Err(format!("{} exists already: pick another name", path.display()));
    }
    for file in &recording.attachments {
        let target = dir.join(&file.relative);
        let folder = target.parent().unwrap_or(dir);
        let downloaded = client
            .download_asset(&file.asset_id, folder, Arc::new(|_| {}), CancellationToken::new())
            .await
            .map_err(|e| format!("attachment {}: {e}", file.relative))?;
        if downloaded != target {
            tokio::fs::rename(&downloaded, &target)
                .await
                .map_err(|e| io_error::message(&target, Access::Write, "the attachment", &e))?;
        }
    }
    tokio::fs::write(path, &recording.yaml)
        .await
        .map_err(|e| io_error::message(path, Access::Write, "the scenario", &e))?;
    Ok(path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_pads_the_observed_delay() {
        assert_eq!(within_for(Duration::from_millis(300)), MIN_WITHIN);
        assert_eq!(within_for(Duration::from_millis(2600)), Duration::from_secs(7));
        assert_eq!(within_for(Duration::from_secs(4)), Duration::from_secs(9));
    }

    #[test]
    fn failed_sends_are_noted_and_delays_set_within() {
        use crate::api::models::conversation::{ConversationRef, Message, MessageEnvelope, Party, SendMessageResponse};
        use crate::conversation::state::Conversations;
        use crate::conversation::templates::{MessageContext, OutgoingKind};

        let mut conversations = Conversations::new();
        let mut ctx = MessageContext::new(SenderType::Customer);
        ctx.account_address = "demo@sandbox.local".into();
        ctx.channel_type = "custom.demo".into();
        ctx.text = Some("hello".into());
        let handle = conversations.record_outgoing(1, OutgoingKind::Text, &ctx).unwrap();
        let response: SendMessageResponse = serde_json::from_value(
            serde_json::json!({"messages": {"message": [{"id": "m1", "conversation": {"id": "c1"}}]}}),
        )
        .unwrap();
        conversations.mark_sent(1, &response);
        let sent_at: jiff::Timestamp = conversations.get(handle).unwrap().entries()[0]
            .time
            .as_deref()
            .unwrap()
            .parse()
            .unwrap();
        let reply = |kind: &str, text: Option<&str>, after_ms: i64, id: &str| {
            let mut m = Message::new(
                kind,
                Party::named(SenderType::CustomBot, "Bot"),
                text.map(str::to_owned),
            );
            m.id = Some(id.into());
            m.created = Some((sent_at + jiff::SignedDuration::from_millis(after_ms)).to_string());
            m.conversation = Some(ConversationRef {
                id: Some("c1".into()),
                ..Default::default()
            });
            MessageEnvelope::single(m)
        };
        conversations.ingest_envelope(&SenderType::Customer, &reply("typing.start", None, 10, "t1"));
        conversations.ingest_envelope(
            &SenderType::Customer,
            &reply("text", Some("You said: hello"), 4000, "m2"),
        );
        ctx.conversation_id = Some("c1".into());
        ctx.text = Some("lost".into());
        conversations.record_outgoing(2, OutgoingKind::Text, &ctx);
        conversations.mark_failed(2, "500 from the hub");

        let recording = record(
            conversations.get(handle).unwrap(),
            &RecordOptions::for_path("r", Path::new("x/r.yaml")),
        );
        let steps: Vec<&str> = recording.yaml.lines().skip_while(|l| *l != "steps:").skip(1).collect();
        assert_eq!(
            steps,
            [
                "  - send: \"hello\"",
                "  - expect: { from: bot, text: \"You said: hello\", within: 9s }",
                "  # not sent then (500 from the hub): text",
            ]
        );
        assert!(recording.attachments.is_empty());
    }

    #[test]
    fn new_paths_never_collide() {
        let dir = tempfile::tempdir().unwrap();
        let first = new_path(dir.path());
        std::fs::write(&first, "x").unwrap();
        let second = new_path(dir.path());
        assert_ne!(first, second);
        assert!(second.to_string_lossy().ends_with(".yaml"));
    }

    #[test]
    fn names_stay_literal() {
        assert_eq!(literal_glob("a*b?.txt"), "a[*]b[?].txt");
        assert_eq!(safe_name("../x/y.png", "id"), ".._x_y.png");
        assert_eq!(safe_name("..", "id"), "id");
    }
}
