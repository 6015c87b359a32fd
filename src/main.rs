//! egain-console entry point.

use color_eyre::eyre::{WrapErr, eyre};

use egain_console::cli::Command;
use egain_console::cli::sandbox as standalone;
use egain_console::config::Config;
use egain_console::connect;
use egain_console::tui::panes::log::LogPane;
use egain_console::tui::settings::UiSettings;
use egain_console::tui::{app::App, keymap::Keymap, runtime, theme::Theme};

#[tokio::main]
async fn main() -> color_eyre::Result<()> {
    color_eyre::install()?;
    let cli = egain_console::cli::parse();
    // Scriptable commands: their own exit codes, one-line errors.
    if let Some(code) = egain_console::cli::run(&cli).await {
        std::process::exit(code);
    }
    let loaded = Config::load(cli.config.as_deref()).map_err(|e| eyre!("{e}"))?;
    if let Some((config, _)) = &loaded {
        for warning in &config.warnings {
            eprintln!("warning: {warning}");
        }
    }
    let config = loaded.as_ref().map(|(c, _)| c);
    match cli.command {
        Some(Command::Sandbox(args)) => standalone::run(&args, None).await.map_err(|e| eyre!(e)),
        Some(Command::Test(args)) => {
            let path = loaded.as_ref().map(|(_, p)| p.as_path());
            std::process::exit(egain_console::cli::test::run(&args, config, path, cli.profile.as_deref()).await)
        }
        Some(other) => Err(eyre!("{other:?} is run by cli::run")),
        None => {
            let keymap = Keymap::load(config.map(|c| &c.keys)).map_err(|e| eyre!("config {e}"))?;
            let ui = match config {
                Some(c) => UiSettings::from_table(&c.ui).map_err(|e| eyre!("config {e}"))?,
                None => UiSettings::default(),
            };
            let template_dir = loaded
                .as_ref()
                .and_then(|(_, path)| path.parent().map(|p| p.join("templates")))
                .or_else(|| Config::default_path().and_then(|p| p.parent().map(|d| d.join("templates"))));
            let templates = egain_console::templates::load(template_dir.as_deref()).map_err(|e| eyre!("{e}"))?;
            // Message envelopes (parts of the schema are our best model): overridable the same way.
            let message_dir = template_dir
                .as_ref()
                .and_then(|d| d.parent().map(|p| p.join("messages")));
            let messages = egain_console::conversation::templates::MessageTemplates::load(message_dir.as_deref())
                .map_err(|e| eyre!("{e}"))?;
            let with_sandbox =
                egain_console::cli::target::console_config(config, cli.profile.as_deref()).map_err(|e| eyre!(e))?;
            let connection = connect::connect(with_sandbox.as_ref().or(config), cli.profile.as_deref(), cli.read_only)
                .await
                .map_err(|e| eyre!(e))?;
            if !connection.session.sandbox && !connection.session.read_only {
                // A previous run that crashed may have left a role pointed at a dead console.
                let state_dir = runtime::default_state_dir();
                match egain_console::callback_takeover::recover(&connection.client, &state_dir).await {
                    Ok(outcomes) => {
                        for o in outcomes {
                            eprintln!(
                                "callback takeover left by an earlier run: {} of {}: {:?}",
                                o.entry.role, o.entry.app_name, o.status
                            );
                        }
                    }
                    Err(e) => eprintln!("warning: could not check for callback takeovers to restore: {e}"),
                }
            }
            let spec = ui.spec().map_err(|e| eyre!("config [ui] spec_file: {e}"))?;
            let mut app = App::new(connection.session, keymap, Theme::from_env(), spec, templates);
            app.mouse = cli.mouse || ui.mouse.unwrap_or(false);
            app.log = LogPane::new(ui.log_caps());
            app.conversation.templates = messages;
            let _sandbox = connection.sandbox;
            let _receiver = connection.receiver;
            let options = runtime::RunOptions {
                export_dir: ui.export_dir(),
                download_dir: None,
                state_dir: None,
                inbound: connection.inbound,
            };
            runtime::run(app, connection.client, connection.exchanges, options)
                .await
                .wrap_err("terminal")?;
            Ok(())
        }
    }
}
