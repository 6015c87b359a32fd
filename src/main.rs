//! egain-console entry point.

use clap::Parser;
use color_eyre::eyre::eyre;

use egain_console::cli::{Cli, Command, SandboxArgs};
use egain_console::config::Config;
use egain_console::sandbox::standalone;

#[tokio::main]
async fn main() -> color_eyre::Result<()> {
    color_eyre::install()?;
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref()).map_err(|e| eyre!("{e}"))?;
    if let Some((config, _)) = &config {
        for warning in &config.warnings {
            eprintln!("warning: {warning}");
        }
    }
    match cli.command {
        Some(Command::Sandbox(args)) => standalone::run(&args, None).await.map_err(|e| eyre!(e)),
        // Until the terminal UI lands, the default is the demo sandbox in the
        // foreground, shaped by the config file's [sandbox] table.
        None => standalone::run(&SandboxArgs::default(), config.as_ref().map(|(c, _)| &c.sandbox))
            .await
            .map_err(|e| eyre!(e)),
    }
}
