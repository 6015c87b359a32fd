//! Serving an axum router with the limits a server facing the network
//! needs and `axum::serve` does not set: a connection must send its request
//! headers within [`ServeLimits::header_read`] (slow-header attacks, a
//! client trickling a byte a second), and a keep-alive connection idle for
//! that long is closed too (hyper starts the same timer while waiting for
//! the next request). Body timeouts stay with the handlers, which know the
//! size they accept. Used by the console's callback receiver; the sandbox
//! serves through the same [`accept_loop`] with its own limits and
//! connection wrapper.

use std::time::Duration;

use axum::Router;
use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::HttpService;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
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
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .keep_alive(true);
    let connect = |stream| (TokioIo::new(stream), TowerToHyperService::new(router.clone()));
    accept_loop(listener, &builder, stop, limits.drain, connect).await;
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The accept loop under every server here: each accepted stream becomes
/// hyper's IO and service through `connect` (the sandbox wraps both) and is
/// served by `http` on its own task. When `stop` is cancelled, accepting
/// ends and requests in progress get at most `drain` to finish.
pub async fn accept_loop<I, S>(
    listener: TcpListener,
    http: &http1::Builder,
    stop: CancellationToken,
    drain: Duration,
    mut connect: impl FnMut(TcpStream) -> (I, S),
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    S: HttpService<Incoming> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    S::ResBody: Send + 'static,
    <S::ResBody as Body>::Data: Send,
    <S::ResBody as Body>::Error: Into<BoxError>,
{
    let graceful = GracefulShutdown::new();
    loop {
        let stream = tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of descriptors or similar: pause instead of spinning.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let (io, service) = connect(stream);
        let connection = graceful.watch(http.serve_connection(io, service));
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(drain, graceful.shutdown()).await;
}
