//! One plain message for an I/O error a user sees: a file that could not
//! be read or written (what, where: the path, and how to fix it), or an
//! address that could not be listened on. Every user-facing path through
//! which a `std::io::Error` reaches the user goes through here, so the OS's
//! own text ("No such file or directory (os error 2)") never does.

use std::io::{self, ErrorKind};
use std::path::Path;

/// What was being done to the file (a missing file means a wrong path when
/// reading, a missing folder when writing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// `PATH: cannot read|write WHAT: why; how to fix it`.
pub fn message(path: &Path, access: Access, what: &str, e: &io::Error) -> String {
    let verb = match access {
        Access::Read => "read",
        Access::Write => "write",
    };
    format!("{}: cannot {verb} {what}: {}", path.display(), reason(path, access, e))
}

/// Why, and how to fix it, for a message that names the path already.
pub fn reason(path: &Path, access: Access, e: &io::Error) -> String {
    let (why, fix) = why_and_fix(path, access, e);
    format!("{why}; {fix}")
}

/// Why it failed and how to fix it, apart (for errors that print the fix on
/// a line of its own).
pub fn why_and_fix(path: &Path, access: Access, e: &io::Error) -> (String, String) {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(|p| format!(" {}", p.display()))
        .unwrap_or_default();
    let (why, fix): (String, String) = match (e.kind(), access) {
        (ErrorKind::NotFound, Access::Read) => ("it does not exist".into(), "check the path".into()),
        (ErrorKind::NotFound, Access::Write) => (
            format!("the folder{folder} does not exist"),
            "create it or choose another path".into(),
        ),
        (ErrorKind::PermissionDenied, Access::Read) => (
            "permission denied".into(),
            "check its permissions (ls -l) or use a file this user may read".into(),
        ),
        (ErrorKind::PermissionDenied, Access::Write) => (
            "permission denied".into(),
            "choose a place this user may write to, or change its permissions".into(),
        ),
        (ErrorKind::AlreadyExists, _) => ("it already exists".into(), "choose another name or move it away".into()),
        (ErrorKind::IsADirectory, _) => ("it is a folder".into(), "name a file".into()),
        (ErrorKind::NotADirectory, _) => (
            "a part of the path is a file, not a folder".into(),
            "check the path".into(),
        ),
        // `read_to_string`'s own error (a custom one keeps its words below).
        (ErrorKind::InvalidData, Access::Read) if e.get_ref().is_none() => {
            ("it is not UTF-8 text".into(), "save it as UTF-8".into())
        }
        (ErrorKind::StorageFull | ErrorKind::QuotaExceeded, _) => {
            ("the disk is full".into(), "free some space and try again".into())
        }
        (ErrorKind::ReadOnlyFilesystem, _) => ("the file system is read-only".into(), "choose another place".into()),
        (ErrorKind::FileTooLarge, _) => (
            "the file is too large for this file system".into(),
            "choose another place".into(),
        ),
        _ => (plain(e), "check the path and try again".into()),
    };
    (why, fix)
}

/// Create `dir` and the folders above it, or say in one message why not:
/// `DIR: cannot create WHAT: why; how to fix it`. A file where the folder
/// should be is named as such (the OS says only "file exists").
pub fn create_folder(dir: &Path, what: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| {
        let (why, fix) = match e.kind() {
            ErrorKind::AlreadyExists => (
                "a file of that name is in the way".to_owned(),
                "move it or choose another path".to_owned(),
            ),
            _ => why_and_fix(dir, Access::Write, &e),
        };
        format!("{}: cannot create {what}: {why}; {fix}", dir.display())
    })
}

/// `WHO cannot listen on ADDR: why; how to fix it`; `setting` names where
/// the address comes from (`--listen`, the callback's `listen`).
pub fn listen(who: &str, addr: impl std::fmt::Display, setting: &str, e: &io::Error) -> String {
    let (why, fix) = match e.kind() {
        ErrorKind::AddrInUse => (
            "another process listens there".to_owned(),
            format!("stop it or choose another port with {setting}"),
        ),
        ErrorKind::AddrNotAvailable => (
            "it is not an address of this machine".to_owned(),
            format!("use 127.0.0.1 or one of this machine's addresses in {setting}"),
        ),
        ErrorKind::PermissionDenied => (
            "permission denied (ports below 1024 need privileges)".to_owned(),
            format!("choose a port above 1023 with {setting}"),
        ),
        _ => (plain(e), format!("check {setting}")),
    };
    format!("{who} cannot listen on {addr}: {why}; {fix}")
}

/// `cannot write the output (standard output): why; how to fix it`, for a
/// command's output that could not be written where it was redirected.
pub fn stdout(e: &io::Error) -> String {
    let (why, fix) = match e.kind() {
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => (
            "the disk is full".to_owned(),
            "free some space and run it again".to_owned(),
        ),
        ErrorKind::PermissionDenied => (
            "permission denied".to_owned(),
            "redirect it to a file this user may write to".to_owned(),
        ),
        _ => (plain(e), "check where the output is redirected".to_owned()),
    };
    format!("cannot write the output (standard output): {why}; {fix}")
}

