//! HTTP side of assets: the three API operations under the base path and the
//! two signed storage URLs at the root (where the signature, not a bearer
//! token, is the credential).

use std::collections::HashMap;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::{Body, BodyDataStream};
use axum::extract::{DefaultBodyLimit, Path, Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::{Value, json};

use super::signing::{Claims, ISSUER};
use super::{AssetInfo, DeleteError, Stored, check_asset_id};
use crate::api::models::{AssetCreate, EntityKind, MAX_ASSET_SIZE, check_asset_file, content_type_for};
use crate::sandbox::SandboxState;
use crate::sandbox::SharedState;
use crate::sandbox::auth::Need;
use crate::sandbox::clock::iso;
use crate::sandbox::error::{HubError, HubResult, codes};
use crate::sandbox::fidelity::keys;

/// Where `POST /assets` points uploads (relative to the sandbox root).
pub const UPLOAD_PATH: &str = "/storage/assets/upload";
/// Where `GET /assets/{id}` points downloads (relative to the sandbox root).
pub const DOWNLOAD_PATH: &str = "/storage/assets/download";

/// After refusing an upload (nothing more is stored from that moment), read
/// and discard up to this much of the rest of the body, so a client still
/// sending a full-size file gets the answer instead of a reset connection;
/// past it the connection is simply closed.
const DRAIN_LIMIT: usize = MAX_ASSET_SIZE as usize + (1 << 20);
/// Guard against a client that stops sending while we drain.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// `POST /assets`, `GET /assets/{id}`, `DELETE /assets/{id}` (nested under the API base).
pub fn api_routes() -> Router<SharedState> {
    Router::new()
        .route("/assets", post(create))
        .route("/assets/{id}", get(read).delete(remove))
}

/// The signed storage URLs. They accept any method so a wrong one is a
/// signature refusal (403), as on a storage service, not a bare 405.
pub fn storage_routes() -> Router<SharedState> {
    Router::new()
        .route(UPLOAD_PATH, any(upload).layer(DefaultBodyLimit::disable()))
        .route(DOWNLOAD_PATH, any(download))
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn invalid(attribute: &str, message: impl Into<String>) -> HubError {
    let message = message.into();
    HubError::bad_request(
        codes::INVALID_VALUE,
        format!("Invalid value of attribute {attribute}: {message}"),
    )
    .with_detail(attribute, message)
}

fn refused(message: impl Into<String>) -> HubError {
    HubError::new(StatusCode::FORBIDDEN, codes::SIGNATURE_REFUSED, message)
}

fn not_uploaded(id: &str) -> HubError {
    HubError::bad_request(
        codes::ASSET_STATE,
        format!("Asset {id} has not been uploaded yet: POST its bytes to the contentUrl answered by POST /assets."),
    )
}

/// A signed storage URL for one method on one asset, and its expiry (API timestamp).
fn signed_url(state: &SandboxState, method: &Method, info: &AssetInfo, ttl: Duration) -> (String, String) {
    let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
    let exp = now_ms().saturating_add(ttl_ms);
    let claims = Claims {
        method: method.as_str().to_owned(),
        iss: ISSUER.to_owned(),
        asset_id: info.id.clone(),
        size: info.size,
        content_type: info.content_type.clone(),
        exp,
    };
    let token = state.assets.signer().sign(&claims);
    let path = if method == Method::POST {
        UPLOAD_PATH
    } else {
        DOWNLOAD_PATH
    };
    let expiry = jiff::Timestamp::from_millisecond(exp).unwrap_or(jiff::Timestamp::MAX);
    (format!("{}{path}?signature={token}", state.urls.root), iso(expiry))
}

/// Verify the `signature` parameter and that it was issued for this path
/// (`signed_for`) and is used with its method (HEAD counts as GET).
fn check_signature(state: &SandboxState, query: Option<&str>, signed_for: Method, used: &Method) -> HubResult<Claims> {
    let token = query
        .and_then(|q| url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "signature"))
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let claims = state
        .assets
        .signer()
        .verify(&token, now_ms())
        .map_err(|e| refused(format!("Signed URL refused: {e}.")))?;
    if claims.method != signed_for.as_str() {
        return Err(refused(format!(
            "Signed URL refused: the signature is for {} requests, this URL takes {signed_for}.",
            claims.method
        )));
    }
    if *used != signed_for && !(signed_for == Method::GET && *used == Method::HEAD) {
        return Err(refused(format!(
            "Signed URL refused: the signature is for {signed_for} requests, not {used}."
        )));
    }
    Ok(claims)
}

/// The asset a verified signature names; its size and type must still be the signed ones.
fn signed_asset(state: &SandboxState, claims: &Claims) -> HubResult<AssetInfo> {
    let info = state
        .assets
        .info(&claims.asset_id)
        .ok_or_else(|| HubError::not_found("Asset", &claims.asset_id))?;
    if info.size != claims.size || info.content_type != claims.content_type {
        return Err(refused("Signed URL refused: the signature does not match the asset."));
    }
    Ok(info)
}

/// `POST /assets`: validate, issue the id and a signed upload URL.
async fn create(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
    body: Bytes,
) -> HubResult<Json<Value>> {
    state.authorize(&headers, Need::InteractionManage)?;
    state.check_query(&params, &[])?;
    let value: Value = serde_json::from_slice(&body).map_err(|e| {
        HubError::bad_request(
            codes::MALFORMED_BODY,
            format!("The request body is not valid JSON: {e}"),
        )
    })?;
    let violations = state.config.spec.validate("AssetCreate", &value);
    if !violations.is_empty() {
        return Err(HubError::from_violations(&violations));
    }
    let req: AssetCreate = serde_json::from_value(value)
        .map_err(|e| HubError::bad_request(codes::INVALID_VALUE, format!("Invalid request body: {e}")))?;
    if let Err(why) = check_asset_file(&req.name, req.size) {
        let (attribute, message) = why.split_once(": ").unwrap_or(("name", why.as_str()));
        return Err(invalid(attribute, message));
    }
    let channel_type = &req.channel.channel_type;
    let channel_known = state.store().by_label(EntityKind::Channel, channel_type).is_some();
    if !channel_known {
        state.assume(keys::ASSET_CHANNEL, || {
            HubError::bad_request(
                codes::BAD_REFERENCE,
                format!("No channel with type {channel_type} exists."),
            )
            .with_detail("channel.type", channel_type.clone())
        })?;
    }
    let content_type = content_type_for(&req.name);
    let id = state.assets.create_pending(&req.name, req.size, &content_type)?;
    let info = state
        .assets
        .info(&id)
        .ok_or_else(|| HubError::internal("asset vanished"))?;
    let (url, expiry) = signed_url(&state, &Method::POST, &info, state.assets.options().upload_url_ttl);
    Ok(Json(json!({"id": id, "contentUrl": url, "contentUrlExpiry": expiry})))
}

/// `GET /assets/{id}`: metadata and a signed download URL.
async fn read(State(state): State<SharedState>, headers: HeaderMap, Path(id): Path<String>) -> HubResult<Json<Value>> {
    state.authorize(&headers, Need::InteractionManageOrRead)?;
    check_asset_id(&id)?;
    let Some(info) = state.assets.info(&id) else {
        return Err(unknown_asset(&state, &id));
    };
    if !info.uploaded {
        return Err(not_uploaded(&id));
    }
    let (url, expiry) = signed_url(&state, &Method::GET, &info, state.assets.options().download_url_ttl);
    Ok(Json(json!({
        "id": info.id,
        "name": info.name,
        "size": info.size,
        "contentType": info.content_type,
        "contentUrl": url,
        "contentUrlExpiry": expiry,
    })))
}

/// `GET /assets/{id}` of an asset that does not exist: 404 as the spec
/// assumes ([`keys::ASSET_NOT_FOUND`] at `error`), else 400-146, which the
/// vendor lists for the operation.
fn unknown_asset(state: &SandboxState, id: &str) -> HubError {
    let not_found = || HubError::not_found("Asset", id);
    match state.assume(keys::ASSET_NOT_FOUND, not_found) {
        Err(refusal) => refusal,
        Ok(()) => HubError::bad_request(codes::BAD_REFERENCE, format!("Asset {id} does not exist."))
            .with_detail("id", id.to_owned()),
    }
}

/// `DELETE /assets/{id}`: refused once a message used the asset.
async fn remove(State(state): State<SharedState>, headers: HeaderMap, Path(id): Path<String>) -> HubResult<StatusCode> {
    state.authorize(&headers, Need::InteractionManage)?;
    // deleteAsset documents 401/403/404 only: an id no asset can have is simply not found.
    match state.assets.delete(&id) {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(DeleteError::NotFound) => Err(HubError::not_found("Asset", &id)),
        Err(DeleteError::InUse) => Err(HubError::bad_request(
            codes::ASSET_IN_USE,
            format!("Asset {id} was used in a message and can no longer be deleted."),
        )),
    }
}

/// `POST /storage/assets/upload?signature=..`: the raw bytes, exactly the
/// signed size and type. Answers 201 `{id, size}`. A second upload after a
/// successful one is refused (400-153): content is immutable once stored,
/// since messages may already point at it.
async fn upload(
    State(state): State<SharedState>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> HubResult<(StatusCode, Json<Value>)> {
    let mut stream = body.into_data_stream();
    let result = receive(&state, &method, query.as_deref(), &headers, &mut stream).await;
    if result.is_err() {
        drain(&mut stream).await;
    }
    result
}

async fn receive(
    state: &SandboxState,
    method: &Method,
    query: Option<&str>,
    headers: &HeaderMap,
    stream: &mut BodyDataStream,
) -> HubResult<(StatusCode, Json<Value>)> {
    let claims = check_signature(state, query, Method::POST, &upload_method(state, method)?)?;
    let info = signed_asset(state, &claims)?;
    let declared = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let essence = declared.map(|v| v.split(';').next().unwrap_or_default().trim());
    if let (Some(declared), Some(essence)) = (declared, essence)
        && essence.eq_ignore_ascii_case("multipart/form-data")
    {
        return receive_multipart(state, &info, declared, stream).await;
    }
    check_content_type(&info, essence)?;
    if let Some(length) = headers.get(header::CONTENT_LENGTH) {
        let length = length.to_str().ok().and_then(|v| v.parse::<u64>().ok());
        if length != Some(info.size) {
            let shown = length.map_or_else(|| "not a number".to_owned(), |l| format!("{l} bytes"));
            return Err(invalid(
                "Content-Length",
                format!("{shown} differs from the declared size of {} bytes", info.size),
            ));
        }
    }
    let chunks = stream.map(|chunk| chunk.map_err(|e| e.to_string()));
    store_upload(state, &info, chunks).await
}

/// The declared type must be the one signed for the asset's file name.
fn check_content_type(info: &AssetInfo, essence: Option<&str>) -> HubResult<()> {
    match essence {
        Some(e) if e.eq_ignore_ascii_case(&info.content_type) => Ok(()),
        Some(e) => Err(invalid(
            "Content-Type",
            format!("{e} differs from {} (the type of {})", info.content_type, info.name),
        )),
        None => Err(invalid(
            "Content-Type",
            format!("missing; expected {}", info.content_type),
        )),
    }
}

/// A multipart/form-data upload: the spec assumes the raw file
/// ([`keys::UPLOAD_BODY`]); unless that is an error, the first file part is taken.
async fn receive_multipart(
    state: &SandboxState,
    info: &AssetInfo,
    declared: &str,
    stream: &mut BodyDataStream,
) -> HubResult<(StatusCode, Json<Value>)> {
    state.assume(keys::UPLOAD_BODY, || {
        invalid(
            "Content-Type",
            format!(
                "multipart/form-data; the upload body must be the raw file with Content-Type {}",
                info.content_type
            ),
        )
    })?;
    let boundary = multer::parse_boundary(declared).map_err(|e| invalid("Content-Type", e.to_string()))?;
    let mut form = multer::Multipart::new(stream, boundary);
    loop {
        let field = form
            .next_field()
            .await
            .map_err(|e| invalid("body", format!("not a readable multipart body: {e}")))?
            .ok_or_else(|| invalid("body", "the multipart body has no file part"))?;
        if field.file_name().is_none() {
            continue;
        }
        if let Some(part_type) = field.content_type().map(|m| m.essence_str().to_owned())
            && part_type != "application/octet-stream"
        {
            check_content_type(info, Some(&part_type))?;
        }
        let chunks = field.map(|chunk| chunk.map_err(|e| e.to_string()));
        return store_upload(state, info, chunks).await;
    }
}

/// Take the content in: into memory when the store holds it there and it
/// fits under the cap, else into a file beside the database (memory stays
/// flat whatever the upload size); exactly the signed size, or refused.
async fn store_upload(
    state: &SandboxState,
    info: &AssetInfo,
    chunks: impl futures_util::Stream<Item = Result<Bytes, String>>,
) -> HubResult<(StatusCode, Json<Value>)> {
    let mut chunks = std::pin::pin!(chunks);
    let mut guard = state.assets.begin_upload(&info.id)?;
    let size = info.size.min(MAX_ASSET_SIZE);
    if guard.reserve_memory(size) {
        // The chunks hyper hands over are kept as they are: no copy.
        let mut held = Vec::new();
        let received = receive_chunks(info, size, &mut chunks, |chunk| {
            held.push(chunk);
            std::future::ready(Ok(()))
        })
        .await?;
        check_complete(info, received)?;
        guard.finish_held(held)?;
        return Ok(created(info));
    }
    // A blocking thread writes the chunks while this task reads the next
    // ones: the socket and the disk work at once, and a slow disk never
    // stalls the runtime's worker (the standalone sandbox has one). The
    // queue bounds what is held; with freed memory kept for reuse (see
    // `cli::sandbox`), the chunks held meanwhile do not fault in new pages.
    let disk = |e: std::io::Error| HubError::internal(format!("The upload could not be stored: {e}"));
    let file = std::fs::File::create(guard.part_path()?).map_err(disk)?;
    let (queue, queued) = tokio::sync::mpsc::channel::<Bytes>(WRITE_QUEUE);
    let writer = tokio::task::spawn_blocking(move || write_chunks(file, queued));
    let sender = &queue;
    let received = receive_chunks(info, size, &mut chunks, move |chunk| async move {
        // Refused only when the writer stopped: its own error is reported below.
        sender
            .send(chunk)
            .await
            .map_err(|_| HubError::internal("The upload could not be stored."))
    })
    .await;
    drop(queue);
    // The writer has finished before anything returns, so a refused upload
    // leaves no write in flight behind the guard that removes its file.
    writer
        .await
        .map_err(|e| HubError::internal(format!("The upload could not be stored: {e}")))?
        .map_err(disk)?;
    let received = received?;
    check_complete(info, received)?;
    guard.finish()?;
    Ok(created(info))
}

/// Feed each chunk to `keep` until the body ends; refused past the signed
/// size. Answers how many bytes arrived.
async fn receive_chunks<Kept>(
    info: &AssetInfo,
    size: u64,
    chunks: &mut (impl futures_util::Stream<Item = Result<Bytes, String>> + Unpin),
    mut keep: impl FnMut(Bytes) -> Kept,
) -> HubResult<u64>
where
    Kept: std::future::Future<Output = HubResult<()>>,
{
    let mut received: u64 = 0;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| invalid("body", format!("could not be read: {e}")))?;
        received += chunk.len() as u64;
        if received > size {
            return Err(HubError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                codes::TOO_LARGE,
                format!("The upload exceeds the declared size of {} bytes.", info.size),
            ));
        }
        keep(chunk).await?;
    }
    Ok(received)
}

