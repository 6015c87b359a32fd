//! Templates and the guided setup against a real, empty loopback sandbox.

mod common;

use std::time::Duration;

use common::{client, drain, sandbox_with, within};
use egain_console::api::models::EntityKind;
use egain_console::api::{Client, Exchange};
use egain_console::sandbox::{RunningSandbox, SandboxConfig};
use egain_console::schema::Spec;
use egain_console::setup::{RunOutcome, SetupFlow, SetupInputs, StepStatus, run};
use egain_console::templates::{self, Bindings, Origin, TemplateError, placeholders, reference_name};
use serde_json::{Value, json};

const ENTRY_POINT: &str = "1001";

async fn empty_sandbox() -> RunningSandbox {
    sandbox_with(SandboxConfig::default()).await
}

fn new_flow(sandbox: &RunningSandbox) -> (SetupFlow, SetupInputs) {
    let inputs = SetupInputs::for_sandbox(&sandbox.urls.root);
    let templates = templates::load(None).expect("shipped templates load");
    (SetupFlow::new(&templates, &inputs, Spec::embedded()), inputs)
}

fn id_of(flow: &SetupFlow, kind: EntityKind) -> String {
    flow.created()
        .into_iter()
        .find_map(|(k, id)| (k == kind).then_some(id))
        .unwrap_or_else(|| panic!("no {kind} created"))
}

/// A customer's first message to the account at `address` on channel `channel_type`.
fn opening(address: &str, channel_type: &str, text: &str) -> Value {
    json!({"messages": {"message": [{
        "messageId": "m-setup",
        "type": {"value": "text"},
        "content": {"text": text},
        "sender": {"type": "customer"},
        "conversation": {
            "account": {"address": address, "channel": {"type": channel_type}},
            "customer": {"contacts": {"contact": [{"type": "phone", "subType": "mobile", "address": "+15550199"}]}},
            "entryPoint": {"id": ENTRY_POINT}
        }
    }]}})
}

/// Send the opening message and return the conversation id.
async fn open_conversation(client: &Client, address: &str, channel_type: &str, text: &str) -> String {
    let accepted = client
        .send_messages_raw(&opening(address, channel_type, text))
        .await
        .expect("message accepted");
    accepted
        .conversation_id()
        .expect("the 202 names the conversation")
        .to_owned()
}

