//! Assets and signed storage URLs (to be filled in).

use axum::Router;

use super::SharedState;

#[derive(Default)]
pub struct AssetStore {}

impl AssetStore {
    /// Record that a message referenced the asset (it may no longer be
    /// deleted). Placeholder until the assets module implements it.
    pub fn mark_used(&self, _id: &str) -> Result<(), super::error::HubError> {
        Ok(())
    }
}

pub fn api_routes() -> Router<SharedState> {
    Router::new()
}

pub fn storage_routes() -> Router<SharedState> {
    Router::new()
}
