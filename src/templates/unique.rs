//! Values a new object must not share with the objects already there: the
//! name of every kind (a channel's `type`, and its `displayName` so the two
//! channels can be told apart on screen), and an account's `address` on its
//! channel (messages find their account by that pair). A taken value gets
//! the first free numeric suffix: `Demo Chat` → `Demo Chat 2`,
//! `custom.demo-1` → `custom.demo-2`, `demo@x.com` → `demo-2@x.com`,
//! `+15550100001` → `+15550100002`. Pure and deterministic: the same loaded
//! lists give the same values.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::api::models::EntityKind;

/// The objects already there, per kind (the console's loaded lists).
pub trait Existing {
    fn existing(&self, kind: EntityKind) -> &[Value];
}

impl Existing for std::collections::BTreeMap<EntityKind, Vec<Value>> {
    fn existing(&self, kind: EntityKind) -> &[Value] {
        self.get(&kind).map(Vec::as_slice).unwrap_or_default()
    }
}

/// One field of a new body that an existing object already uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collision {
    /// Top-level field, e.g. `name`, `type`, `address`.
    pub field: &'static str,
    pub value: String,
}

/// The fields of `kind` that must be unique (the sandbox's rules, which
/// follow the spec: names per kind, channel types, account address per channel).
pub fn fields(kind: EntityKind) -> &'static [&'static str] {
    match kind {
        EntityKind::Channel => &["type", "displayName"],
        EntityKind::Account => &["name", "address"],
        _ => &["name"],
    }
}

/// The unique values the objects of one kind already use, lower-cased (a
/// tenant may compare case-insensitively; being stricter than the sandbox
/// costs nothing). Built once per list so checking many candidates is cheap.
#[derive(Debug, Clone, Default)]
pub struct Taken {
    kind: Option<EntityKind>,
    /// Per field of [`fields`] but an account's address.
    values: Vec<(&'static str, HashSet<String>)>,
    /// Account addresses per channel id: an address is taken only on its channel.
    addresses: HashMap<String, HashSet<String>>,
}

fn channel_of(v: &Value) -> Option<&str> {
    v.pointer("/channel/id").and_then(Value::as_str)
}

impl Taken {
    pub fn of(kind: EntityKind, existing: &[Value]) -> Self {
        let text = |v: &Value, field: &str| v.get(field).and_then(Value::as_str).map(str::to_lowercase);
        let mut taken = Self {
            kind: Some(kind),
            ..Self::default()
        };
        for field in fields(kind) {
            if kind == EntityKind::Account && *field == "address" {
                for v in existing {
                    if let (Some(channel), Some(address)) = (channel_of(v), text(v, field)) {
                        taken.addresses.entry(channel.to_owned()).or_default().insert(address);
                    }
                }
            } else {
                taken
                    .values
                    .push((field, existing.iter().filter_map(|v| text(v, field)).collect()));
            }
        }
        taken
    }

    /// Whether `value` of `field` (not an account's address, which depends
    /// on its channel: see [`Taken::collisions`]) is taken.
    pub fn is_taken(&self, field: &str, value: &str) -> bool {
        self.contains(field, &Value::Null, value)
    }

    /// Whether `value` of `field` is taken for `body` (whose channel counts for an address).
    fn contains(&self, field: &str, body: &Value, value: &str) -> bool {
        let value = value.to_lowercase();
        if self.kind == Some(EntityKind::Account) && field == "address" {
            return channel_of(body)
                .and_then(|c| self.addresses.get(c))
                .is_some_and(|set| set.contains(&value));
        }
        self.values.iter().any(|(f, set)| *f == field && set.contains(&value))
    }

    /// The unique fields of `body` already used.
    pub fn collisions(&self, body: &Value) -> Vec<Collision> {
        let Some(kind) = self.kind else {
            return Vec::new();
        };
        fields(kind)
            .iter()
            .filter_map(|field| {
                let value = body.get(*field)?.as_str()?;
                self.contains(field, body, value).then(|| Collision {
                    field,
                    value: value.to_owned(),
                })
            })
            .collect()
    }
}

/// The unique fields of `body` that `existing` objects already use.
pub fn collisions(kind: EntityKind, body: &Value, existing: &[Value]) -> Vec<Collision> {
    Taken::of(kind, existing).collisions(body)
}

/// Give every taken unique field of `body` its first free suffix; returns
/// one line per change (`$.name: "Demo Chat" is taken, using "Demo Chat 2"`)
/// for the editor to show.
pub fn avoid_collisions(kind: EntityKind, body: &mut Value, existing: &[Value]) -> Vec<String> {
    let taken = Taken::of(kind, existing);
    let mut changes = Vec::new();
    for Collision { field, value } in taken.collisions(body) {
        let free = first_free(&value, |v| taken.contains(field, body, v));
        changes.push(format!("$.{field}: \"{value}\" is taken, using \"{free}\""));
        body[field] = Value::String(free);
    }
    changes
}

/// `value` if free, else the first free of its numbered successors.
pub fn first_free(value: &str, is_taken: impl Fn(&str) -> bool) -> String {
    if !is_taken(value) {
        return value.to_owned();
    }
    let numbered = Numbered::parse(value);
    // Every taken value blocks one number at most, so this ends.
    (1u64..)
        .map(|k| numbered.nth(k))
        .find(|v| !is_taken(v))
        .unwrap_or_else(|| value.to_owned())
}

/// A value split around the number that a suffix bumps.
struct Numbered<'a> {
    /// Text before the number (or the whole part when it has none).
    stem: &'a str,
    /// The trailing number and its width (leading zeros kept), if any.
    number: Option<(u64, usize)>,
    /// What follows the numbered part: an e-mail's `@domain`.
    tail: &'a str,
}

