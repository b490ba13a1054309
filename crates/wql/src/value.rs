//! Value semantics shared by both executors: how JSON values become comparable scalars, and the exact
//! SQLite rules (NOCASE, LIKE, type order, date parsing) that the in-memory executor must reproduce.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

use crate::FieldKind;

/// A value as SQLite would hold it in a column of the field's kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(Cow<'a, str>),
}

impl Scalar<'_> {
    /// The text SQLite's `LIKE` sees for this value.
    pub(crate) fn like_text(&self) -> Option<Cow<'_, str>> {
        match self {
            Scalar::Null => None,
            Scalar::Int(i) => Some(Cow::Owned(i.to_string())),
            Scalar::Real(r) => Some(Cow::Owned(real_text(*r))),
            Scalar::Text(t) => Some(Cow::Borrowed(t.as_ref())),
        }
    }
}

/// Follows a dot path through nested objects; missing steps and JSON `null` are `None`.
pub(crate) fn lookup<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    let mut v = record;
    for seg in path.split('.') {
        v = v.as_object()?.get(seg)?;
    }
    (!v.is_null()).then_some(v)
}

/// Converts one JSON value to the scalar a column of `kind` stores (SQLite type affinity, simplified).
/// Arrays and objects become their JSON text; callers that give arrays "any element" meaning split first.
pub(crate) fn to_scalar(kind: FieldKind, v: &Value) -> Scalar<'_> {
    match v {
        Value::Null => Scalar::Null,
        Value::Bool(b) => match kind {
            FieldKind::Integer => Scalar::Int(i64::from(*b)),
            _ => Scalar::Text(Cow::Borrowed(if *b { "1" } else { "0" })),
        },
        Value::Number(n) => match kind {
            FieldKind::Integer => match n.as_i64() {
                Some(i) => Scalar::Int(i),
                None => n.as_f64().map_or(Scalar::Null, real_affinity),
            },
            _ => Scalar::Text(Cow::Owned(n.to_string())),
        },
        Value::String(s) => match kind {
            FieldKind::Integer => numeric_text(s).unwrap_or(Scalar::Text(Cow::Borrowed(s))),
            _ => Scalar::Text(Cow::Borrowed(s)),
        },
        Value::Array(_) | Value::Object(_) => Scalar::Text(Cow::Owned(v.to_string())),
    }
}

/// INTEGER affinity turns a losslessly integral real into an integer.
fn real_affinity(r: f64) -> Scalar<'static> {
    // 2^63 as f64; the range check keeps the cast exact.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if r.fract() == 0.0 && (-LIMIT..LIMIT).contains(&r) {
        Scalar::Int(r as i64)
    } else {
        Scalar::Real(r)
    }
}

/// INTEGER affinity applied to text: well-formed numbers become numbers, anything else stays text.
fn numeric_text(s: &str) -> Option<Scalar<'static>> {
    if let Ok(i) = s.parse::<i64>() {
        return Some(Scalar::Int(i));
    }
    parse_decimal(s).map(real_affinity)
}

