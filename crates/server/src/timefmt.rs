//! Timestamps in the formats Wazuh's API uses.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::OffsetDateTime;

/// `2026-11-23T10:00:00Z`, Wazuh's API timestamp format.
pub fn now_iso() -> String {
    iso(OffsetDateTime::now_utc())
}

/// `t` as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn iso(t: OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

/// `2026/11/23 10:00:00`, the prefix of Wazuh's log lines.
pub fn log_stamp(t: OffsetDateTime) -> String {
    t.format(format_description!("[year]/[month]/[day] [hour]:[minute]:[second]"))
        .unwrap_or_default()
}

/// Unix seconds as [`iso`] text (the epoch itself when out of range).
pub fn epoch_iso(secs: i64) -> String {
    iso(OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH))
}

/// Unix seconds of an RFC 3339 timestamp (the registry's `…+00:00` text).
pub fn iso_epoch(text: &str) -> Option<i64> {
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}
