//! `/manager…`: configuration, state and statistics of a standalone manager.

use reqwest::Method;
use serde_json::json;

use super::common::{send, start};

async fn put_conf(s: &super::common::TestServer, token: &str, body: &str) -> (u16, serde_json::Value) {
    let resp = s
        .client
        .put(format!("{}/manager/configuration", s.base))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(body.to_owned())
        .send()
        .await
        .expect("put");
    super::common::json_of(resp).await
}

#[tokio::test]
async fn configuration_is_served_validated_replaced_and_reloaded_as_wazuh_does() {
    let s = start().await;
    let t = s.token().await;

    // First start wrote a full manager configuration.
    let (status, body) = send(&s, Method::GET, "/manager/configuration", &t, None).await;
    assert_eq!(status, 200, "{body}");
    let conf = &body["data"]["affected_items"][0];
    for section in [
        "alerts",
        "cluster",
        "global",
        "ruleset",
        "syscheck",
        "syscollector",
        "cis-cat",
    ] {
        assert!(conf.get(section).is_some(), "{section} in {conf}");
    }
    let (_, body) = send(
        &s,
        Method::GET,
        "/manager/configuration?section=syscheck&field=frequency",
        &t,
        None,
    )
    .await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"syscheck": {"frequency": "43200"}}])
    );
    let (_, body) = send(
        &s,
        Method::GET,
        "/manager/configuration?section=syscheck&field=nope",
        &t,
        None,
    )
    .await;
    assert_eq!(
        (
            body["error"].clone(),
            body["data"]["failed_items"][0]["error"]["code"].clone()
        ),
        (json!(1), json!(1103))
    );
    let (_, body) = send(&s, Method::GET, "/manager/configuration?section=labels", &t, None).await;
    assert_eq!(
        body["data"]["failed_items"][0]["error"]["code"], 1106,
        "known but absent"
    );
    let (status, _) = send(&s, Method::GET, "/manager/configuration?section=bogus", &t, None).await;
    assert_eq!(status, 400);
    let resp = s.call(Method::GET, "/manager/configuration?raw=true", Some(&t)).await;
    assert_eq!(resp.headers()["content-type"], "application/xml; charset=utf-8");
    let original = resp.text().await.expect("text");
    assert!(original.contains("<ossec_config>"));

    // Broken uploads change nothing and say why.
    let (status, body) = put_conf(&s, &t, "<ossec_config><remote></ossec_config>").await;
    assert_eq!(
        (status, body["data"]["failed_items"][0]["error"]["code"].clone()),
        (200, json!(1113))
    );
    let (_, body) = put_conf(
        &s,
        &t,
        "<ossec_config><global><update_checkkk>no</update_checkkk></global></ossec_config>",
    )
    .await;
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1908);
    assert!(body["data"]["failed_items"][0]["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("update_checkkk")));
    let on_disk = std::fs::read_to_string(s.data_dir.join("etc/ossec.conf")).expect("conf");
    assert_eq!(on_disk, original);
    let (_, body) = send(&s, Method::GET, "/manager/configuration/validation", &t, None).await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"name": "manager", "status": "OK"}])
    );

    // A good one replaces it (the previous kept beside it) and takes effect at restart.
    let new = original.replace("<update_check>no</update_check>", "<update_check>yes</update_check>");
    let (status, body) = put_conf(&s, &t, &new).await;
    assert_eq!(
        (status, body["data"]["affected_items"].clone()),
        (200, json!(["manager"]))
    );
    assert_eq!(
        std::fs::read_to_string(s.data_dir.join("etc/ossec.conf.bak")).expect("backup"),
        original
    );
    let (status, _) = send(&s, Method::GET, "/manager/version/check", &t, None).await;
    assert_eq!(status, 200, "not yet restarted");
    let (status, body) = send(&s, Method::PUT, "/manager/restart", &t, None).await;
    assert_eq!(
        (status, body["message"].clone()),
        (202, json!("Restart request sent to "))
    );
    let (status, body) = send(&s, Method::GET, "/manager/version/check", &t, None).await;
    assert_eq!((status, body["error"].clone()), (500, json!(2100)), "{body}");
}

