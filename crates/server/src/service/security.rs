//! Login, token issue and logout.

use std::net::IpAddr;
use std::time::Instant;

use std::sync::OnceLock;

use oxsec_store::models::{catalog, revocation, role, settings, user};
use oxsec_types::envelope::ItemError;
use oxsec_types::{AffectedItems, WazuhCode};
use oxsec_wql::{Field, ListQuery, Schema};
use serde_json::{json, Value};

use crate::auth::authz::{denied_item, Authz};
use crate::auth::caller::Caller;
use crate::auth::jwt::{Claims, AUDIENCE, ISSUER};
use crate::auth::password;
use crate::error::{ApiError, AuthFailure};
use crate::state::AppState;
use crate::state::SecurityConfig;

/// Checks `username`/`password` and issues a token. Failures count towards the source IP's
/// lock-out.
pub async fn login(state: &AppState, ip: IpAddr, username: &str, secret: &str) -> Result<String, ApiError> {
    // A revocation that lands while the password is being verified (tens of milliseconds) may have
    // changed what the token would carry: start again with fresh data.
    for _ in 0..3 {
        if let Some(token) = login_once(state, ip, username, secret).await? {
            return Ok(token);
        }
    }
    Err(ApiError::Internal(
        "security settings kept changing during login".into(),
    ))
}

async fn login_once(state: &AppState, ip: IpAddr, username: &str, secret: &str) -> Result<Option<String>, ApiError> {
    let snapshot = Snapshot::take(state);
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
    if password::needs_rehash(&user.password) {
        // An imported Wazuh hash (pbkdf2/scrypt) is replaced by argon2id now that we know the password.
        let (secret, id) = (secret.to_owned(), user.id);
        if let Ok(Ok(hash)) = tokio::task::spawn_blocking(move || password::hash(&secret)).await {
            state.store().write(move |tx| user::set_password(tx, id, &hash)).await?;
        }
    }
    issue_token(state, user.id, &user.username, roles, None, snapshot).await
}

/// What the store looked like when a login read its user: the time, and the revocation count.
#[derive(Clone, Copy)]
pub struct Snapshot {
    read_at: i64,
    revocations: u64,
}

impl Snapshot {
    /// Taken before the user and roles are read.
    pub fn take(state: &AppState) -> Self {
        Self {
            read_at: oxsec_store::now_secs(),
            revocations: state.floors().revocation_count(),
        }
    }
}

/// Checks credentials and issues a run_as token whose roles come from the security rules matching
/// `context` (the user's own roles when the context is empty, as upstream).
pub async fn login_run_as(
    state: &AppState,
    ip: IpAddr,
    username: &str,
    secret: &str,
    context: Value,
) -> Result<String, ApiError> {
    for _ in 0..3 {
        if let Some(token) = login_run_as_once(state, ip, username, secret, context.clone()).await? {
            return Ok(token);
        }
    }
    Err(ApiError::Internal(
        "security settings kept changing during login".into(),
    ))
}

async fn login_run_as_once(
    state: &AppState,
    ip: IpAddr,
    username: &str,
    secret: &str,
    context: Value,
) -> Result<Option<String>, ApiError> {
    let snapshot = Snapshot::take(state);
    let name = username.to_owned();
    let found = state.store().read(move |c| user::find_by_username(c, &name)).await?;
    let secret_owned = secret.to_owned();
    let stored = found.as_ref().map(|u| u.password.clone()).unwrap_or_else(dummy_hash);
    let ok = tokio::task::spawn_blocking(move || password::verify(&secret_owned, &stored))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let Some(user) = found.filter(|_| ok) else {
        state.limiter().record_login_failure(ip, Instant::now());
        return Err(ApiError::Unauthorized(AuthFailure::InvalidCredentials));
    };
    let empty = context.as_object().is_none_or(|o| o.is_empty());
    if !user.allow_run_as && !empty {
        return Err(ApiError::code(WazuhCode::RunAsNotAllowed));
    }
    let user_id = user.id;
    let ctx = context.clone();
    let roles = state
        .store()
        .read(move |c| {
            if empty {
                return user::role_ids(c, user_id);
            }
            let rules = catalog::list(c, catalog::Kind::Rule)?;
            let mut granted = Vec::new();
            for role in catalog::list(c, catalog::Kind::Role)? {
                let role_id = role["id"].as_i64().unwrap_or_default();
                let rule_ids: Vec<i64> = role["rules"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_i64)
                    .collect();
                let matched = rule_ids.iter().any(|rid| {
                    // Default rules (id <= 99) only apply to wazuh-wui, as upstream.
                    (*rid > catalog::MAX_RESERVED_ID || user_id == 2)
                        && rules
                            .iter()
                            .find(|r| r["id"].as_i64() == Some(*rid))
                            .is_some_and(|r| crate::auth::run_as::check_rule(&r["rule"], &ctx))
                });
                if matched {
                    granted.push(role_id);
                }
            }
            Ok(granted)
        })
        .await?;
    issue_token(
        state,
        user.id,
        &user.username,
        roles,
        Some(crate::auth::run_as::context_hash(&context)),
        snapshot,
    )
    .await
}

