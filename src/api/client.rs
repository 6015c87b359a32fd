//! The Conversation Manager API v3 client: all 35 operations, with token
//! handling (one transparent refresh and retry on a 401), retries of
//! transient failures of idempotent requests ([`super::retry`]), typed
//! errors and every exchange (every attempt) recorded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::auth::{AuthConfig, TokenSource, TokenState};
use super::error::ApiError;
use super::exchange::{Direction, Exchange, ExchangeKind, Recorder, headers_of};
use super::models::{
    AssetCreate, AssetDownloadTicket, AssetUploadTicket, Conversation, Entity, EntityKind, IdResponse, MessageEnvelope,
    Page, PaginationInfo, SendMessageResponse,
};
use super::retry::{self, RetryPolicy};

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// API base, e.g. `https://api.egain.cloud/conversation/conversationmgr/v3`.
    pub base_url: String,
    pub auth: AuthConfig,
    /// Per-request timeout (asset transfers use their own, longer, limit).
    pub timeout: Duration,
    /// Refuse every create, update, delete and send.
    pub read_only: bool,
    /// Ask for `userMessage` in error bodies (`X-egain-error-message: yes`).
    pub user_messages: bool,
    /// Retries of transient failures (idempotent requests only).
    pub retry: RetryPolicy,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, auth: AuthConfig) -> Self {
        Self {
            base_url: base_url.into(),
            auth,
            timeout: Duration::from_secs(30),
            read_only: false,
            user_messages: true,
            retry: RetryPolicy::default(),
        }
    }
}

/// Optional paging of list calls (`$pagenum`, `$pagesize`; unverified).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Paging {
    pub page: Option<u32>,
    pub size: Option<u32>,
}

struct Inner {
    http: super::http::Http,
    base: String,
    tokens: TokenSource,
    recorder: Arc<Recorder>,
    read_only: bool,
    user_messages: bool,
    retry: RetryPolicy,
}

/// Cheap to clone; clones share the token cache and recorder.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

/// An answer to one attempt.
struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    bytes: Bytes,
}

/// A request body.
pub(crate) enum Payload<'a> {
    None,
    Json(&'a Value),
}

