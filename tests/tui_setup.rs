//! New objects from templates and the guided setup, at the update level:
//! names (channel types, addresses) that no loaded object uses, and pending
//! setup steps edited with their references to earlier steps kept readable.

mod common_tui;

use crossterm::event::KeyCode;
use serde_json::{Value, json};

use common_tui::*;
use egain_console::api::models::EntityKind;
use egain_console::setup::StepStatus;
use egain_console::tui::app::App;
use egain_console::tui::effect::{Call, Effect, Owner};
use egain_console::tui::msg::{ApiReply, Msg};
use egain_console::tui::panes::entities::kind_index;
use egain_console::tui::popup::{Editor, Popup};

fn editor(app: &App) -> &Editor {
    match app.popups.top() {
        Some(Popup::Editor(e)) => e,
        _ => panic!("expected the editor to be open"),
    }
}

fn editor_body(app: &App) -> Value {
    serde_json::from_str(&editor(app).text()).expect("the editor holds JSON")
}

/// Replace the editor's text the way `$EDITOR` returning does.
fn set_editor_text(app: &mut App, text: &str) {
    let owner = app.popups.top_layer().expect("an editor is open").owner();
    assert!(send(app, Msg::ExternalEdit(owner, Ok(text.to_owned()))).is_empty());
}

fn tab(app: &mut App, kind: EntityKind) {
    while app.entities.tab != kind_index(kind) {
        press_code(app, KeyCode::Right);
    }
}

/// The create body `n` then Ctrl-S sends for `kind`.
fn created_body(app: &mut App, kind: EntityKind) -> Value {
    tab(app, kind);
    assert!(press(app, 'n').is_empty());
    let effects = ctrl(app, 's');
    let body = match effects.as_slice() {
        [Effect::Call(Owner::Entities, Call::Create(k, body))] if *k == kind => body.clone(),
        other => panic!(
            "saving the template unchanged creates the {kind}: {other:?} {:?}",
            editor_problems(app)
        ),
    };
    // The hub answers; the editor closes.
    let created = Msg::Api(
        Owner::Entities,
        ApiReply::Created {
            kind,
            result: Ok("99999999-0000-4000-8000-00000000abcd".into()),
        },
    );
    send(app, created);
    assert!(app.popups.top().is_none());
    body
}

fn with_extra(kind: EntityKind, extra: Value) -> Msg {
    let mut items = objects(kind);
    items.push(extra);
    listed(kind, items)
}

#[test]
fn a_new_object_takes_the_first_free_name_type_and_address() {
    let mut app = loaded_app(false);
    // Nothing of the template's names exists: number 1.
    let channel = created_body(&mut app, EntityKind::Channel);
    assert_eq!(channel["displayName"], "Console Chat 1");
    assert_eq!(channel["type"], "custom.console-1");

    // Once the first exists, the next gets 2, with no edit.
    send(
        &mut app,
        with_extra(
            EntityKind::Channel,
            json!({"id": "c-1", "type": "custom.console-1", "displayName": "Console Chat 1"}),
        ),
    );
    tab(&mut app, EntityKind::Channel);
    press(&mut app, 'n');
    assert!(
        !editor(&app).hints.iter().any(|h| h.contains("is taken")),
        "numbered, not renamed"
    );
    press_code(&mut app, KeyCode::Esc);
    let channel = created_body(&mut app, EntityKind::Channel);
    assert_eq!(channel["displayName"], "Console Chat 2");
    assert_eq!(channel["type"], "custom.console-2");

    // An account on the newest channel whose address is taken there gets the next free one.
    send(&mut app, listed(EntityKind::Channel, objects(EntityKind::Channel)));
    send(
        &mut app,
        with_extra(
            EntityKind::Account,
            json!({"id": "a-9", "name": "Console Account 1", "address": "support@example.com",
                "channel": {"id": CHANNEL_ID}}),
        ),
    );
    tab(&mut app, EntityKind::Account);
    press(&mut app, 'n');
    let body = editor_body(&app);
    assert_eq!(body["name"], "Console Account 2");
    assert_eq!(body["channel"]["id"], CHANNEL_ID);
    assert_eq!(body["address"], "support-2@example.com");
    assert!(
        editor(&app)
            .hints
            .iter()
            .any(|h| h.contains("$.address") && h.contains("support-2@example.com")),
        "the editor says what it changed: {:?}",
        editor(&app).hints
    );
}

