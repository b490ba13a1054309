//! The custom string formats of Wazuh's API spec (`format: names`, `alphanumeric`, …) and what each
//! accepts. The patterns mirror upstream's validator so that a value Wazuh accepts is accepted here
//! and one it refuses is refused.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

/// (format name, pattern). Upstream matches with Python's `re.match` (anchored at the start only);
/// these are written fully anchored to the same effect. A format not listed (`paths`, `int32`, …)
/// is not enforced upstream either.
const FORMATS: &[(&str, &str)] = &[
    ("alphanumeric", r"^[\w,\-.+\s:]+$"),
    ("alphanumeric_symbols", r#"^[\w,*<>!\-.+\s:/()\[\]'"|=~#]+$"#),
    (
        "base64",
        r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$",
    ),
    (
        "get_dirnames_path",
        r"^(?:(?:etc|ruleset)/(?:decoders|rules)[\w\-/]*|etc/lists[\w\-/]*)$",
    ),
    (
        "hash",
        r"^(?:|[\da-fA-F]{32}|[\da-fA-F]{40}|[\da-fA-F]{56}|[\da-fA-F]{64}|[\da-fA-F]{96}|[\da-fA-F]{128})$",
    ),
    ("names", r"^[A-Za-z0-9_\-.%]+$"),
    ("numbers", r"^\d+$"),
    ("numbers_or_all", r"^(?:\d+|all)$"),
    ("cdb_filename_path", r"^[\-\w]+$"),
    ("xml_filename", r"^[\w\-]+\.xml(?:,[\w\-]+\.xml)*$"),
    ("xml_filename_path", r"^[\w\-]+\.xml$"),
    ("path", r"^[\w\-.\\/:]+$"),
    ("wpk_path", r"^[\w\-.\\/:\s]*[^/]\.wpk$"),
    ("active_response_command", r"^!?[\w\-.\\/:]+$"),
    ("range", r"^(?:\d+|\d{1,2}-\d{1,2})$"),
    ("search", r"^[^;|&^*>]+$"),
    ("sort", r"^[\w\-,\s+.]+$"),
    ("timeframe", r"^\d+[dhms]?$"),
    ("wazuh_key", r"^[a-zA-Z0-9]+"),
    ("wazuh_version", r"(?i)^(?:wazuh |)v?\d+\.\d+\.\d+$"),
    ("date", r"^\d{4}-(?:1[0-2]|0[1-9])-(?:3[01]|0[1-9]|[12]\d)$"),
    (
        "date-time",
        r"^\d{4}-(?:1[0-2]|0[1-9])-(?:3[01]|0[1-9]|[12]\d)[tT](?:2[0-3]|[01]\d):[0-5]\d:[0-5]\d(?:\.\d+)?(?:[zZ]|[+-](?:2[0-3]|[01]\d):[0-5]\d)$",
    ),
    ("group_names", r"^[A-Za-z0-9.\-_]+$"),
    ("group_names_or_all", r"^[A-Za-z0-9.\-_]+$"),
];

/// Formats whose value is a path that must not climb out of its directory.
const PATH_FORMATS: &[&str] = &["path", "wpk_path", "active_response_command", "get_dirnames_path"];

/// Formats that also accept the empty string.
const OR_EMPTY: &[&str] = &[
    "hash_or_empty",
    "names_or_empty",
    "numbers_or_empty",
    "date-time_or_empty",
];

fn compiled() -> &'static HashMap<&'static str, Regex> {
    static MAP: OnceLock<HashMap<&'static str, Regex>> = OnceLock::new();
    MAP.get_or_init(|| {
        FORMATS
            .iter()
            .filter_map(|(n, p)| Regex::new(p).ok().map(|r| (*n, r)))
            .collect()
    })
}

/// Whether `value` is acceptable for `format`.
pub fn matches(format: &str, value: &str) -> bool {
    if let Some(base) = OR_EMPTY
        .iter()
        .find(|f| **f == format)
        .and_then(|f| f.strip_suffix("_or_empty"))
    {
        return value.is_empty() || matches(base, value);
    }
    match format {
        "group_names" if matches!(value, "." | ".." | "all") => return false,
        "group_names_or_all" if matches!(value, "." | "..") => return false,
        f if PATH_FORMATS.contains(&f) && climbs_out(value) => return false,
        _ => {}
    }
    compiled().get(format).is_none_or(|re| re.is_match(value))
}

/// Whether a relative path could leave its base directory.
pub fn climbs_out(path: &str) -> bool {
    path.contains("../") || path.contains("..\\") || path.contains("/..") || path.contains("\\..") || path == ".."
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        assert_eq!(compiled().len(), FORMATS.len());
    }

    #[test]
    fn representative_values() {
        assert!(matches("names", "os.name"));
        assert!(!matches("names", "a b"));
        assert!(matches("sort", "-os.name,+id"));
        assert!(!matches("search", "a;b"));
        assert!(matches("numbers", "001"));
        assert!(!matches("numbers", "1a"));
        assert!(!matches("group_names", ".."));
        assert!(!matches("group_names", "a/b"));
        assert!(matches("range", "2-4"));
        assert!(!matches("range", "2-400"));
        assert!(matches("hash", ""));
        assert!(matches("hash_or_empty", ""));
        assert!(!matches("path", "etc/../../passwd"));
        assert!(matches("date", "2019-08-27"));
        assert!(matches("wazuh_version", "Wazuh v4.14.7"));
        assert!(!matches("names", "caf\u{e9}"), "names is ASCII-only upstream");
        assert!(matches("unknown_format", "anything"));
    }
}
