//! What agents report (file integrity, rootcheck), served from the store as Wazuh serves it from
//! each agent's database.

use reqwest::Method;
use serde_json::{json, Value};

use super::common::{send, start, TestServer};

/// Agent 001 (connected, with data), 002 (registered, never connected).
async fn agents_with_data(s: &TestServer, admin: &str) {
    for name in ["agent1", "agent2"] {
        let (status, body) = send(
            s,
            Method::POST,
            "/agents",
            admin,
            Some(json!({"name": name, "ip": "any"})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let store = oxsec_store::Store::open(&s.data_dir.join("oxsec.db")).expect("store");
    store
        .write_blocking(|tx| {
            tx.execute_batch(
                "UPDATE agents SET version = 'Wazuh v4.14.7' WHERE id = 1;
                 INSERT INTO agent_databases (agent_id, created_at) VALUES (1, 0);
                 INSERT INTO fim_entries (agent_id, full_path, file, type, date, size, perm, uname, md5, sha1, sha256, mtime, value_name)
                   VALUES (1, '/etc/passwd', '/etc/passwd', 'file', 1700000000, 1234, 'rw-r--r--', 'root',
                           'aaa', 'bbb', 'ccc', 1690000000, NULL),
                          (1, '/etc/hosts', '/etc/hosts', 'file', 1700000100, 200, 'rw-r--r--', 'root',
                           'ddd', '2fd4e1c67a2d28fced849ee1bb76e7391b93eb12', 'fff', 1680000000, NULL),
                          (1, 'HKEY_X\\\\v', 'HKEY_X', 'registry_value', 1700000200, 8, NULL, NULL,
                           'ggg', 'hhh', 'iii', 1695000000, 'v'),
                          (1, '/never', '/never', 'file', 1700000300, 1, NULL, NULL, NULL, NULL, NULL, 0, NULL);
                 INSERT INTO agent_scan_info (agent_id, module, start_scan, end_scan) VALUES (1, 'fim', 1700000000, 1700000300);
                 INSERT INTO rootcheck_events (agent_id, id, date_first, date_last, log, pci_dss, cis) VALUES
                   (1, 1, 1700000000, 1700100000, 'Starting rootcheck scan.', NULL, NULL),
                   (1, 2, 1700000000, 1700100500, 'Ending rootcheck scan.', NULL, NULL),
                   (1, 3, 1700000000, 1700100100, 'System Audit: SSH Hardening - 3: Root can log in.', '2.2.4', '5.2 Debian Linux'),
                   (1, 4, 1690000000, 1690000000, 'Trojaned version of file /bin/ls detected.', NULL, NULL);
                 INSERT INTO sca_policies (agent_id, id, name, file, description, \"references\", hash_file) VALUES
                   (1, 'cis_debian10', 'CIS Benchmark for Debian/Linux 10', 'cis_debian10.yml', 'Debian hardening', 'https://www.cisecurity.org/', 'h1'),
                   (1, 'sca_unix_audit', 'System audit for Unix based systems', 'sca_unix_audit.yml', 'Unix audit', NULL, 'h2');
                 INSERT INTO sca_scan_info (agent_id, id, start_scan, end_scan, policy_id, pass, fail, invalid, total_checks, score, hash) VALUES
                   (1, 10, 1700000000, 1700000060, 'cis_debian10', 50, 40, 10, 100, 55, 'x'),
                   (1, 11, 1700000000, 1700000030, 'sca_unix_audit', 5, 5, 0, 10, 50, 'y');
                 INSERT INTO sca_checks (agent_id, id, scan_id, policy_id, title, result, condition, command) VALUES
                   (1, 3000, 10, 'cis_debian10', 'Ensure /tmp is a separate partition', 'failed', 'all', NULL),
                   (1, 3001, 10, 'cis_debian10', 'Ensure nodev option set on /tmp', 'passed', 'all', 'mount'),
                   (1, 4000, 11, 'sca_unix_audit', 'SSH root login', 'failed', 'any', NULL);
                 INSERT INTO sca_check_compliance (agent_id, id_check, key, value) VALUES
                   (1, 3000, 'cis', '1.1.2'), (1, 3000, 'pci_dss', '2.2.5'), (1, 3001, 'cis', '1.1.3');
                 INSERT INTO sca_check_rules (agent_id, id_check, type, rule) VALUES
                   (1, 3000, 'command', 'c:mount -> r:\\s/tmp\\s');
                 INSERT INTO ciscat_results (agent_id, id, scan_id, scan_time, benchmark, profile, pass, fail, error, notchecked, unknown, score)
                   VALUES (1, 1, 1406741147, '2024-01-01T00:00:00Z', 'CIS Ubuntu Linux 20.04', 'Level 1 - Server', 96, 79, 0, 71, 1, 54);",
            )?;
            Ok(())
        })
        .expect("agent data");
}

#[tokio::test]
async fn file_integrity_of_an_agent() {
    let s = start().await;
    let t = s.token().await;
    agents_with_data(&s, &t).await;

    let (status, body) = send(&s, Method::GET, "/syscheck/001", &t, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["message"], "FIM findings of the agent were returned");
    assert_eq!(body["data"]["total_affected_items"], 4);
    // A modification time of 0 (never) is null, as Wazuh renders it; it sorts first.
    let never = &body["data"]["affected_items"][0];
    assert_eq!(
        (never["file"].as_str(), never.get("mtime")),
        (Some("/never"), Some(&serde_json::Value::Null))
    );
    let first = &body["data"]["affected_items"][1];
    // Oldest modification first; Unix times as Wazuh's dates; NULL columns left out.
    assert_eq!(first["file"], "/etc/hosts");
    assert_eq!(first["mtime"], "2023-03-28T10:40:00+00:00");
    assert_eq!(first["size"], 200);
    assert!(first.get("value").is_none(), "{first}");
    let registry = &body["data"]["affected_items"][3];
    assert_eq!(registry["value"], json!({"name": "v"}));

    let (_, body) = send(
        &s,
        Method::GET,
        "/syscheck/001?hash=2fd4e1c67a2d28fced849ee1bb76e7391b93eb12&select=file",
        &t,
        None,
    )
    .await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"file": "/etc/hosts"}]),
        "{body}"
    );
    let (_, body) = send(
        &s,
        Method::GET,
        "/syscheck/001?type=registry_value&select=file",
        &t,
        None,
    )
    .await;
    assert_eq!(body["data"]["affected_items"], json!([{"file": "HKEY_X"}]));
    let (_, body) = send(&s, Method::GET, "/syscheck/001?summary=true&limit=1", &t, None).await;
    assert_eq!(
        super::common::keys(&body["data"]["affected_items"][0]),
        ["date", "mtime", "file"]
    );
    let (status, body) = send(&s, Method::GET, "/syscheck/001?summary=true&select=md5", &t, None).await;
    assert_eq!((status, body["error"].as_u64()), (400, Some(1724)), "{body}");

    // An agent that never connected has no database; an unknown one neither.
    for agent in ["002", "999"] {
        let (status, body) = send(&s, Method::GET, &format!("/syscheck/{agent}"), &t, None).await;
        assert_eq!((status, body["error"].as_u64()), (400, Some(2007)), "{agent}: {body}");
    }

    let (_, body) = send(&s, Method::GET, "/syscheck/001/last_scan", &t, None).await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"start": "2023-11-14T22:13:20+00:00", "end": "2023-11-14T22:18:20+00:00"}])
    );
    let (_, body) = send(&s, Method::GET, "/syscheck/002/last_scan", &t, None).await;
    assert_eq!(body["data"]["affected_items"], json!([{"start": null, "end": null}]));
    let (status, body) = send(&s, Method::GET, "/syscheck/999/last_scan", &t, None).await;
    assert_eq!((status, body["error"].as_u64()), (404, Some(1701)), "{body}");
}