/// Signs a token for a user with `roles`, never earlier than the user's revocation floor.
pub async fn issue_token(
    state: &AppState,
    user_id: i64,
    username: &str,
    roles: Vec<i64>,
    run_as_hash: Option<String>,
    snapshot: Snapshot,
) -> Result<Option<String>, ApiError> {
    // nbf is at most the time the user was read (or the floor then in force), never a floor set by a
    // revocation after the read; the high-water mark makes any later revocation reject this token.
    let nbf = snapshot.read_at.max(state.floors().floor(user_id, &roles));
    state.floors().note_issued(nbf);
    if state.floors().revocation_count() != snapshot.revocations {
        return Ok(None);
    }
    let security = state.security();
    let claims = Claims {
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        nbf,
        exp: nbf.saturating_add(security.auth_token_exp_timeout),
        sub: username.to_owned(),
        run_as: run_as_hash.is_some(),
        rbac_roles: roles,
        rbac_mode: security.rbac_mode,
        hash_auth_context: run_as_hash,
    };
    Ok(Some(state.keys().encode(&claims)))
}

/// Whose tokens a revocation rejects.
#[derive(Debug, Clone, Copy)]
pub enum Revoke {
    /// Every token of a user.
    User(i64),
    /// Every token carrying a role.
    Role(i64),
}

/// Rejects the tokens of `who` issued until now. The new floor lies above every `nbf` issued so
/// far; tokens issued after this call get `nbf` = the floor and stay valid.
pub async fn revoke(state: &AppState, who: Revoke) -> Result<(), ApiError> {
    let now = oxsec_store::now_secs();
    let until = now
        .saturating_add(state.security().auth_token_exp_timeout)
        .saturating_add(1);
    let floor = state.floors().next_floor(now);
    state
        .store()
        .write(move |tx| match who {
            Revoke::User(id) => revocation::revoke_user(tx, id, floor, until),
            Revoke::Role(id) => revocation::revoke_role(tx, id, floor, until),
        })
        .await?;
    match who {
        Revoke::User(id) => state.floors().set_user(id, floor),
        Revoke::Role(id) => state.floors().set_role(id, floor),
    }
    Ok(())
}

