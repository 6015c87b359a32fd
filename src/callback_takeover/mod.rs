//! Callback takeover: point one role of a live tenant's client application
//! at this console ("use this console for role X"), and put the original
//! callback back when the console exits.
//!
//! The change is a full `PUT` of the client application as read, with only
//! the role's `callback` (and, on request, its `authentication`) replaced,
//! so nothing else the tenant configured is lost. Before that `PUT`, a
//! pending restore is written to a [`Journal`] on disk; [`recover`] run at
//! start-up puts back whatever a crashed console left pointed at itself.
//! A restore never overwrites a callback someone else changed meanwhile.
//!
//! No UI here: the console shows a [`TakeoverPlan`] for confirmation, calls
//! [`apply`], and later [`restore`].

pub mod credentials;
mod journal;
mod lease;

use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::api::models::EntityKind;
use crate::api::{ApiError, Client};
pub use credentials::{CredentialsCheck, ReceiverCredentials};
pub use journal::{AuthenticationChange, JOURNAL_FILE, Journal, JournalError, PendingRestore};

/// Everything a takeover can fail with.
#[derive(Debug, thiserror::Error)]
pub enum TakeoverError {
    /// Refused before any request: the profile may not change the tenant.
    #[error(
        "read-only profile: pointing a role's callback at this console changes the client application; \
         use a profile without read_only"
    )]
    ReadOnly,
    /// The tenant refused or could not be reached (boxed: it is large).
    #[error(transparent)]
    Api(Box<ApiError>),
    #[error("client application \"{app}\" has no role \"{role}\" (its roles: {available})")]
    NoSuchRole {
        app: String,
        role: String,
        available: String,
    },
    /// The application's JSON lacks what a takeover needs.
    #[error("client application {app}: {detail}")]
    Malformed { app: String, detail: String },
    /// The role's callback changed between the plan shown and its confirmation.
    #[error("role \"{role}\" now calls back {found}, not {planned} as shown; review the change again")]
    ChangedSincePlan {
        role: String,
        planned: String,
        found: String,
    },
    /// The role already calls this console and no original is on record to restore later.
    #[error("role \"{role}\" already calls back {url}; there is no other callback to restore later")]
    AlreadyPointed { role: String, url: String },
    #[error("console URL \"{url}\": {detail}")]
    BadConsoleUrl { url: String, detail: String },
    #[error(transparent)]
    Journal(#[from] JournalError),
}

impl From<ApiError> for TakeoverError {
    fn from(e: ApiError) -> Self {
        TakeoverError::Api(Box::new(e))
    }
}

/// What a takeover would change, for the user to confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakeoverPlan {
    /// Tenant the change applies to (the client's base URL).
    pub base_url: String,
    pub app_id: String,
    pub app_name: String,
    pub role: String,
    /// The role's callback now (`None`: it has none).
    pub current_callback: Option<String>,
    /// The console's public URL for this role.
    pub new_callback: String,
    /// The role's authentication id now.
    pub current_authentication: Option<String>,
    /// Authentication id to set as well (see [`TakeoverPlan::with_authentication`]).
    pub new_authentication: Option<String>,
}

impl TakeoverPlan {
    /// Also point the role's `authentication` at `id` (e.g. one whose
    /// credentials the console's receiver expects); restored with the callback.
    pub fn with_authentication(mut self, id: impl Into<String>) -> Self {
        self.new_authentication = Some(id.into());
        self
    }
}

/// A takeover in force: its journal entry and the lease that marks this
/// console as alive. Dropping it without [`restore`] leaves the entry for
/// [`recover`], exactly as a crash would.
#[derive(Debug)]
pub struct ActiveTakeover {
    entry: PendingRestore,
    journal: Journal,
    _lease: Arc<lease::Lease>,
}

impl ActiveTakeover {
    pub fn entry(&self) -> &PendingRestore {
        &self.entry
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }
}

/// How restoring one pending entry went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreStatus {
    /// The original callback is back; the entry is gone.
    Restored,
    /// The role already had its original callback; the entry is gone.
    AlreadyOriginal,
    /// Someone pointed the role elsewhere since; left as found, entry gone.
    ChangedMeanwhile { found: Option<String> },
    /// The application or role no longer exists; entry gone.
    Gone,
    /// Another console that is still running made this change; entry kept.
    HeldByRunningConsole { pid: u32 },
    /// The tenant could not be read or updated; entry kept for the next start.
    Failed { error: String },
}

/// One pending entry and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreOutcome {
    pub entry: PendingRestore,
    pub status: RestoreStatus,
}