#[tokio::test]
async fn rootcheck_events_of_an_agent() {
    let s = start().await;
    let t = s.token().await;
    agents_with_data(&s, &t).await;

    let (status, body) = send(&s, Method::GET, "/rootcheck/001", &t, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["message"], "All selected rootcheck information was returned");
    // Scan markers are not events; newest first; seen within a day of the scan's end: outstanding.
    assert_eq!(
        body["data"]["affected_items"],
        json!([
            {"status": "outstanding", "log": "System Audit: SSH Hardening - 3: Root can log in.",
             "date_first": "2023-11-14T22:13:20Z", "date_last": "2023-11-16T02:01:40Z",
             "pci_dss": "2.2.4", "cis": "5.2 Debian Linux"},
            {"status": "solved", "log": "Trojaned version of file /bin/ls detected.",
             "date_first": "2023-07-22T04:26:40Z", "date_last": "2023-07-22T04:26:40Z"}
        ])
    );
    let (_, body) = send(&s, Method::GET, "/rootcheck/001?status=solved&select=status", &t, None).await;
    assert_eq!(body["data"]["affected_items"], json!([{"status": "solved"}]));
    let (_, body) = send(
        &s,
        Method::GET,
        "/rootcheck/001?cis=5.2%20Debian%20Linux&select=pci_dss",
        &t,
        None,
    )
    .await;
    assert_eq!(body["data"]["affected_items"], json!([{"pci_dss": "2.2.4"}]));
    let (status, body) = send(&s, Method::GET, "/rootcheck/001?status=bogus", &t, None).await;
    assert_eq!((status, body["error"].as_u64()), (400, Some(1603)), "{body}");
    let (status, body) = send(&s, Method::GET, "/rootcheck/999", &t, None).await;
    assert_eq!((status, body["error"].as_u64()), (404, Some(1701)), "{body}");
    let (status, body) = send(&s, Method::GET, "/rootcheck/002", &t, None).await;
    assert_eq!((status, body["error"].as_u64()), (400, Some(2007)), "{body}");

    let (_, body) = send(&s, Method::GET, "/rootcheck/001/last_scan", &t, None).await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"start": "2023-11-16T02:00:00Z", "end": "2023-11-16T02:08:20Z"}])
    );
    // Asking for agent 002's last scan gives it a database, as wazuh-db does.
    let (_, body) = send(&s, Method::GET, "/rootcheck/002/last_scan", &t, None).await;
    assert_eq!(body["data"]["affected_items"], json!([{"start": null, "end": null}]));
    let (status, body) = send(&s, Method::GET, "/rootcheck/002", &t, None).await;
    assert_eq!(
        (status, body["data"]["total_affected_items"].as_u64()),
        (200, Some(0)),
        "{body}"
    );
    assert_eq!(body["message"], "No rootcheck information was returned");
}

