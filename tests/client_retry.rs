//! The client's retries over real HTTP, against a sandbox whose first N API
//! requests answer 503 (`Faults::fail_first`): a read succeeds after one
//! injected failure, with both attempts in the request log; a replacement
//! (PUT) is retried after a 503 (the hub did nothing); a POST that sends a
//! message or creates an object is never repeated.

mod common;

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use common::{client_config, drain};
use egain_console::api::models::EntityKind;
use egain_console::api::{ApiError, Client, Exchange, ExchangeKind, Recorder, RetryPolicy};
use egain_console::sandbox::{self, FailFirst, Faults, RunningSandbox, SandboxConfig, Seed};

/// Short waits: the policy's shape, not its patience, is under test.
fn quick() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

async fn failing_first(n: u32) -> RunningSandbox {
    sandbox::start(SandboxConfig {
        seed: Seed::Demo,
        faults: Faults {
            fail_first: FailFirst::new(n),
            ..Faults::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

fn client(sb: &RunningSandbox) -> (Client, tokio::sync::mpsc::UnboundedReceiver<Exchange>) {
    let recorder = Arc::new(Recorder::default());
    let exchanges = recorder.subscribe();
    let mut config = client_config(sb);
    config.retry = quick();
    (Client::new(config, recorder).expect("client"), exchanges)
}

fn api(exchanges: Vec<Exchange>) -> Vec<Exchange> {
    exchanges.into_iter().filter(|x| x.kind == ExchangeKind::Api).collect()
}

#[tokio::test]
async fn a_get_succeeds_after_one_injected_503_and_both_attempts_are_logged() {
    let sb = failing_first(1).await;
    let (client, mut rx) = client(&sb);
    let accounts = client
        .list_all_raw(EntityKind::Account)
        .await
        .expect("listed after a retry");
    assert_eq!(accounts.len(), 1, "the demo account");
    let calls = api(drain(&mut rx));
    assert_eq!(calls.len(), 2, "{calls:#?}");
    assert_eq!((calls[0].method.as_str(), calls[0].status), ("GET", Some(503)));
    let note = calls[0].error.as_deref().unwrap_or_default();
    assert!(note.contains("retried (attempt 1 of 3)"), "{note}");
    assert_eq!(calls[0].url, calls[1].url, "the same request again");
    assert_eq!(calls[1].status, Some(200));
    assert_eq!(calls[1].error, None);
}

#[tokio::test]
async fn a_get_gives_up_after_three_attempts_with_the_hubs_answer() {
    let sb = failing_first(5).await;
    let (client, mut rx) = client(&sb);
    let err = client
        .list_raw(EntityKind::Channel, Default::default())
        .await
        .expect_err("three 503s");
    assert_eq!(err.status(), Some(503), "{err}");
    let calls = api(drain(&mut rx));
    assert_eq!(calls.len(), 3, "{calls:#?}");
    assert!(
        calls[..2]
            .iter()
            .all(|x| x.error.as_deref().is_some_and(|e| e.contains("retried")))
    );
    assert_eq!(
        calls[2].error, None,
        "the last attempt is not retried and says nothing of it"
    );
}

#[tokio::test]
async fn a_message_send_is_never_repeated() {
    let sb = failing_first(1).await;
    let (client, mut rx) = client(&sb);
    let body = json!({"messages": [{"type": "text", "text": "hello once"}]});
    let err = client.send_messages_raw(&body).await.expect_err("the injected 503");
    assert!(matches!(err, ApiError::Api { status: 503, .. }), "{err:?}");
    let calls = api(drain(&mut rx));
    assert_eq!(calls.len(), 1, "one POST only: {calls:#?}");
    assert_eq!((calls[0].method.as_str(), calls[0].status), ("POST", Some(503)));
    assert_eq!(calls[0].error, None, "not marked as retried");
}

#[tokio::test]
async fn a_create_is_never_repeated() {
    let sb = failing_first(1).await;
    let (client, mut rx) = client(&sb);
    let body = json!({"type": "custom.retry", "displayName": "Retry", "icon": "iVBORw0KGgo="});
    let err = client.create_raw(EntityKind::Channel, &body).await.expect_err("503");
    assert_eq!(err.status(), Some(503), "{err}");
    assert_eq!(api(drain(&mut rx)).len(), 1, "one POST");
    assert_eq!(sb.state.store().count(EntityKind::Channel), 1, "nothing created");
}

#[tokio::test]
async fn an_update_is_retried_after_a_503_and_lands_once() {
    let sb = failing_first(1).await;
    let (client, mut rx) = client(&sb);
    // Read without HTTP, so the injected failure meets the PUT.
    let mut channel = sb.state.store().list(EntityKind::Channel)[0].clone();
    let id = channel["id"].as_str().expect("id").to_owned();
    channel["displayName"] = json!("Renamed after a retry");
    client
        .update_raw(EntityKind::Channel, &id, &channel)
        .await
        .expect("updated on the second attempt");
    let calls = api(drain(&mut rx));
    let seen: Vec<_> = calls.iter().map(|x| (x.method.as_str(), x.status)).collect();
    assert_eq!(seen, [("PUT", Some(503)), ("PUT", Some(204))], "{calls:#?}");
    let stored = sb
        .state
        .store()
        .get(EntityKind::Channel, &id)
        .cloned()
        .expect("still there");
    assert_eq!(stored["displayName"], "Renamed after a retry");
}
