//! Wrapping by display width, the one place text is cut into rows: the
//! conversation, detail views, the log, help and popups all use it. CJK and
//! emoji take two columns, combining marks none; a grapheme is never split,
//! so nothing is clipped and no stray half-glyph is left.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Columns `text` takes on screen.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Normalise pasted line breaks: terminals and tmux paste CR or CRLF.
pub fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Cut `text` into rows of at most `cols` columns, at spaces where possible
/// (a word wider than a row is cut between graphemes). Line breaks in the
/// text are kept; an empty line stays an empty row.
pub fn wrap(text: &str, cols: usize) -> Vec<String> {
    let cols = cols.max(1);
    let mut out = Vec::new();
    for line in text.split('\n') {
        wrap_line(line.trim_end_matches('\r'), cols, &mut out);
    }
    out
}

fn wrap_line(line: &str, cols: usize, out: &mut Vec<String>) {
    if width(line) <= cols {
        out.push(line.to_owned());
        return;
    }
    let mut row = String::new();
    let mut row_width = 0;
    // Byte index in `row` just after the last space, and the row's width there.
    let mut last_space: Option<(usize, usize)> = None;
    for g in line.graphemes(true) {
        let w = width(g);
        if row_width + w > cols && !row.is_empty() {
            match last_space.filter(|(i, _)| *i < row.len()) {
                Some((i, wid)) if g != " " => {
                    let rest = row.split_off(i);
                    out.push(row.trim_end().to_owned());
                    row = rest;
                    row_width -= wid;
                }
                _ => {
                    out.push(row.trim_end().to_owned());
                    row = String::new();
                    row_width = 0;
                }
            }
            last_space = None;
            if g == " " && row.is_empty() {
                continue;
            }
        }
        row.push_str(g);
        row_width += w;
        if g == " " {
            last_space = Some((row.len(), row_width));
        }
    }
    if !row.is_empty() {
        out.push(row);
    }
}

/// The longest prefix of `text` that fits in `cols` columns (graphemes whole).
pub fn truncate(text: &str, cols: usize) -> &str {
    let mut used = 0;
    for (i, g) in text.grapheme_indices(true) {
        let w = width(g);
        if used + w > cols {
            return &text[..i];
        }
        used += w;
    }
    text
}

/// `text` whole if it fits in `cols` columns, else as much as fits with `…`
/// after it (cut by display width, graphemes whole), so a cut shows.
pub fn ellipsize(text: &str, cols: usize) -> String {
    match width(text) <= cols {
        true => text.to_owned(),
        false => format!("{}…", truncate(text, cols.saturating_sub(1))),
    }
}

/// `text` in at most `cols` columns, for a title: whole, else cut after its
/// last whole part (parts are separated by " · "), or else after its last
/// whole word, with "…" after it; never inside a word. `None` when not even
/// the first word fits.
pub fn shorten(text: &str, cols: usize) -> Option<String> {
    if width(text) <= cols {
        return Some(text.to_owned());
    }
    let room = cols.checked_sub(width(" …"))?;
    let fits = truncate(text, room);
    let rest = &text[fits.len()..];
    let end = if rest.starts_with(" · ") {
        fits.len()
    } else if let Some(part) = fits.rfind(" · ") {
        part
    } else if rest.starts_with(' ') {
        // The next character is a space: the cut falls between words.
        fits.len()
    } else {
        fits.rfind(' ')?
    };
    let kept = fits[..end].trim_end_matches([' ', ',', '·']).trim_end();
    (!kept.is_empty()).then(|| format!("{kept} …"))
}

/// Rows `text` takes when wrapped to `cols` (what a wrapping paragraph needs).
pub fn rows(text: &str, cols: usize) -> usize {
    wrap(text, cols).len().max(1)
}

/// Cut a styled line into rows of at most `cols` columns, keeping each
/// part's style (detail views: JSON keeps its highlighting when it wraps).
pub fn wrap_spans(line: ratatui::text::Line<'_>, cols: usize) -> Vec<ratatui::text::Line<'static>> {
    use ratatui::text::{Line, Span};
    let cols = cols.max(1);
    let mut rows = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let style = span.style;
        let mut part = String::new();
        for g in span.content.graphemes(true) {
            let w = width(g);
            if used + w > cols && used > 0 {
                if !part.is_empty() {
                    row.push(Span::styled(std::mem::take(&mut part), style));
                }
                rows.push(Line::from(std::mem::take(&mut row)));
                used = 0;
            }
            part.push_str(g);
            used += w;
        }
        if !part.is_empty() {
            row.push(Span::styled(part, style));
        }
    }
    rows.push(Line::from(row));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_cuts_after_a_whole_part_never_inside_a_word() {
        assert_eq!(
            shorten("as customer · demo@x", 40).as_deref(),
            Some("as customer · demo@x")
        );
        assert_eq!(
            shorten("as customer · demo@sandbox.local", 20).as_deref(),
            Some("as customer …")
        );
        assert_eq!(shorten("6 of 6, paused", 10).as_deref(), Some("6 of 6 …"));
        // The cut falls between words: a space right after the part is kept out.
        assert_eq!(shorten("abc def ghi", 6).as_deref(), Some("abc …"));
        assert_eq!(shorten("scenarios/ · 4 files", 5), None, "not even one word fits");
        // Wide characters count two columns.
        assert_eq!(shorten("日本語 テキスト です", 12).as_deref(), Some("日本語 …"));
    }

    #[test]
    fn ellipsize_marks_a_cut_and_keeps_wide_characters_whole() {
        assert_eq!(ellipsize("short", 5), "short");
        assert_eq!(ellipsize("a longer text", 8), "a longe…");
        assert_eq!(
            ellipsize("日本語テキスト", 6),
            "日本…",
            "a wide character never half shown"
        );
        assert_eq!(width(&ellipsize("日本語テキスト", 6)), 5);
    }

    #[test]
    fn wraps_at_spaces_by_display_width() {
        assert_eq!(wrap("hello brave new world", 11), vec!["hello brave", "new world"]);
        // Each CJK character takes two columns: four fit in eight.
        assert_eq!(wrap("日本語のテキスト", 8), vec!["日本語の", "テキスト"]);
        for row in wrap("emoji 😀😀😀😀 and 漢字漢字漢字", 7) {
            assert!(width(&row) <= 7, "{row:?}");
        }
    }

    #[test]
    fn keeps_line_breaks_and_graphemes() {
        assert_eq!(wrap("a\n\nb", 5), vec!["a", "", "b"]);
        assert_eq!(normalize_newlines("one\rtwo\r\nthree"), "one\ntwo\nthree");
        // A family emoji is one grapheme: never split.
        let family = "👨‍👩‍👧";
        assert_eq!(wrap(&format!("{family}{family}"), 2), vec![family, family]);
        assert_eq!(truncate("日本語", 5), "日本");
    }

    #[test]
    fn cuts_a_word_wider_than_the_row() {
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
    }
}
