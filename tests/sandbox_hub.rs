//! The conversation hub over real loopback HTTP: a sandbox, fixtures put
//! straight into its store, and a small receiver standing in for the client
//! applications' callbacks (every request it gets lands in a channel).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use egain_console::api::models::EntityKind;
use egain_console::sandbox::hub::{AGENT_NAME, HubOptions};
use egain_console::sandbox::{RunningSandbox, SandboxConfig, start};
use egain_console::schema::{EMBEDDED_SPEC, Spec};
use serde_json::{Value, json};
use tokio::sync::mpsc;

const ADDRESS: &str = "+15550100";
const CHANNEL_TYPE: &str = "custom.test";
const GUARD: Duration = Duration::from_secs(20);

/// One request the receiver got.
#[derive(Debug)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: Value,
}

impl Received {
    fn message(&self) -> &Value {
        &self.body["messages"]["message"][0]
    }
    fn kind(&self) -> &str {
        self.message()["type"]["value"].as_str().unwrap_or_default()
    }
    fn text(&self) -> &str {
        self.message()["content"]["text"].as_str().unwrap_or_default()
    }
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }
}

#[derive(Clone)]
struct ReceiverState {
    tx: mpsc::UnboundedSender<Received>,
    token_fetches: Arc<AtomicUsize>,
    flaky_calls: Arc<AtomicUsize>,
}

impl ReceiverState {
    fn forward(&self, path: String, headers: HeaderMap, body: &Bytes) {
        let body = serde_json::from_slice(body).unwrap_or(Value::Null);
        let _ = self.tx.send(Received { path, headers, body });
    }
}

/// The stand-in callbacks: `/cb/{name}` accepts, `/oauth/token` issues
/// `tok-1`, `tok-2`, ..., `/oauth/cb` refuses `tok-1` with 401, `/flaky`
/// fails its first request with 500.
struct Receiver {
    base: String,
    rx: mpsc::UnboundedReceiver<Received>,
    token_fetches: Arc<AtomicUsize>,
}

impl Receiver {
    async fn start() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let state = ReceiverState {
            tx,
            token_fetches: Arc::default(),
            flaky_calls: Arc::default(),
        };
        let token_fetches = state.token_fetches.clone();
        let app = Router::new()
            .route(
                "/cb/{name}",
                post(
                    |State(s): State<ReceiverState>, Path(name): Path<String>, h: HeaderMap, b: Bytes| async move {
                        s.forward(format!("/cb/{name}"), h, &b);
                        StatusCode::OK
                    },
                ),
            )
            .route(
                "/oauth/token",
                post(|State(s): State<ReceiverState>, h: HeaderMap, b: Bytes| async move {
                    let n = s.token_fetches.fetch_add(1, Ordering::SeqCst) + 1;
                    s.forward("/oauth/token".into(), h, &b);
                    Json(json!({"data": {"token": format!("tok-{n}")}}))
                }),
            )
            .route(
                "/oauth/cb",
                post(|State(s): State<ReceiverState>, h: HeaderMap, b: Bytes| async move {
                    let refused = h.get("authorization").is_some_and(|v| v == "Bearer tok-1");
                    s.forward("/oauth/cb".into(), h, &b);
                    if refused {
                        StatusCode::UNAUTHORIZED
                    } else {
                        StatusCode::OK
                    }
                }),
            )
            .route(
                "/flaky",
                post(|State(s): State<ReceiverState>, h: HeaderMap, b: Bytes| async move {
                    let n = s.flaky_calls.fetch_add(1, Ordering::SeqCst);
                    s.forward("/flaky".into(), h, &b);
                    if n == 0 {
                        StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        StatusCode::OK
                    }
                }),
            )
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            base,
            rx,
            token_fetches,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The next request, failing the test if none comes in time.
    async fn next(&mut self) -> Received {
        tokio::time::timeout(GUARD, self.rx.recv())
            .await
            .expect("timed out waiting for a delivery")
            .expect("receiver stopped")
    }
}

