//! RBAC: the caller's merged permissions and the decision for an action on a resource, with Wazuh's
//! semantics (`framework/wazuh/rbac/preprocessor.py` and `decorators.py` at v4.14.7):
//!
//! - The statements of the caller's policies are merged role by role (token order), policy by
//!   policy (link level), resource by resource; a later statement wins. A later `type:attr:*`
//!   erases earlier specific `type:attr:…` entries of the action (and `agent:group` ones), a later
//!   specific entry refines an earlier wildcard.
//! - Deciding whether value `v` of resource kind `type:attr` is allowed for an action: start from
//!   "denied" in `white` mode or "allowed" in `black` mode, then apply every entry of the action in
//!   order whose kind matches and whose value is `*` or `v` (for agents, `agent:group:g` matches the
//!   agents of group `g`). Anything but `allow` counts as deny.
//! - Resourceless actions need `*:*:*`.
//!
//! Which resource each endpoint checks is derived from the contract in [`requirements`]: the one
//! table of endpoint → actions (the spec's `x-rbac-actions`) → resource parameter.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::spec::Operation;

/// `white`: deny unless allowed; `black`: allow unless denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Deny unless allowed.
    White,
    /// Allow unless denied.
    Black,
}

impl Mode {
    /// From the token's `rbac_mode` claim.
    pub fn parse(s: &str) -> Self {
        if s == "black" {
            Self::Black
        } else {
            Self::White
        }
    }

    /// As written in tokens and responses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::White => "white",
            Self::Black => "black",
        }
    }
}

/// The merged permissions of a caller: for each action, `(resource, effect)` in merge order.
#[derive(Debug, Clone)]
pub struct Permissions {
    mode: Mode,
    actions: Vec<(String, Vec<(String, String)>)>,
}

/// The kind of resourceless actions.
pub const ANY: &str = "*:*";

impl Permissions {
    /// Merges policy documents (`{"actions", "resources", "effect"}`) in the order given.
    pub fn merge<'a>(policies: impl IntoIterator<Item = &'a Value>, mode: Mode) -> Self {
        let mut actions: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for policy in policies {
            let strs = |k: &str| -> Vec<String> {
                policy
                    .get(k)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            };
            let effect = policy
                .get("effect")
                .and_then(Value::as_str)
                .unwrap_or("deny")
                .to_ascii_lowercase();
            for action in strs("actions") {
                let idx = match actions.iter().position(|(a, _)| *a == action) {
                    Some(i) => i,
                    None => {
                        actions.push((action.clone(), Vec::new()));
                        actions.len() - 1
                    }
                };
                let entries = &mut actions[idx].1;
                for resource in strs("resources") {
                    let resource = if resource == "*" { "*:*:*".to_owned() } else { resource };
                    remove_previous(entries, &resource);
                    entries.push((resource, effect.clone()));
                }
            }
        }
        Self { mode, actions }
    }

    /// The RBAC mode the permissions apply in.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// `GET /security/users/me/policies`: action → {resource: effect} in merge order, then `rbac_mode`.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        for (action, entries) in &self.actions {
            let m: Map<String, Value> = entries
                .iter()
                .map(|(r, e)| (r.clone(), Value::from(e.as_str())))
                .collect();
            out.insert(action.clone(), Value::Object(m));
        }
        out.insert("rbac_mode".into(), Value::from(self.mode.as_str()));
        Value::Object(out)
    }

    /// Whether `action` is allowed on value `value` of resource kind `kind` (`user:id`, `agent:id`,
    /// or [`ANY`] for resourceless actions). `agent_groups` gives an agent's groups when `kind` is
    /// `agent:id`, for `agent:group:…` entries.
    pub fn allows(&self, action: &str, kind: &str, value: &str, agent_groups: &dyn Fn(&str) -> Vec<String>) -> bool {
        let mut allowed = self.mode == Mode::Black;
        let Some((_, entries)) = self.actions.iter().find(|(a, _)| a == action) else {
            return allowed;
        };
        let mut groups: Option<Vec<String>> = None;
        for (resource, effect) in entries {
            if resource.contains('&') {
                continue; // combined resources are never required by any endpoint, so never match
            }
            let Some((res_kind, res_value)) = split_resource(resource) else {
                continue;
            };
            let matches = if res_kind == kind {
                res_value == "*" || res_value == value
            } else if kind == "agent:id" && res_kind == "agent:group" {
                res_value == "*"
                    || groups
                        .get_or_insert_with(|| agent_groups(value))
                        .iter()
                        .any(|g| g == res_value)
            } else {
                false
            };
            if matches {
                allowed = effect == "allow";
            }
        }
        allowed
    }

    /// Whether `action` is allowed on every value of `kind` (a wildcard allow with no deny entry of
    /// that kind, or of `agent:group` for agents): listings then need no per-item filter.
    pub fn allows_everything(&self, action: &str, kind: &str) -> bool {
        let denies = self
            .actions
            .iter()
            .find(|(a, _)| a == action)
            .is_some_and(|(_, entries)| {
                entries.iter().any(|(r, e)| {
                    e != "allow"
                        && split_resource(r)
                            .is_some_and(|(k, _)| k == kind || (kind == "agent:id" && k == "agent:group"))
                })
            });
        !denies && self.allows(action, kind, "\u{0}", &|_| vec!["\u{0}".to_owned()])
    }

    /// Whether some policy explicitly allows `action`, on any resource (black mode's implicit
    /// allow does not count).
    pub fn has_explicit_allow(&self, action: &str) -> bool {
        self.actions
            .iter()
            .find(|(a, _)| a == action)
            .is_some_and(|(_, entries)| entries.iter().any(|(_, effect)| effect == "allow"))
    }

    /// Whether a resourceless action (`*:*:*`) is allowed.
    pub fn allows_any(&self, action: &str) -> bool {
        self.allows(action, ANY, "*", &|_| Vec::new())
    }
}