#[test]
fn the_guided_setup_is_numbered_after_the_setups_already_there() {
    let mut app = loaded_app(false);
    send(
        &mut app,
        with_extra(
            EntityKind::Account,
            json!({"id": "a-9", "name": "Console Account 1", "address": "x@y", "channel": {"id": CHANNEL_ID}}),
        ),
    );
    press(&mut app, 's');
    let setup = app.setup.as_ref().expect("the setup is open");
    let names: Vec<String> = setup
        .flow
        .steps()
        .iter()
        .map(|s| s.body[s.kind.unique_field()].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "console-callback-auth-2",
            "Console Application 2",
            "Console Bot 2",
            "custom.console-2",
            "Console Orchestration 2",
            "Console Account 2"
        ]
    );
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("Console Account 2"), "{screen}");
}

fn step_reply(step: usize, id: &str) -> Msg {
    Msg::Api(
        Owner::Setup,
        ApiReply::SetupStep {
            step,
            result: Ok(id.to_owned()),
        },
    )
}

#[test]
fn a_pending_step_that_references_earlier_steps_is_edited_kept_and_sent() {
    let mut app = empty_app(false);
    press(&mut app, 's');
    // The last step, the account, references the channel and orchestration not created yet.
    for _ in 0..5 {
        press(&mut app, 'j');
    }
    assert!(press(&mut app, 'e').is_empty());
    let mut body = editor_body(&app);
    assert_eq!(body["channel"]["id"], "{{channel.id}}");
    assert_eq!(
        body["chatConfigurations"]["orchestration"]["id"],
        "{{orchestration.id}}"
    );
    let hints = editor(&app).hints.join("\n");
    assert!(
        hints.contains("{{channel.id}}: step 4 Channel \"custom.console-1\", filled in once it is created"),
        "{hints}"
    );
    body["name"] = json!("Edited Account");
    set_editor_text(&mut app, &serde_json::to_string_pretty(&body).expect("json"));
    assert!(
        app.status
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("keeps it for when the step runs")),
        "Ctrl-S here saves, it does not send: {:?}",
        app.status.notice
    );
    // Saved although the references are not ids yet; back on the setup, nothing sent.
    assert!(ctrl(&mut app, 's').is_empty(), "{:?}", editor_problems(&app));
    assert!(app.setup_on_top());
    // Moving between steps keeps the edit; reopening shows it.
    press(&mut app, 'k');
    press(&mut app, 'k');
    press(&mut app, 'j');
    press(&mut app, 'j');
    press(&mut app, 'e');
    assert_eq!(editor_body(&app)["name"], "Edited Account");
    press_code(&mut app, KeyCode::Esc);
    let steps = app.setup.as_ref().expect("setup").flow.steps();
    assert!(steps[5].edited && steps[5].status == StepStatus::Pending);
    assert!(render(&mut app, 80, 24).contains("edited"));

    // Running the setup sends the edited body with the earlier steps' ids filled in.
    let effects = press_code(&mut app, KeyCode::Enter);
    assert!(matches!(
        effects.as_slice(),
        [Effect::Call(_, Call::SetupStep { step: 0, .. })]
    ));
    let ids = [AUTH_ID, APP_ID, BOT_ID, CHANNEL_ID, ORCH_ID];
    let mut last = Vec::new();
    for (step, id) in ids.iter().enumerate() {
        last = send(&mut app, step_reply(step, id));
    }
    let account = last
        .iter()
        .find_map(|e| match e {
            Effect::Call(Owner::Setup, Call::SetupStep { step: 5, body, .. }) => Some(body.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("step 6 runs: {last:?}"));
    assert_eq!(account["name"], "Edited Account");
    assert_eq!(account["channel"]["id"], CHANNEL_ID);
    assert_eq!(account["chatConfigurations"]["orchestration"]["id"], ORCH_ID);
}

fn editor_problems(app: &App) -> Vec<String> {
    match app.popups.top() {
        Some(Popup::Editor(e)) => e.problems.clone(),
        _ => Vec::new(),
    }
}

#[test]
fn a_step_edit_refuses_what_is_never_filled_and_esc_with_changes_asks_first() {
    let mut app = empty_app(false);
    press(&mut app, 's');
    // Step 1 cannot refer to the account (made last): that placeholder is refused.
    press(&mut app, 'e');
    let mut body = editor_body(&app);
    body["description"] = json!("{{account.id}}");
    set_editor_text(&mut app, &serde_json::to_string_pretty(&body).expect("json"));
    assert!(ctrl(&mut app, 's').is_empty());
    let problems = editor_problems(&app);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("$.description") && p.contains("{{account.id}}")),
        "{problems:?}"
    );
    // Esc with unsaved changes asks; the text stays until Esc again.
    press_code(&mut app, KeyCode::Esc);
    assert!(matches!(app.popups.top(), Some(Popup::Editor(_))), "asked, not closed");
    assert!(editor_problems(&app).iter().any(|p| p.contains("unsaved changes")));
    press_code(&mut app, KeyCode::Esc);
    assert!(app.setup_on_top());
    let step = &app.setup.as_ref().expect("setup").flow.steps()[0];
    assert!(!step.edited, "discarded");
    assert_ne!(step.body["description"], "{{account.id}}");
}