#[tokio::test]
async fn manager_state_and_statistics() {
    let s = start().await;
    let t = s.token().await;
    let (_, body) = send(&s, Method::GET, "/manager/status", &t, None).await;
    let daemons = &body["data"]["affected_items"][0];
    assert_eq!(daemons.as_object().map(|m| m.len()), Some(16));
    assert_eq!(
        (daemons["wazuh-apid"].clone(), daemons["wazuh-remoted"].clone()),
        (json!("running"), json!("stopped"))
    );

    let (_, a) = send(&s, Method::GET, "/manager/info", &t, None).await;
    let (_, b) = send(&s, Method::GET, "/manager/info", &t, None).await;
    let uuid = a["data"]["affected_items"][0]["uuid"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(uuid.len(), 36);
    assert_eq!(
        b["data"]["affected_items"][0]["uuid"],
        uuid.as_str(),
        "the installation id is kept"
    );
    assert_eq!(a["data"]["affected_items"][0]["version"], "v4.14.7");

    let (status, body) = send(&s, Method::GET, "/manager/stats", &t, None).await;
    assert_eq!((status, body["error"].clone()), (400, json!(1308)));
    let dir = s.data_dir.join("stats/totals/2019/Aug");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(
        dir.join("ossec-totals-27.log"),
        "9-530-0-11\n9-502-3-1\n9--12--40--0--2\n\n",
    )
    .expect("write");
    let (_, body) = send(&s, Method::GET, "/manager/stats?date=2019-08-27", &t, None).await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"hour": 9, "alerts": [{"sigid": 530, "level": 0, "times": 11}, {"sigid": 502, "level": 3, "times": 1}],
                "totalAlerts": 12, "events": 40, "syscheck": 0, "firewall": 2}])
    );

    let resp = s.call(Method::GET, "/manager/stats/analysisd", Some(&t)).await;
    assert_eq!(
        resp.headers().get("deprecated").map(|v| v.as_bytes()),
        Some(&b"true"[..])
    );
    let (_, body) = super::common::json_of(resp).await;
    assert!(
        body["data"]["affected_items"][0]["events_received"].is_f64(),
        "floats, as Wazuh's state file reads"
    );
    let (_, body) = send(&s, Method::GET, "/manager/stats/weekly", &t, None).await;
    assert_eq!(body["data"]["total_affected_items"], 7);
    let (_, body) = send(
        &s,
        Method::GET,
        "/manager/daemons/stats?daemons_list=wazuh-analysisd",
        &t,
        None,
    )
    .await;
    assert_eq!(body["data"]["affected_items"][0]["name"], "wazuh-analysisd");
    let (_, body) = send(&s, Method::GET, "/manager/api/config", &t, None).await;
    assert_eq!(
        body["data"]["affected_items"][0]["node_api_config"]["upload_configuration"]["integrations"]["virustotal"]
            ["public_key"]["minimum_quota"],
        240
    );
}

/// `PUT /manager/restart` reloads in process: a client sending requests the whole time sees every
/// one of them answered, none refused or dropped.
#[tokio::test]
async fn restart_under_steady_requests_loses_none() {
    let s = std::sync::Arc::new(start().await);
    let t = s.token().await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = Vec::new();
    for _ in 0..4 {
        let (s, t, stop) = (s.clone(), t.clone(), stop.clone());
        clients.push(tokio::spawn(async move {
            let (mut ok, mut other) = (0u32, Vec::new());
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match s
                    .client
                    .get(format!("{}/manager/info", s.base))
                    .bearer_auth(&t)
                    .send()
                    .await
                {
                    Ok(r) if r.status() == 200 => ok += 1,
                    Ok(r) => other.push(r.status().to_string()),
                    Err(e) => other.push(e.to_string()),
                }
            }
            (ok, other)
        }));
    }
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        let (status, body) = send(&s, Method::PUT, "/manager/restart", &t, None).await;
        assert_eq!(status, 202, "{body}");
    }
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut answered = 0;
    for c in clients {
        let (ok, other) = c.await.expect("client task");
        assert!(other.is_empty(), "requests not answered 200 during restarts: {other:?}");
        answered += ok;
    }
    assert!(answered > 20, "only {answered} requests went through");
}

