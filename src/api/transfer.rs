//! Asset transfers: upload a file to its signed URL streamed from disk and
//! download one streamed to disk, with progress and cancellation. Files are
//! never read whole into memory; both legs are recorded as exchanges.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use tokio::io::AsyncWriteExt;
use tokio_util::sync::CancellationToken;

use super::client::Client;
use super::error::ApiError;
use super::exchange::{Direction, Exchange, ExchangeKind, RecordedBody, headers_of};
use super::models::{AssetCreate, AssetUploadTicket, SenderType, check_asset_file, content_type_for};
use crate::io_error::Access;

/// Bytes moved so far of the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// Receives progress; called from the transfer task, keep it cheap.
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Chunk size for streaming from disk: large enough to keep loopback and
/// LAN uploads at wire speed, small enough for smooth progress.
const CHUNK: usize = 256 * 1024;
/// A transfer may take far longer than an API call.
const TRANSFER_TIMEOUT: Duration = Duration::from_secs(600);

/// Status, redacted headers and body of an answer.
type Answer = (u16, Vec<(String, String)>, bytes::Bytes);

/// A local file checked against the asset rules.
#[derive(Debug, Clone)]
pub struct LocalAsset {
    pub path: PathBuf,
    pub name: String,
    pub size: u64,
    pub content_type: String,
}

impl LocalAsset {
    /// Inspect a file and apply the spec's rules (size 1..=10 MiB, name with
    /// an extension, at most 255 characters) before any network call.
    pub async fn inspect(path: &Path) -> Result<Self, ApiError> {
        let meta = tokio::fs::metadata(path)
            .await
            .map_err(|e| file_io(path, Access::Read, "the file to attach", &e))?;
        if !meta.is_file() {
            return Err(ApiError::Invalid(format!("{} is not a regular file", path.display())));
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| ApiError::Invalid(format!("{}: the file name is not valid UTF-8", path.display())))?
            .to_owned();
        check_asset_file(&name, meta.len()).map_err(ApiError::Invalid)?;
        Ok(Self {
            path: path.to_owned(),
            content_type: content_type_for(&name),
            name,
            size: meta.len(),
        })
    }
}

/// Result of a finished upload.
#[derive(Debug, Clone)]
pub struct UploadedAsset {
    pub ticket: AssetUploadTicket,
    pub file: LocalAsset,
}

impl Client {
    /// Create an asset for a file and upload its bytes to the signed URL.
    pub async fn upload_asset(
        &self,
        path: &Path,
        channel_type: &str,
        sender: SenderType,
        progress: ProgressFn,
        cancel: CancellationToken,
    ) -> Result<UploadedAsset, ApiError> {
        let file = LocalAsset::inspect(path).await?;
        let ticket = self
            .create_asset(&AssetCreate::new(channel_type, sender, &file.name, file.size))
            .await?;
        self.upload_to_url(&ticket.content_url, &file, progress, cancel).await?;
        Ok(UploadedAsset { ticket, file })
    }

    /// POST a file's bytes to a signed URL: raw body, exact Content-Length,
    /// Content-Type from the name, streamed from disk.
    pub async fn upload_to_url(
        &self,
        url: &str,
        file: &LocalAsset,
        progress: ProgressFn,
        cancel: CancellationToken,
    ) -> Result<(), ApiError> {
        let handle =
            std::fs::File::open(&file.path).map_err(|e| file_io(&file.path, Access::Read, "the file to attach", &e))?;
        let total = file.size;
        let report = progress.clone();
        let mut done = 0u64;
        let stream = read_chunks(handle).map(move |chunk| {
            if let Ok(bytes) = &chunk {
                done += bytes.len() as u64;
                report(Progress { done, total });
            }
            chunk
        });
        let http = self.http(url)?;
        let request = http
            .post(url)
            .timeout(TRANSFER_TIMEOUT)
            .header(CONTENT_TYPE, &file.content_type)
            .header(CONTENT_LENGTH, total)
            .body(reqwest::Body::wrap_stream(stream))
            .build()
            .map_err(|e| ApiError::Invalid(format!("upload URL: {e}")))?;
        let mut exchange = Exchange::begin(Direction::Outbound, ExchangeKind::Upload, "POST", url);
        exchange.request_headers = headers_of(request.headers());
        exchange.request_body = Some(RecordedBody::binary(Some(&file.content_type), total));
        progress(Progress { done: 0, total });
        let started = Instant::now();
        let outcome = tokio::select! {
            _ = cancel.cancelled() => Err(ApiError::Cancelled),
            result = async {
                let response = http.execute(request).await?;
                let status = response.status().as_u16();
                let headers = headers_of(response.headers());
                let bytes = response.bytes().await?;
                Ok::<_, reqwest::Error>((status, headers, bytes))
            } => result.map_err(|e| ApiError::from_reqwest(&e)),
        };
        exchange.duration = started.elapsed();
        self.finish_transfer(exchange, outcome)
    }

