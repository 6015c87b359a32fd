//! `egain-console sandbox` as a user runs it: four lines on stdout (never
//! the secret), then it serves real HTTP until interrupted.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

mod common;

/// Ends the child if an assertion fails before the test stops it itself.
struct KillOnDrop(Option<std::process::Child>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Start `egain-console sandbox` with `args` and `envs`, its stdout piped.
fn spawn_sandbox(dir: &std::path::Path, args: &[&str], envs: &[(&str, &std::path::Path)]) -> KillOnDrop {
    let mut command = Command::new(env!("CARGO_BIN_EXE_egain-console"));
    // The connection file goes to a temp dir, not the user's runtime directory.
    command.env("EGAIN_CONSOLE_SANDBOX_FILE", dir.join("sandbox.env"));
    for (key, value) in envs {
        command.env(key, value);
    }
    let spawned = command
        .arg("sandbox")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .spawn()
        .expect("start the binary");
    KillOnDrop(Some(spawned))
}

/// The four lines the sandbox prints on stdout once it serves.
async fn first_lines(guard: &mut KillOnDrop) -> Vec<String> {
    let stdout = guard.0.as_mut().and_then(|c| c.stdout.take()).expect("stdout");
    tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .take(4)
            .map(|l| l.expect("line"))
            .collect()
    })
    .await
    .expect("read lines")
}

/// Send `signal` (as `kill` takes it) and wait for the exit.
async fn stop(mut guard: KillOnDrop, signal: &str) -> std::process::ExitStatus {
    let mut child = guard.0.take().expect("child");
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    tokio::task::spawn_blocking(move || child.wait())
        .await
        .expect("join")
        .expect("wait")
}

/// A client secret that must never reach stdout.
const CANARY: &str = "canary-sandbox-secret-7f3a";

#[tokio::test]
async fn standalone_sandbox_prints_four_lines_and_serves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secret_file = dir.path().join("sandbox.env");
    let mut guard = spawn_sandbox(
        dir.path(),
        &["--listen", "127.0.0.1:0", "--seed", "demo", "--client-secret", CANARY],
        &[],
    );
    let lines = first_lines(&mut guard).await;
    let keys: Vec<&str> = lines.iter().filter_map(|l| l.split_once('=').map(|(k, _)| k)).collect();
    assert_eq!(
        keys,
        ["base_url", "token_url", "client_id", "client_secret_file"],
        "{lines:?}"
    );
    assert!(!lines.concat().contains(CANARY), "the secret reached stdout: {lines:?}");
    let facts: HashMap<&str, &str> = lines.iter().filter_map(|l| l.split_once('=')).collect();
    assert!(facts["base_url"].ends_with("/conversation/conversationmgr/v3"));
    // The secret is in the file stdout names, readable by its owner only.
    assert_eq!(std::path::Path::new(facts["client_secret_file"]), secret_file);
    let published = std::fs::read_to_string(&secret_file).expect("connection file");
    assert!(
        published.lines().any(|l| l == format!("client_secret={CANARY}")),
        "{published}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret_file).expect("file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let http = reqwest::Client::new();
    let bearer = &bearer(&http, &facts).await;
    let accounts: serde_json::Value = http
        .get(format!("{}/accounts", facts["base_url"]))
        .bearer_auth(bearer)
        .send()
        .await
        .expect("list accounts")
        .json()
        .await
        .expect("json");
    assert_eq!(accounts["paginationInfo"]["count"], 1, "{accounts}");
    assert_eq!(
        accounts["account"][0]["name"],
        egain_console::sandbox::seed::DEMO_ACCOUNT_NAME
    );
    let spec = http
        .get(facts["base_url"].replace("/conversation/conversationmgr/v3", "/openapi.yaml"))
        .send()
        .await
        .expect("spec");
    assert!(spec.text().await.expect("text").starts_with("openapi: 3.0.3"));

    // Ctrl-C (SIGINT) stops it cleanly.
    let exit = stop(guard, "-INT").await;
    assert!(exit.success(), "{exit:?}");
}

/// A bearer token from the sandbox whose stdout lines are `facts` (started with [`CANARY`] as its secret).
async fn bearer(http: &reqwest::Client, facts: &HashMap<&str, &str>) -> String {
    common::bearer_token(http, facts["token_url"], facts["client_id"], CANARY).await
}

