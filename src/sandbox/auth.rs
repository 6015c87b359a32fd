//! The sandbox's OAuth2 token endpoint (client credentials) and the bearer
//! and scope checks every API operation makes.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::Form;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use serde_json::{Value, json};

use super::SharedState;
use super::error::{HubError, HubResult, codes};
use super::fidelity::ScopeForm;

/// The four application scopes, bare (the `https://api.egain.cloud/auth/` prefix is optional).
pub const SCOPE_MANAGE: &str = "app.conversation.conversationmgr.manage";
pub const SCOPE_READ: &str = "app.conversation.conversationmgr.read";
pub const SCOPE_INTERACTION_MANAGE: &str = "app.conversation.conversationmgr.interaction.manage";
pub const SCOPE_INTERACTION_READ: &str = "app.conversation.conversationmgr.interaction.read";
pub const ALL_SCOPES: [&str; 4] = [
    SCOPE_MANAGE,
    SCOPE_READ,
    SCOPE_INTERACTION_MANAGE,
    SCOPE_INTERACTION_READ,
];
/// Prefix classic tenants put before scope names.
pub const SCOPE_PREFIX: &str = "https://api.egain.cloud/auth/";

/// What an operation needs: any one of the listed scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Manage,
    ManageOrRead,
    InteractionManage,
    InteractionManageOrRead,
}

impl Need {
    fn scopes(self) -> &'static [&'static str] {
        match self {
            Need::Manage => &[SCOPE_MANAGE],
            Need::ManageOrRead => &[SCOPE_MANAGE, SCOPE_READ],
            Need::InteractionManage => &[SCOPE_INTERACTION_MANAGE],
            Need::InteractionManageOrRead => &[SCOPE_INTERACTION_MANAGE, SCOPE_INTERACTION_READ],
        }
    }
}

/// Strip the optional classic prefix from a scope name.
pub fn bare_scope(scope: &str) -> &str {
    scope.strip_prefix(SCOPE_PREFIX).unwrap_or(scope)
}

struct Grant {
    scopes: Vec<String>,
    /// `None`: past what `Instant` can represent, so never.
    expires: Option<Instant>,
}

impl Grant {
    fn live(&self, now: Instant) -> bool {
        self.expires.is_none_or(|e| e > now)
    }
}

/// Issued bearer tokens.
#[derive(Default)]
pub struct TokenTable {
    grants: HashMap<String, Grant>,
}

impl TokenTable {
    fn issue(&mut self, scopes: Vec<String>, lifetime: Duration) -> String {
        let now = Instant::now();
        self.grants.retain(|_, g| g.live(now));
        let token = format!("sbx.{}", uuid::Uuid::new_v4().simple());
        self.grants.insert(
            token.clone(),
            Grant {
                scopes,
                expires: now.checked_add(lifetime),
            },
        );
        token
    }

    /// Invalidate every issued token, as a tenant may at any time (tests use
    /// this to prove the client's refresh-and-retry).
    pub fn revoke_all(&mut self) {
        self.grants.clear();
    }

    fn check(&self, token: &str, need: Need) -> HubResult<()> {
        let grant = self
            .grants
            .get(token)
            .filter(|g| g.live(Instant::now()))
            .ok_or_else(HubError::unauthorized)?;
        if need.scopes().iter().any(|s| grant.scopes.iter().any(|g| g == s)) {
            Ok(())
        } else {
            Err(HubError::forbidden(&need.scopes().join(" or ")))
        }
    }
}

impl super::SandboxState {
    /// Check the bearer token of a request against what the operation needs.
    pub fn authorize(&self, headers: &HeaderMap, need: Need) -> HubResult<()> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or_else(HubError::unauthorized)?;
        self.tokens.lock().unwrap_or_else(|e| e.into_inner()).check(token, need)
    }
}

#[derive(Deserialize)]
pub(super) struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
}

/// An OAuth2 error (RFC 6749 `error`, `error_description`) that also carries
/// eGain's `code` and `developerMessage`, so clients of either shape read it.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> (StatusCode, Json<Value>) {
    let code = match status {
        StatusCode::UNAUTHORIZED => codes::UNAUTHORIZED.to_owned(),
        _ => format!("{}-101", status.as_u16()),
    };
    (
        status,
        Json(json!({
            "error": error,
            "error_description": description,
            "code": code,
            "developerMessage": description,
        })),
    )
}

/// `POST .../oauth2/token`: client credentials grant, form encoded. `scope`
/// is required (the vendor's guide marks it so); with a scope form set, only
/// names of that form are known, as on a tenant of that generation.
pub(super) async fn token(
    State(state): State<SharedState>,
    req: Result<Form<TokenRequest>, axum::extract::rejection::FormRejection>,
) -> Result<Json<Value>, (StatusCode, Json<Value>)> {
    let Form(req) = req.map_err(|e| oauth_error(e.status(), "invalid_request", &e.body_text()))?;
    if req.grant_type.as_deref() != Some("client_credentials") {
        return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        ));
    }
    let creds = &state.config.credentials;
    if req.client_id.as_deref() != Some(creds.client_id.as_str())
        || req.client_secret.as_deref() != Some(creds.client_secret.as_str())
    {
        return Err(oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client or wrong secret",
        ));
    }
    let form = state.config.fidelity.scope_form;
    let mut scopes: Vec<String> = Vec::new();
    for given in req.scope.as_deref().unwrap_or("").split_whitespace() {
        let bare = bare_scope(given);
        let prefixed = bare.len() != given.len();
        let form_ok = match form {
            ScopeForm::Any => true,
            ScopeForm::Prefixed => prefixed,
            ScopeForm::Bare => !prefixed,
        };
        if !ALL_SCOPES.contains(&bare) || !form_ok {
            let hint = match form {
                ScopeForm::Prefixed => format!(" (this tenant expects {SCOPE_PREFIX}{bare})"),
                ScopeForm::Bare if prefixed => format!(" (this tenant expects the bare name {bare})"),
                _ => String::new(),
            };
            return Err(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                &format!("unknown scope {given}{hint}"),
            ));
        }
        scopes.push(bare.to_owned());
    }
    if scopes.is_empty() {
        return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "scope is required: name the scopes to grant, space separated",
        ));
    }
    let lifetime = state.config.faults.token_lifetime;
    let scope_text = scopes.join(" ");
    let token = state
        .tokens
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .issue(scopes, lifetime);
    Ok(Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": lifetime.as_secs(),
        "scope": scope_text,
    })))
}

impl super::SandboxState {
    /// Query parameters an operation does not take: 400-101 (documented in
    /// sibling eGain APIs, assumed here), or a warning, per
    /// [`keys::UNKNOWN_QUERY`](super::fidelity::keys::UNKNOWN_QUERY).
    pub fn check_query(&self, params: &HashMap<String, String>, allowed: &[&str]) -> HubResult<()> {
        match params.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => self.assume(super::fidelity::keys::UNKNOWN_QUERY, || {
                HubError::bad_request(
                    codes::UNSUPPORTED_PARAMETER,
                    format!("Unsupported query parameter(s): {k}"),
                )
            }),
            None => Ok(()),
        }
    }
}
