//! `oxsec serve` as an operator runs it: first start, the printed password, the logs.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    url: String,
    stderr_lines: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary on a free port and waits for its "listening on" line.
fn serve(data_dir: &std::path::Path, env: &[(&str, &str)]) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxsec"));
    cmd.args(["serve", "--host", "127.0.0.1", "--port", "0", "--data-dir"])
        .arg(data_dir)
        .env_remove("OXSEC_ADMIN_PASSWORD")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn oxsec");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = Vec::new();
    let mut url = None;
    for line in BufReader::new(stderr).lines() {
        let line = line.expect("line");
        if let Some(rest) = line.split("listening on ").nth(1) {
            url = Some(rest.trim().to_owned());
        }
        lines.push(line);
        if url.is_some() {
            break;
        }
    }
    let url = url.unwrap_or_else(|| panic!("server did not start: {lines:#?}"));
    Server {
        child,
        url,
        stderr_lines: lines,
    }
}

fn curl(args: &[&str]) -> String {
    let out = Command::new("curl")
        .args(["-sk", "--max-time", "5"])
        .args(args)
        .output()
        .expect("curl");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn first_start_is_fast_prints_the_password_once_and_logs_requests_without_secrets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let server = serve(dir.path(), &[("OXSEC_LOGS__FORMAT", "plain,json")]);
    let startup = started.elapsed();
    assert!(startup < Duration::from_secs(1), "fresh start took {startup:?}");
    assert!(server.url.starts_with("https://127.0.0.1:"), "{}", server.url);

    let printed: Vec<_> = server
        .stderr_lines
        .iter()
        .filter(|l| l.contains("Initial password"))
        .collect();
    assert_eq!(printed.len(), 1, "{:#?}", server.stderr_lines);
    let password = std::fs::read_to_string(dir.path().join("initial-admin-password")).expect("password file");
    let password = password.trim();
    assert!(printed[0].contains(password));

    let token = curl(&[
        "-u",
        &format!("wazuh:{password}"),
        "-X",
        "POST",
        &format!("{}/security/user/authenticate?raw=true", server.url),
    ]);
    assert!(token.starts_with("eyJ"), "{token}");
    let body = curl(&[
        "-H",
        &format!("Authorization: Bearer {token}"),
        &format!("{}/?limit_me=1", server.url),
    ]);
    assert!(body.contains("Extra query parameter(s) limit_me not in spec"), "{body}");
    drop(server);

    let plain = std::fs::read_to_string(dir.path().join("logs/api.log")).expect("api.log");
    assert!(plain.contains("\"POST /security/user/authenticate\""), "{plain}");
    assert!(
        plain.contains("wazuh 127.0.0.1 \"GET /\" with parameters {\"limit_me\":\"1\"}"),
        "{plain}"
    );
    assert!(plain.lines().any(|l| l.ends_with(": 400")), "{plain}");
    let json = std::fs::read_to_string(dir.path().join("logs/api.json")).expect("api.json");
    let request = json
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["data"]["type"] == "request")
        .expect("a JSON request line");
    assert!(request["data"]["payload"]["status"].is_number(), "{request}");
    for log in [&plain, &json] {
        assert!(!log.contains(password), "the password must never be logged");
        assert!(!log.contains(&token), "tokens must never be logged");
    }

    // The second start reuses everything and prints no password.
    let again = serve(dir.path(), &[]);
    assert!(!again.stderr_lines.iter().any(|l| l.contains("Initial password")));
}

#[test]
fn a_bad_configuration_stops_start_up_naming_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("api.yaml");
    std::fs::write(&config, "https:\n  enabeld: yes\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_oxsec"))
        .args(["serve", "--config"])
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("https.enabeld"), "{stderr}");
}
