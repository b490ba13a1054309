//! Logs in the style of Wazuh's `api.log`: `2026/11/23 10:00:00 INFO: <message>` lines (plain) or
//! one JSON object per line (`api.json`), to the data dir's `logs/` and to stderr.

use std::fs::{File, OpenOptions};
use std::io::{LineWriter, Write};
use std::path::Path;
use std::sync::Mutex;

use serde_json::{json, Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::{Config, LogLevel};

struct WazuhLayer {
    plain: Option<Mutex<LineWriter<File>>>,
    json: Option<Mutex<LineWriter<File>>>,
    stderr_json: bool,
}

#[derive(Default)]
struct Fields {
    message: String,
    rest: Map<String, Value>,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        } else {
            self.rest
                .insert(field.name().to_owned(), Value::String(format!("{value:?}")));
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_owned();
        } else {
            self.rest
                .insert(field.name().to_owned(), Value::String(value.to_owned()));
        }
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.rest.insert(field.name().to_owned(), Value::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.rest.insert(field.name().to_owned(), Value::from(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.rest.insert(field.name().to_owned(), Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.rest.insert(field.name().to_owned(), Value::from(value));
    }
}

fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::ERROR => "ERROR",
        Level::WARN => "WARNING",
        Level::INFO => "INFO",
        _ => "DEBUG",
    }
}

impl<S: Subscriber> Layer<S> for WazuhLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let now = time::OffsetDateTime::now_utc();
        let level = level_name(event.metadata().level());
        let mut message = fields.message.clone();
        let is_access = event.metadata().target() == "oxsec::access";
        if !is_access && !fields.rest.is_empty() {
            let extra: Vec<String> = fields.rest.iter().map(|(k, v)| format!("{k}={v}")).collect();
            message = format!("{message} {}", extra.join(" "));
        }
        let plain_line = format!("{} {level}: {message}\n", crate::timefmt::log_stamp(now));
        let json_line = || {
            let payload = if is_access {
                Value::Object(fields.rest.clone())
            } else {
                Value::String(message.clone())
            };
            let kind = if is_access { "request" } else { "informative" };
            let mut v = json!({
                "timestamp": crate::timefmt::iso(now),
                "levelname": level,
                "data": {"type": kind, "payload": payload},
            });
            if !is_access {
                v["data"]["payload"] = Value::String(message.clone());
            }
            format!("{v}\n")
        };
        if let Some(w) = &self.plain {
            if let Ok(mut w) = w.lock() {
                let _ = w.write_all(plain_line.as_bytes());
            }
        }
        if let Some(w) = &self.json {
            if let Ok(mut w) = w.lock() {
                let _ = w.write_all(json_line().as_bytes());
            }
        }
        let line = if self.stderr_json { json_line() } else { plain_line };
        let _ = std::io::stderr().write_all(line.as_bytes());
    }
}

/// Installs the global logger: `logs/api.log` (plain) and/or `logs/api.json` (JSON) under `logs_dir`,
/// plus stderr. `OXSEC_LOG` (an `EnvFilter` directive) overrides `logs.level` for debugging.
pub fn init(config: &Config, logs_dir: &Path) -> Result<(), String> {
    let level = match config.logs.level {
        LogLevel::Disabled => "off",
        LogLevel::Info => "info",
        LogLevel::Warning => "warn",
        LogLevel::Error => "error",
        LogLevel::Debug => "debug",
        LogLevel::Debug2 => "trace",
    };
    let directive = std::env::var("OXSEC_LOG")
        .unwrap_or_else(|_| format!("{level},hyper=warn,h2=warn,rustls=warn,tokio_rustls=warn,tower=warn"));
    let filter = EnvFilter::try_new(&directive).map_err(|e| format!("OXSEC_LOG: {e}"))?;
    let open = |name: &str| -> Result<Mutex<LineWriter<File>>, String> {
        let path = logs_dir.join(name);
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map(|f| Mutex::new(LineWriter::new(f)))
            .map_err(|e| format!("cannot open {}: {e}", path.display()))
    };
    let layer = WazuhLayer {
        plain: if config.log_plain() {
            Some(open("api.log")?)
        } else {
            None
        },
        json: if config.log_json() {
            Some(open("api.json")?)
        } else {
            None
        },
        stderr_json: !config.log_plain(),
    };
    // A second init (tests, in-process restarts) keeps the first logger.
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .try_init();
    Ok(())
}
