//! The console's embedded callback receiver: replies in a conversation only
//! ever arrive as POSTs from the hub, so the console serves the role
//! callbacks itself. It answers at once (the hub allows 5 seconds), hands
//! each accepted envelope to a channel the event loop drains, and records
//! every delivery, accepted or refused, as an inbound exchange so it shows in
//! the same request log as the console's own calls. No UI dependency.
//!
//! Routes (under the public URL's path, and at the root):
//! - `POST /callback/{role}` for each of [`ROLES`]; `agent` and `bot` are
//!   accepted as aliases of `custom_agent` and `custom_bot`, the shape the
//!   sandbox's demo seed builds from `demo_callback_base`.
//! - `POST /callback/token` in bearer mode: issues tokens an oauth2
//!   Authentication fetches and then sends as `Authorization: Bearer`.

mod auth;
mod body;
mod server;

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::api::models::conversation::MessageEnvelope;
use crate::api::{Recorder, Secret};

/// Roles a callback can be served for, as the hub names them.
pub const ROLES: [&str; 5] = ["customer", "custom_bot", "custom_agent", "egain_agent", "egain_bot"];

/// Path prefix of every callback route.
pub const CALLBACK_PATH: &str = "/callback";

/// Path of the token route (bearer mode only).
pub const TOKEN_PATH: &str = "/callback/token";

/// The role a callback path segment stands for: a role name, or the short
/// `agent`/`bot` the demo seed uses.
pub fn canonical_role(segment: &str) -> Option<&'static str> {
    match segment {
        "agent" => Some("custom_agent"),
        "bot" => Some("custom_bot"),
        _ => ROLES.iter().copied().find(|r| *r == segment),
    }
}

/// Credentials the receiver expects on every callback.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ReceiverAuth {
    /// Accept any caller (loopback-only use).
    #[default]
    None,
    /// `Authorization: Basic`, as a `basic` Authentication sends it.
    Basic { username: String, password: Secret },
    /// `Authorization: Bearer` with a token from [`TOKEN_PATH`], which
    /// issues one to these client credentials (an `oauth2` Authentication).
    Bearer { client_id: String, client_secret: Secret },
}

/// How the receiver listens and what it accepts.
#[derive(Debug, Clone)]
pub struct CallbackConfig {
    /// Where to listen; the default is loopback on an ephemeral port.
    pub listen: SocketAddr,
    /// The URL the hub should use (a tunnel or proxy in front of `listen`);
    /// `None` means `http://<bound address>`. A path in it is accepted as a
    /// prefix of the routes.
    pub public_url: Option<Url>,
    pub auth: ReceiverAuth,
    /// Largest accepted body in bytes; larger ones get 413.
    pub max_body: usize,
    /// A body that has not fully arrived by then gets 408, so a stalled
    /// sender cannot hold a handler.
    pub body_timeout: Duration,
    /// A connection that has not sent its request headers by then (or sat
    /// idle that long between requests) is closed.
    pub header_timeout: Duration,
    /// Lifetime of tokens issued in bearer mode.
    pub token_lifetime: Duration,
}

impl Default for CallbackConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            public_url: None,
            auth: ReceiverAuth::None,
            max_body: 1024 * 1024,
            body_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            token_lifetime: Duration::from_secs(3600),
        }
    }
}

/// One accepted delivery, for the event loop.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbound {
    /// Canonical role name (one of [`ROLES`]).
    pub role: String,
    pub received: jiff::Timestamp,
    pub envelope: MessageEnvelope,
    /// Id of the recorded exchange, to link the message to the request log.
    pub exchange_id: u64,
}

/// Entry point: [`Receiver::start`].
pub struct Receiver;

