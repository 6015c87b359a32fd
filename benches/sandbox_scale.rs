//! The sandbox at scale: for stores of 1, 1,000 and 10,000 channel+account
//! pairs, conversation opens/s, message appends/s into a conversation of 1
//! and of 10,000 messages, creates/s and the sandbox process's RSS. The
//! sandbox runs in its own process (release build, state in a database
//! file) so this process's memory is not counted; callbacks go to the
//! sandbox's own inbox, so the hub's work is what is measured.
//!
//! Run: `cargo bench --bench sandbox_scale` (or `bench/sandbox.sh`, which adds
//! wrk and Prism when installed); `SANDBOX_BENCH=upload` runs only the upload
//! comparison, `UPLOAD_ROUNDS=N` sets its rounds (15). Under `cargo test --all-targets` a quick run
//! with small stores checks that it still works.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{Value, json};

const SCOPES: &str = "app.conversation.conversationmgr.manage app.conversation.conversationmgr.read app.conversation.conversationmgr.interaction.manage app.conversation.conversationmgr.interaction.read";
/// The client secret the sandbox is started with (it never prints it).
const SECRET: &str = "bench-secret";
/// Concurrent clients in each timed phase (the machine has 2 cores).
const CLIENTS: usize = 4;

struct Sandbox {
    child: Child,
    base: String,
    root: String,
    token: String,
    http: Client,
    /// Holds its connection file until it has stopped.
    _files: tempfile::TempDir,
}

impl Drop for Sandbox {
    /// Ctrl-C, as a user stops it, so one without `--state` removes its
    /// temporary database; killed if it has not ended in 10 s.
    fn drop(&mut self) {
        if let Ok(pid) = libc::pid_t::try_from(self.child.id()) {
            // SAFETY: signals our own child process, which has not been reaped yet.
            unsafe { libc::kill(pid, libc::SIGINT) };
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sandbox {
    /// With a state file, or without one (temporary database, asset content in memory).
    async fn start(state: Option<&std::path::Path>) -> Self {
        // Its connection file goes here, not to the user's runtime directory.
        let files = tempfile::tempdir().expect("tempdir");
        let mut command = Command::new(env!("CARGO_BIN_EXE_egain-console"));
        command
            .args(["sandbox", "--listen", "127.0.0.1:0", "--seed", "empty"])
            .env("EGAIN_SANDBOX_CLIENT_SECRET", SECRET)
            .env("EGAIN_CONSOLE_SANDBOX_FILE", files.path().join("sandbox.env"));
        if let Some(state) = state {
            command.arg("--state").arg(state);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sandbox process");
        let mut facts = HashMap::new();
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        while facts.len() < 4 {
            let line = lines.next().expect("sandbox line").expect("read");
            if let Some((k, v)) = line.split_once('=') {
                facts.insert(k.to_owned(), v.to_owned());
            }
        }
        let http = Client::builder()
            .pool_max_idle_per_host(CLIENTS * 2)
            .build()
            .expect("client");
        let answer: Value = http
            .post(&facts["token_url"])
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", facts["client_id"].as_str()),
                ("client_secret", SECRET),
                ("scope", SCOPES),
            ])
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("token json");
        let base = facts["base_url"].clone();
        let root = base
            .strip_suffix(egain_console::sandbox::API_BASE_PATH)
            .expect("base path")
            .to_owned();
        Self {
            child,
            base,
            root,
            token: answer["access_token"].as_str().expect("token").to_owned(),
            http,
            _files: files,
        }
    }

    async fn post(&self, path: &str, body: &Value) -> Value {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .expect("request");
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    /// Resident memory of the sandbox process, in MiB.
    fn rss_mib(&self) -> f64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse::<f64>().ok()))
            })
            .map_or(0.0, |kib| kib / 1024.0)
    }
}

