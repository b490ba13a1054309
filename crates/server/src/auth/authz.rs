//! The authorization of one request: the caller's merged permissions and what the endpoint requires
//! (from [`rbac::requirements`]). The contract layer enforces resourceless and path-parameter
//! requirements before the handler runs; handlers use [`Authz::split_ids`] for explicit id lists and
//! [`Authz::permits`] to filter listings.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use oxsec_types::envelope::ItemError;
use oxsec_types::WazuhCode;

use crate::auth::rbac::{Permissions, Requirement, ANY};
use crate::error::ApiError;

/// Permissions plus the endpoint's requirements.
#[derive(Clone, Debug)]
pub struct Authz {
    /// The caller's merged permissions.
    pub perms: Arc<Permissions>,
    /// What the endpoint requires.
    pub reqs: Vec<Requirement>,
}

/// The 4000 error of a denied resource kind (`Permission denied: Resource type: user:id`).
pub fn denied(kind: &str) -> ApiError {
    ApiError::with_details(WazuhCode::PermissionDenied, format!("Resource type: {kind}"))
}

/// The failed-item error for ids denied by RBAC.
pub fn denied_item(kind: &str) -> ItemError {
    ItemError::with_details(WazuhCode::PermissionDenied, format!("Resource type: {kind}"))
}

/// The form a resource id takes in policies: numeric ids without leading zeros or signs (`0105` and
/// `+105` are user 105), agent ids zero-padded to three digits. Decisions are made on this form
/// and handlers parse the same value, so a spelling cannot slip past a deny.
pub fn canonical(kind: &str, raw: &str) -> String {
    match kind {
        "agent:id" => raw
            .parse::<u64>()
            .map_or_else(|_| raw.to_owned(), |n| format!("{n:03}")),
        "user:id" | "role:id" | "policy:id" | "rule:id" => {
            raw.parse::<i64>().map_or_else(|_| raw.to_owned(), |n| n.to_string())
        }
        _ => raw.to_owned(),
    }
}

impl Authz {
    fn requirements(&self, kind: &str) -> impl Iterator<Item = &Requirement> {
        let kind = kind.to_owned();
        self.reqs.iter().filter(move |r| r.kind == kind)
    }

    fn has_requirement(&self, kind: &str) -> bool {
        self.reqs.iter().any(|r| r.kind == kind)
    }

    /// Checks the requirements that need no handler knowledge: resourceless actions, and a single id
    /// given in the path (`value_of` returns a path parameter's value; `agent_groups` the groups
    /// of the agent in the path, for `agent:group:…` policies).
    pub fn enforce_static(
        &self,
        value_of: impl Fn(&str) -> Option<String>,
        agent_groups: &[String],
    ) -> Result<(), ApiError> {
        for req in &self.reqs {
            if req.kind == ANY {
                if !self.perms.allows_any(&req.action) {
                    return Err(denied(ANY));
                }
                continue;
            }
            if let Some(value) = req.param.as_deref().and_then(&value_of) {
                let value = canonical(&req.kind, &value);
                if !self
                    .perms
                    .allows(&req.action, &req.kind, &value, &|_| agent_groups.to_vec())
                {
                    return Err(denied(&req.kind));
                }
            }
        }
        Ok(())
    }

    /// Whether the endpoint's action on `kind` allows `id` (for filtering a listing).
    pub fn permits(&self, kind: &str, id: &str) -> bool {
        // Every action the endpoint needs on this kind must allow the id.
        let id = canonical(kind, id);
        self.requirements(kind)
            .all(|req| self.perms.allows(&req.action, kind, &id, &|_| Vec::new()))
    }

    /// Whether the endpoint's action on `kind` allows every value (no per-item filtering needed).
    pub fn permits_everything(&self, kind: &str) -> bool {
        self.requirements(kind)
            .all(|req| self.perms.allows_everything(&req.action, kind))
    }

    /// Like [`Authz::permits`] for an agent, whose `agent:group:…` entries match its groups.
    pub fn permits_agent(&self, id: &str, groups: &[String]) -> bool {
        let id = canonical("agent:id", id);
        self.requirements("agent:id")
            .all(|req| self.perms.allows(&req.action, "agent:id", &id, &|_| groups.to_vec()))
    }

    /// Splits ids the caller named explicitly into (allowed, denied). When every id is denied the
    /// request is refused (403), as upstream does; otherwise the denied ones become failed items.
    pub fn split_ids(&self, kind: &str, ids: Vec<String>) -> Result<(Vec<String>, Vec<String>), ApiError> {
        if !self.has_requirement(kind) {
            return Ok((ids, Vec::new()));
        }
        let ids = ids.into_iter().map(|id| canonical(kind, &id));
        let (allowed, refused): (Vec<String>, Vec<String>) = ids.partition(|id| self.permits(kind, id));
        if allowed.is_empty() && !refused.is_empty() {
            return Err(denied(kind));
        }
        Ok((allowed, refused))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Authz {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Authz>()
            .cloned()
            .ok_or_else(|| ApiError::Internal("no authorization for this route".into()))
    }
}
