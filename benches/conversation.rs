//! The Conversation pane under load.
//!
//! 1. Rendering: a conversation of 10,000 entries (short and long texts,
//!    multi-line texts, list pickers, attachments, system events) fed through
//!    `update` as callbacks, then the whole console drawn into a `TestBackend`
//!    frame after frame at 120x40 and 80x24 while the selection moves.
//!    Median and p99 time per frame (goal: under 2 ms).
//! 2. Ingest while typing: 1,000 callbacks per second for 5 s (each with the
//!    inbound exchange the receiver records) from a producer thread, and a
//!    keystroke every 10 ms, consumed like `runtime.rs` does: block for one
//!    message, take up to 512 more that are already queued, draw once. Sends
//!    the typing produces are answered by queueing the hub's 202, as the
//!    runtime would. Reports frame times under load, input latency (from the
//!    key's `update` to the end of the frame that shows it, and from the key
//!    entering the queue), how long callbacks wait in the queue, and whether
//!    the loop keeps up.
//!
//! Run: `cargo bench --bench conversation`. Under `cargo test --all-targets`
//! a small quick run checks that it still works.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use egain_console::api::models::conversation::{
    AccountRef, AssetRef, Attachments, ChannelTypeRef, ConversationRef, Message, MessageContent, MessageEnvelope,
    Party, SendMessageResponse, SenderType,
};
use egain_console::api::{Direction, Exchange, ExchangeKind, RecordedBody};
use egain_console::callback::Inbound;
use egain_console::sandbox::hub::MENU_LIST_PICKER;
use egain_console::tui::app::{App, PaneId};
use egain_console::tui::effect::{Call, Effect, Owner};
use egain_console::tui::msg::{ApiReply, Msg};
use egain_console::tui::{update, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

mod support;
use support::{Rng, ms, percentile};

/// Messages `runtime.rs` handles before a redraw.
const BATCH: usize = 512;
const MAIN: &str = "5f0c6a1e-2b7d-4c1a-9e3f-0123456789ab";
const ADDRESS: &str = "demo@sandbox.local";
const CHANNEL_TYPE: &str = "custom.demo";
/// Other conversations that get a share of the callbacks (unread counts).
const OTHERS: u64 = 20;

/// How much work: the full run under `cargo bench`, a quick one under
/// `cargo test --all-targets`.
#[derive(Clone, Copy)]
struct Size {
    messages: usize,
    frames: usize,
    ingest: Duration,
    rate: u64,
    key_every: Duration,
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let size = if quick {
        Size {
            messages: 1_000,
            frames: 20,
            ingest: Duration::from_millis(300),
            rate: 1_000,
            key_every: Duration::from_millis(10),
        }
    } else {
        Size {
            messages: 10_000,
            frames: 2_000,
            ingest: Duration::from_secs(5),
            rate: 1_000,
            key_every: Duration::from_millis(10),
        }
    };
    render_bench(size);
    for area in [(120, 40), (80, 24)] {
        ingest_bench(size, area, quick);
    }
}

// ------------------------------------------------------------ rendering

fn render_bench(size: Size) {
    let mut app = new_app();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let start = Instant::now();
    // Until the conversation holds `messages` entries (typing notifications are not entries).
    let mut callbacks = 0;
    while entries(&app) < size.messages {
        let (exchange, inbound) = callback(callbacks, MAIN, &mut rng);
        update::update(&mut app, exchange);
        update::update(&mut app, inbound);
        callbacks += 1;
    }
    let ingest = start.elapsed();
    println!(
        "conversation: {} entries from {callbacks} callbacks fed through update with their exchanges in {:.0} ms \
         ({:.1} µs per callback), colour theme\n",
        entries(&app),
        ms(ingest),
        ingest.as_secs_f64() * 1e6 / callbacks as f64
    );
    println!(
        "  {:<46} {:>9} {:>9} {:>9}",
        "frame, selection moving (message list focused)", "median", "p99", "max"
    );
    app.conversation.composing = false;
    for area in [(120, 40), (80, 24)] {
        let times = frames(&mut app, area, size.frames, true, &mut rng);
        row(&format!("{}x{}", area.0, area.1), &times);
    }
    app.conversation.composing = true;
    for area in [(120, 40), (80, 24)] {
        let times = frames(&mut app, area, size.frames, false, &mut rng);
        row(
            &format!("{}x{}, composer focused, at the latest", area.0, area.1),
            &times,
        );
    }
    // The worst single entry: a 64 KiB text, wrapped whole on every frame it is in.
    let (_, mut big) = callback(callbacks, MAIN, &mut rng);
    if let Msg::Inbound(inbound) = &mut big
        && let Some(message) = inbound.envelope.messages.message.first_mut()
    {
        message.message_type.value = "text".into();
        message.content = Some(MessageContent {
            text: Some(text(&mut rng, 12_000, 1).chars().take(64 * 1024).collect()),
            ..Default::default()
        });
    }
    update::update(&mut app, big);
    for area in [(120, 40), (80, 24)] {
        let times = frames(&mut app, area, size.frames, false, &mut rng);
        row(
            &format!("{}x{}, a 64 KiB message at the latest", area.0, area.1),
            &times,
        );
    }
    println!();
}

fn entries(app: &App) -> usize {
    app.conversation.viewed().map_or(0, |c| c.entries().len())
}

fn row(label: &str, sorted: &[Duration]) {
    println!(
        "  {:<46} {:>6.3} ms {:>6.3} ms {:>6.3} ms",
        label,
        ms(percentile(sorted, 50)),
        ms(percentile(sorted, 99)),
        ms(percentile(sorted, 100)),
    );
}

/// Draw `count` frames; with `moving`, move the selection between them like
/// a user scrolling back (mostly a row at a time, some pages, some jumps).
/// Only the draw is timed. Returns the frame times, sorted.
fn frames(app: &mut App, (width, height): (u16, u16), count: usize, moving: bool, rng: &mut Rng) -> Vec<Duration> {
    app.size = (width, height);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    let len = app.conversation.viewed().map_or(0, |c| c.entries().len());
    let mut row = len.saturating_sub(1);
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        if moving {
            row = match rng.below(100) {
                0..70 => row.saturating_sub(1),
                70..85 => row + 1,
                85..95 => row.saturating_sub(10),
                _ => rng.below(len as u64) as usize,
            }
            .min(len.saturating_sub(1));
            app.conversation.selected = Some(row);
        } else {
            app.conversation.selected = None;
        }
        let start = Instant::now();
        terminal.draw(|f| view::render(app, f)).expect("draw");
        times.push(start.elapsed());
    }
    app.conversation.selected = None;
    times.sort();
    times
}

