//! The console's configuration file (TOML): profiles for real tenants, the
//! embedded sandbox's behaviour, and room for UI settings. UI-free; the CLI
//! and the TUI share it. See `config.example.toml` for every key.
//!
//! Lookup order: `--config PATH`, then `$EGAIN_CONSOLE_CONFIG`, then
//! `<user config dir>/egain-console/config.toml`. Only a file named
//! explicitly must exist; without a file the console runs on the sandbox.

mod error;
mod profile;
mod sandbox;
mod secret;
mod spans;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use error::{ConfigError, Origin, Position};
pub use profile::{
    AuthSettings, AuthSource, CallbackAuth, CallbackAuthSource, CallbackSettings, ClientCredentials, DEFAULT_TIMEOUT,
    Profile, SandboxProfile, normalize_scopes,
};
pub use sandbox::{SandboxSettings, SeedChoice};
pub use secret::{Secret, SecretSource};

use profile::{Checked, Checker, RawProfile};
use spans::SourceMap;

/// Environment variable naming the config file.
pub const CONFIG_ENV: &str = "EGAIN_CONSOLE_CONFIG";

/// The loaded, validated configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Profile used when none is named; with a single profile it may be left out.
    pub default_profile: Option<String>,
    pub profiles: BTreeMap<String, Profile>,
    /// `sandbox = true` profiles, by name: made into [`Profile`]s by
    /// [`Config::with_standalone_sandbox`] once the sandbox's connection file is read.
    pub sandbox_profiles: BTreeMap<String, SandboxProfile>,
    pub sandbox: SandboxSettings,
    /// `[ui]`, free-form until the TUI defines its keys.
    pub ui: toml::Table,
    /// `[keys]`, free-form until the TUI defines its key bindings.
    pub keys: toml::Table,
    /// Things that work but deserve attention (inline secrets, readable file, plain http), for the CLI to print.
    pub warnings: Vec<String>,
    /// The file and its text, so errors found later (`[keys]`, `[ui]`, secrets) can name the line.
    source: Option<(PathBuf, String)>,
}

/// A config file path and the rule that chose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub origin: Origin,
}

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    default_profile: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, RawProfile>,
    #[serde(default)]
    sandbox: SandboxSettings,
    #[serde(default)]
    ui: toml::Table,
    #[serde(default)]
    keys: toml::Table,
}

