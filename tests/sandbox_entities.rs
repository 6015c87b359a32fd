//! Configuration operations 1-30 of the sandbox, over real loopback HTTP:
//! schema errors, uniqueness, references, delete guards, optimistic locking,
//! scopes, paging, persistence and the demo seed.

use egain_console::api::models::EntityKind;
use egain_console::sandbox::auth::{SCOPE_MANAGE, SCOPE_READ};
use egain_console::sandbox::{self, RunningSandbox, SandboxConfig, Seed, entities, seed};
use reqwest::Method;
use serde_json::{Value, json};

/// A started sandbox plus an HTTP client holding a token.
struct Api {
    sandbox: RunningSandbox,
    http: reqwest::Client,
    token: String,
}

const ALL_SCOPES: &str = "app.conversation.conversationmgr.manage app.conversation.conversationmgr.read app.conversation.conversationmgr.interaction.manage app.conversation.conversationmgr.interaction.read";

async fn fetch_token(http: &reqwest::Client, sandbox: &RunningSandbox, scope: Option<&str>) -> String {
    let creds = &sandbox.credentials;
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("client_id", creds.client_id.as_str()),
        ("client_secret", creds.client_secret.as_str()),
    ];
    form.push(("scope", scope.unwrap_or(ALL_SCOPES)));
    let resp = http.post(&sandbox.urls.token).form(&form).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let body: Value = resp.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

impl Api {
    async fn start() -> Self {
        Self::with(SandboxConfig::default()).await
    }

    async fn with(config: SandboxConfig) -> Self {
        let sandbox = sandbox::start(config).await.unwrap();
        let http = reqwest::Client::new();
        let token = fetch_token(&http, &sandbox, None).await;
        Self { sandbox, http, token }
    }

    /// Any request; answers status and body (Null when empty).
    async fn send(&self, method: Method, path: &str, token: Option<&str>, body: Option<&Value>) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.sandbox.urls.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
        };
        (status, value)
    }

    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        self.send(method, path, Some(&self.token), body).await
    }

    async fn post(&self, segment: &str, body: &Value) -> (u16, Value) {
        self.call(Method::POST, &format!("/{segment}"), Some(body)).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    async fn put(&self, segment: &str, id: &str, body: &Value) -> (u16, Value) {
        self.call(Method::PUT, &format!("/{segment}/{id}"), Some(body)).await
    }

    async fn delete(&self, segment: &str, id: &str) -> (u16, Value) {
        self.call(Method::DELETE, &format!("/{segment}/{id}"), None).await
    }

    /// Create and expect 201 `{id}`.
    async fn create(&self, segment: &str, body: &Value) -> String {
        let (status, resp) = self.post(segment, body).await;
        assert_eq!(status, 201, "create {segment}: {resp}");
        let id = resp["id"].as_str().unwrap().to_owned();
        assert_eq!(id.len(), 36);
        id
    }

    async fn fetch(&self, segment: &str, id: &str) -> Value {
        let (status, body) = self.get(&format!("/{segment}/{id}")).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// One object of each kind, wired together.
    async fn setup(&self) -> Ids {
        let auth = self.create("authentications", &auth_body("cb-auth")).await;
        let app = self
            .create("clientapplications", &app_body("App", &auth, ALL_ROLES))
            .await;
        let bot = self.create("participants", &participant_body("Bot", &app)).await;
        let channel = self.create("channels", &channel_body("custom.test")).await;
        let orch = self
            .create("orchestrations", &orchestration_body("Orch", &app, &bot, &app, &app))
            .await;
        let account = self
            .create("accounts", &account_body("Acct", "addr-1", &channel, &orch))
            .await;
        Ids {
            auth,
            app,
            bot,
            channel,
            orch,
            account,
        }
    }
}

struct Ids {
    auth: String,
    app: String,
    bot: String,
    channel: String,
    orch: String,
    account: String,
}

const ALL_ROLES: &[&str] = &["customer", "custom_bot", "custom_agent"];
const MISSING: &str = "00000000-0000-4000-8000-000000000000";

fn auth_body(name: &str) -> Value {
    json!({"name": name, "type": "basic", "basicAuth": {"username": "u", "password": "p"}})
}

fn role(name: &str, auth: &str) -> Value {
    json!({
        "name": name,
        "version": "v3",
        "callback": format!("https://example.test/{name}"),
        "notificationEmail": "ops@example.com",
        "authentication": {"id": auth},
    })
}

fn app_body(name: &str, auth: &str, roles: &[&str]) -> Value {
    json!({"name": name, "roles": roles.iter().map(|r| role(r, auth)).collect::<Vec<_>>()})
}

fn participant_body(name: &str, app: &str) -> Value {
    json!({"name": name, "type": "custom_bot", "application": {"id": app},
           "intents": {"intent": [{"value": "hello", "displayValue": "Hello"}]}})
}

fn channel_body(channel_type: &str) -> Value {
    json!({"type": channel_type, "displayName": "Test", "icon": seed::DEMO_ICON_PNG_BASE64})
}

fn orchestration_body(name: &str, bot_app: &str, participant: &str, agent: &str, customer: &str) -> Value {
    json!({"name": name, "applications": {
        "botConfiguration": {"bots": [{"id": bot_app, "participant": {"id": participant},
                                       "onEscalation": {"agent": {"id": agent}}}]},
        "customerConfiguration": {"customer": {"id": customer}},
    }})
}

fn account_body(name: &str, address: &str, channel: &str, orch: &str) -> Value {
    json!({"name": name, "address": address, "channel": {"id": channel},
           "chatConfigurations": {"timeout": 30, "orchestration": {"id": orch}, "entryPoint": {"id": "1001"}}})
}

fn code(body: &Value) -> &str {
    body["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no eGain code in {body}"))
}

