//! Login, tokens, logout, rate limits and login lock-out.

use oxsec_server::auth::jwt::{Claims, TokenKeys, AUDIENCE, ISSUER};
use reqwest::Method;
use serde_json::json;

use super::common::{json_of, start, start_with, PASSWORD};

fn unauthorized(detail: &str) -> serde_json::Value {
    json!({"title": "Unauthorized", "detail": detail})
}

#[tokio::test]
async fn login_returns_the_token_envelope_or_the_bare_token() {
    let s = start().await;
    let login = |raw: &'static str, method: Method| {
        s.client
            .request(method, format!("{}/security/user/authenticate{raw}", s.base))
            .basic_auth("wazuh", Some(PASSWORD))
            .send()
    };
    let (status, body) = json_of(login("", Method::POST).await.expect("post")).await;
    assert_eq!(status, 200);
    assert_eq!(body["error"], 0);
    let token = body["data"]["token"].as_str().expect("token");
    assert_eq!(token.split('.').count(), 3);
    let resp = login("?raw=true", Method::POST).await.expect("raw");
    assert!(resp.headers()["content-type"]
        .to_str()
        .expect("ct")
        .starts_with("text/plain"));
    let raw = resp.text().await.expect("text");
    assert!(raw.starts_with("eyJ") && !raw.contains('"'));
    // The deprecated GET form works the same way.
    let (status, body) = json_of(login("", Method::GET).await.expect("get")).await;
    assert_eq!(status, 200);
    assert!(body["data"]["token"].is_string());
    // wazuh-wui gets the same password on first start.
    s.token_for("wazuh-wui").await;
}

#[tokio::test]
async fn token_claims_are_wazuhs() {
    let s = start().await;
    let t = s.token().await;
    let keys = TokenKeys::load_or_create(&s.data_dir.join("security")).expect("keys");
    let claims = keys.decode(&t, oxsec_server_now()).expect("valid");
    assert_eq!(claims.iss, "wazuh");
    assert_eq!(claims.aud, "Wazuh API REST");
    assert_eq!(claims.sub, "wazuh");
    assert_eq!(claims.exp - claims.nbf, 900);
    assert_eq!(claims.rbac_roles, [1]);
    assert_eq!(claims.rbac_mode, "white");
    assert!(!claims.run_as);
}

fn oxsec_server_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

#[tokio::test]
async fn bad_credentials_are_401_invalid_credentials() {
    let s = start().await;
    for (user, pw) in [("wazuh", "wrong"), ("nobody", PASSWORD)] {
        let resp = s
            .client
            .post(format!("{}/security/user/authenticate", s.base))
            .basic_auth(user, Some(pw))
            .send()
            .await
            .expect("send");
        assert_eq!(json_of(resp).await, (401, unauthorized("Invalid credentials")));
    }
    let resp = s.call(Method::POST, "/security/user/authenticate", None).await;
    assert_eq!(json_of(resp).await, (401, unauthorized("Invalid credentials")));
}

#[tokio::test]
async fn missing_garbage_foreign_expired_and_revoked_tokens_are_401() {
    let s = start().await;
    assert_eq!(
        s.get("/", None).await,
        (401, unauthorized("No authorization token provided"))
    );
    assert_eq!(s.get("/", Some("garbage")).await, (401, unauthorized("Invalid token")));

    let now = oxsec_server_now();
    let claims = |nbf: i64, exp: i64| Claims {
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        nbf,
        exp,
        sub: "wazuh".into(),
        run_as: false,
        rbac_roles: vec![1],
        rbac_mode: "white".into(),
        hash_auth_context: None,
    };
    let foreign = TokenKeys::generate().encode(&claims(now, now + 900));
    assert_eq!(s.get("/", Some(&foreign)).await, (401, unauthorized("Invalid token")));
    let ours = TokenKeys::load_or_create(&s.data_dir.join("security")).expect("server key");
    let expired = ours.encode(&claims(now - 2000, now - 1100));
    assert_eq!(s.get("/", Some(&expired)).await, (401, unauthorized("Invalid token")));
    let valid = ours.encode(&claims(now, now + 900));
    assert_eq!(
        s.get("/", Some(&valid)).await.0,
        200,
        "a token signed by the server key is accepted"
    );

    // Header shapes, as upstream answers them.
    let with_header = |v: &'static str| s.client.get(format!("{}/", s.base)).header("authorization", v).send();
    assert_eq!(
        json_of(with_header("garbage").await.expect("send")).await.1,
        unauthorized("Invalid authorization header")
    );
    assert_eq!(
        json_of(with_header("Bearer ").await.expect("send")).await.1,
        unauthorized("Invalid authorization header")
    );
    assert_eq!(
        json_of(with_header("Token abc").await.expect("send")).await.1,
        unauthorized("No authorization token provided")
    );
}

