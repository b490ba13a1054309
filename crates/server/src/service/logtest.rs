//! `PUT /logtest` and `DELETE /logtest/sessions/{token}`: wazuh-logtest's protocol
//! (`src/analysisd/logtest.c`). A session keeps the ruleset it started with and its own
//! correlation memory; sessions idle for `session_timeout` are dropped, and beyond
//! `max_sessions` the least recently used one goes. Answers are logtest's JSON, messages and
//! codes included, which the API passes on as they are.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use oxsec_ruleset::alert::{render, AlertContext};
use oxsec_ruleset::analyze::Memory;
use oxsec_types::WazuhCode;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::ruleset::Loaded;
use crate::error::ApiError;
use crate::state::AppState;

/// Logtest's answer codes (`codemsg`).
const SUCCESS: i64 = 0;
const WARNING: i64 = 1;
const FAILURE: i64 = -1;

/// The sessions of this server.
#[derive(Default)]
pub struct Sessions {
    by_token: Mutex<HashMap<String, Arc<Session>>>,
}

struct Session {
    ruleset: Arc<Loaded>,
    state: Mutex<SessionState>,
}

struct SessionState {
    memory: Memory,
    last_used: Instant,
}

/// What a caller asked logtest to do with one event.
pub struct Request {
    /// The session, if the caller has one.
    pub token: Option<String>,
    /// The log line.
    pub event: String,
    /// `syslog`, `json`, … (analysisd decides from the content; kept for the protocol).
    pub log_format: String,
    /// Where the line was read.
    pub location: String,
}

/// Messages logtest returns, each with its level.
#[derive(Default)]
struct Messages {
    list: Vec<String>,
    code: i64,
}

impl Messages {
    fn info(&mut self, m: String) {
        self.list.push(format!("INFO: {m}"));
    }
    fn warn(&mut self, m: String) {
        if self.code != FAILURE {
            self.code = WARNING;
        }
        self.list.push(format!("WARNING: {m}"));
    }
    fn error(&mut self, m: String) {
        self.code = FAILURE;
        self.list.push(format!("ERROR: {m}"));
    }
    /// Adds the pending messages to `data` (creating its `messages` where it stands now).
    fn flush(&mut self, data: &mut Map<String, Value>) {
        if self.list.is_empty() {
            return;
        }
        let entry = data.entry("messages").or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(a) = entry {
            a.extend(self.list.drain(..).map(Value::from));
        }
    }
}

/// A token as logtest makes them: 8 lowercase hex digits.
fn new_token(taken: &HashMap<String, Arc<Session>>) -> String {
    loop {
        let token = format!("{:08x}", rand::random::<u32>());
        if !taken.contains_key(&token) {
            return token;
        }
    }
}

/// Logtest's refusal of a request (`error` ≠ 0), as the API reports it.
fn refused(message: &str) -> ApiError {
    ApiError::with_details(WazuhCode::LogtestError, message)
}

impl Sessions {
    /// Drops sessions idle for `timeout` or more.
    fn expire(sessions: &mut HashMap<String, Arc<Session>>, timeout: Duration, now: Instant) {
        sessions.retain(|_, s| match s.state.try_lock() {
            Ok(st) => now.duration_since(st.last_used) < timeout,
            // In use right now: not idle.
            Err(_) => true,
        });
    }

    /// Finds the caller's session or opens one (saying why in `messages`).
    fn session_for(
        &self,
        token: Option<String>,
        current: &Arc<Loaded>,
        messages: &mut Messages,
    ) -> (String, Arc<Session>) {
        let now = Instant::now();
        let options = &current.options;
        let mut sessions = match self.by_token.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        Self::expire(&mut sessions, Duration::from_secs(options.logtest_session_timeout), now);
        if let Some(token) = token {
            if let Some(s) = sessions.get(&token) {
                return (token, s.clone());
            }
            messages.warn(format!("(7003): '{token}' token expires"));
        }
        if sessions.len() >= options.logtest_max_sessions {
            let oldest = sessions
                .iter()
                .filter_map(|(t, s)| s.state.try_lock().ok().map(|st| (st.last_used, t.clone())))
                .min();
            if let Some((_, t)) = oldest {
                sessions.remove(&t);
            }
        }
        let token = new_token(&sessions);
        let session = Arc::new(Session {
            ruleset: current.clone(),
            state: Mutex::new(SessionState {
                memory: Memory::default(),
                last_used: now,
            }),
        });
        sessions.insert(token.clone(), session.clone());
        messages.info(format!("(7202): Session initialized with token '{token}'"));
        (token, session)
    }

    /// Sessions open now.
    pub fn len(&self) -> usize {
        self.by_token.lock().map(|s| s.len()).unwrap_or(0)
    }

    /// Whether no session is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The largest request logtest's socket takes (analysisd's `OS_MAXSTR - 1`).
const MAX_REQUEST: usize = 65_535;

/// The length of `s` as Python's `json.dumps` writes it (ASCII only, `\uXXXX` escapes), which
/// is how Wazuh's API sends it to logtest.
fn python_json_len(s: &str) -> usize {
    2 + s
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
            c if (c as u32) < 0x20 => 6,
            c if c.is_ascii() => 1,
            c if (c as u32) > 0xFFFF => 12,
            _ => 6,
        })
        .sum::<usize>()
}

