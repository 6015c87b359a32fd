//! What the console talks to: a tenant named by a profile, or (with no
//! profile) the embedded sandbox on an ephemeral loopback port.

mod embedded;

pub use embedded::EmbeddedSandbox;

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedReceiver;

use crate::api::auth::DEFAULT_SCOPES;
use crate::api::{AuthConfig, Client, ClientConfig, Exchange, Recorder, Secret};
use crate::callback::{CallbackConfig, Inbound, Receiver, ReceiverAuth, RunningReceiver};
use crate::callback_takeover::ReceiverCredentials;
use crate::config::{AuthSettings, CallbackAuth, Config, ConfigError};
use crate::sandbox::{self, SandboxConfig, Seed};

/// Facts about the connection, fixed for a run.
#[derive(Debug, Clone)]
pub struct Session {
    /// Profile name, or "sandbox".
    pub profile: String,
    /// Host of the API base URL.
    pub host: String,
    pub sandbox: bool,
    /// Root URL of the embedded sandbox (for its built-in bot and agent routes).
    pub sandbox_root: Option<String>,
    pub read_only: bool,
    /// The callback receiver's URL per role, when one runs.
    pub callback_urls: Vec<(String, String)>,
    /// What the receiver accepts, when one runs: a takeover checks the
    /// role's Authentication against it. Secrets stay in `Secret`s (`***`
    /// in debug output) and are never shown.
    pub receiver: Option<ReceiverCredentials>,
}

/// A ready client, the stream of its exchanges, and the sandbox if embedded.
pub struct Connection {
    pub session: Session,
    pub client: Client,
    pub exchanges: UnboundedReceiver<Exchange>,
    /// Kept alive for the run; dropping it stops the embedded sandbox.
    pub sandbox: Option<EmbeddedSandbox>,
    /// The callback receiver (always in sandbox mode; with a profile's
    /// `[callback]` table for a tenant). Kept alive for the run.
    pub receiver: Option<RunningReceiver>,
    /// Deliveries the receiver accepted.
    pub inbound: Option<UnboundedReceiver<Inbound>>,
}

fn role_urls(receiver: &RunningReceiver) -> Vec<(String, String)> {
    receiver
        .role_urls()
        .into_iter()
        .map(|(role, url)| (role.to_owned(), url))
        .collect()
}

/// Why the console could not connect.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The config (a profile, a secret) is at fault: `main` points at its line.
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Other(String),
}

impl From<String> for ConnectError {
    fn from(text: String) -> Self {
        ConnectError::Other(text)
    }
}

/// A started receiver, its delivery stream and what it accepts.
type Started = (RunningReceiver, UnboundedReceiver<Inbound>, ReceiverCredentials);

/// Start the receiver and take its delivery stream.
async fn start_receiver(config: CallbackConfig, recorder: &Arc<Recorder>) -> Result<Started, String> {
    let auth = config.auth.clone();
    let mut receiver = Receiver::start(config, recorder.clone()).await?;
    let inbound = receiver
        .take_inbound()
        .ok_or_else(|| "callback receiver has no delivery stream".to_owned())?;
    let credentials = ReceiverCredentials {
        auth,
        token_url: receiver.token_url(),
    };
    Ok((receiver, inbound, credentials))
}

/// The profile a run connects through; `None` is the embedded sandbox.
pub fn chosen_profile(config: Option<&Config>, profile: Option<&str>) -> Result<Option<String>, ConfigError> {
    Ok(match (profile, config) {
        (Some(name), _) => Some(name.to_owned()),
        (None, Some(c)) if !c.profiles.is_empty() || c.default_profile.is_some() => Some(c.profile(None)?.0.to_owned()),
        _ => None,
    })
}