#[tokio::test]
async fn clearing_file_integrity_and_rootcheck_data() {
    let s = super::common::start_with(&[("OXSEC_EXPERIMENTAL_FEATURES", "true")]).await;
    let t = s.token().await;
    agents_with_data(&s, &t).await;
    let (status, body) = send(
        &s,
        Method::POST,
        "/agents",
        &t,
        Some(json!({"name": "old", "ip": "any"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let store = oxsec_store::Store::open(&s.data_dir.join("oxsec.db")).expect("store");
    store
        .write_blocking(|tx| {
            tx.execute_batch(
                "UPDATE agents SET version = 'Wazuh v3.9.2' WHERE id = 3;
                 INSERT INTO agent_databases (agent_id, created_at) VALUES (3, 0);
                 INSERT INTO fim_entries (agent_id, full_path, file, type, date) VALUES (3, '/x', '/x', 'file', 1);",
            )?;
            Ok(())
        })
        .expect("old agent");

    // Only agents older than 3.12 keep FIM data in the manager: the others say so.
    let (status, body) = send(&s, Method::DELETE, "/syscheck/001", &t, None).await;
    assert_eq!((status, body["error"].as_u64()), (200, Some(1)), "{body}");
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1760);
    assert_eq!(
        body["data"]["failed_items"][0]["error"]["message"],
        "Feature only available for older agent versions, it doesn't apply for more recent ones.: Agent version should be < v3.12.0."
    );
    let (_, body) = send(&s, Method::DELETE, "/syscheck/002", &t, None).await;
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1015, "{body}");
    let (_, body) = send(&s, Method::DELETE, "/syscheck/999", &t, None).await;
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1701, "{body}");
    let (_, body) = send(&s, Method::DELETE, "/syscheck/003", &t, None).await;
    assert_eq!(body["data"]["affected_items"], json!(["003"]), "{body}");
    let (_, body) = send(&s, Method::GET, "/syscheck/003", &t, None).await;
    assert_eq!(body["data"]["total_affected_items"], 0, "{body}");
    // Without naming agents the ones it does not apply to are left out.
    let (_, body) = send(&s, Method::DELETE, "/experimental/syscheck?agents_list=all", &t, None).await;
    assert_eq!(
        (body["error"].as_u64(), body["data"]["affected_items"].clone()),
        (Some(0), json!(["003"])),
        "{body}"
    );

    // Rootcheck: every existing agent is cleared and has a database afterwards.
    let (_, body) = send(
        &s,
        Method::DELETE,
        "/experimental/rootcheck?agents_list=001,002,999",
        &t,
        None,
    )
    .await;
    assert_eq!(body["data"]["affected_items"], json!(["001", "002"]), "{body}");
    assert_eq!(body["data"]["failed_items"][0]["id"], json!(["999"]));
    let (_, body) = send(&s, Method::GET, "/rootcheck/001/last_scan", &t, None).await;
    assert_eq!(body["data"]["affected_items"], json!([{"start": null, "end": null}]));
    let (status, _) = send(&s, Method::GET, "/rootcheck/002", &t, None).await;
    assert_eq!(status, 200, "agent 002 has a database now");
}

#[tokio::test]
async fn experimental_operations_need_the_switch() {
    let s = start().await;
    let t = s.token().await;
    super::common::user_with_roles(&s, &t, "nobody", "").await;
    let nobody = super::common::login(&s, "nobody", "Passw0rd!x").await;
    for token in [&t, &nobody] {
        let (status, body) = send(
            &s,
            Method::DELETE,
            "/experimental/rootcheck?agents_list=all",
            token,
            None,
        )
        .await;
        assert_eq!(
            (status, body["error"].as_u64()),
            (404, Some(1122)),
            "before permissions: {body}"
        );
    }
}

/// Selecting only a list's keys gives the check id and that list.
#[tokio::test]
async fn sca_checks_select_of_list_keys() {
    let s = start().await;
    let t = s.token().await;
    agents_with_data(&s, &t).await;
    let (status, body) = send(
        &s,
        Method::GET,
        "/sca/001/checks/cis_debian10?select=rules.rule&limit=1",
        &t,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"id": 3000, "rules": [{"rule": "c:mount -> r:\\s/tmp\\s"}]}])
    );
}

