//! `egain-console test PATH...`: run scenario files (folders searched
//! recursively), on a profile's tenant or the embedded sandbox, and report
//! as text or JSON, and as JUnit XML. Exit 0 when all pass, 1 when any
//! fails, 2 on usage or configuration errors (found before any message is sent).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use clap::{Args, ValueEnum};
use serde_json::{Value, json};

use crate::callback_takeover::{self, ActiveTakeover};
use crate::config::Config;
use crate::connect::{self, Connection};
use crate::conversation::templates::MessageTemplates;
use crate::io_error::{self, Access};
use crate::scenario::inbox::Inbox;
use crate::scenario::load::{self, Plan, Summary};
use crate::scenario::runner::{Harness, Observer, Progress};
use crate::scenario::{Scenario, file, junit, target};

/// All passed.
pub const EXIT_PASSED: i32 = 0;
/// A scenario failed.
pub const EXIT_FAILED: i32 = 1;
/// Bad usage, configuration or scenario file.
pub const EXIT_USAGE: i32 = 2;

/// Options of `test`.
#[derive(Debug, Clone, Args)]
pub struct TestArgs {
    /// Scenario files, or folders searched recursively for *.yaml and *.yml.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Run on the tenant of this config profile (default: the config's
    /// default_profile; with neither, the embedded sandbox).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Also write a JUnit XML report to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Report format on standard output.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Output::Text)]
    pub output: Output,

    /// Scenario files run at once.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub parallel: u64,

    /// Load: run every scenario this many times and report latency percentiles per expectation.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub repeat: Option<u64>,

    /// Load: conversations at once (default: --parallel).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub concurrency: Option<u64>,

    /// With a profile: when the customer role does not call this run's
    /// receiver, point it here for the run and restore it after (journaled,
    /// so a crashed run is restored at the next start).
    #[arg(long)]
    pub takeover: bool,
}

/// `-o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// A line per scenario and step as they run, then a summary.
    Text,
    /// One JSON document when all is done.
    Json,
}

/// Run `test`; returns the process exit code.
/// `config_path` is the file `config` came from (its folder's `messages/`
/// overrides the message templates, as in the console).
pub async fn run(args: &TestArgs, config: Option<&Config>, config_path: Option<&Path>, profile: Option<&str>) -> i32 {
    match prepare_and_run(args, config, config_path, profile).await {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            EXIT_USAGE
        }
    }
}

