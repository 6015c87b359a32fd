//! Contract tests: the sandbox follows the vendor's text, using the vendor's
//! example bodies as the spec carries them; unverified assumptions warn by
//! default and refuse in strict mode; every error has eGain's shape.

use egain_console::sandbox::fidelity::{Level, ScopeForm};
use egain_console::sandbox::{self, RunningSandbox, SandboxConfig};
use egain_console::schema::Spec;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

const ALL_SCOPES: &str = "app.conversation.conversationmgr.manage app.conversation.conversationmgr.read app.conversation.conversationmgr.interaction.manage app.conversation.conversationmgr.interaction.read";

struct Api {
    sandbox: RunningSandbox,
    http: Client,
    token: String,
}

struct Answer {
    status: StatusCode,
    warnings: Vec<String>,
    body: Value,
}

impl Answer {
    fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }
}

async fn token_answer(sandbox: &RunningSandbox, scope: Option<&str>) -> (StatusCode, Value) {
    let creds = &sandbox.credentials;
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("client_id", creds.client_id.as_str()),
        ("client_secret", creds.client_secret.as_str()),
    ];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    let resp = Client::new()
        .post(&sandbox.urls.token)
        .form(&form)
        .send()
        .await
        .expect("token request");
    let status = resp.status();
    (status, resp.json().await.expect("token answer is JSON"))
}

impl Api {
    async fn with(config: SandboxConfig) -> Self {
        let sandbox = sandbox::start(config).await.expect("sandbox starts");
        let (status, body) = token_answer(&sandbox, Some(ALL_SCOPES)).await;
        assert_eq!(status, 200, "{body}");
        let token = body["access_token"].as_str().expect("token").to_owned();
        Self {
            sandbox,
            http: Client::new(),
            token,
        }
    }

    async fn lenient() -> Self {
        Self::with(SandboxConfig::default()).await
    }

    async fn strict() -> Self {
        let mut config = SandboxConfig::default();
        config.fidelity.strict = true;
        Self::with(config).await
    }

    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Answer {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.sandbox.urls.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(body);
        }
        answer(req.send().await.expect("request")).await
    }

    async fn create(&self, segment: &str, body: &Value) -> String {
        let got = self.call(Method::POST, &format!("/{segment}"), Some(body)).await;
        assert_eq!(got.status, 201, "{segment}: {}", got.body);
        got.body["id"].as_str().expect("id").to_owned()
    }

    fn inbox(&self, role: &str) -> String {
        format!("{}/sandbox/inbox/{role}", self.sandbox.urls.root)
    }
}

async fn answer(resp: reqwest::Response) -> Answer {
    let status = resp.status();
    let warnings = resp
        .headers()
        .get_all("x-sandbox-warning")
        .iter()
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .collect();
    let text = resp.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Answer { status, warnings, body }
}

/// The example a schema of the spec carries.
fn example(schema: &str) -> Value {
    Spec::embedded()
        .schema(schema)
        .and_then(|s| s.get("example"))
        .cloned()
        .unwrap_or_else(|| panic!("{schema} has an example"))
}

/// The vendor's oauth2 create example, as the vendor's create page shows it:
/// without `tokenRequestUrl` (the spec's copy adds the one from the list example).
fn vendor_oauth2_create() -> Value {
    let mut body = Spec::embedded()
        .document()
        .pointer("/paths/~1authentications/post/requestBody/content/application~1json/examples/oauth2/value")
        .cloned()
        .expect("oauth2 create example");
    body["oauth2"]
        .as_object_mut()
        .expect("oauth2")
        .remove("tokenRequestUrl");
    body
}

