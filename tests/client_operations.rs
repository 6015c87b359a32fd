//! Every one of the 35 operations through the client against the sandbox,
//! over real loopback HTTP, including get -> PUT preserving unknown fields.

mod common;

use std::sync::Arc;

use common::*;
use egain_console::api::models::*;
use egain_console::api::transfer::Progress;
use egain_console::api::{ApiError, Paging};
use egain_console::sandbox::SandboxConfig;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

fn no_progress() -> Arc<dyn Fn(Progress) + Send + Sync> {
    Arc::new(|_| {})
}

/// Create from raw JSON carrying an unknown field, then typed get -> edit ->
/// PUT, then raw get: the unknown fields (top level and nested) survive.
async fn typed_round_trip<T: Entity + std::fmt::Debug>(
    client: &egain_console::api::Client,
    body: Value,
    edit: impl FnOnce(&mut T),
) -> String {
    let mut body = body;
    body["xConsoleUnknown"] = json!({"kept": true});
    let id = client.create_raw(T::KIND, &body).await.expect("create");
    assert_eq!(id.len(), 36);
    let page = client.list::<T>().await.expect("list");
    assert!(page.items.iter().any(|o| o.id() == Some(id.as_str())), "{:?}", T::KIND);
    assert!(page.pagination.count >= 1);
    let mut object: T = client.get(&id).await.expect("get");
    edit(&mut object);
    client.update(&id, &object).await.expect("update");
    let raw = client.get_raw(T::KIND, &id).await.expect("get raw");
    assert_eq!(
        raw["xConsoleUnknown"],
        json!({"kept": true}),
        "{:?} lost an unknown field",
        T::KIND
    );
    id
}

#[tokio::test]
async fn all_operations_round_trip() {
    let sb = sandbox_with(SandboxConfig::default()).await;
    let (client, _log) = client(&sb);
    let root = sb.urls.root.clone();

    // 1-5: authentication
    let auth_id = typed_round_trip::<Authentication>(
        &client,
        json!({"name": "rt-auth", "type": "basic", "basicAuth": {"username": "u", "password": CANARY, "realm": "nested-unknown"}}),
        |a| a.description = Some("edited".into()),
    )
    .await;
    let auth: Authentication = client.get(&auth_id).await.expect("get auth");
    assert_eq!(auth.description.as_deref(), Some("edited"));
    assert_eq!(
        auth.basic_auth.as_ref().and_then(|b| b.extra.get("realm")),
        Some(&json!("nested-unknown")),
        "nested unknown field kept"
    );

    // 6-10: client application
    let role = |name: &str, path: &str| {
        json!({"name": name, "version": "v3", "callback": format!("{root}{path}"),
               "notificationEmail": "ops@example.com", "authentication": {"id": auth_id}})
    };
    let app_id = typed_round_trip::<ClientApplication>(
        &client,
        json!({"name": "rt-app", "roles": [role("customer", "/sandbox/inbox/customer"), role("custom_bot", "/sandbox/bot"), role("custom_agent", "/sandbox/agent")]}),
        |a| a.description = Some("edited".into()),
    )
    .await;

    // 11-15: participant
    let participant_id = typed_round_trip::<Participant>(
        &client,
        json!({"name": "rt-bot", "type": "custom_bot", "application": {"id": app_id},
               "intents": {"intent": [{"value": "orders", "displayValue": "Orders"}]}}),
        |p| p.active = Some(false),
    )
    .await;

    // 16-20: channel
    let channel_id = typed_round_trip::<Channel>(
        &client,
        json!({"type": "custom.rt", "displayName": "RT", "icon": "iVBORw0KGgo=",
               "restrictions": {"inbound": {"maxTextLength": 500, "features": ["typing_events", "attachments"],
                                            "attachmentPolicy": {"enabled": true, "type": "allow", "extensions": ["txt", "bin"]}}}}),
        |c| c.display_name = "RT edited".into(),
    )
    .await;

    // 21-25: orchestration
    let orchestration_id = typed_round_trip::<Orchestration>(
        &client,
        json!({"name": "rt-orch", "applications": {
            "botConfiguration": {"bots": [{"id": app_id, "participant": {"id": participant_id}, "onEscalation": {"agent": {"id": app_id}}}]},
            "customerConfiguration": {"customer": {"id": app_id}}}}),
        |o| o.description = Some("edited".into()),
    )
    .await;

    // 26-30: account
    let account_id = typed_round_trip::<Account>(
        &client,
        json!({"name": "rt-account", "address": "rt@example.com", "channel": {"id": channel_id},
               "chatConfigurations": {"timeout": 30, "orchestration": {"id": orchestration_id}, "entryPoint": {"id": "1001"}}}),
        |a| a.description = Some("edited".into()),
    )
    .await;
    let account: Account = client.get(&account_id).await.expect("get account");
    assert_eq!(
        account
            .chat_configurations
            .timeout
            .map(|t| t.to_string())
            .unwrap_or_default(),
        "30",
        "numbers keep their form"
    );

    // 31: send message (opens a conversation)
    let mut first = Message::new("text", Party::new(SenderType::Customer), Some("hello".into()));
    first.conversation = Some(ConversationRef {
        account: Some(AccountRef {
            address: "rt@example.com".into(),
            channel: ChannelTypeRef {
                channel_type: "custom.rt".into(),
                ..Default::default()
            },
            ..Default::default()
        }),
        customer: Some(Customer {
            contacts: Some(Contacts {
                contact: vec![ContactPoint {
                    contact_type: "email".into(),
                    address: "jo@example.com".into(),
                    ..Default::default()
                }],
                ..Default::default()
            }),
            ..Default::default()
        }),
        entry_point: Some(IdRef::new("1001")),
        ..Default::default()
    });
    let accepted = client
        .send_messages(&MessageEnvelope::single(first))
        .await
        .expect("send message");
    let conversation_id = accepted.conversation_id().expect("conversation id echoed").to_owned();

    // 32: get conversation
    let transcript = client.get_conversation(&conversation_id).await.expect("transcript");
    assert_eq!(transcript.id, conversation_id);
    assert!(transcript.messages.message.iter().any(|m| m.text() == Some("hello")));

    // 33-35: assets (create + upload, get + download, delete)
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, b"asset bytes\n").expect("write");
    let uploaded = client
        .upload_asset(
            &path,
            "custom.rt",
            SenderType::Customer,
            no_progress(),
            CancellationToken::new(),
        )
        .await
        .expect("upload");
    let ticket = client.get_asset(&uploaded.ticket.id).await.expect("get asset");
    assert_eq!((ticket.name.as_str(), ticket.size), ("notes.txt", 12));
    let saved = client
        .download_asset(
            &ticket.id,
            &dir.path().join("dl"),
            no_progress(),
            CancellationToken::new(),
        )
        .await
        .expect("download");
    assert_eq!(std::fs::read(saved).expect("read"), b"asset bytes\n");
    client.delete_asset(&ticket.id).await.expect("delete asset");
    let gone = client.get_asset(&ticket.id).await.expect_err("deleted");
    // getAsset lists no 404: the sandbox answers 400-146 unless asset-not-found-404 is `error`.
    assert_eq!((gone.status(), gone.code()), (Some(400), Some("400-146")));

    // Deletes, in reverse setup order (each one was referenced by the next).
    for (kind, id) in [
        (EntityKind::Account, &account_id),
        (EntityKind::Orchestration, &orchestration_id),
        (EntityKind::Channel, &channel_id),
        (EntityKind::Participant, &participant_id),
        (EntityKind::ClientApplication, &app_id),
        (EntityKind::Authentication, &auth_id),
    ] {
        client.delete(kind, id).await.expect("delete");
        let err = client.get_raw(kind, id).await.expect_err("gone");
        assert_eq!((err.status(), err.code()), (Some(404), Some("404-101")), "{kind}");
    }
    let page = client
        .list_raw(EntityKind::Authentication, Paging::default())
        .await
        .expect("list");
    assert!(page.items.is_empty());
}

