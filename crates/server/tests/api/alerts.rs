//! The alerts extension: alerts produced through `POST /events`, found with each filter, and
//! only those of readable agents for a restricted user.

use reqwest::Method;
use serde_json::{json, Value};

use super::common::{send, with_ruleset, TestServer};

const INVALID_USER: &str = "May 29 11:31:00 vagrant sshd[30016]: Invalid user user from 212.64.151.233";

fn items(body: &Value) -> Vec<Value> {
    body["data"]["affected_items"].as_array().cloned().unwrap_or_default()
}

fn rule_ids(body: &Value) -> Vec<String> {
    items(body)
        .iter()
        .filter_map(|a| a["rule"]["id"].as_str().map(str::to_owned))
        .collect()
}

/// An alert of another agent, stored as the engine stores them.
fn store_alert(s: &TestServer, agent: &str, rule: &str, level: i64, epoch: i64) {
    let store = oxsec_store::Store::open(&s.data_dir.join("oxsec.db")).expect("store");
    let body = json!({
        "timestamp": "2026-01-01T00:00:00.000+0000",
        "rule": {"level": level, "description": "stored", "id": rule, "groups": ["web", "attack"],
                 "pci_dss": ["6.5"], "mitre": {"id": ["T1190"], "tactic": ["Initial Access"]}},
        "agent": {"id": agent, "name": format!("agent-{agent}")},
        "manager": {"name": "node01"},
        "id": format!("{epoch}.{}", epoch % 1000),
        "full_log": "GET /etc/passwd",
        "decoder": {"name": "web-accesslog"},
        "location": "/var/log/nginx/access.log",
    });
    let alert =
        oxsec_store::models::alert::NewAlert::from_line(&body.to_string(), 1_000_000 + epoch as u64).expect("an alert");
    store
        .write_blocking(move |tx| oxsec_store::models::alert::insert_many(tx, &[alert]))
        .expect("alert");
}

const WEB_ATTACK: &str = "192.168.1.50 - - [24/Nov/2026:10:00:00 +0000] \"GET /index.php?id=1%27%20UNION%20SELECT%20username,password%20FROM%20users-- HTTP/1.1\" 200 512 \"-\" \"sqlmap/1.7\"";

/// A web attack sent through `POST /events` is found by its decoder, group and source address.
#[tokio::test]
async fn a_web_attack_through_events_is_found() {
    let Some(s) = with_ruleset().await else { return };
    let t = s.token().await;
    let (status, body) = send(&s, Method::POST, "/events", &t, Some(json!({"events": [WEB_ATTACK]}))).await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = send(
        &s,
        Method::GET,
        "/alerts?decoder=web-accesslog&rule_group=attack",
        &t,
        None,
    )
    .await;
    assert_eq!(body["data"]["total_affected_items"], 1, "{body}");
    let alert = items(&body)[0].clone();
    assert_eq!(alert["data"]["srcip"], "192.168.1.50", "{alert}");
    let (_, body) = send(
        &s,
        Method::GET,
        "/alerts?q=data.srcip=192.168.1.50&select=rule.id",
        &t,
        None,
    )
    .await;
    assert_eq!(
        items(&body),
        vec![json!({"rule": {"id": alert["rule"]["id"]}})],
        "{body}"
    );
}

/// A failed Windows logon as the agent reads it from the event log (sample of a 4625 event).
const WINDOWS_FAILED_LOGON: &str = r#"{"Message":"An account failed to log on.\r\n\r\nFailure Information:\r\n\tFailure Reason:\t\tUnknown user name or bad password.","Event":"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-a5ba-3e3b0328c30d}'/><EventID>4625</EventID><Version>0</Version><Level>0</Level><Task>12544</Task><Opcode>0</Opcode><Keywords>0x8010000000000000</Keywords><TimeCreated SystemTime='2026-11-24T08:23:15.1234567Z'/><EventRecordID>8745632</EventRecordID><Correlation/><Execution ProcessID='608' ThreadID='2536'/><Channel>Security</Channel><Computer>WIN-SRV01</Computer><Security/></System><EventData><Data Name='SubjectUserSid'>S-1-0-0</Data><Data Name='SubjectUserName'>-</Data><Data Name='TargetUserName'>administrator</Data><Data Name='TargetDomainName'>WIN-SRV01</Data><Data Name='Status'>0xc000006d</Data><Data Name='SubStatus'>0xc000006a</Data><Data Name='LogonType'>3</Data><Data Name='LogonProcessName'>NtLmSsp </Data><Data Name='AuthenticationPackageName'>NTLM</Data><Data Name='WorkstationName'>KALI</Data><Data Name='IpAddress'>10.0.0.25</Data><Data Name='IpPort'>0</Data></EventData></Event>"}"#;

