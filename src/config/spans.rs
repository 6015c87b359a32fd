//! Maps byte offsets in the config text to lines, columns and dotted keys, so
//! errors found after deserialisation can still point at the spot in the file.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::Position;

pub(crate) struct SourceMap<'i> {
    path: &'i Path,
    text: &'i str,
    /// `None` when the text is not valid TOML (then only offsets are known).
    root: Option<Spanned<DeTable<'i>>>,
}

impl<'i> SourceMap<'i> {
    pub fn new(path: &'i Path, text: &'i str) -> Self {
        Self {
            path,
            text,
            root: DeTable::parse(text).ok(),
        }
    }

    /// The position of a byte offset.
    pub fn at_offset(&self, offset: usize) -> Position {
        let mut end = offset.min(self.text.len());
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &self.text[..end];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Position {
            path: self.path.to_owned(),
            line: Some(line),
            column: Some(column),
        }
    }

    /// The position of the value at `path` (e.g. `["profiles", "acme", "base_url"]`); when the
    /// key is absent, the position of its nearest present parent; when nothing is found, the file.
    pub fn at_key(&self, path: &[&str]) -> Position {
        let mut span: Option<Range<usize>> = None;
        if let Some(root) = &self.root {
            let mut table = root.get_ref();
            for segment in path {
                let Some((key, value)) = table.iter().find(|(k, _)| k.get_ref() == segment) else {
                    break;
                };
                match value.get_ref() {
                    DeValue::Table(inner) => {
                        span = Some(key.span());
                        table = inner;
                    }
                    _ => {
                        span = Some(value.span());
                        break;
                    }
                }
            }
        }
        match span {
            Some(span) => self.at_offset(span.start),
            None => Position {
                path: self.path.to_owned(),
                line: None,
                column: None,
            },
        }
    }

    /// The dotted key whose key or value text most narrowly covers `offset`.
    pub fn key_at(&self, offset: usize) -> Option<String> {
        let root = self.root.as_ref()?;
        let mut best: Option<(usize, String)> = None;
        walk(root.get_ref(), offset, &mut Vec::new(), &mut best);
        best.map(|(_, key)| key)
    }
}

fn covers(span: &Range<usize>, offset: usize) -> bool {
    span.start <= offset && (offset < span.end || span.is_empty() && offset == span.start)
}

fn walk(table: &DeTable<'_>, offset: usize, path: &mut Vec<String>, best: &mut Option<(usize, String)>) {
    for (key, value) in table.iter() {
        path.push(key.get_ref().to_string());
        consider(&[key.span(), value.span()], offset, path, best);
        descend(value.get_ref(), offset, path, best);
        path.pop();
    }
}

fn descend(value: &DeValue<'_>, offset: usize, path: &mut Vec<String>, best: &mut Option<(usize, String)>) {
    match value {
        DeValue::Table(inner) => walk(inner, offset, path, best),
        DeValue::Array(items) => {
            let Some(base) = path.pop() else { return };
            for (index, item) in items.iter().enumerate() {
                path.push(format!("{base}[{index}]"));
                consider(&[item.span()], offset, path, best);
                descend(item.get_ref(), offset, path, best);
                path.pop();
            }
            path.push(base);
        }
        _ => {}
    }
}

fn consider(spans: &[Range<usize>], offset: usize, path: &[String], best: &mut Option<(usize, String)>) {
    for span in spans {
        if covers(span, offset) && best.as_ref().is_none_or(|(len, _)| span.len() <= *len) {
            *best = Some((span.len(), path.join(".")));
        }
    }
}
