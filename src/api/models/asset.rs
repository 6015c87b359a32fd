//! Asset (attachment) tickets and the limits the spec sets on them.

use serde::{Deserialize, Serialize};

use super::common::Extra;
use super::conversation::{ChannelTypeRef, SenderType};

/// Largest asset the hub accepts (10 MiB).
pub const MAX_ASSET_SIZE: u64 = 10_485_760;
/// Longest asset name.
pub const MAX_ASSET_NAME: usize = 255;

/// `sender: { type }` of an asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetSender {
    #[serde(rename = "type")]
    pub sender_type: SenderType,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Body of `POST /assets`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetCreate {
    pub channel: ChannelTypeRef,
    pub sender: AssetSender,
    pub name: String,
    pub size: u64,
    #[serde(flatten)]
    pub extra: Extra,
}

impl AssetCreate {
    pub fn new(channel_type: &str, sender: SenderType, name: &str, size: u64) -> Self {
        Self {
            channel: ChannelTypeRef {
                channel_type: channel_type.to_owned(),
                extra: Extra::new(),
            },
            sender: AssetSender {
                sender_type: sender,
                extra: Extra::new(),
            },
            name: name.to_owned(),
            size,
            extra: Extra::new(),
        }
    }
}

/// Answer to `POST /assets`: where to upload, until when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetUploadTicket {
    pub id: String,
    pub content_url: String,
    #[serde(default)]
    pub content_url_expiry: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Answer to `GET /assets/{id}`: metadata and where to download.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetDownloadTicket {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub content_type: String,
    pub content_url: String,
    #[serde(default)]
    pub content_url_expiry: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Why a file may not become an asset, checked before any network call.
pub fn check_asset_file(name: &str, size: u64) -> Result<(), String> {
    if name.is_empty() {
        return Err("name: the file name is empty".into());
    }
    if name.chars().count() > MAX_ASSET_NAME {
        return Err(format!(
            "name: {} characters is over the limit of {MAX_ASSET_NAME}",
            name.chars().count()
        ));
    }
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() => {}
        _ => return Err(format!("name: \"{name}\" has no extension")),
    }
    if size == 0 {
        return Err("size: the file is empty".into());
    }
    if size > MAX_ASSET_SIZE {
        return Err(format!(
            "size: {size} bytes is over the limit of {MAX_ASSET_SIZE} bytes"
        ));
    }
    Ok(())
}

/// MIME type for a file name, as uploads must declare it.
pub fn content_type_for(name: &str) -> String {
    mime_guess::from_path(name)
        .first_or_octet_stream()
        .essence_str()
        .to_owned()
}
