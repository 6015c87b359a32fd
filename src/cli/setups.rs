//! Setups as code: `export`, `plan`, `apply`, `diff`, and `completions`.

use std::io::IsTerminal;
use std::path::Path;

use clap::CommandFactory;
use serde_json::Value;

use super::args::{ApplyArgs, CompletionsArgs, DiffArgs, ExportArgs, PlanArgs, PlanFormat, Shell};
use super::get::api_failure;
use super::output::{self, out};
use super::run::{Ctx, Failure, approved};
use super::target::Target;
use crate::api::models::EntityKind;
use crate::bundle::plan::{self as plan_mod, Action, PlanItem};
use crate::bundle::{self, ApplyEvent, Bundle, Secrets, Tenant, kind_name};
use crate::io_error::{self, Access};

async fn snapshot(target: &Target) -> Result<Tenant, Failure> {
    Tenant::fetch(&target.client)
        .await
        .map_err(|e| api_failure(&format!("reading profile `{}`", target.session.profile), &e))
}

fn load_bundle(path: &Path) -> Result<Bundle, Failure> {
    Bundle::load(path).map_err(|e| Failure::Usage(e.to_string()))
}

/// Export `accounts` (all with none) of a tenant; warnings go to stderr.
fn exported(tenant: &Tenant, accounts: &[String]) -> Result<Bundle, Failure> {
    let exported = bundle::export(tenant, accounts).map_err(|e| Failure::Failed(e.to_string()))?;
    for w in &exported.warnings {
        eprintln!("warning: {w}");
    }
    Ok(exported.bundle)
}

/// `export [--account NAME ...] [-o FILE]`.
pub async fn export(ctx: &Ctx, args: &ExportArgs) -> Result<(), Failure> {
    let target = ctx.connect().await?;
    let tenant = snapshot(&target).await?;
    let bundle = exported(&tenant, &args.account)?;
    let text = bundle.to_yaml().map_err(|e| Failure::Failed(e.to_string()))?;
    match &args.output {
        None => out(&text),
        Some(path) => {
            std::fs::write(path, &text)
                .map_err(|e| Failure::Failed(io_error::message(path, Access::Write, "the bundle", &e)))?;
            eprintln!("wrote {} objects to {}", bundle.len(), path.display());
            Ok(())
        }
    }
}

fn env(name: &str) -> Option<std::ffi::OsString> {
    std::env::var_os(name)
}

/// `plan -f BUNDLE [-o text|json]`: sends nothing.
pub async fn plan(ctx: &Ctx, args: &PlanArgs) -> Result<(), Failure> {
    let bundle = load_bundle(&args.file)?;
    let secrets = Secrets::lookup(&bundle, &env);
    let unknown: Vec<String> = secrets.unknown().map(|(p, _)| p.text()).collect();
    if !unknown.is_empty() {
        eprintln!(
            "note: {} not compared (no value here): {}",
            if unknown.len() == 1 { "1 secret" } else { "some secrets" },
            unknown.join(", ")
        );
    }
    let target = ctx.connect().await?;
    let tenant = snapshot(&target).await?;
    let items = bundle::plan(&bundle, &tenant, &secrets);
    let text = match args.output {
        PlanFormat::Text => plan_mod::to_text(&items),
        PlanFormat::Json => output::json(&Value::Array(items.iter().map(PlanItem::to_json).collect()))?,
    };
    out(&text)
}