/// The active configuration of the components oxsec runs, Wazuh's answer for those it does not,
/// and the pair check that comes before permissions.
#[tokio::test]
async fn active_configuration_of_running_and_absent_components() {
    let s = start().await;
    let t = s.token().await;
    let get = |path: &'static str| send(&s, Method::GET, path, &t, None);

    let (status, body) = get("/manager/configuration/analysis/global").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["message"], "Active configuration was successfully read");
    let global = &body["data"]["affected_items"][0]["global"];
    assert_eq!(global["jsonout_output"], "yes");
    assert_eq!(global["integrity_checking"], 8, "numbers stay numbers: {global}");
    assert_eq!(global["white_list"], json!(["127.0.0.1", "^localhost.localdomain$"]));

    // Names are matched lowercased, as Wazuh's URI parser does.
    let (status, body) = get("/manager/configuration/Analysis/ALERTS").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["affected_items"][0]["alerts"]["log_alert_level"], 3);

    let (_, body) = get("/manager/configuration/analysis/active_response").await;
    assert_eq!(
        body["data"]["total_failed_items"], 1,
        "the default file has no responses: {body}"
    );
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1116);

    let (_, body) = get("/manager/configuration/analysis/command").await;
    assert_eq!(
        body["data"]["affected_items"][0]["command"][0]["name"],
        "disable-account"
    );

    let (_, body) = get("/manager/configuration/wazuh-db/internal").await;
    assert_eq!(body["data"]["affected_items"][0]["wazuh_db"]["open_db_limit"], 64);
    let (_, body) = get("/manager/configuration/wazuh-db/wdb").await;
    assert_eq!(body["data"]["affected_items"][0]["wdb"]["backup"][0]["enabled"], true);

    // A daemon oxsec does not run: a failed item, as Wazuh answers when its socket is absent.
    let (status, body) = get("/manager/configuration/request/remote").await;
    assert_eq!((status, body["error"].as_u64()), (200, Some(1)), "{body}");
    assert_eq!(body["message"], "Could not read active configuration");
    let failed = &body["data"]["failed_items"][0];
    assert_eq!(failed["error"]["code"], 1121);
    assert_eq!(
        failed["error"]["message"],
        "Error connecting with socket: Please verify that the component 'request' is properly configured"
    );
    assert_eq!(failed["id"], json!(["manager"]));

    // A pair Wazuh does not have: 400/1128, even for a caller without manager:read.
    super::common::user_with_roles(&s, &t, "auditor", "").await;
    let nobody = super::common::login(&s, "auditor", "Passw0rd!x").await;
    let (status, body) = send(&s, Method::GET, "/manager/configuration/agent/wmodules", &nobody, None).await;
    assert_eq!((status, body["error"].as_u64()), (400, Some(1128)), "{body}");
    assert!(
        body["detail"].as_str().unwrap_or_default().contains("'agent'"),
        "{body}"
    );
    let (status, body) = send(&s, Method::GET, "/manager/configuration/analysis/global", &nobody, None).await;
    assert_eq!((status, body["error"].as_u64()), (403, Some(4000)), "{body}");
}

