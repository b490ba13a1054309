//! `/security/…`: login and logout (the rest of the group arrives with RBAC management).

use axum::extract::Path;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use oxsec_types::WazuhCode;
use serde_json::{json, Value};

use crate::body::{required_str, JsonBody};
use crate::service::security_catalog::{self as catalog_svc, Spec};
use oxsec_store::models::catalog::Kind;

use super::Routes;
use crate::auth::authz::Authz;
use crate::auth::caller::Caller;
use crate::error::{ApiError, ApiResult, AuthFailure};
use crate::middleware::contract::reported_user;
use crate::middleware::rate_limit::login_block_response;
use crate::params::Params;
use crate::service;
use crate::state::AppState;
use crate::PeerAddr;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .post("/security/user/authenticate", login_user)
        .get("/security/user/authenticate", deprecated_login_user)
        .delete("/security/user/authenticate", logout_user)
        .get("/security/users", get_users)
        .post("/security/users", create_user)
        .delete("/security/users", delete_users)
        .put("/security/users/{user_id}", update_user)
        .post("/security/users/{user_id}/roles", set_user_role)
        .delete("/security/users/{user_id}/roles", remove_user_role)
        .get("/security/users/me", get_user_me)
        .get("/security/users/me/policies", get_user_me_policies)
        .put("/security/user/revoke", revoke_all_tokens)
        .get("/security/config", get_security_config)
        .put("/security/config", put_security_config)
        .delete("/security/config", delete_security_config)
        .post("/security/user/authenticate/run_as", run_as_login)
        .put("/security/users/{user_id}/run_as", edit_run_as)
        .get("/security/actions", get_rbac_actions)
        .get("/security/resources", get_rbac_resources)
        .get("/security/roles", get_roles)
        .post("/security/roles", add_role)
        .delete("/security/roles", remove_roles)
        .put("/security/roles/{role_id}", update_role)
        .get("/security/policies", get_policies)
        .post("/security/policies", add_policy)
        .delete("/security/policies", remove_policies)
        .put("/security/policies/{policy_id}", update_policy)
        .get("/security/rules", get_rules)
        .post("/security/rules", add_rule)
        .delete("/security/rules", remove_rules)
        .put("/security/rules/{rule_id}", update_rule)
        .post("/security/roles/{role_id}/policies", set_role_policy)
        .delete("/security/roles/{role_id}/policies", remove_role_policy)
        .post("/security/roles/{role_id}/rules", set_role_rule)
        .delete("/security/roles/{role_id}/rules", remove_role_rule)
}

async fn login_user(
    State(state): State<AppState>,
    Extension(peer): Extension<PeerAddr>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    if let Some(blocked) = login_block_response(&state, &peer) {
        return blocked;
    }
    let Some((user, secret)) = basic_credentials(&headers) else {
        state
            .limiter()
            .record_login_failure(peer.0.ip(), std::time::Instant::now());
        return ApiError::Unauthorized(AuthFailure::InvalidCredentials).into_response();
    };
    match service::security::login(&state, peer.0.ip(), &user, &secret).await {
        Ok(token) => {
            let mut resp = if params.flag("raw") {
                ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], token).into_response()
            } else {
                Json(oxsec_types::envelope::data(json!({ "token": token }))).into_response()
            };
            reported_user(&mut resp, &user);
            resp
        }
        Err(e) => {
            let mut resp = e.into_response();
            reported_user(&mut resp, &user);
            resp
        }
    }
}

/// The deprecated `GET` form of login; same behaviour.
async fn deprecated_login_user(
    state: State<AppState>,
    peer: Extension<PeerAddr>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    login_user(state, peer, headers, params).await
}

async fn logout_user(
    State(state): State<AppState>,
    caller: Caller,
    _params: Params,
) -> ApiResult<Json<serde_json::Value>> {
    service::security::revoke_user_tokens(&state, caller.user_id).await?;
    Ok(Json(oxsec_types::envelope::message(&format!(
        "User {} was successfully logged out",
        caller.username
    ))))
}

