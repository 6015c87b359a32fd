//! What the console draws: every pane and popup rendered on a ratatui
//! `TestBackend` at 80x24 and 120x40 from fixed data, compared with the
//! committed insta snapshots. Then the canary: a secret placed in the
//! objects and exchanges shows on no screen and in no export.
//!
//! Update the snapshots after an intended change with
//! `INSTA_UPDATE=always cargo test --test tui_snapshots` and review the diff.

mod common_tui;

use base64::Engine;
use crossterm::event::KeyCode;
use egain_console::api::models::{AssetDownloadTicket, EntityKind};
use egain_console::tui::app::App;
use egain_console::tui::effect::{Call, Effect, Owner};
use egain_console::tui::msg::{ApiReply, Msg};
use egain_console::tui::popup::ask::EntitiesAsk;
use egain_console::tui::popup::{Editor, Popup};

use common_tui::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// A screen: how to bring a freshly loaded console to it.
struct Screen {
    name: &'static str,
    build: fn() -> App,
}

fn fetched(app: &mut App, kind: EntityKind, id: &str) {
    let value = objects(kind)
        .into_iter()
        .find(|v| v["id"] == id)
        .expect("fixture object");
    send(
        app,
        Msg::Api(
            Owner::Entities,
            ApiReply::Fetched {
                kind,
                id: id.into(),
                result: Ok(value),
            },
        ),
    );
}

fn entities_list() -> App {
    let mut app = loaded_app(false);
    press(&mut app, 'j');
    app
}

fn entities_empty_kind_read_only() -> App {
    let mut app = empty_app(true);
    send(&mut app, listed(EntityKind::Account, Vec::new()));
    app
}

fn account_detail() -> App {
    let mut app = loaded_app(false);
    press_code(&mut app, KeyCode::Enter);
    fetched(&mut app, EntityKind::Account, ACCOUNT_ID);
    app
}

fn orchestration_detail() -> App {
    let mut app = account_detail();
    press(&mut app, ']');
    press_code(&mut app, KeyCode::Enter);
    fetched(&mut app, EntityKind::Orchestration, ORCH_ID);
    app
}

fn authentication_detail() -> App {
    let mut app = loaded_app(false);
    for _ in 0..5 {
        press_code(&mut app, KeyCode::Left);
    }
    press_code(&mut app, KeyCode::Enter);
    fetched(&mut app, EntityKind::Authentication, AUTH_ID);
    app
}

fn asset_lookup() -> App {
    let mut app = loaded_app(false);
    press_code(&mut app, KeyCode::Right);
    press(&mut app, '/');
    type_text(&mut app, "a1b2c3");
    let effects = press_code(&mut app, KeyCode::Enter);
    assert_eq!(effects, vec![ent(Call::GetAsset("a1b2c3".into()))]);
    let ticket = AssetDownloadTicket {
        id: "a1b2c3".into(),
        name: "bird.jpg".into(),
        size: 48_213,
        content_type: "image/jpeg".into(),
        content_url: format!("{SANDBOX_ROOT}/storage/download?id=a1b2c3&signature={CANARY}"),
        content_url_expiry: "2024-05-02T11:45:00.000Z".into(),
        extra: Default::default(),
    };
    send(
        &mut app,
        Msg::Api(
            Owner::Entities,
            ApiReply::Asset {
                id: "a1b2c3".into(),
                result: Ok(ticket),
            },
        ),
    );
    app
}

fn request_log() -> App {
    let mut app = loaded_app(false);
    push_exchanges(&mut app);
    press(&mut app, '3');
    press(&mut app, 'k');
    app
}

fn exchange_detail_token() -> App {
    let mut app = request_log();
    press(&mut app, 'g');
    press_code(&mut app, KeyCode::Enter);
    app
}

fn exchange_detail_refused_create() -> App {
    let mut app = request_log();
    press(&mut app, 'g');
    for _ in 0..3 {
        press(&mut app, 'j');
    }
    press_code(&mut app, KeyCode::Enter);
    app
}

/// A long notice (a copied id) at the end of the status row.
fn status_long_notice() -> App {
    let mut app = loaded_app(false);
    send(
        &mut app,
        Msg::Saved(Ok(format!(
            "copied Account id {ACCOUNT_ID} to the clipboard; paste it with Ctrl-Shift-V"
        ))),
    );
    app
}

