//! The Scenarios component: the scenario files of a folder (`[ui]
//! scenarios_dir`), run one or all on the console's own tenant and callback
//! receiver, steps turning green or red as they go, the failure's detail,
//! and the conversation a run produced opened in the Conversation pane.
//! State and commands here, keys and progress in [`update`], drawing in
//! [`view`]; the runner itself is [`crate::scenario`] (UI-free), driven by
//! the runtime (`tui/scenario_calls.rs`).

pub mod update;
pub mod view;

use std::path::PathBuf;
use std::time::Duration;

use crate::conversation::state::Conversation;
use crate::conversation::templates::MessageTemplates;
use crate::scenario::Scenario;
use crate::scenario::runner::{Failure, ScenarioResult, StepResult};
use crate::tui::action::Action;
use crate::tui::command::{Table, change, cmd};
use crate::tui::keymap::Context;

pub const COMMANDS: Table = Table {
    context: Context::Scenarios,
    title: "Scenarios",
    commands: &[
        change(
            Action::RunScenario,
            "run",
            "Run the selected scenario (it sends its messages on this console's tenant)",
        ),
        change(
            Action::RunAllScenarios,
            "run all",
            "Run every scenario of the folder, one after another",
        ),
        cmd(Action::CancelRun, "cancel", "Cancel the run going on"),
        cmd(
            Action::OpenRunConversation,
            "open chat",
            "Open the conversation the selected scenario's last run produced, in the Conversation pane",
        ),
        cmd(Action::Refresh, "rescan", "Read the scenarios folder again"),
        cmd(
            Action::PageDown,
            "scroll detail",
            "Scroll the steps and failure detail down",
        ),
        cmd(Action::PageUp, "scroll up", "Scroll the steps and failure detail up"),
    ],
};

/// What the runtime needs to run scenario files.
#[derive(Debug, Clone)]
pub struct RunJob {
    /// Tells this run's progress from an earlier one's.
    pub run: u64,
    pub files: Vec<PathBuf>,
    /// The console's message templates (with the user's overrides).
    pub templates: MessageTemplates,
    /// On a tenant, this console's customer callback URL: a run stops
    /// before sending when the account's customer role calls elsewhere.
    /// `None` on the embedded sandbox, whose demo roles call the console.
    pub console_url: Option<String>,
}

impl PartialEq for RunJob {
    /// The same run of the same files (templates are the console's own).
    fn eq(&self, other: &Self) -> bool {
        self.run == other.run && self.files == other.files && self.console_url == other.console_url
    }
}

/// One file of the folder, read and checked (or why it cannot run).
#[derive(Debug, Clone)]
pub struct Listed {
    pub path: PathBuf,
    pub scenario: Result<Scenario, String>,
}

/// What the runtime reports to this component.
#[derive(Debug)]
pub enum Event {
    /// The folder's files, or why it could not be read.
    Listed {
        dir: PathBuf,
        result: Result<Vec<Listed>, String>,
    },
    /// A file started (as read when the run began: it may have changed since the listing).
    Started {
        run: u64,
        scenario: Box<Scenario>,
    },
    Step {
        run: u64,
        path: PathBuf,
        result: StepResult,
    },
    Finished {
        run: u64,
        result: Box<ScenarioResult>,
    },
    /// A file of the run could not be read or checked when the run began.
    Skipped {
        run: u64,
        path: PathBuf,
        error: String,
    },
    /// The run is over.
    Ended {
        run: u64,
        end: RunEnd,
    },
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEnd {
    /// Every file ran (each passed or failed on its own).
    Done,
    Cancelled,
    /// Nothing more could run: the accounts could not be resolved, a role
    /// calls elsewhere, no callback receiver.
    Failed(String),
}

/// Where a file's last run stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunState {
    Queued,
    Running,
    Passed,
    Failed,
    Cancelled,
    /// The run could not start this file (the reason).
    Error(String),
}

/// A file's last (or current) run.
#[derive(Debug, Clone)]
pub struct FileRun {
    pub state: RunState,
    /// The scenario as the run read it (its steps are the ones marked).
    pub scenario: Option<Scenario>,
    /// Finished steps, in order.
    pub steps: Vec<StepResult>,
    pub failure: Option<Failure>,
    pub elapsed: Option<Duration>,
    pub conversation_id: Option<String>,
    /// The run's conversation, with our sends, to open in the Conversation pane.
    pub conversation: Option<Box<Conversation>>,
}

impl FileRun {
    pub fn queued() -> Self {
        Self {
            state: RunState::Queued,
            scenario: None,
            steps: Vec::new(),
            failure: None,
            elapsed: None,
            conversation_id: None,
            conversation: None,
        }
    }
}

/// One row of the list.
#[derive(Debug, Clone)]
pub struct Row {
    pub path: PathBuf,
    pub scenario: Result<Scenario, String>,
    pub last: Option<FileRun>,
}

impl Row {
    /// The scenario whose steps to show: the running/last run's reading, else the listing's.
    pub fn shown(&self) -> Option<&Scenario> {
        self.last
            .as_ref()
            .and_then(|l| l.scenario.as_ref())
            .or(self.scenario.as_ref().ok())
    }
}

/// Whether the folder has been read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    NotYet,
    Scanning,
    Done,
    /// The folder could not be read (missing, empty): why.
    Failed(String),
}

/// The run going on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    pub run: u64,
    pub files: Vec<PathBuf>,
    /// Esc was pressed; the runtime is stopping it.
    pub cancelling: bool,
    /// The selection follows the file being run (until the user moves it).
    pub following: bool,
}

pub struct ScenariosPane {
    /// The folder listed (`[ui] scenarios_dir`, default `./scenarios`).
    pub dir: PathBuf,
    pub listing: Listing,
    pub rows: Vec<Row>,
    pub selected: usize,
    /// Scroll of the detail area (steps and failure), in rows.
    pub scroll: u16,
    pub running: Option<Running>,
    pub next_run: u64,
}

impl Default for ScenariosPane {
    fn default() -> Self {
        Self::new(crate::tui::settings::DEFAULT_SCENARIOS_DIR.into())
    }
}

impl ScenariosPane {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            listing: Listing::NotYet,
            rows: Vec::new(),
            selected: 0,
            scroll: 0,
            running: None,
            next_run: 1,
        }
    }

    pub fn context(&self) -> Context {
        Context::Scenarios
    }

    pub fn commands(&self) -> Table {
        COMMANDS
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.rows.get(self.selected)
    }

    /// The file's name as shown: relative to the folder.
    pub fn display_name(&self, row: &Row) -> String {
        row.path
            .strip_prefix(&self.dir)
            .unwrap_or(&row.path)
            .display()
            .to_string()
    }

    fn row_mut(&mut self, path: &std::path::Path) -> Option<&mut Row> {
        self.rows.iter_mut().find(|r| r.path == path)
    }
}
