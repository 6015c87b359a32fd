//! What an `expect` step accepts, and how arrivals are shown when nothing
//! matched.

use std::time::{Duration, Instant};

use globset::GlobBuilder;
use regex::Regex;

use super::model::{Expect, Matcher, Who};
use super::vars::Vars;
use crate::api::models::conversation::{Message, SenderType};

/// A message delivered to our callback, with when it came.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub message: Message,
    pub at: Instant,
}

impl Arrival {
    pub fn is_typing(&self) -> bool {
        self.message.kind().starts_with("typing.")
    }

    /// `+0.315s  custom_bot "Sandbox bot"  text "You said: hello"`.
    pub fn describe(&self, since: Instant) -> String {
        let m = &self.message;
        let offset = self.at.saturating_duration_since(since);
        let mut sender = m.sender.party_type.to_string();
        if let Some(name) = m.sender.participant.as_ref().and_then(|p| p.name.as_deref()) {
            sender.push_str(&format!(" {}", super::model::quote(name)));
        }
        let mut what = m.kind().to_owned();
        if let Some(text) = m.text() {
            what.push(' ');
            what.push_str(&super::model::quote(&shorten(text, 160)));
        }
        for a in m.attachments() {
            what.push_str(&format!(" [attachment {}]", a.name.as_deref().unwrap_or(&a.id)));
        }
        format!("+{:.3}s  {sender}  {what}", offset.as_secs_f64())
    }
}

fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

/// An expectation with its `${...}` filled, ready to test arrivals.
pub struct Compiled {
    from: Who,
    ours: SenderType,
    test: Test,
    attachment: Option<globset::GlobMatcher>,
    /// `text "…"`, with values filled, for reports.
    pub summary: String,
}

enum Test {
    Anything,
    Text(String),
    Contains(String),
    Matches(Regex),
    Event(String),
}

impl Compiled {
    /// Fill the variables and compile; `ours` is the role the scenario speaks as.
    pub fn new(expect: &Expect, vars: &Vars, ours: &SenderType) -> Result<Compiled, String> {
        let (test, what) = match &expect.matcher {
            Matcher::Anything => (Test::Anything, "any message".to_owned()),
            Matcher::Text(t) => {
                let t = vars.fill(t)?;
                let what = format!("text {}", super::model::quote(&t));
                (Test::Text(t), what)
            }
            Matcher::Contains(t) => {
                let t = vars.fill(t)?;
                let what = format!("a text containing {}", super::model::quote(&t));
                (Test::Contains(t), what)
            }
            Matcher::Matches(t) => {
                let pattern = vars.fill_regex(t)?;
                let regex = Regex::new(&pattern).map_err(|e| format!("matches: not a regex: {e}"))?;
                (Test::Matches(regex), format!("a text matching /{pattern}/"))
            }
            Matcher::Event(kind) => (Test::Event(kind.clone()), format!("a {kind} event")),
        };
        let attachment = match &expect.attachment {
            Some(glob) => Some(
                GlobBuilder::new(glob)
                    .literal_separator(false)
                    .build()
                    .map_err(|e| format!("attachment: {e}"))?
                    .compile_matcher(),
            ),
            None => None,
        };
        let mut summary = match &expect.from {
            Who::Any => what,
            from => format!("{what} from {}", from.describe()),
        };
        if let Some(glob) = &expect.attachment {
            summary.push_str(&format!(" with an attachment named {}", super::model::quote(glob)));
        }
        Ok(Compiled {
            from: expect.from.clone(),
            ours: ours.clone(),
            test,
            attachment,
            summary,
        })
    }

    /// Whether this message satisfies the expectation.
    pub fn accepts(&self, message: &Message) -> bool {
        let kind = message.kind();
        let typing = kind.starts_with("typing.");
        // Typing is skipped unless asked for by name.
        if typing && !matches!(&self.test, Test::Event(k) if k == kind) {
            return false;
        }
        if !self.sender_matches(message) {
            return false;
        }
        let text = message.text();
        let ok = match &self.test {
            Test::Anything => true,
            Test::Text(t) => text == Some(t.as_str()),
            Test::Contains(t) => text.is_some_and(|x| x.contains(t.as_str())),
            Test::Matches(re) => text.is_some_and(|x| re.is_match(x)),
            Test::Event(k) => kind == k,
        };
        ok && self.attachment.as_ref().is_none_or(|glob| {
            message
                .attachments()
                .iter()
                .any(|a| a.name.as_deref().is_some_and(|n| glob.is_match(n)))
        })
    }