fn message(body: &Value) -> &str {
    body["developerMessage"].as_str().unwrap_or_default()
}

#[track_caller]
fn assert_error(got: &(u16, Value), status: u16, expected_code: &str) {
    assert_eq!(got.0, status, "{}", got.1);
    assert_eq!(code(&got.1), expected_code, "{}", got.1);
}

#[tokio::test]
async fn create_get_and_list_round_trip() {
    let api = Api::start().await;
    let id = api.create("authentications", &auth_body("first")).await;
    let got = api.fetch("authentications", &id).await;
    assert_eq!(got["id"], id.as_str());
    assert_eq!(got["name"], "first");
    assert_eq!(got["basicAuth"]["username"], "u");
    assert_eq!(got["active"], true, "active defaults to true");
    assert_eq!(got["created"], got["modified"]);
    assert!(got["created"].as_str().unwrap().ends_with('Z'));

    let (status, list) = api.get("/authentications").await;
    assert_eq!(status, 200);
    assert_eq!(
        list["paginationInfo"],
        json!({"count": 1, "pagenum": 1, "pagesize": 25})
    );
    assert_eq!(list["authentication"][0]["id"], id.as_str());
    let (_, list) = api.get("/channels").await;
    assert_eq!(list["channel"], json!([]));
}

#[tokio::test]
async fn create_ignores_server_fields_and_keeps_explicit_active() {
    let api = Api::start().await;
    let mut body = auth_body("a");
    body["id"] = json!(MISSING);
    body["created"] = json!("2000-01-01T00:00:00.000Z");
    body["active"] = json!(false);
    let id = api.create("authentications", &body).await;
    assert_ne!(id, MISSING);
    let got = api.fetch("authentications", &id).await;
    assert_eq!(got["active"], false);
    assert_ne!(got["created"], "2000-01-01T00:00:00.000Z");
}