/// Connect as the command line and config ask: `--profile`, else the
/// config's default profile, else its only profile, else the embedded
/// sandbox (a config with several profiles and no default is an error, not
/// a silent sandbox).
pub async fn connect(
    config: Option<&Config>,
    profile: Option<&str>,
    read_only: bool,
) -> Result<Connection, ConnectError> {
    let chosen = chosen_profile(config, profile)?;
    let recorder = Arc::new(Recorder::default());
    let exchanges = recorder.subscribe();
    match chosen {
        None => {
            let mut sandbox_config = SandboxConfig {
                seed: Seed::Demo,
                ..SandboxConfig::default()
            };
            // A lively demo: the simulated agent answers escalations. `[sandbox]
            // agent = "console"` (or `u` on the demo application) lets you answer instead.
            sandbox_config.hub.demo_agent = crate::sandbox::hub::DemoAgent::Simulated;
            if let Some(c) = config {
                c.sandbox.apply(&mut sandbox_config);
            }
            // With a state file, open it now so a bad one is named before the screen
            // changes; an in-memory one opens while the first frame is drawn. Bound
            // first, so the database opens while the receiver starts.
            let in_background = sandbox_config.state_file.is_none();
            let mut starting = sandbox::bind(sandbox_config).await?;
            // The demo client application's customer and agent roles call
            // this receiver, with Basic credentials made up for this run.
            let password = Secret::new(format!("cb-{}", uuid::Uuid::new_v4().simple()));
            let (receiver, inbound, credentials) = start_receiver(
                CallbackConfig {
                    auth: ReceiverAuth::Basic {
                        username: "console".into(),
                        password: password.clone(),
                    },
                    ..CallbackConfig::default()
                },
                &recorder,
            )
            .await?;
            let hub = starting.hub_mut();
            hub.demo_callback_base = Some(receiver.callback_base());
            hub.demo_callback_auth = Some(("console".into(), password.expose().to_owned()));
            let (addr, urls, keys) = (starting.addr, starting.urls.clone(), starting.credentials.clone());
            let sandbox = if in_background {
                EmbeddedSandbox::in_background(starting)
            } else {
                EmbeddedSandbox::running(starting.serve().await?)
            };
            let mut client_config = ClientConfig::new(
                urls.base.clone(),
                AuthConfig::ClientCredentials {
                    token_url: urls.token.clone(),
                    client_id: keys.client_id.clone(),
                    client_secret: Secret::new(keys.client_secret.clone()),
                    scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
                },
            );
            client_config.read_only = read_only;
            let client = Client::new(client_config, recorder).map_err(|e| e.to_string())?;
            Ok(Connection {
                session: Session {
                    profile: "sandbox".into(),
                    host: addr.to_string(),
                    sandbox: true,
                    sandbox_root: Some(urls.root.clone()),
                    read_only,
                    callback_urls: role_urls(&receiver),
                    receiver: Some(credentials),
                },
                client,
                exchanges,
                sandbox: Some(sandbox),
                receiver: Some(receiver),
                inbound: Some(inbound),
            })
        }
        Some(name) => {
            let config = config.ok_or_else(|| format!("profile \"{name}\" given, but there is no config file"))?;
            let (name, profile) = config.profile(Some(&name))?;
            let profile = profile.clone();
            // A secret command may prompt (a password manager): run it before
            // the terminal goes raw, off the async threads.
            let auth = tokio::task::spawn_blocking(move || profile.resolve_auth().map(|a| (a, profile)))
                .await
                .map_err(|e| e.to_string())??;
            let (auth, profile) = auth;
            let auth = match auth {
                AuthSettings::ClientCredentials(cc) => AuthConfig::ClientCredentials {
                    token_url: cc.token_url.to_string(),
                    client_id: cc.client_id.clone(),
                    client_secret: cc.client_secret.clone(),
                    scopes: cc.scopes.clone(),
                },
                AuthSettings::StaticBearer(token) => AuthConfig::Bearer(token),
            };
            let read_only = read_only || profile.read_only;
            let (receiver, inbound, credentials) = match &profile.callback {
                Some(settings) => {
                    let settings = settings.clone();
                    let auth_profile = profile.clone();
                    let auth = tokio::task::spawn_blocking(move || auth_profile.resolve_callback_auth())
                        .await
                        .map_err(|e| e.to_string())??;
                    let auth = match auth {
                        CallbackAuth::None => ReceiverAuth::None,
                        CallbackAuth::Basic { username, password } => ReceiverAuth::Basic { username, password },
                        CallbackAuth::Bearer(secret) => ReceiverAuth::Bearer {
                            client_id: "egain-hub".into(),
                            client_secret: secret,
                        },
                    };
                    let config = CallbackConfig {
                        listen: settings.listen,
                        public_url: settings.public_url.clone(),
                        auth,
                        ..CallbackConfig::default()
                    };
                    let (r, i, c) = start_receiver(config, &recorder).await?;
                    (Some(r), Some(i), Some(c))
                }
                None => (None, None, None),
            };
            let mut client_config = ClientConfig::new(profile.base_url.to_string(), auth);
            client_config.read_only = read_only;
            client_config.timeout = profile.timeout;
            let client = Client::new(client_config, recorder).map_err(|e| e.to_string())?;
            Ok(Connection {
                session: Session {
                    profile: name.to_owned(),
                    host: host_and_port(&profile.base_url),
                    sandbox: false,
                    sandbox_root: None,
                    read_only,
                    callback_urls: receiver.as_ref().map(role_urls).unwrap_or_default(),
                    receiver: credentials,
                },
                client,
                exchanges,
                sandbox: None,
                receiver,
                inbound,
            })
        }
    }
}

/// The tenant as the status line names it: the host, and the port when the
/// URL gives one (two sandboxes on one machine differ only by it).
fn host_and_port(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

#[cfg(test)]
mod host_tests {
    use super::host_and_port;

    #[test]
    fn the_port_is_named_only_when_the_url_gives_one() {
        let parse = |s: &str| url::Url::parse(s).expect("url");
        assert_eq!(host_and_port(&parse("http://127.0.0.1:4010/")), "127.0.0.1:4010");
        assert_eq!(
            host_and_port(&parse("https://tenant.egain.cloud/system")),
            "tenant.egain.cloud"
        );
        assert_eq!(
            host_and_port(&parse("https://tenant.egain.cloud:443/")),
            "tenant.egain.cloud"
        );
    }
}
