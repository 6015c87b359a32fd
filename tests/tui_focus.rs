//! The focus model, driven through `update` alone: it is always clear
//! whether keys are text or commands, a sentence typed where keys are
//! commands does nothing (and says how to type), `q` and ending a
//! conversation ask first, and pane keys land in the same place from
//! everywhere.

mod common_tui;

use crossterm::event::{KeyCode, KeyModifiers};

use common_tui::*;
use egain_console::tui::app::{App, PaneId};
use egain_console::tui::effect::{Call, Effect};
use egain_console::tui::msg::TakenRole;
use egain_console::tui::popup::ask::{ConversationAsk, RootAsk};
use egain_console::tui::popup::{Ask, Popup};

const CONV: &str = "c0ffee00-0000-4000-8000-00000000f0c5";

/// A console with one open conversation, its message list focused.
fn in_message_list() -> App {
    let mut app = conversation_app(false);
    open_conversation(&mut app, "hello", CONV);
    press_code(&mut app, KeyCode::Esc);
    assert!(!app.conversation.composing, "Esc leaves the composer");
    app
}

/// Type `text` at typing speed (Enter for each line break) and collect every effect.
fn type_sentence(app: &mut App, text: &str) -> Vec<Effect> {
    burst(app, text)
}

#[test]
fn a_sentence_typed_in_the_message_list_neither_quits_nor_changes_anything() {
    let sentences = [
        "hello there, can you help?\n",
        "quit it now\n",
        "xylophone lessons\n",
        "Do it again\n",
        "attach the file and end this\n",
        "yes yes yes\n",
        "no thanks\n",
        "the transcript, please\n",
        "choose the red one\n",
    ];
    for sentence in sentences {
        let mut app = in_message_list();
        let entries_before = app.conversation.viewed().map(|c| c.entries().len());
        let effects = type_sentence(&mut app, sentence);
        let changes: Vec<&Effect> = effects
            .iter()
            .filter(|e| e.mutates() || matches!(e, Effect::Quit | Effect::Download(_) | Effect::Upload { .. }))
            .collect();
        assert!(changes.is_empty(), "{sentence:?} changed something: {changes:?}");
        assert!(!app.should_quit, "{sentence:?} quit the console");
        let conv = app.conversation.viewed().expect("still on screen");
        assert!(!conv.is_closed(), "{sentence:?} ended the conversation");
        assert_eq!(
            conv.entries().len(),
            entries_before.unwrap_or(0),
            "{sentence:?} sent something"
        );
        assert!(app.conversation.upload.is_none() && app.conversation.download.is_none());
        assert!(!app.mouse, "{sentence:?} toggled the mouse");
        // A question may stay open, but nothing answered it.
        assert!(
            app.popups.top().is_none() || matches!(app.popups.top(), Some(Popup::Confirm(_)) | Some(Popup::Pick(_))),
            "{sentence:?}"
        );
    }
}

#[test]
fn a_sentence_typed_in_the_message_list_does_nothing_from_its_first_letter() {
    // Each starts with a letter that is a command here: m mouse, y copy,
    // v pager, w record, r retry, t transcript, c choose, n new
    // chat, 2 the composer, q quit, x end, R raw JSON.
    let sentences = [
        "my yellow message",
        "yes please\n",
        "very well\n",
        "why not?\n",
        "really?\n",
        "thanks\n",
        "can you check\n",
        "no\n",
        "2 people came\n",
        "quit\n",
        "xmas\n",
        "Really\n",
    ];
    for sentence in sentences {
        let mut app = in_message_list();
        let effects = type_sentence(&mut app, sentence);
        assert!(effects.is_empty(), "{sentence:?} did something: {effects:?}");
        assert!(app.popups.top().is_none(), "{sentence:?} opened a popup");
        assert!(!app.mouse && !app.should_quit, "{sentence:?}");
        assert!(!app.conversation.composing, "{sentence:?} went into the composer");
        assert_eq!(app.conversation.composer_text(), "", "{sentence:?}");
        assert_eq!(app.conversation.viewed().map(|c| c.entries().len()), Some(1));
        if !sentence.ends_with('\n') {
            let hint = app.status.hint.clone().unwrap_or_default();
            assert!(hint.contains("press i to type"), "{sentence:?}: {hint:?}");
        }
    }
    // The hint is on screen at 80 columns, with help and quit kept.
    let mut app = in_message_list();
    type_sentence(&mut app, "my yellow message");
    let screen = render(&mut app, 80, 24);
    let footer = screen.lines().last().unwrap_or_default();
    assert!(footer.contains("press i to type"), "{footer}");
    assert!(footer.contains("? help") && footer.contains("q quit"), "{footer}");
}

