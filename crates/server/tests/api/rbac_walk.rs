//! Walks every operation of the upstream contract (`spec::contract()`, extensions left out) as four
//! callers and checks each answer against what the caller may do:
//!
//! 1. no credentials: 401 for every served operation that authenticates (JWT or Basic);
//! 2. a user without roles: every served operation guarded by RBAC refuses (403 with error 4000),
//!    filters to nothing (200 with `total_affected_items` 0) or, for an id in the path, answers 404;
//! 3. a user with role `readonly`: what it may do is derived from its own
//!    `GET /security/users/me/policies`: operations it has no action for refuse or filter (writes under
//!    `/security` are 403), operations it has every action for are not refused, no GET is 401;
//! 4. the administrator: never 401 or 403 (400/404 for the placeholder parameters and bodies are
//!    fine), run last; the calls that revoke every token or reset the security configuration run
//!    on a second server at the end.
//!
//! Operations the server does not serve answer 404 or 405 to every caller. No answer is ever 500.
//! Requests are built from the contract: path parameters get an id that exists or a value matching
//! their schema, required query parameters a value valid for their schema (checked with the
//! contract's own validator before sending), `POST`/`PUT` send `{}`. No id list is ever `all`.

use std::collections::HashSet;

use oxsec_server::spec::{self, Auth, Operation, Schema};
use reqwest::Method;
use serde_json::{json, Value};

use super::common::{start, start_with, user_with_roles, TestServer, PASSWORD};

/// The password of the users the walk creates.
/// The password `common::user_with_roles` gives the users it creates.
const USER_PASSWORD: &str = "Passw0rd!x";

/// Operations that revoke every token or reset the security configuration: the administrator walks
/// them on a server of their own.
const DESTRUCTIVE: &[(&str, &str)] = &[
    ("PUT", "/security/user/revoke"),
    ("PUT", "/security/config"),
    ("DELETE", "/security/config"),
];

/// Ids of resources that exist when the walk starts, used for id parameters.
struct Ids {
    user: String,
    role: String,
    policy: String,
    rule: String,
}

/// One caller: its label in reports, its credentials (none for the anonymous caller) and token.
struct Who {
    label: &'static str,
    login: Option<(String, String)>,
    token: Option<String>,
}

impl Who {
    fn anonymous() -> Self {
        Self {
            label: "no token",
            login: None,
            token: None,
        }
    }

    async fn user(s: &TestServer, label: &'static str, user: &str, password: &str) -> Self {
        Self {
            label,
            login: Some((user.to_owned(), password.to_owned())),
            token: Some(login(s, user, password).await),
        }
    }

    /// Logs in again if the token no longer works (logout, password change, role change…).
    async fn refresh(&mut self, s: &TestServer) {
        let (Some((user, password)), Some(token)) = (&self.login, &self.token) else {
            return;
        };
        let status = s
            .call(Method::GET, "/security/users/me", Some(token))
            .await
            .status()
            .as_u16();
        if status == 401 {
            self.token = Some(login(s, user, password).await);
        }
    }
}

/// An answer: status, body as JSON (`Null` if it is not JSON) and as text.
struct Answer {
    status: u16,
    body: Value,
    text: String,
}

impl Answer {
    fn error_code(&self) -> Option<u64> {
        self.body["error"].as_u64()
    }

    /// 403 with Wazuh's permission-denied error.
    fn is_denied(&self) -> bool {
        self.status == 403 && self.error_code() == Some(4000)
    }

    /// 400 for a body that does not fit the operation's schema (the walk sends `{}`); upstream
    /// validates the request before deciding permissions, so this comes first for every caller.
    fn is_invalid_body(&self) -> bool {
        self.status == 400 && self.body.get("error").is_none()
    }

    /// 400/3013: a cluster operation while the cluster does not run; Wazuh asks the cluster for
    /// its nodes before deciding permissions, so every authenticated caller gets this.
    fn is_cluster_not_running(&self) -> bool {
        self.status == 400 && self.body["error"].as_u64() == Some(3013)
    }

