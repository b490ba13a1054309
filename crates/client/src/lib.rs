//! A typed client for the Wazuh 4.x manager API, for oxsec and for Wazuh itself (the wire format
//! is the same).
//!
//! ```no_run
//! # async fn example() -> Result<(), oxsec_client::Error> {
//! use futures_util::TryStreamExt;
//! use oxsec_client::{AgentStatus, Client};
//!
//! let client = Client::builder("https://manager:55000", "wazuh", "secret")
//!     .ca_file("/etc/oxsec/ca.pem")
//!     .build()?;
//! let mut agents = client.agents().status(AgentStatus::Active).select(["id", "name"]).stream();
//! while let Some(agent) = agents.try_next().await? {
//!     println!("{} {}", agent.id, agent.name);
//! }
//! # Ok(()) }
//! ```
//!
//! The client logs in on first use and again shortly before its token expires (read from the
//! token itself), once more after a 401, with one login shared by concurrent callers; it keeps
//! under a request rate (a token bucket, 240 per minute by default, below the server's 300),
//! sends again requests refused with 429 (after `Retry-After`) and idempotent ones answered 5xx.

mod auth;
mod error;
pub mod list;
pub mod models;
mod rate;
pub mod wql;

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;

pub use error::Error;
pub use list::{AgentStatus, ListRequest};
pub use models::*;
pub use reqwest::Method;
pub use wql::Wql;

/// How a [`Client`] connects.
pub struct ClientBuilder {
    base_url: String,
    user: String,
    password: String,
    ca_file: Option<std::path::PathBuf>,
    insecure: bool,
    timeout: Duration,
    requests_per_minute: u32,
    retries: u32,
    run_as: Option<Value>,
    renew_before: Option<Duration>,
}

impl ClientBuilder {
    /// Logs in again this long before the token expires (default: a quarter of its lifetime,
    /// at most 30 s).
    pub fn renew_before(mut self, before: Duration) -> Self {
        self.renew_before = Some(before);
        self
    }

    /// Verifies the server against this CA certificate (PEM) besides the system's roots.
    pub fn ca_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    /// Accepts any certificate: only for a server with a self-signed certificate you trust.
    pub fn danger_accept_invalid_certs(mut self, insecure: bool) -> Self {
        self.insecure = insecure;
        self
    }

    /// Time allowed for each request (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Requests per minute the client sends at most (default 240; 0 = no limit).
    pub fn requests_per_minute(mut self, n: u32) -> Self {
        self.requests_per_minute = n;
        self
    }

    /// Retries of an idempotent request answered 429 or 5xx (default 3).
    pub fn retries(mut self, n: u32) -> Self {
        self.retries = n;
        self
    }

    /// Logs in with `run_as` and these authorization context claims.
    pub fn run_as(mut self, context: Value) -> Self {
        self.run_as = Some(context);
        self
    }

    /// The client (no request is sent yet).
    pub fn build(self) -> Result<Client, Error> {
        let mut http = reqwest::Client::builder()
            .timeout(self.timeout)
            .danger_accept_invalid_certs(self.insecure);
        if let Some(path) = &self.ca_file {
            let pem = std::fs::read(path).map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
            let cert = reqwest::Certificate::from_pem(&pem)
                .map_err(|e| Error::Config(format!("{}: not a PEM certificate: {e}", path.display())))?;
            http = http.add_root_certificate(cert);
        }
        let http = http.build().map_err(|e| Error::Config(e.to_string()))?;
        Ok(Client {
            inner: Arc::new(Inner {
                base_url: self.base_url.trim_end_matches('/').to_owned(),
                http,
                auth: auth::Auth::new(self.user, self.password, self.run_as, self.renew_before),
                rate: rate::Bucket::new(self.requests_per_minute),
                retries: self.retries,
                api_version: tokio::sync::OnceCell::new(),
            }),
        })
    }
}

/// A connection to a manager's API; cheap to clone (clones share the token and the rate).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    base_url: String,
    http: reqwest::Client,
    auth: auth::Auth,
    rate: rate::Bucket,
    retries: u32,
    api_version: tokio::sync::OnceCell<String>,
}

