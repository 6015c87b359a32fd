//! The scenario file: YAML, one conversation per file, read and checked.
//!
//! ```yaml
//! name: bot echoes
//! account: Demo Account        # by name; optional when the tenant has one account
//! as: customer                 # the role the scenario speaks as (default customer)
//! contact: me+${run}@example.com # the customer's email contact (optional)
//! vars: { greeting: hello }    # values for ${greeting} (optional)
//! steps:
//!   - send: ${greeting}
//!   - expect: { from: bot, text: "You said: hello", within: 5s }
//!   - end: true
//! ```
//!
//! Parsing checks everything it can before any network call (unknown keys,
//! two matchers in one `expect`, bad regexes and durations, missing files,
//! variables never set, unset `${env.NAME}`); each error names
//! `file:line: key`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor, value::MapAccessDeserializer};

use super::model::{Action, DEFAULT_WITHIN, Expect, Matcher, Outgoing, Scenario, Step, Who, parse_duration};
use super::vars;
use crate::api::models::SenderType;
use crate::io_error::{self, Access};

/// A bad scenario file: where, and what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The YAML path of the value (`steps[2].expect.within`), when known.
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": ")?;
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for ScenarioError {}

// ---------------------------------------------------------------- raw file shape

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    name: String,
    #[serde(default)]
    account: Option<String>,
    #[serde(default, rename = "as")]
    role: Option<String>,
    #[serde(default)]
    contact: Option<String>,
    #[serde(default)]
    vars: BTreeMap<String, Scalar>,
    steps: Vec<RawStep>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    #[serde(default)]
    send: Option<RawSend>,
    #[serde(default)]
    expect: Option<RawExpect>,
    #[serde(default)]
    end: Option<bool>,
    #[serde(default)]
    capture: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SendMap {
    #[serde(default)]
    attach: Option<String>,
    #[serde(default)]
    text: Option<Scalar>,
    #[serde(default)]
    answer: Option<usize>,
    #[serde(default)]
    raw: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectMap {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    text: Option<Scalar>,
    #[serde(default)]
    contains: Option<Scalar>,
    #[serde(default)]
    matches: Option<String>,
    #[serde(default)]
    event: Option<String>,
    #[serde(default)]
    attachment: Option<String>,
    #[serde(default)]
    within: Option<Scalar>,
}

/// A YAML scalar read as text (`send: 42` sends "42").
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor).map(Scalar)
    }
}

struct ScalarVisitor;

impl Visitor<'_> for ScalarVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a text, number or boolean")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
}

/// `send: text` or `send: { attach | answer | raw ... }`.
enum RawSend {
    Text(String),
    Map(SendMap),
}

impl<'de> Deserialize<'de> for RawSend {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawSend;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a text, or a map with attach, answer or raw")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawSend, E> {
                ScalarVisitor.visit_str(v).map(RawSend::Text)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawSend, E> {
                ScalarVisitor.visit_i64(v).map(RawSend::Text)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawSend, E> {
                ScalarVisitor.visit_u64(v).map(RawSend::Text)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawSend, E> {
                ScalarVisitor.visit_f64(v).map(RawSend::Text)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawSend, E> {
                ScalarVisitor.visit_bool(v).map(RawSend::Text)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawSend, A::Error> {
                SendMap::deserialize(MapAccessDeserializer::new(map)).map(RawSend::Map)
            }
        }
        d.deserialize_any(V)
    }
}

/// `expect: exact text` or `expect: { from, text | contains | matches | event, ... }`.
enum RawExpect {
    Text(String),
    Map(ExpectMap),
}

impl<'de> Deserialize<'de> for RawExpect {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawExpect;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an exact text, or a map with from, text, contains, matches, event, attachment, within")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawExpect, E> {
                Ok(RawExpect::Text(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawExpect, E> {
                Ok(RawExpect::Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawExpect, E> {
                Ok(RawExpect::Text(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawExpect, A::Error> {
                ExpectMap::deserialize(MapAccessDeserializer::new(map)).map(RawExpect::Map)
            }
        }
        d.deserialize_any(V)
    }
}

// ---------------------------------------------------------------- parsing

/// Every scenario file named: files as given, folders searched recursively.
pub fn find(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let before = files.len();
            for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
                let entry = entry.map_err(|e| match e.io_error() {
                    Some(io) => io_error::message(e.path().unwrap_or(path), Access::Read, "the folder", io),
                    None => format!("{}: {e}", path.display()),
                })?;
                let is_yaml = entry
                    .path()
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| e == "yaml" || e == "yml");
                if entry.file_type().is_file() && is_yaml {
                    files.push(entry.into_path());
                }
            }
            if files.len() == before {
                return Err(format!(
                    "{}: no scenario files (*.yaml, *.yml) in this folder",
                    path.display()
                ));
            }
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(format!("{}: no such file or folder; check the path", path.display()));
        }
    }
    Ok(files)
}

/// Read and check a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        file: path.to_owned(),
        line: None,
        key: None,
        message: format!("cannot read the file: {}", io_error::reason(path, Access::Read, &e)),
    })?;
    parse(path, &text)
}