#[test]
fn text_typed_right_after_i_is_kept_and_its_first_enter_does_not_send() {
    // A sentence typed by mistake that starts with i: the composer opens at
    // once and keeps what follows, but the burst's Enter sends nothing.
    let mut app = in_message_list();
    let effects = type_sentence(&mut app, "it is fine\n");
    // Only the typing indicator goes out (the user is typing); no message.
    assert!(
        sends(&effects).iter().all(|(_, b)| message_type(b) == "typing.start"),
        "{effects:?}"
    );
    assert!(app.conversation.composing, "the composer opened");
    assert_eq!(app.conversation.composer_text(), "t is fine", "nothing typed is lost");
    assert_eq!(app.conversation.viewed().map(|c| c.entries().len()), Some(1));
    let hint = app.status.hint.clone().unwrap_or_default();
    assert!(hint.contains("Enter sends it"), "{hint:?}");
    // The second Enter, deliberate, sends what is in view.
    let texts = |effects: &[Effect]| -> Vec<String> {
        sends(effects)
            .iter()
            .filter(|(_, b)| message_type(b) == "text")
            .filter_map(|(_, b)| message_text(b).map(str::to_owned))
            .collect()
    };
    assert_eq!(texts(&press_code(&mut app, KeyCode::Enter)), ["t is fine"]);

    // i pressed alone and its moment over: typing then Enter sends at once.
    let mut app = in_message_list();
    press(&mut app, 'i');
    assert!(app.conversation.composing);
    assert_eq!(
        texts(&type_sentence(&mut app, "hello again\n")),
        ["hello again"],
        "a deliberate i needs one Enter"
    );
}

#[test]
fn a_command_letter_pressed_alone_acts_once_its_moment_is_over() {
    use egain_console::tui::msg::Msg;
    let mut app = in_message_list();
    // Held: nothing yet, only the timer.
    let effects = egain_console::tui::update::update(&mut app, key_event(KeyCode::Char('y'), KeyModifiers::NONE));
    let [Effect::HoldKey(seq)] = effects.as_slice() else {
        panic!("y waits for its moment: {effects:?}");
    };
    let seq = *seq;
    assert!(app.status.notice.is_none());
    // A stale timer does nothing; its own runs the copy.
    assert!(send(&mut app, Msg::HeldKeyDue(seq + 7)).is_empty());
    assert_eq!(
        send(&mut app, Msg::HeldKeyDue(seq)),
        vec![Effect::Clipboard("hello".into())]
    );
    assert!(send(&mut app, Msg::HeldKeyDue(seq)).is_empty(), "once");
    // A key that is not text right after it runs the held one first, then
    // itself: x then Enter at once asks and answers, as pressed.
    egain_console::tui::update::update(&mut app, key_event(KeyCode::Char('x'), KeyModifiers::NONE));
    assert!(app.popups.top().is_none());
    let effects = press_code(&mut app, KeyCode::Enter);
    assert!(
        sends(&effects)
            .iter()
            .any(|(_, b)| message_type(b) == "conversation.end"),
        "{effects:?}"
    );
    // Movement is never held: j and k act at once.
    let mut app = in_message_list();
    let effects = egain_console::tui::update::update(&mut app, key_event(KeyCode::Char('k'), KeyModifiers::NONE));
    assert!(!effects.iter().any(|e| matches!(e, Effect::HoldKey(_))), "{effects:?}");
    // Help says how it works.
    press(&mut app, '?');
    let Some(Popup::Help(help)) = app.popups.top() else {
        panic!("help")
    };
    let text = format!("{:?}", help.rows);
    assert!(text.contains("letters typed as a word do nothing"), "{text}");
}