/// A plain decimal number `[+-]digits[.digits][e[+-]digits]`; Rust's parser alone would also take `inf`/`NaN`.
pub(crate) fn parse_decimal(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = (!int.is_empty() || !frac.is_empty()) && digits(int) && digits(frac);
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    if !(mantissa_ok && exponent_ok) {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// SQLite renders REAL as `%!.15g`: 15 significant digits, always with a decimal point.
pub(crate) fn real_text(r: f64) -> String {
    if r.fract() == 0.0 && r.abs() < 1e15 {
        format!("{r:.1}")
    } else {
        let s = format!("{r}");
        if s.contains(['.', 'e', 'E']) {
            s
        } else {
            format!("{s}.0")
        }
    }
}

/// SQLite's comparison of two non-NULL values: numbers before text, numbers numerically, text bytewise.
pub(crate) fn sqlite_cmp(a: &Scalar<'_>, b: &Scalar<'_>) -> Ordering {
    match (a, b) {
        (Scalar::Null, Scalar::Null) => Ordering::Equal,
        (Scalar::Null, _) => Ordering::Less,
        (_, Scalar::Null) => Ordering::Greater,
        (Scalar::Int(x), Scalar::Int(y)) => x.cmp(y),
        (Scalar::Real(x), Scalar::Real(y)) => x.total_cmp(y),
        (Scalar::Int(x), Scalar::Real(y)) => cmp_int_real(*x, *y),
        (Scalar::Real(x), Scalar::Int(y)) => cmp_int_real(*y, *x).reverse(),
        (Scalar::Text(_), Scalar::Int(_) | Scalar::Real(_)) => Ordering::Greater,
        (Scalar::Int(_) | Scalar::Real(_), Scalar::Text(_)) => Ordering::Less,
        (Scalar::Text(x), Scalar::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
    }
}

/// Exact integer/real comparison (an `as f64` cast would round large integers).
fn cmp_int_real(i: i64, r: f64) -> Ordering {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if r.is_nan() {
        return Ordering::Greater;
    }
    if r >= LIMIT {
        return Ordering::Less;
    }
    if r < -LIMIT {
        return Ordering::Greater;
    }
    let floor = r.floor();
    // In range, so the cast is exact.
    let fi = floor as i64;
    match i.cmp(&fi) {
        Ordering::Equal if r > floor => Ordering::Less,
        o => o,
    }
}

/// SQLite `NOCASE`: bytewise after folding ASCII upper case only.
pub(crate) fn nocase_cmp(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// A compiled SQLite `LIKE` pattern (no ESCAPE): `%` any run, `_` one character, ASCII case folded.
#[derive(Debug, Clone)]
pub(crate) struct LikePattern {
    chars: Vec<char>,
    ascii: bool,
}

impl LikePattern {
    pub(crate) fn new(pattern: &str) -> Self {
        LikePattern {
            chars: pattern.chars().collect(),
            ascii: pattern.is_ascii(),
        }
    }

    pub(crate) fn matches(&self, text: &str) -> bool {
        if self.ascii && text.is_ascii() {
            // Fast path without allocating the text as chars.
            like_match(&self.chars, text.as_bytes(), char::from)
        } else {
            let chars: Vec<char> = text.chars().collect();
            like_match(&self.chars, &chars, |c| c)
        }
    }
}

/// Wildcard matching with the single-backtrack-point algorithm: O(len(pattern) * len(text)) worst case,
/// so hostile patterns like `%a%a%a%b` cannot blow up.
fn like_match<T: Copy>(pat: &[char], text: &[T], get: impl Fn(T) -> char) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        let tc = get(text[t]);
        match pat.get(p) {
            Some('%') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&pc) if pc == '_' || pc.eq_ignore_ascii_case(&tc) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pat[p..].iter().all(|&c| c == '%')
}

/// Parses a date-time string to Unix seconds (UTC, fraction truncated): see [`parse_instant_micros`].
pub(crate) fn parse_instant(s: &str) -> Option<i64> {
    parse_instant_micros(s).map(|us| us.div_euclid(1_000_000))
}

/// Parses a date-time string to Unix microseconds (UTC; digits past the sixth of a fraction are
/// dropped), accepting what the crate documents for [`FieldKind::Date`]: `YYYY-MM-DD`, then optionally
/// `[ T]HH:MM[:SS[.fff]]`, then optionally `Z` or `±HH:MM`. Day overflow (`02-30`) rolls over as in
/// SQLite. Anything else is `None`.
pub(crate) fn parse_instant_micros(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
    };
    let year = num(0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = num(5, 2)?;
    let day = num(8, 2)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut i = 10;
    let mut secs = 0i64;
    let mut micros = 0i64;
    if matches!(b.get(i), Some(b' ' | b'T')) {
        i += 1;
        let h = num(i, 2)?;
        if b.get(i + 2) != Some(&b':') {
            return None;
        }
        let m = num(i + 3, 2)?;
        i += 5;
        let mut sec = 0;
        if b.get(i) == Some(&b':') {
            sec = num(i + 1, 2)?;
            i += 3;
            if b.get(i) == Some(&b'.') {
                i += 1;
                let start = i;
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                if i == start {
                    return None;
                }
                micros = b[start..i]
                    .iter()
                    .chain(std::iter::repeat(&b'0'))
                    .take(6)
                    .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0'));
            }
        }
        if h > 23 || m > 59 || sec > 59 {
            return None;
        }
        secs = h * 3600 + m * 60 + sec;
    }
    match b.get(i) {
        None => {}
        Some(b'Z' | b'z') if i + 1 == b.len() => {}
        Some(&sign @ (b'+' | b'-')) if i + 6 == b.len() && b.get(i + 3) == Some(&b':') => {
            let oh = num(i + 1, 2)?;
            let om = num(i + 4, 2)?;
            if oh > 14 || om > 59 {
                return None;
            }
            let offset = oh * 3600 + om * 60;
            // Local time = UTC + offset, so UTC = local - offset.
            secs -= if sign == b'+' { offset } else { -offset };
        }
        _ => return None,
    }
    Some((days_from_civil(year, month, day) * 86_400 + secs) * 1_000_000 + micros)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm); linear in `day`, so
/// `02-30` lands on early March like SQLite's normalisation.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// How a value on a date field is read (Wazuh `_filter_date`): plain digits are a number of seconds,
/// `<digits><unit>...` a timeframe; otherwise it must be a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateValue {
    /// A span of seconds back from the reference time.
    Ago(i64),
    /// An absolute instant (Unix microseconds).
    At(i64),
}

/// `Err(true)` = looked like a timeframe but is malformed (1411); `Err(false)` = not a date (1412).
pub(crate) fn parse_date_value(v: &str) -> Result<DateValue, bool> {
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return v.parse::<i64>().map(DateValue::Ago).map_err(|_| true);
    }
    let b = v.as_bytes();
    let lead = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if lead > 0 && matches!(b.get(lead), Some(b'd' | b'h' | b'm' | b's')) {
        return parse_timeframe(v).map(DateValue::Ago).ok_or(true);
    }
    parse_instant_micros(v).map(DateValue::At).ok_or(false)
}

/// Wazuh's timeframe in seconds: bare digits are seconds, else `(digits unit)+` with units d, h,
/// m, s (`7d`, `1h30m`, `10`).
pub fn timeframe_seconds(v: &str) -> Option<i64> {
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return v.parse().ok();
    }
    parse_timeframe(v)
}