    fn sender_matches(&self, message: &Message) -> bool {
        let sender = &message.sender.party_type;
        match &self.from {
            Who::Bot => sender.is_bot(),
            Who::Agent => sender.is_agent(),
            Who::Customer => *sender == SenderType::Customer,
            Who::Any => *sender != self.ours,
            Who::Named(name) => message
                .sender
                .participant
                .as_ref()
                .and_then(|p| p.name.as_deref())
                .is_some_and(|n| n == name),
        }
    }
}

/// The value a capture regex takes from a message's text: group 1 when
/// the regex has groups, else the whole match.
pub fn capture(pattern: &str, text: &str) -> Option<String> {
    let re = Regex::new(pattern).ok()?;
    let caps = re.captures(text)?;
    caps.get(1).or_else(|| caps.get(0)).map(|m| m.as_str().to_owned())
}

/// Time from `start` to `at`, never negative.
pub fn since(start: Instant, at: Instant) -> Duration {
    at.saturating_duration_since(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::conversation::{AssetRef, Attachments, Party};
    use crate::scenario::model::DEFAULT_WITHIN;

    fn expect(from: Who, matcher: Matcher, attachment: Option<&str>) -> Compiled {
        let e = Expect {
            from,
            matcher,
            attachment: attachment.map(str::to_owned),
            within: DEFAULT_WITHIN,
        };
        Compiled::new(&e, &Vars::default(), &SenderType::Customer).unwrap()
    }

    fn message(kind: &str, sender: SenderType, text: Option<&str>) -> Message {
        Message::new(kind, Party::named(sender, "Sandbox bot"), text.map(str::to_owned))
    }

    #[test]
    fn typing_only_when_named() {
        let typing = message("typing.start", SenderType::CustomBot, None);
        assert!(!expect(Who::Any, Matcher::Anything, None).accepts(&typing));
        assert!(expect(Who::Bot, Matcher::Event("typing.start".into()), None).accepts(&typing));
    }

    #[test]
    fn senders_and_matchers() {
        let m = message("text", SenderType::CustomBot, Some("You said: hello"));
        assert!(expect(Who::Bot, Matcher::Text("You said: hello".into()), None).accepts(&m));
        assert!(!expect(Who::Agent, Matcher::Text("You said: hello".into()), None).accepts(&m));
        assert!(expect(Who::Named("Sandbox bot".into()), Matcher::Contains("said".into()), None).accepts(&m));
        assert!(expect(Who::Any, Matcher::Matches("(?i)^you SAID".into()), None).accepts(&m));
        assert!(!expect(Who::Customer, Matcher::Anything, None).accepts(&m));
        let mine = message("text", SenderType::Customer, Some("hi"));
        assert!(!expect(Who::Any, Matcher::Anything, None).accepts(&mine));
    }

    #[test]
    fn attachment_globs() {
        let mut m = message("text", SenderType::CustomBot, Some("Here is your file."));
        if let Some(c) = m.content.as_mut() {
            c.attachments = Some(Attachments {
                attachment: vec![AssetRef {
                    id: "a1".into(),
                    name: Some("sandbox-receipt.txt".into()),
                    ..Default::default()
                }],
                ..Default::default()
            });
        }
        assert!(expect(Who::Bot, Matcher::Anything, Some("*.txt")).accepts(&m));
        assert!(!expect(Who::Bot, Matcher::Anything, Some("*.png")).accepts(&m));
        assert_eq!(
            capture(r"(\w+)\.txt", "sandbox-receipt.txt").as_deref(),
            Some("receipt")
        );
        assert_eq!(capture(r"\d+", "order 42").as_deref(), Some("42"));
    }
}
