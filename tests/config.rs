//! The configuration file: lookup, parsing, validation with positions, secret resolution.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use egain_console::config::{
    AuthSettings, AuthSource, CallbackAuth, Config, ConfigError, Location, Origin, Secret, SecretSource,
    normalize_scopes,
};
use egain_console::sandbox::{SandboxConfig, Seed};

const EXAMPLE: &str = include_str!("../config.example.toml");
const CONVERSATIONMGR_SCOPES: [&str; 4] = [
    "app.conversation.conversationmgr.manage",
    "app.conversation.conversationmgr.read",
    "app.conversation.conversationmgr.interaction.manage",
    "app.conversation.conversationmgr.interaction.read",
];

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("/cfg/config.toml"))
}

fn parse_err(text: &str) -> ConfigError {
    match parse(text) {
        Ok(config) => panic!("expected an error, parsed {config:?}"),
        Err(e) => e,
    }
}

/// An environment with exactly these variables (tests never mutate the process environment).
fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
    let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| OsString::from(v))
}

/// `[profiles.p]` on line 1, `base_url` on line 2, `lines` from line 3.
fn profile_with(lines: &str) -> String {
    format!("[profiles.p]\nbase_url = \"https://hub.example.com/v3\"\n{lines}\n")
}

/// Like [`profile_with`] with `token_url` and `client_id` on lines 3 and 4, `secret_lines` from line 5.
fn client_profile(secret_lines: &str) -> String {
    profile_with(&format!(
        "token_url = \"https://auth.example.com/token\"\nclient_id = \"cid\"\n{secret_lines}"
    ))
}

#[test]
fn example_file_parses_with_documented_values() {
    let config = Config::parse(EXAMPLE, Path::new("/home/u/.config/egain-console/config.toml")).unwrap();
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    assert_eq!(config.default_profile.as_deref(), Some("acme-prod"));
    assert_eq!(
        config.profiles.keys().collect::<Vec<_>>(),
        ["acme-ai", "acme-prod", "staging-token"]
    );
    assert_eq!(config.sandbox_profiles.keys().collect::<Vec<_>>(), ["local"]);

    let (name, prod) = config.profile(None).unwrap();
    assert_eq!(name, "acme-prod");
    assert_eq!(
        prod.base_url.as_str(),
        "https://api.egain.cloud/conversation/conversationmgr/v3"
    );
    assert!(prod.read_only);
    assert_eq!(prod.timeout, Duration::from_secs(30));
    let AuthSource::ClientCredentials {
        token_url,
        client_id,
        client_secret,
        scopes,
    } = &prod.auth
    else {
        panic!("acme-prod uses client credentials: {:?}", prod.auth);
    };
    assert_eq!(
        token_url.as_str(),
        "https://ai.egain.cloud/system/auth/ACME-U/oauth2/token"
    );
    assert_eq!(client_id, "00000000-0000-0000-0000-000000000000");
    assert_eq!(client_secret, &SecretSource::Env("ACME_CLIENT_SECRET".into()));
    assert_eq!(
        scopes,
        &[
            "https://api.egain.cloud/auth/app.conversation.conversationmgr.manage",
            "https://api.egain.cloud/auth/app.conversation.conversationmgr.interaction.manage",
        ]
    );
    let callback = prod.callback.as_ref().unwrap();
    assert_eq!(callback.listen.to_string(), "127.0.0.1:8088");
    assert_eq!(
        callback.public_url.as_ref().map(|u| u.as_str()),
        Some("https://my-tunnel.example.com/")
    );
    let cb_env = env(&[("ACME_CALLBACK_PASSWORD", "cb-pass")]);
    match prod.resolve_callback_auth_with(&cb_env).unwrap() {
        CallbackAuth::Basic { username, password } => {
            assert_eq!(username, "console");
            assert_eq!(password.expose(), "cb-pass");
        }
        other => panic!("expected basic callback auth, got {other:?}"),
    }

    let (_, ai) = config.profile(Some("acme-ai")).unwrap();
    match &ai.auth {
        AuthSource::ClientCredentials {
            client_secret, scopes, ..
        } => {
            assert_eq!(client_secret, &SecretSource::Command("pass show egain/acme".into()));
            assert_eq!(scopes, &CONVERSATIONMGR_SCOPES);
        }
        other => panic!("acme-ai uses client credentials: {other:?}"),
    }
    assert!(!ai.read_only);

    let (_, staging) = config.profile(Some("staging-token")).unwrap();
    assert!(matches!(&staging.auth, AuthSource::StaticBearer(SecretSource::Env(v)) if v == "STAGING_BEARER"));
    assert_eq!(staging.timeout, Duration::from_secs(10));

    let mut sandbox = SandboxConfig::default();
    config.sandbox.apply(&mut sandbox);
    assert_eq!(sandbox.seed, Seed::Demo);
    assert_eq!(sandbox.faults.token_lifetime, Duration::from_secs(3600));
    assert_eq!(sandbox.hub.bot_delay, Duration::from_millis(300));
    assert_eq!(sandbox.hub.agent_delay, Duration::from_millis(600));
    // The [ui] and [keys] tables are the console's; they must be valid for it too.
    let ui = egain_console::tui::settings::UiSettings::from_table(&config.ui).expect("[ui] is valid");
    assert_eq!(ui.log_caps().max_entries, 50_000);
    egain_console::tui::keymap::Keymap::load(Some(&config.keys)).expect("[keys] is valid");
}

