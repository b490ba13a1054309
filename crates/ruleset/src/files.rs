//! Which rule and decoder files exist, where, and whether they are enabled.

use std::path::{Path, PathBuf};

/// A file's state under the `<ruleset>` configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Loaded by the manager.
    Enabled,
    /// Named by a `*_exclude` option.
    Disabled,
}

impl Status {
    /// Wazuh's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Enabled => "enabled",
            Status::Disabled => "disabled",
        }
    }
}

/// A rule or decoder file as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Base name, e.g. `0010-rules_config.xml`.
    pub filename: String,
    /// Directory relative to the manager's root, e.g. `ruleset/rules` or `etc/rules`.
    pub relative_dirname: String,
    /// Enabled or excluded.
    pub status: Status,
}

/// Where relative directory names point: `ruleset/…` into the shipped ruleset (if any), `etc/…`
/// into the data dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roots {
    /// The shipped ruleset: a directory holding `rules/`, `decoders/` and `lists/`.
    pub ruleset: Option<PathBuf>,
    /// The data dir, holding `etc/`.
    pub data_dir: PathBuf,
}

impl Roots {
    /// The directory a relative directory name means; `None` for names outside `ruleset/` and
    /// `etc/`, with `..`, or under a missing shipped ruleset.
    pub fn resolve(&self, relative_dirname: &str) -> Option<PathBuf> {
        let rel = relative_dirname.trim_end_matches('/');
        if rel
            .split('/')
            .any(|part| part == ".." || part == "." || part.is_empty())
        {
            return None;
        }
        if rel == "ruleset" || rel == "etc" {
            return None;
        }
        if let Some(rest) = rel.strip_prefix("ruleset/") {
            return self.ruleset.as_ref().map(|r| r.join(rest));
        }
        rel.starts_with("etc/").then(|| self.data_dir.join(rel))
    }

    /// The path of `filename` in `relative_dirname`.
    pub fn file(&self, relative_dirname: &str, filename: &str) -> Option<PathBuf> {
        if filename.contains('/') || filename == ".." || filename == "." || filename.is_empty() {
            return None;
        }
        self.resolve(relative_dirname).map(|d| d.join(filename))
    }
}

/// Builds a kind's file list as Wazuh does: the `include` file first (always enabled), then the
/// `.xml` files of each `dir` (not recursive), disabled when their name is excluded.
pub fn list_files(roots: &Roots, include: Option<&str>, excludes: &[String], dirs: &[String]) -> Vec<FileEntry> {
    let mut out = Vec::new();
    if let Some(inc) = include {
        let (dir, name) = match inc.rsplit_once('/') {
            Some((d, n)) => (d.to_owned(), n.to_owned()),
            None => ("ruleset/rules".to_owned(), inc.to_owned()),
        };
        out.push(FileEntry {
            filename: name,
            relative_dirname: dir,
            status: Status::Enabled,
        });
    }
    let excluded: Vec<&str> = excludes
        .iter()
        .map(|e| e.rsplit('/').next().unwrap_or(e.as_str()))
        .collect();
    for dir in dirs {
        let rel = dir.trim_end_matches('/').to_owned();
        let Some(path) = roots.resolve(&rel) else { continue };
        for name in xml_files(&path) {
            let status = if excluded.contains(&name.as_str()) {
                Status::Disabled
            } else {
                Status::Enabled
            };
            out.push(FileEntry {
                filename: name,
                relative_dirname: rel.clone(),
                status,
            });
        }
    }
    out
}

/// Names of the regular `*.xml` files of a directory (not hidden), sorted.
fn xml_files(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".xml") && !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_names_cannot_escape_their_roots() {
        let roots = Roots {
            ruleset: Some(PathBuf::from("/opt/ruleset")),
            data_dir: PathBuf::from("/data"),
        };
        assert_eq!(
            roots.resolve("ruleset/rules"),
            Some(PathBuf::from("/opt/ruleset/rules"))
        );
        assert_eq!(roots.resolve("etc/rules/"), Some(PathBuf::from("/data/etc/rules")));
        for bad in [
            "etc/../../etc",
            "../etc",
            "etc",
            "var/ossec",
            "etc//rules",
            "/etc/rules",
        ] {
            assert_eq!(roots.resolve(bad), None, "{bad}");
        }
        assert_eq!(roots.file("etc/rules", "../../passwd"), None);
        assert_eq!(
            roots.file("etc/rules", "x.xml"),
            Some(PathBuf::from("/data/etc/rules/x.xml"))
        );
    }
}