#[tokio::test]
async fn malformed_bodies_get_an_egain_error() {
    let api = Api::start().await;
    let resp = api
        .http
        .post(format!("{}/channels", api.sandbox.urls.base))
        .bearer_auth(&api.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(code(&body), "400-152");
    assert_error(&api.post("channels", &json!([1, 2])).await, 400, "400-152");
}

#[tokio::test]
async fn missing_required_attribute_is_named() {
    let api = Api::start().await;
    let got = api
        .post(
            "participants",
            &json!({"type": "custom_bot", "application": {"id": MISSING}}),
        )
        .await;
    assert_error(&got, 400, "400-143");
    assert!(message(&got.1).ends_with("name"), "{}", got.1);

    let auth = api.create("authentications", &auth_body("a")).await;
    let mut app = app_body("x", &auth, &["customer"]);
    app["roles"][0].as_object_mut().unwrap().remove("callback");
    let got = api.post("clientapplications", &app).await;
    assert_error(&got, 400, "400-143");
    assert!(message(&got.1).contains("callback"), "{}", got.1);

    let got = api
        .post("authentications", &json!({"name": "b", "type": "basic"}))
        .await;
    assert_error(&got, 400, "400-143");
    assert!(message(&got.1).contains("basicAuth"), "{}", got.1);
}

#[tokio::test]
async fn length_enum_and_array_bounds_are_invalid_values() {
    let api = Api::start().await;
    let auth = api.create("authentications", &auth_body("a")).await;

    let got = api.post("authentications", &auth_body(&"n".repeat(256))).await;
    assert_error(&got, 400, "400-144");
    assert!(message(&got.1).contains("name"), "{}", got.1);
    api.create("authentications", &auth_body(&"n".repeat(255))).await;

    let got = api.post("clientapplications", &app_body("x", &auth, &["robot"])).await;
    assert_error(&got, 400, "400-144");
    let mut p = participant_body("p", MISSING);
    p["type"] = json!("human");
    assert_error(&api.post("participants", &p).await, 400, "400-144");

    let got = api
        .post("clientapplications", &json!({"name": "none", "roles": []}))
        .await;
    assert_error(&got, 400, "400-144");
    assert!(message(&got.1).contains("roles"), "{}", got.1);
    let eight: Vec<Value> = (0..8).map(|_| role("customer", &auth)).collect();
    let got = api
        .post("clientapplications", &json!({"name": "eight", "roles": eight}))
        .await;
    assert_error(&got, 400, "400-144");
    assert!(message(&got.1).contains("roles"), "{}", got.1);

    let mut ch = channel_body("custom.x");
    ch["icon"] = json!("");
    assert_error(&api.post("channels", &ch).await, 400, "400-144");
}

#[tokio::test]
async fn role_names_are_unique_within_an_application() {
    let api = Api::start().await;
    let auth = api.create("authentications", &auth_body("a")).await;
    let got = api
        .post(
            "clientapplications",
            &app_body("x", &auth, &["customer", "custom_bot", "customer"]),
        )
        .await;
    assert_error(&got, 400, "400-144");
    assert!(message(&got.1).contains("roles[2].name"), "{}", got.1);
}

#[tokio::test]
async fn path_ids_must_be_36_characters() {
    let api = Api::start().await;
    assert_error(&api.get("/channels/abc").await, 400, "400-147");
    assert_error(
        &api.put(
            "channels",
            "abc",
            &json!({"type": "t", "displayName": "d", "icon": "aWNvbg==", "modified": "x"}),
        )
        .await,
        400,
        "400-147",
    );
    assert_error(&api.delete("accounts", &format!("{MISSING}0")).await, 400, "400-147");
}

#[tokio::test]
async fn unknown_ids_are_404() {
    let api = Api::start().await;
    for kind in EntityKind::ALL {
        let got = api.get(&format!("/{}/{MISSING}", kind.segment())).await;
        assert_error(&got, 404, "404-101");
    }
    assert_error(&api.delete("participants", MISSING).await, 404, "404-101");
    let mut body = auth_body("a");
    body["modified"] = json!("2021-03-28T14:29:01.516Z");
    assert_error(&api.put("authentications", MISSING, &body).await, 404, "404-101");
}

#[tokio::test]
async fn names_and_channel_types_are_unique_case_sensitively() {
    let api = Api::start().await;
    api.create("authentications", &auth_body("Same")).await;
    let got = api.post("authentications", &auth_body("Same")).await;
    assert_error(&got, 400, "400-145");
    assert!(message(&got.1).contains("Same"), "{}", got.1);
    api.create("authentications", &auth_body("same")).await;

    api.create("channels", &channel_body("custom.one")).await;
    assert_error(&api.post("channels", &channel_body("custom.one")).await, 400, "400-145");
    api.create("channels", &channel_body("custom.One")).await;
}

#[tokio::test]
async fn references_must_exist_and_be_the_right_kind() {
    let api = Api::start().await;
    let ids = api.setup().await;

    let got = api
        .post("clientapplications", &app_body("x", MISSING, &["customer"]))
        .await;
    assert_error(&got, 400, "400-146");
    assert!(message(&got.1).contains("$.roles[0].authentication.id"), "{}", got.1);
    assert!(message(&got.1).contains(MISSING), "{}", got.1);

    let got = api.post("participants", &participant_body("p", MISSING)).await;
    assert_error(&got, 400, "400-146");
    assert!(message(&got.1).contains("$.application.id"), "{}", got.1);
    // An id of the wrong kind (an authentication) is refused and explained.
    let got = api.post("participants", &participant_body("p", &ids.auth)).await;
    assert_error(&got, 400, "400-146");
    assert!(message(&got.1).contains("Authentication"), "{}", got.1);

    let got = api
        .post("accounts", &account_body("a2", "addr-2", MISSING, &ids.orch))
        .await;
    assert_error(&got, 400, "400-146");
    assert!(message(&got.1).contains("$.channel.id"), "{}", got.1);
    let got = api
        .post("accounts", &account_body("a2", "addr-2", &ids.channel, &ids.channel))
        .await;
    assert_error(&got, 400, "400-146");
    assert!(
        message(&got.1).contains("$.chatConfigurations.orchestration.id"),
        "{}",
        got.1
    );
}

#[tokio::test]
async fn orchestration_references_need_the_right_roles() {
    let api = Api::start().await;
    let ids = api.setup().await;
    let customer_only = api
        .create(
            "clientapplications",
            &app_body("CustomerOnly", &ids.auth, &["customer"]),
        )
        .await;
    let other_bot_app = api
        .create("clientapplications", &app_body("OtherBot", &ids.auth, &["egain_bot"]))
        .await;
    let other_bot = api
        .create("participants", &participant_body("Other", &other_bot_app))
        .await;
    let cases = [
        (
            orchestration_body("o", &customer_only, &ids.bot, &ids.app, &ids.app),
            "bots[0].id",
        ),
        (
            orchestration_body("o", &ids.app, MISSING, &ids.app, &ids.app),
            "bots[0].participant.id",
        ),
        (
            orchestration_body("o", &ids.app, &other_bot, &ids.app, &ids.app),
            "bots[0].participant.id",
        ),
        (
            orchestration_body("o", &ids.app, &ids.bot, &customer_only, &ids.app),
            "bots[0].onEscalation.agent.id",
        ),
        (
            orchestration_body("o", &ids.app, &ids.bot, &ids.app, &other_bot_app),
            "customerConfiguration.customer.id",
        ),
        (
            json!({"name": "o", "applications": {"agentConfiguration": {"agents": [{"id": customer_only}]}}}),
            "agentConfiguration.agents[0].id",
        ),
    ];
    for (body, path) in cases {
        let got = api.post("orchestrations", &body).await;
        assert_error(&got, 400, "400-146");
        assert!(message(&got.1).contains(path), "{path}: {}", got.1);
    }
    // A bot app with egain_bot and its own participant is fine; so is an agent-only flow.
    api.create(
        "orchestrations",
        &orchestration_body("ok1", &other_bot_app, &other_bot, &ids.app, &ids.app),
    )
    .await;
    api.create(
        "orchestrations",
        &json!({"name": "ok2", "applications": {"agentConfiguration": {"agents": [{"id": ids.app}]}}}),
    )
    .await;
}

#[tokio::test]
async fn orchestration_needs_bot_or_agent_configuration() {
    let api = Api::start().await;
    let ids = api.setup().await;
    let got = api
        .post(
            "orchestrations",
            &json!({"name": "o", "applications": {"customerConfiguration": {"customer": {"id": ids.app}}}}),
        )
        .await;
    assert_error(&got, 400, "400-143");
    assert!(message(&got.1).contains("botConfiguration"), "{}", got.1);
}

#[tokio::test]
async fn account_address_and_channel_pick_one_account() {
    let api = Api::start().await;
    let ids = api.setup().await;
    let got = api
        .post("accounts", &account_body("Other", "addr-1", &ids.channel, &ids.orch))
        .await;
    assert_error(&got, 400, "400-145");
    assert!(message(&got.1).contains("addr-1"), "{}", got.1);
    // Same address on another channel is a different account.
    let other_channel = api.create("channels", &channel_body("custom.other")).await;
    api.create("accounts", &account_body("Other", "addr-1", &other_channel, &ids.orch))
        .await;
}

#[tokio::test]
async fn delete_is_refused_while_referenced() {
    let api = Api::start().await;
    let ids = api.setup().await;
    let refused = [
        ("channels", &ids.channel, "Acct", &ids.account),
        ("orchestrations", &ids.orch, "Acct", &ids.account),
        ("participants", &ids.bot, "Orch", &ids.orch),
        ("clientapplications", &ids.app, "Bot", &ids.bot),
        ("authentications", &ids.auth, "App", &ids.app),
    ];
    for (segment, id, referrer, referrer_id) in refused {
        let got = api.delete(segment, id).await;
        assert_error(&got, 400, "400-148");
        assert!(message(&got.1).contains(referrer), "{segment}: {}", got.1);
        assert!(message(&got.1).contains(referrer_id.as_str()), "{segment}: {}", got.1);
    }
    // The client application is used by both a participant and an orchestration.
    let got = api.delete("clientapplications", &ids.app).await;
    assert!(message(&got.1).contains("Orch"), "{}", got.1);

    for (segment, id) in [
        ("accounts", &ids.account),
        ("channels", &ids.channel),
        ("orchestrations", &ids.orch),
        ("participants", &ids.bot),
        ("clientapplications", &ids.app),
        ("authentications", &ids.auth),
    ] {
        let (status, body) = api.delete(segment, id).await;
        assert_eq!(status, 204, "{segment}: {body}");
        assert_error(&api.get(&format!("/{segment}/{id}")).await, 404, "404-101");
    }
}

#[tokio::test]
async fn put_replaces_and_keeps_unknown_fields() {
    let api = Api::start().await;
    let ids = api.setup().await;
    let mut body = api.fetch("clientapplications", &ids.app).await;
    body["customTopLevel"] = json!({"keep": [1, 2]});
    body["roles"][0]["vendorExtra"] = json!("nested");
    body["description"] = json!("edited");
    let (status, resp) = api.put("clientapplications", &ids.app, &body).await;
    assert_eq!(status, 204, "{resp}");
    assert_eq!(resp, Value::Null);

    let after = api.fetch("clientapplications", &ids.app).await;
    assert_eq!(after["customTopLevel"], json!({"keep": [1, 2]}));
    assert_eq!(after["roles"][0]["vendorExtra"], "nested");
    assert_eq!(after["description"], "edited");
    assert_eq!(after["id"], body["id"]);
    assert_eq!(after["created"], body["created"]);
    assert!(after["modified"].as_str() > body["modified"].as_str());

    // A second immediate update still gets a strictly later stamp.
    let (status, _) = api.put("clientapplications", &ids.app, &after).await;
    assert_eq!(status, 204);
    let again = api.fetch("clientapplications", &ids.app).await;
    assert!(again["modified"].as_str() > after["modified"].as_str());
    assert_eq!(again["customTopLevel"], json!({"keep": [1, 2]}));
}

#[tokio::test]
async fn put_in_strict_mode_needs_current_modified_and_matching_id() {
    let mut config = SandboxConfig::default();
    config.fidelity.strict = true;
    let api = Api::with(config).await;
    let id = api.create("authentications", &auth_body("a")).await;
    let current = api.fetch("authentications", &id).await;

    // `modified` is optional (the vendor's update pages), even when strict.
    let mut missing = current.clone();
    missing.as_object_mut().unwrap().remove("modified");
    assert_eq!(api.put("authentications", &id, &missing).await.0, 204);
    let current = api.fetch("authentications", &id).await;

    let mut stale = current.clone();
    stale["modified"] = json!("2020-01-01T00:00:00.000Z");
    assert_error(&api.put("authentications", &id, &stale).await, 400, "400-150");

    // After someone else's update, the old copy is stale.
    assert_eq!(api.put("authentications", &id, &current).await.0, 204);
    assert_error(&api.put("authentications", &id, &current).await, 400, "400-150");

    let mut fresh = api.fetch("authentications", &id).await;
    fresh["id"] = json!(MISSING);
    assert_error(&api.put("authentications", &id, &fresh).await, 400, "400-144");

    // Updates go through the update schema too.
    let mut invalid = api.fetch("authentications", &id).await;
    invalid["type"] = json!("kerberos");
    assert_error(&api.put("authentications", &id, &invalid).await, 400, "400-144");
}

#[tokio::test]
async fn put_checks_uniqueness_and_references() {
    let api = Api::start().await;
    let ids = api.setup().await;
    api.create("authentications", &auth_body("taken")).await;

    let mut auth = api.fetch("authentications", &ids.auth).await;
    auth["name"] = json!("taken");
    assert_error(&api.put("authentications", &ids.auth, &auth).await, 400, "400-145");

    let mut account = api.fetch("accounts", &ids.account).await;
    account["channel"]["id"] = json!(MISSING);
    assert_error(&api.put("accounts", &ids.account, &account).await, 400, "400-146");

    // Dropping the customer role the orchestration relies on is refused.
    let mut app = api.fetch("clientapplications", &ids.app).await;
    app["roles"] = json!([role("custom_bot", &ids.auth), role("custom_agent", &ids.auth)]);
    let got = api.put("clientapplications", &ids.app, &app).await;
    assert_error(&got, 400, "400-146");
    assert!(message(&got.1).contains("Orch"), "{}", got.1);
}

#[tokio::test]
async fn scopes_and_tokens_are_enforced() {
    let api = Api::start().await;
    let read = fetch_token(&api.http, &api.sandbox, Some(SCOPE_READ)).await;
    let auth = api.create("authentications", &auth_body("a")).await;
    let got = api
        .send(Method::POST, "/channels", Some(&read), Some(&channel_body("custom.x")))
        .await;
    assert_error(&got, 403, "403-101");
    let got = api
        .send(Method::DELETE, &format!("/authentications/{auth}"), Some(&read), None)
        .await;
    assert_error(&got, 403, "403-101");
    // Listing authentications is manage-only; reading one takes read too.
    assert_error(
        &api.send(Method::GET, "/authentications", Some(&read), None).await,
        403,
        "403-101",
    );
    let got = api
        .send(Method::GET, &format!("/authentications/{auth}"), Some(&read), None)
        .await;
    assert_eq!(got.0, 200, "{}", got.1);
    assert_eq!(api.send(Method::GET, "/channels", Some(&read), None).await.0, 200);

    let manage = fetch_token(
        &api.http,
        &api.sandbox,
        Some(&format!("https://api.egain.cloud/auth/{SCOPE_MANAGE}")),
    )
    .await;
    assert_eq!(
        api.send(Method::GET, "/authentications", Some(&manage), None).await.0,
        200
    );

    assert_error(&api.send(Method::GET, "/channels", None, None).await, 401, "401-104");
    assert_error(
        &api.send(
            Method::POST,
            "/channels",
            Some("sbx.bogus"),
            Some(&channel_body("custom.x")),
        )
        .await,
        401,
        "401-104",
    );
}

#[tokio::test]
async fn unknown_query_parameters_are_refused() {
    let api = Api::start().await;
    assert_error(&api.get("/channels?$filter=x").await, 400, "400-101");
    assert_error(&api.get("/channels?$pagesize=2&sort=name").await, 400, "400-101");
    let id = api.create("channels", &channel_body("custom.q")).await;
    assert_error(&api.get(&format!("/channels/{id}?expand=all")).await, 400, "400-101");
}

#[tokio::test]
async fn lists_are_paged() {
    let api = Api::start().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(api.create("authentications", &auth_body(&format!("auth-{i}"))).await);
    }
    let (status, page) = api.get("/authentications?$pagenum=2&$pagesize=2").await;
    assert_eq!(status, 200);
    assert_eq!(page["paginationInfo"], json!({"count": 5, "pagenum": 2, "pagesize": 2}));
    let got: Vec<&str> = page["authentication"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, [ids[2].as_str(), ids[3].as_str()]);
    let (_, last) = api.get("/authentications?$pagenum=3&$pagesize=2").await;
    assert_eq!(last["authentication"].as_array().unwrap().len(), 1);
    let (_, beyond) = api.get("/authentications?$pagenum=9&$pagesize=2").await;
    assert_eq!(beyond["authentication"], json!([]));
    assert_eq!(beyond["paginationInfo"]["count"], 5);

    for bad in ["$pagesize=0", "$pagenum=0", "$pagenum=abc", "$pagesize=-1"] {
        assert_error(&api.get(&format!("/authentications?{bad}")).await, 400, "400-144");
    }
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let config = SandboxConfig {
        state_file: Some(path.clone()),
        ..SandboxConfig::default()
    };
    let api = Api::with(config.clone()).await;
    let ids = api.setup().await;
    let mut channel = api.fetch("channels", &ids.channel).await;
    channel["displayName"] = json!("Renamed");
    assert_eq!(api.put("channels", &ids.channel, &channel).await.0, 204);
    let extra = api.create("authentications", &auth_body("gone")).await;
    assert_eq!(api.delete("authentications", &extra).await.0, 204);
    let before = api.fetch("accounts", &ids.account).await;
    api.sandbox.shutdown().await;

    let api = Api::with(config).await;
    assert_eq!(api.fetch("accounts", &ids.account).await, before);
    assert_eq!(api.fetch("channels", &ids.channel).await["displayName"], "Renamed");
    assert_error(&api.get(&format!("/authentications/{extra}")).await, 404, "404-101");
    let (_, list) = api.get("/authentications").await;
    assert_eq!(list["paginationInfo"]["count"], 1);
}

