//! Serving an axum router with the limits a server facing the network
//! needs and `axum::serve` does not set: a connection must send its request
//! headers within [`ServeLimits::header_read`] (slow-header attacks, a
//! client trickling a byte a second), and a keep-alive connection idle for
//! that long is closed too (hyper starts the same timer while waiting for
//! the next request). Body timeouts stay with the handlers, which know the
//! size they accept. Used by the console's callback receiver; the sandbox
//! may share it.

use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Per-connection limits.
#[derive(Debug, Clone, Copy)]
pub struct ServeLimits {
    /// Time to receive a request's headers, from connect or from the end of
    /// the previous response.
    pub header_read: Duration,
    /// How long shutdown waits for requests in progress.
    pub drain: Duration,
}

impl Default for ServeLimits {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            drain: Duration::from_secs(2),
        }
    }
}

/// Accept and serve HTTP/1.1 until `stop` is cancelled, then let requests in
/// progress finish (at most `limits.drain`).
pub async fn serve(listener: TcpListener, router: Router, limits: ServeLimits, stop: CancellationToken) {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    loop {
        let stream = tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of descriptors or a connection reset before accept: keep serving.
                Err(_) => continue,
            },
        };
        let service = TowerToHyperService::new(router.clone());
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let watched = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = watched.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(limits.drain, graceful.shutdown()).await;
}