/// An account with a long CJK and emoji name whose orchestration's name is
/// long too: the header and the reference lines wrap, nothing is cut.
fn entity_detail_cjk() -> App {
    let mut app = loaded_app(false);
    let mut orch = objects(EntityKind::Orchestration).remove(0);
    orch["name"] = "東京サポート 夜間当番 エスカレーション 🌙 ボット優先 エージェント後続 Orchestration 終わり".into();
    send(&mut app, listed(EntityKind::Orchestration, vec![orch]));
    press_code(&mut app, KeyCode::Enter);
    let mut account = objects(EntityKind::Account).remove(0);
    account["name"] = "東京本社 カスタマーサポート窓口 😀 日本語チャット 平日九時から十八時まで 🎌 末尾".into();
    send(
        &mut app,
        Msg::Api(
            Owner::Entities,
            ApiReply::Fetched {
                kind: EntityKind::Account,
                id: ACCOUNT_ID.into(),
                result: Ok(account),
            },
        ),
    );
    app
}

fn help() -> App {
    let mut app = loaded_app(false);
    press(&mut app, '?');
    app
}

fn editor_with_problems() -> App {
    let mut app = loaded_app(false);
    // A fixed body (the template's names carry a random suffix).
    let kind = EntityKind::Account;
    app.popups.open(
        EntitiesAsk::Create { kind },
        Popup::Editor(Box::new(Editor::new(
            Owner::Entities,
            format!("New {kind}"),
            kind.input_schema(),
            r#"{
  "name": "",
  "address": "demo@sandbox.local",
  "channel": {"id": "4d5e6f70-0000-4000-8000-000000000004"},
  "chatConfigurations": {
    "timeout": "thirty",
    "defaultLanguage": "en-US",
    "onAgentUnavailability": "sometimes",
    "orchestration": {"id": "5e6f7081-0000-4000-8000-000000000005"},
    "entryPoint": {"id": "1001"}
  }
}"#,
            Vec::new(),
        ))),
    );
    assert!(ctrl(&mut app, 's').is_empty());
    app
}

fn editor_syntax_error() -> App {
    let mut app = loaded_app(false);
    press(&mut app, 'e');
    send(
        &mut app,
        Msg::ExternalEdit(
            Owner::Entities,
            Ok("{\n  \"name\": \"Demo Account\",\n  \"address\" \"x\"\n}".into()),
        ),
    );
    assert!(ctrl(&mut app, 's').is_empty());
    app
}

fn editor_server_refusal() -> App {
    let mut app = loaded_app(false);
    press(&mut app, 'e');
    let effects = ctrl(&mut app, 's');
    assert!(
        matches!(effects.as_slice(), [Effect::Call(Owner::Entities, Call::Update(..))]),
        "{effects:?}"
    );
    send(
        &mut app,
        Msg::Api(
            Owner::Entities,
            ApiReply::Updated {
                kind: EntityKind::Account,
                id: ACCOUNT_ID.into(),
                result: Err(api_error(409, "409-110", "modified does not match the stored object")),
            },
        ),
    );
    app
}

fn editor_create_hints() -> App {
    let mut app = loaded_app(false);
    press(&mut app, 'n');
    let Some(Popup::Editor(editor)) = app.popups.top() else {
        panic!("n opens the editor");
    };
    // The template's names carry a random suffix: show a fixed body, keep the real hints.
    let body: serde_json::Value = serde_json::from_str(&editor.text()).expect("json");
    let mut fixed = body.clone();
    fixed["name"] = "Console Account".into();
    fixed["description"] = "Business address of the console setup".into();
    let text = serde_json::to_string_pretty(&fixed).expect("json");
    send(&mut app, Msg::ExternalEdit(Owner::Entities, Ok(text)));
    app.status.notice = None;
    app
}

fn confirm_delete() -> App {
    let mut app = loaded_app(false);
    press(&mut app, 'd');
    app
}

fn filter_prompt_error() -> App {
    let mut app = request_log();
    press(&mut app, '/');
    type_text(&mut app, "m:FETCH");
    press_code(&mut app, KeyCode::Enter);
    app
}

