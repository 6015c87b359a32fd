//! How many scenario conversations one console process sustains on the
//! embedded sandbox: the sandbox, its built-in bot, the callback receiver
//! and the scenario runner all in this process, as `egain-console test`
//! runs them. For each level of concurrency, every slot runs the scenario
//! twice in a row; reported are failures, the bot's answer time per
//! expectation (p50/p95/p99; the bot pauses 300 ms before each answer),
//! conversations per second and peak memory. "Sustained" is the highest
//! level with no failure and every p95 under twice the bot's pause; the
//! levels go on up while nothing fails.
//!
//! Run: `cargo bench --bench scenario`. Under `cargo test --all-targets`
//! it does one small level as a smoke test.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use egain_console::connect::connect;
use egain_console::conversation::templates::MessageTemplates;
use egain_console::scenario::inbox::Inbox;
use egain_console::scenario::load::{self, Plan};
use egain_console::scenario::runner::{Harness, quiet};
use egain_console::scenario::{file, target};

mod support;
use support::{ms, peak_rss_kib};

const SCENARIO: &str = r#"name: two echoes
steps:
  - send: hello ${run}
  - expect: { from: bot, text: "You said: hello ${run}", within: 10s }
  - send: how are you?
  - expect: { from: bot, text: "You said: how are you?", within: 10s }
  - end: true
"#;

/// The bot's pause before it answers (the sandbox default).
const BOT_PAUSE: Duration = Duration::from_millis(300);

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(run(quick));
}

async fn run(quick: bool) {
    let mut connection = connect(None, None, false).await.expect("embedded sandbox");
    let mut exchanges = std::mem::replace(&mut connection.exchanges, tokio::sync::mpsc::unbounded_channel().1);
    tokio::spawn(async move { while exchanges.recv().await.is_some() {} });
    let scenario = file::parse(Path::new("bench.yaml"), SCENARIO).expect("scenario parses");
    let targets = target::resolve(&connection.client, [None])
        .await
        .expect("the demo account");
    let harness = Arc::new(Harness {
        client: connection.client.clone(),
        templates: MessageTemplates::embedded(),
        inbox: Inbox::start(connection.inbound.take().expect("receiver")),
        targets,
    });
    let scenarios = Arc::new(vec![scenario]);
    let levels: &[usize] = if quick {
        &[5]
    } else {
        &[10, 50, 100, 200, 400, 800, 1600]
    };
    println!(
        "| at once | runs | failed | echo 1 p50 / p95 / p99 | echo 2 p50 / p95 / p99 | conversations/s | peak RSS |"
    );
    println!("|---|---|---|---|---|---|---|");
    // The highest level fast at every level up to it, and the highest with no failure.
    let (mut sustained, mut no_failure, mut previous) = (0, 0, 0);
    for &level in levels {
        let plan = Plan {
            repeat: level * 2,
            concurrency: level,
            keep_conversations: false,
        };
        let summary = load::run(harness.clone(), scenarios.clone(), plan, quiet()).await;
        let stats = summary.expectations(&scenarios);
        let cell = |i: usize| {
            stats.get(i).map_or_else(String::new, |s| {
                let p = |q| s.percentile(q).map_or(0.0, ms);
                format!("{:.0} / {:.0} / {:.0} ms", p(50.0), p(95.0), p(99.0))
            })
        };
        let rate = summary.results.len() as f64 / summary.elapsed.as_secs_f64();
        println!(
            "| {level} | {} | {} | {} | {} | {rate:.0} | {:.0} MB |",
            summary.results.len(),
            summary.failed(),
            cell(0),
            cell(1),
            peak_rss_kib() as f64 / 1024.0
        );
        let fast = stats
            .iter()
            .all(|s| s.percentile(95.0).is_some_and(|p| p < BOT_PAUSE * 2));
        if summary.failed() > 0 {
            if !quick {
                for failure in summary.results.iter().filter_map(|r| r.failure.as_ref()).take(3) {
                    println!("\n  e.g. {}", failure.to_string().replace('\n', "\n  "));
                }
            }
            break;
        }
        no_failure = level;
        if fast && sustained == previous {
            sustained = level;
        }
        previous = level;
    }
    println!(
        "\nsustained: {sustained} concurrent scenario conversations (no failure, every p95 < {} ms); \
         no failure up to {no_failure}",
        ms(BOT_PAUSE * 2)
    );
    if quick {
        assert!(sustained > 0, "the smoke level must pass");
        println!("(quick run: `cargo bench --bench scenario` for the real numbers)");
    }
}
