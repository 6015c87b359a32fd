//! A scenario as data: its steps, what each sends or expects, and how they
//! read in reports. [`super::file`] reads them from YAML files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::api::models::SenderType;

/// How long an `expect` waits when the step does not say.
pub const DEFAULT_WITHIN: Duration = Duration::from_secs(10);

/// One scenario file, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub path: PathBuf,
    /// Account name; `None`: the tenant's only account.
    pub account: Option<String>,
    /// Line of `account:`, for errors about it.
    pub account_line: Option<usize>,
    /// The role this scenario speaks as.
    pub role: SenderType,
    /// The customer's email contact on the first message.
    pub contact: Option<String>,
    /// Values of `${name}` set in the file.
    pub vars: BTreeMap<String, String>,
    pub steps: Vec<Step>,
}

impl Scenario {
    /// The folder relative attachment paths start from.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

/// One step, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// 0-based position in `steps`.
    pub index: usize,
    /// 1-based line of the step's `-`, when the list is in block style.
    pub line: Option<usize>,
    pub action: Action,
    /// Variables to set from the matched message's text: name and regex
    /// (group 1 when the regex has groups, else the whole match).
    pub capture: Vec<(String, String)>,
}

impl Step {
    /// `steps[2]`, as errors and reports name it.
    pub fn key(&self) -> String {
        format!("steps[{}]", self.index)
    }

    /// Short human description (`send "hello"`, `expect from bot text "…"`).
    pub fn label(&self) -> String {
        match &self.action {
            Action::Send(send) => format!("send {}", send.describe()),
            Action::Expect(expect) => format!("expect {}", expect.describe()),
            Action::End => "end the conversation".to_owned(),
        }
    }
}

/// What a step does.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Send(Outgoing),
    Expect(Expect),
    /// Send `conversation.end`.
    End,
}

/// What a `send` step sends. Strings may hold `${...}`.
#[derive(Debug, Clone, PartialEq)]
pub enum Outgoing {
    Text(String),
    /// A file (relative to the scenario file), with optional text.
    Attach {
        path: String,
        text: Option<String>,
    },
    /// The Nth (1-based) option of the last list picker or quick reply.
    Answer(usize),
    /// An exact request body (`${...}` filled in its strings).
    Raw(serde_json::Value),
}

impl Outgoing {
    pub fn describe(&self) -> String {
        match self {
            Outgoing::Text(t) => quote(t),
            Outgoing::Attach { path, text: None } => format!("attachment {path}"),
            Outgoing::Attach { path, text: Some(t) } => format!("attachment {path} with {}", quote(t)),
            Outgoing::Answer(n) => format!("answer {n}"),
            Outgoing::Raw(body) => {
                let kind = body
                    .pointer("/messages/message/0/type/value")
                    .and_then(|v| v.as_str())
                    .unwrap_or("message");
                format!("raw {kind}")
            }
        }
    }
}

/// Who an `expect` step waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Bot,
    Agent,
    Customer,
    /// Anyone on the other side.
    Any,
    /// A participant by display name.
    Named(String),
}

impl Who {
    pub fn parse(s: &str) -> Who {
        match s {
            "bot" => Who::Bot,
            "agent" => Who::Agent,
            "customer" => Who::Customer,
            "any" => Who::Any,
            other => Who::Named(other.to_owned()),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Who::Bot => "bot".into(),
            Who::Agent => "agent".into(),
            Who::Customer => "customer".into(),
            Who::Any => "any".into(),
            Who::Named(n) => quote(n),
        }
    }
}

/// What the matched message must say. Strings may hold `${...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// Any message (not typing) from the sender.
    Anything,
    Text(String),
    Contains(String),
    /// A regex (values of `${...}` in it match literally).
    Matches(String),
    /// A message type: `agent.join`, `typing.start`, `conversation.end`...
    Event(String),
}

/// An `expect` step.
#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    pub from: Who,
    pub matcher: Matcher,
    /// Glob one attachment's name must match.
    pub attachment: Option<String>,
    /// From the step's start.
    pub within: Duration,
}

impl Expect {
    /// `{ from: bot, text: "You said: hello", within: 5s }`, as written.
    pub fn describe(&self) -> String {
        let mut parts = vec![format!("from: {}", self.from.describe())];
        match &self.matcher {
            Matcher::Anything => {}
            Matcher::Text(t) => parts.push(format!("text: {}", quote(t))),
            Matcher::Contains(t) => parts.push(format!("contains: {}", quote(t))),
            Matcher::Matches(t) => parts.push(format!("matches: {}", quote(t))),
            Matcher::Event(t) => parts.push(format!("event: {t}")),
        }
        if let Some(glob) = &self.attachment {
            parts.push(format!("attachment: {}", quote(glob)));
        }
        parts.push(format!("within: {}", format_duration(self.within)));
        format!("{{ {} }}", parts.join(", "))
    }
}

/// `"text"` with JSON escapes, so line breaks and quotes stay visible.
pub fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// `5s`, `800ms`, `1m 30s`.
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if !ms.is_multiple_of(1000) {
        return format!("{ms}ms");
    }
    let s = ms / 1000;
    match (s / 60, s % 60) {
        (0, s) => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, s) => format!("{m}m {s}s"),
    }
}

/// `5s`, `500ms`, `1m`, `1m 30s`, `1.5s` (jiff's friendly format), or a
/// bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).map_err(|_| format!("{s:?} is not a duration"));
    }
    let signed: jiff::SignedDuration = s
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (write e.g. 500ms, 5s, 1m)"))?;
    Duration::try_from(signed).map_err(|_| format!("{s:?} is negative"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("800ms"), Ok(Duration::from_millis(800)));
        assert_eq!(parse_duration("1m 30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("soon").is_err());
        assert_eq!(format_duration(Duration::from_millis(800)), "800ms");
        assert_eq!(format_duration(Duration::from_secs(90)), "1m 30s");
    }
}
