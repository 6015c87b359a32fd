//! The console's `update` function driven by messages alone: no terminal, no
//! network. Each test feeds keys and API replies and checks state and the
//! effects asked for.

mod common_tui;

use crossterm::event::{KeyCode, KeyModifiers};
use serde_json::{Value, json};

use common_tui::*;
use egain_console::api::models::EntityKind;
use egain_console::setup::StepStatus;
use egain_console::tui::app::{App, PaneId};
use egain_console::tui::effect::{Call, Effect, Owner};
use egain_console::tui::msg::{ApiReply, Msg};
use egain_console::tui::popup::ask::{EntitiesAsk, RootAsk, SetupAsk};
use egain_console::tui::popup::{Ask, Editor, Popup};

fn editor(app: &App) -> &Editor {
    match app.popups.top() {
        Some(Popup::Editor(e)) => e,
        _ => panic!("expected the editor to be open"),
    }
}

fn selected_id(app: &App) -> Option<String> {
    let (_, v) = app.entities.selected()?;
    v.get("id").and_then(Value::as_str).map(str::to_owned)
}

/// Replace the editor's text the way `$EDITOR` returning does.
fn set_editor_text(app: &mut App, text: &str) {
    let owner = app.popups.top_layer().expect("an editor is open").owner();
    assert!(send(app, Msg::ExternalEdit(owner, Ok(text.to_owned()))).is_empty());
    assert_eq!(editor(app).text(), text.trim_end_matches('\n'));
}

// ---------------------------------------------------------------- navigation

#[test]
fn panes_switch_with_tab_backtab_and_digits() {
    let mut app = loaded_app(false);
    assert_eq!(app.focus, PaneId::Entities);
    assert!(press_code(&mut app, KeyCode::Tab).is_empty());
    assert_eq!(app.focus, PaneId::Conversation);
    // The composer is a typing context, but Tab still moves on.
    press_code(&mut app, KeyCode::Enter);
    assert!(app.conversation.composing);
    press_code(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, PaneId::Log);
    press_code(&mut app, KeyCode::BackTab);
    assert_eq!(app.focus, PaneId::Conversation);
    press_code(&mut app, KeyCode::BackTab);
    assert_eq!(app.focus, PaneId::Entities);
    press(&mut app, '3');
    assert_eq!(app.focus, PaneId::Log);
    press(&mut app, '3');
    assert_eq!(app.focus, PaneId::Log, "a digit focuses its pane, it does not toggle");
    press(&mut app, '2');
    assert_eq!(app.focus, PaneId::Conversation);
    // In the composer digits are text.
    press_code(&mut app, KeyCode::Enter);
    press(&mut app, '1');
    assert_eq!(app.focus, PaneId::Conversation);
    assert_eq!(app.conversation.composer_text(), "1");
    press_code(&mut app, KeyCode::Esc);
    press(&mut app, '1');
    assert_eq!(app.focus, PaneId::Entities);
}

#[test]
fn kind_tabs_move_with_arrows_and_wrap() {
    let mut app = loaded_app(false);
    assert_eq!(app.entities.kind(), Some(EntityKind::Account), "opens on Accounts");
    press_code(&mut app, KeyCode::Right);
    assert_eq!(app.entities.kind(), None, "the asset lookup tab follows Accounts");
    press_code(&mut app, KeyCode::Right);
    assert_eq!(
        app.entities.kind(),
        Some(EntityKind::Authentication),
        "wraps to the first kind"
    );
    press_code(&mut app, KeyCode::Left);
    press_code(&mut app, KeyCode::Left);
    assert_eq!(app.entities.kind(), Some(EntityKind::Account));
    press(&mut app, 'h');
    assert_eq!(app.entities.kind(), Some(EntityKind::Orchestration));
    press(&mut app, 'l');
    assert_eq!(app.entities.kind(), Some(EntityKind::Account));
}

#[test]
fn list_selection_moves_and_clamps() {
    let mut app = loaded_app(false);
    assert_eq!(selected_id(&app).as_deref(), Some(ACCOUNT_ID));
    press_code(&mut app, KeyCode::Down);
    assert_eq!(selected_id(&app).as_deref(), Some(ACCOUNT2_ID));
    press(&mut app, 'j');
    assert_eq!(selected_id(&app).as_deref(), Some(ACCOUNT2_ID), "stops at the last row");
    press(&mut app, 'k');
    assert_eq!(selected_id(&app).as_deref(), Some(ACCOUNT_ID));
    press(&mut app, 'G');
    assert_eq!(selected_id(&app).as_deref(), Some(ACCOUNT2_ID));
    press(&mut app, 'g');
    assert_eq!(selected_id(&app).as_deref(), Some(ACCOUNT_ID));
    press_code(&mut app, KeyCode::Up);
    assert_eq!(selected_id(&app).as_deref(), Some(ACCOUNT_ID), "stops at the first row");
}