/// Chunks an upload may have read ahead of its file writer.
const WRITE_QUEUE: usize = 16;

/// The writer thread of one upload: every chunk queued, in order.
fn write_chunks(mut file: std::fs::File, mut queued: tokio::sync::mpsc::Receiver<Bytes>) -> std::io::Result<()> {
    while let Some(chunk) = queued.blocking_recv() {
        std::io::Write::write_all(&mut file, &chunk)?;
    }
    Ok(())
}

fn check_complete(info: &AssetInfo, received: u64) -> HubResult<()> {
    if received == info.size.min(MAX_ASSET_SIZE) {
        return Ok(());
    }
    Err(invalid(
        "body",
        format!("the upload ended after {received} of the declared {} bytes", info.size),
    ))
}

/// 201 `{id, size}`.
fn created(info: &AssetInfo) -> (StatusCode, Json<Value>) {
    (StatusCode::CREATED, Json(json!({"id": info.id, "size": info.size})))
}

/// The method the upload counts as: POST, or PUT taken as POST when the
/// [`keys::UPLOAD_METHOD`] switch is not `error`.
fn upload_method(state: &SandboxState, method: &Method) -> HubResult<Method> {
    if *method != Method::PUT {
        return Ok(method.clone());
    }
    state.assume(keys::UPLOAD_METHOD, || {
        refused("Signed URL refused: the signature is for POST requests, not PUT.")
    })?;
    Ok(Method::POST)
}

