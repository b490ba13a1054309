//! The client commands against a running `oxsec serve`: login profile, agents in every output
//! format, exit codes, raw API calls, logtest, events, and every command's --help.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};

const PASSWORD: &str = "Cli!Passw0rd";

struct Server {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() -> Server {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_oxsec"))
        .args(["serve", "--host", "127.0.0.1", "--port", "0", "--data-dir"])
        .arg(dir.path())
        .env("OXSEC_ADMIN_PASSWORD", PASSWORD)
        .env("OXSEC_ACCESS__MAX_REQUEST_PER_MINUTE", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn oxsec");
    let stderr = child.stderr.take().expect("stderr");
    let mut url = None;
    for line in BufReader::new(stderr).lines() {
        let line = line.expect("line");
        if let Some(rest) = line.split("listening on ").nth(1) {
            url = Some(rest.trim().to_owned());
            break;
        }
    }
    Server {
        child,
        url: url.expect("server started"),
        _dir: dir,
    }
}

/// Runs `oxsec args…` with its own config dir (the profile) and the password in the environment.
fn oxsec(config: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oxsec"))
        .args(args)
        .env("XDG_CONFIG_HOME", config)
        .env("OXSEC_PASSWORD", PASSWORD)
        .env_remove("OXSEC_URL")
        .env_remove("OXSEC_USER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write");
    }
    child.wait_with_output().expect("output")
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn client_commands_work_against_the_server() {
    let server = serve();
    let config = tempfile::tempdir().expect("config");
    let c = config.path();
    let out = oxsec(
        c,
        &["login", "--url", &server.url, "--user", "wazuh", "--insecure"],
        None,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let profile = std::fs::read_to_string(c.join("oxsec/profiles.json")).expect("profile");
    assert!(!profile.contains(PASSWORD), "no password saved unless asked: {profile}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(c.join("oxsec/profiles.json"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    for name in ["web-01", "web-02"] {
        let out = oxsec(c, &["agents", "add", name, "-o", "json"], None);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let out = oxsec(c, &["agents", "list", "-o", "json"], None);
    let agents: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        agents.as_array().map(Vec::len),
        Some(3),
        "the manager and two agents: {agents}"
    );
    let out = oxsec(c, &["agents", "list", "-o", "table"], None);
    let table = text(&out);
    assert!(table.starts_with("ID"), "{table}");
    assert!(table.contains("web-02"), "{table}");
    let out = oxsec(c, &["agents", "list", "-o", "csv", "--select", "id,name"], None);
    assert_eq!(text(&out).lines().next(), Some("id,name"));
    let out = oxsec(c, &["agents", "show", "001", "-o", "yaml"], None);
    assert!(text(&out).contains("name: web-01"), "{}", text(&out));

    // Exit codes: 1 when the server refuses, 3 without a connection, 4 when some items failed.
    let out = oxsec(c, &["agents", "show", "999"], None);
    assert_eq!(out.status.code(), Some(1));
    let out = oxsec(c, &["agents", "delete", "002", "777", "-o", "json"], None);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    let out = oxsec(c, &["agents", "list", "--url", "https://127.0.0.1:1"], None);
    assert_eq!(out.status.code(), Some(3));
    let out = oxsec(c, &["agents", "delete", "all"], None);
    assert_eq!(out.status.code(), Some(2), "'all' would delete every agent");

    let out = oxsec(c, &["api", "GET", "/agents?select=name&q=name=web-01"], None);
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(body["data"]["affected_items"][0]["name"], "web-01", "{body}");

    let out = oxsec(c, &["events", "send", "-"], Some("first event\nsecond event\n"));
    assert!(text(&out).contains("2 events sent, 0 refused"), "{}", text(&out));
    let out = oxsec(c, &["logtest", "a line no rule knows", "-o", "json"], None);
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(result["full_log"], "a line no rule knows", "{result}");
}

#[test]
fn shell_completions_are_printed() {
    let config = tempfile::tempdir().expect("config");
    let out = oxsec(config.path(), &["completions", "bash"], None);
    assert!(out.status.success());
    assert!(text(&out).contains("agents"), "the client commands are completed");
}

#[test]
fn every_command_has_help_with_an_example() {
    let config = tempfile::tempdir().expect("config");
    for args in [
        &["login", "--help"][..],
        &["agents", "list", "--help"],
        &["agents", "show", "--help"],
        &["agents", "add", "--help"],
        &["agents", "delete", "--help"],
        &["groups", "list", "--help"],
        &["groups", "add", "--help"],
        &["groups", "assign", "--help"],
        &["rules", "list", "--help"],
        &["rules", "show", "--help"],
        &["logtest", "--help"],
        &["events", "send", "--help"],
        &["api", "--help"],
        &["mcp", "--help"],
        &["completions", "--help"],
    ] {
        let out = oxsec(config.path(), args, None);
        assert!(out.status.success(), "{args:?}");
        let help = text(&out);
        assert!(
            help.lines().any(|l| l.starts_with("Example: ") && l.contains("oxsec ")),
            "{args:?}: {help}"
        );
    }
}

/// An MCP conversation over stdio, as an AI agent's host drives it.
#[test]
fn mcp_over_stdio_lists_and_calls_tools_as_the_user_may() {
    let server = serve();
    let config = tempfile::tempdir().expect("config");
    let c = config.path();
    let conversation = [
        json_line(1, "initialize", serde_json::json!({"protocolVersion": "2024-11-05", "capabilities": {}, "clientInfo": {"name": "test", "version": "0"}})),
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.to_owned(),
        json_line(2, "tools/list", serde_json::json!({})),
        json_line(3, "tools/call", serde_json::json!({"name": "send_events", "arguments": {"events": ["Dec 25 20:45:02 host sshd[1]: Failed password for root from 10.0.0.1 port 22 ssh2"]}})),
        json_line(4, "tools/call", serde_json::json!({"name": "list_agents", "arguments": {"limit": 5}})),
        json_line(5, "tools/call", serde_json::json!({"name": "get_agent", "arguments": {"agent_id": "000"}})),
        json_line(6, "tools/call", serde_json::json!({"name": "run_logtest", "arguments": {"event": "hello world"}})),
        json_line(7, "tools/call", serde_json::json!({"name": "manager_status", "arguments": {}})),
        json_line(8, "tools/call", serde_json::json!({"name": "search_alerts", "arguments": {"from": "24h", "limit": 2}})),
        json_line(9, "tools/call", serde_json::json!({"name": "list_rules", "arguments": {"requirement": "bogus=1"}})),
        json_line(10, "nope", serde_json::json!({})),
    ]
    .join("\n")
        + "\n";
    let out = oxsec(
        c,
        &["mcp", "--url", &server.url, "--user", "wazuh", "--insecure"],
        Some(&conversation),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let replies: Vec<serde_json::Value> = text(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON-RPC line"))
        .collect();
    assert_eq!(
        replies.len(),
        10,
        "every request answered, the notification not: {replies:#?}"
    );
    assert_eq!(replies[0]["result"]["serverInfo"]["name"], "oxsec");
    let tools: Vec<&str> = replies[1]["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(
        tools.contains(&"send_events") && tools.contains(&"search_alerts"),
        "{tools:?}"
    );
    assert!(replies[1]["result"]["tools"][0]["inputSchema"]["type"] == "object");
    for reply in &replies[2..8] {
        assert_eq!(reply["result"]["isError"], false, "{reply}");
    }
    assert!(replies[2]["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .contains("1 event(s) accepted"));
    assert!(replies[3]["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .contains("1 of 1 item(s)"));
    assert_eq!(
        replies[8]["result"]["isError"], true,
        "a bad argument is a tool error the model can fix"
    );
    assert!(replies[8]["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .contains("not a standard"));
    assert_eq!(replies[9]["error"]["code"], -32601);

    // A read-only user gets read-only tools.
    let admin = |args: &[&str]| {
        oxsec(
            c,
            &[args, &["--url", &server.url, "--user", "wazuh", "--insecure"]].concat(),
            None,
        )
    };
    let out = admin(&[
        "api",
        "POST",
        "/security/users",
        "--data",
        r#"{"username":"viewer","password":"Viewer!Passw0rd"}"#,
    ]);
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let id = body["data"]["affected_items"][0]["id"]
        .as_i64()
        .expect("id")
        .to_string();
    let out = admin(&["api", "POST", &format!("/security/users/{id}/roles?role_ids=2")]);
    assert!(out.status.success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_oxsec"))
        .args(["mcp", "--url", &server.url, "--user", "viewer", "--insecure"])
        .env("XDG_CONFIG_HOME", c)
        .env("OXSEC_PASSWORD", "Viewer!Passw0rd")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all((json_line(1, "tools/list", serde_json::json!({})) + "\n").as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("output");
    let reply: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let tools: Vec<&str> = reply["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(tools.contains(&"list_agents"), "{tools:?}");
    assert!(!tools.contains(&"send_events"), "read-only: {tools:?}");
}

fn json_line(id: u64, method: &str, params: serde_json::Value) -> String {
    serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string()
}

/// MCP's HTTP transport: a bearer token is required, each message is answered in its response.
#[test]
fn mcp_over_http_needs_its_token_and_answers_each_message() {
    let server = serve();
    let config = tempfile::tempdir().expect("config");
    let token = "an-mcp-token-for-tests";
    let mut child = Command::new(env!("CARGO_BIN_EXE_oxsec"))
        .args([
            "mcp",
            "--listen",
            "127.0.0.1:0",
            "--url",
            &server.url,
            "--user",
            "wazuh",
            "--insecure",
        ])
        .env("XDG_CONFIG_HOME", config.path())
        .env("OXSEC_PASSWORD", PASSWORD)
        .env("OXSEC_MCP_TOKEN", token)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    let mut url = None;
    for line in BufReader::new(stderr).lines() {
        let line = line.expect("line");
        if let Some(rest) = line.split("listening on ").nth(1) {
            url = Some(rest.trim().to_owned());
            break;
        }
    }
    let url = url.expect("mcp listening");
    let post = |auth: &str, body: &str| -> (String, String) {
        let out = Command::new("curl")
            .args([
                "-s",
                "--max-time",
                "10",
                "-o",
                "-",
                "-w",
                "\n%{http_code}",
                "-X",
                "POST",
            ])
            .args(["-H", "Content-Type: application/json", "-H", auth, "--data", body, &url])
            .output()
            .expect("curl");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, code) = text.rsplit_once('\n').unwrap_or((&text, ""));
        (code.to_owned(), body.to_owned())
    };
    let call = json_line(
        1,
        "tools/call",
        serde_json::json!({"name": "list_agents", "arguments": {}}),
    );
    assert_eq!(post("Authorization: Bearer wrong", &call).0, "401");
    let bearer = format!("Authorization: Bearer {token}");
    let (code, body) = post(&bearer, &call);
    assert_eq!(code, "200", "{body}");
    let reply: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(reply["result"]["isError"], false, "{reply}");
    let (code, _) = post(&bearer, r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
    assert_eq!(code, "202");
    let _ = child.kill();
    let _ = child.wait();
}
