//! `/rules…` over the upstream ruleset shipped beside the repository (`../shared/wazuh-ruleset`).

use serde_json::json;

use super::common::with_ruleset;

#[tokio::test]
async fn rules_list_filter_and_render_as_upstream() {
    let Some(s) = with_ruleset().await else { return };
    let t = s.token().await;
    let (status, body) = s.get("/rules?limit=1", Some(&t)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["total_affected_items"], 4512);
    assert_eq!(
        body["data"]["affected_items"][0],
        json!({"filename": "0010-rules_config.xml", "relative_dirname": "ruleset/rules", "id": 1, "level": 0,
               "status": "enabled", "details": {"noalert": "1", "category": "syslog"}, "pci_dss": [], "gpg13": [],
               "gdpr": [], "hipaa": [], "nist_800_53": [], "tsc": [], "mitre": [], "groups": ["syslog"],
               "description": "Generic template for all syslog rules."})
    );
    // Pages written from the rules rendered at load equal pages built field by field.
    let all = "filename,relative_dirname,id,level,status,details,pci_dss,gpg13,gdpr,hipaa,nist_800_53,tsc,mitre,groups,description";
    let (_, fast) = s.get("/rules?limit=40&offset=3000&sort=-level", Some(&t)).await;
    let (_, slow) = s
        .get(
            &format!("/rules?limit=40&offset=3000&sort=-level&select={all}"),
            Some(&t),
        )
        .await;
    assert_eq!(fast, slow);
    let (_, fast) = s.get("/decoders?limit=40&offset=700", Some(&t)).await;
    let (_, slow) = s
        .get(
            "/decoders?limit=40&offset=700&select=filename,relative_dirname,status,name,position,details",
            Some(&t),
        )
        .await;
    assert_eq!(fast, slow);
    // Options inside `details` can be selected; rules without them keep no `details`.
    let (status, body) = s.get("/rules?select=filename,details.noalert&limit=2", Some(&t)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["affected_items"][0],
        json!({"filename": "0010-rules_config.xml", "id": 1, "details": {"noalert": "1"}})
    );
    // Unknown ids are failed items; the others filters narrow without failing.
    let (_, body) = s.get("/rules?rule_ids=5714,999999&select=level", Some(&t)).await;
    assert_eq!(body["data"]["affected_items"], json!([{"id": 5714, "level": 14}]));
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1208);
    let (_, body) = s.get("/rules?level=2-4&pci_dss=10.2.4&limit=1", Some(&t)).await;
    let first = &body["data"]["affected_items"][0];
    assert!((2..=4).contains(&first["level"].as_i64().expect("level")), "{first}");
    assert!(first["pci_dss"].as_array().expect("pci").contains(&json!("10.2.4")));
    let (_, body) = s
        .get("/rules?q=level%3E10;groups~authentication&select=id", Some(&t))
        .await;
    assert_eq!(body["data"]["total_affected_items"], 4, "{body}");
    // Groups and requirements: distinct values in code-point order; sort=- reverses.
    let (_, body) = s.get("/rules/groups?limit=2", Some(&t)).await;
    assert_eq!(
        (
            body["data"]["affected_items"].clone(),
            body["data"]["total_affected_items"].clone()
        ),
        (json!(["AeD", "AipDiscover"]), json!(532))
    );
    let (_, body) = s.get("/rules/requirement/nist-800-53?sort=-&limit=3", Some(&t)).await;
    assert_eq!(body["data"]["affected_items"], json!(["SI.7", "SI.4", "SI.3"]));
    // Files: the policy rules are excluded by the default configuration.
    let (_, body) = s.get("/rules/files?status=disabled", Some(&t)).await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"filename": "0215-policy_rules.xml", "relative_dirname": "ruleset/rules", "status": "disabled"}])
    );
    let resp = s
        .call(
            reqwest::Method::GET,
            "/rules/files/0010-rules_config.xml?raw=true",
            Some(&t),
        )
        .await;
    assert_eq!(resp.headers()["content-type"], "application/xml; charset=utf-8");
    assert!(resp
        .text()
        .await
        .expect("raw")
        .contains("<rule id=\"1\" level=\"0\" noalert=\"1\">"));
    let (_, body) = s.get("/rules/files/0010-rules_config.xml", Some(&t)).await;
    assert_eq!(body["data"]["affected_items"][0]["group"][0]["@name"], "syslog,");
    // Not strict XML (a regex with `\<`): a failed item, as upstream.
    let (_, body) = s
        .get("/rules/files/0910-ms-exchange-proxylogon_rules.xml", Some(&t))
        .await;
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1413, "{body}");
    let (_, body) = s.get("/rules/files/nope.xml", Some(&t)).await;
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1415);
    let (status, _) = s.get("/rules/files/..%2F..%2Fetc%2Fpasswd", Some(&t)).await;
    assert_eq!(status, 404);
    let (status, _) = s.get("/rules/files/..%252F..%252Fpasswd.xml", Some(&t)).await;
    assert_eq!(status, 400);
}