/// Check a scenario given as text (`path` names it in errors and anchors
/// relative attachment paths).
pub fn parse(path: &Path, text: &str) -> Result<Scenario, ScenarioError> {
    let raw: RawFile = serde_yaml_ng::from_str(text).map_err(|e| yaml_error(path, &e))?;
    let lines = step_lines(text);
    let err = |index: Option<usize>, key: String, message: String| ScenarioError {
        file: path.to_owned(),
        line: index
            .and_then(|i| lines.get(i).copied())
            .or_else(|| top_key_line(text, &key)),
        key: Some(key),
        message,
    };
    if raw.name.trim().is_empty() {
        return Err(err(None, "name".into(), "give the scenario a name".into()));
    }
    let role = match raw.role.as_deref() {
        None | Some("customer") => SenderType::Customer,
        Some(other) => {
            let known: SenderType = other.parse().unwrap_or_else(|never| match never {});
            let message = if matches!(known, SenderType::Other(_)) {
                format!("{other:?} is not a role (customer, custom_bot, custom_agent, egain_bot, egain_agent)")
            } else {
                format!(
                    "speaking as {other} needs a conversation the hub routes to this console; \
                     this version replays scenarios as customer only (remove `as`, or write `as: customer`)"
                )
            };
            return Err(err(None, "as".into(), message));
        }
    };
    if raw.steps.is_empty() {
        return Err(err(None, "steps".into(), "a scenario needs at least one step".into()));
    }
    let vars: BTreeMap<String, String> = raw.vars.into_iter().map(|(k, v)| (k, v.0)).collect();
    for name in vars.keys() {
        if !vars::is_name(name) || vars::is_builtin(name) || name.starts_with("env.") {
            return Err(err(
                None,
                format!("vars.{name}"),
                "a variable name is letters, digits, `_` and `-`, and not a built-in (conversation.id, run, scenario.name)"
                    .into(),
            ));
        }
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut known: BTreeSet<String> = vars.keys().cloned().collect();
    let mut sent = false;
    let mut steps = Vec::with_capacity(raw.steps.len());
    for (index, step) in raw.steps.into_iter().enumerate() {
        let key = format!("steps[{index}]");
        let at = Some(index);
        let mut actions = Vec::new();
        if let Some(send) = step.send {
            actions.push(("send", StepIn::Send(send)));
        }
        if let Some(expect) = step.expect {
            actions.push(("expect", StepIn::Expect(expect)));
        }
        if let Some(end) = step.end {
            actions.push(("end", StepIn::End(end)));
        }
        let (which, action) = match actions.len() {
            1 => actions.remove(0),
            0 => return Err(err(at, key, "a step is one of send, expect or end".into())),
            _ => {
                let names: Vec<&str> = actions.iter().map(|(n, _)| *n).collect();
                return Err(err(
                    at,
                    key,
                    format!("a step does one thing, this one has {}: split it", names.join(" and ")),
                ));
            }
        };
        let key = format!("{key}.{which}");
        let action = match action {
            StepIn::Send(send) => {
                let send = convert_send(send).map_err(|(sub, m)| err(at, join_key(&key, sub), m))?;
                if let Outgoing::Attach { path: file, .. } = &send
                    && !file.contains("${")
                {
                    let full = dir.join(file);
                    if !full.is_file() {
                        return Err(err(
                            at,
                            format!("{key}.attach"),
                            format!(
                                "{} is not a file (paths are relative to the scenario file)",
                                full.display()
                            ),
                        ));
                    }
                    // The asset rules (size, name), before any upload.
                    let name = full.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                    let size = std::fs::metadata(&full).map(|m| m.len()).unwrap_or(0);
                    if let Err(why) = crate::api::models::check_asset_file(name, size) {
                        return Err(err(at, format!("{key}.attach"), format!("{}: {why}", full.display())));
                    }
                }
                if let Outgoing::Answer(_) = send
                    && !sent
                {
                    return Err(err(at, key, "nothing to answer before the first message".into()));
                }
                sent = true;
                Action::Send(send)
            }
            StepIn::Expect(expect) => {
                let expect = convert_expect(expect).map_err(|(sub, m)| err(at, join_key(&key, sub), m))?;
                if !sent {
                    return Err(err(
                        at,
                        key,
                        "as customer nothing arrives before the first message: start with a send".into(),
                    ));
                }
                Action::Expect(expect)
            }
            StepIn::End(true) => {
                if !sent {
                    return Err(err(at, key, "nothing to end before the first message".into()));
                }
                Action::End
            }
            StepIn::End(false) => {
                return Err(err(at, key, "`end: false` does nothing; remove the step".into()));
            }
        };
        let mut capture = Vec::new();
        if let Some(map) = step.capture {
            if !matches!(action, Action::Expect(_)) {
                return Err(err(
                    at,
                    format!("steps[{index}].capture"),
                    "capture reads the message an expect step matched: put it on an expect step".into(),
                ));
            }
            for (name, pattern) in map {
                let ck = format!("steps[{index}].capture.{name}");
                if !vars::is_name(&name) || vars::is_builtin(&name) {
                    return Err(err(at, ck, "a variable name is letters, digits, `_` and `-`".into()));
                }
                if let Err(e) = regex::Regex::new(&pattern) {
                    return Err(err(at, ck, format!("not a regex: {e}")));
                }
                capture.push((name, pattern));
            }
        }
        // Every ${name} must be set by then: by `vars`, an earlier capture, a built-in or the environment.
        for (sub, value) in strings_of(&action) {
            vars::check(value, &known).map_err(|m| err(at, join_key(&key, sub), m))?;
        }
        known.extend(capture.iter().map(|(n, _)| n.clone()));
        steps.push(Step {
            index,
            line: lines.get(index).copied(),
            action,
            capture,
        });
    }
    if let Some(contact) = &raw.contact {
        let known: BTreeSet<String> = vars.keys().cloned().collect();
        vars::check(contact, &known).map_err(|m| err(None, "contact".into(), m))?;
    }
    Ok(Scenario {
        name: raw.name,
        path: path.to_owned(),
        account: raw.account.filter(|a| !a.trim().is_empty()),
        account_line: top_key_line(text, "account"),
        role,
        contact: raw.contact,
        vars,
        steps,
    })
}

enum StepIn {
    Send(RawSend),
    Expect(RawExpect),
    End(bool),
}

fn join_key(key: &str, sub: &str) -> String {
    if sub.is_empty() {
        key.to_owned()
    } else {
        format!("{key}.{sub}")
    }
}

type Invalid = (&'static str, String);

fn convert_send(raw: RawSend) -> Result<Outgoing, Invalid> {
    let map = match raw {
        RawSend::Text(t) if t.trim().is_empty() => return Err(("", "nothing to send: the text is empty".into())),
        RawSend::Text(t) => return Ok(Outgoing::Text(t)),
        RawSend::Map(map) => map,
    };
    match (map.attach, map.answer, map.raw) {
        (Some(path), None, None) => Ok(Outgoing::Attach {
            path,
            text: map.text.map(|t| t.0).filter(|t| !t.is_empty()),
        }),
        (None, Some(n), None) if map.text.is_none() => {
            if n == 0 {
                Err(("answer", "options count from 1".into()))
            } else {
                Ok(Outgoing::Answer(n))
            }
        }
        (None, None, Some(body)) if map.text.is_none() => {
            if body.pointer("/messages/message").is_some_and(|m| m.is_array()) {
                Ok(Outgoing::Raw(body))
            } else {
                Err((
                    "raw",
                    "an exact request body: { messages: { message: [ ... ] } }".into(),
                ))
            }
        }
        (None, None, None) => match map.text {
            Some(t) if !t.0.trim().is_empty() => Ok(Outgoing::Text(t.0)),
            _ => Err(("", "say what to send: a text, attach, answer or raw".into())),
        },
        _ => Err(("", "send one thing: text (with attach or alone), answer or raw".into())),
    }
}

fn convert_expect(raw: RawExpect) -> Result<Expect, Invalid> {
    let map = match raw {
        RawExpect::Text(t) => ExpectMap {
            from: None,
            text: Some(Scalar(t)),
            contains: None,
            matches: None,
            event: None,
            attachment: None,
            within: None,
        },
        RawExpect::Map(map) => map,
    };
    let mut matchers = Vec::new();
    if let Some(t) = map.text {
        matchers.push(("text", Matcher::Text(t.0)));
    }
    if let Some(t) = map.contains {
        matchers.push(("contains", Matcher::Contains(t.0)));
    }
    if let Some(t) = map.matches {
        if !t.contains("${")
            && let Err(e) = regex::Regex::new(&t)
        {
            return Err(("matches", format!("not a regex: {e}")));
        }
        matchers.push(("matches", Matcher::Matches(t)));
    }
    if let Some(t) = map.event {
        if t.trim().is_empty() {
            return Err(("event", "name a message type, e.g. agent.join".into()));
        }
        matchers.push(("event", Matcher::Event(t)));
    }
    let matcher = match matchers.len() {
        0 => Matcher::Anything,
        1 => matchers.remove(0).1,
        _ => {
            let names: Vec<&str> = matchers.iter().map(|(n, _)| *n).collect();
            return Err((
                "",
                format!(
                    "use one of text, contains, matches or event, not {}",
                    names.join(" and ")
                ),
            ));
        }
    };
    if let Some(glob) = &map.attachment
        && let Err(e) = globset::Glob::new(glob)
    {
        return Err(("attachment", format!("not a file-name pattern: {e}")));
    }
    let within = match map.within {
        Some(s) => parse_duration(&s.0).map_err(|e| ("within", e))?,
        None => DEFAULT_WITHIN,
    };
    if within.is_zero() {
        return Err(("within", "a wait of zero never matches; give it time, e.g. 5s".into()));
    }
    Ok(Expect {
        from: map.from.as_deref().map(Who::parse).unwrap_or(Who::Any),
        matcher,
        attachment: map.attachment,
        within,
    })
}

/// The strings of an action that may hold `${...}`, with their sub-key.
fn strings_of(action: &Action) -> Vec<(&'static str, &str)> {
    match action {
        Action::Send(Outgoing::Text(t)) => vec![("", t)],
        Action::Send(Outgoing::Attach { path, text }) => {
            let mut v = vec![("attach", path.as_str())];
            if let Some(t) = text {
                v.push(("text", t));
            }
            v
        }
        Action::Send(Outgoing::Raw(body)) => {
            let mut out = Vec::new();
            collect_strings(body, &mut out);
            out.into_iter().map(|s| ("raw", s)).collect()
        }
        Action::Send(Outgoing::Answer(_)) | Action::End => Vec::new(),
        Action::Expect(e) => match &e.matcher {
            Matcher::Text(t) => vec![("text", t)],
            Matcher::Contains(t) => vec![("contains", t)],
            Matcher::Matches(t) => vec![("matches", t)],
            Matcher::Event(_) | Matcher::Anything => Vec::new(),
        },
    }
}

fn collect_strings<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match value {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

/// A YAML or shape error, as `file:line: key: message`.
fn yaml_error(path: &Path, e: &serde_yaml_ng::Error) -> ScenarioError {
    let text = e.to_string();
    // The location is in the message as " at line L column C"; keep it as file:line.
    let message = match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    };
    // serde_yaml_ng prefixes the path of the value ("steps[1].expect: ...").
    let (key, message) = match message.split_once(": ") {
        Some((key, rest)) if !key.contains(' ') && !key.is_empty() => (Some(key.to_owned()), rest.to_owned()),
        _ => (None, message),
    };
    ScenarioError {
        file: path.to_owned(),
        line: e.location().map(|l| l.line()),
        key,
        message,
    }
}

/// The 1-based line of each item of the top-level `steps:` block list.
fn step_lines(text: &str) -> Vec<usize> {
    let mut lines = text.lines().enumerate();
    let found = lines.by_ref().any(|(_, l)| {
        l.strip_prefix("steps:")
            .is_some_and(|rest| rest.trim().is_empty() || rest.trim_start().starts_with('#'))
    });
    if !found {
        return Vec::new();
    }
    let mut indent: Option<usize> = None;
    let mut out = Vec::new();
    for (i, line) in lines {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let this = line.len() - trimmed.len();
        let item = trimmed == "-" || trimmed.starts_with("- ");
        match indent {
            None if item => {
                indent = Some(this);
                out.push(i + 1);
            }
            None => break,
            Some(n) if this == n && item => out.push(i + 1),
            Some(n) if this < n || (this == n && !item) => break,
            Some(_) => {}
        }
    }
    out
}

/// The line of a top-level key (`name:`, `as:`), for errors about it.
fn top_key_line(text: &str, key: &str) -> Option<usize> {
    let top = key.split(['.', '[']).next()?;
    text.lines()
        .position(|l| l.strip_prefix(top).is_some_and(|rest| rest.starts_with(':')))
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Scenario, ScenarioError> {
        parse(Path::new("t.yaml"), text)
    }

    #[test]
    fn the_issue_example_parses() {
        let s = parse_text(
            "name: n\nsteps:\n  - send: hello\n  - expect: { from: bot, text: \"You said: hello\", within: 5s }\n\
             \n  # a comment\n  - send: { answer: 2 }\n  - expect: { event: agent.join }\n  - end: true\n",
        )
        .unwrap();
        assert_eq!(s.role, SenderType::Customer);
        assert_eq!(s.steps.len(), 5);
        assert_eq!(
            s.steps.iter().map(|s| s.line).collect::<Vec<_>>(),
            [3, 4, 7, 8, 9].map(Some)
        );
        assert_eq!(
            s.steps[1].label(),
            "expect { from: bot, text: \"You said: hello\", within: 5s }"
        );
        assert_eq!(s.steps[2].action, Action::Send(Outgoing::Answer(2)));
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let e = parse_text("name: n\nsteps:\n  - send: hi\n  - expect: { from: bot, txt: hi }\n").unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        assert!(
            e.to_string()
                .starts_with("t.yaml:4: steps[1].expect: unknown field `txt`"),
            "{e}"
        );

        let e = parse_text("name: n\nsteps:\n  - send: hi\n  - expect: { text: a, contains: b }\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.yaml:4: steps[1].expect: use one of text, contains, matches or event, not text and contains"
        );

        let e = parse_text("name: n\nsteps:\n  - send: hi\n  - expect: { text: a, within: soon }\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.yaml:4: steps[1].expect.within: \"soon\" is not a duration"),
            "{e}"
        );

        let e = parse_text("name: n\nsteps:\n  - send: hi\n  - expect: { matches: \"(\" }\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.yaml:4: steps[1].expect.matches: not a regex"),
            "{e}"
        );

        let e = parse_text("name: n\nsteps:\n  - send: ${nope}\n").unwrap_err();
        assert!(
            e.to_string().starts_with("t.yaml:3: steps[0].send: ${nope} is not set"),
            "{e}"
        );

        let e = parse_text("name: n\nas: robot\nsteps:\n  - send: hi\n").unwrap_err();
        assert!(
            e.to_string().starts_with("t.yaml:2: as: \"robot\" is not a role"),
            "{e}"
        );

        let e = parse_text("name: n\nsteps:\n  - send: { attach: missing.png }\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.yaml:3: steps[0].send.attach: missing.png is not a file"),
            "{e}"
        );

        let empty = tempfile::NamedTempFile::with_suffix(".png").unwrap();
        let e = parse(
            &empty.path().with_file_name("t.yaml"),
            &format!(
                "name: n\nsteps:\n  - send: {{ attach: {:?} }}\n",
                empty.path().display().to_string()
            ),
        )
        .unwrap_err();
        assert_eq!(e.key.as_deref(), Some("steps[0].send.attach"), "{e}");
        assert_eq!(e.line, Some(3), "{e}");

        let e = parse_text("name: n\nsteps:\n  - expect: hi\n").unwrap_err();
        assert!(e.to_string().contains("start with a send"), "{e}");

        let e = parse_text("name: n\nsteps: [\n").unwrap_err();
        assert!(e.line.is_some(), "{e}");
    }

    #[test]
    fn captures_become_known_variables() {
        let s = parse_text(
            "name: n\nvars: { who: Ann }\nsteps:\n  - send: hi ${who}\n  - expect: { contains: \"order\" }\n    capture: { order: \"order (\\\\d+)\" }\n  - send: \"status of ${order} for ${env.HOME}\"\n",
        )
        .unwrap();
        assert_eq!(s.steps[1].capture, [("order".to_owned(), "order (\\d+)".to_owned())]);
        let e = parse_text("name: n\nsteps:\n  - send: hi\n    capture: { x: a }\n").unwrap_err();
        assert!(e.to_string().contains("put it on an expect step"), "{e}");
    }
}