#[tokio::test]
async fn demo_seed_is_not_repeated_over_a_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        state_file: Some(dir.path().join("state.json")),
        seed: Seed::Demo,
        ..SandboxConfig::default()
    };
    let first = Api::with(config.clone()).await;
    first.sandbox.shutdown().await;
    let api = Api::with(config).await;
    for kind in EntityKind::ALL {
        let (_, list) = api.get(&format!("/{}", kind.segment())).await;
        assert_eq!(list["paginationInfo"]["count"], 1, "{kind}");
    }
}

#[tokio::test]
async fn failed_save_is_a_500_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir").join("state.db");
    let err = sandbox::start(SandboxConfig {
        state_file: Some(missing.clone()),
        ..SandboxConfig::default()
    })
    .await
    .err()
    .expect("a state file in a missing folder is refused");
    assert!(err.contains(&missing.display().to_string()), "{err}");

    let config = SandboxConfig {
        state_file: Some(dir.path().join("state.db")),
        ..SandboxConfig::default()
    };
    let api = Api::with(config).await;
    api.sandbox.state.db.refuse_writes().unwrap();
    let got = api.post("authentications", &auth_body("a")).await;
    assert_error(&got, 500, "500-101");
    assert!(message(&got.1).contains("not saved"), "{}", got.1);
    let (_, list) = api.get("/authentications").await;
    assert_eq!(list["paginationInfo"]["count"], 0);
}