#[test]
fn enter_opens_detail_and_references_are_followed_and_unwound() {
    let mut app = loaded_app(false);
    let effects = press_code(&mut app, KeyCode::Enter);
    assert_eq!(effects, vec![ent(Call::Get(EntityKind::Account, ACCOUNT_ID.into()))]);
    let detail = app.entities.detail.as_ref().expect("detail open");
    assert_eq!(detail.id, ACCOUNT_ID);
    assert!(
        detail.value.is_some(),
        "the listed object shows while the fresh copy loads"
    );
    let targets: Vec<(EntityKind, &str, bool)> = detail
        .refs
        .iter()
        .map(|r| (r.kind, r.id.as_str(), r.outgoing))
        .collect();
    assert_eq!(
        targets,
        vec![
            (EntityKind::Channel, CHANNEL_ID, true),
            (EntityKind::Orchestration, ORCH_ID, true)
        ]
    );
    assert_eq!(
        detail.refs[0].name.as_deref(),
        Some("custom.demo"),
        "a channel is labelled by its type"
    );

    // The server's copy replaces the cached one.
    let mut fresh = objects(EntityKind::Account).remove(0);
    fresh["description"] = json!("fresh from the server");
    send(
        &mut app,
        Msg::Api(
            Owner::Entities,
            ApiReply::Fetched {
                kind: EntityKind::Account,
                id: ACCOUNT_ID.into(),
                result: Ok(fresh.clone()),
            },
        ),
    );
    let detail = app.entities.detail.as_ref().expect("detail open");
    assert!(!detail.loading);
    assert_eq!(detail.value.as_ref(), Some(&fresh));

    // `]` selects the orchestration; Enter follows it.
    assert!(press(&mut app, ']').is_empty());
    let effects = press_code(&mut app, KeyCode::Enter);
    assert_eq!(effects, vec![ent(Call::Get(EntityKind::Orchestration, ORCH_ID.into()))]);
    let detail = app.entities.detail.as_ref().expect("detail open");
    assert_eq!((detail.kind, detail.id.as_str()), (EntityKind::Orchestration, ORCH_ID));
    assert_eq!(app.entities.kind(), Some(EntityKind::Orchestration), "the tab follows");
    // From the orchestration: its bot's application and participant, and the account pointing at it.
    let refs: Vec<(EntityKind, &str, bool)> = detail
        .refs
        .iter()
        .map(|r| (r.kind, r.id.as_str(), r.outgoing))
        .collect();
    assert!(refs.contains(&(EntityKind::Participant, BOT_ID, true)), "{refs:?}");
    assert!(
        refs.contains(&(EntityKind::ClientApplication, APP_ID, true)),
        "{refs:?}"
    );
    assert!(refs.contains(&(EntityKind::Account, ACCOUNT_ID, false)), "{refs:?}");

    // Follow on to the participant, then unwind with Esc.
    let to_bot = detail
        .refs
        .iter()
        .position(|r| r.kind == EntityKind::Participant)
        .expect("participant ref");
    for _ in 0..to_bot {
        press(&mut app, ']');
    }
    assert_eq!(
        press_code(&mut app, KeyCode::Enter),
        vec![ent(Call::Get(EntityKind::Participant, BOT_ID.into()))]
    );
    assert_eq!(app.entities.history.len(), 2);
    assert_eq!(
        press_code(&mut app, KeyCode::Esc),
        vec![ent(Call::Get(EntityKind::Orchestration, ORCH_ID.into()))]
    );
    assert_eq!(
        press_code(&mut app, KeyCode::Esc),
        vec![ent(Call::Get(EntityKind::Account, ACCOUNT_ID.into()))]
    );
    assert_eq!(app.entities.detail.as_ref().map(|d| d.id.as_str()), Some(ACCOUNT_ID));
    assert!(press_code(&mut app, KeyCode::Esc).is_empty());
    assert!(app.entities.detail.is_none(), "the last Esc closes the detail");
    assert_eq!(app.entities.kind(), Some(EntityKind::Account));
    assert_eq!(
        selected_id(&app).as_deref(),
        Some(ACCOUNT_ID),
        "back on the row it started from"
    );
}

#[test]
fn prev_ref_wraps_and_detail_keys_do_not_leak_to_the_list() {
    let mut app = loaded_app(false);
    press_code(&mut app, KeyCode::Enter);
    press(&mut app, '[');
    let detail = app.entities.detail.as_ref().expect("detail");
    assert_eq!(
        detail.ref_selected,
        detail.refs.len() - 1,
        "[ wraps to the last reference"
    );
    // ← is a list key for kind tabs; in the detail it does nothing.
    press_code(&mut app, KeyCode::Left);
    assert_eq!(app.entities.kind(), Some(EntityKind::Account));
    assert!(app.entities.detail.is_some());
}

// ---------------------------------------------------------------- filtering

