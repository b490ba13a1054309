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

/// `2026-11-23T10:00:00.123+0000`: the `timestamp` analysisd writes in alerts (oxsec writes UTC).
pub fn alert_stamp(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]+0000"
        ))
        .unwrap_or_default()
}

/// `2026-11-23T10:00:00.123000Z`: an alert timestamp (milliseconds) as the API shows it in
/// logtest output.
pub fn api_stamp_micros(t: OffsetDateTime) -> String {
    let t = t.replace_millisecond(t.millisecond()).unwrap_or(t);
    t.to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
        ))
        .unwrap_or_default()
}

/// Unix seconds of an RFC 3339 timestamp (the registry's `…+00:00` text).
pub fn iso_epoch(text: &str) -> Option<i64> {
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_stamps_have_wazuhs_shapes() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_789).expect("time");
        assert_eq!(alert_stamp(t), "2023-11-14T22:13:20.123+0000");
        assert_eq!(api_stamp_micros(t), "2023-11-14T22:13:20.123000Z");
    }
}
