//! The sandbox as a standalone mock server (`egain-console sandbox`).

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use super::SandboxArgs;
use crate::sandbox::{self, Credentials, Faults, SandboxConfig};
use crate::schema::Spec;

/// Build a sandbox configuration from command-line options.
pub fn config_from_args(args: &SandboxArgs) -> Result<SandboxConfig, String> {
    let spec = match &args.spec {
        Some(path) => Arc::new(Spec::load(path)?),
        None => Spec::embedded(),
    };
    let mut credentials = Credentials::generate();
    if let Some(secret) = &args.client_secret {
        credentials.client_secret = secret.clone();
    }
    let mut config = SandboxConfig {
        listen: args.listen,
        state_file: args.state.clone(),
        seed: args.seed.into(),
        spec,
        faults: Faults {
            latency: Duration::from_millis(args.latency_ms),
            failure_rate: args.failure_rate,
            token_lifetime: Duration::from_secs(args.token_lifetime_secs),
            ..Faults::default()
        },
        credentials,
        ..SandboxConfig::default()
    };
    config.hub.demo_callback_base = args.demo_callback_base.clone();
    config.fidelity.strict = args.strict;
    config.fidelity.scope_form = args.scope_form;
    config.assets.memory_cap = args.asset_memory_mib << 20;
    config.fidelity.log_to_stderr = true;
    for (name, level) in &args.assume {
        config.fidelity.set(name, *level)?;
    }
    Ok(config)
}

/// Start, print the connection facts one per line on stdout (the client
/// secret as the file holding it), serve until Ctrl-C, TERM or HUP.
/// Settings from a config file's `[sandbox]` table, when given, override the arguments.
pub async fn run(args: &SandboxArgs, settings: Option<&crate::config::SandboxSettings>) -> Result<(), String> {
    let mut config = config_from_args(args)?;
    if let Some(settings) = settings {
        settings.apply(&mut config);
    }
    keep_freed_memory(config.assets.memory_cap);
    let sandbox = sandbox::start(config).await?;
    for notice in &sandbox.notices {
        eprintln!("{notice}");
    }
    // The secret goes only into this 0600 file (for the built-in `sandbox`
    // profile and for scripts), never to stdout, which may be a screen or a
    // log; the file is written before the lines below and removed when this returns.
    let published = super::runtime_file::publish(&super::runtime_file::Facts {
        base_url: sandbox.urls.base.clone(),
        token_url: sandbox.urls.token.clone(),
        client_id: sandbox.credentials.client_id.clone(),
        client_secret: crate::api::Secret::new(sandbox.credentials.client_secret.clone()),
    })
    .map_err(|e| {
        format!("{e}; without it the client secret cannot be read: set EGAIN_CONSOLE_SANDBOX_FILE to a writable path")
    })?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "base_url={}", sandbox.urls.base)
        .and_then(|()| writeln!(out, "token_url={}", sandbox.urls.token))
        .and_then(|()| writeln!(out, "client_id={}", sandbox.credentials.client_id))
        .and_then(|()| writeln!(out, "client_secret_file={}", published.path().display()))
        .and_then(|()| out.flush())
        .map_err(|e| crate::io_error::stdout(&e))?;
    drop(out);
    eprintln!(
        "sandbox listening on {} (spec at {}/openapi.yaml); Ctrl-C stops it",
        sandbox.addr, sandbox.urls.root
    );
    stop_requested().await?;
    eprintln!("stopping");
    sandbox.shutdown().await;
    Ok(())
}

/// Keep memory freed by deleted or evicted assets for the next upload, up
/// to the assets' memory cap, instead of glibc handing it back at once: an
/// upload into returned memory faults in every page again (a third of the
/// sandbox's upload time in `perf`). Allocations up to 1 MiB (hyper's read
/// buffers) come from the heap, so they are reused too. This process is
/// the sandbox alone, so tuning its allocator touches nothing else.
fn keep_freed_memory(memory_cap: u64) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const FLOOR: u64 = 64 << 20;
        let trim = libc::c_int::try_from(memory_cap.max(FLOOR)).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt is thread-safe and only sets allocator parameters;
        // a refused value leaves glibc's default.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
            libc::mallopt(libc::M_TRIM_THRESHOLD, trim);
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = memory_cap;
}

/// Ctrl-C, TERM (a service manager, `kill`) or HUP (the terminal closed):
/// each stops the sandbox the same way, so open requests finish and the
/// temporary folder of a run without `--state` is removed.
async fn stop_requested() -> Result<(), String> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
    let mut hup = signal(SignalKind::hangup()).map_err(|e| e.to_string())?;
    tokio::select! {
        interrupted = tokio::signal::ctrl_c() => interrupted.map_err(|e| e.to_string()),
        _ = term.recv() => Ok(()),
        _ = hup.recv() => Ok(()),
    }
}
