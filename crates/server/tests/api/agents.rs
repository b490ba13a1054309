//! The agent registry: the manager as agent 000, registration, listing with filters, keys.

use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};

use super::common::{json_of, start, TestServer};

async fn add(s: &TestServer, token: &str, body: Value) -> (u16, Value) {
    json_of(
        s.client
            .post(format!("{}/agents", s.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("send"),
    )
    .await
}

#[tokio::test]
async fn the_manager_is_agent_000_and_always_active() {
    let s = start().await;
    let t = s.token().await;
    let (status, body) = s.get("/agents", Some(&t)).await;
    assert_eq!(status, 200);
    let m = &body["data"]["affected_items"][0];
    assert_eq!(m["id"], "000");
    assert_eq!(m["status"], "active");
    assert_eq!(m["registerIP"], "127.0.0.1");
    assert_eq!(m["version"], "Wazuh v4.14.7");
    assert_eq!(body["message"], "All selected agents information was returned");
}

#[tokio::test]
async fn registration_checks_names_and_ips_and_writes_client_keys() {
    let s = start().await;
    let t = s.token().await;
    let (status, body) = add(&s, &t, json!({"name": "web01", "ip": "10.0.0.5"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["id"], "001");
    let key = body["data"]["key"].as_str().expect("key");
    let decoded = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(key).expect("b64")).expect("utf8");
    let parts: Vec<&str> = decoded.split(' ').collect();
    assert_eq!(&parts[..3], ["001", "web01", "10.0.0.5"]);
    assert_eq!(parts[3].len(), 64);
    let keys = std::fs::read_to_string(s.data_dir.join("etc/client.keys")).expect("client.keys");
    assert_eq!(
        keys,
        format!("{decoded}\n"),
        "client.keys holds Wazuh's line for the agent"
    );

    assert_eq!(
        add(&s, &t, json!({"name": "web01"})).await.1["error"],
        1705,
        "duplicate name"
    );
    assert_eq!(
        add(&s, &t, json!({"name": "web02", "ip": "10.0.0.5"})).await.1["error"],
        1706,
        "duplicate IP"
    );
    assert_eq!(
        add(&s, &t, json!({"name": "web03", "ip": "999.1.1.1"})).await.1["error"],
        1706,
        "invalid IP"
    );
    let (status, _) = add(&s, &t, json!({"name": "bad name!"})).await;
    assert_eq!(status, 400, "names are checked against the contract's format");
    let (status, body) = add(&s, &t, json!({"name": "web04"})).await;
    assert_eq!(
        (status, body["data"]["id"].as_str()),
        (200, Some("002")),
        "ip defaults to any"
    );

    let (_, body) = s.get("/agents/001/key", Some(&t)).await;
    assert_eq!(body["data"]["affected_items"][0]["key"], key);
    let (_, body) = s.get("/agents/999/key", Some(&t)).await;
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1701);
    assert_eq!(body["data"]["failed_items"][0]["id"], json!(["999"]));
}

#[tokio::test]
async fn listing_filters_statuses_and_summary() {
    let s = start().await;
    let t = s.token().await;
    for name in ["alpha", "beta"] {
        assert_eq!(add(&s, &t, json!({"name": name})).await.0, 200);
    }
    let (_, body) = s.get("/agents?status=never_connected&select=name", Some(&t)).await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"id": "001", "name": "alpha"}, {"id": "002", "name": "beta"}])
    );
    let (_, body) = s.get("/agents?name=beta&select=group", Some(&t)).await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"id": "002", "group": ["default"]}])
    );
    let (_, body) = s.get("/agents?q=name~alp;status%3Dnever_connected", Some(&t)).await;
    assert_eq!(body["data"]["total_affected_items"], 1);
    let (_, body) = s.get("/agents?agents_list=001,999&select=name", Some(&t)).await;
    assert_eq!(body["error"], 2);
    assert_eq!(body["data"]["failed_items"][0]["id"], json!(["999"]));
    // The manager (000) is not counted, as upstream's summary leaves it out.
    let (_, body) = s.get("/agents/summary/status", Some(&t)).await;
    assert_eq!(
        body["data"]["connection"],
        json!({"active": 0, "disconnected": 0, "never_connected": 2, "pending": 0, "total": 2})
    );
    let (status, body) = s.get("/agents?status=bogus", Some(&t)).await;
    assert_eq!(status, 400, "{body}");
    let resp = s.call(Method::GET, "/agents?q=foo%3D1", Some(&t)).await;
    assert_eq!(json_of(resp).await.1["error"], 1408);
}