impl RestoreOutcome {
    /// Whether the journal no longer holds the entry.
    pub fn settled(&self) -> bool {
        !matches!(
            self.status,
            RestoreStatus::HeldByRunningConsole { .. } | RestoreStatus::Failed { .. }
        )
    }
}

/// Where the journal lives when nothing else is configured: the user's data directory.
pub fn default_state_dir() -> std::path::PathBuf {
    directories::ProjectDirs::from("cloud", "egain", "egain-console")
        .map(|d| d.data_dir().to_owned())
        .unwrap_or_else(|| std::env::temp_dir().join("egain-console"))
}

impl RestoreOutcome {
    /// The outcome in plain words, one line per role, e.g.
    /// `custom_agent callback of "Demo App" restored to https://...`.
    pub fn describe(&self) -> String {
        let e = &self.entry;
        let who = format!("{} callback of \"{}\"", e.role, e.app_name);
        let url = |u: &Option<String>| {
            u.as_deref()
                .map(crate::api::redact::text)
                .unwrap_or_else(|| "nothing (it had none)".into())
        };
        match &self.status {
            RestoreStatus::Restored => format!("{who} restored to {}", url(&e.original_callback)),
            RestoreStatus::AlreadyOriginal => format!(
                "{who}: nothing to restore (it already calls {})",
                url(&e.original_callback)
            ),
            RestoreStatus::ChangedMeanwhile { found } => format!(
                "{who}: left as found, someone pointed it at {} meanwhile; nothing restored",
                url(found)
            ),
            RestoreStatus::Gone => format!("{who}: nothing to restore, the application or role no longer exists"),
            RestoreStatus::HeldByRunningConsole { pid } => {
                format!("{who}: left to the console that made the change, still running (pid {pid})")
            }
            RestoreStatus::Failed { error } => format!("{who}: restore failed: {error} — will retry on next start"),
        }
    }
}

