//! Files that may hold secrets (a body with a password handed to `$EDITOR`,
//! the takeover journal, state files): created readable by the owner only
//! (0600) under an unpredictable name, via `tempfile`, so another user on
//! the machine can neither read them nor plant a file where one is expected.

use std::io::{self, Write};
use std::path::Path;

use tempfile::NamedTempFile;

/// Replace `path` with `bytes` atomically: a private temp file in the same
/// directory, synced, then renamed over it. A reader never sees half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut file = tempfile::Builder::new().prefix(".egain-console-").tempfile_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A private temp file holding `text` for an external editor; removed when dropped.
pub fn for_editing(text: &str, suffix: &str) -> io::Result<NamedTempFile> {
    let mut file = tempfile::Builder::new()
        .prefix("egain-console-")
        .suffix(suffix)
        .tempfile()?;
    file.write_all(text.as_bytes())?;
    file.as_file().sync_all()?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn written_files_are_private_and_replace_atomically() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.json");
        std::fs::write(&path, "old").expect("write");
        write_atomic(&path, b"{\"password\":\"p\"}").expect("write");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "{\"password\":\"p\"}");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            1,
            "no temp file left"
        );
    }

    #[cfg(unix)]
    #[test]
    fn editor_files_are_private_unpredictable_and_removed() {
        let a = for_editing("{\"password\":\"p\"}", ".json").expect("temp");
        let b = for_editing("x", ".json").expect("temp");
        assert_ne!(a.path(), b.path());
        assert_eq!(mode(a.path()), 0o600);
        let name = a
            .path()
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        assert!(!name.contains(&std::process::id().to_string()), "{name}");
        let path = a.path().to_owned();
        drop(a);
        assert!(!path.exists());
    }
}
