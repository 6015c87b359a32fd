//! Everything a key can do, as data: keymaps name actions by their snake
//! case name, and the footer and help popup describe them from here.

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
    FocusLog,
    ToggleMouse,
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
    // Request log
    CopyCurl,
    SaveCurl,
    ExportHar,
    ToggleFollow,
    // Editor, prompts and dialogs
    Save,
    Cancel,
    Confirm,
    /// Placeholder a user binding uses to unbind a default key.
    None,
}

impl Action {
    /// Short label for the footer.
    pub fn label(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::ForceQuit => "quit now",
            Action::Help => "help",
            Action::NextPane => "next pane",
            Action::PrevPane => "prev pane",
            Action::FocusEntities => "entities",
            Action::FocusLog => "request log",
            Action::ToggleMouse => "mouse",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Open => "open",
            Action::Back => "back",
            Action::Filter => "filter",
            Action::NextKind => "next kind",
            Action::PrevKind => "prev kind",
            Action::Refresh => "refresh",
            Action::Create => "new",
            Action::Edit => "edit",
            Action::EditExternal => "$EDITOR",
            Action::Delete => "delete",
            Action::GuidedSetup => "setup",
            Action::NextRef => "next ref",
            Action::PrevRef => "prev ref",
            Action::FollowRef => "follow",
            Action::CopyCurl => "copy curl",
            Action::SaveCurl => "save curl",
            Action::ExportHar => "HAR",
            Action::ToggleFollow => "follow",
            Action::Save => "send",
            Action::Cancel => "cancel",
            Action::Confirm => "confirm",
            Action::None => "",
        }
    }

    /// One-line description for the help popup.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "Quit (asks first while requests are in flight)",
            Action::ForceQuit => "Quit at once, from anywhere",
            Action::Help => "Show or hide this help",
            Action::NextPane => "Focus the next pane",
            Action::PrevPane => "Focus the previous pane",
            Action::FocusEntities => "Focus the Entities pane",
            Action::FocusLog => "Focus the Request log pane",
            Action::ToggleMouse => "Turn mouse capture on or off (off lets the terminal select text)",
            Action::Up => "Move up",
            Action::Down => "Move down",
            Action::PageUp => "Move up a page",
            Action::PageDown => "Move down a page",
            Action::Top => "Go to the first row",
            Action::Bottom => "Go to the last row",
            Action::Open => "Open the selected row",
            Action::Back => "Go back",
            Action::Filter => "Filter the list",
            Action::NextKind => "Next entity kind (setup order)",
            Action::PrevKind => "Previous entity kind",
            Action::Refresh => "Reload the list from the server",
            Action::Create => "Create an object from a template",
            Action::Edit => "Edit the object's JSON in the built-in editor",
            Action::EditExternal => "Edit the JSON in $EDITOR",
            Action::Delete => "Delete the object (asks first)",
            Action::GuidedSetup => "Guided setup: create a complete account step by step",
            Action::NextRef => "Select the next reference",
            Action::PrevRef => "Select the previous reference",
            Action::FollowRef => "Jump to the selected reference",
            Action::CopyCurl => "Copy the exchange as curl (OSC 52 clipboard) and save it to a file",
            Action::SaveCurl => "Save the exchange as a curl command file",
            Action::ExportHar => "Export the whole log as a HAR 1.2 file",
            Action::ToggleFollow => "Follow new entries (stick to the newest)",
            Action::Save => "Validate and send",
            Action::Cancel => "Cancel",
            Action::Confirm => "Confirm",
            Action::None => "",
        }
    }
}
