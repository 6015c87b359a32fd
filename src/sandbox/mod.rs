//! A local stand-in for the Conversation Manager hub: token endpoint, all 35
//! operations with validation, conversation routing with real callback
//! delivery, signed asset URLs and simulated bot and agent. It runs embedded
//! (ephemeral port, for the console and tests) or standalone as a mock server.

pub mod assets;
pub mod auth;
mod bare_answers;
pub mod clock;
pub mod db;
pub mod entities;
pub mod error;
pub mod faults;
pub mod fidelity;
pub mod hub;
pub mod seed;
mod serve;
mod shape;
pub mod store;
mod strict_required;

pub use serve::ServerOptions;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::schema::Spec;
use error::{HubError, codes};
pub use faults::{FailFirst, Faults};

/// API base path, as on the real hub.
pub const API_BASE_PATH: &str = "/conversation/conversationmgr/v3";
/// Token endpoint path, shaped like a tenant's (`/system/auth/<TENANT>-U/oauth2/token`).
pub const TOKEN_PATH: &str = "/system/auth/SANDBOX-U/oauth2/token";

/// Longest bearer-token lifetime the sandbox issues (a year).
pub const MAX_TOKEN_LIFETIME_SECS: u64 = 365 * 24 * 3600;

/// Which objects the sandbox starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seed {
    /// One working object of each kind, wired together.
    #[default]
    Demo,
    /// Nothing.
    Empty,
}

/// Client credentials the token endpoint accepts.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: String,
}

impl Credentials {
    /// Fixed id, fresh random secret.
    pub fn generate() -> Self {
        Self {
            client_id: "sandbox-console".into(),
            client_secret: format!("sbx-secret-{}", uuid::Uuid::new_v4().simple()),
        }
    }
}

/// Everything that shapes a sandbox run.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub listen: SocketAddr,
    /// The SQLite database holding everything (configuration, conversations,
    /// assets, deliveries); a temporary one, removed at exit, without it.
    pub state_file: Option<PathBuf>,
    pub seed: Seed,
    pub spec: Arc<Spec>,
    pub faults: Faults,
    pub credentials: Credentials,
    /// Conversation hub behaviour (delivery, counterparties, demo callbacks).
    pub hub: hub::HubOptions,
    /// Lifetimes of signed asset URLs.
    pub assets: assets::AssetOptions,
    /// Strictness: which unverified assumptions refuse, warn or pass.
    pub fidelity: fidelity::Fidelity,
    /// Header, body and idle-connection timeouts.
    pub server: ServerOptions,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            state_file: None,
            seed: Seed::Empty,
            spec: Spec::embedded(),
            faults: Faults::default(),
            credentials: Credentials::generate(),
            hub: hub::HubOptions::default(),
            assets: assets::AssetOptions::default(),
            fidelity: fidelity::Fidelity::default(),
            server: ServerOptions::default(),
        }
    }
}

/// Where a running sandbox answers.
#[derive(Debug, Clone)]
pub struct Urls {
    /// `http://127.0.0.1:PORT`
    pub root: String,
    /// API base, ending in `/conversation/conversationmgr/v3`.
    pub base: String,
    pub token: String,
}

impl Urls {
    fn new(addr: SocketAddr) -> Self {
        let root = format!("http://{addr}");
        Self {
            base: format!("{root}{API_BASE_PATH}"),
            token: format!("{root}{TOKEN_PATH}"),
            root,
        }
    }
}

/// State shared by every handler and background task.
pub struct SandboxState {
    pub config: SandboxConfig,
    pub urls: Urls,
    pub store: RwLock<store::Store>,
    /// Where every acknowledged change is written first.
    pub db: Arc<db::Db>,
    pub tokens: Mutex<auth::TokenTable>,
    pub assets: assets::AssetStore,
    pub hub: hub::Hub,
    /// Deviations from the unverified model, for `GET /sandbox/warnings`.
    pub warnings: fidelity::WarningLog,
    /// Outbound HTTP for callback deliveries and oauth2 token fetches.
    /// Deliveries and token fetches: plain http needs no certificate store (loaded on the
    /// first https callback only).
    pub http: crate::api::http::Http,
    /// Cancelled when the sandbox stops; background tasks watch it.
    pub shutdown: CancellationToken,
}

pub type SharedState = Arc<SandboxState>;

