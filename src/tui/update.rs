//! The root update: `update(app, msg) -> effects`. It never blocks and never
//! does I/O. It only routes: keys to the top popup or the focused component
//! (each handles its own commands, see `panes/*/update.rs`), API replies and
//! transfers to the component that asked, popup outcomes to the popup's
//! owner. What stays here: global commands (quit, help, panes, zoom), the
//! read-only guard, and the focus model (text fields vs commands).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};

use super::action::Action;
use super::app::{App, PaneId};
use super::command::{Command, GLOBAL, LIST, Table};
use super::cx::Cx;
use super::effect::{Effect, Owner};
use super::guard::{self, ComposeWatch, HeldKey, is_text_key};
use super::keymap::Key;
use super::msg::Msg;
use super::panes::conversation::{self as conv, ConversationPane, update as conversation};
use super::panes::entities::{self as ent, EntitiesPane, update as entities};
use super::panes::log::{self as logp, LogPane};
use super::panes::scenarios::{self as scen, ScenariosPane, update as scenarios};
use super::panes::setup::{self as setup, SetupPane, SetupStep};
use super::popup::ask::{EntitiesAsk, RootAsk};
use super::popup::help::{self, Help};
use super::popup::palette::PaletteEntry;
use super::popup::{self, Ask, Confirm, Outcome, Popup, PopupCx, Step};

/// The start-up's effects: the list on screen (the other kinds follow its answer).
pub fn startup(app: &mut App) -> Vec<Effect> {
    with_cx(app, |parts, cx| entities::load_shown_first(parts.entities, cx))
}

/// The components, borrowed apart from the rest of the state.
struct Parts<'a> {
    entities: &'a mut EntitiesPane,
    conversation: &'a mut ConversationPane,
    log: &'a mut LogPane,
    scenarios: &'a mut ScenariosPane,
    setup: &'a mut Option<SetupPane>,
}

/// Run `f` with the components and a [`Cx`]; apply what it asked of the root.
fn with_cx(app: &mut App, f: impl FnOnce(&mut Parts, &mut Cx)) -> Vec<Effect> {
    let wide = app.wide();
    let mut cx = Cx {
        session: &app.session,
        spec: &app.spec,
        templates: &app.templates,
        status: &mut app.status,
        popups: &mut app.popups,
        effects: Vec::new(),
        focus: None,
        wide,
        taken: &mut app.taken,
        start_setup: false,
    };
    let mut parts = Parts {
        entities: &mut app.entities,
        conversation: &mut app.conversation,
        log: &mut app.log,
        scenarios: &mut app.scenarios,
        setup: &mut app.setup,
    };
    f(&mut parts, &mut cx);
    let Cx {
        effects,
        focus,
        start_setup,
        ..
    } = cx;
    if let Some(focus) = focus {
        app.set_focus(focus);
    }
    if start_setup {
        open_setup(app);
    }
    effects
}

