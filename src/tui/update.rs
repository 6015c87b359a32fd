//! The one place state changes: `update(app, msg) -> effects`. It never
//! blocks and never does I/O; effects carry the work out and come back as
//! messages.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};
use serde_json::Value;

use crate::api::ApiError;
use crate::api::models::EntityKind;
use crate::api::models::references::label;
use crate::setup::{SetupFlow, SetupInputs, StepStatus};
use crate::templates::{placeholders, reference_kind};

use super::action::Action;
use super::app::{App, PaneId};
use super::conversation_flow;
use super::effect::Effect;
use super::keymap::{Context, Key};
use super::modal::{Confirm, EditTarget, Editor, Modal, Pending, PickPurpose, Prompt, PromptPurpose, Setup, short_id};
use super::msg::{ApiReply, Msg};
use super::panes::entities::{ASSETS_TAB, Detail, TAB_COUNT, kind_index};
use super::panes::log::LogDetail;

/// Rows a page move jumps.
const PAGE: usize = 10;

/// Effects to load everything the console shows first.
pub fn startup() -> Vec<Effect> {
    EntityKind::ALL.into_iter().map(Effect::List).collect()
}

/// Apply one message. Returns the effects to perform.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let mut effects = match msg {
        Msg::Key(key) => on_key(app, key),
        Msg::Paste(text) => on_paste(app, &text),
        Msg::Mouse(mouse) => on_mouse(app, mouse.kind),
        Msg::Resize(w, h) => {
            app.size = (w, h);
            Vec::new()
        }
        Msg::Exchange(exchange) => {
            app.log.push(*exchange);
            Vec::new()
        }
        Msg::Api(reply) => {
            app.in_flight = app.in_flight.saturating_sub(1);
            on_reply(app, reply)
        }
        Msg::Token(state) => {
            app.token = state;
            Vec::new()
        }
        Msg::Tick => {
            app.ticking = false;
            app.spinner = app.spinner.wrapping_add(1);
            Vec::new()
        }
        Msg::ExternalEdit(result) => on_external_edit(app, result),
        Msg::Inbound(inbound) => conversation_flow::on_inbound(app, &inbound),
        Msg::PathCompleted {
            input,
            completed,
            candidates,
        } => {
            if let Some(Modal::Prompt(prompt)) = &mut app.modal
                && prompt.purpose == PromptPurpose::AttachPath
                && prompt.text() == input
            {
                **prompt = Prompt::new(PromptPurpose::AttachPath, &completed);
                prompt.error = match candidates.len() {
                    0 | 1 => None,
                    n => Some(format!("{n} matches: {}", candidates.join("  "))),
                };
            }
            Vec::new()
        }
        transfer @ (Msg::UploadProgress { .. }
        | Msg::UploadDone { .. }
        | Msg::DownloadProgress { .. }
        | Msg::DownloadDone(_)) => conversation_flow::on_transfer(app, transfer),
        Msg::Saved(result) | Msg::Report(result) => {
            match result {
                Ok(notice) => notice_(app, notice),
                Err(e) => error_(app, e),
            }
            Vec::new()
        }
    };
    // What arrived while the conversation was off screen has been seen once it is on screen.
    if app.focus == PaneId::Conversation || app.wide() {
        app.conversation.unseen = 0;
    }
    // Count API effects as in flight, and keep a spinner ticking while any are.
    app.in_flight += effects.iter().filter(|e| is_api(e)).count();
    if app.in_flight > 0 && !app.ticking {
        app.ticking = true;
        effects.push(Effect::ScheduleTick);
    }
    effects
}

fn is_api(effect: &Effect) -> bool {
    matches!(
        effect,
        Effect::List(_)
            | Effect::Get(..)
            | Effect::Create(..)
            | Effect::Update(..)
            | Effect::Delete(..)
            | Effect::GetAsset(_)
            | Effect::SetupStep { .. }
            | Effect::Send { .. }
            | Effect::GetTranscript(_)
            | Effect::PlanTakeover { .. }
            | Effect::ApplyTakeover(_)
    )
}

fn notice_(app: &mut App, text: impl Into<String>) {
    app.status.notice = Some(text.into());
}

fn error_(app: &mut App, text: impl Into<String>) {
    app.status.error = Some(text.into());
}

/// A read-only profile refuses before anything is sent.
fn refuse_read_only(app: &mut App, what: &str) -> bool {
    if app.session.read_only {
        error_(app, format!("read-only: {what} is disabled for this profile"));
        true
    } else {
        false
    }
}

// ---------------------------------------------------------------- keys

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    // Ctrl-C always quits, whatever has focus.
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        app.should_quit = true;
        return vec![Effect::Quit];
    }
    let context = app.context();
    let action = app.keymap.lookup(context, Key::from_event(&key));
    match context {
        Context::Editor => match action {
            Some(a) => editor_action(app, a),
            None => {
                if let Some(Modal::Editor(editor)) = &mut app.modal
                    && !editor.sending
                {
                    editor.textarea.input(key);
                }
                Vec::new()
            }
        },
        Context::Composer => match action {
            Some(a) => conversation_flow::composer_action(app, a),
            None => conversation_flow::composer_key(app, key),
        },
        Context::Prompt => match action {
            Some(a) => prompt_action(app, a),
            None => {
                if let Some(Modal::Prompt(prompt)) = &mut app.modal
                    && key.code != KeyCode::Enter
                {
                    prompt.input.input(key);
                    prompt.error = None;
                }
                Vec::new()
            }
        },
        _ => match action {
            Some(a) => dispatch(app, context, a),
            None => Vec::new(),
        },
    }
}

fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
    if app.modal.is_none() && app.focus == PaneId::Conversation && app.conversation.composing {
        return conversation_flow::composer_paste(app, text);
    }
    match &mut app.modal {
        Some(Modal::Editor(editor)) if !editor.sending => {
            editor.textarea.insert_str(text);
        }
        Some(Modal::Prompt(prompt)) => {
            prompt.input.insert_str(text.lines().next().unwrap_or(""));
        }
        _ => {}
    }
    Vec::new()
}

fn on_mouse(app: &mut App, kind: MouseEventKind) -> Vec<Effect> {
    let action = match kind {
        MouseEventKind::ScrollDown => Action::Down,
        MouseEventKind::ScrollUp => Action::Up,
        _ => return Vec::new(),
    };
    let context = app.context();
    dispatch(app, context, action)
}

/// Route an action to the modal or pane that has focus, then to global handling.
pub fn dispatch(app: &mut App, context: Context, action: Action) -> Vec<Effect> {
    match context {
        Context::Help => help_action(app, action),
        Context::Confirm => confirm_action(app, action),
        Context::Setup => setup_action(app, action),
        Context::Editor => editor_action(app, action),
        Context::Prompt => prompt_action(app, action),
        Context::Entities | Context::EntityDetail => entities_action(app, action),
        Context::Log | Context::LogDetail => log_action(app, action),
        Context::Conversation => {
            let effects = conversation_flow::conversation_action(app, action);
            if effects.is_empty() && !conversation_handles(action) {
                global_action(app, action)
            } else {
                effects
            }
        }
        Context::Composer => conversation_flow::composer_action(app, action),
        Context::Pick => pick_action(app, action),
        Context::Transcript => transcript_action(app, action),
        Context::Global | Context::List => global_action(app, action),
    }
}