/// Read the application and describe the change, without making it.
pub async fn plan(client: &Client, app_id: &str, role: &str, console_url: &str) -> Result<TakeoverPlan, TakeoverError> {
    refuse_read_only(client)?;
    check_console_url(console_url)?;
    let app = client.get_raw(EntityKind::ClientApplication, app_id).await?;
    let found = find_role(&app, app_id, role)?;
    Ok(TakeoverPlan {
        base_url: client.base_url().to_owned(),
        app_id: app_id.to_owned(),
        app_name: app_name(&app),
        role: role.to_owned(),
        current_callback: callback_of(found),
        new_callback: console_url.to_owned(),
        current_authentication: found
            .get("authentication")
            .and_then(|a| a.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        new_authentication: None,
    })
}

/// Make the planned change: read the application again, record the pending
/// restore in the journal under `state_dir`, then `PUT` the application
/// with the role pointed at the console.
///
/// A journal entry left for the same role (a crashed run not yet
/// recovered) is replaced, keeping its original callback, which is the
/// one to go back to.
pub async fn apply(client: &Client, state_dir: &Path, plan: &TakeoverPlan) -> Result<ActiveTakeover, TakeoverError> {
    refuse_read_only(client)?;
    check_console_url(&plan.new_callback)?;
    let mut app = client.get_raw(EntityKind::ClientApplication, &plan.app_id).await?;
    let role = find_role(&app, &plan.app_id, &plan.role)?;
    let current = callback_of(role);
    if current != plan.current_callback {
        return Err(TakeoverError::ChangedSincePlan {
            role: plan.role.clone(),
            planned: plan.current_callback.clone().unwrap_or_else(|| "nothing".into()),
            found: current.unwrap_or_else(|| "nothing".into()),
        });
    }
    let current_auth = role.get("authentication").cloned();

    let journal = Journal::new(state_dir);
    let entry = PendingRestore {
        base_url: client.base_url().to_owned(),
        app_id: plan.app_id.clone(),
        app_name: app_name(&app),
        role: plan.role.clone(),
        original_callback: current.clone(),
        console_url: plan.new_callback.clone(),
        authentication: plan.new_authentication.as_ref().map(|ours| AuthenticationChange {
            original: current_auth,
            ours: ours.clone(),
        }),
        pid: std::process::id(),
        since: jiff::Timestamp::now(),
    };
    let ((entry, earlier), lease) = blocking({
        let journal = journal.clone();
        move || {
            let lease = lease::hold(journal.dir()).map_err(|e| JournalError {
                path: journal.dir().to_owned(),
                detail: format!(
                    "cannot take the console's lease: {}",
                    crate::io_error::reason(journal.dir(), crate::io_error::Access::Write, &e)
                ),
            })?;
            record(&journal, entry).map(|recorded| (recorded, lease))
        }
    })
    .await??;

    let role = find_role_mut(&mut app, &plan.app_id, &plan.role)?;
    role.insert("callback".into(), Value::String(plan.new_callback.clone()));
    if let Some(id) = &plan.new_authentication {
        role.insert("authentication".into(), json!({ "id": id }));
    }
    if let Err(e) = client
        .update_raw(EntityKind::ClientApplication, &plan.app_id, &app)
        .await
    {
        // Refused by the server: nothing changed, so nothing to restore. Any
        // other failure may have reached the tenant; the entry stays, and a
        // later restore finds out which.
        if matches!(e, ApiError::Api { .. }) {
            let _ = blocking(move || {
                journal.update(|pending| {
                    pending.retain(|x| !x.same_role(&entry));
                    pending.extend(earlier);
                })
            })
            .await;
        }
        return Err(e.into());
    }
    Ok(ActiveTakeover {
        entry,
        journal,
        _lease: lease,
    })
}

/// Put the original callback back (unless someone changed it meanwhile)
/// and drop the journal entry. On [`RestoreStatus::Failed`] the entry
/// stays: calling again, or [`recover`] at the next start, retries.
pub async fn restore(client: &Client, active: &ActiveTakeover) -> RestoreOutcome {
    restore_entry(client, &active.journal, active.entry.clone()).await
}

/// At start-up: restore every entry for this client's tenant left by a
/// console that is no longer running. Entries for other tenants, and those
/// of consoles still running, stay in the journal.
pub async fn recover(client: &Client, state_dir: &Path) -> Result<Vec<RestoreOutcome>, TakeoverError> {
    refuse_read_only(client)?;
    let journal = Journal::new(state_dir);
    let (entries, held) = blocking({
        let journal = journal.clone();
        move || {
            lease::sweep(journal.dir());
            journal.entries().map(|entries| {
                let held: Vec<bool> = entries
                    .iter()
                    .map(|e| lease::held_by_running_process(journal.dir(), e.pid))
                    .collect();
                (entries, held)
            })
        }
    })
    .await??;
    let mut outcomes = Vec::new();
    for (entry, held) in entries.into_iter().zip(held) {
        if entry.base_url != client.base_url() {
            continue;
        }
        if held {
            let pid = entry.pid;
            outcomes.push(RestoreOutcome {
                entry,
                status: RestoreStatus::HeldByRunningConsole { pid },
            });
        } else {
            outcomes.push(restore_entry(client, &journal, entry).await);
        }
    }
    Ok(outcomes)
}

/// At exit, on every path (`q`, a signal, a UI panic, an error): restore
/// every takeover this process made on this client's tenant, from the
/// journal, then drop this process's lease file when nothing of its own is
/// left to restore. The journal, not the UI's state, says what is active, so
/// nothing the UI lost track of is left behind.
pub async fn restore_own(client: &Client, state_dir: &Path) -> Result<Vec<RestoreOutcome>, TakeoverError> {
    let journal = Journal::new(state_dir);
    let own = std::process::id();
    let entries = blocking({
        let journal = journal.clone();
        move || journal.entries()
    })
    .await??;
    let mut outcomes = Vec::new();
    for entry in entries {
        if entry.pid == own && entry.base_url == client.base_url() {
            outcomes.push(restore_entry(client, &journal, entry).await);
        }
    }
    if outcomes.iter().all(RestoreOutcome::settled) {
        let dir = state_dir.to_owned();
        blocking(move || lease::release(&dir)).await?;
    }
    Ok(outcomes)
}

async fn restore_entry(client: &Client, journal: &Journal, entry: PendingRestore) -> RestoreOutcome {
    let status = match put_back(client, &entry).await {
        Ok(status) => status,
        Err(e) => RestoreStatus::Failed { error: e.to_string() },
    };
    let mut outcome = RestoreOutcome { entry, status };
    if outcome.settled() {
        let journal = journal.clone();
        let entry = outcome.entry.clone();
        let removed = blocking(move || journal.update(|p| p.retain(|x| x != &entry))).await;
        if let Err(e) = removed.and_then(|r| r.map_err(TakeoverError::from)) {
            // The tenant is fine; the stale entry will be found settled next time.
            outcome.status = RestoreStatus::Failed {
                error: format!("restored, but the journal entry could not be removed: {e}"),
            };
        }
    }
    outcome
}

/// Read the application and, if the role still calls the console, write
/// the original callback (and authentication) back.
async fn put_back(client: &Client, entry: &PendingRestore) -> Result<RestoreStatus, TakeoverError> {
    refuse_read_only(client)?;
    let mut app = match client.get_raw(EntityKind::ClientApplication, &entry.app_id).await {
        Ok(app) => app,
        Err(e) if e.status() == Some(404) => return Ok(RestoreStatus::Gone),
        Err(e) => return Err(e.into()),
    };
    let Ok(role) = find_role_mut(&mut app, &entry.app_id, &entry.role) else {
        return Ok(RestoreStatus::Gone);
    };
    let found = role.get("callback").and_then(Value::as_str).map(str::to_owned);
    if found.as_deref() != Some(entry.console_url.as_str()) {
        return Ok(if found == entry.original_callback {
            RestoreStatus::AlreadyOriginal
        } else {
            RestoreStatus::ChangedMeanwhile { found }
        });
    }
    match &entry.original_callback {
        Some(url) => role.insert("callback".into(), Value::String(url.clone())),
        None => role.remove("callback"),
    };
    if let Some(change) = &entry.authentication {
        let still_ours = role
            .get("authentication")
            .and_then(|a| a.get("id"))
            .and_then(Value::as_str)
            == Some(change.ours.as_str());
        if still_ours {
            match &change.original {
                Some(original) => role.insert("authentication".into(), original.clone()),
                None => role.remove("authentication"),
            };
        }
    }
    client
        .update_raw(EntityKind::ClientApplication, &entry.app_id, &app)
        .await?;
    Ok(RestoreStatus::Restored)
}

/// Add `entry`, replacing one for the same role and inheriting its
/// original; returns what was recorded and the entry it replaced.
fn record(
    journal: &Journal,
    mut entry: PendingRestore,
) -> Result<(PendingRestore, Option<PendingRestore>), TakeoverError> {
    journal.update(|pending| {
        let earlier = pending
            .iter()
            .position(|x| x.same_role(&entry))
            .map(|i| pending.remove(i));
        if let Some(earlier) = &earlier {
            entry.original_callback = earlier.original_callback.clone();
            if let (Some(now), Some(before)) = (&mut entry.authentication, &earlier.authentication) {
                now.original = before.original.clone();
            }
        }
        if entry.original_callback.as_deref() == Some(entry.console_url.as_str()) {
            pending.extend(earlier);
            return Err(TakeoverError::AlreadyPointed {
                role: entry.role.clone(),
                url: entry.console_url.clone(),
            });
        }
        pending.push(entry.clone());
        Ok((entry, earlier))
    })?
}

/// Run journal file work off the async threads.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, TakeoverError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        TakeoverError::Journal(JournalError {
            path: Default::default(),
            detail: format!("journal task failed: {e}"),
        })
    })
}