impl<'a> Numbered<'a> {
    fn parse(value: &'a str) -> Self {
        // In an e-mail address the local part is numbered.
        let (part, tail) = match value.rfind('@') {
            Some(at) if at > 0 => value.split_at(at),
            _ => (value, ""),
        };
        let digits = part.bytes().rev().take_while(u8::is_ascii_digit).count().min(18);
        let (stem, number) = part.split_at(part.len() - digits);
        Self {
            stem,
            number: number.parse().ok().map(|n| (n, digits)),
            tail,
        }
    }

    /// The `k`-th successor (k ≥ 1): the number plus k, or suffix `k + 1`.
    fn nth(&self, k: u64) -> String {
        let (stem, tail) = (self.stem, self.tail);
        match self.number {
            Some((n, width)) => format!("{stem}{:0width$}{tail}", n.saturating_add(k)),
            None => {
                let sep = if stem.contains(' ') { ' ' } else { '-' };
                format!("{stem}{sep}{}{tail}", k + 1)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn taken_of<'a>(values: &'a [&'a str]) -> impl Fn(&str) -> bool + 'a {
        move |v| values.iter().any(|t| t.eq_ignore_ascii_case(v))
    }

    #[test]
    fn first_free_numbers_names_identifiers_emails_and_phone_numbers() {
        assert_eq!(first_free("Demo Chat", taken_of(&[])), "Demo Chat");
        assert_eq!(first_free("Demo Chat", taken_of(&["demo chat"])), "Demo Chat 2");
        assert_eq!(
            first_free("Demo Chat", taken_of(&["Demo Chat", "Demo Chat 2"])),
            "Demo Chat 3"
        );
        assert_eq!(
            first_free("Console Chat 1", taken_of(&["Console Chat 1"])),
            "Console Chat 2"
        );
        assert_eq!(first_free("custom.demo", taken_of(&["custom.demo"])), "custom.demo-2");
        assert_eq!(
            first_free(
                "demo@sandbox.local",
                taken_of(&["demo@sandbox.local", "demo-2@sandbox.local"])
            ),
            "demo-3@sandbox.local"
        );
        assert_eq!(first_free("+15550100001", taken_of(&["+15550100001"])), "+15550100002");
        assert_eq!(first_free("agent-007", taken_of(&["agent-007"])), "agent-008");
        // The first free suffix, not one past the highest.
        assert_eq!(
            first_free("My App", taken_of(&["My App", "My App 3"])),
            "My App 2",
            "deterministic: first gap"
        );
    }

    #[test]
    fn a_channel_gets_a_free_type_and_display_name_an_account_a_free_address_on_its_channel() {
        let channels = [json!({"id": "c1", "type": "custom.demo", "displayName": "Demo Chat"})];
        let mut body = json!({"type": "custom.demo", "displayName": "Demo Chat", "icon": "x"});
        let changes = avoid_collisions(EntityKind::Channel, &mut body, &channels);
        assert_eq!(body["type"], "custom.demo-2");
        assert_eq!(body["displayName"], "Demo Chat 2");
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert!(collisions(EntityKind::Channel, &body, &channels).is_empty());

        let accounts = [
            json!({"name": "Demo Account", "address": "demo@x.com", "channel": {"id": "c1"}}),
            json!({"name": "Other", "address": "free@x.com", "channel": {"id": "c2"}}),
        ];
        let mut body = json!({"name": "Demo Account", "address": "demo@x.com", "channel": {"id": "c1"}});
        avoid_collisions(EntityKind::Account, &mut body, &accounts);
        assert_eq!(body["name"], "Demo Account 2");
        assert_eq!(body["address"], "demo-2@x.com");
        // The same address on another channel is free.
        let mut body = json!({"name": "New", "address": "free@x.com", "channel": {"id": "c1"}});
        assert!(avoid_collisions(EntityKind::Account, &mut body, &accounts).is_empty());
        assert_eq!(body["address"], "free@x.com");
    }

    #[test]
    fn free_values_are_left_alone() {
        let mut body = json!({"name": "Fresh", "other": "Demo"});
        let existing = [json!({"name": "Demo"})];
        assert!(avoid_collisions(EntityKind::Orchestration, &mut body, &existing).is_empty());
        assert_eq!(body, json!({"name": "Fresh", "other": "Demo"}));
    }
}
