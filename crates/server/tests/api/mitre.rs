//! `/mitre…` over the enterprise ATT&CK v15 bundle, imported at start (`mitre_file`).

use reqwest::Method;
use serde_json::json;

use super::common::{send, shared, start_with};

#[tokio::test]
async fn mitre_objects_come_with_wazuh_fields_relations_and_list_parameters() {
    let Some(bundle) = shared("mitre/enterprise-attack-v15.json") else {
        return;
    };
    let s = start_with(&[("OXSEC_MITRE_FILE", &bundle)]).await;
    let t = s.token().await;
    let get = |path: &'static str| send(&s, Method::GET, path, &t, None);

    let (status, body) = get("/mitre/metadata").await;
    assert_eq!(status, 200);
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"key": "db_version", "value": "1"}, {"key": "mitre_version", "value": "2.0"}])
    );

    // Revoked and deprecated techniques are listed too, as in Wazuh's mitre.db.
    let (_, body) = get("/mitre/techniques?limit=500").await;
    assert_eq!(body["data"]["total_affected_items"], 780);
    assert_eq!(body["data"]["affected_items"].as_array().map(Vec::len), Some(500));
    assert_eq!(body["message"], "MITRE techniques information was returned");
    let first = &body["data"]["affected_items"][0];
    assert_eq!(first["id"], "attack-pattern--0042a9f5-f053-4769-b3ef-9ad018dfa298");
    assert_eq!(first["external_id"], "T1055.011");
    assert_eq!(first["source"], "mitre-attack");
    assert_eq!(first["url"], "https://attack.mitre.org/techniques/T1055/011");
    assert_eq!(first["created_time"], "2020-01-14T17:18:32.126000Z");
    assert_eq!(
        (first["remote_support"].clone(), first["deprecated"].clone()),
        (json!(0), json!(0))
    );
    assert!(
        first["tactics"].as_array().is_some_and(|t| t.len() == 2
            && t.iter()
                .all(|x| x.as_str().is_some_and(|s| s.starts_with("x-mitre-tactic--")))),
        "relations are STIX ids: {}",
        first["tactics"]
    );
    assert!(
        first["references"]
            .as_array()
            .is_some_and(|r| r.iter().all(|x| x["source"] != "mitre-attack")),
        "the object's own ATT&CK reference moves onto the item"
    );

    // Ids: missing ones are simply absent; q on dates compares to the microsecond.
    let (_, body) = get("/mitre/mitigations?mitigation_ids=course-of-action--00d7d21b-69d6-4797-88a2-c86f3fc97651,course-of-action--nope").await;
    assert_eq!(
        (
            body["data"]["total_affected_items"].clone(),
            body["data"]["total_failed_items"].clone()
        ),
        (json!(1), json!(0))
    );
    let (_, body) =
        get("/mitre/software?q=created_time<2017-05-31 21:32:41;created_time>2017-05-31 21:32:40&select=name").await;
    assert!(
        body["data"]["total_affected_items"].as_u64().is_some_and(|n| n > 0),
        "{body}"
    );
    let (_, body) = get("/mitre/mitigations?q=created_time=2020-10-19T14:57:58.771000Z").await;
    assert_eq!(body["data"]["total_affected_items"], 1);
    let (_, body) = get("/mitre/tactics?search=Persistence").await;
    assert_eq!(body["data"]["total_affected_items"], 2);
    let (_, body) = get("/mitre/groups?q=name=admin@338&select=name").await;
    assert_eq!(
        body["data"]["affected_items"][0]["id"],
        "intrusion-set--16ade1aa-0ea1-4bb7-88cc-9079df2ae756"
    );

    // Lists sort element by element; empty lists come last when descending.
    let (_, body) = get("/mitre/mitigations?sort=-techniques&select=techniques&limit=100000").await;
    let lists: Vec<Vec<String>> = body["data"]["affected_items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| serde_json::from_value(i["techniques"].clone()).unwrap_or_default())
        .collect();
    let mut sorted = lists.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(lists, sorted);

    let (_, body) = get("/mitre/references?reference_ids=attack-pattern--0042a9f5-f053-4769-b3ef-9ad018dfa298").await;
    let items = body["data"]["affected_items"].as_array().cloned().unwrap_or_default();
    assert!(
        !items.is_empty() && items.iter().all(|r| r["type"] == "technique"),
        "{body}"
    );

    // A mitigation's techniques come in mitre.db's row order (the bundle's), as Wazuh lists them.
    let (_, body) = get("/mitre/mitigations?q=id~course-of-action--12241367&select=techniques").await;
    let firsts: Vec<String> = body["data"]["affected_items"][0]["techniques"]
        .as_array()
        .into_iter()
        .flatten()
        .take(3)
        .map(|t| t.as_str().unwrap_or_default().chars().skip(16).take(8).collect())
        .collect();
    assert_eq!(firsts, ["7bd9c723", "28abec6c", "f24faf46"], "{body}");
    // distinct without select de-duplicates whole items, which differ by id.
    let (_, body) = get("/mitre/mitigations?distinct=true&limit=1").await;
    assert_eq!(body["data"]["total_affected_items"], 267);

    let (status, body) = get("/mitre/tactics?select=noexists").await;
    assert_eq!((status, body["error"].clone()), (400, json!(1724)));
    let (status, _) = get("/mitre/tactics?limit=0").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn without_imported_data_the_lists_are_empty() {
    let s = start_with(&[]).await;
    let t = s.token().await;
    let (status, body) = send(&s, Method::GET, "/mitre/techniques", &t, None).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["total_affected_items"], 0);
    assert_eq!(body["message"], "No MITRE techniques information was returned");
}