/// `type:attr:value` → (`type:attr`, `value`).
fn split_resource(r: &str) -> Option<(&str, &str)> {
    let mut it = r.splitn(3, ':');
    let (t, a, v) = (it.next()?, it.next()?, it.next()?);
    Some((&r[..t.len() + 1 + a.len()], v))
}

/// Wazuh's `remove_previous_elements`: an identical key goes; a wildcard also removes earlier single
/// entries of the same kind (and `agent:group` ones).
fn remove_previous(entries: &mut Vec<(String, String)>, resource: &str) {
    entries.retain(|(r, _)| r != resource);
    if resource.contains('&') {
        return;
    }
    if let Some((kind, "*")) = split_resource(resource) {
        entries.retain(|(r, _)| r.contains('&') || !(r.starts_with(kind) || r.starts_with("agent:group")));
    }
}

/// What an endpoint requires for one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The action, e.g. `security:read`.
    pub action: String,
    /// The resource kind checked, e.g. `user:id`, or [`ANY`] for resourceless actions.
    pub kind: String,
    /// The request parameter (path or query) holding the ids, if the endpoint has one.
    pub param: Option<String>,
}

/// The pseudo-parameter naming this node, for requirements on `node:id:<this node>`.
pub const THIS_NODE_PARAM: &str = "<this node>";

/// With the cluster enabled Wazuh asks `cluster:<x>` on `node:id:<this node>` where a standalone
/// manager asks `manager:<x>` on `*:*:*`; this rewrites an operation's requirements that way.
pub fn cluster_scoped(reqs: Vec<Requirement>) -> Vec<Requirement> {
    reqs.into_iter()
        .map(|r| match r.action.strip_prefix("manager:") {
            Some(what) => Requirement {
                action: format!("cluster:{what}"),
                kind: "node:id".to_owned(),
                param: Some(THIS_NODE_PARAM.to_owned()),
            },
            None => r,
        })
        .collect()
}

/// Request parameters that name resources of each kind, in order of preference.
const KIND_PARAMS: &[(&str, &[&str])] = &[
    ("agent:id", &["agent_id", "agents_list"]),
    ("group:id", &["group_id", "groups_list"]),
    ("node:id", &["node_id", "nodes_list"]),
    ("user:id", &["user_id", "user_ids"]),
    ("role:id", &["role_id", "role_ids"]),
    ("policy:id", &["policy_id", "policy_ids"]),
    ("rule:id", &["rule_id", "rule_ids"]),
    ("rule:file", &["filename"]),
    ("decoder:file", &["filename"]),
    ("list:file", &["filename"]),
];

/// Actions an operation needs only in some cases, which its handler checks when the case arises
/// rather than the contract layer up front: an upload needs `*:delete` on the file only when it
/// replaces one (`overwrite=true` over an existing file; upstream deletes it first).
const CONDITIONAL_ACTIONS: &[(&str, &str, &str)] = &[
    ("PUT", "/rules/files/{filename}", "rules:delete"),
    ("PUT", "/decoders/files/{filename}", "decoders:delete"),
    ("PUT", "/lists/files/{filename}", "lists:delete"),
];