impl Client {
    pub fn new(config: ClientConfig, recorder: Arc<Recorder>) -> Result<Self, ApiError> {
        let base = config.base_url.trim_end_matches('/').to_owned();
        url::Url::parse(&base).map_err(|e| ApiError::Invalid(format!("base_url \"{base}\": {e}")))?;
        let http = super::http::Http::new(config.timeout)?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                tokens: TokenSource::new(config.auth),
                recorder,
                read_only: config.read_only,
                user_messages: config.user_messages,
                retry: config.retry,
            }),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    pub fn recorder(&self) -> &Arc<Recorder> {
        &self.inner.recorder
    }

    pub fn token_state(&self) -> TokenState {
        self.inner.tokens.state()
    }

    pub fn is_read_only(&self) -> bool {
        self.inner.read_only
    }

    /// The HTTP client for `url` (TLS only for https, loaded on first use).
    pub(crate) fn http(&self, url: &str) -> Result<&reqwest::Client, ApiError> {
        self.inner.http.for_url(url)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.inner.base)
    }

    fn refuse_if_read_only(&self, what: &str) -> Result<(), ApiError> {
        if self.inner.read_only {
            Err(ApiError::ReadOnly(what.to_owned()))
        } else {
            Ok(())
        }
    }

    /// Start fetching the bearer token in the background, so the first calls
    /// do not each wait a round trip for it: they share this one fetch (token
    /// fetches are single-flight). Its failure is what those calls report.
    pub fn prefetch_token(&self) {
        let client = self.clone();
        tokio::spawn(async move {
            let _ = client.bearer().await;
        });
    }

    /// A bearer token for calls that do not go through [`Client::call`].
    pub(crate) async fn bearer(&self) -> Result<super::Secret, ApiError> {
        self.inner.tokens.token(&self.inner.http, &self.inner.recorder).await
    }

    /// Send one API request: authorise, record, on a 401 refresh the token
    /// and retry once, and retry transient failures of requests that may be
    /// repeated ([`super::retry`]). Returns the status and body of a 2xx answer.
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        payload: Payload<'_>,
    ) -> Result<(u16, Bytes), ApiError> {
        let policy = self.inner.retry;
        let started = Instant::now();
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            let token = self.bearer().await?;
            attempt += 1;
            let (mut exchange, outcome) = self.send_once(method.clone(), path, query, &payload, &token).await?;
            let (failure, what) = match &outcome {
                Ok(answer) if answer.status == 401 && !refreshed && self.inner.tokens.can_refresh() => {
                    self.inner.recorder.record(exchange);
                    refreshed = true;
                    attempt -= 1;
                    self.inner.tokens.invalidate(&token).await;
                    continue;
                }
                Ok(answer) if (200..300).contains(&answer.status) => {
                    self.inner.recorder.record(exchange);
                    return Ok((answer.status, answer.bytes.clone()));
                }
                Ok(answer) => (
                    retry::Failure::Status {
                        status: answer.status,
                        retry_after: answer.retry_after,
                    },
                    format!("answered {}", answer.status),
                ),
                Err((failure, error)) => (*failure, error.to_string()),
            };
            let delay = policy.next_delay(&method, attempt, failure, started.elapsed(), rand::random::<f64>());
            if let Some(delay) = delay {
                exchange.error = Some(retry::note(attempt, policy.attempts, delay, &what));
            }
            self.inner.recorder.record(exchange);
            match delay {
                Some(delay) => tokio::time::sleep(delay).await,
                None => {
                    return Err(match outcome {
                        Ok(answer) => ApiError::from_status(answer.status, &String::from_utf8_lossy(&answer.bytes)),
                        Err((_, error)) => error,
                    });
                }
            }
        }
    }

    /// One attempt, its exchange not yet recorded (the caller adds why it is retried).
    /// `Err` only for a request that could not be built (nothing was sent).
    async fn send_once(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        payload: &Payload<'_>,
        token: &super::Secret,
    ) -> Result<(Exchange, Result<Answer, (retry::Failure, ApiError)>), ApiError> {
        let url = self.url(path);
        let http = self.http(&url)?;
        let mut builder = http
            .request(method.clone(), &url)
            .bearer_auth(token.expose())
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        if !query.is_empty() {
            builder = builder.query(query);
        }
        if self.inner.user_messages {
            builder = builder.header("X-egain-error-message", "yes");
        }
        if let Payload::Json(value) = payload {
            let body = serde_json::to_vec(value).map_err(|e| ApiError::Invalid(e.to_string()))?;
            builder = builder.header(CONTENT_TYPE, "application/json").body(body);
        }
        let request = builder.build().map_err(|e| ApiError::Invalid(e.to_string()))?;
        let mut exchange = Exchange::begin(
            Direction::Outbound,
            ExchangeKind::Api,
            method.as_str(),
            request.url().as_str(),
        );
        exchange.request_headers = headers_of(request.headers());
        if let Some(bytes) = request.body().and_then(|b| b.as_bytes()) {
            exchange.request_body = Some(self.inner.recorder.capture(Some("application/json"), bytes));
        }
        let started = Instant::now();
        let result = async {
            let response = http.execute(request).await?;
            let status = response.status().as_u16();
            let headers = headers_of(response.headers());
            let retry_after = retry::retry_after(response.headers());
            let content_type = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let bytes = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, headers, retry_after, content_type, bytes))
        }
        .await;
        exchange.duration = started.elapsed();
        let outcome = match result {
            Ok((status, headers, retry_after, content_type, bytes)) => {
                exchange.status = Some(status);
                exchange.response_headers = headers;
                if !bytes.is_empty() {
                    exchange.response_body = Some(self.inner.recorder.capture(content_type.as_deref(), &bytes));
                }
                Ok(Answer {
                    status,
                    retry_after,
                    bytes,
                })
            }
            Err(e) => {
                let err = ApiError::from_reqwest(&e);
                exchange.error = Some(err.to_string());
                Err((retry::Failure::of_reqwest(&e), err))
            }
        };
        Ok((exchange, outcome))
    }

    async fn call_json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        payload: Payload<'_>,
    ) -> Result<T, ApiError> {
        let (_, bytes) = self.call(method, path, query, payload).await?;
        serde_json::from_slice(&bytes).map_err(|e| ApiError::Decode(format!("{path}: {e}")))
    }

    // ---- configuration objects, raw JSON (the editor's view: nothing dropped) ----

    /// Create (POST) an object from raw JSON; returns the new id.
    pub async fn create_raw(&self, kind: EntityKind, body: &Value) -> Result<String, ApiError> {
        self.refuse_if_read_only(&format!("creating a {kind}"))?;
        let path = format!("/{}", kind.segment());
        let created: IdResponse = self.call_json(Method::POST, &path, &[], Payload::Json(body)).await?;
        Ok(created.id)
    }

    /// List (GET) objects of a kind as raw JSON.
    pub async fn list_raw(&self, kind: EntityKind, paging: Paging) -> Result<Page<Value>, ApiError> {
        let mut query = Vec::new();
        if let Some(p) = paging.page {
            query.push(("$pagenum", p.to_string()));
        }
        if let Some(s) = paging.size {
            query.push(("$pagesize", s.to_string()));
        }
        let mut body: Value = self
            .call_json(Method::GET, &format!("/{}", kind.segment()), &query, Payload::None)
            .await?;
        let pagination: PaginationInfo = body
            .get("paginationInfo")
            .cloned()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| ApiError::Decode(format!("paginationInfo: {e}")))?
            .unwrap_or_default();
        let items = match body.get_mut(kind.list_key()).map(Value::take) {
            Some(Value::Array(items)) => items,
            Some(Value::Null) | None => Vec::new(),
            Some(other) => {
                return Err(ApiError::Decode(format!(
                    "{}: expected an array, got {other}",
                    kind.list_key()
                )));
            }
        };
        Ok(Page { pagination, items })
    }

    /// Every object of a kind as raw JSON: page after page until
    /// `paginationInfo.count` objects are in (or a page comes back short or
    /// empty, for a server that does not count). A list is never silently cut.
    pub async fn list_all_raw(&self, kind: EntityKind) -> Result<Vec<Value>, ApiError> {
        /// Stop a server that keeps answering full pages past its own count.
        const MAX_PAGES: u32 = 10_000;
        let mut all = Vec::new();
        let mut page_size = None;
        for page in 1..=MAX_PAGES {
            let paging = Paging {
                page: Some(page),
                size: page_size,
            };
            let got = self.list_raw(kind, paging).await?;
            let n = got.items.len();
            all.extend(got.items);
            // A count of 0 beside items means the server does not count.
            let count = match usize::try_from(got.pagination.count).unwrap_or(usize::MAX) {
                0 => usize::MAX,
                c => c,
            };
            // Ask for the size the server chose, so pages line up.
            let size = usize::try_from(got.pagination.pagesize).unwrap_or(0);
            page_size = page_size.or(u32::try_from(got.pagination.pagesize).ok().filter(|s| *s > 0));
            let short = size > 0 && n < size;
            if n == 0 || all.len() >= count || short {
                return Ok(all);
            }
        }
        Err(ApiError::Decode(format!(
            "{}: still more pages after {MAX_PAGES}",
            kind.list_key()
        )))
    }

    /// Read (GET) one object as raw JSON.
    pub async fn get_raw(&self, kind: EntityKind, id: &str) -> Result<Value, ApiError> {
        check_id(id)?;
        self.call_json(Method::GET, &format!("/{}/{id}", kind.segment()), &[], Payload::None)
            .await
    }

    /// Replace (PUT) an object with raw JSON; the body must carry `modified`.
    pub async fn update_raw(&self, kind: EntityKind, id: &str, body: &Value) -> Result<(), ApiError> {
        self.refuse_if_read_only(&format!("updating a {kind}"))?;
        check_id(id)?;
        if body.get("modified").is_none() {
            return Err(ApiError::Invalid(
                "modified: an update must carry the object's `modified` as read".into(),
            ));
        }
        self.call(
            Method::PUT,
            &format!("/{}/{id}", kind.segment()),
            &[],
            Payload::Json(body),
        )
        .await
        .map(drop)
    }

    /// Delete an object.
    pub async fn delete(&self, kind: EntityKind, id: &str) -> Result<(), ApiError> {
        self.refuse_if_read_only(&format!("deleting a {kind}"))?;
        check_id(id)?;
        self.call(Method::DELETE, &format!("/{}/{id}", kind.segment()), &[], Payload::None)
            .await
            .map(drop)
    }

    // ---- configuration objects, typed ----

    /// Create an object; returns the new id.
    pub async fn create<T: Entity>(&self, object: &T) -> Result<String, ApiError> {
        self.create_raw(T::KIND, &to_value(object)?).await
    }

    /// List every object of a kind (first page, server default size).
    pub async fn list<T: Entity>(&self) -> Result<Page<T>, ApiError> {
        let page = self.list_raw(T::KIND, Paging::default()).await?;
        let items = page
            .items
            .into_iter()
            .map(serde_json::from_value)
            .collect::<Result<Vec<T>, _>>()
            .map_err(|e| ApiError::Decode(format!("{}: {e}", T::KIND.list_key())))?;
        Ok(Page {
            pagination: page.pagination,
            items,
        })
    }

    pub async fn get<T: Entity>(&self, id: &str) -> Result<T, ApiError> {
        let value = self.get_raw(T::KIND, id).await?;
        serde_json::from_value(value).map_err(|e| ApiError::Decode(format!("{}: {e}", T::KIND)))
    }

    /// Replace an object: a full replacement carrying the `modified` it was read with.
    pub async fn update<T: Entity>(&self, id: &str, object: &T) -> Result<(), ApiError> {
        self.update_raw(T::KIND, id, &to_value(object)?).await
    }

    // ---- conversations ----

    /// Send one or more messages (202; delivered through callbacks).
    pub async fn send_messages(&self, envelope: &MessageEnvelope) -> Result<SendMessageResponse, ApiError> {
        self.send_messages_raw(&to_value(envelope)?).await
    }

    /// Send an exact JSON body to `POST /conversations/messages`.
    pub async fn send_messages_raw(&self, body: &Value) -> Result<SendMessageResponse, ApiError> {
        self.refuse_if_read_only("sending messages")?;
        let (_, bytes) = self
            .call(Method::POST, "/conversations/messages", &[], Payload::Json(body))
            .await?;
        if bytes.is_empty() {
            return Ok(SendMessageResponse::default());
        }
        serde_json::from_slice(&bytes).map_err(|e| ApiError::Decode(format!("send message answer: {e}")))
    }

    /// Transcript of a conversation.
    pub async fn get_conversation(&self, id: &str) -> Result<Conversation, ApiError> {
        check_id(id)?;
        self.call_json(Method::GET, &format!("/conversations/{id}"), &[], Payload::None)
            .await
    }

    // ---- assets ----

    /// Reserve an asset; answers with the signed upload URL.
    pub async fn create_asset(&self, body: &AssetCreate) -> Result<AssetUploadTicket, ApiError> {
        self.refuse_if_read_only("uploading assets")?;
        self.call_json(Method::POST, "/assets", &[], Payload::Json(&to_value(body)?))
            .await
    }

    /// Asset metadata and a signed download URL.
    pub async fn get_asset(&self, id: &str) -> Result<AssetDownloadTicket, ApiError> {
        check_asset_id(id)?;
        self.call_json(
            Method::GET,
            &format!("/assets/{}", encode_segment(id)),
            &[],
            Payload::None,
        )
        .await
    }

    pub async fn delete_asset(&self, id: &str) -> Result<(), ApiError> {
        self.refuse_if_read_only("deleting assets")?;
        check_asset_id(id)?;
        self.call(
            Method::DELETE,
            &format!("/assets/{}", encode_segment(id)),
            &[],
            Payload::None,
        )
        .await
        .map(drop)
    }
}

fn to_value<T: Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::Invalid(e.to_string()))
}

/// Object ids are exactly 36 characters; say so before any network call.
fn check_id(id: &str) -> Result<(), ApiError> {
    let n = id.chars().count();
    if n == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        Ok(())
    } else {
        Err(ApiError::Invalid(format!(
            "id: \"{id}\" is not a 36-character object id ({n} characters)"
        )))
    }
}

fn check_asset_id(id: &str) -> Result<(), ApiError> {
    let n = id.chars().count();
    if (1..=255).contains(&n) {
        Ok(())
    } else {
        Err(ApiError::Invalid(format!(
            "id: an asset id has 1 to 255 characters, not {n}"
        )))
    }
}

fn encode_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
