//! `/decoders…`, `/lists…` and the uploads and deletes of rule, decoder and list files, over the
//! upstream ruleset shipped beside the repository (`../shared/wazuh-ruleset`).

use reqwest::Method;
use serde_json::{json, Value};

use super::common::{json_of, with_ruleset, TestServer};

/// `PUT path` with a raw body (no Content-Type, as upstream's tests send it).
async fn put(s: &TestServer, path: &str, token: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
    let resp = s
        .client
        .put(format!("{}{path}", s.base))
        .bearer_auth(token)
        .body(body)
        .send()
        .await
        .expect("request");
    json_of(resp).await
}

async fn delete(s: &TestServer, path: &str, token: &str) -> (u16, Value) {
    json_of(s.call(Method::DELETE, path, Some(token)).await).await
}

/// The failed item codes and ids of an envelope, as (code, ids).
fn failures(body: &Value) -> Vec<(i64, Value)> {
    body["data"]["failed_items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| (i["error"]["code"].as_i64().unwrap_or(0), i["id"].clone()))
                .collect()
        })
        .unwrap_or_default()
}

const NEW_RULES: &str = "<!-- Local rules -->\n<group name=\"local,\">\n  <rule id=\"111111\" level=\"5\">\n    \
                         <if_sid>5716</if_sid>\n    <srcip>1.1.1.1</srcip>\n    <description>sshd: authentication \
                         failed from IP 1.1.1.1.</description>\n  </rule>\n</group>\n";

#[tokio::test]
async fn decoders_list_filter_and_render_as_upstream() {
    let Some(s) = with_ruleset().await else { return };
    let t = s.token().await;
    let (status, body) = s.get("/decoders?limit=2", Some(&t)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["total_affected_items"], 1575);
    assert_eq!(
        body["data"]["affected_items"],
        json!([
            {"filename": "0005-wazuh_decoders.xml", "relative_dirname": "ruleset/decoders", "status": "enabled",
             "name": "wazuh", "position": 0, "details": {"prematch": {"pattern": "^wazuh: "}}},
            {"filename": "0005-wazuh_decoders.xml", "relative_dirname": "ruleset/decoders", "status": "enabled",
             "name": "agent-buffer", "position": 1, "details": {"parent": "wazuh",
             "prematch": {"pattern": "^Agent buffer:", "offset": "after_parent"},
             "regex": {"pattern": "^ '(\\S+)'.", "offset": "after_prematch"}, "order": "level"}}
        ])
    );
    // Unknown names fail one by one; known ones are listed.
    let (_, body) = s
        .get(
            "/decoders?decoder_names=nope,auditd-selinux_macstatus&limit=1",
            Some(&t),
        )
        .await;
    assert_eq!(body["data"]["total_affected_items"], 4);
    assert_eq!(failures(&body), [(1504, json!(["nope"]))]);
    assert_eq!(body["error"], 2);
    // Roots only; sorting ignores case as upstream's does.
    let (_, body) = s.get("/decoders/parents?limit=1", Some(&t)).await;
    assert_eq!(body["data"]["total_affected_items"], 208);
    let (_, body) = s.get("/decoders?sort=name&limit=2&select=name", Some(&t)).await;
    let names: Vec<&str> = body["data"]["affected_items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["name"].as_str())
        .collect();
    assert!(names.iter().all(|n| n.starts_with(['a', 'A'])), "{names:?}");
    // Conditions and selections reach inside `details`.
    let (_, body) = s
        .get(
            "/decoders?q=details.prematch.pattern~wazuh;filename=0005-wazuh_decoders.xml;position%3C5&select=name,details.parent",
            Some(&t),
        )
        .await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"filename": "0005-wazuh_decoders.xml", "name": "wazuh", "position": 0}]),
        "{body}"
    );
    // An unknown select field is only an error when there is something to select from.
    let (status, _) = s.get("/decoders?select=id&filename=invalid.xml", Some(&t)).await;
    assert_eq!(status, 200);
    let (status, body) = s.get("/decoders?select=id", Some(&t)).await;
    assert_eq!((status, body["error"].clone()), (400, json!(1724)));
    // Files.
    let (_, body) = s.get("/decoders/files?limit=1", Some(&t)).await;
    assert_eq!(body["data"]["total_affected_items"], 120);
    let (_, body) = s
        .get(
            "/decoders/files/0005-wazuh_decoders.xml?relative_dirname=etc/decoders",
            Some(&t),
        )
        .await;
    assert_eq!(failures(&body), [(1503, json!(["0005-wazuh_decoders.xml"]))]);
}

