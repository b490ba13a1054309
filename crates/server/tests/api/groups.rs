//! Groups and membership: creation with Wazuh's name rules, the files in `etc/shared`, agent.conf
//! uploads validated before they replace anything, and assignment/removal with Wazuh's codes.

use reqwest::Method;
use serde_json::{json, Value};

use super::common::{json_of, start_with, TestServer};

async fn send(s: &TestServer, method: Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = s.client.request(method, format!("{}{path}", s.base)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    json_of(req.send().await.expect("send")).await
}

async fn put_conf(s: &TestServer, group: &str, token: &str, xml: Vec<u8>) -> (u16, Value) {
    let req = s
        .client
        .put(format!("{}/groups/{group}/configuration", s.base))
        .bearer_auth(token)
        .header("content-type", "application/xml")
        .body(xml);
    json_of(req.send().await.expect("send")).await
}

#[tokio::test]
async fn groups_files_and_membership_follow_wazuh() {
    let s = start_with(&[("OXSEC_MAX_UPLOAD_SIZE", "65536")]).await;
    let t = s.token().await;
    let (status, body) = send(&s, Method::POST, "/groups", &t, Some(json!({"group_id": "web"}))).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (200, Some("Group 'web' created.")),
        "{body}"
    );
    assert!(s.data_dir.join("etc/shared/web/agent.conf").is_file());
    assert!(s.data_dir.join("etc/shared/web/merged.mg").is_file());
    let (_, body) = send(&s, Method::POST, "/groups", &t, Some(json!({"group_id": "web"}))).await;
    assert_eq!(body["error"], 1711, "duplicate group");
    let (status, _) = send(&s, Method::POST, "/groups", &t, Some(json!({"group_id": "../etc"}))).await;
    assert_eq!(status, 400, "path separators refused");
    let (_, body) = send(&s, Method::POST, "/groups", &t, Some(json!({"group_id": "all"}))).await;
    assert_ne!(body["error"], 0, "reserved name refused: {body}");

    // Files: the group's own plus the common ar.conf; `../` never reaches the disk.
    let (_, body) = s.get("/groups/web/files", Some(&t)).await;
    let names: Vec<&str> = body["data"]["affected_items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["filename"].as_str())
        .collect();
    assert_eq!(names, ["agent.conf", "ar.conf", "merged.mg"]);
    // An encoded slash separates segments, as in Wazuh's router: no route matches.
    let (status, _) = s.get("/groups/web/files/..%2F..%2Foxsec.db", Some(&t)).await;
    assert_eq!(status, 404);
    let (status, _) = s.get("/groups/web/files/..%252F..%252Foxsec.db", Some(&t)).await;
    assert_eq!(status, 400);

    // agent.conf: bad XML, DTDs and oversize bodies are refused and leave the file as it was.
    let before = std::fs::read(s.data_dir.join("etc/shared/web/agent.conf")).expect("conf");
    let (status, body) = put_conf(&s, "web", &t, b"<agent_config><localfile></agent_config>".to_vec()).await;
    assert_eq!((status, body["error"].as_u64()), (400, Some(1113)), "{body}");
    let dtd = b"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><agent_config>&e;</agent_config>".to_vec();
    let (status, body) = put_conf(&s, "web", &t, dtd).await;
    assert_eq!((status, body["error"].as_u64()), (400, Some(1113)), "{body}");
    let (status, _) = put_conf(&s, "web", &t, vec![b' '; 1 << 20]).await;
    assert_eq!(status, 413, "beyond max_upload_size");
    assert_eq!(
        std::fs::read(s.data_dir.join("etc/shared/web/agent.conf")).expect("conf"),
        before
    );
    let good = b"<agent_config os=\"Linux\">\n  <localfile>\n    <location>/var/log/x</location>\n    <log_format>syslog</log_format>\n  </localfile>\n</agent_config>\n";
    let (status, body) = put_conf(&s, "web", &t, good.to_vec()).await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = s.get("/groups/web/configuration", Some(&t)).await;
    assert_eq!(
        body["data"]["affected_items"][0],
        json!({"filters": {"os": "Linux"}, "config": {"localfile": [{"location": "/var/log/x", "log_format": "syslog"}]}})
    );
    let merged = std::fs::read_to_string(s.data_dir.join("etc/shared/web/merged.mg")).expect("merged");
    assert!(
        merged.starts_with("#web\n!") && merged.contains("/var/log/x"),
        "bundle rebuilt: {merged}"
    );

    // Membership: append, duplicate, removal back to default.
    let (_, body) = send(&s, Method::POST, "/agents", &t, Some(json!({"name": "a1"}))).await;
    assert_eq!(body["data"]["id"], "001");
    let (_, body) = send(&s, Method::PUT, "/agents/001/group/web", &t, None).await;
    assert_eq!(body["data"]["affected_items"], json!(["001"]), "{body}");
    let (_, body) = send(&s, Method::PUT, "/agents/001/group/web", &t, None).await;
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1751);
    let (_, body) = s.get("/agents?agents_list=001&select=group", Some(&t)).await;
    assert_eq!(body["data"]["affected_items"][0]["group"], json!(["default", "web"]));
    let (_, body) = s.get("/groups?select=name,count", Some(&t)).await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"name": "default", "count": 1}, {"name": "web", "count": 1}])
    );
    let (_, body) = send(&s, Method::DELETE, "/agents/001/group/default", &t, None).await;
    assert_eq!(body["message"], "Agent '001' removed from 'default'.");
    let (_, body) = send(&s, Method::DELETE, "/agents/001/group/web", &t, None).await;
    assert_eq!(
        body["message"],
        "Agent '001' removed from 'web'. Agent reassigned to group default."
    );
    let (_, body) = send(&s, Method::DELETE, "/agents/001/group/default", &t, None).await;
    assert_eq!(body["error"], 1745, "default cannot be the last group removed");

    // Deleting a group frees its agents; default cannot go.
    let (_, body) = send(&s, Method::DELETE, "/groups?groups_list=web,default", &t, None).await;
    assert_eq!(body["data"]["affected_items"], json!(["web"]));
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1712);
    assert!(!s.data_dir.join("etc/shared/web").exists());
}

#[tokio::test]
async fn deleting_agents_checks_filters_and_rewrites_client_keys() {
    let s = start_with(&[]).await;
    let t = s.token().await;
    for name in ["a1", "a2"] {
        send(&s, Method::POST, "/agents", &t, Some(json!({"name": name}))).await;
    }
    // Registered seconds ago: the default older_than=7d keeps them.
    let (_, body) = send(
        &s,
        Method::DELETE,
        "/agents?agents_list=001,000,999&status=all",
        &t,
        None,
    )
    .await;
    let codes: Vec<u64> = body["data"]["failed_items"]
        .as_array()
        .expect("failed")
        .iter()
        .filter_map(|f| f["error"]["code"].as_u64())
        .collect();
    assert_eq!(codes, [1701, 1703, 1731], "{body}");
    let (_, body) = send(
        &s,
        Method::DELETE,
        "/agents?agents_list=all&status=never_connected&older_than=0s",
        &t,
        None,
    )
    .await;
    assert_eq!(body["data"]["affected_items"], json!(["001", "002"]), "{body}");
    let keys = std::fs::read_to_string(s.data_dir.join("etc/client.keys")).expect("keys");
    assert!(
        keys.is_empty(),
        "client.keys rewritten without the deleted agents: {keys}"
    );
}
