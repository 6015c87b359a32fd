//! egain-console entry point.
//!
//! [`report`] wraps the whole run: a user error prints as one plain message
//! (what, where, how to fix), never with source locations or backtrace
//! hints; a signal exits `128 + n`; a panic exits 101 after its report.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use color_eyre::eyre::{WrapErr, eyre};
use futures_util::FutureExt;

use egain_console::cli::sandbox as standalone;
use egain_console::cli::{Cli, Command};

use egain_console::config::{Config, ConfigError};
use egain_console::connect;
use egain_console::tui::panes::log::LogPane;
use egain_console::tui::settings::UiSettings;
use egain_console::tui::{app::App, keymap::Keymap, runtime, theme::Theme};
use egain_console::{callback_takeover, notices, signals};

/// How long restoring callbacks at exit may take before the console gives up
/// (the journal keeps what was not restored for the next start).
const RESTORE_BOUND: Duration = Duration::from_secs(10);

/// A failure the user can act on: the message says what and where, `fix` how.
#[derive(Debug)]
struct Failure {
    message: String,
    fix: Option<String>,
    /// Exit status: 1, or 2 for a configuration error of a scriptable command.
    code: u8,
}

impl Failure {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            fix: None,
            code: 1,
        }
    }

    fn code(mut self, code: u8) -> Self {
        self.code = code;
        self
    }

    fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

/// Errors from the layers below (and from other subcommands) keep their text; the chain is
/// joined, with no source locations.
impl From<color_eyre::Report> for Failure {
    fn from(e: color_eyre::Report) -> Self {
        Failure::new(format!("{e:#}"))
    }
}

fn main() -> ExitCode {
    install_panic_report();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => return report(Err(Failure::new(format!("cannot start the async runtime: {e}")))),
    };
    let result = runtime.block_on(run());
    // Do not wait for stuck blocking work (a prompt, a hung secret command).
    runtime.shutdown_timeout(Duration::from_millis(500));
    report(result)
}

/// The exit status for how the run ended, after printing any failure.
fn report(result: Result<(), Failure>) -> ExitCode {
    for notice in notices::take_undelivered(None) {
        match notice {
            Ok(text) => print_line("note", &text),
            Err(text) => print_line("warning", &text),
        }
    }
    match result {
        Ok(()) => match signals::received() {
            Some(n) => ExitCode::from(signals::exit_status(n)),
            None => ExitCode::SUCCESS,
        },
        Err(failure) => {
            print_line("error", &failure.message);
            if let Some(fix) = &failure.fix {
                print_line("  fix", fix);
            }
            ExitCode::from(failure.code)
        }
    }
}

/// Colour on stderr only on a terminal, and never with `NO_COLOR`.
fn stderr_colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// `label: text` on stderr. Write errors are ignored: after SIGHUP there is no terminal.
fn print_line(label: &str, text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = if stderr_colour() {
        let colour = match label.trim() {
            "error" => "1;31",
            "warning" => "1;33",
            _ => "1",
        };
        writeln!(err, "\x1b[{colour}m{label}:\x1b[0m {text}")
    } else {
        writeln!(err, "{label}: {text}")
    };
}

/// color-eyre's panic report, with the location and backtrace hints only when
/// `RUST_BACKTRACE` asks for them, and colour only where [`stderr_colour`] allows.
fn install_panic_report() {
    let backtrace = std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0");
    let mut hook = color_eyre::config::HookBuilder::default()
        .display_env_section(backtrace)
        .display_location_section(backtrace);
    if !stderr_colour() {
        hook = hook.theme(color_eyre::config::Theme::new());
    }
    // Only fails if a hook is already installed, and then that one reports.
    let _ = hook.install();
}

async fn run() -> Result<(), Failure> {
    let cli = egain_console::cli::parse();
    // Scriptable commands: their own exit codes, one-line errors.
    if let Some(code) = egain_console::cli::run(&cli).await {
        std::process::exit(code);
    }
    // Scripts read exit 2 as "usage or configuration error".
    let scripted = matches!(cli.command, Some(Command::Test(_)));
    let loaded =
        Config::load(cli.config.as_deref()).map_err(|e| config_failure(None, e).code(if scripted { 2 } else { 1 }))?;
    if let Some((config, _)) = &loaded {
        for warning in &config.warnings {
            // Printed now, before the console takes the screen (which shows them too).
            print_line("warning", warning);
        }
    }
    match cli.command {
        Some(Command::Sandbox(args)) => standalone_on_own_runtime(args).await,
        Some(Command::Test(args)) => {
            let config = loaded.as_ref().map(|(c, _)| c);
            let path = loaded.as_ref().map(|(_, p)| p.as_path());
            std::process::exit(egain_console::cli::test::run(&args, config, path, cli.profile.as_deref()).await)
        }
        Some(other) => Err(Failure::new(format!("{other:?} is run by cli::run"))),
        None => console(&cli, loaded.as_ref()).await,
    }
}

