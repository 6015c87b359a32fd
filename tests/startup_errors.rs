//! Start-up errors as a user sees them: the real binary with a bad config,
//! stderr captured (not a terminal, so no colour). Each is one plain message
//! saying what is wrong, where (file:line:column and the key) and how to fix
//! it; never color-eyre's `Location:` or backtrace hints. Snapshots hold the
//! exact text, with the temp directory written as `$DIR`.

use std::path::Path;
use std::process::{Command, Output};

/// Run the console with `config` written to `$DIR/config.toml`.
fn run_with_config(config: &str, env: &[(&str, &str)]) -> (Output, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(&path, config).expect("write config");
    let output = console(dir.path(), &["--config", &path.to_string_lossy()], env);
    let stderr = String::from_utf8_lossy(&output.stderr).replace(&*dir.path().to_string_lossy(), "$DIR");
    (output, stderr)
}

fn console(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_egain-console"));
    cmd.args(args).env_clear().env("HOME", dir).current_dir(dir);
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("run egain-console")
}

/// Exit 1, one `error:` line and one `fix:` line, no source locations.
fn assert_plain(output: &Output, stderr: &str) {
    assert_eq!(output.status.code(), Some(1), "exit status; stderr:\n{stderr}");
    assert!(!stderr.contains("Location:") && !stderr.contains("src/"), "{stderr}");
    assert!(!stderr.contains("BACKTRACE") && !stderr.contains("\x1b["), "{stderr}");
    assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
    assert!(
        stderr.lines().any(|l| l.starts_with("  fix: ")),
        "says how to fix it:\n{stderr}"
    );
}

const PROFILE: &str = "[profiles.acme]\nbase_url = \"http://127.0.0.1:9/conversation/conversationmgr/v3\"\n\
                       token_url = \"http://127.0.0.1:9/token\"\nclient_id = \"acme-client\"\n";

#[test]
fn a_typo_in_a_key() {
    let (output, stderr) = run_with_config(
        &format!("{PROFILE}client_secret_env = \"ACME_SECRET\"\ntimout_secs = 5\n"),
        &[],
    );
    assert_plain(&output, &stderr);
    insta::assert_snapshot!("typo_key", stderr);
}

#[test]
fn a_bad_keys_entry_names_its_line() {
    let (output, stderr) = run_with_config(
        &format!(
            "{PROFILE}client_secret_env = \"ACME_SECRET\"\n\n[keys.global]\n\"m\" = \"toggle_mouse\"\n\"x\" = \"frobnicate\"\n"
        ),
        &[("ACME_SECRET", "s")],
    );
    assert_plain(&output, &stderr);
    assert!(
        stderr.contains("config.toml:9:"),
        "the line of the bad entry:\n{stderr}"
    );
    insta::assert_snapshot!("bad_keys_entry", stderr);
}

#[test]
fn a_missing_secret_env_var() {
    let (output, stderr) = run_with_config(&format!("{PROFILE}client_secret_env = \"ACME_SECRET\"\n"), &[]);
    assert_plain(&output, &stderr);
    assert!(stderr.contains("config.toml:5:"), "{stderr}");
    insta::assert_snapshot!("missing_secret_env", stderr);
}

#[test]
fn a_failing_secret_command() {
    let (output, stderr) = run_with_config(
        &format!("{PROFILE}client_secret_command = \"echo 'vault is sealed' >&2; exit 2\"\n"),
        &[],
    );
    assert_plain(&output, &stderr);
    insta::assert_snapshot!("failing_secret_command", stderr);
}

#[test]
fn several_profiles_and_no_default() {
    let (output, stderr) = run_with_config(
        &format!(
            "{PROFILE}client_secret_env = \"A\"\n\n[profiles.other]\nbase_url = \"http://127.0.0.1:9/v3\"\nbearer_token_env = \"B\"\n"
        ),
        &[],
    );
    assert_plain(&output, &stderr);
    insta::assert_snapshot!("no_default_profile", stderr);
}

/// An unreachable tenant: the first call's error, as the console shows it,
/// names the server and what to check instead of the library's text.
#[tokio::test]
async fn an_unreachable_tenant() {
    use egain_console::api::models::EntityKind;
    use egain_console::api::{AuthConfig, Client, ClientConfig, Paging, Secret};
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let base = format!("http://127.0.0.1:{port}/conversation/conversationmgr/v3");
    let client = Client::new(
        ClientConfig::new(&base, AuthConfig::Bearer(Secret::new("t"))),
        Default::default(),
    )
    .expect("client");
    let err = client
        .list_raw(EntityKind::Account, Paging::default())
        .await
        .expect_err("nothing listens");
    let text = err.to_string().replace(&port.to_string(), "PORT");
    assert!(!text.contains("error sending request"), "{text}");
    insta::assert_snapshot!("unreachable_tenant", text);
}

#[test]
fn a_looping_spec_file_is_refused_naming_the_reference() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("looping.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.3\ncomponents:\n  schemas:\n    A:\n      $ref: '#/components/schemas/B'\n    B:\n      allOf:\n      - $ref: '#/components/schemas/A'\n",
    )
    .expect("write spec");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, format!("[ui]\nspec_file = \"{}\"\n", spec.display())).expect("write config");
    let output = console(dir.path(), &["--config", &config.to_string_lossy()], &[]);
    let stderr = String::from_utf8_lossy(&output.stderr).replace(&*dir.path().to_string_lossy(), "$DIR");
    assert_plain(&output, &stderr);
    assert!(stderr.contains("#/components/schemas/A"), "{stderr}");
    insta::assert_snapshot!("looping_spec", stderr);
}
