//! How closely the sandbox holds clients to the spec's *unverified* model.
//!
//! Every `x-unverified` assumption the sandbox enforces is listed once, in
//! [`ASSUMPTIONS`], with the switch that controls it. Each switch has a level:
//! `error` refuses the request as a strict tenant might, `warn` accepts it and
//! reports the deviation (an `X-Sandbox-Warning` response header, the
//! sandbox log and `GET /sandbox/warnings`), `off` says nothing. The default
//! accepts what the vendor's own examples send; `strict` makes every switch
//! `error`; single switches can be overridden either way without a rebuild.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

use super::SharedState;
use super::clock::now_iso;
use super::error::{HubError, HubResult};

/// What the sandbox does when a request departs from an assumption.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Off,
    Warn,
    Error,
}

impl std::str::FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "off" => Ok(Level::Off),
            "warn" => Ok(Level::Warn),
            "error" => Ok(Level::Error),
            other => Err(format!("'{other}' is not a level: use error, warn or off")),
        }
    }
}

/// One enforced assumption.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Assumption {
    /// The switch name (`[sandbox.assume]` key, `--assume NAME=LEVEL`).
    pub key: &'static str,
    /// Where the spec states it (its README "Unverified / assumed" item).
    pub spec: &'static str,
    /// What a request must do to satisfy it.
    pub rule: &'static str,
    /// Level when neither `strict` nor an override applies.
    pub default: Level,
}

/// Switch names, so call sites cannot misspell them.
pub mod keys {
    pub const STRICT_REQUIRED: &str = "strict-required";
    pub const STALE_MODIFIED: &str = "stale-modified";
    pub const ASSET_CHANNEL: &str = "asset-channel-known";
    pub const UPLOAD_METHOD: &str = "upload-method";
    pub const UPLOAD_BODY: &str = "upload-raw-body";
    pub const DELETE_REFERENCED: &str = "delete-referenced";
    pub const NULL_ATTRIBUTES: &str = "null-attributes";
    pub const IDLE_TIMEOUT: &str = "idle-timeout-range";
    pub const UNKNOWN_QUERY: &str = "unknown-query-parameters";
    pub const SEND_CONTEXT: &str = "send-message-context";
    pub const AUTHENTICATION_READ_SCOPE: &str = "authentication-read-scope";
    pub const ASSET_NOT_FOUND: &str = "asset-not-found-404";
}

