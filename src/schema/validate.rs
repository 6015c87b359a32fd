//! A small JSON Schema subset validator: the keywords the Conversation
//! Manager spec uses ($ref, allOf, oneOf + discriminator, type, required,
//! properties, items, min/maxLength, min/maxItems, minimum/maximum, enum).

use serde_json::Value;

use super::Spec;

/// What rule a value broke; the sandbox maps these to eGain error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViolationKind {
    Required,
    Type,
    Length,
    Items,
    Range,
    Enum,
    Format,
}

/// One broken rule, located by a JSON path such as `$.roles[0].name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub path: String,
    pub kind: ViolationKind,
    pub message: String,
}

impl Violation {
    /// The attribute name the rule is about (last path segment), as eGain's
    /// 400-143 message names it.
    pub fn attribute(&self) -> &str {
        let tail = self.path.rsplit('.').next().unwrap_or(&self.path);
        tail.split('[').next().unwrap_or(tail)
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

pub(super) fn validate(spec: &Spec, schema: &Value, value: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    check(spec, schema, value, "$", &mut out);
    out
}

fn check(spec: &Spec, schema: &Value, value: &Value, path: &str, out: &mut Vec<Violation>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        // Refs resolve and never loop: `Spec::parse` refused the spec otherwise.
        if let Some(target) = spec.resolve(reference) {
            check(spec, target, value, path, out);
        }
        return;
    }
    // OpenAPI 3.0: null is a value only where the schema says `nullable: true`.
    if value.is_null() && schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        return;
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for sub in all {
            check(spec, sub, value, path, out);
        }
    }
    if let Some(one_of) = schema.get("oneOf").and_then(Value::as_array) {
        check_one_of(spec, schema, one_of, value, path, out);
        return;
    }
    let Some(ty) = schema_type(spec, schema) else {
        check_enum(schema, value, path, out);
        return;
    };
    let type_ok = match ty {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.as_i64().is_some() || value.as_u64().is_some(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        _ => true,
    };
    let ty_name = if value.is_null() {
        " (null is not allowed here)"
    } else {
        ""
    };
    let mut found = Vec::new();
    let mut push = |kind, message: String| {
        found.push(Violation {
            path: path.to_owned(),
            kind,
            message,
        })
    };
    if !type_ok {
        push(ViolationKind::Type, format!("must be {}{ty_name}", article(ty)));
        out.append(&mut found);
        return;
    }
    match value {
        Value::Object(map) => {
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let props = schema.get("properties").and_then(Value::as_object);
            for name in &required {
                // A null where the schema does not allow one counts as missing (eGain's 400-143).
                let missing = match map.get(*name) {
                    None => true,
                    Some(Value::Null) => !props.and_then(|p| p.get(*name)).is_some_and(|sub| nullable(spec, sub)),
                    Some(_) => false,
                };
                if missing {
                    out.push(Violation {
                        path: format!("{path}.{name}"),
                        kind: ViolationKind::Required,
                        message: "is required".into(),
                    });
                }
            }
            for (name, sub) in props.into_iter().flatten() {
                match map.get(name) {
                    Some(Value::Null) if required.contains(&name.as_str()) => {}
                    Some(v) => check(spec, sub, v, &format!("{path}.{name}"), out),
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            let n = items.len() as u64;
            if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
                && n < min
            {
                push(ViolationKind::Items, format!("needs at least {min} item(s), has {n}"));
            }
            if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
                && n > max
            {
                push(ViolationKind::Items, format!("allows at most {max} item(s), has {n}"));
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(spec, item_schema, item, &format!("{path}[{i}]"), out);
                }
            }
        }
        Value::String(s) => {
            let n = s.chars().count() as u64;
            if let Some(min) = length_bound(spec, schema, "minLength")
                && n < min
            {
                let msg = if min == 1 && n == 0 {
                    "must not be empty".to_owned()
                } else if length_bound(spec, schema, "maxLength") == Some(min) {
                    format!("must be exactly {min} characters, has {n}")
                } else {
                    format!("must be at least {min} characters, has {n}")
                };
                push(ViolationKind::Length, msg);
            }
            if let Some(max) = length_bound(spec, schema, "maxLength")
                && n > max
            {
                let msg = if length_bound(spec, schema, "minLength") == Some(max) {
                    format!("must be exactly {max} characters, has {n}")
                } else {
                    format!("must be at most {max} characters, has {n}")
                };
                push(ViolationKind::Length, msg);
            }
            if schema.get("format").and_then(Value::as_str) == Some("email") && !looks_like_email(s) {
                push(ViolationKind::Format, format!("\"{s}\" is not an e-mail address"));
            }
            if schema.get("format").and_then(Value::as_str) == Some("uri") && !looks_like_url(s) {
                push(ViolationKind::Format, format!("\"{s}\" is not an absolute http(s) URL"));
            }
        }
        Value::Number(num) => {
            let x = num.as_f64().unwrap_or(0.0);
            if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
                && x < min
            {
                push(ViolationKind::Range, format!("must be at least {min}, is {num}"));
            }
            if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
                && x > max
            {
                push(ViolationKind::Range, format!("must be at most {max}, is {num}"));
            }
        }
        _ => {}
    }
    out.append(&mut found);
    check_enum(schema, value, path, out);
}

fn check_enum(schema: &Value, value: &Value, path: &str, out: &mut Vec<Violation>) {
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        let list: Vec<String> = allowed.iter().map(|v| v.to_string()).collect();
        out.push(Violation {
            path: path.to_owned(),
            kind: ViolationKind::Enum,
            message: format!("{value} is not one of {}", list.join(", ")),
        });
    }
}

fn check_one_of(spec: &Spec, schema: &Value, options: &[Value], value: &Value, path: &str, out: &mut Vec<Violation>) {
    if let Some(prop) = schema.pointer("/discriminator/propertyName").and_then(Value::as_str) {
        let Some(tag) = value.get(prop) else {
            if value.is_object() {
                out.push(Violation {
                    path: format!("{path}.{prop}"),
                    kind: ViolationKind::Required,
                    message: "is required".into(),
                });
            } else {
                out.push(Violation {
                    path: path.to_owned(),
                    kind: ViolationKind::Type,
                    message: "must be an object".into(),
                });
            }
            return;
        };
        let mapping = schema.pointer("/discriminator/mapping").and_then(Value::as_object);
        let target = tag
            .as_str()
            .and_then(|t| mapping.and_then(|m| m.get(t)))
            .and_then(Value::as_str)
            .and_then(|r| spec.resolve(r));
        match target {
            Some(t) => check(spec, t, value, path, out),
            None => {
                let names: Vec<String> = mapping
                    .map(|m| m.keys().map(|k| format!("\"{k}\"")).collect())
                    .unwrap_or_default();
                out.push(Violation {
                    path: format!("{path}.{prop}"),
                    kind: ViolationKind::Enum,
                    message: format!("{tag} is not one of {}", names.join(", ")),
                });
            }
        }
        return;
    }
    // Without a discriminator: valid if exactly one option is; with none,
    // report the closest option's problems.
    let mut best: Option<Vec<Violation>> = None;
    let mut matching = 0;
    for option in options {
        let mut found = Vec::new();
        check(spec, option, value, path, &mut found);
        if found.is_empty() {
            matching += 1;
        } else if best.as_ref().is_none_or(|b| found.len() < b.len()) {
            best = Some(found);
        }
    }
    match matching {
        1 => {}
        0 => out.extend(best.unwrap_or_default()),
        n => out.push(Violation {
            path: path.to_owned(),
            kind: ViolationKind::Type,
            message: format!("matches {n} of the oneOf alternatives; it must match exactly one"),
        }),
    }
}

/// Whether a schema accepts null (`nullable: true`, or nothing it says rules null out).
fn nullable(spec: &Spec, schema: &Value) -> bool {
    let mut found = Vec::new();
    check(spec, schema, &Value::Null, "$", &mut found);
    found.is_empty()
}

/// The declared type, following a `$ref` or `allOf` that carries it.
fn schema_type<'a>(spec: &'a Spec, schema: &'a Value) -> Option<&'a str> {
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        return Some(t);
    }
    if schema.get("properties").is_some() || schema.get("required").is_some() {
        return Some("object");
    }
    None.or_else(|| {
        schema
            .get("allOf")?
            .as_array()?
            .iter()
            .find_map(|s| s.get("$ref").and_then(Value::as_str).and_then(|r| spec.resolve(r)))
            .and_then(|s| s.get("type").and_then(Value::as_str))
            .filter(|t| *t != "object")
    })
}

