//! Everything a key can do, as data. Keymaps name actions by their snake
//! case name; what an action means where it is offered (label, description,
//! whether it changes the tenant) is in that component's command table
//! (`command.rs`).

use serde::Deserialize;

/// A user intent, independent of the key that triggered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    // Global
    Quit,
    ForceQuit,
    Help,
    NextPane,
    PrevPane,
    FocusEntities,
    FocusConversation,
    FocusLog,
    FocusScenarios,
    ToggleMouse,
    Zoom,
    /// The `:` command palette.
    Palette,
    // Lists and scrolling views
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    Filter,
    // Entities
    NextKind,
    PrevKind,
    Refresh,
    Create,
    Edit,
    EditExternal,
    Delete,
    GuidedSetup,
    NextRef,
    PrevRef,
    FollowRef,
    /// Point a client application role's callback at this console.
    UseConsoleForRole,
    /// Export the shown account's setup bundle to a file.
    ExportBundle,
    /// Apply a setup bundle file (after reviewing its plan).
    ApplyBundle,
    // Conversation
    Compose,
    LeaveComposer,
    Send,
    Newline,
    HistoryPrev,
    HistoryNext,
    NewConversation,
    NextConversation,
    PrevConversation,
    Choose,
    Attach,
    Download,
    CancelUpload,
    EndConversation,
    Transcript,
    RawMessage,
    /// Send a failed entry again.
    Retry,
    /// Write the viewed conversation as a scenario file.
    RecordScenario,
    /// Copy the selected id or message text (OSC 52).
    Copy,
    /// Copy the selected object's whole JSON (secrets redacted).
    CopyJson,
    /// Open the focused body or detail in `$PAGER` (secrets redacted).
    OpenPager,
    // Request log
    CopyCurl,
    SaveCurl,
    ExportHar,
    ToggleFollow,
    // Scenarios
    /// Run the selected scenario file.
    RunScenario,
    /// Run every scenario file of the folder, one after another.
    RunAllScenarios,
    /// Cancel the scenario run going on.
    CancelRun,
    /// Show the conversation a scenario run produced in the Conversation pane.
    OpenRunConversation,
    // Editor, prompts and dialogs
    Save,
    Cancel,
    Confirm,
    /// Complete the path typed in a prompt.
    Complete,
    /// Placeholder a user binding uses to unbind a default key.
    None,
}
