//! `/security/…`: login and logout (the rest of the group arrives with RBAC management).

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::json;

use super::Routes;
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

async fn get_users(
    State(state): State<AppState>,
    _caller: Caller,
    params: Params,
) -> ApiResult<Json<serde_json::Value>> {
    let query = crate::list::list_query(&params, service::security::users_schema())?;
    let ids = params
        .list("user_ids")
        .map(|ids| ids.iter().filter_map(|i| i.parse().ok()).collect());
    Ok(Json(
        service::security::list_users(&state, ids, query).await?.into_json(),
    ))
}

/// `Authorization: Basic base64(user:password)`.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decoded = String::from_utf8(B64.decode(encoded.trim()).ok()?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}