#[test]
fn typing_in_the_message_list_says_how_to_type() {
    let mut app = in_message_list();
    type_sentence(&mut app, "hello");
    let hint = app.status.hint.clone().expect("a hint");
    assert!(hint.contains("press i to type"), "{hint}");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("press i to type"), "{screen}");
    // The word is over at a non-text key: i then types again.
    press_code(&mut app, KeyCode::Down);
    assert!(press(&mut app, 'i').is_empty());
    assert!(app.conversation.composing);
    type_sentence(&mut app, "q1?x");
    assert_eq!(
        app.conversation.composer_text(),
        "q1?x",
        "the composer takes every key as text"
    );
    assert!(!app.should_quit && app.popups.top().is_none());
}

#[test]
fn the_mode_is_always_on_screen() {
    let mut app = in_message_list();
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.lines().last().is_some_and(|l| l.contains("COMMANDS")),
        "{screen}"
    );
    press(&mut app, 'i');
    let screen = render(&mut app, 80, 24);
    assert!(screen.lines().last().is_some_and(|l| l.contains("INSERT")), "{screen}");
    assert!(
        screen.contains("INSERT · as customer"),
        "the composer says it too:\n{screen}"
    );
    // A prompt is a text field too.
    press_code(&mut app, KeyCode::Esc);
    press(&mut app, '3');
    press(&mut app, '/');
    let screen = render(&mut app, 80, 24);
    assert!(screen.lines().last().is_some_and(|l| l.contains("INSERT")), "{screen}");
}

#[test]
fn q_asks_while_conversations_are_open_or_callbacks_are_taken() {
    let mut app = in_message_list();
    assert!(press(&mut app, 'q').is_empty());
    assert!(!app.should_quit);
    assert_eq!(app.popups.top_ask(), Some(&Ask::Root(RootAsk::Quit)));
    let Some(Popup::Confirm(c)) = app.popups.top() else {
        panic!("q asks");
    };
    assert!(c.message.contains("1 conversation(s) open"), "{}", c.message);
    // A letter does not answer; Esc keeps the console; Enter quits.
    assert!(press(&mut app, 'y').is_empty());
    assert!(!app.should_quit);
    press_code(&mut app, KeyCode::Esc);
    assert!(app.popups.top().is_none());
    press(&mut app, 'q');
    assert_eq!(press_code(&mut app, KeyCode::Enter), vec![Effect::Quit]);
    assert!(app.should_quit);

    // A role pointed at this console asks too, from any pane.
    let mut app = loaded_app(false);
    app.taken.push(TakenRole {
        app_name: "Demo Application".into(),
        role: "custom_agent".into(),
        original: None,
    });
    press(&mut app, 'q');
    assert!(!app.should_quit);
    assert!(matches!(app.popups.top(), Some(Popup::Confirm(c)) if c.message.contains("callback")));
}

#[test]
fn q_does_not_count_conversations_the_user_or_the_hub_ended() {
    use egain_console::api::models::{ConversationRef, Message, MessageEnvelope, Party, SenderType};
    // Ended by the user: x, then Enter, and the hub accepted it.
    let mut app = in_message_list();
    press(&mut app, 'x');
    let effects = press_code(&mut app, KeyCode::Enter);
    let (local_id, _) = sends(&effects).into_iter().next().expect("the end goes out");
    send(&mut app, accepted_reply(local_id, CONV, 7));
    assert_eq!(press(&mut app, 'q'), vec![Effect::Quit], "nothing open: q quits");

    // Ended by the hub (idle timeout): its conversation.end arrives by callback.
    let mut app = in_message_list();
    let mut end = Message::new(
        "conversation.end",
        Party::named(SenderType::Other("system".into()), "hub"),
        Some("Conversation ended after 5 idle minutes.".into()),
    );
    end.id = Some("hub-end".into());
    end.conversation = Some(ConversationRef {
        id: Some(CONV.to_owned()),
        ..Default::default()
    });
    send(
        &mut app,
        egain_console::tui::msg::Msg::Inbound(Box::new(egain_console::callback::Inbound {
            role: "customer".into(),
            received: jiff::Timestamp::now(),
            envelope: MessageEnvelope::single(end),
            exchange_id: 0,
        })),
    );
    assert_eq!(press(&mut app, 'q'), vec![Effect::Quit], "the hub ended it: q quits");
}

