//! The console's callback receiver over real loopback HTTP: credentials
//! (basic, and bearer tokens from its own token route), refusals that stay
//! clean answers, a fuzz run, and the real sandbox delivering the demo bot's
//! reply to it.

mod common;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use common::{CANARY, drain, exchange_text, within};
use egain_console::api::{Client, Direction, Exchange, ExchangeKind, Recorder, Secret};
use egain_console::callback::{CallbackConfig, Inbound, ROLES, Receiver, ReceiverAuth, RunningReceiver};
use egain_console::sandbox::hub::HubOptions;
use egain_console::sandbox::{SandboxConfig, Seed, seed};
use futures_util::StreamExt;
use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedReceiver;

const USER: &str = "hub-user";

/// A delivery as the hub sends it: one bot text to the customer.
fn envelope(text: &str) -> Value {
    json!({"messages": {"message": [{
        "id": "6f1c3c1e-0000-4000-8000-000000000001",
        "type": {"value": "text"},
        "content": {"text": text},
        "sender": {"type": "custom_bot", "participant": {"name": "bot"}},
        "recipients": {"recipient": [{"type": "customer"}]},
        "conversation": {"id": "c-1"}
    }]}})
}

struct Harness {
    receiver: RunningReceiver,
    log: UnboundedReceiver<Exchange>,
    recorder: Arc<Recorder>,
    http: reqwest::Client,
}

impl Harness {
    async fn start(config: CallbackConfig) -> Self {
        let recorder = Arc::new(Recorder::default());
        let log = recorder.subscribe();
        let receiver = Receiver::start(config, recorder.clone())
            .await
            .expect("receiver starts");
        Self {
            receiver,
            log,
            recorder,
            http: reqwest::Client::new(),
        }
    }

    async fn basic() -> Self {
        Self::start(CallbackConfig {
            auth: ReceiverAuth::Basic {
                username: USER.into(),
                password: Secret::new(CANARY),
            },
            ..CallbackConfig::default()
        })
        .await
    }

    fn url(&self, role: &str) -> String {
        format!("{}/callback/{role}", self.receiver.base_url())
    }

    /// POST `body` to `url` with an optional Authorization; status and body.
    async fn post(&self, url: &str, auth: Option<&str>, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        let mut request = self.http.post(url).header("content-type", content_type).body(body);
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        let response = request.send().await.expect("an answer, not a broken connection");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn deliver(&self, role: &str, auth: Option<&str>, text: &str) -> (u16, Value) {
        let body = envelope(text).to_string().into_bytes();
        self.post(&self.url(role), auth, "application/json", body).await
    }

    async fn next_inbound(&mut self) -> Inbound {
        let inbound = self.receiver.inbound().expect("channel not taken");
        within("an inbound delivery", inbound.recv())
            .await
            .expect("channel open")
    }

    fn no_more_inbound(&mut self) {
        let inbound = self.receiver.inbound().expect("channel not taken");
        assert!(inbound.try_recv().is_err(), "unexpected delivery");
    }

    /// Exchanges recorded so far; all inbound, none holding the canary.
    fn exchanges(&mut self) -> Vec<Exchange> {
        let got = drain(&mut self.log);
        for x in &got {
            assert_eq!(x.direction, Direction::Inbound);
            let text = exchange_text(x);
            assert!(!text.contains(CANARY), "credential leaked into the log: {text}");
        }
        got
    }
}

fn basic(user: &str, pass: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
    )
}

fn statuses(exchanges: &[Exchange]) -> Vec<Option<u16>> {
    exchanges.iter().map(|x| x.status).collect()
}