/// ossec.log records what oxsec's services did, and `/manager/logs` reads it as Wazuh reads its own.
#[tokio::test]
async fn ossec_log_records_the_services_and_is_served() {
    let s = start().await;
    let t = s.token().await;

    let (status, body) = send(&s, Method::GET, "/manager/logs?tag=wazuh-analysisd", &t, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["message"], "Logs were successfully read");
    let items = body["data"]["affected_items"].as_array().expect("items").clone();
    let descriptions: Vec<&str> = items.iter().filter_map(|i| i["description"].as_str()).collect();
    assert!(
        descriptions.iter().any(|d| d.starts_with(" Started (pid: ")),
        "{descriptions:?}"
    );
    assert!(
        descriptions.iter().any(|d| d.starts_with(" Total rules enabled: '")),
        "{descriptions:?}"
    );
    let first = &items[0];
    assert_eq!(super::common::keys(first), ["timestamp", "tag", "level", "description"]);
    assert!(
        first["timestamp"]
            .as_str()
            .is_some_and(|ts| ts.ends_with('Z') && ts.len() == 20),
        "{first}"
    );

    // A restart is recorded; filters, q and sort work over the lines.
    send(&s, Method::PUT, "/manager/restart", &t, None).await;
    let (_, body) = send(
        &s,
        Method::GET,
        "/manager/logs?level=info&q=description~Restart%20requested&select=tag",
        &t,
        None,
    )
    .await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"tag": "wazuh-analysisd"}]),
        "{body}"
    );
    // Newest first by default.
    let (_, body) = send(&s, Method::GET, "/manager/logs", &t, None).await;
    let stamps: Vec<&str> = body["data"]["affected_items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["timestamp"].as_str())
        .collect();
    assert!(stamps.windows(2).all(|w| w[0] >= w[1]), "{stamps:?}");
    let (_, body) = send(&s, Method::GET, "/manager/logs?sort=-tag&limit=1", &t, None).await;
    assert_eq!(body["data"]["affected_items"][0]["tag"], "wazuh-db");

    let (status, body) = send(&s, Method::GET, "/manager/logs/summary", &t, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["message"], "Log was successfully summarized");
    let tags: Vec<String> = body["data"]["affected_items"]
        .as_array()
        .expect("items")
        .iter()
        .flat_map(super::common::keys)
        .collect();
    assert_eq!(tags, ["wazuh-analysisd", "wazuh-apid", "wazuh-db"]);
    let analysisd = &body["data"]["affected_items"][0]["wazuh-analysisd"];
    assert_eq!(
        super::common::keys(analysisd),
        ["all", "info", "error", "critical", "warning", "debug"]
    );
    assert!(analysisd["info"].as_u64().unwrap_or(0) >= 5, "{analysisd}");

    // Without the file: Wazuh's 1020.
    std::fs::remove_file(s.data_dir.join("logs/ossec.log")).expect("remove");
    let (status, body) = send(&s, Method::GET, "/manager/logs", &t, None).await;
    assert_eq!((status, body["error"].as_u64()), (500, Some(1020)), "{body}");
}