fn guided_setup() -> App {
    let mut app = loaded_app(false);
    press(&mut app, 's');
    press_code(&mut app, KeyCode::Enter);
    send(
        &mut app,
        Msg::Api(
            Owner::Setup,
            ApiReply::SetupStep {
                step: 0,
                result: Ok(AUTH_ID.into()),
            },
        ),
    );
    send(
        &mut app,
        Msg::Api(
            Owner::Setup,
            ApiReply::SetupStep {
                step: 1,
                result: Err(api_error(400, "400-101", "name is not unique")),
            },
        ),
    );
    app
}

fn status_error() -> App {
    let mut app = loaded_app(false);
    press(&mut app, 'd');
    press_code(&mut app, KeyCode::Enter);
    send(
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
    app
}

/// 34 accounts: more than a page; the tab and the list say how many.
fn many_accounts() -> App {
    let mut app = loaded_app(false);
    let accounts: Vec<serde_json::Value> = (1..=34)
        .map(|i| {
            let mut v = objects(EntityKind::Account).remove(0);
            v["id"] = format!("6f708192-0000-4000-8000-{i:012}").into();
            v["name"] = format!("Account {i:02}").into();
            v["address"] = format!("account{i:02}@sandbox.local").into();
            v
        })
        .collect();
    send(&mut app, listed(EntityKind::Account, accounts));
    app
}

fn help_conversation() -> App {
    let mut app = loaded_app(false);
    press(&mut app, '2');
    press(&mut app, '?');
    app
}

fn help_log() -> App {
    let mut app = loaded_app(false);
    press(&mut app, '3');
    press(&mut app, '?');
    app
}

/// The palette with "sup" typed: the Support Account to go to, and the
/// commands that match.
fn palette() -> App {
    let mut app = loaded_app(false);
    press(&mut app, ':');
    type_text(&mut app, "sup");
    app
}

const SCREENS: &[Screen] = &[
    Screen {
        name: "entities_list",
        build: entities_list,
    },
    Screen {
        name: "entities_empty_read_only",
        build: entities_empty_kind_read_only,
    },
    Screen {
        name: "entity_detail_account",
        build: account_detail,
    },
    Screen {
        name: "entity_detail_orchestration",
        build: orchestration_detail,
    },
    Screen {
        name: "entity_detail_authentication",
        build: authentication_detail,
    },
    Screen {
        name: "assets_lookup",
        build: asset_lookup,
    },
    Screen {
        name: "request_log",
        build: request_log,
    },
    Screen {
        name: "exchange_detail_token",
        build: exchange_detail_token,
    },
    Screen {
        name: "exchange_detail_refused",
        build: exchange_detail_refused_create,
    },
    Screen {
        name: "help",
        build: help,
    },
    Screen {
        name: "editor_problems",
        build: editor_with_problems,
    },
    Screen {
        name: "editor_syntax_error",
        build: editor_syntax_error,
    },
    Screen {
        name: "editor_server_refusal",
        build: editor_server_refusal,
    },
    Screen {
        name: "confirm_delete",
        build: confirm_delete,
    },
    Screen {
        name: "log_filter_error",
        build: filter_prompt_error,
    },
    Screen {
        name: "guided_setup",
        build: guided_setup,
    },
    Screen {
        name: "status_error",
        build: status_error,
    },
    Screen {
        name: "editor_create_hints",
        build: editor_create_hints,
    },
    Screen {
        name: "entities_34_accounts",
        build: many_accounts,
    },
    Screen {
        name: "help_conversation",
        build: help_conversation,
    },
    Screen {
        name: "help_log",
        build: help_log,
    },
    Screen {
        name: "palette",
        build: palette,
    },
    Screen {
        name: "status_long_notice",
        build: status_long_notice,
    },
    Screen {
        name: "entity_detail_cjk",
        build: entity_detail_cjk,
    },
];

fn snapshot(screen: &Screen) {
    for (w, h) in SIZES {
        let mut app = (screen.build)();
        let text = render(&mut app, w, h);
        insta::assert_snapshot!(format!("{}_{w}x{h}", screen.name), text);
    }
}

macro_rules! snapshot_tests {
    ($($test:ident => $index:expr),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                snapshot(&SCREENS[$index]);
            }
        )*
    };
}

