//! The Entities component's update: its keys, its API replies and the
//! outcomes of the popups it opened. Pure: effects go out through `Cx`.

use serde_json::Value;

use crate::api::models::EntityKind;
use crate::api::models::references::label;
use crate::callback_takeover::{CredentialsCheck, ReceiverCredentials, credentials};
use crate::setup::SetupInputs;
use crate::templates::{Bindings, avoid_collisions};

use super::catalog::PageStep;
use super::{ASSETS_TAB, Detail, EntitiesPane, TAB_COUNT, kind_index};
use crate::tui::action::Action;
use crate::tui::cx::Cx;
use crate::tui::effect::{Call, Effect, Owner};
use crate::tui::msg::{ApiReply, TakenRole};
use crate::tui::popup::ask::EntitiesAsk;
use crate::tui::popup::editor::short_id;
use crate::tui::popup::{Confirm, Editor, Outcome, Pick, Popup, Prompt, move_selection, scroll};

const OWNER: Owner = Owner::Entities;

/// Start-up: the kind on screen, and every other kind once its first page
/// (or its error) is in or the first frame is drawn without it (a slow
/// tenant). The first frame waits for that list only, and neither its round
/// trip nor its render competes for the CPU with five more lists (measured
/// in the README, `cargo bench --bench startup`).
pub fn load_shown_first(pane: &mut EntitiesPane, cx: &mut Cx) {
    let Some(shown) = pane.kind() else {
        return load_all(pane, cx);
    };
    pane.load_after_shown = EntityKind::ALL.into_iter().filter(|k| *k != shown).collect();
    reload(pane, shown, cx);
}

/// The kinds [`load_shown_first`] held back, unless asked for since.
pub fn load_held_back(pane: &mut EntitiesPane, cx: &mut Cx) {
    for kind in std::mem::take(&mut pane.load_after_shown) {
        if !pane.list(kind).loading {
            reload(pane, kind, cx);
        }
    }
}

/// Load every kind (after a setup or a takeover), the one on screen first.
pub fn load_all(pane: &mut EntitiesPane, cx: &mut Cx) {
    pane.load_after_shown.clear();
    let shown = pane.kind();
    for kind in shown
        .into_iter()
        .chain(EntityKind::ALL.into_iter().filter(|k| Some(*k) != shown))
    {
        reload(pane, kind, cx);
    }
}

/// Reload one kind from its first page.
pub fn reload(pane: &mut EntitiesPane, kind: EntityKind, cx: &mut Cx) {
    let generation = pane.catalog.begin_load(kind);
    cx.call(
        OWNER,
        Call::List {
            kind,
            page: 1,
            generation,
        },
    );
}

