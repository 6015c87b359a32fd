//! Request log rendering with a full log: 100,000 recorded exchanges, the
//! whole console drawn into a `TestBackend` frame after frame while the
//! selection moves, with and without a filter, and the detail view. Reports
//! the median and p99 time per frame (goal: under 2 ms) and memory: peak RSS
//! before and after pushing, and what the log counts as stored, for caps that
//! keep all 100,000 entries and for the default caps (50,000).
//!
//! Each caps case runs in a child process of this binary so peak RSS is its
//! own, not left over from the previous case.
//!
//! Run: `cargo bench --bench render_log`.

use std::process::Command;
use std::time::{Duration, Instant};

use egain_console::api::{Direction, Exchange, ExchangeKind, RecordedBody};
use egain_console::reqlog::LogCaps;
use egain_console::tui::app::{App, PaneId};
use egain_console::tui::panes::log::{LogDetail, LogPane};
use egain_console::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

mod support;
use support::{Rng, mib, ms, peak_rss_kib, percentile};

const CASE_ENV: &str = "RENDER_LOG_CASE";
const SMOKE_ENV: &str = "RENDER_LOG_SMOKE";

/// How much work: the full run under `cargo bench`, a smoke run (that the
/// code still works) when `cargo test --all-targets` runs this binary.
#[derive(Clone, Copy)]
struct Size {
    pushed: usize,
    frames: usize,
}

fn main() {
    let case = std::env::var(CASE_ENV).ok();
    // A case process is told by the parent; the parent by how cargo ran it.
    let smoke = match case {
        Some(_) => std::env::var_os(SMOKE_ENV).is_some(),
        None => !std::env::args().any(|a| a == "--bench"),
    };
    let size = if smoke {
        Size {
            pushed: 2_000,
            frames: 20,
        }
    } else {
        Size {
            pushed: 100_000,
            frames: 2_000,
        }
    };
    if let Some(case) = case {
        run_case(&case, size);
        return;
    }
    println!(
        "render_log: {} exchanges pushed, {} frames per row, colour theme\n",
        size.pushed, size.frames
    );
    let exe = std::env::current_exe().expect("own path");
    for case in ["all", "default"] {
        let mut child = Command::new(&exe);
        child.env(CASE_ENV, case);
        if smoke {
            child.env(SMOKE_ENV, "1");
        }
        let status = child.status().expect("run case");
        assert!(status.success(), "case {case} failed");
    }
}

fn caps_for(case: &str, size: Size) -> LogCaps {
    match case {
        "all" => LogCaps {
            max_entries: size.pushed,
            max_body_bytes: 16 * 1024,
            max_total_bytes: 256 << 20,
        },
        _ => LogCaps::default(),
    }
}

fn run_case(case: &str, size: Size) {
    let caps = caps_for(case, size);
    let mut app = support::bench_app();
    app.log = LogPane::new(caps);
    app.focus = PaneId::Log;

    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let hwm_before = peak_rss_kib();
    let mut push_time = Duration::ZERO;
    for i in 0..size.pushed {
        // Built one at a time, so the peak is the log's, not a staging vector's.
        let x = exchange(i as u64, &mut rng);
        let start = Instant::now();
        app.log.push(x);
        push_time += start.elapsed();
    }
    let hwm_after = peak_rss_kib();
    let log = &app.log.log;
    println!(
        "caps: {} entries, {} KiB/body, {} MiB total",
        caps.max_entries,
        caps.max_body_bytes / 1024,
        caps.max_total_bytes >> 20
    );
    println!(
        "  kept {} (dropped {}), stored_bytes {:.1} MiB ({} B/entry), push {:.0} ns/entry",
        log.len(),
        log.dropped(),
        mib(log.stored_bytes() as u64),
        log.stored_bytes() / log.len().max(1),
        push_time.as_nanos() as f64 / size.pushed as f64
    );
    println!(
        "  peak RSS: {:.1} MiB before pushing, {:.1} MiB after\n",
        mib(hwm_before * 1024),
        mib(hwm_after * 1024)
    );

    println!(
        "  {:<50} {:>8} {:>9} {:>9} {:>9}",
        "frame (120x40 unless said)", "visible", "median", "p99", "max"
    );
    for (label, filter, area, detail) in [
        ("log, no filter", "", (120, 40), false),
        ("log, filter `m:get s:2xx`", "m:get s:2xx", (120, 40), false),
        (
            "log, filter `channels s:4xx,5xx`",
            "channels s:4xx,5xx",
            (120, 40),
            false,
        ),
        ("log, no filter, 100x40 (log pane only)", "", (100, 40), false),
        ("exchange detail", "", (120, 40), true),
    ] {
        let start = Instant::now();
        app.log.log.set_filter_expr(filter).expect("filter parses");
        let filter_time = start.elapsed();
        app.log.filter_text = filter.to_owned();
        let times = frames(&mut app, area, size.frames, detail, &mut rng);
        let label = if filter.is_empty() {
            label.to_owned()
        } else {
            format!("{label} (set: {:.1} ms)", ms(filter_time))
        };
        println!(
            "  {:<50} {:>8} {:>6.3} ms {:>6.3} ms {:>6.3} ms",
            label,
            app.log.log.visible_len(),
            ms(percentile(&times, 50)),
            ms(percentile(&times, 99)),
            ms(percentile(&times, 100)),
        );
    }
    println!();
}

