//! `logs/ossec.log`: what oxsec's Wazuh-equivalent services report about themselves, one line
//! each in Wazuh's format (`2026/11/24 10:00:00 wazuh-analysisd: INFO: …`), and the
//! `GET /manager/logs` and `/logs/summary` views over its last lines.
//!
//! The tags are the Wazuh daemons whose work oxsec does: `wazuh-analysisd` (ruleset, analysis,
//! logtest), `wazuh-db` (the store), `wazuh-apid` (the API server). Times are written and read
//! as UTC (Wazuh writes local time and converts it when reading; oxsec servers run in UTC).

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use oxsec_types::envelope::AffectedItems;
use oxsec_types::WazuhCode;
use oxsec_wql::{Field, ListQuery, Schema};
use serde_json::{json, Map, Value};

use crate::error::ApiError;

/// How many of the newest lines the views read, as Wazuh's.
pub const TAIL_LINES: usize = 2000;

/// Wazuh's daemon names for oxsec's services.
pub mod tag {
    /// Ruleset, event analysis and logtest.
    pub const ANALYSISD: &str = "wazuh-analysisd";
    /// The store.
    pub const DB: &str = "wazuh-db";
    /// The API server.
    pub const APID: &str = "wazuh-apid";
}

/// A line's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Normal operation.
    Info,
    /// Something to look at.
    Warning,
    /// Something failed.
    Error,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
        }
    }
}

/// The writer. Each line is appended with its own open, so the file may be rotated or removed
/// at any time; a line that cannot be written is reported to the process log, never fatal.
#[derive(Debug)]
pub struct OssecLog {
    path: PathBuf,
    lock: Mutex<()>,
}

