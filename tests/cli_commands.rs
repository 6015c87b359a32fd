//! The scriptable command line as scripts run it: the real binary against
//! standalone sandboxes started in process, through a config profile.
//! Exit codes, stdout and stderr are the contract checked here.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::{CANARY, demo_sandbox, sandbox_with, within};
use egain_console::api::models::EntityKind;
use egain_console::sandbox::{RunningSandbox, SandboxConfig};
use serde_json::{Value, json};
use tempfile::TempDir;

const SECRET_VAR: &str = "EGAIN_TEST_SANDBOX_SECRET";

/// What one run of the binary left.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// A config file with profile `main` (and `other`, when given) pointing at sandboxes.
struct Setup {
    dir: TempDir,
    config: PathBuf,
    envs: Vec<(String, String)>,
}

fn profile(name: &str, base: &str, token: &str, client_id: &str, var: &str) -> String {
    format!(
        "[profiles.{name}]\nbase_url = \"{base}\"\ntoken_url = \"{token}\"\nclient_id = \"{client_id}\"\nclient_secret_env = \"{var}\"\n\n"
    )
}

impl Setup {
    fn new(main: &RunningSandbox, other: Option<&RunningSandbox>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut text = profile(
            "main",
            &main.urls.base,
            &main.urls.token,
            &main.credentials.client_id,
            SECRET_VAR,
        );
        let mut envs = vec![(SECRET_VAR.to_owned(), main.credentials.client_secret.clone())];
        if let Some(o) = other {
            text.push_str(&profile(
                "other",
                &o.urls.base,
                &o.urls.token,
                &o.credentials.client_id,
                "EGAIN_TEST_OTHER_SECRET",
            ));
            envs.push(("EGAIN_TEST_OTHER_SECRET".into(), o.credentials.client_secret.clone()));
        }
        Self::with_text(&text, envs, dir)
    }

    /// A profile whose URLs point at a listener that only counts connections.
    fn counting(listener: &std::net::TcpListener) -> Self {
        let addr = listener.local_addr().expect("addr");
        let text = profile(
            "main",
            &format!("http://{addr}/conversation/conversationmgr/v3"),
            &format!("http://{addr}/token"),
            "id",
            SECRET_VAR,
        );
        Self::with_text(
            &text,
            vec![(SECRET_VAR.into(), "s".into())],
            tempfile::tempdir().expect("dir"),
        )
    }