#[tokio::test]
async fn basic_auth_is_checked_and_every_delivery_is_recorded() {
    let mut h = Harness::basic().await;
    let good = basic(USER, CANARY);

    assert_eq!(h.deliver("customer", Some(&good), "hello").await.0, 200);
    let got = h.next_inbound().await;
    assert_eq!(got.role, "customer");
    assert_eq!(got.envelope.messages.message[0].text(), Some("hello"));

    // The demo seed's short alias reaches the canonical role.
    assert_eq!(h.deliver("agent", Some(&good), "to agent").await.0, 200);
    let got = h.next_inbound().await;
    assert_eq!(got.role, "custom_agent");

    for auth in [
        None,
        Some(basic(USER, "wrong")),
        Some(basic("other", CANARY)),
        Some("Bearer x".into()),
    ] {
        let (status, body) = h.deliver("customer", auth.as_deref(), "refused").await;
        assert_eq!(status, 401, "{auth:?}: {body}");
    }
    let response = h
        .http
        .post(h.url("customer"))
        .json(&envelope("no auth"))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"].to_str().expect("ascii");
    assert!(challenge.starts_with("Basic realm="), "{challenge}");
    h.no_more_inbound();

    let log = h.exchanges();
    assert_eq!(statuses(&log), [200, 200, 401, 401, 401, 401, 401].map(Some).to_vec());
    assert!(
        log.iter()
            .all(|x| x.kind == ExchangeKind::Callback && x.method == "POST")
    );
    // The accepted delivery carries its exchange id and its recorded body.
    assert_eq!(got.exchange_id, log[1].id);
    let first = &log[0];
    assert!(first.url.ends_with("/callback/customer"), "{}", first.url);
    assert!(first.request_body.as_ref().expect("body").text.contains("hello"));
    assert!(
        first
            .request_headers
            .iter()
            .any(|(k, v)| k == "authorization" && v == "Basic [REDACTED]")
    );
    assert_eq!(first.response_body.as_ref().expect("body").text, "{}");
    assert!(log[2].response_headers.iter().any(|(k, _)| k == "www-authenticate"));
}

#[tokio::test]
async fn bearer_tokens_come_from_the_token_route_and_stop_working_when_revoked() {
    let mut h = Harness::start(CallbackConfig {
        auth: ReceiverAuth::Bearer {
            client_id: "hub".into(),
            client_secret: Secret::new(CANARY),
        },
        ..CallbackConfig::default()
    })
    .await;
    let token_url = h.receiver.token_url().expect("bearer mode has a token route");

    let json_body = json!({"clientId": "hub", "clientSecret": CANARY})
        .to_string()
        .into_bytes();
    let (status, token) = h.post(&token_url, None, "application/json", json_body).await;
    assert_eq!(status, 200, "{token}");
    assert_eq!(token["expiresIn"], 3600);
    let first = format!("Bearer {}", token["accessToken"].as_str().expect("token"));

    let form = format!("client_id=hub&client_secret={CANARY}").into_bytes();
    let (status, _) = h
        .post(&token_url, None, "application/x-www-form-urlencoded", form)
        .await;
    assert_eq!(status, 200);
    let wrong = json!({"clientId": "hub", "clientSecret": "nope"})
        .to_string()
        .into_bytes();
    assert_eq!(h.post(&token_url, None, "application/json", wrong).await.0, 401);
    assert_eq!(
        h.post(&token_url, None, "application/json", b"{}".to_vec()).await.0,
        400
    );

    assert_eq!(h.deliver("customer", Some(&first), "with token").await.0, 200);
    assert_eq!(
        h.next_inbound().await.envelope.messages.message[0].text(),
        Some("with token")
    );
    assert_eq!(h.deliver("customer", None, "no token").await.0, 401);

    h.receiver.revoke_tokens();
    let response = h
        .http
        .post(h.url("customer"))
        .header("authorization", &first)
        .json(&envelope("revoked"))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"].to_str().expect("ascii");
    assert!(challenge.contains("invalid_token"), "{challenge}");

    let again = json!({"clientId": "hub", "clientSecret": CANARY})
        .to_string()
        .into_bytes();
    let (_, token) = h.post(&token_url, None, "application/json", again).await;
    let second = format!("Bearer {}", token["accessToken"].as_str().expect("token"));
    assert_ne!(first, second);
    assert_eq!(h.deliver("customer", Some(&second), "new token").await.0, 200);
    assert_eq!(
        h.next_inbound().await.envelope.messages.message[0].text(),
        Some("new token")
    );
    h.no_more_inbound();

    let log = h.exchanges();
    let kinds: Vec<(ExchangeKind, Option<u16>)> = log.iter().map(|x| (x.kind, x.status)).collect();
    use ExchangeKind::{Callback, Token};
    assert_eq!(
        kinds,
        [
            (Token, 200),
            (Token, 200),
            (Token, 401),
            (Token, 400),
            (Callback, 200),
            (Callback, 401),
            (Callback, 401),
            (Token, 200),
            (Callback, 200),
        ]
        .map(|(k, s)| (k, Some(s)))
        .to_vec()
    );
    // Issued tokens are secrets too: none reaches the log.
    let bare = second.trim_start_matches("Bearer ");
    assert!(log.iter().all(|x| !exchange_text(x).contains(bare)));
}

