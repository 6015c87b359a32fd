//! `--state FILE` is a database: a conversation continues across a restart,
//! acknowledged writes survive `kill -9`, an inconsistent file is refused
//! naming the problem, and an old JSON state file is migrated.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use egain_console::sandbox::{self, RunningSandbox, SandboxConfig, Seed, seed};
use reqwest::Client;
use serde_json::{Value, json};

mod common;

async fn bearer(sb: &RunningSandbox) -> String {
    common::bearer_token(
        &Client::new(),
        &sb.urls.token,
        &sb.credentials.client_id,
        &sb.credentials.client_secret,
    )
    .await
}

fn opening(text: &str) -> Value {
    json!({"messages": {"message": [{
        "type": {"value": "text"}, "content": {"text": text}, "sender": {"type": "customer"},
        "conversation": {
            "account": {"address": seed::DEMO_ADDRESS, "channel": {"type": seed::DEMO_CHANNEL_TYPE}},
            "customer": {"contacts": {"contact": [{"type": "email", "address": "c@example.com"}]}},
            "entryPoint": {"id": seed::DEMO_ENTRY_POINT}
        }
    }]}})
}

/// Wait (on the hub's change events) until the transcript has `n` bot texts.
async fn bot_texts(sb: &RunningSandbox, conversation: &str, n: usize) -> Value {
    let mut changes = sb.state.hub.subscribe();
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let transcript = sb.state.transcript(conversation).expect("readable").expect("exists");
            let texts = transcript
                .messages
                .message
                .iter()
                .filter(|m| m.sender.party_type.is_bot() && m.kind() == "text")
                .count();
            if texts >= n {
                return serde_json::to_value(transcript).expect("json");
            }
            changes.changed().await.expect("hub runs");
        }
    })
    .await
    .expect("bot answered")
}