impl Config {
    /// `<user config dir>/egain-console/config.toml` (e.g. `~/.config/egain-console/config.toml`
    /// on Linux); `None` when the platform gives no home directory.
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("cloud", "egain", "egain-console")
            .map(|dirs| dirs.config_dir().join("config.toml"))
    }

    /// The folder of the user's entity templates, beside the config file: beside `loaded`
    /// (the file the config came from), else beside [`Config::default_path`].
    pub fn templates_dir(loaded: Option<&Path>) -> Option<PathBuf> {
        Self::dir_beside(loaded, "templates")
    }

    /// The folder of the user's message envelopes (`messages/`), beside the config file as
    /// [`Config::templates_dir`]. The console, `send` and `test` all read this one.
    pub fn messages_dir(loaded: Option<&Path>) -> Option<PathBuf> {
        Self::dir_beside(loaded, "messages")
    }

    fn dir_beside(loaded: Option<&Path>, name: &str) -> Option<PathBuf> {
        loaded
            .map(Path::to_owned)
            .or_else(Self::default_path)
            .and_then(|p| p.parent().map(|d| d.join(name)))
    }

    /// Choose the config file: `explicit` (the `--config` flag), else `env_value` (pass
    /// `std::env::var_os(CONFIG_ENV)`; empty counts as unset), else [`Config::default_path`].
    pub fn locate(explicit: Option<&Path>, env_value: Option<OsString>) -> Option<Location> {
        if let Some(path) = explicit {
            return Some(Location {
                path: path.to_owned(),
                origin: Origin::Flag,
            });
        }
        if let Some(value) = env_value.filter(|v| !v.is_empty()) {
            return Some(Location {
                path: PathBuf::from(value),
                origin: Origin::Env,
            });
        }
        Self::default_path().map(|path| Location {
            path,
            origin: Origin::Default,
        })
    }

    /// Locate (reading `EGAIN_CONSOLE_CONFIG`) and load. `Ok(None)`: no file at the default location.
    pub fn load(explicit: Option<&Path>) -> Result<Option<(Config, PathBuf)>, ConfigError> {
        let Some(location) = Self::locate(explicit, std::env::var_os(CONFIG_ENV)) else {
            return Ok(None);
        };
        Ok(Self::load_from(&location)?.map(|config| (config, location.path)))
    }

    /// Read and parse the file at `location`. A missing file is `Ok(None)` at the default
    /// location and [`ConfigError::NotFound`] when it was named explicitly.
    pub fn load_from(location: &Location) -> Result<Option<Config>, ConfigError> {
        let path = &location.path;
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return match location.origin {
                    Origin::Default => Ok(None),
                    origin => Err(ConfigError::NotFound {
                        path: path.clone(),
                        origin,
                    }),
                };
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.clone(),
                    source,
                });
            }
        };
        let mut config = Self::parse(&text, path)?;
        if config.has_inline_secret() && readable_by_others(path) {
            config.warnings.push(format!(
                "{} holds a secret and is readable by other users; run `chmod 600` on it",
                path.display()
            ));
        }
        Ok(Some(config))
    }

    /// Parse and validate config text. `path` is used in error messages and to resolve
    /// relative paths; nothing is read from it.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let map = SourceMap::new(path, text);
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let (at, key) = match e.span() {
                Some(span) => (map.at_offset(span.start), map.key_at(span.start)),
                None => (map.at_key(&[]), None),
            };
            ConfigError::Parse {
                at,
                key,
                message: e.message().trim_end().to_owned(),
            }
        })?;

        let mut warnings = Vec::new();
        let mut profiles = BTreeMap::new();
        let mut sandbox_profiles = BTreeMap::new();
        for (name, raw_profile) in raw.profiles {
            let checked = Checker {
                map: &map,
                name: &name,
                warnings: &mut warnings,
            }
            .profile(raw_profile)?;
            match checked {
                Checked::Tenant(profile) => profiles.insert(name, *profile).map(drop),
                Checked::Sandbox(settings) => sandbox_profiles.insert(name, settings).map(drop),
            };
        }
        if let Some(default) = &raw.default_profile
            && !profiles.contains_key(default)
            && !sandbox_profiles.contains_key(default)
        {
            return Err(ConfigError::Invalid {
                at: map.at_key(&["default_profile"]),
                key: "default_profile".into(),
                message: format!(
                    "names profile `{default}`, which is not defined{}",
                    list_suffix(profiles.keys().chain(sandbox_profiles.keys()))
                ),
            });
        }
        Ok(Config {
            default_profile: raw.default_profile,
            profiles,
            sandbox_profiles,
            sandbox: raw.sandbox.check(&map, path)?,
            ui: raw.ui,
            keys: raw.keys,
            warnings,
            source: Some((path.to_owned(), text.to_owned())),
        })
    }

    /// Where the value at `path` (e.g. `["keys", "entities", "x"]`) is written:
    /// `file:line:column`, its nearest present parent, or the file alone.
    pub fn position_of(&self, path: &[&str]) -> Option<Position> {
        let (file, text) = self.source.as_ref()?;
        Some(SourceMap::new(file, text).at_key(path))
    }

    /// The first entry of a free-form section (`[keys]`, `[ui]`) that `accepts`
    /// refuses on its own, as its key path below the section: errors from code
    /// that sees only the table can then point at the line. Entries are tried
    /// one at a time, nested tables one level down.
    pub fn first_refused_entry(table: &toml::Table, accepts: impl Fn(&toml::Table) -> bool) -> Option<Vec<String>> {
        for (key, value) in table {
            let alone = toml::Table::from_iter([(key.clone(), value.clone())]);
            if accepts(&alone) {
                continue;
            }
            if let toml::Value::Table(inner) = value {
                for (inner_key, inner_value) in inner {
                    let nested = toml::Table::from_iter([(inner_key.clone(), inner_value.clone())]);
                    let alone = toml::Table::from_iter([(key.clone(), toml::Value::Table(nested))]);
                    if !accepts(&alone) {
                        return Some(vec![key.clone(), inner_key.clone()]);
                    }
                }
            }
            return Some(vec![key.clone()]);
        }
        None
    }

    /// The name of the profile `name` chooses: itself, else the default profile, else the
    /// only one (tenant or `sandbox = true`); `None` when that leaves no choice.
    pub fn chosen_name<'a>(&'a self, name: Option<&'a str>) -> Option<&'a str> {
        if let Some(name) = name.or(self.default_profile.as_deref()) {
            return Some(name);
        }
        let mut all = self.profiles.keys().chain(self.sandbox_profiles.keys());
        match (all.next(), all.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    }

    /// This configuration with the `sandbox = true` profile `name` (or the built-in
    /// `sandbox` profile, with default settings) made a [`Profile`] from a running
    /// sandbox's connection details.
    pub fn with_standalone_sandbox(
        &self,
        name: &str,
        base_url: &str,
        token_url: &str,
        client_id: &str,
        client_secret: Secret,
    ) -> Result<Config, String> {
        let mut config = self.clone();
        let settings = config
            .sandbox_profiles
            .remove(name)
            .unwrap_or_else(SandboxProfile::built_in);
        let profile = Profile::standalone_sandbox(name, &settings, base_url, token_url, client_id, client_secret)?;
        config.profiles.insert(name.to_owned(), profile);
        Ok(config)
    }

    /// The profile named `name`, or with `None` the default profile (or the only one).
    pub fn profile(&self, name: Option<&str>) -> Result<(&str, &Profile), ConfigError> {
        let available = || {
            self.profiles
                .keys()
                .chain(self.sandbox_profiles.keys())
                .cloned()
                .collect::<Vec<_>>()
        };
        let Some(name) = self.chosen_name(name) else {
            return Err(ConfigError::NoProfile { available: available() });
        };
        self.profiles
            .get_key_value(name)
            .map(|(name, profile)| (name.as_str(), profile))
            .ok_or_else(|| ConfigError::UnknownProfile {
                name: name.to_owned(),
                available: available(),
            })
    }

    fn has_inline_secret(&self) -> bool {
        self.profiles.values().any(|p| {
            let auth = match &p.auth {
                AuthSource::ClientCredentials { client_secret, .. } => client_secret,
                AuthSource::StaticBearer(source) => source,
            };
            let callback = p.callback.as_ref().and_then(|cb| match &cb.auth {
                CallbackAuthSource::None => None,
                CallbackAuthSource::Basic { password, .. } => Some(password),
                CallbackAuthSource::Bearer(source) => Some(source),
            });
            std::iter::once(auth)
                .chain(callback)
                .any(|s| matches!(s, SecretSource::Inline(_)))
        })
    }
}

fn list_suffix<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    if names.is_empty() {
        String::new()
    } else {
        format!(" (defined: {})", names.join(", "))
    }
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> bool {
    false
}
