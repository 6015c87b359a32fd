//! Shared test helpers: an embedded sandbox and a client connected to it.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use egain_console::api::{AuthConfig, Client, ClientConfig, Exchange, Recorder, Secret};
use egain_console::sandbox::{self, RunningSandbox, SandboxConfig, Seed};
use tokio::sync::mpsc::UnboundedReceiver;

/// A value that must never show up in anything recorded.
pub const CANARY: &str = "canary-7d3f9a1c";

pub async fn sandbox_with(config: SandboxConfig) -> RunningSandbox {
    sandbox::start(config).await.expect("sandbox starts")
}

pub async fn demo_sandbox() -> RunningSandbox {
    sandbox_with(SandboxConfig {
        seed: Seed::Demo,
        ..SandboxConfig::default()
    })
    .await
}

pub fn client_config(sb: &RunningSandbox) -> ClientConfig {
    ClientConfig::new(
        sb.urls.base.clone(),
        AuthConfig::ClientCredentials {
            token_url: sb.urls.token.clone(),
            client_id: sb.credentials.client_id.clone(),
            client_secret: Secret::new(sb.credentials.client_secret.clone()),
            scopes: egain_console::api::auth::DEFAULT_SCOPES
                .iter()
                .map(|s| s.to_string())
                .collect(),
        },
    )
}

pub fn client(sb: &RunningSandbox) -> (Client, UnboundedReceiver<Exchange>) {
    let recorder = Arc::new(Recorder::default());
    let exchanges = recorder.subscribe();
    let client = Client::new(client_config(sb), recorder).expect("client");
    (client, exchanges)
}

/// A bearer token from a sandbox's token endpoint (client credentials,
/// every default scope), fetched over plain HTTP.
pub async fn bearer_token(http: &reqwest::Client, token_url: &str, client_id: &str, secret: &str) -> String {
    let body: serde_json::Value = http
        .post(token_url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", &egain_console::api::auth::DEFAULT_SCOPES.join(" ")),
        ])
        .send()
        .await
        .expect("token request")
        .json()
        .await
        .expect("token json");
    body["access_token"].as_str().expect("access_token").to_owned()
}

/// Everything recorded so far.
pub fn drain(rx: &mut UnboundedReceiver<Exchange>) -> Vec<Exchange> {
    let mut out = Vec::new();
    while let Ok(x) = rx.try_recv() {
        out.push(x);
    }
    out
}

/// All text of an exchange, as a log pane or export would show it.
pub fn exchange_text(x: &Exchange) -> String {
    let mut s = format!("{} {} {:?} {:?}\n", x.method, x.url, x.status, x.error);
    for (k, v) in x.request_headers.iter().chain(&x.response_headers) {
        s.push_str(&format!("{k}: {v}\n"));
    }
    for b in [&x.request_body, &x.response_body].into_iter().flatten() {
        s.push_str(&b.text);
        s.push('\n');
    }
    s
}

/// Wait for a future with a generous guard so a hang fails instead of blocking CI.
pub async fn within<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), fut)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}
