//! Fixtures for the console tests: an [`App`] on fixed data (ids, timestamps,
//! exchanges), key helpers, and a renderer that turns a frame into text lines.
#![allow(dead_code)]

pub mod live;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};

use egain_console::api::exchange::headers_of;
use egain_console::api::models::SendMessageResponse;
use egain_console::api::models::{EntityKind, Page, PaginationInfo};
use egain_console::api::{ApiError, Direction, ErrorBody, Exchange, ExchangeKind, Recorder, TokenState, redact};
use egain_console::sandbox::{API_BASE_PATH, TOKEN_PATH};
use egain_console::schema::Spec;
use egain_console::templates::Templates;
use egain_console::tui::app::PaneId;
use egain_console::tui::app::{App, Session};
use egain_console::tui::effect::{Call, Effect, Owner};
use egain_console::tui::keymap::Keymap;
use egain_console::tui::msg::{ApiReply, Msg};
use egain_console::tui::theme::Theme;
use egain_console::tui::{update, view};

/// A secret that must never reach a screen or an export.
pub const CANARY: &str = "canary-7d41e0c2-SECRET";

pub const AUTH_ID: &str = "1a2b3c4d-0000-4000-8000-000000000001";
pub const APP_ID: &str = "2b3c4d5e-0000-4000-8000-000000000002";
pub const BOT_ID: &str = "3c4d5e6f-0000-4000-8000-000000000003";
pub const CHANNEL_ID: &str = "4d5e6f70-0000-4000-8000-000000000004";
pub const ORCH_ID: &str = "5e6f7081-0000-4000-8000-000000000005";
pub const ACCOUNT_ID: &str = "6f708192-0000-4000-8000-000000000006";
pub const ACCOUNT2_ID: &str = "708192a3-0000-4000-8000-000000000007";
pub const SANDBOX_ROOT: &str = "http://127.0.0.1:4010";

const CREATED: &str = "2024-05-01T10:00:00.000Z";
const MODIFIED: &str = "2024-05-02T11:30:00.000Z";

fn stamped(mut v: Value, id: &str) -> Value {
    let map = v.as_object_mut().expect("fixture objects are JSON objects");
    let mut out = serde_json::Map::new();
    out.insert("id".into(), json!(id));
    out.append(map);
    out.insert("created".into(), json!(CREATED));
    out.insert("modified".into(), json!(MODIFIED));
    Value::Object(out)
}

fn role(name: &str, path: &str) -> Value {
    json!({
        "name": name,
        "version": "v3",
        "callback": format!("{SANDBOX_ROOT}/sandbox/{path}"),
        "notificationEmail": "ops@example.com",
        "authentication": {"id": AUTH_ID},
    })
}

/// The demo objects, wired like the sandbox seed, with fixed ids; the
/// Authentication's password is the canary.
pub fn objects(kind: EntityKind) -> Vec<Value> {
    match kind {
        EntityKind::Authentication => vec![stamped(
            json!({
                "name": "demo-callback-auth",
                "description": "Basic auth the sandbox uses on the demo callbacks",
                "active": true,
                "type": "basic",
                "basicAuth": {"username": "console", "password": CANARY},
            }),
            AUTH_ID,
        )],
        EntityKind::ClientApplication => vec![stamped(
            json!({
                "name": "Demo Application",
                "description": "Customer side, built-in bot and agent of the sandbox demo",
                "active": true,
                "roles": [role("customer", "inbox/customer"), role("custom_bot", "bot"), role("custom_agent", "agent")],
            }),
            APP_ID,
        )],
        EntityKind::Participant => vec![stamped(
            json!({
                "name": "Demo Bot",
                "type": "custom_bot",
                "description": "The sandbox's built-in bot",
                "active": true,
                "application": {"id": APP_ID},
                "intents": {"intent": [{"value": "order_status", "displayValue": "Order status"}]},
            }),
            BOT_ID,
        )],
        EntityKind::Channel => vec![stamped(
            json!({
                "type": "custom.demo",
                "displayName": "Demo Chat",
                "icon": "iVBORw0KGgo=",
                "description": "Custom channel of the sandbox demo",
                "active": true,
            }),
            CHANNEL_ID,
        )],
        EntityKind::Orchestration => vec![stamped(
            json!({
                "name": "Demo Orchestration",
                "description": "Bot first, then the agent on escalation",
                "active": true,
                "applications": {
                    "botConfiguration": {
                        "forwardTranscript": true,
                        "bots": [{"id": APP_ID, "participant": {"id": BOT_ID}, "onEscalation": {"agent": {"id": APP_ID}}}],
                    },
                    "customerConfiguration": {"customer": {"id": APP_ID}},
                },
            }),
            ORCH_ID,
        )],
        EntityKind::Account => vec![account("Demo Account", "demo@sandbox.local", ACCOUNT_ID), {
            let mut v = account("Support Account", "support@sandbox.local", ACCOUNT2_ID);
            v["active"] = json!(false);
            v
        }],
    }
}

