//! Requests at and past the HTTP stack's limits, sent over a raw socket (a
//! client library would refuse to build them): every refusal still has
//! eGain's error body, never hyper's bare answer.

use egain_console::sandbox::{self, API_BASE_PATH, SandboxConfig};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Send `request` and read the answer until the server closes or the body is
/// complete: (status, body as JSON).
async fn raw(addr: std::net::SocketAddr, request: Vec<u8>) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    // The server may answer and close before reading everything: a failed write is fine.
    let _ = stream.write_all(&request).await;
    let mut answer = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
        if let Some((head, body)) = split(&answer)
            && content_length(head).is_some_and(|len| body.len() >= len)
        {
            break;
        }
    }
    let (head, body) =
        split(&answer).unwrap_or_else(|| panic!("no answer head: {:?}", String::from_utf8_lossy(&answer)));
    let status_line = head.lines().next().unwrap_or_default().to_owned();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("status line {status_line:?}"));
    let body = serde_json::from_slice(body).unwrap_or_else(|_| {
        panic!(
            "{status}: not a JSON body: head {head:?}, body {:?}",
            String::from_utf8_lossy(body)
        )
    });
    (status, body)
}

fn split(answer: &[u8]) -> Option<(&str, &[u8])> {
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n")?;
    Some((std::str::from_utf8(&answer[..end]).ok()?, &answer[end + 4..]))
}

fn content_length(head: &str) -> Option<usize> {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
}

fn assert_egain(status: u16, body: &Value, want: u16) {
    assert_eq!(status, want, "{body}");
    let code = body["code"].as_str().unwrap_or_default();
    assert!(code.starts_with(&format!("{want}-")), "not an eGain error body: {body}");
    assert!(
        body["developerMessage"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn oversized_heads_get_the_egain_error_body() {
    let sb = sandbox::start(SandboxConfig::default()).await.expect("starts");
    let path = format!("{API_BASE_PATH}/accounts");

    let big_header = format!(
        "GET {path} HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n",
        "a".repeat(100 * 1024)
    );
    let (status, body) = raw(sb.addr, big_header.into_bytes()).await;
    assert_egain(status, &body, 431);

    let long_uri = format!("GET {path}?x={} HTTP/1.1\r\nhost: x\r\n\r\n", "a".repeat(20 * 1024));
    let (status, body) = raw(sb.addr, long_uri.into_bytes()).await;
    assert_egain(status, &body, 414);

    let mut many = format!("GET {path} HTTP/1.1\r\nhost: x\r\n");
    for i in 0..300 {
        many.push_str(&format!("x-f{i}: v\r\n"));
    }
    many.push_str("\r\n");
    let (status, body) = raw(sb.addr, many.into_bytes()).await;
    assert_egain(status, &body, 431);
}

/// Past hyper's own limits (its 512 KiB head buffer, 400 fields, 64 KiB
/// URIs) and for heads it cannot parse, hyper answers by itself: still eGain's body.
#[tokio::test]
async fn heads_hyper_refuses_itself_get_the_egain_error_body() {
    let sb = sandbox::start(SandboxConfig::default()).await.expect("starts");
    let path = format!("{API_BASE_PATH}/accounts");

    let huge = format!(
        "GET {path} HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n",
        "a".repeat(600 * 1024)
    );
    let (status, body) = raw(sb.addr, huge.into_bytes()).await;
    assert_egain(status, &body, 431);

    let mut many = format!("GET {path} HTTP/1.1\r\nhost: x\r\n");
    for i in 0..500 {
        many.push_str(&format!("x-f{i}: v\r\n"));
    }
    many.push_str("\r\n");
    let (status, body) = raw(sb.addr, many.into_bytes()).await;
    assert_egain(status, &body, 431);

    let longest = format!("GET {path}?x={} HTTP/1.1\r\nhost: x\r\n\r\n", "a".repeat(70 * 1024));
    let (status, body) = raw(sb.addr, longest.into_bytes()).await;
    assert_egain(status, &body, 414);

    let (status, body) = raw(sb.addr, b"NOT HTTP AT ALL\r\n\r\n".to_vec()).await;
    assert_egain(status, &body, 400);
    let (status, body) = raw(sb.addr, b"GET / HTTP/1.1\r\nbad header\r\n\r\n".to_vec()).await;
    assert_egain(status, &body, 400);
}

/// On a kept-alive connection, a good request's answer (with a body that
/// looks like an HTTP answer) passes untouched, and a bad second request
/// still gets eGain's body.
#[tokio::test]
async fn a_bad_request_after_a_good_one_on_the_same_connection() {
    let sb = sandbox::start(SandboxConfig::default()).await.expect("starts");
    let mut stream = TcpStream::connect(sb.addr).await.expect("connect");
    let good = "GET /openapi.yaml HTTP/1.1\r\nhost: x\r\n\r\n";
    let bad = format!(
        "GET /x HTTP/1.1\r\nhost: x\r\nx-many: {}\r\n\r\n",
        "a".repeat(600 * 1024)
    );
    stream.write_all(good.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let spec_len = loop {
        let n = stream.read(&mut buf).await.expect("read");
        assert!(n > 0, "closed early");
        answer.extend_from_slice(&buf[..n]);
        if let Some((head, body)) = split(&answer)
            && let Some(len) = content_length(head)
            && body.len() >= len
        {
            break len;
        }
    };
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&answer[..64])
    );
    assert_eq!(
        split(&answer).expect("head").1.len(),
        spec_len,
        "nothing past the body yet"
    );
    let _ = stream.write_all(bad.as_bytes()).await;
    let mut rest = Vec::new();
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => rest.extend_from_slice(&buf[..n]),
        }
        if let Some((head, body)) = split(&rest)
            && content_length(head).is_some_and(|len| body.len() >= len)
        {
            break;
        }
    }
    let (head, body) = split(&rest).expect("second answer");
    assert!(head.starts_with("HTTP/1.1 431"), "{head}");
    let body: Value = serde_json::from_slice(body).expect("JSON body");
    assert_eq!(body["code"], "431-101", "{body}");
}