/// Draw `count` frames, moving the selection between them like a user
/// would (mostly a row at a time, some pages, some jumps). Only the draw is
/// timed. Returns the frame times, sorted.
fn frames(app: &mut App, (width, height): (u16, u16), count: usize, detail: bool, rng: &mut Rng) -> Vec<Duration> {
    app.size = (width, height);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    let len = app.log.log.visible_len();
    let mut row = len.saturating_sub(1);
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        row = match rng.below(100) {
            0..70 => row.saturating_sub(1),
            70..85 => row + 1,
            85..95 => row.saturating_sub(38),
            _ => rng.below(len as u64) as usize,
        }
        .min(len.saturating_sub(1));
        app.log.select_row(row);
        app.log.detail = if detail {
            app.log.selected.map(|seq| LogDetail { seq, scroll: 0 })
        } else {
            None
        };
        let start = Instant::now();
        terminal.draw(|f| view::render(app, f)).expect("draw");
        times.push(start.elapsed());
    }
    app.log.detail = None;
    times.sort();
    times
}

const BASE: &str = "https://api.example.egain.cloud/conversation/conversationmgr/v3";
const KINDS: &[&str] = &[
    "channels",
    "accounts",
    "participants",
    "orchestrations",
    "clientapplications",
    "authentications",
];

/// One exchange like the console records: API calls in the usual mix of
/// methods and statuses, a few token calls and callbacks, JSON bodies of a
/// few hundred bytes, the usual headers.
fn exchange(i: u64, rng: &mut Rng) -> Exchange {
    let kind = rng.pick(KINDS);
    let id = format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        rng.next() as u32,
        i & 0xffff,
        i & 0xfff,
        i & 0xfff,
        rng.next() & 0xffff_ffff_ffff
    );
    let (method, url, direction, kind_of) = match rng.below(100) {
        0..45 => (
            "GET",
            format!("{BASE}/{kind}?$pagenum=1&$pagesize=25"),
            Direction::Outbound,
            ExchangeKind::Api,
        ),
        45..65 => (
            "GET",
            format!("{BASE}/{kind}/{id}"),
            Direction::Outbound,
            ExchangeKind::Api,
        ),
        65..78 => ("POST", format!("{BASE}/{kind}"), Direction::Outbound, ExchangeKind::Api),
        78..86 => (
            "PUT",
            format!("{BASE}/{kind}/{id}"),
            Direction::Outbound,
            ExchangeKind::Api,
        ),
        86..90 => (
            "DELETE",
            format!("{BASE}/{kind}/{id}"),
            Direction::Outbound,
            ExchangeKind::Api,
        ),
        90..93 => (
            "POST",
            "https://api.example.egain.cloud/system/auth/TENANT/oauth2/token".to_owned(),
            Direction::Outbound,
            ExchangeKind::Token,
        ),
        _ => (
            "POST",
            format!("http://127.0.0.1:8787/callbacks/{id}"),
            Direction::Inbound,
            ExchangeKind::Callback,
        ),
    };
    let mut x = Exchange::begin(direction, kind_of, method, &url);
    x.id = i;
    x.duration = Duration::from_micros(300 + rng.below(250_000));
    x.request_headers = vec![
        ("authorization".into(), "Bearer ***".into()),
        ("accept".into(), "application/json".into()),
        ("user-agent".into(), "egain-console/0.1.0".into()),
    ];
    if method == "POST" || method == "PUT" {
        x.request_headers
            .push(("content-type".into(), "application/json".into()));
        x.request_body = Some(json_body(kind, &id, rng));
    }
    let roll = rng.below(1000);
    if roll < 8 {
        x.error = Some("error sending request: connection refused (os error 111)".into());
        return x;
    }
    let status = match (method, roll) {
        (_, 8..40) => 400,
        (_, 40..70) => 404,
        (_, 70..80) => 429,
        (_, 80..90) => 500,
        ("POST", _) if kind_of == ExchangeKind::Api => 201,
        ("DELETE", _) => 204,
        _ => 200,
    };
    x.status = Some(status);
    x.response_headers = vec![
        ("content-type".into(), "application/json".into()),
        ("date".into(), "Tue, 25 Nov 2026 16:57:31 GMT".into()),
        ("x-request-id".into(), format!("{:016x}", rng.next())),
    ];
    x.response_body = match status {
        204 => None,
        400..=599 => Some(body(format!(
            r#"{{"code":"{}","developerMessage":"The request for {kind} could not be completed (attempt {i}).","userMessage":"Request failed."}}"#,
            status * 100 + 1
        ))),
        _ => Some(json_body(kind, &id, rng)),
    };
    x
}

fn json_body(kind: &str, id: &str, rng: &mut Rng) -> RecordedBody {
    let extra = "x".repeat(rng.below(400) as usize);
    body(format!(
        r#"{{"id":"{id}","type":"custom.{kind}-{n}","displayName":"Console {kind} {n}","description":"Created by the render_log bench {extra}","active":true,"created":"2026-11-25T16:57:31.516Z","modified":"2026-11-25T16:57:31.516Z","restrictions":{{"inbound":{{"maxTextLength":2000,"features":["typing_events","attachments"]}}}}}}"#,
        n = rng.below(100_000)
    ))
}

fn body(text: String) -> RecordedBody {
    RecordedBody {
        size: text.len() as u64,
        text,
        truncated: false,
        binary: false,
    }
}
