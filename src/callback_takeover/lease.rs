//! Telling a crashed console from a running one. While a console has a
//! takeover active it holds an exclusive lock on `callback-takeover-<pid>.lease`
//! in the state directory; the operating system drops the lock when the
//! process dies, however it dies. Start-up recovery skips entries whose
//! console still holds its lease, so a second console on the same tenant
//! does not undo a live takeover of the first. A bare pid check could not
//! tell a reused pid from the original process; the lock can.
//!
//! A lease, once taken, is kept until the process exits (taking and dropping
//! it per takeover would race with itself); the files dead processes leave
//! behind are swept at the next recovery.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// One process's lease in one directory: an open, locked file.
#[derive(Debug)]
pub(crate) struct Lease {
    _file: File,
}

/// Leases this process holds, per file: a second lock on a new handle to
/// the same file would conflict with our own first one.
static HELD: Mutex<Option<HashMap<PathBuf, Arc<Lease>>>> = Mutex::new(None);

const PREFIX: &str = "callback-takeover-";
const SUFFIX: &str = ".lease";

fn lease_path(dir: &Path, pid: u32) -> PathBuf {
    dir.join(format!("{PREFIX}{pid}{SUFFIX}"))
}

/// This process's lease in `dir`, taken on first use and kept until exit.
pub(crate) fn hold(dir: &Path) -> io::Result<Arc<Lease>> {
    let path = lease_path(dir, std::process::id());
    let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    let map = held.get_or_insert_with(HashMap::new);
    if let Some(lease) = map.get(&path) {
        return Ok(lease.clone());
    }
    fs::create_dir_all(dir)?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?;
    file.try_lock().map_err(|e| match e {
        TryLockError::Error(e) => e,
        TryLockError::WouldBlock => io::Error::other(format!("{} is locked by another process", path.display())),
    })?;
    let lease = Arc::new(Lease { _file: file });
    map.insert(path, lease.clone());
    Ok(lease)
}

/// Give up this process's lease in `dir` and remove its file (nothing of
/// this console's is left to restore there).
pub(crate) fn release(dir: &Path) {
    let path = lease_path(dir, std::process::id());
    let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(map) = held.as_mut() {
        map.remove(&path);
    }
    let _ = fs::remove_file(&path);
}

/// Whether another, still running process holds the lease of `pid` in `dir`.
/// A lease left by a dead process is removed on the way.
pub(crate) fn held_by_running_process(dir: &Path, pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    let path = lease_path(dir, pid);
    locked_elsewhere(&path)
}

/// Remove the lease files of processes that are gone.
pub(crate) fn sweep(dir: &Path) {
    let own = lease_path(dir, std::process::id());
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_lease = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.strip_suffix(SUFFIX))
            .is_some_and(|pid| pid.parse::<u32>().is_ok());
        let path = entry.path();
        if is_lease && path != own {
            locked_elsewhere(&path);
        }
    }
}

/// Whether a live process holds the lock on `path`; an unlocked lease file is removed.
fn locked_elsewhere(path: &Path) -> bool {
    let Ok(file) = OpenOptions::new().write(true).open(path) else {
        return false;
    };
    match file.try_lock() {
        Ok(()) => {
            let _ = fs::remove_file(path);
            false
        }
        Err(TryLockError::WouldBlock) => true,
        Err(TryLockError::Error(_)) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locked_lease_means_running_an_unlocked_one_means_gone() {
        let dir = tempfile::tempdir().unwrap();
        let other = std::process::id().wrapping_add(1);
        let path = lease_path(dir.path(), other);
        let file = File::create(&path).unwrap();
        file.lock().unwrap();
        assert!(held_by_running_process(dir.path(), other));
        drop(file);
        assert!(!held_by_running_process(dir.path(), other));
        assert!(!path.exists(), "a dead process's lease is cleaned up");
        assert!(!held_by_running_process(dir.path(), other.wrapping_add(1)));
    }

    #[test]
    fn own_lease_is_shared_and_survives_a_sweep() {
        let dir = tempfile::tempdir().unwrap();
        let a = hold(dir.path()).unwrap();
        let b = hold(dir.path()).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let own = lease_path(dir.path(), std::process::id());
        let dead = lease_path(dir.path(), std::process::id().wrapping_add(1));
        File::create(&dead).unwrap();
        sweep(dir.path());
        assert!(own.exists());
        assert!(!dead.exists());
    }
}
