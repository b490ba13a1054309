//! CDB lists: `key:value` text files under `etc/lists`.

use std::path::Path;
use std::sync::OnceLock;

use regex::Regex;

/// One list file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdbList {
    /// Base name (lists have no extension), e.g. `audit-keys`.
    pub filename: String,
    /// Directory relative to the manager's root, e.g. `etc/lists/amazon`.
    pub relative_dirname: String,
    /// Its entries in file order (a repeated key keeps its first place and its last value).
    pub items: Vec<(String, String)>,
    /// Why the file could not be read as a list (then `items` is empty).
    pub problem: Option<String>,
}

/// A list that does not follow Wazuh's format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: '{text}' is not 'key:value'")]
pub struct ListFormatError {
    /// 1-based line number.
    pub line: usize,
    /// The offending line.
    pub text: String,
}

/// Reads a list as Wazuh's API does: lines with `TEMPLATE` skipped; `key:value`, either side
/// optionally in double quotes.
pub fn parse(text: &str) -> Result<Vec<(String, String)>, ListFormatError> {
    let mut items: Vec<(String, String)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (n, line) in text.trim().lines().enumerate() {
        if line.contains("TEMPLATE") {
            continue;
        }
        let bad = || ListFormatError {
            line: n + 1,
            text: line.to_owned(),
        };
        let (key, value) = if line.contains('"') {
            split_quoted(line).ok_or_else(bad)?
        } else {
            let mut parts = line.split(':');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(k), Some(v), None) => (k.to_owned(), v.to_owned()),
                _ => return Err(bad()),
            }
        };
        match index.get(&key) {
            Some(i) => items[*i].1 = value,
            None => {
                index.insert(key.clone(), items.len());
                items.push((key, value));
            }
        }
    }
    Ok(items)
}

/// `"k":"v"`, `"k":v` or `k:"v"`.
fn split_quoted(line: &str) -> Option<(String, String)> {
    let quotes = line.matches('"').count();
    if quotes == 4 {
        let inner = line.strip_prefix('"')?.strip_suffix('"')?;
        let (k, v) = inner.split_once("\":\"")?;
        return (!k.contains('"') && !v.contains('"')).then(|| (k.to_owned(), v.to_owned()));
    }
    if quotes != 2 {
        return None;
    }
    if let Some(rest) = line.strip_prefix('"') {
        let (k, v) = rest.split_once("\":")?;
        return (!v.contains('"')).then(|| (k.to_owned(), v.to_owned()));
    }
    let (k, v) = line.split_once(":\"")?;
    let v = v.strip_suffix('"')?;
    (!k.contains('"') && !v.contains('"')).then(|| (k.to_owned(), v.to_owned()))
}

fn upload_line() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r#"^(?:"[\w\-: ]+?"|[^:"\s]+):(?:"[\w\-: ]*?"|[^:"]*)$"#).expect("constant pattern"))
}

/// Wazuh's stricter check of an uploaded list: every line (empty ones too) must be `key:value`.
pub fn validate_upload(text: &str) -> Result<(), ListFormatError> {
    for (n, line) in text.lines().enumerate() {
        if !upload_line().is_match(line) {
            return Err(ListFormatError {
                line: n + 1,
                text: line.to_owned(),
            });
        }
    }
    Ok(())
}

/// Every list file under `root` (the data dir's `etc/lists`), recursively: relative directory
/// (from `etc/lists`) and name. Compiled `.cdb` files, editor backups and dot files are skipped.
pub fn find(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    walk(root, "etc/lists", &mut out, 0);
    out.sort();
    out
}

fn walk(dir: &Path, rel: &str, out: &mut Vec<(String, String)>, depth: usize) {
    // Lists sit a level or two deep; a bound keeps a symlink loop from recursing forever.
    if depth > 8 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.filter_map(Result::ok) {
        let Ok(name) = e.file_name().into_string() else {
            continue;
        };
        if name.starts_with('.') || name.contains(".cdb") || name.contains('~') {
            continue;
        }
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            walk(&e.path(), &format!("{rel}/{name}"), out, depth + 1);
        } else if kind.is_file() {
            out.push((rel.to_owned(), name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_with_quotes_templates_and_repeats() {
        let items = parse(
            "TEMPLATE:x\naudit-wazuh-w:write\n\"a b\":\"c:d\"\n\"k\":v\nk2:\"v2\"\naudit-wazuh-w:again\nempty:\n",
        )
        .expect("parse");
        assert_eq!(
            items,
            [
                ("audit-wazuh-w".to_owned(), "again".to_owned()),
                ("a b".into(), "c:d".into()),
                ("k".into(), "v".into()),
                ("k2".into(), "v2".into()),
                ("empty".into(), String::new()),
            ]
        );
        assert_eq!(parse("a:b\nc:d:e").expect_err("three parts").line, 2);
        assert_eq!(parse("a:b\n\nc:d").expect_err("empty line").line, 2);
    }

    #[test]
    fn uploads_are_checked_line_by_line() {
        assert!(validate_upload("key1:value1\n\"quoted key\":\"v\"\nk:with spaces").is_ok());
        assert_eq!(validate_upload("ok:1\n:write").expect_err("no key").line, 2);
        assert_eq!(validate_upload("ok:1\n\nx:2").expect_err("empty").line, 2);
        assert!(validate_upload("a:b:c").is_err());
    }
}