fn account(name: &str, address: &str, id: &str) -> Value {
    stamped(
        json!({
            "name": name,
            "description": "Demo business address on the demo channel",
            "active": true,
            "address": address,
            "channel": {"id": CHANNEL_ID},
            "chatConfigurations": {
                "timeout": 30,
                "defaultLanguage": "en-US",
                "onAgentUnavailability": "off_hours",
                "allowLogoutWithOpenChats": false,
                "allowQueueTransferOnAgentUnavailability": false,
                "orchestration": {"id": ORCH_ID},
                "entryPoint": {"id": "1001"},
            },
            // A field the console does not know: edits must keep it.
            "x-tenantNote": "kept as is",
        }),
        id,
    )
}

pub fn page(items: Vec<Value>) -> Page<Value> {
    Page {
        pagination: PaginationInfo {
            count: items.len() as u64,
            pagenum: 1,
            pagesize: 25,
        },
        items,
    }
}

pub fn session(read_only: bool) -> Session {
    Session {
        profile: "sandbox".into(),
        host: "127.0.0.1:4010".into(),
        sandbox: true,
        sandbox_root: Some(SANDBOX_ROOT.into()),
        read_only,
        callback_urls: Vec::new(),
        receiver: None,
    }
}

/// A console with nothing loaded yet.
pub fn empty_app(read_only: bool) -> App {
    let mut app = App::new(
        session(read_only),
        Keymap::defaults(),
        Theme::mono(),
        Spec::embedded(),
        Templates::embedded(),
    );
    app.token = TokenState::Static;
    app
}

/// A console with every list loaded from [`objects`].
pub fn loaded_app(read_only: bool) -> App {
    let mut app = empty_app(read_only);
    for kind in EntityKind::ALL {
        send(&mut app, listed(kind, objects(kind)));
    }
    app
}

pub fn listed(kind: EntityKind, items: Vec<Value>) -> Msg {
    Msg::Api(
        Owner::Entities,
        ApiReply::Listed {
            kind,
            page: 1,
            generation: 0,
            result: Ok(page(items)),
        },
    )
}

/// An API call of the Entities pane.
pub fn ent(call: Call) -> Effect {
    Effect::Call(Owner::Entities, call)
}

/// The top popup, which the test expects to be there.
pub fn top(app: &App) -> &egain_console::tui::popup::Popup {
    app.popups.top().expect("a popup is open")
}

/// An eGain error answer.
pub fn api_error(status: u16, code: &str, message: &str) -> ApiError {
    ApiError::Api {
        status,
        body: Some(ErrorBody::new(code, message)),
        raw: String::new(),
    }
}

/// Apply a message; the spinner's tick scheduling and notice timers are
/// left out of the result, and list calls lose their load generation (a
/// fixture's pages are always current), so tests compare calls as written.
/// A key is pressed deliberately: a command letter the guard holds
/// (`tui/guard.rs`) runs out its hold before the next message; [`burst`]
/// types at typing speed instead.
pub fn send(app: &mut App, msg: Msg) -> Vec<Effect> {
    let mut effects = update::update(app, msg);
    if let Some(i) = effects.iter().position(|e| matches!(e, Effect::HoldKey(_)))
        && let Effect::HoldKey(seq) = effects.remove(i)
    {
        effects.extend(update::update(app, Msg::HeldKeyDue(seq)));
    }
    tidy(effects)
}

/// Type `text` at typing speed (Enter for a line break): no key's hold runs
/// out before the next key arrives. Returns every effect but the timers.
pub fn burst(app: &mut App, text: &str) -> Vec<Effect> {
    let effects = text
        .chars()
        .flat_map(|c| {
            let msg = match c {
                '\n' => key_event(KeyCode::Enter, KeyModifiers::NONE),
                c if c.is_ascii_uppercase() => key_event(KeyCode::Char(c), KeyModifiers::SHIFT),
                c => key_event(KeyCode::Char(c), KeyModifiers::NONE),
            };
            update::update(app, msg)
        })
        .filter(|e| !matches!(e, Effect::HoldKey(_)))
        .collect();
    tidy(effects)
}