#[test]
fn ending_a_conversation_asks_first() {
    let mut app = in_message_list();
    assert!(press(&mut app, 'x').is_empty());
    assert_eq!(
        app.popups.top_ask(),
        Some(&Ask::Conversation(ConversationAsk::EndConversation))
    );
    press(&mut app, 'n');
    assert!(app.popups.top().is_none());
    assert!(!app.conversation.viewed().expect("conv").is_closed());
    press(&mut app, 'x');
    let effects = press_code(&mut app, KeyCode::Enter);
    let ends: Vec<_> = sends(&effects)
        .into_iter()
        .filter(|(_, b)| message_type(b) == "conversation.end")
        .collect();
    assert_eq!(ends.len(), 1, "{effects:?}");
}

#[test]
fn pane_keys_land_in_the_same_place_from_every_pane() {
    // Each starting place: Entities list, entity detail, message list,
    // composer (left with Esc first: digits are text there), log, log detail.
    type Setup = fn(&mut App);
    let starts: [(&str, Setup); 7] = [
        ("entities", |_| {}),
        ("entity detail", |app| {
            press_code(app, KeyCode::Enter);
        }),
        ("message list", |app| {
            press(app, '2');
        }),
        ("composer", |app| {
            press(app, '2');
            press(app, 'i');
            type_text(app, "a draft");
        }),
        ("log", |app| {
            push_exchanges(app);
            press(app, '3');
        }),
        ("log detail", |app| {
            push_exchanges(app);
            press(app, '3');
            press_code(app, KeyCode::Enter);
        }),
        ("scenarios", |app| {
            press(app, '4');
        }),
    ];
    // Where a pane key lands: the pane, its keys commands, the mode on screen.
    let landed = |app: &mut App, pane: PaneId, how: &str| {
        assert_eq!(app.focus, pane, "{how}");
        assert!(!app.typing(), "{how} lands on commands, not in a text field");
        let screen = render(app, 80, 24);
        let footer = screen.lines().last().unwrap_or_default();
        assert!(footer.contains("COMMANDS"), "{how}: {footer}");
    };
    for (name, start) in starts {
        for (key, pane) in [
            ('1', PaneId::Entities),
            ('2', PaneId::Conversation),
            ('3', PaneId::Log),
            ('4', PaneId::Scenarios),
        ] {
            let mut app = loaded_app(false);
            start(&mut app);
            let draft = app.conversation.composer_text();
            if app.typing() {
                // Digits are text in the composer; Esc makes them pane keys.
                press_code(&mut app, KeyCode::Esc);
            }
            press(&mut app, key);
            landed(&mut app, pane, &format!("{key} from {name}"));
            assert_eq!(
                app.conversation.composer_text(),
                draft,
                "{key} from {name} keeps the draft"
            );
        }
        // Tab from anywhere (the composer too) moves to the next pane in the
        // same order, and lands on its commands.
        let mut app = loaded_app(false);
        start(&mut app);
        let before = app.focus;
        press_code(&mut app, KeyCode::Tab);
        landed(&mut app, before.next(), &format!("Tab from {name}"));
        // Shift-Tab goes back to where Tab came from, on its commands.
        press_code(&mut app, KeyCode::BackTab);
        landed(&mut app, before, &format!("Shift-Tab from {name}"));
    }
}