/// One client application (customer, bot and agent roles calling the
/// sandbox's inbox), a participant and an orchestration; then `pairs`
/// channels, each with one account.
async fn populate(sb: &Sandbox, pairs: usize) -> String {
    let inbox = |role: &str| format!("{}/sandbox/inbox/{role}", sb.root);
    let role = |name: &str| json!({"name": name, "version": "v3", "callback": inbox(name), "notificationEmail": "ops@example.com"});
    let app = sb
        .post(
            "/clientapplications",
            &json!({"name": "bench-app", "roles": [role("customer"), role("custom_bot"), role("custom_agent")]}),
        )
        .await["id"]
        .as_str()
        .expect("app")
        .to_owned();
    let participant = sb
        .post(
            "/participants",
            &json!({"name": "bench-bot", "type": "custom_bot", "application": {"id": app},
                "intents": {"intent": [{"value": "v", "displayValue": "V"}]}}),
        )
        .await["id"]
        .as_str()
        .expect("participant")
        .to_owned();
    let orchestration = sb
        .post(
            "/orchestrations",
            &json!({"name": "bench-flow", "applications": {
                "botConfiguration": {"bots": [{"id": app, "participant": {"id": participant}, "onEscalation": {"agent": {"id": app}}}]},
                "customerConfiguration": {"customer": {"id": app}}}}),
        )
        .await["id"]
        .as_str()
        .expect("orchestration")
        .to_owned();
    let next = Arc::new(AtomicUsize::new(0));
    run_clients(CLIENTS, |_| {
        let next = next.clone();
        let orchestration = orchestration.clone();
        async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= pairs {
                    return 0;
                }
                let channel = sb
                    .post(
                        "/channels",
                        &json!({"type": format!("custom.bench{i}"), "displayName": format!("Bench {i}"), "icon": "iVBORw0KGgo="}),
                    )
                    .await["id"]
                    .as_str()
                    .expect("channel")
                    .to_owned();
                sb.post(
                    "/accounts",
                    &json!({"name": format!("bench-account-{i}"), "address": format!("addr-{i}"), "channel": {"id": channel},
                        "chatConfigurations": {"timeout": 30, "orchestration": {"id": orchestration}, "entryPoint": {"id": "1001"}}}),
                )
                .await;
            }
        }
    })
    .await;
    orchestration
}

fn opening(i: usize, text: &str) -> Value {
    json!({"messages": {"message": [{
        "type": {"value": "text"}, "content": {"text": text}, "sender": {"type": "customer"},
        "conversation": {
            "account": {"address": format!("addr-{i}"), "channel": {"type": format!("custom.bench{i}")}},
            "customer": {"contacts": {"contact": [{"type": "email", "address": "bench@example.com"}]}},
            "entryPoint": {"id": "1001"}
        }
    }]}})
}

fn append(conversation: &str, count: usize) -> Value {
    let message: Vec<Value> = (0..count)
        .map(|n| {
            json!({"type": {"value": "text"}, "content": {"text": format!("message {n}")},
                "sender": {"type": "customer"}, "conversation": {"id": conversation}})
        })
        .collect();
    json!({"messages": {"message": message}})
}

/// Run `clients` tasks to completion; the sum of what they return.
async fn run_clients<'a, F, Fut>(clients: usize, task: F) -> usize
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = usize> + 'a,
{
    futures_util::future::join_all((0..clients).map(task))
        .await
        .into_iter()
        .sum()
}

/// Operations per second of `total` operations spread over the clients.
async fn rate<'a, F, Fut>(total: usize, op: F) -> f64
where
    F: Fn(usize) -> Fut + Clone,
    Fut: Future<Output = ()> + 'a,
{
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    run_clients(CLIENTS, |_| {
        let next = next.clone();
        let op = op.clone();
        async move {
            let mut done = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return done;
                }
                op(i).await;
                done += 1;
            }
        }
    })
    .await;
    total as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(quick));
}

