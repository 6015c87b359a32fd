//! Assets (attachments), following the spec's flow: `POST /assets` answers a
//! signed upload URL, the client POSTs the raw bytes there, readers get a
//! signed download URL from `GET /assets/{id}`. Metadata is in the database,
//! bytes in files beside it: both survive a restart, and memory does not grow
//! with uploads. Tickets never used expire with their upload URL.

mod routes;
pub mod signing;

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::http::StatusCode;
use bytes::Bytes;

pub use routes::{DOWNLOAD_PATH, UPLOAD_PATH, api_routes, storage_routes};
use signing::Signer;

use super::clock::now_iso;
use super::db::{AssetRow, Db};
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    /// Ticket issued, nothing received yet (or a failed upload was discarded).
    Pending,
    /// An upload is streaming in; a second one is refused meanwhile.
    Uploading,
    /// On disk, in the database's assets folder.
    Stored,
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
    /// When the upload ticket expires (ms since the epoch).
    expires_ms: i64,
}

impl Asset {
    fn row(&self, id: &str) -> AssetRow {
        AssetRow {
            id: id.to_owned(),
            name: self.name.clone(),
            size: self.size,
            content_type: self.content_type.clone(),
            created: self.created.clone(),
            stored: self.content == Content::Stored,
            used: self.used,
            expires_ms: self.expires_ms,
        }
    }
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

#[derive(Debug, Default)]
struct Assets {
    by_id: HashMap<String, Asset>,
    /// Pending tickets in issue order (all share one lifetime, so expiry order too).
    pending: VecDeque<(i64, String)>,
}

/// All assets: metadata in memory and in the database, content in files
/// beside it (so memory does not grow with uploads), plus the signing key.
pub struct AssetStore {
    options: AssetOptions,
    signer: Signer,
    db: Arc<Db>,
    assets: Mutex<Assets>,
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn internal(e: impl std::fmt::Display) -> HubError {
    HubError::internal(format!("The asset store failed: {e}"))
}

impl AssetStore {
    pub fn new(options: AssetOptions, db: Arc<Db>, rows: Vec<AssetRow>) -> Self {
        let mut assets = Assets::default();
        let mut pending: Vec<(i64, String)> = Vec::new();
        for row in rows {
            let content = if row.stored { Content::Stored } else { Content::Pending };
            if content == Content::Pending {
                pending.push((row.expires_ms, row.id.clone()));
            }
            assets.by_id.insert(
                row.id,
                Asset {
                    name: row.name,
                    size: row.size,
                    content_type: row.content_type,
                    created: row.created,
                    content,
                    used: row.used,
                    expires_ms: row.expires_ms,
                },
            );
        }
        pending.sort();
        assets.pending = pending.into();
        Self {
            options,
            signer: Signer::random(),
            db,
            assets: Mutex::new(assets),
        }
    }

    pub fn options(&self) -> &AssetOptions {
        &self.options
    }

    pub(crate) fn signer(&self) -> &Signer {
        &self.signer
    }

    /// A poisoned lock still holds consistent data: every change is one map operation.
    fn lock(&self) -> MutexGuard<'_, Assets> {
        self.assets.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Where an asset's content lives (ids are ours: UUID text, safe as a file name).
    fn path(&self, id: &str) -> PathBuf {
        self.db.assets_dir().join(id)
    }

