//! `v` opens the focused body in `$PAGER`: the entity detail's JSON, the
//! request log's exchange (request and response), a message's text. Each
//! is asked for as an effect carrying the text as the screen shows it; the
//! runtime's pager (`tui::pager::show`) gets it as a private temp file.
//! A fake pager records what it was handed: never the canary secret.

mod common_tui;

use base64::Engine;
use crossterm::event::KeyCode;

use common_tui::*;
use egain_console::api::models::EntityKind;
use egain_console::tui::app::App;
use egain_console::tui::effect::{Effect, Owner};
use egain_console::tui::msg::{ApiReply, Msg};

/// The canary as it could leak: plain, or inside a Basic credential.
fn leaks(text: &str) -> bool {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("console-client:{CANARY}"));
    text.contains(CANARY) || text.contains(&basic)
}

/// The text `v` hands to the pager here; fails when it asks for anything else.
fn paged(app: &mut App) -> String {
    let effects = press(app, 'v');
    match effects.as_slice() {
        [Effect::Pager(text)] => text.clone(),
        other => panic!("v opens the pager: {other:?}"),
    }
}

fn authentication_detail() -> App {
    let mut app = loaded_app(false);
    for _ in 0..5 {
        press_code(&mut app, KeyCode::Left);
    }
    assert_eq!(app.entities.kind(), Some(EntityKind::Authentication));
    press_code(&mut app, KeyCode::Enter);
    let value = objects(EntityKind::Authentication).remove(0);
    send(
        &mut app,
        Msg::Api(
            Owner::Entities,
            ApiReply::Fetched {
                kind: EntityKind::Authentication,
                id: AUTH_ID.into(),
                result: Ok(value),
            },
        ),
    );
    app
}

/// A fake `$PAGER`: copies the file it is handed beside itself.
#[cfg(unix)]
fn fake_pager(dir: &std::path::Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join("pager.sh");
    std::fs::write(&script, format!("#!/bin/sh\ncp \"$1\" '{}/seen.txt'\n", dir.display())).expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    script.display().to_string()
}

/// What the fake pager was handed for `text`.
#[cfg(unix)]
fn through_the_pager(text: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let pager = fake_pager(dir.path());
    egain_console::tui::pager::show(text, Some(&pager)).expect("the pager ran");
    std::fs::read_to_string(dir.path().join("seen.txt")).expect("the pager got a file")
}

#[test]
#[cfg(unix)]
fn the_entity_detail_goes_to_the_pager_with_its_secrets_redacted() {
    let mut app = authentication_detail();
    let text = paged(&mut app);
    let seen = through_the_pager(&text);
    assert!(seen.contains("\"basicAuth\""), "the detail's JSON:\n{seen}");
    assert!(seen.contains("demo-callback-auth"), "{seen}");
    assert!(!leaks(&seen), "the canary reached the pager's file:\n{seen}");
    // The same object from the list row.
    let mut app = loaded_app(false);
    for _ in 0..5 {
        press_code(&mut app, KeyCode::Left);
    }
    let seen = through_the_pager(&paged(&mut app));
    assert!(seen.contains("demo-callback-auth") && !leaks(&seen), "{seen}");
}

#[test]
#[cfg(unix)]
fn every_exchange_goes_to_the_pager_with_request_and_response_and_no_secret() {
    let mut app = loaded_app(false);
    push_exchanges(&mut app);
    press(&mut app, '3');
    press(&mut app, 'g');
    for i in 0..exchanges().len() {
        if i > 0 {
            press(&mut app, 'j');
        }
        let seen = through_the_pager(&paged(&mut app));
        assert!(!leaks(&seen), "exchange {i} leaked the canary:\n{seen}");
        assert!(seen.contains("Request headers"), "exchange {i}:\n{seen}");
    }
    // In the detail view too, and a response is there with its body.
    press(&mut app, 'g');
    press_code(&mut app, KeyCode::Enter);
    let seen = through_the_pager(&paged(&mut app));
    assert!(seen.contains("Response 200 headers"), "{seen}");
    assert!(
        seen.contains("Request body") || seen.contains("Response body"),
        "{seen}"
    );
    assert!(!leaks(&seen), "{seen}");
}

#[test]
fn a_message_text_goes_to_the_pager() {
    let mut app = conversation_app(false);
    let text = "order 日本語 😀 status\nsecond line";
    open_conversation(&mut app, text, "c0ffee00-0000-4000-8000-00000000f0c5");
    press_code(&mut app, KeyCode::Esc);
    assert_eq!(paged(&mut app), text);
}

#[test]
fn v_is_in_every_pane_s_commands_and_harmless_in_a_sentence() {
    // The help (and so the palette and footer: the same tables) lists v
    // first among the focused pane's commands' tables, in every place.
    type Place = fn() -> App;
    let places: [(&str, Place); 5] = [
        ("entity list", || loaded_app(false)),
        ("entity detail", authentication_detail),
        ("request log", || {
            let mut app = loaded_app(false);
            push_exchanges(&mut app);
            press(&mut app, '3');
            app
        }),
        ("exchange detail", || {
            let mut app = loaded_app(false);
            push_exchanges(&mut app);
            press(&mut app, '3');
            press_code(&mut app, KeyCode::Enter);
            app
        }),
        ("message list", || {
            let mut app = conversation_app(false);
            open_conversation(&mut app, "hello", "c0ffee00-0000-4000-8000-00000000f0c5");
            press_code(&mut app, KeyCode::Esc);
            app
        }),
    ];
    for (name, build) in places {
        let mut app = build();
        let tables = egain_console::tui::update::help_tables(&app);
        let current = app.commands();
        assert!(
            current.find(egain_console::tui::action::Action::OpenPager).is_some(),
            "{name}: v is not in the pane's commands"
        );
        assert_eq!(tables[0].context, current.context, "{name}");
        press(&mut app, '?');
        let Some(egain_console::tui::popup::Popup::Help(help)) = app.popups.top() else {
            panic!("{name}: help");
        };
        let rows = format!("{:?}", help.rows);
        assert!(rows.contains("keys: \"v\""), "{name}: {rows}");
    }
    let mut app = loaded_app(false);
    push_exchanges(&mut app);
    press(&mut app, '3');
    let screen = render(&mut app, 120, 40);
    assert!(screen.lines().last().is_some_and(|l| l.contains("v pager")), "{screen}");
    // "very well" typed in the message list opens nothing.
    let mut app = conversation_app(false);
    open_conversation(&mut app, "hello", "c0ffee00-0000-4000-8000-00000000f0c5");
    press_code(&mut app, KeyCode::Esc);
    let effects = burst(&mut app, "very well\n");
    assert!(effects.is_empty(), "{effects:?}");
    assert!(app.status.hint.is_some());
}
