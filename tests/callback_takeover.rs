//! Callback takeover against a real loopback sandbox with the demo seed:
//! the role is pointed at the console, put back on restore or after a
//! simulated crash, never over someone else's change, and never by a
//! read-only profile.

mod common;

use std::path::Path;
use std::sync::Arc;

use egain_console::api::models::EntityKind;
use egain_console::api::{Client, Paging, Recorder};
use egain_console::callback_takeover::{
    self, JOURNAL_FILE, Journal, PendingRestore, RestoreStatus, TakeoverError, TakeoverPlan,
};
use egain_console::sandbox::RunningSandbox;
use egain_console::sandbox::seed::DEMO_APP_NAME;
use serde_json::Value;

const CONSOLE_URL: &str = "http://127.0.0.1:9/console/customer";
const ROLE: &str = "customer";

/// The demo application's id, found by listing.
async fn demo_app(client: &Client) -> String {
    let page = client
        .list_raw(EntityKind::ClientApplication, Paging::default())
        .await
        .unwrap();
    page.items
        .iter()
        .find(|a| a["name"] == DEMO_APP_NAME)
        .and_then(|a| a["id"].as_str())
        .expect("the demo seed has its application")
        .to_owned()
}

async fn app_json(client: &Client, id: &str) -> Value {
    client.get_raw(EntityKind::ClientApplication, id).await.unwrap()
}

fn role<'a>(app: &'a Value, name: &str) -> &'a Value {
    app["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap()
}

fn callback(app: &Value, name: &str) -> String {
    role(app, name)["callback"].as_str().unwrap().to_owned()
}

/// The application without the fields a PUT changes, for "nothing else moved" checks.
fn without_stamps(app: &Value) -> Value {
    let mut app = app.clone();
    if let Some(o) = app.as_object_mut() {
        o.remove("modified");
    }
    app
}

fn pending(dir: &Path) -> Vec<PendingRestore> {
    Journal::new(dir).entries().unwrap()
}

fn file_names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

async fn setup() -> (RunningSandbox, Client, String, tempfile::TempDir) {
    let sandbox = common::demo_sandbox().await;
    let (client, _) = common::client(&sandbox);
    let app = demo_app(&client).await;
    (sandbox, client, app, tempfile::tempdir().unwrap())
}

#[tokio::test]
async fn apply_points_the_role_at_the_console_and_restore_puts_it_back() {
    let (_sandbox, client, app_id, dir) = setup().await;
    let before = app_json(&client, &app_id).await;
    let original = callback(&before, ROLE);

    let plan = callback_takeover::plan(&client, &app_id, ROLE, CONSOLE_URL)
        .await
        .unwrap();
    assert_eq!(plan.app_name, DEMO_APP_NAME);
    assert_eq!(plan.role, ROLE);
    assert_eq!(plan.current_callback.as_deref(), Some(original.as_str()));
    assert_eq!(plan.new_callback, CONSOLE_URL);
    assert_eq!(plan.base_url, client.base_url());
    // Planning changes nothing.
    assert_eq!(app_json(&client, &app_id).await, before);

    let active = callback_takeover::apply(&client, dir.path(), &plan).await.unwrap();
    let during = app_json(&client, &app_id).await;
    assert_eq!(callback(&during, ROLE), CONSOLE_URL);
    // Every other field, other roles included, is exactly as it was.
    let mut expected = without_stamps(&before);
    expected["roles"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["name"] == ROLE)
        .unwrap()["callback"] = CONSOLE_URL.into();
    assert_eq!(without_stamps(&during), expected);
    assert_eq!(pending(dir.path()), vec![active.entry().clone()]);

    let outcome = callback_takeover::restore(&client, &active).await;
    assert_eq!(outcome.status, RestoreStatus::Restored);
    let after = app_json(&client, &app_id).await;
    assert_eq!(callback(&after, ROLE), original);
    assert_eq!(without_stamps(&after), without_stamps(&before));
    assert!(pending(dir.path()).is_empty());
}