/// Discard what is left of a refused upload, within [`DRAIN_LIMIT`] and [`DRAIN_TIMEOUT`].
async fn drain(stream: &mut BodyDataStream) {
    let mut left = DRAIN_LIMIT;
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while let Some(Ok(chunk)) = stream.next().await {
            if chunk.len() > left {
                break;
            }
            left -= chunk.len();
        }
    })
    .await;
}

/// `GET /storage/assets/download?signature=..`: the bytes, as a file download.
async fn download(State(state): State<SharedState>, method: Method, RawQuery(query): RawQuery) -> HubResult<Response> {
    let claims = check_signature(&state, query.as_deref(), Method::GET, &method)?;
    let info = signed_asset(&state, &claims)?;
    let body = match state.assets.stored(&info.id).ok_or_else(|| not_uploaded(&info.id))? {
        Stored::File(path) => {
            let file = tokio::fs::File::open(&path)
                .await
                .map_err(|e| HubError::internal(format!("The asset content cannot be read: {e}")))?;
            Body::from_stream(tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024))
        }
        Stored::Memory(chunks) => {
            let chunks: Vec<Result<Bytes, std::convert::Infallible>> = chunks.iter().cloned().map(Ok).collect();
            Body::from_stream(futures_util::stream::iter(chunks))
        }
    };
    let content_type = HeaderValue::from_str(&info.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let disposition = HeaderValue::from_str(&content_disposition(&info.name))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_LENGTH, HeaderValue::from(info.size)),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
    ];
    Ok((headers, body).into_response())
}

/// `attachment; filename="..."`, plus RFC 6266 `filename*` when the name is
/// not plain ASCII (the quoted form then carries a `_`-substituted fallback).
pub(crate) fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '_',
        })
        .collect();
    if fallback == name {
        return format!("attachment; filename=\"{name}\"");
    }
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn disposition_quotes_safely() {
        assert_eq!(content_disposition("bird.jpg"), "attachment; filename=\"bird.jpg\"");
        assert_eq!(
            content_disposition("a\"b é.txt"),
            "attachment; filename=\"a_b _.txt\"; filename*=UTF-8''a%22b%20%C3%A9.txt"
        );
    }
}