/// The standalone sandbox on a runtime of `--workers` threads of its own
/// (the console's runtime is made before the command line is read, so its
/// threads start while clap parses; it idles meanwhile).
async fn standalone_on_own_runtime(args: egain_console::cli::SandboxArgs) -> Result<(), Failure> {
    let served = tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.workers.into())
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the sandbox's runtime: {e}"))?;
        let served = runtime.block_on(standalone::run(&args, None));
        runtime.shutdown_timeout(Duration::from_millis(500));
        served
    })
    .await
    .map_err(|e| Failure::new(format!("the sandbox stopped unexpectedly: {e}")))?;
    served.map_err(|e| eyre!(e).into())
}

/// Connect to what the command line and config name.
async fn connect_to(
    cli: &Cli,
    config: Option<&Config>,
    with_standalone: Option<&Config>,
) -> Result<connect::Connection, Failure> {
    let config = with_standalone.or(config);
    connect::connect(config, cli.profile.as_deref(), cli.read_only)
        .await
        .map_err(|e| connect_failure(config, e))
}

/// The console: connect, recover, run the UI, and put back every callback it took over.
async fn console(cli: &Cli, loaded: Option<&(Config, std::path::PathBuf)>) -> Result<(), Failure> {
    let config = loaded.map(|(c, _)| c);
    for warning in config.iter().flat_map(|c| &c.warnings) {
        notices::warn(format!("config: {warning}"));
    }
    // `--profile sandbox` names a running standalone sandbox (its connection file).
    let with_standalone =
        egain_console::cli::target::console_config(config, cli.profile.as_deref()).map_err(Failure::new)?;
    // The embedded sandbox prompts for nothing: it starts first, so its database opens
    // while the settings below are read. A tenant's profile connects after them, so a
    // settings error is named before any secret command runs.
    let embedded = connect::chosen_profile(with_standalone.as_ref().or(config), cli.profile.as_deref())
        .map_err(|e| config_failure(config, e))?
        .is_none();
    let early = match embedded {
        true => Some(connect_to(cli, config, with_standalone.as_ref()).await?),
        false => None,
    };
    let keymap = match config {
        Some(c) => Keymap::load(Some(&c.keys)).map_err(|e| section_failure(c, "keys", &c.keys, e, keys_accept))?,
        None => Keymap::load(None).map_err(Failure::new)?,
    };
    let ui = match config {
        Some(c) => UiSettings::from_table(&c.ui).map_err(|e| section_failure(c, "ui", &c.ui, e, ui_accepts))?,
        None => UiSettings::default(),
    };
    let config_path = loaded.map(|(_, path)| path.as_path());
    let template_dir = Config::templates_dir(config_path);
    let templates = egain_console::templates::load(template_dir.as_deref()).map_err(|e| eyre!("{e}"))?;
    // Message envelopes (parts of the schema are our best model): overridable the same way.
    let message_dir = Config::messages_dir(config_path);
    let messages = egain_console::conversation::templates::MessageTemplates::load(message_dir.as_deref())
        .map_err(|e| eyre!("{e}"))?;
    let spec = ui.spec().map_err(|e| {
        let at = config
            .and_then(|c| c.position_of(&["ui", "spec_file"]))
            .map(|p| format!("{p}: "))
            .unwrap_or_default();
        Failure::new(format!("{at}`ui.spec_file`: {e}")).fix("correct the OpenAPI file or remove `spec_file` from [ui]")
    })?;
    let connection = match early {
        Some(connection) => connection,
        None => connect_to(cli, config, with_standalone.as_ref()).await?,
    };
    // The token's round trip overlaps the terminal's setup instead of preceding the first list.
    connection.client.prefetch_token();
    let state_dir = callback_takeover::default_state_dir();
    if !connection.session.sandbox {
        recover_earlier(&connection.client, &state_dir, connection.session.read_only).await;
    }
    let client = connection.client.clone();
    let mut app = App::new(connection.session, keymap, Theme::from_env(), spec, templates);
    app.mouse = cli.mouse || ui.mouse.unwrap_or(false);
    app.log = LogPane::new(ui.log_caps());
    app.conversation.templates = messages;
    app.conversation.scenarios_dir = ui.scenarios_dir();
    app.scenarios = egain_console::tui::panes::scenarios::ScenariosPane::new(ui.scenarios_dir());
    let _sandbox = connection.sandbox;
    let _receiver = connection.receiver;
    let options = runtime::RunOptions {
        export_dir: ui.export_dir(),
        download_dir: None,
        state_dir: Some(state_dir.clone()),
        inbound: connection.inbound,
    };
    // A panic of the UI still ends here, so its takeovers are put back too.
    let ran = std::panic::AssertUnwindSafe(runtime::run(app, connection.client, connection.exchanges, options))
        .catch_unwind()
        .await;
    restore_at_exit(&client, &state_dir).await;
    match ran {
        Ok(result) => result.wrap_err("terminal").map_err(Failure::from),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Put back what a crashed earlier run left pointed at a dead console; the outcome shows in
/// the console at once.
async fn recover_earlier(client: &egain_console::api::Client, state_dir: &Path, read_only: bool) {
    if read_only {
        let left = callback_takeover::Journal::new(state_dir)
            .entries()
            .map(|e| e.into_iter().filter(|e| e.base_url == client.base_url()).count())
            .unwrap_or(0);
        if left > 0 {
            notices::warn(format!(
                "{left} callback takeover(s) left by an earlier run were not restored: this run is read-only \
                 and restoring changes the client application; start once without --read-only to restore them"
            ));
        }
        return;
    }
    match callback_takeover::recover(client, state_dir).await {
        Ok(outcomes) => {
            for o in outcomes {
                let text = format!("left by an earlier run: {}", o.describe());
                notices::push(if o.settled() { Ok(text) } else { Err(text) });
            }
        }
        Err(e) => notices::warn(format!("could not check for callback takeovers to restore: {e}")),
    }
}

/// Restore this run's takeovers (bounded in time) and say what happened, per role.
async fn restore_at_exit(client: &egain_console::api::Client, state_dir: &Path) {
    match tokio::time::timeout(RESTORE_BOUND, callback_takeover::restore_own(client, state_dir)).await {
        Ok(Ok(outcomes)) => {
            for o in outcomes {
                print_line(if o.settled() { "note" } else { "warning" }, &o.describe());
            }
        }
        Ok(Err(e)) => print_line("warning", &format!("callbacks taken over could not be restored: {e}")),
        Err(_) => print_line(
            "warning",
            &format!(
                "restoring callbacks taken over did not finish within {} s; the next start retries",
                RESTORE_BOUND.as_secs()
            ),
        ),
    }
}

fn keys_accept(table: &toml::Table) -> bool {
    Keymap::load(Some(table)).is_ok()
}

fn ui_accepts(table: &toml::Table) -> bool {
    UiSettings::from_table(table).is_ok()
}

/// A `[keys]` or `[ui]` error, pointed at the entry's line.
fn section_failure(
    config: &Config,
    section: &str,
    table: &toml::Table,
    error: String,
    accepts: fn(&toml::Table) -> bool,
) -> Failure {
    let entry = Config::first_refused_entry(table, accepts).unwrap_or_default();
    let mut path = vec![section];
    path.extend(entry.iter().map(String::as_str));
    let at = config.position_of(&path).map(|p| format!("{p}: ")).unwrap_or_default();
    let key = path.join(".");
    // The keymap names the section its own way ("[keys].entities: ..."); the key path says it.
    let error = match error.split_once(": ") {
        Some((prefix, rest)) if prefix.starts_with('[') => rest.to_owned(),
        _ => error,
    };
    Failure::new(format!("{at}`{key}`: {error}")).fix(match section {
        "keys" => "use a context, key and action from the `?` help of the console (keymap.toml holds the defaults), or remove the line",
        _ => "correct the value or remove the line to use the default (config.example.toml documents [ui])",
    })
}

/// A config error with its line and a fix.
fn config_failure(config: Option<&Config>, e: ConfigError) -> Failure {
    let at = e
        .secret_key()
        .and_then(|(profile, key)| {
            let mut path = vec!["profiles", profile];
            path.extend(key.split('.'));
            config?.position_of(&path)
        })
        .map(|p| format!("{p}: "))
        .unwrap_or_default();
    let failure = Failure::new(format!("{at}{e}"));
    match e.hint() {
        Some(fix) => failure.fix(fix),
        None => failure,
    }
}

/// What `connect` refused: config errors get their line.
fn connect_failure(config: Option<&Config>, e: connect::ConnectError) -> Failure {
    match e {
        connect::ConnectError::Config(e) => config_failure(config, e),
        connect::ConnectError::Other(text) => Failure::new(text),
    }
}
