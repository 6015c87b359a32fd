//! The pending-restore journal: one JSON file in the console's data
//! directory listing every callback the console has pointed at itself and
//! not yet put back. It is written before the change reaches the tenant and
//! emptied after the original is restored, so a crash in between leaves a
//! record the next start-up can act on.
//!
//! Writes go to a temporary file that is then renamed over the journal, so a
//! reader (or a crash) never sees half a file; a lock file serialises the
//! read-modify-write of concurrent consoles sharing the directory.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::io_error::Access;

/// File name of the journal inside the state directory.
pub const JOURNAL_FILE: &str = "callback-takeovers.json";
/// Held (exclusively locked) while the journal is read and rewritten.
const LOCK_FILE: &str = "callback-takeovers.lock";
/// Bumped if the file format changes incompatibly.
const FORMAT_VERSION: u32 = 1;

/// A role's `authentication` as the takeover found it, kept only when the
/// takeover replaced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationChange {
    /// The role's `authentication` object as read; `None` when it had none.
    pub original: Option<Value>,
    /// The authentication id the takeover set.
    pub ours: String,
}

/// One callback pointed at a console and not yet restored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingRestore {
    /// API base URL of the tenant (the profile's `base_url`).
    pub base_url: String,
    pub app_id: String,
    /// For messages only; the id is what counts.
    pub app_name: String,
    /// Role name, e.g. `custom_agent`.
    pub role: String,
    /// The role's callback before the takeover (`None`: it had none).
    pub original_callback: Option<String>,
    /// The console URL the role was pointed at.
    pub console_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<AuthenticationChange>,
    /// Process that made the change, to tell a crashed console from a running one.
    pub pid: u32,
    pub since: jiff::Timestamp,
}

impl PendingRestore {
    /// Whether `other` is about the same role of the same application on the same tenant.
    pub fn same_role(&self, other: &PendingRestore) -> bool {
        self.base_url == other.base_url && self.app_id == other.app_id && self.role == other.role
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct JournalFile {
    version: u32,
    #[serde(default)]
    pending: Vec<PendingRestore>,
}

/// Why the journal could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("pending-restore journal {}: {detail}", path.display())]
pub struct JournalError {
    pub path: PathBuf,
    pub detail: String,
}

/// The journal in one state directory. Cheap to clone; holds no open file.
#[derive(Debug, Clone)]
pub struct Journal {
    dir: PathBuf,
}

impl Journal {
    pub fn new(state_dir: impl Into<PathBuf>) -> Self {
        Self { dir: state_dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(JOURNAL_FILE)
    }

    /// Every pending restore, all tenants; none when the file does not exist.
    pub fn entries(&self) -> Result<Vec<PendingRestore>, JournalError> {
        self.read().map(|f| f.pending)
    }

    /// Read the entries, let `change` edit them, and write the result back
    /// atomically, all under the journal lock. Nothing is written when the
    /// existing file cannot be read: a journal we do not understand must
    /// not be replaced by one that forgets its entries.
    pub(crate) fn update<R>(&self, change: impl FnOnce(&mut Vec<PendingRestore>) -> R) -> Result<R, JournalError> {
        fs::create_dir_all(&self.dir).map_err(|e| self.error(&self.dir, Access::Write, e))?;
        let lock_path = self.dir.join(LOCK_FILE);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| self.error(&lock_path, Access::Write, e))?;
        lock.lock().map_err(|e| self.error(&lock_path, Access::Write, e))?;
        let mut file = self.read()?;
        let result = change(&mut file.pending);
        file.version = FORMAT_VERSION;
        let written = self.write(&file);
        // Closing the file releases the lock too; unlocking first just makes it prompt.
        let _ = lock.unlock();
        written.map(|()| result)
    }

    fn read(&self) -> Result<JournalFile, JournalError> {
        let path = self.path();
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(JournalFile::default()),
            Err(e) => return Err(self.error(&path, Access::Read, e)),
        };
        let file: JournalFile = serde_json::from_str(&text).map_err(|e| JournalError {
            path: path.clone(),
            detail: format!("not a journal this console understands: {e}"),
        })?;
        if file.version > FORMAT_VERSION {
            return Err(JournalError {
                path,
                detail: format!(
                    "written by a newer console (format {}, this one knows {FORMAT_VERSION})",
                    file.version
                ),
            });
        }
        Ok(file)
    }

    /// Temp file in the same directory, flushed to disk, then renamed over the journal.
    fn write(&self, file: &JournalFile) -> Result<(), JournalError> {
        let path = self.path();
        let mut text = serde_json::to_vec_pretty(file).map_err(|e| JournalError {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        text.push(b'\n');
        // Private (0600): the journal names the tenant's applications and their callbacks.
        crate::private_file::write_atomic(&path, &text).map_err(|e| self.error(&path, Access::Write, e))?;
        sync_dir(&self.dir);
        Ok(())
    }

    fn error(&self, path: &Path, access: Access, e: io::Error) -> JournalError {
        JournalError {
            path: path.to_owned(),
            detail: crate::io_error::reason(path, access, &e),
        }
    }
}

/// Make the rename itself durable; best effort (not every platform can open a directory).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(role: &str) -> PendingRestore {
        PendingRestore {
            base_url: "https://tenant.example/v3".into(),
            app_id: "00000000-0000-4000-8000-000000000001".into(),
            app_name: "app".into(),
            role: role.into(),
            original_callback: Some("https://old.example/cb".into()),
            console_url: "http://127.0.0.1:1/cb".into(),
            authentication: None,
            pid: 7,
            since: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn round_trip_and_no_temp_left() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::new(dir.path());
        assert!(journal.entries().unwrap().is_empty());
        journal.update(|p| p.push(entry("customer"))).unwrap();
        journal.update(|p| p.push(entry("custom_agent"))).unwrap();
        let again = Journal::new(dir.path()).entries().unwrap();
        assert_eq!(again, vec![entry("customer"), entry("custom_agent")]);
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn unreadable_journal_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::new(dir.path());
        fs::write(journal.path(), "{not json").unwrap();
        let err = journal.update(|p| p.clear()).unwrap_err();
        assert!(err.detail.contains("not a journal"), "{err}");
        assert_eq!(fs::read_to_string(journal.path()).unwrap(), "{not json");
    }

    #[test]
    fn newer_format_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::new(dir.path());
        fs::write(journal.path(), r#"{"version": 99, "pending": []}"#).unwrap();
        assert!(journal.entries().unwrap_err().detail.contains("newer console"));
    }
}