/// A key's action while the pane has focus. Returns false when the pane
/// does not handle it (the root then tries the global commands).
pub fn on_action(pane: &mut EntitiesPane, action: Action, cx: &mut Cx) -> bool {
    if pane.detail.is_some() {
        return detail_action(pane, action, cx);
    }
    match action {
        Action::NextKind | Action::PrevKind => {
            pane.tab = if action == Action::NextKind {
                (pane.tab + 1) % TAB_COUNT
            } else {
                (pane.tab + TAB_COUNT - 1) % TAB_COUNT
            };
            pane.set_filter("");
        }
        Action::Filter if pane.tab == ASSETS_TAB => open_asset_prompt(pane, cx),
        Action::Filter => cx.open(
            EntitiesAsk::Filter,
            Popup::Prompt(Box::new(Prompt::new(
                "Filter objects (name, id, any text)",
                &pane.filter,
            ))),
        ),
        Action::Back if !pane.filter.is_empty() => pane.set_filter(""),
        Action::Refresh => match pane.kind() {
            Some(kind) => reload(pane, kind, cx),
            None => {
                if let Some(id) = pane.asset.id.clone() {
                    pane.asset.loading = true;
                    cx.call(OWNER, Call::GetAsset(id));
                }
            }
        },
        Action::Open if pane.tab == ASSETS_TAB => open_asset_prompt(pane, cx),
        Action::Open => {
            if let Some((kind, id)) = selected_ref(pane) {
                open_detail(pane, kind, id, false, cx);
            }
        }
        Action::Create => {
            if let Some(kind) = pane.kind() {
                open_create(pane, kind, cx);
            }
        }
        Action::Edit | Action::EditExternal => {
            if let Some((kind, id)) = selected_ref(pane) {
                start_edit(pane, kind, &id, action == Action::EditExternal, cx);
            }
        }
        Action::Delete => {
            if let Some((kind, id)) = selected_ref(pane) {
                ask_delete(pane, kind, id, cx);
            }
        }
        Action::GuidedSetup => cx.start_setup = true,
        Action::ApplyBundle => super::bundle::ask_path(cx),
        Action::Copy | Action::CopyJson => {
            if let Some((kind, value)) = pane.selected() {
                copy_object(kind, value, action == Action::CopyJson, cx);
            }
        }
        Action::OpenPager => {
            if let Some((_, value)) = pane.selected() {
                cx.effect(Effect::Pager(shown_json(value)));
            }
        }
        other => {
            let Some(kind) = pane.kind() else {
                return false;
            };
            let len = pane.visible(kind).len();
            return move_selection(&mut pane.list_mut(kind).selected, len, other);
        }
    }
    true
}

/// An object's JSON as the detail view shows it: pretty, secrets redacted.
pub fn shown_json(value: &Value) -> String {
    let mut shown = value.clone();
    crate::api::redact::json(&mut shown);
    serde_json::to_string_pretty(&shown).unwrap_or_default()
}

/// `y` copies the id, `Y` the JSON (secrets redacted, as on screen).
fn copy_object(kind: EntityKind, value: &Value, json: bool, cx: &mut Cx) {
    let id = value.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
    if json {
        let text = shown_json(value);
        cx.copy(
            &format!("{kind} JSON"),
            text,
            &format!("{}-{}.json", kind.segment(), short_id(&id)),
        );
    } else {
        cx.copy(&format!("{kind} id {id}"), id, "id.txt");
    }
}

fn open_asset_prompt(pane: &EntitiesPane, cx: &mut Cx) {
    let initial = pane.asset.id.clone().unwrap_or_default();
    cx.open(
        EntitiesAsk::AssetId,
        Popup::Prompt(Box::new(Prompt::new("Asset id", &initial))),
    );
}

fn selected_ref(pane: &EntitiesPane) -> Option<(EntityKind, String)> {
    let (kind, value) = pane.selected()?;
    Some((kind, value.get("id")?.as_str()?.to_owned()))
}

/// Show an object in detail; `push` remembers the current one for Back.
pub fn open_detail(pane: &mut EntitiesPane, kind: EntityKind, id: String, push: bool, cx: &mut Cx) {
    if push && let Some(current) = &pane.detail {
        pane.history.push((current.kind, current.id.clone()));
    }
    pane.tab = kind_index(kind);
    // Select it in its list too, so Back lands on it.
    select(pane, kind, &id);
    let cached = pane.catalog.get(kind, &id).cloned();
    let refs = cached
        .as_ref()
        .map(|v| pane.references(kind, &id, v))
        .unwrap_or_default();
    pane.detail = Some(Detail {
        kind,
        id: id.clone(),
        value: cached,
        loading: true,
        error: None,
        scroll: 0,
        refs,
        ref_selected: 0,
    });
    cx.call(OWNER, Call::Get(kind, id));
}

/// Select the object `id` in its list, if it passes the filter.
fn select(pane: &mut EntitiesPane, kind: EntityKind, id: &str) {
    let list = pane.list(kind);
    if let Some(pos) = list
        .visible()
        .iter()
        .position(|&i| list.items.get(i).and_then(|v| v.get("id")).and_then(Value::as_str) == Some(id))
    {
        pane.list_mut(kind).selected = pos;
    }
}