#[test]
fn the_step_editor_never_shows_the_callback_password_and_keeps_it() {
    let mut app = empty_app(false);
    press(&mut app, 's');
    let password = app.setup.as_ref().expect("setup").flow.steps()[0].body["basicAuth"]["password"]
        .as_str()
        .expect("a generated password")
        .to_owned();
    press(&mut app, 'e');
    assert!(!editor(&app).text().contains(&password), "redacted on screen");
    assert!(!render(&mut app, 120, 40).contains(&password));
    let mut body = editor_body(&app);
    body["name"] = json!("renamed-auth");
    set_editor_text(&mut app, &serde_json::to_string_pretty(&body).expect("json"));
    ctrl(&mut app, 's');
    let step = &app.setup.as_ref().expect("setup").flow.steps()[0];
    assert_eq!(step.body["name"], "renamed-auth");
    assert_eq!(
        step.body["basicAuth"]["password"],
        password.as_str(),
        "kept for the create"
    );
}

#[test]
fn a_new_authentication_shows_its_generated_password_redacted_and_sends_it() {
    let mut app = loaded_app(false);
    tab(&mut app, EntityKind::Authentication);
    press(&mut app, 'n');
    let shown = editor_body(&app);
    assert_eq!(shown["basicAuth"]["password"], "[REDACTED]");
    let body = created_body_of_open_editor(&mut app);
    let password = body["basicAuth"]["password"].as_str().expect("a password");
    assert!(password.len() >= 16 && !password.contains("REDACTED"), "{password}");
    assert_eq!(body["name"], "console-callback-auth-1");
}

fn created_body_of_open_editor(app: &mut App) -> Value {
    match ctrl(app, 's').as_slice() {
        [Effect::Call(Owner::Entities, Call::Create(_, body))] => body.clone(),
        other => panic!("sent: {other:?} {:?}", editor_problems(app)),
    }
}

#[test]
fn on_a_tenant_with_a_receiver_the_setup_calls_the_console_with_the_receivers_credentials() {
    use egain_console::api::Secret;
    use egain_console::callback::ReceiverAuth;
    use egain_console::callback_takeover::ReceiverCredentials;
    let mut app = empty_app(false);
    app.session.sandbox = false;
    app.session.sandbox_root = None;
    let base = "https://tunnel.example.com/callback";
    app.session.callback_urls = ["customer", "custom_bot", "custom_agent"]
        .iter()
        .map(|r| (r.to_string(), format!("{base}/{r}")))
        .collect();
    app.session.receiver = Some(ReceiverCredentials {
        auth: ReceiverAuth::Basic {
            username: "hub-user".into(),
            password: Secret::new(CANARY),
        },
        token_url: None,
    });
    press(&mut app, 's');
    let steps = app.setup.as_ref().expect("setup").flow.steps();
    assert_eq!(steps[0].body["basicAuth"]["username"], "hub-user");
    assert_eq!(steps[0].body["basicAuth"]["password"], CANARY);
    let roles = steps[1].body["roles"].as_array().expect("roles");
    let callbacks: Vec<&str> = roles.iter().filter_map(|r| r["callback"].as_str()).collect();
    assert_eq!(
        callbacks,
        [
            format!("{base}/customer"),
            format!("{base}/custom_bot"),
            format!("{base}/custom_agent")
        ]
    );
    // Never on screen, not even in the step editor.
    assert!(!render(&mut app, 120, 40).contains(CANARY));
    press(&mut app, 'e');
    assert!(!editor(&app).text().contains(CANARY));
    assert!(!render(&mut app, 80, 24).contains(CANARY));
}
