//! "Use this console for a role" over real loopback HTTP, as `cargo run`
//! wires it: `connect` starts the embedded demo sandbox and the callback
//! receiver, the session carries the receiver's credentials, and the
//! takeover confirmation checks the role's Authentication against them
//! (matching, then a password changed on the tenant); the applied change
//! shows on the status line and in the refreshed detail.

mod common_console;
mod common_tui;

use crossterm::event::KeyCode;
use serde_json::{Value, json};

use common_console::Console;
use egain_console::api::models::EntityKind;
use egain_console::callback_takeover::{self, CredentialsCheck};
use egain_console::connect::connect;
use egain_console::schema::Spec;
use egain_console::templates::Templates;
use egain_console::tui::app::App;
use egain_console::tui::keymap::Keymap;
use egain_console::tui::panes::entities::kind_index;
use egain_console::tui::popup::Popup;
use egain_console::tui::theme::Theme;
use egain_console::tui::update::startup;

const ROLE: &str = "custom_agent";

fn confirm_text(app: &App) -> Option<String> {
    match app.popups.top() {
        Some(Popup::Confirm(c)) => Some(c.message.clone()),
        _ => None,
    }
}

/// On the application's detail: `u`, pick `role`, wait for the plan's confirmation.
fn ask_takeover(console: &mut Console, role: &str) -> String {
    let roles: Vec<String> = console
        .app
        .entities
        .detail
        .as_ref()
        .and_then(|d| d.value.as_ref())
        .and_then(|v| v["roles"].as_array().cloned())
        .expect("the detail is loaded")
        .iter()
        .filter_map(|r| r["name"].as_str().map(str::to_owned))
        .collect();
    let index = roles.iter().position(|r| r == role).expect("the demo has the role");
    console.key(KeyCode::Char('u'));
    assert!(matches!(console.app.popups.top(), Some(Popup::Pick(_))), "role picker");
    for _ in 0..index {
        console.key(KeyCode::Down);
    }
    console.key(KeyCode::Enter);
    let already = |app: &App| {
        app.status
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("already calls"))
    };
    console.app.status.notice = None;
    console.until(|app| confirm_text(app).is_some() || app.status.error.is_some() || already(app));
    confirm_text(&console.app).unwrap_or_else(|| {
        panic!(
            "no plan: {:?} {:?}",
            console.app.status.error, console.app.status.notice
        )
    })
}

/// Choose to act as the agent in the Conversation pane; the status line's
/// error (a warning) if any. Returns to the Entities pane.
fn act_as_agent(console: &mut Console) -> Option<String> {
    console.app.status.error = None;
    console.key(KeyCode::Char('2'));
    console.key(KeyCode::Char('n'));
    assert!(matches!(console.app.popups.top(), Some(Popup::Pick(_))), "role picker");
    console.key(KeyCode::Down);
    console.key(KeyCode::Enter);
    assert_eq!(console.app.conversation.role.to_string(), ROLE);
    let warning = console.app.status.error.take();
    console.key(KeyCode::Char('1'));
    warning
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_takeover_confirmation_checks_the_receivers_credentials_and_the_change_shows() {
    let connection = connect(None, None, false).await.expect("embedded sandbox");
    let session = connection.session.clone();
    let receiver = session.receiver.clone().expect("the embedded sandbox runs a receiver");
    let client = connection.client.clone();

    // The plumbing: the demo Authentication sends exactly the receiver's credentials.
    let auths = client.list_all_raw(EntityKind::Authentication).await.expect("list");
    let demo: egain_console::api::models::Authentication = serde_json::from_value(auths[0].clone()).expect("typed");
    assert!(matches!(
        callback_takeover::credentials::check(&receiver, Some(&demo)),
        CredentialsCheck::Match(_)
    ));
    let password = demo.basic_auth.as_ref().expect("basic").password.clone();
    assert!(
        !format!("{session:?}").contains(&password),
        "the session's debug output hides it"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let app = App::new(
        session,
        Keymap::defaults(),
        Theme::mono(),
        Spec::embedded(),
        Templates::embedded(),
    );
    let mut console = Console::new(app, client.clone(), dir.path());
    // The demo's agent role calls the sandbox's simulated agent: acting as
    // the agent here warns that replies will not arrive.
    let warning = act_as_agent(&mut console);
    assert!(
        warning
            .as_deref()
            .is_some_and(|w| w.contains("replies will not arrive")),
        "{warning:?}"
    );
    console.app.entities.tab = kind_index(EntityKind::ClientApplication);
    console.key(KeyCode::Enter);
    console.until(|app| app.entities.detail.as_ref().is_some_and(|d| !d.loading));

    let message = ask_takeover(&mut console, ROLE);
    assert!(message.contains("matches the receiver's credentials"), "{message}");
    assert!(!message.contains(&password));
    console.key(KeyCode::Enter);
    console.until(|app| !app.taken.is_empty() || app.status.error.is_some());
    assert_eq!(console.app.status.error, None);
    // The detail is read again and shows the role calling the console.
    console.until(|app| app.entities.detail.as_ref().is_some_and(|d| !d.loading));
    console.until_loaded();
    let url = console
        .app
        .session
        .callback_urls
        .iter()
        .find(|(r, _)| r == ROLE)
        .map(|(_, u)| u.clone())
        .expect("receiver URL");
    let detail = console
        .app
        .entities
        .detail
        .as_ref()
        .and_then(|d| d.value.clone())
        .expect("detail");
    let role = detail["roles"]
        .as_array()
        .and_then(|roles| roles.iter().find(|r| r["name"] == ROLE))
        .expect("role");
    assert_eq!(role["callback"], url.as_str());
    let screen = common_tui::render(&mut console.app, 120, 40);
    assert!(screen.contains("⇄ custom_agent → console"), "{screen}");
    // Now the agent's replies come here: no warning.
    assert_eq!(act_as_agent(&mut console), None);

    // Someone changes the Authentication's password on the tenant: the next
    // confirmation warns that deliveries would be refused.
    let mut changed: Value = auths[0].clone();
    changed["basicAuth"]["password"] = json!("changed-on-the-tenant-93");
    client
        .update_raw(
            EntityKind::Authentication,
            auths[0]["id"].as_str().expect("id"),
            &changed,
        )
        .await
        .expect("password changed");
    let effects = startup(&mut console.app);
    console.perform(effects);
    console.until_loaded();
    // (The agent role calls the console already; the bot role still calls the sandbox.)
    let message = ask_takeover(&mut console, "custom_bot");
    assert!(
        message.contains("warning") && message.contains("differs") && message.contains("401"),
        "{message}"
    );
    assert!(!message.contains("changed-on-the-tenant-93") && !message.contains(&password));
    console.key(KeyCode::Esc);
    drop(connection);
}
