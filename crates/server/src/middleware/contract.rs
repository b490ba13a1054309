//! The contract layer, run for every routed request: finds the operation in the embedded contract,
//! authenticates the caller as the operation requires, validates the query string strictly against
//! the declared parameters, and renders `pretty=true`.

use axum::body::Body;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use oxsec_types::WazuhCode;

use crate::auth::authz::Authz;
use crate::auth::caller::{self, Caller};
use crate::auth::rbac;
use crate::error::ApiError;
use crate::middleware::access_log::LoggedUser;
use crate::params::Params;
use crate::spec::{self, Auth};
use crate::state::AppState;

/// Largest response re-rendered for `pretty=true`; bigger ones are sent compact.
const PRETTY_LIMIT: usize = 64 * 1024 * 1024;

/// See the module docs.
pub async fn enforce(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_owned();
    let Some(path) = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()) else {
        return ApiError::NotFound.into_response();
    };
    let Some(op) = spec::contract().operation(&method, &path) else {
        return ApiError::Internal(format!("route {method} {path} has no contract entry")).into_response();
    };

    let mut user = None;
    let mut authz = None;
    if op.auth == Auth::Jwt {
        match caller::authenticate(&state, req.headers()).await {
            Ok(c) => {
                user = Some(c.username.clone());
                match authorization(&state, &c, op).await {
                    Ok(a) => authz = Some(a),
                    Err(e) => return with_user(e.into_response(), user),
                }
                req.extensions_mut().insert(c);
            }
            Err(e) => return e.into_response(),
        }
    }

    let pairs = crate::query_pairs(req.uri().query());
    let values = match op.validate_query(&pairs) {
        Ok(v) => v,
        Err(e) => return with_user(ApiError::from(e).into_response(), user),
    };
    // Upstream validates the whole request (query and body) before its RBAC decorators run, so a
    // malformed request is 400 whoever sends it; only then are permissions decided.
    // Path parameters are validated against the contract like the query (upstream answers 400).
    let (mut parts, body) = req.into_parts();
    let raw = axum::extract::RawPathParams::from_request_parts(&mut parts, &state).await;
    req = Request::from_parts(parts, body);
    let path_values: Vec<(String, String)> = match raw {
        Ok(raw) => raw.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
        // Fail closed: without the path parameters nothing can be validated or authorized.
        Err(_) => {
            return with_user(
                ApiError::Internal("path parameters unavailable".into()).into_response(),
                user,
            )
        }
    };
    for (name, value) in &path_values {
        if let Err(e) = op.validate_path(name, value) {
            return with_user(ApiError::from(e).into_response(), user);
        }
    }
    if let Some(schema) = &op.body_schema {
        let (parts, body) = req.into_parts();
        let limit = usize::try_from(state.config().max_upload_size).unwrap_or(usize::MAX);
        let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
            return with_user(
                ApiError::PayloadTooLarge {
                    limit: state.config().max_upload_size,
                }
                .into_response(),
                user,
            );
        };
        match crate::body::parse_and_validate(&bytes, schema) {
            Ok(value) => {
                req = Request::from_parts(parts, axum::body::Body::from(bytes));
                req.extensions_mut().insert(crate::body::ValidatedBody(value));
            }
            Err(e) => return with_user(e.into_response(), user),
        }
    }
    // Upstream's cluster operations ask the cluster for its nodes before permissions are decided.
    if crate::service::cluster::requires_running_cluster(&path) {
        if let Err(e) = crate::service::cluster::ensure_running(&state) {
            return with_user(e.into_response(), user);
        }
    }
    // Upstream's experimental controllers check the switch before permissions.
    if path.starts_with("/experimental/") && !state.config().experimental_features {
        return with_user(ApiError::code(WazuhCode::ExperimentalDisabled).into_response(), user);
    }
    // Upstream's controller checks the component/configuration pair before permissions too.
    if let (Some((_, component)), Some((_, configuration))) = (
        path_values.iter().find(|(k, _)| k == "component"),
        path_values.iter().find(|(k, _)| k == "configuration"),
    ) {
        if let Err(e) = crate::service::active_config::check_pair(component, configuration) {
            return with_user(e.into_response(), user);
        }
    }
    // Upstream's permission errors name this node only to callers allowed to read it.
    let denial_node = match &authz {
        Some(a)
            if a.perms
                .allows("cluster:read", "node:id", crate::node_name(), &|_| Vec::new()) =>
        {
            crate::node_name()
        }
        _ => crate::error::UNKNOWN_NODE,
    };
    if let Some(a) = authz {
        // Resourceless actions and a single id in the path are decided here, before the handler.
        let this_node = crate::service::cluster::local_name(&state);
        let lookup = |name: &str| {
            if name == rbac::THIS_NODE_PARAM {
                return Some(this_node.clone());
            }
            path_values.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        };
        // The groups of the agent named in the path, for `agent:group:…` policies.
        let agent_groups = match path_values
            .iter()
            .find(|(k, _)| k == "agent_id")
            .and_then(|(_, v)| v.parse::<i64>().ok())
        {
            // Callers allowed every agent (the administrator) need no lookup.
            Some(id) if a.reqs.iter().any(|r| r.kind == "agent:id") && !a.permits_everything("agent:id") => match state
                .store()
                .read(move |c| oxsec_store::models::agent::groups_of(c, &[id]))
                .await
            {
                Ok(mut groups) => groups.remove(&id).unwrap_or_default(),
                Err(e) => return with_user(ApiError::from(e).into_response(), user),
            },
            _ => Vec::new(),
        };
        if let Err(e) = a.enforce_static(lookup, &agent_groups) {
            let resp = crate::error::DENIAL_NODE.sync_scope(denial_node, || e.into_response());
            return with_user(resp, user);
        }
        req.extensions_mut().insert(a);
    }
    let params = Params::new(values);
    let pretty = params.flag("pretty");
    let wait = params.flag("wait_for_complete");
    req.extensions_mut().insert(params);

    let timeout = std::time::Duration::from_secs(state.config().intervals.request_timeout);
    // The handler runs as its own task: neither the request timeout nor a client that goes away
    // can cancel it half-way through a change (e.g. after a write but before the token revocation
    // it implies). On timeout the work still completes; the client gets 3021 as from Wazuh.
    let task = tokio::spawn(crate::error::DENIAL_NODE.scope(denial_node, next.run(req)));
    let joined = if wait {
        Ok(task.await)
    } else {
        tokio::time::timeout(timeout, task).await
    };
    let mut resp = match joined {
        Ok(Ok(resp)) => resp,
        Ok(Err(e)) => ApiError::Internal(format!("handler task failed: {e}")).into_response(),
        Err(_) => ApiError::code(WazuhCode::RequestTimeout).into_response(),
    };
    if user.is_none() {
        user = resp.extensions().get::<Caller>().map(|c| c.username.clone());
    }
    if pretty {
        resp = prettify(resp).await;
    }
    with_user(resp, user)
}