fn tidy(effects: Vec<Effect>) -> Vec<Effect> {
    effects
        .into_iter()
        .filter(|e| !matches!(e, Effect::ScheduleTick | Effect::ExpireNotice(_)))
        .map(|e| match e {
            Effect::Call(owner, Call::List { kind, page, .. }) => Effect::Call(
                owner,
                Call::List {
                    kind,
                    page,
                    generation: 0,
                },
            ),
            other => other,
        })
        .collect()
}

pub fn key_event(code: KeyCode, modifiers: KeyModifiers) -> Msg {
    Msg::Key(KeyEvent::new(code, modifiers))
}

/// Press a plain character key.
pub fn press(app: &mut App, c: char) -> Vec<Effect> {
    let modifiers = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    send(app, key_event(KeyCode::Char(c), modifiers))
}

pub fn press_code(app: &mut App, code: KeyCode) -> Vec<Effect> {
    let modifiers = if code == KeyCode::BackTab {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    send(app, key_event(code, modifiers))
}

pub fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    send(app, key_event(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Type text key by key.
pub fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| press(app, c)).collect()
}

/// 2024-05-02 11:30:00 UTC plus `secs`.
pub fn at(secs: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_714_649_400 + secs).expect("fixed timestamp")
}

/// An exchange recorded the way the client records one: headers through
/// `headers_of`, bodies through `Recorder::capture`, URL through `Exchange::begin`.
pub fn exchange(
    recorder: &Recorder,
    kind: ExchangeKind,
    method: &str,
    url: &str,
    request: Option<(&str, &str)>,
    status: u16,
    response: Option<&str>,
) -> Exchange {
    let mut x = Exchange::begin(Direction::Outbound, kind, method, url);
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("accept", "application/json".parse().expect("header"));
    let auth = match kind {
        ExchangeKind::Token => {
            let basic = base64_basic("console-client", CANARY);
            format!("Basic {basic}")
        }
        _ => format!("Bearer {CANARY}"),
    };
    headers.insert("authorization", auth.parse().expect("header"));
    if let Some((ct, _)) = request {
        headers.insert("content-type", ct.parse().expect("header"));
    }
    x.request_headers = headers_of(&headers);
    x.request_body = request.map(|(ct, body)| recorder.capture(Some(ct), body.as_bytes()));
    x.status = Some(status);
    x.response_headers = vec![
        ("content-type".into(), "application/json".into()),
        (
            "set-cookie".into(),
            redact::header_value("set-cookie", &format!("session={CANARY}")),
        ),
    ];
    x.response_body = response.map(|body| recorder.capture(Some("application/json"), body.as_bytes()));
    x.duration = Duration::from_millis(42);
    x
}

fn base64_basic(user: &str, password: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
}

