//! The analysis engine over the API: `PUT /logtest` sessions, `POST /events` with alerts in
//! alerts.json and the store, `PUT /manager/analysisd/reload`, over the upstream ruleset.

use reqwest::Method;
use serde_json::{json, Value};

use super::common::{json_of, keys, shared, with_ruleset, with_ruleset_and, TestServer};

async fn send(s: &TestServer, method: Method, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let resp = s
        .client
        .request(method, format!("{}{path}", s.base))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request");
    json_of(resp).await
}

async fn logtest(s: &TestServer, token: &str, body: Value) -> (u16, Value) {
    send(s, Method::PUT, "/logtest", token, &body).await
}

const INVALID_USER: &str = "May 29 11:31:00 vagrant sshd[30016]: Invalid user user from 212.64.151.233";

fn event(log: &str, session: Option<&str>) -> Value {
    let mut v = json!({"event": log, "log_format": "syslog", "location": "master->/var/log/secure"});
    if let Some(t) = session {
        v["token"] = json!(t);
    }
    v
}

/// The alerts of alerts.json, parsed.
fn alerts_file(s: &TestServer) -> Vec<Value> {
    let text = std::fs::read_to_string(s.data_dir.join("logs/alerts/alerts.json")).unwrap_or_default();
    assert!(text.is_empty() || text.ends_with('\n'), "alerts.json holds whole lines");
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("alert line is not JSON ({e}): {l}")))
        .collect()
}

fn rule_ids(alerts: &[Value]) -> Vec<String> {
    alerts
        .iter()
        .map(|a| a["rule"]["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn logtest_sessions_keep_correlation_state_and_answer_as_wazuh() {
    let Some(attack) = shared("mitre/enterprise-attack-v15.json") else {
        return;
    };
    let Some(s) = with_ruleset_and(&[("OXSEC_MITRE_FILE", &attack)]).await else {
        return;
    };
    let t = s.token().await;

    let (status, first) = logtest(&s, &t, event(INVALID_USER, None)).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(keys(&first), ["error", "data"]);
    let data = &first["data"];
    assert_eq!(keys(data), ["messages", "token", "output", "alert", "codemsg"]);
    let session = data["token"].as_str().expect("token").to_owned();
    assert_eq!(session.len(), 8);
    assert_eq!(
        data["messages"],
        json!([format!("INFO: (7202): Session initialized with token '{session}'")])
    );
    assert_eq!(data["codemsg"], 0);
    assert_eq!(data["alert"], true);
    let out = &data["output"];
    assert_eq!(out["rule"]["id"], "5710");
    assert_eq!(out["rule"]["level"], 5);
    assert_eq!(out["rule"]["firedtimes"], 1);
    assert_eq!(
        out["rule"]["mitre"],
        json!({"id": ["T1110.001", "T1021.004"], "tactic": ["Credential Access", "Lateral Movement"],
               "technique": ["Password Guessing", "SSH"]}),
        "named from the ATT&CK bundle"
    );
    assert_eq!(out["decoder"]["name"], "sshd");
    assert_eq!(out["data"]["srcip"], "212.64.151.233");
    assert_eq!(out["location"], "master->/var/log/secure");
    assert_eq!(out["agent"]["id"], "000");
    assert!(
        out["timestamp"]
            .as_str()
            .is_some_and(|ts| ts.ends_with("000Z") && ts.len() == 27),
        "UTC with microseconds, as the API converts it: {}",
        out["timestamp"]
    );

    // The same session counts on: the eighth attempt from one source is the brute force.
    let mut last = Value::Null;
    for n in 2..=8 {
        let (status, body) = logtest(&s, &t, event(INVALID_USER, Some(&session))).await;
        assert_eq!(status, 200);
        assert_eq!(
            keys(&body["data"]),
            ["token", "output", "alert", "codemsg"],
            "no messages for a known session"
        );
        if n < 8 {
            assert_eq!(body["data"]["output"]["rule"]["id"], "5710", "attempt {n}");
            assert_eq!(body["data"]["output"]["rule"]["firedtimes"], n);
        }
        last = body;
    }
    assert_eq!(last["data"]["output"]["rule"]["id"], "5712");
    assert_eq!(last["data"]["output"]["rule"]["level"], 10);
    assert_eq!(last["data"]["output"]["rule"]["frequency"], 8);

    // Another session starts from nothing.
    let (_, other) = logtest(&s, &t, event(INVALID_USER, None)).await;
    assert_ne!(other["data"]["token"], session);
    assert_eq!(other["data"]["output"]["rule"]["firedtimes"], 1);

    // A token that is not one: a warning, a new session, codemsg 1.
    let (status, bad) = logtest(&s, &t, event(INVALID_USER, Some("token_without_session"))).await;
    assert_eq!(status, 200);
    let new = bad["data"]["token"].as_str().expect("token");
    assert_eq!(
        bad["data"]["messages"],
        json!([
            "WARNING: (7309): 'token_without_session' is not a valid token",
            format!("INFO: (7202): Session initialized with token '{new}'")
        ])
    );
    assert_eq!(bad["data"]["codemsg"], 1);

    // A well-formed token nobody has: it "expires".
    let (_, gone) = logtest(&s, &t, event(INVALID_USER, Some("0badcafe"))).await;
    assert_eq!(gone["data"]["messages"][0], "WARNING: (7003): '0badcafe' token expires");

    // A line no rule alerts on still has its output, without a rule.
    let (_, quiet) = logtest(&s, &t, event("hello world", None)).await;
    assert_eq!(quiet["data"]["alert"], false);
    assert!(quiet["data"]["output"].get("rule").is_none(), "{quiet}");
    assert_eq!(quiet["data"]["output"]["full_log"], "hello world");

    // Missing fields are the contract's 400; empty ones logtest's 7000.
    let (status, _) = logtest(&s, &t, json!({"invalid_key": "token"})).await;
    assert_eq!(status, 400);
    let (status, body) = logtest(&s, &t, json!({"event": "x", "log_format": "syslog", "location": ""})).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], 7000);
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("(7308): 'location'")),
        "{body}"
    );

    // More than logtest's socket takes: Wazuh's refusal, and no session.
    let (status, body) = logtest(&s, &t, event(&"x".repeat(65_536), None)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], 7000);
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("(7315)")), "{body}");

    // Ending sessions.
    let path = format!("/logtest/sessions/{session}");
    let (status, ended) = send(&s, Method::DELETE, &path, &t, &Value::Null).await;
    assert_eq!(status, 200);
    assert_eq!(
        ended,
        json!({"error": 0, "data": {"messages": [format!("INFO: (7206): The session '{session}' was closed successfully")], "codemsg": 0}})
    );
    let (status, again) = send(&s, Method::DELETE, &path, &t, &Value::Null).await;
    assert_eq!(status, 200);
    assert_eq!(again["data"]["codemsg"], -1);
    assert_eq!(
        again["data"]["messages"][0],
        format!("ERROR: (7004): No session found for token '{session}'")
    );
    let (status, wrong) = send(&s, Method::DELETE, "/logtest/sessions/wrong_token", &t, &Value::Null).await;
    assert_eq!(status, 400);
    assert_eq!(wrong["error"], 7000);
}

