//! Lists that show everything, over real loopback HTTP: a sandbox holding
//! more than one page of every kind is listed in full by the console (it
//! follows `paginationInfo`), the count is the true one, and the filter
//! finds the last object. Then the request log: with a filter on, Enter
//! and `c` act on the highlighted row.

mod common_tui;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::KeyCode;
use serde_json::{Value, json};
use tokio::sync::mpsc::unbounded_channel;

use common_tui::*;
use egain_console::api::models::EntityKind;
use egain_console::api::{AuthConfig, Client, ClientConfig, Recorder, Secret};
use egain_console::sandbox::{self, SandboxConfig, Seed};
use egain_console::tui::app::{App, PaneId};
use egain_console::tui::effect::Effect;
use egain_console::tui::runtime::{RunOptions, Runtime};
use egain_console::tui::update::{startup, update};

/// More than the sandbox's page of 25.
const PER_KIND: usize = 27;

/// A fixture object of `kind` made unique by `i`, pointing at `ids` (the
/// first object created of each kind it references).
fn body(kind: EntityKind, i: usize, ids: &[(String, String)]) -> Value {
    let mut text = objects(kind).remove(0).to_string();
    for (fixture, real) in ids {
        text = text.replace(fixture.as_str(), real);
    }
    let mut v: Value = serde_json::from_str(&text).expect("json");
    let map = v.as_object_mut().expect("object");
    for field in ["id", "created", "modified"] {
        map.remove(field);
    }
    match kind {
        EntityKind::Channel => {
            v["type"] = json!(format!("custom.page{i:02}"));
            v["displayName"] = json!(format!("Paged Chat {i:02}"));
        }
        EntityKind::Account => {
            v["name"] = json!(format!("Paged Account {i:02}"));
            v["address"] = json!(format!("paged{i:02}@sandbox.local"));
        }
        _ => {
            let name = v["name"].as_str().unwrap_or("object").to_owned();
            v["name"] = json!(format!("{name} {i:02}"));
        }
    }
    v
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_every_kind_is_listed_and_the_filter_finds_the_last_object() {
    let sandbox = sandbox::start(SandboxConfig {
        seed: Seed::Empty,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let client = client_for(&sandbox);
    // The fixture ids each kind refers to, replaced by the first real object's.
    let fixture_ids = [
        (EntityKind::Authentication, AUTH_ID),
        (EntityKind::ClientApplication, APP_ID),
        (EntityKind::Participant, BOT_ID),
        (EntityKind::Channel, CHANNEL_ID),
        (EntityKind::Orchestration, ORCH_ID),
    ];
    let mut ids: Vec<(String, String)> = Vec::new();
    for kind in EntityKind::ALL {
        for i in 0..PER_KIND {
            let id = client
                .create_raw(kind, &body(kind, i, &ids))
                .await
                .unwrap_or_else(|e| panic!("creating {kind} {i}: {e}"));
            if i == 0
                && let Some((_, fixture)) = fixture_ids.iter().find(|(k, _)| *k == kind)
            {
                ids.push(((*fixture).to_owned(), id));
            }
        }
    }

    let dir = tempfile::tempdir().expect("temp dir");
    let (tx, mut rx) = unbounded_channel();
    let runtime = Runtime::new(
        client,
        tx,
        RunOptions {
            export_dir: Some(dir.path().join("export")),
            download_dir: Some(dir.path().join("downloads")),
            state_dir: Some(dir.path().join("state")),
            inbound: None,
        },
    );
    let mut app = empty_app(false);
    let effects = startup(&mut app);
    app.in_flight += effects.len();
    for effect in effects {
        runtime.perform(effect).expect("performed");
    }
    let complete = |app: &App| {
        EntityKind::ALL.iter().all(|k| {
            let l = app.entities.list(*k);
            l.loaded && !l.loading && l.error.is_none()
        })
    };
    while !complete(&app) {
        let msg = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("the lists load in time")
            .expect("queue open");
        for effect in update(&mut app, msg) {
            if !matches!(effect, Effect::ScheduleTick | Effect::ExpireNotice(_)) {
                runtime.perform(effect).expect("performed");
            }
        }
    }
    for kind in EntityKind::ALL {
        let list = app.entities.list(kind);
        assert_eq!(list.items.len(), PER_KIND, "{kind}: every page is listed");
        assert_eq!(list.total, PER_KIND, "{kind}: the true count");
    }
    // The last account (on the second page) is found by the filter, and the
    // tab shows the true count.
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains(&format!("Accts {PER_KIND}")), "{screen}");
    assert!(screen.contains(&format!("{PER_KIND} of {PER_KIND}")), "{screen}");
    press(&mut app, '/');
    type_text(&mut app, &format!("Paged Account {:02}", PER_KIND - 1));
    press_code(&mut app, KeyCode::Enter);
    assert_eq!(app.entities.visible(EntityKind::Account).len(), 1);
    let (_, selected) = app.entities.selected().expect("a row");
    assert_eq!(
        selected["address"],
        json!(format!("paged{:02}@sandbox.local", PER_KIND - 1))
    );
}

#[test]
fn with_a_filter_on_enter_and_c_act_on_the_highlighted_row() {
    let mut app = loaded_app(false);
    push_exchanges(&mut app);
    press(&mut app, '3');
    assert_eq!(app.focus, PaneId::Log);
    // Select the newest (the failed download), then filter on POSTs: the
    // selection is filtered out and the highlight moves to a POST row.
    press(&mut app, 'G');
    press(&mut app, '/');
    type_text(&mut app, "m:POST");
    press_code(&mut app, KeyCode::Enter);
    assert!(app.popups.top().is_none());
    press(&mut app, 'g');
    press(&mut app, 'j');
    let row = app.log.selected_row().expect("a highlighted row");
    let highlighted = app.log.log.visible_seq(row).expect("seq");
    let exchange = app.log.log.get(highlighted).expect("exchange").clone();
    assert_eq!(exchange.method, "POST");
    // c copies that row's curl.
    let effects = press(&mut app, 'c');
    let Some(Effect::Clipboard(curl)) = effects.first() else {
        panic!("c copies: {effects:?}");
    };
    assert!(exchange.url.ends_with("/authentications"), "{}", exchange.url);
    assert!(curl.contains("POST") && curl.contains("/authentications"), "{curl}");
    // Enter opens that row.
    press_code(&mut app, KeyCode::Enter);
    assert_eq!(app.log.detail.map(|d| d.seq), Some(highlighted));

    // A selection the filter hides: Enter acts on the row shown highlighted.
    let mut app = loaded_app(false);
    push_exchanges(&mut app);
    press(&mut app, '3');
    press(&mut app, 'g');
    press(&mut app, '/');
    type_text(&mut app, "s:4xx");
    press_code(&mut app, KeyCode::Enter);
    let row = app.log.selected_row().expect("row");
    let shown = app.log.log.visible_seq(row).expect("seq");
    press_code(&mut app, KeyCode::Enter);
    assert_eq!(app.log.detail.map(|d| d.seq), Some(shown), "the highlighted row opens");
    let status = app.log.log.get(shown).and_then(|x| x.status);
    assert!(status.is_some_and(|s| (400..500).contains(&s)), "{status:?}");
}

#[test]
fn requests_in_flight_show_as_pending_rows_until_answered() {
    let mut app = loaded_app(false);
    push_exchanges(&mut app);
    // r reloads the accounts: a pending GET shows under the newest entry.
    press(&mut app, 'r');
    press(&mut app, '3');
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("pending…") && screen.contains("/accounts"), "{screen}");
    send(&mut app, listed(EntityKind::Account, objects(EntityKind::Account)));
    let screen = render(&mut app, 80, 24);
    assert!(!screen.contains("pending…"), "answered: {screen}");
}

/// Start-up asks for the kind on screen first, and the first frame may be
/// drawn once that list is in, while the other kinds still load.
#[test]
fn the_list_on_screen_loads_first_and_is_all_the_first_frame_waits_for() {
    let list_calls = |effects: &[Effect]| -> Vec<EntityKind> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Call(_, egain_console::tui::effect::Call::List { kind, page: 1, .. }) => Some(*kind),
                _ => None,
            })
            .collect()
    };
    let mut app = empty_app(false);
    let shown = app.entities.kind().expect("a kind tab is shown at start");
    assert_eq!(
        list_calls(&startup(&mut app)),
        vec![shown],
        "only the kind on screen is asked for first"
    );
    assert!(!app.first_frame_ready(), "nothing to show yet");
    // Its answer is what the first frame shows; the other kinds are asked for with it.
    let rest = list_calls(&send(&mut app, listed(shown, objects(shown))));
    assert!(app.first_frame_ready(), "the list on screen is in");
    let mut expected: Vec<EntityKind> = EntityKind::ALL.into_iter().filter(|k| *k != shown).collect();
    assert_eq!(rest, expected, "the other kinds follow once it is in");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Demo Account"), "{screen}");
    for kind in EntityKind::ALL.into_iter().filter(|k| *k != shown) {
        assert!(
            list_calls(&send(&mut app, listed(kind, objects(kind)))).is_empty(),
            "asked once"
        );
    }
    assert!(EntityKind::ALL.iter().all(|k| app.entities.list(*k).loaded));

    // A user who moves to another tab before the first list is in still gets every kind,
    // and a failed first list asks for the rest all the same.
    let mut app = empty_app(false);
    startup(&mut app);
    press_code(&mut app, KeyCode::Left);
    let moved_to = app.entities.kind().expect("a kind tab");
    assert_ne!(moved_to, shown, "another kind is on screen");
    let refused = egain_console::tui::msg::Msg::Api(
        egain_console::tui::effect::Owner::Entities,
        egain_console::tui::msg::ApiReply::Listed {
            kind: shown,
            page: 1,
            generation: 0,
            result: Err(egain_console::api::ApiError::Transport("connection refused".into())),
        },
    );
    let mut rest = list_calls(&send(&mut app, refused));
    rest.sort_by_key(|k| EntityKind::ALL.iter().position(|x| x == k));
    expected.sort_by_key(|k| EntityKind::ALL.iter().position(|x| x == k));
    assert_eq!(
        rest, expected,
        "every other kind is asked for after a failed first list"
    );
    assert!(rest.contains(&moved_to));

    // On a slow tenant the first frame is drawn before the list is in (its wait ran
    // out): the other kinds go out then, not a round trip later, and only once.
    let mut app = empty_app(false);
    startup(&mut app);
    let mut rest = list_calls(&send(&mut app, egain_console::tui::msg::Msg::FirstFrameDrawn));
    rest.sort_by_key(|k| EntityKind::ALL.iter().position(|x| x == k));
    assert_eq!(rest, expected, "the other kinds go out with the first frame");
    assert!(
        list_calls(&send(&mut app, listed(shown, objects(shown)))).is_empty(),
        "asked once"
    );
}
