//! `egain-console test --profile P` against a tenant (a standalone sandbox
//! in this process, reached through a config profile with a `[callback]`
//! table): when the customer role does not call the run's receiver, the
//! run refuses (exit 2) unless `--takeover`, which points the role at the
//! receiver for the run and restores it after.

mod common;

use std::path::Path;

use egain_console::api::Client;
use egain_console::api::models::EntityKind;
use egain_console::sandbox::seed::DEMO_APP_NAME;

const SCENARIO: &str = r#"name: echo on a tenant
account: Demo Account
steps:
  - send: hello from a tenant
  - expect: { from: bot, text: "You said: hello from a tenant", within: 10s }
  - end: true
"#;

async fn customer_callback(client: &Client) -> String {
    let apps = client
        .list_raw(EntityKind::ClientApplication, Default::default())
        .await
        .expect("apps");
    let app = apps
        .items
        .iter()
        .find(|a| a["name"] == DEMO_APP_NAME)
        .expect("demo application");
    app["roles"]
        .as_array()
        .and_then(|roles| roles.iter().find(|r| r["name"] == "customer"))
        .and_then(|r| r["callback"].as_str())
        .expect("customer role")
        .to_owned()
}

async fn run(dir: &Path, secret: &str, extra: &[&str]) -> (Option<i32>, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_egain-console"))
        .current_dir(dir)
        .env_remove("EGAIN_CONSOLE_CONFIG")
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("SCENARIO_TEST_SECRET", secret)
        .args(["--config", "console.toml", "test", "--profile", "live", "echo.yaml"])
        .args(extra)
        .output()
        .await
        .expect("binary");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), all)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_run_takes_the_customer_callback_over_only_when_asked_and_restores_it() {
    let sandbox = common::demo_sandbox().await;
    let (client, _exchanges) = common::client(&sandbox);
    let original = customer_callback(&client).await;

    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("echo.yaml"), SCENARIO).expect("scenario");
    let config = format!(
        "[profiles.live]\nbase_url = \"{}\"\ntoken_url = \"{}\"\nclient_id = \"{}\"\n\
         client_secret_env = \"SCENARIO_TEST_SECRET\"\n[profiles.live.callback]\nlisten = \"127.0.0.1:0\"\n",
        sandbox.urls.base, sandbox.urls.token, sandbox.credentials.client_id
    );
    std::fs::write(dir.path().join("console.toml"), config).expect("config");
    let secret = sandbox.credentials.client_secret.clone();

    let (code, all) = run(dir.path(), &secret, &[]).await;
    assert_eq!(code, Some(2), "{all}");
    assert!(all.contains("pass --takeover"), "{all}");
    assert!(all.contains(&original), "names where the role calls now: {all}");
    assert!(!all.contains("RUN "), "nothing ran: {all}");
    assert_eq!(customer_callback(&client).await, original, "nothing changed");

    let (code, all) = run(dir.path(), &secret, &["--takeover"]).await;
    assert_eq!(code, Some(0), "{all}");
    assert!(all.contains("1 passed, 0 failed"), "{all}");
    assert!(all.contains("callback of customer restored: Restored"), "{all}");
    assert!(!all.contains(&secret), "the client secret is never printed");
    assert_eq!(customer_callback(&client).await, original, "restored after the run");
}