impl Client {
    /// A client for `base_url` (`https://host:55000`) logging in as `user`.
    pub fn builder(base_url: impl Into<String>, user: impl Into<String>, password: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            user: user.into(),
            password: password.into(),
            ca_file: None,
            insecure: false,
            timeout: Duration::from_secs(30),
            requests_per_minute: 240,
            retries: 3,
            run_as: None,
            renew_before: None,
        }
    }

    /// Any endpoint, as JSON (the escape hatch): `method` on `path` with `query` and a JSON body.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<Value, Error> {
        let idempotent = matches!(method, Method::GET | Method::HEAD);
        let mut attempt = 0;
        let mut reauthenticated = false;
        loop {
            self.inner.rate.acquire().await;
            let token = self.inner.auth.token(self).await?;
            let mut request = self
                .inner
                .http
                .request(method.clone(), format!("{}{path}", self.inner.base_url))
                .bearer_auth(&token)
                .query(query);
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request.send().await.map_err(Error::Http)?;
            let status = response.status();
            if status == reqwest::StatusCode::UNAUTHORIZED && !reauthenticated {
                // Revoked or expired early: one new login, then the request once more.
                reauthenticated = true;
                self.inner.auth.forget(&token).await;
                continue;
            }
            // A 429 was refused before any work, so any method may be sent again; a 5xx may have
            // done part of it, so only idempotent ones are.
            let retryable =
                status == reqwest::StatusCode::TOO_MANY_REQUESTS || (status.is_server_error() && idempotent);
            if retryable && attempt < self.inner.retries {
                let wait = retry_after(&response).unwrap_or_else(|| Duration::from_millis(250 << attempt.min(6)));
                attempt += 1;
                tokio::time::sleep(wait.min(Duration::from_secs(60))).await;
                continue;
            }
            let text = response.text().await.map_err(Error::Http)?;
            return error::check(status.as_u16(), &text);
        }
    }

    /// `GET path?query`, decoded.
    pub async fn get<T: DeserializeOwned>(&self, path: &str, query: &[(String, String)]) -> Result<T, Error> {
        let value = self.raw(Method::GET, path, query, None).await?;
        serde_json::from_value(value).map_err(|e| Error::Decode(e.to_string()))
    }

    /// The server's `api_version` (`GET /`), read once.
    pub async fn api_version(&self) -> Result<String, Error> {
        self.inner
            .api_version
            .get_or_try_init(|| async {
                let root: Value = self.get("/", &[]).await?;
                root.pointer("/data/api_version")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| Error::Decode("GET / has no data.api_version".into()))
            })
            .await
            .cloned()
    }

    /// Refuses an endpoint the server's API version lacks (`since`: `4.8.0`).
    pub async fn require_version(&self, endpoint: &str, since: &str) -> Result<(), Error> {
        let version = self.api_version().await?;
        if version_key(&version) < version_key(since) {
            return Err(Error::Unsupported {
                endpoint: endpoint.to_owned(),
                since: since.to_owned(),
                server: version,
            });
        }
        Ok(())
    }

    /// Any list endpoint, items decoded as `T` (`Value` keeps them exactly as sent).
    pub fn list<T: DeserializeOwned>(&self, path: &str) -> ListRequest<T> {
        ListRequest::new(self.clone(), path)
    }

    /// `GET /agents` with filters, one page or all of them as a stream.
    pub fn agents(&self) -> ListRequest<Agent> {
        ListRequest::new(self.clone(), "/agents")
    }

    /// `GET /groups`.
    pub fn groups(&self) -> ListRequest<Group> {
        ListRequest::new(self.clone(), "/groups")
    }

    /// `GET /rules`.
    pub fn rules(&self) -> ListRequest<Rule> {
        ListRequest::new(self.clone(), "/rules")
    }

    /// `GET /decoders`.
    pub fn decoders(&self) -> ListRequest<Decoder> {
        ListRequest::new(self.clone(), "/decoders")
    }

    /// `GET /lists`.
    pub fn lists(&self) -> ListRequest<CdbList> {
        ListRequest::new(self.clone(), "/lists")
    }

    /// `GET /security/users`.
    pub fn users(&self) -> ListRequest<User> {
        ListRequest::new(self.clone(), "/security/users")
    }

    /// `GET /security/roles`.
    pub fn roles(&self) -> ListRequest<Role> {
        ListRequest::new(self.clone(), "/security/roles")
    }

    /// `GET /tasks/status`.
    pub fn tasks(&self) -> ListRequest<Task> {
        ListRequest::new(self.clone(), "/tasks/status").since("4.2.0")
    }

    /// `GET /security/policies`.
    pub fn policies(&self) -> ListRequest<Policy> {
        ListRequest::new(self.clone(), "/security/policies")
    }

    /// `GET /alerts` (oxsec's alert search; a Wazuh manager answers 404).
    pub fn alerts(&self) -> ListRequest<Value> {
        ListRequest::new(self.clone(), "/alerts")
    }

    /// `GET /manager/info`.
    pub async fn manager_info(&self) -> Result<ManagerInfo, Error> {
        let envelope: Envelope<ManagerInfo> = self.get("/manager/info", &[]).await?;
        envelope
            .data
            .affected_items
            .into_iter()
            .next()
            .ok_or_else(|| Error::Decode("GET /manager/info returned no item".into()))
    }

    /// `PUT /logtest`: analyses one log line as if read from `location`.
    pub async fn logtest(&self, event: &str, location: &str, log_format: &str) -> Result<LogtestResult, Error> {
        self.require_version("PUT /logtest", "4.1.0").await?;
        let body = serde_json::json!({"event": event, "location": location, "log_format": log_format});
        let value = self.raw(Method::PUT, "/logtest", &[], Some(&body)).await?;
        let output = value
            .pointer("/data/output")
            .cloned()
            .ok_or_else(|| Error::Decode("PUT /logtest returned no data.output".into()))?;
        serde_json::from_value(output).map_err(|e| Error::Decode(e.to_string()))
    }

    /// `POST /events`: events for the manager to analyse (at most 100 per call).
    pub async fn send_events(&self, events: &[String]) -> Result<AffectedItems<Value>, Error> {
        let body = serde_json::json!({ "events": events });
        let value = self.raw(Method::POST, "/events", &[], Some(&body)).await?;
        let envelope: Envelope<Value> = serde_json::from_value(value).map_err(|e| Error::Decode(e.to_string()))?;
        Ok(envelope.data)
    }
}

/// `Retry-After` in seconds.
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let seconds: u64 = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

/// `4.14.7` as comparable numbers.
fn version_key(version: &str) -> Vec<u64> {
    version
        .trim_start_matches('v')
        .split('.')
        .map(|p| p.parse().unwrap_or(0))
        .collect()
}
