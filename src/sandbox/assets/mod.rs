//! Assets (attachments), following the spec's flow: `POST /assets` answers a
//! signed upload URL, the client POSTs the raw bytes there, readers get a
//! signed download URL from `GET /assets/{id}`. Bytes live in memory (at most
//! 10 MiB each); they do not survive a restart, like upload tickets.

mod routes;
pub mod signing;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use axum::http::StatusCode;
use bytes::Bytes;

pub use routes::{DOWNLOAD_PATH, UPLOAD_PATH, api_routes, storage_routes};
use signing::Signer;

use super::clock::now_iso;
use super::error::{HubError, HubResult, codes};

/// How long signed URLs stay valid.
#[derive(Debug, Clone)]
pub struct AssetOptions {
    /// Lifetime of the `contentUrl` answered by `POST /assets`.
    pub upload_url_ttl: Duration,
    /// Lifetime of the `contentUrl` answered by `GET /assets/{id}`.
    pub download_url_ttl: Duration,
}

impl Default for AssetOptions {
    fn default() -> Self {
        Self {
            upload_url_ttl: Duration::from_secs(15 * 60),
            download_url_ttl: Duration::from_secs(15 * 60),
        }
    }
}

/// Where an asset's bytes are in their life.
#[derive(Debug, Clone)]
enum Content {
    /// Ticket issued, nothing received yet (or a failed upload was discarded).
    Pending,
    /// An upload is streaming in; a second one is refused meanwhile.
    Uploading,
    Stored(Bytes),
}

#[derive(Debug, Clone)]
struct Asset {
    name: String,
    size: u64,
    content_type: String,
    created: String,
    content: Content,
    /// Referenced by a message: may no longer be deleted.
    used: bool,
}

/// An asset's metadata, as handlers and the hub see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetInfo {
    pub id: String,
    pub name: String,
    pub size: u64,
    pub content_type: String,
    pub created: String,
    pub uploaded: bool,
    pub used: bool,
}

/// Why a delete was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteError {
    NotFound,
    InUse,
}

/// All assets of a sandbox run, plus the key that signs their URLs.
#[derive(Debug, Default)]
pub struct AssetStore {
    options: AssetOptions,
    signer: Signer,
    assets: Mutex<HashMap<String, Asset>>,
}

impl AssetStore {
    pub fn new(options: AssetOptions) -> Self {
        Self {
            options,
            signer: Signer::random(),
            assets: Mutex::new(HashMap::new()),
        }
    }

    pub fn options(&self) -> &AssetOptions {
        &self.options
    }

    pub(crate) fn signer(&self) -> &Signer {
        &self.signer
    }

    /// A poisoned lock still holds consistent data: every change is one map operation.
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Asset>> {
        self.assets.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Record that a message references the asset, which freezes it against
    /// deletion. Unknown or not yet uploaded assets are a bad reference (400-146).
    pub fn mark_used(&self, id: &str) -> HubResult<()> {
        match self.lock().get_mut(id) {
            Some(asset) if matches!(asset.content, Content::Stored(_)) => {
                asset.used = true;
                Ok(())
            }
            Some(_) => Err(HubError::bad_request(
                codes::BAD_REFERENCE,
                format!("Asset {id} has not been uploaded yet."),
            )
            .with_detail("id", id)),
            None => Err(
                HubError::bad_request(codes::BAD_REFERENCE, format!("Asset {id} does not exist."))
                    .with_detail("id", id),
            ),
        }
    }

    /// Store finished content directly (for the built-in bot and agent, which
    /// have no reason to go through a signed upload); returns the new id.
    pub fn create_stored(&self, name: &str, content_type: &str, bytes: Bytes) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        let asset = Asset {
            name: name.to_owned(),
            size: bytes.len() as u64,
            content_type: content_type.to_owned(),
            created: now_iso(),
            content: Content::Stored(bytes),
            used: false,
        };
        self.lock().insert(id.clone(), asset);
        id
    }

    /// A ticket for content still to come (`POST /assets`); returns the new id.
    pub(crate) fn create_pending(&self, name: &str, size: u64, content_type: &str) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        let asset = Asset {
            name: name.to_owned(),
            size,
            content_type: content_type.to_owned(),
            created: now_iso(),
            content: Content::Pending,
            used: false,
        };
        self.lock().insert(id.clone(), asset);
        id
    }

    pub fn info(&self, id: &str) -> Option<AssetInfo> {
        self.lock().get(id).map(|a| AssetInfo {
            id: id.to_owned(),
            name: a.name.clone(),
            size: a.size,
            content_type: a.content_type.clone(),
            created: a.created.clone(),
            uploaded: matches!(a.content, Content::Stored(_)),
            used: a.used,
        })
    }

    /// The bytes of an uploaded asset (a cheap reference-counted copy).
    pub fn content(&self, id: &str) -> Option<Bytes> {
        match &self.lock().get(id)?.content {
            Content::Stored(bytes) => Some(bytes.clone()),
            _ => None,
        }
    }

    pub fn delete(&self, id: &str) -> Result<(), DeleteError> {
        let mut assets = self.lock();
        match assets.get(id) {
            None => Err(DeleteError::NotFound),
            Some(a) if a.used => Err(DeleteError::InUse),
            Some(_) => {
                assets.remove(id);
                Ok(())
            }
        }
    }

    /// Claim the asset for one upload. The guard puts it back to pending if
    /// the upload does not finish (refused, client gone), so it can be retried.
    pub(crate) fn begin_upload(&self, id: &str) -> HubResult<UploadGuard<'_>> {
        let mut assets = self.lock();
        let asset = assets.get_mut(id).ok_or_else(|| HubError::not_found("Asset", id))?;
        match asset.content {
            Content::Pending => {
                asset.content = Content::Uploading;
                Ok(UploadGuard {
                    store: self,
                    id: id.to_owned(),
                    finished: false,
                })
            }
            Content::Uploading => Err(HubError::bad_request(
                codes::ASSET_STATE,
                format!("Asset {id} is being uploaded by another request."),
            )),
            Content::Stored(_) => Err(HubError::bad_request(
                codes::ASSET_STATE,
                format!("Asset {id} was already uploaded; create a new asset to send other content."),
            )),
        }
    }
}

/// An upload in progress; see [`AssetStore::begin_upload`].
pub(crate) struct UploadGuard<'a> {
    store: &'a AssetStore,
    id: String,
    finished: bool,
}

impl UploadGuard<'_> {
    /// Keep the received bytes. The asset may have been deleted meanwhile.
    pub(crate) fn finish(mut self, bytes: Bytes) -> HubResult<()> {
        let mut assets = self.store.lock();
        let asset = assets
            .get_mut(&self.id)
            .ok_or_else(|| HubError::not_found("Asset", &self.id))?;
        asset.content = Content::Stored(bytes);
        self.finished = true;
        Ok(())
    }
}

impl Drop for UploadGuard<'_> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        if let Some(asset) = self.store.lock().get_mut(&self.id)
            && matches!(asset.content, Content::Uploading)
        {
            asset.content = Content::Pending;
        }
    }
}

/// 400 for an asset id outside 1..=255 characters.
fn check_asset_id(id: &str) -> HubResult<()> {
    let len = id.chars().count();
    if (1..=255).contains(&len) {
        Ok(())
    } else {
        Err(HubError::new(
            StatusCode::BAD_REQUEST,
            codes::INVALID_VALUE,
            format!("Invalid value of attribute id: {len} characters, expected 1 to 255."),
        )
        .with_detail("id", format!("length {len}")))
    }
}