#[tokio::test]
async fn a_conversation_started_before_a_restart_continues_after_it() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("state.db");
    let mut config = SandboxConfig {
        state_file: Some(path.clone()),
        seed: Seed::Demo,
        ..SandboxConfig::default()
    };
    config.hub.bot_delay = Duration::ZERO;
    let first = sandbox::start(config.clone()).await.expect("starts");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("state file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the state file holds callback passwords");
    }
    // The demo callbacks name this address: come back on the same one.
    config.listen = first.addr;
    let http = Client::new();
    let auth = bearer(&first).await;
    let base = first.urls.base.clone();

    let accepted: Value = http
        .post(format!("{base}/conversations/messages"))
        .bearer_auth(&auth)
        .json(&opening("hello before"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let conversation = accepted["messages"]["message"][0]["conversation"]["id"]
        .as_str()
        .expect("conversation id")
        .to_owned();
    bot_texts(&first, &conversation, 1).await;

    // An attachment, uploaded and sent before the restart.
    let ticket: Value = http
        .post(format!("{base}/assets"))
        .bearer_auth(&auth)
        .json(&json!({"channel": {"type": seed::DEMO_CHANNEL_TYPE}, "sender": {"type": "customer"}, "name": "note.txt", "size": 5}))
        .send()
        .await
        .expect("ticket")
        .json()
        .await
        .expect("json");
    let asset = ticket["id"].as_str().expect("asset id").to_owned();
    let upload = http
        .post(ticket["contentUrl"].as_str().expect("url"))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("upload");
    assert_eq!(upload.status(), 201);
    let with_file = json!({"messages": {"message": [{
        "type": {"value": "text"}, "content": {"text": "file attached", "attachments": {"attachment": [{"id": asset}]}},
        "sender": {"type": "customer"}, "conversation": {"id": conversation}
    }]}});
    let sent = http
        .post(format!("{base}/conversations/messages"))
        .bearer_auth(&auth)
        .json(&with_file)
        .send()
        .await
        .expect("send");
    assert_eq!(sent.status(), 202);
    let before = bot_texts(&first, &conversation, 2).await;
    let count_before = before["messages"]["message"].as_array().expect("list").len();
    first.shutdown().await;

    let second = sandbox::start(config).await.expect("restarts on the same file");
    assert_eq!(second.state.hub.open_conversations(), 1);
    let auth = bearer(&second).await;
    let sent = http
        .post(format!("{}/conversations/messages", second.urls.base))
        .bearer_auth(&auth)
        .json(&json!({"messages": {"message": [{
            "type": {"value": "text"}, "content": {"text": "hello after"},
            "sender": {"type": "customer"}, "conversation": {"id": conversation}
        }]}}))
        .send()
        .await
        .expect("send");
    assert_eq!(sent.status(), 202, "{}", sent.text().await.unwrap_or_default());
    let after = bot_texts(&second, &conversation, 3).await;
    let messages = after["messages"]["message"].as_array().expect("list");
    assert!(messages.len() > count_before);
    // Every message from before the restart is still there, in order (statuses may have moved on).
    let ids = |list: &[Value]| list.iter().map(|m| m["id"].clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(&messages[..count_before]),
        ids(before["messages"]["message"].as_array().expect("list"))
    );
    assert!(messages.iter().any(|m| m["content"]["text"] == "You said: hello after"));

    let meta: Value = http
        .get(format!("{}/assets/{asset}", second.urls.base))
        .bearer_auth(&auth)
        .send()
        .await
        .expect("asset")
        .json()
        .await
        .expect("json");
    let content = http
        .get(meta["contentUrl"].as_str().expect("download url"))
        .send()
        .await
        .expect("download")
        .text()
        .await
        .expect("text");
    assert_eq!(content, "hello");
    // The asset was used in a message before the restart: still not deletable.
    let delete = http
        .delete(format!("{}/assets/{asset}", second.urls.base))
        .bearer_auth(&auth)
        .send()
        .await
        .expect("delete");
    assert_eq!(delete.status(), 400);
}

/// The client secret the spawned sandboxes accept (it is never printed).
const SECRET: &str = "durability-secret";

/// The standalone sandbox as a child process on a free port, and the facts
/// it prints (base_url, token_url, client_id, client_secret_file) plus
/// `client_secret`, which it was given.
fn spawn_sandbox(path: &std::path::Path, seed: &str) -> (Child, HashMap<String, String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_egain-console"))
        .args(["sandbox", "--listen", "127.0.0.1:0", "--seed", seed, "--state"])
        .arg(path)
        .env("NO_COLOR", "1")
        .env("EGAIN_SANDBOX_CLIENT_SECRET", SECRET)
        .env("EGAIN_CONSOLE_SANDBOX_FILE", path.with_extension("env"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sandbox process");
    let mut facts = HashMap::new();
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    while facts.len() < 4 {
        let line = lines.next().expect("a line").expect("utf-8");
        if let Some((k, v)) = line.split_once('=') {
            facts.insert(k.to_owned(), v.to_owned());
        }
    }
    facts.insert("client_secret".into(), SECRET.into());
    (child, facts)
}

/// Kills the child on every exit path of a test.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_a_burst_of_creates_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("state.db");
    let (mut child, facts) = spawn_sandbox(&path, "empty");
    let http = Client::new();
    let auth = common::bearer_token(&http, &facts["token_url"], &facts["client_id"], &facts["client_secret"]).await;
    let base = facts["base_url"].clone();

    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let (enough_tx, enough) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    for worker in 0..4 {
        let (http, auth, base, acknowledged, enough_tx) = (
            http.clone(),
            auth.clone(),
            base.clone(),
            acknowledged.clone(),
            enough_tx.clone(),
        );
        tasks.push(tokio::spawn(async move {
            for i in 0.. {
                let body = json!({"name": format!("auth-{worker}-{i}"), "type": "basic",
                    "basicAuth": {"username": "u", "password": "p"}});
                let Ok(resp) = http
                    .post(format!("{base}/authentications"))
                    .bearer_auth(&auth)
                    .json(&body)
                    .send()
                    .await
                else {
                    return;
                };
                if resp.status() != 201 {
                    return;
                }
                let Ok(answer) = resp.json::<Value>().await else { return };
                let mut list = acknowledged.lock().expect("lock");
                list.push(answer["id"].as_str().unwrap_or_default().to_owned());
                if list.len() >= 200 {
                    let _ = enough_tx.send(true);
                }
            }
        }));
    }
    let mut enough = enough;
    enough.wait_for(|e| *e).await.expect("creates run");
    // Mid-burst: SIGKILL, no chance to flush or clean up.
    child.kill().expect("kill -9");
    let _ = child.wait();
    for task in tasks {
        let _ = task.await;
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(acknowledged.len() >= 200);

    let reopened = sandbox::start(SandboxConfig {
        state_file: Some(path),
        ..SandboxConfig::default()
    })
    .await
    .expect("the killed sandbox's file opens");
    let store = reopened.state.store();
    let missing: Vec<&String> = acknowledged
        .iter()
        .filter(|id| {
            store
                .get(egain_console::api::models::EntityKind::Authentication, id)
                .is_none()
        })
        .collect();
    assert!(
        missing.is_empty(),
        "lost {} acknowledged creates: {missing:?}",
        missing.len()
    );
}

#[tokio::test]
async fn a_dangling_reference_is_refused_naming_it() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("state.db");
    let config = SandboxConfig {
        state_file: Some(path.clone()),
        seed: Seed::Demo,
        ..SandboxConfig::default()
    };
    let sb = sandbox::start(config.clone()).await.expect("starts");
    let channel = sb
        .state
        .store()
        .by_label(egain_console::api::models::EntityKind::Channel, seed::DEMO_CHANNEL_TYPE)
        .and_then(|c| c["id"].as_str().map(str::to_owned))
        .expect("demo channel");
    sb.shutdown().await;

    // Someone removed the channel behind the sandbox's back.
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.execute("DELETE FROM objects WHERE id = ?1", [&channel])
        .expect("delete");
    drop(conn);
    let err = sandbox::start(config).await.err().expect("refused");
    assert!(
        err.contains(seed::DEMO_ACCOUNT_NAME) && err.contains("$.channel.id") && err.contains(&channel),
        "{err}"
    );
    assert!(err.contains(&path.display().to_string()), "{err}");
}

#[tokio::test]
async fn an_old_json_state_file_is_migrated_and_a_broken_one_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("state.json");
    let channel = "00000000-0000-4000-8000-000000000005";
    let old = json!({"objects": {"channel": [{"id": channel, "type": "sms", "displayName": "SMS",
        "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z"}]}});
    std::fs::write(&path, serde_json::to_vec_pretty(&old).expect("json")).expect("write");
    let sb = sandbox::start(SandboxConfig {
        state_file: Some(path.clone()),
        ..SandboxConfig::default()
    })
    .await
    .expect("migrates");
    assert!(sb.notices.iter().any(|n| n.contains("migrated")), "{:?}", sb.notices);
    assert!(dir.path().join("state.json.v1.json").exists());
    assert!(
        sb.state
            .store()
            .get(egain_console::api::models::EntityKind::Channel, channel)
            .is_some()
    );
    sb.shutdown().await;

    let broken = dir.path().join("broken.json");
    let old = json!({"objects": {"account": [{"id": "00000000-0000-4000-8000-000000000007", "name": "Orders",
        "address": "1", "channel": {"id": channel}}]}});
    std::fs::write(&broken, serde_json::to_vec(&old).expect("json")).expect("write");
    let err = sandbox::start(SandboxConfig {
        state_file: Some(broken.clone()),
        ..SandboxConfig::default()
    })
    .await
    .err()
    .expect("refused");
    assert!(err.contains("Orders") && err.contains(channel), "{err}");
    assert!(broken.exists(), "a refused file is left as it was");

    let garbage = dir.path().join("garbage");
    std::fs::write(&garbage, b"not a state file").expect("write");
    let err = sandbox::start(SandboxConfig {
        state_file: Some(garbage),
        ..SandboxConfig::default()
    })
    .await
    .err()
    .expect("refused");
    assert!(err.contains("--state"), "{err}");
}

#[tokio::test]
async fn closed_conversations_leave_memory_and_unused_tickets_expire() {
    let mut config = SandboxConfig {
        seed: Seed::Demo,
        ..SandboxConfig::default()
    };
    config.assets.upload_url_ttl = Duration::ZERO;
    let sb = sandbox::start(config).await.expect("starts");
    let state = &sb.state;
    let opened = sandbox::hub::submit(state, opening("hi")).expect("opens");
    let conversation = opened.messages.message[0]
        .conversation
        .as_ref()
        .expect("conversation")
        .id
        .clone();
    assert_eq!(state.hub.open_conversations(), 1);
    sandbox::hub::submit(
        state,
        json!({"messages": {"message": [{"type": {"value": "conversation.end"}, "sender": {"type": "customer"},
            "conversation": {"id": conversation}}]}}),
    )
    .expect("ends");
    assert_eq!(state.hub.open_conversations(), 0, "a closed conversation leaves memory");
    let transcript = state
        .transcript(&conversation)
        .expect("readable")
        .expect("kept in the database");
    assert_eq!(transcript.extra["state"], "closed");

    // Tickets whose upload URL expired unused are dropped when the next one is issued.
    let http = Client::new();
    let auth = bearer(&sb).await;
    for _ in 0..3 {
        let resp = http
            .post(format!("{}/assets", sb.urls.base))
            .bearer_auth(&auth)
            .json(&json!({"channel": {"type": seed::DEMO_CHANNEL_TYPE}, "sender": {"type": "customer"}, "name": "a.txt", "size": 1}))
            .send()
            .await
            .expect("ticket");
        assert_eq!(resp.status(), 200);
    }
    assert_eq!(
        state.assets.len(),
        1,
        "only the newest unexpired-or-just-issued ticket is kept"
    );
}

/// The bot's callback endpoint of the delivery test: hangs (never answers)
/// until `answering`, then answers 204 and reports each message's text.
#[derive(Clone)]
struct Endpoint {
    answering: std::sync::Arc<std::sync::atomic::AtomicBool>,
    hung: tokio::sync::mpsc::UnboundedSender<()>,
    received: tokio::sync::mpsc::UnboundedSender<String>,
}

async fn endpoint_callback(
    axum::extract::State(endpoint): axum::extract::State<Endpoint>,
    body: axum::body::Bytes,
) -> axum::http::StatusCode {
    if !endpoint.answering.load(std::sync::atomic::Ordering::SeqCst) {
        let _ = endpoint.hung.send(());
        std::future::pending::<()>().await;
    }
    let value: Value = serde_json::from_slice(&body).unwrap_or_default();
    let text = value["messages"]["message"][0]["content"]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let _ = endpoint.received.send(text);
    axum::http::StatusCode::NO_CONTENT
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_pending_at_kill_9_are_sent_after_restart_in_order() {
    let (hung_tx, mut hung) = tokio::sync::mpsc::unbounded_channel();
    let (received_tx, mut received) = tokio::sync::mpsc::unbounded_channel();
    let endpoint = Endpoint {
        answering: Default::default(),
        hung: hung_tx,
        received: received_tx,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let callback = format!("http://{}/bot", listener.local_addr().expect("addr"));
    let app = axum::Router::new()
        .route("/bot", axum::routing::post(endpoint_callback))
        .with_state(endpoint.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("state.db");
    let (child, facts) = spawn_sandbox(&path, "demo");
    let mut child = Killed(child);
    let http = Client::new();
    let auth = common::bearer_token(&http, &facts["token_url"], &facts["client_id"], &facts["client_secret"]).await;
    let base = facts["base_url"].clone();

    // Point the demo bot role at the endpoint.
    let apps: Value = http
        .get(format!("{base}/clientapplications"))
        .bearer_auth(&auth)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let mut app = apps["clientApplication"]
        .as_array()
        .expect("applications")
        .iter()
        .find(|a| a["name"] == seed::DEMO_APP_NAME)
        .expect("demo application")
        .clone();
    let id = app["id"].as_str().expect("id").to_owned();
    for role in app["roles"].as_array_mut().expect("roles") {
        if role["name"] == "custom_bot" {
            role["callback"] = json!(callback);
        }
    }
    let put = http
        .put(format!("{base}/clientapplications/{id}"))
        .bearer_auth(&auth)
        .json(&app)
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), 204, "{}", put.text().await.unwrap_or_default());

    // The first delivery hangs at the endpoint; the next four queue behind it.
    let texts: Vec<String> = (1..=5).map(|i| format!("message {i}")).collect();
    let accepted: Value = http
        .post(format!("{base}/conversations/messages"))
        .bearer_auth(&auth)
        .json(&opening(&texts[0]))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let conversation = accepted["messages"]["message"][0]["conversation"]["id"]
        .as_str()
        .expect("conversation id")
        .to_owned();
    hung.recv().await.expect("the first delivery reached the endpoint");
    for text in &texts[1..] {
        let reply = json!({"messages": {"message": [{
            "type": {"value": "text"}, "content": {"text": text}, "sender": {"type": "customer"},
            "conversation": {"id": conversation}
        }]}});
        let resp = http
            .post(format!("{base}/conversations/messages"))
            .bearer_auth(&auth)
            .json(&reply)
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status(), 202, "{}", resp.text().await.unwrap_or_default());
    }
    // SIGKILL with five deliveries accepted and none made.
    child.0.kill().expect("kill -9");
    let _ = child.0.wait();

    endpoint.answering.store(true, std::sync::atomic::Ordering::SeqCst);
    let (again, _) = spawn_sandbox(&path, "demo");
    let _again = Killed(again);
    let mut got = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), async {
        while got.len() < texts.len() {
            got.push(received.recv().await.expect("endpoint runs"));
        }
    })
    .await
    .unwrap_or_else(|_| panic!("only {got:?} arrived after the restart"));
    assert_eq!(got, texts, "each pending delivery once, in order");
}