impl SandboxState {
    /// Read the store (a poisoned lock still holds consistent data: every
    /// mutation is a single insert/replace/remove, applied after its database write).
    pub fn store(&self) -> RwLockReadGuard<'_, store::Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Change the store. Memory only: [`entities`] writes the database first;
    /// tests use this to install fixtures.
    pub fn store_mut(&self) -> RwLockWriteGuard<'_, store::Store> {
        self.store.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// A sandbox serving in the background; dropping it stops it.
pub struct RunningSandbox {
    pub addr: SocketAddr,
    pub urls: Urls,
    pub credentials: Credentials,
    pub state: SharedState,
    /// What opening the state file did that the user should hear (a migration).
    pub notices: Vec<String>,
    server: Option<JoinHandle<()>>,
}

impl RunningSandbox {
    /// Stop serving and wait for the server task to end.
    pub async fn shutdown(mut self) {
        self.state.shutdown.cancel();
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        self.state.shutdown.cancel();
    }
}

impl SandboxConfig {
    /// Refuse settings the sandbox cannot honour, naming the setting.
    pub fn check(&self) -> Result<(), String> {
        let lifetime = self.faults.token_lifetime.as_secs();
        if lifetime == 0 || lifetime > MAX_TOKEN_LIFETIME_SECS {
            return Err(format!(
                "token lifetime of {lifetime} s is out of range: use 1 to {MAX_TOKEN_LIFETIME_SECS} seconds"
            ));
        }
        if !(0.0..=1.0).contains(&self.faults.failure_rate) {
            return Err(format!(
                "failure rate {} is out of range: use 0.0 to 1.0",
                self.faults.failure_rate
            ));
        }
        Ok(())
    }
}

/// Bind, open, seed and serve in the background.
pub async fn start(config: SandboxConfig) -> Result<RunningSandbox, String> {
    bind(config).await?.serve().await
}

/// Bind the listener and start opening the database on a blocking thread;
/// [`Starting::serve`] finishes. A client can be aimed at the address at
/// once: its connections wait in the listen queue until the sandbox serves,
/// so the console draws its first frame while the database opens and seeds.
pub async fn bind(config: SandboxConfig) -> Result<Starting, String> {
    config.check()?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| crate::io_error::listen("the sandbox", config.listen, "--listen", &e))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let state_file = config.state_file.clone();
    let keep = config.hub.delivery_log_size;
    let opening = tokio::task::spawn_blocking(move || db::Db::open(state_file.as_deref(), keep));
    Ok(Starting {
        addr,
        urls: Urls::new(addr),
        credentials: config.credentials.clone(),
        listener,
        config,
        opening,
    })
}

/// A sandbox that listens but does not answer yet (see [`bind`]).
pub struct Starting {
    pub addr: SocketAddr,
    pub urls: Urls,
    pub credentials: Credentials,
    listener: tokio::net::TcpListener,
    config: SandboxConfig,
    opening: JoinHandle<Result<(db::Db, db::Loaded), String>>,
}

impl Starting {
    /// The hub's settings, still open to change: they take effect when it
    /// serves (the seed's callback URLs, once the console's receiver listens).
    pub fn hub_mut(&mut self) -> &mut hub::HubOptions {
        &mut self.config.hub
    }

    /// Wait for the database, restore what it holds, seed a fresh store,
    /// then serve: the first request already sees the whole seed.
    pub async fn serve(self) -> Result<RunningSandbox, String> {
        let Starting {
            addr,
            urls,
            credentials,
            listener,
            config,
            opening,
        } = self;
        let (db, loaded) = opening
            .await
            .map_err(|e| format!("opening the sandbox database failed: {e}"))??;
        let db = Arc::new(db);
        let store = loaded.store;
        let fresh = store.is_empty();
        let http = crate::api::http::Http::new(config.hub.delivery_timeout).map_err(|e| e.to_string())?;
        let state: SharedState = Arc::new(SandboxState {
            hub: hub::Hub::new(&config.hub),
            assets: assets::AssetStore::new(config.assets.clone(), db.clone(), loaded.assets),
            store: RwLock::new(store),
            db,
            tokens: Mutex::new(auth::TokenTable::default()),
            warnings: fidelity::WarningLog::default(),
            http,
            shutdown: CancellationToken::new(),
            urls: urls.clone(),
            config,
        });
        state.hub.restore(loaded.open_conversations)?;
        state.hub.restore_deliveries(&loaded.deliveries);
        if fresh && state.config.seed == Seed::Demo {
            seed::seed_demo(&state)?;
        }
        hub::resume_deliveries(&state, loaded.outbox);
        let app = router(state.clone());
        let stop = state.shutdown.clone();
        let server = tokio::spawn(serve::serve(listener, app, state.config.server, stop));
        hub::spawn_background(&state);
        Ok(RunningSandbox {
            addr,
            urls,
            credentials,
            state,
            notices: loaded.notices,
            server: Some(server),
        })
    }
}

/// All routes: the API under its base path (with fault injection), the token
/// endpoint, signed storage URLs, built-in counterparties and the spec.
pub fn router(state: SharedState) -> Router {
    let api = Router::new()
        .merge(entities::routes())
        .merge(hub::routes())
        .merge(assets::api_routes())
        .layer(axum::middleware::from_fn_with_state(state.clone(), faults::inject));
    Router::new()
        .nest(API_BASE_PATH, api)
        .route(TOKEN_PATH, post(auth::token))
        .route("/openapi.yaml", get(openapi))
        .merge(assets::storage_routes())
        .merge(hub::counterparty_routes())
        .route("/sandbox/warnings", get(fidelity::list))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), fidelity::collect))
        .layer(axum::middleware::from_fn(shape::egain_errors))
        .with_state(state)
}

async fn openapi(axum::extract::State(state): axum::extract::State<SharedState>) -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/yaml")],
        state.config.spec.source().to_owned(),
    )
}

async fn not_found(uri: axum::http::Uri) -> HubError {
    HubError::new(
        StatusCode::NOT_FOUND,
        codes::NOT_FOUND,
        format!("No route for {}.", uri.path()),
    )
}