/// Apply one message. Returns the effects to perform.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let notice_before = app.status.notice_seq;
    let mut effects = match msg {
        Msg::Key(key) => on_key(app, key),
        Msg::Paste(text) => {
            // A paste right after a command letter: the letter began the text.
            if app.held.take().is_some() {
                app.stray = true;
            }
            on_paste(app, &text)
        }
        Msg::Mouse(mouse) => {
            let mut effects = app.held.take().map(|h| run_held(app, h)).unwrap_or_default();
            effects.extend(on_mouse(app, mouse.kind));
            effects
        }
        Msg::Resize(w, h) => {
            app.size = (w, h);
            Vec::new()
        }
        Msg::Exchange(exchange) => {
            conversation::on_delivery(&mut app.conversation, &exchange, &mut app.status);
            app.log.push(*exchange);
            Vec::new()
        }
        Msg::Api(owner, reply) => {
            app.in_flight = app.in_flight.saturating_sub(1);
            app.log.answered(&reply.key());
            with_cx(app, |parts, cx| match owner {
                Owner::Entities => entities::on_reply(parts.entities, reply, cx),
                Owner::Conversation => conversation::on_reply(parts.conversation, reply, cx),
                Owner::Setup => {
                    if let Some(setup) = parts.setup.as_mut() {
                        setup.on_reply(reply, cx);
                    }
                }
                Owner::Log | Owner::Root | Owner::Scenarios => {}
            })
        }
        Msg::Token(state) => {
            app.token = state;
            Vec::new()
        }
        Msg::FirstFrameDrawn => with_cx(app, |parts, cx| entities::load_held_back(parts.entities, cx)),
        Msg::Tick => {
            app.ticking = false;
            app.spinner = app.spinner.wrapping_add(1);
            Vec::new()
        }
        Msg::HeldKeyDue(seq) => {
            if app.compose_watch == Some(ComposeWatch::Waiting(seq)) {
                app.compose_watch = None;
            }
            match app.held {
                Some(held) if held.seq == seq => {
                    app.held = None;
                    run_held(app, held)
                }
                _ => Vec::new(),
            }
        }
        Msg::NoticeExpired(seq) => {
            if app.status.notice_seq == seq {
                app.status.notice = None;
            }
            Vec::new()
        }
        Msg::ExternalEdit(owner, result) => on_external_edit(app, owner, result),
        Msg::Inbound(inbound) => {
            let hidden = !app.wide() && app.focus != PaneId::Conversation;
            conversation::on_inbound(&mut app.conversation, &inbound, hidden);
            app.status.replies_come_here(&inbound.role);
            Vec::new()
        }
        Msg::PathCompleted {
            input,
            completed,
            candidates,
        } => {
            if let Some(Popup::Prompt(prompt)) = app.popups.top_mut()
                && prompt.completes_paths
                && prompt.text() == input
            {
                prompt.set_text(&completed);
                prompt.error = match candidates.len() {
                    0 | 1 => None,
                    n => Some(format!("{n} matches: {}", candidates.join("  "))),
                };
            }
            Vec::new()
        }
        Msg::Progress(owner, line) => with_cx(app, |parts, cx| {
            if owner == Owner::Entities {
                let _ = &parts.entities;
                ent::bundle::on_progress(line, cx);
            }
        }),
        Msg::Scenarios(owner, event) => with_cx(app, |parts, cx| {
            if owner != Owner::Scenarios {
                return;
            }
            // A run's conversation is the Conversation pane's to count as open or not.
            if let scen::Event::Finished { result, .. } = &*event
                && let Some(conversation) = &result.conversation
            {
                conversation::on_run_finished(parts.conversation, conversation);
            }
            scenarios::on_event(parts.scenarios, *event, cx);
        }),
        Msg::Transfer(owner, transfer) => with_cx(app, |parts, cx| {
            if owner == Owner::Conversation {
                conversation::on_transfer(parts.conversation, transfer, cx);
            }
        }),
        Msg::Saved(result) | Msg::Report(result) => {
            match result {
                Ok(notice) => app.status.set_notice(notice),
                Err(e) => app.status.error = Some(e),
            }
            Vec::new()
        }
    };
    // What arrived while the conversation was off screen has been seen once it is on screen.
    if app.focus == PaneId::Conversation || app.wide() {
        app.conversation.unseen = 0;
    }
    // The scenarios folder is read the first time the pane is on screen.
    let scenarios_shown = app.focus == PaneId::Scenarios || (app.wide() && app.upper_left == PaneId::Scenarios);
    if scenarios_shown && scenarios::needs_scan(&app.scenarios) {
        effects.push(scenarios::scan(&mut app.scenarios));
    }
    guard_read_only(app, &mut effects);
    // Count API calls as in flight (the log shows them as pending rows), and
    // keep a spinner ticking while any are.
    for call in effects.iter().filter_map(Effect::as_call) {
        app.in_flight += 1;
        app.log.sent(call);
    }
    if app.in_flight > 0 && !app.ticking {
        app.ticking = true;
        effects.push(Effect::ScheduleTick);
    }
    if app.status.notice_seq != notice_before && app.status.notice.is_some() {
        effects.push(Effect::ExpireNotice(app.status.notice_seq));
    }
    effects
}