#[test]
fn the_key_that_starts_typing_after_a_pane_key_is_never_typed() {
    // "2 i I want my order status": the i enters the composer and is not text.
    for start in ['1', '3', '4'] {
        let mut app = loaded_app(false);
        press(&mut app, start);
        press(&mut app, '2');
        // Pressed as a person does: its moment runs out before the next key.
        press(&mut app, 'i');
        assert!(app.conversation.composing, "2 then i from {start} enters the composer");
        type_text(&mut app, "I want my order status");
        assert_eq!(
            app.conversation.composer_text(),
            "I want my order status",
            "from {start}"
        );
        // Enter as well as i: neither is typed.
        let mut app = loaded_app(false);
        press(&mut app, start);
        press(&mut app, '2');
        press_code(&mut app, KeyCode::Enter);
        assert!(app.conversation.composing);
        assert_eq!(app.conversation.composer_text(), "", "Enter from {start} types nothing");
    }
    // Typing straight after the pane key types nothing either: it says how.
    let mut app = loaded_app(false);
    press(&mut app, '2');
    type_text(&mut app, "I want");
    assert_eq!(app.conversation.composer_text(), "");
    assert!(!app.conversation.composing);
    let hint = app.status.hint.clone().unwrap_or_default();
    assert!(hint.contains("press i to type"), "{hint:?}");
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Press i to type a message"),
        "the pane says it too:\n{screen}"
    );
}

#[test]
fn pasted_text_in_a_command_context_runs_nothing() {
    let mut app = in_message_list();
    let effects = send(&mut app, egain_console::tui::msg::Msg::Paste("xq\nD".into()));
    assert!(effects.is_empty());
    assert!(!app.should_quit && app.popups.top().is_none());
    assert!(app.status.hint.is_some());
    // In the composer the pasted line breaks are kept (terminals paste CR).
    press(&mut app, 'i');
    send(
        &mut app,
        egain_console::tui::msg::Msg::Paste("one\rtwo\r\nthree".into()),
    );
    assert_eq!(app.conversation.composer_text(), "one\ntwo\nthree");
}

#[test]
fn read_only_greys_changes_in_the_footer_and_refuses_them() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::Modifier;
    let mut app = loaded_app(true);
    send(&mut app, egain_console::tui::msg::Msg::Resize(120, 40));
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    terminal
        .draw(|f| egain_console::tui::view::render(&app, f))
        .expect("draw");
    let buffer = terminal.backend().buffer();
    let footer: String = (0..120).map(|x| buffer[(x, 39)].symbol().to_owned()).collect();
    // " n new": the key of a change is crossed out, the key of a read is not.
    let at = |label: &str| footer.find(label).map(|i| footer[..i].chars().count() as u16);
    let new_key = at(" n new").expect("n new in the footer") + 1;
    let open_key = at(" Enter open").expect("Enter open in the footer") + 1;
    assert!(
        buffer[(new_key, 39)].modifier.contains(Modifier::CROSSED_OUT),
        "{footer}"
    );
    assert!(
        !buffer[(open_key, 39)].modifier.contains(Modifier::CROSSED_OUT),
        "{footer}"
    );
    assert!(press(&mut app, 'd').is_empty());
    assert!(app.status.error.as_deref().is_some_and(|e| e.contains("read-only")));
    assert!(app.popups.top().is_none());
    let effects = press(&mut app, 'r');
    assert!(
        matches!(effects.as_slice(), [Effect::Call(_, Call::List { .. })]),
        "reading is allowed"
    );
}

