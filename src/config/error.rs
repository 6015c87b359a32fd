//! Configuration errors. Each one says where to look: the file, line and
//! column, the dotted key, and for secrets the profile and the key family.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Which rule chose the config file; a missing file is an error only when named explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The `--config PATH` flag.
    Flag,
    /// The `EGAIN_CONSOLE_CONFIG` environment variable.
    Env,
    /// The per-user config directory.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Origin::Flag => "--config",
            Origin::Env => super::CONFIG_ENV,
            Origin::Default => "the default location",
        })
    }
}

/// A place in a config file. Displays as `path:line:column`, dropping what is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub path: PathBuf,
    /// 1-based.
    pub line: Option<usize>,
    /// 1-based, in characters.
    pub column: Option<usize>,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {} (named by {origin}) does not exist", path.display())]
    NotFound { path: PathBuf, origin: Origin },

    #[error(
        "cannot read config file {}: {}",
        path.display(),
        crate::io_error::why_and_fix(path, crate::io_error::Access::Read, source).0
    )]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// The file is not valid TOML, or a value has the wrong type or an unknown key.
    #[error("{at}: {}{message}", key_label(key.as_deref()))]
    Parse {
        at: Position,
        /// Dotted key path, e.g. `profiles.acme-prod.timeout_secs`, when the error points at one.
        key: Option<String>,
        message: String,
    },

    /// Valid TOML whose values break a rule (bad URL, two secret sources, ...).
    #[error("{at}: {}{message}", key_label(Some(key)))]
    Invalid { at: Position, key: String, message: String },

    #[error("no profile named `{name}`; {}", available_text(available))]
    UnknownProfile { name: String, available: Vec<String> },

    #[error(
        "no profile chosen: set `default_profile` in the config file or pass --profile; {}",
        available_text(available)
    )]
    NoProfile { available: Vec<String> },

    #[error("profile `{profile}`: `{key}` names environment variable `{var}`, which is {problem}")]
    SecretEnv {
        profile: String,
        key: String,
        var: String,
        problem: &'static str,
    },

    #[error("profile `{profile}`: `{key}` command `{command}` could not start: {source}")]
    SecretSpawn {
        profile: String,
        key: String,
        command: String,
        #[source]
        source: io::Error,
    },

    #[error("profile `{profile}`: `{key}` command `{command}` failed ({status}){}", stderr_text(stderr.as_deref()))]
    SecretCommand {
        profile: String,
        key: String,
        command: String,
        /// The exit status as `std::process::ExitStatus` prints it.
        status: String,
        /// First non-empty line of the command's stderr.
        stderr: Option<String>,
    },

    #[error("profile `{profile}`: `{key}` command `{command}` printed {problem}")]
    SecretOutput {
        profile: String,
        key: String,
        command: String,
        problem: &'static str,
    },
}

impl ConfigError {
    /// How to fix it, in a sentence, when the message alone does not say.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            ConfigError::NotFound { origin, .. } => {
                format!("create the file (config.example.toml documents every key) or correct {origin}")
            }
            ConfigError::Read { path, source } => {
                crate::io_error::why_and_fix(path, crate::io_error::Access::Read, source).1
            }
            ConfigError::Parse { message, .. } => match did_you_mean(message) {
                Some(name) => format!("did you mean `{name}`? config.example.toml lists every key"),
                None => "correct the spelling or the value there; config.example.toml lists every key".into(),
            },
            ConfigError::Invalid { .. } => return None,
            ConfigError::UnknownProfile { .. } => {
                "pass one of the available names, or add a [profiles.NAME] table".into()
            }
            ConfigError::NoProfile { .. } => "add `default_profile = \"NAME\"` or start with --profile NAME".into(),
            ConfigError::SecretEnv { var, .. } => {
                format!("export {var} in the shell that starts the console, or use a `_command` key instead")
            }
            ConfigError::SecretSpawn { .. } | ConfigError::SecretCommand { .. } | ConfigError::SecretOutput { .. } => {
                "run the command yourself in a shell to see what it needs; it must print only the secret".into()
            }
        })
    }

    /// The profile and key a secret error is about, to find its line in the file.
    pub fn secret_key(&self) -> Option<(&str, &str)> {
        match self {
            ConfigError::SecretEnv { profile, key, .. }
            | ConfigError::SecretSpawn { profile, key, .. }
            | ConfigError::SecretCommand { profile, key, .. }
            | ConfigError::SecretOutput { profile, key, .. } => Some((profile, key)),
            _ => None,
        }
    }
}

/// For serde's "unknown field `x`, expected one of `a`, `b`": the expected
/// name closest to the typo, if it is close (at most 2 edits, or 1 for short names).
fn did_you_mean(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (typo, expected) = rest.split_once('`')?;
    let names = expected.split('`').skip(1).step_by(2);
    let (distance, best) = names.map(|n| (edit_distance(typo, n), n)).min()?;
    let limit = if typo.chars().count() <= 4 { 1 } else { 2 };
    (distance <= limit).then(|| best.to_owned())
}

/// Levenshtein distance (names are short; the quadratic table is fine).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

fn key_label(key: Option<&str>) -> String {
    key.map(|k| format!("`{k}`: ")).unwrap_or_default()
}

fn available_text(available: &[String]) -> String {
    if available.is_empty() {
        "the config file defines no profiles".to_owned()
    } else {
        let names: Vec<String> = available.iter().map(|n| format!("`{n}`")).collect();
        format!("available: {}", names.join(", "))
    }
}

fn stderr_text(stderr: Option<&str>) -> String {
    stderr.map(|line| format!(": {line}")).unwrap_or_default()
}