/// The last line of defence of a read-only profile: no effect that changes
/// the tenant leaves `update` (commands that would are refused earlier, by
/// their `mutates` flag).
fn guard_read_only(app: &mut App, effects: &mut Vec<Effect>) {
    if !app.session.read_only {
        return;
    }
    let mut refused = None;
    effects.retain(|e| {
        if e.mutates() {
            refused = Some(e.describe());
            false
        } else {
            true
        }
    });
    if let Some(what) = refused {
        app.status.error = Some(format!("read-only: {what} is disabled for this profile"));
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
    app.status.age();
    app.status.hint = None;
    // A held command letter meets the next key: text means a word is being
    // typed (neither acts); anything else lets the held command run first.
    let mut effects = Vec::new();
    if let Some(held) = app.held.take() {
        if is_text_key(&key) {
            app.stray = true;
            app.status.hint = Some(stray_hint(app));
            return effects;
        }
        effects = run_held(app, held);
    }
    effects.extend(route_key(app, key));
    effects
}

fn route_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let context = app.context();
    let action = app.keymap.lookup(context, Key::from_event(&key));
    if app.typing() {
        app.stray = false;
        if let Some(watch) = app.compose_watch {
            if is_text_key(&key) {
                app.compose_watch = Some(ComposeWatch::Burst);
            } else {
                app.compose_watch = None;
                if watch == ComposeWatch::Burst && action == Some(Action::Send) {
                    app.status.hint = Some("the composer opened as you typed: check the text, Enter sends it".into());
                    return Vec::new();
                }
            }
        }
        return match action {
            Some(a) => dispatch(app, a),
            None => type_key(app, key),
        };
    }
    // A command context: a sentence typed here by mistake must do nothing.
    if app.stray {
        if is_text_key(&key) || key.code == KeyCode::Enter {
            if key.code == KeyCode::Enter {
                app.stray = false;
            }
            app.status.hint = Some(stray_hint(app));
            return Vec::new();
        }
        app.stray = false;
    }
    match action {
        // Typing starts at once, so text typed right after `i` is kept.
        Some(Action::Compose) if guard::holds(context, &key, Action::Compose) => {
            let mut effects = dispatch(app, Action::Compose);
            if app.typing() {
                app.held_seq += 1;
                app.compose_watch = Some(ComposeWatch::Waiting(app.held_seq));
                effects.push(Effect::HoldKey(app.held_seq));
            }
            effects
        }
        Some(a) if guard::holds(context, &key, a) => {
            app.held_seq += 1;
            app.held = Some(HeldKey {
                action: a,
                context,
                seq: app.held_seq,
            });
            vec![Effect::HoldKey(app.held_seq)]
        }
        Some(a) => dispatch(app, a),
        None => {
            // Viewers (help, transcript) have nothing to protect.
            let viewer = matches!(app.popups.top(), Some(Popup::Help(_) | Popup::Transcript(_)));
            if is_text_key(&key) && !viewer {
                app.stray = true;
                app.status.hint = Some(stray_hint(app));
            }
            Vec::new()
        }
    }
}

/// Run a held command, if keys still go where it was pressed.
fn run_held(app: &mut App, held: HeldKey) -> Vec<Effect> {
    if app.context() == held.context && !app.typing() {
        dispatch(app, held.action)
    } else {
        Vec::new()
    }
}

/// What to say when text is typed where keys are commands.
fn stray_hint(app: &App) -> String {
    match app.popups.top() {
        Some(Popup::Confirm(_)) => "answer with Enter (yes) or Esc (no); typing does nothing here".into(),
        Some(_) => "keys here are commands (? lists them); Esc closes".into(),
        None if app.focus == PaneId::Conversation => {
            format!("keys are commands here: press {} to type", compose_key(app))
        }
        None => {
            let pane = app
                .keymap
                .hint(super::keymap::Context::Global, Action::FocusConversation, "2");
            format!(
                "keys here are commands (? lists them); press {pane}, then {}, to type in the conversation",
                compose_key(app)
            )
        }
    }
}

/// The key that enters the composer, as bound.
fn compose_key(app: &App) -> String {
    app.keymap
        .hint(super::keymap::Context::Conversation, Action::Compose, "i")
}

/// A key no binding took in a text field: it is text.
fn type_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    match app.popups.top_mut() {
        Some(Popup::Prompt(p)) => {
            p.input(key);
            Vec::new()
        }
        Some(Popup::Editor(e)) => {
            e.input(key);
            Vec::new()
        }
        Some(Popup::Palette(p)) => {
            p.input(key);
            Vec::new()
        }
        Some(_) => Vec::new(),
        None => with_cx(app, |parts, cx| {
            conversation::composer_key(parts.conversation, &parts.entities.catalog, key, cx)
        }),
    }
}

fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
    let typing = app.typing();
    match app.popups.top_mut() {
        Some(Popup::Prompt(p)) => p.paste(text),
        Some(Popup::Editor(e)) => e.paste(text),
        Some(Popup::Palette(p)) => p.paste(text),
        Some(_) => app.status.hint = Some("paste into a text field: this popup takes no text".into()),
        None if typing => {
            return with_cx(app, |parts, cx| {
                conversation::composer_paste(parts.conversation, &parts.entities.catalog, text, cx)
            });
        }
        // Pasted text never runs commands.
        None => app.status.hint = Some(stray_hint(app)),
    }
    Vec::new()
}

fn on_mouse(app: &mut App, kind: MouseEventKind) -> Vec<Effect> {
    let action = match kind {
        MouseEventKind::ScrollDown => Action::Down,
        MouseEventKind::ScrollUp => Action::Up,
        _ => return Vec::new(),
    };
    dispatch(app, action)
}

/// The command an action is in the current place: the top popup's or the
/// focused pane's table, then the shared list and global tables.
fn command_for(app: &App, action: Action) -> Option<&'static Command> {
    let tables: [Table; 3] = [app.commands(), LIST, GLOBAL];
    tables.iter().find_map(|t| t.find(action))
}

/// Route an action to the top popup or the focused pane, then to the global
/// commands. Commands that change the tenant are refused here on a
/// read-only profile, from their table's `mutates` flag.
pub fn dispatch(app: &mut App, action: Action) -> Vec<Effect> {
    if app.session.read_only
        && let Some(c) = command_for(app, action).filter(|c| c.mutates)
    {
        app.status.error = Some(format!("read-only: \"{}\" is disabled for this profile", c.label));
        return Vec::new();
    }
    if !app.popups.is_empty() {
        return popup_action(app, action);
    }
    let focus = app.focus;
    let mut handled = false;
    let mut open = None;
    let mut effects = with_cx(app, |parts, cx| {
        handled = match focus {
            PaneId::Entities => entities::on_action(parts.entities, action, cx),
            PaneId::Log => parts.log.on_action(action, cx),
            PaneId::Conversation if parts.conversation.composing => {
                conversation::composer_action(parts.conversation, &parts.entities.catalog, action, cx)
            }
            PaneId::Conversation => conversation::list_action(parts.conversation, &parts.entities.catalog, action, cx),
            PaneId::Scenarios => {
                match scenarios::on_action(parts.scenarios, &parts.conversation.templates, action, cx) {
                    scenarios::Reaction::Ignored => false,
                    scenarios::Reaction::Handled => true,
                    scenarios::Reaction::Open(conversation) => {
                        open = Some(conversation);
                        true
                    }
                }
            }
        };
    });
    if let Some(conversation) = open {
        open_conversation(app, *conversation);
    }
    if !handled {
        effects.extend(global_action(app, action));
    }
    effects
}

/// An action while a popup is on top: the popup (or the component shown as
/// one) reacts; what it ends with goes to its owner.
fn popup_action(app: &mut App, action: Action) -> Vec<Effect> {
    if app.setup_on_top() {
        let mut step = SetupStep::Stay;
        let mut effects = with_cx(app, |parts, cx| {
            if let Some(setup) = parts.setup.as_mut() {
                step = setup.on_action(action, cx);
            }
        });
        if let SetupStep::Closed(created) = step {
            app.popups.close(&Ask::Entities(EntitiesAsk::Setup));
            app.setup = None;
            effects.extend(with_cx(app, |parts, cx| {
                entities::on_setup_closed(parts.entities, created, cx)
            }));
        }
        return effects;
    }
    let cx = PopupCx { spec: &app.spec };
    let Some(layer) = app.popups.top_layer_mut() else {
        return Vec::new();
    };
    let ask = layer.ask.clone();
    match layer.popup.on_action(action, &cx) {
        Step::Stay => Vec::new(),
        Step::Effects(effects) => effects,
        Step::Close(outcome) => {
            app.popups.pop();
            route_outcome(app, ask, outcome)
        }
        Step::Submit(outcome) => route_outcome(app, ask, outcome),
    }
}