#[tokio::test]
async fn a_frequency_rule_fires_at_its_threshold_through_events_and_is_persisted() {
    let Some(s) = with_ruleset().await else { return };
    let t = s.token().await;
    let seven: Vec<&str> = vec![INVALID_USER; 7];
    let (status, body) = send(&s, Method::POST, "/events", &t, &json!({"events": seven})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["message"], "All events were forwarded to analisysd");
    assert_eq!(body["data"]["total_affected_items"], 7);
    let alerts = alerts_file(&s);
    assert_eq!(rule_ids(&alerts), vec!["5710"; 7], "seven attempts: no brute force yet");

    let (status, _) = send(&s, Method::POST, "/events", &t, &json!({"events": [INVALID_USER]})).await;
    assert_eq!(status, 200);
    let alerts = alerts_file(&s);
    assert_eq!(
        rule_ids(&alerts).last().map(String::as_str),
        Some("5712"),
        "the eighth is"
    );
    let brute = alerts.last().expect("alert");
    assert_eq!(brute["rule"]["level"], 10);
    assert_eq!(brute["rule"]["frequency"], 8);
    assert_eq!(brute["rule"]["firedtimes"], 1);
    assert_eq!(brute["location"], "API-Webhook");
    assert_eq!(brute["agent"]["id"], "000");
    assert_eq!(brute["data"]["srcip"], "212.64.151.233");
    assert!(
        brute["rule"].get("mitre").is_none(),
        "no ATT&CK data configured: no mitre, as in Wazuh"
    );
    assert!(brute["timestamp"].as_str().is_some_and(|ts| ts.ends_with("+0000")));
    // Each alert's id names where its line starts in the file.
    let text = std::fs::read_to_string(s.data_dir.join("logs/alerts/alerts.json")).expect("file");
    let offset: usize = brute["id"]
        .as_str()
        .and_then(|id| id.split('.').nth(1))
        .and_then(|o| o.parse().ok())
        .expect("id");
    assert!(text[offset..].starts_with("{\"timestamp\""));
    assert_eq!(
        text[offset..].lines().next(),
        Some(serde_json::to_string(brute).expect("json").as_str())
    );

    // The store has the same alerts.
    let layout = oxsec_server::bootstrap::Layout::new(&s.data_dir);
    let store = oxsec_store::Store::open(&layout.db()).expect("store");
    let stored = store
        .read_blocking(|c| oxsec_store::models::alert::bodies_of_rule(c, "5712", 10))
        .expect("read");
    assert_eq!(stored.len(), 1);
    let stored: Value = serde_json::from_str(&stored[0]).expect("json");
    assert_eq!(&stored, brute);
    assert_eq!(
        store.read_blocking(oxsec_store::models::alert::count).expect("count"),
        8
    );
}