async fn get_users(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Json<serde_json::Value>> {
    let query = crate::list::list_query(&params, service::security::users_schema())?;
    let result = service::security::list_users(&state, &authz, params.list("user_ids"), query).await?;
    Ok(Json(result.into_json()))
}

async fn create_user(State(state): State<AppState>, _p: Params, JsonBody(body): JsonBody) -> ApiResult<Json<Value>> {
    let username = required_str(&body, "username")?;
    let password = required_str(&body, "password")?;
    Ok(Json(
        service::security::create_user(&state, username, password)
            .await?
            .into_json(),
    ))
}

async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<i64>,
    _p: Params,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let Some(password) = body.get("password").and_then(Value::as_str) else {
        return Err(ApiError::code(WazuhCode::EmptyBody));
    };
    Ok(Json(
        service::security::update_user(&state, &caller, user_id, password)
            .await?
            .into_json(),
    ))
}

async fn delete_users(
    State(state): State<AppState>,
    caller: Caller,
    authz: Authz,
    params: Params,
) -> ApiResult<Json<Value>> {
    let ids = params.list("user_ids").unwrap_or_default();
    Ok(Json(
        service::security::delete_users(&state, &authz, &caller, ids)
            .await?
            .into_json(),
    ))
}

async fn set_user_role(
    State(state): State<AppState>,
    authz: Authz,
    Path(user_id): Path<i64>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let (roles, denied) = authz.split_ids("role:id", params.list("role_ids").unwrap_or_default())?;
    let mut result = service::security::link_user_roles(&state, user_id, roles, params.int("position")).await?;
    fail_denied(&mut result, "role:id", denied);
    Ok(Json(result.into_json()))
}

/// `?xxx_ids=all` on an unlink: every id currently linked (that the caller may touch), as upstream.
async fn expand_all(
    state: &AppState,
    authz: &Authz,
    kind: &'static str,
    ids: Vec<String>,
    linked: impl FnOnce(&oxsec_store::rusqlite::Connection) -> oxsec_store::Result<Vec<i64>> + Send + 'static,
) -> ApiResult<(Vec<String>, Vec<String>)> {
    if ids.iter().any(|i| i == "all") {
        let all = state.store().read(linked).await?;
        let allowed = all
            .iter()
            .map(i64::to_string)
            .filter(|id| authz.permits(kind, id))
            .collect();
        return Ok((allowed, Vec::new()));
    }
    authz.split_ids(kind, ids)
}

/// Reports ids RBAC refused as 4000 failed items.
fn fail_denied(result: &mut oxsec_types::AffectedItems, kind: &str, denied: Vec<String>) {
    for id in denied {
        let id = id.parse::<i64>().map(Value::from).unwrap_or(Value::from(id));
        result.fail(id, crate::auth::authz::denied_item(kind));
    }
}

async fn remove_user_role(
    State(state): State<AppState>,
    authz: Authz,
    Path(user_id): Path<i64>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let ids = params.list("role_ids").unwrap_or_default();
    let (roles, denied) = expand_all(&state, &authz, "role:id", ids, move |c| {
        oxsec_store::models::user::role_ids(c, user_id)
    })
    .await?;
    let mut result = service::security::unlink_user_roles(&state, user_id, roles).await?;
    fail_denied(&mut result, "role:id", denied);
    Ok(Json(result.into_json()))
}

/// The caller, with its token's roles expanded into their policies.
async fn get_user_me(State(state): State<AppState>, caller: Caller, _p: Params) -> ApiResult<Json<Value>> {
    Ok(Json(service::security::user_me(&state, &caller).await?.into_json()))
}

async fn get_user_me_policies(authz: Authz, _p: Params) -> Json<Value> {
    Json(oxsec_types::envelope::data_with_message(
        authz.perms.to_json(),
        "Current user processed policies information was returned",
    ))
}

