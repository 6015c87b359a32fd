//! A standalone sandbox beside the console in the pty, reached through a
//! config profile as a tenant would be.

use std::path::Path;

use super::Console;

use egain_console::api::models::EntityKind;
use egain_console::sandbox::{self, Faults, RunningSandbox, SandboxConfig, Seed};
use serde_json::Value;

/// A standalone sandbox with the demo seed, served by its own runtime while
/// the test thread blocks on the terminal.
pub struct Standalone {
    _runtime: tokio::runtime::Runtime,
    pub sandbox: RunningSandbox,
}

impl Standalone {
    pub fn start() -> Self {
        Self::with_faults(Faults::default())
    }

    /// Answering with `faults` (a slow or failing tenant).
    pub fn with_faults(faults: Faults) -> Self {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let sandbox = runtime
            .block_on(sandbox::start(SandboxConfig {
                seed: Seed::Demo,
                faults,
                ..SandboxConfig::default()
            }))
            .expect("sandbox starts");
        Self {
            _runtime: runtime,
            sandbox,
        }
    }

    /// A config with one profile on this sandbox and a callback receiver.
    pub fn write_config(&self, dir: &Path) -> String {
        let path = dir.join("config.toml");
        let text = format!(
            "[profiles.standalone]\nbase_url = \"{}\"\ntoken_url = \"{}\"\nclient_id = \"{}\"\n\
             client_secret_env = \"SANDBOX_SECRET\"\n\n[profiles.standalone.callback]\nlisten = \"127.0.0.1:0\"\n",
            self.sandbox.urls.base, self.sandbox.urls.token, self.sandbox.credentials.client_id
        );
        std::fs::write(&path, text).expect("write config");
        path.to_string_lossy().into_owned()
    }

    /// The console on this sandbox's profile (its secret from the environment, no colour).
    pub fn console(&self, dir: &Path, extra_env: &[(&str, &str)]) -> Console {
        let config = self.write_config(dir);
        let secret = self.sandbox.credentials.client_secret.clone();
        Console::start(
            dir,
            &["--config", &config],
            &[
                [("SANDBOX_SECRET", secret.as_str()), ("NO_COLOR", "1")].as_slice(),
                extra_env,
            ]
            .concat(),
        )
    }

    /// The callback of `role` on the demo application, as the sandbox holds it now.
    pub fn callback(&self, role: &str) -> Option<String> {
        let store = self.sandbox.state.store();
        let apps = store.list(EntityKind::ClientApplication);
        apps.iter()
            .flat_map(|app| app.get("roles").and_then(Value::as_array).cloned().unwrap_or_default())
            .find(|r| r.get("name").and_then(Value::as_str) == Some(role))
            .and_then(|r| r.get("callback").and_then(Value::as_str).map(str::to_owned))
    }
}