fn global_action(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::ForceQuit => {
            app.should_quit = true;
            vec![Effect::Quit]
        }
        Action::Quit => {
            if app.in_flight > 0 {
                app.modal = Some(Modal::Confirm(Confirm {
                    message: format!("{} request(s) still in flight. Quit anyway?", app.in_flight),
                    pending: Pending::Quit,
                }));
                Vec::new()
            } else {
                app.should_quit = true;
                vec![Effect::Quit]
            }
        }
        Action::Help => {
            app.modal = Some(Modal::Help { scroll: 0 });
            Vec::new()
        }
        Action::NextPane => {
            app.focus = app.focus.next();
            Vec::new()
        }
        Action::PrevPane => {
            app.focus = app.focus.prev();
            Vec::new()
        }
        Action::FocusConversation => {
            app.focus = PaneId::Conversation;
            Vec::new()
        }
        Action::FocusEntities => {
            app.focus = PaneId::Entities;
            Vec::new()
        }
        Action::FocusLog => {
            app.focus = PaneId::Log;
            Vec::new()
        }
        // Esc with nothing else to close dismisses the last error.
        Action::Back => {
            app.status.error = None;
            Vec::new()
        }
        Action::ToggleMouse => {
            app.mouse = !app.mouse;
            notice_(
                app,
                if app.mouse {
                    "mouse on (wheel scrolls; hold Shift to select text)"
                } else {
                    "mouse off"
                },
            );
            vec![Effect::SetMouse(app.mouse)]
        }
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------- entities

fn move_selection(selected: &mut usize, len: usize, action: Action) -> bool {
    let last = len.saturating_sub(1);
    let new = match action {
        Action::Up => selected.saturating_sub(1),
        Action::Down => (*selected + 1).min(last),
        Action::PageUp => selected.saturating_sub(PAGE),
        Action::PageDown => (*selected + PAGE).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => return false,
    };
    *selected = new;
    true
}

fn scroll(offset: &mut u16, action: Action) -> bool {
    let page = PAGE as u16;
    *offset = match action {
        Action::Up => offset.saturating_sub(1),
        Action::Down => offset.saturating_add(1),
        Action::PageUp => offset.saturating_sub(page),
        Action::PageDown => offset.saturating_add(page),
        Action::Top => 0,
        Action::Bottom => u16::MAX / 2,
        _ => return false,
    };
    true
}

fn entities_action(app: &mut App, action: Action) -> Vec<Effect> {
    if app.entities.detail.is_some() {
        return detail_action(app, action);
    }
    let pane = &mut app.entities;
    match action {
        Action::NextKind => {
            pane.tab = (pane.tab + 1) % TAB_COUNT;
            pane.filter.clear();
            Vec::new()
        }
        Action::PrevKind => {
            pane.tab = (pane.tab + TAB_COUNT - 1) % TAB_COUNT;
            pane.filter.clear();
            Vec::new()
        }
        Action::Filter => {
            let purpose = if pane.tab == ASSETS_TAB {
                PromptPurpose::AssetId
            } else {
                PromptPurpose::EntityFilter
            };
            let initial = if purpose == PromptPurpose::EntityFilter {
                pane.filter.clone()
            } else {
                pane.asset.id.clone().unwrap_or_default()
            };
            app.modal = Some(Modal::Prompt(Box::new(Prompt::new(purpose, &initial))));
            Vec::new()
        }
        Action::Back if !pane.filter.is_empty() => {
            pane.filter.clear();
            Vec::new()
        }
        Action::Refresh => match pane.kind() {
            Some(kind) => {
                pane.list_mut(kind).loading = true;
                vec![Effect::List(kind)]
            }
            None => match pane.asset.id.clone() {
                Some(id) => {
                    pane.asset.loading = true;
                    vec![Effect::GetAsset(id)]
                }
                None => Vec::new(),
            },
        },
        Action::Open => {
            if pane.tab == ASSETS_TAB {
                app.modal = Some(Modal::Prompt(Box::new(Prompt::new(PromptPurpose::AssetId, ""))));
                return Vec::new();
            }
            match selected_ref(app) {
                Some((kind, id)) => open_detail(app, kind, id, false),
                None => Vec::new(),
            }
        }
        Action::Create => {
            let Some(kind) = app.entities.kind() else {
                return Vec::new();
            };
            if refuse_read_only(app, "creating objects") {
                return Vec::new();
            }
            open_create(app, kind);
            Vec::new()
        }
        Action::Edit | Action::EditExternal => match selected_ref(app) {
            Some((kind, id)) => start_edit(app, kind, &id, action == Action::EditExternal),
            None => Vec::new(),
        },
        Action::Delete => match selected_ref(app) {
            Some((kind, id)) => ask_delete(app, kind, id),
            None => Vec::new(),
        },
        Action::GuidedSetup => {
            if refuse_read_only(app, "guided setup") {
                return Vec::new();
            }
            // On the sandbox the new account answers at once through the built-in bot.
            let inputs = match &app.session.sandbox_root {
                Some(root) => SetupInputs::for_sandbox(root),
                None => SetupInputs::default(),
            };
            let flow = SetupFlow::new(&app.templates, &inputs, app.spec.clone());
            app.modal = Some(Modal::Setup(Box::new(Setup {
                flow,
                running: false,
                selected: 0,
            })));
            Vec::new()
        }
        other => {
            if let Some(kind) = pane.kind() {
                let len = pane.visible(kind).len();
                let list = pane.list_mut(kind);
                if move_selection(&mut list.selected, len, other) {
                    return Vec::new();
                }
            }
            global_action(app, other)
        }
    }
}

fn selected_ref(app: &App) -> Option<(EntityKind, String)> {
    let (kind, value) = app.entities.selected()?;
    Some((kind, value.get("id")?.as_str()?.to_owned()))
}

/// Show an object in detail; `push` remembers the current one for Back.
fn open_detail(app: &mut App, kind: EntityKind, id: String, push: bool) -> Vec<Effect> {
    let pane = &mut app.entities;
    if push && let Some(current) = &pane.detail {
        pane.history.push((current.kind, current.id.clone()));
    }
    pane.tab = kind_index(kind);
    // Select it in its list too, so Back lands on it.
    let rows = pane.visible(kind);
    if let Some(pos) = rows.iter().position(|&i| {
        pane.list(kind)
            .items
            .get(i)
            .and_then(|v| v.get("id"))
            .and_then(Value::as_str)
            == Some(id.as_str())
    }) {
        pane.list_mut(kind).selected = pos;
    }
    let cached = pane
        .list(kind)
        .items
        .iter()
        .find(|v| v.get("id").and_then(Value::as_str) == Some(id.as_str()))
        .cloned();
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
    vec![Effect::Get(kind, id)]
}

fn detail_action(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(detail) = app.entities.detail.as_mut() else {
        return Vec::new();
    };
    match action {
        Action::Back => {
            match app.entities.history.pop() {
                Some((kind, id)) => return open_detail(app, kind, id, false),
                None => app.entities.detail = None,
            }
            Vec::new()
        }
        Action::NextRef => {
            if !detail.refs.is_empty() {
                detail.ref_selected = (detail.ref_selected + 1) % detail.refs.len();
            }
            Vec::new()
        }
        Action::PrevRef => {
            if !detail.refs.is_empty() {
                detail.ref_selected = (detail.ref_selected + detail.refs.len() - 1) % detail.refs.len();
            }
            Vec::new()
        }
        Action::FollowRef | Action::Open => match detail.refs.get(detail.ref_selected).cloned() {
            Some(link) => open_detail(app, link.kind, link.id, true),
            None => Vec::new(),
        },
        Action::Refresh => {
            detail.loading = true;
            vec![Effect::Get(detail.kind, detail.id.clone())]
        }
        Action::UseConsoleForRole => {
            let (kind, id, value) = (detail.kind, detail.id.clone(), detail.value.clone());
            choose_takeover_role(app, kind, id, value)
        }
        Action::Edit | Action::EditExternal => {
            let (kind, id) = (detail.kind, detail.id.clone());
            start_edit(app, kind, &id, action == Action::EditExternal)
        }
        Action::Delete => {
            let (kind, id) = (detail.kind, detail.id.clone());
            ask_delete(app, kind, id)
        }
        other => {
            if scroll(&mut detail.scroll, other) {
                Vec::new()
            } else {
                global_action(app, other)
            }
        }
    }
}

/// Open the editor on a template for `kind`, with existing objects offered for its references.
fn open_create(app: &mut App, kind: EntityKind) {
    let template = app.templates.get(kind);
    // Value placeholders (names, addresses, credentials) get fresh defaults;
    // on the sandbox, role callbacks point at its built-in bot, agent and inbox.
    let inputs = match &app.session.sandbox_root {
        Some(root) => SetupInputs::for_sandbox(root),
        None => SetupInputs::default(),
    };
    let mut bindings = inputs.bindings();
    let mut hints = Vec::new();
    for slot in template.reference_slots() {
        let list = &app.entities.list(slot.kind).items;
        // Pre-fill with the newest object of the kind; list the others as choices.
        if let Some(newest) = list.last().and_then(|v| v.get("id")).and_then(Value::as_str) {
            bindings.set_reference(slot.kind, newest);
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
    let body = template.render(&bindings);
    let text = serde_json::to_string_pretty(&body).unwrap_or_default();
    app.modal = Some(Modal::Editor(Box::new(Editor::new(
        kind,
        EditTarget::Create,
        &text,
        hints,
    ))));
}

fn start_edit(app: &mut App, kind: EntityKind, id: &str, external: bool) -> Vec<Effect> {
    if refuse_read_only(app, "editing objects") {
        return Vec::new();
    }
    let value = app
        .entities
        .detail
        .as_ref()
        .filter(|d| d.id == id)
        .and_then(|d| d.value.clone())
        .or_else(|| {
            app.entities
                .list(kind)
                .items
                .iter()
                .find(|v| v.get("id").and_then(Value::as_str) == Some(id))
                .cloned()
        });
    let Some(value) = value else {
        error_(app, format!("{kind} {id} is not loaded yet"));
        return Vec::new();
    };
    // Secrets are never shown, not even in the editor or a temp file for $EDITOR.
    let mut shown = value.clone();
    crate::api::redact::json(&mut shown);
    let text = serde_json::to_string_pretty(&shown).unwrap_or_default();
    let mut editor = Editor::new(kind, EditTarget::Update { id: id.to_owned() }, &text, Vec::new());
    editor.original = Some(value);
    app.modal = Some(Modal::Editor(Box::new(editor)));
    if external {
        vec![Effect::ExternalEdit(text)]
    } else {
        Vec::new()
    }
}

fn ask_delete(app: &mut App, kind: EntityKind, id: String) -> Vec<Effect> {
    if refuse_read_only(app, "deleting objects") {
        return Vec::new();
    }
    let name = app.entities.name_of(kind, &id).unwrap_or_else(|| "?".into());
    app.modal = Some(Modal::Confirm(Confirm {
        message: format!("Delete {kind} \"{name}\" ({id})?"),
        pending: Pending::Delete { kind, id },
    }));
    Vec::new()
}

// ---------------------------------------------------------------- editor

fn editor_action(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(Modal::Editor(editor)) = &mut app.modal else {
        return Vec::new();
    };
    match action {
        Action::Cancel => {
            if editor.sending {
                return Vec::new();
            }
            // Cancelling a setup step's edit returns to the setup, unchanged.
            app.modal = app.parked_setup.take().map(Modal::Setup);
            Vec::new()
        }
        Action::EditExternal => vec![Effect::ExternalEdit(editor.text())],
        Action::Save => submit_editor(app),
        _ => Vec::new(),
    }
}

/// Parse and validate locally; only a valid body is sent.
fn submit_editor(app: &mut App) -> Vec<Effect> {
    let Some(Modal::Editor(editor)) = &mut app.modal else {
        return Vec::new();
    };
    if editor.sending {
        return Vec::new();
    }
    editor.problems.clear();
    let text = editor.text();
    let mut body: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            editor
                .problems
                .push(format!("JSON syntax: line {}, column {}: {e}", e.line(), e.column()));
            return Vec::new();
        }
    };
    if let Some(original) = &editor.original {
        crate::api::redact::restore_secrets(&mut body, original);
    }
    let kind = editor.kind;
    let schema = match editor.target {
        EditTarget::Update { .. } => kind.update_schema(),
        EditTarget::RawMessage => "SendMessageRequest",
        _ => kind.input_schema(),
    };
    let unfilled = placeholders(&body);
    if !unfilled.is_empty() {
        editor.problems = unfilled
            .iter()
            .map(|o| match reference_kind(&o.name) {
                Some(k) => format!(
                    "{}: replace {{{{{}}}}} with the id of an existing {k}",
                    o.json_path, o.name
                ),
                None => format!("{}: replace {{{{{}}}}} with a value", o.json_path, o.name),
            })
            .collect();
        return Vec::new();
    }
    let violations = app.spec.validate(schema, &body);
    if !violations.is_empty() {
        editor.problems = violations.iter().map(|v| v.to_string()).collect();
        return Vec::new();
    }
    if editor.target == EditTarget::RawMessage && app.session.read_only {
        editor
            .problems
            .push("read-only: sending messages is disabled for this profile".into());
        return Vec::new();
    }
    if matches!(editor.target, EditTarget::Update { .. }) && body.get("modified").is_none() {
        editor
            .problems
            .push("$.modified: is required (an update is a full replacement carrying `modified`)".into());
        return Vec::new();
    }
    match editor.target.clone() {
        EditTarget::Create => {
            editor.sending = true;
            vec![Effect::Create(kind, body)]
        }
        EditTarget::Update { id } => {
            editor.sending = true;
            vec![Effect::Update(kind, id, body)]
        }
        EditTarget::RawMessage => {
            app.modal = None;
            conversation_flow::send_raw(app, body)
        }
        EditTarget::SetupStep { step } => {
            // Back to the setup with the fixed body; the user resumes from there.
            app.modal = None;
            if let Some(mut setup) = app.parked_setup.take() {
                if let Err(e) = setup.flow.edit_body(step, body) {
                    app.status.error = Some(format!("setup step {}: {e}", step + 1));
                }
                app.modal = Some(Modal::Setup(setup));
            }
            Vec::new()
        }
    }
}

fn on_external_edit(app: &mut App, result: Result<String, String>) -> Vec<Effect> {
    match result {
        Ok(text) if app.modal.is_none() && app.focus == PaneId::Conversation => {
            app.conversation.set_composer_text(text.trim_end_matches('\n'));
            app.conversation.composing = true;
        }
        Ok(text) => {
            if let Some(Modal::Editor(editor)) = &mut app.modal {
                editor.set_text(&text);
                editor.problems.clear();
                notice_(app, "edited in $EDITOR: Ctrl-S validates and sends");
            }
        }
        Err(e) => error_(app, format!("$EDITOR: {e}")),
    }
    Vec::new()
}

// ---------------------------------------------------------------- prompts and dialogs

fn prompt_action(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(Modal::Prompt(prompt)) = &mut app.modal else {
        return Vec::new();
    };
    match action {
        Action::Complete if prompt.purpose == PromptPurpose::AttachPath => vec![Effect::CompletePath(prompt.text())],
        Action::Complete => Vec::new(),
        Action::Cancel => {
            app.modal = None;
            Vec::new()
        }
        Action::Confirm => {
            let text = prompt.text();
            match prompt.purpose {
                PromptPurpose::EntityFilter => {
                    app.entities.filter = text.trim().to_owned();
                    if let Some(kind) = app.entities.kind() {
                        app.entities.list_mut(kind).selected = 0;
                    }
                    app.modal = None;
                    Vec::new()
                }
                PromptPurpose::LogFilter => match app.log.log.set_filter_expr(&text) {
                    Ok(()) => {
                        app.log.filter_text = text.trim().to_owned();
                        app.modal = None;
                        Vec::new()
                    }
                    Err(e) => {
                        prompt.error = Some(e.to_string());
                        Vec::new()
                    }
                },
                PromptPurpose::AttachPath => {
                    if text.trim().is_empty() {
                        prompt.error = Some("type a file path (Tab completes)".into());
                        return Vec::new();
                    }
                    app.modal = None;
                    conversation_flow::start_upload(app, &text)
                }
                PromptPurpose::AssetId => {
                    let id = text.trim().to_owned();
                    if id.is_empty() || id.chars().count() > 255 {
                        prompt.error = Some("an asset id has 1 to 255 characters".into());
                        return Vec::new();
                    }
                    app.entities.asset.id = Some(id.clone());
                    app.entities.asset.loading = true;
                    app.entities.asset.result = None;
                    app.modal = None;
                    vec![Effect::GetAsset(id)]
                }
            }
        }
        _ => Vec::new(),
    }
}

fn confirm_action(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(Modal::Confirm(confirm)) = &app.modal else {
        return Vec::new();
    };
    match action {
        Action::Confirm => {
            let pending = confirm.pending.clone();
            app.modal = None;
            match pending {
                Pending::Quit => {
                    app.should_quit = true;
                    vec![Effect::Quit]
                }
                Pending::EndConversation => conversation_flow::end_conversation(app),
                Pending::Takeover(plan) => {
                    notice_(
                        app,
                        format!("pointing {} of {} at this console…", plan.role, plan.app_name),
                    );
                    vec![Effect::ApplyTakeover(plan)]
                }
                Pending::Delete { kind, id } => {
                    notice_(app, format!("deleting {kind} {}…", short_id(&id)));
                    vec![Effect::Delete(kind, id)]
                }
            }
        }
        Action::Cancel => {
            app.modal = None;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn help_action(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(Modal::Help { scroll: offset }) = &mut app.modal else {
        return Vec::new();
    };
    if action == Action::Back {
        app.modal = None;
    } else {
        scroll(offset, action);
    }
    Vec::new()
}

// ---------------------------------------------------------------- guided setup

fn setup_action(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(Modal::Setup(setup)) = &mut app.modal else {
        return Vec::new();
    };
    let len = setup.flow.steps().len();
    match action {
        Action::Cancel => {
            if setup.running {
                return Vec::new();
            }
            let created = setup.flow.created().len();
            app.modal = None;
            if created > 0 {
                notice_(
                    app,
                    format!("guided setup closed: {created} object(s) created and kept"),
                );
            }
            EntityKind::ALL.into_iter().map(Effect::List).collect()
        }
        Action::Confirm => run_next_step(app),
        Action::Edit => {
            if setup.running {
                return Vec::new();
            }
            let i = setup.selected.min(len.saturating_sub(1));
            if matches!(setup.flow.steps()[i].status, StepStatus::Done { .. }) {
                return Vec::new();
            }
            let kind = setup.flow.steps()[i].kind;
            let body = setup
                .flow
                .rendered(i)
                .unwrap_or_else(|| setup.flow.steps()[i].body.clone());
            let text = serde_json::to_string_pretty(&body).unwrap_or_default();
            let Some(Modal::Setup(setup)) = app.modal.take() else {
                return Vec::new();
            };
            app.parked_setup = Some(setup);
            app.modal = Some(Modal::Editor(Box::new(Editor::new(
                kind,
                EditTarget::SetupStep { step: i },
                &text,
                Vec::new(),
            ))));
            Vec::new()
        }
        other => {
            move_selection(&mut setup.selected, len, other);
            Vec::new()
        }
    }
}

fn run_next_step(app: &mut App) -> Vec<Effect> {
    let Some(Modal::Setup(setup)) = &mut app.modal else {
        return Vec::new();
    };
    if setup.running || setup.flow.is_complete() {
        return Vec::new();
    }
    match setup.flow.next_step() {
        Some((step, kind, body)) => {
            setup.running = true;
            setup.selected = step;
            vec![Effect::SetupStep { step, kind, body }]
        }
        None => {
            // The local check failed: the step says why; nothing was sent.
            if let Some(i) = setup.flow.failed_step() {
                setup.selected = i;
            }
            Vec::new()
        }
    }
}

// ---------------------------------------------------------------- request log

fn log_action(app: &mut App, action: Action) -> Vec<Effect> {
    let pane = &mut app.log;
    if let Some(detail) = pane.detail.as_mut() {
        return match action {
            Action::Back => {
                pane.detail = None;
                Vec::new()
            }
            Action::CopyCurl | Action::SaveCurl => export_curl(app, action == Action::CopyCurl),
            other => {
                if scroll(&mut detail.scroll, other) {
                    Vec::new()
                } else {
                    global_action(app, other)
                }
            }
        };
    }
    match action {
        Action::Open => {
            if let Some(seq) = pane.selected.filter(|s| pane.log.get(*s).is_some()) {
                pane.detail = Some(LogDetail { seq, scroll: 0 });
            }
            Vec::new()
        }
        Action::Filter => {
            let initial = pane.filter_text.clone();
            app.modal = Some(Modal::Prompt(Box::new(Prompt::new(PromptPurpose::LogFilter, &initial))));
            Vec::new()
        }
        Action::Back if !pane.filter_text.is_empty() => {
            pane.filter_text.clear();
            let _ = pane.log.set_filter_expr("");
            Vec::new()
        }
        Action::ToggleFollow => {
            pane.follow = !pane.follow;
            if pane.follow {
                let len = pane.log.visible_len();
                pane.select_row(len.saturating_sub(1));
            }
            Vec::new()
        }
        Action::CopyCurl | Action::SaveCurl => export_curl(app, action == Action::CopyCurl),
        Action::ExportHar => {
            let har = crate::reqlog::to_har(pane.log.visible(0..pane.log.visible_len()));
            let text = serde_json::to_string_pretty(&har).unwrap_or_default();
            vec![Effect::SaveText {
                base_name: "egain-console.har".into(),
                text,
            }]
        }
        other => {
            if let Some(mut row) = pane.selected_row() {
                let len = pane.log.visible_len();
                if move_selection(&mut row, len, other) {
                    pane.select_row(row);
                    return Vec::new();
                }
            }
            global_action(app, other)
        }
    }
}

fn export_curl(app: &mut App, clipboard: bool) -> Vec<Effect> {
    let pane = &app.log;
    let seq = pane.detail.map(|d| d.seq).or(pane.selected);
    let Some(exchange) = seq.and_then(|s| pane.log.get(s)) else {
        return Vec::new();
    };
    let curl = crate::reqlog::to_curl(exchange);
    let base_name = format!("exchange-{}.sh", exchange.id);
    let mut effects = Vec::new();
    if clipboard {
        effects.push(Effect::Clipboard(curl.clone()));
    }
    effects.push(Effect::SaveText { base_name, text: curl });
    effects
}

// ---------------------------------------------------------------- API replies

fn api_error(kind_label: &str, e: &ApiError) -> String {
    format!("{kind_label}: {e}")
}

fn on_reply(app: &mut App, reply: ApiReply) -> Vec<Effect> {
    match reply {
        ApiReply::Listed { kind, result } => {
            let select = app.entities.select_after_load.clone();
            let list = app.entities.list_mut(kind);
            list.loading = false;
            list.loaded = true;
            match result {
                Ok(page) => {
                    list.items = page.items;
                    list.error = None;
                }
                Err(e) => {
                    list.error = Some(e.to_string());
                    let msg = api_error(&format!("listing {}", kind.plural()), &e);
                    error_(app, msg);
                }
            }
            if let Some((k, id)) = select
                && k == kind
            {
                app.entities.select_after_load = None;
                let rows = app.entities.visible(kind);
                let list = app.entities.list(kind);
                if let Some(pos) = rows.iter().position(|&i| {
                    list.items.get(i).and_then(|v| v.get("id")).and_then(Value::as_str) == Some(id.as_str())
                }) {
                    app.entities.list_mut(kind).selected = pos;
                }
            }
            refresh_detail_refs(app);
            Vec::new()
        }
        ApiReply::Fetched { kind, id, result } => {
            if let Some(detail) = app.entities.detail.as_mut()
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
            refresh_detail_refs(app);
            Vec::new()
        }
        ApiReply::Created { kind, result } => {
            let Some(Modal::Editor(editor)) = &mut app.modal else {
                return match result {
                    Ok(_) => vec![Effect::List(kind)],
                    Err(_) => Vec::new(),
                };
            };
            editor.sending = false;
            match result {
                Ok(id) => {
                    app.modal = None;
                    app.status.error = None;
                    notice_(app, format!("created {kind} {id}"));
                    app.entities.tab = kind_index(kind);
                    app.entities.filter.clear();
                    app.entities.select_after_load = Some((kind, id));
                    vec![Effect::List(kind)]
                }
                Err(e) => {
                    // Keep the text for another try; show the server's code and message.
                    editor.problems = vec![format!("server refused: {e}")];
                    Vec::new()
                }
            }
        }
        ApiReply::Updated { kind, id, result } => {
            if let Some(Modal::Editor(editor)) = &mut app.modal {
                editor.sending = false;
                if let Err(e) = &result {
                    editor.problems = vec![format!("server refused: {e}")];
                    return Vec::new();
                }
                app.modal = None;
            }
            match result {
                Ok(()) => {
                    app.status.error = None;
                    notice_(app, format!("updated {kind} {}", short_id(&id)));
                    vec![Effect::List(kind), Effect::Get(kind, id)]
                }
                Err(e) => {
                    error_(app, api_error(&format!("updating {kind}"), &e));
                    Vec::new()
                }
            }
        }
        ApiReply::Deleted { kind, id, result } => match result {
            Ok(()) => {
                app.status.error = None;
                notice_(app, format!("deleted {kind} {}", short_id(&id)));
                if app.entities.detail.as_ref().is_some_and(|d| d.id == id) {
                    app.entities.detail = None;
                    app.entities.history.clear();
                }
                vec![Effect::List(kind)]
            }
            Err(e) => {
                // A refused delete explains why (e.g. the objects still referencing it).
                error_(
                    app,
                    api_error(&format!("delete refused for {kind} {}", short_id(&id)), &e),
                );
                Vec::new()
            }
        },
        ApiReply::Asset { id, result } => {
            let asset = &mut app.entities.asset;
            if asset.id.as_deref() == Some(id.as_str()) {
                asset.loading = false;
                asset.result = Some(result.map_err(|e| e.to_string()));
            }
            Vec::new()
        }
        ApiReply::Sent { local_id, result } => conversation_flow::on_sent(app, local_id, result),
        ApiReply::Transcript { id, result } => {
            match result {
                Ok(conversation) => {
                    app.modal = Some(Modal::Transcript {
                        conversation,
                        scroll: 0,
                    })
                }
                Err(e) => error_(app, format!("transcript of {}: {e}", short_id(&id))),
            }
            Vec::new()
        }
        ApiReply::TakeoverPlanned(result) => {
            match result {
                Ok(plan) => {
                    let message = format!(
                        "Point role {} of \"{}\" at this console?\n  now: {}\n  new: {}\nThe original is restored when the console exits (and after a crash, on the next start).",
                        plan.role,
                        plan.app_name,
                        plan.current_callback.as_deref().unwrap_or("(none)"),
                        plan.new_callback
                    );
                    app.modal = Some(Modal::Confirm(Confirm {
                        message,
                        pending: Pending::Takeover(Box::new(plan)),
                    }));
                }
                Err(e) => error_(app, format!("use console for role: {e}")),
            }
            Vec::new()
        }
        ApiReply::TakeoverApplied(result) => {
            match result {
                Ok(active) => {
                    let entry = active.entry();
                    app.taken.push(super::app::TakenRole {
                        app_name: entry.app_name.clone(),
                        role: entry.role.clone(),
                        original: entry.original_callback.clone(),
                    });
                    notice_(
                        app,
                        format!(
                            "{} of {} now calls this console (restored on exit)",
                            entry.role, entry.app_name
                        ),
                    );
                    app.takeovers.push(active);
                    return EntityKind::ALL.into_iter().map(Effect::List).collect();
                }
                Err(e) => error_(app, format!("use console for role: {e}")),
            }
            Vec::new()
        }
        ApiReply::SetupStep { step, result } => {
            let setup = match &mut app.modal {
                Some(Modal::Setup(setup)) => setup,
                _ => match app.parked_setup.as_mut() {
                    Some(setup) => setup,
                    None => return Vec::new(),
                },
            };
            setup.running = false;
            match result {
                Ok(id) => {
                    let kind = setup.flow.steps().get(step).map(|s| s.kind);
                    let _ = setup.flow.record_success(step, id);
                    if setup.flow.is_complete() {
                        notice_(app, "guided setup complete: a working account was created");
                        return EntityKind::ALL.into_iter().map(Effect::List).collect();
                    }
                    // Continue with the next step straight away.
                    let mut effects = run_next_step(app);
                    if let Some(kind) = kind {
                        effects.push(Effect::List(kind));
                    }
                    effects
                }
                Err(e) => {
                    let _ = setup.flow.record_failure(step, e);
                    setup.selected = step;
                    Vec::new()
                }
            }
        }
    }
}

fn refresh_detail_refs(app: &mut App) {
    let Some(detail) = &app.entities.detail else {
        return;
    };
    let Some(value) = detail.value.clone() else {
        return;
    };
    let refs = app.entities.references(detail.kind, &detail.id, &value);
    if let Some(detail) = app.entities.detail.as_mut() {
        detail.ref_selected = detail.ref_selected.min(refs.len().saturating_sub(1));
        detail.refs = refs;
    }
}

// ---------------------------------------------------------------- pick lists, transcripts, takeover

/// Actions the message list consumes even when they produce no effect.
fn conversation_handles(action: Action) -> bool {
    matches!(
        action,
        Action::Compose
            | Action::NewConversation
            | Action::NextConversation
            | Action::PrevConversation
            | Action::Choose
            | Action::Attach
            | Action::Download
            | Action::CancelUpload
            | Action::EndConversation
            | Action::Transcript
            | Action::RawMessage
            | Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
    )
}

fn pick_action(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(Modal::Pick(pick)) = &mut app.modal else {
        return Vec::new();
    };
    match action {
        Action::Cancel => {
            app.modal = None;
            Vec::new()
        }
        Action::Confirm => {
            let (purpose, index) = (pick.purpose.clone(), pick.selected);
            conversation_flow::picked(app, purpose, index)
        }
        other => {
            let len = pick.items.len();
            move_selection(&mut pick.selected, len, other);
            Vec::new()
        }
    }
}

fn transcript_action(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(Modal::Transcript {
        conversation,
        scroll: offset,
    }) = &mut app.modal
    else {
        return Vec::new();
    };
    match action {
        Action::Cancel => {
            app.modal = None;
            Vec::new()
        }
        Action::Save => vec![Effect::SaveTranscript(conversation.clone())],
        other => {
            scroll(offset, other);
            Vec::new()
        }
    }
}

/// `u` on a client application: pick the role to point at this console.
fn choose_takeover_role(app: &mut App, kind: EntityKind, id: String, value: Option<Value>) -> Vec<Effect> {
    if kind != EntityKind::ClientApplication {
        error_(app, "use console for role: open a Client Application first");
        return Vec::new();
    }
    if refuse_read_only(app, "pointing a role at this console") {
        return Vec::new();
    }
    if app.session.callback_urls.is_empty() {
        error_(
            app,
            "no callback receiver runs: add a [profiles.NAME.callback] table (listen, public_url) to the config",
        );
        return Vec::new();
    }
    let roles: Vec<String> = value
        .as_ref()
        .and_then(|v| v.get("roles"))
        .and_then(Value::as_array)
        .map(|roles| {
            roles
                .iter()
                .filter_map(|r| r.get("name").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if roles.is_empty() {
        error_(app, "this client application has no roles");
        return Vec::new();
    }
    app.modal = Some(Modal::Pick(Box::new(super::modal::Pick {
        title: "Use this console for which role?".into(),
        items: roles,
        selected: 0,
        purpose: PickPurpose::TakeoverRole { app_id: id },
    })));
    Vec::new()
}

/// The role was picked: ask the runtime for the plan (current and new callback).
pub fn plan_takeover(app: &mut App, app_id: String, index: usize) -> Vec<Effect> {
    let role = app
        .entities
        .list(EntityKind::ClientApplication)
        .items
        .iter()
        .find(|v| v.get("id").and_then(Value::as_str) == Some(app_id.as_str()))
        .or(app.entities.detail.as_ref().and_then(|d| d.value.as_ref()))
        .and_then(|v| v.get("roles"))
        .and_then(Value::as_array)
        .and_then(|roles| roles.get(index))
        .and_then(|r| r.get("name"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let Some(role) = role else {
        return Vec::new();
    };
    let url = app
        .session
        .callback_urls
        .iter()
        .find(|(r, _)| *r == role)
        .map(|(_, u)| u.clone());
    match url {
        Some(console_url) => vec![Effect::PlanTakeover {
            app_id,
            role,
            console_url,
        }],
        None => {
            error_(app, format!("the receiver has no callback for role {role}"));
            Vec::new()
        }
    }
}