#[tokio::test]
async fn refusals_are_clean_answers_and_the_receiver_keeps_working() {
    let mut h = Harness::start(CallbackConfig {
        max_body: 4096,
        ..CallbackConfig::default()
    })
    .await;
    let json_ct = "application/json";
    let url = h.url("customer");

    let (status, body) = h.post(&url, None, json_ct, b"{\"messages\": [".to_vec()).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("malformed_json")));
    let (status, body) = h.post(&url, None, json_ct, b"{\"hello\": 1}".to_vec()).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("not_an_envelope")));
    let (status, _) = h.post(&url, None, json_ct, b"[1, 2]".to_vec()).await;
    assert_eq!(status, 400);

    // Just over the limit, and far over it (a body the client is still sending).
    let just_over = format!(
        "{{\"messages\": {{\"message\": []}}, \"pad\": \"{}\"}}",
        "x".repeat(4096)
    );
    assert_eq!(h.post(&url, None, json_ct, just_over.into_bytes()).await.0, 413);
    let (status, body) = h.post(&url, None, json_ct, vec![b'x'; 8 * 1024 * 1024]).await;
    assert_eq!((status, body["error"].as_str()), (413, Some("body_too_large")));
    // Exactly at the limit is fine.
    let head = "{\"messages\": {\"message\": []}, \"pad\": \"";
    let at_limit = format!("{head}{}\"}}", "y".repeat(4096 - head.len() - 2));
    assert_eq!(at_limit.len(), 4096);
    assert_eq!(h.post(&url, None, json_ct, at_limit.into_bytes()).await.0, 200);
    assert!(h.next_inbound().await.envelope.messages.message.is_empty());

    let unknown = format!("{}/callback/supervisor", h.receiver.base_url());
    assert_eq!(h.post(&unknown, None, json_ct, b"{}".to_vec()).await.0, 404);
    let elsewhere = format!("{}/somewhere", h.receiver.base_url());
    assert_eq!(h.post(&elsewhere, None, json_ct, b"{}".to_vec()).await.0, 404);
    let get = h.http.get(&url).send().await.expect("answer");
    assert_eq!(get.status(), 405);
    // No token route outside bearer mode.
    let token = format!("{}/callback/token", h.receiver.base_url());
    assert_eq!(h.post(&token, None, json_ct, b"{}".to_vec()).await.0, 404);

    // Still serving, every role.
    for role in ROLES {
        assert_eq!(h.deliver(role, None, role).await.0, 200, "{role}");
        let got = h.next_inbound().await;
        assert_eq!(got.role, role);
    }
    h.no_more_inbound();

    let log = h.exchanges();
    let mut want = vec![400, 400, 400, 413, 413, 200, 404, 404, 405, 404];
    want.extend([200; 5]);
    assert_eq!(statuses(&log), want.into_iter().map(Some).collect::<Vec<_>>());
    let huge = log[4].request_body.as_ref().expect("described");
    assert!(huge.truncated && huge.text.contains("limit"), "{huge:?}");
    assert!(huge.size > 4096);
    assert_eq!(log[9].kind, ExchangeKind::Token);
}

/// A random body of one of several hostile shapes, with a content type.
fn hostile(rng: &mut StdRng, limit: usize) -> (&'static str, Vec<u8>) {
    let valid = envelope("fuzz").to_string();
    match rng.random_range(0..8) {
        0 => {
            let mut bytes = vec![0u8; rng.random_range(0..2048)];
            rng.fill_bytes(&mut bytes);
            ("application/json", bytes)
        }
        1 => {
            let cut = rng.random_range(0..valid.len());
            ("application/json", valid.as_bytes()[..cut].to_vec())
        }
        2 => {
            let depth = rng.random_range(100..20_000);
            let nested = format!(
                "{{\"messages\": {{\"message\": []}}, \"x\": {}{}}}",
                "[".repeat(depth),
                "]".repeat(depth)
            );
            ("application/json", nested.into_bytes())
        }
        3 => {
            // Around the limit: some fit, some are just over.
            let len = limit - 64 + rng.random_range(0..128);
            let body = format!(
                "{{\"messages\": {{\"message\": []}}, \"s\": \"{}\"}}",
                "z".repeat(len.saturating_sub(40))
            );
            ("application/json", body.into_bytes())
        }
        4 => {
            let types = [
                "text/plain",
                "application/xml",
                "multipart/form-data",
                "",
                "application/json; charset=latin1",
            ];
            let ct = types[rng.random_range(0..types.len())];
            let body = if rng.random_bool(0.5) {
                valid.into_bytes()
            } else {
                b"<xml>not json</xml>".to_vec()
            };
            (ct, body)
        }
        5 => {
            let kinds = [
                json!(null),
                json!(1),
                json!("s"),
                json!({"messages": 5}),
                json!({"messages": {"message": [{}]}}),
            ];
            (
                "application/json",
                kinds[rng.random_range(0..kinds.len())].to_string().into_bytes(),
            )
        }
        6 => {
            // A valid envelope with mangled bytes.
            let mut bytes = valid.into_bytes();
            for _ in 0..rng.random_range(1..8) {
                let i = rng.random_range(0..bytes.len());
                bytes[i] = rng.random();
            }
            ("application/json", bytes)
        }
        _ => ("application/json", valid.into_bytes()),
    }
}

