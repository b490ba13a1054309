//! Installing a ruleset into a data dir (`oxsec ruleset install --from …`): from a ruleset
//! directory, a Wazuh install (its `ruleset/`), or a tarball of either.
//!
//! The copy is staged beside the current one, checked by loading it, and swapped in by renames,
//! so an interrupted or refused install leaves the previous ruleset as it was. Only regular files
//! are copied: links in the source (or in a tarball) are skipped, so nothing outside the source
//! is read and nothing outside the data dir is written.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Catalog, Roots, RulesetConfig};

/// What an install put in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// The installed ruleset directory (`<data_dir>/ruleset`).
    pub path: PathBuf,
    /// Rule files and rules.
    pub rule_files: usize,
    /// Rules in them.
    pub rules: usize,
    /// Decoder files.
    pub decoder_files: usize,
    /// Decoders in them.
    pub decoders: usize,
    /// Lists newly copied into `etc/lists` (existing ones are never replaced).
    pub lists_added: usize,
}

/// Where an installed ruleset lives in a data dir.
pub fn installed_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("ruleset")
}

/// Installs the ruleset found at `from` into `data_dir`. See the module docs.
pub fn install(from: &Path, data_dir: &Path) -> Result<Installed, String> {
    fs::create_dir_all(data_dir).map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let pid = std::process::id();
    let extracted = data_dir.join(format!(".ruleset-extract-{pid}"));
    let staging = data_dir.join(format!(".ruleset-new-{pid}"));
    let result = (|| {
        let source_root = if from.is_file() {
            extract(from, &extracted)?;
            extracted.clone()
        } else if from.is_dir() {
            from.to_owned()
        } else {
            return Err(format!("{}: no such file or directory", from.display()));
        };
        let source = find_ruleset(&source_root, 0).ok_or_else(|| {
            format!(
                "{}: no ruleset found (expected a directory with rules/ and decoders/, or a Wazuh install with ruleset/)",
                from.display()
            )
        })?;
        let _ = fs::remove_dir_all(&staging);
        for part in ["rules", "decoders", "lists"] {
            copy_tree(&source.join(part), &staging.join(part), 0)
                .map_err(|e| format!("copying {}: {e}", source.join(part).display()))?;
        }
        let catalog = Catalog::load(
            Roots {
                ruleset: Some(staging.clone()),
                data_dir: data_dir.to_owned(),
            },
            RulesetConfig::default(),
        );
        if catalog.rules.is_empty() {
            return Err(format!("{}: the ruleset holds no rules", source.display()));
        }
        if !catalog.problems.is_empty() {
            let shown: Vec<&str> = catalog.problems.iter().take(5).map(String::as_str).collect();
            return Err(format!(
                "the ruleset does not load ({} problem(s)): {}",
                catalog.problems.len(),
                shown.join("; ")
            ));
        }
        let lists_added = add_lists(&staging.join("lists"), &data_dir.join("etc").join("lists"))
            .map_err(|e| format!("installing the lists into etc/lists: {e}"))?;
        let target = installed_dir(data_dir);
        swap_in(&staging, &target).map_err(|e| format!("replacing {}: {e}", target.display()))?;
        let own_rules = |f: &&crate::FileEntry| f.relative_dirname.starts_with("ruleset/");
        Ok(Installed {
            path: target,
            rule_files: catalog.rule_files.iter().filter(own_rules).count(),
            rules: catalog
                .rules
                .iter()
                .filter(|r| r.relative_dirname.starts_with("ruleset/"))
                .count(),
            decoder_files: catalog.decoder_files.iter().filter(own_rules).count(),
            decoders: catalog
                .decoders
                .iter()
                .filter(|d| d.relative_dirname.starts_with("ruleset/"))
                .count(),
            lists_added,
        })
    })();
    let _ = fs::remove_dir_all(&extracted);
    let _ = fs::remove_dir_all(&staging);
    result
}

/// Unpacks a tarball (any compression the system's tar recognises) into `into`. GNU tar refuses
/// member names with `..` and strips leading `/`; links it creates are never followed later.
fn extract(tarball: &Path, into: &Path) -> Result<(), String> {
    let _ = fs::remove_dir_all(into);
    fs::create_dir_all(into).map_err(|e| format!("cannot create {}: {e}", into.display()))?;
    let out = Command::new("tar")
        .arg("-xf")
        .arg(tarball)
        .arg("-C")
        .arg(into)
        .args(["--no-same-owner", "--no-same-permissions"])
        .output()
        .map_err(|e| format!("cannot run tar to unpack {}: {e}", tarball.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} is not a readable tarball: {}",
            tarball.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}

/// The directory holding `rules/` and `decoders/`: `dir` itself, its `ruleset/` (a Wazuh
/// install), or the same a few levels down (a tarball's top directory).
fn find_ruleset(dir: &Path, depth: usize) -> Option<PathBuf> {
    let is_dir = |p: &Path| fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
    if is_dir(&dir.join("rules")) && is_dir(&dir.join("decoders")) {
        return Some(dir.to_owned());
    }
    if depth >= 3 {
        return None;
    }
    let mut children: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| is_dir(p))
        .collect();
    children.sort();
    // A Wazuh install's ruleset/ first, then any other directory.
    children.sort_by_key(|p| p.file_name().is_none_or(|n| n != "ruleset"));
    children.iter().find_map(|c| find_ruleset(c, depth + 1))
}