#[tokio::test]
async fn api_errors_keep_status_and_code() {
    let sb = sandbox_with(SandboxConfig::default()).await;
    let (client, _log) = client(&sb);
    let err = client
        .create_raw(EntityKind::Participant, &json!({"type": "custom_bot"}))
        .await
        .expect_err("invalid");
    match &err {
        ApiError::Api {
            status,
            body: Some(body),
            ..
        } => {
            assert_eq!((*status, body.code.as_str()), (400, "400-143"));
            assert!(body.developer_message.contains("name"), "{}", body.developer_message);
        }
        other => panic!("expected an API error, got {other:?}"),
    }
    // Bad ids are refused before any request.
    let local = client.get_raw(EntityKind::Channel, "short").await.expect_err("bad id");
    assert!(matches!(local, ApiError::Invalid(_)), "{local:?}");
}

#[tokio::test]
async fn transport_failures_and_timeouts_are_distinct() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let sb = sandbox_with(SandboxConfig::default()).await;
    let mut config = client_config(&sb);
    config.base_url = format!("http://127.0.0.1:{port}/conversation/conversationmgr/v3");
    config.auth = egain_console::api::AuthConfig::Bearer("static".into());
    let offline = egain_console::api::Client::new(config, Default::default()).expect("client");
    let err = offline
        .list_raw(EntityKind::Channel, Paging::default())
        .await
        .expect_err("down");
    assert!(matches!(err, ApiError::Transport(_)), "{err:?}");

    let slow = sandbox_with(SandboxConfig {
        faults: egain_console::sandbox::Faults {
            latency: std::time::Duration::from_secs(5),
            ..Default::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let mut config = client_config(&slow);
    config.timeout = std::time::Duration::from_millis(300);
    let impatient = egain_console::api::Client::new(config, Default::default()).expect("client");
    let err = impatient
        .list_raw(EntityKind::Channel, Paging::default())
        .await
        .expect_err("slow");
    assert!(matches!(err, ApiError::Timeout(_)), "{err:?}");
}

#[tokio::test]
async fn read_only_refuses_before_any_request() {
    let sb = sandbox_with(SandboxConfig::default()).await;
    let mut config = client_config(&sb);
    config.read_only = true;
    let recorder = Arc::new(egain_console::api::Recorder::default());
    let mut log = recorder.subscribe();
    let client = egain_console::api::Client::new(config, recorder).expect("client");
    let err = client
        .create_raw(EntityKind::Channel, &json!({"type": "x"}))
        .await
        .expect_err("read-only");
    assert!(matches!(err, ApiError::ReadOnly(_)), "{err:?}");
    assert!(drain(&mut log).is_empty(), "no request was made");
    client
        .list_raw(EntityKind::Channel, Paging::default())
        .await
        .expect("reads still work");
}