#[test]
fn slash_filters_the_list_and_esc_clears_it() {
    let mut app = loaded_app(false);
    assert!(press(&mut app, '/').is_empty());
    assert!(
        matches!(app.popups.top(), Some(Popup::Prompt(_)))
            && app.popups.top_ask() == Some(&Ask::Entities(EntitiesAsk::Filter)),
        "/ opens the filter prompt"
    );
    // `q` and `1` are typed into the prompt, not taken as shortcuts.
    assert!(type_text(&mut app, "SUPPORT").is_empty());
    assert!(!app.should_quit);
    assert!(press_code(&mut app, KeyCode::Enter).is_empty());
    assert!(app.popups.top().is_none());
    assert_eq!(app.entities.filter, "SUPPORT");
    let rows = app.entities.visible(EntityKind::Account);
    assert_eq!(rows.len(), 1, "case-insensitive match on the name");
    assert_eq!(selected_id(&app).as_deref(), Some(ACCOUNT2_ID));

    // Filter by id too.
    press(&mut app, '/');
    for _ in 0.."SUPPORT".len() {
        press_code(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, &ACCOUNT_ID[..8]);
    press_code(&mut app, KeyCode::Enter);
    assert_eq!(selected_id(&app).as_deref(), Some(ACCOUNT_ID));

    // Nothing matching leaves no selection; Esc clears the filter.
    press(&mut app, '/');
    type_text(&mut app, "zzz-no-such");
    press_code(&mut app, KeyCode::Enter);
    assert!(app.entities.visible(EntityKind::Account).is_empty());
    assert_eq!(selected_id(&app), None);
    assert_eq!(press(&mut app, 'e'), vec![], "edit with nothing selected does nothing");
    assert!(app.popups.top().is_none());
    press_code(&mut app, KeyCode::Esc);
    assert!(app.entities.filter.is_empty());
    assert_eq!(app.entities.visible(EntityKind::Account).len(), 2);

    // Esc in the prompt cancels without applying.
    press(&mut app, '/');
    type_text(&mut app, "demo");
    press_code(&mut app, KeyCode::Esc);
    assert!(app.popups.top().is_none());
    assert!(app.entities.filter.is_empty());

    // Changing kind clears the filter.
    press(&mut app, '/');
    type_text(&mut app, "demo");
    press_code(&mut app, KeyCode::Enter);
    press_code(&mut app, KeyCode::Left);
    assert!(app.entities.filter.is_empty());
}

// ---------------------------------------------------------------- create

const VALID_CHANNEL: &str = r#"{
  "type": "custom.console-test",
  "displayName": "Console Chat",
  "icon": "iVBORw0KGgo=",
  "description": "made by a test",
  "active": true
}"#;

#[test]
fn create_prefills_references_from_loaded_lists() {
    let mut app = loaded_app(false);
    assert!(press(&mut app, 'n').is_empty());
    assert_eq!(
        app.popups.top_ask(),
        Some(&Ask::Entities(EntitiesAsk::Create {
            kind: EntityKind::Account
        }))
    );
    let e = editor(&app);
    let body: Value = serde_json::from_str(&e.text()).expect("template renders to JSON");
    assert_eq!(body["channel"]["id"], CHANNEL_ID);
    assert_eq!(body["chatConfigurations"]["orchestration"]["id"], ORCH_ID);
    assert!(!e.text().contains("{{"), "every placeholder is filled: {}", e.text());
    let hints = e.hints.join("\n");
    assert!(hints.contains("custom.demo") && hints.contains(CHANNEL_ID), "{hints}");
    assert!(hints.contains("Demo Orchestration"), "{hints}");

    // Without loaded channels the placeholder stays and the hint says so; sending is refused locally.
    let mut bare = empty_app(false);
    press(&mut bare, 'n');
    let e = editor(&bare);
    assert!(e.text().contains("{{channel.id}}"), "{}", e.text());
    assert!(e.hints.iter().any(|h| h.contains("none yet")), "{:?}", e.hints);
    assert!(ctrl(&mut bare, 's').is_empty());
    let problems = editor(&bare).problems.join("\n");
    assert!(problems.contains("$.channel.id"), "{problems}");
    assert!(problems.contains("{{channel.id}}"), "{problems}");
}

