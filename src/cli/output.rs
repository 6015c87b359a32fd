//! Writing data to stdout: tables for people, JSON and YAML for tools.

use std::io::Write;

use serde_json::Value;
use unicode_width::UnicodeWidthStr;

use super::run::Failure;
use crate::api::models::EntityKind;
use crate::api::models::references::label;

/// Write to stdout; a closed pipe (`| head`) is not an error.
pub fn out(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Failed(crate::io_error::stdout(&e))),
    }
}

pub fn json(value: &Value) -> Result<String, Failure> {
    serde_json::to_string_pretty(value)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| Failure::Failed(format!("writing JSON: {e}")))
}

pub fn yaml(value: &Value) -> Result<String, Failure> {
    serde_yaml_ng::to_string(value).map_err(|e| Failure::Failed(format!("writing YAML: {e}")))
}

/// Columns padded by display width, so CJK and emoji names line up.
pub fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < row.len() {
                line.push_str(&" ".repeat(widths[c] - cell.width() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// One row per object: name (type for channels), id, active, modified.
pub fn objects_table(kind: EntityKind, objects: &[Value]) -> String {
    let text = |o: &Value, key: &str| match o.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "-".into(),
        Some(other) => other.to_string(),
    };
    let mut rows = vec![vec![
        kind.unique_field().to_ascii_uppercase(),
        "ID".into(),
        "ACTIVE".into(),
        "MODIFIED".into(),
    ]];
    for o in objects {
        rows.push(vec![
            label(kind, o).replace(['\n', '\r', '\t'], " "),
            text(o, "id"),
            text(o, "active"),
            text(o, "modified"),
        ]);
    }
    table(&rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_by_display_width() {
        let t = table(&[
            vec!["NAME".into(), "ID".into()],
            vec!["日本".into(), "1".into()],
            vec!["ab".into(), "2".into()],
        ]);
        assert_eq!(t, "NAME  ID\n日本  1\nab    2\n");
    }
}
