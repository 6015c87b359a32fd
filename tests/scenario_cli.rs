//! `egain-console test` as CI runs it: the real binary on the embedded
//! sandbox (no config, HOME in a temporary folder), its exit codes, its
//! report of a failing step, JUnit XML and load percentiles.

use std::path::Path;
use std::process::{Command, Output};

use base64::Engine;
use quick_xml::events::Event;

/// The issue's example, word for word: the attachment goes to the agent
/// after the hand-over, and the simulated agent acknowledges it by name.
const EXAMPLE: &str = r#"name: bot echoes, then hands over to an agent
account: Demo Account        # by name; optional when the tenant has one account
as: customer                 # the role this scenario speaks as (default customer)
steps:
  - send: hello                                  # a text message
  - expect: { from: bot, text: "You said: hello", within: 5s }
  - send: agent
  - expect: { event: escalation.transfer, within: 10s }
  - expect: { event: agent.join, within: 10s }
  - expect: { from: agent, contains: "Hi", within: 10s }
  - send: { attach: files/receipt.png }          # path relative to the scenario file
  - expect: { from: any, matches: "(?i)thanks|received", within: 10s }
  - end: true                                    # conversation.end
"#;

const WRONG: &str = r#"name: expects the wrong echo
steps:
  - send: hello
  - expect: { from: bot, text: "You said: goodbye", within: 1s }
  - end: true
"#;

/// Run the binary in `dir` with no user config.
fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_egain-console"))
        .current_dir(dir)
        .env_remove("EGAIN_CONSOLE_CONFIG")
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .args(args)
        .output()
        .expect("the binary starts")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A folder with the example, its image (decoded from the sandbox's PNG icon) and `extra` files.
fn folder(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("files")).expect("files dir");
    let png = base64::engine::general_purpose::STANDARD
        .decode(egain_console::sandbox::seed::DEMO_ICON_PNG_BASE64)
        .expect("the icon is base64");
    assert!(png.starts_with(b"\x89PNG"));
    std::fs::write(dir.path().join("files/receipt.png"), png).expect("write png");
    std::fs::write(dir.path().join("example.yaml"), EXAMPLE).expect("write example");
    for (name, body) in extra {
        std::fs::write(dir.path().join(name), body).expect("write scenario");
    }
    dir
}