#[tokio::test]
async fn lists_list_and_render_as_upstream() {
    let Some(s) = with_ruleset().await else { return };
    let t = s.token().await;
    let (_, body) = s.get("/lists?limit=1", Some(&t)).await;
    assert_eq!(body["data"]["total_affected_items"], 7, "{body}");
    let first = &body["data"]["affected_items"][0];
    assert_eq!(super::common::keys(first), ["items", "relative_dirname", "filename"]);
    assert_eq!(
        (&first["filename"], &first["relative_dirname"]),
        (&json!("audit-keys"), &json!("etc/lists"))
    );
    assert_eq!(first["items"][0], json!({"key": "audit-wazuh-w", "value": "write"}));
    let (_, body) = s
        .get("/lists?relative_dirname=etc/lists&select=filename", Some(&t))
        .await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"relative_dirname": "etc/lists", "filename": "audit-keys"},
               {"relative_dirname": "etc/lists", "filename": "security-eventchannel"}])
    );
    let (_, body) = s.get("/lists/files?search=-etc/lists", Some(&t)).await;
    assert_eq!(body["data"]["total_affected_items"], 0);
    let (_, body) = s.get("/lists/files/audit-keys", Some(&t)).await;
    assert_eq!(body["data"]["affected_items"][0]["audit-wazuh-x"], "execute");
    let resp = s.call(Method::GET, "/lists/files/aws-sources?raw=true", Some(&t)).await;
    assert_eq!(resp.headers()["content-type"], "text/plain; charset=utf-8");
    let (_, body) = s.get("/lists/files/unknown", Some(&t)).await;
    assert_eq!(failures(&body), [(1802, json!(["unknown"]))]);
    let (_, body) = s.get("/lists/files/amazon", Some(&t)).await;
    assert_eq!(failures(&body)[0].0, 1804);
    // An encoded slash separates path segments, as in Wazuh's router: no such route.
    let (status, _) = s.get("/lists/files/..%2F..%2Faudit-keys", Some(&t)).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn uploads_and_deletes_take_effect_without_a_restart() {
    let Some(s) = with_ruleset().await else { return };
    let t = s.token().await;
    let (status, body) = put(&s, "/rules/files/new_rule.xml", &t, NEW_RULES).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["affected_items"], json!(["etc/rules/new_rule.xml"]));
    assert_eq!(body["message"], "Rule was successfully uploaded");
    let (_, body) = s.get("/rules?rule_ids=111111&select=level", Some(&t)).await;
    assert_eq!(body["data"]["affected_items"], json!([{"id": 111111, "level": 5}]));
    // Again without overwrite: refused; with it: replaced and reloaded.
    let (_, body) = put(&s, "/rules/files/new_rule.xml", &t, NEW_RULES).await;
    assert_eq!(failures(&body), [(1905, json!(["etc/rules/new_rule.xml"]))]);
    let changed = NEW_RULES.replace("level=\"5\"", "level=\"7\"");
    let (_, body) = put(&s, "/rules/files/new_rule.xml?overwrite=true", &t, changed).await;
    assert_eq!(body["error"], 0, "{body}");
    let (_, body) = s.get("/rules?rule_ids=111111&select=level", Some(&t)).await;
    assert_eq!(body["data"]["affected_items"], json!([{"id": 111111, "level": 7}]));
    // The shipped ruleset and undeclared directories are not writable.
    let (_, body) = put(&s, "/rules/files/x.xml?relative_dirname=ruleset/rules", &t, NEW_RULES).await;
    assert_eq!(failures(&body), [(1210, json!(["ruleset/rules/x.xml"]))]);
    let (_, body) = put(&s, "/rules/files/x.xml?relative_dirname=etc/decoders", &t, NEW_RULES).await;
    assert_eq!(failures(&body), [(1209, json!(["etc/decoders/x.xml"]))]);
    // Delete: gone from the catalog; a second delete finds nothing.
    let (_, body) = delete(&s, "/rules/files/new_rule.xml", &t).await;
    assert_eq!(body["data"]["affected_items"], json!(["etc/rules/new_rule.xml"]));
    let (_, body) = s.get("/rules?rule_ids=111111", Some(&t)).await;
    assert_eq!(failures(&body), [(1208, json!([111111]))]);
    let (_, body) = delete(&s, "/rules/files/new_rule.xml", &t).await;
    assert_eq!(failures(&body), [(1906, json!(["etc/rules/new_rule.xml"]))]);
    // Decoders the same way.
    let decoder = "<decoder name=\"my-app\">\n  <program_name>my-app</program_name>\n</decoder>\n";
    let (_, body) = put(&s, "/decoders/files/my_decoders.xml", &t, decoder).await;
    assert_eq!(body["message"], "Decoder was successfully uploaded", "{body}");
    let (_, body) = s.get("/decoders?decoder_names=my-app", Some(&t)).await;
    assert_eq!(body["data"]["affected_items"][0]["relative_dirname"], "etc/decoders");
    let (_, body) = delete(&s, "/decoders/files/my_decoders.xml", &t).await;
    assert_eq!(body["message"], "Decoder file was successfully deleted");
    // Lists: checked line by line, names unique across subdirectories.
    let (_, body) = put(&s, "/lists/files/new_list", &t, "a:1\nb:2\n").await;
    assert_eq!(body["data"]["affected_items"], json!(["etc/lists/new_list"]), "{body}");
    let (_, body) = s.get("/lists/files/new_list", Some(&t)).await;
    assert_eq!(body["data"]["affected_items"], json!([{"a": "1", "b": "2"}]));
    let (_, body) = put(&s, "/lists/files/new_list?overwrite=true", &t, ":write\n").await;
    assert_eq!(failures(&body), [(1800, json!(["etc/lists/new_list"]))]);
    let (_, body) = put(&s, "/lists/files/aws-eventnames", &t, "a:1\n").await;
    assert_eq!(failures(&body), [(1805, json!(["etc/lists/aws-eventnames"]))]);
    let (_, body) = delete(&s, "/lists/files/new_list", &t).await;
    assert_eq!(body["data"]["affected_items"], json!(["etc/lists/new_list"]));
    let (_, body) = s.get("/lists?filename=new_list", Some(&t)).await;
    assert_eq!(body["data"]["total_affected_items"], 0);
    // A directory is never replaced by an upload.
    let (_, body) = put(&s, "/lists/files/amazon?overwrite=true", &t, "a:1\n").await;
    assert_eq!(failures(&body)[0].0, 1907, "{body}");
    // Uploads are octet-stream (or untyped), as in Wazuh: a form-encoded body is refused.
    let resp = s
        .client
        .put(format!("{}/lists/files/typed", s.base))
        .bearer_auth(&t)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("a:1")
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 415);
    let resp = s
        .client
        .put(format!("{}/lists/files/typed", s.base))
        .bearer_auth(&t)
        .header("content-type", "application/octet-stream")
        .body("a:1")
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn a_list_that_cannot_be_read_is_reported_not_hidden() {
    let Some(s) = with_ruleset().await else { return };
    let t = s.token().await;
    // Written behind the API's back (uploads are checked), then picked up by a reload.
    std::fs::write(s.data_dir.join("etc/lists/broken"), "a:b:c\n").expect("write");
    let (_, body) = put(&s, "/lists/files/other", &t, "x:1\n").await;
    assert_eq!(body["error"], 0, "{body}");
    let (status, body) = s.get("/lists", Some(&t)).await;
    assert_eq!((status, body["error"].clone()), (400, json!(1800)), "{body}");
    let (_, body) = s.get("/lists/files/broken", Some(&t)).await;
    assert_eq!(failures(&body)[0].0, 1800);
    let (status, _) = s.get("/lists?filename=audit-keys", Some(&t)).await;
    assert_eq!(status, 200);
    let (_, body) = put(&s, "/lists/files/broken", &t, "x:1\n").await;
    assert_eq!(failures(&body)[0].0, 1905);
}