/// A Windows event-log record sent through `POST /events` is decoded as analysisd decodes the
/// agent's event channel, fires the Windows rules, and is found by its filters.
#[tokio::test]
async fn a_windows_eventchannel_event_through_events_is_found() {
    let Some(s) = with_ruleset().await else { return };
    let t = s.token().await;
    let (status, body) = send(
        &s,
        Method::POST,
        "/events",
        &t,
        Some(json!({"events": [WINDOWS_FAILED_LOGON]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = send(&s, Method::GET, "/alerts?decoder=windows_eventchannel", &t, None).await;
    assert_eq!(body["data"]["total_affected_items"], 1, "{body}");
    let alert = items(&body)[0].clone();
    assert_eq!(alert["rule"]["id"], "60122", "{alert}");
    assert_eq!(alert["rule"]["level"], 5, "{alert}");
    assert_eq!(alert["location"], "EventChannel");
    assert_eq!(alert["data"]["win"]["eventdata"]["targetUserName"], "administrator");
    assert_eq!(alert["data"]["win"]["system"]["severityValue"], "AUDIT_FAILURE");
    assert!(
        alert.get("full_log").is_none(),
        "the Windows rules say no_full_log: {alert}"
    );
    for query in [
        "/alerts?rule_group=authentication_failed&level=5",
        "/alerts?rule_ids=60122",
        "/alerts?q=rule.groups=windows",
    ] {
        let (_, body) = send(&s, Method::GET, query, &t, None).await;
        assert_eq!(body["data"]["total_affected_items"], 1, "{query}: {body}");
    }
    let (_, body) = send(&s, Method::GET, "/alerts/summary?by=decoder", &t, None).await;
    assert_eq!(
        items(&body)[0]["buckets"],
        json!([{"key": "windows_eventchannel", "count": 1}]),
        "{body}"
    );
}

#[tokio::test]
async fn alerts_are_found_by_each_filter() {
    let Some(s) = with_ruleset().await else { return };
    let t = s.token().await;
    let (status, body) = send(
        &s,
        Method::POST,
        "/events",
        &t,
        Some(json!({"events": vec![INVALID_USER; 8]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    store_alert(&s, "001", "31106", 12, 1_767_225_600);

    let (status, body) = send(&s, Method::GET, "/alerts", &t, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["total_affected_items"], 9);
    assert_eq!(rule_ids(&body)[0], "5712", "newest first: {body}");
    assert_eq!(items(&body)[0]["agent"]["id"], "000", "items are the alerts as written");

    let count = |body: &Value| body["data"]["total_affected_items"].as_u64().unwrap_or(0);
    for (query, expected) in [
        ("/alerts?rule_ids=5710", 7),
        ("/alerts?rule_id=5712", 1),
        ("/alerts?level=10-15", 2),
        ("/alerts?level=5", 7),
        ("/alerts?agents_list=1", 1),
        ("/alerts?agent_id=&rule_id=&level=&timestamp_start=&timestamp_end=", 9),
        ("/alerts?rule_group=attack", 1),
        ("/alerts?mitre=T1190", 1),
        ("/alerts?mitre=Initial%20Access", 1),
        ("/alerts?pci_dss=6.5", 1),
        ("/alerts?decoder=sshd", 8),
        ("/alerts?from=2026-01-01&to=2026-01-02", 1),
        ("/alerts?from=24h", 8),
        ("/alerts?q=full_log~passwd", 1),
        ("/alerts?search=212.64.151.233", 8),
    ] {
        let (status, body) = send(&s, Method::GET, query, &t, None).await;
        assert_eq!((status, count(&body)), (200, expected), "{query}: {body}");
    }
    let (_, body) = send(
        &s,
        Method::GET,
        "/alerts?select=rule.id,agent.id&rule_ids=31106",
        &t,
        None,
    )
    .await;
    assert_eq!(
        items(&body),
        vec![json!({"rule": {"id": "31106"}, "agent": {"id": "001"}})]
    );

    // Summaries over the same filters, counted independently from the listing.
    let (status, body) = send(&s, Method::GET, "/alerts?limit=100", &t, None).await;
    assert_eq!(status, 200);
    let mut by_rule: std::collections::BTreeMap<String, u64> = Default::default();
    for id in rule_ids(&body) {
        *by_rule.entry(id).or_default() += 1;
    }
    let (status, body) = send(
        &s,
        Method::GET,
        "/alerts/summary?by=rule,agent,rule_group&top=10&interval=1d",
        &t,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let summaries = items(&body);
    let rules: std::collections::BTreeMap<String, u64> = summaries[0]["buckets"]
        .as_array()
        .map(|b| {
            b.iter()
                .filter_map(|x| Some((x["key"].as_str()?.to_owned(), x["count"].as_u64()?)))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(rules, by_rule, "{body}");
    assert_eq!(
        summaries[0]["buckets"][0],
        json!({"key": "5710", "count": 7}),
        "most frequent first"
    );
    assert_eq!(summaries[1]["buckets"][0], json!({"key": "000", "count": 8}));
    assert_eq!(summaries[3]["by"], "time");
    let (_, body) = send(&s, Method::GET, "/alerts/summary?by=rule&level=12", &t, None).await;
    assert_eq!(
        items(&body)[0]["buckets"],
        json!([{"key": "31106", "count": 1}]),
        "{body}"
    );

    // Compliance posture: requirements mapped by the ruleset, with their alerts per agent.
    let (status, body) = send(&s, Method::GET, "/compliance/pci_dss", &t, None).await;
    assert_eq!(status, 200, "{body}");
    let reqs = items(&body);
    let find = |r: &str| {
        reqs.iter()
            .find(|i| i["requirement"] == r)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(find("6.5")["agents"], json!({"001": 1}), "{body}");
    let brute = find("10.2.4");
    assert!(
        brute["rules"].as_array().is_some_and(|r| r.contains(&json!("5710"))),
        "{brute}"
    );
    assert_eq!(brute["agents"]["000"], 8, "{brute}");
    assert!(
        reqs.iter().any(|r| r["covered"] == false),
        "requirements without alerts are listed too"
    );
    let csv = s
        .client
        .get(format!("{}/compliance/pci_dss?format=csv", s.base))
        .bearer_auth(&t)
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("text");
    assert!(
        csv.starts_with("requirement,rules,alerts,agents\n") && csv.contains("\n6.5,"),
        "{csv}"
    );
    let html = s
        .client
        .get(format!("{}/compliance/pci_dss?format=html", s.base))
        .bearer_auth(&t)
        .send()
        .await
        .expect("html")
        .text()
        .await
        .expect("text");
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("<td>6.5</td>"),
        "{html}"
    );
    assert!(!html.contains("src=") && !html.contains("href="), "no external assets");
    let (status, _) = send(&s, Method::GET, "/compliance/iso27001", &t, None).await;
    assert_eq!(status, 400);

    for (query, parameter) in [
        ("/alerts/summary?by=nope", "by"),
        ("/alerts/summary?by=rule&interval=0", "interval"),
        ("/alerts/summary?by=rule&top=100001", "top"),
        ("/alerts/summary?by=rule&level=abc", "level"),
        ("/alerts?from=2026-01-02&to=2026-01-01", "from"),
        ("/alerts?level=abc", "level"),
        ("/alerts?from=yesterday", "from"),
        ("/alerts?to=9223372036854775807", "to"),
    ] {
        let (status, body) = send(&s, Method::GET, query, &t, None).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(
            body["detail"].as_str().is_some_and(|d| d.contains(parameter)),
            "{query}: {body}"
        );
    }
}

#[tokio::test]
async fn a_restricted_user_sees_only_its_agents_alerts() {
    let Some(s) = with_ruleset().await else { return };
    let admin = s.token().await;
    for name in ["agent1", "agent2"] {
        let (status, body) = send(
            &s,
            Method::POST,
            "/agents",
            &admin,
            Some(json!({"name": name, "ip": "any"})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    store_alert(&s, "001", "31106", 12, 1_767_225_600);
    store_alert(&s, "002", "31106", 12, 1_767_225_601);
    let user = super::common::user_with_roles(&s, &admin, "analyst", "").await;
    super::common::grant(
        &s,
        &admin,
        user,
        "alerts-of-001",
        &[json!({"actions": ["alerts:read"], "resources": ["agent:id:001"], "effect": "allow"})],
    )
    .await;
    let token = super::common::login(&s, "analyst", "Passw0rd!x").await;
    let (status, body) = send(&s, Method::GET, "/alerts", &token, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["total_affected_items"], 1, "{body}");
    assert_eq!(items(&body)[0]["agent"]["id"], "001");
    // The same scope in the summary and the compliance report.
    let (_, body) = send(&s, Method::GET, "/alerts/summary?by=agent", &token, None).await;
    assert_eq!(
        items(&body)[0]["buckets"],
        json!([{"key": "001", "count": 1}]),
        "{body}"
    );
    let (_, body) = send(&s, Method::GET, "/compliance/pci_dss", &token, None).await;
    let req = items(&body)
        .into_iter()
        .find(|i| i["requirement"] == "6.5")
        .unwrap_or(Value::Null);
    assert_eq!(req["agents"], json!({"001": 1}), "{body}");
    // And in the stream: a new alert of agent 002 is not sent to this user, one of 001 is.
    let mut stream = s
        .client
        .get(format!("{}/alerts/stream", s.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("stream");
    let _connected = stream.chunk().await.expect("chunk");
    store_alert(&s, "002", "31106", 12, 1_767_225_602);
    store_alert(&s, "001", "31107", 12, 1_767_225_603);
    // Stored by another writer (no POST /events to wake the stream): found by its poll.
    let events = read_events(&mut stream, 1, std::time::Duration::from_secs(3)).await;
    assert_eq!(
        events.iter().map(|(_, r)| r.as_str()).collect::<Vec<_>>(),
        ["31107"],
        "{events:?}"
    );
    // The administrator and readonly roles have alerts:read by default.
    let (_, body) = send(&s, Method::GET, "/alerts?agents_list=001,002", &admin, None).await;
    assert_eq!(body["data"]["total_affected_items"], 4);
    // `group`: the alerts of an agent group's agents.
    let (status, body) = send(&s, Method::POST, "/groups", &admin, Some(json!({"group_id": "web"}))).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(&s, Method::PUT, "/agents/002/group/web", &admin, None).await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = send(&s, Method::GET, "/alerts?group=web&select=agent.id", &admin, None).await;
    assert_eq!(
        items(&body),
        vec![json!({"agent": {"id": "002"}}), json!({"agent": {"id": "002"}})],
        "{body}"
    );
    let (_, body) = send(&s, Method::GET, "/alerts/summary?group=web&by=agent", &admin, None).await;
    assert_eq!(
        items(&body)[0]["buckets"],
        json!([{"key": "002", "count": 2}]),
        "{body}"
    );
}

/// Reads the stream until `count` alert events arrived (or `wait` passed): their ids and rules.
async fn read_events(resp: &mut reqwest::Response, count: usize, wait: std::time::Duration) -> Vec<(i64, String)> {
    let mut text = String::new();
    let mut events = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    while events.len() < count {
        let Ok(Ok(Some(chunk))) = tokio::time::timeout_at(deadline, resp.chunk()).await else {
            break;
        };
        text.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = text.find("\n\n") {
            let event: String = text.drain(..end + 2).collect();
            let id = event
                .lines()
                .find_map(|l| l.strip_prefix("id: "))
                .and_then(|i| i.parse().ok());
            let data = event.lines().find_map(|l| l.strip_prefix("data: "));
            if let (Some(id), Some(data)) = (id, data) {
                let alert: Value = serde_json::from_str(data).unwrap_or(Value::Null);
                events.push((id, alert["rule"]["id"].as_str().unwrap_or_default().to_owned()));
            }
        }
    }
    events
}

#[tokio::test]
async fn the_stream_delivers_new_alerts_and_resumes_after_the_last_event() {
    let Some(s) = with_ruleset().await else { return };
    let t = s.token().await;
    let open = |last: Option<i64>| {
        let mut req = s
            .client
            .get(format!("{}/alerts/stream?rule_ids=5710,5712", s.base))
            .bearer_auth(&t);
        if let Some(id) = last {
            req = req.header("Last-Event-ID", id.to_string());
        }
        req.send()
    };
    let mut resp = open(None).await.expect("stream");
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers().get("content-type").and_then(|v| v.to_str().ok()),
        Some("text/event-stream")
    );
    let first = resp.chunk().await.expect("chunk").unwrap_or_default();
    assert!(String::from_utf8_lossy(&first).starts_with(": connected"), "{first:?}");

    let sent = tokio::time::Instant::now();
    let (status, _) = send(&s, Method::POST, "/events", &t, Some(json!({"events": [INVALID_USER]}))).await;
    assert_eq!(status, 200);
    let events = read_events(&mut resp, 1, std::time::Duration::from_secs(5)).await;
    assert_eq!(events.iter().map(|(_, r)| r.as_str()).collect::<Vec<_>>(), ["5710"]);
    assert!(
        sent.elapsed() < std::time::Duration::from_secs(1),
        "within a second: {:?}",
        sent.elapsed()
    );
    let last_seen = events[0].0;
    drop(resp);

    // Disconnected: these alerts are missed, then delivered on reconnection, exactly once each.
    let (status, _) = send(
        &s,
        Method::POST,
        "/events",
        &t,
        Some(json!({"events": vec![INVALID_USER; 7]})),
    )
    .await;
    assert_eq!(status, 200);
    let mut resp = open(Some(last_seen)).await.expect("reconnect");
    let events = read_events(&mut resp, 8, std::time::Duration::from_secs(3)).await;
    let rules: Vec<&str> = events.iter().map(|(_, r)| r.as_str()).collect();
    assert_eq!(
        rules,
        [vec!["5710"; 6], vec!["5712"]].concat(),
        "exactly the missed ones: {events:?}"
    );
    assert!(events.windows(2).all(|w| w[0].0 < w[1].0) && events[0].0 > last_seen);
}
