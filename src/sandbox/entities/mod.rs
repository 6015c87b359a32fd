//! Configuration operations 1-30: create, list, get, update and delete for
//! the six kinds. Bodies are checked against the OpenAPI schemas first, then
//! against what a schema cannot say (unique names, references between
//! objects, optimistic locking on `modified`); see [`ops`].

mod ops;
mod references;
mod rules;

use std::collections::HashMap;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::SharedState;
use super::auth::Need;
use super::error::{HubError, HubResult, codes};
use super::fidelity::keys;
use crate::api::models::EntityKind;

pub(crate) use ops::create_without_schema;
pub use ops::{check_id, create, delete, update};
pub use ops::{get as get_one, list as list_page};
pub use references::{Edge, edges, referrers};

/// Page size of a list call without `$pagesize`.
pub const DEFAULT_PAGE_SIZE: usize = 25;

const PAGENUM: &str = "$pagenum";
const PAGESIZE: &str = "$pagesize";

/// The five routes of every kind, under `/{segment}`.
pub fn routes() -> Router<SharedState> {
    EntityKind::ALL.into_iter().fold(Router::new(), |router, kind| {
        router
            .route(
                &format!("/{}", kind.segment()),
                post(move |state, headers, query, body| create_handler(kind, state, headers, query, body))
                    .get(move |state, headers, query| list_handler(kind, state, headers, query)),
            )
            .route(
                &format!("/{}/{{id}}", kind.segment()),
                get(move |state, headers, query, id| get_handler(kind, state, headers, query, id))
                    .put(move |state, headers, query, id, body| update_handler(kind, state, headers, query, id, body))
                    .delete(move |state, headers, query, id| delete_handler(kind, state, headers, query, id)),
            )
    })
}

/// Scope an operation needs. Listing authentications is manage-only (as
/// documented); reading one is assumed to take read as well, unless
/// [`keys::AUTHENTICATION_READ_SCOPE`] is `error` (see `get_handler`).
fn need(kind: EntityKind, write: bool, listing: bool) -> Need {
    match (kind, write, listing) {
        (_, true, _) => Need::Manage,
        (EntityKind::Authentication, false, true) => Need::Manage,
        _ => Need::ManageOrRead,
    }
}

fn query_params(query: Option<String>) -> HashMap<String, String> {
    query
        .map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

/// Parse the body ourselves so a bad one gets an eGain error body.
fn json_object(body: &Bytes) -> HubResult<Value> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        HubError::bad_request(
            codes::MALFORMED_BODY,
            format!("The request body is not valid JSON: {e}"),
        )
    })?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(HubError::bad_request(
            codes::MALFORMED_BODY,
            "The request body must be a JSON object.",
        ))
    }
}

/// A `$pagenum`/`$pagesize` value: a whole number from 1.
fn page_param(params: &HashMap<String, String>, name: &str, default: usize) -> HubResult<usize> {
    match params.get(name) {
        None => Ok(default),
        Some(text) => text.trim().parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
            HubError::bad_request(
                codes::INVALID_VALUE,
                format!("Invalid value of query parameter {name}: '{text}' is not a whole number of at least 1."),
            )
        }),
    }
}

async fn create_handler(
    kind: EntityKind,
    State(state): State<SharedState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> HubResult<Response> {
    state.authorize(&headers, need(kind, true, false))?;
    state.check_query(&query_params(query), &[])?;
    let id = ops::create(&state, kind, json_object(&body)?)?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

async fn list_handler(
    kind: EntityKind,
    State(state): State<SharedState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> HubResult<Json<Value>> {
    state.authorize(&headers, need(kind, false, true))?;
    let params = query_params(query);
    state.check_query(&params, &[PAGENUM, PAGESIZE])?;
    let pagenum = page_param(&params, PAGENUM, 1)?;
    let pagesize = page_param(&params, PAGESIZE, DEFAULT_PAGE_SIZE)?;
    let (count, items) = ops::list(&state, kind, pagenum, pagesize);
    Ok(Json(json!({
        "paginationInfo": {"count": count, "pagenum": pagenum, "pagesize": pagesize},
        kind.list_key(): items,
    })))
}

async fn get_handler(
    kind: EntityKind,
    State(state): State<SharedState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    Path(id): Path<String>,
) -> HubResult<Json<Value>> {
    state.authorize(&headers, need(kind, false, false))?;
    if kind == EntityKind::Authentication
        && let Err(refusal) = state.authorize(&headers, Need::Manage)
    {
        state.assume(keys::AUTHENTICATION_READ_SCOPE, || refusal)?;
    }
    state.check_query(&query_params(query), &[])?;
    ops::get(&state, kind, &id).map(Json)
}

async fn update_handler(
    kind: EntityKind,
    State(state): State<SharedState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    Path(id): Path<String>,
    body: Bytes,
) -> HubResult<StatusCode> {
    state.authorize(&headers, need(kind, true, false))?;
    state.check_query(&query_params(query), &[])?;
    check_id(&id)?;
    ops::update(&state, kind, &id, json_object(&body)?)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_handler(
    kind: EntityKind,
    State(state): State<SharedState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    Path(id): Path<String>,
) -> HubResult<StatusCode> {
    state.authorize(&headers, need(kind, true, false))?;
    state.check_query(&query_params(query), &[])?;
    ops::delete(&state, kind, &id)?;
    Ok(StatusCode::NO_CONTENT)
}
