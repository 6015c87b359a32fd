//! The console's setups as code over real loopback HTTP, driven through
//! `update` and `Runtime::perform` as the event loop does: export the demo
//! account with `x`, apply the file to an empty sandbox with `A` (plan
//! reviewed, Enter applies), then plan again: all unchanged.
//!
//! Its own test binary: it sets the bundle's secret variable before any
//! thread starts (the console reads secrets from its environment).

mod common_console;
mod common_tui;

use std::sync::Arc;

use crossterm::event::KeyCode;

use common_console::Console;
use common_tui::*;
use egain_console::api::models::EntityKind;
use egain_console::api::{AuthConfig, Client, ClientConfig, Recorder, Secret};
use egain_console::bundle::Action;
use egain_console::sandbox::{self, SandboxConfig, Seed};
use egain_console::tui::panes::entities::kind_index;
use egain_console::tui::popup::Popup;
use egain_console::tui::popup::plan::Phase;

const PASSWORD_VAR: &str = "DEMO_CALLBACK_AUTH_PASSWORD";
/// The source sandbox's demo callback password.
const CANARY: &str = "CANARY-source-password-7f3a";

fn client_for(sandbox: &sandbox::RunningSandbox) -> Client {
    Client::new(
        ClientConfig::new(
            sandbox.urls.base.clone(),
            AuthConfig::ClientCredentials {
                token_url: sandbox.urls.token.clone(),
                client_id: sandbox.credentials.client_id.clone(),
                client_secret: Secret::new(sandbox.credentials.client_secret.clone()),
                scopes: egain_console::api::auth::DEFAULT_SCOPES
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            },
        ),
        Arc::new(Recorder::default()),
    )
    .expect("client")
}

#[test]
fn export_the_demo_account_apply_it_to_an_empty_sandbox_and_plan_again_unchanged() {
    // SAFETY: set before the tokio runtime (or any other thread of this binary) starts.
    unsafe { std::env::set_var(PASSWORD_VAR, "pw-console-1") };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        // A canary password on the source tenant: it must never reach the bundle file.
        let mut source_config = SandboxConfig {
            seed: Seed::Demo,
            ..SandboxConfig::default()
        };
        source_config.hub.demo_callback_auth = Some(("console".into(), CANARY.into()));
        let source = sandbox::start(source_config).await.expect("source sandbox");
        let target = sandbox::start(SandboxConfig {
            seed: Seed::Empty,
            ..SandboxConfig::default()
        })
        .await
        .expect("target sandbox");
        let dir = tempfile::tempdir().expect("temp dir");

        // Export: x on the demo account's detail.
        let mut a = Console::new(empty_app(false), client_for(&source), dir.path());
        a.app.entities.tab = kind_index(EntityKind::Account);
        a.key(KeyCode::Enter);
        a.until(|app| app.entities.detail.as_ref().is_some_and(|d| !d.loading));
        assert_eq!(
            a.app
                .entities
                .detail
                .as_ref()
                .and_then(|d| d.value.clone())
                .expect("value")["name"],
            "Demo Account"
        );
        a.key(KeyCode::Char('x'));
        a.until(|app| app.status.notice.as_deref().is_some_and(|n| n.starts_with("saved ")));
        let notice = a.app.status.notice.clone().expect("notice");
        let path = std::path::PathBuf::from(notice.trim_start_matches("saved "));
        let text = std::fs::read_to_string(&path).expect("the bundle file");
        assert!(
            text.contains("Demo Account") && text.contains(&format!("${{{PASSWORD_VAR}}}")),
            "{text}"
        );
        assert!(
            !text.contains(CANARY),
            "the source's password reached the bundle:\n{text}"
        );
        // Never overwriting: a second export is another file.
        a.key(KeyCode::Char('x'));
        a.until(|app| {
            app.status
                .notice
                .as_deref()
                .is_some_and(|n| n.starts_with("saved ") && n != notice)
        });
        assert_ne!(a.app.status.notice.as_deref(), Some(notice.as_str()));

        // Apply: A, the path, the plan reviewed, Enter.
        let mut b = Console::new(empty_app(false), client_for(&target), dir.path());
        assert!(b.app.entities.list(EntityKind::Account).items.is_empty());
        b.key(KeyCode::Char('A'));
        b.typed(&path.display().to_string());
        b.key(KeyCode::Enter);
        b.until(|app| matches!(app.popups.top(), Some(Popup::Plan(_))) || app.status.error.is_some());
        assert_eq!(b.app.status.error, None);
        let Some(Popup::Plan(view)) = b.app.popups.top() else {
            panic!("the plan is shown");
        };
        assert_eq!(view.items.len(), 6);
        assert!(
            view.items.iter().all(|i| i.action == Action::Create),
            "{:?}",
            view.items
        );
        b.key(KeyCode::Enter);
        b.until(|app| matches!(app.popups.top(), Some(Popup::Plan(v)) if matches!(v.phase, Phase::Finished(_))));
        let Some(Popup::Plan(view)) = b.app.popups.top() else {
            panic!("the outcome is shown");
        };
        assert_eq!(
            view.phase,
            Phase::Finished(vec!["Applied: 6 created, 0 updated, 0 unchanged.".into()])
        );
        assert_eq!(
            view.progress.iter().filter(|l| l.starts_with("✓ created")).count(),
            6,
            "{:?}",
            view.progress
        );
        b.key(KeyCode::Enter);
        assert!(b.app.popups.is_empty());
        // The lists reload with what was applied.
        b.until(|app| {
            app.entities.list(EntityKind::Account).items.len() == 1 && !app.entities.list(EntityKind::Account).loading
        });

        // Plan again: all unchanged, nothing offered.
        b.key(KeyCode::Char('A'));
        b.typed(&path.display().to_string());
        b.key(KeyCode::Enter);
        b.until(|app| matches!(app.popups.top(), Some(Popup::Plan(_))) || app.status.error.is_some());
        let Some(Popup::Plan(view)) = b.app.popups.top() else {
            panic!("the plan is shown: {:?}", b.app.status.error);
        };
        assert_eq!(view.work(), 0, "{:?}", view.items);
        assert!(view.text().contains("Nothing to do"));
        assert!(!text.contains("pw-console-1"));
    });
}