    /// 200 with nothing in it (a listing filtered down to nothing).
    fn is_empty_listing(&self) -> bool {
        self.status == 200
            && (self.body["data"]["total_affected_items"].as_u64() == Some(0)
                // Summaries count only what the caller may read.
                || self.body["data"]["connection"]["total"].as_u64() == Some(0)
                || self.body["data"]["agent_status"]["connection"]["total"].as_u64() == Some(0)
                || self.body["data"]["status"].as_object().is_some_and(|s| s.values().all(|v| v == 0)))
    }

    fn snippet(&self) -> String {
        const MAX: usize = 300;
        let mut s: String = self.text.chars().take(MAX).collect();
        if self.text.chars().count() > MAX {
            s.push('…');
        }
        s
    }
}

async fn login(s: &TestServer, user: &str, password: &str) -> String {
    let resp = s
        .client
        .post(format!("{}/security/user/authenticate?raw=true", s.base))
        .basic_auth(user, Some(password))
        .send()
        .await
        .expect("login request");
    assert_eq!(resp.status(), 200, "login as {user}");
    resp.text().await.expect("token")
}

async fn send_json(s: &TestServer, method: Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = s.client.request(method, format!("{}{path}", s.base)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("send");
    let status = resp.status().as_u16();
    let body = resp.json().await.expect("JSON body");
    (status, body)
}

/// Creates a role, policy or rule with `body`; returns its id.
async fn create(s: &TestServer, admin: &str, path: &str, body: Value) -> String {
    let (status, answer) = send_json(s, Method::POST, path, admin, Some(body)).await;
    assert_eq!(status, 200, "POST {path}: {answer}");
    answer["data"]["affected_items"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("id from POST {path}: {answer}"))
        .to_string()
}

/// A value for an id-like parameter, by name.
fn hinted(name: &str, ids: &Ids) -> Option<String> {
    let v = match name {
        "agent_id" | "agents_list" => "001",
        "user_id" | "user_ids" => &ids.user,
        "role_id" | "role_ids" => &ids.role,
        "policy_id" | "policy_ids" => &ids.policy,
        "rule_id" | "rule_ids" => &ids.rule,
        _ => return None,
    };
    Some(v.to_owned())
}

/// A value matching one of the contract's string formats.
fn sample_for_format(format: &str) -> &'static str {
    match format.strip_suffix("_or_empty").unwrap_or(format) {
        "numbers" | "numbers_or_all" | "range" | "timeframe" => "1",
        "xml_filename" | "xml_filename_path" => "x.xml",
        "wpk_path" => "x.wpk",
        "date" => "2024-01-01",
        "date-time" => "2024-01-01T00:00:00Z",
        "base64" => "eA==",
        "hash" => "d41d8cd98f00b204e9800998ecf8427e",
        "wazuh_version" => "4.14.7",
        "get_dirnames_path" => "etc/rules",
        _ => "x",
    }
}

/// A plausible value for a parameter, from its name or its schema.
fn value_for(name: &str, schema: &Schema, ids: &Ids) -> String {
    if let Some(v) = hinted(name, ids) {
        return v;
    }
    match schema {
        Schema::Boolean => "false".into(),
        Schema::Integer { min, max } => {
            let mut n = min.map_or(1, |m| m.max(1));
            if let Some(max) = max {
                n = n.min(*max);
            }
            n.to_string()
        }
        Schema::Number { min } => min.map_or(1.0, |m| m.max(1.0)).to_string(),
        Schema::Array { items, .. } => value_for(name, items, ids),
        Schema::String {
            format,
            enumeration,
            min_length,
            ..
        } => {
            if let Some(first) = enumeration.as_ref().and_then(|e| e.first()) {
                return first.clone();
            }
            let mut v = format.as_deref().map_or("x", sample_for_format).to_owned();
            let want = min_length.unwrap_or(0);
            let numeric = v.chars().all(|c| c.is_ascii_digit()) && !v.is_empty();
            while v.chars().count() < want {
                if numeric {
                    v.insert(0, '0');
                } else {
                    v.push('x');
                }
            }
            v
        }
    }
}