// ------------------------------------------------------------ ingest while typing

/// What the producer thread queues: a message and when it was queued.
// Unboxed like the runtime's queue of `Msg`, so the copies cost the same.
#[allow(clippy::large_enum_variant)]
enum Event {
    Msg(Instant, Msg),
    /// Everything scheduled has been queued.
    Done(Instant),
}

#[derive(Default)]
struct Measured {
    frames: Vec<Duration>,
    batches: Vec<usize>,
    /// Key `update` → end of the frame that shows it.
    key_to_frame: Vec<Duration>,
    /// Key queued → end of the frame that shows it.
    key_queued_to_frame: Vec<Duration>,
    /// Callback queued → its `update`.
    callback_wait: Vec<Duration>,
    callbacks: usize,
    keys: usize,
    replies: usize,
}

fn ingest_bench(size: Size, (width, height): (u16, u16), quick: bool) {
    let mut app = new_app();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    // A full conversation to start with: new entries push the oldest out.
    for i in 0..size.messages as u64 {
        let (exchange, inbound) = callback(i, MAIN, &mut rng);
        update::update(&mut app, exchange);
        update::update(&mut app, inbound);
    }
    app.size = (width, height);
    app.conversation.composing = true;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");

    // Prebuilt so the producer only has to keep time.
    let total = (size.rate as f64 * size.ingest.as_secs_f64()) as u64;
    let mut deliveries = Vec::with_capacity(total as usize);
    for i in 0..total {
        let target = if rng.below(100) < 85 {
            MAIN.to_owned()
        } else {
            other_conversation(rng.below(OTHERS))
        };
        deliveries.push(callback(size.messages as u64 + i, &target, &mut rng));
    }
    let keys = (size.ingest.as_nanos() / size.key_every.as_nanos()) as u64;
    let (tx, rx) = mpsc::channel::<Event>();
    let replies = tx.clone();
    let rate = size.rate;
    let key_every = size.key_every;
    let producer = std::thread::spawn(move || produce(tx, deliveries, rate, keys, key_every));

    let mut m = Measured::default();
    let started = Instant::now();
    let mut done: Option<Instant> = None;
    loop {
        let first = match done {
            None => rx.recv().expect("producer alive"),
            Some(_) => match rx.try_recv() {
                Ok(event) => event,
                Err(_) => break,
            },
        };
        let mut keys_now = Vec::new();
        let mut handled = 0;
        let mut next = Some(first);
        while let Some(event) = next.take() {
            match event {
                Event::Done(at) => done = Some(at),
                Event::Msg(queued, msg) => {
                    handled += 1;
                    handle(&mut app, queued, msg, &replies, &mut m, &mut keys_now);
                }
            }
            if handled < BATCH {
                next = rx.try_recv().ok();
            }
        }
        if handled == 0 {
            continue;
        }
        let draw = Instant::now();
        terminal.draw(|f| view::render(&app, f)).expect("draw");
        let end = Instant::now();
        m.frames.push(end - draw);
        m.batches.push(handled);
        for (queued, updated) in keys_now {
            m.key_to_frame.push(end - updated);
            m.key_queued_to_frame.push(end - queued);
        }
    }
    let finished = Instant::now();
    producer.join().expect("producer");
    let last_queued = done.expect("producer finished");
    let elapsed = finished - started;

    assert_eq!(m.callbacks as u64, total, "every callback handled");
    assert_eq!(m.keys as u64, keys, "every key handled");
    assert!(
        keys < 40 || !app.conversation.history.is_empty(),
        "typed lines were sent"
    );

    for v in [
        &mut m.frames,
        &mut m.key_to_frame,
        &mut m.key_queued_to_frame,
        &mut m.callback_wait,
    ] {
        v.sort();
    }
    m.batches.sort();
    let drained = finished.saturating_duration_since(last_queued);
    let achieved = m.callbacks as f64 / (last_queued - started).as_secs_f64().max(1e-9);
    println!(
        "ingest at {width}x{height}: {} callbacks (+ their exchanges) at {} /s for {:.1} s, a key every {} ms \
         ({} keys, {} sends answered)",
        m.callbacks,
        size.rate,
        size.ingest.as_secs_f64(),
        size.key_every.as_millis(),
        m.keys,
        m.replies,
    );
    println!(
        "  {} frames in {:.2} s; messages per frame: median {}, max {}; {:.0} callbacks/s handled; \
         queue drained {:.2} ms after the last delivery -> {}",
        m.frames.len(),
        elapsed.as_secs_f64(),
        m.batches[m.batches.len() / 2],
        m.batches[m.batches.len() - 1],
        achieved,
        ms(drained),
        if drained < Duration::from_millis(50) && achieved >= size.rate as f64 * 0.98 {
            "keeps up"
        } else {
            "FALLS BEHIND"
        }
    );
    println!("  {:<46} {:>9} {:>9} {:>9}", "", "median", "p99", "max");
    row("frame time under load", &m.frames);
    row("input latency: key update -> frame shown", &m.key_to_frame);
    row("input latency: key queued -> frame shown", &m.key_queued_to_frame);
    row("callback wait in the queue", &m.callback_wait);
    println!();
    if quick {
        println!("(quick run: `cargo bench --bench conversation` for the real numbers)\n");
    }
}

