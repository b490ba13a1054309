//! The common list parameters and WQL, through the first list endpoint (`GET /security/users`).

use serde_json::json;

use super::common::start;

fn usernames(body: &serde_json::Value) -> Vec<String> {
    body["data"]["affected_items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| u["username"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn limits_out_of_range_get_wazuhs_400() {
    let s = start().await;
    let t = s.token().await;
    for (q, start_of_detail) in [
        (
            "limit=0",
            "0 is less than the minimum of 1. Failed validating 'minimum'",
        ),
        (
            "limit=100001",
            "100001 is greater than the maximum of 100000. Failed validating 'maximum'",
        ),
        ("offset=-1", "-1 is less than the minimum of 0."),
        ("limit=abc", "'abc' is not of type 'integer'."),
    ] {
        let (status, body) = s.get(&format!("/security/users?{q}"), Some(&t)).await;
        assert_eq!(status, 400, "{q}");
        assert_eq!(body["title"], "Bad Request");
        let detail = body["detail"].as_str().expect("detail");
        assert!(detail.starts_with(start_of_detail), "{q}: {detail}");
        assert!(
            detail.ends_with(&format!("- '{}'", q.split('=').next().unwrap_or_default())),
            "{detail}"
        );
    }
    assert_eq!(s.get("/security/users?limit=100000", Some(&t)).await.0, 200);
}

#[tokio::test]
async fn a_malformed_q_is_1407_with_the_position() {
    let s = start().await;
    let t = s.token().await;
    let (status, body) = s.get("/security/users?q=status%3Dactive%3B%28", Some(&t)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], 1407);
    assert_eq!(body["title"], "Bad Request");
    let detail = body["detail"].as_str().expect("detail");
    assert!(detail.starts_with("Query does not match expected format: "), "{detail}");
    assert!(detail.contains("position 15"), "{detail}");
    assert_eq!(body["dapi_errors"]["node01"]["error"], body["detail"]);
}

#[tokio::test]
async fn unknown_fields_in_q_sort_and_select_are_named() {
    let s = start().await;
    let t = s.token().await;
    for (q, code) in [("q=foo%3D1", 1408), ("sort=-foo", 1403), ("select=foo", 1724)] {
        let (status, body) = s.get(&format!("/security/users?{q}"), Some(&t)).await;
        assert_eq!((status, body["error"].as_u64()), (400, Some(code)), "{q}: {body}");
        assert!(
            body["detail"].as_str().expect("detail").contains("'foo'"),
            "{q}: {body}"
        );
    }
}

#[tokio::test]
async fn q_sort_select_search_offset_and_distinct_work_together() {
    let s = start().await;
    let t = s.token().await;
    let (_, body) = s.get("/security/users", Some(&t)).await;
    assert_eq!(usernames(&body), ["wazuh", "wazuh-wui"]);
    assert_eq!(
        body["data"]["affected_items"][0],
        json!({"id": 1, "username": "wazuh", "allow_run_as": true, "roles": [1]})
    );

    let (_, body) = s.get("/security/users?q=username~wui", Some(&t)).await;
    assert_eq!(usernames(&body), ["wazuh-wui"]);
    let (_, body) = s.get("/security/users?q=id%3E1,username%3Dwazuh", Some(&t)).await;
    assert_eq!(usernames(&body), ["wazuh", "wazuh-wui"], "',' is OR");
    let (_, body) = s.get("/security/users?q=id%3E1;username%3Dwazuh", Some(&t)).await;
    assert_eq!(body["data"]["total_affected_items"], 0, "';' is AND");
    assert_eq!(body["message"], "No user was returned");

    let (_, body) = s.get("/security/users?sort=-id&select=username", Some(&t)).await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"id": 2, "username": "wazuh-wui"}, {"id": 1, "username": "wazuh"}])
    );
    let (_, body) = s.get("/security/users?search=-wui", Some(&t)).await;
    assert_eq!(usernames(&body), ["wazuh"]);
    let (_, body) = s.get("/security/users?offset=1&limit=1", Some(&t)).await;
    assert_eq!(usernames(&body), ["wazuh-wui"]);
    assert_eq!(
        body["data"]["total_affected_items"], 2,
        "the total counts before paging"
    );
    let (_, body) = s
        .get("/security/users?distinct=true&select=allow_run_as", Some(&t))
        .await;
    assert_eq!(body["data"]["affected_items"], json!([{"allow_run_as": true}]));
}

#[tokio::test]
async fn unknown_ids_are_failed_items() {
    let s = start().await;
    let t = s.token().await;
    let (status, body) = s.get("/security/users?user_ids=7,1,5", Some(&t)).await;
    assert_eq!(status, 200);
    assert_eq!(body["error"], 2);
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 5001);
    assert_eq!(body["data"]["failed_items"][0]["id"], json!([5, 7]));
    assert_eq!(usernames(&body), ["wazuh"]);
}