/// A fixed request log: a token call, a list, a create refused, a create, a delete, a failure.
pub fn exchanges() -> Vec<Exchange> {
    let recorder = Recorder::default();
    let base = format!("{SANDBOX_ROOT}{API_BASE_PATH}");
    let mut out = Vec::new();
    let mut token = exchange(
        &recorder,
        ExchangeKind::Token,
        "POST",
        &format!("{SANDBOX_ROOT}{TOKEN_PATH}"),
        Some((
            "application/x-www-form-urlencoded",
            &format!("grant_type=client_credentials&client_id=console-client&client_secret={CANARY}"),
        )),
        200,
        Some(&format!(
            r#"{{"access_token":"{CANARY}","token_type":"Bearer","expires_in":3600}}"#
        )),
    );
    token.duration = Duration::from_millis(7);
    out.push(token);
    let accounts = json!({"paginationInfo": {"count": 2}, "account": objects(EntityKind::Account)}).to_string();
    out.push(exchange(
        &recorder,
        ExchangeKind::Api,
        "GET",
        &format!("{base}/accounts?pagenum=1&pagesize=25"),
        None,
        200,
        Some(&accounts),
    ));
    let auths = json!({"authentication": objects(EntityKind::Authentication)}).to_string();
    out.push(exchange(
        &recorder,
        ExchangeKind::Api,
        "GET",
        &format!("{base}/authentications"),
        None,
        200,
        Some(&auths),
    ));
    let auth_body = json!({
        "name": "console-callback-auth",
        "description": "Basic auth for the callbacks",
        "type": "basic",
        "basicAuth": {"username": "console", "password": CANARY},
    })
    .to_string();
    out.push(exchange(
        &recorder,
        ExchangeKind::Api,
        "POST",
        &format!("{base}/authentications"),
        Some(("application/json", &auth_body)),
        400,
        Some(r#"{"code":"400-101","developerMessage":"name is not unique","details":[{"key":"$.name"}]}"#),
    ));
    out.push(exchange(
        &recorder,
        ExchangeKind::Api,
        "DELETE",
        &format!("{base}/channels/{CHANNEL_ID}"),
        None,
        409,
        Some(r#"{"code":"409-104","developerMessage":"the channel is used by account Demo Account"}"#),
    ));
    let mut failed = Exchange::begin(
        Direction::Outbound,
        ExchangeKind::Download,
        "GET",
        &format!("{SANDBOX_ROOT}/storage/download?id=a1&signature={CANARY}"),
    );
    failed.error = Some("timed out: operation timed out".into());
    failed.duration = Duration::from_secs(30);
    out.push(failed);
    for (i, x) in out.iter_mut().enumerate() {
        x.id = i as u64 + 1;
        x.started = at(i as i64 * 3);
    }
    out
}

/// Feed the fixed exchanges to the log pane.
pub fn push_exchanges(app: &mut App) {
    for x in exchanges() {
        send(app, Msg::Exchange(Box::new(x)));
    }
}

/// Render the console at `width` x `height` and return the screen as text
/// lines (trailing spaces trimmed).
pub fn render(app: &mut App, width: u16, height: u16) -> String {
    send(app, Msg::Resize(width, height));
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(|frame| view::render(app, frame)).expect("draw");
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..height {
        let mut line = String::new();
        let mut x = 0;
        while x < width {
            // A wide character covers the next cell too: write it once.
            let symbol = buffer[(x, y)].symbol();
            line.push_str(symbol);
            x += unicode_width::UnicodeWidthStr::width(symbol).max(1) as u16;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------- conversations

/// The `Send` effects among `effects`, as (local id, body).
pub fn sends(effects: &[Effect]) -> Vec<(u64, Value)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Call(_, Call::Send { local_id, body }) => Some((*local_id, body.clone())),
            _ => None,
        })
        .collect()
}

/// `type.value` of a send body's first message.
pub fn message_type(body: &Value) -> &str {
    body.pointer("/messages/message/0/type/value")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

pub fn message_text(body: &Value) -> Option<&str> {
    body.pointer("/messages/message/0/content/text").and_then(Value::as_str)
}

/// The hub's 202 for send `local_id`, naming conversation `id`.
pub fn accepted_reply(local_id: u64, id: &str, n: u32) -> Msg {
    let response: SendMessageResponse = serde_json::from_value(json!({
        "messages": {"message": [{"id": format!("hub-msg-{n}"), "conversation": {"id": id}}]}
    }))
    .expect("send response");
    Msg::Api(
        Owner::Conversation,
        ApiReply::Sent {
            local_id,
            result: Ok(response),
        },
    )
}

/// The conversation pane with the composer focused, every list loaded: `2`
/// lands on the message list, Enter enters the composer.
pub fn conversation_app(read_only: bool) -> App {
    let mut app = loaded_app(read_only);
    press(&mut app, '2');
    assert_eq!(app.focus, PaneId::Conversation);
    assert!(!app.conversation.composing, "a pane key lands on the pane's commands");
    press_code(&mut app, KeyCode::Enter);
    assert!(app.conversation.composing);
    app
}

/// Open a customer conversation on the first account with `text`, and let
/// the hub name it `id`. Returns the send's body.
pub fn open_conversation(app: &mut App, text: &str, id: &str) -> Value {
    type_text(app, text);
    press_code(app, KeyCode::Enter);
    press_code(app, KeyCode::Enter);
    let effects = press_code(app, KeyCode::Enter);
    let sent = sends(&effects);
    assert_eq!(
        sent.len(),
        1,
        "the first message goes out after the account pick: {effects:?}"
    );
    let (local_id, body) = sent.into_iter().next().expect("one send");
    send(app, accepted_reply(local_id, id, local_id as u32));
    assert_eq!(app.conversation.viewed().and_then(|c| c.id()), Some(id));
    body
}