impl OssecLog {
    /// The log at `<logs_dir>/ossec.log`.
    pub fn new(logs_dir: &Path) -> Self {
        OssecLog {
            path: logs_dir.join("ossec.log"),
            lock: Mutex::new(()),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `message` from `tag` at `level`.
    pub fn write(&self, tag: &str, level: Level, message: &str) {
        let stamp = crate::timefmt::log_stamp(time::OffsetDateTime::now_utc());
        // One entry is one line: Wazuh's readers drop continuation lines.
        let message = message.replace(['\n', '\r'], " ");
        let line = format!("{stamp} {tag}: {}: {message}\n", level.as_str());
        let _guard = self.lock.lock();
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(e) = written {
            tracing::warn!("cannot write {}: {e}", self.path.display());
        }
    }

    /// [`Self::write`] at INFO.
    pub fn info(&self, tag: &str, message: &str) {
        self.write(tag, Level::Info, message);
    }

    /// [`Self::write`] at WARNING.
    pub fn warning(&self, tag: &str, message: &str) {
        self.write(tag, Level::Warning, message);
    }

    /// [`Self::write`] at ERROR.
    pub fn error(&self, tag: &str, message: &str) {
        self.write(tag, Level::Error, message);
    }
}

/// The last `n` lines of `path` (read from the end, so a large file costs only its tail).
fn tail(path: &Path, n: usize) -> std::io::Result<Vec<String>> {
    const CHUNK: u64 = 64 * 1024;
    let mut file = std::fs::File::open(path)?;
    let len = file.seek(SeekFrom::End(0))?;
    let mut start = len;
    // Chunks read backwards, newest last; stop once they hold n full lines (n + 1 newlines,
    // counting the one ending the file).
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut newlines = 0;
    while start > 0 && newlines <= n {
        let step = CHUNK.min(start);
        start -= step;
        file.seek(SeekFrom::Start(start))?;
        let mut chunk = vec![0; usize::try_from(step).unwrap_or(0)];
        file.read_exact(&mut chunk)?;
        newlines += chunk.iter().filter(|b| **b == b'\n').count();
        chunks.push(chunk);
    }
    let buf: Vec<u8> = chunks.into_iter().rev().flatten().collect();
    let text = String::from_utf8_lossy(&buf);
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if start > 0 && !lines.is_empty() {
        // The first line read may be cut.
        lines.remove(0);
    }
    let skip = lines.len().saturating_sub(n);
    Ok(lines.split_off(skip))
}

/// One line as Wazuh's reader splits it: `YYYY/MM/DD HH:MM:SS <tag>[…]: <LEVEL>:<description>`.
/// The description keeps the space after the colon, as Wazuh's does.
fn parse_line(line: &str) -> Option<Value> {
    let (date, rest) = (line.get(..19)?, line.get(19..)?);
    let b = date.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let shape_ok = digits(0..4)
        && b[4] == b'/'
        && digits(5..7)
        && b[7] == b'/'
        && digits(8..10)
        && b[10].is_ascii_whitespace()
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shape_ok {
        return None;
    }
    let rest = rest.strip_prefix(|c: char| c.is_whitespace())?;
    let (tag, level, description) = split_tag_and_level(rest)?;
    let tag = if tag.contains("rootcheck") {
        "wazuh-rootcheck"
    } else {
        tag
    };
    let timestamp = format!("{}-{}-{}T{}Z", &date[0..4], &date[5..7], &date[8..10], &date[11..19]);
    Some(json!({"timestamp": timestamp, "tag": tag, "level": level, "description": description}))
}

const LEVELS: [&str; 5] = ["DEBUG", "INFO", "CRITICAL", "ERROR", "WARNING"];

/// `<tag>: <LEVEL>:<description>`, or `<tag>[<anything>: <LEVEL>:<description>` (a pid and a
/// source location after the tag, in debug lines; the last `: LEVEL:` then ends the prefix).
fn split_tag_and_level(rest: &str) -> Option<(&str, String, &str)> {
    let token_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let token = &rest[..token_end];
    if let Some(tag) = token.strip_suffix(':').filter(|t| !t.is_empty()) {
        let after = rest[token_end..].strip_prefix(|c: char| c.is_whitespace());
        if let Some((level, description)) = after.and_then(level_at) {
            return Some((tag, level, description));
        }
    }
    let bracket = token.find('[').filter(|i| *i > 0)?;
    let tag = &token[..bracket];
    let tail = &rest[bracket..];
    // Greedy, as Wazuh's pattern: the last `:<space>LEVEL:` in the line.
    tail.rmatch_indices(':')
        .find_map(|(i, _)| {
            let after = tail[i + 1..].strip_prefix(|c: char| c.is_whitespace())?;
            level_at(after)
        })
        .map(|(level, description)| (tag, level, description))
}

/// `LEVEL:<description>` at the start of `text`.
fn level_at(text: &str) -> Option<(String, &str)> {
    LEVELS.iter().find_map(|l| {
        text.strip_prefix(l)
            .and_then(|d| d.strip_prefix(':'))
            .map(|d| (l.to_lowercase(), d))
    })
}

/// The newest [`TAIL_LINES`] lines, parsed; lines in another shape are left out. The file is
/// read on the blocking pool.
async fn entries(log: &OssecLog) -> Result<Vec<Value>, ApiError> {
    let path = log.path().to_owned();
    let read = tokio::task::spawn_blocking(move || tail(&path, TAIL_LINES))
        .await
        .map_err(|e| ApiError::Internal(format!("reading ossec.log failed: {e}")))?;
    match read {
        Ok(lines) => Ok(lines.iter().filter_map(|l| parse_line(l)).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ApiError::code(WazuhCode::LogFileMissing)),
        Err(e) => Err(ApiError::with_details(WazuhCode::LogFileMissing, e.to_string())),
    }
}

/// The fields of a log entry.
pub fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        Schema::builder()
            .field(Field::date("timestamp", "timestamp"))
            .field(Field::text("tag", "tag").sorted_nocase())
            .field(Field::text("level", "level").sorted_nocase())
            .field(Field::text("description", "description").sorted_nocase())
            .max_limit(oxsec_wql::WAZUH_MAX_LIMIT)
            .build()
            .expect("constant schema")
    })
}

/// `GET /manager/logs`: `level` and `tag` filter as `q` terms do.
pub async fn list(
    log: &OssecLog,
    node_suffix: &str,
    level: Option<&str>,
    tag: Option<&str>,
    query: &ListQuery,
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        format!("Logs were successfully read{node_suffix}"),
        "Could not read logs in some nodes",
        format!("Could not read logs{node_suffix}"),
    );
    let records: Vec<Value> = entries(log)
        .await?
        .into_iter()
        .filter(|e| level.is_none_or(|l| e["level"] == l))
        .filter(|e| tag.is_none_or(|t| e["tag"] == t))
        .collect();
    // Newest first unless asked otherwise; lines of the same second keep their file order.
    let newest_first;
    let query = if query.sort.is_empty() {
        newest_first = ListQuery {
            sort: oxsec_wql::parse_sort("-timestamp").map_err(crate::list::wql_error)?,
            ..query.clone()
        };
        &newest_first
    } else {
        query
    };
    let page = super::ruleset::page(&records, query, schema())?;
    result.set_page(page.items, page.total);
    Ok(result)
}

