//! Configuration CRUD for the six kinds (to be filled in).

use axum::Router;

use super::SharedState;

pub fn routes() -> Router<SharedState> {
    Router::new()
}
