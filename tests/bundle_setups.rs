//! Setups as code over real HTTP against standalone sandboxes started in
//! process: export, plan, apply and diff through the bundle core.

mod common;

use std::collections::HashSet;
use std::ffi::OsString;

use common::{CANARY, client, demo_sandbox, sandbox_with};
use egain_console::api::models::EntityKind;
use egain_console::bundle::{self, Action, Bundle, Secrets, Tenant};
use egain_console::sandbox::{SandboxConfig, Seed};
use serde_json::json;

const PASSWORD_VAR: &str = "DEMO_CALLBACK_AUTH_PASSWORD";

fn env_with<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
    move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| OsString::from(*v))
}

async fn export_text(c: &egain_console::api::Client, accounts: &[String]) -> String {
    let tenant = Tenant::fetch(c).await.expect("read the tenant");
    let exported = bundle::export(&tenant, accounts).expect("export");
    assert!(exported.warnings.is_empty(), "{:?}", exported.warnings);
    exported.bundle.to_yaml().expect("yaml")
}

/// Plan `bundle` against the client's tenant and apply it.
async fn apply(c: &egain_console::api::Client, bundle: &Bundle, secrets: &Secrets) -> bundle::ApplyReport {
    let tenant = Tenant::fetch(c).await.expect("read the tenant");
    let items = bundle::plan(bundle, &tenant, secrets);
    bundle::apply::check_references(&items, &tenant).expect("references resolve");
    bundle::apply(c, &items, &tenant, &mut |_| {}).await.expect("apply")
}

async fn plan_of(c: &egain_console::api::Client, bundle: &Bundle, secrets: &Secrets) -> Vec<bundle::PlanItem> {
    let tenant = Tenant::fetch(c).await.expect("read the tenant");
    bundle::plan(bundle, &tenant, secrets)
}

#[tokio::test]
async fn export_apply_to_an_empty_sandbox_and_export_again_is_identical() {
    let source = demo_sandbox().await;
    let (a, _) = client(&source);
    let first = export_text(&a, &["Demo Account".to_owned()]).await;
    assert!(first.contains(&format!("${{{PASSWORD_VAR}}}")), "{first}");
    assert!(!first.contains("\nid:") && !first.contains(" modified:"), "{first}");

    let empty = sandbox_with(SandboxConfig::default()).await;
    let (b, _) = client(&empty);
    let parsed = Bundle::parse(&first, "first.yaml").expect("the export parses");
    assert_eq!(parsed.len(), 6, "one object of each kind");
    let secrets = Secrets::resolve(&parsed, &env_with(&[(PASSWORD_VAR, "pw-1")])).expect("secrets");
    let report = apply(&b, &parsed, &secrets).await;
    assert_eq!((report.created, report.updated, report.unchanged), (6, 0, 0));

    let second = export_text(&b, &["Demo Account".to_owned()]).await;
    assert_eq!(first, second, "the round trip changes nothing");

    let again = plan_of(&b, &parsed, &secrets).await;
    assert_eq!(again.len(), 6);
    for item in &again {
        assert_eq!(item.action, Action::Unchanged, "{}: {:?}", item.name, item.changes);
    }
    // The ids on the target are its own, the references remapped to them.
    let accounts = b.list_all_raw(EntityKind::Account).await.expect("accounts");
    let channels = b.list_all_raw(EntityKind::Channel).await.expect("channels");
    assert_eq!(accounts[0]["channel"]["id"], channels[0]["id"]);
    // A second apply sends nothing.
    let report = apply(&b, &parsed, &secrets).await;
    assert_eq!((report.created, report.updated, report.unchanged), (0, 0, 6));
}