/// The error's words without the OS's code: "Device or resource busy
/// (os error 16)" becomes "device or resource busy".
fn plain(e: &io::Error) -> String {
    let text = e.to_string();
    let text = match (e.raw_os_error(), text.rfind(" (os error ")) {
        (Some(_), Some(at)) => &text[..at],
        _ => text.as_str(),
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if e.raw_os_error().is_some() => first.to_lowercase().chain(chars).collect(),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_in_the_way_of_a_folder_is_named_as_such() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("plain-file");
        std::fs::write(&file, "x").expect("write");
        let err = create_folder(&file, "the assets folder").expect_err("a file is there");
        assert_eq!(
            err,
            format!(
                "{}: cannot create the assets folder: a file of that name is in the way; move it or choose another path",
                file.display()
            )
        );
        let below = create_folder(&file.join("sub"), "the assets folder").expect_err("below a file");
        assert!(below.contains("a part of the path is a file, not a folder"), "{below}");
        create_folder(&dir.path().join("a/b"), "the assets folder").expect("made");
        assert!(dir.path().join("a/b").is_dir());
    }

    #[test]
    fn stdout_errors_are_one_plain_message() {
        assert_eq!(
            stdout(&os(libc::ENOSPC)),
            "cannot write the output (standard output): the disk is full; free some space and run it again"
        );
        let busy = stdout(&os(libc::EBUSY));
        assert_eq!(
            busy,
            "cannot write the output (standard output): device or resource busy; check where the output is redirected"
        );
    }

    fn os(code: i32) -> io::Error {
        io::Error::from_raw_os_error(code)
    }

    #[test]
    fn each_kind_says_what_to_do_and_never_the_os_code() {
        let path = Path::new("/data/in/bundle.yaml");
        let cases = [
            (
                ErrorKind::NotFound.into(),
                Access::Read,
                "it does not exist; check the path",
            ),
            (
                ErrorKind::NotFound.into(),
                Access::Write,
                "the folder /data/in does not exist; create it or choose another path",
            ),
            (
                ErrorKind::PermissionDenied.into(),
                Access::Read,
                "permission denied; check its permissions",
            ),
            (
                ErrorKind::PermissionDenied.into(),
                Access::Write,
                "permission denied; choose a place this user may write to",
            ),
            (
                ErrorKind::IsADirectory.into(),
                Access::Read,
                "it is a folder; name a file",
            ),
        ];
        for (e, access, expected) in cases {
            let text = message(path, access, "the bundle", &e);
            assert!(text.starts_with("/data/in/bundle.yaml: cannot "), "{text}");
            assert!(text.contains(expected), "{text}");
        }
        // The OS's own errors, as std makes them, lose their code.
        let missing = std::fs::read_to_string("/definitely/not/here.yaml").expect_err("missing");
        let text = message(
            Path::new("/definitely/not/here.yaml"),
            Access::Read,
            "the file",
            &missing,
        );
        assert_eq!(
            text,
            "/definitely/not/here.yaml: cannot read the file: it does not exist; check the path"
        );
        for code in [2, 5, 13, 16, 28] {
            let text = message(path, Access::Write, "the bundle", &os(code));
            assert!(!text.contains("os error"), "{text}");
            assert!(text.contains("; "), "says how to fix it: {text}");
        }
    }

    #[test]
    fn a_busy_address_says_to_choose_another() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = taken.local_addr().expect("addr");
        let e = std::net::TcpListener::bind(addr).expect_err("in use");
        assert_eq!(
            listen("the sandbox", addr, "--listen", &e),
            format!(
                "the sandbox cannot listen on {addr}: another process listens there; stop it or choose another port with --listen"
            )
        );
        assert!(!listen("x", addr, "--listen", &os(99)).contains("os error"));
    }

    #[test]
    fn a_custom_error_keeps_its_words() {
        let e = io::Error::other("/tmp/x is locked by another process");
        assert_eq!(
            reason(Path::new("/tmp/x"), Access::Write, &e),
            "/tmp/x is locked by another process; check the path and try again"
        );
        let utf8 = io::Error::new(ErrorKind::InvalidData, "not a HAR");
        assert!(reason(Path::new("a"), Access::Read, &utf8).starts_with("not a HAR"));
        let dir = tempfile::tempdir().expect("tempdir");
        let latin1 = dir.path().join("latin1.txt");
        std::fs::write(&latin1, [0xff, 0xfe]).expect("written");
        let bad = std::fs::read_to_string(&latin1).expect_err("not UTF-8");
        assert_eq!(
            reason(Path::new("a"), Access::Read, &bad),
            "it is not UTF-8 text; save it as UTF-8"
        );
    }
}