#[test]
fn sandbox_settings_override_only_what_is_set() {
    let config = parse("[sandbox]\nlatency_ms = 25\nfailure_rate = 0.5\nseed = \"empty\"\n").unwrap();
    let mut sandbox = SandboxConfig {
        seed: Seed::Demo,
        ..SandboxConfig::default()
    };
    let bot_delay = sandbox.hub.bot_delay;
    config.sandbox.apply(&mut sandbox);
    assert_eq!(sandbox.faults.latency, Duration::from_millis(25));
    assert_eq!(sandbox.faults.failure_rate, 0.5);
    assert_eq!(sandbox.seed, Seed::Empty);
    assert_eq!(sandbox.hub.bot_delay, bot_delay);

    let err = parse_err("[sandbox]\nseed = \"full\"\n");
    assert!(matches!(&err, ConfigError::Parse { key: Some(k), at, .. } if k == "sandbox.seed" && at.line == Some(2)));
}

#[test]
fn unknown_key_names_line_column_and_key() {
    let err = parse_err(&client_profile("client_secret_env = \"S\"\ntimeout_sec = 5"));
    let ConfigError::Parse { at, key, message } = &err else {
        panic!("expected a parse error, got {err:?}");
    };
    assert_eq!(at.line, Some(6));
    assert_eq!(at.column, Some(1));
    assert_eq!(key.as_deref(), Some("profiles.p.timeout_sec"));
    assert!(message.contains("unknown field `timeout_sec`"), "{message}");
    let shown = err.to_string();
    assert!(
        shown.starts_with("/cfg/config.toml:6:1: `profiles.p.timeout_sec`: "),
        "{shown}"
    );
}

#[test]
fn unknown_top_level_table_is_rejected_but_ui_and_keys_are_free_form() {
    let err = parse_err("[uii]\ntheme = \"dark\"\n");
    assert!(
        matches!(&err, ConfigError::Parse { at, .. } if at.line == Some(1)),
        "{err:?}"
    );
    assert!(err.to_string().contains("unknown field `uii`"), "{err}");

    let config = parse("[ui]\ntheme = \"dark\"\n[keys]\nquit = \"q\"\n").unwrap();
    assert_eq!(config.ui.get("theme").and_then(|v| v.as_str()), Some("dark"));
    assert_eq!(config.keys.get("quit").and_then(|v| v.as_str()), Some("q"));
}