#[tokio::test]
async fn oauth2_create_example_without_token_url_warns_by_default_and_is_refused_when_strict() {
    let api = Api::lenient().await;
    let got = api
        .call(Method::POST, "/authentications", Some(&vendor_oauth2_create()))
        .await;
    assert_eq!(got.status, 201, "{}", got.body);
    assert!(
        got.warnings
            .iter()
            .any(|w| w.starts_with("strict-required") && w.contains("tokenRequestUrl")),
        "{:?}",
        got.warnings
    );

    let strict = Api::strict().await;
    let got = strict
        .call(Method::POST, "/authentications", Some(&vendor_oauth2_create()))
        .await;
    assert_eq!((got.status.as_u16(), got.code()), (400, "400-143"), "{}", got.body);
    assert!(
        got.body["developerMessage"]
            .as_str()
            .unwrap_or_default()
            .contains("tokenRequestUrl")
    );

    // One switch can relax strict mode again, without a rebuild.
    let mut config = SandboxConfig::default();
    config.fidelity.strict = true;
    config
        .fidelity
        .set("strict-required", Level::Off)
        .expect("known switch");
    let relaxed = Api::with(config).await;
    let got = relaxed
        .call(Method::POST, "/authentications", Some(&vendor_oauth2_create()))
        .await;
    assert_eq!(got.status, 201, "{}", got.body);
    assert!(got.warnings.is_empty(), "{:?}", got.warnings);
}

/// The vendor's examples, wired together by real ids, make a working setup
/// and the send-message example opens a conversation.
#[tokio::test]
async fn vendor_examples_build_a_working_setup() {
    let api = Api::lenient().await;
    let auth = api.create("authentications", &vendor_oauth2_create()).await;

    let mut bot_app = example("ClientApplicationInput");
    bot_app["roles"][0]["authentication"]["id"] = json!(auth);
    bot_app["roles"][0]["callback"] = json!(api.inbox("custom_bot"));
    let bot_app_id = api.create("clientapplications", &bot_app).await;

    let mut people = example("ClientApplicationInput");
    people["name"] = json!("customer_and_agent_application");
    let mut customer = people["roles"][0].clone();
    customer["name"] = json!("customer");
    customer["callback"] = json!(api.inbox("customer"));
    customer.as_object_mut().expect("role").remove("authentication");
    let mut agent = customer.clone();
    agent["name"] = json!("custom_agent");
    agent["callback"] = json!(api.inbox("custom_agent"));
    people["roles"] = json!([customer, agent]);
    let people_id = api.create("clientapplications", &people).await;

    let mut participant = example("ParticipantInput");
    participant["application"]["id"] = json!(bot_app_id);
    participant["options"] = json!([{"name": "locale", "value": "en-US"}]);
    let participant_id = api.create("participants", &participant).await;
    let stored = api
        .call(Method::GET, &format!("/participants/{participant_id}"), None)
        .await;
    assert_eq!(stored.body["options"], json!([{"name": "locale", "value": "en-US"}]));

    let channel_id = api.create("channels", &example("ChannelInput")).await;

    let mut orchestration = example("OrchestrationInput");
    let bot = &mut orchestration["applications"]["botConfiguration"]["bots"][0];
    bot["id"] = json!(bot_app_id);
    bot["participant"]["id"] = json!(participant_id);
    bot["onEscalation"]["agent"]["id"] = json!(people_id);
    orchestration["applications"]["customerConfiguration"]["customer"]["id"] = json!(people_id);
    let orchestration_id = api.create("orchestrations", &orchestration).await;

    // chatConfigurations.timeout is not required on the vendor's account page.
    let mut account = example("AccountInput");
    account["channel"]["id"] = json!(channel_id);
    account["chatConfigurations"]["orchestration"]["id"] = json!(orchestration_id);
    account["chatConfigurations"]
        .as_object_mut()
        .expect("chat")
        .remove("timeout");
    let account_id = api.create("accounts", &account).await;

    let sent = api
        .call(
            Method::POST,
            "/conversations/messages",
            Some(&example("SendMessageRequest")),
        )
        .await;
    assert_eq!(sent.status, 202, "{}", sent.body);

    // PUT without `modified` (optional on the vendor's update pages) replaces.
    let mut replace = api
        .call(Method::GET, &format!("/accounts/{account_id}"), None)
        .await
        .body;
    replace.as_object_mut().expect("account").remove("modified");
    replace["description"] = json!("edited without modified");
    let put = api
        .call(Method::PUT, &format!("/accounts/{account_id}"), Some(&replace))
        .await;
    assert_eq!(put.status, 204, "{}", put.body);

    // The vendor's update example echoes an old `modified`: a warning, not a refusal.
    let mut stale = replace.clone();
    stale["modified"] = json!("2021-03-28T14:29:01.516Z");
    let put = api
        .call(Method::PUT, &format!("/accounts/{account_id}"), Some(&stale))
        .await;
    assert_eq!(put.status, 204, "{}", put.body);
    assert!(
        put.warnings.iter().any(|w| w.starts_with("stale-modified")),
        "{:?}",
        put.warnings
    );

    // Every list the sandbox serves conforms to the sandbox's own schema.
    let spec = Spec::embedded();
    for (segment, schema) in [
        ("authentications", "AuthenticationList"),
        ("clientapplications", "ClientApplicationList"),
        ("participants", "ParticipantList"),
        ("channels", "ChannelList"),
        ("orchestrations", "OrchestrationList"),
        ("accounts", "AccountList"),
    ] {
        let list = api.call(Method::GET, &format!("/{segment}"), None).await;
        assert_eq!(list.status, 200);
        let violations = spec.validate(schema, &list.body);
        assert!(violations.is_empty(), "{segment}: {violations:?}\n{}", list.body);
    }
}

