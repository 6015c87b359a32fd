//! The tenant a scriptable command talks to: a config profile, or the
//! built-in `sandbox` profile (a running standalone sandbox). Never the
//! embedded sandbox, which lives only as long as the console.

use crate::api::Client;
use crate::cli::run::Failure;
use crate::cli::runtime_file;
use crate::config::Config;
use crate::connect::{self, Session};

/// Name of the built-in profile.
pub const SANDBOX_PROFILE: &str = "sandbox";

/// A ready client and the facts of its connection.
pub struct Target {
    pub client: Client,
    pub session: Session,
}

/// The profile a command uses: `--profile`, else the config's default.
pub fn chosen(config: Option<&Config>, profile: Option<&str>) -> Result<String, Failure> {
    match profile.or(config.and_then(|c| c.default_profile.as_deref())) {
        Some(name) => Ok(name.to_owned()),
        None => Err(Failure::Usage(
            "no profile: this command needs a tenant, and the console's embedded sandbox is not one; \
             start `egain-console sandbox` in another terminal and pass `--profile sandbox`, \
             or pass `--profile NAME` from your config"
                .into(),
        )),
    }
}

/// The configuration to connect with: the loaded one, plus the built-in
/// `sandbox` profile when it is named and the config does not define one.
/// Callback receivers are left out: a command does not take callbacks.
pub fn config_for(config: Option<&Config>, name: &str) -> Result<Config, Failure> {
    let mut config = config.cloned().unwrap_or_default();
    if let Some(with_sandbox) = console_config(Some(&config), Some(name)).map_err(Failure::Usage)? {
        config = with_sandbox;
    }
    if !config.profiles.contains_key(name) {
        // Let the config say which profiles exist.
        config.profile(Some(name)).map_err(|e| Failure::Usage(e.to_string()))?;
    }
    for profile in config.profiles.values_mut() {
        profile.callback = None;
    }
    Ok(config)
}

/// For the console and every command: the loaded configuration with the
/// chosen profile made from a running standalone sandbox's connection file,
/// when it is a `sandbox = true` profile or the built-in `sandbox` one (not
/// defined by the config). `None`: use the loaded configuration as it is.
pub fn console_config(config: Option<&Config>, profile: Option<&str>) -> Result<Option<Config>, String> {
    let empty = Config::default();
    let config = config.unwrap_or(&empty);
    let Some(name) = config.chosen_name(profile) else {
        return Ok(None);
    };
    let named = config.sandbox_profiles.contains_key(name);
    let built_in = name == SANDBOX_PROFILE && !config.profiles.contains_key(name);
    if !named && !built_in {
        return Ok(None);
    }
    let facts = runtime_file::read(name)?;
    config
        .with_standalone_sandbox(
            name,
            &facts.base_url,
            &facts.token_url,
            &facts.client_id,
            facts.client_secret,
        )
        .map(Some)
}

/// Whether the profile (or `--read-only`) forbids changes; known before any request.
pub fn is_read_only(config: &Config, name: &str, flag: bool) -> bool {
    flag || config.profiles.get(name).is_some_and(|p| p.read_only)
}

/// Connect through [`connect::connect`] (profile → client, secrets).
pub async fn connect(config: Option<&Config>, profile: Option<&str>, read_only: bool) -> Result<Target, Failure> {
    let name = chosen(config, profile)?;
    let config = config_for(config, &name)?;
    let connection = connect::connect(Some(&config), Some(&name), read_only)
        .await
        .map_err(|e| Failure::Usage(e.to_string()))?;
    Ok(Target {
        client: connection.client,
        session: connection.session,
    })
}
