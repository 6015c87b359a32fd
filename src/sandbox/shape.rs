//! Every error the sandbox sends has eGain's error body. Handlers answer
//! [`HubError`]s already; this outermost middleware catches what the HTTP
//! stack produces on its own (405 from routing, 413/415/422 from extractors)
//! and re-dresses it, and refuses over-long URIs (414) and header sections
//! (431) itself, below the limits at which hyper would answer bare.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::HubError;

/// Longest request target accepted (hyper's own limit is far higher).
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most header fields accepted (hyper is configured for more).
pub const MAX_HEADERS: usize = 100;
/// Largest header section accepted, names and values together.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;
/// The most of an error body that is quoted into `developerMessage`.
const QUOTE_LIMIT: usize = 4096;

pub(super) async fn egain_errors(req: Request, next: Next) -> Response {
    let uri_len = req.uri().to_string().len();
    if uri_len > MAX_URI_BYTES {
        return HubError::new(
            StatusCode::URI_TOO_LONG,
            "414-101",
            format!("The request URI is {uri_len} bytes; at most {MAX_URI_BYTES} are accepted."),
        )
        .into_response();
    }
    let headers = req.headers();
    let header_bytes: usize = headers.iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    if headers.len() > MAX_HEADERS || header_bytes > MAX_HEADER_BYTES {
        return HubError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "431-101",
            format!(
                "The request has {} header fields ({header_bytes} bytes); at most {MAX_HEADERS} fields and {MAX_HEADER_BYTES} bytes are accepted.",
                headers.len()
            ),
        )
        .into_response();
    }
    let response = next.run(req).await;
    if !(response.status().is_client_error() || response.status().is_server_error()) || is_json(&response) {
        return response;
    }
    let status = response.status();
    let (parts, body) = response.into_parts();
    let text = match axum::body::to_bytes(body, QUOTE_LIMIT).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_owned(),
        Err(_) => String::new(),
    };
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("Request refused").to_owned() + "."
    } else {
        text
    };
    let mut out = HubError::new(status, &format!("{}-101", status.as_u16()), message).into_response();
    // Keep headers that matter to the client (Allow on 405, Retry-After...).
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

fn is_json(response: &Response<Body>) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}
