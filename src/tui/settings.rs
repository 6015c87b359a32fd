//! The config file's `[ui]` table.

use std::path::PathBuf;

use serde::Deserialize;

use crate::reqlog::LogCaps;

/// Console settings; every key is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiSettings {
    pub log_max_entries: Option<usize>,
    pub log_max_body_bytes: Option<usize>,
    pub mouse: Option<bool>,
    pub export_dir: Option<PathBuf>,
    /// An edited OpenAPI file to validate edits against instead of the
    /// embedded one (parts of the spec are a best model of the vendor's).
    pub spec_file: Option<PathBuf>,
    /// The folder recorded scenarios are written to (default `./scenarios`).
    pub scenarios_dir: Option<PathBuf>,
}

/// Where scenarios live unless `[ui] scenarios_dir` says otherwise.
pub const DEFAULT_SCENARIOS_DIR: &str = "scenarios";

impl UiSettings {
    /// Read `[ui]`; errors name the key.
    pub fn from_table(table: &toml::Table) -> Result<Self, String> {
        let settings: Self = table
            .clone()
            .try_into()
            .map_err(|e: toml::de::Error| format!("[ui]: {e}"))?;
        if settings.log_max_entries == Some(0) {
            return Err("[ui] log_max_entries: must be at least 1".into());
        }
        Ok(settings)
    }

    /// Request log caps with the defaults filled in.
    pub fn log_caps(&self) -> LogCaps {
        let defaults = LogCaps::default();
        LogCaps {
            max_entries: self.log_max_entries.unwrap_or(defaults.max_entries),
            max_body_bytes: self.log_max_body_bytes.unwrap_or(defaults.max_body_bytes),
            ..defaults
        }
    }

    /// The export directory, with a leading `~/` expanded.
    pub fn export_dir(&self) -> Option<PathBuf> {
        self.export_dir.as_deref().and_then(expand_home)
    }

    /// The scenarios folder, with a leading `~/` expanded.
    pub fn scenarios_dir(&self) -> PathBuf {
        self.scenarios_dir
            .as_deref()
            .and_then(expand_home)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_SCENARIOS_DIR))
    }

    /// The spec to validate against: the configured file, else the embedded one.
    pub fn spec(&self) -> Result<std::sync::Arc<crate::schema::Spec>, String> {
        match self.spec_file.as_deref().and_then(expand_home) {
            Some(path) => crate::schema::Spec::load(&path).map(std::sync::Arc::new),
            None => Ok(crate::schema::Spec::embedded()),
        }
    }
}

fn expand_home(path: &std::path::Path) -> Option<PathBuf> {
    match path.strip_prefix("~") {
        Ok(rest) => directories::BaseDirs::new().map(|b| b.home_dir().join(rest)),
        Err(_) => Some(path.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let table: toml::Table = toml::from_str("log_max_entrys = 5").expect("toml");
        let err = UiSettings::from_table(&table).expect_err("unknown key");
        assert!(err.contains("log_max_entrys"), "{err}");
        let table: toml::Table = toml::from_str("log_max_entries = 10\nmouse = true").expect("toml");
        let ui = UiSettings::from_table(&table).expect("valid");
        assert_eq!(ui.log_caps().max_entries, 10);
        assert_eq!(ui.mouse, Some(true));
        assert_eq!(ui.scenarios_dir(), PathBuf::from(DEFAULT_SCENARIOS_DIR));
        let table: toml::Table = toml::from_str("scenarios_dir = \"qa/scenarios\"").expect("toml");
        let ui = UiSettings::from_table(&table).expect("valid");
        assert_eq!(ui.scenarios_dir(), PathBuf::from("qa/scenarios"));
    }

    #[test]
    fn spec_file_is_loaded_or_named_in_the_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("edited.yaml");
        std::fs::write(&path, crate::schema::EMBEDDED_SPEC).expect("write");
        let ui = UiSettings {
            spec_file: Some(path.clone()),
            ..UiSettings::default()
        };
        assert!(ui.spec().is_ok());
        let missing = UiSettings {
            spec_file: Some(dir.path().join("nope.yaml")),
            ..UiSettings::default()
        };
        let err = missing.spec().expect_err("missing file");
        assert!(err.contains("nope.yaml"), "{err}");
    }
}
