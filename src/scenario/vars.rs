//! `${name}` in step values: a value from the file's `vars`, an earlier
//! step's `capture`, a built-in (`conversation.id`, `run`, `scenario.name`),
//! or `${env.NAME}` from the environment. `$${` writes a literal `${`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;

/// Built-in names, set by the runner.
pub const BUILTINS: [&str; 3] = ["conversation.id", "run", "scenario.name"];

static REFERENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\$\{|\$\{([^}]*)\}").unwrap_or_else(|e| unreachable!("{e}")));

/// Letters, digits, `_`, `-` (and dots, for `env.` and the built-ins).
pub fn is_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
}

pub fn is_builtin(name: &str) -> bool {
    BUILTINS.contains(&name)
}

/// The names a value refers to.
fn references(value: &str) -> impl Iterator<Item = &str> {
    REFERENCE
        .captures_iter(value)
        .filter_map(|c| c.get(1).map(|m| m.as_str().trim()))
}

/// Before any run: every reference is to a known name or a set environment variable.
pub fn check(value: &str, known: &BTreeSet<String>) -> Result<(), String> {
    for name in references(value) {
        if let Some(env) = name.strip_prefix("env.") {
            if std::env::var_os(env).is_none() {
                return Err(format!("${{{name}}}: the environment variable {env} is not set"));
            }
        } else if !known.contains(name) && !is_builtin(name) {
            let mut set: Vec<String> = known.iter().map(|k| format!("${{{k}}}")).collect();
            set.extend(BUILTINS.iter().map(|b| format!("${{{b}}}")));
            return Err(format!(
                "${{{name}}} is not set: set it in `vars` or with `capture` on an earlier expect step (set here: {})",
                set.join(", ")
            ));
        }
    }
    Ok(())
}

/// The variables of one run.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: BTreeMap<String, String>,
}

impl Vars {
    pub fn new(values: BTreeMap<String, String>) -> Self {
        Self { values }
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.values.insert(name.to_owned(), value.into());
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// `value` with every reference filled.
    pub fn fill(&self, value: &str) -> Result<String, String> {
        self.fill_with(value, |s| s.to_owned())
    }

    /// For a regex: filled values match literally.
    pub fn fill_regex(&self, value: &str) -> Result<String, String> {
        self.fill_with(value, regex::escape)
    }

    fn fill_with(&self, value: &str, quote: impl Fn(&str) -> String) -> Result<String, String> {
        let mut out = String::with_capacity(value.len());
        let mut last = 0;
        for c in REFERENCE.captures_iter(value) {
            let Some(whole) = c.get(0) else { continue };
            out.push_str(&value[last..whole.start()]);
            last = whole.end();
            let Some(name) = c.get(1).map(|m| m.as_str().trim()) else {
                out.push_str("${");
                continue;
            };
            let found = match name.strip_prefix("env.") {
                Some(env) => std::env::var(env).ok(),
                None => self.values.get(name).cloned(),
            };
            match found {
                Some(v) => out.push_str(&quote(&v)),
                None => return Err(format!("${{{name}}} has no value yet")),
            }
        }
        out.push_str(&value[last..]);
        Ok(out)
    }

    /// Every string of a JSON body filled.
    pub fn fill_json(&self, value: &serde_json::Value) -> Result<serde_json::Value, String> {
        use serde_json::Value;
        Ok(match value {
            Value::String(s) => Value::String(self.fill(s)?),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.fill_json(v)).collect::<Result<_, _>>()?),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.fill_json(v)?)))
                    .collect::<Result<_, String>>()?,
            ),
            other => other.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_names_env_and_escapes() {
        let mut v = Vars::default();
        v.set("who", "A.n");
        assert_eq!(v.fill("hi ${who}, $${who}").as_deref(), Ok("hi A.n, ${who}"));
        assert_eq!(v.fill_regex("^${who}$").as_deref(), Ok(r"^A\.n$"));
        assert_eq!(v.fill("${nope}"), Err("${nope} has no value yet".into()));
        assert!(v.fill("${env.PATH}").is_ok_and(|p| !p.is_empty()));
        let known = BTreeSet::from(["who".to_owned()]);
        assert!(check("${who} ${run} $${x}", &known).is_ok());
        assert!(check("${x}", &known).is_err_and(|e| e.starts_with("${x} is not set")));
        assert!(check("${env.EGAIN_SURELY_UNSET_VARIABLE}", &known).is_err());
    }
}