/// TERM and HUP stop it as Ctrl-C does: cleanly, and without leaving its
/// temporary folder behind (made only once content needs a file).
#[tokio::test]
async fn term_and_hup_stop_it_and_remove_its_temporary_folder() {
    let folders = |tmp: &std::path::Path| {
        std::fs::read_dir(tmp)
            .expect("read tmp")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("egain-sandbox-"))
            .count()
    };
    for signal in ["-TERM", "-HUP"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let tmp = dir.path().join("tmp");
        std::fs::create_dir(&tmp).expect("tmp dir");
        // Asset content always in files, so one upload makes the temporary folder.
        let args = [
            "--listen",
            "127.0.0.1:0",
            "--asset-memory-mib",
            "0",
            "--client-secret",
            CANARY,
        ];
        let mut guard = spawn_sandbox(dir.path(), &args, &[("TMPDIR", &tmp)]);
        let lines = first_lines(&mut guard).await;
        let facts: HashMap<&str, &str> = lines.iter().filter_map(|l| l.split_once('=')).collect();
        assert_eq!(folders(&tmp), 0, "no folder before any content needs one");
        let http = reqwest::Client::new();
        let bearer = bearer(&http, &facts).await;
        let ticket: serde_json::Value = http
            .post(format!("{}/assets", facts["base_url"]))
            .bearer_auth(&bearer)
            .json(&serde_json::json!({"channel": {"type": "custom.demo"}, "sender": {"type": "customer"}, "name": "a.txt", "size": 5}))
            .send()
            .await
            .expect("create asset")
            .json()
            .await
            .expect("ticket");
        let url = ticket["contentUrl"].as_str().unwrap_or_else(|| panic!("{ticket}"));
        let put = http
            .post(url)
            .header("content-type", "text/plain")
            .body("hello")
            .send()
            .await
            .expect("upload");
        assert_eq!(put.status(), 201, "{:?}", put.text().await);
        assert_eq!(folders(&tmp), 1, "the running sandbox's folder");
        let exit = stop(guard, signal).await;
        assert!(exit.success(), "{signal}: {exit:?}");
        assert_eq!(folders(&tmp), 0, "{signal} left the temporary folder behind");
    }
}

/// Where the connection file cannot be written the secret would be
/// unreadable, so the sandbox refuses to start and says how to fix it.
#[test]
fn an_unwritable_connection_file_is_refused_before_serving() {
    let dir = tempfile::tempdir().expect("tempdir");
    let not_a_dir = dir.path().join("plain-file");
    std::fs::write(&not_a_dir, "x").expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_egain-console"))
        .args(["sandbox", "--listen", "127.0.0.1:0", "--client-secret", CANARY])
        .env("EGAIN_CONSOLE_SANDBOX_FILE", not_a_dir.join("sandbox.env"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run");
    // Stdout ends when it exits; a first line means it started serving anyway.
    let first = BufReader::new(child.stdout.take().expect("stdout")).lines().next();
    if let Some(line) = first {
        let _ = child.kill();
        let _ = child.wait();
        panic!("it served anyway; stdout began with {line:?}");
    }
    let output = child.wait_with_output().expect("wait");
    assert!(!output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("EGAIN_CONSOLE_SANDBOX_FILE"), "{stderr}");
    assert!(stderr.contains("plain-file"), "names the path: {stderr}");
    assert!(!stderr.contains(CANARY), "{stderr}");
}

/// `--workers` takes 1 to 1024; anything else is refused, naming the option, before serving.
#[test]
fn workers_out_of_range_is_refused_naming_the_option() {
    for bad in ["0", "1025", "two"] {
        let output = Command::new(env!("CARGO_BIN_EXE_egain-console"))
            .args(["sandbox", "--listen", "127.0.0.1:0", "--workers", bad])
            .stdin(Stdio::null())
            .output()
            .expect("run");
        assert_eq!(output.status.code(), Some(2), "{bad}: {output:?}");
        assert!(output.stdout.is_empty(), "{bad}: it served");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--workers"), "{bad}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "one plain message: {stderr}");
    }
}
