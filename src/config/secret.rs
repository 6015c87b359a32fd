//! Secrets named by the configuration: where they come from and a holder
//! that never prints its value, so a stray `{:?}` cannot leak a credential
//! into logs, panics or the exchange recorder.

use std::ffi::OsString;
use std::process::{Command, Stdio};

use super::ConfigError;

pub use crate::api::Secret;

/// Where a secret is read from when a profile is used (not when the file is loaded,
/// so listing profiles never runs a password manager).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// An environment variable's name (`*_env` keys).
    Env(String),
    /// A shell command run with `sh -c`; its trimmed stdout is the secret (`*_command` keys).
    Command(String),
    /// The value written in the file itself (discouraged; loading warns).
    Inline(Secret),
}

/// Identifies a secret in error messages: the profile and the key family
/// (`client_secret`, `bearer_token`, `callback.password`, ...).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SecretSite<'a> {
    pub profile: &'a str,
    pub family: &'static str,
}

impl SecretSource {
    /// The key this source was written under, given its family, e.g. `client_secret_env`.
    pub fn key(&self, family: &str) -> String {
        match self {
            SecretSource::Env(_) => format!("{family}_env"),
            SecretSource::Command(_) => format!("{family}_command"),
            SecretSource::Inline(_) => family.to_owned(),
        }
    }

    /// Read the secret. `env` looks up environment variables (pass `std::env::var_os`
    /// in production; tests pass a closure so they never mutate the process environment).
    /// A command runs synchronously: async callers should use `spawn_blocking`.
    pub(crate) fn resolve(
        &self,
        site: SecretSite<'_>,
        env: &dyn Fn(&str) -> Option<OsString>,
    ) -> Result<Secret, ConfigError> {
        let key = self.key(site.family);
        match self {
            SecretSource::Inline(secret) => Ok(secret.clone()),
            SecretSource::Env(var) => {
                let problem = match env(var) {
                    None => "not set",
                    Some(value) => match value.into_string() {
                        Ok(text) if !text.is_empty() => return Ok(Secret::new(text)),
                        Ok(_) => "empty",
                        Err(_) => "not valid UTF-8",
                    },
                };
                Err(ConfigError::SecretEnv {
                    profile: site.profile.to_owned(),
                    key,
                    var: var.clone(),
                    problem,
                })
            }
            SecretSource::Command(command) => run_secret_command(command, site.profile, key),
        }
    }
}

/// Run `sh -c command`: stdin stays the terminal (so a password manager may prompt),
/// stdout is the secret, stderr is kept for the error message.
fn run_secret_command(command: &str, profile: &str, key: String) -> Result<Secret, ConfigError> {
    let output = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|source| ConfigError::SecretSpawn {
            profile: profile.to_owned(),
            key: key.clone(),
            command: command.to_owned(),
            source,
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first_line = stderr.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_owned);
        return Err(ConfigError::SecretCommand {
            profile: profile.to_owned(),
            key,
            command: command.to_owned(),
            status: output.status.to_string(),
            stderr: first_line,
        });
    }
    let problem = match String::from_utf8(output.stdout) {
        Ok(text) => {
            let trimmed = text.trim();
            if !trimmed.is_empty() {
                return Ok(Secret::new(trimmed));
            }
            "nothing on stdout"
        }
        Err(_) => "non-UTF-8 output",
    };
    Err(ConfigError::SecretOutput {
        profile: profile.to_owned(),
        key,
        command: command.to_owned(),
        problem,
    })
}