/// Every `x-unverified` assumption the sandbox enforces, with its switch.
pub const ASSUMPTIONS: &[Assumption] = &[
    Assumption {
        key: keys::STRICT_REQUIRED,
        spec: "fields marked x-strict-required (README items 3, 9), e.g. oauth2.tokenRequestUrl",
        rule: "fields the spec requires only in strict mode are present",
        default: Level::Warn,
    },
    Assumption {
        key: keys::STALE_MODIFIED,
        spec: "README item 11 (ModifiedStamp)",
        rule: "a PUT that carries `modified` carries the stored value (optimistic locking, 400-150)",
        default: Level::Warn,
    },
    Assumption {
        key: keys::ASSET_CHANNEL,
        spec: "README asset flow step 1 (Asset create channel.type -> Channel.type)",
        rule: "POST /assets names the type of an existing channel (the vendor's example uses `sms`)",
        default: Level::Warn,
    },
    Assumption {
        key: keys::UPLOAD_METHOD,
        spec: "README item 19 (asset upload)",
        rule: "the upload to contentUrl is a POST (the signature says so); PUT is accepted when not `error`",
        default: Level::Warn,
    },
    Assumption {
        key: keys::UPLOAD_BODY,
        spec: "README item 19 (asset upload)",
        rule: "the upload body is the raw file; a multipart/form-data body's first file part is accepted when not `error`",
        default: Level::Warn,
    },
    Assumption {
        key: keys::DELETE_REFERENCED,
        spec: "README item 12",
        rule: "an object other objects still reference cannot be deleted (400-148)",
        default: Level::Error,
    },
    Assumption {
        key: keys::NULL_ATTRIBUTES,
        spec: "README entities (no null values appear in any vendor example)",
        rule: "optional attributes are omitted rather than sent as null; nulls are dropped when not `error`",
        default: Level::Warn,
    },
    Assumption {
        key: keys::IDLE_TIMEOUT,
        spec: "README item 9 (chatConfigurations.timeout, minutes)",
        rule: "the idle timeout is at most 525600 minutes (a year); longer means no idle timeout when not `error`",
        default: Level::Warn,
    },
    Assumption {
        key: keys::UNKNOWN_QUERY,
        spec: "README error model (400-101, seen in sibling APIs) and item 21 ($pagenum, $pagesize)",
        rule: "an operation is sent only the query parameters it takes (400-101)",
        default: Level::Error,
    },
    Assumption {
        key: keys::SEND_CONTEXT,
        spec: "README item 13 (inner fields of the send-message request)",
        rule: "a customer's first message names conversation.customer.contacts.contact[] and conversation.entryPoint.id (400-143); \
               when not `error` the conversation starts without them. conversation.account (address, channel.type) is always needed: \
               it is how the hub finds the account",
        default: Level::Warn,
    },
    Assumption {
        key: keys::AUTHENTICATION_READ_SCOPE,
        spec: "README item 4 (scope of GET /authentications/{id})",
        rule: "reading one authentication takes the manage scope, as listing them is documented to (403-101); \
               when not `error` the read scope is accepted too",
        default: Level::Warn,
    },
    Assumption {
        key: keys::ASSET_NOT_FOUND,
        spec: "README item 22 (GET /assets/{id} lists only 400, 401 and 403)",
        rule: "GET /assets/{id} of an unknown asset answers 404-101; when not `error` it answers 400-146, a status the vendor lists",
        default: Level::Warn,
    },
];

/// Which scope names the token endpoint accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScopeForm {
    /// Bare or prefixed, as the spec's README suggests a client should send either.
    #[default]
    Any,
    /// Only `https://api.egain.cloud/auth/app.…` (classic tenants).
    Prefixed,
    /// Only `app.…` (newer "ai" tenants).
    Bare,
}

impl std::str::FromStr for ScopeForm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "any" => Ok(ScopeForm::Any),
            "prefixed" => Ok(ScopeForm::Prefixed),
            "bare" => Ok(ScopeForm::Bare),
            other => Err(format!("'{other}' is not a scope form: use any, prefixed or bare")),
        }
    }
}

/// The strictness settings of one sandbox run.
#[derive(Debug, Clone, Default)]
pub struct Fidelity {
    /// Every assumption is an error unless overridden.
    pub strict: bool,
    /// Per-switch levels, by [`Assumption::key`].
    pub overrides: BTreeMap<String, Level>,
    pub scope_form: ScopeForm,
    /// Also print each warning on stderr (the standalone server's log).
    pub log_to_stderr: bool,
}

impl Fidelity {
    /// An override for a switch; unknown names are refused, naming the known ones.
    pub fn set(&mut self, key: &str, level: Level) -> Result<(), String> {
        if ASSUMPTIONS.iter().any(|a| a.key == key) {
            self.overrides.insert(key.to_owned(), level);
            Ok(())
        } else {
            let known: Vec<&str> = ASSUMPTIONS.iter().map(|a| a.key).collect();
            Err(format!("unknown assumption '{key}' (known: {})", known.join(", ")))
        }
    }

    pub fn level(&self, key: &str) -> Level {
        if let Some(level) = self.overrides.get(key) {
            return *level;
        }
        if self.strict {
            return Level::Error;
        }
        ASSUMPTIONS
            .iter()
            .find(|a| a.key == key)
            .map_or(Level::Error, |a| a.default)
    }
}

/// One reported deviation.
#[derive(Debug, Clone, Serialize)]
pub struct Warning {
    pub time: String,
    pub assumption: String,
    /// `METHOD /path` of the request that deviated.
    pub request: String,
    pub message: String,
}

/// The most recent warnings, for `GET /sandbox/warnings`.
#[derive(Debug, Default)]
pub struct WarningLog {
    entries: Mutex<VecDeque<Warning>>,
}