/// Revokes every token of `user_id` issued until now.
pub async fn revoke_user_tokens(state: &AppState, user_id: i64) -> Result<(), ApiError> {
    revoke(state, Revoke::User(user_id)).await
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
/// resources are few and are filtered in memory. Explicit ids the caller may not read are failed
/// items (403 when all are), ids that do not exist are failed items (5001); without ids the listing
/// silently holds only what the caller may read.
pub async fn list_users(
    state: &AppState,
    authz: &Authz,
    ids: Option<Vec<String>>,
    query: ListQuery,
) -> Result<AffectedItems, ApiError> {
    const KIND: &str = "user:id";
    let mut result = AffectedItems::new(
        "All specified users were returned",
        "Some users were not returned",
        "No user was returned",
    );
    let wanted: Option<Vec<i64>> = match ids {
        Some(ids) => {
            let (allowed, refused) = authz.split_ids(KIND, ids)?;
            for id in refused {
                result.fail(
                    id.parse::<i64>().map(Value::from).unwrap_or(Value::from(id)),
                    denied_item(KIND),
                );
            }
            Some(allowed.iter().filter_map(|i| i.parse().ok()).collect())
        }
        None => None,
    };
    let all = state.store().read(user::list_with_roles).await?;
    let records: Vec<Value> = all
        .iter()
        .filter(|(u, _)| match &wanted {
            Some(ids) => ids.contains(&u.id),
            None => authz.permits(KIND, &u.id.to_string()),
        })
        .map(|(u, roles)| json!({"id": u.id, "username": u.username, "allow_run_as": u.allow_run_as, "roles": roles}))
        .collect();
    if let Some(ids) = &wanted {
        for id in ids.iter().filter(|id| !all.iter().any(|(u, _)| u.id == **id)) {
            result.fail(*id, ItemError::new(WazuhCode::UserNotFound));
        }
    }
    let page = oxsec_wql::memory::execute(&records, &query, users_schema()).map_err(crate::list::wql_error)?;
    result.set_page(page.items, page.total);
    Ok(result)
}

/// Wazuh's password policy, as its error codes: 5009 for the length, 5007 for the character mix.
fn check_password(password: &str) -> Result<(), ApiError> {
    let n = password.chars().count();
    if !(8..=64).contains(&n) {
        return Err(ApiError::code(WazuhCode::WeakPasswordLength));
    }
    if !password::meets_policy(password) {
        return Err(ApiError::code(WazuhCode::WeakPasswordChars));
    }
    Ok(())
}

fn user_json(u: &user::User, roles: &[i64]) -> Value {
    json!({"id": u.id, "username": u.username, "allow_run_as": u.allow_run_as, "roles": roles})
}

/// `POST /security/users`.
pub async fn create_user(state: &AppState, username: &str, secret: &str) -> Result<AffectedItems, ApiError> {
    check_password(secret)?;
    let secret = secret.to_owned();
    let hash = tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)?;
    let name = username.to_owned();
    let now = crate::timefmt::now_iso();
    let created = state
        .store()
        .write(move |tx| {
            if user::find_by_username(tx, &name)?.is_some() {
                return Ok(None);
            }
            let u = user::User {
                id: user::next_id(tx)?,
                username: name,
                password: hash,
                allow_run_as: false,
                created_at: now,
            };
            user::insert(tx, &u)?;
            Ok(Some(u))
        })
        .await?;
    let mut result = AffectedItems::new("User was successfully created", "", "User could not be created");
    match created {
        Some(u) => {
            // Tokens name their user; a token of an earlier user of the same name must not work for
            // the new one.
            revoke_user_tokens(state, u.id).await?;
            result.push(user_json(&u, &[]));
        }
        None => result.fail(username, ItemError::new(WazuhCode::UserNotCreated)),
    }
    Ok(result)
}

/// `PUT /security/users/{user_id}`: a new password; the user's tokens are revoked.
pub async fn update_user(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
    secret: &str,
) -> Result<AffectedItems, ApiError> {
    let exists = state
        .store()
        .read(move |c| user::find_by_id(c, user_id))
        .await?
        .is_some();
    if !exists {
        let mut result = AffectedItems::new("User was successfully updated", "", "User could not be updated");
        result.fail(user_id, ItemError::new(WazuhCode::UserNotFound));
        return Ok(result);
    }
    check_password(secret)?;
    if user_id <= catalog::MAX_RESERVED_ID && caller.user_id != user_id && caller.user_id > catalog::MAX_RESERVED_ID {
        return Err(ApiError::code(WazuhCode::ReservedUserPassword));
    }
    let secret = secret.to_owned();
    let hash = tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)?;
    let updated = state
        .store()
        .write(move |tx| {
            let Some(u) = user::find_by_id(tx, user_id)? else {
                return Ok(None);
            };
            user::set_password(tx, user_id, &hash)?;
            let roles = user::role_ids(tx, user_id)?;
            Ok(Some((u, roles)))
        })
        .await?;
    let mut result = AffectedItems::new("User was successfully updated", "", "User could not be updated");
    match updated {
        Some((u, roles)) => {
            revoke_user_tokens(state, user_id).await?;
            result.push(user_json(&u, &roles));
        }
        None => result.fail(user_id, ItemError::new(WazuhCode::UserNotFound)),
    }
    Ok(result)
}