#[test]
fn type_error_names_line_and_key() {
    let err = parse_err(&client_profile("client_secret_env = \"S\"\ntimeout_secs = \"thirty\""));
    let ConfigError::Parse { at, key, .. } = &err else {
        panic!("expected a parse error, got {err:?}");
    };
    assert_eq!(at.line, Some(6));
    assert_eq!(at.column, Some(16));
    assert_eq!(key.as_deref(), Some("profiles.p.timeout_secs"));
}

#[test]
fn type_error_inside_an_array_names_the_element() {
    let err = parse_err(&client_profile("client_secret_env = \"S\"\nscopes = [\"a\", 7]"));
    assert!(
        matches!(&err, ConfigError::Parse { key: Some(k), at, .. } if k == "profiles.p.scopes[1]" && at.line == Some(6)),
        "{err:?}"
    );
}

#[test]
fn syntax_error_names_line() {
    let err = parse_err("default_profile = \"p\"\n\n[profiles.p]\nbase_url = \n");
    assert!(
        matches!(&err, ConfigError::Parse { at, .. } if at.line == Some(4)),
        "{err:?}"
    );
}

#[test]
fn missing_field_is_reported() {
    let err = parse_err("[profiles.p]\nclient_secret_env = \"S\"\n").to_string();
    assert!(err.contains("`profiles.p.base_url`: required"), "{err}");
    assert!(err.contains("sandbox = true"), "the error names the alternative: {err}");
}

#[test]
fn validation_errors_name_profile_key_and_line() {
    let cases: Vec<(String, &str, usize, &str)> = vec![
        (
            "[profiles.p]\nbase_url = \"ftp://hub.example.com\"\nbearer_token_env = \"T\"\n".into(),
            "profiles.p.base_url",
            2,
            "absolute http(s) URL",
        ),
        (
            "[profiles.p]\nbase_url = \"hub.example.com/v3\"\nbearer_token_env = \"T\"\n".into(),
            "profiles.p.base_url",
            2,
            "absolute http(s) URL",
        ),
        (
            client_profile("client_secret_env = \"S\"\nclient_secret_command = \"c\""),
            "profiles.p.client_secret_command",
            6,
            "conflicts with `client_secret_env`",
        ),
        (
            client_profile("client_secret_env = \"S\"\nbearer_token_env = \"T\""),
            "profiles.p.bearer_token_env",
            6,
            "exactly one",
        ),
        (
            profile_with("client_id = \"c\"\nclient_secret_env = \"S\""),
            "profiles.p.token_url",
            1,
            "required with `client_secret_env`",
        ),
        (
            client_profile("client_secret_env = \"S\"").replace("client_id = \"cid\"\n", ""),
            "profiles.p.client_id",
            1,
            "required",
        ),
        (profile_with("timeout_secs = 3"), "profiles.p", 1, "no credential"),
        (
            client_profile("client_secret_env = \"S\"\ntimeout_secs = 0"),
            "profiles.p.timeout_secs",
            6,
            "at least 1",
        ),
        (
            client_profile("client_secret_env = \"S\"\ntimeout_secs = 18446744073709551615"),
            "profiles.p.timeout_secs",
            6,
            "at most 86400",
        ),
        (
            profile_with("bearer_token_env = \"T\"\ntoken_url = \"https://a.example.com/t\""),
            "profiles.p.token_url",
            4,
            "no effect",
        ),
        (
            client_profile("client_secret_env = \"S\"\nscopes = []"),
            "profiles.p.scopes",
            6,
            "must not be empty",
        ),
        (
            client_profile("client_secret_env = \"S\"\nscopes = [\"a b\"]"),
            "profiles.p.scopes",
            6,
            "one non-empty word",
        ),
        (
            client_profile("client_secret_env = \"\""),
            "profiles.p.client_secret_env",
            5,
            "must not be empty",
        ),
        (
            profile_with("bearer_token_env = \"T\"\n[profiles.p.callback]\npassword_env = \"P\""),
            "profiles.p.callback.username",
            4,
            "required with `callback.password_env`",
        ),
        (
            profile_with("bearer_token_env = \"T\"\n[profiles.p.callback]\nlisten = \"localhost\""),
            "profiles.p.callback.listen",
            5,
            "not an address",
        ),
        (
            "default_profile = \"nope\"\n".into(),
            "default_profile",
            1,
            "not defined",
        ),
        (
            "[sandbox]\nfailure_rate = 1.5\n".into(),
            "sandbox.failure_rate",
            2,
            "between 0.0 and 1.0",
        ),
    ];
    for (text, want_key, want_line, want_text) in &cases {
        let err = parse_err(text);
        let ConfigError::Invalid { at, key, message } = &err else {
            panic!("{text}: expected a validation error, got {err:?}");
        };
        assert_eq!(key, want_key, "{text}");
        assert_eq!(at.line, Some(*want_line), "{text}: {err}");
        assert!(message.contains(want_text), "{text}: {message}");
        assert!(
            err.to_string().starts_with(&format!("/cfg/config.toml:{want_line}:")),
            "{err}"
        );
    }
}