fn refuse_read_only(client: &Client) -> Result<(), TakeoverError> {
    if client.is_read_only() {
        Err(TakeoverError::ReadOnly)
    } else {
        Ok(())
    }
}

fn check_console_url(url: &str) -> Result<(), TakeoverError> {
    let bad = |detail: &str| TakeoverError::BadConsoleUrl {
        url: url.to_owned(),
        detail: detail.to_owned(),
    };
    let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad("the hub calls back over http or https only"));
    }
    Ok(())
}

fn app_name(app: &Value) -> String {
    app.get("name").and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn callback_of(role: &Map<String, Value>) -> Option<String> {
    role.get("callback").and_then(Value::as_str).map(str::to_owned)
}

fn roles<'a>(app: &'a Value, app_id: &str) -> Result<&'a Vec<Value>, TakeoverError> {
    app.get("roles")
        .and_then(Value::as_array)
        .ok_or_else(|| TakeoverError::Malformed {
            app: app_id.to_owned(),
            detail: "no roles array".into(),
        })
}

fn find_role<'a>(app: &'a Value, app_id: &str, role: &str) -> Result<&'a Map<String, Value>, TakeoverError> {
    let roles = roles(app, app_id)?;
    roles
        .iter()
        .filter_map(Value::as_object)
        .find(|r| r.get("name").and_then(Value::as_str) == Some(role))
        .ok_or_else(|| no_such_role(app, roles, role))
}

fn find_role_mut<'a>(
    app: &'a mut Value,
    app_id: &str,
    role: &str,
) -> Result<&'a mut Map<String, Value>, TakeoverError> {
    let error = match roles(app, app_id) {
        Ok(roles) => no_such_role(app, roles, role),
        Err(e) => return Err(e),
    };
    app.get_mut("roles")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
        .find(|r| r.get("name").and_then(Value::as_str) == Some(role))
        .ok_or(error)
}

fn no_such_role(app: &Value, roles: &[Value], role: &str) -> TakeoverError {
    let names: Vec<&str> = roles
        .iter()
        .filter_map(|r| r.get("name").and_then(Value::as_str))
        .collect();
    TakeoverError::NoSuchRole {
        app: app_name(app),
        role: role.to_owned(),
        available: if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        },
    }
}
