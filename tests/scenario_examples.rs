//! The repository's `scenarios/` folder is a set of examples that must keep
//! passing: CI runs `egain-console test scenarios/` on the embedded sandbox.

use std::path::Path;
use std::process::Command;

#[test]
fn the_shipped_scenarios_pass_on_the_embedded_sandbox() {
    let home = tempfile::tempdir().expect("temp dir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let report = home.path().join("junit.xml");
    let out = Command::new(env!("CARGO_BIN_EXE_egain-console"))
        .current_dir(root)
        .env_remove("EGAIN_CONSOLE_CONFIG")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .args(["test", "scenarios/", "--parallel", "2", "--junit"])
        .arg(&report)
        .output()
        .expect("the binary starts");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{all}");
    let files = std::fs::read_dir(root.join("scenarios"))
        .expect("scenarios/")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        .count();
    assert!(files >= 4, "the examples are there");
    assert!(all.contains(&format!("{files} passed, 0 failed")), "{all}");
    let xml = std::fs::read_to_string(&report).expect("report");
    assert_eq!(xml.matches("<testcase ").count(), files, "{xml}");
    assert!(!xml.contains("<failure"), "{xml}");
}