/// Copies the regular files of a tree (links are skipped; depth-bounded).
pub fn copy_tree(from: &Path, to: &Path, depth: usize) -> io::Result<()> {
    if depth > 8 || !fs::symlink_metadata(from).is_ok_and(|m| m.is_dir()) {
        return Ok(());
    }
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target, depth + 1)?;
        } else if kind.is_file() {
            fs::copy(entry.path(), &target)?;
            fs::File::open(&target)?.sync_all()?;
        }
    }
    Ok(())
}

/// Copies lists `etc/lists` does not have yet (same relative path); returns how many.
fn add_lists(from: &Path, to: &Path) -> io::Result<usize> {
    let mut added = 0;
    for (rel, name) in crate::lists::find(from) {
        let sub = rel.strip_prefix("etc/lists").unwrap_or("").trim_start_matches('/');
        let src = from.join(sub).join(&name);
        let dst = to.join(sub).join(&name);
        if dst.exists() {
            continue;
        }
        if let Some(parent) = dst.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::copy(&src, &dst)?;
        added += 1;
    }
    Ok(added)
}

/// Puts `staging` at `target`, the old `target` (if any) moved aside first and removed after.
fn swap_in(staging: &Path, target: &Path) -> io::Result<()> {
    let old = target.with_file_name(format!(".ruleset-old-{}", std::process::id()));
    let had_old = target.exists();
    if had_old {
        let _ = fs::remove_dir_all(&old);
        fs::rename(target, &old)?;
    }
    if let Err(e) = fs::rename(staging, target) {
        if had_old {
            let _ = fs::rename(&old, target);
        }
        return Err(e);
    }
    if let Some(parent) = target.parent() {
        fs::File::open(parent)?.sync_all()?;
    }
    if had_old {
        let _ = fs::remove_dir_all(&old);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }

    fn sample(root: &Path, rule_id: u32) {
        write(
            &root.join("rules/0010-x_rules.xml"),
            &format!(
                "<group name=\"x,\"><rule id=\"{rule_id}\" level=\"3\"><description>d</description></rule></group>"
            ),
        );
        write(
            &root.join("decoders/0005-x_decoders.xml"),
            "<decoder name=\"x\"><prematch>^x</prematch></decoder>",
        );
        write(&root.join("lists/amazon/aws-sources"), "TEMPLATE:x\n");
    }

    #[test]
    fn installs_from_a_wazuh_tree_and_from_a_tarball() {
        let src = tempfile::tempdir().expect("tmp");
        sample(&src.path().join("var/ossec/ruleset"), 7);
        let data = tempfile::tempdir().expect("tmp");
        let done = install(&src.path().join("var/ossec"), data.path()).expect("install");
        assert_eq!((done.rules, done.decoders, done.lists_added), (1, 1, 1));
        assert!(data.path().join("ruleset/rules/0010-x_rules.xml").is_file());
        assert!(data.path().join("etc/lists/amazon/aws-sources").is_file());

        // A tarball replaces the installed copy; the user's lists stay.
        write(&data.path().join("etc/lists/amazon/aws-sources"), "mine:1\n");
        let tree = tempfile::tempdir().expect("tmp");
        sample(&tree.path().join("wazuh-ruleset"), 8);
        let tarball = tree.path().join("r.tar.gz");
        let ok = Command::new("tar")
            .arg("-czf")
            .arg(&tarball)
            .arg("-C")
            .arg(tree.path())
            .arg("wazuh-ruleset")
            .status()
            .expect("tar");
        assert!(ok.success());
        let done = install(&tarball, data.path()).expect("install tarball");
        assert_eq!(done.lists_added, 0);
        let rules = fs::read_to_string(data.path().join("ruleset/rules/0010-x_rules.xml")).expect("read");
        assert!(rules.contains("id=\"8\""));
        assert_eq!(
            fs::read_to_string(data.path().join("etc/lists/amazon/aws-sources")).expect("read"),
            "mine:1\n"
        );
    }

    #[test]
    fn a_broken_ruleset_leaves_the_installed_one_alone() {
        let data = tempfile::tempdir().expect("tmp");
        let good = tempfile::tempdir().expect("tmp");
        sample(good.path(), 7);
        install(good.path(), data.path()).expect("install");
        let bad = tempfile::tempdir().expect("tmp");
        sample(bad.path(), 9);
        write(
            &bad.path().join("rules/0020-bad_rules.xml"),
            "<group name=\"y,\"><rule id=\"x\" level=\"1\"/></group>",
        );
        let err = install(bad.path(), data.path()).expect_err("refused");
        assert!(err.contains("does not load"), "{err}");
        let rules = fs::read_to_string(data.path().join("ruleset/rules/0010-x_rules.xml")).expect("read");
        assert!(rules.contains("id=\"7\""));
        assert!(install(&data.path().join("nothing"), data.path()).is_err());
        let names: Vec<String> = fs::read_dir(data.path())
            .expect("ls")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(names.is_empty(), "staging left behind: {names:?}");
    }
}
