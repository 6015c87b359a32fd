//! `accessTokenPath`: an RFC 9535 JSONPath (via `serde_json_path`) into the
//! token response. A path without the leading `$` (`access_token`,
//! `data.token`) is read as `$.access_token`, as Authentication objects in the
//! wild often write it.

use serde_json::Value;
use serde_json_path::JsonPath;

/// The single value at `path` in `root`: `Ok(None)` when the path is valid
/// but selects nothing, `Err` when it does not parse or selects several values.
pub fn select<'a>(root: &'a Value, path: &str) -> Result<Option<&'a Value>, String> {
    let path = path.trim();
    let text = if path.starts_with('$') {
        path.to_owned()
    } else if path.is_empty() || path.starts_with(['.', '[']) {
        return Err(format!("JSONPath {path:?}: must start with $ or be a member name"));
    } else {
        format!("$.{path}")
    };
    let parsed = JsonPath::parse(&text).map_err(|e| format!("JSONPath {path:?}: {e}"))?;
    let nodes = parsed.query(root).all();
    match nodes.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        many => Err(format!(
            "JSONPath {path:?} selects {} values; it must select one",
            many.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn member_index_bracket_and_bare_forms() {
        let doc = json!({"a": {"b": "x"}, "list": [{"t": 1}, {"t": "two"}], "k.dot": true, "accessToken": "tok"});
        assert_eq!(select(&doc, "$.a.b").unwrap(), Some(&json!("x")));
        assert_eq!(select(&doc, "$['a']['b']").unwrap(), Some(&json!("x")));
        assert_eq!(select(&doc, "$[\"a\"].b").unwrap(), Some(&json!("x")));
        assert_eq!(select(&doc, "$.list[1].t").unwrap(), Some(&json!("two")));
        assert_eq!(select(&doc, "$['k.dot']").unwrap(), Some(&json!(true)));
        assert_eq!(select(&doc, "accessToken").unwrap(), Some(&json!("tok")));
        assert_eq!(select(&doc, "a.b").unwrap(), Some(&json!("x")));
        assert_eq!(select(&doc, "$").unwrap(), Some(&doc));
    }

    #[test]
    fn missing_ambiguous_and_malformed() {
        let doc = json!({"a": [1, 2]});
        assert_eq!(select(&doc, "$.b").unwrap(), None);
        assert_eq!(select(&doc, "$.a[3]").unwrap(), None);
        assert!(select(&doc, "$.a[*]").unwrap_err().contains("2 values"));
        assert!(select(&doc, "$.a[0").is_err());
        assert!(select(&doc, "").is_err());
    }
}