#[test]
fn base_url_trailing_slash_is_dropped() {
    let config = parse(&profile_with("bearer_token_env = \"T\"").replace("/v3\"", "/v3/\"")).unwrap();
    assert_eq!(config.profiles["p"].base_url.as_str(), "https://hub.example.com/v3");
}

#[test]
fn missing_explicit_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.toml");
    for origin in [Origin::Flag, Origin::Env] {
        let err = Config::load_from(&Location {
            path: path.clone(),
            origin,
        })
        .unwrap_err();
        assert!(matches!(err, ConfigError::NotFound { .. }), "{err:?}");
        let shown = err.to_string();
        assert!(shown.contains(&path.display().to_string()), "{shown}");
        assert!(shown.contains(&origin.to_string()), "{shown}");
    }
    assert!(matches!(Config::load(Some(&path)), Err(ConfigError::NotFound { .. })));
}

#[test]
fn missing_file_at_default_location_means_no_config() {
    let dir = tempfile::tempdir().unwrap();
    let location = Location {
        path: dir.path().join("config.toml"),
        origin: Origin::Default,
    };
    assert!(Config::load_from(&location).unwrap().is_none());
}

#[test]
fn locate_prefers_flag_then_env_then_default() {
    let flag = PathBuf::from("/from/flag.toml");
    let env_value = Some(OsString::from("/from/env.toml"));

    let chosen = Config::locate(Some(&flag), env_value.clone()).unwrap();
    assert_eq!((chosen.path.as_path(), chosen.origin), (flag.as_path(), Origin::Flag));

    let chosen = Config::locate(None, env_value).unwrap();
    assert_eq!(
        (chosen.path.as_path(), chosen.origin),
        (Path::new("/from/env.toml"), Origin::Env)
    );

    // An empty variable counts as unset.
    let fallback = Config::locate(None, Some(OsString::new()));
    assert_eq!(
        fallback.as_ref().map(|l| l.origin),
        Config::default_path().map(|_| Origin::Default)
    );
    assert_eq!(fallback.map(|l| l.path), Config::default_path());
    if let Some(path) = Config::default_path() {
        assert!(path.ends_with("config.toml"), "{}", path.display());
    }
}

#[test]
fn file_named_by_env_is_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("console.toml");
    std::fs::write(&path, EXAMPLE).unwrap();
    let location = Config::locate(None, Some(path.clone().into_os_string())).unwrap();
    assert_eq!(location.origin, Origin::Env);
    let config = Config::load_from(&location).unwrap().unwrap();
    assert_eq!(config.profiles.len(), 3);
    // Through the public entry point with the flag, too.
    let (config, loaded_from) = Config::load(Some(&path)).unwrap().unwrap();
    assert_eq!(loaded_from, path);
    assert_eq!(config.default_profile.as_deref(), Some("acme-prod"));
}

#[test]
fn relative_state_file_starts_at_the_config_folder() {
    let config = Config::parse(
        "[sandbox]\nstate_file = \"state.json\"\n",
        Path::new("/etc/egain/config.toml"),
    )
    .unwrap();
    assert_eq!(
        config.sandbox.state_file.as_deref(),
        Some(Path::new("/etc/egain/state.json"))
    );
}

