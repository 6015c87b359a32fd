//! The account a scenario opens its conversation on, found by name (or the
//! tenant's only account) before any scenario runs, with what a first
//! message needs: address, channel type, entry point, attachment policy,
//! and the client application whose customer role receives the replies.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::api::models::{Account, AttachmentPolicy, Channel, EntityKind, Orchestration};
use crate::api::{Client, Paging};

/// Where a customer's first message goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub account_name: String,
    pub address: String,
    pub channel_type: String,
    pub entry_point: String,
    /// What the channel allows a customer to attach.
    pub policy: Option<AttachmentPolicy>,
    /// The client application whose `customer` role the hub calls back.
    pub customer_app: Option<String>,
}

/// Page size used to read whole lists.
const PAGE: u32 = 100;

/// Every object of a kind, all pages.
pub async fn list_all(client: &Client, kind: EntityKind) -> Result<Vec<Value>, String> {
    let mut items = Vec::new();
    for page in 1.. {
        let got = client
            .list_raw(
                kind,
                Paging {
                    page: Some(page),
                    size: Some(PAGE),
                },
            )
            .await
            .map_err(|e| format!("listing {kind}s: {e}"))?;
        let n = got.items.len() as u64;
        items.extend(got.items);
        let total = got.pagination.count;
        if n < u64::from(PAGE) || (total > 0 && items.len() as u64 >= total) {
            break;
        }
    }
    Ok(items)
}

fn typed<T: serde::de::DeserializeOwned>(items: Vec<Value>) -> Vec<T> {
    items
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect()
}

/// Why an account could not be used: which name (as asked; `None` the
/// tenant's only account), and why. `tenant`: the tenant could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    pub name: Option<String>,
    pub tenant: bool,
    pub message: String,
}

/// The targets of the named accounts (`None`: the only account), keyed as asked.
pub async fn resolve(
    client: &Client,
    names: impl IntoIterator<Item = Option<String>>,
) -> Result<BTreeMap<Option<String>, Target>, Unresolved> {
    let names: Vec<Option<String>> = names.into_iter().collect();
    let tenant = |message: String| Unresolved {
        name: None,
        tenant: true,
        message,
    };
    let accounts: Vec<Account> = typed(list_all(client, EntityKind::Account).await.map_err(tenant)?);
    let channels: Vec<Channel> = typed(list_all(client, EntityKind::Channel).await.map_err(tenant)?);
    let mut orchestrations: Option<Vec<Orchestration>> = None;
    let mut out = BTreeMap::new();
    for name in names {
        if out.contains_key(&name) {
            continue;
        }
        let unresolved = |message: String| Unresolved {
            name: name.clone(),
            tenant: false,
            message,
        };
        let account = match &name {
            Some(n) => accounts.iter().find(|a| a.name == *n).ok_or_else(|| {
                let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
                unresolved(format!(
                    "no account is named {n:?} (the tenant has: {})",
                    if names.is_empty() {
                        "none".into()
                    } else {
                        names.join(", ")
                    }
                ))
            })?,
            None => match accounts.as_slice() {
                [only] => only,
                [] => {
                    return Err(unresolved(
                        "the tenant has no account: create one, or name one with `account:`".into(),
                    ));
                }
                many => {
                    let names: Vec<&str> = many.iter().map(|a| a.name.as_str()).collect();
                    return Err(unresolved(format!(
                        "the tenant has {} accounts ({}): name one with `account:`",
                        many.len(),
                        names.join(", ")
                    )));
                }
            },
        };
        let channel = channels
            .iter()
            .find(|c| c.meta.id.as_deref() == Some(account.channel.id.as_str()))
            .ok_or_else(|| {
                unresolved(format!(
                    "account {:?} uses channel {}, which does not exist",
                    account.name, account.channel.id
                ))
            })?;
        if orchestrations.is_none() {
            orchestrations = Some(typed(
                list_all(client, EntityKind::Orchestration).await.map_err(tenant)?,
            ));
        }
        let customer_app = orchestrations
            .iter()
            .flatten()
            .find(|o| o.meta.id.as_deref() == Some(account.chat_configurations.orchestration.id.as_str()))
            .and_then(|o| o.applications.customer_configuration.as_ref())
            .map(|c| c.customer.id.clone());
        out.insert(
            name,
            Target {
                account_name: account.name.clone(),
                address: account.address.clone(),
                channel_type: channel.channel_type.clone(),
                entry_point: account.chat_configurations.entry_point.id.clone(),
                policy: channel
                    .restrictions
                    .as_ref()
                    .and_then(|r| r.inbound.as_ref())
                    .and_then(|r| r.attachment_policy.clone()),
                customer_app,
            },
        );
    }
    Ok(out)
}