#[tokio::test]
async fn the_journal_is_written_before_the_change_atomically_and_readable_after_a_restart() {
    let (_sandbox, client, app_id, dir) = setup().await;
    let original = callback(&app_json(&client, &app_id).await, ROLE);
    let plan = callback_takeover::plan(&client, &app_id, ROLE, CONSOLE_URL)
        .await
        .unwrap();
    let active = callback_takeover::apply(&client, dir.path(), &plan).await.unwrap();

    let names = file_names(dir.path());
    assert!(names.contains(&JOURNAL_FILE.to_owned()), "{names:?}");
    assert!(
        names.iter().all(|n| !n.contains(".tmp")),
        "a temp file was left: {names:?}"
    );

    // As a new process would see it: plain JSON on disk with all it needs.
    let raw: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join(JOURNAL_FILE)).unwrap()).unwrap();
    let entry = &raw["pending"][0];
    assert_eq!(entry["appId"], app_id.as_str());
    assert_eq!(entry["appName"], DEMO_APP_NAME);
    assert_eq!(entry["role"], ROLE);
    assert_eq!(entry["originalCallback"], original.as_str());
    assert_eq!(entry["consoleUrl"], CONSOLE_URL);
    assert_eq!(entry["baseUrl"], client.base_url());
    assert_eq!(entry["pid"], std::process::id());
    assert!(
        entry["since"]
            .as_str()
            .is_some_and(|s| s.parse::<jiff::Timestamp>().is_ok())
    );
    assert_eq!(
        Journal::new(dir.path()).entries().unwrap(),
        vec![active.entry().clone()]
    );

    callback_takeover::restore(&client, &active).await;
    let names = file_names(dir.path());
    assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");
}

#[tokio::test]
async fn a_crashed_console_is_recovered_at_the_next_start_and_other_tenants_are_left_alone() {
    let (sandbox, client, app_id, dir) = setup().await;
    let original = callback(&app_json(&client, &app_id).await, ROLE);

    // A second tenant, taken over from the same state directory.
    let other = common::demo_sandbox().await;
    let (other_client, _) = common::client(&other);
    let other_app = demo_app(&other_client).await;
    let plan = callback_takeover::plan(&other_client, &other_app, ROLE, CONSOLE_URL)
        .await
        .unwrap();
    drop(
        callback_takeover::apply(&other_client, dir.path(), &plan)
            .await
            .unwrap(),
    );

    // The crash: the takeover is applied, then everything goes away without a restore.
    let plan = callback_takeover::plan(&client, &app_id, ROLE, CONSOLE_URL)
        .await
        .unwrap();
    let active = callback_takeover::apply(&client, dir.path(), &plan).await.unwrap();
    drop(active);
    drop(client);
    assert_eq!(pending(dir.path()).len(), 2);

    // The next start: a new client, nothing but the state directory.
    let (client, _) = common::client(&sandbox);
    assert_eq!(callback(&app_json(&client, &app_id).await, ROLE), CONSOLE_URL);
    let outcomes = callback_takeover::recover(&client, dir.path()).await.unwrap();
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    assert_eq!(outcomes[0].status, RestoreStatus::Restored);
    assert_eq!(outcomes[0].entry.app_id, app_id);
    assert_eq!(callback(&app_json(&client, &app_id).await, ROLE), original);

    let left = pending(dir.path());
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].base_url, other_client.base_url());
    assert_eq!(
        callback(&app_json(&other_client, &other_app).await, ROLE),
        CONSOLE_URL,
        "the other tenant is not touched"
    );

    // Nothing more to do for this tenant.
    assert!(
        callback_takeover::recover(&client, dir.path())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_callback_changed_by_someone_else_is_not_overwritten() {
    let (_sandbox, client, app_id, dir) = setup().await;
    let plan = callback_takeover::plan(&client, &app_id, ROLE, CONSOLE_URL)
        .await
        .unwrap();
    let active = callback_takeover::apply(&client, dir.path(), &plan).await.unwrap();

    // A colleague repoints the role meanwhile.
    let elsewhere = "https://colleague.example/callback";
    let mut app = app_json(&client, &app_id).await;
    app["roles"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["name"] == ROLE)
        .unwrap()["callback"] = elsewhere.into();
    client
        .update_raw(EntityKind::ClientApplication, &app_id, &app)
        .await
        .unwrap();

    let outcome = callback_takeover::restore(&client, &active).await;
    assert_eq!(
        outcome.status,
        RestoreStatus::ChangedMeanwhile {
            found: Some(elsewhere.into())
        }
    );
    assert_eq!(callback(&app_json(&client, &app_id).await, ROLE), elsewhere);
    assert!(pending(dir.path()).is_empty());
}

#[tokio::test]
async fn a_change_between_plan_and_confirmation_is_refused() {
    let (_sandbox, client, app_id, dir) = setup().await;
    let plan = callback_takeover::plan(&client, &app_id, ROLE, CONSOLE_URL)
        .await
        .unwrap();
    let stale = TakeoverPlan {
        current_callback: Some("https://what-the-user-saw.example/cb".into()),
        ..plan
    };
    let err = callback_takeover::apply(&client, dir.path(), &stale).await.unwrap_err();
    assert!(matches!(err, TakeoverError::ChangedSincePlan { .. }), "{err}");
    assert!(pending(dir.path()).is_empty());
}

#[tokio::test]
async fn authentication_is_switched_and_restored_with_the_callback() {
    let (_sandbox, client, app_id, dir) = setup().await;
    let before = app_json(&client, &app_id).await;
    let original_auth = role(&before, ROLE)["authentication"].clone();
    let ours = client
        .create_raw(
            EntityKind::Authentication,
            &serde_json::json!({"name": "console receiver", "type": "basic",
                "basicAuth": {"username": "hub", "password": "pw-123456"}}),
        )
        .await
        .unwrap();

    let plan = callback_takeover::plan(&client, &app_id, ROLE, CONSOLE_URL)
        .await
        .unwrap()
        .with_authentication(&ours);
    assert_eq!(plan.current_authentication.as_deref(), original_auth["id"].as_str());
    let active = callback_takeover::apply(&client, dir.path(), &plan).await.unwrap();
    assert_eq!(
        role(&app_json(&client, &app_id).await, ROLE)["authentication"]["id"],
        ours.as_str()
    );

    assert_eq!(
        callback_takeover::restore(&client, &active).await.status,
        RestoreStatus::Restored
    );
    assert_eq!(
        without_stamps(&app_json(&client, &app_id).await),
        without_stamps(&before)
    );
}

#[tokio::test]
async fn unknown_role_names_the_roles_there_are() {
    let (_sandbox, client, app_id, _dir) = setup().await;
    let err = callback_takeover::plan(&client, &app_id, "egain_bot", CONSOLE_URL)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, TakeoverError::NoSuchRole { .. }), "{text}");
    assert!(text.contains("customer, custom_bot, custom_agent"), "{text}");
}

