//! The receiver's HTTP side. One handler takes every request so that each
//! one, whatever path or method it used, becomes a recorded exchange; it
//! reads the body, decides, records, and only then hands an accepted
//! envelope to the channel (never waiting on its consumer).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use url::Url;

use super::auth::{self, TokenTable};
use super::body::{self, BodyRead};
use super::{CALLBACK_PATH, CallbackConfig, Inbound, ReceiverAuth, TOKEN_PATH, canonical_role};
use crate::api::exchange::headers_of;
use crate::api::models::conversation::MessageEnvelope;
use crate::api::{Direction, Exchange, ExchangeKind, RecordedBody, Recorder};

/// What every request handler shares.
pub(super) struct Shared {
    auth: ReceiverAuth,
    max_body: usize,
    body_timeout: Duration,
    token_lifetime: Duration,
    /// Path of the public URL (no trailing slash), also accepted as a prefix.
    prefix: String,
    /// Scheme, host and port of the public URL, for recorded URLs.
    origin: String,
    recorder: Arc<Recorder>,
    pub(super) tokens: TokenTable,
    inbound: mpsc::UnboundedSender<Inbound>,
}

impl Shared {
    pub fn new(
        config: &CallbackConfig,
        public: &Url,
        recorder: Arc<Recorder>,
        inbound: mpsc::UnboundedSender<Inbound>,
    ) -> Self {
        Self {
            auth: config.auth.clone(),
            max_body: config.max_body,
            body_timeout: config.body_timeout,
            token_lifetime: config.token_lifetime,
            prefix: public.path().trim_end_matches('/').to_owned(),
            origin: public.origin().ascii_serialization(),
            recorder,
            tokens: TokenTable::default(),
            inbound,
        }
    }

    /// The route a request path names, with the public prefix removed.
    fn route(&self, path: &str) -> Route {
        let path = match path.strip_prefix(self.prefix.as_str()) {
            Some(rest) if !self.prefix.is_empty() && rest.starts_with('/') => rest,
            _ => path,
        };
        if path == TOKEN_PATH {
            return Route::Token;
        }
        match path.strip_prefix(CALLBACK_PATH).and_then(|p| p.strip_prefix('/')) {
            Some(segment) => match canonical_role(segment.trim_end_matches('/')) {
                Some(role) => Route::Callback(role),
                None => Route::Unknown,
            },
            None => Route::Unknown,
        }
    }
}

enum Route {
    Callback(&'static str),
    Token,
    Unknown,
}

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

/// An answer, kept as data so it can be both recorded and sent.
struct Reply {
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Vec<u8>,
}

impl Reply {
    fn json(status: StatusCode, body: &Value) -> Self {
        Self {
            status,
            headers: vec![(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            body: body.to_string().into_bytes(),
        }
    }

    /// An error answer: `{"error": code, "message": text}`.
    fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self::json(status, &json!({"error": code, "message": message.into()}))
    }

    fn with_header(mut self, name: HeaderName, value: &str) -> Self {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.headers.push((name, value));
        }
        self
    }

    fn recorded_headers(&self) -> Vec<(String, String)> {
        let mut map = axum::http::HeaderMap::new();
        for (k, v) in &self.headers {
            map.append(k.clone(), v.clone());
        }
        headers_of(&map)
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        for (k, v) in self.headers {
            response.headers_mut().insert(k, v);
        }
        response
    }
}

/// Every request: read, decide, record, then hand over what was accepted.
async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let started = std::time::Instant::now();
    let (parts, request_body) = request.into_parts();
    let route = shared.route(parts.uri.path());
    let kind = match route {
        Route::Token => ExchangeKind::Token,
        _ => ExchangeKind::Callback,
    };
    let path = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut exchange = Exchange::begin(
        Direction::Inbound,
        kind,
        parts.method.as_str(),
        &format!("{}{path}", shared.origin),
    );
    exchange.request_headers = headers_of(&parts.headers);
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let deadline = tokio::time::Instant::now() + shared.body_timeout;
    let read = body::read(request_body, declared, shared.max_body, deadline).await;
    exchange.request_body = Some(record_body(&shared, &content_type, &read));

