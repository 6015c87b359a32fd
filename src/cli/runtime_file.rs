//! Where a standalone `egain-console sandbox` leaves its connection details
//! (base URL, token URL, client id and secret) so the built-in `sandbox`
//! profile can reach it. The file is 0600 and removed when the sandbox stops.
//!
//! Location: `$EGAIN_CONSOLE_SANDBOX_FILE`, else `sandbox.env` in the user's
//! runtime directory (`$XDG_RUNTIME_DIR/egain-console`), else in the local
//! data directory.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::api::Secret;
use crate::io_error::{self, Access};

/// Environment variable overriding the file's location.
pub const ENV: &str = "EGAIN_CONSOLE_SANDBOX_FILE";

/// Connection details of a running standalone sandbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub base_url: String,
    pub token_url: String,
    pub client_id: String,
    pub client_secret: Secret,
}

/// The file's location, or `None` when the platform has no home directory.
pub fn path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let dirs = directories::ProjectDirs::from("cloud", "egain", "egain-console")?;
    let dir = dirs.runtime_dir().unwrap_or_else(|| dirs.data_local_dir());
    Some(dir.join("sandbox.env"))
}

impl Facts {
    /// `key=value` lines (the sandbox prints the first three on stdout).
    fn text(&self) -> String {
        format!(
            "base_url={}\ntoken_url={}\nclient_id={}\nclient_secret={}\n",
            self.base_url,
            self.token_url,
            self.client_id,
            self.client_secret.expose()
        )
    }

    fn parse(text: &str, path: &Path) -> Result<Self, String> {
        let get = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
                .map(str::to_owned)
                .ok_or_else(|| format!("{}: no `{key}=` line; restart `egain-console sandbox`", path.display()))
        };
        Ok(Self {
            base_url: get("base_url")?,
            token_url: get("token_url")?,
            client_id: get("client_id")?,
            client_secret: Secret::new(get("client_secret")?),
        })
    }
}

/// Removes the file when dropped, if it still describes this sandbox.
#[derive(Debug)]
pub struct Published {
    path: PathBuf,
    text: String,
}

impl Published {
    /// Where the file was written.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Published {
    fn drop(&mut self) {
        if std::fs::read_to_string(&self.path).is_ok_and(|t| t == self.text) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Write the file (0600, replacing an older one).
pub fn publish(facts: &Facts) -> Result<Published, String> {
    let path = path().ok_or("no directory for the sandbox's connection file; set EGAIN_CONSOLE_SANDBOX_FILE")?;
    let fail = |e: std::io::Error| io_error::message(&path, Access::Write, "the sandbox's connection file", &e);
    if let Some(dir) = path.parent() {
        io_error::create_folder(dir, "the folder for the sandbox's connection file")?;
    }
    let text = facts.text();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path).map_err(fail)?;
    #[cfg(unix)]
    {
        // An older file keeps its mode on open: make sure it is 0600 before writing.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(fail)?;
    }
    file.write_all(text.as_bytes()).map_err(fail)?;
    Ok(Published { path, text })
}

/// Read the file a running sandbox wrote, for `profile` (named in the error when none runs).
pub fn read(profile: &str) -> Result<Facts, String> {
    let path = path().ok_or("no directory for the sandbox's connection file; set EGAIN_CONSOLE_SANDBOX_FILE")?;
    match std::fs::read_to_string(&path) {
        Ok(text) => Facts::parse(&text, &path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
            "profile `{profile}`: no standalone sandbox is running ({} does not exist); start one with `egain-console sandbox` in another terminal",
            path.display()
        )),
        Err(e) => Err(io_error::message(
            &path,
            Access::Read,
            "the sandbox's connection file",
            &e,
        )),
    }
}
