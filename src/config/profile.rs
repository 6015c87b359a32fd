//! A profile: one eGain tenant (or any hub speaking the same API), its
//! credentials and the console's callback receiver for it. The file's raw
//! shape is checked once at load time into typed values, so code that uses a
//! profile never meets a half-valid one.

use std::ffi::OsString;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use super::ConfigError;
use super::secret::{Secret, SecretSite, SecretSource};
use super::spans::SourceMap;
use crate::api::auth::DEFAULT_SCOPES;

/// The longest request timeout `timeout_secs` accepts.
const MAX_TIMEOUT_SECS: u64 = 86_400;

/// Request timeout when `timeout_secs` is not set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A validated profile.
#[derive(Debug, Clone)]
pub struct Profile {
    /// The name under `[profiles.NAME]`.
    pub name: String,
    /// API base such as `https://api.egain.cloud/conversation/conversationmgr/v3`, without a trailing slash.
    pub base_url: Url,
    pub auth: AuthSource,
    /// Refuse every operation that changes the hub (create, update, delete, send).
    pub read_only: bool,
    /// Per-request timeout.
    pub timeout: Duration,
    /// The console's callback receiver; `None` when the profile has no `[callback]` table.
    pub callback: Option<CallbackSettings>,
}

/// A `sandbox = true` profile: a running standalone sandbox, whose URL and
/// credentials come from the connection file it writes (read when the
/// profile is used, so the sandbox may start after the config is loaded).
#[derive(Debug, Clone)]
pub struct SandboxProfile {
    pub read_only: bool,
    pub timeout: Duration,
    /// The console's callback receiver (scenario runs need one).
    pub callback: Option<CallbackSettings>,
}

impl SandboxProfile {
    /// The built-in `sandbox` profile: a callback receiver on a free
    /// loopback port, so replies can reach the console once a role is taken
    /// over, and scenario runs work, as against the embedded sandbox. It asks
    /// no credentials: only the local mock's callbacks are expected.
    pub fn built_in() -> Self {
        Self {
            read_only: false,
            timeout: DEFAULT_TIMEOUT,
            callback: Some(CallbackSettings {
                listen: SocketAddr::from(([127, 0, 0, 1], 0)),
                public_url: None,
                auth: CallbackAuthSource::None,
            }),
        }
    }
}

/// What a `[profiles.NAME]` table names.
#[derive(Debug, Clone)]
pub enum Checked {
    Tenant(Box<Profile>),
    Sandbox(SandboxProfile),
}

/// How a profile authenticates, with secrets not yet read.
#[derive(Debug, Clone)]
pub enum AuthSource {
    /// OAuth2 client credentials against the tenant's token endpoint.
    ClientCredentials {
        token_url: Url,
        client_id: String,
        client_secret: SecretSource,
        /// Normalised: see [`normalize_scopes`].
        scopes: Vec<String>,
    },
    /// A bearer token obtained elsewhere, sent as is.
    StaticBearer(SecretSource),
}

/// How a profile authenticates, with secrets read: what the API client needs.
#[derive(Debug, Clone)]
pub enum AuthSettings {
    ClientCredentials(ClientCredentials),
    StaticBearer(Secret),
}

#[derive(Debug, Clone)]
pub struct ClientCredentials {
    pub token_url: Url,
    pub client_id: String,
    pub client_secret: Secret,
    pub scopes: Vec<String>,
}

impl ClientCredentials {
    /// The `scope` form field: space-separated.
    pub fn scope_param(&self) -> String {
        self.scopes.join(" ")
    }
}

/// The console's callback receiver for a profile.
#[derive(Debug, Clone)]
pub struct CallbackSettings {
    /// Where the receiver listens; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The URL the hub should call (a tunnel or reverse proxy); `None` means the listen address itself.
    pub public_url: Option<Url>,
    pub auth: CallbackAuthSource,
}

/// Credentials the receiver demands from the hub, with secrets not yet read.
#[derive(Debug, Clone)]
pub enum CallbackAuthSource {
    None,
    Basic { username: String, password: SecretSource },
    Bearer(SecretSource),
}

/// Credentials the receiver demands from the hub, with secrets read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackAuth {
    None,
    Basic { username: String, password: Secret },
    Bearer(Secret),
}

impl Profile {
    /// A profile for a running standalone `egain-console sandbox`, from the
    /// connection details it published: the built-in `sandbox` profile, or a
    /// user's `sandbox = true` profile with its own `settings`.
    pub fn standalone_sandbox(
        name: &str,
        settings: &SandboxProfile,
        base_url: &str,
        token_url: &str,
        client_id: &str,
        client_secret: Secret,
    ) -> Result<Profile, String> {
        let url = |key: &str, text: &str| {
            Url::parse(text).map_err(|e| format!("the sandbox's connection file: {key} \"{text}\": {e}"))
        };
        Ok(Profile {
            name: name.to_owned(),
            base_url: url("base_url", base_url)?,
            auth: AuthSource::ClientCredentials {
                token_url: url("token_url", token_url)?,
                client_id: client_id.to_owned(),
                client_secret: SecretSource::Inline(client_secret),
                scopes: DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            },
            read_only: settings.read_only,
            timeout: settings.timeout,
            callback: settings.callback.clone(),
        })
    }

