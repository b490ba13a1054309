//! Login, token issue and logout.

use std::net::IpAddr;
use std::time::Instant;

use oxsec_store::models::{revocation, user};

use crate::auth::jwt::{Claims, AUDIENCE, ISSUER};
use crate::auth::password;
use crate::error::{ApiError, AuthFailure};
use crate::state::AppState;

/// Checks `username`/`password` and issues a token. Failures count towards the source IP's
/// lock-out.
pub async fn login(state: &AppState, ip: IpAddr, username: &str, secret: &str) -> Result<String, ApiError> {
    let name = username.to_owned();
    let found = state
        .store()
        .read(move |c| {
            let Some(u) = user::find_by_username(c, &name)? else {
                return Ok(None);
            };
            let roles = user::role_ids(c, u.id)?;
            Ok(Some((u, roles)))
        })
        .await?;
    let secret_owned = secret.to_owned();
    // Hash even for unknown users so that timing does not reveal which names exist.
    let stored = found
        .as_ref()
        .map(|(u, _)| u.password.clone())
        .unwrap_or_else(dummy_hash);
    let ok = tokio::task::spawn_blocking(move || password::verify(&secret_owned, &stored))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let Some((user, roles)) = found.filter(|_| ok) else {
        state.limiter().record_login_failure(ip, Instant::now());
        return Err(ApiError::Unauthorized(AuthFailure::InvalidCredentials));
    };
    issue_token(state, user.id, &user.username, roles, false).await
}

/// Signs a token for a user with `roles`, never earlier than the user's revocation floor.
pub async fn issue_token(
    state: &AppState,
    user_id: i64,
    username: &str,
    roles: Vec<i64>,
    run_as: bool,
) -> Result<String, ApiError> {
    let now = oxsec_store::now_secs();
    let role_ids = roles.clone();
    let floor = state
        .store()
        .read(move |c| revocation::floor_for(c, user_id, &role_ids, now))
        .await?;
    let security = state.security();
    let nbf = now.max(floor);
    let claims = Claims {
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        nbf,
        exp: nbf + security.auth_token_exp_timeout,
        sub: username.to_owned(),
        run_as,
        rbac_roles: roles,
        rbac_mode: security.rbac_mode,
    };
    Ok(state.keys().encode(&claims))
}

/// Revokes every token of `user_id` issued until now.
pub async fn revoke_user_tokens(state: &AppState, user_id: i64) -> Result<(), ApiError> {
    let now = oxsec_store::now_secs();
    let until = now + state.security().auth_token_exp_timeout + 1;
    // Floor = next second: tokens with nbf up to now are rejected, tokens issued after this call
    // get nbf = floor and stay valid (see issue_token).
    state
        .store()
        .write(move |tx| revocation::revoke_user(tx, user_id, now + 1, until))
        .await?;
    Ok(())
}

fn dummy_hash() -> String {
    // A syntactically valid argon2id hash of a random value: verifying against it costs the same
    // as a real check and always fails.
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| password::hash(&password::generate()).unwrap_or_default())
        .clone()
}
