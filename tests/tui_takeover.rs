//! "Use this console for a role" at the update level: the confirmation
//! checks the role's Authentication against the receiver's own credentials
//! (never showing a password), the status line shows what is taken, and the
//! detail is read again after the change.

mod common_tui;

use crossterm::event::KeyCode;

use common_tui::*;
use egain_console::api::Secret;
use egain_console::api::models::EntityKind;
use egain_console::callback::ReceiverAuth;
use egain_console::callback_takeover::{ReceiverCredentials, TakeoverPlan};
use egain_console::tui::app::App;
use egain_console::tui::effect::{Call, Effect, Owner};
use egain_console::tui::msg::{ApiReply, Msg, TakenRole};
use egain_console::tui::panes::entities::kind_index;
use egain_console::tui::popup::Popup;

fn plan() -> TakeoverPlan {
    TakeoverPlan {
        base_url: format!("{SANDBOX_ROOT}/conversation/conversationmgr/v3"),
        app_id: APP_ID.into(),
        app_name: "Demo Application".into(),
        role: "custom_agent".into(),
        current_callback: Some(format!("{SANDBOX_ROOT}/sandbox/agent")),
        new_callback: "https://tunnel.example.com/callback/custom_agent".into(),
        current_authentication: Some(AUTH_ID.into()),
        new_authentication: None,
    }
}

fn receiving(user: &str, password: &str) -> App {
    let mut app = loaded_app(false);
    app.session.receiver = Some(ReceiverCredentials {
        auth: ReceiverAuth::Basic {
            username: user.into(),
            password: Secret::new(password),
        },
        token_url: None,
    });
    app
}

/// The confirmation shown for [`plan`].
fn confirmation(app: &mut App) -> String {
    send(app, Msg::Api(Owner::Entities, ApiReply::TakeoverPlanned(Ok(plan()))));
    match app.popups.top() {
        Some(Popup::Confirm(c)) => c.message.clone(),
        _ => panic!("the plan is confirmed first"),
    }
}

#[test]
fn the_confirmation_warns_when_the_authentication_is_not_what_the_receiver_expects() {
    // The fixture's Authentication sends user "console" with the canary password.
    let mut app = receiving("console", CANARY);
    let message = confirmation(&mut app);
    assert!(message.contains("matches the receiver's credentials"), "{message}");
    assert!(!message.contains("warning"), "{message}");

    let mut app = receiving("console", "another-password-41");
    let message = confirmation(&mut app);
    assert!(
        message.contains("warning") && message.contains("differs") && message.contains("401"),
        "{message}"
    );
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("warning"), "shown on screen:\n{screen}");
    for secret in [CANARY, "another-password-41"] {
        assert!(
            !message.contains(secret) && !screen.contains(secret),
            "no password shown"
        );
    }

    let mut app = receiving("hub", CANARY);
    let message = confirmation(&mut app);
    assert!(
        message.contains("sends user \"console\"") && message.contains("expects user \"hub\""),
        "{message}"
    );
    assert!(!message.contains(CANARY));

    // A receiver that accepts anyone needs no credentials.
    let mut app = loaded_app(false);
    app.session.receiver = Some(ReceiverCredentials {
        auth: ReceiverAuth::None,
        token_url: None,
    });
    assert!(confirmation(&mut app).contains("accepts any caller"));
}

#[test]
fn the_session_debug_output_hides_the_receiver_password() {
    let app = receiving("console", CANARY);
    let text = format!("{:?}", app.session);
    assert!(text.contains("console") && !text.contains(CANARY), "{text}");
}

#[test]
fn an_applied_takeover_shows_on_the_status_line_and_the_detail_is_read_again() {
    let mut app = loaded_app(false);
    app.entities.tab = kind_index(EntityKind::ClientApplication);
    let effects = press_code(&mut app, KeyCode::Enter);
    assert!(effects.contains(&ent(Call::Get(EntityKind::ClientApplication, APP_ID.into()))));
    assert!(!render(&mut app, 80, 24).contains("→ console"));
    let effects = send(
        &mut app,
        Msg::Api(
            Owner::Entities,
            ApiReply::TakeoverApplied(Ok(TakenRole {
                app_name: "Demo Application".into(),
                role: "custom_agent".into(),
                original: Some(format!("{SANDBOX_ROOT}/sandbox/agent")),
            })),
        ),
    );
    assert!(
        effects.contains(&Effect::Call(
            Owner::Entities,
            Call::Get(EntityKind::ClientApplication, APP_ID.into())
        )),
        "the detail is read again: {effects:?}"
    );
    assert!(app.entities.detail.as_ref().is_some_and(|d| d.loading));
    // At 80 columns, with the reloads in flight, the role still shows.
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.lines().next().is_some_and(|l| l.contains("⇄ custom_agent")),
        "{screen}"
    );
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("⇄ custom_agent → console"), "{screen}");
}

#[test]
fn a_role_already_calling_the_console_is_not_asked_about_again() {
    let mut app = receiving("console", CANARY);
    let mut already = plan();
    already.current_callback = Some(already.new_callback.clone());
    let effects = send(
        &mut app,
        Msg::Api(Owner::Entities, ApiReply::TakeoverPlanned(Ok(already))),
    );
    assert!(effects.is_empty(), "{effects:?}");
    assert!(app.popups.top().is_none(), "nothing to confirm");
    assert!(
        app.status
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("already calls this console")),
        "{:?}",
        app.status.notice
    );
}

#[test]
fn taking_a_role_over_settles_the_warning_that_its_replies_go_elsewhere() {
    let mut app = loaded_app(false);
    let taken = |app: &mut App, role: &str| {
        send(
            app,
            Msg::Api(
                Owner::Entities,
                ApiReply::TakeoverApplied(Ok(TakenRole {
                    app_name: "Demo Application".into(),
                    role: role.into(),
                    original: None,
                })),
            ),
        );
    };
    let warning = "warning: as customer, replies will not arrive in this console: no client application points \
                   that role's callback here (u on the application's detail does, restored on exit)";
    app.status.error = Some(warning.into());
    taken(&mut app, "custom_agent");
    assert_eq!(
        app.status.error.as_deref(),
        Some(warning),
        "another role's takeover leaves it"
    );
    taken(&mut app, "customer");
    assert_eq!(app.status.error, None, "the customer's replies come here now");
}
