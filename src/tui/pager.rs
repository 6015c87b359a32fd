//! `v`: a body or detail shown in `$PAGER`, for searching and reading long
//! text with the tools the user knows. The text is what the screen shows
//! (secrets already redacted by the component); it goes to a private temp
//! file (0600, unpredictable name, removed afterwards) handed to the pager
//! through the shell, so `PAGER="less -S"` works. The runtime gives the
//! terminal to the pager and takes it back whatever the pager's exit.

use std::process::Command;

/// The pager to run: `$PAGER` when set, else `less -R` when installed.
pub fn from_env() -> Option<String> {
    match std::env::var("PAGER") {
        Ok(p) if !p.trim().is_empty() => Some(p),
        _ => on_path("less").then(|| "less -R".to_owned()),
    }
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Show `text` in `pager` (a shell command; `None`: there is none). Blocks
/// until the pager exits. `Ok(None)`: it ended normally; `Ok(Some(note))`:
/// it ended with a failure status worth a notice; `Err`: it could not run.
pub fn show(text: &str, pager: Option<&str>) -> Result<Option<String>, String> {
    let Some(pager) = pager else {
        return Err("no pager: set $PAGER (less is not installed)".into());
    };
    let file = crate::private_file::for_editing(text, ".txt").map_err(|e| {
        crate::io_error::message(
            &std::env::temp_dir(),
            crate::io_error::Access::Write,
            "a temporary file for the pager",
            &e,
        )
    })?;
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{pager} \"$1\""))
        .arg("egain-console-pager")
        .arg(file.path())
        .status()
        .map_err(|e| format!("cannot start {pager}: {e}"))?;
    drop(file);
    Ok((!status.success()).then(|| format!("the pager exited with {status} ({pager})")))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A fake pager: copies the file it is given and its mode beside `out`.
    fn fake_pager(dir: &std::path::Path, exit: u8) -> String {
        let script = dir.join("pager.sh");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\ncp \"$1\" '{out}/seen.txt'\nstat -c %a \"$1\" > '{out}/mode'\necho \"$1\" > '{out}/path'\nexit {exit}\n",
                out = dir.display()
            ),
        )
        .expect("script");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        script.display().to_string()
    }

    #[test]
    fn the_pager_gets_a_private_file_that_is_gone_afterwards() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pager = fake_pager(dir.path(), 0);
        assert_eq!(show("line one\n日本語 😀\n", Some(&pager)), Ok(None));
        let seen = std::fs::read_to_string(dir.path().join("seen.txt")).expect("the pager read it");
        assert_eq!(seen, "line one\n日本語 😀\n");
        let mode = std::fs::read_to_string(dir.path().join("mode")).expect("mode");
        assert_eq!(mode.trim(), "600");
        let path = std::fs::read_to_string(dir.path().join("path")).expect("path");
        assert!(path.contains("egain-console-"), "{path}");
        assert!(
            !std::path::Path::new(path.trim()).exists(),
            "removed once the pager exits"
        );
    }

    #[test]
    fn a_failing_or_missing_pager_is_reported_not_fatal() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pager = fake_pager(dir.path(), 3);
        let note = show("x", Some(&pager)).expect("it ran").expect("a note");
        assert!(note.contains("exit status: 3"), "{note}");
        let err = show("x", None).expect_err("no pager");
        assert!(err.contains("$PAGER"), "{err}");
        let err = show("x", Some("/nonexistent/pager")).expect("sh runs").expect("a note");
        assert!(err.contains("127"), "{err}");
    }
}
