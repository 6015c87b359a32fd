//! Built-in bot and agent, reachable as callbacks at `/sandbox/bot` and
//! `/sandbox/agent`. They follow the callback contract (answer at once,
//! work afterwards) and reply through the hub's own send path, so a
//! conversation can be tried end to end with nothing but the sandbox.

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::mpsc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;

use super::routing::submit;
use crate::api::models::common::Extra;
use crate::api::models::conversation::{
    AssetRef, Attachments, ConversationRef, Message, MessageEnvelope, Party, SenderType,
};
use crate::sandbox::SharedState;
use crate::sandbox::clock::now_iso;

/// Name the built-in agent joins with.
pub const AGENT_NAME: &str = "Alex (sandbox agent)";
/// Name the built-in bot uses when the delivery does not name it.
pub const BOT_NAME: &str = "Sandbox bot";

/// The list picker the bot offers on "menu", in the mobile SDK's format.
pub const MENU_LIST_PICKER: &str = r#"{"type":"list","version":"1","title":"How can we help?","subtitle":"Pick a topic","list":{"multipleSelection":false,"sections":[{"title":"Topics","order":1,"items":[{"id":"orders","title":"My orders","subtitle":"Track or change an order","actions":[{"type":"postback"}]},{"id":"billing","title":"Billing","subtitle":"Invoices and payments","actions":[{"type":"postback"}]},{"id":"agent","title":"Talk to an agent","subtitle":"Hand over to a person","actions":[{"type":"postback"}]}]}]}}"#;

/// The file the bot sends back on "file": a short plain-text receipt.
pub const RECEIPT_NAME: &str = "sandbox-receipt.txt";
pub const RECEIPT_CONTENT_TYPE: &str = "text/plain";
/// Text of the message carrying the receipt.
pub const RECEIPT_TEXT: &str = "Here is your file.";

/// `POST /sandbox/bot`.
pub(super) async fn bot(State(state): State<SharedState>, body: Bytes) -> StatusCode {
    accept(state, body, Who::Bot)
}

/// `POST /sandbox/agent`.
pub(super) async fn agent(State(state): State<SharedState>, body: Bytes) -> StatusCode {
    accept(state, body, Who::Agent)
}

/// Which built-in counterparty a delivery is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Who {
    Bot,
    Agent,
}

/// A worker with nothing to do for this long ends (a new one starts on demand).
const TURN_IDLE: Duration = Duration::from_secs(30);

/// Per (counterparty, conversation) queue of turns: one worker takes them in
/// the order they were delivered, so replies come back in the order spoken.
#[derive(Default)]
pub(super) struct Turns {
    queues: std::sync::Mutex<HashMap<(Who, String), mpsc::UnboundedSender<Message>>>,
}

