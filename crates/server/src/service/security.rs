//! Login, token issue and logout.

use std::net::IpAddr;
use std::time::Instant;

use std::sync::OnceLock;

use oxsec_store::models::{revocation, user};
use oxsec_types::envelope::ItemError;
use oxsec_types::{AffectedItems, WazuhCode};
use oxsec_wql::{Field, ListQuery, Schema};
use serde_json::{json, Value};

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
    let floor = state.floors().floor(user_id, &roles);
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
    state.floors().set_user(user_id, now + 1);
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

/// The fields of a security user, as `GET /security/users` returns them.
pub fn users_schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        Schema::builder()
            .field(Field::integer("id", "id"))
            .field(Field::text("username", "username"))
            .field(Field::text("allow_run_as", "allow_run_as"))
            .field(Field::integer("roles", "roles"))
            .default_sort("id")
            .always_present("id")
            .build()
            .unwrap_or_else(|e| unreachable!("static users schema is valid: {e}"))
    })
}

/// Lists users (optionally only `ids`), filtered, sorted and paged by `query`. Like Wazuh, security
/// resources are few and are filtered in memory; ids that do not exist are reported as failed items.
pub async fn list_users(state: &AppState, ids: Option<Vec<i64>>, query: ListQuery) -> Result<AffectedItems, ApiError> {
    let all = state.store().read(user::list_with_roles).await?;
    let mut result = AffectedItems::new(
        "All specified users were returned",
        "Some users were not returned",
        "No user was returned",
    );
    let records: Vec<Value> = all
        .iter()
        .filter(|(u, _)| ids.as_ref().is_none_or(|ids| ids.contains(&u.id)))
        .map(|(u, roles)| json!({"id": u.id, "username": u.username, "allow_run_as": u.allow_run_as, "roles": roles}))
        .collect();
    if let Some(ids) = &ids {
        for id in ids.iter().filter(|id| !all.iter().any(|(u, _)| u.id == **id)) {
            result.fail(*id, ItemError::new(WazuhCode::UserNotFound));
        }
    }
    let page = oxsec_wql::memory::execute(&records, &query, users_schema()).map_err(crate::list::wql_error)?;
    result.set_page(page.items, page.total);
    Ok(result)
}