#[tokio::test]
async fn intent_display_value_is_required() {
    let api = Api::lenient().await;
    let app = api
        .create("clientapplications", &{
            let mut app = example("ClientApplicationInput");
            app["roles"][0].as_object_mut().expect("role").remove("authentication");
            app
        })
        .await;
    let mut participant = example("ParticipantInput");
    participant["application"]["id"] = json!(app);
    participant["intents"]["intent"][0]
        .as_object_mut()
        .expect("intent")
        .remove("displayValue");
    let got = api.call(Method::POST, "/participants", Some(&participant)).await;
    assert_eq!((got.status.as_u16(), got.code()), (400, "400-143"), "{}", got.body);
    assert!(
        got.body["developerMessage"]
            .as_str()
            .unwrap_or_default()
            .contains("displayValue")
    );

    let mut options = example("ParticipantInput");
    options["application"]["id"] = json!(app);
    options["options"] = json!([{"name": "locale"}]);
    let got = api.call(Method::POST, "/participants", Some(&options)).await;
    assert_eq!((got.status.as_u16(), got.code()), (400, "400-143"), "{}", got.body);
}

#[tokio::test]
async fn null_references_are_dropped_not_served() {
    let api = Api::lenient().await;
    let mut app = example("ClientApplicationInput");
    app["roles"][0]["authentication"] = Value::Null;
    let got = api.call(Method::POST, "/clientapplications", Some(&app)).await;
    assert_eq!(got.status, 201, "{}", got.body);
    assert!(
        got.warnings.iter().any(|w| w.starts_with("null-attributes")),
        "{:?}",
        got.warnings
    );
    let list = api.call(Method::GET, "/clientapplications", None).await;
    assert!(
        list.body["clientApplication"][0]["roles"][0]
            .get("authentication")
            .is_none()
    );
    let violations = Spec::embedded().validate("ClientApplicationList", &list.body);
    assert!(violations.is_empty(), "{violations:?}");

    let strict = Api::strict().await;
    let got = strict.call(Method::POST, "/clientapplications", Some(&app)).await;
    assert_eq!((got.status.as_u16(), got.code()), (400, "400-144"), "{}", got.body);
}

