//! What the user chooses for a guided setup; everything else comes from the
//! templates.

use crate::api::Secret;
use crate::templates::Bindings;
use crate::templates::placeholder::names;

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
            channel_type: format!("custom.console-{unique}"),
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
