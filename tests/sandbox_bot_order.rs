//! Property: however fast a customer types, every message is delivered,
//! transcribed and echoed by the demo bot in the order it was sent.

use std::time::Duration;

use egain_console::sandbox::{self, SandboxConfig, Seed, seed};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

const MESSAGES: usize = 200;

/// Text of message `i`: an index tag plus random words mixing ASCII, CJK and emoji.
fn text(rng: &mut StdRng, i: usize) -> String {
    const WORDS: [&str; 8] = ["order", "where", "日本語", "ok", "😀", "née", "status", "help"];
    let n = rng.random_range(1..6);
    let words: Vec<&str> = (0..n).map(|_| WORDS[rng.random_range(0..WORDS.len())]).collect();
    format!("#{i:03} {}", words.join(" "))
}

fn opening(text: &str) -> Value {
    json!({"messages": {"message": [{
        "type": {"value": "text"}, "content": {"text": text}, "sender": {"type": "customer"},
        "conversation": {
            "account": {"address": seed::DEMO_ADDRESS, "channel": {"type": seed::DEMO_CHANNEL_TYPE}},
            "customer": {"contacts": {"contact": [{"type": "email", "address": "fast@example.com"}]}},
            "entryPoint": {"id": seed::DEMO_ENTRY_POINT}
        }
    }]}})
}

fn follow_up(conversation: &str, text: &str) -> Value {
    json!({"messages": {"message": [{
        "type": {"value": "text"}, "content": {"text": text}, "sender": {"type": "customer"},
        "conversation": {"id": conversation}
    }]}})
}

async fn run(seed_value: u64) {
    let mut config = SandboxConfig {
        seed: Seed::Demo,
        ..SandboxConfig::default()
    };
    config.hub.bot_delay = Duration::ZERO;
    config.hub.delivery_log_size = 4 * MESSAGES + 50;
    config.hub.inbox_size = 8 * MESSAGES + 50;
    let sb = sandbox::start(config).await.expect("starts");
    let state = sb.state.clone();
    let mut changes = state.hub.subscribe();
    let mut rng = StdRng::seed_from_u64(seed_value);
    let texts: Vec<String> = (0..MESSAGES).map(|i| text(&mut rng, i)).collect();

    let first = sandbox::hub::submit(&state, opening(&texts[0])).expect("opens");
    let conversation = first.messages.message[0]
        .conversation
        .as_ref()
        .expect("conversation")
        .id
        .clone();
    for text in &texts[1..] {
        sandbox::hub::submit(&state, follow_up(&conversation, text)).expect("accepted");
    }

    let echoes = |transcript: &egain_console::api::models::conversation::Conversation| -> Vec<String> {
        transcript
            .messages
            .message
            .iter()
            .filter(|m| m.sender.party_type.is_bot() && m.kind() == "text")
            .filter_map(|m| m.text().map(str::to_owned))
            .collect()
    };
    let transcript = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let transcript = state.transcript(&conversation).expect("readable").expect("transcript");
            let delivered = transcript
                .messages
                .message
                .iter()
                .filter(|m| m.status.as_deref() == Some("sent"))
                .count();
            if echoes(&transcript).len() == MESSAGES && delivered == transcript.messages.message.len() {
                return transcript;
            }

            changes.changed().await.expect("hub runs");
        }
    })
    .await
    .expect("all echoes arrive and are delivered");

    // Transcribed in order.
    let spoken: Vec<String> = transcript
        .messages
        .message
        .iter()
        .filter(|m| m.sender.party_type == egain_console::api::models::conversation::SenderType::Customer)
        .filter_map(|m| m.text().map(str::to_owned))
        .collect();
    assert_eq!(spoken, texts, "customer messages transcribed in order");
    // Echoed in order.
    let expected: Vec<String> = texts.iter().map(|t| format!("You said: {t}")).collect();
    assert_eq!(echoes(&transcript), expected, "bot replies in the order spoken");
    // Delivered to the bot in order.
    let to_bot: Vec<String> = state
        .hub
        .deliveries()
        .into_iter()
        .filter(|d| d.conversation == conversation && d.role == "custom_bot" && d.message_type == "text")
        .map(|d| d.message_id)
        .collect();
    let ids: Vec<String> = transcript
        .messages
        .message
        .iter()
        .filter(|m| m.sender.party_type == egain_console::api::models::conversation::SenderType::Customer)
        .filter_map(|m| m.id.clone())
        .collect();
    assert_eq!(to_bot, ids, "delivered to the bot in order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_fast_messages_are_delivered_transcribed_and_echoed_in_order() {
    for seed_value in [1, 2] {
        run(seed_value).await;
    }
}