    /// Unknown or not yet uploaded assets cannot go into a message (400-146).
    pub fn check_usable(&self, id: &str) -> HubResult<()> {
        match self.lock().by_id.get(id) {
            Some(asset) if asset.content == Content::Stored => Ok(()),
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

    /// Freeze assets a message references against deletion (the database
    /// row was marked in the same transaction as the message).
    pub fn mark_used(&self, ids: &[String]) {
        let mut assets = self.lock();
        for id in ids {
            if let Some(asset) = assets.by_id.get_mut(id) {
                asset.used = true;
            }
        }
    }

    /// Store finished content directly (for the built-in bot and agent, which
    /// have no reason to go through a signed upload); returns the new id.
    pub fn create_stored(&self, name: &str, content_type: &str, bytes: Bytes) -> HubResult<String> {
        let id = uuid::Uuid::new_v4().to_string();
        std::fs::write(self.path(&id), &bytes).map_err(internal)?;
        let asset = Asset {
            name: name.to_owned(),
            size: bytes.len() as u64,
            content_type: content_type.to_owned(),
            created: now_iso(),
            content: Content::Stored,
            used: false,
            expires_ms: 0,
        };
        self.db.put_asset(&asset.row(&id)).map_err(internal)?;
        self.lock().by_id.insert(id.clone(), asset);
        Ok(id)
    }

    /// A ticket for content still to come (`POST /assets`); returns the new
    /// id. Tickets whose upload URL expired unused are pruned here.
    pub(crate) fn create_pending(&self, name: &str, size: u64, content_type: &str) -> HubResult<String> {
        self.prune_expired();
        let id = uuid::Uuid::new_v4().to_string();
        let ttl = i64::try_from(self.options.upload_url_ttl.as_millis()).unwrap_or(i64::MAX);
        let asset = Asset {
            name: name.to_owned(),
            size,
            content_type: content_type.to_owned(),
            created: now_iso(),
            content: Content::Pending,
            used: false,
            expires_ms: now_ms().saturating_add(ttl),
        };
        self.db.put_asset(&asset.row(&id)).map_err(internal)?;
        let mut assets = self.lock();
        assets.pending.push_back((asset.expires_ms, id.clone()));
        assets.by_id.insert(id.clone(), asset);
        Ok(id)
    }

    /// Forget tickets past their upload URL's expiry that never got content.
    fn prune_expired(&self) {
        let now = now_ms();
        let mut gone = Vec::new();
        {
            let mut assets = self.lock();
            while let Some((expires, id)) = assets.pending.front().cloned() {
                if expires > now {
                    break;
                }
                assets.pending.pop_front();
                if assets.by_id.get(&id).is_some_and(|a| a.content == Content::Pending) {
                    assets.by_id.remove(&id);
                    gone.push(id);
                }
            }
        }
        if !gone.is_empty() {
            let _ = self.db.delete_assets(&gone);
        }
    }

    /// How many assets are known (tickets included).
    pub fn len(&self) -> usize {
        self.lock().by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn info(&self, id: &str) -> Option<AssetInfo> {
        self.lock().by_id.get(id).map(|a| AssetInfo {
            id: id.to_owned(),
            name: a.name.clone(),
            size: a.size,
            content_type: a.content_type.clone(),
            created: a.created.clone(),
            uploaded: a.content == Content::Stored,
            used: a.used,
        })
    }

    /// The file holding an uploaded asset's bytes.
    pub fn content_path(&self, id: &str) -> Option<PathBuf> {
        (self.lock().by_id.get(id)?.content == Content::Stored).then(|| self.path(id))
    }

    /// The bytes of an uploaded asset.
    pub fn content(&self, id: &str) -> Option<Bytes> {
        std::fs::read(self.content_path(id)?).ok().map(Bytes::from)
    }

    pub fn delete(&self, id: &str) -> Result<(), DeleteError> {
        let mut assets = self.lock();
        match assets.by_id.get(id) {
            None => Err(DeleteError::NotFound),
            Some(a) if a.used => Err(DeleteError::InUse),
            Some(_) => {
                if self.db.delete_assets(&[id.to_owned()]).is_err() {
                    return Err(DeleteError::NotFound);
                }
                assets.by_id.remove(id);
                let _ = std::fs::remove_file(self.path(id));
                Ok(())
            }
        }
    }

    /// Claim the asset for one upload. The guard puts it back to pending if
    /// the upload does not finish (refused, client gone), so it can be retried.
    pub(crate) fn begin_upload(&self, id: &str) -> HubResult<UploadGuard<'_>> {
        let mut assets = self.lock();
        let asset = assets
            .by_id
            .get_mut(id)
            .ok_or_else(|| HubError::not_found("Asset", id))?;
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
            Content::Stored => Err(HubError::bad_request(
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
    /// Where the bytes stream to until they are complete.
    pub(crate) fn part_path(&self) -> PathBuf {
        self.store.path(&format!("{}.part", self.id))
    }

    /// Keep the received file. The asset may have been deleted meanwhile.
    pub(crate) fn finish(mut self) -> HubResult<()> {
        let store = self.store;
        let mut row = {
            let assets = store.lock();
            let asset = assets
                .by_id
                .get(&self.id)
                .ok_or_else(|| HubError::not_found("Asset", &self.id))?;
            asset.row(&self.id)
        };
        std::fs::rename(self.part_path(), store.path(&self.id)).map_err(internal)?;
        row.stored = true;
        store.db.put_asset(&row).map_err(internal)?;
        if let Some(asset) = store.lock().by_id.get_mut(&self.id) {
            asset.content = Content::Stored;
        }
        self.finished = true;
        Ok(())
    }
}

impl Drop for UploadGuard<'_> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let _ = std::fs::remove_file(self.part_path());
        if let Some(asset) = self.store.lock().by_id.get_mut(&self.id)
            && asset.content == Content::Uploading
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