#[tokio::test]
async fn token_scope_is_required_and_the_scope_form_can_be_pinned() {
    let api = Api::lenient().await;
    let (status, body) = token_answer(&api.sandbox, None).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_request");
    assert!(body["developerMessage"].as_str().unwrap_or_default().contains("scope"));
    let prefixed = "https://api.egain.cloud/auth/app.conversation.conversationmgr.read";
    let bare = "app.conversation.conversationmgr.read";
    assert_eq!(token_answer(&api.sandbox, Some(prefixed)).await.0, 200);
    assert_eq!(token_answer(&api.sandbox, Some(bare)).await.0, 200);

    let mut config = SandboxConfig::default();
    config.fidelity.scope_form = ScopeForm::Prefixed;
    let sandbox = sandbox::start(config).await.expect("starts");
    let (status, body) = token_answer(&sandbox, Some(bare)).await;
    assert_eq!(
        (status.as_u16(), body["error"].as_str()),
        (400, Some("invalid_scope")),
        "{body}"
    );
    assert!(
        body["developerMessage"].as_str().unwrap_or_default().contains(prefixed),
        "{body}"
    );
    assert_eq!(token_answer(&sandbox, Some(prefixed)).await.0, 200);

    let mut config = SandboxConfig::default();
    config.fidelity.scope_form = ScopeForm::Bare;
    let sandbox = sandbox::start(config).await.expect("starts");
    assert_eq!(token_answer(&sandbox, Some(prefixed)).await.0, 400);
    assert_eq!(token_answer(&sandbox, Some(bare)).await.0, 200);
}

#[tokio::test]
async fn documented_statuses_for_unknown_conversations_and_assets() {
    let api = Api::lenient().await;
    let mut reply = example("SendMessageRequest");
    let message = &mut reply["messages"]["message"][0];
    message["sender"] = json!({"type": "custom_bot"});
    message["conversation"] = json!({"id": uuid::Uuid::new_v4().to_string()});
    let got = api.call(Method::POST, "/conversations/messages", Some(&reply)).await;
    assert_eq!((got.status.as_u16(), got.code()), (400, "400-151"), "{}", got.body);

    let long = "a".repeat(300);
    let got = api.call(Method::DELETE, &format!("/assets/{long}"), None).await;
    assert_eq!((got.status.as_u16(), got.code()), (404, "404-101"), "{}", got.body);
}

