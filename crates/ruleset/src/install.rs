//! Installing a ruleset into a data dir (`oxsec ruleset install --from …`): from a ruleset
//! directory, a Wazuh install (its `ruleset/`), or a tarball of either.
//!
//! The copy is staged beside the current one (`<data_dir>/.ruleset-<time>-<pid>`), checked by
//! loading it, and made current by renaming a new `<data_dir>/ruleset` symlink over the old one,
//! so at every instant the link names a complete ruleset; an interrupted or refused install
//! leaves the previous one as it was. Only regular files
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

/// Where an installed ruleset is found in a data dir: a link to the current copy.
pub fn installed_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("ruleset")
}

/// Installs the ruleset found at `from` into `data_dir`. See the module docs.
pub fn install(from: &Path, data_dir: &Path) -> Result<Installed, String> {
    fs::create_dir_all(data_dir).map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let tag = format!(
        "{}-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
        std::process::id()
    );
    let extracted = data_dir.join(format!(".ruleset-extract-{tag}"));
    let version_name = format!(".ruleset-{tag}");
    let version = data_dir.join(&version_name);
    if version.exists() {
        return Err(format!("{} already exists; try again", version.display()));
    }
    let result = stage(from, data_dir, &extracted, &version).and_then(|mut installed| {
        let target = installed_dir(data_dir);
        point_at(&target, &version_name).map_err(|e| format!("switching {} to the new copy: {e}", target.display()))?;
        // Only once the new ruleset is in place: the shipped lists the user does not have yet.
        installed.lists_added = add_lists(&version.join("lists"), &data_dir.join("etc").join("lists"))
            .map_err(|e| format!("installing the lists into etc/lists: {e}"))?;
        remove_old_versions(data_dir, &version_name);
        installed.path = target;
        Ok(installed)
    });
    let _ = fs::remove_dir_all(&extracted);
    if result.is_err() {
        let _ = fs::remove_dir_all(&version);
    }
    result
}

/// Copies the ruleset at `from` into `version` and checks it loads.
fn stage(from: &Path, data_dir: &Path, extracted: &Path, version: &Path) -> Result<Installed, String> {
    let source_root = if from.is_file() {
        extract(from, extracted)?;
        extracted.to_owned()
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
    for part in ["rules", "decoders", "lists"] {
        copy_tree(&source.join(part), &version.join(part), 0)
            .map_err(|e| format!("copying {}: {e}", source.join(part).display()))?;
    }
    let catalog = Catalog::load(
        Roots {
            ruleset: Some(version.to_owned()),
            data_dir: data_dir.to_owned(),
        },
        RulesetConfig::default(),
    );
    let shipped = |rel: &str| rel.starts_with("ruleset/");
    if !catalog.rules.iter().any(|r| shipped(&r.relative_dirname)) {
        return Err(format!("{}: the ruleset holds no rules", source.display()));
    }
    // The user's own etc/ files are not this install's business.
    let problems: Vec<&str> = catalog
        .problems
        .iter()
        .map(String::as_str)
        .filter(|p| shipped(p))
        .collect();
    if !problems.is_empty() {
        let shown: Vec<&str> = problems.iter().take(5).copied().collect();
        return Err(format!(
            "the ruleset does not load ({} problem(s)): {}",
            problems.len(),
            shown.join("; ")
        ));
    }
    Ok(Installed {
        path: version.to_owned(),
        rule_files: catalog
            .rule_files
            .iter()
            .filter(|f| shipped(&f.relative_dirname))
            .count(),
        rules: catalog.rules.iter().filter(|r| shipped(&r.relative_dirname)).count(),
        decoder_files: catalog
            .decoder_files
            .iter()
            .filter(|f| shipped(&f.relative_dirname))
            .count(),
        decoders: catalog.decoders.iter().filter(|d| shipped(&d.relative_dirname)).count(),
        lists_added: 0,
    })
}

/// Makes `link` a symlink to `version_name` (a sibling) in one rename, so at every instant it
/// names either the previous copy or the new one. A real directory left by an older layout is
/// moved aside first.
fn point_at(link: &Path, version_name: &str) -> io::Result<()> {
    let dir = link.parent().unwrap_or(Path::new("."));
    if fs::symlink_metadata(link).is_ok_and(|m| m.is_dir()) {
        fs::rename(link, dir.join(format!(".ruleset-old-{}", std::process::id())))?;
    }
    let tmp = dir.join(format!(".ruleset-link-{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    std::os::unix::fs::symlink(version_name, &tmp)?;
    fs::rename(&tmp, link)?;
    fs::File::open(dir)?.sync_all()
}

/// Removes installed copies other than `keep` (and directories older layouts left).
fn remove_old_versions(data_dir: &Path, keep: &str) {
    let Ok(entries) = fs::read_dir(data_dir) else { return };
    for e in entries.filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        let ours = name.starts_with(".ruleset-") && !name.starts_with(".ruleset-extract-");
        if ours && name != keep && e.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = fs::remove_dir_all(e.path());
        }
    }
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
        assert_eq!(
            names.len(),
            1,
            "one installed copy, nothing else left behind: {names:?}"
        );
    }
}