fn detail_action(pane: &mut EntitiesPane, action: Action, cx: &mut Cx) -> bool {
    let Some(detail) = pane.detail.as_mut() else {
        return false;
    };
    match action {
        Action::Back => match pane.history.pop() {
            Some((kind, id)) => open_detail(pane, kind, id, false, cx),
            None => pane.detail = None,
        },
        Action::NextRef | Action::PrevRef => {
            let n = detail.refs.len();
            if n > 0 {
                detail.ref_selected = if action == Action::NextRef {
                    (detail.ref_selected + 1) % n
                } else {
                    (detail.ref_selected + n - 1) % n
                };
            }
        }
        Action::FollowRef | Action::Open => {
            if let Some(link) = detail.refs.get(detail.ref_selected).cloned() {
                open_detail(pane, link.kind, link.id, true, cx);
            }
        }
        Action::Refresh => {
            detail.loading = true;
            cx.call(OWNER, Call::Get(detail.kind, detail.id.clone()));
        }
        Action::Copy | Action::CopyJson => match &detail.value {
            Some(value) => copy_object(detail.kind, value, action == Action::CopyJson, cx),
            None => cx.error("not loaded yet"),
        },
        Action::OpenPager => match &detail.value {
            Some(value) => cx.effect(Effect::Pager(shown_json(value))),
            None => cx.error("not loaded yet"),
        },
        Action::ExportBundle => super::bundle::export_account(pane, cx),
        Action::UseConsoleForRole => {
            let (kind, id) = (detail.kind, detail.id.clone());
            choose_takeover_role(pane, kind, id, cx);
        }
        Action::Edit | Action::EditExternal => {
            let (kind, id) = (detail.kind, detail.id.clone());
            start_edit(pane, kind, &id, action == Action::EditExternal, cx);
        }
        Action::Delete => {
            let (kind, id) = (detail.kind, detail.id.clone());
            ask_delete(pane, kind, id, cx);
        }
        other => return scroll(&mut detail.scroll, other),
    }
    true
}

/// Default inputs of new objects and the guided setup: on the sandbox, its
/// built-in bot, agent and inbox; with a callback receiver, the receiver's
/// URLs and basic credentials (so replies arrive here); else placeholders.
pub fn setup_inputs(session: &crate::connect::Session) -> SetupInputs {
    match (&session.sandbox_root, &session.receiver) {
        (Some(root), _) => SetupInputs::for_sandbox(root),
        (None, Some(receiver)) if !session.callback_urls.is_empty() => {
            SetupInputs::for_receiver(&session.callback_urls, &receiver.auth)
        }
        _ => SetupInputs::default(),
    }
}

/// Open the editor on a template for `kind`, with existing objects offered
/// for its references and names (addresses, channel types) no loaded object
/// uses, so saving it unchanged succeeds.
fn open_create(pane: &EntitiesPane, kind: EntityKind, cx: &mut Cx) {
    let template = cx.templates.get(kind);
    // Value placeholders (names, addresses, credentials) get fresh defaults;
    // on the sandbox, role callbacks point at its built-in bot, agent and inbox.
    let inputs = setup_inputs(cx.session);
    let mut references = Bindings::empty();
    let mut hints = Vec::new();
    for slot in template.reference_slots() {
        let list = &pane.list(slot.kind).items;
        // Pre-fill with the newest object of the kind; list the others as choices.
        if let Some(newest) = list.last().and_then(|v| v.get("id")).and_then(Value::as_str) {
            references.set_reference(slot.kind, newest);
        }
        let choices: Vec<String> = list
            .iter()
            .filter_map(|v| Some(format!("{} = {}", label(slot.kind, v), v.get("id")?.as_str()?)))
            .collect();
        hints.push(format!(
            "{} ({}): {}",
            slot.placeholder,
            slot.kind,
            if choices.is_empty() {
                "none yet: create one first".to_owned()
            } else {
                choices.join(", ")
            }
        ));
    }
    let inputs = inputs.first_free(cx.templates, &[kind], &references, &pane.catalog);
    let mut bindings = inputs.bindings();
    bindings.extend(&references);
    let mut body = template.render(&bindings);
    hints.extend(avoid_collisions(kind, &mut body, &pane.list(kind).items));
    // The generated password shows redacted and is sent unless retyped.
    let mut shown = body.clone();
    crate::api::redact::json(&mut shown);
    let text = serde_json::to_string_pretty(&shown).unwrap_or_default();
    let mut editor = Editor::new(OWNER, format!("New {kind}"), kind.input_schema(), &text, hints);
    editor.original = Some(body);
    cx.open(EntitiesAsk::Create { kind }, Popup::Editor(Box::new(editor)));
}