async fn revoke_all_tokens(State(state): State<AppState>, _p: Params) -> ApiResult<Json<Value>> {
    service::security::revoke_all_tokens(&state).await?;
    Ok(Json(oxsec_types::envelope::message("Tokens were successfully revoked")))
}

async fn get_security_config(State(state): State<AppState>, _p: Params) -> Json<Value> {
    let s = state.security();
    Json(oxsec_types::envelope::data(
        json!({"auth_token_exp_timeout": s.auth_token_exp_timeout, "rbac_mode": s.rbac_mode}),
    ))
}

async fn put_security_config(
    State(state): State<AppState>,
    _p: Params,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let obj = body.as_object().cloned().unwrap_or_default();
    if obj.is_empty() {
        return Err(ApiError::code(WazuhCode::EmptyBody));
    }
    let mut new = crate::state::SecurityConfig::default();
    for (k, v) in &obj {
        match (k.as_str(), v) {
            ("auth_token_exp_timeout", Value::Number(n)) if n.as_i64().is_some_and(|n| n >= 30) => {
                new.auth_token_exp_timeout = n.as_i64().unwrap_or(900);
            }
            ("rbac_mode", Value::String(m)) if m == "white" || m == "black" => new.rbac_mode = m.clone(),
            ("auth_token_exp_timeout" | "rbac_mode", _) => {
                return Err(ApiError::Param(crate::spec::ParamError::Invalid {
                    name: k.clone(),
                    value: v.to_string(),
                    message: format!(
                        "{} is not valid for '{k}': auth_token_exp_timeout is an integer of at least 30, rbac_mode is white or black",
                        crate::spec::pyrepr(v)
                    ),
                }))
            }
            _ => {
                return Err(ApiError::Param(crate::spec::ParamError::Invalid {
                    name: k.clone(),
                    value: String::new(),
                    message: format!("Additional properties are not allowed ('{k}' was unexpected)"),
                }))
            }
        }
    }
    service::security::set_security_config(&state, new).await?;
    Ok(Json(oxsec_types::envelope::message(
        "Configuration was successfully updated",
    )))
}

async fn delete_security_config(State(state): State<AppState>, _p: Params) -> ApiResult<Json<Value>> {
    service::security::set_security_config(&state, crate::state::SecurityConfig::default()).await?;
    Ok(Json(oxsec_types::envelope::message(
        "Configuration was successfully updated",
    )))
}

/// Largest authorization context accepted at run_as login (upstream's limit).
const MAX_AUTH_CONTEXT: usize = 8192;

async fn run_as_login(
    State(state): State<AppState>,
    Extension(peer): Extension<PeerAddr>,
    headers: HeaderMap,
    params: Params,
    body: axum::body::Bytes,
) -> Response {
    if let Some(blocked) = login_block_response(&state, &peer) {
        return blocked;
    }
    if body.len() > MAX_AUTH_CONTEXT {
        return ApiError::PayloadTooLarge {
            limit: MAX_AUTH_CONTEXT as u64,
        }
        .into_response();
    }
    let context: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(v @ Value::Object(_)) => v,
            Ok(other) => {
                return ApiError::Param(crate::spec::ParamError::Invalid {
                    name: "body".into(),
                    value: String::new(),
                    message: format!("{} is not of type 'object'", crate::spec::pyrepr(&other)),
                })
                .into_response()
            }
            Err(_) => return ApiError::code(WazuhCode::BodyNotJson).into_response(),
        }
    };
    let Some((user, secret)) = basic_credentials(&headers) else {
        state
            .limiter()
            .record_login_failure(peer.0.ip(), std::time::Instant::now());
        return ApiError::Unauthorized(AuthFailure::InvalidCredentials).into_response();
    };
    let mut resp = match service::security::login_run_as(&state, peer.0.ip(), &user, &secret, context).await {
        Ok(token) if params.flag("raw") => {
            ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], token).into_response()
        }
        Ok(token) => Json(oxsec_types::envelope::data(json!({ "token": token }))).into_response(),
        Err(e) => e.into_response(),
    };
    reported_user(&mut resp, &user);
    resp
}