#[tokio::test]
async fn fuzzed_bodies_never_break_the_receiver() {
    const LIMIT: usize = 64 * 1024;
    let mut h = Harness::start(CallbackConfig {
        max_body: LIMIT,
        ..CallbackConfig::default()
    })
    .await;
    let mut rng = StdRng::seed_from_u64(0x5eed_cafe);
    let bodies: Vec<(&str, Vec<u8>)> = (0..500).map(|_| hostile(&mut rng, LIMIT)).collect();
    let url = h.url("customer");
    let http = &h.http;
    let answers: Vec<u16> = futures_util::stream::iter(bodies)
        .map(|(ct, body)| {
            let url = url.clone();
            async move {
                let mut request = http.post(&url).body(body);
                if !ct.is_empty() {
                    request = request.header("content-type", ct);
                }
                match request.send().await {
                    Ok(response) => response.status().as_u16(),
                    Err(e) => panic!("no answer: {e}"),
                }
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    assert!(
        answers.iter().all(|s| matches!(s, 200 | 400 | 413)),
        "unexpected statuses: {answers:?}"
    );
    for status in [200, 400, 413] {
        assert!(answers.contains(&status), "the fuzz run never produced {status}");
    }
    let accepted = answers.iter().filter(|s| **s == 200).count();

    assert_eq!(h.deliver("customer", None, "after the storm").await.0, 200);
    let mut received = 0;
    loop {
        let got = h.next_inbound().await;
        if got.envelope.messages.message.first().and_then(|m| m.text()) == Some("after the storm") {
            break;
        }
        received += 1;
    }
    assert_eq!(received, accepted);
    assert_eq!(h.exchanges().len(), 501);
    assert_eq!(
        h.recorder.body_limit(),
        egain_console::api::exchange::DEFAULT_BODY_LIMIT
    );
}

#[tokio::test]
async fn the_sandbox_demo_bot_replies_through_the_receiver() {
    let mut h = Harness::basic().await;
    let sandbox = egain_console::sandbox::start(SandboxConfig {
        seed: Seed::Demo,
        hub: HubOptions {
            demo_callback_base: Some(h.receiver.callback_base()),
            demo_callback_auth: Some((USER.into(), CANARY.into())),
            bot_delay: Duration::from_millis(5),
            ..HubOptions::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let client = Client::new(common::client_config(&sandbox), Arc::new(Recorder::default())).expect("client");
    let opening = json!({"messages": {"message": [{
        "messageId": "m-1",
        "type": {"value": "text"},
        "content": {"text": "hello receiver"},
        "sender": {"type": "customer"},
        "conversation": {
            "account": {"address": seed::DEMO_ADDRESS, "channel": {"type": seed::DEMO_CHANNEL_TYPE}},
            "customer": {"contacts": {"contact": [{"type": "email", "address": "pat@example.com"}]}},
            "entryPoint": {"id": seed::DEMO_ENTRY_POINT}
        }
    }]}});
    let accepted = client.send_messages_raw(&opening).await.expect("202");
    let conversation = accepted.conversation_id().expect("conversation id").to_owned();

    let mut kinds = Vec::new();
    while kinds.last().map(String::as_str) != Some("text") {
        let got = h.next_inbound().await;
        assert_eq!(got.role, "customer");
        let message = &got.envelope.messages.message[0];
        assert_eq!(message.conversation_id(), Some(conversation.as_str()));
        if message.kind() == "text" {
            assert_eq!(message.text(), Some("You said: hello receiver"));
        }
        kinds.push(message.kind().to_owned());
    }
    assert_eq!(kinds, ["typing.start", "typing.end", "text"]);
    let log = h.exchanges();
    assert_eq!(statuses(&log), [Some(200); 3]);
    assert!(log.iter().all(|x| x.url.ends_with("/callback/customer")));
}

#[tokio::test]
async fn the_hub_fetches_a_new_token_after_a_revocation() {
    let mut h = Harness::start(CallbackConfig {
        auth: ReceiverAuth::Bearer {
            client_id: "hub".into(),
            client_secret: Secret::new(CANARY),
        },
        ..CallbackConfig::default()
    })
    .await;
    let sandbox = egain_console::sandbox::start(SandboxConfig {
        seed: Seed::Demo,
        hub: HubOptions {
            demo_callback_base: Some(h.receiver.callback_base()),
            bot_delay: Duration::from_millis(5),
            ..HubOptions::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let client = Client::new(common::client_config(&sandbox), Arc::new(Recorder::default())).expect("client");
    // Point the demo Authentication at the receiver's token route.
    let kind = egain_console::api::models::EntityKind::Authentication;
    let page = client.list_raw(kind, Default::default()).await.expect("list");
    let id = page.items[0]["id"].as_str().expect("id").to_owned();
    let mut oauth = client.get_raw(kind, &id).await.expect("get");
    let payload = json!({"clientId": "hub", "clientSecret": CANARY}).to_string();
    oauth["type"] = json!("oauth2");
    oauth["oauth2"] = json!({
        "tokenRequestUrl": h.receiver.token_url().expect("token url"),
        "method": "POST",
        "payload": payload,
        "accessTokenPath": "$.accessToken",
    });
    if let Some(object) = oauth.as_object_mut() {
        object.remove("basicAuth");
    }
    client.update_raw(kind, &id, &oauth).await.expect("update");

    let send = |text: &str| {
        json!({"messages": {"message": [{
            "type": {"value": "text"},
            "content": {"text": text},
            "sender": {"type": "customer"},
            "conversation": {
                "account": {"address": seed::DEMO_ADDRESS, "channel": {"type": seed::DEMO_CHANNEL_TYPE}},
                "customer": {"contacts": {"contact": [{"type": "email", "address": "pat@example.com"}]}},
                "entryPoint": {"id": seed::DEMO_ENTRY_POINT}
            }
        }]}})
    };
    client.send_messages_raw(&send("one")).await.expect("202");
    await_text(&mut h, "You said: one").await;
    h.receiver.revoke_tokens();
    client.send_messages_raw(&send("two")).await.expect("202");
    await_text(&mut h, "You said: two").await;

    let log = h.exchanges();
    let tokens: Vec<Option<u16>> = log
        .iter()
        .filter(|x| x.kind == ExchangeKind::Token)
        .map(|x| x.status)
        .collect();
    assert_eq!(tokens, [Some(200), Some(200)], "one fetch, then one after the 401");
    let refused = log.iter().filter(|x| x.status == Some(401)).count();
    assert_eq!(refused, 1, "exactly the first delivery after the revocation");
}

/// Skip deliveries until one with text `want` arrives.
async fn await_text(h: &mut Harness, want: &str) {
    loop {
        let got = h.next_inbound().await;
        if got.envelope.messages.message[0].text() == Some(want) {
            return;
        }
    }
}

#[tokio::test]
async fn a_public_url_names_the_callbacks_and_its_path_is_served() {
    let public = url::Url::parse("https://tunnel.example/console/").expect("url");
    let mut h = Harness::start(CallbackConfig {
        public_url: Some(public),
        ..CallbackConfig::default()
    })
    .await;
    let r = &h.receiver;
    assert_eq!(r.base_url(), "https://tunnel.example/console");
    assert_eq!(r.callback_base(), "https://tunnel.example/console/callback");
    assert_eq!(
        r.role_url("agent").as_deref(),
        Some("https://tunnel.example/console/callback/custom_agent")
    );
    assert_eq!(r.role_url("supervisor"), None);
    assert_eq!(r.role_urls().len(), ROLES.len());
    assert_eq!(r.token_url(), None);
    for (role, url) in r.role_urls() {
        assert_eq!(r.role_of_url(&url), Some(role));
    }
    // The shape the demo seed builds from `callback_base`.
    assert_eq!(
        r.role_of_url(&format!("{}/agent/", r.callback_base())),
        Some("custom_agent")
    );
    assert_eq!(r.role_of_url("https://elsewhere.example/callback/customer"), None);

    // A proxy may forward with or without the public path.
    let local = format!("http://{}", r.addr());
    for path in ["/console/callback/customer", "/callback/customer"] {
        let body = envelope(path).to_string().into_bytes();
        assert_eq!(
            h.post(&format!("{local}{path}"), None, "application/json", body)
                .await
                .0,
            200
        );
        assert_eq!(h.next_inbound().await.envelope.messages.message[0].text(), Some(path));
    }
    let log = h.exchanges();
    assert_eq!(log[0].url, "https://tunnel.example/console/callback/customer");
}
