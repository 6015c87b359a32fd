//! One scenario, step by step: sends go through the console's message
//! templates and the asset upload, replies come from the callback receiver
//! (through the [`Inbox`]), and the conversation is kept in the console's
//! own state model, so a run's conversation can be shown or recorded like
//! any other.
//!
//! An `expect` step waits, from its start, up to its `within` for a
//! message of the other side that no earlier step matched; messages it
//! skips stay available to later steps. Its latency is the time from the
//! last send before it to the matched message's arrival.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::expect::{self, Arrival, Compiled};
use super::inbox::{Claim, Inbox};
use super::model::{Action, Expect, Outgoing, Scenario, Step};
use super::target::Target;
use super::vars::Vars;
use crate::api::Client;
use crate::api::models::conversation::{AssetRef, ContactPoint};
use crate::api::transfer::LocalAsset;
use crate::conversation::rich::{Rich, is_rich_type};
use crate::conversation::state::{Conversation, Conversations, Handle, Ingest};
use crate::conversation::templates::{MessageContext, MessageTemplates, OutgoingKind};

/// The customer's contact when the scenario names none.
pub const DEFAULT_CONTACT: &str = "scenario@example.com";

/// Arrivals listed in a failure report.
const SHOWN_ARRIVALS: usize = 10;

/// What every run of a process shares.
pub struct Harness {
    pub client: Client,
    pub templates: MessageTemplates,
    pub inbox: Inbox,
    /// By the scenarios' `account` (`None`: the tenant's only account).
    pub targets: BTreeMap<Option<String>, Target>,
}

/// How one step went.
#[derive(Debug, Clone, PartialEq)]
pub struct StepResult {
    pub index: usize,
    pub line: Option<usize>,
    pub label: String,
    pub passed: bool,
    /// From the step's start to its end.
    pub elapsed: Duration,
    /// Expect steps: from the last send to the match.
    pub latency: Option<Duration>,
}

/// Why a scenario failed: the step, what it wanted, what came instead.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub step: usize,
    pub line: Option<usize>,
    /// The step as written (`expect { from: bot, ... }`).
    pub label: String,
    /// What it waited for, with variables filled.
    pub expected: String,
    /// What went wrong (`nothing matched within 5s`, the hub's refusal...).
    pub problem: String,
    /// The latest messages received (not typing), oldest first, with times
    /// from the scenario's start.
    pub arrived: Vec<String>,
}

impl Failure {
    /// `step 4 (line 9): expect { ... }`.
    pub fn headline(&self) -> String {
        match self.line {
            Some(line) => format!("step {} (line {line}): {}", self.step + 1, self.label),
            None => format!("step {}: {}", self.step + 1, self.label),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.headline())?;
        writeln!(f, "  expected: {}", self.expected)?;
        writeln!(f, "  instead:  {}", self.problem)?;
        if self.arrived.is_empty() {
            write!(f, "  arrived:  nothing")
        } else {
            write!(f, "  arrived (times from the scenario's start):")?;
            for line in &self.arrived {
                write!(f, "\n    {line}")?;
            }
            Ok(())
        }
    }
}

/// How one run of a scenario went.
#[derive(Debug, Clone)]
pub struct ScenarioResult {
    pub name: String,
    pub path: PathBuf,
    /// 1-based run number (load runs repeat a scenario).
    pub run: usize,
    pub steps: Vec<StepResult>,
    pub failure: Option<Failure>,
    pub elapsed: Duration,
    pub conversation_id: Option<String>,
    /// The conversation as the console's state model holds it (when asked for).
    pub conversation: Option<Conversation>,
    /// Stopped by its cancel token (`failure` says at which step).
    pub cancelled: bool,
}

impl ScenarioResult {
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }
}

/// What a run reports while it goes.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    Started {
        scenario: &'a Scenario,
        run: usize,
    },
    Step {
        scenario: &'a Scenario,
        run: usize,
        result: &'a StepResult,
    },
    Finished {
        result: &'a ScenarioResult,
    },
}

