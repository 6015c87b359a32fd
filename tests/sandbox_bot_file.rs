//! The built-in bot answers "file" with a stored receipt attached to a text
//! message; the customer's callback gets the reference and the asset
//! downloads byte for byte through the client.

mod common;

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use egain_console::api::models::EntityKind;
use egain_console::sandbox::hub::{HubOptions, RECEIPT_CONTENT_TYPE, RECEIPT_NAME, RECEIPT_TEXT};
use egain_console::sandbox::seed::{DEMO_ADDRESS, DEMO_CHANNEL_TYPE, DEMO_ENTRY_POINT};
use egain_console::sandbox::{SandboxConfig, Seed};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// A stand-in for the console's receiver: every callback body, by role, lands in a channel.
async fn receiver() -> (String, mpsc::UnboundedReceiver<(String, Value)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app =
        Router::new()
            .route(
                "/cb/{role}",
                post(
                    |State(tx): State<mpsc::UnboundedSender<(String, Value)>>,
                     Path(role): Path<String>,
                     body: Bytes| async move {
                        let _ = tx.send((role, serde_json::from_slice(&body).unwrap_or(Value::Null)));
                        StatusCode::OK
                    },
                ),
            )
            .with_state(tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/cb", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, rx)
}

fn opening(text: &str) -> Value {
    json!({"messages": {"message": [{
        "type": {"value": "text"},
        "content": {"text": text},
        "sender": {"type": "customer"},
        "conversation": {
            "account": {"address": DEMO_ADDRESS, "channel": {"type": DEMO_CHANNEL_TYPE}},
            "customer": {"contacts": {"contact": [{"type": "phone", "subType": "mobile", "address": "+15550199"}]}},
            "entryPoint": {"id": DEMO_ENTRY_POINT}
        }
    }]}})
}

#[tokio::test]
async fn file_please_brings_a_receipt_that_downloads_byte_for_byte() {
    let (callbacks, mut deliveries) = receiver().await;
    let sandbox = common::sandbox_with(SandboxConfig {
        seed: Seed::Demo,
        hub: HubOptions {
            bot_delay: Duration::from_millis(5),
            demo_callback_base: Some(callbacks),
            ..HubOptions::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let (client, _) = common::client(&sandbox);
    // The demo customer role calls our receiver; the bot is the built-in one.
    let apps = client
        .list_raw(EntityKind::ClientApplication, Default::default())
        .await
        .unwrap();
    assert!(
        apps.items[0]["roles"][0]["callback"]
            .as_str()
            .unwrap()
            .ends_with("/cb/customer")
    );

    let accepted = client.send_messages_raw(&opening("a file please")).await.unwrap();
    let conversation = accepted
        .conversation_id()
        .expect("the answer names the conversation")
        .to_owned();

    // Typing first, then the message with the file.
    let mut kinds = Vec::new();
    let message = common::within("the bot's file", async {
        loop {
            let (role, body) = deliveries.recv().await.expect("receiver running");
            assert_eq!(role, "customer");
            let message = body["messages"]["message"][0].clone();
            let kind = message["type"]["value"].as_str().unwrap_or_default().to_owned();
            kinds.push(kind.clone());
            if kind == "text" {
                break message;
            }
        }
    })
    .await;
    assert_eq!(kinds, ["typing.start", "typing.end", "text"]);
    assert_eq!(message["conversation"]["id"], conversation.as_str());
    assert_eq!(message["sender"]["type"], "custom_bot");
    assert_eq!(message["content"]["text"], RECEIPT_TEXT);
    let attachment = &message["content"]["attachments"]["attachment"][0];
    assert_eq!(attachment["name"], RECEIPT_NAME);
    assert_eq!(attachment["contentType"], RECEIPT_CONTENT_TYPE);
    let id = attachment["id"].as_str().expect("an asset id");
    let size = attachment["size"].as_u64().expect("a size");

    // GET /assets/{id}, then the signed URL, into a directory of our own.
    let dir = tempfile::tempdir().unwrap();
    let path = client
        .download_asset(id, dir.path(), std::sync::Arc::new(|_| {}), CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(path.file_name().and_then(|n| n.to_str()), Some(RECEIPT_NAME));
    let downloaded = std::fs::read(&path).unwrap();
    let stored = sandbox.state.assets.content(id).expect("the asset is stored");
    assert_eq!(downloaded, stored.as_ref());
    assert_eq!(downloaded.len() as u64, size);
    let text = String::from_utf8(downloaded).unwrap();
    assert!(
        text.contains(&conversation),
        "the receipt names the conversation: {text}"
    );
    assert!(text.contains("a file please"), "{text}");

    // The transcript keeps the reference, and the asset is now frozen against deletion.
    let transcript = client.get_conversation(&conversation).await.unwrap();
    let last = transcript.messages.message.last().expect("messages");
    assert_eq!(last.attachments()[0].id, id);
    let refused = client.delete_asset(id).await.unwrap_err();
    assert_eq!(refused.status(), Some(400), "{refused}");
}
