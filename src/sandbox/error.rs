//! Errors the sandbox answers with, in eGain's error body. The codes beyond
//! those the spec documents (400-143, 401-104, 400-101) are our own model;
//! they live here, in one table, so they are easy to compare and change.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::api::error::{ErrorBody, ErrorDetail};
use crate::schema::{Violation, ViolationKind};

/// eGain error codes the sandbox uses.
pub mod codes {
    /// Unsupported query parameter(s) (documented in sibling APIs).
    pub const UNSUPPORTED_PARAMETER: &str = "400-101";
    /// Required attribute missing (documented).
    pub const REQUIRED_MISSING: &str = "400-143";
    /// Attribute present but invalid: length, enum, bounds, type, format. Also
    /// an asset upload whose Content-Type, Content-Length or byte count differs
    /// from what the upload URL signed (the spec names no code for these).
    pub const INVALID_VALUE: &str = "400-144";
    /// Name (or channel type) already used by another object of the kind.
    pub const DUPLICATE_NAME: &str = "400-145";
    /// A referenced object does not exist or is the wrong kind; also an
    /// unknown asset on `GET /assets/{id}`, which lists no 404 (a switch).
    pub const BAD_REFERENCE: &str = "400-146";
    /// Path id is not 36 characters.
    pub const BAD_ID: &str = "400-147";
    /// Delete refused: other objects still reference this one.
    pub const STILL_REFERENCED: &str = "400-148";
    /// Delete refused: the asset was used in a message.
    pub const ASSET_IN_USE: &str = "400-149";
    /// PUT carried a `modified` older than the stored one.
    pub const STALE_MODIFIED: &str = "400-150";
    /// Message not allowed (sender may not send the type, unknown conversation, ...).
    pub const MESSAGE_REFUSED: &str = "400-151";
    /// Body is not JSON.
    pub const MALFORMED_BODY: &str = "400-152";
    /// Asset not in a state for this: read before upload, or upload twice.
    pub const ASSET_STATE: &str = "400-153";
    /// Not valid HTTP/1.1: a malformed request line or header (hyper's parse errors).
    pub const MALFORMED_REQUEST: &str = "400-154";
    /// Invalid or missing Authorization (documented).
    pub const UNAUTHORIZED: &str = "401-104";
    /// Token lacks the scope.
    pub const FORBIDDEN: &str = "403-101";
    /// Signed URL invalid, expired or used the wrong way.
    pub const SIGNATURE_REFUSED: &str = "403-102";
    pub const NOT_FOUND: &str = "404-101";
    pub const NOT_ACCEPTABLE: &str = "406-101";
    /// Upload larger than declared.
    pub const TOO_LARGE: &str = "413-101";
    pub const INTERNAL: &str = "500-101";
    /// Injected by fault injection: a transient outage (sandbox only).
    pub const UNAVAILABLE: &str = "503-101";
}

/// An error answer: status plus eGain error body.
#[derive(Debug, Clone)]
pub struct HubError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl HubError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody::new(code, message),
        }
    }

    pub fn with_detail(mut self, key: &str, value: impl Into<String>) -> Self {
        self.body.details.push(ErrorDetail {
            key: key.to_owned(),
            value: Some(value.into()),
        });
        self
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            codes::UNAUTHORIZED,
            "Invalid or missing 'Authorization' header value.",
        )
    }

    pub fn forbidden(scopes: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            codes::FORBIDDEN,
            format!("Access denied: the token needs scope {scopes}."),
        )
    }

    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            format!("{what} with id {id} not found."),
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL, message)
    }

    /// Map schema violations to one error: missing attributes first (400-143,
    /// as eGain names the attribute), otherwise the first invalid value.
    pub fn from_violations(violations: &[Violation]) -> Self {
        let first = violations
            .iter()
            .find(|v| v.kind == ViolationKind::Required)
            .or_else(|| violations.first());
        let Some(first) = first else {
            return Self::bad_request(codes::INVALID_VALUE, "Invalid request body.");
        };
        let mut err = if first.kind == ViolationKind::Required {
            Self::bad_request(
                codes::REQUIRED_MISSING,
                format!(
                    "Required attribute is missing in the request body: {}",
                    first.attribute()
                ),
            )
        } else {
            Self::bad_request(
                codes::INVALID_VALUE,
                format!("Invalid value of attribute {}: {}", first.attribute(), first.message),
            )
        };
        for v in violations {
            err = err.with_detail(&v.path, v.message.clone());
        }
        err
    }
}

impl IntoResponse for HubError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

impl std::fmt::Display for HubError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.body.code,
            self.body.developer_message
        )
    }
}

/// Result of a sandbox handler.
pub type HubResult<T> = Result<T, HubError>;