#[tokio::test]
async fn create_asset_example_and_put_uploads_warn_by_default_and_refuse_when_strict() {
    let api = Api::lenient().await;
    let got = api.call(Method::POST, "/assets", Some(&example("AssetCreate"))).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert!(
        got.warnings.iter().any(|w| w.starts_with("asset-channel-known")),
        "{:?}",
        got.warnings
    );

    let mut small = example("AssetCreate");
    small["size"] = json!(4);
    small["name"] = json!("note.txt");
    let ticket = api.call(Method::POST, "/assets", Some(&small)).await.body;
    let url = ticket["contentUrl"].as_str().expect("contentUrl");
    let put = answer(
        api.http
            .put(url)
            .header("content-type", "text/plain")
            .body("abcd")
            .send()
            .await
            .expect("upload"),
    )
    .await;
    assert_eq!(put.status, 201, "{}", put.body);
    assert!(
        put.warnings.iter().any(|w| w.starts_with("upload-method")),
        "{:?}",
        put.warnings
    );

    // A multipart/form-data upload (the spec assumes raw bytes): the file part is taken, with a warning.
    let ticket = api.call(Method::POST, "/assets", Some(&small)).await.body;
    let id = ticket["id"].as_str().expect("id").to_owned();
    let form = "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n\
                --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"note.txt\"\r\n\
                Content-Type: text/plain\r\n\r\nwxyz\r\n--XyZ--\r\n";
    let posted = answer(
        api.http
            .post(ticket["contentUrl"].as_str().expect("url"))
            .header("content-type", "multipart/form-data; boundary=XyZ")
            .body(form)
            .send()
            .await
            .expect("upload"),
    )
    .await;
    assert_eq!(posted.status, 201, "{}", posted.body);
    assert!(
        posted.warnings.iter().any(|w| w.starts_with("upload-raw-body")),
        "{:?}",
        posted.warnings
    );
    let meta = api.call(Method::GET, &format!("/assets/{id}"), None).await.body;
    let content = api
        .http
        .get(meta["contentUrl"].as_str().expect("download"))
        .send()
        .await
        .expect("download")
        .text()
        .await
        .expect("text");
    assert_eq!(content, "wxyz");

    let strict = Api::strict().await;
    let got = strict
        .call(Method::POST, "/assets", Some(&example("AssetCreate")))
        .await;
    assert_eq!((got.status.as_u16(), got.code()), (400, "400-146"), "{}", got.body);

    // Pinning the two upload switches refuses what the default accepts.
    let mut pinned = SandboxConfig::default();
    pinned.fidelity.set("upload-raw-body", Level::Error).expect("switch");
    pinned.fidelity.set("upload-method", Level::Error).expect("switch");
    let pinned = Api::with(pinned).await;
    let ticket = pinned.call(Method::POST, "/assets", Some(&small)).await.body;
    let url = ticket["contentUrl"].as_str().expect("url").to_owned();
    let multipart = pinned
        .http
        .post(&url)
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body(form)
        .send()
        .await
        .expect("upload");
    let refused = answer(multipart).await;
    assert_eq!(
        (refused.status.as_u16(), refused.code()),
        (400, "400-144"),
        "{}",
        refused.body
    );
    let put = pinned
        .http
        .put(&url)
        .header("content-type", "text/plain")
        .body("abcd")
        .send()
        .await
        .expect("put");
    let refused = answer(put).await;
    assert_eq!(
        (refused.status.as_u16(), refused.code()),
        (403, "403-102"),
        "{}",
        refused.body
    );

    let warnings: Value = api
        .http
        .get(format!("{}/sandbox/warnings", api.sandbox.urls.root))
        .send()
        .await
        .expect("warnings")
        .json()
        .await
        .expect("json");
    let seen: Vec<&str> = warnings["warnings"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|w| w["assumption"].as_str())
        .collect();
    assert!(
        seen.contains(&"asset-channel-known") && seen.contains(&"upload-method"),
        "{warnings}"
    );
    let switches = warnings["assumptions"].as_array().expect("assumptions");
    assert!(
        switches
            .iter()
            .any(|a| a["assumption"] == "stale-modified" && a["level"] == "warn")
    );
}

/// Refusals the HTTP stack makes on its own still carry eGain's error body.
#[tokio::test]
async fn every_refusal_has_the_egain_error_shape() {
    let api = Api::lenient().await;
    let base = &api.sandbox.urls.base;
    let http = &api.http;
    let bearer = format!("Bearer {}", api.token);

    let cases: Vec<(u16, reqwest::RequestBuilder)> = vec![
        (
            405,
            http.patch(format!("{base}/accounts")).header("authorization", &bearer),
        ),
        (
            413,
            http.post(format!("{base}/accounts"))
                .header("authorization", &bearer)
                .header("content-type", "application/json")
                .body(vec![b' '; 3 * 1024 * 1024]),
        ),
        (414, http.get(format!("{base}/accounts?x={}", "a".repeat(9000)))),
        (431, {
            let mut req = http.get(format!("{base}/accounts"));
            for i in 0..150 {
                req = req.header(format!("x-filler-{i}"), "v");
            }
            req
        }),
        (
            415,
            http.post(&api.sandbox.urls.token)
                .header("content-type", "application/json")
                .body("{}"),
        ),
        (
            422,
            http.post(&api.sandbox.urls.token)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=a&grant_type=b"),
        ),
    ];
    for (status, req) in cases {
        let got = answer(req.send().await.expect("request")).await;
        assert_eq!(got.status.as_u16(), status, "{}", got.body);
        assert!(
            got.code().starts_with(&format!("{status}-")),
            "{status}: not an eGain error body: {}",
            got.body
        );
        assert!(
            got.body["developerMessage"].as_str().is_some_and(|m| !m.is_empty()),
            "{status}: {}",
            got.body
        );
    }
}

