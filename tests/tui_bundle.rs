//! Setups as code in the console, at the update level: `x` on an account's
//! detail produces the file-saving effect with its bundle (and never a
//! secret), `A` is refused on a read-only profile before any effect, the
//! plan is a reviewable popup where Esc sends nothing and Enter produces
//! the apply call; snapshots of the plan at 80x24 and 120x40.

mod common_tui;

use crossterm::event::KeyCode;
use serde_json::json;

use common_tui::*;
use egain_console::api::models::EntityKind;
use egain_console::bundle::{self, Bundle, Secrets, Tenant};
use egain_console::tui::app::App;
use egain_console::tui::effect::{Call, Effect, Owner, PlannedBundle};
use egain_console::tui::msg::{ApiReply, Msg};
use egain_console::tui::panes::entities::kind_index;
use egain_console::tui::popup::Popup;

fn fixture_tenant() -> Tenant {
    Tenant::from_objects(EntityKind::ALL.map(|k| (k, objects(k))))
}

/// The loaded console on the first account's detail.
fn on_account_detail(read_only: bool) -> App {
    let mut app = loaded_app(read_only);
    app.entities.tab = kind_index(EntityKind::Account);
    app.entities.list_mut(EntityKind::Account).selected = 0;
    press_code(&mut app, KeyCode::Enter);
    assert!(app.entities.detail.is_some(), "the account's detail is open");
    app
}

fn saved_text(effects: &[Effect]) -> (&str, &str) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::SaveText { base_name, text } => Some((base_name.as_str(), text.as_str())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("x saves a file: {effects:?}"))
}

#[test]
fn x_on_an_account_saves_its_bundle_without_any_secret_even_read_only() {
    for read_only in [false, true] {
        let mut app = on_account_detail(read_only);
        let name = app
            .entities
            .detail
            .as_ref()
            .and_then(|d| d.value.clone())
            .expect("value")["name"]
            .as_str()
            .expect("name")
            .to_owned();
        let effects = press(&mut app, 'x');
        assert!(effects.iter().all(|e| !e.mutates()), "{effects:?}");
        let (base_name, text) = saved_text(&effects);
        assert!(
            base_name.starts_with("bundle-") && base_name.ends_with(".yaml"),
            "{base_name}"
        );
        let parsed = Bundle::parse(text, base_name).expect("the export parses");
        assert!(parsed.find(EntityKind::Account, &name).is_some(), "{text}");
        assert!(
            !parsed.channels.is_empty(),
            "what the account references comes along: {text}"
        );
        assert!(!text.contains(CANARY), "no secret in the bundle: {text}");
        assert!(text.contains("${"), "the secret is a placeholder: {text}");
        assert!(app.status.error.is_none(), "{:?}", app.status.error);
    }
}

#[test]
fn x_elsewhere_or_before_the_lists_are_in_says_why_and_saves_nothing() {
    // A channel's detail: not an account.
    let mut app = loaded_app(false);
    app.entities.tab = kind_index(EntityKind::Channel);
    press_code(&mut app, KeyCode::Enter);
    let effects = press(&mut app, 'x');
    assert!(
        effects.iter().all(|e| !matches!(e, Effect::SaveText { .. })),
        "{effects:?}"
    );
    assert!(
        app.status.error.as_deref().unwrap_or("").contains("open an Account"),
        "{:?}",
        app.status.error
    );
    // A list still loading: no partial bundle.
    let mut app = on_account_detail(false);
    app.entities.list_mut(EntityKind::Participant).loading = true;
    let effects = press(&mut app, 'x');
    assert!(
        effects.iter().all(|e| !matches!(e, Effect::SaveText { .. })),
        "{effects:?}"
    );
    assert!(
        app.status
            .error
            .as_deref()
            .unwrap_or("")
            .to_lowercase()
            .contains("participants"),
        "{:?}",
        app.status.error
    );
}

#[test]
fn a_asks_for_a_path_and_plans_it_but_read_only_refuses_it_before_any_effect() {
    let mut app = loaded_app(true);
    let effects = press(&mut app, 'A');
    assert!(effects.is_empty(), "{effects:?}");
    assert!(app.popups.is_empty(), "no prompt opens");
    assert!(
        app.status.error.as_deref().unwrap_or("").contains("read-only"),
        "{:?}",
        app.status.error
    );

    let mut app = loaded_app(false);
    assert!(press(&mut app, 'A').is_empty());
    assert!(
        matches!(top(&app), Popup::Prompt(p) if p.completes_paths),
        "Tab completes the path"
    );
    // Enter on nothing is refused in the prompt.
    assert!(press_code(&mut app, KeyCode::Enter).is_empty());
    type_text(&mut app, "setup.yaml");
    let effects = press_code(&mut app, KeyCode::Enter);
    assert_eq!(effects, vec![ent(Call::PlanBundle("setup.yaml".into()))]);
    assert!(app.popups.is_empty());
}