/// `apply -f BUNDLE [--yes]`: plan, ask, apply; stops at a failure.
pub async fn apply(ctx: &Ctx, args: &ApplyArgs) -> Result<(), Failure> {
    let bundle = load_bundle(&args.file)?;
    ctx.refuse_if_read_only("apply")?;
    if !args.yes && !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(
            "apply: not run from a terminal, so it cannot ask; pass --yes to apply without asking".into(),
        ));
    }
    // Every secret is filled before the first request (a command may prompt).
    let for_secrets = bundle.clone();
    let secrets = tokio::task::spawn_blocking(move || Secrets::resolve(&for_secrets, &env))
        .await
        .map_err(|e| Failure::Failed(e.to_string()))?
        .map_err(|e| Failure::Usage(format!("{}: {e}", args.file.display())))?;
    let target = ctx.connect().await?;
    let tenant = snapshot(&target).await?;
    let items = bundle::plan(&bundle, &tenant, &secrets);
    bundle::apply::check_references(&items, &tenant)
        .map_err(|e| Failure::Failed(format!("{}: {e}", args.file.display())))?;
    eprint!("{}", plan_mod::to_text(&items));
    let work = items.iter().filter(|i| i.action != Action::Unchanged).count();
    if work == 0 {
        out("Nothing to do: the tenant matches the bundle.\n")?;
        return Ok(());
    }
    let question = format!(
        "Apply {work} change{} to profile `{}` ({})?",
        if work == 1 { "" } else { "s" },
        target.session.profile,
        target.session.host
    );
    if !approved(args.yes, "apply", &question)? {
        return Err(Failure::Failed("not applied: not confirmed; nothing was sent".into()));
    }
    let mut progress = |event: ApplyEvent<'_>| {
        if let ApplyEvent::Done(item, id) = event {
            let verb = match item.action {
                Action::Create => "created",
                _ => "updated",
            };
            eprintln!("{verb} {} \"{}\" ({id})", kind_name(item.kind), item.name);
        }
    };
    match bundle::apply(&target.client, &items, &tenant, &mut progress).await {
        Ok(report) => out(&format!(
            "Applied: {} created, {} updated, {} unchanged.\n",
            report.created, report.updated, report.unchanged
        )),
        Err(failure) => {
            let list = |v: &[(EntityKind, String, Action)]| {
                v.iter()
                    .map(|(k, n, a)| format!("{} {} \"{n}\"", a.as_str(), kind_name(*k)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if !failure.done.is_empty() {
                eprintln!("done: {}", list(&failure.done));
            }
            if !failure.pending.is_empty() {
                eprintln!("not done: {}", list(&failure.pending));
            }
            Err(Failure::Failed(failure.to_string()))
        }
    }
}

/// The accounts of `wanted` that `tenant` has (all of them with none wanted).
fn present(tenant: &Tenant, wanted: &[String]) -> Vec<String> {
    wanted
        .iter()
        .filter(|name| tenant.by_label(EntityKind::Account, name).is_some())
        .cloned()
        .collect()
}

/// One side of a diff: the tenant's export, limited to the wanted accounts it has.
fn side(tenant: &Tenant, wanted: &[String]) -> Result<Bundle, Failure> {
    let accounts = present(tenant, wanted);
    if !wanted.is_empty() && accounts.is_empty() {
        return Ok(Bundle::new());
    }
    exported(tenant, &accounts)
}

/// `diff -f BUNDLE | --against PROFILE [--account NAME ...]`: exit 1 when they differ.
pub async fn diff(ctx: &Ctx, args: &DiffArgs) -> Result<(), Failure> {
    let file_bundle = match &args.file {
        Some(path) => Some(load_bundle(path)?),
        None => None,
    };
    let target = ctx.connect().await?;
    let here = snapshot(&target).await?;
    let left_name = format!("profile {}", target.session.profile);
    let (right, right_name, there) = match (file_bundle, &args.against) {
        (Some(b), _) => {
            let name = args.file.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
            (b, name, None)
        }
        (None, Some(profile)) => {
            let other = super::target::connect(ctx.config.as_ref(), Some(profile), true).await?;
            let tenant = snapshot(&other).await?;
            (
                side(&tenant, &args.account)?,
                format!("profile {profile}"),
                Some(tenant),
            )
        }
        (None, None) => return Err(Failure::Usage("diff: give -f BUNDLE or --against PROFILE".into())),
    };
    // An account missing on one side is a difference; on every side, a mistake.
    let unknown: Vec<&String> = args
        .account
        .iter()
        .filter(|name| {
            here.by_label(EntityKind::Account, name).is_none()
                && there
                    .as_ref()
                    .is_none_or(|t| t.by_label(EntityKind::Account, name).is_none())
                && right.find(EntityKind::Account, name).is_none()
        })
        .collect();
    if !unknown.is_empty() {
        let names: Vec<String> = unknown.iter().map(|n| format!("\"{n}\"")).collect();
        return Err(Failure::Usage(format!(
            "--account: no account named {} on either side",
            names.join(", ")
        )));
    }
    let left = side(&here, &args.account)?;
    let items = bundle::diff(&left, &right);
    if items.is_empty() {
        eprintln!("no differences between {left_name} and {right_name}");
        return Ok(());
    }
    out(&bundle::diff::to_text(&items, &left_name, &right_name))?;
    Err(Failure::Differs)
}

/// `completions bash|zsh|fish`.
pub fn completions(args: &CompletionsArgs) -> Result<(), Failure> {
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut command = super::Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut command, "egain-console", &mut buf);
    out(&String::from_utf8_lossy(&buf))
}