async fn edit_run_as(
    State(state): State<AppState>,
    Path(user_id): Path<i64>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let allow = params.flag("allow_run_as");
    Ok(Json(
        service::security::edit_run_as(&state, user_id, allow)
            .await?
            .into_json(),
    ))
}

/// `GET /security/actions`: the RBAC actions of the contract with the endpoints that use them.
async fn get_rbac_actions(params: Params) -> ApiResult<Json<Value>> {
    let all = crate::openapi::rbac_actions();
    let data = match params.text("endpoint") {
        None => all.clone(),
        Some(endpoint) => {
            let matching: serde_json::Map<String, Value> = all
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(_, a)| {
                    a["related_endpoints"]
                        .as_array()
                        .is_some_and(|e| e.iter().any(|x| x == &endpoint))
                })
                .map(|(k, a)| {
                    let mut a = a.clone();
                    a["related_endpoints"] = json!([endpoint]);
                    (k.clone(), a)
                })
                .collect();
            if matching.is_empty() && !crate::openapi::is_endpoint(&endpoint) {
                return Err(ApiError::code(WazuhCode::InvalidEndpoint));
            }
            Value::Object(matching)
        }
    };
    Ok(Json(oxsec_types::envelope::data(data)))
}

/// `GET /security/resources`: the RBAC resource kinds.
async fn get_rbac_resources(params: Params) -> Json<Value> {
    let catalog = &crate::spec::contract().document()["x-rbac-catalog"]["resources"];
    let data = match params.text("resource") {
        Some(r) => json!({ r.clone(): catalog.get(&r).cloned().unwrap_or(Value::Null) }),
        None => catalog.clone(),
    };
    Json(oxsec_types::envelope::data(data))
}

async fn list_catalog(
    state: &AppState,
    spec: &'static Spec,
    authz: &Authz,
    params: &Params,
    ids: &str,
) -> ApiResult<Json<Value>> {
    let query = crate::list::list_query(params, (spec.schema)())?;
    Ok(Json(
        catalog_svc::list(state, spec, authz, params.list(ids), query)
            .await?
            .into_json(),
    ))
}

