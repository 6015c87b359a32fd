//! The HTTP server loop: hyper's HTTP/1 with the limits a mock that faces
//! anything needs. A client gets `header_timeout` to send a request head
//! (also how long an idle keep-alive connection may wait), each body chunk
//! must arrive within `body_idle_timeout` and the whole body within
//! `body_timeout`; hyper's own header limits sit above the eGain-shaped ones
//! of [`super::shape`], and what hyper still refuses by itself (past its
//! buffer, a malformed head) is re-dressed by [`super::bare_answers`], so
//! every refusal gets an eGain body.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use futures_util::StreamExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use super::bare_answers::{Answers, Redress};

/// Connection and body timeouts.
#[derive(Debug, Clone, Copy)]
pub struct ServerOptions {
    /// Time to receive a whole request head; an idle keep-alive connection is closed after it.
    pub header_timeout: Duration,
    /// Longest pause between two chunks of a request body.
    pub body_idle_timeout: Duration,
    /// Longest time to receive a whole request body.
    pub body_timeout: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_idle_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(300),
        }
    }
}

/// hyper's limits: above [`super::shape`]'s, so those answer first.
const HYPER_MAX_HEADERS: usize = 400;
const HYPER_MAX_BUF: usize = 512 * 1024;

/// How long stopping waits for open requests.
const DRAIN: Duration = Duration::from_secs(5);

/// Serve `app` until `stop` is cancelled, then let open requests finish.
pub(super) async fn serve(listener: TcpListener, app: Router, options: ServerOptions, stop: CancellationToken) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(options.header_timeout)
        .max_headers(HYPER_MAX_HEADERS)
        .max_buf_size(HYPER_MAX_BUF);
    let app = app.layer(axum::middleware::from_fn(move |req: Request, next: Next| {
        body_deadline(req, next, options)
    }));
    let connect = |stream: tokio::net::TcpStream| {
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let answers = Arc::new(Answers::default());
        let stream = Redress::new(stream, answers.clone());
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            answers.expect(req.method() == hyper::Method::HEAD);
            let app = app.clone();
            async move { Ok::<_, Infallible>(app.oneshot(req.map(Body::new)).await.unwrap_or_else(|e| match e {})) }
        });
        (TokioIo::new(stream), service)
    };
    crate::serve::accept_loop(listener, &http, stop, DRAIN, connect).await;
}

#[derive(Debug)]
struct BodyTimedOut(&'static str);

impl std::fmt::Display for BodyTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for BodyTimedOut {}

/// Wrap the request body so a stalled or dripping sender ends in an error.
async fn body_deadline(req: Request, next: Next, options: ServerOptions) -> Response {
    let deadline = Instant::now().checked_add(options.body_timeout);
    let idle = options.body_idle_timeout;
    let req = req.map(|body| {
        let stream = body.into_data_stream();
        let timed = futures_util::stream::unfold(Some(stream), move |state| async move {
            let mut stream = state?;
            let left = deadline.map_or(idle, |d| d.saturating_duration_since(Instant::now()).min(idle));
            match tokio::time::timeout(left, stream.next()).await {
                Ok(Some(item)) => Some((item, Some(stream))),
                Ok(None) => None,
                Err(_) => Some((
                    Err(axum::Error::new(BodyTimedOut("the request body arrived too slowly"))),
                    None,
                )),
            }
        });
        // Fused: the body may be polled again after it ended.
        Body::from_stream(timed.fuse())
    });
    next.run(req).await
}
