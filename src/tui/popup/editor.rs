//! The built-in JSON editor. Ctrl-S checks the text (syntax, unfilled
//! placeholders, the OpenAPI schema) and submits it as JSON to its owner
//! only when it is valid; Esc with unsaved changes asks once more.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui_textarea::TextArea;
use serde_json::Value;

use super::common::{Outcome, PopupCx, Step, frame_popup};
use crate::templates::{placeholders, reference_kind};
use crate::tui::action::Action;
use crate::tui::command::{Table, cmd};
use crate::tui::effect::{Effect, Owner};
use crate::tui::keymap::Context;
use crate::tui::theme::Theme;
use crate::tui::wrap::wrap;

pub const COMMANDS: Table = Table {
    context: Context::Editor,
    title: "Editor",
    commands: &[
        cmd(Action::Save, "send", "Validate and send"),
        cmd(Action::EditExternal, "$EDITOR", "Edit the text in $VISUAL / $EDITOR"),
        cmd(
            Action::Cancel,
            "cancel",
            "Close (asks again when there are unsaved changes)",
        ),
    ],
};

pub struct Editor {
    pub title: String,
    /// The schema the body is checked against.
    pub schema: &'static str,
    /// An update is a full replacement that must carry `modified`.
    pub requires_modified: bool,
    pub textarea: TextArea<'static>,
    /// Local validation or server errors, each naming its JSON path or code.
    pub problems: Vec<String>,
    /// A request with this text is in flight.
    pub sending: bool,
    /// Existing objects offered for reference placeholders ("{{channel.id}}: Demo Chat = 26ec…").
    pub hints: Vec<String>,
    /// The object as read, when editing one: its secrets are shown redacted
    /// and put back from here on save unless the user typed new ones.
    pub original: Option<Value>,
    /// The text as opened, to tell unsaved changes.
    initial: String,
    /// Esc was pressed once with unsaved changes.
    confirm_discard: bool,
    /// Whom `$EDITOR`'s result goes to.
    pub owner: Owner,
    /// Reference placeholders of these kinds may stay: they are filled
    /// later (a guided setup step's references to the steps before it).
    pub deferred: Vec<crate::api::models::EntityKind>,
    /// What Ctrl-S does with a valid text, for the hint ("sends").
    pub save_verb: &'static str,
}

fn textarea(text: &str) -> TextArea<'static> {
    let mut t = TextArea::from(text.lines().map(str::to_owned).collect::<Vec<_>>());
    t.set_tab_length(2);
    t
}

impl Editor {
    pub fn new(owner: Owner, title: impl Into<String>, schema: &'static str, text: &str, hints: Vec<String>) -> Self {
        Self {
            title: title.into(),
            schema,
            requires_modified: false,
            textarea: textarea(text),
            problems: Vec::new(),
            sending: false,
            hints,
            original: None,
            initial: text.lines().collect::<Vec<_>>().join("\n"),
            confirm_discard: false,
            owner,
            deferred: Vec::new(),
            save_verb: "sends",
        }
    }

    pub fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }

    pub fn set_text(&mut self, text: &str) {
        self.textarea = textarea(text);
        self.problems.clear();
    }

    /// Whether the text differs from what was opened.
    pub fn is_changed(&self) -> bool {
        self.text() != self.initial
    }

    pub fn input(&mut self, key: KeyEvent) {
        if !self.sending {
            self.textarea.input(key);
            self.confirm_discard = false;
        }
    }

    pub fn paste(&mut self, text: &str) {
        if !self.sending {
            self.textarea.insert_str(crate::tui::wrap::normalize_newlines(text));
        }
    }

    pub fn on_action(&mut self, action: Action, cx: &PopupCx) -> Step {
        match action {
            Action::Cancel if self.sending => Step::Stay,
            Action::Cancel if self.is_changed() && !self.confirm_discard => {
                self.confirm_discard = true;
                self.problems = vec!["unsaved changes: Esc again discards them, Ctrl-S sends".into()];
                Step::Stay
            }
            Action::Cancel => Step::Close(Outcome::Cancelled),
            Action::EditExternal => Step::Effects(vec![Effect::ExternalEdit(self.owner, self.text())]),
            Action::Save => match self.check(cx) {
                Some(body) => Step::Submit(Outcome::Json(body)),
                None => Step::Stay,
            },
            _ => Step::Stay,
        }
    }

    /// Parse and validate locally; `None` (with problems listed) when invalid.
    fn check(&mut self, cx: &PopupCx) -> Option<Value> {
        if self.sending {
            return None;
        }
        self.problems.clear();
        self.confirm_discard = false;
        let mut body: Value = match serde_json::from_str(&self.text()) {
            Ok(v) => v,
            Err(e) => {
                self.problems
                    .push(format!("JSON syntax: line {}, column {}: {e}", e.line(), e.column()));
                return None;
            }
        };
        if let Some(original) = &self.original {
            crate::api::redact::restore_secrets(&mut body, original);
        }
        let (later, unfilled): (Vec<_>, Vec<_>) = placeholders(&body)
            .into_iter()
            .partition(|o| o.reference_kind().is_some_and(|k| self.deferred.contains(&k)));
        if !unfilled.is_empty() {
            self.problems = unfilled
                .iter()
                .map(|o| match reference_kind(&o.name) {
                    Some(k) => format!(
                        "{}: replace {{{{{}}}}} with the id of an existing {k}",
                        o.json_path, o.name
                    ),
                    None => format!("{}: replace {{{{{}}}}} with a value", o.json_path, o.name),
                })
                .collect();
            return None;
        }
        // A placeholder filled later stands where an id belongs: its format is checked then.
        let violations: Vec<_> = cx
            .spec
            .validate(self.schema, &body)
            .into_iter()
            .filter(|v| !later.iter().any(|o| o.json_path == v.path))
            .collect();
        if !violations.is_empty() {
            self.problems = violations.iter().map(|v| v.to_string()).collect();
            return None;
        }
        if self.requires_modified && body.get("modified").is_none() {
            self.problems
                .push("$.modified: is required (an update is a full replacement carrying `modified`)".into());
            return None;
        }
        Some(body)
    }

    pub fn render(&self, theme: &Theme, frame: &mut Frame, area: Rect) {
        let mut title = self.title.clone();
        if self.sending {
            title.push_str(" · sending…");
        }
        if self.is_changed() {
            title.push_str(" · modified");
        }
        let inner = frame_popup(theme, frame, area, title);
        let width = usize::from(inner.width.max(1));
        let mut lines = Vec::new();
        let mut note = |text: &str, style| {
            for row in wrap(text, width) {
                lines.push(Line::from(Span::styled(row, style)));
            }
        };
        if self.problems.is_empty() {
            note(
                &format!(
                    "INSERT · Ctrl-S validates and {} · Ctrl-E opens $EDITOR · Esc cancels",
                    self.save_verb
                ),
                theme.dim(),
            );
            for hint in &self.hints {
                note(hint, theme.dim());
            }
        } else {
            note(
                &format!("Not sent: {} problem(s); fix and press Ctrl-S", self.problems.len()),
                theme.error(),
            );
            for p in &self.problems {
                note(p, theme.warn());
            }
        }
        let notes_height = (lines.len() as u16).min(inner.height / 3);
        let [text_area, notes_area] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(notes_height)]).areas(inner);
        frame.render_widget(&self.textarea, text_area);
        frame.render_widget(Paragraph::new(lines), notes_area);
    }
}

/// First 8 characters of an id, enough to tell objects apart on screen.
pub fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}