    /// Download an asset (GET asset, then its signed URL) into `dir`, never
    /// overwriting: an existing name gets a ` (1)`, ` (2)`... suffix.
    pub async fn download_asset(
        &self,
        id: &str,
        dir: &Path,
        progress: ProgressFn,
        cancel: CancellationToken,
    ) -> Result<PathBuf, ApiError> {
        let ticket = self.get_asset(id).await?;
        let name = safe_file_name(&ticket.name, id);
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| file_io(dir, Access::Write, "the downloads folder", &e))?;
        let target = reserve_unique(dir, &name).await?;
        let part = target.with_file_name(format!(
            ".{}.part",
            target.file_name().and_then(|n| n.to_str()).unwrap_or("download")
        ));
        let result = self
            .download_to(&ticket.content_url, &part, ticket.size, progress, cancel)
            .await;
        match result {
            Ok(()) => {
                tokio::fs::rename(&part, &target)
                    .await
                    .map_err(|e| file_io(&target, Access::Write, "the download", &e))?;
                Ok(target)
            }
            Err(e) => {
                let _ = tokio::fs::remove_file(&part).await;
                let _ = tokio::fs::remove_file(&target).await;
                Err(e)
            }
        }
    }

    /// GET a signed URL, streaming the body into `path`.
    async fn download_to(
        &self,
        url: &str,
        path: &Path,
        expected: u64,
        progress: ProgressFn,
        cancel: CancellationToken,
    ) -> Result<(), ApiError> {
        let mut exchange = Exchange::begin(Direction::Outbound, ExchangeKind::Download, "GET", url);
        let started = Instant::now();
        let outcome = tokio::select! {
            _ = cancel.cancelled() => Err(ApiError::Cancelled),
            result = self.stream_into(url, path, expected, &progress, &mut exchange) => result,
        };
        exchange.duration = started.elapsed();
        if let Err(e) = &outcome {
            exchange.error.get_or_insert_with(|| e.to_string());
        }
        self.recorder().record(exchange);
        outcome
    }

    async fn stream_into(
        &self,
        url: &str,
        path: &Path,
        expected: u64,
        progress: &ProgressFn,
        exchange: &mut Exchange,
    ) -> Result<(), ApiError> {
        let http = self.http(url)?;
        let request = http
            .get(url)
            .timeout(TRANSFER_TIMEOUT)
            .build()
            .map_err(|e| ApiError::Invalid(format!("download URL: {e}")))?;
        exchange.request_headers = headers_of(request.headers());
        let response = http.execute(request).await.map_err(|e| ApiError::from_reqwest(&e))?;
        let status = response.status().as_u16();
        exchange.status = Some(status);
        exchange.response_headers = headers_of(response.headers());
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if !(200..300).contains(&status) {
            let bytes = response.bytes().await.unwrap_or_default();
            exchange.response_body = Some(self.recorder().capture(content_type.as_deref(), &bytes));
            return Err(ApiError::from_status(status, &String::from_utf8_lossy(&bytes)));
        }
        let total = response.content_length().unwrap_or(expected);
        let mut file = tokio::fs::File::create(path)
            .await
            .map_err(|e| file_io(path, Access::Write, "the download", &e))?;
        let mut done = 0u64;
        progress(Progress { done, total });
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| ApiError::from_reqwest(&e))?;
            file.write_all(&chunk)
                .await
                .map_err(|e| file_io(path, Access::Write, "the download", &e))?;
            done += chunk.len() as u64;
            progress(Progress { done, total });
        }
        file.flush()
            .await
            .map_err(|e| file_io(path, Access::Write, "the download", &e))?;
        exchange.response_body = Some(RecordedBody::binary(content_type.as_deref(), done));
        if expected > 0 && done != expected {
            return Err(ApiError::Decode(format!(
                "download ended after {done} of {expected} bytes"
            )));
        }
        Ok(())
    }

    fn finish_transfer(&self, mut exchange: Exchange, outcome: Result<Answer, ApiError>) -> Result<(), ApiError> {
        match outcome {
            Ok((status, headers, bytes)) => {
                exchange.status = Some(status);
                exchange.response_headers = headers;
                if !bytes.is_empty() {
                    exchange.response_body = Some(self.recorder().capture(None, &bytes));
                }
                self.recorder().record(exchange);
                if (200..300).contains(&status) {
                    Ok(())
                } else {
                    Err(ApiError::from_status(status, &String::from_utf8_lossy(&bytes)))
                }
            }
            Err(e) => {
                exchange.error = Some(e.to_string());
                self.recorder().record(exchange);
                Err(e)
            }
        }
    }
}

