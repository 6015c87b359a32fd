//! Reading a request body under a size limit and a deadline. An oversized
//! body is read to its end (and thrown away) before the 413 goes out: a
//! server that answers while the client is still sending and then closes
//! makes the client's kernel see a reset, and the hub would see a broken
//! connection instead of the status.

use axum::body::{Body, Bytes};
use futures_util::StreamExt;
use tokio::time::Instant;

/// Past this many bytes an oversized body is no longer drained; the answer
/// still goes out, and the connection is closed.
const DRAIN_CAP: u64 = 64 * 1024 * 1024;

/// How a body read ended.
#[derive(Debug)]
pub(super) enum BodyRead {
    Complete(Bytes),
    /// More than the limit; `seen` bytes arrived before reading stopped.
    TooLarge {
        seen: u64,
    },
    /// The deadline passed before the body ended.
    Stalled {
        seen: u64,
    },
    /// The connection failed mid-body.
    Broken {
        seen: u64,
        error: String,
    },
}

impl BodyRead {
    pub fn seen(&self) -> u64 {
        match self {
            BodyRead::Complete(bytes) => bytes.len() as u64,
            BodyRead::TooLarge { seen } | BodyRead::Stalled { seen } | BodyRead::Broken { seen, .. } => *seen,
        }
    }
}

/// Read `body`, keeping at most `limit` bytes, until `deadline`.
pub(super) async fn read(body: Body, declared: Option<u64>, limit: usize, deadline: Instant) -> BodyRead {
    let limit = limit as u64;
    let mut stream = body.into_data_stream();
    // A declared oversize is known before any byte: keep nothing.
    let mut over = declared.is_some_and(|n| n > limit);
    let mut kept = Vec::new();
    let mut seen = 0u64;
    loop {
        let chunk = match tokio::time::timeout_at(deadline, stream.next()).await {
            Err(_) if over => return BodyRead::TooLarge { seen },
            Err(_) => return BodyRead::Stalled { seen },
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                return BodyRead::Broken {
                    seen,
                    error: e.to_string(),
                };
            }
            Ok(Some(Ok(chunk))) => chunk,
        };
        seen += chunk.len() as u64;
        if seen > limit {
            if !over {
                over = true;
                kept = Vec::new();
            }
            if seen > DRAIN_CAP {
                return BodyRead::TooLarge { seen };
            }
        } else {
            kept.extend_from_slice(&chunk);
        }
    }
    if over {
        BodyRead::TooLarge { seen }
    } else {
        BodyRead::Complete(Bytes::from(kept))
    }
}