/// `(digits unit)+` with units d, h, m, s, summed.
fn parse_timeframe(v: &str) -> Option<i64> {
    let mut total: i64 = 0;
    let mut num: Option<i64> = None;
    for c in v.chars() {
        if let Some(d) = c.to_digit(10) {
            num = Some(num.unwrap_or(0).checked_mul(10)?.checked_add(i64::from(d))?);
            continue;
        }
        let unit = match c {
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        total = total.checked_add(num.take()?.checked_mul(unit)?)?;
    }
    if num.is_some() {
        return None;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn like_semantics() {
        let m = |p: &str, t: &str| LikePattern::new(p).matches(t);
        assert!(m("%web%", "My WEB server"));
        assert!(m("a_c", "abc"));
        assert!(!m("a_c", "ac"));
        assert!(m("%", ""));
        assert!(!m("_", ""));
        assert!(m("%a%a%a%b", "aaaaaaaaaaaaaaaaaaaaaaaaab"));
        assert!(!m("%a%a%a%b", "aaaaaaaaaaaaaaaaaaaaaaaaaa"));
        assert!(m("é_", "éx"));
        assert!(!m("É", "é"), "only ASCII folds, like SQLite");
        assert!(m("%50\\%", "50\\x"), "no escape character");
    }

    #[test]
    fn nocase_only_folds_ascii() {
        assert_eq!(nocase_cmp("ABC", "abc"), Ordering::Equal);
        assert_eq!(nocase_cmp("É", "é"), Ordering::Less);
        assert_eq!(nocase_cmp("B", "a"), Ordering::Greater);
        assert_eq!(
            nocase_cmp("_", "a"),
            Ordering::Less,
            "'_' (0x5f) sorts before folded letters"
        );
    }

    #[test]
    fn instants() {
        assert_eq!(parse_instant("1970-01-01"), Some(0));
        assert_eq!(parse_instant("2024-01-02 03:04:05"), Some(1_704_164_645));
        assert_eq!(parse_instant("2024-01-02T03:04:05Z"), Some(1_704_164_645));
        assert_eq!(parse_instant("2024-01-02T03:04:05.999Z"), Some(1_704_164_645));
        assert_eq!(parse_instant("2024-01-02T05:04:05+02:00"), Some(1_704_164_645));
        assert_eq!(parse_instant("2024-01-02 03:04"), Some(1_704_164_640));
        assert_eq!(
            parse_instant_micros("2024-01-02T03:04:05.9991234Z"),
            Some(1_704_164_645_999_123)
        );
        assert_eq!(parse_instant_micros("1969-12-31T23:59:59.5Z"), Some(-500_000));
        assert_eq!(parse_instant("1969-12-31T23:59:59.5Z"), Some(-1));
        assert_eq!(parse_instant("2023-02-29"), parse_instant("2023-03-01"));
        for bad in [
            "",
            "2024",
            "2024-1-01",
            "2024-13-01",
            "2024-01-01x",
            "2024-01-01 3:04:05",
            "2024-01-01T",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
    }

    #[test]
    fn date_values() {
        assert_eq!(parse_date_value("3600"), Ok(DateValue::Ago(3600)));
        assert_eq!(parse_date_value("7d"), Ok(DateValue::Ago(7 * 86_400)));
        assert_eq!(parse_date_value("1h30m"), Ok(DateValue::Ago(5400)));
        assert_eq!(parse_date_value("1dx"), Err(true));
        assert_eq!(parse_date_value("1d5"), Err(true));
        assert_eq!(parse_date_value("2024-01-01"), Ok(DateValue::At(1_704_067_200_000_000)));
        assert_eq!(parse_date_value("yesterday"), Err(false));
        assert_eq!(parse_date_value("99999999999999999999"), Err(true));
    }

    #[test]
    fn scalars_follow_affinity() {
        assert_eq!(to_scalar(FieldKind::Integer, &json!(5)), Scalar::Int(5));
        assert_eq!(to_scalar(FieldKind::Integer, &json!(5.0)), Scalar::Int(5));
        assert_eq!(to_scalar(FieldKind::Integer, &json!("7")), Scalar::Int(7));
        assert_eq!(to_scalar(FieldKind::Integer, &json!("7.5")), Scalar::Real(7.5));
        assert_eq!(to_scalar(FieldKind::Integer, &json!("x")), Scalar::Text("x".into()));
        assert_eq!(to_scalar(FieldKind::Text, &json!(7)), Scalar::Text("7".into()));
        assert_eq!(parse_decimal("inf"), None);
        assert_eq!(parse_decimal("1e3"), Some(1000.0));
        assert_eq!(parse_decimal("."), None);
        assert_eq!(real_text(5.0), "5.0");
        assert_eq!(real_text(5.5), "5.5");
    }

    #[test]
    fn mixed_comparisons() {
        assert_eq!(sqlite_cmp(&Scalar::Int(5), &Scalar::Real(5.5)), Ordering::Less);
        assert_eq!(sqlite_cmp(&Scalar::Int(6), &Scalar::Real(5.5)), Ordering::Greater);
        assert_eq!(sqlite_cmp(&Scalar::Int(5), &Scalar::Real(5.0)), Ordering::Equal);
        assert_eq!(
            sqlite_cmp(&Scalar::Int(i64::MAX), &Scalar::Real(9.3e18)),
            Ordering::Less
        );
        assert_eq!(sqlite_cmp(&Scalar::Int(-5), &Scalar::Real(-4.5)), Ordering::Less);
        assert_eq!(
            sqlite_cmp(&Scalar::Text("0".into()), &Scalar::Int(9)),
            Ordering::Greater
        );
    }

    #[test]
    fn lookup_paths() {
        let r = json!({"os": {"name": "x", "v": null}, "a": 1});
        assert_eq!(lookup(&r, "os.name"), Some(&json!("x")));
        assert_eq!(lookup(&r, "os.v"), None);
        assert_eq!(lookup(&r, "os.name.deeper"), None);
        assert_eq!(lookup(&r, "b"), None);
    }
}