    fn with_text(text: &str, envs: Vec<(String, String)>, dir: TempDir) -> Self {
        let config = dir.path().join("config.toml");
        std::fs::write(&config, text).expect("write config");
        Self { dir, config, envs }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Run `egain-console --config FILE --profile main ARGS` with no terminal.
    async fn run(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Run {
        let mut full = vec![
            "--config",
            self.config.to_str().expect("utf-8 path"),
            "--profile",
            "main",
        ];
        full.extend_from_slice(args);
        run_bin(&full, &self.envs, extra_env, self.dir.path()).await
    }
}

async fn run_bin(args: &[&str], envs: &[(String, String)], extra: &[(&str, &str)], dir: &Path) -> Run {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_egain-console"));
    cmd.args(args)
        .env_remove("EGAIN_CONSOLE_CONFIG")
        .env("EGAIN_CONSOLE_SANDBOX_FILE", dir.join("no-sandbox.env"))
        .env("XDG_CONFIG_HOME", dir)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let output = within("the command", cmd.output()).await.expect("run the binary");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn no_connection(listener: &std::net::TcpListener) -> bool {
    listener.set_nonblocking(true).expect("nonblocking");
    matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
}

#[tokio::test]
async fn get_json_returns_every_object_past_the_first_page() {
    let sb = sandbox_with(SandboxConfig::default()).await;
    let (c, _) = common::client(&sb);
    for i in 0..32 {
        let body = json!({"type": format!("custom.c{i:02}"), "displayName": "C", "icon": "x"});
        c.create_raw(EntityKind::Channel, &body).await.expect("create");
    }
    let setup = Setup::new(&sb, None);
    let run = setup.run(&["get", "channels", "-o", "json"], &[]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let list: Vec<Value> = serde_json::from_str(&run.stdout).expect("a JSON array");
    assert_eq!(list.len(), 32);
    assert!(
        list.iter().all(|o| o["id"].is_string()),
        "objects as the API returns them"
    );

    let table = setup.run(&["get", "chan"], &[]).await;
    assert_eq!(table.code, 0, "{table:?}");
    assert_eq!(table.stdout.lines().count(), 33, "a header and every object");
    let one = setup.run(&["get", "channel", "custom.c31", "-o", "yaml"], &[]).await;
    assert!(one.stdout.contains("type: custom.c31"), "{one:?}");
    let missing = setup.run(&["get", "channel", "custom.nope"], &[]).await;
    assert_eq!(missing.code, 1, "{missing:?}");
    assert!(
        missing.stderr.contains("no channel with type \"custom.nope\""),
        "{missing:?}"
    );
}

#[tokio::test]
async fn usage_errors_exit_2_with_one_line() {
    let sb = demo_sandbox().await;
    let setup = Setup::new(&sb, None);
    let cases: &[&[&str]] = &[
        &["get"],
        &["get", "widgets"],
        &["get", "accounts", "-o", "xml"],
        &["delete", "channel"],
        &["export", "--nope"],
        &["plan"],
        &["plan", "-f", "missing.yaml"],
        &["apply", "-f", "missing.yaml", "--yes"],
        &["diff"],
        &["send", "--as", "wizard", "--account", "Demo Account", "hi"],
        &["send", "--as", "custom_agent", "--account", "Demo Account", "hi"],
        &["transcript"],
        &["transcript", "not-an-id"],
        &["completions", "powershell"],
    ];
    for args in cases {
        let run = setup.run(args, &[]).await;
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert_eq!(run.stderr.trim_end().lines().count(), 1, "{args:?}: {}", run.stderr);
        assert!(run.stderr.starts_with("error: "), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
    // Without a profile the embedded sandbox is not a target: say how to start one.
    let run = run_bin(&["get", "accounts"], &[], &[], setup.dir.path()).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("egain-console sandbox") && run.stderr.contains("--profile sandbox"));
}

#[tokio::test]
async fn a_file_that_cannot_be_read_or_written_is_one_plain_message() {
    let sb = demo_sandbox().await;
    let setup = Setup::new(&sb, None);
    let dir = setup.dir.path().display().to_string();
    let missing_dir = setup.path("no-such-folder");
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec![
                "plan".into(),
                "-f".into(),
                setup.path("missing.yaml").display().to_string(),
            ],
            format!("{dir}/missing.yaml: cannot read the bundle: it does not exist; check the path"),
        ),
        (
            vec!["plan".into(), "-f".into(), dir.clone()],
            format!("{dir}: cannot read the bundle: it is a folder; name a file"),
        ),
        (
            vec![
                "export".into(),
                "-o".into(),
                missing_dir.join("bundle.yaml").display().to_string(),
            ],
            format!(
                "{}/bundle.yaml: cannot write the bundle: the folder {} does not exist; create it or choose another path",
                missing_dir.display(),
                missing_dir.display()
            ),
        ),
        (
            vec!["test".into(), setup.path("missing.yaml").display().to_string()],
            format!("{dir}/missing.yaml: no such file or folder; check the path"),
        ),
    ];
    for (args, expected) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = setup.run(&args, &[]).await;
        assert_ne!(run.code, 0, "{args:?}: {run:?}");
        assert_eq!(run.stderr.trim_end(), format!("error: {expected}"), "{args:?}");
    }
    // A config file that is a folder: what, where and the fix, on one line.
    let run = run_bin(&["--config", &dir, "get", "accounts"], &[], &[], setup.dir.path()).await;
    assert_eq!(
        run.stderr.trim_end(),
        format!("error: cannot read config file {dir}: it is a folder; name a file"),
        "{run:?}"
    );
    // The standalone sandbox's state file in a folder that does not exist.
    let state = missing_dir.join("state.db");
    let run = run_bin(
        &[
            "sandbox",
            "--listen",
            "127.0.0.1:0",
            "--state",
            &state.display().to_string(),
        ],
        &[],
        &[],
        setup.dir.path(),
    )
    .await;
    assert_ne!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "{}: cannot write the state file: the folder {} does not exist; create it or choose another path",
            state.display(),
            missing_dir.display()
        )),
        "{run:?}"
    );
    assert!(!run.stderr.contains("os error"), "{run:?}");
}

