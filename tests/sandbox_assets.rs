//! The sandbox's asset flow over real loopback HTTP: ticket, signed upload,
//! signed download, and every refusal the signed URLs make.

use std::time::Duration;

use bytes::Bytes;
use egain_console::api::models::EntityKind;
use egain_console::sandbox::assets::AssetOptions;
use egain_console::sandbox::{RunningSandbox, SandboxConfig, start};
use reqwest::{Client, Method, Response, StatusCode, header};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

mod common;

const CHANNEL_ID: &str = "0c7a6a52-3b7e-4a53-9d7c-0123456789ab";

struct Fixture {
    sandbox: RunningSandbox,
    http: Client,
    token: String,
}

impl Fixture {
    async fn start(config: SandboxConfig) -> Self {
        let sandbox = start(config).await.expect("sandbox starts");
        sandbox.state.store_mut().insert(
            EntityKind::Channel,
            json!({
                "id": CHANNEL_ID,
                "type": "sms",
                "displayName": "SMS",
                "created": "2024-01-01T00:00:00.000Z",
                "modified": "2024-01-01T00:00:00.000Z",
            }),
        );
        let http = Client::new();
        let token = common::bearer_token(
            &http,
            &sandbox.urls.token,
            &sandbox.credentials.client_id,
            &sandbox.credentials.client_secret,
        )
        .await;
        Self { sandbox, http, token }
    }

    async fn default() -> Self {
        Self::start(SandboxConfig::default()).await
    }

    fn api(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.sandbox.urls.base))
            .bearer_auth(&self.token)
    }

    async fn create_raw(&self, body: &Value) -> Response {
        self.api(Method::POST, "/assets")
            .json(body)
            .send()
            .await
            .expect("create asset")
    }

    /// A ticket for `name` of `size` bytes: `(id, contentUrl)`.
    async fn create(&self, name: &str, size: u64) -> (String, String) {
        let resp = self.create_raw(&asset_body(name, size)).await;
        assert_eq!(resp.status(), StatusCode::OK);
        let ticket: Value = resp.json().await.expect("ticket json");
        let id = ticket["id"].as_str().expect("id").to_owned();
        let url = ticket["contentUrl"].as_str().expect("contentUrl").to_owned();
        assert!(
            ticket["contentUrlExpiry"].as_str().is_some_and(|e| e.ends_with('Z')),
            "{ticket}"
        );
        (id, url)
    }

    async fn upload(&self, url: &str, content_type: &str, body: impl Into<reqwest::Body>) -> Response {
        self.http
            .post(url)
            .header(header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .expect("upload request")
    }

    async fn get_asset(&self, id: &str) -> Response {
        self.api(Method::GET, &format!("/assets/{id}"))
            .send()
            .await
            .expect("get asset")
    }

    async fn delete_asset(&self, id: &str) -> Response {
        self.api(Method::DELETE, &format!("/assets/{id}"))
            .send()
            .await
            .expect("delete asset")
    }
}

fn asset_body(name: &str, size: u64) -> Value {
    json!({"channel": {"type": "sms"}, "sender": {"type": "customer"}, "name": name, "size": size})
}

