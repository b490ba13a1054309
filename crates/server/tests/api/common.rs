//! A test server and a client for it.

use std::path::PathBuf;

use oxsec_server::config::{Config, Overrides};
use reqwest::{Client, Method, Response};
use serde_json::{json, Value};
use tokio::sync::oneshot;

/// The administrator password test servers are seeded with.
pub const PASSWORD: &str = "Test!Passw0rd";

/// A running server; stops when dropped.
pub struct TestServer {
    pub base: String,
    pub data_dir: PathBuf,
    pub client: Client,
    _dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// Starts a server with the default configuration plus `env`-style overrides
/// (e.g. `("OXSEC_ACCESS__MAX_REQUEST_PER_MINUTE", "3")`).
pub async fn start_with(env: &[(&str, &str)]) -> TestServer {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut vars: Vec<(String, String)> = vec![
        ("OXSEC_HOST".into(), "127.0.0.1".into()),
        ("OXSEC_PORT".into(), "0".into()),
        ("OXSEC_ACCESS__MAX_REQUEST_PER_MINUTE".into(), "0".into()),
    ];
    vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let overrides = Overrides {
        data_dir: Some(dir.path().to_owned()),
        ..Overrides::default()
    };
    let config = Config::load(None, vars, &overrides).expect("config");
    let https = config.https.enabled;
    let prepared = oxsec_server::prepare(config, Some(PASSWORD.into()))
        .await
        .expect("prepare");
    let addr = prepared.addrs[0];
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(oxsec_server::run(prepared, async move {
        let _ = rx.await;
    }));
    let scheme = if https { "https" } else { "http" };
    let client = Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .expect("client");
    TestServer {
        base: format!("{scheme}://{addr}"),
        data_dir: dir.path().to_owned(),
        client,
        _dir: dir,
        stop: Some(tx),
    }
}

/// A server reading the upstream ruleset, or `None` when it is not present.
pub async fn with_ruleset() -> Option<TestServer> {
    with_ruleset_and(&[]).await
}

/// A path under the shared directory beside the repository, or `None` when it is not there.
pub fn shared(path: &str) -> Option<String> {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(path);
    match p.canonicalize() {
        Ok(p) => Some(p.to_str().expect("utf-8 path").to_owned()),
        Err(_) => {
            eprintln!("skipped: {} is not present", p.display());
            None
        }
    }
}

/// [`with_ruleset`] with more configuration.
pub async fn with_ruleset_and(env: &[(&str, &str)]) -> Option<TestServer> {
    let dir = shared("wazuh-ruleset")?;
    let mut all = vec![("OXSEC_RULESET_DIR", dir.as_str())];
    all.extend_from_slice(env);
    Some(start_with(&all).await)
}

/// Starts a server with the default configuration.
pub async fn start() -> TestServer {
    start_with(&[]).await
}

impl TestServer {
    /// Logs in as `user` with the test password and returns the token.
    pub async fn token_for(&self, user: &str) -> String {
        let resp = self
            .client
            .post(format!("{}/security/user/authenticate?raw=true", self.base))
            .basic_auth(user, Some(PASSWORD))
            .send()
            .await
            .expect("login");
        assert_eq!(resp.status(), 200, "login as {user}");
        resp.text().await.expect("token")
    }

    /// A token of the administrator `wazuh`.
    pub async fn token(&self) -> String {
        self.token_for("wazuh").await
    }

    /// Sends `method path` with `token` (if any) and returns the response.
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>) -> Response {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request")
    }

    /// `GET path` with `token`; status and JSON body.
    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        json_of(self.call(Method::GET, path, token).await).await
    }
}

/// Status and JSON body of a response.
pub async fn json_of(resp: Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, body)
}

/// The keys of a JSON object, in order.
pub fn keys(v: &Value) -> Vec<String> {
    v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
}

/// Sends `body` (if any) as JSON with `token`.
pub async fn send(s: &TestServer, method: Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = s.client.request(method, format!("{}{path}", s.base)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    json_of(req.send().await.expect("send")).await
}

/// Logs in; the token.
pub async fn login(s: &TestServer, user: &str, password: &str) -> String {
    let resp = s
        .client
        .post(format!("{}/security/user/authenticate?raw=true", s.base))
        .basic_auth(user, Some(password))
        .send()
        .await
        .expect("login");
    assert_eq!(resp.status(), 200, "login as {user}");
    resp.text().await.expect("token")
}

/// Creates user `name` (password `Passw0rd!x`) with `roles`; returns its id.
pub async fn user_with_roles(s: &TestServer, admin: &str, name: &str, roles: &str) -> i64 {
    let (status, body) = send(
        s,
        Method::POST,
        "/security/users",
        admin,
        Some(json!({"username": name, "password": "Passw0rd!x"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = body["data"]["affected_items"][0]["id"].as_i64().expect("id");
    if !roles.is_empty() {
        let (status, body) = send(
            s,
            Method::POST,
            &format!("/security/users/{id}/roles?role_ids={roles}"),
            admin,
            None,
        )
        .await;
        assert_eq!((status, body["error"].as_u64()), (200, Some(0)), "{body}");
    }
    id
}

/// Creates a role holding one policy and links it to user `user_id`.
pub async fn grant(s: &TestServer, admin: &str, user_id: i64, name: &str, policies: &[Value]) {
    let (_, body) = send(s, Method::POST, "/security/roles", admin, Some(json!({"name": name}))).await;
    let role = body["data"]["affected_items"][0]["id"].as_i64().expect("role");
    for (i, p) in policies.iter().enumerate() {
        let (_, body) = send(
            s,
            Method::POST,
            "/security/policies",
            admin,
            Some(json!({"name": format!("{name}{i}"), "policy": p})),
        )
        .await;
        let policy = body["data"]["affected_items"][0]["id"].as_i64().expect("policy");
        send(
            s,
            Method::POST,
            &format!("/security/roles/{role}/policies?policy_ids={policy}"),
            admin,
            None,
        )
        .await;
    }
    send(
        s,
        Method::POST,
        &format!("/security/users/{user_id}/roles?role_ids={role}"),
        admin,
        None,
    )
    .await;
}
