//! Token handling: refresh and retry on a 401 is invisible to the caller,
//! both scope spellings work, static bearer tokens work, and no secret ever
//! reaches a recorded exchange.

mod common;

use std::sync::Arc;

use common::*;
use egain_console::api::models::EntityKind;
use egain_console::api::{AuthConfig, Client, ExchangeKind, Paging, Recorder, Secret, TokenState};
use egain_console::sandbox::{Credentials, SandboxConfig, Seed};
use serde_json::json;

#[tokio::test]
async fn token_expiry_mid_session_is_invisible() {
    let sb = demo_sandbox().await;
    let (client, mut log) = client(&sb);
    client
        .list_raw(EntityKind::Account, Paging::default())
        .await
        .expect("first call");
    assert!(matches!(client.token_state(), TokenState::Valid { .. }));
    // The tenant drops every token (expiry, rotation): the next call gets a 401.
    sb.state.tokens.lock().expect("lock").revoke_all();
    let page = client
        .list_raw(EntityKind::Account, Paging::default())
        .await
        .expect("second call succeeds after refresh");
    assert_eq!(page.items.len(), 1);
    let kinds: Vec<(ExchangeKind, Option<u16>)> = drain(&mut log).iter().map(|x| (x.kind, x.status)).collect();
    assert_eq!(
        kinds,
        vec![
            (ExchangeKind::Token, Some(200)),
            (ExchangeKind::Api, Some(200)),
            (ExchangeKind::Api, Some(401)),
            (ExchangeKind::Token, Some(200)),
            (ExchangeKind::Api, Some(200)),
        ]
    );
}

#[tokio::test]
async fn concurrent_calls_share_one_token_fetch() {
    let sb = demo_sandbox().await;
    let (client, mut log) = client(&sb);
    let calls = (0..8).map(|_| client.list_raw(EntityKind::Channel, Paging::default()));
    for result in futures_util::future::join_all(calls).await {
        result.expect("call");
    }
    let tokens = drain(&mut log).iter().filter(|x| x.kind == ExchangeKind::Token).count();
    assert_eq!(tokens, 1);
}

#[tokio::test]
async fn prefixed_scopes_and_static_tokens_work() {
    let sb = demo_sandbox().await;
    let mut config = client_config(&sb);
    if let AuthConfig::ClientCredentials { scopes, .. } = &mut config.auth {
        *scopes = egain_console::api::auth::normalize_scopes(scopes, Some(egain_console::api::auth::SCOPE_PREFIX));
        assert!(scopes[0].starts_with("https://api.egain.cloud/auth/"));
    }
    let prefixed = Client::new(config, Default::default()).expect("client");
    prefixed
        .list_raw(EntityKind::Account, Paging::default())
        .await
        .expect("prefixed scopes");

    // A token obtained elsewhere, used as a static bearer.
    let token: serde_json::Value = reqwest::Client::new()
        .post(&sb.urls.token)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", sb.credentials.client_id.as_str()),
            ("client_secret", sb.credentials.client_secret.as_str()),
            ("scope", "app.conversation.conversationmgr.read"),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let mut config = client_config(&sb);
    config.auth = AuthConfig::Bearer(Secret::new(token["access_token"].as_str().expect("token")));
    let static_client = Client::new(config, Default::default()).expect("client");
    static_client
        .list_raw(EntityKind::Account, Paging::default())
        .await
        .expect("static bearer");
    assert_eq!(static_client.token_state(), TokenState::Static);
}

#[tokio::test]
async fn wrong_secret_is_an_auth_error_naming_the_endpoint() {
    let sb = demo_sandbox().await;
    let mut config = client_config(&sb);
    if let AuthConfig::ClientCredentials { client_secret, .. } = &mut config.auth {
        *client_secret = Secret::new(CANARY);
    }
    let client = Client::new(config, Default::default()).expect("client");
    let err = client
        .list_raw(EntityKind::Account, Paging::default())
        .await
        .expect_err("refused");
    let text = err.to_string();
    assert!(
        text.contains("invalid_client") || text.contains("wrong secret"),
        "{text}"
    );
    assert!(!text.contains(CANARY));
    assert!(matches!(client.token_state(), TokenState::Failed(_)));
}

#[tokio::test]
async fn a_wrong_secret_costs_one_token_request_not_one_per_call() {
    let sb = demo_sandbox().await;
    let mut config = client_config(&sb);
    if let AuthConfig::ClientCredentials { client_secret, .. } = &mut config.auth {
        *client_secret = Secret::new(CANARY);
    }
    let recorder = Arc::new(Recorder::default());
    let mut rx = recorder.subscribe();
    let client = Client::new(config, recorder).expect("client");
    // The console's start-up: one list call per kind, all at once; then a reload.
    for _ in 0..2 {
        let calls = EntityKind::ALL.map(|kind| {
            let client = client.clone();
            tokio::spawn(async move { client.list_raw(kind, Paging::default()).await })
        });
        for call in calls {
            let err = call.await.expect("task").expect_err("refused");
            assert!(err.to_string().contains("token"), "{err}");
        }
    }
    let token_requests = drain(&mut rx).iter().filter(|x| x.kind == ExchangeKind::Token).count();
    assert_eq!(
        token_requests, 1,
        "one failure, one request; the others wait for the back-off"
    );
}

#[tokio::test]
async fn canary_secrets_never_reach_recorded_exchanges() {
    let sb = sandbox_with(SandboxConfig {
        seed: Seed::Empty,
        credentials: Credentials {
            client_id: "canary-client".into(),
            client_secret: CANARY.into(),
        },
        ..SandboxConfig::default()
    })
    .await;
    let recorder = Arc::new(Recorder::default());
    let mut log = recorder.subscribe();
    let client = Client::new(client_config(&sb), recorder).expect("client");
    // Secrets travel in every place the issue names: the token form, the
    // Authorization header, passwords and oauth2 payloads in bodies.
    let basic = json!({"name": "c-basic", "type": "basic", "basicAuth": {"username": "u", "password": CANARY}});
    let basic_id = client
        .create_raw(EntityKind::Authentication, &basic)
        .await
        .expect("create");
    let oauth = json!({"name": "c-oauth", "type": "oauth2", "oauth2": {"tokenRequestUrl": "https://idp.example.com/token",
        "method": "POST", "headers": [{"name": "Authorization", "value": format!("Basic {CANARY}")}],
        "payload": format!("{{\"clientId\":\"x\",\"clientSecret\":\"{CANARY}\"}}"), "accessTokenPath": "$.accessToken"}});
    client
        .create_raw(EntityKind::Authentication, &oauth)
        .await
        .expect("create");
    client
        .get_raw(EntityKind::Authentication, &basic_id)
        .await
        .expect("get");
    client
        .list_raw(EntityKind::Authentication, Paging::default())
        .await
        .expect("list");
    sb.state.tokens.lock().expect("lock").revoke_all();
    client
        .list_raw(EntityKind::Authentication, Paging::default())
        .await
        .expect("after refresh");

    let exchanges = drain(&mut log);
    assert!(exchanges.len() >= 7, "{}", exchanges.len());
    for x in &exchanges {
        let text = exchange_text(x);
        assert!(!text.contains(CANARY), "canary leaked in exchange {}:\n{text}", x.id);
        assert!(
            !text.contains("sbx."),
            "a bearer token leaked in exchange {}:\n{text}",
            x.id
        );
    }
    // The redaction is visible, not silent.
    assert!(exchanges.iter().any(|x| exchange_text(x).contains("[REDACTED]")));
}