/// Receives progress; called from the run's task.
pub type Observer = Arc<dyn Fn(Progress<'_>) + Send + Sync>;

/// An observer that ignores everything.
pub fn quiet() -> Observer {
    Arc::new(|_| {})
}

/// Options of one run.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// 1-based run number, `${run}`.
    pub run: usize,
    /// Keep the conversation in the result (for showing or recording it).
    pub keep_conversation: bool,
}

impl Harness {
    /// Run one scenario to its end or first failing step.
    pub async fn run(&self, scenario: &Scenario, options: RunOptions, observer: &Observer) -> ScenarioResult {
        self.run_cancellable(scenario, options, observer, &CancellationToken::new())
            .await
    }

    /// [`Harness::run`], stopping when `cancel` fires: the step going on is
    /// abandoned. However the run ends (passed, failed or cancelled), a
    /// conversation it opened and did not end is ended (best effort,
    /// bounded), so none is left open on the tenant.
    pub async fn run_cancellable(
        &self,
        scenario: &Scenario,
        options: RunOptions,
        observer: &Observer,
        cancel: &CancellationToken,
    ) -> ScenarioResult {
        let run_number = options.run.max(1);
        observer(Progress::Started {
            scenario,
            run: run_number,
        });
        let started = Instant::now();
        let mut result = ScenarioResult {
            name: scenario.name.clone(),
            path: scenario.path.clone(),
            run: run_number,
            steps: Vec::new(),
            failure: None,
            elapsed: Duration::ZERO,
            conversation_id: None,
            conversation: None,
            cancelled: false,
        };
        let Some(target) = self.targets.get(&scenario.account) else {
            result.failure = Some(Failure {
                step: 0,
                line: None,
                label: "open the conversation".into(),
                expected: "a known account".into(),
                problem: format!("account {:?} was not resolved before the run", scenario.account),
                arrived: Vec::new(),
            });
            observer(Progress::Finished { result: &result });
            return result;
        };
        let mut vars = Vars::new(scenario.vars.clone());
        vars.set("run", run_number.to_string());
        vars.set("scenario.name", scenario.name.clone());
        let mut run = Run {
            harness: self,
            scenario,
            target,
            vars,
            started,
            conversation_id: None,
            claim: None,
            arrivals: Vec::new(),
            matched: Vec::new(),
            conversations: Conversations::new(),
            handle: None,
            next_local: 0,
            last_send: None,
            ended: false,
        };
        for step in &scenario.steps {
            let step_started = Instant::now();
            let outcome = tokio::select! {
                biased;
                _ = cancel.cancelled() => None,
                outcome = run.step(step) => Some(outcome),
            };
            let Some(outcome) = outcome else {
                let ended = run.end_if_open().await;
                result.cancelled = true;
                result.failure = Some(Failure {
                    step: step.index,
                    line: step.line,
                    label: step.label(),
                    expected: "the run to go on".into(),
                    problem: match ended {
                        Some(true) => "cancelled; the conversation it opened was ended".into(),
                        Some(false) => "cancelled; ending the conversation it opened failed".into(),
                        None => "cancelled".into(),
                    },
                    arrived: run.arrived_lines(),
                });
                break;
            };
            let passed = outcome.is_ok();
            let step_result = StepResult {
                index: step.index,
                line: step.line,
                label: step.label(),
                passed,
                elapsed: step_started.elapsed(),
                latency: outcome.as_ref().ok().copied().flatten(),
            };
            observer(Progress::Step {
                scenario,
                run: run_number,
                result: &step_result,
            });
            result.steps.push(step_result);
            if let Err((expected, problem)) = outcome {
                result.failure = Some(Failure {
                    step: step.index,
                    line: step.line,
                    label: step.label(),
                    expected,
                    problem,
                    arrived: run.arrived_lines(),
                });
                break;
            }
        }
        // However the run ended, the conversation it opened is not left open on
        // the tenant (a cancelled run has ended it already).
        if !result.cancelled && run.end_if_open().await == Some(false) {
            let note = "ending the conversation it opened failed";
            match &mut result.failure {
                Some(failure) => failure.problem = format!("{}; {note}", failure.problem),
                None => crate::notices::warn(format!("scenario {:?}: {note}", scenario.name)),
            }
        }
        result.elapsed = started.elapsed();
        result.conversation_id = run.conversation_id.clone();
        if options.keep_conversation {
            result.conversation = run.handle.and_then(|h| run.conversations.get(h).cloned());
        }
        observer(Progress::Finished { result: &result });
        result
    }
}

