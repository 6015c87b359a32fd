//! `[sandbox]`: how the embedded (or standalone) sandbox behaves. Every key is
//! optional and only overrides [`SandboxConfig`]'s defaults, so command-line
//! flags can still override the file afterwards.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::ConfigError;
use super::spans::SourceMap;
use crate::sandbox::{SandboxConfig, Seed};

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxSettings {
    /// Listen address (standalone `serve`; the embedded sandbox uses it too when set).
    pub listen: Option<SocketAddr>,
    pub seed: Option<SeedChoice>,
    /// Keep configuration, conversations, transcripts and assets in this SQLite database; a relative path is taken from the config file's folder.
    pub state_file: Option<PathBuf>,
    /// Added before every API answer.
    pub latency_ms: Option<u64>,
    /// Share of API requests answered with 500, 0.0 to 1.0.
    pub failure_rate: Option<f64>,
    pub token_lifetime_secs: Option<u64>,
    /// Delay before the built-in bot answers.
    pub bot_delay_ms: Option<u64>,
    /// Delay before the built-in agent joins and answers.
    pub agent_delay_ms: Option<u64>,
    /// Who answers escalations of the demo account in the console:
    /// "simulated" (the sandbox's agent) or "console" (you, as the agent).
    pub agent: Option<crate::sandbox::hub::DemoAgent>,
    /// Refuse what departs from the spec's unverified model (default: warn).
    pub strict: Option<bool>,
    /// Scope names the token endpoint accepts: "any", "prefixed" or "bare".
    pub scope_form: Option<String>,
    /// MiB of asset content a sandbox without a state file keeps in memory
    /// (past it, content goes to files); 0 keeps all content in files.
    pub asset_memory_mib: Option<u64>,
    /// Per-assumption levels: `stale-modified = "error"` etc.
    #[serde(default)]
    pub assume: std::collections::BTreeMap<String, String>,
}

/// `seed = "demo" | "empty"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeedChoice {
    Demo,
    Empty,
}

impl From<SeedChoice> for Seed {
    fn from(choice: SeedChoice) -> Self {
        match choice {
            SeedChoice::Demo => Seed::Demo,
            SeedChoice::Empty => Seed::Empty,
        }
    }
}

impl SandboxSettings {
    /// Override `config` with the keys that are set.
    pub fn apply(&self, config: &mut SandboxConfig) {
        if let Some(agent) = self.agent {
            config.hub.demo_agent = agent;
        }
        if let Some(listen) = self.listen {
            config.listen = listen;
        }
        if let Some(seed) = self.seed {
            config.seed = seed.into();
        }
        if let Some(path) = &self.state_file {
            config.state_file = Some(path.clone());
        }
        if let Some(ms) = self.latency_ms {
            config.faults.latency = Duration::from_millis(ms);
        }
        if let Some(rate) = self.failure_rate {
            config.faults.failure_rate = rate;
        }
        if let Some(secs) = self.token_lifetime_secs {
            config.faults.token_lifetime = Duration::from_secs(secs);
        }
        if let Some(ms) = self.bot_delay_ms {
            config.hub.bot_delay = Duration::from_millis(ms);
        }
        if let Some(ms) = self.agent_delay_ms {
            config.hub.agent_delay = Duration::from_millis(ms);
        }
        if let Some(strict) = self.strict {
            config.fidelity.strict = strict;
        }
        if let Some(mib) = self.asset_memory_mib {
            config.assets.memory_cap = mib.min(crate::sandbox::assets::MAX_MEMORY_CAP_MIB) << 20;
        }
        // Both were checked by `check`.
        if let Some(form) = self.scope_form.as_deref().and_then(|f| f.parse().ok()) {
            config.fidelity.scope_form = form;
        }
        for (name, level) in &self.assume {
            if let Ok(level) = level.parse() {
                let _ = config.fidelity.set(name, level);
            }
        }
    }

    /// Range checks, and relative `state_file` made relative to the config file's folder.
    pub(crate) fn check(mut self, map: &SourceMap<'_>, config_path: &Path) -> Result<Self, ConfigError> {
        let invalid = |key: &str, message: &str| ConfigError::Invalid {
            at: map.at_key(&["sandbox", key]),
            key: format!("sandbox.{key}"),
            message: message.to_owned(),
        };
        if let Some(rate) = self.failure_rate
            && !(0.0..=1.0).contains(&rate)
        {
            return Err(invalid("failure_rate", "must be between 0.0 and 1.0"));
        }
        if let Some(secs) = self.token_lifetime_secs
            && !(1..=crate::sandbox::MAX_TOKEN_LIFETIME_SECS).contains(&secs)
        {
            return Err(invalid(
                "token_lifetime_secs",
                &format!(
                    "must be 1 to {} seconds (a year)",
                    crate::sandbox::MAX_TOKEN_LIFETIME_SECS
                ),
            ));
        }
        if let Some(mib) = self.asset_memory_mib
            && mib > crate::sandbox::assets::MAX_MEMORY_CAP_MIB
        {
            return Err(invalid(
                "asset_memory_mib",
                &format!(
                    "must be 0 to {} MiB (0 keeps all asset content in files)",
                    crate::sandbox::assets::MAX_MEMORY_CAP_MIB
                ),
            ));
        }
        if let Some(form) = &self.scope_form
            && let Err(e) = form.parse::<crate::sandbox::fidelity::ScopeForm>()
        {
            return Err(invalid("scope_form", &e));
        }
        for (name, level) in &self.assume {
            let mut probe = crate::sandbox::fidelity::Fidelity::default();
            let result = level.parse().and_then(|level| probe.set(name, level));
            if let Err(e) = result {
                return Err(ConfigError::Invalid {
                    at: map.at_key(&["sandbox", "assume", name]),
                    key: format!("sandbox.assume.{name}"),
                    message: e,
                });
            }
        }
        if let Some(path) = &self.state_file
            && path.is_relative()
            && let Some(dir) = config_path.parent()
        {
            self.state_file = Some(dir.join(path));
        }
        Ok(self)
    }
}
