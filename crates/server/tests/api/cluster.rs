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

/// With `<cluster><disabled>no</disabled>` the node registers itself; the cluster operations read
/// the registry and answer for this node as Wazuh's master does.
#[tokio::test]
async fn an_enabled_cluster_serves_this_node_from_the_registry() {
    use serde_json::json;
    let s = start().await;
    let admin = s.token().await;
    let path = s.data_dir.join("etc/ossec.conf");
    let conf = std::fs::read_to_string(&path).expect("ossec.conf");
    let conf = conf
        .replace("<node_name>node01</node_name>", "<node_name>master-node</node_name>")
        .replace("<key></key>", "<key>c98b62a9b6169ac5f67dae55ae4a9088</key>")
        .replace("<node>NODE_IP</node>", "<node>10.0.0.5</node>")
        .replace(
            "<disabled>yes</disabled>\n  </cluster>",
            "<disabled>no</disabled>\n  </cluster>",
        );
    std::fs::write(&path, conf).expect("write");
    let (status, body) = send(&s, Method::PUT, "/manager/restart", &admin, None).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(
        body["data"]["affected_items"],
        json!(["master-node"]),
        "results name the node now"
    );

    let (_, body) = send(&s, Method::GET, "/cluster/status", &admin, None).await;
    assert_eq!(body["data"], json!({"enabled": "yes", "running": "yes"}));
    // The manager's own operations now say which node answered, as Wazuh's do.
    let (_, body) = send(&s, Method::GET, "/manager/info", &admin, None).await;
    assert_eq!(
        body["message"],
        "Basic information was successfully read in specified node"
    );
    let (_, body) = send(&s, Method::GET, "/manager/logs?limit=1", &admin, None).await;
    assert_eq!(body["message"], "Logs were successfully read in specified node");
    let (_, body) = send(&s, Method::GET, "/cluster/local/info", &admin, None).await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"node": "master-node", "cluster": "wazuh", "type": "master"}])
    );
    let (_, body) = send(&s, Method::GET, "/cluster/local/config", &admin, None).await;
    let config = &body["data"]["affected_items"][0];
    assert_eq!(
        (config["port"].clone(), config["disabled"].clone()),
        (json!(1516), json!(false))
    );
    assert_eq!(config["key"], "c98b62a9b6169ac5f67dae55ae4a9088");

    // A second node sharing the store shows up once it has registered.
    let store = oxsec_store::Store::open(&s.data_dir.join("oxsec.db")).expect("store");
    let now = oxsec_store::now_secs();
    store
        .write_blocking(|tx| {
            oxsec_store::models::cluster_node::register(
                tx,
                &oxsec_store::models::cluster_node::ClusterNode {
                    name: "worker1".into(),
                    node_type: "worker".into(),
                    address: "10.0.0.6".into(),
                    version: "4.14.7".into(),
                    registered_at: now,
                    last_heartbeat: now,
                },
            )
        })
        .expect("register worker1");
    let (status, body) = send(&s, Method::GET, "/cluster/nodes", &admin, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["affected_items"],
        json!([
            {"name": "master-node", "type": "master", "version": "4.14.7", "ip": "10.0.0.5"},
            {"name": "worker1", "type": "worker", "version": "4.14.7", "ip": "10.0.0.6"}
        ])
    );
    let (_, body) = send(&s, Method::GET, "/cluster/nodes?type=worker&select=name", &admin, None).await;
    assert_eq!(body["data"]["affected_items"], json!([{"name": "worker1"}]));
    let (_, body) = send(
        &s,
        Method::GET,
        "/cluster/nodes?nodes_list=master-node,ghost",
        &admin,
        None,
    )
    .await;
    assert_eq!(body["error"], 2, "{body}");
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1730);
    let (_, body) = send(&s, Method::GET, "/cluster/healthcheck", &admin, None).await;
    assert_eq!(body["data"]["affected_items"][0]["info"]["n_active_agents"], 0);
    assert_eq!(body["data"]["affected_items"][1]["info"]["name"], "worker1");

    // {node_id}: this node runs the manager's operation; an unknown node is a failed item; a
    // registered node oxsec cannot reach is 3022.
    let (status, body) = send(&s, Method::GET, "/cluster/master-node/info", &admin, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["message"],
        "Basic information was successfully read in specified node"
    );
    assert!(body["data"]["affected_items"][0]["version"].is_string());
    let (_, body) = send(&s, Method::GET, "/cluster/master-node/logs?limit=2", &admin, None).await;
    assert_eq!(body["message"], "Logs were successfully read in specified node");
    let (_, body) = send(
        &s,
        Method::GET,
        "/cluster/master-node/configuration/analysis/alerts",
        &admin,
        None,
    )
    .await;
    assert_eq!(
        body["message"],
        "Active configuration was successfully read in specified node"
    );
    let (status, body) = send(&s, Method::GET, "/cluster/unexisting-node/stats", &admin, None).await;
    assert_eq!((status, body["error"].as_u64()), (200, Some(1)), "{body}");
    assert_eq!(body["message"], "No information was returned");
    assert_eq!(body["data"]["failed_items"][0]["id"], json!(["unexisting-node"]));
    let (status, body) = send(&s, Method::GET, "/cluster/worker1/status", &admin, None).await;
    assert_eq!((status, body["error"].as_u64()), (400, Some(3022)), "{body}");

    // nodes_list operations: this node answers, the others are reported.
    let (_, body) = send(&s, Method::GET, "/cluster/configuration/validation", &admin, None).await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"name": "master-node", "status": "OK"}])
    );
    assert_eq!(body["data"]["failed_items"][0]["id"], json!(["worker1"]));
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 3022);
    let (status, body) = send(&s, Method::PUT, "/cluster/restart?nodes_list=master-node", &admin, None).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["message"], "Restart request sent to all specified nodes");

    // With the cluster enabled the manager's operations need cluster:read on this node, as in
    // Wazuh: manager:read alone no longer opens them.
    let manager_only = user_with_roles(&s, &admin, "manager_only", "").await;
    super::common::grant(
        &s,
        &admin,
        manager_only,
        "manager_only",
        &[json!({"actions": ["manager:read"], "resources": ["*:*:*"], "effect": "allow"})],
    )
    .await;
    let other_node = user_with_roles(&s, &admin, "other_node", "").await;
    super::common::grant(
        &s,
        &admin,
        other_node,
        "other_node",
        &[json!({"actions": ["cluster:read"], "resources": ["node:id:worker1"], "effect": "allow"})],
    )
    .await;
    let this_node = user_with_roles(&s, &admin, "this_node", "").await;
    super::common::grant(
        &s,
        &admin,
        this_node,
        "this_node",
        &[json!({"actions": ["cluster:read"], "resources": ["node:id:master-node"], "effect": "allow"})],
    )
    .await;
    for (user, expected) in [("manager_only", 403), ("other_node", 403), ("this_node", 200)] {
        let token = login(&s, user, "Passw0rd!x").await;
        let (status, body) = send(&s, Method::GET, "/manager/info", &token, None).await;
        assert_eq!(status, expected, "{user}: {body}");
    }
    let token = login(&s, "other_node", "Passw0rd!x").await;
    let (status, body) = send(&s, Method::GET, "/cluster/nodes", &token, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"name": "worker1", "type": "worker", "version": "4.14.7", "ip": "10.0.0.6"}])
    );
    let (status, body) = send(
        &s,
        Method::GET,
        "/cluster/healthcheck?nodes_list=master-node,worker1",
        &token,
        None,
    )
    .await;
    assert_eq!((status, body["error"].as_u64()), (200, Some(2)), "{body}");
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 4000);
    assert_eq!(body["data"]["failed_items"][0]["id"], json!(["master-node"]));
    let (status, body) = send(&s, Method::GET, "/cluster/master-node/status", &token, None).await;
    assert_eq!((status, body["error"].as_u64()), (403, Some(4000)), "{body}");

    // Readers who may not change the configuration do not see the key.
    user_with_roles(&s, &admin, "reader", "2").await;
    let reader = login(&s, "reader", "Passw0rd!x").await;
    let (_, body) = send(&s, Method::GET, "/cluster/local/config", &reader, None).await;
    assert_eq!(body["data"]["affected_items"][0]["key"], "*****", "{body}");
}