/// One message through `update`, as the runtime would: sends get the hub's
/// 202 queued behind whatever is already waiting.
fn handle(
    app: &mut App,
    queued: Instant,
    msg: Msg,
    replies: &mpsc::Sender<Event>,
    m: &mut Measured,
    keys_now: &mut Vec<(Instant, Instant)>,
) {
    let now = Instant::now();
    match &msg {
        Msg::Key(_) => {
            m.keys += 1;
            keys_now.push((queued, now));
        }
        Msg::Inbound(_) => {
            m.callbacks += 1;
            m.callback_wait.push(now - queued);
        }
        Msg::Api(..) => m.replies += 1,
        _ => {}
    }
    for effect in update::update(app, msg) {
        if let Effect::Call(_, Call::Send { local_id, .. }) = effect {
            let reply = Msg::Api(
                Owner::Conversation,
                ApiReply::Sent {
                    local_id,
                    result: Ok(accepted(local_id)),
                },
            );
            replies.send(Event::Msg(Instant::now(), reply)).expect("queue open");
        }
    }
}

/// Queue each callback (exchange, then delivery) and each key at its time.
fn produce(tx: mpsc::Sender<Event>, deliveries: Vec<(Msg, Msg)>, rate: u64, keys: u64, key_every: Duration) {
    const LINE: &str = "Sure, let me check that order.";
    let start = Instant::now();
    let total = deliveries.len() as u64;
    let callback_due = |i: u64| Duration::from_nanos(i * 1_000_000_000 / rate);
    let key_due = |k: u64| key_every * (k as u32 + 1);
    let mut deliveries = deliveries.into_iter();
    let (mut next_cb, mut next_key) = (0u64, 0u64);
    let chars: Vec<char> = LINE.chars().collect();
    while next_cb < total || next_key < keys {
        let elapsed = start.elapsed();
        while next_cb < total && callback_due(next_cb) <= elapsed {
            let Some((exchange, inbound)) = deliveries.next() else {
                break;
            };
            let now = Instant::now();
            if tx.send(Event::Msg(now, exchange)).is_err() || tx.send(Event::Msg(now, inbound)).is_err() {
                return;
            }
            next_cb += 1;
        }
        while next_key < keys && key_due(next_key) <= elapsed {
            // A line of text, then Enter.
            let i = (next_key % (chars.len() as u64 + 1)) as usize;
            let code = chars.get(i).map_or(KeyCode::Enter, |c| KeyCode::Char(*c));
            let key = Msg::Key(KeyEvent::new(code, KeyModifiers::NONE));
            if tx.send(Event::Msg(Instant::now(), key)).is_err() {
                return;
            }
            next_key += 1;
        }
        let due = match (next_cb < total, next_key < keys) {
            (true, true) => callback_due(next_cb).min(key_due(next_key)),
            (true, false) => callback_due(next_cb),
            (false, true) => key_due(next_key),
            (false, false) => break,
        };
        if let Some(wait) = due.checked_sub(start.elapsed()) {
            std::thread::sleep(wait);
        }
    }
    let _ = tx.send(Event::Done(Instant::now()));
}

