//! The JSONPath subset an Authentication's `accessTokenPath` needs: member
//! access (`$.a.b`, `$['a']`, `$["a"]`) and array indexes (`$.a[0].b`).
//! Filters, wildcards and slices are refused rather than half-supported.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// The value at `path` in `root`: `Ok(None)` when the path is well formed
/// but leads nowhere, `Err` when the path is outside the subset.
pub fn select<'a>(root: &'a Value, path: &str) -> Result<Option<&'a Value>, String> {
    let mut at = root;
    for step in parse(path)? {
        let next = match (&step, at) {
            (Step::Key(k), Value::Object(map)) => map.get(k),
            (Step::Index(i), Value::Array(items)) => items.get(*i),
            _ => None,
        };
        match next {
            Some(v) => at = v,
            None => return Ok(None),
        }
    }
    Ok(Some(at))
}

fn parse(path: &str) -> Result<Vec<Step>, String> {
    let bad = |why: &str| format!("JSONPath {path:?}: {why}");
    let path = path.trim();
    // A bare name ("access_token") is read as "$.access_token".
    let rest = match path.strip_prefix('$') {
        Some(rest) => rest,
        None if !path.is_empty() && !path.starts_with(['.', '[']) => return parse(&format!("$.{path}")),
        None => return Err(bad("must start with $")),
    };
    let chars: Vec<char> = rest.chars().collect();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && chars[end] != '.' && chars[end] != '[' {
                    end += 1;
                }
                let name: String = chars[start..end].iter().collect();
                if name.is_empty() || name == "*" {
                    return Err(bad("expected a member name after '.'"));
                }
                steps.push(Step::Key(name));
                i = end;
            }
            '[' => {
                let close = chars[i..]
                    .iter()
                    .position(|&c| c == ']')
                    .map(|p| p + i)
                    .ok_or_else(|| bad("unclosed '['"))?;
                let inner: String = chars[i + 1..close].iter().collect();
                let inner = inner.trim();
                let quoted = ['\'', '"']
                    .iter()
                    .find_map(|q| inner.strip_prefix(*q).and_then(|s| s.strip_suffix(*q)));
                match quoted {
                    Some(name) => steps.push(Step::Key(name.to_owned())),
                    None => {
                        let index = inner
                            .parse::<usize>()
                            .map_err(|_| bad("only quoted names and array indexes are supported in [...]"))?;
                        steps.push(Step::Index(index));
                    }
                }
                i = close + 1;
            }
            c => return Err(bad(&format!("unexpected {c:?}"))),
        }
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn member_index_and_bracket_forms() {
        let doc = json!({"a": {"b": "x"}, "list": [{"t": 1}, {"t": "two"}], "k.dot": true, "accessToken": "tok"});
        assert_eq!(select(&doc, "$.a.b").unwrap(), Some(&json!("x")));
        assert_eq!(select(&doc, "$['a']['b']").unwrap(), Some(&json!("x")));
        assert_eq!(select(&doc, "$[\"a\"].b").unwrap(), Some(&json!("x")));
        assert_eq!(select(&doc, "$.list[1].t").unwrap(), Some(&json!("two")));
        assert_eq!(select(&doc, "$['k.dot']").unwrap(), Some(&json!(true)));
        assert_eq!(select(&doc, "accessToken").unwrap(), Some(&json!("tok")));
        assert_eq!(select(&doc, "$").unwrap(), Some(&doc));
    }

    #[test]
    fn missing_and_unsupported() {
        let doc = json!({"a": [1]});
        assert_eq!(select(&doc, "$.b").unwrap(), None);
        assert_eq!(select(&doc, "$.a[3]").unwrap(), None);
        assert_eq!(select(&doc, "$.a.b").unwrap(), None);
        assert!(select(&doc, "$.a[*]").is_err());
        assert!(select(&doc, "$..a").is_err());
        assert!(select(&doc, "$.a[0").is_err());
        assert!(select(&doc, "").is_err());
    }
}