/// The size of the message Wazuh's API sends to logtest for `req`.
fn request_size(req: &Request) -> usize {
    const WRAPPER: &str = r#"{"version": 1, "origin": {"name": "Logtest", "module": "api"}, "command": "log_processing", "parameters": {}}"#;
    let mut size = WRAPPER.len();
    let mut field = |name: &str, value: &str| size += name.len() + 4 + python_json_len(value) + 2;
    if let Some(t) = &req.token {
        field("token", t);
    }
    field("event", &req.event);
    field("log_format", &req.log_format);
    field("location", &req.location);
    size - 2
}

/// `PUT /logtest`: logtest's `data` for the event.
pub fn run(state: &AppState, req: Request) -> Result<Value, ApiError> {
    // Beyond what logtest's socket takes, Wazuh answers this; it also bounds the work one
    // request can ask of the matchers.
    if request_size(&req) > MAX_REQUEST {
        return Err(refused(
            "(7315): Failure to receive message: size is bigger than expected",
        ));
    }
    let current = state.ruleset();
    if !current.options.logtest_enabled {
        return Err(refused("(7201): Logtest disabled"));
    }
    if req.location.is_empty() {
        return Err(refused(
            "(7308): 'location' JSON field is required and must be a string",
        ));
    }
    if req.log_format.is_empty() {
        return Err(refused(
            "(7308): 'log_format' JSON field is required and must be a string",
        ));
    }
    if req.event.is_empty() {
        return Err(refused("(7317): 'event' JSON field value is not valid"));
    }
    let mut messages = Messages::default();
    let token = match req.token {
        Some(t) if t.len() != 8 => {
            messages.warn(format!("(7309): '{t}' is not a valid token"));
            None
        }
        other => other,
    };
    let (token, session) = state.logtest().session_for(token, &current, &mut messages);
    let mut data = Map::new();
    messages.flush(&mut data);
    data.insert("token".into(), Value::from(token));

    let mut st = match session.state.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    st.last_used = Instant::now();
    let now = OffsetDateTime::now_utc();
    let ruleset = &session.ruleset;
    let framed = oxsec_ruleset::engine::frame(&req.location, &req.event);
    let host = state.hostname();
    let mut alert = false;
    match ruleset
        .engine
        .analyze(&framed, host, &mut st.memory, now.unix_timestamp())
    {
        Ok(a) => {
            let ctx = AlertContext::manager(
                host,
                crate::timefmt::api_stamp_micros(now),
                format!("{}.{}", now.unix_timestamp(), now.nanosecond() / 1000),
            );
            let mitre = state.mitre();
            let mut output = render(a.fired.as_ref(), &a.pre, &a.decoded, &ctx, mitre.attack());
            if let Some(f) = &a.fired {
                alert = f.alert && f.level >= ruleset.options.log_alert_level;
                // Logtest shows the level of a level-0 rule too (the alert itself leaves it out).
                if let Some(rule) = output.get_mut("rule").and_then(Value::as_object_mut) {
                    rule.entry("level").or_insert(Value::from(f.level));
                }
            }
            data.insert("output".into(), output);
        }
        Err(_) => {
            messages.error("(1106): String not correctly formatted.".into());
            messages.error("(7312): Failed to process the event".into());
        }
    }
    drop(st);
    messages.flush(&mut data);
    if messages.code >= SUCCESS {
        data.insert("alert".into(), Value::from(alert));
    }
    data.insert("codemsg".into(), Value::from(messages.code));
    Ok(Value::Object(data))
}

/// `DELETE /logtest/sessions/{token}`: logtest's `data` (codemsg −1 when there is no such session).
pub fn end_session(state: &AppState, token: &str) -> Result<Value, ApiError> {
    if token.len() != 8 {
        return Err(refused(&format!("(7309): '{token}' is not a valid token")));
    }
    let mut messages = Messages::default();
    let removed = match state.logtest().by_token.lock() {
        Ok(mut s) => s.remove(token).is_some(),
        Err(poisoned) => poisoned.into_inner().remove(token).is_some(),
    };
    if removed {
        messages.info(format!("(7206): The session '{token}' was closed successfully"));
    } else {
        messages.error(format!("(7004): No session found for token '{token}'"));
    }
    let mut data = Map::new();
    messages.flush(&mut data);
    data.insert("codemsg".into(), Value::from(messages.code));
    Ok(Value::Object(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_set_code_one_and_errors_win() {
        let mut m = Messages::default();
        m.info("a".into());
        assert_eq!(m.code, SUCCESS);
        m.warn("b".into());
        assert_eq!(m.code, WARNING);
        m.error("c".into());
        m.warn("d".into());
        assert_eq!(m.code, FAILURE);
        let mut data = Map::new();
        m.flush(&mut data);
        assert_eq!(
            data["messages"],
            serde_json::json!(["INFO: a", "WARNING: b", "ERROR: c", "WARNING: d"])
        );
    }

    #[test]
    fn request_size_counts_as_pythons_json_does() {
        assert_eq!(python_json_len("a\"é\u{1}"), 2 + 1 + 2 + 6 + 6);
        let req = |event: String| Request {
            token: None,
            event,
            log_format: "syslog".into(),
            location: "x".into(),
        };
        let base = request_size(&req(String::new()));
        let expected = r#"{"version": 1, "origin": {"name": "Logtest", "module": "api"}, "command": "log_processing", "parameters": {"event": "", "log_format": "syslog", "location": "x"}}"#;
        assert_eq!(base, expected.len());
        assert_eq!(request_size(&req("a".repeat(100))), base + 100);
    }

    #[test]
    fn tokens_are_eight_hex_digits() {
        let t = new_token(&HashMap::new());
        assert_eq!(t.len(), 8);
        assert!(t.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    }
}