/// Derives what `op` requires from the contract: for each `x-rbac-actions` entry, the first of the
/// action's resource kinds that the operation has a parameter for, else the resourceless kind if the
/// action has it, else the action's first kind applied to everything (a filter, like Wazuh's absent
/// parameter). `catalog` is the spec's `x-rbac-catalog.actions`.
pub fn requirements(op: &Operation, catalog: &Value) -> Result<Vec<Requirement>, String> {
    let mut out = Vec::new();
    for action in &op.rbac_actions {
        let kinds: Vec<String> = catalog
            .get(action)
            .and_then(|a| a.get("resources"))
            .and_then(Value::as_array)
            .ok_or_else(|| format!("{} {}: action {action} is not in the RBAC catalog", op.method, op.path))?
            .iter()
            .filter_map(|r| r.get("$ref").and_then(Value::as_str))
            .filter_map(|r| r.rsplit('/').next())
            .map(str::to_owned)
            .collect();
        let param_names: HashSet<&str> = op.params.iter().map(|p| p.name.as_str()).collect();
        // Every resource kind the operation names a parameter for is checked (link operations name
        // two: the user or role in the path and the ids in the query).
        let mut bound: Vec<(String, Option<String>)> = kinds
            .iter()
            .filter_map(|k| {
                KIND_PARAMS
                    .iter()
                    .find(|(kind, _)| kind == k)
                    .and_then(|(_, params)| params.iter().find(|p| param_names.contains(*p)))
                    .map(|p| (k.clone(), Some((*p).to_owned())))
            })
            .collect();
        if bound.is_empty() {
            if kinds.iter().any(|k| k == ANY) {
                bound.push((ANY.to_owned(), None));
            } else {
                let first = kinds
                    .first()
                    .cloned()
                    .ok_or_else(|| format!("{} {}: action {action} has no resources", op.method, op.path))?;
                bound.push((first, None));
            }
        }
        let conditional = CONDITIONAL_ACTIONS
            .iter()
            .any(|(m, p, a)| *m == op.method && *p == op.path && a == action);
        for (kind, param) in bound {
            let param = param.filter(|_| !conditional);
            let kind = if kind == "agent:group" {
                "agent:id".to_owned()
            } else {
                kind
            };
            if !out.iter().any(|r: &Requirement| r.action == *action && r.kind == kind) {
                out.push(Requirement {
                    action: action.clone(),
                    kind,
                    param,
                });
            }
        }
    }
    Ok(out)
}

