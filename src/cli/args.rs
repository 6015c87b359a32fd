//! Arguments of the scriptable subcommands (names and flags are a contract).

use std::path::PathBuf;

use clap::{ArgGroup, Args, ValueEnum};

/// `-o` of `get`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GetFormat {
    Table,
    Json,
    Yaml,
}

/// `-o` of `plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
}

/// `-o` of `transcript`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TranscriptFormat {
    Md,
    Json,
}

/// Shells `completions` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Clone, Args)]
pub struct GetArgs {
    /// authentications, clientapplications, participants, channels,
    /// orchestrations, accounts (or a singular, or a console tab name: auth, apps, bots, chan, orch, accts).
    pub kind: String,
    /// Show this object (its name, channel type, or 36-character id) instead of the list.
    pub name_or_id: Option<String>,
    /// Output format: a list as a JSON array of every object (all pages).
    #[arg(short, long, value_enum, default_value_t = GetFormat::Table)]
    pub output: GetFormat,
}

#[derive(Debug, Clone, Args)]
pub struct DeleteArgs {
    /// Kind of the object (as for `get`).
    pub kind: String,
    /// Its name (channel type) or 36-character id.
    pub name_or_id: String,
    /// Do not ask (required when not run from a terminal).
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Export this account and everything it references (repeatable; default: the whole tenant).
    #[arg(long, value_name = "NAME")]
    pub account: Vec<String>,
    /// Write the bundle to this file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    /// The bundle (YAML) to compare with the tenant.
    #[arg(short, long = "file", value_name = "BUNDLE")]
    pub file: PathBuf,
    /// Output format: text, or a JSON array of {kind, name, action, changes}.
    #[arg(short, long, value_enum, default_value_t = PlanFormat::Text)]
    pub output: PlanFormat,
}

#[derive(Debug, Clone, Args)]
pub struct ApplyArgs {
    /// The bundle (YAML) to apply.
    #[arg(short, long = "file", value_name = "BUNDLE")]
    pub file: PathBuf,
    /// Apply without asking (required when not run from a terminal).
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Clone, Args)]
#[command(group(ArgGroup::new("other").required(true).args(["file", "against"])))]
pub struct DiffArgs {
    /// Compare with this bundle.
    #[arg(short, long = "file", value_name = "BUNDLE")]
    pub file: Option<PathBuf>,
    /// Compare with the tenant of this profile.
    #[arg(long, value_name = "PROFILE")]
    pub against: Option<String>,
    /// Compare only these accounts and what they reference (repeatable; default: everything).
    #[arg(long, value_name = "NAME")]
    pub account: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct SendArgs {
    /// Role to send as: customer, custom_bot, egain_bot, custom_agent, egain_agent.
    #[arg(long = "as", value_name = "ROLE")]
    pub role: String,
    /// Account (by name) the conversation is on.
    #[arg(long, value_name = "NAME")]
    pub account: String,
    /// Conversation to reply in (a customer without one opens a new conversation).
    #[arg(long, value_name = "ID")]
    pub conversation: Option<String>,
    /// The customer's contact address on a first message.
    #[arg(long, value_name = "ADDRESS", default_value = "console.user@example.com")]
    pub contact: String,
    /// The message text.
    pub text: String,
}

#[derive(Debug, Clone, Args)]
pub struct TranscriptArgs {
    /// Conversation id.
    pub id: String,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = TranscriptFormat::Md)]
    pub output: TranscriptFormat,
}

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: Shell,
}
