//! The runtime's half of applying a setup bundle from the console: read
//! and plan it (nothing that changes the tenant is sent), then apply a plan
//! the user reviewed, forwarding each object's progress as a message.

use std::path::Path;

use tokio::sync::mpsc::UnboundedSender;

use crate::api::Client;
use crate::api::models::EntityKind;
use crate::bundle::plan::Action;
use crate::bundle::secrets::{Placeholder, placeholders};
use crate::bundle::{self, ApplyEvent, Bundle, Secrets, Tenant, kind_name};

use super::effect::{Owner, PlannedBundle};
use super::msg::Msg;

/// Load, fill secrets from the environment, read the tenant and plan.
/// Secret commands are refused: they may prompt, and the terminal is in raw mode.
pub async fn plan(client: &Client, path: &Path) -> Result<Box<PlannedBundle>, String> {
    let origin = path.display().to_string();
    let file = path.to_owned();
    let bundle = tokio::task::spawn_blocking(move || Bundle::load(&file))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let commands: Vec<String> = placeholders(&bundle)
        .into_iter()
        .filter(|(p, _)| matches!(p, Placeholder::Command(_)))
        .map(|(p, at)| format!("{} at {at}", p.text()))
        .collect();
    if !commands.is_empty() {
        return Err(format!(
            "{origin}: the bundle's secrets come from commands ({}), which may prompt: apply it with \
             `egain-console apply -f {origin}` instead (nothing was sent)",
            commands.join(", ")
        ));
    }
    let secrets = Secrets::resolve(&bundle, &|name| std::env::var_os(name)).map_err(|e| format!("{origin}: {e}"))?;
    let tenant = Tenant::fetch(client)
        .await
        .map_err(|e| format!("reading the tenant: {e}"))?;
    let items = bundle::plan(&bundle, &tenant, &secrets);
    bundle::apply::check_references(&items, &tenant).map_err(|e| format!("{origin}: {e}"))?;
    Ok(Box::new(PlannedBundle { origin, items, tenant }))
}

/// Apply a reviewed plan; each object sent and done is a `Msg::Progress` for `owner`.
pub async fn apply(
    client: &Client,
    planned: &PlannedBundle,
    owner: Owner,
    tx: &UnboundedSender<Msg>,
) -> Result<String, Vec<String>> {
    let progress_tx = tx.clone();
    let mut on_event = move |event: ApplyEvent<'_>| {
        let line = match event {
            ApplyEvent::Sending(item) => format!(
                "… {} {} \"{}\"",
                if item.action == Action::Create {
                    "creating"
                } else {
                    "updating"
                },
                kind_name(item.kind),
                item.name
            ),
            ApplyEvent::Done(item, id) => format!(
                "✓ {} {} \"{}\" ({id})",
                if item.action == Action::Create {
                    "created"
                } else {
                    "updated"
                },
                kind_name(item.kind),
                item.name
            ),
        };
        let _ = progress_tx.send(Msg::Progress(owner, line));
    };
    match bundle::apply(client, &planned.items, &planned.tenant, &mut on_event).await {
        Ok(report) => Ok(format!(
            "Applied: {} created, {} updated, {} unchanged.",
            report.created, report.updated, report.unchanged
        )),
        Err(failure) => {
            let list = |v: &[(EntityKind, String, Action)]| {
                v.iter()
                    .map(|(k, n, a)| format!("{} {} \"{n}\"", a.as_str(), kind_name(*k)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let (kind, name, action) = &failure.failed;
            Err(vec![
                format!(
                    "Failed at {} {} \"{name}\": {}",
                    action.as_str(),
                    kind_name(*kind),
                    failure.error
                ),
                format!(
                    "Done: {}",
                    if failure.done.is_empty() {
                        "nothing".into()
                    } else {
                        list(&failure.done)
                    }
                ),
                format!(
                    "Not attempted: {}",
                    if failure.pending.is_empty() {
                        "nothing".into()
                    } else {
                        list(&failure.pending)
                    }
                ),
                "Fix the cause and apply again: what was done shows as unchanged.".into(),
            ])
        }
    }
}