/// Hand a popup's outcome to the component that opened it.
fn route_outcome(app: &mut App, ask: Ask, outcome: Outcome) -> Vec<Effect> {
    match ask {
        Ask::Root(RootAsk::Quit) if outcome == Outcome::Confirmed => {
            app.should_quit = true;
            vec![Effect::Quit]
        }
        Ask::Root(RootAsk::Palette(entries)) => match outcome {
            Outcome::Chosen(i) => match entries.into_iter().nth(i) {
                Some(PaletteEntry::Command { action, .. }) => dispatch(app, action),
                Some(PaletteEntry::GoTo { kind, id, .. }) => {
                    focus(app, PaneId::Entities);
                    app.entities.history.clear();
                    with_cx(app, |parts, cx| {
                        entities::open_detail(parts.entities, kind, id, false, cx)
                    })
                }
                None => Vec::new(),
            },
            _ => Vec::new(),
        },
        Ask::Root(_) => Vec::new(),
        Ask::Entities(a) => with_cx(app, |parts, cx| entities::on_outcome(parts.entities, a, outcome, cx)),
        Ask::Conversation(a) => with_cx(app, |parts, cx| {
            conversation::on_outcome(parts.conversation, &parts.entities.catalog, a, outcome, cx)
        }),
        Ask::Log(a) => with_cx(app, |parts, cx| parts.log.on_outcome(a, outcome, cx)),
        Ask::Setup(a) => with_cx(app, |parts, cx| {
            if let Some(setup) = parts.setup.as_mut() {
                setup.on_outcome(a, outcome, cx);
            }
        }),
    }
}

/// Show a conversation held elsewhere (a scenario run's) in the Conversation
/// pane, focused, in place of the receiver's half of it.
fn open_conversation(app: &mut App, conversation: crate::conversation::state::Conversation) {
    let pane = &mut app.conversation;
    let handle = pane.conversations.adopt(conversation, &mut pane.next_local_id);
    pane.show(Some(handle));
    focus(app, PaneId::Conversation);
}

fn open_setup(app: &mut App) {
    // On the sandbox the new account answers at once through the built-in bot.
    let inputs = entities::setup_inputs(&app.session);
    // Named after the first free setup number among the loaded objects.
    let flow = crate::setup::SetupFlow::among(&app.templates, &inputs, app.spec.clone(), &app.entities.catalog);
    app.setup = Some(SetupPane::new(flow));
    app.popups.open(EntitiesAsk::Setup, Popup::Component(Owner::Setup));
}

/// Focus a pane. A pane key or Tab always lands on the pane's commands (the
/// Conversation on its message list, COMMANDS on the mode marker, the draft
/// kept), never in a text field: the key a user then presses to start
/// typing (`i`, Enter) is a command, so it is never typed into the draft.
fn focus(app: &mut App, pane: PaneId) {
    app.set_focus(pane);
    if pane == PaneId::Conversation {
        app.conversation.composing = false;
    }
}

/// Why quitting now needs a confirmation (nothing: quit at once).
fn quit_reasons(app: &App) -> Vec<String> {
    let mut reasons = Vec::new();
    let open = conversation::open_conversations(&app.conversation);
    if open > 0 {
        reasons.push(format!("{open} conversation(s) open"));
    }
    if !app.taken.is_empty() {
        reasons.push(format!(
            "{} role callback(s) pointed at this console (restored on exit)",
            app.taken.len()
        ));
    }
    if app.in_flight > 0 {
        reasons.push(format!("{} request(s) in flight", app.in_flight));
    }
    if app.conversation.upload.is_some() {
        reasons.push("an upload running".into());
    }
    if app.scenarios.running.is_some() {
        reasons.push("a scenario run going".into());
    }
    reasons
}

fn global_action(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::ForceQuit => {
            app.should_quit = true;
            vec![Effect::Quit]
        }
        Action::Quit => {
            let reasons = quit_reasons(app);
            if reasons.is_empty() {
                app.should_quit = true;
                return vec![Effect::Quit];
            }
            app.popups.open(
                RootAsk::Quit,
                Popup::Confirm(Confirm::new(format!("{}. Quit anyway?", reasons.join(", ")))),
            );
            Vec::new()
        }
        Action::Help => {
            let rows = help::rows(&app.keymap, &help_tables(app), app.session.read_only);
            app.popups.open(RootAsk::Show, Popup::Help(Help::new(rows)));
            Vec::new()
        }
        Action::NextPane => {
            focus(app, app.focus.next());
            Vec::new()
        }
        Action::PrevPane => {
            focus(app, app.focus.prev());
            Vec::new()
        }
        Action::FocusConversation => {
            focus(app, PaneId::Conversation);
            Vec::new()
        }
        Action::FocusEntities => {
            focus(app, PaneId::Entities);
            Vec::new()
        }
        Action::FocusLog => {
            focus(app, PaneId::Log);
            Vec::new()
        }
        Action::FocusScenarios => {
            focus(app, PaneId::Scenarios);
            Vec::new()
        }
        Action::Palette => {
            let entries = palette_entries(app);
            app.popups.open(
                RootAsk::Palette(entries.clone()),
                Popup::Palette(Box::new(popup::Palette::new(entries))),
            );
            Vec::new()
        }
        Action::Zoom => {
            app.zoom = !app.zoom;
            Vec::new()
        }
        // Esc with nothing else to close dismisses the last error.
        Action::Back => {
            app.status.error = None;
            Vec::new()
        }
        Action::ToggleMouse => {
            app.mouse = !app.mouse;
            app.status.set_notice(if app.mouse {
                "mouse on (wheel scrolls; hold Shift to select text)"
            } else {
                "mouse off"
            });
            vec![Effect::SetMouse(app.mouse)]
        }
        _ => Vec::new(),
    }
}

