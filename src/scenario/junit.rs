//! JUnit XML, the report CI systems read: one `<testcase>` per scenario
//! run (the file as `classname`), its failing step in the `<failure>`
//! message and the whole detail in its body, and each step's outcome in
//! `<system-out>`.

use std::io::Cursor;
use std::time::Duration;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::runner::ScenarioResult;

/// The report of a run of scenarios; `repeated` names runs `name #k`.
pub fn render(results: &[ScenarioResult], elapsed: Duration, repeated: bool) -> String {
    let mut w = Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 2);
    // Writes into memory cannot fail.
    let _ = write(&mut w, results, elapsed, repeated);
    String::from_utf8_lossy(&w.into_inner().into_inner()).into_owned()
}

fn secs(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

/// XML 1.0 cannot carry most control characters, even escaped.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

fn write(
    w: &mut Writer<Cursor<Vec<u8>>>,
    results: &[ScenarioResult],
    elapsed: Duration,
    repeated: bool,
) -> std::io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let tests = results.len().to_string();
    let failures = results.iter().filter(|r| !r.passed()).count().to_string();
    let time = secs(elapsed);
    let attrs = [
        ("name", "egain-console scenarios"),
        ("tests", tests.as_str()),
        ("failures", failures.as_str()),
        ("errors", "0"),
        ("time", time.as_str()),
    ];
    w.create_element("testsuites")
        .with_attributes(attrs)
        .write_inner_content(|w| {
            w.create_element("testsuite")
                .with_attributes(attrs)
                .write_inner_content(|w| {
                    for result in results {
                        testcase(w, result, repeated)?;
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
    Ok(())
}

fn testcase(w: &mut Writer<Cursor<Vec<u8>>>, result: &ScenarioResult, repeated: bool) -> std::io::Result<()> {
    let name = if repeated {
        format!("{} #{}", result.name, result.run)
    } else {
        result.name.clone()
    };
    let name = clean(&name);
    let classname = clean(&result.path.display().to_string());
    let time = secs(result.elapsed);
    let mut log = String::new();
    for step in &result.steps {
        log.push_str(&format!(
            "{} step {} {} ({} ms{})\n",
            if step.passed { "ok  " } else { "FAIL" },
            step.index + 1,
            step.label,
            step.elapsed.as_millis(),
            step.latency
                .map(|l| format!(", answered in {} ms", l.as_millis()))
                .unwrap_or_default()
        ));
    }
    if let Some(id) = &result.conversation_id {
        log.push_str(&format!("conversation {id}\n"));
    }
    w.create_element("testcase")
        .with_attributes([
            ("name", name.as_str()),
            ("classname", classname.as_str()),
            ("time", time.as_str()),
        ])
        .write_inner_content(|w| {
            if let Some(failure) = &result.failure {
                let message = clean(&format!("{}: {}", failure.headline(), failure.problem));
                w.create_element("failure")
                    .with_attributes([("message", message.as_str()), ("type", "ScenarioFailure")])
                    .write_text_content(BytesText::new(&clean(&failure.to_string())))?;
            }
            w.create_element("system-out")
                .write_text_content(BytesText::new(&clean(&log)))?;
            Ok(())
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::runner::Failure;

    fn result(name: &str, failure: Option<Failure>) -> ScenarioResult {
        ScenarioResult {
            name: name.into(),
            path: "s/a.yaml".into(),
            run: 2,
            steps: Vec::new(),
            failure,
            elapsed: Duration::from_millis(1500),
            conversation_id: Some("c-1".into()),
            conversation: None,
            cancelled: false,
        }
    }

    #[test]
    fn escapes_and_cleans_what_xml_cannot_carry() {
        let failure = Failure {
            step: 1,
            line: Some(4),
            label: "expect { text: \"<b>&\" }".into(),
            expected: "text \"<b>&\"".into(),
            problem: "nothing matched\u{7} within 1s".into(),
            arrived: vec!["+0.3s  bot  text \"a\u{0}b\"".into()],
        };
        let xml = render(
            &[result("ok", None), result("bad <one>", Some(failure))],
            Duration::from_secs(3),
            true,
        );
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), "{xml}");
        assert!(xml.contains("tests=\"2\" failures=\"1\""), "{xml}");
        assert!(
            xml.contains("<testcase name=\"bad &lt;one&gt; #2\" classname=\"s/a.yaml\" time=\"1.500\">"),
            "{xml}"
        );
        assert!(xml.contains("message=\"step 2 (line 4): expect { text: &quot;&lt;b&gt;&amp;&quot; }: nothing matched\u{fffd} within 1s\""), "{xml}");
        assert!(!xml.contains('\u{0}') && !xml.contains('\u{7}'), "{xml}");
        assert!(xml.contains("conversation c-1"), "{xml}");
    }
}