/// A plan with one update (a changed field), one create and the rest unchanged.
fn mixed_plan() -> PlannedBundle {
    let tenant = fixture_tenant();
    let mut bundle = bundle::export(&tenant, &[]).expect("export").bundle;
    bundle.channels[0]["displayName"] = json!("Renamed chat 日本語 🙂");
    let mut extra = bundle.channels[0].clone();
    extra["type"] = json!("custom.second");
    bundle.channels.push(extra);
    let secrets = Secrets::lookup(&bundle, &|_| None);
    let items = bundle::plan(&bundle, &tenant, &secrets);
    PlannedBundle {
        origin: "demo.yaml".into(),
        items,
        tenant,
    }
}

fn planned(app: &mut App, plan: PlannedBundle) -> Vec<Effect> {
    send(
        app,
        Msg::Api(Owner::Entities, ApiReply::BundlePlanned(Ok(Box::new(plan)))),
    )
}

#[test]
fn esc_on_the_plan_sends_nothing_and_enter_applies_it() {
    let mut app = loaded_app(false);
    assert!(planned(&mut app, mixed_plan()).is_empty());
    let Popup::Plan(view) = top(&app) else {
        panic!("the plan is shown for review");
    };
    assert_eq!(view.work(), 2);
    // Scrolling reviews; nothing is sent.
    assert!(press(&mut app, 'j').is_empty());
    assert!(press_code(&mut app, KeyCode::Esc).is_empty(), "Esc sends nothing");
    assert!(app.popups.is_empty());

    let plan = mixed_plan();
    assert!(planned(&mut app, plan.clone()).is_empty());
    let effects = press_code(&mut app, KeyCode::Enter);
    assert_eq!(effects, vec![ent(Call::ApplyBundle(Box::new(plan)))]);
    // While it runs, Enter and Esc do nothing more.
    assert!(press_code(&mut app, KeyCode::Enter).is_empty());
    assert!(press_code(&mut app, KeyCode::Esc).is_empty());
    assert!(matches!(top(&app), Popup::Plan(_)));
    // Progress shows in the plan; the outcome reloads the lists.
    send(
        &mut app,
        Msg::Progress(Owner::Entities, "✓ updated channel \"x\"".into()),
    );
    let effects = send(
        &mut app,
        Msg::Api(
            Owner::Entities,
            ApiReply::BundleApplied(Err(vec![
                "Failed at create channel \"custom.second\": 400".into(),
                "Done: update channel \"custom.demo\"".into(),
                "Not attempted: nothing".into(),
            ])),
        ),
    );
    assert_eq!(
        effects
            .iter()
            .filter(|e| matches!(e, Effect::Call(_, Call::List { .. })))
            .count(),
        6,
        "every list reloads: {effects:?}"
    );
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("updated channel") && screen.contains("Failed at create"),
        "{screen}"
    );
    assert!(screen.contains("Not attempted"), "{screen}");
    assert!(press_code(&mut app, KeyCode::Enter).is_empty());
    assert!(app.popups.is_empty(), "Enter closes the outcome");
}

#[test]
fn a_plan_with_nothing_to_do_says_so_and_offers_no_apply() {
    let mut app = loaded_app(false);
    let tenant = fixture_tenant();
    let bundle = bundle::export(&tenant, &[]).expect("export").bundle;
    let items = bundle::plan(&bundle, &tenant, &Secrets::lookup(&bundle, &|_| None));
    planned(
        &mut app,
        PlannedBundle {
            origin: "same.yaml".into(),
            items,
            tenant,
        },
    );
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Nothing to do"), "{screen}");
    assert!(!screen.contains("apply"), "no apply offered: {screen}");
    assert!(press_code(&mut app, KeyCode::Enter).is_empty(), "Enter only closes");
    assert!(app.popups.is_empty());
}

#[test]
fn a_refused_plan_is_one_error_and_no_popup() {
    let mut app = loaded_app(false);
    send(
        &mut app,
        Msg::Api(
            Owner::Entities,
            ApiReply::BundlePlanned(Err("b.yaml: environment variable X is not set".into())),
        ),
    );
    assert!(app.popups.is_empty());
    assert!(app.status.error.as_deref().unwrap_or("").contains("X is not set"));
}

#[test]
fn help_and_footer_list_the_bundle_commands() {
    let mut app = loaded_app(false);
    press(&mut app, '?');
    let help = render(&mut app, 120, 40);
    assert!(help.contains("Apply a setup bundle file"), "{help}");
    let mut app = on_account_detail(false);
    press(&mut app, '?');
    let help = render(&mut app, 120, 40);
    assert!(
        help.contains("export bundle") || help.contains("Export this account"),
        "{help}"
    );
}

#[test]
fn plan_popup_snapshots() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = loaded_app(false);
        planned(&mut app, mixed_plan());
        let text = render(&mut app, w, h);
        insta::assert_snapshot!(format!("bundle_plan_{w}x{h}"), text);
    }
}