/// The customer text the sandbox inbox received for `conversation`, once it
/// contains `wanted`. The inbox has no change notification, and the bot
/// answers on its own task after a typing pause, so this checks the inbox
/// over HTTP a bounded number of times with short pauses between checks;
/// the pauses only space the checks, and `within` fails a hang.
async fn inbox_text(sandbox: &RunningSandbox, conversation: &str, wanted: &str) -> String {
    let http = reqwest::Client::new();
    let url = format!("{}/sandbox/inbox", sandbox.urls.root);
    within("the bot's echo in the sandbox inbox", async {
        for _ in 0..400 {
            let inbox: Value = http.get(&url).send().await.unwrap().json().await.unwrap();
            let found = inbox["inbox"].as_array().into_iter().flatten().find_map(|entry| {
                let message = &entry["body"]["messages"]["message"][0];
                let text = message["content"]["text"].as_str()?;
                (entry["role"] == "customer"
                    && message["conversation"]["id"] == conversation
                    && message["type"]["value"] == "text"
                    && text.contains(wanted))
                .then(|| text.to_owned())
            });
            if let Some(text) = found {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the inbox never got {wanted:?}");
    })
    .await
}

/// A POST to the API (not the token endpoint).
fn is_api_post(x: &Exchange) -> bool {
    x.method == "POST" && x.path().contains("/conversationmgr/v3/")
}

#[test]
fn every_template_renders_to_a_valid_create_body() {
    let spec = Spec::embedded();
    let templates = templates::load(None).unwrap();
    let mut bindings = SetupInputs::default().bindings();
    for kind in EntityKind::ALL {
        bindings.set_reference(kind, uuid::Uuid::new_v4().to_string());
    }
    for template in templates.iter() {
        assert_eq!(template.origin(), &Origin::Embedded);
        let body = template.render(&bindings);
        assert_eq!(placeholders(&body), [], "{}: placeholders left", template.kind());
        let violations = spec.validate(template.kind().input_schema(), &body);
        assert!(violations.is_empty(), "{}: {violations:?}", template.kind());
        assert!(template.unresolved(&bindings).is_empty());
    }

    // Without ids, each template names the kinds it needs and where.
    let needs = |kind: EntityKind| {
        templates
            .get(kind)
            .unresolved(&Bindings::new())
            .into_iter()
            .map(|s| (s.kind, s.placeholder, s.json_paths))
            .collect::<Vec<_>>()
    };
    assert_eq!(needs(EntityKind::Authentication), []);
    assert_eq!(needs(EntityKind::Channel), []);
    assert_eq!(
        needs(EntityKind::Participant),
        [(
            EntityKind::ClientApplication,
            "{{clientApplication.id}}".to_owned(),
            vec!["$.application.id".to_owned()]
        )]
    );
    let app_paths: Vec<String> = (0..3).map(|i| format!("$.roles[{i}].authentication.id")).collect();
    assert_eq!(
        needs(EntityKind::ClientApplication),
        [(
            EntityKind::Authentication,
            "{{authentication.id}}".to_owned(),
            app_paths
        )]
    );
    assert_eq!(
        needs(EntityKind::Orchestration),
        [
            (
                EntityKind::ClientApplication,
                "{{clientApplication.id}}".to_owned(),
                vec![
                    "$.applications.botConfiguration.bots[0].id".to_owned(),
                    "$.applications.botConfiguration.bots[0].onEscalation.agent.id".to_owned(),
                    "$.applications.customerConfiguration.customer.id".to_owned(),
                ]
            ),
            (
                EntityKind::Participant,
                "{{participant.id}}".to_owned(),
                vec!["$.applications.botConfiguration.bots[0].participant.id".to_owned()]
            ),
        ]
    );
    let account: Vec<EntityKind> = needs(EntityKind::Account).into_iter().map(|s| s.0).collect();
    assert_eq!(account, [EntityKind::Channel, EntityKind::Orchestration]);

    // A bound id fills the slot, whole-string.
    let channel_id = "0b6f8f59-6c52-4c43-8d8c-0a5c1d8e7a11";
    let b = Bindings::new().with(reference_name(EntityKind::Channel), channel_id);
    let body = templates.get(EntityKind::Account).render(&b);
    assert_eq!(body["channel"]["id"], channel_id);
    assert_eq!(templates.get(EntityKind::Account).unresolved(&b).len(), 1);
}

#[tokio::test]
async fn guided_setup_builds_a_working_account_on_an_empty_sandbox() {
    let sandbox = empty_sandbox().await;
    let (client, _exchanges) = client(&sandbox);
    let (mut flow, inputs) = new_flow(&sandbox);

    let mut seen = Vec::new();
    let outcome = within("the setup", run(&client, &mut flow, |f| seen.push(f.steps().to_vec()))).await;
    assert_eq!(outcome, RunOutcome::Complete);
    assert!(flow.is_complete());
    // Each step was shown running, then done, in setup order.
    for (i, kind) in EntityKind::ALL.into_iter().enumerate() {
        let running = seen.iter().position(|s| s[i].status == StepStatus::Running);
        let done = seen.iter().position(|s| matches!(s[i].status, StepStatus::Done { .. }));
        assert!(running.is_some() && running < done, "{kind}: {running:?} {done:?}");
    }
    let kinds: Vec<EntityKind> = flow.created().into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, EntityKind::ALL);

    // All six exist and point at each other.
    let get = |kind| {
        let client = client.clone();
        let id = id_of(&flow, kind);
        async move { client.get_raw(kind, &id).await.expect("object exists") }
    };
    let (auth, app, participant) = (
        id_of(&flow, EntityKind::Authentication),
        id_of(&flow, EntityKind::ClientApplication),
        id_of(&flow, EntityKind::Participant),
    );
    let (channel, orchestration) = (
        id_of(&flow, EntityKind::Channel),
        id_of(&flow, EntityKind::Orchestration),
    );
    assert_eq!(
        get(EntityKind::Authentication).await["basicAuth"]["username"],
        "console"
    );
    let app_body = get(EntityKind::ClientApplication).await;
    let roles = app_body["roles"].as_array().unwrap();
    assert_eq!(roles.len(), 3);
    assert!(roles.iter().all(|r| r["authentication"]["id"] == auth.as_str()));
    assert_eq!(roles[1]["callback"], format!("{}/sandbox/bot", sandbox.urls.root));
    assert_eq!(get(EntityKind::Participant).await["application"]["id"], app.as_str());
    assert_eq!(get(EntityKind::Channel).await["type"], inputs.channel_type.as_str());
    let orch = get(EntityKind::Orchestration).await;
    let bot = &orch["applications"]["botConfiguration"]["bots"][0];
    assert_eq!(bot["id"], app.as_str());
    assert_eq!(bot["participant"]["id"], participant.as_str());
    assert_eq!(
        orch["applications"]["customerConfiguration"]["customer"]["id"],
        app.as_str()
    );
    let account = get(EntityKind::Account).await;
    assert_eq!(account["channel"]["id"], channel.as_str());
    assert_eq!(
        account["chatConfigurations"]["orchestration"]["id"],
        orchestration.as_str()
    );
    assert_eq!(account["address"], inputs.account_address.as_str());

    // A customer message is accepted, the built-in bot echoes it to the customer's inbox...
    let conversation = open_conversation(&client, &inputs.account_address, &inputs.channel_type, "hello setup").await;
    assert_eq!(
        inbox_text(&sandbox, &conversation, "hello setup").await,
        "You said: hello setup"
    );
    // ... and the transcript holds the echo.
    let transcript = client.get_conversation(&conversation).await.unwrap();
    assert!(
        transcript
            .messages
            .message
            .iter()
            .any(|m| m.text() == Some("You said: hello setup")),
        "{transcript:?}"
    );
}

#[tokio::test]
async fn a_failed_step_is_fixed_and_the_setup_resumes_where_it_stopped() {
    let sandbox = empty_sandbox().await;
    let (client, mut exchanges) = client(&sandbox);
    let (mut flow, inputs) = new_flow(&sandbox);

    // Someone already owns the channel type this setup wants.
    let mut taken = flow.rendered(3).unwrap();
    taken["displayName"] = json!("Taken");
    let taken_id = client.create_raw(EntityKind::Channel, &taken).await.unwrap();

    let outcome = within("the setup", run(&client, &mut flow, |_| {})).await;
    let RunOutcome::Failed { step, kind, error } = outcome else {
        panic!("expected a failure, got {outcome:?}");
    };
    assert_eq!((step, kind), (3, EntityKind::Channel));
    assert!(
        error.contains("$.type") && error.contains(&inputs.channel_type),
        "{error}"
    );
    assert_eq!(flow.failed_step(), Some(3));
    assert!(matches!(&flow.steps()[3].status, StepStatus::Failed { error: e } if *e == error));
    assert_eq!(flow.created().len(), 3, "the first three steps are kept");
    let before: Vec<_> = flow.created();

    // Fix the body and resume: only the remaining steps are created.
    let fixed_type = format!("{}-2", inputs.channel_type);
    let mut body = flow.steps()[3].body.clone();
    body["type"] = json!(fixed_type);
    flow.edit_body(3, body).unwrap();
    assert_eq!(flow.steps()[3].status, StepStatus::Pending);
    assert!(flow.edit_body(0, json!({})).is_err(), "a done step cannot be edited");
    drain(&mut exchanges);
    let outcome = within("the resumed setup", run(&client, &mut flow, |_| {})).await;
    assert_eq!(outcome, RunOutcome::Complete);
    assert_eq!(flow.created()[..3], before[..]);
    let posts: Vec<String> = drain(&mut exchanges)
        .iter()
        .filter(|x| is_api_post(x))
        .map(|x| x.path().rsplit('/').next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(posts, ["channels", "orchestrations", "accounts"]);
    let auths = client
        .list_raw(EntityKind::Authentication, Default::default())
        .await
        .unwrap();
    assert_eq!(auths.items.len(), 1, "nothing was created twice");

    let channel = id_of(&flow, EntityKind::Channel);
    assert_ne!(channel, taken_id);
    let account = client
        .get_raw(EntityKind::Account, &id_of(&flow, EntityKind::Account))
        .await
        .unwrap();
    assert_eq!(account["channel"]["id"], channel.as_str());
    // The account answers on the fixed channel type.
    open_conversation(&client, &inputs.account_address, &fixed_type, "hello again").await;
}

#[tokio::test]
async fn a_locally_invalid_body_fails_with_its_paths_and_sends_nothing() {
    let sandbox = empty_sandbox().await;
    let (client, mut exchanges) = client(&sandbox);
    let (mut flow, _) = new_flow(&sandbox);

    let mut body = flow.steps()[2].body.clone();
    body["type"] = json!("robot");
    body.as_object_mut().unwrap().remove("name");
    flow.edit_body(2, body).unwrap();
    let outcome = within("the setup", run(&client, &mut flow, |_| {})).await;
    let RunOutcome::Failed { step: 2, error, .. } = outcome else {
        panic!("expected the participant step to fail, got {outcome:?}");
    };
    assert!(error.contains("$.type") && error.contains("$.name"), "{error}");
    let sent = drain(&mut exchanges);
    let posted: Vec<&str> = sent.iter().filter(|x| is_api_post(x)).map(|x| x.path()).collect();
    assert_eq!(posted.len(), 2, "{posted:?}");
    assert!(posted.iter().all(|p| !p.ends_with("/participants")), "{posted:?}");

    // A placeholder nothing fills is refused the same way.
    let mut body = flow.rendered(2).unwrap();
    body["type"] = json!("custom_bot");
    body["name"] = json!("Bot {{botName}}");
    flow.edit_body(2, body).unwrap();
    assert_eq!(flow.next_step(), None);
    let StepStatus::Failed { error } = &flow.steps()[2].status else {
        panic!("not failed: {:?}", flow.steps()[2]);
    };
    assert!(error.contains("$.name: {{botName}} is not filled"), "{error}");
    assert!(drain(&mut exchanges).is_empty());

    // Fixed, the setup completes.
    let mut body = flow.steps()[2].body.clone();
    body["name"] = json!("Bot fixed");
    flow.edit_body(2, body).unwrap();
    let outcome = within("the resumed setup", run(&client, &mut flow, |_| {})).await;
    assert_eq!(outcome, RunOutcome::Complete);
}

#[tokio::test]
async fn a_user_template_overrides_the_shipped_one_and_a_broken_one_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("channels.json");
    let mut channel = templates::load(None).unwrap().get(EntityKind::Channel).body().clone();
    channel["displayName"] = json!("Override Chat {{unique}}");
    channel.as_object_mut().unwrap().remove("restrictions");
    std::fs::write(&path, serde_json::to_string_pretty(&channel).unwrap()).unwrap();

    let loaded = templates::load(Some(dir.path())).unwrap();
    assert_eq!(loaded.get(EntityKind::Channel).origin(), &Origin::User(path.clone()));
    assert_eq!(loaded.get(EntityKind::Account).origin(), &Origin::Embedded);

    let sandbox = empty_sandbox().await;
    let (client, _exchanges) = client(&sandbox);
    let inputs = SetupInputs::for_sandbox(&sandbox.urls.root);
    let mut flow = SetupFlow::new(&loaded, &inputs, Spec::embedded());
    let outcome = within("the setup", run(&client, &mut flow, |_| {})).await;
    assert_eq!(outcome, RunOutcome::Complete);
    let created = client
        .get_raw(EntityKind::Channel, &id_of(&flow, EntityKind::Channel))
        .await
        .unwrap();
    assert_eq!(created["displayName"], format!("Override Chat {}", inputs.unique));
    assert!(created.get("restrictions").is_none());

    // Not JSON: the error names the file and the line.
    std::fs::write(&path, "{\n  \"type\": \"custom.x\",\n  displayName: \"oops\"\n}\n").unwrap();
    let err = templates::load(Some(dir.path())).unwrap_err();
    assert!(
        matches!(&err, TemplateError::Parse { path: p, line: 3, .. } if *p == path),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("channels.json") && text.contains("line 3"), "{text}");

    // JSON but not an object is refused too; a missing directory is not an error.
    std::fs::write(&path, "[]").unwrap();
    assert!(matches!(
        templates::load(Some(dir.path())),
        Err(TemplateError::Parse { line: 1, .. })
    ));
    assert!(templates::load(Some(&dir.path().join("absent"))).is_ok());
}

/// Every object on the sandbox, per kind, over HTTP.
async fn existing(client: &Client) -> std::collections::BTreeMap<EntityKind, Vec<Value>> {
    let mut out = std::collections::BTreeMap::new();
    for kind in EntityKind::ALL {
        out.insert(kind, client.list_all_raw(kind).await.expect("list"));
    }
    out
}

#[tokio::test]
async fn setups_among_existing_objects_run_through_twice_and_an_edited_later_step_is_sent() {
    let sandbox = empty_sandbox().await;
    let (client, _exchanges) = client(&sandbox);
    let inputs = SetupInputs::for_sandbox(&sandbox.urls.root);
    let templates = templates::load(None).expect("shipped templates load");

    // The first setup, its account step renamed before anything runs; the
    // body keeps its references to earlier steps as placeholders.
    let mut flow = SetupFlow::among(&templates, &inputs, Spec::embedded(), &existing(&client).await);
    let mut account = flow.steps()[5].body.clone();
    assert_eq!(account["channel"]["id"], "{{channel.id}}");
    account["name"] = json!("Edited Account");
    flow.edit_body(5, account).unwrap();
    assert_eq!(
        within("the first setup", run(&client, &mut flow, |_| {})).await,
        RunOutcome::Complete
    );
    let got = client
        .get_raw(EntityKind::Account, &id_of(&flow, EntityKind::Account))
        .await
        .unwrap();
    assert_eq!(got["name"], "Edited Account");
    assert_eq!(got["channel"]["id"], id_of(&flow, EntityKind::Channel).as_str());

    // The same inputs again: numbered after what is there, nothing refused.
    let mut second = SetupFlow::among(&templates, &inputs, Spec::embedded(), &existing(&client).await);
    assert_eq!(
        within("the second setup", run(&client, &mut second, |_| {})).await,
        RunOutcome::Complete
    );
    let channel = client
        .get_raw(EntityKind::Channel, &id_of(&second, EntityKind::Channel))
        .await
        .unwrap();
    assert_eq!(channel["type"], "custom.console-2");
    // A third would be number 3: the first free, the same every time.
    let again = SetupFlow::among(&templates, &inputs, Spec::embedded(), &existing(&client).await);
    assert_eq!(again.steps()[0].body["name"], "console-callback-auth-3");
}