#[test]
fn secret_from_env() {
    let config = parse(&client_profile("client_secret_env = \"EGAIN_TEST_SECRET_7F3A\"")).unwrap();
    let profile = &config.profiles["p"];
    let auth = profile
        .resolve_auth_with(&env(&[("EGAIN_TEST_SECRET_7F3A", "s3cret")]))
        .unwrap();
    let AuthSettings::ClientCredentials(creds) = auth else {
        panic!("expected client credentials");
    };
    assert_eq!(creds.client_secret.expose(), "s3cret");
    assert_eq!(creds.client_id, "cid");
    assert_eq!(creds.token_url.as_str(), "https://auth.example.com/token");
    assert_eq!(creds.scope_param(), CONVERSATIONMGR_SCOPES.join(" "));

    let err = profile.resolve_auth_with(&env(&[])).unwrap_err();
    let shown = err.to_string();
    for part in ["profile `p`", "client_secret_env", "EGAIN_TEST_SECRET_7F3A", "not set"] {
        assert!(shown.contains(part), "{shown}");
    }
    let err = profile
        .resolve_auth_with(&env(&[("EGAIN_TEST_SECRET_7F3A", "")]))
        .unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");
}

#[test]
fn secret_from_command_is_trimmed() {
    // TOML `"printf 'canary\\n'"` is the shell text `printf 'canary\n'`.
    let config = parse(&profile_with("bearer_token_command = \"printf 'canary\\\\n'\"")).unwrap();
    match config.profiles["p"].resolve_auth_with(&env(&[])).unwrap() {
        AuthSettings::StaticBearer(token) => assert_eq!(token.expose(), "canary"),
        other => panic!("expected a static bearer, got {other:?}"),
    }
    let config = parse(&client_profile("client_secret_command = \"printf canary\"")).unwrap();
    match config.profiles["p"].resolve_auth_with(&env(&[])).unwrap() {
        AuthSettings::ClientCredentials(creds) => assert_eq!(creds.client_secret.expose(), "canary"),
        other => panic!("expected client credentials, got {other:?}"),
    }
}

#[test]
fn failing_command_reports_status_and_first_stderr_line_but_not_stdout() {
    let command = "printf leaked; echo 'vault locked' >&2; echo second >&2; exit 3";
    let config = parse(&client_profile(&format!("client_secret_command = \"{command}\""))).unwrap();
    let err = config.profiles["p"].resolve_auth_with(&env(&[])).unwrap_err();
    let ConfigError::SecretCommand { status, stderr, .. } = &err else {
        panic!("expected a command failure, got {err:?}");
    };
    assert!(status.contains('3'), "{status}");
    assert_eq!(stderr.as_deref(), Some("vault locked"));
    let shown = err.to_string();
    for part in ["profile `p`", "client_secret_command", "exit status: 3", "vault locked"] {
        assert!(shown.contains(part), "{shown}");
    }
    // Only the first stderr line is quoted ("second" appears once: in the command text).
    assert_eq!(shown.matches("second").count(), 1, "{shown}");
    // "leaked" appears once: in the command text, never as the command's output.
    assert_eq!(shown.matches("leaked").count(), 1, "{shown}");

    let config = parse(&client_profile("client_secret_command = \"true\"")).unwrap();
    let err = config.profiles["p"].resolve_auth_with(&env(&[])).unwrap_err();
    assert!(matches!(err, ConfigError::SecretOutput { .. }), "{err:?}");
}

