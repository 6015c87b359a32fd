//! Running a scriptable command: data on stdout, messages on stderr, exit
//! code 0 (ok), 1 (failure, or differences where the command says so) or 2
//! (usage or configuration error, always one line).

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Parser;
use clap::error::ErrorKind;

use super::{Cli, Command, get, messages, setups};
use crate::config::Config;

/// Why a command did not succeed, and so its exit code.
#[derive(Debug)]
pub enum Failure {
    /// Exit 2: the command line or configuration is wrong; nothing was changed.
    Usage(String),
    /// Exit 1: the command ran and failed.
    Failed(String),
    /// Exit 1 without a message: the command found differences (already printed).
    Differs,
}

impl Failure {
    pub fn code(&self) -> i32 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Failed(_) | Failure::Differs => 1,
        }
    }
}

/// Parse the command line; a usage error is one line on stderr and exit 2.
pub fn parse() -> Cli {
    match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => e.exit(),
        Err(e) => {
            let text = e.render().to_string();
            // The message up to the first blank line (clap lists missing arguments below it).
            let first = text
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ");
            let first = if first.is_empty() {
                "error: invalid command line".to_owned()
            } else {
                first
            };
            let command = text
                .lines()
                .find_map(|l| l.strip_prefix("Usage: "))
                .map(|u| {
                    u.split_whitespace()
                        .take_while(|w| !w.starts_with(['[', '<', '-']))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_else(|| "egain-console".into());
            eprintln!("{first}; see `{command} --help`");
            std::process::exit(2);
        }
    }
}

/// What every command gets: the configuration and the global flags.
pub(crate) struct Ctx {
    pub config: Option<Config>,
    pub config_path: Option<PathBuf>,
    pub profile: Option<String>,
    pub read_only: bool,
}

impl Ctx {
    pub async fn connect(&self) -> Result<super::target::Target, Failure> {
        super::target::connect(self.config.as_ref(), self.profile.as_deref(), self.read_only).await
    }

    /// Refuse a change before any request when `--read-only` or the profile says so.
    pub fn refuse_if_read_only(&self, what: &str) -> Result<(), Failure> {
        let name = super::target::chosen(self.config.as_ref(), self.profile.as_deref())?;
        let config = super::target::config_for(self.config.as_ref(), &name)?;
        if super::target::is_read_only(&config, &name, self.read_only) {
            return Err(Failure::Usage(format!(
                "read-only: {what} is disabled for profile `{name}` (drop --read-only, or read_only in the profile)"
            )));
        }
        Ok(())
    }
}

/// Ask on the terminal; `false` unless the answer is yes.
pub(crate) fn confirm(question: &str) -> bool {
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// Whether a change may go ahead: `--yes`, or a yes typed at a terminal.
pub(crate) fn approved(yes: bool, command: &str, question: &str) -> Result<bool, Failure> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(format!(
            "{command}: not run from a terminal, so it cannot ask; pass --yes to go ahead"
        )));
    }
    Ok(confirm(question))
}

/// Run a scriptable subcommand and answer its exit code; `None` for the
/// console and the standalone sandbox, which `main` runs itself.
pub async fn run(cli: &Cli) -> Option<i32> {
    let command = cli.command.as_ref()?;
    let result = match command {
        Command::Completions(args) => setups::completions(args),
        Command::Get(_)
        | Command::Delete(_)
        | Command::Export(_)
        | Command::Plan(_)
        | Command::Apply(_)
        | Command::Diff(_)
        | Command::Send(_)
        | Command::Transcript(_) => match load(cli) {
            Ok(ctx) => dispatch(&ctx, command).await,
            Err(e) => Err(e),
        },
        // The console, the standalone sandbox and commands run elsewhere.
        _ => return None,
    };
    Some(match result {
        Ok(()) => 0,
        Err(failure) => {
            match &failure {
                Failure::Usage(m) | Failure::Failed(m) => eprintln!("error: {m}"),
                Failure::Differs => {}
            }
            failure.code()
        }
    })
}

fn load(cli: &Cli) -> Result<Ctx, Failure> {
    // One line, with how to fix it (the console prints the fix on a line of its own).
    let loaded = Config::load(cli.config.as_deref()).map_err(|e| {
        Failure::Usage(match e.hint() {
            Some(fix) => format!("{e}; {fix}"),
            None => e.to_string(),
        })
    })?;
    if let Some((config, _)) = &loaded {
        for warning in &config.warnings {
            eprintln!("warning: {warning}");
        }
    }
    let (config, config_path) = match loaded {
        Some((c, p)) => (Some(c), Some(p)),
        None => (None, None),
    };
    Ok(Ctx {
        config,
        config_path,
        profile: cli.profile.clone(),
        read_only: cli.read_only,
    })
}

/// Only the commands [`run`] hands over reach here.
async fn dispatch(ctx: &Ctx, command: &Command) -> Result<(), Failure> {
    match command {
        Command::Get(args) => get::get(ctx, args).await,
        Command::Delete(args) => get::delete(ctx, args).await,
        Command::Export(args) => setups::export(ctx, args).await,
        Command::Plan(args) => setups::plan(ctx, args).await,
        Command::Apply(args) => setups::apply(ctx, args).await,
        Command::Diff(args) => setups::diff(ctx, args).await,
        Command::Send(args) => messages::send(ctx, args).await,
        Command::Transcript(args) => messages::transcript(ctx, args).await,
        _ => Ok(()),
    }
}