/// [`requirements`] of a contract operation, derived once per operation and kept (the contract
/// never changes while the server runs).
pub fn requirements_of(op: &Operation) -> Result<Vec<Requirement>, String> {
    use std::collections::HashMap;
    use std::sync::OnceLock;
    type Table = HashMap<(String, String), Result<Vec<Requirement>, String>>;
    static TABLE: OnceLock<Table> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let contract = crate::spec::contract();
        let catalog = &contract.document()["x-rbac-catalog"]["actions"];
        contract
            .operations()
            .map(|o| ((o.method.clone(), o.path.clone()), requirements(o, catalog)))
            .collect()
    });
    table
        .get(&(op.method.clone(), op.path.clone()))
        .cloned()
        .unwrap_or_else(|| Err(format!("{} {} is not in the contract", op.method, op.path)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn no_groups(_: &str) -> Vec<String> {
        Vec::new()
    }

    fn web_group(agent: &str) -> Vec<String> {
        if agent == "001" || agent == "002" {
            vec!["web".into()]
        } else {
            Vec::new()
        }
    }

    fn policy(actions: &[&str], resources: &[&str], effect: &str) -> Value {
        json!({"actions": actions, "resources": resources, "effect": effect})
    }

    fn visible(p: &Permissions, agents: &[&str]) -> Vec<String> {
        agents
            .iter()
            .filter(|a| p.allows("agent:read", "agent:id", a, &web_group))
            .map(|a| a.to_string())
            .collect()
    }

    const AGENTS: &[&str] = &["000", "001", "002", "003", "004"];

    #[test]
    fn later_statements_win_as_upstream_observed() {
        // Observed on the harness of decorators.py (white mode, group web = 001, 002).
        let p = Permissions::merge(
            &[
                policy(&["agent:read"], &["agent:id:*"], "allow"),
                policy(&["agent:read"], &["agent:group:web"], "deny"),
            ],
            Mode::White,
        );
        assert_eq!(visible(&p, AGENTS), ["000", "003", "004"]);
        let p = Permissions::merge(
            &[
                policy(&["agent:read"], &["agent:group:web"], "deny"),
                policy(&["agent:read"], &["agent:id:*"], "allow"),
            ],
            Mode::White,
        );
        assert_eq!(visible(&p, AGENTS), AGENTS, "the later * pops the group deny");
        let p = Permissions::merge(
            &[
                policy(&["agent:read"], &["agent:group:web"], "allow"),
                policy(&["agent:read"], &["agent:id:001"], "deny"),
            ],
            Mode::White,
        );
        assert_eq!(visible(&p, AGENTS), ["002"]);
        let p = Permissions::merge(
            &[
                policy(&["agent:read"], &["agent:id:001"], "deny"),
                policy(&["agent:read"], &["agent:group:web"], "allow"),
            ],
            Mode::White,
        );
        assert_eq!(visible(&p, AGENTS), ["001", "002"]);
    }

    #[test]
    fn white_denies_by_default_black_allows_by_default() {
        let none: [Value; 0] = [];
        assert!(!Permissions::merge(&none, Mode::White).allows("agent:read", "agent:id", "001", &no_groups));
        assert!(Permissions::merge(&none, Mode::Black).allows("agent:read", "agent:id", "001", &no_groups));
        assert!(Permissions::merge(&none, Mode::Black).allows_any("agent:create"));
        let p = Permissions::merge(&[policy(&["agent:read"], &["agent:id:001"], "deny")], Mode::Black);
        assert_eq!(visible(&p, &["001", "002"]), ["002"]);
    }

    #[test]
    fn resourceless_actions_need_the_any_resource() {
        let p = Permissions::merge(&[policy(&["agent:create"], &["agent:id:*"], "allow")], Mode::White);
        assert!(!p.allows_any("agent:create"));
        let p = Permissions::merge(&[policy(&["agent:create"], &["*"], "allow")], Mode::White);
        assert!(p.allows_any("agent:create"));
    }

    #[test]
    fn a_later_wildcard_erases_earlier_specific_entries() {
        // Role with [deny user:id:1, allow user:id:*] → {"user:id:*": "allow"}.
        let p = Permissions::merge(
            &[
                policy(&["security:read"], &["user:id:1"], "deny"),
                policy(&["security:read"], &["user:id:*"], "allow"),
            ],
            Mode::White,
        );
        assert_eq!(
            p.to_json(),
            json!({"security:read": {"user:id:*": "allow"}, "rbac_mode": "white"})
        );
        assert!(p.allows("security:read", "user:id", "1", &no_groups));
        // Reversed: the later specific deny refines the wildcard.
        let p = Permissions::merge(
            &[
                policy(&["security:read"], &["user:id:*"], "allow"),
                policy(&["security:read"], &["user:id:1"], "deny"),
            ],
            Mode::White,
        );
        assert!(!p.allows("security:read", "user:id", "1", &no_groups));
        assert!(p.allows("security:read", "user:id", "2", &no_groups));
    }

    #[test]
    fn every_upstream_operation_has_a_requirement_binding() {
        let contract = crate::spec::contract();
        let catalog = &contract.document()["x-rbac-catalog"]["actions"];
        for op in contract.operations() {
            let reqs = requirements(op, catalog).unwrap_or_else(|e| panic!("{e}"));
            assert!(reqs.len() >= op.rbac_actions.len(), "{} {}", op.method, op.path);
        }
        let op = contract.operation("GET", "/security/users").expect("op");
        assert_eq!(
            requirements(op, catalog).expect("reqs"),
            [Requirement {
                action: "security:read".into(),
                kind: "user:id".into(),
                param: Some("user_ids".into())
            }]
        );
        let op = contract
            .operation("POST", "/security/users/{user_id}/roles")
            .expect("op");
        let mut kinds: Vec<String> = requirements(op, catalog)
            .expect("reqs")
            .into_iter()
            .map(|r| r.kind)
            .collect();
        kinds.sort();
        assert_eq!(kinds, ["role:id", "user:id"], "link operations check both sides");
        let op = contract.operation("POST", "/security/users").expect("op");
        assert_eq!(requirements(op, catalog).expect("reqs")[0].kind, ANY);
        let op = contract.operation("GET", "/agents").expect("op");
        assert_eq!(
            requirements(op, catalog).expect("reqs")[0].param.as_deref(),
            Some("agents_list")
        );
    }
}