#[test]
fn create_validates_locally_then_sends_and_selects_the_new_object() {
    let mut app = loaded_app(false);
    press_code(&mut app, KeyCode::Left);
    press_code(&mut app, KeyCode::Left);
    assert_eq!(app.entities.kind(), Some(EntityKind::Channel));
    press(&mut app, 'n');
    assert_eq!(
        app.popups.top_ask(),
        Some(&Ask::Entities(EntitiesAsk::Create {
            kind: EntityKind::Channel
        }))
    );

    // A syntax error names line and column; nothing is sent.
    set_editor_text(&mut app, "{\n  \"type\": \"custom.x\",\n  displayName: 1\n}");
    assert!(ctrl(&mut app, 's').is_empty());
    let e = editor(&app);
    assert_eq!(e.problems.len(), 1);
    assert!(
        e.problems[0].contains("JSON syntax") && e.problems[0].contains("line 3, column 3"),
        "{:?}",
        e.problems
    );
    assert!(!e.sending);
    assert_eq!(app.in_flight, 0);

    // A schema violation names its JSON path; nothing is sent.
    set_editor_text(&mut app, r#"{"type": "", "displayName": "x", "active": "yes"}"#);
    assert!(ctrl(&mut app, 's').is_empty());
    let problems = editor(&app).problems.join("\n");
    assert!(problems.contains("$.type"), "{problems}");
    assert!(problems.contains("$.active"), "{problems}");

    // A valid body is sent as is.
    set_editor_text(&mut app, VALID_CHANNEL);
    let expected: Value = serde_json::from_str(VALID_CHANNEL).expect("json");
    assert_eq!(
        ctrl(&mut app, 's'),
        vec![ent(Call::Create(EntityKind::Channel, expected.clone()))]
    );
    assert!(editor(&app).sending);
    assert_eq!(app.in_flight, 1);
    assert!(ctrl(&mut app, 's').is_empty(), "no second send while one is in flight");
    assert!(type_text(&mut app, "zz").is_empty());
    assert_eq!(editor(&app).text(), VALID_CHANNEL, "the text is frozen while sending");

    // The server refuses: the text stays, the eGain code shows.
    let effects = send(
        &mut app,
        Msg::Api(
            Owner::Entities,
            ApiReply::Created {
                kind: EntityKind::Channel,
                result: Err(api_error(400, "400-143", "channel type is not unique")),
            },
        ),
    );
    assert!(effects.is_empty());
    assert_eq!(app.in_flight, 0);
    let e = editor(&app);
    assert!(!e.sending);
    assert_eq!(e.text(), VALID_CHANNEL);
    let problems = e.problems.join("\n");
    assert!(
        problems.contains("400-143") && problems.contains("not unique"),
        "{problems}"
    );

    // Another try succeeds: the editor closes, the list reloads, the new object is selected.
    assert_eq!(
        ctrl(&mut app, 's'),
        vec![ent(Call::Create(EntityKind::Channel, expected))]
    );
    let new_id = "99999999-0000-4000-8000-00000000abcd";
    let effects = send(
        &mut app,
        Msg::Api(
            Owner::Entities,
            ApiReply::Created {
                kind: EntityKind::Channel,
                result: Ok(new_id.into()),
            },
        ),
    );
    assert_eq!(effects, vec![ent(Call::list(EntityKind::Channel))]);
    assert!(app.popups.top().is_none());
    assert!(app.status.notice.as_deref().is_some_and(|n| n.contains(new_id)));
    let mut items = objects(EntityKind::Channel);
    let mut created = json!({"id": new_id, "modified": "2024-05-03T00:00:00.000Z"});
    created
        .as_object_mut()
        .expect("object")
        .extend(serde_json::from_str::<serde_json::Map<String, Value>>(VALID_CHANNEL).expect("json"));
    items.push(created);
    items.push(json!({"id": "aaaaaaaa-0000-4000-8000-000000000000", "type": "custom.after"}));
    send(&mut app, listed(EntityKind::Channel, items));
    assert_eq!(app.entities.kind(), Some(EntityKind::Channel));
    assert_eq!(selected_id(&app).as_deref(), Some(new_id));
    assert!(app.entities.select_after_load.is_none());
}

// ---------------------------------------------------------------- edit

#[test]
fn edit_keeps_unknown_fields_and_refuses_a_body_without_modified() {
    let mut app = loaded_app(false);
    assert!(press(&mut app, 'e').is_empty());
    assert_eq!(
        app.popups.top_ask(),
        Some(&Ask::Entities(EntitiesAsk::Update {
            kind: EntityKind::Account,
            id: ACCOUNT_ID.into()
        }))
    );
    let e = editor(&app);
    let body: Value = serde_json::from_str(&e.text()).expect("json");
    assert_eq!(
        body,
        objects(EntityKind::Account)[0],
        "the whole object, unknown fields included"
    );
    assert_eq!(body["x-tenantNote"], "kept as is");

    // Without `modified` the update is refused locally.
    let mut without = body.clone();
    without.as_object_mut().expect("object").remove("modified");
    set_editor_text(&mut app, &serde_json::to_string_pretty(&without).expect("json"));
    assert!(ctrl(&mut app, 's').is_empty());
    let problems = editor(&app).problems.join("\n");
    assert!(problems.contains("$.modified"), "{problems}");
    assert_eq!(app.in_flight, 0);

    // With it, the full object (unknown field kept) is sent as the update.
    let mut changed = body.clone();
    changed["description"] = json!("changed by a test");
    set_editor_text(&mut app, &serde_json::to_string_pretty(&changed).expect("json"));
    assert_eq!(
        ctrl(&mut app, 's'),
        vec![ent(Call::Update(EntityKind::Account, ACCOUNT_ID.into(), changed))]
    );
    // A refusal keeps the editor; success closes it and reloads.
    send(
        &mut app,
        Msg::Api(
            Owner::Entities,
            ApiReply::Updated {
                kind: EntityKind::Account,
                id: ACCOUNT_ID.into(),
                result: Err(api_error(409, "409-110", "modified does not match")),
            },
        ),
    );
    assert!(editor(&app).problems.join(" ").contains("409-110"));
    ctrl(&mut app, 's');
    let effects = send(
        &mut app,
        Msg::Api(
            Owner::Entities,
            ApiReply::Updated {
                kind: EntityKind::Account,
                id: ACCOUNT_ID.into(),
                result: Ok(()),
            },
        ),
    );
    assert_eq!(
        effects,
        vec![
            ent(Call::list(EntityKind::Account)),
            ent(Call::Get(EntityKind::Account, ACCOUNT_ID.into()))
        ]
    );
    assert!(app.popups.top().is_none());
}

#[test]
fn edit_from_detail_uses_the_fetched_copy_and_esc_cancels() {
    let mut app = loaded_app(false);
    press_code(&mut app, KeyCode::Enter);
    let mut fresh = objects(EntityKind::Account).remove(0);
    fresh["serverOnly"] = json!({"nested": [1, 2]});
    send(
        &mut app,
        Msg::Api(
            Owner::Entities,
            ApiReply::Fetched {
                kind: EntityKind::Account,
                id: ACCOUNT_ID.into(),
                result: Ok(fresh.clone()),
            },
        ),
    );
    press(&mut app, 'e');
    let body: Value = serde_json::from_str(&editor(&app).text()).expect("json");
    assert_eq!(body, fresh);
    assert!(press_code(&mut app, KeyCode::Esc).is_empty());
    assert!(app.popups.top().is_none());
    assert!(app.entities.detail.is_some(), "cancel returns to the detail");
}

// ---------------------------------------------------------------- delete

#[test]
fn delete_asks_naming_the_object_and_a_refusal_explains_why() {
    let mut app = loaded_app(false);
    assert!(press(&mut app, 'd').is_empty());
    let Some(Popup::Confirm(confirm)) = app.popups.top() else {
        panic!("d asks first");
    };
    assert!(
        confirm.message.contains("Demo Account") && confirm.message.contains(ACCOUNT_ID),
        "{}",
        confirm.message
    );
    assert_eq!(
        app.popups.top_ask(),
        Some(&Ask::Entities(EntitiesAsk::Delete {
            kind: EntityKind::Account,
            id: ACCOUNT_ID.into()
        }))
    );
    // n keeps it.
    assert!(press(&mut app, 'n').is_empty());
    assert!(app.popups.top().is_none());

    press(&mut app, 'd');
    assert_eq!(
        press_code(&mut app, KeyCode::Enter),
        vec![ent(Call::Delete(EntityKind::Account, ACCOUNT_ID.into()))]
    );
    assert!(app.popups.top().is_none());
    let effects = send(
        &mut app,
        Msg::Api(
            Owner::Entities,
            ApiReply::Deleted {
                kind: EntityKind::Account,
                id: ACCOUNT_ID.into(),
                result: Err(api_error(409, "409-104", "the account has open conversations")),
            },
        ),
    );
    assert!(effects.is_empty());
    let error = app.status.error.clone().expect("status error");
    assert!(
        error.contains("409-104") && error.contains("the account has open conversations"),
        "{error}"
    );

    // From the detail view, a successful delete closes it and reloads.
    press_code(&mut app, KeyCode::Enter);
    press(&mut app, 'd');
    assert_eq!(
        press_code(&mut app, KeyCode::Enter),
        vec![ent(Call::Delete(EntityKind::Account, ACCOUNT_ID.into()))]
    );
    let effects = send(
        &mut app,
        Msg::Api(
            Owner::Entities,
            ApiReply::Deleted {
                kind: EntityKind::Account,
                id: ACCOUNT_ID.into(),
                result: Ok(()),
            },
        ),
    );
    assert_eq!(effects, vec![ent(Call::list(EntityKind::Account))]);
    assert!(app.entities.detail.is_none());
    assert!(app.status.error.is_none(), "success clears the old error");
}

// ---------------------------------------------------------------- read-only

#[test]
fn read_only_refuses_every_change_before_anything_is_sent() {
    for key in ['n', 'e', 'E', 'd', 's'] {
        let mut app = loaded_app(true);
        let effects = press(&mut app, key);
        assert!(effects.is_empty(), "{key}: {effects:?}");
        assert!(app.popups.top().is_none(), "{key} opened a popup");
        let error = app.status.error.clone().unwrap_or_default();
        assert!(error.contains("read-only"), "{key}: {error:?}");
        assert_eq!(app.in_flight, 0);
    }
    // In the detail view too.
    for key in ['e', 'd'] {
        let mut app = loaded_app(true);
        press_code(&mut app, KeyCode::Enter);
        assert!(press(&mut app, key).is_empty());
        assert!(app.popups.top().is_none());
        assert!(app.status.error.as_deref().is_some_and(|e| e.contains("read-only")));
    }
    // Reading still works.
    let mut app = loaded_app(true);
    assert_eq!(press(&mut app, 'r'), vec![ent(Call::list(EntityKind::Account))]);
}

// ---------------------------------------------------------------- focus-scoped keys

#[test]
fn typing_in_the_editor_or_a_prompt_never_fires_shortcuts() {
    let mut app = loaded_app(false);
    press(&mut app, 'n');
    set_editor_text(&mut app, "");
    assert!(type_text(&mut app, "q1?2").is_empty());
    assert!(press_code(&mut app, KeyCode::Tab).is_empty());
    assert!(type_text(&mut app, "jGn").is_empty());
    assert!(!app.should_quit);
    assert_eq!(app.focus, PaneId::Entities);
    assert!(editor(&app).text().starts_with("q1?2"), "{}", editor(&app).text());
    assert!(editor(&app).text().ends_with("jGn"), "{}", editor(&app).text());
    assert_eq!(ctrl(&mut app, 'c'), vec![Effect::Quit], "Ctrl-C always quits");
    assert!(app.should_quit);

    let mut app = loaded_app(false);
    press(&mut app, '3');
    press(&mut app, '/');
    assert!(type_text(&mut app, "q1?c").is_empty());
    assert!(matches!(app.popups.top(), Some(Popup::Prompt(p)) if p.text() == "q1?c"));
    assert!(!app.should_quit);
    assert_eq!(app.focus, PaneId::Log);
    // Pasting into the prompt keeps only the first line.
    send(&mut app, Msg::Paste(" m:GET\nrm -rf".into()));
    assert!(matches!(app.popups.top(), Some(Popup::Prompt(p)) if p.text() == "q1?c m:GET"));
    assert_eq!(ctrl(&mut app, 'c'), vec![Effect::Quit]);

    // In the confirmation and help popups, only their keys act.
    let mut app = loaded_app(false);
    press(&mut app, 'd');
    assert!(press(&mut app, '2').is_empty());
    assert_eq!(app.focus, PaneId::Entities);
    assert!(press(&mut app, 'q').is_empty());
    assert!(!app.should_quit);
    assert_eq!(ctrl(&mut app, 'c'), vec![Effect::Quit]);

    let mut app = loaded_app(false);
    press(&mut app, '?');
    assert!(matches!(app.popups.top(), Some(Popup::Help(_))));
    assert!(press(&mut app, '2').is_empty());
    assert_eq!(app.focus, PaneId::Entities);
    press(&mut app, 'q');
    assert!(app.popups.top().is_none(), "q closes help rather than quitting");
    assert!(!app.should_quit);
}

#[test]
fn quit_asks_first_while_requests_are_in_flight() {
    let mut app = loaded_app(false);
    assert_eq!(press(&mut app, 'r'), vec![ent(Call::list(EntityKind::Account))]);
    assert_eq!(app.in_flight, 1);
    assert!(press(&mut app, 'q').is_empty());
    assert!(!app.should_quit);
    let Some(Popup::Confirm(c)) = app.popups.top() else {
        panic!("q asks while a request is in flight");
    };
    assert_eq!(app.popups.top_ask(), Some(&Ask::Root(RootAsk::Quit)));
    assert!(c.message.contains('1'), "{}", c.message);
    press_code(&mut app, KeyCode::Esc);
    assert!(app.popups.top().is_none() && !app.should_quit);
    press(&mut app, 'q');
    assert_eq!(press_code(&mut app, KeyCode::Enter), vec![Effect::Quit]);
    assert!(app.should_quit);

    // Nothing in flight: q quits at once.
    let mut app = loaded_app(false);
    assert_eq!(app.in_flight, 0);
    assert_eq!(press(&mut app, 'q'), vec![Effect::Quit]);
}

#[test]
fn the_spinner_ticks_only_while_something_is_in_flight() {
    let mut app = loaded_app(false);
    let effects = egain_console::tui::update::update(&mut app, key_event(KeyCode::Char('r'), KeyModifiers::NONE));
    assert!(
        matches!(
            effects.as_slice(),
            [
                Effect::Call(
                    Owner::Entities,
                    Call::List {
                        kind: EntityKind::Account,
                        page: 1,
                        ..
                    }
                ),
                Effect::ScheduleTick
            ]
        ),
        "{effects:?}"
    );
    let effects = egain_console::tui::update::update(&mut app, Msg::Tick);
    assert_eq!(effects, vec![Effect::ScheduleTick], "still in flight: tick again");
    send(&mut app, listed(EntityKind::Account, objects(EntityKind::Account)));
    assert_eq!(app.in_flight, 0);
    let effects = egain_console::tui::update::update(&mut app, Msg::Tick);
    assert!(effects.is_empty(), "idle: no more ticks");
}

// ---------------------------------------------------------------- request log

#[test]
fn log_shows_exchanges_follows_and_filters() {
    let mut app = loaded_app(false);
    press(&mut app, '3');
    push_exchanges(&mut app);
    let total = exchanges().len();
    assert_eq!(app.log.log.len(), total);
    assert_eq!(app.log.log.visible_len(), total);
    assert!(app.log.follow);
    assert_eq!(
        app.log.selected_row(),
        Some(total - 1),
        "follow keeps the newest selected"
    );

    // Moving up pauses following; new entries no longer move the selection.
    press(&mut app, 'k');
    assert!(!app.log.follow);
    let held = app.log.selected;
    let mut x = exchanges().remove(1);
    x.id = 100;
    send(&mut app, Msg::Exchange(Box::new(x)));
    assert_eq!(app.log.selected, held);
    assert_eq!(app.log.log.len(), total + 1);
    // f follows again, jumping to the newest.
    press(&mut app, 'f');
    assert!(app.log.follow);
    assert_eq!(app.log.selected_row(), Some(total));

    // A bad filter keeps the prompt open with the reason.
    press(&mut app, '/');
    type_text(&mut app, "s:7xx");
    assert!(press_code(&mut app, KeyCode::Enter).is_empty());
    let Some(Popup::Prompt(prompt)) = app.popups.top() else {
        panic!("the prompt stays open on a bad expression");
    };
    assert!(
        prompt.error.as_deref().is_some_and(|e| e.contains("7xx")),
        "{:?}",
        prompt.error
    );
    assert_eq!(app.log.log.visible_len(), total + 1, "the old filter stays");
    // Typing clears the error; a good expression applies.
    for _ in 0..3 {
        press_code(&mut app, KeyCode::Backspace);
    }
    assert!(matches!(app.popups.top(), Some(Popup::Prompt(p)) if p.error.is_none()));
    type_text(&mut app, "4xx");
    press_code(&mut app, KeyCode::Enter);
    assert!(app.popups.top().is_none());
    assert_eq!(app.log.filter_text, "s:4xx");
    assert_eq!(app.log.log.visible_len(), 2, "the 400 and the 409");
    press_code(&mut app, KeyCode::Esc);
    assert!(app.log.filter_text.is_empty());
    assert_eq!(app.log.log.visible_len(), total + 1);
}

#[test]
fn log_detail_and_exports_carry_no_secret() {
    let mut app = loaded_app(false);
    press(&mut app, '3');
    push_exchanges(&mut app);
    // Select the token exchange (the first one) and copy it as curl.
    press(&mut app, 'g');
    let effects = press(&mut app, 'c');
    let [Effect::Clipboard(clip), Effect::SaveText { base_name, text }] = effects.as_slice() else {
        panic!("c copies and saves: {effects:?}");
    };
    assert_eq!(clip, text);
    assert!(base_name.ends_with(".sh"), "{base_name}");
    assert!(text.starts_with("curl") || text.contains("curl "), "{text}");
    assert!(text.contains("oauth2/token"), "{text}");
    assert!(!text.contains(CANARY), "{text}");

    // In the detail view, c copies the same exchange; s saves without the clipboard.
    assert!(press_code(&mut app, KeyCode::Enter).is_empty());
    assert!(app.log.detail.is_some());
    let effects = press(&mut app, 'c');
    assert!(matches!(effects.as_slice(), [Effect::Clipboard(t), Effect::SaveText { .. }] if t == clip));
    let effects = press(&mut app, 's');
    assert!(matches!(effects.as_slice(), [Effect::SaveText { text, .. }] if text == clip));
    press_code(&mut app, KeyCode::Esc);
    assert!(app.log.detail.is_none());

    // x exports the visible log as HAR.
    let effects = press(&mut app, 'x');
    let [Effect::SaveText { base_name, text }] = effects.as_slice() else {
        panic!("x saves a HAR file: {effects:?}");
    };
    assert!(base_name.ends_with(".har"));
    let har: Value = serde_json::from_str(text).expect("HAR is JSON");
    assert_eq!(har["log"]["entries"].as_array().map(Vec::len), Some(exchanges().len()));
    assert!(!text.contains(CANARY));

    send(&mut app, Msg::Saved(Ok("saved to /tmp/x.har".into())));
    assert_eq!(app.status.notice.as_deref(), Some("saved to /tmp/x.har"));
    send(&mut app, Msg::Saved(Err("disk full".into())));
    assert_eq!(app.status.error.as_deref(), Some("disk full"));
}

// ---------------------------------------------------------------- guided setup

fn setup_steps(app: &App) -> Vec<StepStatus> {
    let setup = app.setup.as_ref().expect("the guided setup is open");
    setup.flow.steps().iter().map(|s| s.status.clone()).collect()
}

fn reply_step(app: &mut App, step: usize, result: Result<&str, egain_console::api::ApiError>) -> Vec<Effect> {
    send(
        app,
        Msg::Api(
            Owner::Setup,
            ApiReply::SetupStep {
                step,
                result: result.map(str::to_owned),
            },
        ),
    )
}

#[test]
fn guided_setup_runs_fails_is_edited_and_resumes() {
    let mut app = empty_app(false);
    assert!(press(&mut app, 's').is_empty());
    assert!(app.setup_on_top());

    // Enter runs step 1.
    let effects = press_code(&mut app, KeyCode::Enter);
    let [Effect::Call(_, Call::SetupStep { step: 0, kind, body })] = effects.as_slice() else {
        panic!("Enter starts the first step: {effects:?}");
    };
    assert_eq!(*kind, EntityKind::Authentication);
    assert_eq!(body["type"], "basic");
    assert!(press_code(&mut app, KeyCode::Enter).is_empty(), "one step at a time");
    assert!(
        press_code(&mut app, KeyCode::Esc).is_empty(),
        "no closing while a step runs"
    );

    // Its success starts step 2 with the new id wired in, and reloads that kind's list.
    let effects = reply_step(&mut app, 0, Ok(AUTH_ID));
    let Some(Effect::Call(_, Call::SetupStep { step: 1, kind, body })) = effects.first() else {
        panic!("step 2 follows: {effects:?}");
    };
    assert_eq!(*kind, EntityKind::ClientApplication);
    assert_eq!(body["roles"][0]["authentication"]["id"], AUTH_ID);
    assert!(effects.contains(&ent(Call::list(EntityKind::Authentication))));

    // Step 2 fails on the server: it stays failed, selected, and nothing else runs.
    let effects = reply_step(&mut app, 1, Err(api_error(400, "400-101", "name is not unique")));
    assert!(effects.is_empty());
    let steps = setup_steps(&app);
    assert!(matches!(steps[0], StepStatus::Done { ref id } if id == AUTH_ID));
    assert!(
        matches!(&steps[1], StepStatus::Failed { error } if error.contains("400-101")),
        "{steps:?}"
    );
    assert!(app.setup_on_top());
    assert!(app.setup.as_ref().is_some_and(|s| s.selected == 1 && !s.running));

    // e opens the failed step's body in an editor stacked over the setup.
    assert!(press(&mut app, 'e').is_empty());
    assert_eq!(app.popups.len(), 2, "the setup stays below the editor");
    assert_eq!(app.popups.top_ask(), Some(&Ask::Setup(SetupAsk::EditStep { step: 1 })));
    let e = editor(&app);
    let mut body: Value = serde_json::from_str(&e.text()).expect("json");
    // The reference to step 1 stays readable; the hint names what it is.
    assert_eq!(body["roles"][0]["authentication"]["id"], "{{authentication.id}}");
    assert!(
        e.hints
            .iter()
            .any(|h| h.contains("{{authentication.id}}") && h.contains(AUTH_ID)),
        "{:?}",
        e.hints
    );
    body["name"] = json!("Console App (renamed)");
    set_editor_text(&mut app, &serde_json::to_string_pretty(&body).expect("json"));
    // Saving returns to the setup with the step pending again; nothing is sent yet.
    assert!(ctrl(&mut app, 's').is_empty());
    assert!(app.setup_on_top());
    assert_eq!(app.popups.len(), 1);
    assert_eq!(setup_steps(&app)[1], StepStatus::Pending);

    // Enter resumes at step 2 with the fix.
    let effects = press_code(&mut app, KeyCode::Enter);
    let [Effect::Call(_, Call::SetupStep { step: 1, body, .. })] = effects.as_slice() else {
        panic!("resume at step 2: {effects:?}");
    };
    assert_eq!(body["name"], "Console App (renamed)");

    // The rest succeed; the last reply reloads every list.
    let ids = [APP_ID, BOT_ID, CHANNEL_ID, ORCH_ID, ACCOUNT_ID];
    for (i, id) in ids.iter().enumerate() {
        let step = i + 1;
        let effects = reply_step(&mut app, step, Ok(id));
        if step < 5 {
            let Some(Effect::Call(_, Call::SetupStep { step: next, body, .. })) = effects.first() else {
                panic!("step {} follows: {effects:?}", step + 2);
            };
            assert_eq!(*next, step + 1);
            assert!(!body.to_string().contains("{{"), "references filled: {body}");
        } else {
            let lists: Vec<Effect> = EntityKind::ALL.into_iter().map(|k| ent(Call::list(k))).collect();
            assert_eq!(effects, lists);
        }
    }
    assert!(setup_steps(&app).iter().all(|s| matches!(s, StepStatus::Done { .. })));
    assert!(app.status.notice.as_deref().is_some_and(|n| n.contains("complete")));
    assert!(press_code(&mut app, KeyCode::Esc).len() == EntityKind::ALL.len());
    assert!(app.popups.top().is_none());
}

#[test]
fn guided_setup_edit_cancel_returns_unchanged_and_an_invalid_step_body_is_not_taken() {
    let mut app = empty_app(false);
    press(&mut app, 's');
    press(&mut app, 'e');
    let original = editor(&app).text();
    press_code(&mut app, KeyCode::Esc);
    assert!(app.setup_on_top(), "Esc returns to the setup");
    assert_eq!(setup_steps(&app)[0], StepStatus::Pending);

    // A step body the schema refuses stays in the editor with the path named; nothing is sent.
    press(&mut app, 'e');
    assert_eq!(editor(&app).text(), original);
    let mut body: Value = serde_json::from_str(&original).expect("json");
    body["type"] = json!("digest");
    set_editor_text(&mut app, &serde_json::to_string_pretty(&body).expect("json"));
    assert!(ctrl(&mut app, 's').is_empty());
    assert!(
        editor(&app).problems.join(" ").contains("$.type"),
        "{:?}",
        editor(&app).problems
    );
    // The text was changed: the first Esc asks, the second discards.
    press_code(&mut app, KeyCode::Esc);
    assert!(editor(&app).problems.join(" ").contains("unsaved"));
    press_code(&mut app, KeyCode::Esc);
    assert!(app.setup_on_top());
    assert_eq!(app.in_flight, 0);
}

#[test]
fn editing_an_authentication_never_shows_its_password_but_keeps_it() {
    let mut app = loaded_app(false);
    // Authentications are the first tab.
    while app.entities.kind() != Some(EntityKind::Authentication) {
        press_code(&mut app, KeyCode::Right);
    }
    assert!(press(&mut app, 'e').is_empty());
    let text = editor(&app).text();
    assert!(!text.contains(CANARY), "the editor shows no secret:\n{text}");
    assert!(text.contains("[REDACTED]"));
    // Saving unchanged sends the original password back (a PUT is a full replacement).
    let effects = ctrl(&mut app, 's');
    let Some(Effect::Call(Owner::Entities, Call::Update(kind, id, body))) = effects.first() else {
        panic!("expected an update, got {effects:?}");
    };
    assert_eq!((*kind, id.as_str()), (EntityKind::Authentication, AUTH_ID));
    assert!(
        body.to_string().contains(CANARY),
        "the password is restored for the PUT"
    );
    // A password typed anew wins.
    let mut app = loaded_app(false);
    while app.entities.kind() != Some(EntityKind::Authentication) {
        press_code(&mut app, KeyCode::Right);
    }
    press(&mut app, 'e');
    let retyped = editor(&app).text().replace("[REDACTED]", "brand-new");
    set_editor_text(&mut app, &retyped);
    let effects = ctrl(&mut app, 's');
    let Some(Effect::Call(Owner::Entities, Call::Update(_, _, body))) = effects.first() else {
        panic!("expected an update, got {effects:?}");
    };
    assert!(!body.to_string().contains(CANARY) && body.to_string().contains("brand-new"));
}

#[test]
fn the_takeover_confirmation_names_the_credentials_the_hub_will_send() {
    use egain_console::callback_takeover::TakeoverPlan;
    let plan = |auth: Option<&str>| TakeoverPlan {
        base_url: format!("{SANDBOX_ROOT}/conversation/conversationmgr/v3"),
        app_id: APP_ID.into(),
        app_name: "Demo Application".into(),
        role: "custom_agent".into(),
        current_callback: Some(format!("{SANDBOX_ROOT}/sandbox/agent")),
        new_callback: "https://tunnel.example.com/callback/custom_agent".into(),
        current_authentication: auth.map(str::to_owned),
        new_authentication: None,
    };
    let mut app = loaded_app(false);
    send(
        &mut app,
        Msg::Api(Owner::Entities, ApiReply::TakeoverPlanned(Ok(plan(Some(AUTH_ID))))),
    );
    let Some(Popup::Confirm(c)) = app.popups.top() else {
        panic!("the plan is confirmed first");
    };
    assert!(
        c.message.contains("demo-callback-auth") && c.message.contains("basic, user \"console\""),
        "{}",
        c.message
    );
    assert!(!c.message.contains(CANARY), "never the password");
    press_code(&mut app, KeyCode::Esc);
    send(
        &mut app,
        Msg::Api(Owner::Entities, ApiReply::TakeoverPlanned(Ok(plan(None)))),
    );
    let Some(Popup::Confirm(c)) = app.popups.top() else {
        panic!("confirm");
    };
    assert!(
        c.message.contains("warning: the role has no Authentication"),
        "{}",
        c.message
    );
}
