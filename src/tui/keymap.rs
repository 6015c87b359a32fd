//! Key bindings: an embedded default keymap (assets/keymap.toml) merged with
//! the user's `[keys]` table, looked up by focus context. The same table
//! feeds the footer hints and the help popup, so they never disagree.

use std::collections::HashMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// Where keyboard focus is; decides which bindings apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    Global,
    List,
    Entities,
    EntityDetail,
    Log,
    LogDetail,
    Editor,
    Prompt,
    Confirm,
    Help,
    Setup,
    Conversation,
    Composer,
    Pick,
    Transcript,
    Palette,
    BundlePlan,
    Scenarios,
}

impl Context {
    const ALL: [Context; 18] = [
        Context::Global,
        Context::List,
        Context::Entities,
        Context::EntityDetail,
        Context::Log,
        Context::LogDetail,
        Context::Editor,
        Context::Prompt,
        Context::Confirm,
        Context::Help,
        Context::Setup,
        Context::Conversation,
        Context::Composer,
        Context::Pick,
        Context::Transcript,
        Context::Palette,
        Context::BundlePlan,
        Context::Scenarios,
    ];

    fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Entities => "entities",
            Context::EntityDetail => "entity_detail",
            Context::Log => "log",
            Context::LogDetail => "log_detail",
            Context::Editor => "editor",
            Context::Prompt => "prompt",
            Context::Confirm => "confirm",
            Context::Help => "help",
            Context::Setup => "setup",
            Context::Conversation => "conversation",
            Context::Composer => "composer",
            Context::Pick => "pick",
            Context::Transcript => "transcript",
            Context::Palette => "palette",
            Context::BundlePlan => "bundle_plan",
            Context::Scenarios => "scenarios",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Contexts consulted for a key, most specific first.
    fn chain(self) -> &'static [Context] {
        match self {
            Context::Entities => &[Context::Entities, Context::List, Context::Global],
            Context::EntityDetail => &[Context::EntityDetail, Context::List, Context::Global],
            Context::Log => &[Context::Log, Context::List, Context::Global],
            Context::LogDetail => &[Context::LogDetail, Context::List, Context::Global],
            Context::Help => &[Context::Help, Context::List],
            Context::Setup => &[Context::Setup, Context::List],
            Context::Conversation => &[Context::Conversation, Context::List, Context::Global],
            // A typing context: its own keys only.
            Context::Composer => &[Context::Composer],
            Context::Pick => &[Context::Pick, Context::List],
            Context::Transcript => &[Context::Transcript, Context::List],
            Context::BundlePlan => &[Context::BundlePlan, Context::List],
            Context::Scenarios => &[Context::Scenarios, Context::List, Context::Global],
            // A text field: its own keys only.
            Context::Palette => &[Context::Palette],
            // Typing and modal contexts: only their own keys (Ctrl-C is handled before lookup).
            Context::Editor => &[Context::Editor],
            Context::Prompt => &[Context::Prompt],
            Context::Confirm => &[Context::Confirm],
            Context::Global => &[Context::Global],
            Context::List => &[Context::List, Context::Global],
        }
    }

    /// Title of the context's section in the help popup.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::List => "Lists",
            Context::Entities => "Entities",
            Context::EntityDetail => "Entity detail",
            Context::Log => "Request log",
            Context::LogDetail => "Exchange detail",
            Context::Editor => "Editor",
            Context::Prompt => "Prompts",
            Context::Confirm => "Confirmation",
            Context::Help => "Help",
            Context::Setup => "Guided setup",
            Context::Conversation => "Conversation",
            Context::Composer => "Composer",
            Context::Pick => "Pick lists",
            Context::Transcript => "Transcript",
            Context::Palette => "Command palette",
            Context::BundlePlan => "Bundle plan",
            Context::Scenarios => "Scenarios",
        }
    }
}

/// A key with modifiers, normalised so `G` and `shift-g` are the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Self {
        let mut modifiers = modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            // The character already says whether shift was held.
            KeyCode::Char(c) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::Char(if modifiers.contains(KeyModifiers::CONTROL) {
                    c.to_ascii_lowercase()
                } else {
                    c
                })
            }
            KeyCode::BackTab => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Self { code, modifiers }
    }

    pub fn from_event(event: &KeyEvent) -> Self {
        Self::new(event.code, event.modifiers)
    }

    /// Parse `ctrl-s`, `shift-tab`, `G`, `pageup`, `f5`...
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, len) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") && rest.len() > 6 {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            modifiers |= m;
            rest = &rest[len..];
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" if modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" => KeyCode::Insert,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "space" => KeyCode::Char(' '),
            f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) => {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => {
                        let c = if modifiers.contains(KeyModifiers::SHIFT) {
                            c.to_ascii_uppercase()
                        } else {
                            c
                        };
                        KeyCode::Char(c)
                    }
                    _ => return Err(format!("unknown key \"{text}\"")),
                }
            }
        };
        Ok(Self::new(code, modifiers))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if self.modifiers.contains(KeyModifiers::CONTROL) => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Bksp"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Bindings per context.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: HashMap<Context, Vec<(Key, Action)>>,
}

impl Keymap {
    /// The embedded defaults merged with the user's `[keys]` table.
    pub fn load(user: Option<&toml::Table>) -> Result<Self, String> {
        let defaults: toml::Table = toml::from_str(DEFAULT_KEYMAP).map_err(|e| format!("built-in keymap: {e}"))?;
        let mut map = Self {
            bindings: HashMap::new(),
        };
        map.merge(&defaults, "built-in keymap")?;
        if let Some(user) = user {
            map.merge(user, "[keys]")?;
        }
        Ok(map)
    }