fn start_edit(pane: &EntitiesPane, kind: EntityKind, id: &str, external: bool, cx: &mut Cx) {
    let value = pane
        .detail
        .as_ref()
        .filter(|d| d.id == id)
        .and_then(|d| d.value.clone())
        .or_else(|| pane.catalog.get(kind, id).cloned());
    let Some(value) = value else {
        cx.error(format!("{kind} {id} is not loaded yet"));
        return;
    };
    // Secrets are never shown, not even in the editor or a temp file for $EDITOR.
    let mut shown = value.clone();
    crate::api::redact::json(&mut shown);
    let text = serde_json::to_string_pretty(&shown).unwrap_or_default();
    let mut editor = Editor::new(
        OWNER,
        format!("Edit {kind} {}", short_id(id)),
        kind.update_schema(),
        &text,
        Vec::new(),
    );
    editor.requires_modified = true;
    editor.original = Some(value);
    cx.open(
        EntitiesAsk::Update {
            kind,
            id: id.to_owned(),
        },
        Popup::Editor(Box::new(editor)),
    );
    if external {
        cx.effect(Effect::ExternalEdit(OWNER, text));
    }
}

fn ask_delete(pane: &EntitiesPane, kind: EntityKind, id: String, cx: &mut Cx) {
    let name = pane.name_of(kind, &id).unwrap_or_else(|| "?".into());
    cx.open(
        EntitiesAsk::Delete { kind, id: id.clone() },
        Popup::Confirm(Confirm::new(format!("Delete {kind} \"{name}\" ({id})?"))),
    );
}

/// `u` on a client application: pick the role to point at this console.
fn choose_takeover_role(pane: &EntitiesPane, kind: EntityKind, id: String, cx: &mut Cx) {
    if kind != EntityKind::ClientApplication {
        cx.error("use console for role: open a Client Application first");
        return;
    }
    if cx.session.callback_urls.is_empty() {
        cx.error("no callback receiver runs: add a [profiles.NAME.callback] table (listen, public_url) to the config");
        return;
    }
    let roles = takeover_roles(pane, &id);
    if roles.is_empty() {
        cx.error("this client application has no roles");
        return;
    }
    cx.open(
        EntitiesAsk::TakeoverRole { app_id: id },
        Popup::Pick(Box::new(Pick::new("Use this console for which role?", roles))),
    );
}

/// The role names of a client application (the detail's fresh copy first).
fn takeover_roles(pane: &EntitiesPane, app_id: &str) -> Vec<String> {
    let fresh = pane
        .detail
        .as_ref()
        .filter(|d| d.id == app_id)
        .and_then(|d| d.value.clone())
        .and_then(|v| serde_json::from_value::<crate::api::models::ClientApplication>(v).ok());
    let app = fresh.or_else(|| pane.catalog.application(app_id).cloned());
    app.map(|a| a.roles.iter().map(|r| r.name.to_string()).collect())
        .unwrap_or_default()
}