    /// Read the profile's credentials, running a secret command or reading the environment.
    pub fn resolve_auth(&self) -> Result<AuthSettings, ConfigError> {
        self.resolve_auth_with(&|name: &str| std::env::var_os(name))
    }

    /// [`Profile::resolve_auth`] with an explicit environment lookup.
    pub fn resolve_auth_with(&self, env: &dyn Fn(&str) -> Option<OsString>) -> Result<AuthSettings, ConfigError> {
        Ok(match &self.auth {
            AuthSource::ClientCredentials {
                token_url,
                client_id,
                client_secret,
                scopes,
            } => AuthSettings::ClientCredentials(ClientCredentials {
                token_url: token_url.clone(),
                client_id: client_id.clone(),
                client_secret: client_secret.resolve(self.site("client_secret"), env)?,
                scopes: scopes.clone(),
            }),
            AuthSource::StaticBearer(source) => {
                AuthSettings::StaticBearer(source.resolve(self.site("bearer_token"), env)?)
            }
        })
    }

    /// Read the credentials the callback receiver expects ([`CallbackAuth::None`] without a `[callback]` table).
    pub fn resolve_callback_auth(&self) -> Result<CallbackAuth, ConfigError> {
        self.resolve_callback_auth_with(&|name: &str| std::env::var_os(name))
    }

    /// [`Profile::resolve_callback_auth`] with an explicit environment lookup.
    pub fn resolve_callback_auth_with(
        &self,
        env: &dyn Fn(&str) -> Option<OsString>,
    ) -> Result<CallbackAuth, ConfigError> {
        let Some(callback) = &self.callback else {
            return Ok(CallbackAuth::None);
        };
        Ok(match &callback.auth {
            CallbackAuthSource::None => CallbackAuth::None,
            CallbackAuthSource::Basic { username, password } => CallbackAuth::Basic {
                username: username.clone(),
                password: password.resolve(self.site("callback.password"), env)?,
            },
            CallbackAuthSource::Bearer(source) => {
                CallbackAuth::Bearer(source.resolve(self.site("callback.bearer_token"), env)?)
            }
        })
    }

    fn site(&self, family: &'static str) -> SecretSite<'_> {
        SecretSite {
            profile: &self.name,
            family,
        }
    }
}

pub use crate::api::auth::normalize_scopes;

/// `[profiles.NAME]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProfile {
    /// A running standalone sandbox instead of a tenant (see [`SandboxProfile`]).
    #[serde(default)]
    sandbox: bool,
    base_url: Option<String>,
    token_url: Option<String>,
    client_id: Option<String>,
    client_secret_env: Option<String>,
    client_secret_command: Option<String>,
    client_secret: Option<String>,
    bearer_token_env: Option<String>,
    bearer_token_command: Option<String>,
    bearer_token: Option<String>,
    scopes: Option<Vec<String>>,
    scope_prefix: Option<String>,
    #[serde(default)]
    read_only: bool,
    timeout_secs: Option<u64>,
    callback: Option<RawCallback>,
}

/// `[profiles.NAME.callback]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCallback {
    listen: Option<String>,
    public_url: Option<String>,
    username: Option<String>,
    password_env: Option<String>,
    password_command: Option<String>,
    password: Option<String>,
    bearer_token_env: Option<String>,
    bearer_token_command: Option<String>,
    bearer_token: Option<String>,
}

/// Validation context: builds errors that point at `profiles.NAME.KEY` in the file.
pub(crate) struct Checker<'a> {
    pub map: &'a SourceMap<'a>,
    pub name: &'a str,
    pub warnings: &'a mut Vec<String>,
}

