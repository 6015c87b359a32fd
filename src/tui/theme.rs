//! Colours and styles, with a monochrome variant for NO_COLOR terminals
//! (emphasis then comes from bold, reverse and dim only).

use ratatui::style::{Color, Modifier, Style};

use crate::reqlog::format::StatusClass;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to anything non-empty (no-color.org).
    pub fn from_env() -> Self {
        Self {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    pub fn mono() -> Self {
        Self { color: false }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    pub fn border(&self, focused: bool) -> Style {
        match (focused, self.color) {
            (true, true) => Style::new().fg(Color::Cyan),
            (true, false) => Style::new().add_modifier(Modifier::BOLD),
            (false, _) => Style::new().add_modifier(Modifier::DIM),
        }
    }
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn dim(&self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }
    pub fn key(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn ok(&self) -> Style {
        self.fg(Color::Green)
    }
    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }
    pub fn badge(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(Color::Black).bg(color).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }
    pub fn status_class(&self, class: StatusClass) -> Style {
        match class {
            StatusClass::Success => self.fg(Color::Green),
            StatusClass::Redirect => self.fg(Color::Cyan),
            StatusClass::ClientError => self.fg(Color::Yellow),
            StatusClass::ServerError | StatusClass::Failed => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            _ => self.dim(),
        }
    }
    // JSON highlighting
    pub fn json_key(&self) -> Style {
        self.fg(Color::Cyan)
    }
    pub fn json_string(&self) -> Style {
        self.fg(Color::Green)
    }
    pub fn json_number(&self) -> Style {
        self.fg(Color::Magenta)
    }
    pub fn json_literal(&self) -> Style {
        self.fg(Color::Yellow)
    }
    pub fn json_punct(&self) -> Style {
        self.dim()
    }
}