async fn get_roles(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Json<Value>> {
    list_catalog(&state, &catalog_svc::ROLES, &authz, &params, "role_ids").await
}

async fn get_policies(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Json<Value>> {
    list_catalog(&state, &catalog_svc::POLICIES, &authz, &params, "policy_ids").await
}

async fn get_rules(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Json<Value>> {
    list_catalog(&state, &catalog_svc::RULES, &authz, &params, "rule_ids").await
}

async fn add_role(State(state): State<AppState>, _p: Params, JsonBody(body): JsonBody) -> ApiResult<Json<Value>> {
    let name = required_str(&body, "name")?;
    Ok(Json(
        catalog_svc::create(&state, &catalog_svc::ROLES, name, None)
            .await?
            .into_json(),
    ))
}

async fn add_policy(State(state): State<AppState>, _p: Params, JsonBody(body): JsonBody) -> ApiResult<Json<Value>> {
    let name = required_str(&body, "name")?;
    let policy = body.get("policy").cloned().unwrap_or(Value::Null);
    Ok(Json(
        catalog_svc::create(&state, &catalog_svc::POLICIES, name, Some(policy))
            .await?
            .into_json(),
    ))
}

async fn add_rule(State(state): State<AppState>, _p: Params, JsonBody(body): JsonBody) -> ApiResult<Json<Value>> {
    let name = required_str(&body, "name")?;
    let rule = body.get("rule").cloned().unwrap_or(Value::Null);
    Ok(Json(
        catalog_svc::create(&state, &catalog_svc::RULES, name, Some(rule))
            .await?
            .into_json(),
    ))
}

fn body_parts(body: &Value, key: &str) -> (Option<String>, Option<Value>) {
    (
        body.get("name").and_then(Value::as_str).map(str::to_owned),
        body.get(key).cloned(),
    )
}

async fn update_role(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    _p: Params,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let (name, _) = body_parts(&body, "");
    Ok(Json(
        catalog_svc::update(&state, &catalog_svc::ROLES, id, name, None)
            .await?
            .into_json(),
    ))
}

async fn update_policy(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    _p: Params,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let (name, policy) = body_parts(&body, "policy");
    Ok(Json(
        catalog_svc::update(&state, &catalog_svc::POLICIES, id, name, policy)
            .await?
            .into_json(),
    ))
}

async fn update_rule(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    _p: Params,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let (name, rule) = body_parts(&body, "rule");
    Ok(Json(
        catalog_svc::update(&state, &catalog_svc::RULES, id, name, rule)
            .await?
            .into_json(),
    ))
}

async fn remove_roles(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Json<Value>> {
    let ids = params.list("role_ids").unwrap_or_default();
    Ok(Json(
        catalog_svc::delete(&state, &catalog_svc::ROLES, &authz, ids)
            .await?
            .into_json(),
    ))
}

async fn remove_policies(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Json<Value>> {
    let ids = params.list("policy_ids").unwrap_or_default();
    Ok(Json(
        catalog_svc::delete(&state, &catalog_svc::POLICIES, &authz, ids)
            .await?
            .into_json(),
    ))
}

async fn remove_rules(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Json<Value>> {
    let ids = params.list("rule_ids").unwrap_or_default();
    Ok(Json(
        catalog_svc::delete(&state, &catalog_svc::RULES, &authz, ids)
            .await?
            .into_json(),
    ))
}

async fn set_role_policy(
    State(state): State<AppState>,
    authz: Authz,
    Path(role_id): Path<i64>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let (ids, denied) = authz.split_ids("policy:id", params.list("policy_ids").unwrap_or_default())?;
    let mut result = catalog_svc::link(&state, Kind::Policy, role_id, ids, params.int("position")).await?;
    fail_denied(&mut result, "policy:id", denied);
    Ok(Json(result.into_json()))
}

async fn remove_role_policy(
    State(state): State<AppState>,
    authz: Authz,
    Path(role_id): Path<i64>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let ids = params.list("policy_ids").unwrap_or_default();
    let (ids, denied) = expand_all(&state, &authz, "policy:id", ids, move |c| {
        oxsec_store::models::catalog::linked_ids(c, Kind::Policy, role_id)
    })
    .await?;
    let mut result = catalog_svc::unlink(&state, Kind::Policy, role_id, ids).await?;
    fail_denied(&mut result, "policy:id", denied);
    Ok(Json(result.into_json()))
}

async fn set_role_rule(
    State(state): State<AppState>,
    authz: Authz,
    Path(role_id): Path<i64>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let (ids, denied) = authz.split_ids("rule:id", params.list("rule_ids").unwrap_or_default())?;
    let mut result = catalog_svc::link(&state, Kind::Rule, role_id, ids, None).await?;
    fail_denied(&mut result, "rule:id", denied);
    Ok(Json(result.into_json()))
}

async fn remove_role_rule(
    State(state): State<AppState>,
    authz: Authz,
    Path(role_id): Path<i64>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let ids = params.list("rule_ids").unwrap_or_default();
    let (ids, denied) = expand_all(&state, &authz, "rule:id", ids, move |c| {
        oxsec_store::models::catalog::linked_ids(c, Kind::Rule, role_id)
    })
    .await?;
    let mut result = catalog_svc::unlink(&state, Kind::Rule, role_id, ids).await?;
    fail_denied(&mut result, "rule:id", denied);
    Ok(Json(result.into_json()))
}

/// `Authorization: Basic base64(user:password)`.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decoded = String::from_utf8(B64.decode(encoded.trim()).ok()?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}
