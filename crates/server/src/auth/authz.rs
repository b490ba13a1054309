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

impl Authz {
    fn requirement(&self, kind: &str) -> Option<&Requirement> {
        self.reqs.iter().find(|r| r.kind == kind)
    }

    /// Checks the requirements that need no handler knowledge: resourceless actions, and a single id
    /// given in the path (`value_of` returns a path parameter's value).
    pub fn enforce_static(&self, value_of: impl Fn(&str) -> Option<String>) -> Result<(), ApiError> {
        for req in &self.reqs {
            if req.kind == ANY {
                if !self.perms.allows_any(&req.action) {
                    return Err(denied(ANY));
                }
                continue;
            }
            if let Some(value) = req.param.as_deref().and_then(&value_of) {
                if !self.perms.allows(&req.action, &req.kind, &value, &|_| Vec::new()) {
                    return Err(denied(&req.kind));
                }
            }
        }
        Ok(())
    }

    /// Whether the endpoint's action on `kind` allows `id` (for filtering a listing).
    pub fn permits(&self, kind: &str, id: &str) -> bool {
        match self.requirement(kind) {
            Some(req) => self.perms.allows(&req.action, kind, id, &|_| Vec::new()),
            None => true,
        }
    }

    /// Whether the endpoint's action on `kind` allows every value (no per-item filtering needed).
    pub fn permits_everything(&self, kind: &str) -> bool {
        match self.requirement(kind) {
            Some(req) => self.perms.allows_everything(&req.action, kind),
            None => true,
        }
    }

    /// Like [`Authz::permits`] for an agent, whose `agent:group:…` entries match its groups.
    pub fn permits_agent(&self, id: &str, groups: &[String]) -> bool {
        match self.requirement("agent:id") {
            Some(req) => self.perms.allows(&req.action, "agent:id", id, &|_| groups.to_vec()),
            None => true,
        }
    }

    /// Splits ids the caller named explicitly into (allowed, denied). When every id is denied the
    /// request is refused (403), as upstream does; otherwise the denied ones become failed items.
    pub fn split_ids(&self, kind: &str, ids: Vec<String>) -> Result<(Vec<String>, Vec<String>), ApiError> {
        let (allowed, refused): (Vec<String>, Vec<String>) = ids.into_iter().partition(|id| self.permits(kind, id));
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