/// A policy on an agent group opens (or closes) the agents of that group named in the path.
#[tokio::test]
async fn group_policies_apply_to_the_agent_in_the_path() {
    let s = start().await;
    let t = s.token().await;
    agents_with_data(&s, &t).await;
    let (status, body) = send(&s, Method::POST, "/groups", &t, Some(json!({"group_id": "web"}))).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(&s, Method::PUT, "/agents/001/group/web", &t, None).await;
    assert_eq!(status, 200, "{body}");
    let user = super::common::user_with_roles(&s, &t, "webops", "").await;
    super::common::grant(
        &s,
        &t,
        user,
        "webops",
        &[json!({"actions": ["sca:read", "syscheck:read"], "resources": ["agent:group:web"], "effect": "allow"})],
    )
    .await;
    let token = super::common::login(&s, "webops", "Passw0rd!x").await;
    let (status, body) = send(&s, Method::GET, "/sca/001", &token, None).await;
    assert_eq!(status, 200, "agent 001 is in group web: {body}");
    let (status, body) = send(&s, Method::GET, "/syscheck/002", &token, None).await;
    assert_eq!(
        (status, body["error"].as_u64()),
        (403, Some(4000)),
        "agent 002 is not: {body}"
    );
}

#[tokio::test]
async fn sca_policies_and_checks_and_ciscat_results() {
    let s = start().await;
    let t = s.token().await;
    agents_with_data(&s, &t).await;

    let (status, body) = send(&s, Method::GET, "/sca/001", &t, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["message"], "All selected SCA information was returned");
    let items = body["data"]["affected_items"].as_array().expect("items");
    // Policy id descending by default; the last scan's figures joined in.
    assert_eq!(items[0]["policy_id"], "sca_unix_audit");
    assert_eq!(items[1]["score"], 55);
    assert_eq!(items[1]["end_scan"], "2023-11-14T22:14:20+00:00");
    assert_eq!(items[1]["references"], "https://www.cisecurity.org/");
    assert!(items[0].get("references").is_none(), "NULL left out: {}", items[0]);
    let (_, body) = send(
        &s,
        Method::GET,
        "/sca/001?name=CIS%20Benchmark%20for%20Debian/Linux%2010&select=pass",
        &t,
        None,
    )
    .await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"policy_id": "cis_debian10", "pass": 50}]),
        "{body}"
    );

    let (status, body) = send(&s, Method::GET, "/sca/001/checks/cis_debian10", &t, None).await;
    assert_eq!(status, 200, "{body}");
    let checks = body["data"]["affected_items"].as_array().expect("checks");
    assert_eq!(checks.len(), 2, "{body}");
    assert_eq!(checks[0]["id"], 3000);
    assert_eq!(
        checks[0]["compliance"],
        json!([{"key": "cis", "value": "1.1.2"}, {"key": "pci_dss", "value": "2.2.5"}])
    );
    assert_eq!(
        checks[0]["rules"],
        json!([{"type": "command", "rule": "c:mount -> r:\\s/tmp\\s"}])
    );
    assert_eq!(checks[1]["rules"], json!([]), "a check without rules has an empty list");
    let (_, body) = send(
        &s,
        Method::GET,
        "/sca/001/checks/cis_debian10?q=compliance.key=pci_dss&select=title",
        &t,
        None,
    )
    .await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"id": 3000, "title": "Ensure /tmp is a separate partition"}]),
        "{body}"
    );
    let (_, body) = send(
        &s,
        Method::GET,
        "/sca/001/checks/cis_debian10?result=passed&title=all&select=id",
        &t,
        None,
    )
    .await;
    assert_eq!(body["data"]["affected_items"], json!([{"id": 3001}]), "{body}");
    let (_, body) = send(&s, Method::GET, "/sca/001/checks/nope", &t, None).await;
    assert_eq!(
        (body["error"].as_u64(), body["data"]["total_affected_items"].as_u64()),
        (Some(0), Some(0))
    );

    // An unknown agent is a failed item here (200), one without data 2007.
    let (status, body) = send(&s, Method::GET, "/sca/999", &t, None).await;
    assert_eq!((status, body["error"].as_u64()), (200, Some(1)), "{body}");
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1701);
    let (status, body) = send(&s, Method::GET, "/sca/002/checks/x", &t, None).await;
    assert_eq!((status, body["error"].as_u64()), (400, Some(2007)), "{body}");
    // distinct=true lists every combination over checks x compliance x rules, empty fields
    // included (Wazuh's plain SELECT DISTINCT): 3000 has 2 compliance rows and 1 rule, 3001 one
    // compliance row and no rule.
    let (_, body) = send(&s, Method::GET, "/sca/001/checks/cis_debian10?distinct=true", &t, None).await;
    assert_eq!(body["data"]["total_affected_items"], 3, "{body}");
    // A malformed policy id is refused by its format, naming the parameter.
    let (status, body) = send(&s, Method::GET, "/sca/001/checks/cis;drop", &t, None).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| d.contains("policy_id")),
        "{body}"
    );

    let (status, body) = send(&s, Method::GET, "/ciscat/001/results", &t, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["affected_items"][0],
        json!({"scan": {"id": 1406741147, "time": "2024-01-01T00:00:00Z"}, "benchmark": "CIS Ubuntu Linux 20.04",
               "profile": "Level 1 - Server", "pass": 96, "fail": 79, "error": 0, "notchecked": 71, "unknown": 1,
               "score": 54, "agent_id": "001"})
    );
    let (_, body) = send(&s, Method::GET, "/ciscat/001/results?pass=1", &t, None).await;
    assert_eq!(body["data"]["total_affected_items"], 0);
    let (_, body) = send(&s, Method::GET, "/ciscat/999/results", &t, None).await;
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1701);
}