#[test]
fn y_copies_the_id_the_json_or_the_message_text_and_z_zooms() {
    let mut app = loaded_app(false);
    let effects = press(&mut app, 'y');
    assert_eq!(effects, vec![Effect::Clipboard(common_tui::ACCOUNT_ID.into())]);
    let effects = press(&mut app, 'Y');
    let [Effect::Clipboard(json)] = effects.as_slice() else {
        panic!("Y copies the JSON: {effects:?}");
    };
    assert!(json.contains("x-tenantNote"), "the whole object, unknown fields too");
    // Secrets stay redacted in a copy.
    while app.entities.kind() != Some(egain_console::api::models::EntityKind::Authentication) {
        press_code(&mut app, KeyCode::Right);
    }
    let effects = press(&mut app, 'Y');
    assert!(matches!(effects.as_slice(), [Effect::Clipboard(j)] if !j.contains(CANARY)));

    let mut app = in_message_list();
    let effects = press(&mut app, 'y');
    assert_eq!(effects, vec![Effect::Clipboard("hello".into())]);

    // z: the focused pane fills the screen, even at 120 columns.
    let mut app = loaded_app(false);
    let wide = render(&mut app, 120, 40);
    assert!(wide.contains("No requests yet."), "the log is beside the list:\n{wide}");
    press(&mut app, 'z');
    let zoomed = render(&mut app, 120, 40);
    assert!(!zoomed.contains("No requests yet."), "only the focused pane:\n{zoomed}");
    assert!(!app.wide());
    press(&mut app, 'z');
    assert!(app.wide());
}

#[test]
fn the_palette_runs_a_command_or_goes_to_an_object() {
    use egain_console::api::models::EntityKind;
    let mut app = loaded_app(false);
    assert!(press(&mut app, ':').is_empty());
    assert!(app.typing(), "the palette is a text field");
    type_sentence(&mut app, "delete");
    press_code(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.popups.top(), Some(Popup::Confirm(c)) if c.message.contains("Delete")),
        "the command runs as its key would: it asks"
    );
    press_code(&mut app, KeyCode::Esc);

    // Go to an object of another kind by name.
    press(&mut app, ':');
    type_sentence(&mut app, "demo orch");
    let effects = press_code(&mut app, KeyCode::Enter);
    assert_eq!(effects, vec![ent(Call::Get(EntityKind::Orchestration, ORCH_ID.into()))]);
    assert_eq!(app.entities.detail.as_ref().map(|d| d.id.as_str()), Some(ORCH_ID));
    // And by id.
    press_code(&mut app, KeyCode::Esc);
    press(&mut app, ':');
    type_sentence(&mut app, &ACCOUNT2_ID[..13]);
    press_code(&mut app, KeyCode::Enter);
    assert_eq!(app.entities.detail.as_ref().map(|d| d.id.as_str()), Some(ACCOUNT2_ID));

    // Read-only: a change chosen in the palette is refused like its key.
    let mut app = loaded_app(true);
    press(&mut app, ':');
    type_sentence(&mut app, "delete");
    assert!(press_code(&mut app, KeyCode::Enter).is_empty());
    assert!(app.status.error.as_deref().is_some_and(|e| e.contains("read-only")));
    assert!(app.popups.top().is_none());
}

#[test]
fn a_palette_row_cuts_nothing_mid_way_at_the_edge() {
    use egain_console::api::models::EntityKind;
    let mut app = loaded_app(false);
    let mut account = objects(EntityKind::Account).remove(0);
    let id = account["id"].as_str().expect("the fixture has an id").to_owned();
    let row_of = |app: &mut App, w: u16, h: u16| {
        let screen = render(app, w, h);
        let row = screen.lines().find(|l| l.contains("go to Account")).map(str::to_owned);
        row.unwrap_or_else(|| panic!("no go-to row at {w}x{h}:\n{screen}"))
    };
    // A short name: the whole id.
    press(&mut app, ':');
    type_sentence(&mut app, "demo account");
    assert!(row_of(&mut app, 80, 24).contains(&format!("\" {id}")));
    press_code(&mut app, KeyCode::Esc);

    // A long one: the id as the list shows it (8 characters), and the name cut
    // by display width (CJK included), each ending where it should.
    account["name"] = serde_json::json!("Customer Support Escalations 客服升级 North America and EMEA overflow queue");
    send(&mut app, listed(EntityKind::Account, vec![account]));
    press(&mut app, ':');
    type_sentence(&mut app, "escalations");
    for (w, h) in [(80, 24), (120, 40)] {
        let row = row_of(&mut app, w, h);
        assert!(row.contains(&format!("…\" {}", &id[..8])), "the short id: {row}");
        assert!(!row.contains(&id[..9]), "not a longer piece of the id: {row}");
        assert!(
            row.contains("\"Customer Support Escalations 客服升级"),
            "as much name as fits: {row}"
        );
    }
}