impl Turns {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(Who, String), mpsc::UnboundedSender<Message>>> {
        self.queues.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Answer 200 at once; queue the delivered messages for their conversation's worker.
fn accept(state: SharedState, body: Bytes, who: Who) -> StatusCode {
    let Ok(envelope) = serde_json::from_slice::<MessageEnvelope>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    for message in envelope.messages.message {
        let Some(conversation) = message.conversation_id().map(str::to_owned) else {
            continue;
        };
        let key = (who, conversation);
        let mut queues = state.hub.turns.lock();
        let message = match queues.get(&key) {
            Some(tx) => match tx.send(message) {
                Ok(()) => continue,
                Err(mpsc::error::SendError(message)) => message,
            },
            None => message,
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let _ = tx.send(message);
        queues.insert(key.clone(), tx);
        tokio::spawn(take_turns(state.clone(), key, rx));
    }
    StatusCode::OK
}

/// Handle one conversation's turns in order; end when idle (under the queue
/// lock, so no message is sent to a worker that is leaving).
async fn take_turns(state: SharedState, key: (Who, String), mut rx: mpsc::UnboundedReceiver<Message>) {
    loop {
        let next = tokio::select! {
            _ = state.shutdown.cancelled() => return,
            next = tokio::time::timeout(TURN_IDLE, rx.recv()) => next,
        };
        let message = match next {
            Ok(Some(message)) => message,
            Ok(None) => return,
            Err(_) => {
                let mut queues = state.hub.turns.lock();
                match rx.try_recv() {
                    Ok(message) => {
                        drop(queues);
                        message
                    }
                    Err(_) => {
                        queues.remove(&key);
                        return;
                    }
                }
            }
        };
        match key.0 {
            Who::Bot => bot_turn(state.clone(), message).await,
            Who::Agent => agent_turn(state.clone(), message).await,
        }
    }
}

/// Typing, a pause, then: escalate on the word "agent", a list picker on
/// "menu", a receipt file on "file" (see [`keyword`]), otherwise an echo.
async fn bot_turn(state: SharedState, message: Message) {
    if message.sender.party_type != SenderType::Customer || message.kind() != "text" {
        return;
    }
    let Some(conversation) = message.conversation_id().map(str::to_owned) else {
        return;
    };
    let me = addressee(&message, SenderType::is_bot, SenderType::CustomBot, BOT_NAME);
    let text = message.text().unwrap_or_default().to_owned();
    let say = |kind: &str, text: Option<String>| reply(&state, &conversation, Message::new(kind, me.clone(), text));
    if !say("typing.start", None) || !pause(&state, state.hub.options.bot_delay).await || !say("typing.end", None) {
        return;
    }
    match keyword(&text) {
        Some(Keyword::Agent) => {
            if say("text", Some("Connecting you to an agent…".into())) {
                say("escalation.transfer", None);
            }
        }
        Some(Keyword::Menu) => {
            say("richMessage.listpicker", Some(MENU_LIST_PICKER.into()));
        }
        Some(Keyword::File) => {
            reply(&state, &conversation, receipt(&state, &conversation, &me, &text));
        }
        None => {
            let answer = acknowledge_files(&message).unwrap_or_else(|| format!("You said: {text}"));
            say("text", Some(answer));
        }
    }
}

/// What the bot does something special for.
/// Declared in priority order (the derived order decides between two).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Keyword {
    Agent,
    Menu,
    File,
}

/// The keyword a customer text asks for: whole words only (letters, digits
/// and `_` of any script make a word, as regex's `\w`), in any case
/// ("profile" is not "file", "Agent!" is "agent"); "agent" wins over "menu",
/// which wins over "file".
fn keyword(text: &str) -> Option<Keyword> {
    let mut found = None;
    for word in text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
    {
        let hit = match word.to_lowercase().as_str() {
            "agent" => Keyword::Agent,
            "menu" => Keyword::Menu,
            "file" => Keyword::File,
            _ => continue,
        };
        found = Some(found.map_or(hit, |f: Keyword| f.min(hit)));
    }
    found
}

/// Join on escalation (or on a customer's first message when there is no
/// bot), greet after a pause, then answer customer texts by quoting them.
async fn agent_turn(state: SharedState, message: Message) {
    let Some(conversation) = message.conversation_id().map(str::to_owned) else {
        return;
    };
    let me = addressee(&message, SenderType::is_agent, SenderType::EgainAgent, AGENT_NAME);
    let me = Party::named(me.party_type, AGENT_NAME);
    let from_customer_text = message.sender.party_type == SenderType::Customer && message.kind() == "text";
    let first_contact = state.agent_join(&conversation);
    let say = |kind: &str, text: Option<String>| reply(&state, &conversation, Message::new(kind, me.clone(), text));
    if first_contact && (message.kind() == "escalation.transfer" || from_customer_text) {
        if !say("agent.join", None) || !pause(&state, state.hub.options.agent_delay).await {
            return;
        }
        say(
            "text",
            Some("Hi, I'm Alex. I've got your conversation here; how can I help?".into()),
        );
    }
    if !from_customer_text {
        return;
    }
    // A file from the customer is acknowledged by name, as the bot does.
    if let Some(ack) = acknowledge_files(&message) {
        say("text", Some(ack));
    } else {
        let text = message.text().unwrap_or_default();
        say(
            "text",
            Some(format!(
                "You wrote: \u{201c}{text}\u{201d}. Let me look into that for you."
            )),
        );
    }
}

/// "Thanks, I received a.png (123 bytes)." for a message carrying attachments.
fn acknowledge_files(message: &Message) -> Option<String> {
    let names: Vec<String> = message
        .attachments()
        .iter()
        .map(|a| match (&a.name, a.size) {
            (Some(name), Some(size)) => format!("{name} ({size} bytes)"),
            (Some(name), None) => name.clone(),
            _ => a.id.clone(),
        })
        .collect();
    (!names.is_empty()).then(|| format!("Thanks, I received {}.", names.join(", ")))
}

/// The party the delivery was addressed to (so the reply's sender type
/// matches the role that received it), with a default name.
fn addressee(message: &Message, is_mine: fn(&SenderType) -> bool, fallback: SenderType, name: &str) -> Party {
    let found = message
        .recipients
        .as_ref()
        .and_then(|r| r.recipient.iter().find(|p| is_mine(&p.party_type)));
    match found {
        Some(p) if p.participant.as_ref().is_some_and(|n| n.name.is_some()) => p.clone(),
        Some(p) => Party::named(p.party_type.clone(), name),
        None => Party::named(fallback, name),
    }
}

/// A text message carrying a freshly stored receipt naming the
/// conversation, so a console can show and download an inbound attachment.
fn receipt(state: &SharedState, conversation: &str, me: &Party, asked: &str) -> Message {
    let body = format!(
        "Sandbox receipt\n\
         Conversation: {conversation}\n\
         Requested with: {asked}\n\
         Issued: {}\n\
         Sent by the sandbox's built-in bot; download it to try inbound attachments.\n",
        now_iso()
    );
    let content = Bytes::from(body);
    let size = content.len() as u64;
    let id = match state.assets.create_stored(RECEIPT_NAME, RECEIPT_CONTENT_TYPE, content) {
        Ok(id) => id,
        Err(e) => {
            return Message::new(
                "text",
                me.clone(),
                Some(format!("Sorry, the receipt could not be stored: {e}")),
            );
        }
    };
    let mut message = Message::new("text", me.clone(), Some(RECEIPT_TEXT.into()));
    if let Some(content) = message.content.as_mut() {
        content.attachments = Some(Attachments {
            attachment: vec![AssetRef {
                id,
                name: Some(RECEIPT_NAME.into()),
                content_type: Some(RECEIPT_CONTENT_TYPE.into()),
                size: Some(size),
                extra: Extra::new(),
            }],
            extra: Extra::new(),
        });
    }
    message
}

/// Send one message into the conversation through the hub's send path.
/// False when refused (e.g. the conversation ended meanwhile): the turn stops.
fn reply(state: &SharedState, conversation: &str, mut message: Message) -> bool {
    message.conversation = Some(ConversationRef {
        id: Some(conversation.to_owned()),
        ..Default::default()
    });
    match serde_json::to_value(MessageEnvelope::single(message)) {
        Ok(body) => submit(state, body).is_ok(),
        Err(_) => false,
    }
}

/// Wait like a person would; false when the sandbox is stopping.
async fn pause(state: &SharedState, delay: Duration) -> bool {
    tokio::select! {
        _ = state.shutdown.cancelled() => false,
        _ = tokio::time::sleep(delay) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::{Keyword, keyword};

    #[test]
    fn keywords_are_whole_words_in_any_case() {
        for (text, want) in [
            ("agent", Some(Keyword::Agent)),
            ("I want an AGENT, please!", Some(Keyword::Agent)),
            ("show me the Menu.", Some(Keyword::Menu)),
            ("can you send a file?", Some(Keyword::File)),
            ("file:menu", Some(Keyword::Menu)),
            ("menu or agent", Some(Keyword::Agent)),
            ("ファイル file", Some(Keyword::File)),
        ] {
            assert_eq!(keyword(text), want, "{text:?}");
        }
    }

    #[test]
    fn words_containing_a_keyword_are_not_it() {
        for text in [
            "update my profile",
            "the reagents arrived",
            "it was filed yesterday",
            "menus and agents",
            "agentur",
            "fileé",
            "äfile",
            "my_file_name",
            "",
        ] {
            assert_eq!(keyword(text), None, "{text:?}");
        }
    }
}