/// Every agent's CIS-CAT results at once; an agent without data fails the request, as in Wazuh.
#[tokio::test]
async fn experimental_ciscat_results_of_all_agents() {
    let s = super::common::start_with(&[("OXSEC_EXPERIMENTAL_FEATURES", "true")]).await;
    let t = s.token().await;
    agents_with_data(&s, &t).await;
    let (status, body) = send(
        &s,
        Method::GET,
        "/experimental/ciscat/results?agents_list=000,001,999",
        &t,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["total_affected_items"], 1);
    assert_eq!(body["data"]["affected_items"][0]["agent_id"], "001");
    assert_eq!(body["data"]["failed_items"][0]["id"], json!(["999"]));
    let (status, body) = send(&s, Method::GET, "/experimental/ciscat/results", &t, None).await;
    assert_eq!(
        (status, body["error"].as_u64()),
        (400, Some(2007)),
        "agent 002 never reported: {body}"
    );
}

/// Agent 001's inventory: a package list, a Windows-less OS, ports, a user row.
async fn inventory(s: &TestServer) {
    let store = oxsec_store::Store::open(&s.data_dir.join("oxsec.db")).expect("store");
    store
        .write_blocking(|tx| {
            tx.execute_batch(
                "INSERT INTO sys_osinfo (agent_id, scan_id, scan_time, hostname, architecture, os_name, os_version, os_major, sysname)
                   VALUES (1, 0, '2026/11/20 10:00:00', 'web-1', 'x86_64', 'Ubuntu', '22.04', '22', 'Linux');
                 INSERT INTO sys_hwinfo (agent_id, scan_id, scan_time, cpu_name, cpu_cores, cpu_mhz, ram_total, ram_free, ram_usage)
                   VALUES (1, 1, '2026/11/20 10:00:00', 'xeon', 2, 2400.0, 2000, 1000, 50);
                 INSERT INTO sys_programs (agent_id, scan_id, scan_time, format, name, version, architecture, vendor, size)
                   VALUES (1, 4, '2026/11/20 10:00:00', 'deb', 'openssl', '3.0.2-0ubuntu1', 'amd64', 'Ubuntu', 2000),
                          (1, 4, '2026/11/20 10:00:00', 'deb', 'bash', '5.1-6', 'amd64', 'Ubuntu', 1800),
                          (1, 4, '2026/11/20 10:00:00', 'deb', 'apt', '2.4.5', 'amd64', 'Ubuntu', 4200);
                 INSERT INTO sys_ports (agent_id, scan_id, scan_time, protocol, local_ip, local_port, remote_ip, remote_port, inode, state)
                   VALUES (1, 3, '2026/11/20 10:00:00', 'tcp', '0.0.0.0', 80, '0.0.0.0', 0, 1, 'listening'),
                          (1, 3, '2026/11/20 10:00:00', 'tcp', '0.0.0.0', 8080, '0.0.0.0', 0, 2, 'listening'),
                          (1, 3, '2026/11/20 10:00:00', 'tcp', '0.0.0.0', 9, '0.0.0.0', 0, 3, 'listening');
                 INSERT INTO sys_users (agent_id, scan_id, scan_time, user_name, user_id, user_created, login_status, checksum)
                   VALUES (1, 6, '2026/11/20 10:00:00', 'root', 0, 0.0, 1, 'c');
                 INSERT INTO agent_databases (agent_id, created_at) VALUES (2, 0);
                 INSERT INTO sys_programs (agent_id, scan_id, format, name, version, architecture)
                   VALUES (2, 4, 'deb', 'openssl', '1.1.1f', 'amd64');",
            )?;
            Ok(())
        })
        .expect("inventory");
}