/// Read a file on a blocking thread in large chunks, handing them to the
/// upload through a small bounded queue: one thread hop per chunk instead of
/// one per poll, and at most a few chunks in memory whatever the file size.
fn read_chunks(mut file: std::fs::File) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> {
    use std::io::Read;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<std::io::Result<bytes::Bytes>>(2);
    tokio::task::spawn_blocking(move || {
        loop {
            let mut buf = bytes::BytesMut::zeroed(CHUNK);
            let read = match file.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => n,
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            };
            buf.truncate(read);
            // A closed queue means the upload ended (done, failed or cancelled).
            if tx.blocking_send(Ok(buf.freeze())).is_err() {
                return;
            }
        }
    });
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

/// A file name from the server made safe to create: no directories, no
/// leading dots, never empty.
fn safe_file_name(name: &str, id: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .map(|c| if c.is_control() || c == ':' { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim_start_matches('.').trim();
    if cleaned.is_empty() {
        format!(
            "asset-{}",
            id.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .take(36)
                .collect::<String>()
        )
    } else {
        cleaned.to_owned()
    }
}

/// Create an empty file with a name not yet taken in `dir`, atomically, so
/// two downloads of the same name never collide or overwrite.
async fn reserve_unique(dir: &Path, name: &str) -> Result<PathBuf, ApiError> {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s.to_owned(), format!(".{e}")),
        _ => (name.to_owned(), String::new()),
    };
    for n in 0..10_000u32 {
        let candidate = if n == 0 {
            dir.join(name)
        } else {
            dir.join(format!("{stem} ({n}){ext}"))
        };
        match tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
            .await
        {
            Ok(_) => return Ok(candidate),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(file_io(&candidate, Access::Write, "the download", &e)),
        }
    }
    Err(ApiError::Io(format!("{}: no free file name for {name}", dir.display())))
}

/// A local file problem, in one plain message ([`crate::io_error`]).
fn file_io(path: &Path, access: Access, what: &str, e: &std::io::Error) -> ApiError {
    ApiError::Io(crate::io_error::message(path, access, what, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_names_cannot_escape_the_directory() {
        assert_eq!(safe_file_name("../../etc/passwd", "x"), "passwd");
        assert_eq!(safe_file_name("..", "abc-1"), "asset-abc1");
        assert_eq!(safe_file_name("bird.jpg", "x"), "bird.jpg");
    }

    #[tokio::test]
    async fn reserved_names_never_overwrite() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.txt"), "keep").expect("write");
        let first = reserve_unique(dir.path(), "a.txt").await.expect("reserve");
        let second = reserve_unique(dir.path(), "a.txt").await.expect("reserve");
        assert_eq!(first.file_name().and_then(|n| n.to_str()), Some("a (1).txt"));
        assert_eq!(second.file_name().and_then(|n| n.to_str()), Some("a (2).txt"));
        assert_eq!(std::fs::read_to_string(dir.path().join("a.txt")).expect("read"), "keep");
    }

    #[tokio::test]
    async fn bad_files_are_refused_before_any_request() {
        let dir = tempfile::tempdir().expect("tempdir");
        let empty = dir.path().join("empty.txt");
        std::fs::write(&empty, "").expect("write");
        let noext = dir.path().join("README");
        std::fs::write(&noext, "x").expect("write");
        for (path, field) in [(&empty, "size"), (&noext, "name")] {
            let err = LocalAsset::inspect(path).await.expect_err("refused");
            assert!(err.to_string().starts_with(field), "{err}");
        }
        // A missing file: where, and what to do; not the OS's words and code.
        let missing = dir.path().join("receipt.png");
        let err = LocalAsset::inspect(&missing).await.expect_err("refused");
        assert_eq!(
            err.to_string(),
            format!(
                "{}: cannot read the file to attach: it does not exist; check the path",
                missing.display()
            )
        );
        // Most file systems cannot even hold a 256-character name; the rule is checked on the name.
        let long = format!("{}.txt", "n".repeat(252));
        assert!(check_asset_file(&long, 1).is_err_and(|e| e.starts_with("name")));
        assert!(check_asset_file("ok.txt", 10_485_761).is_err_and(|e| e.starts_with("size")));
        assert!(check_asset_file("ok.txt", 10_485_760).is_ok());
    }
}