    /// The embedded defaults alone.
    pub fn defaults() -> Self {
        Self::load(None).unwrap_or_else(|_| Self {
            bindings: HashMap::new(),
        })
    }

    fn merge(&mut self, table: &toml::Table, origin: &str) -> Result<(), String> {
        for (context_name, entries) in table {
            let context = Context::from_name(context_name)
                .ok_or_else(|| format!("{origin}: unknown context \"{context_name}\""))?;
            let entries = entries
                .as_table()
                .ok_or_else(|| format!("{origin}.{context_name}: expected a table of \"key\" = \"action\""))?;
            let list = self.bindings.entry(context).or_default();
            for (key_text, action) in entries {
                let key = Key::parse(key_text).map_err(|e| format!("{origin}.{context_name}: {e}"))?;
                let action_name = action
                    .as_str()
                    .ok_or_else(|| format!("{origin}.{context_name}.\"{key_text}\": expected an action name"))?;
                let action: Action = serde::Deserialize::deserialize(serde::de::value::StrDeserializer::<
                    serde::de::value::Error,
                >::new(action_name))
                .map_err(|_| format!("{origin}.{context_name}.\"{key_text}\": unknown action \"{action_name}\""))?;
                list.retain(|(k, _)| *k != key);
                if action != Action::None {
                    list.push((key, action));
                }
            }
        }
        Ok(())
    }

    /// The action a key triggers in a context, if any.
    pub fn lookup(&self, context: Context, key: Key) -> Option<Action> {
        context.chain().iter().find_map(|c| {
            self.bindings
                .get(c)
                .and_then(|list| list.iter().find(|(k, _)| *k == key).map(|(_, a)| *a))
        })
    }

    /// The first key bound to an action in a context's chain, for hints.
    pub fn key_for(&self, context: Context, action: Action) -> Option<Key> {
        context.chain().iter().find_map(|c| {
            self.bindings
                .get(c)
                .and_then(|list| list.iter().find(|(_, a)| *a == action).map(|(k, _)| *k))
        })
    }

    /// [`Keymap::key_for`] as shown in a hint: `unbound` when no key is bound.
    pub fn hint(&self, context: Context, action: Action, unbound: &str) -> String {
        self.key_for(context, action)
            .map(|k| k.to_string())
            .unwrap_or_else(|| unbound.to_owned())
    }

    /// Every key bound to an action in exactly this context, joined for display.
    pub fn keys_in(&self, context: Context, action: Action) -> String {
        self.bindings
            .get(&context)
            .map(|list| {
                list.iter()
                    .filter(|(_, a)| *a == action)
                    .map(|(k, _)| k.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    }

    /// Keys bound to an action in this context, else in the first context of
    /// its chain that binds it (list movement offered by a pane), for help.
    pub fn keys_for(&self, context: Context, action: Action) -> String {
        context
            .chain()
            .iter()
            .map(|c| self.keys_in(*c, action))
            .find(|k| !k.is_empty())
            .unwrap_or_default()
    }

    /// Actions bound in exactly this context, in binding order, without repeats.
    pub fn actions_in(&self, context: Context) -> Vec<Action> {
        let mut out: Vec<Action> = Vec::new();
        for (_, a) in self.bindings.get(&context).map(Vec::as_slice).unwrap_or_default() {
            if !out.contains(a) {
                out.push(*a);
            }
        }
        out
    }

    /// Contexts in help order.
    pub fn help_contexts() -> &'static [Context] {
        &[
            Context::Global,
            Context::List,
            Context::Entities,
            Context::EntityDetail,
            Context::Conversation,
            Context::Composer,
            Context::Log,
            Context::LogDetail,
            Context::Scenarios,
            Context::Editor,
            Context::Prompt,
            Context::Confirm,
            Context::Setup,
            Context::Pick,
            Context::Transcript,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> Key {
        Key::parse(text).expect("key")
    }

    #[test]
    fn defaults_parse_and_resolve_by_context() {
        let map = Keymap::defaults();
        assert_eq!(map.lookup(Context::Entities, key("q")), Some(Action::Quit));
        assert_eq!(map.lookup(Context::Entities, key("j")), Some(Action::Down));
        assert_eq!(map.lookup(Context::Log, key("c")), Some(Action::CopyCurl));
        // Typing contexts never see global shortcuts.
        assert_eq!(map.lookup(Context::Editor, key("q")), None);
        assert_eq!(map.lookup(Context::Prompt, key("1")), None);
        assert_eq!(map.lookup(Context::Editor, key("ctrl-s")), Some(Action::Save));
    }

    #[test]
    fn keys_normalise_shift() {
        assert_eq!(Key::new(KeyCode::Char('G'), KeyModifiers::SHIFT), key("G"));
        assert_eq!(key("shift-g"), key("G"));
        assert_eq!(Key::new(KeyCode::BackTab, KeyModifiers::SHIFT), key("shift-tab"));
        assert_eq!(key("ctrl-C"), key("ctrl-c"));
        assert!(Key::parse("hyper-x").is_err());
    }

    #[test]
    fn user_bindings_override_and_unbind() {
        let user: toml::Table = toml::from_str("[entities]\nx = \"delete\"\nd = \"none\"\n").expect("toml");
        let map = Keymap::load(Some(&user)).expect("merge");
        assert_eq!(map.lookup(Context::Entities, key("x")), Some(Action::Delete));
        assert_eq!(map.lookup(Context::Entities, key("d")), None);
        let bad: toml::Table = toml::from_str("[entities]\nx = \"explode\"\n").expect("toml");
        let err = Keymap::load(Some(&bad)).expect_err("unknown action");
        assert!(err.contains("explode") && err.contains("entities"), "{err}");
    }
}
