//! The authenticated caller of a request, from its bearer token.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

use crate::error::{ApiError, AuthFailure};
use crate::state::AppState;

/// Who is calling, as proven by a valid, unrevoked token.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user name (`sub`).
    pub username: String,
    /// The user's id.
    pub user_id: i64,
    /// Role ids granted by the token.
    pub roles: Vec<i64>,
    /// Whether the token came from a `run_as` login.
    pub run_as: bool,
    /// The RBAC mode the token was issued under.
    pub rbac_mode: String,
    /// The token's expiry.
    pub exp: i64,
}

/// Validates the bearer token in `headers`: signature, time window, and revocation.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::Unauthorized(AuthFailure::NoToken));
    };
    // Upstream: another scheme counts as no token; no scheme or an empty bearer is a bad header.
    let value = value
        .to_str()
        .map_err(|_| ApiError::Unauthorized(AuthFailure::InvalidHeader))?
        .trim();
    let Some((scheme, token)) = value.split_once(' ') else {
        return Err(ApiError::Unauthorized(AuthFailure::InvalidHeader));
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::Unauthorized(AuthFailure::NoToken));
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(ApiError::Unauthorized(AuthFailure::InvalidHeader));
    }
    let now = oxsec_store::now_secs();
    let (claims, user_id) = match state.verified_tokens().get(token, now) {
        Some(hit) => hit,
        None => {
            let claims = state
                .keys()
                .decode(token, now)
                .map_err(|_| ApiError::Unauthorized(AuthFailure::InvalidToken))?;
            let username = claims.sub.clone();
            let found = state
                .store()
                .read(move |c| oxsec_store::models::user::find_by_username(c, &username))
                .await?;
            let Some(user) = found else {
                return Err(ApiError::Unauthorized(AuthFailure::InvalidToken));
            };
            state.verified_tokens().insert(token, claims.clone(), user.id, now);
            (claims, user.id)
        }
    };
    // Upstream invalidates tokens issued under other security settings this way.
    let security = state.security();
    if claims.rbac_mode != security.rbac_mode || claims.exp - claims.nbf != security.auth_token_exp_timeout {
        return Err(ApiError::Unauthorized(AuthFailure::TokenExpired));
    }
    if claims.nbf < state.floors().floor(user_id, &claims.rbac_roles) {
        return Err(ApiError::Unauthorized(AuthFailure::InvalidToken));
    }
    Ok(Caller {
        username: claims.sub,
        user_id,
        roles: claims.rbac_roles,
        run_as: claims.run_as,
        rbac_mode: claims.rbac_mode,
        exp: claims.exp,
    })
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or(ApiError::Unauthorized(AuthFailure::NoToken))
    }
}
