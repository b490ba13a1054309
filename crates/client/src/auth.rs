//! The token: logged in on first use, renewed before it expires (from its own `exp`), dropped
//! after a 401; one login at a time, shared by every caller waiting for it.

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use serde_json::Value;

use crate::{Client, Error};

struct Token {
    jwt: String,
    /// When to log in again, Unix seconds: before `exp` by the client's margin.
    renew_at: i64,
}

pub(crate) struct Auth {
    user: String,
    password: String,
    run_as: Option<Value>,
    renew_before: Option<std::time::Duration>,
    current: tokio::sync::Mutex<Option<Token>>,
    logins: AtomicU64,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The claims of a JWT (not verified: the server does that; the client only reads `exp`).
fn claims(jwt: &str) -> Option<Value> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

impl Auth {
    pub(crate) fn new(
        user: String,
        password: String,
        run_as: Option<Value>,
        renew_before: Option<std::time::Duration>,
    ) -> Auth {
        Auth {
            user,
            password,
            run_as,
            renew_before,
            current: tokio::sync::Mutex::new(None),
            logins: AtomicU64::new(0),
        }
    }

    /// A valid token, logging in when there is none or it is about to expire.
    pub(crate) async fn token(&self, client: &Client) -> Result<String, Error> {
        let mut slot = self.current.lock().await;
        if let Some(token) = slot.as_ref().filter(|t| now() < t.renew_at) {
            return Ok(token.jwt.clone());
        }
        let token = self.login(client).await?;
        let jwt = token.jwt.clone();
        *slot = Some(token);
        Ok(jwt)
    }

    /// Drops `used` (the server refused it), unless another caller already replaced it.
    pub(crate) async fn forget(&self, used: &str) {
        let mut slot = self.current.lock().await;
        if slot.as_ref().is_some_and(|t| t.jwt == used) {
            *slot = None;
        }
    }

    /// How many times the client logged in.
    pub(crate) fn logins(&self) -> u64 {
        self.logins.load(Ordering::Relaxed)
    }

    async fn login(&self, client: &Client) -> Result<Token, Error> {
        let inner = &client.inner;
        inner.rate.acquire().await;
        let path = if self.run_as.is_some() {
            "/security/user/authenticate/run_as"
        } else {
            "/security/user/authenticate"
        };
        let mut request = inner
            .http
            .post(format!("{}{path}", inner.base_url))
            .basic_auth(&self.user, Some(&self.password));
        if let Some(context) = &self.run_as {
            request = request.json(context);
        }
        let response = request.send().await.map_err(Error::Http)?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(Error::Http)?;
        let body = crate::error::check(status, &text)?;
        let jwt = body
            .pointer("/data/token")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::Decode("the login answer has no data.token".into()))?
            .to_owned();
        let claims = claims(&jwt).unwrap_or(Value::Null);
        let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(now() + 900);
        let issued = claims
            .get("nbf")
            .or_else(|| claims.get("iat"))
            .and_then(Value::as_i64)
            .unwrap_or(now());
        let margin = match self.renew_before {
            Some(before) => i64::try_from(before.as_secs()).unwrap_or(i64::MAX),
            None => ((exp - issued) / 4).clamp(1, 30),
        };
        self.logins.fetch_add(1, Ordering::Relaxed);
        // The lifetime from the token, counted on this machine's clock (which may differ from
        // the server's).
        let lifetime = (exp - issued).max(1);
        Ok(Token {
            jwt,
            renew_at: now() + (lifetime - margin).max(0),
        })
    }
}

impl Client {
    /// How many times this client (and its clones) logged in.
    pub fn logins(&self) -> u64 {
        self.inner.auth.logins()
    }
}