#[test]
fn at_80_columns_the_footer_keeps_help_and_quit_in_every_pane() {
    type Place = fn(&mut App);
    let places: [(&str, Place); 6] = [
        ("entities", |_| {}),
        ("entity detail", |app| {
            press_code(app, KeyCode::Enter);
        }),
        ("message list", |app| {
            press(app, '2');
            press_code(app, KeyCode::Esc);
        }),
        ("log", |app| {
            push_exchanges(app);
            press(app, '3');
        }),
        ("log detail", |app| {
            push_exchanges(app);
            press(app, '3');
            press_code(app, KeyCode::Enter);
        }),
        ("scenarios", |app| {
            press(app, '4');
        }),
    ];
    for (name, place) in places {
        let mut app = loaded_app(false);
        place(&mut app);
        let screen = render(&mut app, 80, 24);
        let footer = screen.lines().last().unwrap_or_default().to_owned();
        assert!(
            footer.contains("? help") && footer.contains("q quit"),
            "{name}: {footer}"
        );
        assert!(footer.contains("COMMANDS"), "{name}: {footer}");
    }
}

#[test]
fn notices_expire_and_never_take_more_than_the_status_row() {
    use egain_console::tui::msg::Msg;
    let mut app = loaded_app(false);
    let effects = egain_console::tui::update::update(&mut app, Msg::Saved(Ok("saved /tmp/x".into())));
    let Some(Effect::ExpireNotice(seq)) = effects.iter().find(|e| matches!(e, Effect::ExpireNotice(_))).cloned() else {
        panic!("a notice asks for its timer: {effects:?}");
    };
    assert_eq!(app.status.notice.as_deref(), Some("saved /tmp/x"));
    // A stale timer (a newer notice replaced this one) leaves the newer one.
    send(&mut app, Msg::Saved(Ok("saved /tmp/y".into())));
    send(&mut app, Msg::NoticeExpired(seq));
    assert_eq!(app.status.notice.as_deref(), Some("saved /tmp/y"));
    let current = app.status.notice_seq;
    send(&mut app, Msg::NoticeExpired(current));
    assert_eq!(app.status.notice, None, "its own timer clears it");
    // A long notice is cut on the status row; the layout does not move.
    send(
        &mut app,
        Msg::Saved(Ok("saved ".to_owned() + &"/very/long/path".repeat(20))),
    );
    let screen = render(&mut app, 80, 24);
    let lines: Vec<&str> = screen.lines().collect();
    assert!(lines[0].ends_with('…'), "{}", lines[0]);
    assert!(
        lines[1].starts_with("┌ 1 Entities"),
        "the panes start on the second row:\n{screen}"
    );
    let footer = lines.last().copied().unwrap_or_default();
    assert!(footer.contains("? help") && footer.contains("q quit"), "{footer}");
    // A notice that fits once the host makes room is shown whole at 80
    // columns (the profile still names the tenant).
    let notice = "saved /tmp/exports/exchange-42.sh (3.1 KiB)";
    send(&mut app, Msg::Saved(Ok(notice.into())));
    let screen = render(&mut app, 80, 24);
    let first = screen.lines().next().unwrap_or_default();
    assert!(first.contains(notice), "{first}");
    assert!(first.contains("sandbox") && first.contains("token"), "{first}");
    // With room to spare the host stays.
    let wide = render(&mut app, 120, 40);
    assert!(
        wide.lines()
            .next()
            .is_some_and(|l| l.contains("@ 127.0.0.1:4010") && l.contains(notice))
    );
    // Cut by display width: wide characters never overflow the row.
    send(&mut app, Msg::Saved(Ok("日本語の通知 😀 ".repeat(10))));
    let screen = render(&mut app, 80, 24);
    let first = screen.lines().next().unwrap_or_default();
    assert!(first.ends_with('…'), "{first}");
    assert!(egain_console::tui::wrap::width(first) <= 80, "{first}");
    assert!(first.contains("日本語の通知"), "{first}");
}