/// `DELETE /security/users`: default users (5004) and the caller itself (5008) are refused.
pub async fn delete_users(
    state: &AppState,
    authz: &Authz,
    caller: &Caller,
    ids: Vec<String>,
) -> Result<AffectedItems, ApiError> {
    const KIND: &str = "user:id";
    let mut result = AffectedItems::new(
        "Users were successfully deleted",
        "Some users were not deleted",
        "No user was deleted",
    );
    let all_requested = ids.iter().any(|i| i == "all");
    let (allowed, refused) = if all_requested {
        (ids, Vec::new())
    } else {
        authz.split_ids(KIND, ids)?
    };
    for id in refused {
        result.fail(
            id.parse::<i64>().map(Value::from).unwrap_or(Value::from(id)),
            denied_item(KIND),
        );
    }
    let existing = state.store().read(user::list_with_roles).await?;
    let targets: Vec<i64> = if all_requested {
        existing
            .iter()
            .map(|(u, _)| u.id)
            .filter(|id| authz.permits(KIND, &id.to_string()))
            .collect()
    } else {
        allowed.iter().filter_map(|i| i.parse().ok()).collect()
    };
    for id in targets {
        let Some((u, roles)) = existing.iter().find(|(u, _)| u.id == id) else {
            if !all_requested {
                result.fail(id, ItemError::new(WazuhCode::UserNotFound));
            }
            continue;
        };
        if id <= catalog::MAX_RESERVED_ID {
            if !all_requested {
                result.fail(id, ItemError::new(WazuhCode::UserReserved));
            }
            continue;
        }
        if id == caller.user_id {
            if !all_requested {
                result.fail(id, ItemError::new(WazuhCode::CannotDeleteSelf));
            }
            continue;
        }
        state.store().write(move |tx| user::delete(tx, id)).await?;
        revoke_user_tokens(state, id).await?;
        result.push(user_json(u, roles));
    }
    Ok(result)
}

/// `POST /security/users/{user_id}/roles`.
pub async fn link_user_roles(
    state: &AppState,
    user_id: i64,
    role_ids: Vec<String>,
    position: Option<i64>,
) -> Result<AffectedItems, ApiError> {
    let role_ids: Vec<i64> = role_ids.iter().filter_map(|r| r.parse().ok()).collect();
    let now = crate::timefmt::now_iso();
    let outcome = state
        .store()
        .write(move |tx| {
            let Some(u) = user::find_by_id(tx, user_id)? else {
                return Ok(None);
            };
            let mut position = position;
            let mut per_role = Vec::new();
            for role_id in role_ids {
                let code = if !role::exists(tx, role_id)? {
                    Some(WazuhCode::RoleNotFound)
                } else if user::link_role(tx, user_id, role_id, position, &now)? {
                    position = position.map(|p| p + 1);
                    None
                } else {
                    Some(WazuhCode::UserRoleExists)
                };
                per_role.push((role_id, code));
            }
            let roles = user::role_ids(tx, user_id)?;
            Ok(Some((u, roles, per_role)))
        })
        .await?;
    let Some((u, roles, per_role)) = outcome else {
        let mut r = AffectedItems::new("", "", "No link was created to user unknown");
        r.fail(user_id, ItemError::new(WazuhCode::UserNotFound));
        return Ok(r);
    };
    let name = &u.username;
    let messages = [
        format!("All roles were linked to user {name}"),
        format!("Some roles were not linked to user {name}"),
        format!("No link was created to user {name}"),
    ];
    finish_user_links(state, &u, &roles, per_role, messages).await
}

/// `DELETE /security/users/{user_id}/roles`.
pub async fn unlink_user_roles(
    state: &AppState,
    user_id: i64,
    role_ids: Vec<String>,
) -> Result<AffectedItems, ApiError> {
    let role_ids: Vec<i64> = role_ids.iter().filter_map(|r| r.parse().ok()).collect();
    let outcome = state
        .store()
        .write(move |tx| {
            let Some(u) = user::find_by_id(tx, user_id)? else {
                return Ok(None);
            };
            let mut per_role = Vec::new();
            for role_id in role_ids {
                let code = if !role::exists(tx, role_id)? {
                    Some(WazuhCode::RoleNotFound)
                } else if user::unlink_role(tx, user_id, role_id)? {
                    None
                } else {
                    Some(WazuhCode::UserRoleMissing)
                };
                per_role.push((role_id, code));
            }
            let roles = user::role_ids(tx, user_id)?;
            Ok(Some((u, roles, per_role)))
        })
        .await?;
    let Some((u, roles, per_role)) = outcome else {
        return Err(ApiError::code(WazuhCode::UserNotFound));
    };
    let name = &u.username;
    let messages = [
        format!("All roles were unlinked from user {name}"),
        format!("Some roles were not unlinked from user {name}"),
        format!("No role was unlinked from user {name}"),
    ];
    finish_user_links(state, &u, &roles, per_role, messages).await
}

