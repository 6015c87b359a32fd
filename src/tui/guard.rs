//! The typed-by-mistake guard of the conversation's message list: the
//! place a user most often types a sentence believing they are in the
//! composer. There a letter (or digit, or punctuation) bound to a command
//! does not act at once: it is held for [`HOLD`]. If another text key
//! arrives meanwhile the keys are a sentence, neither acts, and the rest of
//! the word is swallowed with a hint. If nothing follows, or a key that is
//! not text (Enter, Esc, an arrow) does, the held command runs first.
//! Movement keys (j k g G) act at once: they change nothing, and holding
//! them would make a held-down `j` stutter.
//!
//! The rule is the same for every key, so it is predictable: a command
//! letter in the message list acts a moment after it is pressed alone;
//! Enter starts typing at once. One exception keeps typed text: `i` (type)
//! opens the composer at once, so `ihello` typed in one go lands "hello" in
//! the composer instead of being swallowed. If text follows it within
//! [`HOLD`] it may still be a sentence typed by mistake ("it is fine⏎"), so
//! the first Enter of that burst does not send ([`ComposeWatch`]): the text
//! waits in the composer, in view, for a second Enter. The pure update asks for the timer as an
//! effect ([`super::effect::Effect::HoldKey`]); the runtime answers with
//! [`super::msg::Msg::HeldKeyDue`].

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::command::is_movement;
use super::keymap::Context;

/// How long a command letter waits for a following key. Typists put
/// 100-250 ms between the letters of a word; a deliberate command is
/// followed by a look at the screen, not another key.
pub const HOLD: Duration = Duration::from_millis(300);

/// A command key held back until it is clear it was not the start of a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldKey {
    pub action: Action,
    /// Where it was pressed: it runs only if that is still where keys go.
    pub context: Context,
    pub seq: u64,
}

/// The composer opened by its letter a moment ago.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComposeWatch {
    /// Waiting for the hold timer `seq`: if it runs out first, the letter was
    /// deliberate and the watch ends.
    Waiting(u64),
    /// Text followed at once: the next Enter is held back with a hint.
    Burst,
}

/// A key that types a character (no Ctrl or Alt).
pub fn is_text_key(key: &KeyEvent) -> bool {
    matches!(key.code, KeyCode::Char(_)) && !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
}

/// Whether `action`, reached by `key` in `context`, waits before acting.
pub fn holds(context: Context, key: &KeyEvent, action: Action) -> bool {
    context == Context::Conversation && is_text_key(key) && !is_movement(action)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn only_command_letters_of_the_message_list_wait() {
        assert!(holds(Context::Conversation, &key('y'), Action::Copy));
        assert!(holds(Context::Conversation, &key('2'), Action::FocusConversation));
        assert!(
            !holds(Context::Conversation, &key('j'), Action::Down),
            "movement acts at once"
        );
        let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
        assert!(
            !holds(Context::Conversation, &enter, Action::Compose),
            "Enter types at once"
        );
        let ctrl_o = KeyEvent::new(KeyCode::Char('o'), KeyModifiers::CONTROL);
        assert!(
            !holds(Context::Conversation, &ctrl_o, Action::Attach),
            "a chord is never text"
        );
        assert!(!holds(Context::Entities, &key('y'), Action::Copy));
    }
}