#[tokio::test]
async fn a_changed_field_plans_exactly_one_update_with_that_field() {
    let sb = demo_sandbox().await;
    let (c, _) = client(&sb);
    let text = export_text(&c, &[]).await;
    let mut bundle = Bundle::parse(&text, "b.yaml").expect("parse");
    bundle.accounts[0]["chatConfigurations"]["timeout"] = json!(45);
    let items = plan_of(&c, &bundle, &Secrets::lookup(&bundle, &|_| None)).await;
    let updates: Vec<_> = items.iter().filter(|i| i.action != Action::Unchanged).collect();
    assert_eq!(updates.len(), 1, "{items:?}");
    assert_eq!(updates[0].action, Action::Update);
    assert_eq!(updates[0].name, "Demo Account");
    let fields: Vec<&str> = updates[0].changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["chatConfigurations.timeout"]);
    let json = updates[0].to_json();
    assert_eq!(json["action"], "update");
    assert_eq!(json["changes"][0]["from"], 30);
    assert_eq!(json["changes"][0]["to"], 45);

    // Applying it updates that object only; the next plan is all unchanged.
    let secrets = Secrets::resolve(&bundle, &env_with(&[(PASSWORD_VAR, "x")])).expect("secrets");
    // The password is a secret the plan could not know: apply sets it, so it is one more update.
    let report = apply(&c, &bundle, &secrets).await;
    assert_eq!(report.created, 0);
    let after = plan_of(&c, &bundle, &secrets).await;
    assert!(after.iter().all(|i| i.action == Action::Unchanged), "{after:?}");
    let account = &c.list_all_raw(EntityKind::Account).await.expect("accounts")[0];
    assert_eq!(account["chatConfigurations"]["timeout"], 45);
}

#[tokio::test]
async fn no_secret_reaches_a_bundle_a_plan_or_a_diff() {
    let mut config = SandboxConfig {
        seed: Seed::Demo,
        ..SandboxConfig::default()
    };
    config.hub.demo_callback_auth = Some(("console".into(), CANARY.into()));
    let sb = sandbox_with(config).await;
    let (c, _) = client(&sb);
    let oauth = json!({
        "name": "oauth-canary",
        "type": "oauth2",
        "oauth2": {
            "tokenRequestUrl": "https://idp.example.com/token",
            "method": "POST",
            "headers": [{"name": "Authorization", "value": format!("Basic {CANARY}")}],
            "payload": format!("grant_type=client_credentials&client_secret={CANARY}"),
            "accessTokenPath": "$.access_token"
        }
    });
    c.create_raw(EntityKind::Authentication, &oauth)
        .await
        .expect("create oauth2 auth");
    let text = export_text(&c, &[]).await;
    assert!(!text.contains(CANARY), "{text}");
    assert!(text.contains("${OAUTH_CANARY_PAYLOAD}"), "{text}");
    assert!(text.contains("${OAUTH_CANARY_AUTHORIZATION}"), "{text}");

    // A plan that changes a secret shows that it changes, not the values.
    let mut bundle = Bundle::parse(&text, "b.yaml").expect("parse");
    let secrets = Secrets::lookup(
        &bundle,
        &env_with(&[(PASSWORD_VAR, "new-password"), ("OAUTH_CANARY_PAYLOAD", "grant_type=x")]),
    );
    bundle.authentications[0]["description"] = json!("changed");
    let items = plan_of(&c, &bundle, &secrets).await;
    let shown = serde_json::to_string(&items.iter().map(|i| i.to_json()).collect::<Vec<_>>()).expect("json");
    assert!(!shown.contains(CANARY), "{shown}");
    assert!(!shown.contains("new-password"), "{shown}");
    let demo = items
        .iter()
        .find(|i| i.name == "demo-callback-auth")
        .expect("demo auth");
    let secret = demo
        .changes
        .iter()
        .find(|c| c.field == "basicAuth.password")
        .expect("password change");
    assert!(secret.secret);
    let diff = bundle::diff::to_text(&bundle::diff(&Bundle::parse(&text, "a").expect("a"), &bundle), "a", "b");
    assert!(!diff.contains(CANARY), "{diff}");
}

#[tokio::test]
async fn fields_a_hand_written_bundle_leaves_out_keep_the_tenants_values() {
    let sb = demo_sandbox().await;
    let (c, _) = client(&sb);
    // No `active`, no icon, no restrictions: only what the author cares about.
    let bundle = Bundle::parse(
        "version: 1\nchannels:\n- type: custom.demo\n  displayName: Renamed Chat\n",
        "partial.yaml",
    )
    .expect("parse");
    let items = plan_of(&c, &bundle, &Secrets::default()).await;
    let fields: Vec<&str> = items[0].changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["displayName"]);
    let report = apply(&c, &bundle, &Secrets::default()).await;
    assert_eq!(report.updated, 1);
    let channel = &c.list_all_raw(EntityKind::Channel).await.expect("channels")[0];
    assert_eq!(channel["displayName"], "Renamed Chat");
    assert!(channel["restrictions"]["inbound"].is_object(), "kept: {channel}");
    let again = plan_of(&c, &bundle, &Secrets::default()).await;
    assert_eq!(again[0].action, Action::Unchanged, "{:?}", again[0].changes);
}

