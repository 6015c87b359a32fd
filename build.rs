//! Build step: the embedded OpenAPI file converted to JSON, so start-up
//! parses it with serde_json (far faster than YAML); the YAML text itself is
//! still embedded, to be served and shown as written.

use std::path::PathBuf;

const SPEC: &str = "assets/conversationmgr-v3.openapi.yaml";

fn main() {
    println!("cargo::rerun-if-changed={SPEC}");
    let text = std::fs::read_to_string(SPEC).unwrap_or_else(|e| panic!("{SPEC}: {e}"));
    let doc: serde_json::Value = serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{SPEC}: {e}"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR")).join("openapi.json");
    let json = serde_json::to_vec(&doc).expect("a YAML value is JSON");
    std::fs::write(&out, json).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}
