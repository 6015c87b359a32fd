//! egain-console entry point.

use clap::Parser;
use color_eyre::eyre::eyre;

use egain_console::cli::{Cli, Command, SandboxArgs};
use egain_console::sandbox::standalone;

#[tokio::main]
async fn main() -> color_eyre::Result<()> {
    color_eyre::install()?;
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Sandbox(args)) => standalone::run(&args).await.map_err(|e| eyre!(e)),
        // Until the terminal UI lands, the default is the demo sandbox in the foreground.
        None => standalone::run(&SandboxArgs::default()).await.map_err(|e| eyre!(e)),
    }
}