#[tokio::test]
async fn read_only_is_refused_before_any_request() {
    let sandbox = common::demo_sandbox().await;
    let (client, _) = common::client(&sandbox);
    let app_id = demo_app(&client).await;
    let dir = tempfile::tempdir().unwrap();

    let mut config = common::client_config(&sandbox);
    config.read_only = true;
    let recorder = Arc::new(Recorder::default());
    let mut exchanges = recorder.subscribe();
    let read_only = Client::new(config, recorder).unwrap();

    let err = callback_takeover::plan(&read_only, &app_id, ROLE, CONSOLE_URL)
        .await
        .unwrap_err();
    assert!(matches!(err, TakeoverError::ReadOnly));
    assert!(err.to_string().contains("read-only"), "{err}");

    // Even a plan made elsewhere cannot be applied, nor a crash recovered.
    let plan = callback_takeover::plan(&client, &app_id, ROLE, CONSOLE_URL)
        .await
        .unwrap();
    let err = callback_takeover::apply(&read_only, dir.path(), &plan)
        .await
        .unwrap_err();
    assert!(matches!(err, TakeoverError::ReadOnly), "{err}");
    let err = callback_takeover::recover(&read_only, dir.path()).await.unwrap_err();
    assert!(matches!(err, TakeoverError::ReadOnly), "{err}");

    assert!(common::drain(&mut exchanges).is_empty(), "no request was made");
    assert!(pending(dir.path()).is_empty());
}

#[tokio::test]
async fn no_journal_no_change() {
    let (_sandbox, client, app_id, dir) = setup().await;
    let before = app_json(&client, &app_id).await;
    // The state "directory" is a file: the pending restore cannot be recorded.
    let blocked = dir.path().join("not-a-dir");
    std::fs::write(&blocked, "x").unwrap();
    let plan = callback_takeover::plan(&client, &app_id, ROLE, CONSOLE_URL)
        .await
        .unwrap();
    let err = callback_takeover::apply(&client, &blocked, &plan).await.unwrap_err();
    assert!(matches!(err, TakeoverError::Journal(_)), "{err}");
    assert_eq!(app_json(&client, &app_id).await, before, "the tenant is untouched");
}

