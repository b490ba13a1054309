//! Retries against a stand-in server that answers 429 with Retry-After, then 200; and a version
//! the server lacks refused before sending.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use oxsec_client::{Client, Error, Method};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A token whose `exp` is an hour away (the stand-in does not check it).
fn token() -> String {
    let b64 = |v: serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!(
        "{}.{}.sig",
        b64(serde_json::json!({"alg": "ES512"})),
        b64(serde_json::json!({"nbf": now, "exp": now + 3600}))
    )
}

/// Serves plain HTTP: logins, `GET /` (API 4.14.7), and `/busy`, refused with 429 and
/// `Retry-After: 1` the first `refusals` times.
async fn stand_in(refusals: usize) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let busy_calls = Arc::new(AtomicUsize::new(0));
    let calls = busy_calls.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let calls = calls.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                loop {
                    let Ok(n) = socket.read(&mut buf).await else { return };
                    if n == 0 {
                        return;
                    }
                    let request = String::from_utf8_lossy(&buf[..n]).into_owned();
                    let (status, extra, body) = if request.starts_with("POST /security/user/authenticate") {
                        (
                            "200 OK",
                            "",
                            serde_json::json!({"data": {"token": token()}, "error": 0}).to_string(),
                        )
                    } else if request.starts_with("GET /busy") || request.starts_with("POST /busy") {
                        if calls.fetch_add(1, Ordering::SeqCst) < refusals {
                            (
                                "429 Too Many Requests",
                                "Retry-After: 1\r\n",
                                r#"{"title":"Too Many Requests","detail":"slow down","error":6001}"#.to_owned(),
                            )
                        } else {
                            (
                                "200 OK",
                                "",
                                r#"{"data":{"affected_items":[],"total_affected_items":0},"error":0}"#.to_owned(),
                            )
                        }
                    } else {
                        (
                            "200 OK",
                            "",
                            r#"{"data":{"api_version":"4.14.7"},"error":0}"#.to_owned(),
                        )
                    };
                    let reply = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}\r\n{body}",
                        body.len()
                    );
                    if socket.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, busy_calls)
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after() {
    let (url, calls) = stand_in(1).await;
    let client = Client::builder(&url, "u", "p")
        .requests_per_minute(0)
        .build()
        .expect("client");
    let started = Instant::now();
    client.raw(Method::GET, "/busy", &[], None).await.expect("retried");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited Retry-After: {:?}",
        started.elapsed()
    );

    // Not retried beyond the configured count: the typed error carries the server's code.
    let (url, _) = stand_in(10).await;
    let client = Client::builder(&url, "u", "p")
        .requests_per_minute(0)
        .retries(0)
        .build()
        .expect("client");
    match client.raw(Method::GET, "/busy", &[], None).await {
        Err(Error::Api { status, code, .. }) => assert_eq!((status, code), (429, 6001)),
        other => panic!("expected a 429, got {other:?}"),
    }
    // A 429 was refused before any work: a POST is sent again too (POST /events is limited to
    // 30 a minute on the server).
    let (url, calls) = stand_in(1).await;
    let client = Client::builder(&url, "u", "p")
        .requests_per_minute(0)
        .build()
        .expect("client");
    client.raw(Method::POST, "/busy", &[], None).await.expect("retried");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn endpoints_the_server_lacks_are_refused_before_sending() {
    let (url, _) = stand_in(0).await;
    let client = Client::builder(&url, "u", "p")
        .requests_per_minute(0)
        .build()
        .expect("client");
    assert_eq!(client.api_version().await.expect("version"), "4.14.7");
    let err = client.require_version("GET /new", "4.15.0").await.expect_err("too new");
    assert!(
        err.to_string()
            .contains("needs API 4.15.0 or later; the server runs 4.14.7"),
        "{err}"
    );
    client
        .require_version("GET /tasks/status", "4.2.0")
        .await
        .expect("has it");
}
