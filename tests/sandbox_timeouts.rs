//! Slow and idle clients are disconnected; out-of-range durations are
//! refused with a clear error instead of overflowing.

use std::time::Duration;

use egain_console::sandbox::{self, SandboxConfig, ServerOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// Send `bytes` one a second until the server closes the connection; the
/// time it took. Panics if the server is still reading after `limit`.
async fn drip_until_closed(addr: std::net::SocketAddr, bytes: &[u8], limit: Duration) -> Duration {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    let mut buf = [0u8; 512];
    for byte in bytes.iter().cycle() {
        tokio::select! {
            _ = ticker.tick() => {
                if stream.write_all(&[*byte]).await.is_err() {
                    return started.elapsed();
                }
            }
            read = stream.read(&mut buf) => {
                // An answer (408/400) or EOF: the server gave up on us.
                if matches!(read, Ok(0) | Err(_)) {
                    return started.elapsed();
                }
            }
        }
        assert!(started.elapsed() < limit, "still connected after {limit:?}");
    }
    unreachable!("cycle never ends")
}

#[tokio::test]
async fn a_byte_a_second_header_is_cut_off_within_15_seconds() {
    let sb = sandbox::start(SandboxConfig::default()).await.expect("starts");
    let took = drip_until_closed(
        sb.addr,
        b"GET /openapi.yaml HTTP/1.1\r\nx-slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        Duration::from_secs(15),
    )
    .await;
    assert!(took >= Duration::from_secs(5), "closed suspiciously early: {took:?}");
}

#[tokio::test]
async fn a_dripping_body_and_an_idle_connection_are_closed() {
    let config = SandboxConfig {
        server: ServerOptions {
            header_timeout: Duration::from_secs(2),
            body_idle_timeout: Duration::from_secs(2),
            body_timeout: Duration::from_secs(3),
        },
        ..SandboxConfig::default()
    };
    let sb = sandbox::start(config).await.expect("starts");
    let head = format!(
        "POST {}/accounts HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n",
        egain_console::sandbox::API_BASE_PATH
    );
    let mut stream = TcpStream::connect(sb.addr).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("head");
    let started = Instant::now();
    // A byte a second: never idle for 2 s, but the whole body takes far longer than 3 s.
    let mut ticker = tokio::time::interval(Duration::from_millis(900));
    let mut buf = vec![0u8; 4096];
    loop {
        tokio::select! {
            _ = ticker.tick() => { let _ = stream.write_all(b" ").await; }
            // Any answer or EOF: the server gave up on the body.
            _ = stream.read(&mut buf) => break,
        }
        assert!(started.elapsed() < Duration::from_secs(10), "body drip not cut off");
    }

    // An idle keep-alive connection is closed after the header timeout.
    let mut idle = TcpStream::connect(sb.addr).await.expect("connect");
    idle.write_all(b"GET /openapi.yaml HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .expect("request");
    let started = Instant::now();
    let mut total = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match idle.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => total.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "idle connection kept open");
    assert!(String::from_utf8_lossy(&total).starts_with("HTTP/1.1 200"));
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn huge_durations_are_refused_or_harmless() {
    let mut config = SandboxConfig::default();
    config.faults.token_lifetime = Duration::from_secs(u64::MAX);
    let err = sandbox::start(config).await.err().expect("refused");
    assert!(err.contains("token lifetime") && err.contains("31536000"), "{err}");

    // An account timeout of 2e17 minutes: accepted with a warning, no panic, and
    // the conversation simply never idles out.
    let sb = sandbox::start(SandboxConfig {
        seed: sandbox::Seed::Demo,
        ..SandboxConfig::default()
    })
    .await
    .expect("starts");
    let state = &sb.state;
    let store = state.store();
    let account = store
        .iter(egain_console::api::models::EntityKind::Account)
        .next()
        .cloned()
        .expect("demo account");
    drop(store);
    let mut account = account;
    account["chatConfigurations"]["timeout"] = serde_json::json!(2e17);
    let id = account["id"].as_str().expect("id").to_owned();
    sandbox::entities::update(state, egain_console::api::models::EntityKind::Account, &id, account)
        .expect("accepted with a warning");
    assert!(
        state
            .warnings
            .snapshot()
            .iter()
            .any(|w| w.assumption == "idle-timeout-range")
    );
    let opened = sandbox::hub::submit(
        state,
        serde_json::json!({"messages": {"message": [{
            "type": {"value": "text"}, "content": {"text": "hi"}, "sender": {"type": "customer"},
            "conversation": {"account": {"address": sandbox::seed::DEMO_ADDRESS, "channel": {"type": sandbox::seed::DEMO_CHANNEL_TYPE}},
                "customer": {"contacts": {"contact": [{"type": "email", "address": "c@example.com"}]}},
                "entryPoint": {"id": sandbox::seed::DEMO_ENTRY_POINT}}
        }]}}),
    );
    assert!(opened.is_ok(), "{:?}", opened.err());
}