/// `GET /manager/logs/summary`: per tag, how many lines of each level, tags in name order.
pub async fn summary(log: &OssecLog, node_suffix: &str) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        format!("Log was successfully summarized{node_suffix}"),
        "Could not summarize the log in some nodes",
        format!("Could not summarize the log{node_suffix}"),
    );
    let mut tags: Vec<(String, Map<String, Value>)> = Vec::new();
    for entry in entries(log).await? {
        let tag = entry["tag"].as_str().unwrap_or_default().to_owned();
        let level = entry["level"].as_str().unwrap_or_default().to_owned();
        let counts = match tags.iter_mut().position(|(t, _)| *t == tag) {
            Some(i) => &mut tags[i].1,
            None => {
                let mut counts = Map::new();
                for key in ["all", "info", "error", "critical", "warning", "debug"] {
                    counts.insert(key.into(), json!(0));
                }
                tags.push((tag.clone(), counts));
                &mut tags.last_mut().expect("just pushed").1
            }
        };
        for key in ["all", level.as_str()] {
            let n = counts.get(key).and_then(Value::as_u64).unwrap_or(0);
            counts.insert(key.into(), json!(n + 1));
        }
    }
    tags.sort_by(|a, b| a.0.cmp(&b.0));
    let items: Vec<Value> = tags.into_iter().map(|(t, c)| json!({ t: c })).collect();
    let total = items.len() as u64;
    result.set_page(items, total);
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_as_wazuh_splits_them() {
        let e = parse_line("2026/11/24 10:00:01 wazuh-analysisd: INFO: Total rules enabled: '4512'").expect("line");
        assert_eq!(
            e,
            json!({"timestamp": "2026-11-24T10:00:01Z", "tag": "wazuh-analysisd", "level": "info",
                   "description": " Total rules enabled: '4512'"})
        );
        let e = parse_line("2026/11/24 10:00:01 wazuh-modulesd:syscollector: WARNING: x").expect("line");
        assert_eq!(
            (e["tag"].as_str(), e["level"].as_str()),
            (Some("wazuh-modulesd:syscollector"), Some("warning"))
        );
        let e = parse_line("2026/11/24 10:00:01 wazuh-csyslogd[99]: INFO: kept").expect("line");
        assert_eq!(e["tag"], "wazuh-csyslogd[99]");
        let e =
            parse_line("2026/11/24 10:00:01 wazuh-modulesd[1234] wm_x.c:95 at f(): DEBUG: a: INFO: b").expect("line");
        assert_eq!(
            (e["tag"].as_str(), e["level"].as_str()),
            (Some("wazuh-modulesd"), Some("info"))
        );
        assert_eq!(e["description"], " b");
        let e = parse_line("2026/11/24 10:00:01 rootcheck: ERROR: y").expect("line");
        assert_eq!(e["tag"], "wazuh-rootcheck");
        assert!(parse_line("  continuation of a previous line").is_none());
        assert!(parse_line("2026/11/24 10:00:01 wazuh-db: NOTICE: z").is_none());
        assert!(parse_line("").is_none());
    }

    #[tokio::test]
    async fn written_lines_read_back_and_only_the_tail_is_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = OssecLog::new(dir.path());
        assert!(entries(&log).await.is_err(), "no file yet: 1020");
        for i in 0..(TAIL_LINES + 50) {
            log.info(tag::DB, &format!("line {i}\nwith a newline"));
        }
        log.error(tag::ANALYSISD, "last");
        let all = entries(&log).await.expect("entries");
        assert_eq!(all.len(), TAIL_LINES);
        assert_eq!(all[0]["description"], " line 51 with a newline");
        assert_eq!(all[TAIL_LINES - 1]["level"], "error");
        let summary = summary(&log, "").await.expect("summary");
        let body = summary.into_json();
        assert_eq!(
            body["data"]["affected_items"],
            json!([
                {"wazuh-analysisd": {"all": 1, "info": 0, "error": 1, "critical": 0, "warning": 0, "debug": 0}},
                {"wazuh-db": {"all": 1999, "info": 1999, "error": 0, "critical": 0, "warning": 0, "debug": 0}}
            ])
        );
    }
}
