//! The real binary in a pseudo-terminal on a profile pointing at a slow
//! standalone sandbox, as on a tenant far away: start-up holds back the
//! kinds not on screen only until the first frame is drawn, not for a
//! round trip.

mod common_pty;

use std::time::Duration;

use common_pty::demo_screen::DEMO_COUNTS;
use common_pty::standalone::Standalone;
use egain_console::sandbox::Faults;

#[test]
fn on_a_slow_tenant_the_other_lists_go_out_with_the_first_frame() {
    // Far longer than the first frame's wait (50 ms), so the order below is not a race.
    let sb = Standalone::with_faults(Faults {
        latency: Duration::from_millis(1500),
        ..Faults::default()
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let mut console = sb.console(dir.path(), &[]);
    // All six lists in flight at once: the five held back went out with the
    // first frame, while the list on screen was still on its way.
    console.wait_for("the first frame, every list in flight", |s| {
        s.contains("standalone") && s.contains("loading…") && s.contains("6 in flight")
    });
    console.wait_for("every kind's count", |s| {
        DEMO_COUNTS.iter().all(|count| s.contains(count)) && s.contains("Demo Account") && !s.contains("in flight")
    });
    console.press(b"q");
    console.wait_exit().assert_clean();
}