// ------------------------------------------------------------ fixtures

fn new_app() -> App {
    let mut app = support::bench_app();
    app.focus = PaneId::Conversation;
    app
}

fn other_conversation(n: u64) -> String {
    format!("7a1d2e3f-4b5c-4d6e-8f70-{n:012x}")
}

fn accepted(local_id: u64) -> SendMessageResponse {
    serde_json::from_value(serde_json::json!({
        "messages": {"message": [{"id": format!("hub-out-{local_id}"), "conversation": {"id": MAIN}}]}
    }))
    .expect("response")
}

const WORDS: &[&str] = &[
    "order", "delivery", "the", "is", "on", "its", "way", "and", "should", "arrive", "by", "Friday", "please", "check",
    "invoice", "refund", "account", "address", "thanks", "we", "can", "help", "with", "that", "today",
];

/// Text of `min` to `min + spread` words, with a line break now and then.
fn text(rng: &mut Rng, min: u64, spread: u64) -> String {
    let words = min + rng.below(spread);
    let mut out = String::new();
    for i in 0..words {
        if i > 0 {
            out.push(if rng.below(25) == 0 { '\n' } else { ' ' });
        }
        out.push_str(rng.pick(WORDS));
    }
    out
}

/// Callback `i` to `conversation`: the exchange the receiver records and the
/// delivery, in the usual mix (mostly text, some typing notifications, list
/// pickers, attachments and system events).
fn callback(i: u64, conversation: &str, rng: &mut Rng) -> (Msg, Msg) {
    let (sender, name) = if rng.below(2) == 0 {
        (SenderType::CustomBot, "Demo Bot")
    } else {
        (SenderType::CustomAgent, "Alex")
    };
    let (kind, body, attachment) = match rng.below(100) {
        0..40 => ("text", Some(text(rng, 3, 10)), false),
        40..70 => ("text", Some(text(rng, 15, 40)), false),
        70..78 => ("text", Some(text(rng, 60, 120)), false),
        78..83 => ("typing.start", None, false),
        83..88 => ("typing.end", None, false),
        88..92 => ("richMessage.listpicker", Some(MENU_LIST_PICKER.to_owned()), false),
        92..97 => ("text", Some("Here is your file.".to_owned()), true),
        97..99 => ("agent.join", None, false),
        _ => ("escalation.transfer", None, false),
    };
    let mut message = Message::new(kind, Party::named(sender, name), body);
    if attachment {
        let content = message.content.get_or_insert_with(MessageContent::default);
        content.attachments = Some(Attachments {
            attachment: vec![AssetRef {
                id: format!("asset-{i}"),
                name: Some(format!("receipt-{i}.pdf")),
                content_type: Some("application/pdf".into()),
                size: Some(10_000 + rng.below(3_000_000)),
                extra: Default::default(),
            }],
            extra: Default::default(),
        });
    }
    message.id = Some(format!("hub-{i}"));
    message.conversation = Some(ConversationRef {
        id: Some(conversation.to_owned()),
        account: Some(AccountRef {
            address: ADDRESS.into(),
            channel: ChannelTypeRef {
                channel_type: CHANNEL_TYPE.into(),
                extra: Default::default(),
            },
            extra: Default::default(),
        }),
        ..Default::default()
    });
    let created = jiff::Timestamp::from_second(1_714_649_400 + i as i64).expect("fixed time");
    message.created = Some(format!("{created:.3}"));
    let envelope = MessageEnvelope::single(message);
    let json = serde_json::to_string(&envelope).expect("json");
    let mut x = Exchange::begin(
        Direction::Inbound,
        ExchangeKind::Callback,
        "POST",
        "http://127.0.0.1:8787/callback/customer",
    );
    x.id = i;
    x.status = Some(200);
    x.request_headers = vec![
        ("content-type".into(), "application/json".into()),
        ("authorization".into(), "Basic ***".into()),
    ];
    x.request_body = Some(RecordedBody {
        size: json.len() as u64,
        text: json,
        truncated: false,
        binary: false,
    });
    x.duration = Duration::from_micros(150);
    let inbound = Inbound {
        role: "customer".into(),
        received: created,
        envelope,
        exchange_id: i,
    };
    (Msg::Exchange(Box::new(x)), Msg::Inbound(Box::new(inbound)))
}
