//! A paste that arrives as keys. Without bracketed paste (a terminal that
//! lacks it, `tmux paste-buffer` without `-p`) pasted text reaches the
//! console as key presses, its line breaks as Enter and its tabs as Tab: in
//! the composer the first line would be sent at once, and the rest typed
//! into whatever the Enter opened (a picker swallows it) or sent line by
//! line. A person cannot type a line break followed by more text within
//! one read of the terminal; a paste does. So keys that were all waiting at
//! once, where an Enter or Tab is followed by more text, are a paste and are
//! handled as one (`Msg::Paste`): the text lands whole in the field, its
//! lines kept, and nothing is sent until the user presses Enter.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// The text of `keys` if they are a paste that came as keys: only text,
/// Enter and Tab (no chords, no other keys), with an Enter or Tab followed
/// by text. `None`: handle them as the keys they are.
pub fn as_paste(keys: &[KeyEvent]) -> Option<String> {
    let mut text = String::new();
    let mut break_then_text = false;
    let mut after_break = false;
    for key in keys {
        if key.kind == KeyEventKind::Release {
            continue;
        }
        if !(key.modifiers - KeyModifiers::SHIFT).is_empty() {
            return None;
        }
        match key.code {
            KeyCode::Char(c) => {
                break_then_text |= after_break;
                text.push(c);
            }
            KeyCode::Enter => {
                after_break = true;
                text.push('\n');
            }
            KeyCode::Tab => {
                after_break = true;
                text.push('\t');
            }
            _ => return None,
        }
    }
    break_then_text.then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<KeyEvent> {
        text.chars()
            .map(|c| match c {
                '\r' => KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
                '\t' => KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
                c if c.is_uppercase() => KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT),
                c => KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
            })
            .collect()
    }

    #[test]
    fn lines_that_came_at_once_are_one_paste_with_their_breaks() {
        assert_eq!(
            as_paste(&keys("First line\rsecond 你好\rthird 👍🏽")).as_deref(),
            Some("First line\nsecond 你好\nthird 👍🏽")
        );
        assert_eq!(as_paste(&keys("a\tb")).as_deref(), Some("a\tb"));
        assert_eq!(
            as_paste(&keys("one\rtwo\r")).as_deref(),
            Some("one\ntwo\n"),
            "a trailing break stays text: nothing of a paste is sent by itself"
        );
    }

    #[test]
    fn typed_keys_stay_keys() {
        assert_eq!(
            as_paste(&keys("hello\r")),
            None,
            "text then Enter sends, even read at once"
        );
        assert_eq!(as_paste(&keys("hello")), None, "no break: plain typing");
        assert_eq!(as_paste(&keys("\r")), None);
        let mut chord = keys("a\rb");
        chord[1] = KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT);
        assert_eq!(as_paste(&chord), None, "a chord is a command");
        let mut esc = keys("a\rb");
        esc.push(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
        assert_eq!(as_paste(&esc), None, "a key that is not text is a command");
    }
}