#[test]
fn the_example_passes_on_the_embedded_sandbox() {
    let dir = folder(&[]);
    let out = run(dir.path(), &["test", "example.yaml"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    // A progress line per scenario and per step.
    assert!(
        all.contains("RUN  bot echoes, then hands over to an agent (example.yaml)"),
        "{all}"
    );
    assert!(
        all.contains("ok   step 8 expect { from: any, matches: \"(?i)thanks|received\""),
        "{all}"
    );
    assert!(all.contains("ok   step 9 end the conversation"), "{all}");
    assert!(all.contains("1 passed, 0 failed"), "{all}");
}

#[test]
fn a_wrong_text_fails_at_its_step_naming_what_arrived() {
    let dir = folder(&[("wrong.yaml", WRONG)]);
    let out = run(dir.path(), &["test", "wrong.yaml"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("FAIL step 2 expect"), "{all}");
    assert!(
        all.contains("step 2 (line 4): expect { from: bot, text: \"You said: goodbye\", within: 1s }"),
        "{all}"
    );
    assert!(all.contains("expected: text \"You said: goodbye\" from bot"), "{all}");
    assert!(all.contains("instead:  nothing matched within 1s"), "{all}");
    assert!(all.contains("text \"You said: hello\""), "what arrived: {all}");
    // The step after the failure did not run.
    assert!(!all.contains("step 3 end"), "{all}");
}

fn attribute(e: &quick_xml::events::BytesStart, name: &str) -> Option<String> {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
        .map(|v| v.into_owned())
}

#[test]
fn junit_has_one_testcase_per_scenario_with_the_failure_inside() {
    let dir = folder(&[("wrong.yaml", WRONG)]);
    let out = run(dir.path(), &["test", ".", "--junit", "report.xml"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let xml = std::fs::read_to_string(dir.path().join("report.xml")).expect("report written");

    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut cases: Vec<(String, Option<String>)> = Vec::new();
    let mut suites = 0;
    let mut in_case = false;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) if e.name().0 == "testsuite" => suites += 1,
            Event::Start(e) if e.name().0 == "testcase" => {
                let name = attribute(&e, "name").unwrap_or_default();
                cases.push((name, None));
                in_case = true;
            }
            Event::End(e) if e.name().0 == "testcase" => in_case = false,
            Event::Start(e) | Event::Empty(e) if e.name().0 == "failure" => {
                assert!(in_case, "a failure outside a testcase");
                let message = attribute(&e, "message");
                if let Some(last) = cases.last_mut() {
                    last.1 = message;
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(suites, 1);
    cases.sort();
    assert_eq!(cases.len(), 2, "{xml}");
    assert_eq!(cases[0].0, "bot echoes, then hands over to an agent");
    assert_eq!(cases[0].1, None);
    assert_eq!(cases[1].0, "expects the wrong echo");
    let failure = cases[1].1.as_deref().unwrap_or_default();
    assert!(failure.starts_with("step 2 (line 4): expect { from: bot"), "{failure}");
    assert!(failure.contains("nothing matched within 1s"), "{failure}");
}

#[test]
fn load_reports_percentiles_per_expectation_with_no_failures() {
    let dir = folder(&[]);
    let out = run(
        dir.path(),
        &[
            "test",
            "example.yaml",
            "--repeat",
            "20",
            "--concurrency",
            "5",
            "-o",
            "json",
        ],
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(report["passed"], 20);
    assert_eq!(report["failed"], 0);
    assert_eq!(report["load"]["concurrency"], 5);
    let expectations = report["load"]["expectations"].as_array().expect("expectations");
    assert_eq!(expectations.len(), 5, "one per expect step: {all}");
    for e in expectations {
        assert_eq!(e["samples"], 20, "{e}");
        assert_eq!(e["failures"], 0, "{e}");
        let (p50, p95, p99) = (
            e["p50_ms"].as_f64().unwrap_or(-1.0),
            e["p95_ms"].as_f64().unwrap_or(-1.0),
            e["p99_ms"].as_f64().unwrap_or(-1.0),
        );
        assert!(0.0 <= p50 && p50 <= p95 && p95 <= p99, "{e}");
    }
    // The bot's echo takes its typing pause: the percentile is of real replies.
    assert!(
        expectations[0]["p50_ms"].as_f64().unwrap_or(0.0) >= 250.0,
        "{}",
        expectations[0]
    );

    let out = run(
        dir.path(),
        &["test", "example.yaml", "--repeat", "2", "--concurrency", "2"],
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        all.contains("p50 ") && all.contains("p95 ") && all.contains("p99 "),
        "{all}"
    );
    assert!(all.contains("2 passed, 0 failed"), "{all}");
}

#[test]
fn usage_and_file_errors_exit_2_before_any_run() {
    let dir = folder(&[(
        "bad.yaml",
        "name: typo\nsteps:\n  - send: hello\n  - expect: { from: bot, txt: \"You said: hello\" }\n",
    )]);
    let out = run(dir.path(), &["test", "bad.yaml"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("bad.yaml:4: steps[1].expect: unknown field `txt`"),
        "{all}"
    );
    assert!(!all.contains("RUN "), "nothing ran: {all}");

    let out = run(dir.path(), &["test", "missing.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("missing.yaml: no such file or folder"));

    let out = run(dir.path(), &["test"]);
    assert_eq!(out.status.code(), Some(2), "no path: {}", text(&out));

    let out = run(dir.path(), &["test", "example.yaml", "--repeat", "0"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));

    std::fs::create_dir_all(dir.path().join("empty")).expect("dir");
    let out = run(dir.path(), &["test", "empty"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("no scenario files"));

    let other = "name: elsewhere\naccount: Nope\nsteps:\n  - send: hi\n";
    std::fs::write(dir.path().join("nope.yaml"), other).expect("write");
    let out = run(dir.path(), &["test", "nope.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("no account is named \"Nope\""), "{}", text(&out));
}