/// The outcome of a popup this pane opened.
pub fn on_outcome(pane: &mut EntitiesPane, ask: EntitiesAsk, outcome: Outcome, cx: &mut Cx) {
    let ask_key = crate::tui::popup::Ask::Entities(ask.clone());
    match (ask, outcome) {
        (_, Outcome::Cancelled) => {}
        (EntitiesAsk::Filter, Outcome::Text(text)) => {
            pane.set_filter(text.trim());
            if let Some(kind) = pane.kind() {
                pane.list_mut(kind).selected = 0;
            }
            cx.popups.close(&ask_key);
        }
        (EntitiesAsk::AssetId, Outcome::Text(text)) => {
            let id = text.trim().to_owned();
            if id.is_empty() || id.chars().count() > 255 {
                cx.popups.reject("an asset id has 1 to 255 characters");
                return;
            }
            cx.popups.close(&ask_key);
            pane.asset.id = Some(id.clone());
            pane.asset.loading = true;
            pane.asset.result = None;
            cx.call(OWNER, Call::GetAsset(id));
        }
        (EntitiesAsk::Delete { kind, id }, Outcome::Confirmed) => {
            cx.notice(format!("deleting {kind} {}…", short_id(&id)));
            cx.call(OWNER, Call::Delete(kind, id));
        }
        (EntitiesAsk::Create { kind }, Outcome::Json(body)) => {
            if let Some(editor) = cx.popups.editor_mut(&ask_key) {
                editor.sending = true;
            }
            cx.call(OWNER, Call::Create(kind, body));
        }
        (EntitiesAsk::Update { kind, id }, Outcome::Json(body)) => {
            if let Some(editor) = cx.popups.editor_mut(&ask_key) {
                editor.sending = true;
            }
            cx.call(OWNER, Call::Update(kind, id, body));
        }
        (EntitiesAsk::TakeoverRole { app_id }, Outcome::Chosen(index)) => plan_takeover(pane, app_id, index, cx),
        (EntitiesAsk::Takeover(plan), Outcome::Confirmed) => {
            cx.notice(format!("pointing {} of {} at this console…", plan.role, plan.app_name));
            cx.call(OWNER, Call::ApplyTakeover(plan));
        }
        (a @ (EntitiesAsk::BundlePath | EntitiesAsk::BundlePlan), outcome) => super::bundle::on_outcome(a, outcome, cx),
        (EntitiesAsk::Setup, _) => {}
        _ => {}
    }
}

/// The guided setup closed: show what it made.
pub fn on_setup_closed(pane: &mut EntitiesPane, created: usize, cx: &mut Cx) {
    if created > 0 {
        cx.notice(format!("guided setup closed: {created} object(s) created and kept"));
    }
    load_all(pane, cx);
}

/// The role was picked: ask the runtime for the plan (current and new callback).
fn plan_takeover(pane: &EntitiesPane, app_id: String, index: usize, cx: &mut Cx) {
    let Some(role) = takeover_roles(pane, &app_id).into_iter().nth(index) else {
        return;
    };
    let url = cx
        .session
        .callback_urls
        .iter()
        .find(|(r, _)| *r == role)
        .map(|(_, u)| u.clone());
    match url {
        Some(console_url) => cx.call(
            OWNER,
            Call::PlanTakeover {
                app_id,
                role,
                console_url,
            },
        ),
        None => cx.error(format!("the receiver has no callback for role {role}")),
    }
}

