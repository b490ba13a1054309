//! Roles, policies and security rules: listing, creation, update, deletion and the links between
//! roles and policies/rules, with Wazuh's messages and codes for each. The three share one shape, so
//! one implementation serves them, parameterised by [`Spec`].

use oxsec_store::models::catalog::{self, Kind, MAX_RESERVED_ID};
use oxsec_types::envelope::ItemError;
use oxsec_types::{AffectedItems, WazuhCode};
use oxsec_wql::{Field, ListQuery, Schema};
use serde_json::Value;

use crate::auth::authz::{denied_item, Authz};
use crate::error::ApiError;
use crate::state::AppState;

/// What differs between roles, policies and security rules.
pub struct Spec {
    /// The table.
    pub kind: Kind,
    /// The RBAC resource kind (`role:id`…).
    pub rbac: &'static str,
    /// Code for an unknown id.
    pub not_found: WazuhCode,
    /// Code for a taken name or body at creation.
    pub taken: WazuhCode,
    /// Code for a taken name or body at update.
    pub taken_on_update: WazuhCode,
    /// Code for an invalid body.
    pub invalid: WazuhCode,
    /// (all, some, none) messages of the listing.
    pub list_msgs: [&'static str; 3],
    /// (ok, failed) messages of creation.
    pub create_msgs: [&'static str; 2],
    /// (ok, failed) messages of update.
    pub update_msgs: [&'static str; 2],
    /// (all, some, none) messages of deletion.
    pub delete_msgs: [&'static str; 3],
    /// Whether not-found ids are reported as strings (upstream does so for security rules).
    pub string_ids: bool,
    /// The list schema.
    pub schema: fn() -> &'static Schema,
}

macro_rules! schema_fn {
    ($name:ident, $($field:expr),*) => {
        fn $name() -> &'static Schema {
            static S: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
            S.get_or_init(|| {
                Schema::builder()
                    $(.field($field))*
                    .default_sort("id")
                    .always_present("id")
                    .build()
                    .unwrap_or_else(|e| unreachable!("static schema: {e}"))
            })
        }
    };
}

schema_fn!(
    role_schema,
    Field::integer("id", "id"),
    Field::text("name", "name"),
    Field::integer("policies", "policies"),
    Field::integer("users", "users"),
    Field::integer("rules", "rules")
);
schema_fn!(
    policy_schema,
    Field::integer("id", "id"),
    Field::text("name", "name"),
    Field::text("policy", "policy"),
    Field::integer("roles", "roles")
);
schema_fn!(
    rule_schema,
    Field::integer("id", "id"),
    Field::text("name", "name"),
    Field::text("rule", "rule"),
    Field::integer("roles", "roles")
);

/// Roles.
pub const ROLES: Spec = Spec {
    kind: Kind::Role,
    rbac: "role:id",
    not_found: WazuhCode::RoleNotFound,
    taken: WazuhCode::NameTaken,
    taken_on_update: WazuhCode::NameTaken,
    invalid: WazuhCode::InvalidPolicy,
    list_msgs: [
        "All specified roles were returned",
        "Some roles were not returned",
        "No role was returned",
    ],
    create_msgs: ["Role was successfully created", "Role was not created"],
    update_msgs: ["Role was successfully updated", "Role was not updated"],
    delete_msgs: [
        "All specified roles were deleted",
        "Some roles were not deleted",
        "No role was deleted",
    ],
    string_ids: false,
    schema: role_schema,
};

/// Policies.
pub const POLICIES: Spec = Spec {
    kind: Kind::Policy,
    rbac: "policy:id",
    not_found: WazuhCode::PolicyNotFound,
    taken: WazuhCode::PolicyTaken,
    taken_on_update: WazuhCode::NameExists,
    invalid: WazuhCode::InvalidPolicy,
    list_msgs: [
        "All specified policies were returned",
        "Some policies were not returned",
        "No policy was returned",
    ],
    create_msgs: ["Policy was successfully created", "Policy was not created"],
    update_msgs: ["Policy was successfully updated", "Policy was not updated"],
    delete_msgs: [
        "All specified policies were deleted",
        "Some policies were not deleted",
        "No policy was deleted",
    ],
    string_ids: false,
    schema: policy_schema,
};

/// Security rules.
pub const RULES: Spec = Spec {
    kind: Kind::Rule,
    rbac: "rule:id",
    not_found: WazuhCode::SecurityRuleNotFound,
    taken: WazuhCode::NameTaken,
    taken_on_update: WazuhCode::NameTaken,
    invalid: WazuhCode::InvalidSecurityRule,
    list_msgs: [
        "All specified security rules were returned",
        "Some security rules were not returned",
        "No security rule was returned",
    ],
    create_msgs: [
        "Security rule was successfully created",
        "Security rule was not created",
    ],
    update_msgs: [
        "Security rule was successfully updated",
        "Security rule was not updated",
    ],
    delete_msgs: [
        "All specified security rules were deleted",
        "Some security rules were not deleted",
        "No security rule was deleted",
    ],
    string_ids: true,
    schema: rule_schema,
};

fn id_value(spec: &Spec, id: &str) -> Value {
    match id.parse::<i64>() {
        Ok(n) if !spec.string_ids => Value::from(n),
        _ => Value::from(id),
    }
}

/// Lists objects (optionally only `ids`).
pub async fn list(
    state: &AppState,
    spec: &Spec,
    authz: &Authz,
    ids: Option<Vec<String>>,
    query: ListQuery,
) -> Result<AffectedItems, ApiError> {
    let [all_msg, some_msg, none_msg] = spec.list_msgs;
    let mut result = AffectedItems::new(all_msg, some_msg, none_msg);
    let kind = spec.kind;
    let all = state.store().read(move |c| catalog::list(c, kind)).await?;
    let id_of = |v: &Value| v["id"].as_i64().unwrap_or_default();
    let records: Vec<Value> = match ids {
        Some(ids) => {
            let (allowed, refused) = authz.split_ids(spec.rbac, ids)?;
            for id in refused {
                result.fail(id_value(&ROLES, &id), denied_item(spec.rbac));
            }
            let wanted: Vec<i64> = allowed.iter().filter_map(|i| i.parse().ok()).collect();
            for id in allowed
                .iter()
                .filter(|i| !all.iter().any(|v| id_of(v).to_string() == **i))
            {
                result.fail(id_value(spec, id), ItemError::new(spec.not_found));
            }
            all.into_iter().filter(|v| wanted.contains(&id_of(v))).collect()
        }
        None => all
            .into_iter()
            .filter(|v| authz.permits(spec.rbac, &id_of(v).to_string()))
            .collect(),
    };
    let page = oxsec_wql::memory::execute(&records, &query, (spec.schema)()).map_err(crate::list::wql_error)?;
    result.set_page(page.items, page.total);
    Ok(result)
}

/// Whether a policy document is well formed.
pub fn valid_policy(p: &Value) -> bool {
    static ACTION: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    static RESOURCE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let action_re = ACTION.get_or_init(|| regex::Regex::new(r"^[a-zA-Z_\-]+:[a-zA-Z_\-]+$").ok());
    let resource_re = RESOURCE.get_or_init(|| regex::Regex::new(r"^[a-zA-Z_\-*]+:[a-zA-Z_\-*]+:[\w\-./*@]+$").ok());
    let (Some(action_re), Some(resource_re)) = (action_re, resource_re) else {
        return false;
    };
    let strs = |k: &str| {
        p.get(k)
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty() && a.iter().all(Value::is_string))
    };
    let keys_ok = p.as_object().is_some_and(|o| o.len() == 3);
    let effect_ok = p.get("effect").and_then(Value::as_str).is_some();
    let actions_ok = strs("actions").is_some_and(|a| a.iter().filter_map(Value::as_str).all(|s| action_re.is_match(s)));
    let resources_ok = strs("resources").is_some_and(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .all(|r| r == "*" || r.split('&').all(|part| resource_re.is_match(part)))
    });
    keys_ok && effect_ok && actions_ok && resources_ok
}

/// Wazuh's `sanitize_rbac_policy`: actions, effect and each resource's `type:attr` are lower-cased;
/// resource values keep their case.
pub fn sanitize_policy(p: &mut Value) {
    if let Some(items) = p.get_mut("actions").and_then(Value::as_array_mut) {
        for i in items {
            if let Some(s) = i.as_str() {
                *i = Value::from(s.to_ascii_lowercase());
            }
        }
    }
    if let Some(e) = p.get_mut("effect") {
        if let Some(s) = e.as_str() {
            *e = Value::from(s.to_ascii_lowercase());
        }
    }
    if let Some(items) = p.get_mut("resources").and_then(Value::as_array_mut) {
        for r in items {
            let Some(s) = r.as_str() else { continue };
            let fixed: Vec<String> = s
                .split('&')
                .map(|part| {
                    let mut segs: Vec<String> = part.splitn(3, ':').map(str::to_owned).collect();
                    let n = segs.len();
                    for seg in segs.iter_mut().take(n.saturating_sub(1)) {
                        *seg = seg.to_ascii_lowercase();
                    }
                    segs.join(":")
                })
                .collect();
            *r = Value::from(fixed.join("&"));
        }
    }
}

/// Creates an object.
pub async fn create(
    state: &AppState,
    spec: &'static Spec,
    name: &str,
    mut body: Option<Value>,
) -> Result<AffectedItems, ApiError> {
    if spec.kind == Kind::Policy {
        if let Some(b) = body.as_mut() {
            sanitize_policy(b);
        }
    }
    let [ok_msg, fail_msg] = spec.create_msgs;
    let mut result = AffectedItems::new(ok_msg, "", fail_msg);
    let valid = match (&body, spec.kind) {
        (Some(b), Kind::Policy) => valid_policy(b),
        (Some(b), Kind::Rule) => b.is_object(),
        _ => true,
    };
    if !valid {
        // Upstream reports an invalid body as a failed item named after the object.
        result.fail(name, ItemError::new(spec.invalid));
        return Ok(result);
    }
    let (kind, owned_name, now) = (spec.kind, name.to_owned(), crate::timefmt::now_iso());
    let created = state
        .store()
        .write(move |tx| {
            if catalog::name_or_body_taken(tx, kind, Some(&owned_name), body.as_ref(), 0)? {
                return Ok(None);
            }
            let id = catalog::next_id(tx, kind)?;
            catalog::insert(tx, kind, id, &owned_name, body.as_ref(), &now)?;
            Ok(Some(id))
        })
        .await?;
    match created {
        Some(id) => result.push(fetch(state, spec, id).await?),
        None => result.fail(name, ItemError::new(spec.taken)),
    }
    Ok(result)
}

async fn fetch(state: &AppState, spec: &Spec, id: i64) -> Result<Value, ApiError> {
    let kind = spec.kind;
    let all = state.store().read(move |c| catalog::list(c, kind)).await?;
    Ok(all
        .into_iter()
        .find(|v| v["id"].as_i64() == Some(id))
        .unwrap_or(Value::Null))
}

/// Updates an object's name and/or body; the tokens of the roles it affects are revoked.
pub async fn update(
    state: &AppState,
    spec: &'static Spec,
    id: i64,
    name: Option<String>,
    mut body: Option<Value>,
) -> Result<AffectedItems, ApiError> {
    if spec.kind == Kind::Policy {
        if let Some(b) = body.as_mut() {
            sanitize_policy(b);
        }
    }
    if name.is_none() && body.is_none() {
        return Err(ApiError::code(WazuhCode::EmptyBody));
    }
    let [ok_msg, fail_msg] = spec.update_msgs;
    let mut result = AffectedItems::new(ok_msg, "", fail_msg);
    if let Some(b) = &body {
        let ok = match spec.kind {
            Kind::Policy => valid_policy(b),
            _ => b.is_object(),
        };
        if !ok {
            result.fail(id, ItemError::new(spec.invalid));
            return Ok(result);
        }
    }
    if id <= MAX_RESERVED_ID {
        result.fail(id, ItemError::new(WazuhCode::ReservedResource));
        return Ok(result);
    }
    let kind = spec.kind;
    let outcome = state
        .store()
        .write(move |tx| {
            if !catalog::exists(tx, kind, id)? {
                return Ok(Err(()));
            }
            if catalog::name_or_body_taken(tx, kind, name.as_deref(), body.as_ref(), id)? {
                return Ok(Ok(None));
            }
            catalog::update(tx, kind, id, name.as_deref(), body.as_ref())?;
            Ok(Ok(Some(catalog::roles_of(tx, kind, id)?)))
        })
        .await?;
    match outcome {
        Err(()) => result.fail(id, ItemError::new(spec.not_found)),
        Ok(None) => result.fail(id, ItemError::new(spec.taken_on_update)),
        Ok(Some(roles)) => {
            for role in roles {
                revoke_role_tokens(state, role).await?;
            }
            state.rbac_changed();
            result.push(fetch(state, spec, id).await?);
        }
    }
    Ok(result)
}

/// Deletes objects; `all` deletes every non-reserved one the caller may delete.
pub async fn delete(
    state: &AppState,
    spec: &'static Spec,
    authz: &Authz,
    ids: Vec<String>,
) -> Result<AffectedItems, ApiError> {
    let [all_msg, some_msg, none_msg] = spec.delete_msgs;
    let mut result = AffectedItems::new(all_msg, some_msg, none_msg);
    let kind = spec.kind;
    let existing = state.store().read(move |c| catalog::list(c, kind)).await?;
    let all_requested = ids.iter().any(|i| i == "all");
    let targets: Vec<String> = if all_requested {
        existing
            .iter()
            .filter_map(|v| v["id"].as_i64())
            .filter(|id| *id > MAX_RESERVED_ID && authz.permits(spec.rbac, &id.to_string()))
            .map(|id| id.to_string())
            .collect()
    } else {
        let (allowed, refused) = authz.split_ids(spec.rbac, ids)?;
        for id in refused {
            result.fail(id_value(&ROLES, &id), denied_item(spec.rbac));
        }
        allowed
    };
    for raw in targets {
        let Ok(id) = raw.parse::<i64>() else {
            result.fail(id_value(&ROLES, &raw), ItemError::new(spec.not_found));
            continue;
        };
        let Some(before) = existing.iter().find(|v| v["id"].as_i64() == Some(id)).cloned() else {
            result.fail(id, ItemError::new(spec.not_found));
            continue;
        };
        if id <= MAX_RESERVED_ID {
            result.fail(id, ItemError::new(WazuhCode::ReservedResource));
            continue;
        }
        let roles = state
            .store()
            .write(move |tx| {
                let roles = catalog::roles_of(tx, kind, id)?;
                catalog::delete(tx, kind, id)?;
                Ok(roles)
            })
            .await?;
        for role in roles {
            revoke_role_tokens(state, role).await?;
        }
        result.push(before);
    }
    state.rbac_changed();
    Ok(result)
}

/// Rejects tokens carrying `role_id` issued until now.
pub async fn revoke_role_tokens(state: &AppState, role_id: i64) -> Result<(), ApiError> {
    crate::service::security::revoke(state, crate::service::security::Revoke::Role(role_id)).await
}

/// Links policies (`Kind::Policy`, with `position`) or security rules (`Kind::Rule`) to a role.
pub async fn link(
    state: &AppState,
    kind: Kind,
    role_id: i64,
    ids: Vec<String>,
    position: Option<i64>,
) -> Result<AffectedItems, ApiError> {
    let (noun, not_found, exists_code) = match kind {
        Kind::Rule => (
            "security rules",
            WazuhCode::SecurityRuleNotFound,
            WazuhCode::RoleRuleExists,
        ),
        _ => ("policies", WazuhCode::PolicyNotFound, WazuhCode::RolePolicyExists),
    };
    let mut result = AffectedItems::new(
        format!("All {noun} were linked to role {role_id}"),
        format!("Some {noun} were not linked to role {role_id}"),
        format!("No link was created to role {role_id}"),
    );
    let now = crate::timefmt::now_iso();
    let per_id = state
        .store()
        .write(move |tx| {
            if !catalog::exists(tx, Kind::Role, role_id)? {
                return Ok(None);
            }
            let mut position = position;
            let mut out = Vec::new();
            for raw in ids {
                let Ok(id) = raw.parse::<i64>() else {
                    out.push((raw, Some(not_found)));
                    continue;
                };
                // Upstream's order: for policies a default role is refused before the policy is
                // looked up; for security rules the rule must exist, and only default rules are
                // refused (a custom rule may be linked to any role).
                let reserved = match kind {
                    Kind::Rule => id <= MAX_RESERVED_ID,
                    _ => role_id <= MAX_RESERVED_ID,
                };
                let code = if kind != Kind::Rule && reserved {
                    Some(WazuhCode::ReservedResource)
                } else if !catalog::exists(tx, kind, id)? {
                    Some(not_found)
                } else if reserved {
                    Some(WazuhCode::ReservedResource)
                } else {
                    let linked = match kind {
                        Kind::Rule => catalog::link_rule(tx, role_id, id, &now)?,
                        _ => catalog::link_policy(tx, role_id, id, position, &now)?,
                    };
                    if linked {
                        position = position.map(|p| p + 1);
                        None
                    } else {
                        Some(exists_code)
                    }
                };
                out.push((raw, code));
            }
            Ok(Some(out))
        })
        .await?;
    let Some(per_id) = per_id else {
        result.fail(role_id, ItemError::new(WazuhCode::RoleNotFound));
        return Ok(result);
    };
    finish_links(state, &mut result, role_id, per_id, false).await?;
    Ok(result)
}

/// Unlinks policies or security rules from a role (404 when the role does not exist, as upstream).
pub async fn unlink(state: &AppState, kind: Kind, role_id: i64, ids: Vec<String>) -> Result<AffectedItems, ApiError> {
    let (noun, none_noun, not_found, missing) = match kind {
        Kind::Rule => (
            "security rules",
            "security rule",
            WazuhCode::SecurityRuleNotFound,
            WazuhCode::RoleRuleMissing,
        ),
        _ => (
            "policies",
            "policy",
            WazuhCode::PolicyNotFound,
            WazuhCode::RolePolicyMissing,
        ),
    };
    let mut result = AffectedItems::new(
        format!("All {noun} were unlinked from role {role_id}"),
        format!("Some {noun} were not unlinked from role {role_id}"),
        format!("No {none_noun} was unlinked from role {role_id}"),
    );
    let per_id = state
        .store()
        .write(move |tx| {
            if !catalog::exists(tx, Kind::Role, role_id)? {
                return Ok(None);
            }
            let mut out = Vec::new();
            for raw in ids {
                let Ok(id) = raw.parse::<i64>() else {
                    out.push((raw, Some(not_found)));
                    continue;
                };
                // Upstream's order: for policies a default role is refused before the policy is
                // looked up; for security rules the rule must exist, and only default rules are
                // refused (a custom rule may be linked to any role).
                let reserved = match kind {
                    Kind::Rule => id <= MAX_RESERVED_ID,
                    _ => role_id <= MAX_RESERVED_ID,
                };
                let code = if kind != Kind::Rule && reserved {
                    Some(WazuhCode::ReservedResource)
                } else if !catalog::exists(tx, kind, id)? {
                    Some(not_found)
                } else if reserved {
                    Some(WazuhCode::ReservedResource)
                } else {
                    let removed = match kind {
                        Kind::Rule => catalog::unlink_rule(tx, role_id, id)?,
                        _ => catalog::unlink_policy(tx, role_id, id)?,
                    };
                    if removed {
                        None
                    } else {
                        Some(missing)
                    }
                };
                out.push((raw, code));
            }
            Ok(Some(out))
        })
        .await?;
    let Some(per_id) = per_id else {
        return Err(ApiError::code(WazuhCode::RoleNotFound));
    };
    finish_links(state, &mut result, role_id, per_id, kind == Kind::Rule).await?;
    Ok(result)
}

async fn finish_links(
    state: &AppState,
    result: &mut AffectedItems,
    role_id: i64,
    per_id: Vec<(String, Option<WazuhCode>)>,
    string_ids: bool,
) -> Result<(), ApiError> {
    let changed = per_id.iter().filter(|(_, c)| c.is_none()).count() as u64;
    for (raw, code) in per_id {
        if let Some(code) = code {
            // Upstream reports security-rule ids of a role unlink as strings.
            let id = if code == WazuhCode::ReservedResource {
                Value::from(role_id)
            } else if string_ids {
                Value::from(raw)
            } else {
                id_value(&POLICIES, &raw)
            };
            result.fail(id, ItemError::new(code));
        }
    }
    if changed > 0 {
        revoke_role_tokens(state, role_id).await?;
        state.rbac_changed();
        result.set_page(vec![fetch(state, &ROLES, role_id).await?], changed);
    }
    Ok(())
}