/// The rendering of `GET /manager/configuration` equals Wazuh's, key order and types included.
/// The expected JSON under tests/api/data was written by hand from the rules of upstream's
/// converter (framework/wazuh/core/configuration.py) and checked against that converter.
#[tokio::test]
async fn configuration_renders_as_wazuh_field_by_field() {
    let expected = |name: &str| -> serde_json::Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/api/data/manager_configuration")
            .join(name);
        serde_json::from_str(&std::fs::read_to_string(&path).expect("expected JSON")).expect("valid JSON")
    };
    let s = start().await;
    let t = s.token().await;

    // The configuration written on first start.
    let (status, body) = send(&s, Method::GET, "/manager/configuration", &t, None).await;
    assert_eq!(status, 200, "{body}");
    let item = &body["data"]["affected_items"][0];
    assert_eq!(
        serde_json::to_string_pretty(item).expect("json"),
        serde_json::to_string_pretty(&expected("default.json")).expect("json"),
        "the default configuration renders differently from Wazuh"
    );

    // A caller who may not change the configuration does not see the cluster key, in the JSON
    // or in the file's text.
    let path = s.data_dir.join("etc/ossec.conf");
    let original = std::fs::read_to_string(&path).expect("ossec.conf");
    std::fs::write(&path, original.replace("<key></key>", "<key>s3cr3t-cluster-key</key>")).expect("write");
    super::common::user_with_roles(&s, &t, "reader", "2").await;
    let reader = super::common::login(&s, "reader", "Passw0rd!x").await;
    let (_, body) = send(&s, Method::GET, "/manager/configuration?section=cluster", &reader, None).await;
    assert_eq!(body["data"]["affected_items"][0]["cluster"]["key"], "*****", "{body}");
    assert_eq!(body["data"]["affected_items"][0]["cluster"]["node_name"], "node01");
    let raw = s
        .call(Method::GET, "/manager/configuration?raw=true", Some(&reader))
        .await
        .text()
        .await
        .expect("text");
    assert!(raw.contains("<key>*****</key>") && !raw.contains("s3cr3t"), "{raw}");
    let (_, body) = send(&s, Method::GET, "/manager/configuration?section=cluster", &t, None).await;
    assert_eq!(
        body["data"]["affected_items"][0]["cluster"]["key"],
        "s3cr3t-cluster-key"
    );

    // The upstream test environment's manager configuration (its <root> is an <ossec_config>).
    let Some(fixture) = super::common::shared(
        "fixtures/wazuh-4.14.7-api-test-env/configurations/base/manager/configuration_files/ossec_base.conf",
    ) else {
        return;
    };
    let text = std::fs::read_to_string(fixture).expect("fixture");
    let text = text
        .replace("<root>", "<ossec_config>")
        .replace("</root>", "</ossec_config>");
    std::fs::write(s.data_dir.join("etc/ossec.conf"), text).expect("write ossec.conf");
    let (status, body) = send(&s, Method::GET, "/manager/configuration", &t, None).await;
    assert_eq!(status, 200, "{body}");
    let item = &body["data"]["affected_items"][0];
    assert_eq!(
        serde_json::to_string_pretty(item).expect("json"),
        serde_json::to_string_pretty(&expected("fixture_base.json")).expect("json"),
        "the fixture renders differently from Wazuh"
    );
}

/// Newest first, lines of the same second in file order, other lines left out, as Wazuh reads
/// its log; level and tag values are matched lowercased.
#[tokio::test]
async fn logs_order_and_filters_follow_wazuh() {
    let s = start().await;
    let t = s.token().await;
    std::fs::write(
        s.data_dir.join("logs/ossec.log"),
        "2026/11/24 10:00:00 wazuh-db: INFO: first\n\
         2026/11/24 10:00:02 wazuh-analysisd: WARNING: b1\n\
         a continuation line without a prefix\n\
         2026/11/24 10:00:02 wazuh-analysisd: INFO: b2\n\
         2026/11/24 10:00:01 wazuh-csyslogd[99]: ERROR: c\n",
    )
    .expect("write log");
    let (_, body) = send(&s, Method::GET, "/manager/logs?select=description", &t, None).await;
    let descriptions: Vec<&str> = body["data"]["affected_items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["description"].as_str())
        .collect();
    assert_eq!(descriptions, [" b1", " b2", " c", " first"]);
    let (_, body) = send(&s, Method::GET, "/manager/logs?level=INFO&tag=WAZUH-DB", &t, None).await;
    assert_eq!(body["data"]["total_affected_items"], 1, "{body}");
    let (_, body) = send(
        &s,
        Method::GET,
        "/manager/logs?sort=timestamp&limit=1&select=tag",
        &t,
        None,
    )
    .await;
    assert_eq!(body["data"]["affected_items"], json!([{"tag": "wazuh-db"}]));
    let (_, body) = send(&s, Method::GET, "/manager/logs/summary", &t, None).await;
    assert_eq!(
        body["data"]["affected_items"][1],
        json!({"wazuh-csyslogd[99]": {"all": 1, "info": 0, "error": 1, "critical": 0, "warning": 0, "debug": 0}})
    );
}