/// The URL (path and query) of `op`, or why no valid one could be built.
fn url_for(op: &Operation, ids: &Ids) -> Result<String, String> {
    let mut path = op.path.clone();
    let mut pairs = Vec::new();
    for p in op.params.iter().filter(|p| p.required) {
        let v = value_for(&p.name, &p.schema, ids);
        spec::validate_value(&p.name, &v, &p.schema, &p.raw_schema)
            .map_err(|e| format!("no valid value for {} (tried {v:?}): {e}", p.name))?;
        match p.location.as_str() {
            "path" => path = path.replace(&format!("{{{}}}", p.name), &v),
            "query" => pairs.push((p.name.clone(), v)),
            other => return Err(format!("parameter {} in {other}", p.name)),
        }
    }
    if path.contains('{') {
        return Err(format!("unfilled path parameter in {path}"));
    }
    op.validate_query(&pairs)
        .map_err(|e| format!("query {pairs:?} does not validate: {e}"))?;
    if pairs.is_empty() {
        Ok(path)
    } else {
        let q: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        Ok(format!("{path}?{}", q.join("&")))
    }
}

/// Sends `op` at `url` as `who`: a bearer token for JWT operations, Basic credentials for the login
/// operations, nothing for the anonymous caller; `{}` as body for `POST`/`PUT`.
async fn send(s: &TestServer, op: &Operation, url: &str, who: &Who) -> Answer {
    let method = Method::from_bytes(op.method.as_bytes()).expect("method");
    let mut req = s.client.request(method.clone(), format!("{}{url}", s.base));
    match (op.auth, &who.login, &who.token) {
        (Auth::Basic, Some((user, password)), _) => req = req.basic_auth(user, Some(password)),
        (Auth::Jwt, _, Some(token)) => req = req.bearer_auth(token),
        _ => {}
    }
    if method == Method::POST || method == Method::PUT {
        req = req.json(&json!({}));
    }
    let resp = req.send().await.unwrap_or_else(|e| panic!("{} {url}: {e}", op.method));
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer { status, body, text }
}

/// What the caller's policies (`GET /security/users/me/policies` data) allow of `action`.
fn granted(policies: &Value, action: &str) -> bool {
    policies
        .get(action)
        .and_then(Value::as_object)
        .is_some_and(|m| m.values().any(|e| e == "allow"))
}

/// The walk's view of one contract operation.
#[derive(Clone)]
struct Step<'a> {
    op: &'a Operation,
    url: String,
    served: bool,
}

impl Step<'_> {
    fn has_path_params(&self) -> bool {
        self.op.params.iter().any(|p| p.location == "path")
    }

    fn report(&self, who: &Who, a: &Answer, why: &str) -> String {
        format!(
            "{} {} ({}) {}: got {} {} — {why}",
            self.op.method,
            self.op.path,
            self.url,
            who.label,
            a.status,
            a.snippet()
        )
    }
}

