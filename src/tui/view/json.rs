//! JSON syntax highlighting for the detail views: pretty-printed text split
//! into styled spans, line by line, so only visible lines need styling.

use ratatui::text::{Line, Span};

use crate::tui::theme::Theme;

/// Style one line of pretty-printed JSON.
pub fn highlight_line<'a>(line: &'a str, theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut plain_start = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' {
            if plain_start < i {
                spans.push(Span::styled(&line[plain_start..i], theme.json_punct()));
            }
            let start = i;
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(bytes.len());
            let rest = line[i..].trim_start();
            let style = if rest.starts_with(':') {
                theme.json_key()
            } else {
                theme.json_string()
            };
            spans.push(Span::styled(&line[start..i], style));
            plain_start = i;
        } else if c == b'-' || c.is_ascii_digit() || c.is_ascii_alphabetic() {
            if plain_start < i {
                spans.push(Span::styled(&line[plain_start..i], theme.json_punct()));
            }
            let start = i;
            while i < bytes.len() && !matches!(bytes[i], b',' | b' ' | b']' | b'}' | b'\n') {
                i += 1;
            }
            let word = &line[start..i];
            let style = if matches!(word, "true" | "false" | "null") {
                theme.json_literal()
            } else {
                theme.json_number()
            };
            spans.push(Span::styled(word, style));
            plain_start = i;
        } else {
            i += 1;
        }
    }
    if plain_start < line.len() {
        spans.push(Span::styled(&line[plain_start..], theme.json_punct()));
    }
    Line::from(spans)
}

/// Pretty-print a body if it is JSON; otherwise return it as it is.
pub fn pretty(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| text.to_owned()),
        Err(_) => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_strings_and_literals_get_their_own_spans() {
        let theme = Theme { color: true };
        let line = highlight_line(r#"  "name": "Demo \"x\"", "n": 12, "ok": true"#, &theme);
        let texts: Vec<&str> = line.spans.iter().map(|s| s.content.as_ref()).collect();
        assert!(texts.contains(&"\"name\""));
        assert!(texts.contains(&r#""Demo \"x\"""#));
        assert!(texts.contains(&"12"));
        assert!(texts.contains(&"true"));
        assert_eq!(texts.concat(), r#"  "name": "Demo \"x\"", "n": 12, "ok": true"#);
    }
}