/// The answer to one of this pane's API calls.
pub fn on_reply(pane: &mut EntitiesPane, reply: ApiReply, cx: &mut Cx) {
    match reply {
        ApiReply::Listed {
            kind,
            page,
            generation,
            result,
        } => {
            match result {
                Ok(items) => {
                    let filter = pane.filter.clone();
                    if let PageStep::Next(next) = pane.catalog.page(kind, page, generation, items, &filter) {
                        // The rows so far are on screen; the next page follows.
                        cx.call(
                            OWNER,
                            Call::List {
                                kind,
                                page: next,
                                generation,
                            },
                        );
                    }
                }
                Err(e) => {
                    pane.catalog.failed(kind, e.to_string());
                    cx.error(format!("listing {}: {e}", kind.plural()));
                }
            }
            if let Some((k, id)) = pane.select_after_load.clone()
                && k == kind
                && pane.catalog.get(kind, &id).is_some()
            {
                pane.select_after_load = None;
                select(pane, kind, &id);
            }
            // The first list is in (whatever tab the user moved to since).
            load_held_back(pane, cx);
            refresh_detail_refs(pane);
        }
        ApiReply::Fetched { kind, id, result } => {
            if let Some(detail) = pane.detail.as_mut()
                && detail.kind == kind
                && detail.id == id
            {
                detail.loading = false;
                match result {
                    Ok(value) => {
                        detail.value = Some(value);
                        detail.error = None;
                    }
                    Err(e) => detail.error = Some(e.to_string()),
                }
            }
            refresh_detail_refs(pane);
        }
        ApiReply::Created { kind, result } => {
            let ask = crate::tui::popup::Ask::Entities(EntitiesAsk::Create { kind });
            match result {
                Ok(id) => {
                    cx.popups.close_any(&ask);
                    cx.status.error = None;
                    cx.notice(format!("created {kind} {id}"));
                    pane.tab = kind_index(kind);
                    pane.set_filter("");
                    pane.select_after_load = Some((kind, id));
                    reload(pane, kind, cx);
                }
                Err(e) => match cx.popups.editor_mut(&ask) {
                    // Keep the text for another try; show the server's code and message.
                    Some(editor) => {
                        editor.sending = false;
                        editor.problems = vec![format!("server refused: {e}")];
                    }
                    None => cx.error(format!("creating {kind}: {e}")),
                },
            }
        }
        ApiReply::Updated { kind, id, result } => {
            let ask = crate::tui::popup::Ask::Entities(EntitiesAsk::Update { kind, id: id.clone() });
            match result {
                Ok(()) => {
                    cx.popups.close_any(&ask);
                    cx.status.error = None;
                    cx.notice(format!("updated {kind} {}", short_id(&id)));
                    reload(pane, kind, cx);
                    cx.call(OWNER, Call::Get(kind, id));
                }
                Err(e) => match cx.popups.editor_mut(&ask) {
                    Some(editor) => {
                        editor.sending = false;
                        editor.problems = vec![format!("server refused: {e}")];
                    }
                    None => cx.error(format!("updating {kind}: {e}")),
                },
            }
        }
        ApiReply::Deleted { kind, id, result } => match result {
            Ok(()) => {
                cx.status.error = None;
                cx.notice(format!("deleted {kind} {}", short_id(&id)));
                if pane.detail.as_ref().is_some_and(|d| d.id == id) {
                    pane.detail = None;
                    pane.history.clear();
                }
                reload(pane, kind, cx);
            }
            // A refused delete explains why (e.g. the objects still referencing it).
            Err(e) => cx.error(format!("delete refused for {kind} {}: {e}", short_id(&id))),
        },
        ApiReply::Asset { id, result } => {
            let asset = &mut pane.asset;
            if asset.id.as_deref() == Some(id.as_str()) {
                asset.loading = false;
                asset.result = Some(result.map_err(|e| e.to_string()));
            }
        }
        ApiReply::TakeoverPlanned(result) => match result {
            // Nothing to change, and no other callback to restore later: say so, ask nothing.
            Ok(plan) if plan.current_callback.as_deref() == Some(plan.new_callback.as_str()) => cx.notice(format!(
                "role {} of \"{}\" already calls this console: nothing to change",
                plan.role, plan.app_name
            )),
            Ok(plan) => {
                let message = format!(
                    "Point role {} of \"{}\" at this console?\n  now: {}\n  new: {}\n{}\nThe original is restored when the console exits (and after a crash, on the next start).",
                    plan.role,
                    plan.app_name,
                    plan.current_callback.as_deref().unwrap_or("(none)"),
                    plan.new_callback,
                    credentials_line(
                        pane,
                        cx.session.receiver.as_ref(),
                        plan.new_authentication
                            .as_ref()
                            .or(plan.current_authentication.as_ref())
                    ),
                );
                cx.open(
                    EntitiesAsk::Takeover(Box::new(plan)),
                    Popup::Confirm(Confirm::new(message)),
                );
            }
            Err(e) => cx.error(format!("use console for role: {e}")),
        },
        ApiReply::TakeoverApplied(result) => match result {
            Ok(taken) => {
                cx.notice(format!(
                    "{} of {} now calls this console (restored on exit)",
                    taken.role, taken.app_name
                ));
                cx.status.replies_come_here(&taken.role);
                cx.taken.push(TakenRole { ..taken });
                load_all(pane, cx);
                // The detail shows the role's new callback.
                if let Some(d) = pane.detail.as_mut() {
                    d.loading = true;
                    let (kind, id) = (d.kind, d.id.clone());
                    cx.call(OWNER, Call::Get(kind, id));
                }
            }
            Err(e) => cx.error(format!("use console for role: {e}")),
        },
        ApiReply::BundlePlanned(result) => super::bundle::on_planned(result, cx),
        ApiReply::BundleApplied(result) => {
            super::bundle::on_applied(result, cx);
            load_all(pane, cx);
        }
        // Replies of other owners never come here.
        ApiReply::Sent { .. } | ApiReply::Transcript { .. } | ApiReply::SetupStep { .. } => {}
    }
}

