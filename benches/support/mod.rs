//! What the benchmarks share: statistics, memory readings and a small,
//! reproducible random source.
#![allow(dead_code)]

use std::time::Duration;

use egain_console::schema::Spec;
use egain_console::templates::Templates;
use egain_console::tui::app::{App, Session};
use egain_console::tui::keymap::Keymap;
use egain_console::tui::theme::Theme;

/// A console on a made-up tenant, in colour, with nothing loaded.
pub fn bench_app() -> App {
    App::new(
        Session {
            profile: "bench".into(),
            host: "api.example.egain.cloud".into(),
            sandbox: false,
            sandbox_root: None,
            read_only: false,
            callback_urls: Vec::new(),
            receiver: None,
        },
        Keymap::defaults(),
        Theme { color: true },
        Spec::embedded(),
        Templates::embedded(),
    )
}

/// The `p`th percentile of sorted samples.
pub fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) * p / 100).min(sorted.len() - 1)]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Peak resident memory of this process since start or the last
/// [`reset_peak`], in KiB (Linux).
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// Reset the peak-RSS mark (Linux: write 5 to clear_refs).
pub fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// xorshift64: reproducible variety without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}