/// The result of linking or unlinking roles of user `u`: per-role failures, and when any link
/// changed, the user's tokens revoked and the user (with `roles`) as the affected item.
async fn finish_user_links(
    state: &AppState,
    u: &user::User,
    roles: &[i64],
    per_role: Vec<(i64, Option<WazuhCode>)>,
    [all, some, none]: [String; 3],
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(all, some, none);
    let changed = per_role.iter().filter(|(_, c)| c.is_none()).count() as u64;
    for (role_id, code) in per_role {
        if let Some(code) = code {
            result.fail(role_id, ItemError::new(code));
        }
    }
    if changed > 0 {
        revoke_user_tokens(state, u.id).await?;
        state.rbac_changed();
        result.set_page(vec![user_json(u, roles)], changed);
    }
    Ok(result)
}

/// Revokes every token (`PUT /security/user/revoke`, security config changes).
pub async fn revoke_all_tokens(state: &AppState) -> Result<(), ApiError> {
    let floor = state.floors().next_floor(oxsec_store::now_secs());
    state.store().write(move |tx| revocation::revoke_all(tx, floor)).await?;
    state.floors().set_global(floor);
    Ok(())
}

/// `PUT /security/config` / `DELETE /security/config`: stores the settings (keys not given go back
/// to their defaults, as upstream's file rewrite does) and revokes every token.
pub async fn set_security_config(state: &AppState, new: SecurityConfig) -> Result<(), ApiError> {
    let stored = new.clone();
    state
        .store()
        .write(move |tx| {
            settings::set(
                tx,
                crate::bootstrap::TOKEN_TIMEOUT_KEY,
                &stored.auth_token_exp_timeout.to_string(),
            )?;
            settings::set(tx, crate::bootstrap::RBAC_MODE_KEY, &stored.rbac_mode)
        })
        .await?;
    state.set_security(new);
    revoke_all_tokens(state).await
}

/// `GET /security/users/me`: the caller with its token's roles, each with its policies.
pub async fn user_me(state: &AppState, caller: &Caller) -> Result<AffectedItems, ApiError> {
    let user_id = caller.user_id;
    let roles = caller.roles.clone();
    let found = state
        .store()
        .read(move |c| {
            let Some(u) = user::find_by_id(c, user_id)? else {
                return Ok(None);
            };
            let mut out = Vec::new();
            for role_id in roles {
                let Some(r) = role::find_by_id(c, role_id)? else {
                    continue;
                };
                let policies: Vec<Value> = catalog::policies_of_roles(c, &[role_id])?
                    .into_iter()
                    .map(|p| json!({"id": p.id, "name": p.name, "policy": p.policy}))
                    .collect();
                let rules: Vec<Value> = catalog::list(c, catalog::Kind::Rule)?
                    .into_iter()
                    .filter(|rule| {
                        rule["roles"]
                            .as_array()
                            .is_some_and(|rs| rs.contains(&Value::from(role_id)))
                    })
                    .map(|rule| json!({"id": rule["id"], "name": rule["name"], "rule": rule["rule"]}))
                    .collect();
                out.push(json!({"id": r.id, "name": r.name, "policies": policies, "rules": rules}));
            }
            Ok(Some((u, out)))
        })
        .await?;
    let mut result = AffectedItems::new("Current user information was returned", "", "");
    match found {
        Some((u, roles)) => {
            result.push(json!({"id": u.id, "username": u.username, "allow_run_as": u.allow_run_as, "roles": roles}))
        }
        None => result.fail(caller.user_id, ItemError::new(WazuhCode::UserNotFound)),
    }
    Ok(result)
}

/// `PUT /security/users/{user_id}/run_as`.
pub async fn edit_run_as(state: &AppState, user_id: i64, allow: bool) -> Result<AffectedItems, ApiError> {
    let word = if allow { "enabled" } else { "disabled" };
    let mut result = AffectedItems::new(
        format!("Parameter allow_run_as has been {word} for the user"),
        "",
        format!("The parameter allow_run_as could not be {word} for the user"),
    );
    let updated = state
        .store()
        .write(move |tx| {
            let Some(mut u) = user::find_by_id(tx, user_id)? else {
                return Ok(None);
            };
            tx.execute(
                "UPDATE users SET allow_run_as = ?1 WHERE id = ?2",
                oxsec_store::rusqlite::params![allow, user_id],
            )?;
            u.allow_run_as = allow;
            Ok(Some((u, user::role_ids(tx, user_id)?)))
        })
        .await?;
    match updated {
        Some((u, roles)) => {
            revoke_user_tokens(state, user_id).await?;
            result.push(user_json(&u, &roles));
        }
        None => result.fail(user_id, ItemError::new(WazuhCode::UserNotFound)),
    }
    Ok(result)
}