/// Output that cannot be written where it is redirected (a full disk:
/// `/dev/full`) is one plain message, not the OS's words and code.
#[tokio::test]
async fn output_that_cannot_be_written_is_one_plain_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_egain-console"));
    cmd.args(["completions", "bash"])
        .env_remove("EGAIN_CONSOLE_CONFIG")
        .env("XDG_CONFIG_HOME", dir.path())
        .stdin(Stdio::null())
        .stdout(full)
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = cmd.spawn().expect("spawn the binary");
    let output = within("the command", child.wait_with_output())
        .await
        .expect("run the binary");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim_end(),
        "error: cannot write the output (standard output): the disk is full; free some space and run it again"
    );
}

#[tokio::test]
async fn read_only_refuses_apply_delete_and_send_before_any_request() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let setup = Setup::counting(&listener);
    let bundle = setup.path("b.yaml");
    std::fs::write(
        &bundle,
        "version: 1\nchannels:\n- type: custom.x\n  displayName: X\n  icon: i\n",
    )
    .expect("write");
    let bundle = bundle.to_str().expect("utf-8");
    for args in [
        &["--read-only", "apply", "-f", bundle, "--yes"][..],
        &["--read-only", "delete", "channel", "custom.x", "--yes"],
        &["--read-only", "send", "--as", "customer", "--account", "A", "hello"],
    ] {
        let run = setup.run(args, &[]).await;
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains("read-only"), "{args:?}: {}", run.stderr);
    }
    assert!(no_connection(&listener), "a refused command sent a request");
}

#[tokio::test]
async fn an_unset_placeholder_variable_fails_before_any_request_naming_it() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let setup = Setup::counting(&listener);
    let bundle = setup.path("b.yaml");
    std::fs::write(
        &bundle,
        "version: 1\nauthentications:\n- name: a\n  type: basic\n  basicAuth:\n    username: u\n    password: ${EGAIN_TEST_UNSET_PASSWORD}\n",
    )
    .expect("write");
    let run = setup
        .run(&["apply", "-f", bundle.to_str().expect("utf-8"), "--yes"], &[])
        .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("EGAIN_TEST_UNSET_PASSWORD is not set"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("authentications[0] (a) basicAuth.password"),
        "{}",
        run.stderr
    );
    assert!(no_connection(&listener), "apply sent a request with a secret missing");
}