async fn run(quick: bool) {
    let sizes: &[usize] = if quick { &[1, 20] } else { &[1, 1_000, 10_000] };
    let long = if quick { 200 } else { 10_000 };
    let ops = if quick { 40 } else { 1_000 };
    println!(
        "sandbox scale: {CLIENTS} concurrent clients over loopback HTTP, state in SQLite; {ops} operations per cell"
    );
    println!(
        "{:>7} {:>9} {:>12} {:>14} {:>10} {:>10} {:>10}",
        "pairs",
        "opens/s",
        "appends/s@1",
        &format!("appends/s@{long}"),
        "creates/s",
        "deletes/s",
        "RSS MiB"
    );
    // `SANDBOX_BENCH=upload` runs only the upload comparison.
    let sizes = if std::env::var("SANDBOX_BENCH").as_deref() == Ok("upload") {
        &[][..]
    } else {
        sizes
    };
    for &pairs in sizes {
        let dir = tempfile::tempdir().expect("tempdir");
        let sb = Sandbox::start(Some(&dir.path().join("state.db"))).await;
        let sb = &sb;
        populate(sb, pairs).await;

        // Opens: a customer's first message on a random account.
        let opens = rate(ops, |i| async move {
            let account = (i * 7919) % pairs;
            sb.post("/conversations/messages", &opening(account, "hello")).await;
        })
        .await;

        // A short and a long conversation, then single appends to each.
        let open = |text: &'static str| async move {
            sb.post("/conversations/messages", &opening(0, text)).await["messages"]["message"][0]["conversation"]["id"]
                .as_str()
                .expect("conversation")
                .to_owned()
        };
        let short = open("short").await;
        let long_id = open("long").await;
        for _ in 0..long / 100 {
            sb.post("/conversations/messages", &append(&long_id, 100)).await;
        }
        let short_rate = rate(ops, |_| {
            let short = short.clone();
            async move {
                sb.post("/conversations/messages", &append(&short, 1)).await;
            }
        })
        .await;
        let long_rate = rate(ops, |_| {
            let long_id = long_id.clone();
            async move {
                sb.post("/conversations/messages", &append(&long_id, 1)).await;
            }
        })
        .await;

        // Creates and deletes of channels, with the store at this size.
        let created = Arc::new(std::sync::Mutex::new(Vec::new()));
        let creates = rate(ops, |i| {
            let created = created.clone();
            async move {
                let id = sb
                    .post(
                        "/channels",
                        &json!({"type": format!("custom.extra{i}"), "displayName": "Extra", "icon": "iVBORw0KGgo="}),
                    )
                    .await["id"]
                    .as_str()
                    .expect("id")
                    .to_owned();
                created.lock().expect("lock").push(id);
            }
        })
        .await;
        let ids = created.lock().expect("lock").clone();
        let deletes = rate(ids.len(), |i| {
            let id = ids[i].clone();
            async move {
                let resp = sb
                    .http
                    .delete(format!("{}/channels/{id}", sb.base))
                    .bearer_auth(&sb.token)
                    .send()
                    .await
                    .expect("delete");
                assert_eq!(resp.status(), 204);
            }
        })
        .await;
        // Let deliveries to the inbox drain before reading memory.
        tokio::time::sleep(Duration::from_millis(500)).await;
        println!(
            "{:>7} {:>9.0} {:>12.0} {:>14.0} {:>10.0} {:>10.0} {:>10.1}",
            pairs,
            opens,
            short_rate,
            long_rate,
            creates,
            deletes,
            sb.rss_mib()
        );
    }
    upload_vs_discard(quick).await;
    if quick {
        println!("(quick run: `cargo bench --bench sandbox_scale` for the real numbers)");
    }
}

/// What a plain upload server does with the bytes it reads.
#[derive(Clone, Copy)]
enum Keep {
    /// Throws them away: the ceiling an upload to the sandbox is compared with.
    Nothing,
    /// Keeps the chunks as hyper hands them over until the next upload begins.
    Memory,
    /// Writes each chunk to a file as it arrives (removed at the next upload).
    File,
}

/// A plain axum server, on its own thread, that reads request bodies and
/// does `keep` with them: the floor of each way the sandbox stores content,
/// without any of the sandbox's own work.
fn plain_server(keep: Keep, dir: std::path::PathBuf) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let _ = tx.send(listener.local_addr().expect("addr"));
            let last: Arc<std::sync::Mutex<Vec<bytes::Bytes>>> = Arc::default();
            let app = axum::Router::new().route(
                "/upload",
                axum::routing::post(move |body: axum::body::Body| async move {
                    use futures_util::StreamExt;
                    // The last upload goes first, as the sandbox's asset is deleted between rounds.
                    drop(std::mem::take(&mut *last.lock().expect("lock")));
                    let mut stream = body.into_data_stream();
                    let mut n = 0usize;
                    let mut held = Vec::new();
                    let path = dir.join("upload.bin");
                    let mut file = match keep {
                        Keep::File => Some(std::fs::File::create(&path).expect("create")),
                        _ => None,
                    };
                    while let Some(Ok(chunk)) = stream.next().await {
                        n += chunk.len();
                        match keep {
                            Keep::Nothing => {}
                            Keep::Memory => held.push(chunk),
                            Keep::File => {
                                std::io::Write::write_all(file.as_mut().expect("file"), &chunk).expect("write")
                            }
                        }
                    }
                    *last.lock().expect("lock") = held;
                    (axum::http::StatusCode::CREATED, n.to_string())
                }),
            );
            let _ = axum::serve(listener, app).await;
        });
    });
    format!("http://{}/upload", rx.recv().expect("plain server address"))
}