#[tokio::test]
async fn unknown_query_parameters_are_a_switch() {
    let api = Api::lenient().await;
    let got = api.call(Method::GET, "/accounts?$filter=x", None).await;
    assert_eq!((got.status.as_u16(), got.code()), (400, "400-101"), "{}", got.body);

    let mut config = SandboxConfig::default();
    config
        .fidelity
        .set("unknown-query-parameters", Level::Warn)
        .expect("known switch");
    let relaxed = Api::with(config).await;
    let got = relaxed.call(Method::GET, "/accounts?$filter=x", None).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert!(
        got.warnings.iter().any(|w| w.starts_with("unknown-query-parameters")),
        "{:?}",
        got.warnings
    );
}

/// A customer's first message to the demo account, with only the account as context.
fn bare_opening() -> Value {
    json!({"messages": {"message": [{
        "type": {"value": "text"}, "content": {"text": "hello"}, "sender": {"type": "customer"},
        "conversation": {
            "account": {"address": sandbox::seed::DEMO_ADDRESS, "channel": {"type": sandbox::seed::DEMO_CHANNEL_TYPE}},
            "entryPoint": {}
        }
    }]}})
}

#[tokio::test]
async fn send_message_context_fields_are_a_switch() {
    let demo = |strict: bool| {
        let mut config = SandboxConfig {
            seed: sandbox::Seed::Demo,
            ..SandboxConfig::default()
        };
        config.fidelity.strict = strict;
        config
    };
    // Default: no contact and an entry point without id start a conversation, with warnings.
    let api = Api::with(demo(false)).await;
    let got = api
        .call(Method::POST, "/conversations/messages", Some(&bare_opening()))
        .await;
    assert_eq!(got.status, 202, "{}", got.body);
    let keyed: Vec<&String> = got
        .warnings
        .iter()
        .filter(|w| w.starts_with("send-message-context"))
        .collect();
    assert_eq!(keyed.len(), 2, "entry point id and contact: {:?}", got.warnings);
    assert!(keyed.iter().any(|w| w.contains("entryPoint.id")), "{keyed:?}");
    assert!(keyed.iter().any(|w| w.contains("contact")), "{keyed:?}");
    let id = got.body["messages"]["message"][0]["conversation"]["id"]
        .as_str()
        .expect("conversation id")
        .to_owned();
    let transcript = api.call(Method::GET, &format!("/conversations/{id}"), None).await;
    assert_eq!(transcript.status, 200, "{}", transcript.body);

    // Strict: refused naming the attribute.
    let strict = Api::with(demo(true)).await;
    let got = strict
        .call(Method::POST, "/conversations/messages", Some(&bare_opening()))
        .await;
    assert_eq!((got.status.as_u16(), got.code()), (400, "400-143"), "{}", got.body);
    assert!(
        got.body["developerMessage"]
            .as_str()
            .unwrap_or_default()
            .contains("entryPoint.id")
    );
    let mut no_contact = bare_opening();
    no_contact["messages"]["message"][0]["conversation"]["entryPoint"] = json!({"id": sandbox::seed::DEMO_ENTRY_POINT});
    let got = strict
        .call(Method::POST, "/conversations/messages", Some(&no_contact))
        .await;
    assert_eq!((got.status.as_u16(), got.code()), (400, "400-143"), "{}", got.body);
    assert!(
        got.body["developerMessage"]
            .as_str()
            .unwrap_or_default()
            .contains("contact")
    );

    // The account is needed to route, whatever the level.
    let mut config = demo(false);
    config
        .fidelity
        .set("send-message-context", Level::Off)
        .expect("known switch");
    let off = Api::with(config).await;
    let mut no_account = bare_opening();
    no_account["messages"]["message"][0]["conversation"]
        .as_object_mut()
        .expect("conversation")
        .remove("account");
    let got = off
        .call(Method::POST, "/conversations/messages", Some(&no_account))
        .await;
    assert_eq!((got.status.as_u16(), got.code()), (400, "400-143"), "{}", got.body);
    let got = off
        .call(Method::POST, "/conversations/messages", Some(&bare_opening()))
        .await;
    assert_eq!(got.status, 202, "{}", got.body);
    assert!(got.warnings.is_empty(), "off says nothing: {:?}", got.warnings);
}

