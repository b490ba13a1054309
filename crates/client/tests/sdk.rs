//! The SDK against a real oxsec server started here: login and renewal, 401 after a revoke,
//! streaming thousands of agents, the client's own rate, typed errors.

use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use oxsec_client::{AgentStatus, Client, Error, Wql};
use oxsec_server::config::{Config, Overrides};
use reqwest::Method;
use serde_json::json;

const PASSWORD: &str = "Test!Passw0rd";

struct Server {
    base: String,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// A server on an ephemeral port with `agents` synthetic agents.
async fn server(agents: u64) -> Server {
    let dir = tempfile::tempdir().expect("tempdir");
    let vars: Vec<(String, String)> = vec![
        ("OXSEC_HOST".into(), "127.0.0.1".into()),
        ("OXSEC_PORT".into(), "0".into()),
        ("OXSEC_ACCESS__MAX_REQUEST_PER_MINUTE".into(), "0".into()),
    ];
    let overrides = Overrides {
        data_dir: Some(dir.path().to_owned()),
        ..Overrides::default()
    };
    let config = Config::load(None, vars, &overrides).expect("config");
    if agents > 0 {
        oxsec_server::bootstrap::seed_agents(&config, agents).expect("seed");
    }
    let prepared = oxsec_server::prepare(config, Some(PASSWORD.into()))
        .await
        .expect("prepare");
    let base = format!("https://{}", prepared.addrs[0]);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(oxsec_server::run(prepared, async move {
        let _ = rx.await;
    }));
    Server {
        base,
        _dir: dir,
        _stop: tx,
    }
}

fn admin(s: &Server) -> oxsec_client::ClientBuilder {
    Client::builder(&s.base, "wazuh", PASSWORD)
        .danger_accept_invalid_certs(true)
        .requests_per_minute(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_renewed_before_it_expires_and_after_a_revoke() {
    let s = server(0).await;
    let client = admin(&s).renew_before(Duration::from_secs(28)).build().expect("client");
    // The shortest lifetime the API allows: 30 s; renewed 28 s early, so 2–3 s after login (a
    // token issued in the second of a revocation starts the next second).
    client
        .raw(
            Method::PUT,
            "/security/config",
            &[],
            Some(&json!({"auth_token_exp_timeout": 30})),
        )
        .await
        .expect("config");
    let info = client.manager_info().await.expect("info");
    assert!(!info.version.is_empty());
    let before = client.logins();
    client.manager_info().await.expect("same token");
    assert_eq!(client.logins(), before, "a valid token is reused");
    tokio::time::sleep(Duration::from_millis(4000)).await;
    client.manager_info().await.expect("renewed");
    assert_eq!(
        client.logins(),
        before + 1,
        "renewed from the token's exp, before it expired"
    );

    // Revoked on the server (logout): the next call gets 401, logs in again once and succeeds.
    client
        .raw(Method::DELETE, "/security/user/authenticate", &[], None)
        .await
        .expect("logout");
    let before = client.logins();
    client.manager_info().await.expect("after the revoke");
    assert_eq!(client.logins(), before + 1);

    // Concurrent callers share one login.
    let fresh = admin(&s).build().expect("client");
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let c = fresh.clone();
            tokio::spawn(async move { c.manager_info().await.map(|_| ()) })
        })
        .collect();
    for call in calls {
        call.await.expect("join").expect("call");
    }
    assert_eq!(fresh.logins(), 1, "no login stampede");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_agents_stream_a_page_at_a_time() {
    let s = server(5_000).await;
    let client = admin(&s).build().expect("client");
    let started = Instant::now();
    let mut stream = Box::pin(
        client
            .agents()
            .select(["id", "name"])
            .sort("id")
            .page_size(1_000)
            .stream(),
    );
    let mut count = 0u64;
    let mut last = -1i64;
    while let Some(agent) = stream.try_next().await.expect("agent") {
        let id: i64 = agent.id.parse().expect("numeric id");
        assert!(id > last, "in order, once each: {id} after {last}");
        last = id;
        count += 1;
    }
    // 5,000 seeded plus the manager (000).
    assert_eq!(count, 5_001, "{:?}", started.elapsed());
    // A filtered stream built with the WQL builder.
    let q = Wql::field("id").and_then(|f| f.lt("011")).expect("query");
    let few: Vec<_> = client.agents().q(&q).stream().try_collect().await.expect("agents");
    assert_eq!(few.len(), 11);
    let active: Vec<_> = client
        .agents()
        .status(AgentStatus::Active)
        .limit(3)
        .stream()
        .try_collect()
        .await
        .expect("agents");
    assert!(active.len() <= 3 && active.iter().all(|a| a.status.as_deref() == Some("active")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_keeps_under_its_rate() {
    let s = server(0).await;
    // 600 a minute: 10 a second after a burst of 60.
    let client = admin(&s).requests_per_minute(600).build().expect("client");
    let started = Instant::now();
    for _ in 0..80 {
        client.raw(Method::GET, "/", &[], None).await.expect("root");
    }
    // 81 requests (the login counts) against a burst of 60: at least 2 s at 10 a second.
    assert!(
        started.elapsed() >= Duration::from_millis(1_900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_call_is_a_typed_error() {
    let s = server(0).await;
    let client = admin(&s).build().expect("client");
    client
        .raw(
            Method::POST,
            "/security/users",
            &[],
            Some(&json!({"username": "nobody", "password": "Passw0rd!x"})),
        )
        .await
        .expect("user");
    let nobody = Client::builder(&s.base, "nobody", "Passw0rd!x")
        .danger_accept_invalid_certs(true)
        .build()
        .expect("client");
    // Lists are filtered to what a user may see (empty here); an operation it may not run is
    // refused with Wazuh's code.
    assert_eq!(nobody.agents().page().await.expect("list").total_affected_items, 0);
    match nobody.manager_info().await {
        Err(Error::Api { status, code, .. }) => assert_eq!((status, code), (403, 4000)),
        other => panic!("expected a 403, got {other:?}"),
    }
    let wrong = Client::builder(&s.base, "wazuh", "not-it")
        .danger_accept_invalid_certs(true)
        .build()
        .expect("client");
    let err = wrong.manager_info().await.expect_err("bad password");
    assert_eq!(err.status(), Some(401), "{err}");
    // A version the server lacks is refused before any request.
    let err = client
        .require_version("GET /future", "9.0.0")
        .await
        .expect_err("too new");
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
}