/// Where the fixture's roles point and how the account behaves.
struct Setup {
    bot_callback: String,
    agent_callback: String,
    customer_callback: String,
    bot_auth: Option<Value>,
    timeout_minutes: f64,
}

const BOT_APP: &str = "00000000-0000-4000-8000-000000000001";
const AGENT_APP: &str = "00000000-0000-4000-8000-000000000002";
const CUSTOMER_APP: &str = "00000000-0000-4000-8000-000000000003";
const PARTICIPANT: &str = "00000000-0000-4000-8000-000000000004";
const CHANNEL: &str = "00000000-0000-4000-8000-000000000005";
const ORCHESTRATION: &str = "00000000-0000-4000-8000-000000000006";
const ACCOUNT: &str = "00000000-0000-4000-8000-000000000007";
const AUTH: &str = "00000000-0000-4000-8000-000000000008";

fn install(sandbox: &RunningSandbox, setup: Setup) {
    let mut store = sandbox.state.store_mut();
    let mut bot_role = json!({"name": "custom_bot", "version": "v3", "callback": setup.bot_callback,
        "headers": [{"name": "X-Bot-Key", "value": "k1"}]});
    if let Some(mut auth) = setup.bot_auth {
        auth["id"] = json!(AUTH);
        store.insert(EntityKind::Authentication, auth);
        bot_role["authentication"] = json!({"id": AUTH});
    }
    store.insert(
        EntityKind::ClientApplication,
        json!({"id": BOT_APP, "name": "bots", "roles": [bot_role]}),
    );
    store.insert(
        EntityKind::ClientApplication,
        json!({"id": AGENT_APP, "name": "agents", "roles": [
            {"name": "egain_agent", "version": "v3", "callback": setup.agent_callback}]}),
    );
    store.insert(
        EntityKind::ClientApplication,
        json!({"id": CUSTOMER_APP, "name": "customers", "roles": [
            {"name": "customer", "version": "v3", "callback": setup.customer_callback,
             "notificationEmail": "ops@example.com"}]}),
    );
    store.insert(
        EntityKind::Participant,
        json!({"id": PARTICIPANT, "name": "helper bot", "type": "custom_bot", "application": {"id": BOT_APP}}),
    );
    store.insert(
        EntityKind::Channel,
        json!({"id": CHANNEL, "type": CHANNEL_TYPE, "displayName": "Test", "icon": "iVBORw0KGgo=",
            "restrictions": {"inbound": {"maxTextLength": 40}}}),
    );
    store.insert(
        EntityKind::Orchestration,
        json!({"id": ORCHESTRATION, "name": "flow", "applications": {
            "botConfiguration": {"bots": [{"id": BOT_APP, "participant": {"id": PARTICIPANT},
                "onEscalation": {"agent": {"id": AGENT_APP}}}]},
            "customerConfiguration": {"customer": {"id": CUSTOMER_APP}}}}),
    );
    store.insert(
        EntityKind::Account,
        json!({"id": ACCOUNT, "name": "support", "address": ADDRESS, "channel": {"id": CHANNEL},
            "chatConfigurations": {"timeout": setup.timeout_minutes, "orchestration": {"id": ORCHESTRATION},
                "entryPoint": {"id": "1001"}}}),
    );
}

/// A sandbox with quick counterparties and retries.
async fn sandbox_with(spec: Option<Arc<Spec>>) -> RunningSandbox {
    let mut config = SandboxConfig {
        hub: HubOptions {
            bot_delay: Duration::from_millis(5),
            agent_delay: Duration::from_millis(5),
            retry_backoff: Duration::from_millis(5),
            ..HubOptions::default()
        },
        ..SandboxConfig::default()
    };
    if let Some(spec) = spec {
        config.spec = spec;
    }
    start(config).await.unwrap()
}