snapshot_tests! {
    entities_list_snapshots => 0,
    entities_empty_read_only_snapshots => 1,
    entity_detail_account_snapshots => 2,
    entity_detail_orchestration_snapshots => 3,
    entity_detail_authentication_snapshots => 4,
    assets_lookup_snapshots => 5,
    request_log_snapshots => 6,
    exchange_detail_token_snapshots => 7,
    exchange_detail_refused_snapshots => 8,
    help_snapshots => 9,
    editor_problems_snapshots => 10,
    editor_syntax_error_snapshots => 11,
    editor_server_refusal_snapshots => 12,
    confirm_delete_snapshots => 13,
    log_filter_error_snapshots => 14,
    guided_setup_snapshots => 15,
    status_error_snapshots => 16,
    editor_create_hints_snapshots => 17,
    entities_34_accounts_snapshots => 18,
    help_conversation_snapshots => 19,
    help_log_snapshots => 20,
    palette_snapshots => 21,
    status_long_notice_snapshots => 22,
    entity_detail_cjk_snapshots => 23,
}

#[test]
fn every_screen_has_a_snapshot_test() {
    assert_eq!(SCREENS.len(), 24, "add a snapshot_tests! line for each new screen");
}

// ---------------------------------------------------------------- canary

/// The canary as it could leak: plain, or inside a Basic credential.
fn leaks(text: &str) -> bool {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("console-client:{CANARY}"));
    text.contains(CANARY) || text.contains(&basic)
}

#[test]
fn the_canary_secret_shows_on_no_screen_and_in_no_export() {
    // The fixtures do carry it: in the listed and fetched Authentication, the
    // asset's signed URL, and the recorded exchanges before redaction.
    assert!(objects(EntityKind::Authentication)[0].to_string().contains(CANARY));

    let mut screens: Vec<(String, App)> = SCREENS.iter().map(|s| (s.name.to_owned(), (s.build)())).collect();
    // Every exchange's detail view.
    for i in 0..exchanges().len() {
        let mut app = request_log();
        press(&mut app, 'g');
        for _ in 0..i {
            press(&mut app, 'j');
        }
        press_code(&mut app, KeyCode::Enter);
        // Scroll through long details.
        screens.push((format!("exchange {i}"), app));
    }
    // The Authentication list row and its detail scrolled to the end.
    let mut app = authentication_detail();
    press(&mut app, 'G');
    screens.push(("authentication detail, end".into(), app));
    let mut app = loaded_app(false);
    for _ in 0..5 {
        press_code(&mut app, KeyCode::Left);
    }
    screens.push(("authentication list".into(), app));

    for (name, app) in &mut screens {
        for (w, h) in SIZES {
            let text = render(app, w, h);
            assert!(!leaks(&text), "the canary shows on {name} at {w}x{h}:\n{text}");
        }
    }

    // Exports: curl of every exchange (c, and s in the detail) and the HAR (x).
    let mut app = request_log();
    press(&mut app, 'g');
    let mut exported = 0;
    for i in 0..exchanges().len() {
        if i > 0 {
            press(&mut app, 'j');
        }
        for effect in press(&mut app, 'c') {
            match effect {
                Effect::Clipboard(text) | Effect::SaveText { text, .. } => {
                    assert!(!leaks(&text), "curl of exchange {i}:\n{text}");
                    exported += 1;
                }
                other => panic!("unexpected effect {other:?}"),
            }
        }
    }
    assert_eq!(exported, 2 * exchanges().len());
    let effects = press(&mut app, 'x');
    let [Effect::SaveText { text, .. }] = effects.as_slice() else {
        panic!("x exports HAR: {effects:?}");
    };
    assert!(text.contains("\"entries\""));
    assert!(!leaks(text), "HAR:\n{text}");
}

#[test]
fn the_entity_detail_wraps_a_long_cjk_header_and_reference_instead_of_cutting_them() {
    for (w, h) in SIZES {
        let mut app = entity_detail_cjk();
        let screen = render(&mut app, w, h);
        let rows: Vec<&str> = screen.lines().collect();
        // The header's and the orchestration reference's last words are on screen.
        let head_end = rows
            .iter()
            .position(|r| r.contains("末尾\""))
            .expect("the whole header");
        let refs_end = rows
            .iter()
            .position(|r| r.contains("終わり\""))
            .unwrap_or_else(|| panic!("the whole reference at {w}x{h}:\n{screen}"));
        assert!(head_end < refs_end, "{screen}");
        for row in &rows {
            assert!(egain_console::tui::wrap::width(row) <= w as usize, "{row}");
        }
    }
}