async fn prepare_and_run(
    args: &TestArgs,
    config: Option<&Config>,
    config_path: Option<&Path>,
    profile: Option<&str>,
) -> Result<i32, String> {
    let files = file::find(&args.paths)?;
    let mut scenarios = Vec::new();
    let mut errors = Vec::new();
    for file in &files {
        match file::load(file) {
            Ok(s) => scenarios.push(s),
            Err(e) => errors.push(e.to_string()),
        }
    }
    if !errors.is_empty() {
        return Err(format!(
            "{} of {} scenario files cannot run:\n  {}",
            errors.len(),
            files.len(),
            errors.join("\n  ")
        ));
    }
    let profile = args.profile.as_deref().or(profile);
    // A standalone sandbox's profile (built-in `sandbox`, or `sandbox = true`) from its connection file.
    let with_sandbox = super::target::console_config(config, profile)?;
    let config = with_sandbox.as_ref().or(config);
    let connection = connect::connect(config, profile, false)
        .await
        .map_err(|e| e.to_string())?;
    let Connection {
        session,
        client,
        mut exchanges,
        sandbox,
        receiver,
        inbound,
    } = connection;
    // Kept for the run; the request log is not shown here.
    let _kept = (sandbox, receiver);
    tokio::spawn(async move { while exchanges.recv().await.is_some() {} });
    if session.read_only {
        return Err(format!(
            "profile \"{}\" is read-only: a scenario sends messages; use a profile without read_only",
            session.profile
        ));
    }
    let Some(inbound) = inbound else {
        return Err(format!(
            "profile \"{}\" has no [profiles.{0}.callback] table: replies arrive by callback, so a scenario \
             needs this console's receiver (listen, public_url)",
            session.profile
        ));
    };
    let state_dir = callback_takeover::default_state_dir();
    if !session.sandbox {
        // A run that crashed may have left a role pointed at a dead receiver.
        match callback_takeover::recover(&client, &state_dir).await {
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
    let accounts: Vec<Option<String>> = scenarios.iter().map(|s| s.account.clone()).collect();
    let targets = target::resolve(&client, accounts).await.map_err(|e| {
        // Name the first file that asks for this account.
        match scenarios.iter().find(|s| !e.tenant && s.account == e.name) {
            Some(s) => match (s.account_line, &e.name) {
                (Some(line), Some(_)) => format!("{}:{line}: account: {}", s.path.display(), e.message),
                _ => format!("{}: {}", s.path.display(), e.message),
            },
            None => e.message,
        }
    })?;
    let mut takeovers: Vec<ActiveTakeover> = Vec::new();
    if !session.sandbox {
        let url = session
            .callback_urls
            .iter()
            .find(|(role, _)| role == "customer")
            .map(|(_, url)| url.clone())
            .ok_or("the callback receiver serves no customer role")?;
        for t in targets.values().filter(|t| t.customer_app.is_none()) {
            eprintln!(
                "warning: the orchestration of account \"{}\" names no customer application; \
                 replies reach this run only if its customer role calls {url}",
                t.account_name
            );
        }
        let mut apps: Vec<&str> = targets.values().filter_map(|t| t.customer_app.as_deref()).collect();
        apps.sort();
        apps.dedup();
        for app in apps {
            match point_here(&client, &state_dir, app, &url, args.takeover).await {
                Ok(Some(active)) => takeovers.push(active),
                Ok(None) => {}
                Err(e) => {
                    restore_all(&client, &mut takeovers).await;
                    return Err(e);
                }
            }
        }
    }
    let templates_dir = Config::messages_dir(config_path);
    let templates = match MessageTemplates::load(templates_dir.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            restore_all(&client, &mut takeovers).await;
            return Err(e.to_string());
        }
    };
    let harness = Arc::new(Harness {
        client: client.clone(),
        templates,
        inbox: Inbox::start(inbound),
        targets,
    });
    let load_mode = args.repeat.is_some();
    let plan = Plan {
        repeat: args.repeat.unwrap_or(1) as usize,
        concurrency: args.concurrency.unwrap_or(args.parallel) as usize,
        keep_conversations: false,
    };
    let scenarios = Arc::new(scenarios);
    let printer = Printer::new(args.output, plan.concurrency > 1, load_mode);
    let observer = printer.observer();
    let running = load::run(harness, scenarios.clone(), plan, observer);
    let summary = tokio::select! {
        summary = running => summary,
        signal = stop_signal() => {
            restore_all(&client, &mut takeovers).await;
            eprintln!("stopped by {signal}");
            return Ok(130);
        }
    };
    restore_all(&client, &mut takeovers).await;
    if let Some(path) = &args.junit {
        let xml = junit::render(&summary.results, summary.elapsed, load_mode);
        std::fs::write(path, xml).map_err(|e| {
            format!(
                "--junit {}",
                io_error::message(path, Access::Write, "the JUnit report", &e)
            )
        })?;
    }
    match args.output {
        Output::Text => emit(&summary_text(&summary, &scenarios, load_mode)),
        Output::Json => emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&json_report(&summary, &scenarios, load_mode)).unwrap_or_default()
        )),
    }
    Ok(if summary.failed() == 0 {
        EXIT_PASSED
    } else {
        EXIT_FAILED
    })
}

/// Make sure application `app`'s customer role calls `url`, taking it over
/// when allowed. `Some` when it was taken over (to restore after).
async fn point_here(
    client: &crate::api::Client,
    state_dir: &Path,
    app: &str,
    url: &str,
    takeover: bool,
) -> Result<Option<ActiveTakeover>, String> {
    let plan = callback_takeover::plan(client, app, "customer", url)
        .await
        .map_err(|e| format!("checking where the customer role of client application {app} calls back: {e}"))?;
    if plan.current_callback.as_deref() == Some(url) {
        return Ok(None);
    }
    if !takeover {
        return Err(format!(
            "the customer role of client application \"{}\" calls back {}, not this run's receiver {url}: \
             pass --takeover to point it here for the run (it is restored after)",
            plan.app_name,
            plan.current_callback.as_deref().unwrap_or("nothing")
        ));
    }
    let active = callback_takeover::apply(client, state_dir, &plan)
        .await
        .map_err(|e| format!("pointing the customer role of \"{}\" at this run: {e}", plan.app_name))?;
    eprintln!(
        "customer role of \"{}\" points at this run ({url}) until it ends",
        plan.app_name
    );
    Ok(Some(active))
}

async fn restore_all(client: &crate::api::Client, takeovers: &mut Vec<ActiveTakeover>) {
    for active in takeovers.drain(..) {
        let outcome = callback_takeover::restore(client, &active).await;
        eprintln!("callback of {} restored: {:?}", active.entry().role, outcome.status);
    }
}