/// What the hub will send the receiver (the role's Authentication),
/// checked against what this console's receiver accepts: a mismatch is
/// seen here, before deliveries are refused (401). Never a password.
fn credentials_line(pane: &EntitiesPane, receiver: Option<&ReceiverCredentials>, auth_id: Option<&String>) -> String {
    let auth = auth_id.and_then(|id| {
        pane.catalog
            .get(EntityKind::Authentication, id)
            .and_then(|v| serde_json::from_value::<crate::api::models::Authentication>(v.clone()).ok())
    });
    if let (Some(id), None) = (auth_id, &auth) {
        return format!(
            "  warning: the role's Authentication {} is not loaded: check it sends the receiver's credentials",
            short_id(id)
        );
    }
    let Some(receiver) = receiver else {
        return match &auth {
            Some(a) => format!(
                "  credentials: Authentication \"{}\" ({}): the receiver must expect these, or deliveries are refused (401)",
                a.name,
                match &a.basic_auth {
                    Some(b) => format!("basic, user \"{}\"", b.username),
                    None => a.auth_type.to_string(),
                }
            ),
            None => "  warning: the role has no Authentication: the hub sends no credentials and the receiver refuses \
                     its deliveries (401)"
                .into(),
        };
    };
    match credentials::check(receiver, auth.as_ref()) {
        CredentialsCheck::Match(what) => format!("  credentials: {what}"),
        CredentialsCheck::Open => "  credentials: the receiver accepts any caller".into(),
        CredentialsCheck::Unknown(what) => format!("  check: {what}"),
        CredentialsCheck::Mismatch(why) => format!(
            "  warning: {why}: the receiver will refuse its deliveries (401) and no reply will show; \
             fix the Authentication or the receiver's [callback] credentials first"
        ),
    }
}

fn refresh_detail_refs(pane: &mut EntitiesPane) {
    let Some(detail) = &pane.detail else {
        return;
    };
    let Some(value) = detail.value.clone() else {
        return;
    };
    let refs = pane.references(detail.kind, &detail.id, &value);
    if let Some(detail) = pane.detail.as_mut() {
        detail.ref_selected = detail.ref_selected.min(refs.len().saturating_sub(1));
        detail.refs = refs;
    }
}