fn with_user(mut resp: Response, user: Option<String>) -> Response {
    if let Some(u) = user {
        resp.extensions_mut().insert(LoggedUser(u));
    }
    resp
}

/// Re-renders a JSON body indented, as Wazuh does for `pretty=true`.
async fn prettify(resp: Response) -> Response {
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("json"));
    if !is_json {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, PRETTY_LIMIT).await else {
        return ApiError::Internal("response too large to prettify".into()).into_response();
    };
    let rendered = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| crate::render::pretty(&v).ok())
        .map(Body::from)
        .unwrap_or_else(|| Body::from(bytes));
    let mut resp = Response::from_parts(parts, rendered);
    resp.headers_mut().remove(header::CONTENT_LENGTH);
    resp
}

/// Unknown paths.
pub async fn not_found() -> Response {
    ApiError::NotFound.into_response()
}

/// Known paths with the wrong method.
pub async fn method_not_allowed() -> Response {
    ApiError::MethodNotAllowed.into_response()
}

/// Extension used by handlers that authenticate themselves (login) to report the user.
pub fn reported_user(resp: &mut Response, username: &str) {
    resp.extensions_mut().insert(LoggedUser(username.to_owned()));
}

async fn authorization(state: &AppState, caller: &Caller, op: &spec::Operation) -> Result<Authz, ApiError> {
    let mut reqs = rbac::requirements_of(op).map_err(ApiError::Internal)?;
    if op.path.starts_with("/manager/") && crate::service::cluster::running(state) {
        reqs = rbac::cluster_scoped(reqs);
    }
    let perms = state.permissions(&caller.roles, &caller.rbac_mode).await?;
    Ok(Authz { perms, reqs })
}