#[tokio::test]
async fn a_failed_apply_stops_there_and_a_rerun_resumes() {
    let source = demo_sandbox().await;
    let (a, _) = client(&source);
    let text = export_text(&a, &[]).await;
    let good = Bundle::parse(&text, "b.yaml").expect("parse");
    let mut bad = good.clone();
    bad.accounts[0]["chatConfigurations"]["timeout"] = json!("not a number");

    let empty = sandbox_with(SandboxConfig::default()).await;
    let (b, _) = client(&empty);
    let secrets = Secrets::resolve(&good, &env_with(&[(PASSWORD_VAR, "pw")])).expect("secrets");
    let tenant = Tenant::fetch(&b).await.expect("tenant");
    let items = bundle::plan(&bad, &tenant, &secrets);
    let failure = bundle::apply(&b, &items, &tenant, &mut |_| {})
        .await
        .expect_err("the account is refused");
    assert_eq!(failure.done.len(), 5, "{failure}");
    assert_eq!(failure.failed.1, "Demo Account");
    assert!(failure.pending.is_empty());
    assert!(failure.to_string().contains("apply again"), "{failure}");

    let rerun = plan_of(&b, &good, &secrets).await;
    let actions: Vec<Action> = rerun.iter().map(|i| i.action).collect();
    assert_eq!(
        actions,
        [
            Action::Unchanged,
            Action::Unchanged,
            Action::Unchanged,
            Action::Unchanged,
            Action::Unchanged,
            Action::Create
        ]
    );
    let report = apply(&b, &good, &secrets).await;
    assert_eq!((report.created, report.unchanged), (1, 5));
}

#[tokio::test]
async fn list_all_raw_follows_every_page() {
    let sb = sandbox_with(SandboxConfig::default()).await;
    let (c, _) = client(&sb);
    for i in 0..30 {
        let body = json!({"type": format!("custom.page{i:02}"), "displayName": format!("Page {i}"), "icon": "x"});
        c.create_raw(EntityKind::Channel, &body).await.expect("create channel");
    }
    let first = c
        .list_raw(EntityKind::Channel, egain_console::api::Paging::default())
        .await
        .expect("first page");
    assert!(first.items.len() < 30, "the sandbox pages its lists");
    let all = c.list_all_raw(EntityKind::Channel).await.expect("all pages");
    let types: HashSet<String> = all
        .iter()
        .map(|o| o["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(types.len(), 30);
}

#[tokio::test]
async fn a_bundle_naming_what_does_not_exist_is_refused_before_any_change() {
    let sb = sandbox_with(SandboxConfig::default()).await;
    let (c, _) = client(&sb);
    let bundle = Bundle::parse(
        "version: 1\naccounts:\n- name: A\n  address: a@x\n  channel: {ref: nowhere}\n  chatConfigurations:\n    timeout: 5\n    orchestration: {ref: none}\n    entryPoint: {id: '1'}\n",
        "b.yaml",
    )
    .expect("parse");
    let tenant = Tenant::fetch(&c).await.expect("tenant");
    let items = bundle::plan(&bundle, &tenant, &Secrets::default());
    let err = bundle::apply::check_references(&items, &tenant).expect_err("unknown names");
    assert!(err.0.contains("channel \"nowhere\""), "{err}");
    assert!(err.0.contains("orchestration \"none\""), "{err}");
}

#[test]
fn bundle_errors_name_the_file_and_line() {
    let err = Bundle::parse("version: 1\nchannels:\n- displayName: x\n", "setup.yaml").expect_err("no type");
    assert!(err.0.starts_with("setup.yaml: channels[0]: needs a `type`"), "{err}");
    let err = Bundle::parse("version: 1\nwidgets: []\n", "setup.yaml").expect_err("unknown key");
    assert!(err.0.starts_with("setup.yaml:2:"), "{err}");
    let err = Bundle::parse("version: 1\naccounts:\n- name: a\n  id: x\n", "s.yaml").expect_err("server field");
    assert!(err.0.contains("`id` is owned by the server"), "{err}");
}
