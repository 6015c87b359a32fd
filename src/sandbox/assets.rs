//! Assets and signed storage URLs (to be filled in).

use axum::Router;

use super::SharedState;

#[derive(Default)]
pub struct AssetStore {}

pub fn api_routes() -> Router<SharedState> {
    Router::new()
}

pub fn storage_routes() -> Router<SharedState> {
    Router::new()
}