/// What the palette offers: the focused pane's commands, the global ones
/// (those with a key here), then every loaded object to go to.
fn palette_entries(app: &App) -> Vec<PaletteEntry> {
    let context = app.context();
    let mut entries = Vec::new();
    for table in [app.pane_commands(app.focus), GLOBAL] {
        for c in table.commands {
            if c.action == Action::Palette
                || entries
                    .iter()
                    .any(|e| matches!(e, PaletteEntry::Command { action, .. } if *action == c.action))
            {
                continue;
            }
            let Some(key) = app.keymap.key_for(context, c.action) else {
                continue;
            };
            entries.push(PaletteEntry::Command {
                action: c.action,
                label: c.label,
                description: c.description,
                keys: key.to_string(),
                disabled: app.session.read_only && c.mutates,
            });
        }
    }
    for (kind, id, name) in app.entities.catalog.objects() {
        entries.push(PaletteEntry::GoTo {
            kind,
            id: id.to_owned(),
            name: name.to_owned(),
        });
    }
    entries
}

/// The help's tables: the focused pane's first, then the shared ones, the
/// other panes' and the popups'.
pub fn help_tables(app: &App) -> Vec<Table> {
    let pane_tables = |pane: PaneId| -> [Table; 2] {
        match pane {
            PaneId::Entities => [ent::LIST_COMMANDS, ent::DETAIL_COMMANDS],
            PaneId::Conversation => [conv::COMPOSER_COMMANDS, conv::LIST_COMMANDS],
            PaneId::Log => [logp::LIST_COMMANDS, logp::DETAIL_COMMANDS],
            // One table; listed twice, and the duplicate dropped below.
            PaneId::Scenarios => [scen::COMMANDS, scen::COMMANDS],
        }
    };
    let mut tables = Vec::new();
    if let Some(popup) = app.popups.top() {
        tables.push(popup.commands());
    }
    let mut first = pane_tables(app.focus).to_vec();
    // The table in use right now leads.
    let current = app.pane_commands(app.focus);
    first.sort_by_key(|t| t.context != current.context);
    tables.extend(first);
    tables.extend([GLOBAL, LIST]);
    for pane in PaneId::ALL {
        if pane != app.focus {
            tables.extend(pane_tables(pane));
        }
    }
    tables.extend([
        popup::editor::COMMANDS,
        popup::prompt::COMMANDS,
        popup::confirm::COMMANDS,
        popup::pick::COMMANDS,
        setup::COMMANDS,
        popup::transcript::COMMANDS,
        popup::palette::COMMANDS,
    ]);
    let mut seen = Vec::new();
    tables.retain(|t| {
        let new = !seen.contains(&t.context);
        seen.push(t.context);
        new
    });
    tables
}

fn on_external_edit(app: &mut App, owner: Owner, result: Result<String, String>) -> Vec<Effect> {
    if let Some(editor) = app.popups.owned_editor_mut(owner) {
        match result {
            Ok(text) => {
                editor.set_text(&text);
                let notice = format!("edited in $EDITOR: Ctrl-S validates and {}", editor.save_verb);
                app.status.set_notice(notice);
            }
            Err(e) => app.status.error = Some(format!("$EDITOR: {e}")),
        }
        return Vec::new();
    }
    match owner {
        Owner::Conversation => with_cx(app, |parts, cx| {
            conversation::on_external_edit(parts.conversation, result, cx)
        }),
        _ => {
            if let Err(e) = result {
                app.status.error = Some(format!("$EDITOR: {e}"));
            }
            Vec::new()
        }
    }
}