#[tokio::test]
async fn reading_one_authentication_with_the_read_scope_is_a_switch() {
    let read_only = |sandbox: RunningSandbox| async move {
        let (status, body) = token_answer(&sandbox, Some("app.conversation.conversationmgr.read")).await;
        assert_eq!(status, 200, "{body}");
        Api {
            sandbox,
            http: Client::new(),
            token: body["access_token"].as_str().expect("token").to_owned(),
        }
    };
    let body = json!({"name": "basic-read", "type": "basic", "basicAuth": {"username": "u", "password": "p"}});

    let manager = Api::lenient().await;
    let id = manager.create("authentications", &body).await;
    let reader = read_only(manager.sandbox).await;
    let got = reader.call(Method::GET, &format!("/authentications/{id}"), None).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert!(
        got.warnings.iter().any(|w| w.starts_with("authentication-read-scope")),
        "{:?}",
        got.warnings
    );
    // Listing stays manage-only (documented), whatever the switch.
    let got = reader.call(Method::GET, "/authentications", None).await;
    assert_eq!((got.status.as_u16(), got.code()), (403, "403-101"), "{}", got.body);

    let manager = Api::strict().await;
    let id = manager.create("authentications", &body).await;
    let got = manager.call(Method::GET, &format!("/authentications/{id}"), None).await;
    assert_eq!(got.status, 200, "manage reads in strict mode: {}", got.body);
    assert!(got.warnings.is_empty(), "{:?}", got.warnings);
    let reader = read_only(manager.sandbox).await;
    let got = reader.call(Method::GET, &format!("/authentications/{id}"), None).await;
    assert_eq!((got.status.as_u16(), got.code()), (403, "403-101"), "{}", got.body);
    // Other kinds keep manage-or-read.
    let got = reader.call(Method::GET, "/channels", None).await;
    assert_eq!(got.status, 200, "{}", got.body);
}

#[tokio::test]
async fn an_unknown_asset_answers_a_listed_status_unless_strict() {
    let unknown = uuid::Uuid::new_v4().to_string();
    let api = Api::lenient().await;
    let got = api.call(Method::GET, &format!("/assets/{unknown}"), None).await;
    assert_eq!((got.status.as_u16(), got.code()), (400, "400-146"), "{}", got.body);
    assert!(
        got.warnings.iter().any(|w| w.starts_with("asset-not-found-404")),
        "{:?}",
        got.warnings
    );

    let strict = Api::strict().await;
    let got = strict.call(Method::GET, &format!("/assets/{unknown}"), None).await;
    assert_eq!((got.status.as_u16(), got.code()), (404, "404-101"), "{}", got.body);
    assert!(got.warnings.is_empty(), "{:?}", got.warnings);

    let warnings: Value = api
        .http
        .get(format!("{}/sandbox/warnings", api.sandbox.urls.root))
        .send()
        .await
        .expect("warnings")
        .json()
        .await
        .expect("json");
    let names: Vec<&str> = warnings["assumptions"]
        .as_array()
        .expect("assumptions")
        .iter()
        .filter_map(|a| a["assumption"].as_str())
        .collect();
    for key in [
        "send-message-context",
        "authentication-read-scope",
        "asset-not-found-404",
    ] {
        assert!(names.contains(&key), "{key} listed: {names:?}");
    }
}