#[tokio::test]
async fn create_function_applies_the_same_checks() {
    let api = Api::start().await;
    let state = &api.sandbox.state;
    let id = entities::create(state, EntityKind::Authentication, auth_body("direct")).unwrap();
    assert_eq!(api.fetch("authentications", &id).await["name"], "direct");
    let err = entities::create(state, EntityKind::Authentication, auth_body("direct")).unwrap_err();
    assert_eq!(err.body.code, "400-145");
    let err = entities::create(state, EntityKind::Participant, participant_body("p", MISSING)).unwrap_err();
    assert_eq!(err.body.code, "400-146");
}

#[tokio::test]
async fn demo_seed_is_complete_and_consistent() {
    let api = Api::with(SandboxConfig {
        seed: Seed::Demo,
        ..SandboxConfig::default()
    })
    .await;
    let spec = &api.sandbox.state.config.spec;
    let mut objects = Vec::new();
    for kind in EntityKind::ALL {
        let (status, list) = api.get(&format!("/{}", kind.segment())).await;
        assert_eq!(status, 200);
        let items = list[kind.list_key()].as_array().unwrap().clone();
        assert_eq!(items.len(), 1, "{kind}: {list}");
        let obj = items[0].clone();
        let violations = spec.validate(kind.input_schema(), &obj);
        assert!(violations.is_empty(), "{kind}: {violations:?}");
        objects.push((kind, obj));
    }
    for (kind, obj) in &objects {
        for edge in entities::edges(*kind, obj) {
            let (status, _) = api.get(&format!("/{}/{}", edge.target.segment(), edge.id)).await;
            assert_eq!(status, 200, "{kind} {} -> {}", edge.path, edge.id);
        }
    }
    let by_kind = |k: EntityKind| &objects.iter().find(|(kind, _)| *kind == k).unwrap().1;
    assert_eq!(by_kind(EntityKind::Authentication)["name"], seed::DEMO_AUTH_NAME);
    assert_eq!(by_kind(EntityKind::Participant)["name"], seed::DEMO_BOT_NAME);
    assert_eq!(by_kind(EntityKind::Channel)["type"], seed::DEMO_CHANNEL_TYPE);
    assert_eq!(
        by_kind(EntityKind::Orchestration)["name"],
        seed::DEMO_ORCHESTRATION_NAME
    );
    let account = by_kind(EntityKind::Account);
    assert_eq!(account["name"], seed::DEMO_ACCOUNT_NAME);
    assert_eq!(account["address"], seed::DEMO_ADDRESS);
    assert_eq!(
        account["chatConfigurations"]["entryPoint"]["id"],
        seed::DEMO_ENTRY_POINT
    );
    let edges = entities::edges(EntityKind::Orchestration, by_kind(EntityKind::Orchestration));
    assert_eq!(
        edges.len(),
        4,
        "bot app, participant, escalation agent, customer: {edges:?}"
    );

    let app = by_kind(EntityKind::ClientApplication);
    assert_eq!(app["name"], seed::DEMO_APP_NAME);
    let root = &api.sandbox.urls.root;
    let callbacks: Vec<(&str, &str)> = app["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["callback"].as_str().unwrap()))
        .collect();
    assert_eq!(
        callbacks,
        [
            ("customer", format!("{root}/sandbox/inbox/customer").as_str()),
            ("custom_bot", format!("{root}/sandbox/bot").as_str()),
            ("custom_agent", format!("{root}/sandbox/agent").as_str()),
        ]
    );
}

#[tokio::test]
async fn demo_seed_points_customer_and_agent_at_the_callback_base() {
    let mut config = SandboxConfig {
        seed: Seed::Demo,
        ..SandboxConfig::default()
    };
    config.hub.demo_callback_base = Some("http://127.0.0.1:9/receiver/".into());
    let api = Api::with(config).await;
    let (_, list) = api.get("/clientapplications").await;
    let roles = &list["clientApplication"][0]["roles"];
    assert_eq!(roles[0]["callback"], "http://127.0.0.1:9/receiver/customer");
    assert_eq!(roles[1]["callback"], format!("{}/sandbox/bot", api.sandbox.urls.root));
    assert_eq!(roles[2]["callback"], "http://127.0.0.1:9/receiver/agent");
}
