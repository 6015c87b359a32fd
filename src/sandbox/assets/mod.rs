//! Assets (attachments), following the spec's flow: `POST /assets` answers a
//! signed upload URL, the client POSTs the raw bytes there, readers get a
//! signed download URL from `GET /assets/{id}`. Metadata is in the database,
//! bytes in files beside it: both survive a restart, and memory does not grow
//! with uploads. A sandbox without `--state` (its database is deleted at exit)
//! keeps content in memory instead, up to [`AssetOptions::memory_cap`]: no
//! disk write on the upload path. Tickets never used expire with their upload URL.

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

/// How long signed URLs stay valid, and how much content memory may hold.
#[derive(Debug, Clone)]
pub struct AssetOptions {
    /// Lifetime of the `contentUrl` answered by `POST /assets`.
    pub upload_url_ttl: Duration,
    /// Lifetime of the `contentUrl` answered by `GET /assets/{id}`.
    pub download_url_ttl: Duration,
    /// Most bytes of asset content held in memory by a sandbox whose database
    /// is temporary (no `--state`); content past it goes to files, as with
    /// `--state`, where content is always on disk. 0: always files.
    pub memory_cap: u64,
}

/// Default [`AssetOptions::memory_cap`] in MiB.
pub const DEFAULT_MEMORY_CAP_MIB: u64 = 256;
/// Largest memory cap the settings accept, in MiB (1 TiB).
pub const MAX_MEMORY_CAP_MIB: u64 = 1 << 20;

impl Default for AssetOptions {
    fn default() -> Self {
        Self {
            upload_url_ttl: Duration::from_secs(15 * 60),
            download_url_ttl: Duration::from_secs(15 * 60),
            memory_cap: DEFAULT_MEMORY_CAP_MIB << 20,
        }
    }
}

/// Uploads at most this large are copied into one buffer when held in
/// memory, so a small file does not pin the connection's larger read buffer.
const COALESCE_BELOW: u64 = 64 * 1024;

/// Where an asset's bytes are in their life.
#[derive(Debug, Clone)]
enum Content {
    /// Ticket issued, nothing received yet (or a failed upload was discarded).
    Pending,
    /// An upload is streaming in; a second one is refused meanwhile.
    Uploading,
    /// On disk, in the database's assets folder.
    Stored,
    /// In memory (temporary database only), as the chunks that arrived.
    Held(Arc<[Bytes]>),
}

impl Content {
    fn is_stored(&self) -> bool {
        matches!(self, Self::Stored | Self::Held(_))
    }
}

/// Where an uploaded asset's bytes can be read from.
#[derive(Debug, Clone)]
pub enum Stored {
    /// A file in the database's assets folder.
    File(PathBuf),
    /// Held in memory: the chunks, in order.
    Memory(Arc<[Bytes]>),
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
            stored: self.content.is_stored(),
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
    /// Bytes of content held in memory or reserved for uploads streaming into it.
    memory_used: u64,
}

