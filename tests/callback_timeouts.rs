//! The callback receiver closes connections that do not send a request:
//! a client trickling its headers a byte a second, and an idle connection,
//! are both disconnected within 15 s (the header-read limit is 10 s). The
//! test waits for the server to close the socket (end of file or reset),
//! with a generous bound; the byte-a-second pacing is the client under test,
//! not synchronisation.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use egain_console::api::Recorder;
use egain_console::callback::{CallbackConfig, Receiver};

/// The bound the issue sets for a byte-a-second client.
const WITHIN: Duration = Duration::from_secs(15);
/// Guard against a server that never closes.
const GUARD: Duration = Duration::from_secs(40);

/// Read until the server closes the connection; how long that took.
fn wait_for_close(mut stream: TcpStream, since: Instant) -> Duration {
    stream.set_read_timeout(Some(GUARD)).expect("read timeout");
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return since.elapsed(),
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => {
                panic!("the receiver kept the connection open for {GUARD:?}")
            }
            // Reset by the server: closed too.
            Err(_) => return since.elapsed(),
        }
    }
}

async fn receiver_addr() -> (egain_console::callback::RunningReceiver, SocketAddr) {
    let receiver = Receiver::start(CallbackConfig::default(), Arc::new(Recorder::default()))
        .await
        .expect("receiver starts");
    let addr = receiver.addr();
    (receiver, addr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_byte_a_second_client_is_disconnected() {
    let (_receiver, addr) = receiver_addr().await;
    let elapsed = tokio::task::spawn_blocking(move || {
        let stream = TcpStream::connect(addr).expect("connect");
        let mut writer = stream.try_clone().expect("clone");
        let closed = Arc::new(AtomicBool::new(false));
        let stop = closed.clone();
        let trickle = std::thread::spawn(move || {
            let request = b"POST /callback/customer HTTP/1.1\r\nHost: x\r\nX-Slow: "
                .iter()
                .chain(std::iter::repeat(&b'a'));
            for byte in request {
                if stop.load(Ordering::SeqCst) || writer.write_all(&[*byte]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        });
        let elapsed = wait_for_close(stream, Instant::now());
        closed.store(true, Ordering::SeqCst);
        let _ = trickle.join();
        elapsed
    })
    .await
    .expect("client thread");
    assert!(elapsed < WITHIN, "disconnected after {elapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_is_closed() {
    let (_receiver, addr) = receiver_addr().await;
    let elapsed = tokio::task::spawn_blocking(move || {
        let stream = TcpStream::connect(addr).expect("connect");
        wait_for_close(stream, Instant::now())
    })
    .await
    .expect("client thread");
    assert!(elapsed < WITHIN, "closed after {elapsed:?}");
}
