//! The console's own schema validator against the `jsonschema` crate: every
//! request schema of the spec, fed the create templates, the demo seed's
//! objects and a few thousand mutations of them (fields dropped, nulled,
//! retyped, emptied, overlong, unknown enum values), must get the same
//! verdict from both (the messages may differ). `format` is left out of the
//! comparison: the console's checks (e-mail, absolute http(s) URL) are
//! deliberately its own. Unknown keywords (`x-strict-required`, `discriminator`,
//! `example`) are ignored by both, so the test holds for either spec version.

use egain_console::api::models::EntityKind;
use egain_console::sandbox::{self, SandboxConfig, Seed};
use egain_console::schema::{EMBEDDED_SPEC, Spec};
use egain_console::templates::{Bindings, Templates};
use serde_json::{Map, Value, json};

/// The spec without `format` keywords, as a document and as the console parses it.
fn spec_without_formats() -> (Value, Spec) {
    let mut doc: Value = serde_yaml_ng::from_str(EMBEDDED_SPEC).expect("spec parses");
    strip_formats(&mut doc);
    let spec = Spec::parse(&serde_json::to_string(&doc).expect("json")).expect("stripped spec");
    (doc, spec)
}

fn strip_formats(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("format").is_some_and(Value::is_string) {
                map.remove("format");
            }
            map.values_mut().for_each(strip_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_formats),
        _ => {}
    }
}

/// Every schema a request body refers to, by name.
fn request_schemas(doc: &Value) -> Vec<String> {
    let mut names: Vec<String> = doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(Map::values)
        .filter_map(Value::as_object)
        .flat_map(Map::values)
        .filter_map(|op| op.pointer("/requestBody/content/application~1json/schema/$ref"))
        .filter_map(Value::as_str)
        .filter_map(|r| r.strip_prefix("#/components/schemas/"))
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// `jsonschema`'s verdict: the OpenAPI 3.0 schema as draft 4, refs resolved in the document.
struct Reference {
    components: Value,
}

impl Reference {
    fn validator(&self, name: &str) -> jsonschema::Validator {
        let root = json!({
            "allOf": [{"$ref": format!("#/components/schemas/{name}")}],
            "components": self.components,
        });
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .should_validate_formats(false)
            .build(&root)
            .unwrap_or_else(|e| panic!("jsonschema compiles {name}: {e}"))
    }
}

/// The update schema of a create schema, when the spec has one.
fn update_of(input: &str) -> String {
    input.replace("Input", "Update")
}

/// Bodies to start from: templates (as shipped, placeholders unfilled) and the demo seed's objects.
fn base_bodies() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let templates = Templates::embedded();
    for kind in EntityKind::ALL {
        out.push((
            kind.input_schema().to_owned(),
            templates.get(kind).render(&Bindings::default()),
        ));
    }
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let sb = runtime
        .block_on(sandbox::start(SandboxConfig {
            seed: Seed::Demo,
            ..SandboxConfig::default()
        }))
        .expect("sandbox");
    let store = sb.state.store();
    for kind in EntityKind::ALL {
        for object in store.list(kind) {
            out.push((kind.input_schema().to_owned(), object.clone()));
            out.push((update_of(kind.input_schema()), object.clone()));
        }
    }
    out.push((
        "AssetCreate".into(),
        json!({"channel": {"type": "sms"}, "sender": {"type": "customer"}, "name": "a.txt", "size": 10}),
    ));
    out
}

/// JSON pointers of every value inside `value` (not the root).
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        _ => {}
    }
}

/// Replacement values a mutation puts at a place.
fn replacements() -> Vec<Value> {
    vec![
        Value::Null,
        json!(7),
        json!(-1),
        json!(true),
        json!(""),
        json!("x".repeat(300)),
        json!("bogus-value"),
        json!([]),
        json!({}),
        json!(["a"]),
    ]
}

/// `body` with the value at `pointer` removed (`None`) or replaced.
fn mutate(body: &Value, pointer: &str, with: Option<&Value>) -> Option<Value> {
    let (parent, last) = pointer.rsplit_once('/')?;
    let mut out = body.clone();
    let target = out.pointer_mut(parent)?;
    let key = last.replace("~1", "/").replace("~0", "~");
    match (target, with) {
        (Value::Object(map), None) => {
            map.remove(&key);
        }
        (Value::Object(map), Some(v)) => {
            map.insert(key, v.clone());
        }
        (Value::Array(items), None) => {
            items.remove(key.parse::<usize>().ok()?);
        }
        (Value::Array(items), Some(v)) => {
            *items.get_mut(key.parse::<usize>().ok()?)? = v.clone();
        }
        _ => return None,
    }
    Some(out)
}

#[test]
fn the_validator_agrees_with_jsonschema_on_request_bodies() {
    let (doc, spec) = spec_without_formats();
    let reference = Reference {
        components: doc["components"].clone(),
    };
    let schemas = request_schemas(&doc);
    assert!(schemas.len() >= 10, "request schemas: {schemas:?}");
    let mut cases: Vec<(String, Value)> = Vec::new();
    for (schema, body) in base_bodies() {
        if spec.schema(&schema).is_none() {
            continue;
        }
        cases.push((schema.clone(), body.clone()));
        let mut places = Vec::new();
        pointers(&body, String::new(), &mut places);
        for place in places {
            cases.extend(mutate(&body, &place, None).map(|b| (schema.clone(), b)));
            for value in replacements() {
                cases.extend(mutate(&body, &place, Some(&value)).map(|b| (schema.clone(), b)));
            }
        }
    }
    // Every request schema gets something, even those no base body is for.
    for name in &schemas {
        for body in [json!({}), json!(null), json!([]), json!("x")] {
            cases.push((name.clone(), body));
        }
    }
    let mut disagreements = Vec::new();
    let (mut valid, mut invalid) = (0, 0);
    let mut validators = std::collections::HashMap::new();
    for (schema, body) in &cases {
        let theirs = validators
            .entry(schema.clone())
            .or_insert_with(|| reference.validator(schema))
            .is_valid(body);
        let ours = spec.validate(schema, body);
        if ours.is_empty() {
            valid += 1;
        } else {
            invalid += 1;
        }
        if ours.is_empty() != theirs {
            disagreements.push(format!(
                "{schema}: console says {}, jsonschema says {}\n  body: {body}",
                if ours.is_empty() {
                    "valid".to_owned()
                } else {
                    format!("{ours:?}")
                },
                if theirs { "valid" } else { "invalid" },
            ));
        }
    }
    assert!(cases.len() >= 500, "{} cases", cases.len());
    assert!(
        valid >= 10 && invalid >= 100,
        "both verdicts are exercised: {valid} valid, {invalid} invalid"
    );
    assert!(
        disagreements.is_empty(),
        "{} of {} cases disagree; the first:\n{}",
        disagreements.len(),
        cases.len(),
        disagreements.iter().take(8).cloned().collect::<Vec<_>>().join("\n")
    );
}
