//! The custom string formats of Wazuh's API spec (`format: names`, `alphanumeric`, …) and what each
//! accepts. The patterns mirror upstream's validator so that a value Wazuh accepts is accepted here
//! and one it refuses is refused.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

/// (format name, pattern). A format not listed accepts any value.
const FORMATS: &[(&str, &str)] = &[
    ("alphanumeric", r"^[\w,\-.+\s:]+$"),
    ("alphanumeric_symbols", r"^[\w,<>!\-.+\s:/()\[\]'|=~#]+$"),
    ("symbols_alphanumeric_param", r"^[\w,<>!\-.+\s:/()\[\]'|=~#]+$"),
    ("base64", r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"),
    ("numbers", r"^\d+$"),
    ("numbers_or_all", r"^(\d+|all)$"),
    ("names", r"^[\w\-.%]+$"),
    ("group_names", r"^[\w.\-]+$"),
    ("group_names_or_all", r"^[\w.\-]+$"),
    ("hash", r"^(?:[\da-fA-F]{32}|[\da-fA-F]{40}|[\da-fA-F]{56}|[\da-fA-F]{64}|[\da-fA-F]{96}|[\da-fA-F]{128})?$"),
    ("paths", r"^[\w\-.\\/:]+$"),
    ("path", r"^[\w\-.\\/:]+$"),
    ("wpk_path", r"^[\w\-.\\/:]+\.wpk$"),
    ("range", r"^(?:\d+|\d+-\d+)$"),
    ("search", r"^[^;|&^*>]+$"),
    ("sort", r"^[\w\-,\s+.]+$"),
    ("timeframe", r"^\d+[dhms]?$"),
    ("date", r"^\d{8}$"),
    ("wazuh_key", r"^[a-zA-Z0-9]+$"),
    ("wazuh_version", r"^(?:[Ww]azuh )?v?\d+\.\d+\.\d+$"),
    ("xml_filename", r"^[\w\-]+\.xml$"),
    ("xml_filename_path", r"^[\w\-/]+\.xml$"),
    ("cdb_filename_path", r"^[\w\-/]+$"),
    ("get_dirnames_path", r"^(?:(?:etc|ruleset)/(?:decoders|rules)[\w\-/]*|etc/lists[\w\-/]*)$"),
    ("ips", r"^(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?)(?:/(?:\d|[12]\d|3[0-2]))?$|^any$|^ANY$"),
];

/// Names that are never valid group names.
const RESERVED_GROUP_NAMES: &[&str] = &[".", "..", "all"];

fn compiled() -> &'static HashMap<&'static str, Regex> {
    static MAP: OnceLock<HashMap<&'static str, Regex>> = OnceLock::new();
    MAP.get_or_init(|| FORMATS.iter().filter_map(|(n, p)| Regex::new(p).ok().map(|r| (*n, r))).collect())
}

/// Whether `value` is acceptable for `format`.
pub fn matches(format: &str, value: &str) -> bool {
    if format == "group_names" && RESERVED_GROUP_NAMES.contains(&value) {
        return false;
    }
    compiled().get(format).is_none_or(|re| re.is_match(value))
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
        assert!(matches("unknown_format", "anything"));
    }
}
