//! Field-level differences between two JSON values.

use serde_json::Value;

/// One field that differs: its dotted path (`chatConfigurations.timeout`,
/// `roles[1].callback`), its value before (on the tenant) and after (as wanted).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub field: String,
    /// JSON pointer of the field, for matching secret positions.
    pub pointer: String,
    pub from: Option<Value>,
    pub to: Option<Value>,
}

/// Every leaf-level difference from `from` to `to`, in document order
/// (`to`'s keys first, then keys only `from` has). Arrays compare by index.
pub fn changes(from: &Value, to: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk(Some(from), Some(to), "", "", &mut out);
    out
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn walk(from: Option<&Value>, to: Option<&Value>, path: &str, pointer: &str, out: &mut Vec<FieldChange>) {
    match (from, to) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            for (k, bv) in b {
                let p = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                walk(a.get(k), Some(bv), &join(path, k), &p, out);
            }
            for (k, av) in a {
                if !b.contains_key(k) {
                    let p = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                    walk(Some(av), None, &join(path, k), &p, out);
                }
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            for i in 0..a.len().max(b.len()) {
                walk(
                    a.get(i),
                    b.get(i),
                    &format!("{path}[{i}]"),
                    &format!("{pointer}/{i}"),
                    out,
                );
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(FieldChange {
            field: if path.is_empty() { "$".into() } else { path.to_owned() },
            pointer: pointer.to_owned(),
            from: a.cloned(),
            to: b.cloned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reports_each_changed_leaf_with_its_path() {
        let a = json!({"name": "x", "c": {"t": 30, "gone": true}, "l": [1, 2]});
        let b = json!({"name": "x", "c": {"t": 45}, "l": [1, 2, 3], "new": "y"});
        let fields: Vec<String> = changes(&a, &b).into_iter().map(|c| c.field).collect();
        assert_eq!(fields, ["c.t", "c.gone", "l[2]", "new"]);
        assert!(changes(&a, &a).is_empty());
    }
}