/// All assets: metadata in memory and in the database, content in files
/// beside it (so memory does not grow with uploads) or, without `--state`,
/// in memory up to a cap; plus the signing key.
pub struct AssetStore {
    options: AssetOptions,
    /// What memory may hold: the cap with a temporary database, else 0.
    memory_cap: u64,
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
            if !row.stored {
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
        let memory_cap = if db.is_temporary() { options.memory_cap } else { 0 };
        Self {
            memory_cap,
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
    fn path(&self, id: &str) -> HubResult<PathBuf> {
        Ok(self.db.assets_dir().map_err(internal)?.join(id))
    }

    /// Remove a content file, if the folder that would hold it exists.
    fn remove_file(&self, name: &str) {
        if let Some(dir) = self.db.existing_assets_dir() {
            let _ = std::fs::remove_file(dir.join(name));
        }
    }

    /// Unknown or not yet uploaded assets cannot go into a message (400-146).
    pub fn check_usable(&self, id: &str) -> HubResult<()> {
        match self.lock().by_id.get(id) {
            Some(asset) if asset.content.is_stored() => Ok(()),
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
        let size = bytes.len() as u64;
        let held = self.reserve(size);
        let content = if held {
            Content::Held(Arc::from([bytes]))
        } else {
            std::fs::write(self.path(&id)?, &bytes).map_err(internal)?;
            Content::Stored
        };
        let asset = Asset {
            name: name.to_owned(),
            size,
            content_type: content_type.to_owned(),
            created: now_iso(),
            content,
            used: false,
            expires_ms: 0,
        };
        if let Err(e) = self.db.put_asset(&asset.row(&id)) {
            if held {
                self.release(size);
            }
            return Err(internal(e));
        }
        self.lock().by_id.insert(id.clone(), asset);
        Ok(id)
    }

    /// Count `size` bytes against the memory cap if they fit under it.
    fn reserve(&self, size: u64) -> bool {
        let mut assets = self.lock();
        let fits = assets
            .memory_used
            .checked_add(size)
            .is_some_and(|total| total <= self.memory_cap);
        if fits {
            assets.memory_used += size;
        }
        fits
    }

    fn release(&self, size: u64) {
        let mut assets = self.lock();
        assets.memory_used = assets.memory_used.saturating_sub(size);
    }

    /// Bytes of asset content held in memory now (uploads in progress included).
    pub fn memory_used(&self) -> u64 {
        self.lock().memory_used
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
                if assets
                    .by_id
                    .get(&id)
                    .is_some_and(|a| matches!(a.content, Content::Pending))
                {
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
            uploaded: a.content.is_stored(),
            used: a.used,
        })
    }

    /// Where an uploaded asset's bytes are.
    pub fn stored(&self, id: &str) -> Option<Stored> {
        match &self.lock().by_id.get(id)?.content {
            Content::Stored => Some(Stored::File(self.path(id).ok()?)),
            Content::Held(chunks) => Some(Stored::Memory(chunks.clone())),
            Content::Pending | Content::Uploading => None,
        }
    }

    /// The bytes of an uploaded asset.
    pub fn content(&self, id: &str) -> Option<Bytes> {
        match self.stored(id)? {
            Stored::File(path) => std::fs::read(path).ok().map(Bytes::from),
            Stored::Memory(chunks) => Some(match &chunks[..] {
                [one] => one.clone(),
                many => Bytes::from(many.concat()),
            }),
        }
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
                if let Some(Asset {
                    content: Content::Held(_),
                    size,
                    ..
                }) = assets.by_id.remove(id)
                {
                    assets.memory_used = assets.memory_used.saturating_sub(size);
                } else {
                    self.remove_file(id);
                }
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
                    reserved: None,
                })
            }
            Content::Uploading => Err(HubError::bad_request(
                codes::ASSET_STATE,
                format!("Asset {id} is being uploaded by another request."),
            )),
            Content::Stored | Content::Held(_) => Err(HubError::bad_request(
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
    /// Bytes counted against the memory cap for this upload.
    reserved: Option<u64>,
}

impl UploadGuard<'_> {
    /// Claim `size` bytes of the memory cap for this upload; `false` when
    /// they do not fit (or the store keeps content on disk): stream to a file.
    pub(crate) fn reserve_memory(&mut self, size: u64) -> bool {
        let held = self.reserved.is_none() && self.store.reserve(size);
        if held {
            self.reserved = Some(size);
        }
        held
    }

    /// Keep the received chunks in memory (after [`Self::reserve_memory`]).
    pub(crate) fn finish_held(mut self, chunks: Vec<Bytes>) -> HubResult<()> {
        let store = self.store;
        let size: u64 = chunks.iter().map(|c| c.len() as u64).sum();
        if self.reserved != Some(size) {
            return Err(HubError::internal("memory for the upload was not reserved"));
        }
        let chunks: Arc<[Bytes]> = if size <= COALESCE_BELOW {
            Arc::from([Bytes::from(chunks.concat())])
        } else {
            chunks.into()
        };
        let row = self.stored_row()?;
        store.db.put_asset(&row).map_err(internal)?;
        // Deleted meanwhile: the drop releases the reservation (after this lock is gone).
        let kept = match store.lock().by_id.get_mut(&self.id) {
            Some(asset) => {
                asset.content = Content::Held(chunks);
                true
            }
            None => false,
        };
        if !kept {
            return Err(HubError::not_found("Asset", &self.id));
        }
        self.finished = true;
        Ok(())
    }

    /// The asset's database row as it is once stored (not found if deleted meanwhile).
    fn stored_row(&self) -> HubResult<AssetRow> {
        let assets = self.store.lock();
        let asset = assets
            .by_id
            .get(&self.id)
            .ok_or_else(|| HubError::not_found("Asset", &self.id))?;
        Ok(AssetRow {
            stored: true,
            ..asset.row(&self.id)
        })
    }

    /// The file the bytes stream to until they are complete.
    fn part_name(&self) -> String {
        format!("{}.part", self.id)
    }

    /// Where the bytes stream to until they are complete.
    pub(crate) fn part_path(&self) -> HubResult<PathBuf> {
        self.store.path(&self.part_name())
    }

    /// Keep the received file. The asset may have been deleted meanwhile.
    pub(crate) fn finish(mut self) -> HubResult<()> {
        let store = self.store;
        let row = self.stored_row()?;
        std::fs::rename(self.part_path()?, store.path(&self.id)?).map_err(internal)?;
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
        if let Some(size) = self.reserved {
            self.store.release(size);
        } else {
            self.store.remove_file(&self.part_name());
        }
        if let Some(asset) = self.store.lock().by_id.get_mut(&self.id)
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