impl Receiver {
    /// Bind and serve in the background. Deliveries arrive on
    /// [`RunningReceiver::inbound`]; exchanges go to `recorder`.
    pub async fn start(config: CallbackConfig, recorder: Arc<Recorder>) -> Result<RunningReceiver, String> {
        let listener = tokio::net::TcpListener::bind(config.listen).await.map_err(|e| {
            crate::io_error::listen(
                "the callback receiver",
                config.listen,
                "`listen` in the profile's [callback] table",
                &e,
            )
        })?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let public = match &config.public_url {
            Some(url) => url.clone(),
            None => Url::parse(&format!("http://{}", reachable(addr)))
                .map_err(|e| format!("no URL for the bound address {addr}: {e}"))?,
        };
        let base_url = public.as_str().trim_end_matches('/').to_owned();
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = Arc::new(server::Shared::new(&config, &public, recorder, tx));
        let app = server::router(shared.clone());
        let stop = CancellationToken::new();
        let stopped = stop.clone();
        let limits = crate::serve::ServeLimits {
            header_read: config.header_timeout,
            ..Default::default()
        };
        let task = tokio::spawn(crate::serve::serve(listener, app, limits, stopped));
        Ok(RunningReceiver {
            addr,
            base_url,
            bearer: matches!(config.auth, ReceiverAuth::Bearer { .. }),
            inbound: Some(rx),
            shared,
            stop,
            task: Some(task),
        })
    }
}

/// The address to advertise for `addr`: a wildcard bind is reached on loopback.
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V4(a) if a.ip().is_unspecified() => SocketAddr::from((Ipv4Addr::LOCALHOST, a.port())),
        SocketAddr::V6(a) if a.ip().is_unspecified() => SocketAddr::from((Ipv6Addr::LOCALHOST, a.port())),
        other => other,
    }
}

/// A receiver serving in the background; dropping it stops it.
pub struct RunningReceiver {
    addr: SocketAddr,
    base_url: String,
    bearer: bool,
    inbound: Option<mpsc::UnboundedReceiver<Inbound>>,
    shared: Arc<server::Shared>,
    stop: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl RunningReceiver {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Public base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `{base}/callback`: what the sandbox's `demo_callback_base` wants.
    pub fn callback_base(&self) -> String {
        format!("{}{CALLBACK_PATH}", self.base_url)
    }

    /// `{base}/callback/{role}` for a known role (aliases resolved).
    pub fn role_url(&self, role: &str) -> Option<String> {
        canonical_role(role).map(|r| format!("{}/{r}", self.callback_base()))
    }

    /// Callback URL of every role in [`ROLES`], in that order.
    pub fn role_urls(&self) -> Vec<(&'static str, String)> {
        ROLES
            .iter()
            .map(|r| (*r, format!("{}/{r}", self.callback_base())))
            .collect()
    }

    /// The role whose callback `url` is on this receiver, if any (accepts
    /// the `agent`/`bot` aliases and a trailing slash).
    pub fn role_of_url(&self, url: &str) -> Option<&'static str> {
        let rest = url.trim_end_matches('/').strip_prefix(&self.callback_base())?;
        canonical_role(rest.strip_prefix('/')?)
    }

    /// `{base}/callback/token` in bearer mode.
    pub fn token_url(&self) -> Option<String> {
        self.bearer.then(|| format!("{}{TOKEN_PATH}", self.base_url))
    }

    /// Accepted deliveries, in arrival order (`None` once taken).
    pub fn inbound(&mut self) -> Option<&mut mpsc::UnboundedReceiver<Inbound>> {
        self.inbound.as_mut()
    }

    /// Move the delivery channel to the event loop; the receiver keeps serving.
    pub fn take_inbound(&mut self) -> Option<mpsc::UnboundedReceiver<Inbound>> {
        self.inbound.take()
    }

    /// Invalidate every issued token: the next callback bearing one gets
    /// 401, so the hub must fetch a new token.
    pub fn revoke_tokens(&self) {
        self.shared.tokens.revoke_all();
    }

    /// Stop serving and wait for the server task to end.
    pub async fn shutdown(mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningReceiver {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
