//! hyper answers a request it cannot parse (head past its buffer, too many
//! header fields, a URI over 64 KiB, a malformed request line) by itself,
//! with an empty 400/414/431, before any service sees it. This connection
//! wrapper replaces exactly those answers with eGain's error body.
//!
//! It tells hyper's answers from the service's by counting: the service
//! notes each request it answers ([`Answers::expect`], with whether it is a
//! HEAD), and a response head written when no service answer is due can only
//! be hyper's. Bodies are skipped by their `Content-Length`; after a body
//! of unknown length (chunked), the connection is passed through untouched.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};

use axum::http::StatusCode;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::error::{HubError, codes};
use super::shape::{MAX_HEADER_BYTES, MAX_HEADERS, MAX_URI_BYTES};

/// The service's side: one entry per request it answers, in order.
#[derive(Debug, Default)]
pub(super) struct Answers {
    /// `true` for a HEAD request (its answer has no body whatever its length says).
    due: Mutex<VecDeque<bool>>,
}

impl Answers {
    /// A request reached the service: its answer will be written next.
    pub(super) fn expect(&self, head_request: bool) {
        self.due
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(head_request);
    }

    fn next(&self) -> Option<bool> {
        self.due.lock().unwrap_or_else(|e| e.into_inner()).pop_front()
    }
}

/// Where the outgoing byte stream is.
#[derive(Debug)]
enum Out {
    /// Collecting a response head.
    Head(Vec<u8>),
    /// Inside a body of this many more bytes.
    Body(u64),
    /// Untouched from here on (a body of unknown length, or hyper's answer sent).
    Through,
}

/// A connection whose writes are watched for hyper's own error answers.
pub(super) struct Redress<S> {
    inner: S,
    answers: Arc<Answers>,
    out: Out,
    /// Bytes taken from hyper, still to be written to `inner`.
    queued: Vec<u8>,
    sent: usize,
}

impl<S> Redress<S> {
    pub(super) fn new(inner: S, answers: Arc<Answers>) -> Self {
        Self {
            inner,
            answers,
            out: Out::Head(Vec::new()),
            queued: Vec::new(),
            sent: 0,
        }
    }

    /// Take `bytes` into `queued`, rewriting hyper's answers.
    fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            match &mut self.out {
                Out::Through => {
                    self.queued.extend_from_slice(bytes);
                    return;
                }
                Out::Body(left) => {
                    let n = usize::try_from(*left).unwrap_or(usize::MAX).min(bytes.len());
                    self.queued.extend_from_slice(&bytes[..n]);
                    *left -= n as u64;
                    bytes = &bytes[n..];
                    if *left == 0 {
                        self.out = Out::Head(Vec::new());
                    }
                }
                Out::Head(head) => {
                    let start = head.len().saturating_sub(3);
                    head.extend_from_slice(bytes);
                    bytes = &[];
                    let Some(end) = head[start..].windows(4).position(|w| w == b"\r\n\r\n") else {
                        continue;
                    };
                    let end = start + end + 4;
                    let mut head = std::mem::take(head);
                    let rest = head.split_off(end);
                    self.head(&head);
                    // What followed the head goes through the new state.
                    self.feed(&rest);
                }
            }
        }
    }

    /// One complete response head.
    fn head(&mut self, head: &[u8]) {
        let text = String::from_utf8_lossy(head);
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::BAD_REQUEST);
        if status.is_informational() {
            self.queued.extend_from_slice(head);
            self.out = Out::Head(Vec::new());
            return;
        }
        let Some(head_request) = self.answers.next() else {
            // No answer of the service was due: hyper's own, then it closes.
            self.queued.extend_from_slice(&egain_answer(status));
            self.out = Out::Through;
            return;
        };
        self.queued.extend_from_slice(head);
        let header = |name: &str| {
            text.split("\r\n")
                .skip(1)
                .filter_map(|l| l.split_once(':'))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_owned())
        };
        self.out = if head_request || status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
            Out::Head(Vec::new())
        } else {
            match header("content-length").and_then(|v| v.parse::<u64>().ok()) {
                Some(0) => Out::Head(Vec::new()),
                Some(n) => Out::Body(n),
                None => Out::Through,
            }
        };
    }
}

/// The eGain-shaped answer for a status hyper chose, closing the connection.
fn egain_answer(status: StatusCode) -> Vec<u8> {
    let error = match status {
        StatusCode::URI_TOO_LONG => HubError::new(
            status,
            "414-101",
            format!("The request URI is too long; at most {MAX_URI_BYTES} bytes are accepted."),
        ),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => HubError::new(
            status,
            "431-101",
            format!(
                "The request's header section is too large; at most {MAX_HEADERS} fields and {MAX_HEADER_BYTES} bytes are accepted."
            ),
        ),
        _ => HubError::new(
            status,
            codes::MALFORMED_REQUEST,
            "The request is not valid HTTP/1.1 (request line or header syntax).",
        ),
    };
    let body = serde_json::to_vec(&error.body).unwrap_or_default();
    let mut answer = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error"),
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(&body);
    answer
}

impl<S: AsyncWrite + Unpin> Redress<S> {
    /// Write out what is queued.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.queued.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.queued[self.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        self.queued.clear();
        self.sent = 0;
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Redress<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Redress<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        ready!(this.drain(cx))?;
        // Body bytes go straight through (no copy); heads are looked at first.
        match this.out {
            Out::Through => return Pin::new(&mut this.inner).poll_write(cx, buf),
            Out::Body(left) => {
                let n = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
                let written = ready!(Pin::new(&mut this.inner).poll_write(cx, &buf[..n]))?;
                this.out = match left - written as u64 {
                    0 => Out::Head(Vec::new()),
                    more => Out::Body(more),
                };
                return Poll::Ready(Ok(written));
            }
            Out::Head(_) => {}
        }
        this.feed(buf);
        // Start writing now; what is left goes out on the next write or flush.
        let _ = this.drain(cx)?;
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fed(answers: &[bool], chunks: &[&[u8]]) -> String {
        let due = Arc::new(Answers::default());
        for a in answers {
            due.expect(*a);
        }
        let mut r = Redress::new(tokio::io::sink(), due);
        for c in chunks {
            r.feed(c);
        }
        String::from_utf8_lossy(&r.queued).into_owned()
    }

    #[test]
    fn the_service_answers_pass_untouched_and_bodies_are_skipped() {
        let ours = "HTTP/1.1 400 Bad Request\r\ncontent-length: 28\r\n\r\nHTTP/1.1 400 Bad Request\r\n\r\n";
        let second = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
        let both = format!("{ours}{second}");
        // Split at every byte: the result is the same.
        for at in 0..both.len() {
            let (a, b) = both.as_bytes().split_at(at);
            assert_eq!(fed(&[false, false], &[a, b]), both, "split at {at}");
        }
    }

    #[test]
    fn hypers_own_answer_gets_the_egain_body() {
        let bare = "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n";
        let out = fed(&[], &[bare.as_bytes()]);
        assert!(out.starts_with("HTTP/1.1 431 "), "{out}");
        assert!(out.contains("content-type: application/json"), "{out}");
        assert!(out.contains("\"code\":\"431-101\""), "{out}");

        // After one answer of the service (a HEAD: no body despite its length).
        let head = "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n";
        let out = fed(&[true], &[head.as_bytes(), b"HTTP/1.1 400 Bad Request\r\n\r\n"]);
        assert!(out.starts_with(head), "{out}");
        assert!(out.contains(codes::MALFORMED_REQUEST), "{out}");
    }
}