#[tokio::test]
async fn export_apply_plan_and_diff_between_two_sandboxes() {
    let source = demo_sandbox().await;
    let target = sandbox_with(SandboxConfig::default()).await;
    let setup = Setup::new(&source, Some(&target));
    let bundle = setup.path("demo.yaml");
    let bundle_arg = bundle.to_str().expect("utf-8");
    let export = setup
        .run(&["export", "--account", "Demo Account", "-o", bundle_arg], &[])
        .await;
    assert_eq!(export.code, 0, "{export:?}");
    assert!(export.stdout.is_empty(), "a file was asked for");
    let text = std::fs::read_to_string(&bundle).expect("bundle written");

    // Against the other sandbox (as `other`, by a second config's default).
    let other = |args: &[&str]| {
        let mut full = vec!["--profile", "other"];
        full.extend_from_slice(args);
        full.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run_other = |args: Vec<String>, env: Vec<(&'static str, &'static str)>| {
        let setup = &setup;
        async move {
            let mut full = vec!["--config".to_owned(), setup.config.display().to_string()];
            full.extend(args);
            let refs: Vec<&str> = full.iter().map(String::as_str).collect();
            run_bin(&refs, &setup.envs, &env, setup.dir.path()).await
        }
    };
    let diff = run_other(other(&["diff", "-f", bundle_arg]), vec![]).await;
    assert_eq!(diff.code, 1, "{diff:?}");
    assert!(diff.stdout.contains("+ account \"Demo Account\""), "{}", diff.stdout);

    let before = setup
        .run(&["diff", "--against", "other", "--account", "Demo Account"], &[])
        .await;
    assert_eq!(before.code, 1, "{before:?}");
    assert!(
        before
            .stdout
            .contains("- account \"Demo Account\" (only in profile main)"),
        "{}",
        before.stdout
    );
    let typo = setup
        .run(&["diff", "--against", "other", "--account", "Demo Acount"], &[])
        .await;
    assert_eq!(typo.code, 2, "{typo:?}");
    assert!(
        typo.stderr.contains("no account named \"Demo Acount\" on either side"),
        "{}",
        typo.stderr
    );

    let no_yes = run_other(other(&["apply", "-f", bundle_arg]), vec![]).await;
    assert_eq!(no_yes.code, 2, "not a terminal and no --yes: {no_yes:?}");
    let pw = [("DEMO_CALLBACK_AUTH_PASSWORD", "pw")];
    let apply = run_other(other(&["apply", "-f", bundle_arg, "--yes"]), pw.to_vec()).await;
    assert_eq!(apply.code, 0, "{apply:?}");
    assert_eq!(apply.stdout, "Applied: 6 created, 0 updated, 0 unchanged.\n");

    let plan = run_other(other(&["plan", "-f", bundle_arg, "-o", "json"]), pw.to_vec()).await;
    assert_eq!(plan.code, 0, "{plan:?}");
    let items: Vec<Value> = serde_json::from_str(&plan.stdout).expect("JSON array");
    assert_eq!(items.len(), 6);
    assert!(items.iter().all(|i| i["action"] == "unchanged"), "{items:?}");

    let again = run_other(other(&["export", "--account", "Demo Account"]), vec![]).await;
    assert_eq!(again.stdout, text, "the round trip through the binary is identical");

    let same = setup
        .run(&["diff", "--against", "other", "--account", "Demo Account"], &[])
        .await;
    assert_eq!(same.code, 0, "{same:?}");
    let changed = text.replace("timeout: 30", "timeout: 31");
    std::fs::write(&bundle, changed).expect("edit");
    let diff = setup.run(&["diff", "-f", bundle_arg], &[]).await;
    assert_eq!(diff.code, 1, "{diff:?}");
    assert!(
        diff.stdout.contains("~ chatConfigurations.timeout: 30 -> 31"),
        "{}",
        diff.stdout
    );
    let plan = setup.run(&["plan", "-f", bundle_arg], &[]).await;
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(
        plan.stdout.contains("update    account \"Demo Account\""),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("Plan: 0 to create, 1 to update, 5 unchanged."),
        "{}",
        plan.stdout
    );
}

#[tokio::test]
async fn no_secret_in_an_exported_bundle_or_get_output() {
    let mut config = SandboxConfig {
        seed: egain_console::sandbox::Seed::Demo,
        ..SandboxConfig::default()
    };
    config.hub.demo_callback_auth = Some(("console".into(), CANARY.into()));
    let sb = sandbox_with(config).await;
    let setup = Setup::new(&sb, None);
    for args in [
        &["export"][..],
        &["get", "auth", "-o", "json"],
        &["get", "auth", "demo-callback-auth", "-o", "yaml"],
    ] {
        let run = setup.run(args, &[]).await;
        assert_eq!(run.code, 0, "{args:?}: {run:?}");
        assert!(
            !run.stdout.contains(CANARY) && !run.stderr.contains(CANARY),
            "{args:?}: {run:?}"
        );
    }
}

#[tokio::test]
async fn delete_is_refused_while_referenced_and_asks_for_yes() {
    let sb = demo_sandbox().await;
    let setup = Setup::new(&sb, None);
    let refused = setup.run(&["delete", "channel", "custom.demo", "--yes"], &[]).await;
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.stderr.contains("still referenced by account \"Demo Account\""),
        "{}",
        refused.stderr
    );
    let no_yes = setup.run(&["delete", "account", "Demo Account"], &[]).await;
    assert_eq!(no_yes.code, 2, "{no_yes:?}");
    let deleted = setup.run(&["delete", "account", "Demo Account", "--yes"], &[]).await;
    assert_eq!(deleted.code, 0, "{deleted:?}");
    let list = setup.run(&["get", "accounts", "-o", "json"], &[]).await;
    assert_eq!(list.stdout.trim(), "[]");
}

