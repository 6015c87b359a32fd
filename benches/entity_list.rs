//! Entity lists at tenant scale: 10,000 accounts loaded (over 400 pages of
//! 25). Measures what a keypress costs in the list (move, then draw the
//! frame), applying a filter over the cached row text, and the first frame
//! with 10,000 objects against the first frame with 10.
//!
//! `cargo bench --bench entity_list`; under `cargo test --all-targets` it
//! runs a quick smoke pass. Goal: under 1 ms per keypress; first frame with
//! 10,000 objects within 1.5x of the first frame with 10.

mod support;

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use egain_console::api::models::{EntityKind, Page, PaginationInfo};
use egain_console::tui::app::App;
use egain_console::tui::effect::Owner;
use egain_console::tui::msg::{ApiReply, Msg};
use egain_console::tui::{update, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};

use support::{bench_app, ms, percentile};

fn account(i: usize) -> Value {
    json!({
        "id": format!("6f708192-0000-4000-8000-{i:012}"),
        "name": format!("Tenant Account {i:05}"),
        "description": "Business address on the web chat channel",
        "active": !i.is_multiple_of(7),
        "address": format!("support{i:05}@tenant.example.com"),
        "channel": {"id": "4d5e6f70-0000-4000-8000-000000000004"},
        "chatConfigurations": {
            "timeout": 30,
            "defaultLanguage": "en-US",
            "orchestration": {"id": "5e6f7081-0000-4000-8000-000000000005"},
            "entryPoint": {"id": format!("{}", 1000 + i)},
        },
        "created": "2024-05-01T10:00:00.000Z",
        "modified": "2024-05-02T11:30:00.000Z",
    })
}

/// A console with `n` accounts loaded the way the pages arrive (25 at a time).
fn loaded(n: usize) -> App {
    let mut app = bench_app();
    app.size = (120, 40);
    let pages = n.div_ceil(25).max(1);
    for page in 0..pages {
        let items: Vec<Value> = (page * 25..((page + 1) * 25).min(n)).map(account).collect();
        let _ = update::update(
            &mut app,
            Msg::Api(
                Owner::Entities,
                ApiReply::Listed {
                    kind: EntityKind::Account,
                    page: page as u32 + 1,
                    generation: 0,
                    result: Ok(Page {
                        pagination: PaginationInfo {
                            count: n as u64,
                            pagenum: page as u64 + 1,
                            pagesize: 25,
                        },
                        items,
                    }),
                },
            ),
        );
    }
    app
}

fn key(app: &mut App, code: KeyCode) {
    let _ = update::update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn frame(app: &App, terminal: &mut Terminal<TestBackend>) {
    terminal.draw(|f| view::render(app, f)).expect("draw");
}

fn report(what: &str, mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    let median = percentile(&samples, 50);
    println!(
        "{what:<52} median {:>7.3} ms  p99 {:>7.3} ms",
        ms(median),
        ms(percentile(&samples, 99))
    );
    median
}

fn main() {
    let smoke = !std::env::args().any(|a| a == "--bench");
    let (n, rounds) = if smoke { (1_000, 20) } else { (10_000, 500) };
    println!("entity_list: {n} accounts, {rounds} rounds, 120x40\n");
    let mut app = loaded(n);
    assert_eq!(app.entities.list(EntityKind::Account).items.len(), n);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");

    // A keypress in the list: move the selection, draw the frame.
    let mut samples = Vec::new();
    for i in 0..rounds {
        let start = Instant::now();
        key(&mut app, if i % 2 == 0 { KeyCode::Down } else { KeyCode::Up });
        frame(&app, &mut terminal);
        samples.push(start.elapsed());
    }
    let keypress = report("keypress in the list (update + frame)", samples);

    // Applying a filter: every row's cached text is scanned once.
    let mut samples = Vec::new();
    for i in 0..rounds {
        let needle = format!("account {:05}", (i * 37) % n);
        let start = Instant::now();
        app.entities.set_filter(&needle);
        frame(&app, &mut terminal);
        samples.push(start.elapsed());
        assert_eq!(app.entities.visible(EntityKind::Account).len(), 1, "{needle}");
    }
    let filter = report("filter applied over every row (+ frame)", samples);
    app.entities.set_filter("");

    // A key typed into the filter prompt (the list is not rescanned per key).
    key(&mut app, KeyCode::Char('/'));
    let mut samples = Vec::new();
    for i in 0..rounds {
        let start = Instant::now();
        let c = if i % 2 == 0 {
            KeyCode::Char('a')
        } else {
            KeyCode::Backspace
        };
        key(&mut app, c);
        frame(&app, &mut terminal);
        samples.push(start.elapsed());
    }
    report("keypress in the filter prompt (update + frame)", samples);

    // First frame: 10 objects against n.
    let first = |count: usize| {
        let mut samples = Vec::new();
        for _ in 0..rounds.min(20) {
            let app = loaded(count);
            let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
            let start = Instant::now();
            frame(&app, &mut terminal);
            samples.push(start.elapsed());
        }
        samples
    };
    let small = report("first frame, 10 accounts", first(10));
    let large = report(&format!("first frame, {n} accounts"), first(n));
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-9);
    println!("\nfirst-frame ratio {n} / 10: {ratio:.2}x (goal: at most 1.5x)");
    if !smoke {
        println!(
            "keypress goal (< 1 ms): {}; filter goal (< 1 ms): {}",
            if keypress < Duration::from_millis(1) {
                "met"
            } else {
                "MISSED"
            },
            if filter < Duration::from_millis(1) {
                "met"
            } else {
                "MISSED"
            }
        );
    }
}
