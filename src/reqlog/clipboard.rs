//! Getting text out of the terminal: the OSC 52 clipboard escape (works over
//! SSH, no clipboard daemon needed) and, when the terminal may not support
//! it or the text is too long, a file that never overwrites anything.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Text longer than this (bytes, before base64) may be refused or cut by
/// terminals (xterm, tmux and others cap OSC 52 near 100 KB of base64); the
/// UI should offer [`save_text`] instead.
pub const OSC52_MAX_TEXT: usize = 74_000;

/// The OSC 52 sequence that puts `text` on the system clipboard. Inside tmux
/// (`tmux` true) it is wrapped in tmux's DCS passthrough, ESCs doubled,
/// which needs tmux's `allow-passthrough` (or `set-clipboard on`, which
/// makes tmux handle the plain sequence itself).
pub fn osc52(text: &str, tmux: bool) -> String {
    let seq = format!("\x1b]52;c;{}\x07", STANDARD.encode(text));
    if !tmux {
        return seq;
    }
    format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b"))
}

/// Whether the console runs inside tmux (`$TMUX` set and not empty).
pub fn in_tmux() -> bool {
    std::env::var_os("TMUX").is_some_and(|v| !v.is_empty())
}

/// Write `text` to `dir/base_name`, or to `stem (1).ext`, `stem (2).ext`...
/// if taken: an existing file is never replaced (the check and the create
/// are one atomic step). `dir` is created if missing. Returns the path used.
pub fn save_text(dir: &Path, base_name: &str, text: &str) -> io::Result<PathBuf> {
    let plain = Path::new(base_name);
    if base_name.is_empty() || plain.file_name() != Some(plain.as_os_str()) || base_name.contains(['/', '\\']) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a plain file name: {base_name:?}"),
        ));
    }
    std::fs::create_dir_all(dir)?;
    let (stem, ext) = match base_name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, Some(ext)),
        _ => (base_name, None),
    };
    for n in 0..10_000u32 {
        let name = match (n, ext) {
            (0, _) => base_name.to_owned(),
            (n, Some(ext)) => format!("{stem} ({n}).{ext}"),
            (n, None) => format!("{stem} ({n})"),
        };
        let path = dir.join(name);
        let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        };
        if let Err(e) = file.write_all(text.as_bytes()).and_then(|()| file.sync_all()) {
            // Leave no partial file behind under a name the user will trust.
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        return Ok(path);
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{} and 9,999 numbered copies exist", dir.join(base_name).display()),
    ))
}
