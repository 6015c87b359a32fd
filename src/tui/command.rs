//! Commands as data: each component lists what it offers as a static table
//! of (action, label, description, mutates). The footer, the `?` help, the
//! palette and the read-only guard all read these tables; nothing keeps a
//! second list by hand.

use super::action::Action;
use super::keymap::Context;

/// One command a component offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Command {
    pub action: Action,
    /// Short label for the footer.
    pub label: &'static str,
    /// One line for the help popup.
    pub description: &'static str,
    /// Changes something on the tenant (create, update, delete, send):
    /// refused on a read-only profile, greyed in the footer.
    pub mutates: bool,
}

/// A command that only reads or moves.
pub const fn cmd(action: Action, label: &'static str, description: &'static str) -> Command {
    Command {
        action,
        label,
        description,
        mutates: false,
    }
}

/// A command that changes something on the tenant.
pub const fn change(action: Action, label: &'static str, description: &'static str) -> Command {
    Command {
        action,
        label,
        description,
        mutates: true,
    }
}

/// A titled command table for one keymap context.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub context: Context,
    pub title: &'static str,
    pub commands: &'static [Command],
}

impl Table {
    pub fn find(&self, action: Action) -> Option<&'static Command> {
        self.commands.iter().find(|c| c.action == action)
    }
}

/// Keys that work everywhere outside a text field.
pub const GLOBAL: Table = Table {
    context: Context::Global,
    title: "Everywhere",
    commands: &[
        cmd(Action::Help, "help", "Show or hide this help"),
        cmd(
            Action::Quit,
            "quit",
            "Quit (asks first while conversations, takeovers or requests are open)",
        ),
        cmd(Action::ForceQuit, "quit now", "Quit at once, from anywhere"),
        cmd(
            Action::Palette,
            "commands",
            "Command palette: search this pane's and the global commands, go to any object by name or id",
        ),
        cmd(Action::NextPane, "next pane", "Focus the next pane"),
        cmd(Action::PrevPane, "prev pane", "Focus the previous pane"),
        cmd(Action::FocusEntities, "entities", "Focus the Entities pane"),
        cmd(
            Action::FocusConversation,
            "conversation",
            "Focus the Conversation pane (its message list, in COMMANDS)",
        ),
        cmd(Action::FocusLog, "request log", "Focus the Request log pane"),
        cmd(
            Action::FocusScenarios,
            "scenarios",
            "Focus the Scenarios pane (run scenario files, see their steps pass or fail)",
        ),
        cmd(
            Action::Zoom,
            "zoom",
            "Zoom the focused pane to the whole screen (again to restore)",
        ),
        cmd(
            Action::ToggleMouse,
            "mouse",
            "Turn mouse capture on or off (off lets the terminal select text)",
        ),
        cmd(Action::Back, "dismiss", "Dismiss the last error"),
    ],
};

/// Movement in any list or scrolling view.
pub const LIST: Table = Table {
    context: Context::List,
    title: "Lists and views",
    commands: &[
        cmd(Action::Up, "up", "Move up"),
        cmd(Action::Down, "down", "Move down"),
        cmd(Action::PageUp, "page up", "Move up a page"),
        cmd(Action::PageDown, "page down", "Move down a page"),
        cmd(Action::Top, "top", "Go to the first row"),
        cmd(Action::Bottom, "bottom", "Go to the last row"),
    ],
};

/// Whether an action moves a selection or a view (the shared list keys).
pub fn is_movement(action: Action) -> bool {
    LIST.find(action).is_some()
}