/// Length bounds, also inherited through `allOf` references (e.g. Uuid36).
fn length_bound(spec: &Spec, schema: &Value, key: &str) -> Option<u64> {
    schema.get(key).and_then(Value::as_u64).or_else(|| {
        schema.get("allOf")?.as_array()?.iter().find_map(|s| {
            let s = s
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| spec.resolve(r))
                .unwrap_or(s);
            s.get(key).and_then(Value::as_u64)
        })
    })
}

fn article(ty: &str) -> String {
    match ty {
        "object" | "array" | "integer" => format!("an {ty}"),
        _ => format!("a {ty}"),
    }
}

fn looks_like_email(s: &str) -> bool {
    matches!(s.split_once('@'), Some((user, host)) if !user.is_empty() && host.contains('.') && !s.contains(' '))
}

fn looks_like_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::Spec;
    use super::ViolationKind;

    #[test]
    fn missing_required_field_is_named() {
        let spec = Spec::embedded();
        let v = spec.validate(
            "ParticipantInput",
            &json!({"type": "custom_bot", "application": {"id": "x"}}),
        );
        assert!(
            v.iter()
                .any(|v| v.kind == ViolationKind::Required && v.path == "$.name"),
            "{v:?}"
        );
        assert!(
            v.iter()
                .any(|v| v.kind == ViolationKind::Length && v.path == "$.application.id"),
            "{v:?}"
        );
    }

    #[test]
    fn discriminator_selects_authentication_shape() {
        let spec = Spec::embedded();
        let ok = json!({"name": "a", "type": "basic", "basicAuth": {"username": "u", "password": "p"}});
        assert!(spec.validate("AuthenticationInput", &ok).is_empty());
        let bad = json!({"name": "a", "type": "basic"});
        let v = spec.validate("AuthenticationInput", &bad);
        assert_eq!(v[0].path, "$.basicAuth");
        let bad_type = json!({"name": "a", "type": "kerberos"});
        assert_eq!(
            spec.validate("AuthenticationInput", &bad_type)[0].kind,
            ViolationKind::Enum
        );
    }

    #[test]
    fn bounds_enums_and_items() {
        let spec = Spec::embedded();
        let role =
            json!({"name": "robot", "version": "v9", "callback": "http://x.test/cb", "notificationEmail": "a@b.c"});
        let body = json!({"name": "x".repeat(256), "roles": [role]});
        let v = spec.validate("ClientApplicationInput", &body);
        let paths: Vec<_> = v.iter().map(|v| (v.path.as_str(), v.kind)).collect();
        assert!(paths.contains(&("$.name", ViolationKind::Length)), "{paths:?}");
        assert!(paths.contains(&("$.roles[0].name", ViolationKind::Enum)), "{paths:?}");
        assert!(
            paths.contains(&("$.roles[0].version", ViolationKind::Enum)),
            "{paths:?}"
        );
        let v = spec.validate("ClientApplicationInput", &json!({"name": "n", "roles": []}));
        assert_eq!(v[0].kind, ViolationKind::Items);
        let v = spec.validate(
            "AssetCreate",
            &json!({"channel": {"type": "sms"}, "sender": {"type": "customer"}, "name": "a.txt", "size": 10485761}),
        );
        assert_eq!(v[0].kind, ViolationKind::Range);
    }
}
