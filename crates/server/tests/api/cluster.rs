//! `/cluster…` on a standalone manager: Wazuh's answers with the cluster not running.

use reqwest::Method;

use super::common::{login, send, start, user_with_roles};

#[tokio::test]
async fn cluster_operations_say_the_cluster_is_not_running_before_permissions() {
    let s = start().await;
    let admin = s.token().await;

    let (status, body) = send(&s, Method::GET, "/cluster/status", &admin, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        serde_json::json!({"data": {"enabled": "no", "running": "no"}, "error": 0})
    );

    for (method, path) in [
        (Method::GET, "/cluster/nodes"),
        (Method::GET, "/cluster/local/info"),
        (Method::GET, "/cluster/healthcheck"),
        (Method::GET, "/cluster/node01/status"),
        (Method::GET, "/cluster/node01/configuration/analysis/global"),
        (Method::PUT, "/cluster/restart"),
    ] {
        let (status, body) = send(&s, method.clone(), path, &admin, None).await;
        assert_eq!(
            (status, body["error"].as_u64()),
            (400, Some(3013)),
            "{method} {path}: {body}"
        );
        assert!(body["detail"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Cluster is not running"));
        assert!(
            body.get("dapi_errors").is_none(),
            "raised before any node is asked: {body}"
        );
    }

    // A user without any permission learns the same, as from Wazuh; malformed requests and
    // missing credentials are still refused first.
    user_with_roles(&s, &admin, "nobody", "").await;
    let nobody = login(&s, "nobody", "Passw0rd!x").await;
    let (status, body) = send(&s, Method::GET, "/cluster/nodes", &nobody, None).await;
    assert_eq!((status, body["error"].as_u64()), (400, Some(3013)), "{body}");
    let (status, body) = send(&s, Method::GET, "/cluster/status", &nobody, None).await;
    assert_eq!((status, body["error"].as_u64()), (403, Some(4000)), "{body}");
    let (status, _) = send(&s, Method::GET, "/cluster/nodes?bogus=1", &admin, None).await;
    assert_eq!(status, 400);
    let resp = s.call(Method::GET, "/cluster/nodes", None).await;
    assert_eq!(resp.status(), 401);
}