/// An agent's inventory with Wazuh's field names, nesting, dates and filters.
#[tokio::test]
async fn syscollector_serves_an_agents_inventory() {
    let s = start().await;
    let t = s.token().await;
    agents_with_data(&s, &t).await;
    let (status, body) = send(&s, Method::GET, "/syscollector/002/os", &t, None).await;
    assert_eq!(
        (status, body["error"].as_u64()),
        (400, Some(2007)),
        "never connected: {body}"
    );
    inventory(&s).await;

    let (status, body) = send(&s, Method::GET, "/syscollector/001/hardware", &t, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["affected_items"][0],
        json!({"cpu": {"cores": 2, "mhz": 2400, "name": "xeon"}, "ram": {"free": 1000, "total": 2000, "usage": 50},
               "scan": {"id": 1, "time": "2026-11-20T10:00:00+00:00"}, "agent_id": "001"})
    );
    let (_, body) = send(&s, Method::GET, "/syscollector/001/users", &t, None).await;
    assert_eq!(
        body["data"]["affected_items"][0],
        json!({"scan": {"id": 6, "time": "2026-11-20T10:00:00+00:00"}, "user": {"created": 0, "id": 0, "name": "root"},
               "login.status": 1, "checksum": "c", "agent_id": "001"}),
        "one login field stays flat, as in Wazuh"
    );
    // Default order is arrival order; filters, q, select and limit go through the list engine.
    let (_, body) = send(&s, Method::GET, "/syscollector/001/packages?select=name", &t, None).await;
    let names: Vec<&str> = body["data"]["affected_items"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["openssl", "bash", "apt"]);
    let (_, body) = send(
        &s,
        Method::GET,
        "/syscollector/001/packages?name=OPENSSL&select=version",
        &t,
        None,
    )
    .await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"version": "3.0.2-0ubuntu1", "agent_id": "001"}])
    );
    let (_, body) = send(
        &s,
        Method::GET,
        "/syscollector/001/packages?q=size>1900&sort=-size&limit=1",
        &t,
        None,
    )
    .await;
    assert_eq!(body["data"]["total_affected_items"], 2);
    assert_eq!(body["data"]["affected_items"][0]["name"], "apt");
    // Several sort fields: Wazuh's merge orders by the first one's text (80, 8080, 9).
    let (_, body) = send(
        &s,
        Method::GET,
        "/syscollector/001/ports?sort=local.port,inode",
        &t,
        None,
    )
    .await;
    let inodes: Vec<i64> = body["data"]["affected_items"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["inode"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(inodes, [1, 2, 3]);

    // Wazuh's errors: unknown field, unknown agent (a failed item), agent without a database.
    let (status, body) = send(&s, Method::GET, "/syscollector/001/os?select=wrong", &t, None).await;
    assert_eq!((status, body["error"].as_u64()), (400, Some(1724)), "{body}");
    let (status, body) = send(&s, Method::GET, "/syscollector/999/os", &t, None).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1701);
    assert_eq!(body["message"], "No syscollector information was returned");
}

/// Every agent's packages at once: each agent paged on its own, in agent order.
#[tokio::test]
async fn experimental_syscollector_pages_each_agent() {
    let s = super::common::start_with(&[("OXSEC_EXPERIMENTAL_FEATURES", "true")]).await;
    let t = s.token().await;
    agents_with_data(&s, &t).await;
    inventory(&s).await;
    let (status, body) = send(
        &s,
        Method::GET,
        "/experimental/syscollector/packages?agents_list=002,001,999&limit=1&select=name,version",
        &t,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"name": "openssl", "version": "3.0.2-0ubuntu1", "agent_id": "001"},
               {"name": "openssl", "version": "1.1.1f", "agent_id": "002"}])
    );
    assert_eq!(body["data"]["total_affected_items"], 4, "every agent's matches count");
    assert_eq!(body["data"]["failed_items"][0]["id"], json!(["999"]));
    let (_, body) = send(
        &s,
        Method::GET,
        "/experimental/syscollector/packages?name=openssl&sort=-version",
        &t,
        None,
    )
    .await;
    let versions: Vec<&str> = body["data"]["affected_items"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["version"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(versions, ["3.0.2-0ubuntu1", "1.1.1f"]);
}

/// Scan requests and active responses wait in the agent's command queue; agents not connected
/// fail as in Wazuh.
#[tokio::test]
async fn commands_for_agents_are_queued() {
    let s = start().await;
    let t = s.token().await;
    agents_with_data(&s, &t).await;
    let store = oxsec_store::Store::open(&s.data_dir.join("oxsec.db")).expect("store");
    store
        .write_blocking(|tx| {
            tx.execute_batch(
                "UPDATE agents SET connection_status = 'active', last_keepalive = '9999-01-01T00:00:00+00:00' WHERE id = 1;",
            )?;
            Ok(())
        })
        .expect("connected");

    let (status, body) = send(&s, Method::PUT, "/syscheck?agents_list=000,001,002,999", &t, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["affected_items"], json!(["000", "001"]));
    let codes: Vec<(u64, Value)> = body["data"]["failed_items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| (f["error"]["code"].as_u64().unwrap_or(0), f["id"].clone()))
                .collect()
        })
        .unwrap_or_default();
    assert!(codes.contains(&(1707, json!(["002"]))), "{body}");
    assert!(codes.contains(&(1701, json!(["999"]))), "{body}");
    // Without a list, agents that are not connected are left out, as in Wazuh.
    let (_, body) = send(&s, Method::PUT, "/rootcheck", &t, None).await;
    assert_eq!(body["data"]["total_failed_items"], 0, "{body}");

    let ar = |command: &str| json!({"command": command, "arguments": ["-", "(from_the_server)"]});
    let (status, body) = send(
        &s,
        Method::PUT,
        "/active-response?agents_list=000,001,002",
        &t,
        Some(ar("restart-wazuh0")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["affected_items"],
        json!(["001"]),
        "000 is left out: {body}"
    );
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1707);
    let (_, body) = send(
        &s,
        Method::PUT,
        "/active-response?agents_list=001",
        &t,
        Some(ar("no-such-command")),
    )
    .await;
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1652, "{body}");
    let (status, body) = send(
        &s,
        Method::PUT,
        "/active-response?agents_list=001",
        &t,
        Some(json!({"arguments": []})),
    )
    .await;
    assert_eq!(status, 400, "the command is required: {body}");

    store
        .write_blocking(|tx| {
            tx.execute_batch("UPDATE agents SET active_response_disabled = 1 WHERE id = 1;")?;
            Ok(())
        })
        .expect("disabled");
    let (_, body) = send(
        &s,
        Method::PUT,
        "/active-response?agents_list=001",
        &t,
        Some(ar("!custom.sh")),
    )
    .await;
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 1750, "{body}");

    let queued = store
        .read_blocking(|c| oxsec_store::models::agent_command::pending(c, 1))
        .expect("queue");
    let messages: Vec<(&str, &str)> = queued.iter().map(|(_, m, msg)| (m.as_str(), msg.as_str())).collect();
    assert_eq!(messages[0], ("syscheck", "syscheck restart"));
    assert_eq!(messages[1], ("rootcheck", "syscheck restart"));
    let ar_message: Value = serde_json::from_str(messages[2].1).expect("a 4.2+ agent gets JSON");
    assert_eq!(ar_message["command"], "restart-wazuh0");
    assert_eq!(
        ar_message["parameters"]["extra_args"],
        json!(["-", "(from_the_server)"])
    );
    assert_eq!(messages.len(), 3, "refused commands are not queued");
}

