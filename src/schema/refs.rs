//! Checks on a spec's `$ref`s at load, so validation can follow them without
//! guards: every reference must resolve inside the document, and no chain of
//! references (through `$ref`, `allOf`, `oneOf`, `anyOf` and discriminator
//! mappings, which do not descend into the value) may lead back to where it
//! started. Such a loop would recurse forever on any value; a schema that
//! refers to itself under `properties` or `items` is fine (each step goes
//! one level into the value).

use std::collections::HashSet;

use serde_json::Value;

/// Refuse a document with a dangling or looping `$ref`, naming it.
pub(super) fn check(doc: &Value) -> Result<(), String> {
    let mut done = HashSet::new();
    let mut pointers = Vec::new();
    if let Some(schemas) = doc.pointer("/components/schemas") {
        collect("/components/schemas", schemas, &mut pointers);
    }
    for pointer in pointers {
        follow(doc, &pointer, &mut Vec::new(), &mut done)?;
    }
    Ok(())
}

/// Every object below `value`, by JSON pointer (the schemas and their parts).
fn collect(pointer: &str, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            out.push(pointer.to_owned());
            for (key, v) in map {
                collect(&format!("{pointer}/{}", escape(key)), v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect(&format!("{pointer}/{i}"), v, out);
            }
        }
        _ => {}
    }
}

/// Depth-first along the edges that do not descend into the value.
fn follow(doc: &Value, pointer: &str, path: &mut Vec<String>, done: &mut HashSet<String>) -> Result<(), String> {
    if done.contains(pointer) {
        return Ok(());
    }
    if let Some(start) = path.iter().position(|p| p == pointer) {
        let mut chain: Vec<String> = path[start..].iter().map(|p| format!("#{p}")).collect();
        chain.push(format!("#{pointer}"));
        return Err(format!(
            "$ref loop: {} refers back to itself without nesting, so no value could ever be checked against it; \
             break the loop (put the reference under `properties` or `items`, or remove it)",
            chain.join(" -> ")
        ));
    }
    let Some(schema) = doc.pointer(pointer) else {
        return Ok(());
    };
    path.push(pointer.to_owned());
    let mut next = Vec::new();
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        next.push(target(doc, reference, pointer)?);
    }
    for keyword in ["allOf", "oneOf", "anyOf"] {
        if let Some(items) = schema.get(keyword).and_then(Value::as_array) {
            next.extend((0..items.len()).map(|i| format!("{pointer}/{keyword}/{i}")));
        }
    }
    if let Some(mapping) = schema.pointer("/discriminator/mapping").and_then(Value::as_object) {
        for reference in mapping.values().filter_map(Value::as_str) {
            next.push(target(doc, reference, pointer)?);
        }
    }
    for n in next {
        follow(doc, &n, path, done)?;
    }
    path.pop();
    done.insert(pointer.to_owned());
    Ok(())
}

/// The pointer a local `$ref` names, if it resolves.
fn target(doc: &Value, reference: &str, at: &str) -> Result<String, String> {
    match reference.strip_prefix('#') {
        Some(pointer) if doc.pointer(pointer).is_some() => Ok(pointer.to_owned()),
        Some(_) => Err(format!(
            "$ref \"{reference}\" (at #{at}) names nothing in the document; correct the name or add the schema"
        )),
        None => Err(format!(
            "$ref \"{reference}\" (at #{at}) points outside the document; only local references (#/...) are supported"
        )),
    }
}

/// JSON pointer escaping of one key.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::check;

    fn doc(schemas: serde_json::Value) -> serde_json::Value {
        json!({"openapi": "3.0.3", "components": {"schemas": schemas}})
    }

    #[test]
    fn a_loop_is_refused_naming_the_reference() {
        let looping = doc(json!({
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"allOf": [{"$ref": "#/components/schemas/A"}]}
        }));
        let err = check(&looping).expect_err("refused");
        assert!(
            err.contains("$ref loop") && err.contains("#/components/schemas/A"),
            "{err}"
        );
        let own = doc(json!({"A": {"$ref": "#/components/schemas/A"}}));
        assert!(check(&own).is_err());
    }

    #[test]
    fn nesting_recursion_and_dangling_refs() {
        let tree = doc(json!({"Node": {"type": "object", "properties": {
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}}));
        assert_eq!(check(&tree), Ok(()));
        let dangling = doc(json!({"A": {"properties": {"x": {"$ref": "#/components/schemas/Nope"}}}}));
        let err = check(&dangling).expect_err("refused");
        assert!(
            err.contains("#/components/schemas/Nope") && err.contains("/components/schemas/A/properties/x"),
            "{err}"
        );
        let remote = doc(json!({"A": {"$ref": "other.yaml#/X"}}));
        assert!(check(&remote).expect_err("refused").contains("outside the document"));
    }
}