#[tokio::test]
async fn hostile_and_broken_uploads_change_nothing() {
    let Some(s) = with_ruleset().await else { return };
    let t = s.token().await;
    let (_, body) = put(&s, "/rules/files/mine.xml", &t, NEW_RULES).await;
    assert_eq!(body["error"], 0, "{body}");
    let rules_dir = s.data_dir.join("etc/rules");
    let listing = || {
        let mut names: Vec<String> = std::fs::read_dir(&rules_dir)
            .expect("etc/rules")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        names.sort();
        names
    };
    let before = listing();
    let refused = [
        (
            "xxe",
            "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<group name=\"a,\"><rule id=\"5\" level=\"1\"><description>&x;</description></rule></group>".to_owned(),
        ),
        (
            "billion laughs",
            format!(
                "<!DOCTYPE l [<!ENTITY a \"{}\">{}]>\n<group name=\"a,\"><rule id=\"5\" level=\"1\"><description>&a9;</description></rule></group>",
                "lol".repeat(10),
                (1..10)
                    .map(|i| format!("<!ENTITY a{i} \"{}\">", format!("&a{};", i - 1).repeat(10)))
                    .collect::<String>()
            ),
        ),
        ("unclosed tag", NEW_RULES.replace("</if_sid>", "")),
        (
            "duplicate id",
            NEW_RULES.replace("</group>", "  <rule id=\"111111\" level=\"3\"><description>again</description></rule>\n</group>"),
        ),
    ];
    for (what, text) in refused {
        let (status, body) = put(&s, "/rules/files/mine.xml?overwrite=true", &t, text).await;
        assert_eq!(status, 200, "{what}: {body}");
        assert_eq!(
            failures(&body),
            [(1113, json!(["etc/rules/mine.xml"]))],
            "{what}: {body}"
        );
        assert_eq!(
            std::fs::read_to_string(rules_dir.join("mine.xml")).expect("kept"),
            NEW_RULES,
            "{what} changed the file"
        );
    }
    // A file name cannot leave its directory, however it is spelled.
    let (status, _) = put(&s, "/rules/files/..%2F..%2Fetc%2Fpasswd", &t, NEW_RULES).await;
    assert_eq!(status, 404);
    let (status, _) = put(&s, "/rules/files/..%252F..%252Fpasswd.xml", &t, NEW_RULES).await;
    assert_eq!(status, 400);
    let (status, _) = put(&s, "/lists/files/..", &t, "a:b").await;
    assert!(status == 400 || status == 404, "{status}");
    // Bodies over max_upload_size (10 MiB by default) are refused before they are read.
    let big = vec![b'a'; 20 * 1024 * 1024];
    let resp = s
        .client
        .put(format!("{}/rules/files/big.xml", s.base))
        .bearer_auth(&t)
        .body(big)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 413);
    // Empty and non-UTF-8 bodies are refused outright.
    let (status, body) = put(&s, "/rules/files/empty.xml", &t, "").await;
    assert_eq!((status, body["error"].clone()), (400, json!(1912)));
    let (status, body) = put(&s, "/rules/files/bin.xml", &t, vec![0xff_u8, 0xfe]).await;
    assert_eq!((status, body["error"].clone()), (400, json!(1911)));
    assert_eq!(listing(), before, "a refused upload left a file behind");
    let (_, body) = s.get("/rules?rule_ids=111111&select=level", Some(&t)).await;
    assert_eq!(body["data"]["affected_items"], json!([{"id": 111111, "level": 5}]));
}
