//! Command-line interface: flags and subcommands. Without a subcommand the
//! console opens; `sandbox` runs the standalone hub; the others are
//! scriptable commands over the same profiles and client ([`run`]).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::sandbox::Seed;

mod args;
mod get;
pub mod kind;
mod messages;
mod output;
mod run;
pub mod runtime_file;
pub mod sandbox;
mod setups;
pub mod target;

pub use args::{
    ApplyArgs, CompletionsArgs, DeleteArgs, DiffArgs, ExportArgs, GetArgs, PlanArgs, SendArgs, TranscriptArgs,
};
pub use run::{parse, run};
pub mod test;

/// Terminal console for eGain Conversation Manager API v3, with an embedded sandbox hub.
#[derive(Debug, Parser)]
#[command(name = "egain-console", version, about)]
pub struct Cli {
    /// Config file (default: $EGAIN_CONSOLE_CONFIG, then the user config directory).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Connect to the tenant of this config profile (default: the config's
    /// default_profile; with neither, the embedded sandbox). `sandbox` names a
    /// running `egain-console sandbox` when the config defines no such profile.
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// Disable every create, update, delete and send.
    #[arg(long, global = true)]
    pub read_only: bool,

    /// Start with mouse capture on (m toggles it; off lets the terminal select text).
    #[arg(long)]
    pub mouse: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// One variant per line: scripts call these names.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the sandbox hub in the foreground as a standalone mock server.
    Sandbox(SandboxArgs),
    /// List objects of a kind, or show one (secrets redacted).
    Get(GetArgs),
    /// Delete an object (refused while others reference it).
    Delete(DeleteArgs),
    /// Write a setup bundle (YAML): accounts and all they reference, without ids or secrets.
    Export(ExportArgs),
    /// Show what `apply` would do to the profile's tenant; sends nothing.
    Plan(PlanArgs),
    /// Make the profile's tenant match a bundle, in setup order.
    Apply(ApplyArgs),
    /// Differences between the profile's tenant and a bundle or another tenant (exit 1 when they differ).
    Diff(DiffArgs),
    /// Send one message and print the conversation id.
    Send(SendArgs),
    /// Print a conversation's transcript.
    Transcript(TranscriptArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Run conversation scenario files (folders recursively); exit 0 all pass, 1 a failure, 2 bad usage.
    Test(test::TestArgs),
}

/// Options of the standalone sandbox.
#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Keep configuration, conversations, transcripts and assets in this SQLite database across restarts.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Objects to start with (when the state file is new or absent).
    #[arg(long, value_enum, default_value_t = SeedArg::Demo)]
    pub seed: SeedArg,

    /// OpenAPI file to validate against instead of the embedded one.
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,

    /// Client secret the token endpoint accepts (default: random per start).
    #[arg(long, env = "EGAIN_SANDBOX_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: Option<String>,

    /// Latency added to every API answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,

    /// Share of API requests answered with a 500 (0.0 to 1.0).
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub failure_rate: f64,

    /// Lifetime of issued bearer tokens, in seconds (1 to 31536000, a year).
    #[arg(long, default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..=crate::sandbox::MAX_TOKEN_LIFETIME_SECS))]
    pub token_lifetime_secs: u64,

    /// Refuse every request that departs from the spec's unverified model
    /// (default: accept what the vendor's examples send, and warn).
    #[arg(long)]
    pub strict: bool,

    /// Override one assumption's level: NAME=error|warn|off (repeatable; see GET /sandbox/warnings).
    #[arg(long, value_name = "NAME=LEVEL", value_parser = parse_assume)]
    pub assume: Vec<(String, crate::sandbox::fidelity::Level)>,

    /// MiB of asset content kept in memory without --state (past it, content goes to files; 0: always files).
    #[arg(long, value_name = "MIB", default_value_t = crate::sandbox::assets::DEFAULT_MEMORY_CAP_MIB,
        value_parser = clap::value_parser!(u64).range(0..=crate::sandbox::assets::MAX_MEMORY_CAP_MIB))]
    pub asset_memory_mib: u64,

    /// Scope names the token endpoint accepts: any, prefixed (https://api.egain.cloud/auth/...) or bare.
    #[arg(long, default_value = "any", value_parser = |s: &str| s.parse::<crate::sandbox::fidelity::ScopeForm>())]
    pub scope_form: crate::sandbox::fidelity::ScopeForm,

    /// Base URL where the demo account's customer and agent callbacks point
    /// (default: the sandbox's own inbox and simulated agent).
    #[arg(long, value_name = "URL")]
    pub demo_callback_base: Option<String>,

    /// Runtime worker threads. One keeps each connection on one core, the
    /// fastest when clients run on this machine; more suit many remote clients.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub workers: u16,
}

fn parse_assume(s: &str) -> Result<(String, crate::sandbox::fidelity::Level), String> {
    let (name, level) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}' is not NAME=LEVEL (e.g. stale-modified=error)"))?;
    let mut probe = crate::sandbox::fidelity::Fidelity::default();
    let level = level.parse()?;
    probe.set(name.trim(), level)?;
    Ok((name.trim().to_owned(), level))
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let rate: f64 = s.parse().map_err(|e| format!("{e}"))?;
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err(format!("{rate} is not between 0.0 and 1.0"))
    }
}

impl Default for SandboxArgs {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            state: None,
            seed: SeedArg::Demo,
            spec: None,
            client_secret: None,
            latency_ms: 0,
            failure_rate: 0.0,
            token_lifetime_secs: 3600,
            strict: false,
            assume: Vec::new(),
            asset_memory_mib: crate::sandbox::assets::DEFAULT_MEMORY_CAP_MIB,
            scope_form: crate::sandbox::fidelity::ScopeForm::Any,
            demo_callback_base: None,
            workers: 1,
        }
    }
}

/// `--seed`: the sandbox's [`Seed`] as a command-line value (clap stays out of the sandbox).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeedArg {
    /// One working object of each kind, wired together.
    Demo,
    /// Nothing.
    Empty,
}

impl From<SeedArg> for Seed {
    fn from(seed: SeedArg) -> Self {
        match seed {
            SeedArg::Demo => Seed::Demo,
            SeedArg::Empty => Seed::Empty,
        }
    }
}
