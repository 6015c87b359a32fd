//! What the user chooses for a guided setup; everything else comes from the
//! templates.

use serde_json::Value;

use crate::api::Secret;
use crate::api::models::EntityKind;
use crate::callback::ReceiverAuth;
use crate::templates::placeholder::names;
use crate::templates::{Bindings, Existing, Templates, unique};

/// User choices for a guided setup. [`Default`] gives a working set: a fresh
/// unique suffix, a `custom.console-<suffix>` channel and a random password.
#[derive(Debug, Clone)]
pub struct SetupInputs {
    /// Suffix that keeps the names of this setup's objects unique.
    pub unique: String,
    /// Business address customers write to (phone number, e-mail, ...).
    pub account_address: String,
    /// Channel type key; messages name the account by address + this type.
    pub channel_type: String,
    /// Base URL of the callbacks; each role defaults to `<base>/<role>`
    /// (`customer`, `bot`, `agent`).
    pub callback_base: String,
    /// Per-role callback URLs overriding `<base>/<role>`.
    pub customer_callback: Option<String>,
    pub bot_callback: Option<String>,
    pub agent_callback: Option<String>,
    /// Basic-auth credentials the hub sends to the callbacks.
    pub auth_username: String,
    pub auth_password: Secret,
    /// eGain chat entry point (defined in eGain administration).
    pub entry_point: String,
}

impl Default for SetupInputs {
    fn default() -> Self {
        let bindings = Bindings::new();
        let unique = bindings.unique().unwrap_or("setup").to_owned();
        Self {
            account_address: "support@example.com".into(),
            channel_type: default_channel_type(&unique),
            callback_base: "https://callbacks.example.com/egain".into(),
            customer_callback: None,
            bot_callback: None,
            agent_callback: None,
            auth_username: "console".into(),
            auth_password: Secret::new(uuid::Uuid::new_v4().simple().to_string()),
            entry_point: "1001".into(),
            unique,
        }
    }
}

impl SetupInputs {
    /// Defaults wired to a sandbox's built-in counterparties: the bot and agent
    /// at `<root>/sandbox/bot|agent`, customer deliveries kept by
    /// `<root>/sandbox/inbox/customer`, so the account works with nothing else
    /// running.
    pub fn for_sandbox(root: &str) -> Self {
        let root = root.trim_end_matches('/');
        Self {
            callback_base: format!("{root}/sandbox"),
            customer_callback: Some(format!("{root}/sandbox/inbox/customer")),
            bot_callback: Some(format!("{root}/sandbox/bot")),
            agent_callback: Some(format!("{root}/sandbox/agent")),
            ..Self::default()
        }
    }

    /// Defaults for a tenant whose callbacks reach this console's receiver:
    /// each role calls the receiver's URL for it (`role_urls`, role name →
    /// URL), and a basic Authentication sends the receiver's own
    /// credentials, so the new account's replies arrive in the console.
    pub fn for_receiver(role_urls: &[(String, String)], auth: &ReceiverAuth) -> Self {
        let url = |role: &str| role_urls.iter().find(|(r, _)| r == role).map(|(_, u)| u.clone());
        let mut inputs = Self {
            customer_callback: url("customer"),
            bot_callback: url("custom_bot"),
            agent_callback: url("custom_agent"),
            ..Self::default()
        };
        if let Some(base) = inputs.customer_callback.as_deref().and_then(|u| u.rsplit_once('/')) {
            inputs.callback_base = base.0.to_owned();
        }
        if let ReceiverAuth::Basic { username, password } = auth {
            inputs.auth_username = username.clone();
            inputs.auth_password = password.clone();
        }
        inputs
    }

    /// These inputs with `unique` = `n`; a channel type derived from the
    /// old suffix (the default) follows it.
    pub fn numbered(&self, n: u64) -> Self {
        let (unique, channel_type) = self.numbered_values(n);
        Self {
            unique,
            channel_type,
            ..self.clone()
        }
    }

    /// `unique` and `channel_type` of [`SetupInputs::numbered`].
    fn numbered_values(&self, n: u64) -> (String, String) {
        let unique = n.to_string();
        let channel_type = if self.channel_type == default_channel_type(&self.unique) {
            default_channel_type(&unique)
        } else {
            self.channel_type.clone()
        };
        (unique, channel_type)
    }