#[tokio::test]
async fn agents_readonly_sees_agents_but_cannot_add() {
    let s = start().await;
    let admin = s.token().await;
    add(&s, &admin, json!({"name": "gamma"})).await;
    let (_, body) = json_of(
        s.client
            .post(format!("{}/security/users", s.base))
            .bearer_auth(&admin)
            .json(&json!({"username": "agentsro", "password": "Passw0rd!x"}))
            .send()
            .await
            .expect("create"),
    )
    .await;
    let id = body["data"]["affected_items"][0]["id"].as_i64().expect("id");
    s.call(
        Method::POST,
        &format!("/security/users/{id}/roles?role_ids=4"),
        Some(&admin),
    )
    .await;
    let resp = s
        .client
        .post(format!("{}/security/user/authenticate?raw=true", s.base))
        .basic_auth("agentsro", Some("Passw0rd!x"))
        .send()
        .await
        .expect("login");
    let t = resp.text().await.expect("token");
    let (status, body) = s.get("/agents", Some(&t)).await;
    assert_eq!((status, body["data"]["total_affected_items"].as_u64()), (200, Some(2)));
    let (status, body) = add(&s, &t, json!({"name": "delta"})).await;
    assert_eq!((status, body["error"].as_u64()), (403, Some(4000)));
}

#[tokio::test]
async fn force_replaces_an_agent_only_when_its_conditions_hold() {
    let s = start().await;
    let t = s.token().await;
    assert_eq!(
        add(&s, &t, json!({"name": "edge", "ip": "10.1.1.1"})).await.1["data"]["id"],
        "001"
    );
    let force = |registered: &str| json!({"enabled": true, "disconnected_time": {"enabled": true, "value": "1s"}, "after_registration_time": registered});
    // Registered less than the default hour ago: kept, and the name clash is reported.
    let (status, body) = add(&s, &t, json!({"name": "edge", "force": {"enabled": true}})).await;
    assert_eq!((status, body["error"].clone()), (400, json!(1705)), "{body}");
    // force disabled: the IP clash is checked first, as authd does.
    let body = add(
        &s,
        &t,
        json!({"name": "edge", "ip": "10.1.1.1", "force": {"enabled": false}}),
    )
    .await
    .1;
    assert_eq!(body["error"], 1706);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    // Never connected and registered over a second ago: replaced by a new agent with a new id.
    let (status, body) = add(&s, &t, json!({"name": "edge", "ip": "10.1.1.1", "force": force("1s")})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["id"], "002");
    let (_, body) = s.get("/agents?agents_list=001,002&select=name", Some(&t)).await;
    assert_eq!(body["data"]["affected_items"], json!([{"id": "002", "name": "edge"}]));
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1701);
    let keys = std::fs::read_to_string(s.data_dir.join("etc/client.keys")).expect("client.keys");
    assert!(
        keys.starts_with("002 edge 10.1.1.1 ") && keys.lines().count() == 1,
        "{keys}"
    );
}

#[tokio::test]
async fn an_offset_beyond_the_database_is_error_2003_and_all_leaves_out_expected_failures() {
    let s = start().await;
    let t = s.token().await;
    for name in ["one", "two"] {
        add(&s, &t, json!({"name": name})).await;
    }
    let (status, body) = s.get("/agents?offset=9999999999999999999", Some(&t)).await;
    assert_eq!((status, body["error"].clone()), (400, json!(2003)), "{body}");
    // File listings have no such limit: an empty page.
    let (status, body) = s
        .get("/groups/default/files?offset=9999999999999999999", Some(&t))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["affected_items"], json!([]));
    // `all`: the agents that do not match the filters are not reported as failures (1731).
    let resp = s
        .call(
            Method::DELETE,
            "/agents?agents_list=all&status=all&older_than=0s&name=two",
            Some(&t),
        )
        .await;
    let (_, body) = json_of(resp).await;
    assert_eq!(body["error"], 0, "{body}");
    assert_eq!(body["data"]["affected_items"], json!(["002"]));
    // Removing agent 001 from every group: it returns to `default` and only real removals show.
    let resp = s
        .call(
            Method::PUT,
            "/agents/001/group/extra?force_single_group=false",
            Some(&t),
        )
        .await;
    assert_eq!(resp.status().as_u16(), 404, "the group must exist first");
    let resp = s
        .client
        .post(format!("{}/groups", s.base))
        .bearer_auth(&t)
        .json(&json!({"group_id": "extra"}))
        .send()
        .await
        .expect("create group");
    assert_eq!(resp.status().as_u16(), 200);
    s.call(Method::PUT, "/agents/001/group/extra", Some(&t)).await;
    let (_, body) = json_of(s.call(Method::DELETE, "/agents/001/group", Some(&t)).await).await;
    assert_eq!(
        (body["error"].clone(), body["data"]["affected_items"].clone()),
        (json!(0), json!(["extra"])),
        "{body}"
    );
    let (_, body) = json_of(s.call(Method::DELETE, "/groups?groups_list=all", Some(&t)).await).await;
    assert_eq!(
        (body["error"].clone(), body["data"]["affected_items"].clone()),
        (json!(0), json!(["extra"])),
        "{body}"
    );
}
