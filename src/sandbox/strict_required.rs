//! Fields the spec requires only of a strict tenant (`x-strict-required`, a
//! list beside `required`). The JSON-Schema validator ignores the keyword; this
//! small walk finds the ones a body leaves out, so the sandbox can warn or
//! refuse per [`super::fidelity`].

use serde_json::Value;

use crate::schema::Spec;

/// JSON paths (`$.oauth2.tokenRequestUrl`) of strict-required fields `value` lacks.
pub fn missing(spec: &Spec, schema: &str, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(schema) = spec.schema(schema) {
        walk(spec, schema, value, "$", &mut out, 0);
    }
    out
}

/// Nesting bound: a looping `$ref` ends here instead of overflowing the stack.
const MAX_DEPTH: usize = 64;

fn walk(spec: &Spec, schema: &Value, value: &Value, path: &str, out: &mut Vec<String>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(target) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|p| spec.document().pointer(p))
    {
        walk(spec, target, value, path, out, depth + 1);
        return;
    }
    for sub in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        walk(spec, sub, value, path, out, depth + 1);
    }
    if let Some(branch) = one_of_branch(spec, schema, value) {
        walk(spec, branch, value, path, out, depth + 1);
    }
    if let Value::Object(map) = value {
        for field in schema
            .get("x-strict-required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if map.get(field).is_none_or(Value::is_null) {
                out.push(format!("{path}.{field}"));
            }
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, sub) in props {
                if let Some(v) = map.get(name) {
                    walk(spec, sub, v, &format!("{path}.{name}"), out, depth + 1);
                }
            }
        }
    }
    if let (Some(items), Value::Array(list)) = (schema.get("items"), value) {
        for (i, v) in list.iter().enumerate() {
            walk(spec, items, v, &format!("{path}[{i}]"), out, depth + 1);
        }
    }
}

/// The `oneOf` branch a discriminator picks (no discriminator: none).
fn one_of_branch<'a>(spec: &'a Spec, schema: &'a Value, value: &Value) -> Option<&'a Value> {
    let discriminator = schema.get("discriminator")?;
    let property = discriminator.get("propertyName")?.as_str()?;
    let tag = value.get(property)?.as_str()?;
    let reference = discriminator.get("mapping")?.get(tag)?.as_str()?;
    spec.document().pointer(reference.strip_prefix('#')?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_the_oauth2_token_url_only_when_absent() {
        let spec = Spec::embedded();
        let without = json!({"name": "a", "type": "oauth2", "oauth2": {"method": "POST"}});
        assert_eq!(
            missing(&spec, "AuthenticationInput", &without),
            vec!["$.oauth2.tokenRequestUrl".to_owned()]
        );
        let with = json!({"name": "a", "type": "oauth2", "oauth2": {"tokenRequestUrl": "https://x"}});
        assert!(missing(&spec, "AuthenticationInput", &with).is_empty());
        let basic = json!({"name": "a", "type": "basic", "basicAuth": {"username": "u", "password": "p"}});
        assert!(missing(&spec, "AuthenticationUpdate", &basic).is_empty());
    }
}