/// One 10 MiB upload through a fresh ticket; its duration. The asset is
/// deleted afterwards (untimed), so every round takes the same path.
async fn upload_once(sb: &Sandbox, payload: &bytes::Bytes) -> Duration {
    let ticket = sb
        .post(
            "/assets",
            &json!({"channel": {"type": "custom.upload"}, "sender": {"type": "customer"}, "name": "bench.bin", "size": payload.len()}),
        )
        .await;
    let url = ticket["contentUrl"].as_str().expect("contentUrl").to_owned();
    let started = Instant::now();
    let resp = sb
        .http
        .post(&url)
        .header("content-type", "application/octet-stream")
        .body(payload.clone())
        .send()
        .await
        .expect("upload");
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap_or_default());
    let took = started.elapsed();
    let id = ticket["id"].as_str().expect("id");
    let resp = sb
        .http
        .delete(format!("{}/assets/{id}", sb.base))
        .bearer_auth(&sb.token)
        .send()
        .await
        .expect("delete");
    assert_eq!(resp.status(), 204);
    took
}

/// 10 MiB uploads into a sandbox with `--state` (streamed to a file beside
/// its database) and into one without (held in memory), against the same
/// bytes posted to plain servers that discard them, keep them in memory or
/// write them to a file; interleaved rounds, medians. The plain servers
/// show what each way of storing costs by itself, apart from the sandbox.
async fn upload_vs_discard(quick: bool) {
    let rounds = if quick {
        2
    } else {
        std::env::var("UPLOAD_ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(15)
    };
    let size: usize = 10_485_760;
    let dir = tempfile::tempdir().expect("tempdir");
    let on_disk = Sandbox::start(Some(&dir.path().join("state.db"))).await;
    let in_memory = Sandbox::start(None).await;
    for sb in [&on_disk, &in_memory] {
        sb.post(
            "/channels",
            &json!({"type": "custom.upload", "displayName": "Upload", "icon": "iVBORw0KGgo="}),
        )
        .await;
    }
    let plain = [Keep::Nothing, Keep::Memory, Keep::File].map(|keep| plain_server(keep, dir.path().to_owned()));
    let http = Client::new();
    let payload = bytes::Bytes::from((0..size).map(|i| (i * 31 % 251) as u8).collect::<Vec<u8>>());
    let (mut file, mut memory) = (Vec::new(), Vec::new());
    let mut theirs: [Vec<Duration>; 3] = Default::default();
    for _ in 0..rounds {
        file.push(upload_once(&on_disk, &payload).await);
        memory.push(upload_once(&in_memory, &payload).await);
        for (url, times) in plain.iter().zip(theirs.iter_mut()) {
            let started = Instant::now();
            let resp = http.post(url).body(payload.clone()).send().await.expect("plain server");
            assert_eq!(resp.status(), 201);
            times.push(started.elapsed());
        }
    }
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let [discard, plain_memory, plain_file] = theirs.map(median);
    let (file, memory) = (median(file), median(memory));
    let mbs = |d: Duration| size as f64 / d.as_secs_f64() / 1e6;
    let ratio = |d: Duration, to: Duration| to.as_secs_f64() / d.as_secs_f64();
    println!("upload 10 MiB (median of {rounds} interleaved rounds; goal: 0.90x the discard server):");
    println!("  plain server, discards       {:>6.0} MB/s", mbs(discard));
    println!(
        "  plain server, writes a file  {:>6.0} MB/s  {:.2}x",
        mbs(plain_file),
        ratio(plain_file, discard)
    );
    println!(
        "  plain server, keeps memory   {:>6.0} MB/s  {:.2}x",
        mbs(plain_memory),
        ratio(plain_memory, discard)
    );
    println!(
        "  sandbox --state (file)       {:>6.0} MB/s  {:.2}x  ({:.2}x the plain file server; RSS after: {:.1} MiB)",
        mbs(file),
        ratio(file, discard),
        ratio(file, plain_file),
        on_disk.rss_mib()
    );
    println!(
        "  sandbox, no state (memory)   {:>6.0} MB/s  {:.2}x  ({:.2}x the plain memory server; RSS after: {:.1} MiB)",
        mbs(memory),
        ratio(memory, discard),
        ratio(memory, plain_memory),
        in_memory.rss_mib()
    );
}