/// API caller with an interaction token.
struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn new(sandbox: &RunningSandbox) -> Self {
        let http = reqwest::Client::new();
        let creds = &sandbox.credentials;
        let answer: Value = http
            .post(&sandbox.urls.token)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", creds.client_id.as_str()),
                ("client_secret", creds.client_secret.as_str()),
                ("scope", "app.conversation.conversationmgr.manage app.conversation.conversationmgr.read app.conversation.conversationmgr.interaction.manage app.conversation.conversationmgr.interaction.read"),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = answer["access_token"].as_str().unwrap().to_owned();
        Self {
            http,
            base: sandbox.urls.base.clone(),
            token,
        }
    }

    async fn send(&self, body: &Value) -> (u16, Value) {
        self.send_raw(body.to_string()).await
    }

    async fn send_raw(&self, body: String) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/conversations/messages", self.base))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn conversation(&self, id: &str, accept: Option<&str>) -> (u16, Value) {
        let mut request = self
            .http
            .get(format!("{}/conversations/{id}", self.base))
            .bearer_auth(&self.token);
        if let Some(accept) = accept {
            request = request.header("accept", accept);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// A customer's first message, starting a conversation.
fn opening(text: &str) -> Value {
    json!({"messages": {"message": [{
        "messageId": "m-open",
        "type": {"value": "text"},
        "content": {"text": text},
        "sender": {"type": "customer"},
        "conversation": {
            "account": {"address": ADDRESS, "channel": {"type": CHANNEL_TYPE}},
            "customer": {"contacts": {"contact": [{"type": "phone", "subType": "mobile", "address": "+15550199"}]}},
            "entryPoint": {"id": "1001"}
        }
    }]}})
}

/// A message in an existing conversation.
fn within(conversation: &str, sender: &str, kind: &str, text: Option<&str>) -> Value {
    let mut message = json!({"type": {"value": kind}, "sender": {"type": sender},
        "conversation": {"id": conversation}});
    if let Some(text) = text {
        message["content"] = json!({"text": text});
    }
    json!({"messages": {"message": [message]}})
}

fn conversation_id(accepted: &Value) -> String {
    accepted["messages"]["message"][0]["conversation"]["id"]
        .as_str()
        .expect("202 names the conversation")
        .to_owned()
}

/// Start a conversation and return its id (asserting the 202).
async fn open(api: &Api, text: &str) -> (String, Value) {
    let (status, accepted) = api.send(&opening(text)).await;
    assert_eq!(status, 202, "{accepted}");
    (conversation_id(&accepted), accepted)
}

fn receiver_setup(rx: &Receiver) -> Setup {
    Setup {
        bot_callback: rx.url("/cb/bot"),
        agent_callback: rx.url("/cb/agent"),
        customer_callback: rx.url("/cb/customer"),
        bot_auth: None,
        timeout_minutes: 30.0,
    }
}

#[tokio::test]
async fn customer_message_reaches_bot_with_basic_auth_and_headers() {
    let sandbox = sandbox_with(None).await;
    let mut rx = Receiver::start().await;
    install(
        &sandbox,
        Setup {
            bot_auth: Some(json!({"name": "bot basic", "type": "basic",
                "basicAuth": {"username": "hub", "password": "s3cret"}})),
            ..receiver_setup(&rx)
        },
    );
    let api = Api::new(&sandbox).await;

    let (conversation, accepted) = open(&api, "hello bot").await;
    let echoed = &accepted["messages"]["message"][0];
    assert_eq!(echoed["messageId"], "m-open");
    assert_eq!(echoed["id"].as_str().map(str::len), Some(36));

    let got = rx.next().await;
    assert_eq!(got.path, "/cb/bot");
    let basic = base64::engine::general_purpose::STANDARD.encode("hub:s3cret");
    assert_eq!(got.header("authorization"), format!("Basic {basic}"));
    assert_eq!(got.header("x-bot-key"), "k1");
    assert!(got.header("content-type").starts_with("application/json"));
    let message = got.message();
    assert_eq!(got.kind(), "text");
    assert_eq!(got.text(), "hello bot");
    assert_eq!(message["id"], echoed["id"]);
    assert_eq!(message["sender"]["type"], "customer");
    assert_eq!(message["recipients"]["recipient"][0]["type"], "custom_bot");
    assert_eq!(
        message["recipients"]["recipient"][0]["participant"]["name"],
        "helper bot"
    );
    assert_eq!(message["conversation"]["id"], conversation.as_str());
    assert_eq!(message["conversation"]["account"]["address"], ADDRESS);
    assert_eq!(message["conversation"]["account"]["channel"]["type"], CHANNEL_TYPE);
    assert_eq!(message["conversation"]["conversationContact"], "phone.mobile");
    assert_eq!(message["conversation"]["entryPoint"]["id"], "1001");

    // The bot answers by conversation id; the customer's callback gets it, signed with the bot's name.
    let (status, _) = api
        .send(&within(&conversation, "custom_bot", "text", Some("hi, human")))
        .await;
    assert_eq!(status, 202);
    let got = rx.next().await;
    assert_eq!(got.path, "/cb/customer");
    assert_eq!(got.text(), "hi, human");
    assert_eq!(got.message()["sender"]["participant"]["name"], "helper bot");
    assert_eq!(got.header("authorization"), "");

    // The delivery log lists both deliveries and never the credentials.
    let log: Value = reqwest::get(format!("{}/sandbox/deliveries", sandbox.urls.root))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = log.to_string();
    assert!(!text.contains(&basic), "{text}");
    let deliveries = log["deliveries"].as_array().unwrap();
    assert!(
        deliveries
            .iter()
            .any(|d| d["role"] == "custom_bot" && d["status"] == 200)
    );
}

#[tokio::test]
async fn built_in_bot_echoes_offers_menu_and_escalates_to_built_in_agent() {
    let sandbox = sandbox_with(None).await;
    let mut rx = Receiver::start().await;
    let root = sandbox.urls.root.clone();
    install(
        &sandbox,
        Setup {
            bot_callback: format!("{root}/sandbox/bot"),
            agent_callback: format!("{root}/sandbox/agent"),
            ..receiver_setup(&rx)
        },
    );
    let api = Api::new(&sandbox).await;
    let (conversation, _) = open(&api, "hello").await;

    let kinds = |items: &[Received]| items.iter().map(|r| r.kind().to_owned()).collect::<Vec<_>>();
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(rx.next().await);
    }
    assert_eq!(kinds(&got), ["typing.start", "typing.end", "text"]);
    assert_eq!(got[2].text(), "You said: hello");
    assert_eq!(got[2].message()["sender"]["type"], "custom_bot");
    assert!(got.iter().all(|r| r.path == "/cb/customer"));

    let (status, _) = api
        .send(&within(&conversation, "customer", "text", Some("menu please")))
        .await;
    assert_eq!(status, 202);
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(rx.next().await);
    }
    assert_eq!(kinds(&got), ["typing.start", "typing.end", "richMessage.listpicker"]);
    let picker: Value = serde_json::from_str(got[2].text()).unwrap();
    assert_eq!(picker["type"], "list");
    assert_eq!(picker["list"]["sections"][0]["items"].as_array().map(Vec::len), Some(3));

    let (status, _) = api
        .send(&within(&conversation, "customer", "text", Some("an agent please")))
        .await;
    assert_eq!(status, 202);
    let mut got = Vec::new();
    for _ in 0..6 {
        got.push(rx.next().await);
    }
    assert_eq!(
        kinds(&got),
        [
            "typing.start",
            "typing.end",
            "text",
            "escalation.transfer",
            "agent.join",
            "text"
        ]
    );
    assert_eq!(got[2].text(), "Connecting you to an agent…");
    assert_eq!(got[4].message()["sender"]["type"], "egain_agent");
    assert_eq!(got[4].message()["sender"]["participant"]["name"], AGENT_NAME);
    assert_eq!(got[5].message()["sender"]["participant"]["name"], AGENT_NAME);

    // Now the agent handles the conversation: the customer's text goes to it and it quotes it back.
    let (status, _) = api
        .send(&within(&conversation, "customer", "text", Some("where is it?")))
        .await;
    assert_eq!(status, 202);
    let got = rx.next().await;
    assert_eq!(got.message()["sender"]["type"], "egain_agent");
    assert!(got.text().contains("where is it?"), "{}", got.text());

    let (status, transcript) = api.conversation(&conversation, None).await;
    assert_eq!(status, 200);
    let escalation = transcript["messages"]["message"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["type"]["value"] == "escalation.transfer")
        .expect("escalation in transcript")
        .clone();
    let recipients: Vec<&str> = escalation["recipients"]["recipient"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["type"].as_str())
        .collect();
    assert_eq!(recipients, ["egain_agent", "customer"]);
}

