//! `access.*` limits: requests per minute (Wazuh counts all requests in a fixed one-minute window,
//! error 6001, HTTP 429) and failed logins per source IP (blocked for `block_time`, error 6000).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use oxsec_types::WazuhCode;

use crate::config::Access;
use crate::error::ApiError;
use crate::state::AppState;
use crate::PeerAddr;

const WINDOW: Duration = Duration::from_secs(60);

struct Window {
    started: Instant,
    count: u32,
}

struct LoginStats {
    first_failure: Instant,
    failures: u32,
}

/// Counters behind the limits.
pub struct Limiter {
    max_per_minute: u32,
    /// `POST /events`' own budget (Wazuh: the smaller of the general limit and 30).
    max_events_per_minute: u32,
    max_login_attempts: u32,
    block_time: Duration,
    general: Mutex<Window>,
    events: Mutex<Window>,
    logins: Mutex<HashMap<IpAddr, LoginStats>>,
}

/// The outcome of a rate check that failed: seconds until the caller may retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

impl Limiter {
    /// Limits from the configuration.
    pub fn new(access: &Access) -> Self {
        Self {
            max_per_minute: access.max_request_per_minute,
            max_events_per_minute: match (access.max_request_per_minute, access.max_event_requests_per_minute) {
                (0, events) => events,
                (general, 0) => general,
                (general, events) => general.min(events),
            },
            max_login_attempts: access.max_login_attempts,
            block_time: Duration::from_secs(access.block_time),
            general: Mutex::new(Window {
                started: Instant::now(),
                count: 0,
            }),
            events: Mutex::new(Window {
                started: Instant::now(),
                count: 0,
            }),
            logins: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request; `Err` when the minute's budget is spent.
    pub fn check_request(&self, now: Instant) -> Result<(), RetryAfter> {
        count(&self.general, self.max_per_minute, now)
    }

    /// Counts one `POST /events` request against its own budget.
    pub fn check_events_request(&self, now: Instant) -> Result<(), RetryAfter> {
        count(&self.events, self.max_events_per_minute, now)
    }

    /// `Err` while `ip` is blocked for too many failed logins.
    pub fn check_login_block(&self, ip: IpAddr, now: Instant) -> Result<(), RetryAfter> {
        let Ok(mut logins) = self.logins.lock() else {
            return Ok(());
        };
        let Some(stats) = logins.get(&ip) else { return Ok(()) };
        let elapsed = now.duration_since(stats.first_failure);
        if elapsed >= self.block_time {
            logins.remove(&ip);
            return Ok(());
        }
        if stats.failures >= self.max_login_attempts {
            return Err(RetryAfter(self.block_time.saturating_sub(elapsed).as_secs().max(1)));
        }
        Ok(())
    }

    /// Records a failed login from `ip`.
    pub fn record_login_failure(&self, ip: IpAddr, now: Instant) {
        let Ok(mut logins) = self.logins.lock() else { return };
        let stats = logins.entry(ip).or_insert(LoginStats {
            first_failure: now,
            failures: 0,
        });
        if now.duration_since(stats.first_failure) >= self.block_time {
            *stats = LoginStats {
                first_failure: now,
                failures: 0,
            };
        }
        stats.failures += 1;
        // Bound memory under a spray of source addresses: forget windows that have ended.
        if logins.len() > 100_000 {
            let block = self.block_time;
            logins.retain(|_, s| now.duration_since(s.first_failure) < block);
        }
    }
}

/// Counts one request in a fixed one-minute window with budget `max` (0 = unlimited).
fn count(window: &Mutex<Window>, max: u32, now: Instant) -> Result<(), RetryAfter> {
    if max == 0 {
        return Ok(());
    }
    let Ok(mut w) = window.lock() else { return Ok(()) };
    if now.duration_since(w.started) >= WINDOW {
        w.started = now;
        w.count = 0;
    }
    w.count += 1;
    if w.count > max {
        let left = WINDOW.saturating_sub(now.duration_since(w.started));
        return Err(RetryAfter(left.as_secs().max(1)));
    }
    Ok(())
}

/// Applies the per-minute limit to every request, and `POST /events`' own limit to it (as
/// Wazuh, whatever the method: its middleware looks at the path only).
pub async fn limit_requests(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let now = Instant::now();
    if let Err(retry) = state.limiter().check_request(now) {
        return with_retry_after(ApiError::code(WazuhCode::TooManyRequests).into_response(), retry);
    }
    if req.uri().path() == "/events" {
        if let Err(retry) = state.limiter().check_events_request(now) {
            return with_retry_after(ApiError::code(WazuhCode::TooManyEventRequests).into_response(), retry);
        }
    }
    next.run(req).await
}

/// Refuses requests from an IP blocked for failed logins.
pub fn login_block_response(state: &AppState, peer: &PeerAddr) -> Option<Response> {
    state
        .limiter()
        .check_login_block(peer.0.ip(), Instant::now())
        .err()
        .map(|retry| with_retry_after(ApiError::code(WazuhCode::LoginBlocked).into_response(), retry))
}

/// Adds `Retry-After` (Wazuh does not send it; it helps clients and harms none).
pub fn with_retry_after(mut resp: Response, retry: RetryAfter) -> Response {
    if let Ok(v) = HeaderValue::from_str(&retry.0.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_minute: u32, attempts: u32, block: u64) -> Limiter {
        Limiter::new(&Access {
            max_request_per_minute: per_minute,
            max_login_attempts: attempts,
            block_time: block,
            max_event_requests_per_minute: 30,
        })
    }

    #[test]
    fn events_have_their_own_smaller_budget() {
        let l = limiter(300, 10, 60);
        let t = Instant::now();
        for _ in 0..30 {
            assert!(l.check_events_request(t).is_ok());
        }
        assert!(
            l.check_events_request(t).is_err(),
            "the 31st events request in a minute"
        );
        assert!(l.check_request(t).is_ok(), "other requests are not affected");
        let small = limiter(10, 10, 60);
        for _ in 0..10 {
            assert!(small.check_events_request(t).is_ok());
        }
        assert!(small.check_events_request(t).is_err(), "never above the general limit");
    }

    #[test]
    fn requests_over_budget_are_refused_until_the_window_ends() {
        let l = limiter(3, 10, 60);
        let t = Instant::now();
        for _ in 0..3 {
            assert!(l.check_request(t).is_ok());
        }
        assert!(l.check_request(t + Duration::from_secs(1)).is_err());
        assert!(l.check_request(t + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn zero_means_unlimited() {
        let l = limiter(0, 10, 60);
        for _ in 0..1000 {
            assert!(l.check_request(Instant::now()).is_ok());
        }
    }

    #[test]
    fn login_block_after_attempts_and_release_after_block_time() {
        let l = limiter(0, 3, 60);
        let ip: IpAddr = [10, 0, 0, 1].into();
        let t = Instant::now();
        for i in 0..3 {
            assert!(l.check_login_block(ip, t).is_ok(), "attempt {i} allowed");
            l.record_login_failure(ip, t);
        }
        assert!(l.check_login_block(ip, t + Duration::from_secs(5)).is_err());
        let other: IpAddr = [10, 0, 0, 2].into();
        assert!(l.check_login_block(other, t).is_ok(), "other IPs unaffected");
        assert!(l.check_login_block(ip, t + Duration::from_secs(60)).is_ok());
    }
}