#[tokio::test]
async fn send_prints_the_conversation_id_and_transcript_shows_it() {
    let sb = demo_sandbox().await;
    let setup = Setup::new(&sb, None);
    let sent = setup
        .run(
            &[
                "send",
                "--as",
                "customer",
                "--account",
                "Demo Account",
                "where is my order?",
            ],
            &[],
        )
        .await;
    assert_eq!(sent.code, 0, "{sent:?}");
    let id = sent.stdout.trim();
    assert_eq!(id.len(), 36, "{sent:?}");
    let reply = setup
        .run(
            &[
                "send",
                "--as",
                "custom_agent",
                "--account",
                "Demo Account",
                "--conversation",
                id,
                "on its way",
            ],
            &[],
        )
        .await;
    assert_eq!(reply.code, 0, "{reply:?}");
    assert_eq!(reply.stdout.trim(), id);
    let json = setup.run(&["transcript", id, "-o", "json"], &[]).await;
    assert_eq!(json.code, 0, "{json:?}");
    let transcript: Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(transcript["id"], id);
    assert!(json.stdout.contains("where is my order?"), "{}", json.stdout);
    let md = setup.run(&["transcript", id], &[]).await;
    assert!(md.stdout.starts_with(&format!("# Conversation {id}")), "{}", md.stdout);
}

#[tokio::test]
async fn completions_for_each_shell() {
    let dir = tempfile::tempdir().expect("dir");
    for shell in ["bash", "zsh", "fish"] {
        let run = run_bin(&["completions", shell], &[], &[], dir.path()).await;
        assert_eq!(run.code, 0, "{shell}: {run:?}");
        assert!(run.stdout.contains("egain-console"), "{shell}");
        assert!(
            run.stdout.contains("export") && run.stdout.contains("transcript"),
            "{shell}"
        );
    }
}

/// `egain-console sandbox` publishes its connection details (0600) for the
/// built-in `sandbox` profile, and removes them when it stops.
#[tokio::test]
async fn the_sandbox_profile_reaches_a_running_standalone_sandbox() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("sandbox.env");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_egain-console"))
        .args(["sandbox", "--listen", "127.0.0.1:0", "--seed", "demo"])
        .env("EGAIN_CONSOLE_SANDBOX_FILE", &file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the sandbox");
    let stdout = child.stdout.take().expect("stdout").into_owned_fd().expect("fd");
    let lines: Vec<String> = tokio::task::spawn_blocking(move || {
        BufReader::new(std::fs::File::from(stdout))
            .lines()
            .take(4)
            .map(|l| l.expect("line"))
            .collect()
    })
    .await
    .expect("read");
    assert_eq!(lines.len(), 4);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("published").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_egain-console"));
    let output = within(
        "get through the sandbox profile",
        cmd.args(["--profile", "sandbox", "get", "accounts"])
            .env("EGAIN_CONSOLE_SANDBOX_FILE", &file)
            .env("XDG_CONFIG_HOME", dir.path())
            .env_remove("EGAIN_CONSOLE_CONFIG")
            .stdin(Stdio::null())
            .output(),
    )
    .await
    .expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(stdout.contains("Demo Account"), "{stdout}");

    let pid = child.id().expect("pid").to_string();
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = within("the sandbox stops", child.wait()).await.expect("wait");
    assert!(exit.success(), "{exit:?}");
    assert!(!file.exists(), "the connection file is removed when the sandbox stops");

    // With no sandbox running, the profile says how to start one.
    let run = run_bin(&["--profile", "sandbox", "get", "accounts"], &[], &[], dir.path()).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("egain-console sandbox"), "{}", run.stderr);
}
