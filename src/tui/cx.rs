//! What a component's update may touch besides its own state: the session
//! (read only), the status line, the popup stack (to open popups it owns)
//! and the effects it asks for. One `Cx` per message; the root update
//! builds it from disjoint parts of `App`.

use std::sync::Arc;

use crate::schema::Spec;
use crate::templates::Templates;

use super::effect::{Call, Effect, Owner};
use super::layout::PaneId;
use super::msg::TakenRole;
use super::popup::{Ask, Popup, Popups};
use super::status::Status;
use crate::connect::Session;

pub struct Cx<'a> {
    pub session: &'a Session,
    pub spec: &'a Arc<Spec>,
    pub templates: &'a Templates,
    pub status: &'a mut Status,
    pub popups: &'a mut Popups,
    pub effects: Vec<Effect>,
    /// A component asks for the focus to move (e.g. after a create).
    pub focus: Option<PaneId>,
    /// Both panes are on screen (wide layout).
    pub wide: bool,
    /// Roles pointed at this console (the runtime holds the leases).
    pub taken: &'a mut Vec<TakenRole>,
    /// Open the guided setup (the root builds it and puts it on the stack).
    pub start_setup: bool,
}

impl Cx<'_> {
    pub fn error(&mut self, text: impl Into<String>) {
        self.status.error = Some(text.into());
    }

    pub fn notice(&mut self, text: impl Into<String>) {
        self.status.set_notice(text);
    }

    pub fn call(&mut self, owner: Owner, call: Call) {
        self.effects.push(Effect::Call(owner, call));
    }

    pub fn effect(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    /// Put `text` on the clipboard (OSC 52); text too long for a terminal's
    /// clipboard sequence goes to a file instead.
    pub fn copy(&mut self, what: &str, text: String, file_name: &str) {
        const OSC52_MAX: usize = 74_000;
        if text.len() > OSC52_MAX {
            self.notice(format!("{what} is long: saving it to a file instead of the clipboard"));
            self.effects.push(Effect::SaveText {
                base_name: file_name.to_owned(),
                text,
            });
        } else {
            self.notice(format!("copied {what} to the clipboard"));
            self.effects.push(Effect::Clipboard(text));
        }
    }

    pub fn open(&mut self, ask: impl Into<Ask>, popup: Popup) {
        self.popups.open(ask, popup);
    }

    /// Whether the profile allows changes (no message).
    pub fn may_change(&self) -> bool {
        !self.session.read_only
    }
}