#[test]
fn secrets_never_print() {
    let config = parse(&client_profile("client_secret = \"hunter2-inline\"")).unwrap();
    let profile = &config.profiles["p"];
    assert!(!format!("{profile:?}").contains("hunter2"));
    let auth = profile.resolve_auth_with(&env(&[])).unwrap();
    let debug = format!("{auth:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(debug.contains("***"), "{debug}");
    let AuthSettings::ClientCredentials(creds) = auth else {
        panic!("expected client credentials");
    };
    assert_eq!(creds.client_secret.to_string(), "***");
    assert_eq!(format!("{:?}", creds.client_secret), "***");
    assert_eq!(creds.client_secret.expose(), "hunter2-inline");
}

#[test]
fn inline_secret_warns_and_so_does_a_readable_file() {
    let text = client_profile("client_secret = \"inline\"");
    let config = parse(&text).unwrap();
    assert_eq!(config.warnings.len(), 1, "{:?}", config.warnings);
    assert!(config.warnings[0].contains("profile `p`") && config.warnings[0].contains("client_secret_env"));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, &text).unwrap();
        let load = |mode| {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let location = Location {
                path: path.clone(),
                origin: Origin::Flag,
            };
            Config::load_from(&location).unwrap().unwrap().warnings
        };
        assert!(load(0o644).iter().any(|w| w.contains("chmod 600")));
        assert!(!load(0o600).iter().any(|w| w.contains("chmod 600")));
    }
}

#[test]
fn scope_normalization() {
    let scopes: Vec<String> = ["a.manage", "https://api.egain.cloud/auth/b.read"]
        .map(String::from)
        .to_vec();
    assert_eq!(normalize_scopes(&scopes, None), scopes);
    assert_eq!(
        normalize_scopes(&scopes, Some("https://api.egain.cloud/auth/")),
        [
            "https://api.egain.cloud/auth/a.manage",
            "https://api.egain.cloud/auth/b.read"
        ]
    );

    // Through the file: a prefix without its final slash still joins cleanly; defaults get it too.
    let config = parse(&client_profile(
        "client_secret_env = \"S\"\nscope_prefix = \"https://api.egain.cloud/auth\"",
    ))
    .unwrap();
    let AuthSource::ClientCredentials { scopes, .. } = &config.profiles["p"].auth else {
        panic!("expected client credentials");
    };
    let want: Vec<String> = CONVERSATIONMGR_SCOPES
        .iter()
        .map(|s| format!("https://api.egain.cloud/auth/{s}"))
        .collect();
    assert_eq!(scopes, &want);
}

#[test]
fn profile_selection() {
    let two = format!(
        "{}\n[profiles.q]\nbase_url = \"https://q.example.com\"\nbearer_token_env = \"T\"\n",
        profile_with("bearer_token_env = \"T\"")
    );
    let config = parse(&two).unwrap();
    match config.profile(None).unwrap_err() {
        ConfigError::NoProfile { available } => assert_eq!(available, ["p", "q"]),
        other => panic!("expected NoProfile, got {other:?}"),
    }
    assert_eq!(config.profile(Some("q")).unwrap().0, "q");
    let err = config.profile(Some("prod")).unwrap_err();
    assert_eq!(err.to_string(), "no profile named `prod`; available: `p`, `q`");

    let one = parse(&profile_with("bearer_token_env = \"T\"")).unwrap();
    assert_eq!(one.profile(None).unwrap().0, "p");

    let none = parse("").unwrap();
    assert!(matches!(none.profile(None), Err(ConfigError::NoProfile { available }) if available.is_empty()));
}

#[test]
fn callback_defaults_and_bearer() {
    let config = parse(&profile_with(
        "bearer_token_env = \"T\"\n[profiles.p.callback]\nbearer_token_command = \"printf cb\"",
    ))
    .unwrap();
    let profile = &config.profiles["p"];
    let callback = profile.callback.as_ref().unwrap();
    assert_eq!(callback.listen.to_string(), "127.0.0.1:0");
    assert!(callback.public_url.is_none());
    assert_eq!(
        profile.resolve_callback_auth_with(&env(&[])).unwrap(),
        CallbackAuth::Bearer(Secret::new("cb"))
    );
    let bare = parse(&profile_with("bearer_token_env = \"T\"")).unwrap();
    assert_eq!(
        bare.profiles["p"].resolve_callback_auth_with(&env(&[])).unwrap(),
        CallbackAuth::None
    );
}

