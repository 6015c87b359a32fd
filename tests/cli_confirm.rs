//! `apply` and `delete` ask before changing anything when run from a
//! terminal: the real binary in a pseudo-terminal against a sandbox started
//! in process. Each step waits for the prompt on screen (no sleeps).

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use common::{client, demo_sandbox, sandbox_with};
use egain_console::api::models::EntityKind;
use egain_console::sandbox::{RunningSandbox, SandboxConfig};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const TIMEOUT: Duration = Duration::from_secs(30);

/// Run the binary in a pty, answer `answer` once `prompt` shows; return (exit code, all output).
fn run_in_pty(args: &[&str], envs: &[(&str, &str)], dir: &Path, prompt: &str, answer: &str) -> (u32, String) {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: 200,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("openpty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_egain-console"));
    cmd.env_clear();
    cmd.env("HOME", dir);
    cmd.env("XDG_CONFIG_HOME", dir);
    cmd.env("EGAIN_CONSOLE_SANDBOX_FILE", dir.join("none.env"));
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.args(args);
    cmd.cwd(dir);
    let mut child = pty.slave.spawn_command(cmd).expect("spawn");
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().expect("reader");
    let mut writer = pty.master.take_writer().expect("writer");
    let seen = Arc::new((Mutex::new((String::new(), false)), Condvar::new()));
    let shared = Arc::clone(&seen);
    let thread = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            let n = reader.read(&mut buf).unwrap_or(0);
            let (lock, changed) = &*shared;
            let Ok(mut out) = lock.lock() else { return };
            if n == 0 {
                out.1 = true;
                changed.notify_all();
                return;
            }
            out.0.push_str(&String::from_utf8_lossy(&buf[..n]));
            changed.notify_all();
        }
    });
    let wait = |what: &str, done: &dyn Fn(&(String, bool)) -> bool| {
        let deadline = Instant::now() + TIMEOUT;
        let (lock, changed) = &*seen;
        let mut out = lock.lock().expect("lock");
        while !done(&out) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "timed out waiting for {what}; output so far:\n{}",
                out.0
            );
            out = changed.wait_timeout(out, left).expect("wait").0;
        }
    };
    wait("the prompt", &|o| o.0.contains(prompt) || o.1);
    writer.write_all(answer.as_bytes()).expect("answer");
    writer.flush().expect("flush");
    let status = child.wait().expect("exit");
    drop(pty.master);
    wait("the end of output", &|o| o.1);
    let _ = thread.join();
    let text = seen.0.lock().expect("lock").0.clone();
    (status.exit_code(), text)
}

fn config(dir: &Path, sb: &RunningSandbox) -> String {
    let path = dir.join("config.toml");
    let text = format!(
        "[profiles.main]\nbase_url = \"{}\"\ntoken_url = \"{}\"\nclient_id = \"{}\"\nclient_secret_env = \"SBX_SECRET\"\n",
        sb.urls.base, sb.urls.token, sb.credentials.client_id
    );
    std::fs::write(&path, text).expect("config");
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_asks_and_a_no_sends_nothing() {
    let source = demo_sandbox().await;
    let target = sandbox_with(SandboxConfig::default()).await;
    let (c, _) = client(&source);
    let tenant = egain_console::bundle::Tenant::fetch(&c).await.expect("tenant");
    let yaml = egain_console::bundle::export(&tenant, &[])
        .expect("export")
        .bundle
        .to_yaml()
        .expect("yaml");
    let dir = tempfile::tempdir().expect("dir");
    let bundle = dir.path().join("b.yaml");
    std::fs::write(&bundle, yaml).expect("bundle");
    let cfg = config(dir.path(), &target);
    let secret = target.credentials.client_secret.clone();
    let path = dir.path().to_owned();
    let bundle_arg = bundle.display().to_string();
    let (refused, applied) = tokio::task::spawn_blocking(move || {
        let args = ["--config", &cfg, "--profile", "main", "apply", "-f", &bundle_arg];
        let envs = [("SBX_SECRET", secret.as_str()), ("DEMO_CALLBACK_AUTH_PASSWORD", "pw")];
        let refused = run_in_pty(&args, &envs, &path, "[y/N]", "n\r");
        let applied = run_in_pty(&args, &envs, &path, "[y/N]", "y\r");
        (refused, applied)
    })
    .await
    .expect("pty runs");
    assert_eq!(refused.0, 1, "{}", refused.1);
    assert!(refused.1.contains("Apply 6 changes to profile `main`"), "{}", refused.1);
    assert!(refused.1.contains("not confirmed; nothing was sent"), "{}", refused.1);
    assert_eq!(applied.0, 0, "{}", applied.1);
    assert!(applied.1.contains("Applied: 6 created"), "{}", applied.1);
    let (t, _) = client(&target);
    assert_eq!(t.list_all_raw(EntityKind::Account).await.expect("accounts").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_asks_and_only_a_yes_deletes() {
    let sb = demo_sandbox().await;
    let dir = tempfile::tempdir().expect("dir");
    let cfg = config(dir.path(), &sb);
    let secret = sb.credentials.client_secret.clone();
    let path = dir.path().to_owned();
    let (kept, deleted) = tokio::task::spawn_blocking(move || {
        let args = [
            "--config",
            &cfg,
            "--profile",
            "main",
            "delete",
            "account",
            "Demo Account",
        ];
        let envs = [("SBX_SECRET", secret.as_str())];
        let kept = run_in_pty(&args, &envs, &path, "[y/N]", "\r");
        let deleted = run_in_pty(&args, &envs, &path, "[y/N]", "yes\r");
        (kept, deleted)
    })
    .await
    .expect("pty runs");
    assert_eq!(kept.0, 1, "{}", kept.1);
    assert!(kept.1.contains("Delete account \"Demo Account\""), "{}", kept.1);
    assert_eq!(deleted.0, 0, "{}", deleted.1);
    let (c, _) = client(&sb);
    assert!(c.list_all_raw(EntityKind::Account).await.expect("accounts").is_empty());
}
