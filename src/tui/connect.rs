//! What the console talks to: a tenant named by a profile, or (with no
//! profile) the embedded sandbox on an ephemeral loopback port.

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedReceiver;

use super::app::Session;
use crate::api::auth::DEFAULT_SCOPES;
use crate::api::{AuthConfig, Client, ClientConfig, Exchange, Recorder, Secret};
use crate::config::{AuthSettings, Config};
use crate::sandbox::{self, RunningSandbox, SandboxConfig, Seed};

/// A ready client, the stream of its exchanges, and the sandbox if embedded.
pub struct Connection {
    pub session: Session,
    pub client: Client,
    pub exchanges: UnboundedReceiver<Exchange>,
    /// Kept alive for the run; dropping it stops the embedded sandbox.
    pub sandbox: Option<RunningSandbox>,
}

/// Connect as the command line and config ask: `--profile`, else the
/// config's default profile, else the embedded sandbox.
pub async fn connect(config: Option<&Config>, profile: Option<&str>, read_only: bool) -> Result<Connection, String> {
    let chosen = match (profile, config.and_then(|c| c.default_profile.as_deref())) {
        (Some(name), _) | (None, Some(name)) => Some(name.to_owned()),
        (None, None) => None,
    };
    let recorder = Arc::new(Recorder::default());
    let exchanges = recorder.subscribe();
    match chosen {
        None => {
            let mut sandbox_config = SandboxConfig {
                seed: Seed::Demo,
                ..SandboxConfig::default()
            };
            if let Some(c) = config {
                c.sandbox.apply(&mut sandbox_config);
            }
            let sandbox = sandbox::start(sandbox_config).await?;
            let mut client_config = ClientConfig::new(
                sandbox.urls.base.clone(),
                AuthConfig::ClientCredentials {
                    token_url: sandbox.urls.token.clone(),
                    client_id: sandbox.credentials.client_id.clone(),
                    client_secret: Secret::new(sandbox.credentials.client_secret.clone()),
                    scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
                },
            );
            client_config.read_only = read_only;
            let client = Client::new(client_config, recorder).map_err(|e| e.to_string())?;
            Ok(Connection {
                session: Session {
                    profile: "sandbox".into(),
                    host: sandbox.addr.to_string(),
                    sandbox: true,
                    sandbox_root: Some(sandbox.urls.root.clone()),
                    read_only,
                },
                client,
                exchanges,
                sandbox: Some(sandbox),
            })
        }
        Some(name) => {
            let config = config.ok_or_else(|| format!("profile \"{name}\" given, but there is no config file"))?;
            let (name, profile) = config.profile(Some(&name)).map_err(|e| e.to_string())?;
            let profile = profile.clone();
            // A secret command may prompt (a password manager): run it before
            // the terminal goes raw, off the async threads.
            let auth = tokio::task::spawn_blocking(move || profile.resolve_auth().map(|a| (a, profile)))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?;
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
            let mut client_config = ClientConfig::new(profile.base_url.to_string(), auth);
            client_config.read_only = read_only;
            client_config.timeout = profile.timeout;
            let client = Client::new(client_config, recorder).map_err(|e| e.to_string())?;
            Ok(Connection {
                session: Session {
                    profile: name.to_owned(),
                    host: profile.base_url.host_str().unwrap_or("?").to_owned(),
                    sandbox: false,
                    sandbox_root: None,
                    read_only,
                },
                client,
                exchanges,
                sandbox: None,
            })
        }
    }
}