/// The ingest extension: a report stored in one piece, readable through the GET endpoints; a
/// bad report names the wrong field and changes nothing.
#[tokio::test]
async fn reported_state_is_ingested_whole_or_not_at_all() {
    let s = start().await;
    let t = s.token().await;
    agents_with_data(&s, &t).await;
    let report = json!({
        "syscollector": {
            "packages": [
                {"name": "openssl", "version": "3.0.2", "architecture": "amd64", "format": "deb", "size": 2000,
                 "scan": {"id": 7, "time": "2026-11-20T10:00:00+00:00"}},
                {"name": "curl", "version": "7.81.0", "architecture": "amd64", "format": "deb", "size": 400,
                 "scan": {"id": 7, "time": "2026/11/20 10:00:00"}}
            ],
            "hardware": [{"cpu": {"name": "xeon", "cores": 4, "mhz": 2600.5}, "ram.total": 8000, "scan.id": 7}]
        },
        "syscheck": {"files": [{"file": "/etc/shadow", "size": 900, "perm": "rw-r-----", "mtime": "2026-11-01T00:00:00+00:00"}],
                     "deleted": ["/etc/hosts"], "last_scan": {"start": 1790000000, "end": 1790000100}},
        "sca": [{"policy_id": "cis_test", "name": "CIS test", "scan_id": 99, "pass": 1, "fail": 1, "score": 50,
                 "total_checks": 2, "invalid": 0, "start_scan": 1790000000, "end_scan": 1790000010,
                 "checks": [{"id": 1, "title": "One", "result": "passed", "compliance": [{"key": "cis", "value": "1.1"}],
                             "rules": [{"type": "file", "rule": "f:/etc/x"}]}]}]
    });
    let (status, body) = send(&s, Method::POST, "/agents/002/state", &t, Some(report)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["affected_items"], json!(["002"]));

    let (status, body) = send(
        &s,
        Method::GET,
        "/syscollector/002/packages?select=name,scan.time",
        &t,
        None,
    )
    .await;
    assert_eq!(status, 200, "the report gave agent 002 a database: {body}");
    assert_eq!(
        body["data"]["affected_items"][0],
        json!({"scan": {"time": "2026-11-20T10:00:00+00:00"}, "name": "openssl", "agent_id": "002"})
    );
    let (_, body) = send(&s, Method::GET, "/syscollector/002/hardware", &t, None).await;
    assert_eq!(body["data"]["affected_items"][0]["cpu"]["mhz"], 2600.5);
    let (_, body) = send(&s, Method::GET, "/syscheck/002?select=file,size", &t, None).await;
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"file": "/etc/shadow", "size": 900}])
    );
    let (_, body) = send(&s, Method::GET, "/sca/002/checks/cis_test", &t, None).await;
    assert_eq!(
        body["data"]["affected_items"][0]["compliance"],
        json!([{"key": "cis", "value": "1.1"}])
    );
    let (_, body) = send(&s, Method::GET, "/sca/002", &t, None).await;
    assert_eq!(body["data"]["affected_items"][0]["score"], 50);

    // A wrong type anywhere: 400 naming it, and the earlier parts of the report are not written.
    let bad = json!({"syscollector": {"packages": [{"name": "zsh"}]}, "syscheck": {"files": [{"file": "/x", "size": "big"}]}});
    let (status, body) = send(&s, Method::POST, "/agents/002/state", &t, Some(bad)).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("syscheck.files[0].size")),
        "{body}"
    );
    let (_, body) = send(&s, Method::GET, "/syscollector/002/packages", &t, None).await;
    assert_eq!(body["data"]["total_affected_items"], 2, "nothing partially written");

    // A check id of another policy is refused; the policy without a new scan summary keeps its last.
    let other = json!({"sca": [{"policy_id": "other", "checks": [{"id": 1, "title": "Taken"}]}]});
    let (status, body) = send(&s, Method::POST, "/agents/002/state", &t, Some(other)).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("belongs to policy cis_test")),
        "{body}"
    );
    let again = json!({"sca": [{"policy_id": "cis_test", "name": "CIS test v2"}]});
    let (status, _) = send(&s, Method::POST, "/agents/002/state", &t, Some(again)).await;
    assert_eq!(status, 200);
    let (_, body) = send(&s, Method::GET, "/sca/002", &t, None).await;
    assert_eq!(body["data"]["affected_items"][0]["score"], 50, "{body}");

    let (status, body) = send(
        &s,
        Method::POST,
        "/agents/999/state",
        &t,
        Some(json!({"syscollector": {}})),
    )
    .await;
    assert_eq!((status, body["error"].as_u64()), (404, Some(1701)), "{body}");
    let (status, body) = send(
        &s,
        Method::POST,
        "/agents/002/state",
        &t,
        Some(json!({"inventory": {}})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
}

/// A report larger than the upload limit is refused before it is read whole.
#[tokio::test]
async fn oversize_reports_are_refused() {
    let s = super::common::start_with(&[("OXSEC_MAX_UPLOAD_SIZE", "4096")]).await;
    let t = s.token().await;
    agents_with_data(&s, &t).await;
    let packages: Vec<Value> = (0..200)
        .map(|i| json!({"name": format!("package-{i}"), "size": i}))
        .collect();
    let (status, body) = send(
        &s,
        Method::POST,
        "/agents/001/state",
        &t,
        Some(json!({"syscollector": {"packages": packages}})),
    )
    .await;
    assert_eq!(status, 413, "{body}");
}

/// Wazuh 4.7's vulnerability endpoints, kept as an extension.
#[tokio::test]
async fn vulnerabilities_are_served_as_wazuh_4_7_served_them() {
    let s = start().await;
    let t = s.token().await;
    agents_with_data(&s, &t).await;
    let store = oxsec_store::Store::open(&s.data_dir.join("oxsec.db")).expect("store");
    store
        .write_blocking(|tx| {
            tx.execute_batch(
                "INSERT INTO vuln_cves (agent_id, name, version, architecture, cve, detection_time, severity, cvss2_score,
                                        cvss3_score, reference, type, status, external_references, condition, title, published)
                 VALUES (1, 'openssl', '3.0.2', 'amd64', 'CVE-2024-0001', '1700000000', 'High', 5.0, 7.5, 'r1', 'PACKAGE', 'VALID',
                         '[\"https://nvd.nist.gov/vuln/detail/CVE-2024-0001\"]', 'Package unfixed', 'CVE-2024-0001 affects openssl', '2024-01-01'),
                        (1, 'bash', '5.1', 'amd64', 'CVE-2024-0002', '1700000000', 'Medium', 4.3, 5.5, 'r2', 'PACKAGE', 'VALID',
                         '[]', 'Package unfixed', 'CVE-2024-0002 affects bash', NULL),
                        (1, 'curl', '7.81', 'amd64', 'CVE-2024-0003', '1700000100', 'High', 6.8, 8.1, 'r3', 'PACKAGE', 'PENDING',
                         '[]', 'Package unfixed', 'CVE-2024-0003 affects curl', NULL);
                 INSERT INTO vuln_metadata (agent_id, last_partial_scan, last_full_scan) VALUES (1, 1700000200, 1700000000);",
            )?;
            Ok(())
        })
        .expect("vulnerabilities");

    let (status, body) = send(
        &s,
        Method::GET,
        "/vulnerability/001?severity=high&select=name,cvss2_score",
        &t,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["affected_items"],
        json!([{"name": "curl", "cvss2_score": 6.8}, {"name": "openssl", "cvss2_score": 5}]),
        "sorted by name, whole scores without .0"
    );
    assert_eq!(body["message"], "All selected vulnerabilities were returned");
    let (_, body) = send(&s, Method::GET, "/vulnerability/001?q=cve=CVE-2024-0001", &t, None).await;
    let item = &body["data"]["affected_items"][0];
    assert_eq!(item["detection_time"], "2023-11-14T22:13:20+00:00");
    assert_eq!(
        item["external_references"],
        json!(["https://nvd.nist.gov/vuln/detail/CVE-2024-0001"])
    );
    let (_, body) = send(&s, Method::GET, "/vulnerability/001/summary/severity", &t, None).await;
    assert_eq!(
        body,
        json!({"data": {"severity": {"High": 2, "Medium": 1}}, "error": 0})
    );
    let (_, body) = send(&s, Method::GET, "/vulnerability/001/last_scan", &t, None).await;
    assert_eq!(
        body["data"]["affected_items"][0],
        json!({"last_full_scan": "2023-11-14T22:13:20+00:00", "last_partial_scan": "2023-11-14T22:16:40+00:00"})
    );
    let (status, body) = send(&s, Method::GET, "/vulnerability/001/summary/nope", &t, None).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = send(&s, Method::GET, "/vulnerability/999", &t, None).await;
    assert_eq!((status, body["error"].as_u64()), (404, Some(1701)), "{body}");
    let (status, body) = send(&s, Method::GET, "/vulnerability/002", &t, None).await;
    assert_eq!((status, body["error"].as_u64()), (400, Some(2007)), "{body}");
    let (_, doc) = send(&s, Method::GET, "/openapi.json", &t, None).await;
    assert_eq!(
        doc["paths"]["/vulnerability/{agent_id}"]["get"]["x-oxsec-extension"],
        true
    );
}