    /// Numbered with the first `n` (from 1) whose objects of `kinds`,
    /// rendered from `templates` with `references`, take no name (channel
    /// type, ...) an `existing` object uses: the first setup is "Console
    /// Account 1", the next "Console Account 2". Deterministic.
    pub fn first_free(
        &self,
        templates: &Templates,
        kinds: &[EntityKind],
        references: &Bindings,
        existing: &dyn Existing,
    ) -> Self {
        let bindings = |inputs: &SetupInputs| {
            let mut b = inputs.bindings();
            b.extend(references);
            b
        };
        // Only unique fields that change with the number count (not a user
        // template's fixed name, nor the address, an input: `avoid_collisions`
        // suffixes those). Just those fields are rendered per number.
        let (one, two) = (bindings(&self.numbered(1)), bindings(&self.numbered(2)));
        let numbered: Vec<(unique::Taken, Vec<(&'static str, Value)>)> = kinds
            .iter()
            .map(|k| {
                let body = templates.get(*k).body();
                let fields = unique::fields(*k)
                    .iter()
                    .filter_map(|f| Some((*f, body.get(*f)?.clone())))
                    .filter(|(_, field)| one.render(field) != two.render(field))
                    .collect();
                (unique::Taken::of(*k, existing.existing(*k)), fields)
            })
            .collect();
        // Each existing object blocks one number at most. Per number only
        // the two numbered values change: set them in one set of bindings.
        let bound = kinds.iter().map(|k| existing.existing(*k).len()).sum::<usize>() as u64 + 1;
        let mut b = bindings(self);
        let free = (1..=bound).find(|n| {
            let numbered_inputs = self.numbered_values(*n);
            b.set(names::UNIQUE, numbered_inputs.0)
                .set(names::CHANNEL_TYPE, numbered_inputs.1);
            numbered.iter().all(|(taken, fields)| {
                fields.iter().all(|(field, template)| match b.render(template) {
                    Value::String(value) => !taken.is_taken(field, &value),
                    _ => true,
                })
            })
        });
        self.numbered(free.unwrap_or(bound))
    }

    /// The value placeholders these inputs fill.
    pub fn bindings(&self) -> Bindings {
        let mut b = Bindings::empty();
        b.set(names::UNIQUE, &self.unique)
            .set(names::ACCOUNT_ADDRESS, &self.account_address)
            .set(names::CHANNEL_TYPE, &self.channel_type)
            .set(names::CALLBACK_BASE, &self.callback_base)
            .set(names::AUTH_USERNAME, &self.auth_username)
            .set(names::AUTH_PASSWORD, self.auth_password.expose())
            .set(names::ENTRY_POINT, &self.entry_point);
        let roles = [
            (names::CALLBACK_CUSTOMER, &self.customer_callback),
            (names::CALLBACK_BOT, &self.bot_callback),
            (names::CALLBACK_AGENT, &self.agent_callback),
        ];
        for (name, url) in roles {
            if let Some(url) = url {
                b.set(name, url);
            }
        }
        b
    }
}

fn default_channel_type(unique: &str) -> String {
    format!("custom.console-{unique}")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    #[test]
    fn the_number_skips_taken_setups_and_ignores_what_it_cannot_change() {
        let templates = Templates::embedded();
        let inputs = SetupInputs::default();
        let channels = vec![
            json!({"type": "custom.console-1", "displayName": "a"}),
            json!({"type": "x", "displayName": "Console Chat 2"}),
        ];
        let existing: BTreeMap<EntityKind, Vec<Value>> = [(EntityKind::Channel, channels)].into();
        let got = inputs.first_free(&templates, &[EntityKind::Channel], &Bindings::empty(), &existing);
        assert_eq!(
            (got.unique.as_str(), got.channel_type.as_str()),
            ("3", "custom.console-3")
        );

        // The address is an input, the same for every number: it blocks none.
        let account = json!({"name": "Other", "address": inputs.account_address, "channel": {"id": "c"}});
        let existing: BTreeMap<EntityKind, Vec<Value>> = [(EntityKind::Account, vec![account])].into();
        let references = Bindings::empty().with("channel.id", "c");
        let got = inputs.first_free(&templates, &[EntityKind::Account], &references, &existing);
        assert_eq!(got.unique, "1");
    }
}