/// Deterministic pseudo-random bytes (xorshift64), so content is not a pattern a bug could preserve by luck.
fn pseudo_random(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Assert an eGain error answer: status and `code`.
async fn assert_error(resp: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(resp.status(), status, "status");
    let body: Value = resp.json().await.expect("error body is JSON");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["developerMessage"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    body
}

/// A chunked body (no Content-Length) of `total` bytes in 1 KiB pieces.
fn chunked(total: usize) -> reqwest::Body {
    let data = pseudo_random(total);
    let chunks: Vec<Result<Bytes, std::io::Error>> = data.chunks(1024).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    reqwest::Body::wrap_stream(futures_util::stream::iter(chunks))
}

#[tokio::test]
async fn ten_mib_round_trip_is_byte_identical() {
    let fx = Fixture::default().await;
    let size = 10_485_760;
    let data = pseudo_random(size);
    let (id, url) = fx.create("bird.png", size as u64).await;
    assert!(url.starts_with(&format!("{}/storage/assets/upload?signature=", fx.sandbox.urls.root)));

    let resp = fx.upload(&url, "image/png", data.clone()).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let done: Value = resp.json().await.expect("upload json");
    assert_eq!(done, json!({"id": id, "size": size}));

    let resp = fx.get_asset(&id).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let meta: Value = resp.json().await.expect("asset json");
    assert_eq!(meta["id"], id);
    assert_eq!(meta["name"], "bird.png");
    assert_eq!(meta["size"], size);
    assert_eq!(meta["contentType"], "image/png");
    let download = meta["contentUrl"].as_str().expect("contentUrl");
    assert!(download.starts_with(&format!("{}/storage/assets/download?signature=", fx.sandbox.urls.root)));

    let resp = fx.http.get(download).send().await.expect("download");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(resp.headers()[header::CONTENT_LENGTH], size.to_string().as_str());
    assert_eq!(
        resp.headers()[header::CONTENT_DISPOSITION],
        "attachment; filename=\"bird.png\""
    );
    let got = resp.bytes().await.expect("download body");
    assert_eq!(got.len(), size);
    assert_eq!(Sha256::digest(&got), Sha256::digest(&data));

    // Content is immutable once stored: the same URL cannot replace it.
    assert_error(
        fx.upload(&url, "image/png", data).await,
        StatusCode::BAD_REQUEST,
        "400-153",
    )
    .await;
}

#[tokio::test]
async fn create_validates_the_ticket_request() {
    let fx = Fixture::default().await;
    let body = assert_error(
        fx.create_raw(&asset_body("big.png", 10_485_761)).await,
        StatusCode::BAD_REQUEST,
        "400-144",
    )
    .await;
    assert!(
        body["developerMessage"].as_str().is_some_and(|m| m.contains("size")),
        "{body}"
    );

    let body = assert_error(
        fx.create_raw(&asset_body("noextension", 10)).await,
        StatusCode::BAD_REQUEST,
        "400-144",
    )
    .await;
    assert!(
        body["developerMessage"].as_str().is_some_and(|m| m.contains("name")),
        "{body}"
    );

    // An unknown channel type is an unverified assumption: accepted with a warning by default.
    let mut unknown_channel = asset_body("a.png", 10);
    unknown_channel["channel"]["type"] = json!("custom.nowhere");
    let resp = fx.create_raw(&unknown_channel).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let warning = resp.headers().get("x-sandbox-warning").expect("warning header");
    assert!(
        warning.to_str().unwrap_or_default().starts_with("asset-channel-known"),
        "{warning:?}"
    );

    let mut no_sender = asset_body("a.png", 10);
    no_sender.as_object_mut().expect("object").remove("sender");
    assert_error(fx.create_raw(&no_sender).await, StatusCode::BAD_REQUEST, "400-143").await;

    let resp = fx
        .api(Method::POST, "/assets")
        .header(header::CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await
        .expect("malformed");
    assert_error(resp, StatusCode::BAD_REQUEST, "400-152").await;

    let resp = fx
        .http
        .post(format!("{}/assets", fx.sandbox.urls.base))
        .json(&asset_body("a.png", 10))
        .send()
        .await
        .expect("no token");
    assert_error(resp, StatusCode::UNAUTHORIZED, "401-104").await;
}

#[tokio::test]
async fn upload_refuses_what_the_signature_does_not_allow() {
    let fx = Fixture::default().await;
    let (id, url) = fx.create("note.txt", 100).await;
    let good = pseudo_random(100);

    // Content-Length differs from the signed size.
    let resp = fx.upload(&url, "text/plain", good[..99].to_vec()).await;
    assert_error(resp, StatusCode::BAD_REQUEST, "400-144").await;
    // Content-Type differs from the signed one.
    let resp = fx.upload(&url, "image/png", good.clone()).await;
    assert_error(resp, StatusCode::BAD_REQUEST, "400-144").await;
    // Longer than declared, streamed without Content-Length.
    let resp = fx.upload(&url, "text/plain", chunked(2_000)).await;
    assert_error(resp, StatusCode::PAYLOAD_TOO_LARGE, "413-101").await;
    // Shorter than declared, streamed without Content-Length.
    let resp = fx.upload(&url, "text/plain", chunked(60)).await;
    assert_error(resp, StatusCode::BAD_REQUEST, "400-144").await;

    // Tampered claims (a larger size) under the original MAC.
    let (base, token) = url.split_once("?signature=").expect("signature parameter");
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "header.claims.mac");
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut claims: Value = serde_json::from_slice(&b64.decode(parts[1]).expect("claims b64")).expect("claims");
    assert_eq!(claims["method"], "POST");
    assert_eq!(claims["assetId"], id);
    assert_eq!(claims["size"], 100);
    assert_eq!(claims["contentType"], "text/plain");
    claims["size"] = json!(200);
    let forged = format!(
        "{base}?signature={}.{}.{}",
        parts[0],
        b64.encode(claims.to_string()),
        parts[2]
    );
    let resp = fx.upload(&forged, "text/plain", pseudo_random(200)).await;
    assert_error(resp, StatusCode::FORBIDDEN, "403-102").await;
    let resp = fx
        .upload(&format!("{base}?signature=garbage"), "text/plain", good.clone())
        .await;
    assert_error(resp, StatusCode::FORBIDDEN, "403-102").await;
    let resp = fx.upload(base, "text/plain", good.clone()).await;
    assert_error(resp, StatusCode::FORBIDDEN, "403-102").await;

    // GET with the upload signature.
    let resp = fx.http.get(&url).send().await.expect("get upload url");
    assert_error(resp, StatusCode::FORBIDDEN, "403-102").await;

    // Reading before the upload is a state error.
    assert_error(fx.get_asset(&id).await, StatusCode::BAD_REQUEST, "400-153").await;

    // None of the refusals consumed the ticket: the right upload still works.
    let resp = fx.upload(&url, "text/plain; charset=utf-8", good.clone()).await;
    assert_eq!(resp.status(), StatusCode::CREATED);

    // The download signature does not work for POST, on either path.
    let meta: Value = fx.get_asset(&id).await.json().await.expect("asset json");
    let download = meta["contentUrl"].as_str().expect("contentUrl");
    let resp = fx.upload(download, "text/plain", good.clone()).await;
    assert_error(resp, StatusCode::FORBIDDEN, "403-102").await;
    let download_token = download.split_once("?signature=").expect("signature").1;
    let resp = fx
        .upload(&format!("{base}?signature={download_token}"), "text/plain", good)
        .await;
    assert_error(resp, StatusCode::FORBIDDEN, "403-102").await;
}

#[tokio::test]
async fn expired_urls_are_refused() {
    let config = SandboxConfig {
        assets: AssetOptions {
            upload_url_ttl: Duration::ZERO,
            download_url_ttl: Duration::ZERO,
            ..AssetOptions::default()
        },
        ..SandboxConfig::default()
    };
    let fx = Fixture::start(config).await;
    let (_, url) = fx.create("a.txt", 3).await;
    let resp = fx.upload(&url, "text/plain", b"abc".to_vec()).await;
    let body = assert_error(resp, StatusCode::FORBIDDEN, "403-102").await;
    assert!(
        body["developerMessage"].as_str().is_some_and(|m| m.contains("expired")),
        "{body}"
    );

    let id = fx
        .sandbox
        .state
        .assets
        .create_stored("reply.txt", "text/plain", Bytes::from_static(b"hi"))
        .expect("stored");
    let meta: Value = fx.get_asset(&id).await.json().await.expect("asset json");
    let download = meta["contentUrl"].as_str().expect("contentUrl");
    let resp = fx.http.get(download).send().await.expect("download");
    assert_error(resp, StatusCode::FORBIDDEN, "403-102").await;
}

#[tokio::test]
async fn delete_is_refused_once_used_in_a_message() {
    let fx = Fixture::default().await;
    let assets = &fx.sandbox.state.assets;

    let (unused, _) = fx.create("a.txt", 3).await;
    assert_eq!(fx.delete_asset(&unused).await.status(), StatusCode::NO_CONTENT);
    // GET lists no 404 (the asset-not-found-404 switch decides); DELETE does.
    assert_error(fx.get_asset(&unused).await, StatusCode::BAD_REQUEST, "400-146").await;
    assert_error(fx.delete_asset(&unused).await, StatusCode::NOT_FOUND, "404-101").await;

    let (pending, _) = fx.create("b.txt", 3).await;
    let err = assets
        .check_usable(&pending)
        .expect_err("pending asset cannot be referenced");
    assert_eq!(err.body.code, "400-146");
    let err = assets
        .check_usable("no-such-asset")
        .expect_err("unknown asset cannot be referenced");
    assert_eq!(err.body.code, "400-146");

    let used = assets
        .create_stored("c.txt", "text/plain", Bytes::from_static(b"abc"))
        .expect("stored");
    assets.check_usable(&used).expect("stored asset can be referenced");
    assets.mark_used(std::slice::from_ref(&used));
    let body = assert_error(fx.delete_asset(&used).await, StatusCode::BAD_REQUEST, "400-149").await;
    assert!(
        body["developerMessage"]
            .as_str()
            .is_some_and(|m| m.contains("used in a message")),
        "{body}"
    );
    assert_eq!(fx.get_asset(&used).await.status(), StatusCode::OK);

    assert_error(fx.get_asset("unknown-id").await, StatusCode::BAD_REQUEST, "400-146").await;
    assert_error(fx.get_asset(&"x".repeat(256)).await, StatusCode::BAD_REQUEST, "400-144").await;
}

/// A sandbox without `--state` whose memory holds at most `cap` bytes of content.
async fn capped(cap: u64) -> Fixture {
    let mut config = SandboxConfig::default();
    config.assets.memory_cap = cap;
    Fixture::start(config).await
}

impl Fixture {
    /// Upload `data` as a new asset; its id.
    async fn uploaded(&self, name: &str, data: &[u8]) -> String {
        let (id, url) = self.create(name, data.len() as u64).await;
        let resp = self.upload(&url, "application/octet-stream", data.to_vec()).await;
        assert_eq!(resp.status(), StatusCode::CREATED, "{name}");
        id
    }

    /// The bytes the signed download URL answers.
    async fn downloaded(&self, id: &str) -> Bytes {
        let meta: Value = self.get_asset(id).await.json().await.expect("asset json");
        let url = meta["contentUrl"].as_str().expect("contentUrl");
        let resp = self.http.get(url).send().await.expect("download");
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(
            resp.headers()[header::CONTENT_LENGTH],
            meta["size"].to_string().as_str()
        );
        resp.bytes().await.expect("download body")
    }

    /// Send the head and half of a 100,000-byte body to `url`, wait for
    /// `started` (the server is seen receiving), then half-close and read
    /// the answer to the end: by then the server has dropped the upload.
    async fn send_half_and_leave(&self, url: &str, started: impl std::future::Future<Output = ()>) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let target = reqwest::Url::parse(url).expect("url");
        let mut stream = tokio::net::TcpStream::connect(self.sandbox.addr)
            .await
            .expect("connect");
        let head = format!(
            "POST {}?{} HTTP/1.1\r\nhost: {}\r\ncontent-type: text/plain\r\ncontent-length: 100000\r\n\r\n",
            target.path(),
            target.query().expect("signature"),
            self.sandbox.addr
        );
        stream.write_all(head.as_bytes()).await.expect("head");
        stream.write_all(&pseudo_random(50_000)).await.expect("half the body");
        tokio::time::timeout(Duration::from_secs(30), started)
            .await
            .expect("the upload starts");
        stream.shutdown().await.expect("half-close");
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    }

    /// The files in the assets folder (content and uploads in progress).
    fn asset_files(&self) -> Vec<String> {
        let dir = self.sandbox.state.db.assets_dir().expect("assets folder");
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    fn content_file(&self, id: &str) -> std::path::PathBuf {
        self.sandbox.state.db.assets_dir().expect("assets folder").join(id)
    }
}

#[tokio::test]
async fn without_state_content_is_held_in_memory_up_to_the_cap_then_in_files() {
    let size = 700 * 1024;
    let fx = capped(1 << 20).await;
    let assets = &fx.sandbox.state.assets;
    let (first, second, third) = (pseudo_random(size), pseudo_random(size + 1), pseudo_random(size + 2));

    let held = fx.uploaded("first.bin", &first).await;
    assert_eq!(assets.memory_used(), size as u64);
    assert!(!fx.content_file(&held).exists(), "held content has no file");
    // The second does not fit beside the first: it goes to a file.
    let filed = fx.uploaded("second.bin", &second).await;
    assert_eq!(assets.memory_used(), size as u64);
    assert!(fx.content_file(&filed).exists(), "content past the cap is in a file");

    // Either place answers the exact bytes, over HTTP and to the hub.
    assert_eq!(Sha256::digest(fx.downloaded(&held).await), Sha256::digest(&first));
    assert_eq!(Sha256::digest(fx.downloaded(&filed).await), Sha256::digest(&second));
    assert_eq!(assets.content(&held).expect("held content"), first);
    assert_eq!(assets.content(&filed).expect("filed content"), second);

    // Deleting the held asset frees its share of the cap, so the next upload is held again.
    assert_eq!(fx.delete_asset(&held).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(assets.memory_used(), 0);
    assert!(assets.content(&held).is_none());
    let again = fx.uploaded("third.bin", &third).await;
    assert_eq!(assets.memory_used(), size as u64 + 2);
    assert!(!fx.content_file(&again).exists());
    assert_eq!(Sha256::digest(fx.downloaded(&again).await), Sha256::digest(&third));
    assert_eq!(fx.delete_asset(&filed).await.status(), StatusCode::NO_CONTENT);
    assert!(!fx.content_file(&filed).exists(), "deleting removes the file");
    assert_eq!(assets.memory_used(), size as u64 + 2);

    // Small content (the bot's receipt) is held too; a cap of 0 keeps everything in files.
    let small = assets
        .create_stored("r.txt", "text/plain", Bytes::from_static(b"receipt"))
        .expect("stored");
    assert_eq!(assets.memory_used(), size as u64 + 2 + 7);
    assert_eq!(fx.downloaded(&small).await, Bytes::from_static(b"receipt"));
    let none = capped(0).await;
    let id = none.uploaded("a.bin", b"abc").await;
    assert_eq!(none.sandbox.state.assets.memory_used(), 0);
    assert!(none.content_file(&id).exists());
    assert_eq!(none.downloaded(&id).await, Bytes::from_static(b"abc"));
}

#[tokio::test]
async fn with_state_content_stays_on_disk_whatever_the_cap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = SandboxConfig {
        state_file: Some(dir.path().join("state.db")),
        ..SandboxConfig::default()
    };
    config.assets.memory_cap = 1 << 30;
    let fx = Fixture::start(config).await;
    let data = pseudo_random(100_000);
    let id = fx.uploaded("a.bin", &data).await;
    assert_eq!(fx.sandbox.state.assets.memory_used(), 0);
    assert!(fx.content_file(&id).exists());
    assert_eq!(fx.downloaded(&id).await, data);
}

#[tokio::test]
async fn refused_and_aborted_uploads_leave_nothing_counted() {
    let fx = capped(1 << 20).await;
    let assets = &fx.sandbox.state.assets;
    let (id, url) = fx.create("note.txt", 100_000).await;
    // Longer and shorter than declared (no Content-Length): refused, nothing held.
    let resp = fx.upload(&url, "text/plain", chunked(200_000)).await;
    assert_error(resp, StatusCode::PAYLOAD_TOO_LARGE, "413-101").await;
    assert_eq!(assets.memory_used(), 0);
    let resp = fx.upload(&url, "text/plain", chunked(60_000)).await;
    assert_error(resp, StatusCode::BAD_REQUEST, "400-144").await;
    assert_eq!(assets.memory_used(), 0);

    // A client that sends half the body, is seen receiving, and goes away.
    let answer = fx
        .send_half_and_leave(&url, async {
            // The upload has claimed its share of the cap (the server runs on this thread too).
            while assets.memory_used() == 0 {
                tokio::task::yield_now().await;
            }
            assert_eq!(assets.memory_used(), 100_000);
        })
        .await;
    assert_eq!(assets.memory_used(), 0, "{answer}");

    // None of it consumed the ticket or the cap.
    let data = pseudo_random(100_000);
    let resp = fx.upload(&url, "text/plain", data.clone()).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert_eq!(assets.memory_used(), 100_000);
    assert_eq!(fx.downloaded(&id).await, data);
}

/// The file path (a writer thread beside the reading task): a refused or
/// abandoned upload leaves no file behind, and the ticket still works.
#[tokio::test]
async fn refused_and_aborted_uploads_to_files_leave_no_file() {
    let fx = capped(0).await;
    let (id, url) = fx.create("note.txt", 100_000).await;
    let resp = fx.upload(&url, "text/plain", chunked(200_000)).await;
    assert_error(resp, StatusCode::PAYLOAD_TOO_LARGE, "413-101").await;
    assert_eq!(fx.asset_files(), Vec::<String>::new());
    let resp = fx.upload(&url, "text/plain", chunked(60_000)).await;
    assert_error(resp, StatusCode::BAD_REQUEST, "400-144").await;
    assert_eq!(fx.asset_files(), Vec::<String>::new());

    let part = format!("{id}.part");
    let answer = fx
        .send_half_and_leave(&url, async {
            while !fx.asset_files().contains(&part) {
                tokio::task::yield_now().await;
            }
        })
        .await;
    assert_eq!(fx.asset_files(), Vec::<String>::new(), "{answer}");

    let data = pseudo_random(100_000);
    let resp = fx.upload(&url, "text/plain", data.clone()).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert_eq!(fx.asset_files(), vec![id.clone()]);
    assert_eq!(fx.downloaded(&id).await, data);
}