#[tokio::test]
async fn oauth2_token_is_fetched_cached_and_renewed_after_401() {
    let sandbox = sandbox_with(None).await;
    let mut rx = Receiver::start().await;
    let token_url = rx.url("/oauth/token");
    install(
        &sandbox,
        Setup {
            bot_callback: rx.url("/oauth/cb"),
            bot_auth: Some(json!({"name": "bot oauth", "type": "oauth2", "oauth2": {
                "tokenRequestUrl": token_url, "method": "POST",
                "headers": [{"name": "X-Client", "value": "hub"}],
                "payload": "{\"client\":\"sandbox\"}",
                "accessTokenPath": "$.data.token"}})),
            ..receiver_setup(&rx)
        },
    );
    let api = Api::new(&sandbox).await;
    let (conversation, _) = open(&api, "first").await;

    let fetch = rx.next().await;
    assert_eq!(fetch.path, "/oauth/token");
    assert_eq!(fetch.header("x-client"), "hub");
    assert_eq!(fetch.body, json!({"client": "sandbox"}));
    let refused = rx.next().await;
    assert_eq!(
        (refused.path.as_str(), refused.header("authorization")),
        ("/oauth/cb", "Bearer tok-1")
    );
    let fetch = rx.next().await;
    assert_eq!(fetch.path, "/oauth/token");
    let delivered = rx.next().await;
    assert_eq!(delivered.path, "/oauth/cb");
    assert_eq!(delivered.header("authorization"), "Bearer tok-2");
    assert_eq!(delivered.text(), "first");
    assert_eq!(
        delivered.message()["id"],
        refused.message()["id"],
        "the same message is redelivered"
    );

    // The renewed token is reused: the next delivery needs no fetch.
    let (status, _) = api
        .send(&within(&conversation, "customer", "text", Some("second")))
        .await;
    assert_eq!(status, 202);
    let delivered = rx.next().await;
    assert_eq!((delivered.path.as_str(), delivered.text()), ("/oauth/cb", "second"));
    assert_eq!(delivered.header("authorization"), "Bearer tok-2");
    assert_eq!(rx.token_fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn server_error_is_retried_and_order_is_kept() {
    let sandbox = sandbox_with(None).await;
    let mut rx = Receiver::start().await;
    install(
        &sandbox,
        Setup {
            bot_callback: rx.url("/flaky"),
            ..receiver_setup(&rx)
        },
    );
    let api = Api::new(&sandbox).await;
    let (conversation, _) = open(&api, "one").await;
    for text in ["two", "three"] {
        let (status, _) = api.send(&within(&conversation, "customer", "text", Some(text))).await;
        assert_eq!(status, 202);
    }
    let mut texts = Vec::new();
    for _ in 0..4 {
        texts.push(rx.next().await.text().to_owned());
    }
    assert_eq!(texts, ["one", "one", "two", "three"]);

    let log: Value = reqwest::get(format!("{}/sandbox/deliveries", sandbox.urls.root))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = &log["deliveries"][0];
    assert_eq!(first["attempts"], 2, "{log}");
    assert_eq!(first["status"], 200);
}

#[tokio::test]
async fn conversation_end_closes_and_transcript_matches() {
    let sandbox = sandbox_with(None).await;
    let mut rx = Receiver::start().await;
    install(&sandbox, receiver_setup(&rx));
    let api = Api::new(&sandbox).await;

    let (conversation, opened) = open(&api, "hello").await;
    assert_eq!(rx.next().await.path, "/cb/bot");
    let (_, reply) = api.send(&within(&conversation, "custom_bot", "text", Some("hi"))).await;
    assert_eq!(rx.next().await.path, "/cb/customer");
    let (status, end) = api
        .send(&within(&conversation, "customer", "conversation.end", None))
        .await;
    assert_eq!(status, 202);
    let got = rx.next().await;
    assert_eq!((got.path.as_str(), got.kind()), ("/cb/bot", "conversation.end"));

    let (status, error) = api
        .send(&within(&conversation, "custom_bot", "text", Some("still there?")))
        .await;
    assert_eq!(status, 400);
    assert_eq!(error["code"], "400-151");

    let (status, transcript) = api.conversation(&conversation, Some("application/json")).await;
    assert_eq!(status, 200, "{transcript}");
    assert_eq!(transcript["id"], conversation.as_str());
    assert_eq!(transcript["state"], "closed");
    assert_eq!(transcript["account"]["address"], ADDRESS);
    assert_eq!(transcript["account"]["channel"]["type"], CHANNEL_TYPE);
    assert_eq!(transcript["conversationContact"], "phone.mobile");
    assert_eq!(transcript["entryPoint"]["id"], "1001");
    assert_eq!(transcript["customer"]["contacts"]["contact"][0]["address"], "+15550199");
    let messages = transcript["messages"]["message"].as_array().unwrap();
    let summary: Vec<(&str, &str)> = messages
        .iter()
        .map(|m| {
            (
                m["type"]["value"].as_str().unwrap(),
                m["sender"]["type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("text", "customer"),
            ("text", "custom_bot"),
            ("conversation.end", "customer")
        ]
    );
    for (stored, accepted) in messages.iter().zip([&opened, &reply, &end]) {
        let accepted = &accepted["messages"]["message"][0];
        assert_eq!(stored["id"], accepted["id"]);
        assert_eq!(stored["messageId"], accepted["messageId"]);
        assert!(stored["created"].as_str().is_some_and(|c| c.ends_with('Z')));
        assert!(stored.get("conversation").is_none());
        assert!(matches!(stored["status"].as_str(), Some("sent" | "queued")), "{stored}");
    }
    // Each worker records a delivery before taking the next one, so the two
    // messages delivered before the end are known to be sent.
    assert_eq!(
        (messages[0]["status"].as_str(), messages[1]["status"].as_str()),
        (Some("sent"), Some("sent"))
    );

    let (status, error) = api.conversation(&conversation, Some("text/html")).await;
    assert_eq!((status, error["code"].as_str()), (406, Some("406-101")));
    let (status, error) = api.conversation("short-id", None).await;
    assert_eq!((status, error["code"].as_str()), (400, Some("400-147")));
    let (status, error) = api.conversation(&uuid::Uuid::new_v4().to_string(), None).await;
    assert_eq!((status, error["code"].as_str()), (404, Some("404-101")));
}

#[tokio::test]
async fn idle_timeout_ends_the_conversation_for_both_parties() {
    let sandbox = sandbox_with(None).await;
    let mut rx = Receiver::start().await;
    install(
        &sandbox,
        Setup {
            timeout_minutes: 0.005,
            ..receiver_setup(&rx)
        },
    );
    let api = Api::new(&sandbox).await;
    let (conversation, _) = open(&api, "hello").await;
    assert_eq!(rx.next().await.kind(), "text");

    let mut ends = Vec::new();
    for _ in 0..2 {
        let got = rx.next().await;
        assert_eq!(got.kind(), "conversation.end");
        assert_eq!(got.message()["sender"]["type"], "system");
        assert_eq!(got.message()["conversation"]["id"], conversation.as_str());
        ends.push(got.path);
    }
    ends.sort();
    assert_eq!(ends, ["/cb/bot", "/cb/customer"]);

    let (_, transcript) = api.conversation(&conversation, None).await;
    assert_eq!(transcript["state"], "closed");
    let (status, error) = api.send(&within(&conversation, "customer", "text", Some("back"))).await;
    assert_eq!((status, error["code"].as_str()), (400, Some("400-151")));
}

#[tokio::test]
async fn refusals_follow_the_error_model() {
    let sandbox = sandbox_with(None).await;
    let rx = Receiver::start().await;
    install(&sandbox, receiver_setup(&rx));
    let api = Api::new(&sandbox).await;
    let (conversation, _) = open(&api, "hello").await;
    let code = |answer: &(u16, Value)| (answer.0, answer.1["code"].as_str().unwrap_or_default().to_owned());

    let answer = api.send(&within(&conversation, "customer", "agent.join", None)).await;
    assert_eq!(code(&answer), (400, "400-151".into()), "{}", answer.1);

    // A missing contact or entry point is the send-message-context switch
    // (warn by default, 400-143 in strict mode: see sandbox_fidelity.rs).
    let mut no_contact = opening("hi");
    no_contact["messages"]["message"][0]["conversation"]["customer"] = json!({});
    let answer = api.send(&no_contact).await;
    assert_eq!(answer.0, 202, "{}", answer.1);

    let mut no_account = opening("hi");
    no_account["messages"]["message"][0]["conversation"]
        .as_object_mut()
        .unwrap()
        .remove("account");
    let answer = api.send(&no_account).await;
    assert_eq!(code(&answer), (400, "400-143".into()));
    assert!(
        answer.1["developerMessage"].as_str().unwrap().ends_with("account"),
        "{}",
        answer.1
    );

    let mut unknown_account = opening("hi");
    unknown_account["messages"]["message"][0]["conversation"]["account"]["address"] = json!("+10000000000");
    assert_eq!(code(&api.send(&unknown_account).await), (400, "400-146".into()));

    let stranger = uuid::Uuid::new_v4().to_string();
    let answer = api.send(&within(&stranger, "custom_bot", "text", Some("hi"))).await;
    // The vendor lists no 404 for send message: an unknown conversation is a refused message.
    assert_eq!(code(&answer), (400, "400-151".into()));

    let mut no_id = within(&conversation, "custom_bot", "text", Some("hi"));
    no_id["messages"]["message"][0]
        .as_object_mut()
        .unwrap()
        .remove("conversation");
    assert_eq!(code(&api.send(&no_id).await), (400, "400-143".into()));

    let long = "x".repeat(41);
    let answer = api.send(&within(&conversation, "customer", "text", Some(&long))).await;
    assert_eq!(code(&answer), (400, "400-144".into()));

    assert_eq!(code(&api.send_raw("{not json".into()).await), (400, "400-152".into()));
    assert_eq!(code(&api.send(&json!({"messages": {"message": []}})).await).0, 400);

    let unauthenticated = reqwest::Client::new()
        .post(format!("{}/conversations/messages", api.base))
        .json(&opening("hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status().as_u16(), 401);
}

#[tokio::test]
async fn allowed_senders_come_from_the_spec_in_use() {
    let permissive = EMBEDDED_SPEC.replacen(
        "        agent.join:\n        - egain_agent",
        "        agent.join:\n        - customer\n        - egain_agent",
        1,
    );
    assert_ne!(permissive, EMBEDDED_SPEC, "the spec's x-allowed-senders layout changed");
    let sandbox = sandbox_with(Some(Arc::new(Spec::parse(&permissive).unwrap()))).await;
    let mut rx = Receiver::start().await;
    install(&sandbox, receiver_setup(&rx));
    let api = Api::new(&sandbox).await;
    let (conversation, _) = open(&api, "hello").await;
    assert_eq!(rx.next().await.kind(), "text");
    let (status, answer) = api.send(&within(&conversation, "customer", "agent.join", None)).await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(rx.next().await.kind(), "agent.join");
}

#[tokio::test]
async fn inbox_keeps_what_it_receives() {
    let sandbox = sandbox_with(None).await;
    let http = reqwest::Client::new();
    let answer = http
        .post(format!("{}/sandbox/inbox/customer", sandbox.urls.root))
        .json(&json!({"messages": {"message": [{"type": {"value": "text"}}]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let inbox: Value = http
        .get(format!("{}/sandbox/inbox", sandbox.urls.root))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = inbox["inbox"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["role"], "customer");
    assert_eq!(entries[0]["body"]["messages"]["message"][0]["type"]["value"], "text");
}