impl Checker<'_> {
    fn error(&self, key: &str, message: impl Into<String>) -> ConfigError {
        let mut path = vec!["profiles", self.name];
        path.extend(key.split('.').filter(|k| !k.is_empty()));
        ConfigError::Invalid {
            at: self.map.at_key(&path),
            key: path.join("."),
            message: message.into(),
        }
    }

    fn warn(&mut self, message: String) {
        self.warnings.push(format!("profile `{}`: {message}", self.name));
    }

    pub fn profile(&mut self, raw: RawProfile) -> Result<Checked, ConfigError> {
        let timeout = match raw.timeout_secs {
            None => DEFAULT_TIMEOUT,
            Some(0) => return Err(self.error("timeout_secs", "must be at least 1")),
            // Larger values overflow the clock arithmetic of every request.
            Some(secs) if secs > MAX_TIMEOUT_SECS => {
                return Err(self.error(
                    "timeout_secs",
                    format!("must be at most {MAX_TIMEOUT_SECS} (one day), is {secs}"),
                ));
            }
            Some(secs) => Duration::from_secs(secs),
        };
        if raw.sandbox {
            self.sandbox_keys(&raw)?;
            return Ok(Checked::Sandbox(SandboxProfile {
                read_only: raw.read_only,
                timeout,
                callback: raw.callback.map(|cb| self.callback(cb)).transpose()?,
            }));
        }
        let base_url = match &raw.base_url {
            Some(text) => self.http_url("base_url", text)?,
            None => {
                return Err(self.error(
                    "base_url",
                    "required (or `sandbox = true` for a running `egain-console sandbox`)",
                ));
            }
        };
        let auth = self.auth(&raw)?;
        let callback = raw.callback.map(|cb| self.callback(cb)).transpose()?;
        Ok(Checked::Tenant(Box::new(Profile {
            name: self.name.to_owned(),
            base_url,
            auth,
            read_only: raw.read_only,
            timeout,
            callback,
        })))
    }

    /// `sandbox = true`: the connection file gives the URL and credentials, so
    /// the keys that would name them are refused rather than ignored.
    fn sandbox_keys(&self, raw: &RawProfile) -> Result<(), ConfigError> {
        let given = [
            ("base_url", raw.base_url.is_some()),
            ("token_url", raw.token_url.is_some()),
            ("client_id", raw.client_id.is_some()),
            ("client_secret_env", raw.client_secret_env.is_some()),
            ("client_secret_command", raw.client_secret_command.is_some()),
            ("client_secret", raw.client_secret.is_some()),
            ("bearer_token_env", raw.bearer_token_env.is_some()),
            ("bearer_token_command", raw.bearer_token_command.is_some()),
            ("bearer_token", raw.bearer_token.is_some()),
            ("scopes", raw.scopes.is_some()),
            ("scope_prefix", raw.scope_prefix.is_some()),
        ];
        if let Some((key, _)) = given.iter().find(|(_, set)| *set) {
            return Err(self.error(
                key,
                "has no effect with `sandbox = true`: the running sandbox's connection file gives the URL and \
                 credentials (remove the line, or `sandbox = true` for a tenant)",
            ));
        }
        Ok(())
    }

    fn auth(&mut self, raw: &RawProfile) -> Result<AuthSource, ConfigError> {
        let client = [
            ("client_secret_env", &raw.client_secret_env),
            ("client_secret_command", &raw.client_secret_command),
            ("client_secret", &raw.client_secret),
        ];
        let bearer = [
            ("bearer_token_env", &raw.bearer_token_env),
            ("bearer_token_command", &raw.bearer_token_command),
            ("bearer_token", &raw.bearer_token),
        ];
        let all: Vec<(&str, &Option<String>)> = client.iter().chain(bearer.iter()).copied().collect();
        let Some((key, source)) = self.one_source(&all)? else {
            let keys: Vec<&str> = all.iter().map(|(k, _)| *k).collect();
            return Err(self.error(
                "",
                format!("the profile has no credential: set one of {}", keys.join(", ")),
            ));
        };

        if key.starts_with("bearer_token") {
            for (other, value) in [
                ("token_url", raw.token_url.is_some()),
                ("client_id", raw.client_id.is_some()),
                ("scopes", raw.scopes.is_some()),
                ("scope_prefix", raw.scope_prefix.is_some()),
            ] {
                if value {
                    return Err(self.error(other, format!("has no effect with `{key}` (a static bearer token)")));
                }
            }
            return Ok(AuthSource::StaticBearer(source));
        }

        let token_url = match &raw.token_url {
            Some(text) => self.http_url("token_url", text)?,
            None => return Err(self.error("token_url", format!("required with `{key}` (client credentials)"))),
        };
        if is_remote_plain_http(&token_url) {
            self.warn(format!(
                "token_url {token_url} is plain http to a remote host: the client secret travels unencrypted"
            ));
        }
        let client_id = match raw.client_id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => id.to_owned(),
            Some(_) => return Err(self.error("client_id", "must not be empty")),
            None => return Err(self.error("client_id", format!("required with `{key}` (client credentials)"))),
        };
        let prefix = match &raw.scope_prefix {
            None => None,
            Some(p) => {
                let url = self.http_url("scope_prefix", p)?;
                let mut text = url.to_string();
                if !text.ends_with('/') {
                    text.push('/');
                }
                Some(text)
            }
        };
        let scopes = match &raw.scopes {
            None => DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            Some(list) if list.is_empty() => {
                return Err(self.error(
                    "scopes",
                    "must not be empty; leave it out to request the four conversationmgr scopes",
                ));
            }
            Some(list) => {
                for scope in list {
                    if scope.is_empty() || scope.chars().any(char::is_whitespace) {
                        return Err(self.error(
                            "scopes",
                            format!("scope {scope:?} must be one non-empty word (scopes are sent space-separated)"),
                        ));
                    }
                }
                list.clone()
            }
        };
        Ok(AuthSource::ClientCredentials {
            token_url,
            client_id,
            client_secret: source,
            scopes: normalize_scopes(&scopes, prefix.as_deref()),
        })
    }

    fn callback(&mut self, raw: RawCallback) -> Result<CallbackSettings, ConfigError> {
        let listen = match &raw.listen {
            None => SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            Some(text) => text.parse().map_err(|_| {
                self.error(
                    "callback.listen",
                    format!("{text:?} is not an address like 127.0.0.1:0 or [::1]:8088"),
                )
            })?,
        };
        let public_url = raw
            .public_url
            .as_deref()
            .map(|text| self.http_url("callback.public_url", text))
            .transpose()?;
        let password = [
            ("callback.password_env", &raw.password_env),
            ("callback.password_command", &raw.password_command),
            ("callback.password", &raw.password),
        ];
        let bearer = [
            ("callback.bearer_token_env", &raw.bearer_token_env),
            ("callback.bearer_token_command", &raw.bearer_token_command),
            ("callback.bearer_token", &raw.bearer_token),
        ];
        let password = self.one_source(&password)?;
        let bearer = self.one_source(&bearer)?;
        let auth = match (password, bearer, raw.username) {
            (Some((pk, _)), Some((bk, _)), _) => {
                return Err(self.error(
                    bk,
                    format!("conflicts with `{pk}`: the receiver takes basic or bearer, not both"),
                ));
            }
            (Some((_, password)), None, Some(username)) => CallbackAuthSource::Basic { username, password },
            (Some((pk, _)), None, None) => {
                return Err(self.error("callback.username", format!("required with `{pk}`")));
            }
            (None, Some((_, token)), None) => CallbackAuthSource::Bearer(token),
            (None, Some((bk, _)), Some(_)) => {
                return Err(self.error("callback.username", format!("has no effect with `{bk}`")));
            }
            (None, None, Some(_)) => {
                return Err(self.error(
                    "callback.username",
                    "needs a password: set callback.password_env or callback.password_command",
                ));
            }
            (None, None, None) => CallbackAuthSource::None,
        };
        Ok(CallbackSettings {
            listen,
            public_url,
            auth,
        })
    }

    /// At most one of `keys` may be set; returns it as a [`SecretSource`].
    /// `keys` are written `family_env`, `family_command`, `family` (inline, warned about).
    fn one_source(
        &mut self,
        keys: &[(&'static str, &Option<String>)],
    ) -> Result<Option<(&'static str, SecretSource)>, ConfigError> {
        let set: Vec<(&'static str, &String)> = keys.iter().filter_map(|(k, v)| v.as_ref().map(|v| (*k, v))).collect();
        match set.as_slice() {
            [] => Ok(None),
            [(key, value)] => {
                if value.trim().is_empty() {
                    return Err(self.error(key, "must not be empty"));
                }
                let source = if key.ends_with("_env") {
                    SecretSource::Env((*value).clone())
                } else if key.ends_with("_command") {
                    SecretSource::Command((*value).clone())
                } else {
                    self.warn(format!(
                        "`{key}` stores a secret in the config file; prefer `{key}_env` or `{key}_command`"
                    ));
                    SecretSource::Inline(Secret::new((*value).clone()))
                };
                Ok(Some((key, source)))
            }
            [(first, _), (second, _), ..] => Err(self.error(
                second,
                format!("conflicts with `{first}`: set exactly one credential source"),
            )),
        }
    }

    /// An absolute http(s) URL without query or fragment, trailing slash removed from the path.
    fn http_url(&self, key: &str, text: &str) -> Result<Url, ConfigError> {
        let bad = |why: &str| self.error(key, format!("{text:?} {why}"));
        let mut url = Url::parse(text).map_err(|e| bad(&format!("is not an absolute http(s) URL ({e})")))?;
        if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
            return Err(bad("is not an absolute http(s) URL"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("must not have a query or fragment"));
        }
        let trimmed = url.path().trim_end_matches('/').to_owned();
        url.set_path(&trimmed);
        Ok(url)
    }
}

fn is_remote_plain_http(url: &Url) -> bool {
    if url.scheme() != "http" {
        return false;
    }
    match url.host() {
        Some(url::Host::Domain(domain)) => domain != "localhost",
        Some(url::Host::Ipv4(ip)) => !IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => !IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}
