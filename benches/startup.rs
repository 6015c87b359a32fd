//! Start-up: the first frame's own cost. The release binary is spawned in a
//! pseudo-terminal (80x24, no user config, so the embedded sandbox with its
//! demo account) and timed until "Demo Account" is on screen; a trivial
//! process that prints the same text, spawned and read by the same harness,
//! is timed too. The difference of the medians is what the console itself
//! costs. The console's CPU time to that point (from /proc) is reported, and
//! then one idle second: bytes written and CPU used (goal: none).
//!
//! The other five kinds are asked for once the list on screen is in, so the
//! time until every tab shows its count is reported beside the first frame.
//!
//! Run: `cargo bench --bench startup`. Under `cargo test --all-targets` a
//! small quick run checks that it still works.

use std::io::Read;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

mod support;
use support::{ms, percentile};

const READY: &str = "Demo Account";
/// Every kind's count on the tab row: all six lists are in (the same text
/// the pty tests wait for).
#[path = "../tests/common_pty/demo_screen.rs"]
mod demo_screen;
use demo_screen::DEMO_COUNTS as ALL_IN;
const GUARD: Duration = Duration::from_secs(30);

struct Run {
    /// Spawn to the text on screen.
    first_frame: Duration,
    /// Spawn to every kind's count on screen.
    all_in: Duration,
    /// User + system CPU of the process until then.
    cpu: Duration,
    /// Output and CPU during one idle second after the first frame.
    idle_bytes: usize,
    idle_cpu: Duration,
}

/// Clock ticks per second of /proc's utime and stime (100 on Linux).
const TICK: Duration = Duration::from_millis(10);

fn cpu_of(pid: u32) -> Duration {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return Duration::ZERO;
    };
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    // After the name: state is field 0, utime 11, stime 12 (fields 14 and 15 of stat).
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u32>().ok()).unwrap_or(0);
    TICK * (ticks(11) + ticks(12))
}

/// Spawn `cmd` in a fresh pty and time it to `READY` on the emulated screen.
fn run(mut cmd: CommandBuilder, idle: bool) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    cmd.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd.env("HOME", dir.path());
    cmd.env("XDG_CONFIG_HOME", dir.path().join("config"));
    cmd.env("TERM", "xterm-256color");
    cmd.cwd(dir.path());
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("openpty");
    let mut writer = pty.master.take_writer().expect("writer");
    let mut reader = pty.master.try_clone_reader().expect("reader");
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 16384];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    if tx.send(buf[..n].to_vec()).is_err() {
                        return;
                    }
                }
            }
        }
    });
    let started = Instant::now();
    let mut child = pty.slave.spawn_command(cmd).expect("spawn");
    drop(pty.slave);
    let pid = child.process_id().unwrap_or(0);
    let size = |n: u16| std::num::NonZero::new(n).expect("non-zero");
    let mut parser = vt100::Parser::new(size(24), size(80), 0);
    let mut raw = Vec::new();
    let first_frame = loop {
        let chunk = rx
            .recv_timeout(GUARD.saturating_sub(started.elapsed()))
            .expect("the first frame within the guard");
        parser.process(&chunk);
        raw.extend_from_slice(&chunk);
        // ratatui asks where the cursor is when it clears; answer as a terminal would.
        if raw.windows(4).any(|w| w == b"\x1b[6n") {
            raw.clear();
            let _ = std::io::Write::write_all(&mut writer, b"\x1b[1;1R");
        }
        if parser.screen().contents().contains(READY) {
            break started.elapsed();
        }
    };
    let all_in = loop {
        let screen = parser.screen().contents();
        if ALL_IN.iter().all(|count| screen.contains(count)) {
            break started.elapsed();
        }
        let chunk = rx
            .recv_timeout(GUARD.saturating_sub(started.elapsed()))
            .expect("every list within the guard");
        parser.process(&chunk);
    };
    let cpu = cpu_of(pid);
    let (mut idle_bytes, mut idle_cpu) = (0, Duration::ZERO);
    if idle {
        // Let the start-up's last writes (the log filling) settle, then watch one second.
        while rx.recv_timeout(Duration::from_millis(300)).is_ok() {}
        let before = cpu_of(pid);
        let until = Instant::now() + Duration::from_secs(1);
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            if let Ok(chunk) = rx.recv_timeout(left) {
                idle_bytes += chunk.len();
            }
        }
        idle_cpu = cpu_of(pid).saturating_sub(before);
    }
    let _ = child.kill();
    let _ = child.wait();
    Run {
        first_frame,
        all_in,
        cpu,
        idle_bytes,
        idle_cpu,
    }
}

fn median(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    (percentile(&times, 50), percentile(&times, 90))
}

fn main() {
    let smoke = !std::env::args().any(|a| a == "--bench");
    let runs = if smoke { 2 } else { 30 };
    let console = || CommandBuilder::new(env!("CARGO_BIN_EXE_egain-console"));
    let trivial = || {
        let mut cmd = CommandBuilder::new("sh");
        let text = format!("{READY} {}", ALL_IN.join(" "));
        cmd.args(["-c", &format!("printf '\\033[?1049h{text}'; sleep 5")]);
        cmd
    };
    // Warm the page cache and the sandbox's first run.
    run(console(), false);
    let mut ours = Vec::new();
    let mut ours_all = Vec::new();
    let mut baseline = Vec::new();
    let mut cpu = Vec::new();
    let mut idle = Vec::new();
    for i in 0..runs {
        // Interleaved, so load on the machine affects both alike.
        baseline.push(run(trivial(), false).first_frame);
        let r = run(console(), i == 0);
        if i == 0 {
            idle.push((r.idle_bytes, r.idle_cpu));
        }
        ours.push(r.first_frame);
        ours_all.push(r.all_in);
        cpu.push(r.cpu);
    }
    let (c50, c90) = median(ours);
    let (a50, a90) = median(ours_all);
    let (b50, b90) = median(baseline);
    let (cpu50, _) = median(cpu);
    println!("startup: {runs} runs, spawn in an 80x24 pty until \"{READY}\" is on screen");
    println!("  console          median {:7.2} ms  p90 {:7.2} ms", ms(c50), ms(c90));
    println!("  trivial process  median {:7.2} ms  p90 {:7.2} ms", ms(b50), ms(b90));
    println!(
        "  every kind's count on screen: median {:7.2} ms  p90 {:7.2} ms (own cost {:.2} ms)",
        ms(a50),
        ms(a90),
        ms(a50.saturating_sub(b50))
    );
    println!(
        "  own cost (median difference) {:.2} ms; console CPU to first frame {:.0} ms (10 ms ticks)",
        ms(c50.saturating_sub(b50)),
        ms(cpu50)
    );
    for (bytes, cpu) in idle {
        println!(
            "  idle second after the first frame: {bytes} bytes written, {:.0} ms CPU",
            ms(cpu)
        );
    }
}