#[tokio::test]
async fn events_are_checked_as_wazuh_checks_them() {
    let Some(s) = with_ruleset().await else { return };
    let t = s.token().await;
    let (status, body) = send(&s, Method::POST, "/events", &t, &json!({"events": [{"foo": 1}]})).await;
    assert_eq!(status, 400);
    assert_eq!(body["detail"], "{'foo': 1} is not of type 'string' - 'events.0'");
    let (status, body) = send(&s, Method::POST, "/events", &t, &json!(["foo", "bar"])).await;
    assert_eq!(status, 400);
    assert_eq!(body["detail"], "['foo', 'bar'] is not of type 'object'");
    let many: Vec<String> = (0..101).map(|i| format!("event {i}")).collect();
    let (status, body) = send(&s, Method::POST, "/events", &t, &json!({"events": many})).await;
    assert_eq!(status, 400);
    assert_eq!(body["title"], "Events bulk size exceeded");

    let fits = "a".repeat(65_535 - "1:API-Webhook:".len());
    let large = format!("{fits}b");
    let (status, body) = send(&s, Method::POST, "/events", &t, &json!({"events": [fits, large]})).await;
    assert_eq!(status, 200);
    assert_eq!(body["error"], 2);
    assert_eq!(body["message"], "Some events were forwarded to analisysd");
    assert_eq!(body["data"]["total_affected_items"], 1);
    assert_eq!(
        body["data"]["failed_items"],
        json!([{"error": {"code": 1012, "message": "Invalid message to queue: The event is too large to be sent to analysisd (maximum is 65535B)"}, "id": [large]}])
    );
}

#[tokio::test]
async fn events_have_their_own_rate_limit() {
    let Some(s) = with_ruleset().await else { return };
    let t = s.token().await;
    for _ in 0..30 {
        let (status, _) = send(&s, Method::POST, "/events", &t, &json!({"events": ["foo"]})).await;
        assert_eq!(status, 200);
    }
    let (status, body) = send(&s, Method::POST, "/events", &t, &json!({"events": ["foo"]})).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"], 6005);
    let (status, _) = s.get("/", Some(&t)).await;
    assert_eq!(status, 200, "the rest of the API is not limited by it");
}

#[tokio::test]
async fn reload_swaps_in_the_new_ruleset_and_refuses_a_broken_one() {
    let Some(s) = with_ruleset().await else { return };
    let t = s.token().await;
    let (_, before) = logtest(&s, &t, event("oxsec-reload-marker", None)).await;
    assert!(before["data"]["output"].get("rule").is_none());
    let session = before["data"]["token"].as_str().expect("token").to_owned();

    let rules = s.data_dir.join("etc/rules/local_reload.xml");
    std::fs::write(
        &rules,
        "<group name=\"local,\">\n  <rule id=\"100500\" level=\"7\">\n    <match>oxsec-reload-marker</match>\n    \
         <description>marker seen</description>\n  </rule>\n</group>\n",
    )
    .expect("write");
    let (status, body) = send(&s, Method::PUT, "/manager/analysisd/reload", &t, &Value::Null).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"data": {"affected_items": [{"name": "manager", "msg": "Ruleset reload request sent successfully."}],
               "total_affected_items": 1, "total_failed_items": 0, "failed_items": []},
               "message": "Reload request sent to ", "error": 0})
    );
    let (_, after) = logtest(&s, &t, event("oxsec-reload-marker", None)).await;
    assert_eq!(after["data"]["output"]["rule"]["id"], "100500");
    // The old session keeps the ruleset it started with, as Wazuh's sessions do.
    let (_, old) = logtest(&s, &t, event("oxsec-reload-marker", Some(&session))).await;
    assert!(old["data"]["output"].get("rule").is_none(), "{old}");

    // The logtest options come from ossec.conf with the ruleset: a short idle time.
    std::fs::write(
        s.data_dir.join("etc/ossec.conf"),
        "<ossec_config><rule_test><session_timeout>1s</session_timeout></rule_test></ossec_config>\n",
    )
    .expect("write");
    let (status, _) = send(&s, Method::PUT, "/manager/analysisd/reload", &t, &Value::Null).await;
    assert_eq!(status, 200);
    let (_, short) = logtest(&s, &t, event("oxsec-reload-marker", None)).await;
    let short = short["data"]["token"].as_str().expect("token").to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (_, expired) = logtest(&s, &t, event("oxsec-reload-marker", Some(&short))).await;
    assert_eq!(
        expired["data"]["messages"][0],
        format!("WARNING: (7003): '{short}' token expires")
    );

    // A broken file: refused, and the running ruleset stays.
    std::fs::write(&rules, "<group name=\"local,\"><rule id=\"100500\" level=\"7\">").expect("write");
    let (status, body) = send(&s, Method::PUT, "/manager/analysisd/reload", &t, &Value::Null).await;
    assert_eq!(status, 200);
    assert_eq!(body["error"], 1);
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1914);
    assert_eq!(body["data"]["failed_items"][0]["id"], json!(["manager"]));
    assert!(
        body["data"]["failed_items"][0]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("local_reload.xml")),
        "{body}"
    );
    let (_, still) = logtest(&s, &t, event("oxsec-reload-marker", None)).await;
    assert_eq!(
        still["data"]["output"]["rule"]["id"], "100500",
        "the old ruleset still runs"
    );
}
