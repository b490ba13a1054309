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