/// Ctrl-C, TERM or HUP.
async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut hup)) = (signal(SignalKind::terminate()), signal(SignalKind::hangup())) else {
            let _ = tokio::signal::ctrl_c().await;
            return "Ctrl-C";
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => "Ctrl-C",
            _ = term.recv() => "TERM",
            _ = hup.recv() => "HUP",
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

/// Progress lines as runs go: a line per scenario and step (prefixed by
/// the scenario's file when several run at once); in load runs one line
/// per finished run.
struct Printer {
    output: Output,
    /// Several scenarios at once: step lines name their file.
    prefixed: bool,
    /// Load runs: no step lines, runs named `#k`.
    load: bool,
    lock: Arc<Mutex<()>>,
}

impl Printer {
    fn new(output: Output, prefixed: bool, load: bool) -> Self {
        Self {
            output,
            prefixed,
            load,
            lock: Arc::new(Mutex::new(())),
        }
    }

    fn observer(&self) -> Observer {
        if self.output == Output::Json {
            return crate::scenario::runner::quiet();
        }
        let (prefixed, load) = (self.prefixed, self.load);
        let lock = self.lock.clone();
        Arc::new(move |progress| {
            let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
            let mut out = std::io::stdout().lock();
            let _ = match progress {
                Progress::Started { scenario, .. } if !load => {
                    writeln!(out, "RUN  {} ({})", scenario.name, scenario.path.display())
                }
                Progress::Step { scenario, result, .. } if !load => {
                    let from = if prefixed {
                        format!("[{}] ", scenario.path.display())
                    } else {
                        String::new()
                    };
                    writeln!(
                        out,
                        "  {from}{} step {} {}  ({} ms)",
                        if result.passed { "ok  " } else { "FAIL" },
                        result.index + 1,
                        result.label,
                        result.elapsed.as_millis()
                    )
                }
                Progress::Finished { result } => {
                    let run = if load {
                        format!(" #{}", result.run)
                    } else {
                        String::new()
                    };
                    let verdict = if result.passed() { "PASS" } else { "FAIL" };
                    let _ = writeln!(
                        out,
                        "{verdict} {}{run} ({}) in {:.2} s",
                        result.name,
                        result.path.display(),
                        result.elapsed.as_secs_f64()
                    );
                    match &result.failure {
                        Some(f) => writeln!(out, "{}", indent(&f.to_string(), "     ")),
                        None => Ok(()),
                    }
                }
                _ => Ok(()),
            };
            let _ = out.flush();
        })
    }
}

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|l| format!("{by}{l}")).collect::<Vec<_>>().join("\n")
}

fn ms(d: Option<std::time::Duration>) -> String {
    d.map(|d| format!("{} ms", d.as_millis())).unwrap_or_else(|| "-".into())
}

fn summary_text(summary: &Summary, scenarios: &[Scenario], load_mode: bool) -> String {
    let mut out = String::new();
    if load_mode {
        let plan = summary.plan;
        out.push_str(&format!(
            "\nload: {} scenario(s) x {} runs, {} conversations at once, {:.2} s",
            scenarios.len(),
            plan.repeat,
            plan.concurrency,
            summary.elapsed.as_secs_f64()
        ));
        out.push_str("time from each expectation's send to its match:\n");
        for s in summary.expectations(scenarios) {
            out.push_str(&format!(
                "  {} step {}: {}\n    n={}  p50 {}  p95 {}  p99 {}  failed {}",
                s.path.display(),
                s.step + 1,
                s.label,
                s.samples.len(),
                ms(s.percentile(50.0)),
                ms(s.percentile(95.0)),
                ms(s.percentile(99.0)),
                s.failures
            ));
        }
    }
    out.push_str(&format!("{} passed, {} failed\n", summary.passed(), summary.failed()));
    out
}

/// Standard output, quietly stopping when the reader went away (`| head`).
fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

fn json_report(summary: &Summary, scenarios: &[Scenario], load_mode: bool) -> Value {
    let results: Vec<Value> = summary
        .results
        .iter()
        .map(|r| {
            json!({
                "name": r.name,
                "file": r.path.display().to_string(),
                "run": r.run,
                "passed": r.passed(),
                "elapsed_ms": r.elapsed.as_millis() as u64,
                "conversation_id": r.conversation_id,
                "steps": r.steps.iter().map(|s| json!({
                    "step": s.index + 1,
                    "line": s.line,
                    "label": s.label,
                    "passed": s.passed,
                    "elapsed_ms": s.elapsed.as_millis() as u64,
                    "latency_ms": s.latency.map(|l| l.as_millis() as u64),
                })).collect::<Vec<_>>(),
                "failure": r.failure.as_ref().map(|f| json!({
                    "step": f.step + 1,
                    "line": f.line,
                    "label": f.label,
                    "expected": f.expected,
                    "problem": f.problem,
                    "arrived": f.arrived,
                })),
            })
        })
        .collect();
    let mut report = json!({
        "passed": summary.passed(),
        "failed": summary.failed(),
        "elapsed_ms": summary.elapsed.as_millis() as u64,
        "results": results,
    });
    if load_mode {
        let ms = |d: Option<std::time::Duration>| d.map(|d| d.as_secs_f64() * 1000.0);
        report["load"] = json!({
            "repeat": summary.plan.repeat,
            "concurrency": summary.plan.concurrency,
            "expectations": summary.expectations(scenarios).iter().map(|s| json!({
                "file": s.path.display().to_string(),
                "scenario": s.scenario,
                "step": s.step + 1,
                "line": s.line,
                "label": s.label,
                "samples": s.samples.len(),
                "failures": s.failures,
                "p50_ms": ms(s.percentile(50.0)),
                "p95_ms": ms(s.percentile(95.0)),
                "p99_ms": ms(s.percentile(99.0)),
            })).collect::<Vec<_>>(),
        });
    }
    report
}