const WARNING_LOG_SIZE: usize = 500;

impl WarningLog {
    fn push(&self, warning: Warning) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() == WARNING_LOG_SIZE {
            entries.pop_front();
        }
        entries.push_back(warning);
    }

    pub fn snapshot(&self) -> Vec<Warning> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }
}

tokio::task_local! {
    /// Warnings raised while handling the current request.
    static PENDING: std::cell::RefCell<Vec<String>>;
    static REQUEST: String;
}

impl super::SandboxState {
    /// Apply an assumption: `Err` at `error` (the given refusal), a reported
    /// warning at `warn`, nothing at `off`.
    pub fn assume(&self, key: &str, refusal: impl FnOnce() -> HubError) -> HubResult<()> {
        match self.config.fidelity.level(key) {
            Level::Off => Ok(()),
            Level::Error => Err(refusal()),
            Level::Warn => {
                self.warn(key, &refusal().body.developer_message);
                Ok(())
            }
        }
    }

    /// Report a deviation: response header, log, `GET /sandbox/warnings`.
    pub fn warn(&self, key: &str, message: &str) {
        let request = REQUEST.try_with(Clone::clone).unwrap_or_default();
        let text = format!("{key}: {message}");
        // One request reports a deviation once, however many checks see it.
        let repeated = PENDING
            .try_with(|p| {
                let mut pending = p.borrow_mut();
                let seen = pending.contains(&text);
                if !seen {
                    pending.push(text.clone());
                }
                seen
            })
            .unwrap_or(false);
        if repeated {
            return;
        }
        if self.config.fidelity.log_to_stderr {
            eprintln!("sandbox warning [{request}] {text}");
        }
        self.warnings.push(Warning {
            time: now_iso(),
            assumption: key.to_owned(),
            request,
            message: message.to_owned(),
        });
    }
}

/// Middleware: collect the request's warnings into `X-Sandbox-Warning` headers.
pub(super) async fn collect(State(_state): State<SharedState>, req: Request, next: Next) -> Response {
    let request = format!("{} {}", req.method(), req.uri().path());
    let (mut response, warnings) = PENDING
        .scope(std::cell::RefCell::new(Vec::new()), async move {
            let response = REQUEST.scope(request, next.run(req)).await;
            (response, PENDING.with(|p| p.take()))
        })
        .await;
    for warning in warnings {
        let ascii: String = warning
            .chars()
            .map(|c| if c.is_ascii() && !c.is_ascii_control() { c } else { '?' })
            .collect();
        if let Ok(value) = HeaderValue::from_str(&ascii) {
            response.headers_mut().append(WARNING_HEADER, value);
        }
    }
    response
}

/// Response header naming each deviation the request made.
pub const WARNING_HEADER: &str = "x-sandbox-warning";

/// `GET /sandbox/warnings`: what a real tenant might refuse, and every switch.
pub(super) async fn list(State(state): State<SharedState>) -> axum::Json<serde_json::Value> {
    let fidelity = &state.config.fidelity;
    let switches: Vec<serde_json::Value> = ASSUMPTIONS
        .iter()
        .map(|a| {
            serde_json::json!({
                "assumption": a.key,
                "spec": a.spec,
                "rule": a.rule,
                "level": fidelity.level(a.key),
            })
        })
        .collect();
    axum::Json(serde_json::json!({
        "strict": fidelity.strict,
        "scopeForm": fidelity.scope_form,
        "assumptions": switches,
        "warnings": state.warnings.snapshot(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_and_overrides_decide_the_level() {
        let mut f = Fidelity::default();
        assert_eq!(f.level(keys::STALE_MODIFIED), Level::Warn);
        assert_eq!(f.level(keys::DELETE_REFERENCED), Level::Error);
        f.strict = true;
        assert_eq!(f.level(keys::STALE_MODIFIED), Level::Error);
        f.set(keys::STALE_MODIFIED, Level::Off).unwrap();
        assert_eq!(f.level(keys::STALE_MODIFIED), Level::Off);
        assert!(f.set("no-such", Level::Off).unwrap_err().contains("stale-modified"));
    }
}