/// `config` with profile `name` made from a running sandbox's connection file.
fn as_running_sandbox(config: &Config, name: &str) -> Config {
    config
        .with_standalone_sandbox(
            name,
            "http://127.0.0.1:8080/conversation/conversationmgr/v3",
            "http://127.0.0.1:8080/token",
            "sandbox-console",
            Secret::new("sbx-secret".to_owned()),
        )
        .expect("resolved")
}

/// `sandbox = true`: a user's own name for a running standalone sandbox, with
/// its own read-only and timeout settings; URL and credentials come from the
/// sandbox's connection file when the profile is used.
#[test]
fn a_sandbox_profile_takes_its_url_and_credentials_from_the_running_sandbox() {
    let config =
        parse("default_profile = \"local\"\n[profiles.local]\nsandbox = true\nread_only = true\ntimeout_secs = 5\n")
            .expect("parses");
    assert!(config.profiles.is_empty());
    let settings = &config.sandbox_profiles["local"];
    assert!(settings.read_only);
    assert_eq!(settings.timeout, Duration::from_secs(5));
    assert_eq!(config.chosen_name(None), Some("local"));
    assert!(
        config.profile(None).is_err(),
        "not usable before the connection file is read"
    );

    let resolved = as_running_sandbox(&config, "local");
    let (name, profile) = resolved.profile(None).expect("the default profile");
    assert_eq!(name, "local");
    assert_eq!(
        profile.base_url.as_str(),
        "http://127.0.0.1:8080/conversation/conversationmgr/v3"
    );
    assert!(profile.read_only, "the user's setting is kept");
    assert_eq!(profile.timeout, Duration::from_secs(5));
    let AuthSettings::ClientCredentials(cc) = profile.resolve_auth_with(&env(&[])).expect("auth") else {
        panic!("client credentials");
    };
    assert_eq!(cc.client_id, "sandbox-console");
    assert_eq!(cc.client_secret.expose(), "sbx-secret");

    // The only profile is chosen without `default_profile`; a receiver for scenario runs is kept.
    let only =
        parse("[profiles.mine]\nsandbox = true\n[profiles.mine.callback]\nlisten = \"127.0.0.1:0\"\n").expect("parses");
    assert_eq!(only.chosen_name(None), Some("mine"));
    assert!(only.sandbox_profiles["mine"].callback.is_some());
}

/// The built-in `sandbox` profile (no config entry) runs a callback
/// receiver on a free loopback port, so a taken-over role's replies reach
/// the console; a user's `sandbox = true` profile keeps what it says.
#[test]
fn the_built_in_sandbox_profile_has_a_loopback_receiver() {
    let resolved = as_running_sandbox(&Config::default(), "sandbox");
    let (_, profile) = resolved.profile(Some("sandbox")).expect("built in");
    let callback = profile.callback.as_ref().expect("a receiver");
    assert_eq!(callback.listen.to_string(), "127.0.0.1:0");
    assert!(callback.public_url.is_none());
    assert_eq!(
        profile.resolve_callback_auth_with(&env(&[])).expect("auth"),
        CallbackAuth::None
    );

    let own = as_running_sandbox(&parse("[profiles.local]\nsandbox = true\n").expect("parses"), "local");
    assert!(own.profile(Some("local")).expect("own").1.callback.is_none());
}

#[test]
fn a_sandbox_profile_refuses_keys_the_connection_file_gives() {
    let err = parse_err("[profiles.p]\nsandbox = true\nbase_url = \"https://hub.example.com/v3\"\n");
    let text = err.to_string();
    assert!(text.contains("config.toml:3"), "{text}");
    assert!(text.contains("`profiles.p.base_url`"), "{text}");
    assert!(text.contains("has no effect with `sandbox = true`"), "{text}");
    let err = parse_err("[profiles.p]\nsandbox = true\nclient_secret_env = \"X\"\n").to_string();
    assert!(err.contains("`profiles.p.client_secret_env`"), "{err}");
}