#[tokio::test]
async fn logout_revokes_the_token_and_a_new_login_works() {
    let s = start().await;
    let t = s.token().await;
    assert_eq!(s.get("/", Some(&t)).await.0, 200);
    let (status, body) = json_of(s.call(Method::DELETE, "/security/user/authenticate", Some(&t)).await).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"message": "User wazuh was successfully logged out", "error": 0})
    );
    assert_eq!(s.get("/", Some(&t)).await, (401, unauthorized("Invalid token")));
    // A login right after (same second) gets a token that works.
    let fresh = s.token().await;
    assert_eq!(s.get("/", Some(&fresh)).await.0, 200);
    assert_eq!(s.get("/", Some(&t)).await.0, 401, "the old token stays revoked");
}

#[tokio::test]
async fn requests_over_the_per_minute_limit_get_429_with_retry_after() {
    let s = start_with(&[("OXSEC_ACCESS__MAX_REQUEST_PER_MINUTE", "3")]).await;
    let mut last = None;
    for _ in 0..4 {
        last = Some(s.call(Method::GET, "/", None).await);
    }
    let resp = last.expect("response");
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().get("retry-after").is_some());
    let (_, body) = json_of(resp).await;
    assert_eq!(body["error"], 6001);
    assert_eq!(body["title"], "Too Many Requests");
    assert_eq!(body["detail"], "Maximum number of requests per minute reached");
}

#[tokio::test]
async fn a_brute_force_of_60_logins_hits_the_lockout_then_recovers() {
    // Default max_login_attempts (50); a short block_time so the test can wait it out.
    let s = start_with(&[("OXSEC_ACCESS__BLOCK_TIME", "8")]).await;
    let login = |pw: &'static str| {
        s.client
            .post(format!("{}/security/user/authenticate", s.base))
            .basic_auth("wazuh", Some(pw))
            .send()
    };
    let started = std::time::Instant::now();
    let mut statuses = Vec::new();
    for _ in 0..60 {
        statuses.push(login("wrong").await.expect("send").status().as_u16());
    }
    assert!(
        statuses[..50].iter().all(|s| *s == 401),
        "the first 50 failures are 401: {statuses:?}"
    );
    assert!(
        statuses[50..].iter().all(|s| *s == 403),
        "then the IP is blocked: {statuses:?}"
    );
    let (status, body) = json_of(login(PASSWORD).await.expect("send")).await;
    assert_eq!(status, 403, "even the right password is refused while blocked");
    assert_eq!(body["error"], 6000);
    assert_eq!(body["title"], "Permission Denied");
    // Other endpoints keep working for the blocked IP.
    assert_eq!(s.get("/", None).await.0, 401);
    let waited = started.elapsed();
    tokio::time::sleep(
        std::time::Duration::from_secs(8).saturating_sub(waited) + std::time::Duration::from_millis(300),
    )
    .await;
    assert_eq!(
        login(PASSWORD).await.expect("send").status(),
        200,
        "block ends block_time after the first failure"
    );
}

#[tokio::test]
async fn first_start_without_a_password_generates_one_kept_0600() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let overrides = oxsec_server::config::Overrides {
        data_dir: Some(dir.path().to_owned()),
        ..Default::default()
    };
    let vars = vec![
        ("OXSEC_PORT".to_string(), "0".to_string()),
        ("OXSEC_HOST".into(), "127.0.0.1".into()),
    ];
    let config = oxsec_server::config::Config::load(None, vars, &overrides).expect("config");
    let prepared = oxsec_server::prepare(config, None).await.expect("prepare");
    let oxsec_server::bootstrap::Seeded::Generated(file, pw) = &prepared.seeded else {
        panic!("a password must be generated");
    };
    assert_eq!(std::fs::read_to_string(file).expect("file").trim(), pw);
    assert_eq!(
        std::fs::metadata(file).expect("meta").permissions().mode() & 0o777,
        0o600
    );
    assert!(oxsec_server::auth::password::meets_policy(pw));
    let db_mode = std::fs::metadata(dir.path().join("oxsec.db"))
        .expect("db")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(db_mode, 0o600, "the store holds password hashes");
    let key_mode = std::fs::metadata(dir.path().join("security/private_key.pem"))
        .expect("key")
        .permissions()
        .mode();
    assert_eq!(key_mode & 0o777, 0o600);
}
