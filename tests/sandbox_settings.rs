//! `[sandbox]` strictness keys and the standalone command's flags reach the
//! sandbox's configuration; bad values are refused naming file, line and key.

use std::path::Path;

use clap::Parser;
use egain_console::cli::{Cli, Command};
use egain_console::config::{Config, ConfigError};
use egain_console::sandbox::SandboxConfig;
use egain_console::sandbox::fidelity::{Level, ScopeForm};

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("/cfg/config.toml"))
}

#[test]
fn strict_scope_form_and_assumptions_apply_from_the_config() {
    let config =
        parse("[sandbox]\nstrict = true\nscope_form = \"prefixed\"\n\n[sandbox.assume]\nstale-modified = \"off\"\n")
            .expect("parses");
    let mut sandbox = SandboxConfig::default();
    config.sandbox.apply(&mut sandbox);
    assert!(sandbox.fidelity.strict);
    assert_eq!(sandbox.fidelity.scope_form, ScopeForm::Prefixed);
    assert_eq!(sandbox.fidelity.level("stale-modified"), Level::Off);
    assert_eq!(sandbox.fidelity.level("strict-required"), Level::Error);
}

#[test]
fn bad_strictness_values_name_the_key_and_line() {
    for (text, key, line, words) in [
        (
            "[sandbox]\nscope_form = \"both\"\n",
            "sandbox.scope_form",
            2,
            "any, prefixed or bare",
        ),
        (
            "[sandbox.assume]\nstale-modified = \"maybe\"\n",
            "sandbox.assume.stale-modified",
            2,
            "error, warn or off",
        ),
        (
            "[sandbox.assume]\nno-such-switch = \"off\"\n",
            "sandbox.assume.no-such-switch",
            2,
            "stale-modified",
        ),
        (
            "[sandbox]\ntoken_lifetime_secs = 99999999999\n",
            "sandbox.token_lifetime_secs",
            2,
            "31536000",
        ),
        (
            "[sandbox]\nseed = \"empty\"\nasset_memory_mib = 99999999999\n",
            "sandbox.asset_memory_mib",
            3,
            "0 keeps all asset content in files",
        ),
    ] {
        let err = parse(text).expect_err(text);
        let ConfigError::Invalid { at, key: got, message } = &err else {
            panic!("{text}: expected a validation error, got {err:?}");
        };
        assert_eq!(got, key, "{text}");
        assert_eq!(at.line, Some(line), "{text}: {err}");
        assert!(message.contains(words), "{text}: {message}");
    }
}

#[test]
fn standalone_flags_set_strictness_and_refuse_overflowing_durations() {
    let cli = Cli::try_parse_from([
        "egain-console",
        "sandbox",
        "--strict",
        "--scope-form",
        "bare",
        "--assume",
        "delete-referenced=warn",
    ])
    .expect("parses");
    let Some(Command::Sandbox(args)) = cli.command else {
        panic!("sandbox subcommand");
    };
    let config = egain_console::cli::sandbox::config_from_args(&args).expect("config");
    assert!(config.fidelity.strict);
    assert_eq!(config.fidelity.scope_form, ScopeForm::Bare);
    assert_eq!(config.fidelity.level("delete-referenced"), Level::Warn);

    let err = Cli::try_parse_from([
        "egain-console",
        "sandbox",
        "--token-lifetime-secs",
        "18446744073709551615",
    ])
    .expect_err("refused");
    assert!(err.to_string().contains("token-lifetime-secs"), "{err}");
    let err = Cli::try_parse_from(["egain-console", "sandbox", "--assume", "nonsense"]).expect_err("refused");
    assert!(err.to_string().contains("NAME=LEVEL"), "{err}");
}

#[test]
fn the_asset_memory_cap_comes_from_the_flag_and_the_config() {
    let default = SandboxConfig::default();
    assert_eq!(default.assets.memory_cap, 256 << 20);
    let config = parse("[sandbox]\nasset_memory_mib = 0\n").expect("parses");
    let mut sandbox = SandboxConfig::default();
    config.sandbox.apply(&mut sandbox);
    assert_eq!(sandbox.assets.memory_cap, 0);

    let cli = Cli::try_parse_from(["egain-console", "sandbox", "--asset-memory-mib", "64"]).expect("parses");
    let Some(Command::Sandbox(args)) = cli.command else {
        panic!("sandbox subcommand");
    };
    let config = egain_console::cli::sandbox::config_from_args(&args).expect("config");
    assert_eq!(config.assets.memory_cap, 64 << 20);
    let err = Cli::try_parse_from(["egain-console", "sandbox", "--asset-memory-mib", "9999999"]).expect_err("refused");
    assert!(err.to_string().contains("asset-memory-mib"), "{err}");
}