    let (reply, accepted) = match route {
        Route::Unknown => (unknown(&parts.uri), None),
        _ if parts.method != Method::POST => (
            Reply::error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "Use POST.").with_header(ALLOW, "POST"),
            None,
        ),
        Route::Token => (token(&shared, &parts.headers, &content_type, &read), None),
        Route::Callback(role) => match auth::check(&shared.auth, &shared.tokens, &parts.headers) {
            Err(refusal) => (
                Reply::error(StatusCode::UNAUTHORIZED, "unauthorized", refusal.reason)
                    .with_header(WWW_AUTHENTICATE, &refusal.challenge),
                None,
            ),
            Ok(()) => match envelope(&shared, &read) {
                Ok(envelope) => (Reply::json(StatusCode::OK, &json!({})), Some((role, envelope))),
                Err(reply) => (reply, None),
            },
        },
    };

    exchange.status = Some(reply.status.as_u16());
    exchange.response_headers = reply.recorded_headers();
    exchange.response_body = Some(shared.recorder.capture(Some("application/json"), &reply.body));
    exchange.duration = started.elapsed();
    let received = exchange.started;
    let exchange_id = shared.recorder.record(exchange);
    if let Some((role, envelope)) = accepted {
        // A consumer that went away loses nothing the log does not hold.
        let _ = shared.inbound.send(Inbound {
            role: role.to_owned(),
            received,
            envelope,
            exchange_id,
        });
    }
    reply.into_response()
}

fn unknown(uri: &axum::http::Uri) -> Reply {
    Reply::error(
        StatusCode::NOT_FOUND,
        "not_found",
        format!(
            "No callback at {}; roles are served at {CALLBACK_PATH}/{{role}}.",
            uri.path()
        ),
    )
}

/// The request body as the log keeps it. Only complete bodies are kept:
/// a cut-off JSON body cannot be parsed, so it could not be redacted.
fn record_body(shared: &Shared, content_type: &str, read: &BodyRead) -> RecordedBody {
    let ct = Some(content_type).filter(|c| !c.is_empty());
    let described = |what: String| RecordedBody {
        text: what,
        size: read.seen(),
        truncated: true,
        binary: false,
    };
    match read {
        BodyRead::Complete(bytes) => shared.recorder.capture(ct, bytes),
        BodyRead::TooLarge { seen } => described(format!(
            "<{seen} bytes or more, over the {} byte limit; not kept>",
            shared.max_body
        )),
        BodyRead::Stalled { seen } => described(format!("<{seen} bytes before the body stalled; not kept>")),
        BodyRead::Broken { seen, error } => described(format!("<{seen} bytes before the body broke off ({error})>")),
    }
}

/// The body's bytes, or the answer that refuses it (413, 408, 400).
fn complete<'a>(shared: &Shared, read: &'a BodyRead) -> Result<&'a [u8], Reply> {
    match read {
        BodyRead::Complete(bytes) => Ok(bytes),
        BodyRead::TooLarge { .. } => Err(Reply::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("The body is over the {} byte limit.", shared.max_body),
        )),
        BodyRead::Stalled { .. } => Err(Reply::error(
            StatusCode::REQUEST_TIMEOUT,
            "body_timeout",
            "The body did not arrive in time.",
        )),
        BodyRead::Broken { error, .. } => Err(Reply::error(
            StatusCode::BAD_REQUEST,
            "body_broken",
            format!("The body could not be read: {error}"),
        )),
    }
}

/// Parse a callback body as a message envelope.
fn envelope(shared: &Shared, read: &BodyRead) -> Result<MessageEnvelope, Reply> {
    let bytes = complete(shared, read)?;
    // Syntax first, then shape, so the answer says which one failed.
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        Reply::error(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("The body is not valid JSON: {e}"),
        )
    })?;
    serde_json::from_value(value).map_err(|e| {
        Reply::error(
            StatusCode::BAD_REQUEST,
            "not_an_envelope",
            format!("The body is not a message envelope: {e}"),
        )
    })
}

/// `POST /callback/token`: issue a bearer token to the configured client.
fn token(shared: &Shared, headers: &axum::http::HeaderMap, content_type: &str, read: &BodyRead) -> Reply {
    if !matches!(shared.auth, ReceiverAuth::Bearer { .. }) {
        return Reply::error(
            StatusCode::NOT_FOUND,
            "not_found",
            "This receiver does not issue tokens (it is not in bearer mode).",
        );
    }
    let bytes = match complete(shared, read) {
        Ok(bytes) => bytes,
        Err(reply) => return reply,
    };
    let Some((id, secret)) = auth::client_credentials(headers, content_type, bytes) else {
        return Reply::error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Send clientId and clientSecret (JSON or form).",
        );
    };
    if !auth::client_matches(&shared.auth, &id, &secret) {
        return Reply::error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Unknown client or wrong secret.",
        )
        .with_header(WWW_AUTHENTICATE, "Basic realm=\"egain-console\"");
    }
    let token = shared.tokens.issue(shared.token_lifetime);
    let lifetime = shared.token_lifetime.as_secs();
    // Both spellings, so an oauth2 Authentication works with or without an accessTokenPath.
    Reply::json(
        StatusCode::OK,
        &json!({
            "accessToken": token,
            "expiresIn": lifetime,
            "tokenType": "Bearer",
            "access_token": token,
            "expires_in": lifetime,
            "token_type": "Bearer",
        }),
    )
}