/// A step that failed: what it expected, what happened.
type StepError = (String, String);

struct Run<'a> {
    harness: &'a Harness,
    scenario: &'a Scenario,
    target: &'a Target,
    vars: Vars,
    started: Instant,
    conversation_id: Option<String>,
    claim: Option<Claim>,
    arrivals: Vec<Arrival>,
    matched: Vec<bool>,
    conversations: Conversations,
    handle: Option<Handle>,
    next_local: u64,
    last_send: Option<Instant>,
    /// An `end` step went through.
    ended: bool,
}

impl Run<'_> {
    /// Ok with the latency of an expect step.
    async fn step(&mut self, step: &Step) -> Result<Option<Duration>, StepError> {
        match &step.action {
            Action::Send(send) => self.send(send).await.map(|()| None),
            Action::End => {
                let ctx = self.context(None);
                self.send_kind(OutgoingKind::ConversationEnd, ctx, "the hub accepts conversation.end")
                    .await?;
                self.ended = true;
                Ok(None)
            }
            Action::Expect(expect) => self.expect(expect, &step.capture).await.map(Some),
        }
    }

    /// End the conversation this run opened unless it already ended.
    /// `None`: nothing to end; else whether the hub accepted the end.
    async fn end_if_open(&mut self) -> Option<bool> {
        const BOUND: Duration = Duration::from_secs(5);
        let ended_by_hub = self.arrivals.iter().any(|a| a.message.kind() == "conversation.end");
        if self.conversation_id.is_none() || self.ended || ended_by_hub {
            return None;
        }
        let ctx = self.context(None);
        let sent = self.send_kind(OutgoingKind::ConversationEnd, ctx, "the hub accepts conversation.end");
        Some(matches!(tokio::time::timeout(BOUND, sent).await, Ok(Ok(()))))
    }

    fn context(&self, text: Option<String>) -> MessageContext {
        let mut ctx = MessageContext::new(self.scenario.role.clone());
        ctx.account_address = self.target.address.clone();
        ctx.channel_type = self.target.channel_type.clone();
        match &self.conversation_id {
            Some(id) => ctx.conversation_id = Some(id.clone()),
            None => {
                ctx.entry_point = Some(self.target.entry_point.clone());
                // Checked when the file loaded: only `vars` and built-ins, all set by now.
                let address = match &self.scenario.contact {
                    Some(c) => self.vars.fill(c).unwrap_or_else(|_| c.clone()),
                    None => DEFAULT_CONTACT.into(),
                };
                ctx.contact = Some(ContactPoint {
                    contact_type: "email".into(),
                    sub_type: None,
                    address,
                    extra: Default::default(),
                });
            }
        }
        ctx.text = text;
        ctx
    }

    fn fill(&self, value: &str) -> Result<String, StepError> {
        self.vars
            .fill(value)
            .map_err(|e| ("every ${...} to have a value".into(), e))
    }

    async fn send(&mut self, send: &Outgoing) -> Result<(), StepError> {
        match send {
            Outgoing::Text(text) => {
                let ctx = self.context(Some(self.fill(text)?));
                self.send_kind(OutgoingKind::Text, ctx, "the hub accepts the message")
                    .await
            }
            Outgoing::Attach { path, text } => {
                let path = self.scenario.dir().join(self.fill(path)?);
                let text = text.as_deref().map(|t| self.fill(t)).transpose()?;
                let asset = self.upload(&path).await?;
                let mut ctx = self.context(text);
                ctx.attachments = vec![asset];
                self.send_kind(OutgoingKind::Attachments, ctx, "the hub accepts the attachment")
                    .await
            }
            Outgoing::Answer(n) => {
                let expected = format!("a list picker or quick reply with an option {n} to answer");
                let rich = self.last_rich().ok_or_else(|| {
                    (
                        expected.clone(),
                        "no list picker or quick reply has arrived yet (expect one before answering it)".to_owned(),
                    )
                })?;
                let choices = rich.choices();
                let choice = choices.get(n - 1).cloned().ok_or_else(|| {
                    let titles: Vec<String> = choices.iter().map(|c| super::model::quote(&c.title)).collect();
                    (
                        expected,
                        format!("the last one offers {} options: {}", choices.len(), titles.join(", ")),
                    )
                })?;
                let mut ctx = self.context(Some(choice.title));
                ctx.answer_id = Some(choice.id);
                self.send_kind(OutgoingKind::Answer, ctx, "the hub accepts the answer")
                    .await
            }
            Outgoing::Raw(body) => {
                if let Some(id) = &self.conversation_id {
                    self.vars.set("conversation.id", id.clone());
                }
                let body = self
                    .vars
                    .fill_json(body)
                    .map_err(|e| ("every ${...} to have a value".to_owned(), e))?;
                let local_id = self.local_id();
                let message = body
                    .pointer("/messages/message/0")
                    .cloned()
                    .and_then(|m| serde_json::from_value(m).ok());
                if let Some(message) = &message {
                    let handle = self.conversations.record_outgoing_message(local_id, message);
                    self.remember(handle);
                }
                self.post(local_id, &body, "the hub accepts the raw body").await
            }
        }
    }

    async fn upload(&self, path: &std::path::Path) -> Result<AssetRef, StepError> {
        let expected = format!("{} uploads", path.display());
        let file = LocalAsset::inspect(path)
            .await
            .map_err(|e| (expected.clone(), e.to_string()))?;
        if let Some(reason) = self
            .target
            .policy
            .as_ref()
            .and_then(|p| p.refusal(&file.name, file.size))
        {
            return Err((
                expected,
                format!("refused by the channel's attachment policy: {reason}"),
            ));
        }
        let uploaded = self
            .harness
            .client
            .upload_asset(
                path,
                &self.target.channel_type,
                self.scenario.role.clone(),
                Arc::new(|_| {}),
                CancellationToken::new(),
            )
            .await
            .map_err(|e| (expected, e.to_string()))?;
        Ok(AssetRef {
            id: uploaded.ticket.id,
            name: Some(file.name),
            content_type: Some(file.content_type),
            size: Some(file.size),
            extra: Default::default(),
        })
    }

    fn local_id(&mut self) -> u64 {
        self.next_local += 1;
        self.next_local
    }

    fn remember(&mut self, handle: Option<Handle>) {
        if handle.is_some() {
            self.handle = handle;
        }
    }

    async fn send_kind(&mut self, kind: OutgoingKind, ctx: MessageContext, expected: &str) -> Result<(), StepError> {
        let body = self
            .harness
            .templates
            .build(kind, &ctx)
            .map_err(|e| (expected.to_owned(), e))?;
        let local_id = self.local_id();
        let handle = self.conversations.record_outgoing(local_id, kind, &ctx);
        self.remember(handle);
        self.post(local_id, &body, expected).await
    }

    async fn post(&mut self, local_id: u64, body: &serde_json::Value, expected: &str) -> Result<(), StepError> {
        self.last_send = Some(Instant::now());
        match self.harness.client.send_messages_raw(body).await {
            Ok(response) => {
                let handle = self.conversations.mark_sent(local_id, &response);
                self.remember(handle);
                if self.conversation_id.is_none()
                    && let Some(id) = response.conversation_id().filter(|id| !id.is_empty())
                {
                    self.conversation_id = Some(id.to_owned());
                    self.vars.set("conversation.id", id);
                    self.claim = Some(self.harness.inbox.claim(self.scenario.role.as_str(), id));
                }
                Ok(())
            }
            Err(e) => {
                self.conversations.mark_failed(local_id, e.to_string());
                Err((expected.to_owned(), format!("refused: {e}")))
            }
        }
    }

    fn push(&mut self, arrival: Arrival) {
        let handle = match self.conversations.ingest_inbound(&self.scenario.role, &arrival.message) {
            Ingest::Added(h) | Ingest::Typing(h) => Some(h),
            _ => None,
        };
        self.remember(handle);
        self.arrivals.push(arrival);
        self.matched.push(false);
    }

    fn last_rich(&self) -> Option<Rich> {
        self.arrivals.iter().rev().find_map(|a| {
            let kind = a.message.kind();
            let text = a.message.text()?;
            let rich = is_rich_type(kind).then(|| Rich::parse(kind, text))?;
            (!rich.choices().is_empty()).then_some(rich)
        })
    }

    async fn expect(&mut self, expect: &Expect, capture: &[(String, String)]) -> Result<Duration, StepError> {
        let compiled = Compiled::new(expect, &self.vars, &self.scenario.role)
            .map_err(|e| ("every ${...} to have a value".to_owned(), e))?;
        let expected = compiled.summary.clone();
        let deadline = tokio::time::Instant::now() + expect.within;
        loop {
            if let Some(claim) = self.claim.as_mut() {
                let mut fresh = Vec::new();
                while let Ok(a) = claim.arrivals.try_recv() {
                    fresh.push(a);
                }
                for a in fresh {
                    self.push(a);
                }
            }
            let found =
                (0..self.arrivals.len()).find(|&i| !self.matched[i] && compiled.accepts(&self.arrivals[i].message));
            if let Some(i) = found {
                self.matched[i] = true;
                let arrival = &self.arrivals[i];
                let text = arrival.message.text().unwrap_or_default().to_owned();
                let latency = expect::since(self.last_send.unwrap_or(self.started), arrival.at);
                for (name, pattern) in capture {
                    match expect::capture(pattern, &text) {
                        Some(value) => self.vars.set(name, value),
                        None => {
                            return Err((
                                expected,
                                format!(
                                    "capture {name}: /{pattern}/ does not match the matched text {}",
                                    super::model::quote(&text)
                                ),
                            ));
                        }
                    }
                }
                return Ok(latency);
            }
            if self.arrivals.iter().any(|a| a.message.kind() == "conversation.end") {
                return Err((expected, "the conversation ended before it came".into()));
            }
            let Some(claim) = self.claim.as_mut() else {
                return Err((expected, "no conversation is open: a send must come first".into()));
            };
            match tokio::time::timeout_at(deadline, claim.arrivals.recv()).await {
                Ok(Some(a)) => self.push(a),
                Ok(None) => return Err((expected, "the callback receiver stopped".into())),
                Err(_) => {
                    return Err((
                        expected,
                        format!(
                            "nothing matched within {}",
                            super::model::format_duration(expect.within)
                        ),
                    ));
                }
            }
        }
    }

    /// The latest arrivals (typing left out), oldest first.
    fn arrived_lines(&self) -> Vec<String> {
        let shown: Vec<(usize, &Arrival)> = self
            .arrivals
            .iter()
            .enumerate()
            .filter(|(_, a)| !a.is_typing())
            .collect();
        let skip = shown.len().saturating_sub(SHOWN_ARRIVALS);
        let mut lines: Vec<String> = Vec::new();
        if skip > 0 {
            lines.push(format!("… {skip} earlier"));
        }
        for (i, a) in shown.into_iter().skip(skip) {
            let mut line = a.describe(self.started);
            if self.matched[i] {
                line.push_str("  (matched by an earlier step)");
            }
            lines.push(line);
        }
        lines
    }
}