#[tokio::test]
async fn a_refused_update_leaves_no_pending_restore() {
    let (_sandbox, client, app_id, dir) = setup().await;
    let before = app_json(&client, &app_id).await;
    // The hub refuses a reference to an authentication that does not exist.
    let plan = callback_takeover::plan(&client, &app_id, ROLE, CONSOLE_URL)
        .await
        .unwrap()
        .with_authentication("00000000-0000-4000-8000-00000000dead");
    let err = callback_takeover::apply(&client, dir.path(), &plan).await;
    match err {
        Err(TakeoverError::Api(e)) => assert_eq!(e.status(), Some(400), "{e}"),
        other => panic!("expected a 400, got {other:?}"),
    }
    assert!(pending(dir.path()).is_empty());
    assert_eq!(app_json(&client, &app_id).await, before);
}

#[tokio::test]
async fn a_takeover_of_a_console_still_running_is_left_to_it() {
    let (_sandbox, client, app_id, dir) = setup().await;
    let original = callback(&app_json(&client, &app_id).await, ROLE);
    let plan = callback_takeover::plan(&client, &app_id, ROLE, CONSOLE_URL)
        .await
        .unwrap();
    drop(callback_takeover::apply(&client, dir.path(), &plan).await.unwrap());

    // Pretend the entry belongs to another console that holds its lease (an exclusive lock).
    let other_pid = std::process::id().wrapping_add(1);
    let journal_path = dir.path().join(JOURNAL_FILE);
    let mut raw: Value = serde_json::from_str(&std::fs::read_to_string(&journal_path).unwrap()).unwrap();
    raw["pending"][0]["pid"] = other_pid.into();
    std::fs::write(&journal_path, raw.to_string()).unwrap();
    let lease = std::fs::File::create(dir.path().join(format!("callback-takeover-{other_pid}.lease"))).unwrap();
    lease.lock().unwrap();

    let outcomes = callback_takeover::recover(&client, dir.path()).await.unwrap();
    assert_eq!(outcomes.len(), 1);
    assert_eq!(
        outcomes[0].status,
        RestoreStatus::HeldByRunningConsole { pid: other_pid }
    );
    assert!(!outcomes[0].settled());
    assert_eq!(callback(&app_json(&client, &app_id).await, ROLE), CONSOLE_URL);
    assert_eq!(pending(dir.path()).len(), 1);

    // That console dies: its lock goes with it, and the next start restores.
    drop(lease);
    let outcomes = callback_takeover::recover(&client, dir.path()).await.unwrap();
    assert_eq!(outcomes[0].status, RestoreStatus::Restored);
    assert_eq!(callback(&app_json(&client, &app_id).await, ROLE), original);
    assert!(pending(dir.path()).is_empty());
}

/// At exit the journal, not the UI's state, says what to put back: a takeover
/// whose handle is gone is still restored, the outcome reads in plain words,
/// the journal is private and the console's lease file is removed.
#[tokio::test]
async fn restore_own_puts_back_this_runs_takeovers_and_cleans_up() {
    let (_sandbox, client, app_id, dir) = setup().await;
    let original = callback(&app_json(&client, &app_id).await, ROLE);
    let plan = callback_takeover::plan(&client, &app_id, ROLE, CONSOLE_URL)
        .await
        .unwrap();
    let active = callback_takeover::apply(&client, dir.path(), &plan).await.unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(JOURNAL_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the journal is private");
    }
    let lease = dir
        .path()
        .join(format!("callback-takeover-{}.lease", std::process::id()));
    assert!(lease.exists());
    // The UI lost its handle (a panic unwound it): the journal still knows.
    drop(active);
    let outcomes = callback_takeover::restore_own(&client, dir.path()).await.unwrap();
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].status, RestoreStatus::Restored);
    assert_eq!(
        outcomes[0].describe(),
        format!("{ROLE} callback of \"{DEMO_APP_NAME}\" restored to {original}")
    );
    assert_eq!(callback(&app_json(&client, &app_id).await, ROLE), original);
    assert!(pending(dir.path()).is_empty());
    assert!(!lease.exists(), "the lease file is cleaned up");
    // Nothing left: a second call restores nothing.
    assert!(
        callback_takeover::restore_own(&client, dir.path())
            .await
            .unwrap()
            .is_empty()
    );
}
