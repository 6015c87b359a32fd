//! Streamed asset upload vs curl, to the same kind of signed URL on a
//! sandbox running in its own process (so this process holds only the
//! client). Reports throughput, the ratio to curl and the client's peak
//! memory per file size (memory must not grow with the file).
//!
//! Run: `cargo bench --bench upload` (needs curl on PATH).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use egain_console::api::auth::DEFAULT_SCOPES;
use egain_console::api::models::{AssetCreate, SenderType};
use egain_console::api::transfer::LocalAsset;
use egain_console::api::{AuthConfig, Client, ClientConfig, Recorder, Secret};
use tokio_util::sync::CancellationToken;

mod support;
use support::{peak_rss_kib, reset_peak};

const ROUNDS: usize = 20;
/// The client secret the sandbox is started with (it never prints it).
const SECRET: &str = "bench-secret";
const CHANNEL: &str = "custom.demo";

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    // The sandbox's connection file goes here, not to the user's runtime directory.
    let files = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_egain-console"))
        .args(["sandbox", "--listen", "127.0.0.1:0", "--seed", "demo"])
        .env("EGAIN_SANDBOX_CLIENT_SECRET", SECRET)
        .env("EGAIN_CONSOLE_SANDBOX_FILE", files.path().join("sandbox.env"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sandbox process");
    let mut facts = std::collections::HashMap::new();
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    while facts.len() < 4 {
        let line = lines.next().expect("sandbox line").expect("read");
        if let Some((k, v)) = line.split_once('=') {
            facts.insert(k.to_owned(), v.to_owned());
        }
    }
    let client = Client::new(
        ClientConfig::new(
            facts["base_url"].clone(),
            AuthConfig::ClientCredentials {
                token_url: facts["token_url"].clone(),
                client_id: facts["client_id"].clone(),
                client_secret: Secret::new(SECRET.to_owned()),
                scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
            },
        ),
        Arc::new(Recorder::default()),
    )
    .expect("client");

    let dir = tempfile::tempdir().expect("tempdir");
    println!("upload to a signed URL on loopback, {ROUNDS} rounds each, median shown");
    println!(
        "{:>8} {:>12} {:>12} {:>7} {:>16}",
        "size", "client MB/s", "curl MB/s", "ratio", "client peak RSS"
    );
    for mib in [1u64, 4, 10] {
        let size = if mib == 10 { 10_485_760 } else { mib << 20 };
        let path = dir.path().join(format!("payload-{mib}.bin"));
        write_file(&path, size);
        let file = LocalAsset::inspect(&path).await.expect("inspect");
        let mut ours = Vec::new();
        let mut curl = Vec::new();
        reset_peak();
        // Interleaved, so drift on a shared machine hits both sides alike.
        for _ in 0..ROUNDS {
            let ticket = client
                .create_asset(&AssetCreate::new(CHANNEL, SenderType::Customer, &file.name, size))
                .await
                .expect("create asset");
            let started = Instant::now();
            client
                .upload_to_url(&ticket.content_url, &file, Arc::new(|_| {}), CancellationToken::new())
                .await
                .expect("client upload");
            ours.push(started.elapsed());
            let ticket = client
                .create_asset(&AssetCreate::new(CHANNEL, SenderType::Customer, &file.name, size))
                .await
                .expect("create asset");
            curl.push(curl_upload(&ticket.content_url, &path, &file.content_type));
        }
        let peak = peak_rss_kib();
        let (a, b) = (median(&mut ours), median(&mut curl));
        let rate = |d: Duration| size as f64 / d.as_secs_f64() / 1e6;
        println!(
            "{:>5}MiB {:>12.1} {:>12.1} {:>6.2}x {:>12} KiB",
            mib,
            rate(a),
            rate(b),
            b.as_secs_f64() / a.as_secs_f64(),
            peak
        );
    }
    let _ = child.kill();
    let _ = child.wait();
    std::io::stdout().flush().ok();
}

fn write_file(path: &Path, size: u64) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..size / 8 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        f.write_all(&x.to_le_bytes()).expect("write");
    }
}

/// curl's own transfer time (`time_total`), so process start-up is not counted against it.
fn curl_upload(url: &str, path: &Path, content_type: &str) -> Duration {
    let out = Command::new("curl")
        .args([
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code} %{time_total}",
            "-X",
            "POST",
        ])
        .args(["-H", &format!("Content-Type: {content_type}"), "-H", "Expect:"])
        .arg("-T")
        .arg(path)
        .arg(url)
        .output()
        .expect("run curl");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let status = parts.next().unwrap_or("");
    assert!(status.starts_with('2'), "curl upload failed: {text}");
    Duration::from_secs_f64(parts.next().and_then(|t| t.parse().ok()).expect("time_total"))
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}