/// The checks every caller shares: no 500, and unserved operations answer 404/405.
fn common_violation(step: &Step<'_>, a: &Answer) -> Option<&'static str> {
    if a.status >= 500 {
        return Some("server error");
    }
    if !step.served && !matches!(a.status, 404 | 405) {
        return Some("unserved operation must answer 404 or 405");
    }
    None
}

/// Caller 1: no credentials at all.
fn check_anonymous(step: &Step<'_>, a: &Answer) -> Option<&'static str> {
    if let Some(v) = common_violation(step, a) {
        return Some(v);
    }
    match step.op.auth {
        Auth::Jwt | Auth::Basic if step.served && a.status != 401 => Some("expected 401 without credentials"),
        _ => None,
    }
}

/// Caller 2: a user without roles.
fn check_no_roles(step: &Step<'_>, a: &Answer) -> Option<&'static str> {
    if let Some(v) = common_violation(step, a) {
        return Some(v);
    }
    if !step.served {
        return None;
    }
    if step.op.auth == Auth::Jwt && a.status == 401 {
        return Some("valid token refused");
    }
    if step.op.rbac_actions.is_empty() {
        return None;
    }
    let ok = a.is_denied()
        || a.is_empty_listing()
        || a.is_invalid_body()
        || (step.op.path.starts_with("/cluster/") && a.is_cluster_not_running())
        || (step.has_path_params() && matches!(a.status, 403 | 404));
    (!ok).then_some("a user without roles must be refused (403/4000), filtered to nothing, or 404")
}

/// Caller 3: `readonly`, judged by the policies the server reports for it.
fn check_readonly(step: &Step<'_>, a: &Answer, policies: &Value) -> Option<&'static str> {
    if let Some(v) = common_violation(step, a) {
        return Some(v);
    }
    if !step.served {
        return None;
    }
    if step.op.auth == Auth::Jwt && a.status == 401 {
        return Some("valid token refused");
    }
    let actions = &step.op.rbac_actions;
    if actions.is_empty() {
        return None;
    }
    let all = actions.iter().all(|act| granted(policies, act));
    if all {
        return (a.status == 403).then_some("refused although its policies grant every action");
    }
    if step.op.method != "GET" && step.op.path.starts_with("/security") {
        return (!a.is_denied() && !a.is_invalid_body())
            .then_some("security write without the action: expected 403 with error 4000");
    }
    let none = !actions.iter().any(|act| granted(policies, act));
    let ok = a.is_denied() || a.is_empty_listing() || (step.has_path_params() && a.status == 404);
    (none && !ok).then_some("no policy grants the action: expected a refusal or an empty listing")
}

/// Caller 4: the administrator.
fn check_admin(step: &Step<'_>, a: &Answer) -> Option<&'static str> {
    if let Some(v) = common_violation(step, a) {
        return Some(v);
    }
    (step.served && matches!(a.status, 401 | 403)).then_some("the administrator must never get 401 or 403")
}

/// Walks `steps` as `who`; `check` judges each answer. Tokens revoked by a call are renewed.
async fn walk(
    s: &TestServer,
    steps: &[Step<'_>],
    who: &mut Who,
    violations: &mut Vec<String>,
    check: impl Fn(&Step<'_>, &Answer) -> Option<&'static str>,
) -> usize {
    let mut sent = 0;
    for step in steps {
        let a = send(s, step.op, &step.url, who).await;
        sent += 1;
        if let Some(why) = check(step, &a) {
            violations.push(step.report(who, &a, why));
        }
        if step.served && step.op.method != "GET" {
            who.refresh(s).await;
        }
    }
    sent
}

#[tokio::test]
async fn every_contract_operation_answers_each_caller_as_its_permissions_say() {
    let routes = oxsec_server::api::routes();
    let served: HashSet<(String, String)> = routes
        .served()
        .iter()
        .map(|(m, p)| (m.as_str().to_owned(), (*p).to_owned()))
        .collect();

    let mut ops: Vec<&Operation> = spec::contract().operations().filter(|o| !o.extension).collect();
    ops.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    assert_eq!(ops.len(), 182, "upstream operations in the contract");

    // Experimental operations on, so that their permissions are walked too.
    let s = start_with(&[("OXSEC_EXPERIMENTAL_FEATURES", "true")]).await;
    let admin_token = s.token().await;
    let ids = Ids {
        user: user_with_roles(&s, &admin_token, "walktarget", "").await.to_string(),
        role: create(&s, &admin_token, "/security/roles", json!({"name": "walk_role"})).await,
        policy: create(
            &s,
            &admin_token,
            "/security/policies",
            json!({
                "name": "walk_policy",
                "policy": {"actions": ["agent:read"], "resources": ["agent:id:999"], "effect": "allow"},
            }),
        )
        .await,
        rule: create(
            &s,
            &admin_token,
            "/security/rules",
            json!({"name": "walk_rule", "rule": {"FIND": {"username": "walker"}}}),
        )
        .await,
    };
    user_with_roles(&s, &admin_token, "walknobody", "").await;
    user_with_roles(&s, &admin_token, "walkreader", "2").await;

    let mut violations = Vec::new();
    let mut steps = Vec::new();
    for op in &ops {
        match url_for(op, &ids) {
            Ok(url) => steps.push(Step {
                op,
                url,
                served: served.contains(&(op.method.clone(), op.path.clone())),
            }),
            Err(e) => violations.push(format!("{} {}: cannot build a request: {e}", op.method, op.path)),
        }
    }
    let served_count = steps.iter().filter(|s| s.served).count();
    let unserved_count = steps.len() - served_count;
    let extensions = routes
        .served()
        .iter()
        .filter(|(m, p)| spec::contract().operation(m.as_str(), p).is_some_and(|o| o.extension))
        .count();
    assert_eq!(
        served_count + extensions,
        routes.served().len(),
        "every served route is an upstream operation or an extension"
    );
    println!(
        "walking {} operations: {served_count} served, {unserved_count} not served",
        steps.len()
    );

    // 1. No credentials.
    let mut anonymous = Who::anonymous();
    let n1 = walk(&s, &steps, &mut anonymous, &mut violations, check_anonymous).await;

    // 2. A user without roles.
    let mut nobody = Who::user(&s, "user without roles", "walknobody", USER_PASSWORD).await;
    let n2 = walk(&s, &steps, &mut nobody, &mut violations, check_no_roles).await;

    // 3. readonly: what it may do, as the server reports it.
    let mut reader = Who::user(&s, "readonly", "walkreader", USER_PASSWORD).await;
    let (status, body) = s.get("/security/users/me/policies", reader.token.as_deref()).await;
    assert_eq!(status, 200, "readonly's policies: {body}");
    let policies = body["data"].clone();
    assert!(granted(&policies, "agent:read"), "readonly reads agents: {policies}");
    let readonly_steps: Vec<Step<'_>> = steps
        .iter()
        .filter(|st| !st.served || st.op.method == "GET" || st.op.path.starts_with("/security"))
        .cloned()
        .collect();
    let refused_writes = readonly_steps
        .iter()
        .filter(|st| st.served && st.op.method != "GET" && !st.op.rbac_actions.is_empty())
        .filter(|st| !st.op.rbac_actions.iter().all(|a| granted(&policies, a)))
        .count();
    assert!(
        refused_writes > 0,
        "readonly must be refused some security write: {policies}"
    );
    let n3 = walk(&s, &readonly_steps, &mut reader, &mut violations, |st, a| {
        check_readonly(st, a, &policies)
    })
    .await;

    // 4. The administrator, last; the token-revoking configuration calls on a server of their own.
    let is_destructive = |st: &Step<'_>| DESTRUCTIVE.contains(&(st.op.method.as_str(), st.op.path.as_str()));
    let (destructive, mut safe): (Vec<Step<'_>>, Vec<Step<'_>>) = steps.into_iter().partition(is_destructive);
    // Deletions last (unlinks before collection deletions), so updates and links find the fixtures.
    safe.sort_by_key(|st| match (st.op.method.as_str(), st.has_path_params()) {
        ("DELETE", true) => 1,
        ("DELETE", false) => 2,
        _ => 0,
    });
    assert_eq!(
        destructive.len(),
        DESTRUCTIVE.len(),
        "destructive operations are in the contract"
    );
    let mut admin = Who::user(&s, "administrator", "wazuh", PASSWORD).await;
    let n4 = walk(&s, &safe, &mut admin, &mut violations, check_admin).await;
    drop(s);
    let s2 = start().await;
    let mut admin2 = Who::user(&s2, "administrator", "wazuh", PASSWORD).await;
    let n5 = walk(&s2, &destructive, &mut admin2, &mut violations, check_admin).await;
    let (status, _) = s2.get("/security/users/me", admin2.token.as_deref()).await;
    assert_eq!(
        status, 200,
        "the administrator can work again after the destructive calls"
    );

    let covered: HashSet<(&str, &str)> = safe
        .iter()
        .chain(destructive.iter())
        .map(|st| (st.op.method.as_str(), st.op.path.as_str()))
        .collect();
    println!(
        "requests sent: {n1} anonymous, {n2} without roles, {n3} readonly, {} administrator",
        n4 + n5
    );
    assert!(
        violations.is_empty(),
        "{} violation(s) walking the contract ({served_count} served, {unserved_count} not served):\n{}",
        violations.len(),
        violations.join("\n")
    );
    assert_eq!(
        covered.len(),
        182,
        "the administrator walk covered every upstream operation"
    );
    assert_eq!(
        (n1, n2),
        (182, 182),
        "the anonymous and no-role walks covered every operation"
    );
}
